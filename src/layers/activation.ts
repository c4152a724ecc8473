/**
 * Activation functions (the kernels of assembly/activation.ts) and the layers that apply them
 * on their own: activation, reLU, leakyReLU, softmax.
 */
import type { KernelNameOfArity, Kernels } from '../wasm/abi.ts';
import { getInitializer, type Initializer } from '../initializers/index.ts';
import { getRegularizer, type Regularizer } from '../regularizers/index.ts';
import { type Head, Layer, type LayerArgs, type NodeCtx, type Param, type Planner } from './layer.ts';
import { checkBoolean, checkNumber, describe } from '../tensor.ts';

export interface ActivationFn {
  readonly name: string;
  /** y = f(x) over n values; rows of `cols` values (softmax normalises each row). */
  forward(k: Kernels, y: number, x: number, n: number, cols: number): void;
  /** dx += dy·f'(x); null when the gradient is zero (step). */
  backward: ((k: Kernels, dx: number, dy: number, x: number, y: number, n: number, cols: number) => void) | null;
}

const elementwise = (name: string, fwd: KernelNameOfArity<3>, bwd: KernelNameOfArity<5>): ActivationFn => ({
  name,
  forward: (k, y, x, n) => void k[fwd](y, x, n),
  backward: (k, dx, dy, x, y, n) => void k[bwd](dx, dy, x, y, n),
});
const withAlpha = (name: string, alpha: number, fwd: KernelNameOfArity<4>, bwd: KernelNameOfArity<6>): ActivationFn => ({
  name,
  forward: (k, y, x, n) => void k[fwd](y, x, n, alpha),
  backward: (k, dx, dy, x, y, n) => void k[bwd](dx, dy, x, y, n, alpha),
});

export const ACTIVATIONS = ['linear', 'relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh', 'softplus', 'softmax', 'step'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export function getActivation(name: string | undefined | null, alpha?: number, who = 'activation'): ActivationFn {
  if (name !== undefined && name !== null && typeof name !== 'string') {
    throw new TypeError(`${who}: activation must be a name (${ACTIVATIONS.join(', ')}), got ${describe(name)}`);
  }
  if (alpha !== undefined) {
    if (name !== 'leakyRelu' && name !== 'elu') throw new Error(`${who}: alpha applies to the leakyRelu and elu activations only, not '${name ?? 'linear'}'`);
    // Keras: a leaky ReLU's negative slope is >= 0; ELU's alpha any finite value.
    checkNumber(alpha, `${who}: alpha`, name === 'leakyRelu' ? { min: 0 } : {});
  }
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
    super(requireOptions(args, defaultName), defaultName);
    if (defaultName === 'activation' && args.activation === undefined) throw new Error(`${this.name}: activation is required, e.g. layers.activation({ activation: 'relu' })`);
    this.fn = getActivation(args.activation, args.alpha, this.name);
  }
  protected computeOutputShape(inShape: number[]): number[] {
    return inShape;
  }
  get cols(): number {
    return this.inShape[this.inShape.length - 1];
  }
  forward(c: NodeCtx, n: number): void {
    this.fn.forward(c.k, c.y, c.x, n * this.outSize, this.cols);
  }
  backward(c: NodeCtx, n: number): void {
    if (c.dx && this.fn.backward) this.fn.backward(c.k, c.dx, c.dy, c.x, c.y, n * this.outSize, this.cols);
  }
  head(c: NodeCtx): Head | null {
    if (this.fn.name !== 'softmax' && this.fn.name !== 'sigmoid') return null;
    return { activation: this.fn.name, z: c.x, dz: c.dx };
  }
  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: this.fn.name };
  }
}

export class ReLU extends Activation {
  readonly className = 'ReLU';
  constructor(args: LayerArgs = {}) {
    super({ ...requireOptions(args ?? {}, 're_lu'), activation: 'relu' }, 're_lu');
  }
}
export class LeakyReLU extends Activation {
  readonly className = 'LeakyReLU';
  readonly alpha: number;
  constructor(args: LayerArgs & { alpha?: number } = {}) {
    const a = requireOptions(args ?? {}, 'leaky_re_lu');
    super({ ...a, activation: 'leakyRelu', alpha: a.alpha ?? 0.3 }, 'leaky_re_lu');
    this.alpha = a.alpha ?? 0.3;
  }
  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}
export class Softmax extends Activation {
  readonly className = 'Softmax';
  constructor(args: LayerArgs = {}) {
    super({ ...requireOptions(args ?? {}, 'softmax'), activation: 'softmax' }, 'softmax');
  }
}

/** A size or step of a layer (units, filters, kernel size, strides…): a positive integer. */
export function positiveInt(v: unknown, what: string): number {
  return checkNumber(v, what, { min: 0, minExclusive: true, integer: true });
}

/** A layer's options object (required: a layer such as dense has no default for its size). */
export function requireOptions<T>(args: T, who: string): T {
  if (args === undefined || args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new TypeError(`${who}: expected an options object, got ${describe(args)}`);
  }
  return args;
}

/** An initializer or regularizer as TF.js serialises it: { className, config }. */
function serializable(v: Initializer | Regularizer | null | undefined): { className: string; config: Record<string, unknown> } | null {
  if (!v) return null;
  if ('getConfig' in v) return { className: v.className, config: v.getConfig() };
  return { className: v.className, config: { l1: v.l1, l2: v.l2 } };
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
  private readonly weightArgs: WeightedArgs;

  constructor(args: WeightedArgs, defaultName: string) {
    super(requireOptions(args, defaultName), defaultName);
    this.activation = getActivation(args.activation, undefined, this.name);
    this.useBias = checkBoolean(args.useBias ?? true, `${this.name}: useBias`);
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
  /** Pre-activation values z and their gradient dz: the same as y / dy for a linear activation. */
  bindExtra(c: NodeCtx, p: Planner, capacity: number): void {
    if (this.linear) {
      c.z = c.y;
      c.dz = c.dy;
    } else {
      c.z = this.fusedRelu ? c.y : p.value(capacity * this.outSize);
      c.dz = p.grad(capacity * this.outSize);
    }
  }
  protected activate(c: NodeCtx, n: number): void {
    if (!this.linear && !this.fusedRelu) this.activation.forward(c.k, c.y, c.z, n * this.outSize, this.outShape[this.outShape.length - 1]);
  }
  /**
   * dz += dy·f'(z). With a fused loss, dy stays zero and the loss writes dz itself, so this
   * adds nothing and needs no special case.
   */
  protected activationBackward(c: NodeCtx, n: number): void {
    if (this.linear || !this.activation.backward) return;
    this.activation.backward(c.k, c.dz, c.dy, c.z, c.y, n * this.outSize, this.outShape[this.outShape.length - 1]);
  }
  head(c: NodeCtx): Head | null {
    const a = this.activation.name;
    return a === 'softmax' || a === 'sigmoid' ? { activation: a, z: c.z, dz: c.dz } : null;
  }
  getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      activation: this.activation.name,
      useBias: this.useBias,
      kernelInitializer: serializable(this.kernel?.init),
      biasInitializer: serializable(this.bias?.init ?? this.initializers().bias),
      kernelRegularizer: serializable(this.kernel?.regularizer),
      biasRegularizer: serializable(this.bias?.regularizer ?? this.initializers().biasReg),
    };
  }
}
