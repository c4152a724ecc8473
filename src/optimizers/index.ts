/**
 * Optimizers (TF.js formulas and defaults). Each runs as ONE kernel call over the model's whole
 * contiguous parameter block; its state lives in `slots` mirror blocks of the same size.
 *
 * Every hyper-parameter is checked when the optimizer is made (type, range, finite in float32:
 * they reach f32 kernels) and cannot be changed afterwards, except `learningRate`, whose setter
 * checks it again (learning-rate schedules set it between epochs).
 *
 * Two front doors make the same objects: `optimizers.*({ ...options })` (Keras-style options
 * objects) and `train.*(...)` (TF.js's `tf.train` positional signatures and defaults).
 */
import type { Kernels } from '../wasm/abi.ts';
import { checkBoolean, checkNumber, checkOptions, describe, hasOwnName } from '../tensor.ts';

/** Make these own properties read-only: a stray `opt.beta1 = NaN` throws instead of poisoning the next step. */
function lock(o: object, keys: readonly string[]): void {
  for (const k of keys) Object.defineProperty(o, k, { writable: false, configurable: false });
}

export abstract class Optimizer {
  abstract readonly className: string;
  /** How many parameter-sized state blocks the optimizer keeps. */
  abstract readonly slots: number;
  private lr = 0;
  private iters = 0;
  protected readonly who: string;
  constructor(learningRate: number, who: string) {
    this.who = who;
    this.learningRate = learningRate;
  }
  get learningRate(): number {
    return this.lr;
  }
  set learningRate(v: number) {
    this.lr = checkNumber(v, `${this.who}: learningRate`, { min: 0, minExclusive: true });
  }
  /** Steps taken (Adam's bias correction uses it). */
  get iterations(): number {
    return this.iters;
  }
  set iterations(v: number) {
    this.iters = checkNumber(v, `${this.who}: iterations`, { min: 0, integer: true });
  }
  /** Initial value of each state block. */
  slotInit(_slot: number): number {
    return 0;
  }
  /** One update: p, g are byte addresses of the blocks, s the state blocks, n the float count. */
  abstract step(k: Kernels, p: number, g: number, s: readonly number[], n: number): void;
  getConfig(): Record<string, unknown> {
    return { learningRate: this.learningRate };
  }
  /** TF.js's Serializable name. */
  getClassName(): string {
    return this.className;
  }
  /**
   * TF.js code calls this when done with an optimizer. Its state lives in the models compiled
   * with it (their arena blocks, freed by `model.dispose()`), so there is nothing to free here.
   */
  dispose(): void {}
}

const positive = { min: 0, minExclusive: true } as const;
const unit = { min: 0, max: 1, maxExclusive: true } as const;

export interface SGDArgs {
  learningRate?: number;
  momentum?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly className: string = 'SGD';
  readonly slots: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  constructor(args?: SGDArgs, who = 'optimizers.sgd') {
    const a = checkOptions(args, who, ['learningRate', 'momentum', 'nesterov']);
    super(a.learningRate ?? 0.01, who);
    this.momentum = checkNumber(a.momentum ?? 0, `${who}: momentum`, unit);
    this.nesterov = checkBoolean(a.nesterov ?? false, `${who}: nesterov`);
    if (this.nesterov && this.momentum === 0) throw new Error(`${who}: nesterov needs a momentum > 0`);
    this.slots = this.momentum > 0 ? 1 : 0;
    lock(this, ['slots', 'momentum', 'nesterov']);
  }
  step(k: Kernels, p: number, g: number, s: readonly number[], n: number): void {
    if (this.momentum > 0) k.momentum_f32(p, s[0], g, n, this.learningRate, this.momentum, this.nesterov ? 1 : 0);
    else k.sgd_f32(p, g, n, this.learningRate);
  }
  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
  /** TF.js's SGDOptimizer method (checked like the property). */
  setLearningRate(learningRate: number): void {
    this.learningRate = learningRate;
  }
}

/** TF.js's MomentumOptimizer (`train.momentum`): SGD with momentum, under TF.js's name and config keys. */
export class Momentum extends SGD {
  readonly className = 'Momentum';
  readonly useNesterov: boolean;
  constructor(args: { learningRate: number; momentum: number; useNesterov: boolean }, who: string) {
    const useNesterov = checkBoolean(args.useNesterov, `${who}: useNesterov`);
    // Nesterov with momentum 0 is plain SGD (TF.js accepts it), so it is not an error here.
    super({ learningRate: args.learningRate, momentum: args.momentum, nesterov: useNesterov && args.momentum !== 0 }, who);
    this.useNesterov = useNesterov;
    lock(this, ['useNesterov']);
  }
  getConfig(): Record<string, unknown> {
    return { learningRate: this.learningRate, momentum: this.momentum, useNesterov: this.useNesterov };
  }
}

export interface AdagradArgs {
  learningRate?: number;
  initialAccumulatorValue?: number;
  epsilon?: number;
}

export class Adagrad extends Optimizer {
  readonly className = 'Adagrad';
  readonly slots = 1;
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  constructor(args?: AdagradArgs, who = 'optimizers.adagrad') {
    const a = checkOptions(args, who, ['learningRate', 'initialAccumulatorValue', 'epsilon']);
    super(a.learningRate ?? 0.01, who);
    this.initialAccumulatorValue = checkNumber(a.initialAccumulatorValue ?? 0.1, `${who}: initialAccumulatorValue`, { min: 0 });
    this.epsilon = checkNumber(a.epsilon ?? 1e-7, `${who}: epsilon`, positive);
    lock(this, ['initialAccumulatorValue', 'epsilon']);
  }
  slotInit(): number {
    return this.initialAccumulatorValue;
  }
  step(k: Kernels, p: number, g: number, s: readonly number[], n: number): void {
    k.adagrad_f32(p, s[0], g, n, this.learningRate, this.epsilon);
  }
  getConfig() {
    return { ...super.getConfig(), initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}

export interface RMSPropArgs {
  learningRate?: number;
  rho?: number;
  /** TF.js's name for rho. */
  decay?: number;
  momentum?: number;
  epsilon?: number;
  /**
   * Normalise by the estimated variance of the gradient (ms − mg²) rather than its mean square.
   * Default false. TensorFlow's formula: TF.js 4.x subtracts epsilon under the root, which is NaN
   * for small gradients; here it is added (see assembly/optim.ts rmsprop_centered_f32).
   */
  centered?: boolean;
}

export class RMSProp extends Optimizer {
  readonly className = 'RMSProp';
  readonly slots: number;
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  constructor(args?: RMSPropArgs, who = 'optimizers.rmsprop') {
    const a = checkOptions(args, who, ['learningRate', 'rho', 'decay', 'momentum', 'epsilon', 'centered']);
    super(a.learningRate ?? 0.001, who);
    // TF.js calls rho `decay`; accept both (not two different values).
    if (a.rho !== undefined && a.decay !== undefined && a.rho !== a.decay) {
      throw new Error(`${who}: rho and decay are the same option (TF.js calls it decay); got rho ${describe(a.rho)} and decay ${describe(a.decay)}`);
    }
    this.rho = checkNumber(a.decay ?? a.rho ?? 0.9, `${who}: ${a.decay !== undefined ? 'decay' : 'rho'}`, unit);
    this.momentum = checkNumber(a.momentum ?? 0, `${who}: momentum`, unit);
    this.epsilon = checkNumber(a.epsilon ?? 1e-7, `${who}: epsilon`, positive);
    this.centered = checkBoolean(a.centered ?? false, `${who}: centered`);
    this.slots = this.centered ? 3 : 2;
    lock(this, ['rho', 'momentum', 'epsilon', 'centered', 'slots']);
  }
  step(k: Kernels, p: number, g: number, s: readonly number[], n: number): void {
    if (this.centered) k.rmsprop_centered_f32(p, s[0], s[2], s[1], g, n, this.learningRate, this.rho, this.momentum, this.epsilon);
    else k.rmsprop_f32(p, s[0], s[1], g, n, this.learningRate, this.rho, this.momentum, this.epsilon);
  }
  getConfig() {
    return { ...super.getConfig(), rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}

export interface AdamArgs {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  weightDecay?: number;
}

export class Adam extends Optimizer {
  readonly className: string = 'Adam';
  readonly slots = 2;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  constructor(args?: AdamArgs, who = 'optimizers.adam', defaultDecay = 0) {
    const a = checkOptions(args, who, ['learningRate', 'beta1', 'beta2', 'epsilon', 'weightDecay']);
    super(a.learningRate ?? 0.001, who);
    this.beta1 = checkNumber(a.beta1 ?? 0.9, `${who}: beta1`, unit);
    this.beta2 = checkNumber(a.beta2 ?? 0.999, `${who}: beta2`, unit);
    this.epsilon = checkNumber(a.epsilon ?? 1e-7, `${who}: epsilon`, positive);
    this.weightDecay = checkNumber(a.weightDecay ?? defaultDecay, `${who}: weightDecay`, { min: 0 });
    lock(this, ['beta1', 'beta2', 'epsilon', 'weightDecay']);
  }
  step(k: Kernels, p: number, g: number, s: readonly number[], n: number): void {
    const t = this.iterations + 1;
    const bc1 = 1 - this.beta1 ** t;
    const bc2 = 1 - this.beta2 ** t;
    k.adam_f32(p, s[0], s[1], g, n, this.learningRate, this.beta1, this.beta2, this.epsilon, bc1, bc2, this.weightDecay);
  }
  getConfig() {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, weightDecay: this.weightDecay };
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter); Keras's default decay 0.004. */
export class AdamW extends Adam {
  readonly className = 'AdamW';
  constructor(args?: AdamArgs) {
    super(args, 'optimizers.adamw', 0.004);
  }
}

export interface AdamaxArgs {
  /** Default 0.002 (TF.js). */
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** TF.js's learning-rate decay: step t uses lr / (1 + decay·(t − 1)). Default 0. */
  decay?: number;
}

/** Adamax (TF.js AdamaxOptimizer): Adam with the infinity norm in place of the second moment. */
export class Adamax extends Optimizer {
  readonly className = 'Adamax';
  readonly slots = 2;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly decay: number;
  constructor(args?: AdamaxArgs, who = 'optimizers.adamax') {
    const a = checkOptions(args, who, ['learningRate', 'beta1', 'beta2', 'epsilon', 'decay']);
    super(a.learningRate ?? 0.002, who);
    this.beta1 = checkNumber(a.beta1 ?? 0.9, `${who}: beta1`, unit);
    this.beta2 = checkNumber(a.beta2 ?? 0.999, `${who}: beta2`, unit);
    this.epsilon = checkNumber(a.epsilon ?? 1e-7, `${who}: epsilon`, positive);
    this.decay = checkNumber(a.decay ?? 0, `${who}: decay`, { min: 0 });
    lock(this, ['beta1', 'beta2', 'epsilon', 'decay']);
  }
  step(k: Kernels, p: number, g: number, s: readonly number[], n: number): void {
    const t = this.iterations + 1;
    const lrt = this.learningRate / ((1 + this.decay * (t - 1)) * (1 - this.beta1 ** t));
    k.adamax_f32(p, s[0], s[1], g, n, lrt, this.beta1, this.beta2, this.epsilon);
  }
  getConfig() {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, decay: this.decay };
  }
}

export interface AdadeltaArgs {
  /** Default 1, the rate TF.js's compile gives the string 'adadelta' (tf.train.adadelta's default is 0.001). */
  learningRate?: number;
  /** Decay of both running averages. Default 0.95. */
  rho?: number;
  epsilon?: number;
}

/**
 * Adadelta (TF.js AdadeltaOptimizer), including TF.js's order: a step's update is scaled by the
 * squared-gradient average of the previous step (see assembly/optim.ts adadelta_f32).
 */
export class Adadelta extends Optimizer {
  readonly className = 'Adadelta';
  readonly slots = 2;
  readonly rho: number;
  readonly epsilon: number;
  constructor(args?: AdadeltaArgs, who = 'optimizers.adadelta') {
    const a = checkOptions(args, who, ['learningRate', 'rho', 'epsilon']);
    super(a.learningRate ?? 1, who);
    this.rho = checkNumber(a.rho ?? 0.95, `${who}: rho`, unit);
    this.epsilon = checkNumber(a.epsilon ?? 1e-7, `${who}: epsilon`, positive);
    lock(this, ['rho', 'epsilon']);
  }
  step(k: Kernels, p: number, g: number, s: readonly number[], n: number): void {
    k.adadelta_f32(p, s[0], s[1], g, n, this.learningRate, this.rho, this.epsilon);
  }
  getConfig() {
    return { ...super.getConfig(), rho: this.rho, epsilon: this.epsilon };
  }
}

export interface MomentumArgs {
  learningRate?: number;
  /** Default 0.9. */
  momentum?: number;
  useNesterov?: boolean;
  nesterov?: boolean;
}

export const optimizers = {
  sgd: (args?: SGDArgs) => new SGD(args),
  momentum: (args?: MomentumArgs) => {
    const who = 'optimizers.momentum';
    const a = checkOptions(args, who, ['learningRate', 'momentum', 'useNesterov', 'nesterov']);
    if (a.useNesterov !== undefined && a.nesterov !== undefined && a.useNesterov !== a.nesterov) {
      throw new Error(`${who}: useNesterov and nesterov are the same option; got ${describe(a.useNesterov)} and ${describe(a.nesterov)}`);
    }
    return new SGD({ learningRate: a.learningRate, momentum: a.momentum ?? 0.9, nesterov: a.nesterov ?? a.useNesterov }, who);
  },
  adagrad: (args?: AdagradArgs) => new Adagrad(args),
  rmsprop: (args?: RMSPropArgs) => new RMSProp(args),
  adam: (args?: AdamArgs) => new Adam(args),
  adamw: (args?: AdamArgs) => new AdamW(args),
  adamax: (args?: AdamaxArgs) => new Adamax(args),
  adadelta: (args?: AdadeltaArgs) => new Adadelta(args),
};

/** TF.js's compile also takes its optimizers' class names. */
const CLASS_NAMES: Record<string, keyof typeof optimizers> = {
  SGD: 'sgd',
  Adagrad: 'adagrad',
  Adadelta: 'adadelta',
  Adam: 'adam',
  Adamax: 'adamax',
  RMSProp: 'rmsprop',
};

/** Positional arguments beyond `names` are an error: TF.js would ignore them silently. */
function arity(who: string, got: number, names: readonly string[]): void {
  if (got > names.length) {
    throw new TypeError(`${who}: takes at most ${names.length} argument${names.length === 1 ? '' : 's'} (${names.join(', ')}), got ${got}`);
  }
}
/** TF.js passes `epsilon = null` for "the backend's epsilon", which is 1e-7 for float32. */
const epsilonOrDefault = (e: number | null | undefined) => (e === null || e === undefined ? undefined : e);
/** A required positional number: `undefined` is named as missing rather than as a bad value. */
function required(v: unknown, who: string, name: string): number {
  if (v === undefined) throw new TypeError(`${who}: ${name} is required (TF.js has no default for it)`);
  return v as number;
}

/**
 * `tf.train`: TF.js's optimizer constructors, same positional signatures and defaults, returning
 * simdnet optimizers for `model.compile({ optimizer })`. Every argument is honoured or rejected:
 * extra arguments and out-of-range values are errors naming the argument.
 */
export const train = {
  sgd(learningRate: number): SGD {
    arity('train.sgd', arguments.length, ['learningRate']);
    return new SGD({ learningRate: required(learningRate, 'train.sgd', 'learningRate') }, 'train.sgd');
  },
  momentum(learningRate: number, momentum: number, useNesterov = false): Momentum {
    const who = 'train.momentum';
    arity(who, arguments.length, ['learningRate', 'momentum', 'useNesterov']);
    return new Momentum({ learningRate: required(learningRate, who, 'learningRate'), momentum: required(momentum, who, 'momentum'), useNesterov }, who);
  },
  adagrad(learningRate: number, initialAccumulatorValue = 0.1): Adagrad {
    const who = 'train.adagrad';
    arity(who, arguments.length, ['learningRate', 'initialAccumulatorValue']);
    return new Adagrad({ learningRate: required(learningRate, who, 'learningRate'), initialAccumulatorValue }, who);
  },
  rmsprop(learningRate: number, decay = 0.9, momentum = 0, epsilon: number | null = null, centered = false): RMSProp {
    const who = 'train.rmsprop';
    arity(who, arguments.length, ['learningRate', 'decay', 'momentum', 'epsilon', 'centered']);
    return new RMSProp({ learningRate: required(learningRate, who, 'learningRate'), decay, momentum, epsilon: epsilonOrDefault(epsilon), centered }, who);
  },
  adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null): Adam {
    const who = 'train.adam';
    arity(who, arguments.length, ['learningRate', 'beta1', 'beta2', 'epsilon']);
    return new Adam({ learningRate, beta1, beta2, epsilon: epsilonOrDefault(epsilon) }, who);
  },
  adamax(learningRate = 0.002, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null, decay = 0): Adamax {
    const who = 'train.adamax';
    arity(who, arguments.length, ['learningRate', 'beta1', 'beta2', 'epsilon', 'decay']);
    return new Adamax({ learningRate, beta1, beta2, epsilon: epsilonOrDefault(epsilon), decay }, who);
  },
  adadelta(learningRate = 0.001, rho = 0.95, epsilon: number | null = null): Adadelta {
    const who = 'train.adadelta';
    arity(who, arguments.length, ['learningRate', 'rho', 'epsilon']);
    return new Adadelta({ learningRate, rho, epsilon: epsilonOrDefault(epsilon) }, who);
  },
};

export function getOptimizer(o: string | Optimizer | undefined): Optimizer {
  if (o instanceof Optimizer) return o;
  // Own names only: 'toString' or 'constructor' must not reach Object.prototype.
  if (hasOwnName(optimizers, o)) return optimizers[o as keyof typeof optimizers]();
  if (hasOwnName(CLASS_NAMES, o)) return optimizers[CLASS_NAMES[o]]();
  throw new Error(`compile: unknown optimizer ${describe(o)}; expected one of ${Object.keys(optimizers).join(', ')} (or ${Object.keys(CLASS_NAMES).join(', ')}), an optimizers.*() or a train.*() object`);
}
