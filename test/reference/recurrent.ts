/**
 * Float64 references for assembly/recurrent.ts: SimpleRNN, LSTM, GRU (reset_after = false) and
 * Keras's default GRU (reset_after = True, cell 3) over a whole sequence, as Keras / TF.js compute
 * them (keras/src/layers/rnn/gru.py: z = σ(x·W_z + b_in,z + h·U_z + b_rec,z), likewise r,
 * h̃ = act(x·W_h + b_in,h + r ⊙ (h·U_h + b_rec,h)), h' = z ⊙ h + (1 − z) ⊙ h̃; bias [2, 3u]). Same argument order as the kernels,
 * arrays in place of pointers (null for a 0 pointer), no workspace.
 * Layouts: x [batch, steps, in]; w [in, G·u]; u [u, G·u]; b [G·u]; saved gates [steps, batch, G·u],
 * hs / cs [steps, batch, u], in processing order (reversed input when going backwards). Cell 3:
 * b [2, 3u] (input bias, recurrent bias) and cs [steps, batch, 3u], the recurrent products
 * R = h_{s−1}·U + b_rec (backward overwrites them with the recurrent side's dA).
 * Masks as TF.js's rnn(): mask [batch, steps] in input order; where it is 0 the step's output and
 * states are the previous ones (h_s = h_{s−1}, c_s = c_{s−1}). h0, c0: initial states [batch, u].
 * Dropout as Keras 3 / TF.js write the cells: x̃ = x ⊙ dropX, and h̄ = h_{s−1} ⊙ dropH wherever the
 * cell reads h_{s−1} (also the GRU's z ⊙ h̄ and r ⊙ h̄); c and a padding mask's carried state unmasked.
 */

import { gemm_workspace_bytes, GEMM_MRS } from './workspace.ts';

export const CELL = { simpleRNN: 0, lstm: 1, gru: 2, gruResetAfter: 3 } as const;
export const ACT = { linear: 0, tanh: 1, sigmoid: 2, hardSigmoid: 3, relu: 4 } as const;
export const FLAG = { returnSequences: 1, goBackwards: 2, stateGrads: 4 } as const;

export const gatesOf = (cell: number) => (cell === CELL.lstm ? 4 : cell === CELL.gru || cell === CELL.gruResetAfter ? 3 : 1);

export function act(v: number, code: number): number {
  switch (code) {
    case ACT.tanh:
      return Math.tanh(v);
    case ACT.sigmoid:
      return 1 / (1 + Math.exp(-v));
    case ACT.hardSigmoid:
      return Math.min(Math.max(0.2 * v + 0.5, 0), 1);
    case ACT.relu:
      return Math.max(v, 0);
    default:
      return v;
  }
}
/** f'(x) from y = f(x). */
export function dact(y: number, code: number): number {
  switch (code) {
    case ACT.tanh:
      return 1 - y * y;
    case ACT.sigmoid:
      return y * (1 - y);
    case ACT.hardSigmoid:
      return y > 0 && y < 1 ? 0.2 : 0;
    case ACT.relu:
      return y > 0 ? 1 : 0;
    default:
      return 1;
  }
}

/** The input row x[b, t(s), :] of processing step s. */
const src = (steps: number, s: number, flags: number) => (flags & FLAG.goBackwards ? steps - 1 - s : s);

/**
 * y = the layer's output ([batch, steps, u] with returnSequences, else [batch, u]); OVERWRITES y,
 * gates, hs, cs (cs: LSTM and the reset_after GRU only, null otherwise). Gates hold SimpleRNN's pre-activations, the
 * LSTM's i, f, act(c̃), o, the GRU's z, r, h̃.
 */
export function rnn_forward_f32(
  y: Float64Array, gates: Float64Array, hs: Float64Array, cs: Float64Array | null,
  x: ArrayLike<number>, w: ArrayLike<number>, u: ArrayLike<number>, b: ArrayLike<number> | null,
  mask: ArrayLike<number> | null, h0: ArrayLike<number> | null, c0: ArrayLike<number> | null,
  dropX: ArrayLike<number> | null, dropH: ArrayLike<number> | null,
  batch: number, steps: number, inDim: number, units: number, cell: number, actCode: number, recAct: number, flags: number,
): void {
  const G = gatesOf(cell);
  const gu = G * units;
  for (let s = 0; s < steps; s++) {
    const t = src(steps, s, flags);
    for (let bb = 0; bb < batch; bb++) {
      const hRaw = (j: number) => (s > 0 ? hs[((s - 1) * batch + bb) * units + j] : h0 ? h0[bb * units + j] : 0);
      const hp = (j: number) => hRaw(j) * (dropH ? dropH[bb * units + j] : 1);
      const xv = (i: number) => x[(bb * steps + t) * inDim + i] * (dropX ? dropX[bb * inDim + i] : 1);
      const cpOf = (q: number) => (s > 0 ? cs![((s - 1) * batch + bb) * units + q] : c0 ? c0[bb * units + q] : 0);
      // x·W + b, and h_{s−1}·U for the columns that take h directly.
      const a = new Float64Array(gu);
      for (let q = 0; q < gu; q++) {
        let v = b ? b[q] : 0;
        for (let i = 0; i < inDim; i++) v += xv(i) * w[i * gu + q];
        a[q] = v;
      }
      const rec = (q: number, hv: (j: number) => number) => {
        let v = 0;
        for (let j = 0; j < units; j++) v += hv(j) * u[j * gu + q];
        return v;
      };
      const g = (s * batch + bb) * gu;
      const h = (s * batch + bb) * units;
      if (cell === CELL.simpleRNN) {
        for (let q = 0; q < units; q++) {
          gates[g + q] = a[q] + rec(q, hp);
          hs[h + q] = act(gates[g + q], actCode);
        }
      } else if (cell === CELL.lstm) {
        for (let q = 0; q < units; q++) {
          const i = act(a[q] + rec(q, hp), recAct);
          const f = act(a[units + q] + rec(units + q, hp), recAct);
          const c = act(a[2 * units + q] + rec(2 * units + q, hp), actCode);
          const o = act(a[3 * units + q] + rec(3 * units + q, hp), recAct);
          const cv = f * cpOf(q) + i * c;
          gates[g + q] = i;
          gates[g + units + q] = f;
          gates[g + 2 * units + q] = c;
          gates[g + 3 * units + q] = o;
          cs![h + q] = cv;
          hs[h + q] = o * act(cv, actCode);
        }
      } else if (cell === CELL.gruResetAfter) {
        // R = h_{s−1}·U + b_rec, all three gates; r applied after the product.
        for (let q = 0; q < gu; q++) cs![g + q] = (b ? b[gu + q] : 0) + rec(q, hp);
        for (let q = 0; q < units; q++) {
          const z = act(a[q] + cs![g + q], recAct);
          const r = act(a[units + q] + cs![g + units + q], recAct);
          const hh = act(a[2 * units + q] + r * cs![g + 2 * units + q], actCode);
          gates[g + q] = z;
          gates[g + units + q] = r;
          gates[g + 2 * units + q] = hh;
          hs[h + q] = z * hp(q) + (1 - z) * hh;
        }
      } else {
        const z = new Float64Array(units);
        const r = new Float64Array(units);
        for (let q = 0; q < units; q++) {
          z[q] = act(a[q] + rec(q, hp), recAct);
          r[q] = act(a[units + q] + rec(units + q, hp), recAct);
        }
        const rh = (j: number) => r[j] * hp(j);
        for (let q = 0; q < units; q++) {
          const hh = act(a[2 * units + q] + rec(2 * units + q, rh), actCode);
          gates[g + q] = z[q];
          gates[g + units + q] = r[q];
          gates[g + 2 * units + q] = hh;
          hs[h + q] = z[q] * hp(q) + (1 - z[q]) * hh;
        }
      }
      if (mask && mask[bb * steps + t] === 0) {
        for (let q = 0; q < units; q++) {
          hs[h + q] = hRaw(q);
          if (cell === CELL.lstm) cs![h + q] = cpOf(q);
        }
      }
    }
  }
  for (let bb = 0; bb < batch; bb++)
    for (let q = 0; q < units; q++) {
      if (flags & FLAG.returnSequences) for (let s = 0; s < steps; s++) y[(bb * steps + s) * units + q] = hs[(s * batch + bb) * units + q];
      else y[bb * units + q] = hs[((steps - 1) * batch + bb) * units + q];
    }
}

/**
 * Backprop through time; ACCUMULATES into dx, dw, du, db (any may be null). gates, hs, cs: what
 * the forward saved; gates is overwritten with the pre-activation gradients dA, as the kernel does
 * (cell 3: cs with the recurrent side's dA too). Cell 3: db [2, 3u].
 */
export function rnn_backward_f32(
  dx: Float64Array | null, dw: Float64Array | null, du: Float64Array | null, db: Float64Array | null,
  dy: ArrayLike<number>, x: ArrayLike<number>, w: ArrayLike<number>, u: ArrayLike<number>,
  mask: ArrayLike<number> | null, h0: ArrayLike<number> | null, c0: ArrayLike<number> | null,
  dropX: ArrayLike<number> | null, dropH: ArrayLike<number> | null,
  gates: Float64Array, hs: ArrayLike<number>, cs: Float64Array | null,
  batch: number, steps: number, inDim: number, units: number, cell: number, actCode: number, recAct: number, flags: number,
): void {
  const G = gatesOf(cell);
  const gu = G * units;
  const dh = new Float64Array(batch * units);
  const dc = new Float64Array(batch * units);
  if (flags & FLAG.stateGrads) {
    // returnState: dh_T (and the LSTM's dc_T) follow y's gradient in dy.
    const tail = batch * units * (flags & FLAG.returnSequences ? steps : 1);
    for (let j = 0; j < batch * units; j++) {
      dh[j] = dy[tail + j];
      if (cell === CELL.lstm) dc[j] = dy[tail + batch * units + j];
    }
  }
  for (let s = steps - 1; s >= 0; s--) {
    for (let bb = 0; bb < batch; bb++)
      for (let q = 0; q < units; q++) {
        if (flags & FLAG.returnSequences) dh[bb * units + q] += dy[(bb * steps + s) * units + q];
        else if (s === steps - 1) dh[bb * units + q] += dy[bb * units + q];
      }
    const dhPrev = new Float64Array(batch * units);
    for (let bb = 0; bb < batch; bb++) {
      const g = (s * batch + bb) * gu;
      const h = (s * batch + bb) * units;
      const hp = (j: number) => (s > 0 ? hs[((s - 1) * batch + bb) * units + j] : h0 ? h0[bb * units + j] : 0) * (dropH ? dropH[bb * units + j] : 1);
      const dA = new Float64Array(gu);
      if (mask && mask[bb * steps + src(steps, s, flags)] === 0) {
        // The state carried over: its gradient passes to the previous step (dc stays as it is);
        // the step's own gates get none.
        for (let q = 0; q < units; q++) dhPrev[bb * units + q] = dh[bb * units + q];
        gates.fill(0, g, g + gu);
        if (cell === CELL.gruResetAfter) cs!.fill(0, g, g + gu);
        continue;
      }
      if (cell === CELL.simpleRNN) {
        for (let q = 0; q < units; q++) dA[q] = dh[bb * units + q] * dact(hs[h + q], actCode);
        for (let j = 0; j < units; j++) for (let q = 0; q < gu; q++) dhPrev[bb * units + j] += dA[q] * u[j * gu + q];
      } else if (cell === CELL.lstm) {
        for (let q = 0; q < units; q++) {
          const [i, f, c, o] = [gates[g + q], gates[g + units + q], gates[g + 2 * units + q], gates[g + 3 * units + q]];
          const tc = act(cs![h + q], actCode);
          const dhv = dh[bb * units + q];
          const dcv = dc[bb * units + q] + dhv * o * dact(tc, actCode);
          const cp = s > 0 ? cs![((s - 1) * batch + bb) * units + q] : c0 ? c0[bb * units + q] : 0;
          dA[q] = dcv * c * dact(i, recAct);
          dA[units + q] = dcv * cp * dact(f, recAct);
          dA[2 * units + q] = dcv * i * dact(c, actCode);
          dA[3 * units + q] = dhv * tc * dact(o, recAct);
          dc[bb * units + q] = dcv * f;
        }
        for (let j = 0; j < units; j++) for (let q = 0; q < gu; q++) dhPrev[bb * units + j] += dA[q] * u[j * gu + q];
      } else if (cell === CELL.gruResetAfter) {
        const dR = new Float64Array(gu);
        for (let q = 0; q < units; q++) {
          const [z, r, hh] = [gates[g + q], gates[g + units + q], gates[g + 2 * units + q]];
          const dhv = dh[bb * units + q];
          dA[2 * units + q] = dhv * (1 - z) * dact(hh, actCode);
          dA[q] = dhv * (hp(q) - hh) * dact(z, recAct);
          dA[units + q] = dA[2 * units + q] * cs![g + 2 * units + q] * dact(r, recAct);
          dR[q] = dA[q];
          dR[units + q] = dA[units + q];
          dR[2 * units + q] = dA[2 * units + q] * r;
          dhPrev[bb * units + q] += dhv * z;
        }
        for (let j = 0; j < units; j++) for (let q = 0; q < gu; q++) dhPrev[bb * units + j] += dR[q] * u[j * gu + q];
        if (du) for (let j = 0; j < units; j++) for (let q = 0; q < gu; q++) du[j * gu + q] += hp(j) * dR[q];
        if (db) for (let q = 0; q < gu; q++) db[gu + q] += dR[q];
        cs!.set(dR, g);
      } else {
        const z = (q: number) => gates[g + q];
        const r = (q: number) => gates[g + units + q];
        for (let q = 0; q < units; q++) {
          const dhv = dh[bb * units + q];
          dA[2 * units + q] = dhv * (1 - z(q)) * dact(gates[g + 2 * units + q], actCode);
          dA[q] = dhv * (hp(q) - gates[g + 2 * units + q]) * dact(z(q), recAct);
          dhPrev[bb * units + q] += dhv * z(q);
        }
        // h̃ = act(xh + (r·h_{s−1})·U_h): drh = dA_h·U_hᵀ.
        for (let j = 0; j < units; j++) {
          let drh = 0;
          for (let q = 0; q < units; q++) drh += dA[2 * units + q] * u[j * gu + 2 * units + q];
          dA[units + j] = drh * hp(j) * dact(r(j), recAct);
          dhPrev[bb * units + j] += drh * r(j);
        }
        for (let j = 0; j < units; j++) for (let q = 0; q < 2 * units; q++) dhPrev[bb * units + j] += dA[q] * u[j * gu + q];
        if (du) for (let j = 0; j < units; j++) for (let q = 0; q < units; q++) du[j * gu + 2 * units + q] += r(j) * hp(j) * dA[2 * units + q];
      }
      // dU (the columns that take h_{s−1} directly), dW, db, dx.
      const direct = cell === CELL.gru ? 2 * units : cell === CELL.gruResetAfter ? 0 : gu;
      if (du) for (let j = 0; j < units; j++) for (let q = 0; q < direct; q++) du[j * gu + q] += hp(j) * dA[q];
      const t = src(steps, s, flags);
      for (let i = 0; i < inDim; i++) {
        const m = dropX ? dropX[bb * inDim + i] : 1;
        for (let q = 0; q < gu; q++) {
          if (dw) dw[i * gu + q] += x[(bb * steps + t) * inDim + i] * m * dA[q];
          if (dx) dx[(bb * steps + t) * inDim + i] += dA[q] * w[i * gu + q] * m;
        }
      }
      // Every path to h_{s−1} above went through h̄ = h_{s−1} ⊙ dropH.
      if (dropH) for (let j = 0; j < units; j++) dhPrev[bb * units + j] *= dropH[bb * units + j];
      if (db) for (let q = 0; q < gu; q++) db[q] += dA[q];
      gates.set(dA, g);
    }
    dh.set(dhPrev);
  }
}

/** Rows [row0, row0 + batch) of every step of a [steps, stride, cols] buffer, as [steps, batch, cols]. */
function gatherRows(a: ArrayLike<number>, steps: number, stride: number, row0: number, batch: number, cols: number): Float64Array {
  const out = new Float64Array(steps * batch * cols);
  for (let s = 0; s < steps; s++) for (let r = 0; r < batch * cols; r++) out[s * batch * cols + r] = a[(s * stride + row0) * cols + r];
  return out;
}

/** The inverse of gatherRows: part [steps, batch, cols] into rows [row0, row0 + batch) of a [steps, stride, cols] buffer. */
function scatterRows(a: Float64Array, part: ArrayLike<number>, steps: number, stride: number, row0: number, batch: number, cols: number): void {
  for (let s = 0; s < steps; s++) for (let r = 0; r < batch * cols; r++) a[(s * stride + row0) * cols + r] = part[s * batch * cols + r];
}

/**
 * rnn_forward_f32 for the samples [row0, row0 + batch) of a batch of `stride`: x, y, mask, h0,
 * c0, dropX and dropH hold these samples only (the kernel gets pointers moved to them); gates, hs
 * and cs are the whole batch's [steps, stride, ...] buffers, of which these rows are written.
 */
export function rnn_forward_rows_f32(
  y: Float64Array, gates: Float64Array, hs: Float64Array, cs: Float64Array | null,
  x: ArrayLike<number>, w: ArrayLike<number>, u: ArrayLike<number>, b: ArrayLike<number> | null,
  mask: ArrayLike<number> | null, h0: ArrayLike<number> | null, c0: ArrayLike<number> | null,
  dropX: ArrayLike<number> | null, dropH: ArrayLike<number> | null,
  batch: number, steps: number, inDim: number, units: number, cell: number, actCode: number, recAct: number, flags: number, stride: number, row0: number,
): void {
  const gu = gatesOf(cell) * units;
  const csCols = cell === CELL.gruResetAfter ? gu : units;
  const g = new Float64Array(steps * batch * gu);
  const h = new Float64Array(steps * batch * units);
  const c = cs && cell !== CELL.gru ? new Float64Array(steps * batch * csCols) : null;
  rnn_forward_f32(y, g, h, c, x, w, u, b, mask, h0, c0, dropX, dropH, batch, steps, inDim, units, cell, actCode, recAct, flags);
  scatterRows(gates, g, steps, stride, row0, batch, gu);
  scatterRows(hs, h, steps, stride, row0, batch, units);
  if (c) scatterRows(cs!, c, steps, stride, row0, batch, csCols);
}

/**
 * The through-time half of rnn_backward_f32 for samples [row0, row0 + batch) of a batch of
 * `stride` (arrays as rnn_forward_rows_f32): dx += its gradient; gates' rows become dA (cell 3: cs
 * the recurrent side's), hs's rows of steps 0 .. steps − 2 h ⊙ dropH, and the GRU's cs rows
 * r ⊙ h̄_{s−1} (steps with an h_{s−1}). dhT, dcT: the final states' gradients, null: zeros.
 */
export function rnn_backward_rows_f32(
  dx: Float64Array | null, dy: ArrayLike<number>, dhT: ArrayLike<number> | null, dcT: ArrayLike<number> | null,
  x: ArrayLike<number>, w: ArrayLike<number>, u: ArrayLike<number>,
  mask: ArrayLike<number> | null, h0: ArrayLike<number> | null, c0: ArrayLike<number> | null,
  dropX: ArrayLike<number> | null, dropH: ArrayLike<number> | null,
  gates: Float64Array, hs: Float64Array, cs: Float64Array | null,
  batch: number, steps: number, inDim: number, units: number, cell: number, actCode: number, recAct: number, flags: number, stride: number, row0: number,
): void {
  const gu = gatesOf(cell) * units;
  const nh = batch * units;
  const yLen = nh * (flags & FLAG.returnSequences ? steps : 1);
  const packed = new Float64Array(yLen + 2 * nh);
  for (let i = 0; i < yLen; i++) packed[i] = dy[i];
  if (dhT) for (let i = 0; i < nh; i++) packed[yLen + i] = dhT[i];
  if (dcT) for (let i = 0; i < nh; i++) packed[yLen + nh + i] = dcT[i];
  const g = gatherRows(gates, steps, stride, row0, batch, gu);
  const h = gatherRows(hs, steps, stride, row0, batch, units);
  const hBar = (s: number, j: number) => (s >= 0 ? h[s * nh + j] : h0 ? h0[j] : 0) * (dropH ? dropH[j % nh] : 1);
  if (cell === CELL.gru) {
    for (let s = h0 ? 0 : 1; s < steps; s++) for (let j = 0; j < nh; j++) cs![(s * stride + row0) * units + j] = g[s * batch * gu + Math.floor(j / units) * gu + units + (j % units)] * hBar(s - 1, j);
  }
  const c = cs && cell !== CELL.gru ? gatherRows(cs, steps, stride, row0, batch, cell === CELL.gruResetAfter ? gu : units) : null;
  rnn_backward_f32(dx, null, null, null, packed, x, w, u, mask, h0, c0, dropX, dropH, g, h, c, batch, steps, inDim, units, cell, actCode, recAct, flags | (dhT || dcT ? FLAG.stateGrads : 0));
  scatterRows(gates, g, steps, stride, row0, batch, gu);
  if (cell === CELL.gruResetAfter) scatterRows(cs!, c!, steps, stride, row0, batch, gu);
  if (dropH) for (let s = 0; s < steps - 1; s++) for (let j = 0; j < nh; j++) hs[(s * stride + row0) * units + j] *= dropH[j];
}

/**
 * The weights' half of rnn_backward_f32, from what rnn_backward_rows_f32 left over the whole batch
 * (gates: dA; hs: h̄; cs: cell 3's recurrent dA, the GRU's r ⊙ h̄): dw, du, db += their gradients
 * in the gate columns [col0, col0 + cols) only.
 */
export function rnn_backward_weights_f32(
  dw: Float64Array | null, du: Float64Array | null, db: Float64Array | null,
  x: ArrayLike<number>, h0: ArrayLike<number> | null, dropX: ArrayLike<number> | null, dropH: ArrayLike<number> | null,
  gates: ArrayLike<number>, hs: ArrayLike<number>, cs: ArrayLike<number> | null,
  batch: number, steps: number, inDim: number, units: number, cell: number, flags: number, col0: number, cols: number,
): void {
  const gu = gatesOf(cell) * units;
  const recDA = cell === CELL.gruResetAfter ? cs! : gates;
  for (let s = 0; s < steps; s++)
    for (let bb = 0; bb < batch; bb++) {
      const row = (s * batch + bb) * gu;
      const t = src(steps, s, flags);
      const hb = (j: number) => (s > 0 ? hs[((s - 1) * batch + bb) * units + j] : h0 ? h0[bb * units + j] * (dropH ? dropH[bb * units + j] : 1) : 0);
      for (let q = col0; q < col0 + cols; q++) {
        if (db) {
          db[q] += gates[row + q];
          if (cell === CELL.gruResetAfter) db[gu + q] += cs![row + q];
        }
        if (dw) for (let i = 0; i < inDim; i++) dw[i * gu + q] += x[(bb * steps + t) * inDim + i] * (dropX ? dropX[bb * inDim + i] : 1) * gates[row + q];
        if (du && (s > 0 || h0)) {
          // The GRU's h columns read r ⊙ h̄_{s−1} (kept in cs), the others h̄_{s−1}.
          const rh = cell === CELL.gru && q >= 2 * units;
          for (let j = 0; j < units; j++) du[j * gu + q] += (rh ? cs![(s * batch + bb) * units + j] : hb(j)) * recDA[row + q];
        }
      }
    }
}

const f4 = (n: number) => Math.ceil(n / 4) * 16;

/**
 * Bytes rnn_forward_f32 / rnn_backward_f32 need at ws: the largest GEMM workspace (rounded to 16),
 * the time-major input [T·B·in], dh, dc, a zero row block, keepH, keepC and hbar [B·u] each, U packed, and for the
 * GRU three step buffers (assembly/recurrent.ts).
 */
export function rnn_workspace_bytes(batch: number, steps: number, inDim: number, units: number, cell: number, mrs: readonly number[] = GEMM_MRS.both): number {
  if (batch <= 0 || steps <= 0 || units <= 0 || inDim <= 0) return 0;
  const gu = gatesOf(cell) * units;
  const rows = steps * batch;
  const shapes: [number, number, number][] = [[rows, gu, inDim], [batch, gu, units], [batch, units, gu], [units, gu, rows], [inDim, gu, rows], [rows, inDim, gu]];
  if (cell === CELL.gru) shapes.push([batch, 2 * units, units], [batch, units, 2 * units], [batch, units, units], [units, 2 * units, batch], [units, units, batch]);
  const gemm = Math.ceil(Math.max(...shapes.map(([m, n, k]) => gemm_workspace_bytes(m, n, k, mrs))) / 16) * 16;
  // U packed for the GEMM once per call: strips of 8 columns of op(U) (forward) or op(Uᵀ) (backward), the larger.
  const packed = (n: number, k: number) => Math.ceil(n / 8) * 8 * k;
  const pu = cell === CELL.gru ? Math.max(packed(2 * units, units), packed(units, 2 * units)) + packed(units, units) : Math.max(packed(gu, units), packed(units, gu));
  let n = gemm + f4(rows * inDim) + 6 * f4(batch * units) + f4(pu);
  if (cell === CELL.gru) n += f4(2 * batch * units) + 2 * f4(batch * units);
  return n;
}

/** Keras's mask_zero: 1 where the id is not 0. */
export function rnn_mask_f32(mask: Float64Array, ids: ArrayLike<number>, count: number, _idsF32: number): void {
  for (let i = 0; i < count; i++) mask[i] = ids[i] !== 0 ? 1 : 0;
}
