/**
 * The worker pool: `size − 1` workers, each running the same module on the same shared memory,
 * plus the calling thread. A job is a list of tasks (each a few kernel calls); every thread,
 * the caller included, claims tasks until none is left, so a worker the OS has not scheduled
 * yet delays nothing: the caller takes its task. Dispatch goes through a small control block
 * (its own SharedArrayBuffer, never part of the arena): the caller writes the tasks, publishes
 * them in one word (generation, count, next index), bumps the generation counter and notifies;
 * workers spin briefly, then sleep in `Atomics.wait`. No message is posted per kernel.
 *
 * Which thread runs a task never changes its result: a task's calls write their own outputs
 * with the same code, and each thread passes its own workspace (the `ws` argument of a call is
 * replaced by the running thread's block).
 *
 * Workers never keep a process alive (Node and Deno: `unref()` once started), so a script that
 * trained with threads exits by itself. An exception in a task (a trap, an assertion) is
 * recorded and thrown here as an Error once every task has finished; the worker lives on.
 */
import { hasNodeBuiltins, nodeBuiltin } from '../platform.ts';
import { NODE_WORKER_SOURCE, WEB_WORKER_SOURCE } from './worker.ts';

const MAX_CALLS = 3;
const MAX_ARGS = 28;
const MAX_TASKS = 256;
const MAX_THREADS = 64;
/** The control block. Int32 indices for the counters, byte offsets for the areas. */
const CTL = {
  GEN: 0,
  /** gen (12 bits) << 20 | task count (10 bits) << 10 | next task (10 bits). */
  NEXT: 1,
  FINISHED: 2,
  STOP: 3,
  /** Tasks the workers (not the caller) have run, ever. */
  BYWORKERS: 4,
  genShift: 20,
  genMask: 0xfff,
  countShift: 10,
  idxMask: 0x3ff,
  /** Int32 index of thread 0's workspace address (the caller's: unused by workers). */
  WS: 16,
  /** Int32 index of thread 0's status (1: one of its tasks threw in this job). */
  STATUS: 16 + MAX_THREADS,
  tasksAt: (16 + 2 * MAX_THREADS) * 4,
  /** One task: its call count, then per call: function index, argument count, ws argument (−1 none), arguments. */
  taskBytes: 8 * (1 + MAX_CALLS * (3 + MAX_ARGS)),
  maxArgs: MAX_ARGS,
  errorsAt: 0,
  errorBytes: 512,
};
CTL.errorsAt = CTL.tasksAt + MAX_TASKS * CTL.taskBytes;

/** How long init() waits for the workers to instantiate the module. */
const START_TIMEOUT_MS = 60_000;

/**
 * How long a thread polls a counter before sleeping, in Atomics.load iterations: `worker`, a
 * worker between jobs (read when the pool starts); `caller`, the calling thread waiting for the
 * last tasks of a job. 2M loads are ~16 ms here: longer than the gaps between a training step's
 * jobs and between steps, so a busy pool never sleeps. A thread that slept came back slow on
 * these virtual CPUs, not only late: MLP predict (batch 256) on 2 threads ran 1.80–1.84x one
 * thread in 5 of 6 processes with 2M, 1.00–1.69x with 20k (~0.2 ms, shorter than the host's
 * work between two jobs of one predict); MLP training 1.52x and 1.64x against 1.01x and 1.50x.
 * An idle pool spins this long once, then sleeps in Atomics.wait.
 */
export const spin = { worker: 2_000_000, caller: 2_000_000 };

interface AnyWorker {
  postMessage(m: unknown): void;
  terminate(): unknown;
}

/** Why workers cannot start here, or null when they can. */
export function workersUnavailable(): string | null {
  if (typeof SharedArrayBuffer === 'undefined') {
    return typeof document !== 'undefined'
      ? 'SharedArrayBuffer is unavailable: the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp)'
      : 'SharedArrayBuffer is unavailable in this runtime';
  }
  if (hasNodeBuiltins()) return null;
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  if (typeof g.Worker !== 'function') return 'this runtime has no Worker';
  if (g.crossOriginIsolated === false) return 'the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp)';
  return null;
}

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
function canBlock(): boolean {
  if (hasNodeBuiltins()) return true;
  return typeof (globalThis as { document?: unknown }).document === 'undefined';
}

type Fn = (...args: number[]) => unknown;

export class Pool {
  /** Threads in all, the caller's included. */
  readonly size: number;
  /** Jobs dispatched so far (tests check that a run really was split). */
  jobs = 0;
  private readonly ctl: Int32Array;
  private readonly f64: Float64Array;
  private readonly u8: Uint8Array;
  private readonly blocking = canBlock();
  private tasks = 0;
  private gen = 0;
  private busy = false;
  private closed = false;
  private readonly args: number[] = [];

  private constructor(
    private readonly workers: AnyWorker[],
    sab: SharedArrayBuffer,
    private readonly fns: readonly Fn[],
  ) {
    this.size = workers.length + 1;
    this.ctl = new Int32Array(sab);
    this.f64 = new Float64Array(sab);
    this.u8 = new Uint8Array(sab);
  }

  /**
   * Starts `threads − 1` workers on `module` and `memory` (shared); `names` are the exports that
   * tasks refer to by index, `exports` the caller's own instance's. Resolves once every worker
   * has instantiated the module.
   */
  static async start(module: WebAssembly.Module, memory: WebAssembly.Memory, exports: Record<string, unknown>, names: readonly string[], threads: number): Promise<Pool> {
    const count = threads - 1;
    if (!Number.isInteger(count) || count < 1 || count >= MAX_THREADS) throw new RangeError(`pool: threads must be 2..${MAX_THREADS}, got ${threads}`);
    const sab = new SharedArrayBuffer(CTL.errorsAt + MAX_THREADS * CTL.errorBytes);
    const workers: AnyWorker[] = [];
    const ready: Promise<void>[] = [];
    const node = hasNodeBuiltins() ? await nodeBuiltin<typeof import('node:worker_threads')>('worker_threads') : null;
    let blobUrl: string | null = null;
    try {
      for (let i = 0; i < count; i++) {
        const msg = { module, memory, sab, names: [...names], thread: i + 1, gen: 0, spin: spin.worker, layout: CTL };
        const failed = (why: string) => new Error(`simdnet: thread ${i + 1} could not start: ${why}`);
        if (node) {
          const w = new node.Worker(NODE_WORKER_SOURCE, { eval: true });
          workers.push(w);
          ready.push(
            new Promise((resolve, reject) => {
              // unref() only once it is up: Deno ends a loop with nothing referenced even while awaiting it.
              w.once('message', (m: { ready?: boolean; error?: string }) => {
                w.unref();
                if (m.ready) resolve();
                else reject(failed(String(m.error)));
              });
              w.once('error', (e: Error) => reject(failed(e.message)));
            }),
          );
          w.postMessage(msg);
        } else {
          blobUrl ??= URL.createObjectURL(new Blob([WEB_WORKER_SOURCE], { type: 'text/javascript' }));
          const w = new Worker(blobUrl);
          workers.push(w);
          ready.push(
            new Promise((resolve, reject) => {
              w.onmessage = (e: MessageEvent<{ ready?: boolean; error?: string }>) => (e.data.ready ? resolve() : reject(failed(String(e.data.error))));
              w.onerror = (e: ErrorEvent) => reject(failed(e.message));
            }),
          );
          w.postMessage(msg);
        }
      }
      // A runtime whose workers never answer must not hang init(): it falls back to one thread.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the workers did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      });
      try {
        await Promise.race([Promise.all(ready), timeout]);
      } finally {
        clearTimeout(timer);
      }
    } catch (e) {
      for (const w of workers) void w.terminate();
      throw e;
    } finally {
      if (blobUrl) URL.revokeObjectURL(blobUrl);
    }
    const fns = names.map((n) => {
      const f = exports[n];
      if (typeof f !== 'function') throw new Error(`pool: the binary has no export ${n}`);
      return f as Fn;
    });
    return new Pool(workers, sab, fns);
  }

  /** Tasks the workers (not the calling thread) have run since the pool started. */
  get tasksByWorkers(): number {
    return Atomics.load(this.ctl, CTL.BYWORKERS);
  }

  /** Sets thread `thread`'s workspace (1 .. size − 1): the `ws` argument of the calls it runs. */
  setWorkspace(thread: number, ptr: number): void {
    if (!(thread >= 1 && thread < this.size)) throw new RangeError(`pool: no thread ${thread} (have 1..${this.size - 1})`);
    Atomics.store(this.ctl, CTL.WS + thread, ptr | 0);
  }

  /** Starts a job: an empty task list. Then `task()`, `call(…)`, … and `run(ws)`. */
  begin(): void {
    if (this.closed) throw new Error('simdnet: the thread pool was closed (init() loaded another backend)');
    if (this.busy) throw new Error('simdnet: the thread pool is already running a job');
    this.tasks = 0;
  }

  /** Opens the next task of the job. */
  task(): void {
    if (this.tasks >= MAX_TASKS) throw new RangeError(`pool: at most ${MAX_TASKS} tasks per job`);
    this.f64[(CTL.tasksAt + this.tasks * CTL.taskBytes) / 8] = 0;
    this.tasks++;
  }

  /**
   * Adds `fn(...args)` to the open task; `fn` indexes the names, `wsArg` is the position of the
   * workspace argument (replaced by the running thread's), or −1.
   */
  call(fn: number, args: ArrayLike<number>, wsArg = -1): void {
    if (this.tasks === 0) throw new Error('pool: call() before task()');
    if (!(fn >= 0 && fn < this.fns.length)) throw new RangeError(`pool: no function ${fn}`);
    if (args.length > MAX_ARGS) throw new RangeError(`pool: ${args.length} arguments, at most ${MAX_ARGS}`);
    const base = (CTL.tasksAt + (this.tasks - 1) * CTL.taskBytes) / 8;
    const calls = this.f64[base];
    if (calls >= MAX_CALLS) throw new RangeError(`pool: at most ${MAX_CALLS} calls per task`);
    const p = base + 1 + calls * (3 + MAX_ARGS);
    this.f64[p] = fn;
    this.f64[p + 1] = args.length;
    this.f64[p + 2] = wsArg;
    for (let a = 0; a < args.length; a++) this.f64[p + 3 + a] = args[a];
    this.f64[base] = calls + 1;
  }

  /**
   * Runs the job's tasks on every thread (the caller's tasks with workspace `ws`), returns when
   * all have finished, and then throws the first error any of them raised. `callerWorks`
   * false: only the workers run tasks (tests use it to make sure a worker ran one).
   */
  run(ws: number, callerWorks = true): void {
    const ctl = this.ctl;
    const n = this.tasks;
    if (n === 0) return;
    this.busy = true;
    this.jobs++;
    const gen = (this.gen = (this.gen + 1) | 0);
    Atomics.store(ctl, CTL.FINISHED, 0);
    for (let t = 0; t < this.size; t++) Atomics.store(ctl, CTL.STATUS + t, 0);
    Atomics.store(ctl, CTL.NEXT, ((gen & CTL.genMask) << CTL.genShift) | (n << CTL.countShift));
    Atomics.store(ctl, CTL.GEN, gen);
    Atomics.notify(ctl, CTL.GEN);
    let ownError: unknown = null;
    // Claim tasks like any worker.
    while (callerWorks) {
      const v = Atomics.load(ctl, CTL.NEXT);
      const task = v & CTL.idxMask;
      if (task >= n) break;
      if (Atomics.compareExchange(ctl, CTL.NEXT, v, v + 1) !== v) continue;
      try {
        this.runTask(task, ws);
      } catch (e) {
        ownError ??= e;
      }
      Atomics.add(ctl, CTL.FINISHED, 1);
    }
    let done = Atomics.load(ctl, CTL.FINISHED);
    for (let i = 0, most = spin.caller; done < n && i < most; i++) done = Atomics.load(ctl, CTL.FINISHED);
    while (done < n) {
      if (this.blocking) Atomics.wait(ctl, CTL.FINISHED, done, 20);
      done = Atomics.load(ctl, CTL.FINISHED);
    }
    this.busy = false;
    if (ownError) throw ownError;
    for (let t = 1; t < this.size; t++) {
      if (Atomics.load(ctl, CTL.STATUS + t) === 0) continue;
      const at = CTL.errorsAt + t * CTL.errorBytes;
      // slice(): a copy off the shared buffer, which TextDecoder refuses in browsers.
      const bytes = this.u8.slice(at, at + CTL.errorBytes);
      const end = bytes.indexOf(0);
      throw new Error(`simdnet: thread ${t} failed: ${new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end))}`);
    }
  }

  private runTask(task: number, ws: number): void {
    const f64 = this.f64;
    const args = this.args;
    let p = (CTL.tasksAt + task * CTL.taskBytes) / 8;
    const calls = f64[p++];
    for (let c = 0; c < calls; c++, p += 3 + MAX_ARGS) {
      const n = f64[p + 1];
      const wsArg = f64[p + 2];
      args.length = n;
      for (let a = 0; a < n; a++) args[a] = a === wsArg ? ws : f64[p + 3 + a];
      this.fns[f64[p]](...args);
    }
  }

  /** Stops and terminates the workers; the pool is unusable afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.ctl, CTL.STOP, 1);
    Atomics.add(this.ctl, CTL.GEN, 1);
    Atomics.notify(this.ctl, CTL.GEN);
    for (const w of this.workers) void w.terminate();
  }
}
