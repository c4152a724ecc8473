/**
 * Shared by the hardening suite: a reference model that must survive every rejected call with
 * its weights unchanged and still train afterwards, and the checks that an error is a clear one
 * (not an internal TypeError, not a wasm trap).
 */
import { expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { backend } from '../../src/wasm/loader.ts';

export const { layers, tensor, optimizers, initializers, regularizers, callbacks } = sn;

/** Messages that betray an internal failure rather than a check. */
export const INTERNAL = /Cannot read propert|Cannot set propert|is not a function|is not iterable|Cannot destructure|is not a constructor|undefined is not|null is not|Cannot convert|Invalid array length|Invalid typed array length|Maximum call stack|out of bounds|unreachable|Array buffer allocation|Do not know how to serialize|memory access|subarray/;

/** Fails unless `e` is a checked error: an Error with a "who: …" message, not a trap or an internal TypeError. */
export function expectClear(e: unknown, pattern?: RegExp | string): Error {
  expect(e, 'a value was thrown').toBeInstanceOf(Error);
  const err = e as Error;
  expect(err).not.toBeInstanceOf(WebAssembly.RuntimeError);
  expect(err.message, `internal error: ${err.stack}`).not.toMatch(INTERNAL);
  // Every checked message starts with who is speaking: "optimizers.adam: …", "fit: x: …".
  expect(err.message, err.message).toMatch(/^[^:\n]{1,80}: /);
  if (pattern instanceof RegExp) expect(err.message).toMatch(pattern);
  else if (pattern !== undefined) expect(err.message).toContain(pattern);
  return err;
}

/** Runs `f` (sync or async), expects a clear error matching `pattern`, returns it. */
export async function rejects(f: () => unknown, pattern?: RegExp | string): Promise<Error> {
  let thrown: unknown = undefined;
  let threw = false;
  try {
    await f();
  } catch (e) {
    thrown = e;
    threw = true;
  }
  expect(threw, `expected an error matching ${pattern}`).toBe(true);
  return expectClear(thrown, pattern);
}

export const x4 = tensor(Float32Array.from({ length: 32 * 4 }, (_, i) => Math.sin(i * 0.7) * 0.5 + 0.5), [32, 4]);
export const y3 = tensor(Int32Array.from({ length: 32 }, (_, i) => (i * 5) % 3), [32], 'int32');

/** A small MLP, compiled and trained one step, standing by while bad calls are made. */
export function referenceModel(): sn.Sequential {
  const m = sn.sequential({
    layers: [layers.dense({ units: 8, activation: 'relu', inputShape: [4] }), layers.dense({ units: 3, activation: 'softmax' })],
  });
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  // Runs synchronously (trainOnBatch awaits nothing before its step); the promise holds the losses.
  void m.trainOnBatch(x4, y3);
  return m;
}

const finite = (a: Float32Array) => a.every((v) => Number.isFinite(v));

/**
 * The guard every case ends with: `bad` fails with a clear error matching `pattern`, the model's
 * weights are bit-for-bit what they were, and it still trains (weights change, stay finite).
 */
export async function rejectedAndUnharmed(m: sn.LayersModel, bad: () => unknown, pattern: RegExp | string): Promise<Error> {
  const before = m.snapshotParams();
  const err = await rejects(bad, pattern);
  const after = m.snapshotParams();
  expect(after).toEqual(before);
  await stillTrains(m);
  return err;
}

/** One wrong call per row: [label, the call, the error it must give]. */
export type Case = [label: string, call: () => unknown, pattern: RegExp];
/** A test per row: each call is refused with its pattern and leaves the model (read when the test runs) unharmed. */
export const rejectionCases = (model: () => sn.LayersModel) => (list: Case[]) =>
  it.each(list)('%s', async (_label, call, pattern) => void (await rejectedAndUnharmed(model(), call, pattern)));

/** One step on the reference data changes the weights and leaves them finite. */
export async function stillTrains(m: sn.LayersModel, x: sn.Tensor = x4, y: sn.Tensor = y3): Promise<void> {
  const before = m.snapshotParams();
  const out = await m.trainOnBatch(x, y);
  expect(Number.isFinite(Array.isArray(out) ? out[0] : out)).toBe(true);
  const after = m.snapshotParams();
  expect(finite(after)).toBe(true);
  expect(after).not.toEqual(before);
}

export const arena = () => backend().arena;

export { sn };
