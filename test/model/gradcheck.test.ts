// utils.checkGradients: backprop against central differences for MLPs with each activation and loss.
import { beforeAll, describe, expect, it } from 'vitest';
import { init, layers, optimizers, sequential, setSeed, tensor, utils } from '../../src/index.ts';
import { Random } from '../../src/random.ts';

beforeAll(async () => {
  await init({ deterministic: true });
});

const rnd = new Random(99);
const N = 6, IN = 5, HID = 7, OUT = 3;
const x = tensor(Float32Array.from({ length: N * IN }, () => rnd.uniform() * 2 - 1), [N, IN]);
const sparse = tensor(Int32Array.from({ length: N }, (_, i) => i % OUT), [N], 'int32');
const onehot = tensor(Float32Array.from({ length: N * OUT }, (_, i) => (i % OUT === Math.floor(i / OUT) % OUT ? 1 : 0)), [N, OUT]);
const binary = tensor(Float32Array.from({ length: N * OUT }, (_, i) => (i * 5) % 2), [N, OUT]);
const real = tensor(Float32Array.from({ length: N * OUT }, () => rnd.uniform() * 2 - 1), [N, OUT]);

function mlp(hidden: string, out: string) {
  setSeed(5);
  return sequential({
    layers: [
      layers.dense({ units: HID, activation: hidden, inputShape: [IN], biasInitializer: 'randomNormal' }),
      layers.dense({ units: OUT, activation: out, biasInitializer: 'randomNormal' }),
    ],
  });
}

describe('checkGradients < 1e-3', () => {
  for (const act of ['linear', 'relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh', 'softplus']) {
    it(`hidden ${act}, softmax + sparse cross-entropy`, () => {
      const m = mlp(act, 'softmax');
      m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
      const r = utils.checkGradients(m, x, sparse);
      expect(r.checked).toBeGreaterThan(20);
      expect(r.maxError, JSON.stringify(r.perLayer)).toBeLessThan(1e-3);
    });
  }
  const cases: [string, string, typeof x][] = [
    ['softmax', 'categoricalCrossentropy', onehot],
    ['sigmoid', 'binaryCrossentropy', binary],
    ['linear', 'meanSquaredError', real],
    ['tanh', 'meanSquaredError', real],
    ['linear', 'meanAbsoluteError', real],
  ];
  for (const [out, loss, y] of cases) {
    it(`output ${out} with ${loss}`, () => {
      const m = mlp('tanh', out);
      m.compile({ optimizer: 'sgd', loss });
      const r = utils.checkGradients(m, x, y);
      expect(r.maxError, JSON.stringify(r.perLayer)).toBeLessThan(1e-3);
    });
  }
  it('with L1/L2 regularizers (penalty in loss and gradient)', () => {
    setSeed(5);
    const m = sequential({
      layers: [layers.dense({ units: OUT, activation: 'softmax', inputShape: [IN], kernelRegularizer: 'l1l2' })],
    });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    expect(utils.checkGradients(m, x, sparse).maxError).toBeLessThan(1e-3);
  });
  it('a wrong gradient is caught', () => {
    const m = mlp('tanh', 'softmax');
    m.compile({ optimizer: optimizers.sgd(), loss: 'sparseCategoricalCrossentropy' });
    const grads = m.gradientsOf.bind(m);
    m.gradientsOf = (a, b) => {
      const g = grads(a, b);
      return { ...g, weights: g.weights.map((w) => tensor(w.dataSync().map((v) => v * 1.01), w.shape)) };
    };
    expect(utils.checkGradients(m, x, sparse).maxError).toBeGreaterThan(5e-3);
  });
});
