/**
 * Losses (TF.js names). Softmax + cross-entropy and sigmoid + binary cross-entropy are fused:
 * the loss kernel reads the pre-activation values and writes their gradient directly.
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
  /** Mean loss over the batch; accumulates its gradient when `grad` is true. */
  compute(k: Kernels, out: Output, labels: number, grad: boolean): number;
  /** The buffer its gradient goes to (to scale it by a loss weight). */
  gradPtr(out: Output): number;
  /** Throws when the output layer cannot feed this loss. */
  check(out: { head: Head | null; cols: number; layer: string }): void;
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

function needsSoftmax(name: string) {
  return (out: { head: Head | null; layer: string }) => {
    if (out.head?.activation !== 'softmax') {
      throw new Error(
        `compile: loss '${name}' expects the last layer (${out.layer}) to end in a softmax activation ` +
          `(it is fused with it); add activation: 'softmax' or a layers.softmax()`,
      );
    }
  };
}
const elementwise = (name: LossName, kernel: 'mse_f32' | 'mae_f32'): Loss => ({
  name,
  sparse: false,
  compute: (k, o, t, grad) => k[kernel](grad ? o.dy : 0, o.y, t, o.rows * o.cols),
  gradPtr: (o) => o.dy,
  check() {},
});

export function getLoss(name: string): Loss {
  // Own names only: 'toString' or 'constructor' must not reach Object.prototype.
  const n = (hasOwnName(ALIASES, name) ? ALIASES[name] : typeof name === 'string' && (LOSSES as readonly string[]).includes(name) ? name : '') as LossName;
  switch (n) {
    case 'sparseCategoricalCrossentropy':
      return {
        name: n,
        sparse: true,
        compute: (k, o, t, grad) => k.softmax_xent_sparse_f32(0, grad ? o.head!.dz : 0, o.head!.z, t, o.rows, o.cols),
        gradPtr: (o) => o.head!.dz,
        check: needsSoftmax(n),
      };
    case 'categoricalCrossentropy':
      return {
        name: n,
        sparse: false,
        compute: (k, o, t, grad) => k.softmax_xent_f32(0, grad ? o.head!.dz : 0, o.head!.z, t, o.rows, o.cols),
        gradPtr: (o) => o.head!.dz,
        check: needsSoftmax(n),
      };
    case 'binaryCrossentropy':
      return {
        name: n,
        sparse: false,
        compute: (k, o, t, grad) =>
          o.head?.activation === 'sigmoid'
            ? k.bce_logits_f32(grad ? o.head.dz : 0, o.head.z, t, o.rows * o.cols)
            : k.bce_f32(grad ? o.dy : 0, o.y, t, o.rows * o.cols),
        gradPtr: (o) => (o.head?.activation === 'sigmoid' ? o.head.dz : o.dy),
        check() {},
      };
    case 'meanSquaredError':
      return elementwise(n, 'mse_f32');
    case 'meanAbsoluteError':
      return elementwise(n, 'mae_f32');
    default:
      throw new Error(`compile: unknown loss ${describe(name)}; expected one of ${LOSSES.join(', ')} (or mse, mae)`);
  }
}
