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
export interface KernelSig<S extends string = string, R extends RetType = RetType> {
  readonly args: readonly string[];
  readonly ret: R;
  /** Type only, never set: the argument spec, from which a kernel's TypeScript call type is derived. */
  readonly spec?: S;
}

// Overloads rather than a default type argument: `satisfies` below gives the calls a contextual
// return type, from which R would otherwise be inferred as the whole RetType.
function v<const S extends string>(args: S): KernelSig<S, 'void'>;
function v<const S extends string, const R extends RetType>(args: S, ret: R): KernelSig<S, R>;
function v(args: string, ret: RetType = 'void'): KernelSig {
  return { args: args.split(/\s+/).filter(Boolean), ret };
}

// Argument spec: `name:type` words separated by spaces or newlines. Each spec is one string literal
// (a template literal when it spans lines, never a concatenation) so that its type is the literal.
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
  // Bytes the three need at ws (this binary's micro-tile; bounded whatever the size).
  gemm_workspace_bytes: v('m:i32 n:i32 k:i32', 'i32'),
  // threads.ts — a panel of a larger GEMM for the thread pool: layout 0 nn, 1 nt, 2 tn; row lengths in floats
  gemm_strided_f32: v('c:ptr a:ptr b:ptr ws:ptr m:i32 n:i32 k:i32 lda:i32 ldb:i32 ldc:i32 layout:i32'),

  // dense.ts — W is [in, out]
  dense_forward_f32: v('y:ptr x:ptr w:ptr b:ptr ws:ptr batch:i32 inDim:i32 outDim:i32'),
  dense_backward_f32: v('dx:ptr dw:ptr db:ptr dy:ptr x:ptr w:ptr ws:ptr batch:i32 inDim:i32 outDim:i32'),
  dense_workspace_bytes: v('batch:i32 inDim:i32 outDim:i32', 'i32'),

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
  relu_max_forward_f32: v('y:ptr x:ptr n:i32 maxValue:f32'),
  relu_max_backward_f32: v('dx:ptr dy:ptr x:ptr y:ptr n:i32 maxValue:f32'),
  // softmax along the middle axis of [outer, n, inner]
  softmax_axis_forward_f32: v('y:ptr x:ptr outer:i32 n:i32 inner:i32'),
  softmax_axis_backward_f32: v('dx:ptr dy:ptr y:ptr outer:i32 n:i32 inner:i32'),

  // loss.ts — return the mean loss; accumulate the gradient of that mean (0 = skip)
  softmax_xent_sparse_f32: v('probs:ptr dz:ptr z:ptr labels:ptr batch:i32 classes:i32', 'f64'),
  softmax_xent_f32: v('probs:ptr dz:ptr z:ptr t:ptr batch:i32 classes:i32', 'f64'),
  bce_f32: v('dp:ptr p:ptr t:ptr n:i32', 'f64'),
  bce_logits_f32: v('dz:ptr z:ptr t:ptr n:i32', 'f64'),
  mse_f32: v('dy:ptr y:ptr t:ptr n:i32', 'f64'),
  mae_f32: v('dy:ptr y:ptr t:ptr n:i32', 'f64'),
  cce_f32: v('dy:ptr y:ptr t:ptr batch:i32 classes:i32', 'f64'),
  cce_sparse_f32: v('dy:ptr y:ptr labels:ptr batch:i32 classes:i32', 'f64'),
  // per-sample loss weights: x[rows, cols] *= w[rows]
  scale_rows_f32: v('x:ptr w:ptr rows:i32 cols:i32'),

  // optim.ts — one call over the whole parameter block
  sgd_f32: v('p:ptr g:ptr n:i32 lr:f32'),
  momentum_f32: v('p:ptr vel:ptr g:ptr n:i32 lr:f32 momentum:f32 nesterov:i32'),
  adagrad_f32: v('p:ptr acc:ptr g:ptr n:i32 lr:f32 eps:f32'),
  rmsprop_f32: v('p:ptr ms:ptr mom:ptr g:ptr n:i32 lr:f32 rho:f32 momentum:f32 eps:f32'),
  rmsprop_centered_f32: v('p:ptr ms:ptr mg:ptr mom:ptr g:ptr n:i32 lr:f32 rho:f32 momentum:f32 eps:f32'),
  adam_f32: v('p:ptr m:ptr v:ptr g:ptr n:i32 lr:f32 beta1:f32 beta2:f32 eps:f32 bc1:f32 bc2:f32 wd:f32'),
  adamax_f32: v('p:ptr m:ptr u:ptr g:ptr n:i32 lrt:f32 beta1:f32 beta2:f32 eps:f32'),
  adadelta_f32: v('p:ptr ag:ptr au:ptr g:ptr n:i32 lr:f32 rho:f32 eps:f32'),
  l1l2_penalty_f32: v('g:ptr p:ptr n:i32 l1:f32 l2:f32', 'f64'),

  // conv.ts — NHWC activations, HWIO weights [kh, kw, inC, outC]
  conv2d_forward_f32: v(`y:ptr x:ptr w:ptr b:ptr ws:ptr batch:i32 inH:i32 inW:i32 inC:i32 outH:i32 outW:i32 outC:i32
    kH:i32 kW:i32 strideH:i32 strideW:i32 dilH:i32 dilW:i32 padTop:i32 padLeft:i32 relu:i32`),
  conv2d_backward_f32: v(`dx:ptr dw:ptr db:ptr dy:ptr x:ptr w:ptr ws:ptr batch:i32 inH:i32 inW:i32 inC:i32 outH:i32 outW:i32 outC:i32
    kH:i32 kW:i32 strideH:i32 strideW:i32 dilH:i32 dilW:i32 padTop:i32 padLeft:i32`),
  conv2d_workspace_bytes: v('batch:i32 inH:i32 inW:i32 inC:i32 outH:i32 outW:i32 outC:i32 kH:i32 kW:i32', 'i32'),
  conv2d_backward_filter_rows_f32: v(`dw:ptr dy:ptr x:ptr ws:ptr batch:i32 inH:i32 inW:i32 inC:i32 outH:i32 outW:i32 outC:i32
    kH:i32 kW:i32 strideH:i32 strideW:i32 dilH:i32 dilW:i32 padTop:i32 padLeft:i32 row0:i32 row1:i32`),

  // pool.ts — NHWC; idx holds, per output element, the flat index of its max within the sample
  maxpool2d_forward_f32: v(`y:ptr idx:ptr x:ptr batch:i32 inH:i32 inW:i32 c:i32 outH:i32 outW:i32
    poolH:i32 poolW:i32 strideH:i32 strideW:i32 padTop:i32 padLeft:i32`),
  maxpool2d_backward_f32: v('dx:ptr dy:ptr idx:ptr batch:i32 inH:i32 inW:i32 c:i32 outH:i32 outW:i32'),
  avgpool2d_forward_f32: v(`y:ptr x:ptr batch:i32 inH:i32 inW:i32 c:i32 outH:i32 outW:i32
    poolH:i32 poolW:i32 strideH:i32 strideW:i32 padTop:i32 padLeft:i32`),
  avgpool2d_backward_f32: v(`dx:ptr dy:ptr batch:i32 inH:i32 inW:i32 c:i32 outH:i32 outW:i32
    poolH:i32 poolW:i32 strideH:i32 strideW:i32 padTop:i32 padLeft:i32`),
  global_maxpool_forward_f32: v('y:ptr idx:ptr x:ptr batch:i32 spatial:i32 c:i32'),
  global_maxpool_backward_f32: v('dx:ptr dy:ptr idx:ptr batch:i32 spatial:i32 c:i32'),
  global_avgpool_forward_f32: v('y:ptr x:ptr batch:i32 spatial:i32 c:i32'),
  global_avgpool_backward_f32: v('dx:ptr dy:ptr batch:i32 spatial:i32 c:i32'),

  // merge.ts — merge layers. xs / dxs: the address of an array of count u32 byte addresses, one
  // per input (a 0 entry in dxs skips that input's gradient); widths: count i32.
  merge_sum_forward_f32: v('y:ptr xs:ptr count:i32 n:i32 scale:f32'),
  merge_sum_backward_f32: v('dxs:ptr dy:ptr count:i32 n:i32 scale:f32'),
  subtract_forward_f32: v('y:ptr a:ptr b:ptr n:i32'),
  merge_mul_forward_f32: v('y:ptr xs:ptr count:i32 n:i32'),
  merge_mul_backward_f32: v('dxs:ptr dy:ptr xs:ptr count:i32 n:i32'),
  merge_max_forward_f32: v('y:ptr xs:ptr count:i32 n:i32 isMin:i32'),
  merge_max_backward_f32: v('dxs:ptr dy:ptr xs:ptr count:i32 n:i32 isMin:i32'),
  concat_forward_f32: v('y:ptr xs:ptr widths:ptr count:i32 outer:i32 total:i32'),
  concat_backward_f32: v('dxs:ptr dy:ptr widths:ptr count:i32 outer:i32 total:i32'),
  batch_matmul_forward_f32: v('y:ptr a:ptr b:ptr batch:i32 m:i32 n:i32 k:i32 transA:i32 transB:i32'),
  batch_matmul_backward_f32: v('da:ptr db:ptr dy:ptr a:ptr b:ptr batch:i32 m:i32 n:i32 k:i32 transA:i32 transB:i32'),

  // elementwise.ts — the tensor ops' math; op: a code of UNARY_OPS, BINARY_OPS, REDUCE_OPS below
  unary_f32: v('y:ptr x:ptr n:i32 op:i32'),
  clip_f32: v('y:ptr x:ptr n:i32 lo:f32 hi:f32'),
  // y[r, c] = a[r·aRow + c·aCol] op b[r·bRow + c·bCol]; aCol, bCol are 0 or 1 (broadcasting)
  binary_f32: v('y:ptr a:ptr b:ptr rows:i32 cols:i32 aRow:i32 bRow:i32 aCol:i32 bCol:i32 op:i32'),
  // y[outer, inner] = op over mid of x[outer, mid, inner]
  reduce_f32: v('y:ptr x:ptr outer:i32 mid:i32 inner:i32 op:i32'),

  // dropout.ts — counter-based noise: a pure function of (seed, step, index), no state.
  // Values [outer, mid, inner] with n = outer·mid·inner; the mask is [outer, inner], shared along mid.
  dropout_forward_f32: v('y:ptr x:ptr n:i32 mid:i32 inner:i32 threshold:i32 scale:f32 seed:i32 step:i32'),
  dropout_backward_f32: v('dx:ptr dy:ptr n:i32 mid:i32 inner:i32 threshold:i32 scale:f32 seed:i32 step:i32'),
  gaussian_noise_forward_f32: v('y:ptr x:ptr n:i32 stddev:f32 seed:i32 step:i32'),

  // norm.ts — BatchNormalization per channel over rows of [rows, c]; LayerNormalization per row.
  // ws: norm_workspace_bytes(c). Saved for backward: batch mean and invstd [c] (BN), per-row mean
  // and invstd [rows] (LN). gamma / beta 0: γ = 1, β = 0.
  norm_workspace_bytes: v('c:i32', 'i32'),
  batchnorm_stats_f32: v('mean:ptr variance:ptr x:ptr ws:ptr rows:i32 c:i32'),
  batchnorm_moving_f32: v('mmean:ptr mvar:ptr mean:ptr variance:ptr c:i32 decay:f32'),
  batchnorm_forward_f32: v('y:ptr invstd:ptr x:ptr mean:ptr variance:ptr gamma:ptr beta:ptr ws:ptr rows:i32 c:i32 epsilon:f32'),
  batchnorm_backward_f32: v('dx:ptr dgamma:ptr dbeta:ptr dy:ptr x:ptr mean:ptr invstd:ptr gamma:ptr ws:ptr rows:i32 c:i32'),
  layernorm_forward_f32: v('y:ptr mean:ptr invstd:ptr x:ptr gamma:ptr beta:ptr rows:i32 c:i32 epsilon:f32'),
  layernorm_backward_f32: v('dx:ptr dgamma:ptr dbeta:ptr dy:ptr x:ptr mean:ptr invstd:ptr gamma:ptr ws:ptr rows:i32 c:i32'),

  // conv3d.ts — NDHWC activations, DHWIO weights [kD, kH, kW, inC, outC]; 3-D max pooling's
  // backward is maxpool2d_backward_f32 (inH = inD·inH, outH = outD·outH), global 3-D pooling
  // is global_maxpool / global_avgpool over spatial = D·H·W
  conv3d_forward_f32: v(`y:ptr x:ptr w:ptr b:ptr ws:ptr batch:i32 inD:i32 inH:i32 inW:i32 inC:i32 outD:i32 outH:i32 outW:i32 outC:i32
    kD:i32 kH:i32 kW:i32 strideD:i32 strideH:i32 strideW:i32 padFront:i32 padTop:i32 padLeft:i32`),
  conv3d_backward_f32: v(`dx:ptr dw:ptr db:ptr dy:ptr x:ptr w:ptr ws:ptr batch:i32 inD:i32 inH:i32 inW:i32 inC:i32 outD:i32 outH:i32 outW:i32 outC:i32
    kD:i32 kH:i32 kW:i32 strideD:i32 strideH:i32 strideW:i32 padFront:i32 padTop:i32 padLeft:i32`),
  conv3d_workspace_bytes: v('batch:i32 inD:i32 inH:i32 inW:i32 inC:i32 outD:i32 outH:i32 outW:i32 outC:i32 kD:i32 kH:i32 kW:i32', 'i32'),
  maxpool3d_forward_f32: v(`y:ptr idx:ptr x:ptr batch:i32 inD:i32 inH:i32 inW:i32 c:i32 outD:i32 outH:i32 outW:i32
    poolD:i32 poolH:i32 poolW:i32 strideD:i32 strideH:i32 strideW:i32 padFront:i32 padTop:i32 padLeft:i32`),
  avgpool3d_forward_f32: v(`y:ptr x:ptr batch:i32 inD:i32 inH:i32 inW:i32 c:i32 outD:i32 outH:i32 outW:i32
    poolD:i32 poolH:i32 poolW:i32 strideD:i32 strideH:i32 strideW:i32 padFront:i32 padTop:i32 padLeft:i32`),
  avgpool3d_backward_f32: v(`dx:ptr dy:ptr batch:i32 inD:i32 inH:i32 inW:i32 c:i32 outD:i32 outH:i32 outW:i32
    poolD:i32 poolH:i32 poolW:i32 strideD:i32 strideH:i32 strideW:i32 padFront:i32 padTop:i32 padLeft:i32`),

  // embedding.ts — gather rows of table[inputDim, outputDim] by id; ids int32 (idsF32 0) or float32.
  // The forward returns the position of the first id outside [0, inputDim) (or not an integer), −1 if none.
  embedding_forward_f32: v('y:ptr ids:ptr table:ptr count:i32 inputDim:i32 outputDim:i32 idsF32:i32', 'i32'),
  embedding_backward_f32: v('dtable:ptr dy:ptr ids:ptr count:i32 inputDim:i32 outputDim:i32 idsF32:i32'),

  // permute.ts — per-sample strided copy: dims is i32[2·rank] (output shape, then the input stride
  // of each output axis); accumulate ≠ 0 adds (backward). RepeatVector's gradient sums the copies.
  permute_f32: v('y:ptr x:ptr dims:ptr count:i32 rank:i32 xSample:i32 accumulate:i32'),
  repeat_backward_f32: v('dx:ptr dy:ptr count:i32 n:i32 features:i32'),

  // recurrent.ts — SimpleRNN / LSTM / GRU over a whole sequence in one call. x [batch, steps, in];
  // saved: gates [steps, batch, G·units], hs and cs [steps, batch, units] (cs: LSTM; GRU: backward's
  // scratch; reset_after GRU: [steps, batch, 3·units]; SimpleRNN: 0);
  // backward consumes gates. cell, act, recAct, flags: RNN_CELLS, RNN_ACTIVATIONS, RNN_FLAGS below.
  rnn_workspace_bytes: v('batch:i32 steps:i32 inDim:i32 units:i32 cell:i32', 'i32'),
  // mask [batch, steps] (0 = masked step, 0 pointer: none); h0, c0 [batch, units]: initial state (0: zeros);
  // dropX [batch, in], dropH [batch, units]: dropout masks, the same at every step (0: none).
  rnn_forward_f32: v(`y:ptr gates:ptr hs:ptr cs:ptr x:ptr w:ptr u:ptr b:ptr mask:ptr h0:ptr c0:ptr dropX:ptr dropH:ptr ws:ptr
    batch:i32 steps:i32 inDim:i32 units:i32 cell:i32 act:i32 recAct:i32 flags:i32`),
  rnn_backward_f32: v(`dx:ptr dw:ptr du:ptr db:ptr dy:ptr x:ptr w:ptr u:ptr mask:ptr h0:ptr c0:ptr dropX:ptr dropH:ptr gates:ptr hs:ptr cs:ptr ws:ptr
    batch:i32 steps:i32 inDim:i32 units:i32 cell:i32 act:i32 recAct:i32 flags:i32`),
  // The thread pool's parts (src/wasm/threads.ts): the forward and the through-time backward for
  // `batch` samples of a batch of `stride` (pointers moved to the part; saved buffers `stride`
  // rows per step), then the weights' gradients for gate columns [col0, col0 + cols).
  rnn_forward_rows_f32: v(`y:ptr gates:ptr hs:ptr cs:ptr x:ptr w:ptr u:ptr b:ptr mask:ptr h0:ptr c0:ptr dropX:ptr dropH:ptr ws:ptr
    batch:i32 steps:i32 inDim:i32 units:i32 cell:i32 act:i32 recAct:i32 flags:i32 stride:i32`),
  rnn_backward_rows_f32: v(`dx:ptr dy:ptr dhT:ptr dcT:ptr x:ptr w:ptr u:ptr mask:ptr h0:ptr c0:ptr dropX:ptr dropH:ptr gates:ptr hs:ptr cs:ptr ws:ptr
    batch:i32 steps:i32 inDim:i32 units:i32 cell:i32 act:i32 recAct:i32 flags:i32 stride:i32`),
  rnn_backward_weights_f32: v(`dw:ptr du:ptr db:ptr x:ptr h0:ptr dropX:ptr dropH:ptr gates:ptr hs:ptr cs:ptr ws:ptr
    batch:i32 steps:i32 inDim:i32 units:i32 cell:i32 flags:i32 col0:i32 cols:i32`),
  // Keras's mask_zero: mask[i] = ids[i] ≠ 0 (ids int32, or f32 when idsF32).
  rnn_mask_f32: v('mask:ptr ids:ptr count:i32 idsF32:i32'),
} as const satisfies Record<string, KernelSig>;

/** The op codes of unary_f32, binary_f32 and reduce_f32 (assembly/elementwise.ts holds the same numbers). */
export const UNARY_OPS = { neg: 0, abs: 1, sqrt: 2, square: 3, exp: 4, log: 5, reciprocal: 6, floor: 7, ceil: 8, round: 9 } as const;
export const BINARY_OPS = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5, squaredDifference: 6 } as const;
export const REDUCE_OPS = { sum: 0, max: 1, min: 2 } as const;
/** The codes of rnn_forward_f32 / rnn_backward_f32 (assembly/recurrent.ts holds the same numbers). */
/** gruResetAfter: Keras's default GRU; its cs is [steps, batch, 3·units] (the recurrent products), its bias [2, 3·units]. */
export const RNN_CELLS = { simpleRNN: 0, lstm: 1, gru: 2, gruResetAfter: 3 } as const;
export const RNN_ACTIVATIONS = { linear: 0, tanh: 1, sigmoid: 2, hardSigmoid: 3, relu: 4 } as const;
/** stateGrads (backward): dy is followed by the final states' gradients (returnState). */
export const RNN_FLAGS = { returnSequences: 1, goBackwards: 2, stateGrads: 4 } as const;

export type KernelName = keyof typeof KERNELS;
/** Non-kernel exports: where the arena may start, and the ABI revision. */
export const META_EXPORTS = ['heap_base', 'abi_version'] as const;
export const ABI_VERSION = 8;

/** Newlines in a spec as spaces. */
type OneLine<S extends string> = S extends `${infer A}\n${infer B}` ? OneLine<`${A} ${B}`> : S;
/** One `number` per space-separated word of S (runs of spaces allowed). */
type Words<S extends string, Acc extends number[] = []> = S extends `${infer W} ${infer Rest}`
  ? Words<Rest, W extends '' ? Acc : [...Acc, number]>
  : S extends ''
    ? Acc
    : [...Acc, number];
type SigOf<K extends KernelName> = (typeof KERNELS)[K];
/** The first word of S that is not `name:type`, or never. */
type BadWord<S extends string> = S extends `${infer W} ${infer Rest}`
  ? W extends '' | `${string}:${ArgType}` ? BadWord<Rest> : W
  : S extends '' | `${string}:${ArgType}` ? never : S;
type SpecError<K extends KernelName> = string extends NonNullable<SigOf<K>['spec']>
  ? `${K}: its spec is not one literal (a concatenated string?)`
  : BadWord<OneLine<NonNullable<SigOf<K>['spec']>>> extends infer W extends string
    ? [W] extends [never] ? never : `${K}: '${W}' is not name:type`
    : never;
type MustBeNever<T extends never> = T;
/** Fails to type-check, naming the kernel, when a spec would not give the call its exact arity. */
export type SpecErrors = MustBeNever<{ [K in KernelName]: SpecError<K> }[KernelName]>;
/** A kernel's arguments: exactly as many numbers as its spec names (byte addresses, counts, scalars). */
export type KernelArgs<K extends KernelName> = Words<OneLine<NonNullable<SigOf<K>['spec']>>>;
/** A kernel's result: the number it returns (i32, f64), or void. */
export type KernelRet<K extends KernelName> = SigOf<K>['ret'] extends 'void' ? void : number;
/** One kernel as called from TypeScript: a call with a missing or extra argument does not type-check. */
export type KernelFn<K extends KernelName> = (...args: KernelArgs<K>) => KernelRet<K>;
export type Kernels = { readonly [K in KernelName]: KernelFn<K> } & {
  readonly heap_base: () => number;
  readonly abi_version: () => number;
};
/**
 * The kernels taking exactly `n` arguments, for code that picks a kernel by name at run time
 * (`fwd: KernelNameOfArity<3>` then `k[fwd](y, x, n)`).
 */
export type KernelNameOfArity<N extends number> = { [K in KernelName]: KernelArgs<K>['length'] extends N ? K : never }[KernelName];

/** Kernels as a list, for checks that every export has a reference and a test. */
export const KERNEL_NAMES = Object.keys(KERNELS) as KernelName[];
