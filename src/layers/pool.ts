/**
 * Pooling over NHWC activations: max and average, 2D and 1D (a 1D input is a 2D one of height
 * 1), windowed and global. Max pooling saves the argmax of each window for backward.
 */
import { Layer, type LayerArgs, type NodeCtx, type Planner } from './layer.ts';
import { explicitPadding, pair, windowOutput } from './conv.ts';
import { positiveInt, requireOptions } from './activation.ts';
import { describe } from '../tensor.ts';

export interface Pooling2DArgs extends LayerArgs {
  poolSize?: number | [number, number];
  strides?: number | [number, number];
  padding?: 'valid' | 'same';
  dataFormat?: 'channelsLast';
}
export interface Pooling1DArgs extends LayerArgs {
  poolSize?: number | [number];
  strides?: number | [number];
  padding?: 'valid' | 'same';
}

abstract class Pooling extends Layer {
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: 'valid' | 'same';
  protected readonly rank: 1 | 2;
  protected g = { inH: 0, inW: 0, c: 0, outH: 0, outW: 0, padTop: 0, padLeft: 0 };

  constructor(args: Pooling2DArgs | Pooling1DArgs, defaultName: string, rank: 1 | 2) {
    const a = requireOptions(args ?? {}, defaultName);
    super(a, defaultName);
    if ('dataFormat' in a && a.dataFormat !== undefined && a.dataFormat !== 'channelsLast') {
      throw new Error(`${this.name}: only dataFormat 'channelsLast' (NHWC) is supported`);
    }
    this.rank = rank;
    if (rank === 2) {
      this.poolSize = pair(a.poolSize as number | [number, number] | undefined, 2, `${this.name}: poolSize`);
      this.strides = a.strides === undefined || a.strides === null ? this.poolSize : pair(a.strides as number | [number, number], 1, `${this.name}: strides`);
    } else {
      // TF.js takes a number or a one-item list.
      const one = (v: unknown, what: string) => {
        if (Array.isArray(v) && v.length !== 1) throw new Error(`${what}: expected a positive integer (or a list of one), got ${describe(v)}`);
        return positiveInt(Array.isArray(v) ? v[0] : v, what);
      };
      const p = one(a.poolSize ?? 2, `${this.name}: poolSize`);
      this.poolSize = [1, p];
      this.strides = [1, a.strides === undefined || a.strides === null ? p : one(a.strides, `${this.name}: strides`)];
    }
    this.padding = a.padding ?? 'valid';
    explicitPadding(this.padding, this.name);
    if (this.padding !== 'valid' && this.padding !== 'same') throw new Error(`${this.name}: padding must be 'valid' or 'same', got ${describe(this.padding)}`);
  }

  protected computeOutputShape(inShape: number[]): number[] {
    const want = this.rank === 2 ? 3 : 2;
    if (inShape.length !== want) {
      throw new Error(`${this.name}: expects input [${this.rank === 2 ? 'height, width, ' : 'steps, '}channels], got [${inShape}]`);
    }
    const [h, w, c] = this.rank === 2 ? inShape : [1, inShape[0], inShape[1]];
    const oh = windowOutput(this.name, 'height', h, this.poolSize[0], this.strides[0], 1, this.rank === 2 ? this.padding : 'valid');
    const ow = windowOutput(this.name, this.rank === 2 ? 'width' : 'steps', w, this.poolSize[1], this.strides[1], 1, this.padding);
    this.g = { inH: h, inW: w, c, outH: oh.out, outW: ow.out, padTop: oh.before, padLeft: ow.before };
    return this.rank === 2 ? [oh.out, ow.out, c] : [ow.out, c];
  }

  /** As TF.js writes them: 1D sizes as one-item lists, dataFormat for 2D only. */
  getConfig(): Record<string, unknown> {
    const one = this.rank === 1;
    return {
      ...super.getConfig(),
      poolSize: one ? [this.poolSize[1]] : this.poolSize,
      strides: one ? [this.strides[1]] : this.strides,
      padding: this.padding,
      ...(one ? {} : { dataFormat: 'channelsLast' }),
    };
  }
}

abstract class MaxPooling extends Pooling {
  /** The argmax of each window (saved[0]), for backward. */
  bindExtra(c: NodeCtx, p: Planner, capacity: number): void {
    c.saved[0] = p.value(capacity * this.outSize);
  }
  /** The argmax is only needed to train: inference skips writing it. */
  forward(c: NodeCtx, n: number, training: boolean): void {
    const g = this.g;
    c.k.maxpool2d_forward_f32(c.y, training ? c.saved[0] : 0, c.x, n, g.inH, g.inW, g.c, g.outH, g.outW, this.poolSize[0], this.poolSize[1], this.strides[0], this.strides[1], g.padTop, g.padLeft);
  }
  backward(c: NodeCtx, n: number): void {
    const g = this.g;
    if (c.dx) c.k.maxpool2d_backward_f32(c.dx, c.dy, c.saved[0], n, g.inH, g.inW, g.c, g.outH, g.outW);
  }
}

abstract class AveragePooling extends Pooling {
  forward(c: NodeCtx, n: number): void {
    const g = this.g;
    c.k.avgpool2d_forward_f32(c.y, c.x, n, g.inH, g.inW, g.c, g.outH, g.outW, this.poolSize[0], this.poolSize[1], this.strides[0], this.strides[1], g.padTop, g.padLeft);
  }
  backward(c: NodeCtx, n: number): void {
    const g = this.g;
    if (c.dx) c.k.avgpool2d_backward_f32(c.dx, c.dy, n, g.inH, g.inW, g.c, g.outH, g.outW, this.poolSize[0], this.poolSize[1], this.strides[0], this.strides[1], g.padTop, g.padLeft);
  }
}

export class MaxPooling2D extends MaxPooling {
  readonly className = 'MaxPooling2D';
  constructor(args: Pooling2DArgs = {}) {
    super(args, 'max_pooling2d', 2);
  }
}
export class MaxPooling1D extends MaxPooling {
  readonly className = 'MaxPooling1D';
  constructor(args: Pooling1DArgs = {}) {
    super(args, 'max_pooling1d', 1);
  }
}
export class AveragePooling2D extends AveragePooling {
  readonly className = 'AveragePooling2D';
  constructor(args: Pooling2DArgs = {}) {
    super(args, 'average_pooling2d', 2);
  }
}
export class AveragePooling1D extends AveragePooling {
  readonly className = 'AveragePooling1D';
  constructor(args: Pooling1DArgs = {}) {
    super(args, 'average_pooling1d', 1);
  }
}

/** The spatial axes of a global pooling's input, by rank (for its error message). */
const SPATIAL_AXES = { 1: 'steps', 2: 'height, width', 3: 'depth, height, width' } as const;

/** Pools every channel over all positions: [d, h, w, c], [h, w, c] or [steps, c] → [c]. */
abstract class GlobalPooling extends Layer {
  protected spatialSize = 0;
  protected c = 0;
  constructor(args: LayerArgs, defaultName: string, private readonly rank: 1 | 2 | 3) {
    super(requireOptions(args ?? {}, defaultName), defaultName);
  }
  /** TF.js writes dataFormat for the 2D and 3D ones only. */
  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), ...(this.rank >= 2 ? { dataFormat: 'channelsLast' } : {}) };
  }
  protected computeOutputShape(inShape: number[]): number[] {
    if (inShape.length !== this.rank + 1) {
      throw new Error(`${this.name}: expects input [${SPATIAL_AXES[this.rank]}, channels], got [${inShape}]`);
    }
    this.c = inShape[inShape.length - 1];
    this.spatialSize = inShape.slice(0, -1).reduce((a, b) => a * b, 1);
    return [this.c];
  }
}

export abstract class GlobalMaxPooling extends GlobalPooling {
  /** The argmax of each window (saved[0]), for backward. */
  bindExtra(c: NodeCtx, p: Planner, capacity: number): void {
    c.saved[0] = p.value(capacity * this.outSize);
  }
  forward(c: NodeCtx, n: number, training: boolean): void {
    c.k.global_maxpool_forward_f32(c.y, training ? c.saved[0] : 0, c.x, n, this.spatialSize, this.c);
  }
  backward(c: NodeCtx, n: number): void {
    if (c.dx) c.k.global_maxpool_backward_f32(c.dx, c.dy, c.saved[0], n, this.spatialSize, this.c);
  }
}
export abstract class GlobalAveragePooling extends GlobalPooling {
  forward(c: NodeCtx, n: number): void {
    c.k.global_avgpool_forward_f32(c.y, c.x, n, this.spatialSize, this.c);
  }
  backward(c: NodeCtx, n: number): void {
    if (c.dx) c.k.global_avgpool_backward_f32(c.dx, c.dy, n, this.spatialSize, this.c);
  }
}

export class GlobalMaxPooling2D extends GlobalMaxPooling {
  readonly className = 'GlobalMaxPooling2D';
  constructor(args: LayerArgs = {}) {
    super(args, 'global_max_pooling2d', 2);
  }
}
export class GlobalMaxPooling1D extends GlobalMaxPooling {
  readonly className = 'GlobalMaxPooling1D';
  constructor(args: LayerArgs = {}) {
    super(args, 'global_max_pooling1d', 1);
  }
}
export class GlobalAveragePooling2D extends GlobalAveragePooling {
  readonly className = 'GlobalAveragePooling2D';
  constructor(args: LayerArgs = {}) {
    super(args, 'global_average_pooling2d', 2);
  }
}
export class GlobalAveragePooling1D extends GlobalAveragePooling {
  readonly className = 'GlobalAveragePooling1D';
  constructor(args: LayerArgs = {}) {
    super(args, 'global_average_pooling1d', 1);
  }
}
