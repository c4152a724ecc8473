// Conv2D throughput (GFLOP/s): forward, backward-dx (only dx wanted) and backward-dW (only dW
// wanted) at the standard shapes, next to the register-only SIMD peak measured in the same
// process. The cases, their flop counts and the timing are the shipped kernel bench's (`bench`
// from dist/index.js, loaded as bench/gemm.mjs loads it); `node bench/conv.mjs [--quick] [--binary FILE]`.
// A pass counts 2 flops per multiply-add of a tap inside the input (padding is not work).
import path from 'node:path';
import { library, useBinary } from './gemm.mjs';

/** batch, inH, inW, inC → outC, kernel k x k, 'same' padding, stride 1 (the shipped list). */
export const CONV_SHAPES = (await library()).bench.catalogue({ quick: false, families: ['conv'] })
  .filter((c) => c.kernel === 'conv2d_forward_f32')
  .map((c) => ({ ...c.dims, ...(c.shape.includes(': ') ? { label: c.shape.split(': ')[0] } : {}) }));

const PASSES = { forward: 'forward', 'backward-dx': 'dx', 'backward-dW': 'dW' };

/**
 * One shape's three passes on the loaded binary: { shape, flops, passes, release } with
 * passes.forward / ['backward-dx'] / ['backward-dW'] each one call of the kernel.
 * `wasmFile` (or SIMDNET_WASM_FILE) picks another build of the binary.
 */
export async function convCase(s, { wasmFile } = {}) {
  const { lib } = await useBinary({ variant: 'baseline', file: wasmFile });
  const { bench } = lib;
  const dims = { stride: 1, ...s };
  delete dims.label;
  const cases = Object.entries(PASSES).map(([name, pass]) => [name, bench.convCase(pass, dims, s.label)]);
  const prepared = cases.map(([name, c]) => [name, bench.prepare(c)]);
  return {
    shape: cases[0][1].shape,
    flops: cases[0][1].flops,
    passes: Object.fromEntries(prepared.map(([name, p]) => [name, p.run])),
    release: () => prepared.forEach(([, p]) => p.release()),
  };
}

/** Median GFLOP/s per shape and pass. Returns rows { shape, pass, gflops, best, ms }. */
export async function benchConv({ quick = false, wasmFile, shapes = CONV_SHAPES, log = () => {} } = {}) {
  const { bench } = await library();
  const timing = { samples: quick ? 3 : 7, minMs: quick ? 40 : 100, warmMs: 50 };
  const rows = [];
  for (const s of shapes) {
    const c = await convCase(s, { wasmFile });
    try {
      for (const [pass, fn] of Object.entries(c.passes)) {
        const t = bench.time(fn, timing);
        const row = { shape: c.shape, pass, gflops: c.flops / t.median / 1e9, best: c.flops / t.min / 1e9, ms: t.median * 1e3 };
        rows.push(row);
        log(row);
      }
    } finally {
      c.release();
    }
  }
  return rows;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const i = args.indexOf('--binary');
  const wasmFile = i >= 0 ? args[i + 1] : undefined;
  const { measurePeak } = await import('./gemm.mjs');
  // Measured twice (the machine is shared): a ceiling, so the best sample is the estimate.
  const peakOf = async () => (await measurePeak('baseline', { samples: quick ? 3 : 7 })).best;
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
  console.log(`register-only SIMD peak: ${peak.toFixed(1)} GFLOP/s (before ${peak0.toFixed(1)}, after ${peak1.toFixed(1)})`);
  for (const r of rows) console.log(`  ${r.shape.padEnd(48)} ${pad(r.pass, 11)} ${pad(((100 * r.gflops) / peak).toFixed(0), 4)}% of peak`);
}
