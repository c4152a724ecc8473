// Float64 references for assembly/elementwise.ts: same names and argument order as the kernels,
// typed arrays in place of pointers, outputs mutated in place. Op codes are src/wasm/abi.ts's.
import { BINARY_OPS, REDUCE_OPS, UNARY_OPS } from '../../src/wasm/abi.ts';

/** Half to even, as wasm's f32x4.nearest and TF.js's round. */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

const UNARY: Record<number, (x: number) => number> = {
  [UNARY_OPS.neg]: (x) => -x,
  [UNARY_OPS.abs]: Math.abs,
  [UNARY_OPS.sqrt]: Math.sqrt,
  [UNARY_OPS.square]: (x) => x * x,
  [UNARY_OPS.exp]: Math.exp,
  [UNARY_OPS.log]: Math.log,
  [UNARY_OPS.reciprocal]: (x) => 1 / x,
  [UNARY_OPS.floor]: Math.floor,
  [UNARY_OPS.ceil]: Math.ceil,
  [UNARY_OPS.round]: roundHalfEven,
};

export function unary_f32(y: Float64Array, x: Float64Array, n: number, op: number): void {
  const f = UNARY[op];
  if (!f) return;
  for (let i = 0; i < n; i++) y[i] = f(x[i]);
}

export function clip_f32(y: Float64Array, x: Float64Array, n: number, lo: number, hi: number): void {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    y[i] = v < lo ? lo : v > hi ? hi : v;
  }
}

const BINARY: Record<number, (a: number, b: number) => number> = {
  [BINARY_OPS.add]: (a, b) => a + b,
  [BINARY_OPS.sub]: (a, b) => a - b,
  [BINARY_OPS.mul]: (a, b) => a * b,
  [BINARY_OPS.div]: (a, b) => a / b,
  [BINARY_OPS.maximum]: Math.max,
  [BINARY_OPS.minimum]: Math.min,
  [BINARY_OPS.squaredDifference]: (a, b) => (a - b) * (a - b),
};

export function binary_f32(
  y: Float64Array, a: Float64Array, b: Float64Array,
  rows: number, cols: number, aRow: number, bRow: number, aCol: number, bCol: number, op: number,
): void {
  const f = BINARY[op];
  if (!f) return;
  const as = aCol ? 1 : 0;
  const bs = bCol ? 1 : 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) y[r * cols + c] = f(a[r * aRow + c * as], b[r * bRow + c * bs]);
  }
}

export function reduce_f32(y: Float64Array, x: Float64Array, outer: number, mid: number, inner: number, op: number): void {
  if (op !== REDUCE_OPS.sum && op !== REDUCE_OPS.max && op !== REDUCE_OPS.min) return;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let acc = op === REDUCE_OPS.sum ? 0 : op === REDUCE_OPS.max ? -Infinity : Infinity;
      for (let m = 0; m < mid; m++) {
        const v = x[(o * mid + m) * inner + i];
        if (op === REDUCE_OPS.sum) acc += v;
        else if (Number.isNaN(v) || Number.isNaN(acc)) acc = NaN;
        else acc = op === REDUCE_OPS.max ? Math.max(acc, v) : Math.min(acc, v);
      }
      y[o * inner + i] = acc;
    }
  }
}
