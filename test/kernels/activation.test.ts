// Activation kernels against test/reference/activation.ts, on the default and relaxed binaries;
// reference backward passes against float64 central differences; the accuracy of the vector
// exp/log helpers in assembly/simd.ts over a dense range of inputs.
import { expect, it } from 'vitest';
import { expectClose, f32round, randomArray } from '../helpers/harness.ts';
import { expectGuard, expectSame, describeVariants, putGuarded, SENTINEL } from '../helpers/guarded.ts';
import { gradErrorRatio, numericGrad } from '../helpers/gradcheck.ts';
import * as ref from '../reference/activation.ts';

const SIZES = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 1000];
const SHAPES: [number, number][] = [];
for (const rows of [1, 2, 3, 7]) for (const cols of [1, 3, 4, 5, 8, 10, 17, 33, 100]) SHAPES.push([rows, cols]);

type Uses = 'none' | 'x' | 'y' | 'xy';
interface Act {
  fwd: string;
  bwd?: string;
  alpha?: number;
  /** Which of x, y the backward reads (the other may be a 0 pointer). */
  uses: Uses;
  kink?: boolean;
  exp?: boolean;
}
const ACTS: Act[] = [
  { fwd: 'linear_forward_f32', bwd: 'linear_backward_f32', uses: 'none' },
  { fwd: 'relu_forward_f32', bwd: 'relu_backward_f32', uses: 'x', kink: true },
  { fwd: 'relu_max_forward_f32', bwd: 'relu_max_backward_f32', alpha: 2.5, uses: 'x', kink: true },
  { fwd: 'leaky_relu_forward_f32', bwd: 'leaky_relu_backward_f32', alpha: 0.2, uses: 'x', kink: true },
  { fwd: 'elu_forward_f32', bwd: 'elu_backward_f32', alpha: 0.7, uses: 'xy', kink: true, exp: true },
  { fwd: 'sigmoid_forward_f32', bwd: 'sigmoid_backward_f32', uses: 'y', exp: true },
  { fwd: 'tanh_forward_f32', bwd: 'tanh_backward_f32', uses: 'y', exp: true },
  { fwd: 'softplus_forward_f32', bwd: 'softplus_backward_f32', uses: 'x', exp: true },
  { fwd: 'step_forward_f32', uses: 'x', kink: true },
];

type AnyFn = (...a: unknown[]) => number;
const R = ref as unknown as Record<string, AnyFn>;
const extra = (a: Act) => (a.alpha === undefined ? [] : [a.alpha]);

/** f32 inputs in ±4 with every 7th of magnitude up to 100 and, for exp-based ones, every 11th ±1e4. */
function inputs(n: number, seed: number, huge: boolean, awayFromZero = true): Float64Array {
  const x = randomArray(n, seed, -4, 4);
  const u = randomArray(n, seed + 1, -1, 1);
  for (let i = 0; i < n; i++) {
    if (i % 7 === 3) x[i] = 100 * u[i];
    if (huge && i % 11 === 5) x[i] = u[i] < 0 ? -1e4 : 1e4;
    if (awayFromZero && Math.abs(x[i]) < 0.02) x[i] = x[i] < 0 ? -0.05 : 0.05;
  }
  return f32round(x);
}

const FWD_TOL = { rtol: 3e-6, atol: 1e-30 };
const BWD_TOL = { rtol: 4e-6, atol: 1e-7, scale: 1 };

describeVariants('activation kernels', (get, variant) => {

    for (const a of ACTS) {
      it(`${a.fwd} matches the reference, keeps guards, works in place`, (ctx) => {
        const hh = get(ctx);
        const k = hh.k as unknown as Record<string, AnyFn>;
        for (const n of SIZES) {
          const x = inputs(n, n, !!a.exp);
          const want = new Float64Array(n);
          R[a.fwd](want, x, n, ...extra(a));
          const px = putGuarded(hh, x);
          const py = putGuarded(hh, new Float64Array(n).fill(-3));
          k[a.fwd](py, px, n, ...extra(a));
          const got = hh.read(py, n);
          expect(got.every(Number.isFinite), `${a.fwd} n=${n}: non-finite output`).toBe(true);
          expectClose(got, want, { ...FWD_TOL, label: `${a.fwd} n=${n}` });
          expectGuard(hh, py, n, `${a.fwd} n=${n} y`);
          expectGuard(hh, px, n, `${a.fwd} n=${n} x`);
          expectSame(hh.read(px, n), x, `${a.fwd} n=${n}: x changed`);
          // In place: y == x.
          k[a.fwd](px, px, n, ...extra(a));
          expectSame(hh.read(px, n), got, `${a.fwd} n=${n} in place`);
          expectGuard(hh, px, n, `${a.fwd} n=${n} in place`);
        }
      });

      if (!a.bwd) continue;
      const bwd = a.bwd;
      it(`${bwd} accumulates like the reference; unused pointers may be 0`, (ctx) => {
        const hh = get(ctx);
        const k = hh.k as unknown as Record<string, AnyFn>;
        for (const n of SIZES) {
          const x = inputs(n, 3 * n + 1, !!a.exp);
          const y = new Float64Array(n);
          R[a.fwd](y, x, n, ...extra(a));
          const yf = f32round(y);
          const dy = f32round(randomArray(n, 5 * n, -1, 1));
          const dx0 = f32round(randomArray(n, 7 * n, -1, 1));
          const want = Float64Array.from(dx0);
          R[bwd](want, dy, x, yf, n, ...extra(a));
          const pdx = putGuarded(hh, dx0);
          const pdy = putGuarded(hh, dy);
          const px = a.uses === 'x' || a.uses === 'xy' ? putGuarded(hh, x) : 0;
          const py = a.uses === 'y' || a.uses === 'xy' ? putGuarded(hh, yf) : 0;
          k[bwd](pdx, pdy, px, py, n, ...extra(a));
          const got = hh.read(pdx, n);
          expect(got.every(Number.isFinite), `${bwd} n=${n}: non-finite`).toBe(true);
          expectClose(got, want, { ...BWD_TOL, label: `${bwd} n=${n}` });
          expectGuard(hh, pdx, n, `${bwd} n=${n} dx`);
        }
      });

      it(`${bwd}: reference backward equals central differences of the reference forward`, () => {
        const n = 37;
        const x = inputs(n, 11, false);
        for (let i = 0; i < n; i++) x[i] = Math.max(-20, Math.min(20, x[i]));
        const r = randomArray(n, 12, -1, 1);
        const f = (v: Float64Array) => {
          const y = new Float64Array(n);
          R[a.fwd](y, v, n, ...extra(a));
          return y.reduce((s, yi, i) => s + r[i] * yi, 0);
        };
        const y = new Float64Array(n);
        R[a.fwd](y, x, n, ...extra(a));
        const g = new Float64Array(n);
        R[bwd](g, r, x, y, n, ...extra(a));
        expect(gradErrorRatio(g, numericGrad(f, x), 1e-6, 1e-8)).toBeLessThanOrEqual(1);
      });
    }

    it('in-place forward then backward: relu, leaky_relu, elu, sigmoid, tanh read y from the x slot', (ctx) => {
      const hh = get(ctx);
      const k = hh.k as unknown as Record<string, AnyFn>;
      for (const a of ACTS.filter((a) => a.bwd && a.uses !== 'none' && a.fwd !== 'softplus_forward_f32' && a.fwd !== 'relu_max_forward_f32')) {
        const n = 33;
        const x = inputs(n, 99, !!a.exp);
        const dy = f32round(randomArray(n, 98, -1, 1));
        const want = new Float64Array(n);
        const y = new Float64Array(n);
        R[a.fwd](y, x, n, ...extra(a));
        R[a.bwd!](want, dy, x, f32round(y), n, ...extra(a));
        const p = putGuarded(hh, x);
        k[a.fwd](p, p, n, ...extra(a));
        const pdx = hh.zeros(n);
        k[a.bwd!](pdx, putGuarded(hh, dy), p, p, n, ...extra(a));
        expectClose(hh.read(pdx, n), want, { ...BWD_TOL, label: `${a.bwd} after in-place forward` });
      }
    });

    it('step_forward_f32 maps 0 and -0 to 1', (ctx) => {
      const hh = get(ctx);
      const x = [0, -0, -1e-30, 1e-30, -5, 5, 0, -0, -1];
      const p = putGuarded(hh, x);
      hh.k.step_forward_f32(p, p, x.length);
      expect(Array.from(hh.read(p, x.length))).toEqual([1, 1, 0, 1, 0, 1, 1, 1, 0]);
    });

    it('exp-based activations stay finite for the extremes of f32', (ctx) => {
      const hh = get(ctx);
      const k = hh.k as unknown as Record<string, AnyFn>;
      const x = f32round([3.4e38, -3.4e38, 1e4, -1e4, 88.8, -88.8, 89, -104, 200, -200, 87, -87, 0, 1e-40, -1e-40]);
      for (const a of ACTS.filter((a) => a.exp)) {
        const want = new Float64Array(x.length);
        R[a.fwd](want, x, x.length, ...extra(a));
        const p = putGuarded(hh, x);
        k[a.fwd](p, p, x.length, ...extra(a));
        const got = hh.read(p, x.length);
        expect(got.every(Number.isFinite), `${a.fwd}: ${Array.from(got)}`).toBe(true);
        expectClose(got, want, { rtol: 3e-6, atol: 1e-37, label: a.fwd });
      }
    });

    it('softmax_forward_f32 matches the reference for every shape, in place too', (ctx) => {
      const hh = get(ctx);
      for (const [rows, cols] of SHAPES) {
        const n = rows * cols;
        const x = inputs(n, rows * 100 + cols, true);
        const want = new Float64Array(n);
        ref.softmax_forward_f32(want, x, rows, cols);
        const px = putGuarded(hh, x);
        const py = putGuarded(hh, new Float64Array(n));
        hh.k.softmax_forward_f32(py, px, rows, cols);
        const got = hh.read(py, n);
        expect(got.every(Number.isFinite)).toBe(true);
        expectClose(got, want, { rtol: 3e-6, atol: 1e-30, label: `softmax ${rows}x${cols}` });
        expectGuard(hh, py, n, `softmax ${rows}x${cols}`);
        hh.k.softmax_forward_f32(px, px, rows, cols);
        expectSame(hh.read(px, n), got, `softmax in place ${rows}x${cols}`);
        expectGuard(hh, px, n, `softmax in place ${rows}x${cols}`);
      }
      // Rows of equal logits (the sum is exactly cols) and huge spreads.
      const x = f32round([5, 5, 5, 5, 5, -1e4, 1e4, 0, 3e38, -3e38]);
      const py = putGuarded(hh, new Float64Array(10));
      hh.k.softmax_forward_f32(py, putGuarded(hh, x), 2, 5);
      expect(Array.from(hh.read(py, 10))).toEqual([0.2, 0.2, 0.2, 0.2, 0.2, 0, 0, 0, 1, 0].map(Math.fround));
    });

    it('softmax_backward_f32 accumulates like the reference', (ctx) => {
      const hh = get(ctx);
      for (const [rows, cols] of SHAPES) {
        const n = rows * cols;
        const y = new Float64Array(n);
        ref.softmax_forward_f32(y, inputs(n, cols, false), rows, cols);
        const yf = f32round(y);
        const dy = f32round(randomArray(n, n + 3, -1, 1));
        const dx0 = f32round(randomArray(n, n + 4, -1, 1));
        const want = Float64Array.from(dx0);
        ref.softmax_backward_f32(want, dy, yf, rows, cols);
        const pdx = putGuarded(hh, dx0);
        hh.k.softmax_backward_f32(pdx, putGuarded(hh, dy), putGuarded(hh, yf), rows, cols);
        expectClose(hh.read(pdx, n), want, { ...BWD_TOL, label: `softmax backward ${rows}x${cols}` });
        expectGuard(hh, pdx, n, `softmax backward ${rows}x${cols}`);
      }
    });

    it('relu_max: values at the ceiling keep their gradient (clipByValue bounds are inclusive), NaN passes', (ctx) => {
      const hh = get(ctx);
      const x = [-1, 0, 0.5, 6, 6.000001, 1e30, NaN, -0];
      const p = putGuarded(hh, x);
      const py = putGuarded(hh, new Float64Array(x.length));
      hh.k.relu_max_forward_f32(py, p, x.length, 6);
      const y = Array.from(hh.read(py, x.length));
      expect(y.slice(0, 6)).toEqual([0, 0, 0.5, 6, 6, 6]);
      expect(Number.isNaN(y[6])).toBe(true);
      const pdx = hh.zeros(x.length);
      hh.k.relu_max_backward_f32(pdx, putGuarded(hh, x.map(() => 1)), p, 0, x.length, 6);
      expect(Array.from(hh.read(pdx, x.length))).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    });

    const AXIS_SHAPES: [number, number, number][] = [];
    for (const outer of [1, 2, 3]) for (const n of [1, 2, 5, 17]) for (const inner of [1, 3, 4, 5, 9]) AXIS_SHAPES.push([outer, n, inner]);
    it('softmax_axis_forward_f32 matches the reference along the middle axis, in place too; inner 1 equals softmax_forward_f32', (ctx) => {
      const hh = get(ctx);
      for (const [outer, n, inner] of AXIS_SHAPES) {
        const len = outer * n * inner;
        const x = inputs(len, outer * 1000 + n * 10 + inner, true);
        const want = new Float64Array(len);
        ref.softmax_axis_forward_f32(want, x, outer, n, inner);
        const px = putGuarded(hh, x);
        const py = putGuarded(hh, new Float64Array(len));
        hh.k.softmax_axis_forward_f32(py, px, outer, n, inner);
        const got = hh.read(py, len);
        const label = `softmax axis ${outer}x${n}x${inner}`;
        expect(got.every(Number.isFinite), label).toBe(true);
        expectClose(got, want, { rtol: 3e-6, atol: 1e-30, label });
        expectGuard(hh, py, len, label);
        expectSame(hh.read(px, len), x, `${label}: x changed`);
        hh.k.softmax_axis_forward_f32(px, px, outer, n, inner);
        expectSame(hh.read(px, len), got, `${label} in place`);
        if (inner === 1) {
          const pr = putGuarded(hh, new Float64Array(len));
          hh.k.softmax_forward_f32(pr, putGuarded(hh, x), outer, n);
          expectClose(hh.read(pr, len), got, { rtol: 3e-7, atol: 1e-30, label: `${label} vs softmax_forward_f32` });
        }
      }
    });

    it('softmax_axis_backward_f32 accumulates like the reference', (ctx) => {
      const hh = get(ctx);
      for (const [outer, n, inner] of AXIS_SHAPES) {
        const len = outer * n * inner;
        const y = new Float64Array(len);
        ref.softmax_axis_forward_f32(y, inputs(len, n + inner, false), outer, n, inner);
        const yf = f32round(y);
        const dy = f32round(randomArray(len, len + 3, -1, 1));
        const dx0 = f32round(randomArray(len, len + 4, -1, 1));
        const want = Float64Array.from(dx0);
        ref.softmax_axis_backward_f32(want, dy, yf, outer, n, inner);
        const pdx = putGuarded(hh, dx0);
        hh.k.softmax_axis_backward_f32(pdx, putGuarded(hh, dy), putGuarded(hh, yf), outer, n, inner);
        const label = `softmax axis backward ${outer}x${n}x${inner}`;
        expectClose(hh.read(pdx, len), want, { ...BWD_TOL, label });
        expectGuard(hh, pdx, len, label);
      }
    });

    it('softmax_axis: reference backward equals central differences of the reference forward', () => {
      const [outer, n, inner] = [2, 4, 3];
      const len = outer * n * inner;
      const x = randomArray(len, 21, -3, 3);
      const r = randomArray(len, 22, -1, 1);
      const f = (v: Float64Array) => {
        const y = new Float64Array(len);
        ref.softmax_axis_forward_f32(y, v, outer, n, inner);
        return y.reduce((s, yi, i) => s + r[i] * yi, 0);
      };
      const y = new Float64Array(len);
      ref.softmax_axis_forward_f32(y, x, outer, n, inner);
      const g = new Float64Array(len);
      ref.softmax_axis_backward_f32(g, r, y, outer, n, inner);
      expect(gradErrorRatio(g, numericGrad(f, x), 1e-6, 1e-8)).toBeLessThanOrEqual(1);
    });

    it('exp/log helpers: dense-range relative error of sigmoid, softplus, tanh, elu, softmax', (ctx) => {
      const hh = get(ctx);
      const k = hh.k as unknown as Record<string, AnyFn>;
      // Every f32 step of 1/512 across [-86, 86] plus a log-spaced sweep of tiny magnitudes.
      const xs: number[] = [];
      for (let v = -86; v <= 86; v += 1 / 512) xs.push(v);
      for (let e = -30; e <= 1; e += 0.01) xs.push(10 ** e, -(10 ** e));
      const x = f32round(xs);
      const n = x.length;
      const px = putGuarded(hh, x);
      const py = putGuarded(hh, new Float64Array(n));
      const worst: Record<string, number> = {};
      const measure = (name: string, want: Float64Array, got: Float32Array) => {
        let w = 0;
        for (let i = 0; i < n; i++) {
          if (Math.abs(want[i]) < 1e-37) continue; // below the flush-to-zero threshold
          w = Math.max(w, Math.abs(got[i] - want[i]) / Math.abs(want[i]));
        }
        worst[name] = w;
      };
      for (const a of ACTS.filter((a) => a.exp)) {
        k[a.fwd](py, px, n, ...extra(a));
        const want = new Float64Array(n);
        R[a.fwd](want, x, n, ...extra(a));
        if (a.fwd === 'elu_forward_f32') for (let i = 0; i < n; i++) if (x[i] > 0) want[i] = NaN; // identity side
        measure(a.fwd, want.map((v, i) => (Number.isNaN(v) ? 0 : v)), hh.read(py, n));
      }
      // softmax of rows [x, 0]: p0 = e^x / (1 + e^x).
      const pairs = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) pairs[2 * i] = x[i];
      const pp = putGuarded(hh, pairs);
      hh.k.softmax_forward_f32(pp, pp, n, 2);
      const want = new Float64Array(2 * n);
      ref.softmax_forward_f32(want, pairs, n, 2);
      measure('softmax_forward_f32', want.filter((_, i) => i % 2 === 0), hh.read(pp, 2 * n).filter((_, i) => i % 2 === 0));
      console.log(`max relative error over ${n} inputs (${variant}):`, worst);
      for (const [name, w] of Object.entries(worst)) expect(w, name).toBeLessThanOrEqual(2e-6);
      expect(SENTINEL).toBeGreaterThan(0);
    });
});
