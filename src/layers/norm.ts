/**
 * BatchNormalization and LayerNormalization (the kernels of assembly/norm.ts), with TF.js's
 * options, defaults, weight names and order, and configs.
 *
 * BatchNormalization normalizes each channel of the last axis: after a dense layer over the
 * batch, on an NHWC conv output over the batch and every pixel. Training (fit, trainOnBatch,
 * eager `apply(x, { training: true })`) uses the batch's statistics, saves its mean and 1/σ for
 * backward and moves the moving statistics, `m −= (m − batch)·(1 − momentum)` with the biased
 * batch variance, as TF.js; inference (predict, evaluate) uses the moving statistics. Its weights
 * are gamma, beta (trainable) and moving_mean, moving_variance (`trainable: false`: saved and
 * loaded, never touched by the optimizer, non-trainable in summary).
 *
 * LayerNormalization normalizes each sample's last axis (each row of it), training or not.
 */
import { getInitializer, type Initializer } from '../initializers/index.ts';
import { getRegularizer, type Regularizer } from '../regularizers/index.ts';
import { backend } from '../wasm/loader.ts';
import { checkBoolean, checkNumber, describe } from '../tensor.ts';
import { requireOptions } from './activation.ts';
import { Layer, type LayerArgs, type NodeCtx, type Param, type Planner } from './layer.ts';

interface NormArgs extends LayerArgs {
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  betaInitializer?: string | Initializer;
  gammaInitializer?: string | Initializer;
  betaRegularizer?: string | Regularizer;
  gammaRegularizer?: string | Regularizer;
}

export interface BatchNormalizationArgs extends NormArgs {
  axis?: number;
  momentum?: number;
  movingMeanInitializer?: string | Initializer;
  movingVarianceInitializer?: string | Initializer;
}

export interface LayerNormalizationArgs extends NormArgs {
  axis?: number | number[];
}

/** An initializer or regularizer as TF.js serialises it: { className, config }. */
function serializable(v: Initializer | Regularizer | null): { className: string; config: Record<string, unknown> } | null {
  if (!v) return null;
  if ('getConfig' in v) return { className: v.className, config: v.getConfig() };
  return { className: v.className, config: { l1: v.l1, l2: v.l2 } };
}

/** The options both layers share, checked; the gamma / beta weights they declare. */
abstract class NormLayer extends Layer {
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  protected readonly inits: { beta: Initializer; gamma: Initializer };
  protected readonly regs: { beta: Regularizer | null; gamma: Regularizer | null };
  gamma: Param | null = null;
  beta: Param | null = null;

  constructor(args: NormArgs, defaultName: string) {
    super(requireOptions(args ?? {}, defaultName), defaultName);
    const a = args ?? {};
    // TF.js takes any epsilon; a negative one would make 1/√(σ² + ε) NaN for a constant channel.
    this.epsilon = checkNumber(a.epsilon ?? 1e-3, `${this.name}: epsilon`, { min: 0 });
    this.center = checkBoolean(a.center ?? true, `${this.name}: center`);
    this.scale = checkBoolean(a.scale ?? true, `${this.name}: scale`);
    this.inits = {
      beta: getInitializer(a.betaInitializer, 'zeros', `${this.name}: betaInitializer`),
      gamma: getInitializer(a.gammaInitializer, 'ones', `${this.name}: gammaInitializer`),
    };
    this.regs = {
      beta: getRegularizer(a.betaRegularizer, `${this.name}: betaRegularizer`),
      gamma: getRegularizer(a.gammaRegularizer, `${this.name}: gammaRegularizer`),
    };
  }

  /** Features of the normalized (last) axis. */
  get channels(): number {
    return this.inShape[this.inShape.length - 1];
  }
  /** Rows of `channels` values per sample. */
  protected get rowsPerSample(): number {
    return this.inSize / this.channels;
  }

  /** The last axis, as `axis` names it (TF.js counts the batch axis): -1 or rank − 1. */
  protected checkLastAxis(axis: number, inShape: number[], what: string): void {
    const rank = inShape.length + 1;
    if (axis !== -1 && axis !== rank - 1) {
      throw new Error(`${this.name}: ${what} ${describe(axis)} is not supported for an input of shape [null, ${inShape.join(', ')}]; simdnet normalizes the last axis (-1 or ${rank - 1}), the channels of NHWC data`);
    }
  }

  /** gamma then beta (each when enabled), shaped [dim] (TF.js's fans for a 1-D weight: √dim). */
  protected declareAffine(dim: number): void {
    const fan = Math.sqrt(dim);
    if (this.scale) this.gamma = this.addParam({ name: 'gamma', shape: [dim], init: this.inits.gamma, regularizer: this.regs.gamma, fanIn: fan, fanOut: fan });
    if (this.center) this.beta = this.addParam({ name: 'beta', shape: [dim], init: this.inits.beta, regularizer: this.regs.beta, fanIn: fan, fanOut: fan });
  }

  protected ptrOf(c: NodeCtx, p: Param | null): number {
    return p ? c.w[this.params.indexOf(p)] : 0;
  }
  protected gradOf(c: NodeCtx, p: Param | null): number {
    return p ? c.dw[this.params.indexOf(p)] : 0;
  }

  workspaceBytes(_capacity: number): number {
    return backend().kernels.norm_workspace_bytes(this.channels);
  }

  protected affineConfig(): Record<string, unknown> {
    return {
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: serializable(this.inits.beta),
      gammaInitializer: serializable(this.inits.gamma),
      betaRegularizer: serializable(this.regs.beta),
      gammaRegularizer: serializable(this.regs.gamma),
    };
  }
}

/** TF.js `layers.batchNormalization`. */
export class BatchNormalization extends NormLayer {
  readonly className = 'BatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  private readonly movingInits: { mean: Initializer; variance: Initializer };
  movingMean!: Param;
  movingVariance!: Param;

  constructor(args: BatchNormalizationArgs = {}) {
    super(args, 'batch_normalization');
    const a = args ?? {};
    this.axis = checkNumber(a.axis ?? -1, `${this.name}: axis`, { integer: true });
    // TF.js takes any momentum; outside [0, 1] the moving average would diverge.
    this.momentum = checkNumber(a.momentum ?? 0.99, `${this.name}: momentum`, { min: 0, max: 1 });
    this.movingInits = {
      mean: getInitializer(a.movingMeanInitializer, 'zeros', `${this.name}: movingMeanInitializer`),
      variance: getInitializer(a.movingVarianceInitializer, 'ones', `${this.name}: movingVarianceInitializer`),
    };
  }

  protected computeOutputShape(inShape: number[]): number[] {
    this.checkLastAxis(this.axis, inShape, 'axis');
    const dim = inShape[inShape.length - 1];
    this.declareAffine(dim);
    const fan = Math.sqrt(dim);
    this.movingMean = this.addParam({ name: 'moving_mean', shape: [dim], init: this.movingInits.mean, regularizer: null, fanIn: fan, fanOut: fan, trainable: false });
    this.movingVariance = this.addParam({ name: 'moving_variance', shape: [dim], init: this.movingInits.variance, regularizer: null, fanIn: fan, fanOut: fan, trainable: false });
    return inShape;
  }

  /** Saved for backward: the batch mean, biased variance and 1/√(σ² + ε), [channels] each. */
  bindExtra(c: NodeCtx, p: Planner, _capacity: number): void {
    const ch = this.channels;
    c.saved = [p.value(ch), p.value(ch), p.value(ch)];
  }

  forward(c: NodeCtx, n: number, training: boolean): void {
    const k = c.k;
    const ch = this.channels;
    const rows = n * this.rowsPerSample;
    const gamma = this.ptrOf(c, this.gamma);
    const beta = this.ptrOf(c, this.beta);
    const mm = this.ptrOf(c, this.movingMean);
    const mv = this.ptrOf(c, this.movingVariance);
    if (!training) {
      k.batchnorm_forward_f32(c.y, 0, c.x, mm, mv, gamma, beta, c.ws, rows, ch, this.epsilon);
      return;
    }
    const mean = c.saved[0];
    const variance = c.saved[1];
    const invstd = c.saved[2];
    k.batchnorm_stats_f32(mean, variance, c.x, c.ws, rows, ch);
    k.batchnorm_moving_f32(mm, mv, mean, variance, ch, Math.fround(1 - this.momentum));
    k.batchnorm_forward_f32(c.y, invstd, c.x, mean, variance, gamma, beta, c.ws, rows, ch, this.epsilon);
  }

  backward(c: NodeCtx, n: number): void {
    const dgamma = this.gradOf(c, this.gamma);
    const dbeta = this.gradOf(c, this.beta);
    if (!c.dx && !dgamma && !dbeta) return;
    c.k.batchnorm_backward_f32(c.dx, dgamma, dbeta, c.dy, c.x, c.saved[0], c.saved[2], this.ptrOf(c, this.gamma), c.ws, n * this.rowsPerSample, this.channels);
  }

  getConfig(): Record<string, unknown> {
    return {
      axis: this.axis,
      momentum: this.momentum,
      ...this.affineConfig(),
      movingMeanInitializer: serializable(this.movingInits.mean),
      movingVarianceInitializer: serializable(this.movingInits.variance),
      betaConstraint: null,
      gammaConstraint: null,
      ...super.getConfig(),
    };
  }
}

/** TF.js `layers.layerNormalization` over the last axis. */
export class LayerNormalization extends NormLayer {
  readonly className = 'LayerNormalization';
  /** As given; TF.js's config holds the resolved list ([rank − 1]) once the layer is built. */
  private axisArg: number | number[];

  constructor(args: LayerNormalizationArgs = {}) {
    super(args, 'layer_normalization');
    const axis = (args ?? {}).axis ?? -1;
    const list = Array.isArray(axis) ? axis : [axis];
    if (list.length === 0 || !list.every((v) => Number.isInteger(v))) throw new TypeError(`${this.name}: axis: expected an integer or a list of integers, got ${describe(axis)}`);
    this.axisArg = Array.isArray(axis) ? [...axis] : axis;
  }

  get axis(): number | number[] {
    return this.built ? [this.inShape.length] : this.axisArg;
  }

  protected computeOutputShape(inShape: number[]): number[] {
    const list = Array.isArray(this.axisArg) ? this.axisArg : [this.axisArg];
    if (list.length !== 1) throw new Error(`${this.name}: axis ${describe(this.axisArg)} is not supported; simdnet normalizes the last axis alone (-1 or ${inShape.length})`);
    this.checkLastAxis(list[0], inShape, 'axis');
    this.declareAffine(inShape[inShape.length - 1]);
    return inShape;
  }

  /** Saved for backward: each row's mean and 1/√(σ² + ε). */
  bindExtra(c: NodeCtx, p: Planner, capacity: number): void {
    const rows = capacity * this.rowsPerSample;
    c.saved = [p.value(rows), p.value(rows)];
  }

  forward(c: NodeCtx, n: number): void {
    c.k.layernorm_forward_f32(c.y, c.saved[0], c.saved[1], c.x, this.ptrOf(c, this.gamma), this.ptrOf(c, this.beta), n * this.rowsPerSample, this.channels, this.epsilon);
  }

  backward(c: NodeCtx, n: number): void {
    const dgamma = this.gradOf(c, this.gamma);
    const dbeta = this.gradOf(c, this.beta);
    if (!c.dx && !dgamma && !dbeta) return;
    c.k.layernorm_backward_f32(c.dx, dgamma, dbeta, c.dy, c.x, c.saved[0], c.saved[1], this.ptrOf(c, this.gamma), c.ws, n * this.rowsPerSample, this.channels);
  }

  getConfig(): Record<string, unknown> {
    const axis = this.axis;
    return { axis: Array.isArray(axis) ? [...axis] : axis, ...this.affineConfig(), ...super.getConfig() };
  }
}
