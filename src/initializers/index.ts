/**
 * Weight initializers (TF.js names), all driven by the seeded generator so runs reproduce.
 */
import { globalRandom, Random } from '../random.ts';

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

function constant(value: number, className = 'Constant'): Initializer {
  return {
    className,
    fill: (out) => void out.fill(value),
    getConfig: () => (className === 'Constant' ? { value } : {}),
  };
}

function varianceScaling(className: string, scale: number, mode: Mode, dist: Dist, seed?: number): Initializer {
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

export const initializers = {
  zeros: (): Initializer => constant(0, 'Zeros'),
  ones: (): Initializer => constant(1, 'Ones'),
  constant: ({ value }: { value: number }): Initializer => {
    if (!Number.isFinite(value)) throw new Error(`initializers.constant: value must be a finite number, got ${value}`);
    return constant(value);
  },
  randomNormal: ({ mean = 0, stddev = 0.05, seed }: { mean?: number; stddev?: number } & SeedArgs = {}): Initializer => ({
    className: 'RandomNormal',
    fill(out) {
      const rng = rngFor(seed);
      for (let i = 0; i < out.length; i++) out[i] = mean + stddev * rng.normal();
    },
    getConfig: () => ({ mean, stddev, seed }),
  }),
  randomUniform: ({ minval = -0.05, maxval = 0.05, seed }: { minval?: number; maxval?: number } & SeedArgs = {}): Initializer => ({
    className: 'RandomUniform',
    fill(out) {
      const rng = rngFor(seed);
      for (let i = 0; i < out.length; i++) out[i] = minval + (maxval - minval) * rng.uniform();
    },
    getConfig: () => ({ minval, maxval, seed }),
  }),
  truncatedNormal: ({ mean = 0, stddev = 0.05, seed }: { mean?: number; stddev?: number } & SeedArgs = {}): Initializer => ({
    className: 'TruncatedNormal',
    fill(out) {
      const rng = rngFor(seed);
      for (let i = 0; i < out.length; i++) out[i] = mean + stddev * rng.truncatedNormal();
    },
    getConfig: () => ({ mean, stddev, seed }),
  }),
  glorotUniform: ({ seed }: SeedArgs = {}) => varianceScaling('GlorotUniform', 1, 'fanAvg', 'uniform', seed),
  glorotNormal: ({ seed }: SeedArgs = {}) => varianceScaling('GlorotNormal', 1, 'fanAvg', 'normal', seed),
  heUniform: ({ seed }: SeedArgs = {}) => varianceScaling('HeUniform', 2, 'fanIn', 'uniform', seed),
  heNormal: ({ seed }: SeedArgs = {}) => varianceScaling('HeNormal', 2, 'fanIn', 'normal', seed),
  leCunUniform: ({ seed }: SeedArgs = {}) => varianceScaling('LeCunUniform', 1, 'fanIn', 'uniform', seed),
  leCunNormal: ({ seed }: SeedArgs = {}) => varianceScaling('LeCunNormal', 1, 'fanIn', 'normal', seed),
};

export type InitializerName = keyof typeof initializers;

/** A name (TF.js camelCase) or an initializer object. */
export function getInitializer(init: string | Initializer | undefined, fallback: InitializerName, who: string): Initializer {
  if (init === undefined) return (initializers[fallback] as () => Initializer)();
  if (typeof init !== 'string') {
    if (typeof init?.fill !== 'function') throw new Error(`${who}: expected an initializer name or object`);
    return init;
  }
  const f = (initializers as Record<string, unknown>)[init];
  if (typeof f !== 'function' || init === 'constant') {
    throw new Error(`${who}: unknown initializer '${init}'; expected one of ${Object.keys(initializers).filter((k) => k !== 'constant').join(', ')}`);
  }
  return (f as () => Initializer)();
}
