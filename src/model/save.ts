/**
 * Saving in the TF.js layers format: `model.json` (topology + weights manifest) and
 * `weights.bin` (float32, little-endian, in manifest order). Sequential models save as
 * `Sequential`; graph models as `Model` with `inbound_nodes`, `input_layers` and `output_layers`.
 */
import type { LayersModel } from './model.ts';
import type { Layer } from '../layers/layer.ts';
import { nodeBuiltin } from '../platform.ts';
import { VERSION } from '../version.ts';

export interface ModelArtifacts {
  modelJSON: Record<string, unknown>;
  weightData: ArrayBuffer;
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Config keys in snake_case, as Keras and TF.js write them; { className, config } as { class_name, config }. */
function pythonic(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pythonic);
  if (v === null || typeof v !== 'object') return v === undefined ? null : v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    out[k === 'className' ? 'class_name' : snake(k)] = k === 'config' ? pythonicConfig(x) : pythonic(x);
  }
  return out;
}
function pythonicConfig(v: unknown): unknown {
  return v && typeof v === 'object' && !Array.isArray(v) ? pythonic(v) : v;
}

function layerJSON(l: Layer): { class_name: string; config: Record<string, unknown>; name: string } {
  const config = pythonic(l.getConfig()) as Record<string, unknown>;
  return { class_name: l.className, config: { trainable: l.trainable, dtype: 'float32', ...config }, name: l.name };
}

export function toArtifacts(model: LayersModel): ModelArtifacts {
  const entries = model.weightEntries();
  const weights = model.getWeights();
  const specs = entries.map(({ layer, p }) => ({ name: `${layer.name}/${p.name}`, shape: [...p.shape], dtype: 'float32' as const }));
  const data = new Float32Array(weights.reduce((s, w) => s + w.size, 0));
  let off = 0;
  for (const w of weights) {
    data.set(w.values as Float32Array, off);
    off += w.size;
  }
  let topology: Record<string, unknown>;
  if (model.isSequential) {
    const layers = model.layers.map((l) => {
      const { class_name, config } = layerJSON(l);
      return { class_name, config };
    });
    topology = { class_name: 'Sequential', config: { name: model.name, layers } };
  } else {
    // Node indices count only this model's uses of a layer (a layer may serve other models too).
    const nodes = model.nodes;
    const indexOf = (n: (typeof nodes)[number]) => nodes.filter((q) => q.layer === n.layer).indexOf(n);
    const layers = model.layers.map((l) => ({
      ...layerJSON(l),
      inbound_nodes: nodes.filter((n) => n.layer === l && n.inputs.length > 0).map((n) => n.inputs.map((t) => [t.node.layer.name, indexOf(t.node), 0, {}])),
    }));
    const ref = (t: LayersModel['inputs'][number]) => [t.node.layer.name, indexOf(t.node), 0];
    topology = { class_name: 'Model', config: { name: model.name, layers, input_layers: model.inputs.map(ref), output_layers: model.outputs.map(ref) } };
  }
  return {
    modelJSON: {
      format: 'layers-model',
      generatedBy: `simdnet ${VERSION}`,
      convertedBy: null,
      modelTopology: { ...topology, keras_version: `simdnet ${VERSION}`, backend: 'simdnet' },
      weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
    },
    weightData: data.buffer,
  };
}

/** `file://dir` (Node and Deno): writes dir/model.json and dir/weights.bin. */
export async function saveModel(model: LayersModel, url: string): Promise<{ modelJSON: string; weights: string }> {
  const m = /^file:\/\/(.+)$/.exec(url);
  if (!m) throw new Error(`save: only file:// URLs are supported (e.g. 'file://./my-model'), got ${JSON.stringify(url)}`);
  const fs = await nodeBuiltin<typeof import('node:fs/promises')>('fs/promises');
  const path = await nodeBuiltin<typeof import('node:path')>('path');
  const dir = path.resolve(m[1]);
  const a = toArtifacts(model);
  await fs.mkdir(dir, { recursive: true });
  const modelJSON = path.join(dir, 'model.json');
  const weights = path.join(dir, 'weights.bin');
  // Write to temporary names first so an interrupted save never leaves a half-written model.
  await fs.writeFile(weights + '.tmp', new Uint8Array(a.weightData));
  await fs.writeFile(modelJSON + '.tmp', JSON.stringify(a.modelJSON, null, 1));
  await fs.rename(weights + '.tmp', weights);
  await fs.rename(modelJSON + '.tmp', modelJSON);
  return { modelJSON, weights };
}
