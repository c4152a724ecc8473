/**
 * loadLayersModel: model files (TF.js layers format, or the Keras converter's) → a model with
 * its weights. Everything is checked before anything is allocated — topology, manifest, bytes
 * present, each weight against its layer — then the weights are decoded straight into the
 * layers' arena blocks (one copy). A failure after allocation disposes the half-made model.
 */
import type { LayersModel } from '../model/model.ts';
import type { Layer, Param } from '../layers/layer.ts';
import { sameShape } from '../layers/layer.ts';
import { backend } from '../wasm/loader.ts';
import { modelFromTopology } from './deserialize.ts';
import { checkManifest, decodePieces, DEFAULT_MAX_BYTES, describe, specBytes, specSize, WeightData, type WeightGroup, type WeightSpec } from './weights.ts';
import { type IOHandler, loadHandler, type LoadOptions, type ModelArtifacts } from './handlers.ts';

export type { LoadOptions, ModelArtifacts } from './handlers.ts';


export async function loadLayersModel(source: unknown, opts: LoadOptions = {}): Promise<LayersModel> {
  checkLoadOptions(opts);
  const handler = loadHandler(source, opts) as IOHandler & { loadStreaming?: () => Promise<ModelArtifacts> };
  if (!handler || typeof handler.load !== 'function') throw new Error('loadLayersModel: the source has no load()');
  // Files are read shard by shard as the weights are decoded: memory holds the model plus one shard.
  const artifacts = typeof handler.loadStreaming === 'function' ? await handler.loadStreaming() : await handler.load();
  return modelFromArtifacts(artifacts, opts, sourceName(source));
}

function sourceName(source: unknown): string {
  if (typeof source === 'string') return source;
  if (source instanceof URL) return source.href;
  return 'model';
}

function checkLoadOptions(opts: LoadOptions): void {
  if (opts === null || typeof opts !== 'object') throw new Error(`loadLayersModel: options must be an object, got ${describe(opts)}`);
  if (opts.strict !== undefined && typeof opts.strict !== 'boolean') throw new Error(`loadLayersModel: strict must be a boolean, got ${describe(opts.strict)}`);
  if (opts.maxBytes !== undefined && !(typeof opts.maxBytes === 'number' && Number.isFinite(opts.maxBytes) && opts.maxBytes > 0)) {
    throw new Error(`loadLayersModel: maxBytes must be a positive number, got ${describe(opts.maxBytes)}`);
  }
  if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function') throw new Error('loadLayersModel: onProgress must be a function');
  if (opts.fetchFunc !== undefined && typeof opts.fetchFunc !== 'function') throw new Error('loadLayersModel: fetchFunc must be a function');
  if (opts.weightPathPrefix !== undefined && typeof opts.weightPathPrefix !== 'string') throw new Error('loadLayersModel: weightPathPrefix must be a string');
}

/** Which weight of the file goes to which parameter. */
interface Assignment {
  layer: Layer;
  param: Param;
  spec: WeightSpec;
  /** Byte offset in the weight data. */
  offset: number;
}

export async function modelFromArtifacts(artifacts: ModelArtifacts, opts: LoadOptions = {}, where = 'model'): Promise<LayersModel> {
  if (!artifacts || typeof artifacts !== 'object') throw new Error(`${where}: expected model artifacts, got ${describe(artifacts)}`);
  backend(); // fail before any work when init() has not run
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const strict = opts.strict ?? true;
  if (artifacts.modelTopology === undefined || artifacts.modelTopology === null) throw new Error(`${where}: the file has no modelTopology`);
  const manifest: unknown = artifacts.weightsManifest ?? [{ paths: ['weights'], weights: artifacts.weightSpecs ?? [] }];
  const { groups, bytes } = checkManifest(manifest, where, maxBytes);
  const data = artifacts.weightShards ? shardStream(artifacts.weightShards, bytes, where) : weightData(artifacts, groups, bytes, where);

  if ((artifacts as { format?: unknown }).format === 'graph-model' || isGraphDef(artifacts.modelTopology)) {
    throw new Error(`${where}: this is a TF.js graph model (the converter's graph-model format, for tf.loadGraphModel); simdnet loads layers models (format layers-model)`);
  }
  let built: ReturnType<typeof modelFromTopology>;
  try {
    built = modelFromTopology(artifacts.modelTopology, where);
  } catch (e) {
    const m = (e as Error).message;
    throw m.startsWith(where) ? e : new Error(`${where}: ${m}`);
  }
  const { model, trainingConfig } = built;
  const floats = model.layers.reduce((t, l) => t + l.weightFloats, 0);
  if (floats * 4 > maxBytes) throw new Error(`${where}: the model's weights need ${floats * 4} bytes, more than the maxBytes limit ${maxBytes}`);
  const plan = assign(model, groups, strict, where);
  try {
    model.build(new Set(plan.map((a) => a.param)));
    const { arena, kernels: k } = backend();
    // In file order, so that shards are read (and dropped) one after the other.
    for (const a of [...plan].sort((p, q) => p.offset - q.offset)) {
      const dst = arena.f32.subarray(a.param.ptr >>> 2, (a.param.ptr >>> 2) + a.param.size);
      await decodePieces(a.spec, data.pieces(a.offset, specBytes(a.spec)), dst);
      // NaN or ±Infinity makes the sum of squares non-finite: one SIMD pass instead of a JS scan.
      if (!Number.isFinite(k.sum_squares_f32(a.param.ptr, a.param.size))) {
        const i = dst.findIndex((v) => !Number.isFinite(v));
        throw new Error(`${where}: weight ${a.spec.name} (layer ${a.layer.name}) holds ${dst[i]} at index ${i}`);
      }
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  // TF.js writes it next to the topology; the Keras converter inside it (model_config's sibling).
  const tc = (artifacts as { trainingConfig?: unknown }).trainingConfig;
  model.trainingConfig = tc && typeof tc === 'object' && !Array.isArray(tc) ? (tc as Record<string, unknown>) : trainingConfig;
  return model;
}

/**
 * Shards read one at a time, in order, as the weights ask for their bytes (offsets never go
 * back), each weight's bytes handed out as views of the shards it lies in: memory holds one
 * shard at a time.
 */
function shardStream(src: NonNullable<ModelArtifacts['weightShards']>, bytes: number, where: string) {
  const total = src.sizes.reduce((a, b) => a + b, 0);
  if (total !== bytes) throw new Error(`${where}: the weight files hold ${total} bytes but the manifest needs ${bytes}${total < bytes ? ': a shard is truncated or missing' : ''}`);
  let i = -1;
  let buf: Uint8Array = new Uint8Array(0);
  let start = 0;
  const next = async () => {
    start += buf.byteLength;
    if (++i >= src.sizes.length) throw new Error(`${where}: the weight files end before the manifest's weights do`);
    buf = await src.read(i);
    if (buf.byteLength !== src.sizes[i]) throw new Error(`${where}: weight file ${i + 1} changed while loading (${src.sizes[i]} bytes, now ${buf.byteLength})`);
  };
  return {
    /** Bytes [offset, offset+n) as consecutive views; a view is valid until the next is asked for. */
    async *pieces(offset: number, n: number): AsyncGenerator<Uint8Array> {
      while (offset >= start + buf.byteLength) await next();
      let off = offset - start;
      for (let left = n; left > 0; ) {
        if (off >= buf.byteLength) {
          await next();
          off = 0;
          continue;
        }
        const take = Math.min(left, buf.byteLength - off);
        yield buf.subarray(off, off + take);
        off += take;
        left -= take;
      }
    },
  };
}

/** A GraphDef (nodes and versions) rather than a layers topology. */
function isGraphDef(t: unknown): boolean {
  return !!t && typeof t === 'object' && Array.isArray((t as { node?: unknown }).node);
}

/** The weight bytes, checked against what the manifest needs (shard by shard when the shards are given). */
function weightData(a: ModelArtifacts, groups: WeightGroup[], bytes: number, where: string): WeightData {
  const raw = a.weightData;
  if (bytes === 0) return new WeightData([]);
  if (raw === undefined || raw === null) throw new Error(`${where}: the manifest lists ${bytes} bytes of weights but no weight data came with it`);
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  const shards = list.map((b) => {
    if (b instanceof ArrayBuffer) return new Uint8Array(b);
    if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    throw new Error(`${where}: weightData must be an ArrayBuffer or a list of them, got ${describe(b)}`);
  });
  const paths = groups.flatMap((g) => g.paths);
  if (shards.length === paths.length && shards.length > 1) {
    let s = 0;
    for (const g of groups) {
      const have = shards.slice(s, s + g.paths.length).reduce((t, b) => t + b.byteLength, 0);
      const need = g.weights.reduce((t, w) => t + specBytes(w), 0);
      if (have !== need) throw new Error(`${where}: the shards ${g.paths.join(', ')} hold ${have} bytes but their weights (${g.weights.map((w) => w.name).join(', ')}) need ${need}${have < need ? ': a shard is truncated or missing' : ''}`);
      s += g.paths.length;
    }
  }
  const data = new WeightData(shards);
  if (data.byteLength !== bytes) {
    throw new Error(`${where}: the weight data holds ${data.byteLength} bytes but the manifest needs ${bytes}${data.byteLength < bytes ? ': a shard is truncated or missing' : ''}`);
  }
  return data;
}

/**
 * Match the file's weights to the model's parameters: by name (`layer/param`, also under a
 * scope prefix as the Keras converter writes nested names), shapes equal. Strict (the default,
 * as TF.js): every parameter gets a weight and every weight a parameter (the optimizer's state
 * aside).
 */
function assign(model: LayersModel, groups: WeightGroup[], strict: boolean, where: string): Assignment[] {
  const offsets = new Map<WeightSpec, number>();
  let at = 0;
  for (const g of groups) for (const w of g.weights) offsets.set(w, ((at += specBytes(w)), at - specBytes(w)));
  // The optimizer's state TF.js may save alongside is skipped: simdnet does not restore it.
  const specs = [...offsets.keys()].filter((s) => s.group !== 'optimizer');
  const byName = new Map(specs.map((s) => [s.name.replace(/:0$/, ''), s]));
  const used = new Set<WeightSpec>();
  const out: Assignment[] = [];
  for (const { layer, p } of model.weightEntries()) {
    const full = `${layer.name}/${p.name}`;
    let spec = byName.get(full);
    if (!spec) {
      const tail = specs.filter((s) => s.name.replace(/:0$/, '').endsWith(`/${full}`));
      if (tail.length === 1) spec = tail[0];
    }
    if (!spec) {
      // Keras 2 names a recurrent layer's weights through its cell: gru/gru_cell/kernel, and
      // bidir/forward_lstm/lstm_cell/kernel inside a Bidirectional.
      const cell = specs.filter((s) => {
        const parts = s.name.replace(/:0$/, '').split('/');
        if (parts.length < 3 || !parts[parts.length - 2].endsWith('_cell')) return false;
        const joined = [...parts.slice(0, -2), parts[parts.length - 1]].join('/');
        return joined === full || joined.endsWith(`/${full}`);
      });
      if (cell.length === 1) spec = cell[0];
    }
    if (!spec) {
      if (!strict) continue;
      const optimizer = [...offsets.keys()].some((s) => s.group === 'optimizer' && s.name.replace(/:0$/, '') === full);
      const why = optimizer ? `; the file has a weight of that name in the optimizer group, which holds the optimizer's state, not the model's` : '';
      throw new Error(`${where}: the file has no weight ${full} (layer ${layer.name} expects ${p.name} of shape [${p.shape}])${why}; the file's weights are ${specs.map((s) => s.name).join(', ') || 'none'}`);
    }
    if (used.has(spec)) throw new Error(`${where}: weight ${spec.name} matches two parameters`);
    if (specSize(spec) !== p.size || !sameShape(spec.shape, p.shape)) {
      throw new Error(`${where}: weight ${spec.name} has shape [${spec.shape}] but layer ${layer.name} expects ${p.name} of shape [${p.shape}]`);
    }
    used.add(spec);
    out.push({ layer, param: p, spec, offset: offsets.get(spec)! });
  }
  const extra = specs.filter((s) => !used.has(s));
  if (strict && extra.length) throw new Error(`${where}: the file's weight${extra.length > 1 ? 's' : ''} ${extra.map((s) => s.name).join(', ')} belong${extra.length > 1 ? '' : 's'} to no layer of the model`);
  return out;
}
