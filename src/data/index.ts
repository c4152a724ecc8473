/**
 * Datasets: `data.mnist()`, `data.csv()`, `data.fromArrays()`, `data.shuffle()`, `data.split()`,
 * `data.oneHot()`, and TF.js's lazy `Dataset` pipelines: `data.array()`, `data.generator()`,
 * `data.zip()`; text for character models: `data.textVocabulary()`, `data.encodeText()`,
 * `data.decodeText()`, `data.textWindows()`, `data.sampleIndex()`.
 */
export { mnist, parseIdx } from './mnist.ts';
export type { Mnist, MnistOptions, MnistSplit, MnistUrls, Idx, IdxImages, IdxLabels } from './mnist.ts';
export { csv } from './csv.ts';
export type { CsvOptions, CsvResult } from './csv.ts';
export { fromArrays, shuffle, split, oneHot } from './arrays.ts';
// `Dataset` is TF.js's class below; the `{ xs, ys }` pair fromArrays returns keeps its own name.
export type { Dataset as FromArraysResult, FromArraysOptions } from './arrays.ts';
export { Dataset, DataIterator, array, generator, zip } from './dataset.ts';
export { textVocabulary, encodeText, decodeText, textWindows, sampleIndex } from './text.ts';
export type { TextWindowsOptions } from './text.ts';
export type { TensorContainer, IteratorResult } from './dataset.ts';
