/**
 * Fixtures for the loading tests, all made inside the test suite (no checked-in binaries):
 * TF.js models saved through `tf.io.withSaveHandler`, model folders written with several
 * manifest groups and several shard files per group, Keras-converter-style model.json files
 * written by hand (with uint8 / uint16 / float16 quantized weights), TF.js loading a folder from
 * its files, and a float64 reference of the layers the Keras fixtures use.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'vitest';
import { tf, tfl } from '../helpers/tfjs.ts';
import * as sn from '../../src/index.ts';
import { backend } from '../../src/wasm/loader.ts';

// ---------------------------------------------------------------------------------------------
// Temporary folders
// ---------------------------------------------------------------------------------------------

const made: string[] = [];
/** A new empty folder under the OS temp folder; `removeTmpDirs` (afterAll) deletes them. */
export function tmpDir(prefix = 'simdnet-io-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}
export function removeTmpDirs(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}
/** `file://` URL of a path (what loadLayersModel and save take). */
export const fileUrl = (p: string): string => pathToFileURL(p).href;

// ---------------------------------------------------------------------------------------------
// Artifacts and model folders
// ---------------------------------------------------------------------------------------------

export interface Spec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number; original_dtype?: string };
}

export interface Artifacts {
  modelTopology: Record<string, unknown>;
  weightSpecs: Spec[];
  weightData: ArrayBuffer;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: unknown;
}

/** One ArrayBuffer holding `parts` back to back. */
export function concatBytes(parts: (ArrayBuffer | Uint8Array)[]): ArrayBuffer {
  const views = parts.map((p) => (p instanceof Uint8Array ? p : new Uint8Array(p)));
  const out = new Uint8Array(views.reduce((s, v) => s + v.byteLength, 0));
  let at = 0;
  for (const v of views) {
    out.set(v, at);
    at += v.byteLength;
  }
  return out.buffer;
}

/** What TF.js's `model.save` hands a save handler (weightData as one ArrayBuffer). */
export async function tfArtifacts(model: tfl.LayersModel): Promise<Artifacts> {
  let got: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      got = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!got) throw new Error('tfArtifacts: TF.js never called the save handler');
  const wd = got.weightData as ArrayBuffer | ArrayBuffer[];
  return {
    modelTopology: got.modelTopology as Record<string, unknown>,
    weightSpecs: got.weightSpecs as Spec[],
    weightData: Array.isArray(wd) ? concatBytes(wd) : wd,
    format: got.format,
    generatedBy: got.generatedBy,
    convertedBy: got.convertedBy ?? null,
  };
}

const BYTES = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 } as const;
export const specBytes = (s: Spec): number => s.shape.reduce((a, b) => a * b, 1) * BYTES[s.quantization?.dtype ?? s.dtype];

export interface WriteOptions {
  /** Weights per manifest group, in order (sums to the number of specs). Default: one group. */
  groups?: number[];
  /** The largest shard file in bytes (TF.js's default is 4 MiB). Default: one shard per group. */
  shardBytes?: number;
  /** Extra top-level model.json fields (format, generatedBy, …). */
  extra?: Record<string, unknown>;
}

export interface ModelDir {
  dir: string;
  modelJSONPath: string;
  url: string;
  modelJSON: Record<string, unknown> & { weightsManifest: { paths: string[]; weights: Spec[] }[] };
  /** The shard files' bytes, in manifest order (group by group, shard by shard). */
  shards: ArrayBuffer[];
  /** The shard file names in manifest order. */
  shardNames: string[];
}

/**
 * Writes `dir/model.json` and its shard files, named as TF.js names them
 * (`group1-shard1of3.bin`): the weights of each group are cut into shards of at most
 * `shardBytes`, so weights may straddle shard boundaries.
 */
export function writeModelDir(dir: string, topology: Record<string, unknown>, specs: Spec[], weightData: ArrayBuffer, opts: WriteOptions = {}): ModelDir {
  const groups = opts.groups ?? [specs.length];
  if (groups.reduce((a, b) => a + b, 0) !== specs.length) throw new Error(`writeModelDir: groups ${groups} do not add up to ${specs.length} weights`);
  const all = new Uint8Array(weightData);
  const manifest: { paths: string[]; weights: Spec[] }[] = [];
  const shards: ArrayBuffer[] = [];
  const shardNames: string[] = [];
  let w = 0;
  let at = 0;
  groups.forEach((count, gi) => {
    const weights = specs.slice(w, w + count);
    w += count;
    const bytes = weights.reduce((s, x) => s + specBytes(x), 0);
    const group = all.subarray(at, at + bytes);
    at += bytes;
    const size = opts.shardBytes ?? Math.max(bytes, 1);
    const n = Math.max(1, Math.ceil(bytes / size));
    const paths: string[] = [];
    for (let i = 0; i < n; i++) {
      const name = `group${gi + 1}-shard${i + 1}of${n}.bin`;
      const part = group.slice(i * size, Math.min(bytes, (i + 1) * size));
      fs.writeFileSync(path.join(dir, name), part);
      paths.push(name);
      shards.push(part.buffer);
      shardNames.push(name);
    }
    manifest.push({ paths, weights });
  });
  if (at !== all.byteLength) throw new Error(`writeModelDir: the specs cover ${at} bytes, the weight data holds ${all.byteLength}`);
  const modelJSON = { format: 'layers-model', generatedBy: 'TensorFlow.js tfjs-layers v4.22.0', convertedBy: null, ...opts.extra, modelTopology: topology, weightsManifest: manifest };
  const modelJSONPath = path.join(dir, 'model.json');
  fs.writeFileSync(modelJSONPath, JSON.stringify(modelJSON));
  return { dir, modelJSONPath, url: fileUrl(modelJSONPath), modelJSON, shards, shardNames };
}

/** model.json (parsed) and its shards' bytes in manifest order, read from a folder. */
export function readModelDir(dir: string): { modelJSON: ModelDir['modelJSON']; shards: ArrayBuffer[] } {
  const modelJSON = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const shards = (modelJSON.weightsManifest as { paths: string[] }[]).flatMap((g) =>
    g.paths.map((p) => {
      const b = fs.readFileSync(path.join(dir, p));
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    }),
  );
  return { modelJSON, shards };
}

/** TF.js loading a model folder from its files (model.json + every shard, in manifest order). */
export async function tfLoadDir(dir: string): Promise<tfl.LayersModel> {
  const { modelJSON, shards } = readModelDir(dir);
  return tfLoadJSON(modelJSON, shards);
}
export async function tfLoadJSON(modelJSON: ModelDir['modelJSON'], shards: ArrayBuffer[]): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJSON.modelTopology as object,
      weightSpecs: modelJSON.weightsManifest.flatMap((g) => g.weights) as tf.io.WeightsManifestEntry[],
      weightData: concatBytes(shards),
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Quantization (as the tensorflowjs converter writes it)
// ---------------------------------------------------------------------------------------------

/** uint8 / uint16 affine quantization: q = round((v − min) / scale), v ≈ q·scale + min. */
export function quantizeAffine(values: ArrayLike<number>, dtype: 'uint8' | 'uint16'): { bytes: Uint8Array; scale: number; min: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  const levels = dtype === 'uint8' ? 255 : 65535;
  const min = lo;
  const scale = hi > lo ? (hi - lo) / levels : 1;
  const q = dtype === 'uint8' ? new Uint8Array(values.length) : new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) q[i] = Math.max(0, Math.min(levels, Math.round((values[i] - min) / scale)));
  const bytes = new Uint8Array(q.byteLength);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < q.length; i++) {
    if (dtype === 'uint8') dv.setUint8(i, q[i]);
    else dv.setUint16(2 * i, q[i], true);
  }
  return { bytes, scale, min };
}

/** number → IEEE half (round to nearest even; overflow to ±Inf; subnormals). */
export function toHalf(v: number): number {
  const f = new Float32Array([v]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h; // a carry into the exponent is the right rounding (up to Inf)
}

/** IEEE half → number. */
export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export type QDtype = 'uint8' | 'uint16' | 'float16' | 'float32';

/**
 * Encodes named float weights with one quantization each. Returns the manifest specs, the
 * bytes, and the dequantized values (what a loader must produce, as float32) by name.
 */
export function encodeWeights(weights: { name: string; shape: number[]; values: ArrayLike<number>; q: QDtype }[]): {
  specs: Spec[];
  data: ArrayBuffer;
  dequantized: Map<string, Float32Array>;
} {
  const specs: Spec[] = [];
  const parts: Uint8Array[] = [];
  const dequantized = new Map<string, Float32Array>();
  for (const w of weights) {
    const n = w.shape.reduce((a, b) => a * b, 1);
    if (n !== w.values.length) throw new Error(`encodeWeights: ${w.name}: shape [${w.shape}] holds ${n} values, got ${w.values.length}`);
    const deq = new Float32Array(n);
    if (w.q === 'float32') {
      const f = Float32Array.from(w.values);
      parts.push(new Uint8Array(f.buffer));
      deq.set(f);
      specs.push({ name: w.name, shape: w.shape, dtype: 'float32' });
    } else if (w.q === 'float16') {
      const bytes = new Uint8Array(2 * n);
      const dv = new DataView(bytes.buffer);
      for (let i = 0; i < n; i++) {
        const h = toHalf(w.values[i]);
        dv.setUint16(2 * i, h, true);
        deq[i] = fromHalf(h);
      }
      parts.push(bytes);
      specs.push({ name: w.name, shape: w.shape, dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } });
    } else {
      const { bytes, scale, min } = quantizeAffine(w.values, w.q);
      const dv = new DataView(bytes.buffer);
      for (let i = 0; i < n; i++) deq[i] = (w.q === 'uint8' ? dv.getUint8(i) : dv.getUint16(2 * i, true)) * scale + min;
      parts.push(bytes);
      specs.push({ name: w.name, shape: w.shape, dtype: 'float32', quantization: { dtype: w.q, scale, min, original_dtype: 'float32' } });
    }
    dequantized.set(w.name, deq);
  }
  return { specs, data: concatBytes(parts), dequantized };
}

// ---------------------------------------------------------------------------------------------
// Keras-converter-style topologies (what `tensorflowjs_converter --input_format keras` writes
// from a Keras 2 .h5 file: snake_case, Keras class names, model_config + training_config)
// ---------------------------------------------------------------------------------------------

/** Keras 2.13's initializer form (module + registered_name); older Keras writes only class_name + config. */
export const kInit = (class_name: string, config: Record<string, unknown> = {}, modern = true) =>
  modern ? { module: 'keras.initializers', class_name, config, registered_name: null } : { class_name, config };

export interface KLayer {
  class_name: string;
  name?: string;
  config: Record<string, unknown>;
  inbound_nodes?: unknown[];
}

/** A Keras layer entry; `inbound` names the layers (node 0, tensor 0) it reads, for functional models. */
export function kLayer(class_name: string, name: string, config: Record<string, unknown>, inbound?: string[]): KLayer {
  const layer: KLayer = { class_name, config: { name, trainable: true, dtype: 'float32', ...config } };
  if (inbound) {
    layer.name = name;
    layer.inbound_nodes = inbound.length ? [inbound.map((n) => [n, 0, 0, {}])] : [];
  }
  return layer;
}

export const kInput = (name: string, shape: (number | null)[], functional = true): KLayer =>
  kLayer('InputLayer', name, { batch_input_shape: shape, sparse: false, ragged: false }, functional ? [] : undefined);

const weighted = (modern: boolean) => ({
  kernel_initializer: kInit('GlorotUniform', { seed: null }, modern),
  bias_initializer: kInit('Zeros', {}, modern),
  kernel_regularizer: null,
  bias_regularizer: null,
  activity_regularizer: null,
  kernel_constraint: null,
  bias_constraint: null,
});

export function kDense(name: string, units: number, activation: string, inbound?: string[], extra: Record<string, unknown> = {}, modern = true): KLayer {
  return kLayer('Dense', name, { units, activation, use_bias: true, ...weighted(modern), ...extra }, inbound);
}

export function kConv2D(name: string, filters: number, k: number, padding: 'same' | 'valid', activation: string, inbound?: string[], extra: Record<string, unknown> = {}): KLayer {
  return kLayer(
    'Conv2D',
    name,
    { filters, kernel_size: [k, k], strides: [1, 1], padding, data_format: 'channels_last', dilation_rate: [1, 1], groups: 1, activation, use_bias: true, ...weighted(true), ...extra },
    inbound,
  );
}

/** The training_config Keras 2.13 writes for compile(optimizer='adam', loss=sparse CE, metrics=['accuracy']). */
export const kTrainingConfig = {
  loss: 'sparse_categorical_crossentropy',
  metrics: [[{ class_name: 'MeanMetricWrapper', config: { name: 'accuracy', dtype: 'float32', fn: 'sparse_categorical_accuracy' } }]],
  weighted_metrics: null,
  loss_weights: null,
  optimizer_config: {
    class_name: 'Custom>Adam',
    config: { name: 'Adam', weight_decay: null, clipnorm: null, global_clipnorm: null, clipvalue: null, use_ema: false, ema_momentum: 0.99, ema_overwrite_frequency: null, jit_compile: false, is_legacy_optimizer: false, learning_rate: 0.0010000000474974513, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false },
  },
};

/** modelTopology as the converter writes it: keras_version, backend, model_config, training_config (none when null). */
export function kerasTopology(modelConfig: { class_name: string; config: Record<string, unknown> }, trainingConfig: unknown = kTrainingConfig, kerasVersion = '2.13.1'): Record<string, unknown> {
  const t: Record<string, unknown> = { keras_version: kerasVersion, backend: 'tensorflow', model_config: modelConfig };
  if (trainingConfig !== null) t.training_config = trainingConfig;
  return t;
}

export const KERAS_EXTRA = { format: 'layers-model', generatedBy: 'keras v2.13.1', convertedBy: 'TensorFlow.js Converter v4.22.0' };

// ---------------------------------------------------------------------------------------------
// float64 reference (NHWC, HWIO kernels, [in, out] dense kernels)
// ---------------------------------------------------------------------------------------------

/** A batch in float64: values + shape (batch first). */
export interface F64 {
  v: Float64Array;
  shape: number[];
}

export const f64 = (values: ArrayLike<number>, shape: number[]): F64 => ({ v: Float64Array.from(values), shape });

export function refAct(x: F64, act: string): F64 {
  const v = new Float64Array(x.v.length);
  if (act === 'softmax') {
    const c = x.shape[x.shape.length - 1];
    for (let r = 0; r < x.v.length; r += c) {
      let m = -Infinity;
      for (let j = 0; j < c; j++) m = Math.max(m, x.v[r + j]);
      let s = 0;
      for (let j = 0; j < c; j++) s += v[r + j] = Math.exp(x.v[r + j] - m);
      for (let j = 0; j < c; j++) v[r + j] /= s;
    }
    return { v, shape: x.shape };
  }
  const f: Record<string, (z: number) => number> = {
    linear: (z) => z,
    relu: (z) => Math.max(0, z),
    tanh: Math.tanh,
    sigmoid: (z) => 1 / (1 + Math.exp(-z)),
    elu: (z) => (z > 0 ? z : Math.expm1(z)),
    softplus: (z) => Math.log1p(Math.exp(z)),
  };
  const g = f[act];
  if (!g) throw new Error(`refAct: no reference for ${act}`);
  for (let i = 0; i < v.length; i++) v[i] = g(x.v[i]);
  return { v, shape: x.shape };
}

/** x [n, in] · kernel [in, out] + bias, then the activation. */
export function refDense(x: F64, kernel: ArrayLike<number>, bias: ArrayLike<number> | null, units: number, act = 'linear'): F64 {
  const n = x.shape[0];
  const k = x.v.length / n;
  const v = new Float64Array(n * units);
  for (let i = 0; i < n; i++)
    for (let o = 0; o < units; o++) {
      let s = bias ? bias[o] : 0;
      for (let j = 0; j < k; j++) s += x.v[i * k + j] * kernel[j * units + o];
      v[i * units + o] = s;
    }
  return refAct({ v, shape: [n, units] }, act);
}

/** 2-D convolution, stride 1, NHWC, HWIO kernel, 'same' (odd kernels) or 'valid'. */
export function refConv2d(x: F64, kernel: ArrayLike<number>, bias: ArrayLike<number> | null, k: number, filters: number, padding: 'same' | 'valid', act = 'linear'): F64 {
  const [n, h, w, c] = x.shape;
  const pad = padding === 'same' ? (k - 1) >> 1 : 0;
  const oh = padding === 'same' ? h : h - k + 1;
  const ow = padding === 'same' ? w : w - k + 1;
  const v = new Float64Array(n * oh * ow * filters);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let f = 0; f < filters; f++) {
          let s = bias ? bias[f] : 0;
          for (let di = 0; di < k; di++)
            for (let dj = 0; dj < k; dj++) {
              const y = i + di - pad;
              const xx = j + dj - pad;
              if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
              for (let ci = 0; ci < c; ci++) s += x.v[((b * h + y) * w + xx) * c + ci] * kernel[((di * k + dj) * c + ci) * filters + f];
            }
          v[((b * oh + i) * ow + j) * filters + f] = s;
        }
  return refAct({ v, shape: [n, oh, ow, filters] }, act);
}

/** Max or average pooling, window = stride = p, 'valid'. */
export function refPool2d(x: F64, p: number, kind: 'max' | 'avg'): F64 {
  const [n, h, w, c] = x.shape;
  const oh = Math.floor(h / p);
  const ow = Math.floor(w / p);
  const v = new Float64Array(n * oh * ow * c);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let ci = 0; ci < c; ci++) {
          let s = kind === 'max' ? -Infinity : 0;
          for (let di = 0; di < p; di++)
            for (let dj = 0; dj < p; dj++) {
              const z = x.v[((b * h + i * p + di) * w + j * p + dj) * c + ci];
              s = kind === 'max' ? Math.max(s, z) : s + z;
            }
          v[((b * oh + i) * ow + j) * c + ci] = kind === 'max' ? s : s / (p * p);
        }
  return { v, shape: [n, oh, ow, c] };
}

export function refGlobalAvg2d(x: F64): F64 {
  const [n, h, w, c] = x.shape;
  const v = new Float64Array(n * c);
  for (let b = 0; b < n; b++)
    for (let p = 0; p < h * w; p++) for (let ci = 0; ci < c; ci++) v[b * c + ci] += x.v[(b * h * w + p) * c + ci] / (h * w);
  return { v, shape: [n, c] };
}

export const refFlatten = (x: F64): F64 => ({ v: x.v, shape: [x.shape[0], x.v.length / x.shape[0]] });

export function refAdd(...xs: F64[]): F64 {
  const v = new Float64Array(xs[0].v.length);
  for (const x of xs) for (let i = 0; i < v.length; i++) v[i] += x.v[i];
  return { v, shape: xs[0].shape };
}

/** Concatenation on the last axis. */
export function refConcat(...xs: F64[]): F64 {
  const widths = xs.map((x) => x.shape[x.shape.length - 1]);
  const total = widths.reduce((a, b) => a + b, 0);
  const rows = xs[0].v.length / widths[0];
  const v = new Float64Array(rows * total);
  for (let r = 0; r < rows; r++) {
    let at = 0;
    xs.forEach((x, k) => {
      for (let j = 0; j < widths[k]; j++) v[r * total + at + j] = x.v[r * widths[k] + j];
      at += widths[k];
    });
  }
  return { v, shape: [...xs[0].shape.slice(0, -1), total] };
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/** Largest |a − b| over two arrays of one length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length, 'lengths differ').toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/** Wasm memory as the loader must leave it after a rejected file: arena top and memory size. */
export function memoryState(): { top: number; bytes: number } {
  const be = backend();
  return { top: be.arena.top, bytes: be.memory.buffer.byteLength };
}

/** Messages that betray an internal failure rather than a check (from the hardening suite). */
export const INTERNAL =
  /Cannot read propert|Cannot set propert|is not a function|is not iterable|Cannot destructure|is not a constructor|undefined is not|null is not|Cannot convert|Invalid array length|Invalid typed array length|Maximum call stack|out of bounds|unreachable|Array buffer allocation|Do not know how to serialize|memory access|subarray/;

// ---------------------------------------------------------------------------------------------
// The loader under test
// ---------------------------------------------------------------------------------------------

/** `sn.loadLayersModel` (the public API), typed loosely: the tests hand it hostile values on purpose. */
export function loadModel(source: unknown, opts?: Record<string, unknown>): Promise<sn.LayersModel> {
  return sn.loadLayersModel(source as Parameters<typeof sn.loadLayersModel>[0], opts as Parameters<typeof sn.loadLayersModel>[1]);
}
