// Float64 references for assembly/loss.ts: same names and argument order as the kernels,
// typed arrays (or null for a 0 pointer) in place of pointers. Each returns the mean loss and
// accumulates the gradient of that mean into its gradient array when one is given.
type F = Float64Array;

/** f32(1 − f32(1e-7)): the clip bound exactly as the kernel holds it. */
export const BCE_EPS = Math.fround(1e-7);
export const BCE_HI = Math.fround(1 - BCE_EPS);

function logSoftmaxRow(z: F, o: number, classes: number): { m: number; lse: number } {
  let m = -Infinity;
  for (let j = 0; j < classes; j++) m = Math.max(m, z[o + j]);
  let s = 0;
  for (let j = 0; j < classes; j++) s += Math.exp(z[o + j] - m);
  return { m, lse: m + Math.log(s) };
}

export function softmax_xent_sparse_f32(probs: F | null, dz: F | null, z: F, labels: Int32Array, batch: number, classes: number): number {
  let total = 0;
  for (let r = 0; r < batch; r++) {
    const o = r * classes;
    const { lse } = logSoftmaxRow(z, o, classes);
    total += lse - z[o + labels[r]];
    for (let j = 0; j < classes; j++) {
      const p = Math.exp(z[o + j] - lse);
      if (probs) probs[o + j] = p;
      if (dz) dz[o + j] += (p - (j === labels[r] ? 1 : 0)) / batch;
    }
  }
  return total / batch;
}

export function softmax_xent_f32(probs: F | null, dz: F | null, z: F, t: F, batch: number, classes: number): number {
  let total = 0;
  for (let r = 0; r < batch; r++) {
    const o = r * classes;
    const { lse } = logSoftmaxRow(z, o, classes);
    let tSum = 0;
    for (let j = 0; j < classes; j++) {
      tSum += t[o + j];
      total -= t[o + j] * (z[o + j] - lse);
    }
    for (let j = 0; j < classes; j++) {
      const p = Math.exp(z[o + j] - lse);
      if (probs) probs[o + j] = p;
      if (dz) dz[o + j] += (p * tSum - t[o + j]) / batch;
    }
  }
  return total / batch;
}

/** p clipped to [BCE_EPS, BCE_HI]; zero gradient where p was outside that range. */
export function bce_f32(dp: F | null, p: F, t: F, n: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const pc = Math.min(Math.max(p[i], BCE_EPS), BCE_HI);
    total -= t[i] * Math.log(pc) + (1 - t[i]) * Math.log1p(-pc);
    if (dp && p[i] >= BCE_EPS && p[i] <= BCE_HI) dp[i] += (pc - t[i]) / (pc * (1 - pc)) / n;
  }
  return total / n;
}

export function bce_logits_f32(dz: F | null, z: F, t: F, n: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = z[i];
    total += Math.max(v, 0) - v * t[i] + Math.log1p(Math.exp(-Math.abs(v)));
    if (dz) {
      const s = v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
      dz[i] += (s - t[i]) / n;
    }
  }
  return total / n;
}

export function mse_f32(dy: F | null, y: F, t: F, n: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const d = y[i] - t[i];
    total += d * d;
    if (dy) dy[i] += (2 * d) / n;
  }
  return total / n;
}

export function mae_f32(dy: F | null, y: F, t: F, n: number): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    const d = y[i] - t[i];
    total += Math.abs(d);
    if (dy) dy[i] += Math.sign(d) / n;
  }
  return total / n;
}

/**
 * Categorical cross-entropy on outputs that are not a softmax, as TF.js computes it: per row
 * (sparse: y clipped to [BCE_EPS, BCE_HI] first) p = y/Σy clipped to [BCE_EPS, BCE_HI], loss
 * −Σ t·log p, the gradient through both the normalisation and the clips (zero outside them).
 */
function cceRow(dy: F | null, y: F, o: number, t: (j: number) => number, classes: number, sparse: boolean, scale: number): number {
  const clip = (v: number) => Math.min(Math.max(v, BCE_EPS), BCE_HI);
  const inside = (v: number) => v >= BCE_EPS && v <= BCE_HI;
  const v = Array.from({ length: classes }, (_, j) => (sparse ? clip(y[o + j]) : y[o + j]));
  const s = v.reduce((a, b) => a + b, 0);
  let loss = 0;
  const g = new Array<number>(classes);
  let gp = 0;
  for (let j = 0; j < classes; j++) {
    const p = v[j] / s;
    loss -= t(j) * Math.log(clip(p));
    g[j] = inside(p) ? -t(j) / clip(p) : 0;
    gp += g[j] * p;
  }
  if (dy) for (let j = 0; j < classes; j++) if (!sparse || inside(y[o + j])) dy[o + j] += (scale * (g[j] - gp)) / s;
  return loss;
}

export function cce_f32(dy: F | null, y: F, t: F, batch: number, classes: number): number {
  let total = 0;
  for (let r = 0; r < batch; r++) total += cceRow(dy, y, r * classes, (j) => t[r * classes + j], classes, false, 1 / batch);
  return total / batch;
}

export function cce_sparse_f32(dy: F | null, y: F, labels: Int32Array, batch: number, classes: number): number {
  let total = 0;
  for (let r = 0; r < batch; r++) total += cceRow(dy, y, r * classes, (j) => (j === labels[r] ? 1 : 0), classes, true, 1 / batch);
  return total / batch;
}

export function scale_rows_f32(x: F, w: F, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) x[r * cols + j] *= w[r];
}
