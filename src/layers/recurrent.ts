/**
 * Recurrent layers with TF.js's names, options, defaults and weight layouts: SimpleRNN, LSTM,
 * GRU (reset_after = false, the variant TF.js implements, and reset_after = true, Keras's default,
 * which TF.js refuses). Kernel [in, G·units], recurrent kernel [units, G·units], bias [G·units]
 * (reset_after GRU: [2, G·units], input then recurrent bias, as Keras), gates side by side
 * (LSTM i, f, c, o; GRU z, r, h).
 * Each forward and backward pass over a whole batch of sequences is one wasm call
 * (assembly/recurrent.ts); the plan gives the layer its saved buffers: every step's gates, h and
 * (LSTM) c, in processing order.
 */
import { RNN_ACTIVATIONS, RNN_CELLS, RNN_FLAGS } from '../wasm/abi.ts';
import { backend } from '../wasm/loader.ts';
import { getInitializer, type Initializer } from '../initializers/index.ts';
import { getRegularizer, type Regularizer } from '../regularizers/index.ts';
import { checkBoolean, checkNumber, describe } from '../tensor.ts';
import { Layer, type LayerArgs, type NodeCtx, type Param, type Planner } from './layer.ts';
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
  /** Only false: simdnet's layers have one output. */
  returnState?: boolean;
  /** Process the sequence from its last step; with returnSequences the outputs come in that (reversed) order, as in Keras. */
  goBackwards?: boolean;
  /** Only false: the state starts at zero for every batch. */
  stateful?: boolean;
  /** Accepted for TF.js compatibility; no effect (the loop is one wasm call either way). */
  unroll?: boolean;
  /** Only 0 (TF.js's default). */
  dropout?: number;
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

abstract class Recurrent extends Layer {
  abstract readonly cell: keyof typeof RNN_CELLS;
  readonly units: number;
  readonly activation: RnnActivation;
  readonly recurrentActivation: RnnActivation;
  readonly useBias: boolean;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  readonly unroll: boolean;
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
    if (checkBoolean(args.returnState ?? false, `${this.name}: returnState`)) throw new Error(`${this.name}: returnState true is not supported (the layer has one output, the sequence or its last step)`);
    if (checkBoolean(args.stateful ?? false, `${this.name}: stateful`)) throw new Error(`${this.name}: stateful true is not supported (each batch starts from a zero state)`);
    for (const key of ['dropout', 'recurrentDropout'] as const) {
      const v = checkNumber(args[key] ?? 0, `${this.name}: ${key}`, { min: 0, max: 1 });
      if (v !== 0) throw new Error(`${this.name}: ${key} ${v} is not supported (only 0)`);
    }
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
   * units]; the reset_after GRU's third buffer holds every step's recurrent product [steps, batch, 3·units].
   */
  bindExtra(c: NodeCtx, p: Planner, capacity: number): void {
    const rows = capacity * this.steps;
    const third = this.cell === 'lstm' ? p.value(rows * this.units) : this.cell === 'gruResetAfter' ? p.value(rows * this.gates * this.units) : 0;
    c.saved = [p.value(rows * this.gates * this.units), p.value(rows * this.units), third];
  }

  forward(c: NodeCtx, n: number): void {
    const [g, hs, cs] = c.saved;
    c.k.rnn_forward_f32(c.y, g, hs, cs, c.x, c.w[0], c.w[1], c.w[2] ?? 0, c.ws, n, this.steps, this.inDim, this.units, RNN_CELLS[this.cell], RNN_ACTIVATIONS[this.activation], RNN_ACTIVATIONS[this.recurrentActivation], this.flags);
  }

  backward(c: NodeCtx, n: number): void {
    const [g, hs, cs] = c.saved;
    c.k.rnn_backward_f32(c.dx, c.dw[0], c.dw[1], c.dw[2] ?? 0, c.dy, c.x, c.w[0], c.w[1], g, hs, cs, c.ws, n, this.steps, this.inDim, this.units, RNN_CELLS[this.cell], RNN_ACTIVATIONS[this.activation], RNN_ACTIVATIONS[this.recurrentActivation], this.flags);
  }

  getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
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
      dropout: 0,
      recurrentDropout: 0,
      ...this.cellTail(),
      returnSequences: this.returnSequences,
      returnState: false,
      goBackwards: this.goBackwards,
      stateful: false,
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
