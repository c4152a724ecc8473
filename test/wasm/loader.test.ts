// Loading: before init, with no arguments, from bytes, a file URL, a precompiled module.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backendInfo, init, layers, sequential } from '../../src/index.ts';

describe('loader', () => {
  it('throws a clear error before init', () => {
    expect(() => backendInfo()).toThrow('simdnet is not initialised: call `await init()` first');
    expect(() => sequential({ layers: [layers.dense({ units: 2, inputShape: [2] })] }).predict([[1, 2]])).toThrow(/not initialised/);
  });

  it('init() with no arguments picks a built-in binary and reports features', async () => {
    const info = await init();
    expect(info.features.simd).toBe(true);
    expect(['baseline', 'relaxed']).toContain(info.binary);
    expect(info.binary === 'relaxed').toBe(info.features.relaxedSimd);
    expect(info.source).toBe('inline');
    expect(info.abiVersion).toBe(8);
  });

  it('deterministic: true forces the baseline binary', async () => {
    expect((await init({ deterministic: true })).binary).toBe('baseline');
    expect((await init({ variant: 'baseline' })).binary).toBe('baseline');
  });

  it('accepts bytes, a file URL and a precompiled module', async () => {
    const bytes = fs.readFileSync('build/simdnet.wasm');
    expect((await init({ wasm: bytes })).source).toBe('bytes');
    expect((await init({ wasm: pathToFileURL('build/simdnet.wasm') })).source).toBe('url');
    const module = await WebAssembly.compile(bytes);
    const info = await init({ module });
    expect(info.source).toBe('module');
    expect(info.binary).toBe('custom');
    const m = sequential({ layers: [layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'ones' })] });
    expect(Array.from(m.predict([[1, 2, 3]]).dataSync())).toEqual([6, 6]);
  });

  it('rejects what is not a module, and a binary of the wrong ABI', async () => {
    await expect(init({ module: {} as WebAssembly.Module })).rejects.toThrow(/expected a WebAssembly.Module/);
    // A valid module with no exports at all.
    const empty = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
    await expect(init({ wasm: empty })).rejects.toThrow(/lacks \d+ exports/);
  });
});
