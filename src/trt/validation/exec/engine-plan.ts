/**
 * What validation needs from a predicted engine: its layers with their input/output tensors and
 * precisions, and the tensors that survive as engine-layer boundaries (the only intermediate values
 * that exist in the real engine, hence the only ones that can be compared without breaking fusion).
 */
import type { Precision } from '../formats/trtexec-layers.ts';

export interface PlanTensor {
  name: string;
  precision: Precision;
  dims?: number[];
}

export interface PlanLayer {
  name: string;
  layerType: string;
  inputs: PlanTensor[];
  outputs: PlanTensor[];
}

export interface EnginePlan {
  layers: PlanLayer[];
  /** Graph inputs (engine bindings). */
  inputs: string[];
  /** Graph outputs (engine bindings). */
  outputs: string[];
}

/**
 * Tensors written by one layer and read by another: the engine-layer boundaries, in layer order.
 * Graph outputs are bindings, not boundaries; graph inputs are never produced by a layer.
 */
export function boundaryTensors(plan: EnginePlan): PlanTensor[] {
  const read = new Set<string>();
  for (const l of plan.layers) for (const t of l.inputs) read.add(t.name);
  const outs = new Set(plan.outputs);
  const seen = new Set<string>();
  const result: PlanTensor[] = [];
  for (const l of plan.layers) {
    for (const t of l.outputs) {
      if (outs.has(t.name) || !read.has(t.name) || seen.has(t.name)) continue;
      seen.add(t.name);
      result.push(t);
    }
  }
  return result;
}

/** Precision class of a plan tensor for colouring and summaries. */
export function precisionClass(p: Precision): 'int8' | 'fp16' | 'fp32' | 'other' {
  if (p === 'Int8') return 'int8';
  if (p === 'FP16' || p === 'BF16') return 'fp16';
  if (p === 'FP32') return 'fp32';
  return 'other';
}
