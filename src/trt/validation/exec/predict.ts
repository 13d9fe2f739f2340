/**
 * Glue to the TensorRT simulator (src/trt): the predicted engine as an EnginePlan, the
 * simulated-engine executor, and the predicted-vs-real layer-list diff. When the simulator cannot
 * handle a model, `unavailable` says why and compare runs without the engine-sim/layer-wise parts.
 */
import type { Model } from '../../../sim/ir/graph.ts';
import type { Tensor } from '../../../sim/tensor.ts';
import type { Precision } from '../../build-options.ts';
import type { Engine } from '../../engine.ts';
import { simulateEngine } from '../../simulate.ts';
import { diffEngines } from '../../diff.ts';
import { engineToLayerInfo } from '../../export-layer-info.ts';
import { parseTrtexecLayers } from '../formats/trtexec-layers.ts';
import type { EngineExecutor, LayerDiffReport } from '../compare.ts';
import type { EngineLayerList } from '../formats/trtexec-layers.ts';
import type { EnginePlan } from './engine-plan.ts';
import { runEngineSim } from './engine-sim.ts';

export interface EngineSupport {
  engine?: Engine;
  plan?: EnginePlan;
  engineSim?: EngineExecutor;
  diffLayers?: (predicted: EnginePlan, real: EngineLayerList) => LayerDiffReport;
  /** Why there is no plan / executor. */
  unavailable?: string;
}

export interface EngineSupportOptions {
  precision?: Precision;
  backend?: 'ref' | 'webgpu';
}

export function planOf(engine: Engine): EnginePlan {
  return {
    layers: engine.layers.map((l) => ({
      name: l.name,
      layerType: l.layerType,
      inputs: l.inputs.map((t) => ({ name: t.name, precision: t.precision, ...(t.dims ? { dims: t.dims } : {}) })),
      outputs: l.outputs.map((t) => ({ name: t.name, precision: t.precision, ...(t.dims ? { dims: t.dims } : {}) })),
    })),
    inputs: engine.bindings.inputs,
    outputs: engine.bindings.outputs,
  };
}

export async function engineSupport(model: Model, opts: EngineSupportOptions = {}): Promise<EngineSupport> {
  let engine: Engine;
  try {
    engine = simulateEngine(model, { precision: opts.precision });
  } catch (e) {
    return { unavailable: `the TensorRT simulator cannot build this model: ${(e as Error).message}` };
  }
  const engineSim: EngineExecutor = async (m, feeds, capture) => {
    const r = await runEngineSim(m, Object.fromEntries(feeds) as Record<string, Tensor>, { engine, backend: opts.backend, capture });
    return { outputs: new Map(Object.entries(r.outputs)), captured: new Map(Object.entries(r.captured)) };
  };
  return { engine, plan: planOf(engine), engineSim, diffLayers: (_plan, real) => diffAgainst(engine, real) };
}

/** The simulator's structural diff (src/trt/diff.ts) of the predicted engine against a real layer list. */
export function diffAgainst(engine: Engine, real: EngineLayerList): LayerDiffReport {
  const predicted = parseTrtexecLayers(JSON.stringify(engineToLayerInfo(engine, false)), 'predicted engine');
  const d = diffEngines(predicted, real, engine.nodeOpTypes);
  return {
    matched: d.matched,
    total: d.total,
    rows: d.pairs.map((p) => ({
      predicted: p.predicted?.layer.name,
      real: p.real?.layer.name,
      status: p.match ? 'match' : p.differences.includes('missing') ? 'missing' : p.differences.includes('extra') ? 'extra' : 'differs',
      ...(p.match ? {} : { detail: p.differences.join(', ') }),
    })),
    summary: `match: ${d.matched}/${d.total} layers (layout reformats not compared: predicted ${d.layoutSkipped.predicted}, real ${d.layoutSkipped.real})`,
  };
}
