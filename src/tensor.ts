/**
 * A host-side tensor: data in JS memory (Float32Array, Int32Array, or Uint8Array for bool) and
 * a shape. Datasets live here; the model copies batches into the arena at its edges.
 * Ops (`src/ops/`) are functions over tensors and chained methods attached by `src/ops/chain.ts`.
 */
import { newTensorId, track, untrack } from './ops/tidy.ts';
import { tensorToString } from './ops/format.ts';
import { resolveShape } from './ops/creation.ts';

export type DType = 'float32' | 'int32' | 'bool';
/** What model inputs and labels hold: bool tensors are cast by the user, as for any layer. */
export type ModelDType = 'float32' | 'int32';
export type TypedArrayFor<D extends DType> = D extends 'int32' ? Int32Array : D extends 'bool' ? Uint8Array : Float32Array;
export type NestedArray = number | NestedArray[];

const ARRAY_TAG = { float32: 'Float32Array', int32: 'Int32Array', bool: 'Uint8Array' } as const;

/** While false, new tensors are not counted by `memory()` (library-internal views only). */
let tracking = true;

/**
 * Runs `fn` with tensor tracking off: for views the library makes and drops internally (a batch
 * of rows in a data pipeline), which users never see and so never dispose.
 */
export function untracked<T>(fn: () => T): T {
  const was = tracking;
  tracking = false;
  try {
    return fn();
  } finally {
    tracking = was;
  }
}

export class Tensor<D extends DType = DType> {
  readonly shape: readonly number[];
  readonly dtype: D;
  readonly size: number;
  readonly id: number;
  #values: TypedArrayFor<D> | null;
  readonly #tracked: boolean;

  /**
   * A tensor over `values` (not copied): a Float32Array for 'float32', an Int32Array for 'int32',
   * a Uint8Array of 0/1 for 'bool', holding exactly the product of `shape` values. `tensor()`
   * converts anything else.
   */
  constructor(values: TypedArrayFor<D>, shape: readonly number[], dtype: D) {
    if (!hasOwnName(ARRAY_TAG, dtype)) throw new TypeError(`Tensor: dtype must be 'float32', 'int32' or 'bool', got ${describe(dtype)}`);
    const tag = ARRAY_TAG[dtype];
    if (!isTypedArray(values, tag)) {
      throw new TypeError(`Tensor: ${article(dtype)} tensor holds its values in ${article(tag)}, got ${describe(values)}; tensor(values, shape, dtype) converts arrays`);
    }
    checkDims(shape, 'Tensor: shape');
    const size = shapeSize(shape);
    if (size !== values.length) {
      throw new Error(`tensor: shape [${shape.join(', ')}] holds ${size} values, got ${values.length}`);
    }
    this.#values = values;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = size;
    this.id = newTensorId();
    this.#tracked = tracking;
    if (tracking) track(this);
  }

  /** The values, row-major. Shared, not copied: treat as read-only unless you own the tensor. */
  get values(): TypedArrayFor<D> {
    if (this.#values === null) throw new Error(`Tensor is disposed (tensor ${this.id}, ${this.dtype} [${this.shape.join(', ')}])`);
    return this.#values;
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.#values === null;
  }

  /** For `memory()`: tensors sharing one value array count it once. */
  get dataKey(): object {
    return this.#values ?? this;
  }
  get byteLength(): number {
    return this.#values ? this.#values.byteLength : 0;
  }

  /** Releases the values: reading the tensor afterwards throws, as in TF.js. Twice is harmless. */
  dispose(): void {
    if (this.#values === null) return;
    if (this.#tracked) untrack(this);
    this.#values = null;
  }
  /** @internal for tidy, which has already uncounted the tensor. */
  disposeQuietly(): void {
    this.#values = null;
  }

  /** A copy of the values. */
  dataSync(): TypedArrayFor<D> {
    return this.values.slice() as TypedArrayFor<D>;
  }
  async data(): Promise<TypedArrayFor<D>> {
    return this.dataSync();
  }
  /** The values as nested JS arrays following the shape (bools as true/false, as TF.js). */
  arraySync(): NestedArray {
    const { shape } = this;
    const values: ArrayLike<number | boolean> = this.dtype === 'bool' ? Array.from(this.values, (v) => v !== 0) : this.values;
    if (shape.length === 0) return values[0] as number;
    const build = (dim: number, offset: number): NestedArray[] => {
      const n = shape[dim];
      const stride = shapeSize(shape.slice(dim + 1));
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) {
        out[i] = dim === shape.length - 1 ? (values[offset + i] as number) : build(dim + 1, offset + i * stride);
      }
      return out;
    };
    return build(0, 0);
  }
  async array(): Promise<NestedArray> {
    return this.arraySync();
  }

  /** TF.js's layout: `Tensor\n    [[1, 2],\n     [3, 4]]`; `verbose` adds dtype, rank and shape. */
  toString(verbose = false): string {
    return tensorToString(this, verbose);
  }
  print(verbose = false): void {
    console.log(this.toString(verbose));
  }

  /** Same values, another shape (one dimension may be -1). No copy. */
  reshape(shape: readonly number[]): Tensor<D> {
    return new Tensor(this.values, resolveShape(shape, this.size, 'reshape'), this.dtype);
  }
}

/**
 * Rows [start, end) along the first dimension (clamped to the rows there are), sharing the
 * values. Untracked: for the library's own pipelines, not for users (TF.js's `slice` is theirs).
 */
export function rows<D extends DType>(t: Tensor<D>, start: number, end = t.shape[0]): Tensor<D> {
  if (t.rank === 0) throw new Error('rows: a scalar tensor has no rows');
  const row = t.shape[0] === 0 ? 0 : t.size / t.shape[0];
  const s = Math.max(0, Math.min(start, t.shape[0]));
  const e = Math.max(s, Math.min(end, t.shape[0]));
  const v = t.values.subarray(s * row, e * row) as TypedArrayFor<D>;
  return untracked(() => new Tensor(v, [e - s, ...t.shape.slice(1)], t.dtype));
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
function isTypedArray(v: unknown, tag: string): boolean {
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

/**
 * Anything the model and the ops accept as data, and the one converter (`src/ops/creation.ts`):
 * a Tensor as is, anything else through `tensor()`, untracked (an op's temporary, as in TF.js),
 * with errors naming the argument.
 */
export type { TensorLike } from './ops/creation.ts';
export { tensor, convertToTensor as toTensor } from './ops/creation.ts';
