import * as ort from 'onnxruntime-node';
import { DataType } from '../../../src/sim/data-type.ts';
import type { Model } from '../../../src/sim/ir/graph.ts';
import { encodeModel } from '../../../src/sim/onnx/model-io.ts';
import { Rng } from '../../../src/sim/zoo/rng.ts';

export interface TensorStats {
  value: string;
  node: string;
  op: string;
  std: number;
  maxAbs: number;
  nonFinite: number;
  nonZero: number;
  dims: readonly number[];
}

/** Bounds a healthy float network keeps: nothing infinite, no dead or exploding layer. */
export const HEALTH = {
  /** every tensor's standard deviation is at least this (a dead layer has ~0) */
  minStd: 0.02,
  /** ... and its magnitude stays below this (trained CNNs peak in the tens) */
  maxAbs: 500,
  /** ReLU outputs keep at least this fraction of non-zero elements */
  minReluAlive: 0.05,
};

/** Sample inputs the model's metadata asks for: normal(0,1) or uniform(0,255) floats; token ids for int64. */
export function sampleFeeds(model: Model, seed = 1): Record<string, ort.Tensor> {
  const rng = new Rng(seed);
  const feeds: Record<string, ort.Tensor> = {};
  const uniform = model.metadata?.['qdqsim.zoo.input']?.startsWith('uniform(0,255)');
  for (const inp of model.graph.inputs) {
    const dims = (inp.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    if (inp.dtype === DataType.INT64) {
      const vocab = Number(model.metadata?.[`qdqsim.zoo.range.${inp.name}`] ?? '2');
      feeds[inp.name] = new ort.Tensor('int64', BigInt64Array.from({ length: n }, () => BigInt(Math.floor(rng.next() * vocab))), dims);
    } else {
      feeds[inp.name] = new ort.Tensor('float32', Float32Array.from({ length: n }, () => (uniform ? rng.next() * 255 : rng.normal())), dims);
    }
  }
  return feeds;
}

/** Runs the model in onnxruntime with every float node output exposed, returning per-tensor statistics. */
export async function activationStats(model: Model, seed = 1): Promise<TensorStats[]> {
  const m: Model = { ...model, graph: { ...model.graph, outputs: [...model.graph.outputs] } };
  const outs = new Set(m.graph.outputs.map((o) => o.name));
  const floatValues: { value: string; node: string; op: string }[] = [];
  const intOps = new Set(['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Cast', 'Range', 'Slice', 'Squeeze']);
  for (const n of m.graph.nodes) {
    const o = n.outputs[0];
    if (intOps.has(n.opType) && !m.graph.valueInfo.has(o) && n.opType !== 'Concat') continue;
    floatValues.push({ value: o, node: n.name, op: n.opType });
    if (!outs.has(o)) {
      m.graph.outputs.push({ name: o, dtype: DataType.FLOAT });
      outs.add(o);
    }
  }
  const s = await ort.InferenceSession.create(encodeModel(m));
  try {
    const r = await s.run(sampleFeeds(model, seed));
    return floatValues.filter((v) => r[v.value]?.type === 'float32').map((v) => {
      const d = r[v.value].data as Float32Array;
      let sum = 0;
      let sq = 0;
      let maxAbs = 0;
      let nonFinite = 0;
      let nonZero = 0;
      for (const x of d) {
        if (!Number.isFinite(x)) { nonFinite++; continue; }
        sum += x;
        sq += x * x;
        if (Math.abs(x) > maxAbs) maxAbs = Math.abs(x);
        if (x !== 0) nonZero++;
      }
      const mean = sum / d.length;
      return { ...v, std: Math.sqrt(Math.max(sq / d.length - mean * mean, 0)), maxAbs, nonFinite, nonZero: nonZero / d.length, dims: r[v.value].dims };
    });
  } finally {
    await s.release();
  }
}

/**
 * Ops whose outputs are statistics rather than activations, legitimately near-constant: softmax
 * probabilities over many classes, and LayerNorm's mean over features and standard deviation.
 */
const STATISTIC_OPS = new Set(['Softmax', 'Sqrt', 'ReduceMean']);
/** A [batch, sequence, 1] tensor is a per-token statistic (LayerNorm's variance + eps), not features. */
const isTokenStatistic = (t: TensorStats): boolean => t.dims.length === 3 && t.dims[2] === 1;

/** The tensors that break HEALTH, as readable lines (empty when healthy). */
export function unhealthy(stats: TensorStats[]): string[] {
  const bad: string[] = [];
  for (const t of stats) {
    const why: string[] = [];
    if (t.nonFinite) why.push(`${t.nonFinite} NaN/Inf`);
    if (t.std < HEALTH.minStd && !STATISTIC_OPS.has(t.op) && !isTokenStatistic(t)) why.push(`std ${t.std.toPrecision(3)} < ${HEALTH.minStd}`);
    if (t.maxAbs > HEALTH.maxAbs) why.push(`max |x| ${t.maxAbs.toPrecision(4)} > ${HEALTH.maxAbs}`);
    if (t.op === 'Relu' && t.nonZero < HEALTH.minReluAlive) why.push(`only ${(t.nonZero * 100).toFixed(1)}% alive`);
    if (why.length) bad.push(`${t.node} (${t.op}) -> ${t.value}: ${why.join(', ')}`);
  }
  return bad;
}

export function opCounts(model: Model): Record<string, number> {
  const c: Record<string, number> = {};
  for (const n of model.graph.nodes) c[n.opType] = (c[n.opType] ?? 0) + 1;
  return c;
}
