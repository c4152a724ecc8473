/**
 * A model's parameter store. The weights belong to the layers (one block each, shared by every
 * model that uses the layer); the model owns their gradients (one contiguous block mirroring
 * every layer's weight block) and the optimizer's state (mirrors of the gradient block). The
 * optimizer runs one call per trainable layer block: a frozen layer has no gradient pointer, so
 * its kernels skip dW, and the optimizer never touches it.
 */
import type { Backend } from '../wasm/loader.ts';
import type { Layer } from '../layers/layer.ts';
import type { Optimizer } from '../optimizers/index.ts';

interface Segment {
  /** The weight tensors in this segment, offsets (floats) relative to its start. */
  layer: { readonly params: readonly { readonly offset: number; readonly size: number }[] };
  /** Weight block, gradient block and state blocks of this run of a layer's trainable weights. */
  ptr: number;
  grad: number;
  slots: number[];
  floats: number;
}

export class ParamStore {
  /** Layers with weights, in the model's order. */
  readonly layers: Layer[];
  readonly floats: number;
  /** Allocated when first needed (compile, a training plan, utils.gradients): inference needs none. */
  private grads = 0;
  private readonly offsets = new Map<Layer, number>();
  private slots: number[] = [];
  private segments: Segment[] = [];
  /** Layers whose weights the optimizer updates (fixed at compile). */
  private trainableSet: Set<Layer> | null = null;

  constructor(readonly be: Backend, layers: Layer[]) {
    this.layers = layers.filter((l) => l.weightFloats > 0);
    let floats = 0;
    for (const l of this.layers) {
      this.offsets.set(l, floats);
      floats += l.weightFloats;
    }
    this.floats = Math.max(floats, 4);
  }

  /** The gradient block (allocated and zeroed on first use). */
  get gradPtr(): number {
    if (!this.grads) {
      const { arena } = this.be;
      this.grads = arena.alloc(this.floats * 4);
      arena.u8.fill(0, this.grads, this.grads + this.floats * 4);
    }
    return this.grads;
  }

  /** Gradient block of a layer, or 0 when the compiled model does not train it (allocates the block). */
  gradOf = (layer: Layer): number => {
    const off = this.offsets.get(layer);
    if (off === undefined) return 0;
    if (this.trainableSet && !this.trainableSet.has(layer)) return 0;
    return this.gradPtr + off * 4;
  };
  /** Gradient block of a layer whether trainable or not (for utils.gradients). */
  anyGradOf = (layer: Layer): number => {
    const off = this.offsets.get(layer);
    return off === undefined ? 0 : this.gradPtr + off * 4;
  };

  get trainableLayers(): Layer[] {
    return this.layers.filter((l) => !this.trainableSet || this.trainableSet.has(l));
  }

  /** The trainable weights with a regularizer and their gradients, fixed at compile (a step allocates nothing). */
  penalties: { ptr: number; grad: number; size: number; l1: number; l2: number }[] = [];

  /** Fix which layers train (their `trainable` now) and give the optimizer fresh state. */
  compile(optimizer: Optimizer): void {
    const { arena, kernels: k } = this.be;
    this.freeSlots();
    this.trainableSet = new Set(this.layers.filter((l) => l.trainable));
    const slots: number[] = [];
    try {
      for (let s = 0; s < optimizer.slots; s++) {
        const p = arena.alloc(this.floats * 4);
        slots.push(p);
        k.fill_f32(p, this.floats, optimizer.slotInit(s));
      }
    } catch (e) {
      for (const p of slots) arena.free(p, this.floats * 4);
      throw e;
    }
    this.slots = slots;
    // One segment per run of trainable weights in a layer's block (the whole block for most
    // layers): weights marked `trainable: false` (BatchNormalization's moving statistics) are
    // left out, so the optimizer (and its weight decay) never touches them.
    this.segments = this.trainableLayers.flatMap((layer) => {
      const base = this.offsets.get(layer)!;
      const runs: Segment[] = [];
      let run: Layer['params'] = [];
      const ps = layer.params;
      ps.forEach((p, i) => {
        if (p.trainable === false) return;
        run.push(p);
        const next = ps[i + 1];
        if (next && next.trainable !== false) return;
        const from = run[0].offset;
        const end = next ? next.offset : layer.weightFloats;
        const off = (base + from) * 4;
        const params = run.map((q) => ({ offset: q.offset - from, size: q.size }));
        runs.push({ layer: { params }, ptr: layer.weightPtr + from * 4, grad: this.gradPtr + off, slots: slots.map((s) => s + off), floats: end - from });
        run = [];
      });
      return runs;
    });
    this.penalties = this.trainableLayers.flatMap((layer) => {
      const grad = this.gradPtr + this.offsets.get(layer)! * 4;
      return layer.params.filter((p) => p.regularizer && p.trainable !== false).map((p) => ({ ptr: p.ptr, grad: grad + p.offset * 4, size: p.size, l1: p.regularizer!.l1, l2: p.regularizer!.l2 }));
    });
  }

  /** One optimizer update of every trainable layer. */
  step(optimizer: Optimizer): void {
    const k = this.be.kernels;
    // Gradient clipping (clipnorm / clipvalue / globalClipnorm) sees every gradient before any update.
    optimizer.clipGradients(k, this.segments);
    for (let i = 0; i < this.segments.length; i++) {
      const s = this.segments[i];
      optimizer.step(k, s.ptr, s.grad, s.slots, s.floats);
    }
    optimizer.iterations++;
  }

  zeroGrads(): void {
    this.be.kernels.fill_f32(this.gradPtr, this.floats, 0);
  }

  /** Bytes this store holds (gradients and optimizer state). */
  get bytes(): number {
    return this.floats * 4 * ((this.grads ? 1 : 0) + this.slots.length);
  }

  private freeSlots(): void {
    for (const p of this.slots) this.be.arena.free(p, this.floats * 4);
    this.slots = [];
    this.segments = [];
    this.penalties = [];
  }

  free(): void {
    this.freeSlots();
    if (this.grads) this.be.arena.free(this.grads, this.floats * 4);
    this.grads = 0;
  }
}
