// `simdnet train --model charlstm|chargru` and `simdnet generate`, run as a user runs them
// (`node dist/cli.js`, after `node build.mjs`): the saved folder holds model.json, weights.bin and
// vocab.json; generation is deterministic for a seed, equals the library's generateText on the
// loaded model, and emits only vocabulary characters; bad arguments give one clear line (exit
// code 2 for usage, 1 for a failure) and no stack trace. Also `train --model lstm` (row-MNIST),
// which `npm start -- --model lstm` runs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { generateText } from '../../src/cli/generate.ts';
import { fileUrl, removeTmpDirs, tmpDir } from './fixtures.ts';
import { cliRunner, expectFailure, root, type Run } from '../helpers/cli.ts';

const simdnet = cliRunner(() => work);

let work: string;
let modelDir: string;
let trainRun: Run;
const TEXT = fs.readFileSync(path.join(root, 'data/shakespeare.txt'), 'utf8');

beforeAll(async () => {
  execFileSync(process.execPath, ['build.mjs'], { cwd: root, stdio: 'pipe' });
  await sn.init({ deterministic: true });
  work = tmpDir('simdnet-gen-');
  modelDir = path.join(work, 'char');
  trainRun = simdnet('train', '--model', 'charlstm', '--limit', '8000', '--epochs', '2', '--out', modelDir, '--deterministic', '--quiet', '--seed', '3');
}, 180_000);
afterAll(removeTmpDirs);

it('train --model charlstm trains on the shipped text, prints a sample and saves model.json, weights.bin and vocab.json', async () => {
  expect(trainRun.code, trainRun.stderr).toBe(0);
  const vocab = sn.data.textVocabulary(TEXT.slice(0, 8000));
  expect(trainRun.stdout).toContain(`Text: shakespeare.txt, 8,000 characters, ${vocab.length} distinct; 199 windows of 40`);
  expect(trainRun.stdout).toMatch(/Last epoch: loss \d\.\d{4} · accuracy [\d.]+% · validation loss \d\.\d{4}/);
  expect(trainRun.stdout).toMatch(/Sample \(temperature 0\.6, seed 3\):\nFirst Citizen:/);
  expect(trainRun.stdout).toContain(`Generate with: simdnet generate --model ${modelDir} --prompt "First Citizen:"`);
  expect(fs.readdirSync(modelDir).sort()).toEqual(['model.json', 'vocab.json', 'weights.bin']);
  const v = JSON.parse(fs.readFileSync(path.join(modelDir, 'vocab.json'), 'utf8'));
  expect(v).toEqual({ format: 'simdnet-char-vocab', version: 1, chars: vocab, seqLength: 40, model: 'charlstm', text: 'shakespeare.txt' });
  // The model file is TF.js's layers format: it loads in simdnet and says what it is.
  const m = await sn.loadLayersModel(fileUrl(path.join(modelDir, 'model.json')));
  expect(m.layers.map((l) => l.className)).toEqual(['Embedding', 'LSTM', 'Dense']);
  m.dispose();
});

it('generate continues the prompt, the same for a seed, as generateText does on the loaded model', async () => {
  const a = simdnet('generate', '--model', modelDir, '--prompt', 'ROMEO:', '--length', '60', '--seed', '5', '--deterministic');
  expect(a.code, a.stderr).toBe(0);
  const b = simdnet('generate', '--model', path.join(modelDir, 'model.json'), '--prompt', 'ROMEO:', '--length', '60', '--seed', '5', '--deterministic');
  const c = simdnet('generate', '--model', modelDir, '--prompt', 'ROMEO:', '--length', '60', '--seed', '6', '--deterministic');
  expect(b.stdout).toBe(a.stdout);
  expect(c.stdout).not.toBe(a.stdout);
  expect(a.stdout.startsWith('ROMEO:')).toBe(true);
  expect(a.stdout.endsWith('\n')).toBe(true);
  const generated = Array.from(a.stdout.slice('ROMEO:'.length, -1));
  expect(generated).toHaveLength(60);
  const vocab: string[] = JSON.parse(fs.readFileSync(path.join(modelDir, 'vocab.json'), 'utf8')).chars;
  for (const ch of generated) expect(vocab).toContain(ch);
  expect(a.stderr).toMatch(/^simdnet: 60 characters from .* at temperature 0\.8, seed 5, in [\d.]+ s\n$/);

  const m = await sn.loadLayersModel(fileUrl(path.join(modelDir, 'model.json')));
  expect(generateText(m, vocab, 'ROMEO:', { length: 60, temperature: 0.8, seed: 5 })).toBe(generated.join(''));
  const greedy = simdnet('generate', '--model', modelDir, '--prompt', 'ROMEO:', '--length', '20', '--temperature', '0', '--deterministic');
  expect(greedy.stdout).toBe(`ROMEO:${generateText(m, vocab, 'ROMEO:', { length: 20, temperature: 0 })}\n`);
  m.dispose();
});

it('generate: a missing model, a folder without vocab.json, a bad temperature or length, characters outside the vocabulary are clear errors', async () => {
  expectFailure(simdnet('generate', '--model', path.join(work, 'nothing'), '--prompt', 'a'), 1, /cannot find the model .*nothing \(expected the folder that simdnet train --model charlstm saved, or its model.json\)/);
  const plain = path.join(work, 'plain');
  sn.setSeed(1);
  const dense = sn.sequential({ layers: [sn.layers.dense({ units: 2, inputShape: [3] })] });
  await dense.save(fileUrl(plain));
  dense.dispose();
  expectFailure(simdnet('generate', '--model', plain, '--prompt', 'a'), 1, /holds no vocab.json: generate needs a character model saved by simdnet train --model charlstm/);
  fs.copyFileSync(path.join(modelDir, 'vocab.json'), path.join(plain, 'vocab.json'));
  expectFailure(simdnet('generate', '--model', plain, '--prompt', 'F'), 1, /not a character model: expected one input \[steps\] and one output \[steps, characters\], got inputs \[\[3\]\], outputs \[\[2\]\]/);
  expectFailure(simdnet('generate', '--model', modelDir, '--prompt', 'a', '--temperature', 'hot'), 2, /--temperature expects a number in \[0, 10\], got 'hot'/);
  expectFailure(simdnet('generate', '--model', modelDir, '--prompt', 'a', '--temperature=-1'), 2, /--temperature expects a number in \[0, 10\], got '-1'/);
  expectFailure(simdnet('generate', '--model', modelDir, '--prompt', 'a', '--length', '2.5'), 2, /--length expects an integer >= 0, got '2.5'/);
  expectFailure(simdnet('generate', '--model', modelDir, '--prompt', 'hoë {x}'), 2, /--prompt holds 3 characters outside the model's vocabulary of \d+ \(vocab.json\): 'ë', '\{', '\}'/);
  expectFailure(simdnet('generate', '--model', modelDir, '--prompt', ''), 2, /--prompt is empty/);
  expectFailure(simdnet('generate', '--model', modelDir), 2, /generate needs --prompt/);
  expectFailure(simdnet('generate', '--prompt', 'a'), 2, /generate needs --model DIR/);
  expectFailure(simdnet('generate', '--model', modelDir, '--prompt', 'a', '--epochs', '2'), 2, /generate does not take --epochs/);
  fs.writeFileSync(path.join(plain, 'vocab.json'), '{"chars": 5}');
  expectFailure(simdnet('generate', '--model', plain, '--prompt', 'a'), 1, /vocab.json: expected a simdnet character vocabulary/);
});

it('train --model chargru on --input text; its errors are clear', () => {
  const txt = path.join(work, 'abc.txt');
  fs.writeFileSync(txt, 'the cat sat on the mat. '.repeat(20));
  const r = simdnet('train', '--model', 'chargru', '--input', txt, '--epochs', '1', '--out', path.join(work, 'gru'), '--quiet', '--prompt', 'the ', '--temperature', '0');
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain('Text: abc.txt, 480 characters, 11 distinct; 11 windows of 40');
  expect(r.stdout).toMatch(/Sample \(temperature 0, seed 42\):\nthe /);
  expect(JSON.parse(fs.readFileSync(path.join(work, 'gru/vocab.json'), 'utf8')).model).toBe('chargru');
  expectFailure(simdnet('train', '--model', 'charlstm', '--input', path.join(work, 'missing.txt')), 1, /--input: cannot read .*missing.txt \(ENOENT\)/);
  fs.writeFileSync(path.join(work, 'tiny.txt'), 'short');
  expectFailure(simdnet('train', '--model', 'charlstm', '--input', path.join(work, 'tiny.txt')), 2, /tiny.txt: 5 characters; a character model needs at least 82/);
  expectFailure(simdnet('train', '--model', 'charlstm', '--input', txt, '--prompt', 'dog'), 2, /--prompt holds characters the text does not: "d", "g"/);
  expectFailure(simdnet('train', '--model', 'charlstm', '--loss', 'meanSquaredError'), 2, /train does not take --loss/);
  expectFailure(simdnet('train', '--model', 'charlstm', '--epochs', '0'), 2, /--epochs expects a positive integer, got '0'/);
});

it('train --model lstm trains row-MNIST (what npm start -- --model lstm runs)', () => {
  const r = simdnet('train', '--model', 'lstm', '--limit', '512', '--epochs', '1', '--no-save', '--quiet', '--validation-split', '0');
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/lstm.*LSTM/s);
  expect(r.stdout).toMatch(/Test loss \d\.\d{4} · test accuracy [\d.]+%/);
}, 120_000);
