/**
 * A host-side tensor: data in JS memory (Float32Array, or Int32Array for labels) and a shape.
 * Datasets live here; the model copies batches into the arena at its edges.
 */
export type DType = 'float32' | 'int32';
export type TypedArrayFor<D extends DType> = D extends 'int32' ? Int32Array : Float32Array;
export type NestedArray = number | NestedArray[];

export class Tensor<D extends DType = DType> {
  readonly shape: readonly number[];
  readonly dtype: D;
  readonly size: number;
  /** The values, row-major. Shared, not copied: treat as read-only unless you own the tensor. */
  readonly values: TypedArrayFor<D>;

  constructor(values: TypedArrayFor<D>, shape: readonly number[], dtype: D) {
    const size = shapeSize(shape);
    if (size !== values.length) {
      throw new Error(`tensor: shape [${shape.join(', ')}] holds ${size} values, got ${values.length}`);
    }
    this.values = values;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = size;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** A copy of the values. */
  dataSync(): TypedArrayFor<D> {
    return this.values.slice() as TypedArrayFor<D>;
  }
  async data(): Promise<TypedArrayFor<D>> {
    return this.dataSync();
  }
  /** The values as nested JS arrays following the shape. */
  arraySync(): NestedArray {
    const { shape, values } = this;
    if (shape.length === 0) return values[0];
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = shape[dim];
      const stride = shapeSize(shape.slice(dim + 1));
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = dim === shape.length - 1 ? values[offset + i] : build(dim + 1, offset + i * stride);
      }
      return out;
    };
    return build(0, 0);
  }
  async array(): Promise<NestedArray> {
    return this.arraySync();
  }

  /** Same values, another shape (one dimension may be -1). No copy. */
  reshape(shape: readonly number[]): Tensor<D> {
    return new Tensor(this.values, inferShape(shape, this.size), this.dtype);
  }

  /** Rows [start, end) along the first dimension. No copy. */
  slice(start: number, end = this.shape[0]): Tensor<D> {
    const row = this.size / Math.max(this.shape[0], 1);
    const s = Math.max(0, Math.min(start, this.shape[0]));
    const e = Math.max(s, Math.min(end, this.shape[0]));
    const v = this.values.subarray(s * row, e * row) as TypedArrayFor<D>;
    return new Tensor(v, [e - s, ...this.shape.slice(1)], this.dtype);
  }

  /** Rows picked by index along the first dimension (a copy). */
  gather(indices: ArrayLike<number>): Tensor<D> {
    const row = this.size / Math.max(this.shape[0], 1);
    const out = new (this.values.constructor as new (n: number) => TypedArrayFor<D>)(indices.length * row);
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i];
      if (!(r >= 0 && r < this.shape[0])) throw new RangeError(`gather: row ${r} is outside [0, ${this.shape[0]})`);
      out.set(this.values.subarray(r * row, (r + 1) * row), i * row);
    }
    return new Tensor(out, [indices.length, ...this.shape.slice(1)], this.dtype);
  }

  /** Kept for TF.js compatibility: host tensors are garbage-collected. */
  dispose(): void {}

  toString(): string {
    return `Tensor(${this.dtype}, [${this.shape.join(', ')}])`;
  }
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function inferShape(shape: readonly number[], size: number): number[] {
  const out = [...shape];
  const free = out.indexOf(-1);
  if (free >= 0) {
    const rest = shapeSize(out.filter((_, i) => i !== free));
    if (rest === 0 || size % rest !== 0) throw new Error(`reshape: cannot fit ${size} values into [${shape.join(', ')}]`);
    out[free] = size / rest;
  }
  if (out.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`reshape: bad shape [${shape.join(', ')}]`);
  if (shapeSize(out) !== size) throw new Error(`reshape: cannot reshape ${size} values into [${shape.join(', ')}]`);
  return out;
}

function flatten(values: NestedArray, shape: number[], depth: number, out: number[]): void {
  if (Array.isArray(values)) {
    if (shape.length <= depth) shape.push(values.length);
    else if (shape[depth] !== values.length) throw new Error(`tensor: ragged nested array at depth ${depth}: ${values.length} vs ${shape[depth]}`);
    for (const v of values) flatten(v, shape, depth + 1, out);
  } else {
    if (depth !== shape.length) throw new Error('tensor: ragged nested array');
    out.push(values);
  }
}

type TensorLikeValues = NestedArray | ArrayLike<number> | Float32Array | Int32Array;

/**
 * `tensor(values, shape?, dtype?)`: nested arrays, flat arrays or typed arrays. Typed arrays
 * are used without a copy when their type matches.
 */
export function tensor(values: TensorLikeValues, shape?: readonly number[], dtype?: DType): Tensor {
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (ArrayBuffer.isView(values) || (typeof values === 'object' && values !== null && !Array.isArray(values))) {
    flat = values as ArrayLike<number>;
    inferred = [flat.length];
  } else {
    const acc: number[] = [];
    inferred = [];
    flatten(values as NestedArray, inferred, 0, acc);
    flat = acc;
  }
  const dt: DType = dtype ?? (values instanceof Int32Array ? 'int32' : 'float32');
  const finalShape = shape ? inferShape(shape, flat.length) : inferred;
  let data: Float32Array | Int32Array;
  if (dt === 'int32') data = flat instanceof Int32Array ? flat : Int32Array.from(flat);
  else data = flat instanceof Float32Array ? flat : Float32Array.from(flat);
  return new Tensor(data, finalShape, dt);
}

/** Anything the model accepts as data: a Tensor or something `tensor()` understands. */
export type TensorLike = Tensor | TensorLikeValues;
export function toTensor(x: TensorLike, what: string): Tensor {
  if (x instanceof Tensor) return x;
  if (x === null || x === undefined) throw new TypeError(`${what}: expected a tensor or array, got ${x}`);
  return tensor(x);
}
