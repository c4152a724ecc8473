/**
 * simdnet's public API — the only module users import. Names follow TensorFlow.js layers.
 */
export { init, ready, backendInfo } from './wasm/loader.ts';
export type { InitOptions, BackendInfo } from './wasm/loader.ts';
export { Tensor } from './tensor.ts';
// The tensor toolkit, with TF.js's names and signatures (a host toolkit for data preparation and
// evaluation: there is no autodiff here; models train through their layers' kernels).
import './ops/chain.ts';
export {
  tensor, tensor1d, tensor2d, tensor3d, tensor4d, tensor5d, scalar, zeros, ones, fill, zerosLike, onesLike,
  range, linspace, eye, oneHot, randomNormal, randomUniform, truncatedNormal, buffer, TensorBuffer,
} from './ops/creation.ts';
export { reshape, expandDims, squeeze, transpose, slice, gather, concat, stack, unstack, split, tile, pad, reverse, clone, cast } from './ops/shape.ts';
export {
  add, sub, mul, div, pow, minimum, maximum, squaredDifference, mod, floorDiv, neg, abs, sqrt, square, exp, log,
  sigmoid, relu, tanh, round, floor, ceil, sign, reciprocal, clipByValue, equal, notEqual, greater, greaterEqual,
  less, lessEqual, logicalAnd, logicalOr, logicalNot, logicalXor, where, addN,
} from './ops/elementwise.ts';
export { sum, mean, min, max, prod, argMax, argMin, moments, all, any, logSumExp } from './ops/reduce.ts';
export { matMul, dot, outerProduct, softmax, logSoftmax } from './ops/linalg.ts';
export { tidy, keep, dispose, memory } from './ops/tidy.ts';
export type { MemoryInfo } from './ops/tidy.ts';
export type { TensorLike, DType } from './tensor.ts';
export { sequential, Sequential } from './model/sequential.ts';
export { model, LayersModel, LayerVariable } from './model/model.ts';
export type { CompileArgs, FitArgs, History, ModelArgs, FitDatasetArgs, EvaluateDatasetArgs, DatasetLike, Shape, LossOrMetric } from './model/model.ts';
export type { YieldEvery, ClassWeight, ClassWeightArg } from './model/trainer.ts';
export type { ModelData } from './model/staging.ts';
export { input } from './layers/input.ts';
export type { InputArgs } from './layers/input.ts';
export { SymbolicTensor } from './engine/symbolic.ts';
export { loadLayersModel } from './io/load.ts';
export type { LoadOptions, ModelArtifacts } from './io/load.ts';
export { io } from './io/handlers.ts';
export { layers } from './layers/index.ts';
export { optimizers, train } from './optimizers/index.ts';
export { losses, Reduction } from './losses/functions.ts';
export { metrics } from './metrics/functions.ts';
export { util, nextFrame } from './utils/util.ts';
export { initializers } from './initializers/index.ts';
export { regularizers } from './regularizers/index.ts';
export { callbacks, Callback, CustomCallback } from './model/callbacks.ts';
export type { CallbackHooks, Logs } from './model/callbacks.ts';
export { setSeed } from './random.ts';
export * as data from './data/index.ts';
export * as bench from './bench/index.ts';

import { checkGradients, gradients } from './utils/gradcheck.ts';
import { plotHistory } from './utils/plot.ts';
export const utils = { checkGradients, gradients, plotHistory };

export { VERSION as version } from './version.ts';
