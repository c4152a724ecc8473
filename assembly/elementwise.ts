// Elementwise math and reductions for the tensor ops (src/ops/): one kernel per shape of loop,
// the operation chosen by a code (the numbers of UNARY_OPS, BINARY_OPS and REDUCE_OPS in
// src/wasm/abi.ts; the kernel tests check each code against its reference). Each kernel
// switches on the code once, outside the loops: every case inlines its own loop with the
// operation constant, so the loops hold no branch. Tails run lane 0 of the same vector code on
// a splat, so they round exactly like the lanes.
//
// Results follow IEEE float32 as TF.js's cpu backend computes them (each op correctly rounded,
// NaN propagating), except exp and log, which are the ≈2-ulp routines of simd.ts extended to
// the full range: exp overflows to +Inf and gives subnormals below −87, log gives −Inf at 0,
// NaN below, +Inf at +Inf, and handles subnormal inputs.
import { exp4, log4 } from './simd';

// Unary codes (src/wasm/abi.ts UNARY_OPS).
const NEG = 0;
const ABS = 1;
const SQRT = 2;
const SQUARE = 3;
const EXP = 4;
const LOG = 5;
const RECIPROCAL = 6;
const FLOOR = 7;
const CEIL = 8;
const ROUND = 9;

// Binary codes (src/wasm/abi.ts BINARY_OPS).
const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
const MAX = 4;
const MIN = 5;
const SQDIFF = 6;

// Reduction codes (src/wasm/abi.ts REDUCE_OPS).
const R_SUM = 0;
const R_MAX = 1;
const R_MIN = 2;

/** exp4 flushes below this and saturates above EXP_HI (see simd.ts). */
const EXP_LO: f32 = -86.98;
const EXP_HI: f32 = 88.72283172607422;
/** 32·ln 2 rounded to f32: shifting by it keeps exp4's result normal; 2^−32 scales it back. */
const SHIFT: f32 = 22.18070977791825;
const TWO_M32: f32 = 2.3283064365386963e-10;
/** Smallest normal float32; subnormal inputs of log are scaled up by 2^24 first. */
const FLT_MIN: f32 = 1.1754943508222875e-38;
const TWO_24: f32 = 16777216;
const LN2_24: f32 = 16.635532333438686; // 24·ln 2

/**
 * e^x per lane over the whole float range: exp4 (≈2 ulp), +Inf above 88.72 (as Math.exp
 * rounded to f32 overflows), and for x < −86.98 the subnormal result computed as
 * e^(x + 32 ln 2)·2^−32 (a branch taken only when a lane needs it).
 */
@inline function expFull4(x: v128): v128 {
  let e = exp4(x);
  e = v128.bitselect(f32x4.splat(Infinity), e, f32x4.gt(x, f32x4.splat(EXP_HI)));
  const low = f32x4.lt(x, f32x4.splat(EXP_LO));
  if (v128.any_true(low)) {
    const s = f32x4.mul(exp4(f32x4.add(x, f32x4.splat(SHIFT))), f32x4.splat(TWO_M32));
    e = v128.bitselect(s, e, low);
  }
  return e;
}

/** ln x per lane over the whole float range (see the file comment). */
@inline function logFull4(x: v128): v128 {
  const sub = f32x4.lt(x, f32x4.splat(FLT_MIN));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(TWO_24)), x, sub);
  let r = f32x4.sub(log4(xs), v128.and(f32x4.splat(LN2_24), sub));
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(x, f32x4.splat(0)));
  r = v128.bitselect(f32x4.splat(NaN), r, f32x4.lt(x, f32x4.splat(0)));
  r = v128.bitselect(f32x4.splat(Infinity), r, f32x4.eq(x, f32x4.splat(Infinity)));
  // NaN in, NaN out (x != x only for NaN lanes).
  return v128.bitselect(x, r, f32x4.ne(x, x));
}

@inline function unaryOp(op: i32, x: v128): v128 {
  if (op == NEG) return f32x4.neg(x);
  if (op == ABS) return f32x4.abs(x);
  if (op == SQRT) return f32x4.sqrt(x);
  if (op == SQUARE) return f32x4.mul(x, x);
  if (op == EXP) return expFull4(x);
  if (op == LOG) return logFull4(x);
  if (op == RECIPROCAL) return f32x4.div(f32x4.splat(1), x);
  if (op == FLOOR) return f32x4.floor(x);
  if (op == CEIL) return f32x4.ceil(x);
  return f32x4.nearest(x); // ROUND: half to even, as TF.js's round
}

/** Four vectors per iteration: exp and log are long chains of dependent multiply-adds, and
 *  four independent chains per iteration keep more of them in flight than two. */
@inline function unaryLoop(op: i32, y: usize, x: usize, n: i32): void {
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const o = <usize>i << 2;
    const r0 = unaryOp(op, v128.load(x + o));
    const r1 = unaryOp(op, v128.load(x + o, 16));
    const r2 = unaryOp(op, v128.load(x + o, 32));
    const r3 = unaryOp(op, v128.load(x + o, 48));
    v128.store(y + o, r0);
    v128.store(y + o, r1, 16);
    v128.store(y + o, r2, 32);
    v128.store(y + o, r3, 48);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, unaryOp(op, v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, f32x4.extract_lane(unaryOp(op, f32x4.splat(load<f32>(x + o))), 0));
  }
}

/**
 * y[n] = op(x[n]) (overwrites; y == x allowed). op: NEG 0, ABS 1, SQRT 2, SQUARE 3, EXP 4,
 * LOG 5, RECIPROCAL 6, FLOOR 7, CEIL 8, ROUND 9 (half to even); an unknown code does nothing.
 * Reference: test/reference/elementwise.ts unary_f32.
 */
export function unary_f32(y: usize, x: usize, n: i32, op: i32): void {
  switch (op) {
    case NEG: unaryLoop(NEG, y, x, n); break;
    case ABS: unaryLoop(ABS, y, x, n); break;
    case SQRT: unaryLoop(SQRT, y, x, n); break;
    case SQUARE: unaryLoop(SQUARE, y, x, n); break;
    case EXP: unaryLoop(EXP, y, x, n); break;
    case LOG: unaryLoop(LOG, y, x, n); break;
    case RECIPROCAL: unaryLoop(RECIPROCAL, y, x, n); break;
    case FLOOR: unaryLoop(FLOOR, y, x, n); break;
    case CEIL: unaryLoop(CEIL, y, x, n); break;
    case ROUND: unaryLoop(ROUND, y, x, n); break;
    default: break;
  }
}

/**
 * y[n] = min(max(x, lo), hi) (overwrites; y == x allowed); NaN passes through, as in TF.js's
 * clipByValue. Reference: test/reference/elementwise.ts clip_f32.
 */
export function clip_f32(y: usize, x: usize, n: i32, lo: f32, hi: f32): void {
  const l = f32x4.splat(lo);
  const h = f32x4.splat(hi);
  let i = 0;
  // pmax(x, l) is x < l ? l : x and pmin(v, h) is h < v ? h : v: a NaN x fails both tests.
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.pmin(f32x4.pmax(v128.load(x + o), l), h));
    v128.store(y + o, f32x4.pmin(f32x4.pmax(v128.load(x + o, 16), l), h), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(y + o, v < lo ? lo : hi < v ? hi : v);
  }
}

// ---- binary ----------------------------------------------------------------------------------

@inline function binaryOp(op: i32, a: v128, b: v128): v128 {
  if (op == ADD) return f32x4.add(a, b);
  if (op == SUB) return f32x4.sub(a, b);
  if (op == MUL) return f32x4.mul(a, b);
  if (op == DIV) return f32x4.div(a, b);
  if (op == MAX) return f32x4.max(a, b); // NaN if either is NaN, as Math.max
  if (op == MIN) return f32x4.min(a, b);
  const d = f32x4.sub(a, b); // SQDIFF
  return f32x4.mul(d, d);
}

/** One row of cols: a and b advance by one float when their step is 1, stay put when 0. */
@inline function binaryRow(op: i32, y: usize, a: usize, b: usize, cols: i32, aStep: bool, bStep: bool): void {
  let j = 0;
  if (aStep && bStep) {
    for (; j + 8 <= cols; j += 8) {
      const o = <usize>j << 2;
      v128.store(y + o, binaryOp(op, v128.load(a + o), v128.load(b + o)));
      v128.store(y + o, binaryOp(op, v128.load(a + o, 16), v128.load(b + o, 16)), 16);
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      const r = binaryOp(op, f32x4.splat(load<f32>(a + o)), f32x4.splat(load<f32>(b + o)));
      store<f32>(y + o, f32x4.extract_lane(r, 0));
    }
  } else if (aStep) {
    const bv = v128.load32_splat(b);
    for (; j + 8 <= cols; j += 8) {
      const o = <usize>j << 2;
      v128.store(y + o, binaryOp(op, v128.load(a + o), bv));
      v128.store(y + o, binaryOp(op, v128.load(a + o, 16), bv), 16);
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(y + o, f32x4.extract_lane(binaryOp(op, f32x4.splat(load<f32>(a + o)), bv), 0));
    }
  } else if (bStep) {
    const av = v128.load32_splat(a);
    for (; j + 8 <= cols; j += 8) {
      const o = <usize>j << 2;
      v128.store(y + o, binaryOp(op, av, v128.load(b + o)));
      v128.store(y + o, binaryOp(op, av, v128.load(b + o, 16)), 16);
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(y + o, f32x4.extract_lane(binaryOp(op, av, f32x4.splat(load<f32>(b + o))), 0));
    }
  } else {
    const r = binaryOp(op, v128.load32_splat(a), v128.load32_splat(b));
    for (; j + 4 <= cols; j += 4) v128.store(y + (<usize>j << 2), r);
    for (; j < cols; j++) store<f32>(y + (<usize>j << 2), f32x4.extract_lane(r, 0));
  }
}

@inline function binaryLoop(op: i32, y: usize, a: usize, b: usize, rows: i32, cols: i32, aRow: i32, bRow: i32, aStep: bool, bStep: bool): void {
  for (let r = 0; r < rows; r++) {
    binaryRow(
      op,
      y + ((<usize>r * <usize>cols) << 2),
      a + ((<usize>r * <usize>aRow) << 2),
      b + ((<usize>r * <usize>bRow) << 2),
      cols, aStep, bStep,
    );
  }
}

/**
 * y[rows, cols] = a op b with broadcasting: y[r, c] = a[r·aRow + c·aCol] op b[r·bRow + c·bCol]
 * (overwrites; y may equal a or b when that operand has the output's layout). aCol and bCol
 * are 1 (the operand steps along the row) or 0 (one value for the whole row); aRow and bRow are
 * element strides between rows (0 repeats the same row). a: [?] and b: [?] as the strides
 * reach; y: [rows, cols]. op: ADD 0, SUB 1, MUL 2, DIV 3, MAX 4, MIN 5 (NaN if either input
 * is), SQDIFF 6 ((a − b)²); an unknown code does nothing.
 * Reference: test/reference/elementwise.ts binary_f32.
 */
export function binary_f32(y: usize, a: usize, b: usize, rows: i32, cols: i32, aRow: i32, bRow: i32, aCol: i32, bCol: i32, op: i32): void {
  const as = aCol != 0;
  const bs = bCol != 0;
  switch (op) {
    case ADD: binaryLoop(ADD, y, a, b, rows, cols, aRow, bRow, as, bs); break;
    case SUB: binaryLoop(SUB, y, a, b, rows, cols, aRow, bRow, as, bs); break;
    case MUL: binaryLoop(MUL, y, a, b, rows, cols, aRow, bRow, as, bs); break;
    case DIV: binaryLoop(DIV, y, a, b, rows, cols, aRow, bRow, as, bs); break;
    case MAX: binaryLoop(MAX, y, a, b, rows, cols, aRow, bRow, as, bs); break;
    case MIN: binaryLoop(MIN, y, a, b, rows, cols, aRow, bRow, as, bs); break;
    case SQDIFF: binaryLoop(SQDIFF, y, a, b, rows, cols, aRow, bRow, as, bs); break;
    default: break;
  }
}

// ---- reductions ------------------------------------------------------------------------------

/**
 * Sums in f64 of 8 adjacent floats over `count` rows `stride` bytes apart from p, in four f64x2
 * accumulators (one per pair of columns). toColumns: stores the 8 column sums, each rounded once
 * to f32, at y (returns 0); else returns the total of the eight, (s0 + s1) + (s2 + s3).
 */
@inline function sum8Rows(toColumns: bool, y: usize, p: usize, count: i32, stride: usize): f64 {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let s2 = f64x2.splat(0);
  let s3 = f64x2.splat(0);
  for (let m = 0; m < count; m++) {
    const u = v128.load(p);
    const w = v128.load(p, 16);
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(u));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(v128.shuffle<f32>(u, u, 2, 3, 2, 3)));
    s2 = f64x2.add(s2, f64x2.promote_low_f32x4(w));
    s3 = f64x2.add(s3, f64x2.promote_low_f32x4(v128.shuffle<f32>(w, w, 2, 3, 2, 3)));
    p += stride;
  }
  if (toColumns) {
    v128.store(y, v128.shuffle<f32>(f32x4.demote_f64x2_zero(s0), f32x4.demote_f64x2_zero(s1), 0, 1, 4, 5));
    v128.store(y, v128.shuffle<f32>(f32x4.demote_f64x2_zero(s2), f32x4.demote_f64x2_zero(s3), 0, 1, 4, 5), 16);
    return 0;
  }
  const s = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** Σ of a contiguous run of n floats in f64 (as rows of 8, then the rest), rounded once to f32. */
@inline function sumRun(p: usize, n: i32): f32 {
  const rows = n >> 3;
  let t = sum8Rows(false, 0, p, rows, 32);
  for (let i = rows << 3; i < n; i++) t += <f64>load<f32>(p + (<usize>i << 2));
  return <f32>t;
}

/** max (or min) of a contiguous run of n ≥ 1 floats; NaN if any is NaN. */
@inline function extremeRun(isMax: bool, p: usize, n: i32): f32 {
  let i = 0;
  let m = v128.load32_splat(p);
  if (n >= 8) {
    let m0 = v128.load(p);
    let m1 = v128.load(p, 16);
    for (i = 8; i + 8 <= n; i += 8) {
      const o = p + (<usize>i << 2);
      m0 = isMax ? f32x4.max(m0, v128.load(o)) : f32x4.min(m0, v128.load(o));
      m1 = isMax ? f32x4.max(m1, v128.load(o, 16)) : f32x4.min(m1, v128.load(o, 16));
    }
    m = isMax ? f32x4.max(m0, m1) : f32x4.min(m0, m1);
    const h = v128.shuffle<f32>(m, m, 2, 3, 0, 1);
    m = isMax ? f32x4.max(m, h) : f32x4.min(m, h);
    const q = v128.shuffle<f32>(m, m, 1, 0, 3, 2);
    m = isMax ? f32x4.max(m, q) : f32x4.min(m, q);
  }
  for (; i < n; i++) {
    const v = v128.load32_splat(p + (<usize>i << 2));
    m = isMax ? f32x4.max(m, v) : f32x4.min(m, v);
  }
  return f32x4.extract_lane(m, 0);
}

/** Over mid rows of a [mid, inner] block, column by column: sums in f64, 8 columns at a time (sum8Rows), then 1. */
@inline function sumColumns(y: usize, x: usize, mid: i32, inner: i32): void {
  const stride = <usize>inner << 2;
  let c = 0;
  for (; c + 8 <= inner; c += 8) sum8Rows(true, y + (<usize>c << 2), x + (<usize>c << 2), mid, stride);
  for (; c < inner; c++) {
    let t: f64 = 0;
    let p = x + (<usize>c << 2);
    for (let m = 0; m < mid; m++) {
      t += <f64>load<f32>(p);
      p += stride;
    }
    store<f32>(y + (<usize>c << 2), <f32>t);
  }
}

/** max (or min) over mid rows of a [mid, inner] block, column by column (mid ≥ 1). */
@inline function extremeColumns(isMax: bool, y: usize, x: usize, mid: i32, inner: i32): void {
  const stride = <usize>inner << 2;
  let c = 0;
  for (; c + 8 <= inner; c += 8) {
    let p = x + (<usize>c << 2);
    let m0 = v128.load(p);
    let m1 = v128.load(p, 16);
    for (let m = 1; m < mid; m++) {
      p += stride;
      m0 = isMax ? f32x4.max(m0, v128.load(p)) : f32x4.min(m0, v128.load(p));
      m1 = isMax ? f32x4.max(m1, v128.load(p, 16)) : f32x4.min(m1, v128.load(p, 16));
    }
    const o = y + (<usize>c << 2);
    v128.store(o, m0);
    v128.store(o, m1, 16);
  }
  for (; c < inner; c++) {
    let p = x + (<usize>c << 2);
    let v = v128.load32_splat(p);
    for (let m = 1; m < mid; m++) {
      p += stride;
      v = isMax ? f32x4.max(v, v128.load32_splat(p)) : f32x4.min(v, v128.load32_splat(p));
    }
    store<f32>(y + (<usize>c << 2), f32x4.extract_lane(v, 0));
  }
}

/**
 * y[outer, inner] = op over m of x[outer, mid, inner] (overwrites): any reduction of one run of
 * adjacent axes (inner = 1 reduces the last axes). op: SUM 0 (accumulated in f64, rounded once),
 * MAX 1, MIN 2 (NaN if any input is NaN). mid = 0 gives 0, −Inf, +Inf; an unknown code does
 * nothing. Reference: test/reference/elementwise.ts reduce_f32.
 */
export function reduce_f32(y: usize, x: usize, outer: i32, mid: i32, inner: i32, op: i32): void {
  if (outer <= 0 || inner <= 0) return;
  if (op != R_SUM && op != R_MAX && op != R_MIN) return;
  if (mid <= 0) {
    const v: f32 = op == R_SUM ? 0 : op == R_MAX ? -Infinity : Infinity;
    const n = outer * inner;
    for (let i = 0; i < n; i++) store<f32>(y + (<usize>i << 2), v);
    return;
  }
  const block = <usize>mid * <usize>inner;
  for (let o = 0; o < outer; o++) {
    const xo = x + ((<usize>o * block) << 2);
    const yo = y + ((<usize>o * <usize>inner) << 2);
    if (inner == 1) {
      if (op == R_SUM) store<f32>(yo, sumRun(xo, mid));
      else if (op == R_MAX) store<f32>(yo, extremeRun(true, xo, mid));
      else store<f32>(yo, extremeRun(false, xo, mid));
    } else {
      if (op == R_SUM) sumColumns(yo, xo, mid, inner);
      else if (op == R_MAX) extremeColumns(true, yo, xo, mid, inner);
      else extremeColumns(false, yo, xo, mid, inner);
    }
  }
}
