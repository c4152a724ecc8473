/**
 * The memory plan of one model for batches of up to `capacity` samples: every value (layer
 * output), its gradient, what layers save for backward, the staged inputs and labels, and one
 * shared workspace, in ONE arena block. Two passes over the nodes: count, then bind. All
 * gradients sit in one contiguous region cleared by one fill, so a value used by several layers
 * (fan-out, shared layers) needs nothing special: backward kernels accumulate.
 */
import type { Backend } from '../wasm/loader.ts';
import { type Layer, NodeCtx, type Planner } from '../layers/layer.ts';
import { InputLayer } from '../layers/input.ts';
import type { Output } from '../losses/index.ts';
import type { MetricContext } from '../metrics/index.ts';
import { alignUp } from '../memory/arena.ts';
import { shapeSize } from '../tensor.ts';
import type { Graph } from './graph.ts';
import type { Node, SymbolicTensor } from './symbolic.ts';

/**
 * predict: no gradients. train: gradients of everything but the model inputs (nothing reads
 * those, and the first layer's dx would cost a GEMM). inputGrads: the model inputs' too.
 */
export type PlanMode = 'predict' | 'train' | 'inputGrads';

export interface StagedInput {
  ptr: number;
  grad: number;
  /** Values per sample. */
  row: number;
  dtype: 'float32' | 'int32';
}

export interface OutputSlot {
  /** The output as the loss sees it; `rows` is set per batch. */
  out: Output;
  labels: number;
  rowsPerSample: number;
  /** Values per sample. */
  size: number;
  metric: MetricContext;
}

export interface Plan {
  capacity: number;
  mode: PlanMode;
  /** The plan is one arena block. */
  start: number;
  bytes: number;
  /** One context per non-input node, in execution order. */
  ctxs: NodeCtx[];
  inputs: StagedInput[];
  outputs: OutputSlot[];
  /** The activation-gradient region (one fill clears it). */
  grads: number;
  gradFloats: number;
}

/** Gradient pointer of a layer's weight block in this model (0 when frozen or without gradients). */
export type WeightGrads = (layer: Layer) => number;

export function makePlan(be: Backend, graph: Graph, capacity: number, mode: PlanMode, weightGrads: WeightGrads): Plan {
  const { arena, kernels: k } = be;
  const withGrads = mode !== 'predict';
  const bodies = graph.nodes.filter((n) => !(n.layer instanceof InputLayer));
  const wsBytes = alignUp(Math.max(16, ...bodies.map((n) => n.layer.workspaceBytes(capacity))));
  const lastUse = mode === 'predict' ? lastUses(graph, bodies) : null;

  const layout = (p: Planner, pool: Pool, ws: number) => {
    const values = new Map<SymbolicTensor, { ptr: number; grad: number }>();
    const inputs: StagedInput[] = graph.inputs.map((t) => {
      const size = shapeSize(t.sampleShape);
      const ptr = p.value(capacity * size);
      const grad = mode === 'inputGrads' && t.dtype === 'float32' ? p.grad(capacity * size) : 0;
      values.set(t, { ptr, grad });
      return { ptr, grad, row: size, dtype: t.dtype };
    });
    // Labels and metric scratch are written before the forward pass runs (staging): they must
    // not sit in a buffer that an inference plan hands to a layer, so they come first.
    const staged = graph.outputs.map((t) => {
      const size = shapeSize(t.sampleShape);
      const rows = size / t.sampleShape[t.sampleShape.length - 1];
      return { labels: p.value(capacity * size), scratchA: p.value(capacity * rows), scratchB: p.value(capacity * rows) };
    });
    const ctxOf = new Map<Node, NodeCtx>();
    const ctxs = bodies.map((node, j) => {
      const c = new NodeCtx(k, node);
      const layer = node.layer;
      c.xs = node.inputs.map((t) => values.get(t)!.ptr);
      c.dxs = node.inputs.map((t) => values.get(t)!.grad);
      c.ws = ws;
      // Masks (embedding maskZero): the producer's buffer, read by layers further on, is never
      // handed on in an inference plan (it is taken before `mark`); consumers get its address.
      if (node.output.mask === node) c.maskOut = p.value(capacity * shapeSize(layer.inShape));
      const maskFrom = node.inputs[0]?.mask;
      if (maskFrom) {
        const from = ctxOf.get(maskFrom);
        if (!from) throw new Error(`${layer.name}: its input's mask comes from ${maskFrom.layer.name}, which is not part of this model`);
        c.mask = from.maskOut;
      }
      ctxOf.set(node, c);
      const mark = pool.taken.length;
      const alias = aliases(layer, mode);
      if (alias) {
        c.y = c.xs[0];
        c.dy = c.dxs[0];
      } else {
        c.y = p.value(capacity * layer.outSize);
        c.dy = withGrads ? p.grad(capacity * layer.outSize) : 0;
      }
      // A node's further outputs (returnState's final states) each get their own value and
      // gradient, taken right after y so an inference plan keeps them with it.
      c.ys = [c.y];
      c.dys = [c.dy];
      for (const t of node.outputs.slice(1)) {
        const size = shapeSize(t.sampleShape);
        c.ys.push(p.value(capacity * size));
        c.dys.push(withGrads ? p.grad(capacity * size) : 0);
      }
      node.outputs.forEach((t, i) => values.set(t, { ptr: c.ys[i], grad: c.dys[i] }));
      c.w = layer.params.map((q) => q.ptr);
      const g = withGrads ? weightGrads(layer) : 0;
      c.dw = layer.params.map((q) => (g ? g + q.offset * 4 : 0));
      layer.bindExtra(c, p, capacity);
      if (lastUse) {
        // Inference: what the node saved is dead once it ran, and so is every value it read last
        // (except around outputs: a fused loss reads the output node's pre-activation or input).
        if (!lastUse.pinned.has(node)) for (const [ptr, bytes] of pool.taken.slice(mark + (alias ? 0 : node.outputs.length))) pool.release(ptr, bytes);
        for (const [ptr, last] of lastUse.byValue(values)) if (last === j) pool.releasePtr(ptr);
      }
      return c;
    });
    const outputs: OutputSlot[] = graph.outputs.map((t, i) => {
      const v = values.get(t)!;
      const cols = t.sampleShape[t.sampleShape.length - 1];
      const size = shapeSize(t.sampleShape);
      const rowsPerSample = size / cols;
      const ctx = ctxs.find((c) => c.node === t.node);
      const { labels, scratchA, scratchB } = staged[i];
      const out: Output = { y: v.ptr, dy: v.grad, head: ctx && t.index === 0 ? ctx.node.layer.head(ctx) : null, rows: 0, cols };
      const metric: MetricContext = { k, arena, y: v.ptr, labels, rows: 0, cols, scratchA, scratchB };
      return { out, labels, rowsPerSample, size, metric };
    });
    return { inputs, ctxs, outputs };
  };

  // Pass 1 counts (with stand-in addresses); pass 2 binds to real ones in one block. Both
  // passes make the same calls in the same order, so the value pool lays out the same.
  const planner = (pool: Pool, grads: { at: number }, ints: { at: number }, write: boolean): Planner => ({
    value: (f) => pool.alloc(alignUp(f * 4)),
    grad: (f) => (withGrads ? ((grads.at += alignUp(f * 4)), grads.at - alignUp(f * 4)) : 0),
    ints: (v) => {
      const at = ints.at;
      ints.at += alignUp(v.length * 4);
      if (write) arena.i32.set(v, at >>> 2);
      return at;
    },
  });
  const countPool = new Pool(16);
  const countGrads = { at: 16 };
  const countInts = { at: 16 };
  layout(planner(countPool, countGrads, countInts, false), countPool, 16);
  const valueBytes = countPool.top;
  const gradBytes = countGrads.at - 16;
  const intBytes = countInts.at - 16;
  const bytes = wsBytes + valueBytes + gradBytes + intBytes;
  const start = arena.alloc(bytes);
  const ws = start;
  const pool = new Pool(ws + wsBytes);
  const grads = ws + wsBytes + valueBytes;
  const laid = layout(planner(pool, { at: grads }, { at: grads + gradBytes }, true), pool, ws);
  return { capacity, mode, start, bytes, ...laid, grads, gradFloats: gradBytes / 4 };
}

/**
 * Whether a node's output is its input buffer: flatten/reshape always; in inference plans also
 * the layers that are the identity outside training (dropout, gaussianNoise), which are then
 * skipped entirely (no kernel call, no copy). Training plans give those their own buffer.
 */
function aliases(layer: Layer, mode: PlanMode): boolean {
  return layer.aliasesInput || (mode === 'predict' && (layer as { identityAtInference?: boolean }).identityAtInference === true);
}

/**
 * For inference plans: the body-node index that reads each value last. A value that a model
 * output is, or that is a model input, is never released; a flatten/reshape's reads count as
 * reads of the buffer it aliases.
 */
function lastUses(graph: Graph, bodies: Graph['nodes']) {
  const root = (t: SymbolicTensor): SymbolicTensor => (aliases(t.node.layer, 'predict') ? root(t.node.inputs[0]) : t);
  const last = new Map<SymbolicTensor, number>();
  bodies.forEach((n, j) => {
    for (const t of n.inputs) last.set(root(t), j);
  });
  const pinned = new Set(graph.outputs.map((t) => t.node));
  for (const t of [...graph.outputs, ...graph.inputs, ...graph.outputs.flatMap((o) => o.node.inputs)]) last.set(root(t), Infinity);
  return {
    /** Output nodes: their saved buffers and inputs stay alive. */
    pinned,
    /** (buffer address, last reader) for every value bound so far that is not an alias. */
    *byValue(values: Map<SymbolicTensor, { ptr: number }>): Generator<[number, number]> {
      for (const [t, v] of values) if (!aliases(t.node.layer, 'predict') && last.has(t)) yield [v.ptr, last.get(t)!];
    },
  };
}

/** First-fit allocation of value buffers inside the plan, with release (inference plans reuse dead buffers). */
class Pool {
  top = 0;
  /** Every allocation, in order: [address, bytes]. */
  readonly taken: [number, number][] = [];
  private readonly sizes = new Map<number, number>();
  private holes: { off: number; bytes: number }[] = [];
  constructor(private readonly base: number) {}
  alloc(bytes: number): number {
    let ptr = -1;
    for (let i = 0; i < this.holes.length; i++) {
      const h = this.holes[i];
      if (h.bytes < bytes) continue;
      ptr = this.base + h.off;
      h.off += bytes;
      h.bytes -= bytes;
      if (h.bytes === 0) this.holes.splice(i, 1);
      break;
    }
    if (ptr < 0) {
      ptr = this.base + this.top;
      this.top += bytes;
    }
    this.taken.push([ptr, bytes]);
    this.sizes.set(ptr, bytes);
    return ptr;
  }
  releasePtr(ptr: number): void {
    const bytes = this.sizes.get(ptr);
    if (bytes !== undefined) this.release(ptr, bytes);
  }
  release(ptr: number, bytes: number): void {
    if (!this.sizes.has(ptr)) return;
    this.sizes.delete(ptr);
    const off = ptr - this.base;
    this.holes.push({ off, bytes });
    this.holes.sort((a, b) => a.off - b.off);
    const merged: { off: number; bytes: number }[] = [];
    for (const h of this.holes) {
      const prev = merged[merged.length - 1];
      if (prev && prev.off + prev.bytes === h.off) prev.bytes += h.bytes;
      else merged.push({ ...h });
    }
    this.holes = merged;
  }
}

/** Whether a plan serves a request of this mode and capacity. */
export function planServes(plan: Plan | null, capacity: number, mode: PlanMode): boolean {
  if (!plan || plan.capacity < capacity) return false;
  if (mode === 'predict') return true;
  return plan.mode === mode;
}
