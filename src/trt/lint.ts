/**
 * `qdqsim lint`: Q/DQ placements that keep TensorRT from fusing, each with a code, the nodes, why, and a
 * fix. Every fix is applied to a copy of the model and re-simulated; the finding reports whether the
 * simulated engine improved (fewer stand-alone Q/DQ, more INT8 layers) and by how much.
 */
import { DataType } from '../sim/data-type.ts';
import type { Model, Node } from '../sim/ir/graph.ts';
import type { SimulateOptions } from './build-options.ts';
import type { Engine, EngineLayer } from './engine.ts';
import { cloneModel, insertQdq, removeQdq } from './graph-edit.ts';
import { simulateEngine } from './simulate.ts';

export interface LintMetrics {
  layers: number;
  standaloneQdq: number;
  int8Layers: number;
  int8MacPercent?: number;
}

export interface LintFinding {
  code: string;
  title: string;
  /** ONNX nodes involved. */
  nodes: string[];
  why: string;
  fix: string;
  verification: { verified: boolean; before: LintMetrics; after: LintMetrics; detail: string };
}

interface Candidate {
  code: string;
  title: string;
  nodes: string[];
  why: string;
  fix: string;
  apply: (m: Model) => void;
  /** The layer the fix should make disappear (a stand-alone reformat), if any. */
  removes?: string;
}

const POOLS = new Set(['AveragePool', 'GlobalAveragePool', 'ReduceMean']);
const WEIGHTED = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

class ModelIndex {
  readonly byName = new Map<string, Node>();
  readonly producer = new Map<string, Node>();
  readonly readers = new Map<string, { node: Node; slot: number }[]>();
  readonly graphInputs: Set<string>;
  readonly graphOutputs: Set<string>;
  constructor(readonly model: Model) {
    const g = model.graph;
    for (const n of g.nodes) {
      this.byName.set(n.name, n);
      for (const o of n.outputs) this.producer.set(o, n);
      n.inputs.forEach((t, slot) => {
        if (!t) return;
        let l = this.readers.get(t);
        if (!l) this.readers.set(t, (l = []));
        l.push({ node: n, slot });
      });
    }
    this.graphInputs = new Set(g.inputs.map((v) => v.name).filter((n) => !g.initializers.has(n)));
    this.graphOutputs = new Set(g.outputs.map((v) => v.name));
  }
}

function metrics(e: Engine): LintMetrics {
  const s = e.summary;
  return { layers: s.layers, standaloneQdq: s.standaloneQdq, int8Layers: s.int8Layers, ...(s.int8MacPercent !== undefined ? { int8MacPercent: s.int8MacPercent } : {}) };
}

/** The Add input slot of a fused INT8 conv layer that is its float residual, if any. */
function floatResidual(ix: ModelIndex, layer: EngineLayer | undefined): { add: Node; slot: number } | undefined {
  if (!layer || layer.kind !== 'convolution' || layer.compute !== 'Int8' || layer.inputs.length < 2 || layer.inputs[1].precision === 'Int8') return undefined;
  const add = layer.nodes.find((n) => n.opType === 'Add');
  if (!add) return undefined;
  const chain = new Set(layer.nodes.flatMap((n) => n.outputs));
  const slot = add.inputs.findIndex((t) => !chain.has(t));
  // a residual already behind a DQ becomes INT8 as soon as the output Q can fuse: nothing to add
  if (slot < 0 || ix.producer.get(add.inputs[slot])?.opType === 'DequantizeLinear') return undefined;
  return { add, slot };
}

/**
 * A stand-alone Q after a layer that could have absorbed it. Two causes, fixed together:
 * the tensor also has float readers (QDQ101), and/or the producer is an INT8 conv + Add whose residual
 * input is float so its output must be float (QDQ105).
 */
function standaloneQFinding(ix: ModelIndex, layer: EngineLayer, engine: Engine): Candidate | undefined {
  const q = layer.nodes[0];
  const t = q.inputs[0];
  if (ix.graphInputs.has(t) || ix.graphOutputs.has(t)) return undefined; // an input Q is always a stand-alone reformat (§2.3.5)
  const others = (ix.readers.get(t) ?? []).filter((r) => r.node.opType !== 'QuantizeLinear');
  const fed = layer.inputs[0]?.name ?? t;
  const producerLayer = engine.layers.find((l) => l.outputs.some((o) => o.name === fed));
  const residual = floatResidual(ix, producerLayer);
  const pool = producerLayer?.kind === 'pooling' && producerLayer.compute === 'Float' ? producerLayer.nodes.find((n) => POOLS.has(n.opType)) : undefined;
  if (others.length === 0 && !residual && !pool) return undefined;
  const producer = ix.producer.get(t);
  const why: string[] = [];
  const fix: string[] = [];
  if (others.length > 0) {
    why.push(`'${t}' is read by ${q.name} and by ${others.map((o) => `${o.node.name} (${o.node.opType})`).join(', ')}: TensorRT fuses a Q as the producer's output quantizer, or moves it backward, only when every reader is a Q of one scale (docs §2.3.2)`);
    fix.push(`add Q->DQ with ${q.name}'s scale in front of ${others.map((o) => `${o.node.name} input ${o.slot}`).join(', ')}`);
  }
  if (residual) {
    why.push(`${residual.add.name} is fused into an INT8 conv but its residual input '${residual.add.inputs[residual.slot]}' is float, and the fused output precision follows the residual input (docs §3.2 F4)`);
    fix.push(`add Q->DQ with ${q.name}'s scale on input ${residual.slot} of ${residual.add.name} (quantize the residual input only, placement rec. §4.1.4)`);
  }
  if (pool && others.length === 0) {
    why.push(`${pool.name} (${pool.opType}) is quantizable, not commuting: it runs INT8 only with a DQ on its input as well as the Q on its output (docs §3.2 F6)`);
    fix.push(`add Q->DQ with ${q.name}'s scale on the input of ${pool.name}`);
  }
  const code = others.length > 0 ? 'QDQ101' : residual ? 'QDQ105' : 'QDQ106';
  const titles: Record<string, string> = {
    QDQ101: 'a tensor read by a Q and by a float op: the Q cannot fuse',
    QDQ105: 'float residual input keeps an INT8 conv + Add from writing INT8',
    QDQ106: 'average pooling with a Q after it but a float input runs in float',
  };
  return {
    code,
    title: titles[code],
    nodes: [...(producer ? [producer.name] : []), q.name, ...others.map((o) => o.node.name), ...(residual ? [residual.add.name] : [])],
    why: `${why.join('; ')}. So ${producer?.name ?? 'the producer'} writes float and ${q.name} runs as a separate Reformat.`,
    fix: fix.join('; and '),
    apply: (m) => {
      for (const o of others) insertQdq(m, o.node.name, o.slot, q);
      if (residual) insertQdq(m, residual.add.name, residual.slot, q);
      if (pool && others.length === 0) insertQdq(m, pool.name, 0, q);
    },
    removes: layer.name,
  };
}

function poolFinding(ix: ModelIndex, layer: EngineLayer, engine: Engine): Candidate | undefined {
  const dq = layer.nodes[0];
  const readers = ix.readers.get(dq.outputs[0]) ?? [];
  const pool = readers.find((r) => POOLS.has(r.node.opType))?.node;
  if (!pool || readers.length !== 1) return undefined;
  const poolLayer = engine.layers.find((l) => l.nodes.includes(pool));
  if (!poolLayer || poolLayer.compute === 'Int8') return undefined;
  const after = ix.readers.get(pool.outputs[0]) ?? [];
  if (after.length === 0 || ix.graphOutputs.has(pool.outputs[0])) return undefined;
  return {
    code: 'QDQ102',
    title: 'average pooling with an INT8 input but no Q after it runs in float',
    nodes: [dq.name, pool.name, ...after.map((a) => a.node.name)],
    why: `${pool.name} (${pool.opType}) is quantizable, not commuting: TensorRT runs it INT8 only with a DQ on its input and a Q on its output (docs §3.2 F6; "no Int8-in, fp32-out average pool"), so ${dq.name} becomes a Reformat and the pool runs in float.`,
    fix: `add Q->DQ with ${dq.name}'s scale after ${pool.name} (in front of ${after.map((a) => a.node.name).join(', ')})`,
    apply: (m) => { for (const a of after) insertQdq(m, a.node.name, a.slot, dq); },
    removes: layer.name,
  };
}

function partialWeightedFinding(ix: ModelIndex, layer: EngineLayer): Candidate | undefined {
  const core = layer.nodes.find((n) => WEIGHTED.has(n.opType));
  if (!core || layer.compute === 'Int8' || !layer.nodes.some((n) => n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear')) return undefined;
  const input = core.inputs[0];
  const upstreamQ = (ix.readers.get(input) ?? []).map((r) => r.node).find((n) => n.opType === 'QuantizeLinear');
  return {
    code: 'QDQ103',
    title: 'weighted op with quantized weights but a float input',
    nodes: [core.name],
    why: `${core.name} has a weight Q/DQ but no DQ on its activation input; TensorRT needs both to run INT8 (docs §3.1), so it dequantizes the weights and runs the op in float.`,
    fix: upstreamQ
      ? `add Q->DQ with ${upstreamQ.name}'s scale on the input of ${core.name}`
      : `add Q->DQ on the input of ${core.name} (the fix is checked with scale 1.0: calibrate the real scale)`,
    apply: (m) => {
      let template = upstreamQ;
      if (!template) {
        const s = `qdqsim_lint_scale_${core.name}`;
        m.graph.initializers.set(s, { dtype: DataType.FLOAT, dims: [], data: Float32Array.of(1) });
        template = { name: 't', opType: 'QuantizeLinear', domain: '', inputs: ['', s], outputs: [], attrs: {} };
      }
      insertQdq(m, core.name, 0, template);
    },
  };
}

function bothAddInputsFinding(ix: ModelIndex, layer: EngineLayer): Candidate | undefined {
  const add = layer.nodes.find((n) => n.opType === 'Add');
  if (!add || layer.kind !== 'pointwise') return undefined;
  // the input whose DQ <- Q reads a conv output that nothing else reads: the branch that should fuse
  const slot = add.inputs.findIndex((t) => {
    const dq = ix.producer.get(t);
    const q = dq?.opType === 'DequantizeLinear' ? ix.producer.get(dq.inputs[0]) : undefined;
    const src = q?.opType === 'QuantizeLinear' ? ix.producer.get(q.inputs[0]) : undefined;
    return src !== undefined && WEIGHTED.has(src.opType) && (ix.readers.get(q!.inputs[0]) ?? []).length === 1;
  });
  if (slot < 0) return undefined;
  return {
    code: 'QDQ104',
    title: 'Q/DQ on both inputs of a residual Add: the Add cannot fuse into the conv',
    nodes: [add.name],
    why: `input ${slot} of ${add.name} comes from a convolution through Q->DQ; TensorRT fuses an Add into the conv only when the conv-side input has no Q/DQ (docs §3.2 F4), so the Add runs as its own layer.`,
    fix: `remove the Q->DQ on input ${slot} of ${add.name} (keep the one on the residual input)`,
    apply: (m) => { removeQdq(m, add.name, slot); },
  };
}

function verify(current: Model, c: Candidate, before: Engine, opts: SimulateOptions): { verification: LintFinding['verification']; fixed: Model; after: Engine } {
  const fixed = cloneModel(current);
  c.apply(fixed);
  const after = simulateEngine(fixed, opts);
  const b = metrics(before), a = metrics(after);
  const gone = c.removes === undefined || !after.layers.some((l) => l.name === c.removes);
  const better = a.standaloneQdq < b.standaloneQdq || a.int8Layers > b.int8Layers || (a.int8MacPercent ?? 0) > (b.int8MacPercent ?? 0) || a.layers < b.layers;
  const verified = gone && better;
  const detail = `re-simulated: stand-alone Q/DQ ${b.standaloneQdq} -> ${a.standaloneQdq}, INT8 layers ${b.int8Layers} -> ${a.int8Layers}, layers ${b.layers} -> ${a.layers}` +
    (c.removes ? `; ${c.removes} ${gone ? 'absorbed' : 'still stand-alone'}` : '');
  return { verification: { verified, before: b, after: a, detail }, fixed, after };
}

function candidatesOf(model: Model, engine: Engine): Candidate[] {
  const ix = new ModelIndex(model);
  const out: Candidate[] = [];
  for (const layer of engine.layers) {
    const c = layer.origin === 'QDQ'
      ? (layer.nodes[0].opType === 'QuantizeLinear' ? standaloneQFinding(ix, layer, engine) : poolFinding(ix, layer, engine))
      : partialWeightedFinding(ix, layer) ?? bothAddInputsFinding(ix, layer);
    if (c) out.push(c);
  }
  return out;
}

/** Enough rounds for every finding of a large model; each round re-simulates once. */
const MAX_ROUNDS = 500;

/**
 * Findings in engine order, found and fixed greedily: after each verified fix the fixed model is
 * simulated again and searched again (a residual fix often only pays off once the block upstream is
 * fixed too, and one fix can make another unnecessary). Each fix is checked against the model with the
 * verified fixes before it applied. `fixedModel` has every verified fix applied.
 */
export function lintModel(model: Model, opts: SimulateOptions = {}): { engine: Engine; findings: LintFinding[]; fixedModel: Model; fixedEngine: Engine } {
  const engine = simulateEngine(model, opts);
  let current = model;
  let currentEngine = engine;
  // a fix that did not pay off is tried again once the model has changed (another fix may unblock it)
  const findings = new Map<string, LintFinding>();
  const tried = new Set<string>();
  let applied = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const c = candidatesOf(current, currentEngine).find((x) => !tried.has(`${x.code}:${x.nodes.join(',')}@${applied}`));
    if (!c) break;
    const key = `${c.code}:${c.nodes.join(',')}`;
    tried.add(`${key}@${applied}`);
    const { verification, fixed, after } = verify(current, c, currentEngine, opts);
    const { apply: _a, removes: _r, ...described } = c;
    findings.set(key, { ...described, verification });
    if (verification.verified) { current = fixed; currentEngine = after; applied++; }
  }
  return { engine, findings: [...findings.values()], fixedModel: current, fixedEngine: currentEngine };
}

export function formatFindings(findings: readonly LintFinding[]): string {
  if (findings.length === 0) return 'no placement problems found';
  const lines: string[] = [];
  for (const f of findings) {
    lines.push(`${f.code} ${f.title}`);
    lines.push(`  nodes: ${f.nodes.join(', ')}`);
    lines.push(`  why:   ${f.why}`);
    lines.push(`  fix:   ${f.fix}`);
    lines.push(`  check: ${f.verification.verified ? 'verified' : 'NOT an improvement'} (${f.verification.detail})`);
  }
  lines.push(`${findings.length} finding(s), ${findings.filter((f) => f.verification.verified).length} fix(es) verified by re-simulation`);
  return lines.join('\n');
}
