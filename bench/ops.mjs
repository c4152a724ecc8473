#!/usr/bin/env node
// Tensor ops through the public API, simdnet vs TensorFlow.js's wasm backend, side by side in
// one process: matMul of square matrices and elementwise ops and a reduction on 1M floats.
//
//   node bench/ops.mjs            every row, 7 samples each
//   node bench/ops.mjs --quick    3 samples, shorter calibration
//
// Each sample alternates the two libraries (a neighbour's burst on a shared VM then lands on
// both alike); a row reports the median time per call and the ratio TF.js / simdnet (> 1:
// simdnet is faster). What is timed is one op call and the dispose of its result. simdnet's
// tensors live in JS memory, so its time includes copying the inputs into wasm memory and the
// result out; TF.js's wasm backend keeps tensors in its own memory, so its time has no copies.
// Run `node build.mjs` first (the bench imports dist/).
import { calibrate, distIndex, flag, median, sampleSecs } from './peers/common.mjs';
import { setupTfjs, versions } from './peers/tfjs.mjs';

const quick = flag('--quick');
const SAMPLES = quick ? 3 : 7;
const MIN_MS = quick ? 40 : 120;

const sn = await import(distIndex);
const info = await sn.init();
const tf = await setupTfjs({ patch: false });

/** Seeded uniform floats in [−1, 1) (Park–Miller), the same for both libraries. */
function values(n, seed) {
  const v = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 48271) % 2147483647;
    v[i] = (s / 2147483647) * 2 - 1;
  }
  return v;
}

/** Median seconds per call of each of a and b, samples alternating between them. */
function alternate(a, b) {
  const ca = calibrate(a, MIN_MS);
  const cb = calibrate(b, MIN_MS);
  const ta = [];
  const tb = [];
  for (let i = 0; i < SAMPLES; i++) {
    ta.push(sampleSecs(a, ca));
    tb.push(sampleSecs(b, cb));
  }
  return [median(ta), median(tb)];
}

const rows = [];
function row(name, snOp, tfOp, flops = 0) {
  const [s, t] = alternate(snOp, tfOp);
  const r = { name, simdnetMs: s * 1e3, tfjsMs: t * 1e3, ratio: t / s };
  if (flops) Object.assign(r, { simdnetGflops: flops / s / 1e9, tfjsGflops: flops / t / 1e9 });
  rows.push(r);
  const g = flops ? `  (${r.simdnetGflops.toFixed(1)} vs ${r.tfjsGflops.toFixed(1)} GFLOP/s)` : '';
  console.log(`  ${name.padEnd(28)} ${r.simdnetMs.toFixed(3).padStart(9)} ${r.tfjsMs.toFixed(3).padStart(9)} ${(r.ratio.toFixed(2) + 'x').padStart(7)}${g}`);
}

console.log(`simdnet ops vs TF.js ${versions()['@tensorflow/tfjs-backend-wasm']} (wasm backend), Node ${process.version}, simdnet binary: ${info.binary}`);
console.log(`median of ${SAMPLES} samples; ratio = TF.js time / simdnet time (> 1: simdnet faster)\n`);
console.log(`  ${'op'.padEnd(28)} ${'simdnet ms'.padStart(9)} ${'TF.js ms'.padStart(9)} ${'ratio'.padStart(7)}`);

for (const n of [256, 512, 1024]) {
  const av = values(n * n, n);
  const bv = values(n * n, n + 1);
  const a = sn.tensor(av, [n, n]);
  const b = sn.tensor(bv, [n, n]);
  const ta = tf.tensor(av, [n, n]);
  const tb = tf.tensor(bv, [n, n]);
  row(`matMul ${n}x${n}x${n}`, () => sn.matMul(a, b).dispose(), () => tf.matMul(ta, tb).dispose(), 2 * n ** 3);
  a.dispose();
  b.dispose();
  tf.dispose([ta, tb]);
}

const N = 1 << 20;
const xv = values(N, 7);
const yv = values(N, 8);
const x = sn.tensor(xv);
const y = sn.tensor(yv);
const tx = tf.tensor(xv);
const ty = tf.tensor(yv);
for (const op of ['add', 'mul']) row(`${op} 1M + 1M`, () => sn[op](x, y).dispose(), () => tf[op](tx, ty).dispose());
for (const op of ['exp', 'sigmoid']) row(`${op} 1M`, () => sn[op](x).dispose(), () => tf[op](tx).dispose());
row('sum 1M', () => sn.sum(x).dispose(), () => tf.sum(tx).dispose());

if (flag('--json')) console.log(JSON.stringify({ node: process.version, binary: info.binary, versions: versions(), rows }, null, 2));
