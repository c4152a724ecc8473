// Deno suite, threads: the built dist/index.js trains bit-identically on 1, 2 and 3 threads
// (workers from node:worker_threads on one shared memory), the golden trajectory holds threaded,
// and a Deno process that trained with threads exits by itself. Run by test/deno/run.mjs.
// The checks are shared with Node and the browser: test/browser/threads-checks.mjs.
// @ts-nocheck — type-checked by Deno only; vitest and tsc skip this folder (Deno globals).
import * as lib from '../../dist/index.js';
import { threadChecks, trainOnThreadsScript } from '../browser/threads-checks.mjs';

const root = new URL('../../', import.meta.url);
const golden = JSON.parse(await Deno.readTextFile(new URL('test/model/golden-trajectory.json', root)));

for (const c of threadChecks(lib, { golden })) Deno.test(`threads: ${c.name}`, () => c.run());

Deno.test("threads: init({ threads: 'auto' }) runs threaded in Deno", async () => {
  const info = await lib.init({ threads: 'auto' });
  const want = Math.min(navigator.hardwareConcurrency, 8);
  if (info.threads !== want) throw new Error(`expected ${want} threads, got ${info.threads} (${info.threadsReason})`);
});

Deno.test('threads: a Deno process that trained with threads exits by itself', async () => {
  const dist = new URL('dist/index.js', root).href;
  const script = trainOnThreadsScript(dist);
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ['eval', '--no-check', script],
    env: { NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' },
    stdout: 'piped',
    stderr: 'piped',
  });
  const child = cmd.spawn();
  // Only turns a hang into a failure: a process that exits by itself takes seconds.
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const out = await child.output();
  clearTimeout(timer);
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  if (out.signal) throw new Error(`the process did not exit by itself (killed: ${out.signal}); stderr: ${stderr}`);
  if (out.code !== 0) throw new Error(`exit code ${out.code}: ${stderr}`);
  if (!stdout.includes('trained on 2 threads')) throw new Error(`unexpected output: ${stdout} ${stderr}`);
});
