/**
 * `utils.plotHistory(history)`: the training curves of a `fit` history as one self-contained SVG
 * string (no scripts, no external styles or fonts), e.g. for `simdnet train --plot curves.svg`.
 *
 * One panel per metric, stacked vertically: the training values and, when present, the
 * validation values (`val_<metric>`) as one `<polyline>` each, one point per epoch, with the
 * epoch (1-based) on the x axis, the metric on the y axis, ticks and a legend. A non-finite value
 * (a diverged loss) is left out of its line.
 */
import { checkNumber, checkOptions, describe } from '../tensor.ts';

export interface PlotHistoryArgs {
  /** The metrics to draw, one panel each (default: every training metric in the history, loss first). */
  metrics?: string[];
  /** Width of the picture in pixels (default 640). */
  width?: number;
  /** Height of the picture in pixels (default 240 per panel). */
  height?: number;
}

/** What plotHistory reads of a history: `fit`'s History, or any `{ epoch?, history }` of per-epoch lists. */
export interface HistoryLike {
  epoch?: number[];
  history: Record<string, number[]>;
}

const COLORS = { train: '#1f77b4', val: '#ff7f0e' };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A coordinate with at most two decimals (compact and exact enough for pixels). */
const px = (v: number) => String(Math.round(v * 100) / 100);

/** About `count` round tick values covering [lo, hi] (1, 2, 5 × 10^k steps). */
function ticks(lo: number, hi: number, count: number): number[] {
  const raw = (hi - lo) / Math.max(count, 1);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function label(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

export function plotHistory(history: HistoryLike, args?: PlotHistoryArgs): string {
  const who = 'utils.plotHistory';
  if (typeof history !== 'object' || history === null || typeof history.history !== 'object' || history.history === null) {
    throw new TypeError(`${who}: expected the history fit returns ({ epoch, history }), got ${describe(history)}`);
  }
  const a = checkOptions(args, who, ['metrics', 'width', 'height']);
  const h = history.history;
  const keys = Object.keys(h);
  for (const k of keys) {
    if (!Array.isArray(h[k]) || !h[k].every((v) => typeof v === 'number')) throw new TypeError(`${who}: history.${k} must be a list of numbers (one per epoch), got ${describe(h[k])}`);
  }
  let metrics: string[];
  if (a.metrics !== undefined) {
    if (!Array.isArray(a.metrics) || a.metrics.length === 0 || !a.metrics.every((m) => typeof m === 'string')) throw new TypeError(`${who}: metrics must be a non-empty list of metric names, got ${describe(a.metrics)}`);
    for (const m of a.metrics) if (!keys.includes(m) && !keys.includes(`val_${m}`)) throw new Error(`${who}: the history has no '${m}' (it holds ${keys.join(', ') || 'nothing'})`);
    metrics = a.metrics;
  } else {
    const base = [...new Set(keys.map((k) => k.replace(/^val_/, '')))].filter((k) => k !== 'learning_rate' && k !== 'lr');
    metrics = [...base.filter((k) => k === 'loss'), ...base.filter((k) => k !== 'loss')];
    if (!metrics.length) throw new Error(`${who}: the history holds no metric to plot (no epochs were recorded)`);
  }
  const width = checkNumber(a.width ?? 640, `${who}: width`, { min: 160, integer: true });
  const height = checkNumber(a.height ?? 240 * metrics.length, `${who}: height`, { min: 120 * metrics.length, integer: true });
  const epochs = Math.max(...metrics.flatMap((m) => [h[m]?.length ?? 0, h[`val_${m}`]?.length ?? 0]));
  const epochNumbers = (history.epoch && history.epoch.length === epochs ? history.epoch : Array.from({ length: epochs }, (_, i) => i)).map((e) => e + 1);

  const panelH = height / metrics.length;
  const m = { left: 64, right: 16, top: 28, bottom: 44 };
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
  ];
  metrics.forEach((metric, pi) => {
    const series = [
      { key: metric, name: 'train', color: COLORS.train },
      { key: `val_${metric}`, name: 'validation', color: COLORS.val },
    ].filter((s) => h[s.key] !== undefined);
    const values = series.flatMap((s) => h[s.key].filter((v) => Number.isFinite(v)));
    let lo = values.length ? Math.min(...values) : 0;
    let hi = values.length ? Math.max(...values) : 1;
    if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
      const d = Math.abs(hi) * 0.1 || 1;
      lo -= d;
      hi += d;
    }
    const pad = (hi - lo) * 0.05;
    lo -= pad;
    hi += pad;
    const y0 = pi * panelH;
    const plot = { x: m.left, y: y0 + m.top, w: width - m.left - m.right, h: panelH - m.top - m.bottom };
    const first = epochNumbers[0] ?? 1;
    const last = epochNumbers[epochNumbers.length - 1] ?? 1;
    const xOf = (e: number) => plot.x + (last === first ? plot.w / 2 : ((e - first) / (last - first)) * plot.w);
    const yOf = (v: number) => plot.y + plot.h - ((v - lo) / (hi - lo)) * plot.h;

    parts.push(`<g class="panel" data-metric="${esc(metric)}">`);
    parts.push(`<text x="${px(width / 2)}" y="${px(y0 + 18)}" text-anchor="middle" font-size="13" font-weight="bold">${esc(metric)}</text>`);
    // Grid and y ticks.
    for (const t of ticks(lo, hi, 5)) {
      const y = yOf(t);
      parts.push(`<line x1="${px(plot.x)}" y1="${px(y)}" x2="${px(plot.x + plot.w)}" y2="${px(y)}" stroke="#e0e0e0"/>`);
      parts.push(`<text x="${px(plot.x - 6)}" y="${px(y + 4)}" text-anchor="end">${esc(label(t))}</text>`);
    }
    // x ticks: every epoch when they fit, else round steps.
    const xt = last - first + 1 <= 12 ? epochNumbers : ticks(first, last, 8).filter((e) => Number.isInteger(e));
    for (const e of xt) parts.push(`<text x="${px(xOf(e))}" y="${px(plot.y + plot.h + 16)}" text-anchor="middle">${esc(String(e))}</text>`);
    // Axes and their labels.
    parts.push(`<path d="M${px(plot.x)} ${px(plot.y)}V${px(plot.y + plot.h)}H${px(plot.x + plot.w)}" fill="none" stroke="#333333"/>`);
    parts.push(`<text class="x-label" x="${px(plot.x + plot.w / 2)}" y="${px(plot.y + plot.h + 34)}" text-anchor="middle">epoch</text>`);
    const cy = plot.y + plot.h / 2;
    parts.push(`<text class="y-label" x="14" y="${px(cy)}" text-anchor="middle" transform="rotate(-90 14 ${px(cy)})">${esc(metric)}</text>`);
    // The curves and the legend.
    series.forEach((s, si) => {
      const pts = h[s.key].flatMap((v, i) => (Number.isFinite(v) && i < epochNumbers.length ? [`${px(xOf(epochNumbers[i]))},${px(yOf(v))}`] : []));
      parts.push(`<polyline data-series="${esc(s.key)}" points="${pts.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
      const lx = plot.x + plot.w - 110;
      const ly = plot.y + 8 + si * 16;
      parts.push(`<line x1="${px(lx)}" y1="${px(ly)}" x2="${px(lx + 18)}" y2="${px(ly)}" stroke="${s.color}" stroke-width="2"/>`);
      parts.push(`<text x="${px(lx + 24)}" y="${px(ly + 4)}">${esc(s.name)}</text>`);
    });
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
