// Conv2D throughput (GFLOP/s): forward, backward-dx (only dx wanted) and backward-dW (only dW
// wanted) at the issue's three shapes, next to the register-only SIMD peak measured in the same
// process. Plain ESM so `node bench/conv.mjs [--quick] [--binary FILE]` runs it without a
// compile step; it loads the binary directly (scripts/load-binary.mjs, no host library).
// A pass counts 2·batch·outH·outW·outC·kH·kW·inC flops.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { median } from './peers/common.mjs';
import { loadBinary } from '../scripts/load-binary.mjs';

/** batch, inH, inW, inC → outC, kernel k x k, 'same' padding, stride 1. */
export const CONV_SHAPES = [
  { batch: 32, inH: 28, inW: 28, inC: 1, outC: 8, k: 5 },
  { batch: 32, inH: 14, inW: 14, inC: 16, outC: 32, k: 3 },
  { batch: 8, inH: 56, inW: 56, inC: 32, outC: 64, k: 3 },
  // The MNIST CNN's second layer (conv(16, 5x5, same) after a 2x2 pool of conv(8)).
  { batch: 64, inH: 14, inW: 14, inC: 8, outC: 16, k: 5, label: 'mnist cnn conv2' },
];


/** Seconds per call: one warm-up call, then `samples` samples of ≥ minMs each. */
function time(fn, samples, minMs) {
  fn();
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    const dt = performance.now() - t0;
    if (dt >= minMs) break;
    calls = Math.max(calls * 2, Math.ceil((calls * minMs * 1.2) / Math.max(dt, 0.01)));
  }
  const out = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    out.push((performance.now() - t0) / 1000 / calls);
  }
  return out;
}

/**
 * One shape's three passes on a fresh instance of the binary: { shape, flops, passes } with
 * passes.forward / ['backward-dx'] / ['backward-dW'] each one call of the kernel.
 * `wasmFile` (or SIMDNET_WASM_FILE) picks another build of the binary.
 */
export async function convCase(s, { wasmFile } = {}) {
  const { exports: ex, memory } = loadBinary(wasmFile ? { file: wasmFile } : { variant: 'baseline' });
  const conv2dWorkspaceBytes = (...a) => ex.conv2d_workspace_bytes(...a); // the binary's own layouts
  const base = (ex.heap_base() + 63) & ~63;
  const { batch, inH, inW, inC, outC, k } = s;
  const outH = inH;
  const outW = inW;
  const pad = Math.floor((k - 1) / 2); // 'same', stride 1: the odd pad goes bottom/right
  const nx = batch * inH * inW * inC;
  const nw = k * k * inC * outC;
  const ny = batch * outH * outW * outC;
  const wsBytes = conv2dWorkspaceBytes(batch, inH, inW, inC, outH, outW, outC, k, k);
  let top = base;
  const alloc = (bytes) => {
    const p = top;
    top += (bytes + 63) & ~63;
    return p;
  };
  const need = 4 * (2 * nx + 2 * nw + 2 * ny + 2 * outC) + wsBytes + 64 * 16;
  const have = memory.buffer.byteLength;
  if (base + need > have) memory.grow(Math.ceil((base + need - have) / 65536));
  const x = alloc(4 * nx), dx = alloc(4 * nx), w = alloc(4 * nw), dw = alloc(4 * nw);
  const b = alloc(4 * outC), y = alloc(4 * ny), dy = alloc(4 * ny), ws = alloc(wsBytes);
  const f32 = new Float32Array(memory.buffer);
  const fill = (p, n) => {
    for (let i = 0; i < n; i++) f32[(p >> 2) + i] = Math.random() * 2 - 1;
  };
  fill(x, nx);
  fill(w, nw);
  fill(b, outC);
  fill(dy, ny);
  f32.fill(0, dx >> 2, (dx >> 2) + nx);
  f32.fill(0, dw >> 2, (dw >> 2) + nw);
  const hp = [batch, inH, inW, inC, outH, outW, outC, k, k, 1, 1, 1, 1, pad, pad];
  return {
    shape: `${s.label ? `${s.label}: ` : ''}${batch}x${inH}x${inW}x${inC} → ${outC} ${k}x${k} same`,
    flops: 2 * batch * outH * outW * outC * k * k * inC,
    passes: {
      forward: () => ex.conv2d_forward_f32(y, x, w, b, ws, ...hp, 0),
      'backward-dx': () => ex.conv2d_backward_f32(dx, 0, 0, dy, x, w, ws, ...hp),
      'backward-dW': () => ex.conv2d_backward_f32(0, dw, 0, dy, x, w, ws, ...hp),
    },
  };
}

/** Median GFLOP/s per shape and pass. Returns rows { shape, pass, gflops, best, ms }. */
export async function benchConv({ quick = false, wasmFile, shapes = CONV_SHAPES, log = () => {} } = {}) {
  const samples = quick ? 3 : 7;
  const minMs = quick ? 40 : 100;
  const rows = [];
  for (const s of shapes) {
    const c = await convCase(s, { wasmFile });
    for (const [pass, fn] of Object.entries(c.passes)) {
      const secs = time(fn, samples, minMs);
      const row = { shape: c.shape, pass, gflops: c.flops / median(secs) / 1e9, best: c.flops / Math.min(...secs) / 1e9, ms: median(secs) * 1e3 };
      rows.push(row);
      log(row);
    }
  }
  return rows;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const i = args.indexOf('--binary');
  const wasmFile = i >= 0 ? args[i + 1] : undefined;
  // The register-only peak comes from the GEMM bench when it is there (measured twice: the
  // machine is shared, so take the larger).
  let measurePeak = null;
  try {
    ({ measurePeak } = await import('./gemm.mjs'));
  } catch {}
  // measurePeak returns GFLOP/s or { best, median }: a ceiling, so the best sample is the estimate.
  const peakOf = async () => {
    if (!measurePeak) return NaN;
    const p = await measurePeak('baseline', { samples: quick ? 3 : 7 }).catch(() => NaN);
    return typeof p === 'number' ? p : (p?.best ?? p?.median ?? NaN);
  };
  const peak0 = await peakOf();
  const pad = (s, n) => String(s).padStart(n);
  console.log(`${'shape'.padEnd(48)} ${pad('pass', 11)} ${pad('GFLOP/s', 8)} ${pad('best', 6)} ${pad('ms', 8)}`);
  const rows = await benchConv({
    quick,
    wasmFile,
    log: (r) => console.log(`${r.shape.padEnd(48)} ${pad(r.pass, 11)} ${pad(r.gflops.toFixed(1), 8)} ${pad(r.best.toFixed(1), 6)} ${pad(r.ms.toFixed(2), 8)}`),
  });
  const peak1 = await peakOf();
  const peak = Math.max(peak0, peak1);
  if (Number.isFinite(peak)) {
    console.log(`register-only SIMD peak: ${peak.toFixed(1)} GFLOP/s (before ${peak0.toFixed(1)}, after ${peak1.toFixed(1)})`);
    for (const r of rows) console.log(`  ${r.shape.padEnd(48)} ${pad(r.pass, 11)} ${pad(((100 * r.gflops) / peak).toFixed(0), 4)}% of peak`);
  }
}
