// Model files made by TF.js (Node, cpu backend) for the Deno and Chromium model-file checks: no
// checked-in binaries. Each model is saved through tf.io.withSaveHandler, then its weights are
// re-sharded the way the tensorflowjs converter writes them (several groups, several files per
// group, shard boundaries inside a weight), and TF.js's own prediction on a fixed input is kept
// as the expected output.
//
//   makeIoFixtures() -> { files: Map<relPath, Uint8Array>, cases: [{ name, dir, inputShape, input, expected }] }
//   relPath: '<dir>/model.json' and '<dir>/<shard>'; serve them or write them to a folder.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';

const wave = (n, k) => Array.from({ length: n }, (_, i) => Math.sin(i * k + 0.3) * 0.9);

/** Splits the weights into `groups` (lists of weight counts) and each group's bytes into `cuts` files. */
function shard(artifacts, dir, plan) {
  const specs = artifacts.weightSpecs;
  const data = new Uint8Array(artifacts.weightData);
  const bytesOf = (w) => w.shape.reduce((a, b) => a * b, 1) * 4;
  const files = new Map();
  const manifest = [];
  let w = 0;
  let at = 0;
  plan.forEach(({ weights, cuts }, gi) => {
    const groupSpecs = specs.slice(w, w + weights);
    w += weights;
    const size = groupSpecs.reduce((s, x) => s + bytesOf(x), 0);
    const bytes = data.subarray(at, at + size);
    at += size;
    // Cut points as fractions of the group, rounded to odd byte offsets: weights straddle files.
    const points = [0, ...cuts.map((f) => Math.floor(size * f) | 1), size];
    const paths = [];
    for (let i = 0; i + 1 < points.length; i++) {
      const name = `group${gi + 1}-shard${i + 1}of${points.length - 1}.bin`;
      files.set(`${dir}/${name}`, bytes.slice(points[i], points[i + 1]));
      paths.push(name);
    }
    manifest.push({ paths, weights: groupSpecs });
  });
  if (w !== specs.length || at !== data.length) throw new Error(`io-fixtures: the plan for ${dir} covers ${w} of ${specs.length} weights`);
  const json = {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: 'TensorFlow.js Converter (re-sharded by the simdnet tests)',
    modelTopology: artifacts.modelTopology,
    weightsManifest: manifest,
  };
  files.set(`${dir}/model.json`, new TextEncoder().encode(JSON.stringify(json)));
  return files;
}

async function artifactsOf(model) {
  let out = null;
  await model.save(tf.io.withSaveHandler(async (a) => ((out = a), { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) })));
  return out;
}

export async function makeIoFixtures() {
  await tf.setBackend('cpu');
  await tf.ready();
  const seed = (s) => tfl.initializers.randomUniform({ minval: -0.6, maxval: 0.6, seed: s });
  const files = new Map();
  const cases = [];

  // An MLP: 2 groups (the first in 3 files, the second in 2).
  const mlp = tfl.sequential({
    layers: [
      tfl.layers.dense({ units: 16, inputShape: [6], activation: 'relu', kernelInitializer: seed(1), biasInitializer: seed(2), name: 'hidden' }),
      tfl.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: seed(3), biasInitializer: seed(4), name: 'probs' }),
    ],
  });
  // A CNN: conv, pool, flatten, dense; one group in 2 files.
  const cnn = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [8, 8, 1], activation: 'relu', kernelInitializer: seed(5), biasInitializer: seed(6), name: 'conv' }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tfl.layers.flatten({ name: 'flat' }),
      tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: seed(7), biasInitializer: seed(8), name: 'out' }),
    ],
  });
  const models = [
    { name: 'TF.js MLP, 2 groups in 5 shard files', dir: 'tfjs-mlp', model: mlp, inputShape: [3, 6], plan: [{ weights: 2, cuts: [0.3, 0.7] }, { weights: 2, cuts: [0.5] }] },
    { name: 'TF.js CNN, 1 group in 2 shard files', dir: 'tfjs-cnn', model: cnn, inputShape: [2, 8, 8, 1], plan: [{ weights: 4, cuts: [0.45] }] },
  ];
  for (const m of models) {
    const a = await artifactsOf(m.model);
    for (const [k, v] of shard(a, m.dir, m.plan)) files.set(k, v);
    const n = m.inputShape.reduce((x, y) => x * y, 1);
    const input = wave(n, 0.37);
    const y = m.model.predict(tf.tensor(input, m.inputShape));
    cases.push({ name: m.name, dir: m.dir, inputShape: m.inputShape, input, expected: Array.from(await y.data()) });
    y.dispose();
    m.model.dispose();
  }
  return { files, cases };
}
