/**
 * Weight initializers (TF.js names), all driven by the seeded generator so runs reproduce.
 * Options are checked when the initializer is made, so that no value it draws can leave
 * float32 (a weight of ±Infinity or NaN would poison every step). Each serialises as TF.js
 * writes it (`getConfig` and `className` are what a saved file holds): glorot, he and leCun are
 * VarianceScaling with their arguments, as in TF.js, so TF.js reads back the same config.
 */
import { globalRandom, Random } from '../random.ts';
import { checkNumber, checkOptions, describe, F32_MAX, hasOwnName } from '../tensor.ts';

export interface Initializer {
  readonly className: string;
  /** Fill `out` (length = product of `shape`; orthogonal and identity need the shape itself). */
  fill(out: Float32Array, fanIn: number, fanOut: number, shape?: readonly number[]): void;
  getConfig(): Record<string, unknown>;
}

export const DISTRIBUTIONS = ['normal', 'uniform', 'truncatedNormal'] as const;
export const MODES = ['fanIn', 'fanOut', 'fanAvg'] as const;
type Dist = (typeof DISTRIBUTIONS)[number];
type Mode = (typeof MODES)[number];

/** Options every random initializer takes: a seed makes it independent of `setSeed`. */
export interface SeedArgs {
  seed?: number;
}
const rngFor = (seed?: number) => (seed === undefined ? globalRandom : new Random(seed));

function checkSeed(seed: unknown, who: string): number | undefined {
  if (seed === undefined) return undefined;
  if (!(typeof seed === 'number' && Number.isFinite(seed))) throw new RangeError(`${who}: seed: expected a finite number, got ${describe(seed)}`);
  return seed;
}

/**
 * Box–Muller draws from 32-bit uniforms stay within ±6.7σ (truncated ones within ±2σ): mean and
 * stddev are checked so that every draw is a finite float32.
 */
function checkNormal(mean: unknown, stddev: unknown, who: string, reach: number): { mean: number; stddev: number } {
  const m = checkNumber(mean, `${who}: mean`);
  const s = checkNumber(stddev, `${who}: stddev`, { min: 0 });
  if (Math.abs(m) + reach * s > F32_MAX) {
    throw new RangeError(`${who}: mean ${m} and stddev ${s} draw values beyond float32 (|mean| + ${reach}·stddev must stay below 3.4e38)`);
  }
  return { mean: m, stddev: s };
}

function constant(value: number, className = 'Constant'): Initializer {
  return {
    className,
    fill: (out) => void out.fill(value),
    getConfig: () => (className === 'Constant' ? { value } : {}),
  };
}

/** Keras's stddev correction for a normal truncated at 2σ: the draws keep the variance asked for. */
const TRUNCATED_STDDEV = 0.87962566103423978;

function varianceScalingOf(scale: number, mode: Mode, dist: Dist, seed: number | undefined): Initializer {
  return {
    className: 'VarianceScaling',
    fill(out, fanIn, fanOut) {
      const rng = rngFor(seed);
      const n = mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
      const variance = scale / Math.max(1, n);
      if (dist === 'uniform') {
        const limit = Math.sqrt(3 * variance);
        for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) * limit;
      } else {
        // 'normal' is TF.js's: truncated at 2σ with stddev √variance (what glorotNormal & co. draw).
        // 'truncatedNormal' is Keras's: the same draws widened to keep the variance (TF.js lists
        // the name but draws uniform values for it, which is not what the name says).
        const std = Math.sqrt(variance) / (dist === 'truncatedNormal' ? TRUNCATED_STDDEV : 1);
        for (let i = 0; i < out.length; i++) out[i] = rng.truncatedNormal() * std;
      }
    },
    getConfig: () => ({ scale, mode, distribution: dist, seed: seed ?? null }),
  };
}

/** glorot, he and leCun: VarianceScaling with fixed arguments and an optional seed. */
function preset(scale: number, mode: Mode, dist: Dist, args: SeedArgs | undefined, who: string): Initializer {
  const seed = checkSeed(checkOptions(args, who, ['seed']).seed, who);
  return varianceScalingOf(scale, mode, dist, seed);
}

export interface VarianceScalingArgs extends SeedArgs {
  /** Default 1. */
  scale?: number;
  /** Default 'fanIn'. */
  mode?: Mode;
  /** Default 'normal' (truncated at 2σ, as TF.js draws it). */
  distribution?: Dist;
}
export interface GainArgs extends SeedArgs {
  /** Default 1. */
  gain?: number;
}

export interface ConstantArgs {
  value: number;
}
export interface NormalArgs extends SeedArgs {
  mean?: number;
  stddev?: number;
}
export interface UniformArgs extends SeedArgs {
  minval?: number;
  maxval?: number;
}

/**
 * `gain`·Q for the Q of a QR factorisation of a standard normal matrix (rows × cols, the last axis
 * as columns), its columns signed so that R has a positive diagonal: what TF.js's orthogonal
 * computes. Gram–Schmidt (run twice per column for accuracy) gives that Q directly, in float64.
 */
function orthogonalFill(out: Float32Array, rows: number, cols: number, gain: number, rng: Random): void {
  const m = Math.max(rows, cols);
  const n = Math.min(rows, cols);
  // q[j] is column j (length m) of the m × n factor.
  const q: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) v[i] = rng.normal();
    for (let pass = 0; pass < 2; pass++) {
      for (const u of q) {
        let d = 0;
        for (let i = 0; i < m; i++) d += u[i] * v[i];
        for (let i = 0; i < m; i++) v[i] -= d * u[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < m; i++) v[i] /= norm;
    q.push(v);
  }
  // rows ≥ cols: out = Q (m × n); rows < cols: out = Qᵀ (n × m).
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = gain * (rows >= cols ? q[c][r] : q[r][c]);
}

/** Initializers made by the factories below: their options were checked when they were made. */
const BUILT_IN = new WeakSet<Initializer>();
const trusted =
  <A extends unknown[]>(f: (...args: A) => Initializer) =>
  (...args: A): Initializer => {
    const i = f(...args);
    BUILT_IN.add(i);
    return i;
  };

export const initializers = {
  zeros: trusted((): Initializer => constant(0, 'Zeros')),
  ones: trusted((): Initializer => constant(1, 'Ones')),
  constant: trusted((args: ConstantArgs): Initializer => {
    const who = 'initializers.constant';
    const a = checkOptions(args, who, ['value'], '{ value: 0.1 }');
    return constant(checkNumber(a.value, `${who}: value`));
  }),
  randomNormal: trusted((args?: NormalArgs): Initializer => {
    const who = 'initializers.randomNormal';
    const a = checkOptions(args, who, ['mean', 'stddev', 'seed']);
    const { mean, stddev } = checkNormal(a.mean ?? 0, a.stddev ?? 0.05, who, 6.7);
    const seed = checkSeed(a.seed, who);
    return {
      className: 'RandomNormal',
      fill(out) {
        const rng = rngFor(seed);
        for (let i = 0; i < out.length; i++) out[i] = mean + stddev * rng.normal();
      },
      getConfig: () => ({ mean, stddev, seed: seed ?? null }),
    };
  }),
  randomUniform: trusted((args?: UniformArgs): Initializer => {
    const who = 'initializers.randomUniform';
    const a = checkOptions(args, who, ['minval', 'maxval', 'seed']);
    const minval = checkNumber(a.minval ?? -0.05, `${who}: minval`);
    const maxval = checkNumber(a.maxval ?? 0.05, `${who}: maxval`);
    if (minval > maxval) throw new RangeError(`${who}: minval (${minval}) must not exceed maxval (${maxval})`);
    const seed = checkSeed(a.seed, who);
    return {
      className: 'RandomUniform',
      fill(out) {
        const rng = rngFor(seed);
        for (let i = 0; i < out.length; i++) out[i] = minval + (maxval - minval) * rng.uniform();
      },
      getConfig: () => ({ minval, maxval, seed: seed ?? null }),
    };
  }),
  truncatedNormal: trusted((args?: NormalArgs): Initializer => {
    const who = 'initializers.truncatedNormal';
    const a = checkOptions(args, who, ['mean', 'stddev', 'seed']);
    const { mean, stddev } = checkNormal(a.mean ?? 0, a.stddev ?? 0.05, who, 2);
    const seed = checkSeed(a.seed, who);
    return {
      className: 'TruncatedNormal',
      fill(out) {
        const rng = rngFor(seed);
        for (let i = 0; i < out.length; i++) out[i] = mean + stddev * rng.truncatedNormal();
      },
      getConfig: () => ({ mean, stddev, seed: seed ?? null }),
    };
  }),
  glorotUniform: trusted((args?: SeedArgs) => preset(1, 'fanAvg', 'uniform', args, 'initializers.glorotUniform')),
  glorotNormal: trusted((args?: SeedArgs) => preset(1, 'fanAvg', 'normal', args, 'initializers.glorotNormal')),
  heUniform: trusted((args?: SeedArgs) => preset(2, 'fanIn', 'uniform', args, 'initializers.heUniform')),
  heNormal: trusted((args?: SeedArgs) => preset(2, 'fanIn', 'normal', args, 'initializers.heNormal')),
  leCunUniform: trusted((args?: SeedArgs) => preset(1, 'fanIn', 'uniform', args, 'initializers.leCunUniform')),
  leCunNormal: trusted((args?: SeedArgs) => preset(1, 'fanIn', 'normal', args, 'initializers.leCunNormal')),
  varianceScaling: trusted((args?: VarianceScalingArgs): Initializer => {
    const who = 'initializers.varianceScaling';
    const a = checkOptions(args, who, ['scale', 'mode', 'distribution', 'seed']);
    const scale = checkNumber(a.scale ?? 1, `${who}: scale`, { min: 0 });
    const mode = a.mode ?? 'fanIn';
    if (!(MODES as readonly unknown[]).includes(mode)) throw new Error(`${who}: mode must be one of ${MODES.join(', ')}, got ${describe(mode)}`);
    const dist = a.distribution ?? 'normal';
    if (!(DISTRIBUTIONS as readonly unknown[]).includes(dist)) throw new Error(`${who}: distribution must be one of ${DISTRIBUTIONS.join(', ')}, got ${describe(dist)}`);
    return varianceScalingOf(scale, mode, dist, checkSeed(a.seed, who));
  }),
  orthogonal: trusted((args?: GainArgs): Initializer => {
    const who = 'initializers.orthogonal';
    const a = checkOptions(args, who, ['gain', 'seed']);
    const gain = checkNumber(a.gain ?? 1, `${who}: gain`);
    const seed = checkSeed(a.seed, who);
    return {
      className: 'Orthogonal',
      fill(out, _fanIn, _fanOut, shape) {
        if (!shape || shape.length < 2) throw new Error(`${who}: needs a weight of rank 2 or more (a kernel), got shape [${shape ?? ''}]`);
        const cols = shape[shape.length - 1];
        orthogonalFill(out, out.length / cols, cols, gain, rngFor(seed));
      },
      getConfig: () => ({ gain, seed: seed ?? null }),
    };
  }),
  identity: trusted((args?: { gain?: number }): Initializer => {
    const who = 'initializers.identity';
    const gain = checkNumber(checkOptions(args, who, ['gain']).gain ?? 1, `${who}: gain`);
    return {
      className: 'Identity',
      fill(out, _fanIn, _fanOut, shape) {
        if (!shape || shape.length !== 2 || shape[0] !== shape[1]) throw new Error(`${who}: needs a square 2D weight, got shape [${shape ?? ''}]`);
        out.fill(0);
        for (let i = 0; i < shape[0]; i++) out[i * shape[0] + i] = gain;
      },
      getConfig: () => ({ gain }),
    };
  }),
};

export type InitializerName = keyof typeof initializers;

/**
 * A user's own initializer: its fill is checked as it runs (every value a finite float32), so a
 * bad one fails with its name instead of training on NaN.
 */
function checked(init: Initializer, who: string): Initializer {
  return {
    className: init.className,
    getConfig: () => init.getConfig(),
    fill(out, fanIn, fanOut, shape) {
      init.fill(out, fanIn, fanOut, shape);
      for (let i = 0; i < out.length; i++) {
        if (!Number.isFinite(out[i])) throw new RangeError(`${who}: initializer ${init.className} produced ${out[i]} at index ${i}; initial weights must be finite`);
      }
    },
  };
}

/** A name (TF.js camelCase) or an initializer object. */
export function getInitializer(init: string | Initializer | undefined, fallback: InitializerName, who: string): Initializer {
  if (init === undefined) return (initializers[fallback] as () => Initializer)();
  if (typeof init !== 'string') {
    const o = init as Partial<Initializer> | null;
    if (o === null || typeof o !== 'object' || typeof o.fill !== 'function' || typeof o.getConfig !== 'function' || typeof o.className !== 'string') {
      throw new TypeError(`${who}: expected an initializer name or an object with className, fill and getConfig (initializers.*()), got ${describe(init)}`);
    }
    return BUILT_IN.has(init) ? init : checked(init, who);
  }
  if (!hasOwnName(initializers, init) || init === 'constant') {
    throw new Error(`${who}: unknown initializer '${init}'; expected one of ${Object.keys(initializers).filter((k) => k !== 'constant').join(', ')}`);
  }
  return (initializers[init as InitializerName] as () => Initializer)();
}
