/** STUB: not implemented yet. */
export function maxpool2d_forward_f32(y: usize, idx: usize, x: usize, batch: i32, inH: i32, inW: i32, c: i32, outH: i32, outW: i32, poolH: i32, poolW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function maxpool2d_backward_f32(dx: usize, dy: usize, idx: usize, batch: i32, inH: i32, inW: i32, c: i32, outH: i32, outW: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function avgpool2d_forward_f32(y: usize, x: usize, batch: i32, inH: i32, inW: i32, c: i32, outH: i32, outW: i32, poolH: i32, poolW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function avgpool2d_backward_f32(dx: usize, dy: usize, batch: i32, inH: i32, inW: i32, c: i32, outH: i32, outW: i32, poolH: i32, poolW: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function global_maxpool_forward_f32(y: usize, idx: usize, x: usize, batch: i32, spatial: i32, c: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function global_maxpool_backward_f32(dx: usize, dy: usize, idx: usize, batch: i32, spatial: i32, c: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function global_avgpool_forward_f32(y: usize, x: usize, batch: i32, spatial: i32, c: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function global_avgpool_backward_f32(dx: usize, dy: usize, batch: i32, spatial: i32, c: i32): void {
  unreachable();
}

