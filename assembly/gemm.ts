/** STUB: not implemented yet. */
export function gemm_nn_f32(c: usize, a: usize, b: usize, ws: usize, m: i32, n: i32, k: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function gemm_nt_f32(c: usize, a: usize, b: usize, ws: usize, m: i32, n: i32, k: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function gemm_tn_f32(c: usize, a: usize, b: usize, ws: usize, m: i32, n: i32, k: i32): void {
  unreachable();
}

