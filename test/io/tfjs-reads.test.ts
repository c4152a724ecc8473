// TF.js reads what simdnet writes. For every activation simdnet has, every padding kind, every
// initializer and regularizer: a simdnet model saved through a save handler loads in TF.js
// (tfl.loadLayersModel(tf.io.fromMemory(artifacts))) and predicts what simdnet predicts (1e-6),
// loads back in simdnet as the same layers with the same configs and predictions, and, saved
// again by TF.js, loads in simdnet and predicts the same. What TF.js cannot compute is refused at
// save with the layer's name. Configs: the same model built in TF.js and simdnet is written with
// the same layer configs key for key (names included, since both name every layer alike), the
// initializer and regularizer configs TF.js reads back are the ones written, and the training
// configuration TF.js compiles from is the one TF.js writes for the same compile.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { ACTIVATIONS } from '../../src/layers/activation.ts';
import { zeroPadding2d } from '../../src/layers/padding.ts';
import { toArtifacts, TFJS_ACTIVATIONS } from '../../src/model/save.ts';
import type { Initializer } from '../../src/initializers/index.ts';
import type { Optimizer } from '../../src/optimizers/index.ts';
import { compareWeights, copyWeightsToTf, initTfjs, Rng, tf, tfl, tfLib } from '../helpers/tfjs.ts';
import { snArtifacts as snSave, tfArtifacts as tfSave } from '../helpers/parity.ts';

const { layers, initializers, regularizers } = sn;
type Json = Record<string, unknown>;
type SnArtifacts = Awaited<ReturnType<typeof snArtifacts>>;

beforeAll(async () => {
  await sn.init({ deterministic: true });
  await initTfjs();
});

const values = (seed: number, n: number, lo = -1, hi = 1) => {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => r.uniform(lo, hi));
};

/** Every weight seeded (biases included), so a lost bias or a swapped kernel shows. */
function randomize(m: sn.LayersModel, seed: number): void {
  m.setWeights(m.getWeights().map((w, i) => sn.tensor(values(seed + i, w.size, -0.5, 0.5), [...w.shape])));
}

/** What simdnet's save hands a save handler, its topology and training config as JSON. */
const snArtifacts = async (m: sn.LayersModel) => (await snSave(m)) as sn.ModelArtifacts & { modelTopology: Json; trainingConfig?: Json };

const tfFrom = (a: object) => tfl.loadLayersModel(tf.io.fromMemory(a as tf.io.ModelArtifacts));
const snFrom = (a: object) => sn.loadLayersModel(sn.io.fromMemory(a));

type Inputs = [Float32Array, number[]][];
function snPredict(m: sn.LayersModel, xs: Inputs): Float32Array[] {
  const t = xs.map(([v, s]) => sn.tensor(v, s));
  const r = m.predict(t.length === 1 ? t[0] : t);
  const out = (Array.isArray(r) ? r : [r]).map((x) => Float32Array.from(x.dataSync()));
  for (const x of [...t, ...(Array.isArray(r) ? r : [r])]) x.dispose();
  return out;
}
function tfPredict(m: tfl.LayersModel, xs: Inputs): Float32Array[] {
  return tf.tidy(() => {
    const r = m.predict(xs.length === 1 ? tf.tensor(xs[0][0], xs[0][1]) : xs.map(([v, s]) => tf.tensor(v, s)));
    return (Array.isArray(r) ? r : [r]).map((x) => Float32Array.from(x.dataSync()));
  });
}
function inputsFor(m: sn.LayersModel, seed: number, n = 3): Inputs {
  return m.inputs.map((t, i) => {
    const shape = [n, ...t.sampleShape];
    return [values(seed + i, shape.reduce((a, b) => a * b, 1)), shape];
  });
}

/** |a − b| ≤ 1e-6·max(1, |b|) everywhere. */
function expectClose(a: Float32Array[], b: Float32Array[], what: string): void {
  expect(a.length, `${what}: outputs`).toBe(b.length);
  a.forEach((x, i) => {
    expect(x.length, `${what}: output ${i} size`).toBe(b[i].length);
    let worst = 0;
    let at = -1;
    for (let j = 0; j < x.length; j++) {
      const r = Math.abs(x[j] - b[i][j]) / Math.max(1, Math.abs(b[i][j]));
      if (!(r <= worst)) [worst, at] = [Number.isNaN(r) ? Infinity : r, j];
    }
    expect(worst, `${what}: output ${i}[${at}]: ${x[at]} vs ${b[i][at]}`).toBeLessThanOrEqual(1e-6);
  });
}
const layerConfigs = (m: sn.LayersModel) => m.layers.map((l) => JSON.parse(JSON.stringify({ name: l.name, className: l.className, config: l.getConfig() })));

/**
 * The whole trip for one model: TF.js reads simdnet's artifacts and predicts the same; simdnet
 * reads them back as the same layers and configs and predicts the same bit for bit, and saving
 * again writes the same topology; TF.js saves its copy and simdnet reads that too.
 */
async function roundTrip(m: sn.LayersModel, seed: number): Promise<SnArtifacts> {
  randomize(m, seed);
  const xs = inputsFor(m, seed + 1000);
  const ours = snPredict(m, xs);
  const art = await snArtifacts(m);

  const theirs = await tfFrom(art);
  expectClose(tfPredict(theirs, xs), ours, 'TF.js from simdnet’s artifacts');

  const back = await snFrom(art);
  expect(layerConfigs(back)).toEqual(layerConfigs(m));
  expect(snPredict(back, xs).map((o) => Array.from(o))).toEqual(ours.map((o) => Array.from(o)));
  const again = await snArtifacts(back);
  expect(JSON.stringify(again.modelTopology)).toBe(JSON.stringify(art.modelTopology));

  const viaTf = await snFrom(await tfSave(theirs));
  expectClose(snPredict(viaTf, xs), ours, 'simdnet from TF.js’s copy');

  theirs.dispose();
  for (const x of [m, back, viaTf]) x.dispose();
  return art;
}

const topologyLayers = (a: { modelTopology?: unknown }) => ((a.modelTopology as Json).config as { layers: { class_name: string; config: Json; simdnet?: Json }[] }).layers;

// ---------------------------------------------------------------------------------------------
// Activations
// ---------------------------------------------------------------------------------------------

describe('activations: what TF.js has is written as TF.js reads it, the rest is refused at save', () => {
  const tfjsHas = (a: string) => (TFJS_ACTIVATIONS as readonly string[]).includes(a) || a === 'leakyRelu';
  const writable = ACTIVATIONS.filter(tfjsHas);
  const refused = ACTIVATIONS.filter((a) => !tfjsHas(a));

  it('the list covers the activations both libraries have', () => {
    expect(writable).toEqual(expect.arrayContaining(['linear', 'relu', 'relu6', 'leakyRelu', 'elu', 'sigmoid', 'tanh', 'softplus', 'softmax']));
    expect(refused).toEqual(['step']);
  });

  for (const act of writable) {
    it(`${act} in dense, conv2d, conv1d and an activation layer`, async () => {
      sn.setSeed(1);
      const m = sn.sequential({
        layers: [
          layers.conv2d({ filters: 3, kernelSize: 2, activation: act, inputShape: [4, 5, 2], name: 'c2' }),
          layers.reshape({ targetShape: [12, 3], name: 'r' }),
          layers.conv1d({ filters: 2, kernelSize: 3, activation: act, name: 'c1' }),
          layers.flatten({ name: 'f' }),
          layers.dense({ units: 5, activation: act, name: 'd' }),
          layers.activation({ activation: act, name: 'a' }),
        ],
      });
      const art = await roundTrip(m, 10);
      const written = topologyLayers(art);
      if (act === 'leakyRelu') {
        // Each activated layer as a linear one plus a LeakyReLU layer; the activation layer as a LeakyReLU.
        expect(written.map((l) => `${l.config.name}:${l.class_name}`)).toEqual([
          'c2:Conv2D', 'c2_activation:LeakyReLU', 'r:Reshape', 'c1:Conv1D', 'c1_activation:LeakyReLU', 'f:Flatten', 'd:Dense', 'd_activation:LeakyReLU', 'a:LeakyReLU',
        ]);
        expect(written[0].config.activation).toBe('linear');
        expect(written[0].simdnet).toEqual({ config: { activation: 'leaky_relu' } });
        expect(written[1].simdnet).toEqual({ part_of: 'c2' });
        expect(written[8].simdnet).toEqual({ class_name: 'Activation', config: { activation: 'leaky_relu', alpha: null } });
      } else {
        expect(written.map((l) => l.class_name)).toEqual(['Conv2D', 'Reshape', 'Conv1D', 'Flatten', 'Dense', 'Activation']);
        expect(written.every((l) => l.simdnet === undefined)).toBe(true);
      }
    });
  }

  for (const act of refused) {
    it(`${act}: refused at save, naming the layer and the activation`, async () => {
      const d = sn.sequential({ layers: [layers.dense({ units: 2, activation: act, inputShape: [3], name: 'gate' })] });
      await expect(snArtifacts(d)).rejects.toThrow(new RegExp(`^save: layer gate \\(Dense\\) has activation '${act}', which TF.js has no activation or layer for`));
      const a = sn.sequential({ layers: [layers.dense({ units: 2, inputShape: [3] }), layers.activation({ activation: act, name: 'act' })] });
      await expect(snArtifacts(a)).rejects.toThrow(/^save: layer act \(Activation\) has activation/);
      d.dispose();
      a.dispose();
    });
  }

  it('activation layers with options: leakyReLU alpha, activation leakyRelu alpha, reLU maxValue, elu, softmax axis', async () => {
    sn.setSeed(2);
    const m = sn.sequential({
      layers: [
        layers.dense({ units: 6, inputShape: [4], name: 'd' }),
        layers.leakyReLU({ alpha: 0.2, name: 'lr' }),
        layers.activation({ activation: 'leakyRelu', alpha: 0.1, name: 'alr' }),
        layers.reLU({ maxValue: 0.4, name: 'rm' }),
        layers.elu({ name: 'e' }),
        layers.activation({ activation: 'elu', alpha: 1, name: 'ae' }),
        layers.softmax({ axis: -1, name: 's' }),
      ],
    });
    await roundTrip(m, 20);
  });

  it('elu with alpha other than 1 is refused at save (TF.js computes alpha 1 only)', async () => {
    for (const l of [layers.elu({ alpha: 0.5, name: 'e' }), layers.activation({ activation: 'elu', alpha: 0.5, name: 'e' })]) {
      const m = sn.sequential({ layers: [layers.dense({ units: 2, inputShape: [3] }), l] });
      await expect(snArtifacts(m)).rejects.toThrow(/^save: layer e \((ELU|Activation)\) computes elu with alpha 0.5, which TF.js cannot/);
      m.dispose();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Padding
// ---------------------------------------------------------------------------------------------

describe('padding: every kind simdnet accepts is written as TF.js computes it', () => {
  const conv2d: [string, Partial<Parameters<typeof layers.conv2d>[0]>][] = [
    ['valid', { padding: 'valid' }],
    ['same, strides 2', { padding: 'same', strides: 2 }],
    ['same, dilation 2', { padding: 'same', dilationRate: 2 }],
    ['1', { padding: 1 }],
    ['[[1, 0], [2, 1]], strides 2', { padding: [[1, 0], [2, 1]], strides: 2 }],
    ['0', { padding: 0 }],
  ];
  for (const [title, opts] of conv2d) {
    it(`conv2d padding ${title}`, async () => {
      sn.setSeed(3);
      const m = sn.sequential({ layers: [layers.conv2d({ ...opts, filters: 2, kernelSize: 3, inputShape: [7, 6, 2], activation: 'tanh', name: 'c' }), layers.flatten({ name: 'f' })] });
      const art = await roundTrip(m, 30);
      const written = topologyLayers(art);
      if (typeof opts.padding === 'string') expect(written.map((l) => l.class_name)).toEqual(['Conv2D', 'Flatten']);
      else {
        expect(written.map((l) => l.class_name)).toEqual(['ZeroPadding2D', 'Conv2D', 'Flatten']);
        // The input shape moves to the first layer written.
        expect(written[0].config.batch_input_shape).toEqual([null, 7, 6, 2]);
        expect(written[1].config.batch_input_shape).toBeUndefined();
        expect(written[1].config.padding).toBe('valid');
      }
    });
  }

  const conv1d: [string, Parameters<typeof layers.conv1d>[0]['padding']][] = [
    ['valid', 'valid'],
    ['same', 'same'],
    ['causal', 'causal'],
    ['2', 2],
    ['[2, 0]', [2, 0]],
  ];
  for (const [title, padding] of conv1d) {
    it(`conv1d padding ${title}`, async () => {
      sn.setSeed(4);
      const m = sn.sequential({ layers: [layers.conv1d({ filters: 3, kernelSize: 3, dilationRate: 2, inputShape: [9, 2], padding, name: 'c' }), layers.flatten({ name: 'f' })] });
      const art = await roundTrip(m, 40);
      const written = topologyLayers(art).map((l) => l.class_name);
      expect(written).toEqual(padding === 'valid' || padding === 'same' ? ['Conv1D', 'Flatten'] : ['Reshape', 'ZeroPadding2D', 'Reshape', 'Conv1D', 'Flatten']);
    });
  }

  for (const padding of ['valid', 'same'] as const) {
    it(`pooling padding ${padding} (2D and 1D, max and average, odd sizes)`, async () => {
      const a = sn.input({ shape: [7, 5, 2], name: 'img' });
      const b = sn.input({ shape: [7, 3], name: 'seq' });
      const outs = [
        layers.maxPooling2d({ poolSize: 3, strides: 2, padding, name: 'mp2' }).apply(a),
        layers.averagePooling2d({ poolSize: [2, 3], strides: 2, padding, name: 'ap2' }).apply(a),
        layers.maxPooling1d({ poolSize: 2, strides: 2, padding, name: 'mp1' }).apply(b),
        layers.averagePooling1d({ poolSize: 3, strides: 2, padding, name: 'ap1' }).apply(b),
      ] as sn.SymbolicTensor[];
      await roundTrip(sn.model({ inputs: [a, b], outputs: outs, name: `pools_${padding}` }), 50);
    });
  }

  it('zeroPadding2d: its three spellings, forward and gradient as TF.js', async () => {
    for (const padding of [1, [2, 0], [[0, 1], [2, 3]]] as const) {
      sn.setSeed(5);
      const m = sn.sequential({ layers: [zeroPadding2d({ padding: padding as never, inputShape: [3, 4, 2], name: 'z' }), layers.conv2d({ filters: 2, kernelSize: 2, name: 'c' })] });
      await roundTrip(m, 60);
    }
  });

  it('the layers written in front of or after a layer take names no layer of the model has', async () => {
    const m = sn.sequential({ layers: [layers.conv2d({ filters: 1, kernelSize: 2, padding: 1, activation: 'leakyRelu', inputShape: [4, 4, 1], name: 'c' }), layers.reLU({ name: 'c_zero_padding' }), layers.reLU({ name: 'c_activation' })] });
    const art = await roundTrip(m, 85);
    expect(topologyLayers(art).map((l) => l.config.name)).toEqual(['c_zero_padding_1', 'c', 'c_activation_1', 'c_zero_padding', 'c_activation']);
  });

  it('zeroPadding2d trains as in TF.js: its gradient hands the inner values back', async () => {
    sn.setSeed(5);
    // A conv in front, so that the padding layer's input gradient is needed (and checked through its weights).
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const build = (L: any, zp: (a: object) => unknown) => [
      L.conv2d({ filters: 2, kernelSize: 1, inputShape: [3, 4, 2], name: 'c0' }),
      zp({ padding: [[1, 0], [0, 2]], name: 'z' }),
      L.conv2d({ filters: 2, kernelSize: 2, name: 'c' }),
      L.flatten({ name: 'f' }),
      L.dense({ units: 2, name: 'd' }),
    ];
    const m = sn.sequential({ layers: build(layers, zeroPadding2d) as Parameters<typeof sn.sequential>[0] extends { layers?: infer T } ? T : never });
    const t = tfl.sequential({ layers: build(tfl.layers, (a) => tfl.layers.zeroPadding2d(a as never)) as tfl.layers.Layer[] });
    randomize(m, 80);
    copyWeightsToTf(m as never, t);
    m.compile({ optimizer: sn.optimizers.sgd({ learningRate: 0.5 }), loss: 'meanSquaredError' });
    t.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
    const [x, y] = [values(1, 4 * 3 * 4 * 2), values(2, 4 * 2)];
    for (let i = 0; i < 3; i++) {
      await m.trainOnBatch(sn.tensor(x, [4, 3, 4, 2]), sn.tensor(y, [4, 2]));
      await t.trainOnBatch(tf.tensor(x, [4, 3, 4, 2]), tf.tensor(y, [4, 2]));
    }
    const c = compareWeights(m as never, t, { rtol: 1e-5, atol: 1e-6 });
    expect(c.ratio, c.where).toBeLessThanOrEqual(1);
    // The first conv moved: a gradient came back through the padding.
    expect(Array.from(m.getLayer('c0').getWeights()[0].dataSync())).not.toEqual(Array.from(values(80, 4, -0.5, 0.5)));
    m.dispose();
    t.dispose();
  });

  it('a functional model: padded and leakyRelu convs, one of them shared, as outputs and inputs of others', async () => {
    sn.setSeed(6);
    const x = sn.input({ shape: [6, 6, 2], name: 'x' });
    const y = sn.input({ shape: [6, 6, 2], name: 'y' });
    const shared = layers.conv2d({ filters: 2, kernelSize: 3, padding: 1, activation: 'leakyRelu', name: 'shared' });
    const sx = shared.apply(x) as sn.SymbolicTensor;
    const sy = shared.apply(y) as sn.SymbolicTensor;
    const sum = layers.add({ name: 'sum' }).apply([sx, sy]) as sn.SymbolicTensor;
    const c = layers.conv2d({ filters: 3, kernelSize: 2, padding: [[0, 1], [1, 0]], name: 'c' }).apply(sum) as sn.SymbolicTensor;
    const out = layers.dense({ units: 2, activation: 'leakyRelu', name: 'out' }).apply(layers.flatten({ name: 'f' }).apply(c) as sn.SymbolicTensor) as sn.SymbolicTensor;
    const m = sn.model({ inputs: [x, y], outputs: [sy, out], name: 'graph' });
    const art = await roundTrip(m, 70);
    const cfg = (art.modelTopology as Json).config as Json;
    // Others read a leakyRelu layer's output where its LeakyReLU part writes it.
    expect((cfg.output_layers as unknown[][]).map((r) => r[0])).toEqual(['shared_activation', 'out_activation']);
  });
});

describe('TF.js-built models with the layers and options simdnet now reads', () => {
  it('zeroPadding2d, conv2d same, reLU maxValue, elu, leakyReLU, softmax (TF.js’s default axis 1), initializers with arguments', async () => {
    const t = tfl.sequential({
      layers: [
        tfl.layers.zeroPadding2d({ padding: [[1, 2], [0, 1]], inputShape: [5, 4, 2], name: 'zp' }),
        tfl.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: tfl.initializers.varianceScaling({ scale: 0.5, mode: 'fanAvg', distribution: 'uniform' }), name: 'c' }),
        tfl.layers.reLU({ maxValue: 0.3, name: 'rm' }),
        tfl.layers.elu({ name: 'e' }),
        tfl.layers.flatten({ name: 'f' }),
        tfl.layers.dense({ units: 5, kernelInitializer: 'leCunUniform', biasInitializer: tfl.initializers.constant({ value: 0.1 }), kernelRegularizer: tfl.regularizers.l1l2({ l1: 0.01, l2: 0.02 }), name: 'd' }),
        tfl.layers.leakyReLU({ alpha: 0.15, name: 'lr' }),
        tfl.layers.softmax({ name: 's' }),
      ],
    });
    const rng = new Rng(90);
    for (const l of t.layers) {
      const ws = l.getWeights();
      if (ws.length) l.setWeights(ws.map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => rng.uniform(-0.5, 0.5)), w.shape)));
    }
    const art = await tfSave(t);
    const m = await snFrom(art);
    expect(m.layers.map((l) => l.className)).toEqual(['ZeroPadding2D', 'Conv2D', 'ReLU', 'ELU', 'Flatten', 'Dense', 'LeakyReLU', 'Softmax']);
    const xs: Inputs = [[values(91, 3 * 5 * 4 * 2), [3, 5, 4, 2]]];
    expectClose(snPredict(m, xs), tfPredict(t, xs), 'simdnet from TF.js’s file');
    // And back: simdnet's save of it is TF.js's file, layer for layer.
    expect(topologyLayers(await snArtifacts(m))).toEqual(topologyLayers(art));
    m.dispose();
    t.dispose();
  });
});

// ---------------------------------------------------------------------------------------------
// Initializers and regularizers
// ---------------------------------------------------------------------------------------------

/** A dense layer's weight configs as each library writes them: [simdnet's written, TF.js's re-saved] JSON. */
async function initConfigs(snArgs: Json, tfArgs: Json | null, units = 4, inDim = 4): Promise<{ ours: Json; theirs: Json; tfOwn: Json | null; back: Json }> {
  // The default kernel initializers differ (TF.js's is glorotNormal, simdnet's glorotUniform): set one.
  const k = { kernelInitializer: 'glorotUniform' };
  const m = sn.sequential({ layers: [layers.dense({ units, inputShape: [inDim], name: 'd', ...k, ...snArgs } as never)] });
  const art = await snArtifacts(m);
  const ours = topologyLayers(art)[0].config;
  const loaded = await tfFrom(art);
  const theirs = topologyLayers(await tfSave(loaded))[0].config;
  const own = tfArgs && tfl.sequential({ layers: [tfl.layers.dense({ units, inputShape: [inDim], name: 'd', ...k, ...tfArgs } as never)] });
  const tfOwn = own && topologyLayers(await tfSave(own))[0].config;
  const back = await snFrom(art);
  const backCfg = topologyLayers(await snArtifacts(back))[0].config;
  loaded.dispose();
  own?.dispose();
  m.dispose();
  back.dispose();
  return { ours, theirs, tfOwn, back: backCfg };
}
const KEYS = ['kernel_initializer', 'bias_initializer', 'kernel_regularizer', 'bias_regularizer'];
const pick = (c: Json | null) => c && Object.fromEntries(KEYS.map((k) => [k, c[k]]));

describe('initializers: written as TF.js writes them, read back the same by TF.js and simdnet', () => {
  const ti = tfl.initializers;
  const cases: [string, () => [Initializer, unknown | null]][] = [
    ['zeros', () => [initializers.zeros(), ti.zeros()]],
    ['ones', () => [initializers.ones(), ti.ones()]],
    ['constant', () => [initializers.constant({ value: 0.25 }), ti.constant({ value: 0.25 })]],
    ['randomNormal', () => [initializers.randomNormal({ mean: 0.1, stddev: 0.2, seed: 3 }), ti.randomNormal({ mean: 0.1, stddev: 0.2, seed: 3 })]],
    ['randomNormal (no seed)', () => [initializers.randomNormal({ stddev: 0.3 }), ti.randomNormal({ stddev: 0.3 })]],
    ['randomUniform', () => [initializers.randomUniform({ minval: -0.2, maxval: 0.3, seed: 4 }), ti.randomUniform({ minval: -0.2, maxval: 0.3, seed: 4 })]],
    ['truncatedNormal', () => [initializers.truncatedNormal({ mean: -0.1, stddev: 0.05, seed: 5 }), ti.truncatedNormal({ mean: -0.1, stddev: 0.05, seed: 5 })]],
    ['varianceScaling', () => [initializers.varianceScaling({ scale: 2.5, mode: 'fanOut', distribution: 'uniform', seed: 6 }), ti.varianceScaling({ scale: 2.5, mode: 'fanOut', distribution: 'uniform', seed: 6 })]],
    ['varianceScaling (defaults)', () => [initializers.varianceScaling(), ti.varianceScaling({})]],
    ['glorotUniform', () => [initializers.glorotUniform({ seed: 7 }), ti.glorotUniform({ seed: 7 })]],
    ['glorotNormal', () => [initializers.glorotNormal(), ti.glorotNormal({})]],
    ['heUniform', () => [initializers.heUniform({ seed: 8 }), ti.heUniform({ seed: 8 })]],
    ['heNormal', () => [initializers.heNormal(), ti.heNormal({})]],
    ['leCunUniform', () => [initializers.leCunUniform(), ti.leCunUniform({})]],
    ['leCunNormal', () => [initializers.leCunNormal({ seed: 9 }), ti.leCunNormal({ seed: 9 })]],
    // TF.js 4.22's orthogonal fails when it draws (rMat.flatten is not a function): its config is compared as written.
    ['orthogonal', () => [initializers.orthogonal({ gain: 1.5, seed: 10 }), null]],
    ['identity', () => [initializers.identity({ gain: 0.5 }), ti.identity({ gain: 0.5 })]],
  ];
  for (const [title, make] of cases) {
    it(title, async () => {
      const [ours, theirs] = make();
      const [oursB, theirsB] = make();
      // Orthogonal and identity need a kernel (2D) shape: the bias gets zeros.
      const kernelOnly = title === 'orthogonal' || title === 'identity';
      const c = await initConfigs({ kernelInitializer: ours, biasInitializer: kernelOnly ? 'zeros' : oursB }, theirs === null ? null : { kernelInitializer: theirs, biasInitializer: kernelOnly ? 'zeros' : theirsB });
      if (c.tfOwn) expect(pick(c.ours)).toEqual(pick(c.tfOwn));
      else expect(c.ours.kernel_initializer).toEqual({ class_name: 'Orthogonal', config: { gain: 1.5, seed: 10 } });
      expect(pick(c.theirs)).toEqual(pick(c.ours));
      expect(pick(c.back)).toEqual(pick(c.ours));
    });
  }

  // Every name TF.js's getInitializer knows ('constant' needs a value: TF.js makes Constant(undefined), simdnet refuses the bare name).
  const NAMES = ['glorotNormal', 'glorotUniform', 'heNormal', 'heUniform', 'identity', 'leCunNormal', 'leCunUniform', 'ones', 'orthogonal', 'randomNormal', 'randomUniform', 'truncatedNormal', 'varianceScaling', 'zeros'];
  it('every TF.js initializer name, as a kernelInitializer string, is written as TF.js writes it', async () => {
    for (const name of NAMES) {
      const c = await initConfigs({ kernelInitializer: name }, name === 'orthogonal' ? null : { kernelInitializer: name });
      expect(c.ours.kernel_initializer, name).toEqual(c.tfOwn?.kernel_initializer ?? { class_name: 'Orthogonal', config: { gain: 1, seed: null } });
    }
    expect(() => layers.dense({ units: 2, kernelInitializer: 'constant' })).toThrow(/unknown initializer 'constant'/);
    expect(() => layers.dense({ units: 2, kernelInitializer: 'glorot_uniform' })).toThrow(/unknown initializer 'glorot_uniform'; expected one of .*varianceScaling/);
  });

  it('the draws: orthogonal is orthogonal, identity is gain·I, varianceScaling has the variance asked for', () => {
    const weights = (init: Initializer, inDim: number, units: number) => {
      const m = sn.sequential({ layers: [layers.dense({ units, inputShape: [inDim], kernelInitializer: init })] });
      const w = m.getWeights()[0].dataSync() as Float32Array;
      m.dispose();
      return Float64Array.from(w);
    };
    for (const [rows, cols] of [[6, 4], [4, 6], [5, 5]]) {
      const w = weights(initializers.orthogonal({ gain: 2, seed: 1 }), rows, cols);
      // The smaller side's Gram matrix is 4·I.
      const [n, m, at] = rows >= cols ? [cols, rows, (r: number, c: number) => w[r * cols + c]] : [rows, cols, (r: number, c: number) => w[c * cols + r]];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let d = 0;
          for (let k = 0; k < m; k++) d += at(k, i) * at(k, j);
          expect(Math.abs(d - (i === j ? 4 : 0)), `${rows}x${cols} gram[${i}][${j}]`).toBeLessThan(1e-5);
        }
      }
    }
    const id = weights(initializers.identity({ gain: 3 }), 3, 3);
    expect(Array.from(id)).toEqual([3, 0, 0, 0, 3, 0, 0, 0, 3]);
    expect(() => weights(initializers.identity(), 3, 4)).toThrow(/initializers.identity: needs a square 2D weight, got shape \[3,4\]/);
    const std = (w: Float64Array) => Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    // fanIn 200: normal (truncated at 2σ, TF.js's) has stddev 0.88·√(scale/200); truncatedNormal (Keras's) √(scale/200).
    const normal = std(weights(initializers.varianceScaling({ scale: 2, distribution: 'normal', seed: 2 }), 200, 300));
    const truncated = std(weights(initializers.varianceScaling({ scale: 2, distribution: 'truncatedNormal', seed: 2 }), 200, 300));
    const uniform = std(weights(initializers.varianceScaling({ scale: 2, mode: 'fanAvg', distribution: 'uniform', seed: 2 }), 200, 300));
    expect(normal / Math.sqrt(2 / 200)).toBeCloseTo(0.8796, 2);
    expect(truncated / Math.sqrt(2 / 200)).toBeCloseTo(1, 2);
    expect(uniform / Math.sqrt(2 / 250)).toBeCloseTo(1, 2);
  });

  it('options are checked', () => {
    expect(() => initializers.varianceScaling({ mode: 'fan_in' as never })).toThrow(/initializers.varianceScaling: mode must be one of fanIn, fanOut, fanAvg, got "fan_in"/);
    expect(() => initializers.varianceScaling({ distribution: 'untruncatedNormal' as never })).toThrow(/distribution must be one of normal, uniform, truncatedNormal/);
    expect(() => initializers.varianceScaling({ scale: -1 })).toThrow(/initializers.varianceScaling: scale: expected a number >= 0, got -1/);
    expect(() => initializers.varianceScaling({ scale: NaN })).toThrow(/scale: expected a number >= 0, got NaN/);
    expect(() => initializers.orthogonal({ gain: Infinity })).toThrow(/initializers.orthogonal: gain: expected a finite number/);
    expect(() => initializers.identity({ gain: 1, seed: 2 } as never)).toThrow(/initializers.identity: unknown option seed/);
    const m = sn.sequential({ layers: [layers.dense({ units: 3, inputShape: [2], biasInitializer: initializers.orthogonal() })] });
    expect(() => m.getWeights()).toThrow(/initializers.orthogonal: needs a weight of rank 2 or more \(a kernel\), got shape \[3\]/);
  });

  it('a hand-made initializer TF.js has no class for is refused at save', async () => {
    const mine = { className: 'MyInit', fill: (o: Float32Array) => void o.fill(0.5), getConfig: () => ({}) };
    const m = sn.sequential({ layers: [layers.dense({ units: 2, inputShape: [3], name: 'd', kernelInitializer: mine })] });
    await expect(snArtifacts(m)).rejects.toThrow(/^save: layer d \(Dense\): kernelInitializer "MyInit" is no TF.js initializer, so neither TF.js nor simdnet could read the file/);
    m.dispose();
  });

  it('a file with an initializer option simdnet would ignore is refused, naming it', async () => {
    const m = sn.sequential({ layers: [layers.dense({ units: 2, inputShape: [3], name: 'd', kernelInitializer: initializers.randomNormal({ seed: 1 }) })] });
    const art = await snArtifacts(m);
    const l = topologyLayers(art)[0].config as { kernel_initializer: { config: Json } };
    l.kernel_initializer.config.dtype = 'float64';
    await expect(snFrom(art)).rejects.toThrow(/layer d \(Dense\): kernelInitializer: RandomNormal option dtype is not supported; RandomNormal takes mean, stddev, seed/);
    m.dispose();
  });
});

describe('regularizers: written as TF.js writes them and read back the same', () => {
  const rg = tfl.regularizers;
  const cases: [string, () => [unknown, unknown]][] = [
    ['l1', () => [regularizers.l1({ l1: 0.02 }), rg.l1({ l1: 0.02 })]],
    ['l2', () => [regularizers.l2({ l2: 0.03 }), rg.l2({ l2: 0.03 })]],
    ['l1l2', () => [regularizers.l1l2({ l1: 0.01, l2: 0.04 }), rg.l1l2({ l1: 0.01, l2: 0.04 })]],
    ['l1l2 defaults', () => [regularizers.l1l2(), rg.l1l2()]],
    ['the l1l2 name', () => ['l1l2', 'l1l2']],
  ];
  for (const [title, make] of cases) {
    it(title, async () => {
      const [a, b] = make();
      const [a2, b2] = make();
      const c = await initConfigs({ kernelRegularizer: a, biasRegularizer: a2 }, { kernelRegularizer: b, biasRegularizer: b2 });
      expect(pick(c.ours)).toEqual(pick(c.tfOwn));
      expect(pick(c.theirs)).toEqual(pick(c.ours));
      expect(pick(c.back)).toEqual(pick(c.ours));
    });
  }
  it('an activity regularizer is an error at construction, not dropped', () => {
    expect(() => layers.dense({ units: 2, activityRegularizer: 'l1l2' } as never)).toThrow(/layers.dense: unknown option activityRegularizer/);
    expect(() => layers.conv2d({ filters: 2, kernelSize: 2, activityRegularizer: regularizers.l2() } as never)).toThrow(/layers.conv2d: unknown option activityRegularizer/);
  });
});

// ---------------------------------------------------------------------------------------------
// Training configuration
// ---------------------------------------------------------------------------------------------

describe('trainingConfig: written as TF.js writes it (includeOptimizer), and TF.js compiles from it', () => {
  const build = () => {
    sn.setSeed(7);
    return sn.sequential({ layers: [layers.dense({ units: 4, activation: 'relu', inputShape: [3], name: 'h' }), layers.dense({ units: 3, activation: 'softmax', name: 'p' })] });
  };
  const buildTf = () => tfl.sequential({ layers: [tfl.layers.dense({ units: 4, activation: 'relu', inputShape: [3], name: 'h' }), tfl.layers.dense({ units: 3, activation: 'softmax', name: 'p' })] });
  const cases: [string, () => Optimizer, () => tf.Optimizer, string, string[]][] = [
    ['adam, categoricalCrossentropy, accuracy', () => sn.optimizers.adam({ learningRate: 0.01, beta1: 0.8 }), () => tf.train.adam(0.01, 0.8), 'categoricalCrossentropy', ['accuracy']],
    ['sgd, meanSquaredError, mae and mse', () => sn.optimizers.sgd({ learningRate: 0.1 }), () => tf.train.sgd(0.1), 'meanSquaredError', ['mae', 'mse']],
    ['momentum (nesterov)', () => sn.optimizers.momentum({ learningRate: 0.05, momentum: 0.8, useNesterov: true }), () => tf.train.momentum(0.05, 0.8, true), 'sparseCategoricalCrossentropy', ['accuracy']],
    ['rmsprop', () => sn.optimizers.rmsprop({ learningRate: 0.002, decay: 0.8, momentum: 0.1, epsilon: 1e-6 }), () => tf.train.rmsprop(0.002, 0.8, 0.1, 1e-6), 'binaryCrossentropy', []],
    ['adagrad', () => sn.optimizers.adagrad({ learningRate: 0.2, initialAccumulatorValue: 0.2 }), () => tf.train.adagrad(0.2, 0.2), 'meanAbsoluteError', ['categoricalAccuracy']],
  ];
  for (const [title, opt, tfOpt, loss, metrics] of cases) {
    it(title, async () => {
      const m = build();
      m.compile({ optimizer: opt(), loss, metrics });
      const t = buildTf();
      t.compile({ optimizer: tfOpt(), loss, metrics });
      const ours = await snArtifacts(m);
      const theirs = await tfSave(t, true);
      expect(ours.trainingConfig).toEqual(theirs.trainingConfig);
      // TF.js compiles the model it loads from it.
      const loaded = await tfFrom(ours);
      expect(loaded.optimizer.getClassName()).toBe((theirs.trainingConfig as unknown as { optimizer_config: { class_name: string } }).optimizer_config.class_name);
      expect(loaded.optimizer.getConfig()).toEqual(t.optimizer.getConfig());
      expect(loaded.loss).toBe(loss);
      // simdnet keeps it and writes it back unchanged.
      const back = await snFrom(ours);
      expect(back.trainingConfig).toEqual(ours.trainingConfig);
      expect((await snArtifacts(back)).trainingConfig).toEqual(ours.trainingConfig);
      // TF.js's file, the optimizer's state included: simdnet reads the config and skips the state.
      const fromTf = await snFrom(theirs);
      expect(fromTf.trainingConfig).toEqual(theirs.trainingConfig);
      expect((theirs.weightSpecs ?? []).some((w) => w.group === 'optimizer')).toBe(true);
      fromTf.dispose();
      for (const x of [loaded, t]) x.dispose();
      m.dispose();
      back.dispose();
    });
  }

  it('what TF.js cannot read is an error at save; includeOptimizer: false leaves it out', async () => {
    const m = build();
    m.compile({ optimizer: sn.optimizers.adamw({ learningRate: 0.01 }), loss: 'categoricalCrossentropy' });
    await expect(snArtifacts(m)).rejects.toThrow(/^save: the training configuration of \w+ cannot be written as TF.js reads it: TF.js has no AdamW optimizer .*; save with \{ includeOptimizer: false \}/);
    const a = toArtifacts(m, { includeOptimizer: false });
    expect(a.trainingConfig).toBeUndefined();
    const loaded = await tfFrom(a);
    expect(tfPredict(loaded, [[values(1, 6), [2, 3]]])[0].length).toBe(6);
    loaded.dispose();
    expect(() => toArtifacts(m, { includeOptimizer: true })).toThrow(/^save: includeOptimizer true: simdnet saves the training configuration .* but not the optimizer's state/);
    expect(() => toArtifacts(m, { includeOptimizer: 'yes' } as never)).toThrow(/^save: includeOptimizer "yes"/);
    expect(() => toArtifacts(m, { optimizer: false } as never)).toThrow(/^save: unknown option optimizer/);

    const x = sn.input({ shape: [3], name: 'x' });
    const o1 = layers.dense({ units: 2, name: 'o1' }).apply(x) as sn.SymbolicTensor;
    const o2 = layers.dense({ units: 2, name: 'o2' }).apply(x) as sn.SymbolicTensor;
    const g = sn.model({ inputs: x, outputs: [o1, o2] });
    g.compile({ optimizer: 'sgd', loss: 'meanSquaredError', lossWeights: [1, 0.5] });
    await expect(snArtifacts(g)).rejects.toThrow(/TF.js reads no loss weights \(o2: 0.5\)/);
    g.compile({ optimizer: 'sgd', loss: ['meanSquaredError', 'meanAbsoluteError'], metrics: { o1: 'mae', o2: 'mse' } });
    const tc = (await snArtifacts(g)).trainingConfig;
    expect(tc).toEqual({ loss: ['mean_squared_error', 'mean_absolute_error'], metrics: { o1: 'mae', o2: 'mse' }, optimizer_config: { class_name: 'SGD', config: { learningRate: 0.01 } } });
    const tg = await tfFrom(toArtifacts(g));
    expect(tg.loss).toEqual(['meanSquaredError', 'meanAbsoluteError']);
    tg.dispose();
    m.dispose();
    g.dispose();
  });
});

// ---------------------------------------------------------------------------------------------
// Configs key by key
// ---------------------------------------------------------------------------------------------

describe('every layer simdnet has is written with the keys and values TF.js writes for it', () => {
  /** One functional model with every layer class, built by either library (TF.js with its Subtract stand-in). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  function everyLayer(lib: any, zp: (a: object) => unknown) {
    const L = lib.layers;
    const ap = (l: unknown, x: unknown) => (l as { apply(x: unknown): unknown }).apply(x);
    const img = lib.input({ shape: [8, 8, 2], name: 'img' });
    const seq = lib.input({ shape: [9, 3], name: 'seq' });
    const vec = lib.input({ shape: [4], name: 'vec' });
    const c2 = ap(L.conv2d({ filters: 2, kernelSize: [3, 2], strides: 1, padding: 'same', dilationRate: 2, activation: 'relu', useBias: false, name: 'c2', kernelInitializer: 'heNormal', kernelRegularizer: 'l1l2' }), ap(zp({ padding: [1, 2], name: 'zp' }), img));
    const p2 = [
      ap(L.maxPooling2d({ poolSize: 2, name: 'mp2' }), c2),
      ap(L.averagePooling2d({ poolSize: [3, 2], strides: [1, 2], padding: 'same', name: 'ap2' }), c2),
    ];
    const g2 = [ap(L.globalMaxPooling2d({ name: 'gmp2' }), p2[0]), ap(L.globalAveragePooling2d({ name: 'gap2' }), p2[1])];
    const c1 = ap(L.conv1d({ filters: 2, kernelSize: 2, strides: 1, padding: 'same', activation: 'tanh', name: 'c1', kernelInitializer: 'glorotUniform', biasInitializer: 'ones' }), seq);
    const g1 = [
      ap(L.globalMaxPooling1d({ name: 'gmp1' }), ap(L.maxPooling1d({ poolSize: 2, name: 'mp1' }), c1)),
      ap(L.globalAveragePooling1d({ name: 'gap1' }), ap(L.averagePooling1d({ poolSize: 3, strides: 1, padding: 'same', name: 'ap1' }), c1)),
    ];
    const d = ap(L.dense({ units: 2, activation: 'sigmoid', name: 'd', kernelInitializer: 'leCunNormal', biasRegularizer: 'l1l2' }), vec);
    const acts = ap(L.softmax({ axis: -1, name: 'sm' }), ap(L.elu({ name: 'elu' }), ap(L.leakyReLU({ alpha: 0.2, name: 'lr' }), ap(L.reLU({ maxValue: 3, name: 're' }), ap(L.activation({ activation: 'tanh', name: 'act' }), d)))));
    const all = [...g2, ...g1, acts];
    const merged = [
      L.add({ name: 'add' }).apply(all.slice(0, 2)),
      L.subtract({ name: 'sub' }).apply(all.slice(1, 3)),
      L.multiply({ name: 'mul' }).apply(all.slice(2, 4)),
      L.average({ name: 'avg' }).apply(all.slice(0, 3)),
      L.maximum({ name: 'max' }).apply(all.slice(1, 4)),
      L.minimum({ name: 'min' }).apply(all.slice(0, 2)),
      // (simdnet's Dot writes axes as a pair: axes 1 would read [1, 1] there.)
      L.dot({ axes: [1, 1], normalize: false, name: 'dot' }).apply(all.slice(3, 5)),
    ];
    const cat = L.concatenate({ axis: -1, name: 'cat' }).apply(merged);
    const r = ap(L.flatten({ name: 'flat' }), ap(L.reshape({ targetShape: [1, 13], name: 'rs' }), cat));
    return lib.model({ inputs: [img, seq, vec], outputs: [r, ap(L.flatten({ name: 'flat2' }), p2[0])], name: 'every_layer' });
  }

  it('the same model from both libraries: the same layers, configs and inbound nodes', async () => {
    const ours = everyLayer(sn, zeroPadding2d) as sn.LayersModel;
    const theirs = everyLayer(tfLib, (a) => tfl.layers.zeroPadding2d(a as never)) as tfl.LayersModel;
    const a = topologyLayers(await snArtifacts(ours)) as unknown as { name: string; class_name: string; config: Json; inbound_nodes: unknown }[];
    const b = topologyLayers(await tfSave(theirs)) as unknown as typeof a;
    const byName = (list: typeof a) => Object.fromEntries(list.map((l) => [l.name, { class_name: l.class_name, config: l.config, inbound_nodes: l.inbound_nodes }]));
    const [x, y] = [byName(a), byName(b)];
    expect(Object.keys(x).sort()).toEqual(Object.keys(y).sort());
    for (const name of Object.keys(y)) expect(x[name], name).toEqual(y[name]);
    ours.dispose();
    theirs.dispose();
  });

  it('a Sequential: the first layer carries batch_input_shape and dtype, the others neither', async () => {
    // (The default kernel initializers differ: TF.js's is glorotNormal, simdnet's glorotUniform.)
    const k = { kernelInitializer: 'glorotUniform' } as const;
    const ours = sn.sequential({ name: 's', layers: [layers.dense({ units: 3, inputShape: [5], name: 'a', ...k }), layers.dense({ units: 2, name: 'b', ...k })] });
    const theirs = tfl.sequential({ name: 's', layers: [tfl.layers.dense({ units: 3, inputShape: [5], name: 'a', ...k }), tfl.layers.dense({ units: 2, name: 'b', ...k })] });
    expect(topologyLayers(await snArtifacts(ours))).toEqual(topologyLayers(await tfSave(theirs)));
    ours.dispose();
    theirs.dispose();
  });
});

// ---------------------------------------------------------------------------------------------
// Hostile markers
// ---------------------------------------------------------------------------------------------

describe('the simdnet markers in a file are checked', () => {
  async function saved() {
    sn.setSeed(8);
    const x = sn.input({ shape: [5, 5, 1], name: 'x' });
    const c = layers.conv2d({ filters: 1, kernelSize: 2, padding: 1, activation: 'leakyRelu', name: 'c' }).apply(x) as sn.SymbolicTensor;
    const m = sn.model({ inputs: x, outputs: layers.flatten({ name: 'f' }).apply(c) as sn.SymbolicTensor });
    const art = await snArtifacts(m);
    m.dispose();
    return art;
  }
  const edit = (a: SnArtifacts, name: string, f: (l: Json) => void) => {
    const copy = JSON.parse(JSON.stringify(a.modelTopology)) as Json;
    f(((copy.config as Json).layers as Json[]).find((l) => (l.config as Json).name === name)!);
    return { ...a, modelTopology: copy };
  };
  it('a part naming no layer, a part that does not sit next to its layer, a weighted part, unknown keys', async () => {
    const art = await saved();
    await expect(snFrom(edit(art, 'c_zero_padding', (l) => (l.simdnet = { part_of: 'nope' })))).rejects.toThrow(/layer c_zero_padding is written as part of layer nope, which the file does not define/);
    await expect(snFrom(edit(art, 'c_zero_padding', (l) => (l.simdnet = { part_of: 'f' })))).rejects.toThrow(/layer c_zero_padding is written as part of layer f, but neither reads the other's output alone/);
    await expect(snFrom(edit(art, 'c', (l) => (l.simdnet = { part_of: 'f' })))).rejects.toThrow(/layer c \(Conv2D\) cannot stand for part of layer f; only ZeroPadding2D, Reshape, LeakyReLU can/);
    await expect(snFrom(edit(art, 'c', (l) => (l.simdnet = { config: {}, extra: 1 })))).rejects.toThrow(/layer c: simdnet has unknown keys extra/);
    await expect(snFrom(edit(art, 'c', (l) => (l.simdnet = { class_name: 'Lambda' })))).rejects.toThrow(/layer c: simdnet.class_name "Lambda" is not a simdnet layer class/);
    // Without the markers the file is TF.js's: the parts load as layers of their own, predicting the same.
    const plain = JSON.parse(JSON.stringify(art.modelTopology).replace(/,"simdnet":\{[^{}]*(\{[^{}]*\})?[^{}]*\}/g, ''));
    const m = await snFrom({ ...art, modelTopology: plain });
    expect(m.layers.map((l) => l.className)).toEqual(['InputLayer', 'ZeroPadding2D', 'Conv2D', 'LeakyReLU', 'Flatten']);
    m.dispose();
  });
});
