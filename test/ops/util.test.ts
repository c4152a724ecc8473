// tf.util and tf.nextFrame: the same results as TF.js's where they are deterministic (flatten,
// sizeFromShape, assert), and for the shuffles: permutations, reproducible under setSeed.
import { describe, expect, it } from 'vitest';
import { setSeed } from '../../src/random.ts';
import { nextFrame, util } from '../../src/utils/util.ts';
import { tf } from '../helpers/tfjs.ts';

const isPermutation = (a: ArrayLike<number>, n: number) => a.length === n && [...Array.from(a)].sort((x, y) => x - y).every((v, i) => v === i);

describe('tf.util', () => {
  it('shuffle permutes in place, reproducibly under setSeed', () => {
    const run = (seed: number) => {
      setSeed(seed);
      const a = Array.from({ length: 50 }, (_, i) => i);
      expect(util.shuffle(a)).toBeUndefined();
      return a;
    };
    const a = run(3);
    expect(isPermutation(a, 50)).toBe(true);
    expect(a).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(run(3)).toEqual(a);
    expect(run(4)).not.toEqual(a);
    const f = Float32Array.of(1.5, 2.5, 3.5, 4.5);
    util.shuffle(f);
    expect([...f].sort()).toEqual([1.5, 2.5, 3.5, 4.5]);
  });

  it('shuffleCombo applies one permutation to both arrays', () => {
    setSeed(9);
    const a = Array.from({ length: 20 }, (_, i) => i);
    const b = Int32Array.from(a, (v) => v * 10);
    util.shuffleCombo(a, b);
    expect(isPermutation(a, 20)).toBe(true);
    expect(Array.from(b)).toEqual(a.map((v) => v * 10));
  });

  it('createShuffledIndices gives a Uint32Array permutation, reproducibly', () => {
    setSeed(1);
    const i1 = util.createShuffledIndices(100);
    expect(i1).toBeInstanceOf(Uint32Array);
    expect(isPermutation(i1, 100)).toBe(true);
    setSeed(1);
    expect(util.createShuffledIndices(100)).toEqual(i1);
    expect(util.createShuffledIndices(0)).toEqual(new Uint32Array(0));
  });

  it('sizeFromShape, flatten and assert behave as TF.js', () => {
    for (const s of [[], [3], [2, 3, 4], [5, 0, 2]]) expect(util.sizeFromShape(s)).toBe(tf.util.sizeFromShape(s));
    const nested = [1, [2, [3, 4]], Float32Array.of(5, 6), [[7]]];
    expect(util.flatten(nested)).toEqual(tf.util.flatten(nested));
    expect(util.flatten(nested, [], true)).toEqual(tf.util.flatten(nested, [], true));
    expect(util.flatten([[true], [false]])).toEqual([true, false]);
    expect(() => util.assert(false, 'boom')).toThrow(/^boom$/);
    expect(() => util.assert(false, () => 'lazy')).toThrow(/^lazy$/);
    expect(() => util.assert(1 + 1 === 2, () => 'never')).not.toThrow();
    const t0 = util.now();
    expect(typeof t0).toBe('number');
    expect(util.now()).toBeGreaterThanOrEqual(t0);
  });

  it('rejects what it cannot use, naming it', () => {
    expect(() => util.shuffle('abc' as never)).toThrow(/^util\.shuffle: array: expected an array, Uint32Array, Int32Array or Float32Array, got "abc"/);
    expect(() => util.shuffleCombo([1, 2], [1])).toThrow(/^util\.shuffleCombo: the arrays must have the same length, got 2 and 1/);
    expect(() => util.createShuffledIndices(-1)).toThrow(/^util\.createShuffledIndices: n: expected a non-negative integer, got -1/);
    expect(() => util.createShuffledIndices(2.5)).toThrow(/got 2\.5/);
    expect(() => util.sizeFromShape([2, -1])).toThrow(/^util\.sizeFromShape: shape\[1\]: expected a non-negative integer, got -1/);
    expect(() => util.sizeFromShape(3 as never)).toThrow(/^util\.sizeFromShape: shape: expected an array of dimensions, got 3/);
  });
});

describe('nextFrame', () => {
  it('resolves after the pending microtasks, as a new macrotask', async () => {
    const order: string[] = [];
    const p = nextFrame().then(() => order.push('frame'));
    void Promise.resolve().then(() => order.push('microtask'));
    await p;
    expect(order).toEqual(['microtask', 'frame']);
  });

  it('uses requestAnimationFrame where the runtime has one', async () => {
    const g = globalThis as { requestAnimationFrame?: (cb: () => void) => number };
    let calls = 0;
    g.requestAnimationFrame = (cb) => {
      calls++;
      setTimeout(cb, 0);
      return 1;
    };
    try {
      await nextFrame();
      expect(calls).toBe(1);
    } finally {
      delete g.requestAnimationFrame;
    }
  });
});
