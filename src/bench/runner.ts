/**
 * Timing: a function is warmed up (V8 runs new wasm in its baseline tier and swaps in the
 * optimised code in the background), then called in batches sized so one sample lasts at least
 * the per-sample budget, so timer resolution (100 µs in some browsers) never dominates.
 */

export interface Timing {
  /** Seconds per call: median, fastest and slowest sample. */
  median: number;
  min: number;
  max: number;
  /** (slowest − fastest) / median: how much the samples disagree. */
  spread: number;
  samples: number;
  /** Calls per sample. */
  calls: number;
}

export interface TimingOptions {
  /** Samples taken after calibration. */
  samples: number;
  /** Minimum milliseconds per sample. */
  minMs: number;
  /** Milliseconds of warm-up calls before calibrating. */
  warmMs: number;
}

export const now = (): number => performance.now();

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/**
 * Calls per sample so that one sample lasts at least `minMs`, and never under 1 ms: ten ticks of
 * the coarsest browser timer (100 µs), so no sample of a tiny kernel reads 0 (an infinite rate).
 */
export const MIN_SAMPLE_MS = 1;
export function calibrate(fn: () => unknown, minMs: number): number {
  const budget = Math.max(minMs, MIN_SAMPLE_MS);
  let calls = 1;
  for (;;) {
    const t0 = now();
    for (let i = 0; i < calls; i++) fn();
    const dt = now() - t0;
    if (dt >= budget) return calls;
    // Aim 20% over the budget; at least double, so a timer that reads 0 still converges.
    calls = Math.max(calls * 2, Math.ceil((calls * budget * 1.2) / Math.max(dt, 0.01)));
  }
}

/** Times `fn`: warm-up, calibration, then `samples` samples of `calls` calls each. */
export function time(fn: () => unknown, o: TimingOptions): Timing {
  const tw = now();
  do fn();
  while (now() - tw < o.warmMs);
  const calls = calibrate(fn, o.minMs);
  const secs: number[] = [];
  for (let s = 0; s < o.samples; s++) {
    const t0 = now();
    for (let i = 0; i < calls; i++) fn();
    secs.push((now() - t0) / 1000 / calls);
  }
  return summarize(secs, calls);
}

export function summarize(secs: readonly number[], calls: number): Timing {
  const med = median(secs);
  const min = Math.min(...secs);
  const max = Math.max(...secs);
  return { median: med, min, max, spread: med > 0 ? (max - min) / med : 0, samples: secs.length, calls };
}
