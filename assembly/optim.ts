// Optimizer updates, one call over the whole contiguous parameter block (and its mirror
// blocks of gradients and state), following TensorFlow.js's update formulas. Each body is
// written once over (offset, k): k = 4 in the main loop, n mod 4 once for the tail (loadN).
import { madd, loadN, storeN, laneMask, acc64, accSq64, hsum64 } from './simd';

@inline function sgdAt(p: usize, g: usize, o: usize, k: i32, nlr: v128): void {
  storeN(p + o, madd(loadN(g + o, k), nlr, loadN(p + o, k)), k);
}

/**
 * Plain SGD: p[n] −= lr·g[n] (updates p in place; g read only). Reference: optim.ts sgd_f32.
 */
export function sgd_f32(p: usize, g: usize, n: i32, lr: f32): void {
  const nlr = f32x4.splat(-lr);
  let i = 0;
  for (; i + 4 <= n; i += 4) sgdAt(p, g, <usize>i << 2, 4, nlr);
  if (i < n) sgdAt(p, g, <usize>i << 2, n - i, nlr);
}

@inline function momentumAt(p: usize, vel: usize, g: usize, o: usize, k: i32, nlr: v128, mu: v128, nesterov: bool): void {
  const gv = loadN(g + o, k);
  const v = madd(loadN(vel + o, k), mu, gv);
  storeN(vel + o, v, k);
  const step = nesterov ? madd(v, mu, gv) : v;
  storeN(p + o, madd(step, nlr, loadN(p + o, k)), k);
}

/**
 * Momentum SGD (TF.js MomentumOptimizer). p[n] parameters, vel[n] accumulation (both updated in
 * place), g[n] gradients: vel = momentum·vel + g; then p −= lr·vel, or with nesterov ≠ 0
 * p −= lr·(g + momentum·vel) using the updated vel. Reference: optim.ts momentum_f32.
 */
export function momentum_f32(p: usize, vel: usize, g: usize, n: i32, lr: f32, momentum: f32, nesterov: i32): void {
  const nlr = f32x4.splat(-lr);
  const mu = f32x4.splat(momentum);
  let i = 0;
  if (nesterov) {
    for (; i + 4 <= n; i += 4) momentumAt(p, vel, g, <usize>i << 2, 4, nlr, mu, true);
    if (i < n) momentumAt(p, vel, g, <usize>i << 2, n - i, nlr, mu, true);
  } else {
    for (; i + 4 <= n; i += 4) momentumAt(p, vel, g, <usize>i << 2, 4, nlr, mu, false);
    if (i < n) momentumAt(p, vel, g, <usize>i << 2, n - i, nlr, mu, false);
  }
}

@inline function adagradAt(p: usize, acc: usize, g: usize, o: usize, k: i32, lr: v128, eps: v128): void {
  const gv = loadN(g + o, k);
  const a = madd(gv, gv, loadN(acc + o, k));
  storeN(acc + o, a, k);
  const step = f32x4.div(f32x4.mul(gv, lr), f32x4.sqrt(f32x4.add(a, eps)));
  storeN(p + o, f32x4.sub(loadN(p + o, k), step), k);
}

/**
 * Adagrad (TF.js). p[n] and acc[n] (sum of squared gradients; the host starts it at 0.1) are
 * updated in place, g[n] read: acc += g²; p −= lr·g/√(acc + eps). Reference: optim.ts
 * adagrad_f32.
 */
export function adagrad_f32(p: usize, acc: usize, g: usize, n: i32, lr: f32, eps: f32): void {
  const l = f32x4.splat(lr);
  const e = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) adagradAt(p, acc, g, <usize>i << 2, 4, l, e);
  if (i < n) adagradAt(p, acc, g, <usize>i << 2, n - i, l, e);
}

@inline function rmspropAt(p: usize, ms: usize, mom: usize, g: usize, o: usize, k: i32,
  lr: v128, rho: v128, rho1: v128, mu: v128, eps: v128): void {
  const gv = loadN(g + o, k);
  const s = madd(loadN(ms + o, k), rho, f32x4.mul(f32x4.mul(gv, gv), rho1));
  storeN(ms + o, s, k);
  const step = f32x4.div(f32x4.mul(gv, lr), f32x4.sqrt(f32x4.add(s, eps)));
  const m = madd(loadN(mom + o, k), mu, step);
  storeN(mom + o, m, k);
  storeN(p + o, f32x4.sub(loadN(p + o, k), m), k);
}

/**
 * RMSProp, uncentered (TF.js). p[n], ms[n] (mean square) and mom[n] (moments) updated in
 * place, g[n] read: ms = rho·ms + (1 − rho)·g²; mom = momentum·mom + lr·g/√(ms + eps);
 * p −= mom. Reference: optim.ts rmsprop_f32.
 */
export function rmsprop_f32(p: usize, ms: usize, mom: usize, g: usize, n: i32, lr: f32, rho: f32, momentum: f32, eps: f32): void {
  const l = f32x4.splat(lr);
  const r = f32x4.splat(rho);
  const r1 = f32x4.splat(1 - rho);
  const mu = f32x4.splat(momentum);
  const e = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) rmspropAt(p, ms, mom, g, <usize>i << 2, 4, l, r, r1, mu, e);
  if (i < n) rmspropAt(p, ms, mom, g, <usize>i << 2, n - i, l, r, r1, mu, e);
}

@inline function rmspropCenteredAt(p: usize, ms: usize, mg: usize, mom: usize, g: usize, o: usize, k: i32,
  lr: v128, rho: v128, rho1: v128, mu: v128, eps: v128): void {
  const gv = loadN(g + o, k);
  const s = madd(loadN(ms + o, k), rho, f32x4.mul(f32x4.mul(gv, gv), rho1));
  const a = madd(loadN(mg + o, k), rho, f32x4.mul(gv, rho1));
  storeN(ms + o, s, k);
  storeN(mg + o, a, k);
  // ms − mg² ≥ 0 in exact arithmetic; rounding can push it below 0, which √ must not see.
  const variance = f32x4.max(f32x4.sub(s, f32x4.mul(a, a)), f32x4.splat(0));
  const step = f32x4.div(f32x4.mul(gv, lr), f32x4.sqrt(f32x4.add(variance, eps)));
  const m = madd(loadN(mom + o, k), mu, step);
  storeN(mom + o, m, k);
  storeN(p + o, f32x4.sub(loadN(p + o, k), m), k);
}

/**
 * RMSProp, centered (TensorFlow's formula). p[n], ms[n] (mean square), mg[n] (mean gradient)
 * and mom[n] (moments) updated in place, g[n] read: ms = rho·ms + (1 − rho)·g²;
 * mg = rho·mg + (1 − rho)·g; mom = momentum·mom + lr·g/√(max(ms − mg², 0) + eps); p −= mom.
 * TF.js 4.x computes √(ms − (mg² + eps)) instead, which is NaN whenever |g| is small (a zero
 * gradient on the first step gives √(−eps)); this kernel keeps eps on the safe side.
 * Reference: optim.ts rmsprop_centered_f32.
 */
export function rmsprop_centered_f32(p: usize, ms: usize, mg: usize, mom: usize, g: usize, n: i32, lr: f32, rho: f32, momentum: f32, eps: f32): void {
  const l = f32x4.splat(lr);
  const r = f32x4.splat(rho);
  const r1 = f32x4.splat(1 - rho);
  const mu = f32x4.splat(momentum);
  const e = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) rmspropCenteredAt(p, ms, mg, mom, g, <usize>i << 2, 4, l, r, r1, mu, e);
  if (i < n) rmspropCenteredAt(p, ms, mg, mom, g, <usize>i << 2, n - i, l, r, r1, mu, e);
}

@inline function adamAt(p: usize, m: usize, v: usize, g: usize, o: usize, k: i32,
  b1: v128, b1c: v128, b2: v128, b2c: v128, ib1: v128, ib2: v128, lr: v128, eps: v128, decay: v128): void {
  const gv = loadN(g + o, k);
  const mv = madd(loadN(m + o, k), b1, f32x4.mul(gv, b1c));
  const vv = madd(loadN(v + o, k), b2, f32x4.mul(f32x4.mul(gv, gv), b2c));
  storeN(m + o, mv, k);
  storeN(v + o, vv, k);
  let pv = loadN(p + o, k);
  pv = madd(pv, decay, pv); // decoupled weight decay first (decay = −lr·wd; 0 for plain Adam)
  const den = f32x4.add(f32x4.sqrt(f32x4.mul(vv, ib2)), eps);
  const step = f32x4.div(f32x4.mul(f32x4.mul(mv, ib1), lr), den);
  storeN(p + o, f32x4.sub(pv, step), k);
}

/**
 * Adam / AdamW (TF.js AdamOptimizer formulas). p[n], m[n], v[n] updated in place, g[n] read:
 * m = b1·m + (1 − b1)·g; v = b2·v + (1 − b2)·g²; p −= lr·(m/bc1)/(√(v/bc2) + eps), where the
 * host passes bc1 = 1 − b1^t and bc2 = 1 − b2^t for step t ≥ 1. With wd ≠ 0 (AdamW) the
 * decoupled decay p −= lr·wd·p is applied to the pre-update p first, then the Adam step (the
 * Keras AdamW order). Reference: optim.ts adam_f32.
 */
export function adam_f32(p: usize, m: usize, v: usize, g: usize, n: i32, lr: f32, beta1: f32, beta2: f32, eps: f32, bc1: f32, bc2: f32, wd: f32): void {
  const b1 = f32x4.splat(beta1);
  const b1c = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2);
  const b2c = f32x4.splat(1 - beta2);
  // Reciprocals hoisted out of the loop: one division per element remains.
  const ib1 = f32x4.splat(<f32>1 / bc1);
  const ib2 = f32x4.splat(<f32>1 / bc2);
  const l = f32x4.splat(lr);
  const e = f32x4.splat(eps);
  const decay = f32x4.splat(-lr * wd);
  let i = 0;
  for (; i + 4 <= n; i += 4) adamAt(p, m, v, g, <usize>i << 2, 4, b1, b1c, b2, b2c, ib1, ib2, l, e, decay);
  if (i < n) adamAt(p, m, v, g, <usize>i << 2, n - i, b1, b1c, b2, b2c, ib1, ib2, l, e, decay);
}

@inline function adamaxAt(p: usize, m: usize, u: usize, g: usize, o: usize, k: i32,
  b1: v128, b1c: v128, b2: v128, lr: v128, eps: v128): void {
  const gv = loadN(g + o, k);
  const mv = madd(loadN(m + o, k), b1, f32x4.mul(gv, b1c));
  const uv = f32x4.max(f32x4.mul(loadN(u + o, k), b2), f32x4.abs(gv));
  storeN(m + o, mv, k);
  storeN(u + o, uv, k);
  const step = f32x4.mul(lr, f32x4.div(mv, f32x4.add(uv, eps)));
  storeN(p + o, f32x4.sub(loadN(p + o, k), step), k);
}

/**
 * Adamax (TF.js AdamaxOptimizer formulas). p[n], m[n] (first moment) and u[n] (weighted
 * infinity norm) updated in place, g[n] read: m = b1·m + (1 − b1)·g; u = max(b2·u, |g|);
 * p −= lrt·m/(u + eps), where the host passes lrt = lr / ((1 + decay·(t − 1))·(1 − b1^t)) for
 * step t ≥ 1 (TF.js's learning-rate decay and bias correction, constant over the block).
 * Reference: optim.ts adamax_f32.
 */
export function adamax_f32(p: usize, m: usize, u: usize, g: usize, n: i32, lrt: f32, beta1: f32, beta2: f32, eps: f32): void {
  const b1 = f32x4.splat(beta1);
  const b1c = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2);
  const l = f32x4.splat(lrt);
  const e = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) adamaxAt(p, m, u, g, <usize>i << 2, 4, b1, b1c, b2, l, e);
  if (i < n) adamaxAt(p, m, u, g, <usize>i << 2, n - i, b1, b1c, b2, l, e);
}

@inline function adadeltaAt(p: usize, ag: usize, au: usize, g: usize, o: usize, k: i32,
  lr: v128, rho: v128, rho1: v128, eps: v128): void {
  const gv = loadN(g + o, k);
  const agOld = loadN(ag + o, k);
  const auOld = loadN(au + o, k);
  storeN(ag + o, madd(agOld, rho, f32x4.mul(f32x4.mul(gv, gv), rho1)), k);
  const upd = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(auOld, eps)), f32x4.sqrt(f32x4.add(agOld, eps))), gv);
  storeN(au + o, madd(auOld, rho, f32x4.mul(f32x4.mul(upd, upd), rho1)), k);
  storeN(p + o, f32x4.sub(loadN(p + o, k), f32x4.mul(upd, lr)), k);
}

/**
 * Adadelta (TF.js AdadeltaOptimizer formulas). p[n], ag[n] (accumulated squared gradients) and
 * au[n] (accumulated squared updates) updated in place, g[n] read:
 * u = √(au + eps)/√(ag + eps)·g with the ag of the previous step (TF.js's order; the paper uses
 * the updated one); ag = rho·ag + (1 − rho)·g²; au = rho·au + (1 − rho)·u²; p −= lr·u.
 * Reference: optim.ts adadelta_f32.
 */
export function adadelta_f32(p: usize, ag: usize, au: usize, g: usize, n: i32, lr: f32, rho: f32, eps: f32): void {
  const l = f32x4.splat(lr);
  const r = f32x4.splat(rho);
  const r1 = f32x4.splat(1 - rho);
  const e = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) adadeltaAt(p, ag, au, g, <usize>i << 2, 4, l, r, r1, e);
  if (i < n) adadeltaAt(p, ag, au, g, <usize>i << 2, n - i, l, r, r1, e);
}

@inline function l1l2At(g: usize, p: usize, o: usize, k: i32, l1: v128, l2x2: v128): v128 {
  const pv = loadN(p + o, k);
  if (g) {
    const zero = f32x4.splat(0);
    const sign = f32x4.sub(v128.and(l1, f32x4.gt(pv, zero)), v128.and(l1, f32x4.lt(pv, zero)));
    storeN(g + o, f32x4.add(loadN(g + o, k), madd(pv, l2x2, sign)), k);
  }
  return pv;
}

/**
 * L1/L2 weight penalty over a parameter block (Keras l1l2 regularizer). p[n] read;
 * g[n] += l1·sign(p) + 2·l2·p (accumulates; sign(0) = 0; 0 = skip). Returns
 * l1·Σ|p| + l2·Σp², summed in f64. Reference: optim.ts l1l2_penalty_f32.
 */
export function l1l2_penalty_f32(g: usize, p: usize, n: i32, l1: f32, l2: f32): f64 {
  const a = f32x4.splat(l1);
  const b = f32x4.splat(2 * l2);
  let sAbs = f64x2.splat(0);
  let sSq = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const pv = l1l2At(g, p, <usize>i << 2, 4, a, b);
    sAbs = acc64(sAbs, f32x4.abs(pv));
    sSq = accSq64(sSq, pv);
  }
  if (i < n) {
    const pv = l1l2At(g, p, <usize>i << 2, n - i, a, b);
    sAbs = acc64(sAbs, f32x4.abs(pv));
    sSq = accSq64(sSq, pv);
  }
  return <f64>l1 * hsum64(sAbs) + <f64>l2 * hsum64(sSq);
}
