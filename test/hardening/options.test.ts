// Every numeric option of every public factory is checked when it is given: type, range, NaN,
// ±Infinity and float32 range (options reach f32 kernels). Each error names the factory, the
// option, what was expected and what it got; the reference model keeps its weights and trains.
import { beforeAll, describe, expect, it } from 'vitest';
import { callbacks, initializers, layers, optimizers, referenceModel, regularizers, rejectedAndUnharmed, sn, tensor, x4, y3, rejectionCases } from './helpers.ts';

let ref: sn.Sequential;
beforeAll(async () => {
  await sn.init();
  ref = referenceModel();
});


const cases = rejectionCases(() => ref);

describe('optimizers', () => {
  cases([
    ['sgd learningRate 0', () => optimizers.sgd({ learningRate: 0 }), /^optimizers\.sgd: learningRate: expected a positive number, got 0$/],
    ['sgd learningRate -1', () => optimizers.sgd({ learningRate: -1 }), /optimizers\.sgd: learningRate: expected a positive number, got -1/],
    ['sgd learningRate NaN', () => optimizers.sgd({ learningRate: NaN }), /optimizers\.sgd: learningRate: expected a positive number, got NaN/],
    ['sgd learningRate Infinity', () => optimizers.sgd({ learningRate: Infinity }), /optimizers\.sgd: learningRate: .*got Infinity/],
    ['sgd learningRate a string', () => optimizers.sgd({ learningRate: '0.1' as never }), /optimizers\.sgd: learningRate: .*got "0\.1"/],
    ['sgd learningRate beyond float32', () => optimizers.sgd({ learningRate: 1e300 }), /learningRate: .*got 1e\+300 \(beyond float32/],
    ['sgd learningRate 0 in float32', () => optimizers.sgd({ learningRate: 1e-50 }), /learningRate: .*got 1e-50 \(0 in float32\)/],
    ['sgd momentum 1', () => optimizers.sgd({ momentum: 1 }), /optimizers\.sgd: momentum: expected a number in \[0, 1\), got 1/],
    ['sgd momentum NaN', () => optimizers.sgd({ momentum: NaN }), /optimizers\.sgd: momentum: .*got NaN/],
    ['sgd nesterov not a boolean', () => optimizers.sgd({ momentum: 0.9, nesterov: 'yes' as never }), /optimizers\.sgd: nesterov: expected true or false, got "yes"/],
    ['sgd nesterov without momentum', () => optimizers.sgd({ nesterov: true }), /optimizers\.sgd: nesterov needs a momentum > 0/],
    ['momentum momentum 1.5', () => optimizers.momentum({ momentum: 1.5 }), /optimizers\.momentum: momentum: expected a number in \[0, 1\), got 1\.5/],
    ['momentum useNesterov vs nesterov', () => optimizers.momentum({ useNesterov: true, nesterov: false }), /optimizers\.momentum: useNesterov and nesterov are the same option/],
    ['adagrad initialAccumulatorValue NaN', () => optimizers.adagrad({ initialAccumulatorValue: NaN }), /optimizers\.adagrad: initialAccumulatorValue: expected a number >= 0, got NaN/],
    ['adagrad initialAccumulatorValue -1', () => optimizers.adagrad({ initialAccumulatorValue: -1 }), /initialAccumulatorValue: expected a number >= 0, got -1/],
    ['adagrad initialAccumulatorValue Infinity', () => optimizers.adagrad({ initialAccumulatorValue: Infinity }), /initialAccumulatorValue: .*got Infinity/],
    ['adagrad epsilon 0', () => optimizers.adagrad({ epsilon: 0 }), /optimizers\.adagrad: epsilon: expected a positive number, got 0/],
    ['rmsprop rho 1', () => optimizers.rmsprop({ rho: 1 }), /optimizers\.rmsprop: rho: expected a number in \[0, 1\), got 1/],
    ['rmsprop decay NaN', () => optimizers.rmsprop({ decay: NaN }), /optimizers\.rmsprop: decay: .*got NaN/],
    ['rmsprop rho and decay differ', () => optimizers.rmsprop({ rho: 0.9, decay: 0.8 }), /optimizers\.rmsprop: rho and decay are the same option/],
    ['rmsprop momentum -0.5', () => optimizers.rmsprop({ momentum: -0.5 }), /optimizers\.rmsprop: momentum: .*got -0\.5/],
    ['rmsprop epsilon -1', () => optimizers.rmsprop({ epsilon: -1 }), /optimizers\.rmsprop: epsilon: expected a positive number, got -1/],
    ['adam beta1 1', () => optimizers.adam({ beta1: 1 }), /optimizers\.adam: beta1: expected a number in \[0, 1\), got 1/],
    ['adam beta2 NaN', () => optimizers.adam({ beta2: NaN }), /optimizers\.adam: beta2: .*got NaN/],
    ['adam epsilon NaN', () => optimizers.adam({ epsilon: NaN }), /optimizers\.adam: epsilon: expected a positive number, got NaN/],
    ['adam weightDecay -1', () => optimizers.adam({ weightDecay: -1 }), /optimizers\.adam: weightDecay: expected a number >= 0, got -1/],
    ['adamw weightDecay Infinity', () => optimizers.adamw({ weightDecay: Infinity }), /optimizers\.adamw: weightDecay: .*got Infinity/],
    ['adamw learningRate true', () => optimizers.adamw({ learningRate: true as never }), /optimizers\.adamw: learningRate: .*got true/],
  ]);

  it('learningRate can be set later, and is checked then; other hyper-parameters are read-only', async () => {
    const opt = optimizers.adam({ learningRate: 0.01 });
    await rejectedAndUnharmed(ref, () => (opt.learningRate = NaN), /optimizers\.adam: learningRate: expected a positive number, got NaN/);
    await rejectedAndUnharmed(ref, () => (opt.iterations = -1), /optimizers\.adam: iterations: expected a non-negative integer, got -1/);
    expect(opt.learningRate).toBe(0.01);
    opt.learningRate = 0.02;
    expect(opt.learningRate).toBe(0.02);
    expect(() => ((opt as { beta1: number }).beta1 = NaN)).toThrow(/read only property 'beta1'/);
    expect(opt.beta1).toBe(0.9);
    ref.compile({ optimizer: opt, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    ref.trainOnBatch(x4, y3);
    expect(ref.snapshotParams().every(Number.isFinite)).toBe(true);
  });
});

describe('initializers', () => {
  cases([
    ['constant value NaN', () => initializers.constant({ value: NaN }), /^initializers\.constant: value: expected a finite number, got NaN$/],
    ['constant value beyond float32', () => initializers.constant({ value: 1e39 }), /initializers\.constant: value: .*got 1e\+39 \(beyond float32/],
    ['constant value missing', () => initializers.constant({} as never), /initializers\.constant: value: expected a finite number, got undefined/],
    ['randomNormal mean NaN', () => initializers.randomNormal({ mean: NaN }), /initializers\.randomNormal: mean: expected a finite number, got NaN/],
    ['randomNormal stddev -1', () => initializers.randomNormal({ stddev: -1 }), /initializers\.randomNormal: stddev: expected a number >= 0, got -1/],
    ['randomNormal stddev Infinity', () => initializers.randomNormal({ stddev: Infinity }), /initializers\.randomNormal: stddev: .*got Infinity/],
    ['randomNormal draws beyond float32', () => initializers.randomNormal({ mean: 3e38, stddev: 1e38 }), /initializers\.randomNormal: mean 3e\+38 and stddev 1e\+38 draw values beyond float32/],
    ['randomNormal seed NaN', () => initializers.randomNormal({ seed: NaN }), /initializers\.randomNormal: seed: expected a finite number, got NaN/],
    ['randomUniform minval NaN', () => initializers.randomUniform({ minval: NaN }), /initializers\.randomUniform: minval: expected a finite number, got NaN/],
    ['randomUniform maxval -Infinity', () => initializers.randomUniform({ maxval: -Infinity }), /initializers\.randomUniform: maxval: .*got -Infinity/],
    ['randomUniform minval > maxval', () => initializers.randomUniform({ minval: 1, maxval: 0 }), /initializers\.randomUniform: minval \(1\) must not exceed maxval \(0\)/],
    ['truncatedNormal stddev NaN', () => initializers.truncatedNormal({ stddev: NaN }), /initializers\.truncatedNormal: stddev: .*got NaN/],
    ['truncatedNormal mean a string', () => initializers.truncatedNormal({ mean: '0' as never }), /initializers\.truncatedNormal: mean: .*got "0"/],
    ['glorotUniform seed a string', () => initializers.glorotUniform({ seed: 'a' as never }), /initializers\.glorotUniform: seed: expected a finite number, got "a"/],
    ['heNormal seed Infinity', () => initializers.heNormal({ seed: Infinity }), /initializers\.heNormal: seed: .*got Infinity/],
  ]);

  it('a custom initializer that fills NaN fails when the weights are made, naming the option', async () => {
    const bad = { className: 'Bad', fill: (o: Float32Array) => void o.fill(NaN), getConfig: () => ({}) };
    const make = () => sn.sequential({ layers: [layers.dense({ units: 2, inputShape: [3], kernelInitializer: bad })] }).predict(tensor([[1, 2, 3]]));
    await rejectedAndUnharmed(ref, make, /kernelInitializer: initializer Bad produced NaN at index 0; initial weights must be finite/);
    await rejectedAndUnharmed(ref, () => layers.dense({ units: 2, kernelInitializer: { fill: 5 } as never }), /kernelInitializer: expected an initializer name or an object with className, fill and getConfig/);
  });
});

describe('regularizers', () => {
  cases([
    ['l1 NaN', () => regularizers.l1({ l1: NaN }), /^regularizers\.l1: l1: expected a number >= 0, got NaN$/],
    ['l2 -1', () => regularizers.l2({ l2: -1 }), /regularizers\.l2: l2: expected a number >= 0, got -1/],
    ['l1l2 Infinity', () => regularizers.l1l2({ l1: 0.1, l2: Infinity }), /regularizers\.l1l2: l2: .*got Infinity/],
    ['l1l2 a string', () => regularizers.l1l2({ l1: '0.1' as never }), /regularizers\.l1l2: l1: .*got "0\.1"/],
    ['a hand-made regularizer with NaN', () => layers.dense({ units: 2, kernelRegularizer: { className: 'L1L2', l1: NaN, l2: 0 } }), /kernelRegularizer: l1: expected a number >= 0, got NaN/],
    ['a regularizer that is no regularizer', () => layers.dense({ units: 2, kernelRegularizer: 5 as never }), /kernelRegularizer: expected a regularizer from regularizers\.l1\/l2\/l1l2, got 5/],
  ]);
});

describe('layers', () => {
  cases([
    ['leakyReLU alpha NaN', () => layers.leakyReLU({ alpha: NaN }), /leaky_re_lu\w*: alpha: expected a number >= 0, got NaN/],
    ['leakyReLU alpha -1', () => layers.leakyReLU({ alpha: -1 }), /alpha: expected a number >= 0, got -1/],
    ['leakyReLU alpha Infinity', () => layers.leakyReLU({ alpha: Infinity }), /alpha: .*got Infinity/],
    ['leakyReLU alpha a string', () => layers.leakyReLU({ alpha: '0.3' as never }), /alpha: .*got "0\.3"/],
    ['activation elu alpha NaN', () => layers.activation({ activation: 'elu', alpha: NaN }), /activation\w*: alpha: expected a finite number, got NaN/],
    ['activation alpha on relu', () => layers.activation({ activation: 'relu', alpha: 1 }), /alpha applies to the leakyRelu and elu activations only, not 'relu'/],
    ['activation not a name', () => layers.dense({ units: 2, activation: 5 as never }), /dense\w*: activation must be a name \(linear, relu.*\), got 5/],
    ['dense units NaN', () => layers.dense({ units: NaN }), /dense\w*: units: expected a positive integer, got NaN/],
    ['dense units 1.5', () => layers.dense({ units: 1.5 }), /units: expected a positive integer, got 1\.5/],
    ['dense units Infinity', () => layers.dense({ units: Infinity }), /units: expected a positive integer, got Infinity/],
    ['dense units a string', () => layers.dense({ units: '10' as never }), /units: expected a positive integer, got "10"/],
    ['dense useBias a string', () => layers.dense({ units: 2, useBias: 'no' as never }), /dense\w*: useBias: expected true or false, got "no"/],
    ['dense inputShape [NaN]', () => layers.dense({ units: 2, inputShape: [NaN] }), /inputShape: expected a list of positive integers, got \[(NaN|null)\]/],
    ['dense inputShape [1.5]', () => layers.dense({ units: 2, inputShape: [1.5] }), /inputShape: expected a list of positive integers, got \[1\.5\]/],
    ['dense batchInputShape a number', () => layers.dense({ units: 2, batchInputShape: 5 as never }), /layers\.dense: batchInputShape must be a list \[null, \.\.\.sample dimensions\], got 5/],
    ['conv2d filters NaN', () => layers.conv2d({ filters: NaN, kernelSize: 3 }), /conv2d\w*: filters: expected a positive integer, got NaN/],
    ['conv2d kernelSize 0', () => layers.conv2d({ filters: 2, kernelSize: 0 }), /kernelSize: expected a positive integer, got 0/],
    ['conv2d kernelSize [3, NaN]', () => layers.conv2d({ filters: 2, kernelSize: [3, NaN] }), /kernelSize: expected a positive integer, got NaN/],
    ['conv2d kernelSize [3]', () => layers.conv2d({ filters: 2, kernelSize: [3] as never }), /kernelSize: expected a positive integer or two of them, got \[3\]/],
    ['conv2d strides -1', () => layers.conv2d({ filters: 2, kernelSize: 3, strides: -1 }), /strides: expected a positive integer, got -1/],
    ['conv2d dilationRate 1.5', () => layers.conv2d({ filters: 2, kernelSize: 3, dilationRate: 1.5 }), /dilationRate: expected a positive integer, got 1\.5/],
    ['conv2d padding NaN', () => layers.conv2d({ filters: 2, kernelSize: 3, padding: NaN }), /padding must be 'valid', 'same', a non-negative integer or \[\[top, bottom\], \[left, right\]\], got NaN/],
    ['conv1d kernelSize [3, 3]', () => layers.conv1d({ filters: 2, kernelSize: [3, 3] as never }), /conv1d\w*: kernelSize: expected a positive integer \(or a list of one\), got \[3, 3\]/],
    ['conv1d padding [-1, 0]', () => layers.conv1d({ filters: 2, kernelSize: 3, padding: [-1, 0] }), /conv1d\w*: padding must be 'valid', 'same', 'causal'/],
    ['maxPooling2d poolSize NaN', () => layers.maxPooling2d({ poolSize: NaN }), /max_pooling2d\w*: poolSize: expected a positive integer, got NaN/],
    ['maxPooling2d strides Infinity', () => layers.maxPooling2d({ strides: Infinity }), /strides: expected a positive integer, got Infinity/],
    ['averagePooling1d poolSize 2.5', () => layers.averagePooling1d({ poolSize: 2.5 }), /average_pooling1d\w*: poolSize: expected a positive integer, got 2\.5/],
    ['maxPooling1d padding "full"', () => layers.maxPooling1d({ padding: 'full' as never }), /padding must be 'valid', 'same'/],
    ['reshape targetShape [NaN]', () => layers.reshape({ targetShape: [NaN] }), /reshape\w*: targetShape must be positive integers with at most one -1, got \[NaN\]/],
    ['reshape targetShape [-1, -1]', () => layers.reshape({ targetShape: [-1, -1] }), /targetShape must be positive integers with at most one -1, got \[-1, -1\]/],
    ['concatenate axis 1.5', () => layers.concatenate({ axis: 1.5 }), /concatenate\w*: axis must be a non-zero integer \(0 is the batch\), got 1\.5/],
    ['dot axes NaN', () => layers.dot({ axes: NaN }), /dot\w*: axes must be a non-zero integer or two of them/],
    ['softmax axis 1.5', () => layers.softmax({ axis: 1.5 }), /softmax\w*: axis: expected an integer or a non-empty list of integers, got 1\.5/],
    ['a layer dtype int32', () => layers.dense({ units: 2, dtype: 'int32' } as never), /layers\.dense: dtype must be 'float32'/],
    ['dataFormat channelsFirst', () => layers.globalAveragePooling2d({ dataFormat: 'channelsFirst' } as never), /layers\.globalAveragePooling2d: only dataFormat 'channelsLast' \(NHWC\) is supported, got "channelsFirst"/],
  ]);
});

describe('callbacks.earlyStopping', () => {
  cases([
    ['minDelta NaN', () => callbacks.earlyStopping({ minDelta: NaN }), /^callbacks\.earlyStopping: minDelta: expected a finite number, got NaN$/],
    ['minDelta Infinity', () => callbacks.earlyStopping({ minDelta: Infinity }), /callbacks\.earlyStopping: minDelta: .*got Infinity/],
    ['patience -1', () => callbacks.earlyStopping({ patience: -1 }), /callbacks\.earlyStopping: patience: expected a non-negative integer, got -1/],
    ['patience 1.5', () => callbacks.earlyStopping({ patience: 1.5 }), /patience: expected a non-negative integer, got 1\.5/],
    ['patience NaN', () => callbacks.earlyStopping({ patience: NaN }), /patience: expected a non-negative integer, got NaN/],
    ['baseline NaN', () => callbacks.earlyStopping({ baseline: NaN }), /callbacks\.earlyStopping: baseline: expected a finite number, got NaN/],
    ['mode "up"', () => callbacks.earlyStopping({ mode: 'up' as never }), /callbacks\.earlyStopping: mode must be auto, min or max, got "up"/],
    ['monitor 5', () => callbacks.earlyStopping({ monitor: 5 as never }), /callbacks\.earlyStopping: monitor must be a log name such as 'val_loss', got 5/],
    ['restoreBestWeights a string', () => callbacks.earlyStopping({ restoreBestWeights: 'yes' as never }), /restoreBestWeights: expected true or false, got "yes"/],
    ['verbose -1', () => callbacks.earlyStopping({ verbose: -1 }), /callbacks\.earlyStopping: verbose: expected a non-negative integer, got -1/],
  ]);
});

describe('fit, evaluate, predict, compile, checkGradients, setSeed', () => {
  cases([
    ['fit epochs NaN', () => ref.fit(x4, y3, { epochs: NaN, verbose: 0 }), /fit: epochs must be a positive integer, got NaN/],
    ['fit batchSize 1.5', () => ref.fit(x4, y3, { batchSize: 1.5, verbose: 0 }), /fit: batchSize must be a positive integer, got 1\.5/],
    ['fit validationSplit NaN', () => ref.fit(x4, y3, { validationSplit: NaN, verbose: 0 }), /fit: validationSplit must be in \(0, 1\), got NaN/],
    ['fit initialEpoch -1', () => ref.fit(x4, y3, { initialEpoch: -1, verbose: 0 }), /fit: initialEpoch must be an integer in \[0, epochs\), got -1/],
    ['fit yieldEvery NaN', () => ref.fit(x4, y3, { yieldEvery: NaN, verbose: 0 }), /fit: yieldEvery must be 'auto', 'batch', 'epoch', 'never' or a number of milliseconds >= 0, got NaN/],
    ['fit yieldEvery -1', () => ref.fit(x4, y3, { yieldEvery: -1, verbose: 0 }), /fit: yieldEvery must be .* a number of milliseconds >= 0, got -1/],
    ['evaluate batchSize NaN', () => ref.evaluate(x4, y3, { batchSize: NaN }), /evaluate: batchSize must be a positive integer, got NaN/],
    ['predict batchSize Infinity', () => ref.predict(x4, { batchSize: Infinity }), /predict: batchSize must be a positive integer, got Infinity/],
    ['compile lossWeights NaN', () => ref.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', lossWeights: [NaN] }), /compile: lossWeights for dense\w* must be a finite number >= 0, got NaN/],
    ['checkGradients epsilon NaN', () => sn.utils.checkGradients(ref, x4, y3, { epsilon: NaN }), /^checkGradients: epsilon: expected a number in \(0, 1\], got NaN$/],
    ['checkGradients epsilon 0', () => sn.utils.checkGradients(ref, x4, y3, { epsilon: 0 }), /checkGradients: epsilon: .*got 0/],
    ['checkGradients epsilon Infinity', () => sn.utils.checkGradients(ref, x4, y3, { epsilon: Infinity }), /checkGradients: epsilon: .*got Infinity/],
    ['checkGradients maxPerParam 0', () => sn.utils.checkGradients(ref, x4, y3, { maxPerParam: 0 }), /checkGradients: maxPerParam: expected an integer in \[1, 2147483647\], got 0/],
    ['setSeed NaN', () => sn.setSeed(NaN), /^setSeed: expected a finite number, got NaN$/],
    ['setSeed a string', () => sn.setSeed('7' as never), /setSeed: expected a finite number, got "7"/],
  ]);
});

describe('data', () => {
  cases([
    ['fromArrays shuffle a string', () => sn.data.fromArrays([[1]], [1], { shuffle: 'yes' as never }), /^fromArrays: shuffle: expected true or false, got "yes"$/],
    ['fromArrays seed NaN', () => sn.data.fromArrays([[1]], [1], { shuffle: true, seed: NaN }), /fromArrays: seed: expected a finite number, got NaN/],
    ['fromArrays labelDtype int64', () => sn.data.fromArrays([[1]], [1], { labelDtype: 'int64' as never }), /fromArrays: labelDtype must be 'float32' or 'int32', got "int64"/],
    ['split fraction NaN', () => sn.data.split([[1], [2]], [1, 2], NaN), /split: fraction: expected a number in \[0, 1\), got NaN/],
    ['oneHot classes Infinity', () => sn.data.oneHot([0, 1], Infinity), /oneHot: classes: expected a positive integer, got Infinity/],
    ['shuffle seed Infinity', () => sn.data.shuffle([[1]], [1], Infinity), /shuffle: seed: expected a finite number, got Infinity/],
    ['mnist limit.train NaN', () => sn.data.mnist({ limit: { train: NaN } }), /mnist: limit\.train: expected a non-negative integer, got NaN/],
    ['mnist flatten a string', () => sn.data.mnist({ flatten: 'yes' as never }), /mnist: flatten: expected true or false, got "yes"/],
    ['csv header a string', () => sn.data.csv('a\n1\n', { header: 'yes' as never }), /csv: header: expected true or false, got "yes"/],
    ['csv delimiter a BigInt', () => sn.data.csv('a\n1\n', { delimiter: 5n as never }), /csv: delimiter: expected one character other than a quote or a line break, got 5n/],
  ]);
});
