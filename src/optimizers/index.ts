/**
 * Optimizers (TF.js formulas and defaults). Each runs as ONE kernel call over the model's whole
 * contiguous parameter block; its state lives in `slots` mirror blocks of the same size.
 */
import type { Kernels } from '../wasm/abi.ts';

export abstract class Optimizer {
  abstract readonly className: string;
  /** How many parameter-sized state blocks the optimizer keeps. */
  abstract readonly slots: number;
  /** Steps taken (Adam's bias correction uses it). */
  iterations = 0;
  learningRate: number;
  constructor(learningRate: number, who: string) {
    this.learningRate = positive(learningRate, `${who}: learningRate`);
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

function positive(v: number, what: string): number {
  if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new Error(`${what}: expected a positive number, got ${v}`);
  return v;
}
function inRange(v: number, what: string, lo = 0, hi = 1): number {
  if (!(typeof v === 'number' && v >= lo && v < hi)) throw new Error(`${what}: expected a number in [${lo}, ${hi}), got ${v}`);
  return v;
}

export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly slots: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  constructor({ learningRate = 0.01, momentum = 0, nesterov = false }: { learningRate?: number; momentum?: number; nesterov?: boolean } = {}) {
    super(learningRate, 'optimizers.sgd');
    this.momentum = inRange(momentum, 'optimizers.sgd: momentum');
    this.nesterov = nesterov;
    if (nesterov && momentum === 0) throw new Error('optimizers.sgd: nesterov needs a momentum > 0');
    this.slots = momentum > 0 ? 1 : 0;
  }
  step(k: Kernels, p: number, g: number, s: readonly number[], n: number): void {
    if (this.momentum > 0) k.momentum_f32(p, s[0], g, n, this.learningRate, this.momentum, this.nesterov ? 1 : 0);
    else k.sgd_f32(p, g, n, this.learningRate);
  }
  getConfig() {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}

export class Adagrad extends Optimizer {
  readonly className = 'Adagrad';
  readonly slots = 1;
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  constructor({ learningRate = 0.01, initialAccumulatorValue = 0.1, epsilon = 1e-7 }: { learningRate?: number; initialAccumulatorValue?: number; epsilon?: number } = {}) {
    super(learningRate, 'optimizers.adagrad');
    this.initialAccumulatorValue = initialAccumulatorValue;
    this.epsilon = positive(epsilon, 'optimizers.adagrad: epsilon');
  }
  slotInit(): number {
    return this.initialAccumulatorValue;
  }
  step(k: Kernels, p: number, g: number, s: readonly number[], n: number): void {
    k.adagrad_f32(p, s[0], g, n, this.learningRate, this.epsilon);
  }
}

export class RMSProp extends Optimizer {
  readonly className = 'RMSProp';
  readonly slots = 2;
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  constructor({ learningRate = 0.001, rho = 0.9, decay, momentum = 0, epsilon = 1e-7 }: { learningRate?: number; rho?: number; decay?: number; momentum?: number; epsilon?: number } = {}) {
    super(learningRate, 'optimizers.rmsprop');
    // TF.js calls rho `decay`; accept both.
    this.rho = inRange(decay ?? rho, 'optimizers.rmsprop: rho');
    this.momentum = inRange(momentum, 'optimizers.rmsprop: momentum');
    this.epsilon = positive(epsilon, 'optimizers.rmsprop: epsilon');
  }
  step(k: Kernels, p: number, g: number, s: readonly number[], n: number): void {
    k.rmsprop_f32(p, s[0], s[1], g, n, this.learningRate, this.rho, this.momentum, this.epsilon);
  }
  getConfig() {
    return { ...super.getConfig(), rho: this.rho, momentum: this.momentum, epsilon: this.epsilon };
  }
}

export class Adam extends Optimizer {
  readonly className: string = 'Adam';
  readonly slots = 2;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  constructor(
    { learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7, weightDecay = 0 }: { learningRate?: number; beta1?: number; beta2?: number; epsilon?: number; weightDecay?: number } = {},
    who = 'optimizers.adam',
  ) {
    super(learningRate, who);
    this.beta1 = inRange(beta1, `${who}: beta1`);
    this.beta2 = inRange(beta2, `${who}: beta2`);
    this.epsilon = positive(epsilon, `${who}: epsilon`);
    if (!(weightDecay >= 0 && Number.isFinite(weightDecay))) throw new Error(`${who}: weightDecay must be >= 0, got ${weightDecay}`);
    this.weightDecay = weightDecay;
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
  constructor(args: { learningRate?: number; beta1?: number; beta2?: number; epsilon?: number; weightDecay?: number } = {}) {
    super({ ...args, weightDecay: args.weightDecay ?? 0.004 }, 'optimizers.adamw');
  }
}

export const optimizers = {
  sgd: (args?: ConstructorParameters<typeof SGD>[0]) => new SGD(args),
  momentum: (args: { learningRate?: number; momentum: number; useNesterov?: boolean; nesterov?: boolean }) =>
    new SGD({ learningRate: args.learningRate, momentum: args.momentum ?? 0.9, nesterov: args.nesterov ?? args.useNesterov }),
  adagrad: (args?: ConstructorParameters<typeof Adagrad>[0]) => new Adagrad(args),
  rmsprop: (args?: ConstructorParameters<typeof RMSProp>[0]) => new RMSProp(args),
  adam: (args?: ConstructorParameters<typeof Adam>[0]) => new Adam(args),
  adamw: (args?: ConstructorParameters<typeof AdamW>[0]) => new AdamW(args),
};

export function getOptimizer(o: string | Optimizer | undefined): Optimizer {
  if (o instanceof Optimizer) return o;
  if (typeof o === 'string') {
    const f = (optimizers as Record<string, unknown>)[o];
    if (typeof f === 'function' && o !== 'momentum') return (f as () => Optimizer)();
    if (o === 'momentum') return optimizers.momentum({ momentum: 0.9 });
  }
  throw new Error(`compile: unknown optimizer ${JSON.stringify(o)}; expected one of ${Object.keys(optimizers).join(', ')} or an optimizers.*() object`);
}
