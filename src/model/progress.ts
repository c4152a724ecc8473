/**
 * `verbose: 1`: a live progress bar per epoch in a Node/Deno terminal (steps, loss, metrics,
 * samples/s, ETA); one line per epoch where output is not a terminal, in browsers, and with
 * `verbose: 2`. A dataset of unknown length shows the batch count without a bar or ETA.
 */
import type { CallbackHooks, Logs } from './callbacks.ts';

interface Stream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

function stdout(): Stream | null {
  const p = (globalThis as { process?: { stdout?: Stream } }).process;
  return p?.stdout && typeof p.stdout.write === 'function' ? p.stdout : null;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** `key value` pairs; validation values after the others (epoch logs hold them first, as TF.js writes them). */
export function formatLogs(logs: Logs, skip: string[] = []): string {
  const entries = Object.entries(logs);
  return [...entries.filter(([k]) => !k.startsWith('val_')), ...entries.filter(([k]) => k.startsWith('val_'))]
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(' · ');
}
const fmt = (v: number) => (Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(4));
const fmtTime = (s: number) => (s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(1)}s`);

export class ProgressBar implements CallbackHooks {
  private out = stdout();
  private tty: boolean;
  private epochStart = 0;
  private lastDraw = 0;
  private seen = 0;
  private sums: Record<string, number> = {};

  constructor(
    private readonly epochs: number,
    private readonly steps: number | null,
    private readonly samples: number | null,
    /** Test hook: where lines go. */
    out?: Stream,
    /** One line per epoch even on a terminal (verbose 2). */
    linesOnly = false,
  ) {
    if (out) this.out = out;
    this.tty = !!this.out?.isTTY && !linesOnly;
  }

  /** Usable line width; a pseudo-terminal may report 0 columns. */
  private width(): number {
    return Math.max(40, (this.out?.columns || 120) - 1);
  }

  private line(s: string): void {
    if (this.out) this.out.write(s + '\n');
    else console.log(s);
  }

  onEpochBegin(epoch: number): void {
    this.epochStart = now();
    this.lastDraw = 0;
    this.seen = 0;
    this.batches = 0;
    this.sums = {};
    this.epoch = epoch;
  }
  private batches = 0;
  private epoch = 0;

  onBatchEnd(batch: number, logs: Logs = {}): void {
    const size = logs.size ?? 0;
    this.seen += size;
    this.batches = batch + 1;
    for (const [k, v] of Object.entries(logs)) if (k !== 'size' && k !== 'batch') this.sums[k] = (this.sums[k] ?? 0) + v * size;
    if (!this.tty) return;
    const t = now();
    if (t - this.lastDraw < 100 && (this.steps === null || batch + 1 < this.steps)) return;
    this.lastDraw = t;
    const elapsed = (t - this.epochStart) / 1000;
    const rate = this.seen / Math.max(elapsed, 1e-9);
    const means: Logs = {};
    for (const [k, v] of Object.entries(this.sums)) means[k] = v / Math.max(this.seen, 1);
    const speed = `${Math.round(rate).toLocaleString('en-US')} samples/s`;
    let text: string;
    if (this.steps === null) {
      text = `Epoch ${this.epoch + 1}/${this.epochs} ${batch + 1} batches ${formatLogs(means)} · ${speed}`;
    } else {
      const width = 24;
      const done = Math.min(width, Math.round(((batch + 1) / this.steps) * width));
      const bar = '='.repeat(Math.max(done - 1, 0)) + (done < width ? '>' : '=') + ' '.repeat(width - done);
      const left = this.samples !== null ? this.samples - this.seen : (this.seen / (batch + 1)) * (this.steps - batch - 1);
      const eta = Math.max(left, 0) / Math.max(rate, 1e-9);
      text = `Epoch ${this.epoch + 1}/${this.epochs} [${bar}] ${batch + 1}/${this.steps} ${formatLogs(means)} · ${speed} · ETA ${fmtTime(eta)}`;
    }
    const cols = this.width();
    this.out!.write('\r' + text.slice(0, cols).padEnd(cols));
  }

  onEpochEnd(epoch: number, logs: Logs = {}): void {
    const elapsed = (now() - this.epochStart) / 1000;
    const rate = Math.round(this.seen / Math.max(elapsed, 1e-9)).toLocaleString('en-US');
    const steps = this.steps === null ? `${this.batches} batches` : `${this.batches}/${this.steps}`;
    const text = `Epoch ${epoch + 1}/${this.epochs} ${steps} ${fmtTime(elapsed)} · ${formatLogs(logs)} · ${rate} samples/s`;
    if (this.tty) this.out!.write('\r' + ' '.repeat(this.width()) + '\r');
    this.line(text);
  }
}
