/**
 * The MNIST models, defined once: the CLI (`simdnet train --model mlp|cnn`), the browser demo,
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
  layers: { dense: Factory; conv2d?: Factory; maxPooling2d?: Factory; flatten?: Factory; add?: Factory };
  /** Functional API (the residual MLP): `input({ shape })`, `model({ inputs, outputs })`. */
  input?: Factory;
  model?: Factory;
}

export type MnistModelName = 'mlp' | 'cnn' | 'resmlp';

export interface MnistModelInfo {
  /** Short name (the demo's menu). */
  label: string;
  /** The architecture in one line. */
  description: string;
  /** One sample's shape: flat 784 pixels or a 28x28x1 image. */
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
 * Builds MNIST model `name` with `api` (uncompiled). mlp and cnn are Sequential models,
 * resmlp a functional one.
 */
export function mnistModel<A extends ModelApi>(api: A, name: 'mlp' | 'cnn', opts?: MnistModelOptions): ReturnType<A['sequential']>;
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
    case 'resmlp': {
      const inp = api.input!({ shape: [784] });
      const h1 = L.dense({ units: 128, activation: 'relu', ...k() }).apply(inp);
      const h2 = L.dense({ units: 128, activation: 'relu', ...k() }).apply(h1);
      const s = L.add().apply([h2, h1]);
      const out = L.dense({ units: 10, activation: 'softmax', ...k() }).apply(s);
      return api.model!({ inputs: inp, outputs: out });
    }
  }
}
