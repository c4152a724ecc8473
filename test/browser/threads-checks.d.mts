// Types of threads-checks.mjs (plain ESM so pages and Deno load it without a compile step).
export interface Run {
  losses: number[];
  /** Each final weight tensor's float32 bits. */
  weights: Uint32Array[];
  threads: number;
  reason: string | null;
}
export function trajectory(lib: unknown, arch: 'mlp' | 'cnn' | 'lstm', threads: number, opts?: { batch?: number; steps?: number }): Promise<Run>;
export function expectSameRun(got: Run, want: Run, what: string): void;
export function threadChecks(lib: unknown, env?: { golden?: { losses: number[] }; expectThreads?: boolean }): { name: string; run: () => Promise<void> }[];
export function trainOnThreadsScript(distUrl: string): string;
