/**
 * Activation functions (the kernels of assembly/activation.ts) and the layers that apply them
 * on their own: activation, reLU, leakyReLU, softmax.
 */
import type { Kernels } from '../wasm/abi.ts';
import { getInitializer, type Initializer } from '../initializers/index.ts';
import { getRegularizer, type Regularizer } from '../regularizers/index.ts';
import { type Binding, type Head, Layer, type LayerArgs, type Param } from './layer.ts';

export interface ActivationFn {
  readonly name: string;
  /** y = f(x) over n values; rows of `cols` values (softmax normalises each row). */
  forward(k: Kernels, y: number, x: number, n: number, cols: number): void;
  /** dx += dy·f'(x); null when the gradient is zero (step). */
  backward: ((k: Kernels, dx: number, dy: number, x: number, y: number, n: number, cols: number) => void) | null;
}

const elementwise = (name: string, fwd: keyof Kernels, bwd: keyof Kernels): ActivationFn => ({
  name,
  forward: (k, y, x, n) => void k[fwd](y, x, n),
  backward: (k, dx, dy, x, y, n) => void k[bwd](dx, dy, x, y, n),
});
const withAlpha = (name: string, alpha: number, fwd: keyof Kernels, bwd: keyof Kernels): ActivationFn => ({
  name,
  forward: (k, y, x, n) => void k[fwd](y, x, n, alpha),
  backward: (k, dx, dy, x, y, n) => void k[bwd](dx, dy, x, y, n, alpha),
});

export const ACTIVATIONS = ['linear', 'relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh', 'softplus', 'softmax', 'step'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export function getActivation(name: string | undefined | null, alpha?: number, who = 'activation'): ActivationFn {
  switch (name ?? 'linear') {
    case 'linear':
      return elementwise('linear', 'linear_forward_f32', 'linear_backward_f32');
    case 'relu':
      return elementwise('relu', 'relu_forward_f32', 'relu_backward_f32');
    case 'leakyRelu':
      return withAlpha('leakyRelu', alpha ?? 0.3, 'leaky_relu_forward_f32', 'leaky_relu_backward_f32');
    case 'elu':
      return withAlpha('elu', alpha ?? 1, 'elu_forward_f32', 'elu_backward_f32');
    case 'sigmoid':
      return elementwise('sigmoid', 'sigmoid_forward_f32', 'sigmoid_backward_f32');
    case 'tanh':
      return elementwise('tanh', 'tanh_forward_f32', 'tanh_backward_f32');
    case 'softplus':
      return elementwise('softplus', 'softplus_forward_f32', 'softplus_backward_f32');
    case 'step':
      return { name: 'step', forward: (k, y, x, n) => void k.step_forward_f32(y, x, n), backward: null };
    case 'softmax':
      return {
        name: 'softmax',
        forward: (k, y, x, n, cols) => void k.softmax_forward_f32(y, x, n / cols, cols),
        backward: (k, dx, dy, _x, y, n, cols) => void k.softmax_backward_f32(dx, dy, y, n / cols, cols),
      };
    default:
      throw new Error(`${who}: unknown activation '${name}'; expected one of ${ACTIVATIONS.join(', ')}`);
  }
}

/** Applies an activation to its input (TF.js `layers.activation`). */
export class Activation extends Layer {
  readonly className: string = 'Activation';
  readonly fn: ActivationFn;
  constructor(args: LayerArgs & { activation?: string; alpha?: number }, defaultName = 'activation') {
    super(args, defaultName);
    this.fn = getActivation(args.activation, args.alpha, this.name);
  }
  protected computeOutputShape(inShape: number[]): number[] {
    return inShape;
  }
  get cols(): number {
    return this.inShape[this.inShape.length - 1];
  }
  forward(n: number): void {
    this.fn.forward(this.k, this.y, this.x, n * this.outSize, this.cols);
  }
  backward(n: number): void {
    if (this.dx && this.fn.backward) this.fn.backward(this.k, this.dx, this.dy, this.x, this.y, n * this.outSize, this.cols);
  }
  head(): Head | null {
    if (this.fn.name !== 'softmax' && this.fn.name !== 'sigmoid') return null;
    return { activation: this.fn.name, z: this.x, dz: this.dx };
  }
  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: this.fn.name };
  }
}

export class ReLU extends Activation {
  readonly className = 'ReLU';
  constructor(args: LayerArgs = {}) {
    super({ ...args, activation: 'relu' }, 're_lu');
  }
}
export class LeakyReLU extends Activation {
  readonly className = 'LeakyReLU';
  readonly alpha: number;
  constructor(args: LayerArgs & { alpha?: number } = {}) {
    super({ ...args, activation: 'leakyRelu', alpha: args.alpha ?? 0.3 }, 'leaky_re_lu');
    this.alpha = args.alpha ?? 0.3;
  }
  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}
export class Softmax extends Activation {
  readonly className = 'Softmax';
  constructor(args: LayerArgs = {}) {
    super({ ...args, activation: 'softmax' }, 'softmax');
  }
}

/** Options shared by layers with a kernel and a bias (dense, conv). */
export interface WeightedArgs extends LayerArgs {
  activation?: string;
  useBias?: boolean;
  kernelInitializer?: string | Initializer;
  biasInitializer?: string | Initializer;
  kernelRegularizer?: string | Regularizer;
  biasRegularizer?: string | Regularizer;
}

/** A layer with a kernel and an optional bias whose output goes through an activation (dense, conv). */
export abstract class ActivatedLayer extends Layer {
  readonly activation: ActivationFn;
  readonly useBias: boolean;
  kernel!: Param;
  bias: Param | null = null;
  /** Pre-activation values and their gradient; the same as y / dy for a linear activation. */
  z = 0;
  dz = 0;
  private readonly weightArgs: WeightedArgs;

  constructor(args: WeightedArgs, defaultName: string) {
    super(args, defaultName);
    this.activation = getActivation(args.activation, undefined, this.name);
    this.useBias = args.useBias ?? true;
    this.weightArgs = args;
    // Resolve names now so a typo fails at construction, not at compile.
    this.initializers();
  }

  private initializers() {
    const a = this.weightArgs;
    return {
      kernel: getInitializer(a.kernelInitializer, 'glorotUniform', `${this.name}: kernelInitializer`),
      bias: getInitializer(a.biasInitializer, 'zeros', `${this.name}: biasInitializer`),
      kernelReg: getRegularizer(a.kernelRegularizer, `${this.name}: kernelRegularizer`),
      biasReg: getRegularizer(a.biasRegularizer, `${this.name}: biasRegularizer`),
    };
  }

  /** Declare the kernel (of `shape`) and a bias of `units`. */
  protected declareWeights(shape: number[], units: number, fanIn: number, fanOut: number): void {
    const i = this.initializers();
    this.kernel = this.addParam({ name: 'kernel', shape, init: i.kernel, regularizer: i.kernelReg, fanIn, fanOut });
    if (this.useBias) this.bias = this.addParam({ name: 'bias', shape: [units], init: i.bias, regularizer: i.biasReg, fanIn, fanOut });
  }

  protected get linear(): boolean {
    return this.activation.name === 'linear';
  }
  /**
   * The layer's kernel applies relu itself as it writes y (conv2d): then z is y (relu's backward
   * tests y > 0, the same as z > 0), with no z buffer and no separate pass over the output.
   */
  protected get fusedRelu(): boolean {
    return false;
  }
  protected bindExtra(b: Binding): void {
    if (this.linear) {
      this.z = this.y;
      this.dz = this.dy;
    } else {
      this.z = this.fusedRelu ? this.y : b.plan.value(b.capacity * this.outSize);
      this.dz = b.plan.grad(b.capacity * this.outSize);
    }
  }
  protected activate(n: number): void {
    if (!this.linear && !this.fusedRelu) this.activation.forward(this.k, this.y, this.z, n * this.outSize, this.outShape[this.outShape.length - 1]);
  }
  /**
   * dz += dy·f'(z). With a fused loss, dy stays zero and the loss writes dz itself, so this
   * adds nothing and needs no special case.
   */
  protected activationBackward(n: number): void {
    if (this.linear || !this.activation.backward) return;
    this.activation.backward(this.k, this.dz, this.dy, this.z, this.y, n * this.outSize, this.outShape[this.outShape.length - 1]);
  }
  head(): Head | null {
    const a = this.activation.name;
    return a === 'softmax' || a === 'sigmoid' ? { activation: a, z: this.z, dz: this.dz } : null;
  }
  getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      activation: this.activation.name,
      useBias: this.useBias,
      kernelInitializer: this.kernel?.init.className,
      biasInitializer: this.bias?.init.className,
    };
  }
}
