// References for assembly/permute.ts: the per-sample strided copy and RepeatVector's gradient, in
// f64. Same names and argument order as the kernels, typed arrays in place of pointers.

/** y[s, i] (= or +=) x[s·xSample + Σ_k i_k·stride_k]; dims = [...outShape, ...strides]. */
export function permute_f32(y: Float64Array, x: ArrayLike<number>, dims: ArrayLike<number>, count: number, rank: number, xSample: number, accumulate: number): void {
  const shape = Array.from(dims).slice(0, rank);
  const strides = Array.from(dims).slice(rank, 2 * rank);
  const size = shape.reduce((a, b) => a * b, 1);
  for (let s = 0; s < count; s++) {
    for (let j = 0; j < size; j++) {
      let rem = j;
      let off = 0;
      for (let k = rank - 1; k >= 0; k--) {
        off += (rem % shape[k]) * strides[k];
        rem = Math.floor(rem / shape[k]);
      }
      const v = x[s * xSample + off];
      if (accumulate) y[s * size + j] += v;
      else y[s * size + j] = v;
    }
  }
}

/** dx[s, f] += Σ_r dy[s, r, f]. */
export function repeat_backward_f32(dx: Float64Array, dy: ArrayLike<number>, count: number, n: number, features: number): void {
  for (let s = 0; s < count; s++) for (let f = 0; f < features; f++) for (let r = 0; r < n; r++) dx[s * features + f] += dy[(s * n + r) * features + f];
}

/** The dims table of a Permute over a sample of `inShape` by `perm` (0-based axes). */
export function permuteDims(inShape: number[], perm: number[]): number[] {
  const strides = inShape.map((_, k) => inShape.slice(k + 1).reduce((a, b) => a * b, 1));
  return [...perm.map((p) => inShape[p]), ...perm.map((p) => strides[p])];
}
