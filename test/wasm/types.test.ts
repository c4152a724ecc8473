// The published types resolve for a TypeScript consumer (bundler and node16 resolution) and
// for Deno importing the package from node_modules.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

it('a consumer type-checks against dist/index.d.ts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-types-'));
  const pkg = path.join(dir, 'node_modules/simdnet');
  fs.mkdirSync(pkg, { recursive: true });
  fs.cpSync(path.join(root, 'dist'), path.join(pkg, 'dist'), { recursive: true });
  fs.copyFileSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
  fs.writeFileSync(
    path.join(dir, 'a.ts'),
    "import { init, sequential, layers, type History } from 'simdnet';\n" +
      'const info = await init();\n' +
      'const n: number = sequential({ layers: [layers.dense({ units: 2, inputShape: [3] })] }).countParams();\n' +
      'const h: History | null = null;\n' +
      'console.log(info.binary, n, h);\n',
  );
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  for (const [module, resolution] of [['esnext', 'bundler'], ['node16', 'node16']]) {
    const args = [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', module, '--moduleResolution', resolution, '--lib', 'es2022,dom', '--types', '', 'a.ts'];
    let out = '';
    try {
      execFileSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(out, `moduleResolution ${resolution}`).toBe('');
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
