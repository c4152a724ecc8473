import { describe, expect, it } from 'vitest';
import { Arena, alignUp } from '../../src/memory/arena.ts';

describe('arena', () => {
  it('aligns every buffer to 16 bytes and starts at or after the heap base', () => {
    const a = new Arena(new WebAssembly.Memory({ initial: 1, maximum: 100 }), 1001);
    expect(a.base).toBe(1008);
    const p1 = a.alloc(3);
    const p2 = a.alloc(17);
    const p3 = a.alloc(0);
    expect([p1 % 16, p2 % 16, p3 % 16]).toEqual([0, 0, 0]);
    expect(p2 - p1).toBe(16);
    expect(p3 - p2).toBe(32);
    expect(alignUp(33)).toBe(48);
  });

  it('grows memory on demand and rebuilds views after growth', () => {
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 100 });
    const a = new Arena(mem, 16);
    const old = a.f32;
    const p = a.alloc(65536 * 3);
    expect(mem.buffer.byteLength).toBeGreaterThanOrEqual(16 + 65536 * 3);
    expect(old.length).toBe(0); // detached by growth
    a.f32[(p >>> 2) + 65536 * 3 / 4 - 1] = 42;
    expect(new Float32Array(mem.buffer)[(p >>> 2) + 65536 * 3 / 4 - 1]).toBe(42);
    expect(a.i32.length).toBe(mem.buffer.byteLength / 4);
  });

  it('mark/release frees what came after the mark', () => {
    const a = new Arena(new WebAssembly.Memory({ initial: 1, maximum: 10 }), 0);
    a.alloc(100);
    const m = a.mark();
    a.alloc(1000);
    a.release(m);
    expect(a.top).toBe(m);
    expect(() => a.release(m + 16)).toThrow(/bad mark/);
    expect(() => a.alloc(-1)).toThrow(/cannot allocate/);
  });

  it('refuses to go past 4 GiB or the memory maximum with a clear error', () => {
    const a = new Arena(new WebAssembly.Memory({ initial: 1, maximum: 10 }), 16);
    expect(() => a.alloc(2 ** 32)).toThrow(/exceed the 4 GiB/);
    expect(() => a.alloc(2 ** 20)).toThrow(/cannot grow linear memory from 0.1 to 1.0 MiB .*smaller batch size/);
    expect(a.top).toBe(16);
  });
});

describe('arena free list', () => {
  const fresh = () => new Arena(new WebAssembly.Memory({ initial: 1, maximum: 100 }), 16);

  it('reuses freed blocks first-fit, coalesces neighbours and lowers the top', () => {
    const a = fresh();
    const p1 = a.alloc(32);
    const p2 = a.alloc(64);
    const p3 = a.alloc(32);
    const p4 = a.alloc(16);
    a.free(p2, 64);
    expect(a.alloc(48)).toBe(p2); // first fit, carved from the front
    expect(a.freeBytes).toBe(16);
    a.free(p1, 32);
    a.free(p2, 48); // coalesces with p1 and the 16-byte rest
    expect(a.freeBytes).toBe(96);
    expect(a.alloc(96)).toBe(p1);
    a.free(p4, 16);
    expect(a.top).toBe(p4); // a hole at the top goes back to the top
    a.free(p3, 32);
    a.free(p1, 96);
    expect(a.top).toBe(16);
    expect(a.freeBytes).toBe(0);
  });

  it('refuses double frees and foreign pointers', () => {
    const a = fresh();
    const p = a.alloc(64);
    a.alloc(16);
    a.free(p, 64);
    expect(() => a.free(p, 64)).toThrow(/already free/);
    expect(() => a.free(p + 8, 16)).toThrow(/cannot free/);
    expect(() => a.free(1 << 20, 16)).toThrow(/cannot free/);
  });
});
