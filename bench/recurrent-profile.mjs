#!/usr/bin/env node
// Where a recurrent training step goes (issue 15): LSTM(128) and GRU(128) on row-MNIST
// ([28 steps, 28 inputs] → rnn(128) → dense(10, softmax), batch 64, Adam), as in `npm run bench`.
//
//  1. Each GEMM the recurrent kernels run in one training step (assembly/recurrent.ts: the input
//     projection over batch × time rows, one recurrent GEMM per step — two for the GRU — and in
//     backprop through time the transposed GEMMs), timed alone at its shape through the raw
//     kernels (build/simdnet.wasm, scripts/load-binary.mjs), as GFLOP/s and share of the
//     register-only SIMD peak (bench/peak.ts) sampled right before, in the same process.
//  2. The training step itself through the public API (dist/index.js): ms per step of a fit,
//     with the recurrent layer's forward and backward timed by wrapping them.
//  3. The GEMMs' time summed over one step (each call count × its time alone) against the
//     recurrent layer's time and the whole step's: the fraction of the step spent outside GEMMs.
//
//   node bench/recurrent-profile.mjs [--quick] [--json FILE]
// Timings on a shared machine: compare the shares within one run.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { measurePeak } from './gemm.mjs';
import { calibrate, loadModels, median, root, sampleSecs } from './peers/common.mjs';
import { loadBinary } from '../scripts/load-binary.mjs';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : null;
const B = 64; // batch
const T = 28; // time steps
const I = 28; // inputs per step
const U = 128; // units

/**
 * The GEMM calls of one training step of an rnn(U) layer that is the model's first layer (no dx),
 * as assembly/recurrent.ts issues them: [layout, m, n, k, calls, what]. C += op(A)·op(B) with
 * op(A) [m, k], op(B) [k, n].
 */
function gemmCalls(cell) {
  const rows = B * T;
  if (cell === 'lstm') {
    const gu = 4 * U;
    return [
      ['nn', rows, gu, I, 1, 'input projection x·W, all steps'],
      ['nn', B, gu, U, T - 1, 'recurrent h·U, per step'],
      ['nt', B, U, gu, T - 1, 'BPTT dh = dgates·Uᵀ, per step'],
      ['tn', U, gu, (T - 1) * B, 1, 'dU = hᵀ·dgates, all steps'],
      ['tn', I, gu, rows, 1, 'dW = xᵀ·dgates, all steps'],
    ];
  }
  const gu = 3 * U;
  return [
    ['nn', rows, gu, I, 1, 'input projection x·W, all steps'],
    ['nn', B, 2 * U, U, T - 1, 'recurrent h·U_zr, per step'],
    ['nn', B, U, U, T - 1, 'recurrent (r·h)·U_h, per step'],
    ['tn', U, U, B, T - 1, 'BPTT dU_h, per step'],
    ['nt', B, U, U, T - 1, 'BPTT d(r·h) = dh̃·U_hᵀ, per step'],
    ['tn', U, 2 * U, B, T - 1, 'BPTT dU_zr, per step'],
    ['nt', B, U, 2 * U, T - 1, 'BPTT dh = d[z,r]·U_zrᵀ, per step'],
    ['tn', I, gu, rows, 1, 'dW = xᵀ·dgates, all steps'],
  ];
}

/** Seconds per call: calibrated to ≥ minMs per sample, median of samples. */
function timeCall(fn, samples, minMs) {
  const calls = calibrate(fn, minMs);
  return median(Array.from({ length: samples }, () => sampleSecs(fn, calls)));
}

/** Each distinct GEMM shape of `cells`, timed alone on the raw binary: Map key → seconds per call. */
function timeGemms(cells, samples, minMs) {
  const { exports: ex, memory } = loadBinary({ variant: 'baseline' });
  const base = (ex.heap_base() + 63) & ~63;
  const out = new Map();
  for (const cell of cells) {
    for (const [layout, m, n, k] of gemmCalls(cell)) {
      const key = `${layout} ${m}x${n}x${k}`;
      if (out.has(key)) continue;
      const ws = ex.gemm_workspace_bytes(m, n, k);
      const need = base + 4 * (m * k + k * n + m * n) + ws + 4096;
      if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
      const a = base;
      const b = a + ((4 * m * k + 63) & ~63);
      const c = b + ((4 * k * n + 63) & ~63);
      const w = c + ((4 * m * n + 63) & ~63);
      const f = new Float32Array(memory.buffer);
      for (let i = a >> 2; i < (c >> 2) + m * n; i++) f[i] = Math.random() - 0.5;
      const fn = ex[`gemm_${layout}_f32`];
      out.set(key, timeCall(() => fn(c, a, b, w, m, n, k), samples, minMs));
    }
  }
  return out;
}

/** ms per training step of `kind` through the public API, with its recurrent layer's share. */
async function stepProfile(kind, steps) {
  const sn = await import(pathToFileURL(path.join(root, 'dist/index.js')).href);
  await sn.init();
  const { mnistModel } = await loadModels();
  sn.setSeed(42);
  const model = mnistModel(sn, kind);
  model.compile({ optimizer: sn.optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy' });
  const n = steps * B;
  const xv = new Float32Array(n * T * I);
  for (let i = 0; i < xv.length; i++) xv[i] = Math.random();
  const x = sn.tensor(xv, [n, T, I]);
  const y = sn.tensor(Int32Array.from({ length: n }, (_, i) => i % 10), [n]);
  await model.fit(x.slice(0, 5 * B), y.slice(0, 5 * B), { batchSize: B, epochs: 1, shuffle: false, verbose: 0 });
  const rnn = model.layers.find((l) => l.className === (kind === 'lstm' ? 'LSTM' : 'GRU'));
  const acc = { forward: 0, backward: 0 };
  for (const m of ['forward', 'backward']) {
    const orig = rnn[m];
    rnn[m] = function (...a) {
      const t0 = performance.now();
      const r = orig.apply(this, a);
      acc[m] += performance.now() - t0;
      return r;
    };
  }
  const t0 = performance.now();
  await model.fit(x, y, { batchSize: B, epochs: 1, shuffle: false, verbose: 0 });
  const msPerStep = (performance.now() - t0) / steps;
  return { msPerStep, rnnForwardMs: acc.forward / steps, rnnBackwardMs: acc.backward / steps };
}

const cells = ['lstm', 'gru'];
const samples = quick ? 3 : 5;
const minMs = quick ? 30 : 60;
// Rounds alternate the GEMMs alone and the training steps, so a neighbour's burst lands on
// both; every figure is the median over rounds.
const rounds = quick ? 3 : 5;
const peaks = [];
const perRound = [];
for (let r = 0; r < rounds; r++) {
  const p = (await measurePeak('baseline', { samples: 3 })).best;
  peaks.push(p);
  const times = timeGemms(cells, samples, minMs);
  const profs = {};
  for (const cell of cells) profs[cell] = await stepProfile(cell, quick ? 10 : 30);
  perRound.push({ peak: p, times, profs });
}
peaks.push((await measurePeak('baseline', { samples: 3 })).best);
const peak = Math.max(...peaks);
const med = (f) => median(perRound.map(f));
const result = { date: new Date().toISOString(), quick, rounds, batch: B, steps: T, inputs: I, units: U, peakGflops: peak, peakSamples: peaks, peakNote: 'register-only SIMD128 mul+add peak (bench/peak.ts) sampled before each round; % of peak = median over rounds of GFLOP/s over that round\'s peak', cells: {} };
console.log(`register-only SIMD peak: ${peak.toFixed(1)} GFLOP/s (per round: ${peaks.map((p) => p.toFixed(1)).join(', ')}); batch ${B}, ${T} steps of ${I}, ${U} units; medians of ${rounds} rounds`);
for (const cell of cells) {
  const shape = gemmCalls(cell);
  const calls = shape.map(([layout, m, n, k, count, what]) => {
    const secs = med((q) => q.times.get(`${layout} ${m}x${n}x${k}`));
    const gflops = (2 * m * n * k) / secs / 1e9;
    // Against the peak sampled right before that round's GEMMs (the load moves both).
    const pctPeak = med((q) => (100 * (2 * m * n * k)) / q.times.get(`${layout} ${m}x${n}x${k}`) / 1e9 / q.peak);
    return { layout, m, n, k, count, what, usPerCall: secs * 1e6, gflops, pctPeak, msPerStep: secs * count * 1e3 };
  });
  const gemmFlops = calls.reduce((s, c) => s + 2 * c.m * c.n * c.k * c.count, 0);
  // Per round: the GEMMs' ms per step (alone) against that round's layer and step times.
  const gemmMsOf = (q) => shape.reduce((s, [layout, m, n, k, count]) => s + q.times.get(`${layout} ${m}x${n}x${k}`) * count * 1e3, 0);
  const gemmMs = med(gemmMsOf);
  const prof = { msPerStep: med((q) => q.profs[cell].msPerStep), rnnForwardMs: med((q) => q.profs[cell].rnnForwardMs), rnnBackwardMs: med((q) => q.profs[cell].rnnBackwardMs) };
  const r = {
    calls,
    gemmMsPerStep: gemmMs,
    gemmGflops: gemmFlops / (gemmMs / 1e3) / 1e9,
    gemmPctPeak: med((q) => (100 * gemmFlops) / (gemmMsOf(q) / 1e3) / 1e9 / q.peak),
    ...prof,
    rnnMsPerStep: prof.rnnForwardMs + prof.rnnBackwardMs,
    outsideGemmOfRnnPct: med((q) => 100 * (1 - gemmMsOf(q) / (q.profs[cell].rnnForwardMs + q.profs[cell].rnnBackwardMs))),
    outsideGemmOfStepPct: med((q) => 100 * (1 - gemmMsOf(q) / q.profs[cell].msPerStep)),
    outsideGemmPerRound: perRound.map((q) => +(100 * (1 - gemmMsOf(q) / q.profs[cell].msPerStep)).toFixed(1)),
  };
  result.cells[cell] = r;
  console.log(`\n${cell.toUpperCase()}(${U}) — GEMMs of one training step, each timed alone:`);
  for (const c of calls) console.log(`  ${c.layout} [${c.m}x${c.k}]·[${c.k}x${c.n}] ×${String(c.count).padStart(2)}  ${c.gflops.toFixed(1).padStart(5)} GFLOP/s ${c.pctPeak.toFixed(0).padStart(3)}% of peak  ${c.msPerStep.toFixed(3)} ms/step  ${c.what}`);
  console.log(`  all GEMMs: ${gemmMs.toFixed(2)} ms per step at ${r.gemmGflops.toFixed(1)} GFLOP/s = ${r.gemmPctPeak.toFixed(0)}% of peak`);
  console.log(`  training step (fit, batch ${B}): ${prof.msPerStep.toFixed(2)} ms; ${cell} layer forward ${prof.rnnForwardMs.toFixed(2)} + backward ${prof.rnnBackwardMs.toFixed(2)} ms`);
  console.log(`  outside GEMMs: ${r.outsideGemmOfRnnPct.toFixed(0)}% of the ${cell} layer's time, ${r.outsideGemmOfStepPct.toFixed(0)}% of the whole step (per round: ${r.outsideGemmPerRound.join(', ')}%)`);
}
if (jsonOut) {
  fs.mkdirSync(path.dirname(path.resolve(jsonOut)), { recursive: true });
  fs.writeFileSync(jsonOut, JSON.stringify(result, null, 2) + '\n');
}
