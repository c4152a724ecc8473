/**
 * Conv2D and Conv1D over NHWC activations with HWIO kernels [kh, kw, in, out] (TF.js / Keras
 * layout, so their weights import without transposes). Conv1D is Conv2D with a height of 1.
 */
import { conv2dWorkspaceBytes } from '../wasm/workspace.ts';
import { ActivatedLayer, positiveInt, requireOptions, type WeightedArgs } from './activation.ts';
import { describe } from '../tensor.ts';
import type { NodeCtx } from './layer.ts';

/** 'valid', 'same' (TF's rule: the odd pixel goes to the bottom/right), or explicit zero padding. */
export type Padding = 'valid' | 'same' | number | [[number, number], [number, number]];

/** Output length along one axis and the padding before it. */
export function windowOutput(
  who: string,
  axis: string,
  size: number,
  k: number,
  stride: number,
  dilation: number,
  padding: 'valid' | 'same' | [number, number],
): { out: number; before: number } {
  const eff = (k - 1) * dilation + 1;
  if (padding === 'same') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + eff - size, 0);
    return { out, before: Math.floor(total / 2) };
  }
  const [before, after] = padding === 'valid' ? [0, 0] : padding;
  const out = Math.floor((size + before + after - eff) / stride) + 1;
  if (out < 1) {
    throw new Error(
      `${who}: a window of ${eff} (kernel ${k}, dilation ${dilation}) does not fit the input ${axis} ${size}` +
        (before + after ? ` padded by ${before}+${after}` : '') +
        `: output ${axis} would be ${out}; use padding: 'same' or a smaller kernel`,
    );
  }
  return { out, before };
}

export function pair(v: number | number[] | undefined, fallback: number, what: string): [number, number] {
  const p = v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2) throw new Error(`${what}: expected a positive integer or two of them, got ${describe(v)}`);
  return [positiveInt(p[0], what), positiveInt(p[1], what)];
}

export function explicitPadding(p: Padding, who: string): ['valid' | 'same' | [number, number], 'valid' | 'same' | [number, number]] {
  if (p === 'valid' || p === 'same') return [p, p];
  const bad = () => new Error(`${who}: padding must be 'valid', 'same', a non-negative integer or [[top, bottom], [left, right]], got ${describe(p)}`);
  const nonNeg = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (typeof p === 'number') {
    if (!nonNeg(p)) throw bad();
    return [[p, p], [p, p]];
  }
  if (!Array.isArray(p) || p.length !== 2 || !p.every((q) => Array.isArray(q) && q.length === 2 && q.every(nonNeg))) throw bad();
  return [p[0], p[1]];
}

/**
 * Options TF.js writes for every dense and conv layer that simdnet does not implement (the
 * factories refuse them): written as TF.js writes them when unset, so the configs match key for key.
 */
export const UNSUPPORTED_AS_NULL = { activityRegularizer: null, kernelConstraint: null, biasConstraint: null } as const;

export interface Conv2DArgs extends WeightedArgs {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: Padding;
  dilationRate?: number | [number, number];
  dataFormat?: 'channelsLast';
}

/** The geometry one conv2d kernel call needs. */
interface Geometry {
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  dH: number;
  dW: number;
  padTop: number;
  padLeft: number;
}

abstract class ConvBase extends ActivatedLayer {
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly dilationRate: [number, number];
  readonly padding: Padding;
  protected g!: Geometry;

  constructor(args: Conv2DArgs, defaultName: string, rank: 1 | 2) {
    super(args, defaultName);
    if (args.dataFormat !== undefined && args.dataFormat !== 'channelsLast') {
      throw new Error(`${this.name}: only dataFormat 'channelsLast' (NHWC) is supported, got '${args.dataFormat}'`);
    }
    this.filters = positiveInt(args.filters, `${this.name}: filters`);
    const one = (v: number | number[] | undefined, f: number, what: string): [number, number] => {
      if (rank === 2) return pair(v, f, what);
      if (Array.isArray(v) && v.length !== 1) throw new Error(`${what}: expected a positive integer (or a list of one), got ${describe(v)}`);
      return [1, positiveInt(v === undefined ? f : Array.isArray(v) ? v[0] : v, what)];
    };
    if (args.kernelSize === undefined) throw new Error(`${this.name}: kernelSize is required`);
    this.kernelSize = one(args.kernelSize, 1, `${this.name}: kernelSize`);
    this.strides = one(args.strides, 1, `${this.name}: strides`);
    this.dilationRate = one(args.dilationRate, 1, `${this.name}: dilationRate`);
    if ((this.strides[0] > 1 || this.strides[1] > 1) && (this.dilationRate[0] > 1 || this.dilationRate[1] > 1)) {
      throw new Error(`${this.name}: strides > 1 together with dilationRate > 1 is not supported (as in TF.js)`);
    }
    this.padding = args.padding ?? 'valid';
  }

  /** Input as [H, W, C]; the padding of each axis as `windowOutput` takes it. */
  protected abstract spatial(inShape: number[]): { h: number; w: number; c: number; padH: 'valid' | 'same' | [number, number]; padW: 'valid' | 'same' | [number, number] };
  protected abstract shapeOut(outH: number, outW: number): number[];

  protected computeOutputShape(inShape: number[]): number[] {
    const { h, w, c, padH, padW } = this.spatial(inShape);
    const [kH, kW] = this.kernelSize;
    const [sH, sW] = this.strides;
    const [dH, dW] = this.dilationRate;
    const oh = windowOutput(this.name, 'height', h, kH, sH, dH, padH);
    const ow = windowOutput(this.name, 'width', w, kW, sW, dW, padW);
    this.g = { inH: h, inW: w, inC: c, outH: oh.out, outW: ow.out, kH, kW, sH, sW, dH, dW, padTop: oh.before, padLeft: ow.before };
    this.declareWeights(this.kernelShape(c), this.filters, kH * kW * c, kH * kW * this.filters);
    return this.shapeOut(oh.out, ow.out);
  }
  protected abstract kernelShape(inC: number): number[];

  workspaceBytes(capacity: number): number {
    const g = this.g;
    return conv2dWorkspaceBytes(capacity, g.inH, g.inW, g.inC, g.outH, g.outW, this.filters, g.kH, g.kW);
  }

  protected get fusedRelu(): boolean {
    return this.activation.name === 'relu';
  }

  forward(c: NodeCtx, n: number): void {
    const g = this.g;
    c.k.conv2d_forward_f32(c.z, c.x, c.w[0], c.w[1] ?? 0, c.ws, n, g.inH, g.inW, g.inC, g.outH, g.outW, this.filters, g.kH, g.kW, g.sH, g.sW, g.dH, g.dW, g.padTop, g.padLeft, this.fusedRelu ? 1 : 0);
    this.activate(c, n);
  }

  backward(c: NodeCtx, n: number): void {
    this.activationBackward(c, n);
    const g = this.g;
    c.k.conv2d_backward_f32(c.dx, c.dw[0], c.dw[1] ?? 0, c.dz, c.x, c.w[0], c.ws, n, g.inH, g.inW, g.inC, g.outH, g.outW, this.filters, g.kH, g.kW, g.sH, g.sW, g.dH, g.dW, g.padTop, g.padLeft);
  }
}

export class Conv2D extends ConvBase {
  readonly className = 'Conv2D';
  constructor(args: Conv2DArgs) {
    super(args, 'conv2d', 2);
    explicitPadding(this.padding, this.name);
  }
  protected spatial(inShape: number[]) {
    if (inShape.length !== 3) throw new Error(`${this.name}: expects input [height, width, channels], got [${inShape}]`);
    const [padH, padW] = explicitPadding(this.padding, this.name);
    return { h: inShape[0], w: inShape[1], c: inShape[2], padH, padW };
  }
  protected shapeOut(outH: number, outW: number): number[] {
    return [outH, outW, this.filters];
  }
  protected kernelShape(inC: number): number[] {
    return [this.kernelSize[0], this.kernelSize[1], inC, this.filters];
  }
  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, padding: this.padding, dilationRate: this.dilationRate, dataFormat: 'channelsLast', ...UNSUPPORTED_AS_NULL };
  }
}

export interface Conv1DArgs extends Omit<Conv2DArgs, 'kernelSize' | 'strides' | 'dilationRate' | 'padding'> {
  kernelSize: number;
  strides?: number;
  dilationRate?: number;
  /** 'causal' pads only on the left, so step t sees only steps ≤ t. */
  padding?: 'valid' | 'same' | 'causal' | number | [number, number];
}

export class Conv1D extends ConvBase {
  readonly className = 'Conv1D';
  private readonly pad1d: Conv1DArgs['padding'];
  private readonly padW: 'valid' | 'same' | [number, number];
  constructor(args: Conv1DArgs) {
    super({ ...requireOptions(args, 'conv1d'), padding: 'valid' } as Conv2DArgs, 'conv1d', 1);
    const p = (this.pad1d = args.padding ?? 'valid');
    if (p === 'causal') this.padW = [(this.kernelSize[1] - 1) * this.dilationRate[1], 0];
    else if (p === 'valid' || p === 'same') this.padW = p;
    else if (typeof p === 'number' && Number.isInteger(p) && p >= 0) this.padW = [p, p];
    else if (Array.isArray(p) && p.length === 2 && p.every((v) => Number.isInteger(v) && v >= 0)) this.padW = [p[0], p[1]];
    else throw new Error(`${this.name}: padding must be 'valid', 'same', 'causal', a non-negative integer or [left, right], got ${describe(p)}`);
  }
  protected spatial(inShape: number[]) {
    if (inShape.length !== 2) throw new Error(`${this.name}: expects input [steps, channels], got [${inShape}]`);
    return { h: 1, w: inShape[0], c: inShape[1], padH: 'valid' as const, padW: this.padW };
  }
  protected shapeOut(_outH: number, outW: number): number[] {
    return [outW, this.filters];
  }
  protected kernelShape(inC: number): number[] {
    return [this.kernelSize[1], inC, this.filters];
  }
  getConfig(): Record<string, unknown> {
    // One-item lists, as TF.js writes a Conv1D's sizes.
    return { ...super.getConfig(), filters: this.filters, kernelSize: [this.kernelSize[1]], strides: [this.strides[1]], padding: this.pad1d, dilationRate: [this.dilationRate[1]], ...UNSUPPORTED_AS_NULL };
  }
}
