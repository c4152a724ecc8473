// Recurrent layers — SimpleRNN, LSTM, GRU (reset_after = false) — with Keras / TF.js formulas and
// weight layouts: kernel W [in, G·u], recurrent kernel U [u, G·u], bias [G·u], gates side by side
// along the last axis (LSTM: i, f, c, o; GRU: z, r, h; G = 1, 4, 3).
//
// Each pass over a whole sequence is ONE call: the time loop lives here, not on the host.
//  - The input is first copied time-major (xt[s, b, :] = x[b, t(s), :], t(s) = T−1−s when the
//    layer goes backwards), so the input projection of every step is one GEMM over T·B rows, and
//    step s's pre-activations are one contiguous [B, G·u] block that the recurrent GEMM
//    (h_{s−1}·U) accumulates into directly.
//  - A fused gate pass per step then turns that block into the activated gates, in place: the
//    saved `gates` buffer ends up holding every step's gates, `hs` every step's h (and `cs` the
//    LSTM's cell states), all in processing order.
//  - Backprop through time walks the steps in reverse, reading the saved gates and states, and
//    overwrites each step's gates with their pre-activation gradients dA (nothing later reads
//    them), so that dW += xtᵀ·dA, dx += dA·Wᵀ, db += Σ dA and (SimpleRNN, LSTM) dU += h_{s−1}ᵀ·dA_s
//    are each one GEMM over all steps after the loop. Only dh_{s−1} += dA_s·Uᵀ must run per step.
// The GRU multiplies the reset gate into h before its third recurrent block, so it runs its
// recurrent product as two GEMMs (U's z|r columns, then its h columns, each copied contiguous into
// the workspace once per call, since the GEMM takes no leading dimension).
// Keras's default GRU (reset_after = True, cell code 3) applies r AFTER the product:
// h̃ = act(x·W_h + b_in,h + r ⊙ (h·U_h + b_rec,h)), so its whole recurrent product is ONE GEMM per
// step, R_s = b_rec + h_{s−1}·U [batch, 3u], which it keeps in `cs` (unused by the GRU otherwise):
// backward needs R_h for dr, and then overwrites R_s with the recurrent side's pre-activation
// gradients (dz, dr, dh̃ ⊙ r), so that dU and db_rec are one GEMM / one column sum after the loop,
// as for the LSTM. Its bias is Keras's [2, 3u]: the input bias row, then the recurrent bias row.
//
// Masking (Keras / TF.js `rnn()`): a sample whose mask is 0 at a step keeps its state: h_s = h_{s−1}
// (and c_s = c_{s−1}), so its output there is the previous output, as TF.js's
// `out·m + h_{s−1}·(1 − m)` gives for m ∈ {0, 1}. The step is computed as usual and then
// overwritten with the carried state, so the GEMMs stay whole-batch. Backward: the carried state's
// gradient passes straight to h_{s−1} (c_{s−1}); the step's own gates see a zero dh (dc), which
// makes every dA of that sample and step exactly 0, so dW, dU, db and dx need no masking.
// Initial states (stateful layers) come in as h0 / c0; 0 pointers mean zeros.
//
// Dropout (Keras / TF.js, one mask per sequence): x̃ = x ⊙ dropX at every step, and
// h̄_{s−1} = h_{s−1} ⊙ dropH in place of h_{s−1} wherever the cell reads it (the recurrent
// products, and the GRU's r ⊙ h and z ⊙ h as TF.js and Keras 3 write them); the LSTM's c and a
// padding mask's carried state are the unmasked ones. The masks hold 0 or 1/(1 − rate) and come
// from the host. The input mask is applied as the input is copied time-major; h̄ is made per step
// in the workspace; every gradient reaching h_{s−1} through h̄ is scaled by dropH once per step.
import { gemmPackedB, gemmStrided, gemm_nn_f32, gemm_nt_f32, gemm_workspace_bytes, packB, packedBFloats } from './gemm';
import { loadN, sigmoid4, storeN, tanh4 } from './simd';

// Cell codes (src/wasm/abi.ts RNN_CELLS holds the same numbers).
const CELL_SIMPLE = 0;
const CELL_LSTM = 1;
const CELL_GRU = 2;
const CELL_GRU_RESET_AFTER = 3;
// Activation codes (src/wasm/abi.ts RNN_ACTIVATIONS): each one's derivative is a function of its
// output, so backward needs no pre-activation values.
const ACT_TANH = 1;
const ACT_SIGMOID = 2;
const ACT_HARD_SIGMOID = 3;
const ACT_RELU = 4;
// Flags: bit 0 returnSequences, bit 1 goBackwards, bit 2 (backward only) state gradients after dy.
const FLAG_SEQUENCES = 1;
const FLAG_BACKWARDS = 2;
const FLAG_STATE_GRADS = 4;

@inline function gatesOf(cell: i32): i32 {
  return cell == CELL_LSTM ? 4 : cell == CELL_GRU || cell == CELL_GRU_RESET_AFTER ? 3 : 1;
}
@inline function max32(a: i32, b: i32): i32 {
  return a > b ? a : b;
}
@inline function min32(a: i32, b: i32): i32 {
  return a < b ? a : b;
}
/** Bytes of n floats, rounded up to 16. */
@inline function fbytes(n: i32): usize {
  return <usize>((n + 3) & ~3) << 2;
}

/** f(v) for an activation code (0 and unknown codes: linear). */
@inline function act4(v: v128, code: i32): v128 {
  if (code == ACT_TANH) return tanh4(v);
  if (code == ACT_SIGMOID) return sigmoid4(v);
  // TF.js: clip(0.2·x + 0.5, 0, 1), multiply then add (no FMA, as TF.js rounds it).
  if (code == ACT_HARD_SIGMOID) return f32x4.min(f32x4.max(f32x4.add(f32x4.mul(v, f32x4.splat(0.2)), f32x4.splat(0.5)), f32x4.splat(0)), f32x4.splat(1));
  if (code == ACT_RELU) return f32x4.max(v, f32x4.splat(0));
  return v;
}

/** f'(x) from y = f(x). hardSigmoid: 0.2 strictly inside (0, 1); relu: 1 where y > 0. */
@inline function dact4(y: v128, code: i32): v128 {
  const one = f32x4.splat(1);
  if (code == ACT_TANH) return f32x4.sub(one, f32x4.mul(y, y));
  if (code == ACT_SIGMOID) return f32x4.mul(y, f32x4.sub(one, y));
  if (code == ACT_HARD_SIGMOID) return v128.and(f32x4.splat(0.2), v128.and(f32x4.gt(y, f32x4.splat(0)), f32x4.lt(y, one)));
  if (code == ACT_RELU) return v128.and(one, f32x4.gt(y, f32x4.splat(0)));
  return one;
}

/** The largest workspace any GEMM of these kernels needs (rounded to 16 bytes). */
function gemmBytes(batch: i32, steps: i32, inDim: i32, units: i32, cell: i32): i32 {
  const gu = gatesOf(cell) * units;
  const rows = steps * batch;
  let m = gemm_workspace_bytes(rows, gu, inDim); // projection
  m = max32(m, gemm_workspace_bytes(batch, gu, units)); // recurrent step
  m = max32(m, gemm_workspace_bytes(batch, units, gu)); // dh_{s−1} = dA_s·Uᵀ
  m = max32(m, gemm_workspace_bytes(units, gu, rows)); // dU
  m = max32(m, gemm_workspace_bytes(inDim, gu, rows)); // dW
  m = max32(m, gemm_workspace_bytes(rows, inDim, gu)); // dx
  if (cell == CELL_GRU) {
    m = max32(m, gemm_workspace_bytes(batch, 2 * units, units));
    m = max32(m, gemm_workspace_bytes(batch, units, 2 * units));
    m = max32(m, gemm_workspace_bytes(batch, units, units));
    m = max32(m, gemm_workspace_bytes(units, 2 * units, batch));
    m = max32(m, gemm_workspace_bytes(units, units, batch));
  }
  return (m + 15) & ~15;
}

// Workspace layout after the GEMM's: xt [T·B·in] | dh [B·u] | dc [B·u] | zero [B·u] | keepH [B·u] |
// keepC [B·u] (the masked rows' carried gradients) | hbar [B·u] (h ⊙ dropH) | U packed
// [packedUFloats] | then for the GRU: s1 [B·2u] | s2 [B·u] | s3 [B·u].
// U is packed for the GEMM once per call, not once per step: every step's product reads the same
// panels (the forward's op(U), the backward's op(Uᵀ); the GRU's z|r and h column blocks apart).
/** Floats of U packed (gemm.ts packB) for the larger of the forward's and the backward's products. */
function packedUFloats(units: i32, cell: i32): i32 {
  if (cell == CELL_GRU) return max32(packedBFloats(2 * units, units), packedBFloats(units, 2 * units)) + packedBFloats(units, units);
  const gu = gatesOf(cell) * units;
  return max32(packedBFloats(gu, units), packedBFloats(units, gu));
}

@inline function offXt(batch: i32, steps: i32, inDim: i32, units: i32, cell: i32): usize {
  return <usize>gemmBytes(batch, steps, inDim, units, cell);
}

/**
 * Bytes rnn_forward_f32 / rnn_backward_f32 need at `ws` (the GEMMs' workspace, the time-major
 * input and the per-step scratch). src/layers/recurrent.ts asks this.
 */
export function rnn_workspace_bytes(batch: i32, steps: i32, inDim: i32, units: i32, cell: i32): i32 {
  if (batch <= 0 || steps <= 0 || units <= 0 || inDim <= 0) return 0;
  let n = offXt(batch, steps, inDim, units, cell) + fbytes(steps * batch * inDim) + 6 * fbytes(batch * units) + fbytes(packedUFloats(units, cell));
  if (cell == CELL_GRU) n += fbytes(2 * batch * units) + 2 * fbytes(batch * units);
  return <i32>n;
}

/** xt[s, b, :] = x[b, t(s), :] (⊙ drop[b, :] when drop ≠ 0): the input time-major, in processing order. */
function toTimeMajor(xt: usize, x: usize, batch: i32, steps: i32, inDim: i32, backwards: bool, drop: usize): void {
  const row = <usize>inDim << 2;
  for (let s = 0; s < steps; s++) {
    const t = backwards ? steps - 1 - s : s;
    for (let b = 0; b < batch; b++) {
      const d = xt + (<usize>(s * batch + b)) * row;
      memory.copy(d, x + (<usize>(b * steps + t)) * row, row);
      if (drop != 0) mulInto(d, drop + <usize>b * row, inDim);
    }
  }
}

/** dx[b, t(s), :] += dxt[s, b, :] (⊙ drop[b, :] when drop ≠ 0; dxt is scaled in place). */
function addFromTimeMajor(dx: usize, dxt: usize, batch: i32, steps: i32, inDim: i32, backwards: bool, drop: usize): void {
  for (let s = 0; s < steps; s++) {
    const t = backwards ? steps - 1 - s : s;
    for (let b = 0; b < batch; b++) {
      const a = dxt + (<usize>(s * batch + b) * <usize>inDim << 2);
      if (drop != 0) mulInto(a, drop + (<usize>(b * inDim) << 2), inDim);
      addInto(dx + (<usize>(b * steps + t) * <usize>inDim << 2), a, inDim);
    }
  }
}

/** d[0..n) ⊙= a[0..n). */
function mulInto(d: usize, a: usize, n: i32): void {
  for (let j = 0; j < n; j += 4) {
    const k = min32(4, n - j);
    const o = <usize>j << 2;
    storeN(d + o, f32x4.mul(loadN(d + o, k), loadN(a + o, k)), k);
  }
}

/** The h the cell reads: h ⊙ drop into hbar (returned), or h itself without a mask. */
@inline function dropped(hbar: usize, h: usize, drop: usize, n: i32): usize {
  if (drop == 0) return h;
  memory.copy(hbar, h, <usize>n << 2);
  mulInto(hbar, drop, n);
  return hbar;
}

/** d[0..n) += a[0..n). */
function addInto(d: usize, a: usize, n: i32): void {
  for (let j = 0; j < n; j += 4) {
    const k = min32(4, n - j);
    const o = <usize>j << 2;
    storeN(d + o, f32x4.add(loadN(d + o, k), loadN(a + o, k)), k);
  }
}

/** db[cols] += Σ_r a[r, cols] of a [rows, ld] matrix. */
function columnSums(db: usize, a: usize, rows: i32, cols: i32, ld: i32): void {
  for (let j = 0; j < cols; j += 4) {
    const k = min32(4, cols - j);
    let p = a + (<usize>j << 2);
    let s = f32x4.splat(0);
    for (let r = 0; r < rows; r++) {
      s = f32x4.add(s, loadN(p, k));
      p += <usize>ld << 2;
    }
    const d = db + (<usize>j << 2);
    storeN(d, f32x4.add(loadN(d, k), s), k);
  }
}

/** Whether sample b is masked (mask 0) at input step t; never without a mask. */
@inline function masked(mask: usize, b: i32, steps: i32, t: i32): bool {
  return mask != 0 && load<f32>(mask + (<usize>(b * steps + t) << 2)) == 0;
}

/** The rows [units] of the samples masked at input step t: dst = src (the state carried over). */
function carryMasked(dst: usize, src: usize, mask: usize, batch: i32, steps: i32, t: i32, units: i32): void {
  const row = <usize>units << 2;
  for (let b = 0; b < batch; b++) if (masked(mask, b, steps, t)) memory.copy(dst + <usize>b * row, src + <usize>b * row, row);
}

/** Masked samples at input step t: keep = d's row, d's row = 0 (their step sees no gradient). */
function holdMasked(keep: usize, d: usize, mask: usize, batch: i32, steps: i32, t: i32, units: i32): void {
  const row = <usize>units << 2;
  for (let b = 0; b < batch; b++)
    if (masked(mask, b, steps, t)) {
      memory.copy(keep + <usize>b * row, d + <usize>b * row, row);
      memory.fill(d + <usize>b * row, 0, row);
    }
}

/** Masked samples at input step t: d's row += keep's (the carried state's gradient passes through). */
function restoreMasked(d: usize, keep: usize, mask: usize, batch: i32, steps: i32, t: i32, units: i32): void {
  const row = <usize>units << 2;
  for (let b = 0; b < batch; b++) if (masked(mask, b, steps, t)) addInto(d + <usize>b * row, keep + <usize>b * row, units);
}

/**
 * Keras's mask_zero: mask[i] = 1 where ids[i] ≠ 0, else 0. mask: [count] f32; ids: [count] int32,
 * or f32 when idsF32 ≠ 0 (a Sequential's float input holding ids).
 * Reference: test/reference/recurrent.ts rnn_mask_f32.
 */
export function rnn_mask_f32(mask: usize, ids: usize, count: i32, idsF32: i32): void {
  const one = f32x4.splat(1);
  for (let i = 0; i < count; i += 4) {
    const k = min32(4, count - i);
    const o = <usize>i << 2;
    const v = loadN(ids + o, k);
    // Lanes past the tail are never stored, so what they compare to does not matter.
    const keep = idsF32 ? f32x4.ne(v, f32x4.splat(0)) : i32x4.ne(v, i32x4.splat(0));
    storeN(mask + o, v128.and(keep, one), k);
  }
}

/**
 * One recurrent layer over a whole sequence; OVERWRITES y, gates, hs and cs.
 * x: [batch, steps, inDim]; w: [inDim, G·units]; u: [units, G·units]; b: [G·units] (0: no bias).
 * y: [batch, steps, units] with flags & 1 (returnSequences, in processing order as Keras returns
 * them), else [batch, units] (the last step's h).
 * Saved for rnn_backward_f32, in processing order: gates [steps, batch, G·units] (SimpleRNN: the
 * pre-activations; LSTM: i, f, act(c̃), o; GRU: z, r, h̃), hs [steps, batch, units] and, for the
 * LSTM, cs [steps, batch, units]; for the reset_after GRU, cs [steps, batch, 3·units] holds each
 * step's recurrent product h_{s−1}·U + b_rec (0 for SimpleRNN and the other GRU).
 * cell: 0 SimpleRNN, 1 LSTM, 2 GRU, 3 GRU with reset_after (b: [2, 3·units], input then recurrent
 * bias); act, recAct: 0 linear, 1 tanh, 2 sigmoid, 3 hardSigmoid,
 * 4 relu; flags: 1 returnSequences, 2 goBackwards. ws: rnn_workspace_bytes(...) bytes.
 * mask: [batch, steps] (input order; 0 = masked, the state carried over), 0: none. h0, c0: the
 * initial h and (LSTM) c [batch, units], 0: zeros. dropX [batch, inDim], dropH [batch, units]: the
 * dropout masks (0 or 1/(1 − rate)), the same at every step; 0: none.
 * Reference: test/reference/recurrent.ts rnn_forward_f32.
 */
export function rnn_forward_f32(
  y: usize, gates: usize, hs: usize, cs: usize, x: usize, w: usize, u: usize, b: usize,
  mask: usize, h0: usize, c0: usize, dropX: usize, dropH: usize, ws: usize,
  batch: i32, steps: i32, inDim: i32, units: i32, cell: i32, act: i32, recAct: i32, flags: i32,
): void {
  rnn_forward_rows_f32(y, gates, hs, cs, x, w, u, b, mask, h0, c0, dropX, dropH, ws, batch, steps, inDim, units, cell, act, recAct, flags, batch);
}

/**
 * rnn_forward_f32 for `batch` samples of a larger batch (the thread pool's part of it): every
 * pointer is the caller's, moved to the first of these samples, and the saved buffers (gates, hs,
 * cs) keep `stride` rows per step (the whole batch's), so the parts of a split batch fill them
 * as one call would. A sample's results do not depend on the others': the same bits for any
 * split. ws: rnn_workspace_bytes(batch, ...) bytes (this part's batch).
 * Reference: test/reference/recurrent.ts rnn_forward_rows_f32.
 */
export function rnn_forward_rows_f32(
  y: usize, gates: usize, hs: usize, cs: usize, x: usize, w: usize, u: usize, b: usize,
  mask: usize, h0: usize, c0: usize, dropX: usize, dropH: usize, ws: usize,
  batch: i32, steps: i32, inDim: i32, units: i32, cell: i32, act: i32, recAct: i32, flags: i32, stride: i32,
): void {
  if (batch <= 0 || steps <= 0 || units <= 0 || inDim <= 0) return;
  const gu = gatesOf(cell) * units;
  const xt = ws + offXt(batch, steps, inDim, units, cell);
  const hBytes = fbytes(batch * units);
  const dh = xt + fbytes(steps * batch * inDim);
  const zero = dh + 2 * hBytes;
  memory.fill(zero, 0, hBytes);
  // Steps of the saved buffers (stride rows each); this part's rows of a step are contiguous.
  const stepG = <usize>(stride * gu) << 2;
  const stepH = <usize>(stride * units) << 2;
  const partH = <usize>(batch * units) << 2;
  const back = (flags & FLAG_BACKWARDS) != 0;
  const hInit = h0 != 0 ? h0 : zero;
  const cInit = c0 != 0 ? c0 : zero;
  const hbar = zero + 3 * hBytes;
  const nh = batch * units;

  // Input projection for every step: gates = bias, then += xt·W.
  toTimeMajor(xt, x, batch, steps, inDim, back, dropX);
  const rowBytes = <usize>gu << 2;
  for (let s = 0; s < steps; s++)
    for (let r = 0; r < batch; r++) {
      const gr = gates + <usize>s * stepG + <usize>r * rowBytes;
      if (b == 0) memory.fill(gr, 0, rowBytes);
      else memory.copy(gr, b, rowBytes);
    }
  // One GEMM over every step when the steps are contiguous, else one per step: an element's sum
  // depends on inDim alone, so both give the same bits.
  if (stride == batch) gemm_nn_f32(gates, xt, w, ws, steps * batch, gu, inDim);
  else for (let s = 0; s < steps; s++) gemm_nn_f32(gates + <usize>s * stepG, xt + (<usize>(s * batch * inDim) << 2), w, ws, batch, gu, inDim);

  const up = hbar + hBytes;
  if (cell != CELL_GRU) packB(up, u, gu, gu, units, false);
  if (cell == CELL_SIMPLE) {
    for (let s = 0; s < steps; s++) {
      const pre = gates + <usize>s * stepG;
      const hPrev = s > 0 ? hs + <usize>(s - 1) * stepH : hInit;
      if (s > 0 || h0 != 0) gemmPackedB(pre, dropped(hbar, hPrev, dropH, nh), up, ws, batch, units, units, units, units, false);
      const h = hs + <usize>s * stepH;
      const n = batch * units;
      for (let j = 0; j < n; j += 4) {
        const k = min32(4, n - j);
        const o = <usize>j << 2;
        storeN(h + o, act4(loadN(pre + o, k), act), k);
      }
      if (mask != 0) carryMasked(h, hPrev, mask, batch, steps, back ? steps - 1 - s : s, units);
    }
  } else if (cell == CELL_LSTM) {
    for (let s = 0; s < steps; s++) {
      const pre = gates + <usize>s * stepG;
      const hPrev = s > 0 ? hs + <usize>(s - 1) * stepH : hInit;
      if (s > 0 || h0 != 0) gemmPackedB(pre, dropped(hbar, hPrev, dropH, nh), up, ws, batch, gu, units, units, gu, false);
      const cPrev = s > 0 ? cs + <usize>(s - 1) * stepH : cInit;
      lstmGates(pre, cs + <usize>s * stepH, hs + <usize>s * stepH, cPrev, batch, units, act, recAct);
      if (mask != 0) {
        const t = back ? steps - 1 - s : s;
        carryMasked(hs + <usize>s * stepH, hPrev, mask, batch, steps, t, units);
        carryMasked(cs + <usize>s * stepH, cPrev, mask, batch, steps, t, units);
      }
    }
  } else if (cell == CELL_GRU_RESET_AFTER) {
    const recBias = b == 0 ? <usize>0 : b + (<usize>gu << 2);
    for (let s = 0; s < steps; s++) {
      const pre = gates + <usize>s * stepG;
      const rec = cs + <usize>s * stepG;
      // R_s = b_rec, then += h_{s−1}·U (h_{−1} = 0: no product at the first step).
      for (let bb = 0; bb < batch; bb++) {
        const rr = rec + <usize>bb * rowBytes;
        if (recBias == 0) memory.fill(rr, 0, rowBytes);
        else memory.copy(rr, recBias, rowBytes);
      }
      const hPrev = s > 0 ? hs + <usize>(s - 1) * stepH : hInit;
      const hUse = dropped(hbar, hPrev, dropH, nh);
      if (s > 0 || h0 != 0) gemmPackedB(rec, hUse, up, ws, batch, gu, units, units, gu, false);
      gruResetAfterGates(pre, rec, hs + <usize>s * stepH, hUse, batch, units, act, recAct);
      if (mask != 0) carryMasked(hs + <usize>s * stepH, hPrev, mask, batch, steps, back ? steps - 1 - s : s, units);
    }
  } else {
    const uzr = up;
    const uh = uzr + (<usize>packedBFloats(2 * units, units) << 2);
    const s1 = up + fbytes(packedUFloats(units, cell));
    const s2 = s1 + fbytes(2 * batch * units);
    const s3 = s2 + hBytes;
    packB(uzr, u, gu, 2 * units, units, false);
    packB(uh, u + (<usize>(2 * units) << 2), gu, units, units, false);
    for (let s = 0; s < steps; s++) {
      const pre = gates + <usize>s * stepG;
      const hPrev = s > 0 ? hs + <usize>(s - 1) * stepH : hInit;
      const hUse = dropped(hbar, hPrev, dropH, nh);
      memory.fill(s1, 0, <usize>(2 * batch * units) << 2);
      if (s > 0 || h0 != 0) gemmPackedB(s1, hUse, uzr, ws, batch, 2 * units, units, units, 2 * units, false);
      gruGatesZR(pre, s2, s1, hUse, batch, units, recAct);
      memory.fill(s3, 0, partH);
      if (s > 0 || h0 != 0) gemmPackedB(s3, s2, uh, ws, batch, units, units, units, units, false);
      gruGatesH(pre, hs + <usize>s * stepH, s3, hUse, batch, units, act);
      if (mask != 0) carryMasked(hs + <usize>s * stepH, hPrev, mask, batch, steps, back ? steps - 1 - s : s, units);
    }
  }

  // The output: every step's h (batch-major), or the last one's.
  const hRow = <usize>units << 2;
  if (flags & FLAG_SEQUENCES) {
    for (let bb = 0; bb < batch; bb++)
      for (let s = 0; s < steps; s++) memory.copy(y + <usize>(bb * steps + s) * hRow, hs + <usize>s * stepH + <usize>bb * hRow, hRow);
  } else {
    memory.copy(y, hs + <usize>(steps - 1) * stepH, partH);
  }
}

/** LSTM step: pre [batch, 4u] pre-activations → i, f, act(c̃), o in place; c and h [batch, u]. */
function lstmGates(pre: usize, c: usize, h: usize, cPrev: usize, batch: i32, units: i32, act: i32, recAct: i32): void {
  const gate = <usize>units << 2;
  for (let bb = 0; bb < batch; bb++) {
    const p = pre + (<usize>(bb * 4 * units) << 2);
    const row = <usize>(bb * units) << 2;
    for (let j = 0; j < units; j += 4) {
      const k = min32(4, units - j);
      const o = <usize>j << 2;
      const gi = act4(loadN(p + o, k), recAct);
      const gf = act4(loadN(p + gate + o, k), recAct);
      const gc = act4(loadN(p + 2 * gate + o, k), act);
      const go = act4(loadN(p + 3 * gate + o, k), recAct);
      const cv = f32x4.add(f32x4.mul(gf, loadN(cPrev + row + o, k)), f32x4.mul(gi, gc));
      storeN(p + o, gi, k);
      storeN(p + gate + o, gf, k);
      storeN(p + 2 * gate + o, gc, k);
      storeN(p + 3 * gate + o, go, k);
      storeN(c + row + o, cv, k);
      storeN(h + row + o, f32x4.mul(go, act4(cv, act)), k);
    }
  }
}

/**
 * GRU (reset_after) step: pre [batch, 3u] (x·W + b_in) → z, r, h̃ in place, from R [batch, 3u]
 * (h_{s−1}·U + b_rec, left as is): z, r = recAct(pre + R), h̃ = act(pre_h + r·R_h),
 * h = z·h_{s−1} + (1 − z)·h̃ (Keras's order of operations).
 */
function gruResetAfterGates(pre: usize, rec: usize, h: usize, hPrev: usize, batch: i32, units: i32, act: i32, recAct: i32): void {
  const gate = <usize>units << 2;
  for (let bb = 0; bb < batch; bb++) {
    const p = pre + (<usize>(bb * 3 * units) << 2);
    const q = rec + (<usize>(bb * 3 * units) << 2);
    const row = <usize>(bb * units) << 2;
    for (let j = 0; j < units; j += 4) {
      const k = min32(4, units - j);
      const o = <usize>j << 2;
      const z = act4(f32x4.add(loadN(p + o, k), loadN(q + o, k)), recAct);
      const r = act4(f32x4.add(loadN(p + gate + o, k), loadN(q + gate + o, k)), recAct);
      const hh = act4(f32x4.add(loadN(p + 2 * gate + o, k), f32x4.mul(r, loadN(q + 2 * gate + o, k))), act);
      storeN(p + o, z, k);
      storeN(p + gate + o, r, k);
      storeN(p + 2 * gate + o, hh, k);
      storeN(h + row + o, f32x4.add(f32x4.mul(z, loadN(hPrev + row + o, k)), f32x4.mul(f32x4.sub(f32x4.splat(1), z), hh)), k);
    }
  }
}

/** GRU step, first half: z, r = recAct(pre + s1) in place; rh = r·h_{s−1}. */
function gruGatesZR(pre: usize, rh: usize, s1: usize, hPrev: usize, batch: i32, units: i32, recAct: i32): void {
  const gate = <usize>units << 2;
  for (let bb = 0; bb < batch; bb++) {
    const p = pre + (<usize>(bb * 3 * units) << 2);
    const q = s1 + (<usize>(bb * 2 * units) << 2);
    const row = <usize>(bb * units) << 2;
    for (let j = 0; j < units; j += 4) {
      const k = min32(4, units - j);
      const o = <usize>j << 2;
      const z = act4(f32x4.add(loadN(p + o, k), loadN(q + o, k)), recAct);
      const r = act4(f32x4.add(loadN(p + gate + o, k), loadN(q + gate + o, k)), recAct);
      storeN(p + o, z, k);
      storeN(p + gate + o, r, k);
      storeN(rh + row + o, f32x4.mul(r, loadN(hPrev + row + o, k)), k);
    }
  }
}

/** GRU step, second half: h̃ = act(pre_h + s3) in place; h = z·h_{s−1} + (1 − z)·h̃. */
function gruGatesH(pre: usize, h: usize, s3: usize, hPrev: usize, batch: i32, units: i32, act: i32): void {
  const gate = <usize>units << 2;
  for (let bb = 0; bb < batch; bb++) {
    const p = pre + (<usize>(bb * 3 * units) << 2);
    const row = <usize>(bb * units) << 2;
    for (let j = 0; j < units; j += 4) {
      const k = min32(4, units - j);
      const o = <usize>j << 2;
      const hh = act4(f32x4.add(loadN(p + 2 * gate + o, k), loadN(s3 + row + o, k)), act);
      const z = loadN(p + o, k);
      storeN(p + 2 * gate + o, hh, k);
      // TF.js: z·h + (1 − z)·h̃, in that order.
      storeN(h + row + o, f32x4.add(f32x4.mul(z, loadN(hPrev + row + o, k)), f32x4.mul(f32x4.sub(f32x4.splat(1), z), hh)), k);
    }
  }
}

/**
 * Backprop through time of rnn_forward_f32, ACCUMULATED: dx [batch, steps, inDim], dw
 * [inDim, G·u], du [u, G·u], db [G·u] (reset_after GRU: [2, G·u]) += their gradients from dy (y's shape); any of them 0:
 * skipped. x, w, u, flags and the codes as given to the forward call; gates, hs, cs: what it
 * saved (the GRU's cs [steps, batch, units] is scratch here). gates is CONSUMED: each step's gates are overwritten with their pre-activation
 * gradients (and, for the reset_after GRU, cs with its recurrent side's). ws: rnn_workspace_bytes(...) bytes.
 * mask, h0, c0, dropX, dropH: as given to the forward call (the initial states get no gradient).
 * With dropH, hs is CONSUMED too (scaled by dropH in place, for dU's one GEMM).
 * flags bit 2 (returnState): dy is followed by the final states' gradients, dh_T [batch, units]
 * and (LSTM) dc_T [batch, units], which start BPTT in place of zeros (the signature stays that of
 * every existing caller; the host packs them behind its copy of dy).
 * The two halves are rnn_backward_rows_f32 (through time, per sample) and
 * rnn_backward_weights_f32 (the weights' sums over every sample and step), which the thread pool
 * splits differently.
 * Reference: test/reference/recurrent.ts rnn_backward_f32.
 */
export function rnn_backward_f32(
  dx: usize, dw: usize, du: usize, db: usize, dy: usize, x: usize, w: usize, u: usize,
  mask: usize, h0: usize, c0: usize, dropX: usize, dropH: usize, gates: usize, hs: usize, cs: usize, ws: usize,
  batch: i32, steps: i32, inDim: i32, units: i32, cell: i32, act: i32, recAct: i32, flags: i32,
): void {
  if (batch <= 0 || steps <= 0 || units <= 0 || inDim <= 0) return;
  let dhT: usize = 0, dcT: usize = 0;
  if (flags & FLAG_STATE_GRADS) {
    dhT = dy + (<usize>(batch * units * (flags & FLAG_SEQUENCES ? steps : 1)) << 2);
    if (cell == CELL_LSTM) dcT = dhT + (<usize>(batch * units) << 2);
  }
  rnn_backward_rows_f32(dx, dy, dhT, dcT, x, w, u, mask, h0, c0, dropX, dropH, gates, hs, cs, ws, batch, steps, inDim, units, cell, act, recAct, flags, batch);
  if (dw != 0 || du != 0 || db != 0) rnn_backward_weights_f32(dw, du, db, x, h0, dropX, dropH, gates, hs, cs, ws, batch, steps, inDim, units, cell, flags, 0, gatesOf(cell) * units);
}

/**
 * Backprop through time for `batch` samples of a larger batch (strides as rnn_forward_rows_f32:
 * pointers moved to the part's first sample, `stride` rows per step in gates, hs and cs): dx
 * [batch, steps, inDim] += its gradient (0: skipped), and what rnn_backward_weights_f32 reads
 * left in the saved buffers: every step's pre-activation gradients in gates (reset_after GRU: the
 * recurrent side's in cs), hs scaled by dropH in place (steps 0 .. steps − 2), and for the GRU
 * r ⊙ h̄_{s−1} in cs [steps, stride, units]. dhT, dcT [batch, units]: the final states'
 * gradients (returnState), 0: zeros. The flags' bit 2 is ignored here (dhT, dcT say it).
 * ws: rnn_workspace_bytes(batch, ...) bytes. Reference: test/reference/recurrent.ts rnn_backward_rows_f32.
 */
export function rnn_backward_rows_f32(
  dx: usize, dy: usize, dhT: usize, dcT: usize, x: usize, w: usize, u: usize,
  mask: usize, h0: usize, c0: usize, dropX: usize, dropH: usize, gates: usize, hs: usize, cs: usize, ws: usize,
  batch: i32, steps: i32, inDim: i32, units: i32, cell: i32, act: i32, recAct: i32, flags: i32, stride: i32,
): void {
  if (batch <= 0 || steps <= 0 || units <= 0 || inDim <= 0) return;
  const gu = gatesOf(cell) * units;
  const xt = ws + offXt(batch, steps, inDim, units, cell);
  const hBytes = fbytes(batch * units);
  const dh = xt + fbytes(steps * batch * inDim);
  const dc = dh + hBytes;
  const zero = dc + hBytes;
  const stepG = <usize>(stride * gu) << 2;
  const stepH = <usize>(stride * units) << 2;
  const partH = <usize>(batch * units) << 2;
  const hRow = <usize>units << 2;
  if (dhT != 0) memory.copy(dh, dhT, partH);
  else memory.fill(dh, 0, partH);
  if (dcT != 0) memory.copy(dc, dcT, partH);
  else memory.fill(dc, 0, partH);
  memory.fill(zero, 0, partH);
  const keepH = zero + hBytes;
  const keepC = keepH + hBytes;
  const back = (flags & FLAG_BACKWARDS) != 0;
  const hInit = h0 != 0 ? h0 : zero;
  const cInit = c0 != 0 ? c0 : zero;
  const hbar = keepC + hBytes;
  const nh = batch * units;
  // op(Uᵀ) packed: the GRU's h block, then its z|r block.
  const up = hbar + hBytes;
  const uh = up;
  const uzr = up + (<usize>packedBFloats(units, units) << 2);
  const s1 = up + fbytes(packedUFloats(units, cell));
  const s2 = s1 + fbytes(2 * batch * units);
  const s3 = s2 + hBytes;
  if (cell == CELL_GRU) {
    packB(uh, u + (<usize>(2 * units) << 2), gu, units, units, true);
    packB(uzr, u, gu, units, 2 * units, true);
  } else {
    packB(up, u, gu, units, gu, true);
  }

  for (let s = steps - 1; s >= 0; s--) {
    // dh: what flows back from step s + 1, plus y's gradient at this step.
    if (flags & FLAG_SEQUENCES) {
      for (let bb = 0; bb < batch; bb++) addInto(dh + <usize>bb * hRow, dy + <usize>(bb * steps + s) * hRow, units);
    } else if (s == steps - 1) {
      addInto(dh, dy, batch * units);
    }
    const t = back ? steps - 1 - s : s;
    if (mask != 0) {
      holdMasked(keepH, dh, mask, batch, steps, t, units);
      if (cell == CELL_LSTM) holdMasked(keepC, dc, mask, batch, steps, t, units);
    }
    const pre = gates + <usize>s * stepG;
    const hPrev = dropped(hbar, s > 0 ? hs + <usize>(s - 1) * stepH : hInit, dropH, nh);
    if (cell == CELL_SIMPLE) {
      const h = hs + <usize>s * stepH;
      const n = batch * units;
      for (let j = 0; j < n; j += 4) {
        const k = min32(4, n - j);
        const o = <usize>j << 2;
        storeN(pre + o, f32x4.mul(loadN(dh + o, k), dact4(loadN(h + o, k), act)), k);
      }
      if (s > 0) {
        memory.fill(dh, 0, partH);
        gemmPackedB(dh, pre, up, ws, batch, units, gu, gu, units, false);
      }
    } else if (cell == CELL_GRU_RESET_AFTER) {
      const rec = cs + <usize>s * stepG;
      gruResetAfterBack(pre, rec, dh, hPrev, batch, units, act, recAct);
      // dh_{s−1} = dh·z (set above) + dA_rec·Uᵀ; nothing flows before the first step.
      if (s > 0) gemmPackedB(dh, rec, up, ws, batch, units, gu, gu, units, false);
    } else if (cell == CELL_LSTM) {
      const cPrev = s > 0 ? cs + <usize>(s - 1) * stepH : cInit;
      lstmBack(pre, dc, dh, cs + <usize>s * stepH, cPrev, batch, units, act, recAct);
      if (s > 0) {
        memory.fill(dh, 0, partH);
        gemmPackedB(dh, pre, up, ws, batch, units, gu, gu, units, false);
      }
    } else {
      gruBackH(pre, s1, s2, s3, dh, hPrev, batch, units, act, recAct);
      // With an initial state, step 0 has an h_{−1} too: its r gate and U get gradients.
      if (s > 0 || h0 != 0) {
        // r ⊙ h̄_{s−1}, for dU_h (rnn_backward_weights_f32); s2 is reused next.
        memory.copy(cs + <usize>s * stepH, s2, partH);
        memory.fill(s2, 0, partH);
        gemmPackedB(s2, s3, uh, ws, batch, units, units, units, units, false);
        gruBackR(pre, s1, s2, dh, hPrev, batch, units, recAct);
        gemmPackedB(dh, s1, uzr, ws, batch, units, 2 * units, 2 * units, units, false);
      } else {
        // No step before: only the r gate's own gradient is left (h_{−1} = 0 gives dr = 0).
        memory.fill(s2, 0, partH);
        gruBackR(pre, s1, s2, dh, hPrev, batch, units, recAct);
      }
    }
    // Every path to h_{s−1} went through h̄_{s−1} = h_{s−1} ⊙ dropH (a carried state does not).
    if (dropH != 0 && s > 0) mulInto(dh, dropH, nh);
    if (mask != 0 && s > 0) {
      restoreMasked(dh, keepH, mask, batch, steps, t, units);
      if (cell == CELL_LSTM) restoreMasked(dc, keepC, mask, batch, steps, t, units);
    }
  }
  // dU reads h̄_{s−1} = h_{s−1} ⊙ dropH: hs becomes h̄ in place (the last step is never read).
  if (dropH != 0) for (let s = 0; s < steps - 1; s++) mulInto(hs + <usize>s * stepH, dropH, nh);

  if (dx != 0) {
    const dxt = xt;
    memory.fill(dxt, 0, <usize>(steps * batch * inDim) << 2);
    // As the forward's projection: one GEMM when the steps are contiguous, else one per step.
    if (stride == batch) gemm_nt_f32(dxt, gates, w, ws, steps * batch, inDim, gu);
    else for (let s = 0; s < steps; s++) gemm_nt_f32(dxt + (<usize>(s * batch * inDim) << 2), gates + <usize>s * stepG, w, ws, batch, inDim, gu);
    addFromTimeMajor(dx, dxt, batch, steps, inDim, back, dropX);
  }
}

/**
 * The weights' gradients after rnn_backward_rows_f32 has run over the whole batch, ACCUMULATED,
 * for the gate columns [col0, col0 + cols) of G·u only (the thread pool's part; each element is
 * summed as by the whole call): dw [inDim, G·u], du [u, G·u], db [G·u] (reset_after GRU: both
 * rows of [2, G·u]); any of them 0: skipped. gates, hs, cs: as rnn_backward_rows_f32 left them;
 * x, h0, dropX, dropH, flags: as given to the forward call. ws: rnn_workspace_bytes(...) bytes.
 * Reference: test/reference/recurrent.ts rnn_backward_weights_f32.
 */
export function rnn_backward_weights_f32(
  dw: usize, du: usize, db: usize, x: usize, h0: usize, dropX: usize, dropH: usize, gates: usize, hs: usize, cs: usize, ws: usize,
  batch: i32, steps: i32, inDim: i32, units: i32, cell: i32, flags: i32, col0: i32, cols: i32,
): void {
  if (batch <= 0 || steps <= 0 || units <= 0 || inDim <= 0 || cols <= 0) return;
  const gu = gatesOf(cell) * units;
  const xt = ws + offXt(batch, steps, inDim, units, cell);
  const hBytes = fbytes(batch * units);
  const hbar = xt + fbytes(steps * batch * inDim) + 5 * hBytes;
  const nh = batch * units;
  const stepG = <usize>(batch * gu) << 2;
  const stepH = <usize>(batch * units) << 2;
  const rows = steps * batch;
  const c0 = <usize>col0 << 2;
  if (db != 0) {
    columnSums(db + c0, gates + c0, rows, cols, gu);
    if (cell == CELL_GRU_RESET_AFTER) columnSums(db + (<usize>gu << 2) + c0, cs + c0, rows, cols, gu);
  }
  if (du != 0) {
    const h0bar = h0 != 0 ? dropped(hbar, h0, dropH, nh) : 0;
    if (cell == CELL_GRU) {
      // Per step, as the recurrence made them: dU_zr += h̄_{s−1}ᵀ·dA_zr,s and dU_h += (r ⊙ h̄_{s−1})ᵀ·dA_h,s.
      const zr0 = col0, zr1 = min32(col0 + cols, 2 * units);
      const h0c = max32(col0, 2 * units), h1c = col0 + cols;
      for (let s = steps - 1; s >= (h0 != 0 ? 0 : 1); s--) {
        const dA = gates + <usize>s * stepG;
        const hPrev = s > 0 ? hs + <usize>(s - 1) * stepH : h0bar;
        if (zr1 > zr0) gemmStrided(du + (<usize>zr0 << 2), hPrev, dA + (<usize>zr0 << 2), ws, units, zr1 - zr0, batch, units, gu, gu, true, false);
        if (h1c > h0c) gemmStrided(du + (<usize>h0c << 2), cs + <usize>s * stepH, dA + (<usize>h0c << 2), ws, units, h1c - h0c, batch, units, gu, gu, true, false);
      }
    } else {
      // dU += Σ_{s≥1} h̄_{s−1}ᵀ·dA_s as one GEMM over (steps − 1)·batch rows (the reset_after GRU:
      // its recurrent side's dA, kept in cs), and h̄_0's step with an initial state.
      const dA = (cell == CELL_GRU_RESET_AFTER ? cs : gates) + c0;
      if (steps > 1) gemmStrided(du + c0, hs, dA + stepG, ws, units, cols, (steps - 1) * batch, units, gu, gu, true, false);
      if (h0 != 0) gemmStrided(du + c0, h0bar, dA, ws, units, cols, batch, units, gu, gu, true, false);
    }
  }
  if (dw != 0) {
    toTimeMajor(xt, x, batch, steps, inDim, (flags & FLAG_BACKWARDS) != 0, dropX);
    gemmStrided(dw + c0, xt, gates + c0, ws, inDim, cols, rows, inDim, gu, gu, true, false);
  }
}

/**
 * GRU (reset_after) step backward: from dh (total), the input side's dA (dz, dr, dh̃) in place of
 * z, r, h̃, the recurrent side's (dz, dr, dh̃·r) in place of R (whose h part gives dr first), and
 * dh ← dh·z (the direct path to h_{s−1}).
 */
function gruResetAfterBack(pre: usize, rec: usize, dh: usize, hPrev: usize, batch: i32, units: i32, act: i32, recAct: i32): void {
  const gate = <usize>units << 2;
  const one = f32x4.splat(1);
  for (let bb = 0; bb < batch; bb++) {
    const p = pre + (<usize>(bb * 3 * units) << 2);
    const q = rec + (<usize>(bb * 3 * units) << 2);
    const row = <usize>(bb * units) << 2;
    for (let j = 0; j < units; j += 4) {
      const k = min32(4, units - j);
      const o = <usize>j << 2;
      const z = loadN(p + o, k);
      const r = loadN(p + gate + o, k);
      const hh = loadN(p + 2 * gate + o, k);
      const hp = loadN(hPrev + row + o, k);
      const dhv = loadN(dh + row + o, k);
      const dAh = f32x4.mul(f32x4.mul(dhv, f32x4.sub(one, z)), dact4(hh, act));
      const dAz = f32x4.mul(f32x4.mul(dhv, f32x4.sub(hp, hh)), dact4(z, recAct));
      const dAr = f32x4.mul(f32x4.mul(dAh, loadN(q + 2 * gate + o, k)), dact4(r, recAct));
      storeN(p + o, dAz, k);
      storeN(p + gate + o, dAr, k);
      storeN(p + 2 * gate + o, dAh, k);
      storeN(q + o, dAz, k);
      storeN(q + gate + o, dAr, k);
      storeN(q + 2 * gate + o, f32x4.mul(dAh, r), k);
      storeN(dh + row + o, f32x4.mul(dhv, z), k);
    }
  }
}

/**
 * LSTM step backward: from dh (total) and dc (carried from step s + 1), the gates' dA in place
 * of i, f, act(c̃), o; dc becomes dc_{s−1}.
 */
function lstmBack(pre: usize, dc: usize, dh: usize, c: usize, cPrev: usize, batch: i32, units: i32, act: i32, recAct: i32): void {
  const gate = <usize>units << 2;
  for (let bb = 0; bb < batch; bb++) {
    const p = pre + (<usize>(bb * 4 * units) << 2);
    const row = <usize>(bb * units) << 2;
    for (let j = 0; j < units; j += 4) {
      const k = min32(4, units - j);
      const o = <usize>j << 2;
      const gi = loadN(p + o, k);
      const gf = loadN(p + gate + o, k);
      const gc = loadN(p + 2 * gate + o, k);
      const go = loadN(p + 3 * gate + o, k);
      const tc = act4(loadN(c + row + o, k), act);
      const dhv = loadN(dh + row + o, k);
      const dcv = f32x4.add(loadN(dc + row + o, k), f32x4.mul(f32x4.mul(dhv, go), dact4(tc, act)));
      storeN(p + o, f32x4.mul(f32x4.mul(dcv, gc), dact4(gi, recAct)), k);
      storeN(p + gate + o, f32x4.mul(f32x4.mul(dcv, loadN(cPrev + row + o, k)), dact4(gf, recAct)), k);
      storeN(p + 2 * gate + o, f32x4.mul(f32x4.mul(dcv, gi), dact4(gc, act)), k);
      storeN(p + 3 * gate + o, f32x4.mul(f32x4.mul(dhv, tc), dact4(go, recAct)), k);
      storeN(dc + row + o, f32x4.mul(dcv, gf), k);
    }
  }
}

/**
 * GRU step backward, first half: dA_h (in place of h̃ and into s3), dA_z (in place of z and into
 * s1's z half), rh = r·h_{s−1} into s2, dh ← dh·z (the direct path to h_{s−1}).
 */
function gruBackH(pre: usize, s1: usize, s2: usize, s3: usize, dh: usize, hPrev: usize, batch: i32, units: i32, act: i32, recAct: i32): void {
  const gate = <usize>units << 2;
  const one = f32x4.splat(1);
  for (let bb = 0; bb < batch; bb++) {
    const p = pre + (<usize>(bb * 3 * units) << 2);
    const q = s1 + (<usize>(bb * 2 * units) << 2);
    const row = <usize>(bb * units) << 2;
    for (let j = 0; j < units; j += 4) {
      const k = min32(4, units - j);
      const o = <usize>j << 2;
      const z = loadN(p + o, k);
      const r = loadN(p + gate + o, k);
      const hh = loadN(p + 2 * gate + o, k);
      const hp = loadN(hPrev + row + o, k);
      const dhv = loadN(dh + row + o, k);
      const dAh = f32x4.mul(f32x4.mul(dhv, f32x4.sub(one, z)), dact4(hh, act));
      const dAz = f32x4.mul(f32x4.mul(dhv, f32x4.sub(hp, hh)), dact4(z, recAct));
      storeN(p + o, dAz, k);
      storeN(q + o, dAz, k);
      storeN(p + 2 * gate + o, dAh, k);
      storeN(s3 + row + o, dAh, k);
      storeN(s2 + row + o, f32x4.mul(r, hp), k);
      storeN(dh + row + o, f32x4.mul(dhv, z), k);
    }
  }
}

/**
 * GRU step backward, second half: from drh = dA_h·U_hᵀ (in s2), dA_r (in place of r and into
 * s1's r half) and dh += drh·r.
 */
function gruBackR(pre: usize, s1: usize, drh: usize, dh: usize, hPrev: usize, batch: i32, units: i32, recAct: i32): void {
  const gate = <usize>units << 2;
  for (let bb = 0; bb < batch; bb++) {
    const p = pre + (<usize>(bb * 3 * units) << 2);
    const q = s1 + (<usize>(bb * 2 * units) << 2);
    const row = <usize>(bb * units) << 2;
    for (let j = 0; j < units; j += 4) {
      const k = min32(4, units - j);
      const o = <usize>j << 2;
      const r = loadN(p + gate + o, k);
      const d = loadN(drh + row + o, k);
      const dAr = f32x4.mul(f32x4.mul(d, loadN(hPrev + row + o, k)), dact4(r, recAct));
      storeN(p + gate + o, dAr, k);
      storeN(q + gate + o, dAr, k);
      storeN(dh + row + o, f32x4.add(loadN(dh + row + o, k), f32x4.mul(d, r)), k);
    }
  }
}
