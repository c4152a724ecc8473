// Tensor creation against TF.js (cpu backend): the same call in both libraries must give the same
// shape, dtype and values, bit for bit (range and linspace included: both accumulate in float32).
// Random tensors are checked for reproducibility and for their distribution over 100k samples.
// Errors: wherever TF.js throws, simdnet throws, naming the function and the argument.
import { beforeAll, describe, expect, it } from 'vitest';
import { Tensor, type DType } from '../../src/tensor.ts';
import { setSeed } from '../../src/random.ts';
import { memory } from '../../src/ops/tidy.ts';
import * as c from '../../src/ops/creation.ts';
import { initTfjs, tf } from '../helpers/tfjs.ts';
import { bothThrow, same } from '../helpers/ops.ts';

beforeAll(async () => {
  await initTfjs();
});

const DTYPES: DType[] = ['float32', 'int32', 'bool'];

type Args = unknown[];
/** Calls the function of the same name in both libraries with the same arguments. */
function both(name: keyof typeof c & keyof typeof tf, ...args: Args): [Tensor, tf.Tensor] {
  const ours = (c[name] as (...a: Args) => Tensor)(...args);
  const theirs = (tf[name] as (...a: Args) => tf.Tensor)(...args);
  return [ours, theirs];
}
function check(name: keyof typeof c & keyof typeof tf, ...args: Args): void {
  const [a, b] = both(name, ...args);
  same(a, b, `${name}(${args.map((x) => (ArrayBuffer.isView(x) ? x.constructor.name : JSON.stringify(x))).join(', ')})`);
}

describe('tensor', () => {
  it('infers shape and dtype as TF.js does', () => {
    const cases: Args[] = [
      [5],
      [true],
      [[1, 2, 3]],
      [[[1, 2], [3, 4], [5, 6]]],
      [[[[1], [2]], [[3], [4]]]],
      [[true, false, true]],
      [[[true], [false]]],
      [[1, true]], // the first value decides: float32
      [[true, 2]], // bool
      [new Float32Array([1.5, -2])],
      [new Int32Array([1, -2])],
      [new Uint8Array([0, 1, 255])], // int32
      [new Uint8ClampedArray([3, 4])], // int32
      [[new Float32Array([1, 2]), new Float32Array([3, 4])]],
      [[new Int32Array([1, 2]), new Int32Array([3, 4])]],
      [[]],
      [[[], []]],
      [[NaN, -0, Infinity, 1e-45, 3.4e38]],
    ];
    for (const args of cases) check('tensor', ...args);
  });

  it('with a shape and a dtype, converting as TF.js converts', () => {
    const cases: Args[] = [
      [[1, 2, 3, 4], [2, 2]],
      [[1, 2, 3, 4, 5, 6], [1, 2, 3], 'int32'],
      [[[1, 2, 3, 4]], [1, 2, 2]], // nested, the last level regrouped
      [5, [1, 1]],
      [7, [], 'int32'],
      [[0, 0.4, 0.6, 2, -1, NaN, -0.4], [7], 'bool'], // round(x) != 0
      [[true, false], [2], 'int32'],
      [[true, false], [2], 'float32'],
      [new Int32Array([1, 0, 5]), [3], 'bool'],
      [new Int32Array([1, 0, 5]), [3], 'float32'],
      [new Float32Array([1, 2, 3, 4]), [2, 2], 'int32'],
      [new Uint8Array([0, 1, 1, 0]), [2, 2], 'bool'],
      [[], [0, 3]],
      [[], [2, 0], 'bool'],
    ];
    for (const args of cases) check('tensor', ...args);
  });

  it('a typed array of the tensor’s own type is used without a copy (as in TF.js)', () => {
    const f = new Float32Array([1, 2]);
    expect(c.tensor(f).values).toBe(f);
    const i = new Int32Array([1, 2]);
    expect(c.tensor(i, [2, 1]).values).toBe(i);
    const u = new Uint8Array([1, 0]);
    expect(c.tensor(u, [2], 'bool').values).toBe(u);
    expect(c.tensor(u).values).not.toBe(u); // int32: converted
    // A Uint8Array holding other values than 0/1 is converted (TF.js keeps the 2 in its bool tensor).
    expect([...c.tensor(new Uint8Array([0, 2]), [2], 'bool').values]).toEqual([0, 1]);
  });

  it('beyond TF.js, what simdnet’s tensor always took: other typed arrays, -1 in the shape, regrouped nested arrays, a Tensor', () => {
    expect(() => tf.tensor(new Float64Array([1, 2]))).toThrow();
    const d = c.tensor(new Float64Array([1.5, 2]));
    expect([d.dtype, [...d.values]]).toEqual(['float32', [1.5, 2]]);
    expect(c.tensor(new Int16Array([-3, 4])).dtype).toBe('int32');
    expect([...c.tensor([1, 2, 3, 4], [-1, 2]).shape]).toEqual([2, 2]);
    expect([...c.tensor([[1, 2], [3, 4]], [4]).shape]).toEqual([4]);
    const t = c.tensor([1, 2, 3, 4]);
    const r = c.tensor(t, [2, 2]);
    expect([...r.shape]).toEqual([2, 2]);
    expect(r.values).toBe(t.values);
    expect([...c.tensor(t, undefined, 'int32').values]).toEqual([1, 2, 3, 4]);
  });

  it('tensor1d … tensor5d and scalar', () => {
    check('tensor1d', [1, 2, 3]);
    check('tensor1d', [true, false]);
    check('tensor1d', new Int32Array([4, 5]), 'float32');
    check('tensor2d', [[1, 2], [3, 4]]);
    check('tensor2d', [1, 2, 3, 4, 5, 6], [3, 2], 'int32');
    check('tensor2d', [[true], [false]]);
    check('tensor3d', [[[1], [2]], [[3], [4]]]);
    check('tensor3d', [1, 2, 3, 4, 5, 6], [1, 2, 3]);
    check('tensor4d', [[[[1, 2]]]], undefined, 'int32');
    check('tensor4d', new Float32Array([1, 2, 3, 4]), [1, 1, 2, 2]);
    check('tensor5d', [[[[[1]]]]]);
    check('tensor5d', [1, 2, 3, 4, 5, 6, 7, 8], [2, 1, 2, 1, 2], 'bool');
    check('scalar', 3.5);
    check('scalar', 3, 'int32');
    check('scalar', true);
    check('scalar', 0, 'bool');
  });
});

describe('filled tensors', () => {
  it('zeros, ones, fill in every dtype; fill infers bool from a boolean', () => {
    for (const shape of [[], [0], [3], [2, 3], [2, 0, 4], [1, 2, 1, 2, 1]]) {
      check('zeros', shape);
      check('ones', shape);
      check('fill', shape, 2.5);
      check('fill', shape, true);
      check('fill', shape, false);
      for (const dtype of DTYPES) {
        check('zeros', shape, dtype);
        check('ones', shape, dtype);
        check('fill', shape, dtype === 'bool' ? 1 : -3, dtype);
      }
    }
  });

  it('zerosLike and onesLike keep shape and dtype', () => {
    for (const x of [[1.5, 2], [[true, false]], new Int32Array([1, 2, 3]), 4]) {
      check('zerosLike', x);
      check('onesLike', x);
    }
    for (const dtype of DTYPES) {
      const [a, b] = [c.tensor([1, 0, 1, 1], [2, 2], dtype), tf.tensor([1, 0, 1, 1], [2, 2], dtype)];
      same(c.zerosLike(a), tf.zerosLike(b), `zerosLike ${dtype}`);
      same(c.onesLike(a), tf.onesLike(b), `onesLike ${dtype}`);
    }
  });
});

describe('range, linspace, eye, oneHot', () => {
  it('range: the values TF.js computes (float32 accumulation), up and down, int32', () => {
    const cases: Args[] = [
      [0, 5],
      [5, 0], // the default step counts down
      [0, 5, 2],
      [0, 1, 0.1],
      [-3, 3, 0.7],
      [5, 0, -2],
      [1, -1, -0.25],
      [0.5, 10.5, 1.5],
      [1, 1],
      [0, 5, -1], // away from stop: empty
      [5, 0, 2], // away from stop: empty
      [0, 5, 1, 'int32'],
      [10, -10, -3, 'int32'],
      [0, 1e5, 0.37],
    ];
    for (const args of cases) check('range', ...args);
  });

  it('range down with 0 < step < 1 is empty (TF.js counts up from start there: a bug not copied)', () => {
    expect(c.range(5, 0, 0.5).size).toBe(0);
    expect(tf.range(5, 0, 0.5).size).toBe(10);
  });

  it('linspace: the values TF.js computes, bit for bit', () => {
    for (const args of [[0, 1, 7], [3, 7, 1], [-1, 1, 2], [10, -5, 101], [0, 1e6, 33], [1e-3, 2e-3, 11]] as Args[]) check('linspace', ...args);
  });

  it('eye: square, wide, tall, batched, every dtype', () => {
    const cases: Args[] = [[0], [1], [3], [2, 4], [4, 2], [3, undefined, [2]], [2, 3, [2, 2]], [2, 3, [2, 1, 2], 'int32'], [3, 3, undefined, 'bool'], [2, 2, [3], 'int32']];
    for (const args of cases) check('eye', ...args);
    // Any batch rank here (TF.js stops at 3).
    expect([...c.eye(2, 2, [1, 2, 1, 2]).shape]).toEqual([1, 2, 1, 2, 2, 2]);
  });

  it('oneHot: indices of rank 0–2, out-of-range indices, on/off values, dtypes', () => {
    const cases: Args[] = [
      [[0, 1, 2], 3],
      [[[0, 2], [1, 1]], 4],
      [[1, -1, 5, 0], 3], // outside [0, depth): a row of offValue
      [new Int32Array([2, 0]), 3, 5, -1],
      [[2, 0], 3, 2.5, 0.5, 'float32'],
      [[1, 0], 2, 1, 0, 'bool'],
      [[], 3],
      [1, 4],
    ];
    for (const args of cases) check('oneHot', ...args);
    same(c.oneHot(c.tensor([1, 0], [2], 'int32'), 2), tf.oneHot(tf.tensor([1, 0], [2], 'int32'), 2), 'int32 tensor');
  });
});

describe('random tensors', () => {
  const N = 100_000;
  const stats = (v: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i];
    const mean = s / v.length;
    let q = 0;
    for (let i = 0; i < v.length; i++) q += (v[i] - mean) ** 2;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < v.length; i++) {
      min = Math.min(min, v[i]);
      max = Math.max(max, v[i]);
    }
    return { mean, std: Math.sqrt(q / v.length), min, max };
  };

  it('the same seed gives the same values, another seed others; fixed values guard the generator', () => {
    for (const f of [
      (s?: number) => c.randomNormal([50], 0, 1, 'float32', s),
      (s?: number) => c.randomUniform([50], 0, 1, 'float32', s),
      (s?: number) => c.truncatedNormal([50], 0, 1, 'float32', s),
    ]) {
      expect([...f(7).values]).toEqual([...f(7).values]);
      expect([...f(7).values]).not.toEqual([...f(8).values]);
    }
    // String seeds (TF.js's randomUniform takes them) are hashed to a number.
    expect([...c.randomUniform([5], 0, 1, 'float32', 'abc').values]).toEqual([...c.randomUniform([5], 0, 1, 'float32', 'abc').values]);
    // The sequence for a seed must not change between versions or runtimes (xoshiro128** with Math.imul).
    const golden = c.randomUniform([4], 0, 1, 'float32', 42).values;
    expect(Array.from(golden, (x) => x.toFixed(6))).toEqual(GOLDEN_UNIFORM_42);
    expect(Array.from(c.randomNormal([4], 0, 1, 'float32', 42).values, (x) => x.toFixed(6))).toEqual(GOLDEN_NORMAL_42);
  });

  it('without a seed they draw from the global generator: setSeed makes a run reproducible', () => {
    setSeed(123);
    const a = [c.randomNormal([20]), c.randomUniform([20]), c.truncatedNormal([20])].map((t) => [...t.values]);
    setSeed(123);
    const b = [c.randomNormal([20]), c.randomUniform([20]), c.truncatedNormal([20])].map((t) => [...t.values]);
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual([...c.randomNormal([20]).values]);
  });

  it('randomNormal: mean and std over 100k samples; int32 values rounded', () => {
    const s = stats(c.randomNormal([N], 3, 2, 'float32', 1).values);
    expect(Math.abs(s.mean - 3)).toBeLessThan(0.03);
    expect(Math.abs(s.std - 2)).toBeLessThan(0.03);
    const t = c.randomNormal([N], -5, 10, 'int32', 2);
    expect(t.dtype).toBe('int32');
    const si = stats(t.values);
    expect(Math.abs(si.mean + 5)).toBeLessThan(0.15);
    expect(Math.abs(si.std - 10)).toBeLessThan(0.15);
    const [a] = both('randomNormal', [2, 3], 0, 1, 'float32', 5);
    expect([a.dtype, ...a.shape]).toEqual(['float32', 2, 3]);
  });

  it('truncatedNormal: every value within mean ± 2 std; std that of the truncated normal (0.8796)', () => {
    const v = c.truncatedNormal([N], 1, 3, 'float32', 3).values;
    const s = stats(v);
    expect(s.min).toBeGreaterThanOrEqual(1 - 6);
    expect(s.max).toBeLessThanOrEqual(1 + 6);
    expect(Math.abs(s.mean - 1)).toBeLessThan(0.03);
    expect(Math.abs(s.std - 3 * 0.8796)).toBeLessThan(0.03);
    const u = c.truncatedNormal([N], 0, 1, 'float32', 4).values;
    // Both tails are used: the extremes sit near ±2.
    const su = stats(u);
    expect(su.min).toBeLessThan(-1.99);
    expect(su.max).toBeGreaterThan(1.99);
  });

  it('randomUniform: [minval, maxval), mean and std of the uniform; int32 integers in [min, max) equally often', () => {
    const v = c.randomUniform([N], -2, 6, 'float32', 5).values;
    const s = stats(v);
    expect(s.min).toBeGreaterThanOrEqual(-2);
    expect(s.max).toBeLessThan(6);
    expect(Math.abs(s.mean - 2)).toBeLessThan(0.03);
    expect(Math.abs(s.std - 8 / Math.sqrt(12))).toBeLessThan(0.03);
    const t = c.randomUniform([N], -3, 3, 'int32', 6);
    const counts = new Map<number, number>();
    for (const x of t.values) counts.set(x, (counts.get(x) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2]);
    for (const n of counts.values()) expect(Math.abs(n - N / 6)).toBeLessThan(600); // ~5 standard deviations
  });

  it('shapes of rank 0 to 5, empty ones included', () => {
    for (const shape of [[], [0], [3], [2, 0], [1, 2, 3, 1, 2]]) {
      for (const f of [c.randomNormal, c.randomUniform, c.truncatedNormal]) {
        const t = f(shape, undefined, undefined, undefined, 1);
        expect([...t.shape]).toEqual(shape);
        expect(t.dtype).toBe('float32');
      }
    }
  });
});

const GOLDEN_UNIFORM_42 = ['0.660616', '0.126880', '0.111702', '0.814939'];
const GOLDEN_NORMAL_42 = ['0.636230', '0.651442', '0.830802', '-1.921877'];

describe('buffer (TensorBuffer)', () => {
  it('set, get, toTensor, strides, locToIndex, indexToLoc as TF.js', () => {
    for (const dtype of DTYPES)
      for (const shape of [[], [4], [2, 3], [2, 3, 4]]) {
        const a = c.buffer(shape, dtype);
        const b = tf.buffer(shape, dtype);
        expect(a.strides).toEqual(b.strides);
        expect([a.size, a.rank]).toEqual([b.size, b.rank]);
        for (let i = 0; i < a.size; i += 3) {
          const loc = b.indexToLoc(i);
          expect(a.indexToLoc(i)).toEqual(loc);
          expect(a.locToIndex(loc)).toBe(b.locToIndex(loc));
          const v = dtype === 'bool' ? 1 : i + 1;
          a.set(v, ...loc);
          // TF.js's set() refuses a rank-0 buffer (it asks for 1 coordinate, then for 0).
          if (shape.length === 0) b.values[0] = v;
          else b.set(v, ...loc);
          expect(a.get(...loc)).toBe(b.get(...loc));
        }
        same(a.toTensor(), b.toTensor(), `${dtype} ${shape}`);
      }
  });

  it('values are used without a copy; toTensor and clone copy', () => {
    const v = new Float32Array(6);
    const buf = c.buffer([2, 3], 'float32', v);
    buf.set(5, 1, 2);
    expect(v[5]).toBe(5);
    const t = buf.toTensor();
    const cl = buf.clone();
    buf.set(7, 0, 0);
    expect([t.values[0], cl.values[0], v[0]]).toEqual([0, 0, 7]);
    expect(cl.get(1, 2)).toBe(5);
  });

  it('out-of-range reads and writes are errors (TF.js throws on reads only)', () => {
    const a = c.buffer([2, 2], 'int32');
    const b = tf.buffer([2, 2], 'int32');
    bothThrow(() => a.get(2, 0), () => b.get(2, 0), /^TensorBuffer\.get: coordinate 0 is 2, outside \[0, 2\) \(shape \[2, 2\]\)/);
    bothThrow(() => a.set(1, 0), () => b.set(1, 0), /^TensorBuffer\.set: expected 2 coordinates \(shape \[2, 2\]\), got 1/);
    expect(() => a.set(1, 0, 5)).toThrow(/^TensorBuffer\.set: coordinate 1 is 5, outside \[0, 2\)/);
    expect(() => a.set(1.5, 0, 0)).toThrow(/^TensorBuffer\.set: value: an int32 tensor takes integers in int32 range, got 1\.5/);
    bothThrow(() => c.buffer([2], 'float32', new Float32Array(3)), () => tf.buffer([2], 'float32', new Float32Array(3)), /^buffer: values: shape \[2\] holds 2 values, got 3/);
    expect(() => c.buffer([2], 'int32', new Float32Array(2) as never)).toThrow(/^buffer: values: an int32 buffer holds its values in an Int32Array, got a Float32Array/);
  });
});

describe('memory: creation counts each new tensor once', () => {
  it('numTensors grows by one per call; TensorLike arguments leave nothing behind', () => {
    const n0 = memory().numTensors;
    const made = [c.tensor([1, 2]), c.zeros([2]), c.oneHot([0, 1], 2), c.zerosLike([1, 2]), c.range(0, 3), c.eye(2), c.randomNormal([2])];
    expect(memory().numTensors - n0).toBe(made.length);
    made.forEach((t) => t.dispose());
    expect(memory().numTensors).toBe(n0);
  });
});

describe('errors: simdnet throws wherever TF.js throws, naming the function and the argument', () => {
  it('tensor and its ranked forms', () => {
    bothThrow(() => c.tensor([1, 2, 3], [2, 2]), () => tf.tensor([1, 2, 3], [2, 2]), /^tensor: shape \[2, 2\] holds 4 values, got 3/);
    bothThrow(() => c.tensor({} as never), () => tf.tensor({} as never), /^tensor: expected a number, a \(nested\) array or a typed array, got an object/);
    bothThrow(() => c.tensor([1], [1], 'complex64' as never), () => tf.tensor([1], [1], 'complex64'), /^tensor: dtype must be 'float32', 'int32' or 'bool', got "complex64" \(simdnet has no complex64 tensors\)/);
    bothThrow(() => c.tensor([1, 2], [2.5])  , () => tf.tensor([1, 2], [2.5] as never), /^tensor: shape: dimension 0 must be an integer >= 0, got 2\.5/);
    bothThrow(() => c.tensor1d([[1]]), () => tf.tensor1d([[1]] as never), /^tensor1d: values must be a flat array or a typed array, got rank 2 \[1, 1\]/);
    bothThrow(() => c.tensor1d(5 as never), () => tf.tensor1d(5 as never), /^tensor1d: values must be a flat array or a typed array, got rank 0/);
    bothThrow(() => c.tensor2d([1, 2, 3, 4]), () => tf.tensor2d([1, 2, 3, 4]), /^tensor2d: flat values need a shape of 2 dimensions/);
    bothThrow(() => c.tensor2d([1, 2, 3, 4], [1, 2, 2] as never), () => tf.tensor2d([1, 2, 3, 4], [1, 2, 2] as never), /^tensor2d: shape must have 2 dimensions, got \[1, 2, 2\]/);
    bothThrow(() => c.tensor3d([[1, 2]]), () => tf.tensor3d([[1, 2]] as never), /^tensor3d: values must be nested 3 deep, or flat with a shape; got rank 2 \[1, 2\]/);
    bothThrow(() => c.tensor4d([1, 2]), () => tf.tensor4d([1, 2]), /^tensor4d: flat values need a shape of 4 dimensions/);
    bothThrow(() => c.tensor5d([[1]]), () => tf.tensor5d([[1]] as never), /^tensor5d: values must be nested 5 deep/);
    bothThrow(() => c.scalar([1] as never), () => tf.scalar([1] as never), /^scalar: value: expected a number or a boolean, got \[1\]/);
    bothThrow(() => c.tensor1d(null as never), () => tf.tensor1d(null as never), /^tensor1d: values: expected a \(nested\) array or a typed array, got null/);
  });

  it('what TF.js lets through and simdnet does not: ragged arrays, strings, int32 from fractions', () => {
    // TF.js (without its debug flag) makes a [2, 2] tensor of 3 values from a ragged array.
    expect(() => tf.tensor([[1, 2], [3]])).not.toThrow();
    expect(() => c.tensor([[1, 2], [3]])).toThrow(/^tensor: ragged nested array at depth 1: 1 vs 2 \(at \[1\]\)/);
    expect(() => c.tensor([[1, 2], 3] as never)).toThrow(/^tensor: ragged nested array: a number at \[1\] where the others hold arrays/);
    expect(() => c.tensor([1, [2]] as never)).toThrow(/^tensor: ragged nested array: an array at \[1\] where the others hold numbers/);
    expect(() => c.tensor(['a'] as never)).toThrow(/^tensor: expected a number at \[0\], got "a"$/);
    expect(() => c.tensor([[1, undefined]] as never)).toThrow(/^tensor: expected a number at \[0\]\[1\] \(row 0, column 1\), got undefined \(a hole or undefined\)$/);
    expect(() => c.tensor([1.5], [1], 'int32')).toThrow(/^tensor: an int32 tensor takes integers in int32 range, got 1\.5 at index 0$/);
    expect(() => c.tensor([1, 2], [-2, -1])).toThrow(/^tensor: shape: dimension 0 must be an integer >= 0, got -2 \(shape \[-2, -1\]\)$/);
    expect(() => c.tensor(new BigInt64Array(1) as never)).toThrow(/^tensor: expected numbers, got a BigInt64Array/);
    expect(() => c.tensor([1, 2, 3, 4], [-1, -1])).toThrow(/^tensor: shape \[-1, -1\] has more than one -1/);
    expect(() => c.tensor([1, 2], 2 as never)).toThrow(/^tensor: shape must be a list of dimensions, got 2$/);
  });

  it('zeros, ones, fill, zerosLike', () => {
    bothThrow(() => c.zeros([1.5]), () => tf.zeros([1.5]), /^zeros: shape: dimension 0 must be an integer >= 0, got 1\.5 \(shape \[1\.5\]\)/);
    bothThrow(() => c.ones([-1]), () => tf.ones([-1]), /^ones: shape: dimension 0 must be an integer >= 0, got -1/);
    bothThrow(() => c.zeros([2], 'complex64' as never), () => tf.zeros([2], 'foo' as never), /^zeros: dtype: expected 'float32', 'int32' or 'bool', got "complex64"/);
    bothThrow(() => c.fill([-2], 1), () => tf.fill([-2], 1), /^fill: shape: dimension 0 must be an integer >= 0, got -2/);
    expect(() => c.fill([2], 'a' as never)).toThrow(/^fill: value: expected a number or a boolean, got "a" \(simdnet has no string tensors\)/);
    expect(() => c.fill([2], 1.5, 'int32')).toThrow(/^fill: value: an int32 tensor takes integers in int32 range, got 1\.5/);
    expect(() => c.fill([2], 2, 'bool')).toThrow(/^fill: value: a bool tensor takes true, false, 0 or 1, got 2/);
    bothThrow(() => c.zerosLike(null as never), () => tf.zerosLike(null as never), /^zerosLike: x: expected a Tensor, a number, a boolean or a \(nested\) array, got null/);
    expect(() => c.zeros([2 ** 20, 2 ** 20])).toThrow(/^zeros: shape: \[1048576, 1048576\] holds 1099511627776 values, more than the 2147483647 one tensor can/);
  });

  it('range, linspace, eye, oneHot', () => {
    bothThrow(() => c.range(0, 1, 0), () => tf.range(0, 1, 0), /^range: step: expected a non-zero number, got 0/);
    bothThrow(() => c.linspace(0, 1, 0), () => tf.linspace(0, 1, 0), /^linspace: num: expected an integer >= 1, got 0/);
    expect(() => c.linspace(0, 1, 2.5)).toThrow(/^linspace: num: expected an integer >= 1, got 2\.5/);
    expect(() => c.linspace(0, 1, 2 ** 40)).toThrow(/^linspace: num: 1099511627776 values are more than the 2147483647 one tensor can hold/);
    expect(() => c.range(0, 2 ** 40)).toThrow(/^range: \[0, 1099511627776\) by 1 holds 1099511627776 values, more than the 2147483647 one tensor can/);
    expect(() => c.eye(2 ** 16, 2 ** 16, [2])).toThrow(/^eye: the result's shape: \[2, 65536, 65536\] holds 8589934592 values/);
    expect(() => c.range(0, 1, 0.5, 'int32')).toThrow(/^range: step \(an int32 range\): expected an integer/);
    expect(() => c.range(0, NaN)).toThrow(/^range: stop: expected a finite number, got NaN/);
    bothThrow(() => c.eye(2.5), () => tf.eye(2.5), /^eye: numRows: expected a non-negative integer, got 2\.5/);
    bothThrow(() => c.oneHot([0], 1), () => tf.oneHot([0], 1), /^oneHot: depth: expected an integer >= 2, got 1/);
    bothThrow(() => c.oneHot(c.tensor([1, 0]), 3), () => tf.oneHot(tf.tensor([1, 0]), 3), /^oneHot: indices: expected an int32 tensor, got a float32 tensor \[2\]/);
    expect(() => c.oneHot([1.5], 3)).toThrow(/^oneHot: indices: an int32 tensor takes integers in int32 range, got 1\.5/);
    expect(() => c.oneHot([1], 3, 0.5)).toThrow(/^oneHot: onValue: an int32 tensor takes integers in int32 range, got 0\.5/);
  });

  it('random tensors', () => {
    bothThrow(() => c.randomNormal([2], 0, 1, 'bool' as never), () => tf.randomNormal([2], 0, 1, 'bool' as never), /^randomNormal: dtype: expected 'float32' or 'int32', got "bool"/);
    bothThrow(() => c.truncatedNormal([2], 0, 1, 'bool' as never), () => tf.truncatedNormal([2], 0, 1, 'bool' as never), /^truncatedNormal: dtype: expected 'float32' or 'int32', got "bool"/);
    bothThrow(() => c.randomUniform([-1]), () => tf.randomUniform([-1]), /^randomUniform: shape: dimension 0 must be an integer >= 0, got -1/);
    // TF.js writes random floats into a bool array (values like 5); simdnet refuses the dtype.
    expect(() => c.randomUniform([2], 0, 10, 'bool' as never)).toThrow(/^randomUniform: dtype: expected 'float32' or 'int32', got "bool"/);
    expect(() => c.randomNormal([2], 0, -1)).toThrow(/^randomNormal: stdDev: expected a number >= 0, got -1/);
    expect(() => c.randomUniform([2], 0, 1.5, 'int32')).toThrow(/^randomUniform: maxval \(int32\): expected an integer in \[-2147483648, 2147483647\], got 1\.5/);
    expect(() => c.randomUniform([2], 3, 3, 'int32')).toThrow(/^randomUniform: an int32 range needs maxval > minval, got \[3, 3\)/);
    expect(() => c.randomNormal([2], 0, 1, 'float32', NaN)).toThrow(/^randomNormal: seed: expected a finite number or a string, got NaN/);
  });
});
