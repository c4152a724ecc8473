/**
 * Workspace sizes, in bytes, for the kernels that take a `ws` pointer. The host reserves one
 * shared workspace of the largest size any bound kernel asks for.
 *
 * The binary computes them (gemm_workspace_bytes next to the GEMM, dense_workspace_bytes next to
 * the dense kernels, conv2d_workspace_bytes next to the convolution) from the kernels' own
 * blocking constants and layouts, so nothing here can drift from them; the sizes are those of
 * the binary in use (the GEMM's micro-tile differs between the baseline and the relaxed one).
 * They need `init()` first, like every kernel.
 */
import { backend } from './loader.ts';

/**
 * Bytes gemm_nn_f32 / gemm_nt_f32 / gemm_tn_f32 need at `ws` for C[m,n] += op(A)[m,k]·op(B)[k,n]:
 * one packed B panel, one packed A block and one edge tile. Bounded (≤ 647,360 bytes) however
 * large the problem is; 0 when a size is ≤ 0.
 */
export function gemmWorkspaceBytes(m: number, n: number, k: number): number {
  return backend().kernels.gemm_workspace_bytes(m, n, k);
}

/**
 * Bytes dense_forward_f32 / dense_backward_f32 need at `ws`: the largest of their GEMMs —
 * forward y = x·W (batch, outDim, inDim), backward dx += dy·Wᵀ (batch, inDim, outDim) and
 * dW += xᵀ·dy (inDim, outDim, batch).
 */
export function denseWorkspaceBytes(batch: number, inDim: number, outDim: number): number {
  return backend().kernels.dense_workspace_bytes(batch, inDim, outDim);
}

/**
 * Bytes conv2d_forward_f32 / conv2d_backward_f32 need at `ws` (any stride, padding or dilation):
 * the largest of the im2col chunk plus its GEMMs' workspace and the direct paths' buffers (see
 * conv2d_workspace_bytes in assembly/conv.ts). Bounded in the batch size: the output pixels are
 * processed in chunks.
 */
export function conv2dWorkspaceBytes(
  batch: number, inH: number, inW: number, inC: number,
  outH: number, outW: number, outC: number, kH: number, kW: number,
): number {
  return backend().kernels.conv2d_workspace_bytes(batch, inH, inW, inC, outH, outW, outC, kH, kW);
}
