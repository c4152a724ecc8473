// Thread checks shared by Node (test/wasm/threads.test.ts, over src/), Deno
// (test/deno/threads.test.ts, over dist/) and headless Chromium (test/browser/threads.html, an
// isolated page): 10-step MLP, CNN and LSTM training trajectories — losses and every final
// weight — are bit-identical for 1, 2 and 3 threads, and the golden trajectory holds threaded.
// Public API only: `lib` is the library module.

/** Deterministic data from an integer hash (no Math.sin: engines may differ in its last bit). */
function hashData(n, seed) {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 8) / 16777216 - 0.5;
  }
  return out;
}

/**
 * The MNIST MLP and CNN of src/cli/models.ts, and a row-MNIST LSTM (big enough that its passes
 * split by default), built here so a page needs nothing else.
 */
function build(lib, arch) {
  const L = lib.layers;
  if (arch === 'lstm') {
    return lib.sequential({ layers: [L.lstm({ units: 64, inputShape: [28, 28] }), L.dense({ units: 10, activation: 'softmax' })] });
  }
  if (arch === 'mlp') {
    return lib.sequential({ layers: [L.dense({ units: 128, activation: 'relu', inputShape: [784] }), L.dense({ units: 10, activation: 'softmax' })] });
  }
  return lib.sequential({
    layers: [
      L.conv2d({ filters: 8, kernelSize: 5, padding: 'same', activation: 'relu', inputShape: [28, 28, 1] }),
      L.maxPooling2d({ poolSize: 2 }),
      L.conv2d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }),
      L.maxPooling2d({ poolSize: 2 }),
      L.flatten(),
      L.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}

/**
 * Trains `arch` for `steps` steps on `threads` threads; returns the losses, the final weights
 * (float32 bits) and the thread count the backend reports. One fixed batch, so the loss falls.
 */
export async function trajectory(lib, arch, threads, { batch = arch === 'mlp' ? 64 : arch === 'lstm' ? 16 : 8, steps = 10 } = {}) {
  const info = await lib.init({ threads, deterministic: true });
  lib.setSeed(31);
  const model = build(lib, arch);
  model.compile({ optimizer: lib.optimizers.adam({ learningRate: 0.001 }), loss: 'sparseCategoricalCrossentropy' });
  const shape = arch === 'mlp' ? [batch, 784] : arch === 'lstm' ? [batch, 28, 28] : [batch, 28, 28, 1];
  const losses = [];
  const xs = lib.tensor(hashData(batch * 784, 1000), shape);
  const ys = lib.tensor(Int32Array.from({ length: batch }, (_, i) => (i * 7) % 10), [batch], 'int32');
  for (let s = 0; s < steps; s++) losses.push(await model.trainOnBatch(xs, ys));
  xs.dispose();
  ys.dispose();
  const weights = model.getWeights().map((t) => new Uint32Array(Float32Array.from(t.dataSync()).buffer));
  model.dispose();
  return { losses, weights, threads: info.threads, reason: info.threadsReason };
}

class CheckError extends Error {}
const fail = (msg) => {
  throw new CheckError(msg);
};

/** Throws unless `got` equals `want` bit for bit (losses as numbers, weights as float32 bits). */
export function expectSameRun(got, want, what) {
  if (got.losses.length !== want.losses.length) fail(`${what}: ${got.losses.length} losses, expected ${want.losses.length}`);
  for (let i = 0; i < want.losses.length; i++) {
    if (!Object.is(got.losses[i], want.losses[i])) fail(`${what}: loss of step ${i} is ${got.losses[i]}, one thread gave ${want.losses[i]}`);
  }
  if (got.weights.length !== want.weights.length) fail(`${what}: ${got.weights.length} weight tensors, expected ${want.weights.length}`);
  for (let w = 0; w < want.weights.length; w++) {
    const a = got.weights[w], b = want.weights[w];
    if (a.length !== b.length) fail(`${what}: weight ${w} has ${a.length} values, expected ${b.length}`);
    for (let i = 0; i < b.length; i++) {
      if (a[i] !== b[i]) fail(`${what}: weight ${w}[${i}] has bits ${a[i].toString(16)}, one thread gave ${b[i].toString(16)}`);
    }
  }
}

/**
 * The source of a script that imports the library from `distUrl`, trains the MNIST MLP for 3
 * steps on 2 threads and prints 'trained on 2 threads': Node and Deno run it as a child process
 * that must exit by itself (the pool's workers never keep a process alive).
 */
export function trainOnThreadsScript(distUrl) {
  return `
    const lib = await import(${JSON.stringify(distUrl)});
    const info = await lib.init({ threads: 2 });
    if (info.threads !== 2) throw new Error('threads: ' + info.threads + ' ' + info.threadsReason);
    const model = lib.sequential({ layers: [lib.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }), lib.layers.dense({ units: 10, activation: 'softmax' })] });
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const x = lib.randomNormal([64, 784]);
    const y = lib.tensor(Int32Array.from({ length: 64 }, (_, i) => i % 10), [64], 'int32');
    for (let s = 0; s < 3; s++) await model.trainOnBatch(x, y);
    console.log('trained on', info.threads, 'threads');
  `;
}

/** The golden trajectory's setup (test/model/trajectory.test.ts) on `threads` threads. */
async function goldenRun(lib, threads) {
  const [N, IN, HID, OUT, STEPS, LR] = [16, 8, 16, 4, 10, 0.01];
  await lib.init({ threads, deterministic: true });
  lib.setSeed(2024);
  const model = lib.sequential({
    layers: [lib.layers.dense({ units: HID, activation: 'relu', inputShape: [IN] }), lib.layers.dense({ units: OUT, activation: 'softmax' })],
  });
  model.compile({ optimizer: lib.optimizers.adam({ learningRate: LR }), loss: 'sparseCategoricalCrossentropy' });
  const x = new Float32Array(N * IN).map((_, i) => Math.sin(i * 0.7) + 0.1 * Math.cos(i * 1.3));
  const y = new Int32Array(N).map((_, i) => (i * 7) % OUT);
  const xs = lib.tensor(x, [N, IN]);
  const ys = lib.tensor(y, [N], 'int32');
  const losses = [];
  for (let s = 0; s < STEPS; s++) losses.push(await model.trainOnBatch(xs, ys));
  model.dispose();
  return losses;
}

/**
 * The checks as { name, run } (the shape of test/runtime/checks.mjs). `env.golden`: the golden
 * file's contents; `env.expectThreads`: false where threads cannot run (then only equality).
 */
export function threadChecks(lib, env = {}) {
  const expectThreads = env.expectThreads ?? true;
  const checks = [];
  for (const arch of ['mlp', 'cnn', 'lstm']) {
    checks.push({
      name: `${arch}: 10-step trajectory bit-identical for 1, 2 and 3 threads`,
      async run() {
        const one = await trajectory(lib, arch, 1);
        if (one.threads !== 1) fail(`init({ threads: 1 }) reports ${one.threads} threads`);
        for (const n of [2, 3]) {
          const got = await trajectory(lib, arch, n);
          if (expectThreads && got.threads !== n) fail(`init({ threads: ${n} }) reports ${got.threads} threads (${got.reason})`);
          expectSameRun(got, one, `${arch} on ${n} threads`);
        }
        if (!(one.losses.at(-1) < one.losses[0])) fail(`${arch}: the loss did not fall (${one.losses[0]} → ${one.losses.at(-1)})`);
      },
    });
  }
  if (env.golden) {
    checks.push({
      name: 'the golden trajectory holds on 2 and 3 threads (1e-6)',
      async run() {
        for (const n of [2, 3]) {
          const losses = await goldenRun(lib, n);
          for (let i = 0; i < env.golden.losses.length; i++) {
            const d = Math.abs(losses[i] - env.golden.losses[i]);
            if (!(d < 1e-6)) fail(`${n} threads, step ${i}: loss ${losses[i]}, golden ${env.golden.losses[i]}`);
          }
        }
      },
    });
  }
  return checks;
}
