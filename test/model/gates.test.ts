// Logic gates: one dense unit learns AND, OR, NAND; XOR needs a hidden layer.
import { beforeAll, describe, expect, it } from 'vitest';
import { init, layers, optimizers, sequential, setSeed, tensor, type Tensor } from '../../src/index.ts';

/** evaluate's scalar tensors as numbers. */
const nums = (r: Tensor | Tensor[]) => (Array.isArray(r) ? r : [r]).map((t) => t.dataSync()[0]);

const X = tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
const GATES: Record<string, number[]> = { AND: [0, 0, 0, 1], OR: [0, 1, 1, 1], NAND: [1, 1, 1, 0], XOR: [0, 1, 1, 0] };

beforeAll(async () => {
  await init({ deterministic: true });
});

async function trainUnit(target: number[], seed: number) {
  setSeed(seed);
  const model = sequential({ layers: [layers.dense({ units: 1, activation: 'sigmoid', inputShape: [2] })] });
  model.compile({ optimizer: optimizers.sgd({ learningRate: 1 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const y = tensor(target, [4, 1]);
  const h = await model.fit(X, y, { epochs: 400, batchSize: 4, verbose: 0 });
  return { model, y, h };
}

describe('a single sigmoid unit', () => {
  for (const gate of ['AND', 'OR', 'NAND']) {
    it(`learns ${gate}`, async () => {
      const { model, y } = await trainUnit(GATES[gate], 1);
      const [loss, acc] = nums(model.evaluate(X, y));
      expect(acc).toBe(1);
      expect(loss).toBeLessThan(0.1);
      const p = (model.predict(X) as Tensor).dataSync();
      GATES[gate].forEach((t, i) => expect(Math.round(p[i])).toBe(t));
    });
  }

  it('with its weights in a step-activation unit, computes the same gate (a perceptron)', async () => {
    for (const gate of ['AND', 'OR', 'NAND']) {
      const { model } = await trainUnit(GATES[gate], 2);
      const perceptron = sequential({ layers: [layers.dense({ units: 1, activation: 'step', inputShape: [2] })] });
      perceptron.setWeights(model.getWeights());
      expect(Array.from(perceptron.predict(X).dataSync())).toEqual(GATES[gate]);
    }
  });

  it('cannot learn XOR (a linear boundary gets at most 3 of 4)', async () => {
    const { model, y } = await trainUnit(GATES.XOR, 3);
    const [, acc] = nums(model.evaluate(X, y));
    expect(acc).toBeLessThanOrEqual(0.75);
  });
});

describe('a 2-4-1 network', () => {
  it('learns XOR', async () => {
    setSeed(7);
    const model = sequential({
      layers: [layers.dense({ units: 4, activation: 'tanh', inputShape: [2] }), layers.dense({ units: 1, activation: 'sigmoid' })],
    });
    model.compile({ optimizer: optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const y = tensor(GATES.XOR, [4, 1]);
    await model.fit(X, y, { epochs: 300, batchSize: 4, verbose: 0 });
    const [loss, acc] = nums(model.evaluate(X, y));
    expect(acc).toBe(1);
    expect(loss).toBeLessThan(0.05);
  });
});
