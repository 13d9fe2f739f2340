/**
 * The float model a Q/DQ model was made from: every QuantizeLinear -> DequantizeLinear pair becomes
 * the identity and every DequantizeLinear of a constant (pre-quantized weight) becomes the dequantized
 * float constant. Used as the `float` reference of `qdqsim compare` and the first of the three-way
 * comparison (float model, Q/DQ float simulation, simulated engine).
 * Unlike src/quant/strip.ts (the inverse of Q/DQ insertion), this also folds pre-quantized int8
 * weights back to float and keeps graph outputs that a dropped DQ produced (through an Identity).
 */
import { dequantizeTensor } from '../../../sim/golden/quantize.ts';
import type { Graph, Model, Node } from '../../../sim/ir/graph.ts';
import { indexGraph } from '../../../sim/ir/graph-index.ts';
import type { Tensor } from '../../../sim/tensor.ts';

export function floatModelOf(model: Model): Model {
  const g = model.graph;
  const index = indexGraph(g);
  const rename = new Map<string, string>();
  const drop = new Set<Node>();
  const inits = new Map(g.initializers);
  const constOf = (name: string): Tensor | undefined => {
    const t = inits.get(name);
    if (t) return t;
    const c = index.producer.get(name)?.node;
    return c?.opType === 'Constant' && c.attrs.value?.type === 'tensor' ? c.attrs.value.value : undefined;
  };
  for (const n of g.nodes) {
    if (n.opType !== 'DequantizeLinear' || n.domain !== '') continue;
    const src = index.producer.get(n.inputs[0])?.node;
    if (src?.opType === 'QuantizeLinear' && src.domain === '') {
      rename.set(n.outputs[0], src.inputs[0]);
      drop.add(n);
      continue;
    }
    const q = constOf(n.inputs[0]);
    const scale = constOf(n.inputs[1]);
    if (q && scale) {
      const zp = n.inputs[2] ? constOf(n.inputs[2]) : undefined;
      const axisAttr = n.attrs.axis;
      inits.set(n.outputs[0], dequantizeTensor(q, scale, zp, { axis: axisAttr?.type === 'int' ? axisAttr.value : undefined, names: { x: n.inputs[0] } }));
      drop.add(n);
    }
  }
  // A Q whose every consumer was a dropped DQ (and that is no graph output) goes too.
  for (const n of g.nodes) {
    if (n.opType !== 'QuantizeLinear' || index.outputs.has(n.outputs[0])) continue;
    const uses = index.consumers.get(n.outputs[0]) ?? [];
    if (uses.length > 0 && uses.every((p) => drop.has(p.node))) drop.add(n);
  }
  const resolve = (name: string): string => {
    let r = name;
    for (let k = 0; rename.has(r) && k < 1000; k++) r = rename.get(r)!;
    return r;
  };
  const nodes: Node[] = g.nodes.filter((n) => !drop.has(n)).map((n) => ({ ...n, inputs: n.inputs.map((i) => (i ? resolve(i) : i)) }));
  // graph outputs keep their names: an Identity where the producer was dropped
  for (const o of g.outputs) {
    const r = resolve(o.name);
    if (r !== o.name) nodes.push({ name: `qdqsim_float_${o.name}`, opType: 'Identity', domain: '', inputs: [r], outputs: [o.name], attrs: {} });
  }
  const graph: Graph = { ...g, nodes, initializers: inits };
  return { ...model, graph };
}
