// Dense (fully connected) layer, W stored [inDim, outDim] (Keras / TF.js layout). All three
// products are the packed GEMMs of gemm.ts, whose nt/tn layouts run as fast as nn, so the
// backward pass costs the same as the forward one.
import { gemm_nn_f32, gemm_nt_f32, gemm_tn_f32, gemm_workspace_bytes } from './gemm';

/**
 * y[batch, outDim] = x[batch, inDim]·w[inDim, outDim] + b[outDim]; OVERWRITES y. b = 0: no bias.
 * ws: dense_workspace_bytes(batch, inDim, outDim) bytes.
 * Reference: test/reference/dense.ts dense_forward_f32.
 */
export function dense_forward_f32(y: usize, x: usize, w: usize, b: usize, ws: usize, batch: i32, inDim: i32, outDim: i32): void {
  if (batch <= 0 || outDim <= 0) return;
  // Start y at the bias (or zero) and let the accumulating GEMM add x·W on top.
  const rowBytes = <usize>outDim << 2;
  const n4 = <usize>(outDim & ~3) << 2;
  for (let r = 0; r < batch; r++) {
    const yr = y + <usize>r * rowBytes;
    if (b == 0) {
      memory.fill(yr, 0, rowBytes);
      continue;
    }
    let o: usize = 0;
    for (; o < n4; o += 16) v128.store(yr + o, v128.load(b + o));
    for (; o < rowBytes; o += 4) store<f32>(yr + o, load<f32>(b + o));
  }
  gemm_nn_f32(y, x, w, ws, batch, outDim, inDim);
}

/**
 * Gradients of dense_forward_f32, ACCUMULATED: dx[batch, inDim] += dy[batch, outDim]·wᵀ,
 * dw[inDim, outDim] += xᵀ·dy, db[outDim] += column sums of dy. Any of dx, dw, db = 0: skipped.
 * x: [batch, inDim], w: [inDim, outDim]; ws: dense_workspace_bytes(batch, inDim, outDim) bytes.
 * Reference: test/reference/dense.ts dense_backward_f32.
 */
export function dense_backward_f32(
  dx: usize, dw: usize, db: usize, dy: usize, x: usize, w: usize, ws: usize, batch: i32, inDim: i32, outDim: i32,
): void {
  if (batch <= 0 || inDim <= 0 || outDim <= 0) return;
  if (dx != 0) gemm_nt_f32(dx, dy, w, ws, batch, inDim, outDim);
  if (dw != 0) gemm_tn_f32(dw, x, dy, ws, inDim, outDim, batch);
  if (db != 0) columnSums(db, dy, batch, outDim);
}

/**
 * Bytes dense_forward_f32 / dense_backward_f32 need at `ws`: the largest of their GEMMs' —
 * forward y = x·W (batch, outDim, inDim), backward dx += dy·Wᵀ (batch, inDim, outDim) and
 * dW += xᵀ·dy (inDim, outDim, batch). src/wasm/workspace.ts denseWorkspaceBytes calls this.
 */
export function dense_workspace_bytes(batch: i32, inDim: i32, outDim: i32): i32 {
  const a = gemm_workspace_bytes(batch, outDim, inDim);
  const b = gemm_workspace_bytes(batch, inDim, outDim);
  const c = gemm_workspace_bytes(inDim, outDim, batch);
  return max(a, max(b, c));
}

/** db[cols] += Σ_r dy[r, cols], 16 columns at a time so four sums run in parallel. */
function columnSums(db: usize, dy: usize, rows: i32, cols: i32): void {
  const ld = <usize>cols << 2;
  let j = 0;
  for (; j + 16 <= cols; j += 16) {
    let p = dy + (<usize>j << 2);
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    for (let r = 0; r < rows; r++) {
      s0 = f32x4.add(s0, v128.load(p));
      s1 = f32x4.add(s1, v128.load(p, 16));
      s2 = f32x4.add(s2, v128.load(p, 32));
      s3 = f32x4.add(s3, v128.load(p, 48));
      p += ld;
    }
    const d = db + (<usize>j << 2);
    v128.store(d, f32x4.add(v128.load(d), s0));
    v128.store(d, f32x4.add(v128.load(d, 16), s1), 16);
    v128.store(d, f32x4.add(v128.load(d, 32), s2), 32);
    v128.store(d, f32x4.add(v128.load(d, 48), s3), 48);
  }
  for (; j + 4 <= cols; j += 4) {
    let p = dy + (<usize>j << 2);
    let s = f32x4.splat(0);
    for (let r = 0; r < rows; r++) {
      s = f32x4.add(s, v128.load(p));
      p += ld;
    }
    const d = db + (<usize>j << 2);
    v128.store(d, f32x4.add(v128.load(d), s));
  }
  for (; j < cols; j++) {
    let p = dy + (<usize>j << 2);
    let s: f32 = 0;
    for (let r = 0; r < rows; r++) {
      s += load<f32>(p);
      p += ld;
    }
    const d = db + (<usize>j << 2);
    store<f32>(d, load<f32>(d) + s);
  }
}
