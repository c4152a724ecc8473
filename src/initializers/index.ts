/**
 * Weight initializers (TF.js names), all driven by the seeded generator so runs reproduce.
 * Options are checked when the initializer is made, so that no value it draws can leave
 * float32 (a weight of ±Infinity or NaN would poison every step).
 */
import { globalRandom, Random } from '../random.ts';
import { checkNumber, checkOptions, describe, F32_MAX, hasOwnName } from '../tensor.ts';

export interface Initializer {
  readonly className: string;
  /** Fill `out` (length = product of the shape). */
  fill(out: Float32Array, fanIn: number, fanOut: number): void;
  getConfig(): Record<string, unknown>;
}

type Dist = 'uniform' | 'normal';
type Mode = 'fanIn' | 'fanOut' | 'fanAvg';

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

function varianceScaling(className: string, scale: number, mode: Mode, dist: Dist, args: SeedArgs | undefined, who: string): Initializer {
  const seed = checkSeed(checkOptions(args, who, ['seed']).seed, who);
  return {
    className,
    fill(out, fanIn, fanOut) {
      const rng = rngFor(seed);
      const n = mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
      const variance = scale / Math.max(1, n);
      if (dist === 'uniform') {
        const limit = Math.sqrt(3 * variance);
        for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) * limit;
      } else {
        // Truncated at 2σ, like TF.js's VarianceScaling with a normal distribution.
        const std = Math.sqrt(variance);
        for (let i = 0; i < out.length; i++) out[i] = rng.truncatedNormal() * std;
      }
    },
    getConfig: () => ({ seed }),
  };
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
      getConfig: () => ({ mean, stddev, seed }),
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
      getConfig: () => ({ minval, maxval, seed }),
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
      getConfig: () => ({ mean, stddev, seed }),
    };
  }),
  glorotUniform: trusted((args?: SeedArgs) => varianceScaling('GlorotUniform', 1, 'fanAvg', 'uniform', args, 'initializers.glorotUniform')),
  glorotNormal: trusted((args?: SeedArgs) => varianceScaling('GlorotNormal', 1, 'fanAvg', 'normal', args, 'initializers.glorotNormal')),
  heUniform: trusted((args?: SeedArgs) => varianceScaling('HeUniform', 2, 'fanIn', 'uniform', args, 'initializers.heUniform')),
  heNormal: trusted((args?: SeedArgs) => varianceScaling('HeNormal', 2, 'fanIn', 'normal', args, 'initializers.heNormal')),
  leCunUniform: trusted((args?: SeedArgs) => varianceScaling('LeCunUniform', 1, 'fanIn', 'uniform', args, 'initializers.leCunUniform')),
  leCunNormal: trusted((args?: SeedArgs) => varianceScaling('LeCunNormal', 1, 'fanIn', 'normal', args, 'initializers.leCunNormal')),
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
    fill(out, fanIn, fanOut) {
      init.fill(out, fanIn, fanOut);
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
