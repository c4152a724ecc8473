// Every exported kernel has a float64 reference of the same name in test/reference/ and is named
// in at least one kernel test file. Adding an export without both fails here.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KERNEL_NAMES } from '../../src/wasm/abi.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const refDir = path.join(here, '../reference');

describe('kernel coverage', async () => {
  const refs = new Set<string>();
  for (const f of fs.readdirSync(refDir).filter((f) => f.endsWith('.ts'))) {
    const mod = await import(path.join(refDir, f));
    for (const [k, v] of Object.entries(mod)) if (typeof v === 'function') refs.add(k);
  }
  const testText = fs
    .readdirSync(here)
    .filter((f) => f.endsWith('.test.ts') && f !== 'coverage.test.ts')
    .map((f) => fs.readFileSync(path.join(here, f), 'utf8'))
    .join('\n');

  it.each(KERNEL_NAMES)('%s has a reference and a test', (name) => {
    expect(refs.has(name), `test/reference/ has no function ${name}`).toBe(true);
    expect(testText.includes(name), `no test/kernels/*.test.ts names ${name}`).toBe(true);
  });
});
