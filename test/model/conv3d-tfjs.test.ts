// Conv3D and the 3-D poolings against TensorFlow.js (cpu backend): the same Sequential model
// built by one builder in both libraries, TF.js given simdnet's initial weights (by layer name),
// then predict, 4 SGD trainOnBatch steps on the same seeded batches, and predict again: losses,
// predictions and every weight agree to 1e-5 relative (+1e-6 absolute). Then files: simdnet
// saves → TF.js loads and predicts the same; TF.js saves → simdnet loads and predicts the same.
// TF.js 4.x has no GlobalMaxPooling3D / GlobalAveragePooling3D (Keras has): the tests give it
// both as small custom layers under Keras's class names, registered for its loader.
// Last, the factories' option errors.
import { beforeAll, describe, expect, it } from 'vitest';
import * as sn from '../../src/index.ts';
import type { Layer as SnLayer } from '../../src/layers/layer.ts';
import { layers as snLayers } from '../../src/layers/index.ts';
import { caseBatch, comparePredict, expectFilesBothWays, expectParity, type SequentialCase, sequentialPair, snT, trainLockstep } from '../helpers/parity.ts';
import { initTfjs, noDiff, Rng, tf, tfl } from '../helpers/tfjs.ts';

const TOL = { rtol: 1e-5, atol: 1e-6 };

/** Keras's GlobalAveragePooling3D / GlobalMaxPooling3D (channels last), which TF.js lacks. */
class TfGlobalPooling3D extends tfl.layers.Layer {
  constructor(
    args: { name?: string; dataFormat?: string },
    private readonly mode: 'avg' | 'max',
  ) {
    super({ name: args?.name });
  }
  override computeOutputShape(s: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = s as tfl.Shape;
    return [shape[0], shape[4]];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return this.mode === 'avg' ? tf.mean(x, [1, 2, 3]) : tf.max(x, [1, 2, 3]);
  }
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), dataFormat: 'channelsLast' };
  }
}
class TfGlobalAveragePooling3D extends TfGlobalPooling3D {
  static className = 'GlobalAveragePooling3D';
  constructor(args: { name?: string }) {
    super(args ?? {}, 'avg');
  }
}
class TfGlobalMaxPooling3D extends TfGlobalPooling3D {
  static className = 'GlobalMaxPooling3D';
  constructor(args: { name?: string }) {
    super(args ?? {}, 'max');
  }
}
tf.serialization.registerClass(TfGlobalAveragePooling3D);
tf.serialization.registerClass(TfGlobalMaxPooling3D);

beforeAll(async () => {
  await sn.init({ deterministic: true });
  await initTfjs();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Lib = any;

/** `tfl.layers` with the two global 3-D poolings added, so one builder makes both models. */
const tfLayers = { ...tfl.layers, globalAveragePooling3d: (a?: { name?: string }) => new TfGlobalAveragePooling3D(a ?? {}), globalMaxPooling3d: (a?: { name?: string }) => new TfGlobalMaxPooling3D(a ?? {}) };
const layersOf = (lib: 'sn' | 'tf'): Lib => (lib === 'sn' ? sn.layers : tfLayers);

type Case = SequentialCase;

const CASES: Case[] = [
  {
    title: 'conv3d → maxPooling3d → flatten → dense',
    build: (L) => [
      L.conv3d({ filters: 4, kernelSize: [3, 2, 3], activation: 'relu', inputShape: [6, 7, 5, 2], name: 'c1', biasInitializer: 'randomNormal' }),
      L.maxPooling3d({ poolSize: 2, name: 'pool' }),
      L.flatten({ name: 'flat' }),
      L.dense({ units: 3, activation: 'softmax', name: 'd' }),
    ],
    inputShape: [6, 7, 5, 2],
    classes: 3,
    batch: 5,
  },
  {
    title: "conv3d(same, strides 2) → averagePooling3d → globalAveragePooling3d → dense",
    build: (L) => [
      L.conv3d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh', inputShape: [7, 6, 8, 3], name: 'c1', biasInitializer: 'randomNormal' }),
      L.averagePooling3d({ poolSize: [2, 1, 2], strides: [1, 1, 2], name: 'pool' }),
      L.globalAveragePooling3d({ name: 'gap' }),
      L.dense({ units: 4, activation: 'softmax', name: 'd' }),
    ],
    inputShape: [7, 6, 8, 3],
    classes: 4,
    batch: 6,
  },
  {
    // The overlapping max pooling comes before a conv: straight into the global max, one value
    // would sit in several pooled cells, and TF.js's max gradient gives each tie the whole dy.
    title: 'conv3d(valid, strides [1, 2, 1], no bias) → maxPooling3d(same, strides 1) → conv3d(same) → globalMaxPooling3d → dense',
    build: (L) => [
      L.conv3d({ filters: 6, kernelSize: [2, 3, 2], strides: [1, 2, 1], useBias: false, activation: 'elu', inputShape: [5, 9, 6, 1], name: 'c1' }),
      // poolH = poolW: TF.js 4.x's cpu maxPool3dPositions numbers a window's cells with
      // wRow·poolH + wCol (not ·poolW), so its MaxPool3DGrad is wrong whenever they differ.
      L.maxPooling3d({ poolSize: [3, 2, 2], strides: 1, padding: 'same', name: 'pool' }),
      L.conv3d({ filters: 3, kernelSize: 2, padding: 'same', name: 'c2', biasInitializer: 'randomNormal' }),
      L.globalMaxPooling3d({ name: 'gmp' }),
      L.dense({ units: 3, activation: 'softmax', name: 'd' }),
    ],
    inputShape: [5, 9, 6, 1],
    classes: 3,
    batch: 4,
  },
];

const makeModels = (c: Case, seed: number) => sequentialPair(c, seed, layersOf('sn'), layersOf('tf'));
const batch = caseBatch;

describe('Conv3D and 3-D pooling agree with TF.js (cpu): predict, 4 SGD steps, every weight', () => {
  for (const c of CASES) {
    it(c.title, async () => {
      const { snModel, tfModel } = makeModels(c, 13);
      const rng = new Rng(777);
      const pred = noDiff();
      try {
        expect(snModel.countParams()).toBe(tfModel.countParams());
        expect(snModel.outputs[0].shape).toEqual(tfModel.outputs[0].shape);
        comparePredict(snModel, tfModel, batch(c, rng).x, 'predict before', TOL, pred);
        const start = snModel.getWeights().map((w) => w.dataSync().slice());
        const r = await trainLockstep(snModel, tfModel, { learningRate: 0.2, steps: 4, tol: TOL, next: () => batch(c, rng) });
        comparePredict(snModel, tfModel, batch(c, rng).x, 'predict after', TOL, pred);
        expectParity(`[conv3d vs TF.js] ${c.title}`, pred, r);
        // Training moved every weight tensor (each kernel's gradient reached it).
        snModel.getWeights().forEach((w, i) => {
          const d = w.dataSync();
          expect(d.some((v, j) => Math.abs(v - start[i][j]) > 1e-6), `weight ${i} moved`).toBe(true);
        });
      } finally {
        snModel.dispose();
        tfModel.dispose();
      }
    });
  }
});

// ------------------------------------------------------------------------------ files both ways

describe('Conv3D and 3-D pooling in model files', () => {
  for (const c of CASES) {
    it(`${c.title}: simdnet saves → TF.js loads, TF.js saves → simdnet loads; both predict the same`, async () => {
      const { snModel, tfModel } = makeModels(c, 29);
      try {
        const x = batch(c, new Rng(5)).x;
        await expectFilesBothWays(snModel, tfModel, x, TOL, ({ snFile: a, tfFile: t, back, want }) => {
          expect((a.weightSpecs ?? []).map((s) => s.name)).toEqual(expect.arrayContaining(['c1/kernel']));
          expect(a.weightSpecs!.find((s) => s.name === 'c1/kernel')!.shape).toEqual([...(snModel.layers[0] as SnLayer).params[0].shape]);
          // simdnet's own file round-trips to the same configs and predictions.
          back.layers.forEach((l, i) => expect(l.getConfig(), l.name).toEqual(snModel.layers[i].getConfig()));
          expect(Array.from((back.predict(snT(x)) as sn.Tensor).dataSync()), 'simdnet from simdnet file').toEqual(Array.from(want));
          // TF.js writes the same configs, key for key, for the layers it has.
          const tfConfigs = (t.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
          const snConfigs = (a.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
          for (const [i, l] of tfConfigs.entries()) {
            if (!['Conv3D', 'MaxPooling3D', 'AveragePooling3D'].includes(l.class_name)) continue;
            expect(snConfigs[i].class_name).toBe(l.class_name);
            expect(Object.keys(snConfigs[i].config).sort(), l.config.name as string).toEqual(Object.keys(l.config).sort());
          }
        });
      } finally {
        snModel.dispose();
        tfModel.dispose();
      }
    });
  }
});

// ------------------------------------------------------------------------------ option errors

describe('Conv3D and 3-D pooling options', () => {
  it('refuse what they do not implement, naming the layer, the option and the value', () => {
    expect(() => snLayers.conv3d({ filters: 2, kernelSize: 3, dilationRate: 2 })).toThrow(/dilationRate must be 1.*got 2/);
    expect(() => snLayers.conv3d({ filters: 2, kernelSize: [3, 3] })).toThrow(/kernelSize: expected a positive integer or three of them, got \[3, ?3\]/);
    expect(() => snLayers.conv3d({ filters: 2, kernelSize: 3, padding: 'causal' as 'same' })).toThrow(/padding must be 'valid' or 'same'/);
    expect(() => snLayers.conv3d({ filters: 0, kernelSize: 3 })).toThrow(/filters/);
    expect(() => snLayers.conv3d({ filters: 2, kernelSize: 3, kernelConstraint: 'maxNorm' } as never)).toThrow(/kernelConstraint/);
    expect(() => snLayers.conv3d({ filters: 2, kernelSize: 3, dataFormat: 'channelsFirst' as 'channelsLast' })).toThrow(/channelsLast/);
    expect(() => snLayers.maxPooling3d({ poolSize: [2, 2] })).toThrow(/poolSize: expected a positive integer or three of them/);
    expect(() => snLayers.averagePooling3d({ strides: 0 })).toThrow(/strides/);
    expect(() => snLayers.averagePooling3d({ padding: 'full' as 'same' })).toThrow(/padding must be 'valid' or 'same'/);
    expect(() => snLayers.globalAveragePooling3d({ keepdims: true } as never)).toThrow(/keepdims/);
  });

  it('check the input rank and window fit at apply', () => {
    expect(() => snLayers.conv3d({ filters: 2, kernelSize: 3 }).apply(sn.input({ shape: [8, 8, 3] }))).toThrow(/expects input \[depth, height, width, channels\], got \[8,8,3\]/);
    expect(() => snLayers.conv3d({ filters: 2, kernelSize: [2, 5, 2] }).apply(sn.input({ shape: [4, 4, 4, 1] }))).toThrow(/height/);
    expect(() => snLayers.globalMaxPooling3d().apply(sn.input({ shape: [4, 4, 1] }))).toThrow(/expects input \[depth, height, width, channels\]/);
  });

  it('defaults as TF.js: poolSize 2, strides = poolSize, valid; kernel [kd, kh, kw, in, out]', () => {
    const p = snLayers.maxPooling3d();
    expect(p.getConfig()).toMatchObject({ poolSize: [2, 2, 2], strides: [2, 2, 2], padding: 'valid', dataFormat: 'channelsLast' });
    const conv = snLayers.conv3d({ filters: 4, kernelSize: [1, 2, 3] });
    conv.apply(sn.input({ shape: [3, 4, 5, 2] }));
    expect(conv.params.map((q) => q.shape)).toEqual([[1, 2, 3, 2, 4], [4]]);
    expect(conv.outShape).toEqual([3, 3, 3, 4]);
  });
});
