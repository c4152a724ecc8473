// Normalization kernels (assembly/norm.ts) against test/reference/norm.ts, on the default and
// relaxed binaries: batch statistics, the moving average, BN forward and backward, LayerNorm
// forward and backward; guard regions after every output, accumulate semantics, 0-pointer skips.
// The references' backward passes are checked against central differences of their forward.
import { describe, expect, it } from 'vitest';
import { expectClose, f32round, randomArray } from '../helpers/harness.ts';
import { describeVariants, expectGuard, expectSame, putGuarded } from '../helpers/guarded.ts';
import type { Harness } from '../helpers/harness.ts';
import * as ref from '../reference/norm.ts';

/** [rows, c] shapes below, at and above the SIMD width, and a BLOCK (16 rows) boundary. */
const SHAPES: [number, number][] = [
  [1, 1], [2, 3], [5, 4], [7, 5], [16, 8], [17, 7], [33, 16], [3, 17], [40, 33], [100, 10], [1000, 3],
];
const EPS = Math.fround(1e-3);

/** Values with a per-channel offset (so a one-pass variance without a shift would cancel). */
function input(rows: number, c: number, seed: number, offset = 3): Float64Array {
  const x = randomArray(rows * c, seed, -2, 2);
  for (let i = 0; i < x.length; i++) x[i] += offset * (1 + (i % c));
  return f32round(x);
}

function ws(h: Harness, c: number): number {
  return h.zeros(h.k.norm_workspace_bytes(c) / 4 + 4);
}

describeVariants('normalization kernels', (get) => {
  it('norm_workspace_bytes is 28 bytes per channel rounded to 4 channels', (ctx) => {
    const h = get(ctx);
    for (const c of [0, 1, 3, 4, 5, 16, 17, 1000]) expect(h.k.norm_workspace_bytes(c)).toBe(ref.norm_workspace_bytes(c));
  });

  it('batchnorm_stats_f32: mean and biased variance per channel', (ctx) => {
    const h = get(ctx);
    for (const [rows, c] of SHAPES) {
      const x = input(rows, c, rows * 7 + c);
      const pm = putGuarded(h, new Float64Array(c).fill(9));
      const pv = putGuarded(h, new Float64Array(c).fill(9));
      h.k.batchnorm_stats_f32(pm, pv, putGuarded(h, x), ws(h, c), rows, c);
      const m = new Float64Array(c);
      const v = new Float64Array(c);
      ref.batchnorm_stats_f32(m, v, x, rows, c);
      const label = `stats ${rows}x${c}`;
      expectClose(h.read(pm, c), m, { rtol: 2e-7, atol: 1e-7, label });
      // The variance to a few ulp of itself (no cancellation against the offset).
      expectClose(h.read(pv, c), v, { rtol: 1e-6, atol: 1e-9, label });
      expectGuard(h, pm, c, label);
      expectGuard(h, pv, c, label);
    }
    // rows = 0: zeros.
    const pm = putGuarded(h, [5, 5]);
    const pv = putGuarded(h, [5, 5]);
    h.k.batchnorm_stats_f32(pm, pv, putGuarded(h, []), ws(h, 2), 0, 2);
    expect(Array.from(h.read(pm, 2))).toEqual([0, 0]);
    expect(Array.from(h.read(pv, 2))).toEqual([0, 0]);
  });

  it('batchnorm_stats_f32 stays accurate over 25 088 rows (a batch of 28x28 images)', (ctx) => {
    const h = get(ctx);
    const rows = 32 * 28 * 28;
    const c = 6;
    const x = input(rows, c, 3, 50);
    const pm = h.zeros(c);
    const pv = h.zeros(c);
    h.k.batchnorm_stats_f32(pm, pv, h.put(x), ws(h, c), rows, c);
    const m = new Float64Array(c);
    const v = new Float64Array(c);
    ref.batchnorm_stats_f32(m, v, x, rows, c);
    expectClose(h.read(pm, c), m, { rtol: 2e-7, atol: 0, label: 'mean' });
    expectClose(h.read(pv, c), v, { rtol: 2e-6, atol: 0, label: 'variance' });
  });

  it('batchnorm_moving_f32 moves the moving statistics toward the batch ones', (ctx) => {
    const h = get(ctx);
    for (const c of [1, 3, 4, 5, 9, 16, 17]) {
      const mm = f32round(randomArray(c, c, -1, 1));
      const mv = f32round(randomArray(c, c + 1, 0.5, 2));
      const bm = f32round(randomArray(c, c + 2, -1, 1));
      const bv = f32round(randomArray(c, c + 3, 0, 3));
      const decay = Math.fround(1 - 0.99);
      const pmm = putGuarded(h, mm);
      const pmv = putGuarded(h, mv);
      h.k.batchnorm_moving_f32(pmm, pmv, putGuarded(h, bm), putGuarded(h, bv), c, decay);
      const wm = Float64Array.from(mm);
      const wv = Float64Array.from(mv);
      ref.batchnorm_moving_f32(wm, wv, bm, bv, c, decay);
      expectClose(h.read(pmm, c), wm, { rtol: 1e-6, atol: 1e-7, label: `moving mean c=${c}` });
      expectClose(h.read(pmv, c), wv, { rtol: 1e-6, atol: 1e-7, label: `moving var c=${c}` });
      expectGuard(h, pmm, c, 'moving mean');
      expectGuard(h, pmv, c, 'moving var');
    }
  });

  it('batchnorm_forward_f32 normalizes with given statistics (gamma, beta optional; in place)', (ctx) => {
    const h = get(ctx);
    for (const [rows, c] of SHAPES) {
      for (const affine of [true, false]) {
        const x = input(rows, c, rows + c);
        const mean = f32round(randomArray(c, c + 5, 2, 5));
        const variance = f32round(randomArray(c, c + 6, 0.01, 4));
        const gamma = affine ? f32round(randomArray(c, c + 7, -2, 2)) : null;
        const beta = affine ? f32round(randomArray(c, c + 8, -1, 1)) : null;
        const py = putGuarded(h, new Float64Array(rows * c).fill(3));
        const pis = putGuarded(h, new Float64Array(c));
        const px = putGuarded(h, x);
        h.k.batchnorm_forward_f32(py, pis, px, h.put(mean), h.put(variance), gamma ? h.put(gamma) : 0, beta ? h.put(beta) : 0, ws(h, c), rows, c, EPS);
        const y = new Float64Array(rows * c);
        const is = new Float64Array(c);
        ref.batchnorm_forward_f32(y, is, x, mean, variance, gamma, beta, rows, c, EPS);
        const label = `bn forward ${rows}x${c} affine=${affine}`;
        // Scale: the terms (x − mean)·γ·invstd before they cancel against each other.
        expectClose(h.read(py, rows * c), y, { rtol: 2e-6, atol: 1e-6, label });
        expectClose(h.read(pis, c), is, { rtol: 2e-7, atol: 0, label });
        expectGuard(h, py, rows * c, label);
        expectGuard(h, pis, c, label);
        // In place (y == x), and without saving invstd.
        h.k.batchnorm_forward_f32(px, 0, px, h.put(mean), h.put(variance), gamma ? h.put(gamma) : 0, beta ? h.put(beta) : 0, ws(h, c), rows, c, EPS);
        expectSame(h.read(px, rows * c), h.read(py, rows * c), `${label} in place`);
      }
    }
  });

  it('batchnorm_backward_f32 accumulates dx, dgamma, dbeta (each skippable)', (ctx) => {
    const h = get(ctx);
    for (const [rows, c] of SHAPES) {
      const x = input(rows, c, rows * 3 + c);
      const mean = new Float64Array(c);
      const variance = new Float64Array(c);
      ref.batchnorm_stats_f32(mean, variance, x, rows, c);
      const m32 = f32round(mean);
      const is32 = f32round(Array.from(variance, (v) => 1 / Math.sqrt(Math.fround(v) + EPS)));
      const gamma = f32round(randomArray(c, c + 1, -2, 2));
      const dy = f32round(randomArray(rows * c, rows + 2 * c, -1, 1));
      const dx0 = f32round(randomArray(rows * c, 11, -1, 1));
      const dg0 = f32round(randomArray(c, 12, -1, 1));
      const db0 = f32round(randomArray(c, 13, -1, 1));
      for (const [withDx, withParams, withGamma] of [[true, true, true], [true, false, false], [false, true, true]]) {
        const pdx = withDx ? putGuarded(h, dx0) : 0;
        const pdg = withParams ? putGuarded(h, dg0) : 0;
        const pdb = withParams ? putGuarded(h, db0) : 0;
        const g = withGamma ? gamma : null;
        h.k.batchnorm_backward_f32(pdx, pdg, pdb, h.put(dy), h.put(x), h.put(m32), h.put(is32), g ? h.put(g) : 0, ws(h, c), rows, c);
        const dx = Float64Array.from(dx0);
        const dg = Float64Array.from(dg0);
        const db = Float64Array.from(db0);
        ref.batchnorm_backward_f32(dx, dg, db, dy, x, m32, is32, g, rows, c);
        const label = `bn backward ${rows}x${c} dx=${withDx} params=${withParams} gamma=${withGamma}`;
        // dx = γ·invstd·(dy − mean(dy) − x̂·mean(dy·x̂)): terms of size |γ|·invstd·|dy|.
        if (pdx) {
          expectClose(h.read(pdx, rows * c), dx, { rtol: 1e-5, atol: 1e-6, scale: 4, label: `${label} dx` });
          expectGuard(h, pdx, rows * c, label);
        }
        if (pdg) {
          expectClose(h.read(pdg, c), dg, { rtol: 1e-5, atol: 1e-6, scale: Math.sqrt(rows), label: `${label} dgamma` });
          expectClose(h.read(pdb, c), db, { rtol: 1e-5, atol: 1e-6, scale: Math.sqrt(rows), label: `${label} dbeta` });
          expectGuard(h, pdg, c, label);
          expectGuard(h, pdb, c, label);
        }
      }
    }
  });

  it('layernorm_forward_f32 normalizes each row (gamma, beta, mean, invstd optional)', (ctx) => {
    const h = get(ctx);
    for (const [rows, c] of SHAPES) {
      for (const affine of [true, false]) {
        const x = input(rows, c, rows * 5 + c, 0.5);
        const gamma = affine ? f32round(randomArray(c, c + 7, -2, 2)) : null;
        const beta = affine ? f32round(randomArray(c, c + 8, -1, 1)) : null;
        const py = putGuarded(h, new Float64Array(rows * c).fill(3));
        const pm = putGuarded(h, new Float64Array(rows));
        const pis = putGuarded(h, new Float64Array(rows));
        h.k.layernorm_forward_f32(py, affine ? pm : 0, affine ? pis : 0, putGuarded(h, x), gamma ? h.put(gamma) : 0, beta ? h.put(beta) : 0, rows, c, EPS);
        const y = new Float64Array(rows * c);
        const m = new Float64Array(rows);
        const is = new Float64Array(rows);
        ref.layernorm_forward_f32(y, m, is, x, gamma, beta, rows, c, EPS);
        const label = `ln forward ${rows}x${c} affine=${affine}`;
        expectClose(h.read(py, rows * c), y, { rtol: 2e-6, atol: 2e-6, label });
        expectGuard(h, py, rows * c, label);
        if (affine) {
          expectClose(h.read(pm, rows), m, { rtol: 2e-7, atol: 1e-7, label });
          expectClose(h.read(pis, rows), is, { rtol: 1e-6, atol: 0, label });
          expectGuard(h, pm, rows, label);
          expectGuard(h, pis, rows, label);
        } else {
          expect(Array.from(h.read(pm, rows)).every((v) => v === 0), `${label}: mean written through a 0 pointer?`).toBe(true);
        }
      }
    }
  });

  it('layernorm_backward_f32 accumulates dx, dgamma, dbeta (each skippable)', (ctx) => {
    const h = get(ctx);
    for (const [rows, c] of SHAPES) {
      const x = input(rows, c, rows * 9 + c, 0.5);
      const m = new Float64Array(rows);
      const is = new Float64Array(rows);
      ref.layernorm_forward_f32(new Float64Array(rows * c), m, is, x, null, null, rows, c, EPS);
      const m32 = f32round(m);
      const is32 = f32round(is);
      const gamma = f32round(randomArray(c, c + 1, -2, 2));
      const dy = f32round(randomArray(rows * c, rows + 2 * c, -1, 1));
      const dx0 = f32round(randomArray(rows * c, 11, -1, 1));
      const dg0 = f32round(randomArray(c, 12, -1, 1));
      const db0 = f32round(randomArray(c, 13, -1, 1));
      for (const [withDx, withParams, withGamma] of [[true, true, true], [true, false, false], [false, true, true]]) {
        const pdx = withDx ? putGuarded(h, dx0) : 0;
        const pdg = withParams ? putGuarded(h, dg0) : 0;
        const pdb = withParams ? putGuarded(h, db0) : 0;
        const g = withGamma ? gamma : null;
        h.k.layernorm_backward_f32(pdx, pdg, pdb, h.put(dy), h.put(x), h.put(m32), h.put(is32), g ? h.put(g) : 0, ws(h, c), rows, c);
        const dx = Float64Array.from(dx0);
        const dg = Float64Array.from(dg0);
        const db = Float64Array.from(db0);
        ref.layernorm_backward_f32(dx, dg, db, dy, x, m32, is32, g, rows, c);
        const label = `ln backward ${rows}x${c} dx=${withDx} params=${withParams} gamma=${withGamma}`;
        if (pdx) {
          expectClose(h.read(pdx, rows * c), dx, { rtol: 1e-5, atol: 1e-6, scale: 4 * Math.max(...is32), label: `${label} dx` });
          expectGuard(h, pdx, rows * c, label);
        }
        if (pdg) {
          expectClose(h.read(pdg, c), dg, { rtol: 1e-5, atol: 1e-6, scale: Math.sqrt(rows), label: `${label} dgamma` });
          expectClose(h.read(pdb, c), db, { rtol: 1e-5, atol: 1e-6, scale: Math.sqrt(rows), label: `${label} dbeta` });
          expectGuard(h, pdg, c, label);
          expectGuard(h, pdb, c, label);
        }
      }
    }
  });
});

// ------------------------------------------------------------------ the references' gradients

/** Σ w·y of the batch-statistics BN forward (reference), as a function of x, γ, β. */
function bnLoss(x: Float64Array, gamma: Float64Array, beta: Float64Array, w: Float64Array, rows: number, c: number): number {
  const m = new Float64Array(c);
  const v = new Float64Array(c);
  ref.batchnorm_stats_f32(m, v, x, rows, c);
  const y = new Float64Array(rows * c);
  ref.batchnorm_forward_f32(y, null, x, m, v, gamma, beta, rows, c, EPS);
  return y.reduce((s, yi, i) => s + yi * w[i], 0);
}
function lnLoss(x: Float64Array, gamma: Float64Array, beta: Float64Array, w: Float64Array, rows: number, c: number): number {
  const y = new Float64Array(rows * c);
  ref.layernorm_forward_f32(y, null, null, x, gamma, beta, rows, c, EPS);
  return y.reduce((s, yi, i) => s + yi * w[i], 0);
}
function numeric(f: () => number, a: Float64Array, i: number, h = 1e-5): number {
  const v = a[i];
  a[i] = v + h;
  const up = f();
  a[i] = v - h;
  const down = f();
  a[i] = v;
  return (up - down) / (2 * h);
}

describe('normalization references: backward = central differences of forward', () => {
  for (const kind of ['batchnorm', 'layernorm'] as const) {
    it(kind, () => {
      const rows = 6;
      const c = 5;
      const x = randomArray(rows * c, 1, -2, 2);
      const gamma = randomArray(c, 2, -2, 2);
      const beta = randomArray(c, 3, -1, 1);
      const w = randomArray(rows * c, 4, -1, 1);
      const loss = () => (kind === 'batchnorm' ? bnLoss : lnLoss)(x, gamma, beta, w, rows, c);
      const dx = new Float64Array(rows * c);
      const dg = new Float64Array(c);
      const db = new Float64Array(c);
      if (kind === 'batchnorm') {
        const m = new Float64Array(c);
        const v = new Float64Array(c);
        ref.batchnorm_stats_f32(m, v, x, rows, c);
        const is = v.map((s) => 1 / Math.sqrt(s + EPS));
        ref.batchnorm_backward_f32(dx, dg, db, w, x, m, is, gamma, rows, c);
      } else {
        const m = new Float64Array(rows);
        const is = new Float64Array(rows);
        ref.layernorm_forward_f32(new Float64Array(rows * c), m, is, x, gamma, beta, rows, c, EPS);
        ref.layernorm_backward_f32(dx, dg, db, w, x, m, is, gamma, rows, c);
      }
      expectClose(dx, Array.from(dx, (_, i) => numeric(loss, x, i)), { rtol: 1e-6, atol: 1e-7, label: `${kind} dx` });
      expectClose(dg, Array.from(dg, (_, i) => numeric(loss, gamma, i)), { rtol: 1e-6, atol: 1e-7, label: `${kind} dgamma` });
      expectClose(db, Array.from(db, (_, i) => numeric(loss, beta, i)), { rtol: 1e-6, atol: 1e-7, label: `${kind} dbeta` });
    });
  }
});
