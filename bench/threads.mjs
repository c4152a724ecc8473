#!/usr/bin/env node
// Threads, side by side in one process: GEMM 1024³ (nn, nt, tn), conv2d rows (forward and
// backward of the MNIST CNN's convolutions), MLP, CNN, LSTM(128) and GRU(128) (row-MNIST:
// [28, 28] inputs → dense(10, softmax)) training (batch 64) and inference (predict with
// batchSize 256), each on 1 and 2 threads (or the counts of --threads), rounds interleaved so a
// busy neighbour slows every count alike (each group of rows on every count in turn, the order of
// the counts alternating by round); the report gives medians and ratios to one thread.
// onnxruntime-web's MLP inference with 1 and 2 threads runs alongside where it loads.
//
//   node bench/threads.mjs                 1 and 2 threads, 5 rounds
//   node bench/threads.mjs --threads 1,2,4,8,16 --rounds 3 --svg bench/results/threads-scaling.svg
//   node bench/threads.mjs --tune          the GEMM size at which 2 threads start to pay
//   --rows gemm,conv,models                only these groups of rows (default: all three)
//   --models mlp,cnn,lstm,gru              only these models' rows (default: all four)
//   --quiet                                before each group of rows, wait (up to 60 s) until the
//                                          machine's CPUs were ≥ 95% idle over 200 ms (Linux: /proc/stat),
//                                          so a neighbour's burst lands between samples, not in them
//   --json FILE                            the raw results as JSON
//
// It bundles src/ (esbuild) into build/threads-bench.mjs so it can reach the kernels through the
// backend (raw GEMM and conv timings on the same pool the layers use).
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { calibrate, loadModels, median, sampleSecs } from './peers/common.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : process.argv[i + 1];
};
const THREADS = arg('--threads', '1,2').split(',').map(Number);
const ROUNDS = Number(arg('--rounds', '5'));
const TUNE = process.argv.includes('--tune');
/** Which groups of rows to run (gemm, conv, models) and which models (mlp, cnn, lstm, gru). */
const GROUPS = arg('--rows', 'gemm,conv,models').split(',');
const MODELS = arg('--models', 'mlp,cnn,lstm,gru').split(',');

const bundle = path.join(root, 'build/threads-bench.mjs');
await esbuild.build({
  stdin: {
    contents: "export * from './src/index.ts'; export { backend } from './src/wasm/loader.ts'; export { tuning } from './src/wasm/threads.ts';",
    resolveDir: root,
    loader: 'ts',
  },
  outfile: bundle,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'es2022',
  logLevel: 'warning',
});
const lib = await import(`${bundle}?t=${Date.now()}`);

const QUIET = process.argv.includes('--quiet');
const gate = { waitedMs: 0, gates: 0, timedOut: 0 };
/** With --quiet: blocks until the CPUs were ≥ 95% idle over 200 ms (this process idle meanwhile), at most 60 s. */
function waitQuiet() {
  if (!QUIET || !fs.existsSync('/proc/stat')) return;
  const cpu = () => {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3] + f[4], total: f.reduce((a, b) => a + b, 0) };
  };
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const t0 = performance.now();
  gate.gates++;
  for (;;) {
    const a = cpu();
    Atomics.wait(nap, 0, 0, 200);
    const b = cpu();
    if ((b.idle - a.idle) / Math.max(1, b.total - a.total) >= 0.95) break;
    if (performance.now() - t0 > 60_000) {
      gate.timedOut++;
      break;
    }
  }
  gate.waitedMs += performance.now() - t0;
}

/** Seconds per call of fn: warm-up, then enough calls for ≥ minMs, best of `reps` samples. */
function time(fn, { minMs = 150, reps = 3 } = {}) {
  const calls = calibrate(fn, minMs, 60);
  return Math.min(...Array.from({ length: reps }, () => sampleSecs(fn, calls)));
}

function fillRandom(arena, ptr, n, seed) {
  const f = arena.f32;
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    f[(ptr >>> 2) + i] = (s >>> 8) / 16777216 - 0.5;
  }
}

/** GEMM m=n=k=size in each layout: GFLOP/s. */
function gemmRows(size) {
  const { arena, kernels: k } = lib.backend();
  const [m, n, kk] = [size, size, size];
  const a = arena.alloc(m * kk * 4), b = arena.alloc(kk * n * 4), c = arena.alloc(m * n * 4), ws = arena.alloc(k.gemm_workspace_bytes(m, n, kk));
  fillRandom(arena, a, m * kk, 1);
  fillRandom(arena, b, kk * n, 2);
  arena.f32.fill(0, c >>> 2, (c >>> 2) + m * n);
  const out = {};
  for (const [layout, fn] of [['nn', k.gemm_nn_f32], ['nt', k.gemm_nt_f32], ['tn', k.gemm_tn_f32]]) {
    const s = time(() => fn(c, a, b, ws, m, n, kk), { minMs: size >= 512 ? 300 : 100 });
    out[`GEMM ${size}³ ${layout} (GFLOP/s)`] = (2 * m * n * kk) / s / 1e9;
  }
  for (const [p, bytes] of [[a, m * kk * 4], [b, kk * n * 4], [c, m * n * 4], [ws, k.gemm_workspace_bytes(m, n, kk)]]) arena.free(p, bytes);
  return out;
}

/** The MNIST CNN's two convolutions (batch 64, 5x5 same): forward and backward, GFLOP/s. */
function convRows() {
  const { arena, kernels: k } = lib.backend();
  const out = {};
  const B = 64;
  for (const [label, H, inC, outC, dx] of [['conv 28x28x1→8', 28, 1, 8, false], ['conv 14x14x8→16', 14, 8, 16, true]]) {
    const geo = [B, H, H, inC, H, H, outC, 5, 5, 1, 1, 1, 1, 2, 2];
    const xN = B * H * H * inC, yN = B * H * H * outC, wN = 25 * inC * outC;
    const wsB = k.conv2d_workspace_bytes(B, H, H, inC, H, H, outC, 5, 5);
    const x = arena.alloc(xN * 4), y = arena.alloc(yN * 4), w = arena.alloc(wN * 4), bias = arena.alloc(outC * 4), ws = arena.alloc(wsB);
    const dxp = arena.alloc(xN * 4), dw = arena.alloc(wN * 4), db = arena.alloc(outC * 4);
    fillRandom(arena, x, xN, 3);
    fillRandom(arena, w, wN, 4);
    fillRandom(arena, bias, outC, 5);
    const flops = 2 * yN * 25 * inC;
    out[`${label} forward (GFLOP/s)`] = flops / time(() => k.conv2d_forward_f32(y, x, w, bias, ws, ...geo, 1)) / 1e9;
    // Backward as the layer calls it: dW and db, and dx unless it is the first layer.
    out[`${label} backward${dx ? '' : ' (dW only)'} (GFLOP/s)`] = ((dx ? 2 : 1) * flops) / time(() => k.conv2d_backward_f32(dx ? dxp : 0, dw, db, y, x, w, ws, ...geo)) / 1e9;
    for (const [p, n] of [[x, xN * 4], [y, yN * 4], [w, wN * 4], [bias, outC * 4], [ws, wsB], [dxp, xN * 4], [dw, wN * 4], [db, outC * 4]]) arena.free(p, n);
  }
  return out;
}

/** The MNIST MLP and CNN as src/cli/models.ts defines them (build/models.mjs). */
const { mnistModel } = await loadModels();
const build = (arch) => mnistModel(lib, arch);

/**
 * Per model: one sample's shape, training steps and predict calls per timed sample (each sample
 * lasts tens of milliseconds on one thread).
 */
const MODEL_RUNS = {
  mlp: { label: 'MLP', shape: [784], steps: 40, reps: 20 },
  cnn: { label: 'CNN', shape: [28, 28, 1], steps: 8, reps: 3 },
  lstm: { label: 'LSTM(128)', shape: [28, 28], steps: 3, reps: 2 },
  gru: { label: 'GRU(128)', shape: [28, 28], steps: 3, reps: 2 },
};

/**
 * Calls fn for ≥ 3 calls and ≥ WARM_MS. Measured on the MLP's training step: the first 40-120
 * steps after an init() ran 1.5-2.3x slower than the later ones (V8 compiles the optimized code
 * of hot functions in the background), which three warm-up steps, as before, left in the samples.
 */
const WARM_MS = 500;
async function warmUp(fn) {
  const t0 = performance.now();
  for (let i = 0; i < 3 || performance.now() - t0 < WARM_MS; i++) await fn();
}

/** Training (batch 64) and inference (batch 256) samples/s of MNIST model `arch` (a key of MODEL_RUNS). */
async function modelRows(arch) {
  const out = {};
  const { label, shape: sample, steps, reps } = MODEL_RUNS[arch];
  lib.setSeed(1);
  const model = build(arch);
  model.compile({ optimizer: lib.optimizers.adam({ learningRate: 0.001 }), loss: 'sparseCategoricalCrossentropy' });
  const shape = (n) => [n, ...sample];
  const xs = lib.randomUniform(shape(64));
  const ys = lib.tensor(Int32Array.from({ length: 64 }, (_, i) => i % 10), [64], 'int32');
  await warmUp(() => model.trainOnBatch(xs, ys));
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await model.trainOnBatch(xs, ys);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  out[`${label} training, batch 64 (samples/s)`] = (steps * 64) / best;
  const xi = lib.randomUniform(shape(256));
  await warmUp(() => model.predict(xi, { batchSize: 256 }).dispose());
  best = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) model.predict(xi, { batchSize: 256 }).dispose();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  out[`${label} inference, batch 256 (samples/s)`] = (reps * 256) / best;
  for (const t of [xs, ys, xi]) t.dispose();
  model.dispose();
  return out;
}

/** onnxruntime-web: the same MLP's inference (batch 256), numThreads = n; null with the reason where it cannot. */
async function onnxRow(n) {
  try {
    const { buildOnnx } = await import('./peers/onnx.mjs');
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = n;
    ort.env.wasm.simd = true;
    ort.env.logLevel = 'error';
    lib.setSeed(1);
    const model = build('mlp');
    const weights = model.getWeights().map((t) => ({ shape: t.shape, data: Buffer.from(Float32Array.from(t.dataSync()).buffer).toString('base64') }));
    model.dispose();
    const session = await ort.InferenceSession.create(buildOnnx('mlp', weights), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    const x = new ort.Tensor('float32', new Float32Array(256 * 784).map((_, i) => ((i * 37) % 101) / 101), [256, 784]);
    await session.run({ x });
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 20; i++) await session.run({ x });
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    await session.release?.();
    return { value: (20 * 256) / best };
  } catch (e) {
    return { error: String(e?.message ?? e).split('\n')[0] };
  }
}

/** GEMM sizes around the split threshold, 1 vs 2 threads with every call split: where does 2 win? */
async function tune() {
  const sizes = [16, 24, 32, 48, 64, 96, 128, 192];
  const res = {};
  for (const T of [1, 2]) {
    await lib.init({ threads: T, deterministic: true });
    lib.tuning.minWork = 1;
    lib.tuning.packingShare = 0;
    const { arena, kernels: k } = lib.backend();
    for (const s of sizes) {
      const a = arena.alloc(s * s * 4), b = arena.alloc(s * s * 4), c = arena.alloc(s * s * 4), ws = arena.alloc(k.gemm_workspace_bytes(s, s, s));
      fillRandom(arena, a, s * s, 1);
      fillRandom(arena, b, s * s, 2);
      (res[s] ??= {})[T] = time(() => k.gemm_nn_f32(c, a, b, ws, s, s, s), { minMs: 80, reps: 5 });
    }
  }
  console.log('GEMM n³, every call split: time on 2 threads / time on 1 (below 1: threads pay)');
  for (const s of sizes) console.log(`  n = ${String(s).padStart(3)} (${(s ** 3).toLocaleString('en-US').padStart(9)} multiply-adds): ${(res[s][2] / res[s][1]).toFixed(2)}`);
}

if (TUNE) {
  await tune();
  process.exit(0);
}

console.log(`simdnet threads bench: ${THREADS.join(', ')} threads, ${ROUNDS} rounds interleaved; Node ${process.version}`);
const samples = {}; // row → threads → values
const put = (T, rows) => {
  for (const [k, v] of Object.entries(rows)) ((samples[k] ??= {})[T] ??= []).push(v);
};
// Each group of rows runs on every thread count before the next group starts, so the counts
// compared are seconds apart; the order of the counts alternates from round to round (1, 2 then
// 2, 1), so neither always runs first after a switch.
for (const m of MODELS) if (!(m in MODEL_RUNS)) throw new Error(`--models: unknown model '${m}'; expected some of ${Object.keys(MODEL_RUNS).join(', ')}`);
for (const g of GROUPS) if (!['gemm', 'conv', 'models'].includes(g)) throw new Error(`--rows: unknown group '${g}'; expected some of gemm, conv, models`);
const groups = [
  ...(GROUPS.includes('gemm') ? [() => gemmRows(1024)] : []),
  ...(GROUPS.includes('conv') ? [() => convRows()] : []),
  ...(GROUPS.includes('models') ? MODELS.map((m) => () => modelRows(m)) : []),
];
let current = 0;
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? THREADS : [...THREADS].reverse();
  for (const group of groups) {
    for (const T of order) {
      if (T !== current) {
        const info = await lib.init({ threads: T });
        if (info.threads !== T) throw new Error(`asked for ${T} threads, got ${info.threads}: ${info.threadsReason}`);
        current = T;
      }
      waitQuiet();
      put(T, await group());
    }
  }
  process.stdout.write(`round ${r + 1}/${ROUNDS} done\n`);
}
const onnx = {};
if (GROUPS.includes('models') && MODELS.includes('mlp')) {
  for (const T of [1, 2]) {
    waitQuiet();
    onnx[T] = await onnxRow(T);
  }
}
const binary = lib.backendInfo().binary;
if (QUIET) console.log(`--quiet: waited ${(gate.waitedMs / 1000).toFixed(1)} s in all before ${gate.gates} groups of rows (${gate.timedOut} gave up after 60 s)`);

const rows = [];
for (const [name, byT] of Object.entries(samples)) {
  const med = Object.fromEntries(THREADS.map((T) => [T, median(byT[T])]));
  rows.push({ name, med, ratio: Object.fromEntries(THREADS.map((T) => [T, med[T] / med[THREADS[0]]])) });
}
const fmt = (v) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
console.log(`\nmedians of ${ROUNDS} rounds (binary: ${binary}); ratio = value / value on ${THREADS[0]} thread(s)`);
const header = `| | ${THREADS.map((T) => `${T} thr`).join(' | ')} | ${THREADS.slice(1).map((T) => `${T} thr ratio`).join(' | ')} |`;
console.log(header);
console.log(`|---|${THREADS.map(() => '---:').join('|')}|${THREADS.slice(1).map(() => '---:').join('|')}|`);
for (const r of rows) console.log(`| ${r.name} | ${THREADS.map((T) => fmt(r.med[T])).join(' | ')} | ${THREADS.slice(1).map((T) => `${r.ratio[T].toFixed(2)}x`).join(' | ')} |`);
for (const T of Object.keys(onnx)) {
  const o = onnx[T];
  console.log(`| onnxruntime-web MLP inference, batch 256, numThreads ${T} (samples/s) | ${o.value ? fmt(o.value) : `n/a: ${o.error}`} |`);
}
const mlpInf = rows.find((r) => r.name.startsWith('MLP inference'));
if (mlpInf && onnx[1]?.value && THREADS.includes(2)) console.log(`\nMLP inference on 2 threads / onnxruntime-web on 1: ${(mlpInf.med[2] / onnx[1].value).toFixed(2)}x`);

const json = arg('--json');
if (json) fs.writeFileSync(path.resolve(json), JSON.stringify({ threads: THREADS, rounds: ROUNDS, binary, rows, onnx, ...(QUIET ? { quiet: gate } : {}) }, null, 1) + '\n');

const svg = arg('--svg');
if (svg) {
  // Speed-up against thread count, one line per row, ideal scaling dashed.
  const W = 640, H = 400, P = 50, maxT = Math.max(...THREADS);
  const x = (t) => P + ((W - 2 * P) * (t - 1)) / Math.max(1, maxT - 1);
  const maxY = Math.max(maxT, ...rows.flatMap((r) => Object.values(r.ratio)));
  const y = (v) => H - P - ((H - 2 * P) * v) / maxY;
  const colors = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4d7c0f', '#be185d', '#475569', '#ca8a04', '#7c3aed', '#059669', '#b91c1c', '#1d4ed8'];
  const lines = rows.map((r, i) => `<polyline fill="none" stroke="${colors[i % colors.length]}" stroke-width="2" points="${THREADS.map((T) => `${x(T).toFixed(1)},${y(r.ratio[T]).toFixed(1)}`).join(' ')}"><title>${r.name}</title></polyline>`);
  const legend = rows.map((r, i) => `<text x="${W + 10}" y="${20 + i * 16}" font-size="11" fill="${colors[i % colors.length]}">${r.name.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</text>`);
  const ticks = THREADS.map((T) => `<text x="${x(T)}" y="${H - P + 16}" font-size="11" text-anchor="middle">${T}</text>`);
  fs.writeFileSync(
    path.resolve(svg),
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W + 330}" height="${H}" font-family="sans-serif">` +
      `<line x1="${P}" y1="${H - P}" x2="${W - P}" y2="${H - P}" stroke="#000"/><line x1="${P}" y1="${P}" x2="${P}" y2="${H - P}" stroke="#000"/>` +
      `<polyline fill="none" stroke="#999" stroke-dasharray="4 4" points="${x(1)},${y(1)} ${x(maxT)},${y(maxT)}"><title>ideal</title></polyline>` +
      `<text x="${W / 2}" y="${H - 10}" font-size="12" text-anchor="middle">threads</text><text x="12" y="${P - 12}" font-size="12">speed-up vs 1 thread</text>` +
      ticks.join('') + lines.join('') + legend.join('') + '</svg>\n',
  );
  console.log(`wrote ${svg}`);
}
