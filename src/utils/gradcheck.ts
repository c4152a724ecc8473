/**
 * Numerical gradient check: backprop gradients of every weight against finite differences
 * of the loss, on one batch. Returns the largest relative error per layer. Works on any graph
 * model (fan-out and shared layers included).
 *
 * The forward pass runs in f32, so the loss carries ~1e-7 relative noise. A fourth-order
 * stencil, f' ≈ [8(f(w+h) − f(w−h)) − (f(w+2h) − f(w−2h))] / 12h, allows a step large enough
 * to drown that noise (h = 3e-3 by default) with a truncation error of O(h⁴). A layer's error
 * is the relative error of its gradient as a vector, ‖a − n‖ / max(‖a‖, ‖n‖) over the entries
 * checked: per-entry ratios of tiny entries measure the f32 noise, not the backward pass. The
 * worst single entry, |a − n| / max(|a|, |n|) over entries at least 1% of the layer's largest,
 * is reported too.
 */
import type { LayersModel } from '../model/model.ts';
import type { ModelData } from '../model/staging.ts';
import { backend } from '../wasm/loader.ts';
import { checkBoolean, checkNumber, checkOptions, type Tensor } from '../tensor.ts';

export interface GradCheckOptions {
  /** Step relative to the weight: h = epsilon·max(1, |w|). Default 3e-3. */
  epsilon?: number;
  /** Entries checked per weight tensor, spread evenly (all of them when fewer). Default 50. */
  maxPerParam?: number;
  /**
   * true: differentiate the loss as a training step computes it (BatchNormalization with the
   * batch's statistics), the loss the backward pass is the gradient of. Default false: the loss
   * as evaluate computes it (inference mode), the same function for layers without a training
   * mode.
   */
  training?: boolean;
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

/**
 * Gradients of the compiled loss (with y) or of the sum of every output (without y), with
 * respect to every float input and every weight (`weights` in `model.getWeights()` order).
 */
export function gradients(model: LayersModel, x: ModelData, y?: ModelData): { inputs: Tensor[]; weights: Tensor[] } {
  const xs = model.checkX(x, 'gradients: x');
  const n = xs[0].shape[0];
  if (n === 0) throw new Error('gradients: empty batch');
  const ys = y === undefined ? null : model.checkY(y, n, 'gradients: y');
  return model.gradientsOf(xs, ys);
}

export function checkGradients(model: LayersModel, x: ModelData, y: ModelData, opts: GradCheckOptions = {}): GradCheckResult {
  const o = checkOptions(opts, 'checkGradients', ['epsilon', 'maxPerParam', 'training']);
  const training = checkBoolean(o.training ?? false, 'checkGradients: training');
  // A step beyond 1 measures curvature, not the gradient; NaN or 0 would divide by zero.
  const eps = checkNumber(o.epsilon ?? 3e-3, 'checkGradients: epsilon', { min: 0, max: 1, minExclusive: true });
  const maxPer = checkNumber(o.maxPerParam ?? 50, 'checkGradients: maxPerParam', { min: 1, integer: true, max: 0x7fffffff });
  // Each training forward draws a new dropout/noise mask, so finite differences would compare
  // different functions: refuse rather than report a meaningless error.
  const noisy = training ? model.layers.filter((l) => (l as { identityAtInference?: boolean }).identityAtInference) : [];
  if (noisy.length) throw new Error(`checkGradients: training mode through ${noisy.map((l) => l.name).join(', ')} is not supported (each training forward draws a new mask); check without training: true, or without those layers`);
  const before = model.snapshotParams();
  const { arena } = backend();
  const grads = gradients(model, x, y).weights;
  const entries = model.weightEntries();
  const xs = training ? model.checkX(x, 'checkGradients: x') : [];
  const ys = training ? model.checkY(y, xs[0].shape[0], 'checkGradients: y') : [];
  const lossAt = (at: number, w: number): number => {
    arena.f32[at] = w;
    if (training) return model.evaluateRange(xs, ys, xs[0].shape[0], 0, xs[0].shape[0], true)[0];
    return model.evaluateValues(x, y, { batchSize: Number.MAX_SAFE_INTEGER })[0];
  };
  const perLayer: Record<string, number> = {};
  const worstEntry: Record<string, number> = {};
  let maxError = 0;
  let checked = 0;
  try {
    for (const layer of model.layers) {
      const mine = entries.map((e, i) => ({ ...e, g: grads[i].values })).filter((e) => e.layer === layer);
      if (mine.length === 0) continue;
      let largest = 0;
      for (const { g } of mine) for (let i = 0; i < g.length; i++) largest = Math.max(largest, Math.abs(g[i]));
      const floor = Math.max(1e-2 * largest, 1e-12);
      let worst = 0;
      let diff2 = 0;
      let a2 = 0;
      let n2 = 0;
      for (const { p, g } of mine) {
        const stride = Math.max(1, Math.floor(p.size / maxPer));
        for (let i = 0; i < p.size; i += stride) {
          const at = (p.ptr >>> 2) + i;
          const w = arena.f32[at];
          // Steps that are exact in f32, so the denominator is the step actually taken.
          const h = Math.fround(eps * Math.max(1, Math.abs(w)));
          const numeric =
            (8 * (lossAt(at, w + h) - lossAt(at, w - h)) - (lossAt(at, w + 2 * h) - lossAt(at, w - 2 * h))) / (12 * h);
          arena.f32[at] = w;
          const analytic = g[i];
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
