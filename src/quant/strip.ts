/**
 * Removes Q→DQ pairs (and lone weight DQs can't be undone: int8 weights stay) so a graph reads its float
 * tensors again; initializers only the pairs used are dropped. Inverse of insertion with weights "qdq".
 */
import type { Model } from '../sim/ir/graph.ts';
import type { Tensor } from '../sim/tensor.ts';
import { GraphView } from './graph-view.ts';
import { KERAS_WEIGHT_MARK, transposeTensor } from './insert.ts';

export function stripQdq(model: Model): Model {
  const view = new GraphView(model.graph);
  const replace = new Map<string, string>();
  const drop = new Set<string>();
  for (const dq of model.graph.nodes) {
    if (dq.opType !== 'DequantizeLinear') continue;
    const q = view.producers.get(dq.inputs[0]);
    if (!q || q.opType !== 'QuantizeLinear') continue;
    if (view.usesOf(q.outputs[0]).some((u) => u.node.opType !== 'DequantizeLinear')) continue;
    replace.set(dq.outputs[0], q.inputs[0]);
    drop.add(dq.name);
    drop.add(q.name);
  }
  // Keras-layout weights: fold the marked Transpose of a (now plain) constant back into the original weight
  const restored = new Map<string, Tensor>();
  for (const t of model.graph.nodes) {
    if (t.opType !== 'Transpose' || !t.docString?.startsWith(KERAS_WEIGHT_MARK)) continue;
    const src = replace.get(t.inputs[0]) ?? t.inputs[0];
    const w = model.graph.initializers.get(src);
    const perm = t.attrs.perm;
    if (!w || perm?.type !== 'ints') continue;
    const orig = t.docString.slice(KERAS_WEIGHT_MARK.length);
    restored.set(orig, transposeTensor(w, perm.value));
    replace.set(t.outputs[0], orig);
    drop.add(t.name);
  }
  const nodes = model.graph.nodes.filter((n) => !drop.has(n.name))
    .map((n) => ({ ...n, inputs: n.inputs.map((x) => replace.get(x) ?? x) }));
  const used = new Set<string>();
  for (const n of nodes) n.inputs.forEach((x) => used.add(x));
  for (const o of model.graph.outputs) used.add(o.name);
  const removedInputs = new Set<string>();
  for (const n of model.graph.nodes) if (drop.has(n.name)) n.inputs.forEach((x) => removedInputs.add(x));
  const initializers = new Map([...model.graph.initializers].filter(([k]) => used.has(k) || !removedInputs.has(k)));
  for (const [k, t] of restored) if (!initializers.has(k)) initializers.set(k, t);
  return { ...model, graph: { ...model.graph, nodes, initializers } };
}
