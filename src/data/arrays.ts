/**
 * In-memory datasets: arrays → tensors, shuffling with the seeded generator, a Keras-style
 * validation split, and one-hot encoding.
 */
import { Tensor, tensor, rows, checkBoolean, checkOptions, describe, type DType, type TensorLike } from '../tensor.ts';
import { gather } from '../ops/shape.ts';
import { Random, globalRandom } from '../random.ts';

export interface Dataset {
  xs: Tensor;
  ys: Tensor;
}

export interface FromArraysOptions {
  /** Shuffle the rows (xs and ys with the same permutation). Default false. */
  shuffle?: boolean;
  /** Seed for the shuffle; default: the global generator (`setSeed`). */
  seed?: number;
  /** dtype of `ys` when it is built from plain arrays (default: int32 for Int32Array, else float32). */
  labelDtype?: DType;
}

function asTensor(x: TensorLike, what: string, dtype?: DType): Tensor {
  if (x instanceof Tensor) {
    if (dtype && x.dtype !== dtype) {
      if (dtype === 'int32') checkIntegers(x.values, what);
      return tensor(x.values, x.shape, dtype);
    }
    return x;
  }
  if (x === null || x === undefined) throw new TypeError(`${what}: expected a Tensor, a (nested) array or a typed array, got ${x}`);
  if (typeof x === 'number') throw new TypeError(`${what}: expected one row per example (an array or a Tensor), got the single number ${x}`);
  try {
    if (dtype === 'int32' && !(x instanceof Int32Array)) {
      // Check in float first: int32 conversion would truncate 1.5 to 1 silently.
      checkIntegers(tensor(x, undefined, 'float32').values, what);
    }
    return tensor(x, undefined, dtype);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message.replace(`${what}: `, '').replace(/^tensor: /, '')}`);
  }
}

function checkIntegers(v: ArrayLike<number>, what: string): void {
  for (let i = 0; i < v.length; i++) {
    if (!Number.isInteger(v[i])) throw new Error(`${what}: expected integers for an int32 tensor, got ${v[i]} at flat index ${i}`);
  }
}

function checkRows(xs: Tensor, ys: Tensor, fn: string): number {
  if (xs.rank === 0) throw new Error(`${fn}: xs: expected at least one dimension (one row per example), got a scalar`);
  if (ys.rank === 0) throw new Error(`${fn}: ys: expected at least one dimension (one row per example), got a scalar`);
  if (xs.shape[0] !== ys.shape[0]) {
    throw new Error(
      `${fn}: xs and ys must have the same number of rows: xs has ${xs.shape[0]} (shape [${xs.shape.join(', ')}]), ys has ${ys.shape[0]} (shape [${ys.shape.join(', ')}])`,
    );
  }
  return xs.shape[0];
}

function generator(seed: number | Random | undefined, fn: string): Random {
  if (seed === undefined) return globalRandom;
  if (seed instanceof Random) return seed;
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new TypeError(`${fn}: seed: expected a finite number, got ${String(seed)}`);
  return new Random(seed);
}

/**
 * Nested arrays, typed arrays or Tensors → `{ xs, ys }` tensors, checking that both have the
 * same number of rows. Tensors and matching typed arrays are used without a copy (unless shuffled).
 */
export function fromArrays(xs: TensorLike, ys: TensorLike, opts: FromArraysOptions = {}): Dataset {
  const o = checkOptions(opts, 'fromArrays', ['shuffle', 'seed', 'labelDtype']);
  if (o.labelDtype !== undefined && o.labelDtype !== 'float32' && o.labelDtype !== 'int32') {
    throw new TypeError(`fromArrays: labelDtype must be 'float32' or 'int32', got ${describe(o.labelDtype)}`);
  }
  const doShuffle = checkBoolean(o.shuffle ?? false, 'fromArrays: shuffle');
  if (o.seed !== undefined) generator(o.seed, 'fromArrays');
  const x = asTensor(xs, 'fromArrays: xs');
  const y = asTensor(ys, 'fromArrays: ys', o.labelDtype);
  checkRows(x, y, 'fromArrays');
  return doShuffle ? shuffle(x, y, o.seed) : { xs: x, ys: y };
}

/** A permutation of 0..n-1 from the generator (Fisher–Yates). */
export function permutation(n: number, seed?: number | Random): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return generator(seed, 'permutation').shuffle(idx);
}

/**
 * Shuffled copies of xs and ys, with the same permutation of rows. A seed makes it reproducible;
 * without one, the global generator (`setSeed`) is used and advanced.
 */
export function shuffle(xs: TensorLike, ys: TensorLike, seed?: number | Random): Dataset {
  const x = asTensor(xs, 'shuffle: xs');
  const y = asTensor(ys, 'shuffle: ys');
  const n = checkRows(x, y, 'shuffle');
  const perm = permutation(n, generator(seed, 'shuffle'));
  return { xs: gather(x, perm), ys: gather(y, perm) };
}

/**
 * Splits rows into `train` (the first rows) and `validation` (the LAST `fraction` of rows), as
 * Keras / TF.js `validationSplit` do: train gets `floor(n * (1 - fraction))` rows. No copies.
 */
export function split(xs: TensorLike, ys: TensorLike, fraction: number): { train: Dataset; validation: Dataset } {
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction < 1)) {
    throw new RangeError(`split: fraction: expected a number in [0, 1), got ${String(fraction)}`);
  }
  const x = asTensor(xs, 'split: xs');
  const y = asTensor(ys, 'split: ys');
  const n = checkRows(x, y, 'split');
  const at = Math.floor(n * (1 - fraction));
  if (at === 0) throw new Error(`split: a validation fraction of ${fraction} leaves no training rows out of ${n}`);
  return {
    train: { xs: rows(x, 0, at), ys: rows(y, 0, at) },
    validation: { xs: rows(x, at, n), ys: rows(y, at, n) },
  };
}

/** Class indices `[n]` (int32, or integer-valued floats) → float32 one-hot rows `[n, classes]`. */
export function oneHot(labels: TensorLike, classes: number): Tensor<'float32'> {
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`oneHot: classes: expected a positive integer, got ${String(classes)}`);
  const l = asTensor(labels, 'oneHot: labels');
  const flatRows = l.rank === 1 || (l.rank === 2 && l.shape[1] === 1);
  if (!flatRows) throw new Error(`oneHot: labels: expected shape [n] (or [n, 1]), got [${l.shape.join(', ')}]`);
  const n = l.shape[0];
  const v = l.values;
  if (n * classes > 2 ** 29) {
    throw new RangeError(`oneHot: ${n} labels × ${classes} classes would take ${((n * classes * 4) / 1e9).toFixed(2)} GB as float32 (at most 2.15 GB)`);
  }
  const out = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    const c = v[i];
    if (!(Number.isInteger(c) && c >= 0 && c < classes)) {
      throw new RangeError(`oneHot: labels[${i}]: expected an integer class in [0, ${classes - 1}], got ${c}`);
    }
    out[i * classes + c] = 1;
  }
  return new Tensor(out, [n, classes], 'float32');
}
