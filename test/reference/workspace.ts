/**
 * References for the workspace sizes the binary reports (gemm_workspace_bytes,
 * dense_workspace_bytes, conv2d_workspace_bytes): the formulas src/wasm/workspace.ts computed in
 * TypeScript, with twins of the kernels' constants, before the binary computed them. Same names
 * and argument order as the exports; the trailing `mrs` lists the GEMM micro-tile heights to
 * cover: [5] for the baseline binary, [6] for the relaxed one (MR in assembly/gemm.ts), and by
 * default both, which is what the TypeScript formulas returned (one size for either binary).
 */
const GEMM_NR = 8;
const GEMM_KC = 256;
const GEMM_MC = 120;
const GEMM_NC = 512;
export const GEMM_MRS = { baseline: [5], relaxed: [6], both: [5, 6] } as const;

const roundUp = (x: number, y: number): number => Math.ceil(x / y) * y;

export function gemm_workspace_bytes(m: number, n: number, k: number, mrs: readonly number[] = GEMM_MRS.both): number {
  if (m <= 0 || n <= 0 || k <= 0) return 0;
  const kc = Math.min(k, GEMM_KC);
  const nc = roundUp(Math.min(n, GEMM_NC), GEMM_NR);
  let bytes = 0;
  for (const mr of mrs) {
    const mc = roundUp(Math.min(m, GEMM_MC), mr);
    bytes = Math.max(bytes, 4 * (kc * nc + mc * kc + mr * GEMM_NR));
  }
  return bytes;
}

export function dense_workspace_bytes(batch: number, inDim: number, outDim: number, mrs: readonly number[] = GEMM_MRS.both): number {
  return Math.max(
    gemm_workspace_bytes(batch, outDim, inDim, mrs),
    gemm_workspace_bytes(batch, inDim, outDim, mrs),
    gemm_workspace_bytes(inDim, outDim, batch, mrs),
  );
}

export function conv2d_workspace_bytes(
  batch: number, inH: number, inW: number, inC: number,
  outH: number, outW: number, outC: number, kH: number, kW: number, mrs: readonly number[] = GEMM_MRS.both,
): number {
  const total = batch * outH * outW;
  const K = kH * kW * inC;
  if (total <= 0 || K <= 0 || outC <= 0) return 0;
  // chunkRows: ~256 KiB of im2col, 32..512 rows, multiple of 8.
  const P = Math.min(Math.min(Math.max(Math.floor(65536 / K), 32), 512) & ~7, total);
  const last = total - Math.floor((total - 1) / P) * P;
  let gemm = 0;
  for (const rows of [P, last])
    gemm = Math.max(gemm, gemm_workspace_bytes(rows, outC, K, mrs), gemm_workspace_bytes(K, outC, rows, mrs), gemm_workspace_bytes(rows, K, outC, mrs));
  let bytes = Math.ceil((P * K * 4) / 16) * 16 + gemm;
  // PAD_MAX, useDirect and useTransposedDx.
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
