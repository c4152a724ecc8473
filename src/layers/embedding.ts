/**
 * Embedding: token ids [..., ] → rows of the table `embeddings` [inputDim, outputDim] (TF.js /
 * Keras name and layout). Forward is a gather in wasm, backward a scatter-add into the table's
 * gradient in wasm (assembly/embedding.ts); the ids get no gradient.
 *
 * Ids come from an int32 model input (`input({ shape, dtype: 'int32' })`) or a float32 one (a
 * Sequential's first layer, whose input is float32): either way each id must be an integer in
 * [0, inputDim). The forward kernel reports the first one that is not, before anything reads the
 * layer's output, and this layer throws naming the id and its position (TF.js's cpu backend
 * throws as well; it silently truncates fractional float ids, which simdnet refuses).
 *
 * maskZero: true (Keras / TF.js): id 0 is padding. The layer then also writes a mask [batch, ...ids
 * shape] (1 where id ≠ 0, one wasm call, rnn_mask_f32) into a plan buffer that travels with its
 * output (SymbolicTensor.mask) through the layers that carry masks to the recurrent layers, which
 * skip the masked steps. Id 0 still looks up row 0 of the table, as in Keras.
 */
import { getInitializer, type Initializer } from '../initializers/index.ts';
import { getRegularizer, type Regularizer } from '../regularizers/index.ts';
import { backend } from '../wasm/loader.ts';
import { type ModelDType, checkBoolean, describe, shapeSize } from '../tensor.ts';
import { positiveInt, requireOptions } from './activation.ts';
import { Layer, type LayerArgs, type NodeCtx, type Param } from './layer.ts';
import type { Node } from '../engine/symbolic.ts';

export interface EmbeddingArgs extends LayerArgs {
  /** Size of the vocabulary: ids are in [0, inputDim). */
  inputDim: number;
  /** Width of each embedding row. */
  outputDim: number;
  /** Length of the id sequences (a list for ids of rank > 1); sets inputShape when that is not given. */
  inputLength?: number | number[];
  /** Id 0 is padding: the output carries a mask that recurrent layers skip (see the module comment). */
  maskZero?: boolean;
  embeddingsInitializer?: string | Initializer;
  embeddingsRegularizer?: string | Regularizer;
  /** Not supported: only null / undefined pass (TF.js writes null). */
  embeddingsConstraint?: null;
  activityRegularizer?: null;
}

/** An initializer or regularizer as TF.js serialises it: { className, config }. */
function serializable(v: Initializer | Regularizer | null): { className: string; config: Record<string, unknown> } | null {
  if (!v) return null;
  if ('getConfig' in v) return { className: v.className, config: v.getConfig() };
  return { className: v.className, config: { l1: v.l1, l2: v.l2 } };
}

export class Embedding extends Layer {
  readonly className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly inputLength: number[] | null;
  readonly maskZero: boolean;
  private readonly init: Initializer;
  private readonly reg: Regularizer | null;
  embeddings: Param | null = null;

  constructor(args: EmbeddingArgs) {
    requireOptions(args, 'embedding');
    const len = args.inputLength;
    const lengths = len === undefined || len === null ? null : Array.isArray(len) ? len : [len];
    // TF.js: without inputShape / batchInputShape, inputLength is the sample shape.
    const base: LayerArgs = { ...args };
    if (lengths && args.inputShape === undefined && args.batchInputShape === undefined) base.inputShape = [...lengths];
    super(base, 'embedding');
    this.inputDim = positiveInt(args.inputDim, `${this.name}: inputDim`);
    this.outputDim = positiveInt(args.outputDim, `${this.name}: outputDim`);
    if (lengths) {
      if (lengths.length === 0) throw new Error(`${this.name}: inputLength must be a positive integer or a list of them, got []`);
      lengths.forEach((l, i) => positiveInt(l, `${this.name}: inputLength${Array.isArray(len) ? `[${i}]` : ''}`));
    }
    this.inputLength = lengths ? [...lengths] : null;
    this.maskZero = args.maskZero === undefined || args.maskZero === null ? false : checkBoolean(args.maskZero, `${this.name}: maskZero`);
    for (const key of ['embeddingsConstraint', 'activityRegularizer'] as const) {
      if (args[key] !== undefined && args[key] !== null) throw new Error(`${this.name}: ${key} is not supported, got ${describe(args[key])}`);
    }
    this.init = getInitializer(args.embeddingsInitializer, 'randomUniform', `${this.name}: embeddingsInitializer`);
    this.reg = getRegularizer(args.embeddingsRegularizer, `${this.name}: embeddingsRegularizer`);
  }

  /**
   * The dtype a model input feeding this layer should have (a Sequential whose first layer this
   * is can create its input with it, so int32 id tensors are accepted as in TF.js).
   */
  get inputDType(): ModelDType {
    return 'int32';
  }

  /** TF.js: supportsMasking = maskZero. */
  get supportsMasking(): boolean {
    return this.maskZero;
  }
  /** With maskZero, this node makes its output's mask (from its own ids); a mask coming in is dropped. */
  computeMask(node: Node): Node | null {
    return this.maskZero ? node : null;
  }

  /** Ids may be int32 (token inputs) or float32 holding integers. */
  protected checkInputDTypes(_dtypes: ModelDType[]): void {}

  protected computeOutputShape(inShape: number[]): number[] {
    if (this.inputLength) {
      const ok = this.inputLength.length === inShape.length && this.inputLength.every((l, i) => l === inShape[i]);
      if (!ok) throw new Error(`${this.name}: inputLength is [${this.inputLength}], but the input's sample shape is [${inShape}]`);
    }
    this.embeddings = this.addParam({ name: 'embeddings', shape: [this.inputDim, this.outputDim], init: this.init, regularizer: this.reg, fanIn: this.inputDim, fanOut: this.outputDim });
    return [...inShape, this.outputDim];
  }

  /** Whether this node's ids are float32 (else int32). */
  private idsF32(c: NodeCtx): number {
    return c.node.inputs[0].dtype === 'float32' ? 1 : 0;
  }

  forward(c: NodeCtx, n: number): void {
    const count = n * shapeSize(this.inShape);
    const f32 = this.idsF32(c);
    const bad = c.k.embedding_forward_f32(c.y, c.x, c.w[0], count, this.inputDim, this.outputDim, f32);
    if (bad >= 0) {
      const { arena } = backend();
      const id = f32 ? arena.f32[(c.x >>> 2) + bad] : arena.i32[(c.x >>> 2) + bad];
      const per = shapeSize(this.inShape);
      const sample = Math.floor(bad / per);
      const at = unravel(bad % per, this.inShape);
      throw new Error(`${this.name}: token id ${id} (sample ${sample}, position [${at}]) is ${Number.isInteger(id) ? 'outside' : 'not an integer in'} [0, ${this.inputDim}) (inputDim = ${this.inputDim})`);
    }
    if (c.maskOut) c.k.rnn_mask_f32(c.maskOut, c.x, count, f32);
  }

  backward(c: NodeCtx, n: number): void {
    if (!c.dw[0]) return;
    c.k.embedding_backward_f32(c.dw[0], c.dy, c.x, n * shapeSize(this.inShape), this.inputDim, this.outputDim, this.idsF32(c));
  }

  getConfig(): Record<string, unknown> {
    return {
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      embeddingsInitializer: serializable(this.init),
      embeddingsRegularizer: serializable(this.reg),
      activityRegularizer: null,
      embeddingsConstraint: null,
      maskZero: this.maskZero,
      inputLength: this.inputLength === null ? null : this.inputLength.length === 1 ? this.inputLength[0] : [...this.inputLength],
      ...super.getConfig(),
    };
  }
}

/** Row-major coordinates of flat index i in shape. */
function unravel(i: number, shape: number[]): number[] {
  const at = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    at[k] = i % shape[k];
    i = Math.floor(i / shape[k]);
  }
  return at;
}
