// ConvNetJS 0.3.0 (plain JavaScript, no wasm, no SIMD) as a peer in bench/compare.mjs:
// end-to-end rows only (it has no kernel API), in a child process:
//   node bench/peers/convnetjs.mjs e2e '{"model":"mlp"}'      node bench/peers/convnetjs.mjs cold '{"model":"mlp"}'
//
// Same architectures as the other libraries, with ConvNetJS's own initialisation. The npm
// release 0.3.0 has no Adam (it was added upstream after that release: its
// Trainer knows sgd / adagrad / adadelta / windowgrad), so this file applies the Adam update
// of the upstream development version of ConvNetJS (beta1 0.9, beta2 0.999, eps 1e-8, grads averaged over the batch)
// to `net.getParamsAndGrads()` after every 64 samples — ConvNetJS's own forward/backward, the
// Trainer's update rule as published upstream. ConvNetJS processes one sample at a time (no
// batched kernels): "batch 256" inference means 256 single-sample forward passes.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { childMain, loadMnist, now, order, root } from './common.mjs';

const require = createRequire(import.meta.url);

export function versions() {
  return { convnetjs: JSON.parse(fs.readFileSync(path.join(root, 'node_modules/convnetjs/package.json'), 'utf8')).version };
}

export const ADAM_NOTE = 'ConvNetJS 0.3.0 (npm) has no Adam: the bench applies the Adam update of the upstream development version of ConvNetJS to net.getParamsAndGrads() every 64 samples';

function layerDefs(kind) {
  const input = { type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 };
  if (kind === 'mlp') return [input, { type: 'fc', num_neurons: 128, activation: 'relu' }, { type: 'softmax', num_classes: 10 }];
  return [
    input,
    { type: 'conv', sx: 5, filters: 8, stride: 1, pad: 2, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 2, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'softmax', num_classes: 10 },
  ];
}

function makeNet(cnj, kind) {
  const net = new cnj.Net();
  net.makeLayers(layerDefs(kind));
  return net;
}

/** ConvNetJS master's Adam, over the accumulated (summed) gradients of one batch. */
function makeAdam(net, { lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = {}) {
  const pg = net.getParamsAndGrads();
  const m = pg.map((x) => new Float64Array(x.params.length));
  const v = pg.map((x) => new Float64Array(x.params.length));
  let k = 0;
  return (batch) => {
    k++;
    const c1 = 1 - Math.pow(beta1, k);
    const c2 = 1 - Math.pow(beta2, k);
    for (let i = 0; i < pg.length; i++) {
      const p = pg[i].params;
      const g = pg[i].grads;
      const mi = m[i];
      const vi = v[i];
      for (let j = 0; j < p.length; j++) {
        const gij = g[j] / batch;
        mi[j] = mi[j] * beta1 + (1 - beta1) * gij;
        vi[j] = vi[j] * beta2 + (1 - beta2) * gij * gij;
        p[j] += (-lr * (mi[j] / c1)) / (Math.sqrt(vi[j] / c2) + eps);
        g[j] = 0;
      }
    }
  };
}

function trainSteps(net, adam, vol, x, y, idx, start, count, bs) {
  for (let s = 0; s < count; s += bs) {
    const n = Math.min(bs, count - s);
    for (let i = 0; i < n; i++) {
      const r = idx ? idx[start + s + i] : start + s + i;
      vol.w.set(x.subarray(r * 784, r * 784 + 784));
      net.forward(vol, true);
      net.backward(y[r]);
    }
    adam(n);
  }
}

function predictClass(net, vol, x, r) {
  vol.w.set(x.subarray(r * 784, r * 784 + 784));
  const p = net.forward(vol, false).w;
  let best = 0;
  for (let c = 1; c < 10; c++) if (p[c] > p[best]) best = c;
  return best;
}

async function e2e(cfg) {
  const cnj = require('convnetjs');
  const kind = cfg.model;
  const bs = cfg.batchSize;
  const d = await loadMnist({ trainLimit: cfg.trainLimit, testLimit: cfg.testLimit || undefined });
  const ord = order(d.nTrain, cfg.seed);
  const vol = new cnj.Vol(28, 28, 1, 0.0);
  {
    const net = makeNet(cnj, kind);
    trainSteps(net, makeAdam(net), vol, d.trainX, d.trainY, ord, 0, Math.min(cfg.warmSteps * bs, d.nTrain), bs);
  }
  const net = makeNet(cnj, kind);
  const adam = makeAdam(net);
  const out = { library: 'convnetjs', model: kind, optimizerNote: ADAM_NOTE };
  // A full epoch of the CNN in plain JS can take many minutes: cfg.epochCap (samples) bounds it.
  const epochSamples = cfg.epoch ? Math.min(d.nTrain, cfg.epochCap || d.nTrain) : 0;
  if (cfg.epoch && epochSamples === d.nTrain) {
    const ep = order(d.nTrain, cfg.seed + 1);
    const t0 = now();
    trainSteps(net, adam, vol, d.trainX, d.trainY, ep, 0, d.nTrain, bs);
    const secs = (now() - t0) / 1000;
    out.train = { samples: d.nTrain, steps: Math.ceil(d.nTrain / bs), seconds: secs, samplesPerSec: d.nTrain / secs, mode: 'one epoch' };
  } else {
    const steps = cfg.epoch ? Math.ceil(epochSamples / bs) : cfg.trainSteps;
    const chunks = cfg.epoch ? Math.max(cfg.chunks, 4) : cfg.chunks;
    const per = Math.max(1, Math.floor(steps / chunks));
    const rates = [];
    let seen = 0;
    let totalSecs = 0;
    for (let c = 0; c < chunks; c++) {
      const n = Math.min(per * bs, d.nTrain - seen);
      if (n <= 0) break;
      const t0 = now();
      trainSteps(net, adam, vol, d.trainX, d.trainY, ord, seen, n, bs);
      const secs = (now() - t0) / 1000;
      rates.push(n / secs);
      totalSecs += secs;
      seen += n;
    }
    rates.sort((a, b) => a - b);
    out.train = {
      samples: seen,
      steps: Math.ceil(seen / bs),
      seconds: totalSecs,
      samplesPerSec: rates[rates.length >> 1],
      mode: `${Math.ceil(seen / bs)} steps, median of ${rates.length} chunks${cfg.epoch ? ' (epoch capped: plain JS is too slow for a full epoch in the time budget)' : ''}`,
    };
  }
  let ok = 0;
  for (let i = 0; i < d.nTest; i++) if (predictClass(net, vol, d.testX, i) === d.testY[i]) ok++;
  out.testAccuracy = ok / d.nTest;
  out.testSamples = d.nTest;
  out.accuracyAfter = out.train.mode === 'one epoch' ? 'one epoch' : `${out.train.steps} steps`;

  const nInf = Math.min(d.nTest, Math.max(cfg.inferBatch, Math.floor(Math.min(cfg.inferSamples, d.nTest) / cfg.inferBatch) * cfg.inferBatch));
  const rates = [];
  for (let r = 0; r < cfg.inferReps; r++) {
    const t0 = now();
    for (let i = 0; i < nInf; i++) predictClass(net, vol, d.testX, i);
    rates.push(nInf / ((now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  out.infer = { samples: nInf, batch: 1, samplesPerSec: rates[rates.length >> 1], note: 'one sample at a time (ConvNetJS has no batched forward)' };
  return out;
}

async function cold(cfg) {
  const t0 = now();
  const cnj = require('convnetjs');
  const tImport = now();
  const net = makeNet(cnj, cfg.model);
  const vol = new cnj.Vol(28, 28, 1, 0.0);
  net.forward(vol, false);
  const t1 = now();
  return { library: 'convnetjs', model: cfg.model, coldStartMs: t1 - t0, importMs: tImport - t0, initMs: 0, firstPredictMs: t1 - tImport };
}

await childMain(import.meta.url, { e2e, cold });
