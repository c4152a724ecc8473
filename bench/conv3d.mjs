// Conv3D throughput (GFLOP/s): forward, input gradient (dx only), filter gradient (dW only) and
// the layer's whole backward (dx + dW + db), straight on the binary (scripts/load-binary.mjs, no
// host library), NDHWC / DHWIO, 'same' padding, stride 1. A pass counts
// 2·batch·outD·outH·outW·outC·kD·kH·kW·inC flops (the whole backward: twice that).
//
//   node bench/conv3d.mjs [--quick] [--binary FILE]...   one column per binary, alternating
//                                                         sample by sample (old vs new in one run)
import path from 'node:path';
import { calibrate, median, sampleSecs } from './peers/common.mjs';
import { loadBinary } from '../scripts/load-binary.mjs';

/** batch, [inD, inH, inW], inC → outC, kernel k x k x k, 'same', stride 1. */
export const CONV3D_SHAPES = [
  // A first layer over a short clip or a small volume (one channel in, 16 filters).
  { batch: 4, inD: 16, inH: 32, inW: 32, inC: 1, outC: 16, k: 3, label: 'first layer' },
  // A second layer: 16 channels in, 16 or 32 filters.
  { batch: 4, inD: 8, inH: 16, inW: 16, inC: 16, outC: 16, k: 3, label: 'second layer' },
  { batch: 4, inD: 8, inH: 16, inW: 16, inC: 16, outC: 32, k: 3, label: 'second layer' },
];

export const shapeLabel = (s) => `${s.label ? `${s.label}: ` : ''}${s.batch}x${s.inD}x${s.inH}x${s.inW}x${s.inC} → ${s.outC} ${s.k}x${s.k}x${s.k} same`;
export const conv3dFlops = (s) => 2 * s.batch * s.inD * s.inH * s.inW * s.outC * s.k ** 3 * s.inC;

/**
 * One shape's passes on a fresh instance of the binary (wasmFile, default build/simdnet.wasm):
 * { shape, flops, passes: { forward, 'backward-dx', 'backward-dW', backward } }, each one call.
 * Works with binaries from before conv3d_workspace_bytes took the input's sizes (9 arguments).
 */
export function conv3dCase(s, { wasmFile } = {}) {
  const { exports: ex, memory } = loadBinary(wasmFile ? { file: wasmFile } : { variant: 'baseline' });
  const base = (ex.heap_base() + 63) & ~63;
  const { batch, inD, inH, inW, inC, outC, k } = s;
  const pad = Math.floor((k - 1) / 2);
  const [oD, oH, oW] = [inD, inH, inW];
  const wsBytes =
    ex.conv3d_workspace_bytes.length === 9
      ? ex.conv3d_workspace_bytes(batch, oD, oH, oW, inC, outC, k, k, k)
      : ex.conv3d_workspace_bytes(batch, inD, inH, inW, inC, oD, oH, oW, outC, k, k, k);
  const nx = batch * inD * inH * inW * inC;
  const nw = k ** 3 * inC * outC;
  const ny = batch * oD * oH * oW * outC;
  let top = base;
  const alloc = (bytes) => {
    const p = top;
    top += (bytes + 63) & ~63;
    return p;
  };
  const need = 4 * (2 * nx + 2 * nw + 2 * ny + 2 * outC) + wsBytes + 64 * 16;
  if (base + need > memory.buffer.byteLength) memory.grow(Math.ceil((base + need - memory.buffer.byteLength) / 65536));
  const x = alloc(4 * nx), dx = alloc(4 * nx), w = alloc(4 * nw), dw = alloc(4 * nw);
  const b = alloc(4 * outC), db = alloc(4 * outC), y = alloc(4 * ny), dy = alloc(4 * ny), ws = alloc(wsBytes);
  const f32 = new Float32Array(memory.buffer);
  const fill = (p, n) => {
    for (let i = 0; i < n; i++) f32[(p >> 2) + i] = Math.random() * 2 - 1;
  };
  fill(x, nx);
  fill(w, nw);
  fill(b, outC);
  fill(dy, ny);
  const hp = [batch, inD, inH, inW, inC, oD, oH, oW, outC, k, k, k, 1, 1, 1, pad, pad, pad];
  const flops = conv3dFlops(s);
  return {
    shape: shapeLabel(s),
    flops,
    passFlops: { forward: flops, 'backward-dx': flops, 'backward-dW': flops, backward: 2 * flops },
    passes: {
      forward: () => ex.conv3d_forward_f32(y, x, w, b, ws, ...hp),
      'backward-dx': () => ex.conv3d_backward_f32(dx, 0, 0, dy, x, w, ws, ...hp),
      'backward-dW': () => ex.conv3d_backward_f32(0, dw, 0, dy, x, w, ws, ...hp),
      backward: () => ex.conv3d_backward_f32(dx, dw, db, dy, x, w, ws, ...hp),
    },
  };
}

/**
 * Median GFLOP/s per shape, pass and binary, the binaries alternating sample by sample (so a
 * neighbour's burst lands on all of them alike). Rows { shape, pass, gflops: [per binary] }.
 */
export function benchConv3d({ quick = false, binaries = [undefined], shapes = CONV3D_SHAPES, passes = ['forward', 'backward-dx', 'backward-dW', 'backward'], log = () => {} } = {}) {
  const samples = quick ? 5 : 9;
  const minMs = quick ? 40 : 100;
  const rows = [];
  for (const s of shapes) {
    const cases = binaries.map((f) => conv3dCase(s, { wasmFile: f }));
    for (const pass of passes) {
      const calls = cases.map((c) => calibrate(c.passes[pass], minMs));
      const secs = cases.map(() => []);
      for (let i = 0; i < samples; i++) {
        cases.forEach((c, j) => secs[j].push(sampleSecs(c.passes[pass], calls[j])));
      }
      const row = { shape: cases[0].shape, pass, gflops: secs.map((t, j) => cases[j].passFlops[pass] / median(t) / 1e9), ms: secs.map((t) => median(t) * 1e3) };
      rows.push(row);
      log(row);
    }
  }
  return rows;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const binaries = args.flatMap((a, i) => (args[i - 1] === '--binary' ? [a] : []));
  if (!binaries.length) binaries.push(undefined);
  const names = binaries.map((b) => (b ? path.basename(b) : 'build/simdnet.wasm'));
  console.log(`conv3d GFLOP/s (median; binaries alternate sample by sample): ${names.join(' | ')}`);
  benchConv3d({
    quick,
    binaries,
    log: (r) => console.log(`${r.shape.padEnd(54)} ${r.pass.padStart(11)} ${r.gflops.map((g) => g.toFixed(2).padStart(7)).join(' ')}${r.gflops.length > 1 ? `   x${(r.gflops[r.gflops.length - 1] / r.gflops[0]).toFixed(2)}` : ''}`),
  });
}
