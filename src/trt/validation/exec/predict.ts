/**
 * Glue to the TensorRT simulator (src/trt, another module): the predicted engine as an EnginePlan,
 * the simulated-engine executor, and the predicted-vs-real layer-list diff. When the simulator cannot
 * handle a model, `unavailable` says why and compare runs without engine-sim/layer-wise parts.
 */
import type { Model } from '../../../sim/ir/graph.ts';
import type { EngineExecutor, LayerDiffReport } from '../compare.ts';
import type { EngineLayerList } from '../formats/trtexec-layers.ts';
import type { EnginePlan } from './engine-plan.ts';

export interface EngineSupport {
  plan?: EnginePlan;
  engineSim?: EngineExecutor;
  diffLayers?: (predicted: EnginePlan, real: EngineLayerList) => LayerDiffReport;
  /** Why there is no plan / executor. */
  unavailable?: string;
}

export interface EngineSupportOptions {
  precision?: 'best' | 'int8' | 'fp16' | 'fp32' | 'strongly-typed';
  backend?: 'ref' | 'webgpu';
}

export async function engineSupport(_model: Model, _opts: EngineSupportOptions = {}): Promise<EngineSupport> {
  return { unavailable: 'the TensorRT simulator (src/trt simulateEngine) is not available in this build' };
}
