/**
 * ResidualConnectionQDQCase: for every Add layer, leave one conv-pattern input float (it fuses with the
 * Add in TensorRT) and quantize the others. Conv patterns: Conv, BN←Conv, Activation←BN←Conv,
 * Dropout←Activation←BN←Conv.
 *
 * Which input stays float differs between the toolkit's two published versions:
 * - 0.2.0: the first input whose parent matches a pattern *and* has exactly one outbound node.
 * - 0.1.0: among all pattern inputs, the last one (the first one if an EfficientNet pattern
 *   Activation←BN←Conv / Dropout←Activation←BN←Conv was seen); no outbound-node check.
 *   The public TF-QAT ResNet-50 engine (shared/ground-truth) was built with 0.1.0.
 */
import type { CaseContext, CaseEntry, QdqCase } from '../plan.ts';
import { isMergeLayer } from '../op-kinds.ts';
import { isParentPattern } from './layers.ts';

export function residualEntries(ctx: CaseContext): CaseEntry[] {
  const { view } = ctx;
  const out: CaseEntry[] = [];
  for (const node of view.graph.nodes) {
    if (!isMergeLayer(view, node, 'Add')) continue;
    const parents = node.inputs.map((t) => (t ? view.parentLayer(t) : undefined));
    const convLike = (i: number) => {
      const p = parents[i];
      return isParentPattern(view, p, ['Conv']) || isParentPattern(view, p, ['BatchNorm', 'Conv']);
    };
    const effLike = (i: number) => {
      const p = parents[i];
      return isParentPattern(view, p, ['Activation', 'BatchNorm', 'Conv']) || isParentPattern(view, p, ['Dropout', 'Activation', 'BatchNorm', 'Conv']);
    };
    const indices = node.inputs.map((_, i) => i);
    let keepFloat: number | undefined;
    if (ctx.toolkitVersion === '0.2.0') {
      for (let i = 0; i < parents.length; i++) {
        if ((convLike(i) || effLike(i)) && parents[i] && view.outboundCount(parents[i]!) === 1) { keepFloat = i; break; }
      }
    } else {
      const convs: number[] = [];
      let efficientnet = false;
      for (let i = 0; i < parents.length; i++) {
        if (convLike(i)) convs.push(i);
        if (effLike(i)) { convs.push(i); efficientnet = true; }
      }
      if (convs.length) keepFloat = efficientnet ? convs[0] : convs[convs.length - 1];
    }
    const q = indices.filter((i) => i !== keepFloat);
    if (q.length) out.push({ node: node.name, quantizeInput: true, quantizeWeight: false, inputIndices: q });
  }
  return out;
}

export const residualCase: QdqCase = {
  name: 'residual',
  summary: 'Add: quantize every input except the one conv-pattern branch that fuses with the Add',
  entries: residualEntries,
};
