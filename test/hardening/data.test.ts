// Data in: csv() says clearly that it takes text (not a path), refuses to guess whether an
// ambiguous first row is a header, and mnist() gives clear errors for files over 2 GB and for
// labels outside 0..9 — at load time, before anything trains on them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { referenceModel, rejectedAndUnharmed, sn, rejectionCases } from './helpers.ts';
import { toSplit, type IdxImages, type IdxLabels } from '../../src/data/mnist.ts';

const { csv, mnist } = sn.data;
let ref: sn.Sequential;
const dirs: string[] = [];
beforeAll(async () => {
  await sn.init();
  ref = referenceModel();
});
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
afterEach(() => void vi.unstubAllGlobals());

const cases = rejectionCases(() => ref);

describe('csv takes text, and says so when given a path', () => {
  const path = /^csv: expected CSV text, got what looks like a file path \(.*\); csv\(\) parses CSV text: read the file first, e.g\. csv\(fs\.readFileSync\(path, 'utf8'\)\)/;
  cases([
    ['a file name', () => csv('train.csv'), path],
    ['a relative path', () => csv('./data/iris'), path],
    ['an absolute path', () => csv('/home/me/iris.data'), path],
    ['a Windows path', () => csv('C:\\data\\iris.txt'), path],
    ['a file: URL string', () => csv('file:///tmp/iris.csv'), path],
  ]);

  it('a one-line table is still a table', () => {
    expect(csv('1,2,3').xs.shape).toEqual([1, 3]);
    expect(csv('5').xs.shape).toEqual([1, 1]);
  });
});

describe('an ambiguous first row needs header said explicitly', () => {
  cases([
    [
      'a typo in the first data row of a header-less file',
      () => csv('1.5,2.O,3\n4,5,6\n'),
      /^csv: the first row \(line 1\) mixes text \(column 2 "2\.O"\) and numbers \(column 1 "1\.5", column 3 "3"\), so it is unclear whether it is a header: pass header: true if it is one, or header: false if it is data \(then fix its text cells\)$/,
    ],
    ['a header with a numeric column name', () => csv('id,2019,2020\n1,5,6\n'), /^csv: the first row \(line 1\) mixes text \(column 1 "id"\) and numbers \(column 2 "2019", column 3 "2020"\)/],
    ['header: false then names the bad cell', () => csv('1.5,2.O,3\n4,5,6\n', { header: false }), /^csv: line 1, column 2: expected a number, got "2\.O"$/],
    ['header and hasHeader disagree', () => csv('a\n1\n', { header: true, hasHeader: false }), /^csv: header and hasHeader are the same option \(hasHeader is TF\.js's name\); got true and false$/],
  ]);

  it('said explicitly, either way works; unambiguous rows are still detected', () => {
    expect(csv('id,2019,2020\n1,5,6\n', { header: true }).columnNames).toEqual(['id', '2019', '2020']);
    expect(csv('id,2019\n1,5\n', { hasHeader: true }).xs.arraySync()).toEqual([[1, 5]]);
    expect(csv('a,b\n1,2\n').columnNames).toEqual(['a', 'b']);
    expect(csv('1,2\n3,4\n').xs.shape).toEqual([2, 2]);
    // Empty cells in the first row count for neither side.
    expect(csv('a,,c\n1,2,3\n').columnNames).toEqual(['a', '', 'c']);
  });
});

// ---- IDX files -------------------------------------------------------------------------

const be32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const images = (n: number) => {
  const out = new Uint8Array(16 + n * 784);
  out.set([...be32(0x803), ...be32(n), ...be32(28), ...be32(28)]);
  return out;
};
const labels = (ls: number[]) => new Uint8Array([...be32(0x801), ...be32(ls.length), ...ls]);
const NAMES = { trainImages: 'train-images-idx3-ubyte', trainLabels: 'train-labels-idx1-ubyte', testImages: 't10k-images-idx3-ubyte', testLabels: 't10k-labels-idx1-ubyte' };
function mnistDir(trainLabels = [1, 2, 3, 4]): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-idx-'));
  dirs.push(d);
  fs.writeFileSync(path.join(d, NAMES.trainImages), images(trainLabels.length));
  fs.writeFileSync(path.join(d, NAMES.trainLabels), labels(trainLabels));
  fs.writeFileSync(path.join(d, NAMES.testImages), images(2));
  fs.writeFileSync(path.join(d, NAMES.testLabels), labels([0, 9]));
  return d;
}

describe('mnist: clear errors at load time', () => {
  it('a label outside 0..9 (255 in a corrupt file)', async () => {
    const d = mnistDir([1, 2, 3, 255]);
    await rejectedAndUnharmed(ref, () => mnist({ dir: d }), new RegExp(`^mnist: ${d}/${NAMES.trainLabels}: label 255 at index 3 is outside 0\\.\\.9 \\(MNIST has 10 classes\\); the file is corrupt or holds other labels$`));
    // Even beyond the limit: the file itself is bad.
    await rejectedAndUnharmed(ref, () => mnist({ dir: d, limit: { train: 2 } }), /label 255 at index 3/);
    const ok = await mnist({ dir: mnistDir([0, 9, 5, 1]) });
    expect(Array.from(ok.train.labels.values)).toEqual([0, 9, 5, 1]);
  });

  it('an IDX file over 2 GB is refused by its size, before it is read', async () => {
    const d = mnistDir();
    const big = path.join(d, NAMES.trainImages);
    // A sparse file: 2 GiB + 16 bytes that take no space on disk.
    const fd = fs.openSync(big, 'w');
    try {
      fs.ftruncateSync(fd, 2 ** 31 + 16);
    } finally {
      fs.closeSync(fd);
    }
    const t0 = performance.now();
    await rejectedAndUnharmed(ref, () => mnist({ dir: d }), new RegExp(`^mnist: ${big} is 2\\.15 GB; IDX files are read whole and must stay under 2 GiB \\(MNIST's largest is 47 MB\\): is it the right file\\?$`));
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('an IDX file over 2 GB by URL is refused by its Content-Length', async () => {
    const response = () => new Response(new Uint8Array(8), { headers: { 'content-length': String(3e9) } });
    vi.stubGlobal('fetch', async () => response());
    const urls = { trainImages: 'https://example.test/a', trainLabels: 'https://example.test/b', testImages: 'https://example.test/c', testLabels: 'https://example.test/d' };
    await rejectedAndUnharmed(ref, () => mnist({ urls }), /^mnist: trainImages \(https:\/\/example\.test\/a\) is 3\.00 GB; IDX files are read whole and must stay under 2 GiB/);
  });

  it('images that would expand beyond 2 GB of float32 ask for a limit', async () => {
    const img: IdxImages = { kind: 'images', count: 1_000_000, rows: 28, cols: 28, data: new Uint8Array(0) };
    const lab: IdxLabels = { kind: 'labels', count: 1_000_000, data: new Uint8Array(0) };
    await rejectedAndUnharmed(ref, () => toSplit(img, lab, ['imgs', 'labs'], undefined, false), /^mnist: imgs: 1000000 images of 28x28 would take 3\.14 GB as float32 \(at most 2\.15 GB\); pass limit: \{ train, test \} to load fewer$/);
  });
});
