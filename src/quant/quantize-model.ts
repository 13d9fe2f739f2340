/**
 * `quantizeModel(model, options)`: TensorRT-oriented Q/DQ insertion on an ONNX model, modelled on NVIDIA's
 * TF-QAT toolkit `quantize_model(model, quantization_mode, quantization_spec, custom_qdq_cases)`, with
 * presets for the placements of pytorch-quantization and TFMOT.
 *
 * Precedence per node: a user spec entry (name > regex > op type) beats a case entry, which beats the
 * preset's default behaviour (mode "full" only). In mode "partial" only spec and case entries quantize.
 */
import type { Model, Node } from '../sim/ir/graph.ts';
import { CASES, type CaseName } from './cases/index.ts';
import { GraphView } from './graph-view.ts';
import { insertQdq, type NamingStyle, type QuantizerRecord, type WeightFormat } from './insert.ts';
import { decisionFromEntry, type NodeDecision, type Plan, type ToolkitVersion, toolkitDefault } from './plan.ts';
import { pytorchDecision } from './presets/pytorch-quantization.ts';
import { tfmotPlan } from './presets/tfmot.ts';
import { QuantError } from './quant-error.ts';
import { shareScales as applyShareScales } from './share.ts';
import { entryMatches, parseSpec, type SpecEntry, specificity, validateSpec } from './spec.ts';

export type PresetName = 'tf-qat' | 'pytorch-quantization' | 'tfmot';
export type QuantizeMode = 'full' | 'partial';

export interface QuantizeOptions {
  /** Default 'tf-qat' (the toolkit's default per-op behaviour). */
  preset?: PresetName;
  /** A TF-QAT custom case (preset tf-qat only). */
  case?: CaseName;
  /** Residual-case version (default '0.2.0'; '0.1.0' reproduces the public TF-QAT ResNet-50 engine). */
  toolkitVersion?: ToolkitVersion;
  mode?: QuantizeMode;
  /** Spec entries, or the JSON form (see spec.ts). */
  spec?: SpecEntry[] | unknown;
  /** Where the spec came from, for error messages. */
  specSource?: string;
  /** pytorch-quantization: residual quantizer on the identity input of each Add. */
  quantizeResidual?: boolean;
  /** pytorch-quantization: quantizer before global average pooling. */
  quantizeGap?: boolean;
  /** 'qdq' (float weight + Q→DQ, default) or 'int8' (int8 initializer + DQ). */
  weights?: WeightFormat;
  /** Default 'tf2onnx' for tf-qat (QuantLinearNode__N), else 'qdqsim' (<node>_input<i>_QuantizeLinear). */
  naming?: NamingStyle;
  /** One pair per tensor. Default true for tf-qat (tf2onnx merges identical Q/DQ), else false. */
  dedupe?: boolean;
  /** Activation Q/DQ before a layout Transpose feeding the op. Default true for tf-qat. */
  kerasLayout?: boolean;
  /** Shared scales for Concat inputs/output and MaxPool in/out. Default: on for the inception case. */
  shareScales?: boolean;
  /** Placeholder activation amax before calibration (default 6, TF-QAT's initial range). */
  activationAmax?: number;
  /**
   * Weights in the Keras kernel layout + Transpose, as tf2onnx exports TF-QAT models. Default: on for
   * tf-qat when the model was produced by tf2onnx.
   */
  kerasWeights?: boolean;
}

export interface NodeReport {
  node: string;
  opType: string;
  inputs: number[];
  weight: boolean;
  source: string;
}

export interface QuantizeReport {
  preset: PresetName;
  case?: CaseName;
  mode: QuantizeMode;
  toolkitVersion: ToolkitVersion;
  nodes: NodeReport[];
  quantizers: QuantizerRecord[];
  shareGroups: { scale: string; members: string[] }[];
  notes: string[];
  summary: { activationPairs: number; weightPairs: number; outputPairs: number; nodesQuantized: number };
}

const QDQ_OPS = new Set(['QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear', 'QLinearConv', 'QLinearMatMul']);

function checkModel(model: Model): void {
  const onnxOpset = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version;
  if (onnxOpset !== undefined && onnxOpset < 13) {
    throw new QuantError(`model opset ${onnxOpset} < 13: per-channel QuantizeLinear/DequantizeLinear (axis) needs opset 13; re-export at opset 13 or later`);
  }
  const q = model.graph.nodes.find((n) => QDQ_OPS.has(n.opType));
  if (q) throw new QuantError(`model is already quantized: node ${q.name} is ${q.opType}; strip its Q/DQ first (stripQdq)`);
}

function pickEntry(entries: readonly SpecEntry[], node: Node): { entry: SpecEntry; index: number } | undefined {
  let best: { entry: SpecEntry; index: number } | undefined;
  entries.forEach((entry, index) => {
    if (!entryMatches(entry, node)) return;
    if (!best || specificity(entry) > specificity(best.entry)) best = { entry, index };
  });
  return best;
}

export function quantizeModel(model: Model, options: QuantizeOptions = {}): { model: Model; report: QuantizeReport } {
  checkModel(model);
  const preset = options.preset ?? 'tf-qat';
  const mode = options.mode ?? 'full';
  const toolkitVersion = options.toolkitVersion ?? '0.2.0';
  if (options.case && preset !== 'tf-qat') throw new QuantError(`--case ${options.case} belongs to preset tf-qat, not ${preset}`);
  if (options.case && !CASES[options.case]) throw new QuantError(`unknown case "${options.case}" (known: ${Object.keys(CASES).join(', ')})`);
  if ((options.quantizeResidual || options.quantizeGap) && preset !== 'pytorch-quantization') {
    throw new QuantError('--quantize-residual/--quantize-gap belong to preset pytorch-quantization');
  }
  const specSource = options.specSource ?? 'spec';
  const spec: SpecEntry[] = options.spec === undefined ? []
    : Array.isArray(options.spec) && options.spec.every((e) => e && typeof e === 'object' && 'select' in e) ? options.spec as SpecEntry[]
      : parseSpec(options.spec, specSource);
  if (mode === 'partial' && spec.length === 0 && !options.case) {
    throw new QuantError('mode "partial" quantizes only what a spec (or case) names; give a spec');
  }
  validateSpec(spec, model.graph.nodes, specSource);

  const view = new GraphView(model.graph);
  const plan: Plan = { nodes: new Map(), outputs: new Map(), shareScales: false, notes: [] };
  const qcase = options.case ? CASES[options.case] : undefined;
  const caseEntries = new Map<string, { quantizeInput: boolean; quantizeWeight: boolean; inputIndices?: number[] }>();
  for (const e of qcase?.entries({ view, toolkitVersion }) ?? []) if (!caseEntries.has(e.node)) caseEntries.set(e.node, e);

  if (preset === 'tfmot' && mode === 'full') tfmotPlan(view, plan);
  for (const node of model.graph.nodes) {
    const picked = pickEntry(spec, node);
    let d: NodeDecision | undefined;
    if (picked) d = decisionFromEntry(view, node, picked.entry, `${specSource} entry #${picked.index}`);
    else if (caseEntries.has(node.name)) d = decisionFromEntry(view, node, caseEntries.get(node.name)!, `case ${qcase!.name}`);
    else if (mode === 'full') {
      if (preset === 'tf-qat') d = toolkitDefault(view, node, plan.notes);
      else if (preset === 'pytorch-quantization') {
        d = pytorchDecision(view, node, { quantizeResidual: !!options.quantizeResidual, quantizeGap: !!options.quantizeGap }, plan.notes);
      } else continue; // tfmot: planned above
    }
    if (d && (d.inputs.length || d.weight)) plan.nodes.set(node.name, d);
    else if (picked || caseEntries.has(node.name)) plan.nodes.delete(node.name);
  }

  const tfqat = preset === 'tf-qat';
  const inserted = insertQdq(model, plan, {
    weights: options.weights ?? 'qdq',
    naming: options.naming ?? (tfqat ? 'tf2onnx' : 'qdqsim'),
    dedupe: options.dedupe ?? tfqat,
    kerasLayout: options.kerasLayout ?? tfqat,
    activationAmax: options.activationAmax ?? 6,
    kerasWeights: options.kerasWeights ?? (tfqat && model.producerName === 'tf2onnx'),
  });
  let out = inserted.model;
  let shareGroups: QuantizeReport['shareGroups'] = [];
  if (options.shareScales ?? qcase?.shareScales ?? false) {
    const shared = applyShareScales(out, inserted.quantizers);
    out = shared.model;
    shareGroups = shared.groups.map((g) => ({ scale: g.scale, members: g.members.map((m) => m.qNode ?? m.dqNode) }));
  }
  const q = inserted.quantizers;
  const report: QuantizeReport = {
    preset, case: options.case, mode, toolkitVersion,
    nodes: [...plan.nodes].map(([name, d]) => ({ node: name, opType: view.byName.get(name)!.opType, inputs: d.inputs, weight: d.weight, source: d.source })),
    quantizers: q,
    shareGroups,
    notes: plan.notes,
    summary: {
      activationPairs: q.filter((r) => r.kind === 'activation').length,
      weightPairs: q.filter((r) => r.kind === 'weight').length,
      outputPairs: q.filter((r) => r.kind === 'output').length,
      nodesQuantized: plan.nodes.size,
    },
  };
  return { model: out, report };
}
