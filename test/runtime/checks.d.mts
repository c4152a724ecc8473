// Types for checks.mjs (kept as plain JS so browsers and Deno load it without a build step).
export interface Check { name: string; run(): Promise<void> }
export interface CheckEnv {
  golden: { losses: number[] };
  wasmBytes(): Promise<Uint8Array>;
  wasmUrl: string | URL;
  mnist: Record<string, unknown>;
  io: IoFiles;
}
/** Model files made by TF.js (io-fixtures.mjs) and how to read one in this runtime. */
export interface IoFiles {
  cases: import('./io-fixtures.d.mts').IoCase[];
  read(relPath: string): Promise<Uint8Array>;
}
export function checks(lib: typeof import('../../src/index.ts'), env: CheckEnv): Check[];
export function edgeStyleLoad(lib: typeof import('../../src/index.ts'), bytes: Uint8Array): Promise<void>;
export function edgeStyleModelLoad(lib: typeof import('../../src/index.ts'), bytes: Uint8Array, io: IoFiles): Promise<void>;
