// Lifecycle and ownership: shared layers with dispose and re-plan in the mix, dispose/compile/fit
// during fit, and a failed allocation at every allocation point of build, compile, plan and
// re-plan. Nothing may corrupt another model, leak arena memory or leave a model unusable.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { arena, layers, optimizers, referenceModel, rejects, sn, stillTrains, tensor, x4, y3 } from './helpers.ts';

let bystander: sn.Sequential;
let bystanderWeights: Float32Array;
beforeAll(async () => {
  await sn.init();
  bystander = referenceModel();
  bystanderWeights = bystander.snapshotParams();
});
// Whatever a test does, a model it never touched keeps its weights.
afterEach(() => {
  expect(bystander.snapshotParams()).toEqual(bystanderWeights);
});

const data = (n: number, d: number, seed: number) => tensor(Float32Array.from({ length: n * d }, (_, i) => Math.sin(i * 0.37 + seed)), [n, d]);
const labels = (n: number, k: number) => tensor(Int32Array.from({ length: n }, (_, i) => (i * 7) % k), [n], 'int32');
const mlp = () => sn.sequential({ layers: [layers.dense({ units: 6, activation: 'relu', inputShape: [4] }), layers.dense({ units: 3, activation: 'softmax' })] });

describe('a layer shared by two models', () => {
  it('shares weights, survives the other model being disposed and re-planned, and frees with its last model', async () => {
    const top = arena().top;
    const shared = layers.dense({ units: 6, activation: 'tanh', inputShape: [4], name: 'shared_h' });
    const m1 = sn.sequential({ layers: [shared, layers.dense({ units: 3, activation: 'softmax' })] });
    const inp = sn.input({ shape: [4] });
    const m2 = sn.model({ inputs: inp, outputs: layers.dense({ units: 2 }).apply(shared.apply(inp)) });
    m1.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    m2.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'mse' });
    const x = data(10, 4, 1);
    m1.trainOnBatch(x, labels(10, 3));
    const w = shared.getWeights()[0].dataSync();
    m2.trainOnBatch(x, data(10, 2, 2));
    // m2's step moved the shared kernel, and m1 sees it.
    expect(shared.getWeights()[0].dataSync()).not.toEqual(w);
    expect(m1.getWeights()[0].dataSync()).toEqual(shared.getWeights()[0].dataSync());
    // Re-plan both (a larger batch, then a smaller one, then another kind) between steps.
    m1.predict(data(50, 4, 3), { batchSize: 50 });
    sn.utils.gradients(m2, data(7, 4, 4));
    m2.trainOnBatch(data(20, 4, 5), data(20, 2, 6));
    m1.trainOnBatch(x, labels(10, 3));
    const head1 = m1.layers[1].getWeights()[0].dataSync();
    m1.dispose();
    // m2 still owns the shared layer and trains it; m1's own head is gone with m1.
    await stillTrains(m2, x, data(10, 2, 2));
    expect(() => m1.layers[1].getWeights()).toThrow(/disposed/);
    expect(head1.length).toBe(18);
    m2.dispose();
    expect(() => shared.getWeights()).toThrow(/shared_h: the layer was disposed/);
    expect(arena().top).toBe(top);
  });

  it('a layer used twice in one model and in a second model trains with both models alternating', async () => {
    const top = arena().top;
    const a = sn.input({ shape: [3] });
    const b = sn.input({ shape: [3] });
    const twice = layers.dense({ units: 3, activation: 'tanh' });
    const m1 = sn.model({ inputs: [a, b], outputs: layers.add().apply([twice.apply(a), twice.apply(b)]) });
    const c = sn.input({ shape: [3] });
    const m2 = sn.model({ inputs: c, outputs: twice.apply(c) });
    m1.compile({ optimizer: 'adam', loss: 'mse' });
    m2.compile({ optimizer: 'rmsprop', loss: 'mse' });
    for (let i = 0; i < 5; i++) {
      m1.trainOnBatch([data(8, 3, i), data(8, 3, i + 1)], data(8, 3, i + 2));
      m2.trainOnBatch(data(8, 3, i), data(8, 3, i + 3));
    }
    expect(twice.getWeights().every((t) => t.values.every(Number.isFinite))).toBe(true);
    m2.dispose();
    await stillTrains(m1, [data(8, 3, 1), data(8, 3, 2)] as never, data(8, 3, 3));
    m1.dispose();
    expect(arena().top).toBe(top);
  });
});

describe('fit against itself', () => {
  it('dispose() from a callback ends fit with a clear error and gives the memory back', async () => {
    const top = arena().top;
    const m = mlp();
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await rejects(
      () => m.fit(data(64, 4, 1), labels(64, 3), { epochs: 3, batchSize: 8, verbose: 0, callbacks: { onBatchEnd: (b) => void (b === 2 && m.dispose()) } }),
      /^fit: sequential\w* was disposed during training$/,
    );
    expect(arena().top).toBe(top);
  });

  it('dispose() from a timer while fit yields ends it with the same error', async () => {
    const top = arena().top;
    const m = mlp();
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const run = m.fit(data(256, 4, 1), labels(256, 3), { epochs: 50, batchSize: 4, verbose: 0, yieldEvery: 0 });
    setTimeout(() => m.dispose(), 5);
    await rejects(() => run, /was disposed during training/);
    expect(m.isDisposed).toBe(true);
    expect(arena().top).toBe(top);
  });

  it('a second concurrent fit, compile and trainOnBatch are refused; the first fit finishes normally', async () => {
    const m = mlp();
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const refused: Error[] = [];
    const h = await m.fit(data(64, 4, 1), labels(64, 3), {
      epochs: 2,
      batchSize: 8,
      verbose: 0,
      callbacks: {
        async onBatchEnd(b) {
          if (b !== 1 || refused.length) return;
          await m.fit(data(8, 4, 1), labels(8, 3), { verbose: 0 }).catch((e) => refused.push(e));
          for (const f of [() => m.compile({ optimizer: 'sgd', loss: 'mse' }), () => m.trainOnBatch(x4, y3)]) {
            try {
              await f();
            } catch (e) {
              refused.push(e as Error);
            }
          }
        },
      },
    });
    expect(refused.map((e) => e.message)).toEqual([
      expect.stringMatching(/^fit: sequential\w* is already training; wait for the running fit to end$/),
      expect.stringMatching(/^compile: sequential\w* is training \(fit is running\); compile after it ends$/),
      expect.stringMatching(/^trainOnBatch: sequential\w* is training \(fit is running\)$/),
    ]);
    expect(h.epoch).toEqual([0, 1]);
    expect(h.history.loss.every(Number.isFinite)).toBe(true);
    expect(m.isTraining).toBe(false);
    await stillTrains(m, data(8, 4, 2), labels(8, 3));
    m.dispose();
  });
});

/** Make the k-th arena allocation from now fail (k = 1 is the next one); returns the undo. */
function failAllocation(k: number): { undo: () => void; count: () => number } {
  const a = arena();
  const orig = a.alloc;
  let n = 0;
  a.alloc = function (bytes: number) {
    if (++n === k) throw new RangeError(`arena: injected failure of allocation ${k}`);
    return orig.call(this, bytes);
  };
  return { undo: () => void (a.alloc = orig), count: () => n };
}

/** How many arena allocations `f` makes. */
function allocations(f: () => void): number {
  const probe = failAllocation(0);
  try {
    f();
  } finally {
    probe.undo();
  }
  return probe.count();
}

describe('a failed allocation at each allocation point leaks nothing and leaves the model usable', () => {
  type Stage = { name: string; setup: (m: sn.LayersModel) => void; op: (m: sn.LayersModel) => unknown };
  const stages: Stage[] = [
    {
      name: 'first compile (weights, gradients, optimizer slots)',
      setup: () => {},
      op: (m) => m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' }),
    },
    {
      name: 'a second compile (new optimizer slots)',
      setup: (m) => m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' }),
      op: (m) => m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' }),
    },
    { name: 'the first training step (the plan)', setup: (m) => m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' }), op: (m) => m.trainOnBatch(data(8, 4, 1), labels(8, 3)) },
    {
      name: 'a re-plan for a larger batch',
      setup: (m) => {
        m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
        m.trainOnBatch(data(8, 4, 1), labels(8, 3));
      },
      op: (m) => void m.predict(data(40, 4, 2), { batchSize: 40 }),
    },
    {
      name: 'an input-gradients plan',
      setup: (m) => m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' }),
      op: (m) => void sn.utils.gradients(m, data(5, 4, 3)),
    },
  ];

  const run = async ({ setup, op }: Stage) => {
    const n = allocations(() => {
      const m = mlp();
      setup(m);
      // Synchronous up to its result: trainOnBatch's step runs before its promise is returned.
      void op(m);
      m.dispose();
    });
    expect(n).toBeGreaterThan(0);
    for (let k = 1; k <= n; k++) {
      const top = arena().top;
      const free = arena().freeBytes;
      const m = mlp();
      setup(m);
      const before = m.layers.some((l) => l.params.length && l.weightPtr) ? m.snapshotParams() : null;
      const fault = failAllocation(k);
      let err: unknown = null;
      try {
        await op(m);
      } catch (e) {
        err = e;
      } finally {
        fault.undo();
      }
      if (fault.count() >= k) {
        // The injected failure surfaced as itself (a clear arena error), not as something else.
        expect((err as Error)?.message, `allocation ${k} of ${n}`).toBe(`arena: injected failure of allocation ${k}`);
        if (before) expect(m.snapshotParams()).toEqual(before);
      }
      // The model is still usable: the same operation succeeds now, then it trains.
      await op(m);
      m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      await stillTrains(m, data(8, 4, 1), labels(8, 3));
      m.dispose();
      expect(arena().top, `arena top after allocation ${k} of ${n} failed`).toBe(top);
      expect(arena().freeBytes).toBe(free);
    }
  };
  for (const stage of stages) it(stage.name, () => run(stage));

  it('a custom initializer that throws while weights are made leaks nothing', () => {
    const top = arena().top;
    const bad = { className: 'Bad', fill: (o: Float32Array) => void o.fill(Infinity), getConfig: () => ({}) };
    const m = sn.sequential({ layers: [layers.dense({ units: 4, inputShape: [3] }), layers.dense({ units: 2, kernelInitializer: bad })] });
    expect(() => m.compile({ optimizer: 'adam', loss: 'mse' })).toThrow(/kernelInitializer: initializer Bad produced Infinity at index 0/);
    m.dispose();
    expect(arena().top).toBe(top);
  });
});
