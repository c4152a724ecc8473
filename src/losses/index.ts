/**
 * Losses (TF.js names). Softmax + cross-entropy and sigmoid + binary cross-entropy are fused:
 * the loss kernel reads the pre-activation values and writes their gradient directly. On any
 * other output, cross-entropy is computed as TF.js computes it (each row normalised by its sum,
 * clipped to [1e-7, 1 − 1e-7]) by the probability kernels, and its gradient flows back through
 * the output layer's activation like any other loss.
 */
import type { Head } from '../layers/layer.ts';
import type { Kernels } from '../wasm/abi.ts';
import { describe, hasOwnName } from '../tensor.ts';

/** The model's output as the loss sees it. */
export interface Output {
  y: number;
  dy: number;
  head: Head | null;
  /** Output rows (samples × rows per sample) and the last dimension. */
  rows: number;
  cols: number;
}

export interface Loss {
  readonly name: LossName;
  /** Labels are class indices (int32, one per row) rather than tensors shaped like the output. */
  readonly sparse: boolean;
  /** Mean loss over the rows; accumulates its gradient when `grad` is true. */
  compute(k: Kernels, out: Output, labels: number, grad: boolean): number;
  /**
   * Σ w[r]·loss(row r) / rows with w[rows] at byte address `w` (read through `f32`, the arena's
   * current view): per-sample weights as TF.js applies class weights. The gradient (when `grad`)
   * is the unweighted one with each row scaled by its weight.
   */
  computeWeighted(k: Kernels, f32: Float32Array, out: Output, labels: number, w: number, grad: boolean): number;
  /** The buffer its gradient goes to (to scale it by a loss weight). */
  gradPtr(out: Output): number;
}

export const LOSSES = ['categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError', 'meanAbsoluteError'] as const;
export type LossName = (typeof LOSSES)[number];
const ALIASES: Record<string, LossName> = {
  mse: 'meanSquaredError',
  mae: 'meanAbsoluteError',
  categorical_crossentropy: 'categoricalCrossentropy',
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  binary_crossentropy: 'binaryCrossentropy',
  mean_squared_error: 'meanSquaredError',
  mean_absolute_error: 'meanAbsoluteError',
};

/** One way of computing a loss: a kernel over `rows` rows of `cols`, and where it reads and writes. */
interface Impl {
  /** Mean loss over the rows; accumulates the gradient into g when g ≠ 0. */
  run(k: Kernels, g: number, pred: number, t: number, rows: number, cols: number): number;
  pred(o: Output): number;
  grad(o: Output): number;
}

const onY = (run: Impl['run']): Impl => ({ run, pred: (o) => o.y, grad: (o) => o.dy });
const onHead = (run: Impl['run']): Impl => ({ run, pred: (o) => o.head!.z, grad: (o) => o.head!.dz });
/** Kernels over n values: n = rows·cols, and a row's loss is the mean over its columns (TF.js's per-sample loss). */
const flat = (f: (k: Kernels, g: number, p: number, t: number, n: number) => number): Impl['run'] => (k, g, p, t, rows, cols) => f(k, g, p, t, rows * cols);

const SOFTMAX_XENT_SPARSE = onHead((k, g, z, t, rows, cols) => k.softmax_xent_sparse_f32(0, g, z, t, rows, cols));
const CCE_SPARSE = onY((k, g, y, t, rows, cols) => k.cce_sparse_f32(g, y, t, rows, cols));
const SOFTMAX_XENT = onHead((k, g, z, t, rows, cols) => k.softmax_xent_f32(0, g, z, t, rows, cols));
const CCE = onY((k, g, y, t, rows, cols) => k.cce_f32(g, y, t, rows, cols));
const BCE_LOGITS = onHead(flat((k, g, z, t, n) => k.bce_logits_f32(g, z, t, n)));
const BCE = onY(flat((k, g, y, t, n) => k.bce_f32(g, y, t, n)));
const MSE = onY(flat((k, g, y, t, n) => k.mse_f32(g, y, t, n)));
const MAE = onY(flat((k, g, y, t, n) => k.mae_f32(g, y, t, n)));

function makeLoss(name: LossName, sparse: boolean, pick: (o: Output) => Impl): Loss {
  const labelRow = (cols: number) => (sparse ? 1 : cols);
  return {
    name,
    sparse,
    compute(k, o, t, grad) {
      const impl = pick(o);
      return impl.run(k, grad ? impl.grad(o) : 0, impl.pred(o), t, o.rows, o.cols);
    },
    computeWeighted(k, f32, o, t, w, grad) {
      const impl = pick(o);
      const p = impl.pred(o);
      if (grad) {
        // The loss is the first to write this gradient buffer in a step, so scaling its rows
        // after the unweighted gradient weights exactly this loss's share.
        const g = impl.grad(o);
        impl.run(k, g, p, t, o.rows, o.cols);
        k.scale_rows_f32(g, w, o.rows, o.cols);
      }
      const rowBytes = o.cols * 4;
      const labelBytes = labelRow(o.cols) * 4;
      const w0 = w >>> 2;
      let total = 0;
      for (let r = 0; r < o.rows; r++) total += f32[w0 + r] * impl.run(k, 0, p + r * rowBytes, t + r * labelBytes, 1, o.cols);
      return total / Math.max(o.rows, 1);
    },
    gradPtr: (o) => pick(o).grad(o),
  };
}

const softmaxHead = (o: Output) => o.head?.activation === 'softmax';
const sigmoidHead = (o: Output) => o.head?.activation === 'sigmoid';

/** The canonical name of a loss given by name (aliases included), or null. */
export function lossName(name: unknown): LossName | null {
  if (hasOwnName(ALIASES, name)) return ALIASES[name];
  return typeof name === 'string' && (LOSSES as readonly string[]).includes(name) ? (name as LossName) : null;
}

export function getLoss(name: string): Loss {
  // Own names only: 'toString' or 'constructor' must not reach Object.prototype.
  const n = lossName(name);
  switch (n) {
    case 'sparseCategoricalCrossentropy':
      return makeLoss(n, true, (o) => (softmaxHead(o) ? SOFTMAX_XENT_SPARSE : CCE_SPARSE));
    case 'categoricalCrossentropy':
      return makeLoss(n, false, (o) => (softmaxHead(o) ? SOFTMAX_XENT : CCE));
    case 'binaryCrossentropy':
      return makeLoss(n, false, (o) => (sigmoidHead(o) ? BCE_LOGITS : BCE));
    case 'meanSquaredError':
      return makeLoss(n, false, () => MSE);
    case 'meanAbsoluteError':
      return makeLoss(n, false, () => MAE);
    default:
      throw new Error(`compile: unknown loss ${describe(name)}; expected one of ${LOSSES.join(', ')} (or mse, mae)`);
  }
}
