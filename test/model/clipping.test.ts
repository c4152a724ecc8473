// Gradient clipping (Keras's clipnorm, clipvalue, globalClipnorm) on every optimizer. TF.js's
// optimizers do not clip, so the reference is a float64 computation: the clipping pass over
// gradient blocks laid out as a model lays them out (tensors padded to 4 floats, several
// segments) against tf.clip_by_norm / clip_by_global_norm / clip_by_value written out in f64;
// and training steps against w − lr·clip(g) with g from utils.gradients at the same weights.
import { beforeAll, describe, expect, it } from 'vitest';
import { init, layers, optimizers, sequential, setSeed, tensor, train, utils, type LayersModel, type Tensor } from '../../src/index.ts';
import { type GradSegment, Optimizer } from '../../src/optimizers/index.ts';
import { backend } from '../../src/wasm/loader.ts';
import { Random } from '../../src/random.ts';

beforeAll(async () => {
  await init({ deterministic: true });
});

// ---------------------------------------------------------------------------------------------
// float64 references (TensorFlow's definitions)
// ---------------------------------------------------------------------------------------------

/** tf.clip_by_norm: t·c / max(‖t‖, c). */
function refClipNorm(t: Float64Array, c: number): Float64Array {
  const n = Math.sqrt(t.reduce((s, v) => s + v * v, 0));
  return t.map((v) => (v * c) / Math.max(n, c));
}
/** tf.clip_by_global_norm: every t·c·min(1/‖all‖, 1/c), NaN when ‖all‖ is not finite. */
function refClipGlobal(ts: Float64Array[], c: number): Float64Array[] {
  const n = Math.sqrt(ts.reduce((s, t) => s + t.reduce((q, v) => q + v * v, 0), 0));
  const scale = Number.isFinite(n) ? c * Math.min(1 / n, 1 / c) : NaN;
  return ts.map((t) => t.map((v) => v * scale));
}
const refClipValue = (t: Float64Array, c: number) => t.map((v) => Math.min(Math.max(v, -c), c));

// ---------------------------------------------------------------------------------------------
// The clipping pass over gradient blocks
// ---------------------------------------------------------------------------------------------

const pad4 = (n: number) => (n + 3) & ~3;

/** Segments laid out as params.ts does: each a run of tensors, each tensor padded to 4 floats. */
function layout(sizesPerSegment: number[][], seed: number, scale: number[] = []): { segs: GradSegment[]; values: Float64Array[]; read: () => Float64Array[]; guard: () => void } {
  const { arena } = backend();
  const r = new Random(seed);
  const segs: GradSegment[] = [];
  const values: Float64Array[] = [];
  const where: { ptr: number; size: number }[] = [];
  let t = 0;
  const blocks: { ptr: number; floats: number }[] = [];
  for (const sizes of sizesPerSegment) {
    let off = 0;
    const params = sizes.map((size) => {
      const p = { offset: off, size };
      off += pad4(size);
      return p;
    });
    const floats = off;
    // One guard float after the block: the pass must not write past it.
    const ptr = arena.alloc((floats + 4) * 4);
    arena.f32.fill(0, ptr >>> 2, (ptr >>> 2) + floats);
    arena.f32[(ptr >>> 2) + floats] = 12345;
    blocks.push({ ptr, floats });
    for (const p of params) {
      const s = scale[t++] ?? 1;
      const v = Float32Array.from({ length: p.size }, () => r.normal() * s);
      arena.f32.set(v, (ptr >>> 2) + p.offset);
      values.push(Float64Array.from(v));
      where.push({ ptr: ptr + p.offset * 4, size: p.size });
    }
    segs.push({ layer: { params }, grad: ptr, floats });
  }
  return {
    segs,
    values,
    read: () => where.map(({ ptr, size }) => Float64Array.from(backend().arena.f32.subarray(ptr >>> 2, (ptr >>> 2) + size))),
    guard: () => {
      const f32 = backend().arena.f32;
      for (const b of blocks) {
        expect(f32[(b.ptr >>> 2) + b.floats]).toBe(12345);
        // Padding stays 0.
        const seg = segs[blocks.indexOf(b)];
        for (const p of seg.layer.params) for (let i = p.offset + p.size; i < pad4(p.offset + p.size); i++) expect(f32[(b.ptr >>> 2) + i]).toBe(0);
      }
    },
  };
}

/** Each entry within rel of its tensor's largest entry (or, with global, of the largest of all tensors). */
function expectClose(got: Float64Array[], want: Float64Array[], rel = 2e-7, global = false): void {
  expect(got.length).toBe(want.length);
  const all = Math.max(...want.map((t) => Math.max(...t.map(Math.abs))));
  got.forEach((g, t) => {
    const scale = global ? all : Math.max(...want[t].map(Math.abs), 1e-30);
    g.forEach((v, i) => {
      if (Number.isNaN(want[t][i])) expect(v).toBeNaN();
      else expect(Math.abs(v - want[t][i]), `tensor ${t} [${i}]: ${v} vs ${want[t][i]}`).toBeLessThanOrEqual(rel * scale);
    });
  });
}

const SIZES = [[1, 3, 4, 5], [17, 64], [129, 2], [7]];

describe('the clipping pass against float64', () => {
  const k = () => backend().kernels;
  it('clipnorm: each tensor rescaled to norm ≤ c, tensors under c untouched', () => {
    const mark = backend().arena.mark();
    // Some tensors well under the threshold, some over.
    const L = layout(SIZES, 1, [0.01, 5, 0.2, 3, 1, 0.05, 2, 0.3, 4]);
    const c = 1.5;
    optimizers.sgd({ clipnorm: c }).clipGradients(k(), L.segs);
    const got = L.read();
    expectClose(got, L.values.map((t) => refClipNorm(t, c)));
    got.forEach((t, i) => expect(Math.sqrt(t.reduce((s, v) => s + v * v, 0))).toBeLessThanOrEqual(c * (1 + 1e-6)));
    // Under the threshold: bit for bit.
    expect(got[0]).toEqual(L.values[0]);
    L.guard();
    backend().arena.release(mark);
  });
  it('globalClipnorm: all tensors scaled together; under the threshold nothing changes', () => {
    const mark = backend().arena.mark();
    const L = layout(SIZES, 2);
    for (const c of [0.5, 3]) {
      const before = L.read();
      optimizers.adam({ globalClipnorm: c }).clipGradients(k(), L.segs);
      expectClose(L.read(), refClipGlobal(before, c));
    }
    const before = L.read();
    const norm = Math.sqrt(before.reduce((s, t) => s + t.reduce((q, v) => q + v * v, 0), 0));
    optimizers.adam({ globalClipnorm: norm * 2 }).clipGradients(k(), L.segs);
    expect(L.read()).toEqual(before);
    L.guard();
    backend().arena.release(mark);
  });
  it('globalClipnorm: a non-finite norm makes every gradient NaN (tf.clip_by_global_norm)', () => {
    const mark = backend().arena.mark();
    const L = layout(SIZES, 3);
    backend().arena.f32[(L.segs[1].grad >>> 2) + 5] = Infinity;
    optimizers.sgd({ globalClipnorm: 1 }).clipGradients(k(), L.segs);
    for (const t of L.read()) for (const v of t) expect(v).toBeNaN();
    backend().arena.release(mark);
  });
  it('clipvalue: each entry clamped to [−c, c], padding untouched', () => {
    const mark = backend().arena.mark();
    const L = layout(SIZES, 4, [3, 3, 3, 3, 3, 3, 3, 3, 3]);
    optimizers.rmsprop({ clipvalue: 0.75 }).clipGradients(k(), L.segs);
    expectClose(L.read(), L.values.map((t) => refClipValue(t, 0.75)), 0);
    L.guard();
    backend().arena.release(mark);
  });
  it('no clipping option: the gradients are left alone', () => {
    const mark = backend().arena.mark();
    const L = layout(SIZES, 5, [9, 9, 9, 9, 9, 9, 9, 9, 9]);
    optimizers.sgd().clipGradients(k(), L.segs);
    expect(L.read()).toEqual(L.values);
    backend().arena.release(mark);
  });
});

// ---------------------------------------------------------------------------------------------
// Training steps
// ---------------------------------------------------------------------------------------------

function net(): LayersModel {
  setSeed(21);
  return sequential({
    layers: [layers.dense({ units: 6, activation: 'tanh', inputShape: [5] }), layers.dense({ units: 4 }), layers.dense({ units: 3, activation: 'softmax' })],
  });
}
function batch(seed: number): { x: Tensor; y: Tensor } {
  const r = new Random(seed);
  return {
    x: tensor(Float32Array.from({ length: 10 * 5 }, () => r.normal() * 2), [10, 5]),
    y: tensor(Int32Array.from({ length: 10 }, () => Math.floor(r.uniform() * 3)), [10], 'int32'),
  };
}
const f64 = (ts: Tensor[]) => ts.map((t) => Float64Array.from(t.dataSync()));

describe('training with clipping: SGD steps against w − lr·clip(g) in float64', () => {
  const cases: [string, Record<string, number>, (g: Float64Array[]) => Float64Array[]][] = [
    ['clipnorm', { clipnorm: 0.05 }, (g) => g.map((t) => refClipNorm(t, 0.05))],
    ['globalClipnorm', { globalClipnorm: 0.1 }, (g) => refClipGlobal(g, 0.1)],
    ['clipvalue', { clipvalue: 0.02 }, (g) => g.map((t) => refClipValue(t, 0.02))],
  ];
  it.each(cases)('%s', async (_, clip, ref) => {
    const lr = 0.5;
    const m = net();
    m.compile({ optimizer: optimizers.sgd({ learningRate: lr, ...clip }), loss: 'sparseCategoricalCrossentropy' });
    let clipped = 0;
    for (let step = 0; step < 4; step++) {
      const { x, y } = batch(step);
      const w = f64(m.getWeights());
      const g = f64(utils.gradients(m, x, y).weights);
      const gc = ref(g);
      clipped += gc.some((t, i) => t.some((v, j) => v !== g[i][j])) ? 1 : 0;
      const want = w.map((t, i) => t.map((v, j) => v - lr * gc[i][j]));
      await m.trainOnBatch(x, y);
      expectClose(f64(m.getWeights()), want, 1e-6, true);
    }
    expect(clipped).toBe(4); // the thresholds bind at every step
    m.dispose();
  });
});

describe('every optimizer clips', () => {
  const makers: [string, (clip: Record<string, number>) => Optimizer][] = [
    ['sgd', (c) => optimizers.sgd({ learningRate: 0.1, ...c })],
    ['momentum', (c) => optimizers.momentum({ learningRate: 0.1, ...c })],
    ['adagrad', (c) => optimizers.adagrad({ learningRate: 0.1, ...c })],
    ['rmsprop', (c) => optimizers.rmsprop({ learningRate: 0.01, centered: true, ...c })],
    ['adam', (c) => optimizers.adam({ learningRate: 0.01, ...c })],
    ['adamw', (c) => optimizers.adamw({ learningRate: 0.01, ...c })],
    ['adamax', (c) => optimizers.adamax({ learningRate: 0.01, ...c })],
    ['adadelta', (c) => optimizers.adadelta({ learningRate: 1, ...c })],
  ];
  it.each(makers)('%s: a binding globalClipnorm equals the gradient scaled by c/‖g‖ (a loss weight), a loose one changes nothing', async (_, make) => {
    const { x, y } = batch(7);
    const ref = net();
    ref.compile({ optimizer: make({}), loss: 'sparseCategoricalCrossentropy' });
    const g = f64(utils.gradients(ref, x, y).weights);
    const norm = Math.sqrt(g.reduce((s, t) => s + t.reduce((q, v) => q + v * v, 0), 0));
    const c = norm / 4;
    // The clipped twin and a twin whose loss gradient is scaled by c/‖g‖ (compile's loss weight).
    const a = net();
    a.setWeights(ref.getWeights());
    a.compile({ optimizer: make({ globalClipnorm: c }), loss: 'sparseCategoricalCrossentropy' });
    const b = net();
    b.setWeights(ref.getWeights());
    b.compile({ optimizer: make({}), loss: 'sparseCategoricalCrossentropy', lossWeights: [c / norm] });
    await a.trainOnBatch(x, y);
    await b.trainOnBatch(x, y);
    // Adaptive optimizers divide by √v + ε, so compare the weight change, relative to its size.
    const w0 = f64(ref.getWeights());
    const da = f64(a.getWeights()).map((t, i) => t.map((v, j) => v - w0[i][j]));
    const db = f64(b.getWeights()).map((t, i) => t.map((v, j) => v - w0[i][j]));
    expectClose(da, db, 2e-4);
    // A loose threshold (and a loose clipvalue) is bit for bit the unclipped step.
    const loose = net();
    loose.setWeights(ref.getWeights());
    loose.compile({ optimizer: make({ globalClipnorm: norm * 2 }), loss: 'sparseCategoricalCrossentropy' });
    const loose2 = net();
    loose2.setWeights(ref.getWeights());
    loose2.compile({ optimizer: make({ clipvalue: 1e6 }), loss: 'sparseCategoricalCrossentropy' });
    await ref.trainOnBatch(x, y);
    await loose.trainOnBatch(x, y);
    await loose2.trainOnBatch(x, y);
    expect(f64(loose.getWeights())).toEqual(f64(ref.getWeights()));
    expect(f64(loose2.getWeights())).toEqual(f64(ref.getWeights()));
    // And the binding clip did change the step.
    expect(f64(a.getWeights())).not.toEqual(f64(ref.getWeights()));
    for (const mm of [ref, a, b, loose, loose2]) mm.dispose();
  });
});

describe('clipping options', () => {
  it('are Keras options on every factory, in getConfig when set', () => {
    expect(optimizers.adam({ clipnorm: 1 }).getConfig()).toMatchObject({ clipnorm: 1 });
    expect(optimizers.sgd({ clipvalue: 0.5 }).getConfig()).toEqual({ learningRate: 0.01, momentum: 0, nesterov: false, clipvalue: 0.5 });
    expect(optimizers.momentum({ globalClipnorm: 2 }).globalClipnorm).toBe(2);
    expect(optimizers.sgd().getConfig()).toEqual({ learningRate: 0.01, momentum: 0, nesterov: false });
    expect(optimizers.adadelta().clipnorm).toBeNull();
  });
  it('are checked: positive numbers, at most one, fixed after construction', () => {
    expect(() => optimizers.adam({ clipnorm: 0 })).toThrow(/optimizers\.adam: clipnorm/);
    expect(() => optimizers.sgd({ clipvalue: -1 })).toThrow(/optimizers\.sgd: clipvalue/);
    expect(() => optimizers.rmsprop({ globalClipnorm: NaN })).toThrow(/optimizers\.rmsprop: globalClipnorm/);
    expect(() => optimizers.adagrad({ clipnorm: '1' as never })).toThrow(/optimizers\.adagrad: clipnorm/);
    expect(() => optimizers.adam({ clipnorm: 1, clipvalue: 1 })).toThrow(/only one of clipnorm, clipvalue and globalClipnorm can be set.*clipnorm 1 and clipvalue 1/);
    expect(() => optimizers.adam({ clipNorm: 1 } as never)).toThrow(/unknown option clipNorm/);
    const o = optimizers.sgd({ clipnorm: 1 });
    expect(() => {
      (o as { clipnorm: number }).clipnorm = 5;
    }).toThrow();
    expect(o.clipnorm).toBe(1);
  });
  it("tf.train's positional forms have no clipping (TF.js's have none): their optimizers do not clip", () => {
    expect(train.adam(0.1).clipnorm).toBeNull();
  });
});
