/**
 * model.summary(): one row per layer (per node for shared layers) with its output shape and
 * parameter count; graph models add Keras's "Connected to" column (`layer[node][tensor]`).
 */
import type { Graph } from '../engine/graph.ts';
import type { Layer } from '../layers/layer.ts';
import { InputLayer } from '../layers/input.ts';

export function printSummary(
  model: { name: string; isSequential: boolean },
  graph: Graph,
  lineLength: number | undefined,
  printFn: (line: string) => void,
  trainable: Layer[],
): void {
  const seq = model.isSequential;
  const width = lineLength ?? (seq ? 72 : 98);
  const fractions = seq ? [0.42, 0.33, 0.25] : [0.3, 0.22, 0.12, 0.36];
  const cols = fractions.map((f) => Math.floor(width * f));
  const row = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(cols[i] - 1) + ' ')).join('');
  printFn(`Model: "${model.name}"`);
  printFn('_'.repeat(width));
  printFn(row(seq ? ['Layer (type)', 'Output shape', 'Param #'] : ['Layer (type)', 'Output shape', 'Param #', 'Connected to']));
  printFn('='.repeat(width));
  const nodes = graph.nodes.filter((n) => !(seq && n.layer instanceof InputLayer));
  const seen = new Set<Layer>();
  nodes.forEach((node, i) => {
    const l = node.layer;
    // A shared layer's weights are counted at its first row.
    const params = seen.has(l) ? 0 : l.countParams();
    seen.add(l);
    // Several outputs (returnState) are listed as TF.js lists them: [[null,…],[null,…]].
    const shapes = node.outputs.map((t) => `[null,${t.sampleShape.join(',')}]`);
    const shape = shapes.length === 1 ? shapes[0] : `[${shapes.join(',')}]`;
    const label = `${l.name} (${l.className})`;
    if (seq) {
      printFn(row([label, shape, String(params)]));
    } else {
      const from = node.inputs.map((t) => `${t.node.layer.name}[${t.node.index}][${t.index}]`);
      printFn(row([label, shape, String(params), from[0] ?? '']));
      for (const f of from.slice(1)) printFn(row(['', '', '', f]));
    }
    printFn(i === nodes.length - 1 ? '='.repeat(width) : '_'.repeat(width));
  });
  const total = graph.layers.reduce((s, l) => s + l.countParams(), 0);
  // Layer-updated state (BatchNormalization's moving statistics) counts as non-trainable.
  const train = trainable.reduce((s, l) => s + l.params.reduce((t, p) => t + (p.trainable === false ? 0 : p.size), 0), 0);
  printFn(`Total params: ${total.toLocaleString('en-US')}`);
  printFn(`Trainable params: ${train.toLocaleString('en-US')}`);
  printFn(`Non-trainable params: ${(total - train).toLocaleString('en-US')}`);
}
