// Gradients through graph models: (1) utils.checkGradients (backprop vs finite differences)
// through every merge layer, fan-out, shared layers, several outputs and residual CNNs;
// (2) utils.gradients on small graphs against values derived by hand.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import { Random } from '../../src/random.ts';

beforeAll(async () => {
  await sn.init({ deterministic: true });
});

const N = 6;
const rnd = new Random(31);
const uniform = (shape: number[], lo = -1, hi = 1) =>
  sn.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => lo + (hi - lo) * rnd.uniform()), shape);
const labels = (n: number, classes: number) => sn.tensor(Int32Array.from({ length: n }, (_, i) => (i * 5 + 1) % classes), [n], 'int32');

/** What the tests need of a merge layer (the classes differ; `apply` is common). */
type MergeLayer = Pick<ReturnType<typeof sn.layers.add>, 'apply'>;

const dense = (name: string, units: number, activation = 'linear') =>
  sn.layers.dense({ units, activation, name, biasInitializer: 'randomNormal' });
const conv = (name: string, filters: number, kernelSize: number, activation = 'linear') =>
  sn.layers.conv2d({ filters, kernelSize, padding: 'same', activation, name, biasInitializer: 'randomNormal' });

// ---------------------------------------------------------------------------------------------
// checkGradients
// ---------------------------------------------------------------------------------------------

interface GradCase {
  build(): ReturnType<typeof sn.model>;
  x: sn.Tensor | sn.Tensor[];
  y: sn.Tensor | sn.Tensor[];
  loss: string | string[];
  lossWeights?: number[];
}

/**
 * Branch outputs (eager layer.apply on the model's own layers) at least this far apart: the
 * finite differences move weights by up to 2h = 6e-3·max(1, |w|), and a max/min gate whose
 * two candidates are closer than that can switch winner inside the stencil (a kink, not a bug).
 */
const TIE_MARGIN = 2e-2;
interface Branches {
  /** [layer name, its input] per branch of a maximum/minimum. */
  of: [string, sn.Tensor][];
}
function smallestGap(m: ReturnType<typeof sn.model>, b: Branches): number {
  const outs = b.of.map(([name, x]) => (m.getLayer(name).apply(x) as sn.Tensor).dataSync());
  let gap = Infinity;
  for (let i = 0; i < outs[0].length; i++) {
    for (let p = 0; p < outs.length; p++) for (let q = p + 1; q < outs.length; q++) gap = Math.min(gap, Math.abs(outs[p][i] - outs[q][i]));
  }
  return gap;
}

function check(c: GradCase, seed = 5, ties?: Branches) {
  sn.setSeed(seed);
  let m = c.build();
  if (ties) {
    // The first seed whose branches are TIE_MARGIN apart everywhere.
    for (let s = seed + 1; smallestGap(m, ties) < TIE_MARGIN; s++) {
      expect(s, 'no seed in 20 tries keeps the max/min candidates apart').toBeLessThan(seed + 20);
      m.dispose();
      sn.setSeed(s);
      m = c.build();
    }
  }
  try {
    m.compile({ optimizer: 'sgd', loss: c.loss, ...(c.lossWeights ? { lossWeights: c.lossWeights } : {}) });
    const r = sn.utils.checkGradients(m, c.x, c.y);
    expect(r.checked).toBeGreaterThan(10);
    // Every layer with weights is checked (a shared layer once).
    const weighted = m.layers.filter((l) => l.getWeights().length > 0).map((l) => l.name);
    expect(Object.keys(r.perLayer).sort()).toEqual([...new Set(weighted)].sort());
    expect(r.maxError, JSON.stringify({ perLayer: r.perLayer, worstEntry: r.worstEntry })).toBeLessThan(1e-3);
    return r;
  } finally {
    m.dispose();
  }
}

describe('checkGradients < 1e-3 through each merge layer', () => {
  const xa = uniform([N, 5]);
  const xb = uniform([N, 5]);
  const y = labels(N, 3);
  const merges: [string, () => MergeLayer][] = [
    ['add', () => sn.layers.add({ name: 'merge' })],
    ['subtract', () => sn.layers.subtract({ name: 'merge' })],
    ['multiply', () => sn.layers.multiply({ name: 'merge' })],
    ['average', () => sn.layers.average({ name: 'merge' })],
    ['maximum', () => sn.layers.maximum({ name: 'merge' })],
    ['minimum', () => sn.layers.minimum({ name: 'merge' })],
    ['concatenate', () => sn.layers.concatenate({ axis: -1, name: 'merge' })],
    ['dot axes 1', () => sn.layers.dot({ axes: 1, name: 'merge' })],
    ['dot axes -1', () => sn.layers.dot({ axes: -1, name: 'merge' })],
  ];
  const gated = (t: string) => t === 'maximum' || t === 'minimum';
  for (const [title, merge] of merges) {
    it(title, () => {
      check({
        build() {
          const a = sn.input({ shape: [5], name: 'in_a' });
          const b = sn.input({ shape: [5], name: 'in_b' });
          const m = merge().apply([dense('da', 4, 'tanh').apply(a), dense('db', 4, 'tanh').apply(b)]);
          return sn.model({ inputs: [a, b], outputs: dense('out', 3, 'softmax').apply(m) });
        },
        x: [xa, xb],
        y,
        loss: 'sparseCategoricalCrossentropy',
      }, 5, gated(title) ? { of: [['da', xa], ['db', xb]] } : undefined);
    });
  }
  for (const [title, merge] of merges.filter(([t]) => ['add', 'multiply', 'average', 'maximum', 'minimum', 'concatenate'].includes(t))) {
    it(`${title} of three branches of one input`, () => {
      check({
        build() {
          const x = sn.input({ shape: [5], name: 'x' });
          const m = merge().apply(['p', 'q', 'r'].map((n) => dense(n, 4, 'tanh').apply(x)));
          return sn.model({ inputs: x, outputs: dense('out', 3, 'softmax').apply(m) });
        },
        x: xa,
        y,
        loss: 'sparseCategoricalCrossentropy',
      }, 5, gated(title) ? { of: [['p', xa], ['q', xa], ['r', xa]] } : undefined);
    });
  }
});

describe('checkGradients < 1e-3 through fan-out, shared layers and several outputs', () => {
  const x = uniform([N, 5]);
  const x2 = uniform([N, 5]);
  const y = labels(N, 3);
  const real = uniform([N, 2]);

  it('fan-out: one hidden tensor read by two dense layers, merged by add', () => {
    check({
      build() {
        const i = sn.input({ shape: [5], name: 'x' });
        const h = dense('h', 6, 'tanh').apply(i);
        const p = dense('p', 4, 'tanh').apply(h);
        const q = dense('q', 4, 'sigmoid').apply(h);
        return sn.model({ inputs: i, outputs: dense('out', 3, 'softmax').apply(sn.layers.add({ name: 'sum' }).apply([p, q])) });
      },
      x,
      y,
      loss: 'sparseCategoricalCrossentropy',
    });
  });

  it('fan-out into a merge: a residual skip (h feeds a dense layer and the add)', () => {
    check({
      build() {
        const i = sn.input({ shape: [5], name: 'x' });
        const h = dense('h', 4, 'tanh').apply(i);
        const g = dense('g', 4, 'tanh').apply(h);
        const r = sn.layers.add({ name: 'res' }).apply([g, h]);
        return sn.model({ inputs: i, outputs: dense('out', 3, 'softmax').apply(r) });
      },
      x,
      y,
      loss: 'sparseCategoricalCrossentropy',
    });
  });

  it('fan-out of the input itself: x into two dense layers and into a concatenate', () => {
    check({
      build() {
        const i = sn.input({ shape: [5], name: 'x' });
        const c = sn.layers.concatenate({ name: 'cat' }).apply([dense('p', 3, 'tanh').apply(i), i, dense('q', 2, 'elu').apply(i)]);
        return sn.model({ inputs: i, outputs: dense('out', 3, 'softmax').apply(c) });
      },
      x,
      y,
      loss: 'sparseCategoricalCrossentropy',
    });
  });

  it('the same tensor twice into one merge: multiply([h, h]) and add([h, h])', () => {
    check({
      build() {
        const i = sn.input({ shape: [5], name: 'x' });
        const h = dense('h', 4, 'tanh').apply(i);
        const sq = sn.layers.multiply({ name: 'sq' }).apply([h, h]);
        const tw = sn.layers.add({ name: 'twice' }).apply([h, h]);
        const c = sn.layers.concatenate({ name: 'cat' }).apply([sq, tw]);
        return sn.model({ inputs: i, outputs: dense('out', 3, 'softmax').apply(c) });
      },
      x,
      y,
      loss: 'sparseCategoricalCrossentropy',
    });
  });

  it('a shared dense layer applied to two inputs (one set of weights, two uses)', () => {
    check({
      build() {
        const a = sn.input({ shape: [5], name: 'in_a' });
        const b = sn.input({ shape: [5], name: 'in_b' });
        const shared = dense('shared', 4, 'tanh');
        const m = sn.layers.subtract({ name: 'diff' }).apply([shared.apply(a), shared.apply(b)]);
        return sn.model({ inputs: [a, b], outputs: dense('out', 3, 'softmax').apply(m) });
      },
      x: [x, x2],
      y,
      loss: 'sparseCategoricalCrossentropy',
    });
  });

  it('a shared dense layer applied twice in series: s(s(h))', () => {
    check({
      build() {
        const i = sn.input({ shape: [5], name: 'x' });
        const h = dense('h', 4, 'tanh').apply(i);
        const s = dense('s', 4, 'tanh');
        return sn.model({ inputs: i, outputs: dense('out', 3, 'softmax').apply(s.apply(s.apply(h))) });
      },
      x,
      y,
      loss: 'sparseCategoricalCrossentropy',
    });
  });

  it('two outputs with loss weights (softmax + cross-entropy, linear + MSE) sharing a trunk', () => {
    check({
      build() {
        const a = sn.input({ shape: [5], name: 'in_a' });
        const b = sn.input({ shape: [5], name: 'in_b' });
        const shared = dense('shared', 4, 'tanh');
        const ha = shared.apply(a);
        const hb = shared.apply(b);
        const cat = sn.layers.concatenate({ name: 'cat' }).apply([sn.layers.add({ name: 'sum' }).apply([ha, hb]), sn.layers.multiply({ name: 'prod' }).apply([ha, hb])]);
        return sn.model({ inputs: [a, b], outputs: [dense('cls', 3, 'softmax').apply(cat), dense('reg', 2).apply(cat)] });
      },
      x: [x, x2],
      y: [y, real],
      loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'],
      lossWeights: [1, 0.5],
    });
  });

  it('residual CNN block: conv → conv → add skip → relu → flatten → dense', () => {
    check({
      build() {
        const i = sn.input({ shape: [5, 5, 2], name: 'img' });
        const c1 = conv('c1', 3, 3, 'tanh').apply(i);
        const c2 = conv('c2', 3, 3).apply(c1);
        const r = sn.layers.add({ name: 'res' }).apply([c2, c1]);
        const act = sn.layers.activation({ activation: 'tanh', name: 'act' }).apply(r);
        return sn.model({ inputs: i, outputs: dense('out', 3, 'softmax').apply(sn.layers.flatten({ name: 'flat' }).apply(act)) });
      },
      x: uniform([4, 5, 5, 2]),
      y: labels(4, 3),
      loss: 'sparseCategoricalCrossentropy',
    });
  });

  it('conv branches concatenated on channels → global average pooling → dense', () => {
    check({
      build() {
        const i = sn.input({ shape: [5, 5, 2], name: 'img' });
        const cat = sn.layers.concatenate({ axis: -1, name: 'cat' }).apply([conv('b1', 3, 3, 'tanh').apply(i), conv('b2', 2, 1, 'sigmoid').apply(i)]);
        return sn.model({ inputs: i, outputs: dense('out', 3, 'softmax').apply(sn.layers.globalAveragePooling2d({ name: 'gap' }).apply(cat)) });
      },
      x: uniform([4, 5, 5, 2]),
      y: labels(4, 3),
      loss: 'sparseCategoricalCrossentropy',
    });
  });
});

// ---------------------------------------------------------------------------------------------
// utils.gradients against hand-derived values
// ---------------------------------------------------------------------------------------------

const closeTo = (actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 1e-5) => {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    expect(Math.abs(actual[i] - e), `${what}[${i}]: ${actual[i]} vs expected ${e}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  }
};
const vals = (t: sn.Tensor) => Array.from(t.dataSync());

describe('utils.gradients, without y (d Σ outputs), against hand-derived values', () => {
  // x: [N=2, 3]; W: [3, 2]; b: [2]
  const X = [0.5, -1, 2, 1.5, 0.25, -0.75];
  const W = [0.1, -0.2, 0.3, 0.4, -0.5, 0.6];
  const B = [0.05, -0.07];

  it('y = dense(x): dW[i][j] = Σₙ x[n][i], db[j] = N, dx[n][i] = Σⱼ W[i][j]', () => {
    const i = sn.input({ shape: [3], name: 'x' });
    const d = sn.layers.dense({ units: 2, name: 'd' });
    const m = sn.model({ inputs: i, outputs: d.apply(i) });
    d.setWeights([sn.tensor(W, [3, 2]), sn.tensor(B, [2])]);
    const g = sn.utils.gradients(m, sn.tensor(X, [2, 3]));
    expect(g.inputs.length).toBe(1);
    expect(g.weights.length).toBe(2);
    expect([...g.inputs[0].shape]).toEqual([2, 3]);
    expect([...g.weights[0].shape]).toEqual([3, 2]);
    const colSum = [X[0] + X[3], X[1] + X[4], X[2] + X[5]];
    closeTo(vals(g.weights[0]), [colSum[0], colSum[0], colSum[1], colSum[1], colSum[2], colSum[2]], 'dW');
    closeTo(vals(g.weights[1]), [2, 2], 'db');
    const rowSumW = [W[0] + W[1], W[2] + W[3], W[4] + W[5]];
    closeTo(vals(g.inputs[0]), [...rowSumW, ...rowSumW], 'dx');
    m.dispose();
  });

  const A = [0.5, -2, 3, 1];
  const Bv = [1.5, 4, -1, 0.25];
  const Cv = [-0.5, 1, 2, 3];
  const two = (merge: () => MergeLayer, n = 2) => {
    const ins = ['a', 'b', 'c'].slice(0, n).map((name) => sn.input({ shape: [2], name }));
    const m = sn.model({ inputs: ins, outputs: merge().apply(ins) });
    const g = sn.utils.gradients(m, [sn.tensor(A, [2, 2]), sn.tensor(Bv, [2, 2]), sn.tensor(Cv, [2, 2])].slice(0, n));
    m.dispose();
    expect(g.weights.length).toBe(0);
    expect(g.inputs.length).toBe(n);
    return g.inputs.map(vals);
  };

  it('multiply gate: z = a·b gives dz/da = b, dz/db = a', () => {
    const [da, db] = two(() => sn.layers.multiply());
    closeTo(da, Bv, 'da');
    closeTo(db, A, 'db');
  });
  it('multiply of three: d/da = b·c', () => {
    const [da, db, dc] = two(() => sn.layers.multiply(), 3);
    closeTo(da, Bv.map((b, i) => b * Cv[i]), 'da');
    closeTo(db, A.map((a, i) => a * Cv[i]), 'db');
    closeTo(dc, A.map((a, i) => a * Bv[i]), 'dc');
  });
  it('add gate passes 1 to each input; subtract passes +1 and −1', () => {
    const [a1, b1] = two(() => sn.layers.add());
    closeTo(a1, [1, 1, 1, 1], 'add da');
    closeTo(b1, [1, 1, 1, 1], 'add db');
    const [a2, b2] = two(() => sn.layers.subtract());
    closeTo(a2, [1, 1, 1, 1], 'subtract da');
    closeTo(b2, [-1, -1, -1, -1], 'subtract db');
  });
  it('average of three passes 1/3 to each input', () => {
    for (const g of two(() => sn.layers.average(), 3)) closeTo(g, [1 / 3, 1 / 3, 1 / 3, 1 / 3], 'average');
  });
  it('max gate: the gradient goes to the winner only (min gate: to the smallest)', () => {
    // A = [0.5, -2, 3, 1], B = [1.5, 4, -1, 0.25], C = [-0.5, 1, 2, 3]
    const [ma, mb] = two(() => sn.layers.maximum());
    closeTo(ma, [0, 0, 1, 1], 'maximum da');
    closeTo(mb, [1, 1, 0, 0], 'maximum db');
    const [m3a, m3b, m3c] = two(() => sn.layers.maximum(), 3);
    closeTo(m3a, [0, 0, 1, 0], 'maximum3 da');
    closeTo(m3b, [1, 1, 0, 0], 'maximum3 db');
    closeTo(m3c, [0, 0, 0, 1], 'maximum3 dc');
    const [na, nb] = two(() => sn.layers.minimum());
    closeTo(na, [1, 1, 0, 0], 'minimum da');
    closeTo(nb, [0, 0, 1, 1], 'minimum db');
  });
  it('concatenate passes ones back to each part; dot gives d(a·b)/da = b', () => {
    const [ca, cb] = two(() => sn.layers.concatenate());
    closeTo(ca, [1, 1, 1, 1], 'concatenate da');
    closeTo(cb, [1, 1, 1, 1], 'concatenate db');
    const [da, db] = two(() => sn.layers.dot({ axes: 1 }));
    closeTo(da, Bv, 'dot da');
    closeTo(db, A, 'dot db');
  });

  it('fan-out sums: add([x, x]) gives 2, multiply([x, x]) gives 2x, add([dense(x), x]) gives ΣⱼW + 1', () => {
    const x = sn.tensor(X, [2, 3]);
    {
      const i = sn.input({ shape: [3] });
      const m = sn.model({ inputs: i, outputs: sn.layers.add().apply([i, i]) });
      closeTo(vals(sn.utils.gradients(m, x).inputs[0]), X.map(() => 2), 'add([x, x])');
      m.dispose();
    }
    {
      const i = sn.input({ shape: [3] });
      const m = sn.model({ inputs: i, outputs: sn.layers.multiply().apply([i, i]) });
      closeTo(vals(sn.utils.gradients(m, x).inputs[0]), X.map((v) => 2 * v), 'multiply([x, x])');
      m.dispose();
    }
    {
      const i = sn.input({ shape: [3] });
      const d = sn.layers.dense({ units: 3, name: 'd3' });
      const m = sn.model({ inputs: i, outputs: sn.layers.add().apply([d.apply(i), i]) });
      const W3 = [0.1, 0.2, 0.3, -0.4, 0.5, -0.6, 0.7, 0.8, -0.9];
      d.setWeights([sn.tensor(W3, [3, 3]), sn.tensor([0, 0, 0], [3])]);
      const rs = [0, 1, 2].map((r) => W3[3 * r] + W3[3 * r + 1] + W3[3 * r + 2] + 1);
      const g = sn.utils.gradients(m, x);
      closeTo(vals(g.inputs[0]), [...rs, ...rs], 'add([dense(x), x])');
      // dW[i][j] = Σₙ x[n][i] for every j
      const cs = [0, 1, 2].map((c) => X[c] + X[3 + c]);
      closeTo(vals(g.weights[0]), cs.flatMap((v) => [v, v, v]), 'dW');
      m.dispose();
    }
  });

  it('a shared layer applied twice: y = w(wx + b) + b gives dw = Σ(2wx + b), db = N(w + 1), dx = w²', () => {
    const [w, b] = [0.7, -0.3];
    const xs = [0.5, -1.25, 2];
    const i = sn.input({ shape: [1] });
    const s = sn.layers.dense({ units: 1, name: 's' });
    const m = sn.model({ inputs: i, outputs: s.apply(s.apply(i)) });
    s.setWeights([sn.tensor([w], [1, 1]), sn.tensor([b], [1])]);
    expect(m.getWeights().length).toBe(2);
    const g = sn.utils.gradients(m, sn.tensor(xs, [3, 1]));
    closeTo(vals(g.weights[0]), [xs.reduce((acc, x) => acc + 2 * w * x + b, 0)], 'dw');
    closeTo(vals(g.weights[1]), [3 * (w + 1)], 'db');
    closeTo(vals(g.inputs[0]), xs.map(() => w * w), 'dx');
    m.dispose();
  });
});

describe('utils.gradients with y (d compiled loss), against hand-derived values', () => {
  const X = [0.5, -1, 2, 1.5, 0.25, -0.75]; // [2, 3]
  const W = [0.1, -0.2, 0.3, 0.4, -0.5, 0.6]; // [3, 2]
  const Bb = [0.05, -0.07];
  /** p = xW + b for x [n, k], W [k, u]. */
  const affine = (x: number[], w: number[], b: number[], n: number, k: number, u: number) =>
    Array.from({ length: n * u }, (_, t) => {
      const [r, c] = [Math.floor(t / u), t % u];
      let s = b[c];
      for (let j = 0; j < k; j++) s += x[r * k + j] * w[j * u + c];
      return s;
    });
  /** xᵀ·d ([k, u]), Σₙ d ([u]) and d·Wᵀ ([n, k]). */
  const backDense = (x: number[], w: number[], d: number[], n: number, k: number, u: number) => ({
    dW: Array.from({ length: k * u }, (_, t) => {
      const [j, c] = [Math.floor(t / u), t % u];
      let s = 0;
      for (let r = 0; r < n; r++) s += x[r * k + j] * d[r * u + c];
      return s;
    }),
    db: Array.from({ length: u }, (_, c) => {
      let s = 0;
      for (let r = 0; r < n; r++) s += d[r * u + c];
      return s;
    }),
    dx: Array.from({ length: n * k }, (_, t) => {
      const [r, j] = [Math.floor(t / k), t % k];
      let s = 0;
      for (let c = 0; c < u; c++) s += d[r * u + c] * w[j * u + c];
      return s;
    }),
  });

  it('dense + MSE: dp = 2(p − t)/(N·units)', () => {
    const T = [1, -1, 0.5, 0.25];
    const i = sn.input({ shape: [3], name: 'x' });
    const d = sn.layers.dense({ units: 2, name: 'd' });
    const m = sn.model({ inputs: i, outputs: d.apply(i) });
    d.setWeights([sn.tensor(W, [3, 2]), sn.tensor(Bb, [2])]);
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const p = affine(X, W, Bb, 2, 3, 2);
    const dp = p.map((v, t) => (2 * (v - T[t])) / 4);
    const e = backDense(X, W, dp, 2, 3, 2);
    const g = sn.utils.gradients(m, sn.tensor(X, [2, 3]), sn.tensor(T, [2, 2]));
    closeTo(vals(g.weights[0]), e.dW, 'dW');
    closeTo(vals(g.weights[1]), e.db, 'db');
    closeTo(vals(g.inputs[0]), e.dx, 'dx');
    m.dispose();
  });

  it('dense softmax + sparse cross-entropy: dz = (softmax(z) − onehot)/N', () => {
    const labelsv = [1, 0];
    const i = sn.input({ shape: [3], name: 'x' });
    const d = sn.layers.dense({ units: 2, activation: 'softmax', name: 'd' });
    const m = sn.model({ inputs: i, outputs: d.apply(i) });
    d.setWeights([sn.tensor(W, [3, 2]), sn.tensor(Bb, [2])]);
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const z = affine(X, W, Bb, 2, 3, 2);
    const dz: number[] = [];
    for (let r = 0; r < 2; r++) {
      const mx = Math.max(z[2 * r], z[2 * r + 1]);
      const e = [Math.exp(z[2 * r] - mx), Math.exp(z[2 * r + 1] - mx)];
      const s = e[0] + e[1];
      for (let c = 0; c < 2; c++) dz.push((e[c] / s - (c === labelsv[r] ? 1 : 0)) / 2);
    }
    const e = backDense(X, W, dz, 2, 3, 2);
    const g = sn.utils.gradients(m, sn.tensor(X, [2, 3]), sn.tensor(labelsv, [2], 'int32'));
    closeTo(vals(g.weights[0]), e.dW, 'dW');
    closeTo(vals(g.weights[1]), e.db, 'db');
    closeTo(vals(g.inputs[0]), e.dx, 'dx');
    m.dispose();
  });

  it('two outputs with lossWeights [1, 0.5]: weights of each head scale with its weight; dx sums both heads', () => {
    const T = [1, -1, 0.5, 0.25];
    const W2 = [0.3, 0.2, -0.1, -0.4, 0.25, 0.15];
    const B2 = [0.01, 0.02];
    const i = sn.input({ shape: [3], name: 'x' });
    const h1 = sn.layers.dense({ units: 2, name: 'h1' });
    const h2 = sn.layers.dense({ units: 2, name: 'h2' });
    const m = sn.model({ inputs: i, outputs: [h1.apply(i), h2.apply(i)] });
    h1.setWeights([sn.tensor(W, [3, 2]), sn.tensor(Bb, [2])]);
    h2.setWeights([sn.tensor(W2, [3, 2]), sn.tensor(B2, [2])]);
    m.compile({ optimizer: 'sgd', loss: ['meanSquaredError', 'meanSquaredError'], lossWeights: [1, 0.5] });
    const d1 = affine(X, W, Bb, 2, 3, 2).map((v, t) => (2 * (v - T[t])) / 4);
    const d2 = affine(X, W2, B2, 2, 3, 2).map((v, t) => (0.5 * 2 * (v - T[t])) / 4);
    const e1 = backDense(X, W, d1, 2, 3, 2);
    const e2 = backDense(X, W2, d2, 2, 3, 2);
    const y = sn.tensor(T, [2, 2]);
    const g = sn.utils.gradients(m, sn.tensor(X, [2, 3]), [y, y]);
    // weights follow model.getWeights(): find which layer each entry belongs to.
    const owners = m.layers.flatMap((l) => l.getWeights().map(() => l.name));
    expect(owners.length).toBe(4);
    const at = (name: string, k: number) => g.weights[owners.indexOf(name) + k];
    closeTo(vals(at('h1', 0)), e1.dW, 'h1 dW');
    closeTo(vals(at('h1', 1)), e1.db, 'h1 db');
    closeTo(vals(at('h2', 0)), e2.dW, 'h2 dW');
    closeTo(vals(at('h2', 1)), e2.db, 'h2 db');
    closeTo(vals(g.inputs[0]), e1.dx.map((v, t) => v + e2.dx[t]), 'dx');
    m.dispose();
  });

  it('without y, the same two-output model differentiates the sum of both outputs', () => {
    const i = sn.input({ shape: [3], name: 'x' });
    const h1 = sn.layers.dense({ units: 2, name: 'h1' });
    const h2 = sn.layers.dense({ units: 2, name: 'h2' });
    const m = sn.model({ inputs: i, outputs: [h1.apply(i), h2.apply(i)] });
    const W2 = [0.3, 0.2, -0.1, -0.4, 0.25, 0.15];
    h1.setWeights([sn.tensor(W, [3, 2]), sn.tensor(Bb, [2])]);
    h2.setWeights([sn.tensor(W2, [3, 2]), sn.tensor([0, 0], [2])]);
    const g = sn.utils.gradients(m, sn.tensor(X, [2, 3]));
    const rs = [0, 1, 2].map((r) => W[2 * r] + W[2 * r + 1] + W2[2 * r] + W2[2 * r + 1]);
    closeTo(vals(g.inputs[0]), [...rs, ...rs], 'dx');
    for (const w of g.weights.filter((t) => t.rank === 1)) closeTo(vals(w), [2, 2], 'db');
    m.dispose();
  });
});
