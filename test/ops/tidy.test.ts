// The memory API (tidy, keep, dispose, memory) with TF.js's semantics, and toString/print in
// TF.js's layout, each checked against TF.js itself (cpu backend) on the same script.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { initTfjs, tf } from '../helpers/tfjs.ts';

beforeAll(async () => {
  await initTfjs();
});

/** The same script run in both libraries; returns the numTensors seen at each checkpoint. */
function script(lib: { tensor: typeof sn.tensor; tidy: typeof sn.tidy; keep: typeof sn.keep; dispose: typeof sn.dispose; memory: () => { numTensors: number } }): number[] {
  const seen: number[] = [];
  const n0 = lib.memory().numTensors;
  const mark = () => seen.push(lib.memory().numTensors - n0);
  const a = lib.tensor([1, 2, 3]);
  mark();
  const out = lib.tidy(() => {
    lib.tensor([4]);
    const kept = lib.keep(lib.tensor([5]));
    const inner = lib.tidy('inner', () => {
      lib.tensor([6]);
      return { x: lib.tensor([7]), list: [lib.tensor([8]), 3] };
    });
    mark();
    return [inner.x, kept];
  });
  mark();
  lib.dispose(out);
  mark();
  lib.dispose(out); // twice is harmless
  lib.dispose(a);
  lib.dispose([a, { b: a }]);
  mark();
  lib.tidy(() => {});
  lib.tidy(() => 5);
  mark();
  return seen;
}

describe('tidy, keep, dispose and memory', () => {
  it('count tensors exactly as TF.js does through nested scopes, keep and containers', () => {
    const ours = script(sn);
    const theirs = script({ tensor: tf.tensor as never, tidy: tf.tidy as never, keep: tf.keep as never, dispose: tf.dispose as never, memory: tf.memory });
    expect(ours).toEqual(theirs);
    expect(ours).toEqual([1, 5, 3, 1, 0, 0]);
  });

  it('tidy leaves memory().numTensors unchanged when it returns nothing', () => {
    const before = sn.memory();
    sn.tidy(() => {
      for (let i = 0; i < 100; i++) sn.tensor([i, i]).reshape([2, 1]);
    });
    const after = sn.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
    expect(after.numDataBuffers).toBe(before.numDataBuffers);
  });

  it('counts a reshape as a tensor but not as a new data buffer, as TF.js', () => {
    const m0 = sn.memory();
    const t = sn.tensor([1, 2, 3, 4]);
    const r = t.reshape([2, 2]);
    const m1 = sn.memory();
    expect(m1.numTensors - m0.numTensors).toBe(2);
    expect(m1.numDataBuffers - m0.numDataBuffers).toBe(1);
    expect(m1.numBytes - m0.numBytes).toBe(16);
    t.dispose();
    expect(sn.memory().numBytes - m0.numBytes).toBe(16);
    r.dispose();
    expect(sn.memory().numBytes).toBe(m0.numBytes);
    expect(sn.memory().unreliable).toBe(false);
  });

  it('a disposed tensor refuses to be read, as in TF.js', () => {
    const t = sn.tensor([[1, 2]]);
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(() => t.dataSync()).toThrow(/^Tensor is disposed \(tensor \d+, float32 \[1, 2\]\)$/);
    expect(() => t.arraySync()).toThrow(/disposed/);
  });

  it('tidy disposes what it made when fn throws, and refuses async functions', () => {
    const n = sn.memory().numTensors;
    expect(() =>
      sn.tidy(() => {
        sn.tensor([1]);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(sn.memory().numTensors).toBe(n);
    expect(() => sn.tidy((async () => sn.tensor([1])) as never)).toThrow(/^tidy: cannot return a Promise/);
    expect(sn.memory().numTensors).toBe(n);
    expect(() => sn.tidy(5 as never)).toThrow(/^tidy: expected a function/);
    expect(() => sn.tidy('name', 'x' as never)).toThrow(/^tidy: expected a function, got string$/);
    expect(() => sn.keep(3 as never)).toThrow(/^keep: expected a Tensor$/);
  });

  it('memory() reports the arena once init() ran', async () => {
    await sn.init();
    const m = sn.memory();
    expect(m.arena).not.toBeNull();
    expect(m.arena!.memoryBytes).toBeGreaterThan(0);
    expect(m.arena!.usedBytes).toBeGreaterThanOrEqual(0);
  });

  it('ready() loads the binary as tf.ready() readies TF.js', async () => {
    await sn.ready();
    expect(sn.backendInfo().abiVersion).toBeGreaterThan(0);
  });
});

describe('toString and print use TF.js layout', () => {
  const cases: [string, unknown, number[] | undefined, 'float32' | 'int32' | 'bool' | undefined][] = [
    ['scalar', 3.5, undefined, undefined],
    ['vector', [1, 2.25, -3], undefined, undefined],
    ['matrix with uneven widths', [[1, 200.5], [-30, 4]], undefined, undefined],
    ['rank 3', [[[1, 2], [3, 4]], [[5, 6], [7, 8]]], undefined, undefined],
    ['long vector elided', Array.from({ length: 30 }, (_, i) => i / 3), undefined, undefined],
    ['tall matrix elided', Array.from({ length: 50 }, (_, i) => i), [25, 2], undefined],
    ['int32', [[1, -2], [30, 4]], undefined, 'int32'],
    ['bool', [true, false, true], undefined, undefined],
    ['empty', [], [0, 3], undefined],
  ];
  for (const [name, values, shape, dtype] of cases) {
    it(name, () => {
      const ours = sn.tensor(values as never, shape, dtype);
      const theirs = tf.tensor(values as never, shape, dtype);
      expect(ours.toString()).toBe(theirs.toString());
      expect(ours.toString(true)).toBe(theirs.toString(true));
    });
  }
});
