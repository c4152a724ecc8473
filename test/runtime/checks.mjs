// The runtime checks shared by the Deno suite (test/deno/) and the headless Chromium suite
// (test/browser/): the same built dist/index.js must load, compute and train identically
// everywhere. Plain JavaScript with no imports, so a browser page and Deno can both load it as
// is; everything runtime-specific (files, URLs) comes in through `env`.
//
//   checks(lib, env) -> [{ name, run: async () => void }]
//   lib: the module namespace of dist/index.js
//   env: { golden: { losses: number[] },         test/model/golden-trajectory.json
//          wasmBytes: () => Promise<Uint8Array>, the baseline binary (dist/simdnet.wasm)
//          wasmUrl: string | URL,                 the same file as a URL (http: or file:)
//          mnist: MnistOptions,                   how data.mnist() finds the IDX files here
//          io: { cases: IoCase[],                 TF.js-made model files (test/runtime/io-fixtures.mjs)
//                read: (relPath) => Promise<Uint8Array> } and how to read one here

class CheckError extends Error {}
const fail = (msg) => {
  throw new CheckError(msg);
};
const assert = (cond, msg) => cond || fail(msg);
function close(got, want, tol, what) {
  const g = Array.from(got);
  const w = Array.from(want);
  assert(g.length === w.length, `${what}: expected ${w.length} values, got ${g.length}`);
  for (let i = 0; i < w.length; i++) {
    if (!(Math.abs(g[i] - w[i]) <= tol * Math.max(1, Math.abs(w[i])))) {
      fail(`${what}[${i}]: expected ${w[i]} (±${tol}), got ${g[i]}`);
    }
  }
}

/** Inputs and labels of test/model/trajectory.test.ts (they do not depend on the generator). */
const [N, IN, HID, OUT, STEPS, LR] = [16, 8, 16, 4, 10, 0.01];
function fixedData() {
  const x = new Float32Array(N * IN).map((_, i) => Math.sin(i * 0.7) + 0.1 * Math.cos(i * 1.3));
  const y = new Int32Array(N).map((_, i) => (i * 7) % OUT);
  return { x, y };
}

/** A deterministic value in [-1, 1) for index i (no generator involved). */
const wave = (i, k) => Math.sin(i * k + 0.3) * 0.9;

/**
 * Runs `fn(module)` while every way to compile bytes throws, as on Cloudflare Workers and Vercel
 * Edge (`module` was compiled before, "at deploy time"). Restores WebAssembly afterwards.
 */
async function underEdgeLockdown(bytes, fn) {
  const module = await WebAssembly.compile(bytes); // done "at deploy time", before the lock-down
  const W = WebAssembly;
  const saved = { compile: W.compile, compileStreaming: W.compileStreaming, instantiate: W.instantiate, Module: W.Module };
  const forbidden = (what) => () => {
    throw new Error(`${what} is disallowed by the embedder (edge-runtime simulation)`);
  };
  // `new WebAssembly.Module(bytes)` throws, but `x instanceof WebAssembly.Module` must still work.
  function LockedModule() {
    forbidden('new WebAssembly.Module')();
  }
  LockedModule.prototype = saved.Module.prototype;
  Object.defineProperty(LockedModule, Symbol.hasInstance, { value: (x) => x instanceof saved.Module });
  W.compile = forbidden('WebAssembly.compile');
  W.compileStreaming = forbidden('WebAssembly.compileStreaming');
  W.instantiate = function (source, imports) {
    if (!(source instanceof saved.Module)) forbidden('WebAssembly.instantiate(bytes)')();
    return saved.instantiate.call(W, source, imports);
  };
  W.Module = LockedModule;
  try {
    // The lock-down itself works (otherwise this check would prove nothing).
    let blocked = 0;
    for (const f of [() => W.compile(bytes), () => W.instantiate(bytes, {}), () => new W.Module(bytes)]) {
      try {
        await f();
      } catch {
        blocked++;
      }
    }
    assert(blocked === 3, `the edge simulation failed to block compilation (${blocked}/3 blocked)`);
    await fn(module);
  } finally {
    Object.assign(W, saved);
  }
}

/**
 * Loads with init({ module }) while every way to compile bytes throws, as on Cloudflare Workers
 * and Vercel Edge; then predicts and trains a step. Restores WebAssembly afterwards.
 */
export async function edgeStyleLoad(lib, bytes) {
  await underEdgeLockdown(bytes, async (module) => {
    const info = await lib.init({ module });
    assert(info.source === 'module' && info.binary === 'custom', `backendInfo: expected source module / binary custom, got ${info.source} / ${info.binary}`);
    const model = lib.sequential({ layers: [lib.layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'ones', activation: 'linear' })] });
    close(model.predict([[1, 2, 3]]).dataSync(), [6, 6], 0, 'edge predict');
    model.compile({ optimizer: lib.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    // TF.js's forms: trainOnBatch resolves to the loss, evaluate gives a scalar tensor.
    const before = await model.trainOnBatch([[1, 2, 3]], [[0, 0]]);
    close([before], [36], 1e-6, 'edge train loss before the step');
    const after = model.evaluate([[1, 2, 3]], [[0, 0]]).dataSync()[0];
    assert(after < before, `edge train step: expected the loss to fall below ${before}, got ${after}`);
  });
}

/**
 * Edge-style model loading: init({ module }) under the lock-down, then loadLayersModel of
 * TF.js-made, sharded model files through a custom fetchFunc (the files come from `io.read`,
 * no network), predicting what TF.js predicts.
 */
export async function edgeStyleModelLoad(lib, bytes, io) {
  assert(typeof lib.loadLayersModel === 'function', 'the library has no loadLayersModel');
  assert(io && io.cases.length > 0, 'no model-file fixtures were given (env.io)');
  await underEdgeLockdown(bytes, async (module) => {
    await lib.init({ module });
    const base = 'https://models.invalid/';
    const requested = [];
    const fetchFunc = async (url) => {
      requested.push(String(url));
      const rel = String(url).startsWith(base) ? String(url).slice(base.length) : null;
      const body = rel === null ? null : await io.read(rel).catch(() => null);
      return body ? new Response(body) : new Response('not found', { status: 404, statusText: 'Not Found' });
    };
    for (const c of io.cases) {
      const fractions = [];
      const model = await lib.loadLayersModel(`${base}${c.dir}/model.json`, { fetchFunc, onProgress: (f) => fractions.push(f) });
      close(model.predict(lib.tensor(c.input, c.inputShape)).dataSync(), c.expected, 2e-5, `${c.name}: prediction`);
      assert(fractions[fractions.length - 1] === 1, `${c.name}: onProgress should end at 1, got ${fractions.join(', ')}`);
      model.dispose();
    }
    assert(requested.every((u) => u.startsWith(base)), `a request went elsewhere than fetchFunc's files: ${requested.join(', ')}`);
    assert(lib.backendInfo().source === 'module', 'the model loaded on another backend than init({ module })');
  });
}

export function checks(lib, env) {
  return [
    {
      name: 'init() loads the inlined binary and reports SIMD',
      async run() {
        const info = await lib.init();
        assert(info.features.simd === true, 'features.simd should be true');
        assert(info.source === 'inline', `source: expected inline, got ${info.source}`);
        assert(info.binary === (info.features.relaxedSimd ? 'relaxed' : 'baseline'), `binary ${info.binary} does not follow relaxedSimd=${info.features.relaxedSimd}`);
        assert(info.abiVersion === 8, `abiVersion: expected 8, got ${info.abiVersion}`);
        const det = await lib.init({ deterministic: true });
        assert(det.binary === 'baseline', `deterministic: expected the baseline binary, got ${det.binary}`);
        assert(lib.backendInfo().memoryBytes >= 16 * 2 ** 20, 'memoryBytes below the 16 MiB default');
      },
    },
    {
      name: 'init({ wasm }) loads the binary from a URL and from bytes',
      async run() {
        const byUrl = await lib.init({ wasm: env.wasmUrl });
        assert(byUrl.source === 'url' && byUrl.binary === 'custom', `init({ wasm: url }): got source ${byUrl.source}, binary ${byUrl.binary}`);
        const byBytes = await lib.init({ wasm: await env.wasmBytes() });
        assert(byBytes.source === 'bytes', `init({ wasm: bytes }): got source ${byBytes.source}`);
        const m = lib.sequential({ layers: [lib.layers.dense({ units: 1, inputShape: [4], kernelInitializer: 'ones' })] });
        close(m.predict([[1, 2, 3, 4]]).dataSync(), [10], 0, 'predict after init({ wasm })');
      },
    },
    {
      name: 'dense / relu / softmax outputs for fixed inputs',
      async run() {
        await lib.init({ deterministic: true });
        const ones = lib.sequential({ layers: [lib.layers.dense({ units: 2, inputShape: [3], kernelInitializer: 'ones', biasInitializer: 'ones' })] });
        close(ones.predict([[1, 2, 3], [-1, 0, 0.5]]).dataSync(), [7, 7, 0.5, 0.5], 0, 'dense(ones)');
        const relu = lib.sequential({ layers: [lib.layers.dense({ units: 3, inputShape: [2], kernelInitializer: 'ones', activation: 'relu' })] });
        close(relu.predict([[1, 2], [-3, 1]]).dataSync(), [3, 3, 3, 0, 0, 0], 0, 'dense(relu)');
        const sm = lib.sequential({ layers: [lib.layers.softmax({ inputShape: [3] })] });
        close(sm.predict([[0, Math.log(2), Math.log(3)]]).dataSync(), [1 / 6, 2 / 6, 3 / 6], 1e-6, 'softmax');
      },
    },
    {
      name: 'dense 37→19 on 5 rows equals a float64 matmul (SIMD tails)',
      async run() {
        await lib.init({ deterministic: true });
        const [B, I, O] = [5, 37, 19];
        const model = lib.sequential({ layers: [lib.layers.dense({ units: O, inputShape: [I] })] });
        const w = new Float32Array(I * O).map((_, i) => wave(i, 0.37));
        const b = new Float32Array(O).map((_, i) => wave(i, 1.1));
        const x = new Float32Array(B * I).map((_, i) => wave(i, 0.53));
        model.setWeights([lib.tensor(w, [I, O]), lib.tensor(b, [O])]);
        const want = new Float64Array(B * O);
        for (let r = 0; r < B; r++)
          for (let o = 0; o < O; o++) {
            let s = b[o];
            for (let i = 0; i < I; i++) s += x[r * I + i] * w[i * O + o];
            want[r * O + o] = s;
          }
        close(model.predict(lib.tensor(x, [B, I])).dataSync(), want, 1e-5, 'dense 37→19');
      },
    },
    {
      name: 'fixed-seed 10-step loss trajectory equals the golden one (1e-6)',
      async run() {
        await lib.init({ deterministic: true });
        lib.setSeed(2024);
        const model = lib.sequential({
          layers: [lib.layers.dense({ units: HID, activation: 'relu', inputShape: [IN] }), lib.layers.dense({ units: OUT, activation: 'softmax' })],
        });
        model.compile({ optimizer: lib.optimizers.adam({ learningRate: LR }), loss: 'sparseCategoricalCrossentropy' });
        const { x, y } = fixedData();
        const xs = lib.tensor(x, [N, IN]);
        const ys = lib.tensor(y, [N], 'int32');
        const losses = [];
        for (let s = 0; s < STEPS; s++) losses.push(await model.trainOnBatch(xs, ys));
        assert(env.golden.losses.length === STEPS, `golden file: expected ${STEPS} losses`);
        for (let i = 0; i < STEPS; i++) {
          const d = Math.abs(losses[i] - env.golden.losses[i]);
          assert(d < 1e-6, `step ${i}: loss ${losses[i]}, golden ${env.golden.losses[i]} (differs by ${d})`);
        }
      },
    },
    {
      name: 'edge-style loading: init({ module }) with compilation disabled, predict + train',
      async run() {
        await edgeStyleLoad(lib, await env.wasmBytes());
      },
    },
    {
      name: 'edge-style model loading: loadLayersModel with a custom fetchFunc after init({ module }), TF.js-made sharded files',
      async run() {
        await edgeStyleModelLoad(lib, await env.wasmBytes(), env.io);
      },
    },
    {
      name: 'MNIST MLP: 2,000 samples × 2 epochs, loss falls, test accuracy > 0.8',
      async run() {
        await lib.init({ deterministic: true });
        const m = await lib.data.mnist({ ...env.mnist, flatten: true, limit: { train: 2000, test: 1000 } });
        assert(m.train.images.shape.join() === '2000,784' && m.test.labels.shape[0] === 1000, 'mnist: unexpected shapes');
        lib.setSeed(7);
        const model = lib.sequential({
          layers: [lib.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }), lib.layers.dense({ units: 10, activation: 'softmax' })],
        });
        model.compile({ optimizer: lib.optimizers.adam({ learningRate: 5e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
        const [loss0] = model.evaluate(m.train.images, m.train.labels, { batchSize: 500 }).map((t) => t.dataSync()[0]);
        const h = await model.fit(m.train.images, m.train.labels, { epochs: 2, batchSize: 32, verbose: 0 });
        const last = h.history.loss[h.history.loss.length - 1];
        assert(last < 0.5 * loss0, `training loss: expected to fall below half of ${loss0.toFixed(3)}, got ${last.toFixed(3)}`);
        const [, acc] = model.evaluate(m.test.images, m.test.labels, { batchSize: 500 }).map((t) => t.dataSync()[0]);
        assert(acc > 0.8, `test accuracy on 1,000 images: expected > 0.8, got ${acc}`);
      },
    },
  ];
}
