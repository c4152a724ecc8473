/**
 * Callbacks (TF.js names): plain objects with hooks, earlyStopping, terminateOnNaN, and Keras's
 * reduceLROnPlateau, learningRateScheduler, modelCheckpoint and csvLogger. Hooks may be async;
 * `fit` awaits them.
 */
import { hasNodeBuiltins, nodeBuiltin } from '../platform.ts';
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
  /** The compiled optimizer (the learning-rate callbacks read and set its rate). */
  readonly optimizer?: { learningRate: number; readonly learningRateSchedule?: unknown } | null;
  /** model.save (modelCheckpoint). */
  save?(destination: unknown, opts?: { includeOptimizer?: boolean }): Promise<unknown>;
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

  private checkMonitor(names: string[], doValidation: boolean | null): void {
    checkMonitor('callbacks.earlyStopping', this.monitor, names, doValidation);
  }
  private improved(v: number, ref: number): boolean {
    return this.mode === 'min' ? v < ref - this.minDelta : v > ref + this.minDelta;
  }

  onTrainBegin(): void {
    checkMonitorBeforeTraining('callbacks.earlyStopping', this.monitor, this);
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

/**
 * The monitor is checked before any epoch trains (not after the first, as Keras does with a
 * warning): a monitor the logs will never hold — a typo, or 'val_loss' without validation data
 * — would make the callback a silent no-op, so it is an error that names what the logs hold.
 */
function checkMonitor(who: string, monitor: string, names: string[], doValidation: boolean | null): void {
  if (names.includes(monitor)) return;
  const noValidation = doValidation === false || (doValidation === null && !names.some((n) => n.startsWith('val_')));
  const hint = monitor.startsWith('val_') && noValidation ? '; did you forget validationSplit or validationData?' : '';
  throw new Error(`${who}: monitor '${monitor}' is not in the logs (${names.join(', ')})${hint}`);
}
function checkMonitorBeforeTraining(who: string, monitor: string, cb: Callback): void {
  if (cb.params) checkMonitor(who, monitor, cb.params.metrics, cb.params.doValidation);
  else {
    // Without params (a fit that does not pass them), a monitor naming no metric of the model is still caught here.
    const names = (cb.model as { metricsNames?: unknown } | null)?.metricsNames;
    if (Array.isArray(names) && names.length) checkMonitor(who, monitor, [...names, ...names.map((n) => `val_${n}`)], null);
  }
}
function checkMonitorName(v: unknown, who: string, fallback: string): string {
  if (v !== undefined && !(typeof v === 'string' && v !== '')) throw new TypeError(`${who}: monitor must be a log name such as 'val_loss', got ${describe(v)}`);
  return (v as string | undefined) ?? fallback;
}
function checkMode(v: unknown, who: string, monitor: string): 'min' | 'max' {
  const mode = v ?? 'auto';
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max') throw new Error(`${who}: mode must be auto, min or max, got ${describe(mode)}`);
  return mode === 'auto' ? (/acc/.test(monitor) ? 'max' : 'min') : mode;
}

/** The compiled optimizer of the callback's model, for the learning-rate callbacks. */
function optimizerOf(cb: Callback, who: string): { learningRate: number; readonly learningRateSchedule?: unknown } {
  const opt = cb.model?.optimizer;
  if (!opt) throw new Error(`${who}: the model has no compiled optimizer; call model.compile({ optimizer, loss }) first`);
  if (opt.learningRateSchedule) {
    throw new Error(`${who}: the optimizer's learning rate follows a schedule, so the callback cannot set it (Keras refuses too); give the optimizer a number as its learningRate`);
  }
  return opt;
}

export interface ReduceLROnPlateauArgs {
  /** Default 'val_loss'. */
  monitor?: string;
  /** The rate is multiplied by this (0 < factor < 1). Default 0.1. */
  factor?: number;
  /** Epochs without improvement before the rate is reduced. Default 10. */
  patience?: number;
  /** The least change that counts as an improvement. Default 1e-4. */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again. Default 0. */
  cooldown?: number;
  /** The rate is never reduced below this. Default 0. */
  minLr?: number;
  mode?: 'auto' | 'min' | 'max';
  verbose?: number;
}

/**
 * Keras's ReduceLROnPlateau: when the monitored value has not improved (by more than minDelta)
 * for `patience` epochs, multiply the optimizer's learning rate by `factor` (not below minLr),
 * then wait `cooldown` epochs before counting again. The rate is read as float32, as Keras keeps
 * it in a float32 variable. Each epoch's logs gain `learning_rate` (Keras 3).
 */
export class ReduceLROnPlateau extends Callback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  readonly mode: 'min' | 'max';
  readonly verbose: number;
  best = Infinity;
  wait = 0;
  cooldownCounter = 0;

  constructor(args: ReduceLROnPlateauArgs = {}) {
    super();
    const who = 'callbacks.reduceLROnPlateau';
    const a = checkOptions(args, who, ['monitor', 'factor', 'patience', 'minDelta', 'cooldown', 'minLr', 'mode', 'verbose']);
    this.monitor = checkMonitorName(a.monitor, who, 'val_loss');
    this.factor = checkNumber(a.factor ?? 0.1, `${who}: factor`, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
    this.patience = checkNumber(a.patience ?? 10, `${who}: patience`, { min: 0, integer: true });
    this.minDelta = checkNumber(a.minDelta ?? 1e-4, `${who}: minDelta`, { min: 0 });
    this.cooldown = checkNumber(a.cooldown ?? 0, `${who}: cooldown`, { min: 0, integer: true });
    this.minLr = checkNumber(a.minLr ?? 0, `${who}: minLr`, { min: 0 });
    this.mode = checkMode(a.mode, who, this.monitor);
    this.verbose = checkNumber(a.verbose ?? 0, `${who}: verbose`, { min: 0, integer: true });
    this.reset();
  }
  private reset(): void {
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.wait = 0;
    this.cooldownCounter = 0;
  }
  private improved(v: number): boolean {
    return this.mode === 'min' ? v < this.best - this.minDelta : v > this.best + this.minDelta;
  }
  onTrainBegin(): void {
    const who = 'callbacks.reduceLROnPlateau';
    checkMonitorBeforeTraining(who, this.monitor, this);
    optimizerOf(this, who);
    this.reset();
  }
  onEpochEnd(epoch: number, logs: Logs = {}): void {
    const opt = optimizerOf(this, 'callbacks.reduceLROnPlateau');
    logs.learning_rate = Math.fround(opt.learningRate);
    const v = logs[this.monitor];
    if (v === undefined) checkMonitor('callbacks.reduceLROnPlateau', this.monitor, Object.keys(logs), null);
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    if (this.improved(v)) {
      this.best = v;
      this.wait = 0;
    } else if (this.cooldownCounter === 0) {
      this.wait++;
      if (this.wait >= this.patience) {
        const old = Math.fround(opt.learningRate);
        if (old > Math.fround(this.minLr)) {
          const lr = Math.max(old * this.factor, this.minLr);
          opt.learningRate = lr;
          if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${lr}.`);
          this.cooldownCounter = this.cooldown;
          this.wait = 0;
        }
      }
    }
  }
}

/** What learningRateScheduler calls at each epoch's start: the epoch (0-based) and the current rate. */
export type LearningRateSchedulerFn = (epoch: number, learningRate: number) => number | Promise<number>;

/**
 * Keras's LearningRateScheduler: at the start of each epoch, the optimizer's rate becomes
 * `schedule(epoch, currentRate)` (the current rate read as float32, as Keras keeps it). Each
 * epoch's logs gain `learning_rate` (Keras 3).
 */
export class LearningRateScheduler extends Callback {
  readonly schedule: LearningRateSchedulerFn;
  readonly verbose: number;
  constructor(schedule: LearningRateSchedulerFn, args: { verbose?: number } = {}) {
    super();
    const who = 'callbacks.learningRateScheduler';
    if (typeof schedule !== 'function') throw new TypeError(`${who}: expected a function (epoch, learningRate) => learningRate, got ${describe(schedule)}`);
    const a = checkOptions(args, who, ['verbose']);
    this.schedule = schedule;
    this.verbose = checkNumber(a.verbose ?? 0, `${who}: verbose`, { min: 0, integer: true });
  }
  onTrainBegin(): void {
    optimizerOf(this, 'callbacks.learningRateScheduler');
  }
  onEpochBegin(epoch: number): void | Promise<void> {
    const opt = optimizerOf(this, 'callbacks.learningRateScheduler');
    const r = this.schedule(epoch, Math.fround(opt.learningRate));
    const set = (lr: unknown) => {
      opt.learningRate = checkNumber(lr, `callbacks.learningRateScheduler: the schedule's rate for epoch ${epoch}`, { min: 0, minExclusive: true });
      if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${lr}.`);
    };
    if (r && typeof (r as Promise<number>).then === 'function') return (r as Promise<number>).then(set);
    set(r);
  }
  onEpochEnd(_epoch: number, logs: Logs = {}): void {
    logs.learning_rate = Math.fround(optimizerOf(this, 'callbacks.learningRateScheduler').learningRate);
  }
}

// ---- modelCheckpoint ---------------------------------------------------------------------------

type Piece = string | { key: string; spec: string };

/**
 * A filepath template in Python's str.format syntax as Keras uses it: `{epoch}`, `{epoch:02d}`,
 * `{val_loss:.2f}`, `{loss:.3e}`; `{{` and `}}` are literal braces.
 */
function parseTemplate(t: string, who: string): Piece[] {
  const out: Piece[] = [];
  let lit = '';
  for (let i = 0; i < t.length; i++) {
    const ch = t[i];
    if ((ch === '{' || ch === '}') && t[i + 1] === ch) {
      lit += ch;
      i++;
    } else if (ch === '{') {
      const end = t.indexOf('}', i);
      if (end < 0) throw new Error(`${who}: filepath ${describe(t)} has an unclosed '{' at ${i}`);
      const [key, spec = '', extra] = t.slice(i + 1, end).split(':');
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) || extra !== undefined || !/^0?\d*(\.\d+)?[dfeg%]?$/.test(spec)) {
        throw new Error(`${who}: filepath ${describe(t)}: cannot read the placeholder {${t.slice(i + 1, end)}}; expected {name} or {name:spec} such as {epoch:02d} or {val_loss:.2f}`);
      }
      if (lit) out.push(lit);
      lit = '';
      out.push({ key, spec });
      i = end;
    } else if (ch === '}') {
      throw new Error(`${who}: filepath ${describe(t)} has a lone '}' at ${i} (write '}}' for a brace)`);
    } else lit += ch;
  }
  if (lit) out.push(lit);
  return out;
}

/** Python's exponent notation: 1.5e-05, not 1.5e-5. */
const pyExp = (s: string) => s.replace(/e([+-])(\d)$/, (_, sign: string, d: string) => `e${sign}0${d}`);

/** Python's str() of a float: the shortest digits, in exponent form below 1e-4 and from 1e16, '.0' on whole numbers. */
function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) return pyExp(v.toExponential());
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

/** One value formatted as Python's format(value, spec) for the specs parseTemplate accepts. */
function formatValue(v: number, spec: string, isInt: boolean): string {
  const m = /^(0?)(\d*)(?:\.(\d+))?([dfeg%]?)$/.exec(spec)!;
  const [, zero, width, precision, type] = m;
  const p = precision === undefined ? 6 : Number(precision);
  let s: string;
  if (!Number.isFinite(v)) s = Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  else if (type === 'd') s = String(Math.round(v));
  else if (type === 'f') s = v.toFixed(p);
  else if (type === 'e') s = pyExp(v.toExponential(p));
  else if (type === '%') s = `${(v * 100).toFixed(p)}%`;
  else if (type === 'g' || precision !== undefined) {
    const e = v === 0 ? 0 : Math.floor(Math.log10(Math.abs(v)));
    const q = Math.max(p, 1);
    s = e < -4 || e >= q ? pyExp(v.toExponential(q - 1)).replace(/\.?0+e/, 'e') : v.toFixed(Math.max(q - 1 - e, 0)).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  } else s = isInt ? String(v) : pyFloat(v);
  if (width && s.length < Number(width)) {
    const pad = Number(width) - s.length;
    s = zero ? (s[0] === '-' ? `-${'0'.repeat(pad)}${s.slice(1)}` : '0'.repeat(pad) + s) : ' '.repeat(pad) + s;
  }
  return s;
}

export interface ModelCheckpointArgs {
  /**
   * Where to save: anything `model.save` accepts (`file://dir`, `indexeddb://name`,
   * `localstorage://name`, `downloads://name`, `http(s)://…`, or an object with `save()`). A
   * string may hold placeholders filled in from the epoch (1-based, as Keras) and the epoch logs:
   * `file://ckpt/model-{epoch:02d}-{val_loss:.2f}`.
   */
  filepath: string | { save(artifacts: unknown): Promise<unknown> };
  /** Default 'val_loss'. */
  monitor?: string;
  verbose?: number;
  /** Save only when the monitored value is better than at every earlier save. Default false. */
  saveBestOnly?: boolean;
  /**
   * Leave the training configuration out (model.save's `includeOptimizer: false`). TF.js's
   * format has no weights-only file (and simdnet no weights-only loader), so the file still
   * holds the topology next to the weights: it loads with loadLayersModel. Default false.
   */
  saveWeightsOnly?: boolean;
  mode?: 'auto' | 'min' | 'max';
  /** With saveBestOnly, the value to beat first. Default none (the first epoch saves). */
  initialValueThreshold?: number;
}

/**
 * Keras's ModelCheckpoint, saving at the end of each epoch (Keras's save_freq 'epoch'). With
 * saveBestOnly, a save happens only when the monitored value beats the best so far (strictly),
 * so a fixed filepath ends up holding the best epoch's model.
 */
export class ModelCheckpoint extends Callback {
  readonly filepath: ModelCheckpointArgs['filepath'];
  readonly monitor: string;
  readonly verbose: number;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly mode: 'min' | 'max';
  best: number;
  /** The destinations saved to, in order (epoch and where). */
  readonly saved: { epoch: number; filepath: string | null }[] = [];
  private readonly template: Piece[] | null;
  private readonly initial: number;

  constructor(args: ModelCheckpointArgs) {
    super();
    const who = 'callbacks.modelCheckpoint';
    const a = checkOptions(args, who, ['filepath', 'monitor', 'verbose', 'saveBestOnly', 'saveWeightsOnly', 'mode', 'initialValueThreshold'], '{ filepath }');
    const f = a.filepath;
    if (typeof f === 'string') {
      if (f === '') throw new Error(`${who}: filepath must not be empty`);
      this.template = parseTemplate(f, who);
    } else if (typeof f === 'object' && f !== null && typeof (f as { save?: unknown }).save === 'function') this.template = null;
    else throw new TypeError(`${who}: filepath must be a save destination (a string such as 'file://ckpt/model-{epoch}' or an object with save()), got ${describe(f)}`);
    this.filepath = f;
    this.monitor = checkMonitorName(a.monitor, who, 'val_loss');
    this.verbose = checkNumber(a.verbose ?? 0, `${who}: verbose`, { min: 0, integer: true });
    this.saveBestOnly = checkBoolean(a.saveBestOnly ?? false, `${who}: saveBestOnly`);
    this.saveWeightsOnly = checkBoolean(a.saveWeightsOnly ?? false, `${who}: saveWeightsOnly`);
    this.mode = checkMode(a.mode, who, this.monitor);
    this.initial = a.initialValueThreshold === undefined ? (this.mode === 'min' ? Infinity : -Infinity) : checkNumber(a.initialValueThreshold, `${who}: initialValueThreshold`);
    this.best = this.initial;
  }

  /** The destination for this epoch (placeholders filled in). */
  pathFor(epoch: number, logs: Logs): string | null {
    if (!this.template) return null;
    return this.template
      .map((p) => {
        if (typeof p === 'string') return p;
        const v = p.key === 'epoch' ? epoch + 1 : logs[p.key];
        if (v === undefined) throw new Error(`callbacks.modelCheckpoint: filepath ${describe(this.filepath)}: the logs have no '${p.key}' (they hold epoch, ${Object.keys(logs).join(', ')})`);
        return formatValue(v, p.spec, p.key === 'epoch');
      })
      .join('');
  }

  onTrainBegin(): void {
    const who = 'callbacks.modelCheckpoint';
    if (this.saveBestOnly) checkMonitorBeforeTraining(who, this.monitor, this);
    if (this.template && this.params) {
      // A placeholder the logs will never hold is caught before the first epoch trains.
      const known = ['epoch', 'learning_rate', ...this.params.metrics];
      const missing = this.template.find((p) => typeof p !== 'string' && !known.includes(p.key));
      if (missing) checkMonitor(`${who}: filepath placeholder`, (missing as { key: string }).key, known, this.params.doValidation);
    }
    if (typeof this.model?.save !== 'function') throw new Error(`${who}: the model cannot be saved (it has no save())`);
    this.best = this.initial;
  }

  async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    const path = this.pathFor(epoch, logs);
    const where = path ?? 'the save handler';
    if (this.saveBestOnly) {
      const v = logs[this.monitor];
      if (v === undefined) checkMonitor('callbacks.modelCheckpoint', this.monitor, Object.keys(logs), null);
      const better = this.mode === 'min' ? v < this.best : v > this.best;
      if (!better) {
        if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: ${this.monitor} did not improve from ${this.best.toFixed(5)}`);
        return;
      }
      if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: ${this.monitor} improved from ${this.best.toFixed(5)} to ${v.toFixed(5)}, saving model to ${where}`);
      this.best = v;
    } else if (this.verbose > 0) console.log(`Epoch ${epoch + 1}: saving model to ${where}`);
    await this.model!.save!(path ?? this.filepath, this.saveWeightsOnly ? { includeOptimizer: false } : undefined);
    this.saved.push({ epoch, filepath: path });
  }
}

// ---- csvLogger ---------------------------------------------------------------------------------

export interface CSVLoggerArgs {
  /** Between fields. Default ','. */
  separator?: string;
  /** Add to an existing file (a header only if it is empty) instead of replacing it. Default false. */
  append?: boolean;
}

interface FsPromises {
  readFile(p: string, enc: 'utf8'): Promise<string>;
  writeFile(p: string, data: string): Promise<void>;
  appendFile(p: string, data: string): Promise<void>;
}

/**
 * Keras's CSVLogger: one row per epoch — `epoch` (0-based, as Keras writes it), then the epoch
 * logs' keys in sorted order (the `val_` ones included from the first row when there is
 * validation data) — written to a file in Node, Deno and Bun, and flushed after every epoch.
 * Values are written as Python's str() writes floats (NaN as nan); lines end with '\n'. A key
 * missing from an epoch's logs is written NA. Browsers have no files: an error at construction.
 */
export class CSVLogger extends Callback {
  readonly path: string;
  readonly separator: string;
  readonly append: boolean;
  private keys: string[] | null = null;
  private header = true;
  private fs: FsPromises | null = null;

  constructor(path: string, args: CSVLoggerArgs = {}) {
    super();
    const who = 'callbacks.csvLogger';
    if (typeof path !== 'string' || path === '') throw new TypeError(`${who}: expected a file path, got ${describe(path)}`);
    const a = checkOptions(args, who, ['separator', 'append']);
    if (a.separator !== undefined && !(typeof a.separator === 'string' && a.separator.length === 1 && !/["\r\n]/.test(a.separator))) {
      throw new Error(`${who}: separator must be one character (not a quote or a line break), got ${describe(a.separator)}`);
    }
    if (!hasNodeBuiltins()) throw new Error(`${who}: writing ${describe(path)} needs a file system (Node, Deno or Bun); this runtime has none — record the epochs with an onEpochEnd callback instead`);
    this.path = path.startsWith('file://') ? path.slice('file://'.length) : path;
    this.separator = a.separator ?? ',';
    this.append = checkBoolean(a.append ?? false, `${who}: append`);
  }

  private field(v: string): string {
    return v.includes(this.separator) || /["\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  }
  private static value(v: number | undefined): string {
    return v === undefined ? 'NA' : pyFloat(v);
  }

  async onTrainBegin(): Promise<void> {
    const fs = await nodeBuiltin<{ promises: FsPromises }>('fs').then((m) => m.promises);
    this.fs = fs;
    this.keys = null;
    this.header = true;
    if (this.append) {
      let existing = '';
      try {
        existing = await fs.readFile(this.path, 'utf8');
      } catch (e) {
        if ((e as { code?: string }).code !== 'ENOENT') throw e;
      }
      this.header = existing.length === 0;
      // Keras reads the keys from the header row of the run it appends to; here they come from the logs (sorted, as Keras does).
    } else await fs.writeFile(this.path, '');
  }

  async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    if (!this.keys) {
      const keys = Object.keys(logs).sort();
      if (!keys.some((k) => k.startsWith('val_')) && this.params?.doValidation) keys.push(...keys.map((k) => `val_${k}`));
      this.keys = keys;
    }
    let text = '';
    if (this.header) {
      text += ['epoch', ...this.keys].map((k) => this.field(k)).join(this.separator) + '\n';
      this.header = false;
    }
    text += [String(epoch), ...this.keys.map((k) => CSVLogger.value(logs[k]))].join(this.separator) + '\n';
    await this.fs!.appendFile(this.path, text);
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
  reduceLROnPlateau: (args?: ReduceLROnPlateauArgs) => new ReduceLROnPlateau(args),
  learningRateScheduler: (schedule: LearningRateSchedulerFn, args?: { verbose?: number }) => new LearningRateScheduler(schedule, args),
  modelCheckpoint: (args: ModelCheckpointArgs) => new ModelCheckpoint(args),
  csvLogger: (path: string, args?: CSVLoggerArgs) => new CSVLogger(path, args),
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
