#!/usr/bin/env node
// Loading model files: how long `loadLayersModel` takes and how much memory it needs, for a
// 100k-parameter model (the MNIST MLP 784-128-10) and a 25M-parameter one (an MLP
// 784-4096-4096-1280-10), both generated here and saved by simdnet.
//
// Sources: from disk (file://), as one weights.bin and as 4 MiB shards (what TF.js and the
// Keras converter write), and from memory ({ modelJSON, weightData: shards }, the bytes already
// read). TensorFlow.js (tfjs-layers, cpu backend) loading the same bytes from memory is the peer.
//
// Every case runs in a fresh process: the first load (cold: the loader's code not yet compiled),
// then the median of warm loads (each model disposed before the next). Memory: the peak RSS of
// the process during the first load, less its RSS just before it (the weights in memory already
// counted there for the memory source), and the wasm memory before and after.
//
//   node bench/load.mjs [--reps N] [--out FILE] [--no-tfjs]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const distIndex = pathToFileURL(path.join(root, 'dist/index.js')).href;
const SHARD = 4 * 2 ** 20;
const MB = 2 ** 20;

const MODELS = {
  '100k': { label: 'MLP 784-128-10', units: [128, 10] },
  '25M': { label: 'MLP 784-4096-4096-1280-10', units: [4096, 4096, 1280, 10] },
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const rssMB = () => process.memoryUsage().rss / MB;
const peakRssMB = () => process.resourceUsage().maxRSS / 1024;

/** The bytes of a model folder: model.json parsed, the shard files in manifest order. */
function readFolder(dir) {
  const modelJSON = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const shards = modelJSON.weightsManifest.flatMap((g) =>
    g.paths.map((p) => {
      const b = fs.readFileSync(path.join(dir, p));
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    }),
  );
  return { modelJSON, shards };
}

/** One number that changes with any weight: the sum of the outputs for a fixed input. */
function checksum(values) {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
const probe = () => Float32Array.from({ length: 2 * 784 }, (_, i) => Math.sin(i * 0.37));

// ------------------------------------------------------------------------------------ child

async function child(cfg) {
  const { kind, source, dir, reps } = cfg;
  if (kind === 'tfjs') return childTfjs(cfg);
  const sn = await import(distIndex);
  await sn.init({ deterministic: true });
  let src;
  if (source === 'memory') {
    const { modelJSON, shards } = readFolder(dir);
    src = () => ({ modelJSON, weightData: shards });
  } else src = () => pathToFileURL(path.join(dir, 'model.json')).href;
  const wasmBefore = sn.backendInfo().memoryBytes;
  const rss0 = rssMB();
  const peak0 = peakRssMB();
  let t = performance.now();
  let m = await sn.loadLayersModel(src());
  const coldMs = performance.now() - t;
  const peak1 = peakRssMB();
  const wasmAfter = sn.backendInfo().memoryBytes;
  const params = m.countParams();
  const out = checksum(m.predict(sn.tensor(probe(), [2, 784])).dataSync());
  m.dispose();
  const warm = [];
  for (let i = 0; i < reps; i++) {
    t = performance.now();
    m = await sn.loadLayersModel(src());
    warm.push(performance.now() - t);
    m.dispose();
  }
  return { coldMs, warmMs: median(warm), warm, rssBeforeMB: rss0, peakBeforeMB: peak0, peakMB: peak1, wasmBeforeMB: wasmBefore / MB, wasmAfterMB: wasmAfter / MB, params, checksum: out };
}

async function childTfjs({ dir, reps }) {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  const tfl = await import('@tensorflow/tfjs-layers');
  await tf.setBackend('cpu');
  const { modelJSON, shards } = readFolder(dir);
  const weightSpecs = modelJSON.weightsManifest.flatMap((g) => g.weights);
  const src = () => tf.io.fromMemory({ modelTopology: modelJSON.modelTopology, weightSpecs, weightData: shards });
  const rss0 = rssMB();
  const peak0 = peakRssMB();
  let t = performance.now();
  let m = await tfl.loadLayersModel(src());
  const coldMs = performance.now() - t;
  const peak1 = peakRssMB();
  const params = m.countParams();
  const out = checksum(m.predict(tf.tensor(probe(), [2, 784])).dataSync());
  m.dispose();
  const warm = [];
  for (let i = 0; i < reps; i++) {
    t = performance.now();
    m = await tfl.loadLayersModel(src());
    warm.push(performance.now() - t);
    m.dispose();
  }
  return { coldMs, warmMs: median(warm), warm, rssBeforeMB: rss0, peakBeforeMB: peak0, peakMB: peak1, params, checksum: out };
}

// ------------------------------------------------------------------------------------ parent

/** Saves the model with simdnet into `dir/one` (one weights.bin) and `dir/sharded` (4 MiB shards). */
async function generate(sn, name, base) {
  sn.setSeed(1);
  const { units } = MODELS[name];
  const m = sn.sequential({ name: `load_${name}`, layers: units.map((u, i) => sn.layers.dense({ units: u, activation: i === units.length - 1 ? 'softmax' : 'relu', ...(i === 0 ? { inputShape: [784] } : {}) })) });
  const one = path.join(base, name, 'one');
  await m.save(`file://${one}`);
  const expected = checksum(m.predict(sn.tensor(probe(), [2, 784])).dataSync());
  const params = m.countParams();
  m.dispose();
  // The same weights cut into 4 MiB shards, as TF.js and the converter write them.
  const sharded = path.join(base, name, 'sharded');
  fs.mkdirSync(sharded, { recursive: true });
  const json = JSON.parse(fs.readFileSync(path.join(one, 'model.json'), 'utf8'));
  const bin = fs.readFileSync(path.join(one, 'weights.bin'));
  const n = Math.ceil(bin.byteLength / SHARD);
  const paths = [];
  for (let i = 0; i < n; i++) {
    const p = `group1-shard${i + 1}of${n}.bin`;
    fs.writeFileSync(path.join(sharded, p), bin.subarray(i * SHARD, Math.min(bin.byteLength, (i + 1) * SHARD)));
    paths.push(p);
  }
  json.weightsManifest[0].paths = paths;
  fs.writeFileSync(path.join(sharded, 'model.json'), JSON.stringify(json));
  return { one, sharded, expected, params, bytes: bin.byteLength, shards: n };
}

function runChild(cfg) {
  const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--child', JSON.stringify(cfg)], { encoding: 'utf8', maxBuffer: 64 * MB, timeout: 600_000 });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('@@RESULT '));
  if (!line) throw new Error(`child ${JSON.stringify(cfg)} failed (status ${r.status}):\n${r.stderr}`);
  const res = JSON.parse(line.slice(9));
  if (res.error) throw new Error(`child ${JSON.stringify(cfg)}: ${res.error}`);
  return res;
}

async function main() {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    let result;
    try {
      result = await child(JSON.parse(args[1]));
    } catch (e) {
      result = { error: String(e?.stack ?? e) };
    }
    process.stdout.write(`\n@@RESULT ${JSON.stringify(result)}\n`);
    process.exit(0);
  }
  const opt = (name, fallback) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const reps = Number(opt('--reps', 5));
  const out = opt('--out', path.join(root, 'bench/results/load.json'));
  const tfjs = !args.includes('--no-tfjs');
  if (!fs.existsSync(path.join(root, 'dist/index.js'))) throw new Error('dist/index.js is missing: run node build.mjs first');

  const sn = await import(distIndex);
  await sn.init({ deterministic: true });
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-load-bench-'));
  const rows = [];
  try {
    for (const name of Object.keys(MODELS)) {
      const g = await generate(sn, name, base);
      console.log(`${name}: ${MODELS[name].label}, ${g.params.toLocaleString('en-US')} parameters, ${(g.bytes / MB).toFixed(1)} MiB of weights (${g.shards} shard${g.shards > 1 ? 's' : ''} of ≤ 4 MiB)`);
      const cases = [
        { case: 'disk, one weights.bin', kind: 'simdnet', source: 'disk', dir: g.one },
        { case: 'disk, 4 MiB shards', kind: 'simdnet', source: 'disk', dir: g.sharded },
        { case: 'memory ({ modelJSON, weightData: shards })', kind: 'simdnet', source: 'memory', dir: g.sharded },
        ...(tfjs ? [{ case: 'TF.js (cpu) from memory (tf.io.fromMemory)', kind: 'tfjs', source: 'memory', dir: g.sharded }] : []),
      ];
      for (const c of cases) {
        const r = runChild({ ...c, reps: name === '25M' ? Math.max(1, Math.min(reps, 3)) : reps });
        const rel = Math.abs(r.checksum - g.expected) / Math.max(1, Math.abs(g.expected));
        if (r.params !== g.params || rel > 1e-5) throw new Error(`${name} ${c.case}: loaded ${r.params} parameters, checksum ${r.checksum} (expected ${g.params}, ${g.expected})`);
        const row = { model: name, label: MODELS[name].label, params: g.params, weightMB: g.bytes / MB, case: c.case, kind: c.kind, ...r };
        rows.push(row);
        const growth = r.peakMB - r.rssBeforeMB;
        console.log(
          `  ${c.case.padEnd(46)} cold ${r.coldMs.toFixed(1).padStart(7)} ms · warm ${r.warmMs.toFixed(1).padStart(7)} ms · ` +
            `peak RSS ${r.peakMB.toFixed(0).padStart(4)} MiB (+${growth.toFixed(0)} over ${r.rssBeforeMB.toFixed(0)} before the load; ${(growth / (g.bytes / MB)).toFixed(2)}x the weights)` +
            (r.wasmAfterMB !== undefined ? ` · wasm ${r.wasmBeforeMB.toFixed(0)} → ${r.wasmAfterMB.toFixed(0)} MiB` : ''),
        );
      }
    }
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
  const machine = { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, date: new Date().toISOString() };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify({ machine, reps, rows }, null, 1)}\n`);
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
