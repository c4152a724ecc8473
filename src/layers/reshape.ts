/**
 * Flatten and Reshape: no kernel, no copy — the output is the input buffer seen with another
 * shape. RepeatVector and Permute move values: strided copies in wasm (assembly/permute.ts).
 */
import { checkNumber, describe, shapeSize } from '../tensor.ts';
import { checkShape, Layer, type LayerArgs, type NodeCtx, type Planner } from './layer.ts';

abstract class View extends Layer {
  get aliasesInput(): boolean {
    return true;
  }
  forward(): void {}
  backward(): void {}
}

export class Flatten extends View {
  readonly className = 'Flatten';
  constructor(args: LayerArgs = {}) {
    super(args, 'flatten');
  }
  protected computeOutputShape(inShape: number[]): number[] {
    return [shapeSize(inShape)];
  }
}

export class Reshape extends View {
  readonly className = 'Reshape';
  readonly targetShape: number[];
  constructor(args: LayerArgs & { targetShape: number[] }) {
    super(args, 'reshape');
    const t = args?.targetShape;
    if (Array.isArray(t) && t.length === 0) throw new Error(`${this.name}: targetShape must have at least one dimension, got []`);
    if (!Array.isArray(t) || t.filter((d) => d === -1).length > 1 || t.some((d) => d !== -1 && !(Number.isInteger(d) && d > 0))) {
      throw new Error(`${this.name}: targetShape must be positive integers with at most one -1, got ${describe(t)}`);
    }
    this.targetShape = [...t];
  }
  protected computeOutputShape(inShape: number[]): number[] {
    const size = shapeSize(inShape);
    const out = [...this.targetShape];
    const free = out.indexOf(-1);
    if (free >= 0) {
      const rest = shapeSize(out.filter((d) => d !== -1));
      if (size % rest !== 0) throw new Error(`${this.name}: cannot reshape [${inShape}] (${size} values) into [${this.targetShape}]`);
      out[free] = size / rest;
    }
    checkShape(out, `${this.name}: targetShape`);
    if (shapeSize(out) !== size) throw new Error(`${this.name}: cannot reshape [${inShape}] (${size} values) into [${this.targetShape}] (${shapeSize(out)} values)`);
    return out;
  }
  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), targetShape: this.targetShape };
  }
}

/** RepeatVector: [batch, features] → [batch, n, features], each sample's row copied n times. */
export class RepeatVector extends Layer {
  readonly className = 'RepeatVector';
  readonly n: number;
  constructor(args: LayerArgs & { n: number }) {
    super(args, 'repeat_vector');
    this.n = checkNumber(args?.n, `${this.name}: n`, { min: 0, minExclusive: true, integer: true });
  }
  protected computeOutputShape(inShape: number[]): number[] {
    if (inShape.length !== 1) throw new Error(`${this.name}: expects inputs of shape [batch, features], got [null, ${inShape}]`);
    return [this.n, inShape[0]];
  }
  bindExtra(c: NodeCtx, p: Planner): void {
    // The forward is a strided copy with stride 0 along the repeated axis.
    c.saved = [p.ints([this.n, this.inShape[0], 0, 1])];
  }
  forward(c: NodeCtx, n: number): void {
    c.k.permute_f32(c.y, c.x, c.saved[0], n, 2, this.inShape[0], 0);
  }
  backward(c: NodeCtx, n: number): void {
    if (c.dx) c.k.repeat_backward_f32(c.dx, c.dy, n, this.n, this.inShape[0]);
  }
  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), n: this.n };
  }
}

/**
 * Permute: reorders the sample axes; `dims` is a permutation of 1…rank (1-based: axis 0 is the
 * batch, which stays first), as in TF.js. Forward and backward are strided copies in wasm.
 */
export class Permute extends Layer {
  readonly className = 'Permute';
  readonly dims: number[];
  constructor(args: LayerArgs & { dims: number[] }) {
    super(args, 'permute');
    const d = args?.dims;
    const ok = Array.isArray(d) && d.length > 0 && d.every((v) => Number.isInteger(v)) && [...d].sort((a, b) => a - b).every((v, i) => v === i + 1);
    if (!ok) throw new Error(`${this.name}: dims must be a permutation of 1..rank (the batch axis excluded), e.g. [2, 1]; got ${describe(d)}`);
    this.dims = [...d];
  }
  protected computeOutputShape(inShape: number[]): number[] {
    if (inShape.length !== this.dims.length) {
      throw new Error(`${this.name}: dims [${this.dims}] has ${this.dims.length} axes but the input's sample shape [${inShape}] has ${inShape.length}`);
    }
    return this.dims.map((d) => inShape[d - 1]);
  }
  /** The strided-copy tables: forward (output shape, input strides) and backward (the inverse). */
  bindExtra(c: NodeCtx, p: Planner): void {
    const perm = this.dims.map((d) => d - 1);
    const inv = perm.map((_, k) => perm.indexOf(k));
    c.saved = [p.ints(strideTable(this.inShape, perm)), p.ints(strideTable(this.outShape, inv))];
  }
  forward(c: NodeCtx, n: number): void {
    c.k.permute_f32(c.y, c.x, c.saved[0], n, this.dims.length, this.inSize, 0);
  }
  backward(c: NodeCtx, n: number): void {
    if (c.dx) c.k.permute_f32(c.dx, c.dy, c.saved[1], n, this.dims.length, this.outSize, 1);
  }
  getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dims: [...this.dims] };
  }
}

/** [output shape, input stride of each output axis] of a sample of `shape` permuted by `perm` (0-based). */
function strideTable(shape: number[], perm: number[]): number[] {
  const strides = shape.map((_, k) => shapeSize(shape.slice(k + 1)));
  return [...perm.map((q) => shape[q]), ...perm.map((q) => strides[q])];
}
