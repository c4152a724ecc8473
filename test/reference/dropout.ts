// References for assembly/dropout.ts: the same counter-based generator in 32-bit JS integer
// math (Math.imul, >>>), so masks match the kernels bit for bit; the Gaussian's floats in f64.
// Same names and argument order as the kernels, typed arrays in place of pointers.

/** Chris Wellons' triple32 hash (a bijection of u32). */
export function hash32(x: number): number {
  x >>>= 0;
  x ^= x >>> 17;
  x = Math.imul(x, 0xed5ad4bb);
  x ^= x >>> 11;
  x = Math.imul(x, 0xac4c1b51);
  x ^= x >>> 15;
  x = Math.imul(x, 0x31848bab);
  x ^= x >>> 14;
  return x >>> 0;
}

const key1 = (seed: number) => hash32((seed ^ 0x2545f491) >>> 0);
const key2 = (seed: number, step: number) => hash32((step ^ hash32((key1(seed) + 0x9e3779b9) >>> 0)) >>> 0);

/** The generator's word for mask index i at (seed, step). */
export function word(seed: number, step: number, i: number): number {
  return hash32((hash32((i ^ key1(seed)) >>> 0) ^ key2(seed, step)) >>> 0);
}

/** Whether mask index i keeps its value: word ≥ threshold (unsigned). */
export function keeps(seed: number, step: number, i: number, threshold: number): boolean {
  return word(seed, step, i) >= threshold >>> 0;
}

/** The mask multiplier of element i of [outer, mid, inner]: scale or 0. */
function mult(i: number, mid: number, inner: number, threshold: number, scale: number, seed: number, step: number): number {
  const o = Math.floor(i / (mid * inner));
  const c = i % inner;
  return keeps(seed, step, o * inner + c, threshold) ? scale : 0;
}

export function dropout_forward_f32(y: Float64Array, x: Float64Array, n: number, mid: number, inner: number, threshold: number, scale: number, seed: number, step: number): void {
  for (let i = 0; i < n; i++) y[i] = x[i] * mult(i, mid, inner, threshold, scale, seed, step);
}

export function dropout_backward_f32(dx: Float64Array, dy: Float64Array, n: number, mid: number, inner: number, threshold: number, scale: number, seed: number, step: number): void {
  // The kernel rounds the product to f32 before it adds: so does the reference.
  for (let i = 0; i < n; i++) dx[i] += Math.fround(dy[i] * mult(i, mid, inner, threshold, scale, seed, step));
}

/** The standard normal the kernel draws for element i (Box–Muller's cosine, in f64). */
export function normalAt(seed: number, step: number, i: number): number {
  const k2 = key2(seed, step);
  const k3 = hash32((k2 ^ 0x68e31da4) >>> 0);
  const h = hash32((i ^ key1(seed)) >>> 0);
  const w1 = hash32((h ^ k2) >>> 0);
  const w2 = hash32((h ^ k3) >>> 0);
  const u1 = ((w1 >>> 8) + 1) / 2 ** 24;
  const u2 = (w2 >>> 8) / 2 ** 24;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

export function gaussian_noise_forward_f32(y: Float64Array, x: Float64Array, n: number, stddev: number, seed: number, step: number): void {
  for (let i = 0; i < n; i++) y[i] = x[i] + stddev * normalAt(seed, step, i);
}

/** round(rate · 2^32), clamped to u32: what the host passes as the kernels' threshold. */
export function thresholdOf(rate: number): number {
  return Math.min(2 ** 32 - 1, Math.round(rate * 2 ** 32));
}

/** FNV-1a over the bytes of a float32 array: a short fingerprint for cross-runtime checks. */
export function fnv1a(values: ArrayLike<number>): number {
  const f = Float32Array.from(values);
  const b = new Uint8Array(f.buffer);
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}
