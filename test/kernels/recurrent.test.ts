// rnn_forward_f32 / rnn_backward_f32 (SimpleRNN, LSTM, GRU over whole sequences) against the
// float64 references in test/reference/recurrent.ts, and the reference backward against central
// differences of the reference forward (gradients through time).
import { describe, expect, it } from 'vitest';
import { expectClose, f32round, loadHarness, randomArray, type Harness } from '../helpers/harness.ts';
import * as ref from '../reference/recurrent.ts';

const GUARD = 16;
const SENTINEL = 1234.5;
const { CELL, ACT, FLAG } = ref;

function putGuarded(h: Harness, data: ArrayLike<number>): number {
  const g = new Float64Array(data.length + GUARD).fill(SENTINEL);
  g.set(data);
  return h.put(g);
}
function expectUntouched(h: Harness, p: number, len: number, label: string): void {
  const guard = h.read(p + len * 4, GUARD);
  const bad = guard.findIndex((v) => v !== SENTINEL);
  if (bad >= 0) throw new Error(`${label}: guard element ${bad} after the buffer was overwritten with ${guard[bad]}`);
}

interface Case {
  cell: number;
  act: number;
  recAct: number;
  flags: number;
  batch: number;
  steps: number;
  inDim: number;
  units: number;
  bias: boolean;
  /** A mask [batch, steps] with masked runs at the start, the end and in between. */
  mask?: boolean;
  /** Initial states h0 (and the LSTM's c0), as a stateful layer passes them. */
  state?: boolean;
  /** Dropout masks on the input (x), the recurrent state (h), or both. */
  drop?: 'x' | 'h' | 'both';
}
const label = (c: Case) => `cell=${c.cell} act=${c.act}/${c.recAct} flags=${c.flags} B=${c.batch} T=${c.steps} in=${c.inDim} u=${c.units} bias=${c.bias} mask=${!!c.mask} state=${!!c.state} drop=${c.drop ?? 'none'}`;

/** A dropout mask: 0 or 1/(1 − 0.3) (as f32), about 30% zeros. */
export function makeDrop(n: number, seed: number): Float64Array {
  const keep = Math.fround(1 / Math.fround(0.7));
  return randomArray(n, seed, 0, 1).map((v) => (v < 0.3 ? 0 : keep));
}

/** 0/1 per [batch, steps]: sample 0 fully kept, sample 1 (when there) fully masked, the rest ~40% masked. */
export function makeMask(batch: number, steps: number, seed: number): Float64Array {
  const r = randomArray(batch * steps, seed, 0, 1);
  return r.map((v, i) => {
    const b = Math.floor(i / steps);
    return b === 0 ? 1 : b === 1 && batch > 2 ? 0 : v < 0.4 ? 0 : 1;
  });
}

/** Runs forward (and backward) in wasm and in the reference; compares outputs, saved states and gradients. */
function check(h: Harness, c: Case, seed: number, skip: 'none' | 'dx' | 'dw' | 'du' | 'db' = 'none'): void {
  h.reset();
  const G = ref.gatesOf(c.cell);
  const gu = G * c.units;
  const yLen = c.flags & FLAG.returnSequences ? c.batch * c.steps * c.units : c.batch * c.units;
  const sLen = c.steps * c.batch;
  const ra = c.cell === CELL.gruResetAfter;
  // cs: the LSTM's cell states [steps, batch, u]; the reset_after GRU's recurrent products [steps, batch, 3u];
  // the GRU's backward scratch [steps, batch, u] (the reference keeps none).
  const csLen = c.cell === CELL.lstm || c.cell === CELL.gru ? sLen * c.units : ra ? sLen * gu : 0;
  const bLen = ra ? 2 * gu : gu;
  // Weights small enough that the gates do not all saturate.
  const x = f32round(randomArray(c.batch * c.steps * c.inDim, seed));
  const w = f32round(randomArray(c.inDim * gu, seed + 1, -0.6, 0.6));
  const u = f32round(randomArray(c.units * gu, seed + 2, -0.6, 0.6));
  const b = c.bias ? f32round(randomArray(bLen, seed + 3, -0.5, 0.5)) : null;
  const py = putGuarded(h, randomArray(yLen, seed + 4, 50, 100));
  const pg = putGuarded(h, randomArray(sLen * gu, seed + 5, 50, 100));
  const phs = putGuarded(h, randomArray(sLen * c.units, seed + 6, 50, 100));
  const pcs = csLen ? putGuarded(h, randomArray(csLen, seed + 7, 50, 100)) : 0;
  const wsLen = h.k.rnn_workspace_bytes(c.batch, c.steps, c.inDim, c.units, c.cell) / 4;
  const pws = putGuarded(h, new Float64Array(wsLen));
  const px = h.put(x);
  const pw = h.put(w);
  const pu = h.put(u);
  const mask = c.mask ? makeMask(c.batch, c.steps, seed + 20) : null;
  const h0 = c.state ? f32round(randomArray(c.batch * c.units, seed + 21)) : null;
  const c0 = c.state && c.cell === CELL.lstm ? f32round(randomArray(c.batch * c.units, seed + 22)) : null;
  const dropX = c.drop === 'x' || c.drop === 'both' ? makeDrop(c.batch * c.inDim, seed + 23) : null;
  const dropH = c.drop === 'h' || c.drop === 'both' ? makeDrop(c.batch * c.units, seed + 24) : null;
  const pdx0 = dropX ? h.put(dropX) : 0;
  const pdh0 = dropH ? h.put(dropH) : 0;
  const pm = mask ? h.put(mask) : 0;
  const ph0 = h0 ? putGuarded(h, h0) : 0;
  const pc0 = c0 ? putGuarded(h, c0) : 0;
  h.k.rnn_forward_f32(py, pg, phs, pcs, px, pw, pu, b ? h.put(b) : 0, pm, ph0, pc0, pdx0, pdh0, pws, c.batch, c.steps, c.inDim, c.units, c.cell, c.act, c.recAct, c.flags);
  const y = new Float64Array(yLen);
  const gates = new Float64Array(sLen * gu);
  const hs = new Float64Array(sLen * c.units);
  const cs = csLen && c.cell !== CELL.gru ? new Float64Array(csLen) : null;
  ref.rnn_forward_f32(y, gates, hs, cs, x, w, u, b, mask, h0, c0, dropX, dropH, c.batch, c.steps, c.inDim, c.units, c.cell, c.act, c.recAct, c.flags);
  const L = label(c);
  const tol = { rtol: 2e-5, atol: 2e-6, scale: Math.sqrt(c.inDim + c.units) + 1 };
  expectClose(h.read(py, yLen), y, { ...tol, label: `${L} y` });
  expectClose(h.read(phs, sLen * c.units), hs, { ...tol, label: `${L} hs` });
  if (c.cell !== CELL.simpleRNN) expectClose(h.read(pg, sLen * gu), gates, { ...tol, label: `${L} gates` });
  if (cs) expectClose(h.read(pcs, csLen), cs, { ...tol, scale: tol.scale * c.steps, label: `${L} cs` });
  expectUntouched(h, py, yLen, `${L} y`);
  expectUntouched(h, pg, sLen * gu, `${L} gates`);
  expectUntouched(h, phs, sLen * c.units, `${L} hs`);
  if (pcs) expectUntouched(h, pcs, csLen, `${L} cs`);
  expectUntouched(h, pws, wsLen, `${L} ws (forward)`);

  // Backward from the wasm forward's own saved buffers; gradients start non-zero (accumulate).
  // returnState (flag 4): the final states' gradients follow y's in dy.
  const stateLen = c.flags & FLAG.stateGrads ? (c.cell === CELL.lstm ? 2 : 1) * c.batch * c.units : 0;
  const dy = f32round(randomArray(yLen + stateLen, seed + 8));
  const start = (n: number, s: number, what: typeof skip) => (skip === what ? null : f32round(randomArray(n, s)));
  const dx = start(c.batch * c.steps * c.inDim, seed + 9, 'dx');
  const dw = start(c.inDim * gu, seed + 10, 'dw');
  const du = start(c.units * gu, seed + 11, 'du');
  const db = c.bias ? start(bLen, seed + 12, 'db') : null;
  const pdx = dx ? putGuarded(h, dx) : 0;
  const pdw = dw ? putGuarded(h, dw) : 0;
  const pdu = du ? putGuarded(h, du) : 0;
  const pdb = db ? putGuarded(h, db) : 0;
  h.k.rnn_backward_f32(pdx, pdw, pdu, pdb, h.put(dy), px, pw, pu, pm, ph0, pc0, pdx0, pdh0, pg, phs, pcs, pws, c.batch, c.steps, c.inDim, c.units, c.cell, c.act, c.recAct, c.flags);
  const wdx = dx && Float64Array.from(dx);
  const wdw = dw && Float64Array.from(dw);
  const wdu = du && Float64Array.from(du);
  const wdb = db && Float64Array.from(db);
  ref.rnn_backward_f32(wdx, wdw, wdu, wdb, dy, x, w, u, mask, h0, c0, dropX, dropH, gates, hs, cs, c.batch, c.steps, c.inDim, c.units, c.cell, c.act, c.recAct, c.flags);
  const btol = { rtol: 1e-4, atol: 2e-5, scale: Math.sqrt(c.batch * c.steps * (c.units + c.inDim)) + 1 };
  if (wdx) expectClose(h.read(pdx, wdx.length), wdx, { ...btol, label: `${L} dx` });
  if (wdw) expectClose(h.read(pdw, wdw.length), wdw, { ...btol, label: `${L} dw` });
  if (wdu) expectClose(h.read(pdu, wdu.length), wdu, { ...btol, label: `${L} du` });
  if (wdb) expectClose(h.read(pdb, wdb.length), wdb, { ...btol, label: `${L} db` });
  // The reset_after GRU's backward leaves its recurrent side's dA in cs: the same as the reference's.
  if (ra) expectClose(h.read(pcs, csLen), cs!, { ...btol, label: `${L} dA (recurrent side, in cs)` });
  for (const [p, a, n] of [[pdx, wdx, 'dx'], [pdw, wdw, 'dw'], [pdu, wdu, 'du'], [pdb, wdb, 'db']] as const) if (a) expectUntouched(h, p, a.length, `${L} ${n}`);
  expectUntouched(h, pws, wsLen, `${L} ws (backward)`);
  // The initial states are read, never written.
  if (h0) expect(Array.from(h.read(ph0, h0.length)), `${L} h0`).toEqual(Array.from(h0));
  if (c0) expect(Array.from(h.read(pc0, c0.length)), `${L} c0`).toEqual(Array.from(c0));
  if (h0) expectUntouched(h, ph0, h0.length, `${L} h0`);
  if (c0) expectUntouched(h, pc0, c0.length, `${L} c0`);
}

const CELLS = [
  { name: 'simpleRNN', cell: CELL.simpleRNN, acts: [ACT.tanh, ACT.relu, ACT.linear, ACT.sigmoid] },
  { name: 'lstm', cell: CELL.lstm, acts: [ACT.tanh, ACT.sigmoid] },
  { name: 'gru', cell: CELL.gru, acts: [ACT.tanh, ACT.relu] },
  { name: 'gru(resetAfter)', cell: CELL.gruResetAfter, acts: [ACT.tanh, ACT.relu] },
];
const REC_ACTS = [ACT.hardSigmoid, ACT.sigmoid];
/** (batch, steps, inDim, units): below, at and above the SIMD width, one step, long sequences. */
const SHAPES: [number, number, number, number][] = [
  [1, 1, 1, 1], [3, 2, 3, 4], [2, 5, 7, 5], [5, 4, 4, 9], [4, 3, 2, 17], [7, 6, 5, 3], [9, 12, 3, 8], [2, 3, 33, 6],
];

function suite(load: () => Harness) {
  for (const cc of CELLS) {
    it(`rnn_forward_f32 / rnn_backward_f32 ${cc.name}: activations, returnSequences, goBackwards, bias`, () => {
      const h = load();
      let seed = 1;
      for (const [batch, steps, inDim, units] of SHAPES)
        for (const act of cc.acts)
          for (const flags of [0, 1, 2, 3]) {
            const recAct = REC_ACTS[(seed >> 2) % 2];
            check(h, { cell: cc.cell, act, recAct, flags, batch, steps, inDim, units, bias: (seed & 1) === 0 }, (seed += 13));
          }
    });
    it(`rnn_forward_f32 / rnn_backward_f32 ${cc.name}: masks, initial states, both`, () => {
      const h = load();
      let seed = 900;
      for (const [batch, steps, inDim, units] of SHAPES)
        for (const flags of [0, 1, 2, 3])
          for (const [mask, state] of [[true, false], [false, true], [true, true]]) {
            const recAct = REC_ACTS[(seed >> 2) % 2];
            check(h, { cell: cc.cell, act: cc.acts[seed % cc.acts.length], recAct, flags, batch, steps, inDim, units, bias: (seed & 1) === 0, mask, state }, (seed += 11));
          }
    });
    it(`rnn_forward_f32 / rnn_backward_f32 ${cc.name}: dropout masks (input, recurrent, both; with padding masks and states)`, () => {
      const h = load();
      let seed = 1700;
      for (const [batch, steps, inDim, units] of SHAPES)
        for (const flags of [0, 1, 2, 3])
          for (const drop of ['x', 'h', 'both'] as const) {
            const recAct = REC_ACTS[(seed >> 2) % 2];
            check(h, { cell: cc.cell, act: cc.acts[seed % cc.acts.length], recAct, flags, batch, steps, inDim, units, bias: (seed & 1) === 0, drop, mask: drop === 'both', state: drop !== 'x' }, (seed += 11));
          }
    });
    it(`rnn_backward_f32 ${cc.name}: final-state gradients (returnState, flag 4) with masks, states, dropout`, () => {
      const h = load();
      let seed = 2500;
      for (const [batch, steps, inDim, units] of SHAPES)
        for (const flags of [4, 5, 6, 7])
          for (const [mask, state, drop] of [[false, false, undefined], [true, false, undefined], [true, true, 'both']] as const) {
            const recAct = REC_ACTS[(seed >> 2) % 2];
            check(h, { cell: cc.cell, act: cc.acts[seed % cc.acts.length], recAct, flags, batch, steps, inDim, units, bias: (seed & 1) === 0, mask, state, drop }, (seed += 11));
          }
    });
    it(`rnn_backward_f32 ${cc.name}: each of dx, dw, du, db skipped (0 pointer)`, () => {
      const h = load();
      let seed = 500;
      for (const skip of ['dx', 'dw', 'du', 'db'] as const) check(h, { cell: cc.cell, act: ACT.tanh, recAct: ACT.sigmoid, flags: 1, batch: 3, steps: 4, inDim: 5, units: 6, bias: true }, (seed += 7), skip);
    });
  }
  it('rnn_mask_f32: int32 and float ids, every tail length', () => {
    const h = load();
    for (let count = 0; count <= 13; count++) {
      h.reset();
      const ids = Array.from({ length: count }, (_, i) => (i * 7) % 3 === 0 ? 0 : (i * 5) % 11 - 4);
      const want = new Float64Array(count);
      ref.rnn_mask_f32(want, ids, count, 0);
      for (const f32 of [0, 1]) {
        const pm = putGuarded(h, new Float64Array(count).fill(7));
        h.k.rnn_mask_f32(pm, f32 ? h.put(ids) : h.putI32(ids), count, f32);
        expect(Array.from(h.read(pm, count)), `count=${count} f32=${f32}`).toEqual(Array.from(want));
        expectUntouched(h, pm, count, `mask count=${count}`);
      }
    }
    // −0 is an id of 0 (masked), as TF.js's notEqual(ids, 0) finds.
    h.reset();
    const pm = h.zeros(4);
    h.k.rnn_mask_f32(pm, h.put([-0, 1, 0, -3]), 4, 1);
    expect(Array.from(h.read(pm, 4))).toEqual([0, 1, 0, 1]);
  });
  it('rnn_forward_f32 LSTM(128) on 28×28 sequences (row-MNIST shapes, past the GEMM blocks)', () => {
    const h = load();
    check(h, { cell: CELL.lstm, act: ACT.tanh, recAct: ACT.hardSigmoid, flags: 0, batch: 6, steps: 28, inDim: 28, units: 128, bias: true }, 77);
  });
  it('rnn_forward_f32 GRU(resetAfter, 128) on 28×28 sequences (Keras defaults: tanh, sigmoid)', () => {
    const h = load();
    check(h, { cell: CELL.gruResetAfter, act: ACT.tanh, recAct: ACT.sigmoid, flags: 1, batch: 6, steps: 28, inDim: 28, units: 128, bias: true }, 78);
  });
}

describe('rnn_workspace_bytes', () => {
  for (const [variant, mrs] of [['baseline', [5]], ['relaxed', [6]]] as const)
    it(`equals the layout formula (${variant} binary), and 0 for empty sizes`, () => {
      const h = loadHarness(variant);
      for (const cell of [CELL.simpleRNN, CELL.lstm, CELL.gru, CELL.gruResetAfter])
        for (const [batch, steps, inDim, units] of [...SHAPES, [64, 28, 28, 128], [256, 28, 28, 128], [1, 100, 300, 64], [0, 3, 3, 3], [3, 0, 3, 3], [3, 3, 3, 0]]) {
          expect(h.k.rnn_workspace_bytes(batch, steps, inDim, units, cell), `cell=${cell} ${batch},${steps},${inDim},${units}`).toBe(ref.rnn_workspace_bytes(batch, steps, inDim, units, cell, mrs));
        }
    });
});

describe('recurrent (baseline binary)', () => suite(() => loadHarness()));
describe('recurrent (relaxed binary)', () => suite(() => loadHarness('relaxed')));

describe('recurrent reference backward = central differences of its forward (through time)', () => {
  for (const cc of CELLS)
    for (const flags of [0, 1, 2, 3, 4, 5, 6, 7])
      for (const extra of ['plain', 'mask', 'mask+state', 'mask+state+dropout'] as const)
      it(`${cc.name} flags=${flags} ${extra}`, () => {
        const [batch, steps, inDim, units] = [2, 4, 3, 3];
        const G = ref.gatesOf(cc.cell);
        const gu = G * units;
        const x = randomArray(batch * steps * inDim, 3);
        const w = randomArray(inDim * gu, 4, -0.7, 0.7);
        const u = randomArray(units * gu, 5, -0.7, 0.7);
        const ra = cc.cell === CELL.gruResetAfter;
        const b = randomArray(ra ? 2 * gu : gu, 6, -0.5, 0.5);
        const csLen = steps * batch * (ra ? gu : units);
        const yLen = flags & FLAG.returnSequences ? batch * steps * units : batch * units;
        // Flag 4 (returnState): the loss reads the final h (and the LSTM's c) too, with these weights after y's.
        const nState = flags & FLAG.stateGrads ? (cc.cell === CELL.lstm ? 2 : 1) : 0;
        const dy = randomArray(yLen + nState * batch * units, 7);
        // Smooth activations only (finite differences across a kink are meaningless).
        const [act, recAct] = [ACT.tanh, ACT.sigmoid];
        // Sample 0 masked at its first and third steps, sample 1 at its last.
        const mask = extra === 'plain' ? null : [0, 1, 0, 1, 1, 1, 1, 0];
        const h0 = extra.startsWith('mask+state') ? randomArray(batch * units, 8) : null;
        const c0 = extra.startsWith('mask+state') ? randomArray(batch * units, 9) : null;
        const dropX = extra === 'mask+state+dropout' ? [2, 0, 2, 0, 2, 2] : null;
        const dropH = extra === 'mask+state+dropout' ? [0, 2, 2, 2, 2, 0] : null;
        const loss = (xx: Float64Array, ww: Float64Array, uu: Float64Array, bb: Float64Array) => {
          const y = new Float64Array(yLen);
          const hsF = new Float64Array(steps * batch * units);
          const csF = new Float64Array(csLen);
          ref.rnn_forward_f32(y, new Float64Array(steps * batch * gu), hsF, csF, xx, ww, uu, bb, mask, h0, c0, dropX, dropH, batch, steps, inDim, units, cc.cell, act, recAct, flags);
          let l = y.reduce((s, v, i) => s + v * dy[i], 0);
          // The final states: the last processed step's h and c (a masked last step holds the carried state).
          const last = (steps - 1) * batch * units;
          for (let j = 0; j < batch * units; j++) {
            if (nState >= 1) l += hsF[last + j] * dy[yLen + j];
            if (nState === 2) l += csF[last + j] * dy[yLen + batch * units + j];
          }
          return l;
        };
        const gates = new Float64Array(steps * batch * gu);
        const hs = new Float64Array(steps * batch * units);
        const cs = new Float64Array(csLen);
        ref.rnn_forward_f32(new Float64Array(yLen), gates, hs, cs, x, w, u, b, mask, h0, c0, dropX, dropH, batch, steps, inDim, units, cc.cell, act, recAct, flags);
        const grads = [x, w, u, b].map((a) => new Float64Array(a.length));
        ref.rnn_backward_f32(grads[0], grads[1], grads[2], grads[3], dy, x, w, u, mask, h0, c0, dropX, dropH, gates, hs, cs, batch, steps, inDim, units, cc.cell, act, recAct, flags);
        const params = [x, w, u, b];
        const eps = 1e-5;
        params.forEach((p, k) => {
          for (let i = 0; i < p.length; i++) {
            const keep = p[i];
            p[i] = keep + eps;
            const up = loss(...(params as [Float64Array, Float64Array, Float64Array, Float64Array]));
            p[i] = keep - eps;
            const dn = loss(...(params as [Float64Array, Float64Array, Float64Array, Float64Array]));
            p[i] = keep;
            const num = (up - dn) / (2 * eps);
            expect(Math.abs(num - grads[k][i]), `${cc.name} param ${k}[${i}]: numeric ${num} vs ${grads[k][i]}`).toBeLessThan(1e-7 + 1e-6 * Math.abs(num));
          }
        });
        // A masked step's input gets no gradient (x[b=0, t=0] and x[b=1, t=3]).
        if (mask) for (const [bb, t] of [[0, 0], [1, 3]]) for (let i = 0; i < inDim; i++) expect(grads[0][(bb * steps + t) * inDim + i]).toBe(0);
      });
});

/**
 * The thread pool's pieces (src/wasm/threads.ts): rnn_forward_rows_f32 and rnn_backward_rows_f32
 * over parts of a batch, then rnn_backward_weights_f32 over parts of the gate columns, give the
 * whole calls' bits; and each piece agrees with its float64 reference.
 */
function checkParts(h: Harness, c: Case, seed: number, rowCuts: number[], colCuts: (gu: number) => number[], withRef = true): void {
  const { batch: B, steps: T, inDim: I, units: U } = c;
  const gu = ref.gatesOf(c.cell) * U;
  const ra = c.cell === CELL.gruResetAfter;
  const csCols = ra ? gu : U;
  const withCs = c.cell !== CELL.simpleRNN;
  const seq = (c.flags & FLAG.returnSequences) !== 0;
  const yRow = seq ? T * U : U;
  const nState = c.flags & FLAG.stateGrads ? (c.cell === CELL.lstm ? 2 : 1) : 0;
  const x = f32round(randomArray(B * T * I, seed));
  const w = f32round(randomArray(I * gu, seed + 1, -0.6, 0.6));
  const u = f32round(randomArray(U * gu, seed + 2, -0.6, 0.6));
  const b = f32round(randomArray(ra ? 2 * gu : gu, seed + 3, -0.5, 0.5));
  const mask = c.mask ? makeMask(B, T, seed + 4) : null;
  const h0 = c.state ? f32round(randomArray(B * U, seed + 5)) : null;
  const c0 = c.state && c.cell === CELL.lstm ? f32round(randomArray(B * U, seed + 6)) : null;
  const dropX = c.drop === 'x' || c.drop === 'both' ? makeDrop(B * I, seed + 7) : null;
  const dropH = c.drop === 'h' || c.drop === 'both' ? makeDrop(B * U, seed + 8) : null;
  const dy = f32round(randomArray(B * yRow + nState * B * U, seed + 9));
  const start = [B * T * I, I * gu, U * gu, ra ? 2 * gu : gu].map((n, i) => f32round(randomArray(n, seed + 10 + i)));
  const L = `${label(c)} rows=${rowCuts} `;
  const ptr = (a: ArrayLike<number> | null) => (a ? h.put(a) : 0);
  const [px, pw, pu, pb, pm, ph0, pc0, pdX, pdH, pdy] = [x, w, u, b, mask, h0, c0, dropX, dropH, dy].map(ptr);
  const ws = (n: number) => h.zeros(h.k.rnn_workspace_bytes(n, T, I, U, c.cell) / 4);
  const codes = [c.cell, c.act, c.recAct] as const;

  // The whole calls.
  const whole = { y: h.zeros(B * yRow), g: h.zeros(T * B * gu), hs: h.zeros(T * B * U), cs: withCs ? h.zeros(T * B * csCols) : 0, grads: start.map((a) => h.put(a)) };
  h.k.rnn_forward_f32(whole.y, whole.g, whole.hs, whole.cs, px, pw, pu, pb, pm, ph0, pc0, pdX, pdH, ws(B), B, T, I, U, ...codes, c.flags);
  const fwd = { y: h.read(whole.y, B * yRow), g: h.read(whole.g, T * B * gu), hs: h.read(whole.hs, T * B * U), cs: withCs ? h.read(whole.cs, T * B * csCols) : null };
  h.k.rnn_backward_f32(whole.grads[0], whole.grads[1], whole.grads[2], whole.grads[3], pdy, px, pw, pu, pm, ph0, pc0, pdX, pdH, whole.g, whole.hs, whole.cs, ws(B), B, T, I, U, ...codes, c.flags);
  const [gx, gw, gu_, gb] = whole.grads.map((p, i) => h.read(p, start[i].length));

  // The parts: forward and through-time backward over rowCuts, then the weights over colCuts.
  const part = { y: h.zeros(B * yRow), g: h.zeros(T * B * gu), hs: h.zeros(T * B * U), cs: withCs ? h.zeros(T * B * csCols) : 0, grads: start.map((a) => h.put(a)) };
  const at = (p: number, b0: number, row: number) => (p ? p + b0 * row * 4 : 0);
  for (let t = 0; t + 1 < rowCuts.length; t++) {
    const b0 = rowCuts[t], n = rowCuts[t + 1] - b0;
    h.k.rnn_forward_rows_f32(at(part.y, b0, yRow), at(part.g, b0, gu), at(part.hs, b0, U), at(part.cs, b0, csCols), at(px, b0, T * I), pw, pu, pb, at(pm, b0, T), at(ph0, b0, U), at(pc0, b0, U), at(pdX, b0, I), at(pdH, b0, U), ws(n), n, T, I, U, ...codes, c.flags, B);
  }
  expect(Array.from(h.read(part.y, B * yRow)), `${L}y`).toEqual(Array.from(fwd.y));
  expect(Array.from(h.read(part.g, T * B * gu)), `${L}gates`).toEqual(Array.from(fwd.g));
  expect(Array.from(h.read(part.hs, T * B * U)), `${L}hs`).toEqual(Array.from(fwd.hs));
  if (c.cell === CELL.lstm || ra) expect(Array.from(h.read(part.cs, T * B * csCols)), `${L}cs`).toEqual(Array.from(fwd.cs!));
  // The reference's pieces, on the same parts (from the wasm forward's inputs).
  const r = withRef;
  const rg = new Float64Array(T * B * gu), rhs = new Float64Array(T * B * U), rcs = withCs ? new Float64Array(T * B * csCols) : null, ry = new Float64Array(B * yRow);
  const sl = (a: ArrayLike<number> | null, b0: number, n: number, row: number) => (a ? Array.prototype.slice.call(a, b0 * row, (b0 + n) * row) as number[] : null);
  for (let t = 0; r && t + 1 < rowCuts.length; t++) {
    const b0 = rowCuts[t], n = rowCuts[t + 1] - b0;
    const yp = new Float64Array(n * yRow);
    ref.rnn_forward_rows_f32(yp, rg, rhs, rcs, sl(x, b0, n, T * I)!, w, u, b, sl(mask, b0, n, T), sl(h0, b0, n, U), sl(c0, b0, n, U), sl(dropX, b0, n, I), sl(dropH, b0, n, U), n, T, I, U, ...codes, c.flags, B, b0);
    ry.set(yp, b0 * yRow);
  }
  const tol = { rtol: 2e-5, atol: 2e-6, scale: Math.sqrt(I + U) + 1 };
  if (r) expectClose(fwd.y, ry, { ...tol, label: `${L}y (reference)` });
  if (r) expectClose(fwd.hs, rhs, { ...tol, label: `${L}hs (reference)` });

  const tail = B * yRow;
  const rdx = Float64Array.from(start[0]);
  for (let t = 0; t + 1 < rowCuts.length; t++) {
    const b0 = rowCuts[t], n = rowCuts[t + 1] - b0;
    const dhT = nState ? pdy + (tail + b0 * U) * 4 : 0;
    const dcT = nState === 2 ? pdy + (tail + B * U + b0 * U) * 4 : 0;
    h.k.rnn_backward_rows_f32(at(part.grads[0], b0, T * I), at(pdy, b0, yRow), dhT, dcT, at(px, b0, T * I), pw, pu, at(pm, b0, T), at(ph0, b0, U), at(pc0, b0, U), at(pdX, b0, I), at(pdH, b0, U), at(part.g, b0, gu), at(part.hs, b0, U), at(part.cs, b0, csCols), ws(n), n, T, I, U, ...codes, c.flags, B);
    if (!r) continue;
    const rdxp = new Float64Array(n * T * I);
    rdxp.set(start[0].subarray(b0 * T * I, (b0 + n) * T * I));
    ref.rnn_backward_rows_f32(rdxp, sl(dy, b0, n, yRow)!, nState ? sl(dy.subarray(tail), b0, n, U) : null, nState === 2 ? sl(dy.subarray(tail + B * U), b0, n, U) : null, sl(x, b0, n, T * I)!, w, u, sl(mask, b0, n, T), sl(h0, b0, n, U), sl(c0, b0, n, U), sl(dropX, b0, n, I), sl(dropH, b0, n, U), rg, rhs, rcs, n, T, I, U, ...codes, c.flags, B, b0);
    rdx.set(rdxp, b0 * T * I);
  }
  const cols = colCuts(gu);
  const rgrads = start.slice(1).map((a) => Float64Array.from(a));
  for (let t = 0; t + 1 < cols.length; t++) {
    h.k.rnn_backward_weights_f32(part.grads[1], part.grads[2], part.grads[3], px, ph0, pdX, pdH, part.g, part.hs, part.cs, ws(B), B, T, I, U, c.cell, c.flags, cols[t], cols[t + 1] - cols[t]);
    if (r) ref.rnn_backward_weights_f32(rgrads[0], rgrads[1], rgrads[2], x, h0, dropX, dropH, rg, rhs, rcs, B, T, I, U, c.cell, c.flags, cols[t], cols[t + 1] - cols[t]);
  }
  expect(Array.from(h.read(part.grads[0], start[0].length)), `${L}dx`).toEqual(Array.from(gx));
  expect(Array.from(h.read(part.grads[1], start[1].length)), `${L}dw`).toEqual(Array.from(gw));
  expect(Array.from(h.read(part.grads[2], start[2].length)), `${L}du`).toEqual(Array.from(gu_));
  expect(Array.from(h.read(part.grads[3], start[3].length)), `${L}db`).toEqual(Array.from(gb));
  if (!r) return;
  // The reference's pieces against the reference's whole backward (float64: the same sums).
  const want = start.map((a) => Float64Array.from(a));
  const wg = new Float64Array(T * B * gu), whs = new Float64Array(T * B * U), wcs = c.cell === CELL.lstm || ra ? new Float64Array(T * B * csCols) : null;
  ref.rnn_forward_f32(new Float64Array(B * yRow), wg, whs, wcs, x, w, u, b, mask, h0, c0, dropX, dropH, B, T, I, U, ...codes, c.flags);
  ref.rnn_backward_f32(want[0], want[1], want[2], want[3], dy, x, w, u, mask, h0, c0, dropX, dropH, wg, whs, wcs, B, T, I, U, ...codes, c.flags);
  [rdx, ...rgrads].forEach((g, i) => expectClose(g, want[i], { rtol: 1e-9, atol: 1e-9, label: `${L}reference pieces, gradient ${i}` }));
  // And the wasm pieces against the reference's.
  const btol = { rtol: 1e-4, atol: 2e-5, scale: Math.sqrt(B * T * (U + I)) + 1 };
  [rdx, ...rgrads].forEach((g, i) => expectClose(h.read(part.grads[i], start[i].length), g, { ...btol, label: `${L}gradient ${i} (reference)` }));
}

describe('recurrent kernels in parts (the thread pool\'s rnn_forward_rows_f32, rnn_backward_rows_f32, rnn_backward_weights_f32)', () => {
  for (const variant of ['baseline', 'relaxed'] as const)
    for (const cc of CELLS)
      it(`${cc.name} (${variant}): parts give the whole calls' bits and agree with the reference`, () => {
        const h = loadHarness(variant);
        let seed = 900;
        const cases: [Partial<Case>, number[]][] = [
          [{ flags: 0 }, [0, 3, 4, 7]],
          [{ flags: FLAG.returnSequences | FLAG.goBackwards, mask: true, state: true }, [0, 1, 7]],
          [{ flags: FLAG.returnSequences | FLAG.stateGrads, drop: 'both', state: true }, [0, 4, 7]],
          [{ flags: FLAG.stateGrads, mask: true, drop: 'h' }, [0, 2, 5, 7]],
        ];
        for (const [extra, cuts] of cases) {
          h.reset();
          const c: Case = { cell: cc.cell, act: cc.acts[0], recAct: ACT.sigmoid, batch: 7, steps: 5, inDim: 6, units: 9, bias: true, flags: 0, ...extra };
          checkParts(h, c, (seed += 31), cuts, (gu) => [0, 5, Math.floor(gu / 2) + 1, gu]);
        }
      });
  it('LSTM(128) and GRU(128) on row-MNIST shapes, two halves of a batch of 64: the whole calls\' bits', () => {
    const h = loadHarness();
    for (const cell of [CELL.lstm, CELL.gru, CELL.gruResetAfter]) {
      h.reset();
      checkParts(h, { cell, act: ACT.tanh, recAct: ACT.sigmoid, flags: 0, batch: 64, steps: 28, inDim: 28, units: 128, bias: true }, 950 + cell, [0, 32, 64], (gu) => [0, gu / 2, gu], false);
    }
  });
});
