/**
 * Callbacks (TF.js names): plain objects with hooks, earlyStopping, terminateOnNaN. Hooks may
 * be async; `fit` awaits them.
 */
export type Logs = Record<string, number>;

export interface CallbackHooks {
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs?: Logs): void | Promise<void>;
  onBatchBegin?(batch: number, logs?: Logs): void | Promise<void>;
  onBatchEnd?(batch: number, logs?: Logs): void | Promise<void>;
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
  setModel(m: TrainingModel): void {
    this.model = m;
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
    this.monitor = args.monitor ?? 'val_loss';
    this.minDelta = Math.abs(args.minDelta ?? 0);
    this.patience = args.patience ?? 0;
    if (!(Number.isInteger(this.patience) && this.patience >= 0)) throw new Error(`callbacks.earlyStopping: patience must be a non-negative integer, got ${args.patience}`);
    const mode = args.mode ?? 'auto';
    if (!['auto', 'min', 'max'].includes(mode)) throw new Error(`callbacks.earlyStopping: mode must be auto, min or max, got ${mode}`);
    this.mode = mode === 'auto' ? (/acc/.test(this.monitor) ? 'max' : 'min') : mode;
    this.baseline = args.baseline;
    this.restoreBestWeights = args.restoreBestWeights ?? false;
    this.verbose = args.verbose ?? 0;
  }

  private improved(v: number, ref: number): boolean {
    return this.mode === 'min' ? v < ref - this.minDelta : v > ref + this.minDelta;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = -1;
    this.best = this.baseline ?? (this.mode === 'min' ? Infinity : -Infinity);
    this.bestEpoch = -1;
    this.bestWeights = null;
  }

  onEpochEnd(epoch: number, logs: Logs = {}): void {
    const v = logs[this.monitor];
    if (v === undefined) {
      throw new Error(`callbacks.earlyStopping: monitor '${this.monitor}' is not in the logs (${Object.keys(logs).join(', ')}); did you forget validationSplit or validationData?`);
    }
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
  terminateOnNaN: () => new TerminateOnNaN(),
};

const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd'] as const;

/** Fan a hook out to every callback, awaiting the async ones. */
export class CallbackList {
  constructor(readonly list: CallbackHooks[]) {
    for (const c of list) {
      if (typeof c !== 'object' || c === null) throw new Error(`fit: a callback must be an object with onEpochEnd etc., got ${c}`);
      const unknown = Object.keys(c).filter((k) => k.startsWith('on') && !(HOOKS as readonly string[]).includes(k));
      if (unknown.length) throw new Error(`fit: unknown callback hook ${unknown.join(', ')}; expected ${HOOKS.join(', ')}`);
    }
  }
  /**
   * Call `hook` on every callback in order. Returns a promise only when some hook is async, so
   * a training loop with synchronous callbacks neither allocates nor yields per batch.
   */
  call(hook: (typeof HOOKS)[number], a?: unknown, b?: unknown): Promise<void> | undefined {
    for (let i = 0; i < this.list.length; i++) {
      const c = this.list[i];
      const f = c[hook] as ((x?: unknown, y?: unknown) => unknown) | undefined;
      if (!f) continue;
      const r = f.call(c, a, b);
      if (r && typeof (r as Promise<void>).then === 'function') return (r as Promise<void>).then(() => this.callFrom(i + 1, hook, a, b));
    }
    return undefined;
  }

  private async callFrom(start: number, hook: (typeof HOOKS)[number], a?: unknown, b?: unknown): Promise<void> {
    for (let i = start; i < this.list.length; i++) {
      const c = this.list[i];
      const f = c[hook] as ((x?: unknown, y?: unknown) => unknown) | undefined;
      if (f) await f.call(c, a, b);
    }
  }
}
