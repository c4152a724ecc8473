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
import type { SymbolicTensor } from './symbolic.ts';

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

  const layout = (p: Planner, ws: number) => {
    const values = new Map<SymbolicTensor, { ptr: number; grad: number }>();
    const inputs: StagedInput[] = graph.inputs.map((t) => {
      const size = shapeSize(t.sampleShape);
      const ptr = p.value(capacity * size);
      const grad = mode === 'inputGrads' && t.dtype === 'float32' ? p.grad(capacity * size) : 0;
      values.set(t, { ptr, grad });
      return { ptr, grad, row: size, dtype: t.dtype };
    });
    const ctxs = bodies.map((node) => {
      const c = new NodeCtx(k, node);
      const layer = node.layer;
      c.xs = node.inputs.map((t) => values.get(t)!.ptr);
      c.dxs = node.inputs.map((t) => values.get(t)!.grad);
      c.ws = ws;
      if (layer.aliasesInput) {
        c.y = c.xs[0];
        c.dy = c.dxs[0];
      } else {
        c.y = p.value(capacity * layer.outSize);
        c.dy = withGrads ? p.grad(capacity * layer.outSize) : 0;
      }
      values.set(node.output, { ptr: c.y, grad: c.dy });
      c.w = layer.params.map((q) => q.ptr);
      const g = withGrads ? weightGrads(layer) : 0;
      c.dw = layer.params.map((q) => (g ? g + q.offset * 4 : 0));
      layer.bindExtra(c, p, capacity);
      return c;
    });
    const outputs: OutputSlot[] = graph.outputs.map((t) => {
      const v = values.get(t)!;
      const cols = t.sampleShape[t.sampleShape.length - 1];
      const size = shapeSize(t.sampleShape);
      const rowsPerSample = size / cols;
      const ctx = ctxs.find((c) => c.node === t.node);
      const labels = p.value(capacity * size);
      const scratchA = p.value(capacity * rowsPerSample);
      const scratchB = p.value(capacity * rowsPerSample);
      const out: Output = { y: v.ptr, dy: v.grad, head: ctx ? ctx.node.layer.head(ctx) : null, rows: 0, cols };
      const metric: MetricContext = { k, arena, y: v.ptr, labels, rows: 0, cols, scratchA, scratchB };
      return { out, labels, rowsPerSample, size, metric };
    });
    return { inputs, ctxs, outputs };
  };

  // Pass 1 counts (with stand-in addresses); pass 2 binds to real ones in one block.
  let valueBytes = 0;
  let gradBytes = 0;
  let intBytes = 0;
  layout(
    {
      value: (f) => ((valueBytes += alignUp(f * 4)), 16),
      grad: (f) => (withGrads ? ((gradBytes += alignUp(f * 4)), 16) : 0),
      ints: (v) => ((intBytes += alignUp(v.length * 4)), 16),
    },
    16,
  );
  const bytes = wsBytes + valueBytes + gradBytes + intBytes;
  const start = arena.alloc(bytes);
  const ws = start;
  let values = ws + wsBytes;
  const grads = values + valueBytes;
  let g = grads;
  let ints = grads + gradBytes;
  const take = (at: number, f: number): [number, number] => [at + alignUp(f * 4), at];
  const laid = layout(
    {
      value: (f) => (([values, f] = take(values, f)), f),
      grad: (f) => (withGrads ? (([g, f] = take(g, f)), f) : 0),
      ints: (v) => {
        const at = ints;
        ints += alignUp(v.length * 4);
        arena.i32.set(v, at >>> 2);
        return at;
      },
    },
    ws,
  );
  return { capacity, mode, start, bytes, ...laid, grads, gradFloats: gradBytes / 4 };
}

/** Whether a plan serves a request of this mode and capacity. */
export function planServes(plan: Plan | null, capacity: number, mode: PlanMode): boolean {
  if (!plan || plan.capacity < capacity) return false;
  if (mode === 'predict') return true;
  return plan.mode === mode;
}
