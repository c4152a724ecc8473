// returnState on simpleRNN, LSTM and GRU against TensorFlow.js (cpu backend): functional models
// that use the final states (a node with several outputs) built in both libraries from the same
// weights, trained 4 SGD steps on the same seeded batches; losses and every weight agree to 1e-5
// relative (+1e-6 absolute). Then files both ways (the tensor index in inbound nodes and
// output_layers), gradient checks through the state outputs, eager apply, summary, and what is
// refused (Sequential, initialState).
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import type { SymbolicTensor } from '../../src/engine/symbolic.ts';
// TF.js's orthogonal initializer (the recurrent kernels' default) calls chained tensor methods,
// which the full TF.js bundle registers and tfjs-core alone does not.
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
import { type Batch, closeness, compareWeights, copyWeightsToTf, initTfjs, noDiff, randomBatch, randomLabels, Rng, tf, tfl, tfLosses, tfOutputs, toTf } from '../helpers/tfjs.ts';
import { expectFilesBothWays, expectParity, fmt, snArtifacts, snT, tfLabels, trainLockstep, values } from '../helpers/parity.ts';

const TOL = { rtol: 1e-5, atol: 1e-6 };

beforeAll(async () => {
  await sn.init({ deterministic: true });
  await initTfjs();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Lib = any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyModel = any;

/** Every weight seeded in [−0.5, 0.5) (biases too, so the gates move). */
function randomize(m: sn.LayersModel, seed: number): void {
  for (const layer of m.layers) {
    const ws = layer.getWeights();
    if (ws.length === 0) continue;
    layer.setWeights(ws.map((w, i) => sn.tensor(values(seed + 31 * i + layer.name.length, w.size, -0.5, 0.5), [...w.shape])));
  }
}

interface Case {
  title: string;
  /** The model from one library's `input`, `layers` and `model`. */
  build(lib: Lib): AnyModel;
  inputShape: number[];
  batch: number;
  /** The inputs (default: uniform floats of inputShape). */
  x?(rng: Rng, n: number): Batch;
  /** Per output: its loss and what its labels are. */
  outputs: { loss: 'sparseCategoricalCrossentropy' | 'meanSquaredError'; classes?: number; shape?: number[] }[];
}

const libOf = (which: 'sn' | 'tf') => (which === 'sn' ? { input: sn.input, layers: sn.layers, model: sn.model } : { input: tfl.input, layers: tfl.layers, model: tfl.model });

/** [output, h, c] of an LSTM: the three concatenated into one dense softmax. */
const lstmConcat: Case = {
  title: 'lstm(returnState) → concatenate([output, h, c]) → dense',
  build: ({ input, layers, model }) => {
    const x = input({ shape: [5, 3], name: 'x' });
    const [o, h, c] = layers.lstm({ units: 4, returnState: true, name: 'lstm' }).apply(x);
    const cat = layers.concatenate({ name: 'cat' }).apply([o, h, c]);
    return model({ inputs: x, outputs: layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(cat), name: 'lstm_concat' });
  },
  inputShape: [5, 3],
  batch: 6,
  outputs: [{ loss: 'sparseCategoricalCrossentropy', classes: 3 }],
};

const CASES: Case[] = [
  {
    title: 'lstm(returnSequences, goBackwards, returnState) → [dense(flatten(sequence)), dense(h), dense(c)] as three outputs',
    build: ({ input, layers, model }) => {
      const x = input({ shape: [4, 3], name: 'x' });
      const [seq, h, c] = layers.lstm({ units: 5, returnSequences: true, goBackwards: true, returnState: true, recurrentActivation: 'sigmoid', name: 'lstm' }).apply(x);
      const a = layers.dense({ units: 3, activation: 'softmax', name: 'outA' }).apply(layers.flatten({ name: 'flat' }).apply(seq));
      const b = layers.dense({ units: 2, name: 'outH' }).apply(h);
      const d = layers.dense({ units: 2, name: 'outC' }).apply(c);
      return model({ inputs: x, outputs: [a, b, d], name: 'lstm_three' });
    },
    inputShape: [4, 3],
    batch: 7,
    outputs: [{ loss: 'sparseCategoricalCrossentropy', classes: 3 }, { loss: 'meanSquaredError', shape: [2] }, { loss: 'meanSquaredError', shape: [2] }],
  },
  {
    title: 'gru(returnState) with the state itself a model output (and dense(output))',
    build: ({ input, layers, model }) => {
      const x = input({ shape: [6, 4], name: 'x' });
      const [o, h] = layers.gru({ units: 4, returnState: true, name: 'gru' }).apply(x);
      const a = layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(o);
      return model({ inputs: x, outputs: [a, h], name: 'gru_state' });
    },
    inputShape: [6, 4],
    batch: 5,
    outputs: [{ loss: 'sparseCategoricalCrossentropy', classes: 3 }, { loss: 'meanSquaredError', shape: [4] }],
  },
  {
    title: 'gru(returnSequences, returnState): the state feeds a dense, the sequence a second gru',
    build: ({ input, layers, model }) => {
      const x = input({ shape: [5, 3], name: 'x' });
      const [seq, h] = layers.gru({ units: 4, returnSequences: true, returnState: true, name: 'g1' }).apply(x);
      const g2 = layers.gru({ units: 3, name: 'g2' }).apply(seq);
      const cat = layers.concatenate({ name: 'cat' }).apply([g2, layers.dense({ units: 2, activation: 'tanh', name: 'fromH' }).apply(h)]);
      return model({ inputs: x, outputs: layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(cat), name: 'gru_chain' });
    },
    inputShape: [5, 3],
    batch: 6,
    outputs: [{ loss: 'sparseCategoricalCrossentropy', classes: 3 }],
  },
  {
    title: 'simpleRNN(goBackwards, returnState): h as a model output only (mean squared error)',
    build: ({ input, layers, model }) => {
      const x = input({ shape: [5, 2], name: 'x' });
      const [o, h] = layers.simpleRNN({ units: 3, goBackwards: true, returnState: true, name: 'rnn' }).apply(x);
      return model({ inputs: x, outputs: [layers.dense({ units: 2, activation: 'softmax', name: 'out' }).apply(o), h], name: 'rnn_state' });
    },
    inputShape: [5, 2],
    batch: 4,
    outputs: [{ loss: 'sparseCategoricalCrossentropy', classes: 2 }, { loss: 'meanSquaredError', shape: [3] }],
  },
  {
    title: 'embedding(maskZero) → lstm(goBackwards, returnState) on padded sequences: [dense(h), c] (the final state is the last unmasked step\'s)',
    build: ({ input, layers, model }) => {
      const x = input({ shape: [6], dtype: 'int32', name: 'ids' });
      const e = layers.embedding({ inputDim: VOCAB, outputDim: 3, maskZero: true, name: 'emb' }).apply(x);
      const [, h, c] = layers.lstm({ units: 4, goBackwards: true, returnState: true, name: 'lstm' }).apply(e);
      return model({ inputs: x, outputs: [layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(h), c], name: 'masked_lstm' });
    },
    inputShape: [6],
    batch: 6,
    x: (rng, n) => padded(rng, n, 6),
    outputs: [{ loss: 'sparseCategoricalCrossentropy', classes: 3 }, { loss: 'meanSquaredError', shape: [4] }],
  },
  {
    title: 'embedding(maskZero) → gru(returnSequences, returnState) on padded sequences: [dense(flatten(sequence)), h]',
    build: ({ input, layers, model }) => {
      const x = input({ shape: [5], dtype: 'int32', name: 'ids' });
      const e = layers.embedding({ inputDim: VOCAB, outputDim: 3, maskZero: true, name: 'emb' }).apply(x);
      const [seq, h] = layers.gru({ units: 3, returnSequences: true, returnState: true, name: 'gru' }).apply(e);
      return model({ inputs: x, outputs: [layers.dense({ units: 2, activation: 'softmax', name: 'out' }).apply(layers.flatten({ name: 'flat' }).apply(seq)), h], name: 'masked_gru' });
    },
    inputShape: [5],
    batch: 5,
    x: (rng, n) => padded(rng, n, 5),
    outputs: [{ loss: 'sparseCategoricalCrossentropy', classes: 2 }, { loss: 'meanSquaredError', shape: [3] }],
  },
];

const VOCAB = 9;
/** Padded id sequences [n, steps]: padding at the end (even samples) or the front (odd ones); sample 3 all padding. */
function padded(rng: Rng, n: number, steps: number): Batch {
  const v: number[] = [];
  for (let b = 0; b < n; b++) {
    const len = b === 3 ? 0 : 1 + rng.int(steps);
    const run = Array.from({ length: len }, () => 1 + rng.int(VOCAB - 1));
    const pad = new Array<number>(steps - len).fill(0);
    v.push(...(b % 2 === 0 ? [...run, ...pad] : [...pad, ...run]));
  }
  return { values: Int32Array.from(v), shape: [n, steps], dtype: 'int32' };
}

const inputsOf = (c: Case, rng: Rng) => (c.x ? c.x(rng, c.batch) : randomBatch(rng, [c.batch, ...c.inputShape]));

function pair(c: Case, seed: number) {
  sn.setSeed(seed);
  const snModel = c.build(libOf('sn')) as sn.LayersModel;
  randomize(snModel, seed);
  const tfModel = c.build(libOf('tf')) as tfl.LayersModel;
  copyWeightsToTf(snModel, tfModel);
  return { snModel, tfModel };
}

function labels(c: Case, rng: Rng): Batch[] {
  return c.outputs.map((o) => (o.classes ? randomLabels(rng, c.batch, o.classes) : randomBatch(rng, [c.batch, ...o.shape!], -0.8, 0.8)));
}

const snOuts = (r: unknown) => (Array.isArray(r) ? r : [r]).map((t) => (t as sn.Tensor).dataSync());

describe('returnState against TF.js (cpu): 4 SGD steps in lockstep', () => {
  it(lstmConcat.title, async () => {
    const { snModel, tfModel } = pair(lstmConcat, 11);
    const rng = new Rng(5);
    const x0 = randomBatch(rng, [lstmConcat.batch, ...lstmConcat.inputShape]);
    const pred = closeness(snOuts(snModel.predict(snT(x0)))[0], (tfModel.predict(toTf(x0)) as tf.Tensor).dataSync(), 'predict', TOL);
    const r = await trainLockstep(snModel, tfModel, {
      learningRate: 0.5,
      steps: 4,
      tol: TOL,
      next: () => ({ x: randomBatch(rng, [lstmConcat.batch, ...lstmConcat.inputShape]), y: randomLabels(rng, lstmConcat.batch, 3) }),
    });
    expectParity(lstmConcat.title, pred, r);
    snModel.dispose();
    tfModel.dispose();
  });

  for (const c of CASES) {
    it(c.title, async () => {
      const { snModel, tfModel } = pair(c, 21);
      const rng = new Rng(7);
      const x0 = inputsOf(c, rng);
      const pred = noDiff();
      const sp = snOuts(snModel.predict(snT(x0)));
      const tp = tfOutputs(tfModel.predict(toTf(x0)) as tf.Tensor | tf.Tensor[]);
      expect(sp.length).toBe(c.outputs.length);
      sp.forEach((v, i) => closeness(v, tp[i], `predict output ${i}`, TOL, pred));
      const lossNames = c.outputs.map((o) => o.loss);
      snModel.compile({ optimizer: sn.optimizers.sgd({ learningRate: 0.3 }), loss: lossNames.length === 1 ? lossNames[0] : lossNames });
      tfModel.compile({ optimizer: tf.train.sgd(0.3), loss: lossNames.length === 1 ? lossNames[0] : lossNames });
      const losses = noDiff();
      const weights = noDiff();
      const trail: string[] = [];
      for (let s = 1; s <= 4; s++) {
        const x = inputsOf(c, rng);
        const ys = labels(c, rng);
        const snYs = ys.map((y) => snT(y));
        const tfYs = ys.map((y, i) => (c.outputs[i].classes ? tfLabels(y) : toTf(y)));
        const a = await snModel.trainOnBatch(snT(x), snYs.length === 1 ? snYs[0] : snYs);
        const t = await tfModel.trainOnBatch(toTf(x), tfYs.length === 1 ? tfYs[0] : tfYs);
        const av = (Array.isArray(a) ? a : [a]).map(Number);
        const tv = tfLosses(t as number | number[], c.outputs.map(() => 1));
        trail.push(`step ${s}: ${av.join(', ')} vs ${tv.join(', ')}`);
        closeness(av.slice(0, tv.length), tv, `step ${s} losses`, TOL, losses);
        const w = compareWeights(snModel, tfModel, TOL);
        weights.maxAbs = Math.max(weights.maxAbs, w.maxAbs);
        weights.maxRel = Math.max(weights.maxRel, w.maxRel);
        if (!(w.ratio <= weights.ratio)) Object.assign(weights, { ratio: w.ratio, where: `after step ${s}: ${w.where}` });
      }
      console.log(`${c.title}: predict ${fmt(pred)}; losses ${fmt(losses)}; weights ${fmt(weights)}`);
      expect(pred.ratio, pred.where).toBeLessThanOrEqual(1);
      expect(losses.ratio, `${losses.where}\n${trail.join('\n')}`).toBeLessThanOrEqual(1);
      expect(weights.ratio, `${weights.where}\n${trail.join('\n')}`).toBeLessThanOrEqual(1);
      snModel.dispose();
      tfModel.dispose();
    });
  }
});

describe('returnState in model files', () => {
  it('lstm(returnState) → concatenate: simdnet saves → TF.js loads; TF.js saves → simdnet loads; inbound nodes name tensor indices 1 and 2', async () => {
    const { snModel, tfModel } = pair(lstmConcat, 31);
    const x = randomBatch(new Rng(3), [lstmConcat.batch, ...lstmConcat.inputShape]);
    await expectFilesBothWays(snModel, tfModel, x, TOL, ({ snFile, back, want }) => {
      const layers = (snFile.modelTopology as { config: { layers: { name: string; inbound_nodes: unknown[][][] }[] } }).config.layers;
      const cat = layers.find((l) => l.name === 'cat')!;
      expect(cat.inbound_nodes[0].map((r) => r.slice(0, 3))).toEqual([['lstm', 0, 0], ['lstm', 0, 1], ['lstm', 0, 2]]);
      expect(Array.from((back.predict(snT(x)) as sn.Tensor).dataSync())).toEqual(Array.from(want));
    });
    snModel.dispose();
    tfModel.dispose();
  });

  it('gru(returnState) with the state as a model output: output_layers carry tensor index 1, both ways', async () => {
    const c = CASES[1];
    const { snModel, tfModel } = pair(c, 41);
    const x = randomBatch(new Rng(4), [c.batch, ...c.inputShape]);
    const want = snOuts(snModel.predict(snT(x)));
    const snFile = await snArtifacts(snModel);
    const outLayers = (snFile.modelTopology as { config: { output_layers: unknown[][] } }).config.output_layers;
    expect(outLayers).toEqual([['out', 0, 0], ['gru', 0, 1]]);
    const tfLoaded = await tfl.loadLayersModel(tf.io.fromMemory(snFile as tf.io.ModelArtifacts));
    const fromTf = tfOutputs(tfLoaded.predict(toTf(x)) as tf.Tensor[]);
    const back = await sn.loadLayersModel(sn.io.fromMemory(snFile));
    const mine = snOuts(back.predict(snT(x)));
    want.forEach((w, i) => {
      const d = closeness(fromTf[i], w, `TF.js from simdnet file, output ${i}`, TOL);
      expect(d.ratio, d.where).toBeLessThanOrEqual(1);
      expect(Array.from(mine[i]), `simdnet round trip, output ${i}`).toEqual(Array.from(w));
    });
    // TF.js's own file of the same model.
    let tfFile: tf.io.ModelArtifacts | undefined;
    await tfModel.save(tf.io.withSaveHandler(async (a) => ((tfFile = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const snLoaded = await sn.loadLayersModel(sn.io.fromMemory(tfFile!));
    const tfWant = tfOutputs(tfModel.predict(toTf(x)) as tf.Tensor[]);
    snOuts(snLoaded.predict(snT(x))).forEach((v, i) => {
      const d = closeness(v, tfWant[i], `simdnet from TF.js file, output ${i}`, TOL);
      expect(d.ratio, d.where).toBeLessThanOrEqual(1);
    });
    expect(snLoaded.outputs.map((t) => t.index)).toEqual([0, 1]);
    for (const m of [tfLoaded, tfModel]) m.dispose();
    for (const m of [back, snLoaded, snModel]) m.dispose();
  });

  it('a tensor index past a node\'s outputs is an error naming the layer and the count', async () => {
    const c = CASES[1];
    const { snModel, tfModel } = pair(c, 43);
    const file = await snArtifacts(snModel);
    const topo = JSON.parse(JSON.stringify(file.modelTopology)) as { config: { output_layers: unknown[][] } };
    topo.config.output_layers[1] = ['gru', 0, 2];
    await expect(sn.loadLayersModel(sn.io.fromMemory({ ...file, modelTopology: topo }))).rejects.toThrow(/tensor index 2 of gru node 0, which has 2 outputs/);
    snModel.dispose();
    tfModel.dispose();
  });
});

describe('gradient checks through the state outputs (utils.checkGradients)', () => {
  const smooth: { title: string; build(lib: Lib): AnyModel; shape: number[]; outs: { classes?: number; shape?: number[] }[]; loss: string[] }[] = [
    {
      title: 'lstm(sigmoid gates, returnState) → concatenate([output, h, c]) → dense',
      build: ({ input, layers, model }) => {
        const x = input({ shape: [4, 3] });
        const [o, h, c] = layers.lstm({ units: 3, recurrentActivation: 'sigmoid', returnState: true, name: 'l' }).apply(x);
        return model({ inputs: x, outputs: layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(layers.concatenate().apply([o, h, c])) });
      },
      shape: [4, 3],
      outs: [{ classes: 3 }],
      loss: ['sparseCategoricalCrossentropy'],
    },
    {
      title: 'lstm(returnSequences, goBackwards, returnState): c alone as the output (mse)',
      build: ({ input, layers, model }) => {
        const x = input({ shape: [4, 2] });
        const [, , c] = layers.lstm({ units: 3, recurrentActivation: 'sigmoid', returnSequences: true, goBackwards: true, returnState: true, name: 'l' }).apply(x);
        return model({ inputs: x, outputs: c });
      },
      shape: [4, 2],
      outs: [{ shape: [3] }],
      loss: ['meanSquaredError'],
    },
    {
      title: 'gru(sigmoid gates, returnSequences, returnState) → [dense(flatten(sequence)), h]',
      build: ({ input, layers, model }) => {
        const x = input({ shape: [4, 3] });
        const [s, h] = layers.gru({ units: 3, recurrentActivation: 'sigmoid', returnSequences: true, returnState: true, name: 'g' }).apply(x);
        return model({ inputs: x, outputs: [layers.dense({ units: 2, activation: 'softmax', name: 'out' }).apply(layers.flatten().apply(s)), h] });
      },
      shape: [4, 3],
      outs: [{ classes: 2 }, { shape: [3] }],
      loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'],
    },
    {
      title: 'gru(resetAfter, returnState) and simpleRNN(returnState): states as outputs',
      build: ({ input, layers, model }) => {
        const x = input({ shape: [4, 3] });
        const [, h] = layers.gru({ units: 3, resetAfter: true, recurrentActivation: 'sigmoid', returnState: true, name: 'g' }).apply(x);
        const [, h2] = layers.simpleRNN({ units: 2, returnState: true, name: 'r' }).apply(x);
        return model({ inputs: x, outputs: [h, h2] });
      },
      shape: [4, 3],
      outs: [{ shape: [3] }, { shape: [2] }],
      loss: ['meanSquaredError', 'meanSquaredError'],
    },
  ];
  for (const c of smooth) {
    it(c.title, () => {
      sn.setSeed(3);
      const m = c.build(libOf('sn')) as sn.LayersModel;
      randomize(m, 3);
      m.compile({ optimizer: 'sgd', loss: c.loss.length === 1 ? c.loss[0] : c.loss } as never);
      const rng = new Rng(9);
      const x = randomBatch(rng, [3, ...c.shape]);
      const ys = c.outs.map((o) => snT(o.classes ? randomLabels(rng, 3, o.classes) : randomBatch(rng, [3, ...o.shape!], -0.9, 0.9)));
      const r = sn.utils.checkGradients(m, snT(x), ys.length === 1 ? ys[0] : ys);
      expect(r.checked).toBeGreaterThan(20);
      // f32 forward through every step: 2e-3 of the gradient's norm is the finite differences' noise floor.
      expect(r.maxError, JSON.stringify(r.perLayer)).toBeLessThan(2e-3);
      m.dispose();
    });
  }
});

describe('returnState: eager apply, summary, refusals', () => {
  it('eager apply returns [output, h, c] as TF.js does', () => {
    sn.setSeed(5);
    const l = sn.layers.lstm({ units: 3, returnState: true, returnSequences: true, name: 'eager_lstm' });
    const tl = tfl.layers.lstm({ units: 3, returnState: true, returnSequences: true, name: 'eager_lstm' });
    const xv = values(8, 2 * 4 * 2, -1, 1);
    const outs = l.apply(sn.tensor(xv, [2, 4, 2])) as unknown as sn.Tensor[];
    expect(Array.isArray(outs)).toBe(true);
    expect(outs.map((t) => t.shape)).toEqual([[2, 4, 3], [2, 3], [2, 3]]);
    tl.apply(tf.zeros([2, 4, 2]));
    tl.setWeights(l.getWeights().map((w) => tf.tensor(Float32Array.from(w.dataSync()), [...w.shape])));
    const want = tl.apply(tf.tensor(xv, [2, 4, 2])) as tf.Tensor[];
    outs.forEach((t, i) => {
      const d = closeness(t.dataSync(), want[i].dataSync(), `eager output ${i}`, TOL);
      expect(d.ratio, d.where).toBeLessThanOrEqual(1);
    });
    // Without a mask, h is the sequence's last step.
    expect(Array.from(outs[1].dataSync())).toEqual(Array.from(outs[0].dataSync()).filter((_, i) => Math.floor(i / 3) % 4 === 3));
  });

  it('h and c of one layer as two model outputs: names lstm and lstm_1 (Keras), one log key each; fit and evaluate run', async () => {
    sn.setSeed(2);
    const x = sn.input({ shape: [3, 2] });
    const [, h, c] = sn.layers.lstm({ units: 2, returnState: true, name: 'lstm' }).apply(x) as unknown as SymbolicTensor[];
    const m = sn.model({ inputs: x, outputs: [h, c] });
    expect(m.outputNames).toEqual(['lstm', 'lstm_1']);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const xs = sn.tensor(values(3, 4 * 3 * 2, -1, 1), [4, 3, 2]);
    const hist = await m.fit(xs, { lstm: sn.ones([4, 2]), lstm_1: sn.zeros([4, 2]) }, { epochs: 2, verbose: 0 });
    expect(Object.keys(hist.history).sort()).toEqual(['loss', 'lstm_1_loss', 'lstm_loss']);
    const [total, lh, lc] = (m.evaluate(xs, [sn.ones([4, 2]), sn.zeros([4, 2])]) as sn.Tensor[]).map((t) => t.dataSync()[0]);
    expect(total).toBeCloseTo(lh + lc, 6);
    // The c output's loss is the mean square of c itself.
    const cv = Array.from((m.predict(xs) as sn.Tensor[])[1].dataSync());
    expect(lc).toBeCloseTo(cv.reduce((s, v) => s + v * v, 0) / cv.length, 6);
    m.dispose();
  });

  it('summary lists every output shape; later layers name the tensor index they read', () => {
    const m = lstmConcat.build(libOf('sn')) as sn.LayersModel;
    const lines: string[] = [];
    m.summary(120, (s) => lines.push(s));
    expect(lines.find((s) => s.startsWith('lstm (LSTM)'))).toContain('[[null,4],[null,4],[null,4]]');
    const cat = lines.findIndex((s) => s.startsWith('cat (Concatenate)'));
    expect(lines[cat]).toContain('lstm[0][0]');
    expect(lines[cat + 1]).toContain('lstm[0][1]');
    expect(lines[cat + 2]).toContain('lstm[0][2]');
    m.dispose();
  });

  it('getConfig carries returnState; Sequential refuses a layer with several outputs; initialState is refused by name', () => {
    expect(sn.layers.gru({ units: 2, returnState: true }).getConfig()).toMatchObject({ returnState: true });
    expect(sn.layers.lstm({ units: 2 }).getConfig()).toMatchObject({ returnState: false });
    expect(() => sn.sequential({ layers: [sn.layers.lstm({ units: 2, returnState: true, inputShape: [3, 2], name: 'ls' })] })).toThrow(/ls has several outputs \(returnState: true\); all layers in a Sequential model should have a single output tensor/);
    expect(() => sn.layers.gru({ units: 2, returnState: 1 } as never)).toThrow(/returnState/);
    const x = sn.input({ shape: [3, 2] });
    const [, h] = sn.layers.gru({ units: 2, returnState: true }).apply(x) as unknown as SymbolicTensor[];
    expect(() => sn.layers.gru({ units: 2, name: 'dec' }).apply(x, { initialState: [h] } as never)).toThrow(/dec\.apply: initialState is not supported/);
  });
});
