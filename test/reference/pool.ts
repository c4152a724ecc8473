/**
 * Float64 references for assembly/pool.ts: same names and argument order as the kernels, with
 * arrays (or null for a 0 pointer) instead of pointers. Outputs are mutated in place exactly as
 * the kernels do (forward overwrites, backward accumulates). Windows are clipped to the input:
 * padding never wins a max and is not counted in an average (TF semantics).
 */
type F = Float64Array | Float32Array;
type I = Int32Array;

function window(o: number, stride: number, pad: number, size: number, extent: number): [number, number] {
  const s = o * stride - pad;
  return [Math.max(s, 0), Math.min(s + size, extent)];
}

/** y = window max; idx = (h·inW + w)·c + ch of the first max within the sample (−1, y = 0 if empty). */
export function maxpool2d_forward_f32(
  y: F, idx: I | null, x: F, batch: number, inH: number, inW: number, c: number, outH: number, outW: number,
  poolH: number, poolW: number, strideH: number, strideW: number, padTop: number, padLeft: number,
): void {
  const inCount = inH * inW * c;
  for (let n = 0; n < batch; n++)
    for (let oh = 0; oh < outH; oh++) {
      const [h0, h1] = window(oh, strideH, padTop, poolH, inH);
      for (let ow = 0; ow < outW; ow++) {
        const [w0, w1] = window(ow, strideW, padLeft, poolW, inW);
        for (let ch = 0; ch < c; ch++) {
          let best = -1;
          let m = -Infinity;
          for (let h = h0; h < h1; h++)
            for (let w = w0; w < w1; w++) {
              const f = (h * inW + w) * c + ch;
              const v = x[n * inCount + f];
              if (best < 0 || v > m) {
                m = v;
                best = f;
              }
            }
          const o = ((n * outH + oh) * outW + ow) * c + ch;
          y[o] = best < 0 ? 0 : m;
          if (idx) idx[o] = best;
        }
      }
    }
}

/** dx[sample][idx] += dy; indices outside the sample are skipped. */
export function maxpool2d_backward_f32(
  dx: F, dy: F, idx: I, batch: number, inH: number, inW: number, c: number, outH: number, outW: number,
): void {
  const inCount = inH * inW * c;
  const outCount = outH * outW * c;
  for (let n = 0; n < batch; n++)
    for (let i = 0; i < outCount; i++) {
      const j = idx[n * outCount + i];
      if (j >= 0 && j < inCount) dx[n * inCount + j] += dy[n * outCount + i];
    }
}

/** y = mean over the valid cells of the window (0 if none). */
export function avgpool2d_forward_f32(
  y: F, x: F, batch: number, inH: number, inW: number, c: number, outH: number, outW: number,
  poolH: number, poolW: number, strideH: number, strideW: number, padTop: number, padLeft: number,
): void {
  for (let n = 0; n < batch; n++)
    for (let oh = 0; oh < outH; oh++) {
      const [h0, h1] = window(oh, strideH, padTop, poolH, inH);
      for (let ow = 0; ow < outW; ow++) {
        const [w0, w1] = window(ow, strideW, padLeft, poolW, inW);
        const count = Math.max(h1 - h0, 0) * Math.max(w1 - w0, 0);
        for (let ch = 0; ch < c; ch++) {
          let s = 0;
          for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) s += x[((n * inH + h) * inW + w) * c + ch];
          y[((n * outH + oh) * outW + ow) * c + ch] = count > 0 ? s / count : 0;
        }
      }
    }
}

/** dx[cell] += dy / count for each valid cell of each window. */
export function avgpool2d_backward_f32(
  dx: F, dy: F, batch: number, inH: number, inW: number, c: number, outH: number, outW: number,
  poolH: number, poolW: number, strideH: number, strideW: number, padTop: number, padLeft: number,
): void {
  for (let n = 0; n < batch; n++)
    for (let oh = 0; oh < outH; oh++) {
      const [h0, h1] = window(oh, strideH, padTop, poolH, inH);
      for (let ow = 0; ow < outW; ow++) {
        const [w0, w1] = window(ow, strideW, padLeft, poolW, inW);
        const count = Math.max(h1 - h0, 0) * Math.max(w1 - w0, 0);
        if (count === 0) continue;
        for (let ch = 0; ch < c; ch++) {
          const g = dy[((n * outH + oh) * outW + ow) * c + ch] / count;
          for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) dx[((n * inH + h) * inW + w) * c + ch] += g;
        }
      }
    }
}

/** y[n, ch] = max_s x[n, s, ch]; idx = s·c + ch of the first max. */
export function global_maxpool_forward_f32(y: F, idx: I | null, x: F, batch: number, spatial: number, c: number): void {
  maxpool2d_forward_f32(y, idx, x, batch, 1, spatial, c, 1, 1, 1, spatial, 1, 1, 0, 0);
}

/** dx[n][idx[n, ch]] += dy[n, ch]. */
export function global_maxpool_backward_f32(dx: F, dy: F, idx: I, batch: number, spatial: number, c: number): void {
  maxpool2d_backward_f32(dx, dy, idx, batch, 1, spatial, c, 1, 1);
}

/** y[n, ch] = mean_s x[n, s, ch]. */
export function global_avgpool_forward_f32(y: F, x: F, batch: number, spatial: number, c: number): void {
  avgpool2d_forward_f32(y, x, batch, 1, spatial, c, 1, 1, 1, spatial, 1, 1, 0, 0);
}

/** dx[n, s, ch] += dy[n, ch] / spatial. */
export function global_avgpool_backward_f32(dx: F, dy: F, batch: number, spatial: number, c: number): void {
  avgpool2d_backward_f32(dx, dy, batch, 1, spatial, c, 1, 1, 1, spatial, 1, 1, 0, 0);
}
