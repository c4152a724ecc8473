/**
 * The symbolic side of the layer graph: a SymbolicTensor is an output of one use (Node) of a
 * layer (a recurrent layer with returnState gives several, told apart by `index`). Nodes are
 * created by `layer.apply` on symbolic tensors and by `input()`; they hold no memory — each
 * model's plan gives them pointers.
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
    /** Which of its node's outputs this is (TF.js's tensor index; recurrent layers with returnState have several). */
    readonly index = 0,
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
    return `${this.node.layer.name}/out${i > 0 ? `_${i}` : ''}${this.index > 0 ? `:${this.index}` : ''}`;
  }
  toString(): string {
    return `SymbolicTensor(${this.name}, [null, ${this.sampleShape.join(', ')}], ${this.dtype})`;
  }
}

/** One use of a layer: its inputs and its outputs (one, or a recurrent layer's output and final states). */
export class Node {
  readonly outputs: readonly SymbolicTensor[];
  constructor(
    readonly layer: Layer,
    readonly inputs: readonly SymbolicTensor[],
    outShape: readonly number[],
    dtype: ModelDType,
    /** Further outputs' sample shapes (returnState's final states; always float32). */
    moreShapes: readonly (readonly number[])[] = [],
  ) {
    this.outputs = Object.freeze([new SymbolicTensor(outShape, dtype, this, 0), ...moreShapes.map((s, i) => new SymbolicTensor(s, 'float32', this, i + 1))]);
  }
  /** The first output (the only one of every layer but a recurrent one with returnState). */
  get output(): SymbolicTensor {
    return this.outputs[0];
  }
  /** Index of this node among its layer's uses (TF.js inbound node index). */
  get index(): number {
    return this.layer.inboundNodes.indexOf(this);
  }
}
