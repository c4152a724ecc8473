/**
 * The arena: an allocator over the module's imported linear memory, starting at the binary's
 * `__heap_base`. Buffers are 16-byte aligned (one v128). Allocation bumps the top; freed blocks
 * go to a first-fit free list (coalesced, and given back to the top when they reach it), so
 * models that are disposed or re-planned do not leak. Nothing here runs in a training step.
 * Memory grows on demand; typed-array views are rebuilt whenever `memory.buffer` changed
 * (growth detaches or shortens old views), so always read them through the getters.
 */
const PAGE = 65536;
export const ALIGN = 16;

const mib = (b: number) => (b / 2 ** 20).toFixed(1);

export const alignUp = (n: number, a = ALIGN): number => Math.ceil(n / a) * a;

export class Arena {
  readonly base: number;
  private _top: number;
  private buf: ArrayBuffer | SharedArrayBuffer | null = null;
  private _f32!: Float32Array;
  private _i32!: Int32Array;
  private _u8!: Uint8Array;

  constructor(readonly memory: WebAssembly.Memory, base: number) {
    this.base = alignUp(base);
    this._top = this.base;
  }

  /** First free byte. */
  get top(): number {
    return this._top;
  }
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Free ranges below the top, sorted by address, never adjacent (coalesced). */
  private holes: { ptr: number; bytes: number }[] = [];

  /** Reserve `bytes` (rounded up to 16) and return the byte address; grows memory if needed. */
  alloc(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`arena: cannot allocate ${bytes} bytes`);
    const size = alignUp(Math.max(bytes, ALIGN));
    for (let i = 0; i < this.holes.length; i++) {
      const h = this.holes[i];
      if (h.bytes < size) continue;
      const ptr = h.ptr;
      h.ptr += size;
      h.bytes -= size;
      if (h.bytes === 0) this.holes.splice(i, 1);
      return ptr;
    }
    const ptr = this._top;
    const end = ptr + size;
    this.ensure(end);
    this._top = end;
    return ptr;
  }

  /** Give back a block from `alloc` (same byte count). Its contents are not cleared. */
  free(ptr: number, bytes: number): void {
    const size = alignUp(Math.max(bytes, ALIGN));
    if (ptr < this.base || ptr % ALIGN !== 0 || ptr + size > this._top) throw new RangeError(`arena: cannot free ${bytes} bytes at ${ptr}`);
    let i = 0;
    while (i < this.holes.length && this.holes[i].ptr < ptr) i++;
    const prev = this.holes[i - 1];
    const next = this.holes[i];
    if ((prev && prev.ptr + prev.bytes > ptr) || (next && ptr + size > next.ptr)) throw new RangeError(`arena: block at ${ptr} is already free`);
    let hole = { ptr, bytes: size };
    if (prev && prev.ptr + prev.bytes === ptr) {
      prev.bytes += size;
      hole = prev;
    } else {
      this.holes.splice(i, 0, hole);
      i++;
    }
    if (next && hole.ptr + hole.bytes === next.ptr) {
      hole.bytes += next.bytes;
      this.holes.splice(this.holes.indexOf(next), 1);
    }
    const last = this.holes[this.holes.length - 1];
    if (last.ptr + last.bytes === this._top) {
      this._top = last.ptr;
      this.holes.pop();
    }
  }

  /** Bytes in free blocks below the top. */
  get freeBytes(): number {
    return this.holes.reduce((s, h) => s + h.bytes, 0);
  }

  /** Make sure the memory holds at least `end` bytes. */
  ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    if (end > 2 ** 32) throw new RangeError(`arena: ${end} bytes exceed the 4 GiB of wasm32 memory`);
    // Grow geometrically so repeated small plans do not grow page by page.
    const want = Math.max(Math.ceil(end / PAGE), Math.ceil((have * 1.5) / PAGE));
    const pages = Math.min(want, 65536) - have / PAGE;
    try {
      this.memory.grow(Math.max(pages, Math.ceil(end / PAGE) - have / PAGE));
    } catch (e) {
      throw new RangeError(
        `arena: cannot grow linear memory from ${mib(have)} to ${mib(end)} MiB (${(e as Error).message}); ` +
          'use a smaller batch size or model',
      );
    }
  }

  /** A position to return to with `release`: everything allocated after it is freed. */
  mark(): number {
    return this._top;
  }
  release(mark: number): void {
    if (mark < this.base || mark > this._top) throw new RangeError(`arena: bad mark ${mark}`);
    this._top = mark;
    this.holes = this.holes.filter((h) => h.ptr + h.bytes <= mark);
    const last = this.holes[this.holes.length - 1];
    if (last && last.ptr + last.bytes === mark) {
      this._top = last.ptr;
      this.holes.pop();
    }
  }

  private refresh(): void {
    const b = this.memory.buffer;
    this.buf = b;
    this._f32 = new Float32Array(b);
    this._i32 = new Int32Array(b);
    this._u8 = new Uint8Array(b);
  }
  get f32(): Float32Array {
    if (this.buf !== this.memory.buffer) this.refresh();
    return this._f32;
  }
  get i32(): Int32Array {
    if (this.buf !== this.memory.buffer) this.refresh();
    return this._i32;
  }
  get u8(): Uint8Array {
    if (this.buf !== this.memory.buffer) this.refresh();
    return this._u8;
  }
}
