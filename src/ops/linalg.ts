/**
 * matMul (batched, broadcast over the leading dimensions, as TF.js), dot, outerProduct, softmax
 * and logSoftmax.
 *
 * A float32 matMul with m·n·k at or above `wasmThresholds.matMul` runs on the GEMM kernels
 * (assembly/gemm.ts, f32 accumulation in registers), one call per matrix of the batch; smaller
 * ones, int32 ones and everything before `init()` run in JS with f64 accumulation.
 */
import { Tensor, checkBoolean, describe, shapeSize, type DType, type TensorLike } from '../tensor.ts';
import type { Backend } from '../wasm/loader.ts';
import {
  binaryValues, broadcastShapes, castValues, copyOut, makeArray, scratch, scratchArrays, toTensorOf, unaryValues, upcastType, valuesOf,
  wasmFor, wasmThresholds, withArgs, type AnyArray,
} from './elementwise.ts';
import { reduceValues } from './reduce.ts';

interface MatMulPlan {
  batchShape: number[];
  m: number;
  n: number;
  k: number;
  /** For each output matrix, the matrix of a and of b it multiplies (batch broadcasting). */
  aIndex: Int32Array;
  bIndex: Int32Array;
}

function plan(aShape: readonly number[], bShape: readonly number[], tA: boolean, tB: boolean): MatMulPlan {
  const ra = aShape.length;
  const rb = bShape.length;
  if (ra < 2 || rb < 2) {
    throw new Error(`matMul: both operands must have rank >= 2 (matrices or batches of them), got shapes [${aShape.join(', ')}] and [${bShape.join(', ')}]; dot() takes vectors`);
  }
  const m = tA ? aShape[ra - 1] : aShape[ra - 2];
  const kA = tA ? aShape[ra - 2] : aShape[ra - 1];
  const kB = tB ? bShape[rb - 1] : bShape[rb - 2];
  const n = tB ? bShape[rb - 2] : bShape[rb - 1];
  if (kA !== kB) {
    throw new Error(
      `matMul: inner dimensions differ: ${kA} (a [${aShape.join(', ')}]${tA ? ', transposed' : ''}) vs ${kB} (b [${bShape.join(', ')}]${tB ? ', transposed' : ''})`,
    );
  }
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const batchShape = broadcastShapes(aBatch, bBatch, 'matMul: batch dimensions');
  const count = shapeSize(batchShape);
  const aIndex = new Int32Array(count);
  const bIndex = new Int32Array(count);
  const strides = (s: number[]) => {
    const st = new Array<number>(batchShape.length).fill(0);
    let acc = 1;
    for (let i = s.length - 1; i >= 0; i--) {
      st[batchShape.length - s.length + i] = s[i] === 1 ? 0 : acc;
      acc *= s[i];
    }
    return st;
  };
  const sa = strides(aBatch);
  const sb = strides(bBatch);
  for (let i = 0; i < count; i++) {
    let rest = i;
    let ia = 0;
    let ib = 0;
    for (let d = batchShape.length - 1; d >= 0; d--) {
      const p = rest % batchShape[d];
      rest = (rest - p) / batchShape[d];
      ia += p * sa[d];
      ib += p * sb[d];
    }
    aIndex[i] = ia;
    bIndex[i] = ib;
  }
  return { batchShape, m, n, k: kA, aIndex, bIndex };
}

/** All matrices on the GEMM kernels; null without scratch. */
function matMulWasm(back: Backend, p: MatMulPlan, a: Float32Array, b: Float32Array, tA: boolean, tB: boolean): Float32Array | null {
  const { m, n, k } = p;
  const count = p.aIndex.length;
  const k_ = back.kernels;
  const wsBytes = k_.gemm_workspace_bytes(m, n, k);
  const ptrs = scratchArrays(back, a.length, b.length, count * m * n, wsBytes / 4);
  if (ptrs === null) return null;
  const [pa, pb, pc, ws] = ptrs;
  const f32 = back.arena.f32;
  f32.set(a, pa >>> 2);
  f32.set(b, pb >>> 2);
  k_.fill_f32(pc, count * m * n, 0);
  for (let i = 0; i < count; i++) {
    const ai = pa + p.aIndex[i] * m * k * 4;
    const bi = pb + p.bIndex[i] * k * n * 4;
    const ci = pc + i * m * n * 4;
    if (tA && tB) k_.gemm_nn_f32(ci, bi, ai, ws, n, m, k); // (B·A)ᵀ: transposed on the way out
    else if (tA) k_.gemm_tn_f32(ci, ai, bi, ws, m, n, k);
    else if (tB) k_.gemm_nt_f32(ci, ai, bi, ws, m, n, k);
    else k_.gemm_nn_f32(ci, ai, bi, ws, m, n, k);
  }
  if (!(tA && tB)) return copyOut(back, pc, count * m * n);
  const c = back.arena.f32.subarray(pc >>> 2, (pc >>> 2) + count * m * n);
  const out = new Float32Array(c.length);
  for (let i = 0; i < count; i++) {
    const o = i * m * n;
    for (let r = 0; r < n; r++) for (let s = 0; s < m; s++) out[o + s * n + r] = c[o + r * m + s];
  }
  return out;
}

/** A rows × cols matrix at `offset`, transposed into a new array. */
function transposed(v: AnyArray, offset: number, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = v[offset + r * cols + c];
  return t;
}

/** The JS path: row by row, f64 accumulation; a transposed operand is laid out plainly first. */
function matMulJs(p: MatMulPlan, a: AnyArray, b: AnyArray, tA: boolean, tB: boolean, out: AnyArray): void {
  const { m, n, k } = p;
  const acc = new Float64Array(n);
  for (let i = 0; i < p.aIndex.length; i++) {
    const A: ArrayLike<number> = tA ? transposed(a, p.aIndex[i] * m * k, k, m) : a;
    const B: ArrayLike<number> = tB ? transposed(b, p.bIndex[i] * k * n, n, k) : b;
    const ao = tA ? 0 : p.aIndex[i] * m * k;
    const bo = tB ? 0 : p.bIndex[i] * k * n;
    const co = i * m * n;
    for (let r = 0; r < m; r++) {
      acc.fill(0);
      for (let q = 0; q < k; q++) {
        const x = A[ao + r * k + q];
        const bq = bo + q * n;
        for (let j = 0; j < n; j++) acc[j] += x * B[bq + j];
      }
      for (let j = 0; j < n; j++) out[co + r * n + j] = acc[j];
    }
  }
}

interface Mat {
  values: AnyArray;
  shape: readonly number[];
  dtype: DType;
}

function matMulValues(a: Mat, b: Mat, tA: boolean, tB: boolean): Mat {
  const p = plan(a.shape, b.shape, tA, tB);
  const dt = upcastType(a.dtype, b.dtype);
  const av = castValues(a, dt).values;
  const bv = castValues(b, dt).values;
  const shape = [...p.batchShape, p.m, p.n];
  const size = shapeSize(shape);
  if (dt === 'float32') {
    const back = wasmFor(p.m * p.n * p.k, wasmThresholds.matMul);
    if (back && size > 0) {
      const r = matMulWasm(back, p, av as Float32Array, bv as Float32Array, tA, tB);
      if (r) return { values: r, shape, dtype: dt };
    }
  }
  const out = makeArray(dt, size);
  matMulJs(p, av, bv, tA, tB, out);
  if (dt === 'bool') for (let i = 0; i < out.length; i++) out[i] = out[i] ? 1 : 0;
  return { values: out, shape, dtype: dt };
}

/**
 * a·b of matrices [..., m, k]·[..., k, n] → [..., m, n], either transposed first; leading
 * (batch) dimensions broadcast. Operands are upcast as in TF.js (int32·int32 stays int32).
 */
export function matMul(a: TensorLike, b: TensorLike, transposeA = false, transposeB = false): Tensor {
  return withArgs('matMul', (args) => {
    const ta = args.get(a, 'a');
    const tb = args.get(b, 'b');
    const tA = checkBoolean(transposeA, 'matMul: transposeA');
    const tB = checkBoolean(transposeB, 'matMul: transposeB');
    return toTensorOf(matMulValues(valuesOf(ta), valuesOf(tb), tA, tB));
  });
}

/** Dot product of vectors and matrices (rank 1 or 2 each): vector·vector is a scalar, as TF.js. */
export function dot(t1: TensorLike, t2: TensorLike): Tensor {
  return withArgs('dot', (args) => {
    const a = args.get(t1, 't1');
    const b = args.get(t2, 't2');
    if (!(a.rank === 1 || a.rank === 2) || !(b.rank === 1 || b.rank === 2)) {
      throw new Error(`dot: inputs must be rank 1 or 2, got ranks ${a.rank} and ${b.rank}`);
    }
    const aInner = a.rank === 1 ? a.size : a.shape[1];
    const bInner = b.rank === 1 ? b.size : b.shape[0];
    if (aInner !== bInner) throw new Error(`dot: inner dimensions differ: ${aInner} (t1 [${a.shape.join(', ')}]) vs ${bInner} (t2 [${b.shape.join(', ')}])`);
    const am = { ...valuesOf(a), shape: a.rank === 1 ? [1, a.size] : a.shape };
    const bm = { ...valuesOf(b), shape: b.rank === 1 ? [b.size, 1] : b.shape };
    const r = matMulValues(am, bm, false, false);
    const shape = a.rank === 1 && b.rank === 1 ? [] : a.rank === 2 && b.rank === 2 ? r.shape : [r.values.length];
    return toTensorOf({ ...r, shape });
  });
}

/** v1 ⊗ v2: [m] and [n] vectors give the [m, n] matrix of products. */
export function outerProduct(v1: TensorLike, v2: TensorLike): Tensor {
  return withArgs('outerProduct', (args) => {
    const a = args.get(v1, 'v1');
    const b = args.get(v2, 'v2');
    if (a.rank !== 1 || b.rank !== 1) throw new Error(`outerProduct: inputs must be rank 1, got ranks ${a.rank} and ${b.rank}`);
    return toTensorOf(matMulValues({ ...valuesOf(a), shape: [a.size, 1] }, { ...valuesOf(b), shape: [1, b.size] }, false, false));
  });
}

/** The last axis, given as −1 or rank − 1 (TF.js supports no other). */
function lastAxis(axis: unknown, rank: number, who: string, name: string): void {
  if (!Number.isInteger(axis)) throw new TypeError(`${who}: ${name} must be an integer, got ${describe(axis)}`);
  if (rank < 1) throw new Error(`${who}: logits must have rank >= 1, got a scalar`);
  if (axis !== -1 && axis !== rank - 1) {
    throw new Error(`${who}: only the last axis is supported (-1 or ${rank - 1}, as in TF.js), got ${name} ${axis} for rank ${rank}`);
  }
}

/** exp(x − max) / Σ exp(x − max) along the last axis; float32 logits only, as TF.js. */
export function softmax(logits: TensorLike, dim = -1): Tensor {
  return withArgs('softmax', (args) => {
    const t = args.typed(logits, 'logits', 'float32');
    lastAxis(dim, t.rank, 'softmax', 'dim');
    const cols = t.shape[t.rank - 1];
    const x = t.values as Float32Array;
    const n = x.length;
    const rows = cols === 0 ? 0 : n / cols;
    const back = wasmFor(n, wasmThresholds.transcendental);
    if (back && n > 0) {
      const p = scratch(back, n * 4);
      if (p !== null) {
        back.arena.f32.set(x, p >>> 2);
        back.kernels.softmax_forward_f32(p, p, rows, cols);
        return new Tensor(copyOut(back, p, n), t.shape, 'float32');
      }
    }
    // TF.js's steps, each rounded to float32: x − max, exp, Σ (in f64), divide.
    const out = new Float32Array(n);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let m = x[o];
      for (let j = 1; j < cols; j++) if (Number.isNaN(x[o + j]) || x[o + j] > m) m = x[o + j];
      let s = 0;
      for (let j = 0; j < cols; j++) {
        out[o + j] = Math.exp(Math.fround(x[o + j] - m));
        s += out[o + j];
      }
      for (let j = 0; j < cols; j++) out[o + j] /= s;
    }
    return new Tensor(out, t.shape, 'float32');
  });
}

/** x − max − log Σ exp(x − max) along the last axis, as float32 (TF.js's formula). */
export function logSoftmax(logits: TensorLike, axis = -1): Tensor {
  return withArgs('logSoftmax', (args) => {
    const t = args.get(logits, 'logits');
    lastAxis(axis, t.rank, 'logSoftmax', 'axis');
    const axes = [t.rank - 1];
    const x = valuesOf(t);
    const m = reduceValues('max', x, axes, true);
    const shifted = binaryValues('sub', x, m, 'logSoftmax');
    const lse = unaryValues('log', reduceValues('sum', unaryValues('exp', shifted), axes, true));
    return toTensorOf(binaryValues('sub', castValues(shifted, 'float32'), lse, 'logSoftmax'));
  });
}

