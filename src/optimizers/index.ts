/**
 * Optimizers (TF.js formulas and defaults). Each runs as ONE kernel call over the model's whole
 * contiguous parameter block; its state lives in `slots` mirror blocks of the same size.
 *
 * Every hyper-parameter is checked when the optimizer is made (type, range, finite in float32:
 * they reach f32 kernels) and cannot be changed afterwards, except `learningRate`, whose setter
 * checks it again (callbacks such as reduceLROnPlateau set it between epochs).
 *
 * `learningRate` may also be a schedule (`optimizers.schedules.*`, Keras's formulas) or a plain
 * function `step → rate`: it is evaluated on the host once per step, at the optimizer's
 * iteration count (0 at the first step), and the number reaches the kernel.
 *
 * Gradient clipping (Keras's options, at most one of them): `clipnorm` rescales each weight
 * tensor's gradient to an L2 norm of at most clipnorm, `globalClipnorm` rescales all the
 * gradients together so their joint norm is at most globalClipnorm (NaN everywhere when that
 * norm is not finite, as tf.clip_by_global_norm), `clipvalue` clamps each gradient entry to
 * [−clipvalue, clipvalue]. It runs in wasm over the gradient block before the update
 * (`sum_squares_f32` per tensor or layer block, then `scale_f32`; `clip_f32` for clipvalue).
 *
 * Two front doors make the same objects: `optimizers.*({ ...options })` (Keras-style options
 * objects) and `train.*(...)` (TF.js's `tf.train` positional signatures and defaults).
 */
import type { Kernels } from '../wasm/abi.ts';
import { checkBoolean, checkNumber, checkOptions, describe, hasOwnName } from '../tensor.ts';
import { LearningRateSchedule, type LearningRate, schedules } from './schedules.ts';

export { LearningRateSchedule, schedules };
export type { LearningRate };

/** Make these own properties read-only: a stray `opt.beta1 = NaN` throws instead of poisoning the next step. */
function lock(o: object, keys: readonly string[]): void {
  for (const k of keys) Object.defineProperty(o, k, { writable: false, configurable: false });
}

/** Keras's clipping options, accepted by every optimizer factory. */
export interface ClipArgs {
  /** Rescale each weight tensor's gradient to an L2 norm of at most this. */
  clipnorm?: number;
  /** Clamp each gradient entry to [−clipvalue, clipvalue]. */
  clipvalue?: number;
  /** Rescale all gradients together to a joint L2 norm of at most this. */
  globalClipnorm?: number;
}
const CLIP_KEYS = ['clipnorm', 'clipvalue', 'globalClipnorm'] as const;

/** What the clipping pass needs of a model's trainable blocks (params.ts's segments). */
export interface GradSegment {
  /** The weight tensors of the segment, offsets (floats) relative to its start. */
  layer: { readonly params: readonly { readonly offset: number; readonly size: number }[] };
  /** Byte address of the segment's gradients (a run of a layer's trainable weights) and its float count. */
  grad: number;
  floats: number;
}

export abstract class Optimizer {
  abstract readonly className: string;
  /** How many parameter-sized state blocks the optimizer keeps. */
  abstract readonly slots: number;
  private lr = 0;
  private iters = 0;
  /** A schedule (or plain function) of the step, or null for a fixed rate. */
  private schedule: LearningRateSchedule | ((step: number) => number) | null = null;
  /** The scheduled rate, computed once per iteration (every layer block of a step reads it). */
  private lrAt = -1;
  readonly clipnorm: number | null = null;
  readonly clipvalue: number | null = null;
  readonly globalClipnorm: number | null = null;
  /** Byte address and float count of each gradient tensor, for the segments they were built from. */
  private clipFor: readonly GradSegment[] | null = null;
  private clipList: number[] = [];
  protected readonly who: string;
  constructor(learningRate: LearningRate, who: string, clip: ClipArgs = {}) {
    this.who = who;
    if (learningRate instanceof LearningRateSchedule || typeof learningRate === 'function') this.schedule = learningRate;
    else this.learningRate = learningRate;
    const set = CLIP_KEYS.filter((k) => clip[k] !== undefined && clip[k] !== null);
    if (set.length > 1) throw new Error(`${who}: only one of clipnorm, clipvalue and globalClipnorm can be set (Keras), got ${set.map((k) => `${k} ${describe(clip[k])}`).join(' and ')}`);
    for (const k of set) (this as unknown as Record<string, unknown>)[k] = checkNumber(clip[k], `${who}: ${k}`, { min: 0, minExclusive: true });
    lock(this, CLIP_KEYS);
  }
  /** The rate of the next step (a schedule's value at the current iteration count). */
  get learningRate(): number {
    const s = this.schedule;
    if (s && this.lrAt !== this.iters) {
      const step = this.iters;
      const v = s instanceof LearningRateSchedule ? s.call(step) : s(step);
      if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v) || Math.abs(v) > 3.4028234663852886e38) {
        throw new Error(`${this.who}: the learning-rate ${s instanceof LearningRateSchedule ? `schedule ${s.className}` : 'function'} returned ${describe(v)} at step ${step}; expected a finite number >= 0`);
      }
      this.lr = v;
      this.lrAt = step;
    }
    return this.lr;
  }
  set learningRate(v: number) {
    if (this.schedule) {
      throw new TypeError(`${this.who}: the learning rate follows a ${this.schedule instanceof LearningRateSchedule ? `${this.schedule.className} schedule` : 'function of the step'}, so it cannot be set (Keras refuses too); give the optimizer a number to change it between epochs`);
    }
    this.lr = checkNumber(v, `${this.who}: learningRate`, { min: 0, minExclusive: true });
  }
  /** The schedule (or function) the rate follows, or null for a fixed rate. */
  get learningRateSchedule(): LearningRateSchedule | ((step: number) => number) | null {
    return this.schedule;
  }
  /** Steps taken (Adam's bias correction and the schedules use it). */
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

  /**
   * Clip the gradients of a step in place, before any update (Keras applies clipping to the
   * gradients of every trainable weight, then the update). Allocates nothing once the tensor
   * list of these segments is made (on the first step after compile).
   */
  clipGradients(k: Kernels, segments: readonly GradSegment[]): void {
    if (this.clipvalue !== null) {
      const c = this.clipvalue;
      // A layer block pads each tensor with zeros, which the clamp leaves at 0.
      for (let i = 0; i < segments.length; i++) k.clip_f32(segments[i].grad, segments[i].grad, segments[i].floats, -c, c);
    } else if (this.clipnorm !== null) {
      const c = this.clipnorm;
      const t = this.tensors(segments);
      for (let i = 0; i < t.length; i += 2) {
        const norm = Math.sqrt(k.sum_squares_f32(t[i], t[i + 1]));
        // tf.clip_by_norm: g·c / max(‖g‖, c). A NaN norm leaves NaN gradients NaN either way.
        if (norm > c) k.scale_f32(t[i], t[i + 1], c / norm);
      }
    } else if (this.globalClipnorm !== null) {
      const c = this.globalClipnorm;
      let ss = 0;
      for (let i = 0; i < segments.length; i++) ss += k.sum_squares_f32(segments[i].grad, segments[i].floats);
      const norm = Math.sqrt(ss);
      // tf.clip_by_global_norm: scale c·min(1/‖g‖, 1/c), and NaN when the norm is not finite ("to signal an error").
      const scale = Number.isFinite(norm) ? (norm > c ? c / norm : 1) : NaN;
      if (scale !== 1) for (let i = 0; i < segments.length; i++) k.scale_f32(segments[i].grad, segments[i].floats, scale);
    }
  }

  /** [address, floats] of every weight tensor's gradient in these segments (cached per segment list). */
  private tensors(segments: readonly GradSegment[]): number[] {
    if (this.clipFor !== segments) {
      this.clipList = segments.flatMap((s) => s.layer.params.flatMap((p) => [s.grad + p.offset * 4, p.size]));
      this.clipFor = segments;
    }
    return this.clipList;
  }

  /** The rate as Keras serialises it: a number, or a schedule's `{ class_name, config }`. */
  protected learningRateConfig(): number | object {
    const s = this.schedule;
    if (!s) return this.lr;
    if (s instanceof LearningRateSchedule) return s.serialize();
    throw new Error(`${this.who}: the learning rate is a plain function, which cannot be serialised; use an optimizers.schedules.* schedule, or save with { includeOptimizer: false }`);
  }
  getConfig(): Record<string, unknown> {
    const c: Record<string, unknown> = { learningRate: this.learningRateConfig() };
    for (const k of CLIP_KEYS) if (this[k] !== null) c[k] = this[k];
    return c;
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

export interface SGDArgs extends ClipArgs {
  learningRate?: LearningRate;
  momentum?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly className: string = 'SGD';
  readonly slots: number;
  readonly momentum: number;
  readonly nesterov: boolean;
  constructor(args?: SGDArgs, who = 'optimizers.sgd') {
    const a = checkOptions(args, who, ['learningRate', 'momentum', 'nesterov', ...CLIP_KEYS]);
    super(a.learningRate ?? 0.01, who, a);
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
  constructor(args: { learningRate: LearningRate; momentum: number; useNesterov: boolean }, who: string) {
    const useNesterov = checkBoolean(args.useNesterov, `${who}: useNesterov`);
    // Nesterov with momentum 0 is plain SGD (TF.js accepts it), so it is not an error here.
    super({ learningRate: args.learningRate, momentum: args.momentum, nesterov: useNesterov && args.momentum !== 0 }, who);
    this.useNesterov = useNesterov;
    lock(this, ['useNesterov']);
  }
  getConfig(): Record<string, unknown> {
    const { nesterov: _, ...c } = super.getConfig();
    return { ...c, useNesterov: this.useNesterov };
  }
}

export interface AdagradArgs extends ClipArgs {
  learningRate?: LearningRate;
  initialAccumulatorValue?: number;
  epsilon?: number;
}

export class Adagrad extends Optimizer {
  readonly className = 'Adagrad';
  readonly slots = 1;
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  constructor(args?: AdagradArgs, who = 'optimizers.adagrad') {
    const a = checkOptions(args, who, ['learningRate', 'initialAccumulatorValue', 'epsilon', ...CLIP_KEYS]);
    super(a.learningRate ?? 0.01, who, a);
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

export interface RMSPropArgs extends ClipArgs {
  learningRate?: LearningRate;
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
    const a = checkOptions(args, who, ['learningRate', 'rho', 'decay', 'momentum', 'epsilon', 'centered', ...CLIP_KEYS]);
    super(a.learningRate ?? 0.001, who, a);
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

export interface AdamArgs extends ClipArgs {
  learningRate?: LearningRate;
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
    const a = checkOptions(args, who, ['learningRate', 'beta1', 'beta2', 'epsilon', 'weightDecay', ...CLIP_KEYS]);
    super(a.learningRate ?? 0.001, who, a);
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

export interface AdamaxArgs extends ClipArgs {
  /** Default 0.002 (TF.js). */
  learningRate?: LearningRate;
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
    const a = checkOptions(args, who, ['learningRate', 'beta1', 'beta2', 'epsilon', 'decay', ...CLIP_KEYS]);
    super(a.learningRate ?? 0.002, who, a);
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

export interface AdadeltaArgs extends ClipArgs {
  /** Default 1, the rate TF.js's compile gives the string 'adadelta' (tf.train.adadelta's default is 0.001). */
  learningRate?: LearningRate;
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
    const a = checkOptions(args, who, ['learningRate', 'rho', 'epsilon', ...CLIP_KEYS]);
    super(a.learningRate ?? 1, who, a);
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

export interface MomentumArgs extends ClipArgs {
  learningRate?: LearningRate;
  /** Default 0.9. */
  momentum?: number;
  useNesterov?: boolean;
  nesterov?: boolean;
}

/** The optimizer factories (what compile's optimizer names map to). */
const factories = {
  sgd: (args?: SGDArgs) => new SGD(args),
  momentum: (args?: MomentumArgs) => {
    const who = 'optimizers.momentum';
    const a = checkOptions(args, who, ['learningRate', 'momentum', 'useNesterov', 'nesterov', ...CLIP_KEYS]);
    if (a.useNesterov !== undefined && a.nesterov !== undefined && a.useNesterov !== a.nesterov) {
      throw new Error(`${who}: useNesterov and nesterov are the same option; got ${describe(a.useNesterov)} and ${describe(a.nesterov)}`);
    }
    return new SGD({ learningRate: a.learningRate, momentum: a.momentum ?? 0.9, nesterov: a.nesterov ?? a.useNesterov, clipnorm: a.clipnorm, clipvalue: a.clipvalue, globalClipnorm: a.globalClipnorm }, who);
  },
  adagrad: (args?: AdagradArgs) => new Adagrad(args),
  rmsprop: (args?: RMSPropArgs) => new RMSProp(args),
  adam: (args?: AdamArgs) => new Adam(args),
  adamw: (args?: AdamArgs) => new AdamW(args),
  adamax: (args?: AdamaxArgs) => new Adamax(args),
  adadelta: (args?: AdadeltaArgs) => new Adadelta(args),
};

/** `optimizers.*`: the factories, and `optimizers.schedules.*` (learning-rate schedules). */
export const optimizers = { ...factories, schedules };

/** TF.js's compile also takes its optimizers' class names. */
const CLASS_NAMES: Record<string, keyof typeof factories> = {
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
function required<T>(v: T, who: string, name: string): T {
  if (v === undefined) throw new TypeError(`${who}: ${name} is required (TF.js has no default for it)`);
  return v;
}

/**
 * `tf.train`: TF.js's optimizer constructors, same positional signatures and defaults, returning
 * simdnet optimizers for `model.compile({ optimizer })`. Every argument is honoured or rejected:
 * extra arguments and out-of-range values are errors naming the argument.
 */
export const train = {
  sgd(learningRate: LearningRate): SGD {
    arity('train.sgd', arguments.length, ['learningRate']);
    return new SGD({ learningRate: required(learningRate, 'train.sgd', 'learningRate') }, 'train.sgd');
  },
  momentum(learningRate: LearningRate, momentum: number, useNesterov = false): Momentum {
    const who = 'train.momentum';
    arity(who, arguments.length, ['learningRate', 'momentum', 'useNesterov']);
    return new Momentum({ learningRate: required(learningRate, who, 'learningRate'), momentum: required(momentum, who, 'momentum'), useNesterov }, who);
  },
  adagrad(learningRate: LearningRate, initialAccumulatorValue = 0.1): Adagrad {
    const who = 'train.adagrad';
    arity(who, arguments.length, ['learningRate', 'initialAccumulatorValue']);
    return new Adagrad({ learningRate: required(learningRate, who, 'learningRate'), initialAccumulatorValue }, who);
  },
  rmsprop(learningRate: LearningRate, decay = 0.9, momentum = 0, epsilon: number | null = null, centered = false): RMSProp {
    const who = 'train.rmsprop';
    arity(who, arguments.length, ['learningRate', 'decay', 'momentum', 'epsilon', 'centered']);
    return new RMSProp({ learningRate: required(learningRate, who, 'learningRate'), decay, momentum, epsilon: epsilonOrDefault(epsilon), centered }, who);
  },
  adam(learningRate: LearningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null): Adam {
    const who = 'train.adam';
    arity(who, arguments.length, ['learningRate', 'beta1', 'beta2', 'epsilon']);
    return new Adam({ learningRate, beta1, beta2, epsilon: epsilonOrDefault(epsilon) }, who);
  },
  adamax(learningRate: LearningRate = 0.002, beta1 = 0.9, beta2 = 0.999, epsilon: number | null = null, decay = 0): Adamax {
    const who = 'train.adamax';
    arity(who, arguments.length, ['learningRate', 'beta1', 'beta2', 'epsilon', 'decay']);
    return new Adamax({ learningRate, beta1, beta2, epsilon: epsilonOrDefault(epsilon), decay }, who);
  },
  adadelta(learningRate: LearningRate = 0.001, rho = 0.95, epsilon: number | null = null): Adadelta {
    const who = 'train.adadelta';
    arity(who, arguments.length, ['learningRate', 'rho', 'epsilon']);
    return new Adadelta({ learningRate, rho, epsilon: epsilonOrDefault(epsilon) }, who);
  },
};

export function getOptimizer(o: string | Optimizer | undefined): Optimizer {
  if (o instanceof Optimizer) return o;
  // Own names only: 'toString' or 'constructor' must not reach Object.prototype.
  if (hasOwnName(factories, o)) return factories[o as keyof typeof factories]();
  if (hasOwnName(CLASS_NAMES, o)) return factories[CLASS_NAMES[o]]();
  throw new Error(`compile: unknown optimizer ${describe(o)}; expected one of ${Object.keys(factories).join(', ')} (or ${Object.keys(CLASS_NAMES).join(', ')}), an optimizers.*() or a train.*() object`);
}
