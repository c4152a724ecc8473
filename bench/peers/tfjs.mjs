// TensorFlow.js (tfjs-core + tfjs-layers 4.x) on its wasm backend (XNNPACK, SIMD binary; no
// threads in Node), as the peer of simdnet in bench/compare.mjs.
//
// Kernel rows: matMul (three layouts), conv2d forward / input gradient / filter gradient, conv3d
// (the same three, on cpu where wasm lacks them), maxPool forward / backward, softmax
// cross-entropy (value + gradient).
// End-to-end rows (run as a child process: `node bench/peers/tfjs.mjs e2e '{"model":"mlp"}'`):
// MNIST MLP / CNN / residual MLP / BatchNorm + Dropout CNN / LSTM and GRU on row-MNIST training,
// accuracy, inference, peak RSS; `cold` for import → first prediction; `text` for the Embedding +
// GRU classifier of bench/text.mjs (trained on cpu: see there). The models come from src/cli/models.ts (build/models.mjs), like simdnet's.
//
// TF.js's wasm backend has NO kernel for Conv2DBackpropFilter, so a Conv2D model (cnn, bncnn)
// cannot train on it. To get a CNN training row at all, `patchConv2DBackpropFilter` registers one, built
// from the backend's own wasm kernels (see there). Everything that uses it says so.
//
// LSTM / GRU (row-MNIST): should TF.js wasm lack a kernel to train one (the first training step
// throws), that model trains on TF.js cpu instead — `trainBackend: 'cpu'` and `trainFallback`
// (the error) in the result, and the row says so — and is then evaluated and timed for inference
// on wasm with the trained weights.
import fs from 'node:fs';
import path from 'node:path';
import { accuracy, calibrate, childMain, gatherRows, loadMnist, loadModels, now, order, root, timeInference, timeTraining } from './common.mjs';

export const WASM_DIR = path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist') + path.sep;

export const FILTER_GRAD_WORKAROUND =
  'TF.js wasm has no Conv2DBackpropFilter kernel; the bench registers one built from the wasm backend\'s own ' +
  'Transpose and Conv2D (XNNPACK) kernels: dW = transpose(conv2d(transpose(x), transpose(dy))). Not part of TF.js.';

export function versions() {
  const v = (p) => {
    try {
      return JSON.parse(fs.readFileSync(path.join(root, 'node_modules', p, 'package.json'), 'utf8')).version;
    } catch {
      return null;
    }
  };
  return {
    '@tensorflow/tfjs-core': v('@tensorflow/tfjs-core'),
    '@tensorflow/tfjs-layers': v('@tensorflow/tfjs-layers'),
    '@tensorflow/tfjs-backend-wasm': v('@tensorflow/tfjs-backend-wasm'),
  };
}

let tfCache = null;
/** tfjs-core + layers on the wasm backend, initialised; `patch` adds the filter-gradient kernel. */
export async function setupTfjs({ patch = true, quiet = true } = {}) {
  if (tfCache) return tfCache;
  const core = await import('@tensorflow/tfjs-core');
  const tfl = await import('@tensorflow/tfjs-layers');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(WASM_DIR);
  if (quiet) core.env().set('PROD', true);
  const ok = await core.setBackend('wasm');
  if (!ok || core.getBackend() !== 'wasm') throw new Error('TF.js: could not initialise the wasm backend');
  await core.ready();
  addChainedOps(core);
  const tf = { ...core, layers: tfl.layers, sequential: tfl.sequential, input: tfl.input, model: tfl.model, tfl };
  const nativeFilterGrad = !!core.getKernel('Conv2DBackpropFilter', 'wasm');
  tf.nativeFilterGrad = nativeFilterGrad;
  tf.filterGradPatched = false;
  if (patch && !nativeFilterGrad) {
    patchConv2DBackpropFilter(core);
    tf.filterGradPatched = true;
  }
  tfCache = tf;
  return tf;
}

/**
 * TF.js's orthogonal initializer (the LSTM's and GRU's default recurrent kernel initializer) calls
 * chained tensor methods (x.reshape(), x.sign(), …), which tfjs-core registers only through
 * `@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops` (the union package
 * @tensorflow/tfjs imports it). That file's ESM imports have no extensions, so Node cannot load
 * it: the bench defines the few methods the initializer uses, each the plain op, where missing.
 */
export function addChainedOps(core) {
  const P = core.Tensor.prototype;
  const ops = {
    flatten: (t) => core.reshape(t, [t.size]),
    reshape: (t, shape) => core.reshape(t, shape),
    stridedSlice: (t, ...a) => core.stridedSlice(t, ...a),
    sign: (t) => core.sign(t),
    transpose: (t, perm) => core.transpose(t, perm),
  };
  for (const [name, f] of Object.entries(ops)) {
    if (typeof P[name] !== 'function') {
      P[name] = function (...a) {
        return f(this, ...a);
      };
    }
  }
}

/**
 * Registers Conv2DBackpropFilter for the wasm backend (it has none). With x [b, H, W, ci] and
 * dy [b, OH, OW, co]: dW[kh, kw, ci, co] = Σ_b,oh,ow x[b, oh·s + kh − pt, ow·s + kw − pl, ci] ·
 * dy[b, oh, ow, co], which is a convolution of xᵀ = [ci, H, W, b] (batch ↔ channels) with the
 * "filter" dyᵀ = [OH, OW, b, co], dilated by the stride, padded as the forward pass — then
 * transposed back to [kh, kw, ci, co]. All three steps run in TF.js's own wasm kernels.
 */
export function patchConv2DBackpropFilter(core) {
  const transpose = core.getKernel('Transpose', 'wasm').kernelFunc;
  const conv = core.getKernel('Conv2D', 'wasm').kernelFunc;
  core.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs;
      const { strides, pad, dimRoundingMode, filterShape, dataFormat } = attrs;
      if (dataFormat && dataFormat !== 'NHWC') throw new Error('bench Conv2DBackpropFilter: NHWC only');
      const info = core.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode);
      const { top, bottom, left, right } = info.padInfo;
      const xT = transpose({ inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } });
      const dyT = transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } });
      const r = conv({
        inputs: { x: xT, filter: dyT },
        backend,
        attrs: {
          strides: [1, 1],
          pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
          dilations: [info.strideHeight, info.strideWidth],
          dataFormat: 'NHWC',
        },
      });
      backend.disposeData(xT.dataId);
      backend.disposeData(dyT.dataId);
      if (r.shape[1] < info.filterHeight || r.shape[2] < info.filterWidth) {
        backend.disposeData(r.dataId);
        throw new Error(`bench Conv2DBackpropFilter: unsupported geometry (got [${r.shape}])`);
      }
      if (r.shape[1] !== info.filterHeight || r.shape[2] !== info.filterWidth) {
        backend.disposeData(r.dataId);
        throw new Error(`bench Conv2DBackpropFilter: strided geometry with remainder not handled ([${r.shape}])`);
      }
      const out = transpose({ inputs: { x: r }, backend, attrs: { perm: [1, 2, 0, 3] } });
      backend.disposeData(r.dataId);
      return out;
    },
  });
}

// ------------------------------------------------------------------------------------ kernels

const rnd = (tf, shape) => tf.randomUniform(shape, -1, 1, 'float32');

/**
 * One kernel row as { run, flops?, dispose } (run = one call, output disposed), or
 * { missing: reason } when TF.js wasm cannot run it natively (and no workaround is allowed).
 */
export function matMulCase(tf, m, k, n, layout) {
  const a = layout === 'tn' ? rnd(tf, [k, m]) : rnd(tf, [m, k]);
  const b = layout === 'nt' ? rnd(tf, [n, k]) : rnd(tf, [k, n]);
  const ta = layout === 'tn';
  const tb = layout === 'nt';
  return {
    run: () => tf.matMul(a, b, ta, tb).dispose(),
    flops: 2 * m * n * k,
    dispose: () => tf.dispose([a, b]),
  };
}

/** pass: 'forward' | 'backward-dx' | 'backward-dW'. Shapes as bench/conv.mjs (same padding, stride 1). */
export function convCase(tf, s, pass, { allowWorkaround = true } = {}) {
  const { batch, inH, inW, inC, outC, k } = s;
  const flops = 2 * batch * inH * inW * outC * k * k * inC;
  const x = rnd(tf, [batch, inH, inW, inC]);
  const w = rnd(tf, [k, k, inC, outC]);
  const dy = rnd(tf, [batch, inH, inW, outC]);
  const dispose = () => tf.dispose([x, w, dy]);
  if (pass === 'forward') return { run: () => tf.conv2d(x, w, 1, 'same').dispose(), flops, dispose };
  if (pass === 'backward-dx') {
    return { run: () => tf.conv2dTranspose(dy, w, [batch, inH, inW, inC], 1, 'same').dispose(), flops, dispose };
  }
  if (pass === 'backward-dW') {
    if (tf.nativeFilterGrad) {
      return { run: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [k, k, inC, outC] }).dispose(), flops, dispose };
    }
    if (!allowWorkaround || !tf.filterGradPatched) {
      dispose();
      return { missing: 'TF.js wasm has no Conv2DBackpropFilter kernel' };
    }
    return {
      workaround: FILTER_GRAD_WORKAROUND,
      run: () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [k, k, inC, outC] }).dispose(),
      flops,
      dispose,
    };
  }
  throw new Error(`convCase: unknown pass ${pass}`);
}

/**
 * conv3d on the current backend, NDHWC / DHWIO, 'same', stride 1, shapes as bench/conv3d.mjs.
 * pass: 'forward' | 'backward-dx' (Conv3DBackpropInputV2) | 'backward-dW' (Conv3DBackpropFilterV2).
 */
export function conv3dCase(tf, s, pass) {
  const { batch, inD, inH, inW, inC, outC, k } = s;
  const x = rnd(tf, [batch, inD, inH, inW, inC]);
  const w = rnd(tf, [k, k, k, inC, outC]);
  const dy = rnd(tf, [batch, inD, inH, inW, outC]);
  const dispose = () => tf.dispose([x, w, dy]);
  if (pass === 'forward') return { run: () => tf.conv3d(x, w, 1, 'same').dispose(), dispose };
  if (pass === 'backward-dx') return { run: () => tf.conv3dTranspose(dy, w, [batch, inD, inH, inW, inC], 1, 'same').dispose(), dispose };
  if (pass === 'backward-dW') {
    return { run: () => tf.engine().runKernel('Conv3DBackpropFilterV2', { x, dy }, { strides: [1, 1, 1], pad: 'same', filterShape: [k, k, k, inC, outC] }).dispose(), dispose };
  }
  throw new Error(`conv3dCase: unknown pass ${pass}`);
}

/** 2x2 max-pool, stride 2, valid, NHWC. pass: 'forward' | 'backward'. */
export function maxPoolCase(tf, s, pass) {
  const { batch, h, w, c } = s;
  const x = rnd(tf, [batch, h, w, c]);
  const y = tf.maxPool(x, 2, 2, 'valid');
  const dy = rnd(tf, y.shape);
  const dispose = () => tf.dispose([x, y, dy]);
  if (pass === 'forward') return { run: () => tf.maxPool(x, 2, 2, 'valid').dispose(), dispose };
  return {
    run: () => tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: 2, strides: 2, pad: 'valid' }).dispose(),
    dispose,
  };
}

/** Softmax cross-entropy over integer labels, value and gradient w.r.t. the logits. */
export function softmaxXentCase(tf, s) {
  const { batch, classes } = s;
  const z = rnd(tf, [batch, classes]);
  const labels = tf.oneHot(tf.tensor1d(Int32Array.from({ length: batch }, (_, i) => (i * 7) % classes), 'int32'), classes);
  const labelsF = tf.cast(labels, 'float32');
  labels.dispose();
  const f = tf.valueAndGrad((logits) => tf.losses.softmaxCrossEntropy(labelsF, logits));
  return {
    run: () => {
      const { value, grad } = f(z);
      value.dispose();
      grad.dispose();
    },
    dispose: () => tf.dispose([z, labelsF]),
  };
}

// ------------------------------------------------------------------------------ end to end

/**
 * MNIST model `kind` of src/cli/models.ts, compiled as simdnet's (Adam 1e-3, sparse categorical
 * cross-entropy). seed: glorotUniform kernels seeded seed, seed + 1, … in layer order (unseeded
 * without one).
 */
export async function buildModel(tf, kind, seed) {
  const { mnistModel } = await loadModels();
  let k = 0;
  const kernelInitializer = seed === undefined || !tf.tfl ? undefined : () => tf.tfl.initializers.glorotUniform({ seed: seed + k++ });
  const model = mnistModel(tf, kind, { kernelInitializer });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const inShape = async (kind) => (await loadModels()).MNIST_MODELS[kind].inputShape;

/** The models with Conv2D layers: they train on TF.js wasm only with the filter-gradient workaround. */
export const CONV_MODELS = ['cnn', 'bncnn'];
/** The recurrent models (row-MNIST): trained on TF.js cpu should wasm lack a kernel for it. */
export const RNN_MODELS = ['lstm', 'gru'];

/**
 * One training step of `kind` on the current backend (a throw-away model, batch `n` of x / y):
 * null when it runs, else the error's first line.
 */
async function cannotTrain(tf, kind, x, y, n) {
  const m = await buildModel(tf, kind);
  try {
    await m.fit(tf.slice(x, 0, n), tf.slice(y, 0, n), { batchSize: n, epochs: 1, shuffle: false, verbose: 0 });
    return null;
  } catch (e) {
    return String(e?.message ?? e).split('\n')[0];
  } finally {
    m.dispose?.();
  }
}

async function e2e(cfg) {
  const tf = await setupTfjs({ patch: CONV_MODELS.includes(cfg.model) });
  const kind = cfg.model;
  const bs = cfg.batchSize;
  const shape = await inShape(kind);
  const d = await loadMnist({ trainLimit: cfg.trainLimit, testLimit: cfg.testLimit || undefined });
  const ord = order(d.nTrain, cfg.seed);
  const toX = (arr, n) => tf.tensor(arr, [n, ...shape], 'float32');
  const toY = (arr, n) => tf.tensor(Float32Array.from(arr), [n, 1], 'float32');

  // A recurrent model wasm cannot train: train on cpu (its tensors then live there), evaluate
  // and time inference on wasm below.
  let trainFallback = null;
  if (RNN_MODELS.includes(kind)) {
    const n = Math.min(bs, d.nTrain);
    const x = toX(gatherRows(d.trainX, 784, ord, 0, n), n);
    const y = toY(gatherRows(d.trainY, 1, ord, 0, n), n);
    trainFallback = await cannotTrain(tf, kind, x, y, n);
    tf.dispose([x, y]);
    if (trainFallback) {
      await import('@tensorflow/tfjs-backend-cpu');
      if (!(await tf.setBackend('cpu'))) throw new Error(`TF.js wasm cannot train ${kind} (${trainFallback}) and the cpu backend did not initialise`);
    }
  }

  // Warm-up on a throw-away model (not for an accuracy-only run).
  if (!cfg.accuracyOnly) {
    const n = Math.min(cfg.warmSteps * bs, d.nTrain);
    const x = toX(gatherRows(d.trainX, 784, ord, 0, n), n);
    const y = toY(gatherRows(d.trainY, 1, ord, 0, n), n);
    const m = await buildModel(tf, kind);
    await m.fit(x, y, { batchSize: bs, epochs: 1, shuffle: false, verbose: 0 });
    tf.dispose(m.predict(tf.slice(x, 0, Math.min(n, cfg.inferBatch)), { batchSize: cfg.inferBatch }));
    tf.dispose([x, y]);
    m.dispose?.();
  }

  let model = await buildModel(tf, kind, cfg.seed);
  const out = { library: 'tfjs', seed: cfg.seed, backend: 'wasm', trainBackend: tf.getBackend(), trainFallback, model: kind, filterGradWorkaround: CONV_MODELS.includes(kind) && tf.filterGradPatched ? FILTER_GRAD_WORKAROUND : null };
  out.train = await timeTraining(model, d, ord, cfg, bs, toX, toY, (ts) => tf.dispose(ts));
  if (trainFallback) {
    // The trained weights, onto a fresh model on wasm (outside the timings).
    const ws = model.getWeights().map((w) => ({ shape: w.shape, values: w.dataSync().slice() }));
    model.dispose?.();
    await tf.setBackend('wasm');
    model = await buildModel(tf, kind);
    model.setWeights(ws.map((w) => tf.tensor(w.values, w.shape, 'float32')));
  }

  // Accuracy on the test set; inference speed at batch 256.
  const xt = toX(d.testX, d.nTest);
  const p = model.predict(xt, { batchSize: cfg.inferBatch });
  out.testAccuracy = accuracy(p.dataSync(), d.testY);
  out.testSamples = d.nTest;
  out.accuracyAfter = out.train.mode === 'one epoch' ? 'one epoch' : `${out.train.steps} steps`;
  p.dispose();
  if (cfg.accuracyOnly) return out;
  const nInf = Math.max(cfg.inferBatch, Math.floor(Math.min(cfg.inferSamples, d.nTest) / cfg.inferBatch) * cfg.inferBatch);
  const xi = tf.slice(xt, 0, Math.min(nInf, d.nTest));
  const nI = xi.shape[0];
  tf.dispose(model.predict(tf.slice(xi, 0, Math.min(nI, cfg.inferBatch)), { batchSize: cfg.inferBatch }));
  // Two ways to run batch-256 inference over the set: one predict(x, { batchSize: 256 }) call
  // (tfjs-layers' own batching, which gets much slower than linear for large x here), and a
  // loop of predict() on pre-sliced batches of 256. The row takes the faster of the two.
  const batches = [];
  for (let s = 0; s < nI; s += cfg.inferBatch) batches.push(tf.slice(xi, s, Math.min(cfg.inferBatch, nI - s)));
  out.infer = timeInference({
    n: nI,
    batch: cfg.inferBatch,
    reps: cfg.inferReps,
    whole: () => {
      const q = model.predict(xi, { batchSize: cfg.inferBatch });
      q.dataSync();
      return () => q.dispose();
    },
    loop: () => {
      for (const b of batches) {
        const o = model.predict(b);
        o.dataSync();
        o.dispose();
      }
    },
    note: 'faster of predict(x, {batchSize: 256}) and a loop of predict() over pre-sliced batches of 256',
  });
  tf.dispose(batches);
  tf.dispose([xt, xi]);
  return out;
}

/** Fresh process: import → backend ready → model built → first prediction (batch 1). */
async function cold(cfg) {
  const shape = await inShape(cfg.model); // the bench's model module, not the library: outside the timing
  const t0 = now();
  const core = await import('@tensorflow/tfjs-core');
  const tfl = await import('@tensorflow/tfjs-layers');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const tImport = now();
  wasm.setWasmPaths(WASM_DIR);
  core.env().set('PROD', true);
  await core.setBackend('wasm');
  await core.ready();
  const tReady = now();
  addChainedOps(core); // the recurrent models' orthogonal initializer needs them (see there)
  const tf = { ...core, layers: tfl.layers, sequential: tfl.sequential, input: tfl.input, model: tfl.model };
  const model = await buildModel(tf, cfg.model);
  const x = core.zeros([1, ...shape]);
  const y = model.predict(x);
  y.dataSync();
  const t1 = now();
  return { library: 'tfjs', model: cfg.model, coldStartMs: t1 - t0, importMs: tImport - t0, initMs: tReady - tImport, firstPredictMs: t1 - tReady };
}

/**
 * The Embedding + GRU text row (bench/text.mjs). TF.js wasm cannot train an Embedding (its
 * gradient is UnsortedSegmentSum, which has no wasm kernel): one training step on wasm is tried
 * and its error kept (`wasmTrainError`); the timed training runs on the cpu backend; inference is
 * timed on cpu and, with the weights cpu trained, on wasm, where the test accuracy is taken too.
 */
async function text(cfg) {
  const tf = await setupTfjs({ patch: false });
  const { TEXT, textAccuracy, textData, textModel, timeText, timeTextInference } = await import('../text.mjs');
  const lib = {
    build: () => {
      const m = textModel(tf);
      m.compile({ optimizer: tf.train.adam(1e-3), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      return m;
    },
    toX: (a, n) => tf.tensor(a, [n, TEXT.length], 'int32'),
    toY: (a, n) => tf.tensor(a, [n, 1], 'float32'),
    predict: (m, x, batchSize = 256) => {
      const p = m.predict(x, { batchSize });
      const v = p.dataSync();
      p.dispose();
      return v;
    },
    release: (ts) => tf.dispose(ts),
    dispose: (m) => m.dispose?.(),
  };
  // Can wasm train it? One step on a throw-away model.
  let wasmTrainError = null;
  {
    const d = textData(cfg.batchSize, cfg.seed);
    const m = lib.build();
    const x = lib.toX(d.x, d.n);
    const y = lib.toY(d.y, d.n);
    try {
      await m.fit(x, y, { batchSize: cfg.batchSize, epochs: 1, shuffle: false, verbose: 0 });
    } catch (e) {
      wasmTrainError = String(e?.message ?? e).split('\n')[0];
    }
    tf.dispose([x, y]);
    m.dispose?.();
  }
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('TF.js: the cpu backend did not initialise');
  const r = await timeText(lib, { ...cfg, deferAccuracy: true }, now);
  const out = { library: 'tfjs', model: 'text', trainBackend: 'cpu', wasmTrainError, train: r.train };
  out.accuracyAfter = `${r.train.steps} steps`;
  // cpu infers this model at ~10 samples/s here: its row times at most 256 samples, once.
  out.inferCpu = timeTextInference(lib, r.model, { ...cfg, inferSamples: Math.min(cfg.inferSamples, 256), inferReps: 1 }, now);
  // The trained weights onto a fresh model on wasm (outside the timings): accuracy and inference there.
  const ws = r.model.getWeights().map((w) => ({ shape: w.shape, values: w.dataSync().slice() }));
  r.model.dispose?.();
  await tf.setBackend('wasm');
  const mw = lib.build();
  mw.setWeights(ws.map((w) => tf.tensor(w.values, w.shape, 'float32')));
  Object.assign(out, textAccuracy(lib, mw, cfg));
  out.inferWasm = timeTextInference(lib, mw, cfg, now);
  return out;
}

await childMain(import.meta.url, { e2e, cold, text });
