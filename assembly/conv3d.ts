// Volumes: 3-D convolution and 3-D windowed pooling over NDHWC activations, DHWIO weights
// [kD, kH, kW, inC, outC] (TF.js / Keras layouts, so weights import without transposes).
// Global 3-D pooling needs no kernel of its own: it is global_maxpool / global_avgpool
// (pool.ts) over spatial = D·H·W, and 3-D max pooling's backward is maxpool2d_backward_f32,
// which only scatters dy to the saved flat indices of each sample.
//
// The convolution runs on conv.ts's 2-D kernels, which choose their own best path (direct
// register tiles for few input or output channels, chunked im2col + GEMM otherwise). A 3-D
// window is a 2-D window over kD input planes, so each output plane (n, od) is a 2-D conv of
// the kD planes it reads stacked as channels: x2[(n, od)][h, w, i·inC + ic] =
// x[n, od·sD − padFront + i, h, w, ic] (0 outside the input), with the weights viewed as
// w2[j, l, i·inC + ic, oc] = w[i, j, l, ic, oc]. Building x2 ("depth im2col") copies kD planes
// per output plane, against kD·kH·kW taps per voxel for a full 3-D im2col, which with one input
// channel and 16 filters cost as much as the GEMM itself (~5 GFLOP/s); the 2-D direct paths then
// run at the register-tile speed. Output planes are processed in chunks (about 256 KiB of x2),
// and the (n, od) planes of y and dy are contiguous, so each chunk is one 2-D call:
//   forward   y[planes] = conv2d(x2, w2)
//   dW2      += conv2d dW(x2, dy[planes])     (dW2 zeroed once, added into dw permuted)
//   dx       += depth col2im(conv2d dx(dy[planes], w2))
// A kD = 1 kernel with unit depth stride and no depth padding needs no x2: x's planes are the
// 2-D samples and w is w2.
//
// conv3d_workspace_bytes (below) sizes the workspace from the chunk rule: change them together.

import { biasGrad, copyRun, addRun, zeroRun, fillRows, conv2d_forward_f32, conv2d_backward_f32, conv2d_workspace_bytes } from './conv';

/** Floats of x2 per chunk (as conv2d's im2col chunk: ~256 KiB, so it stays in L2). */
const PLANE_BUDGET: i32 = 65536;

/** Output planes per chunk: as many as fit PLANE_BUDGET floats of x2, at least one, at most all. */
@inline function chunkPlanes(planes: i32, planeFloats: i32): i32 {
  let p = PLANE_BUDGET / planeFloats;
  if (p < 1) p = 1;
  return p < planes ? p : planes;
}

/** Bytes of n floats rounded up to 16. */
@inline function vecBytes(n: i32): usize {
  return (<usize>n * 4 + 15) & ~(<usize>15);
}

/** x's planes are already the 2-D samples (kD = 1, unit depth stride, no depth padding). */
@inline function planar(inD: i32, outD: i32, kD: i32, sD: i32, pf: i32): bool {
  return kD == 1 && sD == 1 && pf == 0 && outD == inD;
}

/**
 * w2[j, l, i·inC + ic, oc] = w[i, j, l, ic, oc] (adjoint = false), or the adjoint
 * w[i, j, l, ic, oc] += w2[…] (adjoint = true): runs of inC·outC floats either way.
 */
function permuteWeights(w2: usize, w: usize, adjoint: bool, inC: i32, outC: i32, kD: i32, kH: i32, kW: i32): void {
  const run = inC * outC;
  for (let i = 0; i < kD; i++) {
    for (let j = 0; j < kH; j++) {
      for (let l = 0; l < kW; l++) {
        const src = w + (<usize>(((i * kH + j) * kW + l) * run) << 2);
        const dst = w2 + (<usize>(((j * kW + l) * kD + i) * run) << 2);
        if (adjoint) addRun(src, dst, run);
        else copyRun(dst, src, run);
      }
    }
  }
}

/**
 * x2 for output planes p0 .. p0 + count − 1 (flattened p = n·outD + od), written at x2
 * (adjoint = false); or the adjoint, x[…] += x2[…] for in-range planes (adjoint = true, x is then dx).
 * plane = inH·inW pixels; each pixel of x2 holds kD runs of inC floats.
 */
function depthCols(x2: usize, x: usize, adjoint: bool, p0: i32, count: i32, inD: i32, plane: i32, inC: i32, outD: i32, kD: i32, sD: i32, pf: i32): void {
  const C2 = kD * inC;
  const pix2 = <usize>C2 << 2;
  const pix = <usize>inC << 2;
  const sample = <usize>(inD * plane * inC) << 2;
  let od = p0 % outD;
  let n = p0 / outD;
  let d = x2;
  for (let q = 0; q < count; q++) {
    const db = od * sD - pf;
    for (let i = 0; i < kD; i++) {
      const id = db + i;
      let dst = d + (<usize>(i * inC) << 2);
      if (id < 0 || id >= inD) {
        if (!adjoint) {
          for (let p = 0; p < plane; p++, dst += pix2) zeroRun(dst, inC);
        }
        continue;
      }
      let src = x + <usize>n * sample + (<usize>(id * plane * inC) << 2);
      if (kD == 1) {
        // x2 is this plane of x itself.
        if (adjoint) addRun(src, dst, plane * inC);
        else copyRun(dst, src, plane * inC);
      } else if (inC == 1) {
        // One float per pixel: a strided scalar copy beats a run call per pixel.
        if (adjoint) {
          for (let p = 0; p < plane; p++, dst += pix2, src += 4) store<f32>(src, load<f32>(src) + load<f32>(dst));
        } else {
          for (let p = 0; p < plane; p++, dst += pix2, src += 4) store<f32>(dst, load<f32>(src));
        }
      } else if (adjoint) {
        for (let p = 0; p < plane; p++, dst += pix2, src += pix) addRun(src, dst, inC);
      } else {
        for (let p = 0; p < plane; p++, dst += pix2, src += pix) copyRun(dst, src, inC);
      }
    }
    d += <usize>plane * pix2;
    if (++od == outD) {
      od = 0;
      n++;
    }
  }
}

/**
 * 3-D convolution. x [batch, inD, inH, inW, inC], w [kD, kH, kW, inC, outC], b [outC] (may be
 * 0) → y [batch, outD, outH, outW, outC] (OVERWRITE): y = b + Σ x[n, od·sD − padFront + i,
 * oh·sH − padTop + j, ow·sW − padLeft + l, ic]·w[i, j, l, ic, oc], out-of-range input = 0.
 * ws: conv3d_workspace_bytes. Reference: test/reference/conv3d.ts conv3d_forward_f32.
 */
export function conv3d_forward_f32(y: usize, x: usize, w: usize, b: usize, ws: usize, batch: i32, inD: i32, inH: i32, inW: i32, inC: i32, outD: i32, outH: i32, outW: i32, outC: i32, kD: i32, kH: i32, kW: i32, strideD: i32, strideH: i32, strideW: i32, padFront: i32, padTop: i32, padLeft: i32): void {
  const planes = batch * outD;
  if (planes * outH * outW <= 0 || outC <= 0) return;
  if (kD * kH * kW * inC <= 0) {
    fillRows(y, b, planes * outH * outW, outC);
    return;
  }
  if (planar(inD, outD, kD, strideD, padFront)) {
    conv2d_forward_f32(y, x, w, b, ws, planes, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, 1, 1, padTop, padLeft, 0);
    return;
  }
  const C2 = kD * inC;
  const plane2 = inH * inW * C2;
  const P = chunkPlanes(planes, plane2);
  const w2 = ws + vecBytes(P * plane2);
  const gws = w2 + 2 * vecBytes(kH * kW * C2 * outC);
  permuteWeights(w2, w, false, inC, outC, kD, kH, kW);
  const yPlane = <usize>(outH * outW * outC) << 2;
  for (let p0 = 0; p0 < planes; p0 += P) {
    const count = planes - p0 < P ? planes - p0 : P;
    depthCols(ws, x, false, p0, count, inD, inH * inW, inC, outD, kD, strideD, padFront);
    conv2d_forward_f32(y + <usize>p0 * yPlane, ws, w2, b, gws, count, inH, inW, C2, outH, outW, outC, kH, kW, strideH, strideW, 1, 1, padTop, padLeft, 0);
  }
}

/**
 * 3-D convolution backward (ACCUMULATE; each of dx, dw, db may be 0 = skip): dx [batch, inD,
 * inH, inW, inC] += ∂/∂x, dw [kD, kH, kW, inC, outC] += ∂/∂w, db [outC] += Σ dy, for dy
 * [batch, outD, outH, outW, outC] and the forward's x, w and hyper-parameters.
 * ws: conv3d_workspace_bytes. Reference: test/reference/conv3d.ts conv3d_backward_f32.
 */
export function conv3d_backward_f32(dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize, ws: usize, batch: i32, inD: i32, inH: i32, inW: i32, inC: i32, outD: i32, outH: i32, outW: i32, outC: i32, kD: i32, kH: i32, kW: i32, strideD: i32, strideH: i32, strideW: i32, padFront: i32, padTop: i32, padLeft: i32): void {
  const planes = batch * outD;
  if (planes * outH * outW <= 0 || outC <= 0) return;
  if (db != 0) biasGrad(db, dy, planes * outH * outW, outC);
  if (kD * kH * kW * inC <= 0 || (dx == 0 && dw == 0)) return;
  if (planar(inD, outD, kD, strideD, padFront)) {
    conv2d_backward_f32(dx, dw, 0, dy, x, w, ws, planes, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, 1, 1, padTop, padLeft);
    return;
  }
  const C2 = kD * inC;
  const plane2 = inH * inW * C2;
  const P = chunkPlanes(planes, plane2);
  const nw2 = kH * kW * C2 * outC;
  const w2 = ws + vecBytes(P * plane2);
  const dw2 = w2 + vecBytes(nw2);
  const gws = dw2 + vecBytes(nw2);
  permuteWeights(w2, w, false, inC, outC, kD, kH, kW);
  if (dw != 0) zeroRun(dw2, nw2);
  const dyPlane = <usize>(outH * outW * outC) << 2;
  for (let p0 = 0; p0 < planes; p0 += P) {
    const count = planes - p0 < P ? planes - p0 : P;
    const dyc = dy + <usize>p0 * dyPlane;
    if (dw != 0) {
      depthCols(ws, x, false, p0, count, inD, inH * inW, inC, outD, kD, strideD, padFront);
      conv2d_backward_f32(0, dw2, 0, dyc, ws, w2, gws, count, inH, inW, C2, outH, outW, outC, kH, kW, strideH, strideW, 1, 1, padTop, padLeft);
    }
    if (dx != 0) {
      // x2 is spent: the same buffer takes dx2, then goes back onto dx's planes.
      zeroRun(ws, count * plane2);
      conv2d_backward_f32(ws, 0, 0, dyc, 0, w2, gws, count, inH, inW, C2, outH, outW, outC, kH, kW, strideH, strideW, 1, 1, padTop, padLeft);
      depthCols(ws, dx, true, p0, count, inD, inH * inW, inC, outD, kD, strideD, padFront);
    }
  }
  if (dw != 0) permuteWeights(dw2, dw, true, inC, outC, kD, kH, kW);
}

/** conv2d's workspace for the chunks of P planes and the last, shorter chunk. */
@inline function planesWorkspace(planes: i32, P: i32, inH: i32, inW: i32, C2: i32, outH: i32, outW: i32, outC: i32, kH: i32, kW: i32): i32 {
  const last = planes - ((planes - 1) / P) * P;
  return max(conv2d_workspace_bytes(P, inH, inW, C2, outH, outW, outC, kH, kW), conv2d_workspace_bytes(last, inH, inW, C2, outH, outW, outC, kH, kW));
}

/**
 * Bytes conv3d_forward_f32 / conv3d_backward_f32 need at `ws` for these sizes, any stride or
 * padding (0 when there is no output voxel, no tap or no output channel): x2 for a chunk of P
 * output planes (chunkPlanes), w2 and dW2 (kH·kW·kD·inC·outC floats each), each rounded up to
 * 16 bytes, then conv2d_workspace_bytes for P planes and for the last chunk; with kD = 1, also
 * conv2d's workspace over all batch·outD planes (the no-x2 path).
 */
export function conv3d_workspace_bytes(batch: i32, inD: i32, inH: i32, inW: i32, inC: i32, outD: i32, outH: i32, outW: i32, outC: i32, kD: i32, kH: i32, kW: i32): i32 {
  const planes = batch * outD;
  if (planes * outH * outW <= 0 || kD * kH * kW * inC <= 0 || outC <= 0) return 0;
  const C2 = kD * inC;
  const plane2 = inH * inW * C2;
  const P = chunkPlanes(planes, plane2);
  let bytes = <i32>(vecBytes(P * plane2) + 2 * vecBytes(kH * kW * C2 * outC)) + planesWorkspace(planes, P, inH, inW, C2, outH, outW, outC, kH, kW);
  if (kD == 1) bytes = max(bytes, conv2d_workspace_bytes(planes, inH, inW, inC, outH, outW, outC, kH, kW));
  return bytes;
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
