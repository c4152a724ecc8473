// A second init(): without options it keeps the loaded binary and every live model; with
// options it loads another, and models and layers of the old one fail with a clear error
// instead of reading or writing memory that now belongs to the new one.
import { describe, expect, it } from 'vitest';
import { layers, referenceModel, rejects, sn, stillTrains, tensor, x4, y3 } from './helpers.ts';

describe('init() twice', () => {
  it('without options returns the loaded backend; live models go on training', async () => {
    const first = await sn.init();
    const m = referenceModel();
    const again = await sn.init();
    expect(again.arenaBase).toBe(first.arenaBase);
    expect(again.binary).toBe(first.binary);
    await stillTrains(m);
    m.dispose();
  });

  it('with options replaces the binary: old models and layers throw, new ones are untouched', async () => {
    await sn.init();
    const old = referenceModel();
    const oldLayer = old.layers[0];
    const before = old.snapshotParams();
    await sn.init({ deterministic: true });
    const fresh = referenceModel();
    const freshWeights = fresh.snapshotParams();
    const stale = /^(model|layer) \w+: built on a binary that a later init\(\) replaced; its memory is gone\. Build it again after init\(\)$/;
    await rejects(() => old.predict(x4), stale);
    await rejects(() => old.trainOnBatch(x4, y3), stale);
    await rejects(() => old.fit(x4, y3, { verbose: 0 }), stale);
    await rejects(() => old.evaluate(x4, y3), stale);
    await rejects(() => old.getWeights(), stale);
    await rejects(() => old.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' }), stale);
    await rejects(() => oldLayer.getWeights(), stale);
    await rejects(() => oldLayer.apply(tensor([[1, 2, 3, 4]])), stale);
    await rejects(() => sn.sequential({ layers: [oldLayer] }).predict(x4), /./);
    expect(before.length).toBeGreaterThan(0);
    // Disposing the old model touches nothing of the new binary's memory.
    old.dispose();
    expect(fresh.snapshotParams()).toEqual(freshWeights);
    await stillTrains(fresh);
    fresh.dispose();
  });

  it('checks its options', async () => {
    await rejects(() => sn.init({ initialMemoryMB: NaN }), /^init: initialMemoryMB: expected .*got NaN$/);
    await rejects(() => sn.init({ initialMemoryMB: 1e9 }), /^init: initialMemoryMB: /);
    await rejects(() => sn.init({ variant: 'fast' as never }), /^init: variant must be 'auto', 'baseline' or 'relaxed', got "fast"$/);
    await rejects(() => sn.init({ deterministic: 'yes' as never }), /^init: deterministic: expected true or false, got "yes"$/);
    await rejects(() => sn.init({ wasm: 5 as never }), /^init: wasm: /);
    await rejects(() => sn.init({ determinstic: true } as never), /^init: unknown option determinstic/);
    // A rejected init() leaves the loaded binary in place.
    const m = referenceModel();
    await stillTrains(m);
    m.dispose();
  });
});

describe('layers across init()', () => {
  it('a layer made before init({ ... }) but never built works with the new binary', async () => {
    await sn.init();
    const l = layers.dense({ units: 2, inputShape: [4] });
    await sn.init({ deterministic: true });
    const m = sn.sequential({ layers: [l, layers.dense({ units: 3, activation: 'softmax' })] });
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await stillTrains(m);
    m.dispose();
  });
});
