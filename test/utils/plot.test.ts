// utils.plotHistory: a self-contained SVG of the training curves. Checks: well-formed XML (a
// small tag-balance parser), one polyline per series with one point per epoch, points placed
// by value (the lowest loss lowest on the page), axis labels; options checked; and
// `simdnet train --plot curves.svg` writes the same picture of its run.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, layers, sequential, setSeed, tensor, utils } from '../../src/index.ts';

const root = path.resolve(import.meta.dirname, '../..');
let work: string;
beforeAll(async () => {
  await init({ deterministic: true });
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'simdnet-plot-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

interface El {
  name: string;
  attrs: Record<string, string>;
  children: El[];
  text: string;
}

/** A strict little XML reader: balanced tags, quoted attributes, known entities only. Throws when malformed. */
function parseXml(src: string): El {
  let i = 0;
  const fail = (why: string) => {
    throw new Error(`not well-formed at ${i}: ${why}: ${JSON.stringify(src.slice(i, i + 40))}`);
  };
  const checkText = (t: string) => {
    if (/[<>]/.test(t)) fail('raw < or > in text');
    for (const m of t.matchAll(/&([^;]*);?/g)) if (!/^(amp|lt|gt|quot|apos|#\d+);$/.test(m[0].slice(1))) fail(`bad entity ${m[0]}`);
  };
  const top: El = { name: '#doc', attrs: {}, children: [], text: '' };
  const stack = [top];
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const text = src.slice(i, lt < 0 ? src.length : lt);
    checkText(text);
    stack[stack.length - 1].text += text;
    if (lt < 0) break;
    i = lt;
    const gt = src.indexOf('>', i);
    if (gt < 0) fail('unclosed tag');
    const tag = src.slice(i + 1, gt);
    i = gt + 1;
    if (tag.startsWith('/')) {
      const el = stack.pop()!;
      if (el.name !== tag.slice(1).trim()) fail(`</${tag.slice(1)}> closes <${el.name}>`);
      continue;
    }
    const self = tag.endsWith('/');
    const body = self ? tag.slice(0, -1) : tag;
    const m = /^([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*$/.exec(body);
    if (!m) fail(`bad tag <${tag}>`);
    const attrs: Record<string, string> = {};
    for (const a of m![2].matchAll(/([\w:.-]+)="([^"]*)"/g)) {
      if (a[1] in attrs) fail(`attribute ${a[1]} twice`);
      checkText(a[2]);
      attrs[a[1]] = a[2];
    }
    const el: El = { name: m![1], attrs, children: [], text: '' };
    stack[stack.length - 1].children.push(el);
    if (!self) stack.push(el);
  }
  if (stack.length !== 1) fail(`<${stack[stack.length - 1].name}> never closed`);
  if (top.children.length !== 1 || top.text.trim() !== '') fail('not exactly one root element');
  return top.children[0];
}
const all = (e: El, name: string): El[] => [...(e.name === name ? [e] : []), ...e.children.flatMap((c) => all(c, name))];
const points = (p: El) => p.attrs.points.trim().split(/\s+/).map((xy) => xy.split(',').map(Number));

const HISTORY = {
  epoch: [0, 1, 2, 3, 4],
  history: {
    loss: [1.2, 0.8, 0.6, 0.5, 0.45],
    acc: [0.5, 0.7, 0.8, 0.85, 0.86],
    val_loss: [1.1, 0.85, 0.7, 0.72, 0.74],
    val_acc: [0.55, 0.68, 0.75, 0.74, 0.76],
  },
};

describe('utils.plotHistory', () => {
  it('one panel per metric, one polyline per series with a point per epoch, axis labels', () => {
    const svg = utils.plotHistory(HISTORY);
    const root = parseXml(svg);
    expect(root.name).toBe('svg');
    expect(root.attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    expect([root.attrs.width, root.attrs.height]).toEqual(['640', '480']);
    const panels = all(root, 'g');
    expect(panels.map((p) => p.attrs['data-metric'])).toEqual(['loss', 'acc']);
    const lines = all(root, 'polyline');
    expect(lines.map((l) => l.attrs['data-series'])).toEqual(['loss', 'val_loss', 'acc', 'val_acc']);
    for (const l of lines) expect(points(l)).toHaveLength(5);
    // x grows with the epoch; y is inverted (SVG's y points down): the lowest loss is the lowest point... on screen, the largest y.
    const loss = points(lines[0]);
    expect(loss.map((p) => p[0])).toEqual([...loss.map((p) => p[0])].sort((a, b) => a - b));
    expect(loss[4][1]).toBe(Math.max(...loss.map((p) => p[1])));
    expect(loss[0][1]).toBeLessThan(loss[1][1]);
    // Same epochs, same x for train and validation.
    expect(points(lines[1]).map((p) => p[0])).toEqual(loss.map((p) => p[0]));
    const texts = all(root, 'text');
    expect(texts.filter((t) => t.attrs.class === 'x-label').map((t) => t.text)).toEqual(['epoch', 'epoch']);
    expect(texts.filter((t) => t.attrs.class === 'y-label').map((t) => t.text)).toEqual(['loss', 'acc']);
    expect(texts.map((t) => t.text)).toEqual(expect.arrayContaining(['train', 'validation', '1', '5']));
    // Self-contained: no scripts, no links to anything outside.
    expect(svg).not.toMatch(/<script|href=|url\(/);
  });
  it('options: metrics, width, height; no validation series when there is none', () => {
    const root = parseXml(utils.plotHistory({ history: { loss: [3, 2, 1], acc: [0.1, 0.2, 0.3] } }, { metrics: ['acc'], width: 300, height: 200 }));
    expect([root.attrs.width, root.attrs.height]).toEqual(['300', '200']);
    const lines = all(root, 'polyline');
    expect(lines.map((l) => l.attrs['data-series'])).toEqual(['acc']);
    expect(points(lines[0])).toHaveLength(3);
    for (const [x, y] of points(lines[0])) expect(x >= 0 && x <= 300 && y >= 0 && y <= 200).toBe(true);
  });
  it('one epoch, a constant series, a diverged value, names needing escapes', () => {
    const svg = utils.plotHistory({ history: { 'a<b&c': [1, 1, NaN, 1] } });
    const root = parseXml(svg);
    expect(all(root, 'g')[0].attrs['data-metric']).toBe('a&lt;b&amp;c');
    expect(points(all(root, 'polyline')[0])).toHaveLength(3); // the NaN is left out of the line
    expect(points(all(parseXml(utils.plotHistory({ history: { loss: [0.5] } })), 'polyline')[0])).toHaveLength(1);
  });
  it('the history of a real fit (learning_rate is not a panel)', async () => {
    setSeed(1);
    const m = sequential({ layers: [layers.dense({ units: 4, activation: 'relu', inputShape: [2] }), layers.dense({ units: 2, activation: 'softmax' })] });
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const x = tensor(Float32Array.from({ length: 40 }, (_, i) => Math.sin(i)), [20, 2]);
    const y = tensor(Int32Array.from({ length: 20 }, (_, i) => i % 2), [20], 'int32');
    const h = await m.fit(x, y, { epochs: 4, verbose: 0, validationSplit: 0.25 });
    h.history.learning_rate = [0.001, 0.001, 0.001, 0.001];
    const root = parseXml(utils.plotHistory(h));
    expect(all(root, 'polyline').map((l) => [l.attrs['data-series'], points(l).length])).toEqual([['loss', 4], ['val_loss', 4], ['acc', 4], ['val_acc', 4]]);
    m.dispose();
  });
  it('errors name the argument', () => {
    expect(() => utils.plotHistory(null as never)).toThrow(/plotHistory: expected the history fit returns/);
    expect(() => utils.plotHistory(HISTORY, { metrics: ['mae'] })).toThrow(/the history has no 'mae' \(it holds loss, acc, val_loss, val_acc\)/);
    expect(() => utils.plotHistory(HISTORY, { width: 10 })).toThrow(/plotHistory: width/);
    expect(() => utils.plotHistory(HISTORY, { colour: 'red' } as never)).toThrow(/unknown option colour/);
    expect(() => utils.plotHistory({ history: {} })).toThrow(/no metric to plot/);
    expect(() => utils.plotHistory({ history: { loss: ['1'] } } as never)).toThrow(/history\.loss must be a list of numbers/);
  });
});

describe('simdnet train --plot', () => {
  it('writes the curves of the run as an SVG; a bad --plot fails before training', async () => {
    const cli = path.join(work, 'cli.mjs');
    await esbuild.build({ entryPoints: [path.join(root, 'src/cli/main.ts')], outfile: cli, bundle: true, format: 'esm', platform: 'node', target: 'es2022', logLevel: 'error' });
    const rows = Array.from({ length: 120 }, (_, i) => {
      const a = Math.sin(i * 1.7);
      const b = Math.cos(i * 0.9);
      return `${a.toFixed(4)},${b.toFixed(4)},${a + b > 0 ? 1 : 0}`;
    });
    const csv = path.join(work, 'data.csv');
    fs.writeFileSync(csv, `a,b,label\n${rows.join('\n')}\n`);
    setSeed(2);
    const model = sequential({ layers: [layers.dense({ units: 8, activation: 'relu', inputShape: [2] }), layers.dense({ units: 2, activation: 'softmax' })] });
    await model.save(`file://${path.join(work, 'model')}`);
    model.dispose();
    const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: work, encoding: 'utf8', timeout: 120_000 });
    const svgFile = path.join(work, 'curves.svg');
    const r = run('train', '--model', path.join(work, 'model'), '--input', csv, '--label-column', 'label', '--epochs', '3', '--quiet', '--no-save', '--plot', svgFile);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain(`Wrote the training curves to ${svgFile}`);
    const svg = parseXml(fs.readFileSync(svgFile, 'utf8'));
    expect(all(svg, 'polyline').map((l) => [l.attrs['data-series'], points(l).length])).toEqual([['loss', 3], ['val_loss', 3], ['acc', 3], ['val_acc', 3]]);
    const bad = run('train', '--model', path.join(work, 'model'), '--input', csv, '--plot', path.join(work, 'curves.png'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--plot expects a file name ending in \.svg/);
    const noDir = run('train', '--model', path.join(work, 'model'), '--input', csv, '--plot', path.join(work, 'nope', 'c.svg'));
    expect(noDir.status).toBe(2);
    expect(noDir.stderr).toMatch(/--plot .*the folder .* does not exist/);
  });
});
