/**
 * The layer contract. A layer knows its shapes and parameters; the model plans one arena and
 * hands each layer its pointers once (`bind`); forward/backward are then plain kernel calls.
 */
import type { Kernels } from '../wasm/abi.ts';
import type { Initializer } from '../initializers/index.ts';
import type { Regularizer } from '../regularizers/index.ts';
import { shapeSize } from '../tensor.ts';

export interface LayerArgs {
  name?: string;
  /** Shape of one sample (batch dimension excluded); only the first layer of a model needs it. */
  inputShape?: number[];
  /** TF.js spelling with the batch dimension first (null); the batch dimension is dropped. */
  batchInputShape?: (number | null)[];
}

/** One trainable tensor of a layer, living in the model's contiguous parameter block. */
export interface Param {
  name: string;
  shape: number[];
  size: number;
  init: Initializer;
  regularizer: Regularizer | null;
  /** Fan-in / fan-out used by variance-scaling initializers. */
  fanIn: number;
  fanOut: number;
  /** Byte addresses, set when the model allocates its parameter block. */
  ptr: number;
  gradPtr: number;
}

/** Hands out memory while the model plans: values (outputs, saved buffers) and gradients (zeroed every step). */
export interface Planner {
  value(floats: number): number;
  grad(floats: number): number;
}

export interface Binding {
  k: Kernels;
  /** Input and its gradient (dx is 0 for the first layer: nothing needs it). */
  x: number;
  dx: number;
  /** Shared scratch space, at least `workspaceBytes(capacity)` bytes. */
  ws: number;
  capacity: number;
  plan: Planner;
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
function uniqueName(base: string): string {
  const n = nameCounter.get(base) ?? 0;
  nameCounter.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

export abstract class Layer {
  abstract readonly className: string;
  readonly name: string;
  readonly inputShape: number[] | null;
  readonly params: Param[] = [];
  built = false;
  inShape: number[] = [];
  outShape: number[] = [];
  /** Output buffer and its gradient. */
  y = 0;
  dy = 0;
  protected k!: Kernels;
  protected x = 0;
  protected dx = 0;
  protected ws = 0;

  constructor(args: LayerArgs, defaultName: string) {
    this.name = args.name ?? uniqueName(defaultName);
    if (args.inputShape && args.batchInputShape) {
      throw new Error(`${this.name}: give inputShape or batchInputShape, not both`);
    }
    const shape = args.inputShape ?? (args.batchInputShape ? (args.batchInputShape.slice(1) as number[]) : null);
    if (shape) checkShape(shape, `${this.name}: inputShape`);
    this.inputShape = shape ? [...shape] : null;
  }

  get inSize(): number {
    return shapeSize(this.inShape);
  }
  get outSize(): number {
    return shapeSize(this.outShape);
  }

  /** Fix the input shape, compute the output shape and declare parameters. */
  build(inShape: number[]): void {
    if (this.built) {
      if (!sameShape(inShape, this.inShape)) {
        throw new Error(`${this.name}: built for input [${this.inShape}] but now receives [${inShape}]`);
      }
      return;
    }
    this.inShape = [...inShape];
    this.outShape = this.computeOutputShape(this.inShape);
    this.built = true;
  }

  protected abstract computeOutputShape(inShape: number[]): number[];

  protected addParam(p: Omit<Param, 'size' | 'ptr' | 'gradPtr'>): Param {
    const param: Param = { ...p, size: shapeSize(p.shape), ptr: 0, gradPtr: 0 };
    this.params.push(param);
    return param;
  }

  /** Scratch bytes this layer's kernels need for a batch of `capacity` samples. */
  workspaceBytes(_capacity: number): number {
    return 0;
  }

  /** Flatten / reshape: the output is the input buffer itself. */
  get aliasesInput(): boolean {
    return false;
  }

  /** Take pointers; allocate the output and whatever the layer saves for backward. */
  bind(b: Binding): void {
    this.k = b.k;
    this.x = b.x;
    this.dx = b.dx;
    this.ws = b.ws;
    if (this.aliasesInput) {
      this.y = b.x;
      this.dy = b.dx;
    } else {
      this.y = b.plan.value(b.capacity * this.outSize);
      this.dy = b.plan.grad(b.capacity * this.outSize);
    }
    this.bindExtra(b);
  }
  protected bindExtra(_b: Binding): void {}

  /** Overwrite y for the first n samples. */
  abstract forward(n: number, training: boolean): void;
  /** Accumulate into dx (when non-zero) and into parameter gradients, from dy. */
  abstract backward(n: number): void;

  /** Where a fused loss can take over the output activation, if this layer ends in one. */
  head(): Head | null {
    return null;
  }

  /** The options that recreate this layer (TF.js names). */
  getConfig(): Record<string, unknown> {
    return { name: this.name, ...(this.inputShape ? { batchInputShape: [null, ...this.inputShape] } : {}) };
  }

  countParams(): number {
    return this.params.reduce((s, p) => s + p.size, 0);
  }
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function checkShape(shape: unknown, what: string): asserts shape is number[] {
  if (!Array.isArray(shape) || shape.length === 0 || shape.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new Error(`${what}: expected a list of positive integers, got ${JSON.stringify(shape)}`);
  }
}

export function positiveInt(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw new Error(`${what}: expected a positive integer, got ${v}`);
  return v;
}
