#!/usr/bin/env node
// Edge runtimes: cold start and per-request inference latency of the examples, serving the
// MNIST MLP (784-128-10, src/cli/models.ts) instead of their bundled 4-8-3 model.
//
//   node bench/edge.mjs [--rounds 5] [--requests 200]      (after `npm run build`)
//
// workerd (examples/cloudflare-worker/worker.js, config generated next to the MLP's files):
//  - start: spawning `workerd serve` until its socket listens (config parsed, modules loaded,
//    the wasm module compiled);
//  - cold start: from the first request to its answer, the first prediction (batch 1): the
//    worker's init({ module }), the model's loading and compiling, one predict;
//  - second request, for comparison;
//  fresh process each round. Then per-request latency, batch 1 and batch 32 (POST /predict,
//  round trip from this Node client over loopback HTTP, JSON both ways), and a 404 request's
//  round trip as the floor of HTTP and routing alone.
// edge-runtime (examples/vercel-edge/dev.mjs, in this process): the same per-request latencies.
// Prints a Markdown table; raw figures go to bench/results/edge.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findWorkerd, startWorkerd } from '../test/edge/workerd-process.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROUNDS = arg('rounds', 5);
const REQUESTS = arg('requests', 200);

const lib = await import(pathToFileURL(path.join(root, 'dist/index.js')).href);
const { mnistModel } = await import(pathToFileURL(path.join(root, 'build/models.mjs')).href);

/** The MNIST MLP's files (fixed seed), written to `dir` as model.json + model.weights.bin. */
async function writeMlp(dir) {
  await lib.init({ deterministic: true });
  lib.setSeed(1);
  const model = mnistModel(lib, 'mlp');
  await model.save({
    async save(a) {
      const json = { format: a.format, generatedBy: a.generatedBy, modelTopology: a.modelTopology, weightsManifest: [{ paths: ['model.weights.bin'], weights: a.weightSpecs }] };
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
      fs.writeFileSync(path.join(dir, 'model.weights.bin'), new Uint8Array(a.weightData));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  model.dispose();
}

const pixels = (rows) => Array.from({ length: rows }, (_, r) => Array.from({ length: 784 }, (_, i) => ((r * 31 + i * 17) % 256) / 255));
const bodies = { 1: JSON.stringify({ inputs: pixels(1) }), 32: JSON.stringify({ inputs: pixels(32) }) };

async function timed(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}
async function predict(url, batch) {
  const res = await fetch(`${url}/predict`, { method: 'POST', body: bodies[batch], headers: { 'content-type': 'application/json' } });
  const out = await res.json();
  if (res.status !== 200 || out.outputs.length !== batch) throw new Error(`POST /predict (batch ${batch}): HTTP ${res.status} ${JSON.stringify(out).slice(0, 200)}`);
}
async function notFound(url) {
  const res = await fetch(`${url}/nothing-here`, { method: 'POST', body: '{}' });
  await res.arrayBuffer();
}
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const summary = (xs) => ({ median: quantile(xs, 0.5), p90: quantile(xs, 0.9), min: Math.min(...xs), n: xs.length });

/** Per-request latencies at `url`: 404 floor, batch 1, batch 32 (after a warm-up), interleaved. */
async function latencies(url) {
  for (let i = 0; i < 20; i++) await predict(url, 1), await predict(url, 32);
  const t = { floor: [], b1: [], b32: [] };
  for (let i = 0; i < REQUESTS; i++) {
    t.floor.push(await timed(() => notFound(url)));
    t.b1.push(await timed(() => predict(url, 1)));
    t.b32.push(await timed(() => predict(url, 32)));
  }
  return { floor: summary(t.floor), batch1: summary(t.b1), batch32: summary(t.b32) };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-edge-bench-'));
const results = { date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, cores: os.cpus().length, loadavg: os.loadavg(), rounds: ROUNDS, requests: REQUESTS };
try {
  fs.mkdirSync(path.join(tmp, 'model'));
  await writeMlp(path.join(tmp, 'model'));
  const found = findWorkerd();
  if (!found.bin) throw new Error(found.reason);
  results.workerd = found.version;
  // The example's worker and simdnet, with the MLP's files under the names the worker imports.
  const rel = (p) => path.relative(tmp, path.join(root, p));
  const config = path.join(tmp, 'bench.capnp');
  fs.writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "predictor", worker = .predictor) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "predictor") ],
);
const predictor :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "${rel('examples/cloudflare-worker/worker.js')}"),
    (name = "simdnet", esModule = embed "${rel('dist/index.js')}"),
    (name = "simdnet/simdnet.wasm", wasm = embed "${rel('dist/simdnet.wasm')}"),
    (name = "model/model.json", json = embed "model/model.json"),
    (name = "model/model.weights.bin", data = embed "model/model.weights.bin"),
  ],
  compatibilityDate = "2025-09-01",
);
`,
  );
  const cold = { start: [], first: [], second: [] };
  let warm = null;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    const w = await startWorkerd(found.bin, config);
    cold.start.push(performance.now() - t0);
    try {
      cold.first.push(await timed(() => predict(w.urls.http, 1)));
      cold.second.push(await timed(() => predict(w.urls.http, 1)));
      if (r === ROUNDS - 1) warm = await latencies(w.urls.http);
    } finally {
      await w.stop();
    }
  }
  results.workerdCold = { start: summary(cold.start), firstRequest: summary(cold.first), secondRequest: summary(cold.second) };
  results.workerdWarm = warm;

  // edge-runtime: the Vercel example's dev server, serving the MLP's files as its public/.
  const dev = await import(pathToFileURL(path.join(root, 'examples/vercel-edge/dev.mjs')).href);
  const ecold = [];
  let ewarm = null;
  for (let r = 0; r < ROUNDS; r++) {
    const srv = await dev.start({ port: 0, publicDir: tmp });
    try {
      ecold.push(await timed(() => predict(srv.url, 1)));
      if (r === ROUNDS - 1) ewarm = await latencies(srv.url);
    } finally {
      await srv.close();
    }
  }
  results.edgeRuntimeCold = { firstRequest: summary(ecold) };
  results.edgeRuntimeWarm = ewarm;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const ms = (s) => `${s.median.toFixed(1)} (p90 ${s.p90.toFixed(1)}, min ${s.min.toFixed(1)})`;
console.log(`\nEdge runtimes, MNIST MLP 784-128-10, ${results.date}, Node ${results.node}, ${results.cpu} × ${results.cores}, load average ${results.loadavg.map((x) => x.toFixed(1)).join(' ')}`);
console.log(`${results.workerd}; ${ROUNDS} cold starts, ${REQUESTS} requests of each kind; milliseconds, median (p90, min)\n`);
console.log('| | workerd | edge-runtime |');
console.log('|---|---|---|');
console.log(`| process start → listening | ${ms(results.workerdCold.start)} | — |`);
console.log(`| cold start: first request → first prediction (batch 1) | ${ms(results.workerdCold.firstRequest)} | ${ms(results.edgeRuntimeCold.firstRequest)} |`);
console.log(`| second request (batch 1) | ${ms(results.workerdCold.secondRequest)} | — |`);
console.log(`| warm POST /predict, batch 1 | ${ms(results.workerdWarm.batch1)} | ${ms(results.edgeRuntimeWarm.batch1)} |`);
console.log(`| warm POST /predict, batch 32 | ${ms(results.workerdWarm.batch32)} | ${ms(results.edgeRuntimeWarm.batch32)} |`);
console.log(`| 404 round trip (HTTP + routing, no model) | ${ms(results.workerdWarm.floor)} | ${ms(results.edgeRuntimeWarm.floor)} |`);
fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench/results/edge.json'), JSON.stringify(results, null, 1) + '\n');
