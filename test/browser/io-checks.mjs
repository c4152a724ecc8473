// Model files in the browser (test/browser/io.html, run by test/browser/run.mjs): loading from
// the test server over http, IndexedDB and localStorage in both directions with TF.js (its own
// database and key layout), TF.js's multipart upload, downloads://, and File objects. Plain
// JavaScript with no imports: the page hands in the library, TF.js and the fixtures.
//
//   ioChecks(lib, tf, env) -> [{ name, run: async () => void }]
//   lib: dist/index.js;  tf: TF.js's browser bundles (window.tf, cpu backend)
//   env: { origin, cases: IoCase[] (test/runtime/io-fixtures.mjs), base: '/test-io/' }

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
    if (!(Math.abs(g[i] - w[i]) <= tol)) fail(`${what}[${i}]: expected ${w[i]} (±${tol}), got ${g[i]}`);
  }
}
async function rejects(p, re, what) {
  try {
    await p;
  } catch (e) {
    assert(re.test(e.message), `${what}: expected an error matching ${re}, got: ${e.message}`);
    return;
  }
  fail(`${what}: expected an error matching ${re}, but it succeeded`);
}

export function ioChecks(lib, tf, env) {
  const url = (dir) => `${env.origin}${env.base}${dir}/model.json`;
  const predict = (m, c) => m.predict(lib.tensor(c.input, c.inputShape)).dataSync();
  const tfPredict = (m, c) => {
    const x = tf.tensor(c.input, c.inputShape);
    const y = m.predict(x);
    const out = y.dataSync();
    x.dispose();
    y.dispose();
    return out;
  };
  const mlp = env.cases[0];
  /** The MLP fixture as simdnet loads it over http. */
  const loadMlp = () => lib.loadLayersModel(url(mlp.dir));

  return [
    {
      name: 'http: TF.js-made sharded models load from the test server and predict what TF.js predicts (2e-5)',
      async run() {
        await lib.init({ deterministic: true });
        for (const c of env.cases) {
          const fractions = [];
          const m = await lib.loadLayersModel(url(c.dir), { onProgress: (f) => fractions.push(f) });
          close(predict(m, c), c.expected, 2e-5, `${c.name} (absolute URL)`);
          assert(fractions[fractions.length - 1] === 1, `${c.name}: onProgress should end at 1, got ${fractions.join(', ')}`);
          m.dispose();
          // A relative URL resolves against the page, as in TF.js.
          const r = await lib.loadLayersModel(`${env.base}${c.dir}/model.json`);
          close(predict(r, c), c.expected, 2e-5, `${c.name} (relative URL)`);
          r.dispose();
        }
        await rejects(lib.loadLayersModel(`${env.origin}${env.base}nowhere/model.json`), /nowhere\/model\.json.*HTTP 404/, 'a missing model.json');
      },
    },
    {
      name: 'IndexedDB: model.save then loadLayersModel (same predictions); TF.js loads what simdnet saved and the other way round',
      async run() {
        await lib.init({ deterministic: true });
        const m = await loadMlp();
        const want = predict(m, mlp);
        await m.save('indexeddb://simdnet-io-mlp');
        const back = await lib.loadLayersModel('indexeddb://simdnet-io-mlp');
        close(predict(back, mlp), want, 0, 'simdnet → IndexedDB → simdnet');
        // TF.js reads simdnet's record from its own database layout.
        const byTf = await tf.loadLayersModel('indexeddb://simdnet-io-mlp');
        close(tfPredict(byTf, mlp), mlp.expected, 2e-5, 'simdnet → IndexedDB → TF.js');
        // And simdnet reads what TF.js saved there.
        await byTf.save('indexeddb://tfjs-io-mlp');
        const fromTf = await lib.loadLayersModel('indexeddb://tfjs-io-mlp');
        close(predict(fromTf, mlp), mlp.expected, 2e-5, 'TF.js → IndexedDB → simdnet');
        const listed = await lib.io.listModels();
        assert('indexeddb://simdnet-io-mlp' in listed && 'indexeddb://tfjs-io-mlp' in listed, `listModels: ${Object.keys(listed).join(', ')}`);
        const tfListed = await tf.io.listModels();
        assert('indexeddb://simdnet-io-mlp' in tfListed, `TF.js's listModels misses simdnet's model: ${Object.keys(tfListed).join(', ')}`);
        await lib.io.removeModel('indexeddb://tfjs-io-mlp');
        await rejects(lib.loadLayersModel('indexeddb://tfjs-io-mlp'), /indexeddb:\/\/tfjs-io-mlp: no model is saved under this name/, 'a removed model');
        await rejects(lib.loadLayersModel('indexeddb://never-saved'), /indexeddb:\/\/never-saved: no model is saved under this name/, 'a name never saved');
        for (const x of [m, back, fromTf]) x.dispose();
        byTf.dispose();
      },
    },
    {
      name: 'localStorage: save then load; TF.js loads what simdnet saved and the other way round',
      async run() {
        await lib.init({ deterministic: true });
        const m = await loadMlp();
        const want = predict(m, mlp);
        await m.save('localstorage://simdnet-io-mlp');
        assert(localStorage.getItem('tensorflowjs_models/simdnet-io-mlp/weight_data') !== null, "the weights are not under TF.js's key");
        const back = await lib.loadLayersModel('localstorage://simdnet-io-mlp');
        close(predict(back, mlp), want, 0, 'simdnet → localStorage → simdnet');
        const byTf = await tf.loadLayersModel('localstorage://simdnet-io-mlp');
        close(tfPredict(byTf, mlp), mlp.expected, 2e-5, 'simdnet → localStorage → TF.js');
        await byTf.save('localstorage://tfjs-io-mlp');
        const fromTf = await lib.loadLayersModel('localstorage://tfjs-io-mlp');
        close(predict(fromTf, mlp), mlp.expected, 2e-5, 'TF.js → localStorage → simdnet');
        // Between stores: localStorage → IndexedDB.
        await lib.io.copyModel('localstorage://tfjs-io-mlp', 'indexeddb://copied-io-mlp');
        const copied = await lib.loadLayersModel('indexeddb://copied-io-mlp');
        close(predict(copied, mlp), mlp.expected, 2e-5, 'copyModel localStorage → IndexedDB');
        for (const k of ['simdnet-io-mlp', 'tfjs-io-mlp']) await lib.io.removeModel(`localstorage://${k}`);
        assert(localStorage.getItem('tensorflowjs_models/simdnet-io-mlp/info') === null, 'removeModel left the info key');
        await rejects(lib.loadLayersModel('localstorage://simdnet-io-mlp'), /no model is saved under this name/, 'a removed model');
        for (const x of [m, back, fromTf, copied]) x.dispose();
        byTf.dispose();
      },
    },
    {
      name: "http save: a multipart POST (TF.js's browserHTTPRequest) to the test server, then loaded back from there by simdnet and TF.js",
      async run() {
        await lib.init({ deterministic: true });
        const m = await loadMlp();
        const want = predict(m, mlp);
        await m.save(`${env.origin}${env.base}upload/simdnet-mlp`);
        const back = await lib.loadLayersModel(`${env.origin}${env.base}upload/simdnet-mlp/model.json`);
        close(predict(back, mlp), want, 0, 'simdnet → POST → simdnet');
        const byTf = await tf.loadLayersModel(`${env.origin}${env.base}upload/simdnet-mlp/model.json`);
        close(tfPredict(byTf, mlp), mlp.expected, 2e-5, 'simdnet → POST → TF.js');
        await rejects(m.save(`${env.origin}/nowhere-to-post`), /nowhere-to-post answered HTTP 404/, 'a POST the server refuses');
        m.dispose();
        back.dispose();
        byTf.dispose();
      },
    },
    {
      name: 'downloads:// triggers two downloads: name.json and name.weights.bin (checked by the runner)',
      async run() {
        await lib.init({ deterministic: true });
        const m = await loadMlp();
        await m.save('downloads://simdnet-download');
        m.dispose();
      },
    },
    {
      name: "File objects: io.browserFiles and TF.js's tf.io.browserFiles (an object with load()) both load",
      async run() {
        await lib.init({ deterministic: true });
        const c = env.cases[env.cases.length - 1];
        const json = await (await fetch(url(c.dir))).json();
        const names = json.weightsManifest.flatMap((g) => g.paths);
        const files = [new File([JSON.stringify(json)], 'model.json', { type: 'application/json' })];
        for (const n of names.slice().reverse()) files.push(new File([await (await fetch(`${env.base}${c.dir}/${n}`)).arrayBuffer()], n));
        const a = await lib.loadLayersModel(lib.io.browserFiles(files));
        close(predict(a, c), c.expected, 2e-5, 'io.browserFiles');
        const b = await lib.loadLayersModel(tf.io.browserFiles(files));
        close(predict(b, c), c.expected, 2e-5, 'tf.io.browserFiles');
        await rejects(lib.loadLayersModel(lib.io.browserFiles(files.slice(0, 1 + names.length - 1))), /was not given/, 'a missing weight file');
        a.dispose();
        b.dispose();
      },
    },
  ];
}
