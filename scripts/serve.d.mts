// Types for serve.mjs (plain JS so that it runs with node alone).
export interface ServerOptions {
  port?: number;
  quiet?: boolean;
  /** Tests: bodies served under /test-io/ (uploads to /test-io/upload/<name> land here too). */
  memory?: Map<string, Uint8Array | string> | null;
  /** Tests: more repository URL prefixes to serve (e.g. '/node_modules/@tensorflow/'). */
  allow?: string[];
}
export function startServer(opts?: ServerOptions): Promise<{ url: string; close(): Promise<void> }>;
