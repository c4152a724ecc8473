/** STUB: not implemented yet. */
export function fill_f32(dst: usize, n: i32, value: f32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function copy_f32(dst: usize, src: usize, n: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function scale_f32(x: usize, n: i32, alpha: f32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function axpy_f32(y: usize, x: usize, n: i32, alpha: f32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function sum_squares_f32(x: usize, n: i32): f64 {
  unreachable();
  return 0;
}

/** STUB: not implemented yet. */
export function argmax_rows_f32(out: usize, x: usize, rows: i32, cols: i32): void {
  unreachable();
}

