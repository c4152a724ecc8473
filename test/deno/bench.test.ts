// Deno suite: the shipped kernel bench (`bench` from dist/index.js) runs in Deno on a tiny
// configuration, both binaries (Deno has relaxed SIMD on by default), every kernel family; the
// rows are the ones Node gets, and the reports render. Run by test/deno/run.mjs.
// @ts-nocheck — type-checked by Deno only; vitest and tsc skip this folder (Deno globals).
import { bench } from '../../dist/index.js';

const assert = (ok, msg) => {
  if (!ok) throw new Error(msg);
};

Deno.test('bench.run: every kernel family on both binaries, tiny configuration', async () => {
  const r = await bench.run({ quick: true, binary: 'both', samples: 1, minMs: 0, warmMs: 0, block: 4096, sizes: [16] });
  assert(r.engine === 'deno', `engine: expected deno, got ${r.engine}`);
  assert(r.version === Deno.version.deno, `version: expected ${Deno.version.deno}, got ${r.version}`);
  assert(r.v8 === Deno.version.v8, `v8: expected ${Deno.version.v8}, got ${r.v8}`);
  for (const binary of ['baseline', 'relaxed']) {
    const rows = r.rows.filter((x) => x.binary === binary);
    const families = new Set(rows.map((x) => x.family));
    for (const f of bench.FAMILIES) assert(families.has(f), `${binary}: no ${f} row`);
    // quick: 1 peak + 1 copy + 3 GEMM + 9 conv + 4 pool + 4 activations + 2 softmax + 4 optimizers
    assert(rows.length === 28, `${binary}: expected 28 rows, got ${rows.length}`);
    for (const row of rows) {
      const v = row.gflops ?? row.gbps;
      assert(Number.isFinite(v) && v > 0, `${binary} ${row.kernel} ${row.shape}: value ${v}`);
      assert(Number.isFinite(row.fraction_of_peak) && row.fraction_of_peak > 0, `${row.kernel}: fraction_of_peak ${row.fraction_of_peak}`);
    }
  }
  const md = bench.markdown(r);
  assert(md.split('\n').filter((l) => / \| (baseline|relaxed) \| /.test(l)).length === r.rows.length, 'markdown: a line per row');
  assert(bench.svg(r).startsWith('<svg'), 'svg renders');
});

Deno.test('bench.run refuses an unknown option by name', async () => {
  let msg = '';
  try {
    await bench.run({ quik: true });
  } catch (e) {
    msg = e.message;
  }
  assert(/unknown option quik/.test(msg), `expected the unknown option named, got '${msg}'`);
});
