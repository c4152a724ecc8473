// A fixed-seed 10-step loss trajectory of a small MLP: (1) equal to a float64 re-implementation
// of the same steps built from the kernel references, (2) equal to the stored golden values
// (baseline binary: the Deno and browser suites compare against the same file).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, expect, it } from 'vitest';
import { init, layers, optimizers, sequential, setSeed, tensor } from '../../src/index.ts';
import * as ref from '../reference/index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const GOLDEN = path.join(here, 'golden-trajectory.json');
const [N, IN, HID, OUT, STEPS, LR] = [16, 8, 16, 4, 10, 0.01];

/** Inputs and labels that do not depend on the generator. */
function fixedData() {
  const x = new Float32Array(N * IN).map((_, i) => Math.sin(i * 0.7) + 0.1 * Math.cos(i * 1.3));
  const y = new Int32Array(N).map((_, i) => (i * 7) % OUT);
  return { x, y };
}

beforeAll(async () => {
  await init({ deterministic: true });
});

async function wasmTrajectory() {
  setSeed(2024);
  const model = sequential({
    layers: [layers.dense({ units: HID, activation: 'relu', inputShape: [IN] }), layers.dense({ units: OUT, activation: 'softmax' })],
  });
  model.compile({ optimizer: optimizers.adam({ learningRate: LR }), loss: 'sparseCategoricalCrossentropy' });
  const w0 = model.getWeights().map((t) => Float64Array.from(t.values));
  const { x, y } = fixedData();
  const xs = tensor(x, [N, IN]);
  const ys = tensor(y, [N], 'int32');
  const losses: number[] = [];
  for (let s = 0; s < STEPS; s++) losses.push((await model.trainOnBatch(xs, ys)) as number);
  return { losses, w0 };
}

function referenceTrajectory(w0: Float64Array[]) {
  const [w1, b1, w2, b2] = w0.map((w) => Float64Array.from(w));
  const params = [w1, b1, w2, b2];
  const m = params.map((p) => new Float64Array(p.length));
  const v = params.map((p) => new Float64Array(p.length));
  const { x: x32, y } = fixedData();
  const x = Float64Array.from(x32);
  const losses: number[] = [];
  for (let t = 1; t <= STEPS; t++) {
    const z1 = new Float64Array(N * HID), h = new Float64Array(N * HID), z2 = new Float64Array(N * OUT);
    ref.dense_forward_f32(z1, x, w1, b1, N, IN, HID);
    ref.relu_forward_f32(h, z1, N * HID);
    ref.dense_forward_f32(z2, h, w2, b2, N, HID, OUT);
    const dz2 = new Float64Array(N * OUT), dh = new Float64Array(N * HID), dz1 = new Float64Array(N * HID);
    losses.push(ref.softmax_xent_sparse_f32(null, dz2, z2, y, N, OUT));
    const grads = params.map((p) => new Float64Array(p.length));
    ref.dense_backward_f32(dh, grads[2], grads[3], dz2, h, w2, N, HID, OUT);
    ref.relu_backward_f32(dz1, dh, z1, h, N * HID);
    ref.dense_backward_f32(null, grads[0], grads[1], dz1, x, w1, N, IN, HID);
    params.forEach((p, i) => ref.adam_f32(p, m[i], v[i], grads[i], p.length, LR, 0.9, 0.999, 1e-7, 1 - 0.9 ** t, 1 - 0.999 ** t, 0));
  }
  return losses;
}

it('matches a float64 re-implementation from the kernel references', async () => {
  const { losses, w0 } = await wasmTrajectory();
  const expected = referenceTrajectory(w0);
  for (let i = 0; i < STEPS; i++) expect(Math.abs(losses[i] - expected[i])).toBeLessThan(1e-5 * Math.max(1, expected[i]));
  expect(losses[STEPS - 1]).toBeLessThan(losses[0]);
});

it('equals the stored golden trajectory (baseline binary)', async () => {
  const { losses } = await wasmTrajectory();
  if (process.env.UPDATE_GOLDEN) fs.writeFileSync(GOLDEN, JSON.stringify({ seed: 2024, steps: STEPS, losses }, null, 1) + '\n');
  const golden = JSON.parse(fs.readFileSync(GOLDEN, 'utf8')) as { losses: number[] };
  expect(golden.losses.length).toBe(STEPS);
  for (let i = 0; i < STEPS; i++) expect(Math.abs(losses[i] - golden.losses[i])).toBeLessThan(1e-6);
});
