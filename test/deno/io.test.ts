// Deno suite, model files on disk: the built dist/index.js loads TF.js-made, sharded model files
// from file:// (through Deno's node: built-ins) and predicts what TF.js predicts; a model saved
// to file:// loads back with the same predictions and saves byte-identical files; missing and
// malformed files fail with errors that name them. The files come from test/deno/run.mjs
// (SIMDNET_IO_DIR, the one folder this suite may write into).
// @ts-nocheck — type-checked by Deno only; vitest and tsc skip this folder (Deno globals).
import * as lib from '../../dist/index.js';

const dir = Deno.env.get('SIMDNET_IO_DIR');
if (!dir) throw new Error('SIMDNET_IO_DIR is not set: run the Deno suite with `npm run test:deno`');
const cases = JSON.parse(Deno.readTextFileSync(`${dir}/cases.json`));

function close(got, want, tol, what) {
  if (got.length !== want.length) throw new Error(`${what}: expected ${want.length} values, got ${got.length}`);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol)) throw new Error(`${what}[${i}]: expected ${want[i]} (±${tol}), got ${got[i]}`);
  }
}
async function rejects(p, re, what) {
  try {
    await p;
  } catch (e) {
    if (!re.test(e.message)) throw new Error(`${what}: expected an error matching ${re}, got: ${e.message}`);
    return;
  }
  throw new Error(`${what}: expected an error matching ${re}, but it succeeded`);
}
const predict = (m, c) => m.predict(lib.tensor(c.input, c.inputShape)).dataSync();

Deno.test('file://: TF.js-made sharded models load and predict what TF.js predicts (2e-5)', async () => {
  await lib.init({ deterministic: true });
  for (const c of cases) {
    const fractions = [];
    const m = await lib.loadLayersModel(`file://${dir}/${c.dir}/model.json`, { onProgress: (f) => fractions.push(f) });
    close(predict(m, c), c.expected, 2e-5, c.name);
    if (fractions[fractions.length - 1] !== 1) throw new Error(`${c.name}: onProgress ended at ${fractions[fractions.length - 1]}`);
    m.dispose();
    // The folder names its model.json too.
    const f = await lib.loadLayersModel(`file://${dir}/${c.dir}`);
    close(predict(f, c), c.expected, 2e-5, `${c.name} (folder)`);
    f.dispose();
  }
});

Deno.test('file://: save, load back (same predictions), save again (byte-identical files)', async () => {
  await lib.init({ deterministic: true });
  const c = cases[0];
  const m = await lib.loadLayersModel(`file://${dir}/${c.dir}/model.json`);
  const want = predict(m, c);
  await m.save(`file://${dir}/saved-1`);
  const back = await lib.loadLayersModel(`file://${dir}/saved-1/model.json`);
  close(predict(back, c), want, 0, 'saved and loaded back');
  await back.save(`file://${dir}/saved-2`);
  for (const f of ['weights.bin']) {
    const a = await Deno.readFile(`${dir}/saved-1/${f}`);
    const b = await Deno.readFile(`${dir}/saved-2/${f}`);
    if (a.length !== b.length || a.some((v, i) => v !== b[i])) throw new Error(`${f} differs after a second save`);
  }
  const ja = JSON.parse(await Deno.readTextFile(`${dir}/saved-1/model.json`));
  const jb = JSON.parse(await Deno.readTextFile(`${dir}/saved-2/model.json`));
  if (JSON.stringify(ja.weightsManifest) !== JSON.stringify(jb.weightsManifest)) throw new Error('the weights manifest differs after a second save');
  m.dispose();
  back.dispose();
});

Deno.test('file://: a missing model, a missing shard and bad JSON fail with errors naming the file', async () => {
  await lib.init({ deterministic: true });
  await rejects(lib.loadLayersModel(`file://${dir}/nowhere/model.json`), /nowhere\/model\.json does not exist/, 'a missing model.json');
  const c = cases[0];
  const json = JSON.parse(await Deno.readTextFile(`${dir}/${c.dir}/model.json`));
  await Deno.mkdir(`${dir}/broken`, { recursive: true });
  await Deno.writeTextFile(`${dir}/broken/model.json`, JSON.stringify(json));
  await rejects(lib.loadLayersModel(`file://${dir}/broken/model.json`), new RegExp(`weight file ${dir}/broken/${json.weightsManifest[0].paths[0]} .* does not exist`), 'a missing shard');
  await Deno.writeTextFile(`${dir}/broken/model.json`, '{"modelTopology": ');
  await rejects(lib.loadLayersModel(`file://${dir}/broken/model.json`), /broken\/model\.json: not valid JSON/, 'bad JSON');
});
