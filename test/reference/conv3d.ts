/**
 * Float64 references for assembly/conv3d.ts: same names and argument order as the kernels, with
 * arrays (or null for a 0 pointer) instead of pointers and no workspace. Outputs are mutated in
 * place exactly as the kernels do (forward overwrites, backward accumulates). Windows are
 * clipped to the input: padding contributes 0 to a conv, never wins a max and does not count
 * towards an average.
 */
import { GEMM_MRS, conv2d_workspace_bytes } from './workspace.ts';

type F = Float64Array | Float32Array;
type I = Int32Array | number[];

/**
 * y[n,od,oh,ow,oc] = b[oc] + Σ_{i,j,l,ic} x[n, od·sD − pf + i, oh·sH − pt + j, ow·sW − pl + l, ic]
 * · w[i,j,l,ic,oc] (x outside the input = 0).
 */
export function conv3d_forward_f32(
  y: F, x: F, w: F, b: F | null,
  batch: number, inD: number, inH: number, inW: number, inC: number, outD: number, outH: number, outW: number, outC: number,
  kD: number, kH: number, kW: number, sD: number, sH: number, sW: number, pf: number, pt: number, pl: number,
): void {
  for (let n = 0; n < batch; n++)
    for (let od = 0; od < outD; od++)
      for (let oh = 0; oh < outH; oh++)
        for (let ow = 0; ow < outW; ow++)
          for (let oc = 0; oc < outC; oc++) {
            let s = b ? b[oc] : 0;
            for (let i = 0; i < kD; i++) {
              const id = od * sD - pf + i;
              if (id < 0 || id >= inD) continue;
              for (let j = 0; j < kH; j++) {
                const ih = oh * sH - pt + j;
                if (ih < 0 || ih >= inH) continue;
                for (let l = 0; l < kW; l++) {
                  const iw = ow * sW - pl + l;
                  if (iw < 0 || iw >= inW) continue;
                  for (let ic = 0; ic < inC; ic++)
                    s += x[(((n * inD + id) * inH + ih) * inW + iw) * inC + ic] * w[(((i * kH + j) * kW + l) * inC + ic) * outC + oc];
                }
              }
            }
            y[(((n * outD + od) * outH + oh) * outW + ow) * outC + oc] = s;
          }
}

/** dx += ∂(Σ dy·y)/∂x, dw += ∂/∂w, db += Σ dy; a null output is skipped. */
export function conv3d_backward_f32(
  dx: F | null, dw: F | null, db: F | null, dy: F, x: F, w: F,
  batch: number, inD: number, inH: number, inW: number, inC: number, outD: number, outH: number, outW: number, outC: number,
  kD: number, kH: number, kW: number, sD: number, sH: number, sW: number, pf: number, pt: number, pl: number,
): void {
  for (let n = 0; n < batch; n++)
    for (let od = 0; od < outD; od++)
      for (let oh = 0; oh < outH; oh++)
        for (let ow = 0; ow < outW; ow++)
          for (let oc = 0; oc < outC; oc++) {
            const g = dy[(((n * outD + od) * outH + oh) * outW + ow) * outC + oc];
            if (db) db[oc] += g;
            for (let i = 0; i < kD; i++) {
              const id = od * sD - pf + i;
              if (id < 0 || id >= inD) continue;
              for (let j = 0; j < kH; j++) {
                const ih = oh * sH - pt + j;
                if (ih < 0 || ih >= inH) continue;
                for (let l = 0; l < kW; l++) {
                  const iw = ow * sW - pl + l;
                  if (iw < 0 || iw >= inW) continue;
                  for (let ic = 0; ic < inC; ic++) {
                    const xi = (((n * inD + id) * inH + ih) * inW + iw) * inC + ic;
                    const wi = (((i * kH + j) * kW + l) * inC + ic) * outC + oc;
                    if (dx) dx[xi] += g * w[wi];
                    if (dw) dw[wi] += g * x[xi];
                  }
                }
              }
            }
          }
}

/**
 * Bytes conv3d_forward/backward_f32 need at ws: x2, the depth im2col of a chunk of P output
 * planes (P·inH·inW·kD·inC floats, P = ⌊65536 / (inH·inW·kD·inC)⌋ clamped to 1..batch·outD), and
 * the permuted weights w2 and their gradient dW2 (kH·kW·kD·inC·outC floats each), each rounded
 * up to 16 bytes, then conv2d's workspace for a chunk of P planes with kD·inC channels and for
 * the last chunk; with kD = 1 at least conv2d's workspace over all batch·outD planes. `mrs` as
 * in workspace.ts.
 */
export function conv3d_workspace_bytes(
  batch: number, inD: number, inH: number, inW: number, inC: number, outD: number, outH: number, outW: number, outC: number,
  kD: number, kH: number, kW: number, mrs: readonly number[] = GEMM_MRS.both,
): number {
  const planes = batch * outD;
  if (planes * outH * outW <= 0 || kD * kH * kW * inC <= 0 || outC <= 0) return 0;
  const C2 = kD * inC;
  const plane2 = inH * inW * C2;
  const P = Math.min(Math.max(Math.floor(65536 / plane2), 1), planes);
  const last = planes - Math.floor((planes - 1) / P) * P;
  const vec = (n: number) => Math.ceil((n * 4) / 16) * 16;
  const conv2d = (p: number, c: number) => conv2d_workspace_bytes(p, inH, inW, c, outH, outW, outC, kH, kW, mrs);
  let bytes = vec(P * plane2) + 2 * vec(kH * kW * C2 * outC) + Math.max(conv2d(P, C2), conv2d(last, C2));
  if (kD === 1) bytes = Math.max(bytes, conv2d(planes, inC));
  return bytes;
}

/** The clipped window [lo, hi) of output position o along one axis. */
function win(o: number, stride: number, pad: number, size: number, extent: number): [number, number] {
  return [Math.max(o * stride - pad, 0), Math.min(o * stride - pad + size, extent)];
}

type PoolArgs = [
  batch: number, inD: number, inH: number, inW: number, c: number, outD: number, outH: number, outW: number,
  pD: number, pH: number, pW: number, sD: number, sH: number, sW: number, pf: number, pt: number, pl: number,
];

/**
 * Calls `fn` once per output position (all channels), in output order: `o` the flat output
 * index of its channel 0, `base` the sample's offset in x, `cells` the clipped window's flat
 * input indices ((d·inH + h)·inW + w)·c within the sample, channel 0, in scan order.
 */
function forEachWindow(args: PoolArgs, fn: (o: number, base: number, cells: number[]) => void): void {
  const [batch, inD, inH, inW, c, outD, outH, outW, pD, pH, pW, sD, sH, sW, pf, pt, pl] = args;
  const inSample = inD * inH * inW * c;
  let o = 0;
  for (let n = 0; n < batch; n++)
    for (let od = 0; od < outD; od++) {
      const [d0, d1] = win(od, sD, pf, pD, inD);
      for (let oh = 0; oh < outH; oh++) {
        const [h0, h1] = win(oh, sH, pt, pH, inH);
        for (let ow = 0; ow < outW; ow++, o += c) {
          const [w0, w1] = win(ow, sW, pl, pW, inW);
          const cells: number[] = [];
          for (let d = d0; d < d1; d++) for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) cells.push(((d * inH + h) * inW + w) * c);
          fn(o, n * inSample, cells);
        }
      }
    }
}

/**
 * y = max over each clipped window; idx (or null) = flat index ((d·inH + h)·inW + w)·c + ch of
 * the first max in scan order within the sample; an empty window gives 0 and −1.
 */
export function maxpool3d_forward_f32(y: F, idx: I | null, x: F, ...args: PoolArgs): void {
  const c = args[4];
  forEachWindow(args, (o, base, cells) => {
    for (let ch = 0; ch < c; ch++) {
      let best = -1;
      let m = 0;
      for (const cell of cells) {
        const f = cell + ch;
        const v = x[base + f];
        if (best < 0 || v > m) {
          m = v;
          best = f;
        }
      }
      y[o + ch] = best < 0 ? 0 : m;
      if (idx) idx[o + ch] = best;
    }
  });
}

/** y = mean over the valid cells of each clipped window (0 for an empty one). */
export function avgpool3d_forward_f32(y: F, x: F, ...args: PoolArgs): void {
  const c = args[4];
  forEachWindow(args, (o, base, cells) => {
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      for (const cell of cells) s += x[base + cell + ch];
      y[o + ch] = cells.length > 0 ? s / cells.length : 0;
    }
  });
}

/** dx += dy / (valid cells) on each valid cell of each window. */
export function avgpool3d_backward_f32(dx: F, dy: F, ...args: PoolArgs): void {
  const c = args[4];
  forEachWindow(args, (o, base, cells) => {
    if (cells.length === 0) return;
    for (let ch = 0; ch < c; ch++) {
      const g = dy[o + ch] / cells.length;
      for (const cell of cells) dx[base + cell + ch] += g;
    }
  });
}
