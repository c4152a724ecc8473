/** Dense: y = f(x·W + b), W is [in, out] (TF.js / Keras layout). Applies to the last axis. */
import { getInitializer, type Initializer } from '../initializers/index.ts';
import { getRegularizer, type Regularizer } from '../regularizers/index.ts';
import { denseWorkspaceBytes } from '../wasm/workspace.ts';
import { ActivatedLayer } from './activation.ts';
import { type LayerArgs, type Param, positiveInt } from './layer.ts';

export interface DenseArgs extends LayerArgs {
  units: number;
  activation?: string;
  useBias?: boolean;
  kernelInitializer?: string | Initializer;
  biasInitializer?: string | Initializer;
  kernelRegularizer?: string | Regularizer;
  biasRegularizer?: string | Regularizer;
}

export class Dense extends ActivatedLayer {
  readonly className = 'Dense';
  readonly units: number;
  readonly useBias: boolean;
  private readonly args: DenseArgs;
  kernel!: Param;
  bias: Param | null = null;

  constructor(args: DenseArgs) {
    super(args, 'dense');
    this.units = positiveInt(args?.units, `${this.name}: units`);
    this.useBias = args.useBias ?? true;
    this.args = args;
    // Resolve names now so a typo fails at construction, not at compile.
    getInitializer(args.kernelInitializer, 'glorotUniform', `${this.name}: kernelInitializer`);
    getInitializer(args.biasInitializer, 'zeros', `${this.name}: biasInitializer`);
    getRegularizer(args.kernelRegularizer, `${this.name}: kernelRegularizer`);
    getRegularizer(args.biasRegularizer, `${this.name}: biasRegularizer`);
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
    this.kernel = this.addParam({
      name: 'kernel',
      shape: [inDim, this.units],
      init: getInitializer(this.args.kernelInitializer, 'glorotUniform', `${this.name}: kernelInitializer`),
      regularizer: getRegularizer(this.args.kernelRegularizer, `${this.name}: kernelRegularizer`),
      fanIn: inDim,
      fanOut: this.units,
    });
    if (this.useBias) {
      this.bias = this.addParam({
        name: 'bias',
        shape: [this.units],
        init: getInitializer(this.args.biasInitializer, 'zeros', `${this.name}: biasInitializer`),
        regularizer: getRegularizer(this.args.biasRegularizer, `${this.name}: biasRegularizer`),
        fanIn: inDim,
        fanOut: this.units,
      });
    }
    return [...inShape.slice(0, -1), this.units];
  }

  workspaceBytes(capacity: number): number {
    return denseWorkspaceBytes(capacity * this.rowsPerSample, this.inDim, this.units);
  }

  forward(n: number): void {
    const rows = n * this.rowsPerSample;
    this.k.dense_forward_f32(this.z, this.x, this.kernel.ptr, this.bias?.ptr ?? 0, this.ws, rows, this.inDim, this.units);
    this.activate(n);
  }

  backward(n: number): void {
    this.activationBackward(n);
    const rows = n * this.rowsPerSample;
    this.k.dense_backward_f32(
      this.dx,
      this.kernel.gradPtr,
      this.bias?.gradPtr ?? 0,
      this.dz,
      this.x,
      this.kernel.ptr,
      this.ws,
      rows,
      this.inDim,
      this.units,
    );
  }

  getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activation.name,
      useBias: this.useBias,
      kernelInitializer: this.kernel?.init.className,
      biasInitializer: this.bias?.init.className,
    };
  }
}
