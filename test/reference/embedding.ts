// References for assembly/embedding.ts: a row gather and a scatter-add, in f64. Same names and
// argument order as the kernels, typed arrays in place of pointers (ids as plain numbers).

/** The id at i, or −1 when it is not an integer in [0, inputDim). */
function idAt(ids: ArrayLike<number>, i: number, inputDim: number): number {
  const v = ids[i];
  return Number.isInteger(v) && v >= 0 && v < inputDim ? v : -1;
}

export function embedding_forward_f32(y: Float64Array, ids: ArrayLike<number>, table: ArrayLike<number>, count: number, inputDim: number, outputDim: number, _idsF32: number): number {
  for (let i = 0; i < count; i++) {
    const id = idAt(ids, i, inputDim);
    if (id < 0) return i;
    for (let j = 0; j < outputDim; j++) y[i * outputDim + j] = table[id * outputDim + j];
  }
  return -1;
}

export function embedding_backward_f32(dtable: Float64Array, dy: ArrayLike<number>, ids: ArrayLike<number>, count: number, inputDim: number, outputDim: number, _idsF32: number): void {
  for (let i = 0; i < count; i++) {
    const id = idAt(ids, i, inputDim);
    if (id < 0) continue;
    for (let j = 0; j < outputDim; j++) dtable[id * outputDim + j] += dy[i * outputDim + j];
  }
}
