/**
 * Volumes: Conv3D, MaxPooling3D, AveragePooling3D, GlobalMaxPooling3D, GlobalAveragePooling3D
 * over NDHWC activations with DHWIO kernels [kd, kh, kw, in, out] (TF.js / Keras layout, so
 * their weights import without transposes). Padding is 'valid' or 'same' (TF's rule: the odd
 * voxel goes after), as in TF.js. Kernels: assembly/conv3d.ts (the conv on conv2d's kernels
 * through a depth im2col, 3-D windowed pooling); 3-D max pooling's backward and the global
 * poolings are pool.ts's kernels over the flattened volume.
 */
import { ActivatedLayer, positiveInt, requireOptions, type WeightedArgs } from './activation.ts';
import { UNSUPPORTED_AS_NULL, windowOutput } from './conv.ts';
import { Layer, type LayerArgs, type NodeCtx, type Planner } from './layer.ts';
import { GlobalAveragePooling, GlobalMaxPooling } from './pool.ts';
import { describe } from '../tensor.ts';
import { backend } from '../wasm/loader.ts';

type Triple = [number, number, number];

/** A positive integer or a list of three (TF.js also takes a list of one) → three. */
export function triple(v: unknown, fallback: number, what: string): Triple {
  const p = v === undefined || v === null ? [fallback] : typeof v === 'number' ? [v] : v;
  if (!Array.isArray(p) || (p.length !== 1 && p.length !== 3)) throw new Error(`${what}: expected a positive integer or three of them, got ${describe(v)}`);
  const q = p.length === 1 ? [p[0], p[0], p[0]] : p;
  return [positiveInt(q[0], what), positiveInt(q[1], what), positiveInt(q[2], what)];
}

function paddingMode(p: unknown, who: string): 'valid' | 'same' {
  if (p === undefined || p === null) return 'valid';
  if (p !== 'valid' && p !== 'same') throw new Error(`${who}: padding must be 'valid' or 'same', got ${describe(p)}`);
  return p;
}

function channelsLast(f: unknown, who: string): void {
  if (f !== undefined && f !== null && f !== 'channelsLast') throw new Error(`${who}: only dataFormat 'channelsLast' (NDHWC) is supported, got ${describe(f)}`);
}

/** Input [depth, height, width, channels], checked. */
function volume(inShape: number[], who: string): [number, number, number, number] {
  if (inShape.length !== 4) throw new Error(`${who}: expects input [depth, height, width, channels], got [${inShape}]`);
  return [inShape[0], inShape[1], inShape[2], inShape[3]];
}

/** Output sizes and leading pads of a 3-D window over [d, h, w]. */
function windows(who: string, d: number, h: number, w: number, k: Triple, s: Triple, padding: 'valid' | 'same') {
  const od = windowOutput(who, 'depth', d, k[0], s[0], 1, padding);
  const oh = windowOutput(who, 'height', h, k[1], s[1], 1, padding);
  const ow = windowOutput(who, 'width', w, k[2], s[2], 1, padding);
  return { out: [od.out, oh.out, ow.out] as Triple, pad: [od.before, oh.before, ow.before] as Triple };
}

export interface Conv3DArgs extends WeightedArgs {
  filters: number;
  kernelSize: number | number[];
  strides?: number | number[];
  padding?: 'valid' | 'same';
  /** 1 only (a dilated 3-D conv is not implemented). */
  dilationRate?: number | number[];
  dataFormat?: 'channelsLast';
}

/** The geometry one conv3d kernel call needs. */
interface Geometry {
  inD: number;
  inH: number;
  inW: number;
  inC: number;
  out: Triple;
  pad: Triple;
}

export class Conv3D extends ActivatedLayer {
  readonly className = 'Conv3D';
  readonly filters: number;
  readonly kernelSize: Triple;
  readonly strides: Triple;
  readonly dilationRate: Triple;
  readonly padding: 'valid' | 'same';
  private g!: Geometry;

  constructor(args: Conv3DArgs) {
    super(requireOptions(args, 'conv3d'), 'conv3d');
    channelsLast(args.dataFormat, this.name);
    this.filters = positiveInt(args.filters, `${this.name}: filters`);
    if (args.kernelSize === undefined) throw new Error(`${this.name}: kernelSize is required`);
    this.kernelSize = triple(args.kernelSize, 1, `${this.name}: kernelSize`);
    this.strides = triple(args.strides, 1, `${this.name}: strides`);
    this.dilationRate = triple(args.dilationRate, 1, `${this.name}: dilationRate`);
    if (this.dilationRate.some((d) => d !== 1)) throw new Error(`${this.name}: dilationRate must be 1 (a dilated Conv3D is not implemented), got ${describe(args.dilationRate)}`);
    this.padding = paddingMode(args.padding, this.name);
  }

  protected computeOutputShape(inShape: number[]): number[] {
    const [d, h, w, c] = volume(inShape, this.name);
    const { out, pad } = windows(this.name, d, h, w, this.kernelSize, this.strides, this.padding);
    this.g = { inD: d, inH: h, inW: w, inC: c, out, pad };
    const rf = this.kernelSize[0] * this.kernelSize[1] * this.kernelSize[2];
    this.declareWeights([...this.kernelSize, c, this.filters], this.filters, rf * c, rf * this.filters);
    return [...out, this.filters];
  }

  workspaceBytes(capacity: number): number {
    const g = this.g;
    // Asked of the binary in use (the GEMM's micro-tile differs between binaries), as workspace.ts does.
    return backend().kernels.conv3d_workspace_bytes(capacity, g.inD, g.inH, g.inW, g.inC, ...g.out, this.filters, ...this.kernelSize);
  }

  forward(c: NodeCtx, n: number): void {
    const g = this.g;
    c.k.conv3d_forward_f32(c.z, c.x, c.w[0], c.w[1] ?? 0, c.ws, n, g.inD, g.inH, g.inW, g.inC, ...g.out, this.filters, ...this.kernelSize, ...this.strides, ...g.pad);
    this.activate(c, n);
  }

  backward(c: NodeCtx, n: number): void {
    this.activationBackward(c, n);
    const g = this.g;
    c.k.conv3d_backward_f32(c.dx, c.dw[0], c.dw[1] ?? 0, c.dz, c.x, c.w[0], c.ws, n, g.inD, g.inH, g.inW, g.inC, ...g.out, this.filters, ...this.kernelSize, ...this.strides, ...g.pad);
  }

  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, padding: this.padding, dilationRate: this.dilationRate, dataFormat: 'channelsLast', ...UNSUPPORTED_AS_NULL };
  }
}

export interface Pooling3DArgs extends LayerArgs {
  poolSize?: number | number[];
  strides?: number | number[];
  padding?: 'valid' | 'same';
  dataFormat?: 'channelsLast';
}

abstract class Pooling3D extends Layer {
  readonly poolSize: Triple;
  readonly strides: Triple;
  readonly padding: 'valid' | 'same';
  protected g = { inD: 0, inH: 0, inW: 0, c: 0, out: [0, 0, 0] as Triple, pad: [0, 0, 0] as Triple };

  constructor(args: Pooling3DArgs, defaultName: string) {
    const a = requireOptions(args ?? {}, defaultName);
    super(a, defaultName);
    channelsLast(a.dataFormat, this.name);
    this.poolSize = triple(a.poolSize, 2, `${this.name}: poolSize`);
    this.strides = a.strides === undefined || a.strides === null ? this.poolSize : triple(a.strides, 1, `${this.name}: strides`);
    this.padding = paddingMode(a.padding, this.name);
  }

  protected computeOutputShape(inShape: number[]): number[] {
    const [d, h, w, c] = volume(inShape, this.name);
    const { out, pad } = windows(this.name, d, h, w, this.poolSize, this.strides, this.padding);
    this.g = { inD: d, inH: h, inW: w, c, out, pad };
    return [...out, c];
  }

  /** As TF.js writes them. */
  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), poolSize: this.poolSize, padding: this.padding, strides: this.strides, dataFormat: 'channelsLast' };
  }
}

export class MaxPooling3D extends Pooling3D {
  readonly className = 'MaxPooling3D';
  constructor(args: Pooling3DArgs = {}) {
    super(args, 'max_pooling3d');
  }
  /** The argmax of each window (saved[0]), for backward. */
  bindExtra(c: NodeCtx, p: Planner, capacity: number): void {
    c.saved[0] = p.value(capacity * this.outSize);
  }
  /** The argmax is only needed to train: inference skips writing it. */
  forward(c: NodeCtx, n: number, training: boolean): void {
    const g = this.g;
    c.k.maxpool3d_forward_f32(c.y, training ? c.saved[0] : 0, c.x, n, g.inD, g.inH, g.inW, g.c, ...g.out, ...this.poolSize, ...this.strides, ...g.pad);
  }
  /** The 2-D scatter over the flattened volume: it reads only per-sample flat indices. */
  backward(c: NodeCtx, n: number): void {
    const g = this.g;
    if (c.dx) c.k.maxpool2d_backward_f32(c.dx, c.dy, c.saved[0], n, g.inD * g.inH, g.inW, g.c, g.out[0] * g.out[1], g.out[2]);
  }
}

export class AveragePooling3D extends Pooling3D {
  readonly className = 'AveragePooling3D';
  constructor(args: Pooling3DArgs = {}) {
    super(args, 'average_pooling3d');
  }
  forward(c: NodeCtx, n: number): void {
    const g = this.g;
    c.k.avgpool3d_forward_f32(c.y, c.x, n, g.inD, g.inH, g.inW, g.c, ...g.out, ...this.poolSize, ...this.strides, ...g.pad);
  }
  backward(c: NodeCtx, n: number): void {
    const g = this.g;
    if (c.dx) c.k.avgpool3d_backward_f32(c.dx, c.dy, n, g.inD, g.inH, g.inW, g.c, ...g.out, ...this.poolSize, ...this.strides, ...g.pad);
  }
}

/** Pools every channel over all voxels: [d, h, w, c] → [c], with pool.ts's global kernels. */
export class GlobalMaxPooling3D extends GlobalMaxPooling {
  readonly className = 'GlobalMaxPooling3D';
  constructor(args: LayerArgs & { dataFormat?: string } = {}) {
    super(args, 'global_max_pooling3d', 3);
    channelsLast(args.dataFormat, this.name);
  }
}

export class GlobalAveragePooling3D extends GlobalAveragePooling {
  readonly className = 'GlobalAveragePooling3D';
  constructor(args: LayerArgs & { dataFormat?: string } = {}) {
    super(args, 'global_average_pooling3d', 3);
    channelsLast(args.dataFormat, this.name);
  }
}
