// Packed, register-blocked SIMD GEMM (Goto/BLIS loop order). Every layout packs its operands
// into the same panel layout in the workspace, so one micro-kernel serves nn, nt and tn at the
// same speed:
//   B panel (kc x nc): strips of NR=8 columns; strip s holds, for p = 0..kc-1, the 8 floats
//                      B[p, 8s..8s+7] (columns past n are zero).
//   A block (mc x kc): strips of MR rows; strip s holds, for p = 0..kc-1, the MR floats
//                      A[MR·s.., p] (rows past m are zero).
// Zero padding lets the micro-kernel always run a full MR x NR tile; only the final add into C
// is clipped for edge tiles (through a small tile buffer in the workspace), so nothing outside
// A, B or C is ever read or written.
import { madd, transpose4Store } from './simd';

// Blocking. gemm_workspace_bytes (at the end of this file) sizes the workspace from these.
// Micro-tile MR x 8, MR = 5 without FMA, 6 with it (measured on Node 20, AMD EPYC Zen 5; see
// bench/RESULTS.md). Without FMA each step needs a temporary for the product, so 6x8 (12
// accumulators + 2 B vectors + the broadcast + that temporary) no longer fits V8's 15 usable
// xmm registers and spills: 6x8 ran at ~55% of 5x8, 4x8 at ~85%. With relaxed_madd there is no
// temporary, and 6x8 beats 5x8 by ~8% (fewer loads per multiply-add).
// MC = 120 is a multiple of both MRs. KC x NR floats of B (8 KiB) stay in L1 while the
// MC x KC floats of packed A (120 KiB) stream from L2. K, M and N are split into near-equal
// blocks (k = 784 → 4 x 196, not 3 x 256 + 16) so no block is a short, inefficient tail.
const MR = ASC_FEATURE_RELAXED_SIMD ? 6 : 5;
const NR = 8;
const KC = 256;
const MC = 120;
const NC = 512;

/** ceil(x / y) */
@inline function cdiv(x: i32, y: i32): i32 {
  return (x + y - 1) / y;
}
@inline function roundUp(x: i32, y: i32): i32 {
  return cdiv(x, y) * y;
}
@inline function min32(x: i32, y: i32): i32 {
  return x < y ? x : y;
}

/** Balanced block length: splits `total` into ceil(total/max) near-equal blocks, a multiple of `unit`. */
@inline function blockLen(total: i32, max: i32, unit: i32): i32 {
  return roundUp(cdiv(total, cdiv(total, max)), unit);
}

// ---- packing B (kc x nc block at row p0, column j0 of op(B)) --------------------------------

/** op(B) = B, B is [k, ldb] row-major: each strip row is a contiguous 8-float copy. */
function packB_n(dst: usize, b: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32): void {
  for (let j = 0; j < nc; j += NR) {
    const cols = min32(NR, nc - j);
    let src = b + ((<usize>p0 * <usize>ldb + <usize>(j0 + j)) << 2);
    const step = <usize>ldb << 2;
    if (cols == NR) {
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        src += step;
        dst += NR * 4;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let q = 0; q < NR; q++) {
          store<f32>(dst + (<usize>q << 2), q < cols ? load<f32>(src + (<usize>q << 2)) : 0);
        }
        src += step;
        dst += NR * 4;
      }
    }
  }
}

/** op(B) = Bᵀ, B is [n, ldb] row-major: 8 rows of B become one strip, 4x4 transposes at a time. */
function packB_t(dst: usize, b: usize, ldb: i32, p0: i32, j0: i32, kc: i32, nc: i32): void {
  const ld = <usize>ldb << 2;
  const kc4 = kc & ~3;
  for (let j = 0; j < nc; j += NR) {
    const cols = min32(NR, nc - j);
    const src = b + ((<usize>(j0 + j) * <usize>ldb + <usize>p0) << 2);
    if (cols == NR) {
      let p = 0;
      for (; p < kc4; p += 4) {
        const s = src + (<usize>p << 2);
        const d = dst + (<usize>p << 5);
        transpose4Store(d, NR * 4, v128.load(s), v128.load(s + ld), v128.load(s + ld * 2), v128.load(s + ld * 3));
        const s4 = s + ld * 4;
        transpose4Store(d + 16, NR * 4, v128.load(s4), v128.load(s4 + ld), v128.load(s4 + ld * 2), v128.load(s4 + ld * 3));
      }
      for (; p < kc; p++) {
        for (let q = 0; q < NR; q++) {
          store<f32>(dst + (<usize>(p * NR + q) << 2), load<f32>(src + <usize>q * ld + (<usize>p << 2)));
        }
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let q = 0; q < NR; q++) {
          store<f32>(dst + (<usize>(p * NR + q) << 2), q < cols ? load<f32>(src + <usize>q * ld + (<usize>p << 2)) : 0);
        }
      }
    }
    dst += <usize>kc * NR * 4;
  }
}

// ---- packing A (mc x kc block at row i0, column p0 of op(A)) --------------------------------

/** op(A) = A, A is [m, lda] row-major: MR rows become one strip, 4x4 transposes at a time. */
function packA_n(dst: usize, a: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32): void {
  const ld = <usize>lda << 2;
  const kc4 = kc & ~3;
  for (let i = 0; i < mc; i += MR) {
    const rows = min32(MR, mc - i);
    const src = a + ((<usize>(i0 + i) * <usize>lda + <usize>p0) << 2);
    if (rows == MR) {
      let p = 0;
      for (; p < kc4; p += 4) {
        const s = src + (<usize>p << 2);
        transpose4Store(dst + <usize>p * MR * 4, MR * 4, v128.load(s), v128.load(s + ld), v128.load(s + ld * 2), v128.load(s + ld * 3));
        for (let r = 4; r < MR; r++) {
          for (let q = 0; q < 4; q++) {
            store<f32>(dst + (<usize>((p + q) * MR + r) << 2), load<f32>(s + <usize>r * ld + (<usize>q << 2)));
          }
        }
      }
      for (; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          store<f32>(dst + (<usize>(p * MR + r) << 2), load<f32>(src + <usize>r * ld + (<usize>p << 2)));
        }
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          store<f32>(dst + (<usize>(p * MR + r) << 2), r < rows ? load<f32>(src + <usize>r * ld + (<usize>p << 2)) : 0);
        }
      }
    }
    dst += <usize>kc * MR * 4;
  }
}

/**
 * op(A) = Aᵀ, A is [k, lda] row-major: each strip row is a contiguous MR-float copy. Rows are
 * the outer loop so each source row is read once, front to back, and scattered into the
 * strips: walking one strip down all kc rows instead strides by lda, which for a power-of-two
 * lda maps every row to the same cache set and re-reads the rows once per strip.
 */
function packA_t(dst: usize, a: usize, lda: i32, i0: i32, p0: i32, mc: i32, kc: i32): void {
  const ld = <usize>lda << 2;
  const stripBytes = <usize>kc * MR * 4;
  const full = mc - mc % MR;
  const rest = mc - full;
  let src = a + ((<usize>p0 * <usize>lda + <usize>i0) << 2);
  for (let p = 0; p < kc; p++) {
    let s = src;
    let d = dst + <usize>p * MR * 4;
    for (let i = 0; i < full; i += MR) {
      v128.store(d, v128.load(s));
      for (let r = 4; r < MR; r++) store<f32>(d + (<usize>r << 2), load<f32>(s + (<usize>r << 2)));
      s += MR * 4;
      d += stripBytes;
    }
    if (rest) {
      for (let r = 0; r < MR; r++) store<f32>(d + (<usize>r << 2), r < rest ? load<f32>(s + (<usize>r << 2)) : 0);
    }
    src += ld;
  }
}

// ---- micro-kernel ---------------------------------------------------------------------------

/**
 * C[5 x 8 tile] += Apanel·Bpanel over kc (baseline binary). `ldc` in bytes. Edge tiles
 * (rows < MR or cols < NR) go through `tile` so only the valid part of C is touched.
 */
function micro5x8(c: usize, ldc: usize, ap: usize, bp: usize, kc: i32, rows: i32, cols: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let a: v128, b0: v128, b1: v128;
  for (let p = 0; p < kc; p++) {
    b0 = v128.load(bp, 0);
    b1 = v128.load(bp, 16);
    a = v128.load32_splat(ap, 0);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    a = v128.load32_splat(ap, 16);
    c40 = madd(a, b0, c40);
    c41 = madd(a, b1, c41);
    ap += 20;
    bp += 32;
  }
  if (rows == MR && cols == NR) {
    let r = c;
    v128.store(r, f32x4.add(v128.load(r), c00));
    v128.store(r, f32x4.add(v128.load(r, 16), c01), 16);
    r += ldc;
    v128.store(r, f32x4.add(v128.load(r), c10));
    v128.store(r, f32x4.add(v128.load(r, 16), c11), 16);
    r += ldc;
    v128.store(r, f32x4.add(v128.load(r), c20));
    v128.store(r, f32x4.add(v128.load(r, 16), c21), 16);
    r += ldc;
    v128.store(r, f32x4.add(v128.load(r), c30));
    v128.store(r, f32x4.add(v128.load(r, 16), c31), 16);
    r += ldc;
    v128.store(r, f32x4.add(v128.load(r), c40));
    v128.store(r, f32x4.add(v128.load(r, 16), c41), 16);
  } else {
    v128.store(tile, c00, 0);
    v128.store(tile, c01, 16);
    v128.store(tile, c10, 32);
    v128.store(tile, c11, 48);
    v128.store(tile, c20, 64);
    v128.store(tile, c21, 80);
    v128.store(tile, c30, 96);
    v128.store(tile, c31, 112);
    v128.store(tile, c40, 128);
    v128.store(tile, c41, 144);
    addTile(c, ldc, tile, rows, cols);
  }
}

/** micro5x8 with a sixth row, for the relaxed (FMA) binary, where 12 accumulators fit. */
function micro6x8(c: usize, ldc: usize, ap: usize, bp: usize, kc: i32, rows: i32, cols: i32, tile: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0), c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0), c51 = f32x4.splat(0);
  let a: v128, b0: v128, b1: v128;
  for (let p = 0; p < kc; p++) {
    b0 = v128.load(bp, 0);
    b1 = v128.load(bp, 16);
    a = v128.load32_splat(ap, 0);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    a = v128.load32_splat(ap, 16);
    c40 = madd(a, b0, c40);
    c41 = madd(a, b1, c41);
    a = v128.load32_splat(ap, 20);
    c50 = madd(a, b0, c50);
    c51 = madd(a, b1, c51);
    ap += 24;
    bp += 32;
  }
  if (rows == MR && cols == NR) {
    let r = c;
    v128.store(r, f32x4.add(v128.load(r), c00));
    v128.store(r, f32x4.add(v128.load(r, 16), c01), 16);
    r += ldc;
    v128.store(r, f32x4.add(v128.load(r), c10));
    v128.store(r, f32x4.add(v128.load(r, 16), c11), 16);
    r += ldc;
    v128.store(r, f32x4.add(v128.load(r), c20));
    v128.store(r, f32x4.add(v128.load(r, 16), c21), 16);
    r += ldc;
    v128.store(r, f32x4.add(v128.load(r), c30));
    v128.store(r, f32x4.add(v128.load(r, 16), c31), 16);
    r += ldc;
    v128.store(r, f32x4.add(v128.load(r), c40));
    v128.store(r, f32x4.add(v128.load(r, 16), c41), 16);
    r += ldc;
    v128.store(r, f32x4.add(v128.load(r), c50));
    v128.store(r, f32x4.add(v128.load(r, 16), c51), 16);
  } else {
    v128.store(tile, c00, 0);
    v128.store(tile, c01, 16);
    v128.store(tile, c10, 32);
    v128.store(tile, c11, 48);
    v128.store(tile, c20, 64);
    v128.store(tile, c21, 80);
    v128.store(tile, c30, 96);
    v128.store(tile, c31, 112);
    v128.store(tile, c40, 128);
    v128.store(tile, c41, 144);
    v128.store(tile, c50, 160);
    v128.store(tile, c51, 176);
    addTile(c, ldc, tile, rows, cols);
  }
}

/** C[rows x cols] += tile[MR x NR] (the valid corner of a clipped edge tile). */
function addTile(c: usize, ldc: usize, tile: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const cr = c + <usize>r * ldc;
    const tr = tile + (<usize>(r * NR) << 2);
    for (let q = 0; q < cols; q++) {
      const o = <usize>q << 2;
      store<f32>(cr + o, load<f32>(cr + o) + load<f32>(tr + o));
    }
  }
}

// ---- driver ---------------------------------------------------------------------------------

/**
 * C[m,n] += op(A)·op(B). aT: A is stored [k, m]; bT: B is stored [n, k]. lda, ldb, ldc: the
 * row lengths (floats) of A, B and C as stored, so the thread pool can hand each thread a panel
 * of a larger product (assembly/threads.ts); each element's summation order depends on k alone.
 * Workspace: [B panel: kcMax x ncMax][A block: mcMax x kcMax][tile: MR x NR] floats.
 */
export function gemmStrided(c: usize, a: usize, b: usize, ws: usize, m: i32, n: i32, k: i32, lda: i32, ldb: i32, ldcFloats: i32, aT: bool, bT: bool): void {
  gemmDriver(c, a, b, 0, ws, m, n, k, lda, ldb, ldcFloats, aT, bT);
}

/** Floats packB writes for op(B) [k, n]: every column strip of 8, zero-padded, for all k. */
export function packedBFloats(n: i32, k: i32): i32 {
  return roundUp(n, NR) * k;
}

/**
 * op(B) [k, n] packed whole, as gemmStrided packs it block by block (its (jc, pc) blocks one after
 * another, in its order), into dst [packedBFloats(n, k)]: a B operand used by many products (a
 * recurrent kernel's U, once per step) is packed once. b, ldb, bT: as gemmStrided's.
 */
export function packB(dst: usize, b: usize, ldb: i32, n: i32, k: i32, bT: bool): void {
  if (n <= 0 || k <= 0) return;
  const kcb = blockLen(k, KC, 1);
  const ncb = blockLen(n, NC, NR);
  for (let jc = 0; jc < n; jc += ncb) {
    const nc = min32(ncb, n - jc);
    for (let pc = 0; pc < k; pc += kcb) {
      const kc = min32(kcb, k - pc);
      if (bT) packB_t(dst, b, ldb, pc, jc, kc, nc);
      else packB_n(dst, b, ldb, pc, jc, kc, nc);
      dst += <usize>(kc * roundUp(nc, NR)) << 2;
    }
  }
}

/** gemmStrided with op(B) already packed by packB (same blocks, so the same bits); ws as gemmStrided's. */
export function gemmPackedB(c: usize, a: usize, bPacked: usize, ws: usize, m: i32, n: i32, k: i32, lda: i32, ldcFloats: i32, aT: bool): void {
  gemmDriver(c, a, 0, bPacked, ws, m, n, k, lda, 0, ldcFloats, aT, false);
}

/** The one loop nest: B packed per block into ws, or read from `bPacked` (packB's layout) when ≠ 0. */
function gemmDriver(c: usize, a: usize, b: usize, bPacked: usize, ws: usize, m: i32, n: i32, k: i32, lda: i32, ldb: i32, ldcFloats: i32, aT: bool, bT: bool): void {
  if (m <= 0 || n <= 0 || k <= 0) return;
  const kcb = blockLen(k, KC, 1);
  const ncb = blockLen(n, NC, NR);
  const mcb = blockLen(m, MC, MR);
  const kcMax = min32(k, KC);
  const ncMax = roundUp(min32(n, NC), NR);
  const mcMax = roundUp(min32(m, MC), MR);
  const bPack = ws;
  const aPack = ws + (<usize>(kcMax * ncMax) << 2);
  const tile = aPack + (<usize>(mcMax * kcMax) << 2);
  const ldc = <usize>ldcFloats << 2;
  for (let jc = 0; jc < n; jc += ncb) {
    const nc = min32(ncb, n - jc);
    for (let pc = 0; pc < k; pc += kcb) {
      const kc = min32(kcb, k - pc);
      let panel = bPack;
      if (bPacked != 0) {
        panel = bPacked;
        bPacked += <usize>(kc * roundUp(nc, NR)) << 2;
      } else if (bT) packB_t(bPack, b, ldb, pc, jc, kc, nc);
      else packB_n(bPack, b, ldb, pc, jc, kc, nc);
      for (let ic = 0; ic < m; ic += mcb) {
        const mc = min32(mcb, m - ic);
        if (aT) packA_t(aPack, a, lda, ic, pc, mc, kc);
        else packA_n(aPack, a, lda, ic, pc, mc, kc);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = min32(NR, nc - jr);
          const bp = panel + <usize>jr * <usize>kc * 4;
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min32(MR, mc - ir);
            const cp = c + ((<usize>(ic + ir) * <usize>ldcFloats + <usize>(jc + jr)) << 2);
            const ap = aPack + <usize>ir * <usize>kc * 4;
            if (ASC_FEATURE_RELAXED_SIMD) micro6x8(cp, ldc, ap, bp, kc, rows, cols, tile);
            else micro5x8(cp, ldc, ap, bp, kc, rows, cols, tile);
          }
        }
      }
    }
  }
}

/**
 * C[m,n] += A[m,k]·B[k,n]; all row-major f32, C accumulates. `ws`: gemm_workspace_bytes(m, n,
 * k) bytes. Reference: test/reference/gemm.ts gemm_nn_f32.
 */
export function gemm_nn_f32(c: usize, a: usize, b: usize, ws: usize, m: i32, n: i32, k: i32): void {
  gemmStrided(c, a, b, ws, m, n, k, k, n, n, false, false);
}

/**
 * C[m,n] += A[m,k]·B[n,k]ᵀ; all row-major f32, C accumulates. `ws`: gemm_workspace_bytes(m, n,
 * k) bytes. Reference: test/reference/gemm.ts gemm_nt_f32.
 */
export function gemm_nt_f32(c: usize, a: usize, b: usize, ws: usize, m: i32, n: i32, k: i32): void {
  gemmStrided(c, a, b, ws, m, n, k, k, k, n, false, true);
}

/**
 * C[m,n] += A[k,m]ᵀ·B[k,n]; all row-major f32, C accumulates. `ws`: gemm_workspace_bytes(m, n,
 * k) bytes. Reference: test/reference/gemm.ts gemm_tn_f32.
 */
export function gemm_tn_f32(c: usize, a: usize, b: usize, ws: usize, m: i32, n: i32, k: i32): void {
  gemmStrided(c, a, b, ws, m, n, k, m, n, n, true, false);
}

/**
 * Bytes gemm_nn_f32 / gemm_nt_f32 / gemm_tn_f32 need at `ws` for C[m,n] += op(A)[m,k]·op(B)[k,n]:
 * the layout of gemm() above with this binary's MR — one packed B panel (kcMax x ncMax), one
 * packed A block (mcMax x kcMax) and one MR x NR edge tile. Bounded (≤ 4·(KC·NC + MC·KC + MR·NR)
 * = 647,360 bytes with MR = 6) however large the problem is; 0 when m, n or k ≤ 0.
 * src/wasm/workspace.ts gemmWorkspaceBytes calls this.
 */
export function gemm_workspace_bytes(m: i32, n: i32, k: i32): i32 {
  if (m <= 0 || n <= 0 || k <= 0) return 0;
  const kcMax = min32(k, KC);
  const ncMax = roundUp(min32(n, NC), NR);
  const mcMax = roundUp(min32(m, MC), MR);
  return (kcMax * ncMax + mcMax * kcMax + MR * NR) << 2;
}
