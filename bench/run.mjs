#!/usr/bin/env node
// `npm run bench:gemm`: GEMM throughput of the wasm binary with every sample paired with a
// register-only peak sample, printed as a table and written as JSON under bench/results/. The
// kernels, probe and timing are the shipped kernel bench's (bench/gemm.mjs over `bench` from
// dist/index.js); `npx simdnet bench` is the same bench for every kernel family and runtime.
//   --quick              fewer shapes and repetitions
//   --variant relaxed    the relaxed-SIMD (FMA) binary (Node 20: switched on at run time)
//   --binary FILE        another build of the binary (e.g. a private one while developing)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchGemm, measurePeak, QUICK_SHAPES, SHAPES } from './gemm.mjs';
import { args, opt, root } from './peers/common.mjs';

const quick = args.includes('--quick');
const variant = opt('--variant', 'baseline');
if (!['baseline', 'relaxed'].includes(variant)) throw new Error(`--variant must be baseline or relaxed, not ${variant}`);
const wasmFile = opt('--binary', undefined);
const samples = quick ? 3 : 9;

const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores`;
console.log(`simdnet GEMM bench — ${variant} binary, Node ${process.version}, ${machine}`);

const fmtPeak = (p) => `best ${p.best.toFixed(1)}, median ${p.median.toFixed(1)} GFLOP/s`;
const peakBefore = await measurePeak(variant, { samples: samples + 2 });
console.log(`register-only SIMD peak: ${fmtPeak(peakBefore)}`);
const pad = (s, w) => String(s).padStart(w);
console.log(
  `${pad('M', 5)} ${pad('K', 5)} ${pad('N', 5)} ${pad('layout', 6)} ${pad('median', 7)} ${pad('best', 6)} ` +
    `${pad('peak', 6)} ${pad('pbest', 6)} ${pad('%peak', 6)} ${pad('%best', 6)}`,
);
const { file, results } = await benchGemm({
  variant,
  wasmFile,
  shapes: quick ? QUICK_SHAPES : SHAPES,
  samples,
  minMs: quick ? 30 : 60,
  log: (r) =>
    console.log(
      `${pad(r.m, 5)} ${pad(r.k, 5)} ${pad(r.n, 5)} ${pad(r.layout, 6)} ${pad(r.gflops.toFixed(1), 7)} ${pad(r.best.toFixed(1), 6)} ` +
        `${pad(r.peak.toFixed(1), 6)} ${pad(r.peakBest.toFixed(1), 6)} ${pad(r.pctPeak.toFixed(0), 5)}% ${pad(r.pctBest.toFixed(0), 5)}%`,
    ),
});
const peakAfter = await measurePeak(variant, { samples: samples + 2 });
const peak = Math.max(peakBefore.best, peakAfter.best);
console.log(`register-only SIMD peak: ${fmtPeak(peakAfter)} (after the GEMMs)`);

// Per row, `peak`/`pbest` are the median/fastest samples of the peak kernel taken between that
// row's GEMM samples; %peak is the median ratio of each GEMM sample to the peak sample right
// after it, %best the fastest GEMM sample over the fastest peak sample (both robust to
// neighbours on a shared machine, which slow the medians).
console.log('\nGFLOP/s, median / best sample, and % of the register-only peak sampled alongside (median ratio / best vs best)');
console.log(`| (M, K, N) | nn | nt | tn |`);
console.log(`|---|---|---|---|`);
const keys = [...new Set(results.map((r) => `${r.m},${r.k},${r.n}`))];
for (const key of keys) {
  const row = results.filter((r) => `${r.m},${r.k},${r.n}` === key);
  const cell = (l) => {
    const r = row.find((x) => x.layout === l);
    return `${r.gflops.toFixed(1)} / ${r.best.toFixed(1)} (${r.pctPeak.toFixed(0)}% / ${r.pctBest.toFixed(0)}%)`;
  };
  console.log(`| (${key.replaceAll(',', ', ')}) | ${cell('nn')} | ${cell('nt')} | ${cell('tn')} |`);
}

const out = path.join(root, 'bench/results', variant === 'baseline' ? 'gemm.json' : `gemm.${variant}.json`);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      node: process.version,
      machine,
      variant,
      binary: file,
      quick,
      peakGflops: { before: peakBefore, after: peakAfter, used: peak },
      note:
        'gflops: median GEMM sample; best: fastest sample; peak: median of the peak-kernel samples taken between ' +
        'the GEMM samples (peakBest: fastest); pctPeak: median ratio of each GEMM sample to the peak sample right ' +
        'after it; pctBest: best / peakBest',
      results,
    },
    null,
    2,
  ) + '\n',
);
console.log(`\nwrote ${path.relative(root, out)}`);
