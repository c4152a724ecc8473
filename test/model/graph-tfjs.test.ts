// Functional (graph) models against TensorFlow.js: the same architecture built by one builder in
// both libraries, TF.js given simdnet's initial weights layer by layer (by name), then the same
// seeded batches through predict and a few SGD trainOnBatch steps. Predictions, losses (total
// and per output) and every weight must agree to 1e-5 relative (+1e-6 absolute): both sides
// compute in float32, so only rounding separates them.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import {
  type Batch,
  type Closeness,
  closeness,
  compareWeights,
  copyWeightsToTf,
  initTfjs,
  noDiff,
  randomBatch,
  randomLabels,
  Rng,
  tf,
  tfl,
  tfLib,
  tfOutputs,
  tfLossArgs,
  tfLosses,
  weightedLayers,
} from '../helpers/tfjs.ts';

const TOL = { rtol: 1e-5, atol: 1e-6 };

beforeAll(async () => {
  await sn.init({ deterministic: true });
  await initTfjs();
});

/**
 * `sn` and `tfl` share the TF.js factory names (input, model, layers.*), so one builder makes
 * both graphs. Typed loosely on purpose: the two libraries' option types differ in detail.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Lib = any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Sym = any;

interface Target {
  /** Loss name, as compile takes it (same string in both libraries). */
  loss: string;
  /** Makes this output's batch of targets. */
  make(rng: Rng, n: number): Batch;
}
const sparseTarget = (classes: number): Target => ({ loss: 'sparseCategoricalCrossentropy', make: (r, n) => randomLabels(r, n, classes) });
const mseTarget = (shape: number[]): Target => ({ loss: 'meanSquaredError', make: (r, n) => randomBatch(r, [n, ...shape]) });

interface Case {
  title: string;
  build(L: Lib): { inputs: Sym | Sym[]; outputs: Sym | Sym[] };
  /** Per-sample shapes of the inputs, in input order. */
  inputShapes: number[][];
  targets: Target[];
  lossWeights?: number[];
  batch?: number;
  steps?: number;
  lr?: number;
}

const snT = (b: Batch) => sn.tensor(b.values, b.shape, b.dtype);
const tfX = (b: Batch) => tf.tensor(b.values, b.shape, b.dtype);
/** TF.js's sparse cross-entropy takes float labels of shape [n, 1]. */
const tfY = (b: Batch, t: Target) =>
  t.loss === 'sparseCategoricalCrossentropy' ? tf.tensor(Float32Array.from(b.values), [b.shape[0], 1]) : tfX(b);
const one = <T>(xs: T[]): T | T[] => (xs.length === 1 ? xs[0] : xs);
/** What trainOnBatch (numbers) and evaluate (scalar tensors) return, as a list of numbers. */
const list = (r: number | number[] | sn.Tensor | sn.Tensor[]): number[] => (Array.isArray(r) ? r : [r]).map((v) => (typeof v === 'number' ? v : v.dataSync()[0]));
const snOutputs = (r: sn.Tensor | sn.Tensor[]) => (Array.isArray(r) ? r : [r]).map((t) => t.dataSync());

function makeModels(c: Case, seed: number) {
  sn.setSeed(seed);
  const sg = c.build(sn);
  const snModel = sn.model({ inputs: sg.inputs, outputs: sg.outputs, name: `sn_${c.title.replace(/\W+/g, '_')}` });
  const tg = c.build(tfLib);
  const tfModel = tfl.model({ inputs: tg.inputs, outputs: tg.outputs });
  const copied = copyWeightsToTf(snModel, tfModel);
  expect(copied.length).toBeGreaterThan(0);
  return { snModel, tfModel };
}

function batches(c: Case, rng: Rng) {
  const n = c.batch ?? 4;
  return { xs: c.inputShapes.map((s) => randomBatch(rng, [n, ...s])), ys: c.targets.map((t) => t.make(rng, n)) };
}

interface Report {
  predict: Closeness;
  losses: Closeness;
  weights: Closeness;
  /** First step (1-based) after which the weights differ beyond tolerance, or 0. */
  firstBadStep: number;
  lossTrail: string[];
}

/** Builds, copies weights, compares predict, trains `steps` SGD steps on both, compares. */
async function runCase(c: Case, seed = 7): Promise<Report> {
  const { snModel, tfModel } = makeModels(c, seed);
  const rng = new Rng(seed * 1000 + 1);
  const report: Report = { predict: noDiff(), losses: noDiff(), weights: noDiff(), firstBadStep: 0, lossTrail: [] };
  try {
    // countParams and the structure of weights agree.
    expect(snModel.countParams()).toBe(tfModel.countParams());

    // Predictions before training.
    const probe = batches(c, rng);
    const snP = snOutputs(snModel.predict(one(probe.xs.map(snT))));
    const tfP = tfOutputs(tfModel.predict(one(probe.xs.map(tfX))) as tf.Tensor | tf.Tensor[]);
    expect(snP.length).toBe(tfP.length);
    snP.forEach((p, i) => closeness(p, tfP[i], `predict output ${i}`, TOL, report.predict));

    const lr = c.lr ?? 0.1;
    const losses = c.targets.map((t) => t.loss);
    snModel.compile({ optimizer: sn.optimizers.sgd({ learningRate: lr }), loss: one(losses), ...(c.lossWeights ? { lossWeights: c.lossWeights } : {}) });
    const tl = tfLossArgs(losses, c.lossWeights);
    tfModel.compile({ optimizer: tf.train.sgd(lr), loss: tl.loss });

    const steps = c.steps ?? 5;
    for (let s = 1; s <= steps; s++) {
      const b = batches(c, rng);
      const a = list(await snModel.trainOnBatch(one(b.xs.map(snT)), one(b.ys.map(snT))));
      const t = tfLosses(await tfModel.trainOnBatch(one(b.xs.map(tfX)), one(b.ys.map((y, i) => tfY(y, c.targets[i])))), tl.scales);
      report.lossTrail.push(`step ${s}: simdnet [${a.map((v) => v.toFixed(7))}] tfjs [${t.map((v) => v.toFixed(7))}]`);
      expect(a.length, `step ${s}: trainOnBatch returned [${a}] vs TF.js [${t}]`).toBe(t.length);
      closeness(a, t, `step ${s} loss`, TOL, report.losses);
      const w = compareWeights(snModel, tfModel, TOL);
      if (w.ratio > 1 && report.firstBadStep === 0) report.firstBadStep = s;
      if (w.ratio >= report.weights.ratio) Object.assign(report.weights, { ratio: w.ratio, where: `after step ${s}: ${w.where}` });
      report.weights.maxAbs = Math.max(report.weights.maxAbs, w.maxAbs);
      report.weights.maxRel = Math.max(report.weights.maxRel, w.maxRel);
    }
    // Predictions after training.
    const after = batches(c, rng);
    const snA = snOutputs(snModel.predict(one(after.xs.map(snT))));
    const tfA = tfOutputs(tfModel.predict(one(after.xs.map(tfX))) as tf.Tensor | tf.Tensor[]);
    snA.forEach((p, i) => closeness(p, tfA[i], `predict after training, output ${i}`, TOL, report.predict));
  } finally {
    snModel.dispose();
    tfModel.dispose();
  }
  const f = (x: Closeness) => `max|Δ| ${x.maxAbs.toExponential(2)} maxRel ${x.maxRel.toExponential(2)}`;
  console.log(`[graph vs TF.js] ${c.title}: predict ${f(report.predict)}; losses ${f(report.losses)}; weights ${f(report.weights)}`);
  return report;
}

function expectAgreement(r: Report) {
  const trail = r.lossTrail.join('\n');
  expect(r.predict.ratio, `predictions differ: ${r.predict.where}`).toBeLessThanOrEqual(1);
  expect(r.losses.ratio, `losses differ: ${r.losses.where}\n${trail}`).toBeLessThanOrEqual(1);
  expect(r.weights.ratio, `weights differ (first at step ${r.firstBadStep}): ${r.weights.where}\n${trail}`).toBeLessThanOrEqual(1);
}

const dense = (L: Lib, name: string, units: number, activation = 'linear') =>
  L.layers.dense({ units, activation, name, biasInitializer: 'randomNormal' });
const conv = (L: Lib, name: string, filters: number, kernelSize: number, activation = 'linear') =>
  L.layers.conv2d({ filters, kernelSize, padding: 'same', activation, name, biasInitializer: 'randomNormal' });

// ---------------------------------------------------------------------------------------------
// a. two inputs, two outputs, a shared dense layer, add, multiply and concatenate
// ---------------------------------------------------------------------------------------------

const twoTower: Case = {
  title: 'two inputs / two outputs, shared dense, add, multiply, concatenate',
  build(L) {
    const a = L.input({ shape: [6], name: 'in_a' });
    const b = L.input({ shape: [6], name: 'in_b' });
    const shared = dense(L, 'shared', 5, 'tanh');
    const ha = shared.apply(a);
    const hb = shared.apply(b);
    const sum = L.layers.add({ name: 'sum' }).apply([ha, hb]);
    const prod = L.layers.multiply({ name: 'prod' }).apply([ha, hb]);
    const cat = L.layers.concatenate({ axis: -1, name: 'cat' }).apply([sum, prod]);
    const hidden = dense(L, 'hidden', 7, 'relu').apply(cat);
    const cls = dense(L, 'cls', 3, 'softmax').apply(hidden);
    const reg = dense(L, 'reg', 2).apply(cat);
    return { inputs: [a, b], outputs: [cls, reg] };
  },
  inputShapes: [[6], [6]],
  targets: [sparseTarget(3), mseTarget([2])],
  lossWeights: [1, 0.5],
  batch: 5,
};

describe('a. two inputs, two outputs, shared dense + add + multiply + concatenate', () => {
  it('predict, 5 SGD steps (total and per-output losses) and all weights match TF.js', async () => {
    const r = await runCase(twoTower);
    expectAgreement(r);
  });

  it('the symbolic shapes and layer bookkeeping match TF.js', () => {
    const g = twoTower.build(sn);
    const t = twoTower.build(tfLib);
    const m = sn.model({ inputs: g.inputs, outputs: g.outputs });
    const tm = tfl.model({ inputs: t.inputs, outputs: t.outputs });
    try {
      expect([...g.outputs[0].shape]).toEqual([null, 3]);
      expect([...g.outputs[1].shape]).toEqual([null, 2]);
      expect(m.inputs.length).toBe(2);
      expect(m.outputs.length).toBe(2);
      expect(m.countParams()).toBe(tm.countParams());
      // The shared layer's weights exist once.
      expect(m.getLayer('shared').getWeights().map((w) => [...w.shape])).toEqual([[6, 5], [5]]);
      const weighted = weightedLayers(tm).map((l) => l.name).sort();
      expect(weighted).toEqual(['cls', 'hidden', 'reg', 'shared']);
      expect(m.getWeights().length).toBe(tm.getWeights().length);
    } finally {
      m.dispose();
      tm.dispose();
    }
  });

  it('x, y, loss and lossWeights keyed by layer name train exactly like the array forms', async () => {
    const rng = new Rng(3);
    const b = batches(twoTower, rng);
    const run = async (keyed: boolean) => {
      sn.setSeed(11);
      const g = twoTower.build(sn);
      const m = sn.model({ inputs: g.inputs, outputs: g.outputs });
      m.compile({
        optimizer: sn.optimizers.sgd({ learningRate: 0.1 }),
        loss: keyed ? { cls: 'sparseCategoricalCrossentropy', reg: 'meanSquaredError' } : ['sparseCategoricalCrossentropy', 'meanSquaredError'],
        lossWeights: keyed ? { cls: 1, reg: 0.5 } : [1, 0.5],
      });
      const [xa, xb] = b.xs.map(snT);
      const [y1, y2] = b.ys.map(snT);
      const out: number[][] = [];
      for (let s = 0; s < 3; s++) out.push(list(await (keyed ? m.trainOnBatch({ in_b: xb, in_a: xa }, { reg: y2, cls: y1 }) : m.trainOnBatch([xa, xb], [y1, y2]))));
      const w = m.getWeights().map((t) => Array.from(t.dataSync()));
      m.dispose();
      return { out, w };
    };
    const arr = await run(false);
    const key = await run(true);
    expect(key.out).toEqual(arr.out);
    expect(key.w).toEqual(arr.w);
  });

  it('evaluate after training returns [total, per-output losses] equal to TF.js', async () => {
    const { snModel, tfModel } = makeModels(twoTower, 21);
    try {
      const rng = new Rng(21);
      snModel.compile({ optimizer: sn.optimizers.sgd({ learningRate: 0.1 }), loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'], lossWeights: [1, 0.5] });
      const tl = tfLossArgs(['sparseCategoricalCrossentropy', 'meanSquaredError'], [1, 0.5]);
      tfModel.compile({ optimizer: tf.train.sgd(0.1), loss: tl.loss });
      for (let s = 0; s < 2; s++) {
        const b = batches(twoTower, rng);
        await snModel.trainOnBatch(b.xs.map(snT), b.ys.map(snT));
        await tfModel.trainOnBatch(b.xs.map(tfX), b.ys.map((y, i) => tfY(y, twoTower.targets[i])));
      }
      const e = { ...twoTower, batch: 9 };
      const b = batches(e, rng);
      const a = list(snModel.evaluate(b.xs.map(snT), b.ys.map(snT), { batchSize: 9 }));
      const t = tfLosses(tfModel.evaluate(b.xs.map(tfX), b.ys.map((y, i) => tfY(y, twoTower.targets[i])), { batchSize: 9 }) as tf.Scalar[], tl.scales);
      expect(a.length).toBe(3);
      const c = closeness(a, t, 'evaluate', TOL);
      expect(c.ratio, `evaluate simdnet [${a}] vs TF.js [${t}]`).toBeLessThanOrEqual(1);
      // total = 1·loss₁ + 0.5·loss₂
      expect(a[0]).toBeCloseTo(a[1] + 0.5 * a[2], 5);
    } finally {
      snModel.dispose();
      tfModel.dispose();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// b. a residual CNN block
// ---------------------------------------------------------------------------------------------

describe('b. residual CNN block', () => {
  it('conv relu → conv → add skip → relu → flatten → dense softmax: predict and 5 SGD steps match TF.js', async () => {
    const r = await runCase({
      title: 'residual CNN block',
      build(L) {
        const x = L.input({ shape: [8, 8, 3], name: 'img' });
        const c1 = conv(L, 'c1', 4, 3, 'relu').apply(x);
        const c2 = conv(L, 'c2', 4, 3).apply(c1);
        const res = L.layers.add({ name: 'res' }).apply([c2, c1]);
        const act = L.layers.activation({ activation: 'relu', name: 'act' }).apply(res);
        const flat = L.layers.flatten({ name: 'flat' }).apply(act);
        return { inputs: x, outputs: dense(L, 'out', 3, 'softmax').apply(flat) };
      },
      inputShapes: [[8, 8, 3]],
      targets: [sparseTarget(3)],
      batch: 4,
    });
    expectAgreement(r);
  });

  it('the same block with a reLU layer and a skip from the input through a 1x1 projection', async () => {
    const r = await runCase({
      title: 'residual CNN block, reLU layer, 1x1 projection skip',
      build(L) {
        const x = L.input({ shape: [8, 8, 3], name: 'img' });
        const c1 = conv(L, 'c1', 4, 3, 'relu').apply(x);
        const c2 = conv(L, 'c2', 4, 3).apply(c1);
        const proj = conv(L, 'proj', 4, 1).apply(x);
        const res = L.layers.add({ name: 'res' }).apply([c2, proj]);
        const act = L.layers.reLU({ name: 'act' }).apply(res);
        const pool = L.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(act);
        const flat = L.layers.flatten({ name: 'flat' }).apply(pool);
        return { inputs: x, outputs: dense(L, 'out', 3, 'softmax').apply(flat) };
      },
      inputShapes: [[8, 8, 3]],
      targets: [sparseTarget(3)],
      batch: 3,
    });
    expectAgreement(r);
  });
});

// ---------------------------------------------------------------------------------------------
// c. concatenation on channels
// ---------------------------------------------------------------------------------------------

describe('c. concatenate on channels', () => {
  it('two conv2d branches concatenated on axis -1 → globalAveragePooling2d → dense', async () => {
    const r = await runCase({
      title: 'conv branches, concatenate channels, global average pooling',
      build(L) {
        const x = L.input({ shape: [6, 6, 2], name: 'img' });
        const b1 = conv(L, 'b1', 3, 3, 'relu').apply(x);
        const b2 = conv(L, 'b2', 2, 1, 'tanh').apply(x);
        const cat = L.layers.concatenate({ axis: -1, name: 'cat' }).apply([b1, b2]);
        const gap = L.layers.globalAveragePooling2d({ name: 'gap' }).apply(cat);
        return { inputs: x, outputs: dense(L, 'out', 3, 'softmax').apply(gap) };
      },
      inputShapes: [[6, 6, 2]],
      targets: [sparseTarget(3)],
      batch: 4,
    });
    expectAgreement(r);
  });

  it('the input concatenated with a conv of itself (dense-net style) → flatten → dense', async () => {
    const r = await runCase({
      title: 'input ⊕ conv(input) on channels, flatten',
      build(L) {
        const x = L.input({ shape: [6, 6, 2], name: 'img' });
        const b1 = conv(L, 'b1', 3, 3, 'relu').apply(x);
        const cat = L.layers.concatenate({ axis: -1, name: 'cat' }).apply([x, b1]);
        const b2 = conv(L, 'b2', 2, 3, 'tanh').apply(cat);
        const flat = L.layers.flatten({ name: 'flat' }).apply(b2);
        return { inputs: x, outputs: dense(L, 'out', 2).apply(flat) };
      },
      inputShapes: [[6, 6, 2]],
      targets: [mseTarget([2])],
      batch: 3,
    });
    expectAgreement(r);
  });
});

// ---------------------------------------------------------------------------------------------
// d. every merge layer in a small model
// ---------------------------------------------------------------------------------------------

describe('d. each merge layer in a small two-branch model', () => {
  const merges: [string, (L: Lib) => Sym, number[]][] = [
    ['add', (L) => L.layers.add({ name: 'merge' }), [2]],
    ['subtract', (L) => L.layers.subtract({ name: 'merge' }), [2]],
    ['multiply', (L) => L.layers.multiply({ name: 'merge' }), [2]],
    ['average', (L) => L.layers.average({ name: 'merge' }), [2]],
    ['maximum', (L) => L.layers.maximum({ name: 'merge' }), [2]],
    ['minimum', (L) => L.layers.minimum({ name: 'merge' }), [2]],
    ['concatenate', (L) => L.layers.concatenate({ name: 'merge' }), [2]],
    ['dot axes 1', (L) => L.layers.dot({ axes: 1, name: 'merge' }), [2]],
    ['dot axes -1', (L) => L.layers.dot({ axes: -1, name: 'merge' }), [2]],
  ];
  for (const [title, merge, outShape] of merges) {
    it(`${title}: predict and 2 SGD steps match TF.js`, async () => {
      const r = await runCase({
        title: `merge ${title}`,
        build(L) {
          const a = L.input({ shape: [5], name: 'in_a' });
          const b = L.input({ shape: [5], name: 'in_b' });
          const da = dense(L, 'da', 4, 'tanh').apply(a);
          const db = dense(L, 'db', 4, 'tanh').apply(b);
          const m = merge(L).apply([da, db]);
          return { inputs: [a, b], outputs: dense(L, 'out', 2).apply(m) };
        },
        inputShapes: [[5], [5]],
        targets: [mseTarget(outShape)],
        batch: 6,
        steps: 2,
      });
      expectAgreement(r);
    });
  }

  const ternary: [string, (L: Lib) => Sym][] = [
    ['add', (L) => L.layers.add({ name: 'merge' })],
    ['average', (L) => L.layers.average({ name: 'merge' })],
    ['maximum', (L) => L.layers.maximum({ name: 'merge' })],
    ['multiply', (L) => L.layers.multiply({ name: 'merge' })],
    ['concatenate', (L) => L.layers.concatenate({ name: 'merge' })],
  ];
  for (const [title, merge] of ternary) {
    it(`${title} of three branches: predict and 2 SGD steps match TF.js`, async () => {
      const r = await runCase({
        title: `merge ${title} x3`,
        build(L) {
          const x = L.input({ shape: [5], name: 'x' });
          const branches = ['p', 'q', 'r'].map((n) => dense(L, n, 3, 'tanh').apply(x));
          const m = merge(L).apply(branches);
          return { inputs: x, outputs: dense(L, 'out', 3, 'softmax').apply(m) };
        },
        inputShapes: [[5]],
        targets: [sparseTarget(3)],
        batch: 6,
        steps: 2,
      });
      expectAgreement(r);
    });
  }

  it('merge layers applied eagerly to concrete tensors equal TF.js', () => {
    const rng = new Rng(5);
    const A = randomBatch(rng, [3, 4]);
    const B = randomBatch(rng, [3, 4]);
    const C = randomBatch(rng, [3, 4]);
    const eager: [string, (L: Lib) => Sym, Batch[]][] = [
      ['add', (L) => L.layers.add(), [A, B, C]],
      ['subtract', (L) => L.layers.subtract(), [A, B]],
      ['multiply', (L) => L.layers.multiply(), [A, B, C]],
      ['average', (L) => L.layers.average(), [A, B, C]],
      ['maximum', (L) => L.layers.maximum(), [A, B, C]],
      ['minimum', (L) => L.layers.minimum(), [A, B]],
      ['concatenate', (L) => L.layers.concatenate({ axis: -1 }), [A, B]],
      ['dot', (L) => L.layers.dot({ axes: 1 }), [A, B]],
    ];
    for (const [name, make, ins] of eager) {
      const s = make(sn).apply(ins.map(snT)) as sn.Tensor;
      const t = make(tfLib).apply(ins.map(tfX)) as tf.Tensor;
      expect([...s.shape], name).toEqual(t.shape);
      const c = closeness(s.dataSync(), t.dataSync(), name, TOL);
      expect(c.ratio, `${name}: ${c.where}`).toBeLessThanOrEqual(1);
    }
  });
});
