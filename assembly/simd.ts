// @inline helpers shared by the kernel families. One source builds both binaries: the relaxed
// one (fused multiply-add) and the baseline one (bit-identical across engines).

/** a·b + c per lane: one fused instruction in the relaxed binary, mul then add in the baseline. */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Sum of the four lanes. */
@inline export function hsum(v: v128): f32 {
  const s = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(f32x4.add(s, v128.shuffle<f32>(s, s, 1, 0, 3, 2)), 0);
}

// ---------------------------------------------------------------------------------------------
// Transcendentals on four lanes. The scalar tails of the kernels run these on a splat, so every
// element of a buffer gets the same rounding whether it sits in a vector or in the tail.
//
// exp: x = n·ln2 + r with |r| ≤ ln2/2. ln2 is split Cody–Waite style: LN2_HI has 9 significant
// bits, so n·LN2_HI and x − n·LN2_HI are exact for every n we produce. e^r is the Cephes expf
// polynomial (≈1 ulp on the reduced range).

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
/** Largest f32 below ln(FLT_MAX): exp of anything above saturates at ≈3.4028e38, never Inf. */
const EXP_HI: f32 = 88.72283172607422;
/**
 * exp flushes to 0 below this (e^-86.98 ≈ 1.7e-38, just above FLT_MIN), so no lane ever
 * produces a subnormal: subnormals cost ~100 cycles per op on x86 and wasm cannot turn on
 * flush-to-zero. It also keeps n ≥ −125 so that 2^(n−1) below is a normal float.
 */
const EXP_LO: f32 = -86.98;
/** expm1 is −1 in f32 below ≈ −17.3; clamping there keeps 2^n normal. */
const EXPM1_LO: f32 = -20.0;
/** expm1 saturates above this (≈1.65e38): 2^n then needs only one exponent field (n ≤ 127). */
const EXPM1_HI: f32 = 88.0;
const SQRTH: f32 = 0.707106781186547524;

// Cephes expf: e^r ≈ 1 + r + r²·P(r).
const EP5: f32 = 1.9875691500e-4;
const EP4: f32 = 1.3981999507e-3;
const EP3: f32 = 8.3334519073e-3;
const EP2: f32 = 4.1665795894e-2;
const EP1: f32 = 1.6666665459e-1;
const EP0: f32 = 5.0000001201e-1;

// Cephes logf: log(1+f) ≈ f − f²/2 + f³·Q(f) for f in [√½−1, √2−1].
const LQ8: f32 = 7.0376836292e-2;
const LQ7: f32 = -1.1514610310e-1;
const LQ6: f32 = 1.1676998740e-1;
const LQ5: f32 = -1.2420140846e-1;
const LQ4: f32 = 1.4249322787e-1;
const LQ3: f32 = -1.6668057665e-1;
const LQ2: f32 = 2.0000714765e-1;
const LQ1: f32 = -2.4999993993e-1;
const LQ0: f32 = 3.3333331174e-1;

/** r² · P(r), the part of e^r − 1 beyond the linear term. */
@inline function expPoly(r: v128): v128 {
  let y = madd(f32x4.splat(EP5), r, f32x4.splat(EP4));
  y = madd(y, r, f32x4.splat(EP3));
  y = madd(y, r, f32x4.splat(EP2));
  y = madd(y, r, f32x4.splat(EP1));
  y = madd(y, r, f32x4.splat(EP0));
  return f32x4.mul(y, f32x4.mul(r, r));
}

/**
 * e^x per lane: max relative error 1.7e-7 (≈2 ulp), measured through sigmoid and softmax over
 * [−86, 86] by test/kernels/activation.test.ts.
 * Finite for every finite input: x > 88.7228 saturates at ≈3.4028e38 (the largest finite
 * value e^x reaches in f32); x < −86.98 gives exactly 0 (see EXP_LO). NaN stays NaN.
 */
@inline export function exp4(x: v128): v128 {
  const xc = f32x4.pmax(f32x4.pmin(x, f32x4.splat(EXP_HI)), f32x4.splat(EXP_LO));
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(LOG2E)));
  let r = madd(n, f32x4.splat(-LN2_HI), xc);
  r = madd(n, f32x4.splat(-LN2_LO), r);
  const p = f32x4.add(f32x4.add(expPoly(r), r), f32x4.splat(1));
  // n reaches 128 at the top of the range, one past the exponent field: scale (2p)·2^(n−1).
  const s = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(126)), 23);
  const e = f32x4.mul(f32x4.add(p, p), s);
  return v128.andnot(e, f32x4.lt(x, f32x4.splat(EXP_LO)));
}

/**
 * e^x − 1 per lane without the cancellation of exp4(x) − 1 near 0 (relative ≈2 ulp there):
 * 2^n·(e^r − 1) + (2^n − 1), where 2^n − 1 is exact. Saturates at e^88 above 88; −1 below −17.
 */
@inline export function expm1_4(x: v128): v128 {
  const xc = f32x4.pmax(f32x4.pmin(x, f32x4.splat(EXPM1_HI)), f32x4.splat(EXPM1_LO));
  const n = f32x4.nearest(f32x4.mul(xc, f32x4.splat(LOG2E)));
  let r = madd(n, f32x4.splat(-LN2_HI), xc);
  r = madd(n, f32x4.splat(-LN2_LO), r);
  const q = f32x4.add(expPoly(r), r);
  const s = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return madd(q, s, f32x4.sub(s, f32x4.splat(1)));
}

/**
 * Natural log per lane, ≈2 ulp, for positive normal inputs (0, subnormals, negatives and Inf
 * give finite garbage, not NaN/−Inf: callers clamp first). x = m·2^e with m in [√½, √2).
 */
@inline export function log4(x: v128): v128 {
  let e = i32x4.sub(i32x4.shr_u(x, 23), i32x4.splat(126));
  const m = v128.or(v128.and(x, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000)); // [½, 1)
  const lowM = f32x4.lt(m, f32x4.splat(SQRTH));
  e = i32x4.add(e, lowM); // lanes of lowM are −1: m moves to [1, √2) and e down by one
  const f = f32x4.sub(f32x4.add(m, v128.and(m, lowM)), f32x4.splat(1)); // exact
  const z = f32x4.mul(f, f);
  let y = madd(f32x4.splat(LQ8), f, f32x4.splat(LQ7));
  y = madd(y, f, f32x4.splat(LQ6));
  y = madd(y, f, f32x4.splat(LQ5));
  y = madd(y, f, f32x4.splat(LQ4));
  y = madd(y, f, f32x4.splat(LQ3));
  y = madd(y, f, f32x4.splat(LQ2));
  y = madd(y, f, f32x4.splat(LQ1));
  y = madd(y, f, f32x4.splat(LQ0));
  y = f32x4.mul(f32x4.mul(y, f), z);
  const ef = f32x4.convert_i32x4_s(e);
  y = madd(ef, f32x4.splat(LN2_LO), y);
  y = madd(z, f32x4.splat(-0.5), y);
  return madd(ef, f32x4.splat(LN2_HI), f32x4.add(f, y));
}

/**
 * log(1 + u) per lane for u > −1, accurate for tiny u: log(w) with w = fl(1 + u), plus the
 * rounding error u − (w − 1), which is exact. (The exact correction is that error over w; the
 * dropped factor changes the result by at most u·ulp(1)/2, i.e. ≤ 3e-8 relative.)
 */
@inline export function log1p4(u: v128): v128 {
  const w = f32x4.add(u, f32x4.splat(1));
  return f32x4.add(log4(w), f32x4.sub(u, f32x4.sub(w, f32x4.splat(1))));
}

/** 1 / (1 + e^−x) per lane, from e^−|x| so neither branch overflows. */
@inline export function sigmoid4(x: v128): v128 {
  const e = exp4(f32x4.neg(f32x4.abs(x)));
  const num = v128.bitselect(f32x4.splat(1), e, f32x4.ge(x, f32x4.splat(0)));
  return f32x4.div(num, f32x4.add(e, f32x4.splat(1)));
}

/**
 * tanh per lane: tanh|x| = −t/(2 + t) with t = expm1(−2|x|), sign restored. Through expm1 the
 * relative error stays ≈2 ulp for tiny |x|, where (1 − e^−2x)/(1 + e^−2x) would cancel.
 */
@inline export function tanh4(x: v128): v128 {
  const t = expm1_4(f32x4.mul(f32x4.abs(x), f32x4.splat(-2)));
  const th = f32x4.div(f32x4.neg(t), f32x4.add(t, f32x4.splat(2)));
  return v128.or(th, v128.and(x, i32x4.splat(0x80000000)));
}

/** log(1 + e^x) per lane as max(x, 0) + log1p(e^−|x|): no overflow, accurate for x ≪ 0. */
@inline export function softplus4(x: v128): v128 {
  const l = log1p4(exp4(f32x4.neg(f32x4.abs(x))));
  return f32x4.add(f32x4.pmax(x, f32x4.splat(0)), l);
}

/** Lane 0 of a four-lane routine applied to a splat: the scalar tails use these. */
@inline export function exp1(x: f32): f32 {
  return f32x4.extract_lane(exp4(f32x4.splat(x)), 0);
}
@inline export function log1(x: f32): f32 {
  return f32x4.extract_lane(log4(f32x4.splat(x)), 0);
}
@inline export function log1p1(x: f32): f32 {
  return f32x4.extract_lane(log1p4(f32x4.splat(x)), 0);
}
@inline export function expm1_1(x: f32): f32 {
  return f32x4.extract_lane(expm1_4(f32x4.splat(x)), 0);
}
@inline export function sigmoid1(x: f32): f32 {
  return f32x4.extract_lane(sigmoid4(f32x4.splat(x)), 0);
}
@inline export function tanh1(x: f32): f32 {
  return f32x4.extract_lane(tanh4(f32x4.splat(x)), 0);
}
@inline export function softplus1(x: f32): f32 {
  return f32x4.extract_lane(softplus4(f32x4.splat(x)), 0);
}

// ---------------------------------------------------------------------------------------------
// Partial vectors for tails: k (1..3, or 4) floats at p, the other lanes zero. A loop body
// written once over (ptr, k) serves the main loop (k = 4, a constant the optimiser folds) and
// the tail, so tails compute exactly what the lanes do and never touch memory past the end.

/** Lanes 0..k−1 set (all ones), the rest clear. */
@inline export function laneMask(k: i32): v128 {
  return i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(k));
}

/** The first k floats at p (k in 1..4) with zeros above. */
@inline export function loadN(p: usize, k: i32): v128 {
  if (k >= 4) return v128.load(p);
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (k > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (k > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Store the first k lanes of v at p (k in 1..4). */
@inline export function storeN(p: usize, v: v128, k: i32): void {
  if (k >= 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (k > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (k > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** acc (f64x2) + the four f32 lanes of v, summed in f64. */
@inline export function acc64(acc: v128, v: v128): v128 {
  const lo = f64x2.promote_low_f32x4(v);
  const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
  return f64x2.add(acc, f64x2.add(lo, hi));
}

/** acc (f64x2) + Σ v² over the four f32 lanes of v, squared and summed in f64. */
@inline export function accSq64(acc: v128, v: v128): v128 {
  const lo = f64x2.promote_low_f32x4(v);
  const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
  return f64x2.add(acc, f64x2.add(f64x2.mul(lo, lo), f64x2.mul(hi, hi)));
}

/** Sum of the two f64 lanes. */
@inline export function hsum64(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** 4x4 transpose of rows r0..r3, stored as 4 vectors `stride` bytes apart. */
@inline export function transpose4Store(dst: usize, stride: usize, r0: v128, r1: v128, r2: v128, r3: v128): void {
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
  v128.store(dst + stride, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
  v128.store(dst + stride * 2, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
  v128.store(dst + stride * 3, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
}
