/** Dense: y = f(x·W + b), W is [in, out] (TF.js / Keras layout). Applies to the last axis. */
import { denseWorkspaceBytes } from '../wasm/workspace.ts';
import { ActivatedLayer, positiveInt, type WeightedArgs } from './activation.ts';
import { UNSUPPORTED_AS_NULL } from './conv.ts';
import type { NodeCtx } from './layer.ts';

export interface DenseArgs extends WeightedArgs {
  units: number;
}

export class Dense extends ActivatedLayer {
  readonly className = 'Dense';
  readonly units: number;

  constructor(args: DenseArgs) {
    super(args, 'dense');
    this.units = positiveInt(args?.units, `${this.name}: units`);
  }

  get inDim(): number {
    return this.inShape[this.inShape.length - 1];
  }
  /** Rows per sample: Dense maps the last axis, so a [steps, features] input has `steps` rows. */
  private get rowsPerSample(): number {
    return this.inSize / this.inDim;
  }

  protected computeOutputShape(inShape: number[]): number[] {
    const inDim = inShape[inShape.length - 1];
    this.declareWeights([inDim, this.units], this.units, inDim, this.units);
    return [...inShape.slice(0, -1), this.units];
  }

  workspaceBytes(capacity: number): number {
    return denseWorkspaceBytes(capacity * this.rowsPerSample, this.inDim, this.units);
  }

  forward(c: NodeCtx, n: number): void {
    const rows = n * this.rowsPerSample;
    c.k.dense_forward_f32(c.z, c.x, c.w[0], c.w[1] ?? 0, c.ws, rows, this.inDim, this.units);
    this.activate(c, n);
  }

  backward(c: NodeCtx, n: number): void {
    this.activationBackward(c, n);
    const rows = n * this.rowsPerSample;
    c.k.dense_backward_f32(c.dx, c.dw[0], c.dw[1] ?? 0, c.dz, c.x, c.w[0], c.ws, rows, this.inDim, this.units);
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), units: this.units, ...UNSUPPORTED_AS_NULL };
  }
}
