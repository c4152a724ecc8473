// The character-level language model (issue 15): text → vocabulary → ids → windows
// (src/data/text.ts), the charlstm/chargru builders (src/cli/models.ts: embedding → lstm|gru with
// returnSequences → dense softmax at every step), a short training run on the text that ships
// in the repository (data/shakespeare.txt, public domain; data/README.md), and seeded
// generation (src/cli/generate.ts). The CLI commands are tested in test/io/cli-generate.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { charModel } from '../../src/cli/models.ts';
import { generateText, charModelShape } from '../../src/cli/generate.ts';
import { Random } from '../../src/random.ts';

const { textVocabulary, encodeText, decodeText, textWindows, sampleIndex } = sn.data;
const root = path.resolve(import.meta.dirname, '../..');
const SHAKESPEARE = fs.readFileSync(path.join(root, 'data/shakespeare.txt'), 'utf8');

beforeAll(async () => {
  await sn.init({ deterministic: true });
});

describe('text data', () => {
  it('the vocabulary is the sorted distinct code points; encode and decode are inverse', () => {
    expect(textVocabulary('hello, world')).toEqual([' ', ',', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
    // A surrogate pair is one character, sorted by its code point (U+1F600 after U+00E9).
    expect(textVocabulary('é😀a')).toEqual(['a', 'é', '😀']);
    const vocab = textVocabulary('abcab😀');
    const ids = encodeText('ba😀c', vocab);
    expect(Array.from(ids)).toEqual([1, 0, 3, 2]);
    expect(decodeText(ids, vocab)).toBe('ba😀c');
    // The shipped text: plain ASCII, 62 distinct characters, newline first.
    const v = textVocabulary(SHAKESPEARE);
    expect(v).toHaveLength(62);
    expect(v[0]).toBe('\n');
    expect(SHAKESPEARE.length).toBe(300_174);
    expect(decodeText(encodeText(SHAKESPEARE, v), v)).toBe(SHAKESPEARE);
  });

  it('errors name the character, its position and the vocabulary', () => {
    expect(() => encodeText('abz', ['a', 'b'])).toThrow(/^data.encodeText: character 2 of the text, 'z', is not in the vocabulary of 2 characters$/);
    expect(() => encodeText('a\tb', ['a', 'b'])).toThrow(/character 1 of the text, "\\t" \(U\+0009\), is not in the vocabulary/);
    expect(() => encodeText('a', ['a', 'a'])).toThrow(/vocab\[1\]: 'a' appears twice/);
    expect(() => encodeText('a', ['ab'])).toThrow(/vocab\[0\]: expected one character, got "ab"/);
    expect(() => encodeText('a', [])).toThrow(/vocab: expected a non-empty array of characters/);
    expect(() => decodeText([0, 2], ['a', 'b'])).toThrow(/^data.decodeText: id 1 is 2, outside \[0, 2\)$/);
    expect(() => textVocabulary('')).toThrow(/the text is empty/);
    expect(() => textVocabulary(5 as never)).toThrow(/expected a string, got 5/);
  });

  it('windows: each target is the window one character later', () => {
    const ids = Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const a = textWindows(ids, { seqLength: 3 });
    expect(a.xs.shape).toEqual([3, 3]);
    expect(a.xs.dtype).toBe('int32');
    expect(Array.from(a.xs.dataSync())).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(a.ys.dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const b = textWindows(ids, { seqLength: 4, step: 2 });
    expect(b.xs.shape).toEqual([3, 4]);
    expect(Array.from(b.xs.dataSync())).toEqual([0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7]);
    expect(Array.from(b.ys.dataSync())).toEqual([1, 2, 3, 4, 3, 4, 5, 6, 5, 6, 7, 8]);
    expect(() => textWindows(ids, { seqLength: 10 })).toThrow(/a window of 10 characters and its target need 11 characters; the text has 10/);
    expect(() => textWindows(ids, { seqLength: 0 })).toThrow(/seqLength: expected a positive integer, got 0/);
    expect(() => textWindows(ids, { seqLength: 2, step: 1.5 })).toThrow(/step: expected a positive integer, got 1.5/);
    expect(() => textWindows(ids, { seqLength: 2, stride: 1 } as never)).toThrow(/unknown option stride; expected one of seqLength, step/);
    expect(() => textWindows([1, 2, 3] as never, { seqLength: 1 })).toThrow(/expected the ids as an Int32Array/);
  });

  it('sampleIndex draws from p^(1/T), renormalised (float64 reference), and argmax at T = 0', () => {
    const p = [0.5, 0.3, 0.15, 0.05, 0];
    expect(sampleIndex(p, 0, () => 0.99)).toBe(0);
    expect(sampleIndex([0.2, 0.4, 0.4], 0, () => 0)).toBe(1); // the first of equals
    for (const T of [0.5, 1, 2]) {
      const w = p.map((q) => q ** (1 / T));
      const total = w.reduce((a, b) => a + b, 0);
      const expected = w.map((q) => q / total);
      const r = new Random(7);
      const counts = new Array(p.length).fill(0);
      const N = 40_000;
      for (let i = 0; i < N; i++) counts[sampleIndex(p, T, () => r.uniform())]++;
      // 4.5 binomial standard deviations: a seeded run, so this is fixed; the margin is for
      // anyone changing the seed.
      counts.forEach((c, i) => expect(Math.abs(c / N - expected[i])).toBeLessThanOrEqual(4.5 * Math.sqrt((expected[i] * (1 - expected[i])) / N) + 1e-12));
      expect(counts[4]).toBe(0); // probability 0 is never drawn
    }
    // The uniform draw maps onto the cumulative weights: u = 0.6 at T = 1 lands in index 1 (0.5..0.8).
    expect(sampleIndex(p, 1, () => 0.6)).toBe(1);
    // A tiny temperature does not underflow: the largest still wins.
    expect(sampleIndex([1e-30, 2e-30], 0.001, () => 0.5)).toBe(1);
    expect(() => sampleIndex(p, -1, Math.random)).toThrow(/temperature: expected a number >= 0, got -1/);
    expect(() => sampleIndex([0, 0], 1, Math.random)).toThrow(/every probability is 0/);
    expect(() => sampleIndex([0.5, Number.NaN], 1, Math.random)).toThrow(/probability 1 is NaN/);
    expect(() => sampleIndex(p, 1, () => 1)).toThrow(/random\(\) returned 1; expected a number in \[0, 1\)/);
  });
});

describe('character model', () => {
  it('is embedding → lstm|gru (every step) → dense softmax, causal, and its loss drops in a few seconds of training', async () => {
    const text = SHAKESPEARE.slice(0, 16_000);
    const vocab = textVocabulary(text);
    const { xs, ys } = textWindows(encodeText(text, vocab), { seqLength: 40 });
    expect(xs.shape).toEqual([399, 40]);
    for (const name of ['charlstm', 'chargru'] as const) {
      sn.setSeed(5);
      const model = charModel(sn, name, { vocabSize: vocab.length, seqLength: 40 });
      expect(model.layers.map((l) => l.className)).toEqual(['Embedding', name === 'charlstm' ? 'LSTM' : 'GRU', 'Dense']);
      expect(charModelShape(model)).toEqual({ seqLength: 40, vocabSize: vocab.length });
      const u = 128;
      const gates = name === 'charlstm' ? 4 : 3;
      expect(model.countParams()).toBe(vocab.length * 32 + gates * (32 * u + u * u + u) + u * vocab.length + vocab.length);

      // Causal: the first 10 steps' outputs do not depend on what follows them in the window.
      const a = Int32Array.from(xs.dataSync().subarray(0, 40));
      const b = a.slice();
      b.fill(0, 10);
      const pa = (model.predict(new sn.Tensor(a, [1, 40], 'int32')) as sn.Tensor).dataSync().subarray(0, 10 * vocab.length);
      const pb = (model.predict(new sn.Tensor(b, [1, 40], 'int32')) as sn.Tensor).dataSync().subarray(0, 10 * vocab.length);
      expect(Array.from(pb)).toEqual(Array.from(pa));

      model.compile({ optimizer: sn.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      const [before] = model.evaluateValues(xs, ys, { batchSize: 128 });
      const t0 = performance.now();
      const h = await model.fit(xs, ys, { epochs: 3, batchSize: 16, verbose: 0 });
      const secs = (performance.now() - t0) / 1000;
      const [after, acc] = model.evaluateValues(xs, ys, { batchSize: 128 });
      const loss = h.history.loss as number[];
      console.log(`${name}: loss ${before.toFixed(4)} before, epochs ${loss.map((l) => l.toFixed(4)).join(' ')}, ${after.toFixed(4)} after (accuracy ${acc.toFixed(4)}); ${((3 * 399 * 40) / secs).toFixed(0)} characters/s`);
      // Untrained, the softmax is near uniform: ln(vocabulary). Measured (deterministic binary,
      // seed 5): LSTM 4.06 → epochs 3.44, 3.01, 2.53 → 2.39 after (accuracy 0.32); GRU 4.06 →
      // 3.33, 2.60, 2.32 → 2.19 (0.375).
      expect(before).toBeGreaterThan(Math.log(vocab.length) - 0.1);
      expect(before).toBeLessThan(Math.log(vocab.length) + 0.1);
      for (let e = 1; e < loss.length; e++) expect(loss[e]).toBeLessThan(loss[e - 1]);
      expect(after).toBeLessThan(2.75);
      expect(acc).toBeGreaterThan(0.25);
      model.dispose();
    }
  }, 120_000);

  it('generates only vocabulary characters, the same text for the same seed, and the argmax chain at temperature 0', async () => {
    const text = SHAKESPEARE.slice(0, 12_000);
    const vocab = textVocabulary(text);
    const { xs, ys } = textWindows(encodeText(text, vocab), { seqLength: 40 });
    sn.setSeed(8);
    const model = charModel(sn, 'charlstm', { vocabSize: vocab.length, seqLength: 40 });
    model.compile({ optimizer: sn.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy' });
    await model.fit(xs, ys, { epochs: 2, batchSize: 32, verbose: 0 });

    const before = sn.memory().numTensors;
    const g1 = generateText(model, vocab, 'First', { length: 80, temperature: 0.8, seed: 11 });
    const g2 = generateText(model, vocab, 'First', { length: 80, temperature: 0.8, seed: 11 });
    const g3 = generateText(model, vocab, 'First', { length: 80, temperature: 0.8, seed: 12 });
    expect(sn.memory().numTensors).toBe(before); // every step's tensors are disposed
    expect(Array.from(g1)).toHaveLength(80);
    expect(g2).toBe(g1);
    expect(g3).not.toBe(g1);
    for (const c of g1 + g3) expect(vocab).toContain(c);

    // Temperature 0 follows the argmax, read from the step where the context ends; past 40
    // characters the context is the last 40.
    const prompt = 'Before we proceed any further, hear me speak.\nAll:'; // 50 characters
    const greedy = generateText(model, vocab, prompt, { length: 5, temperature: 0 });
    let ctx = Array.from(encodeText(prompt, vocab));
    let expected = '';
    for (let i = 0; i < 5; i++) {
      const last = ctx.slice(-40);
      const y = (model.predict(new sn.Tensor(Int32Array.from(last), [1, 40], 'int32')) as sn.Tensor).dataSync();
      const row = Array.from(y.subarray(39 * vocab.length, 40 * vocab.length));
      const best = row.indexOf(Math.max(...row));
      ctx = [...ctx, best];
      expected += vocab[best];
    }
    expect(greedy).toBe(expected);
    // A short prompt reads the row where it ends, whatever pads the rest of the window.
    const short = generateText(model, vocab, 'Fi', { length: 1, temperature: 0 });
    const y = (model.predict(new sn.Tensor(Int32Array.from([...encodeText('Fi', vocab), ...new Array(38).fill(vocab.length - 1)]), [1, 40], 'int32')) as sn.Tensor).dataSync();
    const row = Array.from(y.subarray(vocab.length, 2 * vocab.length));
    expect(short).toBe(vocab[row.indexOf(Math.max(...row))]);

    expect(generateText(model, vocab, 'F', { length: 0 })).toBe('');
    expect(() => generateText(model, vocab, '', { length: 3 })).toThrow(/the prompt is empty/);
    expect(() => generateText(model, vocab, 'F{', { length: 3 })).toThrow(/character 1 of the text, '\{', is not in the vocabulary of \d+ characters/);
    expect(() => generateText(model, vocab, 'F', { temperature: -0.5 })).toThrow(/temperature: expected a number >= 0, got -0.5/);
    expect(() => generateText(model, vocab.slice(1), 'F')).toThrow(/the model predicts \d+ characters, the vocabulary has \d+/);
    model.dispose();
  }, 120_000);
});
