/**
 * The character-level language model's commands: `simdnet train --model charlstm|chargru` trains
 * one on a text (data/shakespeare.txt unless --input names another) and saves it with its
 * vocabulary; `simdnet generate --model DIR --prompt "…"` continues a prompt with it.
 *
 * The vocabulary is saved as vocab.json beside model.json: TF.js's format keeps
 * `userDefinedMetadata` in model.json, but simdnet's `save` has no way to set it, and a separate
 * file leaves model.json exactly what TF.js writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { init, sequential, layers, optimizers, setSeed, loadLayersModel, Tensor, type LayersModel } from '../index.ts';
import { textVocabulary, encodeText, textWindows, sampleIndex } from '../data/text.ts';
import { Random } from '../random.ts';
import { CHAR_MODELS, charModel, type CharModelName } from './models.ts';
import { backendLine, lastEpochSummary, writePlot } from './report.ts';

/** What main.ts lends: its usage error (exit code 2) and its check for options a command does not take. */
export interface CliHelpers {
  fail(msg: string): never;
  only(values: Values, cmd: string, allowed: string[]): void;
}
type Values = Record<string, string | boolean | undefined>;

export const isCharModelName = (v: unknown): v is CharModelName => v === 'charlstm' || v === 'chargru';

/** Characters per training window. */
export const CHAR_SEQ_LENGTH = 40;

export const VOCAB_FILE = 'vocab.json';

/** vocab.json: the characters in id order and the window length the model was trained on. */
export interface CharVocabFile {
  format: 'simdnet-char-vocab';
  version: 1;
  chars: string[];
  seqLength: number;
  /** The model's name in `simdnet train --model`, and the text it was trained on (file name). */
  model: string;
  text: string;
}

/**
 * The text that ships with simdnet, data/shakespeare.txt (public domain; data/README.md says
 * where it comes from), looked for beside the bundle (dist/cli.js → data/) and beside the
 * source (src/cli/ → data/). Null when neither exists (an installed package ships dist/ only).
 */
export function defaultTextFile(): string | null {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const rel of ['../data/shakespeare.txt', '../../data/shakespeare.txt']) {
    const p = path.resolve(here, rel);
    if (fs.existsSync(p)) return p;
  }
  return null;
}

function numberOption(cli: CliHelpers, v: string | boolean | undefined, name: string, fallback: number, rule: { integer?: boolean; min: number; minExclusive?: boolean; max?: number }): number {
  if (v === undefined) return fallback;
  const s = String(v);
  const n = Number(s);
  const ok = s.trim() !== '' && Number.isFinite(n) && (!rule.integer || Number.isInteger(n)) && (rule.minExclusive ? n > rule.min : n >= rule.min) && (rule.max === undefined || n <= rule.max);
  if (!ok) {
    const kind = rule.integer ? 'integer' : 'number';
    const a = rule.integer ? 'an' : 'a';
    const range =
      rule.max !== undefined ? `${a} ${kind} in [${rule.min}, ${rule.max}]` : rule.minExclusive && rule.min === 0 ? `a positive ${kind}` : rule.min <= -Number.MAX_SAFE_INTEGER ? `${a} ${kind}` : `${a} ${kind} >= ${rule.min}`;
    cli.fail(`--${name} expects ${range}, got '${s}'`);
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

export interface GenerateOptions {
  /** Characters to generate after the prompt (default 200). */
  length?: number;
  /** Sampling temperature: < 1 sharper, > 1 flatter, 0 the most likely character (default 0.8). */
  temperature?: number;
  /** Seed of the sampler: the same seed, model and prompt give the same text (default 42). */
  seed?: number;
}

/**
 * Continues `prompt` by `length` characters sampled from `model` (a char model: int32 ids
 * [seqLength] → softmax [seqLength, vocabulary]). Each character is read from the step where the
 * context ends: the last `seqLength` characters, or all of them while fewer (the model is causal,
 * so the steps after the context do not change that row). Returns the generated characters only.
 */
export function generateText(model: LayersModel, vocab: readonly string[], prompt: string, options: GenerateOptions = {}): string {
  const who = 'generateText';
  const { length = 200, temperature = 0.8, seed = 42 } = options;
  if (!(Number.isInteger(length) && length >= 0)) throw new RangeError(`${who}: length: expected an integer >= 0, got ${length}`);
  if (!(Number.isFinite(temperature) && temperature >= 0)) throw new RangeError(`${who}: temperature: expected a number >= 0, got ${temperature}`);
  const { seqLength, vocabSize } = charModelShape(model);
  if (vocabSize !== vocab.length) throw new Error(`${who}: the model predicts ${vocabSize} characters, the vocabulary has ${vocab.length}`);
  const ids = Array.from(encodeText(prompt, vocab));
  if (ids.length === 0) throw new Error(`${who}: the prompt is empty; give at least one character`);
  const random = new Random(seed);
  const window = new Int32Array(seqLength);
  let out = '';
  for (let i = 0; i < length; i++) {
    const n = Math.min(ids.length, seqLength);
    window.fill(0);
    for (let j = 0; j < n; j++) window[j] = ids[ids.length - n + j];
    const x = new Tensor(window.slice(), [1, seqLength], 'int32');
    const y = model.predict(x) as Tensor;
    const probs = y.dataSync().subarray((n - 1) * vocabSize, n * vocabSize);
    const next = sampleIndex(probs, temperature, () => random.uniform());
    x.dispose();
    y.dispose();
    ids.push(next);
    out += vocab[next];
  }
  return out;
}

/** A char model's window length and vocabulary size, or an error saying what the model is instead. */
export function charModelShape(model: LayersModel): { seqLength: number; vocabSize: number } {
  const inShape = model.inputs.length === 1 ? model.inputs[0].sampleShape : null;
  const outShape = model.outputs.length === 1 ? model.outputs[0].sampleShape : null;
  if (!inShape || !outShape || inShape.length !== 1 || outShape.length !== 2 || outShape[0] !== inShape[0]) {
    const io = `inputs [${model.inputs.map((t) => `[${t.sampleShape}]`).join(', ')}], outputs [${model.outputs.map((t) => `[${t.sampleShape}]`).join(', ')}]`;
    throw new Error(`not a character model: expected one input [steps] and one output [steps, characters], got ${io}`);
  }
  return { seqLength: inShape[0], vocabSize: outShape[1] };
}

/** A saved model's model.json and vocab.json: `p` is the folder or its model.json. */
function charModelFiles(p: string): { modelJson: string; vocabJson: string } {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    throw new Error(`cannot find the model ${p} (expected the folder that simdnet train --model charlstm saved, or its model.json)`);
  }
  const dir = st.isDirectory() ? p : path.dirname(p);
  const modelJson = st.isDirectory() ? path.join(p, 'model.json') : p;
  if (!fs.existsSync(modelJson)) throw new Error(`the folder ${p} holds no model.json`);
  const vocabJson = path.join(dir, VOCAB_FILE);
  if (!fs.existsSync(vocabJson)) throw new Error(`${dir} holds no ${VOCAB_FILE}: generate needs a character model saved by simdnet train --model charlstm (or chargru)`);
  return { modelJson, vocabJson };
}

/** Reads and checks vocab.json. */
export function readVocabFile(file: string): CharVocabFile {
  let v: CharVocabFile;
  try {
    v = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not a readable JSON file (${(e as Error).message})`);
  }
  if (!v || v.format !== 'simdnet-char-vocab' || !Array.isArray(v.chars) || v.chars.length === 0 || !Number.isInteger(v.seqLength) || v.seqLength <= 0) {
    throw new Error(`${file}: expected a simdnet character vocabulary ({ format: "simdnet-char-vocab", chars: [...], seqLength })`);
  }
  return v;
}

/** `simdnet generate --model DIR --prompt "…" [--length N] [--temperature T] [--seed S]`. */
export async function generateCommand(values: Values, cli: CliHelpers): Promise<void> {
  cli.only(values, 'generate', ['model', 'prompt', 'length', 'temperature', 'seed', 'deterministic']);
  if (values.model === undefined) cli.fail('generate needs --model DIR (a character model saved by simdnet train --model charlstm)');
  if (values.prompt === undefined) cli.fail('generate needs --prompt "text" (the start of the text to continue)');
  const prompt = String(values.prompt);
  if (prompt.length === 0) cli.fail('--prompt is empty; give at least one character');
  const length = numberOption(cli, values.length, 'length', 200, { integer: true, min: 0 });
  const temperature = numberOption(cli, values.temperature, 'temperature', 0.8, { min: 0, max: 10 });
  const seed = numberOption(cli, values.seed, 'seed', 42, { integer: true, min: -Number.MAX_SAFE_INTEGER });
  const { modelJson, vocabJson } = charModelFiles(String(values.model));
  const vocab = readVocabFile(vocabJson);
  // Checked before the model loads: the user's typo is the likely error.
  const index = new Set(vocab.chars);
  const outside = [...new Set(Array.from(prompt).filter((c) => !index.has(c)))];
  if (outside.length) {
    const show = outside.slice(0, 8).map((c) => (/^[\p{L}\p{N}\p{P}\p{S}]$/u.test(c) ? `'${c}'` : JSON.stringify(c))).join(', ');
    cli.fail(`--prompt holds ${outside.length === 1 ? 'a character' : `${outside.length} characters`} outside the model's vocabulary of ${vocab.chars.length} (${VOCAB_FILE}): ${show}${outside.length > 8 ? ', …' : ''}`);
  }
  await init({ deterministic: !!values.deterministic });
  const t0 = performance.now();
  const model = await loadLayersModel(pathToFileURL(path.resolve(modelJson)).href);
  const loadMs = performance.now() - t0;
  const shape = charModelShape(model);
  if (shape.vocabSize !== vocab.chars.length) throw new Error(`${modelJson} predicts ${shape.vocabSize} characters but ${VOCAB_FILE} lists ${vocab.chars.length}`);
  const t1 = performance.now();
  const text = generateText(model, vocab.chars, prompt, { length, temperature, seed });
  const secs = (performance.now() - t1) / 1000;
  process.stdout.write(`${prompt}${text}\n`);
  console.error(`simdnet: ${length} characters from ${String(values.model)} (loaded in ${loadMs.toFixed(0)} ms) at temperature ${temperature}, seed ${seed}, in ${secs.toFixed(2)} s`);
  model.dispose();
}

// ---------------------------------------------------------------------------------------------
// Training
// ---------------------------------------------------------------------------------------------

/**
 * `simdnet train --model charlstm|chargru`: windows of 40 characters over the text (--input FILE,
 * else data/shakespeare.txt; --limit N keeps its first N characters), Adam 0.01, batch 32, the
 * last --validation-split of the windows (the end of the text) held out; prints a sample, saves
 * model.json, weights.bin and vocab.json.
 */
export async function trainCharCommand(values: Values, cli: CliHelpers): Promise<void> {
  cli.only(values, 'train', ['model', 'input', 'epochs', 'batch-size', 'optimizer', 'lr', 'seed', 'validation-split', 'limit', 'out', 'no-save', 'deterministic', 'quiet', 'plot', 'prompt', 'temperature']);
  const name = String(values.model) as CharModelName;
  const epochs = numberOption(cli, values.epochs, 'epochs', 2, { integer: true, min: 0, minExclusive: true });
  const batchSize = numberOption(cli, values['batch-size'], 'batch-size', 32, { integer: true, min: 0, minExclusive: true });
  const optName = String(values.optimizer ?? 'adam');
  const { schedules: _, ...factories } = optimizers as unknown as Record<string, (a: object) => never>;
  if (!Object.prototype.hasOwnProperty.call(factories, optName)) cli.fail(`--optimizer must be one of ${Object.keys(factories).join(', ')}, got '${optName}'`);
  const lr = numberOption(cli, values.lr, 'lr', optName === 'adam' || optName === 'adamw' ? 0.01 : optName === 'rmsprop' ? 0.003 : 0.1, { min: 0, minExclusive: true });
  const seed = numberOption(cli, values.seed, 'seed', 42, { integer: true, min: -Number.MAX_SAFE_INTEGER });
  const split = values['validation-split'] === undefined ? 0.1 : Number(values['validation-split']);
  if (!(split >= 0 && split < 1)) cli.fail(`--validation-split expects a number in [0, 1), got '${values['validation-split']}'`);
  const limit = values.limit === undefined ? undefined : numberOption(cli, values.limit, 'limit', 0, { integer: true, min: 0, minExclusive: true });
  const temperature = numberOption(cli, values.temperature, 'temperature', 0.6, { min: 0, max: 10 });
  const plot = values.plot === undefined ? undefined : String(values.plot);
  if (plot !== undefined) {
    if (!/\.svg$/i.test(plot)) cli.fail(`--plot expects a file name ending in .svg, got '${plot}'`);
    const dir = path.dirname(path.resolve(plot));
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) cli.fail(`--plot ${plot}: the folder ${dir} does not exist`);
  }

  const file = values.input !== undefined ? String(values.input) : defaultTextFile();
  if (file === null) cli.fail(`the text simdnet ships (data/shakespeare.txt) is not here; give a text file with --input FILE`);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`--input: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (limit !== undefined) text = Array.from(text).slice(0, limit).join('');
  const T = CHAR_SEQ_LENGTH;
  const chars = Array.from(text).length;
  if (chars < 2 * (T + 1)) cli.fail(`${file}: ${chars} characters; a character model needs at least ${2 * (T + 1)} (two windows of ${T} and their next characters)`);
  const vocab = textVocabulary(text);
  const ids = encodeText(text, vocab);
  const { xs, ys } = textWindows(ids, { seqLength: T });
  const prompt = values.prompt !== undefined ? String(values.prompt) : Array.from(text.split('\n')[0]).slice(0, T).join('') || vocab[0];
  const missing = Array.from(prompt).filter((c) => !vocab.includes(c));
  if (missing.length) cli.fail(`--prompt holds characters the text does not: ${[...new Set(missing)].map((c) => JSON.stringify(c)).join(', ')}`);

  await init({ deterministic: !!values.deterministic });
  console.log(backendLine());
  console.log(`Text: ${path.basename(file)}, ${chars.toLocaleString('en-US')} characters, ${vocab.length} distinct; ${xs.shape[0].toLocaleString('en-US')} windows of ${T}`);
  setSeed(seed);
  const model = charModel({ sequential, layers }, name, { vocabSize: vocab.length, seqLength: T });
  console.log(`Model: ${CHAR_MODELS[name].label}`);
  const optimizer = optName === 'momentum' ? optimizers.momentum({ learningRate: lr, momentum: 0.9 }) : factories[optName]({ learningRate: lr });
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const t0 = performance.now();
  const history = await model.fit(xs, ys, { epochs, batchSize, validationSplit: split || undefined, verbose: values.quiet ? 0 : 1 });
  const secs = (performance.now() - t0) / 1000;
  console.log(`\nLast epoch: ${lastEpochSummary(history)}`);
  const trained = (history.params.samples ?? 0) * history.epoch.length * T;
  console.log(`Training: ${Math.round(trained / secs).toLocaleString('en-US')} characters/s (incl. validation), ${secs.toFixed(1)} s`);
  const sample = generateText(model, vocab, prompt, { length: 200, temperature, seed });
  console.log(`Sample (temperature ${temperature}, seed ${seed}):\n${prompt}${sample}\n`);
  writePlot(plot, history);
  if (!values['no-save']) {
    const out = String(values.out ?? './simdnet-model');
    const s = await model.save(`file://${out}`);
    const v: CharVocabFile = { format: 'simdnet-char-vocab', version: 1, chars: vocab, seqLength: T, model: name, text: path.basename(file) };
    fs.writeFileSync(path.join(out, VOCAB_FILE), `${JSON.stringify(v)}\n`);
    console.log(`Saved ${s.files?.modelJSON}, ${s.files?.weights} and ${path.join(out, VOCAB_FILE)}`);
    console.log(`Generate with: simdnet generate --model ${out} --prompt "${prompt.replace(/["\\$`]/g, '\\$&')}"`);
  }
  model.dispose();
}
