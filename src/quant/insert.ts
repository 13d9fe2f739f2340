/**
 * Turns a placement plan into QuantizeLinear/DequantizeLinear nodes.
 *
 * - Activations: per-tensor, symmetric, scale = amax/127 with an explicit int8 zero point 0 (never the
 *   uint8 default). Until calibration the amax is a placeholder (TF-QAT's initial ±6).
 * - Weights: per output channel, symmetric, amax = max|w| per channel (pytorch-quantization's and TF-QAT's
 *   max calibration of weights), axis written explicitly. As float + Q→DQ (what exporters emit) or as a
 *   pre-quantized int8 initializer + DQ.
 * - Every Q/DQ pair owns its scale/zero-point initializers (shared by its Q and DQ); with scale sharing, a
 *   group of pairs points at one shared scale initializer.
 * Nodes are emitted right before their consumer (or right after the producer for output quantization),
 * so the node list stays topologically ordered.
 */
import { cloneGraph } from '../sim/ir/clone.ts';
import { DataType, dataTypeName } from '../sim/data-type.ts';
import type { Graph, Model, Node } from '../sim/ir/graph.ts';
import { makeTensor, type Tensor } from '../sim/tensor.ts';
import { intRange } from '../sim/golden/dtype.ts';
import { GraphView } from './graph-view.ts';
import { weightAxis, weightIndex } from './op-kinds.ts';
import type { Plan } from './plan.ts';
import { QuantError } from './quant-error.ts';

export type WeightFormat = 'qdq' | 'int8';
export type NamingStyle = 'qdqsim' | 'tf2onnx';

export interface InsertOptions {
  weights: WeightFormat;
  naming: NamingStyle;
  /** One Q/DQ pair per tensor shared by all its quantized consumers (tf2onnx merges duplicates) instead of one per consumer. */
  dedupe: boolean;
  /** Put an activation Q/DQ before a layout Transpose that feeds only the quantized op (tf2onnx/Keras layout). */
  kerasLayout: boolean;
  /** Placeholder activation amax before calibration. */
  activationAmax: number;
  /**
   * Quantize weights in the Keras kernel layout and transpose them into the node, as tf2onnx exports
   * TF-QAT models: `HWIO const -> Q(axis 3) -> DQ -> Transpose -> Conv` (depthwise `HWC1`, axis 2; Dense
   * `[in, out]`, axis 1). Only for weights that feed the node directly.
   */
  kerasWeights?: boolean;
}

/** Marker on the Transpose a Keras-layout weight goes through; stripQdq folds it back. */
export const KERAS_WEIGHT_MARK = 'qdqsim:keras-weight-of:';

/** The Keras layout of an ONNX weight: permutation to it, the channel axis there, and the permutation back. */
function kerasLayout(node: Node, w: Tensor): { toKeras: number[]; axis: number; back: number[] } | undefined {
  if (node.opType === 'Conv' && w.dims.length === 4) {
    const g = node.attrs.group?.type === 'int' ? node.attrs.group.value : 1;
    if (g === 1) return { toKeras: [2, 3, 1, 0], axis: 3, back: [3, 2, 0, 1] };
    if (w.dims[1] === 1 && g === w.dims[0]) return { toKeras: [2, 3, 0, 1], axis: 2, back: [2, 3, 0, 1] };
    return undefined;
  }
  if (node.opType === 'Gemm' && w.dims.length === 2 && node.attrs.transB?.type === 'int' && node.attrs.transB.value === 1) {
    return { toKeras: [1, 0], axis: 1, back: [1, 0] };
  }
  return undefined;
}

/**
 * Keras-layout copies of weights, per original tensor object: quantizing one model several times (cases,
 * presets) transposes each weight once. Entries go with the original tensor.
 */
const kerasCopies = new WeakMap<Tensor, Map<string, Tensor>>();
function kerasCopy(w: Tensor, perm: readonly number[]): Tensor {
  let m = kerasCopies.get(w);
  if (!m) kerasCopies.set(w, (m = new Map()));
  const key = perm.join(',');
  let t = m.get(key);
  if (!t) m.set(key, (t = transposeTensor(w, perm)));
  return t;
}

const amaxCache = new WeakMap<Tensor, Map<string, Float32Array>>();
function cachedChannelAmax(w: Tensor, axis: number | undefined): Float32Array {
  let m = amaxCache.get(w);
  if (!m) amaxCache.set(w, (m = new Map()));
  const key = String(axis);
  let a = m.get(key);
  if (!a) m.set(key, (a = channelAmax(w, axis)));
  return a;
}

/** A float32 tensor transposed by `perm` (out.dims[j] = in.dims[perm[j]]). */
export function transposeTensor(t: Tensor, perm: readonly number[]): Tensor {
  const rank = perm.length;
  const dims = perm.map((p) => t.dims[p]);
  const inStrides = new Array<number>(rank);
  for (let d = rank - 1, s = 1; d >= 0; d--) { inStrides[d] = s; s *= t.dims[d]; }
  const src = t.data as Float32Array;
  const out = new Float32Array(src.length);
  // pad to rank 4 and walk the output in order with the input strides of each output axis
  const D = [1, 1, 1, 1], S = [0, 0, 0, 0];
  for (let j = 0; j < rank; j++) { D[4 - rank + j] = dims[j]; S[4 - rank + j] = inStrides[perm[j]]; }
  if (rank > 4) throw new Error(`transposeTensor: rank ${rank} > 4`);
  let i = 0;
  for (let a = 0; a < D[0]; a++) for (let b = 0; b < D[1]; b++) for (let c = 0; c < D[2]; c++) {
    let off = a * S[0] + b * S[1] + c * S[2];
    for (let d = 0; d < D[3]; d++, off += S[3]) out[i++] = src[off];
  }
  return makeTensor(t.dtype, dims, out);
}

export type QuantizerKind = 'activation' | 'weight' | 'output';

/** One inserted Q/DQ pair (or a lone DQ for int8 weights). */
export interface QuantizerRecord {
  kind: QuantizerKind;
  /** The float tensor the Q reads (the original weight initializer for weights). */
  tensor: string;
  /** The node and input index the pair was inserted for (for dedupe/output kinds: the first consumer). */
  node: string;
  input: number;
  qNode?: string;
  dqNode: string;
  scale: string;
  zeroPoint: string;
  axis?: number;
  channels?: number;
  source: string;
}

const INT8 = intRange(DataType.INT8);
/** Symmetric int8: scale = amax / 127 (pytorch-quantization export, TF-QAT narrow range). */
export const INT8_MAX_BOUND = INT8.max;

/** scale = fround(amax / 127); an amax of 0 (all-zero channel) or below gets scale 1 so the scale stays positive. */
export function scaleFromAmax(amax: number): number {
  if (!(amax > 0) || !Number.isFinite(amax)) return 1;
  const s = Math.fround(amax / INT8_MAX_BOUND);
  return s > 0 ? s : 1;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Per-channel amax along `axis` (or a single amax when axis is undefined) of a float32 constant. */
export function channelAmax(w: Tensor, axis: number | undefined): Float32Array {
  const data = w.data as Float32Array;
  if (axis === undefined) {
    let m = 0;
    for (let i = 0; i < data.length; i++) m = Math.max(m, Math.abs(data[i]));
    return Float32Array.of(m);
  }
  const dims = w.dims;
  const c = dims[axis];
  let inner = 1, outer = 1;
  for (let d = axis + 1; d < dims.length; d++) inner *= dims[d];
  for (let d = 0; d < axis; d++) outer *= dims[d];
  const out = new Float32Array(c);
  for (let o = 0, i = 0; o < outer; o++) {
    for (let ch = 0; ch < c; ch++) {
      let m = out[ch];
      for (let k = 0; k < inner; k++, i++) { const a = Math.abs(data[i]); if (a > m) m = a; }
      out[ch] = m;
    }
  }
  return out;
}

function quantizeWeightData(w: Tensor, scales: Float32Array, axis: number | undefined): Int8Array {
  const data = w.data as Float32Array;
  const out = new Int8Array(data.length);
  let inner = 1;
  if (axis !== undefined) for (let d = axis + 1; d < w.dims.length; d++) inner *= w.dims[d];
  const c = axis === undefined ? 1 : w.dims[axis];
  for (let i = 0; i < data.length; i++) {
    const s = scales[axis === undefined ? 0 : Math.floor(i / inner) % c];
    const q = roundHalfEven(Math.fround(data[i] / s));
    out[i] = Math.min(INT8.max, Math.max(INT8.min, q));
  }
  return out;
}


/** Where an activation pair goes: before input `index` of node `node`. */
interface Edge {
  node: string;
  index: number;
  /** The node the plan decided for (differs from `node` when moved before a layout Transpose). */
  forNode: string;
  forIndex: number;
  source: string;
}

interface WeightEdge extends Edge {
  root: string;
  axis?: number;
}

/** Follows a weight input back through Transpose/Identity to its constant, mapping the channel axis. */
function resolveWeight(view: GraphView, node: Node, axisAtNode: number | undefined): { edgeNode: Node; edgeIndex: number; root: string; axis?: number } {
  const wi = weightIndex(node);
  let consumer = node, index = wi, t = node.inputs[wi], axis = axisAtNode;
  while (!view.isConstant(t)) {
    const p = view.producers.get(t);
    if (!p || (p.opType !== 'Transpose' && p.opType !== 'Identity')) {
      throw new QuantError(`node ${node.name} (${node.opType}): weight input ${wi} "${node.inputs[wi]}" is not a constant (${p ? `produced by ${p.opType} node ${p.name}` : 'a graph input'})`);
    }
    if (p.opType === 'Transpose' && axis !== undefined) {
      const perm = p.attrs.perm;
      if (perm?.type === 'ints') axis = perm.value[axis];
      else axis = (view.constants.get(p.inputs[0])?.dims.length ?? axis + 1) - 1 - axis;
    }
    consumer = p; index = 0; t = p.inputs[0];
  }
  return { edgeNode: consumer, edgeIndex: index, root: t, axis };
}

function checkFloat(view: GraphView, tensor: string, what: string): void {
  const dt = view.dtypeOf(tensor);
  if (dt !== undefined && dt !== DataType.FLOAT) {
    throw new QuantError(`${what} "${tensor}" is ${dataTypeName(dt)}; only FLOAT tensors can be quantized to int8 here`);
  }
}

export function insertQdq(model: Model, plan: Plan, opts: InsertOptions): { model: Model; quantizers: QuantizerRecord[] } {
  const view = new GraphView(model.graph);
  const g = cloneGraph(model.graph);

  // ---- resolve every decision into concrete edges, keyed by the node the nodes go in front of
  const actEdges = new Map<string, Edge[]>();
  const wEdges = new Map<string, WeightEdge[]>();
  const push = <T extends Edge>(m: Map<string, T[]>, e: T) => { const l = m.get(e.node) ?? []; l.push(e); m.set(e.node, l); };
  for (const n of model.graph.nodes) {
    const d = plan.nodes.get(n.name);
    if (!d) continue;
    for (const i of d.inputs) {
      const t = n.inputs[i];
      if (!t || view.isConstant(t)) continue;
      checkFloat(view, t, `node ${n.name} input ${i}`);
      let node = n, index = i;
      if (opts.kerasLayout) {
        const p = view.producers.get(t);
        if (p && p.opType === 'Transpose' && p.inputs[0] && !view.isConstant(p.inputs[0]) && view.usesOf(t).length === 1) {
          node = p; index = 0;
        }
      }
      push(actEdges, { node: node.name, index, forNode: n.name, forIndex: i, source: d.source });
    }
    if (d.weight) {
      const wi = weightIndex(n);
      // Transpose/Identity keep the rank, so the constant behind them gives the rank at the node
      const rankAtNode = (view.constants.get(resolveWeight(view, n, undefined).root) as Tensor).dims.length;
      const axisAtNode = d.weightPerTensor ? undefined : weightAxis(n, rankAtNode);
      const r = resolveWeight(view, n, axisAtNode);
      checkFloat(view, r.root, `node ${n.name} weight`);
      push(wEdges, { node: r.edgeNode.name, index: r.edgeIndex, forNode: n.name, forIndex: wi, source: d.source, root: r.root, axis: r.axis });
    }
  }
  for (const t of plan.outputs.keys()) if (!view.isConstant(t)) checkFloat(view, t, 'tensor');

  // ---- names
  const taken = new Set<string>();
  for (const n of g.nodes) { taken.add(n.name); n.inputs.forEach((x) => taken.add(x)); n.outputs.forEach((x) => taken.add(x)); }
  for (const k of g.initializers.keys()) taken.add(k);
  for (const v of g.inputs) taken.add(v.name);
  const unique = (base: string): string => {
    let name = base, k = 1;
    while (taken.has(name)) name = `${base}_${k++}`;
    taken.add(name);
    return name;
  };
  let counter = 0;
  const names = (base: string) => {
    if (opts.naming === 'tf2onnx') {
      const k = counter; counter += 4;
      const q = unique(`QuantLinearNode__${k}`), dq = unique(`DequantLinearNode__${k + 1}`);
      return { q, dq, qOut: unique(`${q}:0`), dqOut: unique(`${dq}:0`), scale: unique(`quant_scale__${k + 2}`), zp: unique(`quant_zero_point__${k + 3}`) };
    }
    const q = unique(`${base}_QuantizeLinear`), dq = unique(`${base}_DequantizeLinear`);
    return { q, dq, qOut: unique(`${base}_quantized`), dqOut: unique(`${base}_dequantized`), scale: unique(`${base}_scale`), zp: unique(`${base}_zero_point`) };
  };

  const records: QuantizerRecord[] = [];
  const actScale = scaleFromAmax(opts.activationAmax);
  const scalar = (v: number) => makeTensor(DataType.FLOAT, [], Float32Array.of(v));
  const zeroI8 = (dims: number[]) => makeTensor(DataType.INT8, dims, new Int8Array(dims.reduce((a, b) => a * b, 1)));

  /** Emits Q→DQ for an activation tensor; returns the DQ output name. */
  const emitActivation = (out: Node[], tensor: string, base: string, rec: Omit<QuantizerRecord, 'qNode' | 'dqNode' | 'scale' | 'zeroPoint'>): string => {
    const nm = names(base);
    g.initializers.set(nm.scale, scalar(actScale));
    g.initializers.set(nm.zp, zeroI8([]));
    out.push({ name: nm.q, opType: 'QuantizeLinear', domain: '', inputs: [tensor, nm.scale, nm.zp], outputs: [nm.qOut], attrs: {} });
    out.push({ name: nm.dq, opType: 'DequantizeLinear', domain: '', inputs: [nm.qOut, nm.scale, nm.zp], outputs: [nm.dqOut], attrs: {} });
    records.push({ ...rec, qNode: nm.q, dqNode: nm.dq, scale: nm.scale, zeroPoint: nm.zp });
    return nm.dqOut;
  };

  const dedupeMap = new Map<string, string>();
  const rewire = new Map<string, string>();
  const newNodes: Node[] = [];
  for (const orig of g.nodes) {
    const node = orig;
    node.inputs = node.inputs.map((x) => rewire.get(x) ?? x);
    // weights first (they are constants; order among pre-nodes is free)
    for (const e of wEdges.get(node.name) ?? []) {
      let w = view.constants.get(e.root) as Tensor;
      let root = e.root, axis = e.axis;
      const keras = opts.kerasWeights && e.node === e.forNode && axis !== undefined ? kerasLayout(node, w) : undefined;
      if (keras) {
        w = kerasCopy(w, keras.toKeras);
        root = unique(`${e.root}__keras`);
        g.initializers.set(root, w);
        axis = keras.axis;
      }
      const amax = cachedChannelAmax(w, axis);
      const scales = Float32Array.from(amax, (a) => scaleFromAmax(a));
      const base = opts.naming === 'qdqsim' ? `${e.forNode}_weight` : '';
      const nm = names(base);
      const perChannel = axis !== undefined;
      const dims = perChannel ? [scales.length] : [];
      g.initializers.set(nm.scale, makeTensor(DataType.FLOAT, dims, scales));
      g.initializers.set(nm.zp, zeroI8(dims));
      const attrs: Node['attrs'] = perChannel ? { axis: { type: 'int', value: axis as number } } : {};
      let dqIn: string;
      if (opts.weights === 'int8') {
        dqIn = unique(`${root}_int8`);
        g.initializers.set(dqIn, makeTensor(DataType.INT8, w.dims, quantizeWeightData(w, scales, axis)));
        if (keras) g.initializers.delete(root);
      } else {
        newNodes.push({ name: nm.q, opType: 'QuantizeLinear', domain: '', inputs: [root, nm.scale, nm.zp], outputs: [nm.qOut], attrs: { ...attrs } });
        dqIn = nm.qOut;
      }
      newNodes.push({ name: nm.dq, opType: 'DequantizeLinear', domain: '', inputs: [dqIn, nm.scale, nm.zp], outputs: [nm.dqOut], attrs: { ...attrs } });
      let into = nm.dqOut;
      if (keras) {
        const tname = unique(`${e.forNode}/kernel_transpose`);
        into = unique(`${tname}:0`);
        newNodes.push({ name: tname, opType: 'Transpose', domain: '', inputs: [nm.dqOut], outputs: [into], attrs: { perm: { type: 'ints', value: keras.back } }, docString: `${KERAS_WEIGHT_MARK}${e.root}` });
      }
      node.inputs[e.index] = into;
      records.push({ kind: 'weight', tensor: root, node: e.forNode, input: e.forIndex, qNode: opts.weights === 'int8' ? undefined : nm.q, dqNode: nm.dq, scale: nm.scale, zeroPoint: nm.zp, axis, channels: scales.length, source: e.source });
    }
    for (const e of actEdges.get(node.name) ?? []) {
      const tensor = node.inputs[e.index];
      let dqOut = opts.dedupe ? dedupeMap.get(tensor) : undefined;
      if (!dqOut) {
        const base = opts.dedupe ? tensor : `${e.forNode}_input${e.forIndex}`;
        dqOut = emitActivation(newNodes, tensor, base, { kind: 'activation', tensor, node: e.forNode, input: e.forIndex, source: e.source });
        if (opts.dedupe) dedupeMap.set(tensor, dqOut);
      }
      node.inputs[e.index] = dqOut;
    }
    newNodes.push(node);
    for (const o of node.outputs) {
      const source = plan.outputs.get(o);
      if (!source) continue;
      const first = view.usesOf(o)[0];
      const dqOut = emitActivation(newNodes, o, o, { kind: 'output', tensor: o, node: first?.node.name ?? node.name, input: first?.index ?? -1, source });
      rewire.set(o, dqOut);
    }
  }
  // graph inputs quantized at the output of "nothing": emit their pairs first
  const inputPairs: Node[] = [];
  for (const vi of g.inputs) {
    const source = plan.outputs.get(vi.name);
    if (!source) continue;
    const first = view.usesOf(vi.name)[0];
    const dqOut = emitActivation(inputPairs, vi.name, vi.name, { kind: 'output', tensor: vi.name, node: first?.node.name ?? '', input: first?.index ?? -1, source });
    for (const n of newNodes) n.inputs = n.inputs.map((x) => (x === vi.name ? dqOut : x));
  }
  g.nodes = [...inputPairs, ...newNodes];

  // drop original weight initializers nothing reads any more (int8 weights, Keras-layout copies)
  const used = new Set<string>();
  for (const n of g.nodes) n.inputs.forEach((x) => used.add(x));
  for (const o of g.outputs) used.add(o.name);
  for (const e of [...wEdges.values()].flat()) if (!used.has(e.root) && model.graph.initializers.has(e.root)) g.initializers.delete(e.root);
  return { model: { ...model, graph: g }, quantizers: records };
}
