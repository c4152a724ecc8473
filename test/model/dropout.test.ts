// Dropout, SpatialDropout1D/2D and GaussianNoise as layers: TF.js's options and rate semantics,
// the counter-based masks (rate within statistical bounds, kept values as TF.js scales them,
// the same mask for the same seed, a new one each step), inference skipped by the plan, the
// gradient through the forward's mask, TF.js's file format both ways, and a small model that
// trains with dropout and predicts deterministically.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { snArtifacts as snSave, tfArtifacts as tfSave, values } from '../helpers/parity.ts';
import { initTfjs, Rng, tf, tfl } from '../helpers/tfjs.ts';
import * as ref from '../reference/dropout.ts';

/** FNV-1a of dropout(rate 0.5, seed 1234) at step 0 over 4000 ones (test/kernels/dropout.test.ts, test/deno, test/browser). */
const MASK_FINGERPRINT = 600910405;
/** FNV-1a of gaussianNoise(stddev 1) over 999 zeros, first training call after setSeed(77). */
const NOISE_FINGERPRINT = 2755115346;

beforeAll(async () => {
  await sn.init();
  await initTfjs();
});

const data = (t: sn.Tensor) => Float32Array.from(t.dataSync() as Float32Array);
const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
const scaleOf = (rate: number) => Math.fround(1 / Math.fround(1 - rate));

describe('options', () => {
  it('refuses unknown options, a missing or non-number rate, a fractional seed, bad noiseShape and stddev', () => {
    expect(() => sn.layers.dropout({ rate: 0.5, noiseshape: [1] } as never)).toThrow(/unknown option noiseshape/);
    expect(() => sn.layers.dropout(undefined as never)).toThrow(/layers\.dropout: expected an options object/);
    expect(() => sn.layers.dropout({} as never)).toThrow(/rate is required/);
    expect(() => sn.layers.dropout({ rate: '0.5' } as never)).toThrow(/rate must be a number.*'0\.5'|rate must be a number.*"0\.5"/);
    expect(() => sn.layers.dropout({ rate: 0.5, seed: 1.5 })).toThrow(/seed must be an integer, got 1\.5/);
    expect(() => sn.layers.dropout({ rate: 0.5, noiseShape: [null, 0] })).toThrow(/noiseShape must be a list of positive integers/);
    expect(() => sn.layers.spatialDropout1d({ rate: 0.5, noiseShape: [1] } as never)).toThrow(/unknown option noiseShape/);
    expect(() => sn.layers.spatialDropout2d({ rate: 0.5, dataFormat: 'channelsFirst' } as never)).toThrow(/channelsLast/);
    expect(() => sn.layers.gaussianNoise({} as never)).toThrow(/stddev is required/);
    expect(() => sn.layers.gaussianNoise({ stddev: -1 })).toThrow(/stddev must be a finite number >= 0, got -1/);
    expect(() => sn.layers.gaussianNoise({ stddev: 0.1, seed: 3 } as never)).toThrow(/unknown option seed/);
  });

  it('noiseShape: wrong length, a size that is neither the axis nor 1, non-adjacent shared axes', () => {
    const x = sn.input({ shape: [4, 5, 6] });
    expect(() => sn.layers.dropout({ rate: 0.5, noiseShape: [null, 4, 5] }).apply(x)).toThrow(/must have 4 entries/);
    expect(() => sn.layers.dropout({ rate: 0.5, noiseShape: [null, 4, 3, 6] }).apply(x)).toThrow(/noiseShape\[2\] is 3, but the input's axis 2 has size 5/);
    expect(() => sn.layers.dropout({ rate: 0.5, noiseShape: [null, 1, 5, 1] }).apply(x)).toThrow(/axes 1, 3, which are not adjacent/);
    expect(() => sn.layers.dropout({ rate: 0.5, noiseShape: [8, 4, 5, 6] }).apply(x)).toThrow(/noiseShape\[0\] must be null .* or 1/);
    expect(() => sn.layers.spatialDropout1d({ rate: 0.5 }).apply(x)).toThrow(/expects inputs \[batch, steps, channels\]/);
    expect(() => sn.layers.spatialDropout2d({ rate: 0.5 }).apply(sn.input({ shape: [4, 5] }))).toThrow(/expects NHWC inputs/);
  });

  it('rate 0, 1, −0.1 and NaN compute the identity in training, as TF.js does (which clamps the rate to [0, 1])', () => {
    const x = values(1, 3 * 40);
    for (const rate of [0, 1, -0.1, Number.NaN, 7]) {
      const ours = sn.layers.dropout({ rate });
      const theirs = tfl.layers.dropout({ rate });
      const a = data(ours.apply(sn.tensor(x, [3, 40]), { training: true }));
      const b = (theirs.apply(tf.tensor(x, [3, 40]), { training: true }) as tf.Tensor).dataSync();
      expect(bits(a), `rate ${rate}`).toEqual(bits(x));
      expect(bits(b), `TF.js rate ${rate}`).toEqual(bits(x));
      // The rate as TF.js keeps it (and writes it).
      const theirRate = (theirs as unknown as { rate: number }).rate;
      expect(Object.is(ours.rate, theirRate) || (Number.isNaN(ours.rate) && Number.isNaN(theirRate)), `rate ${rate}: ${ours.rate} vs ${theirRate}`).toBe(true);
    }
  });
});

describe('masks', () => {
  it('drops the rate within 5 sigma over 1e5 values; kept values are TF.js\'s x · (1/(1−rate)) bit for bit', () => {
    const n = 100_000;
    const x = values(2, n, -2, 2);
    for (const rate of [0.1, 0.5, 0.75]) {
      const y = data(sn.layers.dropout({ rate, seed: 3 }).apply(sn.tensor(x, [10, n / 10]), { training: true }));
      // TF.js: mul(x, div(floor(u + keep), keep)) — the same multiplier where it keeps.
      const t = (tfl.layers.dropout({ rate, seed: 3 }).apply(tf.tensor(x, [10, n / 10]), { training: true }) as tf.Tensor).dataSync();
      let dropped = 0;
      let both = 0;
      const wrong: number[] = [];
      for (let i = 0; i < n; i++) {
        if (y[i] === 0 && x[i] !== 0) dropped++;
        else if (y[i] !== Math.fround(x[i] * scaleOf(rate))) wrong.push(i);
        if (y[i] !== 0 && t[i] !== 0) {
          both++;
          if (y[i] !== t[i]) wrong.push(i);
        }
      }
      expect(wrong, `rate ${rate}: kept values not TF.js's`).toEqual([]);
      expect(Math.abs(dropped - n * rate), `rate ${rate}: ${dropped} dropped`).toBeLessThan(5 * Math.sqrt(n * rate * (1 - rate)));
      expect(both).toBeGreaterThan(0);
      // Within 1 ulp of x / (1 − rate).
      for (let i = 0; i < 100; i++) if (y[i] !== 0) expect(Math.abs(y[i] - x[i] / (1 - rate))).toBeLessThanOrEqual(Math.abs(x[i] / (1 - rate)) * 2 ** -22);
    }
  });

  it('the same seed gives the same mask (pinned fingerprint); each training call advances the step', () => {
    const layer = sn.layers.dropout({ rate: 0.5, seed: 1234 });
    const first = data(layer.apply(sn.ones([4, 1000]), { training: true }));
    expect(ref.fnv1a(first)).toBe(MASK_FINGERPRINT);
    // The reference generator at step 0 gives the same mask.
    for (let i = 0; i < 4000; i++) expect(first[i]).toBe(ref.keeps(1234, 0, i, ref.thresholdOf(0.5)) ? 2 : 0);
    const second = data(layer.apply(sn.ones([4, 1000]), { training: true }));
    expect(ref.fnv1a(second)).not.toBe(MASK_FINGERPRINT);
    for (let i = 0; i < 4000; i++) expect(second[i]).toBe(ref.keeps(1234, 1, i, ref.thresholdOf(0.5)) ? 2 : 0);
    // A new layer with the same seed starts again at step 0.
    expect(ref.fnv1a(data(sn.layers.dropout({ rate: 0.5, seed: 1234 }).apply(sn.ones([4, 1000]), { training: true })))).toBe(MASK_FINGERPRINT);
  });

  it('gaussianNoise after setSeed(77): the pinned noise fingerprint (test/deno and test/browser check the same)', () => {
    sn.setSeed(77);
    const y = data(sn.layers.gaussianNoise({ stddev: 1 }).apply(sn.zeros([3, 333]), { training: true }));
    expect(ref.fnv1a(y)).toBe(NOISE_FINGERPRINT);
  });

  it('without a seed, setSeed makes the masks reproducible', () => {
    const run = (s: number) => {
      sn.setSeed(s);
      const l = sn.layers.dropout({ rate: 0.5 });
      return [0, 1].map(() => ref.fnv1a(data(l.apply(sn.ones([2, 500]), { training: true }))));
    };
    const a = run(5);
    expect(run(5)).toEqual(a);
    expect(run(6)).not.toEqual(a);
    expect(a[0]).not.toBe(a[1]);
  });

  it('inference is the identity bit for bit, and an inference plan skips the layer (output = input buffer)', () => {
    const x = values(4, 6 * 30);
    const layer = sn.layers.dropout({ rate: 0.5, seed: 1 });
    expect(bits(data(layer.apply(sn.tensor(x, [6, 30]))))).toEqual(bits(x));
    const inp = sn.input({ shape: [30] });
    const d1 = sn.layers.dense({ units: 20, name: 'd1' }).apply(inp) as sn.SymbolicTensor;
    const dr = sn.layers.dropout({ rate: 0.5, name: 'dr' }).apply(d1) as sn.SymbolicTensor;
    const gn = sn.layers.gaussianNoise({ stddev: 1, name: 'gn' }).apply(dr) as sn.SymbolicTensor;
    const out = sn.layers.dense({ units: 3, name: 'd2' }).apply(gn) as sn.SymbolicTensor;
    const m = sn.model({ inputs: inp, outputs: out });
    const plain = sn.sequential({ layers: [sn.layers.dense({ units: 20, inputShape: [30], name: 'p1' }), sn.layers.dense({ units: 3, name: 'p2' })] });
    plain.setWeights(m.getWeights());
    expect(bits(data(m.predict(sn.tensor(x, [6, 30])) as sn.Tensor))).toEqual(bits(data(plain.predict(sn.tensor(x, [6, 30])) as sn.Tensor)));
    const plan = m.ensurePlan(6, 'predict');
    const ctx = (name: string) => plan.ctxs.find((c) => c.node.layer.name === name)!;
    expect(ctx('dr').y).toBe(ctx('d1').y);
    expect(ctx('gn').y).toBe(ctx('d1').y);
    // A training plan gives them their own buffers.
    const tplan = m.ensurePlan(6, 'train');
    expect(tplan.ctxs.find((c) => c.node.layer.name === 'dr')!.y).not.toBe(tplan.ctxs.find((c) => c.node.layer.name === 'd1')!.y);
    // evaluate on the training plan: still the identity.
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    plain.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const y = sn.tensor(values(5, 18), [6, 3]);
    const e1 = (m.evaluate(sn.tensor(x, [6, 30]), y) as sn.Tensor).dataSync()[0];
    const e2 = (plain.evaluate(sn.tensor(x, [6, 30]), y) as sn.Tensor).dataSync()[0];
    expect(e1).toBe(e2);
    m.dispose();
    plain.dispose();
  });

  it('spatialDropout1d/2d drop whole channels (one mask value per sample and channel)', () => {
    const cases: [ReturnType<typeof sn.layers.dropout>, number[]][] = [
      [sn.layers.spatialDropout1d({ rate: 0.4, seed: 9 }), [8, 12, 50]],
      [sn.layers.spatialDropout2d({ rate: 0.4, seed: 9 }), [8, 5, 6, 50]],
      [sn.layers.dropout({ rate: 0.4, seed: 9, noiseShape: [null, 1, 1, null] }), [8, 5, 6, 50]],
    ];
    for (const [layer, shape] of cases) {
      const [batch, ...rest] = shape;
      const channels = rest[rest.length - 1];
      const spatial = rest.slice(0, -1).reduce((a, b) => a * b, 1);
      const y = data(layer.apply(sn.ones(shape), { training: true }));
      let dropped = 0;
      for (let b = 0; b < batch; b++) {
        for (let c = 0; c < channels; c++) {
          const v0 = y[b * spatial * channels + c];
          expect([0, scaleOf(0.4)]).toContain(v0);
          if (v0 === 0) dropped++;
          for (let s = 1; s < spatial; s++) expect(y[(b * spatial + s) * channels + c]).toBe(v0);
          // The mask is the generator's for index b·channels + c.
          expect(v0 !== 0).toBe(ref.keeps(9, 0, b * channels + c, ref.thresholdOf(0.4)));
        }
      }
      const n = batch * channels;
      expect(Math.abs(dropped - n * 0.4), layer.className).toBeLessThan(5 * Math.sqrt(n * 0.4 * 0.6));
    }
  });

  it('noiseShape [1, …]: one mask for the whole batch', () => {
    const y = data(sn.layers.dropout({ rate: 0.5, seed: 2, noiseShape: [1, null] }).apply(sn.ones([5, 64]), { training: true }));
    for (let b = 1; b < 5; b++) for (let i = 0; i < 64; i++) expect(y[b * 64 + i]).toBe(y[i]);
    expect(y.slice(0, 64).some((v) => v === 0) && y.slice(0, 64).some((v) => v === 2)).toBe(true);
  });

  it('gaussianNoise: N(0, stddev²) in training (mean, std, reference draw), identity at inference', () => {
    const n = 100_000;
    const stddev = 0.5;
    const x = values(7, n);
    const layer = sn.layers.gaussianNoise({ stddev });
    sn.setSeed(11);
    const y = data(layer.apply(sn.tensor(x, [100, 1000]), { training: true }));
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const d = y[i] - x[i];
      s += d;
      s2 += d * d;
    }
    const mean = s / n;
    const std = Math.sqrt(s2 / n - mean * mean);
    expect(Math.abs(mean)).toBeLessThan((5 * stddev) / Math.sqrt(n));
    expect(Math.abs(std - stddev)).toBeLessThan((5 * stddev) / Math.sqrt(2 * n));
    expect(bits(data(layer.apply(sn.tensor(x, [100, 1000]))))).toEqual(bits(x));
  });
});

describe('training', () => {
  it('backward multiplies by the forward\'s mask: one SGD step equals a float64 computation with the reference mask', async () => {
    const [batch, inDim, hidden, outDim, rate, lr] = [4, 3, 5, 2, 0.5, 0.1];
    const m = sn.sequential({
      layers: [
        sn.layers.dense({ units: hidden, inputShape: [inDim], useBias: false, name: 'a' }),
        sn.layers.dropout({ rate, seed: 7, name: 'drop' }),
        sn.layers.dense({ units: outDim, useBias: false, name: 'b' }),
      ],
    });
    const W1 = values(10, inDim * hidden);
    const W2 = values(11, hidden * outDim);
    m.setWeights([sn.tensor(W1, [inDim, hidden]), sn.tensor(W2, [hidden, outDim])]);
    m.compile({ optimizer: sn.optimizers.sgd({ learningRate: lr }), loss: 'meanSquaredError' });
    const x = values(12, batch * inDim);
    const t = values(13, batch * outDim);
    const loss = (await m.trainOnBatch(sn.tensor(x, [batch, inDim]), sn.tensor(t, [batch, outDim]))) as number;

    // float64: h = x·W1, hd = h ⊙ mask·scale, y = hd·W2, L = mean((y − t)²).
    const scale = scaleOf(rate);
    const mask = (i: number) => (ref.keeps(7, 0, i, ref.thresholdOf(rate)) ? scale : 0);
    const h = new Float64Array(batch * hidden);
    for (let b = 0; b < batch; b++) for (let j = 0; j < hidden; j++) for (let i = 0; i < inDim; i++) h[b * hidden + j] += x[b * inDim + i] * W1[i * hidden + j];
    const hd = h.map((v, i) => v * mask(i));
    const y = new Float64Array(batch * outDim);
    for (let b = 0; b < batch; b++) for (let k = 0; k < outDim; k++) for (let j = 0; j < hidden; j++) y[b * outDim + k] += hd[b * hidden + j] * W2[j * outDim + k];
    let L = 0;
    const dy = y.map((v, i) => {
      L += (v - t[i]) ** 2;
      return (2 * (v - t[i])) / y.length;
    });
    L /= y.length;
    const dW2 = new Float64Array(hidden * outDim);
    const dhd = new Float64Array(batch * hidden);
    for (let b = 0; b < batch; b++)
      for (let j = 0; j < hidden; j++)
        for (let k = 0; k < outDim; k++) {
          dW2[j * outDim + k] += hd[b * hidden + j] * dy[b * outDim + k];
          dhd[b * hidden + j] += dy[b * outDim + k] * W2[j * outDim + k];
        }
    const dh = dhd.map((v, i) => v * mask(i));
    const dW1 = new Float64Array(inDim * hidden);
    for (let b = 0; b < batch; b++) for (let i = 0; i < inDim; i++) for (let j = 0; j < hidden; j++) dW1[i * hidden + j] += x[b * inDim + i] * dh[b * hidden + j];

    expect(Math.abs(loss - L)).toBeLessThan(1e-5 * Math.max(1, L));
    const [w1, w2] = m.getWeights().map(data);
    w1.forEach((v, i) => expect(Math.abs(v - (W1[i] - lr * dW1[i])), `W1[${i}]`).toBeLessThan(1e-5));
    w2.forEach((v, i) => expect(Math.abs(v - (W2[i] - lr * dW2[i])), `W2[${i}]`).toBeLessThan(1e-5));
    // Some of the hidden units were dropped, so the check saw the mask.
    expect(Array.from({ length: batch * hidden }, (_, i) => mask(i)).filter((v) => v === 0).length).toBeGreaterThan(0);
    m.dispose();
  });

  it('a small MNIST-like CNN with dropout trains (loss falls), allocates nothing per step, and predicts deterministically', async () => {
    sn.setSeed(3);
    const n = 256;
    const rng = new Rng(21);
    // Four classes of 12x12 images: a bright bar in one of four places, plus noise.
    const xs = new Float32Array(n * 144);
    const ys = new Float32Array(n * 4);
    for (let s = 0; s < n; s++) {
      const c = s % 4;
      ys[s * 4 + c] = 1;
      for (let p = 0; p < 144; p++) {
        const [r, q] = [Math.floor(p / 12), p % 12];
        const on = c === 0 ? r < 3 : c === 1 ? r > 8 : c === 2 ? q < 3 : q > 8;
        xs[s * 144 + p] = (on ? 0.8 : 0) + rng.uniform(0, 0.4);
      }
    }
    const m = sn.sequential({
      layers: [
        sn.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [12, 12, 1] }),
        sn.layers.spatialDropout2d({ rate: 0.1 }),
        sn.layers.maxPooling2d({ poolSize: 2 }),
        sn.layers.flatten(),
        sn.layers.gaussianNoise({ stddev: 0.05 }),
        sn.layers.dropout({ rate: 0.25 }),
        sn.layers.dense({ units: 4, activation: 'softmax' }),
      ],
    });
    m.compile({ optimizer: sn.optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const x = sn.tensor(xs, [n, 12, 12, 1]);
    const y = sn.tensor(ys, [n, 4]);
    const h = await m.fit(x, y, { epochs: 4, batchSize: 32, verbose: 0 });
    const losses = h.history.loss as number[];
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.7);
    // No allocation in a training step.
    const be = (m as unknown as { be: { arena: { mark(): number } } }).be;
    const top = be.arena.mark();
    for (let i = 0; i < 5; i++) await m.trainOnBatch(sn.slice(x, [0, 0, 0, 0], [32, 12, 12, 1]), sn.slice(y, [0, 0], [32, 4]));
    expect(be.arena.mark()).toBe(top);
    const p1 = data(m.predict(x) as sn.Tensor);
    const p2 = data(m.predict(x) as sn.Tensor);
    expect(bits(p1)).toEqual(bits(p2));
    const acc = (m.evaluate(x, y) as sn.Tensor[])[1].dataSync()[0];
    expect(acc).toBeGreaterThan(0.9);
    m.dispose();
  });
});

describe('TF.js model files', () => {
  type LayerJson = { class_name: string; config: Record<string, unknown> };
  const layersOf = (a: { modelTopology?: unknown }) => ((a.modelTopology as { config: { layers: LayerJson[] } }).config.layers);

  it('a TF.js model with Dropout, SpatialDropout1D and GaussianNoise loads and predicts the same; simdnet writes the same configs', async () => {
    const tm = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 12, inputShape: [6], name: 'd1' }),
        tfl.layers.dropout({ rate: 0.3, seed: 5, name: 'drop' }),
        tfl.layers.reshape({ targetShape: [3, 4], name: 'r' }),
        tfl.layers.spatialDropout1d({ rate: 0.2, name: 'sd' }),
        tfl.layers.flatten({ name: 'f' }),
        tfl.layers.gaussianNoise({ stddev: 0.1, name: 'gn' }),
        // TF.js's type says number[], but it reads null as the input's size (getNoiseShape).
        tfl.layers.dropout({ rate: 0.5, noiseShape: [null, 1] as unknown as number[], name: 'drop2' }),
        tfl.layers.dense({ units: 2, name: 'd2' }),
      ],
    });
    const art = await tfSave(tm);
    const ours = await sn.loadLayersModel(sn.io.fromMemory(art));
    expect(ours.layers.map((l) => l.className)).toEqual(['Dense', 'Dropout', 'Reshape', 'SpatialDropout1D', 'Flatten', 'GaussianNoise', 'Dropout', 'Dense']);
    const x = values(30, 5 * 6);
    const a = data(ours.predict(sn.tensor(x, [5, 6])) as sn.Tensor);
    const b = (tm.predict(tf.tensor(x, [5, 6])) as tf.Tensor).dataSync();
    a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThan(1e-5));
    // simdnet's file: the same layer entries as TF.js's (class and config, key for key).
    const back = await snSave(ours);
    const theirs = layersOf(art);
    layersOf(back).forEach((l, i) => {
      expect(l.class_name).toBe(theirs[i].class_name);
      expect(l.config, l.config.name as string).toEqual(theirs[i].config);
    });
    // And TF.js reads simdnet's file back.
    const again = await tfl.loadLayersModel(tf.io.fromMemory(back as tf.io.ModelArtifacts));
    const c = (again.predict(tf.tensor(x, [5, 6])) as tf.Tensor).dataSync();
    a.forEach((v, i) => expect(Math.abs(v - c[i])).toBeLessThan(1e-5));
    ours.dispose();
  });

  it('SpatialDropout2D is written as the Dropout TF.js can read (mask shared over height and width) and reads back as itself', async () => {
    const m = sn.sequential({ layers: [sn.layers.spatialDropout2d({ rate: 0.3, seed: 4, inputShape: [4, 4, 2], name: 'sd2' }), sn.layers.flatten(), sn.layers.dense({ units: 2 })] });
    const art = await snSave(m);
    const entry = layersOf(art).find((l) => l.config.name === 'sd2')!;
    expect(entry.class_name).toBe('Dropout');
    expect(entry.config).toMatchObject({ rate: 0.3, seed: 4, noise_shape: [null, 1, 1, 2] });
    // TF.js has no SpatialDropout2D class; it loads this file and predicts what simdnet does.
    const theirs = await tfl.loadLayersModel(tf.io.fromMemory(art as tf.io.ModelArtifacts));
    const x = values(6, 3 * 4 * 4 * 2);
    const p = (theirs.predict(tf.tensor(x, [3, 4, 4, 2])) as tf.Tensor).dataSync();
    const q = (m.predict(sn.tensor(x, [3, 4, 4, 2])) as sn.Tensor).dataSync();
    q.forEach((v, i) => expect(Math.abs(v - p[i])).toBeLessThan(1e-6));
    const back = await sn.loadLayersModel(sn.io.fromMemory(art));
    const l = back.getLayer('sd2') as unknown as { className: string; rate: number; seed: number };
    expect([l.className, l.rate, l.seed]).toEqual(['SpatialDropout2D', 0.3, 4]);
    m.dispose();
    back.dispose();
  });
});
