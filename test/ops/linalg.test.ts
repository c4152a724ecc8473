// matMul, dot, outerProduct, softmax and logSoftmax against TF.js (cpu backend), on the JS path
// and on the wasm path (GEMM kernels), with transposes, batches and broadcasting.
import { describe, expect, it } from 'vitest';
import { Rng, tf } from '../helpers/tfjs.ts';
import { bothTensors, PATHS, setupWasmOps } from '../helpers/ops.ts';
import { Tensor, tensor, type DType } from '../../src/tensor.ts';
import { memory } from '../../src/ops/tidy.ts';
import * as la from '../../src/ops/linalg.ts';

setupWasmOps();

function data(shape: number[], dtype: DType, seed: number, lo = -2, hi = 2): { sn: Tensor; tf: tf.Tensor } {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Array.from({ length: n }, () => (dtype === 'int32' ? rng.int(9) - 4 : Math.fround(rng.uniform(lo, hi))));
  return bothTensors(v, shape, dtype);
}

/**
 * Closeness for sums of k products: |a − e| ≤ rtol·(|e| + scale), scale the typical size of the
 * terms (both sides round float32 products and partial sums differently).
 */
function expectLike(got: Tensor, want: tf.Tensor, label: string, rtol = 1e-6, scale = 0): void {
  expect(got.dtype, `${label}: dtype`).toBe(want.dtype);
  expect([...got.shape], `${label}: shape`).toEqual(want.shape);
  const g = got.values;
  const w = want.dataSync() as Float32Array | Int32Array;
  for (let i = 0; i < w.length; i++) {
    const ok = g[i] === w[i] || (Number.isNaN(g[i]) && Number.isNaN(w[i])) || Math.abs(g[i] - w[i]) <= 1e-30 + rtol * (Math.abs(w[i]) + scale);
    if (!ok) throw new Error(`${label}: element ${i} is ${g[i]}, TF.js gives ${w[i]}`);
  }
}

/** The broadcast of two shapes' batch dimensions (all but the last two). */
function got0Batch(a: number[], b: number[]): number[] {
  const x = a.slice(0, -2);
  const y = b.slice(0, -2);
  const n = Math.max(x.length, y.length);
  return Array.from({ length: n }, (_, i) => Math.max(x[x.length - n + i] ?? 1, y[y.length - n + i] ?? 1));
}

for (const [path, setPath] of Object.entries(PATHS)) {
  describe(`matMul matches TF.js (${path} path)`, () => {
    it('rank 2, every transpose combination, sizes around the GEMM tiles', () => {
      setPath();
      let seed = 1;
      for (const [m, k, n] of [[1, 1, 1], [2, 3, 4], [5, 8, 7], [13, 17, 9], [6, 300, 11], [64, 64, 64], [130, 70, 33], [1, 257, 1], [0, 3, 4], [3, 0, 4]]) {
        for (const tA of [false, true]) {
          for (const tB of [false, true]) {
            const a = data(tA ? [k, m] : [m, k], 'float32', seed++);
            const b = data(tB ? [n, k] : [k, n], 'float32', seed++);
            const label = `[${m}x${k}]·[${k}x${n}] tA ${tA} tB ${tB}`;
            // Terms are products of values in [−2, 2): a float32 sum of k of them errs by ~k·ε·4.
            expectLike(la.matMul(a.sn, b.sn, tA, tB), tf.matMul(a.tf, b.tf, tA, tB), label, 1e-6 * Math.max(1, Math.sqrt(k)), 4);
          }
        }
      }
    });

    it('batched matMul with broadcast batch dimensions', () => {
      setPath();
      let seed = 100;
      const cases: [number[], number[]][] = [
        [[3, 4, 5], [3, 5, 2]],
        [[2, 3, 4, 5], [2, 3, 5, 6]],
        [[1, 4, 5], [3, 5, 2]],
        [[3, 4, 5], [1, 5, 2]],
        [[2, 1, 4, 5], [3, 5, 6]],
        [[4, 5], [2, 5, 3]],
        [[2, 3, 4], [4, 6]],
      ];
      for (const [sa, sb] of cases) {
        for (const tA of [false, true]) {
          for (const tB of [false, true]) {
            const ta = tA ? [...sa.slice(0, -2), sa[sa.length - 1], sa[sa.length - 2]] : sa;
            const tb = tB ? [...sb.slice(0, -2), sb[sb.length - 1], sb[sb.length - 2]] : sb;
            const a = data(ta, 'float32', seed++);
            const b = data(tb, 'float32', seed++);
            // TF.js's cpu kernel pairs batches by flat index modulo each batch size, which is
            // broadcasting only when one side's batch is all ones or equal to the output's.
            const outBatch = got0Batch(sa, sb);
            const pairable = (s: number[]) => s.slice(0, -2).every((d) => d === 1) || s.slice(0, -2).join() === outBatch.join();
            const got = la.matMul(a.sn, b.sn, tA, tB);
            if (pairable(ta) && pairable(tb)) expectLike(got, tf.matMul(a.tf, b.tf, tA, tB), `[${ta}]·[${tb}] ${tA} ${tB}`, 1e-6, 4);
            else {
              // [2,1,4,5]·[3,5,6] → [2,3,4,6]: check against per-batch TF.js products.
              expect([...got.shape]).toEqual([2, 3, 4, 6]);
              const A = tf.reshape(a.tf, [2, ...ta.slice(-2)]);
              const B = b.tf;
              const want = tf.stack([0, 1].map((i) => tf.stack([0, 1, 2].map((j) => tf.matMul(tf.gather(A, i), tf.gather(B, j), tA, tB)))));
              expectLike(got, want, `broadcast batch [${ta}]·[${tb}]`, 1e-6, 4);
            }
          }
        }
      }
    });

    it('int32 matMul stays int32; int32·float32 upcasts', () => {
      setPath();
      const a = data([3, 4], 'int32', 7);
      const b = data([4, 2], 'int32', 8);
      const f = data([4, 2], 'float32', 9);
      expectLike(la.matMul(a.sn, b.sn), tf.matMul(a.tf, b.tf), 'int32');
      expectLike(la.matMul(a.sn, f.sn), tf.matMul(a.tf, f.tf), 'int32·float32', 1e-6, 4);
    });

    it('dot of vectors and matrices, outerProduct', () => {
      setPath();
      const v = data([5], 'float32', 20);
      const w = data([5], 'float32', 21);
      const m = data([5, 3], 'float32', 22);
      const mt = data([4, 5], 'float32', 23);
      expectLike(la.dot(v.sn, w.sn), tf.dot(v.tf, w.tf), 'vector·vector', 1e-6, 4);
      expectLike(la.dot(v.sn, m.sn), tf.dot(v.tf, m.tf), 'vector·matrix', 1e-6, 4);
      expectLike(la.dot(mt.sn, v.sn), tf.dot(mt.tf, v.tf), 'matrix·vector', 1e-6, 4);
      expectLike(la.dot(mt.sn, m.sn), tf.dot(mt.tf, m.tf), 'matrix·matrix', 1e-6, 4);
      expectLike(la.outerProduct(v.sn, w.sn), tf.outerProduct(v.tf as tf.Tensor1D, w.tf as tf.Tensor1D), 'outerProduct');
    });
  });

  describe(`softmax and logSoftmax match TF.js (${path} path)`, () => {
    it('over the last axis of ranks 1 to 3, large logits too', () => {
      setPath();
      let seed = 300;
      for (const shape of [[1], [7], [3, 5], [2, 3, 17], [40, 33], [4, 10]]) {
        for (const [lo, hi] of [[-3, 3], [-80, 80], [500, 520]]) {
          const x = data(shape, 'float32', seed++, lo, hi);
          expectLike(la.softmax(x.sn), tf.softmax(x.tf), `softmax [${shape}] in [${lo}, ${hi})`, 2e-6);
          expectLike(la.softmax(x.sn, shape.length - 1), tf.softmax(x.tf, shape.length - 1), `softmax [${shape}] explicit dim`, 2e-6);
          expectLike(la.logSoftmax(x.sn), tf.logSoftmax(x.tf), `logSoftmax [${shape}] in [${lo}, ${hi})`, 2e-6, 1e-3);
        }
      }
      const i = data([3, 4], 'int32', 9);
      expectLike(la.logSoftmax(i.sn), tf.logSoftmax(i.tf), 'logSoftmax of int32', 2e-6);
    });
  });
}

describe('linalg: arguments and errors', () => {
  it('plain arrays are accepted', () => {
    expectLike(la.matMul([[1, 2]], [[3], [4]]), tf.matMul([[1, 2]], [[3], [4]]), 'arrays');
    expectLike(la.softmax([1, 2, 3]), tf.softmax([1, 2, 3]), 'softmax of an array', 2e-6);
    expectLike(la.dot([1, 2], [3, 4]), tf.dot([1, 2], [3, 4]), 'dot of arrays');
  });

  it('large matMul at the default threshold (GEMM) agrees with TF.js', () => {
    const a = data([96, 200], 'float32', 40);
    const b = data([200, 80], 'float32', 41);
    expectLike(la.matMul(a.sn, b.sn), tf.matMul(a.tf, b.tf), 'large', 1e-5, 4);
  });

  it('results count as one tensor each; converted arguments are disposed', () => {
    const n0 = memory().numTensors;
    const r = [la.matMul([[1]], [[2]]), la.dot([1], [2]), la.outerProduct([1], [2]), la.softmax([1, 2]), la.logSoftmax([1, 2])];
    expect(memory().numTensors - n0).toBe(r.length);
    r.forEach((t) => t.dispose());
    expect(() => la.matMul([[1, 2]], [[1, 2]])).toThrow();
    expect(memory().numTensors).toBe(n0);
  });

  it('errors name the op, the shapes and the option', () => {
    expect(() => la.matMul(tensor([[1, 2]]), tensor([[1, 2]]))).toThrow(/matMul: inner dimensions differ: 2 \(a \[1, 2\]\) vs 1 \(b \[1, 2\]\)/);
    expect(() => la.matMul(tensor([1, 2]), tensor([[1], [2]]))).toThrow(/matMul: both operands must have rank >= 2/);
    expect(() => la.matMul(tensor([[1]]), tensor([[1]]), 1 as unknown as boolean)).toThrow(/matMul: transposeA: expected true or false, got 1/);
    expect(() => la.matMul(tensor([[1]]), tensor([[1]]), false, 'no' as unknown as boolean)).toThrow(/matMul: transposeB: expected true or false, got "no"/);
    expect(() => la.matMul(tensor(new Float32Array(8), [2, 2, 2]), tensor(new Float32Array(12), [3, 2, 2]))).toThrow(/matMul: batch dimensions: shapes \[2\] and \[3\] cannot be broadcast/);
    expect(() => la.dot(tensor(new Float32Array(8), [2, 2, 2]), [1, 2])).toThrow(/dot: inputs must be rank 1 or 2, got ranks 3 and 1/);
    expect(() => la.dot([1, 2, 3], [1, 2])).toThrow(/dot: inner dimensions differ: 3/);
    expect(() => la.outerProduct([[1]], [1])).toThrow(/outerProduct: inputs must be rank 1, got ranks 2 and 1/);
    expect(() => la.softmax(tensor([[1, 2]]), 0)).toThrow(/softmax: only the last axis is supported \(-1 or 1, as in TF.js\), got dim 0/);
    expect(() => la.softmax(tensor([1, 2]), 0.5)).toThrow(/softmax: dim must be an integer, got 0.5/);
    expect(() => la.softmax(tensor([1, 2], [2], 'int32'))).toThrow(/softmax: logits must be a float32 tensor, got int32/);
    expect(() => la.logSoftmax(tensor([[1, 2]]), -2)).toThrow(/logSoftmax: only the last axis is supported/);
    expect(() => la.softmax(tensor(3))).toThrow(/softmax: logits must have rank >= 1/);
  });
});
