// Loading what TF.js and the Keras converter write. Every fixture is made here: TF.js models
// saved through a save handler (their weights cut into several manifest groups and several
// shard files per group), and Keras-converter-style model.json files written by hand with
// uint8, uint16 and float16 quantized weights. Each loads in simdnet through every kind of
// source and predicts what TF.js predicts from the same files (≤ 2e-5), and what a float64
// reference computes from the dequantized weights.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { initTfjs, Rng, tf, tfl } from '../helpers/tfjs.ts';
import {
  type Artifacts,
  concatBytes,
  encodeWeights,
  f64,
  type F64,
  kConv2D,
  kDense,
  kerasTopology,
  KERAS_EXTRA,
  kInit,
  kInput,
  kLayer,
  kTrainingConfig,
  maxAbsDiff,
  type ModelDir,
  readModelDir,
  refAdd,
  refConcat,
  refConv2d,
  refDense,
  refFlatten,
  refPool2d,
  removeTmpDirs,
  tfArtifacts,
  tfLoadDir,
  tmpDir,
  writeModelDir,
  loadModel,
} from './fixtures.ts';

const TOL = 2e-5;

beforeAll(async () => {
  await sn.init({ deterministic: true });
  await initTfjs();
});
afterAll(removeTmpDirs);

const load = loadModel;

/** Sets every weight of a TF.js model to seeded values in [-0.5, 0.5) (biases too, so they count). */
function randomizeTf(model: tfl.LayersModel, seed: number): void {
  const rng = new Rng(seed);
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (ws.length) layer.setWeights(ws.map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => rng.uniform(-0.5, 0.5)), w.shape)));
  }
}

const batch = (seed: number, shape: number[]) => {
  const rng = new Rng(seed);
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-1, 1));
};

/** simdnet's outputs for inputs given as [values, shape] pairs, one Float32Array per output. */
function snPredict(m: sn.LayersModel, xs: [Float32Array, number[]][]): Float32Array[] {
  const t = xs.map(([v, s]) => sn.tensor(v, s));
  const r = m.predict(t.length === 1 ? t[0] : t);
  return (Array.isArray(r) ? r : [r]).map((x) => x.dataSync() as Float32Array);
}
function tfPredict(m: tfl.LayersModel, xs: [Float32Array, number[]][]): Float32Array[] {
  const t = xs.map(([v, s]) => tf.tensor(v, s));
  const r = m.predict(t.length === 1 ? t[0] : t);
  return (Array.isArray(r) ? r : [r]).map((x) => x.dataSync() as Float32Array);
}

function expectSameOutputs(ours: ArrayLike<number>[], theirs: ArrayLike<number>[], what: string): void {
  expect(ours.length, `${what}: number of outputs`).toBe(theirs.length);
  ours.forEach((o, i) => expect(maxAbsDiff(o, theirs[i]), `${what}: output ${i}`).toBeLessThanOrEqual(TOL));
}

/** The bit patterns of float32 values (so NaNs and signed zeros compare exactly). */
const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

/** Every weighted TF.js layer's weights equal, bit for bit, the simdnet layer's of the same name. */
function expectSameWeights(ours: sn.LayersModel, theirs: tfl.LayersModel): void {
  let n = 0;
  for (const layer of theirs.layers) {
    const b = layer.getWeights();
    if (!b.length) continue;
    const a = ours.getLayer(layer.name).getWeights();
    expect(a.length, `${layer.name}: weight count`).toBe(b.length);
    a.forEach((w, i) => {
      expect([...w.shape], `${layer.name} weight ${i} shape`).toEqual(b[i].shape);
      expect(bits(w.dataSync()), `${layer.name} weight ${i} bits`).toEqual(bits(b[i].dataSync()));
    });
    n++;
  }
  expect(n).toBeGreaterThan(0);
}

/** The sources one model folder can be loaded from: file:// URL, artifacts, {modelJSON, weightData} (shards and one buffer), a load() handler. */
function sources(d: ModelDir): [string, () => unknown][] {
  const { modelJSON, shards } = readModelDir(d.dir);
  const weightSpecs = modelJSON.weightsManifest.flatMap((g) => g.weights);
  const artifacts = () => ({ modelTopology: modelJSON.modelTopology, weightSpecs, weightData: concatBytes(shards) });
  return [
    ['file:// URL', () => d.url],
    ['ModelArtifacts object', artifacts],
    ['{ modelJSON, weightData: shards }', () => ({ modelJSON, weightData: shards })],
    ['{ modelJSON, weightData: one buffer }', () => ({ modelJSON, weightData: concatBytes(shards) })],
    ['tf.io.fromMemory (load())', () => tf.io.fromMemory(artifacts() as tf.io.ModelArtifacts)],
  ];
}

// ---------------------------------------------------------------------------------------------
// TF.js-saved models
// ---------------------------------------------------------------------------------------------

function tfSequentialCnn(): tfl.Sequential {
  const m = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [12, 12, 2] }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'valid', activation: 'tanh' }),
      tfl.layers.averagePooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 16, activation: 'relu' }),
      tfl.layers.dense({ units: 5, activation: 'softmax' }),
    ],
  });
  randomizeTf(m, 11);
  return m;
}

/** Two inputs, two outputs: conv branches added, channels concatenated, a side input concatenated. */
function tfFunctional(): tfl.LayersModel {
  const img = tfl.input({ shape: [8, 8, 3], name: 'img' });
  const meta = tfl.input({ shape: [4], name: 'meta' });
  const a = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'branch_a' }).apply(img) as tfl.SymbolicTensor;
  const b = tfl.layers.conv2d({ filters: 4, kernelSize: 1, name: 'branch_b' }).apply(img) as tfl.SymbolicTensor;
  const sum = tfl.layers.add({ name: 'sum' }).apply([a, b]) as tfl.SymbolicTensor;
  const cat = tfl.layers.concatenate({ name: 'cat_channels' }).apply([sum, img]) as tfl.SymbolicTensor;
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(cat) as tfl.SymbolicTensor;
  const m1 = tfl.layers.dense({ units: 6, activation: 'relu', name: 'meta_dense' }).apply(meta) as tfl.SymbolicTensor;
  const joined = tfl.layers.concatenate({ name: 'joined' }).apply([pooled, m1]) as tfl.SymbolicTensor;
  const h = tfl.layers.dense({ units: 10, activation: 'relu', name: 'hidden' }).apply(joined) as tfl.SymbolicTensor;
  const skip = tfl.layers.add({ name: 'skip' }).apply([h, tfl.layers.dense({ units: 10, name: 'proj' }).apply(joined) as tfl.SymbolicTensor]) as tfl.SymbolicTensor;
  const cls = tfl.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(skip) as tfl.SymbolicTensor;
  const reg = tfl.layers.dense({ units: 2, name: 'reg' }).apply(skip) as tfl.SymbolicTensor;
  const m = tfl.model({ inputs: [img, meta], outputs: [cls, reg], name: 'two_heads' });
  randomizeTf(m, 12);
  return m;
}

describe('TF.js-saved models load and predict what TF.js predicts from the same files', () => {
  it('a Sequential CNN with its weights in two manifest groups of several shards each', async () => {
    const tfm = tfSequentialCnn();
    const art = await tfArtifacts(tfm);
    // conv weights in group 1, dense weights in group 2; 256-byte shards: weights straddle shard boundaries.
    const d = writeModelDir(tmpDir(), art.modelTopology, art.weightSpecs, art.weightData, { groups: [4, 4], shardBytes: 256 });
    expect(d.modelJSON.weightsManifest.length).toBe(2);
    expect(d.modelJSON.weightsManifest.every((g) => g.paths.length >= 2)).toBe(true);
    const fromFiles = await tfLoadDir(d.dir);
    const x: [Float32Array, number[]][] = [[batch(1, [5, 12, 12, 2]), [5, 12, 12, 2]]];
    const theirs = tfPredict(fromFiles, x);
    // The files hold what the TF.js model had: TF.js from the files predicts what the model did.
    expectSameOutputs(tfPredict(tfm, x), theirs, 'TF.js from its files');

    for (const [what, source] of sources(d)) {
      const m = await load(source());
      expect(m, what).toBeInstanceOf(sn.Sequential);
      expect(m.layers.map((l) => l.name), what).toEqual(tfm.layers.map((l) => l.name));
      expect(m.layers.map((l) => l.className), what).toEqual(tfm.layers.map((l) => l.getClassName()));
      expect(m.countParams(), what).toBe(tfm.countParams());
      expectSameWeights(m, fromFiles);
      expectSameOutputs(snPredict(m, x), theirs, what);
      m.dispose();
    }
  });

  it('a functional model with add and concatenate (two inputs, two outputs)', async () => {
    const tfm = tfFunctional();
    const art = await tfArtifacts(tfm);
    expect((art.modelTopology as { class_name: string }).class_name).toBe('Model');
    const n = art.weightSpecs.length;
    const d = writeModelDir(tmpDir(), art.modelTopology, art.weightSpecs, art.weightData, { groups: [3, n - 3], shardBytes: 100 });
    const fromFiles = await tfLoadDir(d.dir);
    const x: [Float32Array, number[]][] = [
      [batch(2, [4, 8, 8, 3]), [4, 8, 8, 3]],
      [batch(3, [4, 4]), [4, 4]],
    ];
    const theirs = tfPredict(fromFiles, x);
    expectSameOutputs(tfPredict(tfm, x), theirs, 'TF.js from its files');
    for (const [what, source] of sources(d)) {
      const m = await load(source());
      expect(m, what).not.toBeInstanceOf(sn.Sequential);
      // The same layers (simdnet lists every input layer first; TF.js orders by depth, so 'meta' comes later there).
      expect(m.layers.map((l) => l.name).sort(), what).toEqual(tfm.layers.map((l) => l.name).sort());
      expect(m.inputNames, what).toEqual(['img', 'meta']);
      expect(m.outputNames, what).toEqual(['cls', 'reg']);
      expectSameWeights(m, fromFiles);
      expectSameOutputs(snPredict(m, x), theirs, what);
      m.dispose();
    }
  });

  it('a TF.js model loaded in simdnet and saved again loads in TF.js with the same predictions', async () => {
    for (const tfm of [tfSequentialCnn(), tfFunctional()]) {
      const art = await tfArtifacts(tfm);
      const d = writeModelDir(tmpDir(), art.modelTopology, art.weightSpecs, art.weightData, { groups: [2, art.weightSpecs.length - 2], shardBytes: 300 });
      const m = await load(d.url);
      const out = tmpDir();
      await m.save(`file://${out}`);
      const again = await tfLoadDir(out);
      const x: [Float32Array, number[]][] =
        tfm.inputs.length === 1 ? [[batch(4, [3, 12, 12, 2]), [3, 12, 12, 2]]] : [[batch(4, [3, 8, 8, 3]), [3, 8, 8, 3]], [batch(5, [3, 4]), [3, 4]]];
      expectSameOutputs(tfPredict(again, x), tfPredict(tfm, x), `${tfm.name} through simdnet`);
      expect(again.layers.map((l) => l.name)).toEqual(tfm.layers.map((l) => l.name));
      m.dispose();
    }
  });

  it('weightPathPrefix: shards are read from another folder than model.json', async () => {
    const tfm = tfSequentialCnn();
    const art = await tfArtifacts(tfm);
    const d = writeModelDir(tmpDir(), art.modelTopology, art.weightSpecs, art.weightData, { groups: [8], shardBytes: 1024 });
    const elsewhere = tmpDir();
    const fs = await import('node:fs');
    const path = await import('node:path');
    for (const f of d.shardNames) fs.renameSync(path.join(d.dir, f), path.join(elsewhere, f));
    const m = await load(d.url, { weightPathPrefix: `file://${elsewhere}/` });
    const x: [Float32Array, number[]][] = [[batch(6, [2, 12, 12, 2]), [2, 12, 12, 2]]];
    expectSameOutputs(snPredict(m, x), tfPredict(tfm, x), 'weightPathPrefix');
    m.dispose();
  });

  it('an http(s) URL through a custom fetchFunc: shard paths resolve relative to model.json', async () => {
    const tfm = tfSequentialCnn();
    const art = await tfArtifacts(tfm);
    const d = writeModelDir(tmpDir(), art.modelTopology, art.weightSpecs, art.weightData, { groups: [4, 4], shardBytes: 512 });
    const base = 'https://models.example/zoo/cnn/v2/';
    const asked: string[] = [];
    const fetchFunc = async (input: string | URL | Request) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      asked.push(url);
      if (!url.startsWith(base)) return new Response('not found', { status: 404 });
      const file = url.slice(base.length).split('?')[0];
      const fs = await import('node:fs');
      const path = await import('node:path');
      const p = path.join(d.dir, decodeURIComponent(file));
      if (!fs.existsSync(p)) return new Response('not found', { status: 404 });
      const body = fs.readFileSync(p);
      return new Response(body, { status: 200, headers: { 'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream' } });
    };
    const m = await load(`${base}model.json`, { fetchFunc });
    expect(asked[0]).toBe(`${base}model.json`);
    expect(asked.slice(1).sort()).toEqual(d.shardNames.map((n) => `${base}${n}`).sort());
    const x: [Float32Array, number[]][] = [[batch(7, [2, 12, 12, 2]), [2, 12, 12, 2]]];
    expectSameOutputs(snPredict(m, x), tfPredict(tfm, x), 'https + fetchFunc');
    m.dispose();
  });

  it('strict: false ignores a weight no layer has; strict (the default) refuses it', async () => {
    const tfm = tfSequentialCnn();
    const art = await tfArtifacts(tfm);
    const specs = [...art.weightSpecs, { name: 'leftover/kernel', shape: [2, 2], dtype: 'float32' as const }];
    const data = concatBytes([art.weightData, new Float32Array([1, 2, 3, 4]).buffer]);
    await expect(load({ modelTopology: art.modelTopology, weightSpecs: specs, weightData: data })).rejects.toThrow(/leftover\/kernel/);
    const m = await load({ modelTopology: art.modelTopology, weightSpecs: specs, weightData: data }, { strict: false });
    const x: [Float32Array, number[]][] = [[batch(8, [2, 12, 12, 2]), [2, 12, 12, 2]]];
    expectSameOutputs(snPredict(m, x), tfPredict(tfm, x), 'strict: false');
    m.dispose();
  });

  it('onProgress reports fractions that rise to 1', async () => {
    const tfm = tfSequentialCnn();
    const art = await tfArtifacts(tfm);
    const d = writeModelDir(tmpDir(), art.modelTopology, art.weightSpecs, art.weightData, { groups: [4, 4], shardBytes: 256 });
    const seen: number[] = [];
    const m = await load(d.url, { onProgress: (f: number) => void seen.push(f) });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= seen[i - 1]))).toBe(true);
    expect(seen[seen.length - 1]).toBe(1);
    m.dispose();
  });
});

// ---------------------------------------------------------------------------------------------
// Keras-converter-style files, quantized
// ---------------------------------------------------------------------------------------------

interface KerasFixture {
  title: string;
  topology: Record<string, unknown>;
  weights: { name: string; shape: number[]; q: 'uint8' | 'uint16' | 'float16' | 'float32' }[];
  groups?: number[];
  shardBytes?: number;
  /** Per-sample input shapes, in input order. */
  inputs: number[][];
  /** The float64 forward pass from the dequantized weights (by weight name). */
  reference(w: (name: string) => Float32Array, xs: F64[]): F64[];
  /** Whether TF.js loads this file too (it does not know every Keras name). */
  tfjs: boolean;
  /** Layer names simdnet lists (model.layers), in order. */
  layerNames: string[];
}

/** A functional MLP with a residual add, Keras 2.13 style ('Functional', module/registered_name initializers), uint8 weights. */
const uint8Mlp: KerasFixture = {
  title: 'uint8: a Functional MLP with a residual add',
  topology: kerasTopology({
    class_name: 'Functional',
    config: {
      name: 'model',
      trainable: true,
      layers: [
        kInput('input_1', [null, 6]),
        kDense('dense', 8, 'relu', ['input_1']),
        kDense('dense_1', 8, 'tanh', ['dense'], { kernel_initializer: kInit('HeNormal', { seed: 7 }) }),
        kLayer('Add', 'add', {}, ['dense', 'dense_1']),
        kDense('dense_2', 4, 'softmax', ['add']),
      ],
      input_layers: [['input_1', 0, 0]],
      output_layers: [['dense_2', 0, 0]],
    },
  }),
  weights: [
    { name: 'dense/kernel', shape: [6, 8], q: 'uint8' },
    { name: 'dense/bias', shape: [8], q: 'uint8' },
    { name: 'dense_1/kernel', shape: [8, 8], q: 'uint8' },
    { name: 'dense_1/bias', shape: [8], q: 'uint8' },
    { name: 'dense_2/kernel', shape: [8, 4], q: 'uint8' },
    { name: 'dense_2/bias', shape: [4], q: 'uint8' },
  ],
  inputs: [[6]],
  reference: (w, [x]) => {
    const h = refDense(x, w('dense/kernel'), w('dense/bias'), 8, 'relu');
    const h1 = refDense(h, w('dense_1/kernel'), w('dense_1/bias'), 8, 'tanh');
    return [refDense(refAdd(h, h1), w('dense_2/kernel'), w('dense_2/bias'), 4, 'softmax')];
  },
  tfjs: true,
  layerNames: ['input_1', 'dense', 'dense_1', 'add', 'dense_2'],
};

/** A Keras 2 Sequential CNN (InputLayer listed first, as Keras ≥ 2.4 writes it), uint16 weights, an L2 regularizer. */
const uint16Cnn: KerasFixture = {
  title: 'uint16: a Keras Sequential CNN with an InputLayer and an L2 kernel regularizer',
  topology: kerasTopology({
    class_name: 'Sequential',
    config: {
      name: 'sequential',
      layers: [
        kInput('conv2d_input', [null, 8, 8, 1], false),
        kConv2D('conv2d', 4, 3, 'same', 'relu', undefined, { kernel_regularizer: { module: 'keras.regularizers', class_name: 'L2', config: { l2: 0.0005 }, registered_name: null } }),
        kLayer('MaxPooling2D', 'max_pooling2d', { pool_size: [2, 2], padding: 'valid', strides: [2, 2], data_format: 'channels_last' }),
        kLayer('Flatten', 'flatten', { data_format: 'channels_last' }),
        kDense('dense', 3, 'softmax'),
      ],
    },
  }),
  weights: [
    { name: 'conv2d/kernel', shape: [3, 3, 1, 4], q: 'uint16' },
    { name: 'conv2d/bias', shape: [4], q: 'uint16' },
    { name: 'dense/kernel', shape: [64, 3], q: 'uint16' },
    { name: 'dense/bias', shape: [3], q: 'uint16' },
  ],
  groups: [2, 2],
  shardBytes: 64,
  inputs: [[8, 8, 1]],
  reference: (w, [x]) => {
    const c = refConv2d(x, w('conv2d/kernel'), w('conv2d/bias'), 3, 4, 'same', 'relu');
    return [refDense(refFlatten(refPool2d(c, 2, 'max')), w('dense/kernel'), w('dense/bias'), 3, 'softmax')];
  },
  // TF.js (4.22) does not know Keras's 'L2' regularizer class: the float64 reference alone.
  tfjs: false,
  layerNames: ['conv2d', 'max_pooling2d', 'flatten', 'dense'],
};

/** Two inputs concatenated, the older Keras 2 form ('Model', initializers without module), float16 weights, two groups. */
const float16Concat: KerasFixture = {
  title: "float16: a two-input 'Model' with concatenate, in two groups",
  topology: kerasTopology(
    {
      class_name: 'Model',
      config: {
        name: 'model_1',
        layers: [
          kInput('left', [null, 5]),
          kInput('right', [null, 3]),
          kDense('dense_a', 4, 'relu', ['left'], {}, false),
          kDense('dense_b', 3, 'sigmoid', ['right'], {}, false),
          kLayer('Concatenate', 'concatenate', { axis: -1 }, ['dense_a', 'dense_b']),
          kDense('out', 2, 'linear', ['concatenate'], {}, false),
        ],
        input_layers: [
          ['left', 0, 0],
          ['right', 0, 0],
        ],
        output_layers: [['out', 0, 0]],
      },
    },
    kTrainingConfig,
    '2.3.1',
  ),
  weights: [
    { name: 'dense_a/kernel', shape: [5, 4], q: 'float16' },
    { name: 'dense_a/bias', shape: [4], q: 'float16' },
    { name: 'dense_b/kernel', shape: [3, 3], q: 'float16' },
    { name: 'dense_b/bias', shape: [3], q: 'float16' },
    { name: 'out/kernel', shape: [7, 2], q: 'float16' },
    { name: 'out/bias', shape: [2], q: 'float16' },
  ],
  groups: [4, 2],
  shardBytes: 16,
  inputs: [[5], [3]],
  reference: (w, [l, r]) => {
    const a = refDense(l, w('dense_a/kernel'), w('dense_a/bias'), 4, 'relu');
    const b = refDense(r, w('dense_b/kernel'), w('dense_b/bias'), 3, 'sigmoid');
    return [refDense(refConcat(a, b), w('out/kernel'), w('out/bias'), 2)];
  },
  tfjs: true,
  layerNames: ['left', 'right', 'dense_a', 'dense_b', 'concatenate', 'out'],
};

/** One model, each weight its own encoding (uint8, uint16, float16, float32), one shard file per weight or less. */
const mixed: KerasFixture = {
  title: 'mixed: uint8, uint16, float16 and float32 weights in one Functional CNN',
  topology: kerasTopology({
    class_name: 'Functional',
    config: {
      name: 'mixed',
      trainable: true,
      layers: [
        kInput('image', [null, 6, 6, 2]),
        kConv2D('conv', 3, 3, 'valid', 'relu', ['image']),
        kLayer('AveragePooling2D', 'pool', { pool_size: [2, 2], padding: 'valid', strides: [2, 2], data_format: 'channels_last' }, ['conv']),
        kLayer('Flatten', 'flat', { data_format: 'channels_last' }, ['pool']),
        kDense('logits', 4, 'softmax', ['flat']),
      ],
      input_layers: [['image', 0, 0]],
      output_layers: [['logits', 0, 0]],
    },
  }),
  weights: [
    { name: 'conv/kernel', shape: [3, 3, 2, 3], q: 'uint8' },
    { name: 'conv/bias', shape: [3], q: 'float16' },
    { name: 'logits/kernel', shape: [12, 4], q: 'uint16' },
    { name: 'logits/bias', shape: [4], q: 'float32' },
  ],
  groups: [1, 1, 1, 1],
  shardBytes: 40,
  inputs: [[6, 6, 2]],
  reference: (w, [x]) => {
    const c = refConv2d(x, w('conv/kernel'), w('conv/bias'), 3, 3, 'valid', 'relu');
    return [refDense(refFlatten(refPool2d(c, 2, 'avg')), w('logits/kernel'), w('logits/bias'), 4, 'softmax')];
  },
  tfjs: true,
  layerNames: ['image', 'conv', 'pool', 'flat', 'logits'],
};

describe('Keras-converter-style model.json files with quantized weights', () => {
  for (const fx of [uint8Mlp, uint16Cnn, float16Concat, mixed]) {
    it(fx.title, async () => {
      const rng = new Rng(fx.title.length);
      const enc = encodeWeights(fx.weights.map((w) => ({ ...w, values: Array.from({ length: w.shape.reduce((a, b) => a * b, 1) }, () => rng.uniform(-0.8, 0.8)) })));
      const d = writeModelDir(tmpDir(), fx.topology, enc.specs, enc.data, { groups: fx.groups, shardBytes: fx.shardBytes, extra: KERAS_EXTRA });
      const n = 5;
      const xs = fx.inputs.map((s, i) => [batch(20 + i, [n, ...s]), [n, ...s]] as [Float32Array, number[]]);
      const ref = fx.reference((name) => enc.dequantized.get(name)!, xs.map(([v, s]) => f64(v, s)));
      const tfOut = fx.tfjs ? tfPredict(await tfLoadDir(d.dir), xs) : null;
      if (tfOut) expectSameOutputs(tfOut, ref.map((r) => r.v), 'TF.js vs the float64 reference');

      for (const [what, source] of sources(d)) {
        const m = await load(source());
        expect(m.layers.map((l) => l.name), what).toEqual(fx.layerNames);
        // Dequantized on load, exactly as the converter's formula gives them in float32.
        for (const w of fx.weights) {
          const [layer, wname] = w.name.split('/');
          const idx = wname === 'kernel' ? 0 : 1;
          const got = m.getLayer(layer).getWeights()[idx];
          expect([...got.shape], `${what}: ${w.name} shape`).toEqual(w.shape);
          expect(Array.from(got.dataSync()), `${what}: ${w.name} values`).toEqual(Array.from(enc.dequantized.get(w.name)!));
        }
        const ours = snPredict(m, xs);
        expectSameOutputs(ours, ref.map((r) => r.v), `${what} vs the float64 reference`);
        if (tfOut) expectSameOutputs(ours, tfOut, `${what} vs TF.js`);
        // training_config is exposed as the file has it, not applied.
        expect((m as unknown as { trainingConfig: unknown }).trainingConfig, what).toEqual(kTrainingConfig);
        expect(m.optimizer, what).toBe(null);
        m.dispose();
      }
    });
  }

  it('a Sequential model_config is a Sequential; an int32 weight is converted to float', async () => {
    const topology = kerasTopology({ class_name: 'Sequential', config: { name: 'seq', layers: [kInput('x', [null, 3], false), kDense('d', 2, 'linear')] } }, null);
    const specs: Artifacts['weightSpecs'] = [
      { name: 'd/kernel', shape: [3, 2], dtype: 'int32' },
      { name: 'd/bias', shape: [2], dtype: 'float32' },
    ];
    const data = concatBytes([new Int32Array([1, -2, 3, 4, -5, 6]).buffer, new Float32Array([0.5, -0.25]).buffer]);
    const m = await load({ modelTopology: topology, weightSpecs: specs, weightData: data });
    expect(m).toBeInstanceOf(sn.Sequential);
    expect(Array.from(m.getLayer('d').getWeights()[0].dataSync())).toEqual([1, -2, 3, 4, -5, 6]);
    const [y] = snPredict(m, [[new Float32Array([1, 1, 1]), [1, 3]]]);
    expect(Array.from(y)).toEqual([1 + 3 - 5 + 0.5, -2 + 4 + 6 - 0.25]);
    expect((m as unknown as { trainingConfig: unknown }).trainingConfig ?? null).toBe(null);
    m.dispose();
  });
});
