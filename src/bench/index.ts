/**
 * The kernel microbenchmarks, as `bench` from the package: `bench.run(options)` returns the rows;
 * markdown, svg, compare and byEngine format them. The `simdnet bench` command and the shipped
 * bench.html page are built on these.
 */
export { run, type BenchOptions, type BenchResult, type BenchRow, type BinaryChoice } from './run.ts';
export { markdown, svg, compare, byEngine, checkResult, describeRun } from './report.ts';
export {
  FAMILIES, catalogue, prepare, gemmCase, convCase, poolCase, actCase, softmaxCase, optimCase, copyCase,
  type Family, type Case, type Prepared, type ConvDims, type PoolDims,
} from './kernels.ts';
export { peakProbe, type PeakProbe } from './peak.ts';
export { time, calibrate, median, type Timing, type TimingOptions } from './runner.ts';
export { engineInfo, type EngineInfo } from './engine.ts';
