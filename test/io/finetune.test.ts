// Fine-tuning a loaded model: an MNIST MLP trained briefly here and saved, loaded back, its first
// layer frozen, compiled and fitted one epoch on another slice of the training set. The frozen
// weights must stay bit-identical, the head must move, and test accuracy must improve.
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { mnistModel } from '../../src/cli/models.ts';
import { fileUrl, removeTmpDirs, tmpDir, loadModel } from './fixtures.ts';

const load = loadModel;

let mnist: Awaited<ReturnType<typeof sn.data.mnist>>;
beforeAll(async () => {
  await sn.init({ deterministic: true });
  mnist = await sn.data.mnist({ flatten: true, limit: { train: 20000, test: 3000 } });
});
afterAll(removeTmpDirs);

/** Test accuracy from predict (argmax), so a model need not be compiled to be measured. */
function accuracy(m: sn.LayersModel, images: sn.Tensor, labels: sn.Tensor): number {
  const p = (m.predict(images, { batchSize: 500 }) as sn.Tensor).dataSync();
  const y = labels.dataSync();
  let hit = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let k = 1; k < 10; k++) if (p[i * 10 + k] > p[i * 10 + best]) best = k;
    if (best === y[i]) hit++;
  }
  return hit / y.length;
}

const bits = (t: sn.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));

it('a loaded MNIST MLP with its first layer frozen: frozen weights bit-identical, accuracy improves', async () => {
  const { train, test } = mnist;
  // Train briefly (1,500 samples, one epoch): a model that still has room to improve.
  sn.setSeed(77);
  const base = mnistModel({ sequential: sn.sequential, layers: sn.layers }, 'mlp');
  base.compile({ optimizer: sn.optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await base.fit(train.images.slice(0, 1500), train.labels.slice(0, 1500), { epochs: 1, batchSize: 64, verbose: 0 });
  const baseAcc = accuracy(base, test.images, test.labels);
  const dir = tmpDir();
  await base.save(`file://${dir}`);

  const m = await load(fileUrl(path.join(dir, 'model.json')));
  expect(m).toBeInstanceOf(sn.Sequential);
  // Loaded as saved: the same predictions, bit for bit.
  expect(Array.from((m.predict(test.images.slice(0, 64)) as sn.Tensor).dataSync())).toEqual(Array.from((base.predict(test.images.slice(0, 64)) as sn.Tensor).dataSync()));
  expect(accuracy(m, test.images, test.labels)).toBe(baseAcc);
  base.dispose();

  const [frozen, head] = m.layers;
  frozen.trainable = false;
  const frozenBefore = frozen.getWeights().map(bits);
  const headBefore = head.getWeights().map(bits);
  m.compile({ optimizer: sn.optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  await m.fit(train.images.slice(1500, 18500), train.labels.slice(1500, 18500), { epochs: 1, batchSize: 64, verbose: 0 });

  expect(frozen.getWeights().map(bits), 'frozen layer').toEqual(frozenBefore);
  expect(head.getWeights().map(bits), 'the head trained').not.toEqual(headBefore);
  const tunedAcc = accuracy(m, test.images, test.labels);
  console.log(`fine-tuning a loaded MLP (first layer frozen): test accuracy ${baseAcc.toFixed(4)} → ${tunedAcc.toFixed(4)}`);
  expect(tunedAcc).toBeGreaterThan(baseAcc + 0.02);

  // Saved again and loaded: the frozen flag and the tuned weights come back.
  const dir2 = tmpDir();
  await m.save(`file://${dir2}`);
  const again = await load(fileUrl(path.join(dir2, 'model.json')));
  expect(again.layers[0].trainable).toBe(false);
  expect(again.layers[0].getWeights().map(bits)).toEqual(frozenBefore);
  expect(again.layers[1].getWeights().map(bits)).toEqual(head.getWeights().map(bits));
  m.dispose();
  again.dispose();
});

it('a layer saved frozen stays frozen when the loaded model is compiled and fitted', async () => {
  sn.setSeed(5);
  const base = mnistModel({ sequential: sn.sequential, layers: sn.layers }, 'mlp');
  base.layers[0].trainable = false;
  const dir = tmpDir();
  await base.save(`file://${dir}`);
  const m = await load(fileUrl(path.join(dir, 'model.json')));
  expect(m.layers.map((l) => l.trainable)).toEqual([false, true]);
  const before = m.layers[0].getWeights().map(bits);
  m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  await m.fit(mnist.train.images.slice(0, 512), mnist.train.labels.slice(0, 512), { epochs: 1, batchSize: 64, verbose: 0 });
  expect(m.layers[0].getWeights().map(bits)).toEqual(before);
  base.dispose();
  m.dispose();
});
