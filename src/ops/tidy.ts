/**
 * TF.js's memory API over host tensors: `tidy`, `dispose`, `keep`, `memory`.
 *
 * Host tensors live in JS memory and the garbage collector frees them, so nothing here is needed
 * for correctness. It is kept for parity: code written for TF.js counts its tensors with
 * `memory().numTensors` and wraps work in `tidy`, and must behave the same here (a disposed
 * tensor refuses to be read, as in TF.js, which catches use-after-dispose bugs early).
 * Only counters and the open scopes are held: this module keeps no tensor alive.
 */
import { backendOrNull } from '../wasm/loader.ts';

/** What the memory API needs of a tensor (Tensor implements it; no import cycle). */
export interface Tracked {
  readonly id: number;
  readonly isDisposed: boolean;
  /** The typed array holding the values: tensors sharing it count as one data buffer. */
  readonly dataKey: object;
  readonly byteLength: number;
  /** Disposes without telling this module (the module calls it). */
  disposeQuietly(): void;
}

let live = 0;
let nextId = 0;
const buffers = new WeakMap<object, number>();
let numDataBuffers = 0;
let numBytes = 0;

/** Open tidy scopes, innermost last: the tensors created in each. */
const scopes: Set<Tracked>[] = [];
/** Tensors `keep` exempted from every scope. */
const kept = new WeakSet<Tracked>();

export function newTensorId(): number {
  return nextId++;
}

/** Called by the Tensor constructor. */
export function track(t: Tracked): void {
  live++;
  const refs = buffers.get(t.dataKey) ?? 0;
  if (refs === 0) {
    numDataBuffers++;
    numBytes += t.byteLength;
  }
  buffers.set(t.dataKey, refs + 1);
  if (scopes.length) scopes[scopes.length - 1].add(t);
}

/** Called once by `Tensor.dispose()` for a tracked tensor. */
export function untrack(t: Tracked): void {
  live--;
  const refs = buffers.get(t.dataKey) ?? 0;
  if (refs <= 1) {
    buffers.delete(t.dataKey);
    numDataBuffers--;
    numBytes -= t.byteLength;
  } else buffers.set(t.dataKey, refs - 1);
  for (const s of scopes) s.delete(t);
}

export interface MemoryInfo {
  /** Tensors created and not yet disposed. */
  numTensors: number;
  /** Distinct value arrays among them (a reshape shares its input's). */
  numDataBuffers: number;
  /** Bytes of those arrays. */
  numBytes: number;
  /** Always false: the counts are exact. */
  unreliable: false;
  /** The wasm arena (models' weights, gradients, optimizer state, activations), once `init()` ran. */
  arena: { usedBytes: number; memoryBytes: number } | null;
}

/** TF.js's `tf.memory()`, plus the wasm arena. */
export function memory(): MemoryInfo {
  const b = backendOrNull();
  return {
    numTensors: live,
    numDataBuffers,
    numBytes,
    unreliable: false,
    arena: b ? { usedBytes: b.arena.top - b.arena.base - b.arena.freeBytes, memoryBytes: b.memory.buffer.byteLength } : null,
  };
}

const isTracked = (v: unknown): v is Tracked =>
  typeof v === 'object' && v !== null && typeof (v as Tracked).disposeQuietly === 'function' && typeof (v as Tracked).id === 'number';

/** Every tensor in a TF.js TensorContainer: a tensor, or arrays and plain objects of them. */
function collect(v: unknown, out: Set<Tracked>, seen = new Set<unknown>()): void {
  if (isTracked(v)) out.add(v);
  else if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !seen.has(v)) {
    seen.add(v);
    for (const x of Array.isArray(v) ? v : Object.values(v)) collect(x, out, seen);
  }
}

/**
 * Runs `fn` and disposes every tensor created meanwhile, except the ones it returns (which move
 * to the enclosing scope) and the ones passed to `keep`. `tidy(name, fn)` is accepted as in TF.js.
 * `fn` must be synchronous: a Promise would let tensors escape the scope.
 */
export function tidy<T>(nameOrFn: string | (() => T), fn?: () => T): T {
  let f: unknown = fn;
  if (typeof nameOrFn === 'function') {
    if (fn !== undefined) throw new TypeError('tidy: when the first argument is a function, there is no second one');
    f = nameOrFn;
  } else if (typeof nameOrFn !== 'string') throw new TypeError(`tidy: expected a function, or a name and a function, got ${typeof nameOrFn}`);
  if (typeof f !== 'function') throw new TypeError(`tidy: expected a function, got ${f === null ? 'null' : typeof f}`);
  const scope = new Set<Tracked>();
  scopes.push(scope);
  let result: T;
  try {
    result = (f as () => T)();
  } catch (e) {
    scopes.pop();
    release(scope, new Set());
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    release(scope, new Set());
    throw new Error('tidy: cannot return a Promise: tidy runs synchronously (dispose tensors by hand in async code)');
  }
  const keepers = new Set<Tracked>();
  collect(result, keepers);
  release(scope, keepers);
  const parent = scopes[scopes.length - 1];
  if (parent) for (const t of keepers) if (!t.isDisposed) parent.add(t);
  return result;
}

function release(scope: Set<Tracked>, keepers: Set<Tracked>): void {
  for (const t of scope) {
    if (keepers.has(t) || kept.has(t) || t.isDisposed) continue;
    untrack(t);
    t.disposeQuietly();
  }
}

/** Exempts a tensor from the tidy scopes it was made in; returns it. */
export function keep<T>(t: T): T {
  if (!isTracked(t)) throw new TypeError('keep: expected a Tensor');
  kept.add(t);
  for (const s of scopes) s.delete(t);
  return t;
}

/** Disposes every tensor in a TensorContainer (a tensor, arrays and objects of them). Twice is harmless. */
export function dispose(container: unknown): void {
  const all = new Set<Tracked>();
  collect(container, all);
  for (const t of all) (t as unknown as { dispose(): void }).dispose();
}
