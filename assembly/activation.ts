/** STUB: not implemented yet. */
export function linear_forward_f32(y: usize, x: usize, n: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function linear_backward_f32(dx: usize, dy: usize, x: usize, y: usize, n: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function relu_forward_f32(y: usize, x: usize, n: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function relu_backward_f32(dx: usize, dy: usize, x: usize, y: usize, n: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function leaky_relu_forward_f32(y: usize, x: usize, n: i32, alpha: f32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function leaky_relu_backward_f32(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function elu_forward_f32(y: usize, x: usize, n: i32, alpha: f32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function elu_backward_f32(dx: usize, dy: usize, x: usize, y: usize, n: i32, alpha: f32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function sigmoid_forward_f32(y: usize, x: usize, n: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function sigmoid_backward_f32(dx: usize, dy: usize, x: usize, y: usize, n: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function tanh_forward_f32(y: usize, x: usize, n: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function tanh_backward_f32(dx: usize, dy: usize, x: usize, y: usize, n: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function softplus_forward_f32(y: usize, x: usize, n: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function softplus_backward_f32(dx: usize, dy: usize, x: usize, y: usize, n: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function step_forward_f32(y: usize, x: usize, n: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function softmax_forward_f32(y: usize, x: usize, rows: i32, cols: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function softmax_backward_f32(dx: usize, dy: usize, y: usize, rows: i32, cols: i32): void {
  unreachable();
}

