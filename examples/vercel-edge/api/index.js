// A Vercel Edge Function that serves a simdnet model: POST /predict, POST /train, GET /model
// (vercel.json routes them here).
//
// Edge Functions may not compile WebAssembly from bytes: the `?module` import makes Vercel's
// bundler ship the binary as a WebAssembly binding, compiled before the function runs, and it
// arrives here as a WebAssembly.Module for `init({ module })`. The model's files are static
// files of the same deployment (public/model/), fetched once per isolate.
import { init, loadLayersModel, optimizers, tensor, tidy } from 'simdnet';
import wasm from 'simdnet/simdnet.wasm?module';

export const config = { runtime: 'edge' };

const LEARNING_RATE = 0.05;
const MAX_ROWS = 1024;

// One model per isolate, loaded on the first request: the isolate keeps it, and its training,
// between requests (a new isolate starts again from the deployed files).
let loading = null;
function getModel(origin) {
  loading ??= (async () => {
    await init({ module: wasm });
    const model = await loadLayersModel(new URL('/model/model.json', origin).href);
    model.compile({ optimizer: optimizers.sgd({ learningRate: LEARNING_RATE }), loss: 'sparseCategoricalCrossentropy' });
    return model;
  })();
  // A failed load is not cached: the next request tries again.
  loading.catch(() => (loading = null));
  return loading;
}

class BadRequest extends Error {}

/** A non-empty list of at most MAX_ROWS rows of `width` finite numbers. */
function rows(value, width, what) {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_ROWS) throw new BadRequest(`${what}: expected 1 to ${MAX_ROWS} rows`);
  for (const row of value) {
    if (!Array.isArray(row) || row.length !== width || !row.every(Number.isFinite)) throw new BadRequest(`${what}: every row must be ${width} finite numbers`);
  }
  return value;
}

async function predict(model, body) {
  const [, width] = model.inputs[0].shape;
  const x = rows(body.inputs, width, 'inputs');
  const probs = tidy(() => model.predict(tensor(x)).arraySync());
  return { outputs: probs, classes: probs.map((p) => p.indexOf(Math.max(...p))) };
}

async function train(model, body) {
  const [, width] = model.inputs[0].shape;
  const classes = model.outputs[0].shape[1];
  const x = rows(body.inputs, width, 'inputs');
  const y = body.labels;
  if (!Array.isArray(y) || y.length !== x.length || !y.every((c) => Number.isInteger(c) && c >= 0 && c < classes)) {
    throw new BadRequest(`labels: expected ${x.length} class indices in [0, ${classes})`);
  }
  const steps = body.steps ?? 1;
  if (!Number.isInteger(steps) || steps < 1 || steps > 100) throw new BadRequest('steps: expected an integer in [1, 100]');
  const xs = tensor(x);
  const ys = tensor(y, [y.length], 'int32');
  try {
    const losses = [];
    for (let s = 0; s < steps; s++) losses.push(await model.trainOnBatch(xs, ys));
    return { losses };
  } finally {
    xs.dispose();
    ys.dispose();
  }
}

/** The model's files as they are now (fine-tuned or not): model.json's fields, weights in base64. */
async function files(model) {
  let saved = null;
  await model.save({
    async save(artifacts) {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  });
  const bytes = new Uint8Array(saved.weightData);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { modelTopology: saved.modelTopology, weightSpecs: saved.weightSpecs, weightData: btoa(binary) };
}

const ROUTES = { 'POST /predict': predict, 'POST /train': train, 'GET /model': files };

export default async function handler(request) {
  const url = new URL(request.url);
  // vercel.json rewrites /predict to /api?route=predict (and so on); /api/predict works too.
  const name = url.searchParams.get('route') ?? url.pathname.replace(/^\/api/, '').replace(/^\//, '');
  const route = ROUTES[`${request.method} /${name}`];
  if (!route) return Response.json({ error: 'not found: POST /predict, POST /train, GET /model' }, { status: 404 });
  try {
    const body = request.method === 'POST' ? await request.json().catch(() => { throw new BadRequest('the body must be JSON'); }) : null;
    if (body !== null && (typeof body !== 'object' || Array.isArray(body))) throw new BadRequest('the body must be a JSON object');
    return Response.json(await route(await getModel(url.origin), body));
  } catch (e) {
    return Response.json({ error: e.message }, { status: e instanceof BadRequest ? 400 : 500 });
  }
}
