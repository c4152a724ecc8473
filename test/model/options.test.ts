// No silent options: every option of compile, fit, evaluate, predict, fitDataset,
// evaluateDataset and the activation layers that simdnet does not implement (TF.js's own
// unimplemented ones included), every misspelt one and every value out of range is an error
// that names it. Accepted options are checked for what they do in test/model/parity.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { rejects } from '../hardening/helpers.ts';
import { CustomCallback } from '../../src/model/callbacks.ts';

const { layers, tensor } = sn;

let m: sn.Sequential;
let two: sn.LayersModel;
const x = tensor(Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)), [6, 4]);
const y = tensor(Int32Array.from([0, 1, 2, 0, 1, 2]), [6], 'int32');
/** A dataset of one batch of x, y (fresh tensors each time: fitDataset disposes them). */
const dataset = () => ({
  iterator: async () => {
    let done = false;
    return { next: async () => (done ? { value: null, done: true } : ((done = true), { value: { xs: tensor(x.dataSync(), x.shape), ys: tensor(y.dataSync(), y.shape, 'int32') }, done: false })) };
  },
});

beforeAll(async () => {
  await sn.init();
  m = sn.sequential({ layers: [layers.dense({ units: 5, activation: 'relu', inputShape: [4] }), layers.dense({ units: 3, activation: 'softmax' })] });
  m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const inp = sn.input({ shape: [4] });
  const h = layers.dense({ units: 3, name: 'h2' }).apply(inp);
  two = sn.model({ inputs: inp, outputs: [layers.dense({ units: 3, activation: 'softmax', name: 'p' }).apply(h), layers.dense({ units: 2, name: 'q' }).apply(h)] });
  two.compile({ optimizer: 'sgd', loss: ['sparseCategoricalCrossentropy', 'mse'] });
});

type Row = [label: string, call: () => unknown, pattern: RegExp];
const table = (rows: Row[]) =>
  it.each(rows)('%s', async (_label, call, pattern) => {
    const before = m.snapshotParams();
    await rejects(call, pattern);
    expect(m.isTraining).toBe(false);
    expect(m.snapshotParams()).toEqual(before);
  });

describe('compile', () => {
  table([
    ['weightedMetrics (Keras)', () => m.compile({ optimizer: 'sgd', loss: 'mse', weightedMetrics: ['mse'] } as never), /^compile: unknown option weightedMetrics; expected one of optimizer, loss, lossWeights, metrics$/],
    ['sampleWeightMode (Keras)', () => m.compile({ optimizer: 'sgd', loss: 'mse', sampleWeightMode: 'temporal' } as never), /^compile: unknown option sampleWeightMode/],
    ['a misspelt lossWeights', () => m.compile({ optimizer: 'sgd', loss: 'mse', lossWeigths: [1] } as never), /^compile: unknown option lossWeigths/],
    ['a user-written loss function', () => m.compile({ optimizer: 'sgd', loss: ((a: unknown) => a) as never }), /^compile: loss: the function .*simdnet has no autodiff, so a loss must be one of its kernels: categoricalCrossentropy, sparseCategoricalCrossentropy, binaryCrossentropy, meanSquaredError, meanAbsoluteError/],
    ['a loss TF.js has and simdnet lacks', () => m.compile({ optimizer: 'sgd', loss: 'hinge' }), /^compile: unknown loss "hinge"/],
    ['a user-written metric function', () => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: [(() => 0) as never] }), /^compile: metrics: the function .*is not a metric simdnet computes/],
    ['a metric TF.js has and simdnet lacks', () => m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['crossentropy'] }), /^compile: unknown metric "crossentropy"/],
    ['metrics for an unknown output', () => two.compile({ optimizer: 'sgd', loss: 'mse', metrics: { r: 'mse' } }), /^compile: metrics names unknown output r; the outputs are p, q$/],
  ]);
});

describe('fit', () => {
  table([
    ['a Keras option (validationFreq)', () => m.fit(x, y, { verbose: 0, validationFreq: 2 } as never), /^fit: unknown option validationFreq; expected one of epochs, batchSize, shuffle, validationSplit, validationData, classWeight, sampleWeight, initialEpoch, verbose, callbacks, yieldEvery, stepsPerEpoch, validationSteps$/],
    ['snake_case (batch_size)', () => m.fit(x, y, { verbose: 0, batch_size: 2 } as never), /^fit: unknown option batch_size/],
    ['stepsPerEpoch (TF.js ignores it)', () => m.fit(x, y, { verbose: 0, stepsPerEpoch: 2 }), /^fit: stepsPerEpoch is not supported with tensor data \(TF\.js ignores it\)/],
    ['validationSteps (TF.js fails on it)', () => m.fit(x, y, { verbose: 0, validationSteps: 2 }), /^fit: validationSteps is not supported with tensor data/],
    ["shuffle 'batch' (TF.js does not implement it)", () => m.fit(x, y, { verbose: 0, shuffle: 'batch' as never }), /^fit: shuffle 'batch' is not supported/],
    ['shuffle not a boolean', () => m.fit(x, y, { verbose: 0, shuffle: 1 as never }), /^fit: shuffle: expected true or false, got 1$/],
    ['verbose 3', () => m.fit(x, y, { verbose: 3 }), /^fit: verbose must be 0, 1 or 2, got 3$/],
    ['yieldEvery a word TF.js lacks', () => m.fit(x, y, { verbose: 0, yieldEvery: 'sometimes' as never }), /^fit: yieldEvery must be 'auto', 'batch', 'epoch', 'never' or a number of milliseconds >= 0, got "sometimes"$/],
    ["onYield with yieldEvery 'never' (TF.js refuses it too)", () => m.fit(x, y, { verbose: 0, yieldEvery: 'never', callbacks: { onYield: () => {} } }), /^fit: onYield is called when fit yields every yieldEvery milliseconds/],
    ["onYield with yieldEvery 'batch' (TF.js would never call it)", () => m.fit(x, y, { verbose: 0, yieldEvery: 'batch', callbacks: { onYield: () => {} } }), /^fit: onYield .* with yieldEvery 'batch' it would never be called$/],
    ['a misspelt hook', () => m.fit(x, y, { verbose: 0, callbacks: { onEpochStart: () => {} } as never }), /^fit: callbacks\[0\]: unknown callback hook onEpochStart/],
    ['CustomCallback with a misspelt hook', () => new CustomCallback({ onEpochStart: () => {} } as never), /^CustomCallback: unknown option onEpochStart/],
    ['CustomCallback with a yieldEvery of its own', () => new CustomCallback({}, 100), /^CustomCallback: a yieldEvery of its own \(100\) is not supported; give yieldEvery to fit \/ fitDataset$/],
    ['nowFunc not a function', () => m.fit(x, y, { verbose: 0, callbacks: { nowFunc: 5 } as never }), /^fit: callbacks\[0\]: nowFunc must be a function, got 5$/],
    ['validationData with sample weights', () => m.fit(x, y, { verbose: 0, validationData: [x, y, y] as never }), /^fit: validationData with sample weights \(\[x, y, weights\]\) is not supported/],
    ['initialEpoch past epochs', () => m.fit(x, y, { verbose: 0, epochs: 2, initialEpoch: 2 }), /^fit: initialEpoch must be an integer in \[0, epochs\), got 2$/],
    ['classWeight: a class missing', () => m.fit(x, y, { verbose: 0, classWeight: { 0: 1, 1: 2 } }), /^fit: classWeight: class 2 is in the training data \(sample 2\) but not in classWeight/],
    ['classWeight: a negative weight', () => m.fit(x, y, { verbose: 0, classWeight: { 0: 1, 1: -2, 2: 1 } }), /^fit: classWeight\[1\]: expected a number >= 0, got -2$/],
    ['classWeight: a key that is no class', () => m.fit(x, y, { verbose: 0, classWeight: { a: 1 } as never }), /^fit: classWeight: keys must be class indices \(integers >= 0\), got "a"$/],
    ['classWeight: a list for two outputs of the wrong length', () => two.fit(x, [y, tensor(new Float32Array(12), [6, 2])], { verbose: 0, classWeight: [{ 0: 1 }] }), /^fit: classWeight: a list of 1 entries, but the model has 2 outputs \(p, q\)/],
    ['sampleWeight of the wrong length', () => m.fit(x, y, { verbose: 0, sampleWeight: [1, 2, 3] }), /^fit: sampleWeight must hold one weight per sample \(shape \[6\]\), got shape \[3\]$/],
    ['sampleWeight NaN', () => m.fit(x, y, { verbose: 0, sampleWeight: [1, 1, NaN, 1, 1, 1] }), /^fit: sampleWeight: weights must be finite numbers >= 0, got NaN at sample 2$/],
  ]);
});

describe('evaluate, predict, evaluateDataset', () => {
  table([
    ['evaluate sampleWeight (TF.js ignores it)', () => m.evaluate(x, y, { sampleWeight: [1] }), /^evaluate: sampleWeight is not supported \(TF\.js ignores it\)/],
    ['evaluate steps (TF.js does not implement it)', () => m.evaluate(x, y, { steps: 2 }), /^evaluate: steps is not supported for tensor data/],
    ['evaluate verbose 1 (TF.js does not implement it)', () => m.evaluate(x, y, { verbose: 1 }), /^evaluate: verbose 1 is not supported/],
    ['evaluate an unknown option', () => m.evaluate(x, y, { batch: 2 } as never), /^evaluate: unknown option batch; expected one of batchSize, verbose, sampleWeight, steps$/],
    ['predict verbose true (TF.js does not implement it)', () => m.predict(x, { verbose: true }), /^predict: verbose true is not supported/],
    ['predict steps (Keras)', () => m.predict(x, { steps: 1 } as never), /^predict: unknown option steps; expected one of batchSize, verbose$/],
    ['evaluateDataset an unknown option', () => m.evaluateDataset(dataset(), { steps: 1 } as never), /^evaluateDataset: unknown option steps; expected one of batches, verbose$/],
    ['evaluateDataset verbose 1', () => m.evaluateDataset(dataset(), { verbose: 1 }), /^evaluateDataset: verbose 1 is not supported/],
    ['evaluateDataset batches 0', () => m.evaluateDataset(dataset(), { batches: 0 }), /^evaluateDataset: batches: expected an integer >= 1, got 0$/],
    ['evaluateDataset of no dataset', () => m.evaluateDataset([x, y] as never), /^evaluateDataset: expected a dataset \(an object with iterator\(\)\) or an iterator/],
  ]);
});

describe('fitDataset', () => {
  table([
    ['without epochs', () => m.fitDataset(dataset(), {} as never), /^fitDataset: epochs: expected an integer >= 1, got undefined$/],
    ['without options', () => m.fitDataset(dataset(), undefined as never), /^fitDataset: expected an options object such as \{ epochs: 10 \}, got undefined$/],
    ['validationSplit (TF.js refuses it too)', () => m.fitDataset(dataset(), { epochs: 1, validationSplit: 0.2 } as never), /^fitDataset: validationSplit is not supported by fitDataset \(as in TF\.js\); give validationData$/],
    ['batchSize (the dataset batches)', () => m.fitDataset(dataset(), { epochs: 1, batchSize: 2 } as never), /^fitDataset: unknown option batchSize; expected one of epochs, batchesPerEpoch, validationData, validationBatches, validationBatchSize, initialEpoch, verbose, callbacks, yieldEvery, classWeight$/],
    ['shuffle (the dataset shuffles)', () => m.fitDataset(dataset(), { epochs: 1, shuffle: true } as never), /^fitDataset: unknown option shuffle/],
    ['batchesPerEpoch 0', () => m.fitDataset(dataset(), { epochs: 1, batchesPerEpoch: 0 }), /^fitDataset: batchesPerEpoch: expected an integer >= 1, got 0$/],
    ['validationBatches with tensors', () => m.fitDataset(dataset(), { epochs: 1, verbose: 0, validationData: [x, y], validationBatches: 1 }), /^fitDataset: validationBatches applies to a validation dataset/],
    ['validationBatchSize with a dataset', () => m.fitDataset(dataset(), { epochs: 1, verbose: 0, validationData: dataset(), validationBatchSize: 4 }), /^fitDataset: validationBatchSize applies to \[x, y\] validationData/],
    ['validationBatches without validationData', () => m.fitDataset(dataset(), { epochs: 1, verbose: 0, validationBatches: 1 }), /^fitDataset: validationBatches needs validationData$/],
    ['not a dataset', () => m.fitDataset([x, y] as never, { epochs: 1 }), /^fitDataset: expected a dataset \(an object with iterator\(\)/],
    ['elements that are not { xs, ys }', () => m.fitDataset({ iterator: async () => ({ next: async () => ({ value: [x, y], done: false }) }) }, { epochs: 1, verbose: 0 }), /^fitDataset: batch 0: a dataset element must be \{ xs, ys \}/],
    ['yieldEvery NaN', () => m.fitDataset(dataset(), { epochs: 1, verbose: 0, yieldEvery: NaN }), /^fitDataset: yieldEvery must be 'auto', 'batch', 'epoch', 'never' or a number of milliseconds >= 0, got NaN$/],
  ]);
});

describe('activation layers', () => {
  table([
    ['reLU negativeSlope (Keras; not in TF.js)', () => layers.reLU({ negativeSlope: 0.1 } as never), /^layers\.reLU: unknown option negativeSlope; expected one of maxValue, name/],
    ['reLU threshold (Keras; not in TF.js)', () => layers.reLU({ threshold: 1 } as never), /^layers\.reLU: unknown option threshold/],
    ['reLU maxValue -1 (TF.js: clipByValue needs min <= max)', () => layers.reLU({ maxValue: -1 }), /^re_lu\w*: maxValue: expected a number >= 0, got -1$/],
    ['reLU maxValue NaN', () => layers.reLU({ maxValue: NaN }), /^re_lu\w*: maxValue: expected a number >= 0, got NaN$/],
    ['leakyReLU alpha Infinity', () => layers.leakyReLU({ alpha: Infinity }), /^leaky_re_lu\w*: alpha: expected a number >= 0, got Infinity$/],
    ['leakyReLU maxValue (not an option of it)', () => layers.leakyReLU({ maxValue: 1 } as never), /^layers\.leakyReLU: unknown option maxValue; expected one of alpha, name/],
    ['elu alpha NaN', () => layers.elu({ alpha: NaN }), /^elu\w*: alpha: expected a finite number, got NaN$/],
    ['elu an unknown option', () => layers.elu({ theta: 1 } as never), /^layers\.elu: unknown option theta; expected one of alpha, name/],
    ['softmax axis 1.5', () => layers.softmax({ axis: 1.5 }), /^softmax\w*: axis: expected an integer or a non-empty list of integers, got 1\.5$/],
    ['softmax axis []', () => layers.softmax({ axis: [] }), /^softmax\w*: axis: expected an integer or a non-empty list of integers, got \[\]$/],
    ['softmax axis 0 (the batch axis)', () => sn.sequential({ layers: [layers.softmax({ axis: 0, inputShape: [3] })] }), /^softmax\w*: axis 0 is the batch axis; simdnet normalises within each sample \(axes 1 to 1\)$/],
    ['softmax axis 3 of a rank-3 input', () => sn.sequential({ layers: [layers.softmax({ axis: 3, inputShape: [2, 3] })] }), /^softmax\w*: axis 3 is outside an input of rank 3 \(\[null, 2, 3\]\)$/],
    ['softmax axes that are not adjacent', () => sn.sequential({ layers: [layers.softmax({ axis: [1, 3], inputShape: [2, 3, 4] })] }), /^softmax\w*: axes \[1, 3\] are not adjacent; simdnet computes a softmax over adjacent axes only$/],
    ['softmax an axis twice', () => sn.sequential({ layers: [layers.softmax({ axis: [1, -2], inputShape: [2, 3] })] }), /^softmax\w*: axis \[1, -2\] names an axis twice$/],
    ['softmax a mask option (TF.js: call kwargs)', () => layers.softmax({ mask: true } as never), /^layers\.softmax: unknown option mask/],
    ['activation without activation', () => layers.activation({} as never), /^layers\.activation: expected an options object|^activation\w*: activation is required/],
    ['activation a name TF.js has and simdnet lacks', () => layers.activation({ activation: 'selu' }), /^activation\w*: unknown activation 'selu'; expected one of linear, relu, relu6, leakyRelu, elu, sigmoid, tanh, softplus, softmax, step$/],
    ['activation alpha on relu', () => layers.activation({ activation: 'relu', alpha: 0.1 }), /^activation\w*: alpha applies to the leakyRelu and elu activations only, not 'relu'$/],
    ['a layer batchSize (TF.js LayerArgs)', () => layers.reLU({ batchSize: 8 } as never), /^layers\.reLU: unknown option batchSize/],
    ['a layer weights (TF.js LayerArgs)', () => layers.softmax({ weights: [] } as never), /^layers\.softmax: unknown option weights/],
  ]);
});

describe('toJSON', () => {
  table([['returnString not a boolean', () => m.toJSON(null, 'yes' as never), /^toJSON: returnString must be true or false, got "yes"$/]]);
});
