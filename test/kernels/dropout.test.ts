// Dropout and Gaussian-noise kernels against test/reference/dropout.ts (the same counter-based
// generator in JS integer math), on the default and relaxed binaries.
import { expect, it } from 'vitest';
import { expectClose, f32round, randomArray } from '../helpers/harness.ts';
import { expectGuard, expectSame, describeVariants, putGuarded } from '../helpers/guarded.ts';
import * as ref from '../reference/dropout.ts';

const SIZES = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 100, 1001];
/** [mid, inner] layouts of a sample: per-element masks (mid 1) and channel masks (mid > 1). */
const LAYOUTS: [number, number][] = [
  [1, 1],
  [1, 7],
  [3, 1],
  [3, 4],
  [5, 3],
  [2, 9],
  [4, 16],
];

const data = (n: number, seed: number) => f32round(randomArray(n, seed, -3, 3));
const i32 = (u: number) => u | 0;

describeVariants('dropout kernels', (get) => {
  it('dropout_forward_f32 equals the reference mask bit for bit, every layout, in place too', (ctx) => {
    const h = get(ctx);
    for (const [mid, inner] of LAYOUTS) {
      for (const outer of [1, 2, 5]) {
        const n = outer * mid * inner;
        for (const rate of [0.1, 0.5, 0.9]) {
          const threshold = ref.thresholdOf(rate);
          const scale = Math.fround(1 / Math.fround(1 - rate));
          for (const [seed, step] of [
            [0, 0],
            [42, 3],
            [-7, 2 ** 31 + 5],
          ]) {
            const x = data(n, n + mid);
            const px = putGuarded(h, x);
            const py = putGuarded(h, new Float64Array(n).fill(9));
            h.k.dropout_forward_f32(py, px, n, mid, inner, i32(threshold), scale, seed, i32(step));
            const want = new Float64Array(n);
            ref.dropout_forward_f32(want, x, n, mid, inner, threshold, scale, seed >>> 0, step >>> 0);
            const label = `n=${n} mid=${mid} inner=${inner} rate=${rate} seed=${seed} step=${step}`;
            expectSame(h.read(py, n), f32round(want), label);
            expectGuard(h, py, n, label);
            // In place: y == x.
            h.k.dropout_forward_f32(px, px, n, mid, inner, i32(threshold), scale, seed, i32(step));
            expectSame(h.read(px, n), h.read(py, n), `${label} in place`);
            expectGuard(h, px, n, `${label} in place`);
          }
        }
      }
    }
  });

  it('dropout_forward_f32 over flat sizes (SIMD body and tails)', (ctx) => {
    const h = get(ctx);
    for (const n of SIZES) {
      const x = data(n, n);
      const px = putGuarded(h, x);
      const py = putGuarded(h, new Float64Array(n));
      const threshold = ref.thresholdOf(0.3);
      const scale = Math.fround(1 / Math.fround(0.7));
      h.k.dropout_forward_f32(py, px, n, 1, Math.max(n, 1), i32(threshold), scale, 11, 1);
      const want = new Float64Array(n);
      ref.dropout_forward_f32(want, x, n, 1, Math.max(n, 1), threshold, scale, 11, 1);
      expectSame(h.read(py, n), f32round(want), `n=${n}`);
      expectGuard(h, py, n, `n=${n}`);
    }
  });

  it('dropout_backward_f32 accumulates dy times the forward mask', (ctx) => {
    const h = get(ctx);
    for (const [mid, inner] of LAYOUTS) {
      const n = 3 * mid * inner;
      const threshold = ref.thresholdOf(0.4);
      const scale = Math.fround(1 / Math.fround(0.6));
      const dy = data(n, 5 + n);
      const dx0 = data(n, 6 + n);
      const pdy = putGuarded(h, dy);
      const pdx = putGuarded(h, dx0);
      h.k.dropout_backward_f32(pdx, pdy, n, mid, inner, i32(threshold), scale, 99, 7);
      const want = Float64Array.from(dx0);
      ref.dropout_backward_f32(want, dy, n, mid, inner, threshold, scale, 99, 7);
      expectSame(h.read(pdx, n), f32round(want), `mid=${mid} inner=${inner}`);
      expectGuard(h, pdx, n, `mid=${mid} inner=${inner}`);
      // The mask is the forward's: backward on a zero dx with dy = x gives the forward's output.
      const pz = putGuarded(h, new Float64Array(n));
      const pf = putGuarded(h, new Float64Array(n));
      h.k.dropout_backward_f32(pz, pdy, n, mid, inner, i32(threshold), scale, 99, 7);
      h.k.dropout_forward_f32(pf, pdy, n, mid, inner, i32(threshold), scale, 99, 7);
      expectSame(h.read(pz, n), h.read(pf, n), `mid=${mid} inner=${inner}: backward mask = forward mask`);
    }
  });

  it('dropout_forward_f32 drops the rate within 5 sigma over 1e5 values; kept values are exactly x·(1/(1−rate))', (ctx) => {
    const h = get(ctx);
    const n = 100_000;
    const px = putGuarded(h, new Float64Array(n).fill(1.7));
    const py = putGuarded(h, new Float64Array(n));
    for (const rate of [0.05, 0.25, 0.5, 0.8]) {
      const scale = Math.fround(1 / Math.fround(1 - rate));
      for (let step = 0; step < 3; step++) {
        h.k.dropout_forward_f32(py, px, n, 1, n, i32(ref.thresholdOf(rate)), scale, 1234, step);
        const y = h.read(py, n);
        let dropped = 0;
        for (let i = 0; i < n; i++) {
          if (y[i] === 0) dropped++;
          else expect(y[i]).toBe(Math.fround(Math.fround(1.7) * scale));
        }
        const sigma = Math.sqrt(n * rate * (1 - rate));
        expect(Math.abs(dropped - n * rate), `rate ${rate} step ${step}: dropped ${dropped}`).toBeLessThan(5 * sigma);
      }
    }
  });

  it('masks of different steps and seeds are unrelated (agreement ≈ the chance level)', (ctx) => {
    const h = get(ctx);
    const n = 100_000;
    const rate = 0.5;
    const px = putGuarded(h, new Float64Array(n).fill(1));
    const a = putGuarded(h, new Float64Array(n));
    const b = putGuarded(h, new Float64Array(n));
    const pairs: [number, number, number, number][] = [
      [5, 0, 5, 1],
      [5, 1, 5, 2],
      [5, 0, 6, 0],
      [0, 0, 1, 1],
    ];
    for (const [s1, t1, s2, t2] of pairs) {
      h.k.dropout_forward_f32(a, px, n, 1, n, i32(ref.thresholdOf(rate)), 2, s1, t1);
      h.k.dropout_forward_f32(b, px, n, 1, n, i32(ref.thresholdOf(rate)), 2, s2, t2);
      const ya = h.read(a, n);
      const yb = h.read(b, n);
      let same = 0;
      for (let i = 0; i < n; i++) if (ya[i] === yb[i]) same++;
      // Independent masks at rate ½ agree on half the values: 5 sigma = 5·√(n/4).
      expect(Math.abs(same - n / 2), `(${s1},${t1}) vs (${s2},${t2})`).toBeLessThan(5 * Math.sqrt(n / 4));
    }
  });

  it('dropout: NaN and Inf inputs stay NaN where dropped (a multiply, as TF.js)', (ctx) => {
    const h = get(ctx);
    const n = 64;
    const x = new Float64Array(n).fill(Number.NaN);
    for (let i = 0; i < n; i += 2) x[i] = Infinity;
    const px = putGuarded(h, x);
    const py = putGuarded(h, new Float64Array(n));
    h.k.dropout_forward_f32(py, px, n, 1, n, i32(ref.thresholdOf(0.5)), 2, 3, 0);
    const want = new Float64Array(n);
    ref.dropout_forward_f32(want, x, n, 1, n, ref.thresholdOf(0.5), 2, 3, 0);
    expectSame(h.read(py, n), want, 'non-finite');
  });

  it('gaussian_noise_forward_f32 matches the reference draw per element, same bits in place', (ctx) => {
    const h = get(ctx);
    for (const n of SIZES) {
      for (const [stddev, seed, step] of [
        [1, 0, 0],
        [0.3, 77, 12],
        [2.5, -1, 2 ** 32 - 1],
      ]) {
        const x = data(n, n + 3);
        const px = putGuarded(h, x);
        const py = putGuarded(h, new Float64Array(n));
        const sd = Math.fround(stddev);
        h.k.gaussian_noise_forward_f32(py, px, n, sd, seed, i32(step));
        const want = new Float64Array(n);
        ref.gaussian_noise_forward_f32(want, x, n, sd, seed >>> 0, step >>> 0);
        const label = `n=${n} stddev=${stddev} seed=${seed} step=${step}`;
        // f32 log/cos/sqrt against f64: a few ulp of the noise (|z| ≤ 5.8 for u1 ≥ 2^-24).
        expectClose(h.read(py, n), want, { rtol: 2e-6, atol: 2e-6 * sd * 6, label });
        expectGuard(h, py, n, label);
        h.k.gaussian_noise_forward_f32(px, px, n, sd, seed, i32(step));
        expectSame(h.read(px, n), h.read(py, n), `${label} in place`);
      }
    }
  });

  it('gaussian_noise_forward_f32: mean, standard deviation and tails of N(0, stddev²)', (ctx) => {
    const h = get(ctx);
    const n = 200_000;
    const stddev = 0.7;
    const px = putGuarded(h, new Float64Array(n));
    const py = putGuarded(h, new Float64Array(n));
    h.k.gaussian_noise_forward_f32(py, px, n, stddev, 2024, 0);
    const y = h.read(py, n);
    let s = 0;
    let s2 = 0;
    let beyond2 = 0;
    for (let i = 0; i < n; i++) {
      s += y[i];
      s2 += y[i] * y[i];
      if (Math.abs(y[i]) > 2 * stddev) beyond2++;
    }
    const mean = s / n;
    const std = Math.sqrt(s2 / n - mean * mean);
    // Standard errors: σ/√n for the mean, σ/√(2n) for the standard deviation.
    expect(Math.abs(mean)).toBeLessThan((5 * stddev) / Math.sqrt(n));
    expect(Math.abs(std - stddev)).toBeLessThan((5 * stddev) / Math.sqrt(2 * n));
    // P(|z| > 2) = 0.0455003.
    const p = 0.0455003;
    expect(Math.abs(beyond2 - n * p)).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
  });

  it('gaussian_noise_forward_f32 gives the same bits in both binaries (no relaxed FMA): a pinned fingerprint', (ctx) => {
    const h = get(ctx);
    const n = 999;
    const px = putGuarded(h, new Float64Array(n));
    const py = putGuarded(h, new Float64Array(n));
    h.k.gaussian_noise_forward_f32(py, px, n, 1, 5, 3);
    expect(ref.fnv1a(h.read(py, n))).toBe(NOISE_KERNEL_FINGERPRINT);
  });

  it('the reference generator is pinned: fingerprints of fixed masks', () => {
    // The numbers every runtime must reproduce (test/deno, test/browser check the same ones).
    const words = [0, 1, 2, 3].map((i) => ref.word(1234, 0, i));
    expect(words.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)).toBe(true);
    const m = new Float64Array(4000);
    ref.dropout_forward_f32(m, new Float64Array(4000).fill(1), 4000, 1, 4000, ref.thresholdOf(0.5), 2, 1234, 0);
    expect(ref.fnv1a(m)).toBe(MASK_FINGERPRINT);
  });
});

/** FNV-1a of dropout(rate 0.5, seed 1234, step 0) over 4000 ones (see test/model/dropout.test.ts). */
const MASK_FINGERPRINT = 600910405;
/** FNV-1a of gaussian_noise_forward_f32 over 999 zeros, stddev 1, seed 5, step 3. */
const NOISE_KERNEL_FINGERPRINT = 2846789304;
