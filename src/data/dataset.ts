/**
 * `tf.data`: TF.js's lazy, re-iterable datasets (tfjs-data `Dataset`), with its sizes, batching
 * and tensor ownership:
 *
 * - Every `iterator()` starts the pipeline anew (`data.generator` calls its function again), so a
 *   dataset can be iterated once per epoch.
 * - Tensors are owned by the element that carries them. `data.array` hands out clones (sharing
 *   the values, so the array's own tensors survive the pipeline); `map`, `mapAsync`, `batch`,
 *   `forEachAsync` dispose an element's tensors that do not pass through to their output;
 *   `filter` and `skip` dispose the elements they drop; `map` and `filter` run their function in
 *   `tidy`, so the temporaries it makes are disposed too.
 * - Each iterator serialises its `next()` calls: a pipeline stage never sees two at once.
 *
 * Where TF.js 4.x contradicts its own documentation, the documentation is followed and the
 * difference is noted at the method (`shuffle` with reshuffleEachIteration = false, `skip` with
 * a negative count, `zip` of a dataset of unknown size).
 */
import { Tensor, describe, tensor } from '../tensor.ts';
import { Random, globalRandom } from '../random.ts';
import { tidy } from '../ops/tidy.ts';

/** What a dataset element may be: tensors, numbers, booleans, strings, typed arrays, and arrays or objects of them. */
export type TensorContainer =
  | void
  | Tensor
  | number
  | boolean
  | string
  | Float32Array
  | Int32Array
  | Uint8Array
  | TensorContainer[]
  | { [key: string]: TensorContainer };

export type IteratorResult<T> = { value: T; done: false } | { value: null; done: true };

const DONE = Object.freeze({ value: null, done: true } as const);

/**
 * One pass over a dataset (what `await dataset.iterator()` gives): `next()` resolves to
 * `{ value, done: false }` per element, then `{ value: null, done: true }` for good.
 */
export class DataIterator<T> {
  #last: Promise<unknown> = Promise.resolve();
  readonly #pull: () => Promise<IteratorResult<T>>;
  /** @internal pipeline stages make these; users get them from `dataset.iterator()`. */
  constructor(pull: () => Promise<IteratorResult<T>>) {
    this.#pull = pull;
  }
  next(): Promise<IteratorResult<T>> {
    // Each call starts after the previous one settled: stages keep state between elements.
    const p = this.#last.then(() => this.#pull());
    this.#last = p.catch(() => undefined);
    return p;
  }
  /** The remaining elements, in order. */
  async toArray(): Promise<T[]> {
    const out: T[] = [];
    for (let r = await this.next(); !r.done; r = await this.next()) out.push(r.value);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Elements: tensors inside containers
// ---------------------------------------------------------------------------------------------

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object' || x instanceof Tensor || ArrayBuffer.isView(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function tensorsIn(x: unknown, out: Set<Tensor>): Set<Tensor> {
  if (x instanceof Tensor) out.add(x);
  else if (Array.isArray(x)) for (const v of x) tensorsIn(v, out);
  else if (isPlainObject(x)) for (const v of Object.values(x)) tensorsIn(v, out);
  return out;
}

/** Disposes the tensors of `input` that are not part of `output` (TF.js's MapIterator rule). */
function disposeExcept(input: unknown, output: unknown): void {
  const keep = tensorsIn(output, new Set());
  for (const t of tensorsIn(input, new Set())) if (!keep.has(t)) t.dispose();
}

function disposeAll(x: unknown): void {
  for (const t of tensorsIn(x, new Set())) t.dispose();
}

/** New containers all the way down; tensors cloned (over the same values, as TF.js's clone). */
function deepClone<T>(x: T): T {
  if (x instanceof Tensor) return new Tensor(x.values, x.shape, x.dtype) as T;
  if (Array.isArray(x)) return x.map(deepClone) as T;
  if (isPlainObject(x)) {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) o[k] = deepClone(v);
    return o as T;
  }
  return x;
}

const pathText = (path: string) => (path ? ` at ${path}` : '');

/**
 * Column-major batching (TF.js's deepBatchConcat): for each leaf of the element structure, the
 * values of every row become one tensor with the batch as axis 0. Tensors are stacked (same
 * shape and dtype), numbers and booleans and (nested) arrays of them become a tensor, typed
 * arrays are stacked as rows; objects recurse key by key. An array of tensors recurses by index
 * (TF.js cannot batch one; simdnet's multi-input models take arrays of tensors).
 */
function batchRows(rows: unknown[], path: string): unknown {
  const first = rows[0];
  if (isPlainObject(first)) {
    const keys = Object.keys(first);
    rows.forEach((r, i) => {
      if (!isPlainObject(r) || Object.keys(r).length !== keys.length || keys.some((k) => !(k in r))) {
        throw new Error(`Dataset.batch: element ${i}${pathText(path)} is ${describe(r)} with keys [${isPlainObject(r) ? Object.keys(r).join(', ') : ''}], but element 0 has keys [${keys.join(', ')}]`);
      }
    });
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = batchRows(rows.map((r) => (r as Record<string, unknown>)[k]), path ? `${path}.${k}` : k);
    return out;
  }
  if (Array.isArray(first) && first.some((v) => v instanceof Tensor || isPlainObject(v))) {
    rows.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== first.length) {
        throw new Error(`Dataset.batch: element ${i}${pathText(path)} is ${describe(r)}, but element 0 is an array of ${first.length}`);
      }
    });
    return first.map((_, j) => batchRows(rows.map((r) => (r as unknown[])[j]), `${path}[${j}]`));
  }
  if (first instanceof Tensor) return stackTensors(rows, path);
  if (ArrayBuffer.isView(first)) return stackTypedArrays(rows, path);
  try {
    return tensor(rows as never);
  } catch (e) {
    throw new Error(`Dataset.batch: the values${pathText(path)} do not form a tensor: ${(e as Error).message.replace(/^tensor: /, '')}`);
  }
}

function stackTensors(rows: unknown[], path: string): Tensor {
  const first = rows[0] as Tensor;
  const shape = first.shape;
  const size = first.size;
  const out = new (first.values.constructor as new (n: number) => Float32Array | Int32Array | Uint8Array)(rows.length * size);
  rows.forEach((r, i) => {
    if (!(r instanceof Tensor)) throw new Error(`Dataset.batch: element ${i}${pathText(path)} is ${describe(r)}, but element 0 is a Tensor`);
    if (r.dtype !== first.dtype || r.shape.length !== shape.length || r.shape.some((d, j) => d !== shape[j])) {
      throw new Error(`Dataset.batch: element ${i}${pathText(path)} is a ${r.dtype} tensor [${r.shape.join(', ')}], but element 0 is ${first.dtype} [${shape.join(', ')}]; a batch stacks tensors of one shape and dtype`);
    }
    out.set(r.values, i * size);
  });
  return new Tensor(out as Float32Array, [rows.length, ...shape], first.dtype);
}

function stackTypedArrays(rows: unknown[], path: string): Tensor {
  const first = rows[0] as ArrayLike<number>;
  const tag = Object.prototype.toString.call(first).slice(8, -1);
  // TF.js's dtype inference for typed arrays: float arrays give float32, integer arrays int32.
  const float = tag === 'Float32Array' || tag === 'Float64Array';
  const n = first.length;
  const out = float ? new Float32Array(rows.length * n) : new Int32Array(rows.length * n);
  rows.forEach((r, i) => {
    if (!ArrayBuffer.isView(r) || (r as unknown as ArrayLike<number>).length !== n) {
      throw new Error(`Dataset.batch: element ${i}${pathText(path)} is ${describe(r)}, but element 0 is ${describe(first)} of length ${n}`);
    }
    out.set(r as unknown as ArrayLike<number>, i * n);
  });
  return float ? new Tensor(out as Float32Array, [rows.length, n], 'float32') : new Tensor(out as Int32Array, [rows.length, n], 'int32');
}

// ---------------------------------------------------------------------------------------------
// Argument checks
// ---------------------------------------------------------------------------------------------

function checkFunction(f: unknown, what: string): void {
  if (typeof f !== 'function') throw new TypeError(`${what}: expected a function, got ${describe(f)}`);
}

function checkCount(v: unknown, what: string, rule: 'positive' | 'non-negative'): number {
  const min = rule === 'positive' ? 1 : 0;
  if (!(Number.isInteger(v) && (v as number) >= min)) {
    throw new RangeError(`${what}: expected ${rule === 'positive' ? 'a positive integer' : 'an integer >= 0'}, got ${describe(v)}`);
  }
  return v as number;
}

/** A seed as TF.js takes it (a string for seedrandom) or a number, as the generator's number. */
function seedNumber(seed: unknown, what: string): number {
  if (typeof seed === 'number' && Number.isFinite(seed)) return seed;
  if (typeof seed === 'string') {
    // FNV-1a: a string seed gives a fixed number, the same in every runtime.
    let h = 0x811c9dc5;
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }
  throw new TypeError(`${what}: expected a number or a string, got ${describe(seed)}`);
}

// ---------------------------------------------------------------------------------------------
// Dataset
// ---------------------------------------------------------------------------------------------

/**
 * A lazy, re-iterable sequence of elements (TF.js `tf.data.Dataset`). Made by `data.array`,
 * `data.generator`, `data.zip`; each method returns a new dataset and leaves this one as it was.
 */
export class Dataset<T = TensorContainer> {
  /** The number of elements when known (Infinity for an endless one), else null, computed as TF.js does. */
  readonly size: number | null;
  readonly #open: () => Promise<DataIterator<T>>;

  /** @internal the factories and methods make datasets; `open` starts one pass. */
  constructor(open: () => Promise<DataIterator<T>>, size: number | null) {
    this.#open = open;
    this.size = size;
  }

  /** A new pass over the elements (`const it = await ds.iterator(); await it.next()`). */
  iterator(): Promise<DataIterator<T>> {
    return this.#open();
  }

  /** A stage over one upstream pass: `pull` gets the upstream iterator. */
  #derive<O>(size: number | null, stage: (up: DataIterator<T>) => () => Promise<IteratorResult<O>>): Dataset<O> {
    return new Dataset<O>(async () => new DataIterator(stage(await this.iterator())), size);
  }

  /**
   * Groups `batchSize` consecutive elements into one, each leaf batched into a tensor whose first
   * axis is the batch (see batchRows). The last, smaller batch is kept unless `smallLastBatch`
   * is false. The elements' own tensors are disposed once stacked.
   */
  batch(batchSize: number, smallLastBatch = true): Dataset<TensorContainer> {
    const n = checkCount(batchSize, 'Dataset.batch: batchSize', 'positive');
    if (typeof smallLastBatch !== 'boolean') throw new TypeError(`Dataset.batch: smallLastBatch: expected true or false, got ${describe(smallLastBatch)}`);
    let size = this.size;
    if (size !== null && size !== Infinity) size = smallLastBatch ? Math.ceil(size / n) : Math.floor(size / n);
    return this.#derive<TensorContainer>(size, (up) => async () => {
      const rows: T[] = [];
      while (rows.length < n) {
        const r = await up.next();
        if (r.done) break;
        rows.push(r.value);
      }
      if (rows.length === 0 || (rows.length < n && !smallLastBatch)) {
        disposeAll(rows);
        return DONE;
      }
      let value: TensorContainer;
      try {
        value = batchRows(rows, '') as TensorContainer;
      } finally {
        disposeAll(rows);
      }
      return { value, done: false };
    });
  }

  /** This dataset's elements, then `dataset`'s. */
  concatenate(dataset: Dataset<T>): Dataset<T> {
    if (!(dataset instanceof Dataset)) throw new TypeError(`Dataset.concatenate: expected a Dataset, got ${describe(dataset)}`);
    const a = this.size;
    const b = dataset.size;
    const size = a === Infinity || b === Infinity ? Infinity : a !== null && b !== null ? a + b : null;
    return new Dataset<T>(async () => {
      let cur = await this.iterator();
      let second = false;
      return new DataIterator(async () => {
        for (;;) {
          const r = await cur.next();
          if (!r.done || second) return r;
          cur = await dataset.iterator();
          second = true;
        }
      });
    }, size);
  }

  /** The elements for which `predicate` is true (run in `tidy`); the others are disposed. */
  filter(predicate: (value: T) => boolean): Dataset<T> {
    checkFunction(predicate, 'Dataset.filter: predicate');
    return this.#derive(this.size === Infinity ? Infinity : null, (up) => async () => {
      for (;;) {
        const r = await up.next();
        if (r.done) return r;
        const keep = tidy(() => predicate(r.value));
        if (keep) return r;
        disposeAll(r.value);
      }
    });
  }

  /**
   * Calls `f` on every element (awaiting it when it returns a Promise), then disposes the
   * element's tensors, as TF.js does: keep what you need by copying it or returning it.
   */
  async forEachAsync(f: (input: T) => void | Promise<void>): Promise<void> {
    checkFunction(f, 'Dataset.forEachAsync: f');
    const it = await this.iterator();
    for (let r = await it.next(); !r.done; r = await it.next()) {
      const out = await f(r.value);
      disposeExcept(r.value, out);
    }
  }

  /**
   * Each element through `transform` (run in `tidy`: the tensors it makes and does not return
   * are disposed); the input's tensors that are not in the output are disposed.
   */
  map<O = TensorContainer>(transform: (value: T) => O): Dataset<O> {
    checkFunction(transform, 'Dataset.map: transform');
    return this.#derive(this.size, (up) => async () => {
      const r = await up.next();
      if (r.done) return r;
      const out = tidy(() => transform(r.value));
      disposeExcept(r.value, out);
      return { value: out, done: false };
    });
  }

  /**
   * Each element through an async `transform` (which must dispose its own temporaries: tidy
   * cannot span an await); the input's tensors that are not in the output are disposed.
   */
  mapAsync<O = TensorContainer>(transform: (value: T) => Promise<O>): Dataset<O> {
    checkFunction(transform, 'Dataset.mapAsync: transform');
    return this.#derive(this.size, (up) => async () => {
      const r = await up.next();
      if (r.done) return r;
      const out = await transform(r.value);
      disposeExcept(r.value, out);
      return { value: out, done: false };
    });
  }

  /**
   * TF.js reads `bufferSize` elements ahead so slow sources overlap with training. It changes
   * when elements are produced, never which or in what order; simdnet's pipelines run on the
   * consumer's pull, so this returns the same elements unchanged (bufferSize is still checked).
   */
  prefetch(bufferSize: number): Dataset<T> {
    if (bufferSize === undefined || bufferSize === null) throw new RangeError('Dataset.prefetch: bufferSize is required (TF.js has no default)');
    checkCount(bufferSize, 'Dataset.prefetch: bufferSize', 'positive');
    return this.#derive(this.size, (up) => () => up.next());
  }

  /**
   * The dataset `count` times, each repetition a new pass (a generator is called again); no
   * count (or a negative one) repeats forever. An endless repeat of a pass that yields nothing
   * ends instead of spinning.
   */
  repeat(count?: number): Dataset<T> {
    if (count !== undefined && !Number.isInteger(count)) throw new RangeError(`Dataset.repeat: count: expected an integer (none or negative: forever), got ${describe(count)}`);
    const times = count === undefined || count < 0 ? Infinity : count;
    const s = this.size;
    const size = times === 0 ? 0 : s === null ? null : times === Infinity ? (s === 0 ? 0 : Infinity) : s * times;
    return new Dataset<T>(async () => {
      let pass = 0;
      let cur: DataIterator<T> | null = null;
      let yielded = false;
      return new DataIterator(async () => {
        for (;;) {
          if (!cur) {
            if (pass >= times) return DONE;
            pass++;
            yielded = false;
            cur = await this.iterator();
          }
          const r = await cur.next();
          if (!r.done) {
            yielded = true;
            return r;
          }
          cur = null;
          if (!yielded) return DONE;
        }
      });
    }, size);
  }

  /**
   * Without its first `count` elements (disposed as they are skipped). TF.js documents a
   * negative or missing count as "skip everything" but skips nothing; both are errors here.
   */
  skip(count: number): Dataset<T> {
    const n = checkCount(count, 'Dataset.skip: count', 'non-negative');
    const s = this.size;
    const size = s === null ? null : Math.max(0, s - n);
    return this.#derive(size, (up) => {
      let skipped = 0;
      return async () => {
        while (skipped < n) {
          const r = await up.next();
          skipped++;
          if (r.done) return r;
          disposeAll(r.value);
        }
        return up.next();
      };
    });
  }

  /**
   * A streaming shuffle: elements are drawn at random from a window of `bufferSize` read ahead
   * (a buffer at least the dataset's size gives a uniform permutation). `seed` (a number, or a
   * string as TF.js takes it) makes the orders reproducible; without one they follow simdnet's
   * generator (`setSeed`). With `reshuffleEachIteration` (default) every pass has a new order;
   * without, every pass repeats the same one, as TF.js documents (TF.js 4.x draws a new order
   * each pass either way).
   */
  shuffle(bufferSize: number, seed?: number | string, reshuffleEachIteration = true): Dataset<T> {
    if (bufferSize === undefined || bufferSize === null) {
      throw new RangeError(`Dataset.shuffle: bufferSize is required${this.size !== null && this.size !== Infinity ? `; the dataset has ${this.size} elements, a buffer that large shuffles it fully` : ''}`);
    }
    const window = checkCount(bufferSize, 'Dataset.shuffle: bufferSize', 'positive');
    const base = seed === undefined || seed === null ? globalRandom.nextU32() : seedNumber(seed, 'Dataset.shuffle: seed');
    if (typeof reshuffleEachIteration !== 'boolean') throw new TypeError(`Dataset.shuffle: reshuffleEachIteration: expected true or false, got ${describe(reshuffleEachIteration)}`);
    const passes = new Random(base);
    return this.#derive<T>(this.size, (up) => {
      const rng = new Random(reshuffleEachIteration ? passes.nextU32() : base);
      const buffer: T[] = [];
      let exhausted = false;
      return async () => {
        while (!exhausted && buffer.length < window) {
          const r = await up.next();
          if (r.done) exhausted = true;
          else buffer.push(r.value);
        }
        if (buffer.length === 0) return DONE;
        const j = rng.int(buffer.length);
        const value = buffer[j];
        buffer[j] = buffer[buffer.length - 1];
        buffer.pop();
        return { value, done: false };
      };
    });
  }

  /** The first `count` elements (all of them for a negative count or Infinity, as TF.js). */
  take(count: number): Dataset<T> {
    if (!(Number.isInteger(count) || count === Infinity)) throw new RangeError(`Dataset.take: count: expected an integer (negative: all), got ${describe(count)}`);
    const n = count < 0 ? Infinity : count;
    const s = this.size;
    const size = s === null ? null : Math.min(s, n);
    return this.#derive(size, (up) => {
      let taken = 0;
      return async () => (taken++ >= n ? DONE : up.next());
    });
  }

  /** Every element, in order (not for an endless dataset). */
  async toArray(): Promise<T[]> {
    if (this.size === Infinity) throw new Error('Dataset.toArray: the dataset is endless (size Infinity); take() a part of it first');
    return (await this.iterator()).toArray();
  }
}

// ---------------------------------------------------------------------------------------------
// Factories
// ---------------------------------------------------------------------------------------------

/**
 * A dataset of the array's items, in order; each pass hands out deep copies (tensors cloned).
 * The list is taken when the dataset is made (TF.js reads the array itself at every pass, so
 * items pushed later would appear there while `size` stays the old length).
 */
export function array<T extends TensorContainer>(items: T[]): Dataset<T> {
  if (!Array.isArray(items)) throw new TypeError(`data.array: items: expected an array, got ${describe(items)}`);
  const list = items.slice();
  return new Dataset<T>(async () => {
    let i = 0;
    return new DataIterator<T>(async () => (i < list.length ? { value: deepClone(list[i++]), done: false } : DONE));
  }, list.length);
}

type AnyIterator<T> = Iterator<T> | AsyncIterator<T>;

/**
 * A dataset read from an iterator that `generator` returns: a generator function (`function*` or
 * `async function*`) or any function returning an object with `next()` (whose results may be
 * Promises). The function is called again for every pass. Size unknown (null).
 */
export function generator<T extends TensorContainer>(generator: () => AnyIterator<T> | Promise<AnyIterator<T>>): Dataset<T> {
  checkFunction(generator, 'data.generator: generator');
  return new Dataset<T>(async () => {
    const it = await generator();
    if (it === null || typeof it !== 'object' || typeof (it as { next?: unknown }).next !== 'function') {
      throw new TypeError(`data.generator: the function must return an iterator (an object with next(), as a function* returns), got ${describe(it)}`);
    }
    let ended = false;
    return new DataIterator<T>(async () => {
      if (ended) return DONE;
      let r: IteratorResult<T> | { value?: unknown; done?: boolean };
      try {
        r = await it.next();
      } catch (e) {
        if (e instanceof Error) e.message = `Error thrown while iterating through a dataset: ${e.message}`;
        throw e;
      }
      if (r === null || typeof r !== 'object') throw new TypeError(`data.generator: next() must return { value, done }, got ${describe(r)}`);
      if (r.done) {
        ended = true;
        return DONE;
      }
      return { value: r.value as T, done: false };
    });
  }, null);
}

type DatasetContainer = Dataset<unknown> | DatasetContainer[] | { [key: string]: DatasetContainer };

/**
 * The datasets side by side: each element has the structure of `datasets` (an array or object,
 * nested as deep as wanted) with each dataset's element in its place. It ends with the shortest.
 * Size: the smallest, or null if any is unknown (TF.js 4.x takes an unknown size as 0 here).
 */
export function zip<O extends TensorContainer = TensorContainer>(datasets: DatasetContainer): Dataset<O> {
  if (!(Array.isArray(datasets) || isPlainObject(datasets))) {
    throw new TypeError(`data.zip: datasets: expected an array or object of Datasets, got ${describe(datasets)}`);
  }
  const leaves: Dataset<unknown>[] = [];
  const shape = (x: unknown, path: string): unknown => {
    if (x instanceof Dataset) {
      leaves.push(x);
      return leaves.length - 1;
    }
    if (Array.isArray(x)) return x.map((v, i) => shape(v, `${path}[${i}]`));
    if (isPlainObject(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, shape(v, path ? `${path}.${k}` : k)]));
    throw new TypeError(`data.zip: datasets${path ? `.${path}`.replace('.[', '[') : ''}: expected a Dataset (or an array or object of them), got ${describe(x)}`);
  };
  const layout = shape(datasets, '');
  const sizes = leaves.map((d) => d.size);
  const size = leaves.length === 0 ? 0 : sizes.includes(null) ? null : Math.min(...(sizes as number[]));
  const build = (l: unknown, values: unknown[]): unknown =>
    typeof l === 'number' ? values[l] : Array.isArray(l) ? l.map((v) => build(v, values)) : Object.fromEntries(Object.entries(l as object).map(([k, v]) => [k, build(v, values)]));
  return new Dataset<O>(async () => {
    const its = await Promise.all(leaves.map((d) => d.iterator()));
    let ended = its.length === 0;
    return new DataIterator<O>(async () => {
      if (ended) return DONE;
      const rs = [];
      for (const it of its) rs.push(await it.next());
      if (rs.some((r) => r.done)) {
        ended = true;
        for (const r of rs) if (!r.done) disposeAll(r.value);
        return DONE;
      }
      return { value: build(layout, rs.map((r) => r.value)) as O, done: false };
    });
  }, size);
}
