// The one raw-binary loader: instantiates a built wasm binary directly (no host library), over an
// imported memory. Used by the kernel tests (test/helpers/harness.ts), the benches that time
// raw kernels without the host (bench/simdnet.mjs, bench/conv3d.mjs, bench/recurrent-profile.mjs;
// the kernel microbenchmarks are the shipped src/bench/) and build.mjs's ABI check. Plain ESM so
// `node` runs it without a compile step; types in load-binary.d.mts.
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The binaries build.mjs writes, by variant (paths relative to the repository root). */
export const BINARIES = {
  baseline: 'build/simdnet.wasm',
  relaxed: 'build/simdnet.relaxed.wasm',
  debug: 'build/simdnet.debug.wasm',
};

/**
 * Where a variant's binary is. SIMDNET_WASM_FILE (baseline, debug) and SIMDNET_RELAXED_WASM_FILE
 * (relaxed) point tests and benches at a private build while a kernel family is developed.
 */
export function binaryPath(variant = 'baseline') {
  if (!(variant in BINARIES)) throw new Error(`unknown binary variant '${variant}' (have: ${Object.keys(BINARIES).join(', ')})`);
  const override = variant === 'relaxed' ? process.env.SIMDNET_RELAXED_WASM_FILE : process.env.SIMDNET_WASM_FILE;
  return override ? path.resolve(override) : path.join(root, BINARIES[variant]);
}

/**
 * Whether this engine compiles `bytes`. Node 20 accepts relaxed SIMD only behind a V8 flag; the
 * flag can still be switched on at run time, before the module is compiled, and is switched on
 * here when the bytes do not validate without it.
 */
export function acceptsWasm(bytes) {
  if (WebAssembly.validate(bytes)) return true;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WebAssembly.validate(bytes);
}

/** The debug binary's `abort` (its asserts): a JS error naming the place. */
export function throwingAbort(_msg, _file, line, col) {
  throw new Error(`kernel assertion failed at ${line}:${col}`);
}

/**
 * Compiles and instantiates one binary. `file` (absolute, or relative to the repository root)
 * or `variant` (default 'baseline', env overrides as binaryPath) picks it; `memory` is the
 * imported memory (default: a fresh one of `initial` pages, with `maximum` if given); `abort` the
 * debug binary's assert hook (default: throws). Returns the exports, the memory, the module and
 * the resolved file.
 */
export function loadBinary({ variant = 'baseline', file, memory, initial = 1, maximum, abort = throwingAbort } = {}) {
  const f = file ? path.resolve(root, file) : binaryPath(variant);
  const rel = path.relative(root, f);
  if (!fs.existsSync(f)) throw new Error(`${rel} is missing: run \`npm run build\` first`);
  const bytes = fs.readFileSync(f);
  if (!acceptsWasm(bytes)) throw new Error(`this engine cannot compile ${rel} (Node ${process.version})`);
  const module = new WebAssembly.Module(bytes);
  const mem = memory ?? new WebAssembly.Memory(maximum === undefined ? { initial } : { initial, maximum });
  const instance = new WebAssembly.Instance(module, { env: { memory: mem, abort } });
  return { exports: instance.exports, memory: mem, module, instance, file: f };
}
