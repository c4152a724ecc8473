/**
 * LayersModel: a graph of layers from inputs to outputs (the Keras functional API). `compile`
 * resolves the optimizer, a loss per output and metrics; the first fit/evaluate/predict for a
 * batch size plans memory (src/engine/planner.ts). A training step is then a flat list of
 * kernel calls and allocates nothing. Sequential is a special case (./sequential.ts).
 */
import { type Layer, sameShape, setEagerRunner, staleBackend, checkWeightShapes } from '../layers/layer.ts';
import { input as makeInput } from '../layers/input.ts';
import { buildGraph, type Graph } from '../engine/graph.ts';
import { makePlan, type Plan, type PlanMode, planServes } from '../engine/planner.ts';
import { ParamStore } from '../engine/params.ts';
import type { Node, SymbolicTensor } from '../engine/symbolic.ts';
import { getLoss, LOSSES, type Loss } from '../losses/index.ts';
import { lossNameOf } from '../losses/functions.ts';
import { getMetric, type Metric } from '../metrics/index.ts';
import { metricNameOf } from '../metrics/functions.ts';
import { getOptimizer, type Optimizer } from '../optimizers/index.ts';
import { type ModelDType, type Tensor, type TensorLike, Tensor as TensorClass, checkOptions, describe, toTensor, untracked } from '../tensor.ts';
import { backend, type Backend } from '../wasm/loader.ts';
import type { TrainingModel } from './callbacks.ts';
import { checkInputs, checkTarget, copyRows, type ModelData, toTensors } from './staging.ts';
import { evaluateDatasetLoop, fitDatasetLoop, fitLoop, type DatasetLike, type EvaluateDatasetArgs, type FitArgs, type FitDatasetArgs, type History } from './trainer.ts';
import { printSummary } from './summary.ts';
import { toArtifacts } from './save.ts';
import { saveHandler, type SaveOptions, type SaveResult } from '../io/handlers.ts';

export type { FitArgs, FitDatasetArgs, EvaluateDatasetArgs, History, DatasetLike } from './trainer.ts';

/** A loss or metric as TF.js code passes it: a name, or a `tf.losses.*` / `tf.metrics.*` function. */
export type LossOrMetric = string | ((...args: never[]) => unknown);

/** A shape with its batch dimension (null), as TF.js reports model shapes. */
export type Shape = (number | null)[];

export interface CompileArgs {
  optimizer: string | Optimizer;
  /**
   * One loss for every output, one per output (in order), or one per output layer name: a name
   * or a `tf.losses.*` / `tf.metrics.*` function simdnet has an equivalent of.
   */
  loss: LossOrMetric | LossOrMetric[] | Record<string, LossOrMetric>;
  /** Weights of the per-output losses in the total (default 1 each). */
  lossWeights?: number[] | Record<string, number>;
  /** For every output, or per output layer name: names or `tf.metrics.*` functions. */
  metrics?: LossOrMetric | LossOrMetric[] | Record<string, LossOrMetric | LossOrMetric[]>;
}

export interface ModelArgs {
  inputs: SymbolicTensor | SymbolicTensor[];
  outputs: SymbolicTensor | SymbolicTensor[];
  name?: string;
}

interface CompiledOutput {
  name: string;
  loss: Loss;
  weight: number;
  /** Each metric keeps the name it was given (as a file's training_config records it). */
  metrics: Metric[];
}

interface Compiled {
  optimizer: Optimizer;
  outputs: CompiledOutput[];
  /** Log names (TF.js's metricsNames): loss, per-output losses (several outputs), metrics. */
  names: string[];
}

/** Per-sample loss weights (class or sample weights) of the batch being staged: one row of `capacity` per output. */
interface SampleWeights {
  ptr: number;
  bytes: number;
  capacity: number;
  /** Which outputs have weights. */
  active: boolean[];
}

/** The key TF.js logs a metric given by name under ('accuracy' and 'acc' both log as 'acc'). */
function metricKey(name: string): string {
  return name === 'accuracy' || name === 'acc' ? 'acc' : name;
}
/** Metric names TF.js accepts that simdnet computes under another name. */
const METRIC_ALIASES: Record<string, string> = { MSE: 'mse', MAE: 'mae' };

let variableCounter = 0;

/**
 * One weight of a model as TF.js's LayerVariable shows it: name (`layer/param`), shape, dtype,
 * trainable, `read()` and `write(values)`. read() gives a copy of the values; like the variable
 * TF.js's read() returns, it is not counted by memory() and tidy leaves it alone.
 */
export class LayerVariable {
  readonly id = variableCounter++;
  readonly dtype = 'float32' as const;
  readonly name: string;
  readonly originalName: string;
  readonly shape: number[];
  constructor(
    private readonly model: LayersModel,
    private readonly layer: Layer,
    private readonly param: Layer['params'][number],
  ) {
    this.name = `${layer.name}/${param.name}`;
    this.originalName = this.name;
    this.shape = [...param.shape];
  }
  get trainable(): boolean {
    return this.layer.trainable && this.param.trainable !== false;
  }
  get size(): number {
    return this.param.size;
  }
  read(): Tensor {
    const f32 = this.model.weightView();
    const o = this.param.ptr >>> 2;
    return untracked(() => new TensorClass(f32.slice(o, o + this.param.size), this.shape, 'float32'));
  }
  write(values: TensorLike): this {
    const t = untracked(() => toTensor(values, `${this.name}.write`));
    if (t.size !== this.param.size || (t.rank > 1 && !sameShape(t.shape, this.shape))) throw new Error(`${this.name}.write: expected shape [${this.shape}], got [${t.shape}]`);
    const v = t.values;
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) throw new Error(`${this.name}.write: non-finite value (${v[i]}) at index ${i}`);
    this.model.weightView().set(v, this.param.ptr >>> 2);
    return this;
  }
}

let modelCounter = 0;

export class LayersModel implements TrainingModel {
  readonly name: string;
  stopTraining = false;
  /** The training_config of a loaded file (loss, optimizer, metrics as Keras wrote them): exposed, not applied. */
  trainingConfig: Record<string, unknown> | null = null;
  /** The History of the last fit / fitDataset (TF.js's `model.history`). */
  history: History | null = null;
  protected graph: Graph | null = null;
  private store: ParamStore | null = null;
  private be_: Backend | null = null;
  private disposed = false;
  private compiled: Compiled | null = null;
  private plan: Plan | null = null;
  private training = false;
  private sw: SampleWeights | null = null;
  private variables = new Map<Layer['params'][number], LayerVariable>();
  /** Eager models borrow their layer's weights without owning them. */
  private readonly owns: boolean;

  constructor(args: ModelArgs | null, opts: { name?: string; owns?: boolean } = {}) {
    if (args !== null && (typeof args !== 'object' || !('inputs' in args) || !('outputs' in args))) {
      throw new Error('model: expected { inputs, outputs, name? } with symbolic tensors from input() and layer.apply');
    }
    const name = args?.name ?? opts.name;
    if (name !== undefined && (typeof name !== 'string' || name === '')) throw new Error(`model: name must be a non-empty string, got ${describe(name)}`);
    this.name = name ?? (modelCounter++ === 0 ? 'model' : `model_${modelCounter - 1}`);
    this.owns = opts.owns ?? true;
    if (args) this.graph = buildGraph(args.inputs, args.outputs, this.name);
  }

  // ---------------------------------------------------------------- structure

  protected requireGraph(): Graph {
    if (!this.graph) throw new Error(`${this.name}: the model has no layers`);
    return this.graph;
  }
  /** Every layer, input layers included (TF.js order: inputs first). */
  get layers(): Layer[] {
    return this.graph ? [...this.graph.layers] : [];
  }
  get inputs(): SymbolicTensor[] {
    return [...this.requireGraph().inputs];
  }
  get outputs(): SymbolicTensor[] {
    return [...this.requireGraph().outputs];
  }
  /** @internal Every node, inputs first, each after the nodes it reads. */
  get nodes(): Node[] {
    return [...this.requireGraph().nodes];
  }
  get inputNames(): string[] {
    return this.requireGraph().inputs.map((t) => t.node.layer.name);
  }
  /**
   * The output layers' names; a layer that gives several outputs (returnState's h and c, a shared
   * layer's two uses) gets `_1`, `_2`… on its later ones, as Keras names them, so loss and metric
   * logs keep one key per output (TF.js would repeat the name and overwrite the log).
   */
  get outputNames(): string[] {
    const seen = new Set<string>();
    const count = new Map<string, number>();
    return this.requireGraph().outputs.map((t) => {
      const base = t.node.layer.name;
      let name = base;
      while (seen.has(name)) {
        const k = count.get(base) ?? 1;
        name = `${base}_${k}`;
        count.set(base, k + 1);
      }
      seen.add(name);
      return name;
    });
  }
  /** The input shape with the batch dimension, `[null, ...]`; a list of them for several inputs. */
  get inputShape(): Shape | Shape[] {
    const shapes = this.requireGraph().inputs.map((t): Shape => [null, ...t.sampleShape]);
    return shapes.length === 1 ? shapes[0] : shapes;
  }
  /** The output shape with the batch dimension, `[null, 10]`; a list of them for several outputs (as TF.js). */
  get outputShape(): Shape | Shape[] {
    const shapes = this.requireGraph().outputs.map((t): Shape => [null, ...t.sampleShape]);
    return shapes.length === 1 ? shapes[0] : shapes;
  }

  getLayer(nameOrIndex: string | number): Layer {
    const layers = this.layers;
    if (typeof nameOrIndex === 'number') {
      if (!Number.isInteger(nameOrIndex) || nameOrIndex < 0 || nameOrIndex >= layers.length) {
        throw new Error(`getLayer: index ${describe(nameOrIndex)} is outside [0, ${layers.length})`);
      }
      return layers[nameOrIndex];
    }
    if (typeof nameOrIndex !== 'string') throw new TypeError(`getLayer: expected a layer name or index, got ${describe(nameOrIndex)}`);
    const l = layers.find((q) => q.name === nameOrIndex);
    if (!l) throw new Error(`getLayer: no layer named '${nameOrIndex}'; the layers are ${layers.map((q) => q.name).join(', ')}`);
    return l;
  }

  protected get be(): Backend {
    if (this.disposed) throw new Error(`${this.name}: the model has been disposed`);
    const be = backend();
    if (this.be_ && this.be_ !== be) throw staleBackend(`model ${this.name}`);
    return be;
  }

  /**
   * Take hold of the layers' weights (allocating them on first use). `skipInit`: parameters a
   * loader fills, which need no initializer.
   */
  build(skipInit?: ReadonlySet<Layer['params'][number]>): void {
    const be = this.be;
    if (this.store) return;
    const graph = this.requireGraph();
    // What each layer had before, so a build that fails part-way leaves every layer as it was
    // (weights it allocated freed, none disposed: the model can be built again).
    const taken: { layer: Layer; hadWeights: boolean }[] = [];
    try {
      for (const l of graph.layers) {
        const hadWeights = l.hasWeights;
        if (this.owns) l.retain(skipInit);
        else l.ensureWeights(skipInit);
        taken.push({ layer: l, hadWeights });
      }
      this.store = new ParamStore(be, graph.layers);
    } catch (e) {
      for (const { layer, hadWeights } of taken.reverse()) layer.unretain(this.owns, hadWeights);
      throw e;
    }
    this.be_ = be;
  }

  compile(args: CompileArgs): void {
    if (!args || typeof args !== 'object') throw new Error('compile: expected { optimizer, loss, metrics? }');
    checkOptions(args, 'compile', ['optimizer', 'loss', 'lossWeights', 'metrics']);
    if (args.loss === undefined) throw new Error('compile: a loss is required, e.g. loss: "sparseCategoricalCrossentropy"');
    if (args.optimizer === undefined) throw new Error('compile: an optimizer is required, e.g. optimizer: "adam"');
    if (this.training) throw new Error(`compile: ${this.name} is training (fit is running); compile after it ends`);
    const graph = this.requireGraph();
    const names = this.outputNames;
    const perOutput = <T>(v: T | T[] | Record<string, T> | undefined, what: string, fallback: T, isValue: (x: unknown) => boolean): T[] => {
      if (v === undefined) return names.map(() => fallback);
      if (isValue(v)) return names.map(() => v as T);
      if (Array.isArray(v)) {
        if (v.length !== names.length) throw new Error(`compile: ${what} has ${v.length} entries but the model has ${names.length} outputs (${names.join(', ')})`);
        return v;
      }
      if (typeof v === 'object' && v !== null) {
        const rec = v as Record<string, T>;
        const unknown = Object.keys(rec).filter((k) => !names.includes(k));
        if (unknown.length) throw new Error(`compile: ${what} names unknown output${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the outputs are ${names.join(', ')}`);
        return names.map((n) => {
          if (!Object.prototype.hasOwnProperty.call(rec, n)) {
            if (what === 'loss') throw new Error(`compile: loss has no entry for output ${n}`);
            return fallback;
          }
          return rec[n];
        });
      }
      throw new Error(`compile: ${what} must be given for every output, as a list or an object keyed by output name, got ${describe(v)}`);
    };
    const isName = (x: unknown) => typeof x === 'string' || typeof x === 'function';
    const losses = perOutput<LossOrMetric>(args.loss, 'loss', '', isName).map((l, i) => getLoss(lossNameFor(l, names.length > 1 ? `compile: loss for ${names[i]}` : 'compile: loss')));
    const weights = perOutput<number>(args.lossWeights, 'lossWeights', 1, (x) => typeof x === 'number');
    weights.forEach((w, i) => {
      if (!(typeof w === 'number' && Number.isFinite(w) && w >= 0)) throw new Error(`compile: lossWeights for ${names[i]} must be a finite number >= 0, got ${describe(w)}`);
    });
    const metricArg = args.metrics;
    // TF.js: a name, a function or a list applies to every output; an object is per output name.
    const metricLists: LossOrMetric[][] =
      metricArg === undefined || metricArg === null
        ? names.map(() => [])
        : isName(metricArg)
          ? names.map(() => [metricArg as LossOrMetric])
          : Array.isArray(metricArg)
            ? names.map(() => metricArg as LossOrMetric[])
            : perOutput<LossOrMetric | LossOrMetric[]>(metricArg, 'metrics', [], () => false).map((m) => (Array.isArray(m) ? m : [m]));
    const keys: string[][] = [];
    const outputs: CompiledOutput[] = graph.outputs.map((t, i) => {
      const cols = t.sampleShape[t.sampleShape.length - 1];
      const resolved = metricLists[i].map((m) => metricFor(m, names.length > 1 ? `compile: metrics for ${names[i]}` : 'compile: metrics'));
      keys.push(resolved.map((r) => r.key));
      return { name: names[i], loss: losses[i], weight: weights[i], metrics: resolved.map((r) => ({ ...getMetric(r.compute, losses[i], cols), name: r.name })) };
    });
    const optimizer = getOptimizer(args.optimizer);
    this.build();
    this.store!.compile(optimizer);
    const multi = outputs.length > 1;
    const logNames = ['loss', ...(multi ? outputs.map((o) => `${o.name}_loss`) : []), ...outputs.flatMap((o, i) => keys[i].map((k) => (multi ? `${o.name}_${k}` : k)))];
    this.compiled = { optimizer, outputs, names: logNames };
    // Which layers train is fixed now: the next training plan binds gradient pointers anew.
    this.dropPlan();
  }

  get optimizer(): Optimizer | null {
    return this.compiled?.optimizer ?? null;
  }
  /** The keys of the logs and of evaluate's values, in order (TF.js's names: 'acc' for accuracy). */
  get metricsNames(): string[] {
    return this.compiled ? [...this.compiled.names] : [];
  }
  get isTraining(): boolean {
    return this.training;
  }

  private requireCompiled(what: string): Compiled {
    if (this.disposed) throw new Error(`${what}: the model has been disposed`);
    if (!this.compiled) throw new Error(`${what}: the model must be compiled first: call model.compile({ optimizer, loss })`);
    return this.compiled;
  }

  // ---------------------------------------------------------------- plan

  /** @internal Plan memory for batches of up to `capacity` samples (re-plans only when needed). */
  ensurePlan(capacity: number, mode: PlanMode): Plan {
    if (planServes(this.plan, capacity, mode)) return this.plan!;
    this.build();
    const be = this.be;
    const keep: Plan | null = this.plan;
    // Keep a larger capacity and the gradients a previous plan had.
    const cap = Math.max(capacity, keep !== null && mode !== 'inputGrads' ? keep.capacity : 0);
    const m: PlanMode = mode === 'predict' && keep !== null && keep.mode !== 'predict' ? keep.mode : mode;
    this.dropPlan();
    this.plan = makePlan(be, this.graph!, cap, m, this.store!.gradOf);
    return this.plan;
  }

  private dropPlan(): void {
    if (this.plan) this.be.arena.free(this.plan.start, this.plan.bytes);
    this.plan = null;
  }

  /** Bytes of linear memory this model holds (gradients, optimizer state, activations); weights are the layers'. */
  arenaBytes(): number {
    const layers = this.graph?.layers ?? [];
    const weights = this.store ? layers.reduce((s, l) => s + l.weightFloats * 4, 0) : 0;
    return weights + (this.store?.bytes ?? 0) + (this.plan?.bytes ?? 0) + (this.sw?.bytes ?? 0);
  }

  countParams(): number {
    return this.layers.reduce((s, l) => s + l.countParams(), 0);
  }

  /**
   * Give the model's linear memory back (gradients, optimizer state, activations) and release
   * its layers: a layer's weights are freed with the last model that uses it. The model cannot
   * be used afterwards. Like TF.js's `model.dispose()`.
   */
  dispose(): void {
    if (this.disposed) return;
    if (this.training) this.stopTraining = true;
    if (this.be_ && this.be_ === tryBackend()) {
      if (this.plan) this.be_.arena.free(this.plan.start, this.plan.bytes);
      if (this.sw) this.be_.arena.free(this.sw.ptr, this.sw.bytes);
      this.store?.free();
      if (this.owns) for (const l of this.graph?.layers ?? []) l.release();
    }
    this.plan = null;
    this.sw = null;
    this.store = null;
    this.compiled = null;
    this.disposed = true;
  }
  get isDisposed(): boolean {
    return this.disposed;
  }

  // ---------------------------------------------------------------- data in

  /** @internal x as tensors in input order, checked. */
  checkX(x: ModelData, what: string): Tensor[] {
    const g = this.requireGraph();
    const ts = toTensors(x, this.inputNames, what, 'input');
    checkInputs(ts, g.inputs, this.inputNames, what);
    return ts;
  }

  /** @internal y as tensors in output order, checked against the compiled losses. */
  checkY(y: ModelData, n: number, what: string): Tensor[] {
    const c = this.requireCompiled(what);
    const g = this.requireGraph();
    const ts = toTensors(y, this.outputNames, what, 'output');
    return ts.map((t, i) => checkTarget(t, n, c.outputs[i].loss, g.outputs[i].sampleShape, ts.length > 1 ? `${what} (${this.outputNames[i]})` : what));
  }

  /** @internal The compiled losses, in output order. */
  get compiledLosses(): Loss[] {
    return this.requireCompiled('model').outputs.map((o) => o.loss);
  }

  /** @internal Copy samples [start, start+n) (or order[start+i]) into the input and label buffers. */
  stage(xs: Tensor[], ys: Tensor[] | null, order: Int32Array | null, start: number, n: number): void {
    const { arena } = this.be;
    const plan = this.plan!;
    for (let i = 0; i < xs.length; i++) {
      const s = plan.inputs[i];
      copyRows(s.dtype === 'int32' ? arena.i32 : arena.f32, s.ptr >>> 2, xs[i].values, s.row, order, start, n);
    }
    if (ys) {
      const outs = this.compiled!.outputs;
      for (let i = 0; i < ys.length; i++) {
        const y = ys[i];
        const row = y.size / Math.max(y.shape[0], 1);
        copyRows(outs[i].loss.sparse ? arena.i32 : arena.f32, plan.outputs[i].labels >>> 2, y.values, row, order, start, n);
      }
    }
  }

  /**
   * @internal Per-sample loss weights for the training steps that follow (null: none). Holds one
   * row of `capacity` floats per output in the arena until released.
   */
  useSampleWeights(active: boolean[] | null, capacity: number): void {
    const { arena } = this.be;
    if (this.sw && (active === null || this.sw.capacity < capacity)) {
      arena.free(this.sw.ptr, this.sw.bytes);
      this.sw = null;
    }
    if (active === null) return;
    if (!this.sw) {
      const bytes = Math.max(16, active.length * capacity * 4);
      this.sw = { ptr: arena.alloc(bytes), bytes, capacity, active };
    }
    this.sw.active = active;
  }

  /** @internal Copy per-sample weights of output i (weights[order[start + r]] or weights[start + r]) for n samples. */
  stageSampleWeights(i: number, weights: Float32Array, order: Int32Array | null, start: number, n: number): void {
    const sw = this.sw!;
    copyRows(this.be.arena.f32, (sw.ptr >>> 2) + i * sw.capacity, weights, 1, order, start, n);
  }

  /** @internal The arena's float view (weights, for LayerVariable). */
  weightView(): Float32Array {
    this.build();
    return this.be.arena.f32;
  }

  // ---------------------------------------------------------------- the step

  private forward(n: number, training: boolean): void {
    const ctxs = this.plan!.ctxs;
    for (let i = 0; i < ctxs.length; i++) ctxs[i].node.layer.forward(ctxs[i], n, training);
  }

  private backward(n: number): void {
    const ctxs = this.plan!.ctxs;
    for (let i = ctxs.length - 1; i >= 0; i--) ctxs[i].node.layer.backward(ctxs[i], n);
  }

  /** Rows of output i for n samples, written into its Output and metric context. */
  private setRows(n: number): void {
    const outs = this.plan!.outputs;
    for (let i = 0; i < outs.length; i++) {
      outs[i].out.rows = n * outs[i].rowsPerSample;
      outs[i].metric.rows = outs[i].out.rows;
    }
  }

  /**
   * Zero the gradients, run forward, the losses and backward on the staged batch. Writes the
   * total and (several outputs) each output's loss to out[0..]; returns the total. With sample
   * weights in use, each weighted output's loss is the mean of weight × per-sample loss (TF.js's
   * class weights), its gradient likewise.
   */
  private backprop(n: number, out: number[] | null): number {
    const c = this.compiled!;
    const { kernels: k, arena } = this.be;
    const plan = this.plan!;
    const sw = this.sw;
    this.store!.zeroGrads();
    k.fill_f32(plan.grads, plan.gradFloats, 0);
    this.forward(n, true);
    this.setRows(n);
    let total = 0;
    for (let i = 0; i < c.outputs.length; i++) {
      const o = c.outputs[i];
      const slot = plan.outputs[i];
      const l = sw !== null && sw.active[i] ? o.loss.computeWeighted(k, arena.f32, slot.out, slot.labels, sw.ptr + i * sw.capacity * 4, true) : o.loss.compute(k, slot.out, slot.labels, true);
      if (o.weight !== 1) k.scale_f32(o.loss.gradPtr(slot.out), slot.out.rows * slot.out.cols, o.weight);
      total += o.weight * l;
      if (out && c.outputs.length > 1) out[1 + i] = l;
    }
    this.backward(n);
    const pens = this.store!.penalties;
    for (let i = 0; i < pens.length; i++) {
      const q = pens[i];
      total += k.l1l2_penalty_f32(q.grad, q.ptr, q.size, q.l1, q.l2);
    }
    if (out) out[0] = total;
    return total;
  }

  /** Metrics of the staged batch (after forward) into out, after the losses. */
  private metrics(out: number[], sums: Float64Array | null, weight: number): void {
    const c = this.compiled!;
    let j = c.outputs.length > 1 ? 1 + c.outputs.length : 1;
    for (let i = 0; i < c.outputs.length; i++) {
      const ms = c.outputs[i].metrics;
      for (let q = 0; q < ms.length; q++, j++) {
        const v = ms[q].compute(this.plan!.outputs[i].metric);
        if (sums) sums[j] += v * weight;
        else out[j] = v;
      }
    }
  }

  /** @internal One optimisation step on the staged batch of n samples; writes the log values to out. */
  step(n: number, out: number[]): void {
    const c = this.compiled!;
    this.backprop(n, out);
    this.metrics(out, null, 0);
    this.store!.step(c.optimizer);
  }

  /** The weight penalty as it enters the loss (for evaluate). */
  private penalty(): number {
    const f32 = this.be.arena.f32;
    let s = 0;
    for (const q of this.store!.penalties) {
      const o = q.ptr >>> 2;
      for (let i = 0; i < q.size; i++) s += q.l1 * Math.abs(f32[o + i]) + q.l2 * f32[o + i] * f32[o + i];
    }
    return s;
  }

  // ---------------------------------------------------------------- public training API

  /**
   * One step on one batch (all of x), as TF.js: resolves to the loss (one output, no metrics)
   * or `[loss, (loss per output,) ...metrics]` in `metricsNames` order.
   */
  async trainOnBatch(x: ModelData, y: ModelData): Promise<number | number[]> {
    const c = this.requireCompiled('trainOnBatch');
    if (this.training) throw new Error(`trainOnBatch: ${this.name} is training (fit is running)`);
    const xs = this.checkX(x, 'trainOnBatch: x');
    const n = xs[0].shape[0];
    if (n === 0) throw new Error('trainOnBatch: empty batch');
    const ys = this.checkY(y, n, 'trainOnBatch: y');
    this.ensurePlan(n, 'train');
    this.stage(xs, ys, null, 0, n);
    const out = new Array<number>(c.names.length).fill(0);
    this.step(n, out);
    return out.length === 1 ? out[0] : out;
  }

  /**
   * Train for `epochs` over x and y in shuffled batches (TF.js's options: batchSize, epochs,
   * shuffle, validationSplit, validationData, classWeight, sampleWeight, initialEpoch, verbose,
   * callbacks, yieldEvery). Resolves to the History.
   */
  async fit(x: ModelData, y: ModelData, args: FitArgs = {}): Promise<History> {
    this.requireCompiled('fit');
    if (this.training) throw new Error(`fit: ${this.name} is already training; wait for the running fit to end`);
    this.training = true;
    try {
      this.history = await fitLoop(this, x, y, args);
      return this.history;
    } finally {
      this.training = false;
      if (this.sw && !this.disposed) this.useSampleWeights(null, 0);
    }
  }

  /**
   * Train on the batches of a dataset (anything with `iterator()` whose `next()` resolves to
   * `{ value: { xs, ys }, done }`), as TF.js's fitDataset: a new iterator each epoch, or one
   * iterator across epochs with `batchesPerEpoch`. Each batch is copied into the model's one
   * training plan (planned for the largest batch seen).
   */
  async fitDataset(dataset: DatasetLike, args: FitDatasetArgs): Promise<History> {
    this.requireCompiled('fitDataset');
    if (this.training) throw new Error(`fitDataset: ${this.name} is already training; wait for the running fit to end`);
    this.training = true;
    try {
      this.history = await fitDatasetLoop(this, dataset, args);
      return this.history;
    } finally {
      this.training = false;
      if (this.sw && !this.disposed) this.useSampleWeights(null, 0);
    }
  }

  /**
   * Mean loss and metrics over the data, as TF.js: a scalar tensor (one output, no metrics) or
   * a list of scalar tensors in `metricsNames` order: total loss, loss per output (several
   * outputs), metrics. The total includes weight regularization penalties.
   */
  evaluate(x: ModelData, y: ModelData, args: { batchSize?: number; verbose?: number; sampleWeight?: unknown; steps?: number } = {}): Tensor | Tensor[] {
    return scalars(this.evaluateValues(x, y, args, 'evaluate'));
  }

  /** @internal evaluate() as numbers (checks included). */
  evaluateValues(x: ModelData, y: ModelData, args: { batchSize?: number; verbose?: number; sampleWeight?: unknown; steps?: number } = {}, who = 'evaluate'): number[] {
    this.requireCompiled(who);
    const a = checkOptions(args, who, ['batchSize', 'verbose', 'sampleWeight', 'steps']);
    const batchSize = a.batchSize ?? 32;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`${who}: batchSize must be a positive integer, got ${describe(batchSize)}`);
    checkQuiet(a.verbose, who);
    if (a.sampleWeight !== undefined) throw new Error(`${who}: sampleWeight is not supported (TF.js ignores it); weigh samples in fit with sampleWeight or classWeight`);
    if (a.steps !== undefined) throw new Error(`${who}: steps is not supported for tensor data (TF.js does not implement it either); give batchSize, or use evaluateDataset with batches`);
    const xs = this.checkX(x, `${who}: x`);
    const n = xs[0].shape[0];
    if (n === 0) throw new Error(`${who}: no samples`);
    const ys = this.checkY(y, n, `${who}: y`);
    return this.evaluateRange(xs, ys, batchSize, 0, n);
  }

  /** @internal evaluate() over samples [start, start + count) of tensors already validated. */
  evaluateRange(xs: Tensor[], ys: Tensor[], batchSize: number, start: number, count: number, training = false): number[] {
    const sums = new Float64Array(this.compiled!.names.length);
    this.evaluateInto(sums, xs, ys, batchSize, start, count, training);
    return this.finishEvaluate(sums, count);
  }

  /** @internal Adds count × (loss and metrics) of samples [start, start + count) to sums. */
  evaluateInto(sums: Float64Array, xs: Tensor[], ys: Tensor[], batchSize: number, start: number, count: number, training = false): void {
    const c = this.compiled!;
    const plan = this.ensurePlan(Math.min(batchSize, count), 'predict');
    const bs = Math.min(batchSize, plan.capacity);
    const { kernels: k } = this.be;
    const multi = c.outputs.length > 1;
    for (let s = 0; s < count; s += bs) {
      const size = Math.min(bs, count - s);
      this.stage(xs, ys, null, start + s, size);
      // training: the loss as a training step sees it (batch statistics), for checkGradients.
      this.forward(size, training);
      this.setRows(size);
      for (let i = 0; i < c.outputs.length; i++) {
        const o = c.outputs[i];
        const slot = plan.outputs[i];
        const l = o.loss.compute(k, slot.out, slot.labels, false) * size;
        sums[0] += o.weight * l;
        if (multi) sums[1 + i] += l;
      }
      this.metrics([], sums, size);
    }
  }

  /** @internal Means from sums over n samples, the weight penalty added to the total. */
  finishEvaluate(sums: Float64Array, n: number): number[] {
    const out = Array.from(sums, (s) => s / n);
    out[0] += this.penalty();
    return out;
  }

  /**
   * evaluate() over the batches of a dataset (TF.js's evaluateDataset): all of them, or the
   * first `batches`. Resolves to a scalar tensor or a list of them, as evaluate.
   */
  async evaluateDataset(dataset: DatasetLike, args: EvaluateDatasetArgs = {}): Promise<Tensor | Tensor[]> {
    this.requireCompiled('evaluateDataset');
    return scalars(await evaluateDatasetLoop(this, dataset, args, 'evaluateDataset'));
  }

  /** Outputs for every sample: one tensor [n, ...outputShape], or one per output. */
  predict(x: ModelData, args: { batchSize?: number; verbose?: boolean | number } = {}): Tensor | Tensor[] {
    const a = checkOptions(args, 'predict', ['batchSize', 'verbose']);
    const batchSize = a.batchSize ?? 32;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`predict: batchSize must be a positive integer, got ${describe(batchSize)}`);
    checkQuiet(a.verbose, 'predict');
    const xs = this.checkX(x, 'predict: x');
    const outs = this.run(xs, batchSize, false);
    return outs.length === 1 ? outs[0] : outs;
  }

  /** Outputs for one batch (all of x at once), as TF.js's predictOnBatch. */
  predictOnBatch(x: ModelData): Tensor | Tensor[] {
    const xs = this.checkX(x, 'predictOnBatch: x');
    const outs = this.run(xs, Math.max(1, xs[0].shape[0]), false);
    return outs.length === 1 ? outs[0] : outs;
  }

  /** @internal Forward over every sample in batches; one tensor per output. */
  run(xs: Tensor[], batchSize: number, training: boolean): Tensor[] {
    this.build();
    const n = xs[0].shape[0];
    const plan = this.ensurePlan(Math.max(1, Math.min(batchSize, n)), 'predict');
    const bs = Math.min(batchSize, plan.capacity);
    const g = this.graph!;
    const results = plan.outputs.map((o) => new Float32Array(n * o.size));
    const { arena } = this.be;
    for (let start = 0; start < n; start += bs) {
      const size = Math.min(bs, n - start);
      this.stage(xs, null, null, start, size);
      this.forward(size, training);
      plan.outputs.forEach((o, i) => {
        const y = o.out.y >>> 2;
        results[i].set(arena.f32.subarray(y, y + size * o.size), start * o.size);
      });
    }
    return results.map((r, i) => new TensorClass(r, [n, ...g.outputs[i].sampleShape], 'float32'));
  }

  /**
   * @internal Gradients for utils.gradients: of the compiled loss (with y) or of the sum of all
   * outputs (without), w.r.t. every float input and every weight (frozen ones included).
   */
  gradientsOf(xs: Tensor[], ys: Tensor[] | null): { inputs: Tensor[]; weights: Tensor[] } {
    const n = xs[0].shape[0];
    const plan = this.ensurePlan(n, 'inputGrads');
    const { kernels: k, arena } = this.be;
    // Every weight gets a gradient here, frozen or not: bind the full gradient block.
    const saved = plan.ctxs.map((c) => c.dw);
    for (const c of plan.ctxs) {
      const base = this.store!.anyGradOf(c.node.layer);
      c.dw = c.node.layer.params.map((p) => (base ? base + p.offset * 4 : 0));
    }
    try {
      this.stage(xs, ys, null, 0, n);
      if (ys) {
        this.backprop(n, null);
      } else {
        this.store!.zeroGrads();
        k.fill_f32(plan.grads, plan.gradFloats, 0);
        this.forward(n, true);
        for (const o of plan.outputs) if (o.out.dy) k.fill_f32(o.out.dy, n * o.size, 1);
        this.backward(n);
      }
    } finally {
      plan.ctxs.forEach((c, i) => (c.dw = saved[i]));
    }
    const f32 = arena.f32;
    const inputs = plan.inputs.map((s, i) =>
      s.grad ? new TensorClass(f32.slice(s.grad >>> 2, (s.grad >>> 2) + n * s.row), [n, ...this.graph!.inputs[i].sampleShape], 'float32') : new TensorClass(new Float32Array(n * s.row), [n, ...this.graph!.inputs[i].sampleShape], 'float32'),
    );
    const weights = this.weightEntries().map(({ layer, p }) => {
      const g = this.store!.anyGradOf(layer) + p.offset * 4;
      return new TensorClass(f32.slice(g >>> 2, (g >>> 2) + p.size), p.shape, 'float32');
    });
    return { inputs, weights };
  }

  // ---------------------------------------------------------------- weights

  /** (layer, param) pairs in getWeights() order: trainable layers' weights first, as TF.js. */
  weightEntries(): { layer: Layer; p: Layer['params'][number] }[] {
    const layers = this.layers;
    // A weight trains when its layer does and it is not layer-updated state (BN's moving statistics).
    const all = (want: boolean) => layers.flatMap((layer) => layer.params.filter((p) => (layer.trainable && p.trainable !== false) === want).map((p) => ({ layer, p })));
    return [...all(true), ...all(false)];
  }

  private variable(layer: Layer, p: Layer['params'][number]): LayerVariable {
    let v = this.variables.get(p);
    if (!v) this.variables.set(p, (v = new LayerVariable(this, layer, p)));
    return v;
  }
  /** Every weight as a TF.js LayerVariable (trainable ones first, as getWeights()). */
  get weights(): LayerVariable[] {
    return this.weightEntries().map(({ layer, p }) => this.variable(layer, p));
  }
  get trainableWeights(): LayerVariable[] {
    return this.weights.filter((v) => v.trainable);
  }
  get nonTrainableWeights(): LayerVariable[] {
    return this.weights.filter((v) => !v.trainable);
  }

  /** Whether a layer keeps state between batches (TF.js's `model.stateful`). */
  get stateful(): boolean {
    return this.layers.some((l) => (l as { stateful?: boolean }).stateful === true);
  }

  /** TF.js's `model.resetStates()`: every stateful layer's state back to zeros. */
  resetStates(): void {
    for (const l of this.layers) {
      const r = l as unknown as { stateful?: boolean; resetStates?: () => void };
      if (r.stateful === true && r.resetStates) r.resetStates();
    }
  }

  /** Copies of the weights. Not counted by memory(), as TF.js's getWeights returns its variables (no new tensors). */
  getWeights(): Tensor[] {
    this.build();
    const f32 = this.be.arena.f32;
    return untracked(() => this.weightEntries().map(({ p }) => new TensorClass(f32.slice(p.ptr >>> 2, (p.ptr >>> 2) + p.size), p.shape, 'float32')));
  }

  setWeights(weights: TensorLike[]): void {
    this.build();
    const entries = this.weightEntries();
    if (!Array.isArray(weights) || weights.length !== entries.length) {
      throw new Error(`setWeights: the model has ${entries.length} weight tensors, got ${Array.isArray(weights) ? weights.length : typeof weights}`);
    }
    const ts = untracked(() => weights.map((w, i) => toTensor(w, `setWeights: weight ${i}`)));
    ts.forEach((t, i) => {
      const { layer, p } = entries[i];
      if (t.size !== p.size || (t.shape.length > 1 && !sameShape(t.shape, p.shape))) {
        throw new Error(`setWeights: ${layer.name}/${p.name} expects shape [${p.shape}], got [${t.shape}]`);
      }
    });
    for (const l of this.layers) {
      const mine = entries.map((e, i) => (e.layer === l ? ts[i] : null)).filter((t): t is Tensor => t !== null);
      if (mine.length) checkWeightShapes(l, mine, 'setWeights');
    }
    const f32 = this.be.arena.f32;
    ts.forEach((t, i) => f32.set(t.values, entries[i].p.ptr >>> 2));
  }

  /** A copy of every weight (for callbacks such as earlyStopping's restoreBestWeights). */
  snapshotParams(): Float32Array {
    this.build();
    const f32 = this.be.arena.f32;
    const entries = this.weightEntries();
    const out = new Float32Array(entries.reduce((s, e) => s + e.p.size, 0));
    let off = 0;
    for (const { p } of entries) {
      out.set(f32.subarray(p.ptr >>> 2, (p.ptr >>> 2) + p.size), off);
      off += p.size;
    }
    return out;
  }
  restoreParams(snapshot: Float32Array): void {
    this.build();
    const entries = this.weightEntries();
    const floats = entries.reduce((s, e) => s + e.p.size, 0);
    if (snapshot.length !== floats) throw new Error(`restoreParams: expected ${floats} floats, got ${snapshot.length}`);
    const f32 = this.be.arena.f32;
    let off = 0;
    for (const { p } of entries) {
      f32.set(snapshot.subarray(off, off + p.size), p.ptr >>> 2);
      off += p.size;
    }
  }

  // ---------------------------------------------------------------- summary, save

  summary(lineLength?: number, printFn: (line: string) => void = (s) => console.log(s)): void {
    if (lineLength !== undefined && !(Number.isInteger(lineLength) && lineLength > 0)) throw new Error(`summary: lineLength must be a positive integer, got ${describe(lineLength)}`);
    if (typeof printFn !== 'function') throw new TypeError(`summary: printFn must be a function, got ${describe(printFn)}`);
    this.build();
    printSummary(this, this.graph!, lineLength, printFn, this.layers.filter((l) => l.trainable));
    const plan = this.plan;
    printFn(`Arena: ${(this.arenaBytes() / 2 ** 20).toFixed(2)} MiB of linear memory${plan ? ` (batch capacity ${plan.capacity})` : ''}`);
    printFn('_'.repeat(lineLength ?? (this.isSequential ? 72 : 98)));
  }

  /** Sequential models print and save as a stack. */
  get isSequential(): boolean {
    return false;
  }

  /**
   * The model's topology as TF.js's `toJSON` gives it: `{ class_name, config, keras_version,
   * backend }` as a JSON string, or as an object when `returnString` is false. The first
   * argument is unused, as in TF.js.
   */
  toJSON(_unused?: unknown, returnString = true): string | Record<string, unknown> {
    if (typeof returnString !== 'boolean') throw new TypeError(`toJSON: returnString must be true or false, got ${describe(returnString)}`);
    const topology = toArtifacts(this, { includeOptimizer: false }).modelTopology as Record<string, unknown>;
    return returnString ? JSON.stringify(topology) : topology;
  }

  /**
   * Save in the TF.js layers format: `file://dir` (Node, Deno: dir/model.json + dir/weights.bin,
   * atomically), `indexeddb://name`, `localstorage://name`, `downloads://name` (browsers),
   * `http(s)://…` (a multipart POST, as TF.js's browserHTTPRequest), or an object with `save()`.
   * `includeOptimizer: false` leaves the training configuration out; `true` is refused (the
   * optimizer's state is not saved).
   */
  async save(destination: unknown, opts?: SaveOptions & { includeOptimizer?: boolean }): Promise<SaveResult> {
    const { includeOptimizer, ...rest } = checkOptions(opts, 'save', ['fetchFunc', 'requestInit', 'fileOps', 'includeOptimizer']);
    const artifacts = toArtifacts(this, includeOptimizer === undefined ? {} : { includeOptimizer });
    return saveHandler(destination, rest).save!(artifacts);
  }
}

/** A scalar float32 tensor per value; one alone when there is one (TF.js's singletonOrArray). */
function scalars(values: number[]): Tensor | Tensor[] {
  const ts = values.map((v) => new TensorClass(Float32Array.of(v), [], 'float32'));
  return ts.length === 1 ? ts[0] : ts;
}

/** `verbose` of evaluate/predict: TF.js implements no verbose mode there, so only 0/false is accepted. */
function checkQuiet(v: unknown, who: string): void {
  if (v === undefined || v === 0 || v === false) return;
  throw new Error(`${who}: verbose ${describe(v)} is not supported (TF.js implements no verbose ${who} either); give 0 or leave it out`);
}

/** A loss given by name or as a tf.losses / tf.metrics function, as the name simdnet's losses know. */
function lossNameFor(l: LossOrMetric, who: string): string {
  if (typeof l === 'string') return l;
  if (typeof l === 'function') {
    const n = lossNameOf(l);
    if (n) return n;
    const fname = (l as { name?: string }).name;
    throw new Error(
      `${who}: the function ${fname ? `'${fname}' ` : ''}is not a loss simdnet can train with: simdnet has no autodiff, so a loss must be one of its kernels: ` +
        `${LOSSES.join(', ')} (by name, or as the tf.losses / tf.metrics function that computes it)`,
    );
  }
  throw new TypeError(`${who}: expected a loss name or a tf.losses function, got ${describe(l)}`);
}

/** A metric given by name or as a tf.metrics function: the name it is computed as, the name kept, the log key. */
function metricFor(m: LossOrMetric, who: string): { compute: string; name: string; key: string } {
  if (typeof m === 'string') {
    const compute = Object.prototype.hasOwnProperty.call(METRIC_ALIASES, m) ? METRIC_ALIASES[m] : m;
    return { compute, name: m, key: metricKey(m) };
  }
  if (typeof m === 'function') {
    const r = metricNameOf(m);
    if (r?.name) return { compute: r.name, name: r.name, key: r.key };
    const fname = r?.key ?? (m as { name?: string }).name;
    throw new Error(`${who}: the function ${fname ? `'${fname}' ` : ''}is not a metric simdnet computes during training; use accuracy, binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy, meanSquaredError or meanAbsoluteError (by name or as the tf.metrics function)`);
  }
  throw new TypeError(`${who}: expected a metric name or a tf.metrics function, got ${describe(m)}`);
}

function tryBackend(): Backend | null {
  try {
    return backend();
  } catch {
    return null;
  }
}

export function model(args: ModelArgs): LayersModel {
  return new LayersModel(args);
}

// layer.apply(tensor): a one-layer graph over fresh inputs, predicted once, then let go.
setEagerRunner((layer, xs, training) => {
  const inputs = xs.map((t, i) => makeInput({ shape: t.shape.slice(1) as number[], name: `${layer.name}_eager_input_${i}`, dtype: t.dtype as ModelDType }));
  const out = layer.apply(inputs.length === 1 ? inputs[0] : inputs);
  layer.inboundNodes.pop();
  const m = new LayersModel({ inputs, outputs: out, name: `${layer.name}_eager` }, { owns: false });
  try {
    const n = xs[0].shape[0];
    const ys = m.run(m.checkX(xs, `${layer.name}.apply`), Math.max(n, 1), training);
    return Array.isArray(out) ? ys : ys[0];
  } finally {
    m.dispose();
  }
});
