// model.save: never hangs (procfs), and is atomic against failures — a fault injected at each
// write, backup and rename step leaves the model saved there before intact and loadable (by
// TF.js too), with no temporary files left behind.
import fs from 'node:fs';
import { faulty } from '../helpers/faulty-fs.ts';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layers, referenceModel, rejects, sn, stillTrains, x4 } from './helpers.ts';
import { type FileOps as SaveIO, nodeFileOps as nodeSaveIO, saveHandler } from '../../src/io/handlers.ts';
import { toArtifacts } from '../../src/model/save.ts';
import type { LayersModel } from '../../src/index.ts';

/** A file:// save through the given file operations (faults are injected through them). */
const saveModel = async (m: LayersModel, url: string, io: SaveIO) => (await saveHandler(url, { fileOps: io }).save!(toArtifacts(m))).files!;

let ref: sn.Sequential;
const dirs: string[] = [];
const tmpDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-save-'));
  dirs.push(d);
  return d;
};
beforeAll(async () => {
  await sn.init();
  await tf.setBackend('cpu');
  ref = referenceModel();
});
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Within `ms`, or a failure that says it hung. */
async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`hung for more than ${ms} ms`)), ms)));
  try {
    return await Promise.race([p, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** What is in `dir` as TF.js sees it: its predictions on x4 (throws when it cannot load). */
async function loadWithTfjs(dir: string): Promise<Float32Array> {
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const bin = fs.readFileSync(path.join(dir, 'weights.bin'));
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const m = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData }));
  const out = (m.predict(tf.tensor(x4.dataSync(), [32, 4])) as tf.Tensor).dataSync() as Float32Array;
  m.dispose();
  return out;
}
const close = (a: Float32Array, b: Float32Array) => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i], 5));
};
const listing = (dir: string) => fs.readdirSync(dir).sort();

/** Another architecture than ref's (8 hidden units), so a mixed pair of files cannot load. */
function otherModel(): sn.Sequential {
  const m = sn.sequential({ layers: [layers.dense({ units: 5, activation: 'tanh', inputShape: [4] }), layers.dense({ units: 3, activation: 'softmax' })] });
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  return m;
}


describe('save never hangs', () => {
  it('on procfs (Node recursive mkdir spins there): a clear error at once', async () => {
    if (!fs.existsSync('/proc/self')) return;
    await within(5000, rejects(() => ref.save('file:///proc/self/simdnet-test/deeper/model'), /^save: cannot create the folder \/proc\/self\/simdnet-test \(/));
    await within(5000, rejects(() => ref.save('file:///proc/simdnet-test'), /^save: cannot create the folder \/proc\/simdnet-test \(/));
    await stillTrains(ref);
  });

  it('a file in the way of the folder', async () => {
    const d = tmpDir();
    fs.writeFileSync(path.join(d, 'afile'), 'x');
    await rejects(() => ref.save(`file://${d}/afile/model`), new RegExp(`^save: ${d}/afile exists and is not a folder; cannot save into ${d}/afile/model$`));
  });

  it('creates missing parent folders one level at a time', async () => {
    const d = tmpDir();
    const out = await ref.save(`file://${d}/a/b/c`);
    expect(out.files!.modelJSON).toBe(path.join(d, 'a/b/c/model.json'));
    close(await loadWithTfjs(path.join(d, 'a/b/c')), ref.predict(x4).dataSync() as Float32Array);
  });
});

describe('save is atomic against faults', () => {
  it('a fault at each step leaves the previous model loadable and no temporary file behind', async () => {
    const d = tmpDir();
    await ref.save(`file://${d}`);
    const oldFiles = listing(d);
    const oldJSON = fs.readFileSync(path.join(d, 'model.json'));
    const oldBin = fs.readFileSync(path.join(d, 'weights.bin'));
    const oldPrediction = await loadWithTfjs(d);
    close(oldPrediction, ref.predict(x4).dataSync() as Float32Array);
    const next = otherModel();
    const real = await nodeSaveIO();
    // The steps of a save over an existing model, recorded once.
    const dry = faulty(real, 0);
    const tmpd = tmpDir();
    await ref.save(`file://${tmpd}`);
    await saveModel(next, `file://${tmpd}`, dry.ops);
    const steps = dry.calls;
    expect(steps.filter((s) => /^(writeFile|link|rename)/.test(s)).map((s) => s.replace(/-[a-z0-9]+-[a-z0-9]+/g, '-*'))).toEqual([
      'writeFile weights.bin.tmp-*',
      'writeFile model.json.tmp-*',
      'link weights.bin → weights.bin.bak-*',
      'link model.json → model.json.bak-*',
      'rename weights.bin.tmp-* → weights.bin',
      'rename model.json.tmp-* → model.json',
    ]);
    for (let k = 1; k <= steps.length; k++) {
      const f = faulty(real, k);
      let err: Error | null = null;
      await saveModel(next, `file://${d}`, f.ops).catch((e: Error) => (err = e));
      const step = f.calls[k - 1];
      if (/^unlink .*\.bak-/.test(step)) {
        // Removing a backup after the save committed: the save stands; a stray backup at most.
        expect(err).toBeNull();
        for (const n of listing(d)) if (n.includes('.bak-')) fs.rmSync(path.join(d, n));
        await ref.save(`file://${d}`);
        continue;
      }
      expect(err, `a fault at step ${k} (${step}) must fail the save`).not.toBeNull();
      expect(err!.message).toMatch(/^save: /);
      expect(err!.message).toMatch(/injected fault/);
      expect(listing(d), `after a fault at step ${k} (${step})`).toEqual(oldFiles);
      expect(fs.readFileSync(path.join(d, 'model.json')).equals(oldJSON)).toBe(true);
      expect(fs.readFileSync(path.join(d, 'weights.bin')).equals(oldBin)).toBe(true);
      close(await loadWithTfjs(d), oldPrediction);
    }
    // Without faults the new model replaces the old one.
    await saveModel(next, `file://${d}`, real);
    expect(listing(d)).toEqual(['model.json', 'weights.bin']);
    close(await loadWithTfjs(d), next.predict(x4).dataSync() as Float32Array);
    next.dispose();
  });

  it('a first save that fails leaves no files; a fault restoring nothing is needed', async () => {
    const d = tmpDir();
    const real = await nodeSaveIO();
    for (let k = 1; k <= 6; k++) {
      const f = faulty(real, k);
      const err = await saveModel(ref, `file://${d}/m`, f.ops).then(() => null, (e: Error) => e);
      if (err === null) break;
      expect(err.message).toMatch(/^save: /);
      const files = fs.existsSync(`${d}/m`) ? listing(`${d}/m`) : [];
      expect(files).toEqual([]);
    }
  });

  it('a crash (every file operation fails from then on) at any step leaves the old model loadable, except between the two renames, where its weights are kept as a backup', async () => {
    const real = await nodeSaveIO();
    const next = otherModel();
    for (let k = 1; k <= 12; k++) {
      const d = tmpDir();
      await ref.save(`file://${d}`);
      const oldBin = fs.readFileSync(path.join(d, 'weights.bin'));
      const f = faulty(real, k, true);
      const err = await saveModel(next, `file://${d}`, f.ops).then(() => null, (e: Error) => e);
      if (err === null) break;
      const step = f.calls[k - 1];
      if (/^rename model\.json\.tmp/.test(step)) {
        // The one window: weights.bin is new, model.json old; the old weights are in the backup.
        const bak = listing(d).find((n) => n.startsWith('weights.bin.bak-'));
        expect(bak, 'the old weights are kept').toBeDefined();
        expect(fs.readFileSync(path.join(d, bak!)).equals(oldBin)).toBe(true);
      } else {
        await loadWithTfjs(d);
        expect(fs.readFileSync(path.join(d, 'weights.bin')).equals(oldBin)).toBe(true);
      }
    }
    next.dispose();
  });

  it('model.json that cannot be replaced (a folder in its place): the save fails, weights.bin is untouched', async () => {
    const d = tmpDir();
    await ref.save(`file://${d}`);
    const oldBin = fs.readFileSync(path.join(d, 'weights.bin'));
    fs.rmSync(path.join(d, 'model.json'));
    fs.mkdirSync(path.join(d, 'model.json'));
    fs.writeFileSync(path.join(d, 'model.json', 'keep'), 'x');
    const next = otherModel();
    await rejects(() => next.save(`file://${d}`), /^save: could not (back up|rename)/);
    expect(fs.readFileSync(path.join(d, 'weights.bin')).equals(oldBin)).toBe(true);
    expect(listing(d)).toEqual(['model.json', 'weights.bin']);
    next.dispose();
  });

  it('two saves into one folder at once: each is whole, the last one wins', async () => {
    const d = tmpDir();
    const next = otherModel();
    await Promise.all([ref.save(`file://${d}`), next.save(`file://${d}`)]);
    expect(listing(d)).toEqual(['model.json', 'weights.bin']);
    const got = await loadWithTfjs(d);
    const a = ref.predict(x4).dataSync() as Float32Array;
    const b = next.predict(x4).dataSync() as Float32Array;
    const same = (p: Float32Array) => p.every((v, i) => Math.abs(v - got[i]) < 1e-5);
    expect(same(a) || same(b)).toBe(true);
    next.dispose();
  });
});
