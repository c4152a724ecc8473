/**
 * Sequential: a stack of layers, built as a graph (one input, each layer applied to the previous
 * output) and run by the same planner and training step as any graph model.
 */
import type { ModelDType } from '../tensor.ts';
import { type Layer, sameShape } from '../layers/layer.ts';
import { input, InputLayer } from '../layers/input.ts';
import { buildGraph } from '../engine/graph.ts';
import type { SymbolicTensor } from '../engine/symbolic.ts';
import { LayersModel } from './model.ts';
import type { ModelData } from './staging.ts';
import { type Tensor, describe } from '../tensor.ts';

export type { CompileArgs } from './model.ts';
export type { FitArgs, History } from './trainer.ts';

export class Sequential extends LayersModel {
  private stack: Layer[] = [];
  private out: SymbolicTensor | null = null;
  private in: SymbolicTensor | null = null;

  constructor(args: { layers?: Layer[]; name?: string } = {}) {
    if (args === null || typeof args !== 'object') throw new Error(`sequential: expected { layers?, name? }, got ${describe(args)}`);
    if (args.name !== undefined && (typeof args.name !== 'string' || args.name === '')) throw new Error(`sequential: name must be a non-empty string, got ${describe(args.name)}`);
    super(null, { name: args.name ?? 'sequential' });
    if (args.layers !== undefined && !Array.isArray(args.layers)) throw new Error(`${this.name}: layers must be a list of layers`);
    for (const l of args.layers ?? []) this.add(l);
  }

  add(layer: Layer): void {
    if (!layer || typeof (layer as Layer).forward !== 'function') throw new Error(`${this.name}.add: expected a layer, got ${describe(layer)}`);
    if (this.arenaBytes() > 0) throw new Error(`${this.name}.add: the model is already built; add layers before compile/fit/predict`);
    if (this.stack.includes(layer)) throw new Error(`${this.name}.add: layer ${layer.name} is already in the model`);
    if (layer instanceof InputLayer) throw new Error(`${this.name}.add: give the first layer an inputShape instead of an input layer`);
    // TF.js refuses the same: a chain has one tensor between layers.
    if (layer.outputCount() > 1) throw new Error(`${this.name}.add: ${layer.name} has several outputs (returnState: true); all layers in a Sequential model should have a single output tensor. For multi-output layers, use the functional API`);
    if (!this.out) {
      if (!layer.inputShape) throw new Error(`${this.name}: the first layer (${layer.name}) needs an inputShape, e.g. { inputShape: [784] }`);
      // A first layer that reads token ids (embedding) makes an int32 input, as TF.js does.
      this.in = input({ shape: layer.inputShape, name: `${layer.name}_input`, dtype: (layer as { inputDType?: ModelDType }).inputDType ?? 'float32' });
      this.out = this.in;
    } else if (layer.inputShape && !sameShape(this.out.sampleShape, layer.inputShape)) {
      throw new Error(`${layer.name}: inputShape [${layer.inputShape}] does not match the previous layer's output [${this.out.sampleShape}]`);
    }
    this.out = layer.apply(this.out);
    this.stack.push(layer);
    this.graph = buildGraph(this.in, this.out, this.name);
  }

  /** The stacked layers (no input layer, as TF.js lists a Sequential's layers). */
  get layers(): Layer[] {
    return [...this.stack];
  }

  /** Outputs for every sample, as one tensor [n, ...outputShape]. */
  predict(x: ModelData, args: { batchSize?: number; verbose?: boolean | number } = {}): Tensor {
    return super.predict(x, args) as Tensor;
  }
  predictOnBatch(x: ModelData): Tensor {
    return super.predictOnBatch(x) as Tensor;
  }

  get isSequential(): boolean {
    return true;
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, layers: this.stack.map((l) => ({ className: l.className, config: l.getConfig() })) };
  }
}

export function sequential(args: { layers?: Layer[]; name?: string } = {}): Sequential {
  return new Sequential(args);
}
