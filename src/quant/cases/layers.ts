/**
 * Keras-layer reasoning on ONNX nodes, as the TF-QAT cases do it (`custom_qdq_cases.py`):
 * a node's parent layer, class-substring tests and parent patterns such as [BatchNorm, Conv].
 */
import type { Node } from '../../sim/ir/graph.ts';
import type { GraphView } from '../graph-view.ts';
import { isSwishMul, kerasClass, type KerasClass } from '../op-kinds.ts';

/** The layer feeding a node's data input (for a swish Mul: the activation's input, not the gate). */
export function previousLayer(view: GraphView, node: Node): Node | undefined {
  if (isSwishMul(view, node)) {
    for (let k = 0; k < 2; k++) {
      const gate = view.producers.get(node.inputs[k]);
      if (gate && (gate.opType === 'Sigmoid' || gate.opType === 'HardSigmoid') && gate.inputs[0] === node.inputs[1 - k]) {
        return view.parentLayer(node.inputs[1 - k]);
      }
    }
  }
  const first = node.inputs.find((t) => t && !view.isConstant(t));
  return first ? view.parentLayer(first) : undefined;
}

/** `is_parent_pattern`: the parent is pattern[0], its parent pattern[1], ... */
export function isParentPattern(view: GraphView, parent: Node | undefined, pattern: readonly KerasClass[]): boolean {
  let p = parent;
  for (let i = 0; i < pattern.length; i++) {
    if (!p || kerasClass(view, p) !== pattern[i]) return false;
    if (i + 1 < pattern.length) p = previousLayer(view, p);
  }
  return true;
}
