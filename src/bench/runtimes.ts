/**
 * The same benchmark in other engines, driven from Node by `simdnet bench --runtimes`: Deno runs
 * the package's own cli.js (`deno run -A cli.js bench --json -`), Chromium (through
 * playwright-core, where it and a browser are installed) opens the shipped bench.html from a
 * local server. Both run the binaries inlined in the package, as Node does. Node only.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { BenchResult } from './run.ts';
import { checkResult } from './report.ts';

export const RUNTIMES = ['node', 'deno', 'chromium'] as const;
export type Runtime = (typeof RUNTIMES)[number];

/** The bench options as command-line flags and as the page's query parameters. */
export interface ForwardedOptions {
  quick?: boolean;
  kernels?: string;
  sizes?: string;
  binary?: string;
  samples?: number;
  minMs?: number;
  block?: number;
  threads?: number;
}

function cliFlags(o: ForwardedOptions): string[] {
  const a: string[] = [];
  if (o.quick) a.push('--quick');
  if (o.kernels) a.push('--kernels', o.kernels);
  if (o.sizes) a.push('--sizes', o.sizes);
  if (o.binary) a.push('--binary', o.binary);
  if (o.samples !== undefined) a.push('--samples', String(o.samples));
  if (o.minMs !== undefined) a.push('--min-ms', String(o.minMs));
  if (o.block !== undefined) a.push('--block', String(o.block));
  if (o.threads !== undefined) a.push('--threads', String(o.threads));
  return a;
}

/** The deno binary: DENO_PATH, else node_modules/.bin/deno above the working directory or the package, else PATH. */
export function findDeno(distDir: string): string {
  if (process.env.DENO_PATH) return process.env.DENO_PATH;
  for (const start of [process.cwd(), distDir]) {
    for (let d = path.resolve(start); ; d = path.dirname(d)) {
      const f = path.join(d, 'node_modules/.bin/deno');
      if (fs.existsSync(f)) return f;
      if (path.dirname(d) === d) break;
    }
  }
  return 'deno';
}

/** Runs `deno run -A <distDir>/cli.js bench --json -` and parses its result. */
export function runDeno(distDir: string, o: ForwardedOptions, timeoutMs = 900_000): Promise<BenchResult> {
  const deno = findDeno(distDir);
  const args = ['run', '-A', '--no-remote', path.join(distDir, 'cli.js'), 'bench', '--json', '-', ...cliFlags(o)];
  return new Promise((resolve, reject) => {
    const child = spawn(deno, args, { env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`deno: could not start ${deno} (${e.message}); install Deno or set DENO_PATH`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`deno: \`${deno} ${args.join(' ')}\` exited with ${code}:\n${err.trim()}`));
      try {
        resolve(checkResult(JSON.parse(out), 'deno'));
      } catch (e) {
        reject(new Error(`deno: unreadable result (${(e as Error).message}):\n${out.slice(0, 500)}`));
      }
    });
  });
}

/** The bench.html query string for these options (`run` starts the bench on load). */
export function pageQuery(o: ForwardedOptions): string {
  const q = new URLSearchParams({ run: '1' });
  if (o.quick) q.set('quick', '1');
  if (o.kernels) q.set('kernels', o.kernels);
  if (o.sizes) q.set('sizes', o.sizes);
  if (o.binary) q.set('binary', o.binary);
  if (o.samples !== undefined) q.set('samples', String(o.samples));
  if (o.minMs !== undefined) q.set('minMs', String(o.minMs));
  if (o.block !== undefined) q.set('block', String(o.block));
  return q.toString();
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.map': 'application/json', '.wasm': 'application/wasm' };

/** Serves bench.html and bench.js (and their map) from distDir on 127.0.0.1. */
export async function serveDist(distDir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const allowed = new Set(['/bench.html', '/bench.js', '/bench.js.map']);
  const server = http.createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    if (!allowed.has(p) || !fs.existsSync(path.join(distDir, p))) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(p)] ?? 'application/octet-stream' });
    res.end(fs.readFileSync(path.join(distDir, p)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

type Chromium = {
  launch(o: object): Promise<{
    newPage(): Promise<{
      goto(u: string): Promise<unknown>;
      on(ev: string, f: (x: { message?: string; text?: () => string }) => void): void;
      waitForFunction(f: string, arg: unknown, o: object): Promise<unknown>;
      evaluate(f: string): Promise<unknown>;
    }>;
    close(): Promise<void>;
    version(): string;
  }>;
};

/** playwright-core's chromium, from the package's or the working directory's node_modules. */
async function loadPlaywright(): Promise<Chromium> {
  const name = 'playwright-core';
  const tries: (() => Promise<{ chromium: Chromium }>)[] = [
    () => import(/* @vite-ignore */ name),
    () => import(pathToFileURL(createRequire(path.join(process.cwd(), 'index.js')).resolve(name)).href),
  ];
  for (const t of tries) {
    try {
      return (await t()).chromium;
    } catch {
      // try the next place
    }
  }
  throw new Error('chromium: playwright-core is not installed (npm install playwright-core, and a Chromium: set CHROMIUM_PATH)');
}

/** The browser: CHROMIUM_PATH, else /usr/bin/chromium where it exists, else playwright's own download. */
function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (fs.existsSync(p)) return p;
  return undefined;
}

/** Opens bench.html in headless Chromium and returns the page's result. */
export async function runChromium(distDir: string, o: ForwardedOptions, timeoutMs = 900_000): Promise<BenchResult> {
  if (!fs.existsSync(path.join(distDir, 'bench.html'))) throw new Error(`chromium: ${path.join(distDir, 'bench.html')} is missing (build the package first)`);
  const chromium = await loadPlaywright();
  const server = await serveDist(distDir);
  const executablePath = chromiumPath();
  let browser;
  try {
    browser = await chromium.launch({ headless: true, ...(executablePath ? { executablePath } : {}), args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  } catch (e) {
    await server.close();
    throw new Error(`chromium: could not start a browser (${(e as Error).message.split('\n')[0]}); set CHROMIUM_PATH`);
  }
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message ?? String(e)));
    await page.goto(`${server.url}/bench.html?${pageQuery(o)}`);
    await page.waitForFunction('window.__benchResult || window.__benchError', null, { timeout: timeoutMs, polling: 250 });
    const err = (await page.evaluate('window.__benchError')) as string | undefined;
    if (err || errors.length) throw new Error(`chromium: the page failed: ${err ?? errors.join('; ')}`);
    const r = checkResult(await page.evaluate('window.__benchResult'), 'chromium');
    if (r.version === '') r.version = browser.version();
    return r;
  } finally {
    await browser.close();
    await server.close();
  }
}
