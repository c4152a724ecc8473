/**
 * Data in: x and y as one tensor, a list in input/output order, or an object keyed by input /
 * output layer name; each checked against the model (shapes, dtypes, sample counts, labels)
 * before anything reaches wasm, then copied batch by batch into the plan's staging buffers.
 */
import type { SymbolicTensor } from '../engine/symbolic.ts';
import type { Loss } from '../losses/index.ts';
import { sameShape } from '../layers/layer.ts';
import { type Tensor, type TensorLike, Tensor as TensorClass, toTensor, untracked } from '../tensor.ts';

/** x or y as the user may give it. */
export type ModelData = TensorLike | TensorLike[] | Record<string, TensorLike>;

function isRecord(v: unknown): v is Record<string, TensorLike> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof TensorClass);
}

/**
 * One tensor per name, in order. Data given as arrays is converted into tensors the caller
 * never sees, so they are not counted by memory() (nothing would dispose them).
 */
export function toTensors(data: unknown, names: string[], what: string, kind: 'input' | 'output'): Tensor[] {
  return untracked(() => tensorsOf(data, names, what, kind));
}

function tensorsOf(data: unknown, names: string[], what: string, kind: 'input' | 'output'): Tensor[] {
  if (data === null || data === undefined) throw new TypeError(`${what}: expected a tensor, a list or an object keyed by ${kind} name, got ${data}`);
  if (isRecord(data)) {
    const unknown = Object.keys(data).filter((k) => !names.includes(k));
    if (unknown.length) throw new Error(`${what}: unknown ${kind} name${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `'${u}'`).join(', ')}; the model's ${kind}s are ${names.map((n) => `'${n}'`).join(', ')}`);
    return names.map((n) => {
      if (!(n in data)) throw new Error(`${what}: missing ${kind} '${n}'`);
      return toTensor(data[n], `${what}['${n}']`);
    });
  }
  if (names.length === 1) {
    if (Array.isArray(data) && data.length === 1 && data[0] instanceof TensorClass) return [data[0]];
    return [toTensor(data as TensorLike, what)];
  }
  if (!Array.isArray(data)) throw new Error(`${what}: the model has ${names.length} ${kind}s (${names.join(', ')}); give a list of ${names.length} tensors or an object keyed by name`);
  if (data.length !== names.length) throw new Error(`${what}: the model has ${names.length} ${kind}s (${names.join(', ')}), got ${data.length} tensors`);
  return data.map((d, i) => toTensor(d as TensorLike, `${what}[${i}] (${names[i]})`));
}

/** Inputs: shape [n, ...sampleShape] each, one dtype each, the same n everywhere. */
export function checkInputs(ts: Tensor[], inputs: SymbolicTensor[], names: string[], what: string): number {
  ts.forEach((t, i) => {
    const sym = inputs[i];
    const who = ts.length > 1 ? `${what} (${names[i]})` : what;
    const want = sym.sampleShape;
    if (sym.dtype === 'float32' && t.dtype !== 'float32') throw new Error(`${who}: expected float32 inputs, got ${t.dtype}`);
    if (sym.dtype === 'int32' && t.dtype !== 'int32') {
      const v = t.values;
      for (let j = 0; j < v.length; j++) if (!Number.isInteger(v[j])) throw new Error(`${who}: input ${names[i]} takes int32 values, got ${v[j]} at index ${j}`);
    }
    if (!sameShape(t.shape.slice(1), want)) {
      throw new Error(`${who}: expected input shape [null, ${want.join(', ')}] but got [${t.shape.join(', ')}]`);
    }
  });
  const n = ts[0].shape[0];
  ts.forEach((t, i) => {
    if (t.shape[0] !== n) throw new Error(`${what}: input ${names[0]} has ${n} samples but input ${names[i]} has ${t.shape[0]}`);
  });
  return n;
}

/** Targets of one output: class indices for a sparse loss, else shaped like the output. */
export function checkTarget(t: Tensor, n: number, loss: Loss, outShape: readonly number[], what: string): Tensor {
  if (t.shape[0] !== n) throw new Error(`${what}: ${n} input samples but ${t.shape[0]} targets`);
  const cols = outShape[outShape.length - 1];
  const rowsPer = outShape.reduce((a, b) => a * b, 1) / cols;
  if (loss.sparse) {
    if (t.size !== n * rowsPer) {
      throw new Error(`${what}: loss '${loss.name}' expects ${rowsPer === 1 ? 'one class index' : `${rowsPer} class indices`} per sample (shape [${n}]), got shape [${t.shape.join(', ')}]`);
    }
    const v = t.values;
    for (let i = 0; i < v.length; i++) {
      const l = v[i];
      if (!(Number.isInteger(l) && l >= 0 && l < cols)) {
        throw new Error(`${what}: label ${l} at index ${i} is outside [0, ${cols}) (the output has ${cols} units)`);
      }
    }
  } else if (!sameShape(t.shape.slice(1), outShape)) {
    throw new Error(`${what}: expected target shape [null, ${outShape.join(', ')}] but got [${t.shape.join(', ')}]`);
  }
  return t;
}

/** Copy rows [start, start+n) of src — or rows order[start+i] — to dst at dstOff (typed arrays convert). */
export function copyRows(
  dst: Float32Array | Int32Array,
  dstOff: number,
  src: Float32Array | Int32Array | Uint8Array,
  row: number,
  order: Int32Array | null,
  start: number,
  n: number,
): void {
  if (!order) {
    // A contiguous range: one native copy (the view it needs is the only allocation).
    dst.set(src.subarray(start * row, (start + n) * row), dstOff);
    return;
  }
  for (let r = 0; r < n; r++) {
    const s = order[start + r] * row;
    const d = dstOff + r * row;
    for (let i = 0; i < row; i++) dst[d + i] = src[s + i];
  }
}

/**
 * Per-sample weights from class weights, as TF.js derives them: each sample's class is its label
 * (sparse targets), the index of the largest value of its one-hot row, or the value of its single
 * column; `out[i]` is that class's weight. A class missing from the table is an error.
 */
export function classWeightsInto(out: Float32Array, y: Tensor, sparse: boolean, table: Map<number, number>, who: string): void {
  const n = y.shape[0];
  const row = n === 0 ? 0 : y.size / n;
  const v = y.values;
  for (let i = 0; i < n; i++) {
    let c: number;
    if (sparse || row === 1) {
      c = v[i * row];
      if (!Number.isInteger(c)) throw new Error(`${who}: the target of sample ${i} is ${c}, not a class index`);
    } else {
      c = 0;
      for (let j = 1; j < row; j++) if (v[i * row + j] > v[i * row + c]) c = j;
    }
    const w = table.get(c);
    if (w === undefined) throw new Error(`${who}: class ${c} is in the training data (sample ${i}) but not in classWeight, which must give every class a weight`);
    out[i] = w;
  }
}
