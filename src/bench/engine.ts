/**
 * What the bench runs on: the JavaScript engine, its version, the CPU and its cores, read in
 * whichever runtime this is (Node, Deno, a browser). Also switches on relaxed SIMD in Node 20,
 * which has it behind a V8 flag that can still be set at run time, before a module compiles.
 */
import { hasNodeBuiltins, nodeBuiltin } from '../platform.ts';

export interface EngineInfo {
  /** 'node', 'deno', 'chromium', 'firefox', 'safari' or the user agent's first word. */
  engine: string;
  /** The runtime's version (Node's, Deno's, the browser's). */
  version: string;
  /** V8's version where the runtime reports it. */
  v8?: string;
  cpu: string;
  cores: number;
  platform: string;
}

type G = {
  Deno?: { version: { deno: string; v8: string }; build?: { os: string; arch: string } };
  process?: { versions?: { node?: string; v8?: string }; platform?: string; arch?: string };
  navigator?: { userAgent?: string; hardwareConcurrency?: number; platform?: string };
};

export async function engineInfo(): Promise<EngineInfo> {
  const g = globalThis as unknown as G;
  let cpu = 'unknown CPU';
  let cores = g.navigator?.hardwareConcurrency ?? 0;
  if (hasNodeBuiltins()) {
    try {
      const os = await nodeBuiltin<typeof import('node:os')>('os');
      const cpus = os.cpus();
      if (cpus.length) {
        cpu = cpus[0].model.trim() || cpu;
        cores = cpus.length;
      }
    } catch {
      // A runtime without os.cpus() (or without the permission): the CPU stays unknown.
    }
  }
  if (g.Deno) {
    const b = g.Deno.build;
    return { engine: 'deno', version: g.Deno.version.deno, v8: g.Deno.version.v8, cpu, cores, platform: b ? `${b.os} ${b.arch}` : '' };
  }
  if (g.process?.versions?.node) {
    return { engine: 'node', version: g.process.versions.node, v8: g.process.versions.v8, cpu, cores, platform: `${g.process.platform} ${g.process.arch}` };
  }
  const ua = g.navigator?.userAgent ?? '';
  const m = /(Firefox|Edg|Chrome|Version)\/([\d.]+)/.exec(ua);
  const engine = !m ? ua.split(/[\s/]/)[0] || 'unknown' : m[1] === 'Firefox' ? 'firefox' : m[1] === 'Version' ? 'safari' : m[1] === 'Edg' ? 'edge' : 'chromium';
  return { engine, version: m?.[2] ?? '', cpu, cores, platform: g.navigator?.platform ?? '' };
}

// The smallest module using one relaxed-SIMD opcode (f32x4.relaxed_madd on three zero vectors).
const RELAXED_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 61, 1, 59, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  253, 133, 2, 11,
]);

/**
 * Whether this engine runs relaxed SIMD, switching V8's flag on in Node where it is off by
 * default (Node 20). Deno and current browsers have it on.
 */
export async function enableRelaxedSimd(): Promise<boolean> {
  if (WebAssembly.validate(RELAXED_PROBE)) return true;
  const g = globalThis as unknown as G;
  if (!g.process?.versions?.node || (globalThis as G).Deno) return false;
  try {
    const v8 = await nodeBuiltin<typeof import('node:v8')>('v8');
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    return false;
  }
  return WebAssembly.validate(RELAXED_PROBE);
}
