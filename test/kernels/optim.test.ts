// Optimizer kernels: 10 steps of the kernel against 10 steps of the float64 reference formulas
// (test/reference/optim.ts, TF.js), with a fresh gradient each step, on the default and
// relaxed binaries. State buffers and guards are checked too.
import { expect, it } from 'vitest';
import { expectClose, f32round, randomArray } from '../helpers/harness.ts';
import { expectGuard, describeVariants, putGuarded } from '../helpers/guarded.ts';
import * as ref from '../reference/optim.ts';

const SIZES = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 1000];
const STEPS = 10;
const f = Math.fround;
const TOL = { rtol: 3e-6, atol: 1e-7, scale: 1 };

interface Case {
  label: string;
  kernel: 'sgd_f32' | 'momentum_f32' | 'adagrad_f32' | 'rmsprop_f32' | 'rmsprop_centered_f32' | 'adam_f32' | 'adamax_f32' | 'adadelta_f32';
  /** Initial values of the state buffers, in kernel argument order after p. */
  state: number[];
  /** Hyper-parameters after n, for step t (1-based). */
  hyper: (t: number) => number[];
}
const b1 = f(0.9);
const b2 = f(0.999);
const CASES: Case[] = [
  { label: 'sgd', kernel: 'sgd_f32', state: [], hyper: () => [f(0.05)] },
  { label: 'momentum', kernel: 'momentum_f32', state: [0], hyper: () => [f(0.05), f(0.9), 0] },
  { label: 'momentum nesterov', kernel: 'momentum_f32', state: [0], hyper: () => [f(0.05), f(0.9), 1] },
  { label: 'adagrad', kernel: 'adagrad_f32', state: [0.1], hyper: () => [f(0.1), f(1e-7)] },
  { label: 'rmsprop', kernel: 'rmsprop_f32', state: [0, 0], hyper: () => [f(0.01), f(0.9), f(0), f(1e-7)] },
  { label: 'rmsprop momentum', kernel: 'rmsprop_f32', state: [0, 0], hyper: () => [f(0.01), f(0.9), f(0.8), f(1e-7)] },
  { label: 'rmsprop centered', kernel: 'rmsprop_centered_f32', state: [0, 0, 0], hyper: () => [f(0.01), f(0.9), f(0), f(1e-7)] },
  { label: 'rmsprop centered momentum', kernel: 'rmsprop_centered_f32', state: [0, 0, 0], hyper: () => [f(0.01), f(0.9), f(0.8), f(1e-7)] },
  {
    label: 'adam',
    kernel: 'adam_f32',
    state: [0, 0],
    hyper: (t) => [f(0.01), b1, b2, f(1e-7), f(1 - b1 ** t), f(1 - b2 ** t), 0],
  },
  {
    label: 'adamw',
    kernel: 'adam_f32',
    state: [0, 0],
    hyper: (t) => [f(0.01), b1, b2, f(1e-7), f(1 - b1 ** t), f(1 - b2 ** t), f(0.05)],
  },
  // lrt as the host computes it: lr / ((1 + decay·(t − 1))·(1 − b1^t)), here with decay 0.1.
  {
    label: 'adamax',
    kernel: 'adamax_f32',
    state: [0, 0],
    hyper: (t) => [f(0.002 / ((1 + 0.1 * (t - 1)) * (1 - b1 ** t))), b1, b2, f(1e-7)],
  },
  { label: 'adadelta', kernel: 'adadelta_f32', state: [0, 0], hyper: () => [f(1), f(0.95), f(1e-7)] },
  { label: 'adadelta lr 0.01 rho 0.5', kernel: 'adadelta_f32', state: [0, 0], hyper: () => [f(0.01), f(0.5), f(1e-6)] },
];

describeVariants('optimizer kernels', (get) => {

    for (const c of CASES) {
      it(`${c.label} (${c.kernel}): ${STEPS} steps match the reference`, (ctx) => {
        const hh = get(ctx);
        const k = hh.k as unknown as Record<string, (...a: number[]) => number>;
        const R = ref as unknown as Record<string, (...a: unknown[]) => void>;
        for (const n of SIZES) {
          const p = f32round(randomArray(n, n, -1, 1));
          for (let i = 3; i < n; i += 7) p[i] *= 50;
          const state = c.state.map((v) => new Float64Array(n).fill(v));
          const pp = putGuarded(hh, p);
          const ps = state.map((s) => putGuarded(hh, s));
          const pg = putGuarded(hh, new Float64Array(n));
          for (let t = 1; t <= STEPS; t++) {
            const g = f32round(randomArray(n, 100 * n + t, -2, 2));
            if (t === 3) for (let i = 0; i < n; i += 5) g[i] = 0; // zero gradients on one step
            hh.arena.f32.set(g, pg >>> 2);
            k[c.kernel](pp, ...ps, pg, n, ...c.hyper(t));
            R[c.kernel](p, ...state, g, n, ...c.hyper(t));
          }
          const label = `${c.label} n=${n}`;
          expectClose(hh.read(pp, n), p, { ...TOL, label: `${label} p` });
          expectGuard(hh, pp, n, `${label} p`);
          state.forEach((s, i) => {
            expectClose(hh.read(ps[i], n), s, { ...TOL, label: `${label} state ${i}` });
            expectGuard(hh, ps[i], n, `${label} state ${i}`);
          });
          expectGuard(hh, pg, n, `${label} g`);
        }
      });
    }

    it('adamw applies the decay to the pre-update p (Keras order)', (ctx) => {
      const hh = get(ctx);
      // m = v = 0 and g = 0: the Adam step is 0, so only the decay moves p: p·(1 − lr·wd).
      const p = f32round([1, -2, 3, 0.5, 7]);
      const pp = putGuarded(hh, p);
      hh.k.adam_f32(pp, hh.zeros(5), hh.zeros(5), hh.zeros(5), 5, f(0.1), b1, b2, f(1e-7), f(1 - b1), f(1 - b2), f(0.5));
      expectClose(hh.read(pp, 5), p.map((v) => v - 0.1 * 0.5 * v), { rtol: 1e-6, label: 'adamw decay' });
    });

    it('rmsprop_centered_f32 stays finite on zero and tiny gradients (TF.js 4.x gives NaN there)', (ctx) => {
      const hh = get(ctx);
      const n = 6;
      const p = f32round([1, -2, 3, 0.5, 7, -1]);
      const g = f32round([0, 1e-6, -1e-4, 1e-3, 0, 0.5]);
      const state = [0, 1, 2].map(() => new Float64Array(n));
      const pp = putGuarded(hh, p);
      const ps = state.map((s) => putGuarded(hh, s));
      const pg = putGuarded(hh, g);
      hh.k.rmsprop_centered_f32(pp, ps[0], ps[1], ps[2], pg, n, f(0.01), f(0.9), f(0), f(1e-7));
      ref.rmsprop_centered_f32(p, state[0], state[1], state[2], g, n, f(0.01), f(0.9), 0, f(1e-7));
      const got = hh.read(pp, n);
      expect(got.every((v) => Number.isFinite(v)), `p = [${got}]`).toBe(true);
      expectClose(got, p, { ...TOL, label: 'centered small g' });
      expect(got[0]).toBe(1); // a zero gradient leaves p as it was
    });

    it('adamax_f32: u is max(b2·u, |g|), not a moving average', (ctx) => {
      const hh = get(ctx);
      // One step from m = 0, u = 0: m = (1 − b1)·g, u = |g|, p −= lrt·(1 − b1)·sign(g)·|g|/(|g| + eps).
      const p = f32round([1, -2, 3, 0.5, 7]);
      const g = f32round([0.5, -4, 0, 2, -0.25]);
      const pp = putGuarded(hh, p);
      const pu = putGuarded(hh, new Float64Array(5));
      hh.k.adamax_f32(pp, hh.zeros(5), pu, putGuarded(hh, g), 5, f(0.1), b1, b2, f(1e-7));
      expectClose(hh.read(pu, 5), g.map(Math.abs), { rtol: 1e-7, label: 'adamax u' });
      expectClose(hh.read(pp, 5), p.map((v, i) => v - (0.1 * (1 - 0.9) * g[i]) / (Math.abs(g[i]) + 1e-7)), { rtol: 1e-6, label: 'adamax p' });
    });

    it('l1l2_penalty_f32: penalty value, accumulated gradient, sign(0) = 0, 0 pointer skips', (ctx) => {
      const hh = get(ctx);
      for (const n of SIZES) {
        const p = f32round(randomArray(n, n + 1, -3, 3));
        for (let i = 2; i < n; i += 6) p[i] = 0;
        const g0 = f32round(randomArray(n, n + 2, -1, 1));
        for (const [l1, l2] of [[f(0.01), f(0.02)], [f(0.1), 0], [0, f(0.3)]]) {
          const gWant = Float64Array.from(g0);
          const want = ref.l1l2_penalty_f32(gWant, p, n, l1, l2);
          const pg = putGuarded(hh, g0);
          const pp = putGuarded(hh, p);
          const got = hh.k.l1l2_penalty_f32(pg, pp, n, l1, l2);
          expectClose([got], [want], { rtol: 1e-6, atol: 1e-12, label: `l1l2 n=${n} value` });
          expectClose(hh.read(pg, n), gWant, { ...TOL, label: `l1l2 n=${n} g` });
          expectGuard(hh, pg, n, `l1l2 n=${n} g`);
          expect(hh.k.l1l2_penalty_f32(0, pp, n, l1, l2)).toBeCloseTo(want, 6);
        }
      }
    });
});
