// Embedding: a table lookup. Forward gathers rows of the table [inputDim, outputDim] by token id;
// backward scatter-adds each row of dy into the table's gradient (ids may repeat, so rows of the
// gradient collect several contributions: a plain add in id order, not a sort-and-segment-sum as
// TF.js's UnsortedSegmentSum does, which gives the same sums up to f32 rounding order).
//
// Ids arrive as int32 (an int32 model input) or as float32 (a float32 input: a Sequential's first
// layer, or ids computed by another layer), chosen by `idsF32`. A float id must be an integer in
// [0, inputDim); TF.js silently truncates fractions and its cpu backend throws on out-of-range
// ids — here both are reported: the forward kernel returns the position of the first bad id
// (−1 when all are valid) and stops there, so the host throws before any later kernel reads y.

/** The id at position i as an i32, or −1 when it is not an integer in [0, inputDim). */
@inline function idAt(ids: usize, i: i32, inputDim: i32, idsF32: i32): i32 {
  const p = ids + (<usize>i << 2);
  if (idsF32 != 0) {
    const f = load<f32>(p);
    // NaN fails both comparisons; the floor test refuses fractions. Then the cast is exact.
    if (!(f >= 0 && f < <f32>inputDim) || f != floor<f32>(f)) return -1;
    // <f32>inputDim may round up (inputDim > 2^24): check the integer too.
    const id = <i32>f;
    return id < inputDim ? id : -1;
  }
  const id = load<i32>(p);
  return id >= 0 && id < inputDim ? id : -1;
}

/**
 * y[count, outputDim] = table[ids[i], :] for every position i (OVERWRITES y).
 * ids[count]: int32 (idsF32 = 0) or float32 (idsF32 ≠ 0) token ids; table[inputDim, outputDim].
 * Returns −1 when every id is valid, else the position of the first invalid one (rows before it
 * are written, the rest are not).
 * Reference: test/reference/embedding.ts embedding_forward_f32.
 */
export function embedding_forward_f32(y: usize, ids: usize, table: usize, count: i32, inputDim: i32, outputDim: i32, idsF32: i32): i32 {
  // A row is outputDim contiguous floats in both buffers: memory.copy is the whole gather (the
  // engine's bulk copy uses the widest moves the machine has, SIMD included).
  const rowBytes = <usize>outputDim << 2;
  for (let i = 0; i < count; i++) {
    const id = idAt(ids, i, inputDim, idsF32);
    if (id < 0) return i;
    memory.copy(y + <usize>i * rowBytes, table + <usize>id * rowBytes, rowBytes);
  }
  return -1;
}

/**
 * dtable[inputDim, outputDim] += Σ_{i : ids[i] = r} dy[i, :] for every row r (ACCUMULATES), in
 * position order. dy[count, outputDim]; ids as in embedding_forward_f32. An invalid id (the
 * forward refused it already) is skipped, so this kernel never writes outside dtable.
 * Reference: test/reference/embedding.ts embedding_backward_f32.
 */
export function embedding_backward_f32(dtable: usize, dy: usize, ids: usize, count: i32, inputDim: i32, outputDim: i32, idsF32: i32): void {
  if (dtable == 0) return;
  const rowBytes = <usize>outputDim << 2;
  const end4 = <usize>(outputDim & ~3) << 2;
  for (let i = 0; i < count; i++) {
    const id = idAt(ids, i, inputDim, idsF32);
    if (id < 0) continue;
    const d = dtable + <usize>id * rowBytes;
    const s = dy + <usize>i * rowBytes;
    let o: usize = 0;
    for (; o < end4; o += 16) v128.store(d + o, f32x4.add(v128.load(d + o), v128.load(s + o)));
    for (; o < rowBytes; o += 4) store<f32>(d + o, load<f32>(d + o) + load<f32>(s + o));
  }
}
