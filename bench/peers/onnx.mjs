// onnxruntime-web (its wasm backend, one thread) as an inference-only peer in bench/compare.mjs.
//
// The ONNX model is written here from simdnet's trained weights (saved by bench/simdnet.mjs as
// JSON) with a small hand-written protobuf encoder: ModelProto / GraphProto / NodeProto /
// TensorProto / ValueInfoProto / AttributeProto, just the fields these graphs need. No Python.
//   MLP: x[N,784] → MatMul → Add → Relu → MatMul → Add → Softmax
//   CNN: x[N,1,28,28] → Conv → Relu → MaxPool → Conv → Relu → MaxPool → Reshape[N,784] → MatMul
//        → Add → Softmax. MNIST has one channel, so NHWC [N,28,28,1] and NCHW [N,1,28,28] are the
//        same bytes: the same Float32Array feeds both. Conv weights are transposed HWIO → OIHW and
//        the dense rows permuted from simdnet's NHWC flatten order to ONNX's NCHW order.
// Child process: node bench/peers/onnx.mjs e2e '{"model":"mlp","weights":"bench/results/tmp/mlp.json"}'
import fs from 'node:fs';
import path from 'node:path';
import { accuracy, childMain, loadMnist, now, root } from './common.mjs';

export function versions() {
  return { 'onnxruntime-web': JSON.parse(fs.readFileSync(path.join(root, 'node_modules/onnxruntime-web/package.json'), 'utf8')).version };
}

// ------------------------------------------------------------------ a minimal protobuf writer

class Pb {
  constructor() {
    this.parts = [];
    this.len = 0;
  }
  raw(bytes) {
    this.parts.push(bytes);
    this.len += bytes.length;
    return this;
  }
  varint(v) {
    // v: a non-negative integer (or a negative int64, written as 10 bytes of two's complement)
    let n = BigInt(v);
    if (n < 0n) n += 1n << 64n;
    const out = [];
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n > 0n) b |= 0x80;
      out.push(b);
    } while (n > 0n);
    return this.raw(Uint8Array.from(out));
  }
  tag(field, wire) {
    return this.varint((field << 3) | wire);
  }
  int(field, v) {
    return this.tag(field, 0).varint(v);
  }
  float(field, v) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    return this.tag(field, 5).raw(b);
  }
  bytes(field, b) {
    return this.tag(field, 2).varint(b.length).raw(b);
  }
  string(field, s) {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  msg(field, pb) {
    return this.bytes(field, pb.finish());
  }
  finish() {
    const out = new Uint8Array(this.len);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

const FLOAT = 1;
const INT64 = 7;
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 };

/** TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian). */
function tensorProto(name, dims, values, dataType = FLOAT) {
  const pb = new Pb();
  for (const d of dims) pb.int(1, d);
  pb.int(2, dataType);
  pb.string(8, name);
  const raw = dataType === INT64 ? new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer) : new Uint8Array(Float32Array.from(values).buffer);
  pb.bytes(9, raw);
  return pb;
}

/** AttributeProto: name = 1, f = 2, i = 3, ints = 8, type = 20. */
function attr(name, v) {
  const pb = new Pb().string(1, name);
  if (Array.isArray(v)) {
    for (const x of v) pb.int(8, x);
    pb.int(20, ATTR.INTS);
  } else if (Number.isInteger(v)) {
    pb.int(3, v).int(20, ATTR.INT);
  } else {
    pb.float(2, v).int(20, ATTR.FLOAT);
  }
  return pb;
}

/** NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5. */
function node(op, inputs, outputs, attrs = {}, name = `${op}_${outputs[0]}`) {
  const pb = new Pb();
  for (const i of inputs) pb.string(1, i);
  for (const o of outputs) pb.string(2, o);
  pb.string(3, name).string(4, op);
  for (const [k, v] of Object.entries(attrs)) pb.msg(5, attr(k, v));
  return pb;
}

/** ValueInfoProto{name = 1, type = 2: TypeProto{tensor_type = 1: {elem_type = 1, shape = 2: {dim = 1: {dim_value = 1 | dim_param = 2}}}}}. */
function valueInfo(name, dims) {
  const shape = new Pb();
  for (const d of dims) shape.msg(1, typeof d === 'string' ? new Pb().string(2, d) : new Pb().int(1, d));
  const tensorType = new Pb().int(1, FLOAT).msg(2, shape);
  return new Pb().string(1, name).msg(2, new Pb().msg(1, tensorType));
}

/** ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 (GraphProto: node = 1, name = 2, initializer = 5, input = 11, output = 12). */
function modelProto({ nodes, initializers, inputs, outputs, name }) {
  const g = new Pb();
  for (const n of nodes) g.msg(1, n);
  g.string(2, name);
  for (const t of initializers) g.msg(5, t);
  for (const i of inputs) g.msg(11, i);
  for (const o of outputs) g.msg(12, o);
  return new Pb()
    .int(1, 8)
    .string(2, 'simdnet-bench')
    .msg(7, g)
    .msg(8, new Pb().string(1, '').int(2, 13))
    .finish();
}

const f32 = (w) => {
  const b = Buffer.from(w.data, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/** HWIO [kh, kw, ci, co] → OIHW [co, ci, kh, kw]. */
function hwioToOihw(v, [kh, kw, ci, co]) {
  const out = new Float32Array(v.length);
  for (let h = 0; h < kh; h++) for (let w = 0; w < kw; w++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) out[((o * ci + i) * kh + h) * kw + w] = v[((h * kw + w) * ci + i) * co + o];
  return out;
}

/**
 * The ONNX bytes of the bench's MLP or CNN from simdnet's getWeights() order:
 * MLP [W1, b1, W2, b2]; CNN [K1, c1, K2, c2, W, b].
 */
export function buildOnnx(kind, weights) {
  const W = weights.map((w) => ({ shape: w.shape, v: f32(w) }));
  const init = [];
  const nodes = [];
  if (kind === 'mlp') {
    init.push(tensorProto('W1', W[0].shape, W[0].v), tensorProto('b1', W[1].shape, W[1].v), tensorProto('W2', W[2].shape, W[2].v), tensorProto('b2', W[3].shape, W[3].v));
    nodes.push(node('MatMul', ['x', 'W1'], ['h1']), node('Add', ['h1', 'b1'], ['z1']), node('Relu', ['z1'], ['a1']));
    nodes.push(node('MatMul', ['a1', 'W2'], ['h2']), node('Add', ['h2', 'b2'], ['z2']), node('Softmax', ['z2'], ['y'], { axis: -1 }));
    return modelProto({ name: 'mlp', nodes, initializers: init, inputs: [valueInfo('x', ['N', 784])], outputs: [valueInfo('y', ['N', 10])] });
  }
  const [k1, c1, k2, c2, wd, bd] = W;
  init.push(tensorProto('K1', [k1.shape[3], k1.shape[2], k1.shape[0], k1.shape[1]], hwioToOihw(k1.v, k1.shape)), tensorProto('B1', c1.shape, c1.v));
  init.push(tensorProto('K2', [k2.shape[3], k2.shape[2], k2.shape[0], k2.shape[1]], hwioToOihw(k2.v, k2.shape)), tensorProto('B2', c2.shape, c2.v));
  // Dense rows: simdnet flattens NHWC [7, 7, 16] (h, w, c); ONNX's tensor here is NCHW (c, h, w).
  const [inD, outD] = wd.shape;
  const C = k2.shape[3];
  const HW = inD / C;
  const wp = new Float32Array(wd.v.length);
  for (let hw = 0; hw < HW; hw++) for (let c = 0; c < C; c++) wp.set(wd.v.subarray((hw * C + c) * outD, (hw * C + c + 1) * outD), (c * HW + hw) * outD);
  init.push(tensorProto('W', wd.shape, wp), tensorProto('b', bd.shape, bd.v), tensorProto('shape', [2], [-1, inD], INT64));
  const pad = (k) => [(k - 1) >> 1, (k - 1) >> 1, k - 1 - ((k - 1) >> 1), k - 1 - ((k - 1) >> 1)];
  nodes.push(node('Conv', ['x', 'K1', 'B1'], ['c1'], { kernel_shape: [k1.shape[0], k1.shape[1]], pads: pad(k1.shape[0]), strides: [1, 1] }));
  nodes.push(node('Relu', ['c1'], ['r1']), node('MaxPool', ['r1'], ['p1'], { kernel_shape: [2, 2], strides: [2, 2] }));
  nodes.push(node('Conv', ['p1', 'K2', 'B2'], ['c2'], { kernel_shape: [k2.shape[0], k2.shape[1]], pads: pad(k2.shape[0]), strides: [1, 1] }));
  nodes.push(node('Relu', ['c2'], ['r2']), node('MaxPool', ['r2'], ['p2'], { kernel_shape: [2, 2], strides: [2, 2] }));
  nodes.push(node('Reshape', ['p2', 'shape'], ['f']), node('MatMul', ['f', 'W'], ['h']), node('Add', ['h', 'b'], ['z']), node('Softmax', ['z'], ['y'], { axis: -1 }));
  return modelProto({ name: 'cnn', nodes, initializers: init, inputs: [valueInfo('x', ['N', 1, 28, 28])], outputs: [valueInfo('y', ['N', 10])] });
}

async function loadOrt() {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.simd = true;
  ort.env.logLevel = 'error';
  return ort;
}

const inDims = (kind, n) => (kind === 'mlp' ? [n, 784] : [n, 1, 28, 28]);

async function e2e(cfg) {
  const saved = JSON.parse(fs.readFileSync(path.resolve(root, cfg.weights), 'utf8'));
  const kind = cfg.model;
  const bytes = buildOnnx(kind, saved.weights);
  if (cfg.saveOnnx) fs.writeFileSync(path.resolve(root, cfg.saveOnnx), bytes);
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const d = await loadMnist({ trainLimit: 1, testLimit: cfg.testLimit || undefined });
  const B = cfg.inferBatch;
  const run = async (start, n) => {
    const x = new ort.Tensor('float32', d.testX.subarray(start * 784, (start + n) * 784), inDims(kind, n));
    const r = await session.run({ x });
    return r.y.data;
  };
  // Accuracy of the exported model (must equal simdnet's: checks the writer).
  const probs = new Float32Array(d.nTest * 10);
  for (let s = 0; s < d.nTest; s += B) probs.set(await run(s, Math.min(B, d.nTest - s)), s * 10);
  const out = { library: 'onnxruntime-web', model: kind, executionProvider: 'wasm', threads: 1, onnxBytes: bytes.length };
  out.testAccuracy = accuracy(probs, d.testY);
  out.simdnetAccuracy = saved.testAccuracy;
  out.testSamples = d.nTest;
  const nInf = Math.min(d.nTest, Math.max(B, Math.floor(Math.min(cfg.inferSamples, d.nTest) / B) * B));
  await run(0, Math.min(B, nInf));
  const rates = [];
  for (let r = 0; r < cfg.inferReps; r++) {
    const t0 = now();
    for (let s = 0; s < nInf; s += B) await run(s, Math.min(B, nInf - s));
    rates.push(nInf / ((now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  out.infer = { samples: nInf, batch: B, samplesPerSec: rates[rates.length >> 1] };
  await session.release?.();
  return out;
}

async function cold(cfg) {
  const bytes = fs.readFileSync(path.resolve(root, cfg.onnx));
  const t0 = now();
  const ort = await loadOrt();
  const tImport = now();
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const tReady = now();
  const r = await session.run({ x: new ort.Tensor('float32', new Float32Array(784), inDims(cfg.model, 1)) });
  void r.y.data[0];
  const t1 = now();
  return { library: 'onnxruntime-web', model: cfg.model, coldStartMs: t1 - t0, importMs: tImport - t0, initMs: tReady - tImport, firstPredictMs: t1 - tReady, note: 'session created from an ONNX file already on disk' };
}

await childMain(import.meta.url, { e2e, cold });
