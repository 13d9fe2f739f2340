/**
 * Pass 1 — constant folding of weight Q/DQ (TRT log: "QDQ graph optimizer - constant folding of Q/DQ
 * initializers", ConstWeightsQuantizeFusion). A weight's Q->DQ (and any Transpose/Reshape after it, as
 * tf2onnx emits) becomes one quantized constant; it never becomes an engine layer.
 */
import { DataType } from '../../sim/data-type.ts';
import { node, konst } from '../pattern.ts';
import type { Rule } from '../rule.ts';
import { qparams } from '../qdq-params.ts';
import { onnxOf, qweight, removeIfDead } from './unit-access.ts';

const SHUFFLES = ['Transpose', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten'];

export const weightFoldingRules: readonly Rule[] = [
  {
    id: 'const.weight-qdq',
    summary: 'W(const) -> Q -> DQ  ->  QWeight(W + Q)',
    source: 'doc §2.3.6, App. A rows 1+3 [log ConstWeightsQuantizeFusion]; GT names `<weight> + <Q> + Conv`',
    pattern: node('DequantizeLinear', { name: 'dq', inputs: [node('QuantizeLinear', { name: 'q', singleUse: true, inputs: [konst('w')] })] }),
    rewrite(m, { net, options }) {
      const { dq, q } = m.nodes;
      const p = qparams(net, dq, options.version.perChannelDefaultAxis);
      const w = net.add({
        op: 'trt.QWeight', name: `${m.tensors.w} + ${q.name}`, inputs: [], outputs: [dq.outputs[0]], attrs: {},
        order: Math.min(q.order, dq.order),
        unit: { kind: 'qweight', init: m.tensors.w, q: onnxOf(q), dq: onnxOf(dq), shuffles: [], scale: p.scale!, axis: p.axis },
      });
      net.remove(dq);
      net.remove(q);
      return `weight ${m.tensors.w} quantized offline; ${w.name}`;
    },
  },
  {
    id: 'const.weight-dq',
    summary: 'W(const INT8) -> DQ  ->  QWeight(W)',
    source: 'doc §1.1.10 (TRT 10 pre-quantized initializers need a DQ)',
    pattern: node('DequantizeLinear', { name: 'dq', inputs: [konst('w')] }),
    guard: (m, { net }) => net.constant(m.tensors.w)!.dtype !== DataType.FLOAT,
    rewrite(m, { net, options }) {
      const { dq } = m.nodes;
      const p = qparams(net, dq, options.version.perChannelDefaultAxis);
      net.remove(dq);
      net.add({
        op: 'trt.QWeight', name: m.tensors.w, inputs: [], outputs: [dq.outputs[0]], attrs: {}, order: dq.order,
        unit: { kind: 'qweight', init: m.tensors.w, dq: onnxOf(dq), shuffles: [], scale: p.scale!, axis: p.axis },
      });
    },
  },
  {
    id: 'const.weight-shuffle',
    summary: 'QWeight -> Transpose|Reshape  ->  QWeight (shuffle folded into the constant)',
    source: 'doc §2.3.1 (inferred mechanism; GT tensorflow qat builds with DQ->Transpose->Conv weights)',
    pattern: node(SHUFFLES, { name: 's', inputs: [node('trt.QWeight', { name: 'w', singleUse: true })] }),
    guard: (m, { net }) => m.nodes.s.inputs.slice(1).every((t) => t === '' || net.isConstant(t)),
    rewrite(m, { net }) {
      const { s, w } = m.nodes;
      qweight(w).shuffles.push(onnxOf(s));
      const out = s.outputs[0];
      const shapeInputs = s.inputs.slice(1);
      net.remove(s);
      net.setOutput(w, 0, out);
      for (const t of shapeInputs) if (t) removeIfDead(net, net.producer(t));
    },
  },
];
