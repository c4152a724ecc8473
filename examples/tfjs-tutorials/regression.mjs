// The TF.js "making predictions from 2D data" codelab: fuel efficiency against horsepower, with
// tf.util.shuffle, min-max normalisation through sub/div inside tf.tidy, loss
// tf.losses.meanSquaredError, and a prediction curve over tf.linspace mapped back with mul/add.
// The codelab fetches a JSON file of cars; here the same shape of data is generated (a seeded,
// noisy decreasing curve), so the script needs no network. The same file runs on TensorFlow.js:
// only the import line differs.
//   node examples/tfjs-tutorials/regression.mjs
import * as tf from 'simdnet';

/** 300 cars: mpg falls with horsepower, plus noise (a fixed generator, so runs repeat). */
function getData() {
  let s = 12345;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const cars = [];
  for (let i = 0; i < 300; i++) {
    const horsepower = 50 + 180 * rand();
    const mpg = 8 + 2600 / horsepower + 4 * (rand() - 0.5);
    cars.push({ mpg, horsepower });
  }
  return cars;
}

function createModel() {
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [1], units: 1, useBias: true }));
  model.add(tf.layers.dense({ units: 50, activation: 'sigmoid' }));
  model.add(tf.layers.dense({ units: 1, useBias: true }));
  return model;
}

function convertToTensor(data) {
  return tf.tidy(() => {
    tf.util.shuffle(data);
    const inputs = data.map((d) => d.horsepower);
    const labels = data.map((d) => d.mpg);
    const inputTensor = tf.tensor2d(inputs, [inputs.length, 1]);
    const labelTensor = tf.tensor2d(labels, [labels.length, 1]);
    const inputMax = inputTensor.max();
    const inputMin = inputTensor.min();
    const labelMax = labelTensor.max();
    const labelMin = labelTensor.min();
    const normalizedInputs = inputTensor.sub(inputMin).div(inputMax.sub(inputMin));
    const normalizedLabels = labelTensor.sub(labelMin).div(labelMax.sub(labelMin));
    return { inputs: normalizedInputs, labels: normalizedLabels, inputMax, inputMin, labelMax, labelMin };
  });
}

export async function run({ epochs = 50, log = console.log } = {}) {
  await tf.ready();
  const data = getData();
  const model = createModel();
  const tensorData = convertToTensor(data);
  const { inputs, labels } = tensorData;
  model.compile({ optimizer: tf.train.adam(), loss: tf.losses.meanSquaredError, metrics: ['mse'] });
  const history = await model.fit(inputs, labels, { batchSize: 32, epochs, shuffle: true, verbose: 0 });
  log(`final loss ${history.history.loss.at(-1).toFixed(5)}`);

  const { inputMax, inputMin, labelMin, labelMax } = tensorData;
  const [xs, preds] = tf.tidy(() => {
    const xsNorm = tf.linspace(0, 1, 100);
    const predictions = model.predict(xsNorm.reshape([100, 1]));
    const unNormXs = xsNorm.mul(inputMax.sub(inputMin)).add(inputMin);
    const unNormPreds = predictions.mul(labelMax.sub(labelMin)).add(labelMin);
    return [unNormXs.dataSync(), unNormPreds.dataSync()];
  });
  // How far the fitted curve is from the curve the data came from (mpg = 8 + 2600 / hp).
  let err = 0;
  xs.forEach((hp, i) => (err += Math.abs(preds[i] - (8 + 2600 / hp))));
  const meanAbsError = err / xs.length;
  log(`mean distance of the prediction curve from the true curve: ${meanAbsError.toFixed(3)} mpg`);
  tf.dispose(tensorData);
  return { history: history.history, meanAbsError, curve: Array.from(preds), numTensors: tf.memory().numTensors };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split(/[\\/]/).pop())) await run();
