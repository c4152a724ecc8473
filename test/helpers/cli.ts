/**
 * Running the `simdnet` command as a user runs it (`node dist/cli.js`, built by `node build.mjs`)
 * and checking its failures: the exit code, one "simdnet: …" line, no stack trace.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';

export const root = path.resolve(import.meta.dirname, '../..');
export const cli = path.join(root, 'dist/cli.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `simdnet ...args`, run in the folder `cwd()` names at the time of the call. */
export function cliRunner(cwd: () => string): (...args: string[]) => Run {
  return (...args) => {
    const r = spawnSync(process.execPath, [cli, ...args], { cwd: cwd(), encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
}

/** A failure as the user sees it: the exit code, one "simdnet: …" message, no stack trace. */
export function expectFailure(r: Run, code: number, ...patterns: RegExp[]): void {
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(code);
  expect(r.stderr).toMatch(/^simdnet: /);
  expect(r.stderr, 'a stack trace').not.toMatch(/\n\s+at /);
  for (const p of patterns) expect(r.stderr).toMatch(p);
}
