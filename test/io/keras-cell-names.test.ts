// Keras 2 names a recurrent layer's weights through its cell (lstm/lstm_cell/kernel, and
// bidir/forward_lstm/lstm_cell/kernel inside a Bidirectional): such files load as the plain names do.
import { beforeAll, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { snArtifacts } from '../helpers/parity.ts';

beforeAll(async () => {
  await sn.init();
});

it('a Bidirectional LSTM and a GRU whose weights are named through their cells load and predict the same', async () => {
  sn.setSeed(11);
  const m = sn.sequential({
    layers: [
      sn.layers.bidirectional({ layer: sn.layers.lstm({ units: 3, returnSequences: true }) as never, inputShape: [4, 2], name: 'bidir' } as never),
      sn.layers.gru({ units: 2, name: 'gru' }),
      sn.layers.dense({ units: 2, name: 'dense' }),
    ],
  });
  const a = await snArtifacts(m);
  const renamed = a.weightSpecs!.map((s) => ({ ...s, name: s.name.replace(/^(bidir\/(?:forward|backward)_\w+|gru)\/(\w+)$/, (_, head: string, param: string) => `${head}/${head.includes('lstm') ? 'lstm' : 'gru'}_cell/${param}`) }));
  expect(renamed.map((s) => s.name)).toContain('bidir/forward_lstm/lstm_cell/kernel');
  expect(renamed.map((s) => s.name)).toContain('gru/gru_cell/recurrent_kernel');
  const back = await sn.loadLayersModel(sn.io.fromMemory({ ...a, weightSpecs: renamed }));
  const x = sn.randomUniform([3, 4, 2], -1, 1, 'float32', 5);
  expect(Array.from((back.predict(x) as sn.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as sn.Tensor).dataSync()));
});
