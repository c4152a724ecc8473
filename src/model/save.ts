/**
 * A model as TF.js layers-format artifacts (topology + weight specs + weight data, float32
 * little-endian in getWeights() order). Sequential models save as `Sequential`; graph models as
 * `Model` with `inbound_nodes`, `input_layers` and `output_layers`. Where they go is the save
 * handler's business (src/io/handlers.ts).
 *
 * TF.js must read what is written and compute the same function, so each layer's config has
 * the keys TF.js writes for that layer, and what simdnet has but TF.js's layer lacks is written
 * as TF.js layers that compute it: an activation TF.js has no name for (leakyRelu inside a dense
 * or conv layer) becomes a linear layer followed by a LeakyReLU layer; explicit conv padding a
 * ZeroPadding2D layer in front of a 'valid' conv (a conv1d's through a Reshape to 2D and back).
 * The weights keep their names. Each written layer that stands for part of a simdnet layer
 * carries `simdnet: { part_of }`, and the layer itself `simdnet: { class_name?, config }` with
 * the config values it had: simdnet's loader (src/io/deserialize.ts) folds them back into the
 * same layer. TF.js and Keras ignore the key. What has no TF.js equivalent at all is an error
 * naming the layer.
 */
import type { LayersModel } from './model.ts';
import type { Layer } from '../layers/layer.ts';
import type { ModelArtifacts } from '../io/handlers.ts';
import { ActivatedLayer } from '../layers/activation.ts';
import { Conv1D, Conv2D, explicitPadding } from '../layers/conv.ts';
import { checkOptions, describe } from '../tensor.ts';
import { VERSION } from '../version.ts';

type Json = Record<string, unknown>;

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Keys and string values in snake_case, as TF.js writes Keras configs ({ className, config } as
 * { class_name, config }); names (of layers and models, and class names) stay as they are, as do
 * the layer names that open inbound-node references.
 */
export function pythonic(v: unknown, key = ''): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return key === 'name' || key === 'className' ? v : snake(v);
  if (Array.isArray(v)) return v.map((x) => pythonic(x, key));
  if (typeof v !== 'object') return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    out[k === 'className' ? 'class_name' : snake(k)] = pythonic(x, k);
  }
  return out;
}

/** The activation names TF.js's `getActivation` knows (tfjs-layers activations.ts). */
export const TFJS_ACTIVATIONS = ['elu', 'selu', 'relu', 'relu6', 'linear', 'sigmoid', 'hardSigmoid', 'softplus', 'softsign', 'tanh', 'softmax', 'logSoftmax', 'gelu', 'mish', 'swish'] as const;
const TFJS_ACTIVATION_SET: ReadonlySet<string> = new Set(TFJS_ACTIVATIONS);

/** The initializer classes TF.js registers (tfjs-layers initializers.ts). */
const TFJS_INITIALIZERS = ['Zeros', 'Ones', 'Constant', 'RandomUniform', 'RandomNormal', 'TruncatedNormal', 'Identity', 'VarianceScaling', 'GlorotUniform', 'GlorotNormal', 'HeNormal', 'HeUniform', 'LeCunNormal', 'LeCunUniform', 'Orthogonal'];

/** A layer as written: its class and config, and the simdnet marker when it was rewritten. */
interface Entry {
  class_name: string;
  config: Json;
  simdnet?: Json;
}
/** One simdnet layer as TF.js layers: those in front of it, itself, those after it. */
interface Split {
  pre: Entry[];
  main: Entry;
  post: Entry[];
}

/** The layer's config as TF.js writes it: snake_case, dtype where the input shape is (as TF.js's Layer.getConfig). */
function layerConfig(l: Layer): Json {
  const config = pythonic(l.getConfig()) as Json;
  if (config.batch_input_shape != null && config.dtype === undefined) config.dtype = 'float32';
  return config;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A name no layer of the model has (nor any name handed out before). */
function freshName(base: string, used: Set<string>): string {
  let name = base;
  for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
  used.add(name);
  return name;
}

/**
 * The keys whose value the written form changed, with their original values; a key only the
 * written form has as null (unset), so that reading back gives the original config exactly.
 */
function changedKeys(original: Json, written: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(original)) if (!same(v, written[k])) out[k] = v;
  for (const k of Object.keys(written)) if (!(k in original)) out[k] = null;
  return out;
}

/** The alpha an activation function object carries (leakyRelu, elu), when it exposes one. */
function alphaOf(l: Layer): number | undefined {
  const fn = (l as { activation?: unknown; fn?: unknown }).activation ?? (l as { fn?: unknown }).fn;
  const a = fn && typeof fn === 'object' ? (fn as { alpha?: unknown }).alpha : undefined;
  return typeof a === 'number' ? a : undefined;
}

function noTfjsActivation(l: Layer, act: string): Error {
  return new Error(
    `save: layer ${l.name} (${l.className}) has activation '${act}', which TF.js has no activation or layer for, so TF.js could not read the file; ` +
      `TF.js's activations are ${TFJS_ACTIVATIONS.join(', ')} (and leakyRelu is written as a LeakyReLU layer). ` +
      `Build the model with one of those to save it`,
  );
}

/** TF.js computes elu with alpha 1 only (its ELU layer refuses another alpha). */
function eluAlphaOne(l: Layer, alpha: number): void {
  if (alpha !== 1) {
    throw new Error(`save: layer ${l.name} (${l.className}) computes elu with alpha ${alpha}, which TF.js cannot (its elu activation and ELU layer take alpha 1 only), so TF.js could not read the file; build the model with alpha 1 to save it`);
  }
}

/** How layer `l` is written as TF.js layers (the identity for most layers). */
function split(l: Layer, used: Set<string>): Split {
  const original = layerConfig(l);
  const config: Json = { ...original };
  const pre: Entry[] = [];
  const post: Entry[] = [];
  let className = l.className;
  const aux = (cls: string, suffix: string, cfg: Json): Entry => ({ class_name: cls, config: { name: freshName(`${l.name}_${suffix}`, used), trainable: true, ...cfg }, simdnet: { part_of: l.name } });
  /** The sample input shape moves to the first layer written in front. */
  const moveInputShape = (to: Entry) => {
    if (config.batch_input_shape == null) return;
    to.config.batch_input_shape = config.batch_input_shape;
    to.config.dtype = config.dtype ?? 'float32';
    delete config.batch_input_shape;
    delete config.dtype;
  };

  for (const key of ['kernel_initializer', 'bias_initializer']) {
    const init = original[key] as { class_name?: unknown } | null | undefined;
    if (init && !TFJS_INITIALIZERS.includes(init.class_name as string)) {
      throw new Error(
        `save: layer ${l.name} (${l.className}): ${key.replace(/_i/, 'I')} ${describe(init.class_name)} is no TF.js initializer, so neither TF.js nor simdnet could read the file; ` +
          `TF.js's are ${TFJS_INITIALIZERS.join(', ')} (simdnet's initializers.* make them)`,
      );
    }
  }
  if (l instanceof ActivatedLayer) {
    // Padding TF.js's conv lacks: zeros added in front, then a 'valid' conv.
    if (l instanceof Conv2D && l.padding !== 'valid' && l.padding !== 'same') {
      const [ph, pw] = explicitPadding(l.padding, l.name) as [[number, number], [number, number]];
      pre.push(aux('ZeroPadding2D', 'zero_padding', { padding: [ph, pw], data_format: 'channels_last' }));
      config.padding = 'valid';
    } else if (l instanceof Conv1D && original.padding !== 'valid' && original.padding !== 'same') {
      // TF.js has no ZeroPadding1D and no causal conv1d: the steps are padded as the width of a
      // height-1 image.
      const [steps, channels] = l.inShape;
      const p = original.padding;
      const [left, right] = p === 'causal' ? [(l.kernelSize[1] - 1) * l.dilationRate[1], 0] : typeof p === 'number' ? [p, p] : (p as [number, number]);
      pre.push(aux('Reshape', 'pad_in', { target_shape: [1, steps, channels] }));
      pre.push(aux('ZeroPadding2D', 'zero_padding', { padding: [[0, 0], [left, right]], data_format: 'channels_last' }));
      pre.push(aux('Reshape', 'pad_out', { target_shape: [steps + left + right, channels] }));
      config.padding = 'valid';
    }
    const act = l.activation.name;
    if (act === 'leakyRelu') {
      post.push(aux('LeakyReLU', 'activation', { alpha: alphaOf(l) ?? 0.3 }));
      config.activation = 'linear';
    } else if (act === 'elu') {
      eluAlphaOne(l, alphaOf(l) ?? 1);
    } else if (!TFJS_ACTIVATION_SET.has(act)) {
      throw noTfjsActivation(l, act);
    }
  } else if (l.className === 'Activation') {
    // TF.js's Activation layer takes a name only: leakyRelu, which has an alpha, is its own layer.
    const act = String(original.activation ?? 'linear').replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    const alpha = alphaOf(l);
    delete config.alpha;
    if (act === 'leakyRelu') {
      className = 'LeakyReLU';
      delete config.activation;
      config.alpha = alpha ?? 0.3;
    } else if (act === 'elu') {
      eluAlphaOne(l, alpha ?? 1);
    } else if (!TFJS_ACTIVATION_SET.has(act)) {
      throw noTfjsActivation(l, act);
    }
  } else if (l.className === 'ELU') {
    eluAlphaOne(l, alphaOf(l) ?? 1);
  } else if (l.className === 'SpatialDropout2D') {
    // TF.js has no SpatialDropout2D: a Dropout whose mask is shared over height and width is
    // the same layer (Keras defines it so).
    className = 'Dropout';
    config.noise_shape = [null, 1, 1, l.inShape[l.inShape.length - 1]];
  }
  if (pre.length) moveInputShape(pre[0]);
  const main: Entry = { class_name: className, config };
  const changed = changedKeys(original, config);
  if (className !== l.className || Object.keys(changed).length) {
    main.simdnet = { ...(className !== l.className ? { class_name: l.className } : {}), config: changed };
  }
  return { pre, main, post };
}

// ---------------------------------------------------------------------------------------------
// training_config
// ---------------------------------------------------------------------------------------------

/** What compile fixed: model.ts keeps it private; only its shape is read here, to write it out. */
interface CompileState {
  optimizer: { className: string; getConfig(): Json };
  outputs: { name: string; loss: { name: string; sparse?: boolean }; weight: number; metrics: { name: string }[] }[];
}
function compileState(model: LayersModel): CompileState | null {
  return (model as unknown as { compiled?: CompileState | null }).compiled ?? null;
}

/** TF.js's optimizer classes, with the config keys each writes (tfjs-core optimizers' getConfig). */
const TFJS_OPTIMIZERS: Record<string, readonly string[]> = {
  SGD: ['learningRate'],
  Momentum: ['learningRate', 'momentum', 'useNesterov'],
  RMSProp: ['learningRate', 'decay', 'momentum', 'epsilon', 'centered'],
  Adam: ['learningRate', 'beta1', 'beta2', 'epsilon'],
  Adagrad: ['learningRate', 'initialAccumulatorValue'],
  Adamax: ['learningRate', 'beta1', 'beta2', 'epsilon', 'decay'],
  Adadelta: ['learningRate', 'rho', 'epsilon'],
};
/** TF.js's loss names (tfjs-layers losses.ts lossesMap) and the metric names its compile accepts. */
const TFJS_LOSSES = ['meanSquaredError', 'meanAbsoluteError', 'meanAbsolutePercentageError', 'meanSquaredLogarithmicError', 'squaredHinge', 'hinge', 'categoricalHinge', 'logcosh', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy', 'kullbackLeiblerDivergence', 'poisson', 'cosineProximity'];
const TFJS_METRICS = ['accuracy', 'acc', 'crossentropy', 'ce', 'binaryAccuracy', 'categoricalAccuracy', 'precision', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'mse', 'MSE', 'mae', 'MAE', 'mape', 'MAPE', 'cosine'];
/** TF.js's Adagrad has no epsilon option: it uses the backend's (1e-7). */
const TFJS_EPSILON = 1e-7;

function cannotWrite(model: LayersModel, what: string): Error {
  return new Error(`save: the training configuration of ${model.name} cannot be written as TF.js reads it: ${what}; save with { includeOptimizer: false } to leave it out of the file`);
}

/** The optimizer as TF.js writes optimizer_config (its config keys camelCase, as TF.js writes them). */
function optimizerConfig(model: LayersModel, opt: CompileState['optimizer']): Json {
  const c = opt.getConfig();
  if (typeof c.learningRate !== 'number') throw cannotWrite(model, `TF.js's optimizers take a number as learningRate, not a schedule (${describe(c.learningRate)}), and TF.js would build its optimizer with a NaN rate`);
  const num = (k: string, fallback?: number) => (typeof c[k] === 'number' ? (c[k] as number) : fallback);
  let cls = opt.className;
  let config: Json;
  switch (cls) {
    case 'SGD':
    case 'Momentum': {
      const momentum = num('momentum', 0)!;
      const nesterov = c.useNesterov ?? c.nesterov ?? false;
      if (cls === 'SGD' && momentum === 0) config = { learningRate: c.learningRate };
      else {
        cls = 'Momentum';
        config = { learningRate: c.learningRate, momentum, useNesterov: nesterov };
      }
      break;
    }
    case 'RMSProp':
      config = { learningRate: c.learningRate, decay: num('decay') ?? num('rho'), momentum: num('momentum', 0), epsilon: c.epsilon, centered: c.centered ?? false };
      break;
    case 'Adam':
      if (num('weightDecay', 0) !== 0) throw cannotWrite(model, `TF.js's Adam has no weight decay (weightDecay ${c.weightDecay})`);
      config = { learningRate: c.learningRate, beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon };
      break;
    case 'Adagrad':
      if (num('epsilon', TFJS_EPSILON) !== TFJS_EPSILON) throw cannotWrite(model, `TF.js's Adagrad has no epsilon option (it uses ${TFJS_EPSILON}), got epsilon ${c.epsilon}`);
      config = { learningRate: c.learningRate, initialAccumulatorValue: c.initialAccumulatorValue };
      break;
    case 'Adamax':
    case 'Adadelta':
      config = Object.fromEntries(TFJS_OPTIMIZERS[cls].map((k) => [k, c[k]]));
      break;
    default:
      throw cannotWrite(model, `TF.js has no ${cls} optimizer (it has ${Object.keys(TFJS_OPTIMIZERS).join(', ')})`);
  }
  for (const [k, v] of Object.entries(config)) if (v === undefined) throw cannotWrite(model, `the ${cls} optimizer's config has no ${k}`);
  // Clipping as Keras writes it; TF.js's optimizers ignore the keys (they do not clip).
  for (const k of ['clipnorm', 'clipvalue', 'globalClipnorm']) if (typeof c[k] === 'number') config[k] = c[k] as number;
  return { class_name: cls, config };
}

/** A metric as TF.js's compile names it. */
function tfjsMetric(model: LayersModel, name: string, loss: { name: string }): string {
  const m = name === 'meanSquaredError' ? 'mse' : name === 'meanAbsoluteError' ? 'mae' : name;
  // TF.js registers no sparseCategoricalAccuracy name: 'accuracy' picks it for a sparse loss.
  if (m === 'sparseCategoricalAccuracy' && loss.name === 'sparseCategoricalCrossentropy') return 'accuracy';
  if (!TFJS_METRICS.includes(m)) throw cannotWrite(model, `TF.js's compile has no metric '${name}' (it has ${TFJS_METRICS.join(', ')})`);
  return m;
}

/** TF.js's training_config (what `model.save(…, { includeOptimizer: true })` writes besides the optimizer's weights). */
export function trainingConfig(model: LayersModel): Json | null {
  const c = compileState(model);
  if (!c) return readableTrainingConfig(model.trainingConfig) ? (model.trainingConfig as Json) : null;
  const outs = c.outputs;
  const weighted = outs.filter((o) => o.weight !== 1);
  // TF.js refuses a file with loss_weights (and ignores them in compile).
  if (weighted.length) throw cannotWrite(model, `TF.js reads no loss weights (${weighted.map((o) => `${o.name}: ${o.weight}`).join(', ')})`);
  const loss = outs.length === 1 ? snake(outs[0].loss.name) : outs.map((o) => snake(o.loss.name));
  const lists = outs.map((o) => o.metrics.map((m) => snake(tfjsMetric(model, m.name, o.loss))));
  let metrics: unknown = lists[0];
  if (!lists.every((l) => same(l, lists[0]))) {
    // TF.js reads per-output metrics only as one name per output.
    const many = outs.find((_, i) => lists[i].length > 1);
    if (many) throw cannotWrite(model, `TF.js reads one metric per output when outputs differ, and ${many.name} has ${many.metrics.length}`);
    metrics = Object.fromEntries(outs.flatMap((o, i) => (lists[i].length ? [[o.name, lists[i][0]]] : [])));
  }
  return { loss, metrics, optimizer_config: optimizerConfig(model, c.optimizer) };
}

/**
 * Whether TF.js can compile from a training config read from a file (kept on an uncompiled
 * model): TF.js refuses loss weights and classes it does not have, so such a config (a Keras
 * file's) is not written back.
 */
function readableTrainingConfig(tc: unknown): boolean {
  if (!tc || typeof tc !== 'object') return false;
  const t = tc as Json;
  if (t.loss_weights != null || t.weighted_metrics != null || t.sample_weight_mode != null) return false;
  const camel = (s: unknown) => (typeof s === 'string' ? s.replace(/_([a-z0-9])/g, (_, x: string) => x.toUpperCase()) : '');
  const names = (v: unknown) => (typeof v === 'string' ? [v] : Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : null);
  const losses = names(t.loss);
  if (!losses || !losses.every((l) => TFJS_LOSSES.includes(camel(l)))) return false;
  const metrics = t.metrics == null ? [] : names(t.metrics);
  if (!metrics || !metrics.every((m) => TFJS_METRICS.includes(camel(m)))) return false;
  const o = t.optimizer_config as Json | undefined;
  return !!o && typeof o === 'object' && typeof o.class_name === 'string' && Object.prototype.hasOwnProperty.call(TFJS_OPTIMIZERS, o.class_name) && !!o.config && typeof o.config === 'object';
}

// ---------------------------------------------------------------------------------------------
// artifacts
// ---------------------------------------------------------------------------------------------

export interface ToArtifactsOptions {
  /**
   * false leaves the training configuration (loss, metrics, optimizer) out of the file. TF.js's
   * `true` also saves the optimizer's state, which simdnet does not: that is an error.
   */
  includeOptimizer?: boolean;
}

export function toArtifacts(model: LayersModel, opts: ToArtifactsOptions = {}): ModelArtifacts {
  const o = checkOptions(opts, 'save', ['includeOptimizer']);
  if (o.includeOptimizer !== undefined && o.includeOptimizer !== false) {
    throw new Error(`save: includeOptimizer ${describe(o.includeOptimizer)}: simdnet saves the training configuration (loss, metrics, optimizer settings) but not the optimizer's state; omit includeOptimizer, or give false to leave the training configuration out`);
  }
  const entries = model.weightEntries();
  const weights = model.getWeights();
  const specs = entries.map(({ layer, p }) => ({ name: `${layer.name}/${p.name}`, shape: [...p.shape], dtype: 'float32' as const }));
  const data = new Float32Array(weights.reduce((s, w) => s + w.size, 0));
  let off = 0;
  for (const w of weights) {
    data.set(w.values as Float32Array, off);
    off += w.size;
  }
  const used = new Set(model.layers.map((l) => l.name));
  const splits = new Map(model.layers.map((l) => [l, split(l, used)] as const));
  const named = (e: Entry, extra: Json = {}) => ({ class_name: e.class_name, config: e.config, ...(model.isSequential ? {} : { name: e.config.name as string }), ...extra, ...(e.simdnet ? { simdnet: e.simdnet } : {}) });
  let topology: Json;
  if (model.isSequential) {
    const layers = model.layers.flatMap((l) => {
      const s = splits.get(l)!;
      return [...s.pre, s.main, ...s.post].map((e) => named(e));
    });
    topology = { class_name: 'Sequential', config: { name: model.name, layers } };
  } else {
    // Node indices count only this model's uses of a layer (a layer may serve other models too).
    const nodes = model.nodes;
    const indexOf = (n: (typeof nodes)[number]) => nodes.filter((q) => q.layer === n.layer).indexOf(n);
    /** Who others read a layer's output from: the last layer written for it. */
    const outName = (l: Layer) => {
      const s = splits.get(l)!;
      return (s.post.length ? s.post[s.post.length - 1] : s.main).config.name as string;
    };
    const layers = model.layers.flatMap((l) => {
      const s = splits.get(l)!;
      const own = nodes.filter((n) => n.layer === l && n.inputs.length > 0);
      const inputs = own.map((n) => n.inputs.map((t) => [outName(t.node.layer), indexOf(t.node), t.index, {}]));
      // A chain: the first layer written reads the layer's inputs, each next one the previous one's output (node k for node k).
      const chain = [...s.pre, s.main, ...s.post];
      return chain.map((e, i) => named(e, { inbound_nodes: i === 0 ? inputs : own.map((_, k) => [[chain[i - 1].config.name, k, 0, {}]]) }));
    });
    const ref = (t: LayersModel['inputs'][number]) => [outName(t.node.layer), indexOf(t.node), t.index];
    topology = { class_name: 'Model', config: { name: model.name, layers, input_layers: model.inputs.map(ref), output_layers: model.outputs.map(ref) } };
  }
  const tc = o.includeOptimizer === false ? null : trainingConfig(model);
  return {
    modelTopology: { ...topology, keras_version: `simdnet ${VERSION}`, backend: 'simdnet' },
    format: 'layers-model',
    generatedBy: `simdnet ${VERSION}`,
    convertedBy: null,
    ...(tc ? { trainingConfig: tc } : {}),
    weightSpecs: specs,
    weightData: data.buffer,
  };
}
