// Volumes: 3-D convolution and 3-D windowed pooling over NDHWC activations, DHWIO weights
// [kD, kH, kW, inC, outC] (TF.js / Keras layouts, so weights import without transposes).
// Global 3-D pooling needs no kernel of its own: it is global_maxpool / global_avgpool
// (pool.ts) over spatial = D·H·W, and 3-D max pooling's backward is maxpool2d_backward_f32,
// which only scatters dy to the saved flat indices of each sample.
//
// The convolution lowers onto the engine's GEMM exactly as conv.ts's GEMM path does in 2-D.
// The output voxels of the whole batch, flattened to rows r = ((n·outD + od)·outH + oh)·outW + ow,
// are processed in chunks of P rows; per chunk, im2col writes the receptive fields into a
// [P, K] matrix (K = kD·kH·kW·inC, taps ordered (d, h, w, ic) like the rows of W viewed as
// [K, outC]) in the workspace, and each chunk is one GEMM call:
//   forward  y[rows]  = bias + cols · W         (gemm_nn)
//   dW              += colsᵀ · dy[rows]        (gemm_tn)
//   dx              += col2im(dy[rows] · Wᵀ)   (gemm_nt into the cols buffer, then scatter-add)
// Chunking bounds the workspace (it does not grow with batch·D·H·W) while keeping M large enough
// for the GEMM's packing to pay off. A 1x1x1, stride-1 conv needs no im2col: x is already the
// [rows, inC] matrix, and dx is itself the GEMM output.
//
// conv3d_workspace_bytes (below) sizes the workspace from the chunk rule: change them together.

import { gemm_nn_f32, gemm_nt_f32, gemm_tn_f32, gemm_workspace_bytes } from './gemm';
import { addRun, biasGrad, chunkRows, colsBytes, copyRun, fillRows, zeroRun } from './conv';

// The im2col chunking (rows per chunk, buffer bytes) is conv2d's: the same cache budget.

/** Clipped tap range [lo, hi) of a window starting at base (may be < 0) of k taps in extent. */
@inline function tapLo(base: i32): i32 {
  return base < 0 ? -base : 0;
}
@inline function tapHi(base: i32, k: i32, extent: i32): i32 {
  const e = extent - base;
  return e < k ? (e < 0 ? 0 : e) : k;
}

/**
 * One row of cols for the window whose corner is (db, hb, wb) in the sample at xs:
 * dst[((i·kH + j)·kW + l)·inC + ic] = x[db + i, hb + j, wb + l, ic], 0 outside the input.
 * The in-range taps of one (i, j) kernel row are one contiguous run of x (unit dilation), so
 * each is one copy whatever inC is.
 */
@inline function im2colRow(dst: usize, xs: usize, db: i32, hb: i32, wb: i32, inD: i32, inH: i32, inW: i32, inC: i32, kD: i32, kH: i32, kW: i32): void {
  const rowFloats = kW * inC;
  const l0 = tapLo(wb);
  let l1 = tapHi(wb, kW, inW);
  if (l1 < l0) l1 = l0;
  let d = dst;
  for (let i = 0; i < kD; i++) {
    const id = db + i;
    if (id < 0 || id >= inD) {
      zeroRun(d, kH * rowFloats);
      d += <usize>(kH * rowFloats) << 2;
      continue;
    }
    for (let j = 0; j < kH; j++) {
      const ih = hb + j;
      if (ih < 0 || ih >= inH) {
        zeroRun(d, rowFloats);
      } else {
        zeroRun(d, l0 * inC);
        const src = xs + (<usize>(((id * inH + ih) * inW + wb + l0) * inC) << 2);
        copyRun(d + (<usize>(l0 * inC) << 2), src, (l1 - l0) * inC);
        zeroRun(d + (<usize>(l1 * inC) << 2), (kW - l1) * inC);
      }
      d += <usize>rowFloats << 2;
    }
  }
}

/** cols[r, :] = im2colRow of output voxel r0 + r (flattened over the batch) for rows rows. */
function im2col3d(cols: usize, x: usize, r0: i32, rows: i32, inD: i32, inH: i32, inW: i32, inC: i32, outD: i32, outH: i32, outW: i32, kD: i32, kH: i32, kW: i32, sD: i32, sH: i32, sW: i32, pf: i32, pt: i32, pl: i32): void {
  const K = kD * kH * kW * inC;
  let ow = r0 % outW;
  let t = r0 / outW;
  let oh = t % outH;
  t /= outH;
  let od = t % outD;
  let n = t / outD;
  const sample = <usize>(inD * inH * inW * inC) << 2;
  for (let r = 0; r < rows; r++) {
    im2colRow(cols + (<usize>r * <usize>K << 2), x + <usize>n * sample, od * sD - pf, oh * sH - pt, ow * sW - pl, inD, inH, inW, inC, kD, kH, kW);
    if (++ow == outW) {
      ow = 0;
      if (++oh == outH) {
        oh = 0;
        if (++od == outD) {
          od = 0;
          n++;
        }
      }
    }
  }
}

/** The adjoint of im2col3d: dx[n, id, ih, iw, ic] += cols[r, tap] for in-range taps. */
function col2im3d(dx: usize, cols: usize, r0: i32, rows: i32, inD: i32, inH: i32, inW: i32, inC: i32, outD: i32, outH: i32, outW: i32, kD: i32, kH: i32, kW: i32, sD: i32, sH: i32, sW: i32, pf: i32, pt: i32, pl: i32): void {
  const K = kD * kH * kW * inC;
  const rowFloats = kW * inC;
  let ow = r0 % outW;
  let t = r0 / outW;
  let oh = t % outH;
  t /= outH;
  let od = t % outD;
  let n = t / outD;
  const sample = <usize>(inD * inH * inW * inC) << 2;
  for (let r = 0; r < rows; r++) {
    const src = cols + (<usize>r * <usize>K << 2);
    const dxs = dx + <usize>n * sample;
    const db = od * sD - pf;
    const hb = oh * sH - pt;
    const wb = ow * sW - pl;
    const l0 = tapLo(wb);
    const l1 = tapHi(wb, kW, inW);
    if (l0 < l1) {
      for (let i = 0; i < kD; i++) {
        const id = db + i;
        if (id < 0 || id >= inD) continue;
        for (let j = 0; j < kH; j++) {
          const ih = hb + j;
          if (ih < 0 || ih >= inH) continue;
          const s = src + (<usize>((i * kH + j) * rowFloats + l0 * inC) << 2);
          const d = dxs + (<usize>(((id * inH + ih) * inW + wb + l0) * inC) << 2);
          addRun(d, s, (l1 - l0) * inC);
        }
      }
    }
    if (++ow == outW) {
      ow = 0;
      if (++oh == outH) {
        oh = 0;
        if (++od == outD) {
          od = 0;
          n++;
        }
      }
    }
  }
}



/** Whether x is already the [rows, inC] matrix (1x1x1 kernel, unit strides, no padding). */
@inline function isPointwise(inD: i32, inH: i32, inW: i32, outD: i32, outH: i32, outW: i32, kD: i32, kH: i32, kW: i32, sD: i32, sH: i32, sW: i32, pf: i32, pt: i32, pl: i32): bool {
  return kD == 1 && kH == 1 && kW == 1 && sD == 1 && sH == 1 && sW == 1 && pf == 0 && pt == 0 && pl == 0 && outD == inD && outH == inH && outW == inW;
}

/**
 * 3-D convolution. x [batch, inD, inH, inW, inC], w [kD, kH, kW, inC, outC], b [outC] (may be
 * 0) → y [batch, outD, outH, outW, outC] (OVERWRITE): y = b + Σ x[n, od·sD − padFront + i,
 * oh·sH − padTop + j, ow·sW − padLeft + l, ic]·w[i, j, l, ic, oc], out-of-range input = 0.
 * ws: conv3d_workspace_bytes. Reference: test/reference/conv3d.ts conv3d_forward_f32.
 */
export function conv3d_forward_f32(y: usize, x: usize, w: usize, b: usize, ws: usize, batch: i32, inD: i32, inH: i32, inW: i32, inC: i32, outD: i32, outH: i32, outW: i32, outC: i32, kD: i32, kH: i32, kW: i32, strideD: i32, strideH: i32, strideW: i32, padFront: i32, padTop: i32, padLeft: i32): void {
  const total = batch * outD * outH * outW;
  const K = kD * kH * kW * inC;
  if (total <= 0 || outC <= 0) return;
  if (K <= 0) {
    fillRows(y, b, total, outC);
    return;
  }
  const P = chunkRows(total, K);
  const gws = ws + colsBytes(P, K);
  const direct = isPointwise(inD, inH, inW, outD, outH, outW, kD, kH, kW, strideD, strideH, strideW, padFront, padTop, padLeft);
  for (let r0 = 0; r0 < total; r0 += P) {
    const rows = total - r0 < P ? total - r0 : P;
    const yc = y + (<usize>r0 * <usize>outC << 2);
    fillRows(yc, b, rows, outC);
    let a = x + (<usize>r0 * <usize>inC << 2);
    if (!direct) {
      im2col3d(ws, x, r0, rows, inD, inH, inW, inC, outD, outH, outW, kD, kH, kW, strideD, strideH, strideW, padFront, padTop, padLeft);
      a = ws;
    }
    gemm_nn_f32(yc, a, w, gws, rows, outC, K);
  }
}

/**
 * 3-D convolution backward (ACCUMULATE; each of dx, dw, db may be 0 = skip): dx [batch, inD,
 * inH, inW, inC] += ∂/∂x, dw [kD, kH, kW, inC, outC] += ∂/∂w, db [outC] += Σ dy, for dy
 * [batch, outD, outH, outW, outC] and the forward's x, w and hyper-parameters.
 * ws: conv3d_workspace_bytes. Reference: test/reference/conv3d.ts conv3d_backward_f32.
 */
export function conv3d_backward_f32(dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize, ws: usize, batch: i32, inD: i32, inH: i32, inW: i32, inC: i32, outD: i32, outH: i32, outW: i32, outC: i32, kD: i32, kH: i32, kW: i32, strideD: i32, strideH: i32, strideW: i32, padFront: i32, padTop: i32, padLeft: i32): void {
  const total = batch * outD * outH * outW;
  const K = kD * kH * kW * inC;
  if (total <= 0 || outC <= 0) return;
  if (db != 0) biasGrad(db, dy, total, outC);
  if (K <= 0 || (dx == 0 && dw == 0)) return;
  const P = chunkRows(total, K);
  const gws = ws + colsBytes(P, K);
  const direct = isPointwise(inD, inH, inW, outD, outH, outW, kD, kH, kW, strideD, strideH, strideW, padFront, padTop, padLeft);
  for (let r0 = 0; r0 < total; r0 += P) {
    const rows = total - r0 < P ? total - r0 : P;
    const dyc = dy + (<usize>r0 * <usize>outC << 2);
    if (dw != 0) {
      let a = x + (<usize>r0 * <usize>inC << 2);
      if (!direct) {
        im2col3d(ws, x, r0, rows, inD, inH, inW, inC, outD, outH, outW, kD, kH, kW, strideD, strideH, strideW, padFront, padTop, padLeft);
        a = ws;
      }
      gemm_tn_f32(dw, a, dyc, gws, K, outC, rows);
    }
    if (dx != 0) {
      if (direct) {
        gemm_nt_f32(dx + (<usize>r0 * <usize>inC << 2), dyc, w, gws, rows, K, outC);
      } else {
        // The im2col buffer is free again: reuse it for dcols.
        zeroRun(ws, rows * K);
        gemm_nt_f32(ws, dyc, w, gws, rows, K, outC);
        col2im3d(dx, ws, r0, rows, inD, inH, inW, inC, outD, outH, outW, kD, kH, kW, strideD, strideH, strideW, padFront, padTop, padLeft);
      }
    }
  }
}

/** The largest workspace of the three GEMMs a chunk of `rows` output voxels runs. */
@inline function chunkGemmBytes(rows: i32, K: i32, outC: i32): i32 {
  const fwd = gemm_workspace_bytes(rows, outC, K); // y = cols·W
  const dw = gemm_workspace_bytes(K, outC, rows); // dW += colsᵀ·dy
  const dx = gemm_workspace_bytes(rows, K, outC); // dcols = dy·Wᵀ
  return max(fwd, max(dw, dx));
}

/**
 * Bytes conv3d_forward_f32 / conv3d_backward_f32 need at `ws` for these sizes, any stride or
 * padding (0 when there is no output voxel, no tap or no output channel): the [P, K] im2col
 * buffer (chunkRows, K = kD·kH·kW·inC) then the workspace of the largest GEMM of a full chunk
 * and of the last one. The input's spatial sizes do not enter (no direct path reads them).
 */
export function conv3d_workspace_bytes(batch: i32, outD: i32, outH: i32, outW: i32, inC: i32, outC: i32, kD: i32, kH: i32, kW: i32): i32 {
  const total = batch * outD * outH * outW;
  const K = kD * kH * kW * inC;
  if (total <= 0 || K <= 0 || outC <= 0) return 0;
  const P = chunkRows(total, K);
  const last = total - ((total - 1) / P) * P;
  return <i32>colsBytes(P, K) + max(chunkGemmBytes(P, K, outC), chunkGemmBytes(last, K, outC));
}

// ---- 3-D windowed pooling -------------------------------------------------------------------
// As pool.ts in 2-D: channels are contiguous, so the kernels vectorise across channels (four at
// a time) with the window walked in the inner loops; windows are clipped to the input, so
// padding cells never win a max and do not count towards an average (TF's semantics). Overwrite
// kernels finish c ≥ 4 not a multiple of 4 with one more vector over the LAST four channels,
// which overlaps and recomputes the same values; the accumulating backward uses a scalar tail.

/** First clipped window coordinate for output position o (padding cells excluded). */
@inline function winStart(o: i32, stride: i32, pad: i32): i32 {
  const s = o * stride - pad;
  return s < 0 ? 0 : s;
}

/** One past the last clipped window coordinate. */
@inline function winEnd(o: i32, stride: i32, pad: i32, size: i32, extent: i32): i32 {
  const e = o * stride - pad + size;
  return e > extent ? extent : e;
}

/**
 * 3-D max pooling. x [batch, inD, inH, inW, c] → y [batch, outD, outH, outW, c] (OVERWRITE);
 * idx (i32, same shape as y; may be 0) gets each max's flat index ((d·inH + h)·inW + w)·c + ch
 * within its sample, the first max in scan order on ties; an empty window gives 0 and index −1.
 * Backward is maxpool2d_backward_f32 with inH = inD·inH and outH = outD·outH.
 * Reference: test/reference/conv3d.ts maxpool3d_forward_f32.
 */
export function maxpool3d_forward_f32(y: usize, idx: usize, x: usize, batch: i32, inD: i32, inH: i32, inW: i32, c: i32, outD: i32, outH: i32, outW: i32, poolD: i32, poolH: i32, poolW: i32, strideD: i32, strideH: i32, strideW: i32, padFront: i32, padTop: i32, padLeft: i32): void {
  const inSample = <usize>(inD * inH * inW * c) << 2;
  const lanes = i32x4(0, 1, 2, 3);
  let o = 0; // flat output index (elements)
  for (let n = 0; n < batch; n++) {
    const xs = x + <usize>n * inSample;
    for (let od = 0; od < outD; od++) {
      const d0 = winStart(od, strideD, padFront);
      const d1 = winEnd(od, strideD, padFront, poolD, inD);
      for (let oh = 0; oh < outH; oh++) {
        const h0 = winStart(oh, strideH, padTop);
        const h1 = winEnd(oh, strideH, padTop, poolH, inH);
        for (let ow = 0; ow < outW; ow++) {
          const w0 = winStart(ow, strideW, padLeft);
          const w1 = winEnd(ow, strideW, padLeft, poolW, inW);
          const yo = y + (<usize>o << 2);
          const io = idx == 0 ? 0 : idx + (<usize>o << 2);
          o += c;
          if (d0 >= d1 || h0 >= h1 || w0 >= w1) {
            for (let ch = 0; ch < c; ch++) {
              store<f32>(yo + (<usize>ch << 2), 0);
              if (io != 0) store<i32>(io + (<usize>ch << 2), -1);
            }
            continue;
          }
          if (c >= 4) {
            for (let ch = 0; ch < c; ch += 4) {
              const cc = ch > c - 4 ? c - 4 : ch;
              const first = ((d0 * inH + h0) * inW + w0) * c + cc;
              let vmax = v128.load(xs + (<usize>first << 2));
              let vidx = i32x4.add(i32x4.splat(first), lanes);
              for (let d = d0; d < d1; d++) {
                for (let h = h0; h < h1; h++) {
                  let f = ((d * inH + h) * inW + w0) * c + cc;
                  for (let w = w0; w < w1; w++) {
                    const v = v128.load(xs + (<usize>f << 2));
                    // Strictly greater: the first max in scan order keeps the index on ties.
                    const gt = f32x4.gt(v, vmax);
                    vmax = v128.bitselect(v, vmax, gt);
                    vidx = v128.bitselect(i32x4.add(i32x4.splat(f), lanes), vidx, gt);
                    f += c;
                  }
                }
              }
              v128.store(yo + (<usize>cc << 2), vmax);
              if (io != 0) v128.store(io + (<usize>cc << 2), vidx);
            }
          } else {
            for (let ch = 0; ch < c; ch++) {
              let best = ((d0 * inH + h0) * inW + w0) * c + ch;
              let m = load<f32>(xs + (<usize>best << 2));
              for (let d = d0; d < d1; d++) {
                for (let h = h0; h < h1; h++) {
                  for (let w = w0; w < w1; w++) {
                    const f = ((d * inH + h) * inW + w) * c + ch;
                    const v = load<f32>(xs + (<usize>f << 2));
                    if (v > m) {
                      m = v;
                      best = f;
                    }
                  }
                }
              }
              store<f32>(yo + (<usize>ch << 2), m);
              if (io != 0) store<i32>(io + (<usize>ch << 2), best);
            }
          }
        }
      }
    }
  }
}

/**
 * 3-D average pooling over the valid (non-padding) cells of each window, as TF does.
 * x [batch, inD, inH, inW, c] → y [batch, outD, outH, outW, c] (OVERWRITE); an empty window
 * gives 0. Reference: test/reference/conv3d.ts avgpool3d_forward_f32.
 */
export function avgpool3d_forward_f32(y: usize, x: usize, batch: i32, inD: i32, inH: i32, inW: i32, c: i32, outD: i32, outH: i32, outW: i32, poolD: i32, poolH: i32, poolW: i32, strideD: i32, strideH: i32, strideW: i32, padFront: i32, padTop: i32, padLeft: i32): void {
  const inSample = <usize>(inD * inH * inW * c) << 2;
  let yo = y;
  for (let n = 0; n < batch; n++) {
    const xs = x + <usize>n * inSample;
    for (let od = 0; od < outD; od++) {
      const d0 = winStart(od, strideD, padFront);
      const d1 = winEnd(od, strideD, padFront, poolD, inD);
      for (let oh = 0; oh < outH; oh++) {
        const h0 = winStart(oh, strideH, padTop);
        const h1 = winEnd(oh, strideH, padTop, poolH, inH);
        for (let ow = 0; ow < outW; ow++, yo += <usize>c << 2) {
          const w0 = winStart(ow, strideW, padLeft);
          const w1 = winEnd(ow, strideW, padLeft, poolW, inW);
          if (d0 >= d1 || h0 >= h1 || w0 >= w1) {
            for (let ch = 0; ch < c; ch++) store<f32>(yo + (<usize>ch << 2), 0);
            continue;
          }
          const cnt = <f32>((d1 - d0) * (h1 - h0) * (w1 - w0));
          if (c >= 4) {
            const vcnt = f32x4.splat(cnt);
            for (let ch = 0; ch < c; ch += 4) {
              const cc = ch > c - 4 ? c - 4 : ch;
              let s = f32x4.splat(0);
              for (let d = d0; d < d1; d++) {
                for (let h = h0; h < h1; h++) {
                  let p = xs + (<usize>(((d * inH + h) * inW + w0) * c + cc) << 2);
                  for (let w = w0; w < w1; w++) {
                    s = f32x4.add(s, v128.load(p));
                    p += <usize>c << 2;
                  }
                }
              }
              v128.store(yo + (<usize>cc << 2), f32x4.div(s, vcnt));
            }
          } else {
            for (let ch = 0; ch < c; ch++) {
              let s: f32 = 0;
              for (let d = d0; d < d1; d++) {
                for (let h = h0; h < h1; h++) {
                  for (let w = w0; w < w1; w++) s += load<f32>(xs + (<usize>(((d * inH + h) * inW + w) * c + ch) << 2));
                }
              }
              store<f32>(yo + (<usize>ch << 2), s / cnt);
            }
          }
        }
      }
    }
  }
}

/**
 * 3-D average pooling backward: each valid cell of a window gets dy / (valid cells)
 * (ACCUMULATE). dx [batch, inD, inH, inW, c]; dy [batch, outD, outH, outW, c]; the forward's
 * hyper-parameters. Reference: test/reference/conv3d.ts avgpool3d_backward_f32.
 */
export function avgpool3d_backward_f32(dx: usize, dy: usize, batch: i32, inD: i32, inH: i32, inW: i32, c: i32, outD: i32, outH: i32, outW: i32, poolD: i32, poolH: i32, poolW: i32, strideD: i32, strideH: i32, strideW: i32, padFront: i32, padTop: i32, padLeft: i32): void {
  const inSample = <usize>(inD * inH * inW * c) << 2;
  const cv = c & ~3;
  let dyo = dy;
  for (let n = 0; n < batch; n++) {
    const dxs = dx + <usize>n * inSample;
    for (let od = 0; od < outD; od++) {
      const d0 = winStart(od, strideD, padFront);
      const d1 = winEnd(od, strideD, padFront, poolD, inD);
      for (let oh = 0; oh < outH; oh++) {
        const h0 = winStart(oh, strideH, padTop);
        const h1 = winEnd(oh, strideH, padTop, poolH, inH);
        for (let ow = 0; ow < outW; ow++, dyo += <usize>c << 2) {
          const w0 = winStart(ow, strideW, padLeft);
          const w1 = winEnd(ow, strideW, padLeft, poolW, inW);
          if (d0 >= d1 || h0 >= h1 || w0 >= w1) continue;
          const cnt = <f32>((d1 - d0) * (h1 - h0) * (w1 - w0));
          const vcnt = f32x4.splat(cnt);
          for (let ch = 0; ch < cv; ch += 4) {
            const g = f32x4.div(v128.load(dyo + (<usize>ch << 2)), vcnt);
            for (let d = d0; d < d1; d++) {
              for (let h = h0; h < h1; h++) {
                let p = dxs + (<usize>(((d * inH + h) * inW + w0) * c + ch) << 2);
                for (let w = w0; w < w1; w++) {
                  v128.store(p, f32x4.add(v128.load(p), g));
                  p += <usize>c << 2;
                }
              }
            }
          }
          for (let ch = cv; ch < c; ch++) {
            const g = load<f32>(dyo + (<usize>ch << 2)) / cnt;
            for (let d = d0; d < d1; d++) {
              for (let h = h0; h < h1; h++) {
                for (let w = w0; w < w1; w++) {
                  const p = dxs + (<usize>(((d * inH + h) * inW + w) * c + ch) << 2);
                  store<f32>(p, load<f32>(p) + g);
                }
              }
            }
          }
        }
      }
    }
  }
}
