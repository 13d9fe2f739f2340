/**
 * Simulated execution of a predicted TensorRT engine (`runEngineSim`), layer by layer, with the
 * arithmetic TensorRT's fused INT8 kernels use (docs/validation.md "Engine-sim arithmetic"):
 *
 *  - INT8 convolution / fully-connected layers (`compute: 'Int8'`): the activation and weight DQs
 *    are absorbed, so the core op multiplies int8 codes and accumulates exactly in int32
 *    (golden conv2dInt32 / matmulInt32); the epilogue then runs in float32:
 *    r = fl32(fl32(acc) * fl32(s_in * s_w[c])) + fl32(bias[c]), then the layer's remaining nodes
 *    (BatchNorm, activation, residual Add with its DQ, requantize steps, output Q: RNE + saturation)
 *    in float32 per op — one rounding to int8 per fused layer instead of ORT's float simulation.
 *  - Every other layer runs its absorbed ONNX nodes with the reference interpreter's kernels
 *    (float32 per op; stand-alone Q/DQ reformats are exactly QuantizeLinear/DequantizeLinear).
 *  - FP16: tensors the engine holds in FP16 are rounded to FP16 (RNE) where they are written, and
 *    where a layer reads a tensor as FP16 that another layer wrote as FP32 (the implied reformat).
 * Tensors between layers therefore hold exactly what the engine's tensors hold: int8 codes between
 * fused INT8 layers (Q outputs), floats (rounded to FP16 where the engine uses FP16) elsewhere.
 */
import { dataTypeName, DataType } from '../../../sim/data-type.ts';
import { roundToFloat16, toNumberArray } from '../../../sim/golden/dtype.ts';
import { conv2dInt32, matmulInt32 } from '../../../sim/golden/integer-ops.ts';
import type { Model, Node } from '../../../sim/ir/graph.ts';
import { lookupOp } from '../../../sim/interp/registry.ts';
import { opsetOf } from '../../../sim/interp/run-model.ts';
import { makeTensor, type Tensor } from '../../../sim/tensor.ts';
import type { Engine, EngineLayer } from '../../engine.ts';
import { simulateEngine } from '../../simulate.ts';
import type { Precision as BuildPrecision } from '../../build-options.ts';
import { checkFeed } from '../inputs.ts';

export interface EngineSimOptions {
  /** 'ref' (TypeScript golden arithmetic) or 'webgpu' (the WGSL int8 kernels); identical bits. */
  backend?: 'ref' | 'webgpu';
  /** The predicted engine; default simulateEngine(model, {precision}). */
  engine?: Engine;
  precision?: BuildPrecision;
  /** Tensors to return besides the graph outputs. */
  capture?: string[];
}

export interface EngineSimResult {
  outputs: Record<string, Tensor>;
  captured: Record<string, Tensor>;
  engine: Engine;
  /** Per layer: how it was executed and how long it took. */
  layers: { name: string; mode: 'int8-fused' | 'nodes'; ms: number }[];
  /** ONNX nodes evaluated on demand because the engine renamed or merged their outputs. */
  lazilyEvaluated: number;
}

/**
 * The engine may name a layer's output differently from the ONNX tensor its last node writes (a Q
 * moved across a Flatten gets `name::qdqsim0`, an FC's parser tail `(Unnamed Layer* N) [...]_out_tensor`,
 * a NoOp copies its input). Binds each missing output: by the name before `::`, else to the layer's
 * last sink values (written by one of its nodes, read by none), else (no nodes) to its inputs.
 */
function bindRenamedOutputs(layer: EngineLayer, values: Values): void {
  const missing = layer.outputs.filter((t) => !values.has(t.name));
  if (!missing.length) return;
  const readInside = new Set(layer.nodes.flatMap((n) => n.inputs));
  // sinks in dependency order; the last ones are what the layer ends with
  const sinks = topoSorted(layer.nodes).flatMap((n) => n.outputs).filter((o) => o && !readInside.has(o) && !layer.outputs.some((t) => t.name === o));
  const fallback = layer.nodes.length === 0 ? layer.inputs.map((t) => t.name) : sinks.slice(-missing.length);
  missing.forEach((t, k) => {
    const base = t.name.includes('::') ? t.name.slice(0, t.name.lastIndexOf('::')) : undefined;
    const from = base && values.has(base) ? base : missing.length === fallback.length ? fallback[k] : undefined;
    const v = from ? values.get(from) : undefined;
    if (v) values.set(t.name, v);
  });
}

/** A layer's nodes in dependency order (the engine lists them in absorption order). */
export function topoSorted(nodes: readonly Node[]): Node[] {
  const producedBy = new Map<string, Node>();
  for (const n of nodes) for (const o of n.outputs) if (o) producedBy.set(o, n);
  const done = new Set<Node>(), out: Node[] = [];
  const visit = (n: Node, depth: number) => {
    if (done.has(n) || depth > nodes.length) return;
    for (const i of n.inputs) {
      const p = producedBy.get(i);
      if (p && p !== n) visit(p, depth + 1);
    }
    if (!done.has(n)) { done.add(n); out.push(n); }
  };
  for (const n of nodes) visit(n, 0);
  return out;
}

const fl32 = Math.fround;
const CORE_OPS = new Set(['Conv', 'Gemm', 'MatMul']);
const PATH_OPS = new Set(['Pad', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'Identity']);

function floatTensor(dims: readonly number[], data: Float32Array): Tensor {
  return makeTensor(DataType.FLOAT, dims, data);
}

function toFloat16Values(t: Tensor): Tensor {
  if (t.dtype !== DataType.FLOAT) return t;
  const src = t.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = roundToFloat16(src[i]);
  return floatTensor(t.dims, out);
}

function scalarOf(t: Tensor | undefined, what: string): number {
  if (!t || t.data.length !== 1) throw new Error(`${what}: expected a per-tensor (scalar) scale`);
  return toNumberArray(t.dtype, t.data as ArrayLike<number>)[0];
}

/** Follows `tensor` back through shape-only nodes of the layer to the DQ that feeds it. */
function findDq(tensor: string, producers: Map<string, Node>): Node | undefined {
  let t = tensor;
  for (let k = 0; k < 16; k++) {
    const n = producers.get(t);
    if (!n) return undefined;
    if (n.opType === 'DequantizeLinear') return n;
    if (!PATH_OPS.has(n.opType)) return undefined;
    // codes flow through a Pad only when it pads with zero (code 0 is value 0)
    if (n.opType === 'Pad' && !zeroPad(n)) return undefined;
    t = n.inputs[0];
  }
  return undefined;
}

function zeroPad(n: Node): boolean {
  const mode = n.attrs.mode;
  if (mode && mode.type === 'string' && mode.value !== 'constant') return false;
  const value = n.attrs.value;
  if (value && value.type === 'float' && value.value !== 0) return false;
  return !n.inputs[2];
}

interface Int8Core {
  core: Node;
  actDq: Node;
  wDq: Node;
}

/** The core op and its two absorbed DQs, when the layer can run the fused integer path. */
function int8Core(layer: EngineLayer): Int8Core | string {
  if (layer.compute !== 'Int8') return 'not an INT8 layer';
  const cores = layer.nodes.filter((n) => CORE_OPS.has(n.opType));
  if (cores.length !== 1) return `${cores.length} weighted ops`;
  const core = cores[0];
  const producers = new Map<string, Node>();
  for (const n of layer.nodes) for (const o of n.outputs) producers.set(o, n);
  const actDq = findDq(core.inputs[0], producers);
  const wDq = findDq(core.inputs[1], producers);
  if (!actDq || !wDq) return 'input or weight DQ not absorbed';
  if (core.opType === 'Conv') {
    const ap = core.attrs.auto_pad;
    if (ap && ap.type === 'string' && ap.value !== 'NOTSET' && ap.value !== 'VALID') return `auto_pad ${ap.value}`;
  }
  return { core, actDq, wDq };
}

type Values = Map<string, Tensor>;

class Executor {
  private readonly opsets = new Map<string, number>();
  /** Weight Q outputs are constants: quantized once per engine. */
  private readonly constCache = new Map<Node, (Tensor | undefined)[]>();

  constructor(private readonly model: Model, private readonly constants: Set<string>) {}

  runNode(node: Node, get: (n: string) => Tensor | undefined): (Tensor | undefined)[] {
    const cached = this.constCache.get(node);
    if (cached) return cached;
    const def = lookupOp(node.domain, node.opType);
    if (!def) throw new Error(`engine-sim: node '${node.name}': the interpreter has no kernel for ${node.opType}`);
    let opset = this.opsets.get(node.domain);
    if (opset === undefined) this.opsets.set(node.domain, (opset = opsetOf(this.model, node.domain)));
    const inputs = node.inputs.map((name, i) => {
      if (name === '') return undefined;
      const t = get(name);
      if (!t) throw new Error(`engine-sim: node '${node.name}' input ${i} '${name}' has no value`);
      return t;
    });
    let outs: (Tensor | undefined)[];
    try {
      outs = def.kernel({ node, opset, inputs });
    } catch (e) {
      throw new Error(`engine-sim: node '${node.name}' (${node.opType}): ${(e as Error).message}`);
    }
    if (node.inputs.every((i) => i === '' || this.constants.has(i))) {
      this.constCache.set(node, outs);
      node.outputs.forEach((o) => o && this.constants.add(o));
    }
    return outs;
  }
}

/** Integer codes as a float tensor (the DQ's input, unscaled): what the fused kernel reads. */
function codesOf(t: Tensor, dq: Node, get: (n: string) => Tensor | undefined): Tensor {
  const zp = dq.inputs[2] ? get(dq.inputs[2]) : undefined;
  if (zp && toNumberArray(zp.dtype, zp.data as ArrayLike<number>).some((z) => z !== 0)) {
    throw new Error(`engine-sim: DQ '${dq.name}' has a non-zero zero point (TensorRT is symmetric only)`);
  }
  if (t.dtype !== DataType.INT8 && t.dtype !== DataType.UINT8 && t.dtype !== DataType.INT32) {
    throw new Error(`engine-sim: DQ '${dq.name}' reads ${dataTypeName(t.dtype)}, not integer codes`);
  }
  return floatTensor(t.dims, Float32Array.from(t.data as Int8Array));
}

function intAttr(n: Node, k: string, d: number): number {
  const a = n.attrs[k];
  return a?.type === 'int' ? a.value : d;
}
function intsAttr(n: Node, k: string): number[] | undefined {
  const a = n.attrs[k];
  return a?.type === 'ints' ? a.value : undefined;
}

/** The integer GEMM/conv a fused core runs, in the form both backends take. */
export type CoreGeometry =
  | { kind: 'conv'; x: Tensor; w: Tensor; params: { strides?: number[]; pads: number[]; dilations?: number[]; group: number } }
  | { kind: 'matmul'; x: Tensor; w: Float32Array; M: number; K: number; N: number; outDims: number[] };

/** int32 accumulators of a fused core, with the per-channel layout of its output. */
export interface Accumulators {
  data: Int32Array;
  dims: number[];
  channels: number;
  /** Elements per channel run (NCHW: H*W; matmul: 1, channel = column). */
  stride: number;
}

/** An accumulation backend: golden TypeScript (ref) or the WGSL kernels (webgpu); identical int32 results. */
export type Accumulate = (g: CoreGeometry) => Accumulators | Promise<Accumulators>;

export function coreGeometry(c: Int8Core, x: Tensor, w: Tensor): CoreGeometry {
  const { core } = c;
  if (core.opType === 'Conv') {
    if (x.dims.length !== 4) throw new Error(`engine-sim: Conv '${core.name}': only 2-D convolution (NCHW) runs fused`);
    return { kind: 'conv', x, w, params: { strides: intsAttr(core, 'strides'), pads: intsAttr(core, 'pads') ?? [0, 0, 0, 0], dilations: intsAttr(core, 'dilations'), group: intAttr(core, 'group', 1) } };
  }
  // Gemm (transA = 0) or MatMul with a 2-D constant weight: rows x [M, K], weight as [K, N]
  if (core.opType === 'Gemm' && intAttr(core, 'transA', 0)) throw new Error(`engine-sim: Gemm '${core.name}' with transA=1 does not run fused`);
  const transB = core.opType === 'Gemm' ? intAttr(core, 'transB', 0) : 0;
  if (w.dims.length !== 2) throw new Error(`engine-sim: ${core.opType} '${core.name}': the weight must be 2-D`);
  const [K, N] = transB ? [w.dims[1], w.dims[0]] : w.dims;
  const M = x.data.length / K;
  if (!Number.isInteger(M) || x.dims[x.dims.length - 1] !== K) throw new Error(`engine-sim: ${core.opType} '${core.name}': input [${x.dims}] does not match weight K=${K}`);
  const wd = w.data as Float32Array;
  let wk = wd;
  if (transB) {
    wk = new Float32Array(K * N);
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) wk[k * N + n] = wd[n * K + k];
  }
  return { kind: 'matmul', x, w: wk, M, K, N, outDims: [...x.dims.slice(0, -1), N] };
}

export const accumulateRef: Accumulate = (g) => {
  if (g.kind === 'conv') {
    const r = conv2dInt32(g.x.data as Float32Array, g.x.dims, 0, g.w.data as Float32Array, g.w.dims, 0, g.params);
    return { data: r.data, dims: r.dims, channels: r.dims[1], stride: r.dims[2] * r.dims[3] };
  }
  return { data: matmulInt32(g.x.data as Float32Array, 0, g.w, 0, g.M, g.K, g.N), dims: g.outDims, channels: g.N, stride: 1 };
};

/** The float32 epilogue: r = fl32(fl32(acc) * fl32(s_in * s_w[c])) [+ fl32(bias[c])] (Gemm alpha/beta folded in). */
export function fusedEpilogue(c: Int8Core, acc: Accumulators, sIn: number, sW: ArrayLike<number>, bias: Tensor | undefined): Tensor {
  const { core } = c;
  const alphaAttr = core.opType === 'Gemm' ? core.attrs.alpha : undefined;
  const betaAttr = core.opType === 'Gemm' ? core.attrs.beta : undefined;
  const alphaExtra = alphaAttr?.type === 'float' ? alphaAttr.value : 1;
  const biasScale = betaAttr?.type === 'float' ? betaAttr.value : 1;
  const { channels, stride } = acc;
  const bd = bias ? toNumberArray(bias.dtype, bias.data as ArrayLike<number>) : undefined;
  if (bd && bd.length !== 1 && bd.length !== channels) throw new Error(`engine-sim: ${core.opType} '${core.name}': bias of ${bd.length} values for ${channels} channels`);
  const alpha = new Float32Array(channels), beta = new Float32Array(channels);
  for (let ch = 0; ch < channels; ch++) {
    alpha[ch] = fl32(fl32(sIn * (sW.length === 1 ? sW[0] : sW[ch])) * alphaExtra);
    beta[ch] = bd ? fl32(biasScale * (bd.length === 1 ? bd[0] : bd[ch])) : 0;
  }
  const a = acc.data, out = new Float32Array(a.length);
  if (stride === 1) {
    for (let i = 0; i < a.length; i++) {
      const ch = i % channels;
      out[i] = bd ? fl32(fl32(fl32(a[i]) * alpha[ch]) + beta[ch]) : fl32(fl32(a[i]) * alpha[ch]);
    }
  } else {
    for (let i0 = 0, j = 0; i0 < a.length; i0 += stride, j++) {
      const ch = j % channels, al = alpha[ch], be = beta[ch];
      for (let i = i0; i < i0 + stride; i++) out[i] = bd ? fl32(fl32(fl32(a[i]) * al) + be) : fl32(fl32(a[i]) * al);
    }
  }
  return floatTensor(acc.dims, out);
}

/**
 * Executes the predicted engine of `model` on `feeds`. Async because the WebGPU backend is; the
 * reference backend does all its work synchronously.
 */
export async function runEngineSim(model: Model, feeds: Record<string, Tensor>, opts: EngineSimOptions = {}): Promise<EngineSimResult> {
  if (opts.backend === 'webgpu') {
    const { withGpuAccumulate } = await import('./engine-sim-webgpu.ts');
    return withGpuAccumulate((acc) => executeEngine(model, feeds, opts, acc));
  }
  return executeEngine(model, feeds, opts, accumulateRef);
}

/** The layer-by-layer execution; `accumulate` is the only backend-specific step. */
export async function executeEngine(model: Model, feeds: Record<string, Tensor>, opts: EngineSimOptions, accumulate: Accumulate): Promise<EngineSimResult> {
  const engine = opts.engine ?? simulateEngine(model, { precision: opts.precision });
  const g = model.graph;
  const values: Values = new Map(g.initializers);
  const constants = new Set(g.initializers.keys());
  for (const n of g.nodes) if (n.opType === 'Constant') constants.add(n.outputs[0]);
  for (const v of g.inputs) {
    if (g.initializers.has(v.name) && !(v.name in feeds)) continue;
    const t = feeds[v.name];
    if (!t) throw new Error(`engine-sim: graph input '${v.name}' is not fed`);
    checkFeed(v, t, 'engine-sim feed');
    values.set(v.name, t);
  }
  const ex = new Executor(model, constants);
  const layerStats: EngineSimResult['layers'] = [];
  // Constant nodes outside any layer (folded by TensorRT) are evaluated up front.
  const inLayer = new Set(engine.layers.flatMap((l) => l.nodes));
  for (const n of g.nodes) {
    if (inLayer.has(n) || n.opType !== 'Constant') continue;
    ex.runNode(n, (k) => values.get(k)).forEach((t, i) => t && values.set(n.outputs[i], t));
  }
  // A tensor the engine no longer has under its ONNX name (a sibling Q merged into an equal-scale
  // twin, a Q moved across MaxPool) is evaluated from its original producer on first use: TensorRT
  // only makes such moves where the values are identical (equal scales, monotone ops).
  const originalProducer = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) originalProducer.set(o, n);
  const inFlight = new Set<Node>();
  let lazilyEvaluated = 0;
  const lookup = (k: string, local?: Map<string, Tensor>): Tensor | undefined => {
    const have = local?.get(k) ?? values.get(k);
    if (have) return have;
    const p = originalProducer.get(k);
    if (!p || inFlight.has(p)) return undefined;
    inFlight.add(p);
    try {
      const outs = ex.runNode(p, (n) => lookup(n, local));
      p.outputs.forEach((o, i) => { const t = outs[i]; if (o && t) values.set(o, t); });
      lazilyEvaluated++;
    } finally {
      inFlight.delete(p);
    }
    return values.get(k);
  };
  for (const layer of engine.layers) {
    const t0 = performance.now();
    const local = new Map<string, Tensor>();
    const get = (k: string) => lookup(k, local);
    for (const t of layer.inputs) {
      const v = values.get(t.name);
      if (t.precision === 'FP16' && v) local.set(t.name, toFloat16Values(v));
    }
    const ic = int8Core(layer);
    const mode = typeof ic === 'string' ? 'nodes' : 'int8-fused';
    for (const node of topoSorted(layer.nodes)) {
      let outs: (Tensor | undefined)[];
      if (typeof ic !== 'string' && (node === ic.actDq || node === ic.wDq)) {
        outs = [codesOf(get(node.inputs[0])!, node, get)];
      } else if (typeof ic !== 'string' && node === ic.core) {
        const sIn = scalarOf(get(ic.actDq.inputs[1]), `engine-sim: DQ '${ic.actDq.name}'`);
        const sWt = get(ic.wDq.inputs[1]);
        if (!sWt) throw new Error(`engine-sim: DQ '${ic.wDq.name}' has no scale`);
        const sW = toNumberArray(sWt.dtype, sWt.data as ArrayLike<number>);
        const bias = node.inputs[2] ? get(node.inputs[2]) : undefined;
        const x = get(node.inputs[0])!, w = get(node.inputs[1])!;
        outs = [fusedEpilogue(ic, await accumulate(coreGeometry(ic, x, w)), sIn, sW, bias)];
      } else {
        outs = ex.runNode(node, get);
      }
      node.outputs.forEach((o, i) => {
        const t = outs[i];
        if (o && t) local.set(o, t);
      });
    }
    for (const [k, t] of local) if (!layer.inputs.some((i) => i.name === k)) values.set(k, t);
    bindRenamedOutputs(layer, values);
    for (const t of layer.outputs) {
      const v = values.get(t.name);
      if (!v) throw new Error(`engine-sim: layer '${layer.name}' did not produce its output '${t.name}'`);
      if (t.precision === 'FP16') values.set(t.name, toFloat16Values(v));
    }
    layerStats.push({ name: layer.name, mode, ms: performance.now() - t0 });
  }
  const outputs: Record<string, Tensor> = {};
  for (const o of g.outputs) {
    const t = values.get(o.name);
    if (!t) throw new Error(`engine-sim: graph output '${o.name}' was not computed by any engine layer`);
    outputs[o.name] = t;
  }
  const captured: Record<string, Tensor> = {};
  for (const c of opts.capture ?? []) {
    const t = values.get(c);
    if (t) captured[c] = t;
  }
  return { outputs, captured, engine, layers: layerStats, lazilyEvaluated };
}

export type { Int8Core };
