// The shipped bench page (dist/bench.html, built from src/bench/page.ts) in Chromium, on a tiny
// configuration: both binaries, every kernel family; the page shows a table row and a chart bar
// per result row and leaves the result in window.__benchResult. Called by test/browser/run.mjs.

export const BENCH_QUERY = 'run=1&quick=1&binary=both&samples=1&minMs=0&block=4096&sizes=16';
/** Rows of a quick run per binary: 1 peak + 1 copy + 3 GEMM + 9 conv + 4 pool + 4 activations + 2 softmax + 4 optimizers. */
const ROWS_PER_BINARY = 28;
const FAMILIES = ['peak', 'gemm', 'conv', 'pool', 'act', 'softmax', 'optim'];

/** Opens the page with `openPage(path)` and reports each check through `record(name, ok, error)`. */
export async function benchPage(openPage, record) {
  const name = 'chromium bench.html: every kernel family on both binaries, the table and the chart';
  const page = await openPage(`/dist/bench.html?${BENCH_QUERY}`);
  try {
    await page.waitForFunction(() => window.__benchResult || window.__benchError, null, { timeout: 300_000 });
    const s = await page.evaluate(() => ({
      error: window.__benchError ?? null,
      result: window.__benchResult ?? null,
      tableRows: document.querySelectorAll('#table tbody tr').length,
      bars: document.querySelectorAll('#chart svg rect').length,
      status: document.querySelector('#status').textContent,
    }));
    const problems = [];
    if (s.error) problems.push(`the page failed: ${s.error}`);
    const r = s.result;
    if (r) {
      if (r.engine !== 'chromium') problems.push(`engine: expected chromium, got ${r.engine}`);
      for (const binary of ['baseline', 'relaxed']) {
        const rows = r.rows.filter((x) => x.binary === binary);
        if (rows.length !== ROWS_PER_BINARY) problems.push(`${binary}: expected ${ROWS_PER_BINARY} rows, got ${rows.length}`);
        for (const f of FAMILIES) if (!rows.some((x) => x.family === f)) problems.push(`${binary}: no ${f} row`);
        for (const x of rows) if (!((x.gflops ?? x.gbps) > 0)) problems.push(`${binary} ${x.kernel} ${x.shape}: value ${x.gflops ?? x.gbps}`);
      }
      if (s.tableRows !== r.rows.length) problems.push(`table: ${s.tableRows} rows for ${r.rows.length} results`);
      // The chart: a background rect, then one bar per row.
      if (s.bars !== r.rows.length + 1) problems.push(`chart: ${s.bars - 1} bars for ${r.rows.length} results`);
      if (!s.status.startsWith('simdnet')) problems.push(`status line: ${s.status}`);
    } else if (!s.error) problems.push('no result');
    record(name, problems.length === 0, problems.join('; '));
  } catch (e) {
    record(name, false, e.message);
  }
  await page.close();
}
