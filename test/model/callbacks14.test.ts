// Keras's training callbacks: reduceLROnPlateau (on a scripted loss sequence, against the
// learning rates Keras's algorithm gives, worked out by hand below; and in fit),
// learningRateScheduler, modelCheckpoint (saveBestOnly keeps the best epoch's model; filepath
// placeholders; saveWeightsOnly), csvLogger (file content, append, separator).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbacks, init, layers, loadLayersModel, optimizers, sequential, setSeed, tensor, type LayersModel, type Tensor } from '../../src/index.ts';
import { Random } from '../../src/random.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-cb14-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

beforeAll(async () => {
  await init({ deterministic: true });
});

/** A stand-in for the model: what the callbacks touch (an optimizer, save, stopTraining). */
function harness(lr = 1) {
  const saves: { destination: unknown; opts: unknown }[] = [];
  const model = {
    stopTraining: false,
    optimizer: optimizers.sgd({ learningRate: lr }),
    snapshotParams: () => new Float32Array(0),
    restoreParams: () => {},
    save: async (destination: unknown, opts?: unknown) => {
      saves.push({ destination, opts });
      return {};
    },
  };
  return { model, saves };
}

function data(n: number, seed = 1): { x: Tensor; y: Tensor } {
  const r = new Random(seed);
  const x = new Float32Array(n * 4);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let j = 0; j < 4; j++) x[i * 4 + j] = (j === y[i] ? 1.5 : 0) + r.normal();
  }
  return { x: tensor(x, [n, 4]), y: tensor(y, [n], 'int32') };
}
function net(optimizer: ReturnType<typeof optimizers.sgd> | string = 'adam'): LayersModel {
  setSeed(4);
  const m = sequential({ layers: [layers.dense({ units: 8, activation: 'relu', inputShape: [4] }), layers.dense({ units: 3, activation: 'softmax' })] });
  m.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

describe('reduceLROnPlateau', () => {
  it("follows Keras's algorithm on a scripted val_loss sequence (patience, cooldown, minDelta, minLr)", () => {
    const { model } = harness(1);
    const cb = callbacks.reduceLROnPlateau({ factor: 0.5, patience: 2, cooldown: 1, minDelta: 0.01, minLr: 0.2 });
    cb.setModel(model);
    cb.onTrainBegin();
    const losses = [1.0, 0.9, 0.95, 0.895, 0.95, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7];
    // Keras, epoch by epoch (wait / cooldown counters):
    //  e0 1.0 best · e1 0.9 best · e2 0.95 wait 1 · e3 0.895 (not < 0.9 − 0.01) wait 2 → lr 0.5, cooldown 1
    //  e4 cooldown ends, wait 1 · e5 0.7 best · e6 wait 1 · e7 wait 2 → 0.25 · e8 cooldown ends, wait 1
    //  e9 wait 2 → max(0.125, minLr 0.2) = 0.2 · e10 wait 1 · e11, e12: lr = minLr, no further change
    const after = [1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2];
    const logged: number[] = [];
    const lrs = losses.map((v, e) => {
      const logs: Record<string, number> = { loss: v, val_loss: v };
      cb.onEpochEnd(e, logs);
      logged.push(logs.learning_rate);
      return model.optimizer.learningRate;
    });
    expect(lrs).toEqual(after);
    // Keras 3 logs the rate the epoch trained with (read before any reduction).
    expect(logged).toEqual([1, ...after.slice(0, -1)].map(Math.fround));
  });
  it("mode 'auto' maximises an accuracy; reductions multiply the float32 rate", () => {
    const { model } = harness(0.1);
    const cb = callbacks.reduceLROnPlateau({ monitor: 'val_acc', patience: 1, minDelta: 0 });
    expect(cb.mode).toBe('max');
    cb.setModel(model);
    cb.onTrainBegin();
    const accs = [0.5, 0.6, 0.6, 0.55, 0.7, 0.7];
    const lrs = accs.map((v, e) => (cb.onEpochEnd(e, { val_acc: v }), model.optimizer.learningRate));
    const f = Math.fround;
    expect(lrs).toEqual([0.1, 0.1, f(0.1) * 0.1, f(f(0.1) * 0.1) * 0.1, f(f(0.1) * 0.1) * 0.1, f(f(f(0.1) * 0.1) * 0.1) * 0.1]);
  });
  it('in fit: the rate drops between epochs and the history records it', async () => {
    const opt = optimizers.sgd({ learningRate: 0.1 });
    const m = net(opt);
    const { x, y } = data(60);
    // minDelta larger than any change: no epoch improves after the first, so every later epoch reduces.
    const h = await m.fit(x, y, { epochs: 4, batchSize: 20, verbose: 0, callbacks: [callbacks.reduceLROnPlateau({ monitor: 'loss', patience: 0, factor: 0.5, minDelta: 100 })] });
    // Epoch 0 sets the best; each later one reduces after it trained (the logs hold the rate it trained with).
    expect(h.history.learning_rate).toEqual([0.1, 0.1, 0.05, 0.025].map(Math.fround));
    expect(opt.learningRate).toBeCloseTo(0.0125, 9);
    m.dispose();
  });
  it('errors: factor, a scheduled rate, a monitor the logs never hold', async () => {
    expect(() => callbacks.reduceLROnPlateau({ factor: 1 })).toThrow(/reduceLROnPlateau: factor/);
    expect(() => callbacks.reduceLROnPlateau({ patience: -1 })).toThrow(/reduceLROnPlateau: patience/);
    expect(() => callbacks.reduceLROnPlateau({ minLR: 0.1 } as never)).toThrow(/unknown option minLR/);
    const sched = net(optimizers.sgd({ learningRate: optimizers.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 }) }));
    const { x, y } = data(30);
    await expect(sched.fit(x, y, { epochs: 1, verbose: 0, callbacks: [callbacks.reduceLROnPlateau({ monitor: 'loss' })] })).rejects.toThrow(/follows a schedule, so the callback cannot set it/);
    const m = net();
    await expect(m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [callbacks.reduceLROnPlateau()] })).rejects.toThrow(/monitor 'val_loss' is not in the logs.*did you forget validationSplit/);
    sched.dispose();
    m.dispose();
  });
});

describe('learningRateScheduler', () => {
  it("sets the rate at each epoch's start from (epoch, rate), as Keras", async () => {
    const opt = optimizers.sgd({ learningRate: 0.2 });
    const m = net(opt);
    const { x, y } = data(60);
    const seen: [number, number][] = [];
    const cb = callbacks.learningRateScheduler((epoch, lr) => {
      seen.push([epoch, lr]);
      return epoch < 2 ? lr : lr * 0.5;
    });
    const h = await m.fit(x, y, { epochs: 4, batchSize: 30, verbose: 0, callbacks: [cb] });
    expect(seen).toEqual([[0, Math.fround(0.2)], [1, Math.fround(0.2)], [2, Math.fround(0.2)], [3, Math.fround(Math.fround(0.2) * 0.5)]]);
    expect(h.history.learning_rate).toEqual([0.2, 0.2, 0.1, 0.05].map(Math.fround));
    // initialEpoch: the schedule sees the real epoch numbers.
    seen.length = 0;
    await m.fit(x, y, { epochs: 6, initialEpoch: 4, verbose: 0, callbacks: [callbacks.learningRateScheduler((e) => 0.01 * (e + 1))] });
    expect(opt.learningRate).toBeCloseTo(0.06, 12);
    m.dispose();
  });
  it('an async schedule is awaited; a bad rate names the epoch', async () => {
    const opt = optimizers.sgd({ learningRate: 0.2 });
    const m = net(opt);
    const { x, y } = data(30);
    await m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [callbacks.learningRateScheduler(async (e) => 0.3 + e)] });
    expect(opt.learningRate).toBe(1.3);
    await expect(m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [callbacks.learningRateScheduler((e) => (e === 1 ? -1 : 0.1))] })).rejects.toThrow(/the schedule's rate for epoch 1/);
    expect(() => callbacks.learningRateScheduler(0.1 as never)).toThrow(/expected a function/);
    m.dispose();
  });
});

describe('modelCheckpoint', () => {
  it('saveBestOnly saves only on improvement; placeholders as Python formats them', async () => {
    const { model, saves } = harness();
    const cb = callbacks.modelCheckpoint({ filepath: 'file://ckpt/model-{epoch:02d}-{val_loss:.2f}', saveBestOnly: true });
    cb.setModel(model);
    cb.onTrainBegin();
    const seq = [0.9, 0.95, 0.5, 0.5, 0.75, 0.123];
    for (let e = 0; e < seq.length; e++) await cb.onEpochEnd(e, { loss: 1, val_loss: seq[e] });
    expect(saves.map((s) => s.destination)).toEqual(['file://ckpt/model-01-0.90', 'file://ckpt/model-03-0.50', 'file://ckpt/model-06-0.12']);
    expect(cb.saved.map((s) => s.epoch)).toEqual([0, 2, 5]);
    expect(saves[0].opts).toBeUndefined();
  });
  it('every epoch without saveBestOnly; saveWeightsOnly leaves the training config out; other formats', async () => {
    const { model, saves } = harness();
    const cb = callbacks.modelCheckpoint({ filepath: 'indexeddb://m-{epoch}-{loss}-{acc:.1%}-{loss:.3e}-{{x}}-{epoch:3d}', saveWeightsOnly: true });
    cb.setModel(model);
    cb.onTrainBegin();
    await cb.onEpochEnd(0, { loss: 0.000012345, acc: 0.5 });
    await cb.onEpochEnd(9, { loss: 2, acc: 1 });
    expect(saves.map((s) => s.destination)).toEqual(['indexeddb://m-1-1.2345e-05-50.0%-1.234e-05-{x}-  1', 'indexeddb://m-10-2.0-100.0%-2.000e+00-{x}- 10']);
    expect(saves.every((s) => JSON.stringify(s.opts) === '{"includeOptimizer":false}')).toBe(true);
  });
  it('a fixed file:// filepath ends up holding the best epoch (by val_loss) of a real fit', async () => {
    const dir = path.join(tmp(), 'best');
    const m = net(optimizers.sgd({ learningRate: 3 })); // a large rate, so val_loss goes up and down
    const { x, y } = data(90, 2);
    const val = data(45, 3);
    const perEpoch: { val: number; w: Float32Array[] }[] = [];
    const recorder = { onEpochEnd: (_e: number, logs?: Record<string, number>) => void perEpoch.push({ val: logs!.val_loss, w: m.getWeights().map((t) => t.dataSync() as Float32Array) }) };
    const ckpt = callbacks.modelCheckpoint({ filepath: `file://${dir}`, saveBestOnly: true });
    await m.fit(x, y, { epochs: 8, batchSize: 15, verbose: 0, validationData: [val.x, val.y], callbacks: [recorder, ckpt] });
    // Saved exactly at the epochs that beat every earlier one.
    let best = Infinity;
    const improving = perEpoch.flatMap((p, e) => (p.val < best ? ((best = p.val), [e]) : []));
    expect(ckpt.saved.map((s) => s.epoch)).toEqual(improving);
    const bestEpoch = improving[improving.length - 1];
    const loaded = await loadLayersModel(`file://${dir}/model.json`);
    expect(loaded.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(perEpoch[bestEpoch].w.map((w) => Array.from(w)));
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    loaded.dispose();
    m.dispose();
  });
  it('with placeholders, each improvement writes its own folder', async () => {
    const dir = tmp();
    const m = net();
    const { x, y } = data(60);
    const ckpt = callbacks.modelCheckpoint({ filepath: `file://${dir}/e{epoch}`, monitor: 'loss', saveBestOnly: true, saveWeightsOnly: true });
    await m.fit(x, y, { epochs: 3, verbose: 0, callbacks: [ckpt] });
    expect(fs.readdirSync(dir).sort()).toEqual(ckpt.saved.map((s) => `e${s.epoch + 1}`).sort());
    // Weights only: no training configuration in the file.
    const json = JSON.parse(fs.readFileSync(path.join(dir, `e${ckpt.saved[0].epoch + 1}`, 'model.json'), 'utf8'));
    expect(json.trainingConfig).toBeUndefined();
    expect(json.modelTopology).toBeDefined();
    m.dispose();
  });
  it('errors: filepath, a placeholder the logs never hold, options', async () => {
    expect(() => callbacks.modelCheckpoint({ filepath: 5 } as never)).toThrow(/filepath must be a save destination/);
    expect(() => callbacks.modelCheckpoint({ filepath: 'file://a/{epoch' })).toThrow(/unclosed '\{'/);
    expect(() => callbacks.modelCheckpoint({ filepath: 'file://a/{epoch:x}' })).toThrow(/cannot read the placeholder \{epoch:x\}/);
    expect(() => callbacks.modelCheckpoint({ filepath: 'file://a', saveBestOnly: 'yes' } as never)).toThrow(/saveBestOnly: expected true or false/);
    expect(() => callbacks.modelCheckpoint({ filepath: 'file://a', period: 2 } as never)).toThrow(/unknown option period/);
    const m = net();
    const { x, y } = data(30);
    await expect(m.fit(x, y, { epochs: 1, verbose: 0, callbacks: [callbacks.modelCheckpoint({ filepath: 'file://x/{val_los:.2f}' })] })).rejects.toThrow(/placeholder: monitor 'val_los' is not in the logs/);
    m.dispose();
  });
});

describe('csvLogger', () => {
  it('one row per epoch: epoch, then the sorted log keys, as Keras writes them', async () => {
    const file = path.join(tmp(), 'log.csv');
    const m = net();
    const { x, y } = data(60);
    const h = await m.fit(x, y, { epochs: 3, batchSize: 20, verbose: 0, validationSplit: 0.25, callbacks: [callbacks.csvLogger(file)] });
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines[0]).toBe('epoch,acc,loss,val_acc,val_loss');
    expect(lines).toHaveLength(5); // header, 3 rows, the empty string after the last '\n'
    for (let e = 0; e < 3; e++) {
      const cells = lines[e + 1].split(',');
      expect(cells[0]).toBe(String(e));
      expect(cells.slice(1).map(Number)).toEqual(['acc', 'loss', 'val_acc', 'val_loss'].map((k) => h.history[k][e]));
    }
    // A new run replaces the file; append adds rows without a second header.
    await m.fit(x, y, { epochs: 1, verbose: 0, validationSplit: 0.25, callbacks: [callbacks.csvLogger(file)] });
    expect(fs.readFileSync(file, 'utf8').split('\n')).toHaveLength(3);
    await m.fit(x, y, { epochs: 2, verbose: 0, validationSplit: 0.25, callbacks: [callbacks.csvLogger(file, { append: true })] });
    const all = fs.readFileSync(file, 'utf8').split('\n');
    expect(all).toHaveLength(5);
    expect(all.filter((l) => l.startsWith('epoch'))).toHaveLength(1);
    m.dispose();
  });
  it('separator, other callbacks’ keys, Python spellings of values', async () => {
    const file = path.join(tmp(), 'log.tsv');
    const cb = callbacks.csvLogger(`file://${file}`, { separator: '\t' });
    await cb.onTrainBegin();
    await cb.onEpochEnd(0, { loss: 1, learning_rate: 1e-5, acc: NaN });
    await cb.onEpochEnd(1, { loss: 0.25, learning_rate: 1e-5 });
    expect(fs.readFileSync(file, 'utf8')).toBe('epoch\tacc\tlearning_rate\tloss\n0\tnan\t1e-05\t1.0\n1\tNA\t1e-05\t0.25\n');
  });
  it('errors: path, separator, options', () => {
    expect(() => callbacks.csvLogger('')).toThrow(/expected a file path/);
    expect(() => callbacks.csvLogger('a.csv', { separator: ';;' })).toThrow(/separator must be one character/);
    expect(() => callbacks.csvLogger('a.csv', { seperator: ';' } as never)).toThrow(/unknown option seperator/);
  });
});
