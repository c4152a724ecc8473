// Float64 references for assembly/activation.ts: same names and argument order as the kernels,
// typed arrays (or null) in place of pointers. Forward overwrites y; backward accumulates dx.
type F = Float64Array;

const sigmoid = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));
const softplus = (v: number): number => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));

export function linear_forward_f32(y: F, x: F, n: number): void {
  for (let i = 0; i < n; i++) y[i] = x[i];
}
export function linear_backward_f32(dx: F, dy: F, _x: F | null, _y: F | null, n: number): void {
  for (let i = 0; i < n; i++) dx[i] += dy[i];
}

export function relu_forward_f32(y: F, x: F, n: number): void {
  for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0;
}
export function relu_backward_f32(dx: F, dy: F, x: F, _y: F | null, n: number): void {
  for (let i = 0; i < n; i++) if (x[i] > 0) dx[i] += dy[i];
}

export function leaky_relu_forward_f32(y: F, x: F, n: number, alpha: number): void {
  for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : alpha * x[i];
}
export function leaky_relu_backward_f32(dx: F, dy: F, x: F, _y: F | null, n: number, alpha: number): void {
  for (let i = 0; i < n; i++) dx[i] += dy[i] * (x[i] > 0 ? 1 : alpha);
}

export function elu_forward_f32(y: F, x: F, n: number, alpha: number): void {
  for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : alpha * Math.expm1(x[i]);
}
export function elu_backward_f32(dx: F, dy: F, x: F, _y: F | null, n: number, alpha: number): void {
  for (let i = 0; i < n; i++) dx[i] += dy[i] * (x[i] > 0 ? 1 : alpha * Math.exp(x[i]));
}

export function sigmoid_forward_f32(y: F, x: F, n: number): void {
  for (let i = 0; i < n; i++) y[i] = sigmoid(x[i]);
}
export function sigmoid_backward_f32(dx: F, dy: F, x: F, _y: F | null, n: number): void {
  for (let i = 0; i < n; i++) {
    const s = sigmoid(x[i]);
    dx[i] += dy[i] * s * (1 - s);
  }
}

export function tanh_forward_f32(y: F, x: F, n: number): void {
  for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
}
export function tanh_backward_f32(dx: F, dy: F, x: F, _y: F | null, n: number): void {
  for (let i = 0; i < n; i++) {
    const t = Math.tanh(x[i]);
    dx[i] += dy[i] * (1 - t * t);
  }
}

export function softplus_forward_f32(y: F, x: F, n: number): void {
  for (let i = 0; i < n; i++) y[i] = softplus(x[i]);
}
export function softplus_backward_f32(dx: F, dy: F, x: F, _y: F | null, n: number): void {
  for (let i = 0; i < n; i++) dx[i] += dy[i] * sigmoid(x[i]);
}

export function step_forward_f32(y: F, x: F, n: number): void {
  for (let i = 0; i < n; i++) y[i] = x[i] >= 0 ? 1 : 0;
}

export function softmax_forward_f32(y: F, x: F, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let m = -Infinity;
    for (let j = 0; j < cols; j++) m = Math.max(m, x[o + j]);
    let s = 0;
    for (let j = 0; j < cols; j++) s += Math.exp(x[o + j] - m);
    for (let j = 0; j < cols; j++) y[o + j] = Math.exp(x[o + j] - m) / s;
  }
}
export function softmax_backward_f32(dx: F, dy: F, y: F, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += dy[o + j] * y[o + j];
    for (let j = 0; j < cols; j++) dx[o + j] += y[o + j] * (dy[o + j] - dot);
  }
}

export function relu_max_forward_f32(y: F, x: F, n: number, maxValue: number): void {
  for (let i = 0; i < n; i++) y[i] = Number.isNaN(x[i]) ? x[i] : Math.min(Math.max(x[i], 0), maxValue);
}
export function relu_max_backward_f32(dx: F, dy: F, x: F, _y: F | null, n: number, maxValue: number): void {
  for (let i = 0; i < n; i++) if (x[i] > 0 && x[i] <= maxValue) dx[i] += dy[i];
}

/** Softmax along the middle axis of [outer, n, inner]. */
export function softmax_axis_forward_f32(y: F, x: F, outer: number, n: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number) => (o * n + j) * inner + i;
      let m = -Infinity;
      for (let j = 0; j < n; j++) m = Math.max(m, x[at(j)]);
      let s = 0;
      for (let j = 0; j < n; j++) s += Math.exp(x[at(j)] - m);
      for (let j = 0; j < n; j++) y[at(j)] = Math.exp(x[at(j)] - m) / s;
    }
  }
}
export function softmax_axis_backward_f32(dx: F, dy: F, y: F, outer: number, n: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (j: number) => (o * n + j) * inner + i;
      let dot = 0;
      for (let j = 0; j < n; j++) dot += dy[at(j)] * y[at(j)];
      for (let j = 0; j < n; j++) dx[at(j)] += y[at(j)] * (dy[at(j)] - dot);
    }
  }
}
