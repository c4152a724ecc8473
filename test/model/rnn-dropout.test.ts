// dropout / recurrentDropout on simpleRNN, lstm and gru (and inside bidirectional): one input mask
// [batch, in] and one state mask [batch, units] per training pass, the same at every step, as
// Keras and TF.js apply them. TF.js draws its masks from its own generator, so the comparison is
// with a float64 reference of Keras's formula (test/reference/recurrent.ts) given the masks the
// layer drew: one SGD step of the whole model. Then: inference equals the model without dropout,
// a rate → 0 equals the plain layer, runs are deterministic under setSeed, the masks have the
// rate's statistics, and the options are saved where TF.js reads them.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import type { Layer as SnLayer, NodeCtx } from '../../src/layers/layer.ts';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js';
// That import loads tfjs-core's ES-module copy, whose Tensor class the shared engine then uses;
// its clone() (which TF.js's recurrent cells call on their dropout masks, ones at inference) needs
// the op handler that only this module of that copy installs.
import '@tensorflow/tfjs-core/dist/base_side_effects.js';
import { backend } from '../../src/wasm/loader.ts';
import * as ref from '../reference/recurrent.ts';
import { snArtifacts, snT } from '../helpers/parity.ts';
import { closeness, initTfjs, randomBatch, randomLabels, Rng, tf, tfl, toTf } from '../helpers/tfjs.ts';

beforeAll(async () => {
  await sn.init({ deterministic: true });
  await initTfjs();
});

const CELLS = [
  { name: 'simpleRNN', make: (o: object) => sn.layers.simpleRNN({ units: 5, ...o }), cell: ref.CELL.simpleRNN, G: 1 },
  { name: 'lstm', make: (o: object) => sn.layers.lstm({ units: 5, recurrentActivation: 'sigmoid', ...o }), cell: ref.CELL.lstm, G: 4 },
  { name: 'gru', make: (o: object) => sn.layers.gru({ units: 5, recurrentActivation: 'sigmoid', ...o }), cell: ref.CELL.gru, G: 3 },
  { name: 'gru(resetAfter)', make: (o: object) => sn.layers.gru({ units: 5, resetAfter: true, recurrentActivation: 'sigmoid', ...o }), cell: ref.CELL.gruResetAfter, G: 3 },
];
const [STEPS, IN, UNITS, CLASSES, N] = [6, 4, 5, 3, 7];
const DROP = { dropout: 0.3, recurrentDropout: 0.4 };

function model(layer: SnLayer, seed: number) {
  sn.setSeed(seed);
  const m = sn.sequential({ layers: [layer, sn.layers.dense({ units: CLASSES, activation: 'softmax', name: 'out' })] });
  m.compile({ optimizer: sn.optimizers.sgd({ learningRate: 0.5 }), loss: 'sparseCategoricalCrossentropy' });
  return m;
}
const batch = (seed: number) => {
  const r = new Rng(seed);
  return { x: randomBatch(r, [N, STEPS, IN]), y: randomLabels(r, N, CLASSES) };
};
const vals = (ts: sn.Tensor[]) => ts.map((t) => Array.from(t.dataSync()));

/** The dropout masks the recurrent node's last training pass used: [input mask, state mask]. */
function masksOf(m: sn.LayersModel, layer: SnLayer): [Float32Array, Float32Array] {
  const plan = m.ensurePlan(N, 'train');
  const c = plan.ctxs.find((x: NodeCtx) => x.node.layer === layer)!;
  const arena = backend().arena.f32;
  return [arena.slice(c.saved[5] >>> 2, (c.saved[5] >>> 2) + N * IN), arena.slice(c.saved[6] >>> 2, (c.saved[6] >>> 2) + N * UNITS)];
}

describe('recurrent dropout: Keras formula given the masks', () => {
  for (const cc of CELLS) {
    it(`${cc.name}(dropout 0.3, recurrentDropout 0.4, goBackwards) → dense: one SGD step equals the float64 reference with the layer's masks`, async () => {
      const layer = cc.make({ ...DROP, goBackwards: true, inputShape: [STEPS, IN], name: 'rnn', biasInitializer: 'randomNormal' });
      const m = model(layer, 11);
      const w0 = vals(m.getWeights()).map((a) => Float64Array.from(a));
      const { x, y } = batch(12);
      const loss = (await m.trainOnBatch(snT(x), snT(y))) as number;
      const [mx, mh] = masksOf(m, layer);
      // The masks: 0 or 1/(1 − rate), about the rate dropped.
      const kx = Math.fround(1 / Math.fround(0.7));
      const kh = Math.fround(1 / Math.fround(0.6));
      expect(mx.every((v) => v === 0 || v === kx)).toBe(true);
      expect(mh.every((v) => v === 0 || v === kh)).toBe(true);
      expect(mx.some((v) => v === 0) && mh.some((v) => v === 0)).toBe(true);

      // The reference: forward with the masks, softmax cross-entropy, backward, SGD.
      const gu = cc.G * UNITS;
      const flags = ref.FLAG.goBackwards;
      const yv = new Float64Array(N * UNITS);
      const gates = new Float64Array(STEPS * N * gu);
      const hs = new Float64Array(STEPS * N * UNITS);
      const cs = new Float64Array(STEPS * N * gu);
      const [W, U, B, D, Db] = w0;
      const act = ref.ACT.tanh;
      const rec = cc.cell === ref.CELL.simpleRNN ? ref.ACT.linear : ref.ACT.sigmoid;
      ref.rnn_forward_f32(yv, gates, hs, cs, x.values, W, U, B, null, null, null, mx, mh, N, STEPS, IN, UNITS, cc.cell, act, rec, flags);
      let want = 0;
      const dz = new Float64Array(N * CLASSES);
      for (let b = 0; b < N; b++) {
        const z = Array.from({ length: CLASSES }, (_, k) => Db[k] + Array.from({ length: UNITS }, (_, j) => yv[b * UNITS + j] * D[j * CLASSES + k]).reduce((s, v) => s + v, 0));
        const mxz = Math.max(...z);
        const e = z.map((v) => Math.exp(v - mxz));
        const sum = e.reduce((s, v) => s + v, 0);
        const label = y.values[b];
        want -= Math.log(e[label] / sum) / N;
        for (let k = 0; k < CLASSES; k++) dz[b * CLASSES + k] = (e[k] / sum - (k === label ? 1 : 0)) / N;
      }
      const gW = new Float64Array(W.length), gU = new Float64Array(U.length), gB = new Float64Array(B.length), gD = new Float64Array(D.length), gDb = new Float64Array(Db.length);
      const dyv = new Float64Array(N * UNITS);
      for (let b = 0; b < N; b++)
        for (let k = 0; k < CLASSES; k++) {
          gDb[k] += dz[b * CLASSES + k];
          for (let j = 0; j < UNITS; j++) {
            gD[j * CLASSES + k] += yv[b * UNITS + j] * dz[b * CLASSES + k];
            dyv[b * UNITS + j] += dz[b * CLASSES + k] * D[j * CLASSES + k];
          }
        }
      ref.rnn_backward_f32(null, gW, gU, gB, dyv, x.values, W, U, null, null, null, mx, mh, gates, hs, cs, N, STEPS, IN, UNITS, cc.cell, act, rec, flags);
      expect(Math.abs(loss - want), `loss ${loss} vs ${want}`).toBeLessThan(1e-5 * Math.abs(want) + 1e-6);
      const after = vals(m.getWeights());
      [gW, gU, gB, gD, gDb].forEach((g, i) => {
        const wantW = w0[i].map((v, j) => v - 0.5 * g[j]);
        const d = closeness(after[i], wantW, `weight ${i}`, { rtol: 1e-5, atol: 1e-6 });
        expect(d.ratio, d.where).toBeLessThanOrEqual(1);
      });
      m.dispose();
    });
  }
});

describe('recurrent dropout: when it is off and what it keeps', () => {
  for (const cc of CELLS) {
    it(`${cc.name}: inference equals the layer without dropout; rate → 0 trains as the plain layer; rate 0 and 1 are off (TF.js)`, async () => {
      const { x, y } = batch(3);
      const plain = model(cc.make({ inputShape: [STEPS, IN], name: 'p' }), 5);
      const dropped = model(cc.make({ ...DROP, inputShape: [STEPS, IN], name: 'd' }), 5);
      dropped.setWeights(plain.getWeights());
      expect(Array.from((dropped.predict(snT(x)) as sn.Tensor).dataSync())).toEqual(Array.from((plain.predict(snT(x)) as sn.Tensor).dataSync()));
      const ev = (m: sn.LayersModel) => (m.evaluate(snT(x), snT(y)) as sn.Tensor).dataSync()[0];
      expect(ev(dropped)).toBe(ev(plain));
      // A training step with dropout differs from one without.
      const a = (await dropped.trainOnBatch(snT(x), snT(y))) as number;
      const b = (await plain.trainOnBatch(snT(x), snT(y))) as number;
      expect(a).not.toBe(b);
      for (const [rates, what] of [[{ dropout: 1e-9, recurrentDropout: 1e-9 }, 'rate 1e-9'], [{ dropout: 0, recurrentDropout: 0 }, 'rate 0'], [{ dropout: 1, recurrentDropout: 1 }, 'rate 1']] as const) {
        const p = model(cc.make({ inputShape: [STEPS, IN], name: 'p2' }), 8);
        const q = model(cc.make({ ...rates, inputShape: [STEPS, IN], name: 'q2' }), 8);
        q.setWeights(p.getWeights());
        for (let s = 0; s < 2; s++) {
          const bs = batch(20 + s);
          expect(await q.trainOnBatch(snT(bs.x), snT(bs.y)), `${what} step ${s}`).toBe(await p.trainOnBatch(snT(bs.x), snT(bs.y)));
        }
        expect(vals(q.getWeights()), what).toEqual(vals(p.getWeights()));
        p.dispose();
        q.dispose();
      }
      plain.dispose();
      dropped.dispose();
    });
  }

  it('deterministic under setSeed: the same losses and weights on every run; another seed draws other masks', async () => {
    const run = async (seed: number) => {
      const m = model(sn.layers.lstm({ units: UNITS, ...DROP, inputShape: [STEPS, IN], name: 'l' }), seed);
      const losses: number[] = [];
      for (let s = 0; s < 3; s++) {
        const bs = batch(40 + s);
        losses.push((await m.trainOnBatch(snT(bs.x), snT(bs.y))) as number);
      }
      const w = vals(m.getWeights());
      m.dispose();
      return { losses, w };
    };
    const a = await run(9);
    const b = await run(9);
    expect(b).toEqual(a);
    // Another seed: other initial weights and other masks.
    const c = await run(10);
    expect(c.losses).not.toEqual(a.losses);
  });

  it('one mask per sequence: ~30% of the input mask and ~40% of the state mask dropped over many samples', async () => {
    const n = 400;
    const layer = sn.layers.gru({ units: 16, ...DROP, inputShape: [3, 8], name: 'g' });
    sn.setSeed(2);
    const m = sn.sequential({ layers: [layer, sn.layers.dense({ units: 2, activation: 'softmax' })] });
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const r = new Rng(1);
    await m.trainOnBatch(snT(randomBatch(r, [n, 3, 8])), snT(randomLabels(r, n, 2)));
    const plan = m.ensurePlan(n, 'train');
    const c = plan.ctxs.find((x: NodeCtx) => x.node.layer === layer)!;
    const arena = backend().arena.f32;
    const frac = (p: number, len: number) => arena.slice(p >>> 2, (p >>> 2) + len).filter((v) => v === 0).length / len;
    expect(Math.abs(frac(c.saved[5], n * 8) - 0.3)).toBeLessThan(0.03);
    expect(Math.abs(frac(c.saved[6], n * 16) - 0.4)).toBeLessThan(0.03);
    m.dispose();
  });

  it('bidirectional(lstm with dropout): each direction draws its own masks; inference equals no dropout; trains', async () => {
    const mk = (o: object, name: string) => {
      sn.setSeed(4);
      const m = sn.sequential({ layers: [sn.layers.bidirectional({ layer: sn.layers.lstm({ units: 4, ...o, name: `${name}_l` }), inputShape: [STEPS, IN], name }), sn.layers.dense({ units: CLASSES, activation: 'softmax' })] });
      m.compile({ optimizer: sn.optimizers.sgd({ learningRate: 0.5 }), loss: 'sparseCategoricalCrossentropy' });
      return m;
    };
    const p = mk({}, 'bp');
    const q = mk(DROP, 'bq');
    q.setWeights(p.getWeights());
    const { x, y } = batch(6);
    expect(Array.from((q.predict(snT(x)) as sn.Tensor).dataSync())).toEqual(Array.from((p.predict(snT(x)) as sn.Tensor).dataSync()));
    const lq = (await q.trainOnBatch(snT(x), snT(y))) as number;
    expect(Number.isFinite(lq)).toBe(true);
    expect(lq).not.toBe(await p.trainOnBatch(snT(x), snT(y)));
    const plan = q.ensurePlan(N, 'train');
    const c = plan.ctxs.find((z: NodeCtx) => z.node.layer.name === 'bq')!;
    const arena = backend().arena.f32;
    const read = (ptr: number, len: number) => Array.from(arena.slice(ptr >>> 2, (ptr >>> 2) + len));
    expect(read(c.saved[15], N * IN)).not.toEqual(read(c.saved[17], N * IN));
    p.dispose();
    q.dispose();
  });
});

describe('recurrent dropout in model files', () => {
  it('dropout and recurrentDropout are written; TF.js loads the file and predicts the same; simdnet loads it back', async () => {
    const m = model(sn.layers.lstm({ units: UNITS, ...DROP, inputShape: [STEPS, IN], name: 'l' }), 3);
    const { x } = batch(2);
    const want = Array.from((m.predict(snT(x)) as sn.Tensor).dataSync());
    const file = await snArtifacts(m);
    const cfg = (file.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers.find((l) => l.class_name === 'LSTM')!.config;
    expect([cfg.dropout, cfg.recurrent_dropout]).toEqual([0.3, 0.4]);
    const t = await tfl.loadLayersModel(tf.io.fromMemory(file as tf.io.ModelArtifacts));
    const d = closeness((t.predict(toTf(x)) as tf.Tensor).dataSync(), want, 'TF.js from simdnet file', { rtol: 1e-5, atol: 1e-6 });
    expect(d.ratio, d.where).toBeLessThanOrEqual(1);
    const back = await sn.loadLayersModel(sn.io.fromMemory(file));
    expect((back.layers[0] as unknown as { dropout: number; recurrentDropout: number }).recurrentDropout).toBe(0.4);
    expect(Array.from((back.predict(snT(x)) as sn.Tensor).dataSync())).toEqual(want);
    t.dispose();
    back.dispose();
    m.dispose();
  });
});
