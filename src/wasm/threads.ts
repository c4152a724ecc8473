/**
 * The threaded `Kernels`: the single-threaded exports, with the large kernels replaced by
 * wrappers that split the work over the pool. Layers call kernels through the `Kernels` object,
 * so nothing above this file knows about threads.
 *
 * Bit-identical for any thread count: every output element is computed by exactly one thread,
 * by the same kernel code, in the same summation order as on one thread —
 * - GEMM: panels of rows (or columns) of C, through gemm_strided_f32; an element's sum depends
 *   on k alone (gemm.ts's K blocks), not on where its panel starts;
 * - dense: the forward as the bias, then the GEMM split as above; the backward's dx over batch rows, dW over rows of W
 *   (inDim), db on the calling thread;
 * - conv2d: the forward over samples; the backward's dx over samples beside dW over kernel rows
 *   (conv2d_backward_filter_rows_f32; splitting dW over samples would need partial sums, whose
 *   reduction changes the order of the additions) and db;
 * - max and average pooling, forward and backward, over samples;
 * - the recurrent layers: the forward and backprop through time over samples (a sample's
 *   recurrence is its own: rnn_forward_rows_f32, rnn_backward_rows_f32), then the weights'
 *   gradients, summed over every sample and step as one call sums them, over gate columns
 *   (rnn_backward_weights_f32);
 * - the optimizers over chunks of the parameter block, fill, relu (forward, backward) and the
 *   exp-based activations' forwards (sigmoid, tanh, softplus, elu) over chunks of their arrays
 *   (elementwise), softmax forward and backward over runs of rows.
 * Small calls stay on the calling thread (tuning.minWork, measured: bench/threads.mjs).
 *
 * A call becomes a few tasks (pool.ts): whichever thread claims a task runs it with its own
 * workspace. Each worker's is one arena block, sized for the largest GEMM (bounded) and grown,
 * between jobs, when a conv task needs more; the caller's is the `ws` the layer passed, which
 * was sized for the whole call, hence for any part of it.
 */
import { KERNEL_NAMES, RNN_CELLS, RNN_FLAGS, type KernelName, type Kernels } from './abi.ts';
import type { Arena } from '../memory/arena.ts';
import type { Pool } from './pool.ts';

/**
 * `minWork`: multiply-adds a task must get; below this the wake-up costs more than the thread
 * saves. `packingShare`: beyond one task per thread, a task's work must be at least this many
 * times the packing every task repeats. Tests set both low (1, 0) to split every call, and `callerWorks` to false to have the
 * workers run every task.
 */
export const tuning = { minWork: 1 << 17, packingShare: 128, callerWorks: true };

/** The most tasks per thread a call is cut into (see tasksFor). */
const TASKS_PER_THREAD = 4;

const idx = (name: KernelName): number => KERNEL_NAMES.indexOf(name);
const GEMM_STRIDED = idx('gemm_strided_f32');
const GEMM_NT = idx('gemm_nt_f32');
const DENSE_BACKWARD = idx('dense_backward_f32');
const CONV_FORWARD = idx('conv2d_forward_f32');
const CONV_BACKWARD = idx('conv2d_backward_f32');
const CONV_FILTER_ROWS = idx('conv2d_backward_filter_rows_f32');
const MAXPOOL_FORWARD = idx('maxpool2d_forward_f32');
const MAXPOOL_BACKWARD = idx('maxpool2d_backward_f32');
const AVGPOOL_FORWARD = idx('avgpool2d_forward_f32');
const AVGPOOL_BACKWARD = idx('avgpool2d_backward_f32');
const RNN_FORWARD_ROWS = idx('rnn_forward_rows_f32');
const RNN_BACKWARD_ROWS = idx('rnn_backward_rows_f32');
const RNN_WEIGHTS = idx('rnn_backward_weights_f32');

/** A null pointer stays null; any other moves to item n0 of rows of `rowBytes`. */
const at = (p: number, n0: number, rowBytes: number): number => (p === 0 ? 0 : p + n0 * rowBytes);

/** `parts` near-equal pieces of [0, total), each boundary a multiple of `unit` (cut points). */
function split(total: number, parts: number, unit: number): number[] {
  const cuts = [0];
  for (let t = 1; t < parts; t++) cuts.push(Math.min(total, Math.round((total * t) / parts / unit) * unit));
  cuts.push(total);
  return cuts;
}

export interface ThreadedKernels {
  kernels: Kernels;
  /** Gives the workers' workspace blocks back to the arena. */
  dispose(): void;
}

export function threadedKernels(k: Kernels, pool: Pool, arena: Arena): ThreadedKernels {
  const workers = pool.size - 1;
  let wsBytes = 0;
  const wsPtr: number[] = [];
  /** Makes every worker's workspace at least `bytes` long (between jobs only). */
  const ensureWs = (bytes: number): void => {
    if (bytes <= wsBytes) return;
    for (let w = 0; w < workers; w++) {
      if (wsPtr[w] !== undefined) arena.free(wsPtr[w], wsBytes);
      wsPtr[w] = arena.alloc(bytes);
      pool.setWorkspace(w + 1, wsPtr[w]);
    }
    wsBytes = bytes;
  };
  ensureWs(k.gemm_workspace_bytes(1 << 20, 1 << 20, 1 << 20));

  /** The caller's workspace for kernels that take none. */
  const ws0 = 0;
  /**
   * How many tasks a call of `work` multiply-adds over `items` splittable items should make, when
   * every task repeats `dup` elements of packing (the operand all tasks share). One task per
   * thread whenever each gets tuning.minWork (the repeated packing then costs less than the
   * thread saves); more, up to TASKS_PER_THREAD per thread, only while the packing they repeat
   * stays below 1/tuning.packingShare of the work: extra tasks let a thread that runs slower (a
   * busy neighbour on its core, a slower vCPU) take fewer of them, but each packs its operand
   * again (measured on one thread: 256x128x784 cut into 8 row panels costs 1.2x the whole).
   */
  const tasksFor = (work: number, items: number, dup = 0): number => {
    const even = Math.min(pool.size, items, Math.floor(work / tuning.minWork));
    const more = Math.min(pool.size * TASKS_PER_THREAD, items, Math.floor(work / Math.max(tuning.minWork, tuning.packingShare * dup)));
    return Math.max(1, even, more);
  };

  /** Tasks gemm() cuts an m×n×kk product into (rows of C when m ≥ n, else columns). */
  const gemmTasks = (m: number, n: number, kk: number): number =>
    m >= n ? tasksFor(m * n * kk, Math.ceil(m / 8), kk * n) : tasksFor(m * n * kk, Math.ceil(n / 8), m * kk);

  function gemm(layout: number, c: number, a: number, b: number, ws: number, m: number, n: number, kk: number): void {
    const byRows = m >= n;
    const T = gemmTasks(m, n, kk);
    if (T < 2) {
      if (layout === 0) k.gemm_nn_f32(c, a, b, ws, m, n, kk);
      else if (layout === 1) k.gemm_nt_f32(c, a, b, ws, m, n, kk);
      else k.gemm_tn_f32(c, a, b, ws, m, n, kk);
      return;
    }
    const lda = layout === 2 ? m : kk;
    const ldb = layout === 1 ? kk : n;
    // Panels in multiples of 8 rows or columns: near-equal halves beat panels of whole micro-tiles
    // (256 rows as 128 + 128 ran 1.95x on 2 threads, as 120 + 136 in multiples of 30 1.85x:
    // medians side by side) for the price of one clipped edge tile per panel.
    const cuts = split(byRows ? m : n, T, 8);
    pool.begin();
    for (let t = 0; t < T; t++) {
      const s = cuts[t], len = cuts[t + 1] - s;
      if (len === 0) continue;
      pool.task();
      if (byRows) pool.call(GEMM_STRIDED, [c + s * n * 4, layout === 2 ? a + s * 4 : a + s * kk * 4, b, 0, len, n, kk, lda, ldb, n, layout], 3);
      else pool.call(GEMM_STRIDED, [c + s * 4, a, layout === 1 ? b + s * kk * 4 : b + s * 4, 0, m, len, kk, lda, ldb, n, layout], 3);
    }
    pool.run(ws, tuning.callerWorks);
  }

  /**
   * y = x·W + b as dense_forward_f32 computes it: y starts at the bias (the kernel itself with
   * inDim 0 writes only that), then the GEMM adds x·W on top, split as any GEMM — over columns of
   * W when the batch is small (predict's chunks of 32 rows: a row split would make every task
   * pack all of W), over rows otherwise. Unsplit, the call stays the kernel's own.
   */
  function denseForward(y: number, x: number, w: number, b: number, ws: number, batch: number, inDim: number, outDim: number): void {
    if (gemmTasks(batch, outDim, inDim) < 2) return k.dense_forward_f32(y, x, w, b, ws, batch, inDim, outDim);
    k.dense_forward_f32(y, x, w, b, ws, batch, 0, outDim);
    gemm(0, y, x, w, ws, batch, outDim, inDim);
  }

  function denseBackward(dx: number, dw: number, db: number, dy: number, x: number, w: number, ws: number, batch: number, inDim: number, outDim: number): void {
    const work = ((dx ? 1 : 0) + (dw ? 1 : 0)) * batch * inDim * outDim;
    const T = tasksFor(work, Math.min(dx ? Math.ceil(batch / 8) : Infinity, dw ? Math.ceil(inDim / 8) : Infinity), (dx ? inDim * outDim : 0) + (dw ? batch * outDim : 0));
    if (T < 2 || batch <= 0 || inDim <= 0 || outDim <= 0) return k.dense_backward_f32(dx, dw, db, dy, x, w, ws, batch, inDim, outDim);
    // Task t: rows t of dx (batch) and rows t of dW (inDim); db with the last one.
    const rowCuts = split(batch, T, 8);
    const inCuts = split(inDim, T, 30);
    pool.begin();
    for (let t = 0; t < T; t++) {
      pool.task();
      const r0 = rowCuts[t], rows = rowCuts[t + 1] - r0;
      if (dx && rows > 0) pool.call(GEMM_NT, [dx + r0 * inDim * 4, dy + r0 * outDim * 4, w, 0, rows, inDim, outDim], 3);
      const i0 = inCuts[t], ins = inCuts[t + 1] - i0;
      if (dw && ins > 0) pool.call(GEMM_STRIDED, [dw + i0 * outDim * 4, x + i0 * 4, dy, 0, ins, outDim, batch, inDim, outDim, outDim, 2], 3);
      if (db && t === T - 1) pool.call(DENSE_BACKWARD, [0, 0, db, dy, x, w, 0, batch, inDim, outDim], 6);
    }
    pool.run(ws, tuning.callerWorks);
  }

  type ConvGeom = [number, number, number, number, number, number, number, number, number, number, number, number, number, number];
  function convForward(y: number, x: number, w: number, b: number, ws: number, batch: number, inH: number, inW: number, inC: number, outH: number, outW: number, outC: number, kH: number, kW: number, strideH: number, strideW: number, dilH: number, dilW: number, padTop: number, padLeft: number, relu: number): void {
    const g: ConvGeom = [inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft];
    const T = tasksFor(batch * outH * outW * outC * kH * kW * inC, batch, kH * kW * inC * outC);
    const need = (n: number) => k.conv2d_workspace_bytes(n, inH, inW, inC, outH, outW, outC, kH, kW);
    const cuts = T < 2 ? [] : split(batch, T, 1);
    let most = 0;
    for (let t = 0; t + 1 < cuts.length; t++) most = Math.max(most, need(cuts[t + 1] - cuts[t]));
    // The caller's workspace was sized for the whole batch: any task must fit it too.
    if (T < 2 || most > need(batch)) return k.conv2d_forward_f32(y, x, w, b, ws, batch, ...g, relu);
    ensureWs(most);
    const xs = inH * inW * inC * 4, ys = outH * outW * outC * 4;
    overSamples(CONV_FORWARD, cuts, ws, (n0, n) => [y + n0 * ys, x + n0 * xs, w, b, 0, n, ...g, relu], 4);
  }

  function convBackward(dx: number, dw: number, db: number, dy: number, x: number, w: number, ws: number, batch: number, inH: number, inW: number, inC: number, outH: number, outW: number, outC: number, kH: number, kW: number, strideH: number, strideW: number, dilH: number, dilW: number, padTop: number, padLeft: number): void {
    const g: ConvGeom = [inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, dilH, dilW, padTop, padLeft];
    const need = (n: number) => k.conv2d_workspace_bytes(n, inH, inW, inC, outH, outW, outC, kH, kW);
    // dx over samples; dW over kernel rows (conv2d_backward_filter_rows_f32: each element summed
    // as the whole call sums it; a row task repeats only the padding or im2col of its input), db
    // with the first of them. Partial sums over samples would change the order of dW's additions.
    const work = batch * outH * outW * outC * kH * kW * inC;
    if (work < tuning.minWork) return k.conv2d_backward_f32(dx, dw, db, dy, x, w, ws, batch, ...g);
    const T = dx === 0 ? 0 : tasksFor(work, batch, kH * kW * inC * outC);
    const R = dw === 0 ? 0 : Math.max(1, Math.min(kH, pool.size, Math.floor(work / tuning.minWork)));
    // One task in all: nothing to run beside it.
    if (T + R + (dw === 0 && db !== 0 ? 1 : 0) < 2) return k.conv2d_backward_f32(dx, dw, db, dy, x, w, ws, batch, ...g);
    const cuts = split(batch, Math.max(T, 1), 1);
    const full = need(batch);
    let most = 0;
    for (let t = 0; t < T; t++) most = Math.max(most, need(cuts[t + 1] - cuts[t]));
    if (most > full) return k.conv2d_backward_f32(dx, dw, db, dy, x, w, ws, batch, ...g);
    ensureWs(dw !== 0 || db !== 0 ? full : most);
    const xs = inH * inW * inC * 4, ys = outH * outW * outC * 4;
    pool.begin();
    const rows = split(kH, Math.max(R, 1), 1);
    for (let r = 0; r < Math.max(R, db !== 0 ? 1 : 0); r++) {
      pool.task();
      if (R > 0) pool.call(CONV_FILTER_ROWS, [dw, dy, x, 0, batch, ...g, rows[r], rows[r + 1]], 3);
      if (db !== 0 && r === 0) pool.call(CONV_BACKWARD, [0, 0, db, dy, x, w, 0, batch, ...g], 6);
    }
    for (let t = 0; t < T; t++) {
      const n0 = cuts[t], n = cuts[t + 1] - n0;
      pool.task();
      pool.call(CONV_BACKWARD, [dx + n0 * xs, 0, 0, dy + n0 * ys, x + n0 * xs, w, 0, n, ...g], 6);
    }
    pool.run(ws, tuning.callerWorks);
  }

  /**
   * One task per run of samples [cuts[t], cuts[t + 1]): `args(n0, n)` gives the kernel's arguments
   * for samples n0..n0+n (argument `wsArg`, when given, is the running thread's workspace).
   */
  function overSamples(fn: number, cuts: number[], callerWs: number, args: (n0: number, n: number) => number[], wsArg = -1): void {
    pool.begin();
    for (let t = 0; t + 1 < cuts.length; t++) {
      pool.task();
      pool.call(fn, args(cuts[t], cuts[t + 1] - cuts[t]), wsArg);
    }
    pool.run(callerWs, tuning.callerWorks);
  }

  /** Max pooling over samples (each sample's outputs and indices are its own). */
  function maxpoolForward(y: number, ix: number, x: number, batch: number, inH: number, inW: number, c: number, outH: number, outW: number, poolH: number, poolW: number, strideH: number, strideW: number, padTop: number, padLeft: number): void {
    const T = tasksFor(batch * outH * outW * c * poolH * poolW, batch);
    if (T < 2) return k.maxpool2d_forward_f32(y, ix, x, batch, inH, inW, c, outH, outW, poolH, poolW, strideH, strideW, padTop, padLeft);
    const xs = inH * inW * c * 4, ys = outH * outW * c * 4;
    overSamples(MAXPOOL_FORWARD, split(batch, T, 1), ws0, (n0, n) => [y + n0 * ys, at(ix, n0, ys), x + n0 * xs, n, inH, inW, c, outH, outW, poolH, poolW, strideH, strideW, padTop, padLeft]);
  }

  function maxpoolBackward(dx: number, dy: number, ix: number, batch: number, inH: number, inW: number, c: number, outH: number, outW: number): void {
    const T = tasksFor(batch * inH * inW * c, batch);
    if (T < 2) return k.maxpool2d_backward_f32(dx, dy, ix, batch, inH, inW, c, outH, outW);
    const xs = inH * inW * c * 4, ys = outH * outW * c * 4;
    overSamples(MAXPOOL_BACKWARD, split(batch, T, 1), ws0, (n0, n) => [dx + n0 * xs, dy + n0 * ys, ix + n0 * ys, n, inH, inW, c, outH, outW]);
  }

  /** Average pooling, forward (fwd) or backward (dx += …), over samples: `a` is y or dx, `b` x or dy. */
  function avgpool(fwd: boolean, a: number, b: number, batch: number, inH: number, inW: number, c: number, outH: number, outW: number, poolH: number, poolW: number, strideH: number, strideW: number, padTop: number, padLeft: number): void {
    const geo = [inH, inW, c, outH, outW, poolH, poolW, strideH, strideW, padTop, padLeft] as const;
    const T = tasksFor(batch * outH * outW * c * poolH * poolW, batch);
    if (T < 2) return fwd ? k.avgpool2d_forward_f32(a, b, batch, ...geo) : k.avgpool2d_backward_f32(a, b, batch, ...geo);
    const xs = inH * inW * c * 4, ys = outH * outW * c * 4;
    const [as, bs] = fwd ? [ys, xs] : [xs, ys];
    overSamples(fwd ? AVGPOOL_FORWARD : AVGPOOL_BACKWARD, split(batch, T, 1), ws0, (n0, n) => [a + n0 * as, b + n0 * bs, n, ...geo]);
  }

  /** Gates per unit of an RNN cell code (assembly/recurrent.ts gatesOf). */
  const gatesOf = (cell: number): number => (cell === RNN_CELLS.lstm ? 4 : cell === RNN_CELLS.simpleRNN ? 1 : 3);
  /** Floats per sample and step of the third saved buffer (cs): the reset_after GRU's 3·units, else units. */
  const csCols = (cell: number, units: number): number => (cell === RNN_CELLS.gruResetAfter ? 3 * units : units);

  /** The cuts of a batch over T tasks of a recurrent pass, every worker's workspace made large enough for its part. */
  const rnnCuts = (batch: number, T: number, steps: number, inDim: number, units: number, cell: number): number[] => {
    const cuts = split(batch, T, 1);
    let most = 0;
    for (let t = 0; t < T; t++) most = Math.max(most, k.rnn_workspace_bytes(cuts[t + 1] - cuts[t], steps, inDim, units, cell));
    ensureWs(most);
    return cuts;
  };

  /**
   * The recurrent forward over runs of samples: each task runs the whole sequence for its samples,
   * packing U once and W at every step (its input projection is one GEMM per step, not one over
   * every step: the repeated packing tasksFor weighs).
   */
  function rnnForward(y: number, gates: number, hs: number, cs: number, x: number, w: number, u: number, b: number, mask: number, h0: number, c0: number, dropX: number, dropH: number, ws: number, batch: number, steps: number, inDim: number, units: number, cell: number, act: number, recAct: number, flags: number): void {
    const gu = gatesOf(cell) * units;
    const T = tasksFor(steps * batch * gu * (inDim + units), batch, gu * (steps * inDim + units));
    if (T < 2 || inDim <= 0 || units <= 0 || steps <= 0) return k.rnn_forward_f32(y, gates, hs, cs, x, w, u, b, mask, h0, c0, dropX, dropH, ws, batch, steps, inDim, units, cell, act, recAct, flags);
    const cuts = rnnCuts(batch, T, steps, inDim, units, cell);
    const yRow = (flags & RNN_FLAGS.returnSequences ? steps * units : units) * 4;
    overSamples(RNN_FORWARD_ROWS, cuts, ws, (n0, n) => [
      y + n0 * yRow, gates + n0 * gu * 4, hs + n0 * units * 4, at(cs, n0, csCols(cell, units) * 4), x + n0 * steps * inDim * 4, w, u, b,
      at(mask, n0, steps * 4), at(h0, n0, units * 4), at(c0, n0, units * 4), at(dropX, n0, inDim * 4), at(dropH, n0, units * 4), 0,
      n, steps, inDim, units, cell, act, recAct, flags, batch,
    ], 13);
  }

  /**
   * The recurrent backward in two jobs: backprop through time over runs of samples (dx, and each
   * step's dA left in gates), then the weights' gradients over gate columns, 8 at a time (the
   * GEMM's panel width); either job stays on the calling thread when too small to split.
   */
  function rnnBackward(dx: number, dw: number, du: number, db: number, dy: number, x: number, w: number, u: number, mask: number, h0: number, c0: number, dropX: number, dropH: number, gates: number, hs: number, cs: number, ws: number, batch: number, steps: number, inDim: number, units: number, cell: number, act: number, recAct: number, flags: number): void {
    const gu = gatesOf(cell) * units;
    const rows = steps * batch;
    const T = tasksFor(rows * gu * (units + (dx ? inDim : 0)), batch, gu * (units + (dx ? steps * inDim : 0)));
    const weights = dw !== 0 || du !== 0 || db !== 0;
    const C = weights ? tasksFor(rows * gu * ((dw ? inDim : 0) + (du ? units : 0)), Math.ceil(gu / 8), rows * (inDim + units)) : 0;
    if ((T < 2 && C < 2) || inDim <= 0 || units <= 0 || steps <= 0) return k.rnn_backward_f32(dx, dw, du, db, dy, x, w, u, mask, h0, c0, dropX, dropH, gates, hs, cs, ws, batch, steps, inDim, units, cell, act, recAct, flags);
    const nh = batch * units * 4;
    const dhT = flags & RNN_FLAGS.stateGrads ? dy + (flags & RNN_FLAGS.returnSequences ? steps : 1) * nh : 0;
    const dcT = dhT !== 0 && cell === RNN_CELLS.lstm ? dhT + nh : 0;
    if (T < 2) {
      k.rnn_backward_rows_f32(dx, dy, dhT, dcT, x, w, u, mask, h0, c0, dropX, dropH, gates, hs, cs, ws, batch, steps, inDim, units, cell, act, recAct, flags, batch);
    } else {
      const cuts = rnnCuts(batch, T, steps, inDim, units, cell);
      const yRow = (flags & RNN_FLAGS.returnSequences ? steps * units : units) * 4;
      overSamples(RNN_BACKWARD_ROWS, cuts, ws, (n0, n) => [
        at(dx, n0, steps * inDim * 4), dy + n0 * yRow, at(dhT, n0, units * 4), at(dcT, n0, units * 4), x + n0 * steps * inDim * 4, w, u,
        at(mask, n0, steps * 4), at(h0, n0, units * 4), at(c0, n0, units * 4), at(dropX, n0, inDim * 4), at(dropH, n0, units * 4),
        gates + n0 * gu * 4, hs + n0 * units * 4, at(cs, n0, csCols(cell, units) * 4), 0,
        n, steps, inDim, units, cell, act, recAct, flags, batch,
      ], 15);
    }
    if (!weights) return;
    if (C < 2) return k.rnn_backward_weights_f32(dw, du, db, x, h0, dropX, dropH, gates, hs, cs, ws, batch, steps, inDim, units, cell, flags, 0, gu);
    ensureWs(k.rnn_workspace_bytes(batch, steps, inDim, units, cell));
    const cols = split(gu, C, 8);
    pool.begin();
    for (let t = 0; t < C; t++) {
      if (cols[t + 1] === cols[t]) continue;
      pool.task();
      pool.call(RNN_WEIGHTS, [dw, du, db, x, h0, dropX, dropH, gates, hs, cs, 0, batch, steps, inDim, units, cell, flags, cols[t], cols[t + 1] - cols[t]], 10);
    }
    pool.run(ws, tuning.callerWorks);
  }

  /**
   * A kernel over runs of items: the first `ptrs` arguments are arrays of `rowFloats(args)`
   * floats per item (0 stays 0), argument `nAt` the item count; `cost` multiply-add equivalents
   * per float; runs start at multiples of `unit` items.
   */
  function chunked<K extends KernelName>(name: K, ptrs: number, nAt: number, cost: number, unit: number, rowFloats: (args: number[]) => number): Kernels[K] {
    const f = k[name] as unknown as (...a: number[]) => void;
    const id = idx(name);
    return ((...args: number[]) => {
      const n = args[nAt];
      const row = rowFloats(args);
      const T = tasksFor(n * row * cost, Math.ceil(n / unit));
      if (T < 2) return f(...args);
      const cuts = split(n, T, unit);
      pool.begin();
      for (let t = 0; t < T; t++) {
        const a = args.slice();
        for (let i = 0; i < ptrs; i++) if (a[i] !== 0) a[i] += cuts[t] * row * 4;
        a[nAt] = cuts[t + 1] - cuts[t];
        pool.task();
        pool.call(id, a);
      }
      pool.run(ws0, tuning.callerWorks);
    }) as unknown as Kernels[K];
  }

  /**
   * An elementwise kernel (an optimizer over its parameter block, fill, relu, the exp-based
   * activations' forwards) over chunks: argument `nAt` the element count. Chunks start at
   * multiples of 64 elements and only the last one ends where the array does, so every element
   * takes the path (SIMD body or scalar tail) it takes on one thread. ~8 multiply-add equivalents
   * per element: these kernels are bound by memory, not arithmetic.
   */
  const elementwise = <K extends KernelName>(name: K, ptrs: number, nAt: number): Kernels[K] => chunked(name, ptrs, nAt, 8, 64, () => 1);

  /**
   * A kernel over rows normalised each on its own (softmax forward and backward) over runs of
   * rows: the first `ptrs` arguments are [rows, cols] arrays, then rows and cols. `cost`:
   * multiply-add equivalents per element (measured side by side: the forward's exp makes 2
   * threads pay from ~8k elements, the memory-bound backward from ~32k). A row never depends on
   * where its run starts.
   */
  const overRows = <K extends 'softmax_forward_f32' | 'softmax_backward_f32'>(name: K, ptrs: number, cost: number): Kernels[K] => chunked(name, ptrs, ptrs, cost, 1, (args) => args[ptrs + 1]);

  const kernels: Kernels = {
    ...k,
    gemm_nn_f32: (c, a, b, ws, m, n, kk) => gemm(0, c, a, b, ws, m, n, kk),
    gemm_nt_f32: (c, a, b, ws, m, n, kk) => gemm(1, c, a, b, ws, m, n, kk),
    gemm_tn_f32: (c, a, b, ws, m, n, kk) => gemm(2, c, a, b, ws, m, n, kk),
    dense_forward_f32: denseForward,
    dense_backward_f32: denseBackward,
    conv2d_forward_f32: convForward,
    conv2d_backward_f32: convBackward,
    maxpool2d_forward_f32: maxpoolForward,
    maxpool2d_backward_f32: maxpoolBackward,
    avgpool2d_forward_f32: (y, x, ...rest) => avgpool(true, y, x, ...rest),
    avgpool2d_backward_f32: (dx, dy, ...rest) => avgpool(false, dx, dy, ...rest),
    rnn_forward_f32: rnnForward,
    rnn_backward_f32: rnnBackward,
    fill_f32: elementwise('fill_f32', 1, 1),
    relu_forward_f32: elementwise('relu_forward_f32', 2, 2),
    relu_backward_f32: elementwise('relu_backward_f32', 4, 4),
    sgd_f32: elementwise('sgd_f32', 2, 2),
    momentum_f32: elementwise('momentum_f32', 3, 3),
    adagrad_f32: elementwise('adagrad_f32', 3, 3),
    rmsprop_f32: elementwise('rmsprop_f32', 4, 4),
    rmsprop_centered_f32: elementwise('rmsprop_centered_f32', 5, 5),
    adam_f32: elementwise('adam_f32', 4, 4),
    adamax_f32: elementwise('adamax_f32', 4, 4),
    adadelta_f32: elementwise('adadelta_f32', 4, 4),
    // The exp-based activations' forwards cost ~15-40x relu's per element, so their split pays
    // 1.6-1.8x from elementwise's 32k elements; their backwards (bound by memory) stay whole: at
    // 32k-64k elements a split ran 0.8-1.0x.
    sigmoid_forward_f32: elementwise('sigmoid_forward_f32', 2, 2),
    tanh_forward_f32: elementwise('tanh_forward_f32', 2, 2),
    softplus_forward_f32: elementwise('softplus_forward_f32', 2, 2),
    elu_forward_f32: elementwise('elu_forward_f32', 2, 2),
    softmax_forward_f32: overRows('softmax_forward_f32', 2, 32),
    softmax_backward_f32: overRows('softmax_backward_f32', 3, 8),
  };
  return {
    kernels,
    dispose() {
      for (const p of wsPtr) arena.free(p, wsBytes);
      wsPtr.length = 0;
      wsBytes = 0;
    },
  };
}
