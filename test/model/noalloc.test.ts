// A training step allocates nothing in the arena and never grows memory.
import { expect, it } from 'vitest';
import { backendInfo, init, layers, sequential, tensor } from '../../src/index.ts';
import { backend } from '../../src/wasm/loader.ts';
import { denseWorkspaceBytes } from '../../src/wasm/workspace.ts';

it('50 trainOnBatch calls leave the arena top and the memory size unchanged', async () => {
  await init();
  const model = sequential({
    layers: [
      layers.dense({ units: 32, activation: 'relu', inputShape: [20] }),
      layers.dense({ units: 16, activation: 'tanh' }),
      layers.dense({ units: 5, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const x = tensor(Float32Array.from({ length: 64 * 20 }, (_, i) => Math.sin(i)), [64, 20]);
  const y = tensor(Int32Array.from({ length: 64 }, (_, i) => i % 5), [64], 'int32');
  await model.trainOnBatch(x, y); // warm-up: plans the arena
  const top = backend().arena.top;
  const bytes = backendInfo().memoryBytes;
  const losses: number[] = [];
  for (let i = 0; i < 50; i++) losses.push(((await model.trainOnBatch(x, y)) as number[])[0]);
  expect(backend().arena.top).toBe(top);
  expect(backendInfo().memoryBytes).toBe(bytes);
  expect(losses[49]).toBeLessThan(losses[0]);
});

it('1,000 dense forward/backward kernel calls do not grow memory', async () => {
  await init();
  const { kernels: k, arena } = backend();
  const mark = arena.mark();
  const [b, i, o] = [32, 100, 50];
  const x = arena.alloc(b * i * 4), w = arena.alloc(i * o * 4), bias = arena.alloc(o * 4), y = arena.alloc(b * o * 4);
  const dx = arena.alloc(b * i * 4), dw = arena.alloc(i * o * 4), db = arena.alloc(o * 4), ws = arena.alloc(denseWorkspaceBytes(b, i, o));
  const bytes = backendInfo().memoryBytes;
  const top = arena.top;
  for (let n = 0; n < 1000; n++) {
    k.dense_forward_f32(y, x, w, bias, ws, b, i, o);
    k.dense_backward_f32(dx, dw, db, y, x, w, ws, b, i, o);
  }
  expect(arena.top).toBe(top);
  expect(backendInfo().memoryBytes).toBe(bytes);
  arena.release(mark);
});

it('dispose, re-compile and re-planning give memory back', async () => {
  await init();
  const { arena } = backend();
  const make = () =>
    sequential({ layers: [layers.dense({ units: 64, activation: 'relu', inputShape: [100] }), layers.dense({ units: 10, activation: 'softmax' })] });
  const x = (n: number) => tensor(new Float32Array(n * 100).fill(0.5), [n, 100]);
  const y = (n: number) => tensor(new Int32Array(n).fill(3), [n], 'int32');
  const first = make();
  first.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  await first.trainOnBatch(x(32), y(32));
  first.dispose();
  const top = arena.top;
  for (let i = 0; i < 20; i++) {
    const m = make();
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await m.trainOnBatch(x(32), y(32));
    m.compile({ optimizer: 'rmsprop', loss: 'sparseCategoricalCrossentropy' }); // frees Adam's state
    await m.trainOnBatch(x(16), y(16)); // fits the plan
    m.predict(x(64), { batchSize: 64 }); // re-plans for 64, freeing the plan for 32
    m.dispose();
  }
  expect(arena.top).toBe(top);
  expect(arena.freeBytes).toBe(0);
  expect(() => first.predict(x(1))).toThrow(/has been disposed/);
  expect(() => first.evaluate(x(1), y(1))).toThrow(/has been disposed/);
});
