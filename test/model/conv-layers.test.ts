// Convolution and pooling layers: shapes, TF.js padding rules, gradient checks, errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { init, layers, sequential, setSeed, tensor, utils, type Tensor } from '../../src/index.ts';
import type { Layer } from '../../src/layers/layer.ts';
import { Random } from '../../src/random.ts';

beforeAll(async () => {
  await init({ deterministic: true });
});

const rnd = new Random(17);
const randn = (shape: number[]): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Float32Array.from({ length: n }, () => rnd.uniform() * 2 - 1), shape);
};
/** Distinct values so max-pool windows have a unique max (no ties, no kinks). */
const distinct = (shape: number[]): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  const perm = rnd.shuffle(Array.from({ length: n }, (_, i) => i));
  return tensor(Float32Array.from(perm, (v) => (v / n) * 2 - 1), shape);
};

describe('output shapes follow TF.js', () => {
  // TF.js's outputShape has the batch dimension first (null).
  const shapeOf = (l: Layer) => (sequential({ layers: [l] }).outputShape as (number | null)[]).slice(1);
  it('conv2d valid / same / strides / dilation / explicit padding', () => {
    expect(shapeOf(layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [7, 9, 2] }))).toEqual([5, 7, 4]);
    expect(shapeOf(layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', inputShape: [7, 9, 2] }))).toEqual([7, 9, 4]);
    expect(shapeOf(layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', inputShape: [7, 9, 2] }))).toEqual([4, 5, 4]);
    expect(shapeOf(layers.conv2d({ filters: 4, kernelSize: [2, 3], strides: [2, 1], inputShape: [7, 9, 2] }))).toEqual([3, 7, 4]);
    expect(shapeOf(layers.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, inputShape: [7, 9, 2] }))).toEqual([3, 5, 4]);
    expect(shapeOf(layers.conv2d({ filters: 1, kernelSize: 3, padding: [[1, 0], [2, 2]], inputShape: [7, 9, 2] }))).toEqual([6, 11, 1]);
    // OH = floor((H + 2P − FH)/S) + 1
    expect(shapeOf(layers.conv2d({ filters: 1, kernelSize: 5, strides: 3, padding: 1, inputShape: [32, 32, 3] }))).toEqual([10, 10, 1]);
  });
  it('pooling and global pooling', () => {
    expect(shapeOf(layers.maxPooling2d({ poolSize: 2, inputShape: [7, 9, 3] }))).toEqual([3, 4, 3]);
    expect(shapeOf(layers.maxPooling2d({ poolSize: 2, padding: 'same', inputShape: [7, 9, 3] }))).toEqual([4, 5, 3]);
    expect(shapeOf(layers.averagePooling2d({ poolSize: [3, 2], strides: 1, inputShape: [7, 9, 3] }))).toEqual([5, 8, 3]);
    expect(sequential({ layers: [layers.maxPooling1d({ poolSize: 3, inputShape: [10, 4] })] }).outputShape).toEqual([null, 3, 4]);
    expect(sequential({ layers: [layers.globalAveragePooling2d({ inputShape: [5, 5, 6] })] }).outputShape).toEqual([null, 6]);
    expect(sequential({ layers: [layers.globalMaxPooling1d({ inputShape: [10, 4] })] }).outputShape).toEqual([null, 4]);
    expect(sequential({ layers: [layers.conv1d({ filters: 3, kernelSize: 3, padding: 'causal', inputShape: [10, 4] })] }).outputShape).toEqual([null, 10, 3]);
    expect(sequential({ layers: [layers.reshape({ targetShape: [-1, 2], inputShape: [4, 3] })] }).outputShape).toEqual([null, 6, 2]);
  });
  it('the kernel of conv1d is [k, in, out] and of conv2d [kh, kw, in, out]', () => {
    const c1 = sequential({ layers: [layers.conv1d({ filters: 3, kernelSize: 5, inputShape: [10, 4] })] });
    expect(c1.getWeights().map((w) => w.shape)).toEqual([[5, 4, 3], [3]]);
    const c2 = sequential({ layers: [layers.conv2d({ filters: 3, kernelSize: [2, 5], inputShape: [10, 10, 4] })] });
    expect(c2.getWeights().map((w) => w.shape)).toEqual([[2, 5, 4, 3], [3]]);
  });
});

describe('values', () => {
  it('the 4x4 ⊗ 3x3 example from the course notes through a conv2d layer', () => {
    const m = sequential({ layers: [layers.conv2d({ filters: 1, kernelSize: 3, useBias: false, inputShape: [4, 4, 1] })] });
    m.setWeights([tensor([2, 0, 1, 0, 1, 2, 1, 0, 2], [3, 3, 1, 1])]);
    const x = tensor([1, 2, 3, 0, 0, 1, 2, 3, 3, 0, 1, 2, 2, 3, 0, 1], [1, 4, 4, 1]);
    expect(Array.from(m.predict(x).dataSync())).toEqual([15, 16, 6, 15]);
  });
  it('a 2x2 max pool and average pool', () => {
    const x = tensor([1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4], [1, 4, 4, 1]);
    expect(Array.from(sequential({ layers: [layers.maxPooling2d({ poolSize: 2, inputShape: [4, 4, 1] })] }).predict(x).dataSync())).toEqual([6, 8, 3, 4]);
    expect(Array.from(sequential({ layers: [layers.averagePooling2d({ poolSize: 2, inputShape: [4, 4, 1] })] }).predict(x).dataSync())).toEqual([3.25, 5.25, 2, 2]);
  });
  it('conv1d equals conv2d over a height-1 image', () => {
    setSeed(8);
    const c1 = sequential({ layers: [layers.conv1d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', inputShape: [11, 4] })] });
    const c2 = sequential({ layers: [layers.conv2d({ filters: 5, kernelSize: [1, 3], strides: [1, 2], padding: 'same', inputShape: [1, 11, 4] })] });
    c2.setWeights(c1.getWeights().map((w, i) => (i === 0 ? w.reshape([1, 3, 4, 5]) : w)));
    const x = randn([3, 11, 4]);
    expect(Array.from(c1.predict(x).dataSync())).toEqual(Array.from(c2.predict(x.reshape([3, 1, 11, 4])).dataSync()));
  });
  it('causal conv1d: output step t depends only on steps <= t', () => {
    setSeed(9);
    const m = sequential({ layers: [layers.conv1d({ filters: 2, kernelSize: 3, padding: 'causal', inputShape: [8, 1] })] });
    const a = Float32Array.from({ length: 8 }, (_, i) => i + 1);
    const b = a.slice();
    b[5] = 100;
    const ya = m.predict(tensor(a, [1, 8, 1])).dataSync();
    const yb = m.predict(tensor(b, [1, 8, 1])).dataSync();
    expect(Array.from(ya.slice(0, 10))).toEqual(Array.from(yb.slice(0, 10)));
    expect(ya[10]).not.toBe(yb[10]);
  });
});

describe('conv2d with relu: the kernel applies it as it writes y', () => {
  // filters 8: the direct path (relu at the store); filters 5: the GEMM path (relu per chunk).
  for (const filters of [8, 5]) {
    it(`equals conv2d (linear) + activation relu, forward and gradients, ${filters} filters`, () => {
      const y = tensor(Int32Array.from({ length: 3 }, (_, i) => i % 3), [3], 'int32');
      const make = (fused: boolean) => {
        setSeed(5);
        const conv = layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: fused ? 'relu' : 'linear', biasInitializer: 'randomNormal', inputShape: [7, 6, 2] });
        const rest = [layers.maxPooling2d({ poolSize: 2 }), layers.flatten(), layers.dense({ units: 3, activation: 'softmax' })];
        const m = sequential({ layers: fused ? [conv, ...rest] : [conv, layers.activation({ activation: 'relu' }), ...rest] });
        m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
        return m;
      };
      const fused = make(true);
      const plain = make(false);
      // Its own generator: the gradient checks below depend on the shared one's sequence.
      const r = new Random(99);
      const x = tensor(Float32Array.from({ length: 3 * 7 * 6 * 2 }, () => r.uniform() * 2 - 1), [3, 7, 6, 2]);
      expect(Array.from(fused.predict(x).values)).toEqual(Array.from(plain.predict(x).values));
      const flat = (m: typeof fused) => utils.gradients(m, x, y).weights.flatMap((w) => Array.from(w.dataSync()));
      expect(flat(fused)).toEqual(flat(plain));
    });
  }
});

describe('gradient checks through each layer (checkGradients < 1e-3)', () => {
  const y3 = (n: number) => tensor(Int32Array.from({ length: n }, (_, i) => i % 3), [n], 'int32');
  const cases: [string, () => ReturnType<typeof sequential>, number[]][] = [
    ['conv2d same + relu + dense', () => sequential({ layers: [layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', inputShape: [5, 5, 2] }), layers.flatten(), layers.dense({ units: 3, activation: 'softmax' })] }), [4, 5, 5, 2]],
    ['conv2d strided, dilated, explicit padding', () => sequential({ layers: [layers.conv2d({ filters: 2, kernelSize: [3, 2], strides: [2, 1], padding: [[1, 0], [0, 1]], inputShape: [6, 5, 3] }), layers.conv2d({ filters: 3, kernelSize: 2, dilationRate: 2, activation: 'sigmoid' }), layers.flatten(), layers.dense({ units: 3, activation: 'softmax' })] }), [3, 6, 5, 3]],
    ['maxPooling2d', () => sequential({ layers: [layers.maxPooling2d({ poolSize: 2, padding: 'same', inputShape: [5, 5, 2] }), layers.flatten(), layers.dense({ units: 3, activation: 'softmax' })] }), [4, 5, 5, 2]],
    ['conv2d + maxPooling2d', () => sequential({ layers: [layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [6, 6, 1] }), layers.maxPooling2d({ poolSize: 2 }), layers.flatten(), layers.dense({ units: 3, activation: 'softmax' })] }), [3, 6, 6, 1]],
    ['averagePooling2d', () => sequential({ layers: [layers.conv2d({ filters: 2, kernelSize: 2, inputShape: [5, 5, 2] }), layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }), layers.flatten(), layers.dense({ units: 3, activation: 'softmax' })] }), [3, 5, 5, 2]],
    ['conv1d + pooling1d', () => sequential({ layers: [layers.conv1d({ filters: 3, kernelSize: 3, padding: 'causal', activation: 'elu', inputShape: [9, 2] }), layers.maxPooling1d({ poolSize: 2 }), layers.averagePooling1d({ poolSize: 2 }), layers.flatten(), layers.dense({ units: 3, activation: 'softmax' })] }), [4, 9, 2]],
    ['global pooling 2d', () => sequential({ layers: [layers.conv2d({ filters: 4, kernelSize: 2, inputShape: [4, 4, 2] }), layers.globalMaxPooling2d(), layers.dense({ units: 3, activation: 'softmax' })] }), [4, 4, 4, 2]],
    ['global pooling 1d', () => sequential({ layers: [layers.conv1d({ filters: 4, kernelSize: 2, inputShape: [6, 2] }), layers.globalAveragePooling1d(), layers.dense({ units: 3, activation: 'softmax' })] }), [4, 6, 2]],
    ['reshape', () => sequential({ layers: [layers.reshape({ targetShape: [3, 4, 1], inputShape: [12] }), layers.conv2d({ filters: 2, kernelSize: 2 }), layers.flatten(), layers.dense({ units: 3, activation: 'softmax' })] }), [4, 12]],
  ];
  for (const [name, make, shape] of cases) {
    it(name, () => {
      setSeed(21);
      const m = make();
      m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
      const r = utils.checkGradients(m, distinct(shape), y3(shape[0]));
      expect(r.maxError, JSON.stringify(r.perLayer)).toBeLessThan(1e-3);
    });
  }
});

describe('errors', () => {
  it('names the layer and the offending value', () => {
    expect(() => sequential({ layers: [layers.conv2d({ filters: 1, kernelSize: 5, inputShape: [3, 3, 1] })] })).toThrow(
      /conv2d(_\d+)?: a window of 5 \(kernel 5, dilation 1\) does not fit the input height 3: output height would be -1/,
    );
    expect(() => layers.conv2d({ filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 })).toThrow(/strides > 1 together with dilationRate > 1/);
    expect(() => layers.conv2d({ filters: 0, kernelSize: 3 })).toThrow(/filters: expected a positive integer, got 0/);
    expect(() => layers.conv2d({ filters: 2, kernelSize: 3, padding: 'full' as 'same' })).toThrow(/padding must be 'valid', 'same'/);
    expect(() => sequential({ layers: [layers.conv2d({ filters: 1, kernelSize: 3, inputShape: [28, 28] })] })).toThrow(/expects input \[height, width, channels\], got \[28,28\]/);
    expect(() => sequential({ layers: [layers.maxPooling2d({ inputShape: [28, 28] })] })).toThrow(/expects input \[height, width, channels\]/);
    expect(() => layers.conv2d({ filters: 1, kernelSize: 3, dataFormat: 'channelsFirst' as 'channelsLast' })).toThrow(/channelsLast/);
    expect(() => sequential({ layers: [layers.reshape({ targetShape: [5, -1], inputShape: [12] })] })).toThrow(/cannot reshape \[12\] \(12 values\) into \[5,-1\]/);
  });
});
