// conv2d_forward_f32 / conv2d_backward_f32 against the float64 reference over a sweep of kernel
// sizes, strides, paddings, dilations, channel counts and batch sizes; literal examples;
// gradient checks; accumulate semantics, 0-pointer skips and guard regions.
import { describe, expect, it } from 'vitest';
import { expectClose, f32round, loadHarness, randomArray, type Harness } from '../helpers/harness.ts';
import { numericGrad } from '../helpers/gradcheck.ts';
import * as ref from '../reference/conv.ts';
import { guarded } from '../helpers/guarded.ts';

type Padding = 'valid' | 'same' | [number, number, number, number]; // explicit: top, bottom, left, right

interface Conv {
  batch: number; inH: number; inW: number; inC: number; outC: number;
  kH: number; kW: number; sH: number; sW: number; dH: number; dW: number;
  outH: number; outW: number; padTop: number; padLeft: number;
}

/** Output size and leading pads, the way the host (TF.js rules) computes them. */
function shape(batch: number, inH: number, inW: number, inC: number, outC: number, k: [number, number], s: [number, number], d: [number, number], padding: Padding): Conv {
  const [kH, kW] = k;
  const effH = (kH - 1) * d[0] + 1;
  const effW = (kW - 1) * d[1] + 1;
  let outH: number, outW: number, padTop = 0, padLeft = 0;
  if (padding === 'valid') {
    outH = Math.floor((inH - effH) / s[0]) + 1;
    outW = Math.floor((inW - effW) / s[1]) + 1;
  } else if (padding === 'same') {
    outH = Math.ceil(inH / s[0]);
    outW = Math.ceil(inW / s[1]);
    // TF: the odd pad goes to the bottom / right.
    padTop = Math.floor(Math.max((outH - 1) * s[0] + effH - inH, 0) / 2);
    padLeft = Math.floor(Math.max((outW - 1) * s[1] + effW - inW, 0) / 2);
  } else {
    const [t, b, l, r] = padding;
    outH = Math.floor((inH + t + b - effH) / s[0]) + 1;
    outW = Math.floor((inW + l + r - effW) / s[1]) + 1;
    padTop = t;
    padLeft = l;
  }
  return { batch, inH, inW, inC, outC, kH, kW, sH: s[0], sW: s[1], dH: d[0], dW: d[1], outH, outW, padTop, padLeft };
}

const sizes = (c: Conv) => ({
  x: c.batch * c.inH * c.inW * c.inC,
  w: c.kH * c.kW * c.inC * c.outC,
  y: c.batch * c.outH * c.outW * c.outC,
});
const hyper = (c: Conv) => [c.batch, c.inH, c.inW, c.inC, c.outH, c.outW, c.outC, c.kH, c.kW, c.sH, c.sW, c.dH, c.dW, c.padTop, c.padLeft] as const;
const label = (c: Conv) =>
  `b${c.batch} ${c.inH}x${c.inW}x${c.inC}→${c.outC} k${c.kH}x${c.kW} s${c.sH}x${c.sW} d${c.dH}x${c.dW} pad${c.padTop},${c.padLeft} out${c.outH}x${c.outW}`;

/** The guarded workspace: conv2dWorkspaceBytes, or exactly `bytes` when given. */
function workspace(h: Harness, c: Conv, bytes?: number) {
  bytes ??= h.k.conv2d_workspace_bytes(c.batch, c.inH, c.inW, c.inC, c.outH, c.outW, c.outC, c.kH, c.kW);
  return guarded(h, Math.ceil(bytes / 4));
}

/**
 * Bytes the moderate-channel direct paths use, from the layouts documented in assembly/conv.ts:
 * forward / dW [padded sample][K tap offsets][5x8 sink][4x8 scratch]; dx as a transposed
 * convolution [padded dy sample][KT tap offsets][sink][scratch][flipped weights KT·inC].
 */
function directBytes(c: Conv): { fwd: number; dx: number } {
  const K = c.kH * c.kW * c.inC;
  const KT = c.kH * c.kW * c.outC;
  const fwd = 4 * (Math.max(4 * K, c.inH * (c.inW + 2 * c.kW + 8) * c.inC) + K + 40 + 40);
  const dx = 4 * (Math.max(4 * KT, c.outH * (c.outW + 2 * c.kW + 8) * c.outC) + KT + 40 + 40 + KT * c.inC);
  return { fwd, dx };
}

/** Wasm forward vs reference forward; returns the f32-rounded inputs for the backward checks. */
function checkForward(h: Harness, c: Conv, seed: number, bias = true, wsBytes?: number) {
  const n = sizes(c);
  const x = f32round(randomArray(n.x, seed));
  const w = f32round(randomArray(n.w, seed + 1));
  const b = bias ? f32round(randomArray(c.outC, seed + 2)) : null;
  const yRef = new Float64Array(n.y);
  ref.conv2d_forward_f32(yRef, x, w, b, ...hyper(c));
  const yBuf = guarded(h, randomArray(n.y, seed + 3, 50, 60)); // stale contents must be overwritten
  const ws = workspace(h, c, wsBytes);
  h.k.conv2d_forward_f32(yBuf.p, h.put(x), h.put(w), b ? h.put(b) : 0, ws.p, ...hyper(c), 0);
  const K = c.kH * c.kW * c.inC;
  expectClose(h.read(yBuf.p, n.y), yRef, { rtol: 1e-5, atol: 1e-6, scale: Math.sqrt(K) + 1, label: `forward ${label(c)}` });
  yBuf.check('y');
  ws.check('ws');
  // The fused relu: the same sums, max(0, ·) on the way out, on every path.
  const reluRef = new Float64Array(n.y);
  ref.conv2d_forward_f32(reluRef, x, w, b, ...hyper(c), 1);
  const yRelu = guarded(h, randomArray(n.y, seed + 4, 50, 60));
  h.k.conv2d_forward_f32(yRelu.p, h.put(x), h.put(w), b ? h.put(b) : 0, ws.p, ...hyper(c), 1);
  const got = h.read(yRelu.p, n.y);
  expectClose(got, reluRef, { rtol: 1e-5, atol: 1e-6, scale: Math.sqrt(K) + 1, label: `forward relu ${label(c)}` });
  expect(got.every((v) => v >= 0), `forward relu ${label(c)}: no negative output`).toBe(true);
  yRelu.check('y relu');
  ws.check('ws (relu)');
  return { x, w };
}

/** Wasm backward (accumulating onto random starting values) vs reference backward. */
function checkBackward(h: Harness, c: Conv, seed: number, want: { dx: boolean; dw: boolean; db: boolean } = { dx: true, dw: true, db: true }, wsBytes?: number) {
  const n = sizes(c);
  const x = f32round(randomArray(n.x, seed));
  const w = f32round(randomArray(n.w, seed + 1));
  const dy = f32round(randomArray(n.y, seed + 2));
  const dx0 = f32round(randomArray(n.x, seed + 3));
  const dw0 = f32round(randomArray(n.w, seed + 4));
  const db0 = f32round(randomArray(c.outC, seed + 5));
  const dxRef = Float64Array.from(dx0);
  const dwRef = Float64Array.from(dw0);
  const dbRef = Float64Array.from(db0);
  ref.conv2d_backward_f32(want.dx ? dxRef : null, want.dw ? dwRef : null, want.db ? dbRef : null, dy, x, w, ...hyper(c));
  const dx = guarded(h, dx0);
  const dw = guarded(h, dw0);
  const db = guarded(h, db0);
  const ws = workspace(h, c, wsBytes);
  h.k.conv2d_backward_f32(want.dx ? dx.p : 0, want.dw ? dw.p : 0, want.db ? db.p : 0, h.put(dy), h.put(x), h.put(w), ws.p, ...hyper(c));
  const rows = c.batch * c.outH * c.outW;
  const L = label(c);
  // Untouched outputs must stay bit-identical to their starting values.
  expectClose(h.read(dx.p, n.x), want.dx ? dxRef : dx0, { rtol: 1e-5, atol: 1e-6, scale: Math.sqrt(c.kH * c.kW * c.outC) + 1, label: `dx ${L}` });
  expectClose(h.read(dw.p, n.w), want.dw ? dwRef : dw0, { rtol: 1e-5, atol: 1e-6, scale: Math.sqrt(rows) + 1, label: `dw ${L}` });
  expectClose(h.read(db.p, c.outC), want.db ? dbRef : db0, { rtol: 1e-5, atol: 1e-6, scale: Math.sqrt(rows) + 1, label: `db ${L}` });
  dx.check('dx');
  dw.check('dw');
  db.check('db');
  ws.check('ws');
}

/** The sweep: every kernel size × stride × padding × dilation, with channels and batch varied. */
function sweep(): Conv[] {
  const cases: Conv[] = [];
  const kernels: [number, number][] = [[1, 1], [3, 3], [5, 5], [2, 3]];
  const paddings: Padding[] = ['valid', 'same', [1, 2, 0, 1]];
  const inCs = [1, 3, 4, 5, 8, 17];
  const outCs = [4, 1, 5, 17, 3, 8];
  let i = 0;
  for (const k of kernels)
    for (const s of [1, 2])
      for (const padding of paddings)
        for (const d of [1, 2]) {
          const inH = 9 + (i % 3); // odd and even spatial sizes
          const inW = 11 - (i % 2);
          const c = shape(1 + (i % 2) * 2, inH, inW, inCs[i % inCs.length], outCs[(i >> 1) % outCs.length], k, [s, s], [d, d], padding);
          if (c.outH > 0 && c.outW > 0) cases.push(c);
          i++;
        }
  // Few input channels and whole 8-channel output strips: the direct (no im2col) forward path,
  // including inputs narrower than the kernel (no interior columns at all).
  for (const k of kernels)
    for (const s of [1, 2])
      for (const padding of paddings) {
        const d = 1 + (i % 2);
        const c = shape(1 + (i % 2), 6 + (i % 4), 5 + (i % 7), 1 + (i % 3), 8 * (1 + (i % 2)), k, [s, 3 - s], [d, 3 - d], padding);
        if (c.outH > 0 && c.outW > 0) cases.push(c);
        i++;
      }
  cases.push(shape(2, 3, 3, 2, 8, [5, 5], [1, 1], [1, 1], 'same'));
  cases.push(shape(2, 1, 30, 1, 16, [1, 7], [1, 1], [1, 1], 'same'));
  // Asymmetric strides and dilations, 1-D (H = 1) as conv1d uses it, the 1x1 no-im2col path.
  cases.push(shape(2, 8, 13, 3, 6, [3, 2], [2, 1], [1, 2], 'same'));
  cases.push(shape(3, 1, 17, 5, 7, [1, 3], [1, 1], [1, 1], 'same'));
  cases.push(shape(2, 1, 20, 1, 4, [1, 5], [1, 2], [1, 2], 'valid'));
  cases.push(shape(3, 5, 7, 17, 9, [1, 1], [1, 1], [1, 1], 'valid'));
  cases.push(shape(2, 5, 7, 6, 3, [1, 1], [2, 2], [1, 1], 'valid'));
  return cases;
}

/**
 * Few input channels: the direct forward / dW paths (inC < 4, outC a multiple of 8; over a
 * zero-padded copy of each sample when its rows fit the workspace, else with im2col'ed edge
 * pixels) and the direct dx path (inC = 1, stride 1 in w: 5-row tiles, 8 and 4 columns wide
 * plus scratch remainders, kernels taller than one 5-row group). outC 5 and 12 take the GEMM
 * path for forward / dW but still the direct dx path when inC = 1.
 */
function directCases(): Conv[] {
  const cases: Conv[] = [];
  const geoms: [[number, number], [number, number], [number, number], Padding][] = [
    [[5, 5], [1, 1], [1, 1], 'same'],
    [[3, 3], [2, 2], [1, 1], 'same'],
    [[3, 3], [1, 1], [2, 2], 'valid'],
    [[7, 7], [1, 1], [1, 1], 'same'],
    [[2, 3], [2, 1], [1, 2], [1, 2, 0, 1]],
    [[1, 1], [1, 1], [1, 1], 'valid'],
    [[6, 4], [1, 2], [2, 1], 'same'],
  ];
  let i = 0;
  for (const inC of [1, 2, 3])
    for (const outC of [8, 16, 24, 5, 12])
      for (const [k, s, d, padding] of geoms) {
        // Widths 3..20 cover dx rows of every length mod 8 and inputs narrower than a tile.
        const c = shape(1 + (i % 2), 5 + (i % 9), 3 + ((i * 5) % 18), inC, outC, k, s, d, padding);
        if (c.outH > 0 && c.outW > 0) cases.push(c);
        i++;
      }
  // Rows of the padded sample wider than the workspace holds: the im2col'ed-edge fallback.
  cases.push(shape(2, 6, 5, 1, 8, [3, 3], [1, 1], [1, 1], [1, 1, 12, 12]));
  cases.push(shape(1, 9, 9, 2, 16, [5, 5], [1, 1], [4, 4], 'same'));
  cases.push(shape(2, 8, 7, 3, 8, [2, 2], [1, 3], [1, 1], [0, 0, 9, 9]));
  // Output rows whose window misses the input entirely (y = bias, no dW / dx contribution).
  cases.push(shape(2, 4, 6, 1, 8, [3, 3], [1, 1], [1, 1], [6, 1, 0, 2]));
  // Shapes whose workspace size is set by a direct path rather than the GEMM path, so the guard
  // after the workspace checks the direct layouts end to end: a padded 126x126 sample (last
  // output block partial, dW's last tap group short) and a wide one-row dx (scratch and sinks).
  cases.push(shape(1, 126, 126, 1, 8, [3, 3], [2, 2], [1, 1], 'same'));
  cases.push(shape(1, 1, 30, 1, 64, [3, 1], [1, 1], [1, 1], 'same'));
  // The benchmark's first shape, small batch: 4 of 28 columns in the 4-wide dx tile.
  cases.push(shape(2, 28, 28, 1, 8, [5, 5], [1, 1], [1, 1], 'same'));
  return cases;
}

/**
 * Moderate channel counts: the direct forward / dW paths for outC ≤ 16 (a multiple of 8) and
 * any inC ≥ 4 over a padded sample, and dx as a transposed convolution (inC a multiple of 8,
 * outC ≤ 16, unit strides). inC 4..16 × outC 8 / 16 / 24 / 12 (24 and 12 take the GEMM for
 * forward / dW; 12 still takes the transposed dx when inC is a multiple of 8), kernels 1x1 to
 * 5x5 and non-square, strides 1 / 2 (also mixed), dilation 2, valid / same / explicit pads
 * (including pads wider than the kernel), odd sizes, batch 1 and 3.
 */
function moderateCases(): Conv[] {
  const cases: Conv[] = [];
  const kernels: [number, number][] = [[1, 1], [3, 3], [5, 5], [2, 3], [3, 5]];
  const paddings: Padding[] = ['valid', 'same', [1, 2, 0, 1], [2, 0, 3, 1]];
  const inCs = [4, 8, 12, 16, 8, 5];
  const outCs = [8, 16, 24, 12, 16];
  let i = 0;
  for (const k of kernels)
    for (const s of [1, 2])
      for (const padding of paddings) {
        const d = 1 + ((i >> 1) % 2);
        const st: [number, number] = i % 5 === 3 ? [s, 3 - s] : [s, s];
        const c = shape(1 + (i % 2) * 2, 5 + (i % 6), 4 + ((i * 3) % 11), inCs[i % inCs.length], outCs[(i >> 1) % outCs.length], k, st, [d, d], padding);
        if (c.outH > 0 && c.outW > 0) cases.push(c);
        i++;
      }
  // The benchmark's MNIST second layer, small batch; and the same with 16 input channels.
  cases.push(shape(2, 14, 14, 8, 16, [5, 5], [1, 1], [1, 1], 'same'));
  cases.push(shape(1, 7, 9, 16, 16, [5, 5], [1, 1], [1, 1], 'same'));
  // Output rows that no kernel row reaches (they hold the bias alone; the fused relu must clip it).
  cases.push(shape(2, 4, 5, 2, 8, [2, 2], [1, 1], [1, 1], [3, 3, 1, 0]));
  cases.push(shape(1, 4, 6, 8, 16, [2, 3], [1, 1], [1, 1], [3, 0, 1, 1]));
  return cases;
}

/** The same suite on the baseline and the relaxed (FMA) binary. */
function kernelSuite(variant: 'baseline' | 'relaxed'): void {
describe(`conv2d kernels vs reference (${variant} binary)`, () => {
  const h = loadHarness(variant);

  it('literal: 4x4 input ⊗ 3x3 filter, valid, stride 1 → 15 16 / 6 15', () => {
    h.reset();
    const c = shape(1, 4, 4, 1, 1, [3, 3], [1, 1], [1, 1], 'valid');
    const x = [1, 2, 3, 0, 0, 1, 2, 3, 3, 0, 1, 2, 2, 3, 0, 1];
    const w = [2, 0, 1, 0, 1, 2, 1, 0, 2];
    const y = h.zeros(4);
    h.k.conv2d_forward_f32(y, h.put(x), h.put(w), 0, workspace(h, c).p, ...hyper(c), 0);
    expect(Array.from(h.read(y, 4))).toEqual([15, 16, 6, 15]);
    const yRef = new Float64Array(4);
    ref.conv2d_forward_f32(yRef, Float64Array.from(x), Float64Array.from(w), null, ...hyper(c));
    expect(Array.from(yRef)).toEqual([15, 16, 6, 15]);
    // With a bias of 3 and 'same' padding the centre 2x2 of the 4x4 output is the same plus 3.
    const s = shape(1, 4, 4, 1, 1, [3, 3], [1, 1], [1, 1], 'same');
    const ys = h.zeros(16);
    h.k.conv2d_forward_f32(ys, h.put(x), h.put(w), h.put([3]), workspace(h, s).p, ...hyper(s), 0);
    const out = h.read(ys, 16);
    expect([out[5], out[6], out[9], out[10]]).toEqual([18, 19, 9, 18]);
  });

  const cases = sweep();
  it(`forward and backward over a sweep of ${cases.length} shapes`, () => {
    cases.forEach((c, i) => {
      h.reset();
      checkForward(h, c, 100 + i * 10, i % 3 !== 1);
      checkBackward(h, c, 200 + i * 10);
    });
  });

  const direct = directCases();
  it(`few input channels (direct paths) over ${direct.length} shapes`, () => {
    direct.forEach((c, i) => {
      h.reset();
      checkForward(h, c, 500 + i * 10, i % 3 !== 2);
      checkBackward(h, c, 600 + i * 10);
    });
  });

  const moderate = moderateCases();
  it(`moderate channel counts (direct and transposed paths) over ${moderate.length} shapes`, () => {
    moderate.forEach((c, i) => {
      h.reset();
      checkForward(h, c, 700 + i * 10, i % 3 !== 2);
      checkBackward(h, c, 800 + i * 10);
    });
  });

  it('moderate channel counts: each direct path stays inside exactly its own workspace layout', () => {
    // With only one output wanted, one path runs; its workspace is exactly the documented size,
    // so the guard after it checks the layout end to end (conv2dWorkspaceBytes may be larger).
    for (const c of [
      shape(2, 14, 14, 8, 16, [5, 5], [1, 1], [1, 1], 'same'),
      shape(1, 9, 11, 12, 8, [3, 3], [2, 2], [1, 1], 'same'),
      shape(3, 7, 5, 16, 16, [2, 3], [1, 1], [2, 1], [1, 2, 0, 1]),
      shape(1, 6, 10, 8, 8, [3, 5], [1, 1], [1, 2], 'valid'),
    ]) {
      const { fwd, dx } = directBytes(c);
      expect(h.k.conv2d_workspace_bytes(c.batch, c.inH, c.inW, c.inC, c.outH, c.outW, c.outC, c.kH, c.kW)).toBeGreaterThanOrEqual(Math.max(fwd, dx));
      h.reset();
      checkForward(h, c, 41, true, fwd);
      h.reset();
      checkBackward(h, c, 43, { dx: false, dw: true, db: false }, fwd);
      if (c.inC % 8 !== 0 || c.sH !== 1 || c.sW !== 1) continue; // dx then runs on the GEMM
      h.reset();
      checkBackward(h, c, 45, { dx: true, dw: false, db: false }, dx);
    }
    // Strided and dilated shapes whose workspace size is set by the direct forward / dW path.
    for (const c of [
      shape(1, 12, 12, 8, 16, [1, 1], [3, 3], [1, 1], 'valid'),
      shape(1, 13, 13, 4, 8, [3, 3], [3, 3], [2, 1], 'valid'),
    ]) {
      expect(h.k.conv2d_workspace_bytes(c.batch, c.inH, c.inW, c.inC, c.outH, c.outW, c.outC, c.kH, c.kW)).toBe(directBytes(c).fwd);
      h.reset();
      checkForward(h, c, 51);
      checkBackward(h, c, 53);
    }
  });

  it('bigger shapes: 14x14x16 → 32 3x3 same; chunks that straddle samples; MNIST-like 5x5 over 1 channel', () => {
    for (const c of [
      shape(2, 14, 14, 16, 32, [3, 3], [1, 1], [1, 1], 'same'),
      shape(3, 20, 20, 8, 8, [5, 5], [1, 1], [1, 1], 'same'),
      shape(4, 28, 28, 1, 8, [5, 5], [1, 1], [1, 1], 'same'),
      shape(2, 15, 13, 40, 12, [3, 3], [2, 2], [1, 1], 'same'),
    ]) {
      h.reset();
      checkForward(h, c, 7);
      checkBackward(h, c, 8);
    }
  });

  it('backward skips each 0 output and leaves it untouched', () => {
    for (const c of [
      shape(2, 7, 6, 5, 3, [3, 3], [1, 1], [1, 1], 'same'),
      shape(2, 5, 5, 6, 4, [1, 1], [1, 1], [1, 1], 'valid'),
      shape(2, 7, 9, 2, 8, [3, 3], [1, 1], [1, 1], 'same'),
      shape(2, 9, 11, 1, 8, [5, 5], [1, 1], [1, 1], 'same'),
      shape(2, 9, 11, 1, 5, [3, 3], [1, 1], [1, 1], 'same'),
      shape(2, 6, 7, 8, 16, [5, 5], [1, 1], [1, 1], 'same'),
      shape(1, 5, 6, 16, 12, [3, 3], [1, 1], [1, 1], 'valid'),
    ]) {
      for (const want of [
        { dx: true, dw: false, db: false },
        { dx: false, dw: true, db: false },
        { dx: false, dw: false, db: true },
        { dx: false, dw: false, db: false },
      ]) {
        h.reset();
        checkBackward(h, c, 31, want);
      }
    }
  });

  it("conv2d_backward_filter_rows_f32: kernel rows of dW vs reference, and pieces that together give conv2d_backward_f32's bits", () => {
    // One shape per dW path: padded direct (1 and 8 input channels), direct without the padded
    // sample (too wide for it), the GEMM (inC 5 → outC 17, strided and dilated, and 1x1).
    const shapes = [
      shape(3, 28, 28, 1, 8, [5, 5], [1, 1], [1, 1], 'same'),
      shape(2, 14, 14, 8, 16, [5, 5], [1, 1], [1, 1], 'same'),
      shape(1, 6, 700, 2, 8, [3, 3], [1, 1], [1, 1], 'same'),
      shape(2, 9, 11, 5, 17, [3, 3], [2, 2], [2, 1], [1, 2, 0, 1]),
      shape(3, 13, 10, 17, 3, [4, 2], [1, 1], [1, 1], 'valid'),
      shape(2, 5, 5, 6, 4, [1, 1], [1, 1], [1, 1], 'valid'),
    ];
    shapes.forEach((c, si) => {
      h.reset();
      const n = sizes(c);
      const x = f32round(randomArray(n.x, 900 + si));
      const dy = f32round(randomArray(n.y, 910 + si));
      const dw0 = f32round(randomArray(n.w, 920 + si));
      const px = h.put(x), pdy = h.put(dy);
      const ws = workspace(h, c);
      const perRow = n.w / c.kH;
      // Against the reference: a middle range of rows (all rows when there is one), the rest untouched.
      const r0 = c.kH > 2 ? 1 : 0, r1 = c.kH > 2 ? c.kH - 1 : c.kH;
      const want = Float64Array.from(dw0);
      ref.conv2d_backward_filter_rows_f32(want, dy, x, ...hyper(c), r0, r1);
      const dw = guarded(h, dw0);
      h.k.conv2d_backward_filter_rows_f32(dw.p, pdy, px, ws.p, ...hyper(c), r0, r1);
      const got = h.read(dw.p, n.w);
      const rows = c.batch * c.outH * c.outW;
      expectClose(got, want, { rtol: 1e-5, atol: 1e-6, scale: Math.sqrt(rows) + 1, label: `dW rows ${r0}..${r1} ${label(c)}` });
      for (let e = 0; e < n.w; e++) {
        const row = Math.floor(e / perRow);
        if (row < r0 || row >= r1) expect(got[e], `dW row ${row} outside ${r0}..${r1} ${label(c)}`).toBe(Math.fround(dw0[e]));
      }
      dw.check('dw rows');
      ws.check('ws rows');
      // Bit for bit: the whole-filter gradient, then the same from pieces of rows (and an empty range).
      const whole = guarded(h, dw0);
      h.k.conv2d_backward_f32(0, whole.p, 0, pdy, px, 0, ws.p, ...hyper(c));
      const wholeBits = new Uint32Array(Float32Array.from(h.read(whole.p, n.w)).buffer);
      for (const cuts of [[0, c.kH], [0, 1, c.kH], [0, Math.ceil(c.kH / 2), c.kH, c.kH]]) {
        const parts = guarded(h, dw0);
        for (let t = 0; t + 1 < cuts.length; t++) h.k.conv2d_backward_filter_rows_f32(parts.p, pdy, px, ws.p, ...hyper(c), cuts[t], cuts[t + 1]);
        const bits = new Uint32Array(Float32Array.from(h.read(parts.p, n.w)).buffer);
        let diff = -1;
        for (let e = 0; e < n.w && diff < 0; e++) if (bits[e] !== wholeBits[e]) diff = e;
        expect(diff, `rows cut at ${cuts.join(',')} ${label(c)}: first element differing from conv2d_backward_f32`).toBe(-1);
        parts.check('dw pieces');
      }
      ws.check('ws');
    });
  });

  it('workspace size agrees with the chunking and does not scale with the batch', () => {
    const a = h.k.conv2d_workspace_bytes(8, 56, 56, 32, 56, 56, 64, 3, 3);
    const b = h.k.conv2d_workspace_bytes(64, 56, 56, 32, 56, 56, 64, 3, 3);
    expect(a).toBe(b);
    expect(h.k.conv2d_workspace_bytes(0, 5, 5, 3, 5, 5, 4, 3, 3)).toBe(0);
  });
});
}
kernelSuite('baseline');
kernelSuite('relaxed');

describe('conv2d gradient checks', () => {
  /** Σ r·y for the reference forward. */
  function objective(c: Conv, x: Float64Array, w: Float64Array, b: Float64Array, r: Float64Array): number {
    const y = new Float64Array(r.length);
    ref.conv2d_forward_f32(y, x, w, b, ...hyper(c));
    let s = 0;
    for (let i = 0; i < y.length; i++) s += r[i] * y[i];
    return s;
  }
  // Inputs lie in [−1, 1], so numericGrad's step is exactly h.
  const numeric = (f: () => number, a: Float64Array) => numericGrad(f, a, 1e-5);

  const cases = [
    shape(2, 5, 6, 3, 4, [3, 3], [1, 1], [1, 1], 'same'),
    shape(1, 7, 7, 2, 3, [3, 2], [2, 2], [2, 1], 'same'),
    shape(2, 6, 5, 5, 2, [2, 2], [1, 2], [1, 1], [1, 0, 2, 1]),
    shape(1, 1, 9, 4, 3, [1, 3], [1, 1], [1, 2], 'valid'),
  ];

  it.each(cases.map((c) => [label(c), c] as const))('reference backward = central differences (%s)', (_, c) => {
    const n = sizes(c);
    const x = randomArray(n.x, 1);
    const w = randomArray(n.w, 2);
    const b = randomArray(c.outC, 3);
    const r = randomArray(n.y, 4);
    const dx = new Float64Array(n.x);
    const dw = new Float64Array(n.w);
    const db = new Float64Array(c.outC);
    ref.conv2d_backward_f32(dx, dw, db, r, x, w, ...hyper(c));
    const f = () => objective(c, x, w, b, r);
    expectClose(dx, numeric(f, x), { rtol: 1e-6, atol: 1e-8, scale: 1, label: 'dx' });
    expectClose(dw, numeric(f, w), { rtol: 1e-6, atol: 1e-8, scale: 1, label: 'dw' });
    expectClose(db, numeric(f, b), { rtol: 1e-6, atol: 1e-8, scale: 1, label: 'db' });
  });

  it.each(cases.map((c) => [label(c), c] as const))('wasm backward = reference backward (%s)', (_, c) => {
    const h = loadHarness();
    checkBackward(h, c, 77);
  });
});
