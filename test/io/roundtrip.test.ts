// Round trips. simdnet-saved Sequential and functional models (every layer family TF.js also
// has) load in TF.js from their files and predict the same; they load back in simdnet with the
// same predictions, bit for bit; and save → load → save writes byte-identical model.json and
// weights.bin. Also: layer options that do not change predictions (trainable, regularizers,
// initializers) survive the trip.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { initTfjs, Rng, tf, tfl } from '../helpers/tfjs.ts';
import { fileUrl, maxAbsDiff, memoryState, removeTmpDirs, tfLoadDir, tmpDir, loadModel } from './fixtures.ts';

const { layers, initializers, regularizers } = sn;
const TOL = 2e-5;

const load = loadModel;

beforeAll(async () => {
  await sn.init({ deterministic: true });
  await initTfjs();
});
afterAll(removeTmpDirs);

const values = (seed: number, n: number) => {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => r.uniform(-1, 1));
};

/** Gives every weight seeded values (biases included), so a lost bias or a swapped kernel shows. */
function randomize(m: sn.LayersModel, seed: number): void {
  m.setWeights(m.getWeights().map((w, i) => sn.tensor(values(seed + i, w.size), [...w.shape])));
}

/** A Sequential through most layer families: conv 2D/1D, pooling, flatten, reshape, activations. */
function sequentialModel(): sn.Sequential {
  sn.setSeed(3);
  const m = sn.sequential({
    name: 'seq_roundtrip',
    layers: [
      layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [10, 10, 2], kernelRegularizer: regularizers.l2({ l2: 1e-3 }), name: 'c1' }),
      layers.maxPooling2d({ poolSize: 2, name: 'p1' }),
      layers.conv2d({ filters: 6, kernelSize: [3, 2], padding: 'valid', activation: 'elu', useBias: false, name: 'c2' }),
      layers.averagePooling2d({ poolSize: 2, strides: 1, name: 'p2' }),
      layers.flatten({ name: 'flat' }),
      layers.dense({ units: 12, biasInitializer: initializers.constant({ value: 0.1 }), name: 'd1' }),
      layers.leakyReLU({ alpha: 0.2, name: 'lrelu' }),
      layers.reshape({ targetShape: [3, 4], name: 'reshape' }),
      layers.conv1d({ filters: 5, kernelSize: 2, activation: 'tanh', name: 'c3' }),
      layers.globalMaxPooling1d({ name: 'gmp' }),
      layers.dense({ units: 4, kernelInitializer: initializers.heNormal({ seed: 5 }), name: 'd2' }),
      layers.softmax({ name: 'probs' }),
    ],
  });
  randomize(m, 100);
  return m;
}

/** Two inputs, two outputs, a shared layer, and the merge layers TF.js has (no Subtract there). */
function functionalModel(): sn.LayersModel {
  sn.setSeed(4);
  const a = sn.input({ shape: [6, 3], name: 'seq_in' });
  const b = sn.input({ shape: [5], name: 'vec_in' });
  const c1 = layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }).apply(a) as sn.SymbolicTensor;
  const c2 = layers.conv1d({ filters: 4, kernelSize: 1, name: 'c2' }).apply(a) as sn.SymbolicTensor;
  const mul = layers.multiply({ name: 'mul' }).apply([c1, c2]) as sn.SymbolicTensor;
  const avg = layers.average({ name: 'avg' }).apply([c1, c2]) as sn.SymbolicTensor;
  const mx = layers.maximum({ name: 'max' }).apply([mul, avg]) as sn.SymbolicTensor;
  const mn = layers.minimum({ name: 'min' }).apply([mul, avg]) as sn.SymbolicTensor;
  const cat = layers.concatenate({ name: 'cat' }).apply([mx, mn]) as sn.SymbolicTensor;
  const pooled = layers.globalAveragePooling1d({ name: 'gap' }).apply(layers.averagePooling1d({ poolSize: 2, name: 'ap' }).apply(cat) as sn.SymbolicTensor) as sn.SymbolicTensor;
  const v = layers.dense({ units: 8, activation: 'sigmoid', name: 'v' }).apply(b) as sn.SymbolicTensor;
  const shared = layers.dense({ units: 8, activation: 'tanh', name: 'shared' });
  const s = layers.add({ name: 'sum' }).apply([shared.apply(pooled) as sn.SymbolicTensor, shared.apply(v) as sn.SymbolicTensor]) as sn.SymbolicTensor;
  const d = layers.dot({ axes: 1, name: 'dot' }).apply([s, v]) as sn.SymbolicTensor;
  const out1 = layers.dense({ units: 3, activation: 'softmax', name: 'out1' }).apply(s) as sn.SymbolicTensor;
  const out2 = layers.dense({ units: 2, name: 'out2' }).apply(layers.concatenate({ name: 'cat2' }).apply([d, s]) as sn.SymbolicTensor) as sn.SymbolicTensor;
  const m = sn.model({ inputs: [a, b], outputs: [out1, out2], name: 'fn_roundtrip' });
  randomize(m, 200);
  return m;
}

const MODELS: { title: string; make: () => sn.LayersModel; inputs: number[][] }[] = [
  { title: 'Sequential (conv 2D/1D, pooling, reshape, activations)', make: sequentialModel, inputs: [[10, 10, 2]] },
  { title: 'functional (two inputs and outputs, a shared layer, every merge TF.js has)', make: functionalModel, inputs: [[6, 3], [5]] },
];

function predictSn(m: sn.LayersModel, xs: [Float32Array, number[]][]): Float32Array[] {
  const t = xs.map(([v, s]) => sn.tensor(v, s));
  const r = m.predict(t.length === 1 ? t[0] : t);
  return (Array.isArray(r) ? r : [r]).map((x) => x.dataSync() as Float32Array);
}
function predictTf(m: tfl.LayersModel, xs: [Float32Array, number[]][]): Float32Array[] {
  const r = m.predict(xs.length === 1 ? tf.tensor(xs[0][0], xs[0][1]) : xs.map(([v, s]) => tf.tensor(v, s)));
  return (Array.isArray(r) ? r : [r]).map((x) => x.dataSync() as Float32Array);
}
const read = (dir: string) => ({ json: fs.readFileSync(path.join(dir, 'model.json')), bin: fs.readFileSync(path.join(dir, 'weights.bin')) });

describe('simdnet-saved models: TF.js reads them, simdnet reads them back, saving again changes no byte', () => {
  for (const c of MODELS) {
    it(c.title, async () => {
      const m = c.make();
      const n = 4;
      const xs = c.inputs.map((s, i) => [values(50 + i, n * s.reduce((a, b) => a * b, 1)), [n, ...s]] as [Float32Array, number[]]);
      const ours = predictSn(m, xs);
      const d1 = tmpDir();
      await m.save(`file://${d1}`);

      // TF.js from the files.
      const theirs = predictTf(await tfLoadDir(d1), xs);
      expect(theirs.length).toBe(ours.length);
      ours.forEach((o, i) => expect(maxAbsDiff(o, theirs[i]), `TF.js output ${i}`).toBeLessThanOrEqual(TOL));

      // simdnet from the files: the same model, the same numbers bit for bit.
      const back = await load(fileUrl(path.join(d1, 'model.json')));
      expect(back.isSequential).toBe(m.isSequential);
      expect(back.name).toBe(m.name);
      expect(back.layers.map((l) => `${l.name}:${l.className}`)).toEqual(m.layers.map((l) => `${l.name}:${l.className}`));
      expect(back.countParams()).toBe(m.countParams());
      predictSn(back, xs).forEach((o, i) => expect(Array.from(o), `reloaded output ${i}`).toEqual(Array.from(ours[i])));

      // save → load → save: the same bytes.
      const d2 = tmpDir();
      await back.save(`file://${d2}`);
      const [f1, f2] = [read(d1), read(d2)];
      expect(f2.json.toString('utf8')).toBe(f1.json.toString('utf8'));
      expect(f2.bin.equals(f1.bin), 'weights.bin differs').toBe(true);

      // And once more from the second copy, through the in-memory sources.
      const j = JSON.parse(f2.json.toString('utf8'));
      const wd = f2.bin.buffer.slice(f2.bin.byteOffset, f2.bin.byteOffset + f2.bin.byteLength);
      const again = await load({ modelJSON: j, weightData: wd });
      predictSn(again, xs).forEach((o, i) => expect(Array.from(o)).toEqual(Array.from(ours[i])));
      for (const x of [m, back, again]) x.dispose();
    });
  }

  it('trainable: false, regularizers and initializer arguments survive the trip', async () => {
    const m = sequentialModel();
    m.getLayer('c1').trainable = false;
    const d = tmpDir();
    await m.save(`file://${d}`);
    const back = await load(fileUrl(path.join(d, 'model.json')));
    expect(back.getLayer('c1').trainable).toBe(false);
    expect(back.getLayer('d1').trainable).toBe(true);
    const cfg = (name: string) => JSON.parse(JSON.stringify(back.getLayer(name).getConfig()));
    const orig = (name: string) => JSON.parse(JSON.stringify(m.getLayer(name).getConfig()));
    for (const name of ['c1', 'c2', 'd1', 'lrelu', 'reshape', 'c3', 'd2']) expect(cfg(name), name).toEqual(orig(name));
    // The weights file lists trainable weights first (TF.js's getWeights order): reloading must match by name.
    const again = tmpDir();
    await back.save(`file://${again}`);
    expect(read(again).json.equals(read(d).json)).toBe(true);
    expect(read(again).bin.equals(read(d).bin)).toBe(true);
    m.dispose();
    back.dispose();
  });

  it('loading and disposing 20 models gives every byte of the arena back', async () => {
    const m = functionalModel();
    const d = tmpDir();
    await m.save(`file://${d}`);
    m.dispose();
    const before = memoryState();
    for (let i = 0; i < 20; i++) {
      const x = await load(fileUrl(path.join(d, 'model.json')));
      x.predict([sn.tensor(new Float32Array(2 * 18), [2, 6, 3]), sn.tensor(new Float32Array(10), [2, 5])]);
      x.dispose();
    }
    expect(memoryState().top).toBe(before.top);
  });
});
