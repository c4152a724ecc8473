// Vector kernels against test/reference/vector.ts, on the default and relaxed binaries.
import { expect, it } from 'vitest';
import { expectClose, f32round, randomArray } from '../helpers/harness.ts';
import { expectGuard, expectGuardI32, expectSame, describeVariants, putGuarded, putGuardedI32 } from '../helpers/guarded.ts';
import * as ref from '../reference/vector.ts';

const SIZES = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 1000];
const COLS = [1, 3, 4, 5, 7, 8, 9, 10, 16, 17, 33, 100];

const data = (n: number, seed: number) => {
  const x = randomArray(n, seed, -2, 2);
  const u = randomArray(n, seed + 1, -1, 1);
  for (let i = 3; i < n; i += 7) x[i] = 100 * u[i];
  return f32round(x);
};

describeVariants('vector kernels', (get) => {

    it('fill_f32 writes n values (zero and non-zero) and nothing after', (ctx) => {
      const hh = get(ctx);
      for (const n of SIZES) {
        for (const value of [0, -0, 1.5, -3.25e7]) {
          const p = putGuarded(hh, data(n, n));
          hh.k.fill_f32(p, n, value);
          const want = new Float64Array(n);
          ref.fill_f32(want, n, value);
          expectSame(hh.read(p, n), want, `fill n=${n} value=${value}`);
          expectGuard(hh, p, n, `fill n=${n}`);
        }
      }
    });

    it('copy_f32 copies n values, overlapping too', (ctx) => {
      const hh = get(ctx);
      for (const n of SIZES) {
        const src = data(n, n + 1);
        const ps = putGuarded(hh, src);
        const pd = putGuarded(hh, new Float64Array(n).fill(7));
        hh.k.copy_f32(pd, ps, n);
        const want = new Float64Array(n);
        ref.copy_f32(want, src, n);
        expectSame(hh.read(pd, n), want, `copy n=${n}`);
        expectGuard(hh, pd, n, `copy n=${n}`);
      }
      // Overlap: shift a buffer down by one element (memmove semantics).
      const src = data(65, 5);
      const p = putGuarded(hh, src);
      hh.k.copy_f32(p, p + 4, 64);
      expectSame(hh.read(p, 65), [...src.slice(1), src[64]], 'overlapping copy');
    });

    it('scale_f32 multiplies in place', (ctx) => {
      const hh = get(ctx);
      for (const n of SIZES) {
        const x = data(n, n + 2);
        const p = putGuarded(hh, x);
        const alpha = Math.fround(-0.37);
        hh.k.scale_f32(p, n, alpha);
        const want = Float64Array.from(x);
        ref.scale_f32(want, n, alpha);
        expectClose(hh.read(p, n), want, { rtol: 1e-7, atol: 1e-300, label: `scale n=${n}` });
        expectGuard(hh, p, n, `scale n=${n}`);
      }
    });

    it('axpy_f32 accumulates alpha·x into y', (ctx) => {
      const hh = get(ctx);
      for (const n of SIZES) {
        const x = data(n, n + 3);
        const y = data(n, n + 4);
        const alpha = Math.fround(1.7);
        const px = putGuarded(hh, x);
        const py = putGuarded(hh, y);
        hh.k.axpy_f32(py, px, n, alpha);
        const want = Float64Array.from(y);
        ref.axpy_f32(want, x, n, alpha);
        const scale = Math.max(0, ...Array.from(x, (v, i) => Math.abs(alpha * v) + Math.abs(y[i])));
        expectClose(hh.read(py, n), want, { rtol: 2e-7, atol: 1e-300, scale, label: `axpy n=${n}` });
        expectGuard(hh, py, n, `axpy n=${n}`);
        expectSame(hh.read(px, n), x, `axpy n=${n}: x changed`);
      }
    });

    it('sum_squares_f32 is exact to f64 rounding and reads nothing past n', (ctx) => {
      const hh = get(ctx);
      for (const n of SIZES) {
        const x = data(n, n + 5);
        const got = hh.k.sum_squares_f32(putGuarded(hh, x), n);
        expectClose([got], [ref.sum_squares_f32(x, n)], { rtol: 1e-13, atol: 1e-300, label: `sum_squares n=${n}` });
      }
      // Large magnitudes whose f32 squares would overflow.
      const big = f32round([3e20, -3e20, 1e-20, 4e19, 5]);
      expectClose([hh.k.sum_squares_f32(putGuarded(hh, big), 5)], [ref.sum_squares_f32(big, 5)], { rtol: 1e-13 });
    });

    it('argmax_rows_f32 finds the first index of each row max', (ctx) => {
      const hh = get(ctx);
      for (const rows of [1, 2, 3, 9]) {
        for (const cols of COLS) {
          const n = rows * cols;
          // Few distinct values, so ties are common and must go to the first index.
          const x = Float64Array.from(randomArray(n, rows * 31 + cols, 0, 4), Math.floor);
          const px = putGuarded(hh, x);
          const po = putGuardedI32(hh, new Int32Array(rows).fill(-5));
          hh.k.argmax_rows_f32(po, px, rows, cols);
          const want = new Int32Array(rows);
          ref.argmax_rows_f32(want, x, rows, cols);
          expect(Array.from(hh.readI32(po, rows)), `argmax ${rows}x${cols}`).toEqual(Array.from(want));
          expectGuardI32(hh, po, rows, `argmax ${rows}x${cols}`);
          // Distinct values, max placed at every column in turn.
          for (let at = 0; at < cols; at++) {
            const y = data(cols, at + 1);
            y[at] = 1000;
            const p = putGuarded(hh, y);
            const o = putGuardedI32(hh, [0]);
            hh.k.argmax_rows_f32(o, p, 1, cols);
            expect(hh.readI32(o, 1)[0], `argmax max at ${at} of ${cols}`).toBe(at);
          }
        }
      }
      // Negative rows, all equal rows.
      const x = f32round([-5, -3, -3, -9, -1e30, -2, -7, -2, -2, -2, -2, -2, -2, -2, -2, -2]);
      const po = putGuardedI32(hh, [0, 0]);
      hh.k.argmax_rows_f32(po, putGuarded(hh, x), 2, 8);
      expect(Array.from(hh.readI32(po, 2))).toEqual([5, 0]);
      // A NaN row still yields a column in range.
      const nan = putGuarded(hh, [NaN, 1, 2, 3, 4, NaN, 6, 7, 8]);
      hh.k.argmax_rows_f32(po, nan, 1, 9);
      const got = hh.readI32(po, 1)[0];
      expect(got >= 0 && got < 9).toBe(true);
    });
});
