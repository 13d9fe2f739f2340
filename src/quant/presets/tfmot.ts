/**
 * TFMOT's default 8-bit scheme placement (`default_8bit_quantize_registry.py` and its layer-fusing
 * transforms), mapped onto ONNX: Q/DQ on layer *outputs* and on weights, none on layer inputs.
 * - graph inputs are quantized (TFMOT's QuantizeLayer after each Input);
 * - Conv/ConvTranspose: weights per output channel; Gemm/MatMul (Dense): weights per tensor;
 * - the output of Conv[→BatchNorm][→Relu/Clip], Dense[→Relu/Clip], Add[→Relu/Clip], Multiply, Concat,
 *   AveragePool/GlobalAveragePool, stand-alone BatchNorm and stand-alone activations (not Softmax) is quantized
 *   after the last op of that fused group; MaxPool, reshapes and Softmax are not.
 * TFMOT's activation quantizers are asymmetric (uint8, non-zero zero point), which TensorRT rejects; this
 * preset keeps the placement but writes symmetric int8 Q/DQ so the graph stays buildable (docs/quantize.md).
 */
import { DataType } from '../../sim/data-type.ts';
import type { Node } from '../../sim/ir/graph.ts';
import type { GraphView } from '../graph-view.ts';
import { isAveragePool, isMergeLayer, isSwishMul, WEIGHTED_OPS } from '../op-kinds.ts';
import { hasConstantWeight, type Plan } from '../plan.ts';

const FUSED_ACTS = new Set(['Relu', 'Clip']);
const STANDALONE_ACTS = new Set(['Relu', 'Clip', 'Sigmoid', 'Tanh', 'LeakyRelu', 'HardSigmoid', 'HardSwish', 'Elu']);

/** Follows a single-consumer chain through the given op types; returns the last node. */
function chainEnd(view: GraphView, start: Node, next: readonly ((n: Node) => boolean)[]): Node {
  let cur = start;
  for (const ok of next) {
    const uses = view.usesOf(cur.outputs[0]);
    if (uses.length !== 1 || view.graphOutputs.has(cur.outputs[0])) break;
    const n = uses[0].node;
    if (!ok(n)) continue;
    cur = n;
  }
  return cur;
}

export function tfmotPlan(view: GraphView, plan: Plan): void {
  const source = 'preset tfmot';
  const absorbed = new Set<string>();
  const quantizeOutput = (n: Node) => {
    const t = n.outputs[0];
    if (!t || view.graphOutputs.has(t)) {
      plan.notes.push(`${n.name}: output "${t}" is a graph output: not quantized`);
      return;
    }
    if (!plan.outputs.has(t)) plan.outputs.set(t, source);
  };
  for (const vi of view.graph.inputs) {
    if (view.graph.initializers.has(vi.name) || vi.dtype !== DataType.FLOAT) continue;
    if (view.usesOf(vi.name).length) plan.outputs.set(vi.name, source);
  }
  for (const n of view.graph.nodes) {
    if (absorbed.has(n.name)) continue;
    if (WEIGHTED_OPS.has(n.opType) && hasConstantWeight(view, n)) {
      const perTensor = n.opType === 'Gemm' || n.opType === 'MatMul';
      plan.nodes.set(n.name, { inputs: [], weight: true, weightPerTensor: perTensor, source });
      const steps = n.opType === 'Conv' || n.opType === 'ConvTranspose'
        ? [(m: Node) => m.opType === 'BatchNormalization', (m: Node) => FUSED_ACTS.has(m.opType)]
        : [(m: Node) => FUSED_ACTS.has(m.opType)];
      const end = chainEnd(view, n, steps);
      let cur = n;
      while (cur !== end) { cur = view.usesOf(cur.outputs[0])[0].node; absorbed.add(cur.name); }
      quantizeOutput(end);
      continue;
    }
    if (isMergeLayer(view, n, 'Add')) {
      const end = chainEnd(view, n, [(m: Node) => FUSED_ACTS.has(m.opType)]);
      if (end !== n) absorbed.add(end.name);
      quantizeOutput(end);
      continue;
    }
    if (isMergeLayer(view, n, 'Mul') || isMergeLayer(view, n, 'Concat') || isAveragePool(n)) { quantizeOutput(n); continue; }
    if (n.opType === 'BatchNormalization' || STANDALONE_ACTS.has(n.opType) || isSwishMul(view, n)) {
      // a Sigmoid that gates a swish Mul is part of that activation
      if (n.opType === 'Sigmoid' && view.usesOf(n.outputs[0]).some((u) => isSwishMul(view, u.node))) continue;
      quantizeOutput(n);
    }
  }
}
