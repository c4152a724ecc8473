// Loss kernels against test/reference/loss.ts on the default and relaxed binaries (mean loss,
// accumulated gradients, 0-pointer skips, guards); reference gradients against float64 central
// differences of the reference losses.
import { describe, expect, it } from 'vitest';
import { expectClose, f32round, randomArray } from '../helpers/harness.ts';
import { expectGuard, expectSame, describeVariants, putGuarded } from '../helpers/guarded.ts';
import { gradErrorRatio, numericGrad } from '../helpers/gradcheck.ts';
import { Random } from '../../src/random.ts';
import * as ref from '../reference/loss.ts';

const SIZES = [1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 65, 1000];
const SHAPES: [number, number][] = [];
for (const batch of [1, 2, 3, 8]) for (const classes of [1, 2, 3, 4, 5, 8, 10, 17, 33, 100]) SHAPES.push([batch, classes]);

const LOSS_TOL = { rtol: 3e-6, atol: 1e-7 };
const GRAD_TOL = { rtol: 4e-6, atol: 1e-7, scale: 1 };

/** Logits in ±5, every 7th up to ±100, every 13th ±1e4 (when huge). */
function logits(n: number, seed: number, huge = true): Float64Array {
  const z = randomArray(n, seed, -5, 5);
  const u = randomArray(n, seed + 1, -1, 1);
  for (let i = 0; i < n; i++) {
    if (i % 7 === 3) z[i] = 100 * u[i];
    if (huge && i % 13 === 6) z[i] = u[i] < 0 ? -1e4 : 1e4;
  }
  return f32round(z);
}
const labelsFor = (batch: number, classes: number, seed: number) => {
  const r = new Random(seed);
  return Int32Array.from({ length: batch }, () => r.int(classes));
};

describeVariants('loss kernels', (get) => {

    for (const name of ['softmax_xent_sparse_f32', 'softmax_xent_f32'] as const) {
      it(`${name}: loss, probs and accumulated dz for every shape and pointer combination`, (ctx) => {
        const hh = get(ctx);
        for (const [batch, classes] of SHAPES) {
          const n = batch * classes;
          const z = logits(n, batch * 1000 + classes);
          const labels = labelsFor(batch, classes, n);
          let target: Float64Array | Int32Array = labels;
          if (name === 'softmax_xent_f32') {
            // Row 0 one-hot, others soft; the last row sums to 1.5 to exercise p·Σt − t.
            const t = f32round(randomArray(n, n + 9, 0, 1));
            for (let j = 0; j < classes; j++) t[j] = j === labels[0] ? 1 : 0;
            for (let r = 1; r < batch; r++) {
              let s = 0;
              for (let j = 0; j < classes; j++) s += t[r * classes + j];
              const want = r === batch - 1 ? 1.5 : 1;
              for (let j = 0; j < classes; j++) t[r * classes + j] = Math.fround((t[r * classes + j] / s) * want);
            }
            target = t;
          }
          const dz0 = f32round(randomArray(n, n + 17, -1, 1));
          for (const withProbs of [true, false]) {
            for (const withDz of [true, false]) {
              const label = `${name} ${batch}x${classes} probs=${withProbs} dz=${withDz}`;
              const probsWant = withProbs ? new Float64Array(n) : null;
              const dzWant = withDz ? Float64Array.from(dz0) : null;
              const lossWant = (ref[name] as (...a: unknown[]) => number)(probsWant, dzWant, z, target, batch, classes);
              const pp = withProbs ? putGuarded(hh, new Float64Array(n).fill(-1)) : 0;
              const pdz = withDz ? putGuarded(hh, dz0) : 0;
              const pz = putGuarded(hh, z);
              const pt = target instanceof Int32Array ? hh.putI32(target) : putGuarded(hh, target);
              const loss = hh.k[name](pp, pdz, pz, pt, batch, classes);
              expect(Number.isFinite(loss), label).toBe(true);
              expectClose([loss], [lossWant], { ...LOSS_TOL, label: `${label} loss` });
              if (probsWant) {
                expectClose(hh.read(pp, n), probsWant, { rtol: 3e-6, atol: 1e-30, label: `${label} probs` });
                expectGuard(hh, pp, n, `${label} probs`);
              }
              if (dzWant) {
                expectClose(hh.read(pdz, n), dzWant, { ...GRAD_TOL, label: `${label} dz` });
                expectGuard(hh, pdz, n, `${label} dz`);
              }
              expectSame(hh.read(pz, n), z, `${label}: z changed`);
            }
          }
        }
      });
    }

    it('softmax_xent_sparse_f32 at extreme logits: finite loss, no log(0)', (ctx) => {
      const hh = get(ctx);
      const z = f32round([1e4, -1e4, 0, 3e38, -3e38, 1]);
      const labels = Int32Array.from([1, 0]); // the label has probability e^-2e4 and e^-6e38
      const want = ref.softmax_xent_sparse_f32(null, null, z, labels, 2, 3);
      const got = hh.k.softmax_xent_sparse_f32(0, 0, putGuarded(hh, z), hh.putI32(labels), 2, 3);
      expect(Number.isFinite(got)).toBe(true);
      expectClose([got], [want], { rtol: 1e-6, label: 'extreme xent' });
    });

    it('bce_f32: clipped log loss and gradient, zero gradient outside the clip range', (ctx) => {
      const hh = get(ctx);
      for (const n of SIZES) {
        const p = f32round(randomArray(n, n + 1, 0.001, 0.999));
        const t = f32round(randomArray(n, n + 2, 0, 1));
        const special = [0, 1, 1e-9, 1 - 1e-9, ref.BCE_EPS, ref.BCE_HI, 1e-6, 0.999999];
        for (let i = 0; i < n; i += 3) p[i] = Math.fround(special[(i / 3) % special.length]);
        for (let i = 1; i < n; i += 4) t[i] = i % 8 === 1 ? 1 : 0;
        const dp0 = f32round(randomArray(n, n + 3, -1, 1));
        for (const withGrad of [true, false]) {
          const dpWant = withGrad ? Float64Array.from(dp0) : null;
          const lossWant = ref.bce_f32(dpWant, p, t, n);
          const pdp = withGrad ? putGuarded(hh, dp0) : 0;
          const loss = hh.k.bce_f32(pdp, putGuarded(hh, p), putGuarded(hh, t), n);
          expectClose([loss], [lossWant], { ...LOSS_TOL, label: `bce n=${n}` });
          if (dpWant) {
            const scale = Math.max(...dpWant.map(Math.abs));
            expectClose(hh.read(pdp, n), dpWant, { rtol: 4e-6, atol: 1e-7, scale: Math.min(scale, 1), label: `bce dp n=${n}` });
            expectGuard(hh, pdp, n, `bce dp n=${n}`);
          }
        }
      }
    });

    const ELEMENTWISE = [
      { name: 'bce_logits_f32', x: (n: number) => logits(n, n + 5), t: (n: number) => f32round(randomArray(n, n + 6, 0, 1)) },
      { name: 'mse_f32', x: (n: number) => logits(n, n + 7, false), t: (n: number) => logits(n, n + 8, false) },
      { name: 'mae_f32', x: (n: number) => logits(n, n + 9, false), t: (n: number) => logits(n, n + 10, false) },
    ] as const;
    for (const L of ELEMENTWISE) {
      it(`${L.name}: mean loss and accumulated gradient; 0 gradient pointer skips`, (ctx) => {
        const hh = get(ctx);
        for (const n of SIZES) {
          const x = L.x(n);
          const t = L.t(n);
          if (L.name !== 'bce_logits_f32') for (let i = 2; i < n; i += 5) t[i] = x[i]; // y == t: mae grad 0
          const d0 = f32round(randomArray(n, n + 11, -1, 1));
          for (const withGrad of [true, false]) {
            const dWant = withGrad ? Float64Array.from(d0) : null;
            const lossWant = (ref[L.name] as (...a: unknown[]) => number)(dWant, x, t, n);
            const pd = withGrad ? putGuarded(hh, d0) : 0;
            const loss = hh.k[L.name](pd, putGuarded(hh, x), putGuarded(hh, t), n);
            expect(Number.isFinite(loss)).toBe(true);
            expectClose([loss], [lossWant], { ...LOSS_TOL, label: `${L.name} n=${n}` });
            if (dWant) {
              expectClose(hh.read(pd, n), dWant, { ...GRAD_TOL, label: `${L.name} grad n=${n}` });
              expectGuard(hh, pd, n, `${L.name} grad n=${n}`);
            }
          }
        }
      });
    }

    for (const name of ['cce_sparse_f32', 'cce_f32'] as const) {
      it(`${name}: normalised, clipped cross-entropy on outputs that are not a softmax; accumulated dy`, (ctx) => {
        const hh = get(ctx);
        for (const [batch, classes] of SHAPES) {
          const n = batch * classes;
          // Outputs as a linear or sigmoid layer gives them: mostly in (0, 1), some ≤ 0, some
          // near the clip bounds, one row summing to about 1 with a dominant class.
          const y = f32round(randomArray(n, n + 31, 0.01, 1));
          for (let i = 0; i < n; i += 5) y[i] = Math.fround([0, -0.3, 1e-9, 2, ref.BCE_EPS, 1e-12][(i / 5) % 6]);
          if (batch > 1) for (let j = 0; j < classes; j++) y[classes + j] = Math.fround(j === 0 ? 1 - 1e-8 : 1e-9);
          // Rows must not sum to 0: TF.js divides by the sum.
          for (let r = 0; r < batch; r++) {
            let sum = 0;
            for (let j = 0; j < classes; j++) sum += y[r * classes + j];
            if (Math.abs(sum) < 0.05) y[r * classes] = 0.5;
          }
          const labels = labelsFor(batch, classes, n + 1);
          let target: Float64Array | Int32Array = labels;
          if (name === 'cce_f32') {
            const t = f32round(randomArray(n, n + 32, 0, 1));
            for (let j = 0; j < classes; j++) t[j] = j === labels[0] ? 1 : 0;
            target = t;
          }
          const d0 = f32round(randomArray(n, n + 33, -1, 1));
          for (const withGrad of [true, false]) {
            const label = `${name} ${batch}x${classes} grad=${withGrad}`;
            const dWant = withGrad ? Float64Array.from(d0) : null;
            const lossWant = (ref[name] as (...a: unknown[]) => number)(dWant, y, target, batch, classes);
            const pd = withGrad ? putGuarded(hh, d0) : 0;
            const py = putGuarded(hh, y);
            const pt = target instanceof Int32Array ? hh.putI32(target) : putGuarded(hh, target);
            const loss = hh.k[name](pd, py, pt, batch, classes);
            expect(Number.isFinite(loss), label).toBe(true);
            expectClose([loss], [lossWant], { rtol: 5e-6, atol: 1e-6, label: `${label} loss` });
            if (dWant) {
              const scale = Math.max(...dWant.map(Math.abs));
              expectClose(hh.read(pd, n), dWant, { rtol: 2e-5, atol: 1e-7, scale: Math.min(scale, 1), label: `${label} dy` });
              expectGuard(hh, pd, n, `${label} dy`);
            }
            expectSame(hh.read(py, n), y, `${label}: y changed`);
          }
        }
      });
    }

    it('cce_f32 on a softmax output equals softmax_xent_f32 on its logits (no clipping in range)', (ctx) => {
      const hh = get(ctx);
      const [batch, classes] = [4, 6];
      const z = f32round(randomArray(batch * classes, 41, -2, 2));
      const p = new Float64Array(batch * classes);
      ref.softmax_xent_f32(p, null, z, new Float64Array(batch * classes), batch, classes);
      const t = f32round(randomArray(batch * classes, 42, 0, 1));
      const want = ref.softmax_xent_f32(null, null, z, t, batch, classes);
      const got = hh.k.cce_f32(0, putGuarded(hh, f32round(p)), putGuarded(hh, t), batch, classes);
      expectClose([got], [want], { rtol: 2e-6, label: 'cce on softmax' });
    });

    it('scale_rows_f32 scales each row by its weight in place', (ctx) => {
      const hh = get(ctx);
      for (const [rows, cols] of SHAPES) {
        const n = rows * cols;
        const x = f32round(randomArray(n, n + 51, -2, 2));
        const w = f32round(randomArray(rows, n + 52, 0, 3));
        w[0] = 0;
        const want = Float64Array.from(x);
        ref.scale_rows_f32(want, w, rows, cols);
        const px = putGuarded(hh, x);
        hh.k.scale_rows_f32(px, putGuarded(hh, w), rows, cols);
        expectSame(hh.read(px, n), f32round(want), `scale_rows ${rows}x${cols}`);
        expectGuard(hh, px, n, `scale_rows ${rows}x${cols}`);
      }
    });
});

describe('loss references: gradient = central differences of the loss', () => {
  const check = (analytic: Float64Array, f: (x: Float64Array) => number, x: Float64Array) =>
    expect(gradErrorRatio(analytic, numericGrad(f, x), 1e-6, 1e-9)).toBeLessThanOrEqual(1);

  it('softmax_xent_sparse_f32 and softmax_xent_f32 (soft targets, rows not summing to 1)', () => {
    const [B, C] = [3, 5];
    const z = randomArray(B * C, 1, -3, 3);
    const labels = Int32Array.from([4, 0, 2]);
    const g = new Float64Array(B * C);
    ref.softmax_xent_sparse_f32(null, g, z, labels, B, C);
    check(g, (v) => ref.softmax_xent_sparse_f32(null, null, v, labels, B, C), z);
    const t = randomArray(B * C, 2, 0, 0.6);
    const g2 = new Float64Array(B * C);
    ref.softmax_xent_f32(null, g2, z, t, B, C);
    check(g2, (v) => ref.softmax_xent_f32(null, null, v, t, B, C), z);
  });

  it('cce_f32 and cce_sparse_f32 (outputs inside the clip range)', () => {
    const [B, C] = [3, 5];
    const y = randomArray(B * C, 7, 0.05, 0.9);
    const t = randomArray(B * C, 8, 0, 1);
    const g = new Float64Array(B * C);
    ref.cce_f32(g, y, t, B, C);
    check(g, (v) => ref.cce_f32(null, v, t, B, C), y);
    const labels = Int32Array.from([1, 4, 0]);
    const gs = new Float64Array(B * C);
    ref.cce_sparse_f32(gs, y, labels, B, C);
    check(gs, (v) => ref.cce_sparse_f32(null, v, labels, B, C), y);
  });

  it('bce_f32, bce_logits_f32, mse_f32, mae_f32', () => {
    const n = 23;
    const p = randomArray(n, 3, 0.05, 0.95);
    const t = randomArray(n, 4, 0, 1);
    const gp = new Float64Array(n);
    ref.bce_f32(gp, p, t, n);
    check(gp, (v) => ref.bce_f32(null, v, t, n), p);
    const z = randomArray(n, 5, -6, 6);
    const gz = new Float64Array(n);
    ref.bce_logits_f32(gz, z, t, n);
    check(gz, (v) => ref.bce_logits_f32(null, v, t, n), z);
    const y = randomArray(n, 6, -3, 3);
    for (let i = 0; i < n; i++) if (Math.abs(y[i] - t[i]) < 0.01) y[i] += 0.05; // away from the mae kink
    for (const name of ['mse_f32', 'mae_f32'] as const) {
      const g = new Float64Array(n);
      ref[name](g, y, t, n);
      check(g, (v) => ref[name](null, v, t, n), y);
    }
  });
});
