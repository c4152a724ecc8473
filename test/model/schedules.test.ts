// Learning-rate schedules (optimizers.schedules.*, Keras's formulas) and plain functions of the
// step: each schedule against Keras's formula written out independently here, at many steps;
// training with a schedule equals training with the same rates set by hand, step by step, bit
// for bit; the tf.train positional forms take them too; Keras's config; errors; no allocation.
import { beforeAll, describe, expect, it } from 'vitest';
import { backendInfo, init, layers, optimizers, sequential, setSeed, tensor, train, type LayersModel, type Tensor } from '../../src/index.ts';
import { LearningRateSchedule } from '../../src/optimizers/schedules.ts';
import { Optimizer } from '../../src/optimizers/index.ts';
import { backend } from '../../src/wasm/loader.ts';
import { Random } from '../../src/random.ts';

const S = optimizers.schedules;

beforeAll(async () => {
  await init({ deterministic: true });
});

// Keras's keras/optimizers/schedules/learning_rate_schedule.py, transcribed line by line.
const keras = {
  exponential: (lr0: number, ds: number, rate: number, stair: boolean) => (step: number) => {
    let p = step / ds;
    if (stair) p = Math.floor(p);
    return lr0 * Math.pow(rate, p);
  },
  inverseTime: (lr0: number, ds: number, rate: number, stair: boolean) => (step: number) => {
    let p = step / ds;
    if (stair) p = Math.floor(p);
    return lr0 / (1 + rate * p);
  },
  polynomial: (lr0: number, ds: number, end: number, power: number, cycle: boolean) => (step: number) => {
    let decaySteps = ds;
    let s = step;
    if (cycle) decaySteps = ds * (s === 0 ? 1 : Math.ceil(s / ds));
    else s = Math.min(s, ds);
    return (lr0 - end) * Math.pow(1 - s / decaySteps, power) + end;
  },
  piecewise: (b: number[], v: number[]) => (step: number) => {
    if (step <= b[0]) return v[0];
    for (let i = 1; i < b.length; i++) if (step > b[i - 1] && step <= b[i]) return v[i];
    return v[v.length - 1];
  },
  cosine: (lr0: number, ds: number, alpha: number, target: number | null, warm: number) => (step: number) => {
    const decay = (s: number, from: number) => from * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * (s / ds))) + alpha);
    if (target === null) return decay(Math.min(step, ds), lr0);
    const s = Math.min(step, ds + warm);
    return s < warm ? (target - lr0) * (s / warm) + lr0 : decay(s - warm, target);
  },
};

const STEPS = [...Array.from({ length: 120 }, (_, i) => i), 150, 199, 200, 201, 999, 1000, 1001, 12345];

function expectSchedule(s: LearningRateSchedule, f: (step: number) => number): void {
  for (const step of STEPS) {
    const want = f(step);
    const got = s.call(step);
    expect(Math.abs(got - want), `step ${step}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(want)));
  }
}

describe('schedules against Keras formulas', () => {
  it('exponentialDecay, smooth and staircase', () => {
    expectSchedule(S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.96 }), keras.exponential(0.1, 10, 0.96, false));
    expectSchedule(S.exponentialDecay({ initialLearningRate: 0.5, decaySteps: 7, decayRate: 0.5, staircase: true }), keras.exponential(0.5, 7, 0.5, true));
    // Spot values: lr0 · 0.5^(step/7), floored.
    const s = S.exponentialDecay({ initialLearningRate: 0.5, decaySteps: 7, decayRate: 0.5, staircase: true });
    expect([0, 6, 7, 13, 14].map((t) => s.call(t))).toEqual([0.5, 0.5, 0.25, 0.25, 0.125]);
  });
  it('inverseTimeDecay, smooth and staircase', () => {
    expectSchedule(S.inverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 }), keras.inverseTime(0.1, 1, 0.5, false));
    expectSchedule(S.inverseTimeDecay({ initialLearningRate: 0.2, decaySteps: 25, decayRate: 2, staircase: true }), keras.inverseTime(0.2, 25, 2, true));
    expect(S.inverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 }).call(2)).toBeCloseTo(0.05, 15);
  });
  it('polynomialDecay: linear, power 2, cycle', () => {
    expectSchedule(S.polynomialDecay({ initialLearningRate: 0.1, decaySteps: 100 }), keras.polynomial(0.1, 100, 0.0001, 1, false));
    expectSchedule(S.polynomialDecay({ initialLearningRate: 0.1, decaySteps: 30, endLearningRate: 0.01, power: 2 }), keras.polynomial(0.1, 30, 0.01, 2, false));
    expectSchedule(S.polynomialDecay({ initialLearningRate: 0.1, decaySteps: 30, endLearningRate: 0.01, power: 0.5, cycle: true }), keras.polynomial(0.1, 30, 0.01, 0.5, true));
    const s = S.polynomialDecay({ initialLearningRate: 1, decaySteps: 10, endLearningRate: 0, cycle: true });
    // Cycle: at step 10 the rate is the end rate, at 11 it restarts from a decay over 20 steps.
    expect([0, 5, 10, 11, 20].map((t) => s.call(t))).toEqual([1, 0.5, 0, 1 - 11 / 20, 0]);
  });
  it('piecewiseConstantDecay: values[i] up to and including boundaries[i]', () => {
    expectSchedule(S.piecewiseConstantDecay({ boundaries: [10, 50, 200], values: [1, 0.5, 0.1, 0.01] }), keras.piecewise([10, 50, 200], [1, 0.5, 0.1, 0.01]));
    const s = S.piecewiseConstantDecay({ boundaries: [100000, 110000], values: [1.0, 0.5, 0.1] });
    expect([0, 100000, 100001, 110000, 110001].map((t) => s.call(t))).toEqual([1.0, 1.0, 0.5, 0.5, 0.1]);
  });
  it('cosineDecay: alpha, warmup', () => {
    expectSchedule(S.cosineDecay({ initialLearningRate: 0.1, decaySteps: 100 }), keras.cosine(0.1, 100, 0, null, 0));
    expectSchedule(S.cosineDecay({ initialLearningRate: 0.1, decaySteps: 60, alpha: 0.2 }), keras.cosine(0.1, 60, 0.2, null, 0));
    expectSchedule(S.cosineDecay({ initialLearningRate: 0, decaySteps: 80, warmupTarget: 0.3, warmupSteps: 20, alpha: 0.1 }), keras.cosine(0, 80, 0.1, 0.3, 20));
    const s = S.cosineDecay({ initialLearningRate: 0.01, decaySteps: 10, warmupTarget: 0.1, warmupSteps: 5 });
    expect(s.call(0)).toBeCloseTo(0.01, 15);
    expect(s.call(5)).toBeCloseTo(0.1, 15); // warmup done: the cosine starts from the target
    expect(s.call(10)).toBeCloseTo(0.05, 15); // half way down
    expect(s.call(15)).toBeCloseTo(0, 15);
    expect(s.call(1000)).toBeCloseTo(0, 15);
  });
  it('Keras config, snake_case, with defaults filled in', () => {
    expect(S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9 }).serialize()).toEqual({
      class_name: 'ExponentialDecay',
      config: { initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.9, staircase: false, name: 'ExponentialDecay' },
    });
    expect(S.polynomialDecay({ initialLearningRate: 0.1, decaySteps: 10 }).serialize().config).toEqual({ initial_learning_rate: 0.1, decay_steps: 10, end_learning_rate: 0.0001, power: 1, cycle: false, name: 'PolynomialDecay' });
    expect(S.piecewiseConstantDecay({ boundaries: [5], values: [1, 2] }).serialize()).toEqual({ class_name: 'PiecewiseConstantDecay', config: { boundaries: [5], values: [1, 2], name: 'PiecewiseConstant' } });
    expect(S.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10 }).serialize().config).toEqual({ initial_learning_rate: 0.1, decay_steps: 10, alpha: 0, name: 'CosineDecay', warmup_target: null, warmup_steps: 0 });
    expect(S.inverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 1, name: 'itd' }).serialize().config.name).toBe('itd');
  });
  it('options are checked, naming the schedule and the option', () => {
    expect(() => S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.9 })).toThrow(/exponentialDecay: decaySteps/);
    expect(() => S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10 } as never)).toThrow(/exponentialDecay: decayRate is required/);
    expect(() => S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9, stairCase: true } as never)).toThrow(/unknown option stairCase/);
    expect(() => S.inverseTimeDecay({ initialLearningRate: NaN, decaySteps: 10, decayRate: 1 })).toThrow(/inverseTimeDecay: initialLearningRate/);
    expect(() => S.polynomialDecay({ initialLearningRate: 0.1, decaySteps: 10, power: -1 })).toThrow(/polynomialDecay: power/);
    expect(() => S.polynomialDecay({ initialLearningRate: 0.1, decaySteps: 10, cycle: 1 as never })).toThrow(/polynomialDecay: cycle: expected true or false/);
    expect(() => S.piecewiseConstantDecay({ boundaries: [10, 5], values: [1, 2, 3] })).toThrow(/boundaries must increase/);
    expect(() => S.piecewiseConstantDecay({ boundaries: [10], values: [1] })).toThrow(/one more rate than boundaries/);
    expect(() => S.piecewiseConstantDecay({ boundaries: 10 as never, values: [1, 2] })).toThrow(/boundaries must be an array/);
    expect(() => S.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, alpha: 2 })).toThrow(/cosineDecay: alpha/);
    expect(() => S.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, warmupSteps: 5 })).toThrow(/needs a warmupTarget/);
    expect(() => S.cosineDecay(undefined as never)).toThrow(/cosineDecay: expected an options object/);
  });
});

// ---------------------------------------------------------------------------------------------
// Training with a schedule
// ---------------------------------------------------------------------------------------------

function batches(n: number): { x: Tensor; y: Tensor }[] {
  const r = new Random(5);
  return Array.from({ length: n }, () => ({
    x: tensor(Float32Array.from({ length: 8 * 5 }, () => r.normal()), [8, 5]),
    y: tensor(Int32Array.from({ length: 8 }, () => Math.floor(r.uniform() * 3)), [8], 'int32'),
  }));
}
function net(): LayersModel {
  setSeed(11);
  return sequential({ layers: [layers.dense({ units: 7, activation: 'tanh', inputShape: [5] }), layers.dense({ units: 3, activation: 'softmax' })] });
}
const flat = (m: LayersModel) => Float32Array.from(m.getWeights().flatMap((w) => Array.from(w.dataSync())));

/** Trains one model with the scheduled optimizer and its twin with the rate set by hand before each step. */
async function sameAsByHand(scheduled: Optimizer, byHand: Optimizer, rate: (step: number) => number, steps = 12) {
  const a = net();
  const b = net();
  a.compile({ optimizer: scheduled, loss: 'sparseCategoricalCrossentropy' });
  b.compile({ optimizer: byHand, loss: 'sparseCategoricalCrossentropy' });
  b.setWeights(a.getWeights());
  const data = batches(steps);
  const lossesA: number[] = [];
  const lossesB: number[] = [];
  for (let i = 0; i < steps; i++) {
    expect(scheduled.learningRate).toBe(rate(i));
    lossesA.push((await a.trainOnBatch(data[i].x, data[i].y)) as number);
    byHand.learningRate = rate(i);
    lossesB.push((await b.trainOnBatch(data[i].x, data[i].y)) as number);
  }
  expect(scheduled.iterations).toBe(steps);
  expect(lossesA).toEqual(lossesB);
  expect(flat(a)).toEqual(flat(b));
  return { a, b };
}

describe('training with a schedule equals training with the rates set by hand', () => {
  it('sgd with exponentialDecay (staircase), step = iterations, 0 at the first step', async () => {
    const s = S.exponentialDecay({ initialLearningRate: 0.5, decaySteps: 3, decayRate: 0.5, staircase: true });
    await sameAsByHand(optimizers.sgd({ learningRate: s }), optimizers.sgd({ learningRate: 1 }), (t) => s.call(t));
  });
  it('adam with cosineDecay and warmup (bias correction and rate both follow iterations)', async () => {
    const s = S.cosineDecay({ initialLearningRate: 0.001, decaySteps: 8, warmupTarget: 0.05, warmupSteps: 4, alpha: 0.1 });
    await sameAsByHand(optimizers.adam({ learningRate: s }), optimizers.adam({ learningRate: 1 }), (t) => s.call(t));
  });
  it('momentum, rmsprop, adagrad, adamax, adadelta, adamw with polynomial / piecewise / inverse-time schedules', async () => {
    const p = S.polynomialDecay({ initialLearningRate: 0.2, decaySteps: 6, endLearningRate: 0.01, power: 2, cycle: true });
    const pw = S.piecewiseConstantDecay({ boundaries: [2, 5], values: [0.1, 0.05, 0.02] });
    const it = S.inverseTimeDecay({ initialLearningRate: 0.05, decaySteps: 2, decayRate: 1 });
    await sameAsByHand(optimizers.momentum({ learningRate: p, nesterov: true }), optimizers.momentum({ learningRate: 1, nesterov: true }), (t) => p.call(t));
    await sameAsByHand(optimizers.rmsprop({ learningRate: pw, centered: true }), optimizers.rmsprop({ learningRate: 1, centered: true }), (t) => pw.call(t));
    await sameAsByHand(optimizers.adagrad({ learningRate: it }), optimizers.adagrad({ learningRate: 1 }), (t) => it.call(t));
    await sameAsByHand(optimizers.adamax({ learningRate: it, decay: 0.1 }), optimizers.adamax({ learningRate: 1, decay: 0.1 }), (t) => it.call(t));
    await sameAsByHand(optimizers.adadelta({ learningRate: pw }), optimizers.adadelta({ learningRate: 1 }), (t) => pw.call(t));
    await sameAsByHand(optimizers.adamw({ learningRate: p }), optimizers.adamw({ learningRate: 1 }), (t) => p.call(t));
  });
  it('a plain function of the step, called once per step', async () => {
    const calls: number[] = [];
    const f = (step: number) => {
      calls.push(step);
      return 0.3 / (1 + step);
    };
    await sameAsByHand(optimizers.sgd({ learningRate: f }), optimizers.sgd({ learningRate: 1 }), (t) => 0.3 / (1 + t), 6);
    // Once per step by the training loop (the test's own reads share the step's cached value).
    expect(calls).toEqual([0, 1, 2, 3, 4, 5]);
  });
  it("tf.train's positional forms take schedules", async () => {
    const s = S.exponentialDecay({ initialLearningRate: 0.2, decaySteps: 2, decayRate: 0.7 });
    await sameAsByHand(train.sgd(s), train.sgd(1), (t) => s.call(t));
    await sameAsByHand(train.momentum(s, 0.9), train.momentum(1, 0.9), (t) => s.call(t));
    await sameAsByHand(train.adam(s), train.adam(1), (t) => s.call(t));
    await sameAsByHand(train.rmsprop(s), train.rmsprop(1), (t) => s.call(t));
    await sameAsByHand(train.adagrad(s), train.adagrad(1), (t) => s.call(t));
  });
  it('fit with a schedule: the rate follows the step count across epochs', async () => {
    const s = S.piecewiseConstantDecay({ boundaries: [3], values: [0.2, 0.02] });
    const opt = optimizers.sgd({ learningRate: s });
    const m = net();
    m.compile({ optimizer: opt, loss: 'sparseCategoricalCrossentropy' });
    const d = batches(1)[0];
    await m.fit(d.x, d.y, { epochs: 3, batchSize: 4, verbose: 0, shuffle: false }); // 2 steps per epoch
    expect(opt.iterations).toBe(6);
    expect(opt.learningRate).toBe(0.02);
  });
  it('a step allocates nothing in the arena with a schedule', async () => {
    const m = net();
    m.compile({ optimizer: optimizers.adam({ learningRate: S.cosineDecay({ initialLearningRate: 0.01, decaySteps: 30 }) }), loss: 'sparseCategoricalCrossentropy' });
    const d = batches(1)[0];
    await m.trainOnBatch(d.x, d.y);
    const top = backend().arena.top;
    const bytes = backendInfo().memoryBytes;
    for (let i = 0; i < 30; i++) await m.trainOnBatch(d.x, d.y);
    expect(backend().arena.top).toBe(top);
    expect(backendInfo().memoryBytes).toBe(bytes);
  });
});

describe('schedules: rules and serialisation', () => {
  it('a scheduled rate cannot be set (Keras refuses too); a fixed one can', () => {
    const o = optimizers.adam({ learningRate: S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9 }) });
    expect(() => {
      o.learningRate = 0.5;
    }).toThrow(/follows a ExponentialDecay schedule, so it cannot be set/);
    expect(o.learningRate).toBe(0.1);
    const f = optimizers.sgd({ learningRate: 0.1 });
    f.learningRate = 0.05;
    expect(f.learningRate).toBe(0.05);
    expect(f.learningRateSchedule).toBeNull();
  });
  it('a function returning a bad rate fails the step, naming the step and the value', async () => {
    const m = net();
    m.compile({ optimizer: optimizers.sgd({ learningRate: (step: number) => (step < 1 ? 0.1 : NaN) }), loss: 'sparseCategoricalCrossentropy' });
    const d = batches(1)[0];
    await m.trainOnBatch(d.x, d.y);
    await expect(m.trainOnBatch(d.x, d.y)).rejects.toThrow(/optimizers\.sgd: the learning-rate function returned NaN at step 1/);
  });
  it('getConfig: a schedule as Keras serialises it; a plain function cannot be serialised', () => {
    const s = S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9 });
    expect(optimizers.sgd({ learningRate: s }).getConfig()).toEqual({ learningRate: s.serialize(), momentum: 0, nesterov: false });
    expect(train.momentum(s, 0.5).getConfig()).toEqual({ learningRate: s.serialize(), momentum: 0.5, useNesterov: false });
    expect(() => optimizers.adam({ learningRate: (t: number) => 1 / (t + 1) }).getConfig()).toThrow(/plain function, which cannot be serialised/);
  });
  it('save: a plain-function rate is a clear error; includeOptimizer: false saves', async () => {
    const m = net();
    m.compile({ optimizer: optimizers.sgd({ learningRate: () => 0.1 }), loss: 'sparseCategoricalCrossentropy' });
    const saved: unknown[] = [];
    const sink = { save: async (a: unknown) => (saved.push(a), { modelArtifactsInfo: {} }) };
    await expect(m.save(sink)).rejects.toThrow(/plain function, which cannot be serialised/);
    await m.save(sink, { includeOptimizer: false });
    expect(saved).toHaveLength(1);
  });
  it('learningRate of another type is refused, naming the optimizer', () => {
    expect(() => optimizers.sgd({ learningRate: '0.1' as never })).toThrow(/optimizers\.sgd: learningRate/);
    expect(() => optimizers.sgd({ learningRate: { call: () => 1 } as never })).toThrow(/optimizers\.sgd: learningRate/);
  });
});
