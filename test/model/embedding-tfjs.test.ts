// Embedding, RepeatVector and Permute against TensorFlow.js (cpu backend): the same model built in
// both libraries, TF.js given simdnet's initial weights by layer name, then the same seeded batches
// through predict and 4 SGD trainOnBatch steps. Predictions, losses and every weight agree to 1e-5
// relative (+1e-6 absolute). Then invalid token ids (errors before anything trains) and model
// files both ways: simdnet saves → TF.js loads and predicts the same; TF.js saves → simdnet loads.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { comparePredict, expectFilesBothWays, expectParity, modelPair, snT, trainLockstep } from '../helpers/parity.ts';
import { type Batch, initTfjs, noDiff, randomBatch, randomLabels, Rng } from '../helpers/tfjs.ts';

const TOL = { rtol: 1e-5, atol: 1e-6 };

beforeAll(async () => {
  await sn.init({ deterministic: true });
  await initTfjs();
});

// One builder makes both models: `sn` and `tfl` share the factory names (loosely typed on purpose).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Lib = any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Model = any;

interface Case {
  title: string;
  build(L: Lib): Model;
  /** One batch of inputs (token ids or floats). */
  x(rng: Rng, n: number): Batch;
  classes: number;
  batch?: number;
}

/** Token ids in [0, vocab), as int32 or as float32 values (a Sequential's float input). */
function ids(rng: Rng, shape: number[], vocab: number, dtype: 'int32' | 'float32' = 'int32'): Batch {
  const size = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: size }, () => rng.int(vocab));
  return { values: dtype === 'int32' ? Int32Array.from(v) : Float32Array.from(v), shape, dtype };
}

const VOCAB = 11;

const CASES: Case[] = [
  {
    title: 'int32 input → embedding → flatten → dense(softmax)',
    build(L) {
      const x = L.input({ shape: [6], dtype: 'int32', name: 'tokens' });
      const e = L.layers.embedding({ inputDim: VOCAB, outputDim: 5, name: 'emb' }).apply(x);
      const f = L.layers.flatten({ name: 'flat' }).apply(e);
      const y = L.layers.dense({ units: 4, activation: 'softmax', name: 'out', biasInitializer: 'randomNormal' }).apply(f);
      return L.model({ inputs: x, outputs: y });
    },
    x: (r, n) => ids(r, [n, 6], VOCAB),
    classes: 4,
  },
  {
    title: 'sequential: embedding(inputLength) → globalAveragePooling1d → dense(softmax), float ids',
    build(L) {
      return L.sequential({
        layers: [
          L.layers.embedding({ inputDim: VOCAB, outputDim: 6, inputLength: 7, name: 'emb', embeddingsInitializer: 'randomNormal' }),
          L.layers.globalAveragePooling1d({ name: 'gap' }),
          L.layers.dense({ units: 3, activation: 'softmax', name: 'out', biasInitializer: 'randomNormal' }),
        ],
      });
    },
    x: (r, n) => ids(r, [n, 7], VOCAB, 'float32'),
    classes: 3,
    batch: 6,
  },
  {
    title: 'int32 ids of rank 2 → embedding (l2 regularizer) → flatten → dense(softmax)',
    build(L) {
      const x = L.input({ shape: [2, 3], dtype: 'int32', name: 'grid' });
      const e = L.layers.embedding({ inputDim: 4, outputDim: 3, name: 'emb', embeddingsRegularizer: L.regularizers.l2({ l2: 0.01 }) }).apply(x);
      const y = L.layers.dense({ units: 2, activation: 'softmax', name: 'out' }).apply(L.layers.flatten({ name: 'flat' }).apply(e));
      return L.model({ inputs: x, outputs: y });
    },
    x: (r, n) => ids(r, [n, 2, 3], 4),
    classes: 2,
  },
  {
    title: 'dense → repeatVector → permute([2, 1]) → dense (per row) → flatten → dense(softmax)',
    build(L) {
      const x = L.input({ shape: [5], name: 'x' });
      const h = L.layers.dense({ units: 4, activation: 'tanh', name: 'd1', biasInitializer: 'randomNormal' }).apply(x);
      const r = L.layers.repeatVector({ n: 3, name: 'rep' }).apply(h);
      const p = L.layers.permute({ dims: [2, 1], name: 'perm' }).apply(r);
      const d = L.layers.dense({ units: 2, activation: 'tanh', name: 'd2', biasInitializer: 'randomNormal' }).apply(p);
      const y = L.layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(L.layers.flatten({ name: 'flat' }).apply(d));
      return L.model({ inputs: x, outputs: y });
    },
    x: (r, n) => randomBatch(r, [n, 5]),
    classes: 3,
  },
  {
    title: 'conv-like [2, 3, 4] input → permute([3, 1, 2]) → dense (per row) → permute([2, 3, 1]) → flatten → dense(softmax)',
    build(L) {
      const x = L.input({ shape: [2, 3, 4], name: 'x' });
      const p = L.layers.permute({ dims: [3, 1, 2], name: 'p1' }).apply(x);
      const d = L.layers.dense({ units: 5, activation: 'tanh', name: 'd1', biasInitializer: 'randomNormal' }).apply(p);
      const q = L.layers.permute({ dims: [2, 3, 1], name: 'p2' }).apply(d);
      const y = L.layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(L.layers.flatten({ name: 'flat' }).apply(q));
      return L.model({ inputs: x, outputs: y });
    },
    x: (r, n) => randomBatch(r, [n, 2, 3, 4]),
    classes: 3,
  },
];

const makeModels = (c: Case, seed: number) => modelPair(c.build, seed);

describe('embedding, repeatVector and permute train as in TF.js', () => {
  for (const c of CASES) {
    it(`${c.title}: predict, 4 SGD steps (losses) and every weight match TF.js`, async () => {
      const { snModel, tfModel } = makeModels(c, 17);
      const rng = new Rng(99);
      const n = c.batch ?? 5;
      const pred = noDiff();
      try {
        expect(snModel.countParams()).toBe(tfModel.countParams());
        comparePredict(snModel, tfModel, c.x(rng, n), 'predict', TOL, pred);
        const r = await trainLockstep(snModel, tfModel, { learningRate: 0.5, steps: 4, tol: TOL, next: () => ({ x: c.x(rng, n), y: randomLabels(rng, n, c.classes) }) });
        comparePredict(snModel, tfModel, c.x(rng, n), 'predict after training', TOL, pred);
        expectParity(`[vs TF.js] ${c.title}`, pred, r);
      } finally {
        snModel.dispose();
        tfModel.dispose();
      }
    });
  }
});

describe('invalid token ids', () => {
  it('an id outside [0, inputDim) or a fractional float id fails with the id and its position; nothing trains', async () => {
    sn.setSeed(3);
    const m = CASES[0].build(sn);
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const before = m.getWeights().map((w: sn.Tensor) => Array.from(w.dataSync()));
    const good = Array.from({ length: 12 }, (_, i) => i % VOCAB);
    const y = sn.tensor([0, 1], [2], 'int32');
    const bad = [...good];
    bad[9] = VOCAB;
    expect(() => m.predict(sn.tensor(bad, [2, 6], 'int32'))).toThrow(`emb: token id ${VOCAB} (sample 1, position [3]) is outside [0, ${VOCAB})`);
    bad[9] = -1;
    await expect(m.trainOnBatch(sn.tensor(bad, [2, 6], 'int32'), y)).rejects.toThrow('emb: token id -1 (sample 1, position [3]) is outside [0, 11)');
    await expect(m.fit(sn.tensor(bad, [2, 6], 'int32'), y, { epochs: 1, verbose: 0 })).rejects.toThrow('token id -1');
    m.getWeights().forEach((w: sn.Tensor, i: number) => expect(Array.from(w.dataSync())).toEqual(before[i]));
    // The model still trains on valid ids afterwards.
    const loss = (await m.trainOnBatch(sn.tensor(good, [2, 6], 'int32'), y)) as number;
    expect(Number.isFinite(loss)).toBe(true);
    m.dispose();

    // Ids in a float32 input: a fraction is refused (TF.js would truncate it), and so is NaN.
    const fin = sn.input({ shape: [7] });
    const s = sn.model({ inputs: fin, outputs: sn.layers.embedding({ inputDim: VOCAB, outputDim: 2, name: 'emb' }).apply(fin) });
    const fx = Array.from({ length: 7 }, (_, i) => i);
    fx[2] = 1.5;
    expect(() => s.predict(sn.tensor(fx, [1, 7]))).toThrow('emb: token id 1.5 (sample 0, position [2]) is not an integer in [0, 11)');
    fx[2] = NaN;
    expect(() => s.predict(sn.tensor(fx, [1, 7]))).toThrow('emb: token id NaN (sample 0, position [2])');
    s.dispose();
  });

  it('options are checked: sizes, inputLength against the input, a non-boolean maskZero, constraints refused by name', () => {
    expect(() => sn.layers.embedding({ inputDim: 0, outputDim: 3 })).toThrow('inputDim');
    expect(() => sn.layers.embedding({ inputDim: 3, outputDim: 2.5 })).toThrow('outputDim');
    expect(() => sn.layers.embedding({ inputDim: 3, outputDim: 2, maskZero: 1 as never })).toThrow('maskZero');
    expect(() => sn.layers.embedding({ inputDim: 3, outputDim: 2, embeddingsConstraint: 'maxNorm' as never })).toThrow('embeddingsConstraint is not supported');
    expect(() => sn.layers.embedding({ inputDim: 3, outputDim: 2, inputLenght: 4 } as never)).toThrow('inputLenght');
    const x = sn.input({ shape: [5], dtype: 'int32' });
    expect(() => sn.layers.embedding({ inputDim: 3, outputDim: 2, inputLength: 4 }).apply(x)).toThrow();
    expect(() => sn.layers.repeatVector({ n: 0 })).toThrow('n');
    expect(() => sn.layers.repeatVector({ n: 2 }).apply(sn.input({ shape: [2, 3] }))).toThrow('[batch, features]');
    expect(() => sn.layers.permute({ dims: [1, 1] })).toThrow('permutation');
    expect(() => sn.layers.permute({ dims: [0, 1] })).toThrow('permutation');
    expect(() => sn.layers.permute({ dims: [2, 1] }).apply(sn.input({ shape: [2, 3, 4] }))).toThrow('has 2 axes');
  });
});

// ------------------------------------------------------------------------------ files both ways

describe('model files with embedding, repeatVector and permute', () => {
  for (const c of CASES) {
    it(`${c.title}: simdnet saves → TF.js loads; TF.js saves → simdnet loads; same predictions`, async () => {
      const { snModel, tfModel } = makeModels(c, 29);
      try {
        const x = c.x(new Rng(5), 4);
        await expectFilesBothWays(snModel, tfModel, x, TOL, ({ back, want }) => {
          // simdnet's own file: the same configs and the same predictions, bit for bit.
          expect(back.layers.map((l: { getConfig(): unknown }) => l.getConfig())).toEqual(snModel.layers.map((l: { getConfig(): unknown }) => l.getConfig()));
          expect(Array.from((back.predict(snT(x)) as sn.Tensor).dataSync())).toEqual(Array.from(want));
        });
      } finally {
        snModel.dispose();
        tfModel.dispose();
      }
    });
  }
});
