/**
 * `tf.losses`: TF.js's loss functions over tensors (tfjs-core `ops/losses/*`), same signatures,
 * defaults and reductions. They compute on the host in float64 over the tensors' values and
 * return a new float32 tensor (a scalar unless the reduction is NONE); arrays passed instead of
 * tensors are converted and their temporary tensors disposed, so a call adds exactly one tensor
 * to `memory().numTensors`, as in TF.js.
 *
 * Training does not go through these: `compile({ loss })` runs the fused wasm losses of
 * `losses/index.ts`. `lossNameOf` tells which of these functions has an exact equivalent there.
 */
import { Tensor, checkNumber, describe, shapeSize, toTensor, type TensorLike } from '../tensor.ts';
import { sameShape } from '../layers/layer.ts';
import { broadcastIndex } from '../ops/elementwise.ts';
import { getLoss, type LossName } from './index.ts';

/** TF.js's `tf.Reduction` (a numeric enum with its reverse mapping). */
export const Reduction = Object.freeze({
  NONE: 0,
  MEAN: 1,
  SUM: 2,
  SUM_BY_NONZERO_WEIGHTS: 3,
  0: 'NONE',
  1: 'MEAN',
  2: 'SUM',
  3: 'SUM_BY_NONZERO_WEIGHTS',
} as const);
export type Reduction = 0 | 1 | 2 | 3;

// ---------------------------------------------------------------------------------------------
// Shared with metrics/functions.ts (internal): operands, broadcasting, results.
// ---------------------------------------------------------------------------------------------

/** Values and shape of one operand, read once. */
export interface Operand {
  readonly v: ArrayLike<number>;
  readonly shape: readonly number[];
}

/**
 * Runs `body` over the operands converted to tensors (a Tensor as is; arrays and numbers through
 * `toTensor`, disposed afterwards: they are this call's temporaries). `null`/`undefined` stay
 * absent (optional weights).
 */
export function withOperands<T>(who: string, args: readonly [unknown, string][], body: (ops: (Operand | null)[]) => T): T {
  const made: Tensor[] = [];
  try {
    const ops = args.map(([x, name]) => {
      if (x === null || x === undefined) return null;
      const t = toTensor(x as TensorLike, `${who}: ${name}`);
      if (t !== x) made.push(t);
      return { v: t.values, shape: t.shape };
    });
    return body(ops);
  } finally {
    for (const t of made) t.dispose();
  }
}

/** An operand `withOperands` gave, or the TypeError of a required one that is missing (`x` as passed). */
export function need(who: string, o: Operand | null, name: string, x: unknown): Operand {
  if (!o) throw new TypeError(`${who}: ${name}: expected a tensor or array, got ${describe(x)}`);
  return o;
}

/**
 * `withOperands` over two required operands of one shape (labels and predictions, under the
 * names given) and optional weights.
 */
function withMatching<T>(who: string, names: readonly [string, string], a: unknown, b: unknown, weights: unknown, body: (a: Operand, b: Operand, w: Operand | null) => T): T {
  return withOperands(who, [[a, names[0]], [b, names[1]], [weights, 'weights']], ([oa, ob, w]) => {
    const x = need(who, oa, names[0], a);
    const y = need(who, ob, names[1], b);
    assertShapesMatch(who, x, names[0], y, names[1]);
    return body(x, y, w);
  });
}

/** The float32 tensor of a result computed in float64. */
export function result(v: ArrayLike<number>, shape: readonly number[]): Tensor {
  return new Tensor(Float32Array.from(v), shape, 'float32');
}

function assertShapesMatch(who: string, a: Operand, an: string, b: Operand, bn: string): void {
  if (!sameShape(a.shape, b.shape)) {
    throw new Error(`${who}: ${an} shape [${a.shape.join(', ')}] and ${bn} shape [${b.shape.join(', ')}] must match`);
  }
}

/** NumPy broadcasting of two shapes, or an error naming both. */
export function broadcastShape(who: string, a: readonly number[], an: string, b: readonly number[], bn: string): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${who}: ${an} shape [${a.join(', ')}] does not broadcast with ${bn} shape [${b.join(', ')}]`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** `o`'s values laid out over `shape` (which it broadcasts to), as float64. */
export function expand(o: Operand, shape: readonly number[]): Float64Array {
  if (sameShape(o.shape, shape)) return Float64Array.from(o.v);
  const idx = broadcastIndex(o.shape, shape);
  return Float64Array.from(idx, (i) => o.v[i]);
}

/** An axis in [-rank, rank) as a non-negative index. */
export function checkAxis(who: string, axis: unknown, rank: number): number {
  if (!(Number.isInteger(axis) && (axis as number) >= -rank && (axis as number) < rank)) {
    throw new RangeError(`${who}: axis: expected an integer in [${-rank}, ${rank - 1}] for a rank-${rank} tensor, got ${describe(axis)}`);
  }
  const a = axis as number;
  return a < 0 ? a + rank : a;
}

// ---------------------------------------------------------------------------------------------
// Weighted reduction
// ---------------------------------------------------------------------------------------------

function checkReduction(who: string, r: unknown): Reduction {
  if (r === 0 || r === 1 || r === 2 || r === 3) return r;
  throw new RangeError(`${who}: reduction: expected Reduction.NONE (0), MEAN (1), SUM (2) or SUM_BY_NONZERO_WEIGHTS (3), got ${describe(r)}`);
}

/** TF.js's computeWeightedLoss over values already computed (`losses` with its shape). */
function reduce(who: string, losses: Float64Array, shape: readonly number[], weights: Operand | null, reduction: unknown): Tensor {
  const r = checkReduction(who, reduction);
  let weighted = losses;
  let wshape: readonly number[] = shape;
  let w: Float64Array | null = null;
  if (weights) {
    wshape = broadcastShape(who, shape, 'losses', weights.shape, 'weights');
    weighted = expand({ v: losses, shape }, wshape);
    w = expand(weights, wshape);
    for (let i = 0; i < weighted.length; i++) weighted[i] *= w[i];
  }
  if (r === Reduction.NONE) return result(weighted, wshape);
  let sum = 0;
  for (let i = 0; i < weighted.length; i++) sum += weighted[i];
  if (r === Reduction.SUM) return result([sum], []);
  if (r === Reduction.MEAN) {
    if (!weights) return result([sum / losses.length], []);
    let wsum = 0;
    for (let i = 0; i < weights.v.length; i++) wsum += weights.v[i];
    // TF.js divides by Σ weights, then by how many times the weights were broadcast.
    const factor = losses.length / weights.v.length;
    return result([sum / wsum / (factor > 1 ? factor : 1)], []);
  }
  if (!w) return result([sum / losses.length], []);
  let nonzero = 0;
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) nonzero++;
  return result([sum / nonzero], []);
}

/**
 * `tf.losses.computeWeightedLoss(losses, weights?, reduction?)`: weights broadcast against the
 * losses; the default reduction divides the weighted sum by the count of non-zero weights.
 */
export function computeWeightedLoss(losses: TensorLike, weights?: TensorLike | null, reduction: Reduction = Reduction.SUM_BY_NONZERO_WEIGHTS): Tensor {
  const who = 'losses.computeWeightedLoss';
  return withOperands(who, [[losses, 'losses'], [weights, 'weights']], ([l, w]) => {
    const o = need(who, l, 'losses', losses);
    return reduce(who, Float64Array.from(o.v), o.shape, w, reduction);
  });
}

/** Labels and predictions of one shape, elementwise loss `f`, then the weighted reduction. */
function elementwise(
  who: string,
  names: [string, string],
  labels: unknown,
  predictions: unknown,
  weights: unknown,
  reduction: unknown,
  f: (y: number, p: number) => number,
): Tensor {
  return withMatching(who, names, labels, predictions, weights, (y, p, w) => {
    const out = new Float64Array(y.v.length);
    for (let i = 0; i < out.length; i++) out[i] = f(y.v[i], p.v[i]);
    return reduce(who, out, y.shape, w, reduction);
  });
}

const LP: [string, string] = ['labels', 'predictions'];
const DEFAULT = Reduction.SUM_BY_NONZERO_WEIGHTS;

/** `tf.losses.meanSquaredError(labels, predictions, weights?, reduction?)`: (labels − predictions)². */
export function meanSquaredError(labels: TensorLike, predictions: TensorLike, weights?: TensorLike | null, reduction: Reduction = DEFAULT): Tensor {
  return elementwise('losses.meanSquaredError', LP, labels, predictions, weights, reduction, (y, p) => (y - p) * (y - p));
}

/** `tf.losses.absoluteDifference(labels, predictions, weights?, reduction?)`: |labels − predictions|. */
export function absoluteDifference(labels: TensorLike, predictions: TensorLike, weights?: TensorLike | null, reduction: Reduction = DEFAULT): Tensor {
  return elementwise('losses.absoluteDifference', LP, labels, predictions, weights, reduction, (y, p) => Math.abs(y - p));
}

/** `tf.losses.hingeLoss(labels, predictions, weights?, reduction?)`: labels in {0, 1} become ±1; max(0, 1 − y·p). */
export function hingeLoss(labels: TensorLike, predictions: TensorLike, weights?: TensorLike | null, reduction: Reduction = DEFAULT): Tensor {
  return elementwise('losses.hingeLoss', LP, labels, predictions, weights, reduction, (y, p) => Math.max(0, 1 - (2 * y - 1) * p));
}

/** `tf.losses.huberLoss(labels, predictions, weights?, delta = 1, reduction?)`. */
export function huberLoss(labels: TensorLike, predictions: TensorLike, weights?: TensorLike | null, delta = 1, reduction: Reduction = DEFAULT): Tensor {
  const who = 'losses.huberLoss';
  const d = checkNumber(delta, `${who}: delta`, { min: 0, minExclusive: true });
  return elementwise(who, LP, labels, predictions, weights, reduction, (y, p) => {
    const e = Math.abs(p - y);
    const q = Math.min(e, d);
    return 0.5 * q * q + d * (e - q);
  });
}

/** `tf.losses.logLoss(labels, predictions, weights?, epsilon = 1e-7, reduction?)`: predictions are probabilities. */
export function logLoss(labels: TensorLike, predictions: TensorLike, weights?: TensorLike | null, epsilon = 1e-7, reduction: Reduction = DEFAULT): Tensor {
  const who = 'losses.logLoss';
  const e = checkNumber(epsilon, `${who}: epsilon`, { min: 0 });
  return elementwise(who, LP, labels, predictions, weights, reduction, (y, p) => -y * Math.log(p + e) - (1 - y) * Math.log(1 - p + e));
}

function checkSmoothing(who: string, s: unknown): number {
  return checkNumber(s, `${who}: labelSmoothing`, { min: 0, max: 1 });
}

/**
 * `tf.losses.sigmoidCrossEntropy(multiClassLabels, logits, weights?, labelSmoothing = 0, reduction?)`:
 * max(x, 0) − x·z + log(1 + e^−|x|), labels smoothed towards ½.
 */
export function sigmoidCrossEntropy(
  multiClassLabels: TensorLike,
  logits: TensorLike,
  weights?: TensorLike | null,
  labelSmoothing = 0,
  reduction: Reduction = DEFAULT,
): Tensor {
  const who = 'losses.sigmoidCrossEntropy';
  const s = checkSmoothing(who, labelSmoothing);
  return elementwise(who, ['multiClassLabels', 'logits'], multiClassLabels, logits, weights, reduction, (y, x) => {
    const z = s > 0 ? y * (1 - s) + 0.5 * s : y;
    return Math.max(x, 0) - x * z + Math.log1p(Math.exp(-Math.abs(x)));
  });
}

/**
 * `tf.losses.softmaxCrossEntropy(onehotLabels, logits, weights?, labelSmoothing = 0, reduction?)`:
 * −Σ labels·log softmax(logits) over the last axis (one loss per row), labels smoothed towards
 * 1/classes. (TF.js takes the class count from dimension 1; it is the last dimension here, which
 * is the same for the [batch, classes] tensors the function is documented for.)
 */
export function softmaxCrossEntropy(
  onehotLabels: TensorLike,
  logits: TensorLike,
  weights?: TensorLike | null,
  labelSmoothing = 0,
  reduction: Reduction = DEFAULT,
): Tensor {
  const who = 'losses.softmaxCrossEntropy';
  const s = checkSmoothing(who, labelSmoothing);
  return withMatching(who, ['onehotLabels', 'logits'], onehotLabels, logits, weights, (y, x, w) => {
    if (x.shape.length === 0) throw new Error(`${who}: logits: expected at least one dimension (the classes), got a scalar`);
    const c = x.shape[x.shape.length - 1];
    const rows = c === 0 ? 0 : x.v.length / c;
    const out = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const o = r * c;
      let max = -Infinity;
      for (let j = 0; j < c; j++) max = Math.max(max, x.v[o + j]);
      let se = 0;
      for (let j = 0; j < c; j++) se += Math.exp(x.v[o + j] - max);
      const lse = max + Math.log(se);
      let loss = 0;
      for (let j = 0; j < c; j++) {
        const t = s > 0 ? y.v[o + j] * (1 - s) + s / c : y.v[o + j];
        loss -= t * (x.v[o + j] - lse);
      }
      out[r] = loss;
    }
    return reduce(who, out, x.shape.slice(0, -1), w, reduction);
  });
}

/**
 * `tf.losses.cosineDistance(labels, predictions, axis, weights?, reduction?)`: 1 − Σ labels·predictions
 * along `axis` (kept as a dimension of size 1). The inputs are expected to be unit-normalised,
 * as in TF.js. Without an axis, the sum runs over every axis (TF.js's `sum` with no axis).
 */
export function cosineDistance(
  labels: TensorLike,
  predictions: TensorLike,
  axis: number,
  weights?: TensorLike | null,
  reduction: Reduction = DEFAULT,
): Tensor {
  const who = 'losses.cosineDistance';
  return withMatching(who, LP, labels, predictions, weights, (y, p, w) => {
    const shape = y.shape;
    if (axis === undefined || axis === null) {
      let dot = 0;
      for (let i = 0; i < y.v.length; i++) dot += y.v[i] * p.v[i];
      return reduce(who, Float64Array.of(1 - dot), shape.map(() => 1), w, reduction);
    }
    const a = checkAxis(who, axis, shape.length);
    const outer = shapeSize(shape.slice(0, a));
    const n = shape[a];
    const inner = shapeSize(shape.slice(a + 1));
    const out = new Float64Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        let dot = 0;
        for (let k = 0; k < n; k++) {
          const at = (o * n + k) * inner + i;
          dot += y.v[at] * p.v[at];
        }
        out[o * inner + i] = 1 - dot;
      }
    }
    return reduce(who, out, shape.map((d, i) => (i === a ? 1 : d)), w, reduction);
  });
}

/** The `tf.losses` namespace. */
export const losses = {
  absoluteDifference,
  computeWeightedLoss,
  cosineDistance,
  hingeLoss,
  huberLoss,
  logLoss,
  meanSquaredError,
  sigmoidCrossEntropy,
  softmaxCrossEntropy,
};

// ---------------------------------------------------------------------------------------------
// Loss functions passed to compile
// ---------------------------------------------------------------------------------------------

/** Functions whose value, as TF.js's compile uses it, equals one of simdnet's training losses. */
const EQUIVALENTS = new WeakMap<object, LossName>([
  // Default reduction: the mean over every element, which is simdnet's mean over the batch of
  // the per-sample means.
  [meanSquaredError, 'meanSquaredError'],
  [absoluteDifference, 'meanAbsoluteError'],
  // softmaxCrossEntropy and sigmoidCrossEntropy read the model's output as logits; simdnet's
  // cross-entropies read probabilities (fused with a softmax/sigmoid head), so they have no
  // equivalent. logLoss adds epsilon inside the log where simdnet clips: close, not equal.
]);

/** @internal metrics/functions.ts marks its Keras-style loss functions (`metrics.mse`, ...). */
export function markLossEquivalent(fn: object, name: LossName): void {
  EQUIVALENTS.set(fn, name);
}

/**
 * The name `compile` takes for a loss given as TF.js code gives it: a `losses.*` or `metrics.*`
 * function with an exact simdnet equivalent (`losses.meanSquaredError` → 'meanSquaredError',
 * `losses.absoluteDifference` → 'meanAbsoluteError', `metrics.categoricalCrossentropy` →
 * 'categoricalCrossentropy', ...), or a string name (TF.js-layers' camelCase names, Keras's
 * snake_case ones, mse/mae) that simdnet's compile accepts, as its canonical name. Anything
 * else (a function with no equivalent, an unknown name) gives undefined.
 */
export function lossNameOf(fn: unknown): LossName | undefined {
  if (typeof fn === 'function') return EQUIVALENTS.get(fn);
  if (typeof fn !== 'string') return undefined;
  try {
    return getLoss(fn).name;
  } catch {
    return undefined;
  }
}

