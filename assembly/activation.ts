// Activations: elementwise over n floats (softmax: over the rows of [rows, cols]).
// Forward kernels overwrite y and allow y == x (in-place activation). Backward kernels
// accumulate dx += dy·f'(·), taking f' from whichever of x and y is cheaper and stable, so
// relu, leaky_relu, elu, sigmoid and tanh stay correct after an in-place forward (x == y then
// holds outputs); softplus needs the original x. Loops take 8 floats per iteration (then 4
// where the body is expensive); wherever a tail could round differently from the lanes (exp,
// fused multiply-add) it runs lane 0 of the same vector code on a splat.
import {
  madd, hsum, exp4, expm1_4, sigmoid4, tanh4, softplus4, exp1, loadN, storeN,
} from './simd';

// ---- linear ----------------------------------------------------------------------------------

/**
 * y[n] = x[n] (overwrites; no-op when y == x). Reference: activation.ts linear_forward_f32.
 */
export function linear_forward_f32(y: usize, x: usize, n: i32): void {
  if (y != x && n > 0) memory.copy(y, x, <usize>n << 2);
}

/**
 * dx[n] += dy[n]; x, y unused. Reference: activation.ts linear_backward_f32.
 */
export function linear_backward_f32(dx: usize, dy: usize, x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    v128.store(dx + o, f32x4.add(v128.load(dx + o), v128.load(dy + o)));
    v128.store(dx + o, f32x4.add(v128.load(dx + o, 16), v128.load(dy + o, 16)), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, load<f32>(dx + o) + load<f32>(dy + o));
  }
}

// ---- relu ------------------------------------------------------------------------------------

/**
 * y[n] = max(x, 0) (overwrites; y == x allowed). Reference: activation.ts relu_forward_f32.
 */
export function relu_forward_f32(y: usize, x: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const a = v128.load(x + o);
    const b = v128.load(x + o, 16);
    v128.store(y + o, f32x4.pmax(a, z));
    v128.store(y + o, f32x4.pmax(b, z), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(y + o, v < 0 ? 0 : v); // pmax's rule: −0 and NaN pass through, as in the body
  }
}

/**
 * dx[n] += x > 0 ? dy : 0 (accumulates; x[n] may hold y after an in-place forward, same sign
 * test). y unused. Reference: activation.ts relu_backward_f32.
 */
export function relu_backward_f32(dx: usize, dy: usize, x: usize, y: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const ga = v128.and(v128.load(dy + o), f32x4.gt(v128.load(x + o), z));
    const gb = v128.and(v128.load(dy + o, 16), f32x4.gt(v128.load(x + o, 16), z));
    v128.store(dx + o, f32x4.add(v128.load(dx + o), ga));
    v128.store(dx + o, f32x4.add(v128.load(dx + o, 16), gb), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    if (load<f32>(x + o) > 0) store<f32>(dx + o, load<f32>(dx + o) + load<f32>(dy + o));
  }
}

// ---- leaky relu ------------------------------------------------------------------------------

/**
 * y[n] = x > 0 ? x : alpha·x (overwrites; y == x allowed).
 * Reference: activation.ts leaky_relu_forward_f32.
 */
export function leaky_relu_forward_f32(y: usize, x: usize, n: i32, alpha: f32): void {
  const z = f32x4.splat(0);
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const u = v128.load(x + o);
    const w = v128.load(x + o, 16);
    v128.store(y + o, v128.bitselect(u, f32x4.mul(u, a), f32x4.gt(u, z)));
    v128.store(y + o, v128.bitselect(w, f32x4.mul(w, a), f32x4.gt(w, z)), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    store<f32>(y + o, v > 0 ? v : v * alpha);
  }
}

/**
 * dx[n] += dy·(x > 0 ? 1 : alpha) (accumulates; y unused, x may hold y when alpha > 0).
 * Reference: activation.ts leaky_relu_backward_f32.
 */
export function leaky_relu_backward_f32(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  const z = f32x4.splat(0);
  const one = f32x4.splat(1);
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const da = v128.bitselect(one, a, f32x4.gt(v128.load(x + o), z));
    const db = v128.bitselect(one, a, f32x4.gt(v128.load(x + o, 16), z));
    v128.store(dx + o, madd(v128.load(dy + o), da, v128.load(dx + o)));
    v128.store(dx + o, madd(v128.load(dy + o, 16), db, v128.load(dx + o, 16)), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const d = load<f32>(x + o) > 0 ? one : a;
    const r = madd(f32x4.splat(load<f32>(dy + o)), d, f32x4.splat(load<f32>(dx + o)));
    store<f32>(dx + o, f32x4.extract_lane(r, 0));
  }
}

// ---- elu -------------------------------------------------------------------------------------

@inline function eluV(v: v128, a: v128): v128 {
  return v128.bitselect(v, f32x4.mul(a, expm1_4(v)), f32x4.gt(v, f32x4.splat(0)));
}

/**
 * y[n] = x > 0 ? x : alpha·(e^x − 1) (overwrites; y == x allowed). expm1 keeps small negative
 * x accurate. Reference: activation.ts elu_forward_f32.
 */
export function elu_forward_f32(y: usize, x: usize, n: i32, alpha: f32): void {
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const u = v128.load(x + o);
    const w = v128.load(x + o, 16);
    v128.store(y + o, eluV(u, a));
    v128.store(y + o, eluV(w, a), 16);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, eluV(v128.load(x + o), a));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, f32x4.extract_lane(eluV(f32x4.splat(load<f32>(x + o)), a), 0));
  }
}

/**
 * dx[n] += dy·(x > 0 ? 1 : y + alpha) (accumulates): on the negative side
 * d/dx alpha·(e^x − 1) = alpha·e^x = y + alpha, so no exp here. Needs y[n]; x[n] only for its
 * sign (may hold y when alpha > 0). Reference: activation.ts elu_backward_f32.
 */
export function elu_backward_f32(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  const z = f32x4.splat(0);
  const one = f32x4.splat(1);
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const da = v128.bitselect(one, f32x4.add(v128.load(y + o), a), f32x4.gt(v128.load(x + o), z));
    const db = v128.bitselect(one, f32x4.add(v128.load(y + o, 16), a), f32x4.gt(v128.load(x + o, 16), z));
    v128.store(dx + o, madd(v128.load(dy + o), da, v128.load(dx + o)));
    v128.store(dx + o, madd(v128.load(dy + o, 16), db, v128.load(dx + o, 16)), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const d = load<f32>(x + o) > 0 ? one : f32x4.add(f32x4.splat(load<f32>(y + o)), a);
    const r = madd(f32x4.splat(load<f32>(dy + o)), d, f32x4.splat(load<f32>(dx + o)));
    store<f32>(dx + o, f32x4.extract_lane(r, 0));
  }
}

// ---- sigmoid ---------------------------------------------------------------------------------

/**
 * y[n] = 1/(1 + e^−x) (overwrites; y == x allowed), in [0, 1] for every finite x.
 * Reference: activation.ts sigmoid_forward_f32.
 */
export function sigmoid_forward_f32(y: usize, x: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const u = v128.load(x + o);
    const w = v128.load(x + o, 16);
    v128.store(y + o, sigmoid4(u));
    v128.store(y + o, sigmoid4(w), 16);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, sigmoid4(v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, f32x4.extract_lane(sigmoid4(f32x4.splat(load<f32>(x + o))), 0));
  }
}

@inline function sigmoidGrad(dxv: v128, dyv: v128, yv: v128): v128 {
  return madd(dyv, f32x4.mul(yv, f32x4.sub(f32x4.splat(1), yv)), dxv);
}

/**
 * dx[n] += dy·y(1 − y) (accumulates); needs y[n] only. Reference: activation.ts
 * sigmoid_backward_f32.
 */
export function sigmoid_backward_f32(dx: usize, dy: usize, x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    v128.store(dx + o, sigmoidGrad(v128.load(dx + o), v128.load(dy + o), v128.load(y + o)));
    v128.store(dx + o, sigmoidGrad(v128.load(dx + o, 16), v128.load(dy + o, 16), v128.load(y + o, 16)), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const r = sigmoidGrad(f32x4.splat(load<f32>(dx + o)), f32x4.splat(load<f32>(dy + o)), f32x4.splat(load<f32>(y + o)));
    store<f32>(dx + o, f32x4.extract_lane(r, 0));
  }
}

// ---- tanh ------------------------------------------------------------------------------------

/**
 * y[n] = tanh(x) (overwrites; y == x allowed), relative-accurate near 0 (via expm1).
 * Reference: activation.ts tanh_forward_f32.
 */
export function tanh_forward_f32(y: usize, x: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const u = v128.load(x + o);
    const w = v128.load(x + o, 16);
    v128.store(y + o, tanh4(u));
    v128.store(y + o, tanh4(w), 16);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, tanh4(v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, f32x4.extract_lane(tanh4(f32x4.splat(load<f32>(x + o))), 0));
  }
}

@inline function tanhGrad(dxv: v128, dyv: v128, yv: v128): v128 {
  // (1 − y)(1 + y) rather than 1 − y²: exact cancellation as |y| → 1.
  const d = f32x4.mul(f32x4.sub(f32x4.splat(1), yv), f32x4.add(f32x4.splat(1), yv));
  return madd(dyv, d, dxv);
}

/**
 * dx[n] += dy·(1 − y²) (accumulates); needs y[n] only. Reference: activation.ts
 * tanh_backward_f32.
 */
export function tanh_backward_f32(dx: usize, dy: usize, x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    v128.store(dx + o, tanhGrad(v128.load(dx + o), v128.load(dy + o), v128.load(y + o)));
    v128.store(dx + o, tanhGrad(v128.load(dx + o, 16), v128.load(dy + o, 16), v128.load(y + o, 16)), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const r = tanhGrad(f32x4.splat(load<f32>(dx + o)), f32x4.splat(load<f32>(dy + o)), f32x4.splat(load<f32>(y + o)));
    store<f32>(dx + o, f32x4.extract_lane(r, 0));
  }
}

// ---- softplus --------------------------------------------------------------------------------

/**
 * y[n] = log(1 + e^x) (overwrites; y == x allowed), as max(x, 0) + log1p(e^−|x|): finite for
 * every finite x, and ≈ e^x without underflow to 0 until e^x does.
 * Reference: activation.ts softplus_forward_f32.
 */
export function softplus_forward_f32(y: usize, x: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const u = v128.load(x + o);
    const w = v128.load(x + o, 16);
    v128.store(y + o, softplus4(u));
    v128.store(y + o, softplus4(w), 16);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, softplus4(v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, f32x4.extract_lane(softplus4(f32x4.splat(load<f32>(x + o))), 0));
  }
}

/**
 * dx[n] += dy·sigmoid(x) (accumulates); needs the original x[n] (not in-place safe), y unused.
 * Reference: activation.ts softplus_backward_f32.
 */
export function softplus_backward_f32(dx: usize, dy: usize, x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const sa = sigmoid4(v128.load(x + o));
    const sb = sigmoid4(v128.load(x + o, 16));
    v128.store(dx + o, madd(v128.load(dy + o), sa, v128.load(dx + o)));
    v128.store(dx + o, madd(v128.load(dy + o, 16), sb, v128.load(dx + o, 16)), 16);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dx + o, madd(v128.load(dy + o), sigmoid4(v128.load(x + o)), v128.load(dx + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const r = madd(f32x4.splat(load<f32>(dy + o)), sigmoid4(f32x4.splat(load<f32>(x + o))), f32x4.splat(load<f32>(dx + o)));
    store<f32>(dx + o, f32x4.extract_lane(r, 0));
  }
}

// ---- step ------------------------------------------------------------------------------------

/**
 * y[n] = x >= 0 ? 1 : 0 (overwrites; y == x allowed). No backward: the gradient is zero
 * almost everywhere. Reference: activation.ts step_forward_f32.
 */
export function step_forward_f32(y: usize, x: usize, n: i32): void {
  const z = f32x4.splat(0);
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const u = v128.load(x + o);
    const w = v128.load(x + o, 16);
    v128.store(y + o, v128.and(one, f32x4.ge(u, z)));
    v128.store(y + o, v128.and(one, f32x4.ge(w, z)), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(x + o) >= 0 ? 1 : 0);
  }
}

// ---- softmax ---------------------------------------------------------------------------------

/** Largest of p[n], n ≥ 1. */
@inline export function rowMax(p: usize, n: i32): f32 {
  let m: f32 = load<f32>(p);
  let j = 0;
  if (n >= 8) {
    let a = v128.load(p);
    let b = v128.load(p, 16);
    for (j = 8; j + 8 <= n; j += 8) {
      a = f32x4.pmax(a, v128.load(p + (<usize>j << 2)));
      b = f32x4.pmax(b, v128.load(p + (<usize>j << 2), 16));
    }
    a = f32x4.pmax(a, b);
    a = f32x4.pmax(a, v128.shuffle<f32>(a, a, 2, 3, 0, 1));
    a = f32x4.pmax(a, v128.shuffle<f32>(a, a, 1, 0, 3, 2));
    m = f32x4.extract_lane(a, 0);
  }
  for (; j < n; j++) {
    const v = load<f32>(p + (<usize>j << 2));
    if (v > m) m = v;
  }
  return m;
}

/**
 * Σ e^(src[j] − shift) over n; also stores each term to dst[n] unless dst is 0. dst == src is
 * fine (each element is read before it is written).
 */
@inline export function rowExpSum(dst: usize, src: usize, n: i32, shift: f32): f32 {
  const c = f32x4.splat(shift);
  let s0 = f32x4.splat(0);
  let s1 = f32x4.splat(0);
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const o = <usize>j << 2;
    const a = exp4(f32x4.sub(v128.load(src + o), c));
    const b = exp4(f32x4.sub(v128.load(src + o, 16), c));
    if (dst) {
      v128.store(dst + o, a);
      v128.store(dst + o, b, 16);
    }
    s0 = f32x4.add(s0, a);
    s1 = f32x4.add(s1, b);
  }
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    const a = exp4(f32x4.sub(v128.load(src + o), c));
    if (dst) v128.store(dst + o, a);
    s0 = f32x4.add(s0, a);
  }
  let s = hsum(f32x4.add(s0, s1));
  for (; j < n; j++) {
    const o = <usize>j << 2;
    const e = exp1(load<f32>(src + o) - shift);
    if (dst) store<f32>(dst + o, e);
    s += e;
  }
  return s;
}

/**
 * y[rows, cols] = softmax of each row of x[rows, cols] (overwrites; y == x allowed; any
 * cols ≥ 1). The row max is subtracted first, so no exp overflows and the sum is ≥ 1.
 * Reference: activation.ts softmax_forward_f32.
 */
export function softmax_forward_f32(y: usize, x: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const off = (<usize>r * <usize>cols) << 2;
    const xr = x + off;
    const yr = y + off;
    const s = rowExpSum(yr, xr, cols, rowMax(xr, cols));
    const inv = f32x4.splat(<f32>1 / s);
    let j = 0;
    for (; j + 8 <= cols; j += 8) {
      const o = <usize>j << 2;
      v128.store(yr + o, f32x4.mul(v128.load(yr + o), inv));
      v128.store(yr + o, f32x4.mul(v128.load(yr + o, 16), inv), 16);
    }
    const invs: f32 = f32x4.extract_lane(inv, 0);
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(yr + o, load<f32>(yr + o) * invs);
    }
  }
}

/**
 * dx[rows, cols] += y ⊙ (dy − Σ_j dy·y) per row (accumulates); y[rows, cols] is the forward
 * output, dy[rows, cols] its gradient. Reference: activation.ts softmax_backward_f32.
 */
export function softmax_backward_f32(dx: usize, dy: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const off = (<usize>r * <usize>cols) << 2;
    const dxr = dx + off;
    const dyr = dy + off;
    const yr = y + off;
    let a = f32x4.splat(0);
    let b = f32x4.splat(0);
    let j = 0;
    for (; j + 8 <= cols; j += 8) {
      const o = <usize>j << 2;
      a = madd(v128.load(dyr + o), v128.load(yr + o), a);
      b = madd(v128.load(dyr + o, 16), v128.load(yr + o, 16), b);
    }
    let dot = hsum(f32x4.add(a, b));
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      dot += load<f32>(dyr + o) * load<f32>(yr + o);
    }
    const d = f32x4.splat(dot);
    j = 0;
    for (; j + 8 <= cols; j += 8) {
      const o = <usize>j << 2;
      const ga = f32x4.mul(v128.load(yr + o), f32x4.sub(v128.load(dyr + o), d));
      const gb = f32x4.mul(v128.load(yr + o, 16), f32x4.sub(v128.load(dyr + o, 16), d));
      v128.store(dxr + o, f32x4.add(v128.load(dxr + o), ga));
      v128.store(dxr + o, f32x4.add(v128.load(dxr + o, 16), gb), 16);
    }
    for (; j < cols; j++) {
      const o = <usize>j << 2;
      store<f32>(dxr + o, load<f32>(dxr + o) + load<f32>(yr + o) * (load<f32>(dyr + o) - dot));
    }
  }
}

// ---- relu with a ceiling, softmax along any axis ---------------------------------------------

/**
 * y[n] = min(max(x, 0), maxValue) (overwrites; y == x allowed): TF.js ReLU({ maxValue }), relu
 * then clipByValue(0, maxValue); NaN passes through. Reference: activation.ts relu_max_forward_f32.
 */
export function relu_max_forward_f32(y: usize, x: usize, n: i32, maxValue: f32): void {
  const z = f32x4.splat(0);
  const m = f32x4.splat(maxValue);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const a = v128.load(x + o);
    const b = v128.load(x + o, 16);
    v128.store(y + o, f32x4.pmin(f32x4.pmax(a, z), m));
    v128.store(y + o, f32x4.pmin(f32x4.pmax(b, z), m), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let v = load<f32>(x + o);
    v = v < 0 ? 0 : v;
    store<f32>(y + o, maxValue < v ? maxValue : v); // pmax/pmin's rules, as in the body
  }
}

/**
 * dx[n] += dy where 0 < x ≤ maxValue (relu's gradient times clipByValue's, whose bounds are
 * inclusive); y unused. Needs the original x: after an in-place forward, x = maxValue could
 * not be told from x > maxValue. Reference: activation.ts relu_max_backward_f32.
 */
export function relu_max_backward_f32(dx: usize, dy: usize, x: usize, y: usize, n: i32, maxValue: f32): void {
  const z = f32x4.splat(0);
  const m = f32x4.splat(maxValue);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const xv = v128.load(x + o);
    const g = v128.and(v128.load(dy + o), v128.and(f32x4.gt(xv, z), f32x4.le(xv, m)));
    v128.store(dx + o, f32x4.add(v128.load(dx + o), g));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    if (v > 0 && v <= maxValue) store<f32>(dx + o, load<f32>(dx + o) + load<f32>(dy + o));
  }
}

/**
 * Softmax along the middle axis of x[outer, n, inner]: y[o, :, i] = softmax(x[o, :, i])
 * (overwrites; y == x allowed), four inner positions per vector, so no transpose is needed.
 * inner = 1 is softmax_forward_f32's case. Reference: activation.ts softmax_axis_forward_f32.
 */
export function softmax_axis_forward_f32(y: usize, x: usize, outer: i32, n: i32, inner: i32): void {
  const stride = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const base = (<usize>o * <usize>n * <usize>inner) << 2;
    for (let i = 0; i < inner; i += 4) {
      const k = min(inner - i, 4);
      const xi = x + base + (<usize>i << 2);
      const yi = y + base + (<usize>i << 2);
      let m = loadN(xi, k);
      for (let j = 1; j < n; j++) m = f32x4.pmax(m, loadN(xi + <usize>j * stride, k));
      let s = f32x4.splat(0);
      for (let j = 0; j < n; j++) {
        const e = exp4(f32x4.sub(loadN(xi + <usize>j * stride, k), m));
        storeN(yi + <usize>j * stride, e, k);
        s = f32x4.add(s, e);
      }
      const inv = f32x4.div(f32x4.splat(1), s);
      for (let j = 0; j < n; j++) {
        const p = yi + <usize>j * stride;
        storeN(p, f32x4.mul(loadN(p, k), inv), k);
      }
    }
  }
}

/**
 * dx[o, j, i] += y·(dy − Σ_j dy·y) along the middle axis of [outer, n, inner] (accumulates);
 * y is softmax_axis_forward_f32's output. Reference: activation.ts softmax_axis_backward_f32.
 */
export function softmax_axis_backward_f32(dx: usize, dy: usize, y: usize, outer: i32, n: i32, inner: i32): void {
  const stride = <usize>inner << 2;
  for (let o = 0; o < outer; o++) {
    const base = (<usize>o * <usize>n * <usize>inner) << 2;
    for (let i = 0; i < inner; i += 4) {
      const k = min(inner - i, 4);
      const off = base + (<usize>i << 2);
      let dot = f32x4.splat(0);
      for (let j = 0; j < n; j++) {
        const q = off + <usize>j * stride;
        dot = madd(loadN(dy + q, k), loadN(y + q, k), dot);
      }
      for (let j = 0; j < n; j++) {
        const q = off + <usize>j * stride;
        const g = f32x4.mul(loadN(y + q, k), f32x4.sub(loadN(dy + q, k), dot));
        storeN(dx + q, f32x4.add(loadN(dx + q, k), g), k);
      }
    }
  }
}
