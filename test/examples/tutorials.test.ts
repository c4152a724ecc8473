// The three TF.js tutorials in examples/tfjs-tutorials/ run on simdnet as written, and on TF.js
// (cpu backend) with only the import line changed; their accuracies and losses agree. The two
// libraries draw different initial weights and shuffles, so agreement is within what a change of
// seed moves (measured spreads are noted at each bound), not to the digit.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as sn from '../../src/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.join(root, 'examples/tfjs-tutorials');
const tfjsShim = pathToFileURL(path.join(root, 'test/helpers/tfjs-all.mjs')).href;
const IMPORT = "import * as tf from 'simdnet';";
const made: string[] = [];

type Run = (o: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** The tutorial as written (`simdnet` resolves to the source, see vitest.config.ts). */
async function onSimdnet(name: string): Promise<Run> {
  return (await import(path.join(dir, name))).run;
}

/**
 * TF.js draws its initial weights and tf.util.shuffle's order from Math.random when no seed is
 * given: during a TF.js run it is a seeded generator, so TF.js's side of each comparison is the
 * same on every run (simdnet's side is seeded by its own generator) and the bounds do not flake.
 */
async function withSeededMathRandom<T>(seed: number, fn: () => Promise<T>): Promise<T> {
  const saved = Math.random;
  let s = seed >>> 0;
  Math.random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  try {
    return await fn();
  } finally {
    Math.random = saved;
  }
}

/** The same file with its one import line pointing at TF.js; everything else byte for byte. */
async function onTfjs(name: string): Promise<Run> {
  const src = readFileSync(path.join(dir, name), 'utf8');
  expect(src.split(IMPORT).length).toBe(2);
  // Beside the original, so its relative imports resolve the same way.
  const tmp = mkdtempSync(path.join(dir, '.tfjs-'));
  const file = path.join(tmp, name);
  writeFileSync(file, src.replace(IMPORT, `import * as tf from '${tfjsShim}';`).replaceAll("from './", "from '../"));
  made.push(tmp);
  const run: Run = (await import(file)).run;
  return (o) => withSeededMathRandom(1234, () => run(o));
}

afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

const quiet = { log: () => {} };
const last = (h: Record<string, number[]>, k: string) => h[k][h[k].length - 1];

describe('TF.js tutorials run with only the import changed', () => {
  it('MNIST MLP with onBatchEnd/onEpochEnd, evaluate tensors and tidy', async () => {
    const n0 = sn.memory().numTensors;
    const opts = { ...quiet, trainSize: 6000, testSize: 2000, epochs: 2 };
    const ours = (await (await onSimdnet('mnist-mlp.mjs'))(opts)) as { history: Record<string, number[]>; batchLosses: number[]; testLoss: number; testAcc: number; agree: number };
    expect(sn.memory().numTensors).toBe(n0);
    const theirs = (await (await onTfjs('mnist-mlp.mjs'))(opts)) as typeof ours;
    expect(Object.keys(ours.history).sort()).toEqual(Object.keys(theirs.history).sort());
    expect(ours.batchLosses.length).toBe(theirs.batchLosses.length);
    expect(ours.testAcc).toBeGreaterThan(0.85);
    expect(theirs.testAcc).toBeGreaterThan(0.85);
    expect(Math.abs(ours.testAcc - theirs.testAcc)).toBeLessThan(0.04);
    expect(ours.agree).toBeCloseTo(ours.testAcc, 6);
    expect(Math.abs(ours.testLoss - theirs.testLoss) / theirs.testLoss).toBeLessThan(0.35);
    expect(Math.abs(last(ours.history, 'loss') - last(theirs.history, 'loss')) / last(theirs.history, 'loss')).toBeLessThan(0.35);
    console.log(`mnist-mlp: simdnet acc ${ours.testAcc.toFixed(4)} loss ${ours.testLoss.toFixed(4)}; TF.js acc ${theirs.testAcc.toFixed(4)} loss ${theirs.testLoss.toFixed(4)}`);
  }, 600_000);

  it('CNN codelab with createShuffledIndices, tidy, argMax and tf.metrics', async () => {
    // TF.js's cpu backend trains this CNN at about 80 ms a sample here, so the run is short: 800
    // training samples in batches of 16 (50 Adam steps), 500 for validation, 300 to score.
    const opts = { ...quiet, trainSize: 1300, testSize: 300, epochs: 1, batchSize: 16 };
    const ours = (await (await onSimdnet('mnist-cnn.mjs'))(opts)) as { history: Record<string, number[]>; accuracy: number; perClass: number[] };
    const theirs = (await (await onTfjs('mnist-cnn.mjs'))(opts)) as typeof ours;
    expect(Object.keys(ours.history).sort()).toEqual(Object.keys(theirs.history).sort());
    expect(ours.accuracy).toBeGreaterThan(0.4);
    expect(theirs.accuracy).toBeGreaterThan(0.4);
    expect(Math.abs(ours.accuracy - theirs.accuracy)).toBeLessThan(0.15);
    expect(Math.abs(last(ours.history, 'val_acc') - last(theirs.history, 'val_acc'))).toBeLessThan(0.15);
    expect(Math.abs(last(ours.history, 'loss') - last(theirs.history, 'loss')) / last(theirs.history, 'loss')).toBeLessThan(0.25);
    console.log(`mnist-cnn: simdnet acc ${ours.accuracy.toFixed(4)}; TF.js acc ${theirs.accuracy.toFixed(4)}`);
  }, 600_000);

  it('regression codelab with min-max normalisation, linspace and tf.losses.meanSquaredError', async () => {
    const opts = { ...quiet, epochs: 25 };
    const ours = (await (await onSimdnet('regression.mjs'))(opts)) as { history: Record<string, number[]>; meanAbsError: number; curve: number[] };
    const theirs = (await (await onTfjs('regression.mjs'))(opts)) as typeof ours;
    expect(Object.keys(ours.history).sort()).toEqual(Object.keys(theirs.history).sort());
    expect(ours.curve).toHaveLength(100);
    // The codelab's model fits this curve loosely after 25 epochs (3 to 7 mpg off in either
    // library, depending on the initial weights, on labels spanning 20 to 60 mpg).
    expect(ours.meanAbsError).toBeLessThan(10);
    expect(theirs.meanAbsError).toBeLessThan(10);
    for (const h of [ours.history, theirs.history]) expect(last(h, 'loss')).toBeLessThan(h.loss[0]);
    const [a, b] = [last(ours.history, 'loss'), last(theirs.history, 'loss')];
    // The final losses depend on the initial weights as much as on the library (seen: within
    // 1.1x to 4.5x of each other across runs).
    expect(Math.max(a / b, b / a)).toBeLessThan(8);
    console.log(`regression: simdnet loss ${a.toFixed(5)} curve error ${ours.meanAbsError.toFixed(3)}; TF.js loss ${b.toFixed(5)} curve error ${theirs.meanAbsError.toFixed(3)}`);
  }, 600_000);
});
