/** Pass 6 — every Q/DQ still in the network becomes a stand-alone Reformat layer (TRT log: QDQToCopy). */
import { node } from '../pattern.ts';
import type { Rule } from '../rule.ts';

export const leftoverRules: readonly Rule[] = [
  {
    id: 'lower.qdq-to-reformat',
    summary: 'Q|DQ not absorbed  ->  Reformat layer named after the node (Origin QDQ)',
    source: 'doc §3.2 F10 [log QDQToCopy]; GT `QuantizeLinear_2` Reformat/QDQ in every QAT dump',
    pattern: node(['QuantizeLinear', 'DequantizeLinear'], { name: 'qdq' }),
    rewrite(m) {
      const n = m.nodes.qdq;
      n.notes.push(`${n.op} left stand-alone: no neighbour could absorb it`);
      n.op = 'trt.Reformat';
    },
  },
];
