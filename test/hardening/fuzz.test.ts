// A seeded fuzz of the public API: random option objects and random tensors thrown at every
// public factory and method for a fixed number of iterations. Whatever is thrown must be a
// clear error (no internal TypeError, no wasm trap); whatever is accepted must train without a
// NaN weight; nothing may hang, touch another model's weights or leak arena memory.
import { beforeAll, describe, expect, it } from 'vitest';
import { Random } from '../../src/random.ts';
import type { Layer } from '../../src/layers/layer.ts';
import { arena, expectClear, referenceModel, sn } from './helpers.ts';

// Fixed, so a failure reproduces; FUZZ_SEED / FUZZ_ITERATIONS explore further by hand, and
// FUZZ_REPORT=1 prints every distinct finding (instead of the first three) and the outcome tally.
const SEED = Number(process.env.FUZZ_SEED ?? 20_251_111);
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 15_000);
/** One iteration builds at most a tiny model and trains it a few steps: taking this long means a
 * hang. Generous on purpose: a loaded CI machine must not turn a slow iteration into a failure. */
const ITERATION_MS = 15_000;

const { layers, optimizers, initializers, regularizers, callbacks, tensor } = sn;

// ------------------------------------------------------------------------------- values

class Fuzz {
  readonly r: Random;
  constructor(seed: number) {
    this.r = new Random(seed);
  }
  chance(p: number): boolean {
    return this.r.uniform() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.r.int(a.length)];
  }
  int(lo: number, hi: number): number {
    return lo + this.r.int(hi - lo + 1);
  }
}

/** Numbers users pass (moderate, so legal options cannot blow up in a few steps) and numbers nobody checked. */
const FAIR = [0, 1, 2, 3, 0.5, 0.9, 0.99, 0.1, 0.01, 1e-3, 1e-7, -1, -0.5, 4, 8];
const SPECIAL = [NaN, Infinity, -Infinity, 1e300, -1e300, 1e39, -1e39, 1e-50, -0, 2 ** 31, 2 ** 53, 1.5, 2.5, -2, Number.MAX_VALUE, Number.MIN_VALUE];
const JUNK: unknown[] = [undefined, null, true, false, '1', '0.1', 'abc', '', 'toString', 'constructor', '__proto__', {}, [], [1], [1, 2], [NaN], 1n, Symbol('s'), () => 1, new Float32Array(2), new Date(0), /x/];
const NAMES = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', '', ' adam', 'ADAM', 'mse ', 'relu6', 'l3'];

type Kind = 'num' | 'int' | 'unit' | 'bool' | 'shape' | 'pair' | readonly unknown[];

function valueOf(f: Fuzz, kind: Kind): unknown {
  if (f.chance(0.15)) return f.chance(0.5) ? f.pick(SPECIAL) : f.chance(0.7) ? f.pick(JUNK) : f.pick(NAMES);
  if (Array.isArray(kind)) return f.pick(kind);
  switch (kind) {
    case 'num':
      return f.pick(FAIR);
    case 'int':
      return f.int(1, 4);
    case 'unit':
      return f.pick([0, 0.5, 0.9, 0.99]);
    case 'bool':
      return f.chance(0.5);
    case 'shape':
      return Array.from({ length: f.int(1, 3) }, () => f.int(1, 4));
    case 'pair':
      return f.chance(0.5) ? f.int(1, 3) : [f.int(1, 3), f.int(1, 3)];
  }
}

/** An options object: a random subset of the known keys, sometimes an unknown key, sometimes not an object at all. */
function optionsOf(f: Fuzz, spec: Record<string, Kind>, required: readonly string[] = []): unknown {
  if (f.chance(0.04)) return f.pick(JUNK);
  const o: Record<string, unknown> = {};
  for (const [k, kind] of Object.entries(spec)) if (f.chance(required.includes(k) ? 0.97 : 0.4)) o[k] = valueOf(f, kind);
  if (f.chance(0.05)) o[f.pick(['lr', 'learning_rate', 'units_', 'kernelConstraint', 'foo'])] = 1;
  return o;
}

/** A tensor-like value: right shape or not, numbers or not, finite unless `dirty`. */
function dataOf(f: Fuzz, rows: number, cols: number, dirty: boolean): unknown {
  const r = f.chance(0.85) ? rows : f.int(0, 5);
  const c = f.chance(0.85) ? cols : f.int(0, 6);
  const cell = () => (dirty && f.chance(0.05) ? f.pick([NaN, Infinity, 'a', undefined, null, {}]) : f.r.uniform() * 2 - 1);
  switch (f.int(0, 5)) {
    case 0:
      return Array.from({ length: r }, () => Array.from({ length: c }, cell));
    case 1:
      return tensor(Float32Array.from({ length: r * c }, () => f.r.uniform()), [r, c]);
    case 2:
      return f.pick(JUNK);
    case 3:
      return [tensor(Float32Array.from({ length: r * c }, () => f.r.uniform()), [r, c])];
    case 4:
      return { [f.pick(['x', 'dense_input', 'in'])]: Array.from({ length: r }, () => Array.from({ length: c }, cell)) };
    default:
      return Float32Array.from({ length: r * c }, cell as () => number);
  }
}
const labelsOf = (f: Fuzz, n: number, k: number): unknown =>
  f.chance(0.85) ? tensor(Int32Array.from({ length: n }, () => f.int(0, k - 1)), [n], 'int32') : f.chance(0.5) ? Array.from({ length: n }, () => f.pick([0, 1, k, -1, 0.5, NaN])) : f.pick(JUNK);

// ------------------------------------------------------------------------------- models

const ACTIVATIONS = ['linear', 'relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh', 'softplus', 'softmax'];
const WEIGHTED: Record<string, Kind> = {
  activation: ACTIVATIONS,
  useBias: 'bool',
  kernelInitializer: ['glorotUniform', 'heNormal', 'zeros', 'ones', 'leCunUniform', 'randomNormal'],
  biasInitializer: ['zeros', 'ones', 'glorotNormal'],
  kernelRegularizer: ['l1', 'l2', 'l1l2'],
  biasRegularizer: ['l2'],
  name: ['a', 'b', 'c'],
  trainable: 'bool',
};

/** What the current iteration is calling (targets set it as soon as they know). */
let calling = '';

/** Everything made in one iteration, disposed at its end. */
const made: sn.LayersModel[] = [];
const track = <M extends sn.LayersModel>(m: M): M => (made.push(m), m);

const X = (n: number, d: number, f: Fuzz) => tensor(Float32Array.from({ length: n * d }, () => f.r.uniform()), [n, d]);
const Y = (n: number, k: number, f: Fuzz) => tensor(Int32Array.from({ length: n }, () => f.int(0, k - 1)), [n], 'int32');

/** Weights of a model that just trained: every one finite. */
function assertFinite(m: sn.LayersModel, what: string): void {
  const w = m.snapshotParams();
  const bad = w.findIndex((v) => !Number.isFinite(v));
  expect(bad, `${what}: weight ${bad} is ${w[bad]}`).toBe(-1);
}

/** Compile (adam), train two steps, check the weights. */
function trainChecked(m: sn.LayersModel, x: sn.Tensor | sn.Tensor[], y: sn.Tensor, what: string, compile = true): void {
  if (compile) m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  for (let i = 0; i < 2; i++) m.trainOnBatch(x, y);
  assertFinite(m, what);
}

/** A model around `layer` whose input fits the layer's kind. */
function around(layer: Layer, kind: 'flat' | 'image' | 'seq' | 'merge' | 'reshape', f: Fuzz): { m: sn.LayersModel; x: sn.Tensor | sn.Tensor[] } {
  const n = f.int(1, 6);
  if (kind === 'merge') {
    const a = sn.input({ shape: [4] });
    const b = sn.input({ shape: [4] });
    const out = layers.dense({ units: 3, activation: 'softmax' }).apply(layers.flatten().apply(layer.apply([a, b]) as sn.SymbolicTensor) as sn.SymbolicTensor) as sn.SymbolicTensor;
    return { m: track(sn.model({ inputs: [a, b], outputs: out })), x: [X(n, 4, f), X(n, 4, f)] };
  }
  const shape = kind === 'image' ? [6, 6, 2] : kind === 'seq' ? [8, 2] : kind === 'reshape' ? [12] : [4];
  const inp = sn.input({ shape });
  let h = layer.apply(inp) as sn.SymbolicTensor;
  if (h.sampleShape.length > 1) h = layers.flatten().apply(h) as sn.SymbolicTensor;
  const out = layers.dense({ units: 3, activation: 'softmax' }).apply(h) as sn.SymbolicTensor;
  const size = shape.reduce((s, d) => s * d, 1);
  return { m: track(sn.model({ inputs: inp, outputs: out })), x: X(n, size, f).reshape([n, ...shape]) };
}

// ------------------------------------------------------------------------------- targets

type Target = (f: Fuzz, ref: sn.Sequential) => string | Promise<string>;

const LAYERS: [string, Record<string, Kind>, 'flat' | 'image' | 'seq' | 'merge' | 'reshape'][] = [
  ['dense', { units: 'int', ...WEIGHTED, inputShape: [[4], [4], [3], [4, 1]] }, 'flat'],
  ['conv2d', { filters: 'int', kernelSize: 'pair', strides: 'pair', padding: ['valid', 'same', 1, [[1, 0], [0, 1]]], dilationRate: 'pair', ...WEIGHTED }, 'image'],
  ['conv1d', { filters: 'int', kernelSize: 'int', strides: 'int', padding: ['valid', 'same', 'causal', 1], dilationRate: 'int', ...WEIGHTED }, 'seq'],
  ['maxPooling2d', { poolSize: 'pair', strides: 'pair', padding: ['valid', 'same'] }, 'image'],
  ['averagePooling2d', { poolSize: 'pair', strides: 'pair', padding: ['valid', 'same'] }, 'image'],
  ['maxPooling1d', { poolSize: 'int', strides: 'int', padding: ['valid', 'same'] }, 'seq'],
  ['averagePooling1d', { poolSize: 'int', strides: 'int', padding: ['valid', 'same'] }, 'seq'],
  ['globalMaxPooling2d', { name: ['g'] }, 'image'],
  ['globalAveragePooling1d', { name: ['g'] }, 'seq'],
  ['activation', { activation: ACTIVATIONS, alpha: 'num' }, 'flat'],
  ['reLU', { name: ['r'] }, 'flat'],
  ['leakyReLU', { alpha: 'num' }, 'flat'],
  ['softmax', { axis: [-1, 1] }, 'flat'],
  ['flatten', { dataFormat: ['channelsLast', 'channelsFirst'] }, 'image'],
  ['reshape', { targetShape: [[3, 4], [-1, 2], [2, -1, 2], [12], [5, -1]] }, 'reshape'],
  ['add', {}, 'merge'],
  ['subtract', {}, 'merge'],
  ['multiply', {}, 'merge'],
  ['average', {}, 'merge'],
  ['maximum', {}, 'merge'],
  ['minimum', {}, 'merge'],
  ['concatenate', { axis: [-1, 1, 2] }, 'merge'],
  ['dot', { axes: [1, -1, [1, 1], 2], normalize: 'bool' }, 'merge'],
];

const OPTIMIZERS: [string, Record<string, Kind>][] = [
  ['sgd', { learningRate: 'num', momentum: 'unit', nesterov: 'bool' }],
  ['momentum', { learningRate: 'num', momentum: 'unit', useNesterov: 'bool', nesterov: 'bool' }],
  ['adagrad', { learningRate: 'num', initialAccumulatorValue: 'num', epsilon: 'num' }],
  ['rmsprop', { learningRate: 'num', rho: 'unit', decay: 'unit', momentum: 'unit', epsilon: 'num' }],
  ['adam', { learningRate: 'num', beta1: 'unit', beta2: 'unit', epsilon: 'num', weightDecay: 'num' }],
  ['adamw', { learningRate: 'num', beta1: 'unit', beta2: 'unit', epsilon: 'num', weightDecay: 'num' }],
];

const INITIALIZERS: [string, Record<string, Kind>][] = [
  ['constant', { value: 'num' }],
  ['randomNormal', { mean: 'num', stddev: 'num', seed: 'num' }],
  ['randomUniform', { minval: 'num', maxval: 'num', seed: 'num' }],
  ['truncatedNormal', { mean: 'num', stddev: 'num', seed: 'num' }],
  ['glorotUniform', { seed: 'num' }],
  ['heNormal', { seed: 'num' }],
  ['zeros', {}],
  ['ones', {}],
];

const mlp = (f: Fuzz) => track(sn.sequential({ layers: [layers.dense({ units: 5, activation: 'relu', inputShape: [4] }), layers.dense({ units: 3, activation: 'softmax' })] }));

const TARGETS: Record<string, Target> = {
  layer(f) {
    const [name, spec, kind] = f.pick(LAYERS);
    calling = `layers.${name}`;
    const opts = optionsOf(f, spec, ['units', 'filters', 'kernelSize', 'activation', 'targetShape', 'axes']);
    const layer = (layers as unknown as Record<string, (o: unknown) => Layer>)[name](opts);
    const { m, x } = around(layer, kind, f);
    trainChecked(m, x, Y(Array.isArray(x) ? x[0].shape[0] : x.shape[0], 3, f), `layers.${name}`);
    return `layers.${name}`;
  },
  optimizer(f) {
    const [name, spec] = f.pick(OPTIMIZERS);
    calling = `optimizers.${name}`;
    const opt = (optimizers as unknown as Record<string, (o: unknown) => sn.LayersModel['optimizer']>)[name](optionsOf(f, spec, ['learningRate']));
    const m = mlp(f);
    m.compile({ optimizer: opt!, loss: 'sparseCategoricalCrossentropy' });
    trainChecked(m, X(5, 4, f), Y(5, 3, f), `optimizers.${name}`, false);
    return `optimizers.${name}`;
  },
  initializer(f) {
    const [name, spec] = f.pick(INITIALIZERS);
    calling = `initializers.${name}`;
    const init = (initializers as unknown as Record<string, (o: unknown) => unknown>)[name](optionsOf(f, spec, ['value']));
    const m = track(sn.sequential({ layers: [layers.dense({ units: 3, activation: 'softmax', inputShape: [4], kernelInitializer: init as never, biasInitializer: init as never })] }));
    trainChecked(m, X(4, 4, f), Y(4, 3, f), `initializers.${name}`);
    return `initializers.${name}`;
  },
  regularizer(f) {
    const name = f.pick(['l1', 'l2', 'l1l2']);
    calling = `regularizers.${name}`;
    const reg = (regularizers as unknown as Record<string, (o: unknown) => unknown>)[name](optionsOf(f, name === 'l1l2' ? { l1: 'num', l2: 'num' } : { [name]: 'num' }));
    const m = track(sn.sequential({ layers: [layers.dense({ units: 3, activation: 'softmax', inputShape: [4], kernelRegularizer: reg as never })] }));
    trainChecked(m, X(4, 4, f), Y(4, 3, f), `regularizers.${name}`);
    return `regularizers.${name}`;
  },
  async fit(f) {
    const m = mlp(f);
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: f.chance(0.5) ? ['accuracy'] : [] });
    const es = f.chance(0.3) ? [callbacks.earlyStopping(optionsOf(f, { monitor: ['loss', 'val_loss', 'accuracy', 'val_acc'], minDelta: 'num', patience: 'int', mode: ['min', 'max', 'auto'], baseline: 'num', restoreBestWeights: 'bool' }) as never)] : [];
    const args = optionsOf(f, {
      epochs: 'int',
      batchSize: 'int',
      shuffle: 'bool',
      validationSplit: [0.25, 0.5],
      initialEpoch: [0, 1],
      verbose: [0],
      yieldEvery: [0, 5, 50],
      callbacks: [es, [], [callbacks.terminateOnNaN()]],
    });
    if (args && typeof args === 'object' && !Array.isArray(args)) {
      const a = args as Record<string, unknown>;
      a.verbose ??= 0;
      // epochs: 2 ** 31 is a legal request for a very long run: a watchdog ends it early.
      let batches = 0;
      const watchdog = { onBatchEnd: () => void (++batches >= 100 && (m.stopTraining = true)) };
      if (a.callbacks === undefined) a.callbacks = [watchdog];
      else if (Array.isArray(a.callbacks)) a.callbacks = [...a.callbacks, watchdog];
    }
    await m.fit(dataOf(f, 8, 4, false) as never, labelsOf(f, 8, 3) as never, args as never);
    assertFinite(m, 'fit');
    return 'fit';
  },
  async compile(f) {
    const m = mlp(f);
    const loss = f.chance(0.7) ? f.pick(['sparseCategoricalCrossentropy', 'categoricalCrossentropy', 'mse', 'meanAbsoluteError', 'binaryCrossentropy']) : f.pick([...NAMES, ...JUNK]);
    const optimizer = f.chance(0.7) ? f.pick(['sgd', 'adam', 'rmsprop', 'adagrad', 'momentum', 'adamw']) : f.pick([...NAMES, ...JUNK]);
    const metrics = f.chance(0.5) ? f.pick([['accuracy'], ['mse'], 'acc', [], ...NAMES.map((n) => [n]), ...JUNK]) : undefined;
    m.compile({ optimizer, loss, metrics, ...(f.chance(0.2) ? { lossWeights: valueOf(f, 'num') } : {}) } as never);
    const sparse = loss === 'sparseCategoricalCrossentropy';
    const y = sparse ? Y(6, 3, f) : tensor(Float32Array.from({ length: 18 }, () => f.int(0, 1)), [6, 3]);
    await m.trainOnBatch(X(6, 4, f), y);
    await m.trainOnBatch(X(6, 4, f), y);
    assertFinite(m, 'compile');
    return 'compile';
  },
  async data(f, ref) {
    // Random data at a trained model's methods; only trainOnBatch may change its weights.
    const m = mlp(f);
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    await m.trainOnBatch(X(4, 4, f), Y(4, 3, f));
    const before = m.snapshotParams();
    const which = f.pick(['predict', 'evaluate', 'trainOnBatch', 'setWeights', 'gradients', 'apply', 'getLayer']);
    calling = which;
    const n = f.int(0, 6);
    switch (which) {
      case 'predict':
        m.predict(dataOf(f, n, 4, true) as never, optionsOf(f, { batchSize: 'int' }) as never);
        break;
      case 'evaluate':
        m.evaluate(dataOf(f, n, 4, true) as never, labelsOf(f, n, 3) as never, optionsOf(f, { batchSize: 'int' }) as never);
        break;
      case 'trainOnBatch':
        await m.trainOnBatch(dataOf(f, n, 4, false) as never, labelsOf(f, n, 3) as never);
        assertFinite(m, 'trainOnBatch');
        return which;
      case 'setWeights': {
        const w = m.getWeights().map((t) => (f.chance(0.8) ? t : f.chance(0.5) ? dataOf(f, t.shape[0], t.shape[1] ?? 1, true) : f.pick(JUNK)));
        m.setWeights((f.chance(0.9) ? w : w.slice(1)) as never);
        assertFinite(m, 'setWeights');
        return which;
      }
      case 'gradients':
        sn.utils.gradients(m, dataOf(f, n, 4, true) as never, f.chance(0.5) ? (labelsOf(f, n, 3) as never) : undefined);
        break;
      case 'apply':
        ref.layers[f.int(0, 1)].apply(dataOf(f, n, f.pick([4, 8]), true) as never);
        break;
      case 'getLayer':
        m.getLayer(f.pick([0, 1, 2, -1, 1.5, NaN, 'dense', ...NAMES, ...JUNK]) as never);
        break;
    }
    expect(m.snapshotParams(), which).toEqual(before);
    return which;
  },
  checkGradients(f) {
    const m = mlp(f);
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const before = m.snapshotParams();
    sn.utils.checkGradients(m, X(3, 4, f), Y(3, 3, f), optionsOf(f, { epsilon: 'num', maxPerParam: 'int' }) as never);
    expect(m.snapshotParams()).toEqual(before);
    return 'checkGradients';
  },
  tensor(f) {
    const which = f.int(0, 4);
    if (which === 0) tensor(dataOf(f, f.int(0, 3), f.int(0, 3), true) as never, f.chance(0.5) ? (valueOf(f, 'shape') as never) : undefined, f.chance(0.3) ? (f.pick(['float32', 'int32', 'float64', ...JUNK]) as never) : undefined);
    else if (which === 1) new sn.Tensor(f.pick([new Float32Array(6), new Int32Array(6), [1, 2], null, ...JUNK]) as never, valueOf(f, 'shape') as never, f.pick(['float32', 'int32', 'x', undefined]) as never);
    else {
      const t = tensor(Float32Array.from({ length: 12 }, () => f.r.uniform()), [4, 3]);
      const arg = f.chance(0.5) ? valueOf(f, 'int') : f.pick([...SPECIAL, ...JUNK]);
      if (which === 2) t.reshape(f.chance(0.5) ? (valueOf(f, 'shape') as never) : (arg as never));
      else if (which === 3) t.slice(arg as never, f.chance(0.5) ? (valueOf(f, 'int') as never) : undefined);
      else t.gather(f.chance(0.5) ? ([arg] as never) : (arg as never));
    }
    return 'tensor';
  },
  dataset(f) {
    const which = f.pick(['fromArrays', 'shuffle', 'split', 'oneHot', 'csv', 'parseIdx', 'setSeed', 'input', 'sequential', 'model', 'save']);
    calling = which;
    switch (which) {
      case 'fromArrays':
        sn.data.fromArrays(dataOf(f, 4, 2, true) as never, labelsOf(f, 4, 3) as never, optionsOf(f, { shuffle: 'bool', seed: 'num', labelDtype: ['int32', 'float32', 'int8'] }) as never);
        break;
      case 'shuffle':
        sn.data.shuffle(dataOf(f, 4, 2, true) as never, labelsOf(f, 4, 3) as never, f.chance(0.5) ? (valueOf(f, 'num') as never) : undefined);
        break;
      case 'split':
        sn.data.split(dataOf(f, 4, 2, true) as never, labelsOf(f, 4, 3) as never, valueOf(f, 'unit') as never);
        break;
      case 'oneHot':
        sn.data.oneHot(labelsOf(f, 4, 3) as never, valueOf(f, 'int') as never);
        break;
      case 'csv': {
        const cells = ['1', '2.5', '-3', 'a', '', '"q,r"', 'NaN', 'inf', '2.O', 'x1', '"', '1e5'];
        const text = f.chance(0.1) ? f.pick(['data.csv', './x.csv', '', '\n\n', ...JUNK]) : Array.from({ length: f.int(1, 4) }, () => Array.from({ length: f.int(1, 3) }, () => f.pick(cells)).join(f.pick([',', ',', ';']))).join(f.pick(['\n', '\r\n', '\r']));
        sn.data.csv(text as never, optionsOf(f, { header: 'bool', hasHeader: 'bool', delimiter: [',', ';', '\t', '"', ',,'], labelColumn: [0, -1, 1, 'x1', 'nope'], columns: [[0], ['x1'], [0, 0]] }) as never);
        break;
      }
      case 'parseIdx': {
        const bytes = f.chance(0.8) ? Uint8Array.from({ length: f.int(0, 40) }, () => f.int(0, 255)) : f.pick(JUNK);
        if (bytes instanceof Uint8Array && bytes.length >= 8 && f.chance(0.5)) bytes.set([0, 0, 8, f.pick([1, 3])], 0);
        sn.data.parseIdx(bytes as never, 'fuzz', f.pick(['images', 'labels', undefined]) as never);
        break;
      }
      case 'setSeed':
        sn.setSeed(valueOf(f, 'num') as never);
        break;
      case 'input':
        sn.input(optionsOf(f, { shape: 'shape', batchShape: [[null, 3], [3], 5], name: ['i', ''], dtype: ['float32', 'int32', 'x'] }) as never);
        break;
      case 'sequential':
        track(sn.sequential(optionsOf(f, { layers: [[layers.dense({ units: 2, inputShape: [3] })], [], [null], 5], name: ['s', '', 5] }) as never));
        break;
      case 'model': {
        const i = sn.input({ shape: [3] });
        track(sn.model(optionsOf(f, { inputs: [i, [i], 5, null], outputs: [layers.dense({ units: 2 }).apply(i), i, 5, []], name: ['m', ''] }) as never));
        break;
      }
      case 'save':
        // Not file:// URLs only (the disk is the save tests' business).
        return mlp(f).save(f.pick(['./here', 'http://x/y', 'indexeddb://m', 5, null, {}, '']) as never).then(() => which);
    }
    return which;
  },
};

// ------------------------------------------------------------------------------- the run

describe('fuzz', () => {
  beforeAll(async () => {
    await sn.init();
  });

  it(`${ITERATIONS} seeded iterations over the public API: clear errors, finite weights, no hang, no leak`, async () => {
    const f = new Fuzz(SEED);
    const ref = referenceModel();
    const refWeights = ref.snapshotParams();
    const names = Object.keys(TARGETS);
    const tally: Record<string, { ok: number; rejected: number }> = {};
    const findings: string[] = [];
    const reasons = new Map<string, number>();
    const t0 = performance.now();
    for (let i = 0; i < ITERATIONS; i++) {
      const target = f.pick(names);
      const top = arena().top;
      calling = target;
      let outcome: 'ok' | 'rejected' = 'ok';
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`HANG: iteration ${i} (${calling}) did not finish in ${ITERATION_MS} ms`)), ITERATION_MS)));
        await Promise.race([TARGETS[target](f, ref), hang]);
      } catch (e) {
        if (String((e as Error)?.message).startsWith('HANG:')) throw e;
        outcome = 'rejected';
        const key = `${calling} | ${String((e as Error)?.message).replace(/\d+(\.\d+)?/g, '#').slice(0, 90)}`;
        reasons.set(key, (reasons.get(key) ?? 0) + 1);
        try {
          expectClear(e);
        } catch (why) {
          findings.push(`iteration ${i} (${calling}): ${(why as Error).message.split('\n')[0]}\n${(e as Error)?.stack ?? String(e)}`);
        }
      } finally {
        clearTimeout(timer);
        for (const m of made.splice(0)) m.dispose();
      }
      const label = calling;
      expect(arena().top, `iteration ${i} (${label}) leaked arena memory`).toBe(top);
      (tally[label] ??= { ok: 0, rejected: 0 })[outcome]++;
    }
    if (process.env.FUZZ_REPORT) {
      const distinct = new Map<string, string>();
      for (const x of findings) distinct.set(x.split('\n').slice(1, 3).join(' | ').replace(/iteration \d+/, ''), x);
      console.log([...distinct.values()].join('\n\n'));
      console.log(JSON.stringify(tally));
      console.log([...reasons.entries()].map(([k, v]) => `${k}: ${v}`).join('\n'));
    }
    expect(findings.slice(0, 3)).toEqual([]);
    // Nothing reached the reference model, which every iteration shared the arena with.
    expect(ref.snapshotParams()).toEqual(refWeights);
    // Both outcomes happened for the main targets: the fuzz explores accepted and rejected calls.
    for (const t of ['optimizers.adam', 'layers.dense', 'fit', 'compile', 'tensor']) {
      expect(tally[t]?.ok, `${t} accepted`).toBeGreaterThan(0);
      expect(tally[t]?.rejected, `${t} rejected`).toBeGreaterThan(0);
    }
    const secs = (performance.now() - t0) / 1000;
    expect(secs).toBeLessThan(30);
    ref.dispose();
  }, 120_000);
});
