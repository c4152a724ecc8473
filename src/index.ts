/**
 * simdnet's public API — the only module users import. Names follow TensorFlow.js layers.
 */
export { init, backendInfo } from './wasm/loader.ts';
export type { InitOptions, BackendInfo } from './wasm/loader.ts';
export { tensor, Tensor } from './tensor.ts';
export type { TensorLike, DType } from './tensor.ts';
export { sequential, Sequential } from './model/sequential.ts';
export { model, LayersModel } from './model/model.ts';
export type { CompileArgs, FitArgs, History, ModelArgs } from './model/model.ts';
export type { ModelData } from './model/staging.ts';
export { input } from './layers/input.ts';
export type { InputArgs } from './layers/input.ts';
export { SymbolicTensor } from './engine/symbolic.ts';
export { loadLayersModel } from './io/load.ts';
export type { LoadOptions, ModelArtifacts } from './io/load.ts';
export { io } from './io/handlers.ts';
export { layers } from './layers/index.ts';
export { optimizers } from './optimizers/index.ts';
export { initializers } from './initializers/index.ts';
export { regularizers } from './regularizers/index.ts';
export { callbacks } from './model/callbacks.ts';
export type { CallbackHooks, Logs } from './model/callbacks.ts';
export { setSeed } from './random.ts';
export * as data from './data/index.ts';

import { checkGradients, gradients } from './utils/gradcheck.ts';
export const utils = { checkGradients, gradients };

export { VERSION as version } from './version.ts';
