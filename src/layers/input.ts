/** The input of a graph: `input({ shape })` makes an InputLayer and returns its symbolic output. */
import { type ModelDType, checkOptions, describe } from '../tensor.ts';
import { Node, type SymbolicTensor } from '../engine/symbolic.ts';
import { checkShape, Layer, positiveInt } from './layer.ts';

export interface InputArgs {
  /** Shape of one sample (no batch dimension). */
  shape?: number[];
  /** TF.js spelling with the batch dimension first (null). */
  batchShape?: (number | null)[];
  name?: string;
  /** 'int32' for token ids (embeddings). Default 'float32'. */
  dtype?: ModelDType;
}

export class InputLayer extends Layer {
  readonly className = 'InputLayer';
  readonly dtype: ModelDType;
  readonly output: SymbolicTensor;
  constructor(args: InputArgs) {
    if (!args || typeof args !== 'object') throw new Error(`input: expected { shape }, got ${describe(args)}`);
    checkOptions(args, 'input', ['shape', 'batchShape', 'name', 'dtype']);
    if (args.name !== undefined && (typeof args.name !== 'string' || args.name === '')) throw new Error(`input: name must be a non-empty string, got ${describe(args.name)}`);
    if (args.shape !== undefined && args.batchShape !== undefined) throw new Error('input: give shape or batchShape, not both');
    if (args.batchShape !== undefined && !Array.isArray(args.batchShape)) throw new Error(`input: batchShape must be a list [null, ...sample dimensions], got ${describe(args.batchShape)}`);
    const shape = args.shape ?? (args.batchShape ? (args.batchShape.slice(1) as number[]) : undefined);
    if (shape === undefined) throw new Error('input: shape is required, e.g. input({ shape: [784] })');
    checkShape(shape, `input${args.name ? ` ${args.name}` : ''}: shape`);
    // batchShape's first entry, null or a positive integer, is the batch size stateful layers
    // downstream read.
    const b0 = args.batchShape?.[0];
    if (b0 !== null && b0 !== undefined) positiveInt(b0, `input${args.name ? ` ${args.name}` : ''}: batchShape[0] (the batch size)`);
    super({ name: args.name, ...(args.batchShape ? { batchInputShape: args.batchShape } : {}) }, 'input');
    if (args.dtype !== undefined && args.dtype !== 'float32' && args.dtype !== 'int32') {
      throw new Error(`${this.name}: dtype must be 'float32' or 'int32', got ${describe(args.dtype)}`);
    }
    this.dtype = args.dtype ?? 'float32';
    this.inShapes = [[...shape]];
    this.outShape = [...shape];
    this.built = true;
    const node = new Node(this, [], shape, this.dtype);
    this.inboundNodes.push(node);
    this.output = node.output;
  }
  get arity(): [number, number] {
    return [0, 0];
  }
  get outputDType(): ModelDType {
    return this.dtype;
  }
  forward(): void {}
  backward(): void {}
  getConfig(): Record<string, unknown> {
    return { name: this.name, batchInputShape: [this.givenBatch, ...this.outShape], dtype: this.dtype, sparse: false };
  }
}

export function input(args: InputArgs): SymbolicTensor {
  return new InputLayer(args).output;
}
