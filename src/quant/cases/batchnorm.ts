/**
 * BNQDQCase: quantize the input of every BatchNorm whose parent layer is not a Conv (ResNet-v2's
 * pre-activation BN after an Add), so BN+ReLU can run INT8 ahead of the next conv.
 */
import type { CaseContext, CaseEntry, QdqCase } from '../plan.ts';
import { kerasClass } from '../op-kinds.ts';

export function batchNormEntries(ctx: CaseContext): CaseEntry[] {
  const { view } = ctx;
  const out: CaseEntry[] = [];
  for (const n of view.graph.nodes) {
    if (n.opType !== 'BatchNormalization') continue;
    const parent = view.parentLayer(n.inputs[0]);
    if (parent && kerasClass(view, parent) === 'Conv') continue;
    out.push({ node: n.name, quantizeInput: true, quantizeWeight: false, inputIndices: [0] });
  }
  return out;
}

export const batchNormCase: QdqCase = { name: 'batchnorm', summary: 'BatchNorm not fed by a Conv: quantize the input', entries: batchNormEntries };
