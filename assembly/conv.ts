// 2-D convolution (NHWC activations, HWIO weights) on the engine's GEMM.
//
// The output pixels of the whole batch, flattened to rows r = (n·outH + oh)·outW + ow, are
// processed in chunks of P rows. Per chunk, im2col writes the receptive fields into a
// [P, kH·kW·inC] matrix in the workspace; W viewed as [kH·kW·inC, outC] is then the GEMM's other
// operand and the chunk's rows of y / dy are contiguous, so each chunk is one GEMM call:
//   forward  y[rows]  = bias + cols · W         (gemm_nn)
//   dW              += colsᵀ · dy[rows]        (gemm_tn)
//   dx              += col2im(dy[rows] · Wᵀ)   (gemm_nt into the same buffer, then scatter-add)
// Chunking bounds the workspace (it does not grow with batch·H·W) while keeping M large enough
// for the GEMM's packing to pay off. A 1x1, stride-1, unpadded conv needs no im2col: x is
// already the [rows, inC] matrix, and dx is itself the GEMM output. Few input channels (inC < 4,
// the first layer) make every GEMM skinny: forward and dW then take direct paths (outC a
// multiple of 8), and so does dx for inC = 1 with stride 1 in w; see the sections below. Few
// output channels (outC ≤ 16) leave the GEMM only one or two 8-column micro-tiles, so packing
// the im2col rows costs as much as the arithmetic: forward and dW take the same direct paths
// for any inC (outC 8 or 16), and dx with unit strides (inC a multiple of 8) runs as the
// transposed convolution on the forward's direct path (MNIST conv2, 14x14x8 → 16 5x5: ~65% of
// peak on the GEMM, ~85–97% direct).
//
// conv2d_workspace_bytes (at the end of this file) sizes the workspace from the chunk rule and
// the layouts below: change it with them.

import { gemm_nn_f32, gemm_nt_f32, gemm_tn_f32, gemm_workspace_bytes, gemmStrided } from './gemm';
import { relu_forward_f32 } from './activation';
import { madd, transpose4Store } from './simd';

/** im2col buffer budget (floats) that sets the chunk size: ~256 KiB, about L2-resident. */
const CHUNK_FLOATS: i32 = 65536;
/** Bounds on rows per chunk: enough rows for GEMM efficiency, few enough to stay cached. */
const MIN_ROWS: i32 = 32;
const MAX_ROWS: i32 = 512;

/** Rows (output pixels or voxels) per chunk; conv2d/conv3d_workspace_bytes use the same rule. */
@inline export function chunkRows(total: i32, K: i32): i32 {
  let p = CHUNK_FLOATS / K;
  if (p < MIN_ROWS) p = MIN_ROWS;
  if (p > MAX_ROWS) p = MAX_ROWS;
  p &= ~7;
  return p < total ? p : total;
}

/** Bytes of the im2col buffer at the start of the workspace (16-byte aligned end). */
@inline export function colsBytes(rows: i32, K: i32): usize {
  return ((<usize>rows * <usize>K << 2) + 15) & ~(<usize>15);
}

/** dst[0..n) = src[0..n). Runs of ≥ 4 end with an overlapping vector instead of a scalar tail. */
@inline export function copyRun(dst: usize, src: usize, n: i32): void {
  if (n >= 4) {
    let i = 0;
    for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
    if (i < n) {
      const o = <usize>(n - 4) << 2;
      v128.store(dst + o, v128.load(src + o));
    }
  } else {
    for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
  }
}

/** dst[0..n) = 0. */
@inline export function zeroRun(dst: usize, n: i32): void {
  if (n >= 4) {
    const z = f32x4.splat(0);
    let i = 0;
    for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), z);
    if (i < n) v128.store(dst + (<usize>(n - 4) << 2), z);
  } else {
    for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
  }
}

/** dst[0..n) += src[0..n). Accumulating, so the tail is scalar (an overlap would add twice). */
@inline export function addRun(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/** First kernel column j whose input column base + j·d is ≥ 0, capped at k. */
@inline function firstValid(base: i32, d: i32, k: i32): i32 {
  if (base >= 0) return 0;
  // Integer division is slow and these run per output row and tap: skip it for d = 1.
  const j = d == 1 ? -base : (d - 1 - base) / d;
  return j < k ? j : k;
}

/** One past the last kernel column j whose input column base + j·d is < extent, capped at k. */
@inline function endValid(base: i32, d: i32, k: i32, extent: i32): i32 {
  if (base >= extent) return 0;
  const j = d == 1 ? extent - base : (extent - 1 - base) / d + 1;
  return j < k ? j : k;
}

/**
 * One row of cols: dst[(i·kW + j)·inC + ic] = x[hb + i·dh, wb + j·dw, ic] of the sample at xs
 * (0 outside the input). The in-range kernel columns of one kernel row are one contiguous run of
 * x when dw = 1, so they are copied as a single run whatever inC is.
 */
@inline function im2colRow(dst: usize, xs: usize, hb: i32, wb: i32, inH: i32, inW: i32, inC: i32, kH: i32, kW: i32, dh: i32, dw: i32): void {
  const rowFloats = kW * inC;
  const j0 = firstValid(wb, dw, kW);
  let j1 = endValid(wb, dw, kW, inW);
  if (j1 < j0) j1 = j0;
  for (let i = 0; i < kH; i++) {
    const ih = hb + i * dh;
    const d = dst + (<usize>(i * rowFloats) << 2);
    if (ih < 0 || ih >= inH) {
      zeroRun(d, rowFloats);
      continue;
    }
    zeroRun(d, j0 * inC);
    const src = xs + (<usize>((ih * inW + wb + j0 * dw) * inC) << 2);
    if (dw == 1) {
      copyRun(d + (<usize>(j0 * inC) << 2), src, (j1 - j0) * inC);
    } else {
      for (let j = j0; j < j1; j++) {
        copyRun(d + (<usize>(j * inC) << 2), src + (<usize>((j - j0) * dw * inC) << 2), inC);
      }
    }
    zeroRun(d + (<usize>(j1 * inC) << 2), (kW - j1) * inC);
  }
}

/** cols[r, :] = im2colRow of output pixel r0 + r (flattened over the batch) for rows rows. */
function im2col(cols: usize, x: usize, r0: i32, rows: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, kH: i32, kW: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32): void {
  const K = kH * kW * inC;
  const plane = outH * outW;
  let n = r0 / plane;
  const rem = r0 - n * plane;
  let oh = rem / outW;
  let ow = rem - oh * outW;
  for (let r = 0; r < rows; r++) {
    const xs = x + (<usize>n * <usize>(inH * inW * inC) << 2);
    im2colRow(cols + (<usize>r * <usize>K << 2), xs, oh * sh - pt, ow * sw - pl, inH, inW, inC, kH, kW, dh, dw);
    if (++ow == outW) {
      ow = 0;
      if (++oh == outH) {
        oh = 0;
        n++;
      }
    }
  }
}

/** The adjoint of im2col: dx[n, ih, iw, ic] += cols[r, (i·kW + j)·inC + ic] for in-range cells. */
function col2im(dx: usize, cols: usize, r0: i32, rows: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, kH: i32, kW: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32): void {
  const K = kH * kW * inC;
  const plane = outH * outW;
  let n = r0 / plane;
  const rem = r0 - n * plane;
  let oh = rem / outW;
  let ow = rem - oh * outW;
  const rowFloats = kW * inC;
  for (let r = 0; r < rows; r++) {
    const src = cols + (<usize>r * <usize>K << 2);
    const dxs = dx + (<usize>n * <usize>(inH * inW * inC) << 2);
    const hb = oh * sh - pt;
    const wb = ow * sw - pl;
    const j0 = firstValid(wb, dw, kW);
    const j1 = endValid(wb, dw, kW, inW);
    if (j0 < j1) {
      for (let i = 0; i < kH; i++) {
        const ih = hb + i * dh;
        if (ih < 0 || ih >= inH) continue;
        const s = src + (<usize>(i * rowFloats + j0 * inC) << 2);
        const d = dxs + (<usize>((ih * inW + wb + j0 * dw) * inC) << 2);
        if (dw == 1) {
          addRun(d, s, (j1 - j0) * inC);
        } else {
          for (let j = j0; j < j1; j++) {
            addRun(d + (<usize>((j - j0) * dw * inC) << 2), s + (<usize>((j - j0) * inC) << 2), inC);
          }
        }
      }
    }
    if (++ow == outW) {
      ow = 0;
      if (++oh == outH) {
        oh = 0;
        n++;
      }
    }
  }
}

// ---- direct paths for few input channels ----------------------------------------------------
// With inC < 4 (the first layer of an image model) im2col costs more than the GEMM itself: each
// row of cols is kH short runs, and every GEMM is skinny (K = kH·kW·inC and outC are small), so
// packing dominates. These paths read x and dy in place with GEMM-like register tiles over a
// flat tap index t = (i·kW + j)·inC + ic (byte offsets from the window origin in a table), so
// the hot loops are depth-1 loops, which V8 compiles as written.
// Preferred: each sample is copied once into a zero-padded buffer whose rows are wide enough for
// every window (paddedForward / paddedWeightGrad), so no pixel is an edge case; kernel rows
// outside the input are skipped per output row. When those rows would be wider than the
// workspace reserves (large strides, dilations or pads), interior pixels read x in place and the
// few edge pixels of each row are im2col'ed four at a time (directForward / directWeightGrad).
//
// The same padded paths serve moderate inC when outC ≤ 16 (useDirect), as long as the padded
// sample fits PAD_MAX; the im2col'ed-edge fallback stays for inC < 4 only (above that the GEMM
// path takes over).
//
// Workspace from ws (floats): [padded sample inH·padBudget·inC, or edge cols 4·K, whichever is
// larger][tap byte offsets: K i32][sink: 5x8][y scratch: 5x8]; sized by conv2d_workspace_bytes.

/** Largest padded sample (floats) the moderate-channel direct paths use: 1 MiB, L2-sized. */
const PAD_MAX: i32 = 262144;

/**
 * Direct forward / dW path applies: whole 8-channel output strips and either few input channels
 * (any size) or few output channels (outC ≤ 16: the GEMM's N is then ≤ 2 micro-tiles and
 * packing costs as much as the arithmetic) with a padded sample of at most PAD_MAX floats.
 */
@inline function useDirect(inH: i32, inW: i32, inC: i32, outC: i32, kW: i32): bool {
  if ((outC & 7) != 0) return false;
  return inC < 4 || (outC <= 16 && inH * padBudget(inW, kW) * inC <= PAD_MAX);
}

/**
 * Direct dx as a transposed convolution (paddedInputGrad) applies: unit strides, whole 8-channel
 * input strips, few output channels (dx's GEMM then has k = outC ≤ 16 and col2im dominates)
 * and a padded dy sample of at most PAD_MAX floats.
 */
@inline function useTransposedDx(inC: i32, outH: i32, outW: i32, outC: i32, kW: i32, sh: i32, sw: i32): bool {
  return sh == 1 && sw == 1 && (inC & 7) == 0 && outC <= 16 && outH * padBudget(outW, kW) * outC <= PAD_MAX;
}

/** First output column whose window starts inside the input row. */
@inline function interiorLo(sw: i32, pl: i32): i32 {
  return pl <= 0 ? 0 : (pl + sw - 1) / sw;
}

/** One past the last output column whose window ends inside the input row (≥ lo). */
@inline function interiorHi(inW: i32, outW: i32, kW: i32, sw: i32, dw: i32, pl: i32, lo: i32): i32 {
  const last = inW - 1 - (kW - 1) * dw + pl; // largest ow·sw whose window still fits
  let hi = last < 0 ? 0 : last / sw + 1;
  if (hi > outW) hi = outW;
  return hi < lo ? lo : hi;
}

/**
 * Four adjacent output pixels (all taps inside the input row), channels oc0..oc0+7, added to y.
 * The sums start from y (holding the bias): with equal starting values, V8 schedules the
 * broadcasts ahead of the arithmetic and spills accumulators.
 */
function directBlock4(yp: usize, xs: usize, w: usize, oc0: i32, ow: i32, hb: i32, i0: i32, i1: i32, inW: i32, inC: i32, outC: i32, kW: i32, sw: i32, dh: i32, dw: i32, pl: i32): void {
  const py = <usize>outC << 2;
  let c00 = v128.load(yp), c01 = v128.load(yp, 16);
  let c10 = v128.load(yp + py), c11 = v128.load(yp + py, 16);
  let c20 = v128.load(yp + 2 * py), c21 = v128.load(yp + 2 * py, 16);
  let c30 = v128.load(yp + 3 * py), c31 = v128.load(yp + 3 * py, 16);
  const step = <usize>(sw * inC) << 2; // bytes from one pixel's window to the next one's
  const wrow = <usize>outC << 2;
  // With dw = 1 the taps (j, ic) of a kernel row are kW·inC consecutive floats of x and
  // consecutive rows of w: one flat loop. Otherwise j strides by dw pixels.
  const inner = dw == 1 ? kW * inC : inC;
  const outer = dw == 1 ? 1 : kW;
  const jStep = <usize>(dw * inC) << 2;
  for (let i = i0; i < i1; i++) {
    const ih = hb + i * dh;
    let xj = xs + (<usize>((ih * inW + ow * sw - pl) * inC) << 2);
    let wp = w + (<usize>((i * kW * inC) * outC + oc0) << 2);
    for (let j = 0; j < outer; j++) {
      let xp = xj;
      for (let t = 0; t < inner; t++) {
        const w0 = v128.load(wp);
        const w1 = v128.load(wp, 16);
        let xv = v128.load32_splat(xp);
        c00 = madd(xv, w0, c00);
        c01 = madd(xv, w1, c01);
        xv = v128.load32_splat(xp + step);
        c10 = madd(xv, w0, c10);
        c11 = madd(xv, w1, c11);
        xv = v128.load32_splat(xp + 2 * step);
        c20 = madd(xv, w0, c20);
        c21 = madd(xv, w1, c21);
        xv = v128.load32_splat(xp + 3 * step);
        c30 = madd(xv, w0, c30);
        c31 = madd(xv, w1, c31);
        xp += 4;
        wp += wrow;
      }
      xj += jStep;
    }
  }
  v128.store(yp, c00);
  v128.store(yp, c01, 16);
  v128.store(yp + py, c10);
  v128.store(yp + py, c11, 16);
  v128.store(yp + 2 * py, c20);
  v128.store(yp + 2 * py, c21, 16);
  v128.store(yp + 3 * py, c30);
  v128.store(yp + 3 * py, c31, 16);
}

/**
 * Up to four edge pixels from their cols rows c0..c3 (flat taps t0..t1, K floats each),
 * channels oc0..oc0+7, added to y0..y3; only the first count results are stored. Missing
 * pixels point at c0 / y0 and are computed and dropped, which keeps the loop branch-free.
 */
function colsBlock4(c0: usize, c1: usize, c2: usize, c3: usize, y0: usize, y1: usize, y2: usize, y3: usize, count: i32, w: usize, oc0: i32, outC: i32, t0: i32, t1: i32): void {
  let a00 = v128.load(y0), a01 = v128.load(y0, 16);
  let a10 = v128.load(y1), a11 = v128.load(y1, 16);
  let a20 = v128.load(y2), a21 = v128.load(y2, 16);
  let a30 = v128.load(y3), a31 = v128.load(y3, 16);
  const wrow = <usize>outC << 2;
  let wp = w + (<usize>(t0 * outC + oc0) << 2);
  for (let t = t0; t < t1; t++) {
    const o = <usize>t << 2;
    const w0 = v128.load(wp);
    const w1 = v128.load(wp, 16);
    let xv = v128.load32_splat(c0 + o);
    a00 = madd(xv, w0, a00);
    a01 = madd(xv, w1, a01);
    xv = v128.load32_splat(c1 + o);
    a10 = madd(xv, w0, a10);
    a11 = madd(xv, w1, a11);
    xv = v128.load32_splat(c2 + o);
    a20 = madd(xv, w0, a20);
    a21 = madd(xv, w1, a21);
    xv = v128.load32_splat(c3 + o);
    a30 = madd(xv, w0, a30);
    a31 = madd(xv, w1, a31);
    wp += wrow;
  }
  v128.store(y0, a00);
  v128.store(y0, a01, 16);
  if (count > 1) {
    v128.store(y1, a10);
    v128.store(y1, a11, 16);
  }
  if (count > 2) {
    v128.store(y2, a20);
    v128.store(y2, a21, 16);
  }
  if (count > 3) {
    v128.store(y3, a30);
    v128.store(y3, a31, 16);
  }
}

/** Row width (pixels) of a padded sample in which every window of a row is interior. */
@inline function paddedWidth(outW: i32, kW: i32, sw: i32, dw: i32): i32 {
  return (outW - 1) * sw + (kW - 1) * dw + 1;
}

/** Widest padded row the workspace holds; covers 'same' / 'valid' with stride and dilation ≤ 2. */
@inline function padBudget(inW: i32, kW: i32): i32 {
  return inW + 2 * kW + 8;
}

/** Floats of the workspace's first region: a padded sample, or four edge im2col rows. */
@inline function regionFloats(inH: i32, inW: i32, inC: i32, K: i32, kW: i32): i32 {
  const pad = inH * padBudget(inW, kW) * inC;
  return pad > 4 * K ? pad : 4 * K;
}

/** tab[t] = byte offset of tap t = (i, j, ic) from its window origin, rows rowW pixels wide. */
function tapOffsets(tab: usize, kH: i32, kW: i32, inC: i32, dh: i32, dw: i32, rowW: i32): void {
  let t = 0;
  for (let i = 0; i < kH; i++) {
    for (let j = 0; j < kW; j++) {
      for (let ic = 0; ic < inC; ic++) {
        store<i32>(tab + (<usize>t << 2), ((i * dh * rowW + j * dw) * inC + ic) << 2);
        t++;
      }
    }
  }
}

/** The middle of each padded row: xpad[r, c] = x[r, c − pl] for in-range columns (the pads
 * were zeroed once and are never written). */
function padSample(xpad: usize, xs: usize, inH: i32, inW: i32, inC: i32, Wp: i32, pl: i32): void {
  const c0 = pl > 0 ? pl : 0;
  const c1 = inW + pl < Wp ? inW + pl : Wp;
  if (c1 <= c0) return;
  for (let r = 0; r < inH; r++) {
    copyRun(xpad + (<usize>((r * Wp + c0) * inC) << 2), xs + (<usize>((r * inW + c0 - pl) * inC) << 2), (c1 - c0) * inC);
  }
}

/**
 * Five output pixels (y at yp, ystride bytes apart), channels oc0..oc0+7, += Σ over ntaps flat
 * taps (byte offsets at tp from each pixel's window origin x0..x4) of x times the w rows at wp.
 * Five pixels as in the GEMM's 5x8 tile (10 sums, 14 of the 15 xmm registers V8 gives us);
 * free origins let a block span the end of one output row and the start of the next. One flat
 * loop: V8 unrolls nested inner loops and then spills. The sums start from y, see directBlock4.
 */
function directBlockT(yp: usize, ystride: usize, x0: usize, x1: usize, x2: usize, x3: usize, x4: usize, tp: usize, wp: usize, ntaps: i32, outC: i32): void {
  let c00 = v128.load(yp), c01 = v128.load(yp, 16);
  let c10 = v128.load(yp + ystride), c11 = v128.load(yp + ystride, 16);
  let c20 = v128.load(yp + 2 * ystride), c21 = v128.load(yp + 2 * ystride, 16);
  let c30 = v128.load(yp + 3 * ystride), c31 = v128.load(yp + 3 * ystride, 16);
  let c40 = v128.load(yp + 4 * ystride), c41 = v128.load(yp + 4 * ystride, 16);
  const wrow = <usize>outC << 2;
  for (let t = 0; t < ntaps; t++) {
    const o = <usize>load<i32>(tp);
    const w0 = v128.load(wp);
    const w1 = v128.load(wp, 16);
    let xv = v128.load32_splat(x0 + o);
    c00 = madd(xv, w0, c00);
    c01 = madd(xv, w1, c01);
    xv = v128.load32_splat(x1 + o);
    c10 = madd(xv, w0, c10);
    c11 = madd(xv, w1, c11);
    xv = v128.load32_splat(x2 + o);
    c20 = madd(xv, w0, c20);
    c21 = madd(xv, w1, c21);
    xv = v128.load32_splat(x3 + o);
    c30 = madd(xv, w0, c30);
    c31 = madd(xv, w1, c31);
    xv = v128.load32_splat(x4 + o);
    c40 = madd(xv, w0, c40);
    c41 = madd(xv, w1, c41);
    tp += 4;
    wp += wrow;
  }
  v128.store(yp, c00);
  v128.store(yp, c01, 16);
  v128.store(yp + ystride, c10);
  v128.store(yp + ystride, c11, 16);
  v128.store(yp + 2 * ystride, c20);
  v128.store(yp + 2 * ystride, c21, 16);
  v128.store(yp + 3 * ystride, c30);
  v128.store(yp + 3 * ystride, c31, 16);
  v128.store(yp + 4 * ystride, c40);
  v128.store(yp + 4 * ystride, c41, 16);
}

/**
 * Forward over a padded sample: every pixel interior. Consecutive output rows whose windows
 * cover the same kernel rows (all but the few rows next to a vertical pad) form one run, and a
 * run's pixels go in blocks of 5 across row ends, so only a run's last block can be partial
 * (MNIST conv2's 14-pixel rows would otherwise waste 1 of every 15 pixel sums); that block goes
 * through scratch. y = b + conv (acc false; b may be 0) or y += conv (acc true, b unused), then
 * max(0, y) if relu. The padded sample is at ws, the K tap offsets at tab, a 5x8 scratch tile
 * at scratch.
 */
function paddedForward(y: usize, x: usize, w: usize, b: usize, acc: bool, relu: bool, ws: usize, tab: usize, scratch: usize, batch: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, outC: i32, kH: i32, kW: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32): void {
  const T = kW * inC;
  const Wp = paddedWidth(outW, kW, sw, dw);
  zeroRun(ws, inH * Wp * inC);
  tapOffsets(tab, kH, kW, inC, dh, dw, Wp);
  const pix = <usize>outC << 2;
  const step = <usize>(sw * inC) << 2;
  const rowStep = <usize>(sh * Wp * inC) << 2; // origin of output row oh + 1 minus that of oh
  for (let n = 0; n < batch; n++) {
    padSample(ws, x + (<usize>n * <usize>(inH * inW * inC) << 2), inH, inW, inC, Wp, pl);
    const ys = y + (<usize>(n * outH * outW) * pix);
    if (!acc) fillRows(ys, b, outH * outW, outC);
    let oh = 0;
    while (oh < outH) {
      const hb = oh * sh - pt;
      const i0 = firstValid(hb, dh, kH);
      const i1 = endValid(hb, dh, kH, inH);
      let oe = oh + 1;
      while (oe < outH && firstValid(oe * sh - pt, dh, kH) == i0 && endValid(oe * sh - pt, dh, kH, inH) == i1) oe++;
      if (i0 < i1) {
        const ntaps = (i1 - i0) * T;
        const tp = tab + (<usize>(i0 * T) << 2);
        const xrow = ws + <usize>((hb * Wp * inC) << 2); // origin row; only valid kernel rows are read
        const P = (oe - oh) * outW;
        const P5 = P - P % 5;
        for (let oc0 = 0; oc0 < outC; oc0 += 8) {
          const wp = w + (<usize>(i0 * T * outC + oc0) << 2);
          const yc = ys + <usize>(oh * outW) * pix + (<usize>oc0 << 2);
          // The next pixel's row origin and column, walked across row ends.
          let r = xrow;
          let c = 0;
          for (let p = 0; p < P; p += 5) {
            // Past the run's end, a pixel repeats the first origin; its sum is dropped.
            const o0 = r + <usize>c * step;
            let o1 = o0, o2 = o0, o3 = o0, o4 = o0;
            if (c + 5 < outW) {
              o1 = o0 + step;
              o2 = o1 + step;
              o3 = o2 + step;
              o4 = o3 + step;
              c += 5;
            } else {
              if (++c == outW) { c = 0; r += rowStep; }
              if (p + 1 < P) { o1 = r + <usize>c * step; if (++c == outW) { c = 0; r += rowStep; } }
              if (p + 2 < P) { o2 = r + <usize>c * step; if (++c == outW) { c = 0; r += rowStep; } }
              if (p + 3 < P) { o3 = r + <usize>c * step; if (++c == outW) { c = 0; r += rowStep; } }
              if (p + 4 < P) { o4 = r + <usize>c * step; if (++c == outW) { c = 0; r += rowStep; } }
            }
            if (p < P5) {
              directBlockT(yc + <usize>p * pix, pix, o0, o1, o2, o3, o4, tp, wp, ntaps, outC);
            } else {
              const m = P - p;
              for (let q = 0; q < 5; q++) copyRun(scratch + (<usize>q << 5), yc + <usize>(q < m ? p + q : p) * pix, 8);
              directBlockT(scratch, 32, o0, o1, o2, o3, o4, tp, wp, ntaps, outC);
              for (let q = 0; q < m; q++) copyRun(yc + <usize>(p + q) * pix, scratch + (<usize>q << 5), 8);
            }
          }
        }
      }
      oh = oe;
    }
    // A flag in the block kernel made V8 spill its sums (half the speed, relu or not); a pass
    // over the sample's y while it is still in L1 costs ~2%.
    if (relu) relu_forward_f32(ys, ys, outH * outW * outC);
  }
}

/**
 * dx += ∂/∂x for unit strides as the transposed convolution: a stride-1 convolution of dy
 * (outC channels) with the flipped kernel wT[kH−1−i, kW−1−j, oc, ic] = w[i, j, ic, oc] and pads
 * (k−1)·d − pad, accumulated into dx by paddedForward. Workspace from ws (floats): [padded dy
 * sample][tap offsets: kH·kW·outC i32][sink: 5x8][scratch: 5x8][wT: kH·kW·outC·inC].
 */
function paddedInputGrad(dx: usize, dy: usize, w: usize, ws: usize, batch: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, outC: i32, kH: i32, kW: i32, dh: i32, dwl: i32, pt: i32, pl: i32): void {
  const KT = kH * kW * outC;
  const tab = ws + (<usize>regionFloats(outH, outW, outC, KT, kW) << 2);
  const scratch = tab + (<usize>KT << 2) + 160;
  const wT = scratch + 160;
  for (let i = 0; i < kH; i++) {
    for (let j = 0; j < kW; j++) {
      const src = w + (<usize>(((kH - 1 - i) * kW + kW - 1 - j) * inC * outC) << 2);
      const dst = wT + (<usize>((i * kW + j) * outC * inC) << 2);
      for (let oc = 0; oc < outC; oc++) {
        for (let ic = 0; ic < inC; ic++) {
          store<f32>(dst + (<usize>(oc * inC + ic) << 2), load<f32>(src + (<usize>(ic * outC + oc) << 2)));
        }
      }
    }
  }
  paddedForward(dx, dy, wT, 0, true, false, ws, tab, scratch, batch, outH, outW, outC, inH, inW, inC, kH, kW, 1, 1, dh, dwl, (kH - 1) * dh - pt, (kW - 1) * dwl - pl);
}

/** dW over a padded sample: every pixel interior, so one wgradTaps5 pass per tap group and row. */
function paddedWeightGrad(dw: usize, dy: usize, x: usize, ws: usize, batch: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, outC: i32, kH: i32, kW: i32, sh: i32, sw: i32, dh: i32, dwl: i32, pt: i32, pl: i32, iLo: i32, iHi: i32): void {
  const K = kH * kW * inC;
  const T = kW * inC;
  const Wp = paddedWidth(outW, kW, sw, dwl);
  const tab = ws + (<usize>regionFloats(inH, inW, inC, K, kW) << 2);
  const sink = tab + (<usize>K << 2);
  zeroRun(ws, inH * Wp * inC);
  tapOffsets(tab, kH, kW, inC, dh, dwl, Wp);
  const pix = <usize>outC << 2;
  const xstep = <usize>(sw * inC) << 2;
  for (let n = 0; n < batch; n++) {
    padSample(ws, x + (<usize>n * <usize>(inH * inW * inC) << 2), inH, inW, inC, Wp, pl);
    for (let oh = 0; oh < outH; oh++) {
      const hb = oh * sh - pt;
      // Kernel rows [iLo, iHi) only: each tap's sum is its own, whatever group it runs in.
      const i0 = max(firstValid(hb, dh, kH), iLo);
      const i1 = min(endValid(hb, dh, kH, inH), iHi);
      if (i0 >= i1) continue;
      const t0 = i0 * T;
      const t1 = i1 * T;
      const dyrow = dy + (<usize>((n * outH + oh) * outW) * pix);
      const xo = ws + <usize>((hb * Wp * inC) << 2);
      for (let oc0 = 0; oc0 < outC; oc0 += 8) {
        const dp = dyrow + (<usize>oc0 << 2);
        const qb = dw + (<usize>oc0 << 2);
        for (let g = t0; g < t1; g += 5) {
          const o0 = <usize>load<i32>(tab + (<usize>g << 2));
          const q0 = qb + <usize>g * pix;
          if (g + 4 < t1) {
            wgradTaps5(xo, dp, outW, xstep, pix, o0, <usize>load<i32>(tab + (<usize>g << 2), 4), <usize>load<i32>(tab + (<usize>g << 2), 8), <usize>load<i32>(tab + (<usize>g << 2), 12), <usize>load<i32>(tab + (<usize>g << 2), 16), q0, q0 + pix, q0 + 2 * pix, q0 + 3 * pix, q0 + 4 * pix);
          } else {
            // A short last group: copies of its first tap stand in, their sums go to the sink.
            const o1 = g + 1 < t1 ? <usize>load<i32>(tab + (<usize>g << 2), 4) : o0;
            const o2 = g + 2 < t1 ? <usize>load<i32>(tab + (<usize>g << 2), 8) : o0;
            const o3 = g + 3 < t1 ? <usize>load<i32>(tab + (<usize>g << 2), 12) : o0;
            wgradTaps5(xo, dp, outW, xstep, pix, o0, o1, o2, o3, o0, q0, g + 1 < t1 ? q0 + pix : sink + 32, g + 2 < t1 ? q0 + 2 * pix : sink + 64, g + 3 < t1 ? q0 + 3 * pix : sink + 96, sink + 128);
          }
        }
      }
    }
  }
}

/** Output column of the e-th edge pixel of a row: columns [0, lo) and then [hi, outW). */
@inline function edgeColumn(e: i32, lo: i32, hi: i32): i32 {
  return e < lo ? e : hi + (e - lo);
}

/**
 * Forward without the padded sample (its rows would not fit): interior pixels in 4-pixel blocks
 * reading x in place, the rest (edges and the interior's remainder) im2col'ed four at a time.
 */
function directForward(y: usize, x: usize, w: usize, b: usize, ws: usize, batch: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, outC: i32, kH: i32, kW: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32): void {
  const K = kH * kW * inC;
  const T = kW * inC; // taps per kernel row
  const lo = interiorLo(sw, pl);
  const hi = interiorHi(inW, outW, kW, sw, dw, pl, lo);
  const hiB = lo + ((hi - lo) & ~3); // the interior in whole 4-pixel blocks; the rest is edge
  const E = lo + outW - hiB;
  const pix = <usize>outC << 2;
  const rowB = <usize>K << 2;
  for (let n = 0; n < batch; n++) {
    const xs = x + (<usize>n * <usize>(inH * inW * inC) << 2);
    for (let oh = 0; oh < outH; oh++) {
      const hb = oh * sh - pt;
      const i0 = firstValid(hb, dh, kH);
      const i1 = endValid(hb, dh, kH, inH);
      const yrow = y + (<usize>((n * outH + oh) * outW) * pix);
      fillRows(yrow, b, outW, outC);
      for (let oc0 = 0; oc0 < outC; oc0 += 8) {
        const yc = yrow + (<usize>oc0 << 2);
        for (let ow = lo; ow < hiB; ow += 4) directBlock4(yc + <usize>ow * pix, xs, w, oc0, ow, hb, i0, i1, inW, inC, outC, kW, sw, dh, dw, pl);
      }
      for (let e = 0; e < E; e += 4) {
        const count = E - e < 4 ? E - e : 4;
        for (let q = 0; q < count; q++) {
          im2colRow(ws + <usize>q * rowB, xs, hb, edgeColumn(e + q, lo, hiB) * sw - pl, inH, inW, inC, kH, kW, dh, dw);
        }
        const y0 = yrow + <usize>edgeColumn(e, lo, hiB) * pix;
        const y1 = count > 1 ? yrow + <usize>edgeColumn(e + 1, lo, hiB) * pix : y0;
        const y2 = count > 2 ? yrow + <usize>edgeColumn(e + 2, lo, hiB) * pix : y0;
        const y3 = count > 3 ? yrow + <usize>edgeColumn(e + 3, lo, hiB) * pix : y0;
        const c1 = count > 1 ? ws + rowB : ws;
        const c2 = count > 2 ? ws + 2 * rowB : ws;
        const c3 = count > 3 ? ws + 3 * rowB : ws;
        for (let oc0 = 0; oc0 < outC; oc0 += 8) {
          const o = <usize>oc0 << 2;
          colsBlock4(ws, c1, c2, c3, y0 + o, y1 + o, y2 + o, y3 + o, count, w, oc0, outC, i0 * T, i1 * T);
        }
      }
    }
  }
}

/**
 * dW taps at x byte offsets o0..o4 from each pixel's window origin (xp for the first of count
 * pixels, xstep apart) times dy (8 channels at dp, pix apart), summed over the pixels and added
 * to q0..q4: 10 accumulators, 7 loads per 10 multiply-adds, like the GEMM's 5x8 tile.
 */
function wgradTaps5(xp: usize, dp: usize, count: i32, xstep: usize, pix: usize, o0: usize, o1: usize, o2: usize, o3: usize, o4: usize, q0: usize, q1: usize, q2: usize, q3: usize, q4: usize): void {
  // The sums start from dw itself: with equal starting values (zeros) V8 schedules all five
  // broadcasts ahead of the arithmetic and spills two accumulators.
  let a00 = v128.load(q0), a01 = v128.load(q0, 16), a10 = v128.load(q1), a11 = v128.load(q1, 16);
  let a20 = v128.load(q2), a21 = v128.load(q2, 16), a30 = v128.load(q3), a31 = v128.load(q3, 16);
  let a40 = v128.load(q4), a41 = v128.load(q4, 16);
  let x0 = xp + o0, x1 = xp + o1, x2 = xp + o2, x3 = xp + o3, x4 = xp + o4;
  for (let p = 0; p < count; p++) {
    const d0 = v128.load(dp);
    const d1 = v128.load(dp, 16);
    let xv = v128.load32_splat(x0);
    a00 = madd(xv, d0, a00);
    a01 = madd(xv, d1, a01);
    xv = v128.load32_splat(x1);
    a10 = madd(xv, d0, a10);
    a11 = madd(xv, d1, a11);
    xv = v128.load32_splat(x2);
    a20 = madd(xv, d0, a20);
    a21 = madd(xv, d1, a21);
    xv = v128.load32_splat(x3);
    a30 = madd(xv, d0, a30);
    a31 = madd(xv, d1, a31);
    xv = v128.load32_splat(x4);
    a40 = madd(xv, d0, a40);
    a41 = madd(xv, d1, a41);
    x0 += xstep;
    x1 += xstep;
    x2 += xstep;
    x3 += xstep;
    x4 += xstep;
    dp += pix;
  }
  v128.store(q0, a00);
  v128.store(q0, a01, 16);
  v128.store(q1, a10);
  v128.store(q1, a11, 16);
  v128.store(q2, a20);
  v128.store(q2, a21, 16);
  v128.store(q3, a30);
  v128.store(q3, a31, 16);
  v128.store(q4, a40);
  v128.store(q4, a41, 16);
}

/**
 * dW of up to four edge pixels: q[t, 0..8) += Σ_p cols_p[t]·dy_p for taps t0..t1, with the dy
 * of the pixels (8 channels each, zero for missing pixels) held in registers across the taps.
 * Products are summed as a tree so each tap's update is not one long dependent chain.
 */
function wgradCols4(c0: usize, c1: usize, c2: usize, c3: usize, d0: usize, d1: usize, d2: usize, d3: usize, count: i32, q: usize, outC: i32, t0: i32, t1: i32): void {
  const z = f32x4.splat(0);
  const e00 = v128.load(d0), e01 = v128.load(d0, 16);
  const e10 = count > 1 ? v128.load(d1) : z, e11 = count > 1 ? v128.load(d1, 16) : z;
  const e20 = count > 2 ? v128.load(d2) : z, e21 = count > 2 ? v128.load(d2, 16) : z;
  const e30 = count > 3 ? v128.load(d3) : z, e31 = count > 3 ? v128.load(d3, 16) : z;
  const wrow = <usize>outC << 2;
  let qp = q + <usize>t0 * wrow;
  for (let t = t0; t < t1; t++) {
    const o = <usize>t << 2;
    const x0 = v128.load32_splat(c0 + o);
    const x1 = v128.load32_splat(c1 + o);
    const x2 = v128.load32_splat(c2 + o);
    const x3 = v128.load32_splat(c3 + o);
    const s0 = f32x4.add(f32x4.add(f32x4.mul(x0, e00), f32x4.mul(x1, e10)), f32x4.add(f32x4.mul(x2, e20), f32x4.mul(x3, e30)));
    const s1 = f32x4.add(f32x4.add(f32x4.mul(x0, e01), f32x4.mul(x1, e11)), f32x4.add(f32x4.mul(x2, e21), f32x4.mul(x3, e31)));
    v128.store(qp, f32x4.add(v128.load(qp), s0));
    v128.store(qp, f32x4.add(v128.load(qp, 16), s1), 16);
    qp += wrow;
  }
}

/**
 * dW without the padded sample (its rows would not fit). Per output row, the taps of its valid
 * kernel rows go in groups of five through wgradTaps5 over the interior pixels (a short last
 * group is padded as in paddedWeightGrad); edge pixels go through wgradCols4. Sums reach dw once
 * per output row, which bounds the f32 rounding drift like the GEMM's k blocking does.
 */
function directWeightGrad(dw: usize, dy: usize, x: usize, ws: usize, batch: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, outC: i32, kH: i32, kW: i32, sh: i32, sw: i32, dh: i32, dwl: i32, pt: i32, pl: i32, iLo: i32, iHi: i32): void {
  const K = kH * kW * inC;
  const T = kW * inC;
  const rowB = <usize>K << 2;
  const tab = ws + (<usize>regionFloats(inH, inW, inC, K, kW) << 2);
  const sink = tab + rowB;
  tapOffsets(tab, kH, kW, inC, dh, dwl, inW);
  const lo = interiorLo(sw, pl);
  const hi = interiorHi(inW, outW, kW, sw, dwl, pl, lo);
  const E = lo + outW - hi;
  const pix = <usize>outC << 2;
  const xstep = <usize>(sw * inC) << 2;
  for (let n = 0; n < batch; n++) {
    const xs = x + (<usize>n * <usize>(inH * inW * inC) << 2);
    for (let oh = 0; oh < outH; oh++) {
      const hb = oh * sh - pt;
      // Kernel rows [iLo, iHi) only: each tap's sum is its own, whatever group it runs in.
      const i0 = max(firstValid(hb, dh, kH), iLo);
      const i1 = min(endValid(hb, dh, kH, inH), iHi);
      if (i0 >= i1) continue;
      const t0 = i0 * T;
      const t1 = i1 * T;
      const dyrow = dy + (<usize>((n * outH + oh) * outW) * pix);
      if (hi > lo) {
        // Window origin of pixel lo; may lie before x (negative row or column), the taps do not.
        const xo = xs + <usize>(((hb * inW + lo * sw - pl) * inC) << 2);
        for (let oc0 = 0; oc0 < outC; oc0 += 8) {
          const dp = dyrow + <usize>lo * pix + (<usize>oc0 << 2);
          const qb = dw + (<usize>oc0 << 2);
          for (let g = t0; g < t1; g += 5) {
            const o0 = <usize>load<i32>(tab + (<usize>g << 2));
            const q0 = qb + <usize>g * pix;
            const o1 = g + 1 < t1 ? <usize>load<i32>(tab + (<usize>g << 2), 4) : o0;
            const q1 = g + 1 < t1 ? q0 + pix : sink + 32;
            const o2 = g + 2 < t1 ? <usize>load<i32>(tab + (<usize>g << 2), 8) : o0;
            const q2 = g + 2 < t1 ? q0 + 2 * pix : sink + 64;
            const o3 = g + 3 < t1 ? <usize>load<i32>(tab + (<usize>g << 2), 12) : o0;
            const q3 = g + 3 < t1 ? q0 + 3 * pix : sink + 96;
            const o4 = g + 4 < t1 ? <usize>load<i32>(tab + (<usize>g << 2), 16) : o0;
            const q4 = g + 4 < t1 ? q0 + 4 * pix : sink + 128;
            // Two distinct call sites keep binaryen from inlining the kernel into this loop nest.
            if (g + 4 < t1) wgradTaps5(xo, dp, hi - lo, xstep, pix, o0, o1, o2, o3, o4, q0, q0 + pix, q0 + 2 * pix, q0 + 3 * pix, q0 + 4 * pix);
            else wgradTaps5(xo, dp, hi - lo, xstep, pix, o0, o1, o2, o3, o4, q0, q1, q2, q3, q4);
          }
        }
      }
      for (let e = 0; e < E; e += 4) {
        const count = E - e < 4 ? E - e : 4;
        for (let q = 0; q < count; q++) {
          im2colRow(ws + <usize>q * rowB, xs, hb, edgeColumn(e + q, lo, hi) * sw - pl, inH, inW, inC, kH, kW, dh, dwl);
        }
        const d0 = dyrow + <usize>edgeColumn(e, lo, hi) * pix;
        const d1 = count > 1 ? dyrow + <usize>edgeColumn(e + 1, lo, hi) * pix : d0;
        const d2 = count > 2 ? dyrow + <usize>edgeColumn(e + 2, lo, hi) * pix : d0;
        const d3 = count > 3 ? dyrow + <usize>edgeColumn(e + 3, lo, hi) * pix : d0;
        const c1 = count > 1 ? ws + rowB : ws;
        const c2 = count > 2 ? ws + 2 * rowB : ws;
        const c3 = count > 3 ? ws + 3 * rowB : ws;
        for (let oc0 = 0; oc0 < outC; oc0 += 8) {
          const o = <usize>oc0 << 2;
          wgradCols4(ws, c1, c2, c3, d0 + o, d1 + o, d2 + o, d3 + o, count, dw + o, outC, t0, t1);
        }
      }
    }
  }
}

// ---- direct dx for one input channel ----------------------------------------------------------
// With inC = 1 and stride 1 in w, dx of input row ih is a 1-D correlation of dy rows with the
// flipped kernel: dx[ih, iw] += Σ_{i, j, oc} dy[oh, iw + pl − j·dw, oc]·w[i, j, oc] for the dy
// rows oh with oh·sh − pt + i·dh = ih. The tile is 8 adjacent dx columns (2 vectors) of the five
// dx rows that one dy row feeds through kernel rows i = 5g .. 5g+4: each step loads 2 vectors of
// dy (for one j and oc) and broadcasts 5 weights, 10 multiply-adds for 7 loads, as the GEMM's
// 5x8 tile. That needs dy with the pixels contiguous per channel: each dy row is transposed once
// into dyT[oc][8 + ow] with 8 zero floats either side, so a tap that overhangs the row reads
// zeros; taps that miss it entirely are skipped. Weights are packed as wP[g][j][oc][5] (rows
// past kH zero). Rows outside the input, and the pad rows of the last group, accumulate into a
// sink; a partial tile at the right edge runs on zeroed scratch rows and is added back.
//
// Workspace from ws (floats): [dyT: outC·(outW + 16)][wP: ceil(kH/5)·5·kW·outC][scratch: 40]
// [sink: 5x8]; sized by conv2d_workspace_bytes.

/** Direct dx path applies: one input channel, unit column stride. */
@inline function useDirectDx(inC: i32, sw: i32): bool {
  return inC == 1 && sw == 1;
}

/** dst[oc·stride + ow] = src[ow, oc] for one dy row [outW, outC]; 4x4 blocks, scalar edges. */
function transposeRow(dst: usize, stride: usize, src: usize, outW: i32, outC: i32): void {
  const w4 = outW & ~3;
  const c4 = outC & ~3;
  const ps = <usize>outC << 2;
  for (let ow = 0; ow < w4; ow += 4) {
    const s = src + <usize>ow * ps;
    const d = dst + (<usize>ow << 2);
    for (let oc = 0; oc < c4; oc += 4) {
      const so = s + (<usize>oc << 2);
      transpose4Store(d + <usize>oc * stride, stride, v128.load(so), v128.load(so + ps), v128.load(so + 2 * ps), v128.load(so + 3 * ps));
    }
    for (let oc = c4; oc < outC; oc++) {
      for (let u = 0; u < 4; u++) {
        store<f32>(d + <usize>oc * stride + (<usize>u << 2), load<f32>(s + <usize>u * ps + (<usize>oc << 2)));
      }
    }
  }
  for (let ow = w4; ow < outW; ow++) {
    for (let oc = 0; oc < outC; oc++) {
      store<f32>(dst + <usize>oc * stride + (<usize>ow << 2), load<f32>(src + <usize>ow * ps + (<usize>oc << 2)));
    }
  }
}

/**
 * Five 8-float dx rows p0..p4 += Σ over jn kernel columns and outC channels of
 * dyT[oc][a .. a+8) (at dp; next channel S4 bytes on, next column jstep bytes back) times the
 * packed weights wq[j][oc][0..5).
 */
function dgrad5x8(p0: usize, p1: usize, p2: usize, p3: usize, p4: usize, dp: usize, wq: usize, jn: i32, outC: i32, S4: usize, back: usize): void {
  let a00 = v128.load(p0), a01 = v128.load(p0, 16);
  let a10 = v128.load(p1), a11 = v128.load(p1, 16);
  let a20 = v128.load(p2), a21 = v128.load(p2, 16);
  let a30 = v128.load(p3), a31 = v128.load(p3, 16);
  let a40 = v128.load(p4), a41 = v128.load(p4, 16);
  // One flat loop over (j, oc): V8 unrolls nested inner loops and then hoists the five
  // broadcasts of each copy, which spills accumulators; a depth-1 loop is compiled as written.
  // At the end of each j the dy pointer moves by back: to channel 0, one column (dw) earlier.
  // A branch (taken once per outC steps, well predicted) costs less than a select every step.
  const n = jn * outC;
  let d = dp;
  let oc = 0;
  for (let t = 0; t < n; t++) {
    const d0 = v128.load(d);
    const d1 = v128.load(d, 16);
    let s = v128.load32_splat(wq);
    a00 = madd(s, d0, a00);
    a01 = madd(s, d1, a01);
    s = v128.load32_splat(wq, 4);
    a10 = madd(s, d0, a10);
    a11 = madd(s, d1, a11);
    s = v128.load32_splat(wq, 8);
    a20 = madd(s, d0, a20);
    a21 = madd(s, d1, a21);
    s = v128.load32_splat(wq, 12);
    a30 = madd(s, d0, a30);
    a31 = madd(s, d1, a31);
    s = v128.load32_splat(wq, 16);
    a40 = madd(s, d0, a40);
    a41 = madd(s, d1, a41);
    wq += 20;
    d += S4;
    if (++oc == outC) {
      oc = 0;
      d += back - S4;
    }
  }
  v128.store(p0, a00);
  v128.store(p0, a01, 16);
  v128.store(p1, a10);
  v128.store(p1, a11, 16);
  v128.store(p2, a20);
  v128.store(p2, a21, 16);
  v128.store(p3, a30);
  v128.store(p3, a31, 16);
  v128.store(p4, a40);
  v128.store(p4, a41, 16);
}

/** dgrad5x8 for a 4-float tile: the right-edge remainder of a dx row (no half-wasted 8-tile). */
function dgrad5x4(p0: usize, p1: usize, p2: usize, p3: usize, p4: usize, dp: usize, wq: usize, jn: i32, outC: i32, S4: usize, back: usize): void {
  let a0 = v128.load(p0), a1 = v128.load(p1), a2 = v128.load(p2), a3 = v128.load(p3), a4 = v128.load(p4);
  const n = jn * outC;
  let d = dp;
  let oc = 0;
  for (let t = 0; t < n; t++) {
    const d0 = v128.load(d);
    a0 = madd(v128.load32_splat(wq), d0, a0);
    a1 = madd(v128.load32_splat(wq, 4), d0, a1);
    a2 = madd(v128.load32_splat(wq, 8), d0, a2);
    a3 = madd(v128.load32_splat(wq, 12), d0, a3);
    a4 = madd(v128.load32_splat(wq, 16), d0, a4);
    wq += 20;
    d += S4;
    if (++oc == outC) {
      oc = 0;
      d += back - S4;
    }
  }
  v128.store(p0, a0);
  v128.store(p1, a1);
  v128.store(p2, a2);
  v128.store(p3, a3);
  v128.store(p4, a4);
}

/** dx row pointer for kernel row i of dy row oh, or 0 when that input row does not exist. */
@inline function dxRow(dxs: usize, oh: i32, i: i32, kH: i32, inH: i32, inW: i32, sh: i32, dh: i32, pt: i32): usize {
  const ih = oh * sh - pt + i * dh;
  return i < kH && ih >= 0 && ih < inH ? dxs + (<usize>(ih * inW) << 2) : 0;
}

function directInputGrad(dx: usize, dy: usize, w: usize, ws: usize, batch: i32, inH: i32, inW: i32, outH: i32, outW: i32, outC: i32, kH: i32, kW: i32, sh: i32, dh: i32, dwl: i32, pt: i32, pl: i32): void {
  const S = outW + 16;
  const S4 = <usize>S << 2;
  const G = (kH + 4) / 5;
  const dyT = ws;
  const wP = dyT + (<usize>(outC * S) << 2);
  const scratch = wP + (<usize>(G * 5 * kW * outC) << 2);
  const sink = scratch + 160;
  zeroRun(dyT, outC * S);
  for (let g = 0; g < G; g++) {
    for (let j = 0; j < kW; j++) {
      for (let oc = 0; oc < outC; oc++) {
        const d = wP + (<usize>(((g * kW + j) * outC + oc) * 5) << 2);
        for (let k = 0; k < 5; k++) {
          const i = g * 5 + k;
          store<f32>(d + (<usize>k << 2), i < kH ? load<f32>(w + (<usize>((i * kW + j) * outC + oc) << 2)) : 0);
        }
      }
    }
  }
  const back = S4 - <usize>outC * S4 - (<usize>dwl << 2);
  for (let n = 0; n < batch; n++) {
    const dxs = dx + (<usize>n * <usize>(inH * inW) << 2);
    for (let oh = 0; oh < outH; oh++) {
      transposeRow(dyT + 32, S4, dy + (<usize>((n * outH + oh) * outW * outC) << 2), outW, outC);
      for (let g = 0; g < G; g++) {
        const r0 = dxRow(dxs, oh, 5 * g, kH, inH, inW, sh, dh, pt);
        const r1 = dxRow(dxs, oh, 5 * g + 1, kH, inH, inW, sh, dh, pt);
        const r2 = dxRow(dxs, oh, 5 * g + 2, kH, inH, inW, sh, dh, pt);
        const r3 = dxRow(dxs, oh, 5 * g + 3, kH, inH, inW, sh, dh, pt);
        const r4 = dxRow(dxs, oh, 5 * g + 4, kH, inH, inW, sh, dh, pt);
        if ((r0 | r1 | r2 | r3 | r4) == 0) continue;
        for (let iw0 = 0; iw0 < inW; iw0 += 8) {
          // Tap j reads dyT columns [a, a + 8), a = iw0 + pl − j·dw: skip taps with a ≤ −8 or
          // a ≥ outW (they read only zeros).
          const base = iw0 + pl;
          const jlo = base < outW ? 0 : dwl == 1 ? base - outW + 1 : (base - outW) / dwl + 1;
          let jhi = base + 7 < 0 ? 0 : dwl == 1 ? base + 8 : (base + 7) / dwl + 1;
          if (jhi > kW) jhi = kW;
          if (jlo >= jhi) continue;
          const m = inW - iw0; // columns left in the row
          const off = <usize>iw0 << 2;
          const dp = dyT + (<usize>(8 + base - jlo * dwl) << 2);
          const wq = wP + (<usize>((g * kW + jlo) * outC * 5) << 2);
          const jn = jhi - jlo;
          let p0 = sink, p1 = sink + 32, p2 = sink + 64, p3 = sink + 96, p4 = sink + 128;
          if (m >= 8 || m == 4) {
            if (r0 != 0) p0 = r0 + off;
            if (r1 != 0) p1 = r1 + off;
            if (r2 != 0) p2 = r2 + off;
            if (r3 != 0) p3 = r3 + off;
            if (r4 != 0) p4 = r4 + off;
            if (m >= 8) dgrad5x8(p0, p1, p2, p3, p4, dp, wq, jn, outC, S4, back);
            else dgrad5x4(p0, p1, p2, p3, p4, dp, wq, jn, outC, S4, back);
            continue;
          }
          // Other remainders run on zeroed scratch rows, added back lane by lane.
          zeroRun(scratch, 40);
          if (r0 != 0) p0 = scratch;
          if (r1 != 0) p1 = scratch + 32;
          if (r2 != 0) p2 = scratch + 64;
          if (r3 != 0) p3 = scratch + 96;
          if (r4 != 0) p4 = scratch + 128;
          if (m > 4) dgrad5x8(p0, p1, p2, p3, p4, dp, wq, jn, outC, S4, back);
          else dgrad5x4(p0, p1, p2, p3, p4, dp, wq, jn, outC, S4, back);
          if (r0 != 0) addRun(r0 + off, scratch, m);
          if (r1 != 0) addRun(r1 + off, scratch + 32, m);
          if (r2 != 0) addRun(r2 + off, scratch + 64, m);
          if (r3 != 0) addRun(r3 + off, scratch + 96, m);
          if (r4 != 0) addRun(r4 + off, scratch + 128, m);
        }
      }
    }
  }
}

/** y[r, :] = b (or 0 when b is 0) for rows rows of width c: the GEMM then accumulates. */
export function fillRows(y: usize, b: usize, rows: i32, c: i32): void {
  if (b == 0) {
    zeroRun(y, rows * c);
    return;
  }
  for (let r = 0; r < rows; r++) copyRun(y + (<usize>r * <usize>c << 2), b, c);
}

/** db[oc] += Σ_r dy[r, oc], summed in register blocks of ROWS rows to limit f32 rounding drift. */
export function biasGrad(db: usize, dy: usize, total: i32, c: i32): void {
  const ROWS = 128;
  const c4 = c & ~3;
  const stride = <usize>c << 2;
  for (let r0 = 0; r0 < total; r0 += ROWS) {
    const r1 = r0 + ROWS < total ? r0 + ROWS : total;
    const base = dy + (<usize>r0 * stride);
    for (let ch = 0; ch < c4; ch += 4) {
      let s = f32x4.splat(0);
      let p = base + (<usize>ch << 2);
      for (let r = r0; r < r1; r++) {
        s = f32x4.add(s, v128.load(p));
        p += stride;
      }
      const q = db + (<usize>ch << 2);
      v128.store(q, f32x4.add(v128.load(q), s));
    }
    for (let ch = c4; ch < c; ch++) {
      let s: f32 = 0;
      let p = base + (<usize>ch << 2);
      for (let r = r0; r < r1; r++) {
        s += load<f32>(p);
        p += stride;
      }
      const q = db + (<usize>ch << 2);
      store<f32>(q, load<f32>(q) + s);
    }
  }
}

/**
 * 2-D convolution. x [batch, inH, inW, inC], w [kH, kW, inC, outC], b [outC] (may be 0) →
 * y [batch, outH, outW, outC] (OVERWRITE): y = b + Σ x[n, oh·sh − padTop + i·dh,
 * ow·sw − padLeft + j·dw, ic]·w[i, j, ic, oc], out-of-range input = 0; relu ≠ 0 then takes
 * max(0, y) (pmax's rule, as relu_forward_f32) on the way out. ws: conv2d_workspace_bytes.
 * Reference: test/reference/conv.ts conv2d_forward_f32.
 */
export function conv2d_forward_f32(y: usize, x: usize, w: usize, b: usize, ws: usize, batch: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, outC: i32, kH: i32, kW: i32, strideH: i32, strideW: i32, dilH: i32, dilW: i32, padTop: i32, padLeft: i32, relu: i32): void {
  const total = batch * outH * outW;
  const K = kH * kW * inC;
  if (total <= 0 || outC <= 0) return;
  if (K <= 0) {
    fillRows(y, b, total, outC);
    if (relu != 0) relu_forward_f32(y, y, total * outC);
    return;
  }
  if (useDirect(inH, inW, inC, outC, kW)) {
    if (paddedWidth(outW, kW, strideW, dilW) <= padBudget(inW, kW)) {
      const tab = ws + (<usize>regionFloats(inH, inW, inC, K, kW) << 2);
      paddedForward(y, x, w, b, false, relu != 0, ws, tab, tab + (<usize>K << 2) + 160, batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft);
      return;
    }
  }
  if (inC < 4 && (outC & 7) == 0) {
    // The padded sample's rows would not fit: few input channels still skip im2col.
    directForward(y, x, w, b, ws, batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft);
    if (relu != 0) relu_forward_f32(y, y, total * outC);
    return;
  }
  const P = chunkRows(total, K);
  const gws = ws + colsBytes(P, K);
  const direct = kH == 1 && kW == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0 && outH == inH && outW == inW;
  for (let r0 = 0; r0 < total; r0 += P) {
    const rows = total - r0 < P ? total - r0 : P;
    const yc = y + (<usize>r0 * <usize>outC << 2);
    fillRows(yc, b, rows, outC);
    let a = x + (<usize>r0 * <usize>inC << 2);
    if (!direct) {
      im2col(ws, x, r0, rows, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft);
      a = ws;
    }
    gemm_nn_f32(yc, a, w, gws, rows, outC, K);
    // While the chunk is still in cache.
    if (relu != 0) relu_forward_f32(yc, yc, rows * outC);
  }
}

/**
 * 2-D convolution backward (ACCUMULATE; each of dx, dw, db may be 0 = skip): dx [batch, inH,
 * inW, inC] += ∂/∂x, dw [kH, kW, inC, outC] += ∂/∂w, db [outC] += Σ dy, for dy [batch, outH,
 * outW, outC] and the forward's x, w and hyper-parameters. ws: conv2d_workspace_bytes.
 * Reference: test/reference/conv.ts conv2d_backward_f32.
 */
export function conv2d_backward_f32(dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize, ws: usize, batch: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, outC: i32, kH: i32, kW: i32, strideH: i32, strideW: i32, dilH: i32, dilW: i32, padTop: i32, padLeft: i32): void {
  const total = batch * outH * outW;
  const K = kH * kW * inC;
  if (total <= 0 || outC <= 0) return;
  if (db != 0) biasGrad(db, dy, total, outC);
  if (K <= 0) return;
  let dwG = dw; // dW still to do on the GEMM path
  let dxG = dx; // dx still to do on the GEMM path
  if (dw != 0 && useDirect(inH, inW, inC, outC, kW) && paddedWidth(outW, kW, strideW, dilW) <= padBudget(inW, kW)) {
    paddedWeightGrad(dw, dy, x, ws, batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft, 0, kH);
    dwG = 0;
  } else if (dw != 0 && inC < 4 && (outC & 7) == 0) {
    directWeightGrad(dw, dy, x, ws, batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft, 0, kH);
    dwG = 0;
  }
  if (dx != 0 && useDirectDx(inC, strideW)) {
    directInputGrad(dx, dy, w, ws, batch, inH, inW, outH, outW, outC, kH, kW, strideH, dilH, dilW, padTop, padLeft);
    dxG = 0;
  } else if (dx != 0 && useTransposedDx(inC, outH, outW, outC, kW, strideH, strideW) && paddedWidth(inW, kW, 1, dilW) <= padBudget(outW, kW)) {
    paddedInputGrad(dx, dy, w, ws, batch, inH, inW, inC, outH, outW, outC, kH, kW, dilH, dilW, padTop, padLeft);
    dxG = 0;
  }
  if (dxG == 0 && dwG == 0) return;
  const P = chunkRows(total, K);
  const gws = ws + colsBytes(P, K);
  const direct = kH == 1 && kW == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0 && outH == inH && outW == inW;
  for (let r0 = 0; r0 < total; r0 += P) {
    const rows = total - r0 < P ? total - r0 : P;
    const dyc = dy + (<usize>r0 * <usize>outC << 2);
    if (dwG != 0) {
      let a = x + (<usize>r0 * <usize>inC << 2);
      if (!direct) {
        im2col(ws, x, r0, rows, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft);
        a = ws;
      }
      gemm_tn_f32(dwG, a, dyc, gws, K, outC, rows);
    }
    if (dxG != 0) {
      if (direct) {
        gemm_nt_f32(dxG + (<usize>r0 * <usize>inC << 2), dyc, w, gws, rows, K, outC);
      } else {
        // The im2col buffer is free again: reuse it for dcols.
        zeroRun(ws, rows * K);
        gemm_nt_f32(ws, dyc, w, gws, rows, K, outC);
        col2im(dxG, ws, r0, rows, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft);
      }
    }
  }
}

/**
 * The filter gradient of conv2d_backward_f32 for kernel rows [row0, row1) only, ACCUMULATED:
 * dw[i, :, :, :] += its part of xᵀ·dy for row0 ≤ i < row1, other rows untouched. Every element is
 * summed in the order conv2d_backward_f32 sums it, on whichever path that takes (a tap's sum
 * never depends on the other taps, nor a GEMM element on the other rows of C), so the thread
 * pool splits dW over kernel rows with the bits of one call. dy: [batch, outH, outW, outC],
 * x: [batch, inH, inW, inC], dw: [kH, kW, inC, outC]; ws: conv2d_workspace_bytes for the batch.
 * Reference: test/reference/conv.ts.
 */
export function conv2d_backward_filter_rows_f32(dw: usize, dy: usize, x: usize, ws: usize, batch: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, outC: i32, kH: i32, kW: i32, strideH: i32, strideW: i32, dilH: i32, dilW: i32, padTop: i32, padLeft: i32, row0: i32, row1: i32): void {
  const total = batch * outH * outW;
  const K = kH * kW * inC;
  const r0 = max(row0, 0);
  const r1 = min(row1, kH);
  if (total <= 0 || outC <= 0 || K <= 0 || r0 >= r1) return;
  if (useDirect(inH, inW, inC, outC, kW) && paddedWidth(outW, kW, strideW, dilW) <= padBudget(inW, kW)) {
    paddedWeightGrad(dw, dy, x, ws, batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft, r0, r1);
    return;
  }
  if (inC < 4 && (outC & 7) == 0) {
    directWeightGrad(dw, dy, x, ws, batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft, r0, r1);
    return;
  }
  // The GEMM path: rows [r0·kW·inC, r1·kW·inC) of dW += colsᵀ·dy, chunk by chunk as there.
  const k0 = r0 * kW * inC;
  const m = (r1 - r0) * kW * inC;
  const P = chunkRows(total, K);
  const gws = ws + colsBytes(P, K);
  const direct = kH == 1 && kW == 1 && strideH == 1 && strideW == 1 && padTop == 0 && padLeft == 0 && outH == inH && outW == inW;
  const dwr = dw + (<usize>k0 * <usize>outC << 2);
  for (let p0 = 0; p0 < total; p0 += P) {
    const rows = total - p0 < P ? total - p0 : P;
    let a = x + (<usize>p0 * <usize>inC << 2);
    if (!direct) {
      im2col(ws, x, p0, rows, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft);
      a = ws;
    }
    gemmStrided(dwr, a + (<usize>k0 << 2), dy + (<usize>p0 * <usize>outC << 2), gws, m, outC, rows, K, outC, outC, true, false);
  }
}

/** The largest workspace of the three GEMMs a chunk of `rows` output pixels runs. */
@inline function chunkGemmBytes(rows: i32, K: i32, outC: i32): i32 {
  const fwd = gemm_workspace_bytes(rows, outC, K); // y = cols·W
  const dw = gemm_workspace_bytes(K, outC, rows); // dW += colsᵀ·dy
  const dx = gemm_workspace_bytes(rows, K, outC); // dcols = dy·Wᵀ
  return max(fwd, max(dw, dx));
}

/**
 * Bytes conv2d_forward_f32 / conv2d_backward_f32 need at `ws` for these sizes, any stride,
 * padding or dilation (0 when there is no output pixel, no tap or no output channel). The
 * largest of the paths that may run, each of which uses the workspace from its start:
 * - GEMM path: the [P, K] im2col buffer (colsBytes) then the GEMM workspace of the largest GEMM
 *   call of a full chunk and of the last one (chunkRows, K = kH·kW·inC).
 * - direct forward / dW (useDirect): the padded sample or 4 edge im2col rows (regionFloats), K
 *   tap offsets, the 5x8 sink and the 5x8 scratch tile.
 * - dx as a transposed convolution (useTransposedDx with unit strides, which this size cannot
 *   see): the same for dy (KT = kH·kW·outC taps), then the flipped weights, KT·inC floats.
 * - direct dx for inC = 1 (useDirectDx, taken only with stride 1 in w, which this size cannot
 *   see): one transposed dy row outC·(outW + 16), the weights in groups of 5 kernel rows, the
 *   5x8 scratch tile and the 5x8 sink.
 * src/wasm/workspace.ts conv2dWorkspaceBytes calls this.
 */
export function conv2d_workspace_bytes(batch: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, outC: i32, kH: i32, kW: i32): i32 {
  const total = batch * outH * outW;
  const K = kH * kW * inC;
  if (total <= 0 || K <= 0 || outC <= 0) return 0;
  const P = chunkRows(total, K);
  const last = total - ((total - 1) / P) * P;
  let bytes = <i32>colsBytes(P, K) + max(chunkGemmBytes(P, K, outC), chunkGemmBytes(last, K, outC));
  if (useDirect(inH, inW, inC, outC, kW)) {
    bytes = max(bytes, (regionFloats(inH, inW, inC, K, kW) + K + 40 + 40) << 2);
  }
  const KT = kH * kW * outC;
  if (useTransposedDx(inC, outH, outW, outC, kW, 1, 1)) {
    bytes = max(bytes, (regionFloats(outH, outW, outC, KT, kW) + KT + 40 + 40 + KT * inC) << 2);
  }
  if (useDirectDx(inC, 1)) {
    bytes = max(bytes, (outC * (outW + 16) + ((kH + 4) / 5) * 5 * kW * outC + 40 + 40) << 2);
  }
  return bytes;
}
