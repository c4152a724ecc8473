/**
 * The `simdnet` command: `simdnet train` trains and evaluates a model on real MNIST (or a CSV /
 * IDX data set) with a progress bar, then saves it; with `--model PATH` it goes on training a
 * saved model (fine-tuning with `--freeze N`). `simdnet predict` runs a saved model over a CSV
 * table or IDX images, `simdnet summary` describes one. `simdnet --help` explains the options.
 */
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { init, backendInfo, sequential, layers, optimizers, setSeed, data, loadLayersModel, Tensor, type LayersModel } from '../index.ts';
import { rows as rowsOf } from '../tensor.ts';
import { mnistModel } from './models.ts';
import { backendLine, lastEpochSummary, writePlot } from './report.ts';
import { generateCommand, trainCharCommand, isCharModelName } from './generate.ts';
import { benchCommand, BenchUsageError } from './bench.ts';

const HELP = `simdnet — deep learning on WebAssembly SIMD

Usage:
  simdnet train [options]          train on MNIST (or --input data), report accuracy and speed, save
  simdnet predict --model PATH --input FILE [--top K]
                                   run a saved model over a CSV table or IDX images
  simdnet summary PATH             a saved model's layers, output shapes and parameters
  simdnet info                     show the backend (binary, features)
  simdnet generate --model DIR --prompt TEXT [--length N] [--temperature T] [--seed S]
                                   continue TEXT with a character model (train --model charlstm)
  simdnet bench [options]          kernel microbenchmarks (GFLOP/s, GB/s); simdnet bench --help
  simdnet --help

PATH is a saved model: its model.json (TF.js layers format, as simdnet, TF.js and the Keras
converter write it), the folder holding it, or a file:// or http(s):// URL.
FILE is a CSV table (one sample per row; a header row is detected) or an IDX images file as
MNIST ships it (gzip-compressed or not; pixels scaled to [0, 1]).

Options for train:
  --model NAME|PATH     architecture (default mlp: 784-128 relu-10 softmax;
                        cnn: conv 8@5x5 → maxpool 2 → conv 16@5x5 → maxpool 2 → dense 10;
                        bncnn: conv 16@5x5 → batchNorm → relu → maxpool 2 → conv 32@5x5 →
                        batchNorm → relu → maxpool 2 → dropout 0.25 → dense 10),
                        lstm, gru: row-MNIST (28 steps of 28 pixels) → lstm|gru 128 → dense 10;
                        charlstm, chargru: a character-level language model (embedding 32 →
                        lstm|gru 128 → softmax over the characters at every step) trained on
                        windows of 40 characters of data/shakespeare.txt, or of the text file
                        --input names (--limit N: its first N characters); defaults there:
                        2 epochs, batch 32, adam 0.01; prints a sample (--prompt, --temperature)
                        and saves vocab.json beside model.json;
                        or a saved model to go on training
  --freeze N            freeze the first N layers (as summary lists them): fine-tuning
  --input FILE          train on FILE instead of MNIST (no test set: the validation split is
                        reported); a CSV's labels are in --label-column, IDX images need --labels
  --labels FILE         IDX labels for IDX --input images
  --label-column C      the CSV column holding the labels: name or 0-based index (default: the last)
  --loss NAME           sparseCategoricalCrossentropy (default; a saved model's own training
                        loss when the file names one), categoricalCrossentropy,
                        binaryCrossentropy, meanSquaredError, meanAbsoluteError
  --epochs N            passes over the training set (default 3)
  --batch-size N        samples per step (default 64)
  --optimizer NAME      sgd | momentum | adagrad | rmsprop | adam | adamw (default adam)
  --lr X                learning rate (default 0.001 for adam/adamw/rmsprop, 0.01 otherwise)
  --seed N              seed for initialisation and shuffling (default 42)
  --validation-split F  fraction of the training set held out for validation (default 0.1)
  --limit N             use only the first N training samples (quick runs)
  --out DIR             where to save model.json + weights.bin (default ./simdnet-model)
  --no-save             do not save the model
  --plot FILE.svg       write the loss/accuracy curves (train and validation, per epoch) as an SVG
  --deterministic       use the baseline SIMD binary (bit-identical across engines)
  --quiet               no progress bar

Options for generate (the prompt and what follows it on stdout):
  --model DIR           a folder saved by train --model charlstm|chargru (model.json + vocab.json)
  --prompt TEXT         the start of the text (characters from the model's vocabulary)
  --length N            characters to generate (default 200)
  --temperature T       0 = always the most likely character, < 1 safer, > 1 wilder (default 0.8)
  --seed N              seed of the sampling: the same seed gives the same text (default 42)
  --deterministic       use the baseline SIMD binary

Options for predict (CSV lines on stdout: index, then the top classes and their scores,
and the label when there is one; counts and accuracy on stderr):
  --model PATH          the saved model (required)
  --input FILE          the samples (required)
  --top K               the K highest-scoring classes per sample (default 1)
  --labels FILE         IDX labels for IDX images: adds a label column and reports accuracy
  --label-column C      the CSV column holding labels (name or 0-based index): not a feature;
                        adds a label column and reports accuracy
  --limit N             only the first N samples
  --batch-size N        samples per forward pass (default 256)
  --deterministic       use the baseline SIMD binary
`;

class UsageError extends Error {}

function fail(msg: string): never {
  throw new UsageError(msg);
}

type Values = Record<string, string | boolean | undefined>;

function num(v: string | undefined, name: string, fallback: number, integer = false, allowZero = false): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < 0 || (n === 0 && !allowZero)) {
    fail(`--${name} expects a ${allowZero ? 'non-negative' : 'positive'} ${integer ? 'integer' : 'number'}, got '${v}'`);
  }
  return n;
}

/** Options a command does not take are an error, not silently ignored. */
function only(values: Values, cmd: string, allowed: string[]): void {
  const extra = Object.keys(values).filter((k) => values[k] !== undefined && !allowed.includes(k) && k !== 'help');
  if (extra.length) fail(`${cmd} does not take ${extra.map((k) => `--${k}`).join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// Saved models and data files
// ---------------------------------------------------------------------------------------------

/** A model path as the loader takes it: URLs as they are; a folder means its model.json. */
function modelSource(p: string): string {
  if (/^(https?|file):\/\//i.test(p)) return p;
  let file = path.resolve(p);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new Error(`cannot find the model ${p} (expected a model.json file or the folder holding it)`);
  }
  if (st.isDirectory()) {
    file = path.join(file, 'model.json');
    if (!fs.existsSync(file)) throw new Error(`the folder ${p} holds no model.json`);
  }
  return pathToFileURL(file).href;
}

const isModelPath = (v: string) => !['mlp', 'cnn', 'bncnn', 'lstm', 'gru'].includes(v);

async function loadModel(p: string): Promise<{ model: LayersModel; ms: number }> {
  const t0 = performance.now();
  const model = await loadLayersModel(modelSource(p));
  return { model, ms: performance.now() - t0 };
}

function readFile(p: string, what: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(p));
  } catch (e) {
    throw new Error(`${what}: cannot read ${p} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** A file's bytes, gunzipped when they are gzip. */
function readMaybeGzip(p: string, what: string): Uint8Array {
  const bytes = readFile(p, what);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return new Uint8Array(zlib.gunzipSync(bytes, { maxOutputLength: 2 ** 31 - 1 }));
    } catch (e) {
      throw new Error(`${what}: ${p} looks gzip-compressed but does not decompress (${(e as Error).message})`);
    }
  }
  return bytes;
}

const isIdx = (b: Uint8Array) => b.length >= 4 && b[0] === 0 && b[1] === 0 && (b[2] === 0x08 || b[2] === 0x0d);

interface Samples {
  x: Tensor;
  y?: Tensor;
  /** How the file was read, for the log line. */
  what: string;
}

/**
 * Reads samples for a model with one input: a CSV table (features; labels in `labelColumn`) or
 * IDX images (pixels / 255; labels from an IDX labels file). Shaped as the model's input.
 */
function readSamples(file: string, model: LayersModel, o: { labels?: string; labelColumn?: string; limit?: number; needLabels: boolean }, flag: string): Samples {
  if (model.inputs.length !== 1) fail(`the model takes ${model.inputs.length} inputs (${model.inputNames.join(', ')}); the command line feeds one`);
  const shape = model.inputs[0].sampleShape;
  const per = shape.reduce((a, b) => a * b, 1);
  const bytes = readMaybeGzip(file, flag);
  let x: Tensor;
  let y: Tensor | undefined;
  let what: string;
  if (isIdx(bytes)) {
    if (o.labelColumn !== undefined) fail(`--label-column is for CSV input; ${file} holds IDX images (give their labels with --labels)`);
    const idx = data.parseIdx(bytes, file, 'images');
    if (idx.kind !== 'images') fail(`${file} holds IDX labels, not images`);
    const pixels = idx.rows * idx.cols;
    if (pixels !== per) throw new Error(`${flag}: ${file} holds ${idx.rows}x${idx.cols} images (${pixels} values), but the model takes samples of [${shape}] (${per} values)`);
    const n = Math.min(idx.count, o.limit ?? idx.count);
    const v = new Float32Array(n * per);
    for (let i = 0; i < v.length; i++) v[i] = idx.data[i] / 255;
    x = new Tensor(v, [n, ...shape], 'float32');
    what = `${n} IDX images of ${idx.rows}x${idx.cols}`;
    if (o.labels !== undefined) {
      const lab = data.parseIdx(readMaybeGzip(o.labels, '--labels'), o.labels, 'labels');
      if (lab.count !== idx.count) throw new Error(`--labels: ${o.labels} holds ${lab.count} labels for ${idx.count} images`);
      y = new Tensor(Int32Array.from(lab.data.subarray(0, n)), [n], 'int32');
    } else if (o.needLabels) fail(`IDX images need their labels: --labels FILE`);
  } else {
    if (o.labels !== undefined) fail(`--labels is for IDX images; ${file} is read as CSV (name its label column with --label-column)`);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    const labelColumn = o.labelColumn === undefined ? (o.needLabels ? -1 : undefined) : /^-?\d+$/.test(o.labelColumn) ? Number(o.labelColumn) : o.labelColumn;
    let t: ReturnType<typeof data.csv>;
    try {
      t = data.csv(text, labelColumn === undefined ? {} : { labelColumn });
    } catch (e) {
      throw new Error(`${flag}: ${file}: ${(e as Error).message}`);
    }
    const [rows, cols] = t.xs.shape;
    if (cols !== per) {
      const hint = labelColumn === undefined && cols === per + 1 ? ' (if one column is the label, name it with --label-column)' : '';
      throw new Error(`${flag}: ${file} has ${cols} feature column${cols === 1 ? '' : 's'} per row, but the model takes samples of [${shape}] (${per} values)${hint}`);
    }
    const n = Math.min(rows, o.limit ?? rows);
    x = rowsOf(t.xs, 0, n).reshape([n, ...shape]);
    if (t.ys) {
      if (t.ys.dtype !== 'int32') throw new Error(`${flag}: ${file}: the label column ${t.labelName} holds non-integer values; class labels must be integers`);
      y = rowsOf(t.ys, 0, n);
    }
    what = `${n} CSV rows of ${cols} features${t.labelName !== undefined ? ` (labels: ${t.labelName})` : ''}`;
  }
  return { x, y, what };
}

// ---------------------------------------------------------------------------------------------
// train
// ---------------------------------------------------------------------------------------------

const LOSS_NAMES = ['sparseCategoricalCrossentropy', 'categoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError', 'meanAbsoluteError'];
const KERAS_LOSSES: Record<string, string> = {
  sparse_categorical_crossentropy: 'sparseCategoricalCrossentropy',
  categorical_crossentropy: 'categoricalCrossentropy',
  binary_crossentropy: 'binaryCrossentropy',
  mean_squared_error: 'meanSquaredError',
  mse: 'meanSquaredError',
  mean_absolute_error: 'meanAbsoluteError',
  mae: 'meanAbsoluteError',
};

/** --loss, else the loss a loaded file's training_config names (when simdnet has it), else sparse cross-entropy. */
function chooseLoss(values: Values, model: LayersModel): { loss: string; why: string } {
  if (values.loss !== undefined) {
    const l = String(values.loss);
    if (!LOSS_NAMES.includes(l)) fail(`--loss must be one of ${LOSS_NAMES.join(', ')}, got '${l}'`);
    return { loss: l, why: '--loss' };
  }
  const fileLoss = model.trainingConfig?.loss;
  if (typeof fileLoss === 'string') {
    const l = LOSS_NAMES.includes(fileLoss) ? fileLoss : KERAS_LOSSES[fileLoss];
    if (l) return { loss: l, why: "the file's training_config" };
  }
  return { loss: 'sparseCategoricalCrossentropy', why: 'the default' };
}

async function train(values: Values): Promise<void> {
  if (isCharModelName(values.model)) return trainCharCommand(values, { fail, only });
  only(values, 'train', ['model', 'freeze', 'input', 'labels', 'label-column', 'loss', 'epochs', 'batch-size', 'optimizer', 'lr', 'seed', 'validation-split', 'limit', 'out', 'no-save', 'deterministic', 'quiet', 'plot']);
  const kind = String(values.model ?? 'mlp');
  const saved = isModelPath(kind);
  const epochs = num(values.epochs as string, 'epochs', 3, true);
  const batchSize = num(values['batch-size'] as string, 'batch-size', 64, true);
  const optName = String(values.optimizer ?? 'adam');
  const adaptive = ['adam', 'adamw', 'rmsprop'].includes(optName);
  const lr = num(values.lr as string, 'lr', adaptive ? 0.001 : 0.01);
  const seed = values.seed === undefined ? 42 : Number(values.seed);
  if (!Number.isInteger(seed)) fail(`--seed expects an integer, got '${values.seed}'`);
  const split = values['validation-split'] === undefined ? 0.1 : Number(values['validation-split']);
  if (!(split >= 0 && split < 1)) fail(`--validation-split expects a number in [0, 1), got '${values['validation-split']}'`);
  const limit = values.limit === undefined ? undefined : num(values.limit as string, 'limit', 0, true);
  const freeze = values.freeze === undefined ? 0 : num(values.freeze as string, 'freeze', 0, true, true);
  const { schedules: _, ...factories } = optimizers as unknown as Record<string, (a: object) => never>;
  if (!Object.prototype.hasOwnProperty.call(factories, optName)) fail(`--optimizer must be one of ${Object.keys(factories).join(', ')}, got '${optName}'`);
  const plot = values.plot === undefined ? undefined : String(values.plot);
  if (plot !== undefined) {
    // Checked before training, so a typo does not cost the run.
    if (!/\.svg$/i.test(plot)) fail(`--plot expects a file name ending in .svg, got '${plot}'`);
    const dir = path.dirname(path.resolve(plot));
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) fail(`--plot ${plot}: the folder ${dir} does not exist`);
    if (fs.existsSync(plot) && fs.statSync(plot).isDirectory()) fail(`--plot ${plot} is a folder; give a file name such as curves.svg`);
  }
  if (values.labels !== undefined && values.input === undefined) fail('--labels goes with --input (IDX images)');
  if (values['label-column'] !== undefined && values.input === undefined) fail('--label-column goes with --input (a CSV table)');

  if (saved && !/^(https?|file):\/\//i.test(kind) && !fs.existsSync(kind)) {
    fail(`--model takes mlp, cnn, bncnn, lstm, gru, charlstm, chargru, or a saved model (its model.json or folder); '${kind}' is neither`);
  }

  await init({ deterministic: !!values.deterministic });
  console.log(backendLine());
  setSeed(seed);

  let model: LayersModel;
  if (saved) {
    const l = await loadModel(kind);
    model = l.model;
    console.log(`Loaded ${kind}: ${model.layers.length} layers, ${model.countParams().toLocaleString('en-US')} parameters (${l.ms.toFixed(0)} ms)`);
  } else model = mnistModel({ sequential, layers }, kind as 'mlp' | 'cnn' | 'bncnn' | 'lstm' | 'gru');

  if (freeze > model.layers.length) fail(`--freeze ${freeze}: the model has ${model.layers.length} layers`);
  if (freeze > 0) {
    const frozen = model.layers.slice(0, freeze);
    for (const l of frozen) l.trainable = false;
    const params = frozen.reduce((s, l) => s + l.getWeights().reduce((t, w) => t + w.size, 0), 0);
    console.log(`Frozen: ${frozen.map((l) => l.name).join(', ')} (${params.toLocaleString('en-US')} parameters)`);
  }

  // The data: MNIST (shaped as the model takes it), or --input.
  let trainX: Tensor;
  let trainY: Tensor;
  let test: { x: Tensor; y: Tensor } | null = null;
  const t0 = performance.now();
  if (values.input !== undefined) {
    const s = readSamples(String(values.input), model, { labels: values.labels as string | undefined, labelColumn: values['label-column'] as string | undefined, limit, needLabels: true }, '--input');
    trainX = s.x;
    trainY = s.y!;
    console.log(`Data: ${s.what} (${((performance.now() - t0) / 1000).toFixed(1)}s to load)`);
  } else {
    if (model.inputs.length !== 1) fail(`the model takes ${model.inputs.length} inputs; MNIST feeds one (give --input data)`);
    const shape = model.inputs[0].sampleShape;
    if (shape.reduce((a, b) => a * b, 1) !== 784) fail(`the model takes samples of [${shape}], not MNIST's 28x28 images (give --input data)`);
    const mnist = await data.mnist({ flatten: true, limit: limit ? { train: limit } : undefined });
    trainX = mnist.train.images.reshape([-1, ...shape]);
    trainY = mnist.train.labels;
    test = { x: mnist.test.images.reshape([-1, ...shape]), y: mnist.test.labels };
    console.log(`MNIST: ${mnist.train.images.shape[0]} training and ${mnist.test.images.shape[0]} test images (${((performance.now() - t0) / 1000).toFixed(1)}s to load)`);
  }

  const { loss, why } = saved ? chooseLoss(values, model) : { loss: String(values.loss ?? 'sparseCategoricalCrossentropy'), why: '' };
  if (!LOSS_NAMES.includes(loss)) fail(`--loss must be one of ${LOSS_NAMES.join(', ')}, got '${loss}'`);
  if (saved) console.log(`Loss: ${loss} (${why})`);
  const classify = loss.endsWith('Crossentropy');
  const optimizer = optName === 'momentum' ? optimizers.momentum({ learningRate: lr, momentum: 0.9 }) : factories[optName]({ learningRate: lr });
  model.compile({ optimizer, loss, metrics: classify ? ['accuracy'] : [] });
  const tTrain = performance.now();
  const history = await model.fit(trainX, trainY, {
    epochs,
    batchSize,
    validationSplit: split || undefined,
    verbose: values.quiet ? 0 : 1,
  });
  const trainSeconds = (performance.now() - tTrain) / 1000;
  const trained = (history.params.samples ?? 0) * history.epoch.length;

  console.log('');
  model.summary();
  let inference = '';
  if (test) {
    const tEval = performance.now();
    const [testLoss, testAcc] = model.evaluateValues(test.x, test.y, { batchSize: 256 });
    const evalSeconds = (performance.now() - tEval) / 1000;
    console.log(`Test loss ${testLoss.toFixed(4)}${classify ? ` · test accuracy ${(testAcc * 100).toFixed(2)}%` : ''}`);
    inference = ` · inference: ${Math.round(test.x.shape[0] / evalSeconds).toLocaleString('en-US')} samples/s`;
  } else {
    console.log(`Last epoch: ${lastEpochSummary(history)}`);
  }
  console.log(`Training: ${Math.round(trained / trainSeconds).toLocaleString('en-US')} samples/s (incl. validation)${inference}`);
  writePlot(plot, history);
  if (!values['no-save']) {
    const out = String(values.out ?? './simdnet-model');
    const s = await model.save(`file://${out}`);
    console.log(`Saved ${s.files?.modelJSON} and ${s.files?.weights}`);
  }
}

// ---------------------------------------------------------------------------------------------
// predict, summary
// ---------------------------------------------------------------------------------------------

/** The `k` highest of `row` as [index, value], highest first (ties: the lower index first). */
function topK(row: ArrayLike<number>, k: number): [number, number][] {
  const best: [number, number][] = [];
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    let at = best.length;
    while (at > 0 && (v > best[at - 1][1] || Number.isNaN(best[at - 1][1]))) at--;
    if (at < k) {
      best.splice(at, 0, [i, v]);
      if (best.length > k) best.pop();
    }
  }
  return best;
}

const fmt = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(6)).toString() : String(v));

async function predict(values: Values): Promise<void> {
  only(values, 'predict', ['model', 'input', 'top', 'labels', 'label-column', 'limit', 'batch-size', 'deterministic']);
  if (values.model === undefined) fail('predict needs --model PATH (a model.json or its folder)');
  if (values.input === undefined) fail('predict needs --input FILE (a CSV table or IDX images)');
  const top = num(values.top as string, 'top', 1, true);
  const limit = values.limit === undefined ? undefined : num(values.limit as string, 'limit', 0, true);
  const batchSize = num(values['batch-size'] as string, 'batch-size', 256, true);
  await init({ deterministic: !!values.deterministic });
  const { model, ms } = await loadModel(String(values.model));
  const outs = model.outputs.map((t, i) => ({ name: model.outputNames[i], width: t.sampleShape.reduce((a, b) => a * b, 1), rank: t.sampleShape.length }));
  for (const o of outs) {
    if (o.rank !== 1) fail(`predict prints class scores: output ${o.name} has shape [${model.outputs[outs.indexOf(o)].sampleShape}], not [classes]`);
    if (top > o.width) fail(`--top ${top}: output ${o.name} has ${o.width} class${o.width === 1 ? '' : 'es'}`);
  }
  const s = readSamples(String(values.input), model, { labels: values.labels as string | undefined, labelColumn: values['label-column'] as string | undefined, limit, needLabels: false }, '--input');
  const t0 = performance.now();
  const r = model.predict(s.x, { batchSize });
  const seconds = (performance.now() - t0) / 1000;
  const results = (Array.isArray(r) ? r : [r]).map((t) => t.dataSync());
  const n = s.x.shape[0];
  const several = outs.length > 1;
  const head = ['index'];
  for (const o of outs) {
    const pre = several ? `${o.name}_` : '';
    if (o.width === 1) head.push(`${pre}value`);
    else for (let k = 1; k <= top; k++) head.push(`${pre}top${k}`, `${pre}p${k}`);
  }
  if (s.y) head.push('label');
  const lines: string[] = [head.join(',')];
  const labels = s.y?.dataSync();
  let hits = 0;
  let hitsTop = 0;
  for (let i = 0; i < n; i++) {
    const cells: (string | number)[] = [i];
    outs.forEach((o, j) => {
      const row = results[j].subarray(i * o.width, (i + 1) * o.width);
      if (o.width === 1) {
        cells.push(fmt(row[0]));
        return;
      }
      const best = topK(row, top);
      for (const [c, v] of best) cells.push(c, fmt(v));
      if (labels && j === 0) {
        if (best[0][0] === labels[i]) hits++;
        if (best.some(([c]) => c === labels[i])) hitsTop++;
      }
    });
    if (labels) cells.push(labels[i]);
    lines.push(cells.join(','));
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  console.error(`simdnet: ${s.what} through ${String(values.model)} (loaded in ${ms.toFixed(0)} ms) in ${(seconds * 1000).toFixed(0)} ms: ${Math.round(n / Math.max(seconds, 1e-9)).toLocaleString('en-US')} samples/s`);
  if (labels && outs[0].width > 1) {
    const acc = `accuracy ${((hits / n) * 100).toFixed(2)}% (${hits} of ${n})`;
    console.error(`simdnet: ${acc}${top > 1 ? ` · top-${top} accuracy ${((hitsTop / n) * 100).toFixed(2)}%` : ''}`);
  }
}

async function summary(values: Values, positionals: string[]): Promise<void> {
  only(values, 'summary', ['model', 'deterministic']);
  const p = positionals[1] ?? (values.model as string | undefined);
  if (p === undefined) fail('summary needs a model: simdnet summary dir/model.json');
  if (positionals.length > 2 || (positionals[1] !== undefined && values.model !== undefined)) fail('summary takes one model');
  await init({ deterministic: !!values.deterministic });
  const { model, ms } = await loadModel(p);
  console.log(`${p} (loaded in ${ms.toFixed(0)} ms)`);
  model.summary();
  const frozen = model.layers.filter((l) => !l.trainable && l.getWeights().length > 0);
  if (frozen.length) console.log(`Frozen layers: ${frozen.map((l) => l.name).join(', ')}`);
  const tc = model.trainingConfig;
  if (tc) {
    const opt = (tc.optimizer_config as { class_name?: string } | undefined)?.class_name;
    const parts = [typeof tc.loss === 'string' ? `loss ${tc.loss}` : tc.loss ? `loss ${JSON.stringify(tc.loss)}` : '', opt ? `optimizer ${opt.replace(/^Custom>/, '')}` : ''].filter(Boolean);
    console.log(`Training config in the file (not applied): ${parts.join(', ') || 'present'}`);
  }
  model.dispose();
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  // bench parses its own options (src/cli/bench.ts).
  if (process.argv[2] === 'bench') {
    try {
      return await benchCommand(process.argv.slice(3));
    } catch (e) {
      if (e instanceof BenchUsageError) fail(e.message);
      throw e;
    }
  }
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        model: { type: 'string' },
        freeze: { type: 'string' },
        input: { type: 'string' },
        labels: { type: 'string' },
        'label-column': { type: 'string' },
        loss: { type: 'string' },
        top: { type: 'string' },
        epochs: { type: 'string' },
        'batch-size': { type: 'string' },
        optimizer: { type: 'string' },
        lr: { type: 'string' },
        seed: { type: 'string' },
        'validation-split': { type: 'string' },
        limit: { type: 'string' },
        out: { type: 'string' },
        'no-save': { type: 'boolean' },
        deterministic: { type: 'boolean' },
        quiet: { type: 'boolean' },
        plot: { type: 'string' },
        prompt: { type: 'string' },
        length: { type: 'string' },
        temperature: { type: 'string' },
      },
    });
  } catch (e) {
    fail((e as Error).message);
  }
  const cmd = parsed.positionals[0];
  if (parsed.values.help || cmd === 'help') {
    console.log(HELP);
    return;
  }
  if (cmd !== 'summary' && parsed.positionals.length > 1) fail(`unexpected argument '${parsed.positionals[1]}'`);
  if (cmd === 'train' || cmd === undefined) return train(parsed.values);
  if (cmd === 'predict') return predict(parsed.values);
  if (cmd === 'generate') return generateCommand(parsed.values, { fail, only });
  if (cmd === 'summary') return summary(parsed.values, parsed.positionals);
  if (cmd === 'info') {
    await init();
    console.log(JSON.stringify(backendInfo(), null, 2));
    return;
  }
  fail(`unknown command '${cmd}'`);
}

main().catch((e) => {
  if (e instanceof UsageError) {
    console.error(`simdnet: ${e.message}\nRun 'simdnet --help' for the options.`);
    process.exit(2);
  }
  console.error(`simdnet: ${(e as Error).message}`);
  process.exit(1);
});
