/**
 * Tensor creation with TensorFlow.js's names, signatures, defaults and output dtypes: `tensor`,
 * `tensor1d`…`tensor5d`, `scalar`, `zeros`, `ones`, `fill`, `zerosLike`, `onesLike`, `range`,
 * `linspace`, `eye`, `oneHot`, the seeded random tensors and `buffer` (a TensorBuffer).
 *
 * Where TF.js silently truncates or wraps (an int32 tensor from 1.5, a TensorBuffer write past
 * its end) simdnet throws instead, naming the function and the argument. Beyond TF.js, `tensor`
 * keeps what simdnet's `tensor` always took: any numeric typed array, a -1 in the shape, a
 * shape that regroups a nested array of the same size, and a Tensor as values.
 */
import { Tensor, checkNumber, describe, shapeSize, untracked, type DType, type TypedArrayFor } from '../tensor.ts';
import { Random, globalRandom } from '../random.ts';

/** Typed arrays `tensor` reads (TF.js reads the first four only). */
export type TypedArray = Float32Array | Int32Array | Uint8Array | Uint8ClampedArray | Float64Array | Int8Array | Int16Array | Uint16Array | Uint32Array;
/** A value, or (nested) arrays of values, typed arrays as innermost rows. */
export type NestedValues = number | boolean | TypedArray | readonly NestedValues[];
/** What every op takes where TF.js takes a `TensorLike`: a Tensor or values `tensor()` converts. */
export type TensorLike = Tensor | NestedValues;

/** The largest element count simdnet allocates for one tensor (typed arrays index with int32). */
const MAX_SIZE = 0x7fffffff;

const DTYPES = ['float32', 'int32', 'bool'] as const;

// ---------------------------------------------------------------------------------------- checks

export const fmtShape = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** A dtype simdnet holds; 'string' and 'complex64' (TF.js has them) are refused by name. */
export function checkDtype(dtype: unknown, what: string, allowed: readonly DType[] = DTYPES): DType {
  if (typeof dtype === 'string' && (allowed as readonly string[]).includes(dtype)) return dtype as DType;
  const list = allowed.map((d) => `'${d}'`).join(', ').replace(/, ([^,]*)$/, ' or $1');
  const why = dtype === 'string' || dtype === 'complex64' ? ` (simdnet has no ${dtype} tensors)` : '';
  throw new TypeError(`${what}: expected ${list}, got ${describe(dtype)}${why}`);
}

/** A shape: a list of integers >= 0 whose product fits in one typed array. */
export function checkShape(shape: unknown, what: string): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${what}: expected a list of dimensions, got ${describe(shape)}`);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!(Number.isInteger(d) && d >= 0)) throw new RangeError(`${what}: dimension ${i} must be an integer >= 0, got ${describe(d)} (shape ${describe(shape)})`);
  }
  checkSize(shape as number[], what);
  return [...(shape as number[])];
}

function checkSize(shape: readonly number[], what: string): number {
  const n = shapeSize(shape);
  if (n > MAX_SIZE) throw new RangeError(`${what}: ${fmtShape(shape)} holds ${n} values, more than the ${MAX_SIZE} one tensor can`);
  return n;
}

/** An integer in [min, max] (either bound optional), e.g. an axis or a count. */
export function checkInt(v: unknown, what: string, min?: number, max?: number): number {
  return checkNumber(v, what, { integer: true, min, max });
}

/** `x` as a live Tensor: `what` names the argument ("concat: tensors[1]") in every error. */
export function convertToTensor(x: unknown, what: string, dtype?: DType): Tensor {
  if (x instanceof Tensor) {
    if (x.isDisposed) throw new Error(`${what}: the tensor is disposed (tensor ${x.id}, ${x.dtype} ${fmtShape(x.shape)})`);
    if (dtype !== undefined && x.dtype !== dtype) throw new TypeError(`${what}: expected ${article(dtype)} tensor, got ${article(x.dtype)} tensor ${fmtShape(x.shape)}`);
    return x;
  }
  if (x === null || x === undefined) throw new TypeError(`${what}: expected a Tensor, a number, a boolean or a (nested) array, got ${describe(x)}`);
  try {
    // The conversion is the op's own temporary: it is not counted in memory(), as in TF.js.
    return untracked(() => tensor(x as NestedValues, undefined, dtype));
  } catch (e) {
    const err = e as Error;
    const Ctor = err instanceof TypeError ? TypeError : err instanceof RangeError ? RangeError : Error;
    throw new Ctor(`${what}: ${err.message.replace(/^tensor: /, '')}`);
  }
}

const article = (name: string) => (/^[aeiou]/i.test(name) ? `an ${name}` : `a ${name}`);

/** A zeroed typed array for `dtype`. */
export function makeArray<D extends DType>(dtype: D, n: number): TypedArrayFor<D> {
  return (dtype === 'int32' ? new Int32Array(n) : dtype === 'bool' ? new Uint8Array(n) : new Float32Array(n)) as TypedArrayFor<D>;
}

// ------------------------------------------------------------------------------- from JS values

/** Tag of a numeric typed array (not DataView, not BigInt arrays), whatever realm made it. */
function typedTag(v: unknown): string | null {
  if (!ArrayBuffer.isView(v)) return null;
  const tag = Object.prototype.toString.call(v).slice(8, -1);
  return tag === 'DataView' || tag.startsWith('Big') ? `!${tag}` : tag;
}

/** The dtype TF.js infers from a typed array; the rest are simdnet's own. */
function dtypeOfTag(tag: string): DType {
  return tag === 'Int32Array' || tag === 'Uint8Array' || tag === 'Uint8ClampedArray' || tag === 'Int8Array' || tag === 'Int16Array' || tag === 'Uint16Array' || tag === 'Uint32Array'
    ? 'int32'
    : 'float32';
}

/** Where a value sits in a nested array, e.g. `[1][0]`, and "row 1, column 0" for a matrix. */
function at(path: number[]): string {
  const idx = path.map((i) => `[${i}]`).join('');
  return path.length === 2 ? `${idx} (row ${path[0]}, column ${path[1]})` : idx;
}

interface Flat {
  values: ArrayLike<number>;
  shape: number[];
  /** The dtype TF.js infers: from the first value (TF.js looks at `values[0]` only). */
  dtype: DType;
  /** The typed array itself when `values` was one (so it can be used without a copy). */
  typed: string | null;
}

/** Nested arrays (of numbers, booleans, typed arrays) → flat numbers, shape and inferred dtype. */
function flattenValues(values: unknown): Flat {
  const tag = typedTag(values);
  if (tag !== null) {
    if (tag.startsWith('!')) throw new TypeError(`tensor: expected numbers, got ${describe(values)}`);
    const a = values as TypedArray;
    return { values: a, shape: [a.length], dtype: dtypeOfTag(tag), typed: tag };
  }
  if (!Array.isArray(values) && typeof values !== 'number' && typeof values !== 'boolean') {
    if (values !== null && typeof values === 'object' && !(values instanceof Tensor)) {
      const n = (values as { length?: unknown }).length;
      if (Number.isInteger(n) && (n as number) >= 0) return flattenValues(Array.from(values as ArrayLike<unknown>));
    }
    throw new TypeError(`tensor: expected a number, a (nested) array or a typed array, got ${describe(values)}`);
  }
  const shape: number[] = [];
  const out: number[] = [];
  let first: DType | null = null;
  const leaf = (v: unknown, path: number[]): void => {
    if (path.length !== shape.length) throw new Error(`tensor: ragged nested array: a number at ${at(path)} where the others hold arrays`);
    if (typeof v === 'number') {
      first ??= 'float32';
      out.push(v);
    } else if (typeof v === 'boolean') {
      first ??= 'bool';
      out.push(v ? 1 : 0);
    } else {
      const hole = path.length > 0 && v === undefined ? ' (a hole or undefined)' : '';
      // (Booleans are taken too; the message keeps to numbers, the usual case.)
      throw new TypeError(`tensor: expected a number at ${path.length ? at(path) : 'the top level'}, got ${describe(v)}${hole}`);
    }
  };
  const walk = (v: unknown, path: number[]): void => {
    const depth = path.length;
    const vt = Array.isArray(v) ? null : typedTag(v);
    if (!Array.isArray(v) && (vt === null || depth === 0)) return leaf(v, path);
    if (vt !== null && vt.startsWith('!')) throw new TypeError(`tensor: expected numbers at ${at(path)}, got ${describe(v)}`);
    const a = v as ArrayLike<unknown>;
    if (shape.length <= depth) {
      if (shape.length < depth || out.length > 0) throw new Error(`tensor: ragged nested array: an array at ${at(path)} where the others hold numbers`);
      shape.push(a.length);
    } else if (shape[depth] !== a.length) {
      throw new Error(`tensor: ragged nested array at depth ${depth}: ${a.length} vs ${shape[depth]} (at ${at(path)})`);
    }
    if (vt !== null) {
      // A typed array is a row of numbers: nothing deeper.
      if (shape.length !== depth + 1) throw new Error(`tensor: ragged nested array: a typed array at ${at(path)} where the others hold arrays`);
      first ??= dtypeOfTag(vt);
      for (let i = 0; i < a.length; i++) out.push(a[i] as number);
      return;
    }
    // An index loop, not for…of: holes must be seen (as undefined) and reported.
    for (let i = 0; i < a.length; i++) {
      const e = a[i];
      // The common case first: a row of plain numbers.
      if (typeof e === 'number' && shape.length === depth + 1) {
        first ??= 'float32';
        out.push(e);
        continue;
      }
      path.push(i);
      walk(e, path);
      path.pop();
    }
  };
  walk(values, []);
  return { values: out, shape, dtype: first ?? 'float32', typed: null };
}

/** Flat numbers → the typed array of `dtype`, converting as TF.js does (but never truncating). */
function toTyped(flat: Flat, dtype: DType): Float32Array | Int32Array | Uint8Array {
  const v = flat.values;
  if (dtype === 'float32') return flat.typed === 'Float32Array' ? (v as Float32Array) : Float32Array.from(v);
  if (dtype === 'int32') {
    if (flat.typed === 'Int32Array') return v as Int32Array;
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (!(Number.isInteger(x) && x >= -2147483648 && x <= 2147483647)) {
        throw new RangeError(`tensor: an int32 tensor takes integers in int32 range, got ${describe(x)} at index ${i}`);
      }
    }
    return Int32Array.from(v);
  }
  // bool: TF.js's rule, round(x) != 0 (so NaN is true); a Uint8Array of 0/1 is used as is.
  if (flat.typed === 'Uint8Array') {
    const u = v as Uint8Array;
    let ok = true;
    for (let i = 0; i < u.length && ok; i++) ok = u[i] <= 1;
    if (ok) return u;
  }
  const out = new Uint8Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Math.round(v[i]) !== 0 ? 1 : 0;
  return out;
}

/**
 * A shape for `size` values: one -1 may be inferred (simdnet's `tensor` always allowed it).
 * Serves `tensor(values, shape)` and `Tensor.reshape`; errors name `who`.
 */
export function resolveShape(shape: unknown, size: number, who: string): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${who}: shape must be a list of dimensions, got ${describe(shape)}`);
  const out = [...(shape as unknown[])] as number[];
  let free = -1;
  for (let i = 0; i < out.length; i++) {
    const d = out[i];
    if (d === -1 && free < 0) free = i;
    else if (d === -1) throw new Error(`${who}: shape ${describe(shape)} has more than one -1`);
    else if (!(Number.isInteger(d) && d >= 0)) throw new RangeError(`${who}: shape: dimension ${i} must be an integer >= 0, got ${describe(d)} (shape ${describe(shape)})`);
  }
  if (free >= 0) {
    const rest = shapeSize(out.filter((_, i) => i !== free));
    if (rest === 0 || size % rest !== 0) throw new Error(`${who}: cannot fit ${size} values into ${fmtShape(out)}`);
    out[free] = size / rest;
  }
  const n = shapeSize(out);
  if (n !== size) throw new Error(`${who}: shape ${fmtShape(out)} holds ${n} values, got ${size}`);
  return out;
}

/**
 * `tf.tensor(values, shape?, dtype?)`. The dtype is inferred as TF.js does: booleans → 'bool',
 * Int32Array / Uint8Array / Uint8ClampedArray → 'int32', numbers and anything else → 'float32'.
 * A typed array of the tensor's own type is used without a copy (as in TF.js); a Tensor given
 * as values is re-shaped over the same array (or converted when another dtype is asked for).
 */
export function tensor(values: TensorLike, shape?: readonly number[], dtype?: DType): Tensor {
  if (dtype !== undefined && !(DTYPES as readonly unknown[]).includes(dtype)) {
    const d: unknown = dtype;
    const why = d === 'string' || d === 'complex64' ? ` (simdnet has no ${d} tensors)` : '';
    throw new TypeError(`tensor: dtype must be 'float32', 'int32' or 'bool', got ${describe(dtype)}${why}`);
  }
  if (values instanceof Tensor) {
    const src = convertToTensor(values, 'tensor: values');
    const s = shape === undefined ? [...src.shape] : resolveShape(shape, src.size, 'tensor');
    if (dtype === undefined || dtype === src.dtype) return new Tensor(src.values, s, src.dtype);
    const flat: Flat = { values: src.values, shape: [src.size], dtype: src.dtype, typed: typedTag(src.values) };
    return new Tensor(toTyped(flat, dtype), s, dtype);
  }
  const flat = flattenValues(values);
  const dt = dtype ?? flat.dtype;
  const s = shape === undefined ? flat.shape : resolveShape(shape, flat.values.length, 'tensor');
  checkSize(s, 'tensor: shape');
  return new Tensor(toTyped(flat, dt), s, dt);
}

/** tensor1d … tensor5d: TF.js's rank checks (nested values of that rank, or flat ones with a shape). */
function tensorNd(rank: number, values: TensorLike, shape: readonly number[] | undefined, dtype: DType | undefined): Tensor {
  const who = `tensor${rank}d`;
  if (values === null || values === undefined) throw new TypeError(`${who}: values: expected a (nested) array or a typed array, got ${describe(values)}`);
  if (shape !== undefined && shape !== null && (!Array.isArray(shape) || shape.length !== rank)) {
    throw new Error(`${who}: shape must have ${rank} dimension${rank > 1 ? 's' : ''}, got ${describe(shape)}`);
  }
  const inferred = values instanceof Tensor ? values.shape : inferredRank(values, who);
  if (rank === 1) {
    if (inferred.length !== 1) throw new Error(`tensor1d: values must be a flat array or a typed array, got rank ${inferred.length} ${fmtShape(inferred)}`);
  } else {
    if (inferred.length !== rank && inferred.length !== 1) throw new Error(`${who}: values must be nested ${rank} deep, or flat with a shape; got rank ${inferred.length} ${fmtShape(inferred)}`);
    if (inferred.length === 1 && (shape === undefined || shape === null)) throw new Error(`${who}: flat values need a shape of ${rank} dimensions`);
  }
  return rename(() => tensor(values, shape ?? undefined, dtype), who);
}

/** The shape `tensor` would infer (errors say which function was called). */
function inferredRank(values: TensorLike, who: string): number[] {
  return rename(() => flattenValues(values).shape, who);
}

function rename<T>(f: () => T, who: string): T {
  try {
    return f();
  } catch (e) {
    const err = e as Error;
    if (err.message.startsWith('tensor: ')) err.message = `${who}: ${err.message.slice(8)}`;
    throw err;
  }
}

export function tensor1d(values: TensorLike, dtype?: DType): Tensor {
  return tensorNd(1, values, undefined, dtype);
}
export function tensor2d(values: TensorLike, shape?: [number, number], dtype?: DType): Tensor {
  return tensorNd(2, values, shape, dtype);
}
export function tensor3d(values: TensorLike, shape?: [number, number, number], dtype?: DType): Tensor {
  return tensorNd(3, values, shape, dtype);
}
export function tensor4d(values: TensorLike, shape?: [number, number, number, number], dtype?: DType): Tensor {
  return tensorNd(4, values, shape, dtype);
}
export function tensor5d(values: TensorLike, shape?: [number, number, number, number, number], dtype?: DType): Tensor {
  return tensorNd(5, values, shape, dtype);
}

/** `tf.scalar(value, dtype?)`: a number or a boolean, shape []. */
export function scalar(value: number | boolean, dtype?: DType): Tensor {
  if (typeof value !== 'number' && typeof value !== 'boolean') {
    const str = typeof value === 'string' ? ' (simdnet has no string tensors)' : '';
    throw new TypeError(`scalar: value: expected a number or a boolean, got ${describe(value)}${str}`);
  }
  if (dtype !== undefined) checkDtype(dtype, 'scalar: dtype');
  return rename(() => tensor(value, [], dtype), 'scalar');
}

// ------------------------------------------------------------------------------ filled tensors

/** `tf.zeros(shape, dtype = 'float32')`. */
export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  const s = checkShape(shape, 'zeros: shape');
  const dt = checkDtype(dtype, 'zeros: dtype');
  return new Tensor(makeArray(dt, shapeSize(s)), s, dt);
}

/** `tf.ones(shape, dtype = 'float32')`. */
export function ones(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  const s = checkShape(shape, 'ones: shape');
  const dt = checkDtype(dtype, 'ones: dtype');
  return new Tensor(makeArray(dt, shapeSize(s)).fill(1), s, dt);
}

/** The value a cell of `dtype` holds for `v` (int32 takes integers only, bool takes 0/1 or booleans). */
function cellValue(v: unknown, dtype: DType, what: string): number {
  if (dtype === 'bool') {
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v === 0 || v === 1) return v;
    throw new RangeError(`${what}: a bool tensor takes true, false, 0 or 1, got ${describe(v)}`);
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number') throw new TypeError(`${what}: expected a number, got ${describe(v)}`);
  if (dtype === 'int32' && !(Number.isInteger(v) && v >= -2147483648 && v <= 2147483647)) {
    throw new RangeError(`${what}: an int32 tensor takes integers in int32 range, got ${describe(v)}`);
  }
  return v;
}

/** `tf.fill(shape, value, dtype?)`: dtype inferred from the value (a boolean → 'bool'). */
export function fill(shape: readonly number[], value: number | boolean, dtype?: DType): Tensor {
  const s = checkShape(shape, 'fill: shape');
  if (typeof value === 'string') throw new TypeError(`fill: value: expected a number or a boolean, got ${describe(value)} (simdnet has no string tensors)`);
  const dt = dtype === undefined ? (typeof value === 'boolean' ? 'bool' : 'float32') : checkDtype(dtype, 'fill: dtype');
  const v = cellValue(value, dt, 'fill: value');
  return new Tensor(makeArray(dt, shapeSize(s)).fill(v), s, dt);
}

/** `tf.zerosLike(x)`: zeros of x's shape and dtype. */
export function zerosLike<D extends DType = DType>(x: Tensor<D> | TensorLike): Tensor<D> {
  const t = convertToTensor(x, 'zerosLike: x');
  return new Tensor(makeArray(t.dtype, t.size), t.shape, t.dtype) as Tensor<D>;
}

/** `tf.onesLike(x)`: ones of x's shape and dtype. */
export function onesLike<D extends DType = DType>(x: Tensor<D> | TensorLike): Tensor<D> {
  const t = convertToTensor(x, 'onesLike: x');
  return new Tensor(makeArray(t.dtype, t.size).fill(1), t.shape, t.dtype) as Tensor<D>;
}

// --------------------------------------------------------------------------------- sequences

/**
 * `tf.range(start, stop, step = 1, dtype = 'float32')`: [start, stop) by step. As in TF.js each
 * value is the previous one plus step, rounded to the dtype (so float32 values match TF.js's to
 * the bit), and a descending range with the default step counts down by 1. A step that moves away
 * from stop gives an empty tensor (TF.js does so for steps < 0 or > 1; its count for 0 < step < 1
 * going down is a bug not copied here). int32 ranges take integer start and step.
 */
export function range(start: number, stop: number, step = 1, dtype: 'float32' | 'int32' = 'float32'): Tensor {
  checkNumber(start, 'range: start');
  checkNumber(stop, 'range: stop');
  checkNumber(step, 'range: step');
  if (step === 0) throw new RangeError('range: step: expected a non-zero number, got 0');
  const dt = checkDtype(dtype, 'range: dtype', ['float32', 'int32']);
  if (dt === 'int32') {
    checkInt(start, 'range: start (an int32 range)', -2147483648, 2147483647);
    checkInt(step, 'range: step (an int32 range)', -2147483648, 2147483647);
  }
  let s = step;
  if (stop < start && s === 1) s = -1;
  if (start === stop || (start < stop && s < 0) || (stop < start && s > 0)) return new Tensor(makeArray(dt, 0), [0], dt);
  const n = Math.abs(Math.ceil((stop - start) / s));
  if (n > MAX_SIZE) throw new RangeError(`range: [${start}, ${stop}) by ${s} holds ${n} values, more than the ${MAX_SIZE} one tensor can`);
  const v = makeArray(dt, n);
  if (n > 0) v[0] = start;
  for (let i = 1; i < n; i++) v[i] = v[i - 1] + s;
  return new Tensor(v, [n], dt);
}

/**
 * `tf.linspace(start, stop, num)`: num evenly spaced float32 values from start to stop. Computed
 * as TF.js does (each value the previous one plus the step, in float32), so the values match
 * TF.js's bit for bit, including the last one's rounding.
 */
export function linspace(start: number, stop: number, num: number): Tensor {
  checkNumber(start, 'linspace: start');
  checkNumber(stop, 'linspace: stop');
  checkInt(num, 'linspace: num', 1);
  if (num > MAX_SIZE) throw new RangeError(`linspace: num: ${num} values are more than the ${MAX_SIZE} one tensor can hold`);
  const step = (stop - start) / (num - 1);
  const v = new Float32Array(num);
  v[0] = start;
  for (let i = 1; i < num; i++) v[i] = v[i - 1] + step;
  return new Tensor(v, [num], 'float32');
}

/**
 * `tf.eye(numRows, numColumns = numRows, batchShape?, dtype = 'float32')`: an identity matrix,
 * repeated over `batchShape` (TF.js takes batch shapes of 1 to 3 dimensions; any rank works here).
 */
export function eye(numRows: number, numColumns?: number, batchShape?: readonly number[], dtype: DType = 'float32'): Tensor {
  const r = checkInt(numRows, 'eye: numRows', 0);
  const c = numColumns === undefined || numColumns === null ? r : checkInt(numColumns, 'eye: numColumns', 0);
  const batch = batchShape === undefined || batchShape === null ? [] : checkShape(batchShape, 'eye: batchShape');
  const dt = checkDtype(dtype, 'eye: dtype');
  const shape = [...batch, r, c];
  const n = checkSize(shape, "eye: the result's shape");
  const v = makeArray(dt, n);
  const m = r * c;
  for (let b = 0; b < n; b += m) for (let i = 0; i < Math.min(r, c); i++) v[b + i * c + i] = 1;
  return new Tensor(v, shape, dt);
}

/**
 * `tf.oneHot(indices, depth, onValue = 1, offValue = 0, dtype = 'int32')`: shape
 * [...indices.shape, depth]. An index outside [0, depth) gives a row of offValue (TF.js's and
 * TensorFlow's rule: -1 is the usual "no class"). indices must be int32 (or integer arrays).
 */
export function oneHot(indices: Tensor | TensorLike, depth: number, onValue = 1, offValue = 0, dtype: DType = 'int32'): Tensor {
  const idx = convertToTensor(indices, 'oneHot: indices', 'int32');
  // TF.js refuses depth < 2; so does simdnet, for the same code to fail the same way.
  const d = checkInt(depth, 'oneHot: depth', 2);
  const dt = checkDtype(dtype, 'oneHot: dtype');
  const on = cellValue(checkNumber(onValue, 'oneHot: onValue'), dt, 'oneHot: onValue');
  const off = cellValue(checkNumber(offValue, 'oneHot: offValue'), dt, 'oneHot: offValue');
  const shape = [...idx.shape, d];
  const v = makeArray(dt, checkSize(shape, "oneHot: the result's shape"));
  if (off !== 0) v.fill(off);
  const iv = idx.values;
  for (let i = 0; i < iv.length; i++) {
    const k = iv[i];
    if (k >= 0 && k < d) v[i * d + k] = on;
  }
  return new Tensor(v, shape, dt);
}

// ------------------------------------------------------------------------------------ random

/** A seed → its own generator; no seed → simdnet's global one (so `setSeed` fixes the run). */
function generator(seed: unknown, who: string): Random {
  if (seed === undefined || seed === null) return globalRandom;
  if (typeof seed === 'number' && Number.isFinite(seed)) return new Random(seed);
  if (typeof seed === 'string') {
    // FNV-1a: TF.js seeds its generator with strings too.
    let h = 0x811c9dc5;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
    return new Random(h >>> 0);
  }
  throw new TypeError(`${who}: seed: expected a finite number or a string, got ${describe(seed)}`);
}

function randomShape(shape: unknown, who: string): number[] {
  return checkShape(shape, `${who}: shape`);
}

/**
 * `tf.randomNormal(shape, mean = 0, stdDev = 1, dtype = 'float32', seed?)`. The same seed gives
 * the same values in every runtime (not TF.js's values: its generator is another one). int32
 * values are rounded, as in TF.js.
 */
export function randomNormal(shape: readonly number[], mean = 0, stdDev = 1, dtype: 'float32' | 'int32' = 'float32', seed?: number): Tensor {
  return normalTensor('randomNormal', shape, mean, stdDev, dtype, seed, false);
}

/** `tf.truncatedNormal(...)`: a normal redrawn outside mean ± 2 stdDev (TF.js's and Keras's bound). */
export function truncatedNormal(shape: readonly number[], mean = 0, stdDev = 1, dtype: 'float32' | 'int32' = 'float32', seed?: number): Tensor {
  return normalTensor('truncatedNormal', shape, mean, stdDev, dtype, seed, true);
}

function normalTensor(who: string, shape: readonly number[], mean: number, stdDev: number, dtype: DType, seed: unknown, truncated: boolean): Tensor {
  const s = randomShape(shape, who);
  checkNumber(mean, `${who}: mean`);
  checkNumber(stdDev, `${who}: stdDev`, { min: 0 });
  const dt = checkDtype(dtype ?? 'float32', `${who}: dtype`, ['float32', 'int32']);
  const rng = generator(seed, who);
  const v = makeArray(dt, shapeSize(s));
  const round = dt === 'int32';
  for (let i = 0; i < v.length; i++) {
    const z = truncated ? rng.truncatedNormal() : rng.normal();
    const x = mean + stdDev * z;
    v[i] = round ? Math.round(x) : x;
  }
  return new Tensor(v, s, dt);
}

/**
 * `tf.randomUniform(shape, minval = 0, maxval = 1, dtype = 'float32', seed?)`: float32 values in
 * [minval, maxval); int32 values are uniform integers in [minval, maxval) (TF.js truncates
 * toward zero instead, which doubles the weight of 0 when the range spans it).
 */
export function randomUniform(shape: readonly number[], minval = 0, maxval = 1, dtype: 'float32' | 'int32' = 'float32', seed?: number | string): Tensor {
  const who = 'randomUniform';
  const s = randomShape(shape, who);
  checkNumber(minval, `${who}: minval`);
  checkNumber(maxval, `${who}: maxval`);
  const dt = checkDtype(dtype ?? 'float32', `${who}: dtype`, ['float32', 'int32']);
  const rng = generator(seed, who);
  const n = shapeSize(s);
  if (dt === 'int32') {
    checkInt(minval, `${who}: minval (int32)`, -2147483648, 2147483647);
    checkInt(maxval, `${who}: maxval (int32)`, -2147483648, 2147483647);
    if (!(maxval > minval)) throw new RangeError(`${who}: an int32 range needs maxval > minval, got [${minval}, ${maxval})`);
    const v = new Int32Array(n);
    const span = maxval - minval;
    for (let i = 0; i < n; i++) v[i] = minval + Math.floor(rng.uniform() * span);
    return new Tensor(v, s, 'int32');
  }
  const v = new Float32Array(n);
  const span = maxval - minval;
  for (let i = 0; i < n; i++) {
    let x = minval + span * rng.uniform();
    // Rounding to float32 can land on maxval itself; the interval is half-open.
    while (span > 0 && Math.fround(x) >= maxval) x = minval + span * rng.uniform();
    v[i] = x;
  }
  return new Tensor(v, s, 'float32');
}

// ------------------------------------------------------------------------------------ buffer

/**
 * TF.js's TensorBuffer: a mutable array with a shape, written cell by cell, then made a tensor.
 * Reads and writes are bounds-checked (TF.js's `set` writes wherever the index lands).
 */
export class TensorBuffer<D extends DType = DType> {
  readonly dtype: D;
  readonly shape: number[];
  readonly size: number;
  readonly strides: number[];
  readonly values: TypedArrayFor<D>;

  constructor(shape: readonly number[], dtype: D, values?: TypedArrayFor<D>) {
    this.shape = checkShape(shape, 'buffer: shape');
    this.dtype = checkDtype(dtype, 'buffer: dtype') as D;
    this.size = shapeSize(this.shape);
    if (values !== undefined && values !== null) {
      const want = { float32: 'Float32Array', int32: 'Int32Array', bool: 'Uint8Array' }[this.dtype];
      if (typedTag(values) !== want) throw new TypeError(`buffer: values: ${article(this.dtype)} buffer holds its values in ${article(want)}, got ${describe(values)}`);
      if (values.length !== this.size) throw new RangeError(`buffer: values: shape ${fmtShape(this.shape)} holds ${this.size} values, got ${values.length}`);
      this.values = values;
    } else this.values = makeArray(this.dtype, this.size);
    // TF.js's strides leave out the last dimension's (always 1).
    this.strides = stridesOf(this.shape).slice(0, -1);
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Writes `value` at `locs` (no coordinates: the first cell, as in TF.js). */
  set(value: number | boolean, ...locs: number[]): void {
    const i = this.index(locs.length === 0 ? [0] : locs, 'set');
    this.values[i] = cellValue(value, this.dtype, 'TensorBuffer.set: value');
  }

  /** The value at `locs` (no coordinates: the first cell). */
  get(...locs: number[]): number {
    return this.values[this.index(locs.length === 0 ? [0] : locs, 'get')];
  }

  private index(locs: number[], who: string): number {
    const rank = this.rank;
    if (rank === 0 && locs.length === 1 && locs[0] === 0) {
      if (this.size === 0) throw new RangeError(`TensorBuffer.${who}: the buffer is empty`);
      return 0;
    }
    if (locs.length !== rank) throw new RangeError(`TensorBuffer.${who}: expected ${rank} coordinates (shape ${fmtShape(this.shape)}), got ${locs.length}`);
    for (let k = 0; k < rank; k++) {
      const c = locs[k];
      if (!(Number.isInteger(c) && c >= 0 && c < this.shape[k])) throw new RangeError(`TensorBuffer.${who}: coordinate ${k} is ${describe(c)}, outside [0, ${this.shape[k]}) (shape ${fmtShape(this.shape)})`);
    }
    return this.locToIndex(locs);
  }

  /** Flat index of a location (unchecked, as in TF.js). */
  locToIndex(locs: readonly number[]): number {
    const rank = this.rank;
    if (rank === 0) return 0;
    let index = locs[rank - 1];
    for (let k = 0; k < rank - 1; k++) index += this.strides[k] * locs[k];
    return index;
  }

  /** Location of a flat index (unchecked, as in TF.js). */
  indexToLoc(index: number): number[] {
    const rank = this.rank;
    if (rank === 0) return [];
    const locs = new Array<number>(rank);
    for (let k = 0; k < rank - 1; k++) {
      locs[k] = Math.floor(index / this.strides[k]);
      index -= locs[k] * this.strides[k];
    }
    locs[rank - 1] = index;
    return locs;
  }

  /** A tensor of the buffer's current values (a copy: later writes do not change it). */
  toTensor(): Tensor<D> {
    return new Tensor(this.values.slice() as TypedArrayFor<D>, this.shape, this.dtype);
  }

  /** Another buffer over a copy of the values. */
  clone(): TensorBuffer<D> {
    return new TensorBuffer(this.shape, this.dtype, this.values.slice() as TypedArrayFor<D>);
  }
}

/** `tf.buffer(shape, dtype = 'float32', values?)`: values, when given, are used without a copy (as in TF.js). */
export function buffer<D extends DType = 'float32'>(shape: readonly number[], dtype?: D, values?: TypedArrayFor<D>): TensorBuffer<D> {
  return new TensorBuffer(shape, (dtype ?? 'float32') as D, values);
}

/** Row-major strides of a shape (elements, not bytes). */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    s[k] = acc;
    acc *= shape[k];
  }
  return s;
}
