/**
 * The parity-test steps the TF.js comparison suites share: batches as either library's tensors,
 * training both models in lockstep (SGD, sparse categorical cross-entropy) while comparing the
 * losses and every weight after each step, comparing predictions, reporting, and model files
 * both ways (simdnet saves → TF.js loads; TF.js saves → simdnet loads).
 */
import { expect } from 'vitest';
import * as sn from '../../src/index.ts';
import type { Layer as SnLayer } from '../../src/layers/layer.ts';
import { type Batch, type Closeness, closeness, compareWeights, copyWeightsToTf, noDiff, randomBatch, randomLabels, Rng, tf, tfl, toTf } from './tfjs.ts';

export type Tol = { rtol: number; atol: number };

/** Uniform values in [lo, hi) from a seeded generator. */
export const values = (seed: number, n: number, lo = -1, hi = 1) => {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => r.uniform(lo, hi));
};

/** A batch as a simdnet tensor (its own dtype: float inputs, int32 ids or labels). */
export const snT = (b: Batch) => sn.tensor(b.values, b.shape, b.dtype);
/** Sparse labels as TF.js's sparse cross-entropy takes them (float [n, 1]). */
export const tfLabels = (b: Batch) => toTf(b, { sparseLabels: true });
/** A loss as a number, from what either library's trainOnBatch returns. */
export const num = (v: unknown) => (typeof v === 'number' ? v : (v as { dataSync(): ArrayLike<number> }).dataSync()[0]);
export const fmt = (x: Closeness) => `max|Δ| ${x.maxAbs.toExponential(2)} maxRel ${x.maxRel.toExponential(2)}`;

/** What the parity tests need of the two models (either kind, loosely typed on purpose). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type SnModel = any;

/** A Sequential model built by one builder from either library's `layers` factories (loosely typed on purpose). */
export interface SequentialCase {
  title: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  build(L: any): unknown[];
  inputShape: number[];
  classes: number;
  batch: number;
}

/** One seeded batch of a case: float inputs and sparse labels. */
export const caseBatch = (c: SequentialCase, rng: Rng) => ({ x: randomBatch(rng, [c.batch, ...c.inputShape]), y: randomLabels(rng, c.batch, c.classes) });

/**
 * The case's model in both libraries after setSeed(seed): simdnet's (then `prepare`d, e.g. its
 * weights randomized), and TF.js's given simdnet's weights by layer name.
 */
export function sequentialPair(c: SequentialCase, seed: number, snLayers: unknown, tfLayers: unknown, prepare?: (m: sn.LayersModel) => void) {
  sn.setSeed(seed);
  const snModel = sn.sequential({ layers: c.build(snLayers) as SnLayer[] });
  prepare?.(snModel);
  const tfModel = tfl.sequential({ layers: c.build(tfLayers) as tfl.layers.Layer[] });
  copyWeightsToTf(snModel, tfModel);
  return { snModel, tfModel };
}

/** The same model built by one function in both libraries (functional API), TF.js given simdnet's weights. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function modelPair<M>(build: (lib: any) => M, seed: number): { snModel: M; tfModel: tfl.LayersModel } {
  sn.setSeed(seed);
  const snModel = build(sn);
  const tfModel = build(tfl) as unknown as tfl.LayersModel;
  expect(copyWeightsToTf(snModel as SnModel, tfModel).length).toBeGreaterThan(0);
  return { snModel, tfModel };
}

/** Folds the two models' predictions on `x` into `acc`. */
export function comparePredict(snModel: SnModel, tfModel: tfl.LayersModel, x: Batch, where: string, tol: Tol, acc: Closeness = noDiff()): Closeness {
  return closeness((snModel.predict(snT(x)) as sn.Tensor).dataSync(), (tfModel.predict(toTf(x)) as tf.Tensor).dataSync(), where, tol, acc);
}

export interface Lockstep {
  losses: Closeness;
  /** The worst weight comparison over the steps, its `where` naming the step. */
  weights: Closeness;
  /** One line a step: both losses. */
  trail: string[];
}

/**
 * Compiles both models with SGD at `learningRate` and sparse categorical cross-entropy, then
 * runs `steps` trainOnBatch steps on the batches `next` gives, comparing the losses and every
 * weight (by layer name) after each step.
 */
export async function trainLockstep(
  snModel: SnModel,
  tfModel: tfl.LayersModel,
  o: { learningRate: number; steps: number; tol: Tol; next(): { x: Batch; y: Batch } },
): Promise<Lockstep> {
  const losses = noDiff();
  const weights = noDiff();
  const trail: string[] = [];
  snModel.compile({ optimizer: sn.optimizers.sgd({ learningRate: o.learningRate }), loss: 'sparseCategoricalCrossentropy' });
  tfModel.compile({ optimizer: tf.train.sgd(o.learningRate), loss: 'sparseCategoricalCrossentropy' });
  for (let s = 1; s <= o.steps; s++) {
    const { x, y } = o.next();
    const a = num(await snModel.trainOnBatch(snT(x), snT(y)));
    const t = num(await tfModel.trainOnBatch(toTf(x), tfLabels(y)));
    trail.push(`step ${s}: ${a} vs ${t}`);
    closeness([a], [t], `step ${s} loss`, o.tol, losses);
    const w = compareWeights(snModel, tfModel, o.tol);
    weights.maxAbs = Math.max(weights.maxAbs, w.maxAbs);
    weights.maxRel = Math.max(weights.maxRel, w.maxRel);
    if (!(w.ratio <= weights.ratio)) Object.assign(weights, { ratio: w.ratio, where: `after step ${s}: ${w.where}` });
  }
  return { losses, weights, trail };
}

/** Logs the comparison and expects predictions, losses and weights within tolerance. */
export function expectParity(label: string, pred: Closeness, r: Lockstep): void {
  console.log(`${label}: predict ${fmt(pred)}; losses ${fmt(r.losses)}; weights ${fmt(r.weights)}`);
  expect(pred.ratio, pred.where).toBeLessThanOrEqual(1);
  expect(r.losses.ratio, `${r.losses.where}\n${r.trail.join('\n')}`).toBeLessThanOrEqual(1);
  expect(r.weights.ratio, `${r.weights.where}\n${r.trail.join('\n')}`).toBeLessThanOrEqual(1);
}

/** A simdnet model's file, saved to memory. */
export async function snArtifacts(m: sn.LayersModel): Promise<sn.ModelArtifacts> {
  let got: sn.ModelArtifacts | undefined;
  await m.save(
    sn.io.withSaveHandler(async (a) => {
      got = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', modelTopologyBytes: 0, weightSpecsBytes: 0, weightDataBytes: 0 } };
    }),
  );
  if (!got) throw new Error('snArtifacts: the save handler was never called');
  return got;
}

/** A TF.js model's file, saved to memory (`includeOptimizer` as TF.js's save takes it). */
export async function tfArtifacts(m: tfl.LayersModel, includeOptimizer = false): Promise<tf.io.ModelArtifacts> {
  let got: tf.io.ModelArtifacts | undefined;
  await m.save(
    tf.io.withSaveHandler(async (a) => {
      got = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
    { includeOptimizer },
  );
  if (!got) throw new Error('tfArtifacts: the save handler was never called');
  return got;
}

export interface Files {
  /** simdnet's file of the simdnet model, and TF.js's of the TF.js model. */
  snFile: sn.ModelArtifacts;
  tfFile: tf.io.ModelArtifacts;
  /** simdnet's file loaded back in simdnet, and its predictions on `x` before saving. */
  back: sn.LayersModel;
  want: Float32Array;
}

/**
 * Model files both ways: simdnet saves → TF.js loads and predicts as simdnet did; TF.js saves →
 * simdnet loads and predicts as TF.js does. Then `inspect` sees both files and simdnet's own file
 * loaded back; the loaded models are disposed after it.
 */
export async function expectFilesBothWays(snModel: SnModel, tfModel: tfl.LayersModel, x: Batch, tol: Tol, inspect: (f: Files) => void | Promise<void>): Promise<void> {
  const want = (snModel.predict(snT(x)) as sn.Tensor).dataSync() as Float32Array;
  const snFile = await snArtifacts(snModel);
  const tfLoaded = await tfl.loadLayersModel(tf.io.fromMemory(snFile as tf.io.ModelArtifacts));
  const d1 = closeness((tfLoaded.predict(toTf(x)) as tf.Tensor).dataSync(), want, 'TF.js from simdnet file', tol);
  expect(d1.ratio, d1.where).toBeLessThanOrEqual(1);
  // The reverse: a file TF.js wrote (its own configs) loads in simdnet.
  const tfFile = await tfArtifacts(tfModel);
  const snLoaded = await sn.loadLayersModel(sn.io.fromMemory(tfFile));
  const d2 = closeness((snLoaded.predict(snT(x)) as sn.Tensor).dataSync(), (tfModel.predict(toTf(x)) as tf.Tensor).dataSync(), 'simdnet from TF.js file', tol);
  expect(d2.ratio, d2.where).toBeLessThanOrEqual(1);
  const back = await sn.loadLayersModel(sn.io.fromMemory(snFile));
  try {
    await inspect({ snFile, tfFile, back, want });
  } finally {
    tfLoaded.dispose();
    snLoaded.dispose();
    back.dispose();
  }
}
