/**
 * Topology JSON → layers and graph, as TF.js writes it (`modelTopology: { class_name, config }`)
 * and as the Keras 2 converter writes it (`modelTopology: { model_config, training_config,
 * keras_version, backend }`): Sequential and functional (`Model` / `Functional`) models. The
 * file is hostile until checked: every layer's class and options, every inbound reference,
 * cycles and duplicate names get an error naming the file and layer, and nothing is allocated
 * (weights come later, in load.ts).
 */
import { type Layer, type LayerArgs } from '../layers/layer.ts';
import { layers as factories } from '../layers/index.ts';
import { input as makeInput } from '../layers/input.ts';
import { initializers, type Initializer } from '../initializers/index.ts';
import { regularizers, type Regularizer } from '../regularizers/index.ts';
import { LayersModel } from '../model/model.ts';
import { Sequential } from '../model/sequential.ts';
import type { SymbolicTensor } from '../engine/symbolic.ts';
import { describe } from './weights.ts';

type Config = Record<string, unknown>;

/** snake_case → camelCase, as TF.js converts Keras configs (keys and string values). */
const camel = (s: string) => s.replace(/[_-]([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * TF.js's pythonic → TS conversion: keys and string values to camelCase, except `name` values
 * and the layer names that open inbound-node, input and output references.
 */
export function fromPythonic(v: unknown, key = ''): unknown {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return camel(v);
  if (Array.isArray(v)) {
    const refs = key === 'inboundNodes' || key === 'inputLayers' || key === 'outputLayers';
    return v.map((x, i) => (refs && i === 0 && typeof x === 'string' ? x : fromPythonic(x, key)));
  }
  if (typeof v === 'object') {
    const out: Config = {};
    for (const [k, x] of Object.entries(v as Config)) {
      if (k === 'name' && typeof x === 'string') out.name = x;
      else {
        const ck = camel(k);
        out[ck] = fromPythonic(x, ck);
      }
    }
    return out;
  }
  return undefined;
}

export const SUPPORTED_LAYERS = [
  'InputLayer', 'Dense', 'Conv2D', 'Conv1D', 'MaxPooling2D', 'MaxPooling1D', 'AveragePooling2D', 'AveragePooling1D',
  'GlobalMaxPooling2D', 'GlobalMaxPooling1D', 'GlobalAveragePooling2D', 'GlobalAveragePooling1D', 'Flatten', 'Reshape',
  'Activation', 'ReLU', 'LeakyReLU', 'Softmax', 'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'Dot',
] as const;
const ALIASES: Record<string, string> = { MaxPool2D: 'MaxPooling2D', MaxPool1D: 'MaxPooling1D', AvgPool2D: 'AveragePooling2D', AvgPool1D: 'AveragePooling1D', Convolution2D: 'Conv2D', Convolution1D: 'Conv1D' };

export interface Topology {
  className: 'Sequential' | 'Model';
  name: string;
  layers: { className: string; config: Config; inboundNodes: unknown[] }[];
  inputLayers: unknown[];
  outputLayers: unknown[];
  trainingConfig: Config | null;
}

/** The two file layouts to one shape (still unchecked per layer). */
export function readTopology(topology: unknown, where: string): Topology {
  if (!topology || typeof topology !== 'object' || Array.isArray(topology)) throw new Error(`${where}: modelTopology must be an object, got ${describe(topology)}`);
  const t = topology as Config;
  const inner = (t.model_config ?? t) as Config;
  if (!inner || typeof inner !== 'object') throw new Error(`${where}: model_config must be an object, got ${describe(inner)}`);
  const cls = inner.class_name;
  const config = inner.config;
  const trainingConfig = (t.training_config && typeof t.training_config === 'object' ? t.training_config : null) as Config | null;
  if (cls === 'Sequential') {
    // Keras 1 wrote the layer list as the config itself.
    const list = Array.isArray(config) ? config : (config as Config | undefined)?.layers;
    if (!Array.isArray(list) || list.length === 0) throw new Error(`${where}: a Sequential topology needs a non-empty config.layers list`);
    const name = (!Array.isArray(config) && typeof (config as Config).name === 'string' ? (config as Config).name : 'sequential') as string;
    return { className: 'Sequential', name, layers: list.map((l, i) => layerEntry(l, i, where)), inputLayers: [], outputLayers: [], trainingConfig };
  }
  if (cls === 'Model' || cls === 'Functional') {
    const c = config as Config;
    if (!c || typeof c !== 'object' || !Array.isArray(c.layers)) throw new Error(`${where}: a ${cls} topology needs config.layers`);
    if (!Array.isArray(c.input_layers) || !Array.isArray(c.output_layers)) throw new Error(`${where}: a ${cls} topology needs config.input_layers and config.output_layers`);
    return {
      className: 'Model',
      name: typeof c.name === 'string' ? c.name : 'model',
      layers: c.layers.map((l, i) => layerEntry(l, i, where)),
      inputLayers: c.input_layers,
      outputLayers: c.output_layers,
      trainingConfig,
    };
  }
  throw new Error(`${where}: the model class ${describe(cls)} is not supported; expected Sequential, Model or Functional`);
}

function layerEntry(l: unknown, i: number, where: string): Topology['layers'][number] {
  if (!l || typeof l !== 'object') throw new Error(`${where}: layer ${i} must be an object with class_name and config, got ${describe(l)}`);
  const e = l as Config;
  if (typeof e.class_name !== 'string') throw new Error(`${where}: layer ${i} has no class_name`);
  if (!e.config || typeof e.config !== 'object') throw new Error(`${where}: layer ${i} (${e.class_name}) has no config object`);
  const config = fromPythonic(e.config) as Config;
  if (typeof e.name === 'string' && config.name === undefined) config.name = e.name;
  if (typeof config.name !== 'string' || config.name === '') throw new Error(`${where}: layer ${i} (${e.class_name}) has no name`);
  const inbound = e.inbound_nodes ?? [];
  if (!Array.isArray(inbound)) throw new Error(`${where}: layer ${config.name}: inbound_nodes must be a list`);
  return { className: ALIASES[e.class_name] ?? e.class_name, config, inboundNodes: inbound };
}

// ---------------------------------------------------------------- layer configs

/** Reads one layer's config: known options converted, unsupported ones refused by name. */
class Reader {
  constructor(
    readonly c: Config,
    readonly who: string,
  ) {}
  get<T = unknown>(key: string): T | undefined {
    const v = this.c[key];
    return (v === null ? undefined : v) as T | undefined;
  }
  /** Options simdnet does not implement: only their neutral value passes. */
  refuse(key: string, neutral: unknown[] = [null, undefined]): void {
    const v = this.c[key];
    if (!neutral.some((n) => JSON.stringify(n) === JSON.stringify(v))) {
      throw new Error(`${this.who}: option ${key} = ${JSON.stringify(v)} is not supported`);
    }
  }
  common(): LayerArgs {
    const dtype = this.c.dtype;
    const dt = dtype && typeof dtype === 'object' ? ((dtype as Config).config as Config | undefined)?.name : dtype;
    if (dt !== undefined && dt !== null && dt !== 'float32') throw new Error(`${this.who}: dtype ${JSON.stringify(dt)} is not supported (float32 only)`);
    const shape = this.get<(number | null)[]>('batchInputShape') ?? this.get<(number | null)[]>('batchShape');
    return { name: this.c.name as string, trainable: this.get<boolean>('trainable') ?? true, ...(shape ? { batchInputShape: shape } : {}) };
  }
  initializer(key: string): Initializer | undefined {
    const v = this.get(key);
    return v === undefined ? undefined : toInitializer(v, `${this.who}: ${key}`);
  }
  regularizer(key: string): Regularizer | undefined {
    const v = this.get(key);
    return v === undefined ? undefined : toRegularizer(v, `${this.who}: ${key}`);
  }
  /** A Keras 1D option may be a one-item list. */
  one(key: string): number | undefined {
    const v = this.get<number | number[]>(key);
    return Array.isArray(v) ? v[0] : v;
  }
}

function toInitializer(v: unknown, who: string): Initializer {
  if (typeof v === 'string') return getNamedInitializer(v, {}, who);
  if (!v || typeof v !== 'object') throw new Error(`${who}: expected { class_name, config }, got ${describe(v)}`);
  const { className, config } = v as { className?: unknown; config?: Config };
  if (typeof className !== 'string') throw new Error(`${who}: the initializer has no class_name`);
  return getNamedInitializer(className, config ?? {}, who);
}

function getNamedInitializer(name: string, c: Config, who: string): Initializer {
  const seed = typeof c.seed === 'number' ? { seed: c.seed } : {};
  const n = name.charAt(0).toLowerCase() + name.slice(1);
  switch (n) {
    case 'zeros':
    case 'ones':
      return initializers[n]();
    case 'constant':
      return initializers.constant({ value: c.value as number });
    case 'randomNormal':
    case 'truncatedNormal':
      return initializers[n]({ mean: (c.mean as number) ?? 0, stddev: (c.stddev as number) ?? 0.05, ...seed });
    case 'randomUniform':
      return initializers.randomUniform({ minval: (c.minval as number) ?? -0.05, maxval: (c.maxval as number) ?? 0.05, ...seed });
    case 'glorotUniform':
    case 'glorotNormal':
    case 'heNormal':
    case 'heUniform':
    case 'leCunNormal':
    case 'leCunUniform':
      return initializers[n](seed);
    case 'lecunNormal':
    case 'lecunUniform':
      return initializers[n === 'lecunNormal' ? 'leCunNormal' : 'leCunUniform'](seed);
    case 'varianceScaling': {
      // TF.js writes glorotUniform & co. as VarianceScaling with their arguments.
      const key = `${c.scale}/${c.mode}/${c.distribution}`;
      const named: Record<string, keyof typeof initializers> = {
        '1/fanAvg/uniform': 'glorotUniform',
        '1/fanAvg/normal': 'glorotNormal',
        '1/fanAvg/truncatedNormal': 'glorotNormal',
        '2/fanIn/uniform': 'heUniform',
        '2/fanIn/normal': 'heNormal',
        '2/fanIn/truncatedNormal': 'heNormal',
        '1/fanIn/uniform': 'leCunUniform',
        '1/fanIn/normal': 'leCunNormal',
        '1/fanIn/truncatedNormal': 'leCunNormal',
      };
      const f = named[key];
      if (f) return (initializers[f] as (a: object) => Initializer)(seed);
      throw new Error(`${who}: VarianceScaling with scale ${c.scale}, mode ${c.mode}, distribution ${c.distribution} is not supported`);
    }
    default:
      throw new Error(`${who}: initializer ${name} is not supported`);
  }
}

function toRegularizer(v: unknown, who: string): Regularizer {
  if (!v || typeof v !== 'object') throw new Error(`${who}: expected { class_name, config }, got ${describe(v)}`);
  const { className, config } = v as { className?: unknown; config?: Config };
  const c = config ?? {};
  switch (className) {
    case 'L1L2':
      return regularizers.l1l2({ l1: (c.l1 as number) ?? 0, l2: (c.l2 as number) ?? 0 });
    case 'L1':
      return regularizers.l1({ l1: c.l1 as number });
    case 'L2':
      return regularizers.l2({ l2: c.l2 as number });
    default:
      throw new Error(`${who}: regularizer ${describe(className)} is not supported; expected L1L2, L1 or L2`);
  }
}

function weighted(r: Reader) {
  r.refuse('activityRegularizer');
  r.refuse('kernelConstraint');
  r.refuse('biasConstraint');
  return {
    ...r.common(),
    activation: r.get<string>('activation'),
    useBias: r.get<boolean>('useBias') ?? true,
    kernelInitializer: r.initializer('kernelInitializer'),
    biasInitializer: r.initializer('biasInitializer'),
    kernelRegularizer: r.regularizer('kernelRegularizer'),
    biasRegularizer: r.regularizer('biasRegularizer'),
  };
}

function channelsLast(r: Reader): void {
  const f = r.get('dataFormat');
  if (f !== undefined && f !== 'channelsLast') throw new Error(`${r.who}: dataFormat ${JSON.stringify(f)} is not supported (channelsLast only)`);
}

const BUILDERS: Record<string, (r: Reader) => Layer> = {
  Dense: (r) => factories.dense({ ...weighted(r), units: r.get<number>('units')! }),
  Conv2D: (r) => {
    channelsLast(r);
    r.refuse('groups', [1, null, undefined]);
    return factories.conv2d({
      ...weighted(r),
      filters: r.get<number>('filters')!,
      kernelSize: r.get<[number, number]>('kernelSize')!,
      strides: r.get<[number, number]>('strides'),
      padding: r.get<'valid' | 'same'>('padding'),
      dilationRate: r.get<[number, number]>('dilationRate'),
    });
  },
  Conv1D: (r) => {
    channelsLast(r);
    r.refuse('groups', [1, null, undefined]);
    return factories.conv1d({ ...weighted(r), filters: r.get<number>('filters')!, kernelSize: r.one('kernelSize')!, strides: r.one('strides'), padding: r.get<'valid'>('padding'), dilationRate: r.one('dilationRate') });
  },
  MaxPooling2D: (r) => (channelsLast(r), factories.maxPooling2d({ ...r.common(), poolSize: r.get('poolSize'), strides: r.get('strides'), padding: r.get('padding') })),
  AveragePooling2D: (r) => (channelsLast(r), factories.averagePooling2d({ ...r.common(), poolSize: r.get('poolSize'), strides: r.get('strides'), padding: r.get('padding') })),
  MaxPooling1D: (r) => (channelsLast(r), factories.maxPooling1d({ ...r.common(), poolSize: r.one('poolSize'), strides: r.one('strides'), padding: r.get('padding') })),
  AveragePooling1D: (r) => (channelsLast(r), factories.averagePooling1d({ ...r.common(), poolSize: r.one('poolSize'), strides: r.one('strides'), padding: r.get('padding') })),
  GlobalMaxPooling2D: (r) => (channelsLast(r), r.refuse('keepdims', [false, null, undefined]), factories.globalMaxPooling2d(r.common())),
  GlobalAveragePooling2D: (r) => (channelsLast(r), r.refuse('keepdims', [false, null, undefined]), factories.globalAveragePooling2d(r.common())),
  GlobalMaxPooling1D: (r) => (channelsLast(r), r.refuse('keepdims', [false, null, undefined]), factories.globalMaxPooling1d(r.common())),
  GlobalAveragePooling1D: (r) => (channelsLast(r), r.refuse('keepdims', [false, null, undefined]), factories.globalAveragePooling1d(r.common())),
  Flatten: (r) => (channelsLast(r), factories.flatten(r.common())),
  Reshape: (r) => factories.reshape({ ...r.common(), targetShape: r.get<number[]>('targetShape')! }),
  Activation: (r) => factories.activation({ ...r.common(), activation: r.get<string>('activation')! }),
  ReLU: (r) => (r.refuse('maxValue'), r.refuse('negativeSlope', [0, null, undefined]), r.refuse('threshold', [0, null, undefined]), factories.reLU(r.common())),
  LeakyReLU: (r) => factories.leakyReLU({ ...r.common(), alpha: r.get<number>('alpha') ?? r.get<number>('negativeSlope') }),
  Softmax: (r) => (r.refuse('axis', [-1, [-1], null, undefined]), factories.softmax(r.common())),
  Add: (r) => factories.add(r.common()),
  Subtract: (r) => factories.subtract(r.common()),
  Multiply: (r) => factories.multiply(r.common()),
  Average: (r) => factories.average(r.common()),
  Maximum: (r) => factories.maximum(r.common()),
  Minimum: (r) => factories.minimum(r.common()),
  Concatenate: (r) => factories.concatenate({ ...r.common(), axis: r.get<number>('axis') }),
  Dot: (r) => factories.dot({ ...r.common(), axes: r.get<number | [number, number]>('axes')!, normalize: r.get<boolean>('normalize') }),
};

function buildLayer(e: Topology['layers'][number], where: string): Layer {
  const who = `${where}: layer ${e.config.name} (${e.className})`;
  const b = Object.prototype.hasOwnProperty.call(BUILDERS, e.className) ? BUILDERS[e.className] : undefined;
  if (!b) throw new Error(`${who}: simdnet has no ${e.className} layer; supported: ${SUPPORTED_LAYERS.join(', ')}`);
  try {
    return b(new Reader(e.config, who));
  } catch (err) {
    // The factories name the layer themselves: keep one name, with the file and class.
    const m = (err as Error).message;
    const own = `${e.config.name}: `;
    throw new Error(m.startsWith(who) ? m : `${who}: ${m.startsWith(own) ? m.slice(own.length) : m}`);
  }
}

function inputArgs(c: Config, who: string): { shape: number[]; dtype: 'float32' | 'int32'; name: string } {
  const shape = (c.batchInputShape ?? c.batchShape) as unknown;
  if (!Array.isArray(shape) || shape.length < 2) throw new Error(`${who}: batch_input_shape must be [null, ...sample shape], got ${describe(shape)}`);
  const dtype = c.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`${who}: dtype ${JSON.stringify(dtype)} is not supported (float32, int32)`);
  if (c.sparse === true || c.ragged === true) throw new Error(`${who}: sparse and ragged inputs are not supported`);
  return { shape: shape.slice(1) as number[], dtype, name: c.name as string };
}

// ---------------------------------------------------------------- models

/** Builds the model a topology describes (no weights allocated yet). */
export function modelFromTopology(topology: unknown, where: string): { model: LayersModel; trainingConfig: Config | null } {
  const t = readTopology(topology, where);
  const names = new Set<string>();
  for (const l of t.layers) {
    const n = l.config.name as string;
    if (names.has(n)) throw new Error(`${where}: two layers are named ${n}`);
    names.add(n);
  }
  const model = t.className === 'Sequential' ? sequentialFrom(t, where) : functionalFrom(t, where);
  return { model, trainingConfig: t.trainingConfig };
}

function sequentialFrom(t: Topology, where: string): Sequential {
  const m = new Sequential({ name: t.name });
  let inputShape: (number | null)[] | undefined;
  t.layers.forEach((e, i) => {
    if (e.className === 'InputLayer') {
      if (i !== 0) throw new Error(`${where}: an InputLayer can only come first in a Sequential (layer ${i}, ${e.config.name})`);
      const a = inputArgs(e.config, `${where}: layer ${e.config.name} (InputLayer)`);
      if (a.dtype !== 'float32') throw new Error(`${where}: layer ${e.config.name}: a Sequential takes float32 inputs`);
      inputShape = [null, ...a.shape];
      return;
    }
    if (inputShape && e.config.batchInputShape === undefined && e.config.batchShape === undefined) e.config.batchInputShape = inputShape;
    inputShape = undefined;
    const layer = buildLayer(e, where);
    try {
      m.add(layer);
    } catch (err) {
      throw new Error(`${where}: layer ${e.config.name} (${e.className}): ${(err as Error).message}`);
    }
  });
  return m;
}

/** A reference [layerName, nodeIndex, tensorIndex, kwargs?], checked. */
function ref(r: unknown, what: string, where: string): { layer: string; node: number } {
  if (!Array.isArray(r) || typeof r[0] !== 'string' || !Number.isInteger(r[1]) || r[1] < 0) {
    throw new Error(`${where}: ${what}: expected [layer name, node index, tensor index], got ${JSON.stringify(r)}`);
  }
  if (r[2] !== undefined && r[2] !== 0) throw new Error(`${where}: ${what}: tensor index ${r[2]} of ${r[0]}: simdnet layers have one output`);
  return { layer: r[0], node: r[1] };
}

function functionalFrom(t: Topology, where: string): LayersModel {
  const byName = new Map(t.layers.map((e) => [e.config.name as string, e]));
  const made = new Map<string, Layer>();
  /** `${layer}#${node}` → its output. */
  const outputs = new Map<string, SymbolicTensor>();
  // Inbound nodes per layer as lists of references; Keras 2 and TF.js wrap each node's inputs in a list.
  const pending: { name: string; node: number; inputs: { layer: string; node: number }[] }[] = [];
  for (const e of t.layers) {
    const name = e.config.name as string;
    if (e.className === 'InputLayer') {
      if (e.inboundNodes.length) throw new Error(`${where}: input layer ${name} cannot have inbound nodes`);
      const a = inputArgs(e.config, `${where}: layer ${name} (InputLayer)`);
      outputs.set(`${name}#0`, makeInput(a));
      continue;
    }
    e.inboundNodes.forEach((node, k) => {
      if (!Array.isArray(node)) throw new Error(`${where}: layer ${name}: inbound node ${k} must be a list of references (Keras 3 files are not supported)`);
      const inputs = node.map((r, j) => ref(r, `layer ${name}: inbound node ${k}, input ${j}`, where));
      for (const r of inputs) if (!byName.has(r.layer)) throw new Error(`${where}: layer ${name} reads layer ${r.layer}, which the file does not define`);
      pending.push({ name, node: k, inputs });
    });
    if (e.inboundNodes.length === 0) throw new Error(`${where}: layer ${name} has no inbound nodes: nothing feeds it`);
  }
  // Apply nodes once their inputs exist, in file order; what never becomes ready is a cycle.
  let progress = true;
  while (pending.length && progress) {
    progress = false;
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i];
      if (!p.inputs.every((r) => outputs.has(`${r.layer}#${r.node}`))) continue;
      // A layer's nodes are applied in their order, so node k is its k-th use.
      if (pending.some((q, j) => j < i && q.name === p.name)) continue;
      let layer = made.get(p.name);
      if (!layer) {
        layer = buildLayer(byName.get(p.name)!, where);
        made.set(p.name, layer);
      }
      const xs = p.inputs.map((r) => outputs.get(`${r.layer}#${r.node}`)!);
      try {
        outputs.set(`${p.name}#${p.node}`, layer.apply(xs.length === 1 ? xs[0] : xs));
      } catch (err) {
        throw new Error(`${where}: layer ${p.name} (${layer.className}): ${(err as Error).message}`);
      }
      pending.splice(i, 1);
      i--;
      progress = true;
    }
  }
  if (pending.length) {
    const missing = pending[0].inputs.find((r) => !outputs.has(`${r.layer}#${r.node}`))!;
    const exists = t.layers.find((e) => e.config.name === missing.layer)!;
    const why = exists.className !== 'InputLayer' && missing.node >= exists.inboundNodes.length ? `node ${missing.node} of ${missing.layer}, which has ${exists.inboundNodes.length}` : `${missing.layer}, in a cycle`;
    throw new Error(`${where}: layer ${pending[0].name} waits on ${why}`);
  }
  const pick = (list: unknown[], what: string) =>
    list.map((r, i) => {
      const q = ref(r, `${what}[${i}]`, where);
      const t = outputs.get(`${q.layer}#${q.node}`);
      if (!t) throw new Error(`${where}: ${what}[${i}] names ${q.layer} node ${q.node}, which the file does not define`);
      return t;
    });
  const ins = pick(t.inputLayers, 'input_layers');
  const outs = pick(t.outputLayers, 'output_layers');
  return new LayersModel({ inputs: ins, outputs: outs, name: t.name });
}
