// A corpus of malformed model files. Each is written to its own folder (model.json and shard
// files) or handed over in memory, and must be rejected with its own clear message: an Error
// (never a wasm trap, never an internal TypeError) that names what is wrong — the file, the
// layer and/or the weight — while the arena top, the wasm memory size and the JS heap's
// ArrayBuffers stay where they were (nothing half-built left behind, no huge allocation).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import {
  encodeWeights,
  fileUrl,
  INTERNAL,
  kConv2D,
  kDense,
  kerasTopology,
  kInput,
  kLayer,
  type KLayer,
  memoryState,
  removeTmpDirs,
  type Spec,
  tmpDir,
  loadModel,
} from './fixtures.ts';

const load = loadModel;

let standby: sn.Sequential;
beforeAll(async () => {
  await sn.init({ deterministic: true });
  // A live model, so the arena is not empty while the bad files are tried.
  standby = sn.sequential({ layers: [sn.layers.dense({ units: 4, inputShape: [3] })] });
  standby.predict(sn.tensor(new Float32Array(6), [2, 3]));
});
afterAll(() => {
  standby.dispose();
  removeTmpDirs();
});

// ---------------------------------------------------------------------------------------------
// Valid files to break
// ---------------------------------------------------------------------------------------------

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Files {
  /** model.json as an object (serialised when written) or as raw text. */
  json: Json | string;
  /** Shard files by name. */
  shards: Record<string, Uint8Array>;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * A consistent model folder: the topology plus float32 weights for `weights` (seeded values),
 * cut into groups of `groups` weights and shards of at most `shardBytes`.
 */
function files(topology: Json, weights: { name: string; shape: number[] }[], groups = [weights.length], shardBytes = 40): Files {
  let s = 7;
  const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5;
  const enc = encodeWeights(weights.map((w) => ({ ...w, q: 'float32' as const, values: Array.from({ length: size(w.shape) }, rnd) })));
  const all = new Uint8Array(enc.data);
  const shards: Record<string, Uint8Array> = {};
  const manifest: { paths: string[]; weights: Spec[] }[] = [];
  let w = 0;
  let at = 0;
  groups.forEach((count, gi) => {
    const specs = enc.specs.slice(w, w + count);
    w += count;
    const bytes = specs.reduce((t, x) => t + size(x.shape) * 4, 0);
    const n = Math.max(1, Math.ceil(bytes / shardBytes));
    const paths: string[] = [];
    for (let i = 0; i < n; i++) {
      const name = `group${gi + 1}-shard${i + 1}of${n}.bin`;
      shards[name] = all.slice(at + i * shardBytes, at + Math.min(bytes, (i + 1) * shardBytes));
      paths.push(name);
    }
    at += bytes;
    manifest.push({ paths, weights: specs });
  });
  return { json: { format: 'layers-model', generatedBy: 'a test', convertedBy: null, modelTopology: topology, weightsManifest: manifest }, shards };
}

const functional = (layers: KLayer[], inputs: string[], outputs: string[], name = 'model') => ({
  class_name: 'Model',
  config: { name, layers, input_layers: inputs.map((n) => [n, 0, 0]), output_layers: outputs.map((n) => [n, 0, 0]) },
});

const MLP_WEIGHTS = [
  { name: 'd1/kernel', shape: [4, 3] },
  { name: 'd1/bias', shape: [3] },
  { name: 'd2/kernel', shape: [3, 2] },
  { name: 'd2/bias', shape: [2] },
];

/** x [4] → d1 dense(3, relu) → d2 dense(2, softmax), 92 bytes in two groups: d1's 60 bytes in two shards (40 + 20), d2's 32 in one. */
function mlp(edit: (layers: KLayer[]) => void = () => {}): Files {
  const layers = [kInput('x', [null, 4]), kDense('d1', 3, 'relu', ['x']), kDense('d2', 2, 'softmax', ['d1'])];
  edit(layers);
  return files(functional(layers, ['x'], ['d2']), MLP_WEIGHTS, [2, 2]);
}
const layerOf = (layers: KLayer[], name: string) => layers.find((l) => l.config.name === name)!;

/** A Keras-converter-style Sequential: InputLayer first, one layer under test, a dense head. */
function kerasSeq(inputShape: (number | null)[], layer: KLayer, weights: { name: string; shape: number[] }[]): Files {
  return files(kerasTopology({ class_name: 'Sequential', config: { name: 'seq', layers: [kInput('in', inputShape, false), layer] } }), weights, [weights.length], 1 << 20);
}

const json = (f: Files): Json => f.json as Json;
const manifest = (f: Files) => json(f).weightsManifest as { paths: string[]; weights: Json[] }[];
const spec = (f: Files, name: string) => manifest(f).flatMap((g) => g.weights).find((w) => w.name === name)!;

// ---------------------------------------------------------------------------------------------
// The corpus
// ---------------------------------------------------------------------------------------------

interface Case {
  title: string;
  /** The folder's files; `null` for a source that is not a folder (see `source`). */
  make: () => Files | null;
  /** Another source than dir/model.json, given the folder (when `make` made one). */
  source?: (dir: string) => unknown;
  opts?: Record<string, unknown>;
  /** Every one must match the message. */
  expect: RegExp[];
  /** Written outside the model's folder (the path-escape case). */
  outside?: Record<string, Uint8Array>;
}

const MB = (f: Files, mutate: (j: Json) => void): Files => (mutate(json(f)), f);

const CASES: Case[] = [
  // -- model.json itself
  { title: 'model.json is not JSON (cut short)', make: () => ({ json: '{"modelTopology": {"class_name": "Model", "config": {', shards: {} }), expect: [/model\.json/, /JSON/i] },
  { title: 'model.json is empty', make: () => ({ json: '', shards: {} }), expect: [/model\.json/, /empty|JSON/i] },
  { title: 'model.json is a JSON list', make: () => ({ json: '[1, 2, 3]', shards: {} }), expect: [/model\.json/, /object|list/i] },
  { title: 'model.json has no modelTopology', make: () => MB(mlp(), (j) => delete j.modelTopology), expect: [/modelTopology/] },
  { title: 'weightsManifest is not a list', make: () => MB(mlp(), (j) => (j.weightsManifest = { paths: ['w.bin'] })), expect: [/weightsManifest/, /list/] },
  {
    title: 'a TF.js graph model (format graph-model)',
    make: () => MB(mlp(), (j) => ((j.format = 'graph-model'), (j.modelTopology = { node: [{ name: 'x', op: 'Placeholder' }], versions: { producer: 1 } }))),
    expect: [/graph/i],
  },
  { title: 'an unknown model class', make: () => MB(mlp(), (j) => (j.modelTopology.class_name = 'Foo')), expect: [/Foo/, /Sequential/] },
  { title: 'a Sequential with no layers', make: () => files({ class_name: 'Sequential', config: { name: 's', layers: [] } }, []), expect: [/Sequential/, /layers/] },

  // -- layers and the graph
  {
    title: 'an unsupported layer class (ConvLSTM2D)',
    make: () => files(functional([kInput('x', [null, 5, 6, 6, 4]), kLayer('ConvLSTM2D', 'lstm', { filters: 3, kernel_size: 3 }, ['x'])], ['x'], ['lstm']), []),
    expect: [/ConvLSTM2D/, /lstm/, /Dense/, /Conv2D/, /Concatenate/, /GlobalAveragePooling1D/],
  },
  { title: 'two layers with one name', make: () => mlp((ls) => (ls[2].config.name = 'd1')), expect: [/d1/, /two layers|duplicate|twice/i] },
  { title: 'an inbound node names a missing layer', make: () => mlp((ls) => (ls[2].inbound_nodes = [[['ghost', 0, 0, {}]]])), expect: [/d2/, /ghost/] },
  {
    title: 'a cycle: d1 reads d2, d2 reads d1',
    make: () => mlp((ls) => (ls[1].inbound_nodes = [[['d2', 0, 0, {}]]])),
    expect: [/cycle/i, /d1|d2/],
  },
  { title: 'output_layers names a missing layer', make: () => MB(mlp(), (j) => (j.modelTopology.config.output_layers = [['ghost', 0, 0]])), expect: [/output_layers/, /ghost/] },
  {
    title: 'an inbound node index past the layer’s nodes',
    make: () => mlp((ls) => (ls[2].inbound_nodes = [[['d1', 3, 0, {}]]])),
    expect: [/d2/, /d1/, /node 3|3/],
  },
  {
    title: 'the output depends on an input not in input_layers',
    make: () => {
      const layers = [kInput('x', [null, 4]), kInput('y', [null, 4]), kLayer('Add', 'sum', {}, ['x', 'y']), kDense('d1', 3, 'relu', ['sum']), kDense('d2', 2, 'softmax', ['d1'])];
      return files(functional(layers, ['x'], ['d2']), MLP_WEIGHTS);
    },
    expect: [/\by\b/, /input/i],
  },
  {
    title: 'Keras 3 inbound nodes ({ args, kwargs })',
    make: () => mlp((ls) => (ls[1].inbound_nodes = [{ args: [{ class_name: '__keras_tensor__', config: { keras_history: ['x', 0, 0] } }], kwargs: {} }])),
    expect: [/d1/, /inbound/i],
  },

  // -- layer options
  { title: 'a non-null activity_regularizer', make: () => mlp((ls) => (ls[1].config.activity_regularizer = { class_name: 'L2', config: { l2: 0.01 } })), expect: [/d1/, /activity_?regularizer/i] },
  { title: 'a kernel constraint', make: () => mlp((ls) => (ls[2].config.kernel_constraint = { class_name: 'MaxNorm', config: { max_value: 2, axis: 0 } })), expect: [/d2/, /kernel_?constraint/i] },
  {
    title: 'a channels_first Conv2D',
    make: () => kerasSeq([null, 1, 6, 6], kConv2D('conv', 2, 3, 'valid', 'relu', undefined, { data_format: 'channels_first' }), [{ name: 'conv/kernel', shape: [3, 3, 1, 2] }, { name: 'conv/bias', shape: [2] }]),
    expect: [/conv/, /channels_?first/i],
  },
  { title: 'an unknown activation (gelu)', make: () => mlp((ls) => (ls[1].config.activation = 'gelu')), expect: [/d1/, /gelu/] },
  { title: 'Dense units not a positive integer', make: () => mlp((ls) => (layerOf(ls, 'd1').config.units = -3)), expect: [/d1/, /units/, /-3/] },
  {
    title: 'Dense units of 2^31 (a 32 GiB kernel)',
    make: () => mlp((ls) => (layerOf(ls, 'd1').config.units = 2 ** 31)),
    expect: [/d1/, /2147483648|units|shape/],
  },
  { title: 'an input shape with a negative dimension', make: () => mlp((ls) => (ls[0].config.batch_input_shape = [null, -4])), expect: [/\bx\b/, /-4/] },
  { title: 'an input shape with a fractional dimension', make: () => mlp((ls) => (ls[0].config.batch_input_shape = [null, 2.5])), expect: [/\bx\b/, /2\.5/] },
  {
    title: 'an input shape of 10^15 values per sample',
    make: () => {
      const conv = kConv2D('conv', 1, 1, 'valid', 'linear');
      return kerasSeq([null, 100000, 100000, 100000], conv, [{ name: 'conv/kernel', shape: [1, 1, 100000, 1] }, { name: 'conv/bias', shape: [1] }]);
    },
    expect: [/in|conv/, /100000|large|too|exceed/i],
  },
  {
    title: 'a 5x5 valid convolution over a 3x3 input',
    make: () => kerasSeq([null, 3, 3, 1], kConv2D('conv', 2, 5, 'valid', 'relu'), [{ name: 'conv/kernel', shape: [5, 5, 1, 2] }, { name: 'conv/bias', shape: [2] }]),
    expect: [/conv/, /kernel|output|smaller|larger|shape/i],
  },
  { title: 'a Reshape to another number of values', make: () => kerasSeq([null, 6], kLayer('Reshape', 'reshape', { target_shape: [4, 2] }), []), expect: [/reshape/, /\b6\b|\b8\b/] },
  {
    title: 'a Concatenate of mismatched shapes',
    make: () => {
      const layers = [kInput('a', [null, 4, 2]), kInput('b', [null, 3, 2]), kLayer('Concatenate', 'cat', { axis: -1 }, ['a', 'b'])];
      return files(functional(layers, ['a', 'b'], ['cat']), []);
    },
    expect: [/cat/, /shape|\[4,2\]|\[3,2\]/i],
  },
];

// Manifest cases: each edits the valid MLP's manifest (and its bytes) one way.
function manifestCase(title: string, edit: (f: Files) => void, expectations: RegExp[], opts?: Record<string, unknown>): Case {
  return {
    title,
    make: () => {
      const f = mlp();
      edit(f);
      return f;
    },
    expect: expectations,
    opts,
  };
}
// -- the weights manifest
CASES.push(
  manifestCase('a weight shape with a negative dimension', (f) => (spec(f, 'd1/kernel').shape = [-4, -3]), [/d1\/kernel/, /-4/]),
  manifestCase('a weight shape with a zero dimension', (f) => (spec(f, 'd1/kernel').shape = [0, 3]), [/d1\/kernel/, /\[0,\s?3\]|positive/]),
  manifestCase('a weight shape with a fractional dimension', (f) => (spec(f, 'd1/kernel').shape = [4.5, 3]), [/d1\/kernel/, /4\.5/]),
  manifestCase('a weight shape whose product overflows (2^64 values)', (f) => (spec(f, 'd1/kernel').shape = [65536, 65536, 65536, 65536]), [/d1\/kernel|maxBytes/, /maxBytes|large|fit|exceed/i]),
  manifestCase('a weight shape that is not a list', (f) => (spec(f, 'd1/kernel').shape = '4x3'), [/d1\/kernel/, /shape/]),
  manifestCase('a weight dtype float64', (f) => (spec(f, 'd2/bias').dtype = 'float64'), [/d2\/bias/, /float64/]),
  manifestCase('a weight group that is not a string', (f) => (spec(f, 'd2/bias').group = 5), [/d2\/bias/, /group must be a string, got 5/]),
  // TF.js's optimizer state is skipped, but a model weight marked as such is then missing.
  manifestCase('a model weight in the optimizer group', (f) => (spec(f, 'd2/bias').group = 'optimizer'), [/has no weight d2\/bias .*in the optimizer group/]),
  manifestCase('a quantization dtype int4', (f) => (spec(f, 'd2/bias').quantization = { dtype: 'int4', scale: 1, min: 0 }), [/d2\/bias/, /int4/]),
  manifestCase('uint8 quantization without a scale', (f) => (spec(f, 'd2/bias').quantization = { dtype: 'uint8', min: 0 }), [/d2\/bias/, /scale/]),
  manifestCase('float16 quantization of an int32 weight', (f) => ((spec(f, 'd2/bias').dtype = 'int32'), (spec(f, 'd2/bias').quantization = { dtype: 'float16' })), [/d2\/bias/, /float16/, /int32/]),
  manifestCase('a weight spec without a name', (f) => delete spec(f, 'd2/bias').name, [/weightsManifest\[1\]|weights\[1\]/, /name/]),
  manifestCase('one weight name twice', (f) => (spec(f, 'd2/kernel').name = 'd1/kernel'), [/d1\/kernel/, /twice|duplicate|two/i]),
  manifestCase(
    'a weight no layer has (strict)',
    (f) => {
      const g = manifest(f)[1];
      g.weights.push({ name: 'd9/kernel', shape: [1], dtype: 'float32' });
      const last = g.paths[g.paths.length - 1];
      f.shards[last] = new Uint8Array([...f.shards[last], 0, 0, 0, 0]);
    },
    [/d9\/kernel/, /no layer|not used|unused|extra/i],
  ),
  manifestCase(
    'a weight the layer needs is missing',
    (f) => {
      // Drop d2/bias (the last 8 bytes of the last shard) from the manifest and the bytes.
      manifest(f)[1].weights.pop();
      const last = manifest(f)[1].paths[manifest(f)[1].paths.length - 1];
      f.shards[last] = f.shards[last].slice(0, -8);
    },
    [/d2\/bias|d2/, /bias/],
  ),
  manifestCase('a weight shape that does not match the layer (same byte count)', (f) => (spec(f, 'd1/kernel').shape = [3, 4]), [/d1\/kernel/, /\[3,\s?4\]/, /\[4,\s?3\]/]),
  manifestCase('a group with weights and no files', (f) => (manifest(f)[1].paths = []), [/weightsManifest\[1\]/, /paths|file/]),
  manifestCase(
    'a weight holding NaN',
    (f) => {
      const first = manifest(f)[0].paths[0];
      new DataView(f.shards[first].buffer).setFloat32(4, NaN, true);
    },
    [/d1\/kernel/, /NaN/],
  ),

  // -- bytes and shard files
  manifestCase('a truncated shard', (f) => (f.shards['group1-shard2of2.bin'] = f.shards['group1-shard2of2.bin'].slice(0, 5)), [/group1-shard2of2\.bin|shard/, /truncated|bytes/i]),
  manifestCase('a shard with bytes past its weights', (f) => (f.shards['group2-shard1of1.bin'] = new Uint8Array([...f.shards['group2-shard1of1.bin'], 1, 2, 3, 4])), [/group2-shard1of1\.bin|bytes/, /\b36\b|\b4\b|more|extra/]),
  manifestCase('a missing shard file', (f) => delete f.shards['group2-shard1of1.bin'], [/group2-shard1of1\.bin/]),
  manifestCase('the weights exceed maxBytes', () => {}, [/maxBytes/, /\b64\b/], { maxBytes: 64 }),
);

// Sources other than a folder.
CASES.push(
  {
    title: 'model.json does not exist',
    make: () => null,
    source: (dir) => fileUrl(path.join(dir, 'nowhere', 'model.json')),
    expect: [/nowhere/, /model\.json/, /not found|no such|does not exist|ENOENT|cannot read/i],
  },
  {
    title: 'a shard path that leaves the model’s folder',
    make: () => {
      const f = mlp();
      manifest(f)[1].paths = ['../escaped.bin'];
      f.shards = { 'group1-shard1of2.bin': f.shards['group1-shard1of2.bin'], 'group1-shard2of2.bin': f.shards['group1-shard2of2.bin'] };
      return f;
    },
    // The bytes it asks for are really there, one folder up: the loader must still refuse.
    outside: { 'escaped.bin': new Uint8Array(32) },
    expect: [/\.\.\/escaped\.bin/, /folder|outside|escape|relative/i],
  },
  {
    title: 'in memory: weightData shorter than the specs',
    make: () => mlp(),
    source: (dir) => {
      const j = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
      return { modelTopology: j.modelTopology, weightSpecs: j.weightsManifest.flatMap((g: Json) => g.weights), weightData: new ArrayBuffer(50) };
    },
    expect: [/\b50\b/, /\b92\b/],
  },
  {
    title: 'in memory: weightData is a string',
    make: () => mlp(),
    source: (dir) => {
      const j = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
      return { modelJSON: j, weightData: 'AAAA' };
    },
    expect: [/weightData/, /ArrayBuffer/],
  },
  {
    title: 'in memory: { modelJSON, weightData } with one of three shards missing',
    make: () => mlp(),
    source: (dir) => {
      const j = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
      const read = (n: string) => new Uint8Array(fs.readFileSync(path.join(dir, n))).buffer;
      return { modelJSON: j, weightData: [read('group1-shard1of2.bin'), read('group2-shard1of1.bin')] };
    },
    expect: [/shard|bytes/i, /\b92\b|\b72\b|\b60\b/],
  },
);

// ---------------------------------------------------------------------------------------------

function writeFolder(c: Case): string {
  const root = tmpDir('simdnet-bad-');
  const dir = path.join(root, 'model');
  fs.mkdirSync(dir);
  for (const [n, b] of Object.entries(c.outside ?? {})) fs.writeFileSync(path.join(root, n), b);
  const f = c.make();
  if (f) {
    fs.writeFileSync(path.join(dir, 'model.json'), typeof f.json === 'string' ? f.json : JSON.stringify(f.json));
    for (const [n, b] of Object.entries(f.shards)) fs.writeFileSync(path.join(dir, n), b);
  }
  return dir;
}

const messages = new Map<string, string>();

describe('malformed model files are rejected with clear messages and leave memory as it was', () => {
  it('the corpus has at least 30 files', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(new Set(CASES.map((c) => c.title)).size).toBe(CASES.length);
  });

  for (const c of CASES) {
    it(c.title, async () => {
      const dir = writeFolder(c);
      const source = c.source ? c.source(dir) : fileUrl(path.join(dir, 'model.json'));
      const before = memoryState();
      const heap = process.memoryUsage().arrayBuffers;
      let err: unknown = null;
      let loaded: sn.LayersModel | null = null;
      try {
        loaded = await load(source, c.opts);
      } catch (e) {
        err = e;
      }
      const wasLoaded = loaded !== null;
      loaded?.dispose();
      expect(wasLoaded, `${c.title}: the file loaded instead of failing`).toBe(false);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(WebAssembly.RuntimeError);
      const msg = (err as Error).message;
      expect(msg, `internal error: ${(err as Error).stack}`).not.toMatch(INTERNAL);
      for (const re of c.expect) expect(msg, `${c.title}: message should match ${re}`).toMatch(re);
      // A folder's file is named: model.json or the shard at fault.
      if (!c.source) expect(msg, `${c.title}: the file is named`).toMatch(/model\.json|\.bin/);
      expect(memoryState(), `${c.title}: arena top / memory size`).toEqual(before);
      expect(process.memoryUsage().arrayBuffers - heap, `${c.title}: JS ArrayBuffers grew`).toBeLessThan(64 * 2 ** 20);
      messages.set(c.title, msg.split(dir).join('DIR'));
      if (process.env.SIMDNET_SHOW_MESSAGES) console.log(`${c.title}\n    ${msg}`);
    });
  }

  it('every file gets its own message', () => {
    const byMsg = new Map<string, string[]>();
    for (const [t, m] of messages) byMsg.set(m, [...(byMsg.get(m) ?? []), t]);
    const shared = [...byMsg.entries()].filter(([, ts]) => ts.length > 1);
    expect(shared, 'cases sharing one message').toEqual([]);
  });

  it('the standby model is untouched and a valid file still loads afterwards', async () => {
    expect(standby.predict(sn.tensor(new Float32Array(6), [2, 3])).shape).toEqual([2, 4]);
    const dir = writeFolder({ title: 'valid', make: () => mlp(), expect: [] });
    const before = memoryState();
    const m = await load(fileUrl(path.join(dir, 'model.json')));
    expect((m.predict(sn.tensor(new Float32Array(8), [2, 4])) as sn.Tensor).shape).toEqual([2, 2]);
    m.dispose();
    expect(memoryState().top).toBe(before.top);
  });
});
