/**
 * Differential check of the interpreter against onnxruntime-node on every zoo model (small resolution
 * to keep CI short), both export styles.
 *
 * Float models: the interpreter's contractions accumulate in double and round once (dot.ts), ORT's in
 * float32 in a blocked order, so outputs differ by float32 reassociation error. A length-K float32 dot
 * product with rounding errors that behave like independent random variables errs by about
 * √K · 2⁻²⁴ · Σ|a·b| (Higham & Mary's probabilistic bound, λ = 1); to first order these relative errors
 * add up along the network. The tolerance on max|ours − ort| / max|ort| per output is therefore
 * depth · √Kmax · 2⁻²⁴, with depth the number of contractions (Conv/Gemm/MatMul) on the longest path
 * and Kmax the longest reduction. Max ULP and max relative error are reported alongside.
 *
 * Q/DQ models: the float model with QuantizeLinear→DequantizeLinear inserted (int8, power-of-two
 * scales from a calibration run) before every Conv/Gemm/MatMul input, Add input, pooling and ReduceMean
 * input; weights stored as int8 initializers with a DequantizeLinear. With power-of-two scales every
 * product and partial sum between a DQ and the next Q is an exact dyadic number in float32 as well as in
 * double, and BatchNormalization follows ORT's float32 sequence, so every QuantizeLinear output must
 * be bit-identical to ORT's.
 */
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import type { Model, Node } from '../../../src/sim/ir/graph.ts';
import { indexGraph, topoOrder } from '../../../src/sim/ir/graph-index.ts';
import { diffTensors } from '../../../src/sim/interp/compare.ts';
import { runOrt } from '../../../src/sim/interp/ort-bridge.ts';
import { randomFeeds } from '../../../src/sim/interp/random-inputs.ts';
import { runModel } from '../../../src/sim/interp/run-model.ts';
import { readNumbers } from '../../../src/sim/interp/tensor-util.ts';
import { inferShapes } from '../../../src/sim/shape/infer-shapes.ts';
import type { Tensor } from '../../../src/sim/tensor.ts';
import { buildZooModel, zooNames, type ZooOptions } from '../../../src/sim/zoo/index.ts';

const CONTRACTIONS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

/** The smallest options each zoo model accepts among a few CI-friendly candidates. */
function smallModel(name: string, style: 'pytorch' | 'tf2onnx'): Model {
  const candidates: ZooOptions[] = [
    { style, size: 32, classes: 16, layers: 2, seqLen: 16, hidden: 256, heads: 4 },
    { style, size: 64, classes: 16, layers: 2, seqLen: 16, hidden: 256, heads: 4 },
    { style, size: 96, classes: 16, layers: 2, seqLen: 16, hidden: 256, heads: 4 },
    { style, size: 160, classes: 16, layers: 2, seqLen: 16, hidden: 256, heads: 4 },
    { style },
  ];
  let last: unknown;
  for (const c of candidates) {
    try {
      return buildZooModel(name, c);
    } catch (e) {
      last = e;
    }
  }
  throw last;
}

/** depth (contractions on the longest path) and the longest reduction length Kmax, from inferred shapes. */
function errorModel(model: Model): { depth: number; kmax: number } {
  const shapes = inferShapes(model, { annotate: false });
  const ix = indexGraph(model.graph);
  const depthOf = new Map<string, number>();
  let depth = 0;
  let kmax = 1;
  for (const n of topoOrder(model.graph, ix)) {
    const d = Math.max(0, ...n.inputs.map((i) => depthOf.get(i) ?? 0)) + (CONTRACTIONS.has(n.opType) ? 1 : 0);
    for (const o of n.outputs) depthOf.set(o, d);
    depth = Math.max(depth, d);
    if (CONTRACTIONS.has(n.opType)) {
      const w = shapes.get(n.inputs[1])?.shape ?? [];
      const a = shapes.get(n.inputs[0])?.shape ?? [];
      let k = 1;
      if (n.opType === 'Conv') k = (w.slice(1) as number[]).reduce((p, v) => p * v, 1);
      else if (n.opType === 'Gemm') k = (n.attrs.transA?.value ? a[0] : a[a.length - 1]) as number;
      else if (n.opType === 'MatMul') k = a[a.length - 1] as number;
      else k = (w[0] as number) * (w.slice(2) as number[]).reduce((p, v) => p * v, 1);
      if (typeof k === 'number' && Number.isFinite(k)) kmax = Math.max(kmax, k);
    }
  }
  return { depth, kmax };
}

const QDQ_INPUTS: Record<string, number[]> = {
  Conv: [0, 1], Gemm: [0, 1], MatMul: [0, 1], Add: [0, 1], GlobalAveragePool: [0], AveragePool: [0], ReduceMean: [0],
};

/** Power-of-two int8 scale covering |x| <= amax. */
const pow2Scale = (amax: number) => 2 ** Math.ceil(Math.log2(Math.max(amax, 1e-30) / 127));

/** The float model with int8 Q/DQ (power-of-two scales) inserted; every Q output becomes a graph output. */
function insertPow2Qdq(model: Model, feeds: Record<string, Tensor>): { model: Model; qOutputs: string[] } {
  const calib = runModel(model, feeds, { capture: 'all' }).captured;
  const g = model.graph;
  const nodes: Node[] = [];
  const initializers = new Map(g.initializers);
  const dq = new Map<string, string>();
  const qOutputs: string[] = [];
  let k = 0;
  const scalar = (name: string, dtype: DataType, v: number): string => {
    const data = dtype === DataType.FLOAT ? Float32Array.of(v) : Int8Array.of(v);
    initializers.set(name, { dtype, dims: [], data });
    return name;
  };
  const qdqOf = (value: string): string => {
    const hit = dq.get(value);
    if (hit) return hit;
    const t = initializers.get(value) ?? calib[value];
    const v = readNumbers(t);
    let amax = 0;
    for (let i = 0; i < v.length; i++) amax = Math.max(amax, Math.abs(v[i]));
    const s = pow2Scale(amax);
    const id = k++;
    const sName = scalar(`qdq${id}_scale`, DataType.FLOAT, s);
    const zName = scalar(`qdq${id}_zp`, DataType.INT8, 0);
    const out = `qdq${id}_dq`;
    if (g.initializers.has(value) && t.dtype === DataType.FLOAT) {
      // weights: stored quantized
      const q = Int8Array.from(v, (x) => Math.max(-128, Math.min(127, Math.round(x / s))));
      initializers.set(`qdq${id}_w`, { dtype: DataType.INT8, dims: [...t.dims], data: q });
      nodes.push({ name: `DequantizeLinear_w${id}`, opType: 'DequantizeLinear', domain: '', inputs: [`qdq${id}_w`, sName, zName], outputs: [out], attrs: {} });
    } else {
      const q = `qdq${id}_q`;
      nodes.push({ name: `QuantizeLinear_${id}`, opType: 'QuantizeLinear', domain: '', inputs: [value, sName, zName], outputs: [q], attrs: {} });
      nodes.push({ name: `DequantizeLinear_${id}`, opType: 'DequantizeLinear', domain: '', inputs: [q, sName, zName], outputs: [out], attrs: {} });
      qOutputs.push(q);
    }
    dq.set(value, out);
    return out;
  };
  for (const n of topoOrder(g)) {
    const idx = QDQ_INPUTS[n.opType] ?? [];
    const inputs = n.inputs.map((i, j) => (idx.includes(j) && i !== '' ? qdqOf(i) : i));
    nodes.push({ ...n, inputs });
  }
  const outputs = [...g.outputs, ...qOutputs.map((name) => ({ name, dtype: DataType.INT8 }))];
  return { model: { ...model, graph: { ...g, nodes, initializers, outputs, valueInfo: new Map() } }, qOutputs };
}

const fmt = (x: number) => x.toExponential(2);

/**
 * CI keeps one model per block family for the slower variants (QDQSIM_ZOO_FULL=1 runs every model in
 * both styles with Q/DQ; docs/interpreter.md records such a full run).
 */
const FULL = process.env.QDQSIM_ZOO_FULL === '1';
const REPEATS = /101|efficientnet_b3/;
const TF2ONNX_SET = new Set(['resnet50_v1', 'resnet50_v2', 'mobilenet_v2', 'efficientnet_b0', 'inception_v3', 'bert']);

describe('zoo models: interpreter vs onnxruntime-node', () => {
  for (const name of zooNames()) {
    for (const style of ['pytorch', 'tf2onnx'] as const) {
      if (!FULL && style === 'tf2onnx' && !TF2ONNX_SET.has(name)) continue;
      it(`${name} (${style}) float: within depth·√Kmax·2⁻²⁴ of the output scale`, { timeout: 300_000 }, async () => {
        const model = smallModel(name, style);
        const feeds = randomFeeds(model, { seed: 11 });
        const ours = runModel(model, feeds).outputs;
        const ref = await runOrt(model, feeds);
        const { depth, kmax } = errorModel(model);
        const tol = Math.max(1, depth) * Math.sqrt(kmax) * 2 ** -24;
        for (const [k, r] of Object.entries(ref)) {
          const d = diffTensors(ours[k], r);
          const msg = `${name}/${style} ${k}: max|Δ|/scale ${fmt(d.maxAbsOverScale)} (tol ${fmt(tol)}, depth ${depth}, Kmax ${kmax}), max rel ${fmt(d.maxRel)}, max ULP ${d.maxUlp}`;
          console.log(msg);
          expect(d.maxAbsOverScale, msg).toBeLessThanOrEqual(tol);
        }
      });
    }
    // Q/DQ: one model per block family is enough (resnet101 repeats resnet50's blocks, b3 repeats b0's).
    if (!FULL && REPEATS.test(name)) continue;
    it(`${name} Q/DQ (power-of-two scales): every QuantizeLinear output bit-identical`, { timeout: 300_000 }, async () => {
      const float = smallModel(name, 'pytorch');
      const feeds = randomFeeds(float, { seed: 12 });
      const { model, qOutputs } = insertPow2Qdq(float, feeds);
      expect(qOutputs.length).toBeGreaterThan(0);
      const ours = runModel(model, feeds).outputs;
      const ref = await runOrt(model, feeds);
      let mismatched = 0;
      let total = 0;
      for (const q of qOutputs) {
        const d = diffTensors(ours[q], ref[q]);
        total += d.n;
        if (d.mismatches) {
          mismatched += d.mismatches;
          console.log(`${name} ${q}: ${d.mismatches}/${d.n} differ, max ${d.maxAbs} LSB`);
        }
      }
      console.log(`${name} Q/DQ: ${qOutputs.length} quantized tensors, ${total} values, ${mismatched} differ`);
      expect(mismatched).toBe(0);
    });
  }
});
