// Embedding kernels against test/reference/embedding.ts, on the default and relaxed binaries:
// the gather is exact, the scatter-add matches the f64 sums to f32 rounding, ids int32 or float32,
// invalid ids reported by position.
import { expect, it } from 'vitest';
import { expectClose, f32round, randomArray } from '../helpers/harness.ts';
import { expectGuard, expectSame, describeVariants, putGuarded, putGuardedI32 } from '../helpers/guarded.ts';
import { Random } from '../../src/random.ts';
import * as ref from '../reference/embedding.ts';

const SHAPES: [number, number, number][] = [
  // [count, inputDim, outputDim]: widths below, at and above the SIMD width, odd ones.
  [0, 3, 4],
  [1, 1, 1],
  [5, 3, 3],
  [7, 10, 4],
  [9, 4, 5],
  [16, 50, 8],
  [33, 7, 17],
  [64, 1000, 33],
];

function idsFor(count: number, inputDim: number, seed: number): number[] {
  const r = new Random(seed);
  // Repeats on purpose (small vocabularies): the scatter-add must collect every occurrence.
  return Array.from({ length: count }, () => Math.min(inputDim - 1, Math.floor(r.uniform() * inputDim)));
}

describeVariants('embedding kernels', (get) => {
  it('embedding_forward_f32 gathers the rows exactly (int32 and float32 ids)', (ctx) => {
    const h = get(ctx);
    for (const [count, inputDim, outputDim] of SHAPES) {
      const table = f32round(randomArray(inputDim * outputDim, inputDim + outputDim, -2, 2));
      const ids = idsFor(count, inputDim, count + 1);
      const want = new Float64Array(count * outputDim);
      expect(ref.embedding_forward_f32(want, ids, table, count, inputDim, outputDim, 0)).toBe(-1);
      const pt = putGuarded(h, table);
      for (const f32 of [0, 1]) {
        const pi = f32 ? putGuarded(h, ids) : putGuardedI32(h, ids);
        const py = putGuarded(h, new Float64Array(count * outputDim).fill(7));
        const label = `count=${count} inputDim=${inputDim} outputDim=${outputDim} idsF32=${f32}`;
        expect(h.k.embedding_forward_f32(py, pi, pt, count, inputDim, outputDim, f32), label).toBe(-1);
        expectSame(h.read(py, count * outputDim), want, label);
        expectGuard(h, py, count * outputDim, label);
      }
    }
  });

  it('embedding_forward_f32 returns the position of the first invalid id', (ctx) => {
    const h = get(ctx);
    const inputDim = 5;
    const outputDim = 3;
    const pt = putGuarded(h, f32round(randomArray(inputDim * outputDim, 3)));
    const cases: [number[], number][] = [
      [[0, 1, 4, 2], -1],
      [[0, 5, 1], 1],
      [[2, 3, -1, 9], 2],
      [[7], 0],
      [[1, 2, 3, 4, 0, 2147483647], 5],
    ];
    for (const [ids, at] of cases) {
      const want = new Float64Array(ids.length * outputDim);
      expect(ref.embedding_forward_f32(want, ids, f32round(h.read(pt, inputDim * outputDim)), ids.length, inputDim, outputDim, 0)).toBe(at);
      const py = putGuarded(h, new Float64Array(ids.length * outputDim));
      expect(h.k.embedding_forward_f32(py, putGuardedI32(h, ids), pt, ids.length, inputDim, outputDim, 0), `int32 ${ids}`).toBe(at);
      expect(h.k.embedding_forward_f32(py, putGuarded(h, ids), pt, ids.length, inputDim, outputDim, 1), `float32 ${ids}`).toBe(at);
      expectGuard(h, py, ids.length * outputDim, `${ids}`);
    }
    // Float ids: fractions, NaN, infinities and the vocabulary size itself are invalid.
    for (const bad of [1.5, NaN, Infinity, -Infinity, 5, -0.5, 4.0000005]) {
      const ids = [1, 2, bad, 0];
      const py = putGuarded(h, new Float64Array(ids.length * outputDim));
      expect(h.k.embedding_forward_f32(py, putGuarded(h, ids), pt, ids.length, inputDim, outputDim, 1), `float id ${bad}`).toBe(2);
      expect(ref.embedding_forward_f32(new Float64Array(12), Array.from(Float32Array.from(ids)), [], ids.length, inputDim, outputDim, 1), `reference, float id ${bad}`).toBe(2);
    }
  });

  it('embedding_backward_f32 scatter-adds dy into the table gradient (repeated ids accumulate)', (ctx) => {
    const h = get(ctx);
    for (const [count, inputDim, outputDim] of SHAPES) {
      const ids = idsFor(count, inputDim, 2 * count + 3);
      const dy = f32round(randomArray(count * outputDim, count + 7, -1, 1));
      const d0 = f32round(randomArray(inputDim * outputDim, inputDim + 11, -1, 1));
      const want = Float64Array.from(d0);
      ref.embedding_backward_f32(want, dy, ids, count, inputDim, outputDim, 0);
      const pdy = putGuarded(h, dy);
      for (const f32 of [0, 1]) {
        const pi = f32 ? putGuarded(h, ids) : putGuardedI32(h, ids);
        const pd = putGuarded(h, d0);
        const label = `count=${count} inputDim=${inputDim} outputDim=${outputDim} idsF32=${f32}`;
        h.k.embedding_backward_f32(pd, pdy, pi, count, inputDim, outputDim, f32);
        expectClose(h.read(pd, inputDim * outputDim), want, { rtol: 1e-6, atol: 1e-6, label });
        expectGuard(h, pd, inputDim * outputDim, label);
      }
    }
  });

  it('embedding_backward_f32 skips invalid ids and a 0 gradient pointer', (ctx) => {
    const h = get(ctx);
    const ids = [1, 9, -3, 1];
    const dy = f32round(randomArray(4 * 6, 5));
    const want = new Float64Array(3 * 6);
    ref.embedding_backward_f32(want, dy, ids, 4, 3, 6, 0);
    const pd = putGuarded(h, new Float64Array(3 * 6));
    h.k.embedding_backward_f32(pd, putGuarded(h, dy), putGuardedI32(h, ids), 4, 3, 6, 0);
    expectClose(h.read(pd, 18), want, { label: 'invalid ids skipped' });
    expectGuard(h, pd, 18, 'invalid ids skipped');
    h.k.embedding_backward_f32(0, putGuarded(h, dy), putGuardedI32(h, ids), 4, 3, 6, 0);
  });
});
