// The checks that run INSIDE an edge runtime (workerd, edge-runtime), against dist/index.js and a
// precompiled baseline binary handed over by the runtime's own module mechanism. Plain JavaScript
// with one import (the shared runtime checks), so workerd loads it as an ES module and esbuild
// bundles it for edge-runtime as is. The Node runner (test/edge/run.mjs) computes the same
// things in Node and compares what these checks return.
//
//   runEdgeChecks(lib, env) -> [{ name, ok, error?, data? }]
//   lib: the module namespace of dist/index.js
//   env: { module: WebAssembly.Module,             dist/simdnet.wasm, compiled by the runtime
//          golden: { losses: number[] },           test/model/golden-trajectory.json
//          base: string,                           where the test serves the TF.js-made model files
//          fetchFunc?: (url, init) => Response,    how to reach `base` from here (workerd: a service binding)
//          cases: IoCase[] }                       those files (test/runtime/io-fixtures.mjs)
import { checks } from '../runtime/checks.mjs';

class CheckError extends Error {}
const assert = (cond, msg) => {
  if (!cond) throw new CheckError(msg);
};

// The smallest valid module: compiling it is what an edge runtime must refuse.
const EMPTY_WASM = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);

async function refuses(what, f) {
  try {
    await f();
  } catch {
    return;
  }
  throw new CheckError(`${what} succeeded: this runtime compiles wasm from bytes, so it proves nothing about simdnet`);
}

function base64(buffer) {
  const bytes = new Uint8Array(buffer);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Labels of the fine-tuning checks: row i is class i mod `classes`. */
const labelsFor = (rows, classes) => Array.from({ length: rows }, (_, i) => i % classes);
export const FINE_TUNE = { steps: 3, learningRate: 0.01 };

/**
 * Loads each TF.js-made model from `base` (through `fetchFunc` where given), predicts, fine-tunes
 * it for a few Adam steps and saves it through an IOHandler; returns everything for the runner.
 * Shared with the Node side of the comparison (run.mjs), so both do exactly the same.
 */
export async function loadTuneSave(lib, { base, fetchFunc, cases }) {
  const out = [];
  for (const c of cases) {
    const model = await lib.loadLayersModel(`${base}${c.dir}/model.json`, fetchFunc ? { fetchFunc } : {});
    try {
      const x = lib.tensor(c.input, c.inputShape);
      const prediction = Array.from(model.predict(x).dataSync());
      const classes = model.outputs[0].shape[1];
      const y = lib.tensor(labelsFor(c.inputShape[0], classes), [c.inputShape[0]], 'int32');
      model.compile({ optimizer: lib.optimizers.adam({ learningRate: FINE_TUNE.learningRate }), loss: 'sparseCategoricalCrossentropy' });
      const losses = [];
      for (let s = 0; s < FINE_TUNE.steps; s++) losses.push(await model.trainOnBatch(x, y));
      const tuned = Array.from(model.predict(x).dataSync());
      let saved = null;
      const result = await model.save({
        async save(artifacts) {
          saved = artifacts;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: artifacts.weightData.byteLength } };
        },
      });
      assert(saved && result.modelArtifactsInfo.weightDataBytes > 0, `${c.name}: save() did not reach the IOHandler`);
      x.dispose();
      y.dispose();
      out.push({ name: c.name, prediction, losses, tuned, artifacts: { modelTopology: saved.modelTopology, weightSpecs: saved.weightSpecs, weightData: base64(saved.weightData) } });
    } finally {
      model.dispose();
    }
  }
  return out;
}

export async function runEdgeChecks(lib, env) {
  // checks.mjs's checks call init({ deterministic: true }), which would compile the inlined
  // bytes; here init() means the runtime's precompiled baseline binary: the same bits.
  const onModule = { ...lib, init: () => lib.init({ module: env.module }) };
  const shared = new Map(checks(onModule, { golden: env.golden }).map((c) => [c.name, c]));
  const pick = (prefix) => {
    const c = [...shared.keys()].find((n) => n.startsWith(prefix));
    if (!c) throw new CheckError(`test/runtime/checks.mjs has no check named "${prefix}…"`);
    return shared.get(c).run;
  };
  const list = [
    {
      name: 'the runtime refuses to compile wasm from bytes and has no Node built-ins',
      async run() {
        await refuses('WebAssembly.compile(bytes)', () => WebAssembly.compile(EMPTY_WASM));
        await refuses('WebAssembly.instantiate(bytes)', () => WebAssembly.instantiate(EMPTY_WASM, {}));
        await refuses('new WebAssembly.Module(bytes)', () => new WebAssembly.Module(EMPTY_WASM));
        const g = globalThis;
        assert(!g.process?.versions?.node && !g.Deno, 'this runtime looks like Node or Deno (process.versions.node or Deno is defined)');
        const specifier = ['node', 'fs'].join(':');
        await refuses(`import('${specifier}')`, () => import(/* webpackIgnore: true */ specifier));
        // The platform may compile the binding in another realm (edge-runtime, as `vercel dev`):
        // instanceof then fails, the brand check does not.
        assert(Object.prototype.toString.call(env.module) === '[object WebAssembly.Module]', 'the binary did not arrive as a WebAssembly.Module');
      },
    },
    {
      name: 'init({ module }) instantiates the precompiled binary',
      async run() {
        const info = await lib.init({ module: env.module });
        assert(info.source === 'module' && info.binary === 'custom', `backendInfo: expected source module / binary custom, got ${info.source} / ${info.binary}`);
        assert(info.features.simd === true, 'features.simd should be true');
        return { abiVersion: info.abiVersion };
      },
    },
    { name: 'fixed-seed 10-step loss trajectory equals the golden one (1e-6)', run: pick('fixed-seed 10-step loss trajectory') },
    { name: 'a model built in the worker: dense / relu / softmax outputs', run: pick('dense / relu / softmax') },
    { name: 'a model built in the worker: dense 37→19 equals a float64 matmul', run: pick('dense 37→19') },
    {
      name: 'loadLayersModel from the test server, fine-tuning, save through an IOHandler',
      async run() {
        const data = await loadTuneSave(lib, env);
        for (const [i, c] of env.cases.entries()) {
          const got = data[i].prediction;
          for (let k = 0; k < c.expected.length; k++) {
            const tol = 2e-5 * Math.max(1, Math.abs(c.expected[k]));
            assert(Math.abs(got[k] - c.expected[k]) <= tol, `${c.name}: prediction[${k}] ${got[k]}, TF.js ${c.expected[k]}`);
          }
          assert(data[i].losses[FINE_TUNE.steps - 1] < data[i].losses[0], `${c.name}: fine-tuning did not lower the loss (${data[i].losses.join(', ')})`);
        }
        assert(lib.backendInfo().source === 'module', 'the models ran on another backend than init({ module })');
        return data;
      },
    },
  ];
  const results = [];
  for (const c of list) {
    try {
      const data = await c.run();
      results.push({ name: c.name, ok: true, data });
    } catch (e) {
      results.push({ name: c.name, ok: false, error: String(e && e.stack ? e.stack : e) });
    }
  }
  return results;
}
