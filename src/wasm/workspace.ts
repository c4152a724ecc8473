/**
 * Workspace sizes, in bytes, for the kernels that take a `ws` pointer. The host reserves one
 * shared workspace of the largest size any bound kernel asks for.
 */

// GEMM blocking. Twins of the constants in assembly/gemm.ts — keep them equal. The micro-tile
// height MR is 5 in the baseline binary and 6 in the relaxed one; the size below covers both.
const GEMM_MRS = [5, 6];
const GEMM_NR = 8;
const GEMM_KC = 256;
const GEMM_MC = 120;
const GEMM_NC = 512;

const roundUp = (x: number, y: number): number => Math.ceil(x / y) * y;

/**
 * Bytes gemm_nn_f32 / gemm_nt_f32 / gemm_tn_f32 need at `ws` for C[m,n] += op(A)[m,k]·op(B)[k,n]:
 * one packed B panel (≤ KC x NC), one packed A block (≤ MC x KC) and one MR x NR edge tile.
 * Bounded (≤ 4·(KC·NC + MC·KC + 6·NR) = 647,360 bytes) however large the problem is.
 */
export function gemmWorkspaceBytes(m: number, n: number, k: number): number {
  if (m <= 0 || n <= 0 || k <= 0) return 0;
  const kc = Math.min(k, GEMM_KC);
  const nc = roundUp(Math.min(n, GEMM_NC), GEMM_NR);
  let bytes = 0;
  for (const mr of GEMM_MRS) {
    const mc = roundUp(Math.min(m, GEMM_MC), mr);
    bytes = Math.max(bytes, 4 * (kc * nc + mc * kc + mr * GEMM_NR));
  }
  return bytes;
}

/**
 * Bytes dense_forward_f32 / dense_backward_f32 need at `ws`: the largest of their GEMMs —
 * forward y = x·W (batch, outDim, inDim), backward dx += dy·Wᵀ (batch, inDim, outDim) and
 * dW += xᵀ·dy (inDim, outDim, batch).
 */
export function denseWorkspaceBytes(batch: number, inDim: number, outDim: number): number {
  return Math.max(
    gemmWorkspaceBytes(batch, outDim, inDim),
    gemmWorkspaceBytes(batch, inDim, outDim),
    gemmWorkspaceBytes(inDim, outDim, batch),
  );
}

/**
 * Workspace bytes conv2d_forward_f32 / conv2d_backward_f32 need at `ws` (any stride, padding or
 * dilation). Mirrors assembly/conv.ts: the output pixels are processed in chunks of P rows; the
 * workspace is one [P, kH·kW·inC] im2col buffer (rounded up to 16 bytes) followed by the GEMM
 * workspace of the largest GEMM call (full and last chunk). The direct paths use the workspace
 * from its start, one at a time, so the size is the largest of that and: forward / dW (outC a
 * multiple of 8 and inC < 4, or outC ≤ 16 with a padded sample of ≤ PAD_MAX floats) a
 * zero-padded sample of inH rows of inW + 2·kW + 8 pixels (or 4 edge im2col rows, if larger),
 * K tap offsets, a 5x8 sink and a 4x8 y scratch; dx for inC = 1 (taken only with stride 1 in
 * w, which this size cannot see) one transposed dy row outC·(outW + 16), the weights packed in
 * groups of 5 kernel rows, a 5x8 scratch tile and a 5x8 sink; dx as a transposed convolution
 * (inC a multiple of 8, outC ≤ 16, a padded dy sample of ≤ PAD_MAX floats; taken only with
 * unit strides) the same as forward with the roles of x and dy swapped (KT = kH·kW·outC taps),
 * then the flipped weights, KT·inC floats.
 */
export function conv2dWorkspaceBytes(
  batch: number, inH: number, inW: number, inC: number,
  outH: number, outW: number, outC: number, kH: number, kW: number,
): number {
  const total = batch * outH * outW;
  const K = kH * kW * inC;
  if (total <= 0 || K <= 0 || outC <= 0) return 0;
  // Same rule as chunkRows in assembly/conv.ts: ~256 KiB of im2col, 32..512 rows, multiple of 8.
  const P = Math.min(Math.min(Math.max(Math.floor(65536 / K), 32), 512) & ~7, total);
  const last = total - Math.floor((total - 1) / P) * P;
  let gemm = 0;
  for (const rows of [P, last])
    gemm = Math.max(gemm, gemmWorkspaceBytes(rows, outC, K), gemmWorkspaceBytes(K, outC, rows), gemmWorkspaceBytes(rows, K, outC));
  let bytes = Math.ceil((P * K * 4) / 16) * 16 + gemm;
  // Twin of PAD_MAX, useDirect and useTransposedDx in assembly/conv.ts.
  const PAD_MAX = 262144;
  const padded = inH * (inW + 2 * kW + 8) * inC;
  if (outC % 8 === 0 && (inC < 4 || (outC <= 16 && padded <= PAD_MAX))) {
    bytes = Math.max(bytes, 4 * (Math.max(4 * K, padded) + K + 40 + 40));
  }
  const KT = kH * kW * outC;
  const paddedDy = outH * (outW + 2 * kW + 8) * outC;
  if (inC % 8 === 0 && outC <= 16 && paddedDy <= PAD_MAX) {
    bytes = Math.max(bytes, 4 * (Math.max(4 * KT, paddedDy) + KT + 40 + 40 + KT * inC));
  }
  if (inC === 1) bytes = Math.max(bytes, 4 * (outC * (outW + 16) + Math.ceil(kH / 5) * 5 * kW * outC + 40 + 40));
  return bytes;
}
