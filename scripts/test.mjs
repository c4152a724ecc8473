#!/usr/bin/env node
// `npm test`: builds (a no-op when up to date), then runs every suite in turn — Node (vitest),
// Deno and headless Chromium — and prints one line per suite. A runtime missing on a developer
// machine shows as SKIPPED with its reason (CI=true turns that into a failure, see
// test/runtime/runner.mjs). Extra arguments go to vitest.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules/.bin', name);
const SUITES = [
  { name: 'build', cmd: process.execPath, args: ['build.mjs'] },
  { name: 'node (vitest)', cmd: bin('vitest'), args: ['run', ...process.argv.slice(2)] },
  { name: 'deno', cmd: process.execPath, args: ['test/deno/run.mjs'] },
  { name: 'chromium', cmd: process.execPath, args: ['test/browser/run.mjs'] },
  { name: 'workerd', cmd: process.execPath, args: ['test/edge/workerd.mjs'] },
  { name: 'edge-runtime', cmd: process.execPath, args: ['test/edge/edge-runtime.mjs'] },
];

/** Runs a command with its output shown live, and kept for the summary. */
function run({ cmd, args }) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['inherit', 'pipe', 'pipe'] });
    let text = '';
    const tee = (to) => (chunk) => ((text += chunk), to.write(chunk));
    child.stdout.on('data', tee(process.stdout));
    child.stderr.on('data', tee(process.stderr));
    child.on('error', (e) => resolve({ code: 1, text: `${text}\n${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? 1, text }));
  });
}

const plain = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');
const lines = [];
let ok = true;
let passed = 0;
let failed = 0;
for (const suite of SUITES) {
  console.log(`\n=== ${suite.name} ===`);
  const { code, text } = await run(suite);
  const out = plain(text);
  const skipped = /SKIPPED — (.*)/.exec(out);
  // A runner's own closing line `N passed, M failed`, or vitest's `Tests  M failed | N passed`.
  const plainLine = [...out.matchAll(/^(\d+) passed, (\d+) failed$/gm)].pop();
  const vitestLine = /Tests\s+(?:(\d+) failed \| )?(\d+) passed/.exec(out);
  const counts = plainLine ? [plainLine[1], plainLine[2]] : vitestLine ? [vitestLine[2], vitestLine[1] ?? '0'] : null;
  let detail = '';
  if (counts) {
    passed += Number(counts[0]);
    failed += Number(counts[1]);
    detail = `${counts[0]} passed, ${counts[1]} failed`;
  }
  const status = code !== 0 ? 'FAILED' : skipped ? 'SKIPPED' : 'passed';
  if (code !== 0) ok = false;
  lines.push(`${suite.name.padEnd(14)} ${status.padEnd(8)} ${skipped ? skipped[1] : detail}`);
  if (suite.name === 'build' && code !== 0) break; // nothing to test
}
if (!ok && failed === 0) failed = 1; // a suite that failed without counting (crash, build error)
// One plain closing line over every suite, for whoever reads only the last line.
console.log(`\n=== summary ===\n${lines.join('\n')}\n${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
