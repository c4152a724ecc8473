export { init, backendInfo } from './wasm/loader.ts';
export type { InitOptions, BackendInfo } from './wasm/loader.ts';
