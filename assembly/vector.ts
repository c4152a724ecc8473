// Whole-buffer helpers the host calls between layers: zeroing gradients, copying batches in,
// scaling, the global-norm sum for gradient clipping, and argmax for accuracy metrics.
import { madd } from './simd';

/**
 * dst[n] = value (overwrites). Zero goes through memory.fill (one bulk op in every engine).
 * Reference: test/reference/vector.ts fill_f32.
 */
export function fill_f32(dst: usize, n: i32, value: f32): void {
  if (n <= 0) return;
  if (reinterpret<u32>(value) == 0) {
    memory.fill(dst, 0, <usize>n << 2);
    return;
  }
  const v = f32x4.splat(value);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const p = dst + (<usize>i << 2);
    v128.store(p, v);
    v128.store(p, v, 16);
  }
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), value);
}

/**
 * dst[n] = src[n] (overwrites; overlapping buffers are fine: memory.copy is a memmove).
 * Reference: test/reference/vector.ts copy_f32.
 */
export function copy_f32(dst: usize, src: usize, n: i32): void {
  if (n <= 0) return;
  memory.copy(dst, src, <usize>n << 2);
}

/**
 * x[n] *= alpha, in place. Reference: test/reference/vector.ts scale_f32.
 */
export function scale_f32(x: usize, n: i32, alpha: f32): void {
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const p = x + (<usize>i << 2);
    v128.store(p, f32x4.mul(v128.load(p), a));
    v128.store(p, f32x4.mul(v128.load(p, 16), a), 16);
  }
  for (; i < n; i++) {
    const p = x + (<usize>i << 2);
    store<f32>(p, load<f32>(p) * alpha);
  }
}

/**
 * y[n] += alpha·x[n] (accumulates into y). Fused in the relaxed binary.
 * Reference: test/reference/vector.ts axpy_f32.
 */
export function axpy_f32(y: usize, x: usize, n: i32, alpha: f32): void {
  const a = f32x4.splat(alpha);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    v128.store(y + o, madd(v128.load(x + o), a, v128.load(y + o)));
    v128.store(y + o, madd(v128.load(x + o, 16), a, v128.load(y + o, 16)), 16);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, madd(v128.load(x + o), a, v128.load(y + o)));
  }
  // The tail goes through one lane of the same vector op so it rounds like the body.
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const r = madd(f32x4.splat(load<f32>(x + o)), a, f32x4.splat(load<f32>(y + o)));
    store<f32>(y + o, f32x4.extract_lane(r, 0));
  }
}

/**
 * Σ x[n]² as f64 (reads only). Squares and sums in f64 lanes, so the result is exact to f64
 * rounding for any n (it feeds clipnorm and L2 metrics). Reference: vector.ts sum_squares_f32.
 */
export function sum_squares_f32(x: usize, n: i32): f64 {
  let s0 = f64x2.splat(0);
  let s1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const lo = f64x2.promote_low_f32x4(v);
    const hi = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
    s0 = f64x2.add(s0, f64x2.mul(lo, lo));
    s1 = f64x2.add(s1, f64x2.mul(hi, hi));
  }
  const s = f64x2.add(s0, s1);
  let t = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    t += v * v;
  }
  return t;
}

/**
 * out[rows] (i32) = index of the largest of each row of x[rows, cols] (overwrites out); the
 * first index wins ties (a row holding NaN gets some valid column, never one out of range). Four lanes keep a running max and its column each (strict >, so each
 * lane keeps its first max); the lanes are merged by value, then by lowest column.
 * Reference: test/reference/vector.ts argmax_rows_f32.
 */
export function argmax_rows_f32(out: usize, x: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = x + ((<usize>r * <usize>cols) << 2);
    let best: f32 = load<f32>(row);
    let at = 0;
    let j = 1;
    if (cols >= 8) {
      let bv = v128.load(row);
      let bi = i32x4(0, 1, 2, 3);
      let ci = bi;
      const four = i32x4.splat(4);
      for (j = 4; j + 4 <= cols; j += 4) {
        ci = i32x4.add(ci, four);
        const v = v128.load(row + (<usize>j << 2));
        const gt = f32x4.gt(v, bv);
        bv = v128.bitselect(v, bv, gt);
        bi = v128.bitselect(ci, bi, gt);
      }
      // Lane merge: the max value, then the smallest column holding it.
      let m = f32x4.max(bv, v128.shuffle<f32>(bv, bv, 2, 3, 0, 1));
      m = f32x4.max(m, v128.shuffle<f32>(m, m, 1, 0, 3, 2));
      let idx = v128.bitselect(bi, i32x4.splat(i32.MAX_VALUE), f32x4.eq(bv, m));
      idx = i32x4.min_s(idx, v128.shuffle<i32>(idx, idx, 2, 3, 0, 1));
      idx = i32x4.min_s(idx, v128.shuffle<i32>(idx, idx, 1, 0, 3, 2));
      best = f32x4.extract_lane(m, 0);
      at = i32x4.extract_lane(idx, 0);
      if (at == i32.MAX_VALUE) {
        // Only a NaN max gets here; keep the index in range.
        best = load<f32>(row);
        at = 0;
      }
    }
    for (; j < cols; j++) {
      const v = load<f32>(row + (<usize>j << 2));
      if (v > best) {
        best = v;
        at = j;
      }
    }
    store<i32>(out + (<usize>r << 2), at);
  }
}
