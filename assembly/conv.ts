/** STUB: not implemented yet. */
export function conv2d_forward_f32(y: usize, x: usize, w: usize, b: usize, ws: usize, batch: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, outC: i32, kH: i32, kW: i32, strideH: i32, strideW: i32, dilH: i32, dilW: i32, padTop: i32, padLeft: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function conv2d_backward_f32(dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize, ws: usize, batch: i32, inH: i32, inW: i32, inC: i32, outH: i32, outW: i32, outC: i32, kH: i32, kW: i32, strideH: i32, strideW: i32, dilH: i32, dilW: i32, padTop: i32, padLeft: i32): void {
  unreachable();
}

