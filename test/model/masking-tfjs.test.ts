// Masking (embedding({ maskZero: true }) → recurrent layers) against TensorFlow.js (cpu backend):
// the same model built in both libraries from one builder, TF.js given simdnet's weights, then
// predict, 4 SGD trainOnBatch steps on padded id sequences (padding at the end, at the front, in
// the middle, and whole sequences of padding), and predict again: losses and every weight agree
// to 1e-5 relative. The mask travels through layers that carry it (dense, dropout at inference)
// and through bidirectional; layers where TF.js drops it (flatten, pooling) drop it here too.
// Then a gradient check through time with a mask, files both ways (mask_zero written, TF.js
// reads it), and the misuses.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
// TF.js's orthogonal initializer (the recurrent kernels' default) calls chained tensor methods.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
// That import loads tfjs-core's ES-module copy, whose Tensor class the shared engine then uses;
// its clone() (which TF.js's layers call when they pass a mask on) needs the op handler that only
// this module of that copy installs.
import '@tensorflow/tfjs-core/dist/base_side_effects.js';
import { comparePredict, expectFilesBothWays, expectParity, modelPair, snT, trainLockstep } from '../helpers/parity.ts';
import { type Batch, initTfjs, noDiff, randomLabels, Rng } from '../helpers/tfjs.ts';

const TOL = { rtol: 1e-5, atol: 1e-6 };

beforeAll(async () => {
  await sn.init({ deterministic: true });
  await initTfjs();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Lib = any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Model = any;

const VOCAB = 9;

/**
 * Padded id sequences [n, steps]: each sample a run of real ids (1 … VOCAB − 1) padded with 0 at
 * the end (even samples) or the front (odd ones); sample 2 has a 0 inside its run too, and
 * sample 3 is all padding.
 */
function padded(rng: Rng, n: number, steps: number, dtype: 'int32' | 'float32' = 'int32'): Batch {
  const v: number[] = [];
  for (let b = 0; b < n; b++) {
    const len = b === 3 ? 0 : 1 + rng.int(steps);
    const run = Array.from({ length: len }, () => 1 + rng.int(VOCAB - 1));
    if (b === 2 && len > 2) run[1] = 0;
    const pad = new Array<number>(steps - len).fill(0);
    v.push(...(b % 2 === 0 ? [...run, ...pad] : [...pad, ...run]));
  }
  return { values: dtype === 'int32' ? Int32Array.from(v) : Float32Array.from(v), shape: [n, steps], dtype };
}

interface Case {
  title: string;
  build(L: Lib): Model;
  steps: number;
  classes: number;
  dtype?: 'float32';
}

const emb = (L: Lib, dim: number) => L.layers.embedding({ inputDim: VOCAB, outputDim: dim, maskZero: true, name: 'emb' });

const CASES: Case[] = [
  {
    title: 'embedding(maskZero) → lstm(returnSequences) → gru → dense',
    build(L) {
      const x = L.input({ shape: [6], dtype: 'int32', name: 'ids' });
      const e = emb(L, 5).apply(x);
      const h = L.layers.lstm({ units: 6, returnSequences: true, name: 'lstm', biasInitializer: 'randomNormal' }).apply(e);
      const g = L.layers.gru({ units: 5, name: 'gru', biasInitializer: 'randomNormal' }).apply(h);
      const y = L.layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(g);
      return L.model({ inputs: x, outputs: y });
    },
    steps: 6,
    classes: 3,
  },
  {
    title: 'embedding(maskZero) → bidirectional(lstm) (concat) → dense',
    build(L) {
      const x = L.input({ shape: [5], dtype: 'int32', name: 'ids' });
      const e = emb(L, 4).apply(x);
      const h = L.layers.bidirectional({ layer: L.layers.lstm({ units: 4, name: 'lstm', biasInitializer: 'randomNormal' }), name: 'bi' }).apply(e);
      const y = L.layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(h);
      return L.model({ inputs: x, outputs: y });
    },
    steps: 5,
    classes: 3,
  },
  {
    title: 'embedding(maskZero) → bidirectional(gru, returnSequences, sum) → simpleRNN(goBackwards) → dense',
    build(L) {
      const x = L.input({ shape: [6], dtype: 'int32', name: 'ids' });
      const e = emb(L, 3).apply(x);
      const h = L.layers.bidirectional({ layer: L.layers.gru({ units: 4, returnSequences: true, name: 'gru', biasInitializer: 'randomNormal' }), mergeMode: 'sum', name: 'bi' }).apply(e);
      const r = L.layers.simpleRNN({ units: 5, goBackwards: true, name: 'rnn', biasInitializer: 'randomNormal' }).apply(h);
      const y = L.layers.dense({ units: 2, activation: 'softmax', name: 'out' }).apply(r);
      return L.model({ inputs: x, outputs: y });
    },
    steps: 6,
    classes: 2,
  },
  {
    title: 'sequential, float ids: embedding(maskZero) → dense(tanh) and dropout (carry the mask) → lstm(goBackwards) → dense',
    build(L) {
      return L.sequential({
        layers: [
          L.layers.embedding({ inputDim: VOCAB, outputDim: 4, maskZero: true, inputLength: 7, name: 'emb' }),
          L.layers.dense({ units: 5, activation: 'tanh', name: 'proj', biasInitializer: 'randomNormal' }),
          L.layers.dropout({ rate: 0, name: 'drop' }),
          L.layers.lstm({ units: 4, goBackwards: true, name: 'lstm', biasInitializer: 'randomNormal' }),
          L.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
        ],
      });
    },
    steps: 7,
    classes: 3,
    dtype: 'float32',
  },
  {
    title: 'embedding(maskZero) → globalAveragePooling1d (drops the mask, as TF.js) → dense',
    build(L) {
      const x = L.input({ shape: [5], dtype: 'int32', name: 'ids' });
      const p = L.layers.globalAveragePooling1d({ name: 'gap' }).apply(emb(L, 4).apply(x));
      const y = L.layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(p);
      return L.model({ inputs: x, outputs: y });
    },
    steps: 5,
    classes: 3,
  },
];

const makeModels = (c: Case, seed: number) => modelPair(c.build, seed);

describe('masked sequences train as in TF.js', () => {
  for (const c of CASES) {
    it(`${c.title}: predict, 4 SGD steps (losses) and every weight match TF.js`, async () => {
      const { snModel, tfModel } = makeModels(c, 23);
      const rng = new Rng(41);
      const n = 6;
      const pred = noDiff();
      try {
        expect(snModel.countParams()).toBe(tfModel.countParams());
        comparePredict(snModel, tfModel, padded(rng, n, c.steps, c.dtype), 'predict', TOL, pred);
        const r = await trainLockstep(snModel, tfModel, { learningRate: 0.5, steps: 4, tol: TOL, next: () => ({ x: padded(rng, n, c.steps, c.dtype), y: randomLabels(rng, n, c.classes) }) });
        comparePredict(snModel, tfModel, padded(rng, n, c.steps, c.dtype), 'predict after training', TOL, pred);
        expectParity(`[vs TF.js] ${c.title}`, pred, r);
      } finally {
        snModel.dispose();
        tfModel.dispose();
      }
    });
  }
});

describe('what a mask means', () => {
  it('padding is skipped: a sequence padded at the end predicts as the same ids unpadded, whatever row 0 of the table holds', () => {
    sn.setSeed(5);
    const build = (steps: number) => {
      const x = sn.input({ shape: [steps], dtype: 'int32' });
      const e = sn.layers.embedding({ inputDim: VOCAB, outputDim: 4, maskZero: true, name: `e${steps}` });
      const y = sn.layers.lstm({ units: 3, name: `l${steps}` }).apply(e.apply(x));
      return { m: sn.model({ inputs: x, outputs: y }), e };
    };
    const a = build(3);
    const b = build(6);
    b.m.setWeights(a.m.getWeights());
    const p3 = a.m.predict(sn.tensor([4, 2, 7], [1, 3], 'int32')) as sn.Tensor;
    const p6 = b.m.predict(sn.tensor([4, 2, 7, 0, 0, 0], [1, 6], 'int32')) as sn.Tensor;
    expect(Array.from(p6.dataSync())).toEqual(Array.from(p3.dataSync()));
    a.m.dispose();
    b.m.dispose();
  });

  it('with returnSequences, a masked step outputs the previous step output (zeros before the first real id)', () => {
    sn.setSeed(6);
    const x = sn.input({ shape: [5], dtype: 'int32' });
    const y = sn.layers.gru({ units: 3, returnSequences: true }).apply(sn.layers.embedding({ inputDim: VOCAB, outputDim: 2, maskZero: true }).apply(x));
    const m = sn.model({ inputs: x, outputs: y });
    const out = (m.predict(sn.tensor([0, 3, 0, 0, 5], [1, 5], 'int32')) as sn.Tensor).dataSync();
    const step = (t: number) => Array.from(out.slice(t * 3, t * 3 + 3));
    expect(step(0)).toEqual([0, 0, 0]);
    expect(step(2)).toEqual(step(1));
    expect(step(3)).toEqual(step(1));
    expect(step(4)).not.toEqual(step(3));
    m.dispose();
  });

  it('gradients through time with a mask match central differences (utils.checkGradients)', () => {
    sn.setSeed(7);
    const x = sn.input({ shape: [5], dtype: 'int32' });
    const e = sn.layers.embedding({ inputDim: VOCAB, outputDim: 3, maskZero: true, name: 'emb' }).apply(x);
    const h = sn.layers.lstm({ units: 4, returnSequences: true, recurrentActivation: 'sigmoid', name: 'lstm', biasInitializer: 'randomNormal' }).apply(e);
    const b = sn.layers.bidirectional({ layer: sn.layers.gru({ units: 3, recurrentActivation: 'sigmoid', name: 'gru' }), name: 'bi' }).apply(h);
    const y = sn.layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(b);
    const m = sn.model({ inputs: x, outputs: y });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const rng = new Rng(8);
    const ids = padded(rng, 5, 5);
    // A wider step than the default (the stencil is fourth order): the f32 loss's noise over it is smaller.
    const r = sn.utils.checkGradients(m, snT(ids), snT(randomLabels(rng, 5, 3)), { epsilon: 1e-2 });
    expect(Object.keys(r.perLayer)).toEqual(expect.arrayContaining(['emb', 'lstm', 'bi', 'out']));
    expect(r.checked).toBeGreaterThan(20);
    // f32 forward passes through every step: 2e-3 of the gradient's norm is the finite differences' noise floor.
    expect(r.maxError, JSON.stringify(r.perLayer)).toBeLessThan(2e-3);
    m.dispose();
  });
});

describe('model files with masks', () => {
  for (const c of CASES.slice(0, 2)) {
    it(`${c.title}: mask_zero written; TF.js loads it and predicts the same; TF.js's file loads back`, async () => {
      const { snModel, tfModel } = makeModels(c, 31);
      try {
        const x = padded(new Rng(5), 6, c.steps);
        await expectFilesBothWays(snModel, tfModel, x, TOL, ({ snFile, back, want }) => {
          const layers = (snFile.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
          expect(layers.find((l) => l.class_name === 'Embedding')!.config.mask_zero).toBe(true);
          expect(Array.from((back.predict(snT(x)) as sn.Tensor).dataSync())).toEqual(Array.from(want));
        });
      } finally {
        snModel.dispose();
        tfModel.dispose();
      }
    });
  }
});

describe('mask misuse', () => {
  it('a mask into a merge layer is refused by name; layers TF.js drops it at drop it, carriers keep it', () => {
    const x = sn.input({ shape: [4], dtype: 'int32' });
    const e = sn.layers.embedding({ inputDim: VOCAB, outputDim: 3, maskZero: true, name: 'emb' }).apply(x);
    const d = sn.layers.dense({ units: 3, name: 'd' }).apply(e);
    expect(() => sn.layers.add({ name: 'sum' }).apply([e, d])).toThrow('sum: an input carries a mask (from emb');
    const g = sn.input({ shape: [2, 3], dtype: 'int32' });
    const e2 = sn.layers.embedding({ inputDim: VOCAB, outputDim: 2, maskZero: true, name: 'emb2' }).apply(g);
    const r = sn.layers.reshape({ targetShape: [3, 4], name: 'rs' }).apply(e2);
    // reshape drops the mask (TF.js: no supportsMasking), so the LSTM gets none and builds.
    expect(r.mask).toBeNull();
    expect(() => sn.layers.lstm({ units: 2 }).apply(r)).not.toThrow();
    // Layers that carry it (dense, timeDistributed) keep it; a recurrent layer without returnSequences ends it.
    const td = sn.layers.timeDistributed({ layer: sn.layers.dense({ units: 2 }) }).apply(d);
    expect(td.mask).toBe(e.mask);
    expect(sn.layers.gru({ units: 2, returnSequences: true }).apply(td).mask).toBe(e.mask);
    expect(sn.layers.gru({ units: 2 }).apply(td).mask).toBeNull();
  });
});
