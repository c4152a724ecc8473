/** Datasets: `data.mnist()`, `data.csv()`, `data.fromArrays()`, `data.shuffle()`, `data.split()`, `data.oneHot()`. */
export { mnist, parseIdx } from './mnist.ts';
export type { Mnist, MnistOptions, MnistSplit, MnistUrls, Idx, IdxImages, IdxLabels } from './mnist.ts';
export { csv } from './csv.ts';
export type { CsvOptions, CsvResult } from './csv.ts';
export { fromArrays, shuffle, split, oneHot } from './arrays.ts';
export type { Dataset, FromArraysOptions } from './arrays.ts';
