// The ABI: the binary's one export list. src/wasm/abi.ts must match it (build.mjs checks).

export {
  fill_f32,
  copy_f32,
  scale_f32,
  axpy_f32,
  sum_squares_f32,
  argmax_rows_f32,
} from './vector';

export {
  gemm_nn_f32,
  gemm_nt_f32,
  gemm_tn_f32,
  gemm_workspace_bytes,
} from './gemm';

export { gemm_strided_f32 } from './threads';

export {
  dense_forward_f32,
  dense_backward_f32,
  dense_workspace_bytes,
} from './dense';

export {
  linear_forward_f32,
  linear_backward_f32,
  relu_forward_f32,
  relu_backward_f32,
  leaky_relu_forward_f32,
  leaky_relu_backward_f32,
  elu_forward_f32,
  elu_backward_f32,
  sigmoid_forward_f32,
  sigmoid_backward_f32,
  tanh_forward_f32,
  tanh_backward_f32,
  softplus_forward_f32,
  softplus_backward_f32,
  step_forward_f32,
  softmax_forward_f32,
  softmax_backward_f32,
  relu_max_forward_f32,
  relu_max_backward_f32,
  softmax_axis_forward_f32,
  softmax_axis_backward_f32,
} from './activation';

export {
  softmax_xent_sparse_f32,
  softmax_xent_f32,
  bce_f32,
  bce_logits_f32,
  mse_f32,
  mae_f32,
  cce_f32,
  cce_sparse_f32,
  scale_rows_f32,
} from './loss';

export {
  sgd_f32,
  momentum_f32,
  adagrad_f32,
  rmsprop_f32,
  rmsprop_centered_f32,
  adam_f32,
  adamax_f32,
  adadelta_f32,
  l1l2_penalty_f32,
} from './optim';

export {
  conv2d_forward_f32,
  conv2d_backward_f32,
  conv2d_workspace_bytes,
  conv2d_backward_filter_rows_f32,
} from './conv';

export {
  maxpool2d_forward_f32,
  maxpool2d_backward_f32,
  avgpool2d_forward_f32,
  avgpool2d_backward_f32,
  global_maxpool_forward_f32,
  global_maxpool_backward_f32,
  global_avgpool_forward_f32,
  global_avgpool_backward_f32,
} from './pool';

export {
  merge_sum_forward_f32,
  merge_sum_backward_f32,
  subtract_forward_f32,
  merge_mul_forward_f32,
  merge_mul_backward_f32,
  merge_max_forward_f32,
  merge_max_backward_f32,
  concat_forward_f32,
  concat_backward_f32,
  batch_matmul_forward_f32,
  batch_matmul_backward_f32,
} from './merge';

export {
  unary_f32,
  clip_f32,
  binary_f32,
  reduce_f32,
} from './elementwise';

export {
  dropout_forward_f32,
  dropout_backward_f32,
  gaussian_noise_forward_f32,
} from './dropout';

export {
  norm_workspace_bytes,
  batchnorm_stats_f32,
  batchnorm_moving_f32,
  batchnorm_forward_f32,
  batchnorm_backward_f32,
  layernorm_forward_f32,
  layernorm_backward_f32,
} from './norm';

export {
  conv3d_forward_f32,
  conv3d_backward_f32,
  conv3d_workspace_bytes,
  maxpool3d_forward_f32,
  avgpool3d_forward_f32,
  avgpool3d_backward_f32,
} from './conv3d';

export {
  embedding_forward_f32,
  embedding_backward_f32,
} from './embedding';

export {
  permute_f32,
  repeat_backward_f32,
} from './permute';

export {
  rnn_workspace_bytes,
  rnn_forward_f32,
  rnn_backward_f32,
  rnn_forward_rows_f32,
  rnn_backward_rows_f32,
  rnn_backward_weights_f32,
  rnn_mask_f32,
} from './recurrent';

/** First byte the host's arena may use. */
export function heap_base(): usize {
  return __heap_base;
}

// The number lives in src/wasm/abi.ts (ABI_VERSION) alone; build.mjs generates this module from it.
import { ABI_VERSION } from './abi_version.gen';

/** ABI revision (src/wasm/abi.ts ABI_VERSION); bump there with any change of a kernel's name or arguments. */
export function abi_version(): i32 {
  return ABI_VERSION;
}
