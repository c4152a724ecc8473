// conv3d_forward_f32 / conv3d_backward_f32 and the 3-D pooling kernels (maxpool3d_forward_f32,
// whose backward is maxpool2d_backward_f32 over the flattened volume, avgpool3d_forward_f32,
// avgpool3d_backward_f32) against their float64 references over a sweep of kernel / pool
// sizes, strides, 'valid' / 'same' padding, odd sizes, channel counts below, at and above the
// SIMD width, and batch sizes; chunked depth im2col (more output planes than one chunk); the
// kD = 1 path straight onto conv2d; accumulate semantics, 0-pointer skips, guard regions after
// every output and after the workspace (sized exactly by conv3d_workspace_bytes); gradient checks.
import { describe, expect, it } from 'vitest';
import { expectClose, f32round, loadHarness, randomArray, type Harness } from '../helpers/harness.ts';
import { numericGrad } from '../helpers/gradcheck.ts';
import { Random } from '../../src/random.ts';
import * as ref from '../reference/conv3d.ts';
import { GEMM_MRS } from '../reference/workspace.ts';
import { guarded } from '../helpers/guarded.ts';

type Padding = 'valid' | 'same';
type V3 = [number, number, number];

/** Output length and leading pad along one axis, TF.js's rule (the odd pad goes after). */
function axis(size: number, k: number, s: number, padding: Padding): [number, number] {
  if (padding === 'valid') return [Math.floor((size - k) / s) + 1, 0];
  const out = Math.ceil(size / s);
  return [out, Math.floor(Math.max((out - 1) * s + k - size, 0) / 2)];
}

interface Geo {
  batch: number; inD: number; inH: number; inW: number; c: number; outC: number;
  outD: number; outH: number; outW: number; k: V3; s: V3; pad: V3;
}

function geo(batch: number, inp: V3, c: number, outC: number, k: V3, s: V3, padding: Padding): Geo {
  const a = inp.map((size, i) => axis(size, k[i], s[i], padding));
  return { batch, inD: inp[0], inH: inp[1], inW: inp[2], c, outC, outD: a[0][0], outH: a[1][0], outW: a[2][0], k, s, pad: [a[0][1], a[1][1], a[2][1]] };
}
const valid = (g: Geo) => g.outD > 0 && g.outH > 0 && g.outW > 0;
const convArgs = (g: Geo) => [g.batch, g.inD, g.inH, g.inW, g.c, g.outD, g.outH, g.outW, g.outC, ...g.k, ...g.s, ...g.pad] as const;
const poolArgs = (g: Geo) => [g.batch, g.inD, g.inH, g.inW, g.c, g.outD, g.outH, g.outW, ...g.k, ...g.s, ...g.pad] as const;
const wsArgs = (g: Geo) => [g.batch, g.inD, g.inH, g.inW, g.c, g.outD, g.outH, g.outW, g.outC, ...g.k] as const;
const nIn = (g: Geo) => g.batch * g.inD * g.inH * g.inW * g.c;
const nOut = (g: Geo, c = g.outC) => g.batch * g.outD * g.outH * g.outW * c;
const nW = (g: Geo) => g.k[0] * g.k[1] * g.k[2] * g.c * g.outC;
const label = (g: Geo) => `b${g.batch} ${g.inD}x${g.inH}x${g.inW}x${g.c}→${g.outC} k${g.k.join('x')} s${g.s.join('x')} pad${g.pad.join(',')} out${g.outD}x${g.outH}x${g.outW}`;

/** Exactly conv3d_workspace_bytes, guarded. */
const workspace = (h: Harness, g: Geo) => guarded(h, Math.ceil(h.k.conv3d_workspace_bytes(...wsArgs(g)) / 4));

function checkConv(h: Harness, g: Geo, seed: number, bias: boolean, want = { dx: true, dw: true, db: true }): void {
  const x = f32round(randomArray(nIn(g), seed));
  const w = f32round(randomArray(nW(g), seed + 1));
  const b = bias ? f32round(randomArray(g.outC, seed + 2)) : null;
  const K = g.k[0] * g.k[1] * g.k[2] * g.c;
  const L = label(g);
  // Forward: stale contents must be overwritten.
  const yRef = new Float64Array(nOut(g));
  ref.conv3d_forward_f32(yRef, x, w, b, ...convArgs(g));
  const y = guarded(h, randomArray(nOut(g), seed + 3, 50, 60));
  const ws = workspace(h, g);
  const xp = h.put(x);
  const wp = h.put(w);
  h.k.conv3d_forward_f32(y.p, xp, wp, b ? h.put(b) : 0, ws.p, ...convArgs(g));
  expectClose(h.read(y.p, nOut(g)), yRef, { rtol: 1e-5, atol: 1e-6, scale: Math.sqrt(K) + 1, label: `forward ${L}` });
  y.check(`y ${L}`);
  ws.check(`ws forward ${L}`);
  // Backward, accumulating onto random starting values.
  const dy = f32round(randomArray(nOut(g), seed + 4));
  const dx0 = f32round(randomArray(nIn(g), seed + 5));
  const dw0 = f32round(randomArray(nW(g), seed + 6));
  const db0 = f32round(randomArray(g.outC, seed + 7));
  const dxRef = Float64Array.from(dx0);
  const dwRef = Float64Array.from(dw0);
  const dbRef = Float64Array.from(db0);
  ref.conv3d_backward_f32(want.dx ? dxRef : null, want.dw ? dwRef : null, want.db ? dbRef : null, dy, x, w, ...convArgs(g));
  const dx = guarded(h, dx0);
  const dw = guarded(h, dw0);
  const db = guarded(h, db0);
  h.k.conv3d_backward_f32(want.dx ? dx.p : 0, want.dw ? dw.p : 0, want.db ? db.p : 0, h.put(dy), xp, wp, ws.p, ...convArgs(g));
  const rows = g.batch * g.outD * g.outH * g.outW;
  // Skipped outputs stay bit-identical to their starting values.
  expectClose(h.read(dx.p, nIn(g)), want.dx ? dxRef : dx0, { rtol: 1e-5, atol: 1e-6, scale: Math.sqrt(g.k[0] * g.k[1] * g.k[2] * g.outC) + 1, label: `dx ${L}` });
  expectClose(h.read(dw.p, nW(g)), want.dw ? dwRef : dw0, { rtol: 1e-5, atol: 1e-6, scale: Math.sqrt(rows) + 1, label: `dw ${L}` });
  expectClose(h.read(db.p, g.outC), want.db ? dbRef : db0, { rtol: 1e-5, atol: 1e-6, scale: Math.sqrt(rows) + 1, label: `db ${L}` });
  dx.check(`dx ${L}`);
  dw.check(`dw ${L}`);
  db.check(`db ${L}`);
  ws.check(`ws backward ${L}`);
}

function convSweep(): Geo[] {
  const out: Geo[] = [];
  const kernels: V3[] = [[1, 1, 1], [3, 3, 3], [2, 3, 1], [3, 1, 2], [2, 2, 2]];
  const cs = [1, 3, 4, 5, 8, 17];
  const outCs = [4, 1, 5, 17, 3, 8, 16];
  let i = 0;
  for (const k of kernels)
    for (const s of [[1, 1, 1], [2, 2, 2], [1, 2, 3]] as V3[])
      for (const padding of ['valid', 'same'] as const) {
        const g = geo(1 + (i % 3), [3 + (i % 3), 4 + (i % 4), 5 - (i % 2)], cs[i % cs.length], outCs[i % outCs.length], k, s, padding);
        if (valid(g)) out.push(g);
        i++;
      }
  // More output voxels than one conv2d im2col chunk (several GEMM calls, a short last chunk).
  out.push(geo(2, [6, 9, 11], 4, 8, [3, 3, 3], [1, 1, 1], 'same'));
  out.push(geo(3, [8, 8, 8], 8, 16, [3, 3, 3], [2, 2, 2], 'same'));
  // More output planes than one depth-im2col chunk (a short last chunk): one input channel (the
  // strided scalar copy) with 16 filters (conv2d's direct paths), and three with a depth stride.
  out.push(geo(2, [6, 48, 48], 1, 16, [3, 3, 3], [1, 1, 1], 'same'));
  out.push(geo(3, [9, 40, 40], 3, 8, [3, 3, 3], [2, 1, 1], 'same'));
  // The 1x1x1 pointwise path over several chunks; kD = 1 planes straight into conv2d.
  out.push(geo(3, [7, 9, 10], 5, 6, [1, 1, 1], [1, 1, 1], 'valid'));
  out.push(geo(2, [5, 6, 7], 4, 8, [1, 3, 3], [1, 1, 1], 'same'));
  // A kernel as large as the input (one output voxel per sample), and wider than 'same' pads.
  out.push(geo(2, [3, 4, 5], 3, 7, [3, 4, 5], [1, 1, 1], 'valid'));
  out.push(geo(1, [2, 2, 3], 2, 3, [5, 5, 5], [1, 1, 1], 'same'));
  return out;
}

/** Distinct values (a scaled random permutation): every window has a unique max, no ties. */
function distinct(n: number, seed: number): Float64Array {
  const r = new Random(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return f32round(p.map((v) => (v - n / 2) / 64));
}

function poolSweep(): Geo[] {
  const out: Geo[] = [];
  const pools: V3[] = [[2, 2, 2], [3, 3, 3], [1, 2, 3], [1, 1, 1]];
  const cs = [1, 3, 4, 5, 8, 17];
  let i = 0;
  for (const p of pools)
    for (const s of [[1, 1, 1], [2, 2, 2], [3, 2, 1]] as V3[])
      for (const padding of ['valid', 'same'] as const) {
        const g = geo(1 + (i % 2), [4 + (i % 3), 5, 7 - (i % 2)], cs[i % cs.length], 0, p, s, padding);
        if (valid(g)) out.push(g);
        i++;
      }
  return out;
}

function checkPool(h: Harness, g: Geo, seed: number): void {
  const L = label(g);
  const x = distinct(nIn(g), seed);
  const n = nOut(g, g.c);
  // Max: values and the argmax indices; inference (idx = 0) gives the same values.
  const yRef = new Float64Array(n);
  const iRef = new Int32Array(n);
  ref.maxpool3d_forward_f32(yRef, iRef, x, ...poolArgs(g));
  const y = guarded(h, randomArray(n, seed + 1, 50, 60));
  const idx = guarded(h, n);
  const xp = h.put(x);
  h.k.maxpool3d_forward_f32(y.p, idx.p, xp, ...poolArgs(g));
  expect(Array.from(h.read(y.p, n)), `max ${L}`).toEqual(Array.from(yRef, (v) => Math.fround(v)));
  expect(Array.from(h.readI32(idx.p, n)), `argmax ${L}`).toEqual(Array.from(iRef));
  y.check(`max y ${L}`);
  idx.check(`max idx ${L}`);
  const y2 = guarded(h, n);
  h.k.maxpool3d_forward_f32(y2.p, 0, xp, ...poolArgs(g));
  expect(Array.from(h.read(y2.p, n)), `max (no idx) ${L}`).toEqual(Array.from(h.read(y.p, n)));
  // Max backward: maxpool2d_backward_f32 over the flattened volume, accumulating.
  const dy = f32round(randomArray(n, seed + 2));
  const dx0 = f32round(randomArray(nIn(g), seed + 3));
  const dxRef = Float64Array.from(dx0);
  const inSample = g.inD * g.inH * g.inW * g.c;
  const outSample = g.outD * g.outH * g.outW * g.c;
  for (let o = 0; o < n; o++) dxRef[Math.floor(o / outSample) * inSample + iRef[o]] += dy[o];
  const dx = guarded(h, dx0);
  h.k.maxpool2d_backward_f32(dx.p, h.put(dy), idx.p, g.batch, g.inD * g.inH, g.inW, g.c, g.outD * g.outH, g.outW);
  expectClose(h.read(dx.p, nIn(g)), dxRef, { rtol: 1e-6, atol: 1e-6, label: `max backward ${L}` });
  dx.check(`max dx ${L}`);
  // Average, forward and backward.
  const aRef = new Float64Array(n);
  ref.avgpool3d_forward_f32(aRef, x, ...poolArgs(g));
  const a = guarded(h, randomArray(n, seed + 4, 50, 60));
  h.k.avgpool3d_forward_f32(a.p, xp, ...poolArgs(g));
  expectClose(h.read(a.p, n), aRef, { rtol: 1e-5, atol: 1e-6, scale: 1, label: `avg ${L}` });
  a.check(`avg y ${L}`);
  const adRef = Float64Array.from(dx0);
  ref.avgpool3d_backward_f32(adRef, dy, ...poolArgs(g));
  const ad = guarded(h, dx0);
  h.k.avgpool3d_backward_f32(ad.p, h.put(dy), ...poolArgs(g));
  expectClose(h.read(ad.p, nIn(g)), adRef, { rtol: 1e-5, atol: 1e-6, scale: 1, label: `avg backward ${L}` });
  ad.check(`avg dx ${L}`);
}

/** The same suite on the baseline and the relaxed (FMA) binary. */
function kernelSuite(variant: 'baseline' | 'relaxed'): void {
  describe(`conv3d and 3-D pooling kernels vs reference (${variant} binary)`, () => {
    const h = loadHarness(variant);

    it('literal: 2x2x2 input ⊗ 2x2x2 ones, valid → the sum; same pads after (TF.js rule)', () => {
      h.reset();
      const g = geo(1, [2, 2, 2], 1, 1, [2, 2, 2], [1, 1, 1], 'valid');
      const x = [1, 2, 3, 4, 5, 6, 7, 8];
      const y = h.zeros(1);
      h.k.conv3d_forward_f32(y, h.put(x), h.put(new Array(8).fill(1)), h.put([0.5]), workspace(h, g).p, ...convArgs(g));
      expect(h.read(y, 1)[0]).toBe(36.5);
      // 'same' with an even kernel: the pad goes after, so output voxel (0,0,0) sees the whole input.
      const s = geo(1, [2, 2, 2], 1, 1, [2, 2, 2], [1, 1, 1], 'same');
      expect(s.pad).toEqual([0, 0, 0]);
      const ys = h.zeros(8);
      h.k.conv3d_forward_f32(ys, h.put(x), h.put(new Array(8).fill(1)), 0, workspace(h, s).p, ...convArgs(s));
      expect(Array.from(h.read(ys, 8))).toEqual([36, 20, 22, 12, 26, 14, 15, 8]);
    });

    const convs = convSweep();
    it(`conv3d forward and backward over ${convs.length} shapes`, () => {
      convs.forEach((g, i) => {
        h.reset();
        checkConv(h, g, 100 + 10 * i, i % 3 !== 1);
      });
    });

    it('conv3d backward skips each 0 output and leaves it untouched', () => {
      const g = geo(2, [4, 5, 3], 3, 5, [3, 2, 3], [1, 2, 1], 'same');
      for (const want of [{ dx: false, dw: true, db: true }, { dx: true, dw: false, db: false }, { dx: false, dw: false, db: true }]) {
        h.reset();
        checkConv(h, g, 900, true, want);
      }
    });

    it('conv3d_workspace_bytes matches the reference rule for this binary', () => {
      const mrs = variant === 'relaxed' ? GEMM_MRS.relaxed : GEMM_MRS.baseline;
      for (const g of [...convs, geo(64, [16, 16, 16], 8, 16, [3, 3, 3], [1, 1, 1], 'same'), geo(1, [1, 1, 1], 300, 3, [1, 1, 1], [1, 1, 1], 'valid')]) {
        expect(h.k.conv3d_workspace_bytes(...wsArgs(g)), label(g)).toBe(ref.conv3d_workspace_bytes(...wsArgs(g), mrs));
      }
      expect(h.k.conv3d_workspace_bytes(0, 4, 4, 4, 3, 4, 4, 4, 8, 3, 3, 3)).toBe(0);
    });

    const pools = poolSweep();
    it(`maxpool3d / avgpool3d forward and backward over ${pools.length} shapes`, () => {
      pools.forEach((g, i) => {
        h.reset();
        checkPool(h, g, 300 + 10 * i);
      });
    });
  });
}
kernelSuite('baseline');
kernelSuite('relaxed');

describe('conv3d and avgpool3d gradient checks (reference backward = central differences of the reference forward)', () => {
  const numeric = (f: () => number, a: Float64Array) => numericGrad(f, a, 1e-5);
  const dot = (y: Float64Array, r: Float64Array) => y.reduce((s, v, i) => s + v * r[i], 0);
  const cases = [geo(2, [3, 4, 3], 2, 3, [2, 3, 2], [1, 1, 1], 'same'), geo(1, [5, 4, 5], 3, 2, [3, 2, 3], [2, 1, 2], 'same'), geo(1, [4, 3, 5], 2, 2, [2, 2, 3], [1, 2, 1], 'valid')];

  it.each(cases.map((g) => [label(g), g] as const))('conv3d (%s)', (_, g) => {
    const x = randomArray(nIn(g), 1);
    const w = randomArray(nW(g), 2);
    const b = randomArray(g.outC, 3);
    const r = randomArray(nOut(g), 4);
    const dx = new Float64Array(nIn(g));
    const dw = new Float64Array(nW(g));
    const db = new Float64Array(g.outC);
    ref.conv3d_backward_f32(dx, dw, db, r, x, w, ...convArgs(g));
    const f = () => {
      const y = new Float64Array(nOut(g));
      ref.conv3d_forward_f32(y, x, w, b, ...convArgs(g));
      return dot(y, r);
    };
    expectClose(dx, numeric(f, x), { rtol: 1e-6, atol: 1e-8, scale: 1, label: 'dx' });
    expectClose(dw, numeric(f, w), { rtol: 1e-6, atol: 1e-8, scale: 1, label: 'dw' });
    expectClose(db, numeric(f, b), { rtol: 1e-6, atol: 1e-8, scale: 1, label: 'db' });
  });

  // Non-cubic pools (poolH ≠ poolW) too: TF.js 4.x's cpu MaxPool3DGrad gets those wrong.
  it.each(cases.map((g) => [label({ ...g, outC: g.c }), { ...g, outC: g.c }] as const))('maxpool3d: argmax scatter (%s)', (_, g) => {
    const x = distinct(nIn(g), 7);
    const r = randomArray(nOut(g), 8);
    const idx = new Int32Array(nOut(g));
    ref.maxpool3d_forward_f32(new Float64Array(nOut(g)), idx, x, ...poolArgs(g));
    const dx = new Float64Array(nIn(g));
    const inSample = g.inD * g.inH * g.inW * g.c;
    const outSample = g.outD * g.outH * g.outW * g.c;
    idx.forEach((j, o) => (dx[Math.floor(o / outSample) * inSample + j] += r[o]));
    const f = () => {
      const y = new Float64Array(nOut(g));
      ref.maxpool3d_forward_f32(y, null, x, ...poolArgs(g));
      return dot(y, r);
    };
    // Distinct values 1/64 apart: a 1e-5 step never changes a window's argmax.
    expectClose(dx, numeric(f, x), { rtol: 1e-6, atol: 1e-8, scale: 1, label: 'dx' });
  });

  it.each(cases.map((g) => [label({ ...g, outC: g.c }), { ...g, outC: g.c }] as const))('avgpool3d (%s)', (_, g) => {
    const x = randomArray(nIn(g), 5);
    const r = randomArray(nOut(g), 6);
    const dx = new Float64Array(nIn(g));
    ref.avgpool3d_backward_f32(dx, r, ...poolArgs(g));
    const f = () => {
      const y = new Float64Array(nOut(g));
      ref.avgpool3d_forward_f32(y, x, ...poolArgs(g));
      return dot(y, r);
    };
    expectClose(dx, numeric(f, x), { rtol: 1e-6, atol: 1e-8, scale: 1, label: 'dx' });
  });
});
