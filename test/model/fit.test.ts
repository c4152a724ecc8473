// fit / evaluate / predict / callbacks / history / weights / save.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { callbacks, init, initializers, layers, optimizers, regularizers, sequential, setSeed, tensor, type Tensor } from '../../src/index.ts';
import { ProgressBar } from '../../src/model/progress.ts';
import { Random } from '../../src/random.ts';
import { rows } from '../../src/tensor.ts';

/** evaluate's scalar tensors as numbers. */
const nums = (r: Tensor | Tensor[]) => (Array.isArray(r) ? r : [r]).map((t) => t.dataSync()[0]);

beforeAll(async () => {
  await init({ deterministic: true });
});

/** Two Gaussian blobs per class in 4-D, 3 classes: learnable, not trivially. */
function blobs(n: number, seed = 1): { x: Tensor; y: Tensor } {
  const r = new Random(seed);
  const x = new Float32Array(n * 4);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    y[i] = c;
    for (let j = 0; j < 4; j++) x[i * 4 + j] = (j === c ? 2 : 0) + r.normal() * 0.7;
  }
  return { x: tensor(x, [n, 4]), y: tensor(y, [n], 'int32') };
}

function model(opt: Parameters<ReturnType<typeof sequential>['compile']>[0]['optimizer'] = 'adam') {
  setSeed(3);
  const m = sequential({
    layers: [layers.dense({ units: 16, activation: 'relu', inputShape: [4] }), layers.dense({ units: 3, activation: 'softmax' })],
  });
  m.compile({ optimizer: opt, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

describe('fit', () => {
  const { x, y } = blobs(600);

  it('returns a History with loss, metrics and validation metrics per epoch', async () => {
    const m = model(optimizers.adam({ learningRate: 0.01 }));
    const h = await m.fit(x, y, { epochs: 4, batchSize: 32, validationSplit: 0.2, verbose: 0 });
    expect(h.epoch).toEqual([0, 1, 2, 3]);
    expect(Object.keys(h.history).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    expect(h.params).toMatchObject({ samples: 480, validationSamples: 120, steps: 15, batchSize: 32 });
    expect(h.history.loss[3]).toBeLessThan(h.history.loss[0]);
    expect(h.history.val_acc[3]).toBeGreaterThan(0.85);
    // The reported validation figures equal evaluate() on the last 20%.
    const [vl, va] = nums(m.evaluate(rows(x, 480), rows(y, 480)));
    expect(vl).toBeCloseTo(h.history.val_loss[3], 5);
    expect(va).toBeCloseTo(h.history.val_acc[3], 5);
  });

  it('validationData, initialEpoch and the "acc" metric name', async () => {
    setSeed(3);
    const m = sequential({ layers: [layers.dense({ units: 3, activation: 'softmax', inputShape: [4] })] });
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['acc'] });
    const v = blobs(90, 2);
    const h = await m.fit(x, y, { epochs: 3, initialEpoch: 1, validationData: [v.x, v.y], verbose: 0 });
    expect(h.epoch).toEqual([1, 2]);
    expect(Object.keys(h.history).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
  });

  it('calls hooks in order with logs; a partial last batch has its own size', async () => {
    const m = model();
    const events: string[] = [];
    const sizes: number[] = [];
    await m.fit(rows(x, 0, 70), rows(y, 0, 70), {
      epochs: 2,
      batchSize: 32,
      verbose: 0,
      callbacks: {
        onTrainBegin: () => void events.push('trainBegin'),
        onEpochBegin: (e) => void events.push(`epochBegin${e}`),
        onBatchEnd: (_b, logs) => void sizes.push(logs!.size),
        onEpochEnd: async (e, logs) => {
          await new Promise((r) => setTimeout(r, 1));
          events.push(`epochEnd${e}:${Object.keys(logs!).join(',')}`);
        },
        onTrainEnd: () => void events.push('trainEnd'),
      },
    });
    expect(events).toEqual(['trainBegin', 'epochBegin0', 'epochEnd0:loss,acc', 'epochBegin1', 'epochEnd1:loss,acc', 'trainEnd']);
    expect(sizes).toEqual([32, 32, 6, 32, 32, 6]);
  });

  it('shuffle: false and a fixed seed make fit reproducible', async () => {
    const run = async (shuffle: boolean) => {
      setSeed(11);
      const m = model();
      setSeed(12);
      return (await m.fit(x, y, { epochs: 2, batchSize: 50, shuffle, verbose: 0 })).history.loss;
    };
    expect(await run(true)).toEqual(await run(true));
    expect(await run(false)).toEqual(await run(false));
    expect(await run(false)).not.toEqual(await run(true));
  });

  it('earlyStopping stops after `patience` epochs without improvement and can restore the best weights', async () => {
    const m = model(optimizers.sgd({ learningRate: 5 })); // diverges: val_loss gets worse
    const es = callbacks.earlyStopping({ monitor: 'val_loss', patience: 1, restoreBestWeights: true });
    const h = await m.fit(x, y, { epochs: 20, batchSize: 32, validationSplit: 0.2, verbose: 0, callbacks: [es] });
    expect(h.epoch.length).toBeLessThan(20);
    const best = Math.min(...h.history.val_loss);
    expect(es.best).toBe(best);
    expect(h.epoch.length).toBe(es.bestEpoch + 1 + 2);
    expect(nums(m.evaluate(rows(x, 480), rows(y, 480)))[0]).toBeCloseTo(best, 4);
  });

  it('earlyStopping with an unknown monitor says what the logs hold', async () => {
    const m = model();
    await expect(m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [callbacks.earlyStopping()] })).rejects.toThrow(
      /monitor 'val_loss' is not in the logs \(loss, acc\)/,
    );
  });

  it('yields to the event loop during long epochs', async () => {
    const m = model();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    await m.fit(blobs(6000).x, blobs(6000).y, { epochs: 2, batchSize: 8, verbose: 0, yieldEvery: 5 });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});

describe('optimizers, losses and metrics train', () => {
  const { x, y } = blobs(300);
  const cases: [string, () => Parameters<ReturnType<typeof model>['compile']>[0]['optimizer']][] = [
    ['sgd', () => 'sgd'],
    ['momentum', () => optimizers.sgd({ learningRate: 0.05, momentum: 0.9 })],
    ['nesterov', () => optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true })],
    ['adagrad', () => optimizers.adagrad({ learningRate: 0.1 })],
    ['rmsprop', () => 'rmsprop'],
    ['adam', () => 'adam'],
    ['adamw', () => optimizers.adamw({ learningRate: 0.01 })],
  ];
  for (const [name, opt] of cases) {
    it(`${name} lowers the loss`, async () => {
      const m = model(opt());
      const h = await m.fit(x, y, { epochs: 5, batchSize: 16, verbose: 0 });
      expect(h.history.loss[4]).toBeLessThan(h.history.loss[0] * 0.9);
    });
  }

  it('categorical cross-entropy with one-hot targets equals the sparse loss', () => {
    const m = model();
    const onehot = tensor(Float32Array.from({ length: 300 * 3 }, (_, i) => (y.values[Math.floor(i / 3)] === i % 3 ? 1 : 0)), [300, 3]);
    const sparse = nums(m.evaluate(x, y));
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const dense = nums(m.evaluate(x, onehot));
    expect(dense[0]).toBeCloseTo(sparse[0], 5);
    expect(dense[1]).toBeCloseTo(sparse[1], 10);
  });

  it('mse/mae metrics and a regression', async () => {
    setSeed(4);
    const m = sequential({ layers: [layers.dense({ units: 1, inputShape: [4], kernelRegularizer: regularizers.l2({ l2: 1e-4 }) })] });
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.05 }), loss: 'meanSquaredError', metrics: ['mae', 'mse'] });
    const t = tensor(Float32Array.from({ length: 300 }, (_, i) => x.values[i * 4] * 2 - x.values[i * 4 + 1] + 0.5), [300, 1]);
    const h = await m.fit(x, t, { epochs: 30, batchSize: 30, verbose: 0 });
    const [loss, mae, mse] = nums(m.evaluate(x, t));
    expect(mse).toBeLessThan(0.01);
    expect(mae).toBeLessThan(0.1);
    expect(loss).toBeGreaterThan(mse); // includes the L2 penalty
    expect(h.history.mse.length).toBe(30);
    const w = m.getWeights()[0].dataSync();
    expect(w[0]).toBeCloseTo(2, 1);
    expect(w[1]).toBeCloseTo(-1, 1);
  });
});

describe('weights, predict, summary, save', () => {
  it('predict returns [n, ...outputShape] in any batch size, equal across batch sizes', () => {
    const m = model();
    const { x } = blobs(77);
    const a = m.predict(x, { batchSize: 10 });
    const b = m.predict(x, { batchSize: 77 });
    expect(a.shape).toEqual([77, 3]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    const rowSums = a.arraySync() as number[][];
    for (const r of rowSums) expect(r[0] + r[1] + r[2]).toBeCloseTo(1, 5);
  });

  it('getWeights/setWeights round-trip; countParams; initializers', () => {
    const m = model();
    expect(m.countParams()).toBe(4 * 16 + 16 + 16 * 3 + 3);
    const w = m.getWeights();
    expect(w.map((t) => t.shape)).toEqual([[4, 16], [16], [16, 3], [3]]);
    expect(Array.from(w[1].dataSync())).toEqual(new Array(16).fill(0));
    const limit = Math.sqrt(6 / (4 + 16));
    expect(Math.max(...w[0].dataSync().map(Math.abs))).toBeLessThanOrEqual(limit);
    const m2 = model();
    m2.setWeights(w);
    expect(Array.from(m2.getWeights()[2].dataSync())).toEqual(Array.from(w[2].dataSync()));
    const c = sequential({ layers: [layers.dense({ units: 2, inputShape: [3], kernelInitializer: initializers.constant({ value: 0.5 }), biasInitializer: 'ones' })] });
    expect(Array.from(c.predict([[1, 1, 1]]).dataSync())).toEqual([2.5, 2.5]);
  });

  it('initializers follow their distributions, reproducibly with a seed', () => {
    const out = new Float32Array(20000);
    initializers.heNormal({ seed: 1 }).fill(out, 100, 50);
    const std = Math.sqrt(out.reduce((s, v) => s + v * v, 0) / out.length);
    // He normal is truncated at 2σ: the kept part has std 0.8796·σ.
    expect(std).toBeCloseTo(Math.sqrt(2 / 100) * 0.8796, 2);
    const again = new Float32Array(20000);
    initializers.heNormal({ seed: 1 }).fill(again, 100, 50);
    expect(again).toEqual(out);
    initializers.leCunNormal().fill(out, 100, 50);
    initializers.glorotNormal().fill(out, 100, 50);
    initializers.randomUniform({ minval: 2, maxval: 3 }).fill(out, 1, 1);
    expect(Math.min(...out)).toBeGreaterThanOrEqual(2);
  });

  it('summary lists layers, shapes, parameter counts and arena bytes', () => {
    const m = model();
    const lines: string[] = [];
    m.summary(72, (l) => lines.push(l));
    const text = lines.join('\n');
    expect(text).toMatch(/dense_?\d* \(Dense\)\s+\[null,16\]\s+80/);
    expect(text).toMatch(/\[null,3\]\s+51/);
    expect(text).toMatch(/Total params: 131/);
    expect(text).toMatch(/Arena: [\d.]+ MiB/);
  });

  it('save writes model.json and weights.bin in the TF.js layers format', async () => {
    const m = model();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-'));
    const saved = await m.save(`file://${dir}`);
    const json = JSON.parse(fs.readFileSync(saved.files!.modelJSON, 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.modelTopology.config.layers[0].class_name).toBe('Dense');
    expect(json.modelTopology.config.layers[0].config.units).toBe(16);
    expect(json.weightsManifest[0].weights.map((w: { shape: number[] }) => w.shape)).toEqual([[4, 16], [16], [16, 3], [3]]);
    const raw = fs.readFileSync(saved.files!.weights);
    const bin = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    expect(bin.length).toBe(131);
    expect(Array.from(bin.slice(0, 64))).toEqual(Array.from(m.getWeights()[0].dataSync()));
    await expect(m.save('./nowhere')).rejects.toThrow(/only file:\/\/ URLs/);
  });

  it('the progress bar draws steps, metrics, samples/s and ETA on a terminal, a line per epoch elsewhere', () => {
    const out: string[] = [];
    const tty = { isTTY: true, columns: 200, write: (s: string) => void out.push(s) };
    const bar = new ProgressBar(2, 3, 96, tty);
    bar.onEpochBegin(0);
    for (let b = 0; b < 3; b++) bar.onBatchEnd(b, { loss: 1 - b * 0.1, accuracy: 0.5, size: 32 });
    bar.onEpochEnd(0, { loss: 0.9, accuracy: 0.5 });
    const text = out.join('');
    expect(text).toMatch(/Epoch 1\/2 \[=+\] 3\/3 loss 0\.9000 · accuracy 0\.5000 · [\d,]+ samples\/s · ETA/);
    expect(text).toMatch(/Epoch 1\/2 3\/3 [\d.]+s · loss 0\.9000 · accuracy 0\.5000 · [\d,]+ samples\/s\n/);
    // A pseudo-terminal may report 0 columns.
    const zero = new ProgressBar(1, 1, 8, { isTTY: true, columns: 0, write: () => {} });
    zero.onEpochBegin(0);
    expect(() => zero.onBatchEnd(0, { loss: 1, size: 8 })).not.toThrow();
    expect(() => zero.onEpochEnd(0, { loss: 1 })).not.toThrow();
    const plain: string[] = [];
    const p = new ProgressBar(1, 3, 96, { isTTY: false, write: (s: string) => void plain.push(s) });
    p.onEpochBegin(0);
    p.onBatchEnd(0, { loss: 1, size: 32 });
    p.onEpochEnd(0, { loss: 1 });
    expect(plain).toHaveLength(1);
  });
});
