// SimpleRNN, LSTM and GRU against TensorFlow.js (cpu backend): the same Sequential model built by
// one builder in both libraries, TF.js given simdnet's weights (every weight randomized, biases
// included), then predict, 4 SGD trainOnBatch steps on the same seeded batches, and predict again:
// losses and every weight agree to 1e-5 relative (+1e-6 absolute). Then files both ways: simdnet
// saves → TF.js loads and predicts the same; TF.js saves → simdnet loads and predicts the same.
// Gradient checks through time, and the options simdnet refuses. Keras's default GRU
// (resetAfter: true), which TF.js refuses, is checked against a float64 reference of the whole
// model (test/reference/recurrent.ts), trained and loaded from a Keras-converter-style file.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import type { Layer as SnLayer } from '../../src/layers/layer.ts';
// TF.js's orthogonal initializer (the recurrent kernels' default) calls chained tensor methods,
// which the full TF.js bundle registers and tfjs-core alone does not.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
import * as ref from '../reference/recurrent.ts';
import { type Closeness, closeness, compareWeights, copyWeightsToTf, initTfjs, noDiff, randomBatch, randomLabels, Rng, tf, tfl } from '../helpers/tfjs.ts';
import { expectFilesBothWays, snArtifacts } from '../helpers/parity.ts';

const TOL = { rtol: 1e-5, atol: 1e-6 };

beforeAll(async () => {
  await sn.init({ deterministic: true });
  await initTfjs();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Lib = any;

interface Case {
  title: string;
  build(L: Lib): unknown[];
  inputShape: number[];
  classes: number;
  batch: number;
}

const layersOf = (lib: 'sn' | 'tf') => (lib === 'sn' ? sn.layers : tfl.layers);

const CASES: Case[] = [
  {
    title: 'simpleRNN(goBackwards) → dense',
    build: (L) => [L.simpleRNN({ units: 6, goBackwards: true, inputShape: [5, 4], name: 'rnn' }), L.dense({ units: 3, activation: 'softmax', name: 'out' })],
    inputShape: [5, 4],
    classes: 3,
    batch: 8,
  },
  {
    title: 'simpleRNN(returnSequences, goBackwards) → simpleRNN(relu) → dense',
    build: (L) => [
      L.simpleRNN({ units: 5, returnSequences: true, goBackwards: true, inputShape: [6, 3], name: 'rnn1' }),
      L.simpleRNN({ units: 4, activation: 'relu', name: 'rnn2' }),
      L.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
    inputShape: [6, 3],
    classes: 3,
    batch: 7,
  },
  {
    title: 'lstm(returnSequences) → lstm → dense (TF.js defaults: tanh, hardSigmoid)',
    build: (L) => [
      L.lstm({ units: 7, returnSequences: true, inputShape: [6, 5], name: 'lstm1' }),
      L.lstm({ units: 5, name: 'lstm2' }),
      L.dense({ units: 4, activation: 'softmax', name: 'out' }),
    ],
    inputShape: [6, 5],
    classes: 4,
    batch: 9,
  },
  {
    title: 'lstm(sigmoid gates, goBackwards, returnSequences) → flatten → dense',
    build: (L) => [
      L.lstm({ units: 6, recurrentActivation: 'sigmoid', goBackwards: true, returnSequences: true, unitForgetBias: true, inputShape: [4, 3], name: 'lstm' }),
      L.flatten({ name: 'flat' }),
      L.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
    inputShape: [4, 3],
    classes: 3,
    batch: 6,
  },
  {
    title: 'gru → dense',
    build: (L) => [L.gru({ units: 6, inputShape: [5, 4], name: 'gru' }), L.dense({ units: 3, activation: 'softmax', name: 'out' })],
    inputShape: [5, 4],
    classes: 3,
    batch: 8,
  },
  {
    title: 'gru(sigmoid gates, returnSequences, goBackwards) → gru → dense',
    build: (L) => [
      L.gru({ units: 5, recurrentActivation: 'sigmoid', returnSequences: true, goBackwards: true, inputShape: [7, 3], name: 'gru1' }),
      L.gru({ units: 9, name: 'gru2' }),
      L.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
    inputShape: [7, 3],
    classes: 3,
    batch: 5,
  },
];

const values = (seed: number, n: number, lo: number, hi: number) => {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => r.uniform(lo, hi));
};

/** Every weight seeded in [−0.5, 0.5) (biases too, so the test sees them move the gates). */
function randomize(m: sn.LayersModel, seed: number): void {
  for (const layer of m.layers) {
    const ws = layer.getWeights();
    if (ws.length === 0) continue;
    layer.setWeights(ws.map((w, i) => sn.tensor(values(seed + 31 * i + layer.name.length, w.size, -0.5, 0.5), [...w.shape])));
  }
}

function makeModels(c: Case, seed: number) {
  sn.setSeed(seed);
  const snModel = sn.sequential({ layers: c.build(layersOf('sn')) as SnLayer[] });
  randomize(snModel, seed);
  const tfModel = tfl.sequential({ layers: c.build(layersOf('tf')) as tfl.layers.Layer[] });
  copyWeightsToTf(snModel, tfModel);
  return { snModel, tfModel };
}

const batch = (c: Case, rng: Rng) => ({ x: randomBatch(rng, [c.batch, ...c.inputShape]), y: randomLabels(rng, c.batch, c.classes) });
const snX = (b: { values: Float32Array | Int32Array; shape: number[] }) => sn.tensor(b.values as Float32Array, b.shape);
const tfX = (b: { values: Float32Array | Int32Array; shape: number[] }) => tf.tensor(b.values, b.shape, 'float32');
const tfY = (b: { values: Float32Array | Int32Array; shape: number[] }) => tf.tensor(Float32Array.from(b.values), [b.shape[0], 1]);
const snY = (b: { values: Float32Array | Int32Array; shape: number[] }) => sn.tensor(b.values as Int32Array, b.shape, 'int32');
const num = (v: unknown) => (typeof v === 'number' ? v : (v as { dataSync(): ArrayLike<number> }).dataSync()[0]);
const fmt = (x: Closeness) => `max|Δ| ${x.maxAbs.toExponential(2)} maxRel ${x.maxRel.toExponential(2)}`;

describe('recurrent layers agree with TF.js (cpu): predict, 4 SGD steps, every weight', () => {
  for (const c of CASES) {
    it(c.title, async () => {
      const { snModel, tfModel } = makeModels(c, 11);
      const rng = new Rng(4242);
      const pred = noDiff();
      const losses = noDiff();
      const weights = noDiff();
      const trail: string[] = [];
      try {
        expect(snModel.countParams()).toBe(tfModel.countParams());
        const probe = batch(c, rng);
        closeness((snModel.predict(snX(probe.x)) as sn.Tensor).dataSync(), (tfModel.predict(tfX(probe.x)) as tf.Tensor).dataSync(), 'predict before', TOL, pred);
        snModel.compile({ optimizer: sn.optimizers.sgd({ learningRate: 0.5 }), loss: 'sparseCategoricalCrossentropy' });
        tfModel.compile({ optimizer: tf.train.sgd(0.5), loss: 'sparseCategoricalCrossentropy' });
        for (let s = 1; s <= 4; s++) {
          const b = batch(c, rng);
          const a = num(await snModel.trainOnBatch(snX(b.x), snY(b.y)));
          const t = num(await tfModel.trainOnBatch(tfX(b.x), tfY(b.y)));
          trail.push(`step ${s}: ${a} vs ${t}`);
          closeness([a], [t], `step ${s} loss`, TOL, losses);
          compareWeights(snModel, tfModel, TOL, weights);
        }
        const after = batch(c, rng);
        closeness((snModel.predict(snX(after.x)) as sn.Tensor).dataSync(), (tfModel.predict(tfX(after.x)) as tf.Tensor).dataSync(), 'predict after', TOL, pred);
        console.log(`[recurrent vs TF.js] ${c.title}: predict ${fmt(pred)}; losses ${fmt(losses)}; weights ${fmt(weights)}`);
        expect(pred.ratio, pred.where).toBeLessThanOrEqual(1);
        expect(losses.ratio, `${losses.where}\n${trail.join('\n')}`).toBeLessThanOrEqual(1);
        expect(weights.ratio, weights.where).toBeLessThanOrEqual(1);
        // Training moved the recurrent kernel (so the comparison above covers its gradient).
        const rec = snModel.layers[0].getWeights()[1].dataSync();
        const start = values(11 + 31 + snModel.layers[0].name.length, rec.length, -0.5, 0.5);
        expect(Array.from(rec).some((v, i) => Math.abs(v - start[i]) > 1e-4)).toBe(true);
      } finally {
        snModel.dispose();
        tfModel.dispose();
      }
    });
  }
});

// ------------------------------------------------------------------------------ files both ways

describe('recurrent layers in model files', () => {
  for (const c of CASES) {
    it(`${c.title}: simdnet saves → TF.js loads, TF.js saves → simdnet loads; both predict the same`, async () => {
      const { snModel, tfModel } = makeModels(c, 23);
      try {
        const x = batch(c, new Rng(5)).x;
        const first = snModel.layers[0].name;
        await expectFilesBothWays(snModel, tfModel, x, TOL, ({ snFile, back, want }) => {
          expect((snFile.weightSpecs ?? []).map((s) => s.name)).toEqual(expect.arrayContaining([`${first}/kernel`, `${first}/recurrent_kernel`, `${first}/bias`]));
          // simdnet's own file round-trips to the same config and predictions.
          expect(back.layers[0].getConfig()).toEqual(snModel.layers[0].getConfig());
          expect(Array.from((back.predict(snX(x)) as sn.Tensor).dataSync())).toEqual(Array.from(want));
        });
      } finally {
        snModel.dispose();
        tfModel.dispose();
      }
    });
  }
});

// ------------------------------------------------------------------------------ gradients

describe('gradient checks through time (utils.checkGradients)', () => {
  const smooth: Case[] = [
    { ...CASES[0], title: 'simpleRNN(goBackwards, returnSequences) → flatten → dense', build: (L) => [L.simpleRNN({ units: 4, goBackwards: true, returnSequences: true, inputShape: [5, 3], name: 'rnn' }), L.flatten({ name: 'f' }), L.dense({ units: 3, activation: 'softmax', name: 'out' })], inputShape: [5, 3] },
    { ...CASES[2], title: 'lstm(sigmoid gates, returnSequences) → lstm → dense', build: (L) => [L.lstm({ units: 4, recurrentActivation: 'sigmoid', returnSequences: true, inputShape: [5, 3], name: 'l1' }), L.lstm({ units: 3, recurrentActivation: 'sigmoid', name: 'l2' }), L.dense({ units: 4, activation: 'softmax', name: 'out' })], inputShape: [5, 3] },
    { ...CASES[4], title: 'gru(sigmoid gates, goBackwards) → dense', build: (L) => [L.gru({ units: 5, recurrentActivation: 'sigmoid', goBackwards: true, inputShape: [5, 4], name: 'g' }), L.dense({ units: 3, activation: 'softmax', name: 'out' })] },
    { ...CASES[4], title: 'gru(resetAfter, sigmoid gates, returnSequences) → gru(resetAfter) → dense', build: (L) => [L.gru({ units: 4, resetAfter: true, recurrentActivation: 'sigmoid', returnSequences: true, inputShape: [5, 4], name: 'g1' }), L.gru({ units: 5, resetAfter: true, recurrentActivation: 'sigmoid', name: 'g2' }), L.dense({ units: 3, activation: 'softmax', name: 'out' })] },
  ];
  for (const c of smooth) {
    it(c.title, () => {
      sn.setSeed(3);
      const m = sn.sequential({ layers: c.build(layersOf('sn')) as SnLayer[] });
      randomize(m, 3);
      m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
      const b = batch(c, new Rng(9));
      const r = sn.utils.checkGradients(m, snX(b.x), snY(b.y));
      expect(r.checked).toBeGreaterThan(20);
      // The finite differences run through an f32 forward over every step: 2e-3 of the gradient's
      // norm is their noise floor here (the kernels themselves are checked against a float64
      // reference to 1e-4, and the layers against TF.js to 1e-5).
      expect(r.maxError, JSON.stringify(r.perLayer)).toBeLessThan(2e-3);
      m.dispose();
    });
  }
});

// ------------------------------------------------------------------------------ options

describe('recurrent options', () => {
  it('TF.js defaults: glorotNormal kernel, orthogonal recurrent kernel, zero bias (forget bias 1 with unitForgetBias), weight shapes', () => {
    sn.setSeed(1);
    const l = sn.layers.lstm({ units: 3, unitForgetBias: true, inputShape: [4, 2] });
    const m = sn.sequential({ layers: [l] });
    const [k, u, b] = l.getWeights();
    expect(k.shape).toEqual([2, 12]);
    expect(u.shape).toEqual([3, 12]);
    expect(Array.from(b.dataSync())).toEqual([0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    // Orthogonal: U·Uᵀ = I for a [3, 12] matrix (orthonormal rows).
    const U = u.dataSync();
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let q = 0; q < 12; q++) s += U[i * 12 + q] * U[j * 12 + q];
        expect(s).toBeCloseTo(i === j ? 1 : 0, 5);
      }
    const cfg = l.getConfig();
    expect(cfg).toMatchObject({ units: 3, activation: 'tanh', recurrentActivation: 'hardSigmoid', unitForgetBias: true, returnSequences: false, goBackwards: false });
    expect(sn.layers.gru({ units: 2, inputShape: [3, 2] }).getConfig()).toMatchObject({ resetAfter: false, recurrentActivation: 'hardSigmoid' });
    // Keras's reset_after GRU: bias [2, 3u] (input bias row, recurrent bias row).
    const g = sn.layers.gru({ units: 3, resetAfter: true, inputShape: [4, 2] });
    const gm = sn.sequential({ layers: [g] });
    expect(g.getWeights().map((t) => t.shape)).toEqual([[2, 9], [3, 9], [2, 9]]);
    expect(g.getConfig()).toMatchObject({ resetAfter: true });
    expect(() => sn.layers.gru({ units: 3, resetAfter: 1 } as never)).toThrow(/resetAfter/);
    gm.dispose();
    m.dispose();
  });
  it('refuses what it does not compute, naming the layer, option and value', () => {
    expect(() => sn.sequential({ layers: [sn.layers.lstm({ units: 3, returnState: true, inputShape: [4, 2], name: 'l' })] })).toThrow(/l has several outputs/);
    expect(() => sn.layers.bidirectional({ layer: sn.layers.lstm({ units: 3, returnState: true, name: 'l' }), name: 'b' })).toThrow(/b: an inner layer with returnState \(l\) is not supported in a Bidirectional/);
    expect(() => sn.layers.gru({ units: 3, stateful: true, name: 'g' }).apply(sn.input({ shape: [4, 2] }))).toThrow(/g: a stateful layer needs to know its batch size/);
    expect(() => sn.layers.simpleRNN({ units: 3, dropout: 1.2, name: 's' })).toThrow(/s: dropout/);
    expect(() => sn.layers.lstm({ units: 3, recurrentDropout: -0.1, name: 'l' })).toThrow(/l: recurrentDropout/);
    expect(() => sn.layers.simpleRNN({ units: 3, activation: 'softmax', name: 's' })).toThrow(/s: activation: expected one of linear, tanh, sigmoid, hardSigmoid, relu/);
    expect(() => sn.layers.lstm({ units: 0 })).toThrow(/units/);
    expect(() => sn.layers.lstm({ units: 3, returnSequence: true } as never)).toThrow(/returnSequence/);
    expect(() => sn.layers.simpleRNN({ units: 3, recurrentActivation: 'sigmoid' } as never)).toThrow(/recurrentActivation/);
    const l = sn.layers.lstm({ units: 3, name: 'l2d' });
    expect(() => sn.sequential({ layers: [sn.layers.dense({ units: 4, inputShape: [5] }), l] })).toThrow(/l2d: expects inputs \[batch, steps, features\]/);
  });
});

// ------------------------------------------------------------------------------ GRU resetAfter

/**
 * Float64 reference of gru(resetAfter) [→ flatten] → dense(softmax) with sparse categorical
 * cross-entropy (mean over the batch) and plain SGD: Keras's formula from test/reference/recurrent.ts.
 */
class RefGruModel {
  constructor(
    public w: Float64Array[], // kernel, recurrent_kernel, bias [2, 3u], dense kernel, dense bias
    readonly steps: number,
    readonly inDim: number,
    readonly units: number,
    readonly classes: number,
    readonly recAct: number,
    readonly flags: number,
  ) {}
  get yDim() {
    return this.flags & ref.FLAG.returnSequences ? this.steps * this.units : this.units;
  }
  forward(x: ArrayLike<number>, n: number) {
    const { steps, inDim, units, classes } = this;
    const gu = 3 * units;
    const y = new Float64Array(n * this.yDim);
    const gates = new Float64Array(steps * n * gu);
    const hs = new Float64Array(steps * n * units);
    const cs = new Float64Array(steps * n * gu);
    ref.rnn_forward_f32(y, gates, hs, cs, x, this.w[0], this.w[1], this.w[2], null, null, null, null, null, n, steps, inDim, units, ref.CELL.gruResetAfter, ref.ACT.tanh, this.recAct, this.flags);
    const p = new Float64Array(n * classes);
    for (let b = 0; b < n; b++) {
      let mx = -Infinity;
      for (let k = 0; k < classes; k++) {
        let v = this.w[4][k];
        for (let j = 0; j < this.yDim; j++) v += y[b * this.yDim + j] * this.w[3][j * classes + k];
        p[b * classes + k] = v;
        mx = Math.max(mx, v);
      }
      let sum = 0;
      for (let k = 0; k < classes; k++) sum += (p[b * classes + k] = Math.exp(p[b * classes + k] - mx));
      for (let k = 0; k < classes; k++) p[b * classes + k] /= sum;
    }
    return { y, gates, hs, cs, p };
  }
  /** One SGD step; returns the loss before it. */
  train(x: ArrayLike<number>, labels: ArrayLike<number>, n: number, lr: number): number {
    const { steps, inDim, units, classes, yDim } = this;
    const f = this.forward(x, n);
    let loss = 0;
    const dl = new Float64Array(n * classes);
    for (let b = 0; b < n; b++) {
      loss -= Math.log(f.p[b * classes + labels[b]]) / n;
      for (let k = 0; k < classes; k++) dl[b * classes + k] = (f.p[b * classes + k] - (k === labels[b] ? 1 : 0)) / n;
    }
    const g = this.w.map((a) => new Float64Array(a.length));
    const dy = new Float64Array(n * yDim);
    for (let b = 0; b < n; b++)
      for (let k = 0; k < classes; k++) {
        const d = dl[b * classes + k];
        g[4][k] += d;
        for (let j = 0; j < yDim; j++) {
          g[3][j * classes + k] += f.y[b * yDim + j] * d;
          dy[b * yDim + j] += d * this.w[3][j * classes + k];
        }
      }
    ref.rnn_backward_f32(null, g[0], g[1], g[2], dy, x, this.w[0], this.w[1], null, null, null, null, null, f.gates, f.hs, f.cs, n, steps, inDim, units, ref.CELL.gruResetAfter, ref.ACT.tanh, this.recAct, this.flags);
    this.w.forEach((a, i) => a.forEach((v, j) => (a[j] = v - lr * g[i][j])));
    return loss;
  }
}

interface RaCase {
  title: string;
  units: number;
  steps: number;
  inDim: number;
  classes: number;
  batch: number;
  recurrentActivation: 'sigmoid' | 'hardSigmoid';
  returnSequences: boolean;
  goBackwards: boolean;
}
const RA_CASES: RaCase[] = [
  { title: 'gru(resetAfter, sigmoid gates) → dense (Keras defaults)', units: 6, steps: 5, inDim: 4, classes: 3, batch: 8, recurrentActivation: 'sigmoid', returnSequences: false, goBackwards: false },
  { title: 'gru(resetAfter, hardSigmoid, returnSequences, goBackwards) → flatten → dense', units: 9, steps: 4, inDim: 3, classes: 4, batch: 7, recurrentActivation: 'hardSigmoid', returnSequences: true, goBackwards: true },
];

function raModel(c: RaCase, seed: number) {
  sn.setSeed(seed);
  const layers: SnLayer[] = [
    sn.layers.gru({ units: c.units, resetAfter: true, recurrentActivation: c.recurrentActivation, returnSequences: c.returnSequences, goBackwards: c.goBackwards, inputShape: [c.steps, c.inDim], name: 'gru' }),
  ];
  if (c.returnSequences) layers.push(sn.layers.flatten({ name: 'flat' }));
  layers.push(sn.layers.dense({ units: c.classes, activation: 'softmax', name: 'out' }));
  const m = sn.sequential({ layers });
  randomize(m, seed);
  const w = [...m.getLayer('gru').getWeights(), ...m.getLayer('out').getWeights()].map((t) => Float64Array.from(t.dataSync()));
  const flags = (c.returnSequences ? ref.FLAG.returnSequences : 0) | (c.goBackwards ? ref.FLAG.goBackwards : 0);
  return { m, r: new RefGruModel(w, c.steps, c.inDim, c.units, c.classes, ref.ACT[c.recurrentActivation], flags) };
}
const snWeights = (m: sn.LayersModel) => [...m.getLayer('gru').getWeights(), ...m.getLayer('out').getWeights()].map((t) => t.dataSync());
const RA_TOL = { rtol: 1e-5, atol: 1e-6 };

describe("gru({ resetAfter: true }) (Keras's default GRU) against a float64 reference of Keras's formula", () => {
  for (const c of RA_CASES) {
    it(`${c.title}: predict, 4 SGD steps, every weight`, async () => {
      const { m, r } = raModel(c, 17);
      const rng = new Rng(99);
      const mk = () => ({ x: randomBatch(rng, [c.batch, c.steps, c.inDim]), y: randomLabels(rng, c.batch, c.classes) });
      const pred = noDiff();
      const losses = noDiff();
      const weights = noDiff();
      try {
        const probe = mk();
        closeness((m.predict(snX(probe.x)) as sn.Tensor).dataSync(), r.forward(probe.x.values, c.batch).p, 'predict before', RA_TOL, pred);
        m.compile({ optimizer: sn.optimizers.sgd({ learningRate: 0.5 }), loss: 'sparseCategoricalCrossentropy' });
        for (let s = 1; s <= 4; s++) {
          const b = mk();
          const a = num(await m.trainOnBatch(snX(b.x), snY(b.y)));
          const t = r.train(b.x.values, b.y.values, c.batch, 0.5);
          closeness([a], [t], `step ${s} loss`, RA_TOL, losses);
          snWeights(m).forEach((v, i) => closeness(v, r.w[i], `step ${s} w${i}`, RA_TOL, weights));
        }
        const after = mk();
        closeness((m.predict(snX(after.x)) as sn.Tensor).dataSync(), r.forward(after.x.values, c.batch).p, 'predict after', RA_TOL, pred);
        console.log(`[gru resetAfter vs float64] ${c.title}: predict ${fmt(pred)}; losses ${fmt(losses)}; weights ${fmt(weights)}`);
        expect(pred.ratio, pred.where).toBeLessThanOrEqual(1);
        expect(losses.ratio, losses.where).toBeLessThanOrEqual(1);
        expect(weights.ratio, weights.where).toBeLessThanOrEqual(1);
        // Training moved both bias rows and the recurrent kernel (their gradients are covered).
        const start = raModel(c, 17);
        const [, u0, b0] = start.m.getLayer('gru').getWeights().map((t) => t.dataSync());
        const [, u1, b1] = m.getLayer('gru').getWeights().map((t) => t.dataSync());
        const moved = (a: ArrayLike<number>, b: ArrayLike<number>, lo: number, hi: number) => Array.from({ length: hi - lo }, (_, i) => Math.abs(a[lo + i] - b[lo + i])).some((d) => d > 1e-4);
        expect(moved(u0, u1, 0, u0.length)).toBe(true);
        expect(moved(b0, b1, 0, 3 * c.units)).toBe(true);
        expect(moved(b0, b1, 3 * c.units, 6 * c.units)).toBe(true);
        start.m.dispose();
      } finally {
        m.dispose();
      }
    });
  }

  it('a Keras-converter-style model.json (GRU reset_after: true, bias [2, 3u]) loads and predicts what the reference predicts; saving writes reset_after', async () => {
    const [units, steps, inDim, classes, n] = [5, 6, 3, 4, 7];
    const rng = new Rng(31);
    const vals = (k: number) => Float32Array.from({ length: k }, () => rng.uniform(-0.6, 0.6));
    const w = [vals(inDim * 3 * units), vals(units * 3 * units), vals(2 * 3 * units), vals(units * classes), vals(classes)];
    const kInit = (class_name: string, config: Record<string, unknown> = {}) => ({ module: 'keras.initializers', class_name, config, registered_name: null });
    const gruConfig = {
      name: 'gru', trainable: true, dtype: 'float32', return_sequences: false, return_state: false, go_backwards: false, stateful: false, unroll: false, time_major: false,
      units, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true,
      kernel_initializer: kInit('GlorotUniform', { seed: null }), recurrent_initializer: kInit('Orthogonal', { gain: 1, seed: null }), bias_initializer: kInit('Zeros'),
      kernel_regularizer: null, recurrent_regularizer: null, bias_regularizer: null, activity_regularizer: null,
      kernel_constraint: null, recurrent_constraint: null, bias_constraint: null, dropout: 0, recurrent_dropout: 0, reset_after: true,
    };
    const denseConfig = { name: 'dense', trainable: true, dtype: 'float32', units: classes, activation: 'softmax', use_bias: true, kernel_initializer: kInit('GlorotUniform', { seed: null }), bias_initializer: kInit('Zeros'), kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null };
    const modelTopology = {
      keras_version: '2.13.1',
      backend: 'tensorflow',
      model_config: {
        class_name: 'Sequential',
        config: { name: 'sequential', layers: [{ class_name: 'InputLayer', config: { batch_input_shape: [null, steps, inDim], dtype: 'float32', sparse: false, ragged: false, name: 'gru_input' } }, { class_name: 'GRU', config: gruConfig }, { class_name: 'Dense', config: denseConfig }] },
      },
    };
    // Weight names in the layer/param form (as TF.js and Keras before 2.3 write them).
    const names = ['gru/kernel', 'gru/recurrent_kernel', 'gru/bias', 'dense/kernel', 'dense/bias'];
    const shapes = [[inDim, 3 * units], [units, 3 * units], [2, 3 * units], [units, classes], [classes]];
    const weightSpecs = names.map((name, i) => ({ name, shape: shapes[i], dtype: 'float32' as const }));
    const data = new Uint8Array(w.reduce((s, a) => s + a.byteLength, 0));
    let at = 0;
    for (const a of w) data.set(new Uint8Array(a.buffer), (at += a.byteLength) - a.byteLength);
    const artifacts = { modelTopology, weightSpecs, weightData: data.buffer, format: 'layers-model', generatedBy: 'keras v2.13.1', convertedBy: 'TensorFlow.js Converter v4.22.0' };

    const x = randomBatch(new Rng(8), [n, steps, inDim]);
    const r = new RefGruModel(w.map((a) => Float64Array.from(a)), steps, inDim, units, classes, ref.ACT.sigmoid, 0);
    const want = r.forward(x.values, n).p;
    const m = await sn.loadLayersModel(sn.io.fromMemory(artifacts as unknown as sn.ModelArtifacts));
    const got = (m.predict(snX(x)) as sn.Tensor).dataSync();
    const d = closeness(got, want, 'Keras file vs float64 reference', RA_TOL);
    console.log(`[gru resetAfter Keras file vs float64] predict ${fmt(d)}`);
    expect(d.ratio, d.where).toBeLessThanOrEqual(1);
    expect(m.getLayer('gru').getConfig()).toMatchObject({ resetAfter: true, recurrentActivation: 'sigmoid', units });
    // Keras 2.3+ names a recurrent layer's weights through its cell (gru/gru_cell/kernel).
    const cellNames = names.map((nm) => nm.replace(/^gru\//, 'gru/gru_cell/'));
    const viaCell = { ...artifacts, weightSpecs: weightSpecs.map((ws, i) => ({ ...ws, name: cellNames[i] })) };
    const mc = await sn.loadLayersModel(sn.io.fromMemory(viaCell as unknown as sn.ModelArtifacts));
    expect(Array.from((mc.predict(snX(x)) as sn.Tensor).dataSync())).toEqual(Array.from(got));
    mc.dispose();

    // Saved as Keras writes it (reset_after: true, bias [2, 3u]); loads back with identical predictions.
    const a = await snArtifacts(m);
    type Topology = { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    const layers = (a.modelTopology as Topology).config.layers;
    expect(layers.find((l) => l.class_name === 'GRU')!.config).toMatchObject({ reset_after: true, recurrent_activation: 'sigmoid' });
    expect(a.weightSpecs!.find((s) => s.name === 'gru/bias')!.shape).toEqual([2, 3 * units]);
    const back = await sn.loadLayersModel(sn.io.fromMemory(a));
    expect(Array.from((back.predict(snX(x)) as sn.Tensor).dataSync())).toEqual(Array.from(got));
    // TF.js refuses this file (its GRU has no reset_after): the reason simdnet computes it.
    await expect(tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts))).rejects.toThrow(/reset_?[aA]fter/);
    back.dispose();
    m.dispose();
  });
});
