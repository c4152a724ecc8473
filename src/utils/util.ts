/**
 * `tf.util` (the helpers TF.js code commonly calls) and `tf.nextFrame`. Shuffles draw from
 * simdnet's seeded generator, so `setSeed(n)` makes them reproducible (TF.js's use Math.random).
 */
import { globalRandom } from '../random.ts';
import { describe } from '../tensor.ts';

type Shuffleable = unknown[] | Uint32Array | Int32Array | Float32Array;

function checkShuffleable(a: unknown, what: string): asserts a is Shuffleable {
  const ok =
    Array.isArray(a) ||
    (ArrayBuffer.isView(a) && ['Uint32Array', 'Int32Array', 'Float32Array'].includes(Object.prototype.toString.call(a).slice(8, -1)));
  if (!ok) throw new TypeError(`${what}: expected an array, Uint32Array, Int32Array or Float32Array, got ${describe(a)}`);
}

/** Shuffles `array` in place (Fisher–Yates), as TF.js's `util.shuffle`. */
function shuffle(array: Shuffleable): void {
  checkShuffleable(array, 'util.shuffle: array');
  globalRandom.shuffle(array);
}

/** Shuffles two arrays of one length in place with the same permutation (`util.shuffleCombo`). */
function shuffleCombo(array: Shuffleable, array2: Shuffleable): void {
  checkShuffleable(array, 'util.shuffleCombo: array');
  checkShuffleable(array2, 'util.shuffleCombo: array2');
  if (array.length !== array2.length) {
    throw new Error(`util.shuffleCombo: the arrays must have the same length, got ${array.length} and ${array2.length}`);
  }
  for (let i = array.length - 1; i > 0; i--) {
    const j = globalRandom.int(i + 1);
    const t = array[i];
    array[i] = array[j];
    array[j] = t as never;
    const u = array2[i];
    array2[i] = array2[j];
    array2[j] = u as never;
  }
}

/** 0 … n−1 in a random order, as a Uint32Array (`util.createShuffledIndices`). */
function createShuffledIndices(n: number): Uint32Array {
  if (!(Number.isInteger(n) && n >= 0 && n <= 0xffffffff)) {
    throw new RangeError(`util.createShuffledIndices: n: expected a non-negative integer, got ${describe(n)}`);
  }
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return globalRandom.shuffle(idx);
}

/** The number of elements of a shape (1 for a scalar's []). */
function sizeFromShape(shape: readonly number[]): number {
  if (!Array.isArray(shape)) throw new TypeError(`util.sizeFromShape: shape: expected an array of dimensions, got ${describe(shape)}`);
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!(Number.isInteger(d) && d >= 0)) throw new RangeError(`util.sizeFromShape: shape[${i}]: expected a non-negative integer, got ${describe(d)}`);
    n *= d;
  }
  return n;
}

/** Throws an Error with `msg` (a string, or a function returning one, as TF.js takes it) unless `expr`. */
function assert(expr: boolean, msg: string | (() => string)): asserts expr {
  if (!expr) throw new Error(typeof msg === 'function' ? msg() : msg);
}

type Nested<T> = T | Nested<T>[] | ArrayLike<T>;

/**
 * Nested arrays (and typed arrays inside them, unless `skipTypedArray`) as one flat array,
 * appended to `result` (`util.flatten`).
 */
function flatten<T extends number | boolean | string>(arr: Nested<T>, result: T[] = [], skipTypedArray = false): T[] {
  if (!Array.isArray(result)) throw new TypeError(`util.flatten: result: expected an array, got ${describe(result)}`);
  const walk = (x: unknown) => {
    if (Array.isArray(x) || (ArrayBuffer.isView(x) && !skipTypedArray && !(x instanceof DataView))) {
      const a = x as ArrayLike<unknown>;
      for (let i = 0; i < a.length; i++) walk(a[i]);
    } else result.push(x as T);
  };
  walk(arr);
  return result;
}

/** Milliseconds from a monotonic clock, sub-millisecond where the runtime has one (`util.now`). */
function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}

/** The `tf.util` namespace. */
export const util = { assert, createShuffledIndices, flatten, now, shuffle, shuffleCombo, sizeFromShape };

/**
 * `tf.nextFrame()`: resolves on the next animation frame where there is one (browsers), so a
 * training loop that awaits it lets the page repaint; elsewhere after the pending I/O and timers
 * (setImmediate, or setTimeout(0) where that is missing).
 */
export function nextFrame(): Promise<void> {
  return new Promise((resolve) => {
    const g = globalThis as { requestAnimationFrame?: (cb: () => void) => unknown; setImmediate?: (cb: () => void) => unknown };
    if (typeof g.requestAnimationFrame === 'function') g.requestAnimationFrame(() => resolve());
    else if (typeof g.setImmediate === 'function') g.setImmediate(() => resolve());
    else setTimeout(resolve, 0);
  });
}
