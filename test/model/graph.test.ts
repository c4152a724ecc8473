// The layer graph as a user meets it: functional models with several inputs and outputs, shared
// layers (within a model and across models), eager apply, freezing, summary, save, lifecycle
// (dispose, re-plan, a second init) and the errors bad graphs get.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { backend } from '../../src/wasm/loader.ts';
import { toArtifacts } from '../../src/model/save.ts';

const { layers, tensor } = sn;

beforeAll(async () => {
  await sn.init();
  await tf.setBackend('cpu');
});

const data = (n: number, d: number, seed: number) => tensor(Float32Array.from({ length: n * d }, (_, i) => Math.sin(i * 0.37 + seed)), [n, d]);
const labels = (n: number, k: number) => tensor(Int32Array.from({ length: n }, (_, i) => (i * 7) % k), [n], 'int32');
const values = (t: sn.Tensor | sn.Tensor[]) => Array.from((Array.isArray(t) ? t[0] : t).dataSync());

function twoInTwoOut() {
  const a = sn.input({ shape: [5], name: 'a' });
  const b = sn.input({ shape: [5], name: 'b' });
  const shared = layers.dense({ units: 4, activation: 'tanh', name: 'shared' });
  const sa = shared.apply(a);
  const sb = shared.apply(b);
  const merged = layers.concatenate({ name: 'cat' }).apply([layers.add({ name: 'sum' }).apply([sa, sb]), layers.multiply({ name: 'prod' }).apply([sa, sb])]);
  const cls = layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(merged);
  const reg = layers.dense({ units: 2, name: 'reg' }).apply(merged);
  return { m: sn.model({ inputs: [a, b], outputs: [cls, reg], name: 'two' }), shared };
}

describe('functional models', () => {
  it('several inputs and outputs: lists or objects keyed by name, per-output losses, TF.js log names', async () => {
    const { m } = twoInTwoOut();
    expect(m.inputNames).toEqual(['a', 'b']);
    expect(m.outputNames).toEqual(['cls', 'reg']);
    expect(m.layers.map((l) => l.name)).toEqual(['a', 'b', 'shared', 'sum', 'prod', 'cat', 'cls', 'reg']);
    m.compile({ optimizer: 'sgd', loss: { cls: 'sparseCategoricalCrossentropy', reg: 'mse' }, lossWeights: { reg: 0.5 }, metrics: { cls: 'accuracy' } });
    expect(m.metricsNames).toEqual(['loss', 'cls_loss', 'reg_loss', 'cls_acc']);
    const x = [data(12, 5, 1), data(12, 5, 2)];
    const y = [labels(12, 3), data(12, 2, 3)];
    const scalars = (r: sn.Tensor | sn.Tensor[]) => (Array.isArray(r) ? r : [r]).map((t) => (expect(t.shape).toEqual([]), t.dataSync()[0]));
    const ev = scalars(m.evaluate(x, y));
    expect(ev.length).toBe(4);
    expect(ev[0]).toBeCloseTo(ev[1] + 0.5 * ev[2], 5);
    const byName = scalars(m.evaluate({ a: x[0], b: x[1] }, { cls: y[0], reg: y[1] }));
    expect(byName).toEqual(ev);
    const h = await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, validationData: [x, y] });
    expect(Object.keys(h.history).sort()).toEqual(['cls_acc', 'cls_loss', 'loss', 'reg_loss', 'val_cls_acc', 'val_cls_loss', 'val_loss', 'val_reg_loss']);
    const p = m.predict(x) as sn.Tensor[];
    expect(p.map((t) => t.shape)).toEqual([[12, 3], [12, 2]]);
    m.dispose();
  });

  it('a layer applied twice shares one weight block, and both uses add to its gradient', () => {
    const { m, shared } = twoInTwoOut();
    m.compile({ optimizer: 'sgd', loss: ['sparseCategoricalCrossentropy', 'mse'] });
    expect(m.getWeights().length).toBe(6); // shared kernel+bias once, cls, reg
    expect(m.countParams()).toBe(5 * 4 + 4 + 8 * 3 + 3 + 8 * 2 + 2);
    const before = shared.getWeights()[0].dataSync();
    m.trainOnBatch([data(8, 5, 1), data(8, 5, 2)], [labels(8, 3), data(8, 2, 3)]);
    const after = shared.getWeights()[0].dataSync();
    expect(after).not.toEqual(before);
    m.dispose();
  });

  it('a layer in two models shares its weights; each model has its own memory plan; dispose frees with the last user', () => {
    const { arena } = backend();
    const top = arena.top;
    const hidden = layers.dense({ units: 6, activation: 'relu', inputShape: [4], name: 'hidden' });
    const m1 = sn.sequential({ layers: [hidden, layers.dense({ units: 3, activation: 'softmax' })] });
    const inp = sn.input({ shape: [4] });
    const m2 = sn.model({ inputs: inp, outputs: layers.dense({ units: 2 }).apply(hidden.apply(inp)) });
    m1.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    m2.compile({ optimizer: sn.optimizers.sgd({ learningRate: 0.5 }), loss: 'mse' });
    const x = data(10, 4, 5);
    const eagerBefore = values(hidden.apply(x));
    m1.predict(x);
    for (let i = 0; i < 5; i++) m2.trainOnBatch(x, data(10, 2, 6));
    const eagerAfter = values(hidden.apply(x));
    expect(eagerAfter).not.toEqual(eagerBefore);
    // m1 sees m2's training (shared weights), and its own plan is intact: predict = the eager stack.
    const out = layers.dense({ units: 3, activation: 'softmax' });
    expect(out).toBeDefined();
    const p1 = values(m1.predict(x));
    const last = m1.layers[1];
    expect(p1).toEqual(values(last.apply(hidden.apply(x))));
    m1.dispose();
    expect(values(m2.predict(x)).length).toBe(20); // the shared layer lives on in m2
    m2.dispose();
    expect(() => hidden.getWeights()).toThrow(/disposed/);
    expect(arena.top).toBe(top);
  });

  it('eager apply computes a layer on a concrete tensor, as in TF.js', () => {
    const d = layers.dense({ units: 3, inputShape: [2], kernelInitializer: 'ones', biasInitializer: 'ones' });
    const y = d.apply(tensor([[1, 2], [3, 4]]));
    expect(y.shape).toEqual([2, 3]);
    expect(Array.from(y.dataSync())).toEqual([4, 4, 4, 8, 8, 8]);
    const s = layers.add().apply([tensor([[1, 2]]), tensor([[10, 20]])]);
    expect(Array.from(s.dataSync())).toEqual([11, 22]);
    const c = layers.concatenate({ axis: 1 }).apply([tensor([[1, 2]]), tensor([[3]])]);
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3]);
  });

  it('trainable = false freezes a layer at the next compile; gradients still pass through it', () => {
    const inp = sn.input({ shape: [3] });
    const first = layers.dense({ units: 4, activation: 'tanh', name: 'first' });
    const frozen = layers.dense({ units: 4, activation: 'tanh', name: 'frozen' });
    const out = layers.dense({ units: 2, name: 'out' }).apply(frozen.apply(first.apply(inp)));
    const m = sn.model({ inputs: inp, outputs: out });
    frozen.trainable = false;
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const lines: string[] = [];
    m.summary(98, (l) => lines.push(l));
    expect(lines).toContain('Non-trainable params: 20');
    expect(lines).toContain('Trainable params: 26');
    const f0 = frozen.getWeights().map((w) => Array.from(w.dataSync()));
    const a0 = first.getWeights()[0].dataSync();
    m.trainOnBatch(data(6, 3, 1), data(6, 2, 2));
    expect(frozen.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(f0);
    expect(first.getWeights()[0].dataSync()).not.toEqual(a0);
    // Keras order: trainable weights first.
    expect(m.getWeights().map((w) => w.shape)).toEqual([[3, 4], [4], [4, 2], [2], [4, 4], [4]]);
    m.dispose();
  });

  it('summary has a Connected to column for graphs', () => {
    const { m } = twoInTwoOut();
    const lines: string[] = [];
    m.summary(98, (l) => lines.push(l));
    const text = lines.join('\n');
    expect(text).toMatch(/Connected to/);
    expect(text).toMatch(/sum \(Add\) +\[null,4\] +0 +shared\[0\]\[0\]/);
    expect(text).toMatch(/^ +shared\[1\]\[0\]$/m);
    m.dispose();
  });

  it('utils.gradients: of the sum of outputs without y; of the compiled loss with y', () => {
    const a = sn.input({ shape: [2] });
    const b = sn.input({ shape: [2] });
    const m = sn.model({ inputs: [a, b], outputs: layers.multiply().apply([a, b]) });
    const g = sn.utils.gradients(m, [tensor([[1, 2]]), tensor([[3, -4]])]);
    expect(Array.from(g.inputs[0].dataSync())).toEqual([3, -4]);
    expect(Array.from(g.inputs[1].dataSync())).toEqual([1, 2]);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    // mse = mean((a·b − t)²): d/da = 2(a·b − t)·b / 2
    const g2 = sn.utils.gradients(m, [tensor([[1, 2]]), tensor([[3, -4]])], tensor([[0, 0]]));
    expect(Array.from(g2.inputs[0].dataSync())).toEqual([9, 32]);
    m.dispose();
  });

  it('save writes TF.js layers format that TF.js loads and predicts the same', async () => {
    const { m } = twoInTwoOut();
    const x = [data(4, 5, 1), data(4, 5, 2)];
    const ours = (m.predict(x) as sn.Tensor[]).map((t) => Array.from(t.dataSync()));
    const art = toArtifacts(m);
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: art.modelTopology, weightSpecs: art.weightSpecs as tf.io.WeightsManifestEntry[], weightData: art.weightData as ArrayBuffer }));
    const theirs = loaded.predict(x.map((t) => tf.tensor(t.dataSync(), t.shape as number[]))) as tf.Tensor[];
    expect(theirs.length).toBe(2);
    theirs.forEach((t, i) => {
      const v = t.dataSync();
      ours[i].forEach((o, j) => expect(v[j]).toBeCloseTo(o, 5));
    });
    m.dispose();
  });
});

describe('save: TF.js reads what simdnet writes', () => {
  it('a residual CNN with concatenated branches, pooling, regularizers and initializer arguments', async () => {
    const img = sn.input({ shape: [8, 8, 2], name: 'img' });
    const c1 = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1', kernelRegularizer: sn.regularizers.l2({ l2: 0.01 }) }).apply(img);
    const c2 = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'c2', kernelInitializer: sn.initializers.randomNormal({ mean: 0, stddev: 0.2, seed: 3 }) }).apply(c1);
    const res = layers.reLU({ name: 'res_relu' }).apply(layers.add({ name: 'res' }).apply([c1, c2]));
    const side = layers.conv2d({ filters: 3, kernelSize: 1, name: 'side', useBias: false }).apply(img);
    const cat = layers.concatenate({ name: 'cat' }).apply([res, side]);
    const pooled = layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(cat);
    const out = layers.dense({ units: 3, activation: 'softmax', name: 'out', biasInitializer: sn.initializers.constant({ value: 0.1 }) }).apply(layers.flatten({ name: 'flat' }).apply(pooled));
    const m = sn.model({ inputs: img, outputs: out, name: 'rescnn' });
    const x = tensor(Float32Array.from({ length: 3 * 8 * 8 * 2 }, (_, i) => Math.cos(i * 0.11)), [3, 8, 8, 2]);
    const ours = Array.from((m.predict(x) as sn.Tensor).dataSync());
    const art = toArtifacts(m);
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: art.modelTopology, weightSpecs: art.weightSpecs as tf.io.WeightsManifestEntry[], weightData: art.weightData as ArrayBuffer }));
    const theirs = (loaded.predict(tf.tensor(x.dataSync(), [3, 8, 8, 2])) as tf.Tensor).dataSync();
    ours.forEach((o, j) => expect(theirs[j]).toBeCloseTo(o, 5));
    const cfg = (name: string) => loaded.getLayer(name).getConfig() as Record<string, unknown>;
    expect(cfg('c1').kernelRegularizer).toEqual({ className: 'L1L2', config: { l1: 0, l2: 0.01 } });
    expect(cfg('c2').kernelInitializer).toEqual({ className: 'RandomNormal', config: { mean: 0, stddev: 0.2, seed: 3 } });
    expect(cfg('out').biasInitializer).toEqual({ className: 'Constant', config: { value: 0.1 } });
    expect(cfg('side').useBias).toBe(false);
    expect(cfg('cat').axis).toBe(-1);
    expect(loaded.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
    m.dispose();
  });
});

describe('inference plans reuse dead buffers', () => {
  it('a residual, branching CNN predicts bit for bit the same from a smaller inference plan', () => {
    const img = sn.input({ shape: [10, 10, 3] });
    const a = layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'tanh' }).apply(img);
    const b = layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(a);
    const c = layers.conv2d({ filters: 8, kernelSize: 1, activation: 'sigmoid' }).apply(img);
    const sum = layers.add().apply([a, b, c]);
    const p = layers.maxPooling2d({ poolSize: 2 }).apply(layers.concatenate().apply([sum, c]));
    const flat = layers.flatten().apply(p);
    const out1 = layers.dense({ units: 4, activation: 'softmax' }).apply(flat);
    const out2 = layers.dense({ units: 2 }).apply(layers.dense({ units: 6, activation: 'elu' }).apply(flat));
    const m = sn.model({ inputs: img, outputs: [out1, out2] });
    const x = tensor(Float32Array.from({ length: 7 * 300 }, (_, i) => Math.sin(i * 0.05)), [7, 10, 10, 3]);
    const fromInference = (m.predict(x, { batchSize: 7 }) as sn.Tensor[]).map((t) => Array.from(t.dataSync()));
    const inferenceBytes = m.arenaBytes();
    m.compile({ optimizer: 'sgd', loss: ['sparseCategoricalCrossentropy', 'mse'] });
    m.ensurePlan(7, 'train');
    const trainBytes = m.arenaBytes();
    const fromTraining = (m.predict(x, { batchSize: 7 }) as sn.Tensor[]).map((t) => Array.from(t.dataSync()));
    expect(fromTraining).toEqual(fromInference);
    expect(inferenceBytes).toBeLessThan(trainBytes);
    m.dispose();
  });
});

describe('lifecycle', () => {
  it('a graph training step allocates nothing; 20 graph models built, trained and disposed leave the arena where it started', () => {
    const { arena } = backend();
    const top = arena.top;
    const x = [data(16, 5, 1), data(16, 5, 2)];
    const y = [labels(16, 3), data(16, 2, 3)];
    for (let i = 0; i < 20; i++) {
      const { m } = twoInTwoOut();
      m.compile({ optimizer: 'adam', loss: ['sparseCategoricalCrossentropy', 'mse'], metrics: ['accuracy', 'mae'].slice(0, 1) });
      m.trainOnBatch(x, y);
      if (i === 0) {
        const t = arena.top;
        const bytes = arena.memoryBytes;
        for (let s = 0; s < 30; s++) m.trainOnBatch(x, y);
        expect(arena.top).toBe(t);
        expect(arena.memoryBytes).toBe(bytes);
      }
      m.predict(x, { batchSize: 16 });
      sn.utils.gradients(m, x, y);
      m.dispose();
    }
    expect(arena.top).toBe(top);
  });

  it('fit refuses a second concurrent fit and compile while training; dispose during fit ends it with a clear error', async () => {
    const m = sn.sequential({ layers: [layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })] });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const x = data(64, 4, 1);
    const y = labels(64, 3);
    let inner: Promise<unknown> | null = null;
    let compileError = '';
    await m.fit(x, y, {
      epochs: 1,
      batchSize: 8,
      verbose: 0,
      callbacks: {
        onBatchEnd: (b) => {
          if (b !== 0) return;
          inner = m.fit(x, y, { verbose: 0 });
          try {
            m.compile({ optimizer: 'sgd', loss: 'mse' });
          } catch (e) {
            compileError = (e as Error).message;
          }
        },
      },
    });
    await expect(inner).rejects.toThrow(/already training/);
    expect(compileError).toMatch(/is training/);
    await expect(m.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, callbacks: { onBatchEnd: (b) => void (b === 2 && m.dispose()) } })).rejects.toThrow(/disposed during training/);
  });
});

describe('bad graphs get clear errors', () => {
  it('names the layers and shapes', () => {
    const a = sn.input({ shape: [4], name: 'in_a' });
    const b = sn.input({ shape: [4], name: 'in_b' });
    const c = sn.input({ shape: [3], name: 'in_c' });
    const ya = layers.dense({ units: 2, name: 'da' }).apply(a);
    expect(() => sn.model({ inputs: a, outputs: layers.add({ name: 'ab' }).apply([ya, layers.dense({ units: 2 }).apply(b)]) })).toThrow(/depends on input in_b .* not in the model's inputs/);
    expect(() => sn.model({ inputs: [a, b], outputs: ya })).toThrow(/input in_b never reaches an output/);
    expect(() => layers.add({ name: 'bad_add' }).apply([a, c])).toThrow(/bad_add: Add needs inputs of one shape, got \[4\], \[3\]/);
    expect(() => layers.concatenate({ name: 'bad_cat', axis: 1 }).apply([sn.input({ shape: [2, 3] }), sn.input({ shape: [4, 5] })])).toThrow(/bad_cat: inputs must match except on axis 1/);
    const conv = layers.conv2d({ filters: 2, kernelSize: 3, name: 'cv' });
    expect(() => conv.apply(a)).toThrow(/cv: expects input \[height, width, channels\], got \[4\]/);
    const d = layers.dense({ units: 2, name: 'reused' });
    d.apply(a);
    expect(() => d.apply(c)).toThrow(/reused: built for input \[4\] but now receives \[3\]/);
    expect(() => layers.add().apply(a)).toThrow(/expects at least 2 inputs, got 1/);
    expect(() => sn.model({ inputs: [a], outputs: [5 as unknown as sn.SymbolicTensor] })).toThrow(/expected a symbolic tensor/);
    const m = sn.model({ inputs: [a, b], outputs: layers.add().apply([a, b]) });
    expect(() => m.predict([data(2, 4, 1)])).toThrow(/has 2 inputs \(in_a, in_b\), got 1 tensors/);
    expect(() => m.predict({ in_a: data(2, 4, 1) })).toThrow(/missing input 'in_b'/);
    expect(() => m.predict({ in_a: data(2, 4, 1), in_b: data(2, 4, 1), zz: data(2, 4, 1) })).toThrow(/unknown input name 'zz'/);
    expect(() => m.predict([data(2, 4, 1), data(3, 4, 1)])).toThrow(/in_a has 2 samples but input in_b has 3/);
    expect(() => m.compile({ optimizer: 'sgd', loss: ['mse', 'mse'] })).toThrow(/loss has 2 entries but the model has 1 outputs/);
  });
});

describe('init', () => {
  it('a second init() without options keeps live models; with options, old models fail clearly', async () => {
    const m = sn.sequential({ layers: [layers.dense({ units: 2, inputShape: [3] })] });
    const before = values(m.predict(data(2, 3, 1)));
    await sn.init();
    expect(values(m.predict(data(2, 3, 1)))).toEqual(before);
    await sn.init({ deterministic: true });
    expect(() => m.predict(data(2, 3, 1))).toThrow(/a later init\(\) replaced/);
    const fresh = sn.sequential({ layers: [layers.dense({ units: 2, inputShape: [3] })] });
    expect(values(fresh.predict(data(2, 3, 1))).length).toBe(4);
  });
});
