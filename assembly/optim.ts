/** STUB: not implemented yet. */
export function sgd_f32(p: usize, g: usize, n: i32, lr: f32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function momentum_f32(p: usize, vel: usize, g: usize, n: i32, lr: f32, momentum: f32, nesterov: i32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function adagrad_f32(p: usize, acc: usize, g: usize, n: i32, lr: f32, eps: f32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function rmsprop_f32(p: usize, ms: usize, mom: usize, g: usize, n: i32, lr: f32, rho: f32, momentum: f32, eps: f32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function adam_f32(p: usize, m: usize, v: usize, g: usize, n: i32, lr: f32, beta1: f32, beta2: f32, eps: f32, bc1: f32, bc2: f32, wd: f32): void {
  unreachable();
}

/** STUB: not implemented yet. */
export function l1l2_penalty_f32(g: usize, p: usize, n: i32, l1: f32, l2: f32): f64 {
  unreachable();
  return 0;
}

