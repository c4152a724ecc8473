/**
 * The layer contract. A Layer is configuration plus weights: it declares its parameters when it
 * is first applied, and owns one arena block holding them (shared by every use of the layer, in
 * any model). Its use in a graph is a Node; each model's plan gives each node a `NodeCtx` with
 * that use's pointers (activations, gradients, saved buffers), so one layer can live in two
 * models, or twice in one, without one use moving the other's memory.
 */
import type { Kernels } from '../wasm/abi.ts';
import type { Initializer } from '../initializers/index.ts';
import type { Regularizer } from '../regularizers/index.ts';
import { alignUp } from '../memory/arena.ts';
import { backend, type Backend } from '../wasm/loader.ts';
import { type ModelDType, type Tensor, type TensorLike, Tensor as TensorClass, describe, shapeSize, toTensor, untracked } from '../tensor.ts';
import { Node, SymbolicTensor } from '../engine/symbolic.ts';

export interface LayerArgs {
  name?: string;
  /** Shape of one sample (batch dimension excluded); only the first layer of a Sequential needs it. */
  inputShape?: number[];
  /** TF.js spelling with the batch dimension first (null); the batch dimension is dropped. */
  batchInputShape?: (number | null)[];
  /** false freezes the layer's weights (takes effect at the next compile, as in Keras). */
  trainable?: boolean;
}

/** One weight tensor of a layer, living in the layer's weight block. */
export interface Param {
  name: string;
  shape: number[];
  size: number;
  init: Initializer;
  regularizer: Regularizer | null;
  /** Fan-in / fan-out used by variance-scaling initializers. */
  fanIn: number;
  fanOut: number;
  /** Offset in floats inside the layer's weight block (each tensor padded to 4 floats). */
  offset: number;
  /** Byte address, set when the layer's weights are allocated. */
  ptr: number;
  /**
   * false: state the layer updates itself (BatchNormalization's moving statistics): saved and
   * loaded, listed among the non-trainable weights, never given to the optimizer or a regularizer.
   */
  trainable?: boolean;
}

/** Hands out memory while a model plans: values (outputs, saved buffers), gradients, small i32 tables. */
export interface Planner {
  value(floats: number): number;
  /** 0 in an inference plan (no gradients). */
  grad(floats: number): number;
  /** An i32 table holding `values` (pointer lists for multi-input kernels). */
  ints(values: readonly number[]): number;
}

/** One use of a layer in one model's plan: every pointer its kernels need. */
export class NodeCtx {
  k: Kernels;
  /** Inputs and their gradients (a 0 gradient: nothing needs it, e.g. a model input). */
  xs: number[] = [];
  dxs: number[] = [];
  y = 0;
  dy = 0;
  /** Every output and its gradient: ys[0] is y; more only for a node with several outputs (returnState's states). */
  ys: number[] = [];
  dys: number[] = [];
  /** Pre-activation values and their gradient (activated layers); y / dy when linear. */
  z = 0;
  dz = 0;
  /** Extra saved buffers (max-pool argmax) and i32 tables (merge pointer lists). */
  saved: number[] = [];
  ws = 0;
  /** The first input's mask [n, ...] (1 kept, 0 masked; 0: none), and the mask this node makes (0: none). */
  mask = 0;
  maskOut = 0;
  /** Weight pointers (the layer's) and gradient pointers (this model's; 0 when frozen). */
  w: number[] = [];
  dw: number[] = [];
  constructor(k: Kernels, readonly node: Node) {
    this.k = k;
  }
  get x(): number {
    return this.xs[0];
  }
  get dx(): number {
    return this.dxs[0];
  }
}

/** Where a fused loss reads pre-activation values and writes their gradient. */
export interface Head {
  activation: 'softmax' | 'sigmoid';
  z: number;
  dz: number;
}

let nameCounter = new Map<string, number>();
export function resetLayerNames(): void {
  nameCounter = new Map();
}
export function uniqueName(base: string): string {
  const n = nameCounter.get(base) ?? 0;
  nameCounter.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

/** Runs a layer eagerly on concrete tensors (set by the model module, which owns planning). */
type EagerRunner = (layer: Layer, xs: Tensor[], training: boolean) => Tensor | Tensor[];
let eagerRunner: EagerRunner | null = null;
export function setEagerRunner(f: EagerRunner): void {
  eagerRunner = f;
}

export function staleBackend(who: string): Error {
  return new Error(`${who}: built on a binary that a later init() replaced; its memory is gone. Build it again after init()`);
}

/** The weights of one layer: one arena block in one backend. */
interface WeightBlock {
  be: Backend;
  ptr: number;
  floats: number;
}

export abstract class Layer {
  abstract readonly className: string;
  readonly name: string;
  readonly inputShape: number[] | null;
  /** batchInputShape[0]: a positive integer (stateful layers read it upstream), or null. */
  readonly givenBatch: number | null;
  readonly params: Param[] = [];
  trainable: boolean;
  built = false;
  inShapes: number[][] = [];
  outShape: number[] = [];
  /** The nodes this layer was applied in, in order (TF.js `inboundNodes`). */
  readonly inboundNodes: Node[] = [];
  private block: WeightBlock | null = null;
  private users = 0;
  private disposed = false;

  constructor(args: LayerArgs, defaultName: string) {
    if (args !== undefined && (args === null || typeof args !== 'object')) throw new Error(`${defaultName}: expected an options object, got ${describe(args)}`);
    args = args ?? {};
    if (args.name !== undefined && (typeof args.name !== 'string' || args.name === '')) throw new Error(`${defaultName}: name must be a non-empty string, got ${describe(args.name)}`);
    this.name = args.name ?? uniqueName(defaultName);
    if (args.batchInputShape !== undefined && !Array.isArray(args.batchInputShape)) throw new Error(`${this.name}: batchInputShape must be a list [null, ...sample dimensions], got ${describe(args.batchInputShape)}`);
    if (args.inputShape && args.batchInputShape) {
      throw new Error(`${this.name}: give inputShape or batchInputShape, not both`);
    }
    const shape = args.inputShape ?? (args.batchInputShape ? (args.batchInputShape.slice(1) as number[]) : null);
    if (shape) checkShape(shape, `${this.name}: inputShape`);
    this.inputShape = shape ? [...shape] : null;
    // A fixed batch size (stateful layers read it, here or downstream) or null: nothing else.
    const b0 = args.batchInputShape?.[0];
    this.givenBatch = b0 === null || b0 === undefined ? null : positiveInt(b0, `${this.name}: batchInputShape[0] (the batch size)`);
    if (args.trainable !== undefined && typeof args.trainable !== 'boolean') throw new Error(`${this.name}: trainable must be a boolean, got ${describe(args.trainable)}`);
    this.trainable = args.trainable ?? true;
  }

  get inShape(): number[] {
    return this.inShapes[0];
  }
  get inSize(): number {
    return shapeSize(this.inShape);
  }
  get outSize(): number {
    return shapeSize(this.outShape);
  }
  /** How many inputs the layer takes: [at least, at most]. */
  get arity(): [number, number] {
    return [1, 1];
  }
  /**
   * Sample shapes of every output of a node: [outShape] but for a layer with several outputs (a
   * recurrent layer with returnState: the output, then the final states), TF.js's output list.
   */
  get outShapes(): number[][] {
    return [this.outShape];
  }
  /** How many outputs each node of this layer has (known before the layer is built). */
  outputCount(): number {
    return 1;
  }
  /** The dtype of the output (int32 only for input layers of token ids). */
  get outputDType(): ModelDType {
    return 'float32';
  }

  /**
   * Fix the input shapes, compute the output shape and declare parameters (first use). A later
   * use must see the same input shapes: the weights were made for them.
   */
  build(inShapes: number[][]): void {
    if (this.built) {
      if (inShapes.length !== this.inShapes.length || inShapes.some((s, i) => !sameShape(s, this.inShapes[i]))) {
        throw new Error(`${this.name}: built for input ${fmtShapes(this.inShapes)} but now receives ${fmtShapes(inShapes)}`);
      }
      return;
    }
    const out = this.outputShapeFor(inShapes.map((s) => [...s]));
    checkSampleSize(out, `${this.name}: output`);
    this.inShapes = inShapes.map((s) => [...s]);
    this.outShape = out;
    this.built = true;
  }

  /** Output shape for these input shapes; validates them. Single-input layers implement computeOutputShape. */
  protected outputShapeFor(inShapes: number[][]): number[] {
    return this.computeOutputShape(inShapes[0]);
  }
  protected computeOutputShape(_inShape: number[]): number[] {
    throw new Error(`${this.name}: computeOutputShape is not implemented`);
  }

  protected addParam(p: Omit<Param, 'size' | 'ptr' | 'offset'>): Param {
    const last = this.params[this.params.length - 1];
    const offset = last ? last.offset + alignUp(last.size, 4) : 0;
    const param: Param = { ...p, size: shapeSize(p.shape), ptr: 0, offset };
    this.params.push(param);
    return param;
  }

  /** Floats in the weight block (each tensor padded to 4). */
  get weightFloats(): number {
    const last = this.params[this.params.length - 1];
    return last ? last.offset + alignUp(last.size, 4) : 0;
  }

  // ------------------------------------------------------------ weights and their owners

  /**
   * Allocate and initialise the weights in the current backend (once). Parameters in `skipInit`
   * are left zero: a loader is about to write them (and must not draw from the seeded generator).
   */
  ensureWeights(skipInit?: ReadonlySet<Param>): void {
    if (this.disposed) throw new Error(`${this.name}: the layer was disposed (with the last model that used it)`);
    const be = backend();
    if (this.block) {
      if (this.block.be !== be) throw staleBackend(`layer ${this.name}`);
      return;
    }
    const floats = this.weightFloats;
    if (floats === 0) return;
    const ptr = be.arena.alloc(floats * 4);
    try {
      be.arena.u8.fill(0, ptr, ptr + floats * 4);
      for (const p of this.params) {
        p.ptr = ptr + p.offset * 4;
        if (skipInit?.has(p)) continue;
        const tmp = new Float32Array(p.size);
        p.init.fill(tmp, p.fanIn, p.fanOut, p.shape);
        be.arena.f32.set(tmp, p.ptr >>> 2);
      }
    } catch (e) {
      // An initializer that throws must not leave the block behind.
      be.arena.free(ptr, floats * 4);
      for (const p of this.params) p.ptr = 0;
      throw e;
    }
    this.block = { be, ptr, floats };
  }

  /** Whether the weights exist (allocated and initialised, or there are none to make). */
  get hasWeights(): boolean {
    return this.block !== null || this.weightFloats === 0;
  }

  /**
   * Undo what a failed model build did to this layer: drop the use it took (`retained`) and,
   * when the layer had no weights before and nobody else uses it, free the ones made for it.
   * Unlike release(), this never disposes the layer: it can be used again.
   */
  unretain(retained: boolean, hadWeights: boolean): void {
    if (retained && this.users > 0) this.users--;
    if (this.users === 0 && !hadWeights && this.block) {
      if (this.block.be === currentBackendOrNull()) this.block.be.arena.free(this.block.ptr, this.block.floats * 4);
      this.block = null;
      for (const p of this.params) p.ptr = 0;
    }
  }

  /** Byte address of the weight block (0 for a layer without weights). */
  get weightPtr(): number {
    return this.block?.ptr ?? 0;
  }

  /** A model starts using this layer's weights. */
  retain(skipInit?: ReadonlySet<Param>): void {
    this.ensureWeights(skipInit);
    this.users++;
  }
  /** A model stops using them; the last one frees them and the layer can no longer be used. */
  release(): void {
    if (this.users === 0) return;
    if (--this.users === 0) this.dispose();
  }
  /** Free the weights. Refused while a model still uses the layer. */
  dispose(): void {
    if (this.users > 0) throw new Error(`${this.name}: still used by ${this.users} model(s); dispose those models instead`);
    if (this.block && this.block.be === currentBackendOrNull()) this.block.be.arena.free(this.block.ptr, this.block.floats * 4);
    this.block = null;
    this.disposed = true;
  }

  getWeights(): Tensor[] {
    this.requireBuilt('getWeights');
    this.ensureWeights();
    const f32 = backend().arena.f32;
    // Untracked, as TF.js hands out its variables (which memory() counts once, at creation).
    return untracked(() => this.params.map((p) => new TensorClass(f32.slice(p.ptr >>> 2, (p.ptr >>> 2) + p.size), p.shape, 'float32')));
  }

  setWeights(weights: TensorLike[]): void {
    this.requireBuilt('setWeights');
    if (!Array.isArray(weights) || weights.length !== this.params.length) {
      throw new Error(`${this.name}.setWeights: the layer has ${this.params.length} weight tensors (${this.params.map((p) => p.name).join(', ') || 'none'}), got ${Array.isArray(weights) ? weights.length : typeof weights}`);
    }
    const ts = weights.map((w, i) => toTensor(w, `${this.name}.setWeights: weight ${i}`));
    checkWeightShapes(this, ts, `${this.name}.setWeights`);
    this.ensureWeights();
    const f32 = backend().arena.f32;
    ts.forEach((t, i) => f32.set(t.values, this.params[i].ptr >>> 2));
  }

  private requireBuilt(what: string): void {
    if (!this.built) throw new Error(`${this.name}.${what}: the layer has no weights yet; apply it to an input first`);
  }

  // ------------------------------------------------------------ graph

  /**
   * On symbolic tensors (from `input()` or another layer): adds a node to the graph and
   * returns its output. On concrete tensors: computes the layer now and returns a Tensor.
   * A layer with several outputs (recurrent layers with returnState) returns the list, as TF.js
   * does: `const [y, h, c] = lstm({ units, returnState: true }).apply(x) as SymbolicTensor[]`.
   */
  apply(inputs: SymbolicTensor | SymbolicTensor[], kwargs?: { training?: boolean }): SymbolicTensor;
  apply(inputs: TensorLike | TensorLike[], kwargs?: { training?: boolean }): Tensor;
  apply(inputs: unknown, kwargs: { training?: boolean } = {}): SymbolicTensor | Tensor {
    // TF.js's recurrent layers take their start state here; simdnet's kernels give an initial state no gradient yet.
    if (kwargs && typeof kwargs === 'object' && 'initialState' in kwargs) throw new Error(`${this.name}.apply: initialState is not supported (recurrent layers start from zeros, or from their own state when stateful), got ${describe((kwargs as { initialState: unknown }).initialState)}`);
    const list = Array.isArray(inputs) && (inputs.length === 0 || inputs.every((t) => t instanceof SymbolicTensor || t instanceof TensorClass)) ? (inputs as unknown[]) : [inputs];
    const [lo, hi] = this.arity;
    const symbolic = list.filter((t) => t instanceof SymbolicTensor).length;
    if (symbolic > 0 && symbolic !== list.length) throw new Error(`${this.name}.apply: mix of symbolic and concrete inputs`);
    if (list.length < lo || list.length > hi) {
      throw new Error(`${this.name}.apply: expects ${lo === hi ? lo : hi === Infinity ? `at least ${lo}` : `${lo} to ${hi}`} input${hi === 1 ? '' : 's'}, got ${list.length}`);
    }
    if (symbolic) {
      const xs = list as SymbolicTensor[];
      if (!this.built && this.inputShape && !sameShape(this.inputShape, xs[0].sampleShape)) {
        throw new Error(`${this.name}: inputShape [${this.inputShape}] does not match its input's shape [${xs[0].sampleShape}]`);
      }
      this.checkInputDTypes(xs.map((x) => x.dtype));
      this.build(xs.map((x) => [...x.sampleShape]));
      const node = new Node(this, xs, this.outShape, this.outputDType, this.outShapes.slice(1));
      this.nodeAdded(node);
      node.output.mask = this.computeMask(node);
      this.inboundNodes.push(node);
      return node.outputs.length > 1 ? (node.outputs as SymbolicTensor[] as unknown as SymbolicTensor) : node.output;
    }
    if (!eagerRunner) throw new Error(`${this.name}.apply: the model module is not loaded`);
    const ts = list.map((t, i) => toTensor(t as TensorLike, `${this.name}.apply: input ${i}`));
    return eagerRunner(this, ts, kwargs?.training ?? false) as Tensor;
  }

  /** A new use of the layer, built, before it joins the graph: layers that need their surroundings check them here. */
  protected nodeAdded(_node: Node): void {}

  /**
   * Whether the layer passes a mask on (TF.js's `supportsMasking`). By default the single-input
   * layers TF.js marks so carry their input's mask unchanged; every other layer drops it, as
   * TF.js's executor does for a layer without `supportsMasking`.
   */
  get supportsMasking(): boolean {
    return MASK_CARRIERS.has(this.className);
  }

  /** The mask of this node's output (a mask-producing node, or null): TF.js's `computeMask`. */
  computeMask(node: Node): Node | null {
    const masked = node.inputs.filter((t) => t.mask !== null);
    if (masked.length === 0) return null;
    // TF.js's merge layers AND their inputs' masks; simdnet does not, so it refuses rather than differ.
    if (node.inputs.length > 1) throw new Error(`${this.name}: an input carries a mask (from ${masked[0].mask!.layer.name}, maskZero) and ${this.className} layers do not combine masks in simdnet; apply the mask before the merge (a recurrent layer without returnSequences ends it)`);
    return this.supportsMasking ? node.inputs[0].mask : null;
  }

  /** Layers that compute on floats refuse int32 inputs (token ids go to an embedding). */
  protected checkInputDTypes(dtypes: ModelDType[]): void {
    if (dtypes.some((d) => d !== 'float32')) throw new Error(`${this.name}: expects float32 inputs, got ${dtypes.join(', ')}`);
  }

  // ------------------------------------------------------------ kernels

  /** Scratch bytes this layer's kernels need for a batch of `capacity` samples. */
  workspaceBytes(_capacity: number): number {
    return 0;
  }

  /** Flatten / reshape: the output is the input buffer itself. */
  get aliasesInput(): boolean {
    return false;
  }

  /** Allocate what the layer saves for backward, beyond its output (which the planner gives). */
  bindExtra(_c: NodeCtx, _p: Planner, _capacity: number): void {}

  /** Overwrite y for the first n samples. */
  abstract forward(c: NodeCtx, n: number, training: boolean): void;
  /** Accumulate into dx (when non-zero) and into parameter gradients (when non-zero), from dy. */
  abstract backward(c: NodeCtx, n: number): void;

  /** Where a fused loss can take over the output activation, if this layer ends in one. */
  head(_c: NodeCtx): Head | null {
    return null;
  }

  /** The options that recreate this layer (TF.js names). */
  getConfig(): Record<string, unknown> {
    return { name: this.name, trainable: this.trainable, ...(this.inputShape ? { batchInputShape: [null, ...this.inputShape] } : {}) };
  }

  countParams(): number {
    return this.params.reduce((s, p) => s + p.size, 0);
  }
}

/** TF.js's single-input layers with `supportsMasking` that carry the mask over unchanged. */
const MASK_CARRIERS: ReadonlySet<string> = new Set(['Dense', 'Dropout', 'SpatialDropout1D', 'Activation', 'Masking', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'BatchNormalization', 'LayerNormalization', 'ReLU', 'PReLU', 'TimeDistributed']);

function currentBackendOrNull(): Backend | null {
  try {
    return backend();
  } catch {
    return null;
  }
}

export function checkWeightShapes(layer: Layer, ts: Tensor[], who: string): void {
  ts.forEach((t, i) => {
    const p = layer.params[i];
    if (t.size !== p.size || (t.shape.length > 1 && !sameShape(t.shape, p.shape))) {
      throw new Error(`${who}: ${layer.name}/${p.name} expects shape [${p.shape}], got [${t.shape}]`);
    }
    for (let j = 0; j < t.values.length; j++) {
      if (!Number.isFinite(t.values[j])) throw new Error(`${who}: ${layer.name}/${p.name} has a non-finite value (${t.values[j]}) at index ${j}`);
    }
  });
}

export function fmtShapes(shapes: number[][]): string {
  return shapes.length === 1 ? `[${shapes[0]}]` : shapes.map((s) => `[${s}]`).join(', ');
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function checkShape(shape: unknown, what: string): asserts shape is number[] {
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new Error(`${what}: expected a list of positive integers, got ${describe(shape)}`);
  }
  checkSampleSize(shape, what);
}

/** One sample must fit in wasm memory (4 GiB): at most 2^30 float32 values. */
export const MAX_SAMPLE_VALUES = 2 ** 30;
export function checkSampleSize(shape: readonly number[], what: string): void {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n > MAX_SAMPLE_VALUES) throw new Error(`${what}: shape [${shape}] holds ${n} values per sample, more than fit in wasm memory (at most ${MAX_SAMPLE_VALUES})`);
}

export function positiveInt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`${what}: expected a positive integer, got ${describe(v)}`);
  return v;
}
