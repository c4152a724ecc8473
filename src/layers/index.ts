/** Layer factories with TF.js names: `layers.dense({ units: 10 })`. */
import { Activation, LeakyReLU, ReLU, Softmax } from './activation.ts';
import { Conv1D, type Conv1DArgs, Conv2D, type Conv2DArgs } from './conv.ts';
import { Dense, type DenseArgs } from './dense.ts';
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
import { Flatten, Reshape } from './reshape.ts';
import { Add, Average, Concatenate, type ConcatenateArgs, Dot, type DotArgs, Maximum, Minimum, Multiply, Subtract } from './merge.ts';
import { InputLayer, type InputArgs } from './input.ts';

export const layers = {
  dense: (args: DenseArgs) => new Dense(args),
  conv2d: (args: Conv2DArgs) => new Conv2D(args),
  conv1d: (args: Conv1DArgs) => new Conv1D(args),
  maxPooling2d: (args?: Pooling2DArgs) => new MaxPooling2D(args),
  averagePooling2d: (args?: Pooling2DArgs) => new AveragePooling2D(args),
  maxPooling1d: (args?: Pooling1DArgs) => new MaxPooling1D(args),
  averagePooling1d: (args?: Pooling1DArgs) => new AveragePooling1D(args),
  globalMaxPooling2d: (args?: LayerArgs) => new GlobalMaxPooling2D(args),
  globalAveragePooling2d: (args?: LayerArgs) => new GlobalAveragePooling2D(args),
  globalMaxPooling1d: (args?: LayerArgs) => new GlobalMaxPooling1D(args),
  globalAveragePooling1d: (args?: LayerArgs) => new GlobalAveragePooling1D(args),
  activation: (args: LayerArgs & { activation: string }) => new Activation(args),
  reLU: (args?: LayerArgs) => new ReLU(args),
  leakyReLU: (args?: LayerArgs & { alpha?: number }) => new LeakyReLU(args),
  softmax: (args?: LayerArgs) => new Softmax(args),
  flatten: (args?: LayerArgs) => new Flatten(args),
  reshape: (args: LayerArgs & { targetShape: number[] }) => new Reshape(args),
  add: (args?: LayerArgs) => new Add(args),
  subtract: (args?: LayerArgs) => new Subtract(args),
  multiply: (args?: LayerArgs) => new Multiply(args),
  average: (args?: LayerArgs) => new Average(args),
  maximum: (args?: LayerArgs) => new Maximum(args),
  minimum: (args?: LayerArgs) => new Minimum(args),
  concatenate: (args?: ConcatenateArgs) => new Concatenate(args),
  dot: (args: DotArgs) => new Dot(args),
  inputLayer: (args: InputArgs) => new InputLayer(args),
};

export { Layer } from './layer.ts';
export { Dense, Conv2D, Conv1D, Activation, ReLU, LeakyReLU, Softmax, Flatten, Reshape, InputLayer, Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot };
