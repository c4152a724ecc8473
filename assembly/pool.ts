// Pooling over NHWC activations. Channels are contiguous, so every kernel vectorises across
// channels (four at a time) and walks the window cells in the inner loop with the running
// max / sum held in registers. Windows are clipped to the input: padding cells never take part
// (TF semantics: they never win a max and do not count towards an average).

// Overwrite kernels finish a channel count c ≥ 4 that is not a multiple of 4 with one more
// vector over the LAST four channels: it overlaps the previous one and recomputes the same
// values, so no scalar tail and nothing outside the row is touched. Accumulating kernels cannot
// do that (the overlap would be added twice) and use a scalar tail instead.

/** Lane offsets 0..3, added to a splatted flat index. */
@inline function laneIota(): v128 {
  return i32x4(0, 1, 2, 3);
}

/** p + off, or 0 when p is 0 (an output that is not wanted). */
@inline function orZero(p: usize, off: usize): usize {
  return p == 0 ? 0 : p + off;
}

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

/** Max of one window for the 4 channels starting at ch; stores y (and idx unless it is 0). */
@inline function maxWindow4(y: usize, idx: usize, xs: usize, inW: i32, c: i32, ch: i32, h0: i32, h1: i32, w0: i32, w1: i32): void {
  const first = (h0 * inW + w0) * c + ch;
  let vmax = v128.load(xs + (<usize>first << 2));
  let vidx = i32x4.add(i32x4.splat(first), laneIota());
  for (let h = h0; h < h1; h++) {
    for (let w = w0; w < w1; w++) {
      const f = (h * inW + w) * c + ch;
      const v = v128.load(xs + (<usize>f << 2));
      // Strictly greater: the first max in scan order keeps the index on ties.
      const gt = f32x4.gt(v, vmax);
      vmax = v128.bitselect(v, vmax, gt);
      vidx = v128.bitselect(i32x4.add(i32x4.splat(f), laneIota()), vidx, gt);
    }
  }
  v128.store(y, vmax);
  if (idx != 0) v128.store(idx, vidx);
}

/** Scalar max of one window for channel ch. */
@inline function maxWindow1(y: usize, idx: usize, xs: usize, inW: i32, c: i32, ch: i32, h0: i32, h1: i32, w0: i32, w1: i32): void {
  let best = (h0 * inW + w0) * c + ch;
  let m = load<f32>(xs + (<usize>best << 2));
  for (let h = h0; h < h1; h++) {
    for (let w = w0; w < w1; w++) {
      const f = (h * inW + w) * c + ch;
      const v = load<f32>(xs + (<usize>f << 2));
      if (v > m) {
        m = v;
        best = f;
      }
    }
  }
  store<f32>(y, m);
  if (idx != 0) store<i32>(idx, best);
}

// The common 2x2 / stride-2 window with every window inside the input (valid, or same on even
// sizes) gets its own loops: no clipping, four loads per vector, and inference (idx = 0) keeps no
// index at all. The generic loop spends more on window bookkeeping than on the four compares.
// pmax(m, v) keeps m unless m < v, the same strictly-greater rule (and NaN handling) as the scan.

/** 2x2 / stride-2 max pooling without indices; windows inside the input, c ≥ 4. */
function maxpool2x2(y: usize, x: usize, batch: i32, inH: i32, inW: i32, c: i32, outH: i32, outW: i32): void {
  const pix = <usize>c << 2;
  const row = <usize>(inW * c) << 2;
  const last = <usize>(c - 4) << 2;
  let yo = y;
  for (let n = 0; n < batch; n++) {
    const xs = x + <usize>n * (<usize>inH * row);
    for (let oh = 0; oh < outH; oh++) {
      let p = xs + <usize>(2 * oh) * row;
      for (let ow = 0; ow < outW; ow++) {
        // The last vector overlaps the previous one when c % 4 != 0 (see the file note).
        for (let o: usize = 0; o < pix; o += 16) {
          const q = o > last ? last : o;
          const m = f32x4.pmax(f32x4.pmax(v128.load(p + q), v128.load(p + pix + q)), v128.load(p + row + q));
          v128.store(yo + q, f32x4.pmax(m, v128.load(p + row + pix + q)));
        }
        p += 2 * pix;
        yo += pix;
      }
    }
  }
}

/**
 * 2x2 / stride-2 max pooling with the argmax of each window. The max comes from pmax as above;
 * the index is then the first cell in scan order (h0w0, h0w1, h1w0, h1w1) that holds it, found
 * with three compares instead of tracking it through the scan. The first cell is tested as
 * "not below the max", so a NaN there (which pmax keeps) still wins, as in the scan.
 */
function maxpool2x2Idx(y: usize, idx: usize, x: usize, batch: i32, inH: i32, inW: i32, c: i32, outH: i32, outW: i32): void {
  const pix = <usize>c << 2;
  const row = <usize>(inW * c) << 2;
  const last = <usize>(c - 4) << 2;
  const dC = i32x4.splat(c);
  const dRow = i32x4.splat(inW * c);
  let yo: usize = 0;
  for (let n = 0; n < batch; n++) {
    const xs = x + <usize>n * (<usize>inH * row);
    for (let oh = 0; oh < outH; oh++) {
      for (let ow = 0; ow < outW; ow++) {
        const f = (2 * oh * inW + 2 * ow) * c;
        const p = xs + (<usize>f << 2);
        const base = i32x4.add(i32x4.splat(f), laneIota());
        for (let o: usize = 0; o < pix; o += 16) {
          const q = o > last ? last : o;
          const v00 = v128.load(p + q);
          const v01 = v128.load(p + pix + q);
          const v10 = v128.load(p + row + q);
          const m = f32x4.pmax(f32x4.pmax(f32x4.pmax(v00, v01), v10), v128.load(p + row + pix + q));
          // Offset of the winning cell: h1w1, else h1w0, else h0w1, else h0w0.
          let off = i32x4.add(dRow, v128.andnot(dC, f32x4.eq(v10, m)));
          off = v128.bitselect(dC, off, f32x4.eq(v01, m));
          off = v128.and(off, f32x4.lt(v00, m));
          v128.store(y + yo + q, m);
          v128.store(idx + yo + q, i32x4.add(i32x4.add(base, i32x4.splat(<i32>(q >> 2))), off));
        }
        yo += pix;
      }
    }
  }
}

/**
 * Max pooling. x [batch, inH, inW, c] → y [batch, outH, outW, c] (OVERWRITE); idx (i32, same
 * shape as y, may be 0) gets the flat index (h·inW + w)·c + ch of each max within its sample,
 * first max on ties. A window with no valid cell gives y = 0, idx = −1.
 * Reference: test/reference/pool.ts maxpool2d_forward_f32.
 */
export function maxpool2d_forward_f32(y: usize, idx: usize, x: usize, batch: i32, inH: i32, inW: i32, c: i32, outH: i32, outW: i32, poolH: i32, poolW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32): void {
  if (poolH == 2 && poolW == 2 && strideH == 2 && strideW == 2 && padTop == 0 && padLeft == 0 && c >= 4 && 2 * outH <= inH && 2 * outW <= inW) {
    if (idx == 0) maxpool2x2(y, x, batch, inH, inW, c, outH, outW);
    else maxpool2x2Idx(y, idx, x, batch, inH, inW, c, outH, outW);
    return;
  }
  const inSample = <usize>(inH * inW * c) << 2;
  const cv = c & ~3;
  for (let n = 0; n < batch; n++) {
    const xs = x + <usize>n * inSample;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = winStart(oh, strideH, padTop);
      const h1 = winEnd(oh, strideH, padTop, poolH, inH);
      for (let ow = 0; ow < outW; ow++) {
        const w0 = winStart(ow, strideW, padLeft);
        const w1 = winEnd(ow, strideW, padLeft, poolW, inW);
        const o = <usize>(((n * outH + oh) * outW + ow) * c) << 2;
        const yo = y + o;
        const io = orZero(idx, o);
        if (h0 >= h1 || w0 >= w1) {
          for (let ch = 0; ch < c; ch++) {
            store<f32>(yo + (<usize>ch << 2), 0);
            if (io != 0) store<i32>(io + (<usize>ch << 2), -1);
          }
          continue;
        }
        if (c >= 4) {
          for (let ch = 0; ch < cv; ch += 4) {
            const off = <usize>ch << 2;
            maxWindow4(yo + off, orZero(io, off), xs, inW, c, ch, h0, h1, w0, w1);
          }
          if (cv < c) {
            const off = <usize>(c - 4) << 2;
            maxWindow4(yo + off, orZero(io, off), xs, inW, c, c - 4, h0, h1, w0, w1);
          }
        } else {
          for (let ch = 0; ch < c; ch++) {
            const off = <usize>ch << 2;
            maxWindow1(yo + off, orZero(io, off), xs, inW, c, ch, h0, h1, w0, w1);
          }
        }
      }
    }
  }
}

/**
 * Max pooling backward: dx[sample][idx] += dy for every element of dy (ACCUMULATE).
 * dx [batch, inH, inW, c]; dy and idx (i32, from the forward) [batch, outH, outW, c].
 * Indices outside the sample (−1 from an empty window) are skipped.
 * Reference: test/reference/pool.ts maxpool2d_backward_f32.
 */
export function maxpool2d_backward_f32(dx: usize, dy: usize, idx: usize, batch: i32, inH: i32, inW: i32, c: i32, outH: i32, outW: i32): void {
  const inCount = inH * inW * c;
  const outCount = outH * outW * c;
  for (let n = 0; n < batch; n++) {
    const dxs = dx + (<usize>(n * inCount) << 2);
    const base = <usize>(n * outCount) << 2;
    for (let i = 0; i < outCount; i++) {
      const o = base + (<usize>i << 2);
      const j = load<i32>(idx + o);
      // Unsigned compare rejects negative indices too.
      if (<u32>j < <u32>inCount) {
        const p = dxs + (<usize>j << 2);
        store<f32>(p, load<f32>(p) + load<f32>(dy + o));
      }
    }
  }
}

/**
 * Average pooling over the valid (non-padding) cells of each window, as TF does.
 * x [batch, inH, inW, c] → y [batch, outH, outW, c] (OVERWRITE); an empty window gives 0.
 * Reference: test/reference/pool.ts avgpool2d_forward_f32.
 */
export function avgpool2d_forward_f32(y: usize, x: usize, batch: i32, inH: i32, inW: i32, c: i32, outH: i32, outW: i32, poolH: i32, poolW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32): void {
  const inSample = <usize>(inH * inW * c) << 2;
  for (let n = 0; n < batch; n++) {
    const xs = x + <usize>n * inSample;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = winStart(oh, strideH, padTop);
      const h1 = winEnd(oh, strideH, padTop, poolH, inH);
      for (let ow = 0; ow < outW; ow++) {
        const w0 = winStart(ow, strideW, padLeft);
        const w1 = winEnd(ow, strideW, padLeft, poolW, inW);
        const yo = y + (<usize>(((n * outH + oh) * outW + ow) * c) << 2);
        if (h0 >= h1 || w0 >= w1) {
          for (let ch = 0; ch < c; ch++) store<f32>(yo + (<usize>ch << 2), 0);
          continue;
        }
        const cnt = <f32>((h1 - h0) * (w1 - w0));
        if (c >= 4) {
          const vcnt = f32x4.splat(cnt);
          // The last step overlaps the previous one when c % 4 != 0 (see the file note).
          for (let ch = 0; ch < c; ch += 4) {
            const cc = ch > c - 4 ? c - 4 : ch;
            let s = f32x4.splat(0);
            for (let h = h0; h < h1; h++) {
              let p = xs + (<usize>((h * inW + w0) * c + cc) << 2);
              for (let w = w0; w < w1; w++) {
                s = f32x4.add(s, v128.load(p));
                p += <usize>c << 2;
              }
            }
            v128.store(yo + (<usize>cc << 2), f32x4.div(s, vcnt));
          }
        } else {
          for (let ch = 0; ch < c; ch++) {
            let s: f32 = 0;
            for (let h = h0; h < h1; h++) {
              for (let w = w0; w < w1; w++) s += load<f32>(xs + (<usize>((h * inW + w) * c + ch) << 2));
            }
            store<f32>(yo + (<usize>ch << 2), s / cnt);
          }
        }
      }
    }
  }
}

/**
 * Average pooling backward: each valid cell of a window gets dy / (valid cells) (ACCUMULATE).
 * dx [batch, inH, inW, c]; dy [batch, outH, outW, c]; same hyper-parameters as the forward.
 * Reference: test/reference/pool.ts avgpool2d_backward_f32.
 */
export function avgpool2d_backward_f32(dx: usize, dy: usize, batch: i32, inH: i32, inW: i32, c: i32, outH: i32, outW: i32, poolH: i32, poolW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32): void {
  const inSample = <usize>(inH * inW * c) << 2;
  const cv = c & ~3;
  for (let n = 0; n < batch; n++) {
    const dxs = dx + <usize>n * inSample;
    for (let oh = 0; oh < outH; oh++) {
      const h0 = winStart(oh, strideH, padTop);
      const h1 = winEnd(oh, strideH, padTop, poolH, inH);
      for (let ow = 0; ow < outW; ow++) {
        const w0 = winStart(ow, strideW, padLeft);
        const w1 = winEnd(ow, strideW, padLeft, poolW, inW);
        if (h0 >= h1 || w0 >= w1) continue;
        const dyo = dy + (<usize>(((n * outH + oh) * outW + ow) * c) << 2);
        const cnt = <f32>((h1 - h0) * (w1 - w0));
        const vcnt = f32x4.splat(cnt);
        for (let ch = 0; ch < cv; ch += 4) {
          const g = f32x4.div(v128.load(dyo + (<usize>ch << 2)), vcnt);
          for (let h = h0; h < h1; h++) {
            let p = dxs + (<usize>((h * inW + w0) * c + ch) << 2);
            for (let w = w0; w < w1; w++) {
              v128.store(p, f32x4.add(v128.load(p), g));
              p += <usize>c << 2;
            }
          }
        }
        for (let ch = cv; ch < c; ch++) {
          const g = load<f32>(dyo + (<usize>ch << 2)) / cnt;
          for (let h = h0; h < h1; h++) {
            for (let w = w0; w < w1; w++) {
              const p = dxs + (<usize>((h * inW + w) * c + ch) << 2);
              store<f32>(p, load<f32>(p) + g);
            }
          }
        }
      }
    }
  }
}

/**
 * Global max pooling. x [batch, spatial, c] → y [batch, c] (OVERWRITE); idx (i32 [batch, c],
 * may be 0) gets the flat index s·c + ch of each max within its sample, first max on ties.
 * Reference: test/reference/pool.ts global_maxpool_forward_f32.
 */
export function global_maxpool_forward_f32(y: usize, idx: usize, x: usize, batch: i32, spatial: i32, c: i32): void {
  for (let n = 0; n < batch; n++) {
    const xs = x + (<usize>(n * spatial * c) << 2);
    const o = <usize>(n * c) << 2;
    const io = orZero(idx, o);
    if (spatial <= 0) {
      for (let ch = 0; ch < c; ch++) {
        store<f32>(y + o + (<usize>ch << 2), 0);
        if (io != 0) store<i32>(io + (<usize>ch << 2), -1);
      }
      continue;
    }
    // A global pool is a 1 x spatial window over a 1 x spatial input.
    if (c >= 4) {
      const cv = c & ~3;
      for (let ch = 0; ch < cv; ch += 4) {
        const off = <usize>ch << 2;
        maxWindow4(y + o + off, orZero(io, off), xs, spatial, c, ch, 0, 1, 0, spatial);
      }
      if (cv < c) {
        const off = <usize>(c - 4) << 2;
        maxWindow4(y + o + off, orZero(io, off), xs, spatial, c, c - 4, 0, 1, 0, spatial);
      }
    } else {
      for (let ch = 0; ch < c; ch++) {
        const off = <usize>ch << 2;
        maxWindow1(y + o + off, orZero(io, off), xs, spatial, c, ch, 0, 1, 0, spatial);
      }
    }
  }
}

/**
 * Global max pooling backward: dx[sample][idx] += dy (ACCUMULATE).
 * dx [batch, spatial, c]; dy and idx (i32, from the forward) [batch, c].
 * Reference: test/reference/pool.ts global_maxpool_backward_f32.
 */
export function global_maxpool_backward_f32(dx: usize, dy: usize, idx: usize, batch: i32, spatial: i32, c: i32): void {
  maxpool2d_backward_f32(dx, dy, idx, batch, 1, spatial, c, 1, 1);
}

/**
 * Global average pooling. x [batch, spatial, c] → y [batch, c] = mean over spatial (OVERWRITE).
 * Reference: test/reference/pool.ts global_avgpool_forward_f32.
 */
export function global_avgpool_forward_f32(y: usize, x: usize, batch: i32, spatial: i32, c: i32): void {
  avgpool2d_forward_f32(y, x, batch, 1, spatial, c, 1, 1, 1, spatial, 1, 1, 0, 0);
}

/**
 * Global average pooling backward: dx[n, s, ch] += dy[n, ch] / spatial (ACCUMULATE).
 * dx [batch, spatial, c]; dy [batch, c].
 * Reference: test/reference/pool.ts global_avgpool_backward_f32.
 */
export function global_avgpool_backward_f32(dx: usize, dy: usize, batch: i32, spatial: i32, c: i32): void {
  avgpool2d_backward_f32(dx, dy, batch, 1, spatial, c, 1, 1, 1, spatial, 1, 1, 0, 0);
}
