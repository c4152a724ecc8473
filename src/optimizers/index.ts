/**
 * Optimizers (TF.js formulas and defaults). Each runs as ONE kernel call over the model's whole
 * contiguous parameter block; its state lives in `slots` mirror blocks of the same size.
 *
 * Every hyper-parameter is checked when the optimizer is made (type, range, finite in float32:
 * they reach f32 kernels) and cannot be changed afterwards, except `learningRate`, whose setter
 * checks it again (learning-rate schedules set it between epochs).
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
}

const positive = { min: 0, minExclusive: true } as const;
const unit = { min: 0, max: 1, maxExclusive: true } as const;

export interface SGDArgs {
  learningRate?: number;
  momentum?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly className = 'SGD';
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
  getConfig() {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
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
  constructor(args?: AdagradArgs) {
    const who = 'optimizers.adagrad';
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
}

export class RMSProp extends Optimizer {
  readonly className = 'RMSProp';
  readonly slots = 2;
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  constructor(args?: RMSPropArgs) {
    const who = 'optimizers.rmsprop';
    const a = checkOptions(args, who, ['learningRate', 'rho', 'decay', 'momentum', 'epsilon']);
    super(a.learningRate ?? 0.001, who);
    // TF.js calls rho `decay`; accept both (not two different values).
    if (a.rho !== undefined && a.decay !== undefined && a.rho !== a.decay) {
      throw new Error(`${who}: rho and decay are the same option (TF.js calls it decay); got rho ${describe(a.rho)} and decay ${describe(a.decay)}`);
    }
    this.rho = checkNumber(a.decay ?? a.rho ?? 0.9, `${who}: ${a.decay !== undefined ? 'decay' : 'rho'}`, unit);
    this.momentum = checkNumber(a.momentum ?? 0, `${who}: momentum`, unit);
    this.epsilon = checkNumber(a.epsilon ?? 1e-7, `${who}: epsilon`, positive);
    lock(this, ['rho', 'momentum', 'epsilon']);
  }
  step(k: Kernels, p: number, g: number, s: readonly number[], n: number): void {
    k.rmsprop_f32(p, s[0], s[1], g, n, this.learningRate, this.rho, this.momentum, this.epsilon);
  }
  getConfig() {
    return { ...super.getConfig(), rho: this.rho, momentum: this.momentum, epsilon: this.epsilon };
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
};

export function getOptimizer(o: string | Optimizer | undefined): Optimizer {
  if (o instanceof Optimizer) return o;
  // Own names only: 'toString' or 'constructor' must not reach Object.prototype.
  if (hasOwnName(optimizers, o)) return optimizers[o as keyof typeof optimizers]();
  throw new Error(`compile: unknown optimizer ${describe(o)}; expected one of ${Object.keys(optimizers).join(', ')} or an optimizers.*() object`);
}
