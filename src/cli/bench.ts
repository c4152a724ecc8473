/**
 * `simdnet bench`: the kernel microbenchmarks from the installed package (src/bench/), in Node,
 * Deno and Chromium; results as a table, JSON, markdown and an SVG chart, or the ratios between
 * two result files.
 */
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, markdown, svg, compare, byEngine, checkResult, describeRun, FAMILIES, type BenchResult } from '../bench/index.ts';
import { RUNTIMES, runChromium, runDeno, type ForwardedOptions, type Runtime } from '../bench/runtimes.ts';

export const BENCH_HELP = `simdnet bench — WebAssembly SIMD kernel microbenchmarks

Usage:
  simdnet bench [options]            measure the kernels in this engine
  simdnet bench --compare A.json B.json
                                     the ratios B / A of every row two results share

Options:
  --quick                 fewer shapes and samples (under 30 s)
  --kernels LIST          families, comma-separated: ${FAMILIES.join(',')} (default all)
  --sizes LIST            GEMM sizes replacing the sweep: N (square) or MxKxN, comma-separated
  --binary B              baseline (default), relaxed (fused multiply-add; Node 20 switches
                          V8's flag on), or both
  --json FILE|-           write the result as JSON (- : stdout, the table then goes to stderr);
                          FILE.md and FILE.svg are written next to it
  --md FILE               write the markdown table
  --svg FILE              write the bar chart (fraction of the peak per row)
  --runtimes LIST         node,deno,chromium: run in each (Deno: DENO_PATH or node_modules/.bin/deno;
                          Chromium: playwright-core and CHROMIUM_PATH or a playwright browser) and
                          print one table with a column per engine
  --samples N             samples per kernel (default 9, quick 5)
  --min-ms MS             minimum milliseconds per sample (default 60, quick 15)
  --block N               elements of the elementwise and optimizer blocks (default 1048576)
  --threads N             run the kernels on N threads (default 1; GEMM, conv, pooling and the
                          optimizers split over them; fraction of peak is against N cores)

Each kernel is warmed up, then timed in samples of at least --min-ms; the row is the median
sample, with min and spread. GEMM and conv rows are GFLOP/s (a multiply-add is 2 flops) and
their fraction of the register-only SIMD peak; pooling, activations, softmax-CE and the
optimizers are GB/s (each element read once and written once) and their fraction of copy_f32's
bandwidth on the same block size. Deno: deno run -A npm:simdnet bench (or the package's
dist/cli.js). Browsers: open dist/bench.html from the package.
`;

export class BenchUsageError extends Error {}
const usage = (msg: string): never => {
  throw new BenchUsageError(msg);
};

function positiveNumber(v: string | undefined, name: string, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && (!Number.isInteger(n) || n === 0))) usage(`--${name} expects a ${integer ? 'positive integer' : 'non-negative number'}, got '${v}'`);
  return n;
}

/** Writes `text` to FILE, after checking its folder exists. */
function write(file: string, text: string, what: string): void {
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) usage(`--${what} ${file}: the folder ${dir} does not exist`);
  fs.writeFileSync(file, text);
}

function readResult(file: string): BenchResult {
  if (!fs.existsSync(file)) usage(`--compare: ${file} does not exist`);
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    usage(`--compare: ${file} is not JSON (${(e as Error).message})`);
  }
  try {
    return checkResult(v, file);
  } catch (e) {
    return usage(`--compare: ${(e as Error).message}`);
  }
}

/** The folder holding cli.js, bench.html and the binaries (this bundle's own folder). */
const distDir = (): string => path.dirname(fileURLToPath(import.meta.url));

export async function benchCommand(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        quick: { type: 'boolean' },
        kernels: { type: 'string' },
        sizes: { type: 'string' },
        binary: { type: 'string' },
        json: { type: 'string' },
        md: { type: 'string' },
        svg: { type: 'string' },
        compare: { type: 'string' },
        runtimes: { type: 'string' },
        samples: { type: 'string' },
        'min-ms': { type: 'string' },
        block: { type: 'string' },
        threads: { type: 'string' },
      },
    });
  } catch (e) {
    return usage((e as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    console.log(BENCH_HELP);
    return;
  }
  if (v.compare !== undefined) {
    if (parsed.positionals.length !== 1) usage('--compare takes two result files: --compare A.json B.json');
    const others = Object.keys(v).filter((k) => k !== 'compare' && v[k as keyof typeof v] !== undefined);
    if (others.length) usage(`--compare does not take ${others.map((k) => `--${k}`).join(', ')}`);
    process.stdout.write(compare(readResult(v.compare), readResult(parsed.positionals[0])));
    return;
  }
  if (parsed.positionals.length) usage(`unexpected argument '${parsed.positionals[0]}'`);
  if (v.binary !== undefined && !['baseline', 'relaxed', 'both'].includes(v.binary)) usage(`--binary must be baseline, relaxed or both, got '${v.binary}'`);
  if (v.kernels !== undefined) {
    const bad = v.kernels.split(',').filter((k) => !(FAMILIES as readonly string[]).includes(k.trim()));
    if (bad.length || !v.kernels.trim()) usage(`--kernels takes a comma-separated list of ${FAMILIES.join(', ')}; unknown: '${bad.join(',') || v.kernels}'`);
  }
  if (v.sizes !== undefined && !/^\s*\d+(x\d+x\d+)?(\s*,\s*\d+(x\d+x\d+)?)*\s*$/.test(v.sizes)) usage(`--sizes takes GEMM sizes N or MxKxN, comma-separated, got '${v.sizes}'`);
  const fwd: ForwardedOptions = {
    quick: v.quick,
    kernels: v.kernels,
    sizes: v.sizes,
    binary: v.binary,
    samples: positiveNumber(v.samples, 'samples', true),
    minMs: positiveNumber(v['min-ms'], 'min-ms', false),
    block: positiveNumber(v.block, 'block', true),
    threads: positiveNumber(v.threads, 'threads', true),
  };
  const toStdout = v.json === '-';
  // Checked before measuring, so a typo does not cost the run.
  for (const [name, file] of [['json', v.json], ['md', v.md], ['svg', v.svg]] as const) {
    if (file === undefined || (name === 'json' && file === '-')) continue;
    const dir = path.dirname(path.resolve(file));
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) usage(`--${name} ${file}: the folder ${dir} does not exist`);
  }
  const say = (s: string) => (toStdout ? process.stderr : process.stdout).write(s);
  const progress = (c: { kernel: string; shape: string }) => {
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K  ${c.kernel} ${c.shape}`);
  };
  const options = {
    quick: fwd.quick,
    kernels: fwd.kernels,
    sizes: fwd.sizes,
    binary: fwd.binary as 'baseline' | 'relaxed' | 'both' | undefined,
    samples: fwd.samples,
    minMs: fwd.minMs,
    block: fwd.block,
    threads: fwd.threads,
    onProgress: progress,
  };
  const clearProgress = () => process.stderr.isTTY && process.stderr.write('\r\x1b[K');

  if (v.runtimes !== undefined) {
    const list = v.runtimes.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = list.filter((r) => !(RUNTIMES as readonly string[]).includes(r));
    if (bad.length || list.length === 0) usage(`--runtimes takes a comma-separated list of ${RUNTIMES.join(', ')}, got '${v.runtimes}'`);
    if (v.svg !== undefined) usage('--svg draws one engine: run without --runtimes, or use the markdown table (--md)');
    const results: BenchResult[] = [];
    for (const rt of list as Runtime[]) {
      say(`${rt}: running…\n`);
      const r = rt === 'node' ? await run(options) : rt === 'deno' ? await runDeno(distDir(), fwd) : await runChromium(distDir(), fwd);
      clearProgress();
      say(`${rt}: ${describeRun(r)}\n`);
      results.push(r);
    }
    const table = byEngine(results);
    say(`\n${table}`);
    if (v.json !== undefined) {
      const text = `${JSON.stringify(results, null, 1)}\n`;
      if (toStdout) process.stdout.write(text);
      else {
        write(v.json, text, 'json');
        if (v.md === undefined) write(`${v.json.replace(/\.json$/i, '')}.md`, table, 'json');
      }
    }
    if (v.md !== undefined) write(v.md, table, 'md');
    return;
  }

  const result = await run(options);
  clearProgress();
  const md = markdown(result);
  say(md);
  if (v.json !== undefined) {
    const text = `${JSON.stringify(result, null, 1)}\n`;
    if (toStdout) process.stdout.write(text);
    else {
      write(v.json, text, 'json');
      // Results meant to be shared: the table and the chart next to the JSON.
      const base = v.json.replace(/\.json$/i, '');
      if (v.md === undefined) write(`${base}.md`, md, 'json');
      if (v.svg === undefined) write(`${base}.svg`, svg(result), 'json');
      say(`wrote ${v.json}, ${base}.md and ${base}.svg\n`);
    }
  }
  if (v.md !== undefined) write(v.md, md, 'md');
  if (v.svg !== undefined) write(v.svg, svg(result), 'svg');
}
