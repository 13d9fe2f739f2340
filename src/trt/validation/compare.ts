/**
 * `qdqsim compare` as a library: run qdqsim's executions of a Q/DQ model (float model, Q/DQ float
 * simulation, simulated engine), get a recording from a backend (ort, trtexec, artifacts:DIR), and
 * hold the recording against the chosen reference in quantization steps, per output and at every
 * engine-layer boundary the recording has. The result is the report documented in docs/validation.md.
 */
import { toNumberArray } from '../../sim/golden/dtype.ts';
import { dataTypeName } from '../../sim/data-type.ts';
import { indexGraph } from '../../sim/ir/graph-index.ts';
import type { Model } from '../../sim/ir/graph.ts';
import { runModel } from '../../sim/interp/run-model.ts';
import type { Tensor } from '../../sim/tensor.ts';
import { checkRecordingMatchesModel } from './backends/check-model.ts';
import type { Backend, BackendResult } from './backends/types.ts';
import { boundaryTensors, type EnginePlan, type PlanTensor } from './exec/engine-plan.ts';
import { floatModelOf } from './exec/float-model.ts';
import type { EngineLayerList } from './formats/trtexec-layers.ts';
import { compareTensor, type CompareOptions, type TensorComparison } from './metrics/compare-tensors.ts';
import { quantStepFor, type QuantStep } from './metrics/quant-step.ts';
import { markArguments, type MarkArguments } from './mark-args.ts';

export type ReferenceKind = 'engine-sim' | 'qdq-float' | 'float';

/** One execution of the model by qdqsim: graph outputs plus the captured boundary tensors. */
export interface Execution {
  outputs: Map<string, Tensor>;
  captured: Map<string, Tensor>;
}

/** The simulated-engine executor (runEngineSim) plugged in by the caller. */
export type EngineExecutor = (model: Model, feeds: Map<string, Tensor>, capture: string[]) => Promise<Execution>;

export interface CompareInput {
  modelPath: string;
  model: Model;
  feeds: Map<string, Tensor>;
  /** Where each feed came from, for the report. */
  feedSources: Map<string, string>;
  backend: Backend;
  reference: ReferenceKind;
  options: CompareOptions;
  /** The predicted engine; without it there is no layer-wise comparison and no engine-sim. */
  plan?: EnginePlan;
  /** Executes the predicted engine; required for reference 'engine-sim' and for the three-way table. */
  engineSim?: EngineExecutor;
  /** Record the engine-layer boundaries where the backend can (default true). */
  layerwise?: boolean;
  /** Predicted-vs-real layer list diff, when the recording has a layer list. */
  diffLayers?: (predicted: EnginePlan, real: EngineLayerList) => LayerDiffReport;
  /** The command line, for the verdict line. */
  command?: string;
  /** trtexec precision flags for the printed marking command (default --int8 --fp16). */
  precisionFlags?: string[];
}

export interface LayerDiffReport {
  matched: number;
  total: number;
  /** One row per predicted or real layer. */
  rows: { predicted?: string; real?: string; status: 'match' | 'differs' | 'missing' | 'extra'; detail?: string }[];
  summary: string;
}

export interface ThreeWayRow {
  tensor: string;
  kind: 'output' | 'boundary';
  step: QuantStep | null;
  /** max |diff| in LSB (or absolute when there is no step) between two executions. */
  floatVsQdq: number | null;
  qdqVsEngine: number | null;
  floatVsEngine: number | null;
  /** Fraction of elements where the Q/DQ float simulation and the engine differ at all. */
  qdqEngineDiffering: number | null;
  explanation: string;
}

export interface CompareReport {
  schema: 'qdqsim.compare/1';
  model: string;
  against: string;
  reference: ReferenceKind;
  options: { tolLsb: number; atol: number; rtol: number };
  inputs: { name: string; dims: number[]; dtype: string; source: string }[];
  outputs: TensorComparison[];
  boundaries: TensorComparison[];
  /** Boundaries the plan has but the recording lacks. */
  boundariesNotRecorded: string[];
  threeWay: ThreeWayRow[];
  engine: {
    predicted?: EnginePlan;
    real?: { verbosity: string; layers: { name: string; layerType?: string; inputs: { name: string; precision: string }[]; outputs: { name: string; precision: string }[] }[] };
    diff?: LayerDiffReport;
    profile?: { name: string; averageMs: number; percentage: number }[];
  };
  mark?: MarkArguments;
  /** The first engine-layer boundary (in layer order) that fails, and the layer that writes it: where the disagreement enters. */
  firstDivergence?: { tensor: string; layer: string; maxLsb: number | null };
  backend: { name: string; notes: string[]; files: string[] };
  verdict: { pass: boolean; line: string; failed: string[] };
  runtimeSeconds: number;
}

export function numbers(t: Tensor): Float64Array {
  return toNumberArray(t.dtype, t.data as ArrayLike<number>);
}

async function runReference(kind: ReferenceKind, input: CompareInput, capture: string[]): Promise<Execution> {
  if (kind === 'engine-sim') {
    if (!input.engineSim) throw new Error('the engine-sim reference needs the predicted engine (simulator unavailable); use --reference qdq-float');
    return input.engineSim(input.model, input.feeds, capture);
  }
  const model = kind === 'float' ? floatModelOf(input.model) : input.model;
  const index = indexGraph(model.graph);
  const cap = capture.filter((n) => index.producer.has(n) || index.sources.has(n));
  const r = runModel(model, Object.fromEntries(input.feeds), { capture: cap });
  return { outputs: new Map(Object.entries(r.outputs)), captured: new Map(Object.entries(r.captured)) };
}

function pairStat(a: Tensor | undefined, b: Tensor | undefined, step: QuantStep | null): { max: number; differing: number } | null {
  if (!a || !b || a.data.length !== b.data.length) return null;
  const x = numbers(a), y = numbers(b);
  let max = 0, differing = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i] - y[i]);
    if (d > max || Number.isNaN(d)) max = Number.isNaN(d) ? Infinity : d;
    if (d !== 0) differing++;
  }
  return { max: step ? max / step.step : max, differing: x.length ? differing / x.length : 0 };
}

function explain(row: Omit<ThreeWayRow, 'explanation'>): string {
  const unit = row.step ? 'LSB' : '(abs)';
  const parts: string[] = [];
  if (row.floatVsQdq !== null) parts.push(`quantization itself moves it by up to ${fmt(row.floatVsQdq)} ${unit}`);
  if (row.qdqVsEngine !== null) {
    if (row.qdqVsEngine === 0) parts.push('the engine\'s fused integer arithmetic gives exactly the Q/DQ float simulation');
    else parts.push(`the engine's fused arithmetic (int32 accumulation, one rounding per fused layer, FP16 float layers) differs from the Q/DQ float simulation by up to ${fmt(row.qdqVsEngine)} ${unit} on ${((row.qdqEngineDiffering ?? 0) * 100).toFixed(2)}% of elements`);
  }
  return parts.join('; ');
}

function fmt(x: number): string {
  return x === 0 ? '0' : Math.abs(x) >= 0.01 && Math.abs(x) < 1e5 ? x.toFixed(2) : x.toExponential(2);
}

export async function compareModel(input: CompareInput): Promise<CompareReport> {
  const t0 = performance.now();
  const g = input.model.graph;
  const index = indexGraph(g);
  const plan = input.plan;
  const bounds: PlanTensor[] = plan ? boundaryTensors(plan).filter((b) => index.producer.has(b.name)) : [];
  const boundNames = bounds.map((b) => b.name);
  const layerwise = input.layerwise ?? true;

  const recording: BackendResult = await input.backend.run({
    modelPath: input.modelPath, model: input.model, feeds: input.feeds, markTensors: layerwise ? boundNames : [],
  });
  checkRecordingMatchesModel(input.model, recording.outputs, recording.backend);

  // qdqsim's executions
  const reference = await runReference(input.reference, input, boundNames);
  const qdq = input.reference === 'qdq-float' ? reference : await runReference('qdq-float', input, boundNames);
  const float = input.reference === 'float' ? reference : await runReference('float', input, boundNames);
  const engine = input.reference === 'engine-sim' ? reference : input.engineSim ? await runReference('engine-sim', input, boundNames) : undefined;

  const outputs: TensorComparison[] = [];
  for (const o of g.outputs) {
    const ref = reference.outputs.get(o.name);
    const got = recording.outputs.get(o.name);
    if (!ref || !got) throw new Error(`output '${o.name}' missing from ${ref ? recording.backend : `the ${input.reference} execution`}`);
    outputs.push(compareTensor(o.name, ref.dims, numbers(ref), numbers(got), quantStepFor(g, o.name, index), input.options));
  }
  const boundaries: TensorComparison[] = [];
  const notRecorded: string[] = [];
  for (const b of bounds) {
    const got = recording.outputs.get(b.name);
    const ref = reference.captured.get(b.name);
    if (!got || !ref) { notRecorded.push(b.name); continue; }
    if (got.data.length !== ref.data.length) {
      throw new Error(`${recording.backend}: boundary tensor '${b.name}' has ${got.data.length} values, the model gives ${ref.data.length}`);
    }
    boundaries.push(compareTensor(b.name, ref.dims, numbers(ref), numbers(got), quantStepFor(g, b.name, index), input.options));
  }

  const threeWay: ThreeWayRow[] = [];
  const rows: { name: string; kind: 'output' | 'boundary' }[] = [
    ...g.outputs.map((o) => ({ name: o.name, kind: 'output' as const })),
    ...boundNames.map((n) => ({ name: n, kind: 'boundary' as const })),
  ];
  const floatIndex = indexGraph(floatModelOf(input.model).graph);
  for (const r of rows) {
    const get = (e: Execution | undefined) => e?.outputs.get(r.name) ?? e?.captured.get(r.name);
    const step = quantStepFor(g, r.name, index);
    // The float model has no Q outputs: compare a code tensor only against quantized executions.
    const floatT = step?.unit === 'code' || !floatIndex.producer.has(r.name) ? undefined : get(float);
    const fq = pairStat(floatT, get(qdq), step);
    const qe = pairStat(get(qdq), get(engine), step);
    const fe = pairStat(floatT, get(engine), step);
    const row = { tensor: r.name, kind: r.kind, step, floatVsQdq: fq?.max ?? null, qdqVsEngine: qe?.max ?? null, floatVsEngine: fe?.max ?? null, qdqEngineDiffering: qe?.differing ?? null };
    threeWay.push({ ...row, explanation: explain(row) });
  }

  const firstBad = boundaries.find((b) => !b.pass);
  const firstDivergence = firstBad && plan
    ? { tensor: firstBad.name, layer: plan.layers.find((l) => l.outputs.some((t) => t.name === firstBad.name))?.name ?? '', maxLsb: firstBad.maxLsb }
    : undefined;
  const realLayers = recording.layers;
  const diff = plan && realLayers && input.diffLayers ? input.diffLayers(plan, realLayers) : undefined;
  const failed = [...outputs, ...boundaries].filter((c) => !c.pass).map((c) => c.name);
  const pass = failed.length === 0;
  const runtimeSeconds = (performance.now() - t0) / 1000;
  const worst = [...outputs, ...boundaries].filter((c) => !c.pass)
    .map((c) => (c.maxLsb !== null ? `'${c.name}' max ${fmt(c.maxLsb)} LSB` : `'${c.name}' max abs ${fmt(c.maxAbs)}`));
  const line = pass
    ? `PASSED | Runtime: ${runtimeSeconds.toFixed(3)}s | Command: ${input.command ?? 'qdqsim compare'}`
    : `FAILED | Runtime: ${runtimeSeconds.toFixed(3)}s | Difference exceeds tolerance (tol-lsb=${input.options.tolLsb}, atol=${input.options.atol}, rtol=${input.options.rtol}): ${worst.join(', ')} | Command: ${input.command ?? 'qdqsim compare'}`;

  return {
    schema: 'qdqsim.compare/1',
    model: input.modelPath,
    against: recording.backend,
    reference: input.reference,
    options: { tolLsb: input.options.tolLsb, atol: input.options.atol, rtol: input.options.rtol },
    inputs: [...input.feeds].map(([name, t]) => ({ name, dims: t.dims, dtype: dataTypeName(t.dtype), source: input.feedSources.get(name) ?? '' })),
    outputs,
    boundaries,
    boundariesNotRecorded: notRecorded,
    threeWay,
    engine: {
      predicted: plan,
      real: realLayers ? {
        verbosity: realLayers.verbosity,
        layers: realLayers.layers.map((l) => ({
          name: l.name, layerType: l.layerType,
          inputs: l.inputs.map((t) => ({ name: t.name, precision: t.precision })),
          outputs: l.outputs.map((t) => ({ name: t.name, precision: t.precision })),
        })),
      } : undefined,
      diff,
      profile: recording.profile?.layers.map((p) => ({ name: p.name, averageMs: p.averageMs, percentage: p.percentage })),
    },
    mark: plan ? markArguments(input.modelPath, boundNames, input.precisionFlags) : undefined,
    firstDivergence,
    backend: { name: recording.backend, notes: recording.notes, files: recording.files },
    verdict: { pass, line, failed },
    runtimeSeconds,
  };
}
