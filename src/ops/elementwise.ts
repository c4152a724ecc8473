/**
 * Elementwise ops with TF.js's names, dtypes and numpy broadcasting: arithmetic, unary math,
 * comparisons, logic, `where`, `addN`.
 *
 * Host tensors live in JS memory. A float32 op on a large tensor copies its inputs into arena
 * scratch, runs a SIMD kernel (assembly/elementwise.ts, activation.ts) and copies the result
 * out; below `wasmThresholds` (where the two copies cost more than the kernel saves) and
 * before `init()` it runs in JS. Both paths compute what TF.js's cpu backend computes: each
 * value correctly rounded to float32 (exp, log, sigmoid and tanh within ~2 ulp in wasm).
 *
 * The `…Values` functions work on plain value arrays (`Values`) so that composite ops
 * (reduce.ts, linalg.ts) build on them without making intermediate Tensors.
 */
import { Tensor, describe, shapeSize, toTensor, type DType, type TensorLike, type TypedArrayFor } from '../tensor.ts';
import { backendOrNull, type Backend } from '../wasm/loader.ts';
import { BINARY_OPS, UNARY_OPS, type KernelNameOfArity } from '../wasm/abi.ts';
import { alignUp } from '../memory/arena.ts';

export type AnyArray = Float32Array | Int32Array | Uint8Array;
/** A tensor's content without the Tensor object: what the ops compute on. */
export interface Values {
  values: AnyArray;
  shape: readonly number[];
  dtype: DType;
}

// ------------------------------------------------------------------------------ the wasm path

/**
 * Element counts (matMul: multiply-adds m·n·k) from which float32 ops run in wasm, copies
 * included. Measured on the project's 2-vCPU Xeon (Node 20), JS vs wasm per call: add of 256
 * values 3.5 vs 3.8 µs, of 1024 8.0 vs 5.2 µs, of 16384 87 vs 20 µs; exp of 256 8.1 vs 3.8 µs;
 * sum of 1024 6.8 vs 4.8 µs; matMul 8×8×8 7.5 vs 4.7 µs, 4×4×4 equal. Mutable so that tests
 * can force either path.
 */
export const wasmThresholds = {
  /** add, sub, mul, div, maximum, minimum, squaredDifference, neg, abs, square, relu, clip… */
  elementwise: 1024,
  /** exp, log, sqrt, sigmoid, tanh: JS pays a Math call per element. */
  transcendental: 256,
  /** sum, max, min, mean. */
  reduce: 1024,
  /** matMul, per product m·n·k. */
  matMul: 512,
};

interface ScratchBlock {
  backend: Backend;
  ptr: number;
  bytes: number;
}
let scratchBlock: ScratchBlock | null = null;

/**
 * `bytes` of arena scratch, kept from one op to the next and grown (never shrunk) as needed;
 * null when no backend is loaded or memory cannot grow (the op then runs in JS). Growing frees
 * the old block and allocates a larger one: model blocks are never moved or freed.
 */
export function scratch(b: Backend, bytes: number): number | null {
  const s = scratchBlock;
  const mine = s !== null && s.backend === b;
  if (mine && s.bytes >= bytes) return s.ptr;
  const want = Math.max(alignUp(bytes, 65536), mine ? alignUp(s.bytes * 1.5, 65536) : 0);
  try {
    if (mine) {
      scratchBlock = null;
      b.arena.free(s.ptr, s.bytes);
    }
    scratchBlock = { backend: b, ptr: b.arena.alloc(want), bytes: want };
    return scratchBlock.ptr;
  } catch (e) {
    if (e instanceof RangeError) return null;
    throw e;
  }
}

/** Gives the ops' scratch block back to the arena (tests that count arena bytes; a later op allocates again). */
export function releaseScratch(): void {
  const s = scratchBlock;
  scratchBlock = null;
  if (s && backendOrNull() === s.backend) s.backend.arena.free(s.ptr, s.bytes);
}

/** Byte offsets of consecutive float arrays of the given lengths, each 16-byte aligned; the last entry is the total. */
export function layout(...counts: number[]): number[] {
  const at = [0];
  for (const n of counts) at.push(at[at.length - 1] + alignUp(n * 4));
  return at;
}

/**
 * Scratch for consecutive float arrays of the given lengths, laid out by `layout`: their byte
 * addresses, or null without scratch (the op then runs in JS).
 */
export function scratchArrays(b: Backend, ...counts: number[]): number[] | null {
  const at = layout(...counts);
  const base = scratch(b, at[counts.length]);
  return base === null ? null : at.slice(0, counts.length).map((o) => base + o);
}

/** n floats at `ptr` copied into a new JS array (new + set: cheaper than slice in V8 for large arrays). */
export function copyOut(b: Backend, ptr: number, n: number): Float32Array {
  const out = new Float32Array(n);
  out.set(b.arena.f32.subarray(ptr >>> 2, (ptr >>> 2) + n));
  return out;
}

/** The backend when a float32 op of this size should run in wasm, else null. */
export function wasmFor(size: number, threshold: number): Backend | null {
  if (size < threshold) return null;
  return backendOrNull();
}

// ------------------------------------------------------------------------------ shapes, dtypes

/** TF.js's upcast: float32 wins, then int32, then bool. */
export function upcastType(a: DType, b: DType): DType {
  if (a === 'float32' || b === 'float32') return 'float32';
  if (a === 'int32' || b === 'int32') return 'int32';
  return 'bool';
}

export function makeArray(dtype: DType, n: number): AnyArray {
  return dtype === 'float32' ? new Float32Array(n) : dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n);
}

/** Values as another dtype (a copy; the same array when the dtype is already right). bool: non-zero is 1. */
export function castValues(v: Values, dtype: DType): Values {
  if (v.dtype === dtype) return v;
  let values: AnyArray;
  if (dtype === 'float32') values = Float32Array.from(v.values);
  else if (dtype === 'int32') values = v.dtype === 'float32' ? Int32Array.from(v.values, Math.trunc) : Int32Array.from(v.values);
  else values = Uint8Array.from(v.values, (x) => (x !== 0 ? 1 : 0));
  return { values, shape: v.shape, dtype };
}

/**
 * The values an arithmetic op produced into a Uint8Array for a bool result, as 0/1: TF.js
 * stores them as bytes (2 for true + true, 0 for 1/0 = Infinity); non-zero bytes read as true.
 */
function normalizeBool(u: Uint8Array): Uint8Array {
  for (let i = 0; i < u.length; i++) if (u[i] > 1) u[i] = 1;
  return u;
}

/** numpy / TF.js broadcasting: dimensions compared from the last, equal or one of them 1. */
export function broadcastShapes(a: readonly number[], b: readonly number[], who: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const x = a[a.length - 1 - i] ?? 1;
    const y = b[b.length - 1 - i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new Error(`${who}: shapes [${a.join(', ')}] and [${b.join(', ')}] cannot be broadcast together (dimension ${x} vs ${y})`);
    }
    out[n - 1 - i] = x === 1 ? y : x;
  }
  return out;
}

/** Element strides of `shape` laid over `out` (right-aligned): 0 where the dimension is broadcast. */
export function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const s = new Array<number>(out.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const j = out.length - shape.length + i;
    s[j] = shape[i] === 1 ? 0 : stride;
    stride *= shape[i];
  }
  return s;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** For each element of `out`, the index of the element of an array of `shape` broadcast to it. */
export function broadcastIndex(shape: readonly number[], out: readonly number[]): Int32Array {
  const n = shapeSize(out);
  const idx = new Int32Array(n);
  const st = broadcastStrides(shape, out);
  const rank = out.length;
  if (rank === 0 || n === 0) return idx;
  const inner = out[rank - 1];
  const sIn = st[rank - 1];
  const pos = new Array<number>(rank).fill(0);
  let base = 0;
  for (let i = 0; i < n; i += inner) {
    for (let j = 0; j < inner; j++) idx[i + j] = base + j * sIn;
    // Odometer over the outer dimensions.
    for (let d = rank - 2; d >= 0; d--) {
      pos[d]++;
      base += st[d];
      if (pos[d] < out[d]) break;
      base -= st[d] * out[d];
      pos[d] = 0;
    }
  }
  return idx;
}

// ------------------------------------------------------------------------------ arguments

/** Tensors converted from plain values inside an op, disposed when it returns. */
class Args {
  private made: Tensor[] = [];
  constructor(readonly who: string) {}
  /** A Tensor argument as is, anything else converted (as TF.js: numbers float32, booleans bool). */
  get(x: TensorLike, name: string, dtype?: DType): Tensor {
    const t = toTensor(x, `${this.who}: ${name}`, x instanceof Tensor ? undefined : dtype);
    if (t !== x) this.made.push(t);
    return t;
  }
  /** An argument that must hold `dtype` (TF.js: "must be float32 tensor"); plain values are converted to it. */
  typed(x: TensorLike, name: string, dtype: DType): Tensor {
    const t = this.get(x, name, dtype);
    if (t.dtype !== dtype) throw new TypeError(`${this.who}: ${name} must be a ${dtype} tensor, got ${t.dtype}`);
    return t;
  }
  dispose(): void {
    for (const t of this.made) t.dispose();
    this.made = [];
  }
}

/** Runs an op body with its argument conversions disposed afterwards, whatever happens. */
export function withArgs<T>(who: string, body: (args: Args) => T): T {
  const args = new Args(who);
  try {
    return body(args);
  } finally {
    args.dispose();
  }
}

export const valuesOf = (t: Tensor): Values => ({ values: t.values, shape: t.shape, dtype: t.dtype });
export const toTensorOf = (v: Values): Tensor => new Tensor(v.values as TypedArrayFor<DType>, v.shape, v.dtype);

// ------------------------------------------------------------------------------ binary ops

type BinaryName =
  | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'minimum' | 'maximum' | 'squaredDifference' | 'mod' | 'floorDiv'
  | 'equal' | 'notEqual' | 'greater' | 'greaterEqual' | 'less' | 'lessEqual'
  | 'logicalAnd' | 'logicalOr' | 'logicalXor';

/** TF.js's mod: the remainder takes the sign of the divisor. */
function modOf(a: number, b: number): number {
  const r = a % b;
  return (a < 0 && b < 0) || (a >= 0 && b >= 0) ? r : (r + b) % b;
}

const BINARY_FN: Record<BinaryName, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  minimum: Math.min,
  maximum: Math.max,
  squaredDifference: (a, b) => (a - b) * (a - b),
  mod: modOf,
  floorDiv: (a, b) => Math.floor(a / b),
  equal: (a, b) => (a === b ? 1 : 0),
  notEqual: (a, b) => (a !== b ? 1 : 0),
  greater: (a, b) => (a > b ? 1 : 0),
  greaterEqual: (a, b) => (a >= b ? 1 : 0),
  less: (a, b) => (a < b ? 1 : 0),
  lessEqual: (a, b) => (a <= b ? 1 : 0),
  logicalAnd: (a, b) => (a && b ? 1 : 0),
  logicalOr: (a, b) => (a || b ? 1 : 0),
  logicalXor: (a, b) => ((a ? 1 : 0) !== (b ? 1 : 0) ? 1 : 0),
};

const COMPARISONS = new Set<BinaryName>(['equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual', 'logicalAnd', 'logicalOr', 'logicalXor']);

/** The result dtype of a binary op on operands upcast to `dt` (as TF.js's cpu backend gives it). */
function binaryOutType(op: BinaryName, dt: DType): DType {
  if (COMPARISONS.has(op)) return 'bool';
  if (op === 'floorDiv') return 'int32';
  if ((op === 'minimum' || op === 'maximum') && dt === 'bool') return 'int32';
  return dt;
}

/** Same-shape and scalar loops for the common float ops, monomorphic so V8 compiles them tight. */
function fastFloatLoop(op: BinaryName, out: Float32Array, a: Float32Array, b: Float32Array): boolean {
  const n = out.length;
  const as = a.length === 1 && n !== 1;
  const bs = b.length === 1 && n !== 1;
  if (as && bs) return false;
  if (!as && !bs) {
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) out[i] = a[i] + b[i]; return true;
      case 'sub': for (let i = 0; i < n; i++) out[i] = a[i] - b[i]; return true;
      case 'mul': for (let i = 0; i < n; i++) out[i] = a[i] * b[i]; return true;
      case 'div': for (let i = 0; i < n; i++) out[i] = a[i] / b[i]; return true;
      default: return false;
    }
  }
  if (bs) {
    const s = b[0];
    switch (op) {
      case 'add': for (let i = 0; i < n; i++) out[i] = a[i] + s; return true;
      case 'sub': for (let i = 0; i < n; i++) out[i] = a[i] - s; return true;
      case 'mul': for (let i = 0; i < n; i++) out[i] = a[i] * s; return true;
      case 'div': for (let i = 0; i < n; i++) out[i] = a[i] / s; return true;
      default: return false;
    }
  }
  const s = a[0];
  switch (op) {
    case 'add': for (let i = 0; i < n; i++) out[i] = s + b[i]; return true;
    case 'sub': for (let i = 0; i < n; i++) out[i] = s - b[i]; return true;
    case 'mul': for (let i = 0; i < n; i++) out[i] = s * b[i]; return true;
    case 'div': for (let i = 0; i < n; i++) out[i] = s / b[i]; return true;
    default: return false;
  }
}

/** Dimensions of the output with each operand's strides, size-1 dimensions dropped and mergeable neighbours merged. */
function collapse(out: readonly number[], sa: number[], sb: number[]): { dims: number[]; sa: number[]; sb: number[] } {
  const dims: number[] = [];
  const ra: number[] = [];
  const rb: number[] = [];
  for (let i = 0; i < out.length; i++) {
    if (out[i] === 1) continue;
    const k = dims.length - 1;
    // Dimension i continues the previous one when, for both operands, walking it then the
    // previous is one arithmetic run (stride_prev = stride_i · dim_i) or both stay put.
    const cont = (prev: number, cur: number) => (prev === 0 && cur === 0) || (cur !== 0 && prev === cur * out[i]);
    if (k >= 0 && cont(ra[k], sa[i]) && cont(rb[k], sb[i])) {
      dims[k] *= out[i];
      ra[k] = sa[i];
      rb[k] = sb[i];
    } else {
      dims.push(out[i]);
      ra.push(sa[i]);
      rb.push(sb[i]);
    }
  }
  return { dims, sa: ra, sb: rb };
}

/**
 * The wasm path of a float32 binary op: inputs copied into scratch, binary_f32 over the last two
 * collapsed dimensions, a JS loop over the others. Null when the layout would need too many
 * kernel calls for their size (the JS path is faster then) or no scratch is available.
 */
function binaryWasm(b: Backend, code: number, av: Float32Array, ashape: readonly number[], bv: Float32Array, bshape: readonly number[], oshape: number[]): Float32Array | null {
  const n = shapeSize(oshape);
  const c = collapse(oshape, broadcastStrides(ashape, oshape), broadcastStrides(bshape, oshape));
  const k = c.dims.length;
  const cols = k >= 1 ? c.dims[k - 1] : 1;
  const rows = k >= 2 ? c.dims[k - 2] : 1;
  const calls = n / (rows * cols);
  if (calls > 1 && rows * cols < 256) return null;
  const ptrs = scratchArrays(b, av.length, bv.length, n);
  if (ptrs === null) return null;
  const [pa, pb, py] = ptrs;
  const f32 = b.arena.f32;
  f32.set(av, pa >>> 2);
  f32.set(bv, pb >>> 2);
  const aCol = k >= 1 ? c.sa[k - 1] : 0;
  const bCol = k >= 1 ? c.sb[k - 1] : 0;
  const aRow = k >= 2 ? c.sa[k - 2] : 0;
  const bRow = k >= 2 ? c.sb[k - 2] : 0;
  const outer = c.dims.slice(0, Math.max(0, k - 2));
  const pos = new Array<number>(outer.length).fill(0);
  let offA = 0;
  let offB = 0;
  for (let call = 0, offY = 0; call < calls; call++, offY += rows * cols) {
    b.kernels.binary_f32(py + offY * 4, pa + offA * 4, pb + offB * 4, rows, cols, aRow, bRow, aCol, bCol, code);
    for (let d = outer.length - 1; d >= 0; d--) {
      pos[d]++;
      offA += c.sa[d];
      offB += c.sb[d];
      if (pos[d] < outer[d]) break;
      offA -= c.sa[d] * outer[d];
      offB -= c.sb[d] * outer[d];
      pos[d] = 0;
    }
  }
  return copyOut(b, py, n);
}

/** A binary op on values with broadcasting; `who` names the op in errors. */
export function binaryValues(op: BinaryName, a: Values, b: Values, who: string = op): Values {
  const shape = broadcastShapes(a.shape, b.shape, who);
  let dt = upcastType(a.dtype, b.dtype);
  if (op.startsWith('logical')) dt = 'bool';
  const outType = binaryOutType(op, dt);
  const av = castValues(a, dt).values;
  const bv = castValues(b, dt).values;
  const n = shapeSize(shape);
  if (dt === 'float32' && outType === 'float32' && hasKey(BINARY_OPS, op)) {
    const back = wasmFor(n, wasmThresholds.elementwise);
    if (back) {
      const r = binaryWasm(back, BINARY_OPS[op], av as Float32Array, a.shape, bv as Float32Array, b.shape, shape);
      if (r) return { values: r, shape, dtype: 'float32' };
    }
  }
  const out = makeArray(outType, n);
  const plain = (len: number) => len === n || len === 1; // no index map needed
  if (outType === 'float32' && dt === 'float32' && plain(av.length) && plain(bv.length) && fastFloatLoop(op, out as Float32Array, av as Float32Array, bv as Float32Array)) {
    return { values: out, shape, dtype: outType };
  }
  const f = BINARY_FN[op];
  if (sameShape(a.shape, shape) && sameShape(b.shape, shape)) {
    for (let i = 0; i < n; i++) out[i] = f(av[i], bv[i]);
  } else if (b.values.length === 1) {
    const s = bv[0];
    const ia = sameShape(a.shape, shape) ? null : broadcastIndex(a.shape, shape);
    for (let i = 0; i < n; i++) out[i] = f(av[ia ? ia[i] : i], s);
  } else {
    const ia = sameShape(a.shape, shape) ? null : broadcastIndex(a.shape, shape);
    const ib = sameShape(b.shape, shape) ? null : broadcastIndex(b.shape, shape);
    for (let i = 0; i < n; i++) out[i] = f(av[ia ? ia[i] : i], bv[ib ? ib[i] : i]);
  }
  if (outType === 'bool' && !COMPARISONS.has(op)) normalizeBool(out as Uint8Array);
  return { values: out, shape, dtype: outType };
}

const hasKey = <T extends object>(o: T, k: PropertyKey): k is keyof T => Object.prototype.hasOwnProperty.call(o, k);

function binary(op: BinaryName, a: TensorLike, b: TensorLike, names: [string, string] = ['a', 'b']): Tensor {
  return withArgs(op, (args) => {
    const logical = op.startsWith('logical');
    const ta = logical ? args.typed(a, names[0], 'bool') : args.get(a, names[0]);
    const tb = logical ? args.typed(b, names[1], 'bool') : args.get(b, names[1]);
    let o = op;
    // TF.js: div of two int32 tensors is floorDiv.
    if (op === 'div' && upcastType(ta.dtype, tb.dtype) === 'int32') o = 'floorDiv';
    return toTensorOf(binaryValues(o, valuesOf(ta), valuesOf(tb), op));
  });
}

/** a + b, broadcast. int32 + float32 gives float32 (TF.js upcasts); bool + bool stays bool. */
export const add = (a: TensorLike, b: TensorLike): Tensor => binary('add', a, b);
/** a − b, broadcast. */
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary('sub', a, b);
/** a · b, broadcast. */
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary('mul', a, b);
/** a / b, broadcast; two int32 operands give int32 floor division, as in TF.js. */
export const div = (a: TensorLike, b: TensorLike): Tensor => binary('div', a, b);
/** base^exp, broadcast (int32 results truncated, as TF.js stores them). */
export const pow = (base: TensorLike, exp: TensorLike): Tensor => binary('pow', base, exp, ['base', 'exp']);
/** Elementwise minimum, broadcast; NaN if either is NaN. */
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary('minimum', a, b);
/** Elementwise maximum, broadcast; NaN if either is NaN. */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary('maximum', a, b);
/** (a − b)², broadcast. */
export const squaredDifference = (a: TensorLike, b: TensorLike): Tensor => binary('squaredDifference', a, b);
/** a mod b with the sign of b (TF.js's floor mod), broadcast. */
export const mod = (a: TensorLike, b: TensorLike): Tensor => binary('mod', a, b);
/** floor(a / b) as int32 (TF.js's result dtype whatever the inputs), broadcast. */
export const floorDiv = (a: TensorLike, b: TensorLike): Tensor => binary('floorDiv', a, b);

/** a == b → bool, broadcast (operands upcast first, as TF.js). */
export const equal = (a: TensorLike, b: TensorLike): Tensor => binary('equal', a, b);
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => binary('notEqual', a, b);
export const greater = (a: TensorLike, b: TensorLike): Tensor => binary('greater', a, b);
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => binary('greaterEqual', a, b);
export const less = (a: TensorLike, b: TensorLike): Tensor => binary('less', a, b);
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => binary('lessEqual', a, b);

/** Logical ops take bool tensors only (plain values are converted to bool), as TF.js. */
export const logicalAnd = (a: TensorLike, b: TensorLike): Tensor => binary('logicalAnd', a, b);
export const logicalOr = (a: TensorLike, b: TensorLike): Tensor => binary('logicalOr', a, b);
export const logicalXor = (a: TensorLike, b: TensorLike): Tensor => binary('logicalXor', a, b);

// ------------------------------------------------------------------------------ unary ops

type UnaryName =
  | 'neg' | 'abs' | 'sqrt' | 'square' | 'exp' | 'log' | 'sigmoid' | 'relu' | 'tanh'
  | 'round' | 'floor' | 'ceil' | 'sign' | 'reciprocal' | 'logicalNot';

/** TF.js's round: half to even. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return Math.ceil(x);
  return f % 2 === 0 ? f : f + 1;
}

const UNARY_FN: Record<UnaryName, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  sqrt: Math.sqrt,
  square: (x) => x * x,
  exp: Math.exp,
  log: Math.log,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  relu: (x) => Math.max(0, x),
  tanh: Math.tanh,
  round: roundHalfEven,
  floor: Math.floor,
  ceil: Math.ceil,
  sign: (x) => (x < 0 ? -1 : x > 0 ? 1 : 0),
  reciprocal: (x) => 1 / x,
  logicalNot: (x) => (x ? 0 : 1),
};

/** What each op accepts (TF.js: "must be float32 tensor") and returns. */
const UNARY_INPUT: Partial<Record<UnaryName, DType>> = {
  sqrt: 'float32', log: 'float32', sigmoid: 'float32', tanh: 'float32', floor: 'float32', ceil: 'float32', logicalNot: 'bool',
};
const TRANSCENDENTAL = new Set<UnaryName>(['exp', 'log', 'sqrt', 'sigmoid', 'tanh']);
/** Unary ops with their own kernels in activation.ts (NaN and ±0 as TF.js up to the sign of zero). */
const ACTIVATION_KERNEL: Partial<Record<UnaryName, KernelNameOfArity<3>>> = {
  sigmoid: 'sigmoid_forward_f32',
  tanh: 'tanh_forward_f32',
  relu: 'relu_forward_f32',
};

/** Runs `kernel(ptr, n)` in place over a copy of x in scratch; null without scratch. */
function inPlaceWasm(b: Backend, x: Float32Array, kernel: (p: number, n: number) => void): Float32Array | null {
  const n = x.length;
  const p = scratch(b, n * 4);
  if (p === null) return null;
  b.arena.f32.set(x, p >>> 2);
  kernel(p, n);
  return copyOut(b, p, n);
}

/** Float loops for the common unary ops, one per op so that V8 inlines the math. */
function fastUnaryLoop(op: UnaryName, out: Float32Array, x: Float32Array): boolean {
  const n = x.length;
  switch (op) {
    case 'neg': for (let i = 0; i < n; i++) out[i] = -x[i]; return true;
    case 'abs': for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]); return true;
    case 'square': for (let i = 0; i < n; i++) out[i] = x[i] * x[i]; return true;
    case 'sqrt': for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]); return true;
    case 'exp': for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]); return true;
    case 'log': for (let i = 0; i < n; i++) out[i] = Math.log(x[i]); return true;
    case 'relu': for (let i = 0; i < n; i++) out[i] = Math.max(0, x[i]); return true;
    case 'sigmoid': for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-x[i])); return true;
    case 'tanh': for (let i = 0; i < n; i++) out[i] = Math.tanh(x[i]); return true;
    case 'reciprocal': for (let i = 0; i < n; i++) out[i] = 1 / x[i]; return true;
    default: return false;
  }
}

export function unaryValues(op: UnaryName, x: Values): Values {
  const outType: DType = op === 'exp' ? 'float32' : x.dtype;
  const src = op === 'exp' ? castValues(x, 'float32').values : x.values;
  const n = src.length;
  if (outType === 'float32' && op !== 'sign') {
    const back = wasmFor(n, TRANSCENDENTAL.has(op) ? wasmThresholds.transcendental : wasmThresholds.elementwise);
    const act = ACTIVATION_KERNEL[op];
    const code = hasKey(UNARY_OPS, op) ? UNARY_OPS[op] : undefined;
    if (back && (act || code !== undefined)) {
      const k = back.kernels;
      const r = inPlaceWasm(back, src as Float32Array, (p, m) => (act ? k[act](p, p, m) : k.unary_f32(p, p, m, code!)));
      if (r) return { values: r, shape: x.shape, dtype: outType };
    }
  }
  const out = makeArray(outType, n);
  if (outType === 'float32' && x.dtype === 'float32' && fastUnaryLoop(op, out as Float32Array, src as Float32Array)) {
    return { values: out, shape: x.shape, dtype: outType };
  }
  const f = UNARY_FN[op];
  for (let i = 0; i < n; i++) out[i] = f(src[i]);
  if (outType === 'bool' && op !== 'logicalNot') normalizeBool(out as Uint8Array);
  return { values: out, shape: x.shape, dtype: outType };
}

function unary(op: UnaryName, x: TensorLike): Tensor {
  return withArgs(op, (args) => {
    const need = UNARY_INPUT[op];
    const t = need ? args.typed(x, 'x', need) : args.get(x, 'x');
    return toTensorOf(unaryValues(op, valuesOf(t)));
  });
}

/** −x (same dtype). */
export const neg = (x: TensorLike): Tensor => unary('neg', x);
/** |x| (same dtype). */
export const abs = (x: TensorLike): Tensor => unary('abs', x);
/** √x; float32 only, as TF.js. */
export const sqrt = (x: TensorLike): Tensor => unary('sqrt', x);
/** x² (same dtype). */
export const square = (x: TensorLike): Tensor => unary('square', x);
/** eˣ as float32 (int32 and bool inputs too). */
export const exp = (x: TensorLike): Tensor => unary('exp', x);
/** ln x; float32 only. */
export const log = (x: TensorLike): Tensor => unary('log', x);
/** 1 / (1 + e⁻ˣ); float32 only. */
export const sigmoid = (x: TensorLike): Tensor => unary('sigmoid', x);
/** max(x, 0) (same dtype; NaN stays NaN). */
export const relu = (x: TensorLike): Tensor => unary('relu', x);
/** tanh x; float32 only. */
export const tanh = (x: TensorLike): Tensor => unary('tanh', x);
/** Round half to even (TF.js's banker's rounding); same dtype. */
export const round = (x: TensorLike): Tensor => unary('round', x);
/** ⌊x⌋; float32 only. */
export const floor = (x: TensorLike): Tensor => unary('floor', x);
/** ⌈x⌉; float32 only. */
export const ceil = (x: TensorLike): Tensor => unary('ceil', x);
/** −1, 0 or 1 (0 for NaN, as TF.js); same dtype. */
export const sign = (x: TensorLike): Tensor => unary('sign', x);
/** 1 / x (same dtype: int32 results truncated, as TF.js stores them). */
export const reciprocal = (x: TensorLike): Tensor => unary('reciprocal', x);
/** ¬x; bool only. */
export const logicalNot = (x: TensorLike): Tensor => unary('logicalNot', x);

/** A number argument that may be ±Infinity but not NaN (clip bounds). */
function checkBound(v: unknown, what: string): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${what}: expected a number, got ${describe(v)}`);
  return v;
}

/** x clamped to [clipValueMin, clipValueMax] (same dtype; NaN passes through). */
export function clipByValue(x: TensorLike, clipValueMin: number, clipValueMax: number): Tensor {
  return withArgs('clipByValue', (args) => {
    const t = args.get(x, 'x');
    const lo = checkBound(clipValueMin, 'clipByValue: clipValueMin');
    const hi = checkBound(clipValueMax, 'clipByValue: clipValueMax');
    if (!(lo <= hi)) throw new RangeError(`clipByValue: clipValueMin (${lo}) must be <= clipValueMax (${hi})`);
    const n = t.size;
    const src = t.values;
    // TF.js fills with the bound when the two are equal (NaN included).
    if (lo === hi) return new Tensor(makeArray(t.dtype, n).fill(lo) as TypedArrayFor<DType>, t.shape, t.dtype);
    if (t.dtype === 'float32') {
      const back = wasmFor(n, wasmThresholds.elementwise);
      if (back) {
        const k = back.kernels;
        const r = inPlaceWasm(back, src as Float32Array, (p, m) => k.clip_f32(p, p, m, lo, hi));
        if (r) return new Tensor(r, t.shape, 'float32');
      }
    }
    const out = makeArray(t.dtype, n);
    for (let i = 0; i < n; i++) {
      const v = src[i];
      out[i] = v > hi ? hi : v < lo ? lo : v;
    }
    if (t.dtype === 'bool') normalizeBool(out as Uint8Array);
    return new Tensor(out as TypedArrayFor<DType>, t.shape, t.dtype);
  });
}

// ------------------------------------------------------------------------------ where, addN

/**
 * condition ? a : b, elementwise with the three shapes broadcast together; condition must be
 * bool, the result has a and b's upcast dtype (TF.js).
 */
export function where(condition: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  return withArgs('where', (args) => {
    const ta = args.get(a, 'a');
    const tb = args.get(b, 'b');
    const tc = args.typed(condition, 'condition', 'bool');
    const shape = broadcastShapes(broadcastShapes(tc.shape, ta.shape, 'where'), tb.shape, 'where');
    const dt = upcastType(ta.dtype, tb.dtype);
    const av = castValues(valuesOf(ta), dt).values;
    const bv = castValues(valuesOf(tb), dt).values;
    const cv = tc.values;
    const ic = broadcastIndex(tc.shape, shape);
    const ia = broadcastIndex(ta.shape, shape);
    const ib = broadcastIndex(tb.shape, shape);
    const out = makeArray(dt, shapeSize(shape));
    for (let i = 0; i < out.length; i++) out[i] = cv[ic[i]] ? av[ia[i]] : bv[ib[i]];
    return new Tensor(out as TypedArrayFor<DType>, shape, dt);
  });
}

/** Σ of tensors of one shape and dtype (no broadcasting, as TF.js), added left to right. */
export function addN(tensors: TensorLike[]): Tensor {
  return withArgs('addN', (args) => {
    if (!Array.isArray(tensors)) throw new TypeError(`addN: expected a list of tensors, got ${describe(tensors)}`);
    if (tensors.length < 1) throw new Error('addN: expected at least one tensor, got an empty list');
    const ts = tensors.map((t, i) => args.get(t, `tensors[${i}]`));
    const first = ts[0];
    ts.forEach((t, i) => {
      if (t.dtype !== first.dtype) throw new TypeError(`addN: every tensor must have the dtype of tensors[0] (${first.dtype}), tensors[${i}] is ${t.dtype}`);
      if (!sameShape(t.shape, first.shape)) throw new Error(`addN: every tensor must have the shape of tensors[0] [${first.shape.join(', ')}], tensors[${i}] is [${t.shape.join(', ')}]`);
    });
    const n = first.size;
    if (first.dtype === 'float32' && ts.length > 1) {
      const back = wasmFor(n, wasmThresholds.elementwise);
      const ptrs = back ? scratchArrays(back, n, n) : null;
      if (back && ptrs !== null) {
        const [py, px] = ptrs;
        back.arena.f32.set(first.values, py >>> 2);
        for (let i = 1; i < ts.length; i++) {
          back.arena.f32.set(ts[i].values, px >>> 2);
          back.kernels.binary_f32(py, py, px, 1, n, 0, 0, 1, 1, BINARY_OPS.add);
        }
        return new Tensor(copyOut(back, py, n), first.shape, 'float32');
      }
    }
    const out = makeArray(first.dtype, n);
    for (const t of ts) {
      const v = t.values;
      for (let i = 0; i < n; i++) out[i] += v[i];
    }
    if (first.dtype === 'bool') normalizeBool(out as Uint8Array);
    return new Tensor(out as TypedArrayFor<DType>, first.shape, first.dtype);
  });
}
