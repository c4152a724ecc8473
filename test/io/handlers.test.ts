// The IO handlers (src/io/handlers.ts) in Node: where model artifacts come from and go to.
// file:// round trips (byte-identical), sharded manifests, weightPathPrefix, every way a file can
// be missing, truncated or hostile (each a clear error naming the file, none a hang), the atomic
// save under injected faults; http(s):// against a server on 127.0.0.1 started here (fetchFunc,
// weightPathPrefix, a query string, 404s, a server that sends more than it announced, TF.js's
// multipart upload); { modelJSON, weightData } pairs, artifacts, objects with load()/save()
// (TF.js's own handlers among them); browser-only schemes failing clearly in Node.
import { spawnSync } from 'node:child_process';
import { faulty } from '../helpers/faulty-fs.ts';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FileOps,
  type ModelArtifacts,
  type WeightSpec,
  io,
  loadHandler,
  nodeFileOps,
  saveHandler,
} from '../../src/io/handlers.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const dirs: string[] = [];
const tmpDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-io-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A small fake model: a topology object and float32 weights (values i * 0.25 - 3). */
function fakeArtifacts(units = 3): ModelArtifacts {
  const weightSpecs: WeightSpec[] = [
    { name: 'dense/kernel', shape: [4, units], dtype: 'float32' },
    { name: 'dense/bias', shape: [units], dtype: 'float32' },
  ];
  const n = 4 * units + units;
  const data = Float32Array.from({ length: n }, (_, i) => i * 0.25 - 3);
  return {
    modelTopology: { class_name: 'Sequential', config: { name: 'fake', layers: [{ class_name: 'Dense', config: { units, name: 'dense' } }] }, keras_version: 'fake', backend: 'none' },
    weightSpecs,
    weightData: data.buffer,
    format: 'layers-model',
    generatedBy: 'handlers.test',
    convertedBy: null,
  };
}

const bytesOf = (d: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array => {
  const list = d === undefined ? [] : Array.isArray(d) ? d : [d];
  const out = new Uint8Array(list.reduce((s, b) => s + b.byteLength, 0));
  let at = 0;
  for (const b of list) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out;
};

/**
 * A sharded model on disk, as the TF.js converter writes one: two groups, three shard files
 * (group 0: a.bin + b.bin with a weight straddling them; group 1: c.bin). Returns its files.
 */
function shardedModel(dir: string, weightsDir = dir) {
  const specs0: WeightSpec[] = [
    { name: 'conv/kernel', shape: [3, 3, 1, 2], dtype: 'float32' },
    { name: 'conv/bias', shape: [2], dtype: 'float32' },
  ];
  const specs1: WeightSpec[] = [
    { name: 'dense/kernel', shape: [5, 2], dtype: 'float32' },
    { name: 'dense/bias', shape: [2], dtype: 'float32' },
  ];
  const g0 = Float32Array.from({ length: 20 }, (_, i) => i + 0.5);
  const g1 = Float32Array.from({ length: 12 }, (_, i) => -i - 0.25);
  const g0b = new Uint8Array(g0.buffer);
  const parts = { 'a.bin': g0b.slice(0, 30), 'b.bin': g0b.slice(30), 'c.bin': new Uint8Array(g1.buffer) };
  fs.mkdirSync(weightsDir, { recursive: true });
  for (const [name, b] of Object.entries(parts)) fs.writeFileSync(path.join(weightsDir, name), b);
  const json = {
    format: 'layers-model',
    generatedBy: 'keras v2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: { class_name: 'Sequential', config: { name: 'sharded', layers: [] } },
    weightsManifest: [
      { paths: ['a.bin', 'b.bin'], weights: specs0 },
      { paths: ['c.bin'], weights: specs1 },
    ],
  };
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  return { json, parts, all: new Uint8Array([...g0b, ...new Uint8Array(g1.buffer)]) };
}

/** Expects `p` to reject with a message matching `re` (and never to hang: 10 s at most). */
async function rejectsWith(p: Promise<unknown> | (() => unknown), re: RegExp): Promise<Error> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('hung for more than 10 s')), 10_000)));
  let err: unknown = null;
  try {
    await Promise.race([typeof p === 'function' ? Promise.resolve().then(p) : p, hang]);
  } catch (e) {
    err = e;
  } finally {
    clearTimeout(timer);
  }
  expect(err, `expected an error matching ${re}`).toBeInstanceOf(Error);
  expect((err as Error).message).not.toMatch(/hung for more/);
  expect((err as Error).message).toMatch(re);
  // Every message says who is speaking, then what: "loadLayersModel: …", "save: …".
  expect((err as Error).message).toMatch(/^[^:\n]{1,80}: /);
  return err as Error;
}

// ---------------------------------------------------------------------------------------------
// file://
// ---------------------------------------------------------------------------------------------

describe('file://', () => {
  it('save → load → save round trip: same artifacts, byte-identical files', async () => {
    const a = fakeArtifacts();
    const d1 = tmpDir();
    const res = await saveHandler(`file://${d1}`).save!(a);
    expect(res.files).toEqual({ modelJSON: path.join(d1, 'model.json'), weights: path.join(d1, 'weights.bin') });
    expect(res.modelArtifactsInfo.modelTopologyType).toBe('JSON');
    expect(res.modelArtifactsInfo.weightDataBytes).toBe(60);
    expect(fs.readdirSync(d1).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(fs.readFileSync(path.join(d1, 'model.json'), 'utf8'));
    expect(json.weightsManifest).toEqual([{ paths: ['weights.bin'], weights: a.weightSpecs }]);
    expect(json.format).toBe('layers-model');

    const back = await loadHandler(`file://${d1}/model.json`).load!();
    expect(back.modelTopology).toEqual(a.modelTopology);
    expect(back.weightSpecs).toEqual(a.weightSpecs);
    expect(back.weightsManifest).toEqual([{ paths: ['weights.bin'], weights: a.weightSpecs }]);
    expect(back.generatedBy).toBe('handlers.test');
    expect(back.convertedBy).toBeNull();
    expect(bytesOf(back.weightData)).toEqual(bytesOf(a.weightData));

    const d2 = tmpDir();
    await saveHandler(`file://${d2}`).save!(back);
    for (const f of ['model.json', 'weights.bin']) expect(fs.readFileSync(path.join(d2, f)).equals(fs.readFileSync(path.join(d1, f))), f).toBe(true);
  });

  it('the folder, a relative file://./ path and a file: URL object all name the same model', async () => {
    const d = tmpDir();
    await saveHandler(pathToFileURL(d)).save!(fakeArtifacts());
    const want = bytesOf(fakeArtifacts().weightData);
    const rel = path.relative(process.cwd(), d);
    for (const src of [`file://${d}`, `file://./${rel}`, `file://./${rel}/model.json`, pathToFileURL(path.join(d, 'model.json')), pathToFileURL(d)]) {
      const got = await loadHandler(src).load!();
      expect(bytesOf(got.weightData), String(src)).toEqual(want);
    }
  });

  it('a sharded manifest (2 groups, 3 files, a weight across two files): shards in manifest order, progress to 1', async () => {
    const d = tmpDir();
    const { parts, all, json } = shardedModel(d);
    const fractions: number[] = [];
    const a = await loadHandler(`file://${d}/model.json`, { onProgress: (f) => fractions.push(f) }).load!();
    expect(Array.isArray(a.weightData)).toBe(true);
    expect((a.weightData as ArrayBuffer[]).map((b) => b.byteLength)).toEqual([parts['a.bin'].length, parts['b.bin'].length, parts['c.bin'].length]);
    expect(bytesOf(a.weightData)).toEqual(all);
    expect(a.weightSpecs!.map((w) => w.name)).toEqual(['conv/kernel', 'conv/bias', 'dense/kernel', 'dense/bias']);
    expect(a.weightsManifest!.map((g) => g.paths)).toEqual([['a.bin', 'b.bin'], ['c.bin']]);
    expect(a.convertedBy).toBe(json.convertedBy);
    expect(fractions).toEqual([0.25, 0.5, 0.75, 1]);
  });

  it('weightPathPrefix: the weight files from another folder', async () => {
    const d = tmpDir();
    const { all } = shardedModel(d, path.join(d, 'elsewhere'));
    for (const f of ['a.bin', 'b.bin', 'c.bin']) expect(fs.existsSync(path.join(d, f))).toBe(false);
    await rejectsWith(loadHandler(`file://${d}/model.json`).load!(), /the weight file .*a\.bin \(weightsManifest\[0\]\.paths\[0\]\) does not exist/);
    for (const prefix of [path.join(d, 'elsewhere'), `file://${path.join(d, 'elsewhere')}`]) {
      const a = await loadHandler(`file://${d}/model.json`, { weightPathPrefix: prefix }).load!();
      expect(bytesOf(a.weightData)).toEqual(all);
    }
  });

  it('a model.json without weights loads as a topology', async () => {
    const d = tmpDir();
    fs.writeFileSync(path.join(d, 'model.json'), JSON.stringify({ modelTopology: { class_name: 'Sequential', config: { layers: [] } } }));
    const a = await loadHandler(`file://${d}`).load!();
    expect(a.weightSpecs).toBeUndefined();
    expect(a.weightData).toBeUndefined();
  });

  describe('hostile or broken files: a clear error naming the file, never a hang', () => {
    it('missing model.json, missing folder', async () => {
      const d = tmpDir();
      await rejectsWith(loadHandler(`file://${d}/nope/model.json`).load!(), new RegExp(`^loadLayersModel: ${d}/nope/model.json does not exist$`));
      await rejectsWith(loadHandler(`file://${d}`).load!(), new RegExp(`^loadLayersModel: model file ${d}/model.json does not exist$`));
    });

    it('model.json that does not parse, is not UTF-8, is not an object, has no topology', async () => {
      const d = tmpDir();
      const f = path.join(d, 'model.json');
      const cases: [string | Uint8Array, RegExp][] = [
        ['{"modelTopology": {', new RegExp(`^loadLayersModel: ${f}: not valid JSON \\(`)],
        ['', new RegExp(`^loadLayersModel: ${f}: not valid JSON`)],
        [new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), /not valid JSON \(not UTF-8 text\)/],
        ['[1, 2]', /: expected a model\.json object with modelTopology and weightsManifest, got a list of 2/],
        ['{"weightsManifest": []}', /: has no modelTopology object, so it is not a TF.js layers model \(its keys: weightsManifest\)/],
        ['{"modelTopology": {}, "weightsManifest": {"paths": []}}', /weightsManifest must be a list/],
      ];
      for (const [text, re] of cases) {
        fs.writeFileSync(f, text);
        await rejectsWith(loadHandler(`file://${f}`).load!(), re);
      }
    });

    it('a missing, truncated or overlong shard names the files before anything is read', async () => {
      const d = tmpDir();
      shardedModel(d);
      fs.rmSync(path.join(d, 'b.bin'));
      await rejectsWith(loadHandler(`file://${d}`).load!(), new RegExp(`^loadLayersModel: ${d}/model.json: the weight file ${d}/b.bin \\(weightsManifest\\[0\\].paths\\[1\\]\\) does not exist$`));
      shardedModel(d);
      fs.truncateSync(path.join(d, 'c.bin'), 40);
      await rejectsWith(loadHandler(`file://${d}`).load!(), new RegExp(`weightsManifest\\[1\\] hold 40 bytes but its weights \\(dense/kernel \\[5,2\\], dense/bias \\[2\\]\\) need 48: a file is truncated or missing: ${d}/c.bin \\(40 bytes\\)`));
      shardedModel(d);
      fs.appendFileSync(path.join(d, 'b.bin'), new Uint8Array(8));
      await rejectsWith(loadHandler(`file://${d}`).load!(), /weightsManifest\[0\] hold 88 bytes but its weights \(.*\) need 80: a file holds more than its manifest describes/);
    });

    it('a manifest asking for more than maxBytes is refused before any weight file is opened', async () => {
      const d = tmpDir();
      fs.writeFileSync(
        path.join(d, 'model.json'),
        JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['huge.bin'], weights: [{ name: 'w', shape: [20000, 20000], dtype: 'float32' }] }] }),
      );
      await rejectsWith(loadHandler(`file://${d}`).load!(), /the weights need more than 1073741824 bytes \(the maxBytes limit/);
      shardedModel(d);
      await rejectsWith(loadHandler(`file://${d}`, { maxBytes: 100 }).load!(), /more than 100 bytes \(the maxBytes limit/);
    });

    it('a weight file or model.json that is a FIFO or a folder: refused at once, no hang', async () => {
      const d = tmpDir();
      shardedModel(d);
      fs.rmSync(path.join(d, 'c.bin'));
      fs.mkdirSync(path.join(d, 'c.bin'));
      await rejectsWith(loadHandler(`file://${d}`).load!(), /the weight file .*c\.bin \(weightsManifest\[1\]\.paths\[0\]\) is not a regular file/);
      if (spawnSync('mkfifo', ['--help']).error) return;
      fs.rmSync(path.join(d, 'c.bin'), { recursive: true });
      expect(spawnSync('mkfifo', [path.join(d, 'c.bin')]).status).toBe(0);
      await rejectsWith(loadHandler(`file://${d}`).load!(), /c\.bin \(weightsManifest\[1\]\.paths\[0\]\) is not a regular file/);
      const e = tmpDir();
      expect(spawnSync('mkfifo', [path.join(e, 'model.json')]).status).toBe(0);
      await rejectsWith(loadHandler(`file://${e}/model.json`).load!(), /model file .*model\.json is not a regular file/);
    });

    it('a weight path cannot leave the model folder: ".." is refused, an absolute path is joined under the folder (as TF.js)', async () => {
      const d = tmpDir();
      const m = path.join(d, 'm');
      fs.mkdirSync(m);
      fs.writeFileSync(path.join(d, 'outside.bin'), new Uint8Array(4));
      const write = (p: string) => fs.writeFileSync(path.join(m, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['ok.bin', p], weights: [{ name: 'w', shape: [1], dtype: 'float32' }] }] }));
      for (const p of ['../outside.bin', 'sub/../../outside.bin', '..', '.']) {
        write(p);
        await rejectsWith(loadHandler(`file://${m}`).load!(), new RegExp(`the weight path ${JSON.stringify(p).replace(/\./g, '\\.')} \\(weightsManifest\\[0\\]\\.paths\\[1\\]\\) leaves the model's folder ${m};`));
      }
      write('/etc/hostname');
      await rejectsWith(loadHandler(`file://${m}`).load!(), new RegExp(`the weight file ${m}/ok.bin .* does not exist`));
      // Inside the folder, sub-folders are fine.
      fs.mkdirSync(path.join(m, 'sub'));
      fs.writeFileSync(path.join(m, 'sub', 'w.bin'), new Uint8Array(4));
      fs.writeFileSync(path.join(m, 'model.json'), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['sub/w.bin'], weights: [{ name: 'w', shape: [1], dtype: 'float32' }] }] }));
      expect(bytesOf((await loadHandler(`file://${m}`).load!()).weightData)).toEqual(new Uint8Array(4));
    });
  });

  describe('save', () => {
    it('never hangs on procfs, and refuses a file in the way', async () => {
      if (fs.existsSync('/proc/self')) {
        await rejectsWith(saveHandler('file:///proc/self/simdnet-io-test/deeper').save!(fakeArtifacts()), /^save: cannot create the folder \/proc\/self\/simdnet-io-test \(/);
      }
      const d = tmpDir();
      fs.writeFileSync(path.join(d, 'afile'), 'x');
      await rejectsWith(saveHandler(`file://${d}/afile/model`).save!(fakeArtifacts()), new RegExp(`^save: ${d}/afile exists and is not a folder; cannot save into ${d}/afile/model$`));
    });

    it('creates missing folders one level at a time', async () => {
      const d = tmpDir();
      await saveHandler(`file://${d}/a/b/c`).save!(fakeArtifacts());
      expect(fs.readdirSync(path.join(d, 'a/b/c')).sort()).toEqual(['model.json', 'weights.bin']);
    });

    it('refuses artifacts whose weight data does not match their specs, before touching the disk', async () => {
      const d = tmpDir();
      const a = { ...fakeArtifacts(), weightData: new ArrayBuffer(8) };
      await rejectsWith(saveHandler(`file://${d}/m`).save!(a), /^save: the weight data holds 8 bytes but the weight specs describe 60$/);
      expect(fs.existsSync(path.join(d, 'm'))).toBe(false);
      await rejectsWith(saveHandler(`file://${d}/m`).save!({ modelTopology: new ArrayBuffer(4) } as never), /^save: a binary model topology cannot be saved/);
    });

    it('accepts simdnet\'s { modelJSON, weightData } pair', async () => {
      const a = fakeArtifacts();
      const d = tmpDir();
      const modelJSON = { format: a.format, generatedBy: a.generatedBy, convertedBy: null, modelTopology: a.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] };
      await saveHandler(`file://${d}`).save!({ modelJSON, weightData: a.weightData } as never);
      const back = await loadHandler(`file://${d}`).load!();
      expect(back.weightSpecs).toEqual(a.weightSpecs);
      expect(bytesOf(back.weightData)).toEqual(bytesOf(a.weightData));
    });


    it('atomic: a fault at any step leaves the previous model loadable and no temporary file behind', async () => {
      const d = tmpDir();
      const old = fakeArtifacts(3);
      const next = fakeArtifacts(5);
      await saveHandler(`file://${d}`).save!(old);
      const oldJSON = fs.readFileSync(path.join(d, 'model.json'));
      const oldBin = fs.readFileSync(path.join(d, 'weights.bin'));
      const real = await nodeFileOps();
      const dry = faulty(real, 0);
      const t = tmpDir();
      await saveHandler(`file://${t}`).save!(old);
      await saveHandler(`file://${t}`, { fileOps: dry.ops }).save!(next);
      expect(dry.calls.filter((s) => /^(writeFile|link|rename)/.test(s)).map((s) => s.replace(/-[a-z0-9]+-[a-z0-9]+/g, '-*'))).toEqual([
        'writeFile weights.bin.tmp-*',
        'writeFile model.json.tmp-*',
        'link weights.bin → weights.bin.bak-*',
        'link model.json → model.json.bak-*',
        'rename weights.bin.tmp-* → weights.bin',
        'rename model.json.tmp-* → model.json',
      ]);
      for (let k = 1; k <= dry.calls.length; k++) {
        const f = faulty(real, k);
        const err = await saveHandler(`file://${d}`, { fileOps: f.ops }).save!(next).then(() => null, (e: Error) => e);
        const step = f.calls[k - 1];
        if (/^unlink .*\.bak-/.test(step)) {
          // Removing a backup after the save committed: the save stands, a stray backup at most.
          expect(err).toBeNull();
          for (const n of fs.readdirSync(d)) if (n.includes('.bak-')) fs.rmSync(path.join(d, n));
          await saveHandler(`file://${d}`).save!(old);
          continue;
        }
        expect(err, `a fault at step ${k} (${step}) must fail the save`).not.toBeNull();
        expect(err!.message).toMatch(/^save: .*injected fault/);
        expect(fs.readdirSync(d).sort(), `after a fault at step ${k} (${step})`).toEqual(['model.json', 'weights.bin']);
        expect(fs.readFileSync(path.join(d, 'model.json')).equals(oldJSON)).toBe(true);
        expect(fs.readFileSync(path.join(d, 'weights.bin')).equals(oldBin)).toBe(true);
        expect(bytesOf((await loadHandler(`file://${d}`).load!()).weightData)).toEqual(bytesOf(old.weightData));
      }
      await saveHandler(`file://${d}`).save!(next);
      expect(bytesOf((await loadHandler(`file://${d}`).load!()).weightData)).toEqual(bytesOf(next.weightData));
    });

    it('a crash (every file operation fails from then on) leaves the old model loadable, except between the two renames, where its weights are kept', async () => {
      const real = await nodeFileOps();
      const old = fakeArtifacts(3);
      const next = fakeArtifacts(5);
      for (let k = 1; k <= 12; k++) {
        const d = tmpDir();
        await saveHandler(`file://${d}`).save!(old);
        const oldBin = fs.readFileSync(path.join(d, 'weights.bin'));
        const f = faulty(real, k, true);
        const err = await saveHandler(`file://${d}`, { fileOps: f.ops }).save!(next).then(() => null, (e: Error) => e);
        if (err === null) break;
        if (/^rename model\.json\.tmp/.test(f.calls[k - 1])) {
          const bak = fs.readdirSync(d).find((n) => n.startsWith('weights.bin.bak-'));
          expect(bak, 'the old weights are kept').toBeDefined();
          expect(fs.readFileSync(path.join(d, bak!)).equals(oldBin)).toBe(true);
        } else {
          expect(bytesOf((await loadHandler(`file://${d}`).load!()).weightData)).toEqual(bytesOf(old.weightData));
        }
      }
    });

    it('two saves into one folder at once: each whole, the last one wins', async () => {
      const d = tmpDir();
      await Promise.all([saveHandler(`file://${d}`).save!(fakeArtifacts(3)), saveHandler(`file://${d}`).save!(fakeArtifacts(5))]);
      expect(fs.readdirSync(d).sort()).toEqual(['model.json', 'weights.bin']);
      const a = await loadHandler(`file://${d}`).load!();
      const units = (a.weightSpecs![1].shape[0]);
      expect(bytesOf(a.weightData)).toEqual(bytesOf(fakeArtifacts(units).weightData));
    });
  });
});

// ---------------------------------------------------------------------------------------------
// http(s)://
// ---------------------------------------------------------------------------------------------

interface Route {
  body: Uint8Array | string;
  status?: number;
  headers?: Record<string, string>;
}
interface Server {
  url: string;
  routes: Map<string, Route>;
  requests: string[];
  uploads: Map<string, { fields: Map<string, { name: string; type: string; bytes: Uint8Array }> }>;
  close(): Promise<void>;
}

/** A server on 127.0.0.1: GET serves `routes` (else 404); POST /upload/<name> stores a multipart form. */
function startServer(): Promise<Server> {
  const routes = new Map<string, Route>();
  const requests: string[] = [];
  const uploads: Server['uploads'] = new Map();
  const server = http.createServer(async (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.method === 'POST' && req.url?.startsWith('/upload/')) {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      if (req.url === '/upload/refuse') {
        res.writeHead(507, 'Insufficient Storage').end();
        return;
      }
      const form = await new Response(Buffer.concat(chunks), { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
      const fields = new Map<string, { name: string; type: string; bytes: Uint8Array }>();
      for (const [k, v] of form.entries()) {
        const f = v as File;
        fields.set(k, { name: f.name, type: f.type, bytes: new Uint8Array(await f.arrayBuffer()) });
      }
      uploads.set(req.url.slice('/upload/'.length), { fields });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    const r = routes.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (!r) {
      res.writeHead(404, 'Not Found', { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const body = typeof r.body === 'string' ? Buffer.from(r.body) : Buffer.from(r.body.buffer, r.body.byteOffset, r.body.byteLength);
    res.writeHead(r.status ?? 200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length), ...r.headers });
    res.end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, routes, requests, uploads, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

describe('http(s)://', () => {
  let srv: Server;
  let files: ReturnType<typeof shardedModel>;
  beforeAll(async () => {
    srv = await startServer();
    const d = tmpDir();
    files = shardedModel(d);
    srv.routes.set('/m/model.json', { body: fs.readFileSync(path.join(d, 'model.json'), 'utf8'), headers: { 'content-type': 'application/json' } });
    for (const [n, b] of Object.entries(files.parts)) {
      srv.routes.set(`/m/${n}`, { body: b });
      srv.routes.set(`/w/${n}`, { body: b });
    }
  });
  afterAll(() => srv.close());

  it('loads model.json and the shards relative to it, in manifest order, with progress', async () => {
    const fractions: number[] = [];
    const a = await loadHandler(`${srv.url}/m/model.json`, { onProgress: (f) => fractions.push(f) }).load!();
    expect((a.weightData as ArrayBuffer[]).length).toBe(3);
    expect(bytesOf(a.weightData)).toEqual(files.all);
    expect(a.weightsManifest!.map((g) => g.paths)).toEqual([['a.bin', 'b.bin'], ['c.bin']]);
    expect(a.weightSpecs!.length).toBe(4);
    expect(fractions[0]).toBe(0.25);
    expect(fractions.at(-1)).toBe(1);
    expect([...fractions].sort()).toEqual(fractions);
  });

  it('fetchFunc: every request goes through it (edge runtimes), requestInit included', async () => {
    const seen: { url: string; init?: RequestInit }[] = [];
    const fetchFunc = ((url: string, init?: RequestInit) => {
      seen.push({ url, init });
      return fetch(url, init);
    }) as typeof fetch;
    const a = await loadHandler(`${srv.url}/m/model.json?v=7`, { fetchFunc, requestInit: { headers: { 'x-token': 'abc' } } }).load!();
    expect(bytesOf(a.weightData)).toEqual(files.all);
    // TF.js semantics: the model URL's query string is kept for the weight files.
    expect(seen.map((s) => s.url.slice(srv.url.length))).toEqual(['/m/model.json?v=7', '/m/a.bin?v=7', '/m/b.bin?v=7', '/m/c.bin?v=7']);
    expect(seen.every((s) => (s.init?.headers as Record<string, string>)['x-token'] === 'abc')).toBe(true);
  });

  it('fetchFunc alone, without any server: an in-memory edge fetch', async () => {
    const store = new Map<string, Uint8Array | string>([['https://models.invalid/m/model.json', JSON.stringify(files.json)]]);
    for (const [n, b] of Object.entries(files.parts)) store.set(`https://models.invalid/m/${n}`, b);
    const fetchFunc = (async (url: string) => {
      const b = store.get(url);
      return b === undefined ? new Response('missing', { status: 404, statusText: 'Not Found' }) : new Response(b as BodyInit);
    }) as unknown as typeof fetch;
    const a = await loadHandler('https://models.invalid/m/model.json', { fetchFunc }).load!();
    expect(bytesOf(a.weightData)).toEqual(files.all);
  });

  it('weightPathPrefix: the weights from another folder (absolute or relative to the server root)', async () => {
    for (const prefix of [`${srv.url}/w/`, '/w/']) {
      const n = srv.requests.length;
      // A relative prefix resolves against the fetch's base: give Node's fetch one through fetchFunc.
      const fetchFunc = ((u: string, init?: RequestInit) => fetch(new URL(u, srv.url), init)) as typeof fetch;
      const a = await loadHandler(`${srv.url}/m/model.json`, { weightPathPrefix: prefix, fetchFunc }).load!();
      expect(bytesOf(a.weightData)).toEqual(files.all);
      expect(srv.requests.slice(n).sort()).toEqual(['GET /m/model.json', 'GET /w/a.bin', 'GET /w/b.bin', 'GET /w/c.bin']);
    }
  });

  it('a 404 for model.json or for a shard names the URL and the status', async () => {
    await rejectsWith(loadHandler(`${srv.url}/nowhere/model.json`).load!(), new RegExp(`^loadLayersModel: fetching the model file ${srv.url}/nowhere/model.json failed: HTTP 404 Not Found$`));
    await rejectsWith(
      loadHandler(`${srv.url}/m/model.json`, { weightPathPrefix: `${srv.url}/gone/` }).load!(),
      new RegExp(`^loadLayersModel: ${srv.url}/m/model.json: fetching the weight file ${srv.url}/gone/(a|b|c).bin failed: HTTP 404 Not Found$`),
    );
  });

  it('a server that cannot be reached: an error naming the URL, no hang', async () => {
    const dead = await startServer();
    const url = dead.url;
    await dead.close();
    await rejectsWith(loadHandler(`${url}/m/model.json`).load!(), new RegExp(`^loadLayersModel: cannot fetch the model file ${url}/m/model.json \\(`));
  });

  it('bad JSON, a truncated shard, more bytes than announced or than the manifest: clear errors', async () => {
    srv.routes.set('/bad/model.json', { body: '{"modelTopology": ' });
    await rejectsWith(loadHandler(`${srv.url}/bad/model.json`).load!(), new RegExp(`^loadLayersModel: ${srv.url}/bad/model.json: not valid JSON`));
    srv.routes.set('/t/model.json', { body: JSON.stringify(files.json) });
    srv.routes.set('/t/a.bin', { body: files.parts['a.bin'] });
    srv.routes.set('/t/b.bin', { body: files.parts['b.bin'] });
    srv.routes.set('/t/c.bin', { body: files.parts['c.bin'].slice(0, 20) });
    await rejectsWith(loadHandler(`${srv.url}/t/model.json`).load!(), /weightsManifest\[1\] hold 20 bytes but its weights \(.*\) need 48: a file is truncated or missing: .*\/t\/c\.bin \(20 bytes\)/);
    // Longer than the manifest: cut off while reading, never buffered whole.
    srv.routes.set('/t/c.bin', { body: new Uint8Array(10_000_000) });
    await rejectsWith(loadHandler(`${srv.url}/t/model.json`).load!(), /the weight files hold more than the 128 bytes the manifest describes/);
    // A model.json above the JSON limit, announced by its length.
    srv.routes.set('/big/model.json', { body: 'x', headers: { 'content-length': String(1) } });
    const huge = new Response(new ReadableStream({ pull: (c) => c.enqueue(new Uint8Array(1 << 20)) }), { headers: { 'content-type': 'application/json' } });
    await rejectsWith(loadHandler('https://models.invalid/model.json', { fetchFunc: (async () => huge) as never }).load!(), /the model file is larger than the 67108864 bytes allowed/);
  });

  it('save: a multipart POST of model.json and model.weights.bin, as TF.js sends; the upload loads back', async () => {
    const a = fakeArtifacts();
    const res = await saveHandler(`${srv.url}/upload/one`).save!(a);
    expect(res.responses?.[0].ok).toBe(true);
    expect(res.modelArtifactsInfo.weightDataBytes).toBe(60);
    const up = srv.uploads.get('one')!;
    expect([...up.fields.keys()]).toEqual(['model.json', 'model.weights.bin']);
    expect(up.fields.get('model.json')!.name).toBe('model.json');
    expect(up.fields.get('model.json')!.type).toMatch(/^application\/json/);
    expect(up.fields.get('model.weights.bin')!.name).toBe('model.weights.bin');
    const json = JSON.parse(new TextDecoder().decode(up.fields.get('model.json')!.bytes));
    expect(json.weightsManifest).toEqual([{ paths: ['./model.weights.bin'], weights: a.weightSpecs }]);
    expect(json.modelTopology).toEqual(a.modelTopology);
    expect(up.fields.get('model.weights.bin')!.bytes).toEqual(bytesOf(a.weightData));
    // Serve what was uploaded, and load it back.
    srv.routes.set('/up/model.json', { body: up.fields.get('model.json')!.bytes });
    srv.routes.set('/up/model.weights.bin', { body: up.fields.get('model.weights.bin')!.bytes });
    const back = await loadHandler(`${srv.url}/up/model.json`).load!();
    expect(bytesOf(back.weightData)).toEqual(bytesOf(a.weightData));
    // TF.js's own http handler loads it too.
    const viaTf = await tf.io.http(`${srv.url}/up/model.json`).load!();
    expect(viaTf.weightSpecs).toEqual(a.weightSpecs);
    // requestInit (method, headers) as TF.js: PUT works too; a refusal names the URL and status.
    await saveHandler(`${srv.url}/upload/two`, { requestInit: { method: 'POST', headers: { 'x-a': '1' } } }).save!(a);
    expect(srv.uploads.has('two')).toBe(true);
    await rejectsWith(saveHandler(`${srv.url}/upload/refuse`).save!(a), new RegExp(`^save: ${srv.url}/upload/refuse answered HTTP 507 Insufficient Storage$`));
  });

  it('TF.js uploads with tf.io.http(...).save into a server simdnet then loads from', async () => {
    const m = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3], name: 'd' })] });
    await m.save(tf.io.http(`${srv.url}/upload/tf`));
    const up = srv.uploads.get('tf')!;
    srv.routes.set('/tf/model.json', { body: up.fields.get('model.json')!.bytes });
    srv.routes.set('/tf/model.weights.bin', { body: up.fields.get('model.weights.bin')!.bytes });
    const a = await loadHandler(`${srv.url}/tf/model.json`).load!();
    expect(a.weightSpecs!.map((w) => w.name)).toEqual(['d/kernel', 'd/bias']);
    const want = new Uint8Array((await Promise.all(m.getWeights().map((w) => w.data()))).flatMap((d) => [...new Uint8Array((d as Float32Array).buffer)]));
    expect(bytesOf(a.weightData)).toEqual(want);
    m.dispose();
  });
});

// ---------------------------------------------------------------------------------------------
// In memory, objects with load()/save(), TF.js's handlers, routing
// ---------------------------------------------------------------------------------------------

describe('in memory and objects', () => {
  it('a { modelJSON, weightData } pair: model.json as an object or as text, weights as one buffer or the shards', async () => {
    const d = tmpDir();
    const { json, parts, all } = shardedModel(d);
    const one = await loadHandler({ modelJSON: json, weightData: all.slice().buffer }).load!();
    expect(bytesOf(one.weightData)).toEqual(all);
    expect(one.weightSpecs!.length).toBe(4);
    expect(one.weightsManifest!.length).toBe(2);
    const shards = Object.values(parts).map((b) => b.slice().buffer);
    const text = await loadHandler({ modelJSON: JSON.stringify(json), weightData: shards }).load!();
    expect(text.weightData).toBe(shards);
    expect(text.convertedBy).toBe(json.convertedBy);
    await rejectsWith(loadHandler({ modelJSON: '{oops', weightData: new ArrayBuffer(0) }).load!(), /^loadLayersModel: modelJSON: not valid JSON \(/);
    await rejectsWith(loadHandler({ modelJSON: { weightsManifest: [] }, weightData: new ArrayBuffer(0) }).load!(), /^loadLayersModel: modelJSON: has no modelTopology object/);
    const tooBig = { ...json, weightsManifest: [{ paths: ['x'], weights: [{ name: 'w', shape: [1000, 1000], dtype: 'float32' }] }] };
    await rejectsWith(loadHandler({ modelJSON: tooBig, weightData: new ArrayBuffer(0) }, { maxBytes: 1000 }).load!(), /more than 1000 bytes \(the maxBytes limit/);
  });

  it('ModelArtifacts objects pass through as they are; io.fromMemory as TF.js', async () => {
    const a = fakeArtifacts();
    expect(await loadHandler(a).load!()).toBe(a);
    expect(await io.fromMemory(a).load!()).toBe(a);
    expect(await io.fromMemorySync(a).load!()).toBe(a);
    const legacy = await io.fromMemory(a.modelTopology, a.weightSpecs, a.weightData).load!();
    expect(legacy.modelTopology).toBe(a.modelTopology);
    expect(legacy.weightSpecs).toBe(a.weightSpecs);
  });

  it('any object with load() is used as it is: TF.js\'s own handlers too', async () => {
    const mine = { load: async () => fakeArtifacts() };
    expect(loadHandler(mine)).toBe(mine);
    const a = fakeArtifacts();
    const tfHandler = tf.io.fromMemory(a as tf.io.ModelArtifacts);
    expect(loadHandler(tfHandler)).toBe(tfHandler);
    const got = await loadHandler(tfHandler).load!();
    expect(bytesOf(got.weightData)).toEqual(bytesOf(a.weightData));
  });

  it('any object with save() receives the artifacts: io.withSaveHandler and TF.js\'s withSaveHandler', async () => {
    const seen: ModelArtifacts[] = [];
    const h = io.withSaveHandler(async (art) => (seen.push(art), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', modelTopologyBytes: 0, weightSpecsBytes: 0, weightDataBytes: 0 } }));
    expect(saveHandler(h)).toBe(h);
    const a = fakeArtifacts();
    await saveHandler(h).save!(a);
    expect(seen[0]).toBe(a);
    const tfh = tf.io.withSaveHandler(async (art) => (seen.push(art as ModelArtifacts), { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(art) }));
    await saveHandler(tfh).save!(a);
    expect(seen[1]).toBe(a);
  });

  it('a TF.js model: saved by TF.js, written by simdnet\'s file handler, loaded back by TF.js with the same predictions', async () => {
    await tf.setBackend('cpu');
    const m = tfl.sequential({ layers: [tfl.layers.dense({ units: 4, inputShape: [3], activation: 'relu', name: 'h' }), tfl.layers.dense({ units: 2, name: 'o' })] });
    let art: tf.io.ModelArtifacts | null = null;
    await m.save(tf.io.withSaveHandler(async (a) => ((art = a), { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) })));
    const d = tmpDir();
    await saveHandler(`file://${d}`).save!(art as unknown as ModelArtifacts);
    const back = await loadHandler(`file://${d}`).load!();
    const m2 = await tfl.loadLayersModel(tf.io.fromMemory(back as tf.io.ModelArtifacts));
    const x = tf.tensor([[1, -2, 3], [0.5, 0.25, -1]]);
    expect(Array.from((m2.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((m.predict(x) as tf.Tensor).dataSync()));
    m.dispose();
    m2.dispose();
  });

  it('io.browserFiles with File objects: model.json first, weight files matched by name', async () => {
    const d = tmpDir();
    const { json, parts, all } = shardedModel(d);
    const f = (name: string, b: BlobPart) => new File([b], name);
    const files = [f('model.json', JSON.stringify(json)), f('c.bin', parts['c.bin']), f('a.bin', parts['a.bin']), f('b.bin', parts['b.bin'])];
    const a = await io.browserFiles(files).load!();
    expect(bytesOf(a.weightData)).toEqual(all);
    await rejectsWith(io.browserFiles(files.slice(0, 3)).load!(), /^browserFiles: model\.json: the weight file b\.bin was not given \(given: c\.bin, a\.bin\)$/);
    await rejectsWith(io.browserFiles([f('model.json', '{x')]).load!(), /^browserFiles: model\.json: not valid JSON/);
    expect(() => io.browserFiles([])).toThrow(/^browserFiles: expected a list of files/);
  });

  it('routing: unknown sources and destinations, and browser-only schemes in Node, fail clearly', async () => {
    await rejectsWith(() => loadHandler('models/model.json'), /^loadLayersModel: cannot load from "models\/model.json": expected a file:\/\/ path .* \(for a path, write 'file:\/\/models\/model.json'\)$/);
    await rejectsWith(() => loadHandler(42), /^loadLayersModel: cannot load from 42: expected/);
    await rejectsWith(() => loadHandler({ foo: 1 }), /^loadLayersModel: cannot load from an object with keys foo: expected/);
    await rejectsWith(() => loadHandler('downloads://m'), /^loadLayersModel: downloads:\/\/ only saves/);
    await rejectsWith(loadHandler('indexeddb://m').load!(), /^loadLayersModel: indexeddb:\/\/m: indexeddb:\/\/ needs IndexedDB, which this runtime does not have/);
    await rejectsWith(loadHandler('localstorage://m').load!(), /^loadLayersModel: localstorage:\/\/m: localstorage:\/\/ needs localStorage/);
    await rejectsWith(saveHandler('indexeddb://m').save!(fakeArtifacts()), /^save: indexeddb:\/\/m: indexeddb:\/\/ needs IndexedDB/);
    await rejectsWith(saveHandler('downloads://m').save!(fakeArtifacts()), /^save: downloads:\/\/ needs a browser page/);
    await rejectsWith(() => saveHandler('./nowhere'), /^save: cannot save to "\.\/nowhere": in Node and Deno only file:\/\/ URLs/);
    await rejectsWith(() => saveHandler({ load: () => null }), /^save: cannot save to an object with keys load/);
    await rejectsWith(() => io.http('http://x/model.json', { requestInit: { body: 'x' } }), /^http: requestInit must have no body/);
    await rejectsWith(loadHandler('http://127.0.0.1:9/m.json', { fetchFunc: 5 as never }).load!(), /^loadLayersModel: fetchFunc must be a function like fetch, got 5$/);
  });
});
