// Threads in Node: init({ threads }) and what backendInfo() says, bit-identical training for 1, 2
// and 3 threads (the shared checks of test/browser/threads-checks.mjs, then again with every
// kernel call split), the arena growing in the middle of a threaded run, an error inside a worker
// surfacing here while the pool survives, and a process that trained with threads exiting by
// itself.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import * as lib from '../../src/index.ts';
import { backend, backendInfo, init } from '../../src/wasm/loader.ts';
import { KERNEL_NAMES } from '../../src/wasm/abi.ts';
import { tuning } from '../../src/wasm/threads.ts';
import { mnistModel } from '../../src/cli/models.ts';
import { loadBinary } from '../../scripts/load-binary.mjs';
import { expectSameRun, threadChecks, trainOnThreadsScript, trajectory } from '../browser/threads-checks.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const golden = JSON.parse(fs.readFileSync(path.join(root, 'test/model/golden-trajectory.json'), 'utf8'));
const defaultMinWork = tuning.minWork;
const defaultPackingShare = tuning.packingShare;
/** Every call split as finely as it goes (tasks of any size); `callerWorks` false: all on the workers. */
function splitEverything(callerWorks = true) {
  tuning.minWork = 1;
  tuning.packingShare = 0;
  tuning.callerWorks = callerWorks;
}
afterEach(() => {
  tuning.minWork = defaultMinWork;
  tuning.packingShare = defaultPackingShare;
  tuning.callerWorks = true;
});

describe('init({ threads })', () => {
  it('reports the thread count, and the binary stays the SIMD variant asked for', async () => {
    for (const n of [1, 2, 3]) {
      const info = await init({ threads: n, deterministic: true });
      expect(info.threads).toBe(n);
      expect(info.threadsReason).toBe(null);
      expect(info.binary).toBe('baseline');
      expect(backendInfo().threads).toBe(n);
      expect(backend().memory.buffer instanceof SharedArrayBuffer).toBe(n > 1);
    }
  });

  it("'auto' takes the available cores, at most 8", async () => {
    const os = await import('node:os');
    const info = await init({ threads: 'auto', deterministic: true });
    expect(info.threads).toBe(Math.min(os.availableParallelism(), 8));
  });

  it('refuses a thread count that is not a positive integer up to 64, naming the option', async () => {
    for (const bad of [0, -1, 1.5, 65, Number.NaN]) await expect(init({ threads: bad })).rejects.toThrow(/init: threads/);
    for (const bad of ['many', true, null, 2n]) await expect(init({ threads: bad as never })).rejects.toThrow(/init: threads must be a positive integer or 'auto', got/);
  });

  it('without SharedArrayBuffer it runs on one thread and says why', async () => {
    const g = globalThis as { SharedArrayBuffer?: unknown };
    const saved = g.SharedArrayBuffer;
    delete g.SharedArrayBuffer;
    try {
      const info = await init({ threads: 2, deterministic: true });
      expect(info.threads).toBe(1);
      expect(info.threadsReason).toMatch(/SharedArrayBuffer is unavailable/);
      expect(info.features.threads).toBe(false);
    } finally {
      g.SharedArrayBuffer = saved;
    }
    const run = await trajectory(lib, 'mlp', 1, { steps: 2 });
    expect(run.losses[1]).toBeLessThan(run.losses[0]);
  });

  it('init({ module }) over non-shared memory runs on one thread and says why; a shared-memory module runs threaded', async () => {
    const plain = loadBinary({ variant: 'baseline' }).module;
    const info = await init({ module: plain, threads: 2 });
    expect(info.threads).toBe(1);
    expect(info.threadsReason).toMatch(/non-shared memory/);
    const bytes = fs.readFileSync(path.join(root, 'build/simdnet.threads.wasm'));
    const shared = await WebAssembly.compile(bytes);
    const info2 = await init({ module: shared, threads: 2 });
    expect(info2.threads).toBe(2);
    expect(info2.binary).toBe('custom');
    // And it trains.
    const run = await trajectory(lib, 'mlp', 1, { steps: 2 });
    expect(run.losses[1]).toBeLessThan(run.losses[0]);
  });
});

/**
 * predict's outputs as float32 bits: the MNIST MLP (relu, softmax) and CNN from seed 5 on
 * `threads`, over 256 deterministic samples in chunks of `batchSize`.
 */
async function predictBits(arch: 'mlp' | 'cnn', threads: number, batchSize: number): Promise<Uint32Array> {
  await init({ threads, deterministic: true });
  lib.setSeed(5);
  const model = mnistModel(lib, arch); // the CLI's, the demo's and the bench's
  const n = 256;
  const data = Float32Array.from({ length: n * 784 }, (_, i) => ((Math.imul(i + 1, 2654435761) >>> 8) / 16777216) * 2 - 1);
  const x = lib.tensor(data, arch === 'mlp' ? [n, 784] : [n, 28, 28, 1]);
  const y = model.predict(x, { batchSize }) as lib.Tensor;
  const bits = new Uint32Array(Float32Array.from(y.dataSync()).buffer);
  for (const t of [x, y]) t.dispose();
  model.dispose();
  return bits;
}

describe('predict bit-identical for 1, 2 and 3 threads', () => {
  it('MLP and CNN, chunks of 32 (a dense forward split over columns) and of 256 (over rows), default and every call split', async () => {
    for (const arch of ['mlp', 'cnn'] as const) {
      for (const batchSize of [32, 256]) {
        const one = await predictBits(arch, 1, batchSize);
        for (const split of [false, true]) {
          if (split) splitEverything();
          for (const n of [2, 3]) {
            const got = await predictBits(arch, n, batchSize);
            // The default threshold splits these models' large calls too.
            expect(backend().pool!.jobs).toBeGreaterThan(0);
            let diff = -1;
            for (let i = 0; i < one.length && diff < 0; i++) if (got[i] !== one[i]) diff = i;
            expect(diff, `${arch}, batchSize ${batchSize}, ${n} threads${split ? ', every call split' : ''}: first differing output`).toBe(-1);
            expect(got.length).toBe(one.length);
          }
          tuning.minWork = defaultMinWork;
          tuning.packingShare = defaultPackingShare;
        }
      }
    }
  }, 120_000);

  it("the default threshold splits the MLP's first dense forward at predict's default chunk of 32 rows", async () => {
    await predictBits('mlp', 2, 32);
    // One job per chunk for the 784→128 layer (8 chunks); the 128→10 layer stays on one thread.
    expect(backend().pool!.jobs).toBeGreaterThanOrEqual(8);
  }, 120_000);
});

describe('bit-identical for 1, 2 and 3 threads', () => {
  for (const c of threadChecks(lib, { golden })) it(c.name, () => c.run(), 120_000);

  it('the default threshold splits the MNIST-sized calls of those runs (MLP, CNN, LSTM)', async () => {
    await trajectory(lib, 'mlp', 2, { steps: 1 });
    const mlpJobs = backend().pool!.jobs;
    await trajectory(lib, 'cnn', 2, { steps: 1 });
    const cnnJobs = backend().pool!.jobs;
    await trajectory(lib, 'lstm', 2, { steps: 1 });
    const lstmJobs = backend().pool!.jobs;
    // MLP: the first dense layer's forward and backward; CNN: the second conv's forward and backward too;
    // LSTM: its forward, backprop through time and weights' gradients.
    expect(mlpJobs).toBeGreaterThanOrEqual(2);
    expect(cnnJobs).toBeGreaterThanOrEqual(3);
    expect(lstmJobs).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('every kernel call split as finely as it goes: MLP and CNN trajectories and the golden one unchanged', async () => {
    const one = { mlp: await trajectory(lib, 'mlp', 1, { batch: 20, steps: 4 }), cnn: await trajectory(lib, 'cnn', 1, { batch: 5, steps: 3 }) };
    // With the caller claiming tasks too (whoever is first), then with the workers running all.
    for (const callerWorks of [true, false]) {
      splitEverything(callerWorks);
      for (const n of [2, 3]) {
        const how = `${n} threads, every call split${callerWorks ? '' : ', all on workers'}`;
        expectSameRun(await trajectory(lib, 'mlp', n, { batch: 20, steps: 4 }), one.mlp, `mlp, ${how}`);
        expectSameRun(await trajectory(lib, 'cnn', n, { batch: 5, steps: 3 }), one.cnn, `cnn, ${how}`);
      }
    }
    const goldenCheck = threadChecks(lib, { golden }).find((c) => c.name.startsWith('the golden'))!;
    await goldenCheck.run();
    // The golden model's calls are tiny: with minWork 1 they too were split, and ran on the workers.
    expect(backend().pool!.jobs).toBeGreaterThan(20);
    expect(backend().pool!.tasksByWorkers).toBeGreaterThan(backend().pool!.jobs);
  }, 120_000);
});

describe('average pooling over samples', () => {
  it('conv → averagePooling2d (overlapping windows, same padding) → dense: bit-identical on 1 and 3 threads, run on the workers', async () => {
    const run = async (threads: number) => {
      await init({ threads, deterministic: true });
      lib.setSeed(9);
      const L = lib.layers;
      const model = lib.sequential({
        layers: [
          L.conv2d({ filters: 6, kernelSize: 3, activation: 'relu', inputShape: [13, 11, 2] }),
          L.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
          L.flatten(),
          L.dense({ units: 5, activation: 'softmax' }),
        ],
      });
      model.compile({ optimizer: lib.optimizers.sgd({ learningRate: 0.1 }), loss: 'sparseCategoricalCrossentropy' });
      const x = lib.tensor(Float32Array.from({ length: 7 * 13 * 11 * 2 }, (_, i) => ((i * 29) % 83) / 83 - 0.5), [7, 13, 11, 2]);
      const y = lib.tensor(Int32Array.from({ length: 7 }, (_, i) => i % 5), [7], 'int32');
      const losses: number[] = [];
      for (let s = 0; s < 3; s++) losses.push((await model.trainOnBatch(x, y)) as number);
      const weights = model.getWeights().map((t) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer)));
      model.dispose();
      return { losses, weights };
    };
    const one = await run(1);
    splitEverything(false);
    const three = await run(3);
    expect(backend().pool!.tasksByWorkers).toBeGreaterThan(0);
    expect(three.losses).toEqual(one.losses);
    expect(three.weights).toEqual(one.weights);
  }, 120_000);
});

describe('optimizers over chunks of the parameter block', () => {
  const OPTIMIZERS: [string, () => unknown][] = [
    ['sgd', () => lib.optimizers.sgd({ learningRate: 0.05 })],
    ['momentum (nesterov)', () => lib.optimizers.momentum({ learningRate: 0.01, momentum: 0.9, useNesterov: true })],
    ['adagrad', () => lib.optimizers.adagrad({ learningRate: 0.05 })],
    ['rmsprop with momentum', () => lib.optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5 })],
    ['rmsprop centered', () => lib.optimizers.rmsprop({ learningRate: 0.01, centered: true, momentum: 0.5 })],
    ['adamw', () => lib.optimizers.adamw({ learningRate: 0.01 })],
    ['adamax', () => lib.optimizers.adamax({ learningRate: 0.01 })],
    ['adadelta', () => lib.optimizers.adadelta({ learningRate: 1 })],
  ];
  async function run(threads: number, make: () => unknown) {
    await init({ threads, deterministic: true });
    lib.setSeed(3);
    // 300·70 + 70 + 70·10 + 10 = 21,780 parameters: odd sizes, so chunks end in a tail.
    const model = lib.sequential({ layers: [lib.layers.dense({ units: 70, activation: 'tanh', inputShape: [300] }), lib.layers.dense({ units: 10, activation: 'softmax' })] });
    model.compile({ optimizer: make() as never, loss: 'sparseCategoricalCrossentropy' });
    const x = lib.tensor(Float32Array.from({ length: 16 * 300 }, (_, i) => ((i * 53) % 97) / 97 - 0.5), [16, 300]);
    const y = lib.tensor(Int32Array.from({ length: 16 }, (_, i) => (i * 3) % 10), [16], 'int32');
    const losses: number[] = [];
    for (let s = 0; s < 4; s++) losses.push((await model.trainOnBatch(x, y)) as number);
    const weights = model.getWeights().map((t) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer)));
    model.dispose();
    return { losses, weights };
  }
  it('every optimizer: 4 steps bit-identical on 1 thread and on 3 with each block split and run on the workers', async () => {
    for (const [name, make] of OPTIMIZERS) {
      const one = await run(1, make);
      splitEverything(false);
      const three = await run(3, make);
      expect(backend().pool!.tasksByWorkers).toBeGreaterThan(0);
      tuning.minWork = defaultMinWork;
      tuning.packingShare = defaultPackingShare;
      tuning.callerWorks = true;
      expect(three.losses, name).toEqual(one.losses);
      expect(three.weights, name).toEqual(one.weights);
    }
  }, 120_000);
});

describe('recurrent layers over samples, their weights over gate columns', () => {
  type Build = () => { model: { compile(a: unknown): void; trainOnBatch(x: unknown, y: unknown): Promise<unknown>; predict(x: unknown): unknown; getWeights(): { dataSync(): ArrayLike<number> }[]; dispose(): void }; x: unknown; y: unknown };
  const L = lib.layers;
  const ids = (n: number, steps: number, vocab: number) =>
    // Padding (id 0) at the end of some samples, at the front of others: masked steps on both sides.
    lib.tensor(Int32Array.from({ length: n * steps }, (_, i) => ((i % steps) >= steps - (i % 3) || (i % 7 === 0) ? 0 : 1 + ((i * 13) % (vocab - 1)))), [n, steps], 'int32');
  const floats = (shape: number[]) => lib.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => ((i * 37) % 101) / 101 - 0.5), shape);
  const labels = (n: number, classes: number) => lib.tensor(Int32Array.from({ length: n }, (_, i) => (i * 5) % classes), [n], 'int32');
  const CASES: [string, Build][] = [
    ['embedding(maskZero) → lstm(returnSequences, dropout, recurrentDropout) → gru(goBackwards, resetAfter false, recurrentDropout) → dense', () => ({
      model: lib.sequential({ layers: [
        L.embedding({ inputDim: 20, outputDim: 6, maskZero: true, inputShape: [9] }),
        L.lstm({ units: 11, returnSequences: true, dropout: 0.2, recurrentDropout: 0.3 }),
        L.gru({ units: 7, goBackwards: true, recurrentDropout: 0.25 }),
        L.dense({ units: 4, activation: 'softmax' }),
      ] }) as never,
      x: ids(13, 9, 20), y: labels(13, 4),
    })],
    ['bidirectional(gru resetAfter, returnSequences) → simpleRNN → dense', () => ({
      model: lib.sequential({ layers: [
        L.bidirectional({ layer: L.gru({ units: 6, resetAfter: true, returnSequences: true }), inputShape: [7, 5] }),
        L.simpleRNN({ units: 9 }),
        L.dense({ units: 3, activation: 'softmax' }),
      ] }) as never,
      x: floats([11, 7, 5]), y: labels(11, 3),
    })],
    ['stateful lstm(returnSequences, goBackwards) → stateful simpleRNN → dense (each part\'s initial states carried from the last batch)', () => ({
      model: lib.sequential({ layers: [
        L.lstm({ units: 12, returnSequences: true, goBackwards: true, stateful: true, batchInputShape: [9, 5, 3] }),
        L.simpleRNN({ units: 8, stateful: true }),
        L.dense({ units: 3, activation: 'softmax' }),
      ] }) as never,
      x: floats([9, 5, 3]), y: labels(9, 3),
    })],
    ['lstm(returnState) → concatenate([output, h, c]) → dense (the final states\' gradients per part)', () => {
      const x = lib.input({ shape: [6, 4] });
      const [o, h, c] = L.lstm({ units: 10, returnState: true }).apply(x) as unknown as never[];
      const out = L.dense({ units: 3, activation: 'softmax' }).apply(L.concatenate().apply([o, h, c]) as never);
      return { model: lib.model({ inputs: x, outputs: out as never }) as never, x: floats([10, 6, 4]), y: labels(10, 3) };
    }],
  ];
  async function run(threads: number, build: Build) {
    await init({ threads, deterministic: true });
    lib.setSeed(21);
    const { model, x, y } = build();
    model.compile({ optimizer: lib.optimizers.adam({ learningRate: 0.02 }), loss: 'sparseCategoricalCrossentropy' });
    const losses: number[] = [];
    for (let s = 0; s < 3; s++) losses.push((await model.trainOnBatch(x, y)) as number);
    const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
    const predicted = bits((model.predict(x) as { dataSync(): ArrayLike<number> }).dataSync());
    const weights = model.getWeights().map((t) => bits(t.dataSync()));
    model.dispose();
    return { losses, weights, predicted };
  }
  for (const [name, build] of CASES)
    it(`${name}: 3 Adam steps and predict bit-identical on 1 thread, on 2, and on 3 with every call split and run on the workers`, async () => {
      const one = await run(1, build);
      const two = await run(2, build);
      splitEverything(false);
      const three = await run(3, build);
      expect(backend().pool!.tasksByWorkers).toBeGreaterThan(0);
      for (const other of [two, three]) {
        expect(other.losses).toEqual(one.losses);
        expect(other.weights).toEqual(one.weights);
        expect(other.predicted).toEqual(one.predicted);
      }
    }, 120_000);
  it('the default threshold splits LSTM(128) on row-MNIST batches (forward, through time and the weights)', async () => {
    await init({ threads: 2, deterministic: true });
    lib.setSeed(5);
    const model = lib.sequential({ layers: [L.lstm({ units: 128, inputShape: [28, 28] }), L.dense({ units: 10, activation: 'softmax' })] });
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const pool = backend().pool!;
    const before = { jobs: pool.jobs };
    await model.trainOnBatch(floats([64, 28, 28]), labels(64, 10));
    // The forward, the backward through time and the weights' gradients: three recurrent jobs at least.
    expect(pool.jobs - before.jobs).toBeGreaterThanOrEqual(3);
    model.dispose();
  }, 120_000);
});

describe('the pool', () => {
  it('the arena grows in the middle of a threaded run and every worker sees the new memory', async () => {
    const run = async (threads: number) => {
      await init({ threads, deterministic: true, initialMemoryMB: 1 });
      splitEverything();
      lib.setSeed(5);
      const model = lib.sequential({ layers: [lib.layers.dense({ units: 64, activation: 'relu', inputShape: [300] }), lib.layers.dense({ units: 10, activation: 'softmax' })] });
      model.compile({ optimizer: lib.optimizers.sgd({ learningRate: 0.1 }), loss: 'sparseCategoricalCrossentropy' });
      const losses: number[] = [];
      const sizes: number[] = [];
      for (const batch of [8, 8, 400, 400, 8]) {
        // The batch of 400 re-plans: the plan needs more memory than there is, mid-run.
        const x = lib.tensor(Float32Array.from({ length: batch * 300 }, (_, i) => ((i * 37) % 101) / 101 - 0.5), [batch, 300]);
        const y = lib.tensor(Int32Array.from({ length: batch }, (_, i) => i % 10), [batch], 'int32');
        losses.push((await model.trainOnBatch(x, y)) as number);
        sizes.push(backend().memory.buffer.byteLength);
      }
      const weights = model.getWeights().map((t) => Array.from(t.dataSync()));
      model.dispose();
      return { losses, sizes, weights };
    };
    const one = await run(1);
    const two = await run(2);
    expect(two.sizes[2]).toBeGreaterThan(two.sizes[1]); // it did grow mid-run
    expect(two.losses).toEqual(one.losses);
    expect(two.weights).toEqual(one.weights);

    // A GEMM whose operands lie wholly in memory grown after the workers started.
    await init({ threads: 2, deterministic: true, initialMemoryMB: 1 });
    splitEverything();
    const { arena, kernels: k } = backend();
    const before = arena.memoryBytes;
    const [m, n, kk] = [90, 40, 30];
    const pad = arena.alloc(before); // pushes what follows past the old end
    const a = arena.alloc(m * kk * 4), b = arena.alloc(kk * n * 4), c = arena.alloc(m * n * 4), ws = arena.alloc(k.gemm_workspace_bytes(m, n, kk));
    expect(a).toBeGreaterThanOrEqual(before);
    arena.f32.set(Float32Array.from({ length: m * kk }, (_, i) => (i % 7) - 3), a / 4);
    arena.f32.set(Float32Array.from({ length: kk * n }, (_, i) => (i % 5) - 2), b / 4);
    arena.f32.fill(0, c / 4, c / 4 + m * n);
    // Through the pool with the caller claiming nothing: a worker runs it, on memory grown after it started.
    const pool = backend().pool!;
    pool.begin();
    pool.task();
    pool.call(KERNEL_NAMES.indexOf('gemm_strided_f32'), [c, a, b, 0, m, n, kk, kk, n, n, 0], 3);
    pool.run(ws, false);
    const got = arena.f32.slice(c / 4, c / 4 + m * n);
    const A = arena.f32.slice(a / 4, a / 4 + m * kk), B = arena.f32.slice(b / 4, b / 4 + kk * n);
    for (const [i, j] of [[0, 0], [89, 39], [60, 7], [45, 20]]) {
      let s = 0;
      for (let p = 0; p < kk; p++) s += A[i * kk + p] * B[p * n + j];
      expect(got[i * n + j]).toBe(s); // small integers: exact
    }
    arena.free(pad, before);
  }, 120_000);

  it('an error inside a worker surfaces as an Error naming the thread, and the pool keeps working', async () => {
    await init({ threads: 3, deterministic: true });
    const { pool, memory } = backend();
    expect(pool).not.toBe(null);
    const fill = KERNEL_NAMES.indexOf('fill_f32');
    // Tasks that trap (past the end of memory) on whichever thread claims them: each fails alone.
    const past = memory.buffer.byteLength + 65536;
    let failures = 0;
    for (let attempt = 0; attempt < 20; attempt++) {
      pool!.begin();
      for (let t = 0; t < 3; t++) {
        pool!.task();
        pool!.call(fill, [past, 16, 1]);
      }
      try {
        pool!.run(0);
      } catch (e) {
        failures++;
        expect(String(e)).toMatch(/out of bounds|memory access/);
      }
    }
    expect(failures).toBe(20);
    // A failing task on a worker (the caller claims none): the worker's error, naming it.
    const ok = backend().arena.alloc(64);
    pool!.begin();
    for (let t = 0; t < 4; t++) {
      pool!.task();
      pool!.call(fill, t === 3 ? [past, 16, 1] : [ok, 16, 1]);
    }
    expect(() => pool!.run(0, false)).toThrow(/simdnet: thread [12] failed: .*(out of bounds|memory access)/);
    backend().arena.free(ok, 64);
    // The pool survives: training on all three threads still matches one thread.
    splitEverything();
    const three = await trajectory(lib, 'mlp', 3, { batch: 12, steps: 2 });
    tuning.minWork = defaultMinWork;
    tuning.packingShare = defaultPackingShare;
    const one = await trajectory(lib, 'mlp', 1, { batch: 12, steps: 2 });
    expectSameRun(three, one, 'after worker errors');
    // Misuse is an error before anything runs.
    await init({ threads: 2 });
    const p2 = backend().pool!;
    p2.begin();
    expect(() => p2.call(fill, [0, 0, 0])).toThrow(/call\(\) before task\(\)/);
    p2.task();
    expect(() => p2.call(9999, [0])).toThrow(/no function 9999/);
    expect(() => p2.setWorkspace(2, 0)).toThrow(/no thread 2/);
    p2.call(fill, [0, 0, 0]);
    p2.run(0);
  }, 120_000);

  it('a Node process that trained with threads exits by itself', () => {
    const dist = path.join(root, 'dist/index.js');
    expect(fs.existsSync(dist), 'dist/index.js: run `node build.mjs` first').toBe(true);
    const script = trainOnThreadsScript(new URL(`file://${dist}`).href);
    // The timeout only turns a hang into a failure; a process that exits by itself takes seconds.
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 90_000 });
    expect(r.signal, `the process did not exit by itself: ${r.stderr}`).toBe(null);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('trained on 2 threads');
  }, 120_000);
});

describe('exp-based activations over chunks, softmax over runs of rows', () => {
  // 40,037 elements (a scalar tail at the end) and 601 rows of 65: each past its kernel's split
  // threshold on 2 threads by default.
  const N = 40_037;
  const ROWS = 601;
  const COLS = 65;
  type Call = (k: ReturnType<typeof backend>['kernels'], y: number, x: number, dy: number) => void;
  const CALLS: [string, number, Call][] = [
    ['sigmoid_forward_f32', N, (k, y, x) => k.sigmoid_forward_f32(y, x, N)],
    ['tanh_forward_f32', N, (k, y, x) => k.tanh_forward_f32(y, x, N)],
    ['softplus_forward_f32', N, (k, y, x) => k.softplus_forward_f32(y, x, N)],
    ['elu_forward_f32', N, (k, y, x) => k.elu_forward_f32(y, x, N, 0.7)],
    ['softmax_forward_f32', ROWS * COLS, (k, y, x) => k.softmax_forward_f32(y, x, ROWS, COLS)],
    // dx += …: accumulates onto the 0.5 every output starts at; x stands in for the softmax output.
    ['softmax_backward_f32', ROWS * COLS, (k, y, x, dy) => k.softmax_backward_f32(y, dy, x, ROWS, COLS)],
  ];
  const GUARD = 12345.5;
  /** Each kernel's output bits on `threads`, with the jobs each call dispatched; the guard after every output checked. */
  async function kernelBits(threads: number) {
    await init({ threads, deterministic: true });
    const { arena, kernels: k, pool } = backend();
    const len = Math.max(N, ROWS * COLS) + 4;
    const [x, dy, y] = [arena.alloc(len * 4), arena.alloc(len * 4), arena.alloc(len * 4)];
    const out: Record<string, { bits: number[]; jobs: number }> = {};
    for (const [name, count, call] of CALLS) {
      const f = arena.f32;
      for (let i = 0; i < len; i++) {
        f[(x >>> 2) + i] = Math.sin(i * 0.37) * 4;
        f[(dy >>> 2) + i] = Math.cos(i * 0.11);
        f[(y >>> 2) + i] = i < count ? 0.5 : GUARD;
      }
      const jobs = pool?.jobs ?? 0;
      call(k, y, x, dy);
      const g = arena.f32;
      for (let i = count; i < len; i++) expect(g[(y >>> 2) + i], `${name}: guard at ${i}`).toBe(GUARD);
      out[name] = { bits: Array.from(new Uint32Array(g.slice(y >>> 2, (y >>> 2) + count).buffer)), jobs: (pool?.jobs ?? 0) - jobs };
    }
    for (const p of [x, dy, y]) arena.free(p, len * 4);
    return out;
  }

  it('sigmoid, tanh, softplus, elu forward and softmax forward/backward: bit-identical on 1, 2 (split by default) and 3 threads (every call split, on the workers)', async () => {
    const one = await kernelBits(1);
    const two = await kernelBits(2);
    splitEverything(false);
    const three = await kernelBits(3);
    expect(backend().pool!.tasksByWorkers).toBeGreaterThan(0);
    for (const [name] of CALLS) {
      expect(two[name].jobs, `${name} split on 2 threads by default`).toBe(1);
      expect(three[name].jobs, name).toBe(1);
      expect(two[name].bits, name).toEqual(one[name].bits);
      expect(three[name].bits, name).toEqual(one[name].bits);
    }
  }, 120_000);

  it('a model with those activations: 2 Adam steps and predict bit-identical on 1, 2 and 3 threads (every call split)', async () => {
    async function run(threads: number) {
      await init({ threads, deterministic: true });
      lib.setSeed(8);
      const L = lib.layers;
      const model = lib.sequential({
        layers: [
          L.dense({ units: 72, activation: 'tanh', inputShape: [20] }),
          L.dense({ units: 70, activation: 'elu' }),
          L.dense({ units: 66, activation: 'softplus' }),
          L.dense({ units: 68, activation: 'sigmoid' }),
          L.dense({ units: 65, activation: 'softmax' }),
        ],
      });
      model.compile({ optimizer: lib.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
      // 601 samples: every activation over ≥ 39k elements.
      const x = lib.tensor(Float32Array.from({ length: 601 * 20 }, (_, i) => ((i * 29) % 89) / 89 - 0.5), [601, 20]);
      const y = lib.tensor(Int32Array.from({ length: 601 }, (_, i) => (i * 7) % 65), [601], 'int32');
      const losses: number[] = [];
      for (let s = 0; s < 2; s++) losses.push((await model.trainOnBatch(x, y)) as number);
      const p = model.predict(x, { batchSize: 601 }) as lib.Tensor;
      const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
      const res = { losses, predicted: bits(p.dataSync()), weights: model.getWeights().map((t) => bits(t.dataSync())) };
      for (const t of [x, y, p]) t.dispose();
      model.dispose();
      return res;
    }
    const one = await run(1);
    const two = await run(2);
    splitEverything(false);
    const three = await run(3);
    for (const other of [two, three]) {
      expect(other.losses).toEqual(one.losses);
      expect(other.predicted).toEqual(one.predicted);
      expect(other.weights).toEqual(one.weights);
    }
  }, 120_000);
});
