// SimpleRNN, LSTM and GRU against TensorFlow.js (cpu backend): the same Sequential model built by
// one builder in both libraries, TF.js given simdnet's weights (every weight randomized, biases
// included), then predict, 4 SGD trainOnBatch steps on the same seeded batches, and predict again:
// losses and every weight agree to 1e-5 relative (+1e-6 absolute). Then files both ways: simdnet
// saves → TF.js loads and predicts the same; TF.js saves → simdnet loads and predicts the same.
// Gradient checks through time, and the options simdnet refuses.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import type { Layer as SnLayer } from '../../src/layers/layer.ts';
// TF.js's orthogonal initializer (the recurrent kernels' default) calls chained tensor methods,
// which the full TF.js bundle registers and tfjs-core alone does not.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
import { type Closeness, closeness, compareWeights, copyWeightsToTf, initTfjs, noDiff, randomBatch, randomLabels, Rng, tf, tfl } from '../helpers/tfjs.ts';

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

async function snArtifacts(m: sn.LayersModel): Promise<sn.ModelArtifacts> {
  let got: sn.ModelArtifacts | undefined;
  await m.save(
    sn.io.withSaveHandler(async (a) => {
      got = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', modelTopologyBytes: 0, weightSpecsBytes: 0, weightDataBytes: 0 } };
    }),
  );
  return got!;
}
async function tfArtifacts(m: tfl.LayersModel): Promise<tf.io.ModelArtifacts> {
  let got: tf.io.ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      got = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return got!;
}

describe('recurrent layers in model files', () => {
  for (const c of CASES) {
    it(`${c.title}: simdnet saves → TF.js loads, TF.js saves → simdnet loads; both predict the same`, async () => {
      const { snModel, tfModel } = makeModels(c, 23);
      try {
        const x = batch(c, new Rng(5)).x;
        const want = (snModel.predict(snX(x)) as sn.Tensor).dataSync();
        const a = await snArtifacts(snModel);
        const first = snModel.layers[0].name;
        expect((a.weightSpecs ?? []).map((s) => s.name)).toEqual(expect.arrayContaining([`${first}/kernel`, `${first}/recurrent_kernel`, `${first}/bias`]));
        const tfLoaded = await tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
        const d1 = closeness((tfLoaded.predict(tfX(x)) as tf.Tensor).dataSync(), want, 'TF.js from simdnet file', TOL);
        expect(d1.ratio, d1.where).toBeLessThanOrEqual(1);
        const t = await tfArtifacts(tfModel);
        const snLoaded = await sn.loadLayersModel(sn.io.fromMemory(t));
        const d2 = closeness((snLoaded.predict(snX(x)) as sn.Tensor).dataSync(), (tfModel.predict(tfX(x)) as tf.Tensor).dataSync(), 'simdnet from TF.js file', TOL);
        expect(d2.ratio, d2.where).toBeLessThanOrEqual(1);
        // simdnet's own file round-trips to the same config and predictions.
        const back = await sn.loadLayersModel(sn.io.fromMemory(a));
        expect(back.layers[0].getConfig()).toEqual(snModel.layers[0].getConfig());
        expect(Array.from((back.predict(snX(x)) as sn.Tensor).dataSync())).toEqual(Array.from(want));
        tfLoaded.dispose();
        snLoaded.dispose();
        back.dispose();
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
    m.dispose();
  });
  it('refuses what it does not compute, naming the layer, option and value', () => {
    expect(() => sn.layers.lstm({ units: 3, returnState: true, name: 'l' })).toThrow(/l: returnState true is not supported/);
    expect(() => sn.layers.gru({ units: 3, stateful: true, name: 'g' })).toThrow(/g: stateful true is not supported/);
    expect(() => sn.layers.simpleRNN({ units: 3, dropout: 0.2, name: 's' })).toThrow(/s: dropout 0.2 is not supported/);
    expect(() => sn.layers.lstm({ units: 3, recurrentDropout: 0.1, name: 'l' })).toThrow(/l: recurrentDropout 0.1 is not supported/);
    expect(() => sn.layers.gru({ units: 3, resetAfter: true, name: 'g' })).toThrow(/g: resetAfter true .* not supported/);
    expect(() => sn.layers.simpleRNN({ units: 3, activation: 'softmax', name: 's' })).toThrow(/s: activation: expected one of linear, tanh, sigmoid, hardSigmoid, relu/);
    expect(() => sn.layers.lstm({ units: 0 })).toThrow(/units/);
    expect(() => sn.layers.lstm({ units: 3, returnSequence: true } as never)).toThrow(/returnSequence/);
    expect(() => sn.layers.simpleRNN({ units: 3, recurrentActivation: 'sigmoid' } as never)).toThrow(/recurrentActivation/);
    const l = sn.layers.lstm({ units: 3, name: 'l2d' });
    expect(() => sn.sequential({ layers: [sn.layers.dense({ units: 4, inputShape: [5] }), l] })).toThrow(/l2d: expects inputs \[batch, steps, features\]/);
  });
});
