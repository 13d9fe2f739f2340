/**
 * PTQ calibration of a Q/DQ graph: run the float graph (activation Q/DQ pairs bypassed) through the
 * reference interpreter over a calibration set, collect per-tensor |x| statistics at every activation
 * QuantizeLinear input, compute amax by the chosen method, and write scale = amax/127 into the Q/DQ
 * scale initializers (a shared scale takes the largest amax of the tensors that use it).
 */
import { DataType, dataTypeName } from '../../sim/data-type.ts';
import type { Model } from '../../sim/ir/graph.ts';
import { runModel } from '../../sim/interp/run-model.ts';
import { makeTensor, type Tensor } from '../../sim/tensor.ts';
import { GraphView } from '../graph-view.ts';
import { scaleFromAmax } from '../insert.ts';
import { QuantError } from '../quant-error.ts';
import { stripQdq } from '../strip.ts';
import { entropyAmax } from './entropy.ts';
import { DEFAULT_NUM_BINS, Histogram } from './histogram.ts';
import { mseAmax } from './mse.ts';
import { DEFAULT_PERCENTILE, percentileAmax } from './percentile.ts';

export type CalibMethod = 'max' | 'percentile' | 'mse' | 'entropy';
export const CALIB_METHODS: readonly CalibMethod[] = ['max', 'percentile', 'mse', 'entropy'];

export type Feeds = Record<string, Tensor>;

export interface CalibrateOptions {
  method?: CalibMethod;
  percentile?: number;
  numBins?: number;
  /** Called after each batch. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Activation quantizers of a Q/DQ graph: the tensor each QuantizeLinear reads, and the scale constants to
 * rewrite — the Q's and those of the DequantizeLinear nodes reading it (exporters such as PyTorch's give the
 * DQ its own copy of the scale).
 */
export function calibrationTargets(model: Model): Map<string, Set<string>> {
  const view = new GraphView(model.graph);
  const out = new Map<string, Set<string>>();
  for (const n of model.graph.nodes) {
    if (n.opType !== 'QuantizeLinear' || !n.inputs[0] || view.isConstant(n.inputs[0])) continue;
    const scales = [n.inputs[1], ...view.usesOf(n.outputs[0]).filter((u) => u.node.opType === 'DequantizeLinear').map((u) => u.node.inputs[1])];
    for (const name of scales) {
      const s = view.constants.get(name);
      if (!s || s.dims.length > 1 || s.data.length !== 1) {
        throw new QuantError(`node ${n.name}: activation scale "${name}" is not a constant per-tensor scale; only per-tensor activations are calibrated`);
      }
    }
    const set = out.get(n.inputs[0]) ?? new Set();
    for (const name of scales) set.add(name);
    out.set(n.inputs[0], set);
  }
  return out;
}

/** Runs the float version of the graph over the batches, collecting one histogram per target tensor. */
export function collectStatistics(model: Model, batches: readonly Feeds[], tensors: readonly string[], opts: CalibrateOptions = {}): Map<string, Histogram> {
  if (batches.length === 0) throw new QuantError('calibration data is empty: no batches');
  const float = stripQdq(model);
  const stats = new Map(tensors.map((t) => [t, new Histogram(opts.numBins ?? DEFAULT_NUM_BINS, t)]));
  const inputs = new Set(float.graph.inputs.map((v) => v.name));
  batches.forEach((feeds, b) => {
    const res = runModel(float, feeds, { capture: tensors.filter((t) => !inputs.has(t)) });
    for (const t of tensors) {
      const v = inputs.has(t) ? feeds[t] : res.captured[t] ?? res.outputs[t];
      if (!v) throw new QuantError(`calibration: tensor "${t}" was not produced in batch ${b}`);
      if (v.dtype !== DataType.FLOAT) throw new QuantError(`calibration: tensor "${t}" is ${dataTypeName(v.dtype)}, not FLOAT`);
      stats.get(t)!.collect(v.data as Float32Array);
    }
    opts.onProgress?.(b + 1, batches.length);
  });
  return stats;
}

/**
 * Statistics of every FLOAT activation (graph inputs and node outputs, not constants) of a float model: what
 * TensorRT's implicit-quantization calibrators put in a calibration cache.
 */
export function collectAllStatistics(model: Model, batches: readonly Feeds[], opts: CalibrateOptions = {}): Map<string, Histogram> {
  if (batches.length === 0) throw new QuantError('calibration data is empty: no batches');
  const view = new GraphView(model.graph);
  const order: string[] = [];
  for (const vi of model.graph.inputs) if (!view.isConstant(vi.name)) order.push(vi.name);
  for (const n of model.graph.nodes) for (const o of n.outputs) if (o && !view.isConstant(o)) order.push(o);
  const stats = new Map<string, Histogram>();
  batches.forEach((feeds, b) => {
    const res = runModel(model, feeds, { capture: 'all' });
    for (const t of order) {
      const v = feeds[t] ?? res.captured[t] ?? res.outputs[t];
      if (!v || v.dtype !== DataType.FLOAT) continue;
      let h = stats.get(t);
      if (!h) stats.set(t, (h = new Histogram(opts.numBins ?? DEFAULT_NUM_BINS, t)));
      h.collect(v.data as Float32Array);
    }
    opts.onProgress?.(b + 1, batches.length);
  });
  return stats;
}

export function amaxFromHistogram(h: Histogram, method: CalibMethod, percentile = DEFAULT_PERCENTILE): number {
  if (method === 'max' || !h.counts || !h.edges) return h.amax;
  switch (method) {
    case 'entropy': return entropyAmax(h.counts, h.edges).amax;
    case 'mse': return mseAmax(h.counts, h.edges).amax;
    case 'percentile': return percentileAmax(h.counts, h.edges, percentile);
  }
}

export function computeAmax(stats: ReadonlyMap<string, Histogram>, method: CalibMethod, percentile?: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [t, h] of stats) out.set(t, amaxFromHistogram(h, method, percentile));
  return out;
}

/**
 * Writes amax values into the activation scales. A scale initializer used by several tensors (scale
 * sharing) gets the largest of their amax. Returns the tensors that had no amax.
 */
export function applyAmax(model: Model, amax: ReadonlyMap<string, number>): { model: Model; missing: string[]; written: number } {
  return applyScales(model, new Map([...amax].map(([t, a]) => [t, scaleFromAmax(a)])));
}

/** As applyAmax, from scales (e.g. read from a TensorRT calibration cache). */
export function applyScales(model: Model, scales: ReadonlyMap<string, number>): { model: Model; missing: string[]; written: number } {
  const targets = calibrationTargets(model);
  const perScale = new Map<string, number>();
  const missing: string[] = [];
  for (const [t, inits] of targets) {
    const sc = scales.get(t);
    if (sc === undefined) { missing.push(t); continue; }
    if (!(sc > 0) || !Number.isFinite(sc)) throw new QuantError(`scale ${sc} for tensor "${t}" is not positive and finite`);
    for (const s of inits) perScale.set(s, Math.max(perScale.get(s) ?? 0, sc));
  }
  const initializers = new Map(model.graph.initializers);
  const constantNodes = new Map<string, number>();
  model.graph.nodes.forEach((n, i) => { if (n.opType === 'Constant') constantNodes.set(n.outputs[0], i); });
  const nodes = [...model.graph.nodes];
  for (const [s, v] of perScale) {
    const old = initializers.get(s);
    if (old) {
      initializers.set(s, makeTensor(DataType.FLOAT, old.dims, Float32Array.of(v)));
      continue;
    }
    const i = constantNodes.get(s) as number;
    const n = nodes[i];
    const dims = n.attrs.value?.type === 'tensor' ? n.attrs.value.value.dims : [];
    nodes[i] = { ...n, attrs: { ...n.attrs, value: { type: 'tensor', value: makeTensor(DataType.FLOAT, dims, Float32Array.of(v)) } } };
  }
  return { model: { ...model, graph: { ...model.graph, nodes, initializers } }, missing, written: perScale.size };
}

export function calibrateModel(model: Model, batches: readonly Feeds[], opts: CalibrateOptions = {}): { model: Model; amax: Map<string, number> } {
  const targets = calibrationTargets(model);
  if (targets.size === 0) throw new QuantError('model has no activation QuantizeLinear to calibrate; run `qdqsim quantize` first');
  const stats = collectStatistics(model, batches, [...targets.keys()], opts);
  const amax = computeAmax(stats, opts.method ?? 'entropy', opts.percentile);
  return { model: applyAmax(model, amax).model, amax };
}
