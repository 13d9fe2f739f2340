/**
 * Turns the rewritten network into engine layers: names, layer types, tensor precisions and formats,
 * the scales of INT8 convolutions, MACs, and the execution order.
 *
 * Order (inferred from the GT dumps): a topological order in which a ready stand-alone Q/DQ reformat runs
 * first, then the layer whose earliest absorbed ONNX node comes first (pytorch qat-residual puts
 * `DequantizeLinear_291` before `layer4.1.conv1`).
 */
import { DataType } from '../sim/data-type.ts';
import type { Dim, Node } from '../sim/ir/graph.ts';
import { floatPrecision, type BuildOptions } from './build-options.ts';
import type { ConvQuantization, EngineLayer, EngineTensor, LayerKind, TensorPrecision } from './engine.ts';
import type { ConvUnit } from './fused-unit.ts';
import { convLayerName, fcReshapeName } from './layer-naming.ts';
import { MinHeap, type Net, type SimNode } from './net.ts';
import { POINTWISE_OPS, QUANTIZABLE_POOLS, STANDALONE_LAYER_TYPES, isCommuting } from './op-table.ts';
import { isInt8Conv } from './rules/fusion.ts';

type Prec = 'Int8' | 'Float';

const POOLS = ['MaxPool', 'GlobalMaxPool', ...QUANTIZABLE_POOLS];
/** Nodes that are not layers: constants, folded weights, and Identity (TensorRT removes it). */
const NOT_LAYERS = new Set(['Constant', 'trt.QWeight']);

function baseTensor(name: string): string {
  const i = name.indexOf('::qdqsim');
  return i < 0 ? name : name.slice(0, i);
}

class Lowering {
  private readonly prec = new Map<string, Prec>();
  /** Declared shapes of the graph inputs and outputs (value_info is read in place: it can hold every tensor). */
  private readonly declared = new Map<string, Dim[]>();
  /** Tensors that are aliases of another after Identity / concat elimination. */
  private readonly alias = new Map<string, string>();

  constructor(private readonly net: Net, private readonly options: BuildOptions, private readonly inferred?: Map<string, Dim[] | undefined>) {
    const g = net.source;
    for (const v of [...g.inputs, ...g.outputs]) if (v.shape) this.declared.set(v.name, v.shape);
  }

  /** A tensor's shape: the model's value_info, else its input/output declaration, else shape inference. */
  private dims(tensor: string): Dim[] | undefined {
    return this.net.source.valueInfo.get(tensor)?.shape ?? this.declared.get(tensor) ?? this.inferred?.get(tensor);
  }

  lower(): EngineLayer[] {
    const order = this.net.topo();
    for (const n of order) this.propagatePrecision(n);
    const layers: { layer: EngineLayer; node: SimNode; reformat: boolean }[] = [];
    for (const n of order) {
      if (NOT_LAYERS.has(n.op)) continue;
      if (n.op === 'Identity') { this.alias.set(n.outputs[0], this.resolve(n.inputs[0])); continue; }
      const eliminated = n.op === 'Concat' && this.concatEliminated(n);
      if (eliminated) n.notes.push('concatenation eliminated: the producers write into one buffer, TensorRT lists no layer');
      for (const l of this.layersOf(n)) layers.push({ layer: eliminated ? { ...l, kind: 'noop', eliminated: true } : l, node: n, reformat: l.kind === 'reformat' });
    }
    return this.schedule(layers);
  }

  private resolve(t: string): string {
    return this.alias.get(t) ?? t;
  }

  private propagatePrecision(n: SimNode): void {
    let p: Prec = 'Float';
    const inPrec = (i: number): Prec => this.prec.get(n.inputs[i]) ?? 'Float';
    switch (n.op) {
      case 'trt.Conv': p = n.unit?.kind === 'conv' && (n.unit.outputQ || n.unit.requant.length > 0) ? 'Int8' : 'Float'; break;
      case 'trt.QPool': p = 'Int8'; break;
      case 'trt.Pwn': p = n.unit?.kind === 'pwn' && n.unit.outputQ ? 'Int8' : 'Float'; break;
      case 'trt.Reformat': p = n.onnx?.opType === 'QuantizeLinear' ? 'Int8' : 'Float'; break;
      default: p = isCommuting(n.op) ? inPrec(0) : 'Float';
    }
    for (const o of n.outputs) if (o) this.prec.set(o, p);
  }

  private concatEliminated(n: SimNode): boolean {
    return n.inputs.every((t) => {
      const p = this.net.producer(t);
      return p !== undefined && !NOT_LAYERS.has(p.op) && this.net.singleUse(t);
    });
  }

  private precisionOf(t: string): TensorPrecision {
    const p = this.prec.get(t) ?? 'Float';
    if (p === 'Int8') return 'Int8';
    if (this.net.graphInputs.has(t) || this.net.graphOutputs.has(t)) return 'FP32';
    if (this.options.precision === 'strongly-typed') {
      const vi = this.net.source.valueInfo.get(baseTensor(t));
      return vi?.dtype === DataType.FLOAT16 ? 'FP16' : 'FP32';
    }
    return floatPrecision(this.options);
  }

  tensor(name: string): EngineTensor {
    const t = this.resolve(name);
    const precision = this.precisionOf(t);
    const d = this.dims(baseTensor(t));
    const dims = d && d.every((x) => typeof x === 'number') ? (d as number[]) : undefined;
    return { name: t, ...(dims ? { dims } : {}), precision, format: formatString(precision, dims) };
  }

  private dynamicInputs(n: SimNode): EngineTensor[] {
    const out: EngineTensor[] = [];
    for (const t of n.inputs) if (t !== '' && !this.net.isConstant(t) && this.net.producer(t)?.op !== 'trt.QWeight') out.push(this.tensor(t));
    return out;
  }

  private layersOf(n: SimNode): EngineLayer[] {
    const inputs = this.dynamicInputs(n), outputs = this.outputTensors(n), notes = [...n.notes];
    const u = n.unit;
    if (u?.kind === 'conv') return this.convLayers(n, u, { inputs, outputs, notes });
    // Layers are written out as whole literals, key order as a spread of { inputs, outputs, notes } gave:
    // spreading a shared base into each layer was the costliest line of lowering.
    if (u?.kind === 'qpool') {
      return [{ inputs, outputs, notes, name: n.name, kind: 'pooling', layerType: 'CudaPooling', parameterType: 'Pooling', nodes: [u.inputDQ, u.core, u.outputQ], compute: 'Int8' }];
    }
    if (u?.kind === 'pwn') {
      const nodes = [...u.inputDQs, ...u.nodes, ...(u.outputQ ? [u.outputQ] : [])];
      return [{ inputs, outputs, notes, name: n.name, kind: 'pointwise', layerType: 'PointWise', parameterType: 'PointWise', nodes, compute: u.outputQ ? 'Int8' : 'Float' }];
    }
    const onnx = n.onnx ? [n.onnx] : [];
    if (n.op === 'trt.Reformat') {
      return [{ inputs, outputs, notes, name: n.name, kind: 'reformat', layerType: 'Reformat', parameterType: 'Reformat', origin: 'QDQ', nodes: onnx, compute: 'Float' }];
    }
    const int8In = inputs.some((t) => t.precision === 'Int8');
    const compute = int8In ? 'Int8' : 'Float';
    if (POOLS.includes(n.op)) {
      const layerType = int8In ? 'CudaPooling' : n.op === 'MaxPool' ? 'TiledPooling' : 'CaskPooling';
      return [{ inputs, outputs, notes, name: n.name, kind: 'pooling', layerType, parameterType: 'Pooling', nodes: onnx, compute }];
    }
    if (POINTWISE_OPS.includes(n.op)) {
      return [{ inputs, outputs, notes, name: n.name, kind: 'pointwise', layerType: 'PointWise', parameterType: 'PointWise', nodes: onnx, compute }];
    }
    const known = STANDALONE_LAYER_TYPES[n.op];
    if (known) {
      const kind: LayerKind = known.layerType === 'Shuffle' ? 'shuffle' : 'other';
      const layerType = n.op === 'Pad' && !int8In ? 'Slice' : known.layerType;
      return [{ inputs, outputs, notes, name: n.name, kind, layerType, parameterType: known.parameterType, nodes: onnx, compute }];
    }
    notes.push(`${n.op} is not modelled: simulated as an opaque float layer`);
    return [{ inputs, outputs, notes, name: n.name, kind: 'opaque', layerType: 'Opaque', parameterType: n.op, nodes: onnx, compute: 'Float' }];
  }

  private outputTensors(n: SimNode): EngineTensor[] {
    const out: EngineTensor[] = [];
    for (const o of n.outputs) if (o) out.push(this.tensor(o));
    return out;
  }

  private convLayers(n: SimNode, u: ConvUnit, base: Pick<EngineLayer, 'inputs' | 'outputs' | 'notes'>): EngineLayer[] {
    const int8 = isInt8Conv(u);
    const { name, fcTail } = convLayerName(u, int8, this.net.onnxOrder.get(u.core.name) ?? 0);
    const nodes: Node[] = [
      ...(u.pad ? [u.pad] : []), ...u.inputReshape, ...(u.inputDQ ? [u.inputDQ] : []),
      ...(u.weight ? [...(u.weight.q ? [u.weight.q] : []), u.weight.dq, ...u.weight.shuffles] : []),
      u.core, ...u.bn, ...(u.biasAdd ? [u.biasAdd] : []), ...u.acts, ...(u.residualDQ ? [u.residualDQ] : []), ...(u.add ? [u.add] : []),
      ...u.postActs, ...(u.outputQ ? [u.outputQ] : []), ...u.requant, ...(u.pool ? [u.pool] : []),
    ];
    const notes = [...base.notes];
    if (!int8 && u.weight) notes.push('weights are INT8-quantized but the input has no DQ: TensorRT dequantizes the weights and runs the op in float');
    if (int8 && !u.outputQ && u.requant.length === 0) {
      notes.push(u.add && !u.residualDQ ? 'float output: the residual input is float (output precision follows the residual)' : 'float output: the output is not read only by a Q');
    }
    const group = u.core.attrs.group?.type === 'int' ? u.core.attrs.group.value : 1;
    const depthwise = group > 1 && group === this.outChannels(u);
    const layerType = u.pool ? 'ConvActPool' : u.core.opType === 'ConvTranspose' ? 'CaskDeconvolution' : depthwise ? 'CudaDepthwiseConvolution' :
      u.fc && !u.weight && u.core.opType === 'MatMul' ? 'CublasConvolution' : 'CaskConvolution';
    const parameterType = u.pool ? 'ConvActPool' : u.core.opType === 'ConvTranspose' ? 'Deconvolution' : 'Convolution';
    const layer: EngineLayer = {
      inputs: base.inputs, outputs: base.outputs, notes, name, kind: u.pool ? 'conv-act-pool' : 'convolution', layerType, parameterType, nodes, compute: int8 ? 'Int8' : 'Float',
      ...(int8 ? { quant: this.quantization(u) } : {}),
      ...(u.foldedWeight ? { foldedWeight: u.foldedWeight, foldedBias: u.foldedBias } : {}),
      macs: this.macs(u),
    };
    if (!u.fc) return [layer];
    // TensorRT's FC writes a 4-D region and a no-op layer restores the ONNX rank (GT `reshape_after_Gemm_48`).
    const out = layer.outputs[0];
    const region = { ...out, name: u.weight ? `${fcTail}_out_tensor` : `${u.core.name}_out_region`, dims: undefined };
    layer.outputs = [region];
    const noop: EngineLayer = {
      name: fcReshapeName(u, fcTail!), kind: 'noop', layerType: 'NoOp', nodes: [], inputs: [region], outputs: [out], compute: 'Float', notes: [],
    };
    return [layer, noop];
  }

  private scale(n: Node | undefined): number | undefined {
    if (!n) return undefined;
    const s = this.net.constant(n.inputs[1]);
    return s && s.data.length === 1 ? Number(s.data[0]) : undefined;
  }

  private quantization(u: ConvUnit): ConvQuantization {
    const w = u.weight!;
    // plain loops: typed-array from()/map() with callbacks are slow in V8 and this runs per conv
    const src = w.scale.data as ArrayLike<number>;
    const f = u.weightScaleFactors;
    const n = f && src.length === 1 ? f.length : src.length;
    const weightScales = new Float64Array(n);
    for (let k = 0; k < n; k++) weightScales[k] = Number(src[src.length === 1 ? 0 : k]) * (f ? f[k] : 1);
    const requantScales: [number, number][] = [];
    for (let i = 0; i + 1 < u.requant.length; i += 2) requantScales.push([this.scale(u.requant[i])!, this.scale(u.requant[i + 1])!]);
    return {
      inputScale: this.scale(u.inputDQ), weightScales, ...(w.axis !== undefined ? { weightAxis: w.axis } : {}),
      residualScale: this.scale(u.residualDQ), outputScale: this.scale(u.outputQ), requantScales,
    };
  }

  private weightTensor(u: ConvUnit) {
    return this.net.constant(u.weight ? u.weight.init : u.weightInit ?? '');
  }

  private outChannels(u: ConvUnit): number | undefined {
    const w = this.weightTensor(u);
    if (!w) return undefined;
    return u.core.opType === 'ConvTranspose' ? w.dims[1] : w.dims[0];
  }

  /** MACs = output elements x (input channels per group x kernel area); FC: batch x weight elements. */
  private macs(u: ConvUnit): number | undefined {
    const w = this.weightTensor(u);
    if (!w) return undefined;
    const out = this.dims(u.core.outputs[0]);
    if (!out || !out.every((d) => typeof d === 'number')) return undefined;
    const outN = (out as number[]).reduce((a, b) => a * b, 1);
    const wN = w.dims.reduce((a, b) => a * b, 1);
    if (u.fc) return (outN / (u.core.opType === 'MatMul' ? w.dims[1] : u.core.attrs.transB?.value === 1 ? w.dims[0] : w.dims[1])) * wN;
    const perOutput = u.core.opType === 'ConvTranspose' ? wN / w.dims[1] : wN / w.dims[0];
    return outN * perOutput;
  }

  private schedule(items: { layer: EngineLayer; node: SimNode; reformat: boolean }[]): EngineLayer[] {
    const producer = new Map<string, number>();
    items.forEach((it, i) => { for (const o of it.layer.outputs) producer.set(o.name, i); });
    // distinct producers per layer, first-read first (a layer reads a few tensors: an array beats a Set)
    const deps = items.map((it) => {
      const d: number[] = [];
      for (const t of it.layer.inputs) { const p = producer.get(t.name); if (p !== undefined && !d.includes(p)) d.push(p); }
      return d;
    });
    const users = items.map(() => [] as number[]);
    deps.forEach((d, i) => { for (const p of d) users[p].push(i); });
    const indeg = deps.map((d) => d.length);
    const heap = new MinHeap<number>((a, b) => Number(items[b].reformat) - Number(items[a].reformat) || items[a].node.order - items[b].node.order || a - b);
    indeg.forEach((d, i) => { if (d === 0) heap.push(i); });
    const out: EngineLayer[] = [];
    while (heap.size > 0) {
      const i = heap.pop();
      out.push(items[i].layer);
      for (const u of users[i]) if (--indeg[u] === 0) heap.push(u);
    }
    return out;
  }
}

export function formatString(p: TensorPrecision, dims?: number[]): string {
  const vec = dims && dims.length === 4 ? (dims[1] % 32 === 0 ? 'Thirty-two' : 'Four') : undefined;
  if (p === 'Int8') return vec ? `${vec} wide channel vectorized row major Int8 format` : 'Row major Int8 format';
  if (p === 'FP16') return vec === 'Thirty-two' ? 'Thirty-two wide channel vectorized row major FP16 format' : 'Row major linear FP16 format';
  return 'Row major linear FP32';
}

/** `shapes`: inferred value shapes to use where the model declares none. */
export function lowerNet(net: Net, options: BuildOptions, shapes?: Map<string, Dim[] | undefined>): EngineLayer[] {
  return new Lowering(net, options, shapes).lower();
}
