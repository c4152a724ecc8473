/**
 * Wrapper layers with TF.js's names, options and weight layouts (tfjs-layers wrappers.ts):
 *
 * - Bidirectional: a recurrent layer run over the sequence twice, forwards and backwards (a copy
 *   with goBackwards flipped), the two outputs merged (concat, sum, mul, ave). Its weights are
 *   the forward copy's then the backward copy's, named `forward_<inner>/kernel`, … under the
 *   wrapper, as TF.js names them (`bidirectional/forward_lstm/kernel`). Each direction is one
 *   rnn_forward_f32 / rnn_backward_f32 call (assembly/recurrent.ts); the merge runs the merge
 *   kernels (assembly/merge.ts) over pointer tables the plan writes once.
 * - TimeDistributed: an inner layer applied to every time step. The steps of n samples are
 *   n·steps samples of the inner layer laid out contiguously, so the inner layer's own kernels
 *   run once over all of them; its weights keep their names under the wrapper (`td/kernel`).
 *
 * The inner layer is built (its shapes fixed and its parameters declared) but never owns weights:
 * the wrapper declares the same parameters in its own block and hands their pointers to the inner
 * computation.
 */
import { RNN_ACTIVATIONS, RNN_CELLS, RNN_FLAGS } from '../wasm/abi.ts';
import { describe } from '../tensor.ts';
import type { Node } from '../engine/symbolic.ts';
import { Layer, type Head, type LayerArgs, NodeCtx, type Param, type Planner } from './layer.ts';
import { GRU, LSTM, SimpleRNN } from './recurrent.ts';
import { Embedding } from './embedding.ts';
import { InputLayer } from './input.ts';

type RecurrentLayer = SimpleRNN | LSTM | GRU;
export type BidirectionalMergeMode = 'concat' | 'sum' | 'mul' | 'ave';
const MERGE_MODES: readonly BidirectionalMergeMode[] = ['concat', 'sum', 'mul', 'ave'];

export interface BidirectionalArgs extends LayerArgs {
  /** The recurrent layer (simpleRNN, lstm, gru) to run in both directions. */
  layer: Layer;
  /** How the two directions' outputs combine (default 'concat'). */
  mergeMode?: BidirectionalMergeMode;
  /** TF.js refuses initial weights here too; only undefined passes. */
  weights?: unknown;
}

/** The inner layer as a serialised TF.js config. */
function nested(layer: Layer): { className: string; config: Record<string, unknown> } {
  return { className: layer.className, config: layer.getConfig() };
}

type ParamDecl = Omit<Param, 'size' | 'ptr' | 'offset'>;

/** Declares `inner`'s parameters through `add`, names prefixed by `prefix/` (none when empty). */
function mirrorParams(inner: Layer, prefix: string, add: (p: ParamDecl) => void): void {
  for (const p of inner.params) add({ name: prefix ? `${prefix}/${p.name}` : p.name, shape: [...p.shape], init: p.init, regularizer: p.regularizer, fanIn: p.fanIn, fanOut: p.fanOut, ...(p.trainable === false ? { trainable: false } : {}) });
}

/** Saved-buffer slots of a Bidirectional node (c.saved). */
const S = { gF: 0, hF: 1, cF: 2, gB: 3, hB: 4, cB: 5, yF: 6, yB: 7, yBr: 8, ys: 9, dys: 10, widths: 11, dyF: 12, dyB: 13, dyBr: 14, dropF: 15, dropB: 17, flip: 19 } as const;

/** TF.js `layers.bidirectional`. */
export class Bidirectional extends Layer {
  readonly className = 'Bidirectional';
  readonly layer: RecurrentLayer;
  readonly mergeMode: BidirectionalMergeMode;
  /** Parameters per direction (kernel, recurrent kernel, bias when used). */
  private per = 0;
  /** Per node, one key per direction for the inner layer's dropout masks (each direction draws its own). */
  private readonly dropKeys = new WeakMap<NodeCtx, [object, object]>();

  constructor(args: BidirectionalArgs) {
    super(args, 'bidirectional');
    const inner = args.layer;
    if (!(inner instanceof SimpleRNN || inner instanceof LSTM || inner instanceof GRU)) {
      throw new Error(`${this.name}: layer must be a recurrent layer (layers.simpleRNN, layers.lstm or layers.gru), got ${inner instanceof Layer ? `${inner.name} (${inner.className})` : describe(inner)}`);
    }
    if (inner.stateful) throw new Error(`${this.name}: a stateful inner layer (${inner.name}) is not supported in a Bidirectional`);
    if (inner.returnState) throw new Error(`${this.name}: an inner layer with returnState (${inner.name}) is not supported in a Bidirectional`);
    this.layer = inner;
    const m = args.mergeMode === undefined ? 'concat' : args.mergeMode;
    if ((m as unknown) === null) throw new Error(`${this.name}: mergeMode null (the two directions as two outputs) is not supported; expected one of ${MERGE_MODES.join(', ')}`);
    if (!MERGE_MODES.includes(m)) throw new Error(`${this.name}: mergeMode must be one of ${MERGE_MODES.join(', ')}, got ${describe(m)}`);
    this.mergeMode = m;
    if (args.weights !== undefined) throw new Error(`${this.name}: weights are not supported for a Bidirectional layer (as in TF.js); set them with setWeights after the layer is built`);
  }

  get returnSequences(): boolean {
    return this.layer.returnSequences;
  }
  get supportsMasking(): boolean {
    return true;
  }
  /** Both directions skip the masked steps (the backward one reads the mask reversed, as TF.js). */
  computeMask(node: Node): Node | null {
    return this.layer.computeMask(node);
  }
  private get forwardName(): string {
    return `forward_${this.layer.name}`;
  }
  private get backwardName(): string {
    return `backward_${this.layer.name}`;
  }

  protected computeOutputShape(inShape: number[]): number[] {
    const inner = this.layer;
    inner.build([inShape]);
    this.per = inner.params.length;
    const add = (p: ParamDecl) => void this.addParam(p);
    mirrorParams(inner, this.forwardName, add);
    mirrorParams(inner, this.backwardName, add);
    const out = [...inner.outShape];
    if (this.mergeMode === 'concat') out[out.length - 1] *= 2;
    return out;
  }

  /** The inner layer's (one direction at a time: both need the same). */
  workspaceBytes(capacity: number): number {
    return this.layer.workspaceBytes(capacity);
  }

  bindExtra(c: NodeCtx, p: Planner, capacity: number): void {
    const inner = this.layer;
    const dir = new NodeCtx(c.k, c.node);
    const saved: number[] = [];
    const drops: number[] = [];
    for (let d = 0; d < 2; d++) {
      inner.bindExtra(dir, p, capacity);
      saved.push(dir.saved[0], dir.saved[1], dir.saved[2]);
      // The inner layer's dropout mask buffers (input, state) for this direction.
      drops.push(dir.saved[5], dir.saved[6]);
    }
    const size = capacity * inner.outSize;
    const yF = p.value(size);
    const yB = p.value(size);
    // With whole sequences, the backward direction's output comes in its processing order and is
    // reversed in time before the merge (as TF.js does), into its own buffer.
    const yBr = this.returnSequences ? p.value(size) : yB;
    const dyF = p.grad(size);
    const dyB = p.grad(size);
    const dyBr = this.returnSequences ? p.grad(size) : dyB;
    // permute_f32's table for the time reversal: [steps, units] read from the last step backwards.
    const flip = p.ints([inner.steps, inner.units, -inner.units, 1]);
    saved.push(yF, yB, yBr, p.ints([yF, yBr]), p.ints([dyF, dyBr]), p.ints([inner.units, inner.units]), dyF, dyB, dyBr, ...drops, flip);
    c.saved = saved;
    this.dropKeys.set(c, [{}, {}]);
  }

  /** Flags of direction d (0 forward, 1 the copy with goBackwards flipped). */
  private flags(d: number): number {
    const back = d === 1 ? !this.layer.goBackwards : this.layer.goBackwards;
    return (this.returnSequences ? RNN_FLAGS.returnSequences : 0) | (back ? RNN_FLAGS.goBackwards : 0);
  }

  /** Weight (or gradient) pointers of direction d: kernel, recurrent kernel, bias (0 when none). */
  private ptrs(list: number[], d: number): [number, number, number] {
    const o = d * this.per;
    return [list[o], list[o + 1], this.layer.useBias ? list[o + 2] : 0];
  }

  /**
   * dst[b, t] (op)= src[b, T−1−t] for every sample b < n: a time reversal of [n, T, units], in one
   * permute_f32 call that starts each sample at its last step and walks time with stride −units.
   */
  private reverse(c: NodeCtx, dst: number, src: number, n: number, accumulate: boolean): void {
    const T = this.layer.steps;
    const u = this.layer.units;
    c.k.permute_f32(dst, src + (T - 1) * u * 4, c.saved[S.flip], n, 2, T * u, accumulate ? 1 : 0);
  }

  forward(c: NodeCtx, n: number, training: boolean): void {
    const L = this.layer;
    const s = c.saved;
    const keys = this.dropKeys.get(c)!;
    const cell = RNN_CELLS[L.cell];
    const act = RNN_ACTIVATIONS[L.activation];
    const rec = RNN_ACTIVATIONS[L.recurrentActivation];
    for (let d = 0; d < 2; d++) {
      const [w, u, b] = this.ptrs(c.w, d);
      const o = d * 3;
      const at = d === 0 ? S.dropF : S.dropB;
      const [dx, dh] = L.drops.draw(keys[d], c.k, L, s[at], s[at + 1], n, training);
      c.k.rnn_forward_f32(d === 0 ? s[S.yF] : s[S.yB], s[o], s[o + 1], s[o + 2], c.x, w, u, b, c.mask, 0, 0, dx, dh, c.ws, n, L.steps, L.inDim, L.units, cell, act, rec, this.flags(d));
    }
    if (this.returnSequences) this.reverse(c, s[S.yBr], s[S.yB], n, false);
    const size = n * L.outSize;
    switch (this.mergeMode) {
      case 'concat':
        c.k.concat_forward_f32(c.y, s[S.ys], s[S.widths], 2, size / L.units, 2 * L.units);
        break;
      case 'sum':
        c.k.merge_sum_forward_f32(c.y, s[S.ys], 2, size, 1);
        break;
      case 'ave':
        c.k.merge_sum_forward_f32(c.y, s[S.ys], 2, size, 0.5);
        break;
      case 'mul':
        c.k.merge_mul_forward_f32(c.y, s[S.ys], 2, size);
        break;
    }
  }

  backward(c: NodeCtx, n: number): void {
    const L = this.layer;
    const s = c.saved;
    const size = n * L.outSize;
    switch (this.mergeMode) {
      case 'concat':
        c.k.concat_backward_f32(s[S.dys], c.dy, s[S.widths], 2, size / L.units, 2 * L.units);
        break;
      case 'sum':
        c.k.merge_sum_backward_f32(s[S.dys], c.dy, 2, size, 1);
        break;
      case 'ave':
        c.k.merge_sum_backward_f32(s[S.dys], c.dy, 2, size, 0.5);
        break;
      case 'mul':
        c.k.merge_mul_backward_f32(s[S.dys], c.dy, s[S.ys], 2, size);
        break;
    }
    if (this.returnSequences) this.reverse(c, s[S.dyB], s[S.dyBr], n, true);
    const cell = RNN_CELLS[L.cell];
    const act = RNN_ACTIVATIONS[L.activation];
    const rec = RNN_ACTIVATIONS[L.recurrentActivation];
    for (let d = 0; d < 2; d++) {
      const [w, u] = this.ptrs(c.w, d);
      const [dw, du, db] = this.ptrs(c.dw, d);
      const o = d * 3;
      const [mx, mh] = L.drops.used(this.dropKeys.get(c)![d]);
      c.k.rnn_backward_f32(c.dx, dw, du, db, d === 0 ? s[S.dyF] : s[S.dyB], c.x, w, u, c.mask, 0, 0, mx, mh, s[o], s[o + 1], s[o + 2], c.ws, n, L.steps, L.inDim, L.units, cell, act, rec, this.flags(d));
    }
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: nested(this.layer), mergeMode: this.mergeMode };
  }
}

export interface TimeDistributedArgs extends LayerArgs {
  /**
   * The layer applied to every time step: any one-input layer that treats each sample on its own
   * or over the batch (dense, conv, pooling, flatten, reshape, normalization, dropout, …).
   */
  layer: Layer;
}

/** TF.js `layers.timeDistributed`: the inner layer applied to each step of [batch, steps, ...]. */
export class TimeDistributed extends Layer {
  readonly className = 'TimeDistributed';
  readonly layer: Layer;
  /** The inner layer's context of each node of this layer (made at plan time, reused every step). */
  private readonly inner = new WeakMap<NodeCtx, NodeCtx>();

  constructor(args: TimeDistributedArgs) {
    super(args, 'time_distributed');
    const inner = args.layer;
    if (!(inner instanceof Layer)) throw new Error(`${this.name}: layer must be a layer (e.g. layers.dense({ units: 8 })), got ${describe(inner)}`);
    // Steps become samples of the inner layer: it must take one float tensor and keep no state
    // along the steps (a recurrent layer, a wrapper) or across calls.
    const refuse =
      inner.arity[1] !== 1 || inner instanceof InputLayer ? 'it does not take exactly one input'
      : inner instanceof Embedding ? 'it reads token ids: apply the embedding to the whole sequence instead'
      : inner instanceof SimpleRNN || inner instanceof LSTM || inner instanceof GRU || inner instanceof Bidirectional || inner instanceof TimeDistributed ? 'it runs over time itself'
      : null;
    if (refuse) throw new Error(`${this.name}: cannot apply ${inner.name} (${inner.className}) to every time step: ${refuse}`);
    this.layer = inner;
  }

  get steps(): number {
    return this.inShape[0];
  }
  /** An inner flatten / reshape needs no buffer of its own, and an inner dropout is gone at inference. */
  get aliasesInput(): boolean {
    return this.layer.aliasesInput;
  }
  get identityAtInference(): boolean {
    return (this.layer as { identityAtInference?: boolean }).identityAtInference === true;
  }

  protected computeOutputShape(inShape: number[]): number[] {
    if (inShape.length < 2) throw new Error(`${this.name}: expects inputs [batch, steps, ...] (a sample of rank 2 or more), got a sample of shape [${inShape}]`);
    const inner = this.layer;
    inner.build([inShape.slice(1)]);
    mirrorParams(inner, '', (p) => void this.addParam(p));
    return [inShape[0], ...inner.outShape];
  }

  workspaceBytes(capacity: number): number {
    return this.layer.workspaceBytes(capacity * this.steps);
  }

  bindExtra(c: NodeCtx, p: Planner, capacity: number): void {
    const ic = new NodeCtx(c.k, c.node);
    ic.xs = c.xs;
    ic.dxs = c.dxs;
    ic.y = c.y;
    ic.dy = c.dy;
    ic.ws = c.ws;
    ic.w = c.w;
    ic.dw = c.dw;
    this.layer.bindExtra(ic, p, capacity * this.steps);
    this.inner.set(c, ic);
  }

  private ctx(c: NodeCtx): NodeCtx {
    const ic = this.inner.get(c);
    if (!ic) throw new Error(`${this.name}: no plan for this node`);
    return ic;
  }

  forward(c: NodeCtx, n: number, training: boolean): void {
    this.layer.forward(this.ctx(c), n * this.steps, training);
  }

  backward(c: NodeCtx, n: number): void {
    this.layer.backward(this.ctx(c), n * this.steps);
  }

  /** An inner dense's softmax / sigmoid, for a fused loss: its pre-activations are this layer's rows. */
  head(c: NodeCtx): Head | null {
    return this.layer.head(this.ctx(c));
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), layer: nested(this.layer) };
  }
}
