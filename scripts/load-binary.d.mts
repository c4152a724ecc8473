// Types for load-binary.mjs (plain ESM so node runs it without a compile step).
export type Variant = 'baseline' | 'relaxed' | 'debug';
export const root: string;
export const BINARIES: Readonly<Record<Variant, string>>;
export function binaryPath(variant?: Variant): string;
export function acceptsWasm(bytes: BufferSource): boolean;
export function throwingAbort(msg: number, file: number, line: number, col: number): never;
export interface LoadOptions {
  variant?: Variant;
  file?: string;
  memory?: WebAssembly.Memory;
  initial?: number;
  maximum?: number;
  abort?: (msg: number, file: number, line: number, col: number) => void;
}
export interface Loaded {
  exports: WebAssembly.Exports;
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  instance: WebAssembly.Instance;
  file: string;
}
export function loadBinary(opts?: LoadOptions): Loaded;
