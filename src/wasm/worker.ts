/**
 * The code every pool worker runs, as source text: the pool starts workers from it (an `eval`
 * worker in Node and Deno, a Blob URL in browsers), so no separate file has to be found next to
 * a bundle. Plain JS in a string rather than a function's `toString()`, which bundlers and
 * test transforms are free to rewrite.
 *
 * A worker instantiates the module on the shared memory, reports ready, then loops: wait for the
 * generation counter to move (spinning briefly first, then `Atomics.wait`), claim tasks of that
 * generation until none is left, run each (its calls in order, with this thread's workspace),
 * record an error message instead of dying. The protocol and the layout are pool.ts's; the
 * constants travel in the start message so the two cannot drift.
 */

/** The worker loop: `on(handler)` receives the start message once, `post(msg)` answers it. */
const BODY = `
on(async (m) => {
  let fns;
  try {
    const abort = (msg, file, line, col) => { throw new Error('kernel assertion failed at ' + line + ':' + col); };
    const inst = await WebAssembly.instantiate(m.module, { env: { memory: m.memory, abort } });
    fns = m.names.map((n) => inst.exports[n]);
  } catch (e) {
    post({ error: String((e && e.message) || e) });
    return;
  }
  post({ ready: true });
  const L = m.layout;
  const ctl = new Int32Array(m.sab);
  const f64 = new Float64Array(m.sab);
  const u8 = new Uint8Array(m.sab);
  const me = m.thread;
  const errAt = L.errorsAt + me * L.errorBytes;
  const args = [];
  let seen = m.gen;
  for (;;) {
    let g = Atomics.load(ctl, L.GEN);
    for (let i = 0; g === seen && i < m.spin; i++) g = Atomics.load(ctl, L.GEN);
    while (g === seen) {
      Atomics.wait(ctl, L.GEN, seen);
      g = Atomics.load(ctl, L.GEN);
    }
    seen = g;
    if (Atomics.load(ctl, L.STOP) !== 0) return;
    for (;;) {
      // NEXT packs the generation, the task count and the next task: a claim from a finished
      // generation fails its compare-exchange.
      const v = Atomics.load(ctl, L.NEXT);
      if (v >>> L.genShift !== (seen & L.genMask)) break;
      const task = v & L.idxMask;
      if (task >= ((v >>> L.countShift) & L.idxMask)) break;
      if (Atomics.compareExchange(ctl, L.NEXT, v, v + 1) !== v) continue;
      try {
        const ws = Atomics.load(ctl, L.WS + me) >>> 0;
        let p = (L.tasksAt + task * L.taskBytes) / 8;
        const calls = f64[p++];
        for (let c = 0; c < calls; c++, p += 3 + L.maxArgs) {
          const n = f64[p + 1];
          const wsArg = f64[p + 2];
          args.length = n;
          for (let a = 0; a < n; a++) args[a] = a === wsArg ? ws : f64[p + 3 + a];
          fns[f64[p]](...args);
        }
      } catch (e) {
        if (Atomics.load(ctl, L.STATUS + me) === 0) {
          const text = new TextEncoder().encode(String((e && e.message) || e)).subarray(0, L.errorBytes - 1);
          u8.fill(0, errAt, errAt + L.errorBytes);
          u8.set(text, errAt);
          Atomics.store(ctl, L.STATUS + me, 1);
        }
      }
      Atomics.add(ctl, L.BYWORKERS, 1);
      if (Atomics.add(ctl, L.FINISHED, 1) + 1 === ((v >>> L.countShift) & L.idxMask)) Atomics.notify(ctl, L.FINISHED);
    }
  }
});
`;

/**
 * For `new Worker(src, { eval: true })` of node:worker_threads (Node, Deno). A dynamic import,
 * not `require`: an eval worker runs as an ES module when its parent was started with
 * `--input-type=module`. Messages posted before the listener is attached wait on the port.
 */
export const NODE_WORKER_SOURCE = `
import('node:worker_threads').then(({ parentPort: port }) => {
const on = (f) => port.once('message', f);
const post = (msg) => port.postMessage(msg);
${BODY}
});`;

/** For a browser `Worker` from a Blob URL. */
export const WEB_WORKER_SOURCE = `
const on = (f) => self.addEventListener('message', (e) => f(e.data), { once: true });
const post = (msg) => self.postMessage(msg);
${BODY}`;
