// Float64 references for assembly/vector.ts: same names and argument order as the kernels,
// typed arrays in place of pointers, outputs mutated in place, scalars returned.

export function fill_f32(dst: Float64Array, n: number, value: number): void {
  for (let i = 0; i < n; i++) dst[i] = value;
}

export function copy_f32(dst: Float64Array, src: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) dst[i] = src[i];
}

export function scale_f32(x: Float64Array, n: number, alpha: number): void {
  for (let i = 0; i < n; i++) x[i] *= alpha;
}

export function axpy_f32(y: Float64Array, x: Float64Array, n: number, alpha: number): void {
  for (let i = 0; i < n; i++) y[i] += alpha * x[i];
}

export function sum_squares_f32(x: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i] * x[i];
  return s;
}

/** First index of the row maximum. */
export function argmax_rows_f32(out: Int32Array, x: Float64Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    let best = x[r * cols];
    let at = 0;
    for (let j = 1; j < cols; j++) {
      if (x[r * cols + j] > best) {
        best = x[r * cols + j];
        at = j;
      }
    }
    out[r] = at;
  }
}
