/**
 * Shape and layout ops with TensorFlow.js's names, arguments and semantics: reshape, expandDims,
 * squeeze, flatten, transpose, slice, gather, concat, stack, unstack, split, tile, pad, reverse,
 * clone and cast. Every dtype passes through unchanged (cast excepted), negative axes count from
 * the end as in TF.js, and every argument is checked, the error naming the function and argument.
 *
 * They move memory and do no arithmetic, so they are plain JS over the typed arrays: strided
 * walks that copy whole contiguous runs (`subarray` + `set`) and a blocked 2-D transpose, never
 * per-element index arithmetic with arrays. reshape, expandDims, squeeze and flatten return a
 * new Tensor over the SAME values array (free, like TF.js's, which shares the data too); every
 * other op returns a new tensor over new values.
 */
import { Tensor, checkBoolean, describe, shapeSize, type DType, type TypedArrayFor } from '../tensor.ts';
import { checkDtype, checkInt, convertToTensor, fmtShape, makeArray, stridesOf, type TensorLike } from './creation.ts';

type Values = Float32Array | Int32Array | Uint8Array;
type Input<D extends DType> = Tensor<D> | TensorLike;

const MAX_SIZE = 0x7fffffff;

// ----------------------------------------------------------------------------------- helpers

/** An axis in [-rank, rank), as TF.js takes it; returned in [0, rank). */
function checkAxis(axis: unknown, rank: number, what: string): number {
  if (!(Number.isInteger(axis) && (axis as number) >= -rank && (axis as number) < rank)) {
    const why = rank === 0 ? ' (x is a scalar: it has no axes)' : ` for a rank-${rank} tensor`;
    throw new RangeError(`${what}: expected an integer in [-${rank}, ${rank})${why}, got ${describe(axis)}`);
  }
  return (axis as number) < 0 ? (axis as number) + rank : (axis as number);
}

/** A list of distinct axes (or one axis); undefined means every axis. */
function checkAxes(axis: unknown, rank: number, what: string): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  if (!Array.isArray(list)) throw new TypeError(`${what}: expected an axis or a list of axes, got ${describe(axis)}`);
  const out = list.map((a, i) => checkAxis(a, rank, Array.isArray(axis) ? `${what}[${i}]` : what));
  const dup = out.find((a, i) => out.indexOf(a) !== i);
  if (dup !== undefined) throw new Error(`${what}: axis ${dup} is given twice (${describe(axis)})`);
  return out;
}

const product = (a: readonly number[], from = 0, to = a.length) => {
  let n = 1;
  for (let i = from; i < to; i++) n *= a[i];
  return n;
};

/** The output's size, or an error when it would not fit one typed array. */
function sizeOf(shape: readonly number[], who: string): number {
  const n = shapeSize(shape);
  if (n > MAX_SIZE) throw new RangeError(`${who}: the result's shape ${fmtShape(shape)} holds ${n} values, more than the ${MAX_SIZE} one tensor can`);
  return n;
}

/**
 * Calls fn(a, b) for every index of `sizes` in row-major order, a and b being offsets that
 * advance by their strides: the outer loops of every copy here (the inner run is fn's).
 */
function walk(sizes: readonly number[], sa: readonly number[], sb: readonly number[], a0: number, b0: number, fn: (a: number, b: number) => void): void {
  const r = sizes.length;
  for (let k = 0; k < r; k++) if (sizes[k] === 0) return;
  if (r === 0) {
    fn(a0, b0);
    return;
  }
  const idx = new Array<number>(r).fill(0);
  let a = a0;
  let b = b0;
  for (;;) {
    fn(a, b);
    let k = r - 1;
    for (; k >= 0; k--) {
      idx[k]++;
      a += sa[k];
      b += sb[k];
      if (idx[k] < sizes[k]) break;
      a -= sa[k] * sizes[k];
      b -= sb[k] * sizes[k];
      idx[k] = 0;
    }
    if (k < 0) return;
  }
}

/** dst[b, b + n) = src[a, a + n): `set` for long runs, a loop for short ones (no view per run). */
function copyRun(dst: Values, b: number, src: Values, a: number, n: number): void {
  if (n > 16) dst.set(src.subarray(a, a + n), b);
  else for (let i = 0; i < n; i++) dst[b + i] = src[a + i];
}

function checkTensorList(tensors: unknown, who: string): Tensor[] {
  if (!Array.isArray(tensors)) throw new TypeError(`${who}: tensors: expected an array of tensors, got ${describe(tensors)}`);
  if (tensors.length === 0) throw new Error(`${who}: tensors: expected at least one tensor, got an empty array`);
  return tensors.map((t, i) => convertToTensor(t, `${who}: tensors[${i}]`));
}

function sameDtype(ts: Tensor[], who: string): DType {
  const dt = ts[0].dtype;
  ts.forEach((t, i) => {
    if (t.dtype !== dt) throw new TypeError(`${who}: tensors[${i}] is ${t.dtype}, expected ${dt} as tensors[0] (cast() converts)`);
  });
  return dt;
}

// ------------------------------------------------------------------ views: the values are shared

/**
 * `tf.reshape(x, shape)`: one dimension may be -1 (inferred). The result shares x's values.
 */
export function reshape<D extends DType = DType>(x: Input<D>, shape: readonly number[]): Tensor<D> {
  const t = convertToTensor(x, 'reshape: x') as Tensor<D>;
  if (!Array.isArray(shape)) throw new TypeError(`reshape: shape: expected a list of dimensions, got ${describe(shape)}`);
  const out = [...shape];
  let free = -1;
  for (let i = 0; i < out.length; i++) {
    const d = out[i];
    if (d === -1) {
      if (free >= 0) throw new Error(`reshape: shape ${fmtShape(shape)} has more than one -1 (dimensions ${free} and ${i})`);
      free = i;
    } else if (!(Number.isInteger(d) && d >= 0)) {
      throw new RangeError(`reshape: shape: dimension ${i} must be an integer >= 0 or -1, got ${describe(d)} (shape ${describe(shape)})`);
    }
  }
  if (free >= 0) {
    const rest = product(out.filter((_, i) => i !== free));
    if (rest === 0) throw new Error(`reshape: cannot infer the -1 in ${fmtShape(shape)}: the other dimensions hold 0 values`);
    if (t.size % rest !== 0) throw new Error(`reshape: cannot reshape x ${fmtShape(t.shape)} (${t.size} values) into ${fmtShape(shape)}: ${t.size} is not a multiple of ${rest}`);
    out[free] = t.size / rest;
  }
  if (shapeSize(out) !== t.size) throw new Error(`reshape: cannot reshape x ${fmtShape(t.shape)} (${t.size} values) into ${fmtShape(out)} (${shapeSize(out)} values)`);
  return new Tensor(t.values, out, t.dtype);
}

/** `tf.expandDims(x, axis = 0)`: a dimension of 1 inserted at axis in [-(rank+1), rank]. Shares x's values. */
export function expandDims<D extends DType = DType>(x: Input<D>, axis = 0): Tensor<D> {
  const t = convertToTensor(x, 'expandDims: x') as Tensor<D>;
  const r = t.rank;
  let ax = checkInt(axis, 'expandDims: axis', -(r + 1), r);
  if (ax < 0) ax += r + 1;
  const shape = [...t.shape];
  shape.splice(ax, 0, 1);
  return new Tensor(t.values, shape, t.dtype);
}

/**
 * `tf.squeeze(x, axis?)`: drops the given dimensions of size 1 (an axis or a list), or all of
 * them when axis is undefined or []. Shares x's values.
 */
export function squeeze<D extends DType = DType>(x: Input<D>, axis?: number | number[]): Tensor<D> {
  const t = convertToTensor(x, 'squeeze: x') as Tensor<D>;
  const all = axis === undefined || axis === null || (Array.isArray(axis) && axis.length === 0);
  let shape: number[];
  if (all) shape = t.shape.filter((d) => d !== 1);
  else {
    const axes = new Set(checkAxesLenient(axis, t.rank, 'squeeze: axis'));
    for (const a of axes) {
      if (t.shape[a] !== 1) throw new Error(`squeeze: axis ${a} has size ${t.shape[a]}, not 1 (x has shape ${fmtShape(t.shape)})`);
    }
    shape = t.shape.filter((_, i) => !axes.has(i));
  }
  return new Tensor(t.values, shape, t.dtype);
}

/** Axes where a repeat is harmless (TF.js's squeeze takes [0, 0] as [0]). */
function checkAxesLenient(axis: unknown, rank: number, what: string): number[] {
  const list = typeof axis === 'number' ? [axis] : axis;
  if (!Array.isArray(list)) throw new TypeError(`${what}: expected an axis or a list of axes, got ${describe(axis)}`);
  return list.map((a, i) => checkAxis(a, rank, Array.isArray(axis) ? `${what}[${i}]` : what));
}

/** `x.flatten()` as in TF.js: reshape to [size]. Shares x's values. */
export function flatten<D extends DType = DType>(x: Input<D>): Tensor<D> {
  const t = convertToTensor(x, 'flatten: x') as Tensor<D>;
  return new Tensor(t.values, [t.size], t.dtype);
}

// ------------------------------------------------------------------------ copies: new values

/** `tf.clone(x)`: same shape, dtype and values, in a new array. */
export function clone<D extends DType = DType>(x: Input<D>): Tensor<D> {
  const t = convertToTensor(x, 'clone: x') as Tensor<D>;
  return new Tensor(t.values.slice() as TypedArrayFor<D>, t.shape, t.dtype);
}

/**
 * `tf.cast(x, dtype)` with TF.js's conversions: to int32 truncates toward zero (NaN → 0, beyond
 * int32 wraps: JavaScript's ToInt32, which TF.js's Int32Array.from applies), to bool is x != 0
 * (NaN → true), bool to numbers is 0/1. Always a new array, even for the same dtype.
 */
export function cast<D extends DType>(x: Input<DType>, dtype: D): Tensor<D> {
  const t = convertToTensor(x, 'cast: x');
  const dt = checkDtype(dtype, 'cast: dtype') as D;
  const src = t.values;
  let out: Values;
  if (dt === t.dtype) out = src.slice();
  else if (dt === 'float32') out = new Float32Array(src);
  else if (dt === 'int32') out = new Int32Array(src);
  else {
    out = new Uint8Array(src.length);
    for (let i = 0; i < src.length; i++) out[i] = src[i] !== 0 ? 1 : 0;
  }
  return new Tensor(out as TypedArrayFor<D>, t.shape, dt);
}

/**
 * `tf.transpose(x, perm?)`: output axis i is input axis perm[i]; no perm reverses the axes.
 * `conjugate` only matters for complex tensors, which simdnet does not have (a no-op here).
 */
export function transpose<D extends DType = DType>(x: Input<D>, perm?: readonly number[], conjugate?: boolean): Tensor<D> {
  const t = convertToTensor(x, 'transpose: x') as Tensor<D>;
  if (conjugate !== undefined) checkBoolean(conjugate, 'transpose: conjugate');
  const r = t.rank;
  let p: number[];
  if (perm === undefined || perm === null) p = Array.from({ length: r }, (_, i) => r - 1 - i);
  else {
    if (!Array.isArray(perm)) throw new TypeError(`transpose: perm: expected a list of axes, got ${describe(perm)}`);
    if (perm.length !== r) throw new Error(`transpose: perm ${describe(perm)} has ${perm.length} entries, x has rank ${r} (shape ${fmtShape(t.shape)})`);
    p = perm.map((a, i) => {
      // TF.js takes perm entries in [0, rank) only (no negative axes).
      if (!(Number.isInteger(a) && a >= 0 && a < r)) throw new RangeError(`transpose: perm[${i}]: expected an integer in [0, ${r}), got ${describe(a)}`);
      return a;
    });
    const dup = p.find((a, i) => p.indexOf(a) !== i);
    if (dup !== undefined) throw new Error(`transpose: perm ${describe(perm)} names axis ${dup} twice: it must be a permutation of [0, ${r})`);
  }
  const shape = p.map((a) => t.shape[a]);
  const out = makeArray(t.dtype, t.size);
  if (t.size > 0) transposeInto(out, t.values, t.shape, p);
  return new Tensor(out, shape, t.dtype);
}

function transposeInto(out: Values, src: Values, shape: readonly number[], perm: readonly number[]): void {
  // Drop size-1 axes and merge output axes that are adjacent in the input too: a transpose of
  // [b, h, w, c] to [b, c, h, w] becomes a batch of [h·w, c] → [c, h·w] matrix transposes.
  const inStrides = stridesOf(shape);
  const sizes: number[] = [];
  const strides: number[] = [];
  for (const k of perm) {
    const n = shape[k];
    if (n === 1) continue;
    const last = sizes.length - 1;
    if (last >= 0 && strides[last] === n * inStrides[k]) {
      sizes[last] *= n;
      strides[last] = inStrides[k];
    } else {
      sizes.push(n);
      strides.push(inStrides[k]);
    }
  }
  const r = sizes.length;
  if (r === 0) {
    out[0] = src[0];
    return;
  }
  const outStrides = stridesOf(sizes);
  if (strides[r - 1] === 1) {
    // The innermost output axis is contiguous in the input: whole runs.
    const run = sizes[r - 1];
    walk(sizes.slice(0, -1), strides.slice(0, -1), outStrides.slice(0, -1), 0, 0, (a, b) => copyRun(out, b, src, a, run));
    return;
  }
  const n1 = sizes[r - 2];
  const n2 = sizes[r - 1];
  const s1 = strides[r - 2];
  const s2 = strides[r - 1];
  walk(sizes.slice(0, -2), strides.slice(0, -2), outStrides.slice(0, -2), 0, 0, (a, b) => transpose2d(out, b, src, a, n1, n2, s1, s2));
}

/**
 * out[b + i·n2 + j] = src[a + i·s1 + j·s2]. Four output rows at a time: each step reads four
 * nearby source values (s1 apart, usually in one cache line) and writes one value to each row.
 * This measured faster in V8 than square cache blocking, whose short inner loops cost more than
 * the cache misses they save.
 */
function transpose2d(out: Values, b: number, src: Values, a: number, n1: number, n2: number, s1: number, s2: number): void {
  let i = 0;
  for (; i + 4 <= n1; i += 4) {
    const o0 = b + i * n2;
    const o1 = o0 + n2;
    const o2 = o1 + n2;
    const o3 = o2 + n2;
    let q = a + i * s1;
    for (let j = 0; j < n2; j++, q += s2) {
      out[o0 + j] = src[q];
      out[o1 + j] = src[q + s1];
      out[o2 + j] = src[q + 2 * s1];
      out[o3 + j] = src[q + 3 * s1];
    }
  }
  for (; i < n1; i++) {
    const o = b + i * n2;
    let q = a + i * s1;
    for (let j = 0; j < n2; j++, q += s2) out[o + j] = src[q];
  }
}

/** Copies the box [begin, begin + size) of `src` (row-major `shape`) into a new array. */
function sliceValues(src: Values, shape: readonly number[], begin: readonly number[], size: readonly number[], dtype: DType): Values {
  const n = shapeSize(size);
  const out = makeArray(dtype, n);
  if (n === 0) return out;
  const r = shape.length;
  if (r === 0) {
    out[0] = src[0];
    return out;
  }
  const strides = stridesOf(shape);
  // Inner axes taken whole join the contiguous run of the first axis that is not.
  let j = r - 1;
  let run = 1;
  while (j > 0 && size[j] === shape[j]) run *= size[j--];
  run *= size[j];
  let base = 0;
  for (let k = 0; k < r; k++) base += begin[k] * strides[k];
  walk(size.slice(0, j), strides.slice(0, j), stridesOf(size).slice(0, j), base, 0, (a, b) => copyRun(out, b, src, a, run));
  return out;
}

/**
 * `tf.slice(x, begin, size?)`: the box starting at `begin` (a number is the first axis's start,
 * a short list is padded with 0) of `size` (padded with -1; -1 is "to the end"). Negative begins
 * are refused, as TF.js does for -1 (it reads wrong values for the others).
 */
export function slice<D extends DType = DType>(x: Input<D>, begin: number | readonly number[], size?: number | readonly number[]): Tensor<D> {
  const t = convertToTensor(x, 'slice: x') as Tensor<D>;
  const r = t.rank;
  if (r === 0) throw new Error('slice: x is a scalar: there is nothing to slice');
  const b = padList(begin, r, 0, 'slice: begin');
  const s = size === undefined || size === null ? new Array<number>(r).fill(-1) : padList(size, r, -1, 'slice: size');
  for (let k = 0; k < r; k++) {
    if (!(Number.isInteger(b[k]) && b[k] >= 0)) throw new RangeError(`slice: begin[${k}]: expected an integer >= 0, got ${describe(b[k])}`);
    if (b[k] > t.shape[k]) throw new RangeError(`slice: begin[${k}] = ${b[k]} is beyond x.shape[${k}] = ${t.shape[k]}`);
    if (!(Number.isInteger(s[k]) && s[k] >= -1)) throw new RangeError(`slice: size[${k}]: expected an integer >= 0, or -1 for "to the end", got ${describe(s[k])}`);
    if (s[k] === -1) s[k] = t.shape[k] - b[k];
    if (b[k] + s[k] > t.shape[k]) throw new RangeError(`slice: begin[${k}] + size[${k}] = ${b[k] + s[k]} is beyond x.shape[${k}] = ${t.shape[k]}`);
  }
  return new Tensor(sliceValues(t.values, t.shape, b, s, t.dtype) as TypedArrayFor<D>, s, t.dtype);
}

/** A number (for the first axis) or a list of at most `rank` numbers, padded with `fill`. */
function padList(v: number | readonly number[], rank: number, fill: number, what: string): number[] {
  if (typeof v === 'number') return [v, ...new Array<number>(rank - 1).fill(fill)];
  if (!Array.isArray(v)) throw new TypeError(`${what}: expected a number or a list of numbers, got ${describe(v)}`);
  if (v.length > rank) throw new Error(`${what}: ${describe(v)} has ${v.length} entries, x has rank ${rank}`);
  return [...v, ...new Array<number>(rank - v.length).fill(fill)];
}

/**
 * `tf.gather(x, indices, axis = 0, batchDims = 0)`: the slices of x along `axis` picked by the
 * int32 `indices` (any shape: it replaces that axis in the output's shape). With batchDims = b,
 * the first b axes of x and indices are batch axes gathered pairwise (TF.js's GatherV2).
 * An index outside [0, x.shape[axis]) is an error, as in TF.js's cpu backend.
 */
export function gather<D extends DType = DType>(x: Input<D>, indices: Tensor | TensorLike, axis = 0, batchDims = 0): Tensor<D> {
  const t = convertToTensor(x, 'gather: x') as Tensor<D>;
  const idx = convertToTensor(indices, 'gather: indices', 'int32');
  const ax = checkAxis(axis, t.rank, 'gather: axis');
  let bd = checkInt(batchDims, 'gather: batchDims', -idx.rank, idx.rank);
  if (bd < 0) bd += idx.rank;
  if (bd > ax) throw new RangeError(`gather: batchDims (${bd}) must be <= axis (${ax})`);
  for (let i = 0; i < bd; i++) {
    if (t.shape[i] !== idx.shape[i]) throw new Error(`gather: batch axis ${i}: x.shape[${i}] = ${t.shape[i]} but indices.shape[${i}] = ${idx.shape[i]}`);
  }
  const dim = t.shape[ax];
  const iv = idx.values as Int32Array;
  for (let i = 0; i < iv.length; i++) {
    const k = iv[i];
    if (!(k >= 0 && k < dim)) throw new RangeError(`gather: indices${locOf(i, idx.shape)} = ${k} is outside [0, ${dim}) (x.shape[${ax}] = ${dim})`);
  }
  const shape = [...t.shape.slice(0, ax), ...idx.shape.slice(bd), ...t.shape.slice(ax + 1)];
  const out = makeArray(t.dtype, sizeOf(shape, 'gather'));
  const batch = product(t.shape, 0, bd);
  const outer = product(t.shape, bd, ax);
  const inner = product(t.shape, ax + 1);
  const perBatch = batch === 0 ? 0 : iv.length / batch;
  const src = t.values;
  let o = 0;
  for (let b = 0; b < batch; b++) {
    for (let q = 0; q < outer; q++) {
      const base = (b * outer + q) * dim * inner;
      const first = b * perBatch;
      if (inner === 1) for (let i = 0; i < perBatch; i++) out[o++] = src[base + iv[first + i]];
      else
        for (let i = 0; i < perBatch; i++) {
          copyRun(out, o, src, base + iv[first + i] * inner, inner);
          o += inner;
        }
    }
  }
  return new Tensor(out, shape, t.dtype);
}

/** `[i][j]` of a flat index in `shape` (for messages). */
function locOf(i: number, shape: readonly number[]): string {
  if (shape.length === 0) return '';
  const loc: number[] = [];
  for (let k = shape.length - 1; k >= 0; k--) {
    loc.unshift(i % shape[k]);
    i = Math.floor(i / shape[k]);
  }
  return loc.map((c) => `[${c}]`).join('');
}

/**
 * `tf.concat(tensors, axis = 0)`: joins tensors of one rank and dtype along `axis`; the other
 * dimensions must agree. (TF.js converts a mixed list to the first tensor's dtype, truncating
 * floats into an int32 result; here that is an error that points to cast().)
 */
export function concat<D extends DType = DType>(tensors: readonly Input<D>[], axis = 0): Tensor<D> {
  const ts = checkTensorList(tensors, 'concat') as Tensor<D>[];
  const first = ts[0];
  const r = first.rank;
  if (ts.length === 1 && r === 0) return clone(first);
  if (r === 0) throw new Error('concat: tensors[0] is a scalar: concat joins tensors along an axis (stack() joins scalars)');
  const ax = checkAxis(axis, r, 'concat: axis');
  const dtype = sameDtype(ts, 'concat');
  ts.forEach((t, i) => {
    if (t.rank !== r) throw new Error(`concat: tensors[${i}] has rank ${t.rank} (shape ${fmtShape(t.shape)}), expected ${r} as tensors[0] ${fmtShape(first.shape)}`);
    for (let k = 0; k < r; k++) {
      if (k !== ax && t.shape[k] !== first.shape[k]) {
        const want = first.shape.map((d, j) => (j === ax ? '*' : String(d)));
        throw new Error(`concat: tensors[${i}] has shape ${fmtShape(t.shape)}, expected [${want.join(', ')}] on axis ${k}`);
      }
    }
  });
  const shape = [...first.shape];
  shape[ax] = ts.reduce((n, t) => n + t.shape[ax], 0);
  const out = makeArray(dtype, sizeOf(shape, 'concat'));
  const outer = product(shape, 0, ax);
  const inners = ts.map((t) => product(t.shape, ax));
  let o = 0;
  for (let q = 0; q < outer; q++) {
    for (let i = 0; i < ts.length; i++) {
      copyRun(out, o, ts[i].values, q * inners[i], inners[i]);
      o += inners[i];
    }
  }
  return new Tensor(out, shape, dtype) as Tensor<D>;
}

/**
 * `tf.stack(tensors, axis = 0)`: tensors of one shape and dtype joined along a new axis in
 * [-(rank+1), rank].
 */
export function stack<D extends DType = DType>(tensors: readonly Input<D>[], axis = 0): Tensor<D> {
  const ts = checkTensorList(tensors, 'stack') as Tensor<D>[];
  const first = ts[0];
  const r = first.rank;
  let ax = checkInt(axis, 'stack: axis', -(r + 1), r);
  if (ax < 0) ax += r + 1;
  const dtype = sameDtype(ts, 'stack');
  ts.forEach((t, i) => {
    if (t.rank !== r || t.shape.some((d, k) => d !== first.shape[k])) {
      throw new Error(`stack: tensors[${i}] has shape ${fmtShape(t.shape)}, expected ${fmtShape(first.shape)} as tensors[0]`);
    }
  });
  const shape = [...first.shape];
  shape.splice(ax, 0, ts.length);
  const out = makeArray(dtype, sizeOf(shape, 'stack'));
  const outer = product(first.shape, 0, ax);
  const inner = product(first.shape, ax);
  let o = 0;
  for (let q = 0; q < outer; q++) {
    for (const t of ts) {
      copyRun(out, o, t.values, q * inner, inner);
      o += inner;
    }
  }
  return new Tensor(out, shape, dtype) as Tensor<D>;
}

/** `tf.unstack(x, axis = 0)`: the x.shape[axis] tensors along axis, that axis removed. */
export function unstack<D extends DType = DType>(x: Input<D>, axis = 0): Tensor<D>[] {
  const t = convertToTensor(x, 'unstack: x') as Tensor<D>;
  const ax = checkAxis(axis, t.rank, 'unstack: axis');
  const n = t.shape[ax];
  const shape = t.shape.filter((_, k) => k !== ax);
  const outer = product(t.shape, 0, ax);
  const inner = product(t.shape, ax + 1);
  const src = t.values;
  const res: Tensor<D>[] = [];
  for (let i = 0; i < n; i++) {
    const out = makeArray(t.dtype, outer * inner);
    for (let q = 0; q < outer; q++) copyRun(out, q * inner, src, (q * n + i) * inner, inner);
    res.push(new Tensor(out, shape, t.dtype));
  }
  return res;
}

/**
 * `tf.split(x, numOrSizeSplits, axis = 0)`: a number of equal parts (it must divide the axis),
 * or the size of each part, one of which may be -1 for the rest.
 */
export function split<D extends DType = DType>(x: Input<D>, numOrSizeSplits: number | readonly number[], axis = 0): Tensor<D>[] {
  const t = convertToTensor(x, 'split: x') as Tensor<D>;
  const ax = checkAxis(axis, t.rank, 'split: axis');
  const dim = t.shape[ax];
  let sizes: number[];
  if (typeof numOrSizeSplits === 'number') {
    const n = checkInt(numOrSizeSplits, 'split: numOrSizeSplits', 1);
    if (dim % n !== 0) throw new Error(`split: numOrSizeSplits = ${n} does not divide x.shape[${ax}] = ${dim} into equal parts`);
    sizes = new Array<number>(n).fill(dim / n);
  } else {
    if (!Array.isArray(numOrSizeSplits) || numOrSizeSplits.length === 0) {
      throw new TypeError(`split: numOrSizeSplits: expected a number of parts or a non-empty list of sizes, got ${describe(numOrSizeSplits)}`);
    }
    sizes = [...numOrSizeSplits];
    let free = -1;
    let sum = 0;
    sizes.forEach((s, i) => {
      if (!(Number.isInteger(s) && s >= -1)) throw new RangeError(`split: numOrSizeSplits[${i}]: expected an integer >= 0, or -1 for the rest, got ${describe(s)}`);
      if (s === -1) {
        if (free >= 0) throw new Error(`split: numOrSizeSplits ${describe(numOrSizeSplits)} has more than one -1`);
        free = i;
      } else sum += s;
    });
    if (free >= 0) {
      if (sum > dim) throw new Error(`split: numOrSizeSplits ${describe(numOrSizeSplits)} adds up to ${sum}, more than x.shape[${ax}] = ${dim}`);
      sizes[free] = dim - sum;
    } else if (sum !== dim) {
      throw new Error(`split: numOrSizeSplits ${describe(numOrSizeSplits)} adds up to ${sum}, expected x.shape[${ax}] = ${dim}`);
    }
  }
  const outer = product(t.shape, 0, ax);
  const inner = product(t.shape, ax + 1);
  const src = t.values;
  let begin = 0;
  return sizes.map((s) => {
    const shape = [...t.shape];
    shape[ax] = s;
    const run = s * inner;
    const out = makeArray(t.dtype, outer * run);
    for (let q = 0; q < outer; q++) copyRun(out, q * run, src, (q * dim + begin) * inner, run);
    begin += s;
    return new Tensor(out, shape, t.dtype);
  });
}

/** `tf.tile(x, reps)`: x repeated reps[i] times along axis i (one rep per axis, integers >= 0). */
export function tile<D extends DType = DType>(x: Input<D>, reps: readonly number[]): Tensor<D> {
  const t = convertToTensor(x, 'tile: x') as Tensor<D>;
  const r = t.rank;
  if (!Array.isArray(reps)) throw new TypeError(`tile: reps: expected a list with one count per axis, got ${describe(reps)}`);
  if (reps.length !== r) throw new Error(`tile: reps ${describe(reps)} has ${reps.length} entries, x has rank ${r} (shape ${fmtShape(t.shape)})`);
  reps.forEach((n, i) => {
    if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`tile: reps[${i}]: expected an integer >= 0, got ${describe(n)}`);
  });
  const shape = t.shape.map((d, i) => d * reps[i]);
  const out = makeArray(t.dtype, sizeOf(shape, 'tile'));
  if (out.length === 0) return new Tensor(out, shape, t.dtype);
  if (r === 0) {
    out[0] = t.values[0];
    return new Tensor(out, shape, t.dtype);
  }
  const src = t.values;
  const inStrides = stridesOf(t.shape);
  const outStrides = stridesOf(shape);
  // Each block is written once from x, then doubled in place along its axis (copyWithin).
  const fill = (d: number, a: number, b: number): void => {
    const n = t.shape[d];
    if (d === r - 1) copyRun(out, b, src, a, n);
    else for (let i = 0; i < n; i++) fill(d + 1, a + i * inStrides[d], b + i * outStrides[d]);
    const block = n * outStrides[d];
    for (let k = 1; k < reps[d]; k++) out.copyWithin(b + k * block, b, b + block);
  };
  fill(0, 0, 0);
  return new Tensor(out, shape, t.dtype);
}

/**
 * `tf.pad(x, paddings, constantValue = 0)`: paddings[i] = [before, after] for every axis
 * (integers >= 0). An int32 tensor pads with an integer, a bool one with 0/1 or a boolean.
 */
export function pad<D extends DType = DType>(x: Input<D>, paddings: ReadonlyArray<readonly [number, number]>, constantValue: number | boolean = 0): Tensor<D> {
  const t = convertToTensor(x, 'pad: x') as Tensor<D>;
  const r = t.rank;
  if (r === 0) throw new Error('pad: x is a scalar: there is no axis to pad');
  if (!Array.isArray(paddings)) throw new TypeError(`pad: paddings: expected a list of [before, after] pairs, got ${describe(paddings)}`);
  if (paddings.length !== r) throw new Error(`pad: paddings has ${paddings.length} pairs, x has rank ${r} (shape ${fmtShape(t.shape)}): one [before, after] per axis`);
  paddings.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2) throw new TypeError(`pad: paddings[${i}]: expected a pair [before, after], got ${describe(p)}`);
    p.forEach((n, j) => {
      if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`pad: paddings[${i}][${j}]: expected an integer >= 0, got ${describe(n)}`);
    });
  });
  const c = padValue(constantValue, t.dtype);
  const shape = t.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
  const out = makeArray(t.dtype, sizeOf(shape, 'pad'));
  if (c !== 0) out.fill(c);
  if (t.size > 0) {
    const inStrides = stridesOf(t.shape);
    const outStrides = stridesOf(shape);
    let base = 0;
    for (let k = 0; k < r; k++) base += paddings[k][0] * outStrides[k];
    const run = t.shape[r - 1];
    walk(t.shape.slice(0, -1), inStrides.slice(0, -1), outStrides.slice(0, -1), 0, base, (a, b) => copyRun(out, b, t.values, a, run));
  }
  return new Tensor(out, shape, t.dtype);
}

function padValue(v: unknown, dtype: DType): number {
  const what = 'pad: constantValue';
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number') throw new TypeError(`${what}: expected a number, got ${describe(v)}`);
  if (dtype === 'bool' && v !== 0 && v !== 1) throw new RangeError(`${what}: a bool tensor pads with 0, 1 or a boolean, got ${describe(v)}`);
  if (dtype === 'int32' && !(Number.isInteger(v) && v >= -2147483648 && v <= 2147483647)) {
    throw new RangeError(`${what}: an int32 tensor pads with an integer in int32 range, got ${describe(v)}`);
  }
  return v;
}

/** `tf.reverse(x, axis?)`: x reversed along the given axes (an axis or a list; none: every axis). */
export function reverse<D extends DType = DType>(x: Input<D>, axis?: number | readonly number[]): Tensor<D> {
  const t = convertToTensor(x, 'reverse: x') as Tensor<D>;
  const r = t.rank;
  const axes = checkAxes(axis, r, 'reverse: axis');
  const out = makeArray(t.dtype, t.size);
  if (t.size === 0) return new Tensor(out, t.shape, t.dtype);
  if (r === 0) {
    out[0] = t.values[0];
    return new Tensor(out, t.shape, t.dtype);
  }
  const strides = stridesOf(t.shape);
  const sa = [...strides];
  let a0 = 0;
  for (const k of axes) {
    sa[k] = -strides[k];
    a0 += (t.shape[k] - 1) * strides[k];
  }
  const n = t.shape[r - 1];
  const src = t.values;
  const outer = t.shape.slice(0, -1);
  if (sa[r - 1] > 0) walk(outer, sa.slice(0, -1), strides.slice(0, -1), a0, 0, (a, b) => copyRun(out, b, src, a, n));
  else
    walk(outer, sa.slice(0, -1), strides.slice(0, -1), a0, 0, (a, b) => {
      for (let j = 0; j < n; j++) out[b + j] = src[a - j];
    });
  return new Tensor(out, t.shape, t.dtype);
}
