/**
 * Float64 references for assembly/merge.ts: same names and argument order as the kernels. An
 * address array (xs, dxs) becomes an array of arrays (null for a 0 entry in dxs), widths an
 * array of numbers. Forward references overwrite their output, backward references accumulate,
 * exactly as the kernels do. The inputs are folded left to right, as TF.js's merge layers do.
 */
type F = Float64Array | Float32Array;
type Grads = readonly (F | null)[];

/** y = scale·Σ x_i. */
export function merge_sum_forward_f32(y: F, xs: readonly F[], count: number, n: number, scale: number): void {
  for (let e = 0; e < n; e++) {
    let s = 0;
    for (let i = 0; i < count; i++) s += xs[i][e];
    y[e] = scale * s;
  }
}

/** dx_i += scale·dy. */
export function merge_sum_backward_f32(dxs: Grads, dy: F, count: number, n: number, scale: number): void {
  for (let i = 0; i < count; i++) {
    const d = dxs[i];
    if (d) for (let e = 0; e < n; e++) d[e] += scale * dy[e];
  }
}

/** y = a − b. */
export function subtract_forward_f32(y: F, a: F, b: F, n: number): void {
  for (let e = 0; e < n; e++) y[e] = a[e] - b[e];
}

/** y = Π x_i. */
export function merge_mul_forward_f32(y: F, xs: readonly F[], count: number, n: number): void {
  for (let e = 0; e < n; e++) {
    let p = 1;
    for (let i = 0; i < count; i++) p *= xs[i][e];
    y[e] = p;
  }
}

/** dx_i += dy·Π_{j≠i} x_j. */
export function merge_mul_backward_f32(dxs: Grads, dy: F, xs: readonly F[], count: number, n: number): void {
  for (let i = 0; i < count; i++) {
    const d = dxs[i];
    if (!d) continue;
    for (let e = 0; e < n; e++) {
      let p = dy[e];
      for (let j = 0; j < count; j++) if (j !== i) p *= xs[j][e];
      d[e] += p;
    }
  }
}

/** y = left fold of Math.max (Math.min when isMin): NaN if any input is NaN. */
export function merge_max_forward_f32(y: F, xs: readonly F[], count: number, n: number, isMin: number): void {
  const f = isMin ? Math.min : Math.max;
  for (let e = 0; e < n; e++) {
    let m = xs[0][e];
    for (let i = 1; i < count; i++) m = f(m, xs[i][e]);
    y[e] = m;
  }
}

/**
 * Backward of a left fold of tf.maximum (tf.minimum), written as that fold's chain rule: step i
 * computes m_i = max(m_{i−1}, x_i) and sends its gradient g_i to m_{i−1} when m_{i−1} ≥ x_i
 * (≤ for min) and to x_i when m_{i−1} < x_i (>); neither holds with a NaN, so nothing flows.
 */
export function merge_max_backward_f32(dxs: Grads, dy: F, xs: readonly F[], count: number, n: number, isMin: number): void {
  const f = isMin ? Math.min : Math.max;
  const m = new Float64Array(count);
  for (let e = 0; e < n; e++) {
    m[0] = xs[0][e];
    for (let i = 1; i < count; i++) m[i] = f(m[i - 1], xs[i][e]);
    let g = dy[e]; // gradient reaching m_i, walking back from the last step
    for (let i = count - 1; i >= 1 && g !== 0; i--) {
      const prev = m[i - 1];
      const x = xs[i][e];
      const toPrev = isMin ? prev <= x : prev >= x;
      const toX = isMin ? prev > x : prev < x;
      if (toX && dxs[i]) dxs[i]![e] += g;
      g = toPrev ? g : 0;
    }
    if (g !== 0 && dxs[0]) dxs[0][e] += g;
  }
}

/** y[o, off_i + c] = x_i[o, c]. */
export function concat_forward_f32(y: F, xs: readonly F[], widths: ArrayLike<number>, count: number, outer: number, total: number): void {
  for (let o = 0; o < outer; o++) {
    let off = 0;
    for (let i = 0; i < count; i++) {
      const w = widths[i];
      for (let c = 0; c < w; c++) y[o * total + off + c] = xs[i][o * w + c];
      off += w;
    }
  }
}

/** dx_i[o, c] += dy[o, off_i + c]. */
export function concat_backward_f32(dxs: Grads, dy: F, widths: ArrayLike<number>, count: number, outer: number, total: number): void {
  let off = 0;
  for (let i = 0; i < count; i++) {
    const w = widths[i];
    const d = dxs[i];
    if (d) for (let o = 0; o < outer; o++) for (let c = 0; c < w; c++) d[o * w + c] += dy[o * total + off + c];
    off += w;
  }
}

/** op(A)[i, p] of batch element t: A stored [m,k], or [k,m] when transA. */
const opA = (a: F, t: number, i: number, p: number, m: number, k: number, transA: number) =>
  a[t * m * k + (transA ? p * m + i : i * k + p)];
/** op(B)[p, j] of batch element t: B stored [k,n], or [n,k] when transB. */
const opB = (b: F, t: number, p: number, j: number, k: number, n: number, transB: number) =>
  b[t * k * n + (transB ? j * k + p : p * n + j)];

/** Y[t] = op(A[t])·op(B[t]). */
export function batch_matmul_forward_f32(
  y: F, a: F, b: F, batch: number, m: number, n: number, k: number, transA: number, transB: number,
): void {
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += opA(a, t, i, p, m, k, transA) * opB(b, t, p, j, k, n, transB);
        y[(t * m + i) * n + j] = s;
      }
}

/** d op(A)[i,p] += Σ_j dY[i,j]·op(B)[p,j]; d op(B)[p,j] += Σ_i op(A)[i,p]·dY[i,j]; in storage layout. */
export function batch_matmul_backward_f32(
  da: F | null, db: F | null, dy: F, a: F, b: F, batch: number, m: number, n: number, k: number, transA: number, transB: number,
): void {
  for (let t = 0; t < batch; t++) {
    const g = (i: number, j: number) => dy[(t * m + i) * n + j];
    if (da)
      for (let i = 0; i < m; i++)
        for (let p = 0; p < k; p++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += g(i, j) * opB(b, t, p, j, k, n, transB);
          da[t * m * k + (transA ? p * m + i : i * k + p)] += s;
        }
    if (db)
      for (let p = 0; p < k; p++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let i = 0; i < m; i++) s += opA(a, t, i, p, m, k, transA) * g(i, j);
          db[t * k * n + (transB ? j * k + p : p * n + j)] += s;
        }
  }
}
