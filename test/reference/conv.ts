/**
 * Float64 references for assembly/conv.ts: same names and argument order as the kernels, with
 * arrays (or null for a 0 pointer) instead of pointers and no workspace. Outputs are mutated in
 * place exactly as the kernels do (forward overwrites, backward accumulates).
 */
type F = Float64Array | Float32Array;

/**
 * y[n,oh,ow,oc] = b[oc] + Σ_{i,j,ic} x[n, oh·sh − pt + i·dh, ow·sw − pl + j·dw, ic]·w[i,j,ic,oc],
 * then max(0, y) when relu ≠ 0 (a negative sum becomes 0; −0 and NaN stay, pmax's rule).
 */
export function conv2d_forward_f32(
  y: F, x: F, w: F, b: F | null,
  batch: number, inH: number, inW: number, inC: number, outH: number, outW: number, outC: number,
  kH: number, kW: number, strideH: number, strideW: number, dilH: number, dilW: number, padTop: number, padLeft: number,
  relu = 0,
): void {
  for (let n = 0; n < batch; n++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++)
        for (let oc = 0; oc < outC; oc++) {
          let s = b ? b[oc] : 0;
          for (let i = 0; i < kH; i++) {
            const ih = oh * strideH - padTop + i * dilH;
            if (ih < 0 || ih >= inH) continue;
            for (let j = 0; j < kW; j++) {
              const iw = ow * strideW - padLeft + j * dilW;
              if (iw < 0 || iw >= inW) continue;
              for (let ic = 0; ic < inC; ic++)
                s += x[((n * inH + ih) * inW + iw) * inC + ic] * w[((i * kW + j) * inC + ic) * outC + oc];
            }
          }
          y[((n * outH + oh) * outW + ow) * outC + oc] = relu && s < 0 ? 0 : s;
        }
}

/** dx += ∂(Σ dy·y)/∂x, dw += ∂/∂w, db += Σ dy; a null output is skipped. */
export function conv2d_backward_f32(
  dx: F | null, dw: F | null, db: F | null, dy: F, x: F, w: F,
  batch: number, inH: number, inW: number, inC: number, outH: number, outW: number, outC: number,
  kH: number, kW: number, strideH: number, strideW: number, dilH: number, dilW: number, padTop: number, padLeft: number,
): void {
  for (let n = 0; n < batch; n++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++)
        for (let oc = 0; oc < outC; oc++) {
          const g = dy[((n * outH + oh) * outW + ow) * outC + oc];
          if (db) db[oc] += g;
          for (let i = 0; i < kH; i++) {
            const ih = oh * strideH - padTop + i * dilH;
            if (ih < 0 || ih >= inH) continue;
            for (let j = 0; j < kW; j++) {
              const iw = ow * strideW - padLeft + j * dilW;
              if (iw < 0 || iw >= inW) continue;
              for (let ic = 0; ic < inC; ic++) {
                const xi = ((n * inH + ih) * inW + iw) * inC + ic;
                const wi = ((i * kW + j) * inC + ic) * outC + oc;
                if (dx) dx[xi] += g * w[wi];
                if (dw) dw[wi] += g * x[xi];
              }
            }
          }
        }
}

/** dw[i, …] += conv2d_backward_f32's dW for the kernel rows row0 ≤ i < row1 only; other rows untouched. */
export function conv2d_backward_filter_rows_f32(
  dw: F, dy: F, x: F,
  batch: number, inH: number, inW: number, inC: number, outH: number, outW: number, outC: number,
  kH: number, kW: number, strideH: number, strideW: number, dilH: number, dilW: number, padTop: number, padLeft: number,
  row0: number, row1: number,
): void {
  const all = new Float64Array(kH * kW * inC * outC);
  // w is read only for dx, which is skipped here.
  conv2d_backward_f32(null, all, null, dy, x, all, batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft);
  const row = kW * inC * outC;
  for (let i = Math.max(row0, 0) * row; i < Math.min(row1, kH) * row; i++) dw[i] += all[i];
}
