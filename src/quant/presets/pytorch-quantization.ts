/**
 * The placements NVIDIA's pytorch-quantization produces for torchvision ResNets (TREx examples
 * `qat_model.py`): QuantConv2d / QuantLinear only — input (per-tensor) and weight (per output channel)
 * quantizers on every Conv/ConvTranspose/Gemm/MatMul-with-constant-weight; optionally
 * - `quantizeResidual`: the block's `residual_quantizer` on the identity input of each residual Add;
 * - `quantizeGap`: a quantizer before global average pooling.
 * The identity input is found as ModelOpt does it: of the two Add inputs, the one with the shorter path to
 * their lowest common ancestor (the shortcut); ties go to input 1 (`out += identity`).
 */
import type { Node } from '../../sim/ir/graph.ts';
import type { GraphView } from '../graph-view.ts';
import { isGlobalAveragePool, isMergeLayer, WEIGHTED_OPS } from '../op-kinds.ts';
import { hasConstantWeight, type NodeDecision } from '../plan.ts';
import { QuantError } from '../quant-error.ts';

export interface PytorchPresetOptions {
  quantizeResidual: boolean;
  quantizeGap: boolean;
}

/** Distance (in nodes) from a tensor back to each of its ancestors, over non-constant inputs. */
function ancestorDistances(view: GraphView, start: string): Map<string, number> {
  const dist = new Map<string, number>([[start, 0]]);
  const queue = [start];
  while (queue.length) {
    const t = queue.shift() as string;
    const p = view.producers.get(t);
    if (!p) continue;
    for (const i of p.inputs) {
      if (!i || view.isConstant(i) || dist.has(i)) continue;
      dist.set(i, (dist.get(t) as number) + 1);
      queue.push(i);
    }
  }
  return dist;
}

/** Index of the identity (shortcut) input of a two-input Add. */
export function identityInput(view: GraphView, add: Node): number {
  const [a, b] = add.inputs;
  const da = ancestorDistances(view, a), db = ancestorDistances(view, b);
  let best: { t: string; sum: number } | undefined;
  for (const [t, d] of da) {
    const e = db.get(t);
    if (e === undefined) continue;
    if (!best || d + e < best.sum) best = { t, sum: d + e };
  }
  if (!best) return 1;
  const dA = da.get(best.t) as number, dB = db.get(best.t) as number;
  return dA < dB ? 0 : 1;
}

export function pytorchDecision(view: GraphView, node: Node, opts: PytorchPresetOptions, notes: string[]): NodeDecision | undefined {
  const source = 'preset pytorch-quantization';
  if (WEIGHTED_OPS.has(node.opType)) {
    if (!hasConstantWeight(view, node)) {
      if (node.opType === 'MatMul') {
        notes.push(`${node.name}: MatMul of two activations: not a QuantLinear, left float`);
        return undefined;
      }
      throw new QuantError(`node ${node.name} (${node.opType}): weight input 1 "${node.inputs[1]}" is not a constant initializer`);
    }
    return { inputs: [0], weight: true, source };
  }
  if (opts.quantizeGap && isGlobalAveragePool(node)) return { inputs: [0], weight: false, source: `${source} --quantize-gap` };
  if (opts.quantizeResidual && isMergeLayer(view, node, 'Add') && node.inputs.length === 2) {
    return { inputs: [identityInput(view, node)], weight: false, source: `${source} --quantize-residual` };
  }
  return undefined;
}
