// Stateful recurrent layers against TensorFlow.js (cpu backend): the same Sequential model in both
// libraries (batchInputShape fixes the batch size), TF.js given simdnet's weights, then SGD
// trainOnBatch steps on consecutive batches (each batch starts from the state the previous one
// left), predictions that carry the state on, and resetStates() on the layer and the model:
// losses, weights and predictions agree to 1e-5 relative. Then files (stateful and the batch size
// written, TF.js loads them) and the misuses.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import type { Layer as SnLayer } from '../../src/layers/layer.ts';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
// That import loads tfjs-core's ES-module copy, whose Tensor class the shared engine then uses;
// its clone() (which TF.js's stateful RNN calls on its states) needs the op handler that only
// this module of that copy installs.
import '@tensorflow/tfjs-core/dist/base_side_effects.js';
import { comparePredict, expectFilesBothWays, expectParity, snT, trainLockstep } from '../helpers/parity.ts';
import { copyWeightsToTf, initTfjs, noDiff, randomBatch, randomLabels, Rng, tfl } from '../helpers/tfjs.ts';

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
  batch: number;
  sample: number[];
  classes: number;
}

const CASES: Case[] = [
  {
    title: 'lstm(stateful) → dense',
    build: (L) => [L.lstm({ units: 5, stateful: true, batchInputShape: [3, 4, 2], name: 'lstm', biasInitializer: 'randomNormal' }), L.dense({ units: 3, activation: 'softmax', name: 'out' })],
    batch: 3,
    sample: [4, 2],
    classes: 3,
  },
  {
    title: 'gru(stateful, returnSequences) → simpleRNN(stateful, goBackwards; batch size from the first layer) → dense',
    build: (L) => [
      L.gru({ units: 4, stateful: true, returnSequences: true, batchInputShape: [2, 5, 3], name: 'gru', biasInitializer: 'randomNormal' }),
      L.simpleRNN({ units: 3, stateful: true, goBackwards: true, name: 'rnn', biasInitializer: 'randomNormal' }),
      L.dense({ units: 2, activation: 'softmax', name: 'out' }),
    ],
    batch: 2,
    sample: [5, 3],
    classes: 2,
  },
];

function pair(c: Case, seed: number) {
  sn.setSeed(seed);
  const snModel = sn.sequential({ layers: c.build(sn.layers) as SnLayer[] });
  const tfModel = tfl.sequential({ layers: c.build(tfl.layers) as tfl.layers.Layer[] });
  copyWeightsToTf(snModel, tfModel);
  return { snModel, tfModel };
}

describe('stateful recurrent layers train and predict as in TF.js', () => {
  for (const c of CASES) {
    it(`${c.title}: 4 SGD steps over consecutive batches, predictions carrying the state, resetStates`, async () => {
      const { snModel, tfModel } = pair(c, 13);
      const rng = new Rng(21);
      const x = () => randomBatch(rng, [c.batch, ...c.sample]);
      const pred = noDiff();
      try {
        expect(snModel.stateful).toBe(true);
        comparePredict(snModel, tfModel, x(), 'predict 1', TOL, pred);
        comparePredict(snModel, tfModel, x(), 'predict 2 (from the state predict 1 left)', TOL, pred);
        const r = await trainLockstep(snModel, tfModel, { learningRate: 0.5, steps: 4, tol: TOL, next: () => ({ x: x(), y: randomLabels(rng, c.batch, c.classes) }) });
        comparePredict(snModel, tfModel, x(), 'predict after training', TOL, pred);
        snModel.resetStates();
        tfModel.resetStates();
        comparePredict(snModel, tfModel, x(), 'predict after model.resetStates()', TOL, pred);
        (snModel.layers[0] as unknown as { resetStates(): void }).resetStates();
        (tfModel.layers[0] as unknown as { resetStates(): void }).resetStates();
        comparePredict(snModel, tfModel, x(), 'predict after layer.resetStates()', TOL, pred);
        expectParity(`[vs TF.js] ${c.title}`, pred, r);
      } finally {
        snModel.dispose();
        tfModel.dispose();
      }
    });
  }

  it('the state carries over: the same batch twice predicts differently, and as the first time after resetStates()', () => {
    const { snModel, tfModel } = pair(CASES[0], 3);
    tfModel.dispose();
    const xb = randomBatch(new Rng(4), [3, 4, 2]);
    const p1 = Array.from((snModel.predict(snT(xb)) as sn.Tensor).dataSync());
    const p2 = Array.from((snModel.predict(snT(xb)) as sn.Tensor).dataSync());
    expect(p2).not.toEqual(p1);
    const lstm = snModel.layers[0] as unknown as { getStates(): Float32Array[]; resetStates(): void };
    const [h, cState] = lstm.getStates();
    expect(h.length).toBe(15);
    expect(cState.some((v) => v !== 0)).toBe(true);
    snModel.resetStates();
    expect(lstm.getStates().every((s) => s.every((v) => v === 0))).toBe(true);
    expect(Array.from((snModel.predict(snT(xb)) as sn.Tensor).dataSync())).toEqual(p1);
    snModel.dispose();
  });
});

describe('stateful layers in the functional API', () => {
  it("input({ batchShape: [3, ...] }) gives a stateful lstm its batch size: it predicts as the Sequential does, batch after batch, and the size survives save and load", async () => {
    const { snModel: seq, tfModel } = pair(CASES[0], 11);
    tfModel.dispose();
    const x = sn.input({ batchShape: [3, 4, 2], name: 'x' });
    const l = sn.layers.lstm({ units: 5, stateful: true, name: 'lstm' });
    const d = sn.layers.dense({ units: 3, activation: 'softmax', name: 'out' });
    const fn = sn.model({ inputs: x, outputs: d.apply(l.apply(x)) as sn.SymbolicTensor });
    fn.setWeights(seq.getWeights());
    const rng = new Rng(12);
    const b1 = randomBatch(rng, [3, 4, 2]);
    const b2 = randomBatch(rng, [3, 4, 2]);
    for (const b of [b1, b2]) {
      const want = Array.from((seq.predict(snT(b)) as sn.Tensor).dataSync());
      expect(Array.from((fn.predict(snT(b)) as sn.Tensor).dataSync())).toEqual(want);
    }
    const saved: { artifacts?: sn.ModelArtifacts } = {};
    await fn.save({ save: async (a: sn.ModelArtifacts) => ((saved.artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }) } as never);
    const layersJson = (saved.artifacts!.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
    expect(layersJson.find((e) => e.class_name === 'InputLayer')!.config.batch_input_shape).toEqual([3, 4, 2]);
    const back = await sn.loadLayersModel(sn.io.fromMemory(saved.artifacts!));
    expect((back.getLayer('lstm') as unknown as { batchSize: number }).batchSize).toBe(3);
    seq.resetStates();
    back.setWeights(seq.getWeights());
    const want = Array.from((seq.predict(snT(b1)) as sn.Tensor).dataSync());
    expect(Array.from((back.predict(snT(b1)) as sn.Tensor).dataSync())).toEqual(want);
    for (const m of [seq, fn, back]) m.dispose();
  });
  it('a batch size is null or a positive integer, wherever it is given', () => {
    for (const bad of [0, -2, 2.5, NaN, '3']) {
      expect(() => sn.input({ batchShape: [bad as never, 4, 2], name: 'x' })).toThrow(/input x: batchShape\[0\] \(the batch size\): expected a positive integer, got/);
      expect(() => sn.layers.dense({ units: 2, batchInputShape: [bad as never, 3], name: 'd' })).toThrow(/d: batchInputShape\[0\] \(the batch size\): expected a positive integer, got/);
      expect(() => sn.layers.lstm({ units: 2, stateful: true, batchInputShape: [bad as never, 4, 2], name: 'l' })).toThrow(/l: batchInputShape\[0\] \(the batch size\): expected a positive integer, got/);
    }
    expect(sn.input({ batchShape: [null, 4, 2] }).shape).toEqual([null, 4, 2]);
    expect((sn.layers.dense({ units: 2, batchInputShape: [5, 3] }) as unknown as { givenBatch: number }).givenBatch).toBe(5);
  });
});

describe('stateful model files', () => {
  it('TF.js saves a stateful model whose second stateful layer has no batch shape of its own; simdnet loads it and predicts the same', async () => {
    const { snModel, tfModel } = pair(CASES[1], 7);
    try {
      const xb = randomBatch(new Rng(8), [2, 5, 3]);
      await expectFilesBothWays(snModel, tfModel, xb, TOL, ({ tfFile }) => {
        const layers = (tfFile.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
        expect(layers.find((x) => x.class_name === 'SimpleRNN')!.config.batch_input_shape).toBeUndefined();
      });
    } finally {
      snModel.dispose();
      tfModel.dispose();
    }
  });
  it('stateful and the batch size are written; TF.js loads the file and predicts the same; back in simdnet the same', async () => {
    const { snModel, tfModel } = pair(CASES[0], 5);
    try {
      const xb = randomBatch(new Rng(6), [3, 4, 2]);
      await expectFilesBothWays(snModel, tfModel, xb, TOL, ({ snFile, back }) => {
        const layers = (snFile.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
        const l = layers.find((x) => x.class_name === 'LSTM')!.config;
        expect(l.stateful).toBe(true);
        expect(l.batch_input_shape).toEqual([3, 4, 2]);
        expect((back.layers[0] as unknown as { stateful: boolean; batchSize: number }).batchSize).toBe(3);
      });
    } finally {
      snModel.dispose();
      tfModel.dispose();
    }
  });
});

describe('stateful misuse', () => {
  it('a stateful layer without a batch size, a batch of another size, resetStates on a stateless layer, a stateful layer in bidirectional', () => {
    expect(() => sn.sequential({ layers: [sn.layers.lstm({ units: 2, stateful: true, inputShape: [3, 2], name: 'l1' })] })).toThrow('l1: a stateful layer needs to know its batch size');
    expect(() => sn.sequential({ layers: [sn.layers.lstm({ units: 2, stateful: true, batchInputShape: [null, 3, 2] })] })).toThrow('batch size');
    const x = sn.input({ shape: [3, 2] });
    expect(() => sn.layers.gru({ units: 2, stateful: true, name: 'g2' }).apply(sn.layers.dense({ units: 2 }).apply(x))).toThrow('g2: a stateful layer needs to know its batch size');
    expect(() => sn.layers.gru({ units: 2, stateful: true, batchInputShape: [1.5, 3, 2] as never })).toThrow('batchInputShape[0]');
    const m = sn.sequential({ layers: [sn.layers.simpleRNN({ units: 2, stateful: true, batchInputShape: [4, 3, 2], name: 's' })] });
    expect(() => m.predict(sn.zeros([3, 3, 2]))).toThrow('s: stateful with batch size 4 (batchInputShape), got a batch of 3 samples');
    expect(() => (sn.layers.lstm({ units: 2 }) as unknown as { resetStates(): void }).resetStates()).toThrow('not stateful');
    expect(() => (m.layers[0] as unknown as { resetStates(s: unknown): void }).resetStates([1])).toThrow('not supported');
    expect(() => sn.layers.bidirectional({ layer: sn.layers.lstm({ units: 2, stateful: true, batchInputShape: [2, 3, 2] }) })).toThrow('stateful inner layer');
    m.dispose();
  });
});
