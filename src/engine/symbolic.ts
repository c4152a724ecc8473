/**
 * The symbolic side of the layer graph: a SymbolicTensor is the output of one use (Node) of a
 * layer. Nodes are created by `layer.apply` on symbolic tensors and by `input()`; they hold no
 * memory — each model's plan gives them pointers.
 */
import type { Layer } from '../layers/layer.ts';
import type { ModelDType } from '../tensor.ts';

let nextId = 0;

export class SymbolicTensor {
  readonly id = nextId++;
  readonly sampleShape: readonly number[];
  /**
   * Keras's mask (`embedding({ maskZero: true })`): the node whose plan buffer holds this value's
   * mask [batch, ...ids shape] (1 kept, 0 masked), or null. Set by `layer.apply` from
   * `layer.computeMask`.
   */
  mask: Node | null = null;
  constructor(
    sampleShape: readonly number[],
    readonly dtype: ModelDType,
    readonly node: Node,
  ) {
    this.sampleShape = Object.freeze([...sampleShape]);
  }
  /** TF.js's shape: the batch dimension first, as null. */
  get shape(): (number | null)[] {
    return [null, ...this.sampleShape];
  }
  get rank(): number {
    return this.sampleShape.length + 1;
  }
  get sourceLayer(): Layer {
    return this.node.layer;
  }
  get name(): string {
    const i = this.node.layer.inboundNodes.indexOf(this.node);
    return `${this.node.layer.name}/out${i > 0 ? `_${i}` : ''}`;
  }
  toString(): string {
    return `SymbolicTensor(${this.name}, [null, ${this.sampleShape.join(', ')}], ${this.dtype})`;
  }
}

/** One use of a layer: its inputs and its output. */
export class Node {
  readonly output: SymbolicTensor;
  constructor(
    readonly layer: Layer,
    readonly inputs: readonly SymbolicTensor[],
    outShape: readonly number[],
    dtype: ModelDType,
  ) {
    this.output = new SymbolicTensor(outShape, dtype, this);
  }
  /** Index of this node among its layer's uses (TF.js inbound node index). */
  get index(): number {
    return this.layer.inboundNodes.indexOf(this);
  }
}
