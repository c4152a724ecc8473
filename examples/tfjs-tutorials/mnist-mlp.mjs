// An MNIST MLP as TF.js users write it: tf.tensor2d / tf.oneHot to build the data, tf.train.adam,
// onBatchEnd / onEpochEnd callbacks, evaluate returning scalar tensors, tidy around predictions.
// The same file runs on TensorFlow.js: only the import line differs.
//   node examples/tfjs-tutorials/mnist-mlp.mjs
import * as tf from 'simdnet';
import { loadMnist } from './mnist-data.mjs';

export async function run({ trainSize = 10000, testSize = 2000, epochs = 3, log = console.log } = {}) {
  await tf.ready();
  const data = await loadMnist({ trainSize, testSize });

  const [xTrain, yTrain, xTest, yTest] = tf.tidy(() => [
    tf.tensor2d(data.trainImages, [trainSize, 784]),
    tf.oneHot(tf.tensor1d(data.trainLabels, 'int32'), 10).toFloat(),
    tf.tensor2d(data.testImages, [testSize, 784]),
    tf.oneHot(tf.tensor1d(data.testLabels, 'int32'), 10).toFloat(),
  ]);

  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });

  const batchLosses = [];
  const history = await model.fit(xTrain, yTrain, {
    epochs,
    batchSize: 64,
    validationSplit: 0.1,
    callbacks: {
      onBatchEnd: async (batch, logs) => {
        batchLosses.push(logs.loss);
      },
      onEpochEnd: async (epoch, logs) => {
        log(`epoch ${epoch + 1}: loss ${logs.loss.toFixed(4)}, acc ${logs.acc.toFixed(4)}, val_loss ${logs.val_loss.toFixed(4)}, val_acc ${logs.val_acc.toFixed(4)}`);
      },
    },
  });

  const [lossT, accT] = model.evaluate(xTest, yTest, { batchSize: 256 });
  const testLoss = lossT.dataSync()[0];
  const testAcc = (await accT.data())[0];
  const predicted = tf.tidy(() => model.predict(xTest).argMax(-1));
  const agree = tf.tidy(() => predicted.equal(yTest.argMax(-1)).sum().dataSync()[0] / testSize);
  log(`test: loss ${testLoss.toFixed(4)}, accuracy ${testAcc.toFixed(4)} (argMax agreement ${agree.toFixed(4)})`);

  tf.dispose([xTrain, yTrain, xTest, yTest, lossT, accT, predicted]);
  return { history: history.history, batchLosses, testLoss, testAcc, agree, numTensors: tf.memory().numTensors };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split(/[\\/]/).pop())) await run();
