// The browser path must not pull in Node built-ins (fs, path, worker_threads…): bundle the
// public entry for `platform: 'browser'` and fail on any node: or bare built-in import.
// Node built-ins are reached only through platform.ts's dynamic import of a computed specifier,
// which bundlers leave alone.
import { builtinModules } from 'node:module';
import * as esbuild from 'esbuild';
import { expect, it } from 'vitest';

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

it('src/index.ts bundles for the browser with no Node built-in', async () => {
  const result = await esbuild.build({
    entryPoints: ['src/index.ts'],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    metafile: true,
    logLevel: 'silent',
  });
  // esbuild errors on an unresolvable built-in for the browser; had one been marked external,
  // it would show up as an import of the output.
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
  const inputs = Object.keys(result.metafile.inputs);
  expect(imports.filter((p) => BUILTINS.has(p) || p.startsWith('node:'))).toEqual([]);
  expect(inputs.filter((p) => BUILTINS.has(p) || p.startsWith('node:') || p.includes('node_modules/@types/node'))).toEqual([]);
  // Only dynamic imports of computed specifiers remain (platform.ts): no static `from "node:…"`.
  expect(result.outputFiles[0].text).not.toMatch(/from\s*["']node:/);
});

it('a static import of a Node built-in would be caught', async () => {
  await expect(
    esbuild.build({ stdin: { contents: "import fs from 'node:fs'; console.log(fs);" }, bundle: true, write: false, platform: 'browser', logLevel: 'silent' }),
  ).rejects.toThrow(/node:fs/);
});
