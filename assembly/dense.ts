/** STUB: not implemented yet. */
export function dense_forward_f32(y: usize, x: usize, w: usize, b: usize, ws: usize, batch: i32, inDim: i32, outDim: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function dense_backward_f32(dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize, ws: usize, batch: i32, inDim: i32, outDim: i32): void {
  unreachable();
}

