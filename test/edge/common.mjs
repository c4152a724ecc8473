// The Node side of the edge suites (test/edge/workerd.mjs, test/edge/edge-runtime.mjs): serving
// the TF.js-made model files, computing in Node what the edge runtime must reproduce, comparing,
// and checking the examples/ apps over HTTP. The runtime side is test/edge/edge-checks.mjs.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeIoFixtures } from '../runtime/io-fixtures.mjs';
import { root, summary } from '../runtime/runner.mjs';
import { loadTuneSave } from './edge-checks.mjs';

export const golden = JSON.parse(fs.readFileSync(path.join(root, 'test/model/golden-trajectory.json'), 'utf8'));

/** dist/index.js in Node on the same precompiled baseline binary the edge runtime gets. */
export async function nodeLib() {
  const lib = await import(pathToFileURL(path.join(root, 'dist/index.js')).href);
  const module = new WebAssembly.Module(fs.readFileSync(path.join(root, 'dist/simdnet.wasm')));
  await lib.init({ module });
  return { lib, module };
}

/** Serves the io fixtures (TF.js-made, sharded model files) from memory on 127.0.0.1. */
export async function serveFixtures() {
  const fixtures = await makeIoFixtures();
  const requests = [];
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname.slice(1));
    requests.push(rel);
    const body = fixtures.files.get(rel);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': rel.endsWith('.json') ? 'application/json' : 'application/octet-stream' }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    cases: fixtures.cases,
    port,
    url: `http://127.0.0.1:${port}/`,
    requests,
    /** What the fixtures answer, for Node's own reference run (no socket involved). */
    fetchFunc: async (url) => {
      const rel = new URL(url).pathname.slice(1);
      const body = fixtures.files.get(rel);
      return body ? new Response(body) : new Response('not found', { status: 404 });
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const b64bytes = (s) => new Uint8Array(Buffer.from(s, 'base64'));

function closeTo(got, want, tol, what) {
  if (!Array.isArray(got) || got.length !== want.length) throw new Error(`${what}: expected ${want.length} values, got ${JSON.stringify(got)?.slice(0, 200)}`);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i])))) throw new Error(`${what}[${i}]: Node ${want[i]}, edge ${got[i]} (±${tol})`);
  }
}

/** A counter of checks with the runner's `ok` / `FAIL` lines and the closing summary. */
export function reporter() {
  let passed = 0;
  let failed = 0;
  return {
    record(name, ok, error) {
      ok ? passed++ : failed++;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${error ? `\n     ${String(error).replace(/\n/g, '\n     ')}` : ''}`);
    },
    async check(name, fn) {
      try {
        await fn();
        this.record(name, true);
      } catch (e) {
        this.record(name, false, e?.stack ?? e);
      }
    },
    finish() {
      summary(passed, failed);
      return failed === 0 && passed > 0 ? 0 : 1;
    },
    get failed() {
      return failed;
    },
  };
}

/**
 * Records the in-runtime results (runEdgeChecks), then compares the model-file check's numbers
 * with Node's: the same files, the same fine-tuning, the same saved weights (1e-6).
 */
export async function compareEdgeResults(rep, results, { lib, fixtures, label }) {
  for (const r of results) rep.record(`${label}: ${r.name}`, r.ok, r.error);
  const info = results.find((r) => r.name.startsWith('init({ module })'));
  await rep.check(`${label}: the binary's ABI version equals Node's`, () => {
    const want = lib.backendInfo().abiVersion;
    if (info?.data?.abiVersion !== want) throw new Error(`edge abiVersion ${info?.data?.abiVersion}, Node ${want}`);
  });
  const io = results.find((r) => r.name.startsWith('loadLayersModel'));
  await rep.check(`${label}: loaded, fine-tuned and saved models equal Node's (predictions, losses, weights 1e-6)`, async () => {
    if (!io?.ok) throw new Error('the in-runtime model-file check failed (above)');
    const node = await loadTuneSave(lib, { base: 'http://fixtures.test/', fetchFunc: fixtures.fetchFunc, cases: fixtures.cases });
    for (const [i, want] of node.entries()) {
      const got = io.data[i];
      closeTo(got.prediction, want.prediction, 1e-6, `${want.name}: prediction`);
      closeTo(got.losses, want.losses, 1e-6, `${want.name}: fine-tuning losses`);
      closeTo(got.tuned, want.tuned, 1e-6, `${want.name}: prediction after fine-tuning`);
      closeTo(Array.from(new Float32Array(b64bytes(got.artifacts.weightData).buffer)), Array.from(new Float32Array(b64bytes(want.artifacts.weightData).buffer)), 1e-6, `${want.name}: saved weights`);
      // The artifacts the runtime returned load in Node and predict what the runtime predicted.
      const m = await lib.loadLayersModel({ modelTopology: got.artifacts.modelTopology, weightSpecs: got.artifacts.weightSpecs, weightData: b64bytes(got.artifacts.weightData).buffer });
      const c = fixtures.cases[i];
      closeTo(Array.from(m.predict(lib.tensor(c.input, c.inputShape)).dataSync()), got.tuned, 1e-6, `${want.name}: the saved artifacts, loaded in Node`);
      m.dispose();
    }
  });
}

// ---------------------------------------------------------------------------------------------
// The examples (examples/cloudflare-worker, examples/vercel-edge): the same app in two runtimes.

/** Rows of 4 features for the example model (no generator). */
const exampleInputs = (n, k) => Array.from({ length: n }, (_, r) => Array.from({ length: 4 }, (_, c) => Math.sin((r * 4 + c) * k + 0.3) * 2));
// What the examples do on POST /train (their worker.js / api/index.js): SGD 0.05, sparse CE.
const EXAMPLE_TRAINING = { learningRate: 0.05, loss: 'sparseCategoricalCrossentropy' };

async function post(url, body) {
  const res = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return { status: res.status, json: await res.json() };
}

/**
 * Checks a running example at `url` against the same model in Node: predictions, a fine-tuning
 * request's losses, predictions after it, the saved files (GET /model), and a bad request.
 * `modelDir` is the example's own copy of the model files.
 */
export async function checkExample(rep, label, url, modelDir, lib) {
  const modelJSON = JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
  const weightData = new Uint8Array(fs.readFileSync(path.join(modelDir, 'model.weights.bin'))).buffer;
  const model = await lib.loadLayersModel({ modelJSON, weightData });
  model.compile({ optimizer: lib.optimizers.sgd({ learningRate: EXAMPLE_TRAINING.learningRate }), loss: EXAMPLE_TRAINING.loss });
  const x = exampleInputs(5, 0.61);
  const y = [0, 1, 2, 0, 1];
  const nodePredict = () => model.predict(lib.tensor(x)).arraySync().flat();
  try {
    await rep.check(`${label}: POST /predict equals Node's prediction (1e-6)`, async () => {
      const r = await post(`${url}/predict`, { inputs: x });
      if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.json)}`);
      closeTo(r.json.outputs.flat(), nodePredict(), 1e-6, 'outputs');
    });
    await rep.check(`${label}: POST /train fine-tunes: losses and later predictions equal Node's (1e-6)`, async () => {
      const r = await post(`${url}/train`, { inputs: x, labels: y, steps: 4 });
      if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${JSON.stringify(r.json)}`);
      const xs = lib.tensor(x);
      const ys = lib.tensor(y, [y.length], 'int32');
      const want = [];
      for (let s = 0; s < 4; s++) want.push(await model.trainOnBatch(xs, ys));
      closeTo(r.json.losses, want, 1e-6, 'losses');
      if (!(want[3] < want[0])) throw new Error(`the loss did not fall in Node either: ${want.join(', ')}`);
      const after = await post(`${url}/predict`, { inputs: x });
      closeTo(after.json.outputs.flat(), nodePredict(), 1e-6, 'outputs after /train');
    });
    await rep.check(`${label}: GET /model returns the fine-tuned files, which load in Node and predict the same`, async () => {
      const res = await fetch(`${url}/model`);
      const a = await res.json();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(a)}`);
      const m = await lib.loadLayersModel({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs, weightData: b64bytes(a.weightData).buffer });
      closeTo(m.predict(lib.tensor(x)).arraySync().flat(), nodePredict(), 1e-6, 'predictions of the saved files');
      m.dispose();
    });
    await rep.check(`${label}: a malformed request is a 400 naming the field`, async () => {
      const r = await post(`${url}/predict`, { inputs: [[1, 2, 3]] });
      if (r.status !== 400 || !/inputs/.test(r.json.error)) throw new Error(`expected 400 naming inputs, got ${r.status} ${JSON.stringify(r.json)}`);
      const t = await post(`${url}/train`, { inputs: x, labels: [0, 1, 2, 0, 7] });
      if (t.status !== 400 || !/labels/.test(t.json.error)) throw new Error(`expected 400 naming labels, got ${t.status} ${JSON.stringify(t.json)}`);
    });
  } finally {
    model.dispose();
  }
}
