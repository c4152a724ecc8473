/**
 * Callbacks (TF.js names): plain objects with hooks, earlyStopping, terminateOnNaN. Hooks may
 * be async; `fit` awaits them.
 */
import { checkBoolean, checkNumber, checkOptions, describe } from '../tensor.ts';

export type Logs = Record<string, number>;

/**
 * What `fit` tells each callback before training (TF.js's `setParams`): `metrics` lists every
 * key the epoch logs will hold, `val_` ones included when there is validation data.
 */
export interface CallbackParams {
  epochs: number;
  initialEpoch: number;
  /** Training samples per epoch, steps (batches) per epoch and batch size; null where a dataset does not say. */
  samples: number | null;
  steps: number | null;
  batchSize: number | null;
  verbose: number;
  doValidation: boolean;
  metrics: string[];
}

export interface CallbackHooks {
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
  /** Called when fit yields to the event loop (every yieldEvery ms), with the last batch's logs. */
  onYield?(epoch: number, batch: number, logs: Logs): void | Promise<void>;
  /** TF.js's CustomCallbackArgs: the clock yieldEvery is measured with, and what a yield awaits. */
  nowFunc?: () => number;
  nextFrameFunc?: () => Promise<unknown> | unknown;
}

/** What a callback may touch on the model. */
export interface TrainingModel {
  stopTraining: boolean;
  /** A copy of every parameter (one block), and putting one back. */
  snapshotParams(): Float32Array;
  restoreParams(snapshot: Float32Array): void;
}

export abstract class Callback {
  model: TrainingModel | null = null;
  params: CallbackParams | null = null;
  setModel(m: TrainingModel): void {
    this.model = m;
  }
  setParams(p: CallbackParams): void {
    this.params = p;
  }
}

/**
 * TF.js's CustomCallback: a callback made of hook functions (what fit makes of a plain object of
 * hooks). TF.js's second argument, a yieldEvery of its own, is refused: fit's yieldEvery decides
 * when training yields.
 */
// The hooks it was given become its own (a class and an interface of one name merge).
export interface CustomCallback extends CallbackHooks {}
export class CustomCallback extends Callback {
  constructor(args: CallbackHooks, yieldEvery?: unknown) {
    super();
    if (yieldEvery !== undefined) throw new Error(`CustomCallback: a yieldEvery of its own (${describe(yieldEvery)}) is not supported; give yieldEvery to fit / fitDataset`);
    const a = checkOptions(args, 'CustomCallback', [...HOOKS, 'nowFunc', 'nextFrameFunc']);
    for (const [k, f] of Object.entries(a)) {
      if (f !== undefined && typeof f !== 'function') throw new TypeError(`CustomCallback: ${k} must be a function, got ${describe(f)}`);
      if (f !== undefined) (this as unknown as Record<string, unknown>)[k] = f;
    }
  }
}

export interface EarlyStoppingArgs {
  monitor?: string;
  minDelta?: number;
  patience?: number;
  mode?: 'auto' | 'min' | 'max';
  baseline?: number;
  restoreBestWeights?: boolean;
  verbose?: number;
}

export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly baseline?: number;
  readonly restoreBestWeights: boolean;
  readonly verbose: number;
  best = NaN;
  bestEpoch = -1;
  wait = 0;
  stoppedEpoch = -1;
  private bestWeights: Float32Array | null = null;

  constructor(args: EarlyStoppingArgs = {}) {
    super();
    const who = 'callbacks.earlyStopping';
    const a = checkOptions(args, who, ['monitor', 'minDelta', 'patience', 'mode', 'baseline', 'restoreBestWeights', 'verbose']);
    if (a.monitor !== undefined && !(typeof a.monitor === 'string' && a.monitor !== '')) throw new TypeError(`${who}: monitor must be a log name such as 'val_loss', got ${describe(a.monitor)}`);
    this.monitor = a.monitor ?? 'val_loss';
    // Keras takes |minDelta|; a NaN or infinite one would make every epoch "no improvement".
    this.minDelta = Math.abs(checkNumber(a.minDelta ?? 0, `${who}: minDelta`));
    this.patience = checkNumber(a.patience ?? 0, `${who}: patience`, { min: 0, integer: true });
    const mode = a.mode ?? 'auto';
    if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new Error(`${who}: mode must be auto, min or max, got ${describe(mode)}`);
    this.mode = mode === 'auto' ? (/acc/.test(this.monitor) ? 'max' : 'min') : mode;
    this.baseline = a.baseline === undefined ? undefined : checkNumber(a.baseline, `${who}: baseline`);
    this.restoreBestWeights = checkBoolean(a.restoreBestWeights ?? false, `${who}: restoreBestWeights`);
    this.verbose = checkNumber(a.verbose ?? 0, `${who}: verbose`, { min: 0, integer: true });
  }

  /**
   * The monitor is checked before any epoch trains (not after the first, as Keras does with a
   * warning): a monitor the logs will never hold — a typo, or 'val_loss' without validation data
   * — would make early stopping a silent no-op, so it is an error that names what the logs hold.
   */
  private checkMonitor(names: string[], doValidation: boolean | null): void {
    if (names.includes(this.monitor)) return;
    const noValidation = doValidation === false || (doValidation === null && !names.some((n) => n.startsWith('val_')));
    const hint = this.monitor.startsWith('val_') && noValidation ? '; did you forget validationSplit or validationData?' : '';
    throw new Error(`callbacks.earlyStopping: monitor '${this.monitor}' is not in the logs (${names.join(', ')})${hint}`);
  }
  private improved(v: number, ref: number): boolean {
    return this.mode === 'min' ? v < ref - this.minDelta : v > ref + this.minDelta;
  }

  onTrainBegin(): void {
    if (this.params) this.checkMonitor(this.params.metrics, this.params.doValidation);
    else {
      // Without params (a fit that does not pass them), a monitor naming no metric of the model is still caught here.
      const names = (this.model as { metricsNames?: unknown } | null)?.metricsNames;
      if (Array.isArray(names) && names.length) this.checkMonitor([...names, ...names.map((n) => `val_${n}`)], null);
    }
    this.wait = 0;
    this.stoppedEpoch = -1;
    this.best = this.baseline ?? (this.mode === 'min' ? Infinity : -Infinity);
    this.bestEpoch = -1;
    this.bestWeights = null;
  }

  onEpochEnd(epoch: number, logs: Logs = {}): void {
    const v = logs[this.monitor];
    if (v === undefined) this.checkMonitor(Object.keys(logs), null);
    this.wait++;
    if (this.improved(v, this.best)) {
      this.best = v;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) this.bestWeights = this.model!.snapshotParams();
      return;
    }
    if (this.wait > this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model!.stopTraining = true;
    }
  }

  onTrainEnd(): void {
    if (this.restoreBestWeights && this.bestWeights) {
      this.model!.restoreParams(this.bestWeights);
      if (this.verbose > 0) console.log(`Restored the weights of epoch ${this.bestEpoch + 1} (${this.monitor} = ${this.best.toFixed(4)})`);
    }
    if (this.stoppedEpoch >= 0 && this.verbose > 0) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
  }
}

export class TerminateOnNaN extends Callback {
  terminatedAt: { batch: number } | null = null;
  onBatchEnd(batch: number, logs: Logs = {}): void {
    const loss = logs.loss;
    if (loss !== undefined && !Number.isFinite(loss)) {
      this.terminatedAt = { batch };
      console.warn(`Batch ${batch}: invalid loss (${loss}), terminating training`);
      this.model!.stopTraining = true;
    }
  }
}

export const callbacks = {
  earlyStopping: (args?: EarlyStoppingArgs) => new EarlyStopping(args),
  terminateOnNaN: (args?: Record<string, never>) => {
    checkOptions(args, 'callbacks.terminateOnNaN', []);
    return new TerminateOnNaN();
  },
};

const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd', 'onYield'] as const;

/**
 * Each callback is an object whose hooks (own or inherited) are functions; an `on…` key that is
 * no hook is a typo. Errors name the callback's position: "fit: callbacks[1]: …".
 */
export function checkCallbacks(list: unknown, what: string): asserts list is CallbackHooks[] {
  if (!Array.isArray(list)) throw new TypeError(`${what}: expected a list of callbacks, got ${describe(list)}`);
  list.forEach((c, i) => {
    const who = `${what}[${i}]`;
    if (typeof c !== 'object' || c === null) throw new TypeError(`${who}: a callback must be an object with onEpochEnd etc., got ${describe(c)}`);
    const unknown = Object.keys(c).filter((k) => k.startsWith('on') && !(HOOKS as readonly string[]).includes(k));
    if (unknown.length) throw new Error(`${who}: unknown callback hook ${unknown.join(', ')}; expected ${HOOKS.join(', ')}`);
    for (const h of [...HOOKS, 'setModel', 'setParams', 'nowFunc', 'nextFrameFunc']) {
      const f = (c as Record<string, unknown>)[h];
      if (f !== undefined && typeof f !== 'function') throw new TypeError(`${who}: ${h} must be a function, got ${describe(f)}`);
    }
  });
}

/** Fan a hook out to every callback, awaiting the async ones. */
export class CallbackList {
  constructor(readonly list: CallbackHooks[]) {
    checkCallbacks(list, 'fit: callbacks');
  }

  /**
   * Call `hook` on every callback in order. Returns a promise only when some hook is async, so
   * a training loop with synchronous callbacks neither allocates nor yields per batch.
   */
  call(hook: (typeof HOOKS)[number], a?: unknown, b?: unknown, d?: unknown): Promise<void> | undefined {
    for (let i = 0; i < this.list.length; i++) {
      const c = this.list[i];
      const f = c[hook] as ((x?: unknown, y?: unknown, z?: unknown) => unknown) | undefined;
      if (!f) continue;
      const r = f.call(c, a, b, d);
      if (r && typeof (r as Promise<void>).then === 'function') return (r as Promise<void>).then(() => this.callFrom(i + 1, hook, a, b, d));
    }
    return undefined;
  }

  private async callFrom(start: number, hook: (typeof HOOKS)[number], a?: unknown, b?: unknown, d?: unknown): Promise<void> {
    for (let i = start; i < this.list.length; i++) {
      const c = this.list[i];
      const f = c[hook] as ((x?: unknown, y?: unknown, z?: unknown) => unknown) | undefined;
      if (f) await f.call(c, a, b, d);
    }
  }
}
