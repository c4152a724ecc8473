// The debug binary (build/simdnet.debug.wasm: -O1, --debug, asserts kept — an assert() in a
// kernel imports env.abort, which the loader turns into a thrown error) under the kernel suites.
// Every suite of test/kernels/ is collected again here with SIMDNET_VARIANT=debug, the switch the
// harness (test/helpers/harness.ts) already honours, so each kernel test that runs on the default
// binary runs on this one too. (Blocks that name the relaxed binary still load the relaxed one.)
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBinary } from '../../scripts/load-binary.mjs';

// Before any suite imports the harness: it reads the variant once, when it loads. Put back
// afterwards, should the worker process be reused for another file.
const before = process.env.SIMDNET_VARIANT;
process.env.SIMDNET_VARIANT = 'debug';
afterAll(() => {
  if (before === undefined) delete process.env.SIMDNET_VARIANT;
  else process.env.SIMDNET_VARIANT = before;
});

const dir = path.resolve(import.meta.dirname, '../kernels');
const suites = fs.readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort();

it('the debug binary loads, and imports nothing but the memory and (asserts) abort', () => {
  const { module, file } = loadBinary({ variant: 'debug' });
  expect(file.endsWith('simdnet.debug.wasm') || !!process.env.SIMDNET_WASM_FILE).toBe(true);
  const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`);
  expect(imports).toContain('env.memory');
  for (const i of imports) expect(['env.memory', 'env.abort']).toContain(i);
  expect(suites.length).toBeGreaterThan(0);
});

describe('debug binary', async () => {
  const { TEST_VARIANT } = await import('../helpers/harness.ts');
  it('the harness runs the kernel suites on it', () => expect(TEST_VARIANT).toBe('debug'));
  for (const f of suites) describe(f, async () => void (await import(path.join(dir, f))));
});
