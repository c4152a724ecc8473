import { describe, expect, it } from 'vitest';
import { fromArrays, oneHot, permutation, shuffle, split } from '../../src/data/arrays.ts';
import * as data from '../../src/data/index.ts';
import { Random, globalRandom, setSeed } from '../../src/random.ts';
import { Tensor, tensor } from '../../src/tensor.ts';

/** xs row i is [i, 10 i], ys[i] = i: alignment is checkable after any permutation. */
function rows(n: number) {
  const xs: number[][] = [];
  const ys: number[] = [];
  for (let i = 0; i < n; i++) {
    xs.push([i, 10 * i]);
    ys.push(i);
  }
  return { xs, ys };
}

describe('fromArrays', () => {
  it('nested arrays, typed arrays and Tensors', () => {
    const { xs, ys } = rows(4);
    const d = fromArrays(xs, ys);
    expect(d.xs).toBeInstanceOf(Tensor);
    expect(d.xs.shape).toEqual([4, 2]);
    expect(d.xs.dtype).toBe('float32');
    expect(d.ys.shape).toEqual([4]);
    expect(d.xs.arraySync()).toEqual(xs);
    const t = fromArrays(new Float32Array([1, 2, 3]), new Int32Array([0, 1, 0]));
    expect(t.xs.shape).toEqual([3]);
    expect(t.ys.dtype).toBe('int32');
    const x = tensor([[1, 2], [3, 4]]);
    const y = tensor([1, 0], undefined, 'int32');
    const same = fromArrays(x, y);
    expect(same.xs).toBe(x); // no copy
    expect(same.ys).toBe(y);
    expect(data.fromArrays).toBe(fromArrays);
  });

  it('labelDtype turns integer labels into int32, and refuses fractions', () => {
    const d = fromArrays([[1], [2]], [3, 4], { labelDtype: 'int32' });
    expect(d.ys.dtype).toBe('int32');
    expect(Array.from(d.ys.values)).toEqual([3, 4]);
    const fromTensor = fromArrays([[1], [2]], tensor([1, 0]), { labelDtype: 'int32' });
    expect(fromTensor.ys.values).toBeInstanceOf(Int32Array);
    expect(() => fromArrays([[1], [2]], [1.5, 0], { labelDtype: 'int32' })).toThrow(/fromArrays: ys: expected integers for an int32 tensor, got 1\.5 at flat index 0/);
  });

  it('checks that the first dimensions agree', () => {
    expect(() => fromArrays([[1, 2], [3, 4], [5, 6]], [0, 1])).toThrow(
      'fromArrays: xs and ys must have the same number of rows: xs has 3 (shape [3, 2]), ys has 2 (shape [2])',
    );
    expect(() => fromArrays([[1, 2], [3]], [0, 1])).toThrow(/fromArrays: xs: .*ragged/);
    expect(() => fromArrays(null as never, [1])).toThrow(/fromArrays: xs: expected a Tensor/);
    expect(() => fromArrays(5 as never, [1])).toThrow(/fromArrays: xs: expected one row per example/);
  });

  it('shuffles on request, reproducibly', () => {
    const { xs, ys } = rows(50);
    const a = fromArrays(xs, ys, { shuffle: true, seed: 3 });
    const b = fromArrays(xs, ys, { shuffle: true, seed: 3 });
    expect(a.xs.values).toEqual(b.xs.values);
    expect(a.ys.values).toEqual(b.ys.values);
    expect(Array.from(a.ys.values)).not.toEqual(ys);
  });
});

describe('shuffle', () => {
  const { xs, ys } = rows(100);

  it('is reproducible with a seed, different across seeds, and keeps xs/ys aligned', () => {
    const a = shuffle(xs, ys, 7);
    const b = shuffle(xs, ys, 7);
    const c = shuffle(xs, ys, 8);
    expect(a.xs.values).toEqual(b.xs.values);
    expect(a.ys.values).toEqual(b.ys.values);
    expect(Array.from(a.ys.values)).not.toEqual(Array.from(c.ys.values));
    for (const d of [a, c]) {
      const x = d.xs.arraySync() as number[][];
      const y = Array.from(d.ys.values);
      for (let i = 0; i < 100; i++) expect(x[i]).toEqual([y[i], 10 * y[i]]);
      expect([...y].sort((p, q) => p - q)).toEqual(ys); // a permutation
    }
    expect(a.xs.shape).toEqual([100, 2]);
    expect(a.ys.shape).toEqual([100]);
  });

  it('matches the Random generator with the same seed (Fisher–Yates)', () => {
    const perm = Array.from(new Random(11).shuffle(Int32Array.from({ length: 100 }, (_, i) => i)));
    expect(Array.from(shuffle(xs, ys, 11).ys.values)).toEqual(perm);
    expect(Array.from(permutation(100, 11))).toEqual(perm);
    expect(Array.from(shuffle(xs, ys, new Random(11)).ys.values)).toEqual(perm);
  });

  it('copies and leaves its inputs alone; keeps the dtype and trailing shape', () => {
    const x = tensor(Float32Array.from({ length: 24 }, (_, i) => i), [6, 2, 2]);
    const y = tensor(Int32Array.from([0, 1, 2, 3, 4, 5]));
    const before = x.dataSync();
    const s = shuffle(x, y, 1);
    expect(x.values).toEqual(before);
    expect(s.xs.shape).toEqual([6, 2, 2]);
    expect(s.ys.dtype).toBe('int32');
    expect(s.xs.values).not.toBe(x.values);
    const yv = s.ys.values;
    for (let i = 0; i < 6; i++) expect(Array.from(s.xs.values.subarray(i * 4, i * 4 + 4))).toEqual([0, 1, 2, 3].map((k) => yv[i] * 4 + k));
  });

  it('without a seed, follows the global generator (setSeed)', () => {
    setSeed(123);
    const a = shuffle(xs, ys);
    const a2 = shuffle(xs, ys);
    setSeed(123);
    const b = shuffle(xs, ys);
    expect(a.ys.values).toEqual(b.ys.values);
    expect(a.ys.values).not.toEqual(a2.ys.values); // the generator advanced
    globalRandom.seed(42);
  });

  it('errors', () => {
    expect(() => shuffle(xs, [1, 2], 1)).toThrow(/shuffle: xs and ys must have the same number of rows: xs has 100/);
    expect(() => shuffle(xs, ys, NaN)).toThrow('shuffle: seed: expected a finite number, got NaN');
    expect(data.shuffle).toBe(shuffle);
  });
});

describe('split', () => {
  it('validation is the LAST fraction of rows, train gets floor(n * (1 - f))', () => {
    const { xs, ys } = rows(10);
    const { train, validation } = split(xs, ys, 0.25);
    expect(train.xs.shape).toEqual([7, 2]); // floor(10 * 0.75) = 7, as TF.js validationSplit
    expect(validation.xs.shape).toEqual([3, 2]);
    expect(Array.from(train.ys.values)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(validation.ys.values)).toEqual([7, 8, 9]);
    expect(validation.xs.arraySync()).toEqual([[7, 70], [8, 80], [9, 90]]);
    const none = split(xs, ys, 0);
    expect(none.train.xs.shape).toEqual([10, 2]);
    expect(none.validation.xs.shape).toEqual([0, 2]);
    expect(data.split).toBe(split);
  });

  it('does not copy Tensors', () => {
    const x = tensor([[1], [2], [3], [4]]);
    const y = tensor([1, 2, 3, 4]);
    const { train } = split(x, y, 0.5);
    expect(train.xs.values.buffer).toBe(x.values.buffer);
  });

  it('errors', () => {
    const { xs, ys } = rows(10);
    expect(() => split(xs, ys, 1)).toThrow('split: fraction: expected a number in [0, 1), got 1');
    expect(() => split(xs, ys, -0.1)).toThrow(/got -0\.1/);
    expect(() => split(xs, ys, NaN)).toThrow(/got NaN/);
    expect(() => split(rows(1).xs, rows(1).ys, 0.5)).toThrow('split: a validation fraction of 0.5 leaves no training rows out of 1');
    expect(() => split(xs, ys.slice(1), 0.1)).toThrow(/split: xs and ys must have the same number of rows/);
  });
});

describe('oneHot', () => {
  it('int32 labels → float32 rows', () => {
    const o = oneHot(tensor(new Int32Array([2, 0, 1])), 3);
    expect(o.dtype).toBe('float32');
    expect(o.shape).toEqual([3, 3]);
    expect(o.arraySync()).toEqual([[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
    expect(oneHot([1, 1], 2).arraySync()).toEqual([[0, 1], [0, 1]]);
    expect(oneHot(tensor([[1], [0]]), 2).arraySync()).toEqual([[0, 1], [1, 0]]);
    expect(oneHot(tensor(new Int32Array(0)), 4).shape).toEqual([0, 4]);
    expect(data.oneHot).toBe(oneHot);
  });

  it('errors', () => {
    expect(() => oneHot(tensor(new Int32Array([0, 3])), 3)).toThrow('oneHot: labels[1]: expected an integer class in [0, 2], got 3');
    expect(() => oneHot(tensor([0.5]), 3)).toThrow(/labels\[0\]: expected an integer class in \[0, 2\], got 0\.5/);
    expect(() => oneHot(tensor(new Int32Array([-1])), 3)).toThrow(/got -1/);
    expect(() => oneHot(tensor([[0, 1]]), 3)).toThrow('oneHot: labels: expected shape [n] (or [n, 1]), got [1, 2]');
    expect(() => oneHot([0], 0)).toThrow('oneHot: classes: expected a positive integer, got 0');
  });
});
