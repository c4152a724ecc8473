/**
 * Kernel test harness: instantiates a built binary directly (no host library), with a fresh
 * imported memory and the arena, and moves arrays in and out. The binary is loaded by
 * scripts/load-binary.mjs, the one raw-binary loader the benches share.
 */
import type { Kernels } from '../../src/wasm/abi.ts';
import { Arena } from '../../src/memory/arena.ts';
import { Random } from '../../src/random.ts';
import { loadBinary, type Variant } from '../../scripts/load-binary.mjs';

export type { Variant };

export interface Harness {
  k: Kernels;
  arena: Arena;
  memory: WebAssembly.Memory;
  /** Copy floats into a fresh 16-byte-aligned buffer; returns its byte address. */
  put(a: ArrayLike<number>): number;
  putI32(a: ArrayLike<number>): number;
  /** A fresh zeroed buffer of n floats (or n int32). */
  zeros(n: number): number;
  /** A copy of n floats at ptr. */
  read(ptr: number, n: number): Float32Array;
  readI32(ptr: number, n: number): Int32Array;
  /** Free everything allocated since the harness was made. */
  reset(): void;
}

/** The binary the kernel tests run on: SIMDNET_VARIANT=relaxed|debug picks another. */
export const TEST_VARIANT = (process.env.SIMDNET_VARIANT as Variant) || 'baseline';

/**
 * A harness over one binary. SIMDNET_WASM_FILE (baseline/debug) and SIMDNET_RELAXED_WASM_FILE
 * (relaxed) point the kernel tests at a private build while a family is developed. Node 20
 * accepts relaxed SIMD only behind a V8 flag, which the loader switches on at run time.
 */
export function loadHarness(variant: Variant = TEST_VARIANT): Harness {
  const { exports, memory } = loadBinary({ variant, initial: 64, maximum: 65536 });
  const k = exports as unknown as Kernels;
  const arena = new Arena(memory, k.heap_base());
  const start = arena.mark();
  const zeros = (n: number) => {
    const p = arena.alloc(n * 4);
    arena.u8.fill(0, p, p + Math.max(n * 4, 16));
    return p;
  };
  return {
    k,
    arena,
    memory,
    zeros,
    put(a) {
      const p = zeros(a.length);
      arena.f32.set(a, p >>> 2);
      return p;
    },
    putI32(a) {
      const p = zeros(a.length);
      arena.i32.set(a, p >>> 2);
      return p;
    },
    read: (p, n) => arena.f32.slice(p >>> 2, (p >>> 2) + n),
    readI32: (p, n) => arena.i32.slice(p >>> 2, (p >>> 2) + n),
    reset: () => arena.release(start),
  };
}

/** Seeded test data. */
export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  const r = new Random(seed);
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * r.uniform();
  return a;
}

/** Values rounded to f32, as f64 — feed the same numbers to the reference and the kernel. */
export const f32round = (a: ArrayLike<number>): Float64Array => Float64Array.from(Float32Array.from(a));

/**
 * Magnitude-scaled closeness: |a − e| ≤ atol + rtol·max(|e|, scale), where `scale` is the
 * typical size of the terms that were summed (e.g. √k·|a|·|b| for a dot product of length k).
 * Returns the worst ratio error/tolerance so a failure message can show how far off it was.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  opts: { rtol?: number; atol?: number; scale?: number; label?: string } = {},
): void {
  const { rtol = 1e-5, atol = 1e-6, scale = 0, label = '' } = opts;
  if (actual.length !== expected.length) throw new Error(`${label}: length ${actual.length} != expected ${expected.length}`);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i];
    const a = actual[i];
    const tol = atol + rtol * Math.max(Math.abs(e), scale);
    const ratio = Number.isNaN(a) !== Number.isNaN(e) ? Infinity : Math.abs(a - e) / tol;
    if (!(ratio <= worst)) {
      worst = ratio;
      at = i;
    }
  }
  if (!(worst <= 1)) {
    throw new Error(
      `${label}: element ${at} is ${actual[at]}, expected ${expected[at]} ` +
        `(error ${Math.abs(actual[at] - expected[at]).toExponential(3)} is ${worst.toFixed(1)}x the tolerance; rtol=${rtol}, atol=${atol}, scale=${scale})`,
    );
  }
}
