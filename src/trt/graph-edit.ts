/**
 * The Q/DQ edits `qdqsim lint` proposes, applied to a copy of the model so each fix can be re-simulated:
 * insert a Q->DQ pair on one edge, or remove one.
 */
import type { Model, Node } from '../sim/ir/graph.ts';

export { cloneModel } from '../sim/ir/clone.ts';

function uniqueName(m: Model, base: string): string {
  const taken = new Set(m.graph.nodes.map((n) => n.name));
  let i = 0;
  while (taken.has(`${base}_${i}`)) i++;
  return `${base}_${i}`;
}

/**
 * Inserts `Q -> DQ` on the edge `tensor -> consumer` (input slot `slot`), reusing the scale and zero-point
 * tensors of `template` (so TensorRT sees bit-identical scales). Returns the new node names.
 */
export function insertQdq(m: Model, consumerName: string, slot: number, template: Node): string[] {
  const nodes = m.graph.nodes;
  const at = nodes.findIndex((n) => n.name === consumerName);
  if (at < 0) throw new Error(`no node '${consumerName}'`);
  const consumer = nodes[at];
  const tensor = consumer.inputs[slot];
  const qName = uniqueName(m, 'qdqsim_lint_QuantizeLinear');
  const dqName = uniqueName(m, 'qdqsim_lint_DequantizeLinear');
  const qOut = `${qName}_out`, dqOut = `${dqName}_out`;
  const params = template.inputs.slice(1);
  const q: Node = { name: qName, opType: 'QuantizeLinear', domain: '', inputs: [tensor, ...params], outputs: [qOut], attrs: {} };
  const dq: Node = { name: dqName, opType: 'DequantizeLinear', domain: '', inputs: [qOut, ...params], outputs: [dqOut], attrs: {} };
  consumer.inputs[slot] = dqOut;
  const vi = m.graph.valueInfo.get(tensor);
  if (vi) {
    m.graph.valueInfo.set(qOut, { ...vi, name: qOut });
    m.graph.valueInfo.set(dqOut, { ...vi, name: dqOut });
  }
  nodes.splice(at, 0, q, dq);
  return [qName, dqName];
}

/** Bypasses the `Q -> DQ` pair feeding `consumer`'s input `slot`; removes the pair when nothing else reads it. */
export function removeQdq(m: Model, consumerName: string, slot: number): string[] {
  const nodes = m.graph.nodes;
  const consumer = nodes.find((n) => n.name === consumerName);
  if (!consumer) throw new Error(`no node '${consumerName}'`);
  const dq = nodes.find((n) => n.outputs[0] === consumer.inputs[slot] && n.opType === 'DequantizeLinear');
  const q = dq && nodes.find((n) => n.outputs[0] === dq.inputs[0] && n.opType === 'QuantizeLinear');
  if (!dq || !q) throw new Error(`input ${slot} of '${consumerName}' is not fed by a Q -> DQ pair`);
  consumer.inputs[slot] = q.inputs[0];
  const removed: string[] = [];
  const read = (t: string) => nodes.some((n) => n.inputs.includes(t)) || m.graph.outputs.some((o) => o.name === t);
  for (const n of [dq, q]) {
    if (!read(n.outputs[0])) {
      nodes.splice(nodes.indexOf(n), 1);
      removed.push(n.name);
    }
  }
  return removed;
}
