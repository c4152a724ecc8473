/**
 * bench.html's script (bundled by build.mjs into dist/bench.js, binaries inlined): a form for the
 * options, then the table and the bar chart of the run, and the JSON to download. Query
 * parameters preset the form (quick, kernels, sizes, binary, samples, minMs, block); `run`
 * starts at once. The result is also left in `window.__benchResult` (or the error in
 * `window.__benchError`) for headless drivers.
 */
import { run, markdown, svg, describeRun, FAMILIES, type BenchResult, type BenchOptions } from './index.ts';

type W = Window & { __benchResult?: BenchResult; __benchError?: string };
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function options(q: URLSearchParams): BenchOptions {
  const num = (k: string) => (q.has(k) ? Number(q.get(k)) : undefined);
  return {
    quick: q.get('quick') === '1' || q.get('quick') === 'true',
    kernels: q.get('kernels') || undefined,
    sizes: q.get('sizes') || undefined,
    binary: (q.get('binary') as BenchOptions['binary']) || undefined,
    samples: num('samples'),
    minMs: num('minMs'),
    block: num('block'),
  };
}

function table(r: BenchResult): HTMLTableElement {
  const t = document.createElement('table');
  const head = ['kernel', 'shape', 'binary', 'value', 'unit', 'of peak', 'median ms', 'spread'];
  t.createTHead().insertRow().append(...head.map((h) => Object.assign(document.createElement('th'), { textContent: h })));
  const body = t.createTBody();
  for (const row of r.rows) {
    const v = row.gflops ?? row.gbps ?? NaN;
    const cells = [row.kernel, row.shape, row.binary, v.toFixed(1), row.gflops !== undefined ? 'GFLOP/s' : 'GB/s', `${Math.round(row.fraction_of_peak * 100)}%`, row.median_ms.toFixed(3), `${Math.round(row.spread * 100)}%`];
    const tr = body.insertRow();
    for (const c of cells) tr.insertCell().textContent = c;
  }
  return t;
}

async function start(): Promise<void> {
  const w = window as W;
  const form = $<HTMLFormElement>('form');
  const o: BenchOptions = {
    quick: $<HTMLInputElement>('quick').checked,
    kernels: FAMILIES.filter((f) => $<HTMLInputElement>(`k-${f}`).checked),
    binary: $<HTMLSelectElement>('binary').value as BenchOptions['binary'],
    ...pinned,
  };
  $('status').textContent = 'running…';
  for (const el of Array.from(form.elements)) (el as HTMLInputElement).disabled = true;
  try {
    const r = await run({ ...o, onProgress: (c) => ($('status').textContent = `running ${c.kernel} ${c.shape}…`) });
    $('status').textContent = describeRun(r);
    $('chart').innerHTML = svg(r);
    $('table').replaceChildren(table(r));
    const json = JSON.stringify(r, null, 1);
    const a = $<HTMLAnchorElement>('download');
    a.href = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    a.download = `simdnet-bench-${r.engine}.json`;
    a.hidden = false;
    const md = $<HTMLAnchorElement>('download-md');
    md.href = URL.createObjectURL(new Blob([markdown(r)], { type: 'text/markdown' }));
    md.download = `simdnet-bench-${r.engine}.md`;
    md.hidden = false;
    w.__benchResult = r;
  } catch (e) {
    $('status').textContent = `failed: ${(e as Error).message}`;
    w.__benchError = String((e as Error).message ?? e);
  } finally {
    for (const el of Array.from(form.elements)) (el as HTMLInputElement).disabled = false;
  }
}

// Options the form does not show (sizes, samples, minMs, block) come from the query string only.
let pinned: BenchOptions = {};

function setup(): void {
  const q = new URLSearchParams(location.search);
  const o = options(q);
  pinned = Object.fromEntries(Object.entries({ sizes: o.sizes, samples: o.samples, minMs: o.minMs, block: o.block }).filter(([, v]) => v !== undefined));
  const kernels = typeof o.kernels === 'string' ? o.kernels.split(',') : [...FAMILIES];
  $('families').replaceChildren(
    ...FAMILIES.map((f) => {
      const l = document.createElement('label');
      const c = Object.assign(document.createElement('input'), { type: 'checkbox', id: `k-${f}`, checked: kernels.includes(f) });
      l.append(c, ` ${f} `);
      return l;
    }),
  );
  $<HTMLInputElement>('quick').checked = !!o.quick;
  if (o.binary) $<HTMLSelectElement>('binary').value = o.binary;
  $<HTMLFormElement>('form').addEventListener('submit', (e) => {
    e.preventDefault();
    void start();
  });
  if (q.has('run')) void start();
}

setup();
