/**
 * Activation functions (the kernels of assembly/activation.ts) and the layers that apply them
 * on their own, with TF.js's options and configs: activation, reLU ({ maxValue }), leakyReLU
 * ({ alpha }), elu ({ alpha }), softmax ({ axis }).
 */
import type { KernelNameOfArity, Kernels } from '../wasm/abi.ts';
import { getInitializer, type Initializer } from '../initializers/index.ts';
import { getRegularizer, type Regularizer } from '../regularizers/index.ts';
import { type Head, Layer, type LayerArgs, type NodeCtx, type Param, type Planner } from './layer.ts';
import { checkBoolean, checkNumber, describe, shapeSize } from '../tensor.ts';

export interface ActivationFn {
  readonly name: string;
  /** The parameter of leakyRelu and elu. */
  readonly alpha?: number;
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
  alpha,
  forward: (k, y, x, n) => void k[fwd](y, x, n, alpha),
  backward: (k, dx, dy, x, y, n) => void k[bwd](dx, dy, x, y, n, alpha),
});
/** relu clipped at maxValue (TF.js's ReLU layer with maxValue; relu6 is maxValue 6). */
const reluMax = (name: string, maxValue: number): ActivationFn => ({
  name,
  forward: (k, y, x, n) => void k.relu_max_forward_f32(y, x, n, maxValue),
  backward: (k, dx, dy, x, y, n) => void k.relu_max_backward_f32(dx, dy, x, y, n, maxValue),
});

export const ACTIVATIONS = ['linear', 'relu', 'relu6', 'leakyRelu', 'elu', 'sigmoid', 'tanh', 'softplus', 'softmax', 'step'] as const;
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
    case 'relu6':
      return reluMax('relu6', 6);
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

/** A layer that applies one activation function to its input, elementwise or along an axis. */
abstract class ActivationLayerBase extends Layer {
  abstract readonly fn: ActivationFn;
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
}

/** Applies an activation to its input (TF.js `layers.activation`). */
export class Activation extends ActivationLayerBase {
  readonly className: string = 'Activation';
  readonly fn: ActivationFn;
  private readonly alphaGiven: boolean;
  constructor(args: LayerArgs & { activation?: string; alpha?: number }) {
    super(requireOptions(args, 'activation'), 'activation');
    if (args.activation === undefined) throw new Error(`${this.name}: activation is required, e.g. layers.activation({ activation: 'relu' })`);
    this.fn = getActivation(args.activation, args.alpha, this.name);
    this.alphaGiven = args.alpha !== undefined;
  }
  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), activation: this.fn.name, ...(this.alphaGiven ? { alpha: this.fn.alpha } : {}) };
  }
}

/** TF.js `layers.reLU`: max(x, 0), clipped at `maxValue` when one is given. */
export class ReLU extends ActivationLayerBase {
  readonly className = 'ReLU';
  readonly fn: ActivationFn;
  readonly maxValue: number | null;
  constructor(args: LayerArgs & { maxValue?: number | null } = {}) {
    const a = requireOptions(args ?? {}, 're_lu');
    super(a, 're_lu');
    // TF.js clips with clipByValue(0, maxValue), which requires maxValue >= 0.
    this.maxValue = a.maxValue === undefined || a.maxValue === null ? null : checkNumber(a.maxValue, `${this.name}: maxValue`, { min: 0 });
    this.fn = this.maxValue === null ? getActivation('relu') : reluMax('relu', this.maxValue);
  }
  getConfig(): Record<string, unknown> {
    return { maxValue: this.maxValue, ...super.getConfig() };
  }
}

/** A layer of one activation with a parameter alpha (leakyReLU, elu): its config is that alpha. */
abstract class AlphaActivationLayer extends ActivationLayerBase {
  readonly fn: ActivationFn;
  readonly alpha: number;
  /** `prefix`: the default-name prefix; `alpha` is `defaultAlpha` unless args give one. */
  constructor(args: LayerArgs & { alpha?: number }, prefix: string, activation: 'leakyRelu' | 'elu', defaultAlpha: number) {
    const a = requireOptions(args ?? {}, prefix);
    super(a, prefix);
    this.fn = getActivation(activation, a.alpha ?? defaultAlpha, this.name);
    this.alpha = this.fn.alpha!;
  }
  getConfig(): Record<string, unknown> {
    return { alpha: this.alpha, ...super.getConfig() };
  }
}

/** TF.js `layers.leakyReLU`: x for x > 0, alpha·x otherwise (alpha 0.3 by default). */
export class LeakyReLU extends AlphaActivationLayer {
  readonly className = 'LeakyReLU';
  constructor(args: LayerArgs & { alpha?: number } = {}) {
    super(args, 'leaky_re_lu', 'leakyRelu', 0.3);
  }
}

/**
 * TF.js `layers.elu`: x for x > 0, alpha·(e^x − 1) otherwise. TF.js accepts only alpha 1 here;
 * simdnet computes any alpha (its kernel takes one).
 */
export class ELU extends AlphaActivationLayer {
  readonly className = 'ELU';
  constructor(args: LayerArgs & { alpha?: number } = {}) {
    super(args, 'elu', 'elu', 1);
  }
}

/**
 * TF.js `layers.softmax`: softmax along `axis` of the input including the batch dimension.
 * TF.js's default axis is 1 (not −1): for a [batch, classes] input the same thing, for
 * [batch, steps, classes] a softmax over the steps. A list of axes normalises over all of them
 * together (they must be adjacent here: simdnet computes it without a transpose, as a softmax
 * over one run of the layout with a stride).
 */
export class Softmax extends ActivationLayerBase {
  readonly className = 'Softmax';
  readonly axis: number | number[];
  /** The layout the axis gives, per sample: [outer, n, inner] (set at build). */
  private span: [number, number, number] = [1, 1, 1];
  readonly fn: ActivationFn = {
    name: 'softmax',
    forward: (k, y, x, total) => {
      const [outer, n, inner] = this.span;
      if (inner === 1) k.softmax_forward_f32(y, x, total / n, n);
      else k.softmax_axis_forward_f32(y, x, (total / (outer * n * inner)) * outer, n, inner);
    },
    backward: (k, dx, dy, _x, y, total) => {
      const [outer, n, inner] = this.span;
      if (inner === 1) k.softmax_backward_f32(dx, dy, y, total / n, n);
      else k.softmax_axis_backward_f32(dx, dy, y, (total / (outer * n * inner)) * outer, n, inner);
    },
  };

  constructor(args: LayerArgs & { axis?: number | number[] } = {}) {
    const a = requireOptions(args ?? {}, 'softmax');
    super(a, 'softmax');
    const axis = a.axis ?? 1;
    const list = Array.isArray(axis) ? axis : [axis];
    if (list.length === 0 || !list.every((v) => Number.isInteger(v))) throw new TypeError(`${this.name}: axis: expected an integer or a non-empty list of integers, got ${describe(axis)}`);
    this.axis = Array.isArray(axis) ? [...axis] : axis;
  }

  protected computeOutputShape(inShape: number[]): number[] {
    const rank = inShape.length + 1;
    const axes = (Array.isArray(this.axis) ? this.axis : [this.axis]).map((v) => {
      const a = v < 0 ? v + rank : v;
      if (!(a >= 0 && a < rank)) throw new Error(`${this.name}: axis ${v} is outside an input of rank ${rank} ([null, ${inShape.join(', ')}])`);
      if (a === 0) throw new Error(`${this.name}: axis ${v} is the batch axis; simdnet normalises within each sample (axes 1 to ${rank - 1})`);
      return a - 1;
    });
    const sorted = [...new Set(axes)].sort((p, q) => p - q);
    if (sorted.length !== axes.length) throw new Error(`${this.name}: axis ${describe(this.axis)} names an axis twice`);
    if (sorted[sorted.length - 1] - sorted[0] !== sorted.length - 1) {
      throw new Error(`${this.name}: axes ${describe(this.axis)} are not adjacent; simdnet computes a softmax over adjacent axes only`);
    }
    const first = sorted[0];
    const last = sorted[sorted.length - 1];
    this.span = [shapeSize(inShape.slice(0, first)), shapeSize(inShape.slice(first, last + 1)), shapeSize(inShape.slice(last + 1))];
    return inShape;
  }

  /** A fused loss may take over only a softmax over the last axis. */
  head(c: NodeCtx): Head | null {
    return this.span[2] === 1 ? { activation: 'softmax', z: c.x, dz: c.dx } : null;
  }
  getConfig(): Record<string, unknown> {
    return { axis: Array.isArray(this.axis) ? [...this.axis] : this.axis, ...super.getConfig() };
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
