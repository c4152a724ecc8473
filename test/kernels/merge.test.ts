// Merge kernels (assembly/merge.ts) against test/reference/merge.ts, on the default and relaxed
// binaries: every shape below, at and above the SIMD width, guard floats after every output and
// input (an over-read shows up as a huge value), accumulate semantics, 0 entries that skip a
// gradient, repeated inputs, ties, NaN and signed zeros for maximum / minimum (checked against
// TF.js's own left fold of tf.maximum / tf.minimum).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { expectClose, f32round, randomArray, type Harness } from '../helpers/harness.ts';
import { describeVariants, expectGuard, expectGuardI32, expectSame, putGuarded, putGuardedI32 } from '../helpers/guarded.ts';
import { gradErrorRatio, numericGrad } from '../helpers/gradcheck.ts';
import * as ref from '../reference/merge.ts';
import type { KernelNameOfArity, Kernels } from '../../src/wasm/abi.ts';

const SIZES = [0, 1, 3, 4, 5, 7, 8, 9, 16, 17, 33, 1000];
const COUNTS = [1, 2, 3, 4];

/** f32 data in [−2, 2] with a few larger values. */
const data = (n: number, seed: number) => {
  const x = randomArray(n, seed, -2, 2);
  for (let i = 5; i < n; i += 11) x[i] *= 50;
  return f32round(x);
};
/** Few distinct values (ties everywhere), as f32. */
const coarse = (n: number, seed: number) => Float64Array.from(randomArray(n, seed, 0, 3), Math.floor);

const inputsOf = (count: number, n: number, seed: number, gen = data) => Array.from({ length: count }, (_, i) => gen(n, seed + 17 * i));
/** Guarded copies of arrays; returns their addresses. */
const putAll = (h: Harness, arrs: readonly ArrayLike<number>[]) => arrs.map((a) => putGuarded(h, a));
/** The u32 address table a multi-input kernel reads (guarded as well). */
const table = (h: Harness, ptrs: readonly number[]) => putGuardedI32(h, ptrs);
/** Every input came back unchanged and unguarded memory after it untouched. */
function expectInputs(h: Harness, ptrs: readonly number[], arrs: readonly ArrayLike<number>[], label: string): void {
  ptrs.forEach((p, i) => {
    expectSame(h.read(p, arrs[i].length), arrs[i], `${label}: input ${i} changed`);
    expectGuard(h, p, arrs[i].length, `${label}: input ${i}`);
  });
}
/** Σ_i |x_i|, the largest over the elements: the scale of a sum's rounding error. */
const sumScale = (xs: readonly Float64Array[], n: number) => {
  let s = 0;
  for (let e = 0; e < n; e++) s = Math.max(s, xs.reduce((t, x) => t + Math.abs(x[e]), 0));
  return s;
};
/** Which gradient entries a call skips (0 in the table) for a given count. */
const SKIPS = (count: number): boolean[][] => [
  Array(count).fill(false),
  Array.from({ length: count }, (_, i) => i === 0),
  Array.from({ length: count }, (_, i) => i === count - 1 && count > 1),
];

describeVariants('merge kernels', (get) => {
  it('merge_sum_forward_f32 = scale·(left-to-right f32 sum), overwriting y', (ctx) => {
    const h = get(ctx);
    for (const n of SIZES)
      for (const count of COUNTS)
        for (const scale of [1, Math.fround(1 / count)]) {
          h.reset();
          const xs = inputsOf(count, n, n * 7 + count);
          const px = putAll(h, xs);
          const py = putGuarded(h, new Float64Array(n).fill(77));
          h.k.merge_sum_forward_f32(py, table(h, px), count, n, scale);
          const label = `merge_sum_forward n=${n} count=${count} scale=${scale}`;
          const want = new Float64Array(n);
          ref.merge_sum_forward_f32(want, xs, count, n, scale);
          expectClose(h.read(py, n), want, { rtol: 1.2e-7 * (count + 1), atol: 1e-300, scale: sumScale(xs, n), label });
          // Exactly the f32 left fold, then the scale: the tail rounds like the body.
          const exact = Array.from({ length: n }, (_, e) => Math.fround(xs.reduce((s, x, i) => (i ? Math.fround(s + x[e]) : x[e]), 0) * scale));
          expectSame(h.read(py, n), exact, label);
          expectGuard(h, py, n, label);
          expectInputs(h, px, xs, label);
        }
  });

  it('merge_sum_forward_f32: y may be an input; an input may be listed twice', (ctx) => {
    const h = get(ctx);
    for (const n of [5, 17, 1000]) {
      h.reset();
      const xs = inputsOf(3, n, n);
      const px = putAll(h, xs);
      const py = putGuarded(h, new Float64Array(n));
      h.k.merge_sum_forward_f32(py, table(h, px), 3, n, 1);
      const want = h.read(py, n);
      h.k.merge_sum_forward_f32(px[1], table(h, px), 3, n, 1);
      expectSame(h.read(px[1], n), want, `in place n=${n}`);
      const pz = putGuarded(h, new Float64Array(n));
      h.k.merge_sum_forward_f32(pz, table(h, [px[0], px[0]]), 2, n, 0.5);
      expectSame(h.read(pz, n), xs[0], `average of x with itself n=${n}`);
    }
  });

  it('merge_sum_backward_f32 accumulates scale·dy, skipping 0 entries; a repeated entry gets both shares', (ctx) => {
    const h = get(ctx);
    for (const n of SIZES)
      for (const count of COUNTS)
        for (const skip of SKIPS(count))
          for (const scale of [1, Math.fround(1 / count)]) {
            h.reset();
            const dy = data(n, n + 1);
            const dx0 = inputsOf(count, n, n + 2);
            const pdx = putAll(h, dx0);
            const pdy = putGuarded(h, dy);
            h.k.merge_sum_backward_f32(table(h, pdx.map((p, i) => (skip[i] ? 0 : p))), pdy, count, n, scale);
            const want = dx0.map((d, i) => (skip[i] ? d : Float64Array.from(d)));
            ref.merge_sum_backward_f32(want.map((w, i) => (skip[i] ? null : w)), dy, count, n, scale);
            const label = `merge_sum_backward n=${n} count=${count} skip=${skip} scale=${scale}`;
            pdx.forEach((p, i) => {
              const got = h.read(p, n);
              if (scale === 1) expectSame(got, f32round(want[i]), `${label} dx${i}`);
              else expectClose(got, want[i], { rtol: 2.4e-7, atol: 1e-300, scale: 200, label: `${label} dx${i}` });
              expectGuard(h, p, n, `${label} dx${i}`);
            });
            expectInputs(h, [pdy], [dy], label);
          }
    // The same gradient buffer twice (add([x, x])): dx += 2·dy.
    const dy = data(9, 3);
    const pdx = putGuarded(h, new Float64Array(9).fill(1));
    h.k.merge_sum_backward_f32(table(h, [pdx, pdx]), putGuarded(h, dy), 2, 9, 1);
    expectSame(h.read(pdx, 9), Array.from(dy, (v) => Math.fround(Math.fround(1 + v) + v)), 'repeated entry');
  });

  it('subtract_forward_f32 = a − b exactly', (ctx) => {
    const h = get(ctx);
    for (const n of SIZES) {
      h.reset();
      const a = data(n, n + 4);
      const b = data(n, n + 5);
      const [pa, pb] = putAll(h, [a, b]);
      const py = putGuarded(h, new Float64Array(n).fill(-3));
      h.k.subtract_forward_f32(py, pa, pb, n);
      const want = new Float64Array(n);
      ref.subtract_forward_f32(want, a, b, n);
      expectSame(h.read(py, n), f32round(want), `subtract n=${n}`);
      expectGuard(h, py, n, `subtract n=${n}`);
      expectInputs(h, [pa, pb], [a, b], `subtract n=${n}`);
      // In place into b.
      h.k.subtract_forward_f32(pb, pa, pb, n);
      expectSame(h.read(pb, n), f32round(want), `subtract in place n=${n}`);
    }
  });

  it('merge_mul_forward_f32 = left-to-right f32 product', (ctx) => {
    const h = get(ctx);
    for (const n of SIZES)
      for (const count of COUNTS) {
        h.reset();
        const xs = inputsOf(count, n, 3 * n + count);
        const px = putAll(h, xs);
        const py = putGuarded(h, new Float64Array(n).fill(5));
        h.k.merge_mul_forward_f32(py, table(h, px), count, n);
        const label = `merge_mul_forward n=${n} count=${count}`;
        const want = new Float64Array(n);
        ref.merge_mul_forward_f32(want, xs, count, n);
        const got = h.read(py, n);
        expectClose(got, want, { rtol: 1.2e-7 * count, atol: 1e-300, label });
        const exact = Array.from({ length: n }, (_, e) => xs.reduce((s, x, i) => (i ? Math.fround(s * x[e]) : x[e]), 0));
        expectSame(got, exact, label);
        expectGuard(h, py, n, label);
        expectInputs(h, px, xs, label);
      }
  });

  it('merge_mul_backward_f32 accumulates dy·Π_{j≠i} x_j, exact with zeros in the inputs', (ctx) => {
    const h = get(ctx);
    for (const n of SIZES)
      for (const count of COUNTS)
        for (const skip of SKIPS(count)) {
          h.reset();
          const xs = inputsOf(count, n, 5 * n + count);
          // Zeros, one and two per element, where a division-based gradient would fail.
          for (let e = 0; e < n; e += 3) xs[e % count][e] = 0;
          for (let e = 0; e < n && count > 1; e += 7) xs[(e + 1) % count][e] = 0;
          const dy = data(n, n + 9);
          const dx0 = inputsOf(count, n, n + 11);
          const px = putAll(h, xs);
          const pdy = putGuarded(h, dy);
          const pdx = putAll(h, dx0);
          h.k.merge_mul_backward_f32(table(h, pdx.map((p, i) => (skip[i] ? 0 : p))), pdy, table(h, px), count, n);
          const want = dx0.map((d) => Float64Array.from(d));
          ref.merge_mul_backward_f32(want.map((w, i) => (skip[i] ? null : w)), dy, xs, count, n);
          const label = `merge_mul_backward n=${n} count=${count} skip=${skip}`;
          pdx.forEach((p, i) => {
            const got = h.read(p, n);
            if (skip[i]) expectSame(got, dx0[i], `${label} dx${i} skipped`);
            // Each element: one product of ≤ 4 factors (each rounded) and one add.
            const mag = Array.from({ length: n }, (_, e) => Math.abs(dy[e]) * xs.reduce((s, x, j) => (j === i ? s : s * Math.abs(x[e])), 1) + Math.abs(dx0[i][e]));
            for (let e = 0; e < n; e++) {
              if (!(Math.abs(got[e] - want[i][e]) <= 1e-300 + 1.2e-7 * (count + 1) * mag[e]))
                throw new Error(`${label} dx${i}[${e}] = ${got[e]}, expected ${want[i][e]}`);
            }
            expectGuard(h, p, n, `${label} dx${i}`);
          });
          expectInputs(h, [...px, pdy], [...xs, dy], label);
        }
    // Exact zeros: x = [0, 3], dy = 2 → dx0 += 6, dx1 += 0.
    const px = putAll(h, [[0], [3]]);
    const pdx = putAll(h, [[1], [1]]);
    h.k.merge_mul_backward_f32(table(h, pdx), putGuarded(h, [2]), table(h, px), 2, 1);
    expect([h.read(pdx[0], 1)[0], h.read(pdx[1], 1)[0]]).toEqual([7, 1]);
  });

  for (const isMin of [0, 1]) {
    const name = isMin ? 'min' : 'max';
    it(`merge_max_forward_f32 (${name}) is the left fold of Math.${name}`, (ctx) => {
      const h = get(ctx);
      for (const n of SIZES)
        for (const count of COUNTS)
          for (const gen of [data, coarse]) {
            h.reset();
            const xs = inputsOf(count, n, 11 * n + count, gen);
            const px = putAll(h, xs);
            const py = putGuarded(h, new Float64Array(n).fill(9));
            h.k.merge_max_forward_f32(py, table(h, px), count, n, isMin);
            const want = new Float64Array(n);
            ref.merge_max_forward_f32(want, xs, count, n, isMin);
            const label = `merge_max_forward ${name} n=${n} count=${count}`;
            expectSame(h.read(py, n), want, label);
            expectGuard(h, py, n, label);
            expectInputs(h, px, xs, label);
          }
    });

    it(`merge_max_backward_f32 (${name}) sends dy to the first input attaining it`, (ctx) => {
      const h = get(ctx);
      for (const n of SIZES)
        for (const count of COUNTS)
          for (const skip of SKIPS(count)) {
            h.reset();
            // Ties everywhere: the first input attaining the extreme must win.
            const xs = inputsOf(count, n, 13 * n + count, coarse);
            const dy = data(n, n + 21);
            const dx0 = inputsOf(count, n, n + 23);
            const px = putAll(h, xs);
            const pdy = putGuarded(h, dy);
            const pdx = putAll(h, dx0);
            h.k.merge_max_backward_f32(table(h, pdx.map((p, i) => (skip[i] ? 0 : p))), pdy, table(h, px), count, n, isMin);
            const want = dx0.map((d) => Float64Array.from(d));
            ref.merge_max_backward_f32(want.map((w, i) => (skip[i] ? null : w)), dy, xs, count, n, isMin);
            const label = `merge_max_backward ${name} n=${n} count=${count} skip=${skip}`;
            pdx.forEach((p, i) => {
              expectSame(h.read(p, n), f32round(want[i]), `${label} dx${i}`);
              expectGuard(h, p, n, `${label} dx${i}`);
            });
            expectInputs(h, [...px, pdy], [...xs, dy], label);
          }
    });
  }

  it('merge_max (both) with NaN and signed zeros: every position of the vector and the tail', (ctx) => {
    const h = get(ctx);
    const cases: number[][] = [
      [NaN, 1, 2], [1, NaN, 2], [1, 2, NaN], [NaN, NaN, 1],
      [-0, 0, -0], [0, -0, 0], [1, 1, 1], [2, 1, 2], [1, 2, 2],
      [-Infinity, -Infinity, 3], [Infinity, NaN, Infinity],
    ];
    for (const isMin of [0, 1])
      for (const c of cases)
        for (const n of [1, 4, 7]) {
          h.reset();
          const count = c.length;
          // Element n−1 (the tail when n = 7) and element 0 (a vector lane) hold the case.
          const xs = c.map((v, i) => {
            const a = data(n, 40 + i);
            a[0] = v;
            a[n - 1] = v;
            return a;
          });
          const dy = f32round(randomArray(n, 41, 1, 2));
          const px = putAll(h, xs);
          const py = putGuarded(h, new Float64Array(n));
          h.k.merge_max_forward_f32(py, table(h, px), count, n, isMin);
          const want = new Float64Array(n);
          ref.merge_max_forward_f32(want, xs, count, n, isMin);
          const label = `merge_max isMin=${isMin} case=[${c}] n=${n}`;
          const got = h.read(py, n);
          expectSame(got, want, label);
          expect(Object.is(got[0], want[0]), `${label}: sign of zero`).toBe(true);
          const pdx = putAll(h, c.map(() => new Float64Array(n)));
          h.k.merge_max_backward_f32(table(h, pdx), putGuarded(h, dy), table(h, px), count, n, isMin);
          const wdx = c.map(() => new Float64Array(n));
          ref.merge_max_backward_f32(wdx, dy, xs, count, n, isMin);
          pdx.forEach((p, i) => expectSame(h.read(p, n), wdx[i], `${label} dx${i}`));
        }
  });

  it('concat_forward_f32 / concat_backward_f32: widths at, below and above the SIMD width', (ctx) => {
    const h = get(ctx);
    const WIDTHS = [[1, 1], [3, 4], [4, 4], [5, 17, 1], [4, 0, 8], [1, 2, 3, 4], [2], [1000, 17], [9, 33, 7, 6]];
    for (const widths of WIDTHS)
      for (const outer of [0, 1, 3, 7]) {
        h.reset();
        const count = widths.length;
        const total = widths.reduce((s, w) => s + w, 0);
        const xs = widths.map((w, i) => data(outer * w, 100 * w + i + outer));
        const px = putAll(h, xs);
        const pw = putGuardedI32(h, widths);
        const py = putGuarded(h, new Float64Array(outer * total).fill(-8));
        h.k.concat_forward_f32(py, table(h, px), pw, count, outer, total);
        const want = new Float64Array(outer * total);
        ref.concat_forward_f32(want, xs, widths, count, outer, total);
        const label = `concat widths=[${widths}] outer=${outer}`;
        expectSame(h.read(py, outer * total), want, `${label} forward`);
        expectGuard(h, py, outer * total, `${label} forward`);
        expectInputs(h, px, xs, `${label} forward`);
        expectGuardI32(h, pw, count, label);

        for (const skip of SKIPS(count)) {
          const dy = data(outer * total, total + outer);
          const dx0 = widths.map((w, i) => data(outer * w, 7 * w + i));
          const pdx = putAll(h, dx0);
          const pdy = putGuarded(h, dy);
          h.k.concat_backward_f32(table(h, pdx.map((p, i) => (skip[i] ? 0 : p))), pdy, pw, count, outer, total);
          const wdx = dx0.map((d) => Float64Array.from(d));
          ref.concat_backward_f32(wdx.map((w, i) => (skip[i] ? null : w)), dy, widths, count, outer, total);
          pdx.forEach((p, i) => {
            expectSame(h.read(p, dx0[i].length), f32round(wdx[i]), `${label} skip=${skip} dx${i}`);
            expectGuard(h, p, dx0[i].length, `${label} skip=${skip} dx${i}`);
          });
          expectInputs(h, [pdy], [dy], `${label} backward`);
        }
      }
    // One input listed twice (concatenate([x, x])): forward copies it twice, backward adds both halves.
    const x = data(6, 1);
    const px = putGuarded(h, x);
    const pw = putGuardedI32(h, [3, 3]);
    const py = putGuarded(h, new Float64Array(12));
    h.k.concat_forward_f32(py, table(h, [px, px]), pw, 2, 2, 6);
    expectSame(h.read(py, 12), [...x.slice(0, 3), ...x.slice(0, 3), ...x.slice(3), ...x.slice(3)], 'concat [x, x]');
    const pdx = putGuarded(h, new Float64Array(6));
    const dy = data(12, 2);
    h.k.concat_backward_f32(table(h, [pdx, pdx]), putGuarded(h, dy), pw, 2, 2, 6);
    expectSame(h.read(pdx, 6), [0, 1, 2, 6, 7, 8].map((j) => Math.fround(dy[j] + dy[j + 3])), 'concat [x, x] backward');
  });

  const MM_DIMS = [1, 3, 4, 5, 8, 9, 17];
  const TRANS: [number, number][] = [[0, 0], [0, 1], [1, 0], [1, 1]];

  it('batch_matmul_forward_f32 = op(A)·op(B) per batch element, overwriting y', (ctx) => {
    const h = get(ctx);
    for (const [transA, transB] of TRANS)
      for (const batch of [1, 3])
        for (const m of MM_DIMS)
          for (const n of MM_DIMS)
            for (const k of [0, 1, 4, 5, 9, 33]) {
              h.reset();
              const seed = m * 1000 + n * 10 + k + batch;
              const a = f32round(randomArray(batch * m * k, seed));
              const b = f32round(randomArray(batch * k * n, seed + 1));
              const [pa, pb] = putAll(h, [a, b]);
              const py = putGuarded(h, randomArray(batch * m * n, seed + 2, 50, 100));
              h.k.batch_matmul_forward_f32(py, pa, pb, batch, m, n, k, transA, transB);
              const want = new Float64Array(batch * m * n);
              ref.batch_matmul_forward_f32(want, a, b, batch, m, n, k, transA, transB);
              const label = `batch_matmul_forward tA=${transA} tB=${transB} batch=${batch} m=${m} n=${n} k=${k}`;
              expectClose(h.read(py, batch * m * n), want, { rtol: 2e-6, atol: 1e-6, scale: Math.sqrt(k) + 1, label });
              expectGuard(h, py, batch * m * n, label);
              expectInputs(h, [pa, pb], [a, b], label);
            }
  });

  it('batch_matmul_backward_f32 accumulates dA and dB (either may be skipped)', (ctx) => {
    const h = get(ctx);
    for (const [transA, transB] of TRANS)
      for (const batch of [1, 2])
        for (const m of MM_DIMS)
          for (const n of [1, 4, 5, 9, 17])
            for (const k of [1, 3, 4, 8, 9])
              for (const skip of ['none', 'da', 'db'] as const) {
                h.reset();
                const seed = m * 1000 + n * 10 + k + batch;
                const a = f32round(randomArray(batch * m * k, seed));
                const b = f32round(randomArray(batch * k * n, seed + 1));
                const dy = f32round(randomArray(batch * m * n, seed + 2));
                const da0 = f32round(randomArray(batch * m * k, seed + 3));
                const db0 = f32round(randomArray(batch * k * n, seed + 4));
                const [pa, pb, pdy, pda, pdb] = putAll(h, [a, b, dy, da0, db0]);
                h.k.batch_matmul_backward_f32(skip === 'da' ? 0 : pda, skip === 'db' ? 0 : pdb, pdy, pa, pb, batch, m, n, k, transA, transB);
                const da = Float64Array.from(da0);
                const db = Float64Array.from(db0);
                ref.batch_matmul_backward_f32(skip === 'da' ? null : da, skip === 'db' ? null : db, dy, a, b, batch, m, n, k, transA, transB);
                const label = `batch_matmul_backward tA=${transA} tB=${transB} batch=${batch} m=${m} n=${n} k=${k} skip=${skip}`;
                expectClose(h.read(pda, da.length), da, { rtol: 2e-6, atol: 1e-6, scale: Math.sqrt(n) + 1, label: `${label} da` });
                expectClose(h.read(pdb, db.length), db, { rtol: 2e-6, atol: 1e-6, scale: Math.sqrt(m) + 1, label: `${label} db` });
                expectGuard(h, pda, da.length, `${label} da`);
                expectGuard(h, pdb, db.length, `${label} db`);
                expectInputs(h, [pa, pb, pdy], [a, b, dy], label);
              }
  });
});

describe('merge references', () => {
  it('batch_matmul_backward_f32 is the gradient of batch_matmul_forward_f32 (central differences)', () => {
    for (const [transA, transB] of [[0, 0], [0, 1], [1, 0], [1, 1]])
      for (const [batch, m, n, k] of [[1, 1, 1, 1], [2, 3, 4, 5], [1, 5, 2, 3]]) {
        const a = randomArray(batch * m * k, 1);
        const b = randomArray(batch * k * n, 2);
        const dy = randomArray(batch * m * n, 3);
        // f = Σ dy·Y, so ∂f/∂A = dA and ∂f/∂B = dB.
        const f = (aa: Float64Array, bb: Float64Array) => {
          const y = new Float64Array(batch * m * n);
          ref.batch_matmul_forward_f32(y, aa, bb, batch, m, n, k, transA, transB);
          return y.reduce((s, v, i) => s + v * dy[i], 0);
        };
        const da = new Float64Array(a.length);
        const db = new Float64Array(b.length);
        ref.batch_matmul_backward_f32(da, db, dy, a, b, batch, m, n, k, transA, transB);
        expect(gradErrorRatio(da, numericGrad((x) => f(x, b), a))).toBeLessThanOrEqual(1);
        expect(gradErrorRatio(db, numericGrad((x) => f(a, x), b))).toBeLessThanOrEqual(1);
      }
  });

  it('merge_mul_backward_f32 and merge_max_backward_f32 (away from ties) are gradients of their forwards', () => {
    const n = 5;
    for (const count of [2, 3, 4]) {
      const xs = Array.from({ length: count }, (_, i) => randomArray(n, 10 + i));
      const dy = randomArray(n, 9);
      for (const kind of ['mul', 'max', 'min'] as const) {
        const fwd = (ins: Float64Array[]) => {
          const y = new Float64Array(n);
          if (kind === 'mul') ref.merge_mul_forward_f32(y, ins, count, n);
          else ref.merge_max_forward_f32(y, ins, count, n, kind === 'min' ? 1 : 0);
          return y.reduce((s, v, e) => s + v * dy[e], 0);
        };
        const dxs = xs.map(() => new Float64Array(n));
        if (kind === 'mul') ref.merge_mul_backward_f32(dxs, dy, xs, count, n);
        else ref.merge_max_backward_f32(dxs, dy, xs, count, n, kind === 'min' ? 1 : 0);
        xs.forEach((x, i) => {
          const g = numericGrad((v) => fwd(xs.map((o, j) => (j === i ? v : o))), x);
          expect(gradErrorRatio(dxs[i], g), `${kind} count=${count} input ${i}`).toBeLessThanOrEqual(1);
        });
      }
    }
  });

  it('merge_max_backward_f32 matches TF.js: tf.grads of a left fold of tf.maximum / tf.minimum', async () => {
    await tf.setBackend('cpu');
    const cases: number[][] = [
      [1, 1, 1], [2, 1, 2], [1, 2, 2], [3, 1, 2], [NaN, 1, 2], [1, NaN, 2], [1, 2, NaN],
      [-0, 0, -0], [0, -0, 0], [-Infinity, -Infinity, 5], [Infinity, Infinity, 1], [0, 1], [1, 0], [1, 1],
    ];
    for (const isMin of [0, 1])
      for (const c of cases) {
        const count = c.length;
        const dy = [1.5];
        const op = isMin ? tf.minimum : tf.maximum;
        const grads = tf.grads((...ins: tf.Tensor[]) => ins.slice(1).reduce((m, x) => op(m, x), ins[0]))(
          c.map((v) => tf.tensor1d([v])),
          tf.tensor1d(dy),
        );
        const tfdx = grads.map((g) => g.dataSync()[0]);
        const tfy = c.slice(1).reduce((m, v) => (isMin ? Math.min(m, v) : Math.max(m, v)), c[0]);
        const xs = c.map((v) => Float64Array.of(v));
        const y = new Float64Array(1);
        ref.merge_max_forward_f32(y, xs, count, 1, isMin);
        expect(Object.is(y[0], tfy), `forward isMin=${isMin} [${c}]`).toBe(true);
        const dxs = c.map(() => new Float64Array(1));
        ref.merge_max_backward_f32(dxs, Float64Array.from(dy), xs, count, 1, isMin);
        expect(dxs.map((d) => d[0]), `backward isMin=${isMin} [${c}]`).toEqual(tfdx.map((v) => v + 0));
      }
  });
});

describe('typed kernel calls (checked by `npx tsc -p tsconfig.json`)', () => {
  it('a call with a missing or extra argument, or using a void result, does not type-check', () => {
    // Never called: only its types matter. Each @ts-expect-error fails tsc if the line compiles.
    const calls = (k: Kernels) => {
      k.merge_sum_forward_f32(0, 0, 2, 4, 1);
      // @ts-expect-error scale missing
      k.merge_sum_forward_f32(0, 0, 2, 4);
      // @ts-expect-error one argument too many
      k.merge_max_forward_f32(0, 0, 2, 4, 0, 1);
      k.batch_matmul_backward_f32(0, 0, 0, 0, 0, 1, 2, 3, 4, 0, 1);
      // @ts-expect-error transB missing
      k.batch_matmul_backward_f32(0, 0, 0, 0, 0, 1, 2, 3, 4, 0);
      const bytes: number = k.gemm_workspace_bytes(1, 2, 3);
      const loss: number = k.mse_f32(0, 0, 0, 4);
      // @ts-expect-error a void kernel returns nothing
      const none: number = k.concat_forward_f32(0, 0, 0, 2, 1, 4);
      const name: KernelNameOfArity<4> = 'subtract_forward_f32';
      // @ts-expect-error merge_mul_forward_f32 takes 4 arguments, not 5
      const wrong: KernelNameOfArity<5> = 'merge_mul_forward_f32';
      return [bytes, loss, none, name, wrong];
    };
    expect(typeof calls).toBe('function');
  });
});
