// The model API against TF.js (tfjs-layers on the cpu backend), from the same weights and batches:
// evaluate's scalars, trainOnBatch's numbers, predictOnBatch, model.weights, toJSON,
// outputShape, metric names and History keys, class and sample weights, cross-entropy on
// outputs that are not a softmax, reLU's maxValue, softmax along any axis, fitDataset,
// evaluateDataset and yieldEvery's onYield.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { metrics as snMetrics } from '../../src/metrics/functions.ts';
import { losses as snLosses } from '../../src/losses/functions.ts';
import type { FitDatasetArgs } from '../../src/model/model.ts';
import { CustomCallback } from '../../src/model/callbacks.ts';
import { closeness, compareWeights, copyWeightsToTf, initTfjs, noDiff, randomBatch, randomLabels, Rng, tf, tfl, type Batch, type SnModelLike } from '../helpers/tfjs.ts';

const TOL = { rtol: 1e-5, atol: 1e-6 };

beforeAll(async () => {
  await initTfjs();
  await sn.init({ deterministic: true });
});

type Lib = typeof sn | typeof tfl;
type AnyModel = sn.LayersModel | tfl.LayersModel;

const snT = (b: Batch) => sn.tensor(b.values, b.shape, b.dtype);
const tfT = (b: Batch) => tf.tensor(b.values, b.shape, b.dtype);
/** TF.js's sparse cross-entropy takes float labels [n, 1]; simdnet takes int32 [n]. */
const tfSparse = (b: Batch) => tf.tensor(Float32Array.from(b.values), [b.shape[0], 1]);
const oneHot = (b: Batch, classes: number): Batch => ({
  values: Float32Array.from({ length: b.shape[0] * classes }, (_, i) => (b.values[Math.floor(i / classes)] === i % classes ? 1 : 0)),
  shape: [b.shape[0], classes],
  dtype: 'float32',
});
/** Numbers from either library's scalars or numbers. */
const nums = (r: unknown): number[] => (Array.isArray(r) ? r : [r]).map((v) => (typeof v === 'number' ? v : (v as { dataSync(): ArrayLike<number> }).dataSync()[0]));
const asSn = (m: sn.LayersModel) => m as unknown as SnModelLike;

/** The same layer stack in either library (explicit names, so weights copy by name). */
function stack(lib: Lib, layers: (L: Lib['layers']) => unknown[]) {
  return (lib.sequential as (a: { layers: unknown[] }) => AnyModel)({ layers: layers(lib.layers) });
}

/** A simdnet model and its TF.js twin with the simdnet model's weights. */
function twins(layers: (L: Lib['layers']) => unknown[], seed = 5): { s: sn.Sequential; t: tfl.LayersModel } {
  sn.setSeed(seed);
  const s = stack(sn, layers) as sn.Sequential;
  const t = stack(tfl, layers) as tfl.LayersModel;
  copyWeightsToTf(asSn(s), t);
  return { s, t };
}

const mlp = (out: string, units = 3) => (L: Lib['layers']) => [
  (L.dense as (a: object) => unknown)({ units: 6, activation: 'tanh', inputShape: [4], name: 'hidden' }),
  (L.dense as (a: object) => unknown)({ units, activation: out, name: 'out' }),
];

/** A graph with two outputs in either library: input 'in' [4] → dense 'h' (5 units) → 'cls' (3-class softmax) and 'reg' (linear, regUnits). */
function twoOutputs<M extends AnyModel>(lib: Lib, activation: 'relu' | 'tanh', regUnits: number): M {
  const api = lib as typeof sn;
  const L = api.layers;
  const inp = api.input({ shape: [4], name: 'in' });
  const h = L.dense({ units: 5, activation, name: 'h' }).apply(inp);
  const a = L.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(h);
  const b = L.dense({ units: regUnits, name: 'reg' }).apply(h);
  return api.model({ inputs: inp, outputs: [a, b] }) as unknown as M;
}

/** The softmax MLP twins and a seeded batch for them: n samples of 4 features, labels of 3 classes. */
function softmaxTwins(seed: number, n: number) {
  const { s, t } = twins(mlp('softmax'));
  const rng = new Rng(seed);
  return { s, t, rng, x: randomBatch(rng, [n, 4]), y: randomLabels(rng, n, 3) };
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, what: string, tol = TOL) {
  const c = closeness(a, b, what, tol);
  expect(c.ratio, `${what}: ${c.where} (simdnet [${Array.from(a).slice(0, 8)}] TF.js [${Array.from(b).slice(0, 8)}])`).toBeLessThanOrEqual(1);
}
function expectSameWeights(s: sn.LayersModel, t: tfl.LayersModel, what: string) {
  const c = compareWeights(asSn(s), t, TOL, noDiff());
  expect(c.ratio, `${what}: ${c.where}`).toBeLessThanOrEqual(1);
}
/** The same History keys in the same order, and each one's values close to TF.js's. */
function expectSameHistory(sh: { history: Record<string, number[]> }, th: { history: Record<string, unknown[]> }) {
  expect(Object.keys(sh.history)).toEqual(Object.keys(th.history));
  for (const k of Object.keys(th.history)) expectClose(sh.history[k], th.history[k] as number[], `history.${k}`);
}

type Metrics = string[] | Record<string, string | string[]>;
/**
 * Compiles both twins alike: the optimizer by name with its defaults ('sgd', 'adam'), or as
 * [name, learningRate], each library's own optimizer at that rate.
 */
function compileBoth(s: sn.LayersModel, t: tfl.LayersModel, optimizer: 'sgd' | ['sgd' | 'adam', number], loss: string | string[], metrics?: Metrics) {
  const [sOpt, tOpt] =
    typeof optimizer === 'string'
      ? [optimizer, optimizer]
      : optimizer[0] === 'sgd'
        ? [sn.optimizers.sgd({ learningRate: optimizer[1] }), tf.train.sgd(optimizer[1])]
        : [sn.optimizers.adam({ learningRate: optimizer[1] }), tf.train.adam(optimizer[1])];
  const m = metrics === undefined ? {} : { metrics };
  s.compile({ optimizer: sOpt, loss, ...m });
  t.compile({ optimizer: tOpt, loss, ...(m as { metrics?: never }) }); // TF.js's type has no per-output metric lists; it takes them
}

describe('evaluate, trainOnBatch, predictOnBatch return what TF.js returns', () => {
  it('one output and no metrics: a scalar tensor and a number; with metrics: lists in metricsNames order', async () => {
    const { s, t, rng, x, y } = softmaxTwins(1, 10);
    compileBoth(s, t, ['sgd', 0.1], 'sparseCategoricalCrossentropy');
    const se = s.evaluate(snT(x), snT(y), { batchSize: 4 });
    const te = t.evaluate(tfT(x), tfSparse(y), { batchSize: 4 }) as tf.Scalar;
    expect(Array.isArray(se)).toBe(false);
    expect((se as sn.Tensor).shape).toEqual(te.shape);
    expect((se as sn.Tensor).dtype).toBe('float32');
    expectClose(nums(se), nums(te), 'evaluate');
    const sl = await s.trainOnBatch(snT(x), snT(y));
    const tl = await t.trainOnBatch(tfT(x), tfSparse(y));
    expect(typeof sl).toBe('number');
    expect(typeof tl).toBe('number');
    expectClose([sl as number], [tl as number], 'trainOnBatch');
    expectSameWeights(s, t, 'after trainOnBatch');

    compileBoth(s, t, ['sgd', 0.1], 'sparseCategoricalCrossentropy', ['accuracy']);
    expect(s.metricsNames).toEqual(t.metricsNames);
    const se2 = s.evaluate(snT(x), snT(y)) as sn.Tensor[];
    const te2 = t.evaluate(tfT(x), tfSparse(y)) as tf.Scalar[];
    expect(se2.map((v) => v.shape)).toEqual(te2.map((v) => v.shape));
    expectClose(nums(se2), nums(te2), 'evaluate with accuracy');
    const sl2 = await s.trainOnBatch(snT(x), snT(y));
    const tl2 = await t.trainOnBatch(tfT(x), tfSparse(y));
    expect(Array.isArray(sl2) && Array.isArray(tl2)).toBe(true);
    expectClose(sl2 as number[], tl2 as number[], 'trainOnBatch with accuracy');

    const p = randomBatch(rng, [7, 4]);
    const sp = s.predictOnBatch(snT(p)) as sn.Tensor;
    const tp = t.predictOnBatch(tfT(p)) as tf.Tensor;
    expect(sp.shape).toEqual(tp.shape);
    expectClose(sp.dataSync(), tp.dataSync() as Float32Array, 'predictOnBatch');
    s.dispose();
  });

  it('metric names: accuracy and acc log as acc, strings as given, tf.metrics functions by name, outputs as prefixes', () => {
    const cases: [unknown[], unknown[]][] = [
      [['accuracy'], ['accuracy']],
      [['acc', 'mse'], ['acc', 'mse']],
      [['MSE', 'mae'], ['MSE', 'mae']],
      [[snMetrics.meanSquaredError, snMetrics.binaryAccuracy], [tfl.metrics.meanSquaredError, tfl.metrics.binaryAccuracy]],
    ];
    for (const [sm, tm] of cases) {
      const { s, t } = twins(mlp('sigmoid', 2));
      s.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: sm as string[] });
      t.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: tm as string[] });
      expect(s.metricsNames, String(sm)).toEqual(t.metricsNames);
      s.dispose();
    }
    // Two outputs: per-output losses, then each output's metrics under its name.
    const s = twoOutputs<sn.LayersModel>(sn, 'relu', 1);
    const t = twoOutputs<tfl.LayersModel>(tfl, 'relu', 1);
    compileBoth(s, t, 'sgd', ['sparseCategoricalCrossentropy', 'meanSquaredError'], { cls: 'accuracy', reg: ['mse', 'mae'] });
    expect(s.metricsNames).toEqual(['loss', 'cls_loss', 'reg_loss', 'cls_acc', 'reg_mse', 'reg_mae']);
    expect(s.metricsNames).toEqual(t.metricsNames);
    expect(s.outputShape).toEqual(t.outputShape);
    expect(s.outputShape).toEqual([[null, 3], [null, 1]]);
    s.dispose();
  });

  it('tf.losses / tf.metrics functions as the loss train like the names; a loss simdnet cannot differentiate is a clear error', async () => {
    const rng = new Rng(2);
    const x = randomBatch(rng, [8, 4]);
    const y = randomBatch(rng, [8, 2]);
    const run = async (loss: unknown) => {
      const { s } = twins(mlp('linear', 2), 9);
      s.compile({ optimizer: sn.optimizers.sgd({ learningRate: 0.1 }), loss: loss as string });
      const out = [await s.trainOnBatch(snT(x), snT(y)), await s.trainOnBatch(snT(x), snT(y))];
      s.dispose();
      return out;
    };
    expect(await run(snLosses.meanSquaredError)).toEqual(await run('meanSquaredError'));
    expect(await run(snMetrics.mae)).toEqual(await run('meanAbsoluteError'));
    const { s } = twins(mlp('linear', 2));
    expect(() => s.compile({ optimizer: 'sgd', loss: ((a: unknown) => a) as never })).toThrow(/^compile: loss: the function .*simdnet has no autodiff/);
    expect(() => s.compile({ optimizer: 'sgd', loss: 'mse', metrics: [snMetrics.cosineProximity as never] })).toThrow(/^compile: metrics: the function 'cosineProximity' is not a metric simdnet computes/);
    s.dispose();
  });
});

describe('weights, toJSON and shapes as TF.js shows them', () => {
  it('model.weights: names, shapes, dtype, trainable; read() and write()', () => {
    const { s, t } = twins(mlp('softmax'));
    const sw = s.weights;
    const tw = t.weights;
    // (TF.js makes variable names unique across models, 'hidden/kernel_3'; originalName is the layer's.)
    expect(sw.map((v) => [v.name, v.shape, v.dtype, v.trainable])).toEqual(tw.map((v) => [v.originalName, v.shape, v.dtype, v.trainable]));
    sw.forEach((v, i) => expectClose(v.read().dataSync(), tw[i].read().dataSync() as Float32Array, v.name));
    expect(s.trainableWeights.map((v) => v.name)).toEqual(t.trainableWeights.map((v) => v.originalName));
    expect(s.nonTrainableWeights).toEqual([]);
    // write() puts values in place: predictions follow.
    const k = tf.randomUniform([4, 6], -1, 1, 'float32', 3);
    sw[0].write(sn.tensor(k.dataSync() as Float32Array, [4, 6]));
    tw[0].write(k);
    const x = randomBatch(new Rng(4), [5, 4]);
    expectClose((s.predict(snT(x)) as sn.Tensor).dataSync(), (t.predict(tfT(x)) as tf.Tensor).dataSync() as Float32Array, 'predict after write');
    expect(() => sw[2].write([1, 2])).toThrow(/^out\/kernel\.write: expected shape \[6,3\], got \[2\]$/);
    s.getLayer('hidden').trainable = false;
    t.getLayer('hidden').trainable = false;
    expect(s.trainableWeights.map((v) => v.name)).toEqual(t.trainableWeights.map((v) => v.originalName));
    expect(s.nonTrainableWeights.map((v) => v.name)).toEqual(t.nonTrainableWeights.map((v) => v.originalName));
    s.dispose();
  });

  it('toJSON: the topology TF.js writes, as a string or an object; outputShape and inputShape with the batch dimension', () => {
    const layers = (L: Lib['layers']) => [
      (L.dense as (a: object) => unknown)({ units: 6, inputShape: [4], name: 'd' }),
      (L.reLU as (a: object) => unknown)({ maxValue: 6, name: 'r6' }),
      (L.reLU as (a?: object) => unknown)({ name: 'r' }),
      (L.leakyReLU as (a: object) => unknown)({ alpha: 0.2, name: 'lk' }),
      (L.elu as (a: object) => unknown)({ name: 'e' }),
      (L.softmax as (a: object) => unknown)({ name: 'sm' }),
      (L.softmax as (a: object) => unknown)({ axis: -1, name: 'sm2' }),
      (L.activation as (a: object) => unknown)({ activation: 'relu6', name: 'act' }),
    ];
    const { s, t } = twins(layers);
    const sj = s.toJSON(null, false) as { class_name: string; config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    const tj = t.toJSON(null, false) as unknown as typeof sj;
    expect(Object.keys(sj).sort()).toEqual(Object.keys(tj).sort());
    expect(sj.class_name).toBe(tj.class_name);
    expect(sj.config.layers.map((l) => l.class_name)).toEqual(tj.config.layers.map((l) => l.class_name));
    // The activation layers' configs, key by key and value by value (names aside).
    sj.config.layers.slice(1).forEach((l, i) => {
      const want = tj.config.layers[i + 1].config;
      expect(Object.keys(l.config).sort(), l.class_name).toEqual(Object.keys(want).sort());
      for (const key of Object.keys(want)) if (key !== 'name') expect(l.config[key], `${l.class_name}.${key}`).toEqual(want[key]);
    });
    expect(JSON.parse(s.toJSON() as string)).toEqual(sj);
    expect(s.outputShape).toEqual(t.outputShape);
    expect(s.outputShape).toEqual([null, 6]);
    expect(s.inputShape).toEqual([null, 4]);
    s.dispose();
  });
});

describe('fit: History keys, logs and values equal TF.js', () => {
  it('validationSplit, accuracy: the same keys in the same order, the same values per epoch; callback logs', async () => {
    const { s, t, x, y } = softmaxTwins(6, 40);
    compileBoth(s, t, ['sgd', 0.2], 'sparseCategoricalCrossentropy', ['accuracy']);
    const logs = (into: string[]) => ({
      onBatchBegin: (b: number, l?: Record<string, unknown>) => void into.push(`begin ${b}: ${Object.keys(l!).join(',')}`),
      onBatchEnd: (b: number, l?: Record<string, unknown>) => void into.push(`batch ${b}: ${Object.keys(l!).join(',')} size ${l!.size}`),
      onEpochEnd: (e: number, l?: Record<string, unknown>) => void into.push(`epoch ${e}: ${Object.keys(l!).join(',')}`),
    });
    const sLogs: string[] = [];
    const tLogs: string[] = [];
    const args = { epochs: 3, batchSize: 12, validationSplit: 0.25, shuffle: false, verbose: 0 };
    const sh = await s.fit(snT(x), snT(y), { ...args, callbacks: logs(sLogs) });
    const th = await t.fit(tfT(x), tfSparse(y), { ...args, callbacks: logs(tLogs) });
    expect(sLogs).toEqual(tLogs);
    expect(sh.epoch).toEqual(th.epoch);
    expectSameHistory(sh, th);
    expectSameWeights(s, t, 'after fit');
    expect(s.history).toBe(sh);
    s.dispose();
  });

  it('validationData and initialEpoch', async () => {
    const { s, t, rng, x, y } = softmaxTwins(7, 30);
    const vx = randomBatch(rng, [9, 4]);
    const vy = randomLabels(rng, 9, 3);
    compileBoth(s, t, ['adam', 0.01], 'sparseCategoricalCrossentropy', ['acc']);
    const args = { epochs: 4, initialEpoch: 1, batchSize: 8, shuffle: false, verbose: 0 };
    const seen = { s: [] as string[], t: [] as string[] };
    const hook = (into: string[]) => ({ onEpochEnd: (e: number, l?: Record<string, unknown>) => void into.push(`${e}:${Object.keys(l!)}`) });
    const sh = await s.fit(snT(x), snT(y), { ...args, validationData: [snT(vx), snT(vy)], callbacks: [new CustomCallback(hook(seen.s))] });
    const th = await t.fit(tfT(x), tfSparse(y), { ...args, validationData: [tfT(vx), tfSparse(vy)], callbacks: [new tfl.CustomCallback(hook(seen.t))] });
    expect(seen.s).toEqual(seen.t);
    expect(sh.epoch).toEqual(th.epoch);
    expectSameHistory(sh, th);
    s.dispose();
  });
});

describe('class and sample weights enter the loss and its gradient as in TF.js', () => {
  const classWeight = { 0: 1, 1: 3.5, 2: 0.25 };
  const cases: [string, string, (b: Batch) => [Batch, tf.Tensor]][] = [
    ['sparse labels', 'sparseCategoricalCrossentropy', (b) => [b, tfSparse(b)]],
    ['one-hot labels', 'categoricalCrossentropy', (b) => [oneHot(b, 3), tfT(oneHot(b, 3))]],
  ];
  for (const [name, loss, labels] of cases) {
    it(`fit with classWeight, ${name}: losses and weights equal TF.js's`, async () => {
      const { s, t } = twins(mlp('softmax'));
      const rng = new Rng(8);
      const x = randomBatch(rng, [24, 4]);
      const [sy, ty] = labels(randomLabels(rng, 24, 3));
      compileBoth(s, t, ['sgd', 0.3], loss, ['accuracy']);
      const args = { epochs: 3, batchSize: 10, shuffle: false, verbose: 0, classWeight };
      const sh = await s.fit(snT(x), snT(sy), args);
      const th = await t.fit(tfT(x), ty, args);
      for (const k of Object.keys(th.history)) expectClose(sh.history[k], th.history[k] as number[], `history.${k}`);
      expectSameWeights(s, t, `after fit with classWeight (${name})`);
      // Without class weights the same run differs: the weights mattered.
      const plain = twins(mlp('softmax'));
      plain.s.compile({ optimizer: sn.optimizers.sgd({ learningRate: 0.3 }), loss });
      const ph = await plain.s.fit(snT(x), snT(sy), { ...args, classWeight: undefined });
      expect(Math.abs(ph.history.loss[0] - sh.history.loss[0])).toBeGreaterThan(1e-3);
      s.dispose();
      plain.s.dispose();
    });
  }

  it('two outputs, class weights for one of them by output name: per-output losses and weights equal TF.js', async () => {
    sn.setSeed(23);
    const s = twoOutputs<sn.LayersModel>(sn, 'tanh', 2);
    const t = twoOutputs<tfl.LayersModel>(tfl, 'tanh', 2);
    copyWeightsToTf(asSn(s), t);
    const rng = new Rng(23);
    const x = randomBatch(rng, [20, 4]);
    const l = randomLabels(rng, 20, 3);
    const r = randomBatch(rng, [20, 2]);
    compileBoth(s, t, ['sgd', 0.2], ['sparseCategoricalCrossentropy', 'meanSquaredError']);
    const args = { epochs: 3, batchSize: 8, shuffle: false, verbose: 0, classWeight: { cls: { 0: 0.5, 1: 2, 2: 1 } } };
    const sh = await s.fit(snT(x), [snT(l), snT(r)], args);
    const th = await t.fit(tfT(x), [tfSparse(l), tfT(r)], args);
    expectSameHistory(sh, th);
    expectSameWeights(s, t, 'after fit with per-output class weights');
    s.dispose();
  });

  it('binary targets [n, 1] (class = the value), a sigmoid output; and a missing class is an error', async () => {
    const { s, t } = twins(mlp('sigmoid', 1));
    const rng = new Rng(9);
    const x = randomBatch(rng, [16, 4]);
    const y: Batch = { values: Float32Array.from({ length: 16 }, (_, i) => (i % 3 === 0 ? 1 : 0)), shape: [16, 1], dtype: 'float32' };
    compileBoth(s, t, ['sgd', 0.5], 'binaryCrossentropy');
    const args = { epochs: 2, batchSize: 16, shuffle: false, verbose: 0, classWeight: { 0: 0.5, 1: 2 } };
    const sh = await s.fit(snT(x), snT(y), args);
    const th = await t.fit(tfT(x), tfT(y), args);
    expectClose(sh.history.loss, th.history.loss as number[], 'history.loss');
    expectSameWeights(s, t, 'after fit with binary classWeight');
    await expect(s.fit(snT(x), snT(y), { ...args, classWeight: { 0: 1 } })).rejects.toThrow(/^fit: classWeight: class 1 is in the training data \(sample 0\) but not in classWeight/);
    s.dispose();
  });

  it('sampleWeight: mean of weight × per-sample loss (TF.js does not implement it: a weighted loss function is the reference)', async () => {
    const { s, t, x, y } = softmaxTwins(10, 12);
    const w = Float32Array.from({ length: 12 }, (_, i) => 0.25 + (i % 4));
    s.compile({ optimizer: sn.optimizers.sgd({ learningRate: 0.3 }), loss: 'categoricalCrossentropy' });
    const wt = tf.tensor(w);
    t.compile({ optimizer: tf.train.sgd(0.3), loss: (yt: tf.Tensor, yp: tf.Tensor) => tf.mul(tfl.metrics.categoricalCrossentropy(yt, yp), wt) });
    const args = { epochs: 3, batchSize: 12, shuffle: false, verbose: 0 };
    const sh = await s.fit(snT(x), snT(oneHot(y, 3)), { ...args, sampleWeight: sn.tensor(w) });
    const th = await t.fit(tfT(x), tfT(oneHot(y, 3)), args);
    expectClose(sh.history.loss, th.history.loss as number[], 'history.loss');
    expectSameWeights(s, t, 'after fit with sampleWeight');
    s.dispose();
  });
});

describe('cross-entropy on an output that is not a softmax, computed as TF.js computes it', () => {
  const cases: [string, string, string][] = [
    ['categorical, sigmoid output', 'categoricalCrossentropy', 'sigmoid'],
    ['categorical, linear output', 'categoricalCrossentropy', 'linear'],
    ['sparse categorical, sigmoid output', 'sparseCategoricalCrossentropy', 'sigmoid'],
    ['binary, linear output', 'binaryCrossentropy', 'linear'],
  ];
  for (const [name, loss, act] of cases) {
    it(`${name}: 5 SGD steps, losses and weights equal TF.js's`, async () => {
      const layers = (L: Lib['layers']) => [
        (L.dense as (a: object) => unknown)({ units: 6, activation: 'tanh', inputShape: [4], name: 'hidden' }),
        (L.dense as (a: object) => unknown)({ units: 3, activation: act, name: 'out' }),
      ];
      const { s, t } = twins(layers, 12);
      if (act === 'linear') {
        // Outputs near 0.5: inside the clip range, rows far from summing to 0 (the clipped
        // cross-entropies' gradients grow like 1/p near the clip bounds, which would amplify
        // float rounding from step to step).
        const out = s.getLayer('out');
        const [k] = out.getWeights();
        out.setWeights([sn.tensor(k.dataSync().map((v) => v * 0.2) as Float32Array, k.shape), sn.tensor(new Float32Array(3).fill(0.5))]);
        copyWeightsToTf(asSn(s), t);
      }
      const rng = new Rng(11);
      compileBoth(s, t, ['sgd', 0.1], loss);
      const losses = { s: [] as number[], t: [] as number[] };
      const batch = (n: number) => {
        const x = randomBatch(rng, [n, 4]);
        const l = randomLabels(rng, n, 3);
        const soft: Batch = { values: Float32Array.from({ length: n * 3 }, () => rng.uniform(0, 1)), shape: [n, 3], dtype: 'float32' };
        const [sy, ty] = loss === 'sparseCategoricalCrossentropy' ? [snT(l), tfSparse(l)] : loss === 'binaryCrossentropy' ? [snT(soft), tfT(soft)] : [snT(oneHot(l, 3)), tfT(oneHot(l, 3))];
        return { sx: snT(x), tx: tfT(x), sy, ty };
      };
      for (let step = 0; step < 5; step++) {
        const b = batch(8);
        losses.s.push((await s.trainOnBatch(b.sx, b.sy)) as number);
        losses.t.push((await t.trainOnBatch(b.tx, b.ty)) as number);
      }
      expectClose(losses.s, losses.t, 'losses');
      expectSameWeights(s, t, `after 5 steps (${name})`);
      // evaluate reads the output from an inference plan: the same loss.
      const e = batch(11);
      expectClose(nums(s.evaluate(e.sx, e.sy, { batchSize: 4 })), nums(t.evaluate(e.tx, e.ty, { batchSize: 4 })), 'evaluate');
      s.dispose();
    });
  }
});

describe('activation layers with their options', () => {
  it('reLU({ maxValue }) clips where TF.js clips (6, not 10) and trains like TF.js', async () => {
    const x = sn.tensor([[-1, 2, 7, 10]]);
    const tfOut = tfl.layers.reLU({ maxValue: 6 }).apply(tf.tensor([[-1, 2, 7, 10]])) as tf.Tensor;
    expect(Array.from((sn.layers.reLU({ maxValue: 6 }).apply(x) as sn.Tensor).dataSync())).toEqual(Array.from(tfOut.dataSync()));
    expect(Array.from((sn.layers.reLU({ maxValue: 6 }).apply(x) as sn.Tensor).dataSync())).toEqual([0, 2, 6, 6]);
    const layers = (L: Lib['layers']) => [
      (L.dense as (a: object) => unknown)({ units: 8, inputShape: [4], name: 'd1', biasInitializer: 'ones' }),
      (L.reLU as (a: object) => unknown)({ maxValue: 1.2, name: 'r' }),
      (L.dense as (a: object) => unknown)({ units: 2, name: 'd2' }),
    ];
    await trainBoth(layers, 'meanSquaredError', [4], [2], 13);
  });

  it('leakyReLU({ alpha }), elu(), activation(relu6) train like TF.js', async () => {
    const layers = (L: Lib['layers']) => [
      (L.dense as (a: object) => unknown)({ units: 8, inputShape: [4], name: 'd1' }),
      (L.leakyReLU as (a: object) => unknown)({ alpha: 0.15, name: 'lk' }),
      (L.dense as (a: object) => unknown)({ units: 8, name: 'd2' }),
      (L.elu as (a?: object) => unknown)({ name: 'e' }),
      (L.dense as (a: object) => unknown)({ units: 5, name: 'd3', biasInitializer: 'ones' }),
      (L.activation as (a: object) => unknown)({ activation: 'relu6', name: 'a6' }),
      (L.dense as (a: object) => unknown)({ units: 2, name: 'd4' }),
    ];
    await trainBoth(layers, 'meanSquaredError', [4], [2], 14);
  });

  /**
   * TF.js 4.x's softmax layer refuses a single axis other than the last ("Softmax along a
   * non-last dimension is not yet supported"); its formula for a list of axes,
   * exp(x − logSumExp(x, axes)), stands in for it there.
   */
  class TfSoftmaxAxis extends tfl.layers.Layer {
    static className = 'TfSoftmaxAxis';
    constructor(private readonly axes: number[], args: object) {
      super(args);
    }
    override computeOutputShape(s: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
      return s;
    }
    override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.exp(tf.sub(x, tf.logSumExp(x, this.axes, true)));
    }
  }
  const softmaxOf = (L: Lib['layers'], opts: { axis?: number | number[] }, rank: number, name?: string) => {
    const axes = (Array.isArray(opts.axis) ? opts.axis : [opts.axis ?? 1]).map((a) => (a < 0 ? a + rank : a));
    if (L === (tfl.layers as unknown) && !(axes.length === 1 && axes[0] === rank - 1)) return new TfSoftmaxAxis(axes, name ? { name } : {});
    return (L.softmax as (a: object) => unknown)({ ...opts, ...(name ? { name } : {}) });
  };
  const softmaxCases: [string, object, number[]][] = [
    ['default axis (1: the steps of [batch, 3, 4])', {}, [3, 4]],
    ['axis -1 of [batch, 3, 4]', { axis: -1 }, [3, 4]],
    ['axis 2 of [batch, 2, 3, 4] (a middle axis)', { axis: 2 }, [2, 3, 4]],
    ['axes [1, 2] of [batch, 3, 2, 4]', { axis: [1, 2] }, [3, 2, 4]],
    ['default axis of [batch, 5]', {}, [5]],
  ];
  for (const [name, opts, shape] of softmaxCases) {
    it(`softmax ${name}: outputs and training equal TF.js's`, async () => {
      const rng = new Rng(15);
      const x = randomBatch(rng, [3, ...shape], -3, 3);
      const rank = shape.length + 1;
      const sy = sn.layers.softmax(opts as { axis?: number }).apply(snT(x)) as sn.Tensor;
      const ty = (softmaxOf(tfl.layers, opts, rank) as tfl.layers.Layer).apply(tfT(x)) as tf.Tensor;
      expectClose(sy.dataSync(), ty.dataSync() as Float32Array, 'softmax outputs');
      const last = shape[shape.length - 1];
      const layers = (L: Lib['layers']) => [
        (L.dense as (a: object) => unknown)({ units: last, inputShape: shape, name: 'd1' }),
        softmaxOf(L, opts, rank, 'sm'),
        (L.dense as (a: object) => unknown)({ units: 2, name: 'd2' }),
      ];
      await trainBoth(layers, 'meanSquaredError', shape, [...shape.slice(0, -1), 2], 16);
    });
  }

  it('a softmax layer over the last axis feeding categoricalCrossentropy (fused) trains like TF.js; over another axis, unfused', async () => {
    for (const axis of [-1, 1]) {
      const layers = (L: Lib['layers']) => [
        (L.dense as (a: object) => unknown)({ units: 4, inputShape: [4], name: 'd1' }),
        softmaxOf(L, { axis }, 2, 'sm'),
      ];
      const { s, t } = twins(layers, 17);
      const rng = new Rng(18);
      compileBoth(s, t, ['sgd', 0.5], 'categoricalCrossentropy');
      for (let step = 0; step < 4; step++) {
        const x = randomBatch(rng, [6, 4]);
        const y = oneHot(randomLabels(rng, 6, 4), 4);
        expectClose([(await s.trainOnBatch(snT(x), snT(y))) as number], [(await t.trainOnBatch(tfT(x), tfT(y))) as number], `axis ${axis} step ${step}`);
      }
      expectSameWeights(s, t, `softmax axis ${axis} + categoricalCrossentropy`);
      s.dispose();
    }
  });
});

/** Builds the stack in both libraries, trains 4 SGD steps on the same batches, compares losses and weights. */
async function trainBoth(layers: (L: Lib['layers']) => unknown[], loss: string, inShape: number[], outShape: number[], seed: number) {
  const { s, t } = twins(layers, seed);
  const rng = new Rng(seed);
  compileBoth(s, t, ['sgd', 0.05], loss);
  const ls: number[] = [];
  const lt: number[] = [];
  for (let step = 0; step < 4; step++) {
    const x = randomBatch(rng, [5, ...inShape]);
    const y = randomBatch(rng, [5, ...outShape]);
    ls.push((await s.trainOnBatch(snT(x), snT(y))) as number);
    lt.push((await t.trainOnBatch(tfT(x), tfT(y))) as number);
  }
  expectClose(ls, lt, 'losses');
  expectSameWeights(s, t, 'weights after 4 steps');
  s.dispose();
}

describe('fitDataset and evaluateDataset as TF.js', () => {
  /** A plain { iterator() } over fixed batches, in either library's tensors (fresh tensors per element: fitDataset disposes them). */
  function batchesOf(lib: 'sn' | 'tf', xs: Batch[], ys: Batch[], sparse: boolean) {
    const make = (b: Batch, isY: boolean) => (lib === 'sn' ? snT(b) : isY && sparse ? tfSparse(b) : tfT(b));
    return {
      size: xs.length,
      iterator: async () => {
        let i = 0;
        return { next: async () => (i < xs.length ? { value: { xs: make(xs[i], false), ys: make(ys[i++], true) }, done: false } : { value: null, done: true }) };
      },
    };
  }
  const rng = new Rng(19);
  // Batches of 8, 8 and a smaller last one of 5: the plan made for 8 serves the 5.
  const sizes = [8, 8, 5];
  const xs = sizes.map((n) => randomBatch(rng, [n, 4]));
  const ys = sizes.map((n) => randomLabels(rng, n, 3));
  const vxs = [randomBatch(rng, [6, 4]), randomBatch(rng, [4, 4])];
  const vys = [randomLabels(rng, 6, 3), randomLabels(rng, 4, 3)];

  const setups: [string, (lib: 'sn' | 'tf') => object][] = [
    ['epochs over the whole dataset, a validation dataset', (lib) => ({ epochs: 3, verbose: 0, validationData: batchesOf(lib, vxs, vys, true) })],
    ['batchesPerEpoch across epochs, validationBatches', (lib) => ({ epochs: 2, batchesPerEpoch: 1, verbose: 0, validationData: batchesOf(lib, vxs, vys, true), validationBatches: 1 })],
    ['tensor validationData with validationBatchSize', (lib) => ({ epochs: 2, verbose: 0, validationBatchSize: 4, validationData: lib === 'sn' ? [snT(vxs[0]), snT(vys[0])] : [tfT(vxs[0]), tfSparse(vys[0])] })],
    ['classWeight and initialEpoch', () => ({ epochs: 3, initialEpoch: 1, verbose: 0, classWeight: { 0: 2, 1: 1, 2: 0.5 } })],
  ];
  for (const [name, args] of setups) {
    it(`${name}: histories and weights equal TF.js's`, async () => {
      const { s, t } = twins(mlp('softmax'));
      compileBoth(s, t, ['sgd', 0.3], 'sparseCategoricalCrossentropy', ['accuracy']);
      const sLogs: string[] = [];
      const tLogs: string[] = [];
      const cb = (into: string[]) => ({
        onBatchBegin: (b: number, l?: Record<string, unknown>) => void into.push(`begin ${b}:${Object.keys(l!)}`),
        onBatchEnd: (b: number, l?: Record<string, unknown>) => void into.push(`${b}:${Object.keys(l!)}:${l!.size}`),
      });
      const sh = await s.fitDataset(batchesOf('sn', xs, ys, true), { ...args('sn'), callbacks: cb(sLogs) } as FitDatasetArgs);
      const th = await t.fitDataset(batchesOf('tf', xs, ys, true) as never, { ...args('tf'), callbacks: cb(tLogs) } as never);
      expect(sLogs).toEqual(tLogs);
      expect(sh.epoch).toEqual(th.epoch);
      expectSameHistory(sh, th);
      expectSameWeights(s, t, `after fitDataset (${name})`);
      s.dispose();
    });
  }

  it("simdnet's data.array(...).batch(n) trains like the same batches in TF.js", async () => {
    const { s, t } = twins(mlp('softmax'));
    compileBoth(s, t, ['sgd', 0.3], 'sparseCategoricalCrossentropy');
    const all = randomBatch(rng, [21, 4]);
    const lab = randomLabels(rng, 21, 3);
    const elems = Array.from({ length: 21 }, (_, i) => ({ xs: sn.tensor(all.values.slice(i * 4, i * 4 + 4) as Float32Array, [4]), ys: sn.tensor(lab.values.slice(i, i + 1) as Int32Array, [], 'int32') }));
    const before = sn.memory().numTensors;
    const sh = await s.fitDataset(sn.data.array(elems).batch(8), { epochs: 2, verbose: 0 });
    // Each batch's tensors were disposed after its step (as TF.js's fitDataset does).
    expect(sn.memory().numTensors).toBe(before);
    const cut = (b: Batch, from: number, to: number): Batch => {
      const row = b.values.length / b.shape[0];
      return { values: b.values.slice(from * row, to * row), shape: [to - from, ...b.shape.slice(1)], dtype: b.dtype };
    };
    const bounds = [0, 8, 16, 21];
    const th = await t.fitDataset(batchesOf('tf', bounds.slice(0, -1).map((f, i) => cut(all, f, bounds[i + 1])), bounds.slice(0, -1).map((f, i) => cut(lab, f, bounds[i + 1])), true) as never, { epochs: 2, verbose: 0 });
    expectClose(sh.history.loss, th.history.loss as number[], 'history.loss');
    expectSameWeights(s, t, 'after fitDataset over data.array().batch()');
    s.dispose();
  });

  it('evaluateDataset equals TF.js, over all batches or the first `batches`', async () => {
    const { s, t } = twins(mlp('softmax'));
    compileBoth(s, t, 'sgd', 'sparseCategoricalCrossentropy', ['accuracy']);
    for (const args of [{}, { batches: 2 }]) {
      const se = await s.evaluateDataset(batchesOf('sn', xs, ys, true), args);
      const te = await t.evaluateDataset(batchesOf('tf', xs, ys, true) as never, args);
      expect(Array.isArray(se)).toBe(Array.isArray(te));
      expectClose(nums(se), nums(te), `evaluateDataset ${JSON.stringify(args)}`);
    }
    s.dispose();
  });
});

describe('yieldEvery and onYield as TF.js', () => {
  it('with a clock from nowFunc, onYield runs at the same (epoch, batch) as in TF.js, and nextFrameFunc is what a yield awaits', async () => {
    const rng = new Rng(20);
    const x = randomBatch(rng, [30, 4]);
    const y = randomLabels(rng, 30, 3);
    const run = async (lib: 'sn' | 'tf') => {
      const { s, t } = twins(mlp('softmax'));
      const m: AnyModel = lib === 'sn' ? s : t;
      (m as sn.LayersModel).compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
      let clock = 0;
      const seen: string[] = [];
      let frames = 0;
      const callbacks = {
        nowFunc: () => (clock += 40),
        nextFrameFunc: async () => void frames++,
        onYield: (e: number, b: number, logs: Record<string, unknown>) => void seen.push(`${e}/${b}:${Object.keys(logs)}`),
      };
      const args = { epochs: 2, batchSize: 4, shuffle: false, verbose: 0, yieldEvery: 100, callbacks };
      if (lib === 'sn') await s.fit(snT(x), snT(y), args);
      else await t.fit(tfT(x), tfSparse(y), args);
      s.dispose();
      return { seen, frames };
    };
    const a = await run('sn');
    const b = await run('tf');
    expect(a.seen.length).toBeGreaterThan(2);
    expect(a).toEqual(b);
  });

  it("yieldEvery 'batch' and 'epoch' await nextFrameFunc per batch and per epoch; 'never' not at all", async () => {
    const rng = new Rng(21);
    const x = randomBatch(rng, [12, 4]);
    const y = randomLabels(rng, 12, 3);
    for (const [every, want] of [['batch', 6], ['epoch', 2], ['never', 0]] as const) {
      let frames = 0;
      let tfFrames = 0;
      const { s, t } = twins(mlp('softmax'));
      compileBoth(s, t, 'sgd', 'sparseCategoricalCrossentropy');
      await s.fit(snT(x), snT(y), { epochs: 2, batchSize: 4, verbose: 0, yieldEvery: every, callbacks: { nextFrameFunc: async () => void frames++ } });
      await t.fit(tfT(x), tfSparse(y), { epochs: 2, batchSize: 4, verbose: 0, yieldEvery: every, callbacks: { nextFrameFunc: async () => void tfFrames++ } });
      expect(frames, every).toBe(want);
      expect(frames, every).toBe(tfFrames);
      s.dispose();
    }
  });
});

describe('memory', () => {
  it('a fit with class weights allocates nothing per step and gives its weight rows back; fit on arrays leaves no tensors', async () => {
    const { arena } = (await import('../../src/wasm/loader.ts')).backend();
    const { s, x, y } = softmaxTwins(22, 30);
    s.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    await s.fit(snT(x), snT(y), { epochs: 1, batchSize: 8, verbose: 0 }); // plans the arena
    const top = arena.top;
    const tensors = sn.memory().numTensors;
    const tops: number[] = [];
    await s.fit(Array.from({ length: 30 }, (_, i) => Array.from(x.values.slice(i * 4, i * 4 + 4))), Array.from(y.values), {
      epochs: 3,
      batchSize: 8,
      verbose: 0,
      classWeight: { 0: 1, 1: 2, 2: 3 },
      validationSplit: 0.2,
      callbacks: { onBatchEnd: () => void tops.push(arena.top) },
    });
    expect(new Set(tops).size).toBe(1);
    expect(arena.top).toBe(top);
    expect(sn.memory().numTensors).toBe(tensors);
    s.dispose();
  });
});
