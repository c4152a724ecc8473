// gemm_strided_f32 (assembly/threads.ts) against its float64 reference, on panels of larger
// matrices; and that the panels the thread pool hands out add up, bit for bit, to the unsplit
// gemm_nn_f32 / gemm_nt_f32 / gemm_tn_f32 product.
import { describe, expect, it } from 'vitest';
import { expectClose, f32round, loadHarness, randomArray, type Harness } from '../helpers/harness.ts';
import * as ref from '../reference/threads.ts';

const GUARD = 16;
const SENTINEL = 1234.5;
const NAMES = ['gemm_nn_f32', 'gemm_nt_f32', 'gemm_tn_f32'] as const;

/** A [rows, ld] matrix with random values in its first `cols` columns and sentinels after. */
function strided(rows: number, cols: number, ld: number, seed: number): Float64Array {
  const v = f32round(randomArray(rows * cols, seed));
  const out = new Float64Array(rows * ld + GUARD).fill(SENTINEL);
  for (let r = 0; r < rows; r++) out.set(v.subarray(r * cols, (r + 1) * cols), r * ld);
  return out;
}

function checkStrided(h: Harness, layout: number, m: number, n: number, k: number, pad: number, seed: number): void {
  h.reset();
  const [ar, ac] = layout === 2 ? [k, m] : [m, k];
  const [br, bc] = layout === 1 ? [n, k] : [k, n];
  const lda = ac + pad, ldb = bc + 2 * pad, ldc = n + 3 * pad;
  const a = strided(ar, ac, lda, seed);
  const b = strided(br, bc, ldb, seed + 1);
  const c = strided(m, n, ldc, seed + 2);
  const ws = h.zeros(h.k.gemm_workspace_bytes(m, n, k) / 4);
  const pa = h.put(a), pb = h.put(b), pc = h.put(c);
  h.k.gemm_strided_f32(pc, pa, pb, ws, m, n, k, lda, ldb, ldc, layout);
  const want = Float64Array.from(c);
  ref.gemm_strided_f32(want, a, b, m, n, k, lda, ldb, ldc, layout);
  const got = h.read(pc, c.length);
  // Columns past n in each row of C are sentinels the kernel must not touch; the reference leaves them too.
  expectClose(got, want, { rtol: 2e-6, atol: 1e-6, scale: Math.sqrt(k) + 1, label: `gemm_strided_f32 layout=${layout} m=${m} n=${n} k=${k} pad=${pad}` });
  for (let i = 0; i < got.length; i++) if (want[i] === SENTINEL) expect(got[i]).toBe(SENTINEL);
}

function suite(load: () => Harness) {
  for (const layout of [0, 1, 2]) {
    it(`gemm_strided_f32 layout ${layout}: small, odd and beyond-block shapes with padded rows`, () => {
      const h = load();
      let seed = 1;
      for (const [m, n, k] of [[1, 1, 1], [5, 7, 3], [9, 17, 33], [13, 10, 6], [31, 8, 65], [130, 33, 300], [37, 520, 40]])
        for (const pad of [0, 1, 5]) checkStrided(h, layout, m, n, k, pad, (seed += 3));
    });
    it(`gemm_strided_f32 layout ${layout}: M and N panels equal ${NAMES[layout]} bit for bit`, () => {
      const h = load();
      const m = 97, n = 70, k = 300;
      const a = f32round(randomArray(m * k, 11));
      const b = f32round(randomArray(k * n, 12));
      const c0 = f32round(randomArray(m * n, 13));
      const ws = h.zeros(h.k.gemm_workspace_bytes(m, n, k) / 4);
      const pa = h.put(a), pb = h.put(b);
      const whole = h.put(c0);
      h.k[NAMES[layout]](whole, pa, pb, ws, m, n, k);
      const want = h.read(whole, m * n);
      const lda = layout === 2 ? m : k, ldb = layout === 1 ? k : n;
      // Rows [0, 41), [41, 97); then columns [0, 24), [24, 70).
      const rows = h.put(c0);
      for (const [i0, i1] of [[0, 41], [41, 97]]) {
        const aOff = layout === 2 ? i0 : i0 * lda;
        h.k.gemm_strided_f32(rows + i0 * n * 4, pa + aOff * 4, pb, ws, i1 - i0, n, k, lda, ldb, n, layout);
      }
      expect(Array.from(h.read(rows, m * n))).toEqual(Array.from(want));
      const cols = h.put(c0);
      for (const [j0, j1] of [[0, 24], [24, 70]]) {
        const bOff = layout === 1 ? j0 * ldb : j0;
        h.k.gemm_strided_f32(cols + j0 * 4, pa, pb + bOff * 4, ws, m, j1 - j0, k, lda, ldb, n, layout);
      }
      expect(Array.from(h.read(cols, m * n))).toEqual(Array.from(want));
    });
  }
}

describe('threads kernels (baseline binary)', () => suite(() => loadHarness()));
describe('threads kernels (relaxed binary)', () => suite(() => loadHarness('relaxed')));
