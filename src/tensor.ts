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

  /**
   * A tensor over `values` (not copied): a Float32Array for 'float32', an Int32Array for 'int32',
   * holding exactly the product of `shape` values. `tensor()` converts anything else.
   */
  constructor(values: TypedArrayFor<D>, shape: readonly number[], dtype: D) {
    if (dtype !== 'float32' && dtype !== 'int32') throw new TypeError(`Tensor: dtype must be 'float32' or 'int32', got ${describe(dtype)}`);
    const tag = dtype === 'int32' ? 'Int32Array' : 'Float32Array';
    if (!isTypedArray(values, tag)) {
      throw new TypeError(`Tensor: ${article(dtype)} tensor holds its values in ${article(tag)}, got ${describe(values)}; tensor(values, shape, dtype) converts arrays`);
    }
    checkDims(shape, 'Tensor: shape');
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
    return new Tensor(this.values, inferShape(shape, this.size, 'reshape'), this.dtype);
  }

  /** Rows [start, end) along the first dimension (clamped to the rows there are). No copy. */
  slice(start: number, end = this.shape[0]): Tensor<D> {
    if (this.rank === 0) throw new Error('slice: a scalar tensor has no rows');
    if (!Number.isInteger(start)) throw new TypeError(`slice: start must be an integer, got ${describe(start)}`);
    if (!Number.isInteger(end)) throw new TypeError(`slice: end must be an integer, got ${describe(end)}`);
    const row = this.shape[0] === 0 ? 0 : this.size / this.shape[0];
    const s = Math.max(0, Math.min(start, this.shape[0]));
    const e = Math.max(s, Math.min(end, this.shape[0]));
    const v = this.values.subarray(s * row, e * row) as TypedArrayFor<D>;
    return new Tensor(v, [e - s, ...this.shape.slice(1)], this.dtype);
  }

  /** Rows picked by index along the first dimension (a copy). */
  gather(indices: ArrayLike<number>): Tensor<D> {
    if (this.rank === 0) throw new Error('gather: a scalar tensor has no rows');
    if (indices === null || typeof indices !== 'object' || !Number.isInteger(indices.length) || indices.length < 0) {
      throw new TypeError(`gather: indices must be an array of row numbers, got ${describe(indices)}`);
    }
    const row = this.shape[0] === 0 ? 0 : this.size / this.shape[0];
    const out = new (this.values.constructor as new (n: number) => TypedArrayFor<D>)(indices.length * row);
    for (let i = 0; i < indices.length; i++) {
      const r = indices[i];
      if (!(Number.isInteger(r) && r >= 0 && r < this.shape[0])) throw new RangeError(`gather: row ${describe(r)} (indices[${i}]) is outside [0, ${this.shape[0]})`);
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

// ------------------------------------------------------------------ checks of values from users

const article = (name: string) => (/^[aeiouAEIOU]/.test(name) ? `an ${name}` : `a ${name}`);

/** How a value reads in an error message: numbers and strings as written, others by kind. */
export function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'number':
      return Object.is(v, -0) ? '-0' : String(v);
    case 'string':
      return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
    case 'bigint':
      return `${v}n (a BigInt)`;
    case 'boolean':
      return String(v);
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
  }
  if (Array.isArray(v)) {
    if (v.length <= 8 && v.every((x) => typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean' || x === null)) {
      return `[${v.map((x) => (typeof x === 'string' ? JSON.stringify(x) : String(x))).join(', ')}]`;
    }
    return `an array of ${v.length}`;
  }
  if (ArrayBuffer.isView(v)) return article(v.constructor?.name ?? 'typed array');
  if (v instanceof Tensor) return `a Tensor [${v.shape.join(', ')}]`;
  const name = (v as object).constructor?.name;
  return name && name !== 'Object' ? article(name) : 'an object';
}

/** Typed arrays by tag, so arrays from another realm (a worker, a vm context) count too. */
function isTypedArray(v: unknown, tag: 'Float32Array' | 'Int32Array'): boolean {
  return ArrayBuffer.isView(v) && Object.prototype.toString.call(v) === `[object ${tag}]`;
}

/** The largest finite float32. Options that reach a kernel as f32 must stay below it. */
export const F32_MAX = 3.4028234663852886e38;

export interface NumberRule {
  /** Bounds; `exclusive` makes them open. Default: any finite float32. */
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  integer?: boolean;
}

/**
 * A finite number (as float32 too: options go to f32 kernels) within the rule, or a clear error
 * naming `what` (e.g. "optimizers.adam: beta1"), the expected range and the actual value.
 */
export function checkNumber(v: unknown, what: string, rule: NumberRule = {}): number {
  const { min, max, minExclusive = false, maxExclusive = false, integer = false } = rule;
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    Math.abs(v) <= F32_MAX &&
    (!integer || Number.isInteger(v)) &&
    (min === undefined || (minExclusive ? v > min : v >= min)) &&
    (max === undefined || (maxExclusive ? v < max : v <= max)) &&
    // A positive option must stay positive in float32 (1e-50 would reach the kernel as 0).
    !(min === 0 && minExclusive && Math.fround(v) === 0);
  if (!ok) {
    let why = '';
    if (typeof v === 'number' && Number.isFinite(v)) {
      if (Math.abs(v) > F32_MAX) why = ' (beyond float32, whose largest value is 3.4e38)';
      else if (v !== 0 && Math.fround(v) === 0) why = ' (0 in float32)';
    }
    throw new RangeError(`${what}: expected ${ruleText(rule)}, got ${describe(v)}${why}`);
  }
  return v as number;
}

function ruleText({ min, max, minExclusive, maxExclusive, integer }: NumberRule): string {
  const kind = integer ? 'an integer' : 'a number';
  if (min === 0 && minExclusive && max === undefined) return integer ? 'a positive integer' : 'a positive number';
  if (min === 0 && !minExclusive && max === undefined) return integer ? 'a non-negative integer' : 'a number >= 0';
  if (min !== undefined && max !== undefined) return `${kind} in ${minExclusive ? '(' : '['}${min}, ${max}${maxExclusive ? ')' : ']'}`;
  if (min !== undefined) return `${kind} ${minExclusive ? '>' : '>='} ${min}`;
  if (max !== undefined) return `${kind} ${maxExclusive ? '<' : '<='} ${max}`;
  return 'a finite number';
}

export function checkBoolean(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${what}: expected true or false, got ${describe(v)}`);
  return v;
}

/**
 * An options argument: undefined becomes {}; anything but a plain object is an error, and so is
 * a key not in `known` (a typo such as `learningrate` would otherwise be ignored silently).
 */
export function checkOptions<T extends object>(args: T | undefined | null, who: string, known: readonly string[], required: boolean | string = false): T {
  if (args === undefined && !required) return {} as T;
  if (args === null || typeof args !== 'object' || Array.isArray(args) || ArrayBuffer.isView(args)) {
    const shape = typeof required === 'string' ? ` such as ${required}` : known.length ? ` ({ ${known.join(', ')} })` : '';
    throw new TypeError(`${who}: expected an options object${shape}, got ${describe(args)}`);
  }
  const unknown = Object.keys(args).filter((k) => !known.includes(k));
  if (unknown.length) {
    throw new Error(`${who}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; expected ${known.length ? `one of ${known.join(', ')}` : 'no options'}`);
  }
  return args;
}

/** `name` is an own key of `table` (so 'toString' or 'constructor' never match Object.prototype). */
export function hasOwnName(table: object, name: unknown): name is string {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(table, name);
}

/** Dimensions: a list of integers >= 0 (each within int32). */
function checkDims(shape: unknown, what: string): asserts shape is number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${what}: expected a list of dimensions, got ${describe(shape)}`);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!(Number.isInteger(d) && d >= 0 && d <= 0x7fffffff)) throw new RangeError(`${what}: dimension ${i} must be an integer >= 0, got ${describe(d)} (shape ${describe(shape)})`);
  }
}

function inferShape(shape: unknown, size: number, who: string): number[] {
  if (!Array.isArray(shape)) throw new TypeError(`${who}: shape must be a list of dimensions, got ${describe(shape)}`);
  const out = [...(shape as number[])];
  const free = out.indexOf(-1);
  if (free >= 0 && out.indexOf(-1, free + 1) >= 0) throw new Error(`${who}: shape ${describe(shape)} has more than one -1`);
  if (free >= 0) {
    out[free] = 0;
    checkDims(out, `${who}: shape`);
    const rest = shapeSize(out.filter((_, i) => i !== free));
    if (rest === 0 || size % rest !== 0) throw new Error(`${who}: cannot fit ${size} values into [${shape.join(', ')}]`);
    out[free] = size / rest;
  }
  checkDims(out, `${who}: shape`);
  if (shapeSize(out) !== size) throw new Error(`${who}: cannot reshape ${size} values into [${shape.join(', ')}]`);
  return out;
}

/** Where a value sits in a nested array, e.g. `[1][0]`, and "row 1, column 0" for a matrix. */
function at(path: number[]): string {
  const idx = path.map((i) => `[${i}]`).join('');
  return path.length === 2 ? `${idx} (row ${path[0]}, column ${path[1]})` : idx;
}

function flatten(values: unknown, shape: number[], path: number[], out: number[]): void {
  const depth = path.length;
  if (Array.isArray(values)) {
    if (shape.length <= depth) {
      if (shape.length < depth || (depth > 0 && out.length > 0)) throw new Error(`tensor: ragged nested array: an array at ${at(path)} where the others hold numbers`);
      shape.push(values.length);
    } else if (shape[depth] !== values.length) {
      throw new Error(`tensor: ragged nested array at depth ${depth}: ${values.length} vs ${shape[depth]} (at ${at(path)})`);
    }
    // An index loop, not for…of: holes must be seen (as undefined) and reported.
    for (let i = 0; i < values.length; i++) {
      path.push(i);
      flatten(values[i], shape, path, out);
      path.pop();
    }
    return;
  }
  if (depth !== shape.length) throw new Error(`tensor: ragged nested array: a number at ${at(path)} where the others hold arrays`);
  if (typeof values !== 'number') {
    const hole = depth > 0 && values === undefined ? ' (a hole or undefined)' : '';
    throw new TypeError(`tensor: expected a number at ${depth ? at(path) : 'the top level'}, got ${describe(values)}${hole}`);
  }
  out.push(values);
}

type TensorLikeValues = NestedArray | ArrayLike<number> | Float32Array | Int32Array;

function isArrayLike(v: object): v is ArrayLike<unknown> {
  const n = (v as { length?: unknown }).length;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0;
}

/**
 * `tensor(values, shape?, dtype?)`: nested arrays, flat arrays or typed arrays. Typed arrays
 * are used without a copy when their type matches. Every cell must be a number (NaN included:
 * it is a value); strings, undefined, holes, objects are errors that say where they are.
 * int32 tensors take integers within int32 only (nothing is truncated or wrapped).
 */
export function tensor(values: TensorLikeValues | Tensor, shape?: readonly number[], dtype?: DType): Tensor {
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'int32') throw new TypeError(`tensor: dtype must be 'float32' or 'int32', got ${describe(dtype)}`);
  if (values instanceof Tensor) return tensor(values.values, shape ?? values.shape, dtype ?? values.dtype);
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (ArrayBuffer.isView(values)) {
    if (values instanceof DataView || values instanceof BigInt64Array || values instanceof BigUint64Array) {
      throw new TypeError(`tensor: expected numbers, got ${describe(values)}`);
    }
    flat = values as ArrayLike<number>;
    inferred = [flat.length];
  } else if (Array.isArray(values) || typeof values !== 'object' || values === null) {
    const acc: number[] = [];
    inferred = [];
    flatten(values, inferred, [], acc);
    flat = acc;
  } else if (isArrayLike(values)) {
    const a = values as ArrayLike<unknown>;
    for (let i = 0; i < a.length; i++) {
      if (typeof a[i] !== 'number') throw new TypeError(`tensor: expected a number at [${i}], got ${describe(a[i])}`);
    }
    flat = a as ArrayLike<number>;
    inferred = [flat.length];
  } else {
    throw new TypeError(`tensor: expected a number, a (nested) array or a typed array, got ${describe(values)}`);
  }
  const dt: DType = dtype ?? (isTypedArray(values, 'Int32Array') ? 'int32' : 'float32');
  const finalShape = shape !== undefined ? inferShape(shape, flat.length, 'tensor') : inferred;
  let data: Float32Array | Int32Array;
  if (dt === 'int32') {
    if (isTypedArray(flat, 'Int32Array')) data = flat as Int32Array;
    else {
      for (let i = 0; i < flat.length; i++) {
        const v = flat[i];
        if (!(Number.isInteger(v) && v >= -2147483648 && v <= 2147483647)) throw new RangeError(`tensor: an int32 tensor takes integers in int32 range, got ${describe(v)} at index ${i}`);
      }
      data = Int32Array.from(flat);
    }
  } else data = isTypedArray(flat, 'Float32Array') ? (flat as Float32Array) : Float32Array.from(flat);
  return new Tensor(data, finalShape, dt);
}

/** Anything the model accepts as data: a Tensor or something `tensor()` understands. */
export type TensorLike = Tensor | TensorLikeValues;
export function toTensor(x: TensorLike, what: string): Tensor {
  if (x instanceof Tensor) return x;
  if (x === null || x === undefined) throw new TypeError(`${what}: expected a tensor or array, got ${x}`);
  try {
    return tensor(x);
  } catch (e) {
    // Name the argument rather than tensor(): "fit: x: expected a number at [3][1] …".
    const err = e as Error;
    const Ctor = err instanceof TypeError ? TypeError : err instanceof RangeError ? RangeError : Error;
    throw new Ctor(`${what}: ${err.message.replace(/^tensor: /, '')}`);
  }
}
