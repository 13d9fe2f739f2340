/**
 * `simulateEngine(model, options)`: predicts the TensorRT engine a Q/DQ ONNX model becomes.
 * Parser checks -> rule passes (traced) -> lowering to layers -> summary.
 */
import type { Dim, Model } from '../sim/ir/graph.ts';
import { inferShapes } from '../sim/shape/infer-shapes.ts';
import { resolveOptions, type SimulateOptions } from './build-options.ts';
import { runPasses } from './driver.ts';
import type { Engine, EngineLayer, EngineSummary } from './engine.ts';
import { lowerNet } from './lower.ts';
import { Net } from './net.ts';
import { checkParser } from './parser-checks.ts';
import { passesFor } from './rules/index.ts';

export function summarize(all: readonly EngineLayer[]): EngineSummary {
  // one pass over the layers (this runs on every simulation; five filters each re-read every layer)
  let layers = 0, computeLayers = 0, standaloneQdq = 0, int8Layers = 0;
  let totalMacs = 0, int8Macs = 0, known = false;
  const opaqueLayers: string[] = [];
  for (const l of all) {
    if (l.eliminated) continue;
    layers++;
    if (l.kind !== 'reformat' && l.kind !== 'noop') computeLayers++;
    if (l.origin === 'QDQ') standaloneQdq++;
    if (l.compute === 'Int8' && l.kind !== 'reformat') int8Layers++;
    if (l.kind === 'opaque') opaqueLayers.push(l.name);
    if (l.macs === undefined) continue;
    known = true;
    totalMacs += l.macs;
    if (l.compute === 'Int8') int8Macs += l.macs;
  }
  return {
    layers, computeLayers, standaloneQdq, int8Layers, totalMacs, int8Macs,
    ...(known && totalMacs > 0 ? { int8MacPercent: (100 * int8Macs) / totalMacs } : {}),
    opaqueLayers,
  };
}

/**
 * Shapes for layer tensors and MACs: the model's own value_info when it has it for every node output,
 * else the project's shape inference. A model inference cannot handle still simulates, without
 * dimensions or MACs (said in the parser notes).
 */
function shapesOf(model: Model, notes: { node: string; note: string }[]): Map<string, Dim[] | undefined> | undefined {
  const g = model.graph;
  if (g.nodes.every((n) => n.outputs.every((o) => !o || g.valueInfo.get(o)?.shape || g.outputs.some((v) => v.name === o)))) return undefined;
  try {
    const values = inferShapes(model, { annotate: false, allowUnknownOps: true });
    return new Map([...values].map(([k, v]) => [k, v.shape]));
  } catch (e) {
    notes.push({ node: '(model)', note: `shape inference failed, so no dimensions or MACs: ${(e as Error).message}` });
    return undefined;
  }
}

export function simulateEngine(model: Model, opts: SimulateOptions = {}): Engine {
  const options = resolveOptions(opts);
  const net = new Net(model.graph);
  const parserNotes = checkParser(net, options);
  const trace = runPasses(passesFor(options.version), { net, options });
  const layers = lowerNet(net, options, shapesOf(model, parserNotes));
  const nodeOpTypes: Record<string, string> = {};
  for (const n of model.graph.nodes) nodeOpTypes[n.name] = n.opType;
  return {
    layers,
    bindings: { inputs: [...net.graphInputs], outputs: [...net.graphOutputs] },
    options,
    trace,
    parserNotes,
    summary: summarize(layers),
    nodeOpTypes,
  };
}
