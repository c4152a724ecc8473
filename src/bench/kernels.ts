/**
 * The benchmarked kernels: for each, the work one call does (flops for compute-bound kernels,
 * bytes for memory-bound ones), the shapes of a quick and a full run, and how to call it on the
 * loaded binary. Work is counted from each kernel's definition: a GEMM or convolution counts
 * 2 flops per multiply-add it defines (a convolution only over taps inside the input: padding
 * is not work); a memory-bound kernel counts every element it must read once plus every element
 * it must write once (an accumulating output is read and written). test/bench/tool.test.ts
 * checks every formula against a naive count on small shapes.
 */
import { backend, type Backend } from '../wasm/loader.ts';

export const FAMILIES = ['peak', 'gemm', 'conv', 'pool', 'act', 'softmax', 'optim'] as const;
export type Family = (typeof FAMILIES)[number];

export type Dims = Record<string, number>;

export interface Prepared {
  /** One call of the kernel. */
  run: () => unknown;
  /** Frees what `prepare` allocated. */
  release: () => void;
}

export interface Case {
  family: Family;
  /** The row's name: the wasm kernel, and the pass where one kernel has several. */
  kernel: string;
  shape: string;
  dims: Dims;
  /** Flops of one call (compute-bound rows). */
  flops?: number;
  /** Bytes one call must read and write (memory-bound rows). */
  bytes?: number;
  prepare(b: Backend): Prepared;
}

// ------------------------------------------------------------------------------------ counting

export const gemmFlops = (m: number, n: number, k: number): number => 2 * m * n * k;

/** Output positions × kernel taps that land inside the input along one axis. */
export function validTaps(inSize: number, outSize: number, k: number, stride: number, dil: number, pad: number): number {
  let t = 0;
  for (let o = 0; o < outSize; o++) {
    const start = o * stride - pad;
    // Taps j with 0 ≤ start + j·dil < inSize.
    const lo = start >= 0 ? 0 : Math.ceil(-start / dil);
    const hi = Math.min(k - 1, Math.floor((inSize - 1 - start) / dil));
    if (hi >= lo) t += hi - lo + 1;
  }
  return t;
}

/** Input positions along one axis that some window reads. */
export function coveredInputs(inSize: number, outSize: number, k: number, stride: number, pad: number): number {
  let covered = 0;
  let next = 0; // first input position not yet counted (windows move forward)
  for (let o = 0; o < outSize; o++) {
    const a = Math.max(o * stride - pad, next, 0);
    const b = Math.min(o * stride - pad + k, inSize);
    if (b > a) {
      covered += b - a;
      next = b;
    }
  }
  return covered;
}

export interface ConvDims {
  batch: number; inH: number; inW: number; inC: number; outC: number; k: number; stride: number;
}
/** 'same' padding (the odd pad at the bottom/right, as TF.js). */
export function convGeometry(d: ConvDims) {
  const outH = Math.ceil(d.inH / d.stride);
  const outW = Math.ceil(d.inW / d.stride);
  const padH = Math.max(0, (outH - 1) * d.stride + d.k - d.inH);
  const padW = Math.max(0, (outW - 1) * d.stride + d.k - d.inW);
  return { outH, outW, padTop: padH >> 1, padLeft: padW >> 1 };
}
/** One pass (forward, dx or dW): a multiply-add per output, input channel and tap inside the input. */
export function convFlops(d: ConvDims): number {
  const g = convGeometry(d);
  return 2 * d.batch * d.outC * d.inC * validTaps(d.inH, g.outH, d.k, d.stride, 1, g.padTop) * validTaps(d.inW, g.outW, d.k, d.stride, 1, g.padLeft);
}

export interface PoolDims {
  batch: number; inH: number; inW: number; c: number; pool: number; stride: number;
}
/** 'valid' padding. */
export const poolOut = (d: PoolDims) => ({ outH: Math.floor((d.inH - d.pool) / d.stride) + 1, outW: Math.floor((d.inW - d.pool) / d.stride) + 1 });
const poolCovered = (d: PoolDims) => {
  const o = poolOut(d);
  return d.batch * d.c * coveredInputs(d.inH, o.outH, d.pool, d.stride, 0) * coveredInputs(d.inW, o.outW, d.pool, d.stride, 0);
};
const poolOutputs = (d: PoolDims) => {
  const o = poolOut(d);
  return d.batch * o.outH * o.outW * d.c;
};

/** Bytes per call of each memory-bound kernel (4-byte elements). */
export const BYTES = {
  /** reads x, writes y and the argmax. */
  maxpoolForward: (d: PoolDims) => 4 * (poolCovered(d) + 2 * poolOutputs(d)),
  /** reads dy and the argmax; each output's max cell of dx read and written (windows must not overlap). */
  maxpoolBackward: (d: PoolDims) => 4 * (2 * poolOutputs(d) + 2 * poolOutputs(d)),
  avgpoolForward: (d: PoolDims) => 4 * (poolCovered(d) + poolOutputs(d)),
  /** reads dy; every covered dx cell read and written. */
  avgpoolBackward: (d: PoolDims) => 4 * (poolOutputs(d) + 2 * poolCovered(d)),
  /** reads x, writes y. */
  unary: (n: number) => 8 * n,
  /** reads dy, x and dx, writes dx. */
  reluBackward: (n: number) => 16 * n,
  /** reads z, the labels and dz; writes probs and dz. */
  softmaxXent: (batch: number, classes: number) => 4 * (4 * batch * classes + batch),
  /** reads p and g, writes p. */
  sgd: (n: number) => 12 * n,
  /** reads p, vel and g, writes p and vel. */
  momentum: (n: number) => 20 * n,
  /** reads p, ms, mom and g, writes p, ms and mom. */
  rmsprop: (n: number) => 28 * n,
  /** reads p, m, v and g, writes p, m and v. */
  adam: (n: number) => 28 * n,
  /** reads src, writes dst. */
  copy: (n: number) => 8 * n,
};

// ------------------------------------------------------------------------------------ buffers

/** Allocations of one case, freed together; filled with a fixed pseudo-random sequence. */
class Buffers {
  private blocks: [number, number][] = [];
  private seed = 12345;
  constructor(private b: Backend) {}
  f32(n: number, fill: 'random' | 'zero' | 'positive' = 'random'): number {
    const bytes = 4 * Math.max(n, 1);
    const p = this.b.arena.alloc(bytes);
    this.blocks.push([p, bytes]);
    const v = new Float32Array(this.b.memory.buffer, p, n);
    if (fill === 'zero') v.fill(0);
    else for (let i = 0; i < n; i++) v[i] = fill === 'positive' ? 0.01 + this.rand() : 2 * this.rand() - 1;
    return p;
  }
  i32(values: ArrayLike<number>): number {
    const bytes = 4 * Math.max(values.length, 1);
    const p = this.b.arena.alloc(bytes);
    this.blocks.push([p, bytes]);
    new Int32Array(this.b.memory.buffer, p, values.length).set(values);
    return p;
  }
  private rand(): number {
    this.seed = (Math.imul(this.seed, 1103515245) + 12345) >>> 0;
    return this.seed / 2 ** 32;
  }
  release(): void {
    for (const [p, bytes] of this.blocks.reverse()) this.b.arena.free(p, bytes);
    this.blocks = [];
  }
}

/** Runs `setup` with fresh buffers; the case's release frees them. */
function prepared(b: Backend, setup: (buf: Buffers, b: Backend) => () => unknown): Prepared {
  const buf = new Buffers(b);
  try {
    return { run: setup(buf, b), release: () => buf.release() };
  } catch (e) {
    buf.release();
    throw e;
  }
}

/**
 * A case's buffers on the loaded binary (after `init()`) and its call, for harnesses that time it
 * themselves (the repository's side-by-side benches); `release()` frees the buffers.
 */
export function prepare(c: Case): Prepared {
  return c.prepare(backend());
}

// ------------------------------------------------------------------------------------ the cases

export type GemmLayout = 'nn' | 'nt' | 'tn';

export function gemmCase(layout: GemmLayout, m: number, k: number, n: number): Case {
  const name = `gemm_${layout}_f32` as const;
  return {
    family: 'gemm', kernel: name, shape: `${m}x${k}x${n}`, dims: { m, k, n }, flops: gemmFlops(m, n, k),
    prepare: (be) => prepared(be, (buf, b) => {
      const a = buf.f32(m * k), bb = buf.f32(k * n), c = buf.f32(m * n, 'zero');
      const ws = buf.f32(b.kernels.gemm_workspace_bytes(m, n, k) / 4, 'zero');
      const f = b.kernels[name];
      return () => f(c, a, bb, ws, m, n, k);
    }),
  };
}

export type ConvPass = 'forward' | 'dx' | 'dW';

export function convCase(pass: ConvPass, d: ConvDims, label = ''): Case {
  const g = convGeometry(d);
  const kernel = pass === 'forward' ? 'conv2d_forward_f32' : `conv2d_backward_f32 ${pass}`;
  return {
    family: 'conv', kernel, dims: { batch: d.batch, inH: d.inH, inW: d.inW, inC: d.inC, outC: d.outC, k: d.k, stride: d.stride },
    shape: `${label ? `${label}: ` : ''}${d.batch}x${d.inH}x${d.inW}x${d.inC} → ${d.outC} ${d.k}x${d.k}${d.stride > 1 ? ` /${d.stride}` : ''} same`,
    flops: convFlops(d),
    prepare: (be) => prepared(be, (buf, b) => {
      const nx = d.batch * d.inH * d.inW * d.inC, nw = d.k * d.k * d.inC * d.outC, ny = d.batch * g.outH * g.outW * d.outC;
      const x = buf.f32(nx), w = buf.f32(nw), bias = buf.f32(d.outC), dy = buf.f32(ny);
      const y = pass === 'forward' ? buf.f32(ny, 'zero') : 0;
      const dx = pass === 'dx' ? buf.f32(nx, 'zero') : 0;
      const dw = pass === 'dW' ? buf.f32(nw, 'zero') : 0;
      const ws = buf.f32(b.kernels.conv2d_workspace_bytes(d.batch, d.inH, d.inW, d.inC, g.outH, g.outW, d.outC, d.k, d.k) / 4, 'zero');
      const k = b.kernels;
      const hp = [d.batch, d.inH, d.inW, d.inC, g.outH, g.outW, d.outC, d.k, d.k, d.stride, d.stride, 1, 1, g.padTop, g.padLeft] as const;
      if (pass === 'forward') return () => k.conv2d_forward_f32(y, x, w, bias, ws, ...hp, 0);
      return () => k.conv2d_backward_f32(dx, dw, 0, dy, x, w, ws, ...hp);
    }),
  };
}

export type PoolKernel = 'maxpool2d_forward_f32' | 'maxpool2d_backward_f32' | 'avgpool2d_forward_f32' | 'avgpool2d_backward_f32';

export function poolCase(kernel: PoolKernel, d: PoolDims): Case {
  if (kernel === 'maxpool2d_backward_f32' && d.stride < d.pool) throw new Error('bench: the maxpool backward count assumes windows that do not overlap (stride ≥ pool)');
  const o = poolOut(d);
  const bytes =
    kernel === 'maxpool2d_forward_f32' ? BYTES.maxpoolForward(d)
    : kernel === 'maxpool2d_backward_f32' ? BYTES.maxpoolBackward(d)
    : kernel === 'avgpool2d_forward_f32' ? BYTES.avgpoolForward(d)
    : BYTES.avgpoolBackward(d);
  return {
    family: 'pool', kernel, dims: { ...d } as unknown as Dims, bytes,
    shape: `${d.batch}x${d.inH}x${d.inW}x${d.c} ${d.pool}x${d.pool}/${d.stride}`,
    prepare: (be) => prepared(be, (buf, b) => {
      const nx = d.batch * d.inH * d.inW * d.c, ny = d.batch * o.outH * o.outW * d.c;
      const k = b.kernels;
      const geo = [d.batch, d.inH, d.inW, d.c, o.outH, o.outW] as const;
      const hp = [...geo, d.pool, d.pool, d.stride, d.stride, 0, 0] as const;
      if (kernel === 'maxpool2d_forward_f32') {
        const y = buf.f32(ny, 'zero'), idx = buf.f32(ny, 'zero'), x = buf.f32(nx);
        return () => k.maxpool2d_forward_f32(y, idx, x, ...hp);
      }
      if (kernel === 'maxpool2d_backward_f32') {
        // The argmax of a forward pass over random data: one cell per window, as in training.
        const x = buf.f32(nx), y = buf.f32(ny, 'zero'), idx = buf.f32(ny, 'zero');
        k.maxpool2d_forward_f32(y, idx, x, ...hp);
        const dx = buf.f32(nx, 'zero'), dy = buf.f32(ny);
        return () => k.maxpool2d_backward_f32(dx, dy, idx, ...geo);
      }
      if (kernel === 'avgpool2d_forward_f32') {
        const y = buf.f32(ny, 'zero'), x = buf.f32(nx);
        return () => k.avgpool2d_forward_f32(y, x, ...hp);
      }
      const dx = buf.f32(nx, 'zero'), dy = buf.f32(ny);
      return () => k.avgpool2d_backward_f32(dx, dy, ...hp);
    }),
  };
}

export type ActKernel = 'relu_forward_f32' | 'relu_backward_f32' | 'sigmoid_forward_f32' | 'tanh_forward_f32';

export function actCase(kernel: ActKernel, n: number): Case {
  return {
    family: 'act', kernel, dims: { n }, shape: `${n}`,
    bytes: kernel === 'relu_backward_f32' ? BYTES.reluBackward(n) : BYTES.unary(n),
    prepare: (be) => prepared(be, (buf, b) => {
      const k = b.kernels;
      const x = buf.f32(n);
      if (kernel === 'relu_backward_f32') {
        const dx = buf.f32(n, 'zero'), dy = buf.f32(n);
        return () => k.relu_backward_f32(dx, dy, x, 0, n);
      }
      const y = buf.f32(n, 'zero');
      const f = k[kernel];
      return () => f(y, x, n);
    }),
  };
}

export function softmaxCase(batch: number, classes: number): Case {
  return {
    family: 'softmax', kernel: 'softmax_xent_sparse_f32', dims: { batch, classes }, shape: `${batch}x${classes}`,
    bytes: BYTES.softmaxXent(batch, classes),
    prepare: (be) => prepared(be, (buf, b) => {
      const z = buf.f32(batch * classes), probs = buf.f32(batch * classes, 'zero'), dz = buf.f32(batch * classes, 'zero');
      const labels = buf.i32(Array.from({ length: batch }, (_, i) => (i * 7) % classes));
      return () => b.kernels.softmax_xent_sparse_f32(probs, dz, z, labels, batch, classes);
    }),
  };
}

export type OptimKernel = 'sgd_f32' | 'momentum_f32' | 'rmsprop_f32' | 'adam_f32';

export function optimCase(kernel: OptimKernel, n: number): Case {
  const bytes = kernel === 'sgd_f32' ? BYTES.sgd(n) : kernel === 'momentum_f32' ? BYTES.momentum(n) : kernel === 'rmsprop_f32' ? BYTES.rmsprop(n) : BYTES.adam(n);
  return {
    family: 'optim', kernel, dims: { n }, shape: `${n}`, bytes,
    prepare: (be) => prepared(be, (buf, b) => {
      const k = b.kernels;
      // Tiny steps: the parameters stay put however many calls the timing makes.
      const p = buf.f32(n), g = buf.f32(n);
      if (kernel === 'sgd_f32') return () => k.sgd_f32(p, g, n, 1e-6);
      const s1 = buf.f32(n, 'zero');
      if (kernel === 'momentum_f32') return () => k.momentum_f32(p, s1, g, n, 1e-6, 0.9, 0);
      const s2 = buf.f32(n, 'positive');
      if (kernel === 'rmsprop_f32') return () => k.rmsprop_f32(p, s2, s1, g, n, 1e-6, 0.9, 0.9, 1e-7);
      return () => k.adam_f32(p, s1, s2, g, n, 1e-6, 0.9, 0.999, 1e-7, 0.1, 0.001, 0);
    }),
  };
}

/** The memory-bandwidth probe: copy_f32 over a block the size of the elementwise kernels'. */
export function copyCase(n: number): Case {
  return {
    family: 'peak', kernel: 'copy_f32', dims: { n }, shape: `${n}`, bytes: BYTES.copy(n),
    prepare: (be) => prepared(be, (buf, b) => {
      const src = buf.f32(n), dst = buf.f32(n, 'zero');
      return () => b.kernels.copy_f32(dst, src, n);
    }),
  };
}

// ------------------------------------------------------------------------------------ the catalogue

/** (M, K, N): two dense-layer shapes of the MNIST MLP (batch 64/128, 784 → 128), then squares. */
export const GEMM_SHAPES: [number, number, number][] = [[64, 784, 128], [128, 784, 128], [256, 256, 256], [512, 512, 512], [1024, 1024, 1024]];
export const GEMM_QUICK: [number, number, number][] = [[64, 784, 128], [256, 256, 256], [512, 512, 512]];
export const GEMM_LAYOUTS: GemmLayout[] = ['nn', 'nt', 'tn'];

/** The standard conv shapes ('same', stride 1). */
export const CONV_SHAPES: (ConvDims & { label?: string })[] = [
  { batch: 32, inH: 28, inW: 28, inC: 1, outC: 8, k: 5, stride: 1 },
  { batch: 32, inH: 14, inW: 14, inC: 16, outC: 32, k: 3, stride: 1 },
  { batch: 8, inH: 56, inW: 56, inC: 32, outC: 64, k: 3, stride: 1 },
  // The MNIST CNN's second layer (conv(16, 5x5, same) after a 2x2 pool of conv(8)).
  { batch: 64, inH: 14, inW: 14, inC: 8, outC: 16, k: 5, stride: 1, label: 'mnist cnn conv2' },
];
export const CONV_QUICK = [CONV_SHAPES[0], CONV_SHAPES[1], CONV_SHAPES[3]];
export const CONV_PASSES: ConvPass[] = ['forward', 'dx', 'dW'];

export const POOL_SHAPES: PoolDims[] = [
  { batch: 32, inH: 28, inW: 28, c: 16, pool: 2, stride: 2 },
  { batch: 8, inH: 56, inW: 56, c: 64, pool: 2, stride: 2 },
];
export const POOL_KERNELS: PoolKernel[] = ['maxpool2d_forward_f32', 'maxpool2d_backward_f32', 'avgpool2d_forward_f32', 'avgpool2d_backward_f32'];
export const ACT_KERNELS: ActKernel[] = ['relu_forward_f32', 'relu_backward_f32', 'sigmoid_forward_f32', 'tanh_forward_f32'];
export const SOFTMAX_SHAPES: [number, number][] = [[256, 10], [128, 1000]];
export const OPTIM_KERNELS: OptimKernel[] = ['sgd_f32', 'momentum_f32', 'rmsprop_f32', 'adam_f32'];
/** The elementwise and optimizer block: 1M floats. */
export const BLOCK = 1 << 20;

export interface CatalogueOptions {
  quick: boolean;
  families: readonly Family[];
  /** GEMM shapes (M, K, N) replacing the default sweep. */
  gemmShapes?: [number, number, number][];
  /** Elements of the elementwise, optimizer and bandwidth blocks (default BLOCK). */
  block?: number;
}

/** The cases of a run, in order (the peak family's bandwidth probe first among the memory rows). */
export function catalogue(o: CatalogueOptions): Case[] {
  const has = (f: Family) => o.families.includes(f);
  const block = o.block ?? BLOCK;
  const out: Case[] = [];
  if (has('peak') || has('act') || has('optim') || has('pool') || has('softmax')) out.push(copyCase(block));
  if (has('gemm')) for (const [m, k, n] of o.gemmShapes ?? (o.quick ? GEMM_QUICK : GEMM_SHAPES)) for (const l of GEMM_LAYOUTS) out.push(gemmCase(l, m, k, n));
  if (has('conv')) for (const s of o.quick ? CONV_QUICK : CONV_SHAPES) for (const p of CONV_PASSES) out.push(convCase(p, s, s.label));
  if (has('pool')) for (const s of o.quick ? POOL_SHAPES.slice(0, 1) : POOL_SHAPES) for (const k of POOL_KERNELS) out.push(poolCase(k, s));
  if (has('act')) for (const k of ACT_KERNELS) out.push(actCase(k, block));
  if (has('softmax')) for (const [b, c] of SOFTMAX_SHAPES) out.push(softmaxCase(b, c));
  if (has('optim')) for (const k of OPTIM_KERNELS) out.push(optimCase(k, block));
  return out;
}
