/**
 * TF.js's chained API: `x.add(y).relu().sum(1)`. Each method is the op function with the tensor
 * as its first argument, attached to `Tensor.prototype` here so that `src/tensor.ts` does not
 * import the ops (which import it). Importing the package (`src/index.ts`) installs them.
 */
import { Tensor, type DType } from '../tensor.ts';
import * as shape from './shape.ts';
import * as ew from './elementwise.ts';
import * as red from './reduce.ts';
import * as la from './linalg.ts';
import { buffer, oneHot, onesLike, zerosLike } from './creation.ts';

type Chained<F> = F extends (x: never, ...rest: infer R) => infer O ? (...rest: R) => O : never;

const methods = {
  expandDims: shape.expandDims,
  squeeze: shape.squeeze,
  flatten: shape.flatten,
  transpose: shape.transpose,
  slice: shape.slice,
  gather: shape.gather,
  unstack: shape.unstack,
  split: shape.split,
  tile: shape.tile,
  pad: shape.pad,
  reverse: shape.reverse,
  clone: shape.clone,
  cast: shape.cast,
  add: ew.add,
  sub: ew.sub,
  mul: ew.mul,
  div: ew.div,
  pow: ew.pow,
  minimum: ew.minimum,
  maximum: ew.maximum,
  squaredDifference: ew.squaredDifference,
  mod: ew.mod,
  floorDiv: ew.floorDiv,
  neg: ew.neg,
  abs: ew.abs,
  sqrt: ew.sqrt,
  square: ew.square,
  exp: ew.exp,
  log: ew.log,
  sigmoid: ew.sigmoid,
  relu: ew.relu,
  tanh: ew.tanh,
  round: ew.round,
  floor: ew.floor,
  ceil: ew.ceil,
  sign: ew.sign,
  reciprocal: ew.reciprocal,
  clipByValue: ew.clipByValue,
  equal: ew.equal,
  notEqual: ew.notEqual,
  greater: ew.greater,
  greaterEqual: ew.greaterEqual,
  less: ew.less,
  lessEqual: ew.lessEqual,
  logicalAnd: ew.logicalAnd,
  logicalOr: ew.logicalOr,
  logicalNot: ew.logicalNot,
  logicalXor: ew.logicalXor,
  sum: red.sum,
  mean: red.mean,
  min: red.min,
  max: red.max,
  prod: red.prod,
  argMax: red.argMax,
  argMin: red.argMin,
  all: red.all,
  any: red.any,
  logSumExp: red.logSumExp,
  matMul: la.matMul,
  dot: la.dot,
  softmax: la.softmax,
  logSoftmax: la.logSoftmax,
  oneHot,
  zerosLike,
  onesLike,
};

/** Methods TF.js defines in terms of others. */
const extras = {
  concat(this: Tensor, x: Tensor | Tensor[], axis?: number): Tensor {
    return shape.concat([this, ...(Array.isArray(x) ? x : [x])], axis);
  },
  stack(this: Tensor, x: Tensor | Tensor[], axis?: number): Tensor {
    return shape.stack([this, ...(Array.isArray(x) ? x : [x])], axis);
  },
  /** `x.where(condition, other)`: x where the condition holds, else other (TF.js's order). */
  where(this: Tensor, condition: Parameters<typeof ew.where>[0], other: Parameters<typeof ew.where>[2]): Tensor {
    return ew.where(condition, this, other);
  },
  asType(this: Tensor, dtype: DType): Tensor {
    return shape.cast(this, dtype);
  },
  toFloat(this: Tensor): Tensor {
    return shape.cast(this, 'float32');
  },
  toInt(this: Tensor): Tensor {
    return shape.cast(this, 'int32');
  },
  toBool(this: Tensor): Tensor {
    return shape.cast(this, 'bool');
  },
  as1D(this: Tensor): Tensor {
    return this.reshape([this.size]);
  },
  as2D(this: Tensor, rows: number, columns: number): Tensor {
    return this.reshape([rows, columns]);
  },
  as3D(this: Tensor, rows: number, columns: number, depth: number): Tensor {
    return this.reshape([rows, columns, depth]);
  },
  as4D(this: Tensor, rows: number, columns: number, depth: number, depth2: number): Tensor {
    return this.reshape([rows, columns, depth, depth2]);
  },
  as5D(this: Tensor, rows: number, columns: number, depth: number, depth2: number, depth3: number): Tensor {
    return this.reshape([rows, columns, depth, depth2, depth3]);
  },
  asScalar(this: Tensor): Tensor {
    if (this.size !== 1) throw new Error(`asScalar: the tensor holds ${this.size} values, not 1`);
    return this.reshape([]);
  },
  reshapeAs(this: Tensor, x: Tensor): Tensor {
    return this.reshape(x.shape);
  },
  bufferSync(this: Tensor) {
    return buffer(this.shape as number[], this.dtype, this.values);
  },
  async buffer(this: Tensor) {
    return buffer(this.shape as number[], this.dtype, this.values);
  },
};

type Methods = { [K in keyof typeof methods]: Chained<(typeof methods)[K]> };
type Extras = { [K in keyof typeof extras]: OmitThisParameter<(typeof extras)[K]> };

declare module '../tensor.ts' {
  interface Tensor<D extends DType = DType> extends Methods, Extras {
    /** Phantom use of D so the merged declaration keeps the class's type parameter. */
    readonly __dtype?: D;
  }
}

for (const [name, fn] of Object.entries(methods) as [string, (x: Tensor, ...a: unknown[]) => unknown][]) {
  Object.defineProperty(Tensor.prototype, name, {
    value: function (this: Tensor, ...a: unknown[]) {
      return fn(this, ...a);
    },
    writable: true,
    configurable: true,
  });
}
for (const [name, fn] of Object.entries(extras)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}

