// Names are looked up as own keys (or in lists), never on plain objects: 'toString',
// 'constructor', '__proto__' and friends are unknown names like any other, with a clear error.
import { beforeAll, describe, it } from 'vitest';
import { layers, referenceModel, rejectedAndUnharmed, sn } from './helpers.ts';

let ref: sn.Sequential;
beforeAll(async () => {
  await sn.init();
  ref = referenceModel();
});

const PROTO = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', ''];

describe.each(PROTO)('the name %j', (name) => {
  it('as an optimizer', async () => {
    await rejectedAndUnharmed(ref, () => ref.compile({ optimizer: name, loss: 'sparseCategoricalCrossentropy' }), /^compile: unknown optimizer .*; expected one of sgd, momentum/);
  });
  it('as a loss', async () => {
    await rejectedAndUnharmed(ref, () => ref.compile({ optimizer: 'adam', loss: name }), /^compile: unknown loss .*; expected one of categoricalCrossentropy/);
  });
  it('as a metric', async () => {
    await rejectedAndUnharmed(ref, () => ref.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: [name] }), /^compile: unknown metric .*; expected one of accuracy/);
  });
  it('as an initializer', async () => {
    await rejectedAndUnharmed(ref, () => layers.dense({ units: 2, kernelInitializer: name }), /dense\w*: kernelInitializer: unknown initializer '.*'; expected one of zeros, ones/);
    await rejectedAndUnharmed(ref, () => layers.conv2d({ filters: 2, kernelSize: 1, biasInitializer: name }), /conv2d\w*: biasInitializer: unknown initializer/);
  });
  it('as an activation', async () => {
    await rejectedAndUnharmed(ref, () => layers.dense({ units: 2, activation: name }), /dense\w*: unknown activation '.*'; expected one of linear, relu/);
    if (name !== '') await rejectedAndUnharmed(ref, () => layers.activation({ activation: name }), /activation\w*: unknown activation/);
  });
  it('as a regularizer', async () => {
    await rejectedAndUnharmed(ref, () => layers.dense({ units: 2, kernelRegularizer: name as never }), /dense\w*: kernelRegularizer: unknown regularizer '.*'; expected l1, l2, l1l2/);
  });
});
