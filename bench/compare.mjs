#!/usr/bin/env node
// simdnet side by side with TensorFlow.js (wasm backend), ConvNetJS and onnxruntime-web, in one
// run, on this machine. Writes bench/results/latest.json (every figure and the ratio for each
// row), prints a table, and regenerates bench/RESULTS.md's comparison section and
// bench/results/ratios.svg (bench/report.mjs).
//
//   node bench/compare.mjs            full run (one epoch per library; < 20 min on 2 cores)
//   node bench/compare.mjs --quick    fewer shapes, fixed small step counts (< 3 min)
//   node bench/compare.mjs --quick --tiny --out FILE --no-report   harness check (the test)
//   --skip-kernels / --skip-e2e       one half only
//   --models mlp,resmlp --out FILE --no-report   end-to-end rows of these models only (default:
//                                     mlp,cnn,resmlp,bncnn,lstm,gru,text); --out is required then, so latest.json stays the full run
//   --no-pin                          leave core placement to the OS (see "one core" below)
//
// Kernel rows run in this process, alternating simdnet and TF.js round by round for matMul
// (sample by sample for conv2d, pooling and the loss), median after warm-up. End-to-end rows run one
// library per child process (so peak RSS is per library); cold start is a fresh child each.
// ratio: > 1 means simdnet is better — simdnet/peer for throughput, peer/simdnet for time and
// memory.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { args, calibrate, flag, median, now, opt, root, sampleSecs } from './peers/common.mjs';

const tiny = flag('--tiny');
const quick = flag('--quick') || tiny;
const mode = tiny ? 'tiny' : quick ? 'quick' : 'full';
const outFile = path.resolve(opt('--out', path.join(root, 'bench/results/latest.json')));
/**
 * The end-to-end models (src/cli/models.ts): the MLP, the CNN, the residual MLP (skip add) and
 * the CNN with BatchNorm + Dropout (issue 14), LSTM(128) and GRU(128) on row-MNIST (issue 15),
 * and the Embedding + GRU text classifier of bench/text.mjs (issue 15; its own rows, see textE2e).
 */
const E2E_MODELS = ['mlp', 'cnn', 'resmlp', 'bncnn', 'lstm', 'gru', 'text'];
const MODEL_NAMES = { mlp: 'MLP', cnn: 'CNN', resmlp: 'Residual MLP', bncnn: 'BatchNorm + Dropout CNN', lstm: 'LSTM row-MNIST', gru: 'GRU row-MNIST', text: 'Embedding + GRU text' };
/** Run against TF.js wasm only (ConvNetJS and the bench's ONNX export have no merge / BN / dropout / recurrent layers). */
const TFJS_ONLY = ['resmlp', 'bncnn', 'lstm', 'gru'];
/** Recurrent models: should TF.js wasm lack a kernel to train one, its training row is TF.js cpu (bench/peers/tfjs.mjs). */
const RNN_MODELS = ['lstm', 'gru'];
/** Models with Conv2D layers: TF.js wasm trains them only with the bench's filter-gradient workaround. */
const CONV_MODELS = ['cnn', 'bncnn'];
const e2eModels = opt('--models', E2E_MODELS.join(',')).split(',').filter(Boolean);
for (const m of e2eModels) if (!E2E_MODELS.includes(m)) throw new Error(`--models: unknown model '${m}' (have: ${E2E_MODELS.join(', ')})`);
// A partial run must not replace the full run's figures behind RESULTS.md.
if (E2E_MODELS.some((m) => !e2eModels.includes(m)) && !args.includes('--out')) throw new Error('--models with a subset of the models needs --out FILE (and --no-report), so bench/results/latest.json stays the full run');
// Scratch (trained weights, ONNX files): bench/results/raw/ is git-ignored.
const tmpDir = path.join(path.dirname(outFile), 'raw', `compare-${mode}`);
const log = (...a) => console.log(...a);
const t0Run = now();

// ------------------------------------------------------------------------------ one core
// On a shared VM one vCPU can run far slower than another for minutes (a busy neighbour on
// its host thread: 130k vs 200k MLP inference samples/s in back-to-back runs here). Processes
// left to the scheduler then land on either, and a ratio compares two different cores. So on
// Linux with `taskset`, the run re-executes itself pinned to the core whose register-only SIMD
// peak is highest at the start; every child inherits the pin, so all libraries share one core.
// --no-pin turns this off.
if (flag('--probe-peak')) {
  const { measurePeak } = await import('./gemm.mjs');
  console.log(JSON.stringify(await measurePeak('baseline', { samples: 5, minMs: 40 })));
  process.exit(0);
}
const pinned = process.env.SIMDNET_BENCH_CPU ? { cpu: Number(process.env.SIMDNET_BENCH_CPU), peaks: JSON.parse(process.env.SIMDNET_BENCH_PEAKS ?? '{}') } : null;
if (!pinned && !flag('--no-pin') && process.platform === 'linux' && spawnSync('taskset', ['-p', String(process.pid)]).status === 0) {
  const self = path.join(root, 'bench/compare.mjs');
  const peaks = {};
  for (let cpu = 0; cpu < os.cpus().length; cpu++) {
    const r = spawnSync('taskset', ['-c', String(cpu), process.execPath, self, '--probe-peak'], { encoding: 'utf8' });
    if (r.status === 0) peaks[cpu] = +JSON.parse(r.stdout.trim().split('\n').pop()).best.toFixed(1);
  }
  const best = Object.entries(peaks).sort((a, b) => b[1] - a[1])[0];
  if (best) {
    log(`register-only peak per core (GFLOP/s): ${Object.entries(peaks).map(([c, g]) => `cpu ${c}: ${g}`).join(', ')} — pinning the run to cpu ${best[0]}`);
    const r = spawnSync('taskset', ['-c', best[0], process.execPath, self, ...args], { stdio: 'inherit', env: { ...process.env, SIMDNET_BENCH_CPU: best[0], SIMDNET_BENCH_PEAKS: JSON.stringify(peaks) } });
    process.exit(r.status ?? 1);
  }
}

// ------------------------------------------------------------------------------ configuration

const { SHAPES, QUICK_SHAPES, LAYOUTS, measurePeak, benchGemm } = await import('./gemm.mjs');
const { CONV_SHAPES, convCase } = await import('./conv.mjs');
const { CONV3D_SHAPES, conv3dCase } = await import('./conv3d.mjs');

const POOL_SHAPES = [
  { batch: 64, h: 28, w: 28, c: 8 },
  { batch: 64, h: 14, w: 14, c: 16 },
];
const XENT_SHAPES = [
  { batch: 64, classes: 10 },
  { batch: 256, classes: 1000 },
];

const C = {
  full: {
    gemmShapes: SHAPES, convShapes: CONV_SHAPES, conv3dShapes: CONV3D_SHAPES, poolShapes: POOL_SHAPES, xentShapes: XENT_SHAPES,
    rounds: 3, gemmSamples: 3, minMs: 60, smallSamples: 7, peakSamples: 7,
    coldReps: 3,
    e2e: {
      // One epoch's test accuracy moves by tenths of a point with the seed (initial weights and
      // batch order), in every library: the accuracy rows take the mean over these seeds.
      mlp: { epoch: true, warmSteps: 20, testLimit: 0, inferSamples: 10000, inferReps: 5, profileSteps: 300, accuracySeeds: [42, 7, 1234] },
      cnn: { epoch: true, warmSteps: 10, testLimit: 0, inferSamples: 10000, inferReps: 5, profileSteps: 60, accuracySeeds: [42, 7, 1234] },
      // The residual MLP runs against TF.js only (training, accuracy of one seed, inference).
      resmlp: { epoch: true, warmSteps: 20, testLimit: 0, inferSamples: 10000, inferReps: 5, profileSteps: 0 },
      // The BatchNorm + Dropout CNN against TF.js only (one seed); TF.js wasm trains it at a few
      // hundred samples/s here, so its epoch takes minutes.
      bncnn: { epoch: true, warmSteps: 5, testLimit: 0, inferSamples: 10000, inferReps: 5, profileSteps: 60 },
      // LSTM / GRU on row-MNIST: TF.js wasm trains them at ~200 samples/s here (an epoch would
      // take ~5 minutes each), so their rows train a fixed number of steps.
      lstm: { epoch: false, trainSteps: 100, chunks: 4, warmSteps: 5, testLimit: 0, inferSamples: 4096, inferReps: 3, profileSteps: 20 },
      gru: { epoch: false, trainSteps: 100, chunks: 4, warmSteps: 5, testLimit: 0, inferSamples: 4096, inferReps: 3, profileSteps: 20 },
      // Embedding + GRU text (bench/text.mjs): TF.js cpu trains it at a few samples/s here, so it
      // runs fewer steps than simdnet (each side's rate is the median of its chunks).
      text: { simdnet: { trainSteps: 100, chunks: 4, warmSteps: 5 }, tfjs: { trainSteps: 8, chunks: 4, warmSteps: 1 }, testSamples: 2048, inferSamples: 2048, inferReps: 3 },
      // ConvNetJS trains the CNN at well under 100 samples/s here: a full epoch would take
      // ~15 minutes alone, so its CNN row trains a capped number of steps (said in the row).
      convnetjsCnn: { epoch: true, epochCap: 6400, warmSteps: 2, chunks: 4, testLimit: 2000, inferSamples: 1024, inferReps: 1 },
      convnetjsMlp: { epoch: true, warmSteps: 5, testLimit: 0, inferSamples: 4096, inferReps: 3 },
    },
  },
  quick: {
    gemmShapes: QUICK_SHAPES, convShapes: CONV_SHAPES.slice(0, 2), conv3dShapes: CONV3D_SHAPES.slice(0, 2), poolShapes: POOL_SHAPES, xentShapes: XENT_SHAPES,
    rounds: 2, gemmSamples: 3, minMs: 30, smallSamples: 5, peakSamples: 5,
    coldReps: 1,
    e2e: {
      mlp: { epoch: false, trainSteps: 200, chunks: 4, warmSteps: 10, testLimit: 2000, inferSamples: 2048, inferReps: 3, profileSteps: 100 },
      cnn: { epoch: false, trainSteps: 40, chunks: 2, warmSteps: 4, testLimit: 2000, inferSamples: 1024, inferReps: 2, profileSteps: 20 },
      resmlp: { epoch: false, trainSteps: 200, chunks: 4, warmSteps: 10, testLimit: 2000, inferSamples: 2048, inferReps: 3, profileSteps: 0 },
      bncnn: { epoch: false, trainSteps: 40, chunks: 2, warmSteps: 4, testLimit: 2000, inferSamples: 1024, inferReps: 2, profileSteps: 20 },
      lstm: { epoch: false, trainSteps: 20, chunks: 2, warmSteps: 2, testLimit: 1000, inferSamples: 1024, inferReps: 2, profileSteps: 10 },
      gru: { epoch: false, trainSteps: 20, chunks: 2, warmSteps: 2, testLimit: 1000, inferSamples: 1024, inferReps: 2, profileSteps: 10 },
      text: { simdnet: { trainSteps: 40, chunks: 4, warmSteps: 3 }, tfjs: { trainSteps: 4, chunks: 2, warmSteps: 1 }, testSamples: 1024, inferSamples: 1024, inferReps: 2 },
      convnetjsCnn: { epoch: false, trainSteps: 8, chunks: 2, warmSteps: 1, testLimit: 500, inferSamples: 256, inferReps: 1 },
      convnetjsMlp: { epoch: false, trainSteps: 40, chunks: 2, warmSteps: 3, testLimit: 2000, inferSamples: 1024, inferReps: 1 },
    },
  },
  tiny: {
    gemmShapes: [[64, 784, 128]], convShapes: CONV_SHAPES.slice(0, 1), conv3dShapes: [{ batch: 1, inD: 4, inH: 8, inW: 8, inC: 1, outC: 16, k: 3, label: 'tiny' }], poolShapes: POOL_SHAPES.slice(1), xentShapes: XENT_SHAPES.slice(0, 1),
    rounds: 1, gemmSamples: 1, minMs: 5, smallSamples: 1, peakSamples: 1,
    coldReps: 1,
    e2e: {
      mlp: { epoch: false, trainSteps: 4, chunks: 1, warmSteps: 1, trainLimit: 2048, testLimit: 256, inferSamples: 256, inferReps: 1, profileSteps: 4, accuracySeeds: [42, 7] },
      cnn: { epoch: false, trainSteps: 2, chunks: 1, warmSteps: 1, trainLimit: 2048, testLimit: 256, inferSamples: 256, inferReps: 1, profileSteps: 2 },
      resmlp: { epoch: false, trainSteps: 4, chunks: 1, warmSteps: 1, trainLimit: 2048, testLimit: 256, inferSamples: 256, inferReps: 1, profileSteps: 0 },
      bncnn: { epoch: false, trainSteps: 2, chunks: 1, warmSteps: 1, trainLimit: 2048, testLimit: 256, inferSamples: 256, inferReps: 1, profileSteps: 2 },
      lstm: { epoch: false, trainSteps: 1, chunks: 1, warmSteps: 1, trainLimit: 2048, testLimit: 256, inferSamples: 256, inferReps: 1, profileSteps: 1 },
      gru: { epoch: false, trainSteps: 1, chunks: 1, warmSteps: 1, trainLimit: 2048, testLimit: 256, inferSamples: 256, inferReps: 1, profileSteps: 1 },
      text: { simdnet: { trainSteps: 1, chunks: 1, warmSteps: 1 }, tfjs: { trainSteps: 1, chunks: 1, warmSteps: 0 }, testSamples: 64, inferSamples: 256, inferReps: 1 },
      convnetjsCnn: { epoch: false, trainSteps: 1, chunks: 1, warmSteps: 1, trainLimit: 2048, testLimit: 32, inferSamples: 256, inferReps: 1 },
      convnetjsMlp: { epoch: false, trainSteps: 2, chunks: 1, warmSteps: 1, trainLimit: 2048, testLimit: 256, inferSamples: 256, inferReps: 1 },
    },
  },
}[mode];

const TARGETS = {
  'matmul-nn': 1.15,
  'matmul-nt': 10,
  'matmul-tn': 10,
  'mlp-train-tfjs': 8,
  'cnn-train-tfjs': 6,
  // Issue 14: the BatchNorm + Dropout CNN trains ≥ 10x faster than on TF.js wasm.
  'bncnn-train-tfjs': 10,
  // Issue 15: LSTM and GRU (128 units, row-MNIST) ≥ 10x TF.js wasm, training and inference.
  'lstm-train-tfjs': 10,
  'lstm-infer-tfjs': 10,
  'gru-train-tfjs': 10,
  'gru-infer-tfjs': 10,
  // Issue 15: Embedding + GRU trains ≥ 20x faster than TF.js cpu (TF.js wasm cannot train it).
  'text-train-tfjs': 20,
  'mlp-infer-tfjs': 3,
  'mlp-infer-onnx': 2,
  'cnn-infer-onnx': 2,
};

const rows = [];
/** better: 'higher' (throughput) or 'lower' (time, memory). ratio > 1 = simdnet better. */
function addRow(r) {
  const ok = Number.isFinite(r.simdnet) && Number.isFinite(r.peer) && r.peer > 0 && r.simdnet > 0;
  r.ratio = ok ? (r.better === 'lower' ? r.peer / r.simdnet : r.simdnet / r.peer) : null;
  const t = TARGETS[r.target];
  if (t !== undefined) {
    r.targetRatio = t;
    r.targetMet = r.ratio === null ? null : r.ratio >= t;
  }
  rows.push(r);
  const fmt = (v) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 0.1 ? v.toFixed(2) : v.toPrecision(2));
  log(
    `  ${r.name.padEnd(52)} ${fmt(r.simdnet).padStart(9)} ${fmt(r.peer).padStart(9)} ${r.unit.padEnd(10)} ${r.ratio === null ? (r.missing ? 'missing' : '—').padStart(7) : (r.ratio.toFixed(2) + 'x').padStart(7)}` +
      `${t !== undefined ? `  (target ≥ ${t}x: ${r.targetMet ? 'met' : 'MISSED'})` : ''}${r.note ? `  [${r.note}]` : ''}`,
  );
  return r;
}

// ------------------------------------------------------------------------------ kernels

async function kernels(out) {
  const tfjs = await import('./peers/tfjs.mjs');
  const sim = await import('./simdnet.mjs');
  const tf = await tfjs.setupTfjs({ patch: true });
  out.versions = { ...out.versions, ...tfjs.versions() };
  const peakBefore = await measurePeak('baseline', { samples: C.peakSamples });
  log(`register-only SIMD peak (baseline SIMD128): best ${peakBefore.best.toFixed(1)}, median ${peakBefore.median.toFixed(1)} GFLOP/s`);
  log(`\n  ${'row'.padEnd(52)} ${'simdnet'.padStart(9)} ${'peer'.padStart(9)} ${'unit'.padEnd(10)} ${'ratio'.padStart(7)}`);

  const tfSample = (c, calls) => sampleSecs(c.run, calls);
  const tfMeasure = (c, samples) => {
    const calls = calibrate(c.run, C.minMs, tiny ? 5 : 100);
    return Array.from({ length: samples }, () => tfSample(c, calls));
  };

  // matMul, three layouts: per shape, rounds alternate bench/gemm.mjs and tf.matMul.
  for (const [m, k, n] of C.gemmShapes) {
    const s = Object.fromEntries(LAYOUTS.map((l) => [l, []]));
    const p = Object.fromEntries(LAYOUTS.map((l) => [l, []]));
    let pct = Object.fromEntries(LAYOUTS.map((l) => [l, []]));
    for (let r = 0; r < C.rounds; r++) {
      const g = await benchGemm({ shapes: [[m, k, n]], samples: C.gemmSamples, minMs: C.minMs });
      for (const x of g.results) {
        s[x.layout].push(x.gflops);
        pct[x.layout].push(x.pctPeak);
      }
      for (const layout of LAYOUTS) {
        const c = tfjs.matMulCase(tf, m, k, n, layout);
        p[layout].push(c.flops / median(tfMeasure(c, C.gemmSamples)) / 1e9);
        c.dispose();
      }
    }
    for (const layout of LAYOUTS) {
      const desc = { nn: 'A·B', nt: 'A·Bᵀ', tn: 'Aᵀ·B' }[layout];
      addRow({
        group: 'kernel', id: `matmul-${layout}-${m}x${k}x${n}`, target: `matmul-${layout}`, kind: 'matMul',
        name: `matMul ${desc} (M,K,N)=(${m},${k},${n})`, unit: 'GFLOP/s', better: 'higher', peerName: 'TF.js wasm',
        simdnet: median(s[layout]), peer: median(p[layout]), simdnetPctPeak: median(pct[layout]),
        simdnetRounds: s[layout], peerRounds: p[layout],
      });
    }
  }

  // conv2d forward / dx / dW, maxPool and softmax cross-entropy: sample-by-sample alternation
  // (a neighbour's burst then lands on both libraries' samples alike).
  const rk = sim.rawKernels();
  /** Median ms per call of a.run and b.run (b null: a peer without the kernel → null). */
  const alternate = (a, b) => {
    const ca = calibrate(a.run, C.minMs, tiny ? 5 : 100);
    const cb = b && calibrate(b.run, C.minMs, tiny ? 5 : 100);
    const ta = [];
    const tb = [];
    for (let i = 0; i < C.smallSamples; i++) {
      ta.push(sampleSecs(a.run, ca));
      if (b) tb.push(sampleSecs(b.run, cb));
    }
    return [median(ta) * 1e3, b ? median(tb) * 1e3 : null];
  };
  for (const sh of C.convShapes) {
    const sc = await convCase(sh);
    const label = `${sh.batch}x${sh.inH}x${sh.inW}x${sh.inC}→${sh.outC} ${sh.k}x${sh.k}`;
    for (const q of ['forward', 'backward-dx', 'backward-dW']) {
      const dW = q === 'backward-dW';
      const c = tfjs.convCase(tf, sh, q);
      const [ms, mp] = alternate({ run: sc.passes[q] }, c.missing ? null : c);
      c.dispose?.();
      const gs = sc.flops / ms / 1e6;
      addRow({
        group: 'kernel', id: `conv2d-${q}-${label.replace(/[^0-9a-z]+/gi, '_')}`, kind: 'conv2d',
        name: `conv2d ${q === 'forward' ? 'forward' : q === 'backward-dx' ? 'input grad' : 'filter grad'} ${label}${dW ? ' (TF.js: workaround)' : ''}`,
        unit: 'GFLOP/s', better: 'higher', peerName: 'TF.js wasm',
        simdnet: gs, peer: mp === null ? null : sc.flops / mp / 1e6,
        peerNative: dW ? !tf.nativeFilterGrad ? 'missing' : 'native' : 'native',
        missing: dW && !tf.nativeFilterGrad,
        note: dW && c.workaround ? 'TF.js wasm has no Conv2DBackpropFilter; peer figure = bench workaround' : undefined,
        workaround: dW ? c.workaround : undefined,
        simdnetPctPeak: (100 * gs) / peakBefore.best,
      });
    }
  }

  // conv3d forward / dx / dW (issue 15), against TF.js on the backend that has the kernels:
  // wasm where it registers Conv3D and both gradients, else cpu (named in the row).
  const conv3dPeer = ['Conv3D', 'Conv3DBackpropInputV2', 'Conv3DBackpropFilterV2'].every((k) => tf.getKernel(k, 'wasm')) ? 'wasm' : 'cpu';
  if (conv3dPeer === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    log(`  (conv3d rows: TF.js wasm has no ${['Conv3D', 'Conv3DBackpropInputV2', 'Conv3DBackpropFilterV2'].filter((k) => !tf.getKernel(k, 'wasm')).join(' / ')} kernel: the peer is TF.js cpu)`);
  }
  for (const sh of C.conv3dShapes) {
    const sc = conv3dCase(sh);
    const label = `${sh.batch}x${sh.inD}x${sh.inH}x${sh.inW}x${sh.inC}→${sh.outC} ${sh.k}x${sh.k}x${sh.k}`;
    for (const q of ['forward', 'backward-dx', 'backward-dW']) {
      const c = tfjs.conv3dCase(tf, sh, q);
      const [ms, mp] = alternate({ run: sc.passes[q] }, c);
      c.dispose();
      const gs = sc.flops / ms / 1e6;
      addRow({
        group: 'kernel', id: `conv3d-${q}-${label.replace(/[^0-9a-z]+/gi, '_')}`, kind: 'conv3d',
        name: `conv3d ${q === 'forward' ? 'forward' : q === 'backward-dx' ? 'input grad' : 'filter grad'} ${label} same`,
        unit: 'GFLOP/s', better: 'higher', peerName: `TF.js ${conv3dPeer}`,
        simdnet: gs, peer: sc.flops / mp / 1e6, simdnetPctPeak: (100 * gs) / peakBefore.best,
      });
    }
  }
  if (conv3dPeer === 'cpu') await tf.setBackend('wasm');

  // maxPool: TF.js's forward keeps no argmax (its backward searches every window again), so it
  // is set against both of simdnet's: with the argmax (what a training step runs) and without
  // (inference).
  const POOL_PASSES = { forward: 'forward, with argmax (training)', inference: 'forward, no argmax (inference)', backward: 'backward' };
  for (const sh of C.poolShapes) {
    for (const [pass, what] of Object.entries(POOL_PASSES)) {
      const a = sim.maxPoolCase(rk, sh, pass);
      const b = tfjs.maxPoolCase(tf, sh, pass === 'backward' ? 'backward' : 'forward');
      const [ms, mp] = alternate(a, b);
      b.dispose();
      addRow({
        group: 'kernel', id: `maxpool-${pass}-${sh.batch}x${sh.h}x${sh.w}x${sh.c}`, kind: 'maxPool',
        name: `maxPool 2x2 ${what} ${sh.batch}x${sh.h}x${sh.w}x${sh.c}`, unit: 'ms/call', better: 'lower', peerName: 'TF.js wasm',
        simdnet: ms, peer: mp,
      });
    }
  }
  for (const sh of C.xentShapes) {
    const a = sim.softmaxXentCase(rk, sh);
    const b = tfjs.softmaxXentCase(tf, sh);
    const [ms, mp] = alternate(a, b);
    b.dispose();
    addRow({
      group: 'kernel', id: `xent-${sh.batch}x${sh.classes}`, kind: 'softmaxXent',
      name: `softmax x-entropy value+grad ${sh.batch}x${sh.classes}`, unit: 'ms/call', better: 'lower', peerName: 'TF.js wasm',
      simdnet: ms, peer: mp,
    });
  }
  const peakAfter = await measurePeak('baseline', { samples: C.peakSamples });
  out.peak = { before: peakBefore, after: peakAfter, bestGflops: Math.max(peakBefore.best, peakAfter.best), binary: 'baseline SIMD128 (bench/peak.ts)' };
  out.simdnetBinary = 'build/simdnet.wasm (baseline SIMD128)';
  log(`register-only SIMD peak after the kernels: best ${peakAfter.best.toFixed(1)}, median ${peakAfter.median.toFixed(1)} GFLOP/s`);
}

// ------------------------------------------------------------------------------ end to end

function child(file, task, cfg, timeoutMs) {
  return new Promise((resolve) => {
    const t0 = now();
    const p = spawn(process.execPath, [path.join(root, file), task, JSON.stringify(cfg)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let so = '';
    let se = '';
    p.stdout.on('data', (d) => (so += d));
    p.stderr.on('data', (d) => (se += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      const line = so.split('\n').find((l) => l.startsWith('@@RESULT '));
      let r;
      try {
        r = line ? JSON.parse(line.slice(9)) : { error: `no result (exit ${code}): ${(se || so).slice(-800)}` };
      } catch (e) {
        r = { error: `bad result line: ${e.message}` };
      }
      r.wallSeconds = (now() - t0) / 1000;
      if (r.error) log(`  ! ${file} ${task} ${cfg.model}: ${r.error.split('\n')[0]}`);
      resolve(r);
    });
  });
}

const LIBS = {
  simdnet: { file: 'bench/simdnet.mjs', label: 'simdnet' },
  tfjs: { file: 'bench/peers/tfjs.mjs', label: 'TF.js wasm' },
  convnetjs: { file: 'bench/peers/convnetjs.mjs', label: 'ConvNetJS' },
  onnx: { file: 'bench/peers/onnx.mjs', label: 'onnxruntime-web' },
};

async function e2e(out) {
  const timeout = (mode === 'full' ? 20 : 4) * 60_000;
  fs.mkdirSync(tmpDir, { recursive: true });
  out.e2e = {};
  for (const model of e2eModels) {
    if (model === 'text') {
      await textE2e(out, timeout);
      continue;
    }
    const base = C.e2e[model];
    const res = {};
    log(`\n${MODEL_NAMES[model]} end to end (${base.epoch ? 'one epoch' : `${base.trainSteps} training steps`}, batch 64, Adam 1e-3; inference at batch 256):`);
    if (TFJS_ONLY.includes(model)) {
      // Against TF.js only (ConvNetJS and the ONNX export have no merge, BatchNorm or dropout
      // layers here); simdnet before and after the peer, as for the other models.
      if (CONV_MODELS.includes(model)) {
        const { FILTER_GRAD_WORKAROUND } = await import('./peers/tfjs.mjs');
        log(`  TF.js wasm trains this model only with the bench's filter-gradient workaround: ${FILTER_GRAD_WORKAROUND}`);
        log('  TF.js cpu (which has the kernel) is not run: it trains such a CNN at a few samples/s (4.4 for this one in the issue\'s measurement), far below its wasm backend.');
      }
      res.simdnet = await child(LIBS.simdnet.file, 'e2e', { ...base, model }, timeout);
      res.tfjs = await child(LIBS.tfjs.file, 'e2e', { ...base, model }, timeout);
      if (res.tfjs.trainFallback) log(`  TF.js wasm cannot train this model (${res.tfjs.trainFallback}): its training row is TF.js cpu (inference still on wasm, with the weights cpu trained).`);
      else if (RNN_MODELS.includes(model) && !res.tfjs.error) log('  TF.js wasm has every kernel to train this model (no cpu fallback needed).');
      res.simdnet2 = res.simdnet.skipped ? res.simdnet : await child(LIBS.simdnet.file, 'e2e', { ...base, model, profileSteps: 0 }, timeout);
      out.e2e[model] = res;
      e2eRows(model, res);
      if (model === 'bncnn') out.e2e[model].bnShare = bnShare(res.simdnet);
      continue;
    }
    const weights = path.join(tmpDir, `${model}-weights.json`);
    const onnxFile = path.join(tmpDir, `${model}.onnx`);
    // simdnet first and last (alternating with the peers), figures averaged.
    res.simdnet = await child(LIBS.simdnet.file, 'e2e', { ...base, model, saveWeights: weights }, timeout);
    res.tfjs = await child(LIBS.tfjs.file, 'e2e', { ...base, model }, timeout);
    const cnjCfg = model === 'cnn' ? C.e2e.convnetjsCnn : C.e2e.convnetjsMlp;
    res.convnetjs = await child(LIBS.convnetjs.file, 'e2e', { ...cnjCfg, model }, timeout);
    res.onnx = res.simdnet.skipped || res.simdnet.error ? { skipped: 'no simdnet weights to export' } : await child(LIBS.onnx.file, 'e2e', { ...base, model, weights, saveOnnx: onnxFile }, timeout);
    res.simdnet2 = res.simdnet.skipped ? res.simdnet : await child(LIBS.simdnet.file, 'e2e', { ...base, model, profileSteps: 0 }, timeout);
    // More seeds for the accuracy rows (the runs above used E2E_DEFAULTS.seed): one epoch each,
    // no timing.
    res.accuracy = { simdnet: [res.simdnet], tfjs: [res.tfjs] };
    for (const seed of (base.accuracySeeds ?? []).slice(1)) {
      for (const lib of ['simdnet', 'tfjs']) res.accuracy[lib].push(await child(LIBS[lib].file, 'e2e', { ...base, model, seed, accuracyOnly: true }, timeout));
    }

    // Cold start: fresh processes, interleaved.
    res.cold = { simdnet: [], tfjs: [], convnetjs: [], onnx: [] };
    for (let r = 0; r < C.coldReps; r++) {
      for (const lib of ['simdnet', 'tfjs', 'convnetjs', 'onnx']) {
        if (lib === 'onnx' && !fs.existsSync(onnxFile)) continue;
        res.cold[lib].push(await child(LIBS[lib].file, 'cold', { model, onnx: onnxFile }, 120_000));
      }
    }
    out.e2e[model] = res;
    e2eRows(model, res);
  }
}

/**
 * The Embedding + GRU text classifier (bench/text.mjs) against TF.js: training against TF.js cpu
 * (its wasm backend has no UnsortedSegmentSum kernel, so it cannot train an Embedding: the child
 * tries one step and reports the error), inference against TF.js wasm (with the weights cpu
 * trained) and cpu; simdnet before and after the peer, averaged.
 */
async function textE2e(out, timeout) {
  const { TEXT_DESC } = await import('./text.mjs');
  const t = C.e2e.text;
  const cfg = (lib) => ({ ...t[lib], testSamples: t.testSamples, inferSamples: t.inferSamples, inferReps: t.inferReps });
  log(`\n${TEXT_DESC}; batch 64, Adam 1e-3; inference at batch 256 (simdnet ${t.simdnet.trainSteps} training steps, TF.js cpu ${t.tfjs.trainSteps}):`);
  const res = {};
  res.simdnet = await child(LIBS.simdnet.file, 'text', cfg('simdnet'), timeout);
  res.tfjs = await child(LIBS.tfjs.file, 'text', cfg('tfjs'), timeout * 3);
  res.simdnet2 = res.simdnet.skipped ? res.simdnet : await child(LIBS.simdnet.file, 'text', cfg('simdnet'), timeout);
  out.e2e.text = res;
  const p = res.tfjs;
  const pOk = p && !p.error;
  if (pOk) log(`  TF.js wasm cannot train this model: ${p.wasmTrainError ?? '(it did: no error)'}; its training row is TF.js cpu.`);
  const s = res.simdnet;
  const sOk = !s.error && !s.skipped;
  const note = s.skipped ?? s.error?.split('\n')[0];
  const trainS = avg2(res.simdnet, res.simdnet2, (r) => r.train.samplesPerSec);
  const inferS = avg2(res.simdnet, res.simdnet2, (r) => r.infer.samplesPerSec);
  addRow({
    group: 'e2e', id: 'text-train-tfjs', target: 'text-train-tfjs', kind: 'train', model: 'text',
    name: `${MODEL_NAMES.text} training samples/s vs TF.js cpu`, mode: sOk ? s.train.mode : null, unit: 'samples/s', better: 'higher', peerName: 'TF.js cpu',
    simdnet: trainS, peer: pOk ? p.train.samplesPerSec : null,
    note: [note, p?.error?.split('\n')[0], pOk ? `TF.js wasm cannot train it (${p.wasmTrainError}); TF.js cpu: ${p.train.mode}` : null].filter(Boolean).join('; ') || undefined,
  });
  for (const [key, lbl] of [['inferWasm', 'TF.js wasm'], ['inferCpu', 'TF.js cpu']]) {
    addRow({
      group: 'e2e', id: `text-infer-tfjs-${key === 'inferWasm' ? 'wasm' : 'cpu'}`, kind: 'infer', model: 'text',
      name: `${MODEL_NAMES.text} inference samples/s vs ${lbl}`, unit: 'samples/s', better: 'higher', peerName: lbl,
      simdnet: inferS, peer: pOk ? p[key].samplesPerSec : null,
      note: [note, pOk && key === 'inferCpu' ? `TF.js cpu: ${p.inferCpu.samples} samples, one run` : null, pOk && key === 'inferWasm' ? 'TF.js wasm runs the weights TF.js cpu trained' : null].filter(Boolean).join('; ') || undefined,
    });
  }
  addRow({
    group: 'e2e', id: 'text-accuracy-tfjs', kind: 'accuracy', model: 'text',
    name: `${MODEL_NAMES.text} test accuracy vs TF.js cpu`, after: `${sOk ? s.accuracyAfter : 'n/a'} (TF.js cpu: ${pOk ? p.accuracyAfter : 'n/a'}, evaluated on wasm)`,
    unit: 'accuracy', better: 'higher', peerName: 'TF.js cpu', simdnet: sOk ? s.testAccuracy : null, peer: pOk ? p.testAccuracy : null,
    diffPoints: sOk && pOk ? 100 * (s.testAccuracy - p.testAccuracy) : null, testSamples: sOk ? s.testSamples : null,
    note: `after unequal step counts (simdnet ${sOk ? s.accuracyAfter : 'n/a'}, TF.js cpu ${pOk ? p.accuracyAfter : 'n/a'}): not a like-for-like accuracy comparison`,
  });
  addRow({
    group: 'e2e', id: 'text-rss-tfjs', kind: 'rss', model: 'text',
    name: `${MODEL_NAMES.text} peak RSS vs TF.js (cpu + wasm)`, unit: 'MiB', better: 'lower', peerName: 'TF.js cpu',
    simdnet: sOk ? s.peakRssMB : null, peer: pOk ? p.peakRssMB : null,
  });
}

/**
 * The BatchNormalization layers' share of simdnet's training step (forward + backward of every
 * BN layer, from the per-layer profile of the first simdnet run), printed and returned.
 */
function bnShare(r) {
  const parts = r?.profile?.parts;
  if (!parts) return null;
  const bn = parts.filter((p) => /\(BatchNormalization\)/.test(p.name));
  const ms = bn.reduce((t, p) => t + p.msPerStep, 0);
  const share = { msPerStep: r.profile.msPerStep, bnMsPerStep: ms, pct: (100 * ms) / r.profile.msPerStep, parts: bn, steps: r.profile.steps };
  log(`  BatchNormalization layers: ${ms.toFixed(3)} of ${r.profile.msPerStep.toFixed(3)} ms per training step = ${share.pct.toFixed(1)}% (target ≤ 15%; per-layer profile of ${r.profile.steps} steps)`);
  for (const p of parts) log(`    ${p.name.padEnd(60)} ${p.msPerStep.toFixed(3).padStart(8)} ms ${p.pct.toFixed(1).padStart(5)}%`);
  return share;
}

function avg2(a, b, f) {
  const xs = [a, b].map((r) => (r && !r.error && !r.skipped ? f(r) : NaN)).filter(Number.isFinite);
  return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null;
}

function e2eRows(model, res) {
  const M = MODEL_NAMES[model];
  const s = res.simdnet;
  const sOk = !s.error && !s.skipped;
  const trainS = avg2(res.simdnet, res.simdnet2, (r) => r.train.samplesPerSec);
  const inferS = avg2(res.simdnet, res.simdnet2, (r) => r.infer.samplesPerSec);
  const note = s.skipped ?? s.error?.split('\n')[0];
  for (const peer of ['tfjs', 'convnetjs'].filter((q) => res[q])) {
    const p = res[peer];
    const pOk = p && !p.error && !p.skipped;
    const lbl = LIBS[peer].label;
    // A recurrent model TF.js wasm could not train: its training row is TF.js cpu's.
    const cpuTrain = peer === 'tfjs' && p?.trainBackend === 'cpu';
    const trainLbl = cpuTrain ? 'TF.js cpu' : lbl;
    const notes = [note, p?.error?.split('\n')[0], cpuTrain ? `TF.js wasm cannot train this model (${p.trainFallback}); TF.js cpu trained it` : null, peer === 'tfjs' && CONV_MODELS.includes(model) && p?.filterGradWorkaround ? 'TF.js trains only with the bench\'s Conv2DBackpropFilter workaround' : null, peer === 'convnetjs' ? 'Adam applied by the bench (ConvNetJS 0.3.0 has none)' : null, pOk && p.train.mode !== (sOk ? s.train.mode : p.train.mode) ? `${lbl}: ${p.train.mode}` : null].filter(Boolean).join('; ');
    addRow({
      group: 'e2e', id: `${model}-train-${peer}`, target: `${model}-train-${peer}`, kind: 'train', model,
      name: `${M} training samples/s vs ${trainLbl}`, mode: sOk ? s.train.mode : null, unit: 'samples/s', better: 'higher', peerName: trainLbl,
      simdnet: trainS, peer: pOk ? p.train.samplesPerSec : null, note: notes || undefined,
    });
    addRow({
      group: 'e2e', id: `${model}-infer-${peer}`, target: `${model}-infer-${peer}`, kind: 'infer', model,
      name: `${M} inference samples/s vs ${lbl}`, unit: 'samples/s', better: 'higher', peerName: lbl,
      simdnet: inferS, peer: pOk ? p.infer.samplesPerSec : null, note: [note, peer === 'convnetjs' ? 'ConvNetJS: one sample at a time' : null].filter(Boolean).join('; ') || undefined,
    });
    // Against TF.js: the mean over the accuracy seeds when there are several (both libraries
    // ran every seed; a failed run drops that seed for both).
    const runs = peer === 'tfjs' && res.accuracy ? res.accuracy : { simdnet: [s], [peer]: [p] };
    const seeds = runs.simdnet.map((r, i) => [r, runs[peer][i]]).filter(([a, b]) => a && b && !a.error && !a.skipped && !b.error && !b.skipped);
    const mean = (i) => (seeds.length ? seeds.reduce((t, pair) => t + pair[i].testAccuracy, 0) / seeds.length : null);
    const accS = sOk && seeds.length ? mean(0) : null;
    const accPeer = pOk && seeds.length ? mean(1) : null;
    const bySeed = seeds.length > 1 ? seeds.map(([a, b]) => ({ seed: a.seed, simdnet: a.testAccuracy, peer: b.testAccuracy })) : undefined;
    addRow({
      group: 'e2e', id: `${model}-accuracy-${peer}`, kind: 'accuracy', model,
      name: `${M} test accuracy vs ${lbl}`, after: `${sOk ? s.accuracyAfter : 'n/a'} (${lbl}: ${pOk ? p.accuracyAfter : 'n/a'})`,
      unit: 'accuracy', better: 'higher', peerName: lbl, simdnet: accS, peer: accPeer,
      diffPoints: accS !== null && accPeer !== null ? 100 * (accS - accPeer) : null,
      // The issue's accuracy targets (within 0.5 points of TF.js) are the MLP's and the CNN's.
      accuracyTargetMet: TFJS_ONLY.includes(model) ? undefined : peer === 'tfjs' && accS !== null && accPeer !== null && s.accuracyAfter === 'one epoch' && p.accuracyAfter === 'one epoch' ? 100 * (accS - accPeer) >= -0.5 : null,
      testSamples: sOk ? s.testSamples : null,
      bySeed,
      note: bySeed ? `mean of ${bySeed.length} seeds; per seed (simdnet / ${lbl}): ${bySeed.map((b) => `${b.seed}: ${(100 * b.simdnet).toFixed(2)} / ${(100 * b.peer).toFixed(2)}`).join(', ')}` : undefined,
    });
    addRow({
      group: 'e2e', id: `${model}-rss-${peer}`, kind: 'rss', model,
      name: `${M} peak RSS vs ${lbl}`, unit: 'MiB', better: 'lower', peerName: lbl,
      simdnet: sOk ? s.peakRssMB : null, peer: pOk ? p.peakRssMB : null,
    });
  }
  if (!res.onnx) return;
  const o = res.onnx;
  const oOk = o && !o.error && !o.skipped;
  addRow({
    group: 'e2e', id: `${model}-infer-onnx`, target: `${model}-infer-onnx`, kind: 'infer', model,
    name: `${M} inference samples/s vs onnxruntime-web`, unit: 'samples/s', better: 'higher', peerName: 'onnxruntime-web',
    simdnet: inferS, peer: oOk ? o.infer.samplesPerSec : null,
    note: [note, o?.error?.split('\n')[0], oOk && Math.abs(o.testAccuracy - o.simdnetAccuracy) > 1e-3 ? `ONNX model accuracy ${o.testAccuracy} ≠ simdnet ${o.simdnetAccuracy}` : null].filter(Boolean).join('; ') || undefined,
    onnxAccuracy: oOk ? o.testAccuracy : null,
  });
  const cold = (lib) => median(res.cold[lib].filter((r) => !r.error && !r.skipped).map((r) => r.coldStartMs));
  for (const peer of ['tfjs', 'convnetjs', 'onnx']) {
    addRow({
      group: 'e2e', id: `${model}-cold-${peer}`, kind: 'cold', model,
      name: `${M} cold start vs ${LIBS[peer].label}`, unit: 'ms', better: 'lower', peerName: LIBS[peer].label,
      simdnet: Number.isFinite(cold('simdnet')) ? cold('simdnet') : null, peer: Number.isFinite(cold(peer)) ? cold(peer) : null,
      note: peer === 'onnx' ? 'ONNX: session from a file on disk' : undefined,
    });
  }
}

// ------------------------------------------------------------------------------ main

const out = {
  date: new Date().toISOString(),
  mode,
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, os: `${os.type()} ${os.release()} ${os.arch()}`, totalMemGiB: +(os.totalmem() / 2 ** 30).toFixed(1), loadAvgStart: os.loadavg(), pinnedCpu: pinned?.cpu ?? null, peakPerCpu: pinned?.peaks ?? null },
  runtime: { node: process.version, v8: process.versions.v8 },
  versions: {},
  notes: [
    'ratio > 1 means simdnet is better: simdnet/peer for throughput (GFLOP/s, samples/s, accuracy), peer/simdnet for times (ms) and memory (MiB).',
    'All libraries single-threaded (TF.js wasm has no threads in Node; onnxruntime-web numThreads = 1; simdnet default init()).',
    'Machine shared and noisy: compare ratios from one run, not absolute figures across runs.',
    pinned
      ? `Every process of the run (this one, each library's child) pinned to cpu ${pinned.cpu} with taskset: the core with the highest register-only peak at the start (${Object.entries(pinned.peaks).map(([c, g]) => `cpu ${c} ${g}`).join(', ')} GFLOP/s), so all libraries share one core.`
      : 'Processes not pinned to a core (no taskset, or --no-pin): each library may have run on a different core.',
  ],
};
{
  const sim = await import('./simdnet.mjs');
  const cnj = await import('./peers/convnetjs.mjs');
  const onnx = await import('./peers/onnx.mjs');
  const tfv = await import('./peers/tfjs.mjs');
  out.versions = { simdnet: sim.version(), ...tfv.versions(), ...cnj.versions(), ...onnx.versions() };
}
log(`simdnet vs peers — ${mode} run, Node ${process.version}, ${out.machine.cpu}, ${out.machine.cores} cores, load ${out.machine.loadAvgStart.map((x) => x.toFixed(2)).join(' ')}`);
if (!flag('--skip-kernels')) await kernels(out);
if (!flag('--skip-e2e')) await e2e(out);
out.machine.loadAvgEnd = os.loadavg();
out.rows = rows;
out.seconds = (now() - t0Run) / 1000;
const missed = rows.filter((r) => r.targetMet === false).map((r) => `${r.name}: ${r.ratio?.toFixed(2)}x < ${r.targetRatio}x`);
out.summary = { rows: rows.length, targetsMet: rows.filter((r) => r.targetMet === true).length, targetsMissed: missed.length };
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, JSON.stringify(out, null, 2) + '\n');
log(`\n${rows.length} rows in ${out.seconds.toFixed(0)} s; targets met ${out.summary.targetsMet}, missed ${missed.length}${missed.length ? ':\n  ' + missed.join('\n  ') : ''}`);
log(`wrote ${path.relative(root, outFile)}`);
if (!flag('--no-report')) {
  const { report } = await import('./report.mjs');
  const w = await report({ input: outFile });
  for (const f of w) log(`wrote ${path.relative(root, f)}`);
}
process.exit(0);
