/**
 * Pass 5 — layer fusion after Q/DQ have settled (docs/trt-qdq-rules.md §3): the INT8 convolution
 * (input DQ + weight DQ), Pad, an FC's input reshape, the residual Add and what follows it, the output Q
 * (only when it is the conv output's sole reader), ConvActPool, requantize folding, INT8 pooling and
 * pointwise fusion.
 */
import type { ConvUnit } from '../fused-unit.ts';
import type { Net, SimNode } from '../net.ts';
import { any, node, type Match } from '../pattern.ts';
import type { Rule } from '../rule.ts';
import { POINTWISE_OPS, QUANTIZABLE_POOLS, propagationAllowed } from '../op-table.ts';
import { isDQ, qparams, sameQuantization } from '../qdq-params.ts';
import { conv, isConvUnit, onnxOf, removeIfDead, takeOutput } from './unit-access.ts';

export function isInt8Conv(u: ConvUnit): boolean {
  return u.inputDQ !== undefined && u.weight !== undefined;
}

function perTensor(net: Net, n: SimNode): boolean {
  return !qparams(net, n, 0).perChannel;
}

/** A conv unit whose output may still take an Add. */
function addable(n: SimNode, net: Net): boolean {
  if (!isConvUnit(n) || !net.singleUse(n.outputs[0])) return false;
  const u = n.unit;
  return !u.add && !u.outputQ && !u.pool && u.requant.length === 0 && !u.fc;
}

/** Tie-break when both Add inputs are fusable convs: the one whose input is produced earlier (the shortcut). */
function preference(n: SimNode, net: Net): number {
  return net.producer(n.inputs[0])?.order ?? -1;
}

function isChosenAddConv(n: SimNode, m: Match, net: Net): boolean {
  if (!addable(n, net)) return false;
  const add = m.nodes.add;
  const other = add.inputs[0] === n.outputs[0] ? add.inputs[1] : add.inputs[0];
  const o = net.producer(other);
  if (!o || o === n || !addable(o, net)) return true;
  const a = preference(n, net), b = preference(o, net);
  if (a !== b) return a < b;
  return add.inputs[1] === n.outputs[0];
}

const pointwise = (n: SimNode) => POINTWISE_OPS.includes(n.op) || (n.op === 'trt.Pwn' && n.unit?.kind === 'pwn' && !n.unit.outputQ && n.unit.inputDQs.length === 0);

export const fusionRules: readonly Rule[] = [
  {
    id: 'fuse.conv-int8-input',
    summary: 'DQ(x) -> conv(QWeight)  ->  INT8 conv reading x',
    source: 'doc §3.1 [log QuantizeDoubleInputNodes: fusing (<in DQ> and <w DQ>)]; GT every quantized conv',
    pattern: node('trt.Conv', { name: 'c', inputs: [node('DequantizeLinear', { name: 'dq' })] }),
    guard: (m, { net }) => { const u = conv(m.nodes.c); return u.weight !== undefined && !u.inputDQ && perTensor(net, m.nodes.dq); },
    rewrite(m, { net }) {
      const { c, dq } = m.nodes;
      conv(c).inputDQ = onnxOf(dq);
      net.setInput(c, 0, dq.inputs[0]);
      removeIfDead(net, dq);
    },
  },
  {
    id: 'fuse.conv-pad',
    summary: 'Pad(0) -> conv  ->  conv with padding (Pad named first)',
    source: 'doc §3.2 F3 (issue #2527 `Pad_6 + w + Q + Conv_13`)',
    pattern: node('trt.Conv', { name: 'c', inputs: [node('Pad', { name: 'pad', singleUse: true })] }),
    guard: (m, { net }) => { const u = conv(m.nodes.c); return !u.pad && !u.fc && propagationAllowed(net, m.nodes.pad); },
    rewrite(m, { net }) {
      const { c, pad } = m.nodes;
      conv(c).pad = onnxOf(pad);
      net.setInput(c, 0, pad.inputs[0]);
      net.remove(pad);
    },
  },
  {
    id: 'fuse.fc-input-reshape',
    summary: 'Flatten|Reshape|Squeeze -> FC  ->  FC (the importer reshapes to 4-D anyway)',
    source: 'inferred from GT pytorch fp32/qat (no Shuffle layer for Flatten before `Gemm_48`)',
    pattern: node('trt.Conv', { name: 'c', inputs: [node(['Flatten', 'Reshape', 'Squeeze'], { name: 'r', singleUse: true })] }),
    guard: (m) => conv(m.nodes.c).fc,
    rewrite(m, { net }) {
      const { c, r } = m.nodes;
      conv(c).inputReshape.push(onnxOf(r));
      net.setInput(c, 0, r.inputs[0]);
      net.remove(r);
    },
  },
  {
    id: 'fuse.conv-residual-add',
    summary: 'Add(conv, r)  ->  conv + Add (r is the residual input)',
    source: 'doc §3.2 F4; tie-break (both inputs convs: the shortcut conv) inferred from GT pytorch qat/fp32 and tensorflow fp32',
    pattern: node('Add', {
      name: 'add', commutative: true,
      inputs: [node('trt.Conv', { name: 'c', where: (n, m, net) => isChosenAddConv(n, m, net) }), any('r')],
    }),
    // Add(c, c) reads the conv twice: it has no residual and cannot fuse
    guard: (m, { net }) => !net.isConstant(m.tensors.r) && m.tensors.r !== m.nodes.c.outputs[0],
    rewrite(m, { net }) {
      const { add, c } = m.nodes;
      const u = conv(c);
      u.add = onnxOf(add);
      u.residual = m.tensors.r;
      net.setInput(c, 1, m.tensors.r);
      takeOutput(net, c, add);
      return `residual ${m.tensors.r} (${isDQ(net.producer(m.tensors.r)) ? 'from a DQ' : 'float'})`;
    },
  },
  {
    id: 'fuse.conv-post-add-activation',
    summary: 'conv + Add -> Relu  ->  conv + Add + Relu',
    source: 'GT `Conv_34 + Add_36 + Relu_37`',
    pattern: node(['Relu', 'Clip', 'LeakyRelu'], {
      name: 'act', inputs: [node('trt.Conv', { name: 'c', singleUse: true, where: (n) => { const u = conv(n); return !!u.add && u.postActs.length === 0 && !u.outputQ; } })],
    }),
    rewrite(m, { net }) {
      conv(m.nodes.c).postActs.push(onnxOf(m.nodes.act));
      takeOutput(net, m.nodes.c, m.nodes.act);
    },
  },
  {
    id: 'fuse.conv-output-q',
    summary: 'INT8 conv -> Q (sole reader; residual absent or from a DQ)  ->  conv with INT8 output',
    source: 'doc §3.1, §3.2 F4 (precision follows the residual input); GT pytorch qat (float residual -> stand-alone Q) and qat-residual',
    pattern: node('QuantizeLinear', { name: 'q', inputs: [node('trt.Conv', { name: 'c', singleUse: true })] }),
    guard: (m, { net }) => {
      const u = conv(m.nodes.c);
      if (!isInt8Conv(u) || u.outputQ || u.pool || !perTensor(net, m.nodes.q) || net.graphOutputs.has(m.nodes.q.outputs[0])) return false;
      if (!u.add) return true;
      const r = net.producer(u.residual!);
      return u.residualDQ !== undefined || (isDQ(r) && perTensor(net, r));
    },
    rewrite(m, { net }) {
      const { q, c } = m.nodes;
      const u = conv(c);
      u.outputQ = onnxOf(q);
      if (u.add && !u.residualDQ) {
        const r = net.producer(u.residual!)!;
        u.residualDQ = onnxOf(r);
        net.setInput(c, 1, r.inputs[0]);
        removeIfDead(net, r);
      }
      takeOutput(net, c, q);
    },
  },
  {
    id: 'fuse.conv-act-pool',
    summary: 'INT8 conv(+Relu, INT8 out) -> MaxPool  ->  ConvActPool',
    source: 'doc §3.2 F5; GT pytorch qat-residual `conv1.weight + QuantizeLinear_7 + Conv_9 + MaxPool_12`',
    pattern: node('MaxPool', {
      name: 'p', inputs: [node('trt.Conv', { name: 'c', singleUse: true, where: (n) => { const u = conv(n); return !!u.outputQ && !u.add && !u.pool && u.requant.length === 0; } })],
    }),
    rewrite(m, { net }) {
      conv(m.nodes.c).pool = onnxOf(m.nodes.p);
      takeOutput(net, m.nodes.c, m.nodes.p);
    },
  },
  {
    id: 'fuse.requantize',
    summary: 'INT8 conv -> DQ(s1) -> Q(s2), s1 != s2  ->  conv + DQ + Q (requantize in the epilogue)',
    source: 'doc §3.2 F9 (issue #2527 `... + DequantizeLinear_62 + QuantizeLinear_378_clone_0`)',
    pattern: node('QuantizeLinear', {
      name: 'q2', inputs: [node('DequantizeLinear', { name: 'dq', singleUse: true, inputs: [node('trt.Conv', { name: 'c', singleUse: true, where: (n) => !!conv(n).outputQ })] })],
    }),
    guard: (m, { net }) => !sameQuantization(net, m.nodes.q2, m.nodes.dq) && perTensor(net, m.nodes.q2),
    rewrite(m, { net }) {
      const { q2, dq, c } = m.nodes;
      conv(c).requant.push(onnxOf(dq), onnxOf(q2));
      net.remove(dq);
      takeOutput(net, c, q2);
    },
  },
  {
    id: 'fuse.int8-pooling',
    summary: 'DQ -> AveragePool|GlobalAveragePool|ReduceMean -> Q  ->  INT8 pooling layer',
    source: 'doc §2.2, §3.2 F6 (quantizable op); GT pytorch qat-residual-qgap `GlobalAveragePool_300` Int8->Int8, tensorflow `quant_avg_pool/Mean`',
    pattern: node('QuantizeLinear', {
      name: 'q', inputs: [node(QUANTIZABLE_POOLS, { name: 'p', singleUse: true, inputs: [node('DequantizeLinear', { name: 'dq' })] })],
    }),
    guard: (m, { net }) => perTensor(net, m.nodes.q) && perTensor(net, m.nodes.dq) && !net.graphOutputs.has(m.nodes.q.outputs[0]),
    rewrite(m, { net }) {
      const { q, p, dq } = m.nodes;
      const unit = net.add({
        op: 'trt.QPool', name: p.name, inputs: [dq.inputs[0]], outputs: [], attrs: p.attrs, order: p.order,
        unit: { kind: 'qpool', core: onnxOf(p), inputDQ: onnxOf(dq), outputQ: onnxOf(q) },
      });
      net.remove(p);
      takeOutput(net, unit, q);
      removeIfDead(net, dq);
    },
  },
  {
    id: 'fuse.int8-pointwise',
    summary: 'DQ inputs -> pointwise op -> Q  ->  INT8 PWN layer',
    source: 'doc §3.2 F4 ("quantizable" Add: DQ inputs + Q output fused), §4.1.5',
    pattern: node('QuantizeLinear', { name: 'q', inputs: [node(POINTWISE_OPS, { name: 'p', singleUse: true })] }),
    guard: (m, { net }) => {
      const dyn = m.nodes.p.inputs.filter((t) => t !== '' && !net.isConstant(t));
      return dyn.length > 0 && dyn.every((t) => { const d = net.producer(t); return isDQ(d) && perTensor(net, d); }) && perTensor(net, m.nodes.q);
    },
    rewrite(m, { net }) {
      const { q, p } = m.nodes;
      const dqs = p.inputs.filter((t) => t !== '' && !net.isConstant(t)).map((t) => net.producer(t)!);
      const unit = net.add({
        op: 'trt.Pwn', name: `PWN(${p.name})`, inputs: dqs.map((d) => d.inputs[0]), outputs: [], attrs: {}, order: p.order,
        unit: { kind: 'pwn', nodes: [onnxOf(p)], inputDQs: dqs.map(onnxOf), outputQ: onnxOf(q) },
      });
      net.remove(p);
      takeOutput(net, unit, q);
      for (const d of dqs) removeIfDead(net, d);
    },
  },
  {
    id: 'fuse.pointwise-chain',
    summary: 'pointwise P1 -> pointwise P2 (P1 read only by P2)  ->  PWN(P1, P2)',
    source: 'doc §3.2 F11 [log PointWiseFusion]; naming `PWN(a, b)` inferred',
    pattern: node(pointwise, { name: 'p2', inputs: [node(pointwise, { name: 'p1', singleUse: true })] }),
    guard: (m) => m.nodes.p1 !== m.nodes.p2,
    rewrite(m, { net }) {
      const { p1, p2 } = m.nodes;
      const first = p1.unit?.kind === 'pwn' ? p1.unit.nodes : [onnxOf(p1)];
      const second = p2.unit?.kind === 'pwn' ? p2.unit.nodes : [onnxOf(p2)];
      const nodes = [...first, ...second];
      const inputs = [...p1.inputs, ...p2.inputs.filter((t) => t !== p1.outputs[0])].filter((t) => t !== '' && !net.isConstant(t));
      const unit = net.add({
        op: 'trt.Pwn', name: `PWN(${nodes.map((n) => n.name).join(', ')})`, inputs, outputs: [], attrs: {}, order: Math.min(p1.order, p2.order),
        unit: { kind: 'pwn', nodes, inputDQs: [] },
      });
      net.remove(p1);
      takeOutput(net, unit, p2);
    },
  },
];
