#!/usr/bin/env node
// Prints the size table of README's "Size" section: raw and gzip -9 sizes of the binaries and
// the bundle. Run after `npm run build`: node scripts/sizes.mjs
import fs from 'node:fs';
import zlib from 'node:zlib';

const FILES = [
  ['build/simdnet.wasm', 'SIMD128 binary (default, deterministic)'],
  ['build/simdnet.relaxed.wasm', 'relaxed-SIMD binary (FMA)'],
  ['dist/index.js', 'ESM bundle, both binaries inlined (base64), not minified'],
];
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
console.log('| file | what | raw | gzipped |\n|---|---|---:|---:|');
for (const [f, what] of FILES) {
  const b = fs.readFileSync(f);
  console.log(`| \`${f}\` | ${what} | ${kb(b.length)} | ${kb(zlib.gzipSync(b, { level: 9 }).length)} |`);
}
