// Training-time noise: dropout masks and Gaussian noise from a counter-based generator.
//
// There is no generator state anywhere: every random word is a pure function of
// (seed, step, index), so the host needs no state in wasm, backward recomputes the forward's
// mask instead of saving it, and a run gives the same bits in every engine (integer math only;
// the Gaussian's float math avoids the relaxed FMA, see below).
//
// The word for index i is  H(H(i ^ k1) ^ k2)  where H is Chris Wellons' `triple32` integer hash
// (a bijection of u32 with very low avalanche bias), k1 = H(seed) and k2 mixes the step in. Two
// rounds with a key in between (an Even–Mansour-style construction over a fixed permutation)
// make the words of different steps unrelated: a single keyed round H(i ^ k) would give step t'
// a permutation of step t's words whenever k and k' differ only in low bits.
//
// Reference: test/reference/dropout.ts (the same generator in 32-bit JS integer math).

// @ts-ignore: decorator
@inline function hash1(x: u32): u32 {
  x ^= x >> 17;
  x *= 0xed5ad4bb;
  x ^= x >> 11;
  x *= 0xac4c1b51;
  x ^= x >> 15;
  x *= 0x31848bab;
  x ^= x >> 14;
  return x;
}

// @ts-ignore: decorator
@inline function hash4(x: v128): v128 {
  x = v128.xor(x, i32x4.shr_u(x, 17));
  x = i32x4.mul(x, i32x4.splat(0xed5ad4bb));
  x = v128.xor(x, i32x4.shr_u(x, 11));
  x = i32x4.mul(x, i32x4.splat(0xac4c1b51));
  x = v128.xor(x, i32x4.shr_u(x, 15));
  x = i32x4.mul(x, i32x4.splat(0x31848bab));
  x = v128.xor(x, i32x4.shr_u(x, 14));
  return x;
}

/** The first round's key: the seed alone. */
// @ts-ignore: decorator
@inline function key1(seed: u32): u32 {
  return hash1(seed ^ 0x2545f491);
}
/** The second round's key: the step, mixed with the seed so that seeds do not share steps. */
// @ts-ignore: decorator
@inline function key2(seed: u32, step: u32): u32 {
  return hash1(step ^ hash1(key1(seed) + 0x9e3779b9));
}

/**
 * y = x · m with m = scale where the mask keeps the value, 0 where it drops it (dropout).
 * In place (y == x) is fine: every value is read before it is written.
 *
 * The values form [outer, mid, inner] with n = outer·mid·inner; the mask is [outer, inner] and
 * is shared along mid (mid = 1: one mask value per element; spatial dropout: mid = H·W and
 * inner = channels, so a whole channel of a sample goes). Mask element (o, c) has index
 * o·inner + c; it keeps when its word is ≥ threshold (unsigned), so
 * P(drop) = threshold / 2^32 and the host passes threshold = round(rate · 2^32).
 * A multiply by 0 (not a select) drops, as TF.js's x · mask does: NaN and ±Inf stay NaN.
 *
 *   y: [n]   x: [n]
 */
export function dropout_forward_f32(y: usize, x: usize, n: i32, mid: i32, inner: i32, threshold: i32, scale: f32, seed: i32, step: i32): void {
  applyMask(y, x, n, mid, inner, threshold, scale, seed, step, false);
}

/**
 * dx += dy · m with the mask m of dropout_forward_f32 for the same (seed, step) and sizes: the
 * mask is recomputed from the counter rather than saved.
 *
 *   dx: [n]   dy: [n]
 */
export function dropout_backward_f32(dx: usize, dy: usize, n: i32, mid: i32, inner: i32, threshold: i32, scale: f32, seed: i32, step: i32): void {
  applyMask(dx, dy, n, mid, inner, threshold, scale, seed, step, true);
}

// @ts-ignore: decorator
@inline function applyMask(y: usize, x: usize, n: i32, mid: i32, inner: i32, threshold: i32, scale: f32, seed: i32, step: i32, accumulate: bool): void {
  if (n <= 0 || mid <= 0 || inner <= 0) return;
  const k1 = key1(<u32>seed);
  const k2 = key2(<u32>seed, <u32>step);
  const K1 = i32x4.splat(k1);
  const K2 = i32x4.splat(k2);
  const T = i32x4.splat(threshold);
  const S = f32x4.splat(scale);
  const iota = i32x4(0, 1, 2, 3);
  const outer = n / (mid * inner);
  let p: usize = 0; // element offset of the current row, in values
  for (let o = 0; o < outer; o++) {
    const base = o * inner;
    for (let m = 0; m < mid; m++, p += <usize>inner) {
      let c = 0;
      for (; c + 4 <= inner; c += 4) {
        const w = hash4(v128.xor(hash4(v128.xor(i32x4.add(i32x4.splat(base + c), iota), K1)), K2));
        // Lanes that keep are all ones: the mask picks scale's bits, the others are +0.
        const mult = v128.and(i32x4.ge_u(w, T), S);
        const at = (p + <usize>c) << 2;
        let v = f32x4.mul(v128.load(x + at), mult);
        if (accumulate) v = f32x4.add(v128.load(y + at), v);
        v128.store(y + at, v);
      }
      for (; c < inner; c++) {
        const w = hash1(hash1(<u32>(base + c) ^ k1) ^ k2);
        const mult: f32 = w >= <u32>threshold ? scale : 0;
        const at = (p + <usize>c) << 2;
        let v = load<f32>(x + at) * mult;
        if (accumulate) v = load<f32>(y + at) + v;
        store<f32>(y + at, v);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Gaussian noise: Box–Muller on two words per element, z = √(−2 ln u1) · cos(2π u2), with
// u1 in (0, 1] and u2 in [0, 1) from the top 24 bits of two independent words. The cosine
// alone of a Box–Muller pair is exactly N(0, 1). Plain mul/add everywhere (no relaxed FMA):
// the noise is the same in the baseline and relaxed binaries and in every engine.

const TWO_M24: f32 = 5.9604644775390625e-8; // 2^-24
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const SQRTH: f32 = 0.707106781186547524;
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
const TWO_PI: f32 = 6.283185307179586;

// @ts-ignore: decorator
@inline function mad(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(f32x4.mul(a, b), c);
}

/** ln x for x in [2^-24, 1] (positive normals), the Cephes logf polynomial without FMA. */
// @ts-ignore: decorator
@inline function logPos4(x: v128): v128 {
  let e = i32x4.sub(i32x4.shr_u(x, 23), i32x4.splat(126));
  const m = v128.or(v128.and(x, i32x4.splat(0x007fffff)), i32x4.splat(0x3f000000)); // [½, 1)
  const lowM = f32x4.lt(m, f32x4.splat(SQRTH));
  e = i32x4.add(e, lowM); // lanes of lowM are −1: m moves to [1, √2) and e down by one
  const f = f32x4.sub(f32x4.add(m, v128.and(m, lowM)), f32x4.splat(1));
  const z = f32x4.mul(f, f);
  let y = mad(f32x4.splat(LQ8), f, f32x4.splat(LQ7));
  y = mad(y, f, f32x4.splat(LQ6));
  y = mad(y, f, f32x4.splat(LQ5));
  y = mad(y, f, f32x4.splat(LQ4));
  y = mad(y, f, f32x4.splat(LQ3));
  y = mad(y, f, f32x4.splat(LQ2));
  y = mad(y, f, f32x4.splat(LQ1));
  y = mad(y, f, f32x4.splat(LQ0));
  y = f32x4.mul(f32x4.mul(y, f), z);
  const ef = f32x4.convert_i32x4_s(e);
  y = mad(ef, f32x4.splat(LN2_LO), y);
  y = mad(z, f32x4.splat(-0.5), y);
  return mad(ef, f32x4.splat(LN2_HI), f32x4.add(f, y));
}

/**
 * cos(2π u) for u in [0, 1): with a = |u − round(u)| in [0, ½], cos(2π a) = −sin(2π (a − ¼)),
 * an odd Taylor polynomial to degree 11 on [−π/2, π/2] (truncation ≤ 6e-8).
 */
// @ts-ignore: decorator
@inline function cos2pi4(u: v128): v128 {
  const a = f32x4.abs(f32x4.sub(u, f32x4.nearest(u)));
  const t = f32x4.mul(f32x4.sub(a, f32x4.splat(0.25)), f32x4.splat(TWO_PI));
  const t2 = f32x4.mul(t, t);
  let s = mad(f32x4.splat(-2.505210838544172e-8), t2, f32x4.splat(2.7557319223985893e-6));
  s = mad(s, t2, f32x4.splat(-1.984126984126984e-4));
  s = mad(s, t2, f32x4.splat(8.333333333333333e-3));
  s = mad(s, t2, f32x4.splat(-1.6666666666666666e-1));
  s = mad(s, t2, f32x4.splat(1));
  return f32x4.neg(f32x4.mul(s, t));
}

/** Four standard normals for the words of indices `idx` (one Box–Muller cosine each). */
// @ts-ignore: decorator
@inline function normal4(idx: v128, K1: v128, K2: v128, K3: v128): v128 {
  const h = hash4(v128.xor(idx, K1));
  const w1 = hash4(v128.xor(h, K2));
  const w2 = hash4(v128.xor(h, K3));
  // u1 = (top 24 bits + 1) / 2^24 in (0, 1]; u2 = top 24 bits / 2^24 in [0, 1). Both exact.
  const u1 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.add(i32x4.shr_u(w1, 8), i32x4.splat(1))), f32x4.splat(TWO_M24));
  const u2 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_u(w2, 8)), f32x4.splat(TWO_M24));
  const r = f32x4.sqrt(f32x4.mul(logPos4(u1), f32x4.splat(-2)));
  return f32x4.mul(r, cos2pi4(u2));
}

/**
 * y = x + stddev · z with z ~ N(0, 1) per element from (seed, step, index): TF.js's
 * GaussianNoise (x + randomNormal(0, stddev)). In place (y == x) is fine.
 * The tail runs the vector code on a splat of its index, so every element gets the same
 * rounding whether it sits in a vector or in the tail.
 *
 *   y: [n]   x: [n]
 */
export function gaussian_noise_forward_f32(y: usize, x: usize, n: i32, stddev: f32, seed: i32, step: i32): void {
  if (n <= 0) return;
  const k1 = key1(<u32>seed);
  const k2 = key2(<u32>seed, <u32>step);
  const K1 = i32x4.splat(k1);
  const K2 = i32x4.splat(k2);
  // The second word's key: another step-dependent key, so u1 and u2 are unrelated.
  const K3 = i32x4.splat(hash1(k2 ^ 0x68e31da4));
  const SD = f32x4.splat(stddev);
  const iota = i32x4(0, 1, 2, 3);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const z = normal4(i32x4.add(i32x4.splat(i), iota), K1, K2, K3);
    const at = <usize>i << 2;
    v128.store(y + at, f32x4.add(v128.load(x + at), f32x4.mul(z, SD)));
  }
  for (; i < n; i++) {
    const z = f32x4.extract_lane(normal4(i32x4.splat(i), K1, K2, K3), 0);
    const at = <usize>i << 2;
    store<f32>(y + at, load<f32>(x + at) + z * stddev);
  }
}
