/** Layer factories with TF.js names: `layers.dense({ units: 10 })`. */
import { Activation, LeakyReLU, ReLU, Softmax } from './activation.ts';
import { Dense, type DenseArgs } from './dense.ts';
import type { LayerArgs } from './layer.ts';
import { Flatten, Reshape } from './reshape.ts';

export const layers = {
  dense: (args: DenseArgs) => new Dense(args),
  activation: (args: LayerArgs & { activation: string }) => new Activation(args),
  reLU: (args?: LayerArgs) => new ReLU(args),
  leakyReLU: (args?: LayerArgs & { alpha?: number }) => new LeakyReLU(args),
  softmax: (args?: LayerArgs) => new Softmax(args),
  flatten: (args?: LayerArgs) => new Flatten(args),
  reshape: (args: LayerArgs & { targetShape: number[] }) => new Reshape(args),
};

export { Layer } from './layer.ts';
export { Dense, Activation, ReLU, LeakyReLU, Softmax, Flatten, Reshape };
