#!/usr/bin/env node
// Runs api/index.js locally the way Vercel runs an Edge Function, in Vercel's `edge-runtime`
// (npm install edge-runtime esbuild):
//  - bundled as Vercel's bundler does: each `*.wasm?module` import becomes a global WebAssembly
//    binding (`wasm_<sha1 of the file>`) that the host compiles and hands in; the handler is
//    registered as the isolate's fetch listener;
//  - evaluated in edge-runtime's VM with code generation off: no eval, and no compiling of
//    WebAssembly from bytes, as on Vercel;
//  - public/ served as static files, and vercel.json's rewrites (/predict → /api?route=predict).
//
//   node examples/vercel-edge/dev.mjs [--port 3000]
// or, from code: `const { url, close } = await start({ port: 0 })`.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { EdgeRuntime, createHandler } from 'edge-runtime';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Bundles an edge function module (default export: `(request) => Response`) into the script
 * edge-runtime evaluates. Returns { code, wasm: { bindingName: filePath } }.
 */
export async function bundleEdgeFunction(entry) {
  const wasm = {};
  const wasmBindings = {
    name: 'wasm-bindings',
    setup(build) {
      build.onResolve({ filter: /\.wasm\?module$/ }, async (args) => {
        const r = await build.resolve(args.path.slice(0, -'?module'.length), { kind: args.kind, resolveDir: args.resolveDir });
        if (r.errors.length) return { errors: r.errors };
        const name = `wasm_${createHash('sha1').update(fs.readFileSync(r.path)).digest('hex')}`;
        wasm[name] = r.path;
        return { path: name, namespace: 'wasm-binding' };
      });
      build.onLoad({ filter: /.*/, namespace: 'wasm-binding' }, (args) => ({ contents: `export default globalThis[${JSON.stringify(args.path)}];`, loader: 'js' }));
    },
  };
  const result = await esbuild.build({
    stdin: {
      contents: `import handler from ${JSON.stringify(entry)};\naddEventListener('fetch', (event) => event.respondWith(handler(event.request)));\n`,
      resolveDir: here,
      loader: 'js',
    },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    conditions: ['edge-light', 'worker', 'browser'],
    plugins: [wasmBindings],
    logLevel: 'error',
    // simdnet's Node-only paths read import.meta.url; they never run at the edge.
    logOverride: { 'empty-import-meta': 'silent' },
  });
  return { code: result.outputFiles[0].text, wasm };
}

/**
 * An EdgeRuntime running `code`, with its WebAssembly bindings compiled here (as the platform
 * does before the function runs) and compilation from bytes disabled inside.
 */
export function edgeRuntime({ code, wasm }) {
  return new EdgeRuntime({
    initialCode: code,
    codeGeneration: { strings: false, wasm: false },
    extend(context) {
      // Compiled in this script's realm, not the VM's, as `vercel dev` does: simdnet's init
      // accepts a module from another realm.
      for (const [name, file] of Object.entries(wasm)) context[name] = new WebAssembly.Module(fs.readFileSync(file));
      return context;
    },
  });
}

const REWRITES = JSON.parse(fs.readFileSync(path.join(here, 'vercel.json'), 'utf8')).rewrites;
const TYPES = { '.json': 'application/json', '.bin': 'application/octet-stream', '.html': 'text/html' };

/** Serves `publicDir` (public/) and the function on `host`:`port` (0: any free port). */
export async function start({ port = 3000, host = '127.0.0.1', publicDir = path.join(here, 'public') } = {}) {
  const runtime = edgeRuntime(await bundleEdgeFunction('./api/index.js'));
  const { handler, waitUntil } = createHandler({ runtime });
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const file = path.join(publicDir, path.normalize(decodeURIComponent(url.pathname)));
    if (file.startsWith(publicDir + path.sep) && fs.existsSync(file) && fs.statSync(file).isFile()) {
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(fs.readFileSync(file));
      return;
    }
    const rewrite = REWRITES.find((r) => r.source === url.pathname);
    if (rewrite) req.url = rewrite.destination;
    else if (url.pathname !== '/api' && !url.pathname.startsWith('/api/')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
      return;
    }
    handler(req, res);
  });
  await new Promise((resolve, reject) => server.once('error', reject).listen(port, host, resolve));
  const url = `http://${host}:${server.address().port}`;
  return { url, runtime, close: () => Promise.all([waitUntil(), new Promise((resolve) => server.close(resolve))]) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  const { url } = await start({ port: i > 0 ? Number(process.argv[i + 1]) : 3000 });
  console.log(`simdnet on edge-runtime at ${url}: POST /predict, POST /train, GET /model`);
}
