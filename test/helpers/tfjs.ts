/**
 * TensorFlow.js (cpu backend, float32) as the peer the graph-model tests compare against, and
 * the glue: seeded batches shared by both libraries, copying a simdnet model's weights into a
 * TF.js model layer by layer (matched by layer name, never by weight order), and comparing
 * weights after training with a relative-plus-absolute tolerance.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

export { tf, tfl };

/**
 * TF.js has no Subtract merge layer (Keras does): this one computes inputs[0] − inputs[1]
 * with TF.js autodiff, so simdnet's `layers.subtract()` has a peer.
 */
export class TfSubtract extends tfl.layers.Layer {
  static className = 'Subtract';
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    const shapes = inputShape as tfl.Shape[];
    if (shapes.length !== 2) throw new Error(`TfSubtract: expects 2 inputs, got ${shapes.length}`);
    return shapes[0];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [a, b] = inputs as tf.Tensor[];
    return tf.sub(a, b);
  }
}

/** `tfl` with `layers.subtract` added: the same factory names as simdnet, for one builder. */
export const tfLib = { ...tfl, layers: { ...tfl.layers, subtract: (args?: { name?: string }) => new TfSubtract(args ?? {}) } };

let ready: Promise<boolean> | null = null;
/** Selects the cpu backend once (idempotent). Call from beforeAll. */
export function initTfjs(): Promise<boolean> {
  ready ??= tf.setBackend('cpu').then(async (ok) => {
    await tf.ready();
    if (tf.getBackend() !== 'cpu') throw new Error(`TF.js backend is ${tf.getBackend()}, expected cpu`);
    return ok;
  });
  return ready;
}

// ---------------------------------------------------------------------------------------------
// Seeded data
// ---------------------------------------------------------------------------------------------

/** mulberry32: a tiny seeded generator, independent of simdnet's own. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform in [lo, hi). */
  uniform(lo = -1, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Library-neutral batch data: values plus shape (batch dimension first). */
export interface Batch {
  values: Float32Array | Int32Array;
  shape: number[];
  dtype: 'float32' | 'int32';
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Uniform floats in [lo, hi). */
export function randomBatch(rng: Rng, shape: number[], lo = -1, hi = 1): Batch {
  return { values: Float32Array.from({ length: sizeOf(shape) }, () => rng.uniform(lo, hi)), shape, dtype: 'float32' };
}

/** Integer class labels in [0, classes), shape [n]. */
export function randomLabels(rng: Rng, n: number, classes: number): Batch {
  return { values: Int32Array.from({ length: n }, () => rng.int(classes)), shape: [n], dtype: 'int32' };
}

/** A batch as a TF.js tensor. Sparse labels become float [n, 1], the shape TF.js's sparse cross-entropy expects. */
export function toTf(b: Batch, opts: { sparseLabels?: boolean } = {}): tf.Tensor {
  if (opts.sparseLabels) return tf.tensor(Float32Array.from(b.values), [b.shape[0], 1], 'float32');
  return tf.tensor(b.values, b.shape, b.dtype);
}

// ---------------------------------------------------------------------------------------------
// Weights
// ---------------------------------------------------------------------------------------------

/** What this helper needs of a simdnet tensor and layer (structural, so either model kind fits). */
export interface SnTensorLike {
  readonly shape: readonly number[];
  dataSync(): Float32Array | Int32Array | Uint8Array;
}
export interface SnLayerLike {
  readonly name: string;
  getWeights(): SnTensorLike[];
}
export interface SnModelLike {
  getLayer(name: string): SnLayerLike;
}

/** The layers of a TF.js model that own weights (input layers and merges have none). */
export function weightedLayers(model: tfl.LayersModel): tfl.layers.Layer[] {
  return model.layers.filter((l) => l.weights.length > 0);
}

/**
 * Copies every weighted layer of the simdnet model into the TF.js layer of the same name
 * (getWeights → setWeights, TF.js order: kernel, bias). Returns the layer names copied.
 */
export function copyWeightsToTf(sn: SnModelLike, model: tfl.LayersModel): string[] {
  const names: string[] = [];
  for (const layer of weightedLayers(model)) {
    const src = sn.getLayer(layer.name).getWeights();
    const dst = layer.getWeights();
    if (src.length !== dst.length) throw new Error(`copyWeightsToTf: ${layer.name} has ${src.length} weight tensors in simdnet, ${dst.length} in TF.js`);
    layer.setWeights(
      src.map((w, i) => {
        if (JSON.stringify([...w.shape]) !== JSON.stringify(dst[i].shape)) {
          throw new Error(`copyWeightsToTf: ${layer.name} weight ${i}: simdnet [${w.shape}] vs TF.js [${dst[i].shape}]`);
        }
        return tf.tensor(Float32Array.from(w.dataSync()), [...w.shape]);
      }),
    );
    // (No dispose of `dst`: TF.js's getWeights returns the variables' own tensors.)
    names.push(layer.name);
  }
  return names;
}

export interface Closeness {
  /** max |a − b| / (atol + rtol·max(|a|, |b|)) over every entry: ≤ 1 passes. */
  ratio: number;
  /** Largest absolute difference, and largest |a − b| / max(|a|, |b|) over entries with max(|a|, |b|) ≥ 1e-3. */
  maxAbs: number;
  maxRel: number;
  /** Where the worst ratio was (layer/weight[index], or the name given). */
  where: string;
}

export const noDiff = (): Closeness => ({ ratio: 0, maxAbs: 0, maxRel: 0, where: '' });

/** Folds the comparison of two arrays into `acc` (the worst so far). */
export function closeness(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  where: string,
  tol: { rtol: number; atol: number },
  acc: Closeness = noDiff(),
): Closeness {
  if (a.length !== b.length) throw new Error(`${where}: ${a.length} values vs ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    const m = Math.max(Math.abs(a[i]), Math.abs(b[i]));
    const r = d / (tol.atol + tol.rtol * m);
    if (!(d <= acc.maxAbs)) acc.maxAbs = d; // NaN propagates as a failure
    if (m >= 1e-3 && d / m > acc.maxRel) acc.maxRel = d / m;
    if (!(r <= acc.ratio)) {
      acc.ratio = Number.isNaN(r) ? Infinity : r;
      acc.where = `${where}[${i}]: ${a[i]} vs ${b[i]}`;
    }
  }
  return acc;
}

/** Compares every weighted layer's weights (by name) between the two models. */
export function compareWeights(
  sn: SnModelLike,
  model: tfl.LayersModel,
  tol: { rtol: number; atol: number },
  acc: Closeness = noDiff(),
): Closeness {
  for (const layer of weightedLayers(model)) {
    const a = sn.getLayer(layer.name).getWeights();
    const b = layer.getWeights();
    if (a.length !== b.length) throw new Error(`compareWeights: ${layer.name}: ${a.length} vs ${b.length} weight tensors`);
    a.forEach((w, i) => closeness(w.dataSync(), b[i].dataSync(), `${layer.name}/w${i}`, tol, acc));
  }
  return acc;
}

// ---------------------------------------------------------------------------------------------
// Losses with weights
// ---------------------------------------------------------------------------------------------

/** TF.js's loss formulas (per sample) for the losses that may carry a weight here. */
const tfLossFormulas: Record<string, (t: tf.Tensor, p: tf.Tensor) => tf.Tensor> = {
  meanSquaredError: (t, p) => tf.mean(tf.square(tf.sub(p, t)), -1),
  meanAbsoluteError: (t, p) => tf.mean(tf.abs(tf.sub(p, t)), -1),
};

/**
 * TF.js (4.x) ignores `lossWeights` in compile (a TODO in tfjs-layers: its total is the plain
 * sum of the output losses). Keras semantics are total = Σ wᵢ·lossᵢ with each lossᵢ reported
 * unweighted; to get them from TF.js, an output whose weight is not 1 gets its loss formula
 * scaled by the weight, and `tfLosses` divides the reported per-output value back.
 */
type TfLoss = Parameters<tfl.LayersModel['compile']>[0]['loss'];
export function tfLossArgs(losses: string[], lossWeights?: number[]): { loss: TfLoss; scales: number[] } {
  const scales = losses.map((_, i) => lossWeights?.[i] ?? 1);
  const loss = losses.map((name, i) => {
    if (scales[i] === 1) return name;
    const f = tfLossFormulas[name];
    // (Sparse cross-entropy cannot be wrapped: TF.js accepts [n, 1] labels only for the built-in name.)
    if (!f) throw new Error(`tfLossArgs: ${name} can only have weight 1 here (no scaled formula)`);
    return (t: tf.Tensor, p: tf.Tensor) => tf.mul(scales[i], f(t, p));
  });
  // A mix of names and functions: TF.js accepts it at run time, its types do not say so.
  return { loss: (loss.length === 1 && typeof loss[0] === 'string' ? loss[0] : loss) as TfLoss, scales };
}

/**
 * [total, loss per output...] from what TF.js's trainOnBatch / evaluate return, per-output
 * values unscaled (see tfLossArgs). TF.js's multi-output evaluate returns one extra leading
 * entry ([loss₀, total, loss₀, loss₁, ...]): the last outputs+1 entries are kept.
 */
export function tfLosses(raw: number | number[] | tf.Scalar | tf.Scalar[], scales: number[]): number[] {
  const v = tfScalars(raw);
  if (scales.length === 1) return v.slice(0, 1);
  return v.slice(-(scales.length + 1)).map((x, i) => (i === 0 ? x : x / scales[i - 1]));
}

/** Plain numbers from what TF.js's trainOnBatch / evaluate return. */
export function tfScalars(r: number | number[] | tf.Scalar | tf.Scalar[]): number[] {
  const arr = Array.isArray(r) ? r : [r];
  return arr.map((v) => (typeof v === 'number' ? v : v.dataSync()[0]));
}

/** Values of what TF.js's predict returns, as one array per output. */
export function tfOutputs(r: tf.Tensor | tf.Tensor[]): Float32Array[] {
  return (Array.isArray(r) ? r : [r]).map((t) => t.dataSync() as Float32Array);
}
