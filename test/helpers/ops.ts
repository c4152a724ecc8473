/**
 * What the tensor-op tests (test/ops/) share: the suite setup of the ops with a wasm path (the
 * binary and TF.js loaded, the wasm thresholds put back after each test), the two paths every
 * float32 op is run on, inputs made once for both libraries, and the comparisons of results
 * and errors with TF.js's.
 */
import { afterEach, beforeAll, expect } from 'vitest';
import { Tensor, type DType } from '../../src/tensor.ts';
import { init } from '../../src/wasm/loader.ts';
import { wasmThresholds } from '../../src/ops/elementwise.ts';
import { initTfjs, tf } from './tfjs.ts';

/** Runs the body on each path: every float32 op in JS, then every one in wasm (thresholds forced). */
export const PATHS = {
  js: () => Object.assign(wasmThresholds, { elementwise: Infinity, transcendental: Infinity, reduce: Infinity, matMul: Infinity }),
  wasm: () => Object.assign(wasmThresholds, { elementwise: 0, transcendental: 0, reduce: 0, matMul: 0 }),
};

/** Loads the binary and TF.js before the file's tests, and puts the wasm thresholds of now back after each test. */
export function setupWasmOps(): void {
  const defaults = { ...wasmThresholds };
  beforeAll(async () => {
    await init();
    await initTfjs();
  });
  afterEach(() => Object.assign(wasmThresholds, defaults));
}

/** One array of values as a simdnet tensor and a TF.js tensor of `dtype` (float32, int32 or bool). */
export function bothTensors(v: number[], shape: number[], dtype: DType): { sn: Tensor; tf: tf.Tensor } {
  const typed = dtype === 'float32' ? Float32Array.from(v) : dtype === 'int32' ? Int32Array.from(v) : Uint8Array.from(v);
  return { sn: new Tensor(typed as Float32Array, shape, dtype as 'float32'), tf: tf.tensor(typed, shape, dtype) };
}

/** Same dtype, shape and values (NaN equals NaN, -0 differs from 0). */
export function same(a: Tensor, b: tf.Tensor, what: string): void {
  expect(a.dtype, what).toBe(b.dtype);
  expect([...a.shape], what).toEqual(b.shape);
  const x = Array.from(a.values);
  const y = Array.from(b.dataSync() as ArrayLike<number>);
  expect(x.length, what).toBe(y.length);
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) expect(`${what}[${i}]: ${x[i]}`).toBe(`${what}[${i}]: ${y[i]}`);
}

/** TF.js throws, and simdnet throws a message matching `re` (which names function and argument). */
export function bothThrow(ours: () => unknown, theirs: () => unknown, re: RegExp): void {
  expect(theirs, 'TF.js throws').toThrow();
  expect(ours).toThrow(re);
}
