// Tensors: every cell a number (the error says where a bad one is), the constructor checks what
// it is given, and shapes are lists of integers. Bad data never reaches a model's weights.
import { beforeAll, describe, expect, it } from 'vitest';
import { referenceModel, rejectedAndUnharmed, sn, tensor, x4, y3, rejectionCases } from './helpers.ts';

let ref: sn.Sequential;
beforeAll(async () => {
  await sn.init();
  ref = referenceModel();
});

const cases = rejectionCases(() => ref);
const row = [0.1, 0.2, 0.3, 0.4];
const rows = (bad: unknown, r = 2, c = 1) => Array.from({ length: 4 }, (_, i) => row.map((v, j) => (i === r && j === c ? bad : v)));

describe('non-numeric cells in nested arrays are rejected with their row and column', () => {
  cases([
    ['a string', () => tensor(rows('a') as never), /^tensor: expected a number at \[2\]\[1\] \(row 2, column 1\), got "a"$/],
    ['undefined', () => tensor(rows(undefined) as never), /^tensor: expected a number at \[2\]\[1\] \(row 2, column 1\), got undefined \(a hole or undefined\)$/],
    ['an object', () => tensor(rows({}) as never), /at \[2\]\[1\] \(row 2, column 1\), got an object$/],
    ['null', () => tensor(rows(null) as never), /at \[2\]\[1\] \(row 2, column 1\), got null$/],
    ['a BigInt', () => tensor(rows(1n) as never), /got 1n \(a BigInt\)$/],
    ['a numeric string', () => tensor(rows('0.5') as never), /got "0\.5"$/],
    // eslint-disable-next-line no-sparse-arrays
    ['a hole', () => tensor([[1, 2], [3, , 5].slice(0, 2)] as never), /^tensor: expected a number at \[1\]\[1\] \(row 1, column 1\), got undefined \(a hole or undefined\)$/],
    ['deeper: a hole at depth 3', () => tensor([[[1], [2]], [[3], [undefined]]] as never), /^tensor: expected a number at \[1\]\[1\]\[0\], got undefined/],
    ['a flat array', () => tensor([1, 'x', 3] as never), /^tensor: expected a number at \[1\], got "x"$/],
    ['an array-like object', () => tensor({ length: 2, 0: 1, 1: 'b' } as never), /^tensor: expected a number at \[1\], got "b"$/],
    ['a plain object', () => tensor({ a: 1 } as never), /^tensor: expected a number, a \(nested\) array or a typed array, got an object$/],
    ['a string', () => tensor('1,2,3' as never), /^tensor: expected a number, a \(nested\) array or a typed array, got "1,2,3"$/],
    ['a BigInt64Array', () => tensor(new BigInt64Array(2) as never), /^tensor: expected numbers, got a BigInt64Array$/],
    ['ragged: an array among numbers', () => tensor([1, [2]] as never), /^tensor: ragged nested array/],
    ['ragged: a number among arrays', () => tensor([[1], 2] as never), /^tensor: ragged nested array/],
    // The model's data: the argument is named, then the cell.
    ['fit x', () => ref.fit(rows('a') as never, y3.slice(0, 4), { verbose: 0 }), /^fit: x: expected a number at \[2\]\[1\] \(row 2, column 1\), got "a"$/],
    ['trainOnBatch y (one-hot rows)', () => ref.trainOnBatch(x4.slice(0, 2), [[1, 0, 0], [0, undefined, 1]] as never), /^trainOnBatch: y: expected a number at \[1\]\[1\] \(row 1, column 1\), got undefined/],
    ['predict x', () => ref.predict(rows(null) as never), /^predict: x: expected a number at \[2\]\[1\]/],
    ['setWeights', () => ref.setWeights(ref.getWeights().map((w, i) => (i === 0 ? (w.arraySync() as number[][]).map((r, k) => (k === 1 ? r.map(() => 'w') : r)) : w)) as never), /^setWeights: weight 0: expected a number at \[1\]\[0\] \(row 1, column 0\), got "w"$/],
    ['layer.apply', () => ref.layers[0].apply(rows('z') as never), /^dense\w*\.apply: input 0: expected a number at \[2\]\[1\]/],
    ['data.fromArrays', () => sn.data.fromArrays(rows('q') as never, [0, 1, 2, 0]), /^fromArrays: xs: expected a number at \[2\]\[1\] \(row 2, column 1\), got "q"$/],
  ]);

  it('a boolean among numbers is 1 or 0, as TF.js converts it (dtype from the first cell)', () => {
    const t = tensor(rows(true) as never);
    expect(t.dtype).toBe('float32');
    expect(t.values[2 * 4 + 1]).toBe(1);
  });

  it('NaN itself is a number: it is accepted as data (terminateOnNaN is there for it)', () => {
    expect(Number.isNaN(tensor([[1, NaN]]).values[1])).toBe(true);
  });
});

describe('the Tensor constructor checks what it is given', () => {
  const T = sn.Tensor as unknown as new (v: unknown, s: unknown, d: unknown) => sn.Tensor;
  cases([
    ['a plain array', () => new T([1, 2], [2], 'float32'), /^Tensor: a float32 tensor holds its values in a Float32Array, got \[1, 2\]; tensor\(values, shape, dtype\) converts arrays$/],
    ['an Int32Array for float32', () => new T(new Int32Array(2), [2], 'float32'), /^Tensor: a float32 tensor holds its values in a Float32Array, got an Int32Array/],
    ['a Float32Array for int32', () => new T(new Float32Array(2), [2], 'int32'), /^Tensor: an int32 tensor holds its values in an Int32Array, got a Float32Array/],
    ['dtype float64', () => new T(new Float32Array(2), [2], 'float64'), /^Tensor: dtype must be 'float32', 'int32' or 'bool', got "float64"$/],
    ['dtype missing', () => new T(new Float32Array(2), [2], undefined), /^Tensor: dtype must be 'float32', 'int32' or 'bool', got undefined$/],
    ['shape [1.5, 4]', () => new T(new Float32Array(6), [1.5, 4], 'float32'), /^Tensor: shape: dimension 0 must be an integer >= 0, got 1\.5 \(shape \[1\.5, 4\]\)$/],
    ['shape [-1, 6]', () => new T(new Float32Array(6), [-1, 6], 'float32'), /^Tensor: shape: dimension 0 must be an integer >= 0, got -1/],
    ['shape [NaN]', () => new T(new Float32Array(1), [NaN], 'float32'), /^Tensor: shape: dimension 0 must be an integer >= 0, got NaN/],
    ['shape "2"', () => new T(new Float32Array(2), '2', 'float32'), /^Tensor: shape: expected a list of dimensions, got "2"$/],
    ['size mismatch', () => new T(new Float32Array(5), [2, 3], 'float32'), /^tensor: shape \[2, 3\] holds 6 values, got 5$/],
  ]);
});

describe('tensor() shapes and dtypes', () => {
  cases([
    ['shape a number', () => tensor([1, 2], 2 as never), /^tensor: shape must be a list of dimensions, got 2$/],
    ['shape [NaN]', () => tensor([1, 2], [NaN]), /^tensor: shape: dimension 0 must be an integer >= 0, got NaN/],
    ['shape with two -1', () => tensor([1, 2, 3, 4], [-1, -1]), /^tensor: shape \[-1, -1\] has more than one -1$/],
    ['shape with -2', () => tensor([1, 2], [-2, -1]), /^tensor: shape: dimension 0 must be an integer >= 0, got -2/],
    ['dtype int64', () => tensor([1], [1], 'int64' as never), /^tensor: dtype must be 'float32', 'int32' or 'bool', got "int64"$/],
    ['int32 from 1.5 (no silent truncation)', () => tensor([1, 1.5], [2], 'int32'), /^tensor: an int32 tensor takes integers in int32 range, got 1\.5 at index 1$/],
    ['int32 from 3e9 (no silent wrap)', () => tensor(new Float64Array([3e9]), [1], 'int32'), /got 3000000000 at index 0$/],
    ['int32 from NaN', () => tensor([NaN], [1], 'int32'), /got NaN at index 0$/],
  ]);
});

describe('tensor methods', () => {
  const t = tensor([[1, 2], [3, 4], [5, 6]]);
  cases([
    ['reshape(5)', () => t.reshape(5 as never), /^reshape: shape must be a list of dimensions, got 5$/],
    ['reshape([NaN])', () => t.reshape([NaN]), /^reshape: shape: dimension 0 must be an integer >= 0, got NaN/],
    ['reshape([4, -1])', () => t.reshape([4, -1]), /^reshape: cannot fit 6 values into \[4, -1\]$/],
    ['slice(NaN)', () => t.slice(NaN), /^slice: /],
    ['slice(0, 1.5)', () => t.slice(0, 1.5), /^slice: /],
    ['slice on a scalar', () => tensor(5).slice(0), /^slice: /],
    ['gather([0.5])', () => t.gather([0.5]), /^gather: /],
    ['gather([3])', () => t.gather([0, 3]), /^gather: /],
    ['gather("01")', () => t.gather('01' as never), /^gather: /],
  ]);

  it('slices and gathers with TF.js semantics (begin and size; indices and axis)', () => {
    expect(t.slice(1).arraySync()).toEqual([[3, 4], [5, 6]]);
    expect(t.slice([1, 1], [2, 1]).arraySync()).toEqual([[4], [6]]);
    expect(t.gather([2, 0]).arraySync()).toEqual([[5, 6], [1, 2]]);
    expect(t.gather([1], 1).arraySync()).toEqual([[2], [4], [6]]);
    expect(tensor(t).shape).toEqual([3, 2]);
  });
});
