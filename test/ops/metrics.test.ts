// tf.metrics against TF.js's (tfjs-layers `tf.metrics`, cpu backend): values, shapes (per
// sample where TF.js is per sample) and dtypes, on seeded data that reaches the edge cases
// (predictions at exactly 0.5, 0 and 1, ties, broadcast labels). Then metricNameOf against the
// keys TF.js's fit really logs.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { metricNameOf, metrics } from '../../src/metrics/functions.ts';
import { memory } from '../../src/ops/tidy.ts';
import { type Batch, closeness, initTfjs, noDiff, randomBatch, Rng, tf, tfl } from '../helpers/tfjs.ts';

const TOL = { rtol: 2e-6, atol: 1e-6 };

beforeAll(async () => {
  await sn.init({ deterministic: true });
  await initTfjs();
});

const rng = new Rng(77);
const N = 6;
const C = 4;
const batch = (values: number[], shape: number[]): Batch => ({ values: Float32Array.from(values), shape, dtype: 'float32' });
const binary = (shape: number[]): Batch => batch(Array.from(randomBatch(rng, shape, 0, 1).values, (v) => (v < 0.5 ? 0 : 1)), shape);
const oneHot = (n: number, c: number): Batch => {
  const v = new Array<number>(n * c).fill(0);
  for (let i = 0; i < n; i++) v[i * c + rng.int(c)] = 1;
  return batch(v, [n, c]);
};
/** Probabilities with some exact 0, 0.5 and 1 entries. */
const probs = (shape: number[]): Batch => {
  const b = randomBatch(rng, shape, 0, 1);
  b.values[0] = 0.5;
  b.values[1] = 0;
  b.values[2] = 1;
  return b;
};
/** `b` with its first values replaced. */
const withValues = (b: Batch, first: number[]): Batch => {
  b.values.set(first);
  return b;
};
const snT = (b: Batch) => sn.tensor(b.values, b.shape, b.dtype);
const tfT = (b: Batch) => tf.tensor(b.values, b.shape, b.dtype);

type Name = keyof typeof metrics;
type TfFn = (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;
const tfm = tfl.metrics as unknown as Record<string, TfFn>;
interface Case {
  name: Name;
  yTrue: Batch;
  yPred: Batch;
  /** The TF.js reference, when it is not tf.metrics[name]. */
  ref?: TfFn;
  note?: string;
}

const classIdx = (n: number, c: number, shape: number[]) => batch(Array.from({ length: n }, () => rng.int(c)), shape);
const CASES: Case[] = [
  { name: 'binaryAccuracy', yTrue: binary([N, C]), yPred: probs([N, C]) },
  { name: 'binaryAccuracy', yTrue: binary([N, 1]), yPred: probs([N, 1]), note: 'one unit' },
  { name: 'categoricalAccuracy', yTrue: oneHot(N, C), yPred: randomBatch(rng, [N, C], 0, 1) },
  // A tie: argmax takes the first, in both.
  { name: 'categoricalAccuracy', yTrue: batch([0, 1, 0, 1, 0, 0], [2, 3]), yPred: batch([0.4, 0.4, 0.2, 0.1, 0.1, 0.1], [2, 3]), note: 'ties' },
  // Labels 1 at a prediction of 0 and 0 at 1: only the clipping to [ε, 1 − ε] keeps them finite.
  { name: 'binaryCrossentropy', yTrue: withValues(binary([N, C]), [1, 1, 0]), yPred: probs([N, C]) },
  { name: 'categoricalCrossentropy', yTrue: oneHot(N, C), yPred: randomBatch(rng, [N, C], 0, 2), note: 'unnormalised' },
  // Row 0's class (1) has probability 0.
  { name: 'categoricalCrossentropy', yTrue: withValues(oneHot(N, C), [0, 1, 0, 0]), yPred: probs([N, C]), note: 'clipped' },
  {
    name: 'sparseCategoricalCrossentropy',
    yTrue: classIdx(N, C, [N]),
    yPred: randomBatch(rng, [N, C], 0.05, 1),
    note: 'vs categoricalCrossentropy on one-hot labels',
  },
  { name: 'sparseCategoricalAccuracy', yTrue: classIdx(N, C, [N, 1]), yPred: randomBatch(rng, [N, C], 0, 1), note: 'labels [n, 1]' },
  { name: 'sparseCategoricalAccuracy', yTrue: classIdx(N, C, [N]), yPred: randomBatch(rng, [N, C], 0, 1), note: 'labels [n]' },
  { name: 'precision', yTrue: binary([N, C]), yPred: binary([N, C]) },
  { name: 'precision', yTrue: binary([N, C]), yPred: probs([N, C]), note: 'unthresholded' },
  { name: 'precision', yTrue: batch([1, 1], [2]), yPred: batch([0, 0], [2]), note: 'no positive prediction' },
  { name: 'recall', yTrue: binary([N, C]), yPred: binary([N, C]) },
  { name: 'recall', yTrue: batch([0, 0], [2]), yPred: batch([1, 0], [2]), note: 'no positive label' },
  { name: 'meanSquaredError', yTrue: randomBatch(rng, [N, C]), yPred: randomBatch(rng, [N, C]) },
  { name: 'meanSquaredError', yTrue: randomBatch(rng, [N, 1]), yPred: randomBatch(rng, [N, C]), note: 'broadcast' },
  { name: 'MSE', yTrue: randomBatch(rng, [2, 3, C]), yPred: randomBatch(rng, [2, 3, C]) },
  { name: 'mse', yTrue: randomBatch(rng, [N, C]), yPred: randomBatch(rng, [N, C]) },
  { name: 'meanAbsoluteError', yTrue: randomBatch(rng, [N, C]), yPred: randomBatch(rng, [N, C]) },
  { name: 'MAE', yTrue: randomBatch(rng, [N, C]), yPred: randomBatch(rng, [N, C]), ref: tfm.meanAbsoluteError },
  { name: 'mae', yTrue: randomBatch(rng, [N, C]), yPred: randomBatch(rng, [N, C]), ref: tfm.meanAbsoluteError },
  { name: 'meanAbsolutePercentageError', yTrue: batch([0, 1, -2, 3e-8, 4, 5, 6, 7], [2, 4]), yPred: randomBatch(rng, [2, 4]), note: 'zero labels' },
  { name: 'MAPE', yTrue: randomBatch(rng, [N, C]), yPred: randomBatch(rng, [N, C]) },
  { name: 'mape', yTrue: randomBatch(rng, [N, C]), yPred: randomBatch(rng, [N, C]) },
  { name: 'cosineProximity', yTrue: randomBatch(rng, [N, C]), yPred: randomBatch(rng, [N, C]) },
  { name: 'cosineProximity', yTrue: batch([0, 0, 0, 1, 2, 3], [2, 3]), yPred: batch([1, 2, 3, 0, 0, 0], [2, 3]), note: 'zero rows' },
  {
    name: 'r2Score',
    yTrue: randomBatch(rng, [N, C]),
    yPred: randomBatch(rng, [N, C]),
    // tfjs-layers' r2Score calls chained methods, which the core-only bundle does not register;
    // the same formula with the functional ops.
    ref: (t, p) => tf.sub(1, tf.div(tf.sum(tf.square(tf.sub(t, p))), tf.sum(tf.square(tf.sub(t, tf.mean(t)))))),
  },
];

const oneHotRef: TfFn = (t, p) => tfm.categoricalCrossentropy(tf.oneHot(tf.cast(t, 'int32'), p.shape[p.shape.length - 1]), tf.clipByValue(p, 1e-7, 1 - 1e-7));
CASES.find((c) => c.name === 'sparseCategoricalCrossentropy')!.ref = oneHotRef;

describe('tf.metrics match TF.js', () => {
  it.each(CASES.map((c) => [`${c.name} [${c.yTrue.shape}] vs [${c.yPred.shape}]${c.note ? ` (${c.note})` : ''}`, c] as const))('%s', (_, c) => {
    const got = metrics[c.name](snT(c.yTrue), snT(c.yPred));
    const want = (c.ref ?? tfm[c.name])(tfT(c.yTrue), tfT(c.yPred));
    expect([...got.shape]).toEqual(want.shape);
    expect(got.dtype).toBe(want.dtype);
    const acc = closeness(got.dataSync(), want.dataSync() as Float32Array, c.name, TOL, noDiff());
    expect(acc.ratio, acc.where).toBeLessThanOrEqual(1);
  });

  it('per-sample metrics return one value per sample', () => {
    const t = oneHot(N, C);
    const p = randomBatch(rng, [N, C], 0, 1);
    for (const n of ['binaryAccuracy', 'categoricalAccuracy', 'binaryCrossentropy', 'categoricalCrossentropy', 'meanSquaredError', 'meanAbsoluteError', 'cosineProximity'] as const) {
      expect(metrics[n](snT(t), snT(p)).shape, n).toEqual([N]);
    }
    for (const n of ['precision', 'recall', 'r2Score'] as const) expect(metrics[n](snT(t), snT(p)).shape, n).toEqual([]);
  });

  it('takes arrays, leaving only its result in memory', () => {
    const before = memory().numTensors;
    const r = metrics.categoricalAccuracy([[0, 1], [1, 0]], [[0.2, 0.8], [0.3, 0.7]]);
    expect(Array.from(r.dataSync())).toEqual([1, 0]);
    expect(memory().numTensors).toBe(before + 1);
  });

  it('rejects what TF.js rejects, naming the function and argument', () => {
    const bad: [string, () => unknown, RegExp][] = [
      ['shapes that do not broadcast', () => metrics.mse([[1, 2, 3]], [[1, 2]]), /^metrics\.meanSquaredError: yTrue shape \[1, 3\] does not broadcast with yPred shape \[1, 2\]/],
      ['scalars', () => metrics.categoricalAccuracy(1, 2), /^metrics\.categoricalAccuracy: expected tensors with at least one dimension/],
      ['missing yPred', () => metrics.recall([1], undefined as never), /^metrics\.recall: yPred: expected a tensor or array, got undefined/],
      ['sparse labels [n, 3]', () => metrics.sparseCategoricalAccuracy([[0, 1, 2]], [[0.1, 0.2, 0.7]]), /^metrics\.sparseCategoricalAccuracy: yTrue has yPred's rank, so its last dimension must be 1/],
      ['sparse label count', () => metrics.sparseCategoricalCrossentropy([0, 1, 2], [[0.1, 0.9]]), /^metrics\.sparseCategoricalCrossentropy: yTrue holds 3 labels \(shape \[3\]\) for 1 rows of yPred/],
    ];
    for (const [label, f, re] of bad) expect(f, label).toThrow(re);
  });
});

describe('metricNameOf', () => {
  it('gives the key TF.js logs for each function, as fit records it', async () => {
    // Every function TF.js's compile accepts on a softmax output with one-hot targets.
    const names = (Object.keys(tfm) as Name[]).filter((n) => !['r2Score', 'sparseCategoricalAccuracy'].includes(n));
    const m = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [2], activation: 'softmax' })] });
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: names.map((n) => tfm[n]) });
    const h = await m.fit(tf.ones([4, 2]), tf.oneHot(tf.tensor1d([0, 1, 2, 0], 'int32'), 3), { epochs: 1, verbose: 0 });
    const logged = Object.keys(h.history).filter((k) => k !== 'loss').sort();
    expect(logged).toEqual(names.map((n) => metricNameOf(metrics[n])!.key).sort());
    m.dispose();
  });

  it('gives the compile name simdnet computes, or undefined when it has none', () => {
    const of = (f: unknown) => metricNameOf(f);
    expect(of(metrics.categoricalAccuracy)).toEqual({ key: 'categoricalAccuracy', name: 'categoricalAccuracy' });
    expect(of(metrics.binaryAccuracy)).toEqual({ key: 'binaryAccuracy', name: 'binaryAccuracy' });
    expect(of(metrics.sparseCategoricalAccuracy)).toEqual({ key: 'sparseCategoricalAccuracy', name: 'sparseCategoricalAccuracy' });
    expect(of(metrics.MSE)).toEqual({ key: 'MSE', name: 'meanSquaredError' });
    expect(of(metrics.mse)).toEqual({ key: 'mse', name: 'meanSquaredError' });
    expect(of(metrics.meanSquaredError)).toEqual({ key: 'meanSquaredError', name: 'meanSquaredError' });
    expect(of(metrics.mae)).toEqual({ key: 'mae', name: 'meanAbsoluteError' });
    expect(of(metrics.precision)).toEqual({ key: 'precision', name: undefined });
    expect(of(metrics.r2Score)).toEqual({ key: 'r2Score', name: undefined });
    expect(of(tfm.categoricalAccuracy)).toBeUndefined();
    expect(of('accuracy')).toBeUndefined();
    expect(of(() => 0)).toBeUndefined();
  });
});
