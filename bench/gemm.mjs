// GEMM throughput (GFLOP/s) of the three layouts, next to the register-only SIMD peak measured
// in the same process. The kernels, the peak probe and the timing are the shipped kernel bench's
// (`bench` from dist/index.js: src/bench/); what this file adds is the pairing of every GEMM
// sample with a peak sample, which bench/compare.mjs and bench/run.mjs report. `library` and
// `useBinary` below are how bench/conv.mjs loads the binary too: there is no private loader.
// A private build of the binary (while a kernel family is developed): --binary FILE, or
// SIMDNET_WASM_FILE / SIMDNET_RELAXED_WASM_FILE. Always one thread.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const distIndex = path.join(root, 'dist/index.js');

let sn = null;
/** dist/index.js (the package as users get it). */
export async function library() {
  if (!fs.existsSync(distIndex)) throw new Error('dist/index.js is missing: run `node build.mjs` first');
  return (sn ??= await import(pathToFileURL(distIndex).href));
}

let loaded = null;
/**
 * Loads the binary the cases below run on: `file` (a build of the binary) or the package's own
 * `variant`, unless it is the one already loaded. Returns the library and the file (or variant).
 */
export async function useBinary({ variant = 'baseline', file } = {}) {
  const lib = await library();
  const override = file ?? (variant === 'relaxed' ? process.env.SIMDNET_RELAXED_WASM_FILE : process.env.SIMDNET_WASM_FILE);
  const key = override ? path.resolve(override) : `inline:${variant}`;
  if (loaded !== key) {
    if (variant === 'relaxed') await lib.bench.peakProbe(true, 1); // switches Node 20's relaxed-SIMD flag on
    await lib.init(override ? { wasm: fs.readFileSync(key), threads: 1 } : { variant, threads: 1 });
    loaded = key;
  }
  return { lib, binary: override ? path.relative(root, key) : `${variant} (dist/index.js)` };
}

/** (M, K, N): two dense-layer shapes from an MNIST MLP (batch 64/128, 784 → 128), then squares. */
export const SHAPES = [
  [64, 784, 128],
  [128, 784, 128],
  [256, 256, 256],
  [512, 512, 512],
  [1024, 1024, 1024],
];
export const QUICK_SHAPES = [
  [64, 784, 128],
  [256, 256, 256],
  [512, 512, 512],
];
export const LAYOUTS = ['nn', 'nt', 'tn'];

/** Seconds per call over one sample of `calls` calls. */
function sample(fn, calls) {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) fn();
  return (performance.now() - t0) / 1000 / calls;
}

/** Calls of fn that make one sample of at least minMs, after ≥ warmMs of warm-up. */
async function calibrated(fn, minMs, warmMs = 150) {
  const { bench } = await library();
  const tw = performance.now();
  do fn();
  while (performance.now() - tw < warmMs);
  return bench.calibrate(fn, minMs);
}

/** The register-only peak probe (src/bench/peak.ts) as { run, flops }. */
export async function loadPeak(variant) {
  const { bench } = await library();
  return bench.peakProbe(variant === 'relaxed');
}

/**
 * Register-only peak in GFLOP/s: the best sample (a slow sample measures the neighbours on a
 * shared machine, not the core) and the median.
 */
export async function measurePeak(variant, { samples = 9, minMs = 50 } = {}) {
  const { bench } = await library();
  const { run, flops } = await loadPeak(variant);
  const t = bench.time(run, { samples, minMs, warmMs: 150 });
  return { best: flops / t.min / 1e9, median: flops / t.median / 1e9 };
}

/**
 * Median GFLOP/s of gemm_{nn,nt,tn}_f32 for each (M, K, N). C accumulates across calls, which
 * changes nothing about the work done. Each GEMM sample is paired with a sample of the peak
 * kernel taken right after it, so `pctPeak` (median of the per-pair ratios) stays meaningful
 * while neighbours load the shared machine; `pctBest` compares the fastest sample of each
 * (the ones no neighbour interrupted). `wasmFile` measures another build of the binary.
 */
export async function benchGemm({ variant = 'baseline', wasmFile, shapes = SHAPES, samples = 7, minMs = 60, log = () => {} } = {}) {
  const { lib, binary } = await useBinary({ variant, file: wasmFile });
  const { bench } = lib;
  const peak = await loadPeak(variant);
  const peakCalls = await calibrated(peak.run, minMs);
  const results = [];
  for (const [m, k, n] of shapes) {
    for (const layout of LAYOUTS) {
      const c = bench.gemmCase(layout, m, k, n);
      const p = bench.prepare(c);
      try {
        const calls = await calibrated(p.run, minMs);
        const g = [];
        const pk = [];
        for (let s = 0; s < samples; s++) {
          g.push(c.flops / sample(p.run, calls) / 1e9);
          pk.push(peak.flops / sample(peak.run, peakCalls) / 1e9);
        }
        const r = {
          m, k, n, layout,
          gflops: bench.median(g),
          best: Math.max(...g),
          peak: bench.median(pk),
          peakBest: Math.max(...pk),
          pctPeak: 100 * bench.median(g.map((x, i) => x / pk[i])),
          pctBest: (100 * Math.max(...g)) / Math.max(...pk),
        };
        results.push(r);
        log(r);
      } finally {
        p.release();
      }
    }
  }
  return { file: binary, results };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  console.error('bench/gemm.mjs is a module: run `node bench/run.mjs` (or `npx simdnet bench --kernels gemm`)');
  process.exit(2);
}
