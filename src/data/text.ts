/**
 * Text for character-level models: the vocabulary of a text, its characters as int32 ids and
 * back, training windows (each character's target is the next one), and sampling the next
 * character from a softmax row at a temperature with the seeded generator.
 *
 * A character is a Unicode code point (`Array.from(text)`), so a surrogate pair is one
 * character, never two halves that could be sampled apart.
 */
import { Tensor, checkNumber, checkOptions, describe } from '../tensor.ts';

/** The distinct characters of `text`, sorted by code point: id i is `vocab[i]`. */
export function textVocabulary(text: string): string[] {
  if (typeof text !== 'string') throw new TypeError(`data.textVocabulary: expected a string, got ${describe(text)}`);
  const set = new Set(Array.from(text));
  if (set.size === 0) throw new Error('data.textVocabulary: the text is empty');
  return [...set].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
}

/** How a character reads in an error message: visible as itself, control characters as JSON escapes. */
const showChar = (c: string) => (/^[\p{L}\p{N}\p{P}\p{S}]$/u.test(c) ? `'${c}'` : `${JSON.stringify(c)} (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`);

function checkVocabulary(vocab: unknown, who: string): readonly string[] {
  if (!Array.isArray(vocab) || vocab.length === 0) throw new TypeError(`${who}: vocab: expected a non-empty array of characters, got ${describe(vocab)}`);
  const seen = new Set<string>();
  for (let i = 0; i < vocab.length; i++) {
    const c = vocab[i];
    if (typeof c !== 'string' || Array.from(c).length !== 1) throw new TypeError(`${who}: vocab[${i}]: expected one character, got ${describe(c)}`);
    if (seen.has(c)) throw new Error(`${who}: vocab[${i}]: ${showChar(c)} appears twice`);
    seen.add(c);
  }
  return vocab;
}

/**
 * `text` as ids into `vocab` (an Int32Array, one id per character). A character outside the
 * vocabulary is an error naming it and its position, before anything is encoded.
 */
export function encodeText(text: string, vocab: readonly string[]): Int32Array {
  const who = 'data.encodeText';
  if (typeof text !== 'string') throw new TypeError(`${who}: expected a string, got ${describe(text)}`);
  checkVocabulary(vocab, who);
  const index = new Map<string, number>();
  vocab.forEach((c, i) => index.set(c, i));
  const chars = Array.from(text);
  const ids = new Int32Array(chars.length);
  for (let i = 0; i < chars.length; i++) {
    const id = index.get(chars[i]);
    if (id === undefined) {
      throw new Error(`${who}: character ${i} of the text, ${showChar(chars[i])}, is not in the vocabulary of ${vocab.length} characters`);
    }
    ids[i] = id;
  }
  return ids;
}

/** The characters of `ids` (ids into `vocab`) as a string. */
export function decodeText(ids: ArrayLike<number>, vocab: readonly string[]): string {
  const who = 'data.decodeText';
  checkVocabulary(vocab, who);
  let s = '';
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!(Number.isInteger(id) && id >= 0 && id < vocab.length)) throw new RangeError(`${who}: id ${i} is ${describe(id)}, outside [0, ${vocab.length})`);
    s += vocab[id];
  }
  return s;
}

export interface TextWindowsOptions {
  /** Characters per window (time steps). */
  seqLength: number;
  /** Characters between the starts of consecutive windows. Default `seqLength` (windows do not overlap). */
  step?: number;
}

/**
 * Training windows over encoded text for a model that predicts the next character at every step
 * (an lstm with `returnSequences` under a softmax dense): `xs[i]` is `ids[s .. s + seqLength)`
 * and `ys[i]` the same window one character later, `ids[s + 1 .. s + seqLength]`, both int32
 * `[windows, seqLength]`, for `s = 0, step, 2·step, …` while the target window fits.
 */
export function textWindows(ids: Int32Array, options: TextWindowsOptions): { xs: Tensor<'int32'>; ys: Tensor<'int32'> } {
  const who = 'data.textWindows';
  if (!(ids instanceof Int32Array)) throw new TypeError(`${who}: expected the ids as an Int32Array (data.encodeText), got ${describe(ids)}`);
  const o = checkOptions(options, who, ['seqLength', 'step'], '{ seqLength }');
  const T = checkNumber(o.seqLength, `${who}: seqLength`, { min: 0, minExclusive: true, integer: true });
  const step = o.step === undefined ? T : checkNumber(o.step, `${who}: step`, { min: 0, minExclusive: true, integer: true });
  if (ids.length < T + 1) throw new RangeError(`${who}: a window of ${T} characters and its target need ${T + 1} characters; the text has ${ids.length}`);
  const n = Math.floor((ids.length - T - 1) / step) + 1;
  const xs = new Int32Array(n * T);
  const ys = new Int32Array(n * T);
  for (let i = 0; i < n; i++) {
    const s = i * step;
    xs.set(ids.subarray(s, s + T), i * T);
    ys.set(ids.subarray(s + 1, s + T + 1), i * T);
  }
  return { xs: new Tensor(xs, [n, T], 'int32'), ys: new Tensor(ys, [n, T], 'int32') };
}

/**
 * An index drawn from the softmax row `probs` sharpened (temperature < 1) or flattened (> 1):
 * p_i^(1/T), renormalised, as Keras's text-generation example samples. Temperature 0 picks the
 * most likely index (the first of equals). Draws one number from `random`, uniform in [0, 1)
 * (`Math.random`, or a seeded generator for reproducible text).
 */
export function sampleIndex(probs: ArrayLike<number>, temperature: number, random: () => number): number {
  const who = 'data.sampleIndex';
  if (typeof random !== 'function') throw new TypeError(`${who}: random: expected a function returning a number in [0, 1), got ${describe(random)}`);
  checkNumber(temperature, `${who}: temperature`, { min: 0 });
  if (probs.length === 0) throw new RangeError(`${who}: expected at least one probability`);
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < probs.length; i++) if (probs[i] > probs[best]) best = i;
    return best;
  }
  // In log space, shifted by the largest: p^(1/T) of a small p underflows to 0 for small T.
  const w = new Float64Array(probs.length);
  let max = -Infinity;
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i];
    if (!(p >= 0) || !Number.isFinite(p)) throw new RangeError(`${who}: probability ${i} is ${describe(p)}; expected a finite number >= 0`);
    w[i] = p > 0 ? Math.log(p) / temperature : -Infinity;
    if (w[i] > max) max = w[i];
  }
  if (max === -Infinity) throw new RangeError(`${who}: every probability is 0`);
  let total = 0;
  for (let i = 0; i < w.length; i++) total += w[i] = Math.exp(w[i] - max);
  const r = random();
  if (!(r >= 0 && r < 1)) throw new RangeError(`${who}: random() returned ${describe(r)}; expected a number in [0, 1)`);
  let u = r * total;
  for (let i = 0; i < w.length; i++) {
    u -= w[i];
    if (u < 0) return i;
  }
  // Rounding left u at 0 or just above it: the last index with weight.
  for (let i = w.length - 1; ; i--) if (w[i] > 0) return i;
}
