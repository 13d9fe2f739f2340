/**
 * A placement plan: per node, which activation inputs get a Q/DQ pair and whether its weight does, plus
 * tensors quantized at their producer's output (TFMOT style). Cases and presets produce plan entries;
 * insert.ts turns a plan into Q/DQ nodes.
 */
import type { Node } from '../sim/ir/graph.ts';
import type { GraphView } from './graph-view.ts';
import { activationIndex, isAveragePool, weightIndex, WEIGHTED_OPS } from './op-kinds.ts';
import { QuantError } from './quant-error.ts';

export interface NodeDecision {
  /** Activation input indices that get an input Q/DQ. */
  inputs: number[];
  /** Quantize the weight (weighted ops only). */
  weight: boolean;
  /** Per-tensor instead of per-channel weight quantization (TFMOT Dense). */
  weightPerTensor?: boolean;
  /** What decided: 'default', 'spec #k', 'case <name>', 'preset <name>'. */
  source: string;
}

/** A case entry: the toolkit's `qspec.add(layer.name, quantize_input, quantize_weight, quantization_index)`. */
export interface CaseEntry {
  node: string;
  quantizeInput: boolean;
  quantizeWeight: boolean;
  inputIndices?: number[];
}

export interface CaseContext {
  view: GraphView;
  /** Residual-case branch choice: the toolkit's two published versions differ (docs/quantize.md). */
  toolkitVersion: ToolkitVersion;
}

export type ToolkitVersion = '0.1.0' | '0.2.0';

/** A custom Q/DQ case, one module each under src/quant/cases/. */
export interface QdqCase {
  name: string;
  /** One line: what it adds. */
  summary: string;
  entries(ctx: CaseContext): CaseEntry[];
  /** Turn on scale sharing (Concat inputs/output, MaxPool in/out). */
  shareScales?: boolean;
}

export interface Plan {
  nodes: Map<string, NodeDecision>;
  /** Tensors quantized once at their producer (all consumers read the DQ output), with the deciding source. */
  outputs: Map<string, string>;
  shareScales: boolean;
  notes: string[];
}

/** True when a weighted node's weight input is a constant (possibly through Transpose/Identity). */
export function hasConstantWeight(view: GraphView, node: Node): boolean {
  let t = node.inputs[weightIndex(node)];
  for (;;) {
    if (!t) return false;
    if (view.isConstant(t)) return true;
    const p = view.producers.get(t);
    if (!p || (p.opType !== 'Transpose' && p.opType !== 'Identity')) return false;
    t = p.inputs[0];
  }
}

/**
 * The toolkit's default behaviour for a node (class id 0): Conv/ConvTranspose/Gemm/MatMul quantize the
 * activation input and the weight, AveragePool/GlobalAveragePool (and a spatial ReduceMean) the input.
 * A MatMul of two activations is left float (noted); other weighted ops must have a constant weight.
 */
export function toolkitDefault(view: GraphView, node: Node, notes: string[]): NodeDecision | undefined {
  if (WEIGHTED_OPS.has(node.opType)) {
    if (!hasConstantWeight(view, node)) {
      if (node.opType === 'MatMul') {
        notes.push(`${node.name}: MatMul of two activations (input 1 "${node.inputs[1]}" is not a constant): left float; name it in a spec with quantization_index to quantize it`);
        return undefined;
      }
      throw new QuantError(`node ${node.name} (${node.opType}): weight input 1 "${node.inputs[1]}" is not a constant initializer; cannot quantize its weight per channel`);
    }
    return { inputs: [activationIndex(node)], weight: true, source: 'default' };
  }
  if (isAveragePool(node)) return { inputs: [0], weight: false, source: 'default' };
  return undefined;
}

/** Turns a spec or case entry into a decision for one node; errors name the node. */
export function decisionFromEntry(
  view: GraphView, node: Node, e: { quantizeInput: boolean; quantizeWeight: boolean; weightExplicit?: boolean; inputIndices?: number[] },
  source: string,
): NodeDecision {
  const acts = view.activationInputs(node);
  const weighted = WEIGHTED_OPS.has(node.opType);
  const constW = weighted && hasConstantWeight(view, node);
  for (const i of e.inputIndices ?? []) {
    if (i >= node.inputs.length || !node.inputs[i]) {
      throw new QuantError(`${source}: node ${node.name} (${node.opType}) has no input ${i} (it has ${node.inputs.length})`);
    }
    if (constW && i === weightIndex(node)) {
      throw new QuantError(`${source}: input ${i} of node ${node.name} is its weight; use quantize_weight instead of quantization_index`);
    }
  }
  let inputs: number[] = [];
  if (e.quantizeInput) {
    if (e.inputIndices) inputs = e.inputIndices.filter((i) => !view.isConstant(node.inputs[i]));
    else if (weighted) inputs = [activationIndex(node)];
    else inputs = acts;
  }
  let weight = false;
  if (weighted && e.quantizeWeight) {
    if (constW) weight = true;
    else if (e.weightExplicit || node.opType !== 'MatMul') {
      throw new QuantError(`${source}: node ${node.name} (${node.opType}): weight input 1 "${node.inputs[1]}" is not a constant initializer; cannot quantize it as a weight`);
    }
  }
  return { inputs, weight, source };
}
