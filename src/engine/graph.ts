/**
 * A model's graph: the nodes between its inputs and outputs in topological order, checked
 * (every output reachable from the given inputs, every input used, no layer fed from outside).
 */
import type { Layer } from '../layers/layer.ts';
import { InputLayer } from '../layers/input.ts';
import { Node, SymbolicTensor } from './symbolic.ts';

export interface Graph {
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  /** Every node from the inputs to the outputs, each after the nodes it reads. */
  nodes: Node[];
  /** Each layer once, in the order of its first node (input layers first, as TF.js lists them). */
  layers: Layer[];
}

export function toList(v: unknown, what: string): SymbolicTensor[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw new Error(`${what}: expected at least one symbolic tensor`);
  list.forEach((t, i) => {
    if (!(t instanceof SymbolicTensor)) {
      throw new Error(`${what}${list.length > 1 ? `[${i}]` : ''}: expected a symbolic tensor (from input() or layer.apply), got ${t === null ? 'null' : typeof t === 'object' ? (t as object).constructor?.name : typeof t}`);
    }
  });
  return list as SymbolicTensor[];
}

export function buildGraph(inputsArg: unknown, outputsArg: unknown, who: string): Graph {
  const inputs = toList(inputsArg, `${who}: inputs`);
  const outputs = toList(outputsArg, `${who}: outputs`);
  inputs.forEach((t, i) => {
    if (!(t.node.layer instanceof InputLayer)) throw new Error(`${who}: inputs[${i}] (${t.name}) is not a model input; make inputs with input({ shape })`);
    if (inputs.indexOf(t) !== i) throw new Error(`${who}: input ${t.node.layer.name} is listed twice`);
  });
  const order: Node[] = [];
  const state = new Map<Node, 1 | 2>();
  // Depth-first post-order from the outputs; the path names what feeds a dangling input.
  const visit = (node: Node, path: string[]) => {
    const s = state.get(node);
    if (s === 2) return;
    if (s === 1) throw new Error(`${who}: the graph has a cycle through ${node.layer.name}`);
    state.set(node, 1);
    if (node.layer instanceof InputLayer && !inputs.includes(node.output)) {
      throw new Error(`${who}: output ${path[0]} depends on input ${node.layer.name} (via ${path.join(' <- ')}), which is not in the model's inputs`);
    }
    for (const t of node.inputs) visit(t.node, [...path, t.node.layer.name]);
    state.set(node, 2);
    order.push(node);
  };
  for (const o of outputs) visit(o.node, [o.node.layer.name]);
  for (const t of inputs) {
    if (!state.has(t.node)) throw new Error(`${who}: input ${t.node.layer.name} never reaches an output`);
  }
  // Model inputs first, in the order given, then the rest in dependency order.
  const nodes = [...inputs.map((t) => t.node), ...order.filter((n) => !(n.layer instanceof InputLayer))];
  const layers = layersByDepth(nodes, outputs);
  const names = new Map<string, Layer>();
  for (const l of layers) {
    const other = names.get(l.name);
    if (other && other !== l) throw new Error(`${who}: two different layers are named ${l.name}; layer names must be unique in a model`);
    names.set(l.name, l);
  }
  return { inputs, outputs, nodes, layers };
}

/**
 * TF.js's (and Keras's) layer order: by depth from the outputs, deepest first; layers of one
 * depth in the order a depth-first walk from the outputs first meets them. `model.layers`,
 * `getLayer(i)` and the weight order then match TF.js's for the same graph.
 */
function layersByDepth(nodes: Node[], outputs: SymbolicTensor[]): Layer[] {
  const depth = new Map<Node, number>();
  for (const o of outputs) depth.set(o.node, 0);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i];
    const d = depth.get(n) ?? 0;
    for (const t of n.inputs) depth.set(t.node, Math.max(depth.get(t.node) ?? 0, d + 1));
  }
  const firstSeen = new Map<Layer, number>();
  const seenNodes = new Set<Node>();
  const visit = (n: Node) => {
    if (seenNodes.has(n)) return;
    seenNodes.add(n);
    if (!firstSeen.has(n.layer)) firstSeen.set(n.layer, firstSeen.size);
    for (const t of n.inputs) visit(t.node);
  };
  for (const o of outputs) visit(o.node);
  const layerDepth = new Map<Layer, number>();
  for (const n of nodes) layerDepth.set(n.layer, Math.max(layerDepth.get(n.layer) ?? 0, depth.get(n) ?? 0));
  return [...layerDepth.keys()].sort((a, b) => layerDepth.get(b)! - layerDepth.get(a)! || firstSeen.get(a)! - firstSeen.get(b)!);
}
