// Permute / RepeatVector kernels against test/reference/permute.ts on the default and relaxed
// binaries: copies are exact, accumulation matches f64 sums to f32 rounding.
import { expect, it } from 'vitest';
import { expectClose, f32round, randomArray } from '../helpers/harness.ts';
import { expectGuard, expectSame, describeVariants, putGuarded, putGuardedI32 } from '../helpers/guarded.ts';
import * as ref from '../reference/permute.ts';

/** [sample shape, permutation (0-based)]: last axis kept (contiguous rows) and moved (strided). */
const CASES: [number[], number[]][] = [
  [[5], [0]],
  [[3, 4], [1, 0]],
  [[3, 4], [0, 1]],
  [[2, 9], [1, 0]],
  [[2, 3, 5], [1, 0, 2]],
  [[2, 3, 5], [2, 0, 1]],
  [[4, 1, 7], [0, 2, 1]],
  [[2, 3, 4, 5], [3, 1, 2, 0]],
  [[2, 3, 4, 17], [1, 2, 0, 3]],
];

const inverse = (perm: number[]) => perm.map((_, k) => perm.indexOf(k));

describeVariants('permute kernels', (get) => {
  it('permute_f32 forward permutes every sample exactly; backward (inverse, accumulate) matches', (ctx) => {
    const h = get(ctx);
    for (const [shape, perm] of CASES) {
      const size = shape.reduce((a, b) => a * b, 1);
      for (const count of [0, 1, 3]) {
        const label = `shape=[${shape}] perm=[${perm}] count=${count}`;
        const x = f32round(randomArray(count * size, size + count, -3, 3));
        const dims = ref.permuteDims(shape, perm);
        const want = new Float64Array(count * size);
        ref.permute_f32(want, x, dims, count, shape.length, size, 0);
        const py = putGuarded(h, new Float64Array(count * size).fill(5));
        const pdims = putGuardedI32(h, dims);
        h.k.permute_f32(py, putGuarded(h, x), pdims, count, shape.length, size, 0);
        expectSame(h.read(py, count * size), want, label);
        expectGuard(h, py, count * size, label);
        // Backward: dx += inverse permutation of dy (dy = the forward output gives x back, plus dx0).
        const outShape = perm.map((p) => shape[p]);
        const bdims = ref.permuteDims(outShape, inverse(perm));
        const dx0 = f32round(randomArray(count * size, 3 * size + count));
        const wantDx = Float64Array.from(dx0);
        ref.permute_f32(wantDx, want, bdims, count, shape.length, size, 1);
        const pdx = putGuarded(h, dx0);
        h.k.permute_f32(pdx, py, putGuardedI32(h, bdims), count, shape.length, size, 1);
        expectClose(h.read(pdx, count * size), wantDx, { label: `${label} backward` });
        expectGuard(h, pdx, count * size, `${label} backward`);
        const roundTrip = new Float64Array(count * size);
        ref.permute_f32(roundTrip, want, bdims, count, shape.length, size, 0);
        expect(Array.from(roundTrip)).toEqual(Array.from(x));
      }
    }
  });

  it('permute_f32 with a 0 stride repeats (RepeatVector forward)', (ctx) => {
    const h = get(ctx);
    for (const [n, f] of [[1, 1], [3, 4], [2, 5], [7, 9], [4, 33]]) {
      const count = 3;
      const x = f32round(randomArray(count * f, n + f));
      const dims = [n, f, 0, 1];
      const want = new Float64Array(count * n * f);
      ref.permute_f32(want, x, dims, count, 2, f, 0);
      const py = putGuarded(h, new Float64Array(count * n * f));
      h.k.permute_f32(py, putGuarded(h, x), putGuardedI32(h, dims), count, 2, f, 0);
      expectSame(h.read(py, count * n * f), want, `n=${n} f=${f}`);
      expectGuard(h, py, count * n * f, `n=${n} f=${f}`);
      for (let s = 0; s < count; s++) for (let r = 0; r < n; r++) for (let j = 0; j < f; j++) expect(want[(s * n + r) * f + j]).toBe(x[s * f + j]);
    }
  });

  it('permute_f32 with a negative stride reverses time (Bidirectional), forward and accumulated', (ctx) => {
    const h = get(ctx);
    for (const [count, T, u] of [[1, 1, 1], [2, 3, 4], [3, 5, 7], [2, 28, 33]]) {
      const x = f32round(randomArray(count * T * u, count + T + u));
      const dims = putGuardedI32(h, [T, u, -u, 1]);
      const want = new Float64Array(count * T * u);
      for (let b = 0; b < count; b++) for (let t = 0; t < T; t++) for (let j = 0; j < u; j++) want[(b * T + t) * u + j] = x[(b * T + T - 1 - t) * u + j];
      const px = putGuarded(h, x);
      const py = putGuarded(h, new Float64Array(count * T * u));
      // The input pointer is each sample's last step; the time stride walks back from it.
      h.k.permute_f32(py, px + (T - 1) * u * 4, dims, count, 2, T * u, 0);
      expectSame(h.read(py, count * T * u), want, `count=${count} T=${T} u=${u}`);
      expectGuard(h, py, count * T * u, `count=${count} T=${T} u=${u}`);
      h.k.permute_f32(py, px + (T - 1) * u * 4, dims, count, 2, T * u, 1);
      expectSame(h.read(py, count * T * u), want.map((v) => Math.fround(2 * v)), `accumulated, count=${count} T=${T} u=${u}`);
    }
  });

  it('repeat_backward_f32 accumulates the sum of the copies', (ctx) => {
    const h = get(ctx);
    for (const [count, n, f] of [[0, 2, 3], [1, 1, 1], [2, 3, 4], [3, 5, 7], [2, 4, 9], [5, 6, 33]]) {
      const dy = f32round(randomArray(count * n * f, count + n + f));
      const dx0 = f32round(randomArray(count * f, 2 * f + 1));
      const want = Float64Array.from(dx0);
      ref.repeat_backward_f32(want, dy, count, n, f);
      const pdx = putGuarded(h, dx0);
      h.k.repeat_backward_f32(pdx, putGuarded(h, dy), count, n, f);
      const label = `count=${count} n=${n} f=${f}`;
      expectClose(h.read(pdx, count * f), want, { rtol: 1e-6, atol: 1e-6, label });
      expectGuard(h, pdx, count * f, label);
      h.k.repeat_backward_f32(0, putGuarded(h, dy), count, n, f);
    }
  });
});
