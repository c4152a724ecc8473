/**
 * Metrics, computed on the host from the output the forward pass left in the arena.
 * 'accuracy' / 'acc' resolve as in TF.js: binary for a 1-unit output or binary cross-entropy,
 * sparse categorical for sparse labels, categorical otherwise.
 */
import type { Kernels } from '../wasm/abi.ts';
import type { Arena } from '../memory/arena.ts';
import type { Loss } from '../losses/index.ts';
import { describe } from '../tensor.ts';

export interface MetricContext {
  k: Kernels;
  arena: Arena;
  y: number;
  labels: number;
  rows: number;
  cols: number;
  /** Two i32 scratch buffers of at least `rows` entries. */
  scratchA: number;
  scratchB: number;
}

export interface Metric {
  /** The name as the user gave it: it keys the logs and the history. */
  readonly name: string;
  /** Mean over the batch. */
  compute(c: MetricContext): number;
}

function sparseAccuracy(c: MetricContext): number {
  c.k.argmax_rows_f32(c.scratchA, c.y, c.rows, c.cols);
  const i32 = c.arena.i32;
  const a = c.scratchA >>> 2;
  const t = c.labels >>> 2;
  let hit = 0;
  for (let i = 0; i < c.rows; i++) if (i32[a + i] === i32[t + i]) hit++;
  return hit / c.rows;
}
function categoricalAccuracy(c: MetricContext): number {
  c.k.argmax_rows_f32(c.scratchA, c.y, c.rows, c.cols);
  c.k.argmax_rows_f32(c.scratchB, c.labels, c.rows, c.cols);
  const i32 = c.arena.i32;
  const a = c.scratchA >>> 2;
  const b = c.scratchB >>> 2;
  let hit = 0;
  for (let i = 0; i < c.rows; i++) if (i32[a + i] === i32[b + i]) hit++;
  return hit / c.rows;
}
function binaryAccuracy(c: MetricContext): number {
  const f32 = c.arena.f32;
  const y = c.y >>> 2;
  const t = c.labels >>> 2;
  const n = c.rows * c.cols;
  let hit = 0;
  for (let i = 0; i < n; i++) if (f32[y + i] > 0.5 === f32[t + i] > 0.5) hit++;
  return hit / n;
}
function meanError(square: boolean) {
  return (c: MetricContext): number => {
    const f32 = c.arena.f32;
    const y = c.y >>> 2;
    const t = c.labels >>> 2;
    const n = c.rows * c.cols;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const d = f32[y + i] - f32[t + i];
      s += square ? d * d : Math.abs(d);
    }
    return s / n;
  };
}

const NAMES = ['accuracy', 'acc', 'mse', 'mae', 'meanSquaredError', 'meanAbsoluteError', 'binaryAccuracy', 'categoricalAccuracy', 'sparseCategoricalAccuracy'];

export function getMetric(name: string, loss: Loss, cols: number): Metric {
  let compute: Metric['compute'];
  // A string from the list, nothing else (a switch on strings never reaches Object.prototype).
  switch (typeof name === 'string' && NAMES.includes(name) ? name : '') {
    case 'accuracy':
    case 'acc':
      if (cols === 1 || loss.name === 'binaryCrossentropy') compute = loss.sparse ? sparseAccuracy : binaryAccuracy;
      else compute = loss.sparse ? sparseAccuracy : categoricalAccuracy;
      break;
    case 'binaryAccuracy':
      compute = binaryAccuracy;
      break;
    case 'categoricalAccuracy':
      compute = categoricalAccuracy;
      break;
    case 'sparseCategoricalAccuracy':
      compute = sparseAccuracy;
      break;
    case 'mse':
    case 'meanSquaredError':
      compute = meanError(true);
      break;
    case 'mae':
    case 'meanAbsoluteError':
      compute = meanError(false);
      break;
    default:
      throw new Error(`compile: unknown metric ${describe(name)}; expected one of ${NAMES.join(', ')}`);
  }
  if (loss.sparse && compute !== sparseAccuracy) {
    throw new Error(`compile: metric '${name}' needs targets shaped like the output, but loss '${loss.name}' takes class indices`);
  }
  if (!loss.sparse && compute === sparseAccuracy) {
    throw new Error(`compile: metric '${name}' needs class-index labels, but loss '${loss.name}' takes targets shaped like the output`);
  }
  return { name, compute };
}
