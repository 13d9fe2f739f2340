/**
 * EfficientNetQDQCase = residual case + both inputs [0, 1] of every Multiply layer (the squeeze-excite
 * scaling), "to trigger horizontal fusion in Mul residual branch". A swish Mul(x, Sigmoid(x)) is a Keras
 * Activation, not a Multiply layer, and is left alone.
 */
import type { CaseContext, CaseEntry, QdqCase } from '../plan.ts';
import { isMergeLayer } from '../op-kinds.ts';
import { residualEntries } from './residual.ts';

export function seMultiplyEntries(ctx: CaseContext): CaseEntry[] {
  return ctx.view.graph.nodes
    .filter((n) => isMergeLayer(ctx.view, n, 'Mul'))
    .map((n) => ({ node: n.name, quantizeInput: true, quantizeWeight: false, inputIndices: [0, 1] }));
}

export const efficientNetCase: QdqCase = {
  name: 'efficientnet',
  summary: 'EfficientNet: residual connections, both inputs of every SE Multiply',
  entries: (ctx) => [...residualEntries(ctx), ...seMultiplyEntries(ctx)],
};
