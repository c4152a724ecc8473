/**
 * Training-time noise layers with TF.js's names, options and configs: dropout ({ rate,
 * noiseShape, seed }), spatialDropout1d / spatialDropout2d ({ rate, seed }: whole channels)
 * and gaussianNoise ({ stddev }). All are the identity at inference, where an inference plan
 * skips them (the planner aliases their output to their input: no kernel call, no copy).
 *
 * The noise comes from the counter-based generator of assembly/dropout.ts: a pure function of
 * (seed, step, index). The seed is the layer's own `seed`, or one word drawn from simdnet's
 * seeded generator (`setSeed`) the first time the layer trains; the step is a per-layer
 * counter that each training forward advances. Backward recomputes the same mask from the step
 * its forward used, so nothing is saved and a step allocates nothing.
 */
import { globalRandom } from '../random.ts';
import { describe, shapeSize } from '../tensor.ts';
import { Layer, type LayerArgs, type NodeCtx } from './layer.ts';

export interface DropoutArgs extends LayerArgs {
  /** Fraction of the input units to drop, in (0, 1); TF.js clamps to [0, 1] and computes the identity at 0 and 1. */
  rate: number;
  /**
   * Shape of the mask, batch dimension first (TF.js's noiseShape): null takes the input's
   * size, 1 shares one mask value along that axis. The size-1 axes must be adjacent.
   */
  noiseShape?: (number | null)[] | null;
  /** Seed of this layer's masks (an integer); without it, one drawn from setSeed's generator. */
  seed?: number | null;
}

export interface SpatialDropoutArgs extends LayerArgs {
  rate: number;
  seed?: number | null;
}

export interface GaussianNoiseArgs extends LayerArgs {
  /** Standard deviation of the noise added in training. */
  stddev: number;
}

/** A 32-bit word from an integer seed (negative and large ones too). */
function seedWord(seed: number): number {
  return ((seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32), 0x9e3779b1)) >>> 0;
}

function checkSeed(v: unknown, who: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new TypeError(`${who}: seed must be an integer, got ${describe(v)}`);
  return v;
}

/**
 * Layers whose output is their input outside training. An inference plan aliases their output
 * to their input (src/engine/planner.ts reads `identityAtInference`); a training plan gives them
 * their own buffer, and a forward that is not training (evaluate on a training plan) copies.
 */
export abstract class NoiseLayer extends Layer {
  /** Read by the planner: inference plans skip the layer. */
  readonly identityAtInference = true;
  /** The seed given as an option (null: drawn from setSeed's generator on first training use). */
  readonly seed: number | null;
  private drawn: number | null = null;
  /** Training forwards so far: the step of the next mask. */
  private step = 0;
  /** The step each node's last training forward used (its backward recomputes that mask). */
  private readonly steps = new WeakMap<NodeCtx, number>();

  constructor(args: LayerArgs & { seed?: number | null }, defaultName: string) {
    super(args, defaultName);
    this.seed = checkSeed(args?.seed, this.name);
  }

  protected computeOutputShape(inShape: number[]): number[] {
    return inShape;
  }

  /** Whether training changes the values at all (dropout at rate 0 or 1 does not, as in TF.js). */
  protected abstract get active(): boolean;
  /** The noise for n samples at (seed, step), from x into y (y may be x). */
  protected abstract noise(c: NodeCtx, y: number, x: number, n: number, seed: number, step: number): void;
  /** dx += dy·∂y/∂x for the mask of (seed, step). */
  protected abstract noiseBackward(c: NodeCtx, n: number, seed: number, step: number): void;

  private seedWord(): number {
    if (this.seed !== null) return seedWord(this.seed);
    if (this.drawn === null) this.drawn = globalRandom.nextU32();
    return this.drawn;
  }

  forward(c: NodeCtx, n: number, training: boolean): void {
    if (!training || !this.active) {
      // An inference plan aliases y to x: nothing to do. A training plan's evaluate copies.
      if (c.y !== c.x) c.k.copy_f32(c.y, c.x, n * this.inSize);
      return;
    }
    const step = this.step;
    this.step = (this.step + 1) >>> 0;
    this.steps.set(c, step);
    // y may be x: an inference plan run in training mode (eager apply with { training: true },
    // a one-layer graph over a fresh input) works in place, which the kernels allow.
    this.noise(c, c.y, c.x, n, this.seedWord(), step);
  }

  backward(c: NodeCtx, n: number): void {
    if (!c.dx) return;
    const step = this.steps.get(c);
    if (!this.active || step === undefined) {
      c.k.axpy_f32(c.dx, c.dy, n * this.inSize, 1);
      return;
    }
    this.noiseBackward(c, n, this.seedWord(), step);
  }
}

/** The kernels' drop threshold: P(drop) = threshold / 2^32. */
function thresholdOf(rate: number): number {
  return Math.min(2 ** 32 - 1, Math.round(rate * 2 ** 32)) | 0;
}

/**
 * TF.js `layers.dropout`: inverted dropout. In training each value is kept with probability
 * 1 − rate and multiplied by 1/(1 − rate) (TF.js's float32 multiplier, bit for bit), or set
 * to 0; the identity at inference.
 */
export class Dropout extends NoiseLayer {
  readonly className: string = 'Dropout';
  /** The rate as TF.js keeps it: clamped to [0, 1] (NaN stays NaN, and computes the identity). */
  readonly rate: number;
  readonly noiseShape: (number | null)[] | null;
  /** The run [start, end) of axes (batch axis 0) along which one mask value is shared; [0, 0]: none. */
  private run: [number, number] = [0, 0];
  private threshold = 0;
  private scale = 1;

  constructor(args: DropoutArgs, defaultName = 'dropout') {
    super(args, defaultName);
    if (args?.rate === undefined) throw new Error(`${this.name}: rate is required, e.g. { rate: 0.5 }`);
    if (typeof args.rate !== 'number') throw new TypeError(`${this.name}: rate must be a number (the fraction to drop), got ${describe(args.rate)}`);
    // TF.js: rate = max(min(rate, 1), 0), and dropout only where 0 < rate < 1; so 1, −0.1 and
    // NaN compute the identity (Keras would refuse them; TF.js, the reference, does not).
    this.rate = Math.max(Math.min(args.rate, 1), 0);
    const ns = args.noiseShape ?? null;
    if (ns !== null && (!Array.isArray(ns) || ns.length === 0 || ns.some((d) => d !== null && !(Number.isInteger(d) && (d as number) > 0)))) {
      throw new TypeError(`${this.name}: noiseShape must be a list of positive integers or null (batch axis first), got ${describe(ns)}`);
    }
    this.noiseShape = ns === null ? null : [...ns];
    if (this.active) {
      this.threshold = thresholdOf(this.rate);
      this.scale = Math.fround(1 / Math.fround(1 - this.rate));
    }
  }

  protected get active(): boolean {
    return this.rate > 0 && this.rate < 1;
  }

  /** The mask's shape over [batch, ...input], as noiseShape gives it (null: the input's). */
  protected maskShape(_inShape: number[]): (number | null)[] | null {
    return this.noiseShape;
  }

  protected computeOutputShape(inShape: number[]): number[] {
    const ns = this.maskShape(inShape);
    if (ns === null) return inShape;
    const dims = [null, ...inShape];
    if (ns.length !== dims.length) throw new Error(`${this.name}: noiseShape [${ns.map(String)}] must have ${dims.length} entries (the batch axis, then the input's [${inShape}])`);
    if (ns[0] !== null && ns[0] !== 1) throw new Error(`${this.name}: noiseShape[0] must be null (a mask per sample) or 1 (one mask for the batch), got ${ns[0]}`);
    const shared: number[] = [];
    ns.forEach((d, i) => {
      if (i === 0) {
        if (d === 1) shared.push(0);
        return;
      }
      if (d === null || d === inShape[i - 1]) return;
      if (d !== 1) throw new Error(`${this.name}: noiseShape[${i}] is ${d}, but the input's axis ${i} has size ${inShape[i - 1]}: each entry must be null, that size or 1`);
      shared.push(i);
    });
    if (shared.length && shared[shared.length - 1] - shared[0] !== shared.length - 1) {
      throw new Error(`${this.name}: noiseShape [${ns.map(String)}] shares the mask along axes ${shared.join(', ')}, which are not adjacent; simdnet shares it along one run of adjacent axes`);
    }
    this.run = shared.length ? [shared[0], shared[shared.length - 1] + 1] : [0, 0];
    return inShape;
  }

  /** [mid, inner] of the kernels' [outer, mid, inner] layout for n samples. */
  private layout(n: number): [number, number] {
    const [a, b] = this.run;
    const total = n * this.inSize;
    if (a === b) return [1, total];
    const dims = [n, ...this.inShape];
    return [shapeSize(dims.slice(a, b)), shapeSize(dims.slice(b))];
  }

  protected noise(c: NodeCtx, y: number, x: number, n: number, seed: number, step: number): void {
    const [mid, inner] = this.layout(n);
    c.k.dropout_forward_f32(y, x, n * this.inSize, mid, inner, this.threshold, this.scale, seed | 0, step | 0);
  }

  protected noiseBackward(c: NodeCtx, n: number, seed: number, step: number): void {
    const [mid, inner] = this.layout(n);
    c.k.dropout_backward_f32(c.dx, c.dy, n * this.inSize, mid, inner, this.threshold, this.scale, seed | 0, step | 0);
  }

  getConfig(): Record<string, unknown> {
    return { rate: this.rate, noiseShape: this.noiseShape, seed: this.seed, ...super.getConfig() };
  }
}

/**
 * TF.js `layers.spatialDropout1d`: drops whole channels of [steps, channels] inputs (one mask
 * value per sample and channel).
 */
export class SpatialDropout1D extends Dropout {
  readonly className: string = 'SpatialDropout1D';
  constructor(args: SpatialDropoutArgs) {
    super(args, 'spatial_dropout1d');
  }
  protected maskShape(inShape: number[]): (number | null)[] | null {
    if (inShape.length !== 2) throw new Error(`${this.name}: expects inputs [batch, steps, channels], got a sample shape [${inShape}]`);
    return [null, 1, null];
  }
}

/**
 * `layers.spatialDropout2d` (Keras's SpatialDropout2D; TF.js has no such class): drops whole
 * channels of NHWC inputs (one mask value per sample and channel).
 */
export class SpatialDropout2D extends Dropout {
  readonly className: string = 'SpatialDropout2D';
  constructor(args: SpatialDropoutArgs) {
    super(args, 'spatial_dropout2d');
  }
  protected maskShape(inShape: number[]): (number | null)[] | null {
    if (inShape.length !== 3) throw new Error(`${this.name}: expects NHWC inputs [batch, height, width, channels], got a sample shape [${inShape}]`);
    return [null, 1, 1, null];
  }
}

/** TF.js `layers.gaussianNoise`: adds N(0, stddev²) noise in training; the identity at inference. */
export class GaussianNoise extends NoiseLayer {
  readonly className = 'GaussianNoise';
  readonly stddev: number;
  constructor(args: GaussianNoiseArgs) {
    super(args, 'gaussian_noise');
    const s = args?.stddev;
    if (s === undefined) throw new Error(`${this.name}: stddev is required, e.g. { stddev: 0.1 }`);
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0 || Math.abs(s) > 3.4e38) {
      throw new TypeError(`${this.name}: stddev must be a finite number >= 0, got ${describe(s)}`);
    }
    this.stddev = s;
  }
  protected get active(): boolean {
    return true;
  }
  protected noise(c: NodeCtx, y: number, x: number, n: number, seed: number, step: number): void {
    c.k.gaussian_noise_forward_f32(y, x, n * this.inSize, this.stddev, seed | 0, step | 0);
  }
  protected noiseBackward(c: NodeCtx, n: number): void {
    c.k.axpy_f32(c.dx, c.dy, n * this.inSize, 1);
  }
  getConfig(): Record<string, unknown> {
    return { stddev: this.stddev, ...super.getConfig() };
  }
}
