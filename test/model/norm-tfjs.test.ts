// BatchNormalization and LayerNormalization against TensorFlow.js (cpu backend): the same
// Sequential model built by one builder in both libraries, TF.js given simdnet's weights (moving
// statistics included, all of them randomized), then predict, 5 SGD trainOnBatch steps on the
// same seeded batches, and predict again. Losses and every weight (moving mean and variance
// included) agree to 1e-5 relative (+1e-6 absolute). Then files: simdnet saves → TF.js loads
// and predicts the same, TF.js saves → simdnet loads and predicts the same. Gradient checks in
// training mode (batch statistics), the non-trainable bookkeeping, and option errors.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import type { Layer as SnLayer } from '../../src/layers/layer.ts';
import { caseBatch, comparePredict, expectFilesBothWays, expectParity, type SequentialCase, sequentialPair, snT, trainLockstep, values } from '../helpers/parity.ts';
import { initTfjs, noDiff, Rng, tfl } from '../helpers/tfjs.ts';

const TOL = { rtol: 1e-5, atol: 1e-6 };

beforeAll(async () => {
  await sn.init({ deterministic: true });
  await initTfjs();
});

type Case = SequentialCase;

const layersOf = (lib: 'sn' | 'tf') => (lib === 'sn' ? sn.layers : tfl.layers);

const CASES: Case[] = [
  {
    title: 'dense → batchNormalization → relu → dense',
    build: (L) => [
      L.dense({ units: 8, inputShape: [6], name: 'd1', biasInitializer: 'randomNormal' }),
      L.batchNormalization({ name: 'bn' }),
      L.activation({ activation: 'relu', name: 'act' }),
      L.dense({ units: 3, activation: 'softmax', name: 'd2' }),
    ],
    inputShape: [6],
    classes: 3,
    batch: 16,
  },
  {
    title: 'conv2d → batchNormalization → relu → maxPooling2d → dense',
    build: (L) => [
      L.conv2d({ filters: 5, kernelSize: 3, padding: 'same', inputShape: [8, 8, 2], name: 'c1', biasInitializer: 'randomNormal' }),
      L.batchNormalization({ name: 'bn', momentum: 0.9, epsilon: 1e-2 }),
      L.activation({ activation: 'relu', name: 'act' }),
      L.maxPooling2d({ poolSize: 2, name: 'pool' }),
      L.flatten({ name: 'flat' }),
      L.dense({ units: 4, activation: 'softmax', name: 'd2' }),
    ],
    inputShape: [8, 8, 2],
    classes: 4,
    batch: 6,
  },
  {
    title: 'dense → layerNormalization → dense',
    build: (L) => [
      L.dense({ units: 7, activation: 'tanh', inputShape: [5], name: 'd1', biasInitializer: 'randomNormal' }),
      L.layerNormalization({ name: 'ln' }),
      L.dense({ units: 3, activation: 'softmax', name: 'd2' }),
    ],
    inputShape: [5],
    classes: 3,
    batch: 8,
  },
];

/** Every weight seeded: gamma near 1, beta and moving mean around 0, moving variance positive. */
function randomize(m: sn.LayersModel, seed: number): void {
  for (const layer of m.layers) {
    const ws = layer.getWeights();
    if (ws.length === 0) continue;
    const names = layer.params.map((p) => p.name);
    layer.setWeights(
      ws.map((w, i) => {
        const [lo, hi] = names[i] === 'gamma' ? [0.5, 1.5] : names[i] === 'moving_variance' ? [0.2, 2] : [-0.5, 0.5];
        return sn.tensor(values(seed + 31 * i + layer.name.length, w.size, lo, hi), [...w.shape]);
      }),
    );
  }
}

const makeModels = (c: Case, seed: number) => sequentialPair(c, seed, layersOf('sn'), layersOf('tf'), (m) => randomize(m, seed));
const batch = caseBatch;

describe('normalization layers agree with TF.js (cpu): predict, 5 SGD steps, every weight', () => {
  for (const c of CASES) {
    it(c.title, async () => {
      const { snModel, tfModel } = makeModels(c, 11);
      const rng = new Rng(4242);
      const pred = noDiff();
      try {
        expect(snModel.countParams()).toBe(tfModel.countParams());
        // Inference: the (randomized) moving statistics.
        comparePredict(snModel, tfModel, batch(c, rng).x, 'predict before', TOL, pred);
        const r = await trainLockstep(snModel, tfModel, { learningRate: 0.1, steps: 5, tol: TOL, next: () => batch(c, rng) });
        comparePredict(snModel, tfModel, batch(c, rng).x, 'predict after', TOL, pred);
        expectParity(`[norm vs TF.js] ${c.title}`, pred, r);
        // The moving statistics did move (training), and match TF.js's (compared above).
        const bn = snModel.layers.find((l) => l.className === 'BatchNormalization');
        if (bn) {
          const mm = bn.getWeights()[2].dataSync();
          expect(Array.from(mm).some((v, i) => Math.abs(v - values(11 + 62 + bn.name.length, mm.length, -0.5, 0.5)[i]) > 1e-4)).toBe(true);
        }
      } finally {
        snModel.dispose();
        tfModel.dispose();
      }
    });
  }
});

// ------------------------------------------------------------------------------ files both ways

describe('normalization layers in model files', () => {
  for (const c of CASES) {
    it(`${c.title}: simdnet saves → TF.js loads, TF.js saves → simdnet loads; both predict the same`, async () => {
      const { snModel, tfModel } = makeModels(c, 23);
      try {
        await expectFilesBothWays(snModel, tfModel, batch(c, new Rng(5)).x, TOL, ({ snFile, back }) => {
          const names = (snFile.weightSpecs ?? []).map((s) => s.name);
          const norm = c.build(layersOf('sn'))[1] as SnLayer;
          if (norm.className === 'BatchNormalization') {
            expect(names).toEqual(expect.arrayContaining(['bn/gamma', 'bn/beta', 'bn/moving_mean', 'bn/moving_variance']));
            // TF.js's order: trainable weights first, then the moving statistics.
            expect(names.slice(-2)).toEqual(['bn/moving_mean', 'bn/moving_variance']);
          }
          // simdnet's own file round-trips to the same config.
          expect(back.layers[1].getConfig()).toEqual(snModel.layers[1].getConfig());
        });
      } finally {
        snModel.dispose();
        tfModel.dispose();
      }
    });
  }
});

// ------------------------------------------------------------------------------ gradients

/**
 * The conv case through smooth functions: a conv weight moves a whole channel's batch
 * statistics, so under relu and max-pooling a finite-difference step crosses kinks everywhere.
 */
const GRAD_CASES: Case[] = [
  CASES[0],
  {
    ...CASES[1],
    title: 'conv2d → batchNormalization → tanh → dense',
    build: (L) => [
      L.conv2d({ filters: 5, kernelSize: 3, padding: 'same', inputShape: [8, 8, 2], name: 'c1', biasInitializer: 'randomNormal' }),
      L.batchNormalization({ name: 'bn', momentum: 0.9, epsilon: 1e-2 }),
      L.activation({ activation: 'tanh', name: 'act' }),
      L.flatten({ name: 'flat' }),
      L.dense({ units: 4, activation: 'softmax', name: 'd2' }),
    ],
  },
  CASES[2],
];

describe('gradient checks in training mode (batch statistics)', () => {
  for (const c of GRAD_CASES) {
    it(c.title, () => {
      sn.setSeed(3);
      const m = sn.sequential({ layers: c.build(layersOf('sn')) as SnLayer[] });
      randomize(m, 3);
      m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
      const b = batch(c, new Rng(9));
      const r = sn.utils.checkGradients(m, snT(b.x), snT(b.y), { training: true });
      expect(r.checked).toBeGreaterThan(20);
      expect(r.maxError, JSON.stringify(r.perLayer)).toBeLessThan(1e-3);
      m.dispose();
    });
  }
});

// ------------------------------------------------------------------------------ bookkeeping

describe('BatchNormalization bookkeeping', () => {
  it('moving statistics are non-trainable: summary, trainableWeights, untouched by the optimizer in inference, updated only by training', async () => {
    sn.setSeed(1);
    const m = sn.sequential({ layers: [sn.layers.dense({ units: 4, inputShape: [3], name: 'd' }), sn.layers.batchNormalization({ name: 'bn' })] });
    const lines: string[] = [];
    m.summary(undefined, (l: string) => lines.push(l));
    expect(lines).toContain('Total params: 32');
    expect(lines).toContain('Trainable params: 24');
    expect(lines).toContain('Non-trainable params: 8');
    expect(m.trainableWeights.map((w) => w.name)).toEqual(['d/kernel', 'd/bias', 'bn/gamma', 'bn/beta']);
    expect(m.nonTrainableWeights.map((w) => w.name)).toEqual(['bn/moving_mean', 'bn/moving_variance']);
    // Adam with weight decay would move any weight it is given, gradient or not.
    m.compile({ optimizer: sn.optimizers.adamw({ learningRate: 0.1, weightDecay: 0.5 }), loss: 'meanSquaredError' });
    const x = sn.tensor(values(1, 30, -1, 1), [10, 3]);
    const y = sn.tensor(values(2, 40, -1, 1), [10, 4]);
    const before = m.getWeights().map((w) => Array.from(w.dataSync()));
    m.predict(x);
    await m.evaluate(x, y);
    expect(m.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
    // One step: the moving statistics move by exactly one momentum step toward the batch's.
    const bn = m.getLayer('bn');
    const h = sn.tensor(m.getLayer('d').apply(x).dataSync(), [10, 4]);
    const hv = h.dataSync();
    await m.trainOnBatch(x, y);
    const [, , mm, mv] = bn.getWeights().map((w) => w.dataSync());
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let r = 0; r < 10; r++) s += hv[r * 4 + j];
      const mean = s / 10;
      let q = 0;
      for (let r = 0; r < 10; r++) q += (hv[r * 4 + j] - mean) ** 2;
      expect(mm[j]).toBeCloseTo(0 - (0 - mean) * 0.01, 6);
      expect(mv[j]).toBeCloseTo(1 - (1 - q / 10) * 0.01, 6);
    }
    m.dispose();
  });

  it('eager apply uses the moving statistics, or the batch statistics with { training: true }', () => {
    const bn = sn.layers.batchNormalization({ epsilon: 0 });
    const x = sn.tensor([1, 10, 3, 20, 5, 60], [3, 2]);
    // Inference: moving mean 0, variance 1 → the identity.
    expect(Array.from((bn.apply(x) as sn.Tensor).dataSync())).toEqual([1, 10, 3, 20, 5, 60]);
    const t = (bn.apply(x, { training: true }) as sn.Tensor).dataSync();
    const want = [-1.2247449, -0.9258201, 0, -0.46291006, 1.2247449, 1.3887302];
    want.forEach((v, i) => expect(t[i]).toBeCloseTo(v, 5));
  });

  it('works on [steps, features] inputs (rows of every step) and without center / scale', () => {
    sn.setSeed(2);
    const m = sn.sequential({ layers: [sn.layers.batchNormalization({ inputShape: [3, 4], center: false, scale: false, name: 'bn' })] });
    expect(m.getLayer('bn').getWeights().length).toBe(2);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = sn.tensor(values(3, 24, -1, 1), [2, 3, 4]);
    const r = sn.utils.checkGradients(m, x, sn.tensor(values(4, 24, -1, 1), [2, 3, 4]), { training: true });
    expect(r.maxError).toBeLessThan(1e-3);
    m.dispose();
  });
});

describe('normalization options', () => {
  it('refuses unknown options, bad values and axes other than the last, naming them', () => {
    expect(() => sn.layers.batchNormalization({ momentun: 0.9 } as never)).toThrow(/momentun/);
    expect(() => sn.layers.batchNormalization({ momentum: 1.5 })).toThrow(/momentum.*1\.5/);
    expect(() => sn.layers.batchNormalization({ epsilon: -1 })).toThrow(/epsilon/);
    expect(() => sn.layers.batchNormalization({ center: 'yes' as never })).toThrow(/center/);
    expect(() => sn.layers.batchNormalization({ axis: 1.5 })).toThrow(/axis/);
    expect(() => sn.layers.batchNormalization({ gammaInitializer: 'nope' })).toThrow(/gammaInitializer.*nope/);
    expect(() => sn.layers.layerNormalization({ axis: 'x' as never })).toThrow(/axis/);
    expect(() => sn.layers.layerNormalization({ momentum: 0.9 } as never)).toThrow(/momentum/);
    const inp = sn.input({ shape: [4, 4, 3] });
    expect(() => sn.layers.batchNormalization({ axis: 1, name: 'b1' }).apply(inp)).toThrow(/b1: axis 1 .*last axis \(-1 or 3\)/);
    expect(() => sn.layers.layerNormalization({ axis: [1, 2], name: 'l1' }).apply(inp)).toThrow(/l1: axis/);
    // The last axis by its index is fine, and TF.js's built config ([rank − 1]) reads back.
    const ln = sn.layers.layerNormalization({ axis: 3 });
    ln.apply(inp);
    expect(ln.getConfig().axis).toEqual([3]);
    expect(sn.layers.batchNormalization({ axis: 3 }).apply(inp).shape).toEqual([null, 4, 4, 3]);
  });

  it('getConfig writes TF.js keys and defaults', () => {
    const c = sn.layers.batchNormalization({ name: 'bn_cfg' }).getConfig();
    expect(c).toMatchObject({ axis: -1, momentum: 0.99, epsilon: 1e-3, center: true, scale: true, name: 'bn_cfg', trainable: true, betaConstraint: null, gammaConstraint: null });
    expect(c.gammaInitializer).toEqual({ className: 'Ones', config: {} });
    expect(c.movingVarianceInitializer).toEqual({ className: 'Ones', config: {} });
    const tfc = tfl.layers.batchNormalization({ name: 'bn_cfg' }).getConfig();
    // Every key TF.js writes (its dtype and activity regularizer aside, which save.ts handles).
    const skip = new Set(['dtype', 'activityRegularizer']);
    expect(Object.keys(c).sort()).toEqual(Object.keys(tfc).filter((k) => !skip.has(k)).sort());
    const l = sn.layers.layerNormalization({ name: 'ln_cfg' }).getConfig();
    const tl = tfl.layers.layerNormalization({ name: 'ln_cfg' }).getConfig();
    expect(Object.keys(l).sort()).toEqual(Object.keys(tl).filter((k) => !skip.has(k)).sort());
  });
});
