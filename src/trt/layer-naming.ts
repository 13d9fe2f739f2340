/**
 * Layer names as TensorRT forms them (docs/trt-qdq-rules.md §5.3): the network layers a fused layer
 * absorbed, joined with " + ", in TensorRT's order. Some absorbed nodes are never named: the input DQ,
 * the weight DQ, the output Q, BatchNorm, and a ReLU folded straight into an INT8 convolution
 * (QConvScaleFusion "Removing ... Relu"); a ReLU after a residual Add is named.
 */
import type { Node } from '../sim/ir/graph.ts';
import type { ConvUnit } from './fused-unit.ts';

/** The parser's bias plumbing for an FC whose weights arrive through Q/DQ (GT: `fc.bias + (Unnamed Layer* 306) [Shuffle] + ...`). */
function fcBiasParts(u: ConvUnit, unnamed: number): string[] {
  if (!u.biasInit) return [];
  const shuffle = `(Unnamed Layer* ${unnamed}) [Shuffle]`;
  const add = u.biasAdd ? u.biasAdd.name : `(Unnamed Layer* ${unnamed + 1}) [ElementWise]`;
  return [u.biasInit, shuffle, `unsqueeze_node_after_${u.biasInit}`, `${shuffle}_${shuffle}_output`, add];
}

function activationParts(acts: Node[], int8: boolean): string[] {
  if (acts.length === 0) return [];
  // SiLU: Sigmoid + Mul fuse as PWN(PWN(Sigmoid), Mul)
  if (acts.length === 2 && acts[0].opType === 'Sigmoid' && acts[1].opType === 'Mul') return [`PWN(PWN(${acts[0].name}), ${acts[1].name})`];
  return acts.flatMap((a) => {
    if (a.opType === 'Relu') return int8 ? [] : [a.name];
    return [`PWN(${a.name})`];
  });
}

/** Whether the FC's weight needed a transpose to TensorRT's (K, C) layout (MatMul, or Gemm without transB). */
function fcNeedsTranspose(u: ConvUnit): boolean {
  if (!u.fc) return false;
  if (u.core.opType === 'MatMul') return true;
  const tb = u.core.attrs.transB;
  return !tb || tb.value === 0;
}

/**
 * @param unnamed the network-layer index TensorRT would give the parser's unnamed bias Shuffle. TensorRT
 *   counts every network layer the parser created; we count ONNX nodes, so the number is indicative only.
 */
export function convLayerName(u: ConvUnit, int8: boolean, unnamed: number): { name: string; fcTail?: string } {
  const parts: string[] = [];
  if (u.pad) parts.push(u.pad.name);
  if (u.weight) {
    parts.push(u.weight.init);
    if (u.weight.q) parts.push(u.weight.q.name);
    if (fcNeedsTranspose(u)) parts.push(`transpose_before_${u.core.name}`);
  }
  parts.push(u.core.name);
  if (u.fc && u.weight) parts.push(...fcBiasParts(u, unnamed));
  parts.push(...activationParts(u.acts, int8));
  if (u.add) parts.push(u.add.name);
  parts.push(...u.postActs.map((a) => a.name));
  parts.push(...u.requant.map((n) => n.name));
  if (u.pool) parts.push(u.pool.name);
  return { name: parts.join(' + '), fcTail: parts.at(-1) };
}

/** The no-op layer TensorRT adds after an FC to restore the ONNX output rank. */
export function fcReshapeName(u: ConvUnit, tail: string): string {
  return u.weight ? `copied_squeeze_after_${tail}` : `reshape_after_${u.core.name}`;
}
