/**
 * Pass 4 — Q/DQ propagation (docs/trt-qdq-rules.md §2): sibling-Q merging, Q splitting across Concat,
 * redundant DQ->Q erasure, DQ moved forward and Q moved backward through the ops of the propagation
 * table, with the fan-out and equal-scale conditions.
 */
import type { Net, SimNode } from '../net.ts';
import { any, node } from '../pattern.ts';
import type { Rule } from '../rule.ts';
import { DQ_FORWARD_OPS, Q_BACKWARD_OPS, propagationAllowed } from '../op-table.ts';
import { qparams, sameQuantization } from '../qdq-params.ts';
import { removeIfDead } from './unit-access.ts';

function siblingQs(net: Net, q: SimNode): SimNode[] {
  return net.consumers(q.inputs[0]).filter((s) => s !== q && s.op === 'QuantizeLinear' && s.inputs[0] === q.inputs[0] && sameQuantization(net, s, q));
}

function perTensor(net: Net, n: SimNode): boolean {
  return !qparams(net, n, 0).perChannel;
}

/** A copy of a Q/DQ node reading `input` and writing `output` (same scale/zero-point tensors and attributes). */
function cloneQdq(net: Net, proto: SimNode, name: string, input: string, output: string, order: number): SimNode {
  return net.add({ op: proto.op, name, inputs: [input, ...proto.inputs.slice(1)], outputs: [output], attrs: proto.attrs, order, onnx: proto.onnx });
}

export const propagationRules: readonly Rule[] = [
  {
    id: 'prop.merge-sibling-q',
    summary: 'x -> {Q1, Q2} (equal scale)  ->  x -> Q1 (Q2 readers use Q1)',
    source: 'doc §2.3.2-3 [log HorizontalMergeQNodes]; GT pytorch qat-residual (conv input Q and residual Q of one tensor merge)',
    pattern: node('QuantizeLinear', { name: 'q' }),
    guard: (m, { net }) => siblingQs(net, m.nodes.q).length > 0,
    rewrite(m, { net }) {
      const { q } = m.nodes;
      const merged = siblingQs(net, q);
      for (const s of merged) {
        net.redirect(s.outputs[0], q.outputs[0]);
        net.remove(s);
      }
      return `kept ${q.name}, eliminated ${merged.map((s) => s.name).join(', ')}`;
    },
  },
  {
    id: 'prop.concat-split-q',
    summary: 'Concat(a, b, ...) -> Q  ->  Concat(Q_clone_0(a), Q_clone_1(b), ...)',
    source: 'doc §2.2, §2.3.4 [log SplitQAcrossPrecedingFanIn; issue #2597 `QuantizeLinear_432_clone_0`]',
    pattern: node('QuantizeLinear', { name: 'q', inputs: [node('Concat', { name: 'cat', singleUse: true })] }),
    guard: (m, { net }) => perTensor(net, m.nodes.q),
    rewrite(m, { net }) {
      const { q, cat } = m.nodes;
      cat.inputs.forEach((t, i) => {
        const out = net.freshTensor(`${q.name}_clone_${i}`);
        cloneQdq(net, q, `${q.name}_clone_${i}`, t, out, q.order);
        net.setInput(cat, i, out);
      });
      const qOut = q.outputs[0];
      net.remove(q);
      net.setOutput(cat, 0, qOut);
    },
  },
  {
    id: 'prop.erase-redundant-pair',
    summary: 'DQ(s) -> Q(s) with equal scale  ->  (nothing: readers use the INT8 tensor)',
    source: 'doc §2.1 "Erase redundant Q/DQ nodes"; §2.3.4 (concat elimination)',
    pattern: node('QuantizeLinear', { name: 'q', inputs: [node('DequantizeLinear', { name: 'dq', inputs: [any('x')] })] }),
    guard: (m, { net }) => sameQuantization(net, m.nodes.q, m.nodes.dq) && !net.graphOutputs.has(m.nodes.q.outputs[0]),
    rewrite(m, { net }) {
      const { q, dq } = m.nodes;
      net.redirect(q.outputs[0], m.tensors.x);
      net.remove(q);
      removeIfDead(net, dq);
    },
  },
  {
    id: 'prop.dq-forward',
    summary: 'DQ -> X (X commutes: MaxPool, Shuffle, Pad 0, Slice)  ->  X(INT8) -> DQ',
    source: 'doc §2.1-2.2 (DQ moves forward through commuting ops with INT8 kernels); table in op-table.ts',
    pattern: node(DQ_FORWARD_OPS, { name: 'x', inputs: [node('DequantizeLinear', { name: 'dq', singleUse: true })] }),
    guard: (m, { net }) => perTensor(net, m.nodes.dq) && propagationAllowed(net, m.nodes.x),
    rewrite(m, { net }) {
      const { x, dq } = m.nodes;
      net.setInput(x, 0, dq.inputs[0]);
      x.outputs.forEach((o, i) => {
        if (o === '') return;
        const int8 = net.freshTensor(o);
        net.setOutput(x, i, int8);
        cloneQdq(net, dq, x.outputs.length > 1 ? `${dq.name}_clone_${i}` : dq.name, int8, o, x.order);
      });
      net.remove(dq);
    },
  },
  {
    id: 'prop.q-backward',
    summary: 'X -> Q (X commutes; Q its only reader; X not fed by a network input)  ->  Q -> X(INT8)',
    source: 'doc §2.3.2 (fan-out blocks), §2.3.5 (never hoisted into an input binding); GT tensorflow qat (Q before pool1_pad not above conv1_pad)',
    pattern: node('QuantizeLinear', { name: 'q', inputs: [node(Q_BACKWARD_OPS, { name: 'x', singleUse: true })] }),
    guard: (m, { net }) => {
      const { q, x } = m.nodes;
      return x.outputs.length === 1 && perTensor(net, q) && propagationAllowed(net, x) && !net.graphInputs.has(x.inputs[0]) &&
        !net.graphOutputs.has(q.outputs[0]);
    },
    rewrite(m, { net }) {
      const { q, x } = m.nodes;
      const before = x.inputs[0];
      const qOut = q.outputs[0];
      const moved = net.freshTensor(qOut);
      net.setOutput(q, 0, moved);
      net.setInput(q, 0, before);
      net.setInput(x, 0, moved);
      net.setOutput(x, 0, qOut);
    },
  },
];
