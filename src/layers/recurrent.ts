/**
 * Recurrent layers with TF.js's names, options, defaults and weight layouts: SimpleRNN, LSTM,
 * GRU (reset_after = false, the variant TF.js implements, and reset_after = true, Keras's default,
 * which TF.js refuses). Kernel [in, G·units], recurrent kernel [units, G·units], bias [G·units]
 * (reset_after GRU: [2, G·units], input then recurrent bias, as Keras), gates side by side
 * (LSTM i, f, c, o; GRU z, r, h).
 * Each forward and backward pass over a whole batch of sequences is one wasm call
 * (assembly/recurrent.ts); the plan gives the layer its saved buffers: every step's gates, h and
 * (LSTM) c, in processing order.
 *
 * Masks (from `embedding({ maskZero: true })`) go into that call: masked steps keep the state, as
 * Keras does. The output's mask is the input's with returnSequences, else none (TF.js).
 * stateful: the layer owns its state [batch, units] (and the LSTM's c), one arena block made with
 * its weights and freed with them; each forward pass starts from it (copied into the plan, which
 * backward reads) and leaves its final state there. `resetStates()` zeros it.
 * dropout / recurrentDropout (active for rates strictly between 0 and 1, as in TF.js): in training
 * each forward pass draws one input mask [batch, in] and one state mask [batch, units] (0 or
 * 1/(1 − rate)) from the counter-based generator of assembly/dropout.ts (seeded from setSeed's
 * generator on first use), into plan buffers; the kernel applies them at every step, as Keras
 * does (assembly/recurrent.ts), and backward reads the same buffers. Outside training: none.
 */
import { RNN_ACTIVATIONS, RNN_CELLS, RNN_FLAGS } from '../wasm/abi.ts';
import { backend } from '../wasm/loader.ts';
import { getInitializer, type Initializer } from '../initializers/index.ts';
import { getRegularizer, type Regularizer } from '../regularizers/index.ts';
import { checkBoolean, checkNumber, describe } from '../tensor.ts';
import type { Node, SymbolicTensor } from '../engine/symbolic.ts';
import { Layer, type LayerArgs, type NodeCtx, type Param, type Planner, staleBackend } from './layer.ts';
import type { Backend } from '../wasm/loader.ts';
import type { Kernels } from '../wasm/abi.ts';
import { globalRandom } from '../random.ts';
import { positiveInt, requireOptions } from './activation.ts';

type RnnActivation = keyof typeof RNN_ACTIVATIONS;
const ACT_NAMES = Object.keys(RNN_ACTIVATIONS) as RnnActivation[];

export interface RecurrentArgs extends LayerArgs {
  units: number;
  activation?: string;
  useBias?: boolean;
  kernelInitializer?: string | Initializer;
  recurrentInitializer?: string | Initializer;
  biasInitializer?: string | Initializer;
  kernelRegularizer?: string | Regularizer;
  recurrentRegularizer?: string | Regularizer;
  biasRegularizer?: string | Regularizer;
  /** Whole sequence [steps, units] instead of the last step's [units]. */
  returnSequences?: boolean;
  /**
   * The final state as further outputs: `apply` returns [output, h] (LSTM: [output, h, c]), each
   * state [batch, units]; in a functional model they feed later layers or are model outputs.
   */
  returnState?: boolean;
  /** Process the sequence from its last step; with returnSequences the outputs come in that (reversed) order, as in Keras. */
  goBackwards?: boolean;
  /**
   * The final state of a batch is the initial state of the next (until resetStates()). Needs the
   * batch size: batchInputShape [batch, steps, features] on this layer or on one before it in a
   * chain (a Sequential's first layer), as TF.js reads it from the input's shape.
   */
  stateful?: boolean;
  /** Accepted for TF.js compatibility; no effect (the loop is one wasm call either way). */
  unroll?: boolean;
  /** Fraction of the inputs dropped in training, one mask per sequence (default 0). */
  dropout?: number;
  /** Fraction of the recurrent state dropped in training, one mask per sequence (default 0). */
  recurrentDropout?: number;
}
export interface GatedArgs extends RecurrentArgs {
  recurrentActivation?: string;
  /** Accepted for TF.js compatibility (1 or 2); no effect. */
  implementation?: number;
}
export interface LSTMArgs extends GatedArgs {
  /** Forget-gate bias initialised to 1 (the rest from biasInitializer). */
  unitForgetBias?: boolean;
}
export interface GRUArgs extends GatedArgs {
  /**
   * false (default, TF.js's GRU): the reset gate multiplies h before the recurrent product;
   * true (Keras's default): it multiplies the product h·U_h + b_rec,h, and the bias is [2, 3·units].
   */
  resetAfter?: boolean;
}

/** An initializer or regularizer as TF.js serialises it. */
function serializable(v: Initializer | Regularizer | null | undefined): { className: string; config: Record<string, unknown> } | null {
  if (!v) return null;
  if ('getConfig' in v) return { className: v.className, config: v.getConfig() };
  return { className: v.className, config: { l1: v.l1, l2: v.l2 } };
}

function rnnActivation(v: unknown, fallback: RnnActivation, what: string): RnnActivation {
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !ACT_NAMES.includes(v as RnnActivation)) {
    throw new Error(`${what}: expected one of ${ACT_NAMES.join(', ')} (activations whose derivative follows from their output), got ${describe(v)}`);
  }
  return v as RnnActivation;
}

/** TF.js's forget-bias initializer: [init(units), ones(units), init(2·units)]. */
function unitForgetBias(base: Initializer, units: number): Initializer {
  return {
    className: base.className,
    getConfig: () => base.getConfig(),
    fill(out, fanIn, fanOut) {
      const a = new Float32Array(units);
      base.fill(a, fanIn, fanOut, [units]);
      const c = new Float32Array(2 * units);
      base.fill(c, fanIn, fanOut, [2 * units]);
      out.set(a, 0);
      out.fill(1, units, 2 * units);
      out.set(c, 2 * units);
    },
  };
}

/** TF.js applies a recurrent layer's dropout only for rates strictly between 0 and 1. */
function activeRate(rate: number): boolean {
  return rate > 0 && rate < 1;
}

/**
 * A recurrent layer's dropout masks (Keras: one per sequence). Each training forward draws them
 * at a new counter step into the plan's buffers (fill with 1, then the dropout kernel in place:
 * 0 or TF.js's float32 1/(1 − rate)); backward reads the ones its node's forward used.
 */
export class SequenceDropout {
  private seed: number | null = null;
  private step = 0;
  private readonly last = new WeakMap<object, [number, number]>();

  /** The masks for this pass ([input, state] pointers, 0 when inactive), drawn when training. */
  draw(key: object, k: Kernels, l: { dropout: number; recurrentDropout: number; inDim: number; units: number }, bx: number, bh: number, n: number, training: boolean): [number, number] {
    const px = training && bx ? bx : 0;
    const ph = training && bh ? bh : 0;
    if (px || ph) {
      this.seed ??= globalRandom.nextU32();
      const step = this.step;
      this.step = (this.step + 2) >>> 0;
      if (px) fillMask(k, px, n, l.inDim, l.dropout, this.seed, step);
      if (ph) fillMask(k, ph, n, l.units, l.recurrentDropout, this.seed, step + 1);
    }
    this.last.set(key, [px, ph]);
    return [px, ph];
  }

  used(key: object): [number, number] {
    return this.last.get(key) ?? [0, 0];
  }
}

function fillMask(k: Kernels, ptr: number, n: number, width: number, rate: number, seed: number, step: number): void {
  const threshold = Math.min(2 ** 32 - 1, Math.round(rate * 2 ** 32)) | 0;
  const scale = Math.fround(1 / Math.fround(1 - rate));
  k.fill_f32(ptr, n * width, 1);
  k.dropout_forward_f32(ptr, ptr, n * width, 1, width, threshold, scale, seed | 0, step | 0);
}

abstract class Recurrent extends Layer {
  abstract readonly cell: keyof typeof RNN_CELLS;
  readonly units: number;
  readonly activation: RnnActivation;
  readonly recurrentActivation: RnnActivation;
  readonly useBias: boolean;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly unroll: boolean;
  readonly stateful: boolean;
  /** The fixed batch size of a stateful layer (its or an earlier layer's batchInputShape[0]); null otherwise. */
  private batch: number | null;
  readonly dropout: number;
  readonly recurrentDropout: number;
  /** Dropout's masks: drawn per training forward; the pointers each node's last forward used. */
  readonly drops = new SequenceDropout();
  /** A stateful layer's h [batch, units], then (LSTM) c [batch, units]: one arena block. */
  private stateBlock: { be: Backend; ptr: number; floats: number } | null = null;
  kernel!: Param;
  recurrentKernel!: Param;
  bias: Param | null = null;
  protected readonly inits: { kernel: Initializer; recurrent: Initializer; bias: Initializer; kernelReg: Regularizer | null; recurrentReg: Regularizer | null; biasReg: Regularizer | null };

  constructor(args: GatedArgs, defaultName: string, gated: boolean) {
    super(requireOptions(args, defaultName), defaultName);
    this.units = positiveInt(args.units, `${this.name}: units`);
    this.activation = rnnActivation(args.activation, 'tanh', `${this.name}: activation`);
    this.recurrentActivation = gated ? rnnActivation(args.recurrentActivation, 'hardSigmoid', `${this.name}: recurrentActivation`) : 'linear';
    this.useBias = checkBoolean(args.useBias ?? true, `${this.name}: useBias`);
    this.returnSequences = checkBoolean(args.returnSequences ?? false, `${this.name}: returnSequences`);
    this.goBackwards = checkBoolean(args.goBackwards ?? false, `${this.name}: goBackwards`);
    this.unroll = checkBoolean(args.unroll ?? false, `${this.name}: unroll`);
    this.returnState = checkBoolean(args.returnState ?? false, `${this.name}: returnState`);
    this.stateful = checkBoolean(args.stateful ?? false, `${this.name}: stateful`);
    this.batch = this.stateful ? this.givenBatch : null;
    this.dropout = checkNumber(args.dropout ?? 0, `${this.name}: dropout`, { min: 0, max: 1 });
    this.recurrentDropout = checkNumber(args.recurrentDropout ?? 0, `${this.name}: recurrentDropout`, { min: 0, max: 1 });
    if (args.implementation !== undefined) checkNumber(args.implementation, `${this.name}: implementation`, { min: 0, max: 2, integer: true });
    this.inits = {
      kernel: getInitializer(args.kernelInitializer, 'glorotNormal', `${this.name}: kernelInitializer`),
      recurrent: getInitializer(args.recurrentInitializer, 'orthogonal', `${this.name}: recurrentInitializer`),
      bias: getInitializer(args.biasInitializer, 'zeros', `${this.name}: biasInitializer`),
      kernelReg: getRegularizer(args.kernelRegularizer, `${this.name}: kernelRegularizer`),
      recurrentReg: getRegularizer(args.recurrentRegularizer, `${this.name}: recurrentRegularizer`),
      biasReg: getRegularizer(args.biasRegularizer, `${this.name}: biasRegularizer`),
    };
  }

  get batchSize(): number | null {
    return this.batch;
  }

  /** A stateful layer without its own batch size takes the nearest one upstream along a chain. */
  protected nodeAdded(node: Node): void {
    if (!this.stateful || this.batch !== null) return;
    let t: SymbolicTensor | undefined = node.inputs[0];
    while (t) {
      const l: Layer = t.node.layer;
      const b = l instanceof Recurrent ? l.batchSize : l.givenBatch;
      if (b !== null) {
        this.batch = b;
        return;
      }
      t = t.node.inputs.length === 1 ? t.node.inputs[0] : undefined;
    }
    throw new Error(`${this.name}: a stateful layer needs to know its batch size: give it (or the first layer of its Sequential) batchInputShape [batch, steps, features] with a number first`);
  }

  get supportsMasking(): boolean {
    return true;
  }
  /** TF.js: the input's mask with returnSequences, else none. The mask must be [steps]. */
  computeMask(node: Node): Node | null {
    const m = node.inputs[0].mask;
    if (!m) return null;
    const ms = m.layer.inShape;
    if (ms.length !== 1 || ms[0] !== this.steps) throw new Error(`${this.name}: the mask from ${m.layer.name} has sample shape [${ms}], expected [${this.steps}] (one entry per time step)`);
    return this.returnSequences ? m : null;
  }

  get gates(): number {
    return this.cell === 'lstm' ? 4 : this.cell === 'gru' || this.cell === 'gruResetAfter' ? 3 : 1;
  }
  get steps(): number {
    return this.inShape[0];
  }
  get inDim(): number {
    return this.inShape[1];
  }
  protected biasInit(): Initializer {
    return this.inits.bias;
  }

  protected computeOutputShape(inShape: number[]): number[] {
    if (inShape.length !== 2) throw new Error(`${this.name}: expects inputs [batch, steps, features] (a sample of rank 2), got a sample of shape [${inShape}]`);
    const [, inDim] = inShape;
    const gu = this.gates * this.units;
    const i = this.inits;
    this.kernel = this.addParam({ name: 'kernel', shape: [inDim, gu], init: i.kernel, regularizer: i.kernelReg, fanIn: inDim, fanOut: gu });
    this.recurrentKernel = this.addParam({ name: 'recurrent_kernel', shape: [this.units, gu], init: i.recurrent, regularizer: i.recurrentReg, fanIn: this.units, fanOut: gu });
    // Keras's reset_after GRU keeps two bias rows: the input side's and the recurrent side's.
    const biasShape = this.cell === 'gruResetAfter' ? [2, gu] : [gu];
    if (this.useBias) this.bias = this.addParam({ name: 'bias', shape: biasShape, init: this.biasInit(), regularizer: i.biasReg, fanIn: inDim, fanOut: gu });
    return this.returnSequences ? [inShape[0], this.units] : [this.units];
  }

  /** The output, then with returnState the final h and (LSTM) c, [units] each. */
  get outShapes(): number[][] {
    return [this.outShape, ...Array.from({ length: this.returnState ? this.stateCount : 0 }, () => [this.units])];
  }
  outputCount(): number {
    return this.returnState ? 1 + this.stateCount : 1;
  }
  /** States per sequence: h, and the LSTM's c. */
  private get stateCount(): number {
    return this.cell === 'lstm' ? 2 : 1;
  }

  /** The kernels' flags: returnSequences, goBackwards. */
  private get flags(): number {
    return (this.returnSequences ? RNN_FLAGS.returnSequences : 0) | (this.goBackwards ? RNN_FLAGS.goBackwards : 0);
  }

  workspaceBytes(capacity: number): number {
    const bytes = backend().kernels.rnn_workspace_bytes(capacity, this.steps, this.inDim, this.units, RNN_CELLS[this.cell]);
    if (!(bytes > 0) && capacity > 0) throw new Error(`${this.name}: a batch of ${capacity} sequences of ${this.steps} steps needs more workspace than wasm memory holds`);
    return bytes;
  }

  /**
   * Saved for backward: every step's gates [steps, batch, G·units], h and (LSTM) c [steps, batch,
   * units]; the reset_after GRU's third buffer holds every step's recurrent product [steps, batch,
   * 3·units], the GRU's its backward's r ⊙ h_{s−1} [steps, batch, units] (for dU after BPTT).
   */
  bindExtra(c: NodeCtx, p: Planner, capacity: number): void {
    const rows = capacity * this.steps;
    const third = this.cell === 'gruResetAfter' ? p.value(rows * this.gates * this.units) : this.cell === 'simpleRNN' ? 0 : p.value(rows * this.units);
    c.saved = [p.value(rows * this.gates * this.units), p.value(rows * this.units), third];
    // A stateful layer's initial state for this pass (backward reads it after forward moved the state on).
    const st = this.stateful;
    c.saved.push(st ? p.value(capacity * this.units) : 0, st && this.cell === 'lstm' ? p.value(capacity * this.units) : 0);
    // Dropout's masks for this pass: [batch, in] and [batch, units].
    c.saved.push(activeRate(this.dropout) ? p.value(capacity * this.inDim) : 0, activeRate(this.recurrentDropout) ? p.value(capacity * this.units) : 0);
    // returnState, training: y's gradient with the states' behind it, as the kernel reads them
    // (flag stateGrads); a gradient-region buffer, so inference plans take nothing.
    c.saved.push(this.returnState ? p.grad(capacity * (this.outSize + this.stateCount * this.units)) : 0);
  }

  /** Floats of the state: h, and the LSTM's c. */
  private get stateFloats(): number {
    return (this.cell === 'lstm' ? 2 : 1) * this.batchSize! * this.units;
  }

  /** The weights, and a stateful layer's state block (zeros) next to them. */
  ensureWeights(skipInit?: ReadonlySet<Param>): void {
    super.ensureWeights(skipInit);
    if (!this.stateful) return;
    const be = backend();
    if (this.stateBlock) {
      if (this.stateBlock.be !== be) throw staleBackend(`layer ${this.name}`);
      return;
    }
    const floats = this.stateFloats;
    const ptr = be.arena.alloc(floats * 4);
    be.arena.f32.fill(0, ptr >>> 2, (ptr >>> 2) + floats);
    this.stateBlock = { be, ptr, floats };
  }

  unretain(retained: boolean, hadWeights: boolean): void {
    super.unretain(retained, hadWeights);
    // A failed build that made the weights also made the state: both go.
    if (!hadWeights && this.weightPtr === 0) this.freeState();
  }

  private freeState(): void {
    const st = this.stateBlock;
    this.stateBlock = null;
    try {
      if (st && st.be === backend()) st.be.arena.free(st.ptr, st.floats * 4);
    } catch {
      // No backend any more: nothing to free.
    }
  }

  dispose(): void {
    super.dispose();
    this.freeState();
  }


  /** TF.js `layer.resetStates()`: a stateful layer's state back to zeros. */
  resetStates(states?: unknown): void {
    if (states !== undefined) throw new Error(`${this.name}.resetStates: setting the states to given values is not supported; call it without arguments to zero them, got ${describe(states)}`);
    if (!this.stateful) throw new Error(`${this.name}.resetStates: the layer is not stateful (create it with stateful: true)`);
    const st = this.stateBlock;
    if (!st) return;
    if (st.be !== backend()) throw staleBackend(`layer ${this.name}`);
    st.be.kernels.fill_f32(st.ptr, st.floats, 0);
  }

  /** The state as tensors ([h] or [h, c], [batch, units] each; TF.js's `layer.states`), null when not stateful. */
  getStates(): Float32Array[] | null {
    const st = this.stateBlock;
    if (!this.stateful) return null;
    const size = this.batchSize! * this.units;
    const count = this.cell === 'lstm' ? 2 : 1;
    if (!st) return Array.from({ length: count }, () => new Float32Array(size));
    const f32 = st.be.arena.f32;
    return Array.from({ length: count }, (_, i) => f32.slice((st.ptr >>> 2) + i * size, (st.ptr >>> 2) + (i + 1) * size));
  }

  forward(c: NodeCtx, n: number, training: boolean): void {
    const [g, hs, cs, h0, c0, bx, bh] = c.saved;
    const [dx, dh] = this.drops.draw(c, c.k, this, bx, bh, n, training);
    const st = this.stateBlock;
    const size = n * this.units;
    if (this.stateful) {
      if (n !== this.batchSize) throw new Error(`${this.name}: stateful with batch size ${this.batchSize} (batchInputShape), got a batch of ${n} samples; feed batches of exactly ${this.batchSize}`);
      if (!st) throw new Error(`${this.name}: the state is not allocated (the layer's weights were never made)`);
      c.k.copy_f32(h0, st.ptr, size);
      if (c0) c.k.copy_f32(c0, st.ptr + size * 4, size);
    }
    c.k.rnn_forward_f32(c.y, g, hs, cs, c.x, c.w[0], c.w[1], c.w[2] ?? 0, c.mask, h0, c0, dx, dh, c.ws, n, this.steps, this.inDim, this.units, RNN_CELLS[this.cell], RNN_ACTIVATIONS[this.activation], RNN_ACTIVATIONS[this.recurrentActivation], this.flags);
    // The final state is the last processed step's (a masked step holds the carried state).
    const last = (this.steps - 1) * size * 4;
    if (st) {
      // It is the next batch's start.
      c.k.copy_f32(st.ptr, hs + last, size);
      if (c0) c.k.copy_f32(st.ptr + size * 4, cs + last, size);
    }
    if (this.returnState) {
      c.k.copy_f32(c.ys[1], hs + last, size);
      if (this.cell === 'lstm') c.k.copy_f32(c.ys[2], cs + last, size);
    }
  }

  backward(c: NodeCtx, n: number): void {
    const [g, hs, cs, h0, c0, , , packed] = c.saved;
    const [dx, dh] = this.drops.used(c);
    let dy = c.dy;
    let flags = this.flags;
    if (packed) {
      // [dy | dh_T | dc_T] for n samples: the kernel starts BPTT from the states' gradients.
      const yFloats = n * this.outSize;
      const size = n * this.units;
      c.k.copy_f32(packed, c.dy, yFloats);
      for (let i = 1; i < c.dys.length; i++) c.k.copy_f32(packed + (yFloats + (i - 1) * size) * 4, c.dys[i], size);
      dy = packed;
      flags |= RNN_FLAGS.stateGrads;
    }
    c.k.rnn_backward_f32(c.dx, c.dw[0], c.dw[1], c.dw[2] ?? 0, dy, c.x, c.w[0], c.w[1], c.mask, h0, c0, dx, dh, g, hs, cs, c.ws, n, this.steps, this.inDim, this.units, RNN_CELLS[this.cell], RNN_ACTIVATIONS[this.activation], RNN_ACTIVATIONS[this.recurrentActivation], flags);
  }

  getConfig(): Record<string, unknown> {
    const base = super.getConfig();
    // A stateful layer's batch size is part of its shape (TF.js writes it there too).
    if (this.stateful && this.inputShape) base.batchInputShape = [this.batchSize, ...this.inputShape];
    return {
      ...base,
      units: this.units,
      activation: this.activation,
      ...(this.cell === 'simpleRNN' ? {} : { recurrentActivation: this.recurrentActivation }),
      useBias: this.useBias,
      kernelInitializer: serializable(this.inits.kernel),
      recurrentInitializer: serializable(this.inits.recurrent),
      biasInitializer: serializable(this.inits.bias),
      ...this.cellConfig(),
      kernelRegularizer: serializable(this.inits.kernelReg),
      recurrentRegularizer: serializable(this.inits.recurrentReg),
      biasRegularizer: serializable(this.inits.biasReg),
      activityRegularizer: null,
      kernelConstraint: null,
      recurrentConstraint: null,
      biasConstraint: null,
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      ...this.cellTail(),
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: this.stateful,
      unroll: this.unroll,
    };
  }
  protected cellConfig(): Record<string, unknown> {
    return {};
  }
  protected cellTail(): Record<string, unknown> {
    return {};
  }
}

/** TF.js `layers.simpleRNN`: h_t = act(x_t·W + h_{t−1}·U + b). */
export class SimpleRNN extends Recurrent {
  readonly className = 'SimpleRNN';
  readonly cell = 'simpleRNN' as const;
  constructor(args: RecurrentArgs) {
    super(args as GatedArgs, 'simple_rnn', false);
  }
}

/** TF.js `layers.lstm`: gates i, f, c, o; c_t = f·c_{t−1} + i·act(c̃); h_t = o·act(c_t). */
export class LSTM extends Recurrent {
  readonly className = 'LSTM';
  readonly cell = 'lstm' as const;
  readonly unitForgetBias: boolean;
  private readonly implementation: number | null;
  constructor(args: LSTMArgs) {
    super(args, 'lstm', true);
    this.unitForgetBias = checkBoolean(args.unitForgetBias ?? false, `${this.name}: unitForgetBias`);
    this.implementation = args.implementation ?? null;
  }
  protected biasInit(): Initializer {
    return this.unitForgetBias ? unitForgetBias(this.inits.bias, this.units) : this.inits.bias;
  }
  protected cellConfig(): Record<string, unknown> {
    return { unitForgetBias: this.unitForgetBias };
  }
  protected cellTail(): Record<string, unknown> {
    return { implementation: this.implementation };
  }
}

/**
 * TF.js `layers.gru` (reset_after = false): z, r = recAct(x·W + h·U + b) on their columns,
 * h̃ = act(x·W_h + (r·h_{t−1})·U_h + b_h), h_t = z·h_{t−1} + (1 − z)·h̃.
 * With resetAfter (Keras's default GRU, keras/src/layers/rnn/gru.py), bias [2, 3·units] = [b_in; b_rec]:
 * z, r = recAct(x·W + b_in + h·U + b_rec) on their columns,
 * h̃ = act(x·W_h + b_in,h + r·(h_{t−1}·U_h + b_rec,h)), h_t = z·h_{t−1} + (1 − z)·h̃.
 */
export class GRU extends Recurrent {
  readonly className = 'GRU';
  readonly cell: 'gru' | 'gruResetAfter';
  readonly resetAfter: boolean;
  private readonly implementation: number | null;
  constructor(args: GRUArgs) {
    super(args, 'gru', true);
    this.resetAfter = checkBoolean(args.resetAfter ?? false, `${this.name}: resetAfter`);
    this.cell = this.resetAfter ? 'gruResetAfter' : 'gru';
    this.implementation = args.implementation ?? null;
  }
  protected cellTail(): Record<string, unknown> {
    return { implementation: this.implementation, resetAfter: this.resetAfter };
  }
}
