// Every public entry point answers a wrong call with a message that names it: no factory dies
// of an internal TypeError when called with nothing, null, a number or a misspelt option.
import { beforeAll, describe, expect, it } from 'vitest';
import { callbacks, initializers, layers, optimizers, referenceModel, regularizers, rejectedAndUnharmed, rejects, sn, x4, y3, rejectionCases } from './helpers.ts';

let ref: sn.Sequential;
beforeAll(async () => {
  await sn.init();
  ref = referenceModel();
});

const cases = rejectionCases(() => ref);
const any = (f: unknown) => f as (...args: unknown[]) => unknown;

describe('factories that need options, called with none', () => {
  cases([
    ['layers.dense()', () => any(layers.dense)(), /^layers\.dense: expected an options object such as \{ units: 10 \}, got undefined$/],
    ['layers.conv2d()', () => any(layers.conv2d)(), /^layers\.conv2d: expected an options object such as \{ filters: 8, kernelSize: 3 \}, got undefined$/],
    ['layers.conv1d()', () => any(layers.conv1d)(), /^layers\.conv1d: expected an options object/],
    ['layers.activation()', () => any(layers.activation)(), /^layers\.activation: expected an options object such as \{ activation: 'relu' \}/],
    ['layers.activation({})', () => layers.activation({} as never), /activation\w*: activation is required/],
    ['layers.reshape()', () => any(layers.reshape)(), /^layers\.reshape: expected an options object such as \{ targetShape/],
    ['layers.dot()', () => any(layers.dot)(), /^layers\.dot: expected an options object such as \{ axes: 1 \}/],
    ['layers.inputLayer()', () => any(layers.inputLayer)(), /^layers\.inputLayer: expected an options object such as \{ shape: \[784\] \}/],
    ['initializers.constant()', () => any(initializers.constant)(), /^initializers\.constant: expected an options object such as \{ value: 0\.1 \}, got undefined$/],
    ['layers.dense({}) (no units)', () => layers.dense({} as never), /dense\w*: units: expected a positive integer, got undefined/],
    ['layers.conv2d({ filters }) (no kernelSize)', () => layers.conv2d({ filters: 2 } as never), /conv2d\w*: kernelSize is required/],
  ]);
});

describe('options that are not an options object', () => {
  cases([
    ['layers.dense(null)', () => any(layers.dense)(null), /^layers\.dense: expected an options object such as \{ units: 10 \}, got null$/],
    ['layers.add(5)', () => any(layers.add)(5), /^layers\.add: expected an options object .*got 5$/],
    ['layers.flatten([])', () => any(layers.flatten)([]), /^layers\.flatten: expected an options object .*got \[\]$/],
    ['layers.maxPooling2d("same")', () => any(layers.maxPooling2d)('same'), /^layers\.maxPooling2d: expected an options object .*got "same"$/],
    ['optimizers.adam(null)', () => any(optimizers.adam)(null), /^optimizers\.adam: expected an options object \(\{ learningRate, beta1, beta2, epsilon, weightDecay, clipnorm, clipvalue, globalClipnorm \}\), got null$/],
    ['optimizers.sgd(0.1) (TF.js passes the rate)', () => any(optimizers.sgd)(0.1), /^optimizers\.sgd: expected an options object .*got 0\.1$/],
    ['regularizers.l2(null)', () => any(regularizers.l2)(null), /^regularizers\.l2: expected an options object \(\{ l2 \}\), got null$/],
    ['initializers.randomNormal(1)', () => any(initializers.randomNormal)(1), /^initializers\.randomNormal: expected an options object/],
    ['callbacks.earlyStopping(3)', () => any(callbacks.earlyStopping)(3), /^callbacks\.earlyStopping: expected an options object .*got 3$/],
    ['callbacks.terminateOnNaN({ x })', () => any(callbacks.terminateOnNaN)({ x: 1 }), /^callbacks\.terminateOnNaN: unknown option x; expected no options$/],
    ['utils.checkGradients(..., 5)', () => any(sn.utils.checkGradients)(ref, x4, y3, 5), /^checkGradients: expected an options object \(\{ epsilon, maxPerParam, training \}\), got 5$/],
    ['data.fromArrays(..., "shuffle")', () => any(sn.data.fromArrays)([[1]], [1], 'shuffle'), /^fromArrays: expected an options object/],
    ['data.csv(text, 5)', () => any(sn.data.csv)('a\n1\n', 5), /^csv: expected an options object/],
  ]);
});

describe('misspelt or unsupported options are errors, not silently ignored', () => {
  cases([
    ['adam learning_rate (Keras spelling)', () => optimizers.adam({ learning_rate: 0.1 } as never), /^optimizers\.adam: unknown option learning_rate; expected one of learningRate, beta1, beta2, epsilon, weightDecay, clipnorm, clipvalue, globalClipnorm$/],
    ['sgd lr', () => optimizers.sgd({ lr: 0.1 } as never), /^optimizers\.sgd: unknown option lr; expected one of learningRate, momentum, nesterov, clipnorm, clipvalue, globalClipnorm$/],
    ['rmsprop centred (British spelling)', () => optimizers.rmsprop({ centred: true } as never), /^optimizers\.rmsprop: unknown option centred/],
    ['dense kernelConstraint (not implemented)', () => layers.dense({ units: 2, kernelConstraint: 'maxNorm' } as never), /^layers\.dense: unknown option kernelConstraint; expected one of units, name, inputShape/],
    ['dense unit (typo)', () => layers.dense({ unit: 2 } as never), /^layers\.dense: unknown option unit;/],
    ['reLU negativeSlope (Keras; not in TF.js)', () => layers.reLU({ negativeSlope: 0.1 } as never), /^layers\.reLU: unknown option negativeSlope/],
    ['randomNormal stdDev (typo)', () => initializers.randomNormal({ stdDev: 1 } as never), /^initializers\.randomNormal: unknown option stdDev; expected one of mean, stddev, seed$/],
    ['l1 l2 (wrong factory)', () => regularizers.l1({ l2: 0.1 } as never), /^regularizers\.l1: unknown option l2; expected one of l1$/],
    ['earlyStopping patiance (typo)', () => callbacks.earlyStopping({ patiance: 3 } as never), /^callbacks\.earlyStopping: unknown option patiance; expected one of monitor, minDelta, patience/],
    ['fromArrays shufle (typo)', () => sn.data.fromArrays([[1]], [1], { shufle: true } as never), /^fromArrays: unknown option shufle; expected one of shuffle, seed, labelDtype$/],
    ['csv hasheader (typo)', () => sn.data.csv('a\n1\n', { hasheader: true } as never), /^csv: unknown option hasheader; expected one of header, hasHeader, delimiter, labelColumn, columns$/],
    ['mnist limit.training (typo)', () => sn.data.mnist({ limit: { training: 5 } as never }), /^mnist: limit: unknown option training; expected one of train, test$/],
    ['checkGradients eps (typo)', () => sn.utils.checkGradients(ref, x4, y3, { eps: 1e-3 } as never), /^checkGradients: unknown option eps; expected one of epsilon, maxPerParam, training$/],
  ]);
});

describe('callbacks that are not callbacks', () => {
  cases([
    ['a hook that is not a function', () => ref.fit(x4, y3, { verbose: 0, callbacks: [{ onEpochEnd: 5 as never }] }), /^fit: callbacks\[0\]: onEpochEnd must be a function, got 5$/],
    ['a misspelt hook', () => ref.fit(x4, y3, { verbose: 0, callbacks: [{ onEpochEnd() {}, onEpockEnd() {} } as never] }), /^fit: callbacks\[0\]: unknown callback hook onEpockEnd; expected onTrainBegin/],
    ['a string', () => ref.fit(x4, y3, { verbose: 0, callbacks: 'earlyStopping' as never }), /^fit: callbacks\[0\]: a callback must be an object with onEpochEnd etc\., got "earlyStopping"$/],
  ]);

  it.each([
    ['null', [null], /^fit: callbacks\[0\]: a callback must be an object with onEpochEnd etc\., got null$/],
    ['undefined', [{ onEpochEnd() {} }, undefined], /^fit: callbacks\[1\]: a callback must be an object with onEpochEnd etc\., got undefined$/],
    ['a number', [5], /^fit: callbacks\[0\]: a callback must be an object/],
    ['setModel that is not a function', [{ setModel: 1 }], /^fit: callbacks\[0\]: setModel must be a function, got 1$/],
  ])('callbacks: [%s]', async (_label, list, pattern) => {
    await rejectedAndUnharmed(ref, () => ref.fit(x4, y3, { verbose: 0, callbacks: list as never }), pattern);
  });
});

describe('fit options (src/model/trainer.ts)', () => {
  cases([
    ['verbose a string', () => ref.fit(x4, y3, { verbose: 'x' as never }), /^fit: verbose must be 0, 1 or 2, got "x"$/],
    ['shuffle a string', () => ref.fit(x4, y3, { verbose: 0, shuffle: 'no' as never }), /^fit: shuffle: expected true or false, got "no"$/],
    ['validationSplit a string', () => ref.fit(x4, y3, { verbose: 0, validationSplit: '0.5' as never }), /^fit: validationSplit must be a number in \(0, 1\), got "0\.5"$/],
    ['epoch (typo)', () => ref.fit(x4, y3, { verbose: 0, epoch: 3 } as never), /^fit: unknown option epoch; expected one of epochs, batchSize/],
    ['stepsPerEpoch (not implemented for tensors)', () => ref.fit(x4, y3, { verbose: 0, stepsPerEpoch: 2 }), /^fit: stepsPerEpoch is not supported with tensor data/],
    ['epochs a Symbol', () => ref.fit(x4, y3, { verbose: 0, epochs: Symbol('e') as never }), /^fit: epochs must be a positive integer, got a symbol$/],
  ]);
});

describe('evaluate, predict, compile, summary options (src/model/model.ts)', () => {
  cases([
    ['evaluate(x, y, null)', () => ref.evaluate(x4, y3, null as never), /^evaluate: expected an options object \(\{ batchSize, verbose, sampleWeight, steps \}\), got null$/],
    ['predict(x, null)', () => ref.predict(x4, null as never), /^predict: expected an options object \(\{ batchSize, verbose \}\), got null$/],
    ['predict(x, 5)', () => ref.predict(x4, 5 as never), /^predict: expected an options object \(\{ batchSize, verbose \}\), got 5$/],
    ['predict batch_size (Keras spelling)', () => ref.predict(x4, { batch_size: 8 } as never), /^predict: unknown option batch_size; expected one of batchSize, verbose$/],
    ['compile metric (typo)', () => ref.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metric: ['accuracy'] } as never), /^compile: unknown option metric; expected one of optimizer, loss, lossWeights, metrics$/],
    ['summary printFn not a function', () => ref.summary(80, 5 as never), /^summary: printFn must be a function, got 5$/],
    ['getLayer(Symbol)', () => ref.getLayer(Symbol('l') as never), /^getLayer: expected a layer name or index, got a symbol$/],
  ]);
});

describe('input() options (src/layers/input.ts)', () => {
  cases([
    ['batchShape a number', () => sn.input({ batchShape: 5 as never }), /^input: batchShape must be a list \[null, \.\.\.sample dimensions\], got 5$/],
    ['name a Symbol', () => sn.input({ shape: [3], name: Symbol('n') as never }), /^input: name must be a non-empty string, got a symbol$/],
    ['inputShape (the layer spelling)', () => sn.input({ inputShape: [3] } as never), /^input: unknown option inputShape; expected one of shape, batchShape, name, dtype$/],
  ]);
});

describe('layer messages with any value (src/layers/layer.ts, merge.ts)', () => {
  cases([
    ['name a Symbol', () => layers.dense({ units: 2, name: Symbol('n') as never }), /^dense: name must be a non-empty string, got a symbol$/],
    ['trainable a Symbol', () => layers.dense({ units: 2, trainable: Symbol('t') as never }), /^dense\w*: trainable must be a boolean, got a symbol$/],
    ['inputShape with a BigInt', () => layers.dense({ units: 2, inputShape: [1n] as never }), /^dense\w*: inputShape: expected a list of positive integers, got/],
    ['dot axes a BigInt', () => layers.dot({ axes: 5n as never }), /^dot\w*: axes must be a non-zero integer or two of them \(0 is the batch\), got 5n \(a BigInt\)$/],
    ['concatenate axis a Symbol', () => layers.concatenate({ axis: Symbol('a') as never }), /^concatenate\w*: axis must be a non-zero integer \(0 is the batch\), got a symbol$/],
  ]);
});

describe('model messages with any value (src/model/model.ts, sequential.ts)', () => {
  cases([
    ['compile loss a BigInt', () => ref.compile({ optimizer: 'adam', loss: 5n as never }), /^compile: loss must be given for every output, as a list or an object keyed by output name, got 5n \(a BigInt\)$/],
    ['sequential name a Symbol', () => sn.sequential({ name: Symbol('s') as never }), /^sequential: name must be a non-empty string, got a symbol$/],
    ['sequential.add a Symbol', () => sn.sequential().add(Symbol('l') as never), /^sequential\w*\.add: expected a layer, got a symbol$/],
    ['model name a BigInt', () => sn.model({ inputs: sn.input({ shape: [2] }), outputs: sn.input({ shape: [2] }), name: 1n } as never), /^model: name must be a non-empty string, got 1n \(a BigInt\)$/],
  ]);
});

describe('other calls with the wrong kind of argument', () => {
  cases([
    ['save(5)', () => ref.save(5 as never), /^save: cannot save to 5: .*file:\/\/ URLs/],
    ['setSeed(Symbol)', () => sn.setSeed(Symbol('s') as never), /^setSeed: expected a finite number, got a symbol$/],
    ['csv(URL)', () => sn.data.csv(new URL('file:///tmp/x.csv') as never), /^csv: expected the CSV text as a string, got object \(a URL: csv\(\) parses CSV text: read the file first/],
    ['compile with a BigInt metric', () => ref.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: [5n as never] }), /^compile: metrics: expected a metric name or a tf\.metrics function, got 5n \(a BigInt\)/],
    ['pair() with a BigInt', () => layers.conv2d({ filters: 2, kernelSize: [1n, 2n] as never }), /kernelSize: expected a positive integer, got 1/],
  ]);

  it('model.save with a path that is not a folder', async () => {
    await rejects(() => ref.save('file:///dev/null/model'), /^save: (cannot use the folder \/dev\/null\/model|\/dev\/null exists and is not a folder)/);
    expect(ref.snapshotParams().every(Number.isFinite)).toBe(true);
  });
});
