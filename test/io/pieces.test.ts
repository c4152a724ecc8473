// Weights decoded from shards cut anywhere, even inside a value: the same values as from one buffer.
import { describe, expect, it } from 'vitest';
import { decodePieces, WeightData, type WeightSpec } from '../../src/io/weights.ts';

const specs: WeightSpec[] = [
  { name: 'f', shape: [7, 3], dtype: 'float32' },
  { name: 'i', shape: [5], dtype: 'int32' },
  { name: 'u8', shape: [9], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
  { name: 'u16', shape: [6], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.25, min: 2 } },
  { name: 'h', shape: [4], dtype: 'float32', quantization: { dtype: 'float16' } },
];
const bytesOf = (s: WeightSpec) => s.shape.reduce((a, b) => a * b, 1) * { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 }[s.quantization?.dtype ?? s.dtype];

function encoded(): Uint8Array {
  const parts: Uint8Array[] = [
    new Uint8Array(Float32Array.from({ length: 21 }, (_, i) => Math.sin(i) * 100).buffer),
    new Uint8Array(Int32Array.from([3, -7, 0, 2147483647, -2147483648]).buffer),
    Uint8Array.from([0, 1, 2, 3, 250, 251, 252, 254, 255]),
    new Uint8Array(Uint16Array.from([0, 1, 65535, 1000, 7, 40000]).buffer),
    new Uint8Array(Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001]).buffer), // 1, -2, 65504, 2^-24
  ];
  const out = new Uint8Array(parts.reduce((t, p) => t + p.byteLength, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.byteLength) - p.byteLength);
  return out;
}

async function decodeAll(shards: Uint8Array[]): Promise<Float32Array[]> {
  const data = new WeightData(shards);
  let off = 0;
  const out: Float32Array[] = [];
  for (const s of specs) {
    const dst = new Float32Array(s.shape.reduce((a, b) => a * b, 1));
    await decodePieces(s, data.pieces(off, bytesOf(s)), dst);
    off += bytesOf(s);
    out.push(dst);
  }
  return out;
}

describe('decodePieces', () => {
  it('shards cut at every size from 1 to 13 bytes give the same values as one buffer', async () => {
    const all = encoded();
    const whole = await decodeAll([all]);
    expect(Array.from(whole[4])).toEqual([1, -2, 65504, 2 ** -24]);
    expect(Array.from(whole[2])).toEqual([-1, -0.5, 0, 0.5, 124, 124.5, 125, 126, 126.5]);
    for (let cut = 1; cut <= 13; cut++) {
      const shards: Uint8Array[] = [];
      for (let o = 0; o < all.byteLength; o += cut) shards.push(all.slice(o, o + cut));
      expect(await decodeAll(shards)).toEqual(whole);
    }
  });
});
