/**
 * ZeroPadding2D (TF.js's layer): rows and columns of zeros around NHWC activations. No kernel of
 * its own: each input row (w·c contiguous values) is one `copy_f32` into the padded output
 * (and one `axpy_f32` back on backward), after one `fill_f32` of the output.
 */
import { checkOptions, describe } from '../tensor.ts';
import { Layer, type LayerArgs, type NodeCtx } from './layer.ts';
import { requireOptions } from './activation.ts';

export type Padding2D = number | [number, number] | [[number, number], [number, number]];

export interface ZeroPadding2DArgs extends LayerArgs {
  /**
   * p (all four sides), [height, width] (each on both of its sides), or [[top, bottom], [left,
   * right]]. Default 1.
   */
  padding?: Padding2D;
  dataFormat?: 'channelsLast';
}

export class ZeroPadding2D extends Layer {
  readonly className = 'ZeroPadding2D';
  /** [[top, bottom], [left, right]]. */
  readonly padding: [[number, number], [number, number]];
  private g = { h: 0, w: 0, c: 0 };

  constructor(args: ZeroPadding2DArgs = {}) {
    const a = requireOptions(args ?? {}, 'zero_padding2d');
    super(a, 'zero_padding2d');
    if (a.dataFormat !== undefined && a.dataFormat !== 'channelsLast') throw new Error(`${this.name}: only dataFormat 'channelsLast' (NHWC) is supported, got ${describe(a.dataFormat)}`);
    this.padding = paddingPairs(a.padding ?? 1, `${this.name}: padding`);
  }

  protected computeOutputShape(inShape: number[]): number[] {
    if (inShape.length !== 3) throw new Error(`${this.name}: expects input [height, width, channels], got [${inShape}]`);
    const [[t, b], [l, r]] = this.padding;
    const [h, w, c] = inShape;
    this.g = { h, w, c };
    return [h + t + b, w + l + r, c];
  }

  forward(c: NodeCtx, n: number): void {
    const { h, w, c: ch } = this.g;
    const [oh, ow] = this.outShape;
    const [[top], [left]] = this.padding;
    c.k.fill_f32(c.y, n * this.outSize, 0);
    for (let s = 0; s < n; s++) {
      for (let i = 0; i < h; i++) c.k.copy_f32(c.y + ((s * oh + top + i) * ow + left) * ch * 4, c.x + (s * h + i) * w * ch * 4, w * ch);
    }
  }

  backward(c: NodeCtx, n: number): void {
    if (!c.dx) return;
    const { h, w, c: ch } = this.g;
    const [oh, ow] = this.outShape;
    const [[top], [left]] = this.padding;
    for (let s = 0; s < n; s++) {
      for (let i = 0; i < h; i++) c.k.axpy_f32(c.dx + (s * h + i) * w * ch * 4, c.dy + ((s * oh + top + i) * ow + left) * ch * 4, w * ch, 1);
    }
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), padding: this.padding.map((p) => [...p]), dataFormat: 'channelsLast' };
  }
}

/** TF.js's three spellings of a 2D padding, as [[top, bottom], [left, right]] of integers >= 0. */
export function paddingPairs(p: unknown, what: string): [[number, number], [number, number]] {
  const nonNeg = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (nonNeg(p)) return [[p, p], [p, p]];
  if (Array.isArray(p) && p.length === 2) {
    if (p.every(nonNeg)) return [[p[0], p[0]], [p[1], p[1]]];
    if (p.every((q) => Array.isArray(q) && q.length === 2 && q.every(nonNeg))) return [[p[0][0], p[0][1]], [p[1][0], p[1][1]]];
  }
  throw new Error(`${what}: expected an integer >= 0, [height, width] or [[top, bottom], [left, right]] of them, got ${describe(p)}`);
}

/** `layers.zeroPadding2d(...)`: the options object checked (known keys only), then the layer. */
export function zeroPadding2d(args?: ZeroPadding2DArgs & { dtype?: 'float32' }): ZeroPadding2D {
  const who = 'layers.zeroPadding2d';
  const a = checkOptions(args, who, ['padding', 'dataFormat', 'name', 'inputShape', 'batchInputShape', 'trainable', 'dtype']);
  if (a.dtype !== undefined && a.dtype !== 'float32') throw new Error(`${who}: dtype must be 'float32', got ${describe(a.dtype)}`);
  const { dtype: _dtype, ...rest } = a;
  return new ZeroPadding2D(rest);
}
