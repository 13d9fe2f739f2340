/**
 * Pass 3 — what TensorRT folds into a convolution before Q/DQ propagation: BatchNorm (scale folding),
 * the activation right after it, SiLU as a pointwise epilogue, and an FC's constant bias Add.
 */
import { foldBatchNorm, batchNormFactors, type BatchNormParams } from '../bn-fold.ts';
import type { Net, SimNode } from '../net.ts';
import { konst, node, type Match } from '../pattern.ts';
import type { Rule } from '../rule.ts';
import { CONV_ACTIVATIONS } from '../op-table.ts';
import { conv, onnxOf, takeOutput } from './unit-access.ts';

/** A conv unit with nothing after its core yet (epilogue order is BN, activation, add). */
const bareConv = (name: string) => node('trt.Conv', {
  name, singleUse: true,
  where: (n) => { const u = conv(n); return u.acts.length === 0 && !u.add && !u.outputQ && !u.pool; },
});

function bnParams(net: Net, bn: SimNode): BatchNormParams | undefined {
  const [gamma, beta, mean, variance] = bn.inputs.slice(1, 5).map((t) => net.constant(t));
  if (!gamma || !beta || !mean || !variance) return undefined;
  const eps = bn.attrs.epsilon;
  return { gamma, beta, mean, variance, epsilon: eps?.type === 'float' ? eps.value : 1e-5 };
}

function foldBn(m: Match, net: Net): string {
  const { bn, c } = m.nodes;
  const u = conv(c);
  const params = bnParams(net, bn)!;
  u.bn.push(onnxOf(bn));
  if (u.weight) {
    const f = batchNormFactors(params);
    u.weightScaleFactors = u.weightScaleFactors ? u.weightScaleFactors.map((x, k) => x * f[k]) : f;
  } else if (u.weightInit) {
    const w = u.foldedWeight ?? net.constant(u.weightInit)!;
    const b = u.foldedBias ?? (u.biasInit ? net.constant(u.biasInit) : undefined);
    const axis = u.core.opType === 'ConvTranspose' ? 1 : 0;
    const folded = foldBatchNorm(w, b, params, axis);
    u.foldedWeight = folded.weight;
    u.foldedBias = folded.bias;
  }
  takeOutput(net, c, bn);
  return u.weight ? 'BN scale folded into the INT8 weight scales' : 'BN folded into the float weights';
}

export const epilogueRules: readonly Rule[] = [
  {
    id: 'epilogue.bn-fold',
    summary: 'conv -> BatchNormalization  ->  conv (BN folded; not named)',
    source: 'doc §3.2 F1 [log ScaleActivationFusion, QConvScaleFusion "Removing bn"]; §5.3.2 (BN absent from names)',
    pattern: node('BatchNormalization', { name: 'bn', inputs: [bareConv('c')] }),
    guard: (m, { net }) => {
      const u = conv(m.nodes.c);
      // ConvTranspose + BN behind Q/DQ is not supported (issue #3412)
      if (u.core.opType === 'ConvTranspose' && u.weight) return false;
      return u.bn.length === 0 && bnParams(net, m.nodes.bn) !== undefined;
    },
    rewrite: (m, { net }) => foldBn(m, net),
  },
  {
    id: 'epilogue.activation',
    summary: 'conv -> Relu|Clip|LeakyRelu  ->  conv (activation epilogue)',
    source: 'doc §3.2 F2; GT `Conv_0 + Relu_1` (float) and "Activation":"RELU" on INT8 convs',
    pattern: node(CONV_ACTIVATIONS, { name: 'act', inputs: [bareConv('c')] }),
    rewrite(m, { net }) {
      const { act, c } = m.nodes;
      conv(c).acts.push(onnxOf(act));
      takeOutput(net, c, act);
    },
  },
  {
    id: 'epilogue.silu',
    summary: 'conv -> {Sigmoid, Mul(conv, Sigmoid)}  ->  conv + PWN(PWN(Sigmoid), Mul)',
    source: 'doc §3.2 F2 (issue #4555 layer name)',
    pattern: node('Mul', {
      name: 'mul', commutative: true,
      inputs: [node('Sigmoid', { name: 'sig', singleUse: true, inputs: [node('trt.Conv', { name: 'c' })] }), node('trt.Conv', { name: 'c' })],
    }),
    guard: (m, { net }) => {
      const u = conv(m.nodes.c);
      const out = m.nodes.c.outputs[0];
      return u.acts.length === 0 && !u.add && !u.outputQ && net.consumers(out).length === 2 && !net.graphOutputs.has(out);
    },
    rewrite(m, { net }) {
      const { mul, sig, c } = m.nodes;
      conv(c).acts.push(onnxOf(sig), onnxOf(mul));
      net.remove(sig);
      takeOutput(net, c, mul);
    },
  },
  {
    id: 'epilogue.fc-bias',
    summary: 'FC -> Add(const)  ->  FC with bias',
    source: 'doc §3.2 F7 (bias ElementWise fused into the FC); GT tensorflow `... + quant_predictions/BiasAdd`',
    pattern: node('Add', { name: 'add', commutative: true, inputs: [node('trt.Conv', { name: 'c', singleUse: true }), konst('b')] }),
    guard: (m) => { const u = conv(m.nodes.c); return u.fc && !u.biasInit && !u.biasAdd && u.acts.length === 0; },
    rewrite(m, { net }) {
      const { add, c } = m.nodes;
      const u = conv(c);
      u.biasInit = m.tensors.b;
      u.biasAdd = onnxOf(add);
      takeOutput(net, c, add);
    },
  },
];
