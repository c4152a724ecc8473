// Elementwise kernels (assembly/elementwise.ts) against test/reference/elementwise.ts, on the
// default and relaxed binaries: every op code, sizes around the SIMD width, special values
// (NaN, ±Inf, ±0, subnormals, the ends of exp's range), guard regions after every output.
import { expect, it } from 'vitest';
import { expectClose, f32round, randomArray } from '../helpers/harness.ts';
import { describeVariants, expectGuard, expectSame, putGuarded } from '../helpers/guarded.ts';
import * as ref from '../reference/elementwise.ts';
import { BINARY_OPS, REDUCE_OPS, UNARY_OPS } from '../../src/wasm/abi.ts';

const SIZES = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 1000];

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-40, 1e-45, 1.1754943508222875e-38, 3.4e38, -3.4e38, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5];

const data = (n: number, seed: number, lo = -4, hi = 4) => f32round(randomArray(n, seed, lo, hi));

/** The kernel's f32 output against the f64 reference rounded to f32 (NaN matches NaN). */
function expectUlps(actual: ArrayLike<number>, want: ArrayLike<number>, rtol: number, label: string, atol = 0): void {
  if (rtol === 0 && atol === 0) return expectSame(actual, Array.from(want, Math.fround), label);
  for (let i = 0; i < want.length; i++) {
    const e = Math.fround(want[i]);
    const a = actual[i];
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      if (!Object.is(a, e) && !(Number.isNaN(a) && Number.isNaN(e))) throw new Error(`${label}: element ${i} is ${a}, expected ${e}`);
      continue;
    }
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) throw new Error(`${label}: element ${i} is ${a}, expected ${e} (rtol ${rtol})`);
  }
}

/** Exactly rounded ops compare bit for bit; exp and log within their ≈2 ulp. */
const UNARY_TOL: Record<keyof typeof UNARY_OPS, number> = {
  neg: 0, abs: 0, sqrt: 0, square: 0, exp: 3e-7, log: 3e-7, reciprocal: 0, floor: 0, ceil: 0, round: 0,
};

/** Inputs per op: the random data, then values that probe its edges. */
function unaryInputs(name: keyof typeof UNARY_OPS, n: number, seed: number): Float64Array {
  if (name === 'exp') return data(n, seed, -110, 95);
  if (name === 'log') {
    const x = data(n, seed, 0, 1);
    for (let i = 0; i < n; i += 3) x[i] = Math.fround(x[i] * 10 ** ((i % 70) - 35));
    return x;
  }
  return data(n, seed, -100, 100);
}

describeVariants('elementwise kernels', (get) => {
  for (const name of Object.keys(UNARY_OPS) as (keyof typeof UNARY_OPS)[]) it(`unary_f32 ${name} matches the reference over every size, in place too`, (ctx) => {
    const h = get(ctx);
    const op = UNARY_OPS[name];
    const rtol = UNARY_TOL[name];
    for (const n of SIZES) {
      const x = unaryInputs(name, n, n + op * 100);
      const px = putGuarded(h, x);
      const py = putGuarded(h, new Float64Array(n).fill(7));
      h.k.unary_f32(py, px, n, op);
      const want = new Float64Array(n);
      ref.unary_f32(want, x, n, op);
      expectUlps(h.read(py, n), want, rtol, `${name} n=${n}`, name === 'exp' ? 1e-45 : 0);
      expectGuard(h, py, n, `${name} n=${n}`);
      expectSame(h.read(px, n), x, `${name} n=${n}: x changed`);
      // In place: the same values.
      h.k.unary_f32(px, px, n, op);
      expectSame(h.read(px, n), h.read(py, n), `${name} n=${n} in place`);
      expectGuard(h, px, n, `${name} n=${n} in place`);
    }
    // Special values, in the vector body (first 16) and the scalar tail (the rest).
    const x = f32round([...SPECIAL, ...SPECIAL]);
    const n = x.length;
    const px = putGuarded(h, x);
    const py = putGuarded(h, new Float64Array(n));
    h.k.unary_f32(py, px, n, op);
    const want = new Float64Array(n);
    ref.unary_f32(want, x, n, op);
    expectUlps(h.read(py, n), want, rtol, `${name} special values`, name === 'exp' ? 1e-45 : 0);
  });

  it('exp_f32 covers the whole range: overflow to +Inf, subnormal results, 0 below', (ctx) => {
    const h = get(ctx);
    const x = f32round([88.7, 88.72, 88.73, 89, 100, -86.9, -87, -90, -95, -100, -103, -103.9, -104, -110, -200, 0, 1, -1]);
    const n = x.length;
    const p = putGuarded(h, x);
    h.k.unary_f32(p, p, n, UNARY_OPS.exp);
    const got = h.read(p, n);
    for (let i = 0; i < n; i++) {
      const e = Math.fround(Math.exp(x[i]));
      // Subnormal results carry fewer significant bits: an absolute bound of one subnormal step.
      const tol = Math.abs(e) < 1.2e-38 ? 2e-45 + 1e-6 * Math.abs(e) : 3e-7 * Math.abs(e);
      expect(Math.abs(got[i] - e) <= tol || got[i] === e, `exp(${x[i]}) = ${got[i]}, expected ${e}`).toBe(true);
    }
  });

  it('log_f32 is exact at its special points and accurate on subnormals', (ctx) => {
    const h = get(ctx);
    const x = f32round([0, -0, -1, -1e-40, Infinity, -Infinity, NaN, 1, 1e-40, 1e-45, 3e-39, 2, 0.5]);
    const n = x.length;
    const p = putGuarded(h, x);
    h.k.unary_f32(p, p, n, UNARY_OPS.log);
    const got = h.read(p, n);
    expect(Array.from(got.slice(0, 8))).toEqual([-Infinity, -Infinity, NaN, NaN, Infinity, NaN, NaN, 0]);
    for (let i = 8; i < n; i++) expect(Math.abs(got[i] - Math.log(x[i])) <= 3e-7 * Math.abs(Math.log(x[i]))).toBe(true);
  });

  it('unary_f32 with an unknown code writes nothing', (ctx) => {
    const h = get(ctx);
    const p = putGuarded(h, [1, 2, 3]);
    const q = putGuarded(h, [9, 9, 9]);
    h.k.unary_f32(q, p, 3, 99);
    expectSame(h.read(q, 3), [9, 9, 9], 'unknown op');
  });

  it('clip_f32 clamps to [lo, hi] and lets NaN through', (ctx) => {
    const h = get(ctx);
    for (const n of SIZES) {
      const x = data(n, n + 7, -3, 3);
      if (n > 2) x[1] = NaN;
      for (const [lo, hi] of [[-1, 1], [0, 0], [-Infinity, 0.5], [-2.5, Infinity]]) {
        const px = putGuarded(h, x);
        const py = putGuarded(h, new Float64Array(n));
        h.k.clip_f32(py, px, n, lo, hi);
        const want = new Float64Array(n);
        ref.clip_f32(want, x, n, lo, hi);
        expectSame(h.read(py, n), want, `clip n=${n} [${lo}, ${hi}]`);
        expectGuard(h, py, n, `clip n=${n}`);
      }
    }
  });

  /** Broadcast layouts: [name, aRow, bRow, aCol, bCol, a length, b length] for rows × cols. */
  const layouts = (rows: number, cols: number): [string, number, number, number, number, number, number][] => [
    ['same shape', cols, cols, 1, 1, rows * cols, rows * cols],
    ['b scalar', cols, 0, 1, 0, rows * cols, 1],
    ['a scalar', 0, cols, 0, 1, 1, rows * cols],
    ['b a row', cols, 0, 1, 1, rows * cols, cols],
    ['b a column', cols, 1, 1, 0, rows * cols, rows],
    ['outer: a column, b a row', 1, 0, 0, 1, rows, cols],
    ['both scalars', 0, 0, 0, 0, 1, 1],
  ];

  for (const name of Object.keys(BINARY_OPS) as (keyof typeof BINARY_OPS)[]) it(`binary_f32 ${name} matches the reference for every broadcast layout`, (ctx) => {
    const h = get(ctx);
    const op = BINARY_OPS[name];
    const rtol = name === 'squaredDifference' ? 2.5e-7 : 0;
    for (const [rows, cols] of [[1, 0], [0, 5], [1, 1], [1, 7], [1, 33], [3, 1], [3, 5], [4, 8], [5, 17], [2, 1000]]) {
      for (const [layout, aRow, bRow, aCol, bCol, na, nb] of layouts(rows, cols)) {
        const a = data(na, rows * 7 + cols + op, -5, 5);
        const b = data(nb, rows * 11 + cols + op + 1, -5, 5);
        if (name === 'div') for (let i = 0; i < nb; i += 5) b[i] = 0; // ±Inf and NaN quotients
        if (na > 3) a[3] = NaN;
        if (nb > 2) b[2] = Infinity;
        const pa = putGuarded(h, a);
        const pb = putGuarded(h, b);
        const n = rows * cols;
        const py = putGuarded(h, new Float64Array(n).fill(7));
        h.k.binary_f32(py, pa, pb, rows, cols, aRow, bRow, aCol, bCol, op);
        const want = new Float64Array(n);
        ref.binary_f32(want, a, b, rows, cols, aRow, bRow, aCol, bCol, op);
        expectUlps(h.read(py, n), want, rtol, `${name} ${rows}x${cols} ${layout}`);
        expectGuard(h, py, n, `${name} ${rows}x${cols} ${layout}`);
      }
    }
  });

  it('binary_f32 maximum and minimum propagate NaN from either side; ±0 as Math.max', (ctx) => {
    const h = get(ctx);
    const a = [NaN, 1, NaN, 0, -0, 3, 1, NaN, NaN];
    const b = [1, NaN, NaN, -0, 0, 2, NaN, 1, 5];
    const pa = putGuarded(h, a);
    const pb = putGuarded(h, b);
    const py = putGuarded(h, new Float64Array(9));
    for (const [name, f] of [['maximum', Math.max], ['minimum', Math.min]] as const) {
      h.k.binary_f32(py, pa, pb, 1, 9, 9, 9, 1, 1, BINARY_OPS[name]);
      const got = h.read(py, 9);
      a.forEach((v, i) => expect(Object.is(got[i], f(v, b[i])), `${name}(${v}, ${b[i]}) = ${got[i]}`).toBe(true));
    }
  });

  it('binary_f32 with an unknown code writes nothing', (ctx) => {
    const h = get(ctx);
    const p = putGuarded(h, [1, 2, 3]);
    const q = putGuarded(h, [9, 9, 9]);
    h.k.binary_f32(q, p, p, 1, 3, 3, 3, 1, 1, 42);
    expectSame(h.read(q, 3), [9, 9, 9], 'unknown op');
  });

  for (const name of Object.keys(REDUCE_OPS) as (keyof typeof REDUCE_OPS)[]) it(`reduce_f32 ${name} over any run of axes matches the reference`, (ctx) => {
    const h = get(ctx);
    const op = REDUCE_OPS[name];
    for (const outer of [1, 3]) {
      for (const mid of [0, 1, 2, 5, 8, 9, 17, 100]) {
        for (const inner of [1, 3, 4, 8, 9, 17, 33]) {
          const x = data(outer * mid * inner, outer * 1000 + mid * 40 + inner, -10, 10);
          const n = outer * inner;
          const px = putGuarded(h, x);
          const py = putGuarded(h, new Float64Array(n).fill(7));
          h.k.reduce_f32(py, px, outer, mid, inner, op);
          const want = new Float64Array(n);
          ref.reduce_f32(want, x, outer, mid, inner, op);
          const label = `${name} [${outer}, ${mid}, ${inner}]`;
          // The sum is accumulated in f64 and rounded once: within one rounding of the exact sum.
          if (name === 'sum') expectClose(h.read(py, n), want, { rtol: 6e-8, atol: 1e-12, label });
          else expectSame(h.read(py, n), want, label);
          expectGuard(h, py, n, label);
        }
      }
    }
  });

  it('reduce_f32 sums a million values to f64 accuracy and propagates NaN through max/min', (ctx) => {
    const h = get(ctx);
    const n = 1 << 20;
    // Cancellation: large alternating terms plus a small residue a float32 accumulator would lose.
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = i % 2 ? 1e6 : -1e6 + 0.0625 * ((i % 7) + 1);
    const fx = f32round(x);
    const px = putGuarded(h, fx);
    const py = putGuarded(h, [0]);
    h.k.reduce_f32(py, px, 1, n, 1, REDUCE_OPS.sum);
    const want = new Float64Array(1);
    ref.reduce_f32(want, fx, 1, n, 1, REDUCE_OPS.sum);
    expect(want[0]).toBeGreaterThan(1e4);
    expectClose(h.read(py, 1), want, { rtol: 1e-7, atol: 0, label: 'sum of 2^20' });
    for (const inner of [1, 9]) {
      const y = data(20 * inner, inner, -1, 1);
      y[13 * inner] = NaN;
      const p = putGuarded(h, y);
      const q = putGuarded(h, new Float64Array(inner));
      for (const op of [REDUCE_OPS.max, REDUCE_OPS.min]) {
        h.k.reduce_f32(q, p, 1, 20, inner, op);
        expect(Number.isNaN(h.read(q, inner)[0]), `NaN through op ${op}, inner ${inner}`).toBe(true);
      }
    }
  });

  it('reduce_f32 with an unknown code writes nothing', (ctx) => {
    const h = get(ctx);
    const p = putGuarded(h, [1, 2, 3]);
    const q = putGuarded(h, [9]);
    h.k.reduce_f32(q, p, 1, 3, 1, 7);
    expectSame(h.read(q, 1), [9], 'unknown op');
  });
});
