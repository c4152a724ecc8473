#!/usr/bin/env node
// `npm test`'s workerd suite: Cloudflare's runtime (the `workerd` devDependency) runs simdnet
// from dist/ as an ES-module worker, its binary as a `wasm` module (workerd refuses to compile
// bytes; there is no nodejs_compat, so no Node built-in either):
//  - test/edge/workerd.capnp: the checks of test/edge/edge-checks.mjs (init({ module }), the
//    golden trajectory, models built in the worker, loadLayersModel from this runner's server
//    through a service binding, fine-tuning, save through an IOHandler), compared with Node;
//  - examples/cloudflare-worker/config.capnp: the example itself, over HTTP, against Node.
// Ends with the `N passed, M failed` line CI counts; SKIPPED where workerd cannot run.
import path from 'node:path';
import { missingRuntime, requireBuild, root } from '../runtime/runner.mjs';
import { checkExample, compareEdgeResults, nodeLib, reporter, serveFixtures } from './common.mjs';
import { findWorkerd, startWorkerd } from './workerd-process.mjs';

const SUITE = 'workerd suite';
const found = findWorkerd();
if (!found.bin) missingRuntime(SUITE, found.reason);
console.log(`${SUITE}: ${found.version}`);
requireBuild(SUITE);

const rep = reporter();
const { lib } = await nodeLib();
const fixtures = await serveFixtures();
const servers = [];
// A hung runtime fails the suite instead of hanging npm test; the workerd children go with it.
const watchdog = setTimeout(async () => {
  rep.record('workerd suite', false, 'timed out after 300 s');
  for (const s of servers) await s.stop();
  process.exit(rep.finish());
}, 300_000);
try {
  const checks = await startWorkerd(found.bin, path.join(root, 'test/edge/workerd.capnp'), { args: [`--external-addr=models=127.0.0.1:${fixtures.port}`] });
  servers.push(checks);
  const res = await fetch(checks.urls.http, { method: 'POST', body: JSON.stringify({ base: 'http://models.test/', cases: fixtures.cases }), signal: AbortSignal.timeout(240_000) });
  const text = await res.text();
  let results;
  try {
    results = JSON.parse(text);
  } catch {
    throw new Error(`the checks worker answered HTTP ${res.status}: ${text.slice(0, 500)}\n${checks.log()}`);
  }
  await compareEdgeResults(rep, results, { lib, fixtures, label: 'workerd' });
  await rep.check('workerd: the model files came from this runner, through the service binding', () => {
    const want = fixtures.cases.map((c) => `${c.dir}/model.json`);
    const missing = want.filter((f) => !fixtures.requests.includes(f));
    if (missing.length) throw new Error(`never requested: ${missing.join(', ')} (requests: ${fixtures.requests.join(', ')})`);
  });

  const example = await startWorkerd(found.bin, path.join(root, 'examples/cloudflare-worker/config.capnp'));
  servers.push(example);
  await checkExample(rep, 'examples/cloudflare-worker', example.urls.http, path.join(root, 'examples/cloudflare-worker/model'), lib);
} catch (e) {
  rep.record('workerd suite', false, e?.stack ?? e);
} finally {
  for (const s of servers) await s.stop();
  await fixtures.close();
  clearTimeout(watchdog);
}
process.exit(rep.finish());
