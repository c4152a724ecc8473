// The shipped kernel bench (src/bench/, `simdnet bench`): every row's work count against a naive
// count of the kernel's definition on small shapes (so its GFLOP/s and GB/s are honest), the peak
// probe's module, a tiny run of every kernel family through bench.run, option errors, the
// reports, and the command (--json next to .md/.svg, --compare, --runtimes deno). No timing
// assertions: the tool measures, the tests check what it counts and reports.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bench } from '../../src/index.ts';
import { backend } from '../../src/wasm/loader.ts';
import {
  catalogue, gemmCase, convCase, poolCase, actCase, softmaxCase, optimCase, copyCase, convGeometry, poolOut, FAMILIES,
  type Case, type ConvDims, type PoolDims, type PoolKernel, type ActKernel, type OptimKernel,
} from '../../src/bench/kernels.ts';
import { peakModuleBytes, peakProbe, PEAK_CHAINS } from '../../src/bench/peak.ts';
import type { BenchResult, BenchRow } from '../../src/bench/run.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const exec = promisify(execFile);

// ------------------------------------------------------------------------------------ naive counts

/** Flops of C += op(A)·op(B) by walking the triple loop: 2 per multiply-add. */
function naiveGemm(m: number, n: number, k: number): number {
  let f = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) f += 2;
  return f;
}

/** Flops of one conv pass: 2 per multiply-add whose input tap lies inside the input. */
function naiveConv(d: ConvDims): number {
  const g = convGeometry(d);
  let f = 0;
  for (let b = 0; b < d.batch; b++)
    for (let oh = 0; oh < g.outH; oh++)
      for (let ow = 0; ow < g.outW; ow++)
        for (let oc = 0; oc < d.outC; oc++)
          for (let kh = 0; kh < d.k; kh++)
            for (let kw = 0; kw < d.k; kw++) {
              const ih = oh * d.stride - g.padTop + kh;
              const iw = ow * d.stride - g.padLeft + kw;
              if (ih < 0 || ih >= d.inH || iw < 0 || iw >= d.inW) continue;
              for (let ic = 0; ic < d.inC; ic++) f += 2;
            }
  return f;
}

/** Distinct elements read and written by a walk of the definition: 4 bytes each. */
class Traffic {
  private reads = new Set<string>();
  private writes = new Set<string>();
  r(buf: string, i: number): void {
    this.reads.add(`${buf}:${i}`);
  }
  w(buf: string, i: number): void {
    this.writes.add(`${buf}:${i}`);
  }
  get bytes(): number {
    return 4 * (this.reads.size + this.writes.size);
  }
}

function naivePool(kernel: PoolKernel, d: PoolDims): number {
  const o = poolOut(d);
  const t = new Traffic();
  let seed = 7;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const xAt = (b: number, h: number, w: number, c: number) => ((b * d.inH + h) * d.inW + w) * d.c + c;
  for (let b = 0; b < d.batch; b++)
    for (let oh = 0; oh < o.outH; oh++)
      for (let ow = 0; ow < o.outW; ow++)
        for (let c = 0; c < d.c; c++) {
          const out = ((b * o.outH + oh) * o.outW + ow) * d.c + c;
          const cells: number[] = [];
          for (let kh = 0; kh < d.pool; kh++) for (let kw = 0; kw < d.pool; kw++) cells.push(xAt(b, oh * d.stride + kh, ow * d.stride + kw, c));
          if (kernel === 'maxpool2d_forward_f32' || kernel === 'avgpool2d_forward_f32') {
            for (const i of cells) t.r('x', i);
            t.w('y', out);
            if (kernel === 'maxpool2d_forward_f32') t.w('idx', out);
          } else if (kernel === 'maxpool2d_backward_f32') {
            const at = cells[Math.floor(rand() * cells.length)]; // whichever cell held the max
            t.r('dy', out);
            t.r('idx', out);
            t.r('dx', at);
            t.w('dx', at);
          } else {
            t.r('dy', out);
            for (const i of cells) {
              t.r('dx', i);
              t.w('dx', i);
            }
          }
        }
  return t.bytes;
}

/** Per element: the buffers each elementwise or optimizer kernel reads, then writes. */
const ELEMENTWISE: Record<string, [string[], string[]]> = {
  copy_f32: [['src'], ['dst']],
  relu_forward_f32: [['x'], ['y']],
  sigmoid_forward_f32: [['x'], ['y']],
  tanh_forward_f32: [['x'], ['y']],
  relu_backward_f32: [['dy', 'x', 'dx'], ['dx']],
  sgd_f32: [['p', 'g'], ['p']],
  momentum_f32: [['p', 'vel', 'g'], ['vel', 'p']],
  rmsprop_f32: [['p', 'ms', 'mom', 'g'], ['ms', 'mom', 'p']],
  adam_f32: [['p', 'm', 'v', 'g'], ['m', 'v', 'p']],
};
function naiveElementwise(kernel: string, n: number): number {
  const t = new Traffic();
  const [reads, writes] = ELEMENTWISE[kernel];
  for (let i = 0; i < n; i++) {
    for (const b of reads) t.r(b, i);
    for (const b of writes) t.w(b, i);
  }
  return t.bytes;
}

function naiveSoftmaxXent(batch: number, classes: number): number {
  const t = new Traffic();
  for (let r = 0; r < batch; r++) {
    t.r('labels', r);
    for (let j = 0; j < classes; j++) t.r('z', r * classes + j); // max, then the sum of exps
    for (let j = 0; j < classes; j++) {
      t.w('probs', r * classes + j);
      t.r('dz', r * classes + j); // accumulates
      t.w('dz', r * classes + j);
    }
  }
  return t.bytes;
}

/** The naive count of a case's work, from its kernel and dims alone. */
function naiveWork(c: Case): number {
  const d = c.dims;
  if (c.kernel.startsWith('gemm_')) return naiveGemm(d.m, d.n, d.k);
  if (c.kernel.startsWith('conv2d_')) return naiveConv(d as unknown as ConvDims);
  if (c.family === 'pool') return naivePool(c.kernel as PoolKernel, d as unknown as PoolDims);
  if (c.kernel === 'softmax_xent_sparse_f32') return naiveSoftmaxXent(d.batch, d.classes);
  if (c.kernel in ELEMENTWISE) return naiveElementwise(c.kernel, d.n);
  throw new Error(`no naive count for ${c.kernel}: add one`);
}

// ------------------------------------------------------------------------------------ small shapes

const SMALL_CONV: ConvDims[] = [
  { batch: 2, inH: 5, inW: 7, inC: 3, outC: 2, k: 3, stride: 1 },
  { batch: 1, inH: 6, inW: 5, inC: 2, outC: 3, k: 4, stride: 2 }, // even kernel: the odd pad at the bottom/right
  { batch: 1, inH: 3, inW: 4, inC: 1, outC: 1, k: 5, stride: 1 }, // kernel larger than the input
  { batch: 2, inH: 7, inW: 7, inC: 2, outC: 2, k: 2, stride: 3 },
];
const SMALL_POOL: PoolDims[] = [
  { batch: 2, inH: 5, inW: 6, c: 3, pool: 2, stride: 2 }, // an odd row no window reads
  { batch: 1, inH: 7, inW: 7, c: 2, pool: 2, stride: 3 }, // gaps between windows
  { batch: 1, inH: 7, inW: 6, c: 2, pool: 3, stride: 2 }, // overlapping windows
];

/** Every kind of case the catalogue makes, at small shapes. */
function smallCases(): Case[] {
  const out: Case[] = [];
  for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [13, 9, 17]]) for (const l of ['nn', 'nt', 'tn'] as const) out.push(gemmCase(l, m, k, n));
  for (const d of SMALL_CONV) for (const p of ['forward', 'dx', 'dW'] as const) out.push(convCase(p, d));
  for (const d of SMALL_POOL) {
    for (const k of ['maxpool2d_forward_f32', 'avgpool2d_forward_f32', 'avgpool2d_backward_f32'] as const) out.push(poolCase(k, d));
    if (d.stride >= d.pool) out.push(poolCase('maxpool2d_backward_f32', d));
  }
  for (const n of [1, 5, 37]) {
    for (const k of ['relu_forward_f32', 'relu_backward_f32', 'sigmoid_forward_f32', 'tanh_forward_f32'] as ActKernel[]) out.push(actCase(k, n));
    for (const k of ['sgd_f32', 'momentum_f32', 'rmsprop_f32', 'adam_f32'] as OptimKernel[]) out.push(optimCase(k, n));
    out.push(copyCase(n));
  }
  for (const [b, c] of [[1, 1], [3, 10], [4, 7]]) out.push(softmaxCase(b, c));
  return out;
}

describe('work counts', () => {
  const small = smallCases();

  it('every row of a full and a quick run is a kind of case counted here', () => {
    const kinds = new Set(small.map((c) => c.kernel));
    for (const quick of [false, true]) {
      for (const c of catalogue({ quick, families: FAMILIES })) expect(kinds, `${c.kernel} ${c.shape}`).toContain(c.kernel);
    }
  });

  it('each case counts flops (GEMM, conv) or bytes (the rest), never both', () => {
    for (const c of small) {
      const compute = c.family === 'gemm' || c.family === 'conv';
      expect(c.flops !== undefined, c.kernel).toBe(compute);
      expect(c.bytes !== undefined, c.kernel).toBe(!compute);
    }
  });

  it.each(smallCases().map((c) => [`${c.kernel} ${c.shape}`, c] as const))('%s: the formula equals the naive count', (_, c) => {
    expect(c.flops ?? c.bytes).toBe(naiveWork(c));
  });

  it('the conv count leaves out padded taps: 32x28x28x1 → 8 5x5 same counts 91.6% of the dense 2·N·H·W·C·K²', () => {
    const c = convCase('forward', { batch: 32, inH: 28, inW: 28, inC: 1, outC: 8, k: 5, stride: 1 });
    const dense = 2 * 32 * 28 * 28 * 8 * 25 * 1;
    // Per axis 28 outputs × 5 taps = 140, less 2+1 taps at each edge: 134.
    expect(c.flops).toBe((dense * 134 * 134) / (140 * 140));
  });

  it('the maxpool backward count refuses overlapping windows (the distinct cells it writes depend on the data)', () => {
    expect(() => poolCase('maxpool2d_backward_f32', SMALL_POOL[2])).toThrow(/stride ≥ pool/);
  });
});

describe('peak probe', () => {
  /** The SIMD arithmetic of the module's loop body: mul, add and relaxed_madd, with their flops per lane. */
  function loopFlopsPerIteration(bytes: Uint8Array): number {
    // The loop body runs from the `loop` opcode (0x03 0x40) to the branch back (0x0c 0x00).
    const s = Array.from(bytes);
    let start = -1;
    for (let i = 0; i < s.length - 1; i++) if (s[i] === 0x03 && s[i + 1] === 0x40) start = i;
    let end = start;
    while (!(s[end] === 0x0c && s[end + 1] === 0x00)) end++;
    let flops = 0;
    for (let i = start; i < end - 2; i++) {
      if (s[i] !== 0xfd) continue;
      const op = s[i + 1] & 0x80 ? (s[i + 1] & 0x7f) | (s[i + 2] << 7) : s[i + 1]; // LEB128
      if (op === 0xe4 || op === 0xe6) flops += 4; // f32x4.add / f32x4.mul: one flop per lane
      if (op === 0x105) flops += 8; // f32x4.relaxed_madd: two per lane
    }
    return flops;
  }

  it.each([false, true])('relaxed %s: the loop does 12 chains × 8 flops per iteration', (relaxed) => {
    expect(loopFlopsPerIteration(peakModuleBytes(relaxed))).toBe(PEAK_CHAINS * 8);
  });

  it('computes the 12 chains (checked against float32 arithmetic in JS)', async () => {
    const iters = 50;
    const p = await peakProbe(false, iters);
    let sum = Math.fround(0);
    let v = 0;
    const chains = Array.from({ length: PEAK_CHAINS }, (_, j) => Math.fround(j + 1));
    for (let i = 0; i < iters; i++) for (let j = 0; j < PEAK_CHAINS; j++) chains[j] = Math.fround(Math.fround(chains[j] * Math.fround(0.999)) + Math.fround(0.001));
    // Pairwise as the module adds them: the chains in order into one vector, then its 4 equal lanes.
    v = chains[0];
    for (let j = 1; j < PEAK_CHAINS; j++) v = Math.fround(v + chains[j]);
    sum = Math.fround(Math.fround(Math.fround(v + v) + v) + v);
    expect(p.run()).toBe(sum);
    expect(p.flops).toBe(iters * PEAK_CHAINS * 8);
  });
});

const TINY = { samples: 1, minMs: 0, warmMs: 0, block: 4096, sizes: [16] } as const;

describe('bench.run', () => {
  it('measures every family on both binaries and gives the memory back', { timeout: 300_000 }, async () => {
    const seen: BenchRow[] = [];
    const r = await bench.run({ ...TINY, quick: true, binary: 'both', onRow: (row) => seen.push(row) });
    expect(r.tool).toBe('simdnet bench');
    expect(r.engine).toBe('node');
    expect(r.version).toBe(process.versions.node);
    expect(r.cores).toBeGreaterThan(0);
    expect(r.cpu).not.toBe('');
    expect(Object.keys(r.peaks).sort()).toEqual(['baseline', 'relaxed']);
    const want = catalogue({ quick: true, families: FAMILIES, gemmShapes: [[16, 16, 16]], block: 4096 });
    for (const binary of ['baseline', 'relaxed'] as const) {
      const rows = r.rows.filter((x) => x.binary === binary);
      expect(rows.map((x) => `${x.kernel} ${x.shape}`)).toEqual(['peak (register-only) 12 chains', ...want.map((c) => `${c.kernel} ${c.shape}`)]);
      for (const row of rows) {
        const v = row.gflops ?? row.gbps;
        expect(v, row.kernel).toBeGreaterThan(0);
        expect(Number.isFinite(row.fraction_of_peak), row.kernel).toBe(true);
        expect(row.min_ms).toBeLessThanOrEqual(row.median_ms);
        expect(row.median_ms).toBeLessThanOrEqual(row.max_ms);
        const c = want.find((x) => x.kernel === row.kernel && x.shape === row.shape);
        if (c) {
          // The figure is the work over the median time, nothing else.
          if (c.flops !== undefined) expect(row.gflops).toBeCloseTo(c.flops / (row.median_ms / 1e3) / 1e9, 6);
          else expect(row.gbps).toBeCloseTo(c.bytes! / (row.median_ms / 1e3) / 1e9, 6);
        }
      }
    }
    expect(seen).toEqual(r.rows);
    // Every case freed its buffers: the arena of the last binary is empty again.
    const { arena } = backend();
    expect(arena.top).toBe(arena.base);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('runs only the families asked for, and the GEMM sizes given', async () => {
    const r = await bench.run({ ...TINY, kernels: 'gemm', sizes: ['8', '4x6x5', [3, 2, 1]] });
    expect(r.rows.map((x) => `${x.kernel} ${x.shape}`)).toEqual(
      ['8x8x8', '4x6x5', '3x2x1'].flatMap((s) => ['nn', 'nt', 'tn'].map((l) => `gemm_${l}_f32 ${s}`)),
    );
    expect(r.binary).toBe('baseline');
    expect(r.rows.every((x) => x.binary === 'baseline')).toBe(true);
  });

  it.runIf(fs.existsSync(path.join(root, 'build/simdnet.wasm')))('measures a build given as bytes (wasm), marked custom', async () => {
    const wasm = fs.readFileSync(path.join(root, 'build/simdnet.wasm'));
    const r = await bench.run({ ...TINY, kernels: 'gemm', wasm });
    expect(r.custom).toBe(true);
    expect(r.rows.map((x) => x.kernel)).toEqual(['gemm_nn_f32', 'gemm_nt_f32', 'gemm_tn_f32']);
    await expect(bench.run({ ...TINY, kernels: 'gemm', wasm, binary: 'both' })).rejects.toThrow(/wasm: one binary is given, so binary must be 'baseline' or 'relaxed', not 'both'/);
    await expect(bench.run({ wasm: 'simdnet.wasm' as never })).rejects.toThrow(/wasm: expected the bytes of a binary, got "simdnet.wasm"/);
  });

  it('threads: 2 runs the kernels on the pool, records the threads, and sets fractions against two cores', async () => {
    const r = await bench.run({ ...TINY, kernels: 'peak,gemm', sizes: ['48'], threads: 2 });
    expect(r.threads).toBe(2);
    expect(r.threadsReason).toBeUndefined();
    const peak = r.peaks.baseline!.gflops;
    const gemm = r.rows.filter((x) => x.family === 'gemm');
    expect(gemm).toHaveLength(3);
    for (const row of gemm) expect(row.fraction_of_peak).toBeCloseTo(row.gflops! / (2 * peak), 12);
    expect(bench.markdown(r)).toContain('2 cores, 2 threads');
    const one = await bench.run({ ...TINY, kernels: 'gemm', sizes: ['8'] });
    expect(one.threads).toBe(1);
    await expect(bench.run({ threads: 0 })).rejects.toThrow(/bench\.run: threads/);
    await expect(bench.run({ threads: 1.5 })).rejects.toThrow(/bench\.run: threads/);
  });

  it('refuses bad options, naming them', async () => {
    await expect(bench.run({ quik: true } as never)).rejects.toThrow(/bench\.run: unknown option quik/);
    await expect(bench.run({ kernels: 'gemm,fft' })).rejects.toThrow(/unknown kernel family "fft"; expected peak, gemm/);
    await expect(bench.run({ kernels: [] })).rejects.toThrow(/kernels: expected a list/);
    await expect(bench.run({ sizes: ['4x4'] })).rejects.toThrow(/sizes: expected N or MxKxN, got "4x4"/);
    await expect(bench.run({ sizes: [0] })).rejects.toThrow(/sizes/);
    await expect(bench.run({ binary: 'fast' as never })).rejects.toThrow(/binary must be 'baseline', 'relaxed' or 'both', got "fast"/);
    await expect(bench.run({ samples: 1.5 })).rejects.toThrow(/samples/);
    await expect(bench.run({ quick: 1 as never })).rejects.toThrow(/quick: expected true or false, got 1/);
    await expect(bench.run({ onRow: 3 as never })).rejects.toThrow(/onRow: expected a function, got 3/);
  });
});

// ------------------------------------------------------------------------------------ reports

function result(engine: string, values: [string, string, number][]): BenchResult {
  return {
    tool: 'simdnet bench', simdnet: '0.1.0', date: '2026-01-01T00:00:00.000Z', engine, version: '1.0', cpu: 'cpu', cores: 2, platform: 'x',
    binary: 'baseline', quick: true, peaks: { baseline: { before: 20, after: 25, gflops: 25, gbps: 10 } },
    rows: values.map(([kernel, shape, v]) => {
      const mem = kernel.startsWith('sgd');
      return { kernel, shape, family: mem ? 'optim' : 'gemm', binary: 'baseline', ...(mem ? { gbps: v, bytes: 1 } : { gflops: v, flops: 1 }), fraction_of_peak: mem ? v / 10 : v / 25, median_ms: 1, min_ms: 0.9, max_ms: 1.2, spread: 0.3, samples: 5, calls: 1 } as BenchRow;
    }),
  };
}

describe('reports', () => {
  const a = result('node', [['gemm_nn_f32', '8x8x8', 10], ['sgd_f32', '16', 5], ['gemm_tn_f32', '8x8x8', 4]]);
  const b = result('deno', [['gemm_nn_f32', '8x8x8', 15], ['sgd_f32', '16', 4]]);

  it('markdown: one line per row with its value, unit, fraction and spread', () => {
    const md = bench.markdown(a);
    expect(md).toContain('| gemm_nn_f32 | 8x8x8 | baseline | 10.0 | GFLOP/s | 40% | 1.000 | 30% |');
    expect(md).toContain('| sgd_f32 | 16 | baseline | 5.0 | GB/s | 50% | 1.000 | 30% |');
    expect(md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| kernel')).length).toBe(3);
  });

  it('svg: a bar per row, sized by the fraction of the peak', () => {
    const s = bench.svg(a);
    expect(s.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(s.trim().endsWith('</svg>')).toBe(true);
    const bars = [...s.matchAll(/<rect x="420" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(bars).toEqual([360 * 0.4, 360 * 0.5, 360 * 0.16].map((x) => Number(x.toFixed(1))));
    expect(s).not.toMatch(/<(?!\/?(svg|rect|text|line)\b)/);
  });

  it('compare: the ratio b / a of the shared rows, and what only one has', () => {
    const c = bench.compare(a, b);
    expect(c).toContain('| gemm_nn_f32 | 8x8x8 | baseline | GFLOP/s | 10.0 | 15.0 | 1.50x |');
    expect(c).toContain('| sgd_f32 | 16 | baseline | GB/s | 5.0 | 4.0 | 0.80x |');
    expect(c).toContain('1 row(s) only in a, 0 only in b.');
  });

  it('byEngine: a column per engine, a dash where an engine lacks the row', () => {
    const t = bench.byEngine([a, b]);
    expect(t).toContain('| kernel | shape | binary | unit | node 1.0 | deno 1.0 |');
    expect(t).toContain('| gemm_nn_f32 | 8x8x8 | baseline | GFLOP/s | 10.0 (40%) | 15.0 (60%) |');
    expect(t).toContain('| gemm_tn_f32 | 8x8x8 | baseline | GFLOP/s | 4.0 (16%) | – |');
  });

  it('checkResult refuses what is not a bench result', () => {
    expect(() => bench.checkResult({ rows: [] }, 'x.json')).toThrow(/x\.json: not a simdnet bench result/);
    expect(() => bench.checkResult({ tool: 'simdnet bench', rows: [{ kernel: 'k', shape: 's' }] }, 'x.json')).toThrow(/row 0 lacks/);
    expect(bench.checkResult(JSON.parse(JSON.stringify(a)), 'a')).toEqual(a);
  });
});

// ------------------------------------------------------------------------------------ the command

const cli = path.join(root, 'dist/cli.js');
const built = fs.existsSync(cli);

describe.runIf(built)('simdnet bench (dist/cli.js)', () => {
  const tiny = ['--samples', '1', '--min-ms', '0', '--block', '4096', '--sizes', '16'];

  it('--json FILE writes the JSON with the markdown table and the SVG chart next to it', { timeout: 300_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-bench-tool-'));
    try {
      const out = path.join(dir, 'r.json');
      const { stdout } = await exec(process.execPath, [cli, 'bench', '--kernels', 'peak,gemm,softmax', ...tiny, '--json', out]);
      const r = JSON.parse(fs.readFileSync(out, 'utf8')) as BenchResult;
      expect(r.rows.map((x) => x.kernel)).toEqual(['peak (register-only)', 'copy_f32', 'gemm_nn_f32', 'gemm_nt_f32', 'gemm_tn_f32', 'softmax_xent_sparse_f32', 'softmax_xent_sparse_f32']);
      expect(fs.readFileSync(path.join(dir, 'r.md'), 'utf8')).toBe(bench.markdown(r));
      expect(fs.readFileSync(path.join(dir, 'r.svg'), 'utf8')).toBe(bench.svg(r));
      expect(stdout).toContain('| gemm_nn_f32 | 16x16x16 | baseline |');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--help: the command is listed, and bench --help lists every option', async () => {
    expect((await exec(process.execPath, [cli, '--help'])).stdout).toContain('simdnet bench [options]');
    const { stdout } = await exec(process.execPath, [cli, 'bench', '--help']);
    for (const o of ['--quick', '--kernels', '--sizes', '--binary', '--json', '--md', '--svg', '--compare', '--runtimes', '--samples', '--min-ms', '--block']) expect(stdout).toContain(o);
  });

  it('--compare A B prints the ratios', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-bench-tool-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.json'), JSON.stringify(result('node', [['gemm_nn_f32', '8x8x8', 10]])));
      fs.writeFileSync(path.join(dir, 'b.json'), JSON.stringify(result('node', [['gemm_nn_f32', '8x8x8', 25]])));
      const { stdout } = await exec(process.execPath, [cli, 'bench', '--compare', path.join(dir, 'a.json'), path.join(dir, 'b.json')]);
      expect(stdout).toContain('| gemm_nn_f32 | 8x8x8 | baseline | GFLOP/s | 10.0 | 25.0 | 2.50x |');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [['--kernels', 'gemm,fft'], /--kernels takes a comma-separated list of peak, gemm, conv, pool, act, softmax, optim; unknown: 'fft'/],
    [['--binary', 'fast'], /--binary must be baseline, relaxed or both, got 'fast'/],
    [['--sizes', '4x4'], /--sizes takes GEMM sizes N or MxKxN/],
    [['--samples', '0'], /--samples expects a positive integer, got '0'/],
    [['--runtimes', 'node,bun'], /--runtimes takes a comma-separated list of node, deno, chromium/],
    [['--compare', 'a.json'], /--compare takes two result files/],
    [['--json', '/nonexistent-folder/r.json'], /--json \/nonexistent-folder\/r.json: the folder .* does not exist/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
  ])('refuses %j', async (args, msg) => {
    const e = await exec(process.execPath, [cli, 'bench', ...(args as string[])]).then(() => null, (x) => x as { code: number; stderr: string });
    expect(e?.code).toBe(2);
    expect(e?.stderr).toMatch(msg as RegExp);
  });

  const chromium = [process.env.CHROMIUM_PATH, '/usr/bin/chromium'].find((p) => p && fs.existsSync(p)) && fs.existsSync(path.join(root, 'node_modules/playwright-core'));
  it.runIf(chromium)('--runtimes chromium: the shipped bench.html in headless Chromium, through the command', { timeout: 300_000 }, async () => {
    const { stdout } = await exec(process.execPath, [cli, 'bench', '--runtimes', 'chromium', '--kernels', 'gemm', ...tiny, '--json', '-'], { maxBuffer: 16 * 2 ** 20 });
    const [r] = JSON.parse(stdout) as BenchResult[];
    expect(r.engine).toBe('chromium');
    expect(r.rows.map((x) => x.kernel)).toEqual(['gemm_nn_f32', 'gemm_nt_f32', 'gemm_tn_f32']);
    for (const x of r.rows) expect(x.gflops).toBeGreaterThan(0);
  });

  const deno = [process.env.DENO_PATH, path.join(root, 'node_modules/.bin/deno')].find((p) => p && fs.existsSync(p));
  it.runIf(deno)('--runtimes node,deno: one table, a column per engine, the same rows', { timeout: 300_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-bench-tool-'));
    try {
      const out = path.join(dir, 'both.json');
      const { stdout } = await exec(process.execPath, [cli, 'bench', '--runtimes', 'node,deno', '--kernels', 'gemm,optim', '--binary', 'both', ...tiny, '--json', out], { env: { ...process.env, DENO_PATH: deno } });
      const results = JSON.parse(fs.readFileSync(out, 'utf8')) as BenchResult[];
      expect(results.map((r) => r.engine)).toEqual(['node', 'deno']);
      const keys = (r: BenchResult) => r.rows.map((x) => `${x.kernel} ${x.shape} ${x.binary}`);
      expect(keys(results[1])).toEqual(keys(results[0]));
      expect(results[1].rows.length).toBe(2 * (3 + 4));
      expect(stdout).toContain(`| kernel | shape | binary | unit | node ${process.versions.node} | deno ${results[1].version} |`);
      expect(fs.readFileSync(path.join(dir, 'both.md'), 'utf8')).toBe(bench.byEngine(results));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
