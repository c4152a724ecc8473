// Kernels the thread pool (src/wasm/pool.ts) needs beyond the single-threaded ones: a GEMM over a
// panel of a larger product, so each thread computes its own rows or columns of C. Per element the
// work is exactly gemm.ts's (same K blocks, same order), hence bit-identical for any split.
import { gemmStrided } from './gemm';

/**
 * C[m,n] += op(A)·op(B) over strided storage; `layout` 0: nn (A [m, lda], B [k, ldb]), 1: nt
 * (A [m, lda], B [n, ldb]), 2: tn (A [k, lda], B [k, ldb]); C is [m, ldc]. Row lengths in floats.
 * `ws`: gemm_workspace_bytes(m, n, k) bytes. Reference: test/reference/threads.ts.
 */
export function gemm_strided_f32(c: usize, a: usize, b: usize, ws: usize, m: i32, n: i32, k: i32, lda: i32, ldb: i32, ldc: i32, layout: i32): void {
  gemmStrided(c, a, b, ws, m, n, k, lda, ldb, ldc, layout == 2, layout == 1);
}
