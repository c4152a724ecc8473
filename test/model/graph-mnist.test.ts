// MNIST with a functional model: a residual MLP 784 → dense 128 relu → dense 128 relu, plus a
// skip (add) from the first dense → dense 10 softmax, trained with the exact settings of the
// sequential MLP in mnist.test.ts (Adam 1e-3, batch 64, seed 1234, the full training set, three
// epochs), must reach that test's bars: >= 0.95 after one epoch and >= 0.97 after three. The
// sequential MLP is trained alongside so both accuracies show in the output.
import { beforeAll, expect, it } from 'vitest';
import { data, init, input, layers, model, optimizers, sequential, setSeed, type Tensor } from '../../src/index.ts';

let mnist: Awaited<ReturnType<typeof data.mnist>>;
beforeAll(async () => {
  await init({ deterministic: true });
  mnist = await data.mnist({ flatten: true });
});

const EPOCHS = 3;

type Trainable = ReturnType<typeof sequential> | ReturnType<typeof model>;

async function trainAndTrack(m: Trainable): Promise<number[]> {
  m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const accs: number[] = [];
  await m.fit(mnist.train.images, mnist.train.labels, {
    epochs: EPOCHS,
    batchSize: 64,
    verbose: 0,
    callbacks: { onEpochEnd: () => void accs.push((m.evaluate(mnist.test.images, mnist.test.labels, { batchSize: 512 }) as Tensor[])[1].dataSync()[0]) },
  });
  return accs;
}

it('a residual MLP (functional API) reaches the sequential MLP bars: >= 0.95 after one epoch, >= 0.97 after three', async () => {
  setSeed(1234);
  const x = input({ shape: [784], name: 'pixels' });
  const h1 = layers.dense({ units: 128, activation: 'relu', name: 'h1' }).apply(x);
  const h2 = layers.dense({ units: 128, activation: 'relu', name: 'h2' }).apply(h1);
  const skip = layers.add({ name: 'skip' }).apply([h2, h1]);
  const out = layers.dense({ units: 10, activation: 'softmax', name: 'probs' }).apply(skip);
  const residual = model({ inputs: x, outputs: out, name: 'residual_mlp' });
  const resAccs = await trainAndTrack(residual);
  residual.dispose();

  setSeed(1234);
  const plain = sequential({
    layers: [layers.dense({ units: 128, activation: 'relu', inputShape: [784] }), layers.dense({ units: 10, activation: 'softmax' })],
  });
  const seqAccs = await trainAndTrack(plain);
  plain.dispose();

  const fmt = (a: number[]) => a.map((v) => v.toFixed(4)).join(', ');
  console.log(`MNIST residual MLP (functional) test accuracy per epoch: ${fmt(resAccs)}`);
  console.log(`MNIST sequential MLP (same settings) test accuracy per epoch: ${fmt(seqAccs)}`);
  expect(resAccs.length).toBe(EPOCHS);
  expect(resAccs[0]).toBeGreaterThanOrEqual(0.95);
  expect(resAccs[EPOCHS - 1]).toBeGreaterThanOrEqual(0.97);
});
