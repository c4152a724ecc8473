/**
 * Merge layers (the kernels of assembly/merge.ts): add, subtract, multiply, average, maximum,
 * minimum, concatenate and dot. They take several inputs; the multi-input kernels read a table
 * of input pointers (and gradient pointers, 0 where nothing needs the gradient) that the plan
 * writes once, so a step passes one pointer however many inputs there are.
 */
import { describe, shapeSize } from '../tensor.ts';
import { fmtShapes, Layer, type LayerArgs, type NodeCtx, type Planner, sameShape } from './layer.ts';

abstract class Merge extends Layer {
  get arity(): [number, number] {
    return [2, Infinity];
  }
  protected outputShapeFor(inShapes: number[][]): number[] {
    if (inShapes.some((s) => !sameShape(s, inShapes[0]))) {
      throw new Error(`${this.name}: ${this.className} needs inputs of one shape, got ${fmtShapes(inShapes)}`);
    }
    return [...inShapes[0]];
  }
  /** saved[0]: the input pointers; saved[1]: their gradient pointers. */
  bindExtra(c: NodeCtx, p: Planner): void {
    c.saved[0] = p.ints(c.xs);
    c.saved[1] = p.ints(c.dxs);
  }
  protected get count(): number {
    return this.inShapes.length;
  }
  /** True when no input needs a gradient (all inputs are model inputs). */
  protected noGrad(c: NodeCtx): boolean {
    return c.dxs.every((d) => d === 0);
  }
}

/** y = scale · Σ xᵢ: add (scale 1) and average (scale 1/count). */
abstract class Sum extends Merge {
  protected abstract scale(): number;
  forward(c: NodeCtx, n: number): void {
    c.k.merge_sum_forward_f32(c.y, c.saved[0], this.count, n * this.outSize, this.scale());
  }
  backward(c: NodeCtx, n: number): void {
    if (!this.noGrad(c)) c.k.merge_sum_backward_f32(c.saved[1], c.dy, this.count, n * this.outSize, this.scale());
  }
}

export class Add extends Sum {
  readonly className = 'Add';
  constructor(args: LayerArgs = {}) {
    super(args, 'add');
  }
  protected scale(): number {
    return 1;
  }
}

export class Average extends Sum {
  readonly className = 'Average';
  constructor(args: LayerArgs = {}) {
    super(args, 'average');
  }
  protected scale(): number {
    return 1 / this.count;
  }
}

export class Subtract extends Merge {
  readonly className = 'Subtract';
  constructor(args: LayerArgs = {}) {
    super(args, 'subtract');
  }
  get arity(): [number, number] {
    return [2, 2];
  }
  forward(c: NodeCtx, n: number): void {
    c.k.subtract_forward_f32(c.y, c.xs[0], c.xs[1], n * this.outSize);
  }
  backward(c: NodeCtx, n: number): void {
    const size = n * this.outSize;
    if (c.dxs[0]) c.k.axpy_f32(c.dxs[0], c.dy, size, 1);
    if (c.dxs[1]) c.k.axpy_f32(c.dxs[1], c.dy, size, -1);
  }
}

export class Multiply extends Merge {
  readonly className = 'Multiply';
  constructor(args: LayerArgs = {}) {
    super(args, 'multiply');
  }
  forward(c: NodeCtx, n: number): void {
    c.k.merge_mul_forward_f32(c.y, c.saved[0], this.count, n * this.outSize);
  }
  backward(c: NodeCtx, n: number): void {
    if (!this.noGrad(c)) c.k.merge_mul_backward_f32(c.saved[1], c.dy, c.saved[0], this.count, n * this.outSize);
  }
}

/** Elementwise max (min): the gradient goes to the first input that attains it, like the course's max gate. */
abstract class Extremum extends Merge {
  protected abstract readonly isMin: number;
  forward(c: NodeCtx, n: number): void {
    c.k.merge_max_forward_f32(c.y, c.saved[0], this.count, n * this.outSize, this.isMin);
  }
  backward(c: NodeCtx, n: number): void {
    if (!this.noGrad(c)) c.k.merge_max_backward_f32(c.saved[1], c.dy, c.saved[0], this.count, n * this.outSize, this.isMin);
  }
}

export class Maximum extends Extremum {
  readonly className = 'Maximum';
  protected readonly isMin = 0;
  constructor(args: LayerArgs = {}) {
    super(args, 'maximum');
  }
}

export class Minimum extends Extremum {
  readonly className = 'Minimum';
  protected readonly isMin = 1;
  constructor(args: LayerArgs = {}) {
    super(args, 'minimum');
  }
}

export interface ConcatenateArgs extends LayerArgs {
  /** The axis, counting the batch dimension as 0 (TF.js). Default -1 (channels for NHWC). */
  axis?: number;
}

export class Concatenate extends Merge {
  readonly className = 'Concatenate';
  readonly axis: number;
  /** Rows of the concatenation per sample, and each input's run of floats per row. */
  private outerPerSample = 1;
  private widths: number[] = [];
  constructor(args: ConcatenateArgs = {}) {
    super(args, 'concatenate');
    const a = args.axis ?? -1;
    if (!Number.isInteger(a) || a === 0) throw new Error(`${this.name}: axis must be a non-zero integer (0 is the batch), got ${describe(a)}`);
    this.axis = a;
  }
  protected outputShapeFor(inShapes: number[][]): number[] {
    const rank = inShapes[0].length;
    const ax = this.axis < 0 ? rank + this.axis : this.axis - 1;
    if (ax < 0 || ax >= rank) throw new Error(`${this.name}: axis ${this.axis} is outside inputs of shape [null, ${inShapes[0]}]`);
    for (const s of inShapes) {
      if (s.length !== rank || s.some((d, i) => i !== ax && d !== inShapes[0][i])) {
        throw new Error(`${this.name}: inputs must match except on axis ${this.axis}, got ${fmtShapes(inShapes)}`);
      }
    }
    const out = [...inShapes[0]];
    out[ax] = inShapes.reduce((t, s) => t + s[ax], 0);
    this.outerPerSample = shapeSize(out.slice(0, ax));
    this.widths = inShapes.map((s) => shapeSize(s.slice(ax)));
    return out;
  }
  /** saved[2]: each input's width. */
  bindExtra(c: NodeCtx, p: Planner): void {
    super.bindExtra(c, p);
    c.saved[2] = p.ints(this.widths);
  }
  private get total(): number {
    return this.outSize / this.outerPerSample;
  }
  forward(c: NodeCtx, n: number): void {
    c.k.concat_forward_f32(c.y, c.saved[0], c.saved[2], this.count, n * this.outerPerSample, this.total);
  }
  backward(c: NodeCtx, n: number): void {
    if (!this.noGrad(c)) c.k.concat_backward_f32(c.saved[1], c.dy, c.saved[2], this.count, n * this.outerPerSample, this.total);
  }
  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

export interface DotArgs extends LayerArgs {
  /** The axis of each input to contract, counting the batch as 0 (TF.js). */
  axes: number | [number, number];
  /** Cosine proximity (L2-normalise along the axes first). */
  normalize?: boolean;
}

/** Per-sample matrix product over one axis of each input: vectors [d]·[d] → [1], or rank-2 samples. */
export class Dot extends Merge {
  readonly className = 'Dot';
  readonly axes: [number, number];
  readonly normalize: boolean;
  private mm = { m: 1, n: 1, k: 1, transA: 0, transB: 0 };
  constructor(args: DotArgs) {
    super(args, 'dot');
    const a = args?.axes;
    const axes = typeof a === 'number' ? [a, a] : a;
    if (!Array.isArray(axes) || axes.length !== 2 || axes.some((v) => !Number.isInteger(v) || v === 0)) {
      throw new Error(`${this.name}: axes must be a non-zero integer or two of them (0 is the batch), got ${describe(a)}`);
    }
    this.axes = [axes[0], axes[1]];
    if (args.normalize !== undefined && typeof args.normalize !== 'boolean') throw new Error(`${this.name}: normalize must be a boolean, got ${describe(args.normalize)}`);
    if (args.normalize) throw new Error(`${this.name}: normalize: true (cosine proximity) is not supported yet; L2-normalise the inputs before the dot`);
    this.normalize = false;
  }
  get arity(): [number, number] {
    return [2, 2];
  }
  /** The batched matmul takes its two inputs directly: no pointer tables. */
  bindExtra(): void {}
  protected outputShapeFor(inShapes: number[][]): number[] {
    const [sa, sb] = inShapes;
    const bad = (why: string) => new Error(`${this.name}: ${why}; got inputs ${fmtShapes(inShapes)} with axes [${this.axes}]`);
    if (sa.length !== sb.length || sa.length > 2) throw bad('needs two inputs of the same rank, 1 or 2 per sample');
    const ax = this.axes.map((v) => (v < 0 ? sa.length + 1 + v : v));
    if (ax.some((v) => v < 1 || v > sa.length)) throw bad('an axis is outside the inputs');
    if (sa[ax[0] - 1] !== sb[ax[1] - 1]) throw bad(`the contracted dimensions differ (${sa[ax[0] - 1]} vs ${sb[ax[1] - 1]})`);
    if (sa.length === 1) {
      this.mm = { m: 1, n: 1, k: sa[0], transA: 0, transB: 1 };
      return [1];
    }
    const transA = ax[0] === 1 ? 1 : 0;
    const transB = ax[1] === 2 ? 1 : 0;
    const m = transA ? sa[1] : sa[0];
    const n = transB ? sb[0] : sb[1];
    this.mm = { m, n, k: sa[ax[0] - 1], transA, transB };
    return [m, n];
  }
  forward(c: NodeCtx, n: number): void {
    const q = this.mm;
    c.k.batch_matmul_forward_f32(c.y, c.xs[0], c.xs[1], n, q.m, q.n, q.k, q.transA, q.transB);
  }
  backward(c: NodeCtx, n: number): void {
    const q = this.mm;
    if (c.dxs[0] || c.dxs[1]) c.k.batch_matmul_backward_f32(c.dxs[0], c.dxs[1], c.dy, c.xs[0], c.xs[1], n, q.m, q.n, q.k, q.transA, q.transB);
  }
  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axes: this.axes, normalize: this.normalize };
  }
}
