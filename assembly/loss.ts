/** STUB: not implemented yet. */
export function softmax_xent_sparse_f32(probs: usize, dz: usize, z: usize, labels: usize, batch: i32, classes: i32): f64 {
  unreachable();
  return 0;
}

/** STUB: not implemented yet. */
export function softmax_xent_f32(probs: usize, dz: usize, z: usize, t: usize, batch: i32, classes: i32): f64 {
  unreachable();
  return 0;
}

/** STUB: not implemented yet. */
export function bce_f32(dp: usize, p: usize, t: usize, n: i32): f64 {
  unreachable();
  return 0;
}

/** STUB: not implemented yet. */
export function bce_logits_f32(dz: usize, z: usize, t: usize, n: i32): f64 {
  unreachable();
  return 0;
}

/** STUB: not implemented yet. */
export function mse_f32(dy: usize, y: usize, t: usize, n: i32): f64 {
  unreachable();
  return 0;
}

/** STUB: not implemented yet. */
export function mae_f32(dy: usize, y: usize, t: usize, n: i32): f64 {
  unreachable();
  return 0;
}

