// The public export list is small and stable: this snapshot changes only on purpose.
import { expect, it } from 'vitest';
import * as simdnet from '../../src/index.ts';

it('public exports', () => {
  expect(Object.keys(simdnet).sort()).toMatchInlineSnapshot(`
    [
      "LayersModel",
      "Sequential",
      "SymbolicTensor",
      "Tensor",
      "backendInfo",
      "callbacks",
      "data",
      "init",
      "initializers",
      "input",
      "io",
      "layers",
      "loadLayersModel",
      "model",
      "optimizers",
      "regularizers",
      "sequential",
      "setSeed",
      "tensor",
      "utils",
      "version",
    ]
  `);
  expect(Object.keys(simdnet.layers).sort()).toMatchInlineSnapshot(`
    [
      "activation",
      "add",
      "average",
      "averagePooling1d",
      "averagePooling2d",
      "concatenate",
      "conv1d",
      "conv2d",
      "dense",
      "dot",
      "flatten",
      "globalAveragePooling1d",
      "globalAveragePooling2d",
      "globalMaxPooling1d",
      "globalMaxPooling2d",
      "inputLayer",
      "leakyReLU",
      "maxPooling1d",
      "maxPooling2d",
      "maximum",
      "minimum",
      "multiply",
      "reLU",
      "reshape",
      "softmax",
      "subtract",
    ]
  `);
  expect(Object.keys(simdnet.optimizers).sort()).toMatchInlineSnapshot(`
    [
      "adagrad",
      "adam",
      "adamw",
      "momentum",
      "rmsprop",
      "sgd",
    ]
  `);
  expect(Object.keys(simdnet.data).sort()).toMatchInlineSnapshot(`
    [
      "csv",
      "fromArrays",
      "mnist",
      "oneHot",
      "parseIdx",
      "shuffle",
      "split",
    ]
  `);
  expect(Object.keys(simdnet.callbacks).sort()).toMatchInlineSnapshot(`
    [
      "earlyStopping",
      "terminateOnNaN",
    ]
  `);
  expect(Object.keys(simdnet.initializers).sort()).toMatchInlineSnapshot(`
    [
      "constant",
      "glorotNormal",
      "glorotUniform",
      "heNormal",
      "heUniform",
      "leCunNormal",
      "leCunUniform",
      "ones",
      "randomNormal",
      "randomUniform",
      "truncatedNormal",
      "zeros",
    ]
  `);
});

it('version equals package.json', async () => {
  const pkg = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')));
  expect(simdnet.version).toBe(pkg.version);
});

it('tensor basics', () => {
  const t = simdnet.tensor([[1, 2, 3], [4, 5, 6]]);
  expect(t.shape).toEqual([2, 3]);
  expect(t.dtype).toBe('float32');
  expect(t.arraySync()).toEqual([[1, 2, 3], [4, 5, 6]]);
  expect(t.reshape([3, -1]).shape).toEqual([3, 2]);
  expect(Array.from(t.slice(1).dataSync())).toEqual([4, 5, 6]);
  expect(Array.from(t.gather([1, 0]).dataSync())).toEqual([4, 5, 6, 1, 2, 3]);
  expect(() => simdnet.tensor([1, 2, 3], [2, 2])).toThrow(/cannot reshape 3 values into \[2, 2\]/);
  expect(() => simdnet.tensor([[1, 2], [3]])).toThrow(/ragged/);
  const labels = simdnet.tensor([1, 2], [2], 'int32');
  expect(labels.values).toBeInstanceOf(Int32Array);
});
