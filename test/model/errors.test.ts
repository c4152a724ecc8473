// Bad input gets a clear error, never a wrong answer.
import { beforeAll, describe, expect, it } from 'vitest';
import { callbacks, init, layers, optimizers, sequential, tensor } from '../../src/index.ts';

beforeAll(async () => {
  await init();
});

const mlp = () =>
  sequential({ layers: [layers.dense({ units: 8, activation: 'relu', inputShape: [4] }), layers.dense({ units: 3, activation: 'softmax' })] });
const x = tensor(Float32Array.from({ length: 40 }, (_, i) => (i % 7) / 7), [10, 4]);
const y = tensor(Int32Array.from({ length: 10 }, (_, i) => i % 3), [10], 'int32');

describe('errors', () => {
  it('fit, evaluate and trainOnBatch before compile', async () => {
    const m = mlp();
    await expect(m.fit(x, y, { verbose: 0 })).rejects.toThrow(/must be compiled first/);
    expect(() => m.evaluate(x, y)).toThrow(/must be compiled first/);
    await expect(m.trainOnBatch(x, y)).rejects.toThrow(/must be compiled first/);
  });

  it('wrong input shape names expected and actual', async () => {
    const m = mlp();
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const bad = tensor(new Float32Array(50), [10, 5]);
    await expect(m.fit(bad, y, { verbose: 0 })).rejects.toThrow('expected input shape [null, 4] but got [10, 5]');
    expect(() => m.predict(bad)).toThrow('expected input shape [null, 4] but got [10, 5]');
  });

  it('labels out of range', async () => {
    const m = mlp();
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const badY = tensor(Int32Array.from([0, 1, 2, 3, 0, 1, 2, 0, 1, 2]), [10], 'int32');
    await expect(m.fit(x, badY, { verbose: 0 })).rejects.toThrow('label 3 at index 3 is outside [0, 3)');
    const frac = tensor([0, 1, 2, 0.5, 0, 1, 2, 0, 1, 2], [10]);
    expect(() => m.evaluate(x, frac)).toThrow(/label 0.5/);
    expect(() => m.evaluate(x, tensor([0, 1], [2], 'int32'))).toThrow(/10 input samples but 2 targets/);
  });

  it('NaN in inputs makes the loss NaN and terminateOnNaN stops training', async () => {
    const m = mlp();
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const nanX = tensor(x.dataSync().map((v, i) => (i === 5 ? NaN : v)), [10, 4]);
    const stop = callbacks.terminateOnNaN();
    let batches = 0;
    const h = await m.fit(nanX, y, { epochs: 5, batchSize: 2, shuffle: false, verbose: 0, callbacks: [stop, { onBatchEnd: () => void batches++ }] });
    expect(Number.isNaN(h.history.loss[0])).toBe(true);
    expect(batches).toBe(1);
    expect(h.epoch.length).toBe(1);
  });

  it('batchSize 0, bad epochs, bad validationSplit', async () => {
    const m = mlp();
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    await expect(m.fit(x, y, { batchSize: 0, verbose: 0 })).rejects.toThrow('batchSize must be a positive integer, got 0');
    await expect(m.fit(x, y, { epochs: 0, verbose: 0 })).rejects.toThrow(/epochs must be a positive integer/);
    await expect(m.fit(x, y, { validationSplit: 1.5, verbose: 0 })).rejects.toThrow(/validationSplit must be in \(0, 1\)/);
    const none = tensor(new Float32Array(0), [0, 4]);
    await expect(m.fit(x, y, { validationData: [none, tensor([], [0], 'int32')], verbose: 0 })).rejects.toThrow('fit: validationData has no samples');
    expect(() => m.predict(x, { batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
  });

  it('unknown activation, loss, optimizer, metric and initializer names', () => {
    expect(() => layers.dense({ units: 3, activation: 'relux' })).toThrow(/unknown activation 'relux'; expected one of linear, relu/);
    const m = mlp();
    expect(() => m.compile({ optimizer: 'adamm', loss: 'sparseCategoricalCrossentropy' })).toThrow(/unknown optimizer "adamm"/);
    expect(() => m.compile({ optimizer: 'adam', loss: 'crossEntropy' })).toThrow(/unknown loss "crossEntropy"/);
    expect(() => m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['f1'] })).toThrow(/unknown metric "f1"/);
    expect(() => layers.dense({ units: 3, kernelInitializer: 'glorot' })).toThrow(/unknown initializer 'glorot'/);
    expect(() => layers.dense({ units: 0 })).toThrow(/units: expected a positive integer, got 0/);
    expect(() => optimizers.adam({ learningRate: -1 })).toThrow(/learningRate: expected a positive number, got -1/);
  });

  it('cross-entropy without a softmax output is computed as TF.js does (test/model/parity.test.ts); a first layer without inputShape', async () => {
    const m = sequential({ layers: [layers.dense({ units: 3, activation: 'sigmoid', inputShape: [4] })] });
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const onehot = tensor(Float32Array.from({ length: 30 }, (_, i) => ((i % 3) === (Math.floor(i / 3) % 3) ? 1 : 0)), [10, 3]);
    expect(Number.isFinite(await m.trainOnBatch(x, onehot))).toBe(true);
    expect(() => sequential({ layers: [layers.dense({ units: 3 })] })).toThrow(/first layer .* needs an inputShape/);
  });

  it('setWeights with the wrong count or shape', () => {
    const m = mlp();
    expect(() => m.setWeights([])).toThrow(/has 4 weight tensors, got 0/);
    const w = m.getWeights();
    w[0] = tensor(new Float32Array(5), [5]);
    expect(() => m.setWeights(w)).toThrow(/expects shape \[4,8\], got \[5\]/);
  });
});
