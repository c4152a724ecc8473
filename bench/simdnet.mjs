// simdnet's side of bench/compare.mjs.
//
// Kernel rows: GEMM through bench/gemm.mjs (benchGemm), conv2d through bench/conv.mjs
// (convCase), and here, directly on the binary, maxPool forward/backward and the fused sparse
// softmax cross-entropy (value + gradient). End-to-end rows through the public API
// (dist/index.js), as a child process: `node bench/simdnet.mjs e2e '{"model":"mlp"}'`, and
// `cold` for import → first prediction. `e2e` can also profile a training step per layer and
// save the trained weights (for the ONNX model of bench/peers/onnx.mjs).
import fs from 'node:fs';
import path from 'node:path';
import { accuracy, childMain, distIndex, gatherRows, loadMnist, loadModels, now, order, root, timeInference, timeTraining } from './peers/common.mjs';
import { loadBinary } from '../scripts/load-binary.mjs';

export function version() {
  return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
}

// ------------------------------------------------------------------------------------ kernels

/**
 * The baseline binary instantiated over its own memory, with a bump allocator — loaded by
 * scripts/load-binary.mjs like bench/gemm.mjs and bench/conv.mjs (no host library in the timed calls).
 */
export function rawKernels(wasmFile = path.join(root, 'build/simdnet.wasm')) {
  const { exports: ex, memory } = loadBinary({ file: wasmFile });
  const base = (ex.heap_base() + 63) & ~63;
  let top = base;
  return {
    ex,
    file: path.relative(root, wasmFile),
    reset() {
      top = base;
    },
    alloc(bytes) {
      const p = top;
      top += (bytes + 63) & ~63;
      if (top > memory.buffer.byteLength) memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
      return p;
    },
    fillRandom(p, n) {
      const f = new Float32Array(memory.buffer, p, n);
      for (let i = 0; i < n; i++) f[i] = Math.random() * 2 - 1;
    },
    i32(p, n) {
      return new Int32Array(memory.buffer, p, n);
    },
  };
}

/**
 * 2x2 max-pool, stride 2, valid, NHWC. pass: 'forward' (with the argmax, as in training) |
 * 'inference' (no argmax) | 'backward' (dx += routed dy).
 */
export function maxPoolCase(rk, s, pass) {
  const { batch, h, w, c } = s;
  const oh = Math.floor(h / 2);
  const ow = Math.floor(w / 2);
  const nx = batch * h * w * c;
  const ny = batch * oh * ow * c;
  rk.reset();
  const x = rk.alloc(4 * nx);
  const dx = rk.alloc(4 * nx);
  const y = rk.alloc(4 * ny);
  const dy = rk.alloc(4 * ny);
  const idx = rk.alloc(4 * ny);
  rk.fillRandom(x, nx);
  rk.fillRandom(dy, ny);
  const fwd = () => rk.ex.maxpool2d_forward_f32(y, idx, x, batch, h, w, c, oh, ow, 2, 2, 2, 2, 0, 0);
  fwd();
  if (pass === 'forward') return { run: fwd };
  if (pass === 'inference') return { run: () => rk.ex.maxpool2d_forward_f32(y, 0, x, batch, h, w, c, oh, ow, 2, 2, 2, 2, 0, 0) };
  return { run: () => rk.ex.maxpool2d_backward_f32(dx, dy, idx, batch, h, w, c, oh, ow) };
}

/** Fused sparse softmax cross-entropy: probs, mean loss and dz += (p − onehot)/batch. */
export function softmaxXentCase(rk, s) {
  const { batch, classes } = s;
  rk.reset();
  const z = rk.alloc(4 * batch * classes);
  const probs = rk.alloc(4 * batch * classes);
  const dz = rk.alloc(4 * batch * classes);
  const labels = rk.alloc(4 * batch);
  rk.fillRandom(z, batch * classes);
  const l = rk.i32(labels, batch);
  for (let i = 0; i < batch; i++) l[i] = (i * 7) % classes;
  return { run: () => rk.ex.softmax_xent_sparse_f32(probs, dz, z, labels, batch, classes) };
}

// ------------------------------------------------------------------------------ end to end

/**
 * The MNIST model `kind` (mlp | cnn | resmlp | bncnn | lstm | gru) from src/cli/models.ts (build/models.mjs), as the
 * CLI, the demo, the tests and the TF.js peer build it; { skipped } when dist/index.js lacks a
 * factory it needs.
 */
async function buildModel(sn, kind) {
  const skipped = await unavailable(sn, kind);
  return skipped ? { skipped } : { model: (await loadModels()).mnistModel(sn, kind) };
}

/** Why `kind` cannot be built with this dist/index.js, or null. */
async function unavailable(sn, kind) {
  const missing = (await loadModels()).missingFactories(sn, kind);
  return missing.length ? `simdnet ${kind}: ${missing.join(', ')} not in dist/index.js yet` : null;
}

function compile(sn, model) {
  model.compile({ optimizer: sn.optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const inShape = async (kind) => (await loadModels()).MNIST_MODELS[kind].inputShape;

/**
 * Where the time of one training step goes: each layer's forward and backward, the loss, the
 * optimizer update, and the rest of the step (staging the batch, zeroing gradients, metrics,
 * JS), timed by wrapping those calls during a fit of `steps` batches (x holds steps·batch samples). ms per step.
 */
async function profileStep(sn, model, x, y, steps) {
  const acc = new Map();
  const add = (k, dt) => acc.set(k, (acc.get(k) ?? 0) + dt);
  const restore = [];
  const wrap = (obj, method, key) => {
    const orig = obj[method];
    obj[method] = function (...a) {
      const t0 = now();
      const r = orig.apply(this, a);
      add(key, now() - t0);
      return r;
    };
    restore.push(() => {
      obj[method] = orig;
    });
  };
  for (const l of model.layers) {
    wrap(l, 'forward', `${l.name} (${l.className}) forward`);
    wrap(l, 'backward', `${l.name} (${l.className}) backward`);
  }
  const c = model.compiled;
  if (c?.loss?.compute) wrap(c.loss, 'compute', 'loss (fused softmax xent)');
  if (c?.optimizer?.step) wrap(c.optimizer, 'step', 'optimizer (adam, whole parameter block)');
  const bs = x.shape[0] / steps;
  await model.fit(x.slice(0, Math.min(5, steps) * bs), y.slice(0, Math.min(5, steps) * bs), { batchSize: bs, epochs: 1, shuffle: false, verbose: 0 });
  acc.clear();
  const t0 = now();
  await model.fit(x, y, { batchSize: bs, epochs: 1, shuffle: false, verbose: 0 });
  const total = (now() - t0) / steps;
  for (const r of restore) r();
  return { steps, batch: bs, msPerStep: total, parts: breakdown(acc, steps, total, 'rest of the step (copy batch in, zero grads, accuracy metric, JS)') };
}

/**
 * Timed parts (ms summed over `count` steps or batches, by name) as ms each, plus the untimed
 * rest of `total` ms each, with their shares.
 */
function breakdown(acc, count, total, restName) {
  const parts = [...acc.entries()].map(([name, ms]) => ({ name, msPerStep: ms / count }));
  const timed = parts.reduce((s, p) => s + p.msPerStep, 0);
  parts.push({ name: restName, msPerStep: total - timed });
  for (const p of parts) p.pct = (100 * p.msPerStep) / total;
  return parts;
}

/** Where inference time goes: each layer's forward during predict(x, batch), ms per batch. */
function profilePredict(model, x, batch) {
  const acc = new Map();
  const restore = [];
  for (const l of model.layers) {
    const orig = l.forward;
    const key = `${l.name} (${l.className}) forward`;
    l.forward = function (...a) {
      const t0 = now();
      const r = orig.apply(this, a);
      acc.set(key, (acc.get(key) ?? 0) + now() - t0);
      return r;
    };
    restore.push(() => (l.forward = orig));
  }
  const batches = Math.ceil(x.shape[0] / batch);
  const t0 = now();
  model.predict(x, { batchSize: batch });
  const total = (now() - t0) / batches;
  for (const r of restore) r();
  return { batches, batch, msPerBatch: total, parts: breakdown(acc, batches, total, 'rest (copy batch in and out, JS)') };
}

async function e2e(cfg) {
  const sn = await import(distIndex);
  await sn.init();
  const info = sn.backendInfo();
  const kind = cfg.model;
  const bs = cfg.batchSize;
  sn.setSeed(cfg.seed);
  const skipped = await unavailable(sn, kind);
  if (skipped) return { library: 'simdnet', model: kind, skipped };
  const shape = await inShape(kind);
  const d = await loadMnist({ trainLimit: cfg.trainLimit, testLimit: cfg.testLimit || undefined });
  const ord = order(d.nTrain, cfg.seed);
  const toX = (arr, n) => sn.tensor(arr, [n, ...shape]);
  const toY = (arr, n) => sn.tensor(arr instanceof Int32Array ? arr : Int32Array.from(arr), [n]);

  if (!cfg.accuracyOnly) {
    const n = Math.min(cfg.warmSteps * bs, d.nTrain);
    const m = compile(sn, (await buildModel(sn, kind)).model);
    const x = toX(gatherRows(d.trainX, 784, ord, 0, n), n);
    await m.fit(x, toY(gatherRows(d.trainY, 1, ord, 0, n), n), { batchSize: bs, epochs: 1, shuffle: false, verbose: 0 });
    m.predict(x, { batchSize: cfg.inferBatch });
  }

  sn.setSeed(cfg.seed);
  const model = compile(sn, (await buildModel(sn, kind)).model);
  const out = { library: 'simdnet', seed: cfg.seed, model: kind, binary: info.binary, features: info.features, threads: info.threads };
  out.train = await timeTraining(model, d, ord, cfg, bs, toX, toY);

  const xt = toX(d.testX, d.nTest);
  const p = model.predict(xt, { batchSize: cfg.inferBatch });
  out.testAccuracy = accuracy(p.values, d.testY);
  out.testSamples = d.nTest;
  out.accuracyAfter = out.train.mode === 'one epoch' ? 'one epoch' : `${out.train.steps} steps`;
  if (cfg.accuracyOnly) return out;

  const nInf = Math.min(d.nTest, Math.max(cfg.inferBatch, Math.floor(Math.min(cfg.inferSamples, d.nTest) / cfg.inferBatch) * cfg.inferBatch));
  const xi = sn.tensor(d.testX.subarray(0, nInf * 784), [nInf, ...shape]);
  model.predict(xi, { batchSize: cfg.inferBatch });
  // As for TF.js: one predict(x, { batchSize: 256 }) and a loop of predict() on batches of 256;
  // the row takes the faster.
  const batches = [];
  // Tensor.slice(begin, size), as TF.js's.
  for (let s = 0; s < nInf; s += cfg.inferBatch) batches.push(xi.slice(s, Math.min(cfg.inferBatch, nInf - s)));
  out.infer = timeInference({
    n: nInf,
    batch: cfg.inferBatch,
    reps: cfg.inferReps,
    whole: () => void model.predict(xi, { batchSize: cfg.inferBatch }),
    loop: () => {
      for (const b of batches) model.predict(b, { batchSize: cfg.inferBatch });
    },
    note: 'faster of predict(x, {batchSize: 256}) and a loop of predict() over batches of 256',
  });
  if (cfg.profileSteps) out.inferProfile = profilePredict(model, xi, cfg.inferBatch);

  if (cfg.saveWeights) {
    const ws = model.getWeights().map((t) => ({ shape: t.shape, data: Buffer.from(t.values.buffer, t.values.byteOffset, t.values.byteLength).toString('base64') }));
    fs.mkdirSync(path.dirname(cfg.saveWeights), { recursive: true });
    fs.writeFileSync(cfg.saveWeights, JSON.stringify({ model: kind, testAccuracy: out.testAccuracy, weights: ws }));
    out.savedWeights = path.relative(root, cfg.saveWeights);
  }
  if (cfg.profileSteps) {
    const steps = Math.min(cfg.profileSteps, Math.floor(d.nTrain / bs));
    const n = steps * bs;
    const x = toX(gatherRows(d.trainX, 784, ord, 0, n), n);
    const y = toY(gatherRows(d.trainY, 1, ord, 0, n), n);
    out.profile = await profileStep(sn, model, x, y, steps);
  }
  return out;
}

async function cold(cfg) {
  await loadModels(); // the bench's model module, not the library: outside the timing
  const t0 = now();
  const sn = await import(distIndex);
  const tImport = now();
  await sn.init();
  const tReady = now();
  const { model: m, skipped } = await buildModel(sn, cfg.model);
  if (skipped) return { library: 'simdnet', model: cfg.model, skipped };
  const y = m.predict(sn.tensor(new Float32Array(784), [1, ...(await inShape(cfg.model))]));
  void y.values[0];
  const t1 = now();
  return { library: 'simdnet', model: cfg.model, coldStartMs: t1 - t0, importMs: tImport - t0, initMs: tReady - tImport, firstPredictMs: t1 - tReady };
}

/**
 * The Embedding + GRU text row (bench/text.mjs): training samples/s (batch 64, Adam 1e-3, binary
 * cross-entropy), test accuracy after those steps, inference samples/s at batch 256.
 */
async function text(cfg) {
  const sn = await import(distIndex);
  await sn.init();
  const { TEXT, textModel, timeText, timeTextInference } = await import('./text.mjs');
  for (const f of ['embedding', 'gru']) if (typeof sn.layers[f] !== 'function') return { library: 'simdnet', model: 'text', skipped: `simdnet: layers.${f} not in dist/index.js yet` };
  sn.setSeed(cfg.seed);
  const lib = {
    build: () => {
      const m = textModel(sn);
      m.compile({ optimizer: sn.optimizers.adam({ learningRate: 1e-3 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      return m;
    },
    toX: (a, n) => sn.tensor(a, [n, TEXT.length], 'int32'),
    toY: (a, n) => sn.tensor(a, [n, 1]),
    predict: (m, x, batchSize = 256) => m.predict(x, { batchSize }).values,
    release: (ts) => ts.forEach((t) => t.dispose?.()),
    dispose: (m) => m.dispose?.(),
  };
  const r = await timeText(lib, cfg, now);
  const out = { library: 'simdnet', model: 'text', binary: sn.backendInfo().binary, train: r.train, testAccuracy: r.testAccuracy, testSamples: r.testSamples };
  out.accuracyAfter = `${r.train.steps} steps`;
  out.infer = timeTextInference(lib, r.model, cfg, now);
  return out;
}

await childMain(import.meta.url, { e2e, cold, text });
