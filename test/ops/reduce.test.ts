// Reductions against TF.js (cpu backend): every op over axes (none, one, negative, lists,
// non-adjacent), keepDims, dtypes, empty tensors and NaN, on the JS and the wasm path.
import { describe, expect, it } from 'vitest';
import { Rng, tf } from '../helpers/tfjs.ts';
import { bothTensors, PATHS, setupWasmOps } from '../helpers/ops.ts';
import { Tensor, tensor, type DType } from '../../src/tensor.ts';
import { memory } from '../../src/ops/tidy.ts';
import * as red from '../../src/ops/reduce.ts';

setupWasmOps();

function data(shape: number[], dtype: DType, seed: number, nanAt = -1): { sn: Tensor; tf: tf.Tensor } {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const v: number[] = [];
  for (let i = 0; i < n; i++) {
    if (dtype === 'float32') v.push(i === nanAt ? NaN : Math.fround(rng.uniform(-3, 3)));
    else if (dtype === 'int32') v.push(rng.int(7) - 3);
    else v.push(rng.next() < 0.7 ? 1 : 0);
  }
  return bothTensors(v, shape, dtype);
}

function expectLike(got: Tensor, want: tf.Tensor, label: string, rtol = 1e-6, atol = 1e-6): void {
  expect(got.dtype, `${label}: dtype`).toBe(want.dtype);
  expect([...got.shape], `${label}: shape`).toEqual(want.shape);
  const g = got.values;
  const w = want.dataSync() as Float32Array | Int32Array | Uint8Array;
  for (let i = 0; i < w.length; i++) {
    const a = g[i];
    const e = w[i];
    const ok = a === e || (Number.isNaN(a) && Number.isNaN(e)) || (Number.isFinite(e) && Math.abs(a - e) <= atol + rtol * Math.abs(e));
    if (!ok) throw new Error(`${label}: element ${i} is ${a}, TF.js gives ${e}`);
  }
}

type Axis = number | number[] | null;
const SHAPES: number[][] = [[], [7], [3, 5], [2, 3, 4], [2, 1, 3, 5], [40, 33], [0, 3], [3, 0]];
/** The axis arguments that make sense for a shape's rank. */
function axesFor(rank: number): Axis[] {
  const out: Axis[] = [null];
  for (let a = -rank; a < rank; a++) out.push(a);
  if (rank >= 2) out.push([0, rank - 1], [rank - 1, 0], [-1, -2]);
  if (rank >= 3) out.push([0, 2], [1, 2], [0, 1, 2]);
  if (rank >= 4) out.push([0, 2, 3], [1, 3]);
  if (rank === 1) out.push([]);
  return out;
}

const OPS = ['sum', 'mean', 'min', 'max', 'prod', 'logSumExp'] as const;
/** TF.js sums f32 terms in f64 too; mean and logSumExp go through a few roundings more. */
const TOL: Record<string, number> = { sum: 1e-6, mean: 2e-6, prod: 1e-6, logSumExp: 2e-6, min: 0, max: 0 };

for (const [path, setPath] of Object.entries(PATHS)) {
  describe(`reductions match TF.js (${path} path)`, () => {
    for (const op of OPS) {
      it(`${op} over every axis argument, keepDims or not, float32 and int32`, () => {
        setPath();
        let seed = 1;
        for (const shape of SHAPES) {
          for (const dtype of ['float32', 'int32', 'bool'] as DType[]) {
            if (op === 'logSumExp' && dtype === 'bool') continue; // TF.js gives Infinity (it exps a bool tensor): see the edge test
            const x = data(shape, dtype, seed++);
            for (const axis of axesFor(shape.length)) {
              for (const keepDims of [false, true]) {
                const label = `${op} ${dtype}[${shape}] axis ${JSON.stringify(axis)} keepDims ${keepDims}`;
                const got = (red[op] as (x: Tensor, a: Axis, k: boolean) => Tensor)(x.sn, axis, keepDims);
                const want = (tf[op] as (x: tf.Tensor, a: Axis, k: boolean) => tf.Tensor)(x.tf, axis, keepDims);
                expectLike(got, want, label, TOL[op]);
              }
            }
          }
        }
      });
    }

    it('argMax and argMin over every axis: first index wins ties, default axis 0', () => {
      setPath();
      let seed = 50;
      for (const shape of SHAPES.filter((s) => s.length > 0)) {
        for (const dtype of ['float32', 'int32', 'bool'] as DType[]) {
          const x = data(shape, dtype, seed++);
          for (let axis = -shape.length; axis < shape.length; axis++) {
            expectLike(red.argMax(x.sn, axis), tf.argMax(x.tf, axis), `argMax ${dtype}[${shape}] axis ${axis}`);
            expectLike(red.argMin(x.sn, axis), tf.argMin(x.tf, axis), `argMin ${dtype}[${shape}] axis ${axis}`);
          }
          expectLike(red.argMax(x.sn), tf.argMax(x.tf), `argMax ${dtype}[${shape}] default axis`);
        }
      }
      // Ties (ints from 7 values) already occur above; NaN: skipped, unless first.
      for (const v of [[1, NaN, 3], [NaN, 1, 3], [3, 1, 3], [-Infinity, -Infinity]]) {
        expectLike(red.argMax(tensor(v)), tf.argMax(tf.tensor(v)), `argMax ${v}`);
        expectLike(red.argMin(tensor(v)), tf.argMin(tf.tensor(v)), `argMin ${v}`);
      }
    });

    it('all and any over every axis argument', () => {
      setPath();
      let seed = 80;
      for (const shape of SHAPES) {
        const x = data(shape, 'bool', seed++);
        for (const axis of axesFor(shape.length)) {
          for (const keepDims of [false, true]) {
            expectLike(red.all(x.sn, axis, keepDims), tf.all(x.tf, axis ?? undefined, keepDims), `all [${shape}] ${JSON.stringify(axis)} ${keepDims}`);
            expectLike(red.any(x.sn, axis, keepDims), tf.any(x.tf, axis ?? undefined, keepDims), `any [${shape}] ${JSON.stringify(axis)} ${keepDims}`);
          }
        }
      }
    });

    it('moments gives mean and variance as float32', () => {
      setPath();
      let seed = 120;
      for (const shape of SHAPES.filter((s) => !s.includes(0))) {
        for (const dtype of ['float32', 'int32'] as DType[]) {
          const x = data(shape, dtype, seed++);
          for (const axis of axesFor(shape.length)) {
            for (const keepDims of [false, true]) {
              const got = red.moments(x.sn, axis, keepDims);
              const want = tf.moments(x.tf, axis ?? undefined, keepDims);
              const label = `moments ${dtype}[${shape}] ${JSON.stringify(axis)} ${keepDims}`;
              expectLike(got.mean, want.mean, `${label} mean`, 2e-6);
              expectLike(got.variance, want.variance, `${label} variance`, 1e-5);
            }
          }
        }
      }
    });

    it('max and min propagate NaN; sum and mean of large tensors keep f64 accuracy', () => {
      setPath();
      for (const shape of [[9], [3, 17], [40, 33]]) {
        const n = shape.reduce((a, b) => a * b, 1);
        const x = data(shape, 'float32', 7, n - 2);
        for (const op of ['max', 'min'] as const) {
          expectLike(red[op](x.sn), tf[op](x.tf), `${op} NaN [${shape}]`);
          expectLike(red[op](x.sn, -1), tf[op](x.tf, -1), `${op} NaN rows [${shape}]`);
          expectLike(red[op](x.sn, 0), tf[op](x.tf, 0), `${op} NaN columns [${shape}]`);
        }
      }
      // Cancellation: ±1e6 pairs with small residues; TF.js sums in f64, so must we.
      const v = Float32Array.from({ length: 20000 }, (_, i) => (i % 2 ? 1e6 : -1e6 + 0.0625 * ((i % 7) + 1)));
      expectLike(red.sum(tensor(v)), tf.sum(tf.tensor(v)), 'sum with cancellation', 1e-7, 0);
      // TF.js's mean sums x/n, each rounded to float32 (0.12534 here); simdnet divides the f64 sum once.
      expect(red.mean(tensor(v)).values[0]).toBe(Math.fround(v.reduce((s, x) => s + x, 0) / v.length));
      const m = tensor(v, [200, 100]);
      expectLike(red.sum(m, 0), tf.sum(tf.tensor(v, [200, 100]), 0), 'column sums with cancellation', 1e-7, 0);
    });
  });
}

describe('reductions: TF.js semantics at the edges', () => {
  it('empty reductions give what TF.js gives: sum 0, prod 1, max NaN, mean 0', () => {
    const e = tensor(new Float32Array(0), [2, 0]);
    const te = tf.zeros([2, 0]);
    for (const op of ['sum', 'prod', 'max', 'min', 'mean'] as const) {
      expectLike(red[op](e, 1), tf[op](te, 1), `${op} of empty rows`);
      expectLike(red[op](e), tf[op](te), `${op} of everything empty`);
      expectLike(red[op](e, 0), tf[op](te, 0), `${op} to an empty result`);
    }
  });

  it('plain arrays are accepted, and sum/prod of int32 and bool stay int32', () => {
    expectLike(red.sum([[1, 2], [3, 4]], 1), tf.sum([[1, 2], [3, 4]], 1), 'sum of an array');
    expectLike(red.sum([true, true, false]), tf.sum([true, true, false]), 'sum of bools');
    expectLike(red.prod(tensor([2, 3, 4], [3], 'int32')), tf.prod(tf.tensor([2, 3, 4], [3], 'int32')), 'prod of int32');
    expectLike(red.mean(tensor([1, 2, 4], [3], 'int32')), tf.mean(tf.tensor([1, 2, 4], [3], 'int32')), 'mean of int32');
    expectLike(red.max([true, false]), tf.max([true, false]), 'max of bools');
    expectLike(red.logSumExp([1000, 1000]), tf.logSumExp([1000, 1000]), 'logSumExp is stable');
  });

  it('logSumExp of a bool tensor is computed on 0 and 1 (TF.js returns Infinity there)', () => {
    expect(red.logSumExp([true, false]).values[0]).toBeCloseTo(Math.log(Math.E + 1), 6);
  });

  it('results count as one tensor each; converted arguments are disposed', () => {
    const n0 = memory().numTensors;
    const r = [red.sum([1, 2]), red.argMax([1, 2]), red.logSumExp([1, 2])];
    const m = red.moments([1, 2, 3]);
    expect(memory().numTensors - n0).toBe(r.length + 2);
    for (const t of [...r, m.mean, m.variance]) t.dispose();
    expect(memory().numTensors).toBe(n0);
    expect(() => red.sum([1, 2], 5)).toThrow();
    expect(memory().numTensors).toBe(n0);
  });

  it('errors name the op and the bad axis or option', () => {
    const x = tensor([[1, 2], [3, 4]]);
    expect(() => red.sum(x, 2)).toThrow(/sum: axis must be integers in \[-2, 2\) for a rank-2 tensor, got 2/);
    expect(() => red.max(x, -3)).toThrow(/max: axis must be integers in \[-2, 2\)/);
    expect(() => red.mean(x, 0.5)).toThrow(/mean: axis must be integers/);
    expect(() => red.sum(x, [0, -2])).toThrow(/sum: axis \[0, -2\] names dimension 0 twice/);
    expect(() => red.sum(x, '0' as unknown as number)).toThrow(/sum: axis must be integers .* got "0"/);
    expect(() => red.sum(x, 0, 'yes' as unknown as boolean)).toThrow(/sum: keepDims: expected true or false, got "yes"/);
    expect(() => red.argMax(x, [0] as unknown as number)).toThrow(/argMax: axis must be an integer, got \[0\]/);
    expect(() => red.argMax(tensor(3))).toThrow(/argMax: axis must be integers in \[0, 0\)/);
    expect(() => red.all(x)).toThrow(/all: x must be a bool tensor, got float32/);
    expect(() => red.moments(x, 0, 1 as unknown as boolean)).toThrow(/moments: keepDims: expected true or false, got 1/);
  });
});
