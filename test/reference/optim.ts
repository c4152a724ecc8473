// Float64 references for assembly/optim.ts (TensorFlow.js update formulas): same names and
// argument order as the kernels, typed arrays in place of pointers, state updated in place.
type F = Float64Array;

export function sgd_f32(p: F, g: F, n: number, lr: number): void {
  for (let i = 0; i < n; i++) p[i] -= lr * g[i];
}

export function momentum_f32(p: F, vel: F, g: F, n: number, lr: number, momentum: number, nesterov: number): void {
  for (let i = 0; i < n; i++) {
    vel[i] = momentum * vel[i] + g[i];
    p[i] -= nesterov ? lr * (g[i] + momentum * vel[i]) : lr * vel[i];
  }
}

export function adagrad_f32(p: F, acc: F, g: F, n: number, lr: number, eps: number): void {
  for (let i = 0; i < n; i++) {
    acc[i] += g[i] * g[i];
    p[i] -= (lr * g[i]) / Math.sqrt(acc[i] + eps);
  }
}

export function rmsprop_f32(p: F, ms: F, mom: F, g: F, n: number, lr: number, rho: number, momentum: number, eps: number): void {
  for (let i = 0; i < n; i++) {
    ms[i] = rho * ms[i] + (1 - rho) * g[i] * g[i];
    mom[i] = momentum * mom[i] + (lr * g[i]) / Math.sqrt(ms[i] + eps);
    p[i] -= mom[i];
  }
}

/** Centered RMSProp (TensorFlow's formula; the variance clamped at 0 before eps is added). */
export function rmsprop_centered_f32(p: F, ms: F, mg: F, mom: F, g: F, n: number, lr: number, rho: number, momentum: number, eps: number): void {
  for (let i = 0; i < n; i++) {
    ms[i] = rho * ms[i] + (1 - rho) * g[i] * g[i];
    mg[i] = rho * mg[i] + (1 - rho) * g[i];
    mom[i] = momentum * mom[i] + (lr * g[i]) / Math.sqrt(Math.max(ms[i] - mg[i] * mg[i], 0) + eps);
    p[i] -= mom[i];
  }
}

/** Adam; with wd ≠ 0, AdamW: p −= lr·wd·p on the pre-update p, then the Adam step. */
export function adam_f32(p: F, m: F, v: F, g: F, n: number, lr: number, beta1: number, beta2: number, eps: number, bc1: number, bc2: number, wd: number): void {
  for (let i = 0; i < n; i++) {
    m[i] = beta1 * m[i] + (1 - beta1) * g[i];
    v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
    if (wd !== 0) p[i] -= lr * wd * p[i];
    p[i] -= (lr * (m[i] / bc1)) / (Math.sqrt(v[i] / bc2) + eps);
  }
}

/** Adamax (TF.js); lrt = lr / ((1 + decay·(t − 1))·(1 − beta1^t)) for step t. */
export function adamax_f32(p: F, m: F, u: F, g: F, n: number, lrt: number, beta1: number, beta2: number, eps: number): void {
  for (let i = 0; i < n; i++) {
    m[i] = beta1 * m[i] + (1 - beta1) * g[i];
    u[i] = Math.max(beta2 * u[i], Math.abs(g[i]));
    p[i] -= (lrt * m[i]) / (u[i] + eps);
  }
}

/** Adadelta (TF.js): the update uses the accumulated squared gradients of the previous step. */
export function adadelta_f32(p: F, ag: F, au: F, g: F, n: number, lr: number, rho: number, eps: number): void {
  for (let i = 0; i < n; i++) {
    const u = (Math.sqrt(au[i] + eps) / Math.sqrt(ag[i] + eps)) * g[i];
    ag[i] = rho * ag[i] + (1 - rho) * g[i] * g[i];
    au[i] = rho * au[i] + (1 - rho) * u * u;
    p[i] -= lr * u;
  }
}

export function l1l2_penalty_f32(g: F | null, p: F, n: number, l1: number, l2: number): number {
  let sAbs = 0;
  let sSq = 0;
  for (let i = 0; i < n; i++) {
    sAbs += Math.abs(p[i]);
    sSq += p[i] * p[i];
    if (g) g[i] += l1 * Math.sign(p[i]) + 2 * l2 * p[i];
  }
  return l1 * sAbs + l2 * sSq;
}
