/**
 * Loading the binary in any runtime: Node, Deno, browsers, and edge runtimes that hand code a
 * precompiled `WebAssembly.Module` and forbid compiling from bytes.
 */
import { ABI_VERSION, KERNELS, KERNEL_NAMES, META_EXPORTS, type Kernels } from './abi.ts';
import { Arena } from '../memory/arena.ts';
import { hasNodeBuiltins, nodeBuiltin } from '../platform.ts';
import { Pool, workersUnavailable } from './pool.ts';
import { threadedKernels } from './threads.ts';
import { checkBoolean, checkNumber, checkOptions, describe } from '../tensor.ts';

export type Variant = 'baseline' | 'relaxed';

export interface InitOptions {
  /** A precompiled module (Cloudflare Workers, Vercel Edge): no compilation happens. */
  module?: WebAssembly.Module;
  /** The binary as bytes, a URL (string or URL object), a Response or a promise of one. */
  wasm?: BufferSource | URL | string | Response | Promise<Response>;
  /**
   * Which built-in binary to use when neither `module` nor `wasm` is given. `'auto'` (default)
   * picks relaxed SIMD (fused multiply-add) where the engine supports it.
   */
  variant?: Variant | 'auto';
  /** Bit-identical results across engines: forces the baseline SIMD binary. */
  deterministic?: boolean;
  /** Initial linear memory in MiB (it grows on demand). Default 16. */
  initialMemoryMB?: number;
  /**
   * Threads for the large kernels (the calling thread included). `'auto'` (default): the
   * available cores, at most MAX_AUTO_THREADS. Where threads are impossible (no
   * SharedArrayBuffer, a page that is not cross-origin isolated, a `module` or `wasm` over
   * non-shared memory) 1 thread is used and `backendInfo().threadsReason` says why. Results are
   * bit-identical for every count.
   */
  threads?: number | 'auto';
}

/** The most threads `threads: 'auto'` takes. */
export const MAX_AUTO_THREADS = 8;
/** The most threads `init` accepts. */
export const MAX_THREADS = 64;

export interface BackendInfo {
  /** The binary in use: a built-in variant, or 'custom' for `module` / `wasm`. */
  binary: Variant | 'custom';
  source: 'inline' | 'module' | 'bytes' | 'url' | 'response';
  features: { simd: boolean; relaxedSimd: boolean; threads: boolean };
  threads: number;
  /** Why `threads` is 1 when more were asked for (or 'auto' found one core); null otherwise. */
  threadsReason: string | null;
  abiVersion: number;
  memoryBytes: number;
  arenaBase: number;
}

export interface Backend {
  kernels: Kernels;
  memory: WebAssembly.Memory;
  arena: Arena;
  info: BackendInfo;
  /** The worker pool when threads > 1, else null. Owned by the backend: closed when replaced. */
  pool: Pool | null;
  /** The module the workers run (the instance's own). */
  module: WebAssembly.Module;
}

let current: Backend | null = null;

/** The loaded backend; throws a clear error before `init()`. */
export function backend(): Backend {
  if (!current) throw new Error('simdnet is not initialised: call `await init()` first');
  return current;
}

/** The loaded backend, or null before `init()` (for code that also works without it). */
export function backendOrNull(): Backend | null {
  return current;
}

export function backendInfo(): BackendInfo {
  const b = backend();
  return { ...b.info, memoryBytes: b.memory.buffer.byteLength };
}

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// The smallest module that uses a v128 value: validates only where SIMD is supported.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

// A module importing a shared memory and using one atomic op: validates only where wasm threads are supported.
const THREADS_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 9, 1, 1, 101, 1, 109, 2, 3, 1, 1, 3, 2, 1, 0, 10, 7, 1, 5, 0, 254, 3, 0, 11,
]);

/** The cores this runtime reports (Node: os.availableParallelism; browsers, Deno: navigator). */
async function cores(): Promise<number> {
  if (hasNodeBuiltins() && !(globalThis as { Deno?: unknown }).Deno) {
    const os = await nodeBuiltin<typeof import('node:os')>('os');
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Number.isInteger(n) && n! > 0 ? n! : 1;
}

function detect(relaxedBytes: () => Uint8Array<ArrayBuffer>): BackendInfo['features'] {
  const simd = WebAssembly.validate(SIMD_PROBE);
  let relaxedSimd = false;
  try {
    relaxedSimd = simd && WebAssembly.validate(relaxedBytes());
  } catch {
    relaxedSimd = false;
  }
  let threads = false;
  try {
    threads = typeof SharedArrayBuffer !== 'undefined' && WebAssembly.validate(THREADS_PROBE);
  } catch {
    threads = false;
  }
  return { simd, relaxedSimd, threads };
}

async function toModule(src: NonNullable<InitOptions['wasm']>): Promise<{ module: WebAssembly.Module; source: BackendInfo['source'] }> {
  if (src instanceof ArrayBuffer || ArrayBuffer.isView(src)) return { module: await WebAssembly.compile(src), source: 'bytes' };
  let res: Response;
  let source: BackendInfo['source'] = 'response';
  if (typeof src === 'string' || src instanceof URL) {
    const url = new URL(String(src), typeof location !== 'undefined' ? location.href : undefined);
    source = 'url';
    if (url.protocol === 'file:') {
      // Node 20 cannot fetch file: URLs; read them with fs where there is one.
      const fs = await nodeBuiltin<typeof import('node:fs/promises')>('fs/promises');
      return { module: await WebAssembly.compile((await fs.readFile(url)) as Uint8Array<ArrayBuffer>), source };
    }
    res = await fetch(url);
  } else {
    res = await src;
  }
  if (!res.ok) throw new Error(`simdnet: could not fetch the binary: HTTP ${res.status} ${res.statusText}`);
  const isWasmMime = (res.headers.get('content-type') ?? '').startsWith('application/wasm');
  if (isWasmMime && typeof WebAssembly.compileStreaming === 'function') {
    return { module: await WebAssembly.compileStreaming(res), source };
  }
  return { module: await WebAssembly.compile(await res.arrayBuffer()), source };
}

/**
 * Load the binary. With no arguments the built-in binary is used (no path configuration).
 * Calling `init()` again with no options returns the backend already loaded. With options it
 * loads another binary: models and layers built before then throw a clear error when used
 * (their memory belonged to the old binary) instead of reading the new one's memory.
 */
/**
 * TF.js's `tf.ready()`: loads the default binary unless `init()` already ran, so a script ported
 * from TF.js works with its `await tf.ready()` unchanged.
 */
export async function ready(): Promise<void> {
  if (!current) await init();
}

export async function init(opts: InitOptions = {}): Promise<BackendInfo> {
  if (opts === null || typeof opts !== 'object') throw new TypeError(`init: expected an options object, got ${describe(opts)}`);
  checkOptions(opts, 'init', ['module', 'wasm', 'variant', 'deterministic', 'initialMemoryMB', 'threads']);
  if (opts.threads !== undefined && opts.threads !== 'auto') {
    if (typeof opts.threads !== 'number') throw new TypeError(`init: threads must be a positive integer or 'auto', got ${describe(opts.threads)}`);
    checkNumber(opts.threads, 'init: threads', { min: 1, max: MAX_THREADS, integer: true });
  }
  if (opts.variant !== undefined && opts.variant !== 'auto' && opts.variant !== 'baseline' && opts.variant !== 'relaxed') {
    throw new Error(`init: variant must be 'auto', 'baseline' or 'relaxed', got ${describe(opts.variant)}`);
  }
  if (opts.deterministic !== undefined) checkBoolean(opts.deterministic, 'init: deterministic');
  // wasm32 memory holds at most 65536 pages of 64 KiB: 4096 MiB.
  if (opts.initialMemoryMB !== undefined) checkNumber(opts.initialMemoryMB, 'init: initialMemoryMB', { min: 0, max: 4096, minExclusive: true });
  const w = opts.wasm as unknown;
  if (w !== undefined && !(w instanceof ArrayBuffer || ArrayBuffer.isView(w) || w instanceof URL || typeof w === 'string' || (typeof Response !== 'undefined' && w instanceof Response) || (typeof w === 'object' && w !== null && typeof (w as Promise<unknown>).then === 'function'))) {
    throw new TypeError(`init: wasm: expected bytes, a URL, a Response or a promise of one, got ${describe(w)}`);
  }
  // A second init() with no options keeps the loaded binary (and every live model). With options
  // it loads a new one; models and layers built on the old one then fail with a clear error.
  if (current && Object.values(opts).every((v) => v === undefined)) return backendInfo();
  const inline = await import('./inline.gen.ts');
  let relaxedCache: Uint8Array<ArrayBuffer> | null = null;
  const relaxedBytes = () => (relaxedCache ??= decodeBase64(inline.RELAXED_WASM));
  const features = detect(relaxedBytes);
  if (!features.simd) {
    throw new Error(
      'simdnet needs WebAssembly SIMD (fixed-width, 128-bit), which this engine does not support. ' +
        'Node >= 16.4, Deno, Chrome >= 91, Firefox >= 89 and Safari >= 16.4 have it.',
    );
  }
  // How many threads, or why only one.
  let threads = 1;
  let threadsReason: string | null = null;
  const asked = opts.threads ?? 'auto';
  const wantThreads = asked === 'auto' ? Math.min(await cores(), MAX_AUTO_THREADS) : asked;
  if (wantThreads > 1) {
    threadsReason = workersUnavailable() ?? (features.threads ? null : 'this engine does not support WebAssembly threads (shared memory, atomics)');
    if (threadsReason === null) threads = wantThreads;
  } else if (asked === 'auto') {
    threadsReason = 'this runtime reports one core';
  }
  let module: WebAssembly.Module;
  let binary: BackendInfo['binary'];
  let source: BackendInfo['source'];
  if (opts.module) {
    // A module compiled in another realm (edge-runtime compiles `?module` imports in the host's
    // V8 context, outside the function's) fails instanceof but is a module all the same.
    const isModule = opts.module instanceof WebAssembly.Module || Object.prototype.toString.call(opts.module) === '[object WebAssembly.Module]';
    if (!isModule) throw new TypeError('init({ module }): expected a WebAssembly.Module');
    module = opts.module;
    binary = 'custom';
    source = 'module';
  } else if (opts.wasm !== undefined) {
    ({ module, source } = await toModule(opts.wasm));
    binary = 'custom';
  } else {
    const want = opts.deterministic ? 'baseline' : (opts.variant ?? 'auto');
    if (want === 'relaxed' && !features.relaxedSimd) {
      throw new Error('init({ variant: "relaxed" }): this engine does not support relaxed SIMD (Node 20 needs --experimental-wasm-relaxed-simd)');
    }
    binary = want === 'auto' ? (features.relaxedSimd ? 'relaxed' : 'baseline') : want;
    const b64 = threads > 1 ? (binary === 'relaxed' ? inline.RELAXED_THREADS_WASM : inline.THREADS_WASM) : null;
    const bytes = b64 ? decodeBase64(b64) : binary === 'relaxed' ? relaxedBytes() : decodeBase64(inline.BASELINE_WASM);
    module = await WebAssembly.compile(bytes);
    source = 'inline';
  }
  return instantiate(module, { binary, source, features, initialMemoryMB: opts.initialMemoryMB ?? 16, threads, threadsReason });
}

async function instantiate(
  module: WebAssembly.Module,
  o: {
    binary: BackendInfo['binary'];
    source: BackendInfo['source'];
    features: BackendInfo['features'];
    initialMemoryMB: number;
    threads: number;
    threadsReason: string | null;
  },
): Promise<BackendInfo> {
  const initial = Math.ceil((o.initialMemoryMB * 2 ** 20) / 65536);
  // A given module says by its memory import whether it can run threaded: try a shared memory
  // first (only when threads were wanted), and fall back to one thread if it refuses that.
  let threads = o.threads;
  let threadsReason = o.threadsReason;
  let shared = threads > 1;
  const memoryFor = (s: boolean) => new WebAssembly.Memory({ initial, maximum: 65536, shared: s } as WebAssembly.MemoryDescriptor);
  let memory = memoryFor(shared);
  const importsFor = (m: WebAssembly.Memory) => ({
    env: {
      memory: m,
      abort(msg: number, file: number, line: number, col: number) {
        throw new Error(`simdnet kernel assertion failed at ${line}:${col}`);
      },
    },
  });
  // instantiate(module) never compiles, so this path also works where compiling bytes is forbidden.
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(module, importsFor(memory));
  } catch (e) {
    if (!shared || !(e instanceof WebAssembly.LinkError)) throw e;
    shared = false;
    threads = 1;
    threadsReason = 'the binary given imports a non-shared memory: build it with --sharedMemory (the threads variant) to run threaded';
    memory = memoryFor(false);
    instance = await WebAssembly.instantiate(module, importsFor(memory));
  }
  const exp = instance.exports as Record<string, unknown>;
  const missing = [...Object.keys(KERNELS), ...META_EXPORTS].filter((k) => typeof exp[k] !== 'function');
  if (missing.length) throw new Error(`simdnet: the binary lacks ${missing.length} exports (${missing.slice(0, 5).join(', ')}…): wrong or outdated .wasm file`);
  const single = exp as unknown as Kernels;
  const abiVersion = single.abi_version();
  if (abiVersion !== ABI_VERSION) throw new Error(`simdnet: the binary has ABI version ${abiVersion}, this library expects ${ABI_VERSION}`);
  const arena = new Arena(memory, single.heap_base());
  let pool: Pool | null = null;
  let kernels = single;
  if (threads > 1) {
    try {
      pool = await Pool.start(module, memory, exp, KERNEL_NAMES, threads);
      kernels = threadedKernels(single, pool, arena).kernels;
    } catch (e) {
      pool?.close();
      pool = null;
      threads = 1;
      threadsReason = `the worker threads could not start: ${(e as Error).message}`;
    }
  }
  const info: BackendInfo = {
    binary: o.binary,
    source: o.source,
    features: o.features,
    threads,
    threadsReason,
    abiVersion,
    memoryBytes: memory.buffer.byteLength,
    arenaBase: arena.base,
  };
  // The old backend's workers end with it (its models now throw on use).
  current?.pool?.close();
  current = { kernels, memory, arena, info, pool, module };
  return { ...info };
}
