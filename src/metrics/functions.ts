/**
 * `tf.metrics`: TF.js's metric functions over tensors (tfjs-layers `metrics.js`, `losses.js`),
 * same formulas: per-sample results (one value per row, the last axis reduced) where TF.js
 * gives them, scalars for precision, recall and r2Score. Host-side, float64, returning float32
 * tensors; arrays are converted and their temporaries disposed.
 *
 * `compile({ metrics })` computes its own metrics from the arena (`metrics/index.ts`);
 * `metricNameOf` maps these functions to the names it knows and to the key TF.js logs.
 */
import type { Tensor, TensorLike } from '../tensor.ts';
import { type Operand, broadcastShape, expand, markLossEquivalent, need, result, withOperands } from '../losses/functions.ts';

/**
 * Keras's backend epsilon (TF.js `epsilon()`) and the clip bounds it gives, as float32 values:
 * TF.js clips in float32, where 1 − 1e-7 is 1 − 1.19e-7, and near 1 that difference shows
 * (the logit of the clipped probability is 15.9, not 16.1).
 */
const EPS = Math.fround(1e-7);
const ONE_MINUS_EPS = Math.fround(1 - 1e-7);
const clip = (p: number) => Math.min(Math.max(p, EPS), ONE_MINUS_EPS);

/** `withOperands` over yTrue and yPred, both required. */
function withTruePred(who: string, yTrue: unknown, yPred: unknown, body: (t: Operand, p: Operand) => Tensor): Tensor {
  return withOperands(who, [[yTrue, 'yTrue'], [yPred, 'yPred']], ([a, b]) => body(need(who, a, 'yTrue', yTrue), need(who, b, 'yPred', yPred)));
}

/** yTrue and yPred broadcast to one shape (as TF.js's elementwise ops do): the shape and both values over it. */
function broadcastPair(who: string, t: Operand, p: Operand): { shape: number[]; tv: Float64Array; pv: Float64Array } {
  const shape = broadcastShape(who, t.shape, 'yTrue', p.shape, 'yPred');
  return { shape, tv: expand(t, shape), pv: expand(p, shape) };
}

/** yTrue and yPred broadcast to one shape, then `row` over each run of the last axis: one value per sample. */
function perRow(who: string, yTrue: unknown, yPred: unknown, row: (t: Float64Array, p: Float64Array, o: number, n: number) => number): Tensor {
  return withTruePred(who, yTrue, yPred, (t, p) => {
    const { shape, tv, pv } = broadcastPair(who, t, p);
    if (shape.length === 0) throw new Error(`${who}: expected tensors with at least one dimension (the last is reduced), got scalars`);
    const n = shape[shape.length - 1];
    const rows = n === 0 ? 0 : tv.length / n;
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) out[r] = row(tv, pv, r * n, n);
    return result(out, shape.slice(0, -1));
  });
}

/** A `perRow` row: scale · the mean of term(yTrue, yPred) over the row. */
function rowMean(term: (t: number, p: number) => number, scale = 1) {
  return (t: Float64Array, p: Float64Array, o: number, n: number): number => {
    let s = 0;
    for (let j = o; j < o + n; j++) s += term(t[j], p[j]);
    return (scale * s) / n;
  };
}

function argmax(v: Float64Array | ArrayLike<number>, o: number, n: number): number {
  let best = 0;
  for (let j = 1; j < n; j++) if (v[o + j] > v[o + best]) best = j;
  return best;
}

/** Mean over the last axis of yTrue == (yPred > 0.5): exact equality, as TF.js (soft labels never match). */
export function binaryAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return perRow('metrics.binaryAccuracy', yTrue, yPred, rowMean((t, p) => (t === (p > 0.5 ? 1 : 0) ? 1 : 0)));
}

/** 1 where argmax(yTrue) = argmax(yPred) over the last axis, else 0: one value per sample. */
export function categoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return perRow('metrics.categoricalAccuracy', yTrue, yPred, (t, p, o, n) => (argmax(t, o, n) === argmax(p, o, n) ? 1 : 0));
}

/** Sigmoid cross-entropy of the logit of yPred clipped to [ε, 1 − ε], mean over the last axis. */
export function binaryCrossentropy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return perRow('metrics.binaryCrossentropy', yTrue, yPred, rowMean((t, p) => {
    const y = clip(p);
    const x = Math.log(y / (1 - y));
    return Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
  }));
}

/** −Σ yTrue·log(yPred) over the last axis, yPred rescaled to sum to 1 then clipped to [ε, 1 − ε]. */
export function categoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return perRow('metrics.categoricalCrossentropy', yTrue, yPred, xent);
}
function xent(t: ArrayLike<number>, p: ArrayLike<number>, o: number, n: number): number {
  let sum = 0;
  for (let j = o; j < o + n; j++) sum += p[j];
  let s = 0;
  for (let j = o; j < o + n; j++) s -= t[j] * Math.log(clip(p[j] / sum));
  return s;
}

/**
 * Class-index labels (floored; one per row of yPred, in any shape holding that many) against
 * probabilities: yPred clipped to [ε, 1 − ε], then the categorical cross-entropy (TF.js's order).
 */
export function sparseCategoricalCrossentropy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const who = 'metrics.sparseCategoricalCrossentropy';
  return withTruePred(who, yTrue, yPred, (t, p) => {
    if (p.shape.length === 0) throw new Error(`${who}: yPred: expected at least one dimension (the classes), got a scalar`);
    const n = p.shape[p.shape.length - 1];
    const rows = n === 0 ? 0 : p.v.length / n;
    if (t.v.length !== rows) {
      throw new Error(`${who}: yTrue holds ${t.v.length} labels (shape [${t.shape.join(', ')}]) for ${rows} rows of yPred (shape [${p.shape.join(', ')}])`);
    }
    const out = new Float64Array(rows);
    const oneHot = new Float64Array(n);
    const clipped = new Float64Array(n);
    for (let r = 0; r < rows; r++) {
      const c = Math.floor(t.v[r]);
      // TF.js's oneHot gives an all-zero row for a class outside [0, n): the loss is then 0.
      oneHot.fill(0);
      if (c >= 0 && c < n) oneHot[c] = 1;
      for (let j = 0; j < n; j++) clipped[j] = clip(p.v[r * n + j]);
      out[r] = xent(oneHot, clipped, 0, n);
    }
    return result(out, p.shape.slice(0, -1));
  });
}

/**
 * 1 where the label equals argmax(yPred) over the last axis. Labels shaped like yPred must have
 * a last dimension of 1 (it is squeezed), as in TF.js.
 */
export function sparseCategoricalAccuracy(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const who = 'metrics.sparseCategoricalAccuracy';
  return withTruePred(who, yTrue, yPred, (t, p) => {
    if (p.shape.length === 0) throw new Error(`${who}: yPred: expected at least one dimension (the classes), got a scalar`);
    let tshape = t.shape;
    if (t.shape.length === p.shape.length) {
      if (t.shape[t.shape.length - 1] !== 1) {
        throw new Error(`${who}: yTrue has yPred's rank, so its last dimension must be 1 (class indices), got shape [${t.shape.join(', ')}]`);
      }
      tshape = t.shape.slice(0, -1);
    }
    const n = p.shape[p.shape.length - 1];
    const pshape = p.shape.slice(0, -1);
    const shape = broadcastShape(who, tshape, 'yTrue', pshape, 'argmax(yPred)');
    const rows = n === 0 ? 0 : p.v.length / n;
    const am = new Float64Array(rows);
    for (let r = 0; r < rows; r++) am[r] = argmax(p.v, r * n, n);
    const tv = expand({ v: t.v, shape: tshape }, shape);
    const pv = expand({ v: am, shape: pshape }, shape);
    return result(tv.map((v, i) => (v === pv[i] ? 1 : 0)), shape);
  });
}

/** Counts over every element, with TF.js's exact tests (yPred is not thresholded). */
function confusion(who: string, yTrue: unknown, yPred: unknown, f: (tp: number, fp: number, fn: number) => number): Tensor {
  return withTruePred(who, yTrue, yPred, (t, p) => {
    const { tv, pv } = broadcastPair(who, t, p);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < tv.length; i++) {
      if (tv[i] === 1 && pv[i] === 1) tp++;
      else if (tv[i] === 0 && pv[i] === 1) fp++;
      else if (tv[i] === 1 && pv[i] === 0) fn++;
    }
    return result([f(tp, fp, fn)], []);
  });
}

/** tp / (tp + fp) over every element (0 when there is no positive prediction): a scalar. */
export function precision(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return confusion('metrics.precision', yTrue, yPred, (tp, fp) => (tp + fp > 0 ? tp / (tp + fp) : 0));
}

/** tp / (tp + fn) over every element (0 when there is no positive label): a scalar. */
export function recall(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return confusion('metrics.recall', yTrue, yPred, (tp, _fp, fn) => (tp + fn > 0 ? tp / (tp + fn) : 0));
}

/** A metric over yTrue and yPred that is one `perRow` row function. */
const rowMetric = (who: string, row: (t: Float64Array, p: Float64Array, o: number, n: number) => number) => (yTrue: TensorLike, yPred: TensorLike): Tensor =>
  perRow(who, yTrue, yPred, row);

/** Mean of (yPred − yTrue)² over the last axis. Also `MSE`, `mse`. */
export const meanSquaredError = rowMetric('metrics.meanSquaredError', rowMean((t, p) => (p - t) * (p - t)));
/** Mean of |yPred − yTrue| over the last axis. Also `MAE`, `mae`. */
export const meanAbsoluteError = rowMetric('metrics.meanAbsoluteError', rowMean((t, p) => Math.abs(p - t)));
/** 100 · mean of |(yTrue − yPred) / max(|yTrue|, ε)| over the last axis. Also `MAPE`, `mape`. */
export const meanAbsolutePercentageError = rowMetric(
  'metrics.meanAbsolutePercentageError',
  rowMean((t, p) => Math.abs((t - p) / Math.max(Math.abs(t), EPS)), 100),
);

/** −Σ (yTrue/‖yTrue‖)·(yPred/‖yPred‖) over the last axis, norms floored at √ε (TF.js l2Normalize). */
export function cosineProximity(yTrue: TensorLike, yPred: TensorLike): Tensor {
  return perRow('metrics.cosineProximity', yTrue, yPred, (t, p, o, n) => {
    let tt = 0;
    let pp = 0;
    let tp = 0;
    for (let j = o; j < o + n; j++) {
      tt += t[j] * t[j];
      pp += p[j] * p[j];
      tp += t[j] * p[j];
    }
    return -tp / (Math.sqrt(Math.max(tt, EPS)) * Math.sqrt(Math.max(pp, EPS)));
  });
}

/** 1 − Σ(yTrue − yPred)² / Σ(yTrue − mean(yTrue))² over every element: a scalar. */
export function r2Score(yTrue: TensorLike, yPred: TensorLike): Tensor {
  const who = 'metrics.r2Score';
  return withTruePred(who, yTrue, yPred, (t, p) => {
    const { tv, pv } = broadcastPair(who, t, p);
    let mean = 0;
    for (let i = 0; i < t.v.length; i++) mean += t.v[i];
    mean /= t.v.length;
    let res = 0;
    let tot = 0;
    for (let i = 0; i < tv.length; i++) {
      res += (tv[i] - pv[i]) ** 2;
      tot += (tv[i] - mean) ** 2;
    }
    return result([1 - res / tot], []);
  });
}

/** A distinct function object per alias: TF.js logs each under the name it was exported as. */
const alias = (f: (yTrue: TensorLike, yPred: TensorLike) => Tensor) => (yTrue: TensorLike, yPred: TensorLike) => f(yTrue, yPred);

/** The `tf.metrics` namespace (TF.js's public names and aliases). */
export const metrics = {
  binaryAccuracy,
  binaryCrossentropy,
  categoricalAccuracy,
  categoricalCrossentropy,
  cosineProximity,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  precision,
  r2Score,
  recall,
  sparseCategoricalAccuracy,
  sparseCategoricalCrossentropy,
  MAE: alias(meanAbsoluteError),
  mae: alias(meanAbsoluteError),
  MAPE: alias(meanAbsolutePercentageError),
  mape: alias(meanAbsolutePercentageError),
  MSE: alias(meanSquaredError),
  mse: alias(meanSquaredError),
};

export type MetricFunctionName = keyof typeof metrics;

/**
 * What the model needs to compile a metric given as a `metrics.*` function:
 * - `key`: the name TF.js logs it under (its history key; `val_${key}` for validation). TF.js
 *   (tfjs-layers `getLossOrMetricName`) logs a function by its name, which for the public
 *   `tf.metrics.*` functions is the name they are exported as: `metrics.categoricalAccuracy` →
 *   'categoricalAccuracy', `metrics.MSE` → 'MSE', `metrics.mse` → 'mse'.
 * - `name`: the metric name simdnet's compile computes it as (`metrics/index.ts`), or undefined
 *   when compile has no such metric (the caller should reject it, naming `key`).
 */
export interface MetricNames {
  key: MetricFunctionName;
  name: string | undefined;
}

/** simdnet compile's name for each function, where it has one. */
const COMPILE_NAME: Partial<Record<MetricFunctionName, string>> = {
  binaryAccuracy: 'binaryAccuracy',
  categoricalAccuracy: 'categoricalAccuracy',
  sparseCategoricalAccuracy: 'sparseCategoricalAccuracy',
  meanSquaredError: 'meanSquaredError',
  MSE: 'meanSquaredError',
  mse: 'meanSquaredError',
  meanAbsoluteError: 'meanAbsoluteError',
  MAE: 'meanAbsoluteError',
  mae: 'meanAbsoluteError',
};

const KEYS = new Map<unknown, MetricFunctionName>((Object.keys(metrics) as MetricFunctionName[]).map((k) => [metrics[k], k]));

/** `{ key, name }` for a `metrics.*` function (see MetricNames); undefined for anything else. */
export function metricNameOf(fn: unknown): MetricNames | undefined {
  const key = KEYS.get(fn);
  return key === undefined ? undefined : { key, name: COMPILE_NAME[key] };
}

// The tfjs-layers loss functions among these (TF.js accepts them as `compile({ loss })`) whose
// formulas equal simdnet's training losses; `lossNameOf` answers for them.
for (const k of ['meanSquaredError', 'MSE', 'mse'] as const) markLossEquivalent(metrics[k], 'meanSquaredError');
for (const k of ['meanAbsoluteError', 'MAE', 'mae'] as const) markLossEquivalent(metrics[k], 'meanAbsoluteError');
markLossEquivalent(categoricalCrossentropy, 'categoricalCrossentropy');
markLossEquivalent(sparseCategoricalCrossentropy, 'sparseCategoricalCrossentropy');
markLossEquivalent(binaryCrossentropy, 'binaryCrossentropy');
