// Every reference, by kernel name.
export * from './vector.ts';
export * from './gemm.ts';
export * from './dense.ts';
export * from './activation.ts';
export * from './loss.ts';
export * from './optim.ts';
export * from './conv.ts';
export * from './pool.ts';
export * from './merge.ts';
export * from './workspace.ts';
