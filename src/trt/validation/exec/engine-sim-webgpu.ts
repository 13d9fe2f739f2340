/** Placeholder replaced below once the WebGPU int8 kernels are wired. */
import type { Model } from '../../../sim/ir/graph.ts';
import type { Tensor } from '../../../sim/tensor.ts';
import { runEngineSimRef, type EngineSimOptions, type EngineSimResult } from './engine-sim.ts';

export async function runEngineSimWebGpu(model: Model, feeds: Record<string, Tensor>, opts: EngineSimOptions): Promise<EngineSimResult> {
  return runEngineSimRef(model, feeds, opts);
}
