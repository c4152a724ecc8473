/**
 * The fit loop: epochs of shuffled batches, callbacks, the progress bar, validation, history.
 * Each batch is one staged copy and one training step; the loop allocates nothing per batch.
 */
import type { LayersModel } from './model.ts';
import type { ModelData } from './staging.ts';
import { type Tensor, checkBoolean, checkOptions, describe } from '../tensor.ts';
import { globalRandom } from '../random.ts';
import { type CallbackHooks, type CallbackParams, CallbackList, checkCallbacks, type Logs, type TrainingModel } from './callbacks.ts';
import { ProgressBar } from './progress.ts';

export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  validationSplit?: number;
  /** [x, y] with x and y as fit takes them (lists or objects for several inputs/outputs). */
  validationData?: [ModelData, ModelData];
  initialEpoch?: number;
  /** 0: silent; 1: progress bar (terminal) or a line per epoch. Default 1. */
  verbose?: number;
  callbacks?: CallbackHooks | CallbackHooks[];
  /** Give the event loop a turn at least this often (ms) so pages and servers stay responsive. */
  yieldEvery?: number;
}

export interface History {
  epoch: number[];
  history: Record<string, number[]>;
  params: { epochs: number; initialEpoch: number; samples: number; steps: number; batchSize: number; validationSamples: number };
}

const sliceAll = (ts: Tensor[], start: number, end?: number) => ts.map((t) => t.slice(start, end));

export async function fitLoop(model: LayersModel, x: ModelData, y: ModelData, args: FitArgs): Promise<History> {
  checkOptions(args, 'fit', ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'initialEpoch', 'verbose', 'callbacks', 'yieldEvery']);
  const epochs = args.epochs ?? 1;
  const batchSize = args.batchSize ?? 32;
  const initialEpoch = args.initialEpoch ?? 0;
  const verbose = args.verbose ?? 1;
  const yieldEvery = args.yieldEvery ?? 50;
  if (!(Number.isInteger(epochs) && epochs >= 1)) throw new Error(`fit: epochs must be a positive integer, got ${describe(epochs)}`);
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`fit: batchSize must be a positive integer, got ${describe(batchSize)}`);
  if (!(Number.isInteger(initialEpoch) && initialEpoch >= 0 && initialEpoch < epochs)) throw new Error(`fit: initialEpoch must be an integer in [0, epochs), got ${describe(initialEpoch)}`);
  if (!(typeof yieldEvery === 'number' && yieldEvery >= 0)) throw new Error(`fit: yieldEvery must be a number >= 0 (ms), got ${describe(yieldEvery)}`);
  if (!(verbose === 0 || verbose === 1 || verbose === 2)) throw new Error(`fit: verbose must be 0, 1 or 2, got ${describe(verbose)}`);
  const shuffle = checkBoolean(args.shuffle ?? true, 'fit: shuffle');
  if (args.validationSplit !== undefined && typeof args.validationSplit !== 'number') throw new TypeError(`fit: validationSplit must be a number in (0, 1), got ${describe(args.validationSplit)}`);
  // Callbacks are checked before any of them is handed the model.
  const userCallbacks = args.callbacks === undefined ? [] : Array.isArray(args.callbacks) ? args.callbacks : [args.callbacks];
  checkCallbacks(userCallbacks, 'fit: callbacks');
  let xs = model.checkX(x, 'fit: x');
  let ys = model.checkY(y, xs[0].shape[0], 'fit: y');
  let val: [Tensor[], Tensor[]] | null = null;
  if (args.validationData) {
    if (!Array.isArray(args.validationData) || args.validationData.length !== 2) throw new Error('fit: validationData must be [x, y]');
    const vx = model.checkX(args.validationData[0], 'fit: validationData[0]');
    if (vx[0].shape[0] === 0) throw new Error('fit: validationData has no samples');
    val = [vx, model.checkY(args.validationData[1], vx[0].shape[0], 'fit: validationData[1]')];
  } else if (args.validationSplit !== undefined && args.validationSplit !== 0) {
    const f = args.validationSplit;
    if (!(f > 0 && f < 1)) throw new Error(`fit: validationSplit must be in (0, 1), got ${describe(f)}`);
    // The last fraction of the samples, taken before shuffling (as Keras and TF.js do).
    const total = xs[0].shape[0];
    const nTrain = Math.floor(total * (1 - f));
    if (nTrain === 0 || nTrain === total) throw new Error(`fit: validationSplit ${f} leaves no ${nTrain === 0 ? 'training' : 'validation'} samples of ${total}`);
    val = [sliceAll(xs, nTrain), sliceAll(ys, nTrain)];
    xs = sliceAll(xs, 0, nTrain);
    ys = sliceAll(ys, 0, nTrain);
  }
  const n = xs[0].shape[0];
  if (n === 0) throw new Error('fit: no training samples');
  const bs = Math.min(batchSize, n);
  model.ensurePlan(bs, 'train');
  const steps = Math.ceil(n / bs);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;

  const names = model.metricsNames;
  const params: CallbackParams = {
    epochs,
    initialEpoch,
    samples: n,
    steps,
    batchSize: bs,
    verbose,
    doValidation: val !== null,
    metrics: val ? [...names, ...names.map((m) => `val_${m}`)] : [...names],
  };
  for (const cb of userCallbacks) {
    const c = cb as { setModel?: (m: TrainingModel) => void; setParams?: (p: CallbackParams) => void };
    c.setModel?.(model);
    c.setParams?.({ ...params, metrics: [...params.metrics] });
  }
  const list = [...userCallbacks];
  if (verbose > 0) list.push(new ProgressBar(epochs, steps, n));
  const cbs = new CallbackList(list);
  const history: History = {
    epoch: [],
    history: {},
    params: { epochs, initialEpoch, samples: n, steps, batchSize: bs, validationSamples: val ? val[0][0].shape[0] : 0 },
  };
  const stepOut = new Array<number>(names.length).fill(0);
  const sums = new Float64Array(names.length);
  const batchLogs: Logs = {};
  // A callback may dispose the model: stop with a clear error rather than fail inside the step.
  const alive = () => {
    if (model.isDisposed) throw new Error(`fit: ${model.name} was disposed during training`);
  };

  model.stopTraining = false;
  await cbs.call('onTrainBegin', {});
  let lastYield = nowMs();
  for (let epoch = initialEpoch; epoch < epochs && !model.stopTraining; epoch++) {
    await cbs.call('onEpochBegin', epoch, {});
    if (shuffle) globalRandom.shuffle(order);
    sums.fill(0);
    let seen = 0;
    for (let b = 0; b < steps; b++) {
      const start = b * bs;
      const size = Math.min(bs, n - start);
      batchLogs.batch = b;
      batchLogs.size = size;
      const before = cbs.call('onBatchBegin', b, batchLogs);
      if (before) await before;
      alive();
      model.stage(xs, ys, order, start, size);
      model.step(size, stepOut);
      for (let i = 0; i < names.length; i++) {
        sums[i] += stepOut[i] * size;
        batchLogs[names[i]] = stepOut[i];
      }
      seen += size;
      const after = cbs.call('onBatchEnd', b, batchLogs);
      if (after) await after;
      if (model.stopTraining) break;
      if (nowMs() - lastYield >= yieldEvery) {
        await yieldToEventLoop();
        lastYield = nowMs();
      }
    }
    alive();
    const logs: Logs = {};
    for (let i = 0; i < names.length; i++) logs[names[i]] = sums[i] / Math.max(seen, 1);
    if (val && !model.stopTraining) {
      const v = model.evaluateChecked(val[0], val[1], bs);
      for (let i = 0; i < names.length; i++) logs[`val_${names[i]}`] = v[i];
    }
    history.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
    await cbs.call('onEpochEnd', epoch, logs);
  }
  await cbs.call('onTrainEnd', {});
  return history;
}

const nowMs = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  return new Promise((resolve) => (g.setImmediate ? g.setImmediate(resolve) : setTimeout(resolve, 0)));
}
