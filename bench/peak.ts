// Register-only SIMD peak: 12 independent multiply-add chains, no memory traffic. The bench
// compiles this file itself (into build/peak*.wasm); it is not part of the library ABI.
// Baseline build: f32x4.mul then f32x4.add per chain step (what the GEMM does without FMA);
// relaxed build: one f32x4.relaxed_madd. Either way a step is 8 flops per chain.
// 12 chains cover the latency × throughput of both forms on x64 (mul+add: ~8 cycles deep with
// 2 ports; FMA: 4 cycles with 2 ports) while staying within the 16 xmm registers.

@inline function step(acc: v128, m: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(acc, m, c);
  return f32x4.add(f32x4.mul(acc, m), c);
}

/** Runs `iters` steps of 12 chains (96·iters flops); returns a sum so nothing is dead code. */
export function peak(iters: i32, mv: f32, cv: f32): f32 {
  const m = f32x4.splat(mv);
  const c = f32x4.splat(cv);
  let a0 = f32x4.splat(1), a1 = f32x4.splat(2), a2 = f32x4.splat(3), a3 = f32x4.splat(4);
  let a4 = f32x4.splat(5), a5 = f32x4.splat(6), a6 = f32x4.splat(7), a7 = f32x4.splat(8);
  let a8 = f32x4.splat(9), a9 = f32x4.splat(10), a10 = f32x4.splat(11), a11 = f32x4.splat(12);
  for (let i = 0; i < iters; i++) {
    a0 = step(a0, m, c); a1 = step(a1, m, c); a2 = step(a2, m, c); a3 = step(a3, m, c);
    a4 = step(a4, m, c); a5 = step(a5, m, c); a6 = step(a6, m, c); a7 = step(a7, m, c);
    a8 = step(a8, m, c); a9 = step(a9, m, c); a10 = step(a10, m, c); a11 = step(a11, m, c);
  }
  const s = f32x4.add(
    f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7))),
    f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11)),
  );
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
