/**
 * The register-only SIMD peak probe: 12 independent multiply-add chains on v128 values, no
 * memory traffic. The module is encoded here byte by byte (a few hundred bytes), so the shipped
 * package needs no second binary: the baseline form is f32x4.mul then f32x4.add per step (what
 * the GEMM does without FMA), the relaxed form one f32x4.relaxed_madd. A step is 8 flops per
 * chain either way. 12 chains cover the latency × throughput of both forms on x64 while staying
 * within the 16 xmm registers.
 */

import { enableRelaxedSimd } from './engine.ts';

export const PEAK_CHAINS = 12;
/** Flops of one call of the probe with `iters` iterations. */
export const peakFlops = (iters: number): number => PEAK_CHAINS * 8 * iters;

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const f32const = (v: number): number[] => [0x43, ...new Uint8Array(new Float32Array([v]).buffer)];

const SIMD = 0xfd;
const op = (code: number): number[] => [SIMD, ...uleb(code)];
const SPLAT = op(0x13);
const ADD = op(0xe4);
const MUL = op(0xe6);
const RELAXED_MADD = op(0x105);
const lane = (i: number): number[] => [...op(0x1f), i];
const get = (i: number): number[] => [0x20, i];
const set = (i: number): number[] => [0x21, i];

/** `peak(iters: i32, m: f32, c: f32): f32`, with fused multiply-add when `relaxed`. */
export function peakModuleBytes(relaxed: boolean): Uint8Array<ArrayBuffer> {
  // Locals: 0 iters, 1 mv, 2 cv (params); 3 m, 4 c, 5..16 the chains (v128); 17 i (i32).
  const M = 3, C = 4, A = 5, I = 17;
  const code: number[] = [];
  code.push(...get(1), ...SPLAT, ...set(M), ...get(2), ...SPLAT, ...set(C));
  for (let j = 0; j < PEAK_CHAINS; j++) code.push(...f32const(j + 1), ...SPLAT, ...set(A + j));
  code.push(0x02, 0x40, 0x03, 0x40); // block, loop
  code.push(...get(I), ...get(0), 0x4e, 0x0d, 1); // i >= iters → break out of the block
  for (let j = 0; j < PEAK_CHAINS; j++) {
    if (relaxed) code.push(...get(A + j), ...get(M), ...get(C), ...RELAXED_MADD, ...set(A + j));
    else code.push(...get(A + j), ...get(M), ...MUL, ...get(C), ...ADD, ...set(A + j));
  }
  code.push(...get(I), 0x41, 1, 0x6a, ...set(I), 0x0c, 0, 0x0b, 0x0b); // i++, continue; end, end
  // Sum every chain into one value, so none is dead.
  code.push(...get(A));
  for (let j = 1; j < PEAK_CHAINS; j++) code.push(...get(A + j), ...ADD);
  code.push(...set(M), ...get(M), ...lane(0));
  for (let l = 1; l < 4; l++) code.push(...get(M), ...lane(l), 0x92);
  code.push(0x0b);
  const body = [2, ...uleb(2 + PEAK_CHAINS), 0x7b, 1, 0x7f, ...code];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 3, 0x7f, 0x7d, 0x7d, 1, 0x7d]),
    ...section(3, [1, 0]),
    ...section(7, [1, 4, ...[...'peak'].map((ch) => ch.charCodeAt(0)), 0, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ]);
}

export interface PeakProbe {
  /** One call: `iters` iterations of every chain. */
  run: () => number;
  flops: number;
}

/** Instantiates the probe; `iters` per call (default 100,000: ~10 million flops). */
export async function peakProbe(relaxed: boolean, iters = 100_000): Promise<PeakProbe> {
  if (relaxed && !(await enableRelaxedSimd())) throw new Error('bench: this engine does not run relaxed SIMD');
  const { instance } = await WebAssembly.instantiate(peakModuleBytes(relaxed));
  const peak = instance.exports.peak as (iters: number, m: number, c: number) => number;
  // m < 1 and c > 0 keep every chain near 1: no overflow, no subnormals.
  return { run: () => peak(iters, 0.999, 0.001), flops: peakFlops(iters) };
}
