/**
 * Float64 references for assembly/gemm.ts. Row-major; every one ACCUMULATES into c, like the
 * kernels. Same argument order as the kernels, arrays in place of pointers, no workspace.
 */

/** C[m,n] += A[m,k]·B[k,n]. */
export function gemm_nn_f32(c: Float64Array, a: Float64Array, b: Float64Array, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      c[i * n + j] += s;
    }
}

/** C[m,n] += A[m,k]·B[n,k]ᵀ. */
export function gemm_nt_f32(c: Float64Array, a: Float64Array, b: Float64Array, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[j * k + p];
      c[i * n + j] += s;
    }
}

/** C[m,n] += A[k,m]ᵀ·B[k,n]. */
export function gemm_tn_f32(c: Float64Array, a: Float64Array, b: Float64Array, m: number, n: number, k: number): void {
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[p * m + i] * b[p * n + j];
      c[i * n + j] += s;
    }
}
