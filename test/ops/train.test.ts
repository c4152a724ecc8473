// tf.train: each TF.js optimizer constructor, called with the same positional arguments in both
// libraries, trains the same small dense model (same initial weights, same seeded batches) for 5
// steps; every weight must agree with TF.js (cpu backend) to 1e-5 relative (+1e-6 absolute).
// Plus the argument checks: TF.js's defaults, and no argument ignored.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { Adadelta, Adam, Adamax, Momentum, RMSProp, SGD, getOptimizer, optimizers, train } from '../../src/optimizers/index.ts';
import { compareWeights, copyWeightsToTf, initTfjs, randomBatch, Rng, tf, tfl } from '../helpers/tfjs.ts';

const TOL = { rtol: 1e-5, atol: 1e-6 };

beforeAll(async () => {
  await sn.init({ deterministic: true });
  await initTfjs();
});

// tanh hidden units: no gradient is exactly 0 (a dead relu would make TF.js's centered RMSProp
// NaN: see the centered case below).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const build = (L: any) => [
  L.layers.dense({ units: 5, activation: 'tanh', inputShape: [4], name: 'hidden' }),
  L.layers.dense({ units: 3, name: 'out' }),
];

type Args = (number | boolean | null | undefined)[];
interface Case {
  name: keyof typeof train;
  args: Args;
  /** Why this case is here, when it is not obvious. */
  note?: string;
}
const CASES: Case[] = [
  { name: 'sgd', args: [0.1] },
  { name: 'momentum', args: [0.05, 0.9] },
  { name: 'momentum', args: [0.05, 0.8, true] },
  { name: 'adagrad', args: [0.1] },
  { name: 'adagrad', args: [0.05, 0.5] },
  { name: 'rmsprop', args: [0.01] },
  { name: 'rmsprop', args: [0.005, 0.8, 0.5, 1e-6] },
  // TF.js 4.x puts epsilon under the root with the wrong sign (√(ms − mg² − ε)); with a tiny ε
  // both formulas agree wherever TF.js's is defined.
  { name: 'rmsprop', args: [0.005, 0.9, 0.3, 1e-30, true], note: 'centered' },
  { name: 'adam', args: [] },
  { name: 'adam', args: [0.01, 0.8, 0.99, 1e-5] },
  { name: 'adamax', args: [] },
  { name: 'adamax', args: [0.01, 0.85, 0.99, null, 0.1], note: 'with decay' },
  { name: 'adadelta', args: [] },
  { name: 'adadelta', args: [1, 0.9, 1e-6] },
];

describe('tf.train optimizers train like TF.js', () => {
  it.each(CASES.map((c) => [`${c.name}(${c.args.map(String).join(', ')})${c.note ? ` ${c.note}` : ''}`, c] as const))('%s', async (_, c) => {
    sn.setSeed(11);
    const snModel = sn.sequential({ layers: build(sn) });
    const tfModel = tfl.sequential({ layers: build(tfl) });
    copyWeightsToTf(snModel, tfModel);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const snOpt = (train[c.name] as any)(...c.args);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const tfOpt = (tf.train[c.name] as any)(...c.args);
    expect(snOpt.getClassName()).toBe(tfOpt.getClassName());
    snModel.compile({ optimizer: snOpt, loss: 'meanSquaredError' });
    tfModel.compile({ optimizer: tfOpt, loss: 'meanSquaredError' });
    const rng = new Rng(5);
    const trail: string[] = [];
    try {
      for (let s = 1; s <= 5; s++) {
        const x = randomBatch(rng, [6, 4]);
        const y = randomBatch(rng, [6, 3]);
        const a = await snModel.trainOnBatch(sn.tensor(x.values, x.shape), sn.tensor(y.values, y.shape));
        const b = await tfModel.trainOnBatch(tf.tensor(x.values, x.shape), tf.tensor(y.values, y.shape));
        trail.push(`step ${s}: ${a} vs ${b}`);
      }
      const w = compareWeights(snModel, tfModel, TOL);
      expect(w.ratio, `${w.where} (max rel ${w.maxRel.toExponential(2)}); losses ${trail.join('; ')}`).toBeLessThanOrEqual(1);
      // The weights moved: the comparison is not of two untouched models.
      const moved = snModel.getLayer('out').getWeights()[0].dataSync();
      sn.setSeed(11);
      const fresh = sn.sequential({ layers: build(sn) });
      const before = fresh.getLayer('out').getWeights()[0].dataSync();
      expect(Math.max(...moved.map((v, i) => Math.abs(v - before[i])))).toBeGreaterThan(1e-4);
      fresh.dispose();
    } finally {
      snModel.dispose();
      tfModel.dispose();
    }
  });
});

describe('tf.train arguments', () => {
  it('takes TF.js defaults and reports them in getConfig', () => {
    expect(train.adam().getConfig()).toMatchObject({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(train.adamax().getConfig()).toMatchObject({ learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, decay: 0 });
    expect(train.rmsprop(0.01).getConfig()).toMatchObject({ learningRate: 0.01, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false });
    expect(train.adagrad(0.1).getConfig()).toMatchObject({ learningRate: 0.1, initialAccumulatorValue: 0.1 });
    expect(train.momentum(0.1, 0.9).getConfig()).toEqual({ learningRate: 0.1, momentum: 0.9, useNesterov: false });
    expect(train.sgd(0.3).getConfig()).toMatchObject({ learningRate: 0.3 });
    expect(train.adadelta().getConfig()).toMatchObject({ learningRate: 0.001, rho: 0.95, epsilon: 1e-7 });
    // null epsilon is TF.js's "backend epsilon".
    expect(train.adam(0.01, 0.9, 0.999, null).epsilon).toBe(1e-7);
  });

  it('returns the same optimizer classes compile takes', () => {
    expect(train.momentum(0.1, 0.9, true)).toBeInstanceOf(Momentum);
    expect(train.rmsprop(0.1, 0.9, 0, null, true)).toBeInstanceOf(RMSProp);
    expect(train.rmsprop(0.1, 0.9, 0, null, true).slots).toBe(3);
    expect(train.adamax()).toBeInstanceOf(Adamax);
    expect(optimizers.adamax({ decay: 0.5 }).decay).toBe(0.5);
    expect(optimizers.rmsprop({ centered: true }).centered).toBe(true);
    // Nesterov with momentum 0 is plain SGD, as TF.js computes it.
    const n0 = train.momentum(0.1, 0, true);
    expect([n0.slots, n0.useNesterov]).toEqual([0, true]);
  });

  it('compile takes TF.js optimizer names, with TF.js defaults', () => {
    expect(getOptimizer('Adam')).toBeInstanceOf(Adam);
    expect(getOptimizer('SGD').learningRate).toBe(0.01);
    expect(getOptimizer('RMSProp')).toBeInstanceOf(RMSProp);
    expect(getOptimizer('adamax').learningRate).toBe(0.002);
    const d = getOptimizer('Adadelta');
    expect([d instanceof Adadelta, d.learningRate]).toEqual([true, 1]);
    expect(getOptimizer(train.sgd(0.5))).toBeInstanceOf(SGD);
    expect(() => getOptimizer('Nadam')).toThrow(/^compile: unknown optimizer "Nadam"; expected one of .*adadelta \(or SGD, .*RMSProp\)/);
  });

  it('rejects missing, bad and extra arguments by name', () => {
    const bad: [string, () => unknown, RegExp][] = [
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      ['sgd()', () => (train.sgd as any)(), /^train\.sgd: learningRate is required/],
      ['sgd(-1)', () => train.sgd(-1), /^train\.sgd: learningRate: expected a positive number, got -1/],
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      ['sgd(0.1, 0.9)', () => (train.sgd as any)(0.1, 0.9), /^train\.sgd: takes at most 1 argument \(learningRate\), got 2/],
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      ['momentum(0.1)', () => (train.momentum as any)(0.1), /^train\.momentum: momentum is required/],
      ['momentum NaN', () => train.momentum(0.1, NaN), /^train\.momentum: momentum: .*got NaN/],
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      ['momentum useNesterov "yes"', () => train.momentum(0.1, 0.9, 'yes' as any), /^train\.momentum: useNesterov: expected true or false, got "yes"/],
      ['adagrad init -1', () => train.adagrad(0.1, -1), /^train\.adagrad: initialAccumulatorValue: expected a number >= 0, got -1/],
      ['rmsprop decay 1', () => train.rmsprop(0.1, 1), /^train\.rmsprop: decay: expected a number in \[0, 1\), got 1/],
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      ['rmsprop centered 1', () => train.rmsprop(0.1, 0.9, 0, null, 1 as any), /^train\.rmsprop: centered: expected true or false, got 1/],
      ['adam beta2 1', () => train.adam(0.001, 0.9, 1), /^train\.adam: beta2: expected a number in \[0, 1\), got 1/],
      ['adam epsilon 0', () => train.adam(0.001, 0.9, 0.999, 0), /^train\.adam: epsilon: expected a positive number, got 0/],
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      ['adam 5 args', () => (train.adam as any)(0.001, 0.9, 0.999, null, 0.01), /^train\.adam: takes at most 4 arguments .* got 5/],
      ['adadelta rho 1', () => train.adadelta(1, 1), /^train\.adadelta: rho: expected a number in \[0, 1\), got 1/],
      ['adamax decay -1', () => train.adamax(0.002, 0.9, 0.999, null, -1), /^train\.adamax: decay: expected a number >= 0, got -1/],
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      ['adamax lr string', () => train.adamax('0.1' as any), /^train\.adamax: learningRate: expected a positive number, got "0.1"/],
    ];
    for (const [label, f, re] of bad) expect(f, label).toThrow(re);
  });
});
