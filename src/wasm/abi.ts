/**
 * The typed ABI of the simdnet binary: the only place that names kernels as strings.
 *
 * Every kernel takes byte addresses (`ptr`) into the one linear memory and element counts
 * (`i32`); argument order is outputs, inputs, saved buffers, workspace, sizes,
 * hyper-parameters. A 0 pointer means "not needed". Forward kernels overwrite their outputs,
 * backward kernels accumulate (+=). `build.mjs` fails when the binary's exports drift from
 * this table (names and arity).
 */
export type ArgType = 'ptr' | 'i32' | 'f32' | 'f64';
export type RetType = 'void' | 'i32' | 'f64';
export interface KernelSig {
  readonly args: readonly string[];
  readonly ret: RetType;
}

const v = (args: string, ret: RetType = 'void'): KernelSig => ({
  args: args.split(/\s+/).filter(Boolean),
  ret,
});

// Argument spec: `name:type`.
export const KERNELS = {
  // vector.ts
  fill_f32: v('dst:ptr n:i32 value:f32'),
  copy_f32: v('dst:ptr src:ptr n:i32'),
  scale_f32: v('x:ptr n:i32 alpha:f32'),
  axpy_f32: v('y:ptr x:ptr n:i32 alpha:f32'),
  sum_squares_f32: v('x:ptr n:i32', 'f64'),
  argmax_rows_f32: v('out:ptr x:ptr rows:i32 cols:i32'),

  // gemm.ts — C += op(A)·op(B), row-major
  gemm_nn_f32: v('c:ptr a:ptr b:ptr ws:ptr m:i32 n:i32 k:i32'),
  gemm_nt_f32: v('c:ptr a:ptr b:ptr ws:ptr m:i32 n:i32 k:i32'),
  gemm_tn_f32: v('c:ptr a:ptr b:ptr ws:ptr m:i32 n:i32 k:i32'),

  // dense.ts — W is [in, out]
  dense_forward_f32: v('y:ptr x:ptr w:ptr b:ptr ws:ptr batch:i32 inDim:i32 outDim:i32'),
  dense_backward_f32: v('dx:ptr dw:ptr db:ptr dy:ptr x:ptr w:ptr ws:ptr batch:i32 inDim:i32 outDim:i32'),

  // activation.ts — elementwise over n; backward gets both x and y, uses what it needs
  linear_forward_f32: v('y:ptr x:ptr n:i32'),
  linear_backward_f32: v('dx:ptr dy:ptr x:ptr y:ptr n:i32'),
  relu_forward_f32: v('y:ptr x:ptr n:i32'),
  relu_backward_f32: v('dx:ptr dy:ptr x:ptr y:ptr n:i32'),
  leaky_relu_forward_f32: v('y:ptr x:ptr n:i32 alpha:f32'),
  leaky_relu_backward_f32: v('dx:ptr dy:ptr x:ptr y:ptr n:i32 alpha:f32'),
  elu_forward_f32: v('y:ptr x:ptr n:i32 alpha:f32'),
  elu_backward_f32: v('dx:ptr dy:ptr x:ptr y:ptr n:i32 alpha:f32'),
  sigmoid_forward_f32: v('y:ptr x:ptr n:i32'),
  sigmoid_backward_f32: v('dx:ptr dy:ptr x:ptr y:ptr n:i32'),
  tanh_forward_f32: v('y:ptr x:ptr n:i32'),
  tanh_backward_f32: v('dx:ptr dy:ptr x:ptr y:ptr n:i32'),
  softplus_forward_f32: v('y:ptr x:ptr n:i32'),
  softplus_backward_f32: v('dx:ptr dy:ptr x:ptr y:ptr n:i32'),
  step_forward_f32: v('y:ptr x:ptr n:i32'),
  softmax_forward_f32: v('y:ptr x:ptr rows:i32 cols:i32'),
  softmax_backward_f32: v('dx:ptr dy:ptr y:ptr rows:i32 cols:i32'),

  // loss.ts — return the mean loss; accumulate the gradient of that mean (0 = skip)
  softmax_xent_sparse_f32: v('probs:ptr dz:ptr z:ptr labels:ptr batch:i32 classes:i32', 'f64'),
  softmax_xent_f32: v('probs:ptr dz:ptr z:ptr t:ptr batch:i32 classes:i32', 'f64'),
  bce_f32: v('dp:ptr p:ptr t:ptr n:i32', 'f64'),
  bce_logits_f32: v('dz:ptr z:ptr t:ptr n:i32', 'f64'),
  mse_f32: v('dy:ptr y:ptr t:ptr n:i32', 'f64'),
  mae_f32: v('dy:ptr y:ptr t:ptr n:i32', 'f64'),

  // optim.ts — one call over the whole parameter block
  sgd_f32: v('p:ptr g:ptr n:i32 lr:f32'),
  momentum_f32: v('p:ptr vel:ptr g:ptr n:i32 lr:f32 momentum:f32 nesterov:i32'),
  adagrad_f32: v('p:ptr acc:ptr g:ptr n:i32 lr:f32 eps:f32'),
  rmsprop_f32: v('p:ptr ms:ptr mom:ptr g:ptr n:i32 lr:f32 rho:f32 momentum:f32 eps:f32'),
  adam_f32: v('p:ptr m:ptr v:ptr g:ptr n:i32 lr:f32 beta1:f32 beta2:f32 eps:f32 bc1:f32 bc2:f32 wd:f32'),
  l1l2_penalty_f32: v('g:ptr p:ptr n:i32 l1:f32 l2:f32', 'f64'),

  // conv.ts — NHWC activations, HWIO weights [kh, kw, inC, outC]
  conv2d_forward_f32: v(
    'y:ptr x:ptr w:ptr b:ptr ws:ptr batch:i32 inH:i32 inW:i32 inC:i32 outH:i32 outW:i32 outC:i32 ' +
      'kH:i32 kW:i32 strideH:i32 strideW:i32 dilH:i32 dilW:i32 padTop:i32 padLeft:i32 relu:i32',
  ),
  conv2d_backward_f32: v(
    'dx:ptr dw:ptr db:ptr dy:ptr x:ptr w:ptr ws:ptr batch:i32 inH:i32 inW:i32 inC:i32 outH:i32 outW:i32 outC:i32 ' +
      'kH:i32 kW:i32 strideH:i32 strideW:i32 dilH:i32 dilW:i32 padTop:i32 padLeft:i32',
  ),

  // pool.ts — NHWC; idx holds, per output element, the flat index of its max within the sample
  maxpool2d_forward_f32: v(
    'y:ptr idx:ptr x:ptr batch:i32 inH:i32 inW:i32 c:i32 outH:i32 outW:i32 ' +
      'poolH:i32 poolW:i32 strideH:i32 strideW:i32 padTop:i32 padLeft:i32',
  ),
  maxpool2d_backward_f32: v('dx:ptr dy:ptr idx:ptr batch:i32 inH:i32 inW:i32 c:i32 outH:i32 outW:i32'),
  avgpool2d_forward_f32: v(
    'y:ptr x:ptr batch:i32 inH:i32 inW:i32 c:i32 outH:i32 outW:i32 ' +
      'poolH:i32 poolW:i32 strideH:i32 strideW:i32 padTop:i32 padLeft:i32',
  ),
  avgpool2d_backward_f32: v(
    'dx:ptr dy:ptr batch:i32 inH:i32 inW:i32 c:i32 outH:i32 outW:i32 ' +
      'poolH:i32 poolW:i32 strideH:i32 strideW:i32 padTop:i32 padLeft:i32',
  ),
  global_maxpool_forward_f32: v('y:ptr idx:ptr x:ptr batch:i32 spatial:i32 c:i32'),
  global_maxpool_backward_f32: v('dx:ptr dy:ptr idx:ptr batch:i32 spatial:i32 c:i32'),
  global_avgpool_forward_f32: v('y:ptr x:ptr batch:i32 spatial:i32 c:i32'),
  global_avgpool_backward_f32: v('dx:ptr dy:ptr batch:i32 spatial:i32 c:i32'),
} as const satisfies Record<string, KernelSig>;

export type KernelName = keyof typeof KERNELS;
/** Non-kernel exports: where the arena may start, and the ABI revision. */
export const META_EXPORTS = ['heap_base', 'abi_version'] as const;
export const ABI_VERSION = 2;

export type KernelFn = (...args: number[]) => number;
export type Kernels = { readonly [K in KernelName]: KernelFn } & {
  readonly heap_base: () => number;
  readonly abi_version: () => number;
};

/** Kernels as a list, for checks that every export has a reference and a test. */
export const KERNEL_NAMES = Object.keys(KERNELS) as KernelName[];
