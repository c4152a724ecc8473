/**
 * Float64 reference for assembly/threads.ts: a GEMM over strided storage (a panel of a larger
 * product). ACCUMULATES into c, like the kernel; arrays in place of pointers, no workspace.
 */

/** C[m, ldc] += op(A)·op(B); layout 0: A [m, lda], B [k, ldb]; 1: B [n, ldb] (Bᵀ); 2: A [k, lda] (Aᵀ). */
export function gemm_strided_f32(
  c: Float64Array, a: Float64Array, b: Float64Array,
  m: number, n: number, k: number, lda: number, ldb: number, ldc: number, layout: number,
): void {
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const av = layout === 2 ? a[p * lda + i] : a[i * lda + p];
        const bv = layout === 1 ? b[j * ldb + p] : b[p * ldb + j];
        s += av * bv;
      }
      c[i * ldc + j] += s;
    }
}
