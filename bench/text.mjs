// The Embedding + GRU text-classification row of bench/compare.mjs (issue 15): one model and one
// data set for simdnet (bench/simdnet.mjs) and TF.js (bench/peers/tfjs.mjs), built from each
// library's own TF.js-style API so both train the same architecture on the same batches.
//
// Model, a character-level text classifier: int32 symbol ids [80] → embedding(100 → 64) → gru(64)
// → dense(1, sigmoid), binary cross-entropy, Adam 1e-3, batch 64.
// Why 100 symbols and not a 10,000-word vocabulary: TF.js trains an Embedding through
// UnsortedSegmentSum, which its cpu backend computes with one mask, multiply and sum over the
// whole gradient per vocabulary row, so its step time grows linearly with the vocabulary (one
// step at 1,000 words took 243 s here, loaded); a word-level row could not be timed at all.
// Data: synthetic texts, deterministic from a seed (no download): lengths 20..80, pre-padded
// with 0 as Keras's pad_sequences does, ids from a Zipf-like law over 1..99 (frequent symbols
// have small ids); the label says whether the text holds more "positive" marker symbols than
// "negative" ones (two disjoint sets of five ids among the 50 most frequent), so it is learnable.

export const TEXT = { vocab: 100, length: 80, embed: 64, units: 64 };
export const TEXT_DESC = `Embedding + GRU text classifier: int32 ids [${TEXT.length}] → embedding(${TEXT.vocab.toLocaleString('en-US')} → ${TEXT.embed}) → gru(${TEXT.units}) → dense(1, sigmoid), binary cross-entropy, synthetic texts (bench/text.mjs)`;

/** Park–Miller, as bench/peers/common.mjs's order(). */
function rng(seed) {
  let s = seed % 2147483647 || 1;
  return () => {
    s = (s * 48271) % 2147483647;
    return (s - 1) / 2147483646;
  };
}

/** n texts: { x: Int32Array [n, length], y: Float32Array [n] (0 / 1) }. */
export function textData(n, seed = 42) {
  const r = rng(seed);
  const { vocab, length } = TEXT;
  const x = new Int32Array(n * length);
  const y = new Float32Array(n);
  const isPos = (t) => t < 50 && t % 10 === 3;
  const isNeg = (t) => t < 50 && t % 10 === 7;
  for (let i = 0; i < n; i++) {
    const len = 20 + Math.floor(r() * (length - 19));
    let score = 0;
    for (let j = length - len; j < length; j++) {
      // Zipf-like: log-uniform over 1..vocab−1.
      const t = Math.min(vocab - 1, Math.max(1, Math.floor(Math.exp(r() * Math.log(vocab - 1)))));
      x[i * length + j] = t;
      if (isPos(t)) score++;
      else if (isNeg(t)) score--;
    }
    y[i] = score > 0 || (score === 0 && r() < 0.5) ? 1 : 0;
  }
  return { x, y, n };
}

/**
 * The model with `api` (simdnet's module or a TF.js-like { layers, sequential }), uncompiled.
 * kernelInitializer (a factory) seeds the kernels where the caller wants it.
 */
export function textModel(api, { kernelInitializer } = {}) {
  const k = () => (kernelInitializer ? { kernelInitializer: kernelInitializer() } : {});
  const L = api.layers;
  return api.sequential({
    layers: [
      L.embedding({ inputDim: TEXT.vocab, outputDim: TEXT.embed, inputLength: TEXT.length }),
      L.gru({ units: TEXT.units, ...k() }),
      L.dense({ units: 1, activation: 'sigmoid', ...k() }),
    ],
  });
}

/** Fraction of predictions p (> 0.5 = 1) equal to the 0/1 labels y. */
export function binaryAccuracy(p, y) {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (p[i] > 0.5 === y[i] > 0.5) ok++;
  return ok / y.length;
}

/**
 * Training and inference timing for one library, shared by both sides. lib: { toX(Int32Array, n),
 * toY(Float32Array, n), build(), predict(model, x) → Float32Array, release(tensors) }.
 * cfg: trainSteps, chunks, warmSteps, batchSize, seed, testSamples, deferAccuracy (leave the test
 * accuracy to the caller: textAccuracy). Returns { train, model, testAccuracy?, testSamples? }.
 */
export async function timeText(lib, cfg, now) {
  const bs = cfg.batchSize;
  const train = textData(cfg.trainSteps * bs + cfg.warmSteps * bs, cfg.seed);
  const rows = (d, start, count) => ({ x: d.x.subarray(start * TEXT.length, (start + count) * TEXT.length), y: d.y.subarray(start, start + count) });
  // Warm-up on a throw-away model (JIT, caches); warmSteps 0 skips it.
  if (cfg.warmSteps > 0) {
    const m = lib.build();
    const w = rows(train, cfg.trainSteps * bs, cfg.warmSteps * bs);
    const x = lib.toX(w.x, cfg.warmSteps * bs);
    const y = lib.toY(w.y, cfg.warmSteps * bs);
    await m.fit(x, y, { batchSize: bs, epochs: 1, shuffle: false, verbose: 0 });
    lib.predict(m, x);
    lib.release([x, y]);
    lib.dispose?.(m);
  }
  const model = lib.build();
  const per = Math.max(1, Math.floor(cfg.trainSteps / cfg.chunks));
  const rates = [];
  let seen = 0;
  for (let c = 0; c < cfg.chunks; c++) {
    const n = per * bs;
    const r = rows(train, seen, n);
    const x = lib.toX(r.x, n);
    const y = lib.toY(r.y, n);
    const t0 = now();
    await model.fit(x, y, { batchSize: bs, epochs: 1, shuffle: false, verbose: 0 });
    rates.push(n / ((now() - t0) / 1000));
    lib.release([x, y]);
    seen += n;
  }
  rates.sort((a, b) => a - b);
  const out = { train: { samples: seen, steps: seen / bs, samplesPerSec: rates[rates.length >> 1], mode: `${seen / bs} steps, median of ${rates.length} chunks` } };
  out.model = model;
  if (!cfg.deferAccuracy) Object.assign(out, textAccuracy(lib, model, cfg));
  return out;
}

/** Test accuracy of `model` on cfg.testSamples texts (seed + 1): { testAccuracy, testSamples }. */
export function textAccuracy(lib, model, cfg) {
  const test = textData(cfg.testSamples, cfg.seed + 1);
  const x = lib.toX(test.x, test.n);
  const acc = binaryAccuracy(lib.predict(model, x), test.y);
  lib.release([x]);
  return { testAccuracy: acc, testSamples: test.n };
}

/** Inference samples/s at cfg.inferBatch over the first inferSamples test rows: median of reps. */
export function timeTextInference(lib, model, cfg, now) {
  const test = textData(cfg.inferSamples, cfg.seed + 1);
  const x = lib.toX(test.x, test.n);
  lib.predict(model, x, cfg.inferBatch);
  const rates = [];
  for (let r = 0; r < cfg.inferReps; r++) {
    const t0 = now();
    lib.predict(model, x, cfg.inferBatch);
    rates.push(test.n / ((now() - t0) / 1000));
  }
  lib.release([x]);
  rates.sort((a, b) => a - b);
  return { samples: test.n, batch: cfg.inferBatch, samplesPerSec: rates[rates.length >> 1], note: `median of ${cfg.inferReps} predict(x, { batchSize: ${cfg.inferBatch} })` };
}
