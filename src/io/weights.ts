/**
 * The weights manifest of the TF.js layers format: groups of shard files, each holding weights
 * back to back (float32, int32, or quantized uint8/uint16/float16). Checked before anything is
 * allocated; then each weight is decoded straight into its destination (the arena), so the
 * weights are copied once, with no per-weight buffers.
 */

export interface Quantization {
  dtype: 'uint8' | 'uint16' | 'float16';
  scale?: number;
  min?: number;
  original_dtype?: string;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: Quantization;
  /** TF.js's: 'optimizer' marks the optimizer's state (`save(…, { includeOptimizer: true })`), not a layer's weight. */
  group?: string;
}

export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

/** Default ceiling on the weights a file may ask for (raise `maxBytes` for larger trusted models). */
export const DEFAULT_MAX_BYTES = 1 << 30;

const BYTES = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 } as const;

/** A file is hostile until checked: every field, every shape, every size. */
export function checkManifest(manifest: unknown, where: string, maxBytes: number): { groups: WeightGroup[]; bytes: number } {
  if (!Array.isArray(manifest)) throw new Error(`${where}: weightsManifest must be a list of { paths, weights } groups, got ${describe(manifest)}`);
  let total = 0;
  const names = new Set<string>();
  const groups = manifest.map((g, gi) => {
    const at = `${where}: weightsManifest[${gi}]`;
    if (!g || typeof g !== 'object') throw new Error(`${at}: expected { paths, weights }, got ${describe(g)}`);
    const { paths, weights } = g as Record<string, unknown>;
    if (!Array.isArray(paths) || paths.some((p) => typeof p !== 'string' || p === '')) throw new Error(`${at}.paths: expected a list of file names, got ${describe(paths)}`);
    if (!Array.isArray(weights)) throw new Error(`${at}.weights: expected a list of weight specs, got ${describe(weights)}`);
    const specs = weights.map((w, wi) => checkSpec(w, `${at}.weights[${wi}]`));
    for (const s of specs) {
      if (names.has(s.name)) throw new Error(`${where}: weight ${s.name} appears twice in the manifest`);
      names.add(s.name);
      total += specBytes(s);
      if (total > maxBytes) throw new Error(`${where}: the weights need more than ${maxBytes} bytes (the maxBytes limit; raise it in the load options if the model is trusted)`);
    }
    if (specs.length && paths.length === 0) throw new Error(`${at}.paths: a group with weights needs at least one file`);
    return { paths: paths as string[], weights: specs };
  });
  return { groups, bytes: total };
}

function checkSpec(w: unknown, at: string): WeightSpec {
  if (!w || typeof w !== 'object') throw new Error(`${at}: expected { name, shape, dtype }, got ${describe(w)}`);
  const { name, shape, dtype, quantization, group } = w as Record<string, unknown>;
  if (typeof name !== 'string' || name === '') throw new Error(`${at}.name: expected a non-empty string, got ${describe(name)}`);
  if (!Array.isArray(shape)) throw new Error(`${at} (${name}): shape must be a list of positive integers, got ${describe(shape)}`);
  if (shape.some((d) => !Number.isInteger(d) || (d as number) <= 0)) throw new Error(`${at} (${name}): shape must be a list of positive integers, got ${JSON.stringify(shape).slice(0, 80)}`);
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(size) || size > 2 ** 31) throw new Error(`${at} (${name}): shape [${shape}] holds ${size} values, more than fit in memory`);
  if (dtype !== 'float32' && dtype !== 'int32') throw new Error(`${at} (${name}): dtype must be 'float32' or 'int32', got ${describe(dtype)}`);
  const spec: WeightSpec = { name, shape: [...(shape as number[])], dtype };
  if (group !== undefined && group !== null) {
    if (typeof group !== 'string') throw new Error(`${at} (${name}): group must be a string, got ${describe(group)}`);
    spec.group = group;
  }
  if (quantization !== undefined && quantization !== null) {
    if (typeof quantization !== 'object') throw new Error(`${at} (${name}): quantization must be an object, got ${describe(quantization)}`);
    const q = quantization as Record<string, unknown>;
    if (q.dtype !== 'uint8' && q.dtype !== 'uint16' && q.dtype !== 'float16') throw new Error(`${at} (${name}): quantization dtype must be 'uint8', 'uint16' or 'float16', got ${describe(q.dtype)}`);
    if (q.dtype === 'float16' && dtype !== 'float32') throw new Error(`${at} (${name}): float16 quantization needs dtype float32, got ${dtype}`);
    if (q.dtype !== 'float16') {
      for (const k of ['scale', 'min'] as const) {
        if (typeof q[k] !== 'number' || !Number.isFinite(q[k])) throw new Error(`${at} (${name}): ${q.dtype} quantization needs a finite ${k}, got ${describe(q[k])}`);
      }
    }
    spec.quantization = { dtype: q.dtype, scale: q.scale as number | undefined, min: q.min as number | undefined };
  }
  return spec;
}

export function specSize(s: WeightSpec): number {
  return s.shape.reduce((a, b) => a * b, 1);
}
export function specBytes(s: WeightSpec): number {
  return specSize(s) * BYTES[s.quantization?.dtype ?? s.dtype];
}

/**
 * The bytes of every group, in manifest order, as one logical buffer over its shards: a weight
 * inside one shard is read in place; one that straddles shards is gathered once.
 */
export class WeightData {
  private readonly shards: Uint8Array[];
  private readonly starts: number[] = [];
  readonly byteLength: number;
  constructor(buffers: (ArrayBuffer | Uint8Array)[]) {
    this.shards = buffers.map((b) => (b instanceof Uint8Array ? b : new Uint8Array(b)));
    let at = 0;
    for (const s of this.shards) {
      this.starts.push(at);
      at += s.byteLength;
    }
    this.byteLength = at;
  }
  /** Bytes [start, start+n) as views of the shards they lie in, in order (no copy). */
  *pieces(start: number, n: number): Generator<Uint8Array> {
    let i = this.starts.length - 1;
    while (i > 0 && this.starts[i] > start) i--;
    let off = start - this.starts[i];
    for (let left = n; left > 0; i++, off = 0) {
      const take = Math.min(left, this.shards[i].byteLength - off);
      if (take > 0) yield this.shards[i].subarray(off, off + take);
      left -= Math.max(take, 0);
    }
  }
}

export function bytesPerValue(spec: WeightSpec): number {
  return BYTES[spec.quantization?.dtype ?? spec.dtype];
}

/**
 * Decode one weight from its bytes, given as consecutive pieces (shards may cut it anywhere,
 * even inside a value), into dst: each piece is decoded in place; a value cut in two is joined
 * from its few bytes. No buffer the size of the weight is made.
 */
export async function decodePieces(spec: WeightSpec, pieces: Iterable<Uint8Array> | AsyncIterable<Uint8Array>, dst: Float32Array): Promise<void> {
  const bpe = bytesPerValue(spec);
  const carry = new Uint8Array(bpe);
  let carried = 0;
  let at = 0;
  for await (const piece of pieces) {
    let p = piece;
    if (carried) {
      const take = Math.min(bpe - carried, p.byteLength);
      carry.set(p.subarray(0, take), carried);
      carried += take;
      p = p.subarray(take);
      if (carried < bpe) continue;
      decodeInto(spec, carry, dst.subarray(at, at + 1));
      at++;
      carried = 0;
    }
    const whole = Math.floor(p.byteLength / bpe);
    if (whole) decodeInto(spec, p.subarray(0, whole * bpe), dst.subarray(at, at + whole));
    at += whole;
    carried = p.byteLength - whole * bpe;
    carry.set(p.subarray(whole * bpe));
  }
}

/** Decode dst.length values of a weight from `src` (their encoded bytes) into `dst`. */
export function decodeInto(spec: WeightSpec, src: Uint8Array, dst: Float32Array): void {
  const n = dst.length;
  const q = spec.quantization;
  if (!q) {
    if (spec.dtype === 'float32') {
      if ((src.byteOffset & 3) === 0) dst.set(new Float32Array(src.buffer, src.byteOffset, n));
      else dst.set(new Float32Array(src.slice().buffer));
    } else {
      const ints = (src.byteOffset & 3) === 0 ? new Int32Array(src.buffer, src.byteOffset, n) : new Int32Array(src.slice().buffer);
      for (let i = 0; i < n; i++) dst[i] = ints[i];
    }
    return;
  }
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  if (q.dtype === 'uint8') {
    for (let i = 0; i < n; i++) dst[i] = src[i] * q.scale! + q.min!;
  } else if (q.dtype === 'uint16') {
    for (let i = 0; i < n; i++) dst[i] = view.getUint16(2 * i, true) * q.scale! + q.min!;
  } else {
    for (let i = 0; i < n; i++) dst[i] = halfToFloat(view.getUint16(2 * i, true));
  }
}

/** IEEE 754 half precision → number (subnormals, infinities and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
