/**
 * Pass 2 — weighted ops become convolution units: Conv/ConvTranspose, and Gemm/MatMul with a constant
 * weight, which TensorRT imports as FullyConnected and runs as a 1x1 convolution (docs §3.2 F7).
 * Activations are not graph edges any more for weights: the unit holds the (quantized) weight.
 */
import { newConvUnit } from '../fused-unit.ts';
import type { Net, SimNode } from '../net.ts';
import { any, node } from '../pattern.ts';
import type { Rule } from '../rule.ts';
import { onnxOf, qweight, removeIfDead } from './unit-access.ts';

function weightSource(net: Net, tensor: string | undefined): 'quantized' | 'float' | undefined {
  if (!tensor) return undefined;
  if (net.producer(tensor)?.op === 'trt.QWeight') return 'quantized';
  return net.isConstant(tensor) ? 'float' : undefined;
}

function importWeighted(net: Net, n: SimNode, fc: boolean, biasInput: number | undefined): string {
  const u = newConvUnit(onnxOf(n), fc);
  const w = n.inputs[1];
  const wp = net.producer(w);
  if (wp?.op === 'trt.QWeight') u.weight = qweight(wp);
  else u.weightInit = w;
  if (biasInput !== undefined && n.inputs[biasInput]) u.biasInit = n.inputs[biasInput];
  const unit = net.add({ op: 'trt.Conv', name: n.name, inputs: [n.inputs[0]], outputs: [], attrs: n.attrs, order: n.order, unit: u });
  const out = n.outputs[0];
  net.remove(n);
  net.setOutput(unit, 0, out);
  removeIfDead(net, wp);
  return u.weight ? 'INT8 weights' : 'float weights';
}

export const weightedImportRules: readonly Rule[] = [
  {
    id: 'import.conv',
    summary: 'Conv|ConvTranspose(x, W const|QWeight[, b])  ->  conv unit',
    source: 'doc §3.1 (weighted ops; weight DQ fused)',
    pattern: node(['Conv', 'ConvTranspose'], { name: 'c' }),
    guard: (m, { net }) => weightSource(net, m.nodes.c.inputs[1]) !== undefined && (!m.nodes.c.inputs[2] || net.isConstant(m.nodes.c.inputs[2])),
    rewrite: (m, { net }) => importWeighted(net, m.nodes.c, false, 2),
  },
  {
    id: 'import.gemm',
    summary: 'Gemm(x, W const|QWeight[, C const]), transA=0  ->  FC conv unit',
    source: 'doc §3.2 F7 (FullyConnected becomes a 1x1 convolution); GT pytorch `Gemm_48` CaskConvolution',
    pattern: node('Gemm', { name: 'g' }),
    guard: (m, { net }) => {
      const g = m.nodes.g;
      const transA = g.attrs.transA;
      return (!transA || transA.value === 0) && weightSource(net, g.inputs[1]) !== undefined && (!g.inputs[2] || net.isConstant(g.inputs[2]));
    },
    rewrite: (m, { net }) => importWeighted(net, m.nodes.g, true, 2),
  },
  {
    id: 'import.matmul',
    summary: 'MatMul(x, W const|QWeight)  ->  FC conv unit',
    source: 'doc §1.1.6 (MatMul with constant second input is a weighted op); GT tensorflow `predictions/MatMul` CublasConvolution',
    pattern: node('MatMul', { name: 'mm', inputs: [any(), any('w')] }),
    guard: (m, { net }) => weightSource(net, m.tensors.w) !== undefined,
    rewrite: (m, { net }) => importWeighted(net, m.nodes.mm, true, undefined),
  },
];
