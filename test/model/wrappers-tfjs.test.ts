// Bidirectional and TimeDistributed against TensorFlow.js (cpu backend): the same Sequential model
// built by one builder in both libraries, TF.js given simdnet's weights (every weight randomized),
// then predict, 4 SGD trainOnBatch steps on the same seeded batches, and predict again: losses and
// every weight agree to 1e-5 relative (+1e-6 absolute). Then model files both ways, with TF.js's
// weight names (`bidir/forward_lstm/kernel`, `td/kernel`), and the options simdnet refuses.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
// TF.js's orthogonal initializer (the recurrent kernels' default) calls chained tensor methods.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
import { caseBatch, comparePredict, expectFilesBothWays, expectParity, type SequentialCase, sequentialPair, trainLockstep, values } from '../helpers/parity.ts';
import { closeness, initTfjs, Rng, tf, tfl } from '../helpers/tfjs.ts';

const TOL = { rtol: 1e-5, atol: 1e-6 };

beforeAll(async () => {
  await sn.init({ deterministic: true });
  await initTfjs();
});

const MODES = ['concat', 'sum', 'mul', 'ave'] as const;

const CASES: SequentialCase[] = [
  ...MODES.map((mode) => ({
    title: `bidirectional(lstm, ${mode}) → dense`,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    build: (L: any) => [L.bidirectional({ layer: L.lstm({ units: 5, name: 'lstm' }), mergeMode: mode, inputShape: [6, 4], name: 'bidir' }), L.dense({ units: 3, activation: 'softmax', name: 'out' })],
    inputShape: [6, 4],
    classes: 3,
    batch: 7,
  })),
  ...MODES.map((mode) => ({
    title: `bidirectional(lstm(returnSequences), ${mode}) → flatten → dense`,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    build: (L: any) => [
      L.bidirectional({ layer: L.lstm({ units: 4, returnSequences: true, name: 'lstm' }), mergeMode: mode, inputShape: [5, 3], name: 'bidir' }),
      L.flatten({ name: 'flat' }),
      L.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
    inputShape: [5, 3],
    classes: 3,
    batch: 6,
  })),
  {
    title: 'bidirectional(gru(goBackwards, returnSequences), concat) → bidirectional(simpleRNN, sum) → dense',
    build: (L) => [
      L.bidirectional({ layer: L.gru({ units: 4, returnSequences: true, goBackwards: true, name: 'gru' }), inputShape: [5, 3], name: 'bi1' }),
      L.bidirectional({ layer: L.simpleRNN({ units: 3, name: 'rnn' }), mergeMode: 'sum', name: 'bi2' }),
      L.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
    inputShape: [5, 3],
    classes: 3,
    batch: 5,
  },
  {
    title: 'timeDistributed(dense relu) → lstm → dense',
    build: (L) => [
      L.timeDistributed({ layer: L.dense({ units: 6, activation: 'relu', name: 'inner' }), inputShape: [5, 4], name: 'td' }),
      L.lstm({ units: 5, name: 'lstm' }),
      L.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
    inputShape: [5, 4],
    classes: 3,
    batch: 8,
  },
  {
    title: 'bidirectional(lstm(returnSequences), ave) → timeDistributed(dense tanh) → flatten → dense',
    build: (L) => [
      L.bidirectional({ layer: L.lstm({ units: 4, returnSequences: true, name: 'lstm' }), mergeMode: 'ave', inputShape: [4, 3], name: 'bidir' }),
      L.timeDistributed({ layer: L.dense({ units: 5, activation: 'tanh', name: 'inner' }), name: 'td' }),
      L.flatten({ name: 'flat' }),
      L.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
    inputShape: [4, 3],
    classes: 3,
    batch: 6,
  },
  {
    title: 'timeDistributed(conv2d relu) → timeDistributed(maxPooling2d) → timeDistributed(flatten) → lstm → dense (a sequence of images)',
    build: (L) => [
      L.timeDistributed({ layer: L.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', name: 'conv' }), inputShape: [3, 6, 6, 2], name: 'td_conv' }),
      L.timeDistributed({ layer: L.maxPooling2d({ poolSize: 2, name: 'pool' }), name: 'td_pool' }),
      L.timeDistributed({ layer: L.flatten({ name: 'flat' }), name: 'td_flat' }),
      L.lstm({ units: 4, name: 'lstm' }),
      L.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ],
    inputShape: [3, 6, 6, 2],
    classes: 3,
    batch: 5,
  },
  {
    title: 'timeDistributed(dense) → timeDistributed(conv1d) → timeDistributed(globalAveragePooling1d) → gru → dense',
    build: (L) => [
      L.timeDistributed({ layer: L.dense({ units: 6, name: 'inner' }), inputShape: [4, 5, 3], name: 'td_dense' }),
      L.timeDistributed({ layer: L.conv1d({ filters: 4, kernelSize: 2, activation: 'tanh', name: 'c1' }), name: 'td_c1' }),
      L.timeDistributed({ layer: L.globalAveragePooling1d({ name: 'gap' }), name: 'td_gap' }),
      L.gru({ units: 3, name: 'gru' }),
      L.dense({ units: 2, activation: 'softmax', name: 'out' }),
    ],
    inputShape: [4, 5, 3],
    classes: 2,
    batch: 6,
  },
];

/** Every weight seeded in [−0.5, 0.5) (biases too). */
function randomize(m: sn.LayersModel, seed: number): void {
  for (const layer of m.layers) {
    const ws = layer.getWeights();
    if (ws.length === 0) continue;
    layer.setWeights(ws.map((w, i) => sn.tensor(values(seed + 31 * i + layer.name.length, w.size, -0.5, 0.5), [...w.shape])));
  }
}

describe('Bidirectional and TimeDistributed agree with TF.js (cpu): predict, 4 SGD steps, every weight', () => {
  for (const c of CASES) {
    it(c.title, async () => {
      const { snModel, tfModel } = sequentialPair(c, 11, sn.layers, tfl.layers, (m) => randomize(m, 11));
      try {
        expect(snModel.countParams()).toBe(tfModel.countParams());
        const rng = new Rng(4242);
        const pred = comparePredict(snModel, tfModel, caseBatch(c, rng).x, 'predict before', TOL);
        const r = await trainLockstep(snModel, tfModel, { learningRate: 0.5, steps: 4, tol: TOL, next: () => caseBatch(c, rng) });
        comparePredict(snModel, tfModel, caseBatch(c, rng).x, 'predict after', TOL, pred);
        expectParity(`[wrappers vs TF.js] ${c.title}`, pred, r);
      } finally {
        snModel.dispose();
        tfModel.dispose();
      }
    });
  }
});

describe('wrappers in model files', () => {
  for (const c of CASES) {
    it(`${c.title}: simdnet saves → TF.js loads, TF.js saves → simdnet loads; both predict the same`, async () => {
      const { snModel, tfModel } = sequentialPair(c, 23, sn.layers, tfl.layers, (m) => randomize(m, 23));
      try {
        const x = caseBatch(c, new Rng(5)).x;
        await expectFilesBothWays(snModel, tfModel, x, TOL, ({ snFile, tfFile, back, want }) => {
          // The same weight names and order as TF.js writes.
          expect(snFile.weightSpecs!.map((s) => s.name)).toEqual(tfFile.weightSpecs!.map((s) => s.name));
          expect(Array.from((back.predict(sn.tensor(x.values as Float32Array, x.shape)) as sn.Tensor).dataSync())).toEqual(Array.from(want));
        });
      } finally {
        snModel.dispose();
        tfModel.dispose();
      }
    });
  }

  it('names the weights as TF.js does: forward_<inner>/… then backward_<inner>/…, and the time-distributed layer’s own', () => {
    const m = sn.sequential({
      layers: [
        sn.layers.bidirectional({ layer: sn.layers.gru({ units: 2, returnSequences: true, useBias: false, name: 'g' }), inputShape: [3, 2], name: 'b' }),
        sn.layers.timeDistributed({ layer: sn.layers.dense({ units: 2, name: 'd' }), name: 't' }),
      ],
    });
    try {
      expect(m.weights.map((w) => w.name)).toEqual(['b/forward_g/kernel', 'b/forward_g/recurrent_kernel', 'b/backward_g/kernel', 'b/backward_g/recurrent_kernel', 't/kernel', 't/bias']);
      expect(m.outputs[0].shape).toEqual([null, 3, 2]);
    } finally {
      m.dispose();
    }
  });
});

describe('wrappers applied eagerly', () => {
  it('bidirectional and timeDistributed on concrete tensors give what TF.js gives with the same weights', () => {
    const x = values(7, 2 * 3 * 2);
    const bi = sn.layers.bidirectional({ layer: sn.layers.simpleRNN({ units: 2, returnSequences: true, name: 'r' }), mergeMode: 'mul', name: 'bi_eager' });
    const td = sn.layers.timeDistributed({ layer: sn.layers.dense({ units: 3, name: 'd' }), name: 'td_eager' });
    const y = td.apply(bi.apply(sn.tensor(x, [2, 3, 2])));
    const tbi = tfl.layers.bidirectional({ layer: tfl.layers.simpleRNN({ units: 2, returnSequences: true, name: 'r' }) as tfl.RNN, mergeMode: 'mul' });
    const ttd = tfl.layers.timeDistributed({ layer: tfl.layers.dense({ units: 3, name: 'd' }) });
    const tx = tf.tensor(x, [2, 3, 2]);
    tbi.apply(tx);
    tbi.setWeights(bi.getWeights().map((w) => tf.tensor(w.dataSync() as Float32Array, [...w.shape])));
    const mid = tbi.apply(tx) as tf.Tensor;
    ttd.apply(mid);
    ttd.setWeights(td.getWeights().map((w) => tf.tensor(w.dataSync() as Float32Array, [...w.shape])));
    const want = (ttd.apply(mid) as tf.Tensor).dataSync();
    expect(y.shape).toEqual([2, 3, 3]);
    const d = closeness(y.dataSync(), want, 'eager', TOL);
    expect(d.ratio, d.where).toBeLessThanOrEqual(1);
  });
});

describe('wrapper options', () => {
  it('refuses what it cannot do, naming the layer and the value', () => {
    const L = sn.layers;
    expect(() => L.bidirectional({ layer: L.dense({ units: 2 }) })).toThrow(/layer must be a recurrent layer.*Dense/);
    expect(() => L.bidirectional({ layer: L.lstm({ units: 2 }), mergeMode: 'max' as 'sum' })).toThrow(/mergeMode must be one of concat, sum, mul, ave, got 'max'|mergeMode must be one of concat, sum, mul, ave, got "max"/);
    expect(() => L.bidirectional({ layer: L.lstm({ units: 2 }), mergeMode: null as unknown as 'sum' })).toThrow(/mergeMode null/);
    expect(() => L.bidirectional({ layer: L.lstm({ units: 2 }), weights: [] })).toThrow(/weights are not supported/);
    expect(() => L.bidirectional({ layer: L.lstm({ units: 2 }), merge: 'sum' } as never)).toThrow(/unknown option merge/);
    expect(() => L.timeDistributed({ layer: L.lstm({ units: 2, name: 'l' }) })).toThrow(/cannot apply l \(LSTM\) to every time step: it runs over time itself/);
    expect(() => L.timeDistributed({ layer: L.embedding({ inputDim: 5, outputDim: 2, name: 'e' }) })).toThrow(/cannot apply e \(Embedding\).*token ids/);
    expect(() => L.timeDistributed({ layer: L.add({ name: 'a' }) })).toThrow(/cannot apply a \(Add\).*exactly one input/);
    expect(() => L.timeDistributed({ layer: 'dense' as never })).toThrow(/layer must be a layer.*got (a string )?"?'?dense/);
    expect(() => L.timeDistributed({ layer: L.dense({ units: 2 }), inputShape: [3] }).apply(sn.input({ shape: [3] }))).toThrow(/expects inputs \[batch, steps, \.\.\.\]/);
  });
});
