/**
 * LayersModel: a graph of layers from inputs to outputs (the Keras functional API). `compile`
 * resolves the optimizer, a loss per output and metrics; the first fit/evaluate/predict for a
 * batch size plans memory (src/engine/planner.ts). A training step is then a flat list of
 * kernel calls and allocates nothing. Sequential is a special case (./sequential.ts).
 */
import { type Layer, type NodeCtx, sameShape, setEagerRunner, staleBackend, checkWeightShapes } from '../layers/layer.ts';
import { input as makeInput } from '../layers/input.ts';
import { buildGraph, type Graph } from '../engine/graph.ts';
import { makePlan, type Plan, type PlanMode, planServes } from '../engine/planner.ts';
import { ParamStore } from '../engine/params.ts';
import type { Node, SymbolicTensor } from '../engine/symbolic.ts';
import { getLoss, type Loss } from '../losses/index.ts';
import { getMetric, type Metric } from '../metrics/index.ts';
import { getOptimizer, type Optimizer } from '../optimizers/index.ts';
import { type Tensor, type TensorLike, Tensor as TensorClass, checkOptions, describe, toTensor } from '../tensor.ts';
import { backend, type Backend } from '../wasm/loader.ts';
import type { TrainingModel } from './callbacks.ts';
import { checkInputs, checkTarget, copyRows, type ModelData, toTensors } from './staging.ts';
import { fitLoop, type FitArgs, type History } from './trainer.ts';
import { printSummary } from './summary.ts';
import { toArtifacts } from './save.ts';
import { saveHandler, type SaveOptions, type SaveResult } from '../io/handlers.ts';

export type { FitArgs, History } from './trainer.ts';

export interface CompileArgs {
  optimizer: string | Optimizer;
  /** One loss for every output, one per output (in order), or one per output layer name. */
  loss: string | string[] | Record<string, string>;
  /** Weights of the per-output losses in the total (default 1 each). */
  lossWeights?: number[] | Record<string, number>;
  /** For every output, or per output layer name. */
  metrics?: string | string[] | Record<string, string | string[]>;
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
  metrics: Metric[];
}

interface Compiled {
  optimizer: Optimizer;
  outputs: CompiledOutput[];
  /** Log names: loss, per-output losses (several outputs), metrics. */
  names: string[];
}

let modelCounter = 0;

export class LayersModel implements TrainingModel {
  readonly name: string;
  stopTraining = false;
  /** The training_config of a loaded file (loss, optimizer, metrics as Keras wrote them): exposed, not applied. */
  trainingConfig: Record<string, unknown> | null = null;
  protected graph: Graph | null = null;
  private store: ParamStore | null = null;
  private be_: Backend | null = null;
  private disposed = false;
  private compiled: Compiled | null = null;
  private plan: Plan | null = null;
  private training = false;
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
  get outputNames(): string[] {
    return this.requireGraph().outputs.map((t) => t.node.layer.name);
  }
  /** The first input's sample shape (single-input models). */
  get inputShape(): number[] {
    return [...this.requireGraph().inputs[0].sampleShape];
  }
  get outputShape(): number[] {
    return [...this.requireGraph().outputs[0].sampleShape];
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
          if (!(n in rec)) {
            if (what === 'loss') throw new Error(`compile: loss has no entry for output ${n}`);
            return fallback;
          }
          return rec[n];
        });
      }
      throw new Error(`compile: ${what} must be given for every output, as a list or an object keyed by output name, got ${describe(v)}`);
    };
    const losses = perOutput<string>(args.loss as string | string[] | Record<string, string>, 'loss', '', (x) => typeof x === 'string').map(getLoss);
    const weights = perOutput<number>(args.lossWeights, 'lossWeights', 1, (x) => typeof x === 'number');
    weights.forEach((w, i) => {
      if (!(typeof w === 'number' && Number.isFinite(w) && w >= 0)) throw new Error(`compile: lossWeights for ${names[i]} must be a finite number >= 0, got ${w}`);
    });
    const metricArg = args.metrics;
    const metricLists: string[][] =
      metricArg === undefined
        ? names.map(() => [])
        : typeof metricArg === 'string'
          ? names.map(() => [metricArg])
          : Array.isArray(metricArg)
            ? names.map(() => metricArg as string[])
            : perOutput<string | string[]>(metricArg, 'metrics', [], () => false).map((m) => (Array.isArray(m) ? m : [m]));
    const outputs: CompiledOutput[] = graph.outputs.map((t, i) => {
      const cols = t.sampleShape[t.sampleShape.length - 1];
      const node = t.node;
      losses[i].check({ head: node.layer.head(headProbe(node.layer)), cols, layer: node.layer.name });
      return { name: names[i], loss: losses[i], weight: weights[i], metrics: metricLists[i].map((m) => getMetric(m, losses[i], cols)) };
    });
    const optimizer = getOptimizer(args.optimizer);
    this.build();
    this.store!.compile(optimizer);
    const multi = outputs.length > 1;
    const logNames = ['loss', ...(multi ? outputs.map((o) => `${o.name}_loss`) : []), ...outputs.flatMap((o) => o.metrics.map((m) => (multi ? `${o.name}_${m.name}` : m.name)))];
    this.compiled = { optimizer, outputs, names: logNames };
    // Which layers train is fixed now: the next training plan binds gradient pointers anew.
    this.dropPlan();
  }

  get optimizer(): Optimizer | null {
    return this.compiled?.optimizer ?? null;
  }
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
    return weights + (this.store?.bytes ?? 0) + (this.plan?.bytes ?? 0);
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
      this.store?.free();
      if (this.owns) for (const l of this.graph?.layers ?? []) l.release();
    }
    this.plan = null;
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
   * total and (several outputs) each output's loss to out[0..]; returns the total.
   */
  private backprop(n: number, out: number[] | null): number {
    const c = this.compiled!;
    const { kernels: k } = this.be;
    const plan = this.plan!;
    this.store!.zeroGrads();
    k.fill_f32(plan.grads, plan.gradFloats, 0);
    this.forward(n, true);
    this.setRows(n);
    let total = 0;
    for (let i = 0; i < c.outputs.length; i++) {
      const o = c.outputs[i];
      const slot = plan.outputs[i];
      const l = o.loss.compute(k, slot.out, slot.labels, true);
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

  /** One step on one batch (all of x). Returns [loss, (loss per output,) ...metrics]. */
  trainOnBatch(x: ModelData, y: ModelData): number[] {
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
    return out;
  }

  async fit(x: ModelData, y: ModelData, args: FitArgs = {}): Promise<History> {
    this.requireCompiled('fit');
    if (this.training) throw new Error(`fit: ${this.name} is already training; wait for the running fit to end`);
    this.training = true;
    try {
      return await fitLoop(this, x, y, args);
    } finally {
      this.training = false;
    }
  }

  /** Mean loss and metrics over the data: `[loss, (loss per output,) ...metrics]`. */
  evaluate(x: ModelData, y: ModelData, args: { batchSize?: number } = {}): number[] {
    this.requireCompiled('evaluate');
    const batchSize = checkOptions(args, 'evaluate', ['batchSize']).batchSize ?? 32;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`evaluate: batchSize must be a positive integer, got ${describe(batchSize)}`);
    const xs = this.checkX(x, 'evaluate: x');
    const n = xs[0].shape[0];
    if (n === 0) throw new Error('evaluate: no samples');
    const ys = this.checkY(y, n, 'evaluate: y');
    return this.evaluateChecked(xs, ys, batchSize);
  }

  /** @internal evaluate() on tensors already validated (fit's validation set is checked once). */
  evaluateChecked(xs: Tensor[], ys: Tensor[], batchSize: number): number[] {
    const c = this.compiled!;
    const n = xs[0].shape[0];
    const plan = this.ensurePlan(Math.min(batchSize, n), 'predict');
    const bs = Math.min(batchSize, plan.capacity);
    const { kernels: k } = this.be;
    const multi = c.outputs.length > 1;
    const sums = new Float64Array(c.names.length);
    for (let start = 0; start < n; start += bs) {
      const size = Math.min(bs, n - start);
      this.stage(xs, ys, null, start, size);
      this.forward(size, false);
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
    const out = Array.from(sums, (s) => s / n);
    out[0] += this.penalty();
    return out;
  }

  /** Outputs for every sample: one tensor [n, ...outputShape], or one per output. */
  predict(x: ModelData, args: { batchSize?: number } = {}): Tensor | Tensor[] {
    const batchSize = checkOptions(args, 'predict', ['batchSize']).batchSize ?? 32;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`predict: batchSize must be a positive integer, got ${describe(batchSize)}`);
    const xs = this.checkX(x, 'predict: x');
    const outs = this.run(xs, batchSize, false);
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
    const all = (ls: Layer[]) => ls.flatMap((layer) => layer.params.map((p) => ({ layer, p })));
    return [...all(layers.filter((l) => l.trainable)), ...all(layers.filter((l) => !l.trainable))];
  }

  getWeights(): Tensor[] {
    this.build();
    const f32 = this.be.arena.f32;
    return this.weightEntries().map(({ p }) => new TensorClass(f32.slice(p.ptr >>> 2, (p.ptr >>> 2) + p.size), p.shape, 'float32'));
  }

  setWeights(weights: TensorLike[]): void {
    this.build();
    const entries = this.weightEntries();
    if (!Array.isArray(weights) || weights.length !== entries.length) {
      throw new Error(`setWeights: the model has ${entries.length} weight tensors, got ${Array.isArray(weights) ? weights.length : typeof weights}`);
    }
    const ts = weights.map((w, i) => toTensor(w, `setWeights: weight ${i}`));
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
   * Save in the TF.js layers format: `file://dir` (Node, Deno: dir/model.json + dir/weights.bin,
   * atomically), `indexeddb://name`, `localstorage://name`, `downloads://name` (browsers),
   * `http(s)://…` (a multipart POST, as TF.js's browserHTTPRequest), or an object with `save()`.
   */
  async save(destination: unknown, opts?: SaveOptions): Promise<SaveResult> {
    const handler = saveHandler(destination, opts);
    return handler.save!(toArtifacts(this));
  }
}

/** A stand-in context, enough for a layer to say whether it ends in softmax/sigmoid. */
function headProbe(layer: Layer): NodeCtx {
  return { node: layer.inboundNodes[0], xs: [0], dxs: [0], z: 0, dz: 0 } as unknown as NodeCtx;
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
  const inputs = xs.map((t, i) => makeInput({ shape: t.shape.slice(1) as number[], name: `${layer.name}_eager_input_${i}`, dtype: t.dtype }));
  const out = layer.apply(inputs.length === 1 ? inputs[0] : inputs);
  layer.inboundNodes.pop();
  const m = new LayersModel({ inputs, outputs: out, name: `${layer.name}_eager` }, { owns: false });
  try {
    const n = xs[0].shape[0];
    return m.run(m.checkX(xs, `${layer.name}.apply`), Math.max(n, 1), training)[0];
  } finally {
    m.dispose();
  }
});
