/**
 * `tensor.toString()` and `print()` in TF.js's layout, so logs and tutorials read the same:
 * values to 7 decimals, columns padded to their widest cell, long dimensions elided to their
 * first and last 3 entries.
 */
import type { Tensor } from '../tensor.ts';

const LIMIT = 20;
const EDGE = 3;

function cell(v: number, dtype: string, pad: number): string {
  const s = dtype === 'bool' ? (v === 0 ? 'false' : 'true') : String(parseFloat(v.toFixed(7)));
  return s.padEnd(pad);
}

function lines(vals: ArrayLike<number>, shape: readonly number[], dtype: string, pads: number[], last: boolean): string[] {
  const n = shape[0];
  const rank = shape.length;
  if (rank === 0) return [dtype === 'bool' ? cell(vals[0], dtype, 0) : String(vals[0])];
  if (rank === 1) {
    const at = (i: number) => cell(vals[i], dtype, pads[i]);
    const idx = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => at(from + k));
    const body = n > LIMIT ? `${idx(0, EDGE).join(', ')}, ..., ${idx(n - EDGE, n).join(', ')}` : idx(0, n).join(', ');
    return [`[${body}]`];
  }
  const sub = shape.slice(1);
  const stride = vals.length / Math.max(n, 1);
  const part = (i: number, isLast: boolean) => lines(Array.prototype.slice.call(vals, i * stride, (i + 1) * stride) as number[], sub, dtype, pads, isLast);
  const out: string[] = [];
  if (n > LIMIT) {
    for (let i = 0; i < EDGE; i++) out.push(...part(i, false));
    out.push('...');
    for (let i = n - EDGE; i < n; i++) out.push(...part(i, i === n - 1));
  } else for (let i = 0; i < n; i++) out.push(...part(i, i === n - 1));
  const sep = rank === 2 ? ',' : '';
  out[0] = '[' + (n > 0 ? out[0] + sep : '');
  for (let i = 1; i < out.length - 1; i++) out[i] = ' ' + out[i] + sep;
  out[out.length - 1] = ' ' + out[out.length - 1] + ']' + (last ? '' : ',\n' + '\n'.repeat(Math.max(0, rank - 2)));
  return out;
}

export function tensorToString(t: Tensor, verbose = false): string {
  const vals = t.values;
  const { shape, dtype } = t;
  const cols = shape.length ? shape[shape.length - 1] : 1;
  const pads = new Array<number>(cols).fill(0);
  if (shape.length > 1) {
    for (let i = 0; i < vals.length; i++) pads[i % cols] = Math.max(pads[i % cols], cell(vals[i], dtype, 0).length);
  }
  const out = ['Tensor'];
  if (verbose) out.push(`  dtype: ${dtype}`, `  rank: ${shape.length}`, `  shape: [${shape}]`, '  values:');
  out.push(lines(vals, shape, dtype, pads, true).map((l) => '    ' + l).join('\n'));
  return out.join('\n');
}
