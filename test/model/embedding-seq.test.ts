// A Sequential whose first layer is an embedding takes int32 token tensors, as TF.js does.
import { beforeAll, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';

beforeAll(async () => {
  await sn.init();
});

it('sequential([embedding, …]) fits and predicts on int32 ids, and on floats holding integers', async () => {
  sn.setSeed(3);
  const m = sn.sequential({ layers: [sn.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 3 }), sn.layers.flatten(), sn.layers.dense({ units: 2, activation: 'softmax' })] });
  m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  const ids = sn.tensor([[1, 2, 3], [9, 0, 4]], undefined, 'int32');
  const h = await m.fit(ids, sn.tensor([0, 1], undefined, 'int32'), { epochs: 3, verbose: 0 });
  expect(h.history.loss).toHaveLength(3);
  const a = (m.predict(ids) as sn.Tensor).dataSync();
  const b = (m.predict(sn.tensor([[1, 2, 3], [9, 0, 4]])) as sn.Tensor).dataSync();
  expect(Array.from(a)).toEqual(Array.from(b));
  expect(() => m.predict(sn.tensor([[1, 2, 10]], undefined, 'int32'))).toThrow(/token id 10 .* is outside \[0, 10\)/);
});
