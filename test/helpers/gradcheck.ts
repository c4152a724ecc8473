/**
 * Float64 central differences, for checking a reference backward against its reference
 * forward (layer and loss gradient checks). Use inputs away from kinks (ReLU at 0, ties).
 */

/** ∂f/∂x[i] ≈ (f(x + h·e_i) − f(x − h·e_i)) / 2h for every i; x is restored afterwards. */
export function numericGrad(f: (x: Float64Array) => number, x: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    // Scale the step with |x| so large inputs still move by more than their rounding.
    const step = h * Math.max(1, Math.abs(v));
    x[i] = v + step;
    const fp = f(x);
    x[i] = v - step;
    const fm = f(x);
    x[i] = v;
    g[i] = (fp - fm) / (2 * step);
  }
  return g;
}

/** The directional derivative of f at x along d, by central difference. */
export function numericDirectional(f: (x: Float64Array) => number, x: Float64Array, d: ArrayLike<number>, h = 1e-6): number {
  const xp = Float64Array.from(x, (v, i) => v + h * d[i]);
  const xm = Float64Array.from(x, (v, i) => v - h * d[i]);
  return (f(xp) - f(xm)) / (2 * h);
}

/** max_i |a_i − b_i| / (atol + rtol·max(|a_i|, |b_i|)): ≤ 1 means the gradients agree. */
export function gradErrorRatio(a: ArrayLike<number>, b: ArrayLike<number>, rtol = 1e-5, atol = 1e-7): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const r = Math.abs(a[i] - b[i]) / (atol + rtol * Math.max(Math.abs(a[i]), Math.abs(b[i])));
    if (!(r <= worst)) worst = r;
  }
  return worst;
}
