/**
 * `bench.run(options)`: loads each requested binary through `init()` (the library's own loader,
 * the inlined binaries), measures the register-only peak and the copy bandwidth, then every
 * kernel case, and returns the rows with what they ran on.
 */
import { init, backend } from '../wasm/loader.ts';
import { checkBoolean, checkNumber, checkOptions, describe } from '../tensor.ts';
import { VERSION } from '../version.ts';
import { engineInfo, enableRelaxedSimd, type EngineInfo } from './engine.ts';
import { catalogue, FAMILIES, BLOCK, type Case, type Family } from './kernels.ts';
import { peakProbe } from './peak.ts';
import { time, type Timing, type TimingOptions } from './runner.ts';

export type BinaryChoice = 'baseline' | 'relaxed' | 'both';

export interface BenchOptions {
  /** Fewer shapes and samples: well under 30 s on a 2-core machine. Default false. */
  quick?: boolean;
  /** Kernel families: 'peak', 'gemm', 'conv', 'pool', 'act', 'softmax', 'optim' (array or comma list). Default all. */
  kernels?: readonly string[] | string;
  /** GEMM shapes replacing the sweep: N (square) or [M, K, N], or the strings 'N' / 'MxKxN'. */
  sizes?: readonly (number | string | readonly number[])[] | string;
  /** Which binary: 'baseline' (default), 'relaxed' (fused multiply-add), or 'both'. */
  binary?: BinaryChoice;
  /** Samples per kernel after calibration (default 9, quick 5). */
  samples?: number;
  /** Minimum milliseconds per sample: the per-kernel time budget (default 60, quick 15; at least 1). */
  minMs?: number;
  /** Milliseconds of warm-up per kernel (default 100, quick 30). */
  warmMs?: number;
  /**
   * A build of the binary to measure instead of the one in the package (its bytes), e.g. a kernel
   * under development; `binary` then names its flavour ('baseline' or 'relaxed', not 'both').
   */
  wasm?: BufferSource;
  /** Elements of the elementwise, optimizer and copy blocks (default 1,048,576). */
  block?: number;
  /**
   * Threads the kernels run on (default 1): init({ threads }). With more than one, the kernels
   * that split over the pool (GEMM, conv, pooling, optimizers) run threaded, and a row's
   * fraction_of_peak is against the one-core peak times the threads the engine gave.
   */
  threads?: number;
  /** Called with each row once its binary's peak is known (after that binary's last kernel). */
  onRow?: (row: BenchRow) => void;
  /** Called before each kernel is measured: { kernel, shape }. */
  onProgress?: (c: { kernel: string; shape: string }) => void;
}

export interface BenchRow {
  kernel: string;
  family: Family;
  shape: string;
  binary: 'baseline' | 'relaxed';
  /** Work of one call: flops (compute-bound rows) or bytes (memory-bound rows). */
  flops?: number;
  bytes?: number;
  /** From the median sample. */
  gflops?: number;
  gbps?: number;
  /**
   * gflops over the register-only peak (the larger of its medians before and after the kernels),
   * or gbps over the copy bandwidth measured on the same block size.
   */
  fraction_of_peak: number;
  median_ms: number;
  min_ms: number;
  max_ms: number;
  /** (slowest − fastest sample) / median. */
  spread: number;
  samples: number;
  calls: number;
}

export interface BenchResult extends EngineInfo {
  tool: 'simdnet bench';
  simdnet: string;
  date: string;
  /** The binary option of the run; each row names its own. */
  binary: BinaryChoice;
  quick: boolean;
  /** True when `wasm` gave the binary (a custom build). */
  custom?: boolean;
  /** Threads the kernels ran on (backendInfo().threads: fewer than asked where the engine cannot; absent in older files: 1). */
  threads?: number;
  /** Why fewer threads ran than were asked for. */
  threadsReason?: string;
  /** Per binary: the register-only peak (GFLOP/s) before and after the kernels, and the copy bandwidth (GB/s). */
  peaks: Partial<Record<'baseline' | 'relaxed', { before: number; after: number; gflops: number; gbps?: number }>>;
  rows: BenchRow[];
}

const KNOWN = ['quick', 'kernels', 'sizes', 'binary', 'samples', 'minMs', 'warmMs', 'block', 'threads', 'wasm', 'onRow', 'onProgress'];

function parseFamilies(v: BenchOptions['kernels']): Family[] {
  if (v === undefined) return [...FAMILIES];
  const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : Array.isArray(v) ? v : null;
  if (!list || list.length === 0) throw new TypeError(`bench: kernels: expected a list of ${FAMILIES.join(', ')}, got ${describe(v)}`);
  for (const f of list) if (!(FAMILIES as readonly string[]).includes(f)) throw new Error(`bench: kernels: unknown kernel family ${describe(f)}; expected ${FAMILIES.join(', ')}`);
  return FAMILIES.filter((f) => list.includes(f));
}

const MAX_SIZE = 8192;
function parseSizes(v: BenchOptions['sizes']): [number, number, number][] | undefined {
  if (v === undefined) return undefined;
  const list = typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : Array.isArray(v) ? v : null;
  if (!list || list.length === 0) throw new TypeError(`bench: sizes: expected GEMM sizes (N or MxKxN), got ${describe(v)}`);
  return list.map((s) => {
    const parts = typeof s === 'number' ? [s] : typeof s === 'string' ? s.split('x').map((p) => (p.trim() === '' ? NaN : Number(p))) : Array.isArray(s) ? [...s] : [NaN];
    if (parts.length !== 1 && parts.length !== 3) throw new Error(`bench: sizes: expected N or MxKxN, got ${describe(s)}`);
    for (const p of parts) checkNumber(p, `bench: sizes: ${describe(s)}`, { min: 1, max: MAX_SIZE, integer: true });
    return (parts.length === 1 ? [parts[0], parts[0], parts[0]] : parts) as [number, number, number];
  });
}

/**
 * Runs the kernel benchmarks. `init()` is called for each binary (one thread), as `init(options)`
 * does for a user: models built before then must be rebuilt, and the last binary stays loaded.
 */
export async function run(options?: BenchOptions): Promise<BenchResult> {
  const o = checkOptions(options, 'bench.run', KNOWN);
  const quick = o.quick === undefined ? false : checkBoolean(o.quick, 'bench.run: quick');
  const families = parseFamilies(o.kernels);
  const gemmShapes = parseSizes(o.sizes);
  const binary = o.binary ?? 'baseline';
  if (binary !== 'baseline' && binary !== 'relaxed' && binary !== 'both') throw new Error(`bench.run: binary must be 'baseline', 'relaxed' or 'both', got ${describe(binary)}`);
  const timing: TimingOptions = {
    samples: o.samples === undefined ? (quick ? 5 : 9) : checkNumber(o.samples, 'bench.run: samples', { min: 1, max: 1000, integer: true }),
    minMs: o.minMs === undefined ? (quick ? 15 : 60) : checkNumber(o.minMs, 'bench.run: minMs', { min: 0, max: 60_000 }),
    warmMs: o.warmMs === undefined ? (quick ? 30 : 100) : checkNumber(o.warmMs, 'bench.run: warmMs', { min: 0, max: 60_000 }),
  };
  const block = o.block === undefined ? BLOCK : checkNumber(o.block, 'bench.run: block', { min: 1, max: 1 << 26, integer: true });
  const threads = o.threads === undefined ? 1 : checkNumber(o.threads, 'bench.run: threads', { min: 1, max: 64, integer: true });
  for (const k of ['onRow', 'onProgress'] as const) {
    if (o[k] !== undefined && typeof o[k] !== 'function') throw new TypeError(`bench.run: ${k}: expected a function, got ${describe(o[k])}`);
  }
  if (o.wasm !== undefined) {
    if (!(o.wasm instanceof ArrayBuffer || ArrayBuffer.isView(o.wasm))) throw new TypeError(`bench.run: wasm: expected the bytes of a binary, got ${describe(o.wasm)}`);
    if (binary === 'both') throw new Error("bench.run: wasm: one binary is given, so binary must be 'baseline' or 'relaxed', not 'both'");
  }
  const variants: ('baseline' | 'relaxed')[] = binary === 'both' ? ['baseline', 'relaxed'] : [binary];
  if (variants.includes('relaxed') && !(await enableRelaxedSimd())) {
    throw new Error(`bench.run: binary ${describe(binary)}: this engine does not run relaxed SIMD`);
  }
  const cases = catalogue({ quick, families, gemmShapes, block });
  const result: BenchResult = {
    tool: 'simdnet bench', simdnet: VERSION, date: new Date().toISOString(), ...(await engineInfo()),
    binary, quick, ...(o.wasm ? { custom: true } : {}), threads: 1, peaks: {}, rows: [],
  };
  for (const variant of variants) {
    // One thread by default: the kernels are timed as one core runs them, against a one-core peak.
    const info = await init({ ...(o.wasm ? { wasm: o.wasm } : { variant }), threads });
    result.threads = info.threads;
    if (info.threads < threads) result.threadsReason = info.threadsReason ?? `${info.threads} of ${threads} threads`;
    const rows = await runVariant(variant, cases, families, timing, result, o.onRow, o.onProgress);
    result.rows.push(...rows);
  }
  return result;
}

async function runVariant(
  variant: 'baseline' | 'relaxed',
  cases: Case[],
  families: Family[],
  timing: TimingOptions,
  result: BenchResult,
  onRow: BenchOptions['onRow'],
  onProgress: BenchOptions['onProgress'],
): Promise<BenchRow[]> {
  const probe = await peakProbe(variant === 'relaxed');
  // The probe runs first, so it gets the longest warm-up: an engine tiers a function up only
  // after it has run for a while (Chromium's dynamic tiering).
  const probeTiming = { ...timing, warmMs: Math.max(timing.warmMs, 300) };
  const before = time(probe.run, probeTiming);
  const measured: { c: Case; t: Timing }[] = [];
  for (const c of cases) {
    // Between kernels, let a browser page repaint (and Node run its timers).
    await new Promise((r) => setTimeout(r, 0));
    onProgress?.(c);
    const p = c.prepare(backend());
    try {
      measured.push({ c, t: time(p.run, timing) });
    } finally {
      p.release();
    }
  }
  const after = time(probe.run, probeTiming);
  // A ceiling: neighbours on a shared machine only ever slow the probe down.
  // The probe runs on one core; threaded kernels are set against that peak times the threads.
  const peak = probe.flops / Math.min(before.median, after.median) / 1e9;
  const ceiling = peak * (result.threads ?? 1);
  const copy = measured.find((m) => m.c.kernel === 'copy_f32');
  const bandwidth = copy ? copy.c.bytes! / copy.t.median / 1e9 : undefined;
  result.peaks[variant] = { before: probe.flops / before.median / 1e9, after: probe.flops / after.median / 1e9, gflops: peak, ...(bandwidth ? { gbps: bandwidth } : {}) };
  const rows: BenchRow[] = [];
  const emit = (r: BenchRow) => {
    rows.push(r);
    onRow?.(r);
  };
  const base = (t: Timing) => ({ median_ms: t.median * 1e3, min_ms: t.min * 1e3, max_ms: t.max * 1e3, spread: t.spread, samples: t.samples, calls: t.calls });
  if (families.includes('peak')) {
    const best = before.median <= after.median ? before : after;
    emit({ kernel: 'peak (register-only)', family: 'peak', shape: '12 chains', binary: variant, flops: probe.flops, gflops: peak, fraction_of_peak: 1, ...base(best) });
  }
  for (const { c, t } of measured) {
    if (!families.includes(c.family)) continue; // the copy probe of a run without 'peak'
    const row: BenchRow = { kernel: c.kernel, family: c.family, shape: c.shape, binary: variant, fraction_of_peak: 0, ...base(t) };
    if (c.flops !== undefined) {
      row.flops = c.flops;
      row.gflops = c.flops / t.median / 1e9;
      row.fraction_of_peak = row.gflops / ceiling;
    } else {
      row.bytes = c.bytes;
      row.gbps = c.bytes! / t.median / 1e9;
      row.fraction_of_peak = bandwidth ? row.gbps / bandwidth : 0;
    }
    emit(row);
  }
  return rows;
}
