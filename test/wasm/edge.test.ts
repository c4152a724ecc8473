// Edge-style loading (Cloudflare Workers, Vercel Edge): the binary arrives as a precompiled
// WebAssembly.Module and every way to compile bytes throws. init({ module }) must still load,
// predict and train. The same check runs in Deno and Chromium (test/runtime/checks.mjs).
import fs from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import * as lib from '../../src/index.ts';
// Plain JS shared with the Deno and browser suites (types: checks.d.mts).
import { edgeStyleLoad } from '../runtime/checks.mjs';

const saved = { ...Object.getOwnPropertyDescriptors(WebAssembly) };
afterAll(() => Object.defineProperties(WebAssembly, saved));

it('init({ module }) loads, predicts and trains with compilation from bytes disabled', async () => {
  const bytes = fs.readFileSync('build/simdnet.wasm');
  await edgeStyleLoad(lib, bytes);
  // And the lock-down was lifted again.
  expect(WebAssembly.compile).toBe(saved.compile.value);
  expect(new WebAssembly.Module(bytes)).toBeInstanceOf(WebAssembly.Module);
});

it('without { module }, init() fails where compiling is forbidden (the check above is meaningful)', async () => {
  const compile = WebAssembly.compile;
  WebAssembly.compile = () => Promise.reject(new Error('Wasm code generation disallowed by embedder'));
  try {
    await expect(lib.init({ deterministic: true })).rejects.toThrow(/disallowed by embedder/);
  } finally {
    WebAssembly.compile = compile;
  }
});
