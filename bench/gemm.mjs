// GEMM throughput (GFLOP/s) of the three layouts, next to the register-only SIMD peak measured
// in the same process. Plain ESM so `node` runs it without a compile step; it loads the binary
// directly (scripts/load-binary.mjs, no host library involved) with an imported memory.
import asc from 'assemblyscript/asc';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from './peers/common.mjs';
import { acceptsWasm, binaryPath, loadBinary } from '../scripts/load-binary.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

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

const PEAK = { baseline: 'build/peak.wasm', relaxed: 'build/peak.relaxed.wasm' };

/** Node 20 refuses relaxed SIMD unless V8's flag is on: the loader switches it on at run time. */
export { acceptsWasm };

/** Compiles bench/peak.ts into build/peak*.wasm when the source is newer than the binary. */
async function buildPeak(variant) {
  const out = path.join(root, PEAK[variant]);
  const src = path.join(root, 'bench/peak.ts');
  if (fs.existsSync(out) && fs.statSync(out).mtimeMs >= fs.statSync(src).mtimeMs) return out;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  // baseDir bench/: paths relative to this folder, whatever the working directory.
  const argv = ['peak.ts', '--baseDir', path.join(root, 'bench'), '--runtime', 'stub', '--enable', 'simd',
    '-O3', '--noAssert', '--use', 'abort=', '--outFile', path.relative(path.join(root, 'bench'), out)];
  if (variant === 'relaxed') argv.push('--enable', 'relaxed-simd');
  const { error, stderr } = await asc.main(argv, { stdout: process.stdout });
  if (error) throw new Error(`asc failed for bench/peak.ts: ${error.message}\n${stderr.toString()}`);
  return out;
}

/** Calls of fn that make one sample of at least minMs, after ≥ warmMs of warm-up (V8 first runs
 * wasm in its baseline compiler and tiers up to the optimising one in the background). */
function calibrate(fn, minMs, warmMs = 150) {
  const tw = performance.now();
  do fn();
  while (performance.now() - tw < warmMs);
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    const dt = performance.now() - t0;
    if (dt >= minMs) return calls;
    calls = Math.max(calls * 2, Math.ceil((calls * minMs * 1.2) / Math.max(dt, 0.01)));
  }
}
function sample(fn, calls) {
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) fn();
  return (performance.now() - t0) / 1000 / calls;
}

/** The register-only peak kernel (bench/peak.ts) as { run, flops }. */
export async function loadPeak(variant) {
  const { peak } = loadBinary({ file: await buildPeak(variant) }).exports;
  const iters = 100_000;
  return { run: () => peak(iters, 0.999, 0.001), flops: 96 * iters };
}

/**
 * Register-only peak in GFLOP/s: the best sample (a slow sample measures the neighbours on a
 * shared machine, not the core) and the median.
 */
export async function measurePeak(variant, { samples = 9, minMs = 50 } = {}) {
  const { run, flops } = await loadPeak(variant);
  const calls = calibrate(run, minMs);
  const g = Array.from({ length: samples }, () => flops / sample(run, calls) / 1e9);
  return { best: Math.max(...g), median: median(g) };
}

/**
 * Median GFLOP/s of gemm_{nn,nt,tn}_f32 for each (M, K, N). C accumulates across calls, which
 * changes nothing about the work done. Each GEMM sample is paired with a sample of the peak
 * kernel taken right after it, so `pctPeak` (median of the per-pair ratios) stays meaningful
 * while neighbours load the shared machine; `pctBest` compares the fastest sample of each
 * (the ones no neighbour interrupted).
 */
export async function benchGemm({ variant = 'baseline', wasmFile, shapes = SHAPES, samples = 7, minMs = 60, log = () => {} } = {}) {
  const peak = await loadPeak(variant);
  const peakCalls = calibrate(peak.run, minMs);
  const file = wasmFile ? path.resolve(wasmFile) : binaryPath(variant);
  const { exports: ex, memory } = loadBinary({ file });
  // The binary reports the workspace its GEMMs need (its own micro-tile and blocking).
  const gemmWorkspaceBytes = (m, n, k) => ex.gemm_workspace_bytes(m, n, k);
  const maxBytes = Math.max(...shapes.map(([m, k, n]) => 4 * (m * k + k * n + m * n) + gemmWorkspaceBytes(m, n, k) + 4096));
  const base = (ex.heap_base() + 63) & ~63;
  memory.grow(Math.ceil((base + maxBytes) / 65536));
  const results = [];
  for (const [m, k, n] of shapes) {
    let top = base;
    const alloc = (floats) => {
      const p = top;
      top += (floats * 4 + 63) & ~63;
      return p;
    };
    const a = alloc(m * k);
    const b = alloc(k * n);
    const c = alloc(m * n);
    const ws = alloc(gemmWorkspaceBytes(m, n, k) / 4);
    const f32 = new Float32Array(memory.buffer);
    for (let i = 0; i < m * k; i++) f32[(a >> 2) + i] = Math.random() * 2 - 1;
    for (let i = 0; i < k * n; i++) f32[(b >> 2) + i] = Math.random() * 2 - 1;
    f32.fill(0, c >> 2, (c >> 2) + m * n);
    for (const layout of LAYOUTS) {
      const gemm = ex[`gemm_${layout}_f32`];
      const fn = () => gemm(c, a, b, ws, m, n, k);
      const calls = calibrate(fn, minMs);
      const g = [];
      const pk = [];
      for (let s = 0; s < samples; s++) {
        g.push((2 * m * n * k) / sample(fn, calls) / 1e9);
        pk.push(peak.flops / sample(peak.run, peakCalls) / 1e9);
      }
      const r = {
        m, k, n, layout,
        gflops: median(g),
        best: Math.max(...g),
        peak: median(pk),
        peakBest: Math.max(...pk),
        pctPeak: 100 * median(g.map((x, i) => x / pk[i])),
        pctBest: (100 * Math.max(...g)) / Math.max(...pk),
      };
      results.push(r);
      log(r);
    }
  }
  return { file: path.relative(root, file), results };
}
