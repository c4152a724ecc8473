#!/usr/bin/env node
// `npm run test:browser`: the runtime checks (test/runtime/checks.mjs) and the demo, in headless
// Chromium driven by playwright-core, against the built dist/ served from 127.0.0.1.
// Ends with the `N passed, M failed` line CI counts. Screenshots go to test-output/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../scripts/serve.mjs';
import { makeIoFixtures } from '../runtime/io-fixtures.mjs';
import { benchPage } from './bench-checks.mjs';
import { missingRuntime, requireBuild, root, summary } from '../runtime/runner.mjs';

const SUITE = 'browser suite';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
  '--no-first-run', '--disable-component-update', '--disable-sync',
];
const OUT = path.join(root, 'test-output');

if (!fs.existsSync(CHROMIUM)) missingRuntime(SUITE, `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  missingRuntime(SUITE, 'playwright-core is not installed (npm install)');
}
requireBuild(SUITE);
if (!fs.existsSync(path.join(root, 'demo/dist/demo.js'))) {
  console.error(`${SUITE}: demo/dist/demo.js missing — run \`npm run build\` first`);
}

// Model files made by TF.js in Node, served from memory under /test-io/ (uploads land there too);
// TF.js's browser bundles are served for the io page's interop checks.
const fixtures = await makeIoFixtures();
const memory = new Map([...fixtures.files].map(([rel, bytes]) => [`/test-io/${rel}`, bytes]));
memory.set('/test-io/cases.json', JSON.stringify(fixtures.cases));
const TFJS = ['tfjs-core', 'tfjs-backend-cpu', 'tfjs-layers'].map((p) => `/node_modules/@tensorflow/${p}/dist/`);
const server = await startServer({ memory, allow: TFJS });
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-chromium-'));
const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1200, height: 900 }, acceptDownloads: true });
// Nothing leaves 127.0.0.1: any other request is aborted (and would fail the page's check).
await context.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
console.log(`${SUITE}: Chromium ${context.browser()?.version() ?? ''} at ${server.url}`.trim());

let passed = 0;
let failed = 0;
const record = (name, ok, error) => {
  ok ? passed++ : failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${error ? `\n     ${error.replace(/\n/g, '\n     ')}` : ''}`);
};
/** A page that reports uncaught errors and console errors on our stdout. */
async function openPage(urlPath) {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`  [page error] ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && console.error(`  [console] ${m.text()}`));
  await page.goto(server.url + urlPath);
  return page;
}

/**
 * Opens the demo, picks `arch`, starts training, waits for >= 200 steps and an evaluation after
 * them, stops, and checks that the loss fell and the shown test accuracy is above 0.8.
 * Screenshot: test-output/demo.png (MLP) or demo-<arch>.png.
 */
async function demoCase(arch, label) {
  const name = `demo (${label}): loss falls and shown accuracy > 0.8 after >= 200 steps`;
  const shot = path.join(OUT, arch === 'mlp' ? 'demo.png' : `demo-${arch}.png`);
  fs.mkdirSync(OUT, { recursive: true });
  const demo = await openPage('/demo/');
  try {
    await demo.waitForSelector('#start:not([disabled])', { timeout: 120_000 });
    await demo.selectOption('#arch', arch);
    await demo.click('#start');
    await demo.waitForFunction(() => Number(document.querySelector('#steps').dataset.value) >= 200, null, { timeout: 300_000 });
    // The page evaluates on 1,000 test digits every 50 steps: wait for one after step 200.
    await demo.waitForFunction(() => Number(document.querySelector('#acc').dataset.step) >= 200, null, { timeout: 120_000 });
    await demo.click('#start'); // stop
    await demo.waitForFunction(() => document.querySelector('#start').textContent.trim() === 'Start', null, { timeout: 60_000 });
    const s = await demo.evaluate(() => {
      const d = (id, k = 'value') => Number(document.querySelector(id).dataset[k]);
      return { steps: d('#steps'), firstLoss: d('#loss', 'first'), loss: d('#loss'), acc: d('#acc'), sps: d('#sps'), cells: document.querySelectorAll('#digits .cell').length };
    });
    await demo.screenshot({ path: shot, fullPage: true });
    console.log(`     ${arch}: steps ${s.steps}, loss ${s.firstLoss.toFixed(3)} → ${s.loss.toFixed(3)}, test accuracy ${s.acc.toFixed(3)}, ${Math.round(s.sps)} samples/s, ${s.cells} digits; ${path.relative(root, shot)}`);
    const problems = [];
    if (!(s.steps >= 200)) problems.push(`steps: expected >= 200, got ${s.steps}`);
    if (!(s.loss < s.firstLoss)) problems.push(`loss: expected to fall below the first step's ${s.firstLoss}, got ${s.loss}`);
    if (!(s.acc > 0.8)) problems.push(`shown accuracy: expected > 0.8, got ${s.acc}`);
    if (!(s.cells > 0)) problems.push('the digit grid is empty');
    record(name, problems.length === 0, problems.join('; '));
  } catch (e) {
    await demo.screenshot({ path: shot, fullPage: true }).catch(() => {});
    record(name, false, `${e.message} (screenshot: ${path.relative(root, shot)})`);
  }
  await demo.close();
}

/**
 * The model-file checks (test/browser/io-checks.mjs), then the two files downloads:// started:
 * simdnet-download.json (model.json with its manifest) and simdnet-download.weights.bin.
 */
async function ioPage() {
  const downloads = [];
  const page = await openPage('/test/browser/io.html');
  page.on('download', (d) => downloads.push(d));
  try {
    await page.waitForFunction(() => window.__ioResults, null, { timeout: 180_000 });
    for (const r of await page.evaluate(() => window.__ioResults)) record(`chromium io: ${r.name}`, r.ok, r.error);
  } catch (e) {
    record('chromium io: model-file checks page', false, e.message);
  }
  const name = 'chromium io: the downloads are simdnet-download.json and simdnet-download.weights.bin, and they belong together';
  try {
    const files = new Map();
    for (const d of downloads) files.set(d.suggestedFilename(), fs.readFileSync(await d.path()));
    const names = [...files.keys()].sort();
    if (names.join() !== 'simdnet-download.json,simdnet-download.weights.bin') throw new Error(`downloaded: ${names.join(', ') || 'nothing'}`);
    const json = JSON.parse(files.get('simdnet-download.json').toString('utf8'));
    const paths = json.weightsManifest.flatMap((g) => g.paths);
    if (paths.join() !== './simdnet-download.weights.bin') throw new Error(`manifest paths: ${paths.join(', ')}`);
    const need = json.weightsManifest.flatMap((g) => g.weights).reduce((s, w) => s + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    const have = files.get('simdnet-download.weights.bin').length;
    if (need !== have) throw new Error(`the weights file holds ${have} bytes, its manifest needs ${need}`);
    record(name, true);
  } catch (e) {
    record(name, false, e.message);
  }
  await page.close();
}

try {
  // 1. The shared runtime checks, each reported by name.
  const page = await openPage('/test/browser/runtime.html');
  try {
    await page.waitForFunction(() => window.__results, null, { timeout: 180_000 });
    for (const r of await page.evaluate(() => window.__results)) record(`chromium: ${r.name}`, r.ok, r.error);
  } catch (e) {
    record('chromium: runtime checks page', false, e.message);
  }
  await page.close();

  // 1b. Threads on an isolated page: bit-identical trajectories for 1, 2 and 3 threads.
  const threads = await openPage('/test/browser/threads.html');
  try {
    await threads.waitForFunction(() => window.__threadResults, null, { timeout: 300_000 });
    for (const r of await threads.evaluate(() => window.__threadResults)) record(`chromium threads: ${r.name}`, r.ok, r.error);
  } catch (e) {
    record('chromium threads: thread checks page', false, e.message);
  }
  await threads.close();

  // 2. Model files: http, IndexedDB, localStorage, uploads, downloads, File objects.
  await ioPage();

  // 2b. The shipped kernel bench page, tiny configuration (test/browser/bench-checks.mjs).
  await benchPage(openPage, record);

  // 3. The demo, once per model it offers (the MLP; the CNN where the library has conv layers).
  const probe = await openPage('/demo/');
  await probe.waitForSelector('#start:not([disabled])', { timeout: 120_000 }); // MNIST loaded
  const archs = await probe.$$eval('#arch option', (os) => os.map((o) => [o.value, o.textContent]));
  await probe.close();
  for (const [arch, label] of archs) await demoCase(arch, label);
} finally {
  await context.close();
  await server.close();
  fs.rmSync(profile, { recursive: true, force: true });
}
summary(passed, failed);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
