/**
 * Numerical gradient check: backprop gradients of every parameter against finite differences
 * of the loss, on one batch. Returns the largest relative error per layer.
 *
 * The forward pass runs in f32, so the loss carries ~1e-7 relative noise. A fourth-order
 * stencil, f' ≈ [8(f(w+h) − f(w−h)) − (f(w+2h) − f(w−2h))] / 12h, allows a step large enough
 * to drown that noise (h = 3e-3 by default) with a truncation error of O(h⁴). A layer's error
 * is the relative error of its gradient as a vector, ‖a − n‖ / max(‖a‖, ‖n‖) over the entries
 * checked: per-entry ratios of tiny entries measure the f32 noise, not the backward pass. The
 * worst single entry, |a − n| / max(|a|, |n|) over entries at least 1% of the layer's largest,
 * is reported too.
 */
import type { Sequential } from '../model/sequential.ts';
import { backend } from '../wasm/loader.ts';
import type { TensorLike } from '../tensor.ts';

export interface GradCheckOptions {
  /** Step relative to the weight: h = epsilon·max(1, |w|). Default 3e-3. */
  epsilon?: number;
  /** Entries checked per weight tensor, spread evenly (all of them when fewer). Default 50. */
  maxPerParam?: number;
}

export interface GradCheckResult {
  /** Relative error of each layer's gradient vector (layers with weights only). */
  perLayer: Record<string, number>;
  maxError: number;
  /** Worst single-entry relative error per layer, over entries ≥ 1% of the layer's largest. */
  worstEntry: Record<string, number>;
  /** Entries compared. */
  checked: number;
}

export function checkGradients(model: Sequential, x: TensorLike, y: TensorLike, opts: GradCheckOptions = {}): GradCheckResult {
  const eps = opts.epsilon ?? 3e-3;
  const maxPer = opts.maxPerParam ?? 50;
  const before = model.snapshotParams();
  const { arena } = backend();
  const gradBase = model.parameterBlock.gradPtr;
  const grads = model.gradients(x, y);
  const lossAt = (at: number, w: number): number => {
    arena.f32[at] = w;
    return model.evaluate(x, y, { batchSize: Number.MAX_SAFE_INTEGER })[0];
  };
  const perLayer: Record<string, number> = {};
  const worstEntry: Record<string, number> = {};
  let maxError = 0;
  let checked = 0;
  try {
    for (const layer of model.layers) {
      if (layer.params.length === 0) continue;
      let largest = 0;
      for (const p of layer.params) {
        const g0 = (p.gradPtr - gradBase) >>> 2;
        for (let i = 0; i < p.size; i++) largest = Math.max(largest, Math.abs(grads[g0 + i]));
      }
      const floor = Math.max(1e-2 * largest, 1e-12);
      let worst = 0;
      let diff2 = 0;
      let a2 = 0;
      let n2 = 0;
      for (const p of layer.params) {
        const stride = Math.max(1, Math.floor(p.size / maxPer));
        for (let i = 0; i < p.size; i += stride) {
          const at = (p.ptr >>> 2) + i;
          const w = arena.f32[at];
          // Steps that are exact in f32, so the denominator is the step actually taken.
          const h = Math.fround(eps * Math.max(1, Math.abs(w)));
          const numeric =
            (8 * (lossAt(at, w + h) - lossAt(at, w - h)) - (lossAt(at, w + 2 * h) - lossAt(at, w - 2 * h))) / (12 * h);
          arena.f32[at] = w;
          const analytic = grads[((p.gradPtr - gradBase) >>> 2) + i];
          diff2 += (analytic - numeric) ** 2;
          a2 += analytic ** 2;
          n2 += numeric ** 2;
          if (Math.max(Math.abs(analytic), Math.abs(numeric)) >= floor) {
            worst = Math.max(worst, Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric)));
          }
          checked++;
        }
      }
      const err = Math.sqrt(diff2) / Math.max(Math.sqrt(a2), Math.sqrt(n2), 1e-30);
      perLayer[layer.name] = err;
      worstEntry[layer.name] = worst;
      maxError = Math.max(maxError, err);
    }
  } finally {
    model.restoreParams(before);
  }
  return { perLayer, maxError, worstEntry, checked };
}
