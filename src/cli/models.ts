/**
 * The MNIST models, defined once: the CLI (`simdnet train --model mlp|cnn|bncnn`), the browser demo,
 * the benchmark (bench/, simdnet and its TensorFlow.js peer) and the accuracy tests build them
 * here, so their architectures cannot drift apart.
 *
 * A builder takes the API it builds with — simdnet's, or TensorFlow.js's (tfjs-layers), whose
 * factories have the same names and arguments — and imports nothing at run time. build.mjs also
 * bundles this file alone as build/models.mjs for the plain-JS benches.
 */

type Factory = (args?: any) => any;

/** What the builders use of a library: simdnet's API or TF.js's (`{ ...tfl, layers: tfl.layers }`). */
export interface ModelApi {
  sequential(args: { layers: any[] }): any;
  layers: {
    dense: Factory;
    conv2d?: Factory;
    maxPooling2d?: Factory;
    flatten?: Factory;
    add?: Factory;
    batchNormalization?: Factory;
    activation?: Factory;
    dropout?: Factory;
    lstm?: Factory;
    gru?: Factory;
    embedding?: Factory;
  };
  /** Functional API (the residual MLP): `input({ shape })`, `model({ inputs, outputs })`. */
  input?: Factory;
  model?: Factory;
}

export type MnistModelName = 'mlp' | 'cnn' | 'resmlp' | 'bncnn' | 'lstm' | 'gru';

export interface MnistModelInfo {
  /** Short name (the demo's menu). */
  label: string;
  /** The architecture in one line. */
  description: string;
  /** One sample's shape: flat 784 pixels, a 28x28x1 image, or 28 rows of 28 pixels (row-MNIST: a sequence of 28 steps). */
  inputShape: number[];
  /** The factories a library needs to build it. */
  needs: string[];
}

export const MNIST_MODELS: Readonly<Record<MnistModelName, MnistModelInfo>> = {
  mlp: {
    label: 'MLP 784-128-10',
    description: 'MLP 784-128(relu)-10(softmax)',
    inputShape: [784],
    needs: ['sequential', 'layers.dense'],
  },
  cnn: {
    label: 'CNN conv8-pool-conv16-pool-10',
    description: 'CNN conv(8,5x5,same,relu) → maxPool 2 → conv(16,5x5,same,relu) → maxPool 2 → flatten → dense(10,softmax)',
    inputShape: [28, 28, 1],
    needs: ['sequential', 'layers.dense', 'layers.conv2d', 'layers.maxPooling2d', 'layers.flatten'],
  },
  resmlp: {
    label: 'Residual MLP 784-128-128(+skip)-10',
    description: 'residual MLP 784 → dense(128,relu) = h1 → dense(128,relu) = h2 → add([h2, h1]) → dense(10,softmax)',
    inputShape: [784],
    needs: ['input', 'model', 'layers.dense', 'layers.add'],
  },
  bncnn: {
    label: 'CNN + BatchNorm + Dropout conv16-BN-pool-conv32-BN-pool-10',
    description:
      'CNN conv(16,5x5,same) → batchNorm(momentum 0.9) → relu → maxPool 2 → conv(32,5x5,same) → batchNorm(momentum 0.9) → relu → maxPool 2 → flatten → dropout 0.25 → dense(10,softmax)',
    inputShape: [28, 28, 1],
    needs: ['sequential', 'layers.dense', 'layers.conv2d', 'layers.maxPooling2d', 'layers.flatten', 'layers.batchNormalization', 'layers.activation', 'layers.dropout'],
  },
  // Row-MNIST (issue 15): each image read as a sequence of its 28 rows (28 pixels per step); the
  // last hidden state classifies.
  lstm: {
    label: 'LSTM 128 on row-MNIST',
    description: 'row-MNIST [28 steps, 28 pixels] → lstm(128) → dense(10,softmax)',
    inputShape: [28, 28],
    needs: ['sequential', 'layers.dense', 'layers.lstm'],
  },
  gru: {
    label: 'GRU 128 on row-MNIST',
    description: 'row-MNIST [28 steps, 28 pixels] → gru(128) → dense(10,softmax)',
    inputShape: [28, 28],
    needs: ['sequential', 'layers.dense', 'layers.gru'],
  },
};

export interface MnistModelOptions {
  /**
   * The kernel initializer of each layer with a kernel, called once per such layer in order
   * (the TF.js bench peer passes seeded glorotUniform initializers). Default: the library's own
   * default, glorotUniform.
   */
  kernelInitializer?: () => unknown;
}

/** The factories `api` lacks to build model `name` (empty when it can). */
export function missingFactories(api: ModelApi, name: MnistModelName): string[] {
  const info = MNIST_MODELS[name];
  if (!info) throw new Error(`unknown MNIST model '${name}'; expected one of ${Object.keys(MNIST_MODELS).join(', ')}`);
  const has = (path: string) => {
    let o: unknown = api;
    for (const k of path.split('.')) o = o == null ? undefined : (o as Record<string, unknown>)[k];
    return typeof o === 'function';
  };
  return info.needs.filter((n) => !has(n));
}

/**
 * Builds MNIST model `name` with `api` (uncompiled). mlp, cnn, bncnn, lstm and gru are Sequential
 * models, resmlp a functional one.
 */
export function mnistModel<A extends ModelApi>(api: A, name: 'mlp' | 'cnn' | 'bncnn' | 'lstm' | 'gru', opts?: MnistModelOptions): ReturnType<A['sequential']>;
export function mnistModel<A extends ModelApi>(api: A, name: 'resmlp', opts?: MnistModelOptions): A['model'] extends Factory ? ReturnType<A['model']> : never;
export function mnistModel<A extends ModelApi>(api: A, name: MnistModelName, opts?: MnistModelOptions): unknown;
export function mnistModel(api: ModelApi, name: MnistModelName, opts: MnistModelOptions = {}): unknown {
  const missing = missingFactories(api, name);
  if (missing.length) throw new Error(`mnistModel('${name}'): the library lacks ${missing.join(', ')}`);
  const L = api.layers as Required<ModelApi['layers']>;
  // Only layers with a kernel take the option, and only when it is given: the library default
  // (glorotUniform) otherwise, drawn in the same order as always.
  const k = () => (opts.kernelInitializer ? { kernelInitializer: opts.kernelInitializer() } : {});
  switch (name) {
    case 'mlp':
      return api.sequential({
        layers: [
          L.dense({ units: 128, activation: 'relu', inputShape: [784], ...k() }),
          L.dense({ units: 10, activation: 'softmax', ...k() }),
        ],
      });
    case 'cnn':
      return api.sequential({
        layers: [
          L.conv2d({ filters: 8, kernelSize: 5, padding: 'same', activation: 'relu', inputShape: [28, 28, 1], ...k() }),
          L.maxPooling2d({ poolSize: 2 }),
          L.conv2d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu', ...k() }),
          L.maxPooling2d({ poolSize: 2 }),
          L.flatten(),
          L.dense({ units: 10, activation: 'softmax', ...k() }),
        ],
      });
    case 'bncnn':
      // The convolutions have no bias and no activation: the batch normalization right after
      // subtracts each channel's mean (a bias would cancel out) and its beta is the shift; relu
      // comes after the normalization, as in the BatchNorm paper. 5x5 kernels as the CNN above,
      // twice its filters. momentum 0.9 (PyTorch's default, 0.1 in its convention) rather than
      // Keras's 0.99: with 0.99 the moving statistics keep 13% of their initial (0, 1) after 200
      // steps and lag the fast-changing early weights, so inference (the demo's live accuracy,
      // evaluate) reads 0.53-0.76 after 50-200 steps where training is long past that; with 0.9:
      // 0.88 after 50 steps, 0.95 after 200 (batch 64, Adam 1e-3).
      return api.sequential({
        layers: [
          L.conv2d({ filters: 16, kernelSize: 5, padding: 'same', useBias: false, inputShape: [28, 28, 1], ...k() }),
          L.batchNormalization({ momentum: 0.9 }),
          L.activation({ activation: 'relu' }),
          L.maxPooling2d({ poolSize: 2 }),
          L.conv2d({ filters: 32, kernelSize: 5, padding: 'same', useBias: false, ...k() }),
          L.batchNormalization({ momentum: 0.9 }),
          L.activation({ activation: 'relu' }),
          L.maxPooling2d({ poolSize: 2 }),
          L.flatten(),
          L.dropout({ rate: 0.25 }),
          L.dense({ units: 10, activation: 'softmax', ...k() }),
        ],
      });
    case 'resmlp': {
      const inp = api.input!({ shape: [784] });
      const h1 = L.dense({ units: 128, activation: 'relu', ...k() }).apply(inp);
      const h2 = L.dense({ units: 128, activation: 'relu', ...k() }).apply(h1);
      const s = L.add().apply([h2, h1]);
      const out = L.dense({ units: 10, activation: 'softmax', ...k() }).apply(s);
      return api.model!({ inputs: inp, outputs: out });
    }
    case 'lstm':
    case 'gru':
      // The input kernel takes the option; the recurrent kernel keeps the library default
      // (orthogonal in both), and both libraries' cell defaults are TF.js's (LSTM unitForgetBias,
      // GRU resetAfter false).
      return api.sequential({
        layers: [
          L[name]({ units: 128, inputShape: [28, 28], ...k() }),
          L.dense({ units: 10, activation: 'softmax', ...k() }),
        ],
      });
  }
}

// ---------------------------------------------------------------------------------------------
// Character-level language models (issue 15): `simdnet train --model charlstm|chargru`.
// ---------------------------------------------------------------------------------------------

export type CharModelName = 'charlstm' | 'chargru';

export const CHAR_MODELS: Readonly<Record<CharModelName, { label: string; cell: 'lstm' | 'gru' }>> = {
  charlstm: { label: 'character-level LSTM: embedding(32) → lstm(128, every step) → dense(vocabulary, softmax)', cell: 'lstm' },
  chargru: { label: 'character-level GRU: embedding(32) → gru(128, every step) → dense(vocabulary, softmax)', cell: 'gru' },
};

export interface CharModelOptions {
  /** Characters in the vocabulary: the embedding's inputDim and the softmax's width. */
  vocabSize: number;
  /** Characters per training window (the input's time steps). */
  seqLength: number;
  /** Recurrent units (default 128). */
  units?: number;
  /** Embedding width (default 32). */
  embeddingDim?: number;
}

/**
 * A character-level language model (uncompiled Sequential): int32 ids [seqLength] →
 * embedding → lstm|gru with returnSequences → dense softmax over the vocabulary at every step,
 * so each window trains on all its next-character predictions and, the model being causal, the
 * output at step t depends on the first t + 1 characters only (generation reads the step where
 * its context ends). 128 units and an embedding of 32: on a loaded 2-vCPU machine that trains
 * near 6,000 characters/s, and about 300,000 characters (one pass over data/shakespeare.txt,
 * Adam 0.01, batch 32, windows of 40) bring the loss from ln(62) = 4.1 to about 1.9.
 */
export function charModel<A extends ModelApi>(api: A, name: CharModelName, opts: CharModelOptions): ReturnType<A['sequential']> {
  const info = CHAR_MODELS[name];
  if (!info) throw new Error(`unknown character model '${name}'; expected one of ${Object.keys(CHAR_MODELS).join(', ')}`);
  const L = api.layers;
  const cell = L[info.cell];
  if (!L.embedding || !cell) throw new Error(`charModel('${name}'): the library lacks layers.embedding or layers.${info.cell}`);
  const { vocabSize, seqLength, units = 128, embeddingDim = 32 } = opts;
  return api.sequential({
    layers: [
      L.embedding({ inputDim: vocabSize, outputDim: embeddingDim, inputLength: seqLength }),
      cell({ units, returnSequences: true }),
      L.dense({ units: vocabSize, activation: 'softmax' }),
    ],
  });
}
