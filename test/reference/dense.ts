/**
 * Float64 references for assembly/dense.ts. W is [inDim, outDim]. Same argument order as the
 * kernels, arrays in place of pointers (null for a 0 pointer), no workspace.
 */

/** y[batch,out] = x[batch,in]·W[in,out] + b[out] (b may be null). OVERWRITES y. */
export function dense_forward_f32(
  y: Float64Array,
  x: Float64Array,
  w: Float64Array,
  b: Float64Array | null,
  batch: number,
  inDim: number,
  outDim: number,
): void {
  for (let r = 0; r < batch; r++)
    for (let o = 0; o < outDim; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < inDim; i++) s += x[r * inDim + i] * w[i * outDim + o];
      y[r * outDim + o] = s;
    }
}

/**
 * dx[batch,in] += dy·Wᵀ, dw[in,out] += xᵀ·dy, db[out] += Σ_batch dy. ACCUMULATES; any of
 * dx, dw, db may be null (skipped).
 */
export function dense_backward_f32(
  dx: Float64Array | null,
  dw: Float64Array | null,
  db: Float64Array | null,
  dy: Float64Array,
  x: Float64Array,
  w: Float64Array,
  batch: number,
  inDim: number,
  outDim: number,
): void {
  if (dx)
    for (let r = 0; r < batch; r++)
      for (let i = 0; i < inDim; i++) {
        let s = 0;
        for (let o = 0; o < outDim; o++) s += dy[r * outDim + o] * w[i * outDim + o];
        dx[r * inDim + i] += s;
      }
  if (dw)
    for (let i = 0; i < inDim; i++)
      for (let o = 0; o < outDim; o++) {
        let s = 0;
        for (let r = 0; r < batch; r++) s += x[r * inDim + i] * dy[r * outDim + o];
        dw[i * outDim + o] += s;
      }
  if (db)
    for (let o = 0; o < outDim; o++) {
      let s = 0;
      for (let r = 0; r < batch; r++) s += dy[r * outDim + o];
      db[o] += s;
    }
}
