/**
 * Learning-rate schedules (Keras's keras.optimizers.schedules, same formulas, options and
 * config). A schedule maps the optimizer's iteration count — 0 at the first step — to a rate.
 * An optimizer given one (or a plain function `step → rate`) evaluates it on the host once per
 * step and passes the number to its update kernel: nothing is allocated.
 *
 * Formulas (step = optimizer.iterations, computed in float64; the kernel receives float32):
 * - exponentialDecay: lr₀ · rate^(step / decaySteps) (the exponent floored with staircase)
 * - inverseTimeDecay: lr₀ / (1 + rate · step / decaySteps) (floored with staircase)
 * - polynomialDecay: (lr₀ − end) · (1 − min(step, decaySteps) / decaySteps)^power + end; with
 *   cycle, decaySteps · ceil(step / decaySteps) (1 at step 0) replaces decaySteps
 * - piecewiseConstantDecay: values[i] for boundaries[i−1] < step ≤ boundaries[i]
 * - cosineDecay: lr₀ · ((1 − α) · ½(1 + cos(π · min(step, decaySteps) / decaySteps)) + α); with
 *   warmupTarget, a linear ramp lr₀ → warmupTarget over warmupSteps, then the cosine from
 *   warmupTarget over the next decaySteps
 */
import { checkBoolean, checkNumber, checkOptions, describe } from '../tensor.ts';

/** Keras's serialised form: `{ class_name, config }` with Keras's snake_case config keys. */
export interface ScheduleConfig {
  class_name: string;
  config: Record<string, unknown>;
}

export abstract class LearningRateSchedule {
  abstract readonly className: string;
  /** The rate at `step` (the optimizer's iteration count, 0 at the first step). */
  abstract call(step: number): number;
  /** Keras's get_config (snake_case keys, as Keras writes them). */
  abstract getConfig(): Record<string, unknown>;
  /** Keras's serialize_keras_object form. */
  serialize(): ScheduleConfig {
    return { class_name: this.className, config: this.getConfig() };
  }
}

const positive = { min: 0, minExclusive: true } as const;

/** A schedule's name: a non-empty string (Keras's `name` argument, kept in the config). */
function checkName(v: unknown, who: string, fallback: string): string {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || v === '') throw new TypeError(`${who}: name must be a non-empty string, got ${describe(v)}`);
  return v;
}

function required(v: unknown, who: string, name: string): unknown {
  if (v === undefined) throw new TypeError(`${who}: ${name} is required`);
  return v;
}

export interface ExponentialDecayArgs {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  /** Decay in whole intervals of decaySteps (floor the exponent). Default false. */
  staircase?: boolean;
  name?: string;
}

export class ExponentialDecay extends LearningRateSchedule {
  readonly className = 'ExponentialDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  readonly name: string;
  constructor(args: ExponentialDecayArgs, who = 'optimizers.schedules.exponentialDecay') {
    super();
    const a = checkOptions(args, who, ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase', 'name'], '{ initialLearningRate, decaySteps, decayRate }');
    this.initialLearningRate = checkNumber(required(a.initialLearningRate, who, 'initialLearningRate'), `${who}: initialLearningRate`, positive);
    this.decaySteps = checkNumber(required(a.decaySteps, who, 'decaySteps'), `${who}: decaySteps`, positive);
    this.decayRate = checkNumber(required(a.decayRate, who, 'decayRate'), `${who}: decayRate`, positive);
    this.staircase = checkBoolean(a.staircase ?? false, `${who}: staircase`);
    this.name = checkName(a.name, who, 'ExponentialDecay');
  }
  call(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.initialLearningRate * this.decayRate ** p;
  }
  getConfig() {
    return { initial_learning_rate: this.initialLearningRate, decay_steps: this.decaySteps, decay_rate: this.decayRate, staircase: this.staircase, name: this.name };
  }
}

export interface InverseTimeDecayArgs extends ExponentialDecayArgs {}

export class InverseTimeDecay extends LearningRateSchedule {
  readonly className = 'InverseTimeDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;
  readonly name: string;
  constructor(args: InverseTimeDecayArgs, who = 'optimizers.schedules.inverseTimeDecay') {
    super();
    const a = checkOptions(args, who, ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase', 'name'], '{ initialLearningRate, decaySteps, decayRate }');
    this.initialLearningRate = checkNumber(required(a.initialLearningRate, who, 'initialLearningRate'), `${who}: initialLearningRate`, positive);
    this.decaySteps = checkNumber(required(a.decaySteps, who, 'decaySteps'), `${who}: decaySteps`, positive);
    this.decayRate = checkNumber(required(a.decayRate, who, 'decayRate'), `${who}: decayRate`, { min: 0 });
    this.staircase = checkBoolean(a.staircase ?? false, `${who}: staircase`);
    this.name = checkName(a.name, who, 'InverseTimeDecay');
  }
  call(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.initialLearningRate / (1 + this.decayRate * p);
  }
  getConfig() {
    return { initial_learning_rate: this.initialLearningRate, decay_steps: this.decaySteps, decay_rate: this.decayRate, staircase: this.staircase, name: this.name };
  }
}

export interface PolynomialDecayArgs {
  initialLearningRate: number;
  decaySteps: number;
  /** Default 0.0001 (Keras). */
  endLearningRate?: number;
  /** Default 1 (linear). */
  power?: number;
  /** Restart the decay every decaySteps (from a later multiple). Default false. */
  cycle?: boolean;
  name?: string;
}

export class PolynomialDecay extends LearningRateSchedule {
  readonly className = 'PolynomialDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly endLearningRate: number;
  readonly power: number;
  readonly cycle: boolean;
  readonly name: string;
  constructor(args: PolynomialDecayArgs, who = 'optimizers.schedules.polynomialDecay') {
    super();
    const a = checkOptions(args, who, ['initialLearningRate', 'decaySteps', 'endLearningRate', 'power', 'cycle', 'name'], '{ initialLearningRate, decaySteps }');
    this.initialLearningRate = checkNumber(required(a.initialLearningRate, who, 'initialLearningRate'), `${who}: initialLearningRate`, positive);
    this.decaySteps = checkNumber(required(a.decaySteps, who, 'decaySteps'), `${who}: decaySteps`, positive);
    this.endLearningRate = checkNumber(a.endLearningRate ?? 0.0001, `${who}: endLearningRate`, { min: 0 });
    // power > 0: with power 0 the schedule is constant, with power < 0 it is infinite at decaySteps.
    this.power = checkNumber(a.power ?? 1, `${who}: power`, positive);
    this.cycle = checkBoolean(a.cycle ?? false, `${who}: cycle`);
    this.name = checkName(a.name, who, 'PolynomialDecay');
  }
  call(step: number): number {
    let decaySteps = this.decaySteps;
    if (this.cycle) decaySteps *= step === 0 ? 1 : Math.ceil(step / decaySteps);
    else step = Math.min(step, decaySteps);
    const p = step / decaySteps;
    return (this.initialLearningRate - this.endLearningRate) * (1 - p) ** this.power + this.endLearningRate;
  }
  getConfig() {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      end_learning_rate: this.endLearningRate,
      power: this.power,
      cycle: this.cycle,
      name: this.name,
    };
  }
}

export interface PiecewiseConstantDecayArgs {
  /** Increasing step numbers. */
  boundaries: number[];
  /** One rate more than boundaries: values[i] applies up to and including boundaries[i]. */
  values: number[];
  name?: string;
}

export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly className = 'PiecewiseConstantDecay';
  readonly boundaries: readonly number[];
  readonly values: readonly number[];
  readonly name: string;
  constructor(args: PiecewiseConstantDecayArgs, who = 'optimizers.schedules.piecewiseConstantDecay') {
    super();
    const a = checkOptions(args, who, ['boundaries', 'values', 'name'], '{ boundaries, values }');
    const list = (v: unknown, name: string, rule: Parameters<typeof checkNumber>[2]) => {
      if (!Array.isArray(v)) throw new TypeError(`${who}: ${name} must be an array of numbers, got ${describe(v)}`);
      return Object.freeze(v.map((x, i) => checkNumber(x, `${who}: ${name}[${i}]`, rule)));
    };
    this.boundaries = list(required(a.boundaries, who, 'boundaries'), 'boundaries', { min: 0 });
    this.values = list(required(a.values, who, 'values'), 'values', { min: 0 });
    if (this.values.length !== this.boundaries.length + 1) {
      throw new Error(`${who}: values must hold one more rate than boundaries (${this.boundaries.length} boundaries, so ${this.boundaries.length + 1} values), got ${this.values.length}`);
    }
    for (let i = 1; i < this.boundaries.length; i++) {
      if (!(this.boundaries[i] > this.boundaries[i - 1])) throw new Error(`${who}: boundaries must increase, got ${this.boundaries[i - 1]} then ${this.boundaries[i]} at index ${i}`);
    }
    this.name = checkName(a.name, who, 'PiecewiseConstant');
  }
  call(step: number): number {
    const b = this.boundaries;
    for (let i = 0; i < b.length; i++) if (step <= b[i]) return this.values[i];
    return this.values[b.length];
  }
  getConfig() {
    return { boundaries: [...this.boundaries], values: [...this.values], name: this.name };
  }
}

export interface CosineDecayArgs {
  initialLearningRate: number;
  decaySteps: number;
  /** The final rate as a fraction of the starting one. Default 0. */
  alpha?: number;
  /** With it, the rate ramps linearly from initialLearningRate to warmupTarget over warmupSteps first. */
  warmupTarget?: number | null;
  /** Default 0. */
  warmupSteps?: number;
  name?: string;
}

export class CosineDecay extends LearningRateSchedule {
  readonly className = 'CosineDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly alpha: number;
  readonly warmupTarget: number | null;
  readonly warmupSteps: number;
  readonly name: string;
  constructor(args: CosineDecayArgs, who = 'optimizers.schedules.cosineDecay') {
    super();
    const a = checkOptions(args, who, ['initialLearningRate', 'decaySteps', 'alpha', 'warmupTarget', 'warmupSteps', 'name'], '{ initialLearningRate, decaySteps }');
    // Keras allows an initial rate of 0 when it warms up from it.
    const warm = a.warmupTarget !== undefined && a.warmupTarget !== null;
    this.initialLearningRate = checkNumber(required(a.initialLearningRate, who, 'initialLearningRate'), `${who}: initialLearningRate`, warm ? { min: 0 } : positive);
    this.decaySteps = checkNumber(required(a.decaySteps, who, 'decaySteps'), `${who}: decaySteps`, positive);
    this.alpha = checkNumber(a.alpha ?? 0, `${who}: alpha`, { min: 0, max: 1 });
    this.warmupTarget = warm ? checkNumber(a.warmupTarget, `${who}: warmupTarget`, positive) : null;
    this.warmupSteps = checkNumber(a.warmupSteps ?? 0, `${who}: warmupSteps`, { min: 0, integer: true });
    if (this.warmupSteps > 0 && !warm) throw new Error(`${who}: warmupSteps ${this.warmupSteps} needs a warmupTarget (the rate to warm up to)`);
    this.name = checkName(a.name, who, 'CosineDecay');
  }
  private decay(step: number, from: number): number {
    const cosine = 0.5 * (1 + Math.cos(Math.PI * (step / this.decaySteps)));
    return from * ((1 - this.alpha) * cosine + this.alpha);
  }
  call(step: number): number {
    if (this.warmupTarget === null) return this.decay(Math.min(step, this.decaySteps), this.initialLearningRate);
    const s = Math.min(step, this.decaySteps + this.warmupSteps);
    if (s < this.warmupSteps) return (this.warmupTarget - this.initialLearningRate) * (s / this.warmupSteps) + this.initialLearningRate;
    return this.decay(s - this.warmupSteps, this.warmupTarget);
  }
  getConfig() {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      alpha: this.alpha,
      name: this.name,
      warmup_target: this.warmupTarget,
      warmup_steps: this.warmupSteps,
    };
  }
}

/** What `learningRate` accepts: a number, a schedule, or a plain function of the step. */
export type LearningRate = number | LearningRateSchedule | ((step: number) => number);

export const schedules = {
  exponentialDecay: (args: ExponentialDecayArgs) => new ExponentialDecay(args),
  inverseTimeDecay: (args: InverseTimeDecayArgs) => new InverseTimeDecay(args),
  polynomialDecay: (args: PolynomialDecayArgs) => new PolynomialDecay(args),
  piecewiseConstantDecay: (args: PiecewiseConstantDecayArgs) => new PiecewiseConstantDecay(args),
  cosineDecay: (args: CosineDecayArgs) => new CosineDecay(args),
};
