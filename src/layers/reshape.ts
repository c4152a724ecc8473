/** Flatten and Reshape: no kernel, no copy — the output is the input buffer seen with another shape. */
import { describe, shapeSize } from '../tensor.ts';
import { checkShape, Layer, type LayerArgs } from './layer.ts';

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
