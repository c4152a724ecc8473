#!/usr/bin/env node
// `npm test`'s edge-runtime suite: Vercel's `edge-runtime` (the devDependency) runs simdnet from
// dist/ as an Edge Function, bundled and hosted by examples/vercel-edge/dev.mjs (`?module` wasm
// bindings compiled outside the VM, code generation from strings and bytes off inside, no
// Node built-ins or `process` inside):
//  - test/edge/edge-runtime-function.mjs: the checks of test/edge/edge-checks.mjs, compared with Node;
//  - examples/vercel-edge: the example itself, over HTTP, against Node.
// Ends with the `N passed, M failed` line CI counts; SKIPPED where edge-runtime is missing.
import path from 'node:path';
import { missingRuntime, requireBuild, root } from '../runtime/runner.mjs';
import { checkExample, compareEdgeResults, nodeLib, reporter, serveFixtures } from './common.mjs';

const SUITE = 'edge-runtime suite';
let dev;
let version;
try {
  dev = await import('../../examples/vercel-edge/dev.mjs');
  ({ version } = (await import('edge-runtime/package.json', { with: { type: 'json' } })).default);
} catch (e) {
  missingRuntime(SUITE, `edge-runtime (or esbuild) cannot be loaded: ${e.message.split('\n')[0]} (npm install installs the devDependencies)`);
}
console.log(`${SUITE}: edge-runtime ${version} on Node ${process.version}`);
requireBuild(SUITE);

const rep = reporter();
const { lib } = await nodeLib();
const fixtures = await serveFixtures();
let example = null;
// A hung runtime fails the suite instead of hanging npm test.
const watchdog = setTimeout(() => {
  rep.record('edge-runtime suite', false, 'timed out after 300 s');
  process.exit(rep.finish());
}, 300_000);
try {
  const runtime = dev.edgeRuntime(await dev.bundleEdgeFunction(path.join(root, 'test/edge/edge-runtime-function.mjs')));
  const res = await runtime.dispatchFetch('http://edge.test/', { method: 'POST', body: JSON.stringify({ base: fixtures.url, cases: fixtures.cases }) });
  const text = await res.text();
  let results;
  try {
    results = JSON.parse(text);
  } catch {
    throw new Error(`the edge function answered HTTP ${res.status}: ${text.slice(0, 500)}`);
  }
  await compareEdgeResults(rep, results, { lib, fixtures, label: 'edge-runtime' });
  await rep.check('edge-runtime: the model files came from this runner, over HTTP', () => {
    const missing = fixtures.cases.map((c) => `${c.dir}/model.json`).filter((f) => !fixtures.requests.includes(f));
    if (missing.length) throw new Error(`never requested: ${missing.join(', ')}`);
  });

  example = await dev.start({ port: 0 });
  await checkExample(rep, 'examples/vercel-edge', example.url, path.join(root, 'examples/vercel-edge/public/model'), lib);
} catch (e) {
  rep.record('edge-runtime suite', false, e?.stack ?? e);
} finally {
  await example?.close();
  await fixtures.close();
  clearTimeout(watchdog);
}
process.exit(rep.finish());
