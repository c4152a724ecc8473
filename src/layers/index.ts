/**
 * Layer factories with TF.js names: `layers.dense({ units: 10 })`. Each checks its options
 * object first (an object, no unknown keys: a TF.js option simdnet does not implement, or a
 * typo, is an error rather than silently ignored); the layer's constructor checks the values.
 */
import { Activation, ELU, LeakyReLU, ReLU, Softmax } from './activation.ts';
import { Conv1D, type Conv1DArgs, Conv2D, type Conv2DArgs } from './conv.ts';
import { AveragePooling3D, Conv3D, type Conv3DArgs, GlobalAveragePooling3D, GlobalMaxPooling3D, MaxPooling3D, type Pooling3DArgs } from './conv3d.ts';
import { Dense, type DenseArgs } from './dense.ts';
import { GRU, type GRUArgs, LSTM, type LSTMArgs, type RecurrentArgs, SimpleRNN } from './recurrent.ts';
import type { LayerArgs } from './layer.ts';
import {
  AveragePooling1D,
  AveragePooling2D,
  GlobalAveragePooling1D,
  GlobalAveragePooling2D,
  GlobalMaxPooling1D,
  GlobalMaxPooling2D,
  MaxPooling1D,
  MaxPooling2D,
  type Pooling1DArgs,
  type Pooling2DArgs,
} from './pool.ts';
import { Flatten, Permute, RepeatVector, Reshape } from './reshape.ts';
import { Embedding, type EmbeddingArgs } from './embedding.ts';
import { ZeroPadding2D, type ZeroPadding2DArgs } from './padding.ts';
import { Add, Average, Concatenate, type ConcatenateArgs, Dot, type DotArgs, Maximum, Minimum, Multiply, Subtract } from './merge.ts';
import { InputLayer, type InputArgs } from './input.ts';
import { BatchNormalization, type BatchNormalizationArgs, LayerNormalization, type LayerNormalizationArgs } from './norm.ts';
import { Dropout, type DropoutArgs, GaussianNoise, type GaussianNoiseArgs, SpatialDropout1D, SpatialDropout2D, type SpatialDropoutArgs } from './dropout.ts';
import { Bidirectional, type BidirectionalArgs, TimeDistributed, type TimeDistributedArgs } from './wrappers.ts';
import { checkOptions, describe } from '../tensor.ts';

/** Options every layer takes (LayerArgs), plus TF.js's `dtype` (float32 only). */
const COMMON = ['name', 'inputShape', 'batchInputShape', 'trainable', 'dtype'] as const;
const WEIGHTED = [...COMMON, 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer'] as const;
/** Options of simpleRNN, lstm and gru (TF.js's RNN and cell options simdnet computes or checks). */
const RNN = [...WEIGHTED, 'recurrentInitializer', 'recurrentRegularizer', 'returnSequences', 'returnState', 'goBackwards', 'stateful', 'unroll', 'dropout', 'recurrentDropout'] as const;
const CONV = ['filters', 'kernelSize', 'strides', 'padding', 'dilationRate', 'dataFormat', ...WEIGHTED] as const;

/** The options object of `layers.<factory>`, checked; `required` for layers with no default size. */
function opts<T extends object>(args: T | undefined, factory: string, keys: readonly string[], required: boolean | string = false): T {
  const who = `layers.${factory}`;
  const a = checkOptions(args, who, keys, required) as T & LayerArgs & { dtype?: unknown; dataFormat?: unknown; axis?: unknown };
  if (a.dtype !== undefined && a.dtype !== 'float32') throw new Error(`${who}: dtype must be 'float32' (int32 enters only through an input layer), got ${describe(a.dtype)}`);
  if (a.batchInputShape !== undefined && !Array.isArray(a.batchInputShape)) {
    throw new TypeError(`${who}: batchInputShape must be a list [null, ...sample dimensions], got ${describe(a.batchInputShape)}`);
  }
  if (a.inputShape !== undefined && !Array.isArray(a.inputShape)) throw new TypeError(`${who}: inputShape must be a list of positive integers, got ${describe(a.inputShape)}`);
  if ('dataFormat' in a && a.dataFormat !== undefined && a.dataFormat !== 'channelsLast') {
    throw new Error(`${who}: only dataFormat 'channelsLast' (NHWC) is supported, got ${describe(a.dataFormat)}`);
  }
  // The layer keeps dtype out of its own options (it is float32 by construction).
  if ('dtype' in a) {
    const { dtype: _dtype, ...rest } = a;
    return rest as T;
  }
  return a;
}

export const layers = {
  simpleRNN: (args: RecurrentArgs) => new SimpleRNN(opts(args, 'simpleRNN', ['units', ...RNN], '{ units: 32 }')),
  lstm: (args: LSTMArgs) => new LSTM(opts(args, 'lstm', ['units', 'recurrentActivation', 'implementation', 'unitForgetBias', ...RNN], '{ units: 32 }')),
  gru: (args: GRUArgs) => new GRU(opts(args, 'gru', ['units', 'recurrentActivation', 'implementation', 'resetAfter', ...RNN], '{ units: 32 }')),
  bidirectional: (args: BidirectionalArgs) => new Bidirectional(opts(args, 'bidirectional', ['layer', 'mergeMode', 'weights', ...COMMON], '{ layer: layers.lstm({ units: 8 }) }')),
  timeDistributed: (args: TimeDistributedArgs) => new TimeDistributed(opts(args, 'timeDistributed', ['layer', ...COMMON], '{ layer: layers.dense({ units: 8 }) }')),
  dense: (args: DenseArgs) => new Dense(opts(args, 'dense', ['units', ...WEIGHTED], '{ units: 10 }')),
  conv2d: (args: Conv2DArgs) => new Conv2D(opts(args, 'conv2d', CONV, '{ filters: 8, kernelSize: 3 }')),
  conv1d: (args: Conv1DArgs) => new Conv1D(opts(args, 'conv1d', CONV, '{ filters: 8, kernelSize: 3 }')),
  conv3d: (args: Conv3DArgs) => new Conv3D(opts(args, 'conv3d', CONV, '{ filters: 8, kernelSize: 3 }')),
  maxPooling3d: (args?: Pooling3DArgs) => new MaxPooling3D(opts(args, 'maxPooling3d', ['poolSize', 'strides', 'padding', 'dataFormat', ...COMMON])),
  averagePooling3d: (args?: Pooling3DArgs) => new AveragePooling3D(opts(args, 'averagePooling3d', ['poolSize', 'strides', 'padding', 'dataFormat', ...COMMON])),
  globalMaxPooling3d: (args?: LayerArgs) => new GlobalMaxPooling3D(opts(args, 'globalMaxPooling3d', ['dataFormat', ...COMMON])),
  globalAveragePooling3d: (args?: LayerArgs) => new GlobalAveragePooling3D(opts(args, 'globalAveragePooling3d', ['dataFormat', ...COMMON])),
  maxPooling2d: (args?: Pooling2DArgs) => new MaxPooling2D(opts(args, 'maxPooling2d', ['poolSize', 'strides', 'padding', 'dataFormat', ...COMMON])),
  averagePooling2d: (args?: Pooling2DArgs) => new AveragePooling2D(opts(args, 'averagePooling2d', ['poolSize', 'strides', 'padding', 'dataFormat', ...COMMON])),
  maxPooling1d: (args?: Pooling1DArgs) => new MaxPooling1D(opts(args, 'maxPooling1d', ['poolSize', 'strides', 'padding', ...COMMON])),
  averagePooling1d: (args?: Pooling1DArgs) => new AveragePooling1D(opts(args, 'averagePooling1d', ['poolSize', 'strides', 'padding', ...COMMON])),
  globalMaxPooling2d: (args?: LayerArgs) => new GlobalMaxPooling2D(opts(args, 'globalMaxPooling2d', ['dataFormat', ...COMMON])),
  globalAveragePooling2d: (args?: LayerArgs) => new GlobalAveragePooling2D(opts(args, 'globalAveragePooling2d', ['dataFormat', ...COMMON])),
  globalMaxPooling1d: (args?: LayerArgs) => new GlobalMaxPooling1D(opts(args, 'globalMaxPooling1d', COMMON)),
  globalAveragePooling1d: (args?: LayerArgs) => new GlobalAveragePooling1D(opts(args, 'globalAveragePooling1d', COMMON)),
  activation: (args: LayerArgs & { activation: string; alpha?: number }) => new Activation(opts(args, 'activation', ['activation', 'alpha', ...COMMON], "{ activation: 'relu' }")),
  reLU: (args?: LayerArgs & { maxValue?: number }) => new ReLU(opts(args, 'reLU', ['maxValue', ...COMMON])),
  leakyReLU: (args?: LayerArgs & { alpha?: number }) => new LeakyReLU(opts(args, 'leakyReLU', ['alpha', ...COMMON])),
  elu: (args?: LayerArgs & { alpha?: number }) => new ELU(opts(args, 'elu', ['alpha', ...COMMON])),
  softmax: (args?: LayerArgs & { axis?: number | number[] }) => new Softmax(opts(args, 'softmax', ['axis', ...COMMON])),
  zeroPadding2d: (args?: ZeroPadding2DArgs) => new ZeroPadding2D(opts(args, 'zeroPadding2d', ['padding', 'dataFormat', ...COMMON])),
  flatten: (args?: LayerArgs) => new Flatten(opts(args, 'flatten', ['dataFormat', ...COMMON])),
  reshape: (args: LayerArgs & { targetShape: number[] }) => new Reshape(opts(args, 'reshape', ['targetShape', ...COMMON], '{ targetShape: [7, 7, 16] }')),
  repeatVector: (args: LayerArgs & { n: number }) => new RepeatVector(opts(args, 'repeatVector', ['n', ...COMMON], '{ n: 3 }')),
  permute: (args: LayerArgs & { dims: number[] }) => new Permute(opts(args, 'permute', ['dims', ...COMMON], '{ dims: [2, 1] }')),
  embedding: (args: EmbeddingArgs) =>
    new Embedding(
      opts(args, 'embedding', ['inputDim', 'outputDim', 'inputLength', 'maskZero', 'embeddingsInitializer', 'embeddingsRegularizer', 'embeddingsConstraint', 'activityRegularizer', ...COMMON], '{ inputDim: 1000, outputDim: 16 }'),
    ),
  add: (args?: LayerArgs) => new Add(opts(args, 'add', COMMON)),
  subtract: (args?: LayerArgs) => new Subtract(opts(args, 'subtract', COMMON)),
  multiply: (args?: LayerArgs) => new Multiply(opts(args, 'multiply', COMMON)),
  average: (args?: LayerArgs) => new Average(opts(args, 'average', COMMON)),
  maximum: (args?: LayerArgs) => new Maximum(opts(args, 'maximum', COMMON)),
  minimum: (args?: LayerArgs) => new Minimum(opts(args, 'minimum', COMMON)),
  concatenate: (args?: ConcatenateArgs) => new Concatenate(opts(args, 'concatenate', ['axis', ...COMMON])),
  dot: (args: DotArgs) => new Dot(opts(args, 'dot', ['axes', 'normalize', ...COMMON], '{ axes: 1 }')),
  dropout: (args: DropoutArgs) => new Dropout(opts(args, 'dropout', ['rate', 'noiseShape', 'seed', ...COMMON], '{ rate: 0.5 }')),
  spatialDropout1d: (args: SpatialDropoutArgs) => new SpatialDropout1D(opts(args, 'spatialDropout1d', ['rate', 'seed', ...COMMON], '{ rate: 0.2 }')),
  spatialDropout2d: (args: SpatialDropoutArgs) => new SpatialDropout2D(opts(args, 'spatialDropout2d', ['rate', 'seed', 'dataFormat', ...COMMON], '{ rate: 0.2 }')),
  gaussianNoise: (args: GaussianNoiseArgs) => new GaussianNoise(opts(args, 'gaussianNoise', ['stddev', ...COMMON], '{ stddev: 0.1 }')),
  batchNormalization: (args?: BatchNormalizationArgs) =>
    new BatchNormalization(opts(args, 'batchNormalization', ['axis', 'momentum', 'epsilon', 'center', 'scale', 'betaInitializer', 'gammaInitializer', 'movingMeanInitializer', 'movingVarianceInitializer', 'betaRegularizer', 'gammaRegularizer', ...COMMON])),
  layerNormalization: (args?: LayerNormalizationArgs) =>
    new LayerNormalization(opts(args, 'layerNormalization', ['axis', 'epsilon', 'center', 'scale', 'betaInitializer', 'gammaInitializer', 'betaRegularizer', 'gammaRegularizer', ...COMMON])),
  inputLayer: (args: InputArgs & { inputShape?: number[]; batchInputShape?: (number | null)[] }) => {
    const a = checkOptions(args, 'layers.inputLayer', ['shape', 'batchShape', 'inputShape', 'batchInputShape', 'name', 'dtype'], '{ shape: [784] }');
    // TF.js spells them inputShape / batchInputShape here.
    const { inputShape, batchInputShape, ...rest } = a;
    if ((inputShape !== undefined && rest.shape !== undefined) || (batchInputShape !== undefined && rest.batchShape !== undefined)) {
      throw new Error('layers.inputLayer: give shape (or inputShape) or batchShape (or batchInputShape), once');
    }
    if (batchInputShape !== undefined && !Array.isArray(batchInputShape)) throw new TypeError(`layers.inputLayer: batchInputShape must be a list [null, ...], got ${describe(batchInputShape)}`);
    if (rest.batchShape !== undefined && !Array.isArray(rest.batchShape)) throw new TypeError(`layers.inputLayer: batchShape must be a list [null, ...], got ${describe(rest.batchShape)}`);
    return new InputLayer({ ...rest, shape: rest.shape ?? inputShape, batchShape: rest.batchShape ?? batchInputShape });
  },
};

export { Layer } from './layer.ts';
export { Dropout, SpatialDropout1D, SpatialDropout2D, GaussianNoise } from './dropout.ts';
export { Dense, Conv2D, Conv1D, Activation, ReLU, LeakyReLU, ELU, Softmax, Flatten, Reshape, ZeroPadding2D, InputLayer, Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot };
export { BatchNormalization, LayerNormalization } from './norm.ts';
export { SimpleRNN, LSTM, GRU } from './recurrent.ts';
export { Bidirectional, TimeDistributed } from './wrappers.ts';
export { Conv3D, MaxPooling3D, AveragePooling3D, GlobalMaxPooling3D, GlobalAveragePooling3D } from './conv3d.ts';
export { Embedding } from './embedding.ts';
export { RepeatVector, Permute } from './reshape.ts';
