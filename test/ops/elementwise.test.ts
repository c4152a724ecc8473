// Elementwise ops against TF.js (cpu backend): every op over broadcasting shapes, dtypes and
// special values, on the JS path and on the wasm path (forced through wasmThresholds), plus
// the errors, the tensor count and the arena scratch.
import { describe, expect, it } from 'vitest';
import { Rng, tf } from '../helpers/tfjs.ts';
import { bothTensors, PATHS, setupWasmOps } from '../helpers/ops.ts';
import { Tensor, tensor, type DType } from '../../src/tensor.ts';
import { backend, backendOrNull } from '../../src/wasm/loader.ts';
import { memory } from '../../src/ops/tidy.ts';
import * as ew from '../../src/ops/elementwise.ts';
import { releaseScratch } from '../../src/ops/elementwise.ts';

// Before init(): this runs when the file is collected, before beforeAll loads the binary. Data
// preparation must work without it, on tensors above the wasm thresholds too.
const beforeInit = (() => {
  const hadBackend = backendOrNull() !== null;
  const x = tensor(Float32Array.from({ length: 5000 }, (_, i) => i));
  const r = [ew.add(x, 1), ew.exp(ew.neg(x)), ew.sigmoid(x)];
  return { hadBackend, values: r.map((t) => [t.values[0], t.values[4999]]) };
})();

setupWasmOps();

it('ops work before init(), in JS', () => {
  expect(beforeInit.hadBackend).toBe(false);
  expect(beforeInit.values).toEqual([[1, 5000], [1, Math.fround(Math.exp(-4999))], [0.5, 1]]);
});

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-30, -7.5, 3.25, 100, -100];

/** Seeded data of a dtype: floats in [−3, 3) with special values sprinkled in, ints in [−5, 5], bools. */
function data(shape: number[], dtype: DType, seed: number, special = true): { sn: Tensor; tf: tf.Tensor } {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const v: number[] = [];
  for (let i = 0; i < n; i++) {
    if (dtype === 'float32') v.push(special && i % 5 === 3 ? SPECIAL[(i + seed) % SPECIAL.length] : Math.fround(rng.uniform(-3, 3)));
    else if (dtype === 'int32') v.push(rng.int(11) - 5);
    else v.push(rng.int(2));
  }
  return bothTensors(v, shape, dtype);
}

/** Same dtype and shape; values equal within rtol (NaN = NaN, infinities exact); bools by truth (TF.js may store 2). */
function expectLike(got: Tensor, want: tf.Tensor, label: string, rtol = 1e-6, atol = 1e-30): void {
  expect(got.dtype, `${label}: dtype`).toBe(want.dtype);
  expect([...got.shape], `${label}: shape`).toEqual(want.shape);
  const g = got.values;
  const w = want.dataSync() as Float32Array | Int32Array | Uint8Array;
  for (let i = 0; i < w.length; i++) {
    const a = got.dtype === 'bool' ? +(g[i] !== 0) : g[i];
    const e = got.dtype === 'bool' ? +(w[i] !== 0) : w[i];
    const ok = Object.is(a, e) || a === e || (Number.isNaN(a) && Number.isNaN(e)) || (Number.isFinite(e) && Math.abs(a - e) <= atol + rtol * Math.abs(e));
    if (!ok) throw new Error(`${label}: element ${i} is ${a}, TF.js gives ${e}`);
  }
}

const BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'minimum', 'maximum', 'squaredDifference', 'mod', 'floorDiv', 'equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual'] as const;
const SHAPES: [number[], number[]][] = [
  [[2, 3], [2, 3]],
  [[2, 3], [3]],
  [[2, 1, 4], [3, 1]],
  [[3, 1], [1, 3]],
  [[], [2, 3]],
  [[2, 3], []],
  [[], []],
  [[0, 3], [3]],
  [[2, 0], [2, 1]],
  [[4, 1, 3, 5], [2, 1, 5]],
  [[33, 40], [40]],
  [[7, 9], [7, 1]],
];
const DTYPES: [DType, DType][] = [['float32', 'float32'], ['int32', 'int32'], ['float32', 'int32'], ['int32', 'bool'], ['bool', 'float32'], ['bool', 'bool']];

/** Ops whose result TF.js rounds once and we round twice (wasm squaredDifference), or that go through pow. */
const RTOL: Partial<Record<(typeof BINARY)[number], number>> = { squaredDifference: 2.5e-7, pow: 1e-6 };

for (const [path, setPath] of Object.entries(PATHS)) {
  describe(`binary ops match TF.js (${path} path)`, () => {
    for (const op of BINARY) {
      it(`${op} over broadcast shapes and dtypes`, () => {
        setPath();
        let seed = 1;
        for (const [sa, sb] of SHAPES) {
          for (const [da, db] of DTYPES) {
            const a = data(sa, da, seed++);
            const b = data(sb, db, seed++);
            const label = `${op} ${da}[${sa}] ${db}[${sb}]`;
            const got = (ew[op] as (a: Tensor, b: Tensor) => Tensor)(a.sn, b.sn);
            const want = (tf[op] as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(a.tf, b.tf);
            expectLike(got, want, label, RTOL[op] ?? 0);
            // Swapped operands: the other side broadcasts.
            const got2 = (ew[op] as (a: Tensor, b: Tensor) => Tensor)(b.sn, a.sn);
            const want2 = (tf[op] as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(b.tf, a.tf);
            expectLike(got2, want2, `${label} swapped`, RTOL[op] ?? 0);
          }
        }
      });
    }

    it('logicalAnd, logicalOr, logicalXor over broadcast bool shapes', () => {
      setPath();
      let seed = 100;
      for (const [sa, sb] of SHAPES) {
        const a = data(sa, 'bool', seed++);
        const b = data(sb, 'bool', seed++);
        for (const op of ['logicalAnd', 'logicalOr', 'logicalXor'] as const) {
          expectLike(ew[op](a.sn, b.sn), tf[op](a.tf, b.tf), `${op} [${sa}] [${sb}]`);
        }
      }
    });

    it('where broadcasts condition, a and b together and upcasts a and b', () => {
      setPath();
      let seed = 200;
      const cases: [number[], number[], number[]][] = [[[2, 3], [2, 3], [2, 3]], [[2, 1], [3], []], [[], [2, 2], [2, 2]], [[4, 1, 3], [2, 1], [1, 3]]];
      for (const [sc, sa, sb] of cases) {
        for (const [da, db] of DTYPES) {
          const c = data(sc, 'bool', seed++);
          const a = data(sa, da, seed++);
          const b = data(sb, db, seed++);
          expectLike(ew.where(c.sn, a.sn, b.sn), tf.where(c.tf, a.tf, b.tf), `where [${sc}] ${da}[${sa}] ${db}[${sb}]`);
        }
      }
    });

    it('addN adds tensors of one shape and dtype', () => {
      setPath();
      for (const dtype of ['float32', 'int32'] as DType[]) {
        for (const shape of [[3], [40, 33], []]) {
          const xs = [1, 2, 3, 4].map((s) => data(shape, dtype, 300 + s, false));
          expectLike(ew.addN(xs.map((x) => x.sn)), tf.addN(xs.map((x) => x.tf)), `addN ${dtype} [${shape}]`);
          expectLike(ew.addN([xs[0].sn]), tf.addN([xs[0].tf]), `addN of one ${dtype}`);
        }
      }
    });
  });

  describe(`unary ops match TF.js (${path} path)`, () => {
    const FLOAT_ONLY = ['sqrt', 'log', 'sigmoid', 'tanh', 'floor', 'ceil'] as const;
    const ANY = ['neg', 'abs', 'square', 'exp', 'relu', 'round', 'sign', 'reciprocal'] as const;
    /** exp, log, sigmoid and tanh are ≈2 ulp in wasm; the rest are exact. */
    const TOL: Record<string, number> = { exp: 2e-6, log: 2e-6, sigmoid: 2e-6, tanh: 2e-6 };

    for (const op of [...FLOAT_ONLY, ...ANY]) {
      it(`${op} on float32${(ANY as readonly string[]).includes(op) ? ', int32 and bool' : ''}, special values included`, () => {
        setPath();
        const dtypes: DType[] = (ANY as readonly string[]).includes(op) ? ['float32', 'int32', 'bool'] : ['float32'];
        for (const dtype of dtypes) {
          for (const shape of [[], [7], [3, 5], [0, 2], [40, 33]]) {
            const x = data(shape, dtype, shape.length * 17 + 3);
            expectLike((ew[op] as (x: Tensor) => Tensor)(x.sn), (tf[op] as (x: tf.Tensor) => tf.Tensor)(x.tf), `${op} ${dtype}[${shape}]`, TOL[op] ?? 0);
          }
        }
        // Wide ranges: exp overflows to Inf above 88.7 and gives subnormals below −87, as Math.exp in f32.
        const wide = Float32Array.from({ length: 300 }, (_, i) => (i - 150) * 0.75);
        const pos = Float32Array.from({ length: 300 }, (_, i) => 10 ** ((i - 150) / 4));
        for (const v of [wide, pos]) {
          if (op === 'log' || op === 'sqrt' ? v === wide : false) continue;
          expectLike((ew[op] as (x: Tensor) => Tensor)(tensor(v)), (tf[op] as (x: tf.Tensor) => tf.Tensor)(tf.tensor(v)), `${op} wide range`, TOL[op] ?? 0);
        }
      });
    }

    it('round is half to even, sign of NaN is 0, relu keeps NaN', () => {
      setPath();
      const x = tensor([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, NaN, -0]);
      expectLike(ew.round(x), tf.round(tf.tensor([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, NaN, -0])), 'round');
      expect(Array.from(ew.sign(tensor([NaN, -0, 0, -3, 2])).values)).toEqual([0, 0, 0, -1, 1]);
      expect(Number.isNaN(ew.relu(tensor([NaN])).values[0])).toBe(true);
    });

    it('logicalNot on bool', () => {
      setPath();
      const x = data([3, 4], 'bool', 9);
      expectLike(ew.logicalNot(x.sn), tf.logicalNot(x.tf), 'logicalNot');
    });

    it('clipByValue clamps every dtype, lets NaN through, fills when min = max', () => {
      setPath();
      for (const dtype of ['float32', 'int32', 'bool'] as DType[]) {
        for (const shape of [[5], [40, 33]]) {
          const x = data(shape, dtype, 77);
          for (const [lo, hi] of [[-1, 2], [0.5, 0.5], [-Infinity, 0], [-2.5, Infinity]]) {
            expectLike(ew.clipByValue(x.sn, lo, hi), tf.clipByValue(x.tf, lo, hi), `clip ${dtype}[${shape}] [${lo}, ${hi}]`);
          }
        }
      }
    });
  });
}

describe('elementwise ops: TF.js semantics at the edges', () => {
  it('plain numbers and arrays are accepted where TF.js takes TensorLike, with its dtypes', () => {
    const i = tensor([1, 2, 3], [3], 'int32');
    for (const [got, want] of [
      [ew.add(i, 1), tf.add(tf.tensor([1, 2, 3], [3], 'int32'), 1)],
      [ew.mul([1, 2], [[3], [4]]), tf.mul([1, 2], [[3], [4]])],
      [ew.add(true, true), tf.add(true, true)],
      [ew.sub(5, [1, 2]), tf.sub(5, [1, 2])],
      [ew.greater([1, 5], 3), tf.greater([1, 5], 3)],
      [ew.logicalAnd([true, false], [true, true]), tf.logicalAnd([true, false], [true, true])],
      [ew.sqrt([4, 9]), tf.sqrt([4, 9])],
      [ew.where([true, false], [1, 2], [3, 4]), tf.where([true, false], [1, 2], [3, 4])],
    ] as [Tensor, tf.Tensor][]) {
      expectLike(got, want, 'TensorLike');
    }
  });

  it('maximum and minimum propagate NaN from either side', () => {
    for (const set of Object.values(PATHS)) {
      set();
      const a = [1, NaN, NaN, 2];
      const b = [NaN, 1, NaN, 3];
      expectLike(ew.maximum(a, b), tf.maximum(a, b), 'maximum NaN');
      expectLike(ew.minimum(a, b), tf.minimum(a, b), 'minimum NaN');
    }
  });

  it('int32 division is floor division, by zero 0, as TF.js', () => {
    const a = tensor([7, -7, 7, -7, 5, 0], [6], 'int32');
    const b = tensor([2, 2, -2, -2, 0, 0], [6], 'int32');
    const ta = tf.tensor([7, -7, 7, -7, 5, 0], [6], 'int32');
    const tb = tf.tensor([2, 2, -2, -2, 0, 0], [6], 'int32');
    expectLike(ew.div(a, b), tf.div(ta, tb), 'int div');
    expectLike(ew.mod(a, b), tf.mod(ta, tb), 'int mod');
    expectLike(ew.floorDiv(a, b), tf.floorDiv(ta, tb), 'int floorDiv');
  });

  it('large tensors at the default thresholds (wasm) agree with TF.js', () => {
    const a = data([300, 70], 'float32', 5);
    const b = data([70], 'float32', 6);
    for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'] as const) expectLike(ew[op](a.sn, b.sn), tf[op](a.tf, b.tf), `${op} large`);
    for (const op of ['exp', 'sigmoid', 'tanh', 'abs', 'neg', 'square', 'relu'] as const) expectLike(ew[op](a.sn), tf[op](a.tf), `${op} large`, 2e-6);
    expectLike(ew.log(ew.abs(a.sn)), tf.log(tf.abs(a.tf)), 'log large', 2e-6);
    expectLike(ew.sqrt(ew.abs(a.sn)), tf.sqrt(tf.abs(a.tf)), 'sqrt large');
  });

  it('operands are not modified, and the result is a new tensor', () => {
    for (const set of Object.values(PATHS)) {
      set();
      const a = tensor([1, 2, 3, 4]);
      const before = Array.from(a.values);
      const r = ew.exp(a);
      expect(r).not.toBe(a);
      expect(r.values).not.toBe(a.values);
      ew.add(a, a);
      ew.clipByValue(a, 0, 1);
      expect(Array.from(a.values)).toEqual(before);
    }
  });

  it('ops count exactly one new tensor: converted arguments are disposed', () => {
    const a = tensor([1, 2, 3]);
    const n0 = memory().numTensors;
    const results = [ew.add(a, 1), ew.mul([1, 2, 3], 2), ew.where([true, false, true], a, 0), ew.addN([a, [1, 1, 1]]), ew.clipByValue([1, 5], 0, 2), ew.exp([1])];
    expect(memory().numTensors - n0).toBe(results.length);
    for (const r of results) r.dispose();
    expect(memory().numTensors).toBe(n0);
    // An error after a conversion disposes it too.
    expect(() => ew.add([1, 2, 3], [1, 2])).toThrow();
    expect(memory().numTensors).toBe(n0);
  });

  it('errors name the op, the argument and the values', () => {
    expect(() => ew.add(tensor([1, 2, 3]), tensor([1, 2]))).toThrow(/add: shapes \[3\] and \[2\] cannot be broadcast together/);
    expect(() => ew.sqrt(tensor([4], [1], 'int32'))).toThrow(/sqrt: x must be a float32 tensor, got int32/);
    expect(() => ew.logicalAnd(tensor([1]), tensor([true]))).toThrow(/logicalAnd: a must be a bool tensor, got float32/);
    expect(() => ew.where(tensor([1]), [1], [2])).toThrow(/where: condition must be a bool tensor/);
    expect(() => ew.clipByValue([1], 2, 1)).toThrow(/clipByValue: clipValueMin \(2\) must be <= clipValueMax \(1\)/);
    expect(() => ew.clipByValue([1], NaN, 1)).toThrow(/clipByValue: clipValueMin: expected a number, got NaN/);
    expect(() => ew.clipByValue([1], 0, '1' as unknown as number)).toThrow(/clipValueMax: expected a number, got "1"/);
    expect(() => ew.addN([])).toThrow(/addN: expected at least one tensor/);
    expect(() => ew.addN([tensor([1]), tensor([1], [1], 'int32')])).toThrow(/addN: every tensor must have the dtype of tensors\[0\] \(float32\), tensors\[1\] is int32/);
    expect(() => ew.addN([tensor([1]), tensor([1, 2])])).toThrow(/addN: every tensor must have the shape/);
    expect(() => ew.add(null as unknown as number, 1)).toThrow(/add: a: expected a/);
    const d = tensor([1]);
    d.dispose();
    expect(() => ew.neg(d)).toThrow(/neg: x: the tensor is disposed/);
  });
});

describe('the arena scratch of the wasm path', () => {
  it('grows as needed, leaves other blocks alone, and is given back by releaseScratch', () => {
    PATHS.wasm();
    const { arena } = backend();
    releaseScratch();
    const top0 = arena.top;
    const free0 = arena.freeBytes;
    // A block allocated by someone else (a model) before and after the scratch appears.
    const before = arena.alloc(4096);
    arena.f32.fill(3.5, before >>> 2, (before >>> 2) + 1024);
    ew.add(tensor(new Float32Array(1000).fill(1)), 1);
    const after = arena.alloc(4096);
    arena.f32.fill(-2, after >>> 2, (after >>> 2) + 1024);
    // Larger ops grow the scratch several times.
    for (const n of [10_000, 100_000, 1_000_000]) {
      const r = ew.mul(tensor(new Float32Array(n).fill(2)), tensor(new Float32Array(n).fill(3)));
      expect(r.values[n - 1]).toBe(6);
    }
    expect(arena.f32.subarray(before >>> 2, (before >>> 2) + 1024).every((v) => v === 3.5)).toBe(true);
    expect(arena.f32.subarray(after >>> 2, (after >>> 2) + 1024).every((v) => v === -2)).toBe(true);
    releaseScratch();
    arena.free(after, 4096);
    arena.free(before, 4096);
    expect(arena.top).toBe(top0);
    expect(arena.freeBytes).toBe(free0);
  });

  it('the same op gives the same result on both paths', () => {
    const x = data([50, 41], 'float32', 12);
    const y = data([41], 'float32', 13);
    PATHS.js();
    const js = [ew.add(x.sn, y.sn), ew.div(x.sn, y.sn), ew.maximum(x.sn, y.sn), ew.neg(x.sn), ew.sqrt(ew.abs(x.sn))];
    PATHS.wasm();
    const wasm = [ew.add(x.sn, y.sn), ew.div(x.sn, y.sn), ew.maximum(x.sn, y.sn), ew.neg(x.sn), ew.sqrt(ew.abs(x.sn))];
    js.forEach((t, i) => expect(Array.from(wasm[i].values)).toEqual(Array.from(t.values)));
  });
});
