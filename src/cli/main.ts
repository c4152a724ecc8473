/**
 * The `simdnet` command: `simdnet train` trains and evaluates a model on real MNIST with a
 * progress bar, then saves it. `simdnet --help` explains the options.
 */
import { parseArgs } from 'node:util';
import { init, backendInfo, sequential, layers, optimizers, setSeed, data, type Sequential } from '../index.ts';
import { mnistModel } from './models.ts';

const HELP = `simdnet — deep learning on WebAssembly SIMD

Usage:
  simdnet train [options]     train on MNIST, report test accuracy and speed, save the model
  simdnet info                show the backend (binary, features)
  simdnet --help

Options for train:
  --model mlp|cnn       architecture (default mlp: 784-128 relu-10 softmax;
                        cnn: conv 8@5x5 → maxpool 2 → conv 16@5x5 → maxpool 2 → dense 10)
  --epochs N            passes over the training set (default 3)
  --batch-size N        samples per step (default 64)
  --optimizer NAME      sgd | momentum | adagrad | rmsprop | adam | adamw (default adam)
  --lr X                learning rate (default 0.001 for adam/adamw/rmsprop, 0.01 otherwise)
  --seed N              seed for initialisation and shuffling (default 42)
  --validation-split F  fraction of the training set held out for validation (default 0.1)
  --limit N             use only the first N training samples (quick runs)
  --out DIR             where to save model.json + weights.bin (default ./simdnet-model)
  --no-save             do not save the model
  --deterministic       use the baseline SIMD binary (bit-identical across engines)
  --quiet               no progress bar
`;

function fail(msg: string): never {
  console.error(`simdnet: ${msg}\nRun 'simdnet --help' for the options.`);
  process.exit(2);
}

function num(v: string | undefined, name: string, fallback: number, integer = false): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n <= 0) fail(`--${name} expects a positive ${integer ? 'integer' : 'number'}, got '${v}'`);
  return n;
}

function buildModel(kind: string): Sequential {
  if (kind === 'mlp' || kind === 'cnn') return mnistModel({ sequential, layers }, kind);
  fail(`--model must be mlp or cnn, got '${kind}'`);
}

async function train(values: Record<string, string | boolean | undefined>): Promise<void> {
  const kind = String(values.model ?? 'mlp');
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
  const factories = optimizers as unknown as Record<string, (a: object) => never>;
  if (!factories[optName]) fail(`--optimizer must be one of ${Object.keys(optimizers).join(', ')}, got '${optName}'`);

  await init({ deterministic: !!values.deterministic });
  const info = backendInfo();
  console.log(`simdnet: ${info.binary} binary (SIMD${info.features.relaxedSimd && info.binary === 'relaxed' ? ' + relaxed FMA' : ''}), ${info.threads} thread`);
  setSeed(seed);
  const t0 = performance.now();
  const mnist = await data.mnist({ flatten: kind === 'mlp', limit: limit ? { train: limit } : undefined });
  console.log(`MNIST: ${mnist.train.images.shape[0]} training and ${mnist.test.images.shape[0]} test images (${((performance.now() - t0) / 1000).toFixed(1)}s to load)`);

  const model = buildModel(kind);
  const optimizer = optName === 'momentum' ? optimizers.momentum({ learningRate: lr, momentum: 0.9 }) : factories[optName]({ learningRate: lr });
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const tTrain = performance.now();
  const history = await model.fit(mnist.train.images, mnist.train.labels, {
    epochs,
    batchSize,
    validationSplit: split || undefined,
    verbose: values.quiet ? 0 : 1,
  });
  const trainSeconds = (performance.now() - tTrain) / 1000;
  const trained = history.params.samples * history.epoch.length;

  const tEval = performance.now();
  const [testLoss, testAcc] = model.evaluate(mnist.test.images, mnist.test.labels, { batchSize: 256 });
  const evalSeconds = (performance.now() - tEval) / 1000;
  console.log('');
  model.summary();
  console.log(`Test loss ${testLoss.toFixed(4)} · test accuracy ${(testAcc * 100).toFixed(2)}%`);
  console.log(
    `Training: ${Math.round(trained / trainSeconds).toLocaleString('en-US')} samples/s (incl. validation) · ` +
      `inference: ${Math.round(mnist.test.images.shape[0] / evalSeconds).toLocaleString('en-US')} samples/s`,
  );
  if (!values['no-save']) {
    const out = String(values.out ?? './simdnet-model');
    const saved = await model.save(`file://${out}`);
    console.log(`Saved ${saved.modelJSON} and ${saved.weights}`);
  }
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        model: { type: 'string' },
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
  if (cmd === 'train' || cmd === undefined) return train(parsed.values);
  if (cmd === 'info') {
    await init();
    console.log(JSON.stringify(backendInfo(), null, 2));
    return;
  }
  fail(`unknown command '${cmd}'`);
}

main().catch((e) => {
  console.error(`simdnet: ${(e as Error).message}`);
  process.exit(1);
});
