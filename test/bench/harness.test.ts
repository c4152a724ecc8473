// Keeps the side-by-side benchmark (bench/compare.mjs) from rotting: runs it in its tiny
// configuration (one shape per kernel family, a few training steps per library, one cold start
// each) and checks that every row comes out, and that the report renders. No timing assertions:
// speed is measured in bench/, never asserted by a test.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const run = promisify(execFile);

interface Row {
  id: string;
  group: string;
  kind: string;
  simdnet: number | null;
  peer: number | null;
  ratio: number | null;
  missing?: boolean;
  peerName: string;
}

describe('bench/compare.mjs --quick --tiny', () => {
  it('produces every row and renders the report', { timeout: 600_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-bench-'));
    const out = path.join(dir, 'latest.json');
    const { stdout } = await run(process.execPath, ['bench/compare.mjs', '--quick', '--tiny', '--out', out, '--no-report'], {
      cwd: root,
      timeout: 540_000,
      maxBuffer: 64 << 20,
    });
    expect(stdout).toContain('wrote');
    const d = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(d.mode).toBe('tiny');
    expect(typeof d.machine.cpu).toBe('string');
    expect(d.machine.cores).toBeGreaterThan(0);
    expect(d.runtime.node).toBe(process.version);
    for (const p of ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', 'convnetjs', 'onnxruntime-web', 'simdnet']) expect(d.versions[p]).toBeTruthy();
    expect(d.peak.bestGflops).toBeGreaterThan(0);

    const rows: Row[] = d.rows;
    const ids = new Set(rows.map((r) => r.id));
    expect(ids.size).toBe(rows.length);
    const has = (re: RegExp) => rows.filter((r) => re.test(r.id));
    // Kernels vs TF.js wasm.
    for (const l of ['nn', 'nt', 'tn']) expect(has(new RegExp(`^matmul-${l}-`)).length).toBeGreaterThan(0);
    for (const p of ['forward', 'backward-dx', 'backward-dW']) expect(has(new RegExp(`^conv2d-${p}-`)).length).toBeGreaterThan(0);
    for (const p of ['forward', 'backward-dx', 'backward-dW']) expect(has(new RegExp(`^conv3d-${p}-`)).length).toBeGreaterThan(0);
    for (const p of ['forward', 'inference', 'backward']) expect(has(new RegExp(`^maxpool-${p}-`)).length).toBeGreaterThan(0);
    expect(has(/^xent-/).length).toBeGreaterThan(0);
    // End to end, both models, every peer.
    const cnnSkipped = !!d.e2e?.cnn?.simdnet?.skipped;
    for (const m of ['mlp', 'cnn']) {
      for (const peer of ['tfjs', 'convnetjs']) {
        for (const k of ['train', 'infer', 'accuracy', 'rss']) expect(ids.has(`${m}-${k}-${peer}`), `${m}-${k}-${peer}`).toBe(true);
      }
      expect(ids.has(`${m}-infer-onnx`)).toBe(true);
      for (const peer of ['tfjs', 'convnetjs', 'onnx']) expect(ids.has(`${m}-cold-${peer}`), `${m}-cold-${peer}`).toBe(true);
    }
    // The residual MLP (skip add), against TF.js: training, accuracy, inference, memory.
    const resSkipped = !!d.e2e?.resmlp?.simdnet?.skipped;
    for (const k of ['train', 'infer', 'accuracy', 'rss']) expect(ids.has(`resmlp-${k}-tfjs`), `resmlp-${k}-tfjs`).toBe(true);
    // Embedding + GRU text (issue 15): training vs TF.js cpu (wasm cannot train an Embedding),
    // inference vs TF.js wasm and cpu.
    for (const id of ['text-train-tfjs', 'text-infer-tfjs-wasm', 'text-infer-tfjs-cpu', 'text-accuracy-tfjs', 'text-rss-tfjs']) expect(ids.has(id), id).toBe(true);
    expect(d.e2e.text.tfjs.wasmTrainError).toMatch(/UnsortedSegmentSum/);
    // Every row has figures on both sides (a peer's missing kernel is flagged, not silent).
    for (const r of rows) {
      if (cnnSkipped && r.id.startsWith('cnn-')) continue;
      if (resSkipped && r.id.startsWith('resmlp-')) continue;
      expect(Number.isFinite(r.simdnet), `${r.id}: simdnet figure`).toBe(true);
      if (!r.missing) expect(Number.isFinite(r.peer), `${r.id}: ${r.peerName} figure`).toBe(true);
      if (!r.missing) expect(r.ratio, `${r.id}: ratio`).toBeGreaterThan(0);
    }

    // The report renders from that JSON (into the temp folder, not bench/).
    const md = path.join(dir, 'RESULTS.md');
    const svgFile = path.join(dir, 'ratios.svg');
    const { report } = await import(path.join(root, 'bench/report.mjs'));
    await report({ input: out, md, svgFile });
    const text = fs.readFileSync(md, 'utf8');
    expect(text).toContain('compare:begin');
    expect(text).toContain('### Targets');
    const svg = fs.readFileSync(svgFile, 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect((svg.match(/<rect /g) ?? []).length).toBeGreaterThan(rows.length / 2);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
