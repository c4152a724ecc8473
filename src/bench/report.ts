/**
 * Results meant to be shared: a markdown table, an SVG bar chart, the ratios between two result
 * files, and one table with a column per engine. Pure functions of BenchResult objects (JSON
 * round-trips them), so they run in every runtime, the browser page included.
 */
import type { BenchResult, BenchRow } from './run.ts';

const fmt = (v: number | undefined, digits = 1): string => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const pct = (v: number): string => (Number.isFinite(v) ? `${Math.round(v * 100)}%` : '–');
const value = (r: BenchRow): number => r.gflops ?? r.gbps ?? NaN;
const unit = (r: BenchRow): string => (r.gflops !== undefined ? 'GFLOP/s' : 'GB/s');
const rowKey = (r: BenchRow): string => `${r.kernel}|${r.shape}|${r.binary}`;

/** One line naming what the run measured on. */
export function describeRun(r: BenchResult): string {
  const engine = `${r.engine} ${r.version}${r.v8 ? ` (V8 ${r.v8})` : ''}`;
  const peaks = Object.entries(r.peaks)
    .map(([b, p]) => `${b}: peak ${fmt(p!.gflops)} GFLOP/s${p!.gbps ? `, copy ${fmt(p!.gbps)} GB/s` : ''}`)
    .join('; ');
  const threads = (r.threads ?? 1) > 1 ? `, ${r.threads} threads` : '';
  return `simdnet ${r.simdnet} bench${r.quick ? ' (quick)' : ''} — ${engine}, ${r.cpu}, ${r.cores} cores${threads} — ${peaks}`;
}

/** The rows as a markdown table: value, fraction of the peak (or of the copy bandwidth), median and spread. */
export function markdown(r: BenchResult): string {
  const lines = [
    describeRun(r),
    '',
    '| kernel | shape | binary | value | unit | of peak | median ms | spread |',
    '|---|---|---|---:|---|---:|---:|---:|',
  ];
  for (const row of r.rows) {
    lines.push(`| ${row.kernel} | ${row.shape} | ${row.binary} | ${fmt(value(row))} | ${unit(row)} | ${pct(row.fraction_of_peak)} | ${fmt(row.median_ms, 3)} | ${pct(row.spread)} |`);
  }
  lines.push('', 'of peak: GFLOP/s over the register-only SIMD peak, or GB/s over copy_f32 on the same block size. spread: (slowest − fastest sample) / median.');
  return `${lines.join('\n')}\n`;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const COLORS: Record<string, string> = { peak: '#555', gemm: '#1f77b4', conv: '#ff7f0e', pool: '#2ca02c', act: '#9467bd', softmax: '#d62728', optim: '#8c564b' };

/** A horizontal bar chart of every row's fraction of the peak, labelled with its value. */
export function svg(r: BenchResult): string {
  const rowH = 18, labelW = 420, barW = 360, top = 44, valueW = 130;
  const width = labelW + barW + valueW;
  const height = top + r.rows.length * rowH + 24;
  const max = Math.max(1, ...r.rows.map((x) => (Number.isFinite(x.fraction_of_peak) ? x.fraction_of_peak : 0)));
  const xOf = (f: number) => labelW + (barW * f) / max;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="8" y="18" font-size="13" font-weight="bold">${esc(describeRun(r))}</text>`,
    `<text x="8" y="36" fill="#444">fraction of the register-only peak (GFLOP/s rows) or of the copy bandwidth (GB/s rows)</text>`,
  ];
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    const x = xOf(f);
    parts.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${height - 20}" stroke="#ddd"/>`, `<text x="${x}" y="${height - 6}" text-anchor="middle" fill="#666">${Math.round(f * 100)}%</text>`);
  }
  r.rows.forEach((row, i) => {
    const y = top + i * rowH;
    const f = Number.isFinite(row.fraction_of_peak) ? Math.max(0, row.fraction_of_peak) : 0;
    parts.push(
      `<text x="${labelW - 6}" y="${y + 13}" text-anchor="end">${esc(`${row.kernel} ${row.shape}${r.binary === 'both' ? ` [${row.binary}]` : ''}`)}</text>`,
      `<rect x="${labelW}" y="${y + 3}" width="${(xOf(f) - labelW).toFixed(1)}" height="${rowH - 6}" fill="${COLORS[row.family] ?? '#999'}"/>`,
      `<text x="${xOf(f) + 4}" y="${y + 13}">${esc(`${fmt(value(row))} ${unit(row)} (${pct(row.fraction_of_peak)})`)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

/** The ratio b / a of every row the two results share (same kernel, shape and binary). */
export function compare(a: BenchResult, b: BenchResult): string {
  const bRows = new Map(b.rows.map((r) => [rowKey(r), r]));
  const lines = [`a: ${describeRun(a)}`, `b: ${describeRun(b)}`, '', '| kernel | shape | binary | unit | a | b | b / a |', '|---|---|---|---|---:|---:|---:|'];
  let shared = 0;
  for (const ra of a.rows) {
    const rb = bRows.get(rowKey(ra));
    if (!rb) continue;
    shared++;
    lines.push(`| ${ra.kernel} | ${ra.shape} | ${ra.binary} | ${unit(ra)} | ${fmt(value(ra))} | ${fmt(value(rb))} | ${fmt(value(rb) / value(ra), 2)}x |`);
  }
  const onlyA = a.rows.length - shared;
  const onlyB = b.rows.filter((r) => !a.rows.some((x) => rowKey(x) === rowKey(r))).length;
  if (onlyA || onlyB) lines.push('', `${onlyA} row(s) only in a, ${onlyB} only in b.`);
  return `${lines.join('\n')}\n`;
}

/** One table, a column per result (engine): GFLOP/s or GB/s, rows matched by kernel, shape and binary. */
export function byEngine(results: readonly BenchResult[]): string {
  const names = results.map((r) => `${r.engine} ${r.version}`);
  const lines = [...results.map((r) => `- ${describeRun(r)}`), '', `| kernel | shape | binary | unit | ${names.join(' | ')} |`, `|---|---|---|---|${names.map(() => '---:').join('|')}|`];
  const seen = new Set<string>();
  for (const r of results) {
    for (const row of r.rows) {
      const k = rowKey(row);
      if (seen.has(k)) continue;
      seen.add(k);
      const cells = results.map((x) => {
        const m = x.rows.find((y) => rowKey(y) === k);
        return m ? `${fmt(value(m))} (${pct(m.fraction_of_peak)})` : '–';
      });
      lines.push(`| ${row.kernel} | ${row.shape} | ${row.binary} | ${unit(row)} | ${cells.join(' | ')} |`);
    }
  }
  lines.push('', 'Each cell: the median sample, and in brackets its fraction of that engine\'s register-only peak (GFLOP/s) or copy bandwidth (GB/s).');
  return `${lines.join('\n')}\n`;
}

/** Checks that a parsed JSON file is a bench result (for --compare), naming what is wrong. */
export function checkResult(v: unknown, what: string): BenchResult {
  const r = v as BenchResult;
  if (!r || typeof r !== 'object' || r.tool !== 'simdnet bench' || !Array.isArray(r.rows)) throw new Error(`${what}: not a simdnet bench result (expected "tool": "simdnet bench" and a rows array)`);
  for (const [i, row] of r.rows.entries()) {
    if (typeof row?.kernel !== 'string' || typeof row.shape !== 'string' || (typeof row.gflops !== 'number' && typeof row.gbps !== 'number')) {
      throw new Error(`${what}: row ${i} lacks kernel, shape, or gflops/gbps`);
    }
  }
  return r;
}
