/**
 * The training loops, with TF.js's options and semantics: fit (epochs of shuffled batches from
 * tensors), fitDataset (batches from a dataset's iterator), evaluateDataset. Both fits share one
 * Session: callbacks, logs as TF.js writes them (batch logs `{ batch, size, loss, acc… }`, epoch
 * logs with the `val_` values first, then the means of the batch values weighted by batch size),
 * the History, the progress bar and yielding to the event loop (`yieldEvery`, `onYield`).
 * A batch is one staged copy into the model's plan and one training step: the fit loop
 * allocates nothing per batch.
 */
import type { LayersModel } from './model.ts';
import { classWeightsInto, type ModelData } from './staging.ts';
import { type Tensor, type TensorLike, Tensor as TensorClass, checkBoolean, checkNumber, checkOptions, describe, toTensor, untracked } from '../tensor.ts';
import { globalRandom } from '../random.ts';
import { type CallbackHooks, type CallbackParams, CallbackList, checkCallbacks, type Logs } from './callbacks.ts';
import { ProgressBar } from './progress.ts';

/** How often fit gives the event loop a turn: TF.js's yieldEvery ('auto' is every 125 ms). */
export type YieldEvery = 'auto' | 'batch' | 'epoch' | 'never' | number;
/** Class index → weight of that class's samples in the loss (an array is indexed by class). */
export type ClassWeight = Record<number, number> | number[];
/** One ClassWeight (one output), one per output, or one per output name. */
export type ClassWeightArg = ClassWeight | (ClassWeight | null)[] | Record<string, ClassWeight>;

export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  validationSplit?: number;
  /** [x, y] with x and y as fit takes them (lists or objects for several inputs/outputs). */
  validationData?: [ModelData, ModelData];
  /** Weights of the classes in the loss (TF.js): per sample, from the class of its target. */
  classWeight?: ClassWeightArg;
  /** A weight per sample ([n]) in every output's loss (Keras; TF.js does not implement it). */
  sampleWeight?: TensorLike;
  initialEpoch?: number;
  /** 0: silent; 1: progress bar (terminal) or a line per epoch; 2: a line per epoch. Default 1. */
  verbose?: number;
  callbacks?: CallbackHooks | CallbackHooks[];
  yieldEvery?: YieldEvery;
  /** Not supported with tensors (TF.js ignores it): an error. fitDataset has batchesPerEpoch. */
  stepsPerEpoch?: number;
  validationSteps?: number;
}

/** What fitDataset and evaluateDataset read: TF.js's Dataset, or any object with `iterator()`. */
export interface DatasetIterator {
  next(): Promise<{ value?: unknown; done?: boolean }> | { value?: unknown; done?: boolean };
}
export interface DatasetLike {
  iterator(): Promise<DatasetIterator> | DatasetIterator;
  size?: number | null;
}

export interface FitDatasetArgs {
  epochs: number;
  /** Batches per epoch, drawn from one iterator across epochs; without it each epoch reads a new iterator to its end. */
  batchesPerEpoch?: number;
  /** A dataset, or [x, y] tensors. */
  validationData?: DatasetLike | [ModelData, ModelData];
  /** With a validation dataset: how many of its batches to evaluate (default all). */
  validationBatches?: number;
  /** With [x, y] validation data: the evaluation batch size (default 32). */
  validationBatchSize?: number;
  initialEpoch?: number;
  verbose?: number;
  callbacks?: CallbackHooks | CallbackHooks[];
  yieldEvery?: YieldEvery;
  classWeight?: ClassWeightArg;
}

export interface EvaluateDatasetArgs {
  batches?: number;
  verbose?: number;
}

export interface History {
  epoch: number[];
  history: Record<string, number[]>;
  params: CallbackParams & { validationSamples: number | null };
}

const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'classWeight', 'sampleWeight', 'initialEpoch', 'verbose', 'callbacks', 'yieldEvery', 'stepsPerEpoch', 'validationSteps'];
const FIT_DATASET_KEYS = ['epochs', 'batchesPerEpoch', 'validationData', 'validationBatches', 'validationBatchSize', 'initialEpoch', 'verbose', 'callbacks', 'yieldEvery', 'classWeight'];

// ---------------------------------------------------------------------------------------------
// fit
// ---------------------------------------------------------------------------------------------

export async function fitLoop(model: LayersModel, x: ModelData, y: ModelData, args: FitArgs): Promise<History> {
  const a = checkOptions(args, 'fit', FIT_KEYS);
  if (a.stepsPerEpoch !== undefined) {
    throw new Error(`fit: stepsPerEpoch is not supported with tensor data (TF.js ignores it): an epoch is one pass over x in batches of batchSize; fitDataset takes batchesPerEpoch`);
  }
  if (a.validationSteps !== undefined) throw new Error(`fit: validationSteps is not supported with tensor data (TF.js fails on it): validation runs over all of validationData`);
  const epochs = a.epochs ?? 1;
  if (!(Number.isInteger(epochs) && epochs >= 1)) throw new Error(`fit: epochs must be a positive integer, got ${describe(epochs)}`);
  const batchSize = a.batchSize ?? 32;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`fit: batchSize must be a positive integer, got ${describe(batchSize)}`);
  const common = commonArgs(a, epochs, 'fit');
  if (a.shuffle === ('batch' as never)) throw new Error(`fit: shuffle 'batch' is not supported (TF.js does not implement it either); give true or false`);
  const shuffle = checkBoolean(a.shuffle ?? true, 'fit: shuffle');
  if (a.validationSplit !== undefined && typeof a.validationSplit !== 'number') throw new TypeError(`fit: validationSplit must be a number in (0, 1), got ${describe(a.validationSplit)}`);
  const xs = model.checkX(x, 'fit: x');
  const total = xs[0].shape[0];
  const ys = model.checkY(y, total, 'fit: y');
  // Validation: its own tensors, or the last rows of x and y (taken before shuffling, as TF.js).
  let val: { xs: Tensor[]; ys: Tensor[]; start: number; count: number } | null = null;
  let n = total;
  if (a.validationData !== undefined && a.validationData !== null) {
    const vd = a.validationData as unknown[];
    if (!Array.isArray(vd) || vd.length === 0) throw new Error(`fit: validationData must be [x, y], got ${describe(vd)}`);
    if (vd.length === 3) throw new Error('fit: validationData with sample weights ([x, y, weights]) is not supported (TF.js does not implement it either); give [x, y]');
    if (vd.length !== 2) throw new Error(`fit: validationData must be [x, y], got a list of ${vd.length}`);
    const vx = model.checkX(vd[0] as ModelData, 'fit: validationData[0]');
    if (vx[0].shape[0] === 0) throw new Error('fit: validationData has no samples');
    val = { xs: vx, ys: model.checkY(vd[1] as ModelData, vx[0].shape[0], 'fit: validationData[1]'), start: 0, count: vx[0].shape[0] };
  } else if (a.validationSplit !== undefined && a.validationSplit !== 0) {
    const f = a.validationSplit;
    if (!(f > 0 && f < 1)) throw new Error(`fit: validationSplit must be in (0, 1), got ${describe(f)}`);
    n = Math.floor(total * (1 - f));
    if (n === 0 || n === total) throw new Error(`fit: validationSplit ${f} leaves no ${n === 0 ? 'training' : 'validation'} samples of ${total}`);
    val = { xs, ys, start: n, count: total - n };
  }
  if (n === 0) throw new Error('fit: no training samples');
  const weights = fitSampleWeights(model, ys, a.classWeight, a.sampleWeight, total);
  const bs = Math.min(batchSize, n);
  const plan = model.ensurePlan(bs, 'train');
  model.useSampleWeights(weights ? weights.map((w) => w !== null) : null, plan.capacity);
  const steps = Math.ceil(n / bs);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;

  const names = model.metricsNames;
  const params: History['params'] = {
    epochs,
    initialEpoch: common.initialEpoch,
    samples: n,
    steps,
    batchSize: bs,
    verbose: common.verbose,
    doValidation: val !== null,
    metrics: val ? [...names, ...names.map((m) => `val_${m}`)] : [...names],
    validationSamples: val ? val.count : 0,
  };
  const s = new Session(model, common, params, names);
  const stepOut = new Array<number>(names.length).fill(0);

  await s.trainBegin();
  for (let epoch = common.initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
    await s.epochBegin(epoch);
    if (shuffle) globalRandom.shuffle(order);
    for (let b = 0; b < steps; b++) {
      const start = b * bs;
      const size = Math.min(bs, n - start);
      const logs = s.batchLogs(b, size, false);
      const before = s.batchBegin(b, logs);
      if (before) await before;
      logs.batch = b;
      logs.size = size;
      s.alive();
      model.stage(xs, ys, order, start, size);
      if (weights) for (let i = 0; i < weights.length; i++) if (weights[i]) model.stageSampleWeights(i, weights[i]!, order, start, size);
      model.step(size, stepOut);
      const after = s.batchEnd(b, size, stepOut, logs);
      if (after) await after;
      if (model.stopTraining) break;
    }
    s.alive();
    const v = val && !model.stopTraining ? model.evaluateRange(val.xs, val.ys, bs, val.start, val.count) : null;
    await s.epochEnd(epoch, v);
  }
  await s.trainEnd();
  return s.history;
}

// ---------------------------------------------------------------------------------------------
// fitDataset, evaluateDataset
// ---------------------------------------------------------------------------------------------

const isDataset = (d: unknown): d is DatasetLike => typeof d === 'object' && d !== null && typeof (d as DatasetLike).iterator === 'function';
const isIterator = (d: unknown): d is DatasetIterator => typeof d === 'object' && d !== null && typeof (d as DatasetIterator).next === 'function';

async function iteratorOf(d: DatasetLike, who: string): Promise<DatasetIterator> {
  const it = await d.iterator();
  if (!isIterator(it)) throw new TypeError(`${who}: the dataset's iterator() must give an object with next(), got ${describe(it)}`);
  return it;
}

async function nextOf(it: DatasetIterator, who: string): Promise<{ value?: unknown; done?: boolean }> {
  const r = await it.next();
  if (typeof r !== 'object' || r === null) throw new TypeError(`${who}: the iterator's next() must give { value, done }, got ${describe(r)}`);
  return r;
}

/** A dataset element { xs, ys } as checked tensors, and the tensors it brought (disposed after use, as TF.js does). */
function elementOf(model: LayersModel, value: unknown, who: string, withY: boolean): { xs: Tensor[]; ys: Tensor[]; n: number; brought: Tensor[] } {
  const v = value as { xs?: unknown; ys?: unknown };
  if (typeof value !== 'object' || value === null || v.xs === undefined || v.xs === null || (withY && (v.ys === undefined || v.ys === null))) {
    throw new Error(`${who}: a dataset element must be { xs, ys } with tensors, lists of tensors or objects keyed by input / output name (as TF.js's fitDataset reads it), got ${describe(value)}`);
  }
  const xs = model.checkX(v.xs as ModelData, `${who}: xs`);
  const n = xs[0].shape[0];
  if (n === 0) throw new Error(`${who}: an empty batch`);
  const ys = model.checkY(v.ys as ModelData, n, `${who}: ys`);
  const brought: Tensor[] = [];
  for (const part of [v.xs, v.ys]) {
    if (part instanceof TensorClass) brought.push(part);
    else if (part && typeof part === 'object' && !ArrayBuffer.isView(part)) for (const t of Object.values(part)) if (t instanceof TensorClass) brought.push(t);
  }
  return { xs, ys, n, brought };
}

export async function fitDatasetLoop(model: LayersModel, dataset: DatasetLike, args: FitDatasetArgs): Promise<History> {
  if (!isDataset(dataset)) throw new TypeError(`fitDataset: expected a dataset (an object with iterator(), such as data.array(...).batch(n)), got ${describe(dataset)}`);
  if (args && typeof args === 'object' && 'validationSplit' in args) {
    throw new Error('fitDataset: validationSplit is not supported by fitDataset (as in TF.js); give validationData');
  }
  const a = checkOptions(args, 'fitDataset', FIT_DATASET_KEYS, '{ epochs: 10 }');
  const epochs = checkNumber(a.epochs, 'fitDataset: epochs', { min: 1, integer: true });
  const bpe = a.batchesPerEpoch === undefined ? null : checkNumber(a.batchesPerEpoch, 'fitDataset: batchesPerEpoch', { min: 1, integer: true });
  const common = commonArgs(a, epochs, 'fitDataset');
  let valData: DatasetLike | { xs: Tensor[]; ys: Tensor[] } | null = null;
  let valBatchSize = 32;
  let valBatches: number | null = null;
  if (a.validationData !== undefined && a.validationData !== null) {
    if (isDataset(a.validationData)) {
      if (a.validationBatchSize !== undefined) throw new Error('fitDataset: validationBatchSize applies to [x, y] validationData; a validation dataset has its own batches (validationBatches says how many)');
      if (a.validationBatches !== undefined) valBatches = checkNumber(a.validationBatches, 'fitDataset: validationBatches', { min: 1, integer: true });
      valData = a.validationData;
    } else {
      const vd = a.validationData as unknown[];
      if (!Array.isArray(vd)) throw new TypeError(`fitDataset: validationData must be a dataset or [x, y], got ${describe(vd)}`);
      if (vd.length === 3) throw new Error('fitDataset: validationData with sample weights ([x, y, weights]) is not supported (TF.js does not implement it either); give [x, y]');
      if (vd.length !== 2) throw new Error(`fitDataset: validationData must be a dataset or [x, y], got a list of ${vd.length}`);
      if (a.validationBatches !== undefined) throw new Error('fitDataset: validationBatches applies to a validation dataset; with [x, y] give validationBatchSize');
      if (a.validationBatchSize !== undefined) valBatchSize = checkNumber(a.validationBatchSize, 'fitDataset: validationBatchSize', { min: 1, integer: true });
      const vx = model.checkX(vd[0] as ModelData, 'fitDataset: validationData[0]');
      if (vx[0].shape[0] === 0) throw new Error('fitDataset: validationData has no samples');
      valData = { xs: vx, ys: model.checkY(vd[1] as ModelData, vx[0].shape[0], 'fitDataset: validationData[1]') };
    }
  } else if (a.validationBatches !== undefined || a.validationBatchSize !== undefined) {
    throw new Error(`fitDataset: ${a.validationBatches !== undefined ? 'validationBatches' : 'validationBatchSize'} needs validationData`);
  }
  const classWeights = a.classWeight === undefined ? null : standardizeClassWeights(a.classWeight, model, 'fitDataset: classWeight');
  const losses = model.compiledLosses;

  const names = model.metricsNames;
  const size = typeof dataset.size === 'number' && Number.isFinite(dataset.size) ? dataset.size : null;
  const params: History['params'] = {
    epochs,
    initialEpoch: common.initialEpoch,
    samples: null,
    steps: bpe ?? size,
    batchSize: null,
    verbose: common.verbose,
    doValidation: valData !== null,
    metrics: valData ? [...names, ...names.map((m) => `val_${m}`)] : [...names],
    validationSamples: valData && !isDataset(valData) ? valData.xs[0].shape[0] : null,
  };
  const s = new Session(model, common, params, names);
  const stepOut = new Array<number>(names.length).fill(0);
  let scratch = new Float32Array(0);

  await s.trainBegin();
  let it = await iteratorOf(dataset, 'fitDataset');
  for (let epoch = common.initialEpoch; epoch < epochs; epoch++) {
    await s.epochBegin(epoch);
    if (bpe === null) it = await iteratorOf(dataset, 'fitDataset');
    let stepsDone = 0;
    let val: number[] | null = null;
    while (bpe === null || stepsDone < bpe) {
      const r = await nextOf(it, 'fitDataset');
      if (bpe !== null && r.done) {
        console.warn(
          `fitDataset: batchesPerEpoch is ${bpe}, but the dataset iterator ran out of data after ${stepsDone} batches of epoch ${epoch + 1}; ` +
            `the dataset must give at least batchesPerEpoch × epochs (${bpe * epochs}) batches (dataset.repeat() makes one endless)`,
        );
        break;
      }
      if (r.value !== undefined && r.value !== null) {
        const e = elementOf(model, r.value, `fitDataset: batch ${stepsDone}`, true);
        const plan = model.ensurePlan(e.n, 'train');
        if (classWeights) {
          model.useSampleWeights(classWeights.map((c) => c !== null), plan.capacity);
          if (scratch.length < e.n) scratch = new Float32Array(plan.capacity);
          for (let i = 0; i < classWeights.length; i++) {
            const cw = classWeights[i];
            if (!cw) continue;
            classWeightsInto(scratch, e.ys[i], losses[i].sparse, cw, `fitDataset: classWeight (${model.outputNames[i]})`);
            model.stageSampleWeights(i, scratch, null, 0, e.n);
          }
        }
        const logs = s.batchLogs(stepsDone, e.n, true);
        const before = s.batchBegin(stepsDone, logs);
        if (before) await before;
        s.alive();
        model.stage(e.xs, e.ys, null, 0, e.n);
        model.step(e.n, stepOut);
        for (const t of e.brought) t.dispose();
        const after = s.batchEnd(stepsDone, e.n, stepOut, logs);
        if (after) await after;
        stepsDone++;
      }
      if (bpe !== null ? stepsDone >= bpe : r.done) {
        if (valData) {
          s.alive();
          val = isDataset(valData) ? await evaluateDatasetValues(model, valData, valBatches, 'fitDataset: validationData') : model.evaluateRange(valData.xs, valData.ys, valBatchSize, 0, valData.xs[0].shape[0]);
        }
        break;
      }
      if (model.stopTraining) break;
    }
    await s.epochEnd(epoch, val);
    if (model.stopTraining) break;
  }
  await s.trainEnd();
  return s.history;
}

/** evaluateDataset's loop: the mean loss and metrics over every sample of the batches read. */
export async function evaluateDatasetLoop(model: LayersModel, dataset: DatasetLike | DatasetIterator, args: EvaluateDatasetArgs, who: string): Promise<number[]> {
  const a = checkOptions(args, who, ['batches', 'verbose']);
  if (a.verbose !== undefined && a.verbose !== 0) throw new Error(`${who}: verbose ${describe(a.verbose)} is not supported (TF.js implements no verbose evaluation either); give 0 or leave it out`);
  const batches = a.batches === undefined ? null : checkNumber(a.batches, `${who}: batches`, { min: 1, integer: true });
  if (!isDataset(dataset) && !isIterator(dataset)) throw new TypeError(`${who}: expected a dataset (an object with iterator()) or an iterator, got ${describe(dataset)}`);
  return evaluateDatasetValues(model, dataset, batches, who);
}

async function evaluateDatasetValues(model: LayersModel, dataset: DatasetLike | DatasetIterator, batches: number | null, who: string): Promise<number[]> {
  // TF.js accepts an iterator as well as a dataset here.
  const it = isDataset(dataset) ? await iteratorOf(dataset, who) : dataset;
  const sums = new Float64Array(model.metricsNames.length);
  let n = 0;
  for (let b = 0; batches === null || b < batches; b++) {
    const r = await nextOf(it, who);
    if (r.value !== undefined && r.value !== null) {
      const e = elementOf(model, r.value, `${who}: batch ${b}`, true);
      model.evaluateInto(sums, e.xs, e.ys, e.n, 0, e.n);
      for (const t of e.brought) t.dispose();
      n += e.n;
    }
    if (r.done) {
      if (batches !== null) console.warn(`${who}: the dataset iterator ran out of data after ${b} of ${batches} batches`);
      break;
    }
  }
  if (n === 0) throw new Error(`${who}: the dataset gave no samples`);
  return model.finishEvaluate(sums, n);
}

// ---------------------------------------------------------------------------------------------
// Options shared by fit and fitDataset
// ---------------------------------------------------------------------------------------------

interface Common {
  initialEpoch: number;
  verbose: number;
  yieldEvery: 'batch' | 'epoch' | 'never' | number;
  callbacks: CallbackHooks[];
}

function commonArgs(a: { initialEpoch?: number; verbose?: number; yieldEvery?: YieldEvery; callbacks?: CallbackHooks | CallbackHooks[] }, epochs: number, who: string): Common {
  const initialEpoch = a.initialEpoch ?? 0;
  if (!(Number.isInteger(initialEpoch) && initialEpoch >= 0 && initialEpoch < epochs)) throw new Error(`${who}: initialEpoch must be an integer in [0, epochs), got ${describe(initialEpoch)}`);
  const verbose = a.verbose ?? 1;
  if (!(verbose === 0 || verbose === 1 || verbose === 2)) throw new Error(`${who}: verbose must be 0, 1 or 2, got ${describe(verbose)}`);
  const y = a.yieldEvery ?? 'auto';
  let yieldEvery: Common['yieldEvery'];
  if (y === 'auto') yieldEvery = 125;
  else if (y === 'batch' || y === 'epoch' || y === 'never') yieldEvery = y;
  else if (typeof y === 'number' && Number.isFinite(y) && y >= 0) yieldEvery = y;
  else throw new Error(`${who}: yieldEvery must be 'auto', 'batch', 'epoch', 'never' or a number of milliseconds >= 0, got ${describe(y)}`);
  // Callbacks are checked before any of them is handed the model.
  const callbacks = a.callbacks === undefined || a.callbacks === null ? [] : Array.isArray(a.callbacks) ? a.callbacks : [a.callbacks];
  checkCallbacks(callbacks, `${who}: callbacks`);
  const withYield = callbacks.filter((c) => typeof (c as CallbackHooks).onYield === 'function');
  if (withYield.length && typeof yieldEvery !== 'number') {
    throw new Error(`${who}: onYield is called when fit yields every yieldEvery milliseconds ('auto' or a number), as in TF.js; with yieldEvery '${yieldEvery}' it would never be called`);
  }
  return { initialEpoch, verbose, yieldEvery, callbacks };
}

// ---------------------------------------------------------------------------------------------
// Per-sample weights: classWeight and sampleWeight
// ---------------------------------------------------------------------------------------------

/** One class-weight table (class index → weight), checked. */
function classTable(cw: unknown, who: string): Map<number, number> {
  if (typeof cw !== 'object' || cw === null || ArrayBuffer.isView(cw) || cw instanceof TensorClass) {
    throw new TypeError(`${who}: expected an object of class index → weight (e.g. { 0: 1, 1: 5 }) or a list of weights by class, got ${describe(cw)}`);
  }
  const table = new Map<number, number>();
  for (const [k, v] of Object.entries(cw)) {
    const c = Number(k);
    if (!(Number.isInteger(c) && c >= 0 && String(c) === k)) throw new Error(`${who}: keys must be class indices (integers >= 0), got ${describe(k)}`);
    table.set(c, checkNumber(v, `${who}[${k}]`, { min: 0 }));
  }
  return table;
}

/**
 * classWeight as TF.js reads it: with one output, the table itself (or [table], or
 * { outputName: table }); with several, a list with one table (or null) per output, or an
 * object keyed by output name.
 */
export function standardizeClassWeights(cw: ClassWeightArg, model: LayersModel, who: string): (Map<number, number> | null)[] {
  const names = model.outputNames;
  const own = (k: string) => Object.prototype.hasOwnProperty.call(cw, k);
  let list: unknown[];
  if (names.length === 1) {
    if (Array.isArray(cw) && cw.length === 1 && typeof cw[0] === 'object') list = [cw[0]];
    else if (typeof cw === 'object' && cw !== null && !Array.isArray(cw) && own(names[0])) list = [(cw as Record<string, unknown>)[names[0]]];
    else list = [cw];
  } else if (Array.isArray(cw)) {
    if (cw.length !== names.length) throw new Error(`${who}: a list of ${cw.length} entries, but the model has ${names.length} outputs (${names.join(', ')}); give one table (or null) per output`);
    list = cw;
  } else if (typeof cw === 'object' && cw !== null) {
    const unknown = Object.keys(cw).filter((k) => !names.includes(k));
    if (unknown.length) throw new Error(`${who}: with ${names.length} outputs, give a table per output name (${names.join(', ')}); unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
    list = names.map((n) => (own(n) ? (cw as Record<string, unknown>)[n] : null));
  } else {
    throw new TypeError(`${who}: expected class weights (an object of class index → weight), got ${describe(cw)}`);
  }
  const tables = list.map((t, i) => (t === null || t === undefined ? null : classTable(t, names.length > 1 ? `${who} (${names[i]})` : who)));
  const outShapes = model.outputs.map((t) => t.sampleShape);
  tables.forEach((t, i) => {
    if (t && outShapes[i].length !== 1) throw new Error(`${who}: output ${names[i]} has shape [null, ${outShapes[i].join(', ')}]; class weights need one target row per sample ([null, classes])`);
  });
  return tables;
}

/** fit's per-sample weights of every sample of x (classWeight × sampleWeight), per output; null when neither is given. */
function fitSampleWeights(model: LayersModel, ys: Tensor[], classWeight: ClassWeightArg | undefined, sampleWeight: TensorLike | undefined, total: number): (Float32Array | null)[] | null {
  if (classWeight === undefined && sampleWeight === undefined) return null;
  const names = model.outputNames;
  const losses = model.compiledLosses;
  const out: (Float32Array | null)[] = names.map(() => null);
  if (classWeight !== undefined) {
    standardizeClassWeights(classWeight, model, 'fit: classWeight').forEach((t, i) => {
      if (!t) return;
      out[i] = new Float32Array(total);
      classWeightsInto(out[i]!, ys[i], losses[i].sparse, t, names.length > 1 ? `fit: classWeight (${names[i]})` : 'fit: classWeight');
    });
  }
  if (sampleWeight !== undefined) {
    const w = untracked(() => toTensor(sampleWeight, 'fit: sampleWeight'));
    if (!(w.size === total && (w.rank === 1 || (w.rank === 2 && w.shape[1] === 1)))) throw new Error(`fit: sampleWeight must hold one weight per sample (shape [${total}]), got shape [${w.shape.join(', ')}]`);
    const v = w.values;
    for (let j = 0; j < total; j++) if (!(Number.isFinite(v[j]) && v[j] >= 0)) throw new Error(`fit: sampleWeight: weights must be finite numbers >= 0, got ${v[j]} at sample ${j}`);
    model.outputs.forEach((t, i) => {
      if (t.sampleShape.length !== 1) throw new Error(`fit: sampleWeight: output ${names[i]} has shape [null, ${t.sampleShape.join(', ')}]; sample weights need one row per sample ([null, units])`);
      const o = out[i] ?? new Float32Array(total).fill(1);
      for (let j = 0; j < total; j++) o[j] *= v[j];
      out[i] = o;
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The session: callbacks, logs, history, progress, yielding
// ---------------------------------------------------------------------------------------------

const HOOKED_BATCH = ['onBatchBegin', 'onBatchEnd', 'onYield'] as const;

class Session {
  readonly history: History;
  private readonly cbs: CallbackList;
  private readonly sums: Float64Array;
  private seen = 0;
  private epoch = 0;
  /** One logs object reused per batch unless a user hook sees it (TF.js gives each batch its own). */
  private readonly reused: Logs = {};
  private readonly freshLogs: boolean;
  private readonly yieldEvery: Common['yieldEvery'];
  private readonly now: () => number;
  private readonly nextFrame: () => Promise<unknown>;
  private lastYield: number;

  constructor(
    private readonly model: LayersModel,
    common: Common,
    params: History['params'],
    private readonly names: string[],
  ) {
    const user = common.callbacks;
    for (const cb of user) {
      const c = cb as { setModel?: (m: LayersModel) => void; setParams?: (p: CallbackParams) => void };
      c.setModel?.(model);
      c.setParams?.({ ...params, metrics: [...params.metrics] });
    }
    const list: CallbackHooks[] = [...user];
    if (common.verbose > 0) list.push(new ProgressBar(params.epochs, params.steps, params.samples, undefined, common.verbose === 2));
    this.cbs = new CallbackList(list);
    this.freshLogs = user.some((c) => HOOKED_BATCH.some((h) => typeof (c as Record<string, unknown>)[h] === 'function'));
    this.sums = new Float64Array(names.length);
    this.history = { epoch: [], history: {}, params };
    this.yieldEvery = common.yieldEvery;
    // TF.js's CustomCallbackArgs: a callback object may bring its own clock and frame function.
    const fnOf = (key: 'nowFunc' | 'nextFrameFunc') => user.map((c) => (c as Record<string, unknown>)[key]).find((f) => typeof f === 'function') as (() => never) | undefined;
    this.now = fnOf('nowFunc') ?? nowMs;
    this.nextFrame = fnOf('nextFrameFunc') ?? yieldToEventLoop;
    this.lastYield = this.now();
  }

  /** A callback may dispose the model: stop with a clear error rather than fail inside the step. */
  alive(): void {
    if (this.model.isDisposed) throw new Error(`fit: ${this.model.name} was disposed during training`);
  }

  async trainBegin(): Promise<void> {
    await this.cbs.call('onTrainBegin', {});
    this.model.stopTraining = false;
  }

  async epochBegin(epoch: number): Promise<void> {
    this.epoch = epoch;
    this.sums.fill(0);
    this.seen = 0;
    await this.cbs.call('onEpochBegin', epoch, {});
  }

  /** The logs object of a batch; TF.js's fit fills in batch and size after onBatchBegin, fitDataset before. */
  batchLogs(batch: number, size: number, early: boolean): Logs {
    const logs = this.freshLogs ? {} : this.reused;
    if (early) {
      logs.batch = batch;
      logs.size = size;
    }
    return logs;
  }

  /**
   * The per-batch hooks return a promise only when there is something to wait for (an async
   * hook, a yield), so a batch with synchronous callbacks costs no promise and no turn of the
   * event loop.
   */
  batchBegin(batch: number, logs: Logs): Promise<void> | undefined {
    return this.cbs.call('onBatchBegin', batch, logs);
  }

  /** Records the step's values, calls onBatchEnd, yields when it is time. */
  batchEnd(batch: number, size: number, out: number[], logs: Logs): Promise<void> | undefined {
    for (let i = 0; i < this.names.length; i++) {
      this.sums[i] += out[i] * size;
      logs[this.names[i]] = out[i];
    }
    this.seen += size;
    const p = this.cbs.call('onBatchEnd', batch, logs);
    return p ? p.then(() => this.afterBatch(batch, logs)) : this.afterBatch(batch, logs);
  }

  private afterBatch(batch: number, logs: Logs): Promise<void> | undefined {
    const y = this.yieldEvery;
    if (y === 'batch') return this.frame();
    if (typeof y !== 'number') return undefined;
    const t = this.now();
    if (t - this.lastYield < y) return undefined;
    this.lastYield = t;
    const q = this.cbs.call('onYield', this.epoch, batch, logs);
    return q ? q.then(() => this.frame()) : this.frame();
  }

  private async frame(): Promise<void> {
    await this.nextFrame();
  }

  /** Epoch logs as TF.js writes them: the validation values, then the means of the batch values. */
  async epochEnd(epoch: number, val: number[] | null): Promise<void> {
    const logs: Logs = {};
    if (val) for (let i = 0; i < this.names.length; i++) logs[`val_${this.names[i]}`] = val[i];
    if (this.seen > 0) for (let i = 0; i < this.names.length; i++) logs[this.names[i]] = this.sums[i] / this.seen;
    await this.cbs.call('onEpochEnd', epoch, logs);
    // TF.js's History is the last callback: it records the logs as the others left them.
    const h = this.history;
    h.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (h.history[k] ??= []).push(v);
    if (this.yieldEvery === 'epoch') await this.nextFrame();
  }

  async trainEnd(): Promise<void> {
    await this.cbs.call('onTrainEnd', {});
  }
}

const nowMs = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  return new Promise((resolve) => (g.setImmediate ? g.setImmediate(resolve) : setTimeout(resolve, 0)));
}
