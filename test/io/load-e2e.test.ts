// Model files through the handlers into loadLayersModel, end to end in Node: TF.js-made models
// (re-sharded as the converter writes them, test/runtime/io-fixtures.mjs) load from file://,
// from http:// on 127.0.0.1 and through a custom fetchFunc after init({ module }) with
// compilation from bytes forbidden (edge runtimes), and predict what TF.js predicts; a simdnet
// model saved through the file handler loads back and saves byte-identical files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { saveHandler } from '../../src/io/handlers.ts';
import { toArtifacts } from '../../src/model/save.ts';
import { startServer } from '../../scripts/serve.mjs';
import { edgeStyleModelLoad } from '../runtime/checks.mjs';
import { makeIoFixtures } from '../runtime/io-fixtures.mjs';

type Fixtures = Awaited<ReturnType<typeof makeIoFixtures>>;
let fx: Fixtures;
let dir: string;
let server: { url: string; close(): Promise<void> };
const saved = { ...Object.getOwnPropertyDescriptors(WebAssembly) };

beforeAll(async () => {
  await sn.init({ deterministic: true });
  fx = await makeIoFixtures();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-io-e2e-'));
  for (const [rel, bytes] of fx.files) {
    fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), bytes);
  }
  server = await startServer({ memory: new Map([...fx.files].map(([k, v]) => [`/test-io/${k}`, v])) });
});
afterAll(async () => {
  Object.defineProperties(WebAssembly, saved);
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 2e-5) {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `[${i}]: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(tol);
}

describe('TF.js-made, sharded model files predict what TF.js predicts', () => {
  it('from file://', async () => {
    for (const c of fx.cases) {
      const m = await sn.loadLayersModel(`file://${dir}/${c.dir}/model.json`);
      expectClose((m.predict(sn.tensor(c.input, c.inputShape)) as sn.Tensor).dataSync(), c.expected);
      m.dispose();
    }
  });

  it('from http:// (weights relative to model.json), with progress', async () => {
    for (const c of fx.cases) {
      const fractions: number[] = [];
      const m = await sn.loadLayersModel(`${server.url}/test-io/${c.dir}/model.json`, { onProgress: (f) => fractions.push(f) });
      expectClose((m.predict(sn.tensor(c.input, c.inputShape)) as sn.Tensor).dataSync(), c.expected);
      expect(fractions.at(-1)).toBe(1);
      m.dispose();
    }
  });

  it('edge-style: a custom fetchFunc after init({ module }) with compilation from bytes forbidden', async () => {
    // The same check the Deno and Chromium suites run on the built bundle (test/runtime/checks.mjs).
    const read = async (rel: string) => {
      const b = fx.files.get(rel);
      if (!b) throw new Error(`no fixture ${rel}`);
      return b;
    };
    await edgeStyleModelLoad(sn, fs.readFileSync('build/simdnet.wasm'), { cases: fx.cases, read });
    expect(WebAssembly.compile).toBe(saved.compile.value);
    await sn.init({ deterministic: true });
  });
});

it('a simdnet model saved through the file handler loads back, and a second save is byte-identical', async () => {
  await sn.init({ deterministic: true });
  const m = sn.sequential({ layers: [sn.layers.dense({ units: 5, inputShape: [4], activation: 'tanh' }), sn.layers.dense({ units: 2 })] });
  const d1 = path.join(dir, 'simdnet-1');
  const d2 = path.join(dir, 'simdnet-2');
  await saveHandler(`file://${d1}`).save!(toArtifacts(m) as never);
  const back = await sn.loadLayersModel(`file://${d1}`);
  const x = sn.tensor([[1, -2, 0.5, 3], [0, 0.25, -1, 2]]);
  expect(Array.from((back.predict(x) as sn.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as sn.Tensor).dataSync()));
  await saveHandler(`file://${d2}`).save!(toArtifacts(back) as never);
  for (const f of ['model.json', 'weights.bin']) {
    const a = fs.readFileSync(path.join(d1, f));
    const b = fs.readFileSync(path.join(d2, f));
    // The model's name may differ (a fresh model gets a fresh name); compare without it.
    if (f === 'model.json') expect(JSON.parse(b.toString()).weightsManifest).toEqual(JSON.parse(a.toString()).weightsManifest);
    else expect(b.equals(a)).toBe(true);
  }
  m.dispose();
  back.dispose();
});
