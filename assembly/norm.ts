// Normalization: BatchNormalization (per channel, statistics over the rows of [rows, c]: the
// batch and, for NHWC conv outputs, every pixel) and LayerNormalization (per row, statistics over
// its c features). Formulas follow TF.js: the variance is the biased one (mean of squared
// deviations), y = (x − mean)·γ/√(var + ε) + β, and the moving statistics move by
// m −= (m − batch)·(1 − momentum).
//
// Accuracy: TF.js's cpu backend sums in f64 (JS numbers), so statistics here end in f64 too. A
// column sum runs in f32 over a block of BLOCK rows (a few ulp), then folds into per-channel f64
// accumulators in `ws`; this keeps the hot loop in f32 SIMD with the accumulators in registers,
// and the long sum (rows = batch·pixels, tens of thousands) exact to f64 rounding. The batch
// statistics are taken around a shift (the first row), so Σd² − (Σd)²/n does not cancel.
//
// Channels run four lanes at a time; the last c % 4 channels run the same code through
// loadN / storeN (zeros above the tail, never a read or write past a row).
import { madd, loadN, storeN, laneMask, acc64, accSq64, hsum64 } from './simd';

/** Rows summed in f32 before a fold into the f64 accumulators. */
const BLOCK: i32 = 16;

/**
 * Bytes of the `ws` the normalization kernels need for c channels (features): two f64 and three
 * f32 per channel, channels rounded up to 4. Reference: norm.ts norm_workspace_bytes.
 */
export function norm_workspace_bytes(c: i32): i32 {
  const c4 = (max(c, 0) + 3) & ~3;
  return c4 * 28;
}

/** The four f32 lanes of v added to the four f64 at a (two f64x2). */
@inline function fold(a: usize, v: v128): void {
  v128.store(a, f64x2.add(v128.load(a), f64x2.promote_low_f32x4(v)));
  v128.store(a, f64x2.add(v128.load(a, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3))), 16);
}

/** Channels j..j+k−1 of a block of cnt rows at base: Σd and Σd² (d = x − shift) folded into s1, s2. */
@inline function statsChunk(s1: usize, s2: usize, shift: usize, base: usize, stride: usize, cnt: i32, j: i32, k: i32): void {
  const o = <usize>j << 2;
  const sh = loadN(shift + o, k);
  let s = f32x4.splat(0);
  let q = s;
  let p = base + o;
  for (let r = 0; r < cnt; r++, p += stride) {
    const d = f32x4.sub(loadN(p, k), sh);
    s = f32x4.add(s, d);
    q = madd(d, d, q);
  }
  fold(s1 + (<usize>j << 3), s);
  fold(s2 + (<usize>j << 3), q);
}

/**
 * Batch statistics per channel, in one pass over x: mean[c] and the biased variance[c]
 * (OVERWRITES both). x: [rows, c]; ws: norm_workspace_bytes(c). rows ≤ 0 gives zeros.
 * Reference: norm.ts batchnorm_stats_f32.
 */
export function batchnorm_stats_f32(mean: usize, variance: usize, x: usize, ws: usize, rows: i32, c: i32): void {
  if (c <= 0) return;
  if (rows <= 0) {
    memory.fill(mean, 0, <usize>c << 2);
    memory.fill(variance, 0, <usize>c << 2);
    return;
  }
  const c4 = (c + 3) & ~3;
  const s1 = ws;
  const s2 = ws + (<usize>c4 << 3);
  memory.fill(ws, 0, <usize>c4 << 4);
  const stride = <usize>c << 2;
  const cv = c & ~3;
  const ct = c - cv;
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const cnt = min(BLOCK, rows - r0);
    const base = x + <usize>r0 * stride;
    for (let j = 0; j < cv; j += 4) statsChunk(s1, s2, x, base, stride, cnt, j, 4);
    if (ct) statsChunk(s1, s2, x, base, stride, cnt, cv, ct);
  }
  const inv = 1.0 / <f64>rows;
  for (let j = 0; j < c; j++) {
    const o = <usize>j;
    const m = load<f64>(s1 + (o << 3)) * inv;
    const v = load<f64>(s2 + (o << 3)) * inv - m * m;
    store<f32>(mean + (o << 2), <f32>(<f64>load<f32>(x + (o << 2)) + m));
    store<f32>(variance + (o << 2), <f32>max(v, 0.0));
  }
}

/**
 * mmean[c] −= (mmean − mean)·decay, mvar[c] −= (mvar − variance)·decay, decay = 1 − momentum,
 * each step rounded to f32 as TF.js's tensor ops do (in place). Reference: norm.ts
 * batchnorm_moving_f32.
 */
export function batchnorm_moving_f32(mmean: usize, mvar: usize, mean: usize, variance: usize, c: i32, decay: f32): void {
  const dec = f32x4.splat(decay);
  for (let j = 0; j < c; j += 4) {
    const k = min(4, c - j);
    const o = <usize>j << 2;
    const m = loadN(mmean + o, k);
    storeN(mmean + o, f32x4.sub(m, f32x4.mul(f32x4.sub(m, loadN(mean + o, k)), dec)), k);
    const v = loadN(mvar + o, k);
    storeN(mvar + o, f32x4.sub(v, f32x4.mul(f32x4.sub(v, loadN(variance + o, k)), dec)), k);
  }
}

/** One chunk of one row: y = (x − m)·s + b. */
@inline function normChunk(y: usize, x: usize, m: usize, s: usize, b: usize, k: i32): void {
  storeN(y, madd(f32x4.sub(loadN(x, k), loadN(m, k)), loadN(s, k), loadN(b, k)), k);
}

/**
 * y[rows, c] = (x − mean)·γ·invstd + β per channel, invstd = 1/√(variance + ε) (OVERWRITES y;
 * y == x allowed). Training passes the batch statistics, inference the moving ones. gamma,
 * beta: [c] or 0 (γ = 1, β = 0); invstd: [c] written when not 0 (saved for backward).
 * ws: norm_workspace_bytes(c). Reference: norm.ts batchnorm_forward_f32.
 */
export function batchnorm_forward_f32(
  y: usize, invstd: usize, x: usize, mean: usize, variance: usize, gamma: usize, beta: usize, ws: usize, rows: i32, c: i32, epsilon: f32,
): void {
  if (c <= 0) return;
  const c4 = (c + 3) & ~3;
  // Per channel: scale γ·invstd and offset β, padded to c4 (so tails load zeros, not garbage).
  const sc = ws;
  const ofs = ws + (<usize>c4 << 2);
  memory.fill(ws, 0, <usize>c4 << 3);
  for (let j = 0; j < c; j++) {
    const o = <usize>j << 2;
    const is = 1.0 / sqrt<f64>(<f64>load<f32>(variance + o) + <f64>epsilon);
    if (invstd) store<f32>(invstd + o, <f32>is);
    store<f32>(sc + o, <f32>(gamma ? is * <f64>load<f32>(gamma + o) : is));
    store<f32>(ofs + o, beta ? load<f32>(beta + o) : 0);
  }
  const stride = <usize>c << 2;
  const cv = c & ~3;
  const ct = c - cv;
  let p: usize = 0;
  for (let r = 0; r < rows; r++, p += stride) {
    for (let j = 0; j < cv; j += 4) {
      const o = <usize>j << 2;
      normChunk(y + p + o, x + p + o, mean + o, sc + o, ofs + o, 4);
    }
    if (ct) {
      const o = <usize>cv << 2;
      normChunk(y + p + o, x + p + o, mean + o, sc + o, ofs + o, ct);
    }
  }
}

/** Channels j..j+k−1 of a block of rows: Σdy and Σdy·(x − mean), folded into s1, s2. */
@inline function gradSums(s1: usize, s2: usize, dy: usize, x: usize, mean: usize, stride: usize, cnt: i32, j: i32, k: i32): void {
  const o = <usize>j << 2;
  const m = loadN(mean + o, k);
  let s = f32x4.splat(0);
  let q = s;
  let p = o;
  for (let r = 0; r < cnt; r++, p += stride) {
    const g = loadN(dy + p, k);
    s = f32x4.add(s, g);
    q = madd(g, f32x4.sub(loadN(x + p, k), m), q);
  }
  fold(s1 + (<usize>j << 3), s);
  fold(s2 + (<usize>j << 3), q);
}

/** One chunk of one row: dx += dy·k1 − k0 − (x − m)·k2. */
@inline function dxChunk(dx: usize, dy: usize, x: usize, m: usize, k1: usize, k0: usize, k2: usize, k: i32): void {
  const t = f32x4.sub(f32x4.mul(loadN(dy, k), loadN(k1, k)), loadN(k0, k));
  const v = f32x4.sub(t, f32x4.mul(f32x4.sub(loadN(x, k), loadN(m, k)), loadN(k2, k)));
  storeN(dx, f32x4.add(loadN(dx, k), v), k);
}

/**
 * Gradient of batch-statistics normalization, ACCUMULATED (each output 0 = skip), with
 * x̂ = (x − mean)·invstd and n = rows:
 *   dbeta[c] += Σ dy,  dgamma[c] += Σ dy·x̂,
 *   dx[rows, c] += γ·invstd·(dy − Σdy/n − x̂·Σ(dy·x̂)/n)   (the mean and variance depend on x).
 * dy, x: [rows, c]; mean, invstd: [c] as the forward pass saved them; gamma: [c] or 0 (γ = 1).
 * ws: norm_workspace_bytes(c). Reference: norm.ts batchnorm_backward_f32.
 */
export function batchnorm_backward_f32(
  dx: usize, dgamma: usize, dbeta: usize, dy: usize, x: usize, mean: usize, invstd: usize, gamma: usize, ws: usize, rows: i32, c: i32,
): void {
  if (c <= 0 || rows <= 0) return;
  const c4 = (c + 3) & ~3;
  const s1 = ws;
  const s2 = ws + (<usize>c4 << 3);
  const k1 = ws + (<usize>c4 << 4);
  const k0 = k1 + (<usize>c4 << 2);
  const k2 = k0 + (<usize>c4 << 2);
  memory.fill(ws, 0, <usize>c4 * 28);
  const stride = <usize>c << 2;
  const cv = c & ~3;
  const ct = c - cv;
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const cnt = min(BLOCK, rows - r0);
    const off = <usize>r0 * stride;
    for (let j = 0; j < cv; j += 4) gradSums(s1, s2, dy + off, x + off, mean, stride, cnt, j, 4);
    if (ct) gradSums(s1, s2, dy + off, x + off, mean, stride, cnt, cv, ct);
  }
  const inv = 1.0 / <f64>rows;
  for (let j = 0; j < c; j++) {
    const o = <usize>j;
    const sdy = load<f64>(s1 + (o << 3));
    const sdx = load<f64>(s2 + (o << 3));
    const is = <f64>load<f32>(invstd + (o << 2));
    const g = gamma ? <f64>load<f32>(gamma + (o << 2)) : 1.0;
    if (dbeta) store<f32>(dbeta + (o << 2), load<f32>(dbeta + (o << 2)) + <f32>sdy);
    if (dgamma) store<f32>(dgamma + (o << 2), load<f32>(dgamma + (o << 2)) + <f32>(sdx * is));
    store<f32>(k1 + (o << 2), <f32>(g * is));
    store<f32>(k0 + (o << 2), <f32>(g * is * sdy * inv));
    store<f32>(k2 + (o << 2), <f32>(g * is * is * is * sdx * inv));
  }
  if (!dx) return;
  let p: usize = 0;
  for (let r = 0; r < rows; r++, p += stride) {
    for (let j = 0; j < cv; j += 4) {
      const o = <usize>j << 2;
      dxChunk(dx + p + o, dy + p + o, x + p + o, mean + o, k1 + o, k0 + o, k2 + o, 4);
    }
    if (ct) {
      const o = <usize>cv << 2;
      dxChunk(dx + p + o, dy + p + o, x + p + o, mean + o, k1 + o, k0 + o, k2 + o, ct);
    }
  }
}

// ---- layer normalization -------------------------------------------------------------------

/**
 * Per row of x[rows, c]: mean and biased variance of its c values (two passes over the row, as
 * TF.js's moments: the mean first, then the mean squared deviation, both summed in f64), then
 * y = (x − mean)·γ·invstd + β with invstd = 1/√(var + ε) (OVERWRITES y). gamma, beta: [c] or 0
 * (γ = 1, β = 0); mean, invstd: [rows] written when not 0 (saved for backward).
 * Reference: norm.ts layernorm_forward_f32.
 */
export function layernorm_forward_f32(
  y: usize, mean: usize, invstd: usize, x: usize, gamma: usize, beta: usize, rows: i32, c: i32, epsilon: f32,
): void {
  if (c <= 0) return;
  const stride = <usize>c << 2;
  const cv = c & ~3;
  const ct = c - cv;
  const tail = laneMask(ct);
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  const inv = 1.0 / <f64>c;
  let p: usize = 0;
  for (let r = 0; r < rows; r++, p += stride) {
    const xr = x + p;
    let acc = f64x2.splat(0);
    for (let j = 0; j < cv; j += 4) acc = acc64(acc, v128.load(xr + (<usize>j << 2)));
    if (ct) acc = acc64(acc, loadN(xr + (<usize>cv << 2), ct));
    const m = <f32>(hsum64(acc) * inv);
    const mv = f32x4.splat(m);
    let sq = f64x2.splat(0);
    for (let j = 0; j < cv; j += 4) sq = accSq64(sq, f32x4.sub(v128.load(xr + (<usize>j << 2)), mv));
    // Zero lanes above the tail would give (0 − m)²: mask them out.
    if (ct) sq = accSq64(sq, v128.and(f32x4.sub(loadN(xr + (<usize>cv << 2), ct), mv), tail));
    const is = <f32>(1.0 / sqrt<f64>(hsum64(sq) * inv + <f64>epsilon));
    if (mean) store<f32>(mean + (<usize>r << 2), m);
    if (invstd) store<f32>(invstd + (<usize>r << 2), is);
    const isv = f32x4.splat(is);
    const yr = y + p;
    for (let j = 0; j < c; j += 4) {
      const k = min(4, c - j);
      const o = <usize>j << 2;
      const s = gamma ? f32x4.mul(loadN(gamma + o, k), isv) : f32x4.mul(one, isv);
      const b = beta ? loadN(beta + o, k) : zero;
      storeN(yr + o, madd(f32x4.sub(loadN(xr + o, k), mv), s, b), k);
    }
  }
}

/**
 * Gradient of layernorm_forward_f32, ACCUMULATED (each output 0 = skip). Per row, with
 * x̂ = (x − mean)·invstd and g = γ·dy:
 *   dx += invstd·(g − Σg/c − x̂·Σ(g·x̂)/c),  dgamma[c] += Σ_rows dy·x̂,  dbeta[c] += Σ_rows dy
 * (the column sums in f64 in ws, added once at the end). dy, x: [rows, c]; mean, invstd: [rows]
 * as the forward pass saved them; gamma: [c] or 0. ws: norm_workspace_bytes(c).
 * Reference: norm.ts layernorm_backward_f32.
 */
export function layernorm_backward_f32(
  dx: usize, dgamma: usize, dbeta: usize, dy: usize, x: usize, mean: usize, invstd: usize, gamma: usize, ws: usize, rows: i32, c: i32,
): void {
  if (c <= 0 || rows <= 0) return;
  const c4 = (c + 3) & ~3;
  const sg = ws;
  const sb = ws + (<usize>c4 << 3);
  const params = dgamma != 0 || dbeta != 0;
  if (params) memory.fill(ws, 0, <usize>c4 << 4);
  const stride = <usize>c << 2;
  const one = f32x4.splat(1);
  const invc = 1.0 / <f64>c;
  let p: usize = 0;
  for (let r = 0; r < rows; r++, p += stride) {
    const mv = f32x4.splat(load<f32>(mean + (<usize>r << 2)));
    const is = load<f32>(invstd + (<usize>r << 2));
    const isv = f32x4.splat(is);
    let a = f64x2.splat(0);
    let b = f64x2.splat(0);
    // Lanes above the tail hold dy = 0, so every product they enter is 0: no mask needed.
    for (let j = 0; j < c; j += 4) {
      const k = min(4, c - j);
      const o = <usize>j << 2;
      const d = loadN(dy + p + o, k);
      const xh = f32x4.mul(f32x4.sub(loadN(x + p + o, k), mv), isv);
      const g = gamma ? f32x4.mul(d, loadN(gamma + o, k)) : d;
      a = acc64(a, g);
      b = acc64(b, f32x4.mul(g, xh));
      if (params) {
        fold(sg + (<usize>j << 3), f32x4.mul(d, xh));
        fold(sb + (<usize>j << 3), d);
      }
    }
    if (!dx) continue;
    const ma = f32x4.splat(<f32>(hsum64(a) * invc));
    const mb = f32x4.splat(<f32>(hsum64(b) * invc));
    for (let j = 0; j < c; j += 4) {
      const k = min(4, c - j);
      const o = <usize>j << 2;
      const d = loadN(dy + p + o, k);
      const xh = f32x4.mul(f32x4.sub(loadN(x + p + o, k), mv), isv);
      const g = gamma ? f32x4.mul(d, loadN(gamma + o, k)) : f32x4.mul(d, one);
      const v = f32x4.mul(isv, f32x4.sub(f32x4.sub(g, ma), f32x4.mul(xh, mb)));
      storeN(dx + p + o, f32x4.add(loadN(dx + p + o, k), v), k);
    }
  }
  if (!params) return;
  for (let j = 0; j < c; j++) {
    const o = <usize>j;
    if (dgamma) store<f32>(dgamma + (o << 2), load<f32>(dgamma + (o << 2)) + <f32>load<f64>(sg + (o << 3)));
    if (dbeta) store<f32>(dbeta + (o << 2), load<f32>(dbeta + (o << 2)) + <f32>load<f64>(sb + (o << 3)));
  }
}
