// Merge layers of the functional API: add / average (merge_sum), subtract, multiply, maximum /
// minimum, concatenate and dot (batch_matmul). Semantics follow TF.js's layers, which fold their
// inputs left to right: add is ((x0 + x1) + x2)…, average multiplies that sum by 1/count,
// multiply is ((x0·x1)·x2)…, maximum is max(max(x0, x1), x2)….
//
// Kernels with several inputs take `xs`: the byte address of an array of `count` u32 byte
// addresses, one per input (`dxs` likewise for their gradients; a 0 entry there skips that
// input). The same tensor may be listed more than once (add([x, x])): backward kernels then give
// each entry its share, one entry after the other, so a repeated dx receives the sum.
//
// Elementwise kernels run four lanes at a time with a scalar tail that rounds exactly like a lane
// (f32 add, mul, min and max are the same operation in a lane and in a scalar), and never touch
// anything past n. A forward output may be the same buffer as one of its inputs (each block of
// four reads every input before it writes), but must not partially overlap one.
import { hsum, madd } from './simd';
import { axpy_f32 } from './vector';

/** Byte address held by entry i of the u32 address array at `list`. */
@inline function entry(list: usize, i: i32): usize {
  return <usize>load<u32>(list + (<usize>i << 2));
}

/** a·b + c rounded as one lane of madd (fused in the relaxed binary), for scalar tails. */
@inline function madd1(a: f32, b: f32, c: f32): f32 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.extract_lane(f32x4.relaxed_madd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c)), 0);
  }
  return a * b + c;
}

// ---- add / average / subtract ---------------------------------------------------------------

/**
 * y[n] = scale·(x_0 + x_1 + … + x_{count−1}) (OVERWRITES y), summed left to right, then scaled:
 * add passes scale = 1 (exact), average 1/count. xs: count u32 addresses of x_i[n]; count ≥ 1
 * (count ≤ 0 writes nothing). y may be one of the x_i.
 * Reference: test/reference/merge.ts merge_sum_forward_f32.
 */
export function merge_sum_forward_f32(y: usize, xs: usize, count: i32, n: i32, scale: f32): void {
  if (count <= 0 || n <= 0) return;
  const s = f32x4.splat(scale);
  const x0 = entry(xs, 0);
  const end = <usize>n << 2;
  const end4 = <usize>(n & ~3) << 2;
  let o: usize = 0;
  for (; o < end4; o += 16) {
    let acc = v128.load(x0 + o);
    for (let i = 1; i < count; i++) acc = f32x4.add(acc, v128.load(entry(xs, i) + o));
    v128.store(y + o, f32x4.mul(acc, s));
  }
  for (; o < end; o += 4) {
    let acc = load<f32>(x0 + o);
    for (let i = 1; i < count; i++) acc += load<f32>(entry(xs, i) + o);
    store<f32>(y + o, acc * scale);
  }
}

/**
 * Gradient of merge_sum_forward_f32, ACCUMULATED: dx_i[n] += scale·dy[n] for every input i whose
 * dxs entry is not 0. dxs: count u32 addresses of dx_i[n] (0 = skip); dy[n].
 * Reference: test/reference/merge.ts merge_sum_backward_f32.
 */
export function merge_sum_backward_f32(dxs: usize, dy: usize, count: i32, n: i32, scale: f32): void {
  if (n <= 0) return;
  for (let i = 0; i < count; i++) {
    const d = entry(dxs, i);
    if (d != 0) axpy_f32(d, dy, n, scale);
  }
}

/**
 * y[n] = a[n] − b[n] (OVERWRITES y; y may be a or b). Its gradient needs no kernel: the host
 * runs axpy_f32(da, dy, n, 1) and axpy_f32(db, dy, n, −1).
 * Reference: test/reference/merge.ts subtract_forward_f32.
 */
export function subtract_forward_f32(y: usize, a: usize, b: usize, n: i32): void {
  if (n <= 0) return;
  const end = <usize>n << 2;
  const end4 = <usize>(n & ~3) << 2;
  let o: usize = 0;
  for (; o < end4; o += 16) v128.store(y + o, f32x4.sub(v128.load(a + o), v128.load(b + o)));
  for (; o < end; o += 4) store<f32>(y + o, load<f32>(a + o) - load<f32>(b + o));
}

// ---- multiply -------------------------------------------------------------------------------

/**
 * y[n] = x_0·x_1·…·x_{count−1} (OVERWRITES y), multiplied left to right. xs: count u32
 * addresses of x_i[n]; count ≥ 1 (count ≤ 0 writes nothing). y may be one of the x_i.
 * Reference: test/reference/merge.ts merge_mul_forward_f32.
 */
export function merge_mul_forward_f32(y: usize, xs: usize, count: i32, n: i32): void {
  if (count <= 0 || n <= 0) return;
  const x0 = entry(xs, 0);
  const end = <usize>n << 2;
  const end4 = <usize>(n & ~3) << 2;
  let o: usize = 0;
  for (; o < end4; o += 16) {
    let acc = v128.load(x0 + o);
    for (let i = 1; i < count; i++) acc = f32x4.mul(acc, v128.load(entry(xs, i) + o));
    v128.store(y + o, acc);
  }
  for (; o < end; o += 4) {
    let acc = load<f32>(x0 + o);
    for (let i = 1; i < count; i++) acc *= load<f32>(entry(xs, i) + o);
    store<f32>(y + o, acc);
  }
}

/**
 * Gradient of merge_mul_forward_f32, ACCUMULATED: dx_i[n] += dy[n]·Π_{j≠i} x_j[n] for every input
 * whose dxs entry is not 0. The product of the others is formed directly (no division by x_i),
 * so zeros in the inputs are exact. dxs: count u32 addresses of dx_i[n] (0 = skip); dy[n]; xs:
 * count u32 addresses of the forward's x_j[n]. No dx_i may alias an x_j.
 * Reference: test/reference/merge.ts merge_mul_backward_f32.
 */
export function merge_mul_backward_f32(dxs: usize, dy: usize, xs: usize, count: i32, n: i32): void {
  if (n <= 0) return;
  const end = <usize>n << 2;
  const end4 = <usize>(n & ~3) << 2;
  for (let i = 0; i < count; i++) {
    const d = entry(dxs, i);
    if (d == 0) continue;
    let o: usize = 0;
    for (; o < end4; o += 16) {
      let g = v128.load(dy + o);
      for (let j = 0; j < count; j++) if (j != i) g = f32x4.mul(g, v128.load(entry(xs, j) + o));
      v128.store(d + o, f32x4.add(v128.load(d + o), g));
    }
    for (; o < end; o += 4) {
      let g = load<f32>(dy + o);
      for (let j = 0; j < count; j++) if (j != i) g *= load<f32>(entry(xs, j) + o);
      store<f32>(d + o, load<f32>(d + o) + g);
    }
  }
}

// ---- maximum / minimum ----------------------------------------------------------------------
// The forward is a left fold of f32 max (min), which is JavaScript's Math.max (Math.min) and so
// TF.js's tf.maximum on the CPU backend: NaN if any input is NaN, max(−0, +0) = +0. The gradient
// is what TF.js's fold gives: grad of maximum(a, b) is dy·(a ≥ b) to a and dy·(a < b) to b
// (minimum: a ≤ b, a > b), so dy goes to the FIRST input that attains the max, and an element
// where any input is NaN sends no gradient to any input (every comparison with NaN is false).

/** Left fold of max (isMin: min) over the count inputs, at byte offset o, four lanes. */
@inline function foldMax4(xs: usize, count: i32, o: usize, isMin: bool): v128 {
  let m = v128.load(entry(xs, 0) + o);
  for (let i = 1; i < count; i++) {
    const v = v128.load(entry(xs, i) + o);
    m = isMin ? f32x4.min(m, v) : f32x4.max(m, v);
  }
  return m;
}

@inline function foldMax1(xs: usize, count: i32, o: usize, isMin: bool): f32 {
  let m = load<f32>(entry(xs, 0) + o);
  for (let i = 1; i < count; i++) {
    const v = load<f32>(entry(xs, i) + o);
    m = isMin ? min<f32>(m, v) : max<f32>(m, v);
  }
  return m;
}

@inline function maxForward(y: usize, xs: usize, count: i32, n: i32, isMin: bool): void {
  const end = <usize>n << 2;
  const end4 = <usize>(n & ~3) << 2;
  let o: usize = 0;
  for (; o < end4; o += 16) v128.store(y + o, foldMax4(xs, count, o, isMin));
  for (; o < end; o += 4) store<f32>(y + o, foldMax1(xs, count, o, isMin));
}

/**
 * y[n] = max(…max(max(x_0, x_1), x_2)…) elementwise (OVERWRITES y); the minimum when isMin ≠ 0.
 * NaN in any input gives NaN; max(−0, +0) = +0 (Math.max's rules). xs: count u32 addresses of
 * x_i[n]; count ≥ 1 (count ≤ 0 writes nothing). y may be one of the x_i.
 * Reference: test/reference/merge.ts merge_max_forward_f32.
 */
export function merge_max_forward_f32(y: usize, xs: usize, count: i32, n: i32, isMin: i32): void {
  if (count <= 0 || n <= 0) return;
  if (isMin != 0) maxForward(y, xs, count, n, true);
  else maxForward(y, xs, count, n, false);
}

@inline function maxBackward(dxs: usize, dy: usize, xs: usize, count: i32, n: i32, isMin: bool): void {
  const end = <usize>n << 2;
  const end4 = <usize>(n & ~3) << 2;
  let o: usize = 0;
  for (; o < end4; o += 16) {
    // owner: the input the fold's gradient reaches (it moves on a strict improvement only).
    let m = v128.load(entry(xs, 0) + o);
    let owner = i32x4.splat(0);
    for (let i = 1; i < count; i++) {
      const v = v128.load(entry(xs, i) + o);
      const better = isMin ? f32x4.gt(m, v) : f32x4.lt(m, v);
      owner = v128.bitselect(i32x4.splat(i), owner, better);
      m = isMin ? f32x4.min(m, v) : f32x4.max(m, v);
    }
    const live = f32x4.eq(m, m); // false where some input is NaN
    const g = v128.load(dy + o);
    for (let i = 0; i < count; i++) {
      const d = entry(dxs, i);
      if (d == 0) continue;
      const mine = v128.and(i32x4.eq(owner, i32x4.splat(i)), live);
      if (!v128.any_true(mine)) continue;
      const dv = v128.load(d + o);
      v128.store(d + o, v128.bitselect(f32x4.add(dv, g), dv, mine));
    }
  }
  for (; o < end; o += 4) {
    let m = load<f32>(entry(xs, 0) + o);
    let owner = 0;
    for (let i = 1; i < count; i++) {
      const v = load<f32>(entry(xs, i) + o);
      if (isMin ? m > v : m < v) owner = i;
      m = isMin ? min<f32>(m, v) : max<f32>(m, v);
    }
    if (m != m) continue;
    const d = entry(dxs, owner);
    if (d != 0) store<f32>(d + o, load<f32>(d + o) + load<f32>(dy + o));
  }
}

/**
 * Gradient of merge_max_forward_f32, ACCUMULATED: per element, dx_i[n] += dy[n] for the FIRST
 * input i attaining the max (min when isMin ≠ 0), nothing to the others; an element where any
 * input is NaN adds nothing anywhere (TF.js's left fold of tf.maximum / tf.minimum). dxs: count
 * u32 addresses of dx_i[n] (0 = skip); dy[n]; xs: the forward's count inputs x_i[n]. No dx_i may
 * alias an x_j.
 * Reference: test/reference/merge.ts merge_max_backward_f32.
 */
export function merge_max_backward_f32(dxs: usize, dy: usize, xs: usize, count: i32, n: i32, isMin: i32): void {
  if (count <= 0 || n <= 0) return;
  if (isMin != 0) maxBackward(dxs, dy, xs, count, n, true);
  else maxBackward(dxs, dy, xs, count, n, false);
}

// ---- concatenate ----------------------------------------------------------------------------
// Concatenation along any axis: the host views every input as [outer, width_i] (outer = the
// product of the dimensions before the axis, width_i = the input's axis length times the
// product of the dimensions after it) and the output as [outer, total], total = Σ width_i.

/** dst[0..w) = src[0..w). Runs of ≥ 4 end with an overlapping vector instead of a scalar tail. */
@inline function copyRun(dst: usize, src: usize, w: i32): void {
  if (w >= 4) {
    const end4 = <usize>(w - 4) << 2;
    let o: usize = 0;
    for (; o < end4; o += 16) v128.store(dst + o, v128.load(src + o));
    v128.store(dst + end4, v128.load(src + end4));
  } else {
    for (let o: usize = 0; o < (<usize>w << 2); o += 4) store<f32>(dst + o, load<f32>(src + o));
  }
}

/** dst[0..w) += src[0..w). */
@inline function addRun(dst: usize, src: usize, w: i32): void {
  const end = <usize>w << 2;
  const end4 = <usize>(w & ~3) << 2;
  let o: usize = 0;
  for (; o < end4; o += 16) v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  for (; o < end; o += 4) store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
}

/**
 * y[outer, total] = the inputs x_i[outer, widths[i]] side by side (OVERWRITES y): row o of y is
 * row o of x_0, then row o of x_1, …. xs: count u32 addresses; widths: count i32 (≥ 0);
 * total = Σ widths. y must not overlap any x_i.
 * Reference: test/reference/merge.ts concat_forward_f32.
 */
export function concat_forward_f32(y: usize, xs: usize, widths: usize, count: i32, outer: i32, total: i32): void {
  const rowBytes = <usize>total << 2;
  for (let r = 0; r < outer; r++) {
    let dst = y + <usize>r * rowBytes;
    for (let i = 0; i < count; i++) {
      const w = load<i32>(widths + (<usize>i << 2));
      const wb = <usize>w << 2;
      copyRun(dst, entry(xs, i) + <usize>r * wb, w);
      dst += wb;
    }
  }
}

/**
 * Gradient of concat_forward_f32, ACCUMULATED: dx_i[outer, widths[i]] += the columns of
 * dy[outer, total] that x_i filled, for every input whose dxs entry is not 0. dxs: count u32
 * addresses (0 = skip); widths: count i32; total = Σ widths.
 * Reference: test/reference/merge.ts concat_backward_f32.
 */
export function concat_backward_f32(dxs: usize, dy: usize, widths: usize, count: i32, outer: i32, total: i32): void {
  const rowBytes = <usize>total << 2;
  let off: usize = 0; // byte offset of input i's columns within a row of dy
  for (let i = 0; i < count; i++) {
    const w = load<i32>(widths + (<usize>i << 2));
    const wb = <usize>w << 2;
    const d = entry(dxs, i);
    if (d != 0) {
      for (let r = 0; r < outer; r++) addRun(d + <usize>r * wb, dy + <usize>r * rowBytes + off, w);
    }
    off += wb;
  }
}

// ---- batched matrix product (the Dot layer) -------------------------------------------------
// mm computes C[M,N] = op(A)·op(B) (or adds it to C), A stored [M,K] (or [K,M] when tA), B stored
// [K,N] (or [N,K] when tB), in one of three loop forms, each running its SIMD loop along a
// contiguous dimension:
//   tB false      rows of C, 8 (then 4) columns at a time: C[i, j..] = Σ_p a(i,p)·B[p, j..]
//   tA, tB false  dot products along K: C[i,j] = A[i,:]·B[j,:]
//   tA and tB     columns of C, 4 rows at a time: C[i.., j] = Σ_p B[j,p]·A[p, i..]
// Columns (rows) past the last whole vector are scalar, rounded as a lane of madd.

/** C (+)= op(A)·op(B), op(B) = B [K,N]: SIMD along N. */
function mmRows(c: usize, a: usize, b: usize, M: i32, N: i32, K: i32, tA: bool, acc: bool): void {
  const sa: usize = tA ? <usize>M << 2 : 4; // stride of a(i, p) in p
  const ldb = <usize>N << 2;
  for (let i = 0; i < M; i++) {
    const ai = tA ? a + (<usize>i << 2) : a + (<usize>i * <usize>K << 2);
    const ci = c + <usize>i * ldb;
    let j = 0;
    for (; j + 8 <= N; j += 8) {
      let s0 = f32x4.splat(0);
      let s1 = f32x4.splat(0);
      let ap = ai;
      let bp = b + (<usize>j << 2);
      for (let p = 0; p < K; p++) {
        const av = f32x4.splat(load<f32>(ap));
        s0 = madd(av, v128.load(bp), s0);
        s1 = madd(av, v128.load(bp, 16), s1);
        ap += sa;
        bp += ldb;
      }
      const cp = ci + (<usize>j << 2);
      if (acc) {
        s0 = f32x4.add(v128.load(cp), s0);
        s1 = f32x4.add(v128.load(cp, 16), s1);
      }
      v128.store(cp, s0);
      v128.store(cp, s1, 16);
    }
    if (j + 4 <= N) {
      let s0 = f32x4.splat(0);
      let ap = ai;
      let bp = b + (<usize>j << 2);
      for (let p = 0; p < K; p++) {
        s0 = madd(f32x4.splat(load<f32>(ap)), v128.load(bp), s0);
        ap += sa;
        bp += ldb;
      }
      const cp = ci + (<usize>j << 2);
      v128.store(cp, acc ? f32x4.add(v128.load(cp), s0) : s0);
      j += 4;
    }
    for (; j < N; j++) {
      let s: f32 = 0;
      let ap = ai;
      let bp = b + (<usize>j << 2);
      for (let p = 0; p < K; p++) {
        s = madd1(load<f32>(ap), load<f32>(bp), s);
        ap += sa;
        bp += ldb;
      }
      const cp = ci + (<usize>j << 2);
      store<f32>(cp, acc ? load<f32>(cp) + s : s);
    }
  }
}

/** C (+)= A·Bᵀ, A [M,K], B [N,K]: dot products, SIMD along K. */
function mmDots(c: usize, a: usize, b: usize, M: i32, N: i32, K: i32, acc: bool): void {
  const rowK = <usize>K << 2;
  const end4 = <usize>(K & ~3) << 2;
  for (let i = 0; i < M; i++) {
    const ai = a + <usize>i * rowK;
    const ci = c + (<usize>i * <usize>N << 2);
    for (let j = 0; j < N; j++) {
      const bj = b + <usize>j * rowK;
      let v = f32x4.splat(0);
      let o: usize = 0;
      for (; o < end4; o += 16) v = madd(v128.load(ai + o), v128.load(bj + o), v);
      let s = hsum(v);
      for (; o < rowK; o += 4) s = madd1(load<f32>(ai + o), load<f32>(bj + o), s);
      const cp = ci + (<usize>j << 2);
      store<f32>(cp, acc ? load<f32>(cp) + s : s);
    }
  }
}

/** C (+)= Aᵀ·Bᵀ, A [K,M], B [N,K]: SIMD along M (rows of C), four strided stores per vector. */
function mmCols(c: usize, a: usize, b: usize, M: i32, N: i32, K: i32, acc: bool): void {
  const lda = <usize>M << 2;
  const ldc = <usize>N << 2;
  for (let j = 0; j < N; j++) {
    const bj = b + (<usize>j * <usize>K << 2);
    const cj = c + (<usize>j << 2);
    let i = 0;
    for (; i + 4 <= M; i += 4) {
      let v = f32x4.splat(0);
      let ap = a + (<usize>i << 2);
      for (let p = 0; p < K; p++) {
        v = madd(f32x4.splat(load<f32>(bj + (<usize>p << 2))), v128.load(ap), v);
        ap += lda;
      }
      const cp = cj + <usize>i * ldc;
      if (acc) {
        store<f32>(cp, load<f32>(cp) + f32x4.extract_lane(v, 0));
        store<f32>(cp + ldc, load<f32>(cp + ldc) + f32x4.extract_lane(v, 1));
        store<f32>(cp + 2 * ldc, load<f32>(cp + 2 * ldc) + f32x4.extract_lane(v, 2));
        store<f32>(cp + 3 * ldc, load<f32>(cp + 3 * ldc) + f32x4.extract_lane(v, 3));
      } else {
        store<f32>(cp, f32x4.extract_lane(v, 0));
        store<f32>(cp + ldc, f32x4.extract_lane(v, 1));
        store<f32>(cp + 2 * ldc, f32x4.extract_lane(v, 2));
        store<f32>(cp + 3 * ldc, f32x4.extract_lane(v, 3));
      }
    }
    for (; i < M; i++) {
      let s: f32 = 0;
      let ap = a + (<usize>i << 2);
      for (let p = 0; p < K; p++) {
        s = madd1(load<f32>(bj + (<usize>p << 2)), load<f32>(ap), s);
        ap += lda;
      }
      const cp = cj + <usize>i * ldc;
      store<f32>(cp, acc ? load<f32>(cp) + s : s);
    }
  }
}

/** C[M,N] = op(A)·op(B), or C += op(A)·op(B) when acc. */
function mm(c: usize, a: usize, b: usize, M: i32, N: i32, K: i32, tA: bool, tB: bool, acc: bool): void {
  if (!tB) mmRows(c, a, b, M, N, K, tA, acc);
  else if (!tA) mmDots(c, a, b, M, N, K, acc);
  else mmCols(c, a, b, M, N, K, acc);
}

/**
 * Per batch element: y[m,n] = op(a)·op(b) (OVERWRITES y), op(a) = a [m,k] or, when transA ≠ 0,
 * the transpose of a stored [k,m]; op(b) = b [k,n] or, when transB ≠ 0, the transpose of b
 * stored [n,k]. a: [batch, m·k], b: [batch, k·n], y: [batch, m, n], all row-major. k = 0 gives
 * y = 0. y must not overlap a or b.
 * Reference: test/reference/merge.ts batch_matmul_forward_f32.
 */
export function batch_matmul_forward_f32(y: usize, a: usize, b: usize, batch: i32, m: i32, n: i32, k: i32, transA: i32, transB: i32): void {
  if (m <= 0 || n <= 0 || k < 0) return;
  const sa = <usize>m * <usize>k << 2;
  const sb = <usize>k * <usize>n << 2;
  const sy = <usize>m * <usize>n << 2;
  for (let t = 0; t < batch; t++) {
    mm(y + <usize>t * sy, a + <usize>t * sa, b + <usize>t * sb, m, n, k, transA != 0, transB != 0, false);
  }
}

/**
 * Gradients of batch_matmul_forward_f32, ACCUMULATED (either of da, db may be 0 = skip), per
 * batch element: d op(a) += dy·op(b)ᵀ and d op(b) += op(a)ᵀ·dy, each stored in its operand's
 * own layout: da [batch, m·k] ([k,m] per element when transA), db [batch, k·n] ([n,k] when
 * transB). dy: [batch, m, n]; a, b: the forward's inputs. da, db must not overlap a, b or dy.
 * Reference: test/reference/merge.ts batch_matmul_backward_f32.
 */
export function batch_matmul_backward_f32(
  da: usize, db: usize, dy: usize, a: usize, b: usize, batch: i32, m: i32, n: i32, k: i32, transA: i32, transB: i32,
): void {
  if (m <= 0 || n <= 0 || k <= 0) return;
  const tA = transA != 0;
  const tB = transB != 0;
  const sa = <usize>m * <usize>k << 2;
  const sb = <usize>k * <usize>n << 2;
  const sy = <usize>m * <usize>n << 2;
  for (let t = 0; t < batch; t++) {
    const at = a + <usize>t * sa;
    const bt = b + <usize>t * sb;
    const dyt = dy + <usize>t * sy;
    if (da != 0) {
      const dat = da + <usize>t * sa;
      // da [m,k] += dy·op(b)ᵀ; da [k,m] += op(b)·dyᵀ.
      if (!tA) mm(dat, dyt, bt, m, k, n, false, !tB, true);
      else mm(dat, bt, dyt, k, m, n, tB, true, true);
    }
    if (db != 0) {
      const dbt = db + <usize>t * sb;
      // db [k,n] += op(a)ᵀ·dy; db [n,k] += dyᵀ·op(a).
      if (!tB) mm(dbt, at, dyt, k, n, m, !tA, false, true);
      else mm(dbt, dyt, at, n, k, m, true, tA, true);
    }
  }
}
