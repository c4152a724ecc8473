/**
 * Sequential: a stack of layers over one arena plan. `compile` resolves optimizer, loss and
 * metrics; the first fit/evaluate/predict for a batch size plans activations. A training step
 * is then a flat list of kernel calls and allocates nothing.
 */
import { type Layer, type Planner, sameShape } from '../layers/layer.ts';
import { getLoss, type Loss, type Output } from '../losses/index.ts';
import { getMetric, type Metric, type MetricContext } from '../metrics/index.ts';
import { getOptimizer, type Optimizer } from '../optimizers/index.ts';
import { type Tensor, type TensorLike, Tensor as TensorClass, toTensor, shapeSize } from '../tensor.ts';
import { alignUp } from '../memory/arena.ts';
import { globalRandom } from '../random.ts';
import { backend, type Backend } from '../wasm/loader.ts';
import { type CallbackHooks, CallbackList, type Logs, type TrainingModel } from './callbacks.ts';
import { ProgressBar } from './progress.ts';

export interface CompileArgs {
  optimizer: string | Optimizer;
  loss: string;
  metrics?: string | string[];
}

export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  shuffle?: boolean;
  validationSplit?: number;
  validationData?: [TensorLike, TensorLike];
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

interface Compiled {
  optimizer: Optimizer;
  loss: Loss;
  metrics: Metric[];
  slots: number[];
}

interface Plan {
  capacity: number;
  /** The plan is one arena block. */
  start: number;
  bytes: number;
  input: number;
  labels: number;
  scratchA: number;
  scratchB: number;
  ws: number;
  grads: number;
  gradFloats: number;
  rowsPerSample: number;
  out: Output;
  metric: MetricContext;
}

export class Sequential implements TrainingModel {
  readonly name: string;
  readonly layers: Layer[] = [];
  stopTraining = false;
  private block: { ptr: number; gradPtr: number; floats: number } | null = null;
  private disposed = false;
  private compiled: Compiled | null = null;
  private plan: Plan | null = null;

  constructor(args: { layers?: Layer[]; name?: string } = {}) {
    this.name = args.name ?? 'sequential';
    for (const l of args.layers ?? []) this.add(l);
  }

  add(layer: Layer): void {
    if (!layer || typeof (layer as Layer).forward !== 'function') throw new Error(`${this.name}.add: expected a layer, got ${layer}`);
    if (this.block) throw new Error(`${this.name}.add: the model is already built; add layers before compile/fit/predict`);
    if (this.layers.includes(layer)) throw new Error(`${this.name}.add: layer ${layer.name} is already in the model`);
    if (this.layers.length === 0 && !layer.inputShape) {
      throw new Error(`${this.name}: the first layer (${layer.name}) needs an inputShape, e.g. { inputShape: [784] }`);
    }
    if (this.layers.length > 0 && layer.inputShape) {
      const prev = this.layers[this.layers.length - 1];
      if (prev.built && !sameShape(prev.outShape, layer.inputShape)) {
        throw new Error(`${layer.name}: inputShape [${layer.inputShape}] does not match the previous layer's output [${prev.outShape}]`);
      }
    }
    const inShape = this.layers.length === 0 ? layer.inputShape! : this.layers[this.layers.length - 1].outShape;
    layer.build(inShape);
    this.layers.push(layer);
  }

  get inputShape(): number[] {
    this.requireLayers();
    return this.layers[0].inShape;
  }
  get outputShape(): number[] {
    this.requireLayers();
    return this.layers[this.layers.length - 1].outShape;
  }
  private requireLayers(): void {
    if (this.layers.length === 0) throw new Error(`${this.name}: the model has no layers`);
  }
  private get last(): Layer {
    return this.layers[this.layers.length - 1];
  }
  private get be(): Backend {
    return backend();
  }

  /** Allocate the parameter block and its gradient mirror, and initialise the weights. */
  build(): void {
    if (this.disposed) throw new Error(`${this.name}: the model has been disposed`);
    if (this.block) return;
    this.requireLayers();
    const { arena } = this.be;
    let floats = 0;
    for (const l of this.layers) for (const p of l.params) floats += alignUp(p.size, 4);
    floats = Math.max(floats, 4);
    const ptr = arena.alloc(floats * 4);
    const gradPtr = arena.alloc(floats * 4);
    arena.u8.fill(0, ptr, ptr + floats * 4);
    let off = 0;
    for (const l of this.layers) {
      for (const p of l.params) {
        p.ptr = ptr + off * 4;
        p.gradPtr = gradPtr + off * 4;
        const tmp = new Float32Array(p.size);
        p.init.fill(tmp, p.fanIn, p.fanOut);
        arena.f32.set(tmp, p.ptr >>> 2);
        off += alignUp(p.size, 4);
      }
    }
    this.block = { ptr, gradPtr, floats };
  }

  compile(args: CompileArgs): void {
    if (!args || typeof args !== 'object') throw new Error('compile: expected { optimizer, loss, metrics? }');
    if (args.loss === undefined) throw new Error('compile: a loss is required, e.g. loss: "sparseCategoricalCrossentropy"');
    if (args.optimizer === undefined) throw new Error('compile: an optimizer is required, e.g. optimizer: "adam"');
    this.build();
    const optimizer = getOptimizer(args.optimizer);
    const loss = getLoss(args.loss);
    const cols = this.outputShape[this.outputShape.length - 1];
    loss.check({ head: this.last.head(), cols, layer: this.last.name });
    const names = args.metrics === undefined ? [] : Array.isArray(args.metrics) ? args.metrics : [args.metrics];
    const metrics = names.map((m) => getMetric(m, loss, cols));
    const { arena, kernels: k } = this.be;
    this.freeSlots();
    this.compiled = null;
    const n = this.block!.floats;
    const slots: number[] = [];
    for (let s = 0; s < optimizer.slots; s++) {
      const p = arena.alloc(n * 4);
      k.fill_f32(p, n, optimizer.slotInit(s));
      slots.push(p);
    }
    this.compiled = { optimizer, loss, metrics, slots };
  }

  get optimizer(): Optimizer | null {
    return this.compiled?.optimizer ?? null;
  }
  get metricsNames(): string[] {
    return this.compiled ? ['loss', ...this.compiled.metrics.map((m) => m.name)] : [];
  }

  /** Plan activations for batches of up to `capacity` samples (re-plans only to grow). */
  private ensurePlan(capacity: number): Plan {
    if (this.plan && this.plan.capacity >= capacity) return this.plan;
    this.build();
    const { arena, kernels: k } = this.be;
    if (this.plan) arena.free(this.plan.start, this.plan.bytes);
    this.plan = null;
    // Pass 1 counts what the layers ask for; pass 2 binds them to real addresses in one block.
    const bindAll = (planner: Planner, input: number, ws: number) => {
      let x = input;
      let dx = 0;
      for (const l of this.layers) {
        l.bind({ k, x, dx, ws, capacity, plan: planner });
        x = l.y;
        dx = l.dy;
      }
    };
    let valueBytes = 0;
    let gradBytes = 0;
    bindAll({ value: (f) => ((valueBytes += alignUp(f * 4)), 16), grad: (f) => ((gradBytes += alignUp(f * 4)), 16) }, 16, 16);
    const outBytes = alignUp(capacity * shapeSize(this.outputShape) * 4);
    const sizes = {
      input: alignUp(capacity * shapeSize(this.inputShape) * 4),
      labels: outBytes,
      scratchA: outBytes,
      scratchB: outBytes,
      ws: alignUp(Math.max(16, ...this.layers.map((l) => l.workspaceBytes(capacity)))),
      values: valueBytes,
      grads: gradBytes,
    };
    const bytes = Object.values(sizes).reduce((a, b) => a + b, 0);
    const start = arena.alloc(bytes);
    let at = start;
    const take = (n: number) => ((at += n), at - n);
    const input = take(sizes.input);
    const labels = take(sizes.labels);
    const scratchA = take(sizes.scratchA);
    const scratchB = take(sizes.scratchB);
    const ws = take(sizes.ws);
    let values = take(sizes.values);
    const grads = take(sizes.grads);
    let g = grads;
    bindAll(
      {
        value: (f) => ((values += alignUp(f * 4)), values - alignUp(f * 4)),
        grad: (f) => ((g += alignUp(f * 4)), g - alignUp(f * 4)),
      },
      input,
      ws,
    );
    const { rowsPer, cols } = this.outRowsPerSample();
    const last = this.last;
    const out: Output = { y: last.y, dy: last.dy, head: last.head(), rows: 0, cols };
    const metric: MetricContext = { k, arena, y: last.y, labels, rows: 0, cols, scratchA, scratchB };
    this.plan = { capacity, start, bytes, input, labels, scratchA, scratchB, ws, grads, gradFloats: gradBytes / 4, rowsPerSample: rowsPer, out, metric };
    return this.plan;
  }

  /**
   * Give the model's linear memory back (parameters, gradients, optimizer state, activations).
   * The model cannot be used afterwards. Like TF.js's `model.dispose()`.
   */
  dispose(): void {
    if (this.disposed) return;
    const { arena } = this.be;
    if (this.plan) arena.free(this.plan.start, this.plan.bytes);
    this.freeSlots();
    if (this.block) {
      arena.free(this.block.ptr, this.block.floats * 4);
      arena.free(this.block.gradPtr, this.block.floats * 4);
    }
    this.plan = null;
    this.compiled = null;
    this.block = null;
    this.disposed = true;
  }

  private freeSlots(): void {
    if (!this.compiled || !this.block) return;
    for (const p of this.compiled.slots) this.be.arena.free(p, this.block.floats * 4);
  }

  /** Bytes of linear memory this model uses (parameters, gradients, optimizer state, activations). */
  arenaBytes(): number {
    const b = this.block ? this.block.floats * 8 : 0;
    const s = this.compiled ? this.compiled.slots.length * (this.block?.floats ?? 0) * 4 : 0;
    const p = this.plan ? this.plan.bytes : 0;
    return b + s + p;
  }

  countParams(): number {
    return this.layers.reduce((s, l) => s + l.countParams(), 0);
  }

  // ---------------------------------------------------------------- data in

  private checkX(x: TensorLike, what: string): Tensor {
    const t = toTensor(x, what);
    const want = this.inputShape;
    if (t.dtype !== 'float32') throw new Error(`${what}: expected float32 inputs, got ${t.dtype}`);
    if (!sameShape(t.shape.slice(1), want)) {
      throw new Error(`${what}: expected input shape [null, ${want.join(', ')}] but got [${t.shape.join(', ')}]`);
    }
    return t;
  }

  private outRowsPerSample(): { rowsPer: number; cols: number } {
    const out = this.outputShape;
    const cols = out[out.length - 1];
    return { rowsPer: shapeSize(out) / cols, cols };
  }

  private checkY(y: TensorLike, n: number, what: string): Tensor {
    const c = this.requireCompiled(what);
    const t = toTensor(y, what);
    if (t.shape[0] !== n) throw new Error(`${what}: ${n} input samples but ${t.shape[0]} targets`);
    const { rowsPer, cols } = this.outRowsPerSample();
    if (c.loss.sparse) {
      if (t.size !== n * rowsPer) {
        throw new Error(`${what}: loss '${c.loss.name}' expects ${rowsPer === 1 ? 'one class index' : `${rowsPer} class indices`} per sample (shape [${n}]), got shape [${t.shape.join(', ')}]`);
      }
      const v = t.values;
      for (let i = 0; i < v.length; i++) {
        const l = v[i];
        if (!(Number.isInteger(l) && l >= 0 && l < cols)) {
          throw new Error(`${what}: label ${l} at index ${i} is outside [0, ${cols}) (the last layer has ${cols} units)`);
        }
      }
    } else if (!sameShape(t.shape.slice(1), this.outputShape)) {
      throw new Error(`${what}: expected target shape [null, ${this.outputShape.join(', ')}] but got [${t.shape.join(', ')}]`);
    }
    return t;
  }

  private requireCompiled(what: string): Compiled {
    if (this.disposed) throw new Error(`${what}: the model has been disposed`);
    if (!this.compiled) throw new Error(`${what}: the model must be compiled first: call model.compile({ optimizer, loss })`);
    return this.compiled;
  }

  /** Copy samples rows[start..start+n) (or order[start+i]) into the input and label buffers. */
  private stage(x: Tensor, y: Tensor | null, order: Int32Array | null, start: number, n: number): void {
    const { arena } = this.be;
    const plan = this.plan!;
    copyRows(arena.f32, plan.input >>> 2, x.values as Float32Array, x.size / Math.max(x.shape[0], 1), order, start, n);
    if (y) {
      const row = y.size / Math.max(y.shape[0], 1);
      if (this.compiled!.loss.sparse) copyRows(arena.i32, plan.labels >>> 2, y.values, row, order, start, n);
      else copyRows(arena.f32, plan.labels >>> 2, y.values, row, order, start, n);
    }
  }

  // ---------------------------------------------------------------- the step

  /** The output as the loss sees it, for n samples (one object per plan, updated in place). */
  private output(n: number): Output {
    const o = this.plan!.out;
    o.rows = n * this.plan!.rowsPerSample;
    return o;
  }

  private forward(n: number, training: boolean): void {
    for (let i = 0; i < this.layers.length; i++) this.layers[i].forward(n, training);
  }

  private metricContext(n: number): MetricContext {
    const m = this.plan!.metric;
    m.rows = this.output(n).rows;
    return m;
  }

  /** Zero the gradients, run forward, loss and backward on the staged batch; returns the loss. */
  private backprop(n: number): number {
    const c = this.compiled!;
    const { kernels: k } = this.be;
    const plan = this.plan!;
    const block = this.block!;
    k.fill_f32(block.gradPtr, block.floats, 0);
    k.fill_f32(plan.grads, plan.gradFloats, 0);
    this.forward(n, true);
    let loss = c.loss.compute(k, this.output(n), plan.labels, true);
    for (let i = this.layers.length - 1; i >= 0; i--) this.layers[i].backward(n);
    for (const l of this.layers) {
      for (const p of l.params) if (p.regularizer) loss += k.l1l2_penalty_f32(p.gradPtr, p.ptr, p.size, p.regularizer.l1, p.regularizer.l2);
    }
    return loss;
  }

  /** One optimisation step on the staged batch of n samples; writes [loss, ...metrics] to out. */
  private step(n: number, out: number[]): void {
    const c = this.compiled!;
    const block = this.block!;
    out[0] = this.backprop(n);
    if (c.metrics.length) {
      const ctx = this.metricContext(n);
      for (let i = 0; i < c.metrics.length; i++) out[i + 1] = c.metrics[i].compute(ctx);
    }
    c.optimizer.step(this.be.kernels, block.ptr, block.gradPtr, c.slots, block.floats);
    c.optimizer.iterations++;
  }

  /** Gradients of the loss for one batch (all of x), as a copy of the gradient block; no update. */
  gradients(x: TensorLike, y: TensorLike): Float32Array {
    this.requireCompiled('gradients');
    const xt = this.checkX(x, 'gradients: x');
    const n = xt.shape[0];
    const yt = this.checkY(y, n, 'gradients: y');
    this.ensurePlan(n);
    this.stage(xt, yt, null, 0, n);
    this.backprop(n);
    const b = this.block!;
    return this.be.arena.f32.slice(b.gradPtr >>> 2, (b.gradPtr >>> 2) + b.floats);
  }

  /** The weight penalty as it enters the loss (for evaluate). */
  private penalty(): number {
    const f32 = this.be.arena.f32;
    let s = 0;
    for (const l of this.layers) {
      for (const p of l.params) {
        if (!p.regularizer) continue;
        const o = p.ptr >>> 2;
        for (let i = 0; i < p.size; i++) s += p.regularizer.l1 * Math.abs(f32[o + i]) + p.regularizer.l2 * f32[o + i] * f32[o + i];
      }
    }
    return s;
  }

  // ---------------------------------------------------------------- public training API

  /** One step on one batch (the whole of x). Returns [loss, ...metrics]. */
  trainOnBatch(x: TensorLike, y: TensorLike): number[] {
    const c = this.requireCompiled('trainOnBatch');
    const xt = this.checkX(x, 'trainOnBatch: x');
    const n = xt.shape[0];
    if (n === 0) throw new Error('trainOnBatch: empty batch');
    const yt = this.checkY(y, n, 'trainOnBatch: y');
    this.ensurePlan(n);
    this.stage(xt, yt, null, 0, n);
    const out = new Array<number>(1 + c.metrics.length).fill(0);
    this.step(n, out);
    return out;
  }

  async fit(x: TensorLike, y: TensorLike, args: FitArgs = {}): Promise<History> {
    this.requireCompiled('fit');
    const epochs = args.epochs ?? 1;
    const batchSize = args.batchSize ?? 32;
    const initialEpoch = args.initialEpoch ?? 0;
    const verbose = args.verbose ?? 1;
    const yieldEvery = args.yieldEvery ?? 50;
    if (!(Number.isInteger(epochs) && epochs >= 1)) throw new Error(`fit: epochs must be a positive integer, got ${epochs}`);
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`fit: batchSize must be a positive integer, got ${batchSize}`);
    if (!(Number.isInteger(initialEpoch) && initialEpoch >= 0 && initialEpoch < epochs)) throw new Error(`fit: initialEpoch must be an integer in [0, epochs), got ${initialEpoch}`);
    let xt = this.checkX(x, 'fit: x');
    let yt = this.checkY(y, xt.shape[0], 'fit: y');
    let val: [Tensor, Tensor] | null = null;
    if (args.validationData) {
      const vx = this.checkX(args.validationData[0], 'fit: validationData[0]');
      if (vx.shape[0] === 0) throw new Error('fit: validationData has no samples');
      val = [vx, this.checkY(args.validationData[1], vx.shape[0], 'fit: validationData[1]')];
    } else if (args.validationSplit !== undefined && args.validationSplit !== 0) {
      const f = args.validationSplit;
      if (!(f > 0 && f < 1)) throw new Error(`fit: validationSplit must be in (0, 1), got ${f}`);
      // The last fraction of the samples, taken before shuffling (as Keras and TF.js do).
      const nTrain = Math.floor(xt.shape[0] * (1 - f));
      if (nTrain === 0 || nTrain === xt.shape[0]) throw new Error(`fit: validationSplit ${f} leaves no ${nTrain === 0 ? 'training' : 'validation'} samples of ${xt.shape[0]}`);
      val = [xt.slice(nTrain), yt.slice(nTrain)];
      xt = xt.slice(0, nTrain);
      yt = yt.slice(0, nTrain);
    }
    const n = xt.shape[0];
    if (n === 0) throw new Error('fit: no training samples');
    const bs = Math.min(batchSize, n);
    this.ensurePlan(bs);
    const steps = Math.ceil(n / bs);
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const shuffle = args.shuffle ?? true;

    const userCallbacks = args.callbacks === undefined ? [] : Array.isArray(args.callbacks) ? args.callbacks : [args.callbacks];
    for (const cb of userCallbacks) (cb as { setModel?: (m: TrainingModel) => void }).setModel?.(this);
    const list = [...userCallbacks];
    if (verbose > 0) list.push(new ProgressBar(epochs, steps, n));
    const cbs = new CallbackList(list);
    const names = this.metricsNames;
    const history: History = {
      epoch: [],
      history: {},
      params: { epochs, initialEpoch, samples: n, steps, batchSize: bs, validationSamples: val ? val[0].shape[0] : 0 },
    };
    const stepOut = new Array<number>(names.length).fill(0);
    const sums = new Float64Array(names.length);
    const batchLogs: Logs = {};

    this.stopTraining = false;
    await cbs.call('onTrainBegin', {});
    let lastYield = nowMs();
    for (let epoch = initialEpoch; epoch < epochs && !this.stopTraining; epoch++) {
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
        this.stage(xt, yt, order, start, size);
        this.step(size, stepOut);
        for (let i = 0; i < names.length; i++) {
          sums[i] += stepOut[i] * size;
          batchLogs[names[i]] = stepOut[i];
        }
        seen += size;
        const after = cbs.call('onBatchEnd', b, batchLogs);
        if (after) await after;
        if (this.stopTraining) break;
        if (nowMs() - lastYield >= yieldEvery) {
          await yieldToEventLoop();
          lastYield = nowMs();
        }
      }
      const logs: Logs = {};
      for (let i = 0; i < names.length; i++) logs[names[i]] = sums[i] / Math.max(seen, 1);
      if (val && !this.stopTraining) {
        const v = this.evaluateChecked(val[0], val[1], bs);
        for (let i = 0; i < names.length; i++) logs[`val_${names[i]}`] = v[i];
      }
      history.epoch.push(epoch);
      for (const [k, v] of Object.entries(logs)) (history.history[k] ??= []).push(v);
      await cbs.call('onEpochEnd', epoch, logs);
    }
    await cbs.call('onTrainEnd', {});
    return history;
  }

  /** Mean loss and metrics over the data: `[loss, ...metrics]`. */
  evaluate(x: TensorLike, y: TensorLike, args: { batchSize?: number } = {}): number[] {
    this.requireCompiled('evaluate');
    const batchSize = args.batchSize ?? 32;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`evaluate: batchSize must be a positive integer, got ${batchSize}`);
    const xt = this.checkX(x, 'evaluate: x');
    const n = xt.shape[0];
    if (n === 0) throw new Error('evaluate: no samples');
    const yt = this.checkY(y, n, 'evaluate: y');
    return this.evaluateChecked(xt, yt, batchSize);
  }

  /** evaluate() on tensors already validated (fit's validation set is checked once, not per epoch). */
  private evaluateChecked(xt: Tensor, yt: Tensor, batchSize: number): number[] {
    const c = this.compiled!;
    const n = xt.shape[0];
    const plan = this.ensurePlan(Math.min(batchSize, n));
    const bs = Math.min(batchSize, plan.capacity);
    const { kernels: k } = this.be;
    const sums = new Float64Array(1 + c.metrics.length);
    for (let start = 0; start < n; start += bs) {
      const size = Math.min(bs, n - start);
      this.stage(xt, yt, null, start, size);
      this.forward(size, false);
      sums[0] += c.loss.compute(k, this.output(size), plan.labels, false) * size;
      if (c.metrics.length) {
        const ctx = this.metricContext(size);
        for (let i = 0; i < c.metrics.length; i++) sums[i + 1] += c.metrics[i].compute(ctx) * size;
      }
    }
    const out = Array.from(sums, (s) => s / n);
    out[0] += this.penalty();
    return out;
  }

  /** Outputs for every sample, as one tensor [n, ...outputShape]. */
  predict(x: TensorLike, args: { batchSize?: number } = {}): Tensor {
    const batchSize = args.batchSize ?? 32;
    if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new Error(`predict: batchSize must be a positive integer, got ${batchSize}`);
    this.build();
    const xt = this.checkX(x, 'predict: x');
    const n = xt.shape[0];
    const plan = this.ensurePlan(Math.max(1, Math.min(batchSize, n)));
    const bs = Math.min(batchSize, plan.capacity);
    const outSize = shapeSize(this.outputShape);
    const result = new Float32Array(n * outSize);
    const { arena } = this.be;
    for (let start = 0; start < n; start += bs) {
      const size = Math.min(bs, n - start);
      copyRows(arena.f32, plan.input >>> 2, xt.values as Float32Array, shapeSize(this.inputShape), null, start, size);
      this.forward(size, false);
      const y = this.last.y >>> 2;
      result.set(arena.f32.subarray(y, y + size * outSize), start * outSize);
    }
    return new TensorClass(result, [n, ...this.outputShape], 'float32');
  }

  // ---------------------------------------------------------------- weights

  getWeights(): Tensor[] {
    this.build();
    const f32 = this.be.arena.f32;
    const out: Tensor[] = [];
    for (const l of this.layers) {
      for (const p of l.params) out.push(new TensorClass(f32.slice(p.ptr >>> 2, (p.ptr >>> 2) + p.size), p.shape, 'float32'));
    }
    return out;
  }

  setWeights(weights: TensorLike[]): void {
    this.build();
    const params = this.layers.flatMap((l) => l.params.map((p) => ({ l, p })));
    if (!Array.isArray(weights) || weights.length !== params.length) {
      throw new Error(`setWeights: the model has ${params.length} weight tensors, got ${Array.isArray(weights) ? weights.length : typeof weights}`);
    }
    const ts = weights.map((w, i) => toTensor(w, `setWeights: weight ${i}`));
    ts.forEach((t, i) => {
      const { l, p } = params[i];
      if (t.size !== p.size || (t.shape.length > 1 && !sameShape(t.shape, p.shape))) {
        throw new Error(`setWeights: ${l.name}/${p.name} expects shape [${p.shape}], got [${t.shape}]`);
      }
    });
    const f32 = this.be.arena.f32;
    ts.forEach((t, i) => f32.set(t.values, params[i].p.ptr >>> 2));
  }

  snapshotParams(): Float32Array {
    this.build();
    const b = this.block!;
    return this.be.arena.f32.slice(b.ptr >>> 2, (b.ptr >>> 2) + b.floats);
  }
  restoreParams(snapshot: Float32Array): void {
    const b = this.block!;
    if (snapshot.length !== b.floats) throw new Error(`restoreParams: expected ${b.floats} floats, got ${snapshot.length}`);
    this.be.arena.f32.set(snapshot, b.ptr >>> 2);
  }

  /** Parameter and gradient blocks (for checkGradients and tests). */
  get parameterBlock(): { ptr: number; gradPtr: number; floats: number } {
    this.build();
    return { ...this.block! };
  }

  // ---------------------------------------------------------------- summary

  summary(lineLength = 72, printFn: (line: string) => void = (s) => console.log(s)): void {
    this.build();
    const cols = [Math.floor(lineLength * 0.42), Math.floor(lineLength * 0.33)];
    const row = (a: string, b: string, c: string) => `${a.padEnd(cols[0] - 1)} ${b.padEnd(cols[1] - 1)} ${c}`;
    printFn(`Model: "${this.name}"`);
    printFn('_'.repeat(lineLength));
    printFn(row('Layer (type)', 'Output shape', 'Param #'));
    printFn('='.repeat(lineLength));
    this.layers.forEach((l, i) => {
      printFn(row(`${l.name} (${l.className})`, `[null,${l.outShape.join(',')}]`, String(l.countParams())));
      printFn(i === this.layers.length - 1 ? '='.repeat(lineLength) : '_'.repeat(lineLength));
    });
    const total = this.countParams();
    printFn(`Total params: ${total.toLocaleString('en-US')}`);
    printFn(`Trainable params: ${total.toLocaleString('en-US')}`);
    printFn('Non-trainable params: 0');
    printFn(`Arena: ${(this.arenaBytes() / 2 ** 20).toFixed(2)} MiB of linear memory${this.plan ? ` (batch capacity ${this.plan.capacity})` : ''}`);
    printFn('_'.repeat(lineLength));
  }

  /** Save as model.json + weights.bin (TF.js layers format); `file://dir` in Node and Deno. */
  async save(url: string): Promise<{ modelJSON: string; weights: string }> {
    const { saveModel } = await import('./save.ts');
    return saveModel(this, url);
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, layers: this.layers.map((l) => ({ className: l.className, config: l.getConfig() })) };
  }
}

function copyRows(
  dst: Float32Array | Int32Array,
  dstOff: number,
  src: Float32Array | Int32Array,
  row: number,
  order: Int32Array | null,
  start: number,
  n: number,
): void {
  if (!order) {
    // A contiguous range: one native copy (the view it needs is the only allocation).
    dst.set(src.subarray(start * row, (start + n) * row), dstOff);
    return;
  }
  for (let r = 0; r < n; r++) {
    const s = order[start + r] * row;
    const d = dstOff + r * row;
    for (let i = 0; i < row; i++) dst[d + i] = src[s + i];
  }
}

const nowMs = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (f: () => void) => void };
  return new Promise((resolve) => (g.setImmediate ? g.setImmediate(resolve) : setTimeout(resolve, 0)));
}

export function sequential(args: { layers?: Layer[]; name?: string } = {}): Sequential {
  return new Sequential(args);
}
