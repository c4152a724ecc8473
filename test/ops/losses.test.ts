// tf.losses against TF.js's (tfjs-core, cpu backend): every function, every reduction, with no
// weights, scalar weights, weights broadcast per sample and full weights with zeros; values to
// float32 rounding, shapes and dtypes equal. Then the argument checks and lossNameOf.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { Reduction, losses, lossNameOf } from '../../src/losses/functions.ts';
import { metrics } from '../../src/metrics/functions.ts';
import { memory } from '../../src/ops/tidy.ts';
import { type Batch, closeness, initTfjs, noDiff, randomBatch, Rng, tf } from '../helpers/tfjs.ts';

const TOL = { rtol: 2e-6, atol: 1e-6 };

beforeAll(async () => {
  await sn.init({ deterministic: true });
  await initTfjs();
});

const rng = new Rng(2024);
const N = 5;
const C = 4;
/** Labels in {0, 1}. */
const binary = (shape: number[]): Batch => ({ ...randomBatch(rng, shape, 0, 1), values: Float32Array.from(randomBatch(rng, shape, 0, 1).values, (v) => (v < 0.5 ? 0 : 1)) });
const oneHot = (n: number, c: number): Batch => {
  const v = new Float32Array(n * c);
  for (let i = 0; i < n; i++) v[i * c + rng.int(c)] = 1;
  return { values: v, shape: [n, c], dtype: 'float32' };
};
const unitRows = (n: number, c: number): Batch => {
  const b = randomBatch(rng, [n, c]);
  for (let i = 0; i < n; i++) {
    const row = b.values.subarray(i * c, (i + 1) * c);
    const norm = Math.hypot(...row);
    row.forEach((x, j) => (row[j] = x / norm));
  }
  return b;
};

type Fn = keyof typeof losses;
interface Case {
  fn: Fn;
  /** The two tensors (labels-like, predictions-like). */
  inputs: [Batch, Batch];
  /** Per-sample loss shape: what weights broadcast against. */
  lossShape: number[];
  /** Arguments between weights and reduction (labelSmoothing, delta, epsilon), or the axis before weights. */
  extra?: number[];
  axis?: number;
}

const CASES: Case[] = [
  { fn: 'meanSquaredError', inputs: [randomBatch(rng, [N, C]), randomBatch(rng, [N, C])], lossShape: [N, C] },
  { fn: 'absoluteDifference', inputs: [randomBatch(rng, [N, C]), randomBatch(rng, [N, C])], lossShape: [N, C] },
  { fn: 'hingeLoss', inputs: [binary([N, C]), randomBatch(rng, [N, C], -2, 2)], lossShape: [N, C] },
  { fn: 'huberLoss', inputs: [randomBatch(rng, [N, C], -2, 2), randomBatch(rng, [N, C], -2, 2)], lossShape: [N, C] },
  { fn: 'huberLoss', inputs: [randomBatch(rng, [N, C], -2, 2), randomBatch(rng, [N, C], -2, 2)], lossShape: [N, C], extra: [0.4] },
  { fn: 'logLoss', inputs: [binary([N, C]), randomBatch(rng, [N, C], 0.01, 0.99)], lossShape: [N, C] },
  { fn: 'logLoss', inputs: [binary([N, C]), randomBatch(rng, [N, C], 0.01, 0.99)], lossShape: [N, C], extra: [1e-3] },
  { fn: 'sigmoidCrossEntropy', inputs: [binary([N, C]), randomBatch(rng, [N, C], -4, 4)], lossShape: [N, C] },
  { fn: 'sigmoidCrossEntropy', inputs: [binary([N, C]), randomBatch(rng, [N, C], -4, 4)], lossShape: [N, C], extra: [0.2] },
  { fn: 'softmaxCrossEntropy', inputs: [oneHot(N, C), randomBatch(rng, [N, C], -3, 3)], lossShape: [N] },
  { fn: 'softmaxCrossEntropy', inputs: [oneHot(N, C), randomBatch(rng, [N, C], -3, 3)], lossShape: [N], extra: [0.1] },
  { fn: 'cosineDistance', inputs: [unitRows(N, C), unitRows(N, C)], lossShape: [N, 1], axis: 1 },
  { fn: 'cosineDistance', inputs: [randomBatch(rng, [N, C]), randomBatch(rng, [N, C])], lossShape: [1, C], axis: 0 },
  { fn: 'cosineDistance', inputs: [randomBatch(rng, [2, 3, C]), randomBatch(rng, [2, 3, C])], lossShape: [2, 3, 1], axis: -1 },
];

/** Weights to try against a loss shape: none, a scalar, one per sample (broadcast), full with zeros. */
function weightSets(shape: number[]): (Batch | undefined)[] {
  const full = randomBatch(rng, shape, 0, 2);
  for (let i = 0; i < full.values.length; i += 3) full.values[i] = 0;
  const perSample = randomBatch(rng, [shape[0], ...shape.slice(1).map(() => 1)], 0.5, 1.5);
  return [undefined, { values: Float32Array.of(0.7), shape: [], dtype: 'float32' }, perSample, full];
}

const HAS_EXTRA = new Set<Fn>(['huberLoss', 'logLoss', 'sigmoidCrossEntropy', 'softmaxCrossEntropy']);
const snT = (b: Batch) => sn.tensor(b.values, b.shape, b.dtype);
const tfT = (b: Batch) => tf.tensor(b.values, b.shape, b.dtype);
const REDUCTIONS = [Reduction.NONE, Reduction.MEAN, Reduction.SUM, Reduction.SUM_BY_NONZERO_WEIGHTS] as const;

describe('tf.losses match TF.js', () => {
  it.each(CASES.map((c) => [`${c.fn}${c.extra ? `(… ${c.extra})` : ''}${c.axis !== undefined ? ` axis ${c.axis}` : ''} [${c.inputs[0].shape}]`, c] as const))('%s', (_, c) => {
    const acc = noDiff();
    for (const w of weightSets(c.lossShape)) {
      for (const r of [...REDUCTIONS, undefined]) {
        const argsFor = <T>(conv: (b: Batch) => T) => {
          const [a, b] = c.inputs.map(conv);
          const weights = w ? conv(w) : undefined;
          if (c.axis !== undefined) return [a, b, c.axis, weights, r];
          // huberLoss, logLoss and the cross-entropies have one argument between weights and reduction.
          const slot = HAS_EXTRA.has(c.fn) ? [c.extra?.[0]] : [];
          return [a, b, weights, ...slot, r];
        };
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const got = (losses[c.fn] as any)(...argsFor(snT)) as sn.Tensor;
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const want = (tf.losses[c.fn] as any)(...argsFor(tfT)) as tf.Tensor;
        const where = `weights ${w ? `[${w.shape}]` : 'none'}, reduction ${r === undefined ? 'default' : Reduction[r]}`;
        expect([...got.shape], where).toEqual(want.shape);
        expect(got.dtype, where).toBe(want.dtype);
        closeness(got.dataSync(), want.dataSync() as Float32Array, where, TOL, acc);
      }
    }
    expect(acc.ratio, acc.where).toBeLessThanOrEqual(1);
  });

  it('computeWeightedLoss over a given loss tensor, every reduction and weight shape', () => {
    const l = randomBatch(rng, [3, 4], 0, 2);
    const acc = noDiff();
    for (const w of weightSets([3, 4])) {
      for (const r of REDUCTIONS) {
        const got = losses.computeWeightedLoss(snT(l), w && snT(w), r);
        const want = tf.losses.computeWeightedLoss(tfT(l), w && tfT(w), r);
        expect([...got.shape]).toEqual(want.shape);
        closeness(got.dataSync(), want.dataSync() as Float32Array, `${Reduction[r]} w ${w?.shape}`, TOL, acc);
      }
    }
    expect(acc.ratio, acc.where).toBeLessThanOrEqual(1);
  });

  it('takes nested arrays, and a call leaves exactly its result in memory', () => {
    const before = memory().numTensors;
    const r = losses.meanSquaredError([[1, 2], [3, 4]], [[1, 1], [1, 1]], [1, 0]);
    expect(memory().numTensors).toBe(before + 1);
    // (0 + 1 + 4 + 9) with the second column weighted 0: (0 + 4) / 2 non-zero weights.
    expect(r.dataSync()[0]).toBeCloseTo(2, 6);
    expect(r.shape).toEqual([]);
    r.dispose();
    expect(memory().numTensors).toBe(before);
  });

  it('Reduction is TF.js enum, both ways', () => {
    for (const k of ['NONE', 'MEAN', 'SUM', 'SUM_BY_NONZERO_WEIGHTS'] as const) {
      expect(Reduction[k]).toBe(tf.Reduction[k]);
      expect(Reduction[Reduction[k]]).toBe(k);
    }
  });
});

describe('tf.losses argument checks', () => {
  const a = sn.tensor([[1, 2], [3, 4]]);
  const b = sn.tensor([[1, 2, 3], [4, 5, 6]]);
  const bad: [string, () => unknown, RegExp][] = [
    ['shapes differ', () => losses.meanSquaredError(a, b), /^losses\.meanSquaredError: labels shape \[2, 2\] and predictions shape \[2, 3\] must match/],
    ['reduction 7', () => losses.absoluteDifference(a, a, null, 7 as never), /^losses\.absoluteDifference: reduction: expected Reduction\.NONE \(0\).* got 7/],
    ['reduction string', () => losses.hingeLoss(a, a, null, 'mean' as never), /^losses\.hingeLoss: reduction: .* got "mean"/],
    ['weights do not broadcast', () => losses.meanSquaredError(a, a, [1, 2, 3]), /^losses\.meanSquaredError: losses shape \[2, 2\] does not broadcast with weights shape \[3\]/],
    ['labels missing', () => losses.logLoss(undefined as never, a), /^losses\.logLoss: labels: expected a tensor or array, got undefined/],
    ['predictions ragged', () => losses.logLoss(a, [[1], [2, 3]]), /^losses\.logLoss: predictions: ragged/],
    ['labelSmoothing 2', () => losses.softmaxCrossEntropy(a, a, null, 2), /^losses\.softmaxCrossEntropy: labelSmoothing: expected a number in \[0, 1\], got 2/],
    ['labelSmoothing NaN', () => losses.sigmoidCrossEntropy(a, a, null, NaN), /^losses\.sigmoidCrossEntropy: labelSmoothing: .*got NaN/],
    ['huber delta 0', () => losses.huberLoss(a, a, null, 0), /^losses\.huberLoss: delta: expected a positive number, got 0/],
    ['logLoss epsilon -1', () => losses.logLoss(a, a, null, -1), /^losses\.logLoss: epsilon: expected a number >= 0, got -1/],
    ['cosine axis 2', () => losses.cosineDistance(a, a, 2), /^losses\.cosineDistance: axis: expected an integer in \[-2, 1\] for a rank-2 tensor, got 2/],
    ['cosine axis 0.5', () => losses.cosineDistance(a, a, 0.5), /^losses\.cosineDistance: axis: expected an integer in \[-2, 1\] for a rank-2 tensor, got 0\.5/],
    ['softmax scalar', () => losses.softmaxCrossEntropy(1, 2), /^losses\.softmaxCrossEntropy: logits: expected at least one dimension/],
  ];
  it.each(bad)('%s', (_, f, re) => {
    const before = memory().numTensors;
    expect(f).toThrow(re);
    // A failed call leaves no temporaries behind.
    expect(memory().numTensors).toBe(before);
  });

  it('cosineDistance without an axis sums over every axis, as TF.js', () => {
    const x = randomBatch(rng, [2, 3]);
    const y = randomBatch(rng, [2, 3]);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const got = (losses.cosineDistance as any)(snT(x), snT(y), undefined, undefined, Reduction.NONE) as sn.Tensor;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const want = (tf.losses.cosineDistance as any)(tfT(x), tfT(y), undefined, undefined, tf.Reduction.NONE) as tf.Tensor;
    expect([...got.shape]).toEqual(want.shape);
    expect(got.dataSync()[0]).toBeCloseTo(want.dataSync()[0], 5);
  });
});

describe('lossNameOf', () => {
  it('maps functions with an exact simdnet training loss', () => {
    expect(lossNameOf(losses.meanSquaredError)).toBe('meanSquaredError');
    expect(lossNameOf(losses.absoluteDifference)).toBe('meanAbsoluteError');
    for (const f of [metrics.meanSquaredError, metrics.MSE, metrics.mse]) expect(lossNameOf(f)).toBe('meanSquaredError');
    for (const f of [metrics.meanAbsoluteError, metrics.MAE, metrics.mae]) expect(lossNameOf(f)).toBe('meanAbsoluteError');
    expect(lossNameOf(metrics.categoricalCrossentropy)).toBe('categoricalCrossentropy');
    expect(lossNameOf(metrics.sparseCategoricalCrossentropy)).toBe('sparseCategoricalCrossentropy');
    expect(lossNameOf(metrics.binaryCrossentropy)).toBe('binaryCrossentropy');
  });

  it('gives undefined for logits losses and the others simdnet cannot train with', () => {
    for (const f of [losses.softmaxCrossEntropy, losses.sigmoidCrossEntropy, losses.logLoss, losses.hingeLoss, losses.huberLoss, losses.cosineDistance, losses.computeWeightedLoss]) {
      expect(lossNameOf(f)).toBeUndefined();
    }
    expect(lossNameOf(metrics.categoricalAccuracy)).toBeUndefined();
    expect(lossNameOf(() => 0)).toBeUndefined();
    expect(lossNameOf(tf.losses.meanSquaredError)).toBeUndefined();
  });

  it('canonicalises the string names compile accepts (TF.js camelCase, Keras snake_case)', () => {
    expect(lossNameOf('meanSquaredError')).toBe('meanSquaredError');
    expect(lossNameOf('mean_squared_error')).toBe('meanSquaredError');
    expect(lossNameOf('mse')).toBe('meanSquaredError');
    expect(lossNameOf('categorical_crossentropy')).toBe('categoricalCrossentropy');
    expect(lossNameOf('sparseCategoricalCrossentropy')).toBe('sparseCategoricalCrossentropy');
    expect(lossNameOf('binaryCrossentropy')).toBe('binaryCrossentropy');
    expect(lossNameOf('hinge')).toBeUndefined();
    expect(lossNameOf('toString')).toBeUndefined();
    expect(lossNameOf(undefined)).toBeUndefined();
  });
});
