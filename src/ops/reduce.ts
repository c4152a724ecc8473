/**
 * Reductions with TF.js's names, axis rules and dtypes: sum, mean, min, max, prod, argMax,
 * argMin, all, any, logSumExp, moments.
 *
 * A reduction over one run of adjacent axes is a [outer, mid, inner] → [outer, inner] pass; axes
 * that are not adjacent are reduced one run at a time. Float32 sum, max, min and mean of large
 * tensors run in wasm (reduce_f32, which sums in f64 as TF.js's cpu backend does); the rest, and
 * small tensors, in JS.
 */
import { Tensor, checkBoolean, describe, shapeSize, type DType, type TensorLike } from '../tensor.ts';
import { REDUCE_OPS } from '../wasm/abi.ts';
import {
  binaryValues, castValues, copyOut, layout, makeArray, scratch, toTensorOf, unaryValues, valuesOf, wasmFor, wasmThresholds, withArgs,
  type AnyArray, type Values,
} from './elementwise.ts';

/**
 * TF.js's axis argument: undefined or null for every axis, an integer or a list of integers in
 * [−rank, rank) (negative counts from the end). Returns the axes sorted, each once.
 */
export function parseAxes(axis: unknown, rank: number, who: string): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i);
  const list = Array.isArray(axis) ? axis : [axis];
  const seen = new Set<number>();
  for (const a of list) {
    if (!(typeof a === 'number' && Number.isInteger(a) && a >= -rank && a < rank)) {
      throw new RangeError(`${who}: axis must be integers in [${-rank}, ${rank}) for a rank-${rank} tensor, got ${describe(axis)}`);
    }
    const ax = a < 0 ? a + rank : a;
    if (seen.has(ax)) throw new Error(`${who}: axis ${describe(axis)} names dimension ${ax} twice`);
    seen.add(ax);
  }
  return [...seen].sort((x, y) => x - y);
}

function keepDimsArg(keepDims: unknown, who: string): boolean {
  return keepDims === undefined ? false : checkBoolean(keepDims, `${who}: keepDims`);
}

/** The output shape: reduced axes removed, or kept as 1 with keepDims. */
export function reducedShape(shape: readonly number[], axes: number[], keepDims: boolean): number[] {
  return keepDims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : shape.filter((_, i) => !axes.includes(i));
}

/** Runs of the shape, alternately kept and reduced, with size-1 dimensions dropped. */
function runs(shape: readonly number[], axes: number[]): { size: number; reduced: boolean }[] {
  const out: { size: number; reduced: boolean }[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const reduced = axes.includes(i);
    const last = out[out.length - 1];
    if (last && last.reduced === reduced) last.size *= d;
    else out.push({ size: d, reduced });
  });
  return out;
}

type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'all' | 'any';

/**
 * One [outer, mid, inner] → [outer, inner] pass in JS, into f64 (intermediate passes keep full
 * precision). max/min: the first NaN wins, as TF.js (`isNaN(v) || v > m`); an empty run gives
 * the value TF.js reads from an empty array (NaN for max/min, 0 for all/any).
 */
function reducePassJs(op: ReduceOp, x: ArrayLike<number>, outer: number, mid: number, inner: number): Float64Array {
  const y = new Float64Array(outer * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * mid * inner + i;
      let acc: number;
      if (mid === 0) acc = op === 'sum' ? 0 : op === 'prod' ? 1 : op === 'all' || op === 'any' ? 0 : NaN;
      else if (op === 'sum') {
        acc = 0;
        for (let m = 0; m < mid; m++) acc += x[base + m * inner];
      } else if (op === 'prod') {
        acc = 1;
        for (let m = 0; m < mid; m++) acc *= x[base + m * inner];
      } else if (op === 'max') {
        acc = x[base];
        for (let m = 1; m < mid; m++) {
          const v = x[base + m * inner];
          if (Number.isNaN(v) || v > acc) acc = v;
        }
      } else if (op === 'min') {
        acc = x[base];
        for (let m = 1; m < mid; m++) {
          const v = x[base + m * inner];
          if (Number.isNaN(v) || v < acc) acc = v;
        }
      } else if (op === 'all') {
        acc = 1;
        for (let m = 0; m < mid; m++) if (!x[base + m * inner]) acc = 0;
      } else {
        acc = 0;
        for (let m = 0; m < mid; m++) if (x[base + m * inner]) acc = 1;
      }
      y[o * inner + i] = acc;
    }
  }
  return y;
}

/** The wasm pass for float32 sum/max/min; null without scratch. */
function reducePassWasm(op: 'sum' | 'max' | 'min', x: Float32Array, outer: number, mid: number, inner: number): Float32Array | null {
  const b = wasmFor(x.length, wasmThresholds.reduce);
  if (!b) return null;
  const n = outer * inner;
  const at = layout(x.length, n);
  const base = scratch(b, at[2]);
  if (base === null) return null;
  b.arena.f32.set(x, (base + at[0]) >>> 2);
  const py = base + at[1];
  b.kernels.reduce_f32(py, base + at[0], outer, mid, inner, REDUCE_OPS[op]);
  return copyOut(b, py, n);
}

/** The result dtype of each reduction (TF.js: sums and products of bool are int32). */
function reduceOutType(op: ReduceOp, dtype: DType): DType {
  if (op === 'sum' || op === 'prod') return dtype === 'bool' ? 'int32' : dtype;
  return dtype;
}

/** A reduction over `axes` of values (any dtype); the output is stored in reduceOutType's dtype. */
export function reduceValues(op: ReduceOp, x: Values, axes: number[], keepDims: boolean): Values {
  const outType = reduceOutType(op, x.dtype);
  const shape = reducedShape(x.shape, axes, keepDims);
  const rs = runs(x.shape, axes);
  // An empty tensor: TF.js reduces each output over nothing, or over its empty axes.
  let cur: ArrayLike<number> = x.values;
  if (x.values.length === 0 || !rs.some((r) => r.reduced)) {
    const out = makeArray(outType, shapeSize(shape));
    if (x.values.length === 0) {
      const mid = shapeSize(axes.map((a) => x.shape[a]));
      out.set(reducePassJs(op, cur, out.length, mid, 1));
    } else out.set(x.values);
    return { values: out, shape, dtype: outType };
  }
  // Reduce the last reduced run first; the runs before it keep their layout.
  while (rs.some((r) => r.reduced)) {
    let k = rs.length - 1;
    while (!rs[k].reduced) k--;
    const outer = shapeSize(rs.slice(0, k).map((r) => r.size));
    const mid = rs[k].size;
    const inner = shapeSize(rs.slice(k + 1).map((r) => r.size));
    let next: ArrayLike<number> | null = null;
    if (x.dtype === 'float32' && (op === 'sum' || op === 'max' || op === 'min') && cur instanceof Float32Array) {
      next = reducePassWasm(op, cur, outer, mid, inner);
    }
    cur = next ?? reducePassJs(op, cur, outer, mid, inner);
    rs.splice(k, 1);
    // The kept runs either side of the removed one are now adjacent: one run.
    if (k > 0 && k < rs.length && !rs[k - 1].reduced && !rs[k].reduced) {
      rs[k - 1].size *= rs[k].size;
      rs.splice(k, 1);
    }
  }
  let values: AnyArray;
  if (cur instanceof Float32Array && outType === 'float32') values = cur;
  else {
    values = makeArray(outType, shapeSize(shape));
    values.set(cur);
  }
  return { values, shape, dtype: outType };
}

function reduction(op: ReduceOp, x: TensorLike, axis: unknown, keepDims: unknown, dtype?: DType): Tensor {
  return withArgs(op, (args) => {
    const t = dtype ? args.typed(x, 'x', dtype) : args.get(x, 'x');
    const axes = parseAxes(axis, t.rank, op);
    return toTensorOf(reduceValues(op, valuesOf(t), axes, keepDimsArg(keepDims, op)));
  });
}

type Axis = number | number[] | null;

/** Σ over `axis` (default: all). int32 and bool sum to int32, as TF.js. */
export const sum = (x: TensorLike, axis: Axis = null, keepDims = false): Tensor => reduction('sum', x, axis, keepDims);
/** Π over `axis` (default: all). int32 and bool give int32. */
export const prod = (x: TensorLike, axis: Axis = null, keepDims = false): Tensor => reduction('prod', x, axis, keepDims);
/** Largest value over `axis` (same dtype; NaN if any is NaN). */
export const max = (x: TensorLike, axis: Axis = null, keepDims = false): Tensor => reduction('max', x, axis, keepDims);
/** Smallest value over `axis` (same dtype; NaN if any is NaN). */
export const min = (x: TensorLike, axis: Axis = null, keepDims = false): Tensor => reduction('min', x, axis, keepDims);
/** Logical AND over `axis`; bool only. */
export const all = (x: TensorLike, axis: Axis = null, keepDims = false): Tensor => reduction('all', x, axis, keepDims, 'bool');
/** Logical OR over `axis`; bool only. */
export const any = (x: TensorLike, axis: Axis = null, keepDims = false): Tensor => reduction('any', x, axis, keepDims, 'bool');

/** The mean as float32 values (int32 and bool inputs too); an empty reduction gives 0, as TF.js. */
export function meanValues(x: Values, axes: number[], keepDims: boolean): Values {
  const f = castValues(x, 'float32');
  const count = shapeSize(axes.map((a) => x.shape[a]));
  const s = reduceValues('sum', f, axes, keepDims);
  const v = s.values as Float32Array;
  if (count > 0) for (let i = 0; i < v.length; i++) v[i] /= count;
  return s;
}

/** The mean over `axis` (default: all) as float32. */
export function mean(x: TensorLike, axis: Axis = null, keepDims = false): Tensor {
  return withArgs('mean', (args) => {
    const t = args.get(x, 'x');
    return toTensorOf(meanValues(valuesOf(t), parseAxes(axis, t.rank, 'mean'), keepDimsArg(keepDims, 'mean')));
  });
}

function argExtreme(who: 'argMax' | 'argMin', x: TensorLike, axis: unknown): Tensor {
  return withArgs(who, (args) => {
    const t = args.get(x, 'x');
    if (typeof axis !== 'number') throw new TypeError(`${who}: axis must be an integer, got ${describe(axis)}`);
    const [ax] = parseAxes(axis, t.rank, who);
    const shape = t.shape.filter((_, i) => i !== ax);
    const outer = shapeSize(t.shape.slice(0, ax));
    const mid = t.shape[ax];
    const inner = shapeSize(t.shape.slice(ax + 1));
    const v = t.values;
    const out = new Int32Array(outer * inner);
    const isMax = who === 'argMax';
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * mid * inner + i;
        // TF.js's loop: strictly better only, so the first index wins ties and NaN is skipped
        // (unless it comes first, where nothing compares greater than it).
        let best = v[base];
        let at = 0;
        for (let m = 1; m < mid; m++) {
          const u = v[base + m * inner];
          if (isMax ? u > best : u < best) {
            best = u;
            at = m;
          }
        }
        out[o * inner + i] = at;
      }
    }
    return new Tensor(out, shape, 'int32');
  });
}

/** Index of the largest value along `axis` (default 0, as TF.js) as int32; the first wins ties. */
export const argMax = (x: TensorLike, axis = 0): Tensor => argExtreme('argMax', x, axis);
/** Index of the smallest value along `axis` (default 0) as int32; the first wins ties. */
export const argMin = (x: TensorLike, axis = 0): Tensor => argExtreme('argMin', x, axis);

/**
 * log Σ exp over `axes`, computed as TF.js does: max + log Σ exp(x − max), the max and the
 * subtraction in x's dtype (so an empty int32 reduction gives −Inf, a float32 one NaN). bool is
 * taken as 0/1 floats (TF.js exponentiates its bool difference and returns Infinity).
 */
export function logSumExpValues(x: Values, axes: number[], keepDims: boolean): Values {
  const v = x.dtype === 'bool' ? castValues(x, 'float32') : x;
  const m = reduceValues('max', v, axes, true);
  const e = unaryValues('exp', binaryValues('sub', v, m, 'logSumExp'));
  const s = reduceValues('sum', e, axes, true);
  const r = binaryValues('add', m, unaryValues('log', s), 'logSumExp');
  return { ...r, shape: reducedShape(x.shape, axes, keepDims) };
}

/** log(Σ exp(x)) over `axis` (default: all) as float32, stable for large x. */
export function logSumExp(x: TensorLike, axis: Axis = null, keepDims = false): Tensor {
  return withArgs('logSumExp', (args) => {
    const t = args.get(x, 'x');
    return toTensorOf(logSumExpValues(valuesOf(t), parseAxes(axis, t.rank, 'logSumExp'), keepDimsArg(keepDims, 'logSumExp')));
  });
}

/** Mean and variance over `axis` (default: all), both float32, as TF.js: variance = mean((x − mean)²). */
export function moments(x: TensorLike, axis: Axis = null, keepDims = false): { mean: Tensor; variance: Tensor } {
  return withArgs('moments', (args) => {
    const t = args.get(x, 'x');
    const axes = parseAxes(axis, t.rank, 'moments');
    const kd = keepDimsArg(keepDims, 'moments');
    const f = castValues(valuesOf(t), 'float32');
    const m = meanValues(f, axes, true);
    const d = binaryValues('squaredDifference', f, m, 'moments');
    const variance = meanValues(d, axes, kd);
    const meanOut = { ...m, shape: reducedShape(t.shape, axes, kd) };
    return { mean: toTensorOf(meanOut), variance: toTensorOf(variance) };
  });
}

