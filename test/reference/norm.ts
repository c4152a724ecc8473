/**
 * Float64 references for assembly/norm.ts: same names and argument order as the kernels. A 0
 * pointer becomes null, the workspace is dropped. Forward references overwrite, backward
 * references accumulate, as the kernels do. The statistics are the textbook two-pass ones
 * (mean, then the mean squared deviation: the biased variance, as TF.js's moments).
 */
type F = Float64Array | Float32Array;

/** Bytes of ws for c channels: two f64 and three f32 per channel, channels rounded up to 4. */
export function norm_workspace_bytes(c: number): number {
  return ((Math.max(c, 0) + 3) & ~3) * 28;
}

/** Per channel of x[rows, c]: mean and biased variance over the rows (zeros when rows ≤ 0). */
export function batchnorm_stats_f32(mean: F, variance: F, x: F, rows: number, c: number): void {
  for (let j = 0; j < c; j++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += x[r * c + j];
    const m = rows > 0 ? s / rows : 0;
    let q = 0;
    for (let r = 0; r < rows; r++) q += (x[r * c + j] - m) ** 2;
    mean[j] = m;
    variance[j] = rows > 0 ? q / rows : 0;
  }
}

/** m −= (m − batch)·decay for the moving mean and variance. */
export function batchnorm_moving_f32(mmean: F, mvar: F, mean: F, variance: F, c: number, decay: number): void {
  for (let j = 0; j < c; j++) {
    mmean[j] -= (mmean[j] - mean[j]) * decay;
    mvar[j] -= (mvar[j] - variance[j]) * decay;
  }
}

/** y = (x − mean)·γ/√(var + ε) + β per channel; invstd = 1/√(var + ε) when given. */
export function batchnorm_forward_f32(
  y: F, invstd: F | null, x: F, mean: F, variance: F, gamma: F | null, beta: F | null, rows: number, c: number, epsilon: number,
): void {
  for (let j = 0; j < c; j++) {
    const is = 1 / Math.sqrt(variance[j] + epsilon);
    if (invstd) invstd[j] = is;
    const g = gamma ? gamma[j] : 1;
    const b = beta ? beta[j] : 0;
    for (let r = 0; r < rows; r++) y[r * c + j] = (x[r * c + j] - mean[j]) * g * is + b;
  }
}

/**
 * Gradient of y = γ·(x − μ(x))/√(σ²(x) + ε) + β with batch statistics, accumulated. Written
 * through the chain rule term by term (dσ², dμ, then dx), not the folded formula the kernel
 * uses, so the two check each other.
 */
export function batchnorm_backward_f32(
  dx: F | null, dgamma: F | null, dbeta: F | null, dy: F, x: F, mean: F, invstd: F, gamma: F | null, rows: number, c: number,
): void {
  if (rows <= 0) return;
  for (let j = 0; j < c; j++) {
    const g = gamma ? gamma[j] : 1;
    const is = invstd[j];
    const m = mean[j];
    let sdy = 0;
    let sdyxh = 0;
    let dvar = 0;
    let dmean = 0;
    let sxm = 0;
    for (let r = 0; r < rows; r++) {
      const i = r * c + j;
      const xm = x[i] - m;
      sdy += dy[i];
      sdyxh += dy[i] * xm * is;
      // y depends on σ² through is = (σ² + ε)^(−1/2): dis/dσ² = −is³/2.
      dvar += dy[i] * g * xm * -0.5 * is * is * is;
      dmean += -dy[i] * g * is;
      sxm += xm;
    }
    // σ² also depends on μ: dσ²/dμ = −2·Σ(x − μ)/n (0 at the exact mean, kept for exactness).
    dmean += (dvar * -2 * sxm) / rows;
    if (dbeta) dbeta[j] += sdy;
    if (dgamma) dgamma[j] += sdyxh;
    if (dx) {
      for (let r = 0; r < rows; r++) {
        const i = r * c + j;
        dx[i] += dy[i] * g * is + (dvar * 2 * (x[i] - m)) / rows + dmean / rows;
      }
    }
  }
}

/** Per row of x[rows, c]: y = (x − mean)·γ/√(var + ε) + β; saves mean and invstd when given. */
export function layernorm_forward_f32(
  y: F, mean: F | null, invstd: F | null, x: F, gamma: F | null, beta: F | null, rows: number, c: number, epsilon: number,
): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let j = 0; j < c; j++) s += x[r * c + j];
    const m = s / c;
    let q = 0;
    for (let j = 0; j < c; j++) q += (x[r * c + j] - m) ** 2;
    const is = 1 / Math.sqrt(q / c + epsilon);
    if (mean) mean[r] = m;
    if (invstd) invstd[r] = is;
    for (let j = 0; j < c; j++) y[r * c + j] = (x[r * c + j] - m) * (gamma ? gamma[j] : 1) * is + (beta ? beta[j] : 0);
  }
}

/** Gradient of layernorm_forward_f32 (statistics per row depend on x), accumulated; chain rule term by term. */
export function layernorm_backward_f32(
  dx: F | null, dgamma: F | null, dbeta: F | null, dy: F, x: F, mean: F, invstd: F, gamma: F | null, rows: number, c: number,
): void {
  for (let r = 0; r < rows; r++) {
    const m = mean[r];
    const is = invstd[r];
    let dvar = 0;
    let dmean = 0;
    let sxm = 0;
    for (let j = 0; j < c; j++) {
      const i = r * c + j;
      const xm = x[i] - m;
      const g = gamma ? gamma[j] : 1;
      if (dbeta) dbeta[j] += dy[i];
      if (dgamma) dgamma[j] += dy[i] * xm * is;
      dvar += dy[i] * g * xm * -0.5 * is * is * is;
      dmean += -dy[i] * g * is;
      sxm += xm;
    }
    dmean += (dvar * -2 * sxm) / c;
    if (dx) {
      for (let j = 0; j < c; j++) {
        const i = r * c + j;
        dx[i] += dy[i] * (gamma ? gamma[j] : 1) * is + (dvar * 2 * (x[i] - m)) / c + dmean / c;
      }
    }
  }
}
