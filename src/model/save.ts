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

/**
 * The file operations `save` makes, one method per step (tests inject faults through it).
 * `writeFile` creates a new file (never follows or replaces an existing one) and syncs it.
 */
export interface SaveIO {
  stat(p: string): Promise<{ isDirectory(): boolean }>;
  mkdir(p: string): Promise<void>;
  writeFile(p: string, data: Uint8Array): Promise<void>;
  link(existing: string, alias: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(p: string): Promise<void>;
}

export async function nodeSaveIO(): Promise<SaveIO> {
  const fs = await nodeBuiltin<typeof import('node:fs/promises')>('fs/promises');
  return {
    stat: (p) => fs.stat(p),
    mkdir: async (p) => void (await fs.mkdir(p)),
    async writeFile(p, data) {
      const fh = await fs.open(p, 'wx');
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
    },
    async link(existing, alias) {
      try {
        await fs.link(existing, alias);
      } catch {
        // File systems without hard links: a copy serves as the backup.
        await fs.copyFile(existing, alias, fs.constants.COPYFILE_EXCL);
      }
    },
    rename: (a, b) => fs.rename(a, b),
    unlink: (p) => fs.unlink(p),
  };
}

const code = (e: unknown) => (e as { code?: string }).code;
const reason = (e: unknown) => (e as Error).message ?? String(e);

/**
 * Make `dir` and any missing parents, one level at a time from the nearest existing ancestor.
 * (Node's recursive mkdir spins forever on procfs, e.g. under /proc/self.) Every failure is a
 * clear error naming the folder.
 */
async function ensureDir(io: SaveIO, path: typeof import('node:path'), dir: string): Promise<void> {
  const missing: string[] = [];
  let p = dir;
  for (;;) {
    try {
      const st = await io.stat(p);
      if (!st.isDirectory()) throw new Error(`save: ${p} exists and is not a folder; cannot save into ${dir}`);
      break;
    } catch (e) {
      // ENOTDIR: some ancestor is a file; walking up finds it and says so.
      if (code(e) !== 'ENOENT' && code(e) !== 'ENOTDIR') {
        if ((e as Error).message?.startsWith('save:')) throw e;
        throw new Error(`save: cannot use the folder ${p} (${reason(e)})`);
      }
      missing.unshift(p);
      const parent = path.dirname(p);
      if (parent === p) throw new Error(`save: the root of ${dir} does not exist`);
      p = parent;
    }
  }
  for (const m of missing) {
    try {
      await io.mkdir(m);
    } catch (e) {
      if (code(e) === 'EEXIST') {
        const st = await io.stat(m).catch(() => null);
        if (st?.isDirectory()) continue;
      }
      throw new Error(`save: cannot create the folder ${m} (${reason(e)})`);
    }
  }
}

/**
 * `file://dir` (Node and Deno): writes dir/model.json and dir/weights.bin.
 *
 * Atomic against failures: both files are written in full (and synced) under temporary names,
 * the files they replace are kept as hard-linked backups, then weights.bin and model.json are
 * renamed into place. A failure at any step removes what the save wrote and puts the backups
 * back, so the model saved there before is left as it was, loadable. (Only a crash of the
 * process between the two renames could pair the new weights with the old model.json; the
 * backup, weights.bin.bak-*, is then still there.)
 */
export async function saveModel(model: LayersModel, url: string, io?: SaveIO): Promise<{ modelJSON: string; weights: string }> {
  const m = typeof url === 'string' ? /^file:\/\/(.+)$/.exec(url) : null;
  if (!m) throw new Error(`save: only file:// URLs are supported (e.g. 'file://./my-model'), got ${typeof url === 'string' ? JSON.stringify(url) : typeof url}`);
  const path = await nodeBuiltin<typeof import('node:path')>('path');
  const fsio = io ?? (await nodeSaveIO());
  const dir = path.resolve(m[1]);
  // Everything that can fail without touching the disk first.
  const a = toArtifacts(model);
  const json = new TextEncoder().encode(JSON.stringify(a.modelJSON, null, 1));
  const bin = new Uint8Array(a.weightData);
  await ensureDir(fsio, path, dir);
  const modelJSON = path.join(dir, 'model.json');
  const weights = path.join(dir, 'weights.bin');
  const tag = `${Date.now().toString(36)}-${Math.floor(Math.random() * 2 ** 32).toString(36)}`;
  const tmp = { weights: `${weights}.tmp-${tag}`, json: `${modelJSON}.tmp-${tag}` };
  const bak = { weights: `${weights}.bak-${tag}`, json: `${modelJSON}.bak-${tag}` };
  const leftovers = new Set<string>();
  const cleanUp = async () => {
    for (const f of leftovers) await fsio.unlink(f).catch(() => {});
  };
  const exists = async (p: string) => {
    try {
      await fsio.stat(p);
      return true;
    } catch (e) {
      if (code(e) === 'ENOENT') return false;
      throw e;
    }
  };
  let step = '';
  // 1. Write both files under temporary names. Nothing the old model uses is touched.
  try {
    step = `write ${tmp.weights}`;
    leftovers.add(tmp.weights);
    await fsio.writeFile(tmp.weights, bin);
    step = `write ${tmp.json}`;
    leftovers.add(tmp.json);
    await fsio.writeFile(tmp.json, json);
    // 2. Keep the files being replaced (hard links: they stay in place meanwhile).
    step = `back up ${weights}`;
    const hadWeights = await exists(weights);
    if (hadWeights) {
      leftovers.add(bak.weights);
      await fsio.link(weights, bak.weights);
    }
    step = `back up ${modelJSON}`;
    const hadJSON = await exists(modelJSON);
    if (hadJSON) {
      leftovers.add(bak.json);
      await fsio.link(modelJSON, bak.json);
    }
    // 3. Rename both into place, the weights first; model.json last commits the save.
    step = `rename ${tmp.weights} to ${weights}`;
    await fsio.rename(tmp.weights, weights);
    leftovers.delete(tmp.weights);
    try {
      step = `rename ${tmp.json} to ${modelJSON}`;
      await fsio.rename(tmp.json, modelJSON);
      leftovers.delete(tmp.json);
    } catch (e) {
      // Put the old weights back (or take the new ones away when there were none).
      try {
        if (hadWeights) {
          await fsio.rename(bak.weights, weights);
          leftovers.delete(bak.weights);
        } else await fsio.unlink(weights);
      } catch (undo) {
        await cleanUp();
        throw new Error(`save: could not ${step} (${reason(e)}), and restoring the previous ${weights} failed too (${reason(undo)}): its backup is ${bak.weights}`);
      }
      throw e;
    }
  } catch (e) {
    await cleanUp();
    if ((e as Error).message?.startsWith('save:')) throw e;
    throw new Error(`save: could not ${step} (${reason(e)}); nothing was changed in ${dir}`);
  }
  // 4. Done: the backups go.
  for (const f of [bak.weights, bak.json]) if (leftovers.delete(f)) await fsio.unlink(f).catch(() => {});
  return { modelJSON, weights };
}
