// dense_forward_f32 / dense_backward_f32 against the float64 references in test/reference/dense.ts.
import { describe, it } from 'vitest';
import { expectClose, f32round, loadHarness, randomArray, type Harness } from '../helpers/harness.ts';
import * as ref from '../reference/dense.ts';

const GUARD = 16;
const SENTINEL = 1234.5;
/** (batch, inDim, outDim): below, at and above the SIMD width and the GEMM tile, and past its blocks. */
const SHAPES: [number, number, number][] = [];
for (const batch of [1, 3, 4, 5, 8, 9, 17])
  for (const inDim of [1, 4, 7, 16, 33])
    for (const outDim of [1, 3, 4, 5, 8, 9, 15, 16, 17, 31, 33, 65]) SHAPES.push([batch, inDim, outDim]);
SHAPES.push([64, 65, 31], [31, 64, 65], [127, 129, 130], [33, 300, 10], [300, 20, 530]);

/** A buffer of `data` followed by GUARD sentinel floats. */
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
function putWorkspace(h: Harness, batch: number, inDim: number, outDim: number): number {
  return putGuarded(h, new Float64Array(h.k.dense_workspace_bytes(batch, inDim, outDim) / 4));
}

function checkForward(h: Harness, batch: number, inDim: number, outDim: number, bias: boolean, seed: number): void {
  h.reset();
  const x = f32round(randomArray(batch * inDim, seed));
  const w = f32round(randomArray(inDim * outDim, seed + 1));
  const b = bias ? f32round(randomArray(outDim, seed + 2)) : null;
  // y starts as garbage: the forward pass must overwrite it.
  const py = putGuarded(h, randomArray(batch * outDim, seed + 3, 50, 100));
  const pws = putWorkspace(h, batch, inDim, outDim);
  const wsLen = h.k.dense_workspace_bytes(batch, inDim, outDim) / 4;
  h.k.dense_forward_f32(py, h.put(x), h.put(w), b ? h.put(b) : 0, pws, batch, inDim, outDim);
  const want = new Float64Array(batch * outDim);
  ref.dense_forward_f32(want, x, w, b, batch, inDim, outDim);
  const label = `dense_forward_f32 batch=${batch} in=${inDim} out=${outDim} bias=${bias}`;
  expectClose(h.read(py, batch * outDim), want, { rtol: 2e-6, atol: 1e-6, scale: Math.sqrt(inDim) + 1, label });
  expectUntouched(h, py, batch * outDim, `${label} y`);
  expectUntouched(h, pws, wsLen, `${label} ws`);
}

type Skip = 'none' | 'dx' | 'dw' | 'db';
function checkBackward(h: Harness, batch: number, inDim: number, outDim: number, skip: Skip, seed: number): void {
  h.reset();
  const x = f32round(randomArray(batch * inDim, seed));
  const w = f32round(randomArray(inDim * outDim, seed + 1));
  const dy = f32round(randomArray(batch * outDim, seed + 2));
  // Gradients start non-zero: the backward pass accumulates.
  const dx = skip === 'dx' ? null : f32round(randomArray(batch * inDim, seed + 3));
  const dw = skip === 'dw' ? null : f32round(randomArray(inDim * outDim, seed + 4));
  const db = skip === 'db' ? null : f32round(randomArray(outDim, seed + 5));
  const pdx = dx ? putGuarded(h, dx) : 0;
  const pdw = dw ? putGuarded(h, dw) : 0;
  const pdb = db ? putGuarded(h, db) : 0;
  const pws = putWorkspace(h, batch, inDim, outDim);
  const wsLen = h.k.dense_workspace_bytes(batch, inDim, outDim) / 4;
  h.k.dense_backward_f32(pdx, pdw, pdb, h.put(dy), h.put(x), h.put(w), pws, batch, inDim, outDim);
  const wdx = dx && Float64Array.from(dx);
  const wdw = dw && Float64Array.from(dw);
  const wdb = db && Float64Array.from(db);
  ref.dense_backward_f32(wdx, wdw, wdb, dy, x, w, batch, inDim, outDim);
  const label = `dense_backward_f32 batch=${batch} in=${inDim} out=${outDim} skip=${skip}`;
  if (wdx) {
    expectClose(h.read(pdx, batch * inDim), wdx, { rtol: 2e-6, atol: 1e-6, scale: Math.sqrt(outDim) + 1, label: `${label} dx` });
    expectUntouched(h, pdx, batch * inDim, `${label} dx`);
  }
  if (wdw) {
    expectClose(h.read(pdw, inDim * outDim), wdw, { rtol: 2e-6, atol: 1e-6, scale: Math.sqrt(batch) + 1, label: `${label} dw` });
    expectUntouched(h, pdw, inDim * outDim, `${label} dw`);
  }
  if (wdb) {
    expectClose(h.read(pdb, outDim), wdb, { rtol: 2e-6, atol: 1e-6, scale: Math.sqrt(batch) + 1, label: `${label} db` });
    expectUntouched(h, pdb, outDim, `${label} db`);
  }
  expectUntouched(h, pws, wsLen, `${label} ws`);
}

function suite(load: () => Harness) {
  it('dense_forward_f32 with and without bias', () => {
    const h = load();
    let seed = 1;
    for (const [batch, inDim, outDim] of SHAPES)
      for (const bias of [true, false]) checkForward(h, batch, inDim, outDim, bias, (seed += 5));
  });
  it('dense_backward_f32 with every gradient, and with each of dx, dw, db skipped', () => {
    const h = load();
    let seed = 7;
    for (const [batch, inDim, outDim] of SHAPES)
      for (const skip of ['none', 'dx', 'dw', 'db'] as const) checkBackward(h, batch, inDim, outDim, skip, (seed += 7));
  });
  it('dense_backward_f32 with only db (dx = dw = 0) touches nothing else', () => {
    const h = load();
    h.reset();
    const [batch, inDim, outDim] = [5, 3, 7];
    const dy = f32round(randomArray(batch * outDim, 3));
    const db = f32round(randomArray(outDim, 4));
    const pdb = putGuarded(h, db);
    const pws = putWorkspace(h, batch, inDim, outDim);
    h.k.dense_backward_f32(0, 0, pdb, h.put(dy), h.put(randomArray(batch * inDim, 5)), h.put(randomArray(inDim * outDim, 6)), pws, batch, inDim, outDim);
    const want = Float64Array.from(db);
    ref.dense_backward_f32(null, null, want, dy, new Float64Array(0), new Float64Array(0), batch, inDim, outDim);
    expectClose(h.read(pdb, outDim), want, { rtol: 2e-6, atol: 1e-6, scale: 3, label: 'db only' });
    expectUntouched(h, pdb, outDim, 'db only');
  });
}

describe('dense (baseline binary)', () => suite(() => loadHarness()));

describe('dense (relaxed binary)', () => suite(() => loadHarness('relaxed')));
