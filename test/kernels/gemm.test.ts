// gemm_nn_f32 / gemm_nt_f32 / gemm_tn_f32 against the float64 references in test/reference/gemm.ts,
// over shapes below, at and above the SIMD width, the micro-tile and the cache blocks.
import { describe, expect, it } from 'vitest';
import { expectClose, f32round, loadHarness, randomArray, type Harness } from '../helpers/harness.ts';
import * as ref from '../reference/gemm.ts';

type Layout = 'gemm_nn_f32' | 'gemm_nt_f32' | 'gemm_tn_f32';
const LAYOUTS: Layout[] = ['gemm_nn_f32', 'gemm_nt_f32', 'gemm_tn_f32'];
const SIZES = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65];
const KS = [1, 4, 7, 16, 33, 65];
/** Past the register tile and past every cache block (M, N and K), with odd tails. */
const BIG: [number, number, number][] = [
  [127, 129, 130],
  [130, 33, 600],
  [37, 600, 290],
  [300, 9, 17],
];
const GUARD = 16;
const SENTINEL = 1234.5;

/** One call of `name` on random data, checked against the reference; C starts non-zero. */
export function checkGemm(h: Harness, name: Layout, m: number, n: number, k: number, seed: number): void {
  h.reset();
  const a = f32round(randomArray(m * k, seed));
  const b = f32round(randomArray(k * n, seed + 1));
  const c = f32round(randomArray(m * n, seed + 2));
  // Guard floats after C and after the workspace must come back untouched.
  const cg = new Float64Array(m * n + GUARD).fill(SENTINEL);
  cg.set(c);
  const wsFloats = h.k.gemm_workspace_bytes(m, n, k) / 4;
  const wsg = new Float64Array(wsFloats + GUARD).fill(SENTINEL);
  wsg.fill(0, 0, wsFloats);
  const pc = h.put(cg);
  const pws = h.put(wsg);
  const pa = h.put(a);
  const pb = h.put(b);
  h.k[name](pc, pa, pb, pws, m, n, k);
  const want = Float64Array.from(c);
  ref[name](want, a, b, m, n, k);
  const got = h.read(pc, m * n + GUARD);
  const label = `${name} m=${m} n=${n} k=${k}`;
  expectClose(got.subarray(0, m * n), want, { rtol: 2e-6, atol: 1e-6, scale: Math.sqrt(k) + 1, label });
  expectUntouched(got.subarray(m * n), `${label}: guard after C`);
  expectUntouched(h.read(pws + wsFloats * 4, GUARD), `${label}: guard after the workspace`);
}

export function expectUntouched(guard: Float32Array, label: string): void {
  const bad = guard.findIndex((v) => v !== SENTINEL);
  if (bad >= 0) throw new Error(`${label}: element ${bad} was overwritten with ${guard[bad]}`);
}

/** The same, with A, B or C placed so that it ends at the last byte of memory: any over-read traps. */
function checkAtMemoryEnd(h: Harness, name: Layout, which: 'a' | 'b' | 'c', m: number, n: number, k: number): void {
  h.reset();
  const a = f32round(randomArray(m * k, 7));
  const b = f32round(randomArray(k * n, 8));
  const c = f32round(randomArray(m * n, 9));
  const arrs = { a, b, c };
  const ptrs: Record<string, number> = {};
  for (const key of ['a', 'b', 'c'] as const) if (key !== which) ptrs[key] = h.put(arrs[key]);
  const pws = h.zeros(h.k.gemm_workspace_bytes(m, n, k) / 4);
  const len = arrs[which].length;
  h.arena.ensure(h.arena.top + len * 4 + 64);
  const end = h.memory.buffer.byteLength;
  const p = end - len * 4; // 4-byte aligned only: kernels must not assume 16
  expect(p).toBeGreaterThanOrEqual(h.arena.top);
  new Float32Array(h.memory.buffer).set(arrs[which], p >>> 2);
  ptrs[which] = p;
  h.k[name](ptrs.c, ptrs.a, ptrs.b, pws, m, n, k);
  const want = Float64Array.from(c);
  ref[name](want, a, b, m, n, k);
  const got = new Float32Array(h.memory.buffer, ptrs.c, m * n);
  expectClose(got, want, { rtol: 2e-6, atol: 1e-6, scale: Math.sqrt(k) + 1, label: `${name} ${which} at memory end m=${m} n=${n} k=${k}` });
}

function suite(load: () => Harness) {
  for (const name of LAYOUTS) {
    it(`${name}: every small shape`, () => {
      const h = load();
      let seed = 1;
      for (const m of SIZES) for (const n of SIZES) for (const k of KS) checkGemm(h, name, m, n, k, (seed += 3));
    });
    it(`${name}: shapes beyond the cache blocks`, () => {
      const h = load();
      for (const [m, n, k] of BIG) checkGemm(h, name, m, n, k, m + n + k);
      for (const s of SIZES) checkGemm(h, name, s, s, s, s);
    });
    it(`${name}: no read or write past A, B or C`, () => {
      const h = load();
      for (const which of ['a', 'b', 'c'] as const)
        for (const [m, n, k] of [[1, 1, 1], [5, 7, 3], [9, 17, 33], [13, 10, 6]] as const) checkAtMemoryEnd(h, name, which, m, n, k);
    });
    it(`${name}: m, n or k = 0 is a no-op`, () => {
      const h = load();
      const pc = h.put([1, 2, 3, 4]);
      const pa = h.put([1, 1, 1, 1]);
      const pws = h.zeros(64);
      h.k[name](pc, pa, pa, pws, 0, 2, 2);
      h.k[name](pc, pa, pa, pws, 2, 0, 2);
      h.k[name](pc, pa, pa, pws, 2, 2, 0);
      expect(Array.from(h.read(pc, 4))).toEqual([1, 2, 3, 4]);
    });
  }
}

describe('gemm (baseline binary)', () => suite(() => loadHarness()));

describe('gemm (relaxed binary)', () => suite(() => loadHarness('relaxed')));
