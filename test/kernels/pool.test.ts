// Pooling kernels against their float64 references over a sweep of pool sizes, strides,
// paddings, channel counts (below, at and above the SIMD width) and batch sizes; literal
// examples; gradient checks; accumulate semantics and guard regions.
import { describe, expect, it } from 'vitest';
import { expectClose, f32round, loadHarness, randomArray, type Harness } from '../helpers/harness.ts';
import { Random } from '../../src/random.ts';
import { numericGrad } from '../helpers/gradcheck.ts';
import * as ref from '../reference/pool.ts';
import { GUARD, guarded } from '../helpers/guarded.ts';

interface Pool {
  batch: number; inH: number; inW: number; c: number; outH: number; outW: number;
  pH: number; pW: number; sH: number; sW: number; padTop: number; padLeft: number;
}

/** TF.js output size and leading pads for 'valid' / 'same'. */
function shape(batch: number, inH: number, inW: number, c: number, p: [number, number], s: [number, number], padding: 'valid' | 'same'): Pool {
  let outH: number, outW: number, padTop = 0, padLeft = 0;
  if (padding === 'valid') {
    outH = Math.floor((inH - p[0]) / s[0]) + 1;
    outW = Math.floor((inW - p[1]) / s[1]) + 1;
  } else {
    outH = Math.ceil(inH / s[0]);
    outW = Math.ceil(inW / s[1]);
    padTop = Math.floor(Math.max((outH - 1) * s[0] + p[0] - inH, 0) / 2);
    padLeft = Math.floor(Math.max((outW - 1) * s[1] + p[1] - inW, 0) / 2);
  }
  return { batch, inH, inW, c, outH, outW, pH: p[0], pW: p[1], sH: s[0], sW: s[1], padTop, padLeft };
}
const win = (q: Pool) => [q.pH, q.pW, q.sH, q.sW, q.padTop, q.padLeft] as const;
const dims = (q: Pool) => [q.batch, q.inH, q.inW, q.c, q.outH, q.outW] as const;
const nIn = (q: Pool) => q.batch * q.inH * q.inW * q.c;
const nOut = (q: Pool) => q.batch * q.outH * q.outW * q.c;
const label = (q: Pool) => `b${q.batch} ${q.inH}x${q.inW}x${q.c} pool${q.pH}x${q.pW} s${q.sH}x${q.sW} pad${q.padTop},${q.padLeft} out${q.outH}x${q.outW}`;

/** Distinct values (a scaled random permutation): every window has a unique max, no kinks. */
function distinct(n: number, seed: number): Float64Array {
  const r = new Random(seed);
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return f32round(p.map((v) => (v - n / 2) / 64));
}

function guardedI32(h: Harness, n: number) {
  const p = h.zeros(n + GUARD);
  h.arena.i32.fill(-7, p >>> 2, (p >>> 2) + n + GUARD);
  return {
    p,
    check(what: string) {
      for (const v of h.readI32(p + n * 4, GUARD)) expect(v, `${what}: guard after the buffer was overwritten`).toBe(-7);
    },
  };
}

function sweep(): Pool[] {
  const out: Pool[] = [];
  const pools: [number, number][] = [[2, 2], [3, 3], [2, 3], [1, 1]];
  const cs = [1, 3, 4, 5, 8, 17];
  let i = 0;
  for (const p of pools)
    for (const s of [1, 2, 3])
      for (const padding of ['valid', 'same'] as const) {
        const q = shape(1 + (i % 2), 7 + (i % 3), 8 - (i % 2), cs[i % cs.length], p, [s, s], padding);
        if (q.outH > 0 && q.outW > 0) out.push(q);
        i++;
      }
  // Non-square strides, 1-D (H = 1, as the 1-D layers use it), window larger than the stride.
  out.push(shape(2, 9, 10, 6, [3, 2], [2, 1], 'same'));
  out.push(shape(3, 1, 19, 5, [1, 3], [1, 2], 'same'));
  out.push(shape(2, 1, 12, 2, [1, 2], [1, 2], 'valid'));
  out.push(shape(2, 13, 13, 20, [3, 3], [2, 2], 'valid'));
  // The 2x2 / stride-2 fast path: whole vectors, an overlapping last vector, odd sizes (the last
  // row / column is dropped), and 'same' on even sizes; c < 4 takes the generic loop.
  for (const [hh, ww, c] of [[8, 8, 4], [9, 7, 6], [6, 10, 8], [5, 5, 16], [4, 6, 17], [6, 6, 2]]) {
    out.push(shape(2, hh, ww, c, [2, 2], [2, 2], 'valid'));
  }
  out.push(shape(2, 8, 6, 8, [2, 2], [2, 2], 'same'));
  return out;
}

/** The same suite on the baseline and the relaxed (FMA) binary. */
function kernelSuite(variant: 'baseline' | 'relaxed'): void {
describe(`pooling kernels vs reference (${variant} binary)`, () => {
  const h = loadHarness(variant);
  const cases = sweep();

  it('literal: 2x2 max pool, stride 2, on a 4x4 input; backward routes to the argmax', () => {
    h.reset();
    const x = [1, 3, 2, 1, 4, 2, 0, 1, 5, 6, 1, 2, 7, 8, 3, 9];
    const q = shape(1, 4, 4, 1, [2, 2], [2, 2], 'valid');
    const y = h.zeros(4);
    const idx = h.zeros(4);
    h.k.maxpool2d_forward_f32(y, idx, h.put(x), ...dims(q), ...win(q));
    expect(Array.from(h.read(y, 4))).toEqual([4, 2, 8, 9]);
    expect(Array.from(h.readI32(idx, 4))).toEqual([4, 2, 13, 15]);
    const dx = h.zeros(16);
    h.k.maxpool2d_backward_f32(dx, h.put([10, 20, 30, 40]), idx, ...dims(q));
    expect(Array.from(h.read(dx, 16))).toEqual([0, 0, 20, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 30, 0, 40]);
    // Average of the same windows: 2.5, 1, 6.5, 3.75.
    const ya = h.zeros(4);
    h.k.avgpool2d_forward_f32(ya, h.put(x), ...dims(q), ...win(q));
    expect(Array.from(h.read(ya, 4))).toEqual([2.5, 1, 6.5, 3.75]);
  });

  it('2x2 / stride-2 max pool: ties go to the first max in scan order; NaN as in the generic scan', () => {
    h.reset();
    const q = shape(1, 4, 4, 4, [2, 2], [2, 2], 'valid');
    // Window cells of channel ch at (h, w): equal values, a tie between two later cells, and NaNs
    // in first and in later position (a NaN first stays; a later NaN never wins).
    const x = new Float64Array(nIn(q));
    const cell = (hh: number, ww: number, ch: number) => (hh * 4 + ww) * 4 + ch;
    for (let hh = 0; hh < 4; hh++) for (let ww = 0; ww < 4; ww++) for (let ch = 0; ch < 4; ch++) x[cell(hh, ww, ch)] = ch === 0 ? 1 : ch === 1 ? (hh + ww) % 2 : -hh;
    x[cell(0, 0, 2)] = NaN;
    x[cell(3, 3, 3)] = NaN;
    const yRef = new Float64Array(nOut(q));
    const idxRef = new Int32Array(nOut(q));
    ref.maxpool2d_forward_f32(yRef, idxRef, x, ...dims(q), ...win(q));
    const y = h.zeros(nOut(q));
    const idx = h.zeros(nOut(q));
    const xp = h.put(x);
    h.k.maxpool2d_forward_f32(y, idx, xp, ...dims(q), ...win(q));
    expect(Array.from(h.readI32(idx, nOut(q)))).toEqual(Array.from(idxRef));
    expect(Array.from(h.read(y, nOut(q)))).toEqual(Array.from(yRef, (v) => Math.fround(v)));
    const y2 = h.zeros(nOut(q));
    h.k.maxpool2d_forward_f32(y2, 0, xp, ...dims(q), ...win(q));
    expect(Array.from(h.read(y2, nOut(q)))).toEqual(Array.from(yRef, (v) => Math.fround(v)));
  });

  it('max pool: ties go to the first max; padding never wins; empty windows give 0 / −1', () => {
    h.reset();
    // All-negative input with 'same' padding: a zero pad would win if it took part.
    const q = shape(1, 3, 3, 5, [2, 2], [2, 2], 'same');
    const x = new Float64Array(nIn(q)).fill(-2);
    const y = h.zeros(nOut(q));
    const idx = h.zeros(nOut(q));
    h.k.maxpool2d_forward_f32(y, idx, h.put(x), ...dims(q), ...win(q));
    expect(Array.from(h.read(y, nOut(q)))).toEqual(new Array(nOut(q)).fill(-2));
    const idxRef = new Int32Array(nOut(q));
    ref.maxpool2d_forward_f32(new Float64Array(nOut(q)), idxRef, x, ...dims(q), ...win(q));
    expect(Array.from(h.readI32(idx, nOut(q)))).toEqual(Array.from(idxRef));
    // Window row 0 of the output lies wholly in the top padding.
    const e: Pool = { batch: 1, inH: 2, inW: 2, c: 5, outH: 2, outW: 1, pH: 2, pW: 2, sH: 3, sW: 1, padTop: 3, padLeft: 0 };
    const xe = randomArray(nIn(e), 3);
    const ye = h.zeros(nOut(e));
    const ie = h.zeros(nOut(e));
    h.k.maxpool2d_forward_f32(ye, ie, h.put(xe), ...dims(e), ...win(e));
    const yr = new Float64Array(nOut(e));
    const ir = new Int32Array(nOut(e));
    ref.maxpool2d_forward_f32(yr, ir, xe, ...dims(e), ...win(e));
    expect(Array.from(h.readI32(ie, 5))).toEqual([-1, -1, -1, -1, -1]);
    expect(Array.from(h.readI32(ie, nOut(e)))).toEqual(Array.from(ir));
    expectClose(h.read(ye, nOut(e)), yr, { label: 'empty-window y' });
    const dx = h.put(new Float64Array(nIn(e)).fill(1));
    h.k.maxpool2d_backward_f32(dx, h.put(new Float64Array(nOut(e)).fill(1)), ie, ...dims(e));
    const dxr = new Float64Array(nIn(e)).fill(1);
    ref.maxpool2d_backward_f32(dxr, new Float64Array(nOut(e)).fill(1), ir, ...dims(e));
    expectClose(h.read(dx, nIn(e)), dxr, { label: 'empty-window dx' });
    const ae = h.zeros(nOut(e));
    h.k.avgpool2d_forward_f32(ae, h.put(xe), ...dims(e), ...win(e));
    const ar = new Float64Array(nOut(e));
    ref.avgpool2d_forward_f32(ar, xe, ...dims(e), ...win(e));
    expectClose(h.read(ae, nOut(e)), ar, { label: 'empty-window avg' });
  });

  it(`max and avg pool forward/backward over a sweep of ${cases.length} shapes`, () => {
    cases.forEach((q, i) => {
      h.reset();
      const L = label(q);
      const x = i % 2 ? distinct(nIn(q), i) : f32round(randomArray(nIn(q), i));
      const dy = f32round(randomArray(nOut(q), 1000 + i));
      const dx0 = f32round(randomArray(nIn(q), 2000 + i));
      const xp = h.put(x);
      const dyp = h.put(dy);

      // max forward (idx wanted, then idx = 0)
      const yRef = new Float64Array(nOut(q));
      const idxRef = new Int32Array(nOut(q));
      ref.maxpool2d_forward_f32(yRef, idxRef, x, ...dims(q), ...win(q));
      const y = guarded(h, randomArray(nOut(q), 5, 50, 60));
      const idx = guardedI32(h, nOut(q));
      h.k.maxpool2d_forward_f32(y.p, idx.p, xp, ...dims(q), ...win(q));
      expectClose(h.read(y.p, nOut(q)), yRef, { rtol: 0, atol: 1e-30, label: `max y ${L}` });
      expect(Array.from(h.readI32(idx.p, nOut(q))), `max idx ${L}`).toEqual(Array.from(idxRef));
      y.check('max y');
      idx.check('max idx');
      const y2 = guarded(h, new Float64Array(nOut(q)));
      h.k.maxpool2d_forward_f32(y2.p, 0, xp, ...dims(q), ...win(q));
      expectClose(h.read(y2.p, nOut(q)), yRef, { rtol: 0, atol: 1e-30, label: `max y (no idx) ${L}` });
      y2.check('max y (no idx)');

      // max backward, accumulating
      const dxRef = Float64Array.from(dx0);
      ref.maxpool2d_backward_f32(dxRef, dy, idxRef, ...dims(q));
      const dx = guarded(h, dx0);
      h.k.maxpool2d_backward_f32(dx.p, dyp, idx.p, ...dims(q));
      expectClose(h.read(dx.p, nIn(q)), dxRef, { rtol: 1e-6, atol: 1e-6, scale: 2, label: `max dx ${L}` });
      dx.check('max dx');

      // avg forward / backward
      const aRef = new Float64Array(nOut(q));
      ref.avgpool2d_forward_f32(aRef, x, ...dims(q), ...win(q));
      const a = guarded(h, randomArray(nOut(q), 6, 50, 60));
      h.k.avgpool2d_forward_f32(a.p, xp, ...dims(q), ...win(q));
      expectClose(h.read(a.p, nOut(q)), aRef, { rtol: 1e-6, atol: 1e-6, scale: 1, label: `avg y ${L}` });
      a.check('avg y');
      const daRef = Float64Array.from(dx0);
      ref.avgpool2d_backward_f32(daRef, dy, ...dims(q), ...win(q));
      const da = guarded(h, dx0);
      h.k.avgpool2d_backward_f32(da.p, dyp, ...dims(q), ...win(q));
      expectClose(h.read(da.p, nIn(q)), daRef, { rtol: 1e-6, atol: 1e-6, scale: 2, label: `avg dx ${L}` });
      da.check('avg dx');
    });
  });

  it('global max / avg pool forward and backward', () => {
    const shapes: [number, number, number][] = [[1, 1, 1], [2, 9, 3], [3, 16, 4], [2, 25, 5], [1, 7, 8], [4, 49, 17], [2, 1, 6]];
    shapes.forEach(([batch, spatial, c], i) => {
      h.reset();
      const L = `b${batch} spatial${spatial} c${c}`;
      const x = i % 2 ? distinct(batch * spatial * c, i) : f32round(randomArray(batch * spatial * c, i));
      const dy = f32round(randomArray(batch * c, 100 + i));
      const dx0 = f32round(randomArray(batch * spatial * c, 200 + i));
      const xp = h.put(x);
      const dyp = h.put(dy);

      const yRef = new Float64Array(batch * c);
      const idxRef = new Int32Array(batch * c);
      ref.global_maxpool_forward_f32(yRef, idxRef, x, batch, spatial, c);
      const y = guarded(h, randomArray(batch * c, 1, 50, 60));
      const idx = guardedI32(h, batch * c);
      h.k.global_maxpool_forward_f32(y.p, idx.p, xp, batch, spatial, c);
      expectClose(h.read(y.p, batch * c), yRef, { rtol: 0, atol: 1e-30, label: `gmax y ${L}` });
      expect(Array.from(h.readI32(idx.p, batch * c)), `gmax idx ${L}`).toEqual(Array.from(idxRef));
      y.check('gmax y');
      idx.check('gmax idx');
      const y2 = guarded(h, new Float64Array(batch * c));
      h.k.global_maxpool_forward_f32(y2.p, 0, xp, batch, spatial, c);
      expectClose(h.read(y2.p, batch * c), yRef, { rtol: 0, atol: 1e-30, label: `gmax y (no idx) ${L}` });

      const dxRef = Float64Array.from(dx0);
      ref.global_maxpool_backward_f32(dxRef, dy, idxRef, batch, spatial, c);
      const dx = guarded(h, dx0);
      h.k.global_maxpool_backward_f32(dx.p, dyp, idx.p, batch, spatial, c);
      expectClose(h.read(dx.p, dx0.length), dxRef, { rtol: 1e-6, atol: 1e-6, scale: 2, label: `gmax dx ${L}` });
      dx.check('gmax dx');

      const aRef = new Float64Array(batch * c);
      ref.global_avgpool_forward_f32(aRef, x, batch, spatial, c);
      const a = guarded(h, randomArray(batch * c, 2, 50, 60));
      h.k.global_avgpool_forward_f32(a.p, xp, batch, spatial, c);
      expectClose(h.read(a.p, batch * c), aRef, { rtol: 1e-6, atol: 1e-6, scale: 1, label: `gavg y ${L}` });
      a.check('gavg y');
      const daRef = Float64Array.from(dx0);
      ref.global_avgpool_backward_f32(daRef, dy, batch, spatial, c);
      const da = guarded(h, dx0);
      h.k.global_avgpool_backward_f32(da.p, dyp, batch, spatial, c);
      expectClose(h.read(da.p, dx0.length), daRef, { rtol: 1e-6, atol: 1e-6, scale: 2, label: `gavg dx ${L}` });
      da.check('gavg dx');
    });
  });
});
}
kernelSuite('baseline');
kernelSuite('relaxed');

describe('pooling gradient checks (reference backward = central differences of the reference forward)', () => {
  const cases = [
    shape(2, 5, 6, 3, [2, 2], [2, 2], 'same'),
    shape(1, 7, 7, 5, [3, 3], [2, 2], 'same'),
    shape(2, 6, 5, 4, [2, 3], [1, 2], 'valid'),
    shape(1, 1, 9, 2, [1, 3], [1, 2], 'same'),
  ];
  // numericGrad steps by h·max(1, |x|) ≤ 2e-4 here (|x| ≤ 245/128): far below the 1/64 gap
  // between distinct inputs, so no max changes.
  const numeric = (f: () => number, a: Float64Array) => numericGrad(f, a, 1e-4);
  const dot = (r: Float64Array, y: Float64Array) => r.reduce((s, v, i) => s + v * y[i], 0);

  it.each(cases.map((q) => [label(q), q] as const))('max and avg pool (%s)', (_, q) => {
    const x = distinct(nIn(q), 5);
    const r = randomArray(nOut(q), 6);
    const y = new Float64Array(nOut(q));
    const idx = new Int32Array(nOut(q));
    ref.maxpool2d_forward_f32(y, idx, x, ...dims(q), ...win(q));
    const dx = new Float64Array(nIn(q));
    ref.maxpool2d_backward_f32(dx, r, idx, ...dims(q));
    const fmax = () => {
      ref.maxpool2d_forward_f32(y, null, x, ...dims(q), ...win(q));
      return dot(r, y);
    };
    expectClose(dx, numeric(fmax, x), { rtol: 1e-6, atol: 1e-8, scale: 1, label: 'max dx' });
    const da = new Float64Array(nIn(q));
    ref.avgpool2d_backward_f32(da, r, ...dims(q), ...win(q));
    const favg = () => {
      ref.avgpool2d_forward_f32(y, x, ...dims(q), ...win(q));
      return dot(r, y);
    };
    expectClose(da, numeric(favg, x), { rtol: 1e-6, atol: 1e-8, scale: 1, label: 'avg dx' });
  });

  it('global max and avg pool', () => {
    const [batch, spatial, c] = [2, 10, 6];
    const x = distinct(batch * spatial * c, 9);
    const r = randomArray(batch * c, 10);
    const y = new Float64Array(batch * c);
    const idx = new Int32Array(batch * c);
    ref.global_maxpool_forward_f32(y, idx, x, batch, spatial, c);
    const dx = new Float64Array(x.length);
    ref.global_maxpool_backward_f32(dx, r, idx, batch, spatial, c);
    expectClose(dx, numeric(() => (ref.global_maxpool_forward_f32(y, null, x, batch, spatial, c), dot(r, y)), x), { rtol: 1e-6, atol: 1e-8, scale: 1, label: 'gmax dx' });
    const da = new Float64Array(x.length);
    ref.global_avgpool_backward_f32(da, r, batch, spatial, c);
    expectClose(da, numeric(() => (ref.global_avgpool_forward_f32(y, x, batch, spatial, c), dot(r, y)), x), { rtol: 1e-6, atol: 1e-8, scale: 1, label: 'gavg dx' });
  });

  it.each(cases.map((q) => [label(q), q] as const))('wasm backward = reference backward (%s)', (_, q) => {
    const h = loadHarness();
    const x = distinct(nIn(q), 11);
    const r = f32round(randomArray(nOut(q), 12));
    const dx0 = f32round(randomArray(nIn(q), 13));
    const y = h.zeros(nOut(q));
    const idx = h.zeros(nOut(q));
    h.k.maxpool2d_forward_f32(y, idx, h.put(x), ...dims(q), ...win(q));
    const dx = h.put(dx0);
    h.k.maxpool2d_backward_f32(dx, h.put(r), idx, ...dims(q));
    const idxRef = new Int32Array(nOut(q));
    ref.maxpool2d_forward_f32(new Float64Array(nOut(q)), idxRef, x, ...dims(q), ...win(q));
    const dxRef = Float64Array.from(dx0);
    ref.maxpool2d_backward_f32(dxRef, r, idxRef, ...dims(q));
    expectClose(h.read(dx, nIn(q)), dxRef, { rtol: 1e-6, atol: 1e-6, scale: 2, label: 'max dx' });
    const da = h.put(dx0);
    h.k.avgpool2d_backward_f32(da, h.put(r), ...dims(q), ...win(q));
    const daRef = Float64Array.from(dx0);
    ref.avgpool2d_backward_f32(daRef, r, ...dims(q), ...win(q));
    expectClose(h.read(da, nIn(q)), daRef, { rtol: 1e-6, atol: 1e-6, scale: 2, label: 'avg dx' });
  });
});
