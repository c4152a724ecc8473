// The TF.js "handwritten digits with a CNN" codelab: a data class that shuffles with
// tf.util.createShuffledIndices and hands out batches built in tf.tidy, conv2d/maxPooling2d with
// kernelInitializer 'varianceScaling', fit with validationData, then predictions compared with
// argMax and scored with tf.metrics. The same file runs on TensorFlow.js: only the import differs.
//   node examples/tfjs-tutorials/mnist-cnn.mjs
import * as tf from 'simdnet';
import { loadMnist } from './mnist-data.mjs';

const IMAGE_SIZE = 784;
const NUM_CLASSES = 10;

class MnistData {
  async load(trainSize, testSize) {
    const d = await loadMnist({ trainSize, testSize });
    this.trainImages = d.trainImages;
    this.testImages = d.testImages;
    this.trainLabels = oneHotRows(d.trainLabels);
    this.testLabels = oneHotRows(d.testLabels);
    this.trainIndices = tf.util.createShuffledIndices(trainSize);
    this.testIndices = tf.util.createShuffledIndices(testSize);
    this.shuffledTrainIndex = 0;
    this.shuffledTestIndex = 0;
  }
  nextTrainBatch(batchSize) {
    return this.nextBatch(batchSize, [this.trainImages, this.trainLabels], () => {
      this.shuffledTrainIndex = (this.shuffledTrainIndex + 1) % this.trainIndices.length;
      return this.trainIndices[this.shuffledTrainIndex];
    });
  }
  nextTestBatch(batchSize) {
    return this.nextBatch(batchSize, [this.testImages, this.testLabels], () => {
      this.shuffledTestIndex = (this.shuffledTestIndex + 1) % this.testIndices.length;
      return this.testIndices[this.shuffledTestIndex];
    });
  }
  nextBatch(batchSize, data, index) {
    const batchImagesArray = new Float32Array(batchSize * IMAGE_SIZE);
    const batchLabelsArray = new Uint8Array(batchSize * NUM_CLASSES);
    for (let i = 0; i < batchSize; i++) {
      const idx = index();
      batchImagesArray.set(data[0].slice(idx * IMAGE_SIZE, idx * IMAGE_SIZE + IMAGE_SIZE), i * IMAGE_SIZE);
      batchLabelsArray.set(data[1].slice(idx * NUM_CLASSES, idx * NUM_CLASSES + NUM_CLASSES), i * NUM_CLASSES);
    }
    const xs = tf.tensor2d(batchImagesArray, [batchSize, IMAGE_SIZE]);
    const labels = tf.tensor2d(batchLabelsArray, [batchSize, NUM_CLASSES]);
    return { xs, labels };
  }
}

function oneHotRows(labels) {
  const out = new Uint8Array(labels.length * NUM_CLASSES);
  labels.forEach((l, i) => (out[i * NUM_CLASSES + l] = 1));
  return out;
}

function getModel() {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [28, 28, 1], kernelSize: 5, filters: 8, strides: 1, activation: 'relu', kernelInitializer: 'varianceScaling' }));
  model.add(tf.layers.maxPooling2d({ poolSize: [2, 2], strides: [2, 2] }));
  model.add(tf.layers.conv2d({ kernelSize: 5, filters: 16, strides: 1, activation: 'relu', kernelInitializer: 'varianceScaling' }));
  model.add(tf.layers.maxPooling2d({ poolSize: [2, 2], strides: [2, 2] }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: NUM_CLASSES, kernelInitializer: 'varianceScaling', activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

export async function run({ trainSize = 5500, testSize = 1000, epochs = 2, batchSize = 128, log = console.log } = {}) {
  await tf.ready();
  const data = new MnistData();
  await data.load(trainSize, testSize);
  const model = getModel();

  const TRAIN_DATA_SIZE = trainSize - 500;
  const TEST_DATA_SIZE = 500;
  const [trainXs, trainYs] = tf.tidy(() => {
    const d = data.nextTrainBatch(TRAIN_DATA_SIZE);
    return [d.xs.reshape([TRAIN_DATA_SIZE, 28, 28, 1]), d.labels.toFloat()];
  });
  const [testXs, testYs] = tf.tidy(() => {
    const d = data.nextTestBatch(TEST_DATA_SIZE);
    return [d.xs.reshape([TEST_DATA_SIZE, 28, 28, 1]), d.labels.toFloat()];
  });

  const history = await model.fit(trainXs, trainYs, {
    batchSize,
    validationData: [testXs, testYs],
    epochs,
    shuffle: true,
    callbacks: { onEpochEnd: (epoch, logs) => log(`epoch ${epoch + 1}: loss ${logs.loss.toFixed(4)}, val_acc ${logs.val_acc.toFixed(4)}`) },
  });

  // doPrediction(), as in the codelab.
  const testData = data.nextTestBatch(testSize);
  const testxs = testData.xs.reshape([testSize, 28, 28, 1]);
  const labels = testData.labels.argMax(-1);
  const preds = model.predict(testxs).argMax(-1);
  testxs.dispose();
  const accuracy = tf.tidy(() => tf.metrics.categoricalAccuracy(testData.labels, tf.oneHot(preds, NUM_CLASSES)).mean().dataSync()[0]);
  const perClass = tf.tidy(() => {
    const out = [];
    for (let c = 0; c < NUM_CLASSES; c++) {
      const isC = labels.equal(c);
      const n = isC.sum().dataSync()[0];
      const hit = tf.logicalAnd(isC, preds.equal(c)).sum().dataSync()[0];
      out.push(n ? hit / n : 0);
    }
    return out;
  });
  log(`test accuracy ${accuracy.toFixed(4)}; per class ${perClass.map((a) => a.toFixed(2)).join(' ')}`);
  tf.dispose([trainXs, trainYs, testXs, testYs, testData, labels, preds]);
  return { history: history.history, accuracy, perClass, numTensors: tf.memory().numTensors };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split(/[\\/]/).pop())) await run();
