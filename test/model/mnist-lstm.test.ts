// Row-MNIST (issue 15): each image read as a sequence of its 28 rows of 28 pixels, lstm(128) →
// dense(10, softmax) (src/cli/models.ts 'lstm', the CLI's, the demo's and the bench's), batch 64,
// the full 60,000 training images, evaluated on the full 10,000 test images. The bar: >= 0.97
// within 3 epochs.
//
// Measured with seed 1234 on the deterministic binary (a loaded 2-vCPU machine, 180-770
// samples/s, 1.3-5.5 min an epoch): Adam 1e-3 reaches 0.9443, 0.9663, 0.9710 after epochs 1-3,
// too close to the bar; Adam 3e-3 0.9619, 0.9731, 0.9757; Adam 5e-3 0.9574 after one. Adam from
// 3e-3 with a cosine decay to 0 over two epochs reaches 0.9587 and 0.9782-0.9786 (seed 7: 0.9667,
// 0.9804): the test trains those two epochs (the fewest that pass with a margin; a third costs
// CI another 1.5-5 min). 194 s for the two epochs with evaluation, measured loaded.
import { beforeAll, expect, it } from 'vitest';
import { data, init, layers, optimizers, sequential, setSeed, type Tensor } from '../../src/index.ts';
import { MNIST_MODELS, mnistModel } from '../../src/cli/models.ts';

const EPOCHS = 2;

let mnist: Awaited<ReturnType<typeof data.mnist>>;
beforeAll(async () => {
  await init({ deterministic: true });
  mnist = await data.mnist({ flatten: true });
});

it('lstm(128) → dense(10) on row-MNIST reaches >= 0.97 test accuracy within 3 epochs', async () => {
  setSeed(1234);
  const model = mnistModel({ sequential, layers }, 'lstm');
  expect(MNIST_MODELS.lstm.inputShape).toEqual([28, 28]);
  expect(model.layers.map((l) => l.className)).toEqual(['LSTM', 'Dense']);
  // LSTM: kernel [28, 512], recurrent kernel [128, 512], bias [512]; dense [128, 10] + [10].
  expect(model.countParams()).toBe(28 * 512 + 128 * 512 + 512 + 1290);
  const steps = Math.ceil(60_000 / 64);
  const learningRate = optimizers.schedules.cosineDecay({ initialLearningRate: 3e-3, decaySteps: EPOCHS * steps });
  model.compile({ optimizer: optimizers.adam({ learningRate }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const x = mnist.train.images.reshape([-1, 28, 28]);
  const test = mnist.test.images.reshape([-1, 28, 28]);
  expect(test.shape).toEqual([10_000, 28, 28]);
  const accs: number[] = [];
  const t0 = performance.now();
  await model.fit(x, mnist.train.labels, {
    epochs: EPOCHS,
    batchSize: 64,
    verbose: 0,
    callbacks: { onEpochEnd: () => void accs.push((model.evaluate(test, mnist.test.labels, { batchSize: 256 }) as Tensor[])[1].dataSync()[0]) },
  });
  const secs = (performance.now() - t0) / 1000;
  console.log(`row-MNIST LSTM(128): test accuracy per epoch ${accs.map((a) => a.toFixed(4)).join(', ')}; ${secs.toFixed(0)} s for ${EPOCHS} epochs with evaluation (${((EPOCHS * 60_000) / secs).toFixed(0)} samples/s)`);
  expect(accs[accs.length - 1]).toBeGreaterThanOrEqual(0.97);
  model.dispose();
}, 1_200_000);
