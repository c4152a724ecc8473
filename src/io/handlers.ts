/**
 * IO handlers: where model artifacts come from and where they go, with TF.js's names and shapes
 * (`ModelArtifacts`, `IOHandler`, `SaveResult`, `tf.io.*`), so TF.js's own handlers work here
 * and files, databases and uploads written by one library load in the other.
 *
 * - file:// (Node and Deno, through platform.ts's dynamic `node:` imports so that browser
 *   bundles stay free of them): model.json, then every shard of the manifest relative to its
 *   folder; saving writes model.json + weights.bin atomically.
 * - http(s):// : fetch (or `fetchFunc`, for edge runtimes), weights relative to model.json;
 *   saving is TF.js's multipart/form-data POST (`model.json` + `model.weights.bin`).
 * - indexeddb:// and localstorage:// : TF.js's own database and key layout, so a model saved by
 *   TF.js in a page loads in simdnet and the other way round. downloads:// : anchor clicks.
 * - A ModelArtifacts object, a `{ modelJSON, weightData }` pair, or any object with load()/save().
 *
 * A file is hostile until checked: model.json and every shard are size-checked against limits
 * and against the manifest before they are read, reads are bounded (a server that sends more
 * than it announced is cut off), and every error names the file or URL.
 */
import { hasNodeBuiltins, nodeBuiltin } from '../platform.ts';
import { checkManifest, DEFAULT_MAX_BYTES, describe, specBytes, type WeightGroup, type WeightSpec } from './weights.ts';

export type { WeightGroup, WeightSpec } from './weights.ts';

// ---------------------------------------------------------------------------------------------
// Types (TF.js's)
// ---------------------------------------------------------------------------------------------

export interface ModelArtifacts {
  /** The parsed `modelTopology` of model.json. */
  modelTopology: object;
  /** The manifest's weights, flattened in manifest order. */
  weightSpecs?: WeightSpec[];
  /** All weights back to back, or the shard files in manifest order. */
  weightData?: ArrayBuffer | ArrayBuffer[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: object;
  userDefinedMetadata?: object;
  /** simdnet extra: the manifest groups as read (checked), one weightData entry per path. */
  weightsManifest?: WeightGroup[];
  /**
   * simdnet extra (file loads for loadLayersModel): the weight files, read one at a time as the
   * loader decodes, instead of weightData. sizes[i] is file i's size (checked against the
   * manifest before anything is read). read(i) may reuse one buffer for every file: its bytes
   * are valid until the next read.
   */
  weightShards?: { sizes: number[]; read(i: number): Promise<Uint8Array> };
}

export interface ModelArtifactsInfo {
  dateSaved: Date;
  modelTopologyType: 'JSON';
  modelTopologyBytes: number;
  weightSpecsBytes: number;
  weightDataBytes: number;
}

export interface SaveResult {
  modelArtifactsInfo: ModelArtifactsInfo;
  responses?: Response[];
  /** simdnet extra, file:// only: the two files written. */
  files?: { modelJSON: string; weights: string };
}

export interface IOHandler {
  load?(): Promise<ModelArtifacts>;
  save?(artifacts: ModelArtifacts): Promise<SaveResult>;
}

export interface LoadOptions {
  /** The fetch to use for http(s):// (edge runtimes, tests); default globalThis.fetch. */
  fetchFunc?: typeof fetch;
  /** Passed to every fetch (headers, credentials, an AbortSignal); must have no body. */
  requestInit?: RequestInit;
  /** Where the weight files are, instead of model.json's folder (a URL prefix or a folder). */
  weightPathPrefix?: string;
  /** TF.js's: maps a manifest path to the URL to fetch. */
  weightUrlConverter?: (weightFileName: string) => Promise<string>;
  /** Called with the fraction of files read (model.json and the weight files), ending at 1. */
  onProgress?: (fraction: number) => void;
  /** TF.js's: every weight of the file must belong to the model and the other way round (load.ts). */
  strict?: boolean;
  /** Ceiling on the weight bytes a manifest may ask for (default 1 GiB). */
  maxBytes?: number;
}

/**
 * The file operations a file:// save makes, one method per step (tests inject faults through
 * it). `writeFile` creates a new file (never follows or replaces an existing one) and syncs it.
 */
export interface FileOps {
  stat(p: string): Promise<{ isDirectory(): boolean }>;
  mkdir(p: string): Promise<void>;
  writeFile(p: string, data: Uint8Array): Promise<void>;
  link(existing: string, alias: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(p: string): Promise<void>;
}

export interface SaveOptions {
  fetchFunc?: typeof fetch;
  requestInit?: RequestInit;
  /** file:// only: the file operations to use (default: the real ones, nodeFileOps()). */
  fileOps?: FileOps;
}

/** model.json as written and read. */
export interface ModelJSON {
  modelTopology: object;
  weightsManifest?: WeightGroup[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: object;
  userDefinedMetadata?: object;
  [key: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// Limits and small helpers
// ---------------------------------------------------------------------------------------------

/** Ceiling on model.json itself: topologies are kilobytes; this is far above any real one. */
export const MAX_MODEL_JSON_BYTES = 64 << 20;

const FILE = 'file://';
const SCHEMES = ['file://', 'http://', 'https://', 'indexeddb://', 'localstorage://', 'downloads://'] as const;
const schemeOf = (s: string) => SCHEMES.find((p) => s.slice(0, p.length).toLowerCase() === p);
const errCode = (e: unknown) => (e as { code?: string } | null)?.code;
const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const utf8Length = (s: string) => new TextEncoder().encode(s).byteLength;

function shortSource(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
  if (v instanceof URL) return v.href;
  if (isObject(v)) return `an object with keys ${Object.keys(v).slice(0, 6).join(', ') || '(none)'}`;
  return describe(v);
}

function report(opts: LoadOptions, done: number, total: number): void {
  opts.onProgress?.(total === 0 ? 1 : done / total);
}

/** ArrayBuffer | ArrayBuffer[] | typed arrays → one Uint8Array (a view when it is one buffer). */
function joinBytes(data: unknown, where: string): Uint8Array {
  if (data === undefined || data === null) return new Uint8Array(0);
  const list = Array.isArray(data) ? data : [data];
  const parts = list.map((b, i) => {
    if (b instanceof ArrayBuffer) return new Uint8Array(b);
    if (ArrayBuffer.isView(b)) return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    throw new Error(`${where}: weightData${Array.isArray(data) ? `[${i}]` : ''} must be an ArrayBuffer, got ${describe(b)}`);
  });
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** TF.js's summary of saved artifacts. */
export function getModelArtifactsInfoForJSON(a: ModelArtifacts): ModelArtifactsInfo {
  if ((a.modelTopology as unknown) instanceof ArrayBuffer) throw new Error('Expected JSON model topology, received ArrayBuffer.');
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: a.modelTopology == null ? 0 : utf8Length(JSON.stringify(a.modelTopology)),
    weightSpecsBytes: a.weightSpecs == null ? 0 : utf8Length(JSON.stringify(a.weightSpecs)),
    weightDataBytes: a.weightData == null ? 0 : joinBytesLength(a.weightData),
  };
}
function joinBytesLength(d: ArrayBuffer | ArrayBuffer[]): number {
  return (Array.isArray(d) ? d : [d]).reduce((s, b) => s + (b as ArrayBuffer).byteLength, 0);
}

/** TF.js's: the weights of a manifest, flattened in order. */
export function getWeightSpecs(manifest: WeightGroup[]): WeightSpec[] {
  return manifest.flatMap((g) => g.weights);
}

// ---------------------------------------------------------------------------------------------
// model.json ⇄ artifacts
// ---------------------------------------------------------------------------------------------

/** Parses model.json text; errors name `where` (the file or URL). */
export function parseModelJSON(text: string, where: string): ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not valid JSON (${reason(e)})`);
  }
  return checkModelJSON(json, where);
}

function checkModelJSON(json: unknown, where: string): ModelJSON {
  if (!isObject(json)) throw new Error(`${where}: expected a model.json object with modelTopology and weightsManifest, got ${describe(json)}`);
  if (!isObject(json.modelTopology)) {
    const keys = Object.keys(json).slice(0, 8).join(', ') || 'none';
    throw new Error(`${where}: has no modelTopology object, so it is not a TF.js layers model (its keys: ${keys})`);
  }
  return json as ModelJSON;
}

interface Manifest {
  groups: WeightGroup[];
  bytes: number;
  /** Bytes each group's weights need, in manifest order. */
  groupBytes: number[];
}

function readManifest(json: ModelJSON, where: string, opts: LoadOptions): Manifest | null {
  if (json.weightsManifest === undefined || json.weightsManifest === null) return null;
  const { groups, bytes } = checkManifest(json.weightsManifest, where, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  return { groups, bytes, groupBytes: groups.map((g) => g.weights.reduce((s, w) => s + specBytes(w), 0)) };
}

function artifactsOf(json: ModelJSON, manifest: Manifest | null, weightData: ArrayBuffer | ArrayBuffer[] | undefined): ModelArtifacts {
  const a: ModelArtifacts = { modelTopology: json.modelTopology };
  if (json.format !== undefined) a.format = json.format;
  if (json.generatedBy !== undefined) a.generatedBy = json.generatedBy;
  if (json.convertedBy !== undefined) a.convertedBy = json.convertedBy;
  if (isObject(json.trainingConfig)) a.trainingConfig = json.trainingConfig;
  if (isObject(json.userDefinedMetadata)) a.userDefinedMetadata = json.userDefinedMetadata;
  if (manifest) {
    a.weightSpecs = getWeightSpecs(manifest.groups);
    a.weightsManifest = manifest.groups;
    a.weightData = weightData ?? new ArrayBuffer(0);
  } else if (weightData !== undefined) {
    a.weightData = weightData;
  }
  return a;
}

/** A group's shards must hold exactly what its weights need (fewer: truncated; more: not this manifest). */
function checkGroupSizes(m: Manifest, sizes: number[], names: string[], where: string): void {
  let s = 0;
  let total = 0;
  m.groups.forEach((g, gi) => {
    const have = sizes.slice(s, s + g.paths.length).reduce((a, b) => a + b, 0);
    const need = m.groupBytes[gi];
    total += have;
    if (have !== need) {
      const files = names.slice(s, s + g.paths.length).map((n, i) => `${n} (${sizes[s + i]} bytes)`).join(', ');
      const ws = g.weights.slice(0, 8).map((w) => `${w.name} [${w.shape}]${w.quantization ? ` ${w.quantization.dtype}` : ''}`);
      if (g.weights.length > 8) ws.push(`${g.weights.length - 8} more`);
      throw new Error(
        `${where}: the weight files of weightsManifest[${gi}] hold ${have} bytes but its weights (${ws.join(', ')}) need ${need}: ` +
          `${have < need ? 'a file is truncated or missing' : 'a file holds more than its manifest describes'}: ${files}`,
      );
    }
    s += g.paths.length;
  });
  if (total !== m.bytes) throw new Error(`${where}: the weight files hold ${total} bytes but the manifest's weights need ${m.bytes}`);
}

/** Save-side artifacts: TF.js's shape, or simdnet's `{ modelJSON, weightData }`. */
interface Saveable {
  json: ModelJSON;
  specs: WeightSpec[];
  bytes: Uint8Array;
  artifacts: ModelArtifacts;
}

function saveable(a: unknown): Saveable {
  if (!isObject(a)) throw new Error(`save: expected model artifacts ({ modelTopology, weightSpecs, weightData }), got ${describe(a)}`);
  let artifacts: ModelArtifacts;
  if ('modelJSON' in a && !('modelTopology' in a)) {
    const json = typeof a.modelJSON === 'string' ? parseModelJSON(a.modelJSON, 'save: modelJSON') : checkModelJSON(a.modelJSON, 'save: modelJSON');
    const manifest = Array.isArray(json.weightsManifest) ? (json.weightsManifest as WeightGroup[]) : [];
    artifacts = { ...artifactsOf(json, null, undefined), weightSpecs: getWeightSpecs(manifest), weightData: a.weightData as ArrayBuffer };
  } else {
    artifacts = a as unknown as ModelArtifacts;
  }
  if ((artifacts.modelTopology as unknown) instanceof ArrayBuffer) throw new Error('save: a binary model topology cannot be saved (only JSON topologies)');
  if (!isObject(artifacts.modelTopology)) throw new Error(`save: the artifacts have no modelTopology object (got ${describe(artifacts.modelTopology)})`);
  const specs = artifacts.weightSpecs ?? [];
  if (!Array.isArray(specs)) throw new Error(`save: weightSpecs must be a list, got ${describe(specs)}`);
  const bytes = joinBytes(artifacts.weightData, 'save');
  // What the specs describe must be what is there, or the files would not load back.
  const known = specs.every((w) => isObject(w) && Array.isArray(w.shape) && (w.dtype === 'float32' || w.dtype === 'int32'));
  if (known) {
    const need = specs.reduce((s, w) => s + specBytes(w), 0);
    if (need !== bytes.byteLength) throw new Error(`save: the weight data holds ${bytes.byteLength} bytes but the weight specs describe ${need}`);
  }
  const json: ModelJSON = {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [], weights: specs }],
  };
  if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  return { json, specs, bytes, artifacts };
}

/** model.json for a save whose weights go to `weightsPath` (one file). */
function modelJSONText(s: Saveable, weightsPath: string, indent?: number): string {
  return JSON.stringify({ ...s.json, weightsManifest: [{ paths: [weightsPath], weights: s.specs }] }, null, indent);
}

function infoOf(s: Saveable): ModelArtifactsInfo {
  return {
    dateSaved: new Date(),
    modelTopologyType: 'JSON',
    modelTopologyBytes: utf8Length(JSON.stringify(s.json.modelTopology)),
    weightSpecsBytes: utf8Length(JSON.stringify(s.specs)),
    weightDataBytes: s.bytes.byteLength,
  };
}

/** A standalone ArrayBuffer of exactly these bytes (copied only when it is a view). */
function ownBuffer(b: Uint8Array): ArrayBuffer {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? b.buffer : (b.slice().buffer as ArrayBuffer);
}

// ---------------------------------------------------------------------------------------------
// In memory: artifacts, { modelJSON, weightData } pairs, save callbacks
// ---------------------------------------------------------------------------------------------

class PassthroughLoader implements IOHandler {
  constructor(private readonly artifacts: ModelArtifacts) {}
  async load(): Promise<ModelArtifacts> {
    return this.artifacts;
  }
}

/** `{ modelJSON, weightData }`: model.json (object or text) and the weights (one buffer, or the shards in manifest order). */
class PairLoader implements IOHandler {
  constructor(
    private readonly pair: Record<string, unknown>,
    private readonly opts: LoadOptions,
  ) {}
  async load(): Promise<ModelArtifacts> {
    const where = 'loadLayersModel: modelJSON';
    const { modelJSON, weightData } = this.pair;
    const json = typeof modelJSON === 'string' ? parseModelJSON(modelJSON, where) : checkModelJSON(modelJSON, where);
    const manifest = readManifest(json, where, this.opts);
    return artifactsOf(json, manifest, weightData as ArrayBuffer | ArrayBuffer[] | undefined);
  }
}

/** TF.js's `tf.io.fromMemory(artifacts)` (and its deprecated positional form). */
export function fromMemory(modelArtifacts: object, weightSpecs?: WeightSpec[], weightData?: ArrayBuffer | ArrayBuffer[], trainingConfig?: object): IOHandler {
  if (isObject(modelArtifacts) && 'modelJSON' in modelArtifacts && !('modelTopology' in modelArtifacts)) return new PairLoader(modelArtifacts, {});
  const a = modelArtifacts as Partial<ModelArtifacts>;
  if (arguments.length === 1 && isObject(a) && (a.modelTopology != null || a.weightSpecs != null)) return new PassthroughLoader(a as ModelArtifacts);
  return new PassthroughLoader({ modelTopology: modelArtifacts, weightSpecs, weightData, trainingConfig });
}

/** TF.js's synchronous twin; simdnet awaits either. */
export function fromMemorySync(modelArtifacts: object, weightSpecs?: WeightSpec[], weightData?: ArrayBuffer | ArrayBuffer[], trainingConfig?: object): IOHandler {
  return fromMemory(...(Array.from(arguments) as Parameters<typeof fromMemory>));
}

/** TF.js's `tf.io.withSaveHandler(fn)`: `model.save` hands the artifacts to `fn`. */
export function withSaveHandler(saveHandler: (artifacts: ModelArtifacts) => Promise<SaveResult>): IOHandler {
  if (typeof saveHandler !== 'function') throw new Error(`withSaveHandler: expected a function, got ${describe(saveHandler)}`);
  return { save: (a) => saveHandler(a) };
}
export function withSaveHandlerSync(saveHandler: (artifacts: ModelArtifacts) => SaveResult): IOHandler {
  if (typeof saveHandler !== 'function') throw new Error(`withSaveHandlerSync: expected a function, got ${describe(saveHandler)}`);
  return { save: async (a) => saveHandler(a) };
}

// ---------------------------------------------------------------------------------------------
// file:// (Node, Deno)
// ---------------------------------------------------------------------------------------------

type FsP = typeof import('node:fs/promises');
type PathM = typeof import('node:path');

async function nodeModules(what: string): Promise<{ fs: FsP; path: PathM; url: typeof import('node:url') }> {
  if (!hasNodeBuiltins()) {
    throw new Error(`${what}: file:// needs Node or Deno; in a browser use http(s)://, indexeddb://, localstorage://, io.browserFiles() or a { modelJSON, weightData } pair`);
  }
  const [fs, path, url] = await Promise.all([nodeBuiltin<FsP>('fs/promises'), nodeBuiltin<PathM>('path'), nodeBuiltin<typeof import('node:url')>('url')]);
  return { fs, path, url };
}

/** `file://…` (TF.js style: the rest is a plain path, `file://./dir` or `file:///abs`), a file: URL object, or a path. */
function fsPathOf(target: string | URL, url: typeof import('node:url')): string {
  if (target instanceof URL) return url.fileURLToPath(target);
  let p = target.slice(0, FILE.length).toLowerCase() === FILE ? target.slice(FILE.length) : target;
  if (/^\/[A-Za-z]:[\\/]/.test(p)) p = p.slice(1); // file:///C:/x on Windows
  if (p === '') throw new Error(`file://: the URL names no path (e.g. 'file://./my-model')`);
  return p;
}

/** The real file operations. */
export async function nodeFileOps(): Promise<FileOps> {
  const { fs } = await nodeModules('save');
  return {
    stat: (p) => fs.stat(p),
    mkdir: async (p) => void (await fs.mkdir(p)),
    async writeFile(p, data) {
      const fh = await fs.open(p, 'wx');
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
    },
    async link(existing, alias) {
      try {
        await fs.link(existing, alias);
      } catch {
        // File systems without hard links: a copy serves as the backup.
        await fs.copyFile(existing, alias, fs.constants.COPYFILE_EXCL);
      }
    },
    rename: (a, b) => fs.rename(a, b),
    unlink: (p) => fs.unlink(p),
  };
}

/**
 * Opens a regular file for reading without ever blocking (a FIFO or device named model.json
 * must not hang the load: O_NONBLOCK, then fstat on the open handle) and reads exactly its size.
 */
async function readRegularFile(fs: FsP, file: string, limit: number, what: string, where: string, expectSize?: number, into?: Uint8Array): Promise<Uint8Array> {
  const c = fs.constants as Record<string, number | undefined>;
  let fh: Awaited<ReturnType<FsP['open']>>;
  try {
    fh = await fs.open(file, (c.O_RDONLY ?? 0) | (c.O_NONBLOCK ?? 0));
  } catch (e) {
    if (errCode(e) === 'ENOENT') throw new Error(`${where}: ${what} ${file} does not exist`);
    throw new Error(`${where}: cannot open ${what} ${file} (${reason(e)})`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`${where}: ${what} ${file} is not a regular file`);
    const size = st.size;
    if (size > limit) throw new Error(`${where}: ${what} ${file} is ${size} bytes, more than the ${limit} allowed`);
    if (expectSize !== undefined && size !== expectSize) throw new Error(`${where}: ${what} ${file} changed while loading (${expectSize} bytes, now ${size})`);
    // A caller streaming shards passes one buffer for all of them (no garbage per shard).
    const buf = into && into.byteLength >= size ? into.subarray(0, size) : new Uint8Array(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(buf, off, size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    if (off !== size) throw new Error(`${where}: ${what} ${file} shrank while being read (${off} of ${size} bytes)`);
    if ((await fh.read(new Uint8Array(1), 0, 1, size)).bytesRead !== 0) throw new Error(`${where}: ${what} ${file} grew while being read`);
    return buf;
  } finally {
    await fh.close().catch(() => {});
  }
}

/** model.json's bytes → the parsed, checked JSON and its manifest (null when it lists no weights). */
function modelFile(raw: ArrayBuffer, where: string, opts: LoadOptions): { json: ModelJSON; manifest: ReturnType<typeof readManifest> } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new Error(`${where}: not valid JSON (not UTF-8 text)`);
  }
  const json = parseModelJSON(text, where);
  return { json, manifest: readManifest(json, where, opts) };
}

class FileHandler implements IOHandler {
  constructor(
    private readonly target: string | URL,
    private readonly opts: LoadOptions = {},
    private readonly saveOpts: SaveOptions = {},
  ) {}

  async load(): Promise<ModelArtifacts> {
    const { fs, path, url } = await nodeModules('loadLayersModel');
    let file = path.resolve(fsPathOf(this.target, url));
    // A folder means its model.json (what save writes).
    const st = await fs.stat(file).catch((e) => {
      if (errCode(e) === 'ENOENT' || errCode(e) === 'ENOTDIR') throw new Error(`loadLayersModel: ${file} does not exist`);
      throw new Error(`loadLayersModel: cannot read ${file} (${reason(e)})`);
    });
    if (st.isDirectory()) file = path.join(file, 'model.json');
    const where = `loadLayersModel: ${file}`;
    const raw = (await readRegularFile(fs, file, MAX_MODEL_JSON_BYTES, 'model file', 'loadLayersModel')).buffer as ArrayBuffer;
    const { json, manifest } = modelFile(raw, where, this.opts);
    if (!manifest) {
      report(this.opts, 1, 1);
      return artifactsOf(json, null, undefined);
    }
    let dir = path.dirname(file);
    if (this.opts.weightPathPrefix) dir = path.resolve(fsPathOf(this.opts.weightPathPrefix, url));
    // Weight files live in the model's folder (or weightPathPrefix's) or below it: a path that
    // climbs out with '..' is refused, and an absolute one is joined under the folder (as TF.js).
    const refs = manifest.groups.flatMap((g, gi) =>
      g.paths.map((p, pi) => {
        const label = `weightsManifest[${gi}].paths[${pi}]`;
        const f = path.join(dir, p);
        const rel = path.relative(dir, f);
        if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
          throw new Error(`${where}: the weight path ${JSON.stringify(p)} (${label}) leaves the model's folder ${dir}; weight files must be inside it (weightPathPrefix names another folder)`);
        }
        return { file: f, label };
      }),
    );
    // Every file's size first: a missing or truncated shard fails before anything big is read.
    const sizes: number[] = [];
    for (const r of refs) {
      const s = await fs.stat(r.file).catch((e) => {
        if (errCode(e) === 'ENOENT' || errCode(e) === 'ENOTDIR') throw new Error(`${where}: the weight file ${r.file} (${r.label}) does not exist`);
        throw new Error(`${where}: cannot read the weight file ${r.file} (${r.label}: ${reason(e)})`);
      });
      if (!s.isFile()) throw new Error(`${where}: the weight file ${r.file} (${r.label}) is not a regular file`);
      sizes.push(s.size);
    }
    checkGroupSizes(manifest, sizes, refs.map((r) => r.file), where);
    const total = refs.length + 1;
    report(this.opts, 1, total);
    const read = async (i: number, into?: Uint8Array) => {
      const b = await readRegularFile(fs, refs[i].file, sizes[i], 'weight file', where, sizes[i], into);
      report(this.opts, i + 2, total);
      return b;
    };
    if (this.streaming) {
      const a = artifactsOf(json, manifest, undefined);
      delete a.weightData;
      // One buffer, the size of the largest file, serves every file in turn.
      let scratch: Uint8Array | undefined;
      return { ...a, weightShards: { sizes, read: async (i) => read(i, (scratch ??= new Uint8Array(Math.max(...sizes)))) } };
    }
    const shards: ArrayBuffer[] = [];
    for (let i = 0; i < refs.length; i++) shards.push((await read(i)).buffer as ArrayBuffer);
    return artifactsOf(json, manifest, shards);
  }

  private streaming = false;
  /** load() for loadLayersModel: the weight files come as a reader, one file at a time. */
  async loadStreaming(): Promise<ModelArtifacts> {
    this.streaming = true;
    try {
      return await this.load();
    } finally {
      this.streaming = false;
    }
  }

  /**
   * Writes dir/model.json and dir/weights.bin, atomically against failures: both files are
   * written in full (and synced) under temporary names, the files they replace are kept as
   * hard-linked backups, then weights.bin and model.json are renamed into place. A failure at
   * any step removes what the save wrote and puts the backups back, so the model saved there
   * before stays as it was, loadable. (Only a crash of the process between the two renames can
   * pair new weights with the old model.json; the old weights are then in weights.bin.bak-*.)
   * Missing folders are made one level at a time after checking the nearest existing ancestor
   * is a real folder (Node's recursive mkdir spins forever on procfs).
   */
  async save(a: ModelArtifacts): Promise<SaveResult> {
    const { path, url } = await nodeModules('save');
    const fsio = this.saveOpts.fileOps ?? (await nodeFileOps());
    const dir = path.resolve(fsPathOf(this.target, url));
    // Everything that can fail without touching the disk first.
    const s = saveable(a);
    const json = new TextEncoder().encode(modelJSONText(s, 'weights.bin', 1));
    const bin = s.bytes;
    await ensureDir(fsio, path, dir);
    const modelJSON = path.join(dir, 'model.json');
    const weights = path.join(dir, 'weights.bin');
    await atomicPair(fsio, dir, [
      { file: weights, data: bin },
      { file: modelJSON, data: json },
    ]);
    return { modelArtifactsInfo: infoOf(s), files: { modelJSON, weights } };
  }
}

/** Make `dir` and missing parents one level at a time, from the nearest existing ancestor. */
async function ensureDir(io: FileOps, path: PathM, dir: string): Promise<void> {
  const missing: string[] = [];
  let p = dir;
  for (;;) {
    try {
      const st = await io.stat(p);
      if (!st.isDirectory()) throw new Error(`save: ${p} exists and is not a folder; cannot save into ${dir}`);
      break;
    } catch (e) {
      if (reason(e).startsWith('save:')) throw e;
      // ENOTDIR: an ancestor is a file; walking up finds it and says so.
      if (errCode(e) !== 'ENOENT' && errCode(e) !== 'ENOTDIR') throw new Error(`save: cannot use the folder ${p} (${reason(e)})`);
      missing.unshift(p);
      const parent = path.dirname(p);
      if (parent === p) throw new Error(`save: the root of ${dir} does not exist`);
      p = parent;
    }
  }
  for (const m of missing) {
    try {
      await io.mkdir(m);
    } catch (e) {
      if (errCode(e) === 'EEXIST') {
        const st = await io.stat(m).catch(() => null);
        if (st?.isDirectory()) continue;
      }
      throw new Error(`save: cannot create the folder ${m} (${reason(e)})`);
    }
  }
}

/**
 * Replaces files[0..] (the last one commits: model.json) as one unit: temporary files, backups
 * of what they replace, renames in order; any failure rolls back to the files as they were.
 */
async function atomicPair(io: FileOps, dir: string, files: { file: string; data: Uint8Array }[]): Promise<void> {
  const tag = `${Date.now().toString(36)}-${Math.floor(Math.random() * 2 ** 32).toString(36)}`;
  const items = files.map((f) => ({ ...f, tmp: `${f.file}.tmp-${tag}`, bak: `${f.file}.bak-${tag}`, had: false, placed: false }));
  const leftovers = new Set<string>();
  const cleanUp = async () => {
    for (const f of leftovers) await io.unlink(f).catch(() => {});
  };
  const exists = async (p: string) => {
    try {
      await io.stat(p);
      return true;
    } catch (e) {
      if (errCode(e) === 'ENOENT') return false;
      throw e;
    }
  };
  let step = '';
  try {
    // 1. Every file in full under a temporary name; nothing the old model uses is touched.
    for (const it of items) {
      step = `write ${it.tmp}`;
      leftovers.add(it.tmp);
      await io.writeFile(it.tmp, it.data);
    }
    // 2. Keep the files being replaced (hard links: they stay in place meanwhile).
    for (const it of items) {
      step = `back up ${it.file}`;
      it.had = await exists(it.file);
      if (it.had) {
        leftovers.add(it.bak);
        await io.link(it.file, it.bak);
      }
    }
    // 3. Rename into place in order; the last rename (model.json) commits the save.
    for (const it of items) {
      step = `rename ${it.tmp} to ${it.file}`;
      try {
        await io.rename(it.tmp, it.file);
      } catch (e) {
        // Put back what was already placed (or take it away when there was nothing before).
        for (const done of items.filter((x) => x.placed).reverse()) {
          try {
            if (done.had) {
              await io.rename(done.bak, done.file);
              leftovers.delete(done.bak);
            } else await io.unlink(done.file);
          } catch (undo) {
            await cleanUp();
            throw new Error(`save: could not ${step} (${reason(e)}), and restoring the previous ${done.file} failed too (${reason(undo)}): its backup is ${done.bak}`);
          }
        }
        throw e;
      }
      it.placed = true;
      leftovers.delete(it.tmp);
    }
  } catch (e) {
    await cleanUp();
    if (reason(e).startsWith('save:')) throw e;
    throw new Error(`save: could not ${step} (${reason(e)}); nothing was changed in ${dir}`);
  }
  // 4. Done: the backups go.
  for (const it of items) if (leftovers.delete(it.bak)) await io.unlink(it.bak).catch(() => {});
}

/** tfjs-node's `tf.io.fileSystem(path)`: load from a model.json (or its folder), save into a folder. */
export function fileSystem(path: string | URL, opts: LoadOptions & SaveOptions = {}): IOHandler {
  return new FileHandler(path, opts, opts);
}

// ---------------------------------------------------------------------------------------------
// http(s)://
// ---------------------------------------------------------------------------------------------

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

function fetchOf(f: unknown, what: string): FetchLike {
  if (f !== undefined && f !== null) {
    if (typeof f !== 'function') throw new Error(`${what}: fetchFunc must be a function like fetch, got ${describe(f)}`);
    return f as FetchLike;
  }
  const g = (globalThis as { fetch?: FetchLike }).fetch;
  if (typeof g !== 'function') throw new Error(`${what}: this runtime has no fetch; pass one as fetchFunc`);
  return (input, init) => g(input, init);
}

/** TF.js's parseUrl: the folder of a URL (with its slash) and its query string. */
function parseUrl(u: string): [string, string] {
  const lastSlash = u.lastIndexOf('/');
  const lastQuery = u.lastIndexOf('?');
  return [u.substring(0, lastSlash) + '/', lastQuery > lastSlash ? u.substring(lastQuery) : ''];
}

/**
 * A response body, read with a bound: `take(n)` reserves n more bytes of a budget and throws
 * when they are not there (so a server that sends more than announced is cut off mid-stream).
 */
async function readBody(res: Response, url: string, where: string, take: (n: number) => void): Promise<ArrayBuffer> {
  const announced = Number(res.headers?.get?.('content-length') ?? NaN);
  const encoded = !!res.headers?.get?.('content-encoding');
  const body = res.body as ReadableStream<Uint8Array> | null | undefined;
  if (!body || typeof body.getReader !== 'function') {
    const buf = await res.arrayBuffer();
    take(buf.byteLength);
    return buf;
  }
  const reader = body.getReader();
  try {
    // With a trusted length (no content-encoding), read straight into a buffer of that size.
    let out = Number.isSafeInteger(announced) && announced >= 0 && !encoded ? new Uint8Array(announced) : null;
    if (out) take(announced);
    const chunks: Uint8Array[] = [];
    let n = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (out) {
        if (n + value.byteLength > out.byteLength) {
          // More than announced: fall back to chunks, counting the excess against the budget.
          take(n + value.byteLength - out.byteLength);
          chunks.push(out.subarray(0, n));
          out = null;
        } else out.set(value, n);
      } else take(value.byteLength);
      if (!out) chunks.push(value);
      n += value.byteLength;
    }
    if (out) {
      if (n !== out.byteLength) throw new Error(`${where}: ${url} ended after ${n} of the ${out.byteLength} bytes it announced`);
      return out.buffer;
    }
    const all = new Uint8Array(n);
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.byteLength;
    }
    return all.buffer;
  } catch (e) {
    reader.cancel().catch(() => {});
    throw e;
  } finally {
    try {
      reader.releaseLock();
    } catch {
      /* already released */
    }
  }
}

class HTTPHandler implements IOHandler {
  constructor(
    private readonly url: string,
    private readonly opts: LoadOptions = {},
  ) {
    if (typeof url !== 'string' || url === '') throw new Error(`http: the URL must be a non-empty string, got ${describe(url)}`);
    if (opts.requestInit?.body != null) throw new Error('http: requestInit must have no body (the handler sets it)');
  }

  private async get(fetchFn: FetchLike, url: string, what: string, where: string, signal?: AbortSignal): Promise<Response> {
    let res: Response;
    const init: RequestInit = { ...this.opts.requestInit };
    if (signal && !init.signal) init.signal = signal;
    try {
      res = await fetchFn(url, init);
    } catch (e) {
      throw new Error(`${where}: cannot fetch ${what} ${url} (${reason(e)})`);
    }
    if (!res || typeof res !== 'object') throw new Error(`${where}: fetchFunc returned ${describe(res)} for ${url}, not a Response`);
    if (!res.ok) {
      res.body?.cancel?.().catch?.(() => {});
      throw new Error(`${where}: fetching ${what} ${url} failed: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    }
    return res;
  }

  async load(): Promise<ModelArtifacts> {
    const fetchFn = fetchOf(this.opts.fetchFunc, 'loadLayersModel');
    const where = `loadLayersModel: ${this.url}`;
    const res = await this.get(fetchFn, this.url, 'the model file', 'loadLayersModel');
    let jsonBytes = 0;
    const raw = await readBody(res, this.url, where, (n) => {
      if ((jsonBytes += n) > MAX_MODEL_JSON_BYTES) throw new Error(`${where}: the model file is larger than the ${MAX_MODEL_JSON_BYTES} bytes allowed`);
    });
    const { json, manifest } = modelFile(raw, where, this.opts);
    if (!manifest) {
      report(this.opts, 1, 1);
      return artifactsOf(json, null, undefined);
    }
    const urls = await this.weightUrls(manifest.groups);
    const total = urls.length + 1;
    let done = 1;
    report(this.opts, done, total);
    // All shards at once (as TF.js); the first failure aborts the others. Together they may
    // not exceed what the manifest needs.
    const abort = typeof AbortController === 'function' && !this.opts.requestInit?.signal ? new AbortController() : null;
    let budget = manifest.bytes;
    const take = (n: number) => {
      if ((budget -= n) < 0) throw new Error(`${where}: the weight files hold more than the ${manifest.bytes} bytes the manifest describes`);
    };
    const sizes: number[] = [];
    let shards: ArrayBuffer[];
    try {
      shards = await Promise.all(
        urls.map(async (u, i) => {
          const r = await this.get(fetchFn, u, 'the weight file', where, abort?.signal);
          const b = await readBody(r, u, where, take);
          sizes[i] = b.byteLength;
          report(this.opts, ++done, total);
          return b;
        }),
      );
    } catch (e) {
      abort?.abort();
      throw e;
    }
    checkGroupSizes(manifest, sizes, urls, where);
    return artifactsOf(json, manifest, shards);
  }

  private async weightUrls(groups: WeightGroup[]): Promise<string[]> {
    const [prefix, suffix] = parseUrl(this.url);
    const base = this.opts.weightPathPrefix || prefix;
    const out: string[] = [];
    for (const g of groups) {
      for (const p of g.paths) out.push(this.opts.weightUrlConverter ? await this.opts.weightUrlConverter(p) : base + p + suffix);
    }
    return out;
  }

  /** TF.js's browserHTTPRequest save: a multipart/form-data POST of model.json and model.weights.bin. */
  async save(a: ModelArtifacts): Promise<SaveResult> {
    const fetchFn = fetchOf(this.opts.fetchFunc, 'save');
    const s = saveable(a);
    if (typeof FormData !== 'function' || typeof Blob !== 'function') throw new Error('save: http(s):// needs FormData and Blob, which this runtime does not have');
    const body = new FormData();
    body.append('model.json', new Blob([modelJSONText(s, './model.weights.bin')], { type: 'application/json' }), 'model.json');
    body.append('model.weights.bin', new Blob([s.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), 'model.weights.bin');
    const init: RequestInit = { method: 'POST', ...this.opts.requestInit, body };
    let res: Response;
    try {
      res = await fetchFn(this.url, init);
    } catch (e) {
      throw new Error(`save: cannot send the model to ${this.url} (${reason(e)})`);
    }
    if (!res.ok) throw new Error(`save: ${this.url} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    return { modelArtifactsInfo: infoOf(s), responses: [res] };
  }
}

/** TF.js's `tf.io.http(path, loadOptions)`: load (GET) and save (multipart POST). */
export function http(path: string, loadOptions?: LoadOptions): IOHandler {
  return new HTTPHandler(path, loadOptions ?? {});
}
/** TF.js's older name for `http`. */
export function browserHTTPRequest(path: string, loadOptions?: LoadOptions): IOHandler {
  return http(path, loadOptions);
}

// ---------------------------------------------------------------------------------------------
// indexeddb:// (TF.js's layout: database 'tensorflowjs' v1, stores models_store and
// model_info_store keyed by modelPath)
// ---------------------------------------------------------------------------------------------

const IDB_NAME = 'tensorflowjs';
const IDB_VERSION = 1;
const MODEL_STORE = 'models_store';
const INFO_STORE = 'model_info_store';

function idbFactory(what: string): IDBFactory {
  const f = (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!f) throw new Error(`${what}: indexeddb:// needs IndexedDB, which this runtime does not have (browsers do; in Node and Deno use file://)`);
  return f;
}

function openDB(what: string): Promise<IDBDatabase> {
  const factory = idbFactory(what);
  return new Promise((resolve, reject) => {
    const req = factory.open(IDB_NAME, IDB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(MODEL_STORE)) db.createObjectStore(MODEL_STORE, { keyPath: 'modelPath' });
      if (!db.objectStoreNames.contains(INFO_STORE)) db.createObjectStore(INFO_STORE, { keyPath: 'modelPath' });
    };
    req.onsuccess = () => {
      const db = req.result;
      db.onversionchange = () => db.close();
      resolve(db);
    };
    req.onerror = () => reject(new Error(`${what}: cannot open the IndexedDB database '${IDB_NAME}' (${reason(req.error)})`));
    req.onblocked = () => reject(new Error(`${what}: the IndexedDB database '${IDB_NAME}' is blocked by a connection in another tab`));
  });
}

function txDone(tx: IDBTransaction, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(new Error(`${what}: ${reason(tx.error)}`));
    tx.onabort = () => reject(new Error(`${what}: the IndexedDB transaction was aborted (${reason(tx.error ?? 'no reason given')})`));
  });
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** What TF.js stores: plain artifacts, the weights as one ArrayBuffer, no undefined fields. */
function storedArtifacts(s: Saveable): Record<string, unknown> {
  const a = s.artifacts;
  const out: Record<string, unknown> = { modelTopology: a.modelTopology, weightSpecs: s.specs, weightData: ownBuffer(s.bytes) };
  for (const k of ['format', 'generatedBy', 'convertedBy', 'trainingConfig', 'userDefinedMetadata'] as const) if (a[k] !== undefined) out[k] = a[k];
  return out;
}

class IndexedDBHandler implements IOHandler {
  private readonly url: string;
  constructor(private readonly modelPath: string) {
    if (typeof modelPath !== 'string' || modelPath === '') throw new Error('indexeddb://: the model needs a name (e.g. indexeddb://my-model)');
    this.url = `indexeddb://${modelPath}`;
  }

  async save(a: ModelArtifacts): Promise<SaveResult> {
    const s = saveable(a);
    const info = infoOf(s);
    const what = `save: ${this.url}`;
    const db = await openDB(what);
    try {
      // One transaction over both stores: the info and the model are written together or not at all.
      const tx = db.transaction([INFO_STORE, MODEL_STORE], 'readwrite');
      const done = txDone(tx, what);
      try {
        tx.objectStore(INFO_STORE).put({ modelPath: this.modelPath, modelArtifactsInfo: info });
        tx.objectStore(MODEL_STORE).put({ modelPath: this.modelPath, modelArtifacts: storedArtifacts(s), modelArtifactsInfo: info });
      } catch (e) {
        try {
          tx.abort();
        } catch {
          /* already finished */
        }
        done.catch(() => {});
        throw new Error(`${what}: ${reason(e)}`);
      }
      await done;
    } finally {
      db.close();
    }
    return { modelArtifactsInfo: info };
  }

  async load(): Promise<ModelArtifacts> {
    const what = `loadLayersModel: ${this.url}`;
    const db = await openDB(what);
    try {
      const tx = db.transaction(MODEL_STORE, 'readonly');
      const rec = (await request(tx.objectStore(MODEL_STORE).get(this.modelPath))) as { modelArtifacts?: ModelArtifacts } | undefined;
      if (!rec) throw new Error(`${what}: no model is saved under this name (IndexedDB database '${IDB_NAME}')`);
      if (!isObject(rec.modelArtifacts)) throw new Error(`${what}: the stored record has no model artifacts`);
      return rec.modelArtifacts;
    } finally {
      db.close();
    }
  }
}

/** TF.js's `tf.io.browserIndexedDB(modelPath)`. */
export function browserIndexedDB(modelPath: string): IOHandler {
  return new IndexedDBHandler(modelPath.startsWith('indexeddb://') ? modelPath.slice('indexeddb://'.length) : modelPath);
}

// ---------------------------------------------------------------------------------------------
// localstorage:// (TF.js's keys: tensorflowjs_models/<path>/{info, model_topology, weight_specs,
// weight_data (base64), model_metadata})
// ---------------------------------------------------------------------------------------------

const LS_PREFIX = 'tensorflowjs_models';
const lsKeys = (p: string) => ({
  info: `${LS_PREFIX}/${p}/info`,
  topology: `${LS_PREFIX}/${p}/model_topology`,
  weightSpecs: `${LS_PREFIX}/${p}/weight_specs`,
  weightData: `${LS_PREFIX}/${p}/weight_data`,
  modelMetadata: `${LS_PREFIX}/${p}/model_metadata`,
});

function storage(what: string): Storage {
  let ls: Storage | undefined;
  try {
    ls = (globalThis as { localStorage?: Storage }).localStorage;
  } catch {
    ls = undefined;
  }
  if (!ls) throw new Error(`${what}: localstorage:// needs localStorage, which this runtime does not have (browsers do; in Node use file://)`);
  return ls;
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
  return btoa(s);
}
function fromBase64(s: string, where: string): ArrayBuffer {
  let bin: string;
  try {
    bin = atob(s);
  } catch {
    throw new Error(`${where}: the stored weights are not valid base64`);
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

class LocalStorageHandler implements IOHandler {
  private readonly url: string;
  constructor(private readonly modelPath: string) {
    if (typeof modelPath !== 'string' || modelPath === '') throw new Error('localstorage://: the model needs a name (e.g. localstorage://my-model)');
    this.url = `localstorage://${modelPath}`;
  }

  async save(a: ModelArtifacts): Promise<SaveResult> {
    const what = `save: ${this.url}`;
    const ls = storage(what);
    const s = saveable(a);
    const info = infoOf(s);
    const keys = lsKeys(this.modelPath);
    const art = s.artifacts;
    const metadata = {
      format: art.format,
      generatedBy: art.generatedBy,
      convertedBy: art.convertedBy,
      userDefinedMetadata: art.userDefinedMetadata ?? undefined,
      trainingConfig: art.trainingConfig ?? undefined,
    };
    try {
      ls.setItem(keys.info, JSON.stringify(info));
      ls.setItem(keys.topology, JSON.stringify(art.modelTopology));
      ls.setItem(keys.weightSpecs, JSON.stringify(s.specs));
      ls.setItem(keys.weightData, toBase64(s.bytes));
      ls.setItem(keys.modelMetadata, JSON.stringify(metadata));
    } catch (e) {
      for (const k of Object.values(keys)) ls.removeItem(k);
      throw new Error(
        `${what}: could not store the model (${reason(e)}); the storage quota is a likely cause: ` +
          `topology ${info.modelTopologyBytes} bytes, weight specs ${info.weightSpecsBytes}, weights ${info.weightDataBytes} (base64: 4/3 of that)`,
      );
    }
    return { modelArtifactsInfo: info };
  }

  async load(): Promise<ModelArtifacts> {
    const what = `loadLayersModel: ${this.url}`;
    const ls = storage(what);
    const keys = lsKeys(this.modelPath);
    const parse = (key: string, label: string): unknown => {
      const text = ls.getItem(key);
      if (text === null) return null;
      try {
        return JSON.parse(text);
      } catch (e) {
        throw new Error(`${what}: the stored ${label} is not valid JSON (${reason(e)})`);
      }
    };
    const info = parse(keys.info, 'info') as ModelArtifactsInfo | null;
    if (!info) throw new Error(`${what}: no model is saved under this name in localStorage`);
    if (info.modelTopologyType !== 'JSON') throw new Error(`${what}: only JSON topologies can be loaded`);
    const modelTopology = parse(keys.topology, 'topology');
    if (!isObject(modelTopology)) throw new Error(`${what}: the stored topology is missing`);
    const weightSpecs = parse(keys.weightSpecs, 'weight specs');
    if (!Array.isArray(weightSpecs)) throw new Error(`${what}: the stored weight specs are missing`);
    const out: ModelArtifacts = { modelTopology, weightSpecs: weightSpecs as WeightSpec[] };
    const meta = parse(keys.modelMetadata, 'metadata');
    if (isObject(meta)) {
      if (meta.format != null) out.format = meta.format as string;
      if (meta.generatedBy != null) out.generatedBy = meta.generatedBy as string;
      if (meta.convertedBy !== undefined) out.convertedBy = meta.convertedBy as string | null;
      if (isObject(meta.userDefinedMetadata)) out.userDefinedMetadata = meta.userDefinedMetadata;
      if (isObject(meta.trainingConfig)) out.trainingConfig = meta.trainingConfig;
    }
    const data = ls.getItem(keys.weightData);
    if (data === null) throw new Error(`${what}: the stored weights are missing`);
    out.weightData = fromBase64(data, what);
    return out;
  }
}

/** TF.js's `tf.io.browserLocalStorage(modelPath)`. */
export function browserLocalStorage(modelPath: string): IOHandler {
  return new LocalStorageHandler(modelPath.startsWith('localstorage://') ? modelPath.slice('localstorage://'.length) : modelPath);
}

// ---------------------------------------------------------------------------------------------
// Browser files: downloads://name (save) and io.browserFiles([json, ...weights]) (load)
// ---------------------------------------------------------------------------------------------

const nextTask = () => new Promise<void>((r) => setTimeout(r, 0));

class DownloadsHandler implements IOHandler {
  readonly modelJsonFileName: string;
  readonly weightDataFileName: string;
  constructor(prefix = 'model') {
    if (prefix.startsWith('downloads://')) prefix = prefix.slice('downloads://'.length);
    if (!prefix) prefix = 'model';
    this.modelJsonFileName = `${prefix}.json`;
    this.weightDataFileName = `${prefix}.weights.bin`;
  }

  async save(a: ModelArtifacts): Promise<SaveResult> {
    const doc = (globalThis as { document?: Document }).document;
    if (!doc || typeof URL.createObjectURL !== 'function') throw new Error('save: downloads:// needs a browser page (document); in Node and Deno use file://');
    const s = saveable(a);
    const jsonURL = URL.createObjectURL(new Blob([modelJSONText(s, `./${this.weightDataFileName}`)], { type: 'application/json' }));
    const weightsURL = URL.createObjectURL(new Blob([s.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    // One click per task: some browsers keep only the last of several synchronous downloads.
    for (const [name, href] of [
      [this.modelJsonFileName, jsonURL],
      [this.weightDataFileName, weightsURL],
    ]) {
      await nextTask();
      const anchor = doc.createElement('a');
      anchor.download = name;
      anchor.href = href;
      anchor.dispatchEvent(new MouseEvent('click'));
    }
    // The object URLs go once the browser has had time to start the downloads.
    setTimeout(() => {
      URL.revokeObjectURL(jsonURL);
      URL.revokeObjectURL(weightsURL);
    }, 60_000);
    return { modelArtifactsInfo: infoOf(s) };
  }
}

/** TF.js's `tf.io.browserDownloads(fileNamePrefix)`: name.json and name.weights.bin. */
export function browserDownloads(fileNamePrefix = 'model'): IOHandler {
  return new DownloadsHandler(fileNamePrefix);
}

const basename = (p: string) => p.replace(/\/+$/, '').split('/').pop() ?? p;

class BrowserFilesHandler implements IOHandler {
  constructor(private readonly files: File[]) {
    if (!Array.isArray(files) || files.length < 1) throw new Error(`browserFiles: expected a list of files (model.json first, then its weight files), got ${describe(files)}`);
    for (const f of files) if (!f || typeof (f as Blob).arrayBuffer !== 'function') throw new Error(`browserFiles: expected File objects, got ${describe(f)}`);
  }

  async load(): Promise<ModelArtifacts> {
    const [jsonFile, ...weightFiles] = this.files;
    const where = `browserFiles: ${jsonFile.name || 'model.json'}`;
    if (jsonFile.size > MAX_MODEL_JSON_BYTES) throw new Error(`${where}: the model file is ${jsonFile.size} bytes, more than the ${MAX_MODEL_JSON_BYTES} allowed`);
    const json = parseModelJSON(await jsonFile.text(), where);
    const manifest = readManifest(json, where, {});
    if (!manifest || weightFiles.length === 0) return artifactsOf(json, null, undefined);
    // Each manifest path names one of the given files by its base name (as TF.js matches them).
    const byName = new Map(weightFiles.map((f) => [basename(f.name), f]));
    const seen = new Set<string>();
    const chosen: File[] = [];
    for (const g of manifest.groups) {
      for (const p of g.paths) {
        const b = basename(p);
        if (seen.has(b)) throw new Error(`${where}: the weight file name ${b} appears twice in the manifest`);
        seen.add(b);
        const f = byName.get(b);
        if (!f) throw new Error(`${where}: the weight file ${b} was not given (given: ${[...byName.keys()].join(', ')})`);
        chosen.push(f);
      }
    }
    if (chosen.length !== weightFiles.length) throw new Error(`${where}: the manifest lists ${chosen.length} weight files but ${weightFiles.length} were given`);
    checkGroupSizes(manifest, chosen.map((f) => f.size), chosen.map((f) => f.name), where);
    const shards = await Promise.all(chosen.map((f) => f.arrayBuffer()));
    return artifactsOf(json, manifest, shards);
  }
}

/** TF.js's `tf.io.browserFiles([modelJsonFile, ...weightFiles])` (e.g. from an <input type=file>). */
export function browserFiles(files: File[]): IOHandler {
  return new BrowserFilesHandler(files);
}

// ---------------------------------------------------------------------------------------------
// Routing
// ---------------------------------------------------------------------------------------------

const LOAD_FORMS =
  "a file:// path (Node, Deno), an http(s):// URL, indexeddb://name or localstorage://name (browsers), model artifacts " +
  '({ modelTopology, weightSpecs, weightData }), a { modelJSON, weightData } pair, or an object with load()';

/** The handler that loads `source`; see LOAD_FORMS. */
export function loadHandler(source: unknown, opts: LoadOptions = {}): IOHandler {
  if (source instanceof URL) {
    if (source.protocol === 'file:') return new FileHandler(source, opts);
    source = source.href;
  }
  if (typeof source === 'string') {
    const scheme = schemeOf(source);
    if (scheme === 'file://') return new FileHandler(source, opts);
    if (scheme === 'http://' || scheme === 'https://') return new HTTPHandler(source, opts);
    if (scheme === 'indexeddb://') return browserIndexedDB(source.slice(scheme.length));
    if (scheme === 'localstorage://') return browserLocalStorage(source.slice(scheme.length));
    if (scheme === 'downloads://') throw new Error(`loadLayersModel: downloads:// only saves; to load downloaded files use io.browserFiles([jsonFile, weightsFile])`);
    // A relative URL in a page, as TF.js treats any other string.
    const g = globalThis as { location?: { href?: string } };
    if (!hasNodeBuiltins() && typeof g.location?.href === 'string' && source !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(source)) {
      return new HTTPHandler(new URL(source, g.location.href).href, opts);
    }
    throw new Error(`loadLayersModel: cannot load from ${shortSource(source)}: expected ${LOAD_FORMS}${hasNodeBuiltins() && source !== '' && !source.includes('://') ? ` (for a path, write 'file://${source}')` : ''}`);
  }
  if (isObject(source)) {
    if (typeof source.load === 'function') return source as IOHandler;
    if ('modelJSON' in source) return new PairLoader(source, opts);
    if ('modelTopology' in source) return new PassthroughLoader(source as unknown as ModelArtifacts);
  }
  throw new Error(`loadLayersModel: cannot load from ${shortSource(source)}: expected ${LOAD_FORMS}`);
}

/** The handler that saves to `destination`: file://, http(s)://, indexeddb://, localstorage://, downloads://, or an object with save(). */
export function saveHandler(destination: unknown, opts: SaveOptions = {}): IOHandler {
  if (destination instanceof URL) {
    if (destination.protocol === 'file:') return new FileHandler(destination, {}, opts);
    destination = destination.href;
  }
  if (typeof destination === 'string') {
    const scheme = schemeOf(destination);
    if (scheme === 'file://') return new FileHandler(destination, {}, opts);
    if (scheme === 'http://' || scheme === 'https://') return new HTTPHandler(destination, { fetchFunc: opts.fetchFunc, requestInit: opts.requestInit });
    if (scheme === 'indexeddb://') return browserIndexedDB(destination.slice(scheme.length));
    if (scheme === 'localstorage://') return browserLocalStorage(destination.slice(scheme.length));
    if (scheme === 'downloads://') return browserDownloads(destination.slice(scheme.length));
  }
  if (isObject(destination) && typeof destination.save === 'function') return destination as IOHandler;
  throw new Error(
    `save: cannot save to ${shortSource(destination)}: in Node and Deno only file:// URLs (e.g. 'file://./my-model') and http(s):// work; ` +
      'in browsers indexeddb://name, localstorage://name, downloads://name and http(s)://; anywhere an object with save(artifacts)',
  );
}

// ---------------------------------------------------------------------------------------------
// Model management (TF.js's tf.io.listModels / removeModel / copyModel / moveModel)
// ---------------------------------------------------------------------------------------------

/** Models saved in IndexedDB and localStorage, by URL (`indexeddb://name`), with their info. */
export async function listModels(): Promise<Record<string, ModelArtifactsInfo>> {
  const out: Record<string, ModelArtifactsInfo> = {};
  if ((globalThis as { indexedDB?: unknown }).indexedDB) {
    const db = await openDB('listModels');
    try {
      const tx = db.transaction(INFO_STORE, 'readonly');
      const all = (await request(tx.objectStore(INFO_STORE).getAll())) as { modelPath: string; modelArtifactsInfo: ModelArtifactsInfo }[];
      for (const r of all) out[`indexeddb://${r.modelPath}`] = r.modelArtifactsInfo;
    } finally {
      db.close();
    }
  }
  let ls: Storage | null = null;
  try {
    ls = storage('listModels');
  } catch {
    ls = null;
  }
  if (ls) {
    for (let i = 0; i < ls.length; i++) {
      const key = ls.key(i);
      const m = key ? /^tensorflowjs_models\/(.+)\/info$/.exec(key) : null;
      if (!m) continue;
      try {
        out[`localstorage://${m[1]}`] = JSON.parse(ls.getItem(key!) ?? 'null');
      } catch {
        /* not TF.js's */
      }
    }
  }
  return out;
}

/** Removes a model saved under indexeddb://name or localstorage://name; returns its info. */
export async function removeModel(url: string): Promise<ModelArtifactsInfo> {
  const scheme = typeof url === 'string' ? schemeOf(url) : undefined;
  if (scheme === 'indexeddb://') {
    const name = url.slice(scheme.length);
    const what = `removeModel: ${url}`;
    const db = await openDB(what);
    try {
      const tx = db.transaction([INFO_STORE, MODEL_STORE], 'readwrite');
      const done = txDone(tx, what);
      const rec = (await request(tx.objectStore(INFO_STORE).get(name))) as { modelArtifactsInfo: ModelArtifactsInfo } | undefined;
      if (!rec) {
        tx.abort();
        done.catch(() => {});
        throw new Error(`${what}: no model is saved under this name`);
      }
      tx.objectStore(INFO_STORE).delete(name);
      tx.objectStore(MODEL_STORE).delete(name);
      await done;
      return rec.modelArtifactsInfo;
    } finally {
      db.close();
    }
  }
  if (scheme === 'localstorage://') {
    const name = url.slice(scheme.length);
    const ls = storage(`removeModel: ${url}`);
    const keys = lsKeys(name);
    const info = ls.getItem(keys.info);
    if (info === null) throw new Error(`removeModel: ${url}: no model is saved under this name`);
    for (const k of Object.values(keys)) ls.removeItem(k);
    return JSON.parse(info);
  }
  throw new Error(`removeModel: expected indexeddb://name or localstorage://name, got ${shortSource(url)}`);
}

/** Copies a model between any two places a handler reaches (e.g. localstorage:// → indexeddb://). */
export async function copyModel(sourceURL: string, destURL: string): Promise<ModelArtifactsInfo> {
  const a = await loadHandler(sourceURL).load!();
  return (await saveHandler(destURL).save!(a)).modelArtifactsInfo;
}

/** copyModel, then removeModel of the source (indexeddb:// or localstorage://). */
export async function moveModel(sourceURL: string, destURL: string): Promise<ModelArtifactsInfo> {
  if (sourceURL === destURL) throw new Error(`moveModel: the source and destination are the same (${sourceURL})`);
  const info = await copyModel(sourceURL, destURL);
  await removeModel(sourceURL);
  return info;
}

/** `sn.io`: the handlers with TF.js's names. */
export const io = {
  fromMemory,
  fromMemorySync,
  withSaveHandler,
  withSaveHandlerSync,
  browserFiles,
  browserDownloads,
  http,
  browserHTTPRequest,
  browserIndexedDB,
  browserLocalStorage,
  fileSystem,
  getModelArtifactsInfoForJSON,
  getWeightSpecs,
  listModels,
  removeModel,
  copyModel,
  moveModel,
};
