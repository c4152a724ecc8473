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
// already the [rows, inC] matrix, and dx is itself the GEMM output.
//
// The chunk size and the workspace layout are mirrored by conv2dWorkspaceBytes in
// src/wasm/workspace.ts: change both together.

import { gemm_nn_f32, gemm_nt_f32, gemm_tn_f32 } from './gemm';
import { madd } from './simd';

/** im2col buffer budget (floats) that sets the chunk size: ~256 KiB, about L2-resident. */
const CHUNK_FLOATS: i32 = 65536;
/** Bounds on rows per chunk: enough rows for GEMM efficiency, few enough to stay cached. */
const MIN_ROWS: i32 = 32;
const MAX_ROWS: i32 = 512;

/** Rows (output pixels) per chunk; conv2dWorkspaceBytes uses the same rule. */
@inline function chunkRows(total: i32, K: i32): i32 {
  let p = CHUNK_FLOATS / K;
  if (p < MIN_ROWS) p = MIN_ROWS;
  if (p > MAX_ROWS) p = MAX_ROWS;
  p &= ~7;
  return p < total ? p : total;
}

/** Bytes of the im2col buffer at the start of the workspace (16-byte aligned end). */
@inline function colsBytes(rows: i32, K: i32): usize {
  return ((<usize>rows * <usize>K << 2) + 15) & ~(<usize>15);
}

/** dst[0..n) = src[0..n). Runs of ≥ 4 end with an overlapping vector instead of a scalar tail. */
@inline function copyRun(dst: usize, src: usize, n: i32): void {
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
@inline function zeroRun(dst: usize, n: i32): void {
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
@inline function addRun(dst: usize, src: usize, n: i32): void {
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
 * cols[r, (i·kW + j)·inC + ic] = x[n, oh·sh − pt + i·dh, ow·sw − pl + j·dw, ic] (0 outside the
 * input) for the rows r0 .. r0+rows. The in-range kernel columns of one kernel row are one
 * contiguous run of x when dw = 1, so they are copied as a single run whatever inC is.
 */
function im2col(cols: usize, x: usize, r0: i32, rows: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, kH: i32, kW: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32): void {
  const K = kH * kW * inC;
  const plane = outH * outW;
  let n = r0 / plane;
  const rem = r0 - n * plane;
  let oh = rem / outW;
  let ow = rem - oh * outW;
  const rowFloats = kW * inC;
  for (let r = 0; r < rows; r++) {
    const dst = cols + (<usize>r * <usize>K << 2);
    const xs = x + (<usize>n * <usize>(inH * inW * inC) << 2);
    const hb = oh * sh - pt;
    const wb = ow * sw - pl;
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

// ---- direct forward for few input channels ------------------------------------------------
// With inC < 4 (the first layer of an image model) im2col costs more than the GEMM itself: each
// row of cols is kH short runs, and the GEMM re-packs the result. This path reads x in place
// instead, with the GEMM's register tile: 4 output pixels x 8 output channels, one broadcast of
// x and two vectors of w per tap. Pixels whose window leaves the input on the left or right go
// through a one-pixel path that clips its taps; kernel rows outside the input are skipped.

/** Direct path applies: few input channels and whole 8-channel output strips. */
@inline function useDirect(inC: i32, outC: i32): bool {
  return inC < 4 && (outC & 7) == 0;
}

/** One output pixel, channels oc0..oc0+7, taps clipped to the input. */
@inline function directPixel(yp: usize, xs: usize, w: usize, b: usize, oc0: i32, ow: i32, hb: i32, i0: i32, i1: i32, inW: i32, inC: i32, outC: i32, kW: i32, sw: i32, dh: i32, dw: i32, pl: i32): void {
  let a0 = f32x4.splat(0);
  let a1 = f32x4.splat(0);
  if (b != 0) {
    a0 = v128.load(b + (<usize>oc0 << 2));
    a1 = v128.load(b + (<usize>oc0 << 2), 16);
  }
  const wb = ow * sw - pl;
  const j0 = firstValid(wb, dw, kW);
  const j1 = endValid(wb, dw, kW, inW);
  const wrow = <usize>outC << 2;
  for (let i = i0; i < i1; i++) {
    const ih = hb + i * dh;
    for (let j = j0; j < j1; j++) {
      let xp = xs + (<usize>((ih * inW + wb + j * dw) * inC) << 2);
      let wp = w + (<usize>(((i * kW + j) * inC) * outC + oc0) << 2);
      for (let ic = 0; ic < inC; ic++) {
        const xv = v128.load32_splat(xp);
        a0 = madd(xv, v128.load(wp), a0);
        a1 = madd(xv, v128.load(wp, 16), a1);
        xp += 4;
        wp += wrow;
      }
    }
  }
  v128.store(yp, a0);
  v128.store(yp, a1, 16);
}

/** Four adjacent output pixels (all taps inside the input row), channels oc0..oc0+7. */
@inline function directBlock4(yp: usize, xs: usize, w: usize, b: usize, oc0: i32, ow: i32, hb: i32, i0: i32, i1: i32, inW: i32, inC: i32, outC: i32, kW: i32, sw: i32, dh: i32, dw: i32, pl: i32): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  if (b != 0) {
    c00 = v128.load(b + (<usize>oc0 << 2));
    c01 = v128.load(b + (<usize>oc0 << 2), 16);
  }
  let c10 = c00, c11 = c01, c20 = c00, c21 = c01, c30 = c00, c31 = c01;
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
  const py = <usize>outC << 2;
  v128.store(yp, c00);
  v128.store(yp, c01, 16);
  v128.store(yp + py, c10);
  v128.store(yp + py, c11, 16);
  v128.store(yp + 2 * py, c20);
  v128.store(yp + 2 * py, c21, 16);
  v128.store(yp + 3 * py, c30);
  v128.store(yp + 3 * py, c31, 16);
}

function directForward(y: usize, x: usize, w: usize, b: usize, batch: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, outC: i32, kH: i32, kW: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32): void {
  // Interior columns [owLo, owHi): every tap of the window lies inside the input row.
  let owLo = pl <= 0 ? 0 : (pl + sw - 1) / sw;
  const last = inW - 1 - (kW - 1) * dw + pl; // largest ow·sw whose window still fits
  let owHi = last < 0 ? 0 : last / sw + 1;
  if (owHi > outW) owHi = outW;
  if (owLo > owHi) owLo = owHi;
  const pix = <usize>outC << 2;
  for (let n = 0; n < batch; n++) {
    const xs = x + (<usize>n * <usize>(inH * inW * inC) << 2);
    for (let oh = 0; oh < outH; oh++) {
      const hb = oh * sh - pt;
      const i0 = firstValid(hb, dh, kH);
      const i1 = endValid(hb, dh, kH, inH);
      const yrow = y + (<usize>((n * outH + oh) * outW) * pix);
      for (let oc0 = 0; oc0 < outC; oc0 += 8) {
        const yc = yrow + (<usize>oc0 << 2);
        let ow = 0;
        for (; ow < owLo; ow++) directPixel(yc + <usize>ow * pix, xs, w, b, oc0, ow, hb, i0, i1, inW, inC, outC, kW, sw, dh, dw, pl);
        for (; ow + 4 <= owHi; ow += 4) directBlock4(yc + <usize>ow * pix, xs, w, b, oc0, ow, hb, i0, i1, inW, inC, outC, kW, sw, dh, dw, pl);
        for (; ow < outW; ow++) directPixel(yc + <usize>ow * pix, xs, w, b, oc0, ow, hb, i0, i1, inW, inC, outC, kW, sw, dh, dw, pl);
      }
    }
  }
}

/**
 * dW for the direct path: for each tap (i, j, ic) and 8-channel strip, Σ over the output pixels
 * whose tap lies inside the input of x·dy, four pixels at a time into separate accumulators
 * (independent add chains, and shorter f32 sums). Row by row so dy stays in L1 across taps.
 */
function directWeightGrad(dw: usize, dy: usize, x: usize, batch: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, outC: i32, kH: i32, kW: i32, sh: i32, sw: i32, dh: i32, dwl: i32, pt: i32, pl: i32): void {
  const pix = <usize>outC << 2;
  const xpix = <usize>(sw * inC) << 2;
  for (let n = 0; n < batch; n++) {
    const xs = x + (<usize>n * <usize>(inH * inW * inC) << 2);
    for (let oh = 0; oh < outH; oh++) {
      const hb = oh * sh - pt;
      const i0 = firstValid(hb, dh, kH);
      const i1 = endValid(hb, dh, kH, inH);
      const dyrow = dy + (<usize>((n * outH + oh) * outW) * pix);
      for (let i = i0; i < i1; i++) {
        const xrow = xs + (<usize>((hb + i * dh) * inW * inC) << 2);
        for (let j = 0; j < kW; j++) {
          // Output columns ow whose input column ow·sw + off lies in [0, inW).
          const off = j * dwl - pl;
          const lo = firstValid(off, sw, outW);
          const hi = endValid(off, sw, outW, inW);
          if (lo >= hi) continue;
          for (let ic = 0; ic < inC; ic++) {
            const wp = dw + (<usize>(((i * kW + j) * inC + ic) * outC) << 2);
            const x0 = xrow + (<usize>((lo * sw + off) * inC + ic) << 2);
            for (let oc0 = 0; oc0 < outC; oc0 += 8) {
              let a0 = f32x4.splat(0), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
              let xp = x0;
              let dp = dyrow + <usize>lo * pix + (<usize>oc0 << 2);
              let ow = lo;
              for (; ow + 4 <= hi; ow += 4) {
                let xv = v128.load32_splat(xp);
                a0 = madd(xv, v128.load(dp), a0);
                a1 = madd(xv, v128.load(dp, 16), a1);
                xv = v128.load32_splat(xp + xpix);
                b0 = madd(xv, v128.load(dp + pix), b0);
                b1 = madd(xv, v128.load(dp + pix, 16), b1);
                xv = v128.load32_splat(xp + 2 * xpix);
                c0 = madd(xv, v128.load(dp + 2 * pix), c0);
                c1 = madd(xv, v128.load(dp + 2 * pix, 16), c1);
                xv = v128.load32_splat(xp + 3 * xpix);
                d0 = madd(xv, v128.load(dp + 3 * pix), d0);
                d1 = madd(xv, v128.load(dp + 3 * pix, 16), d1);
                xp += 4 * xpix;
                dp += 4 * pix;
              }
              for (; ow < hi; ow++) {
                const xv = v128.load32_splat(xp);
                a0 = madd(xv, v128.load(dp), a0);
                a1 = madd(xv, v128.load(dp, 16), a1);
                xp += xpix;
                dp += pix;
              }
              const q = wp + (<usize>oc0 << 2);
              v128.store(q, f32x4.add(v128.load(q), f32x4.add(f32x4.add(a0, b0), f32x4.add(c0, d0))));
              v128.store(q, f32x4.add(v128.load(q, 16), f32x4.add(f32x4.add(a1, b1), f32x4.add(c1, d1))), 16);
            }
          }
        }
      }
    }
  }
}

/** y[r, :] = b (or 0 when b is 0) for rows rows of width c: the GEMM then accumulates. */
function fillRows(y: usize, b: usize, rows: i32, c: i32): void {
  if (b == 0) {
    zeroRun(y, rows * c);
    return;
  }
  for (let r = 0; r < rows; r++) copyRun(y + (<usize>r * <usize>c << 2), b, c);
}

/** db[oc] += Σ_r dy[r, oc], summed in register blocks of ROWS rows to limit f32 rounding drift. */
function biasGrad(db: usize, dy: usize, total: i32, c: i32): void {
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
 * ow·sw − padLeft + j·dw, ic]·w[i, j, ic, oc], out-of-range input = 0. ws: conv2dWorkspaceBytes.
 * Reference: test/reference/conv.ts conv2d_forward_f32.
 */
export function conv2d_forward_f32(y: usize, x: usize, w: usize, b: usize, ws: usize, batch: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, outC: i32, kH: i32, kW: i32, strideH: i32, strideW: i32, dilH: i32, dilW: i32, padTop: i32, padLeft: i32): void {
  const total = batch * outH * outW;
  const K = kH * kW * inC;
  if (total <= 0 || outC <= 0) return;
  if (K <= 0) {
    fillRows(y, b, total, outC);
    return;
  }
  if (useDirect(inC, outC)) {
    directForward(y, x, w, b, batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft);
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
  }
}

/**
 * 2-D convolution backward (ACCUMULATE; each of dx, dw, db may be 0 = skip): dx [batch, inH,
 * inW, inC] += ∂/∂x, dw [kH, kW, inC, outC] += ∂/∂w, db [outC] += Σ dy, for dy [batch, outH,
 * outW, outC] and the forward's x, w and hyper-parameters. ws: conv2dWorkspaceBytes.
 * Reference: test/reference/conv.ts conv2d_backward_f32.
 */
export function conv2d_backward_f32(dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize, ws: usize, batch: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, outC: i32, kH: i32, kW: i32, strideH: i32, strideW: i32, dilH: i32, dilW: i32, padTop: i32, padLeft: i32): void {
  const total = batch * outH * outW;
  const K = kH * kW * inC;
  if (total <= 0 || outC <= 0) return;
  if (db != 0) biasGrad(db, dy, total, outC);
  if (K <= 0) return;
  let dwG = dw; // dW still to do on the GEMM path
  if (dw != 0 && useDirect(inC, outC)) {
    directWeightGrad(dw, dy, x, batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft);
    dwG = 0;
  }
  if (dx == 0 && dwG == 0) return;
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
    if (dx != 0) {
      if (direct) {
        gemm_nt_f32(dx + (<usize>r0 * <usize>inC << 2), dyc, w, gws, rows, K, outC);
      } else {
        // The im2col buffer is free again: reuse it for dcols.
        zeroRun(ws, rows * K);
        gemm_nt_f32(ws, dyc, w, gws, rows, K, outC);
        col2im(dx, ws, r0, rows, inH, inW, inC, outH, outW, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft);
      }
    }
  }
}
