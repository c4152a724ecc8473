import { afterEach, beforeAll, describe } from 'vitest';
/**
 * Buffers with a guard region: n values followed by GUARD sentinel floats. A kernel that
 * writes past n changes a sentinel; one that reads past n sees a huge value that shows up in
 * its results.
 */
import type { Harness } from './harness.ts';

export const GUARD = 8;
export const SENTINEL = Math.fround(1.25e30);
const SENTINEL_I32 = -777;

/** Copy of data, then GUARD sentinels; returns the byte address. */
export function putGuarded(h: Harness, data: ArrayLike<number>): number {
  const n = data.length;
  const p = h.zeros(n + GUARD);
  const f = h.arena.f32;
  f.set(data, p >>> 2);
  f.fill(SENTINEL, (p >>> 2) + n, (p >>> 2) + n + GUARD);
  return p;
}

/** n int32 values (or zeros), then GUARD int32 sentinels. */
export function putGuardedI32(h: Harness, data: ArrayLike<number>): number {
  const n = data.length;
  const p = h.zeros(n + GUARD);
  const a = h.arena.i32;
  a.set(data, p >>> 2);
  a.fill(SENTINEL_I32, (p >>> 2) + n, (p >>> 2) + n + GUARD);
  return p;
}

/** Throws unless the GUARD values after n floats at p are untouched. */
export function expectGuard(h: Harness, p: number, n: number, label = ''): void {
  const g = h.read(p + 4 * n, GUARD);
  for (let i = 0; i < GUARD; i++)
    if (g[i] !== SENTINEL) throw new Error(`${label}: guard float ${i} after ${n} values was overwritten (${g[i]})`);
}

/** A guarded buffer (putGuarded; a number: that many zeros) with its check (expectGuard). */
export function guarded(h: Harness, data: ArrayLike<number> | number): { p: number; check: (what: string) => void } {
  const values = typeof data === 'number' ? new Float32Array(data) : data;
  const p = putGuarded(h, values);
  return { p, check: (what) => expectGuard(h, p, values.length, what) };
}

export function expectGuardI32(h: Harness, p: number, n: number, label = ''): void {
  const g = h.readI32(p + 4 * n, GUARD);
  for (let i = 0; i < GUARD; i++)
    if (g[i] !== SENTINEL_I32) throw new Error(`${label}: guard int ${i} after ${n} values was overwritten (${g[i]})`);
}

/** The harness for a variant; null where this engine cannot run the relaxed binary at all. */
export async function loadVariant(variant: 'default' | 'relaxed'): Promise<Harness | null> {
  const { loadHarness } = await import('./harness.ts');
  try {
    return loadHarness(variant === 'default' ? undefined : 'relaxed');
  } catch (e) {
    if (variant === 'relaxed' && e instanceof WebAssembly.CompileError) return null;
    throw e;
  }
}

/** Bitwise-equal values (as f32), e.g. an in-place result against the out-of-place one. */
export function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>, label = ''): void {
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = Math.fround(actual[i]);
    const e = Math.fround(expected[i]);
    if (!(a === e || (Number.isNaN(a) && Number.isNaN(e))))
      throw new Error(`${label}: element ${i} is ${actual[i]}, expected exactly ${expected[i]}`);
  }
}

/**
 * One describe block per binary (default, relaxed) with a fresh harness; `get(ctx)` returns it,
 * or skips the test where this engine cannot run that binary.
 */
export function describeVariants(
  title: string,
  body: (get: (ctx: { skip: () => void }) => Harness, variant: 'default' | 'relaxed') => void,
): void {
  for (const variant of ['default', 'relaxed'] as const) {
    describe(`${title} (${variant} binary)`, () => {
      let h: Harness | null = null;
      beforeAll(async () => {
        h = await loadVariant(variant);
      });
      afterEach(() => h?.reset());
      body((ctx) => {
        if (!h) ctx.skip();
        return h!;
      }, variant);
    });
  }
}
