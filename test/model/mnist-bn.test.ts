// The MNIST CNN with BatchNorm and Dropout (src/cli/models.ts 'bncnn': conv(16,5x5, no bias) →
// batchNorm(momentum 0.9) → relu → maxPool 2 → conv(32,5x5, no bias) → batchNorm → relu →
// maxPool 2 → flatten → dropout 0.25 → dense(10, softmax)), Adam 1e-3, batch 64, one epoch on
// real MNIST.
//
// The training set is the first 30,000 of MNIST's 60,000 images (469 steps): a full epoch takes
// 65-160 s on the 2-vCPU test machine (380-935 samples/s measured, depending on what else runs),
// half of it 32-80 s. One epoch over those 30,000 reaches 0.9738 (seed 1234) and 0.9784
// (seed 1) on the full 10,000-image test set; the bar is 0.96. The test set is evaluated in
// inference mode (BN's moving statistics, no dropout), so the bar also checks that training
// moved the moving statistics usefully.
import { beforeAll, expect, it } from 'vitest';
import { data, init, layers, optimizers, sequential, setSeed, type Tensor } from '../../src/index.ts';
import { MNIST_MODELS, mnistModel } from '../../src/cli/models.ts';

const TRAIN = 30_000;

let mnist: Awaited<ReturnType<typeof data.mnist>>;
beforeAll(async () => {
  await init({ deterministic: true });
  mnist = await data.mnist({ flatten: true, limit: { train: TRAIN } });
});

it('the BatchNorm + Dropout CNN reaches >= 0.96 test accuracy after one epoch over 30,000 images', async () => {
  setSeed(1234);
  const model = mnistModel({ sequential, layers }, 'bncnn'); // the CLI's, the demo's and the bench's
  expect(model.layers.map((l) => l.className)).toEqual([
    'Conv2D', 'BatchNormalization', 'Activation', 'MaxPooling2D',
    'Conv2D', 'BatchNormalization', 'Activation', 'MaxPooling2D',
    'Flatten', 'Dropout', 'Dense',
  ]);
  expect(MNIST_MODELS.bncnn.inputShape).toEqual([28, 28, 1]);
  // 5·5·1·16 + 5·5·16·32 conv kernels (no bias), 1568·10 + 10 dense; BN: gamma + beta trainable,
  // moving mean + variance not (16 + 32 channels).
  expect(model.countParams()).toBe(400 + 12_800 + 15_690 + 4 * 48);
  const bn = model.layers.filter((l) => l.className === 'BatchNormalization');
  const moving = () => bn.flatMap((l) => l.getWeights().slice(2).map((t) => Array.from(t.dataSync())));
  const movingBefore = moving();

  model.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const images = mnist.train.images.reshape([-1, 28, 28, 1]);
  const t0 = performance.now();
  await model.fit(images, mnist.train.labels, { epochs: 1, batchSize: 64, verbose: 0 });
  const secs = (performance.now() - t0) / 1000;

  // Training moved the moving statistics (they start at mean 0, variance 1).
  const movingAfter = moving();
  for (let i = 0; i < movingAfter.length; i++) {
    expect(movingAfter[i].some((v, j) => Math.abs(v - movingBefore[i][j]) > 1e-3)).toBe(true);
    expect(movingAfter[i].every(Number.isFinite)).toBe(true);
  }

  const test = mnist.test.images.reshape([-1, 28, 28, 1]);
  const acc = (model.evaluate(test, mnist.test.labels, { batchSize: 256 }) as Tensor[])[1].dataSync()[0];
  // Inference is deterministic: dropout is the identity and BN uses the moving statistics.
  const head = test.slice(0, 256);
  const p1 = Array.from(model.predict(head).dataSync());
  const p2 = Array.from(model.predict(head).dataSync());
  expect(p2).toEqual(p1);
  console.log(`MNIST BatchNorm + Dropout CNN: test accuracy ${acc.toFixed(4)} after one epoch over ${TRAIN} images; training ${(TRAIN / secs).toFixed(0)} samples/s (${secs.toFixed(1)} s)`);
  expect(acc).toBeGreaterThanOrEqual(0.96);
}, 300_000);
