/**
 * The quantization step ("one LSB") of a tensor, read from the graph: the unit in which a difference
 * between two executions of a Q/DQ model is meaningful. In order of preference:
 *  1. the tensor is a QuantizeLinear output: it holds integer codes, one LSB = one code;
 *  2. the tensor is a DequantizeLinear output: the DQ's scale;
 *  3. the tensor feeds a QuantizeLinear: that Q's scale (the grid it will be rounded to);
 *  4. the nearest QuantizeLinear upstream (breadth-first over producers): its scale.
 * Only per-tensor (scalar) scales give a step; a per-channel scale gives none (abs/rel metrics only).
 */
import { toNumberArray } from '../../../sim/golden/dtype.ts';
import type { Graph, Node } from '../../../sim/ir/graph.ts';
import { indexGraph, type GraphIndex } from '../../../sim/ir/graph-index.ts';

export interface QuantStep {
  /** Size of one LSB in the tensor's own units (1 for integer codes). */
  step: number;
  /** 'code' when the tensor holds integer codes (a Q output), 'value' for dequantized/float values. */
  unit: 'code' | 'value';
  /** The scale of the Q/DQ the step comes from (equals `step` for 'value'). */
  scale: number;
  /** The node the step was read from. */
  node: string;
  /** How it was found, for reports: "Q output", "DQ output", "feeds Q", "upstream Q (2 ops up)". */
  via: string;
}

export function quantStepFor(graph: Graph, tensor: string, index: GraphIndex = indexGraph(graph)): QuantStep | null {
  const producer = (t: string): Node | undefined => index.producer.get(t)?.node;
  const scaleOf = (n: Node): number | null => scalarInit(graph, n.inputs[1]);
  const p = producer(tensor);
  if (p?.opType === 'QuantizeLinear' && p.domain === '') {
    const s = scaleOf(p);
    if (s !== null) return { step: 1, unit: 'code', scale: s, node: p.name, via: 'Q output' };
  }
  if (p?.opType === 'DequantizeLinear' && p.domain === '') {
    const s = scaleOf(p);
    if (s !== null) return { step: s, unit: 'value', scale: s, node: p.name, via: 'DQ output' };
  }
  for (const { node: c, index: slot } of index.consumers.get(tensor) ?? []) {
    if (c.opType === 'QuantizeLinear' && slot === 0) {
      const s = scaleOf(c);
      if (s !== null) return { step: s, unit: 'value', scale: s, node: c.name, via: 'feeds Q' };
    }
  }
  // breadth-first upstream
  const seen = new Set<string>([tensor]);
  let frontier = [tensor];
  for (let depth = 1; frontier.length > 0 && depth < 1000; depth++) {
    const next: string[] = [];
    for (const t of frontier) {
      const n = producer(t);
      if (!n) continue;
      for (const i of n.inputs) {
        if (!i || seen.has(i) || graph.initializers.has(i)) continue;
        seen.add(i);
        const q = producer(i);
        if (q?.opType === 'QuantizeLinear') {
          const s = scaleOf(q);
          if (s !== null) return { step: s, unit: 'value', scale: s, node: q.name, via: `upstream Q (${depth} op${depth > 1 ? 's' : ''} up)` };
        }
        next.push(i);
      }
    }
    frontier = next;
  }
  return null;
}

/** A constant scalar (an initializer or a Constant node's value), or null. */
function scalarInit(graph: Graph, name: string | undefined): number | null {
  if (!name) return null;
  let t = graph.initializers.get(name);
  if (!t) {
    const c = graph.nodes.find((n) => n.opType === 'Constant' && n.outputs[0] === name);
    const v = c?.attrs.value;
    if (v?.type === 'tensor') t = v.value;
  }
  if (!t || t.data.length !== 1) return null;
  const v = toNumberArray(t.dtype, t.data as ArrayLike<number>)[0];
  return Number.isFinite(v) && v > 0 ? v : null;
}
