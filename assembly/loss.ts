// Losses. Each returns the MEAN loss as f64 (summed in f64 lanes) and, when its gradient
// pointer is non-zero, accumulates (+=) the gradient of that mean. Elementwise losses run one
// body over (offset, k): k = 4 in the main loop, k = n mod 4 once for the tail (see loadN).
// Logs go through simd.ts's log4, not Math.log: AssemblyScript's f64 log brings ~4 KB of
// lookup tables into the binary as data segments.
import {
  madd, log1, log4, log1p4, exp4, loadN, storeN, laneMask, acc64, accSq64, hsum64,
} from './simd';
import { rowMax, rowExpSum } from './activation';

// ---- softmax cross-entropy -------------------------------------------------------------------

/** Scales row pr[classes] of exponentials by 1/s, turning it into probabilities. */
@inline function scaleRow(pr: usize, classes: i32, s: f32): void {
  const inv = f32x4.splat(<f32>1 / s);
  let j = 0;
  for (; j + 4 <= classes; j += 4) {
    const o = <usize>j << 2;
    v128.store(pr + o, f32x4.mul(v128.load(pr + o), inv));
  }
  if (j < classes) {
    const o = <usize>j << 2;
    storeN(pr + o, f32x4.mul(loadN(pr + o, classes - j), inv), classes - j);
  }
}

/** p for four classes at zr + o: read from probs when it was written, else recomputed. */
@inline function xentP(pr: usize, zr: usize, o: usize, k: i32, m: v128, inv: v128): v128 {
  if (pr) return loadN(pr + o, k);
  return f32x4.mul(exp4(f32x4.sub(loadN(zr + o, k), m)), inv);
}

/**
 * Sparse softmax cross-entropy. z[batch, classes] logits; labels[batch] i32 class indices
 * (0 ≤ label < classes, checked by the host); probs[batch, classes] = softmax(z) (overwrites;
 * 0 = skip); dz[batch, classes] += (p − onehot(label))/batch (accumulates; 0 = skip).
 * Returns mean over the batch of −log p[label] = log Σ e^(z − max) − (z[label] − max):
 * finite for finite z, no log(0). Reference: loss.ts softmax_xent_sparse_f32.
 */
export function softmax_xent_sparse_f32(probs: usize, dz: usize, z: usize, labels: usize, batch: i32, classes: i32): f64 {
  if (batch <= 0) return 0;
  const invB: f32 = <f32>1 / <f32>batch;
  const ib = f32x4.splat(invB);
  let total: f64 = 0;
  for (let r = 0; r < batch; r++) {
    const off = (<usize>r * <usize>classes) << 2;
    const zr = z + off;
    const pr = probs ? probs + off : 0;
    const m = rowMax(zr, classes);
    const s = rowExpSum(pr, zr, classes, m);
    const label = load<i32>(labels + (<usize>r << 2));
    total += <f64>log1(s) - <f64>(load<f32>(zr + (<usize>label << 2)) - m);
    if (pr) scaleRow(pr, classes, s);
    if (dz) {
      const dr = dz + off;
      const mv = f32x4.splat(m);
      const inv = f32x4.splat(<f32>1 / s);
      let j = 0;
      for (; j + 4 <= classes; j += 4) {
        const o = <usize>j << 2;
        v128.store(dr + o, madd(xentP(pr, zr, o, 4, mv, inv), ib, v128.load(dr + o)));
      }
      if (j < classes) {
        const o = <usize>j << 2;
        const k = classes - j;
        storeN(dr + o, madd(xentP(pr, zr, o, k, mv, inv), ib, loadN(dr + o, k)), k);
      }
      const lo = dr + (<usize>label << 2);
      store<f32>(lo, load<f32>(lo) - invB);
    }
  }
  return total / <f64>batch;
}

/**
 * Dense-target softmax cross-entropy. z[batch, classes] logits; t[batch, classes] targets
 * (one-hot or soft, ≥ 0); probs[batch, classes] = softmax(z) (overwrites; 0 = skip);
 * dz[batch, classes] += (p·Σt − t)/batch (accumulates; 0 = skip; = (p − t)/batch when rows of
 * t sum to 1). Returns mean over the batch of −Σ t·log p = log(Σe^(z−max))·Σt − Σ t·(z − max),
 * both terms ≥ 0, so nothing cancels. Reference: loss.ts softmax_xent_f32.
 */
export function softmax_xent_f32(probs: usize, dz: usize, z: usize, t: usize, batch: i32, classes: i32): f64 {
  if (batch <= 0) return 0;
  const invB: f32 = <f32>1 / <f32>batch;
  const ib = f32x4.splat(invB);
  let total: f64 = 0;
  for (let r = 0; r < batch; r++) {
    const off = (<usize>r * <usize>classes) << 2;
    const zr = z + off;
    const tr = t + off;
    const pr = probs ? probs + off : 0;
    const m = rowMax(zr, classes);
    const mv = f32x4.splat(m);
    const s = rowExpSum(pr, zr, classes, m);
    // Σt and Σ t·(z − max) in f64 lanes.
    let st = f64x2.splat(0);
    let stz = f64x2.splat(0);
    let j = 0;
    for (; j + 4 <= classes; j += 4) {
      const o = <usize>j << 2;
      const tv = v128.load(tr + o);
      st = acc64(st, tv);
      stz = acc64(stz, f32x4.mul(tv, f32x4.sub(v128.load(zr + o), mv)));
    }
    if (j < classes) {
      const o = <usize>j << 2;
      const k = classes - j;
      const tv = loadN(tr + o, k);
      st = acc64(st, tv);
      stz = acc64(stz, v128.and(f32x4.mul(tv, f32x4.sub(loadN(zr + o, k), mv)), laneMask(k)));
    }
    const tSum = hsum64(st);
    total += <f64>log1(s) * tSum - hsum64(stz);
    if (pr) scaleRow(pr, classes, s);
    if (dz) {
      const dr = dz + off;
      const inv = f32x4.splat(<f32>1 / s);
      const ts = f32x4.splat(<f32>tSum);
      j = 0;
      for (; j + 4 <= classes; j += 4) {
        const o = <usize>j << 2;
        const g = f32x4.sub(f32x4.mul(xentP(pr, zr, o, 4, mv, inv), ts), v128.load(tr + o));
        v128.store(dr + o, madd(g, ib, v128.load(dr + o)));
      }
      if (j < classes) {
        const o = <usize>j << 2;
        const k = classes - j;
        const g = f32x4.sub(f32x4.mul(xentP(pr, zr, o, k, mv, inv), ts), loadN(tr + o, k));
        storeN(dr + o, madd(g, ib, loadN(dr + o, k)), k);
      }
    }
  }
  return total / <f64>batch;
}

// ---- binary cross-entropy --------------------------------------------------------------------

/** TF.js backend epsilon; probabilities are clipped to [BCE_EPS, 1 − BCE_EPS] (f32). */
const BCE_EPS: f32 = 1e-7;
const BCE_HI: f32 = 1 - BCE_EPS;

/** Loss terms t·log p + (1 − t)·log(1 − p) of k elements; accumulates their gradient. */
@inline function bceAt(dp: usize, p: usize, t: usize, o: usize, k: i32, inN: v128): v128 {
  const one = f32x4.splat(1);
  const lo = f32x4.splat(BCE_EPS);
  const hi = f32x4.splat(BCE_HI);
  const pv = loadN(p + o, k);
  const tv = loadN(t + o, k);
  const pc = f32x4.pmax(f32x4.pmin(pv, hi), lo);
  // log(1 − p) as log1p(−p): exact for p near the lower clip.
  let l = madd(tv, log4(pc), f32x4.mul(f32x4.sub(one, tv), log1p4(f32x4.neg(pc))));
  if (dp) {
    // Clipping has zero gradient outside [eps, 1 − eps] (TF.js clipByValue: inclusive bounds).
    const inside = v128.and(f32x4.ge(pv, lo), f32x4.le(pv, hi));
    const g = f32x4.div(f32x4.mul(f32x4.sub(pc, tv), inN), f32x4.mul(pc, f32x4.sub(one, pc)));
    storeN(dp + o, f32x4.add(loadN(dp + o, k), v128.and(g, inside)), k);
  }
  if (k < 4) l = v128.and(l, laneMask(k));
  return l;
}

/**
 * Binary cross-entropy on probabilities (Keras/TF.js binaryCrossentropy, from_logits=false).
 * p[n] probabilities, clipped to [1e-7, 1 − 1e-7] as TF.js does; t[n] targets in [0, 1].
 * Returns −mean(t·log p + (1 − t)·log(1 − p)) over all n. dp[n] += (p − t)/(p(1 − p))/n with
 * the clipped p, and 0 where p lies outside the clip range (accumulates; 0 = skip).
 * Reference: loss.ts bce_f32.
 */
export function bce_f32(dp: usize, p: usize, t: usize, n: i32): f64 {
  if (n <= 0) return 0;
  const inN = f32x4.splat(<f32>1 / <f32>n);
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) acc = acc64(acc, bceAt(dp, p, t, <usize>i << 2, 4, inN));
  if (i < n) acc = acc64(acc, bceAt(dp, p, t, <usize>i << 2, n - i, inN));
  return -hsum64(acc) / <f64>n;
}

/** Loss terms max(z, 0) − z·t + log1p(e^−|z|) of k elements; accumulates their gradient. */
@inline function bceLogitsAt(dz: usize, z: usize, t: usize, o: usize, k: i32, inN: v128): v128 {
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  const zv = loadN(z + o, k);
  const tv = loadN(t + o, k);
  const e = exp4(f32x4.neg(f32x4.abs(zv)));
  let l = f32x4.add(f32x4.sub(f32x4.pmax(zv, zero), f32x4.mul(zv, tv)), log1p4(e));
  if (dz) {
    const sig = f32x4.div(v128.bitselect(one, e, f32x4.ge(zv, zero)), f32x4.add(one, e));
    storeN(dz + o, madd(f32x4.sub(sig, tv), inN, loadN(dz + o, k)), k);
  }
  if (k < 4) l = v128.and(l, laneMask(k));
  return l;
}

/**
 * Binary cross-entropy on logits (sigmoidCrossEntropy / from_logits=true). z[n] logits,
 * t[n] targets in [0, 1]. Returns mean(max(z, 0) − z·t + log(1 + e^−|z|)), finite for finite z.
 * dz[n] += (sigmoid(z) − t)/n (accumulates; 0 = skip). Reference: loss.ts bce_logits_f32.
 */
export function bce_logits_f32(dz: usize, z: usize, t: usize, n: i32): f64 {
  if (n <= 0) return 0;
  const inN = f32x4.splat(<f32>1 / <f32>n);
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) acc = acc64(acc, bceLogitsAt(dz, z, t, <usize>i << 2, 4, inN));
  if (i < n) acc = acc64(acc, bceLogitsAt(dz, z, t, <usize>i << 2, n - i, inN));
  return hsum64(acc) / <f64>n;
}

// ---- regression ------------------------------------------------------------------------------

/** y − t of k elements; accumulates 2(y − t)/n. Lanes past k are 0 − 0. */
@inline function mseAt(dy: usize, y: usize, t: usize, o: usize, k: i32, twoN: v128): v128 {
  const d = f32x4.sub(loadN(y + o, k), loadN(t + o, k));
  if (dy) storeN(dy + o, madd(d, twoN, loadN(dy + o, k)), k);
  return d;
}

/**
 * Mean squared error. y[n] predictions, t[n] targets. Returns mean((y − t)²), squared and
 * summed in f64. dy[n] += 2(y − t)/n (accumulates; 0 = skip). Reference: loss.ts mse_f32.
 */
export function mse_f32(dy: usize, y: usize, t: usize, n: i32): f64 {
  if (n <= 0) return 0;
  const twoN = f32x4.splat(<f32>2 / <f32>n);
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) acc = accSq64(acc, mseAt(dy, y, t, <usize>i << 2, 4, twoN));
  if (i < n) acc = accSq64(acc, mseAt(dy, y, t, <usize>i << 2, n - i, twoN));
  return hsum64(acc) / <f64>n;
}

/** |y − t| of k elements; accumulates sign(y − t)/n (0 where y == t). */
@inline function maeAt(dy: usize, y: usize, t: usize, o: usize, k: i32, inN: v128): v128 {
  const d = f32x4.sub(loadN(y + o, k), loadN(t + o, k));
  if (dy) {
    const zero = f32x4.splat(0);
    const g = f32x4.sub(v128.and(inN, f32x4.gt(d, zero)), v128.and(inN, f32x4.lt(d, zero)));
    storeN(dy + o, f32x4.add(loadN(dy + o, k), g), k);
  }
  return f32x4.abs(d);
}

/**
 * Mean absolute error. y[n] predictions, t[n] targets. Returns mean|y − t| (summed in f64).
 * dy[n] += sign(y − t)/n, 0 at equality (accumulates; 0 = skip). Reference: loss.ts mae_f32.
 */
export function mae_f32(dy: usize, y: usize, t: usize, n: i32): f64 {
  if (n <= 0) return 0;
  const inN = f32x4.splat(<f32>1 / <f32>n);
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) acc = acc64(acc, maeAt(dy, y, t, <usize>i << 2, 4, inN));
  if (i < n) acc = acc64(acc, maeAt(dy, y, t, <usize>i << 2, n - i, inN));
  return hsum64(acc) / <f64>n;
}

// ---- cross-entropy on probabilities (an output that is not a softmax) -------------------------

/**
 * One row of categorical cross-entropy on outputs y[classes] as TF.js computes it without a
 * softmax: (sparse: y clipped to [eps, 1 − eps] first, as tf.losses' sparse path does), then
 * p = y/Σy, clipped to [eps, 1 − eps] (zero gradient outside, bounds inclusive), loss −Σ t·log p.
 * With g = ∂loss/∂p = −t/p where p is inside, ∂loss/∂y = (g − Σ g·p)/Σy, and Σ g·p = −Σ t over
 * the classes inside the clip range. Returns the row's loss; dy += scale·∂loss/∂y when dy ≠ 0.
 * `label` ≥ 0 selects a one-hot target (t unused), else t holds the row's targets.
 */
@inline function cceRow(dy: usize, y: usize, t: usize, label: i32, classes: i32, scale: f32): f64 {
  const lo = f32x4.splat(BCE_EPS);
  const hi = f32x4.splat(BCE_HI);
  const sparse = label >= 0;
  // Σy (of the pre-clipped y when sparse).
  let sv = f32x4.splat(0);
  let j = 0;
  for (; j < classes; j += 4) {
    const k = min(classes - j, 4);
    let v = loadN(y + (<usize>j << 2), k);
    if (sparse) v = f32x4.pmax(f32x4.pmin(v, hi), lo);
    if (k < 4) v = v128.and(v, laneMask(k));
    sv = f32x4.add(sv, v);
  }
  const s = f32x4.extract_lane(sv, 0) + f32x4.extract_lane(sv, 1) + f32x4.extract_lane(sv, 2) + f32x4.extract_lane(sv, 3);
  const inv = f32x4.splat(<f32>1 / s);
  // −Σ t·log p and Σ t over the classes inside the clip range.
  let acc = f64x2.splat(0);
  let tin = f64x2.splat(0);
  const lab = i32x4.splat(label);
  for (j = 0; j < classes; j += 4) {
    const o = <usize>j << 2;
    const k = min(classes - j, 4);
    let v = loadN(y + o, k);
    if (sparse) v = f32x4.pmax(f32x4.pmin(v, hi), lo);
    const p = f32x4.mul(v, inv);
    const pc = f32x4.pmax(f32x4.pmin(p, hi), lo);
    let tv = sparse ? v128.and(f32x4.splat(1), i32x4.eq(i32x4.add(i32x4(0, 1, 2, 3), i32x4.splat(j)), lab)) : loadN(t + o, k);
    if (k < 4) tv = v128.and(tv, laneMask(k));
    acc = acc64(acc, f32x4.mul(tv, log4(pc)));
    tin = acc64(tin, v128.and(tv, v128.and(f32x4.ge(p, lo), f32x4.le(p, hi))));
  }
  if (dy) {
    const gp = f32x4.splat(<f32>-hsum64(tin));
    const sc = f32x4.mul(f32x4.splat(scale), inv);
    for (j = 0; j < classes; j += 4) {
      const o = <usize>j << 2;
      const k = min(classes - j, 4);
      const yv = loadN(y + o, k);
      const v = sparse ? f32x4.pmax(f32x4.pmin(yv, hi), lo) : yv;
      const p = f32x4.mul(v, inv);
      const pc = f32x4.pmax(f32x4.pmin(p, hi), lo);
      const tv = sparse ? v128.and(f32x4.splat(1), i32x4.eq(i32x4.add(i32x4(0, 1, 2, 3), i32x4.splat(j)), lab)) : loadN(t + o, k);
      const inside = v128.and(f32x4.ge(p, lo), f32x4.le(p, hi));
      const g = v128.and(f32x4.neg(f32x4.div(tv, pc)), inside);
      let d = f32x4.mul(f32x4.sub(g, gp), sc);
      if (sparse) d = v128.and(d, v128.and(f32x4.ge(yv, lo), f32x4.le(yv, hi)));
      storeN(dy + o, f32x4.add(loadN(dy + o, k), d), k);
    }
  }
  return -hsum64(acc);
}

/**
 * The mean over batch rows of cceRow; dy += the gradient of that mean (0 = skip). sparse: tl is
 * labels[batch] (i32 class indices), else targets t[batch, classes].
 */
@inline function cceMean(sparse: bool, dy: usize, y: usize, tl: usize, batch: i32, classes: i32): f64 {
  if (batch <= 0) return 0;
  const scale: f32 = <f32>1 / <f32>batch;
  let total: f64 = 0;
  for (let r = 0; r < batch; r++) {
    const off = (<usize>r * <usize>classes) << 2;
    total += cceRow(dy ? dy + off : 0, y + off, sparse ? 0 : tl + off, sparse ? load<i32>(tl + (<usize>r << 2)) : -1, classes, scale);
  }
  return total / <f64>batch;
}

/**
 * Categorical cross-entropy on outputs that are not a softmax (TF.js categoricalCrossentropy,
 * fromLogits false). y[batch, classes] outputs (any values: TF.js normalises each row by its
 * sum), t[batch, classes] targets. Per row p = y/Σy clipped to [1e-7, 1 − 1e-7]; returns the mean
 * over rows of −Σ t·log p. dy[batch, classes] += its gradient (accumulates; 0 = skip), zero
 * through the clip where p lies outside [1e-7, 1 − 1e-7]. Reference: loss.ts cce_f32.
 */
export function cce_f32(dy: usize, y: usize, t: usize, batch: i32, classes: i32): f64 {
  return cceMean(false, dy, y, t, batch, classes);
}

/**
 * Sparse categorical cross-entropy on outputs that are not a softmax (TF.js
 * sparseCategoricalCrossentropy, fromLogits false): y[batch, classes] is clipped to
 * [1e-7, 1 − 1e-7], then as cce_f32 with the one-hot target of labels[batch] (i32,
 * 0 ≤ label < classes, checked by the host). dy[batch, classes] += the gradient of the mean
 * (accumulates; 0 = skip), zero through either clip. Reference: loss.ts cce_sparse_f32.
 */
export function cce_sparse_f32(dy: usize, y: usize, labels: usize, batch: i32, classes: i32): f64 {
  return cceMean(true, dy, y, labels, batch, classes);
}

// ---- per-sample weights ----------------------------------------------------------------------

/**
 * x[rows, cols] *= w[rows] row by row (in place): a loss gradient weighted per sample (class
 * weights, sample weights). Reference: loss.ts scale_rows_f32.
 */
export function scale_rows_f32(x: usize, w: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + ((<usize>r * <usize>cols) << 2);
    const s = load<f32>(w + (<usize>r << 2));
    const sv = f32x4.splat(s);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = <usize>j << 2;
      v128.store(xr + o, f32x4.mul(v128.load(xr + o), sv));
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(xr + o, load<f32>(xr + o) * s);
    }
  }
}
