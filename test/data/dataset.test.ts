// tf.data: Dataset pipelines with TF.js's semantics (tfjs-data is not a dependency here, so the
// expected values are written out from TF.js's documentation and source): elements, batching,
// sizes, re-iteration, shuffling, tensor ownership (memory().numTensors) and argument checks.
import { describe, expect, it } from 'vitest';
import { Dataset, array, generator, zip } from '../../src/data/dataset.ts';
import * as data from '../../src/data/index.ts';
import { memory } from '../../src/ops/tidy.ts';
import { setSeed } from '../../src/random.ts';
import { Tensor, tensor } from '../../src/tensor.ts';

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);
const vals = (t: unknown) => Array.from((t as Tensor).values);
const live = () => memory().numTensors;

describe('data.array, batch', () => {
  it('yields the items in order, every pass, with a known size', async () => {
    const ds = array([1, 2, 3]);
    expect(ds.size).toBe(3);
    expect(await ds.toArray()).toEqual([1, 2, 3]);
    expect(await ds.toArray()).toEqual([1, 2, 3]);
    expect(data.array).toBe(array);
  });

  it('batches numbers into 1-D tensors, keeping or dropping the small last batch', async () => {
    const b = await array(range(10, 1)).batch(4).toArray();
    expect(b.map((t) => [...(t as Tensor).shape])).toEqual([[4], [4], [2]]);
    expect(b.map(vals)).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
    expect((b[0] as Tensor).dtype).toBe('float32');
    const d = await array(range(10, 1)).batch(4, false).toArray();
    expect(d.map(vals)).toEqual([[1, 2, 3, 4], [5, 6, 7, 8]]);
    expect(array(range(10)).batch(4).size).toBe(3);
    expect(array(range(10)).batch(4, false).size).toBe(2);
    expect(array(range(8)).batch(4, false).size).toBe(2);
  });

  it('batches nested arrays, booleans, typed arrays and tensors along a new first axis', async () => {
    const [a] = await array([[1, 2], [3, 4], [5, 6]]).batch(3).toArray();
    expect([(a as Tensor).shape, vals(a)]).toEqual([[3, 2], [1, 2, 3, 4, 5, 6]]);
    const [b] = await array([true, false]).batch(2).toArray();
    expect([(b as Tensor).dtype, vals(b)]).toEqual(['bool', [1, 0]]);
    const [c] = await array([Int32Array.of(1, 2), Int32Array.of(3, 4)]).batch(2).toArray();
    expect([(c as Tensor).dtype, (c as Tensor).shape, vals(c)]).toEqual(['int32', [2, 2], [1, 2, 3, 4]]);
    const [d] = await array([Float32Array.of(0.5), Float32Array.of(1.5)]).batch(2).toArray();
    expect([(d as Tensor).dtype, (d as Tensor).shape]).toEqual(['float32', [2, 1]]);
    const [e] = await array([tensor([[1, 2]]), tensor([[3, 4]])]).batch(2).toArray();
    expect([(e as Tensor).shape, vals(e)]).toEqual([[2, 1, 2], [1, 2, 3, 4]]);
  });

  it('batches objects key by key: { xs, ys } training elements keep their dtypes', async () => {
    const items = range(5).map((i) => ({ xs: tensor([i, i + 0.5, 1 - i]), ys: tensor([i % 2], [1], 'int32') }));
    const batches = (await array(items).batch(2).toArray()) as { xs: Tensor; ys: Tensor }[];
    expect(batches.length).toBe(3);
    expect([...batches[0].xs.shape]).toEqual([2, 3]);
    expect(vals(batches[0].xs)).toEqual([0, 0.5, 1, 1, 1.5, 0]);
    expect([batches[0].ys.dtype, ...batches[0].ys.shape]).toEqual(['int32', 2, 1]);
    expect([...batches[2].xs.shape]).toEqual([1, 3]);
    const nested = (await array([{ a: { b: 1, c: [1, 2] } }, { a: { b: 2, c: [3, 4] } }]).batch(2).toArray()) as { a: { b: Tensor; c: Tensor } }[];
    expect([vals(nested[0].a.b), [...nested[0].a.c.shape]]).toEqual([[1, 2], [2, 2]]);
  });

  it('batches arrays of tensors index by index (multi-input xs)', async () => {
    const items = range(3).map((i) => ({ xs: [tensor([i]), tensor([i, i])], ys: tensor([i]) }));
    const [b] = (await array(items).batch(3).toArray()) as { xs: Tensor[]; ys: Tensor }[];
    expect(b.xs.map((t) => [...t.shape])).toEqual([[3, 1], [3, 2]]);
    expect(vals(b.xs[1])).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('names what cannot be batched', async () => {
    const bad: [string, Dataset<unknown>, RegExp][] = [
      ['shapes', array([tensor([1, 2]), tensor([1, 2, 3])]).batch(2), /^Dataset\.batch: element 1 is a float32 tensor \[3\], but element 0 is float32 \[2\]/],
      ['dtypes', array([{ y: tensor([1]) }, { y: tensor([1], [1], 'int32') }]).batch(2), /^Dataset\.batch: element 1 at y is a int32 tensor \[1\], but element 0 is float32 \[1\]/],
      ['keys', array([{ a: 1 }, { b: 2 }] as { a?: number; b?: number }[]).batch(2), /^Dataset\.batch: element 1 is an object with keys \[b\], but element 0 has keys \[a\]/],
      ['strings', array(['a', 'b']).batch(2), /^Dataset\.batch: the values do not form a tensor: expected a number/],
      ['ragged', array([{ x: [1, 2] }, { x: [1] }]).batch(2), /^Dataset\.batch: the values at x do not form a tensor: ragged/],
    ];
    for (const [label, ds, re] of bad) await expect(ds.toArray(), label).rejects.toThrow(re);
  });
});

describe('data.generator', () => {
  it('calls the function again for every pass (sync generator)', async () => {
    let calls = 0;
    const ds = generator(function* () {
      calls++;
      for (let i = 0; i < 3; i++) yield i * 10;
    });
    expect(ds.size).toBeNull();
    expect(await ds.toArray()).toEqual([0, 10, 20]);
    expect(await ds.toArray()).toEqual([0, 10, 20]);
    expect(calls).toBe(2);
  });

  it('reads async generators and plain iterator objects', async () => {
    const a = generator(async function* () {
      yield { xs: [1, 2], ys: 1 };
      await new Promise((r) => setTimeout(r, 1));
      yield { xs: [3, 4], ys: 0 };
    });
    const [b] = (await a.batch(2).toArray()) as { xs: Tensor; ys: Tensor }[];
    expect([vals(b.xs), vals(b.ys)]).toEqual([[1, 2, 3, 4], [1, 0]]);
    const counter = () => {
      let i = 0;
      return { next: () => (i < 2 ? { value: i++, done: false } : { value: undefined, done: true }) };
    };
    expect(await generator(counter as never).toArray()).toEqual([0, 1]);
    // A function returning a Promise of an iterator.
    expect(await generator((async () => counter()) as never).toArray()).toEqual([0, 1]);
  });

  it('reports a failing generator as TF.js does, and a function that returns no iterator', async () => {
    const failing = generator(function* () {
      yield 1;
      throw new Error('disk gone');
    });
    await expect(failing.toArray()).rejects.toThrow(/^Error thrown while iterating through a dataset: disk gone$/);
    await expect(generator((() => 5) as never).toArray()).rejects.toThrow(/^data\.generator: the function must return an iterator .* got 5/);
    expect(() => generator((function* () {})() as never)).toThrow(/^data\.generator: generator: expected a function, got /);
  });
});

describe('data.zip', () => {
  it('zips arrays and objects of datasets, nested, ending with the shortest', async () => {
    const a = array([1, 2, 3]);
    const b = array(['x', 'y']);
    expect(await zip([a, b]).toArray()).toEqual([[1, 'x'], [2, 'y']]);
    expect(await zip({ p: a, q: { r: b } }).toArray()).toEqual([{ p: 1, q: { r: 'x' } }, { p: 2, q: { r: 'y' } }]);
    expect(zip([a, b]).size).toBe(2);
    expect(zip([a, generator(function* () {})]).size).toBeNull();
    expect(zip([]).size).toBe(0);
  });

  it('makes { xs, ys } training batches from two datasets', async () => {
    const xs = array(range(4).map((i) => [i, -i]));
    const ys = array(range(4).map((i) => i % 2));
    const [first] = (await zip({ xs, ys }).batch(4).toArray()) as { xs: Tensor; ys: Tensor }[];
    expect([[...first.xs.shape], vals(first.ys)]).toEqual([[4, 2], [0, 1, 0, 1]]);
  });

  it('rejects what is not a structure of datasets', () => {
    expect(() => zip(3 as never)).toThrow(/^data\.zip: datasets: expected an array or object of Datasets, got 3/);
    expect(() => zip({ a: array([1]), b: 5 } as never)).toThrow(/^data\.zip: datasets\.b: expected a Dataset .* got 5/);
    expect(() => zip([array([1]), [null]] as never)).toThrow(/^data\.zip: datasets\[1\]\[0\]: expected a Dataset/);
  });
});

describe('transformations and sizes', () => {
  const ten = () => array(range(10));

  it('map, mapAsync, filter, take, skip, concatenate, prefetch', async () => {
    expect(await ten().map((x) => x * x).take(4).toArray()).toEqual([0, 1, 4, 9]);
    expect(await ten().mapAsync(async (x) => x + 1).skip(8).toArray()).toEqual([9, 10]);
    expect(await ten().filter((x) => x % 3 === 0).toArray()).toEqual([0, 3, 6, 9]);
    expect(await ten().take(-1).toArray()).toEqual(range(10));
    expect(await ten().skip(20).toArray()).toEqual([]);
    expect(await array<number>([1]).concatenate(array([2, 3])).toArray()).toEqual([1, 2, 3]);
    expect(await ten().prefetch(4).toArray()).toEqual(range(10));
  });

  it('repeat: count passes, forever without one; an empty pass ends instead of spinning', async () => {
    let passes = 0;
    const g = generator(function* () {
      passes++;
      yield passes;
    });
    expect(await g.repeat(3).toArray()).toEqual([1, 2, 3]);
    expect(await array([1, 2]).repeat().take(5).toArray()).toEqual([1, 2, 1, 2, 1]);
    expect(await array([1, 2]).repeat(0).toArray()).toEqual([]);
    expect(await generator(function* () {}).repeat().toArray()).toEqual([]);
  });

  it('reports sizes as TF.js computes them', () => {
    const cases: [string, Dataset<unknown>, number | null][] = [
      ['array', ten(), 10],
      ['map', ten().map((x) => x), 10],
      ['mapAsync', ten().mapAsync(async (x) => x), 10],
      ['filter', ten().filter(() => true), null],
      ['filter of endless', ten().repeat().filter(() => true), Infinity],
      ['take 3', ten().take(3), 3],
      ['take 30', ten().take(30), 10],
      ['take of unknown', generator(function* () {}).take(3), null],
      ['skip 3', ten().skip(3), 7],
      ['skip 30', ten().skip(30), 0],
      ['repeat 3', ten().repeat(3), 30],
      ['repeat', ten().repeat(), Infinity],
      ['repeat 0', ten().repeat(0), 0],
      ['repeat of unknown', generator(function* () {}).repeat(2), null],
      ['batch 3', ten().batch(3), 4],
      ['batch 3 exact', ten().batch(3, false), 3],
      ['batch of endless', ten().repeat().batch(3), Infinity],
      ['shuffle', ten().shuffle(4), 10],
      ['prefetch', ten().prefetch(2), 10],
      ['concatenate', ten().concatenate(ten()), 20],
    ];
    for (const [label, ds, size] of cases) expect(ds.size, label).toBe(size);
  });

  it('iterator(): next() per element, then { value: null, done: true } for good, calls served in order', async () => {
    const it = await array([1, 2, 3]).map((x) => x * 2).iterator();
    // Three next() calls before any resolves: each stage still sees one at a time.
    const rs = await Promise.all([it.next(), it.next(), it.next(), it.next()]);
    expect(rs).toEqual([
      { value: 2, done: false },
      { value: 4, done: false },
      { value: 6, done: false },
      { value: null, done: true },
    ]);
    expect(await it.next()).toEqual({ value: null, done: true });
  });

  it('forEachAsync visits every element, awaiting an async callback', async () => {
    const seen: number[] = [];
    await array([1, 2, 3]).forEachAsync(async (x) => {
      await new Promise((r) => setTimeout(r, 1));
      seen.push(x);
    });
    expect(seen).toEqual([1, 2, 3]);
  });
});

describe('shuffle', () => {
  const sorted = (a: number[]) => [...a].sort((x, y) => x - y);

  it('a buffer as large as the dataset gives a permutation; a buffer of 1 keeps the order', async () => {
    const a = await array(range(50)).shuffle(50, 'seed').toArray();
    expect(sorted(a)).toEqual(range(50));
    expect(a).not.toEqual(range(50));
    expect(await array(range(20)).shuffle(1).toArray()).toEqual(range(20));
  });

  it('a small window only moves elements within it', async () => {
    const a = await array(range(100)).shuffle(5, 7).toArray();
    expect(sorted(a)).toEqual(range(100));
    // An element leaves the window at the earliest when it enters it: position ≥ index − 4.
    a.forEach((v, pos) => expect(pos).toBeGreaterThanOrEqual(v - 4));
  });

  it('a seed fixes the orders; each pass reshuffles unless told not to', async () => {
    const ds = array(range(30)).shuffle(30, 42);
    const p1 = await ds.toArray();
    const p2 = await ds.toArray();
    expect(p2).not.toEqual(p1);
    const again = array(range(30)).shuffle(30, 42);
    expect(await again.toArray()).toEqual(p1);
    expect(await again.toArray()).toEqual(p2);
    const fixed = array(range(30)).shuffle(30, 42, false);
    const f1 = await fixed.toArray();
    expect(await fixed.toArray()).toEqual(f1);
    expect(await array(range(30)).shuffle(30, '42').toArray()).not.toEqual(p1);
  });

  it('without a seed, setSeed makes it reproducible', async () => {
    setSeed(5);
    const a = await array(range(30)).shuffle(30).toArray();
    setSeed(5);
    expect(await array(range(30)).shuffle(30).toArray()).toEqual(a);
  });
});

describe('tensor ownership (memory().numTensors)', () => {
  it('data.array hands out clones: the pipeline disposes them, never the source tensors', async () => {
    const src = range(6).map((i) => ({ xs: tensor([i, i]), ys: tensor([i]) }));
    const before = live();
    const batches = await array(src).batch(4).toArray();
    // 2 batches × 2 tensors are new; the 12 clones were disposed after stacking.
    expect(live()).toBe(before + 4);
    expect(src.every((e) => !e.xs.isDisposed && !e.ys.isDisposed)).toBe(true);
    for (const b of batches as { xs: Tensor; ys: Tensor }[]) {
      b.xs.dispose();
      b.ys.dispose();
    }
    expect(live()).toBe(before);
  });

  it('forEachAsync disposes each element after the callback; filter and skip dispose what they drop', async () => {
    const src = range(6).map((i) => tensor([i]));
    const before = live();
    let seen = 0;
    await array(src).forEachAsync((t) => {
      seen += (t as Tensor).values[0];
    });
    expect([seen, live()]).toEqual([15, before]);
    const kept = await array(src).filter((t) => (t as Tensor).values[0] % 2 === 0).skip(1).toArray();
    expect(kept.map(vals)).toEqual([[2], [4]]);
    expect(live()).toBe(before + 2);
    for (const t of kept) (t as Tensor).dispose();
  });

  it('map runs in tidy: temporaries and unreturned inputs are disposed, returned ones kept', async () => {
    const src = [tensor([1, 2]), tensor([3, 4])];
    const before = live();
    const out = await array(src)
      .map((t) => {
        tensor([0]); // a temporary
        return { doubled: tensor(Array.from((t as Tensor).values, (v) => 2 * v)), same: t };
      })
      .toArray();
    expect(out.map((o) => vals(o.doubled))).toEqual([[2, 4], [6, 8]]);
    // Per element: the clone (passed through as `same`) and `doubled`.
    expect(live()).toBe(before + 4);
  });
});

describe('argument checks', () => {
  const ds = array([1, 2, 3]);
  const bad: [string, () => unknown, RegExp][] = [
    ['array of a number', () => array(5 as never), /^data\.array: items: expected an array, got 5/],
    ['batch 0', () => ds.batch(0), /^Dataset\.batch: batchSize: expected a positive integer, got 0/],
    ['batch 2.5', () => ds.batch(2.5), /^Dataset\.batch: batchSize: expected a positive integer, got 2\.5/],
    ['batch smallLastBatch "no"', () => ds.batch(2, 'no' as never), /^Dataset\.batch: smallLastBatch: expected true or false, got "no"/],
    ['shuffle without bufferSize', () => (ds.shuffle as (n?: number) => unknown)(), /^Dataset\.shuffle: bufferSize is required; the dataset has 3 elements/],
    ['shuffle bufferSize -1', () => ds.shuffle(-1), /^Dataset\.shuffle: bufferSize: expected a positive integer, got -1/],
    ['shuffle seed object', () => ds.shuffle(3, {} as never), /^Dataset\.shuffle: seed: expected a number or a string, got an object/],
    ['shuffle reshuffle 1', () => ds.shuffle(3, 1, 1 as never), /^Dataset\.shuffle: reshuffleEachIteration: expected true or false, got 1/],
    ['skip -1', () => ds.skip(-1), /^Dataset\.skip: count: expected an integer >= 0, got -1/],
    ['take 1.5', () => ds.take(1.5), /^Dataset\.take: count: expected an integer \(negative: all\), got 1\.5/],
    ['repeat NaN', () => ds.repeat(NaN), /^Dataset\.repeat: count: expected an integer/],
    ['prefetch missing', () => (ds.prefetch as (n?: number) => unknown)(), /^Dataset\.prefetch: bufferSize is required/],
    ['map of a string', () => ds.map('x' as never), /^Dataset\.map: transform: expected a function, got "x"/],
    ['filter of null', () => ds.filter(null as never), /^Dataset\.filter: predicate: expected a function, got null/],
    ['concatenate an array', () => ds.concatenate([4] as never), /^Dataset\.concatenate: expected a Dataset, got \[4\]/],
  ];
  it.each(bad)('%s', (_, f, re) => expect(f).toThrow(re));

  it('toArray refuses an endless dataset; forEachAsync wants a function', async () => {
    await expect(ds.repeat().toArray()).rejects.toThrow(/^Dataset\.toArray: the dataset is endless/);
    await expect(ds.forEachAsync(3 as never)).rejects.toThrow(/^Dataset\.forEachAsync: f: expected a function, got 3/);
  });
});
