/**
 * Saving in the TF.js layers format: `model.json` (topology + weights manifest) and
 * `weights.bin` (float32, little-endian, in manifest order).
 */
import type { Sequential } from './sequential.ts';
import { nodeBuiltin } from '../platform.ts';
import { VERSION } from '../version.ts';

export interface ModelArtifacts {
  modelJSON: Record<string, unknown>;
  weightData: ArrayBuffer;
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function toArtifacts(model: Sequential): ModelArtifacts {
  const weights = model.getWeights();
  const specs: { name: string; shape: number[]; dtype: 'float32' }[] = [];
  let i = 0;
  for (const l of model.layers) for (const p of l.params) specs.push({ name: `${l.name}/${p.name}`, shape: [...weights[i++].shape], dtype: 'float32' });
  const total = weights.reduce((s, w) => s + w.size, 0);
  const data = new Float32Array(total);
  let off = 0;
  for (const w of weights) {
    data.set(w.values as Float32Array, off);
    off += w.size;
  }
  const layers = model.layers.map((l) => {
    const config: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(l.getConfig())) {
      if (v === undefined) continue;
      config[snake(k)] = k.endsWith('Initializer') && typeof v === 'string' ? { class_name: v, config: {} } : v;
    }
    return { class_name: l.className, config: { trainable: true, dtype: 'float32', ...config } };
  });
  return {
    modelJSON: {
      format: 'layers-model',
      generatedBy: `simdnet ${VERSION}`,
      convertedBy: null,
      modelTopology: { class_name: 'Sequential', config: { name: model.name, layers } },
      weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
    },
    weightData: data.buffer,
  };
}

/** `file://dir` (Node and Deno): writes dir/model.json and dir/weights.bin. */
export async function saveModel(model: Sequential, url: string): Promise<{ modelJSON: string; weights: string }> {
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
