// The workspace sizes the binary reports (gemm_workspace_bytes, dense_workspace_bytes,
// conv2d_workspace_bytes) against the TypeScript formulas they replaced (test/reference/
// workspace.ts), over sweeps of shapes; the kernels run inside exactly that workspace (guarded);
// and src/wasm/workspace.ts returns the sizes of the binary that init() loaded.
import { describe, expect, it } from 'vitest';
import { expectClose, f32round, randomArray, TEST_VARIANT, type Harness } from '../helpers/harness.ts';
import { describeVariants, expectGuard, loadVariant, putGuarded } from '../helpers/guarded.ts';
import * as ref from '../reference/workspace.ts';
import * as gemmRef from '../reference/gemm.ts';
import * as denseRef from '../reference/dense.ts';
import * as convRef from '../reference/conv.ts';
import { init } from '../../src/wasm/loader.ts';
import { conv2dWorkspaceBytes, denseWorkspaceBytes, gemmWorkspaceBytes } from '../../src/wasm/workspace.ts';

/** Around the micro-tile heights (5, 6), NR = 8, MC = 120, KC = 256, NC = 512, and large. */
const DIMS = [-1, 0, 1, 2, 4, 5, 6, 7, 8, 9, 11, 12, 29, 30, 31, 119, 120, 121, 255, 256, 257, 511, 512, 513, 1000, 4096];
const GEMM_SHAPES: [number, number, number][] = [];
for (const m of DIMS) for (const n of DIMS) for (const k of DIMS) GEMM_SHAPES.push([m, n, k]);

/** conv2d sizes: (batch, inH, inW, inC, outH, outW, outC, kH, kW), 'same' and 'valid', strides 1 and 2. */
const CONV_SHAPES: number[][] = [];
for (const batch of [0, 1, 2, 8, 64])
  for (const hw of [1, 5, 14, 28, 56])
    for (const inC of [1, 2, 3, 4, 8, 12, 16, 32, 64])
      for (const outC of [1, 4, 8, 12, 16, 24, 32, 64])
        for (const k of [1, 2, 3, 5, 7])
          for (const s of [1, 2]) {
            const same = Math.ceil(hw / s);
            const valid = Math.floor((hw - k) / s) + 1;
            CONV_SHAPES.push([batch, hw, hw, inC, same, same, outC, k, k]);
            if (valid > 0) CONV_SHAPES.push([batch, hw, hw + 3, inC, valid, valid + (s === 1 ? 3 : 1), outC, k, k]);
          }
CONV_SHAPES.push([1, 224, 224, 3, 112, 112, 64, 7, 7], [32, 28, 28, 1, 28, 28, 8, 5, 5], [32, 14, 14, 8, 14, 14, 16, 5, 5], [1, 300, 300, 16, 300, 300, 16, 3, 3]);

/** The GEMM micro-tile heights a binary uses (MR in assembly/gemm.ts): 6 with relaxed SIMD's FMA. */
const mrsOf = (variant: 'default' | 'relaxed') =>
  variant === 'relaxed' || TEST_VARIANT === 'relaxed' ? ref.GEMM_MRS.relaxed : ref.GEMM_MRS.baseline;

describeVariants('workspace sizes', (get, variant) => {
  const mrs = mrsOf(variant);

  it(`gemm_workspace_bytes equals the TypeScript formula for MR = ${mrs} over ${GEMM_SHAPES.length} shapes`, (ctx) => {
    const h = get(ctx);
    for (const [m, n, k] of GEMM_SHAPES) {
      const got = h.k.gemm_workspace_bytes(m, n, k);
      if (got !== ref.gemm_workspace_bytes(m, n, k, mrs)) expect(got, `gemm m=${m} n=${n} k=${k}`).toBe(ref.gemm_workspace_bytes(m, n, k, mrs));
      if (got > ref.gemm_workspace_bytes(m, n, k)) throw new Error(`gemm m=${m} n=${n} k=${k}: ${got} above the old size`);
      if (got > 4 * (256 * 512 + 120 * 256 + 6 * 8)) throw new Error(`gemm m=${m} n=${n} k=${k}: ${got} above the bound`);
    }
  });

  it('dense_workspace_bytes equals the TypeScript formula', (ctx) => {
    const h = get(ctx);
    for (const [b, i, o] of GEMM_SHAPES) {
      const got = h.k.dense_workspace_bytes(b, i, o);
      if (got !== ref.dense_workspace_bytes(b, i, o, mrs)) expect(got, `dense b=${b} in=${i} out=${o}`).toBe(ref.dense_workspace_bytes(b, i, o, mrs));
    }
  });

  it(`conv2d_workspace_bytes equals the TypeScript formula over ${CONV_SHAPES.length} shapes`, (ctx) => {
    const h = get(ctx);
    for (const s of CONV_SHAPES) {
      const args = s as [number, number, number, number, number, number, number, number, number];
      const got = h.k.conv2d_workspace_bytes(...args);
      const want = ref.conv2d_workspace_bytes(...args, mrs);
      if (got !== want) expect(got, `conv2d [${s}]`).toBe(want);
    }
  });

  // The kernels inside exactly the reported workspace, with guard floats after it. The shapes
  // include heights just past a multiple of each micro-tile height, where one binary's size is
  // below the other's (and below the old, shared size).
  const GEMMS = ['gemm_nn_f32', 'gemm_nt_f32', 'gemm_tn_f32'] as const;
  it('gemm_nn/nt/tn_f32 run inside exactly gemm_workspace_bytes', (ctx) => {
    const h = get(ctx);
    for (const [m, n, k] of [[5, 8, 3], [6, 9, 4], [7, 17, 5], [11, 3, 8], [12, 16, 7], [121, 9, 33], [130, 520, 260]])
      for (const name of GEMMS) {
        h.reset();
        const a = f32round(randomArray(m * k, m));
        const b = f32round(randomArray(k * n, n));
        const c = f32round(randomArray(m * n, k));
        const bytes = h.k.gemm_workspace_bytes(m, n, k);
        const pws = putGuarded(h, new Float64Array(bytes / 4));
        const pc = putGuarded(h, c);
        h.k[name](pc, putGuarded(h, a), putGuarded(h, b), pws, m, n, k);
        const want = Float64Array.from(c);
        gemmRef[name](want, a, b, m, n, k);
        const label = `${name} m=${m} n=${n} k=${k} ws=${bytes}`;
        expectClose(h.read(pc, m * n), want, { rtol: 2e-6, atol: 1e-6, scale: Math.sqrt(k) + 1, label });
        expectGuard(h, pws, bytes / 4, `${label}: workspace`);
        expectGuard(h, pc, m * n, `${label}: c`);
      }
  });

  it('dense_forward/backward_f32 run inside exactly dense_workspace_bytes', (ctx) => {
    const h = get(ctx);
    for (const [batch, inDim, outDim] of [[5, 6, 7], [6, 11, 5], [7, 300, 13], [121, 6, 600]]) {
      h.reset();
      const x = f32round(randomArray(batch * inDim, 1));
      const w = f32round(randomArray(inDim * outDim, 2));
      const bias = f32round(randomArray(outDim, 3));
      const dy = f32round(randomArray(batch * outDim, 4));
      const bytes = h.k.dense_workspace_bytes(batch, inDim, outDim);
      const pws = putGuarded(h, new Float64Array(bytes / 4));
      const [px, pw, pb, pdy] = [x, w, bias, dy].map((v) => putGuarded(h, v));
      const py = putGuarded(h, new Float64Array(batch * outDim));
      h.k.dense_forward_f32(py, px, pw, pb, pws, batch, inDim, outDim);
      const y = new Float64Array(batch * outDim);
      denseRef.dense_forward_f32(y, x, w, bias, batch, inDim, outDim);
      const label = `dense ${batch}x${inDim}→${outDim} ws=${bytes}`;
      expectClose(h.read(py, y.length), y, { rtol: 2e-6, atol: 1e-6, scale: Math.sqrt(inDim) + 1, label: `${label} forward` });
      const pdx = putGuarded(h, new Float64Array(batch * inDim));
      const pdw = putGuarded(h, new Float64Array(inDim * outDim));
      const pdb = putGuarded(h, new Float64Array(outDim));
      h.k.dense_backward_f32(pdx, pdw, pdb, pdy, px, pw, pws, batch, inDim, outDim);
      const [dx, dw, db] = [batch * inDim, inDim * outDim, outDim].map((n) => new Float64Array(n));
      denseRef.dense_backward_f32(dx, dw, db, dy, x, w, batch, inDim, outDim);
      expectClose(h.read(pdx, dx.length), dx, { rtol: 2e-6, atol: 1e-6, scale: Math.sqrt(outDim) + 1, label: `${label} dx` });
      expectClose(h.read(pdw, dw.length), dw, { rtol: 2e-6, atol: 1e-6, scale: Math.sqrt(batch) + 1, label: `${label} dw` });
      expectGuard(h, pws, bytes / 4, `${label}: workspace`);
    }
  });

  it('conv2d_forward/backward_f32 run inside exactly conv2d_workspace_bytes (GEMM, direct and transposed paths)', (ctx) => {
    const h = get(ctx);
    // [batch, inH, inW, inC, outC, k, stride]: 'same' padding.
    for (const [batch, hw, inC, outC, k, s] of [
      [2, 9, 5, 6, 3, 1], // GEMM path, 6 output channels
      [1, 7, 6, 5, 3, 2], // GEMM path, strided
      [3, 10, 1, 8, 5, 1], // inC = 1: direct forward / dW and direct dx
      [2, 11, 3, 16, 3, 2], // few input channels, strided
      [2, 14, 8, 16, 5, 1], // moderate channels: padded direct paths and the transposed dx
      [1, 6, 16, 11, 3, 1], // outC ≤ 16 but not a multiple of 8: GEMM path
    ]) {
      h.reset();
      const out = Math.ceil(hw / s);
      const pad = Math.floor(Math.max((out - 1) * s + k - hw, 0) / 2);
      const hyper = [batch, hw, hw, inC, out, out, outC, k, k, s, s, 1, 1, pad, pad] as const;
      const x = f32round(randomArray(batch * hw * hw * inC, 5));
      const w = f32round(randomArray(k * k * inC * outC, 6));
      const dy = f32round(randomArray(batch * out * out * outC, 7));
      const bytes = h.k.conv2d_workspace_bytes(batch, hw, hw, inC, out, out, outC, k, k);
      const pws = putGuarded(h, new Float64Array(bytes / 4));
      const [px, pw, pdy] = [x, w, dy].map((v) => putGuarded(h, v));
      const py = putGuarded(h, new Float64Array(dy.length));
      h.k.conv2d_forward_f32(py, px, pw, 0, pws, ...hyper, 0);
      const y = new Float64Array(dy.length);
      convRef.conv2d_forward_f32(y, x, w, null, ...hyper);
      const label = `conv2d b${batch} ${hw}x${hw}x${inC}→${outC} k${k} s${s} ws=${bytes}`;
      const scale = Math.sqrt(k * k * inC) + 1;
      expectClose(h.read(py, y.length), y, { rtol: 1e-5, atol: 1e-6, scale, label: `${label} forward` });
      expectGuard(h, pws, bytes / 4, `${label}: workspace after forward`);
      const pdx = putGuarded(h, new Float64Array(x.length));
      const pdw = putGuarded(h, new Float64Array(w.length));
      h.k.conv2d_backward_f32(pdx, pdw, 0, pdy, px, pw, pws, ...hyper);
      const dx = new Float64Array(x.length);
      const dw = new Float64Array(w.length);
      convRef.conv2d_backward_f32(dx, dw, null, dy, x, w, ...hyper);
      expectClose(h.read(pdx, dx.length), dx, { rtol: 1e-5, atol: 1e-6, scale: Math.sqrt(k * k * outC) + 1, label: `${label} dx` });
      expectClose(h.read(pdw, dw.length), dw, { rtol: 1e-5, atol: 1e-6, scale: Math.sqrt(batch * out * out) + 1, label: `${label} dw` });
      expectGuard(h, pws, bytes / 4, `${label}: workspace after backward`);
    }
  });
});

describe('workspace sizes across binaries', () => {
  it('the larger of the two binaries\' sizes is the old shared TypeScript size', async (ctx) => {
    const base = (await loadVariant('default')) as Harness;
    const relaxed = await loadVariant('relaxed');
    if (!relaxed) return ctx.skip();
    for (const [m, n, k] of GEMM_SHAPES) {
      const both = Math.max(base.k.gemm_workspace_bytes(m, n, k), relaxed.k.gemm_workspace_bytes(m, n, k));
      if (both !== ref.gemm_workspace_bytes(m, n, k)) expect(both, `gemm m=${m} n=${n} k=${k}`).toBe(ref.gemm_workspace_bytes(m, n, k));
    }
    for (const s of CONV_SHAPES) {
      const args = s as [number, number, number, number, number, number, number, number, number];
      const both = Math.max(base.k.conv2d_workspace_bytes(...args), relaxed.k.conv2d_workspace_bytes(...args));
      if (both !== ref.conv2d_workspace_bytes(...args)) expect(both, `conv2d [${s}]`).toBe(ref.conv2d_workspace_bytes(...args));
    }
  });

  it('src/wasm/workspace.ts returns the sizes of the binary init() loaded', async () => {
    for (const opts of [{ deterministic: true }, {}] as const) {
      const info = await init(opts);
      const mrs = info.binary === 'relaxed' ? ref.GEMM_MRS.relaxed : ref.GEMM_MRS.baseline;
      for (const [m, n, k] of [[1, 1, 1], [6, 9, 4], [5, 600, 300], [121, 33, 257]]) {
        expect(gemmWorkspaceBytes(m, n, k), `${info.binary} gemm ${m},${n},${k}`).toBe(ref.gemm_workspace_bytes(m, n, k, mrs));
        expect(denseWorkspaceBytes(m, n, k), `${info.binary} dense ${m},${n},${k}`).toBe(ref.dense_workspace_bytes(m, n, k, mrs));
      }
      for (const s of CONV_SHAPES.slice(0, 400)) {
        const args = s as [number, number, number, number, number, number, number, number, number];
        expect(conv2dWorkspaceBytes(...args), `${info.binary} conv2d [${s}]`).toBe(ref.conv2d_workspace_bytes(...args, mrs));
      }
    }
  });
});
