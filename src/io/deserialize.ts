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
import { zeroPadding2d } from '../layers/padding.ts';
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
  'Activation', 'ReLU', 'LeakyReLU', 'ELU', 'Softmax', 'ZeroPadding2D', 'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Concatenate', 'Dot', 'BatchNormalization', 'LayerNormalization',
  'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise',
  'SimpleRNN', 'LSTM', 'GRU',
  'Embedding', 'RepeatVector', 'Permute',
  'Conv3D', 'MaxPooling3D', 'AveragePooling3D', 'GlobalMaxPooling3D', 'GlobalAveragePooling3D',
  'Bidirectional', 'TimeDistributed',
] as const;
const ALIASES: Record<string, string> = { MaxPool2D: 'MaxPooling2D', MaxPool1D: 'MaxPooling1D', AvgPool2D: 'AveragePooling2D', AvgPool1D: 'AveragePooling1D', Convolution2D: 'Conv2D', Convolution1D: 'Conv1D', Convolution3D: 'Conv3D', MaxPool3D: 'MaxPooling3D', AvgPool3D: 'AveragePooling3D', GlobalMaxPool3D: 'GlobalMaxPooling3D', GlobalAvgPool3D: 'GlobalAveragePooling3D' };

/**
 * What simdnet's save wrote to rebuild one of its layers from the TF.js layers standing for it
 * (src/model/save.ts): on a layer written in its stead, the layer it is part of; on the layer
 * itself, its class and the config values the TF.js form changed.
 */
interface Marker {
  partOf?: string;
  className?: string;
  config?: Config;
}

export interface Topology {
  className: 'Sequential' | 'Model';
  name: string;
  layers: { className: string; config: Config; inboundNodes: unknown[]; marker?: Marker }[];
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
    const layers = foldSequential(list.map((l, i) => layerEntry(l, i, where)), where);
    return { className: 'Sequential', name, layers, inputLayers: [], outputLayers: [], trainingConfig };
  }
  if (cls === 'Model' || cls === 'Functional') {
    const c = config as Config;
    if (!c || typeof c !== 'object' || !Array.isArray(c.layers)) throw new Error(`${where}: a ${cls} topology needs config.layers`);
    if (!Array.isArray(c.input_layers) || !Array.isArray(c.output_layers)) throw new Error(`${where}: a ${cls} topology needs config.input_layers and config.output_layers`);
    const t: Topology = {
      className: 'Model',
      name: typeof c.name === 'string' ? c.name : 'model',
      layers: c.layers.map((l, i) => layerEntry(l, i, where)),
      inputLayers: c.input_layers,
      outputLayers: c.output_layers,
      trainingConfig,
    };
    foldFunctional(t, where);
    return t;
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
  const marker = e.simdnet === undefined ? undefined : readMarker(e.simdnet, `${where}: layer ${config.name}`);
  const entry = { className: ALIASES[e.class_name] ?? e.class_name, config, inboundNodes: inbound, marker };
  if (marker?.className !== undefined || marker?.config !== undefined) {
    // The layer as simdnet built it: its class and the values the TF.js form changed.
    entry.className = marker.className ?? entry.className;
    entry.config = { ...config, ...marker.config, name: config.name };
  }
  return entry;
}

/** Layers simdnet writes in front of or after one of its own (src/model/save.ts); none has weights. */
const PART_CLASSES = ['ZeroPadding2D', 'Reshape', 'LeakyReLU'];

function readMarker(m: unknown, who: string): Marker {
  if (!m || typeof m !== 'object' || Array.isArray(m)) throw new Error(`${who}: simdnet must be an object, got ${describe(m)}`);
  const { part_of, class_name, config, ...rest } = m as Config;
  if (Object.keys(rest).length) throw new Error(`${who}: simdnet has unknown keys ${Object.keys(rest).join(', ')}`);
  if (part_of !== undefined && (typeof part_of !== 'string' || class_name !== undefined || config !== undefined)) {
    throw new Error(`${who}: simdnet.part_of must be a layer name, alone, got ${describe(m)}`);
  }
  if (class_name !== undefined && (typeof class_name !== 'string' || !Object.prototype.hasOwnProperty.call(BUILDERS, class_name))) throw new Error(`${who}: simdnet.class_name ${describe(class_name)} is not a simdnet layer class`);
  if (config !== undefined && (!config || typeof config !== 'object' || Array.isArray(config))) throw new Error(`${who}: simdnet.config must be an object, got ${describe(config)}`);
  return { partOf: part_of as string | undefined, className: class_name as string | undefined, config: config === undefined ? undefined : (fromPythonic(config) as Config) };
}

function partOf(e: Topology['layers'][number], where: string): string | undefined {
  const p = e.marker?.partOf;
  if (p !== undefined && !PART_CLASSES.includes(e.className)) throw new Error(`${where}: layer ${e.config.name} (${e.className}) cannot stand for part of layer ${p}; only ${PART_CLASSES.join(', ')} can`);
  return p;
}

/** A Sequential's layers written as parts of another come right before or after it: drop them. */
function foldSequential(layers: Topology['layers'], where: string): Topology['layers'] {
  const out: Topology['layers'] = [];
  layers.forEach((e, i) => {
    const owner = partOf(e, where);
    if (owner === undefined) return void out.push(e);
    // Between the part and its owner there may only be other parts of the same owner.
    let ok = false;
    for (const dir of [-1, 1]) {
      for (let j = i + dir; j >= 0 && j < layers.length; j += dir) {
        if (partOf(layers[j], where) === owner) continue;
        if (layers[j].config.name === owner && layers[j].marker?.partOf === undefined) ok = true;
        break;
      }
    }
    if (!ok) throw new Error(`${where}: layer ${e.config.name} is written as part of layer ${owner}, which is not next to it`);
  });
  return out;
}

type Ref = [string, number, ...unknown[]];
const isRef = (r: unknown): r is Ref => Array.isArray(r) && typeof r[0] === 'string' && typeof r[1] === 'number';

/**
 * A functional model's layers written as parts of another: those in front of a layer (its input
 * runs through them) and those after it (its output does). The layer takes the inputs of the
 * first and the others read it where they read the last; the parts are dropped.
 */
function foldFunctional(t: Topology, where: string): void {
  const byName = new Map(t.layers.map((e) => [e.config.name as string, e]));
  const parts = t.layers.filter((e) => partOf(e, where) !== undefined);
  if (!parts.length) return;
  /** Node k of `e` reads exactly node k of `from`, for every k. */
  const reads = (e: Topology['layers'][number], from: string, count: number) =>
    e.inboundNodes.length === count && e.inboundNodes.every((node, k) => Array.isArray(node) && node.length === 1 && isRef(node[0]) && node[0][0] === from && node[0][1] === k && (node[0][2] ?? 0) === 0);
  const dropped = new Set<string>();
  /** A dropped part after its owner → the layer it read (whoever read the part reads that). */
  const rename = new Map<string, string>();
  const target = (name: string) => {
    let n = name;
    while (rename.has(n)) n = rename.get(n)!;
    return n;
  };
  for (const p of parts) {
    const owner = byName.get(p.marker!.partOf!);
    if (!owner || owner.marker?.partOf !== undefined) throw new Error(`${where}: layer ${p.config.name} is written as part of layer ${p.marker!.partOf}, which the file does not define`);
  }
  // After the owner (or after a part after it), in any file order.
  for (let progress = true; progress; ) {
    progress = false;
    for (const p of parts) {
      const name = p.config.name as string;
      const owner = p.marker!.partOf!;
      const first = p.inboundNodes[0];
      const src = Array.isArray(first) && first.length === 1 && isRef(first[0]) ? first[0][0] : undefined;
      if (dropped.has(name) || src === undefined || target(src) !== owner || (src !== owner && !rename.has(src))) continue;
      if (!reads(p, src, byName.get(owner)!.inboundNodes.length)) continue;
      rename.set(name, src);
      dropped.add(name);
      progress = true;
    }
  }
  // In front of the owner: walk back from the owner through its parts.
  for (const owner of t.layers) {
    const own = owner.config.name as string;
    for (;;) {
      const first = owner.inboundNodes[0];
      const src = Array.isArray(first) && first.length === 1 && isRef(first[0]) ? byName.get(first[0][0]) : undefined;
      if (!src || src.marker?.partOf !== own || dropped.has(src.config.name as string) || !reads(owner, src.config.name as string, src.inboundNodes.length)) break;
      owner.inboundNodes = src.inboundNodes;
      dropped.add(src.config.name as string);
    }
  }
  const stray = parts.find((p) => !dropped.has(p.config.name as string));
  if (stray) throw new Error(`${where}: layer ${stray.config.name} is written as part of layer ${stray.marker!.partOf}, but neither reads the other's output alone`);
  const fix = (r: unknown, who: string) => {
    if (!isRef(r)) return r;
    if (dropped.has(r[0]) && !rename.has(r[0])) throw new Error(`${where}: ${who} reads layer ${r[0]}, which is written as part of layer ${byName.get(r[0])!.marker!.partOf}`);
    return [target(r[0]), ...r.slice(1)];
  };
  t.layers = t.layers.filter((e) => !dropped.has(e.config.name as string));
  for (const e of t.layers) e.inboundNodes = e.inboundNodes.map((node) => (Array.isArray(node) ? node.map((r) => fix(r, `layer ${e.config.name}`)) : node));
  t.outputLayers = t.outputLayers.map((r) => fix(r, 'output_layers'));
  t.inputLayers = t.inputLayers.map((r) => fix(r, 'input_layers'));
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

/** An initializer's config: only the keys that class has (a key simdnet would ignore is an error). */
function initConfig(c: Config, keys: readonly string[], name: string, who: string): Config {
  const extra = Object.keys(c).filter((k) => !keys.includes(k));
  if (extra.length) throw new Error(`${who}: ${name} option${extra.length > 1 ? 's' : ''} ${extra.join(', ')} ${extra.length > 1 ? 'are' : 'is'} not supported; ${name} takes ${keys.join(', ') || 'no options'}`);
  // Keras and TF.js write an unset option as null.
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null));
}

function getNamedInitializer(name: string, config: Config, who: string): Initializer {
  const n = name.charAt(0).toLowerCase() + name.slice(1);
  const c = (keys: readonly string[]) => initConfig(config, keys, name, who) as Record<string, never>;
  switch (n) {
    case 'zeros':
    case 'ones':
      c([]);
      return initializers[n]();
    case 'constant':
      return initializers.constant(c(['value']) as unknown as { value: number });
    case 'randomNormal':
    case 'truncatedNormal':
      return initializers[n](c(['mean', 'stddev', 'seed']));
    case 'randomUniform':
      return initializers.randomUniform(c(['minval', 'maxval', 'seed']));
    case 'glorotUniform':
    case 'glorotNormal':
    case 'heNormal':
    case 'heUniform':
    case 'leCunNormal':
    case 'leCunUniform':
      return initializers[n](c(['seed']));
    case 'lecunNormal':
    case 'lecunUniform':
      return initializers[n === 'lecunNormal' ? 'leCunNormal' : 'leCunUniform'](c(['seed']));
    // TF.js writes glorotUniform & co. as VarianceScaling with their arguments.
    case 'varianceScaling':
      return initializers.varianceScaling(c(['scale', 'mode', 'distribution', 'seed']));
    case 'orthogonal':
      return initializers.orthogonal(c(['gain', 'seed']));
    case 'identity':
      return initializers.identity(c(['gain']));
    default:
      throw new Error(`${who}: initializer ${name} is not supported; simdnet has ${Object.keys(initializers).join(', ')}`);
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

/** `{ key: value }` when the file sets the option (not null), else nothing: the factory's default applies. */
function optional(r: Reader, key: string, map: (v: unknown) => unknown = (v) => v): Record<string, never> {
  const v = r.get(key);
  return (v === undefined ? {} : { [key]: map(v) }) as Record<string, never>;
}

/** SimpleRNN / LSTM / GRU options (Keras's time_major and constraints only at their neutral values). */
function recurrent(r: Reader) {
  r.refuse('recurrentConstraint');
  r.refuse('timeMajor', [false, null, undefined]);
  const { activation: _a, ...w } = weighted(r);
  return {
    ...w,
    units: r.get<number>('units')!,
    ...optional(r, 'activation'),
    recurrentInitializer: r.initializer('recurrentInitializer'),
    recurrentRegularizer: r.regularizer('recurrentRegularizer'),
    ...optional(r, 'returnSequences'),
    ...optional(r, 'returnState'),
    ...optional(r, 'goBackwards'),
    ...optional(r, 'stateful'),
    ...optional(r, 'unroll'),
    ...optional(r, 'dropout'),
    ...optional(r, 'recurrentDropout'),
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
  Conv3D: (r) => {
    channelsLast(r);
    r.refuse('groups', [1, null, undefined]);
    return factories.conv3d({
      ...weighted(r),
      filters: r.get<number>('filters')!,
      kernelSize: r.get<number[]>('kernelSize')!,
      strides: r.get<number[]>('strides'),
      padding: r.get<'valid' | 'same'>('padding'),
      dilationRate: r.get<number[]>('dilationRate'),
    });
  },
  MaxPooling3D: (r) => (channelsLast(r), factories.maxPooling3d({ ...r.common(), poolSize: r.get('poolSize'), strides: r.get('strides'), padding: r.get('padding') })),
  AveragePooling3D: (r) => (channelsLast(r), factories.averagePooling3d({ ...r.common(), poolSize: r.get('poolSize'), strides: r.get('strides'), padding: r.get('padding') })),
  GlobalMaxPooling3D: (r) => (channelsLast(r), r.refuse('keepdims', [false, null, undefined]), factories.globalMaxPooling3d(r.common())),
  GlobalAveragePooling3D: (r) => (channelsLast(r), r.refuse('keepdims', [false, null, undefined]), factories.globalAveragePooling3d(r.common())),
  Flatten: (r) => (channelsLast(r), factories.flatten(r.common())),
  Reshape: (r) => factories.reshape({ ...r.common(), targetShape: r.get<number[]>('targetShape')! }),
  Activation: (r) => factories.activation({ ...r.common(), activation: r.get<string>('activation')!, ...optional(r, 'alpha') }),
  ReLU: (r) => (r.refuse('negativeSlope', [0, null, undefined]), r.refuse('threshold', [0, null, undefined]), factories.reLU({ ...r.common(), ...optional(r, 'maxValue') })),
  LeakyReLU: (r) => factories.leakyReLU({ ...r.common(), alpha: r.get<number>('alpha') ?? r.get<number>('negativeSlope') }),
  // TF.js's default axis is 1 (the last of a [batch, units] input); Keras writes -1 or [-1].
  Softmax: (r) => factories.softmax({ ...r.common(), ...optional(r, 'axis', (a) => (Array.isArray(a) && a.length === 1 ? a[0] : a)) }),
  ELU: (r) => factories.elu({ ...r.common(), ...optional(r, 'alpha') }),
  ZeroPadding2D: (r) => (channelsLast(r), zeroPadding2d({ ...r.common(), ...optional(r, 'padding') })),
  Add: (r) => factories.add(r.common()),
  Subtract: (r) => factories.subtract(r.common()),
  Multiply: (r) => factories.multiply(r.common()),
  Average: (r) => factories.average(r.common()),
  Maximum: (r) => factories.maximum(r.common()),
  Minimum: (r) => factories.minimum(r.common()),
  Concatenate: (r) => factories.concatenate({ ...r.common(), axis: r.get<number>('axis') }),
  Dot: (r) => factories.dot({ ...r.common(), axes: r.get<number | [number, number]>('axes')!, normalize: r.get<boolean>('normalize') }),
  BatchNormalization: (r) => {
    r.refuse('betaConstraint');
    r.refuse('gammaConstraint');
    // Keras writes these (renorm, virtual batches, synchronized): only their neutral values pass.
    r.refuse('renorm', [false, null, undefined]);
    r.refuse('virtualBatchSize');
    r.refuse('adjustment');
    r.refuse('synchronized', [false, null, undefined]);
    r.refuse('fused', [true, false, null, undefined]);
    return factories.batchNormalization({
      ...r.common(),
      // Keras may write the axis as a one-item list.
      ...optional(r, 'axis', (a) => (Array.isArray(a) && a.length === 1 ? a[0] : a)),
      ...optional(r, 'momentum'),
      ...optional(r, 'epsilon'),
      ...optional(r, 'center'),
      ...optional(r, 'scale'),
      betaInitializer: r.initializer('betaInitializer'),
      gammaInitializer: r.initializer('gammaInitializer'),
      movingMeanInitializer: r.initializer('movingMeanInitializer'),
      movingVarianceInitializer: r.initializer('movingVarianceInitializer'),
      betaRegularizer: r.regularizer('betaRegularizer'),
      gammaRegularizer: r.regularizer('gammaRegularizer'),
    });
  },
  LayerNormalization: (r) => {
    r.refuse('betaConstraint');
    r.refuse('gammaConstraint');
    return factories.layerNormalization({
      ...r.common(),
      ...optional(r, 'axis'),
      ...optional(r, 'epsilon'),
      ...optional(r, 'center'),
      ...optional(r, 'scale'),
      betaInitializer: r.initializer('betaInitializer'),
      gammaInitializer: r.initializer('gammaInitializer'),
      betaRegularizer: r.regularizer('betaRegularizer'),
      gammaRegularizer: r.regularizer('gammaRegularizer'),
    });
  },
  // A rate TF.js wrote as null (it saves NaN, which JSON cannot hold) reads back as TF.js reads
  // it: max(min(null, 1), 0) = 0, the identity.
  Dropout: (r) => factories.dropout({ ...r.common(), rate: r.get<number>('rate') ?? 0, ...optional(r, 'noiseShape'), ...optional(r, 'seed') }),
  SpatialDropout1D: (r) => (r.refuse('noiseShape'), factories.spatialDropout1d({ ...r.common(), rate: r.get<number>('rate') ?? 0, ...optional(r, 'seed') })),
  SpatialDropout2D: (r) => (channelsLast(r), r.refuse('noiseShape'), factories.spatialDropout2d({ ...r.common(), rate: r.get<number>('rate') ?? 0, ...optional(r, 'seed') })),
  GaussianNoise: (r) => (r.refuse('seed'), factories.gaussianNoise({ ...r.common(), stddev: r.get<number>('stddev')! })),
  SimpleRNN: (r) => factories.simpleRNN(recurrent(r)),
  LSTM: (r) => factories.lstm({ ...recurrent(r), recurrentActivation: r.get<string>('recurrentActivation'), ...optional(r, 'unitForgetBias'), ...optional(r, 'implementation') }),
  GRU: (r) => factories.gru({ ...recurrent(r), recurrentActivation: r.get<string>('recurrentActivation'), ...optional(r, 'resetAfter'), ...optional(r, 'implementation') }),
  Embedding: (r) => {
    r.refuse('embeddingsConstraint');
    r.refuse('activityRegularizer');
    // TF.js writes batchInputShape [null, null] for an embedding built without inputLength: a
    // variable length, which the inbound input fixes; that shape is then no constraint.
    const { batchInputShape, ...common } = r.common();
    const fixed = batchInputShape && batchInputShape.slice(1).every((d) => d !== null) ? { batchInputShape } : {};
    return factories.embedding({
      ...common,
      ...fixed,
      inputDim: r.get<number>('inputDim')!,
      outputDim: r.get<number>('outputDim')!,
      ...optional(r, 'inputLength'),
      ...optional(r, 'maskZero'),
      embeddingsInitializer: r.initializer('embeddingsInitializer'),
      embeddingsRegularizer: r.regularizer('embeddingsRegularizer'),
    });
  },
  RepeatVector: (r) => factories.repeatVector({ ...r.common(), n: r.get<number>('n')! }),
  Permute: (r) => factories.permute({ ...r.common(), dims: r.get<number[]>('dims')! }),
  // Wrappers hold their inner layer's { class_name, config } (the layer TF.js clones per direction).
  Bidirectional: (r) => {
    r.refuse('numConstants');
    r.refuse('backwardLayer');
    // null is a real value here (two outputs), refused by the factory; absent means the default.
    const mergeMode = r.c.mergeMode;
    return factories.bidirectional({ ...r.common(), layer: nestedLayer(r), ...(mergeMode === undefined ? {} : { mergeMode: mergeMode as 'concat' }) });
  },
  TimeDistributed: (r) => factories.timeDistributed({ ...r.common(), layer: nestedLayer(r) }),
};

/** A wrapper's inner layer, built from its nested { className, config }. */
function nestedLayer(r: Reader): Layer {
  const l = r.get<Config>('layer');
  if (!l || typeof l !== 'object' || typeof l.className !== 'string' || !l.config || typeof l.config !== 'object') {
    throw new Error(`${r.who}: layer must be { class_name, config }, got ${describe(r.c.layer)}`);
  }
  const config = l.config as Config;
  if (typeof config.name !== 'string' || config.name === '') throw new Error(`${r.who}: the inner layer (${l.className}) has no name`);
  return buildLayer({ className: ALIASES[l.className] ?? l.className, config, inboundNodes: [] }, `${r.who} inner`);
}

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

function inputArgs(c: Config, who: string): { batchShape: (number | null)[]; dtype: 'float32' | 'int32'; name: string } {
  const shape = (c.batchInputShape ?? c.batchShape) as unknown;
  if (!Array.isArray(shape) || shape.length < 2) throw new Error(`${who}: batch_input_shape must be [null, ...sample shape], got ${describe(shape)}`);
  const dtype = c.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`${who}: dtype ${JSON.stringify(dtype)} is not supported (float32, int32)`);
  if (c.sparse === true || c.ragged === true) throw new Error(`${who}: sparse and ragged inputs are not supported`);
  // A number first is a fixed batch size (stateful layers downstream read it); kept.
  const batch = typeof shape[0] === 'number' ? shape[0] : null;
  return { batchShape: [batch, ...(shape.slice(1) as number[])], dtype, name: c.name as string };
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
      inputShape = a.batchShape;
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
function ref(r: unknown, what: string, where: string): { layer: string; node: number; tensor: number } {
  if (!Array.isArray(r) || typeof r[0] !== 'string' || !Number.isInteger(r[1]) || r[1] < 0) {
    throw new Error(`${where}: ${what}: expected [layer name, node index, tensor index], got ${JSON.stringify(r)}`);
  }
  if (r[2] !== undefined && !(Number.isInteger(r[2]) && r[2] >= 0)) throw new Error(`${where}: ${what}: tensor index of ${r[0]} must be a non-negative integer, got ${JSON.stringify(r[2])}`);
  return { layer: r[0], node: r[1], tensor: r[2] ?? 0 };
}

/** The tensor a reference names among a node's outputs (several only for recurrent layers with returnState). */
function tensorOf(outs: readonly SymbolicTensor[], r: { layer: string; node: number; tensor: number }, what: string, where: string): SymbolicTensor {
  const t = outs[r.tensor];
  if (!t) throw new Error(`${where}: ${what}: tensor index ${r.tensor} of ${r.layer} node ${r.node}, which has ${outs.length} output${outs.length === 1 ? '' : 's'}`);
  return t;
}

function functionalFrom(t: Topology, where: string): LayersModel {
  const byName = new Map(t.layers.map((e) => [e.config.name as string, e]));
  const made = new Map<string, Layer>();
  /** `${layer}#${node}` → its outputs. */
  const outputs = new Map<string, readonly SymbolicTensor[]>();
  // Inbound nodes per layer as lists of references; Keras 2 and TF.js wrap each node's inputs in a list.
  const pending: { name: string; node: number; inputs: { layer: string; node: number; tensor: number }[] }[] = [];
  for (const e of t.layers) {
    const name = e.config.name as string;
    if (e.className === 'InputLayer') {
      if (e.inboundNodes.length) throw new Error(`${where}: input layer ${name} cannot have inbound nodes`);
      const a = inputArgs(e.config, `${where}: layer ${name} (InputLayer)`);
      outputs.set(`${name}#0`, [makeInput(a)]);
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
      try {
        const xs = p.inputs.map((r, j) => tensorOf(outputs.get(`${r.layer}#${r.node}`)!, r, `layer ${p.name}: inbound node ${p.node}, input ${j}`, where));
        const ys: SymbolicTensor | SymbolicTensor[] = layer.apply(xs.length === 1 ? xs[0] : xs);
        outputs.set(`${p.name}#${p.node}`, Array.isArray(ys) ? ys : [ys]);
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
      return tensorOf(t, q, `${what}[${i}]`, where);
    });
  const ins = pick(t.inputLayers, 'input_layers');
  const outs = pick(t.outputLayers, 'output_layers');
  return new LayersModel({ inputs: ins, outputs: outs, name: t.name });
}
