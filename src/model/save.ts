/**
 * A model as TF.js layers-format artifacts (topology + weight specs + weight data, float32
 * little-endian in getWeights() order). Sequential models save as `Sequential`; graph models as
 * `Model` with `inbound_nodes`, `input_layers` and `output_layers`. Where they go is the save
 * handler's business (src/io/handlers.ts).
 */
import type { LayersModel } from './model.ts';
import type { Layer } from '../layers/layer.ts';
import type { ModelArtifacts } from '../io/handlers.ts';
import { VERSION } from '../version.ts';

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Keys and string values in snake_case, as TF.js writes Keras configs ({ className, config } as
 * { class_name, config }); names (of layers and models, and class names) stay as they are, as do
 * the layer names that open inbound-node references.
 */
function pythonic(v: unknown, key = ''): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return key === 'name' || key === 'className' ? v : snake(v);
  if (Array.isArray(v)) return v.map((x) => pythonic(x, key));
  if (typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === undefined) continue;
    out[k === 'className' ? 'class_name' : snake(k)] = pythonic(x, k);
  }
  return out;
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
    modelTopology: { ...topology, keras_version: `simdnet ${VERSION}`, backend: 'simdnet' },
    format: 'layers-model',
    generatedBy: `simdnet ${VERSION}`,
    convertedBy: null,
    weightSpecs: specs,
    weightData: data.buffer,
  };
}
