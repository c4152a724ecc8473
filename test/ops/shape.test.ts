// Shape ops against TF.js (cpu backend): the same input in both libraries, every dtype, shapes of
// rank 0 to 5 with empty and size-1 dimensions, negative axes; shape, dtype and values must be
// identical (these ops do no arithmetic). Then the errors: wherever TF.js throws, simdnet throws
// too, with a message naming the function and the argument.
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor, type DType } from '../../src/tensor.ts';
import { memory } from '../../src/ops/tidy.ts';
import * as ops from '../../src/ops/shape.ts';
import { tensor } from '../../src/ops/creation.ts';
import { initTfjs, Rng, tf } from '../helpers/tfjs.ts';
import { bothThrow, same } from '../helpers/ops.ts';

beforeAll(async () => {
  await initTfjs();
});

const DTYPES: DType[] = ['float32', 'int32', 'bool'];
const SHAPES: number[][] = [[], [0], [1], [5], [3, 4], [4, 1], [0, 3], [2, 3, 4], [3, 0, 2], [2, 1, 3, 1], [2, 3, 1, 4, 2]];
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** One input in both libraries, from the same values (floats with -0 and NaN among them). */
function pair(shape: number[], dtype: DType, seed = 1): [Tensor, tf.Tensor] {
  const rng = new Rng(seed + shape.length * 31 + size(shape));
  const n = size(shape);
  const v =
    dtype === 'float32'
      ? Float32Array.from({ length: n }, (_, i) => (i === 3 ? -0 : i === 5 ? NaN : Math.round(rng.uniform(-10, 10) * 64) / 64))
      : dtype === 'int32'
        ? Int32Array.from({ length: n }, () => rng.int(2001) - 1000)
        : Uint8Array.from({ length: n }, () => rng.int(2));
  return [new Tensor(v.slice(), shape, dtype), tf.tensor(v.slice(), shape, dtype)];
}

function sameList(a: Tensor[], b: tf.Tensor[], what: string): void {
  expect(a.length, what).toBe(b.length);
  a.forEach((t, i) => same(t, b[i], `${what}[${i}]`));
}

/** Every axis in [-rank, rank). */
const axesOf = (r: number) => Array.from({ length: 2 * r }, (_, i) => i - r);

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

describe('reshape, expandDims, squeeze, flatten (views over the same values)', () => {
  it('reshape matches TF.js, with -1 anywhere', () => {
    for (const dtype of DTYPES)
      for (const shape of SHAPES) {
        const [a, b] = pair(shape, dtype);
        const n = a.size;
        const targets = [[n], [-1], [1, n, 1], shape.slice().reverse(), ...(n > 0 ? [[-1, 1], [1, -1, 1]] : [])];
        for (const s of targets) same(ops.reshape(a, s), tf.reshape(b, s), `${dtype} ${shape} → ${s}`);
      }
  });

  it('the result shares the values array (a view, as documented)', () => {
    const [a] = pair([2, 3], 'float32');
    expect(ops.reshape(a, [3, 2]).values).toBe(a.values);
    expect(ops.expandDims(a, 1).values).toBe(a.values);
    expect(ops.squeeze(ops.expandDims(a)).values).toBe(a.values);
    expect(ops.flatten(a).values).toBe(a.values);
  });

  it('expandDims at every axis in [-(rank+1), rank]', () => {
    for (const dtype of DTYPES)
      for (const shape of SHAPES) {
        const [a, b] = pair(shape, dtype);
        for (let ax = -(shape.length + 1); ax <= shape.length; ax++) same(ops.expandDims(a, ax), tf.expandDims(b, ax), `${dtype} ${shape} axis ${ax}`);
        same(ops.expandDims(a), tf.expandDims(b), `${dtype} ${shape} default axis`);
      }
  });

  it('squeeze: all size-1 axes, one axis, a list, negative axes', () => {
    for (const dtype of DTYPES)
      for (const shape of SHAPES) {
        const [a, b] = pair(shape, dtype);
        same(ops.squeeze(a), tf.squeeze(b), `${dtype} ${shape}`);
        same(ops.squeeze(a, []), tf.squeeze(b, []), `${dtype} ${shape} []`);
        const ones = shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
        for (const ax of ones) {
          same(ops.squeeze(a, [ax]), tf.squeeze(b, [ax]), `${dtype} ${shape} [${ax}]`);
          same(ops.squeeze(a, [ax - shape.length]), tf.squeeze(b, [ax - shape.length]), `${dtype} ${shape} [${ax - shape.length}]`);
        }
        if (ones.length > 1) same(ops.squeeze(a, ones), tf.squeeze(b, ones), `${dtype} ${shape} ${ones}`);
      }
    // A number works too (TF.js's squeeze takes one through parseAxisParam).
    const [a, b] = pair([1, 3, 1], 'float32');
    same(ops.squeeze(a, 2 as never), tf.squeeze(b, 2 as never), 'axis 2 as a number');
  });

  it('flatten is reshape to [size]', () => {
    for (const dtype of DTYPES)
      for (const shape of SHAPES) {
        const [a, b] = pair(shape, dtype);
        same(ops.flatten(a), tf.reshape(b, [-1]), `${dtype} ${shape}`);
      }
  });
});

describe('transpose', () => {
  it('every permutation up to rank 4, the default, and rank 5', () => {
    for (const dtype of DTYPES)
      for (const shape of [...SHAPES, [5, 7], [7, 5], [3, 5, 6], [2, 3, 4, 5], [1, 6, 1, 9]]) {
        const [a, b] = pair(shape, dtype);
        same(ops.transpose(a), tf.transpose(b), `${dtype} ${shape} default`);
        const perms = shape.length <= 4 ? permutations(shape.length) : [[4, 3, 2, 1, 0], [0, 2, 4, 1, 3], [1, 0, 2, 3, 4], [0, 1, 2, 4, 3]];
        for (const p of perms) same(ops.transpose(a, p), tf.transpose(b, p), `${dtype} ${shape} perm ${p}`);
      }
  });

  it('large matrices and NHWC ↔ NCHW (the fast paths: four-row steps, merged axes)', () => {
    for (const shape of [[1000, 1000], [37, 1003], [4, 9, 11, 6]]) {
      const [a, b] = pair(shape, 'float32');
      same(ops.transpose(a), tf.transpose(b), `${shape}`);
      if (shape.length === 4) {
        same(ops.transpose(a, [0, 3, 1, 2]), tf.transpose(b, [0, 3, 1, 2]), 'NHWC→NCHW');
        same(ops.transpose(a, [0, 2, 3, 1]), tf.transpose(b, [0, 2, 3, 1]), 'NCHW→NHWC');
      }
    }
  });
});

describe('slice', () => {
  it('begin and size as lists, numbers, short lists, -1 to the end', () => {
    for (const dtype of DTYPES)
      for (const shape of SHAPES.filter((s) => s.length > 0)) {
        const [a, b] = pair(shape, dtype);
        const r = shape.length;
        const cases: [number | number[], (number | number[])?][] = [
          [new Array(r).fill(0)],
          [0, -1],
          [shape.map((d) => Math.min(1, d))],
          [shape.map((d) => Math.floor(d / 2)), shape.map((d) => Math.ceil(d / 2))],
          [shape.map((d) => Math.floor(d / 3)), shape.map((d, i) => (i % 2 ? -1 : d - Math.floor(d / 3)))],
          [[Math.min(1, shape[0])]],
          [Math.min(1, shape[0]), Math.max(0, shape[0] - 1)],
          [shape.map((d) => d)],
        ];
        for (const [begin, sz] of cases) same(ops.slice(a, begin, sz), tf.slice(b, begin, sz), `${dtype} ${shape} begin ${begin} size ${sz}`);
      }
  });

  it('a 1000×1000 block and column ranges (the strided run copy)', () => {
    const [a, b] = pair([1000, 1000], 'float32');
    same(ops.slice(a, [250, 250], [500, 500]), tf.slice(b, [250, 250], [500, 500]), 'block');
    same(ops.slice(a, [0, 999], [-1, 1]), tf.slice(b, [0, 999], [-1, 1]), 'last column');
    const [c, d] = pair([3, 4, 5, 6], 'int32');
    same(ops.slice(c, [1, 0, 2, 0], [2, 4, 3, 6]), tf.slice(d, [1, 0, 2, 0], [2, 4, 3, 6]), 'full inner axes join the run');
  });
});

describe('gather', () => {
  it('every axis (negative too), indices of rank 0, 1 and 2, repeats', () => {
    for (const dtype of DTYPES)
      for (const shape of SHAPES.filter((s) => s.length > 0)) {
        const [a, b] = pair(shape, dtype);
        for (const ax of axesOf(shape.length)) {
          const d = shape[ax < 0 ? ax + shape.length : ax];
          const list = d === 0 ? [] : [d - 1, 0, Math.floor(d / 2), d - 1];
          same(ops.gather(a, list, ax), tf.gather(b, list, ax), `${dtype} ${shape} axis ${ax} ${list}`);
          if (d > 0) {
            same(ops.gather(a, d - 1, ax), tf.gather(b, d - 1, ax), `${dtype} ${shape} axis ${ax} scalar index`);
            const nested = [[0, d - 1], [d - 1, 0]];
            same(ops.gather(a, nested, ax), tf.gather(b, nested, ax), `${dtype} ${shape} axis ${ax} [[…]]`);
            const idx = tf.tensor(nested, [2, 2], 'int32');
            same(ops.gather(a, new Tensor(Int32Array.from([0, d - 1, d - 1, 0]), [2, 2], 'int32'), ax), tf.gather(b, idx, ax), `${dtype} ${shape} int32 tensor`);
          }
        }
      }
  });

  it('batchDims (TF.js GatherV2): pairwise over the leading axes', () => {
    const [a, b] = pair([2, 3, 4], 'float32');
    const idx = [[2, 0, 1, 1], [0, 0, 2, 1]];
    same(ops.gather(a, idx, 1, 1), tf.gather(b, idx, 1, 1), 'axis 1, batchDims 1');
    const idx2 = [[3, 0], [1, 2]];
    same(ops.gather(a, idx2, 2, 1), tf.gather(b, idx2, 2, 1), 'axis 2, batchDims 1');
    same(ops.gather(a, idx2, -1, -1), tf.gather(b, idx2, -1, -1), 'axis -1, batchDims -1');
  });
});

describe('concat, stack, unstack, split', () => {
  it('concat along every axis: one, two and three tensors of different extents', () => {
    for (const dtype of DTYPES)
      for (const shape of SHAPES.filter((s) => s.length > 0)) {
        for (const ax of axesOf(shape.length)) {
          const k = ax < 0 ? ax + shape.length : ax;
          const shapes = [shape, shape.map((d, i) => (i === k ? d + 2 : d)), shape.map((d, i) => (i === k ? 0 : d))];
          const pairs = shapes.map((s, i) => pair(s, dtype, i + 7));
          for (let n = 1; n <= 3; n++) {
            same(ops.concat(pairs.slice(0, n).map((p) => p[0]), ax), tf.concat(pairs.slice(0, n).map((p) => p[1]), ax), `${dtype} ${shape} axis ${ax} × ${n}`);
          }
        }
      }
  });

  it('concat takes arrays (TensorLike) and defaults to axis 0', () => {
    same(ops.concat([[1, 2], [3]]), tf.concat([[1, 2], [3]] as never), 'flat arrays');
    same(ops.concat([[[1, 2]], [[3, 4]]]), tf.concat([[[1, 2]], [[3, 4]]] as never), 'nested');
    same(ops.concat([[true], [false, true]]), tf.concat([[true], [false, true]] as never), 'booleans');
  });

  it('stack along every axis in [-(rank+1), rank], scalars included', () => {
    for (const dtype of DTYPES)
      for (const shape of SHAPES) {
        const pairs = [1, 2, 3].map((s) => pair(shape, dtype, s));
        for (let ax = -(shape.length + 1); ax <= shape.length; ax++) {
          for (let n = 1; n <= 3; n++) same(ops.stack(pairs.slice(0, n).map((p) => p[0]), ax), tf.stack(pairs.slice(0, n).map((p) => p[1]), ax), `${dtype} ${shape} axis ${ax} × ${n}`);
        }
      }
  });

  it('unstack along every axis', () => {
    for (const dtype of DTYPES)
      for (const shape of SHAPES.filter((s) => s.length > 0)) {
        const [a, b] = pair(shape, dtype);
        for (const ax of axesOf(shape.length)) sameList(ops.unstack(a, ax), tf.unstack(b, ax), `${dtype} ${shape} axis ${ax}`);
      }
  });

  it('split into equal parts and by sizes (with -1), every axis', () => {
    for (const dtype of DTYPES)
      for (const shape of [[6], [4, 6], [2, 6, 3], [0, 4], [2, 3, 1, 4, 2]]) {
        const [a, b] = pair(shape, dtype);
        for (const ax of axesOf(shape.length)) {
          const d = shape[ax < 0 ? ax + shape.length : ax];
          for (const n of [1, 2, 3, 4, 6].filter((n) => d % n === 0 && n <= Math.max(d, 1))) sameList(ops.split(a, n, ax), tf.split(b, n, ax), `${dtype} ${shape} axis ${ax} ÷ ${n}`);
          if (d >= 2) {
            const sizes = [1, d - 1];
            sameList(ops.split(a, sizes, ax), tf.split(b, sizes, ax), `${dtype} ${shape} axis ${ax} ${sizes}`);
            sameList(ops.split(a, [1, -1], ax), tf.split(b, [1, -1], ax), `${dtype} ${shape} axis ${ax} [1, -1]`);
            sameList(ops.split(a, [0, d, 0], ax), tf.split(b, [0, d, 0], ax), `${dtype} ${shape} axis ${ax} [0, d, 0]`);
          }
        }
      }
  });

  it('split with -1 first: the rest goes there (TF.js miscounts that case and throws)', () => {
    const [a, b] = pair([5, 2], 'float32');
    expect(() => tf.split(b, [-1, 2])).toThrow();
    sameList(ops.split(a, [-1, 2]), tf.split(b, [3, 2]), '[-1, 2] = [3, 2]');
  });
});

describe('tile, pad, reverse', () => {
  it('tile with every count 0 to 3 per axis (rank ≤ 3) and a few at rank 4–5', () => {
    for (const dtype of DTYPES)
      for (const shape of SHAPES) {
        const [a, b] = pair(shape, dtype);
        const reps: number[][] = shape.length <= 3 ? shape.reduce<number[][]>((acc) => acc.flatMap((r) => [0, 1, 2, 3].map((k) => [...r, k])), [[]]) : [shape.map(() => 1), shape.map((_, i) => (i % 3) + 1), shape.map((_, i) => (i === 1 ? 0 : 2))];
        for (const r of reps) same(ops.tile(a, r), tf.tile(b, r), `${dtype} ${shape} reps ${r}`);
      }
  });

  it('pad with every [before, after] mix and constant values of each dtype', () => {
    for (const dtype of DTYPES)
      for (const shape of SHAPES.filter((s) => s.length > 0)) {
        const [a, b] = pair(shape, dtype);
        const padsList: [number, number][][] = [shape.map(() => [0, 0]), shape.map(() => [1, 2]), shape.map((_, i) => [i % 2, (i + 1) % 3])];
        const constants = dtype === 'bool' ? [0, 1] : dtype === 'int32' ? [0, -7] : [0, 2.5, -0];
        for (const p of padsList) for (const c of constants) same(ops.pad(a, p, c), tf.pad(b, p, c), `${dtype} ${shape} ${JSON.stringify(p)} ${c}`);
      }
  });

  it('reverse: all axes, each axis, negative axes, lists', () => {
    for (const dtype of DTYPES)
      for (const shape of SHAPES) {
        const [a, b] = pair(shape, dtype);
        same(ops.reverse(a), tf.reverse(b), `${dtype} ${shape} all`);
        same(ops.reverse(a, []), tf.reverse(b, []), `${dtype} ${shape} []`);
        for (const ax of axesOf(shape.length)) {
          same(ops.reverse(a, ax), tf.reverse(b, ax), `${dtype} ${shape} ${ax}`);
          const other = ax < 0 ? ax + shape.length - 1 : ax - 1;
          if (other >= 0 && other !== (ax < 0 ? ax + shape.length : ax)) same(ops.reverse(a, [ax, other]), tf.reverse(b, [ax, other]), `${dtype} ${shape} [${ax}, ${other}]`);
        }
      }
  });
});

describe('clone and cast', () => {
  it('clone copies (a new array, same everything else)', () => {
    for (const dtype of DTYPES)
      for (const shape of SHAPES) {
        const [a, b] = pair(shape, dtype);
        const c = ops.clone(a);
        same(c, tf.clone(b), `${dtype} ${shape}`);
        if (a.size > 0) expect(c.values).not.toBe(a.values);
      }
  });

  it('cast between every pair of dtypes, with TF.js’s conversions of NaN, infinities, -0 and out-of-range floats', () => {
    const special = new Float32Array([1.7, -1.7, 0.5, -0.5, NaN, Infinity, -Infinity, -0, 3e9, -3e9, 2147483647, 0, 1, 2]);
    const inputs: [Tensor, tf.Tensor][] = [[new Tensor(special.slice(), [14], 'float32'), tf.tensor(special.slice(), [14], 'float32')], ...DTYPES.map((d) => pair([3, 4], d))];
    for (const [a, b] of inputs) for (const to of DTYPES) same(ops.cast(a, to), tf.cast(b, to), `${a.dtype} → ${to}`);
  });
});

describe('TensorLike inputs and the memory count', () => {
  it('nested arrays, booleans and typed arrays are converted as TF.js converts them', () => {
    same(ops.transpose([[1, 2, 3], [4, 5, 6]]), tf.transpose([[1, 2, 3], [4, 5, 6]] as never), 'numbers');
    same(ops.reverse([true, false, false]), tf.reverse([true, false, false] as never), 'booleans');
    same(ops.tile(new Int32Array([1, 2]), [2]), tf.tile(new Int32Array([1, 2]), [2]), 'Int32Array');
    same(ops.expandDims(new Uint8Array([1, 2])), tf.expandDims(new Uint8Array([1, 2])), 'Uint8Array → int32');
    same(ops.gather([10, 20, 30], [2, 0]), tf.gather([10, 20, 30] as never, [2, 0]), 'gather');
  });

  it('converted inputs are not counted; each result is', () => {
    const n0 = memory().numTensors;
    const out = [ops.transpose([[1, 2], [3, 4]]), ops.concat([[1], [2], [3]]), ...ops.split([1, 2, 3, 4], 2)];
    expect(memory().numTensors - n0).toBe(out.length);
    for (const t of out) t.dispose();
    expect(memory().numTensors).toBe(n0);
  });

  it('a disposed tensor is refused by name', () => {
    const t = tensor([1, 2, 3]);
    t.dispose();
    expect(() => ops.reshape(t, [3])).toThrow(/^reshape: x: the tensor is disposed/);
    expect(() => ops.concat([tensor([1]), t])).toThrow(/^concat: tensors\[1\]: the tensor is disposed/);
  });
});

describe('errors: simdnet throws wherever TF.js throws, naming the function and the argument', () => {
  const [m, tm] = pair([2, 3], 'float32');
  const [s, ts] = pair([], 'float32');
  const [i32, ti32] = pair([2, 3], 'int32');

  it('reshape', () => {
    bothThrow(() => ops.reshape(m, [4]), () => tf.reshape(tm, [4]), /^reshape: cannot reshape x \[2, 3\] \(6 values\) into \[4\]/);
    bothThrow(() => ops.reshape(m, [-1, -1]), () => tf.reshape(tm, [-1, -1]), /^reshape: shape \[-1, -1\] has more than one -1/);
    bothThrow(() => ops.reshape(m, [-2, -3]), () => tf.reshape(tm, [-2, -3]), /^reshape: shape: dimension 0 must be an integer >= 0 or -1, got -2/);
    bothThrow(() => ops.reshape(m, [-1, 4]), () => tf.reshape(tm, [-1, 4]), /^reshape: cannot reshape x \[2, 3\] \(6 values\) into \[-1, 4\]: 6 is not a multiple of 4/);
    const [z, tz] = pair([0, 2], 'float32');
    bothThrow(() => ops.reshape(z, [-1, 0]), () => tf.reshape(tz, [-1, 0]), /^reshape: cannot infer the -1 in \[-1, 0\]/);
    // TF.js accepts a fractional dimension (and makes a tensor of shape [1.5, 4]); simdnet does not.
    expect(() => ops.reshape(m, [1.5, 4])).toThrow(/^reshape: shape: dimension 0 must be an integer >= 0 or -1, got 1\.5/);
  });

  it('expandDims and squeeze', () => {
    bothThrow(() => ops.expandDims(m, 3), () => tf.expandDims(tm, 3), /^expandDims: axis: expected an integer in \[-3, 2\], got 3/);
    bothThrow(() => ops.expandDims(m, -4), () => tf.expandDims(tm, -4), /^expandDims: axis: expected an integer in \[-3, 2\], got -4/);
    expect(() => ops.expandDims(m, 0.5)).toThrow(/^expandDims: axis: expected an integer/);
    const [o, to] = pair([1, 3, 1], 'float32');
    bothThrow(() => ops.squeeze(o, [1]), () => tf.squeeze(to, [1]), /^squeeze: axis 1 has size 3, not 1 \(x has shape \[1, 3, 1\]\)/);
    bothThrow(() => ops.squeeze(o, [3]), () => tf.squeeze(to, [3]), /^squeeze: axis\[0\]: expected an integer in \[-3, 3\) for a rank-3 tensor, got 3/);
  });

  it('transpose', () => {
    bothThrow(() => ops.transpose(m, [0]), () => tf.transpose(tm, [0]), /^transpose: perm \[0\] has 1 entries, x has rank 2/);
    bothThrow(() => ops.transpose(m, [-1, 0]), () => tf.transpose(tm, [-1, 0]), /^transpose: perm\[0\]: expected an integer in \[0, 2\), got -1/);
    bothThrow(() => ops.transpose(m, [0, 2]), () => tf.transpose(tm, [0, 2]), /^transpose: perm\[1\]: expected an integer in \[0, 2\), got 2/);
    // TF.js returns garbage for a repeated axis; simdnet refuses it.
    expect(() => ops.transpose(m, [0, 0])).toThrow(/^transpose: perm \[0, 0\] names axis 0 twice/);
  });

  it('slice', () => {
    bothThrow(() => ops.slice(s, [0]), () => tf.slice(ts, [0]), /^slice: x is a scalar/);
    bothThrow(() => ops.slice(m, [1, 0], [2, 3]), () => tf.slice(tm, [1, 0], [2, 3]), /^slice: begin\[0\] \+ size\[0\] = 3 is beyond x\.shape\[0\] = 2/);
    bothThrow(() => ops.slice(m, [1, 0, 0]), () => tf.slice(tm, [1, 0, 0]), /^slice: begin: \[1, 0, 0\] has 3 entries, x has rank 2/);
    bothThrow(() => ops.slice(m, [0, 0], [1, -2]), () => tf.slice(tm, [0, 0], [1, -2]), /^slice: size\[1\]: expected an integer >= 0, or -1 for "to the end", got -2/);
    bothThrow(() => ops.slice(m, [-1]), () => tf.slice(tm, [-1]), /^slice: begin\[0\]: expected an integer >= 0, got -1/);
    // TF.js reads from the end for begin -2 (by accident: a negative subarray offset) and takes 1.5 as 1.
    expect(() => ops.slice(m, [-2])).toThrow(/^slice: begin\[0\]: expected an integer >= 0, got -2/);
    expect(() => ops.slice(m, [1.5])).toThrow(/^slice: begin\[0\]: expected an integer >= 0, got 1\.5/);
    expect(() => ops.slice(m, [3])).toThrow(/^slice: begin\[0\] = 3 is beyond x\.shape\[0\] = 2/);
  });

  it('gather', () => {
    bothThrow(() => ops.gather(m, [2]), () => tf.gather(tm, [2]), /^gather: indices\[0\] = 2 is outside \[0, 2\) \(x\.shape\[0\] = 2\)/);
    bothThrow(() => ops.gather(m, [[0, 1], [-1, 0]]), () => tf.gather(tm, [[0, 1], [-1, 0]]), /^gather: indices\[1\]\[0\] = -1 is outside \[0, 2\)/);
    bothThrow(() => ops.gather(m, [0], 2), () => tf.gather(tm, [0], 2), /^gather: axis: expected an integer in \[-2, 2\) for a rank-2 tensor, got 2/);
    bothThrow(() => ops.gather(s, [0]), () => tf.gather(ts, [0]), /^gather: axis: expected an integer in \[-0, 0\) \(x is a scalar: it has no axes\), got 0/);
    bothThrow(() => ops.gather(m, tensor([1, 0])), () => tf.gather(tm, tf.tensor([1, 0])), /^gather: indices: expected an int32 tensor, got a float32 tensor \[2\]/);
    bothThrow(() => ops.gather(m, [[0]], 1, 1), () => tf.gather(tm, [[0]], 1, 1), /^gather: batch axis 0: x\.shape\[0\] = 2 but indices\.shape\[0\] = 1/);
    bothThrow(() => ops.gather(m, [[0, 1], [1, 0]], 0, 1), () => tf.gather(tm, [[0, 1], [1, 0]], 0, 1), /^gather: batchDims \(1\) must be <= axis \(0\)/);
    // TF.js truncates 1.5 to 1; simdnet refuses to guess.
    expect(() => ops.gather(m, [1.5])).toThrow(/^gather: indices: an int32 tensor takes integers in int32 range, got 1\.5 at index 0/);
  });

  it('concat and stack', () => {
    bothThrow(() => ops.concat([]), () => tf.concat([]), /^concat: tensors: expected at least one tensor, got an empty array/);
    bothThrow(() => ops.concat([s, s]), () => tf.concat([ts, ts]), /^concat: tensors\[0\] is a scalar/);
    bothThrow(() => ops.concat([m, tensor([1, 2, 3])]), () => tf.concat([tm, tf.tensor([1, 2, 3])]), /^concat: tensors\[1\] has rank 1 \(shape \[3\]\), expected 2 as tensors\[0\] \[2, 3\]/);
    bothThrow(() => ops.concat([m, tensor(new Float32Array(8), [2, 4])], 0), () => tf.concat([tm, tf.zeros([2, 4])], 0), /^concat: tensors\[1\] has shape \[2, 4\], expected \[\*, 3\] on axis 1/);
    bothThrow(() => ops.concat([m, m], 2), () => tf.concat([tm, tm], 2), /^concat: axis: expected an integer in \[-2, 2\) for a rank-2 tensor, got 2/);
    // TF.js converts a mixed list to the first dtype (1.5 becomes 1 in an int32 result); simdnet refuses.
    expect(() => ops.concat([i32, m])).toThrow(/^concat: tensors\[1\] is float32, expected int32 as tensors\[0\] \(cast\(\) converts\)/);
    bothThrow(() => ops.stack([]), () => tf.stack([]), /^stack: tensors: expected at least one tensor/);
    bothThrow(() => ops.stack([m, tensor(new Float32Array(8), [2, 4])]), () => tf.stack([tm, tf.zeros([2, 4])]), /^stack: tensors\[1\] has shape \[2, 4\], expected \[2, 3\] as tensors\[0\]/);
    bothThrow(() => ops.stack([m, i32]), () => tf.stack([tm, ti32]), /^stack: tensors\[1\] is int32, expected float32 as tensors\[0\]/);
    bothThrow(() => ops.stack([m, m], 3), () => tf.stack([tm, tm], 3), /^stack: axis: expected an integer in \[-3, 2\], got 3/);
    bothThrow(() => ops.stack([m, m], -4), () => tf.stack([tm, tm], -4), /^stack: axis: expected an integer in \[-3, 2\], got -4/);
  });

  it('unstack and split', () => {
    bothThrow(() => ops.unstack(s), () => tf.unstack(ts), /^unstack: axis: expected an integer in \[-0, 0\) \(x is a scalar: it has no axes\), got 0/);
    bothThrow(() => ops.unstack(m, 2), () => tf.unstack(tm, 2), /^unstack: axis: expected an integer in \[-2, 2\) for a rank-2 tensor, got 2/);
    bothThrow(() => ops.split(m, 4, 1), () => tf.split(tm, 4, 1), /^split: numOrSizeSplits = 4 does not divide x\.shape\[1\] = 3 into equal parts/);
    bothThrow(() => ops.split(m, 0, 1), () => tf.split(tm, 0, 1), /^split: numOrSizeSplits: expected an integer >= 1, got 0/);
    bothThrow(() => ops.split(m, 1.5, 1), () => tf.split(tm, 1.5, 1), /^split: numOrSizeSplits: expected an integer >= 1, got 1\.5/);
    bothThrow(() => ops.split(m, [1, 1], 1), () => tf.split(tm, [1, 1], 1), /^split: numOrSizeSplits \[1, 1\] adds up to 2, expected x\.shape\[1\] = 3/);
    bothThrow(() => ops.split(m, [-1, -1], 1), () => tf.split(tm, [-1, -1], 1), /^split: numOrSizeSplits \[-1, -1\] has more than one -1/);
    bothThrow(() => ops.split(m, [4, -1], 1), () => tf.split(tm, [4, -1], 1), /^split: numOrSizeSplits \[4, -1\] adds up to 4, more than x\.shape\[1\] = 3/);
    bothThrow(() => ops.split(m, 1, 2), () => tf.split(tm, 1, 2), /^split: axis: expected an integer in \[-2, 2\)/);
  });

  it('tile, pad, reverse, cast', () => {
    bothThrow(() => ops.tile(m, [2]), () => tf.tile(tm, [2]), /^tile: reps \[2\] has 1 entries, x has rank 2/);
    bothThrow(() => ops.tile(m, [1, -1]), () => tf.tile(tm, [1, -1]), /^tile: reps\[1\]: expected an integer >= 0, got -1/);
    expect(() => ops.tile(m, [1, 1.5])).toThrow(/^tile: reps\[1\]: expected an integer >= 0, got 1\.5/);
    bothThrow(() => ops.pad(s, []), () => tf.pad(ts, []), /^pad: x is a scalar/);
    // TF.js reads past the paddings it was given (a short list) or writes garbage (negative ones).
    expect(() => ops.pad(m, [[1, 1]])).toThrow(/^pad: paddings has 1 pairs, x has rank 2/);
    expect(() => ops.pad(m, [[1, 1], [-1, 0]])).toThrow(/^pad: paddings\[1\]\[0\]: expected an integer >= 0, got -1/);
    expect(() => ops.pad(i32, [[1, 1], [0, 0]], 2.5)).toThrow(/^pad: constantValue: an int32 tensor pads with an integer in int32 range, got 2\.5/);
    bothThrow(() => ops.reverse(m, 2), () => tf.reverse(tm, 2), /^reverse: axis: expected an integer in \[-2, 2\) for a rank-2 tensor, got 2/);
    bothThrow(() => ops.reverse(s, 0), () => tf.reverse(ts, 0), /^reverse: axis: expected an integer in \[-0, 0\) \(x is a scalar/);
    expect(() => ops.reverse(m, [0, 0])).toThrow(/^reverse: axis: axis 0 is given twice/);
    bothThrow(() => ops.cast(m, 'string' as never), () => tf.cast(tm, 'string'), /^cast: dtype: expected 'float32', 'int32' or 'bool', got "string" \(simdnet has no string tensors\)/);
    bothThrow(() => ops.cast(m, 'foo' as never), () => tf.cast(tm, 'foo' as never), /^cast: dtype: expected 'float32', 'int32' or 'bool', got "foo"$/);
  });

  it('inputs that are not tensors', () => {
    expect(() => ops.reshape(null as never, [1])).toThrow(/^reshape: x: expected a Tensor, a number, a boolean or a \(nested\) array, got null/);
    expect(() => ops.transpose([[1, 2], [3]])).toThrow(/^transpose: x: ragged nested array at depth 1: 1 vs 2/);
    expect(() => ops.flatten(['a'] as never)).toThrow(/^flatten: x: expected a number at \[0\], got "a"$/);
    expect(() => ops.concat('ab' as never)).toThrow(/^concat: tensors: expected an array of tensors, got "ab"/);
  });
});
