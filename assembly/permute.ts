// Permute and RepeatVector: per-sample strided copies.
//
// permute_f32 walks the output of each sample in row-major order and reads the input through a
// stride per output axis. Permute's forward is that walk with the input's strides reordered by
// `dims`; its backward is the inverse permutation, accumulated. RepeatVector's forward is the same
// walk with stride 0 on the repeated axis (so no kernel of its own); its backward sums the copies
// (repeat_backward_f32). The innermost axis is copied four lanes at a time when its stride is 1
// (the last axis stays in place), element by element otherwise.

/**
 * For every sample s < count and every output index (i_0, …, i_{rank−1}) of shape dims[0..rank):
 *   y[s, i] (= or +=) x[s·xSample + Σ_k i_k · dims[rank + k]]
 * dims: i32[2·rank], the output shape then the input stride (in elements) of each output axis.
 * y[count, Π dims[0..rank)]; x[count, xSample]. accumulate = 0 OVERWRITES y (forward), ≠ 0 adds
 * to it (backward). y must not overlap x. rank ≥ 1. A stride may be negative, with x pointing at
 * the element index 0 reads (Bidirectional's time reversal: x at the last step, stride −units):
 * wasm32 addresses wrap modulo 2^32, so the unsigned sums land on the right element.
 * Reference: test/reference/permute.ts permute_f32.
 */
export function permute_f32(y: usize, x: usize, dims: usize, count: i32, rank: i32, xSample: i32, accumulate: i32): void {
  if (count <= 0 || rank <= 0) return;
  const last = rank - 1;
  const inner = load<i32>(dims + (<usize>last << 2));
  const innerStride = load<i32>(dims + (<usize>(rank + last) << 2));
  let outer = 1;
  for (let k = 0; k < last; k++) outer *= load<i32>(dims + (<usize>k << 2));
  const ySample = <usize>outer * <usize>inner;
  for (let s = 0; s < count; s++) {
    const xs = x + ((<usize>s * <usize>xSample) << 2);
    let yo = y + ((<usize>s * ySample) << 2);
    for (let r = 0; r < outer; r++) {
      // The input offset of row r: its coordinates, last outer axis first.
      let rem = r;
      let off: usize = 0;
      for (let k = last - 1; k >= 0; k--) {
        const d = load<i32>(dims + (<usize>k << 2));
        const i = rem % d;
        rem /= d;
        off += <usize>i * <usize>load<i32>(dims + (<usize>(rank + k) << 2));
      }
      const src = xs + (off << 2);
      copyRow(yo, src, inner, innerStride, accumulate);
      yo += <usize>inner << 2;
    }
  }
}

/** One output row of n values from src with the given stride (in elements). */
@inline function copyRow(dst: usize, src: usize, n: i32, stride: i32, accumulate: i32): void {
  if (stride == 1) {
    const end = <usize>n << 2;
    const end4 = <usize>(n & ~3) << 2;
    let o: usize = 0;
    if (accumulate != 0) {
      for (; o < end4; o += 16) v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
      for (; o < end; o += 4) store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
    } else {
      memory.copy(dst, src, end);
    }
    return;
  }
  const step = <usize>stride << 2;
  let p = src;
  if (accumulate != 0) {
    for (let j = 0; j < n; j++, p += step) store<f32>(dst + (<usize>j << 2), load<f32>(dst + (<usize>j << 2)) + load<f32>(p));
  } else {
    for (let j = 0; j < n; j++, p += step) store<f32>(dst + (<usize>j << 2), load<f32>(p));
  }
}

/**
 * Gradient of RepeatVector, ACCUMULATED: dx[s, f] += Σ_{r < n} dy[s, r, f], summed in r order.
 * dx[count, features]; dy[count, n, features].
 * Reference: test/reference/permute.ts repeat_backward_f32.
 */
export function repeat_backward_f32(dx: usize, dy: usize, count: i32, n: i32, features: i32): void {
  if (dx == 0) return;
  const rowBytes = <usize>features << 2;
  const end4 = <usize>(features & ~3) << 2;
  for (let s = 0; s < count; s++) {
    const d = dx + <usize>s * rowBytes;
    const g = dy + <usize>s * <usize>n * rowBytes;
    let o: usize = 0;
    for (; o < end4; o += 16) {
      let acc = v128.load(d + o);
      for (let r = 0; r < n; r++) acc = f32x4.add(acc, v128.load(g + <usize>r * rowBytes + o));
      v128.store(d + o, acc);
    }
    for (; o < rowBytes; o += 4) {
      let acc = load<f32>(d + o);
      for (let r = 0; r < n; r++) acc += load<f32>(g + <usize>r * rowBytes + o);
      store<f32>(d + o, acc);
    }
  }
}
