// The package ships what `simdnet bench` needs: `npm pack` (scripts off: dist/ is the build under
// test), install the tarball into a fresh project offline (the package has no runtime
// dependencies), then `npx simdnet bench --quick --json` there must write valid JSON with every
// kernel row of a quick run, the markdown table and the SVG chart next to it; bench.html and its
// script ship too.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { catalogue, FAMILIES } from '../../src/bench/kernels.ts';
import { checkResult, markdown } from '../../src/bench/report.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const exec = promisify(execFile);
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const built = ['dist/cli.js', 'dist/index.js', 'dist/bench.html', 'dist/bench.js'].every((f) => fs.existsSync(path.join(root, f)));

describe.runIf(built)('npm pack → install → npx simdnet bench --quick --json', () => {
  it('has no runtime dependencies to fetch', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies ?? {}).toEqual({});
  });

  it('produces every kernel row from the installed package', { timeout: 600_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-pack-'));
    try {
      const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
      await exec('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: root, env });
      const tarball = path.join(dir, `${pkg.name}-${pkg.version}.tgz`);
      expect(fs.existsSync(tarball)).toBe(true);
      const proj = path.join(dir, 'project');
      fs.mkdirSync(proj);
      fs.writeFileSync(path.join(proj, 'package.json'), JSON.stringify({ name: 'bench-consumer', version: '1.0.0', private: true, type: 'module' }));
      await exec('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: proj, env });
      const installed = path.join(proj, 'node_modules', pkg.name, 'dist');
      for (const f of ['cli.js', 'index.js', 'bench.html', 'bench.js']) expect(fs.existsSync(path.join(installed, f)), f).toBe(true);

      await exec('npx', ['--no-install', 'simdnet', 'bench', '--quick', '--json', 'result.json'], { cwd: proj, env, maxBuffer: 16 * 2 ** 20 });
      const r = checkResult(JSON.parse(fs.readFileSync(path.join(proj, 'result.json'), 'utf8')), 'result.json');
      expect(r.engine).toBe('node');
      expect(r.quick).toBe(true);
      expect(r.binary).toBe('baseline');
      expect(typeof r.cpu).toBe('string');
      expect(r.cores).toBeGreaterThan(0);
      const want = catalogue({ quick: true, families: FAMILIES }).map((c) => `${c.kernel} | ${c.shape}`);
      expect(r.rows.map((x) => `${x.kernel} | ${x.shape}`)).toEqual(['peak (register-only) | 12 chains', ...want]);
      for (const row of r.rows) {
        expect(typeof row.gflops === 'number' || typeof row.gbps === 'number', row.kernel).toBe(true);
        expect(row.gflops ?? row.gbps, row.kernel).toBeGreaterThan(0);
        expect(row.fraction_of_peak, row.kernel).toBeGreaterThan(0);
        expect(row.binary).toBe('baseline');
      }
      expect(fs.readFileSync(path.join(proj, 'result.md'), 'utf8')).toBe(markdown(r));
      expect(fs.readFileSync(path.join(proj, 'result.svg'), 'utf8')).toMatch(/^<svg [^]*<\/svg>\n$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
