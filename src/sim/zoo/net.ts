import { DataType } from '../data-type.ts';
import { GraphBuilder } from '../ir/builder.ts';
import type { Graph, Model } from '../ir/graph.ts';
import { type Tensor, makeTensor } from '../tensor.ts';
import {
  ACTIVATIONS, type Moments, addMoments, concatMoments, constantMoments, mulMoments, pointwise, poolMoments,
} from './moments.ts';
import type { ResolvedZooOptions } from './options.ts';
import { Rng } from './rng.ts';

/** An activation while the network is generated: its value name, NCHW (or [N, C]) dims and moments. */
export interface Act {
  name: string;
  dims: number[];
  m: Moments;
}

export type Pair = [number, number];
/** ONNX Conv/Pool pads for 2-D: [top, left, bottom, right]. */
export type Pads = [number, number, number, number];
export type ActKind = 'relu' | 'relu6' | 'swish' | 'sigmoid';

const pair = (v: number | Pair): Pair => (typeof v === 'number' ? [v, v] : v);

/** Symmetric PyTorch-style padding (k-1)/2 * dilation. */
export function samePads(k: number | Pair): Pads {
  const [kh, kw] = pair(k);
  return [(kh - 1) >> 1, (kw - 1) >> 1, (kh - 1) >> 1, (kw - 1) >> 1];
}

/** TensorFlow 'same' padding made explicit (extra pixel at the end), as tf2onnx writes it. */
export function tfSamePads(inH: number, inW: number, k: number | Pair, stride: number | Pair): Pads {
  const [kh, kw] = pair(k);
  const [sh, sw] = pair(stride);
  const total = (n: number, kk: number, s: number): number => Math.max((Math.ceil(n / s) - 1) * s + kk - n, 0);
  const th = total(inH, kh, sh);
  const tw = total(inW, kw, sw);
  return [th >> 1, tw >> 1, th - (th >> 1), tw - (tw >> 1)];
}

/** Keras imagenet_utils.correct_pad: the ZeroPadding2D in front of stride-2 'valid' convs. */
export function kerasCorrectPad(inH: number, inW: number, k: number): Pads {
  const c = k >> 1;
  const ah = 1 - (inH % 2);
  const aw = 1 - (inW % 2);
  return [c - ah, c - aw, c, c];
}

export interface BnSpec {
  /** Keras layer name of the BatchNormalization (names the folded conv's output in tf2onnx style). */
  name: string;
  eps?: number;
  /** Scale of the BN gammas (default 1; residual-branch ends use less, as trained networks do). */
  gamma?: number;
}

export interface ConvSpec {
  /** Keras layer name (tf2onnx node names). */
  name: string;
  /** torchvision module path (PyTorch parameter names). */
  torch: string;
  out: number;
  k: number | Pair;
  stride?: number | Pair;
  pads?: Pads;
  groups?: number;
  /** The conv has its own bias (a following BN is folded into the bias either way). */
  bias?: boolean;
  /** BatchNorm after the conv, folded into its weights as both exporters do in eval mode. */
  bn?: BnSpec;
  act?: { kind: ActKind; name: string };
  /**
   * The Keras ZeroPadding2D layer in front of this conv (its padding is `pads`). tf2onnx merges it
   * into the conv, which then gets a generated `Conv__N` name; with `keepPads` it stays a Pad node.
   */
  padLayer?: string;
}

/**
 * Generates one network: a GraphBuilder plus seeded weights, BatchNorm statistics taken from the
 * propagated moments (so activations stay near unit scale), and the naming rules of one exporter:
 * pytorch = legacy torch.onnx (`Conv_0`, `Relu_1`, params by module path, values `onnx::<Op>_<n>`);
 * tf2onnx = Keras layer paths (`resnet50/conv1_relu/Relu`, values `<node>:0`).
 */
export class ZooNet {
  readonly b: GraphBuilder;
  private readonly rng: Rng;
  private genCounter = 0;
  private readonly scalars = new Map<string, string>();

  constructor(readonly prefix: string, readonly opts: ResolvedZooOptions, readonly graphName: string) {
    this.b = new GraphBuilder(graphName);
    this.rng = new Rng(opts.seed);
  }

  get pytorch(): boolean {
    return this.opts.style === 'pytorch';
  }

  /** A tf2onnx-style generated name (`base__N`). */
  gen(base: string): string {
    return `${base}__${++this.genCounter}`;
  }

  /** Adds one node; tf2onnx names it `<prefix>/<node>` with output `<prefix>/<node>:0` unless told. */
  emit(op: string, inputs: string[], attrs: Record<string, number | number[] | string>, node: string, out?: string): string {
    if (this.pytorch) return this.b.op(op, inputs, attrs);
    const name = node.startsWith(`${this.prefix}/`) || /^\w+__\d+$/.test(node) ? node : `${this.prefix}/${node}`;
    return this.b.op(op, inputs, attrs, { name, outputs: [out ?? `${name}:0`] });
  }

  param(name: string, t: Tensor): string {
    return this.b.initializer(name, t);
  }

  private scalar(value: number): string {
    const key = String(value);
    let name = this.scalars.get(key);
    if (!name) {
      name = this.param(this.pytorch ? `onnx::Clip_${value}` : `${this.prefix}/const_${value}:0`, makeTensor(DataType.FLOAT, [], new Float32Array([value])));
      this.scalars.set(key, name);
    }
    return name;
  }

  private int64s(name: string, values: number[]): string {
    return this.param(name, makeTensor(DataType.INT64, [values.length], BigInt64Array.from(values.map(BigInt))));
  }

  /** The image input: NCHW, or NHWC followed by a Transpose to NCHW (what tf2onnx leaves after its transpose optimizer). */
  imageInput(channels: number, h: number, w: number, firstConv: string, moments: Moments = constantMoments(channels, 0, 1)): Act {
    const n = this.opts.batch;
    const inputName = this.pytorch ? 'input.1' : 'input_1';
    if (this.opts.layout === 'nchw') {
      this.b.input(inputName, DataType.FLOAT, [n, channels, h, w]);
      return { name: inputName, dims: [n, channels, h, w], m: moments };
    }
    this.b.input(inputName, DataType.FLOAT, [n, h, w, channels]);
    return this.toNchw(inputName, [n, channels, h, w], firstConv, moments);
  }

  /**
   * The image input read by a conv through a Keras ZeroPadding2D (`padLayer`, padding `pads`). tf2onnx
   * merges the pad into the conv of a float model, so the conv gets `pads` back. With `keepPads` (the
   * TF-QAT export spelling) the input Q/DQ sits between pad and conv, so the pad stays a Pad on the NHWC
   * input, ahead of the one Transpose (the real export: Pad, Q/DQ, Transpose, Conv), and the conv gets
   * no padding. NCHW input leaves the pad to `conv` (a Pad right before it under keepPads).
   */
  paddedImageInput(channels: number, h: number, w: number, firstConv: string, pads: Pads, padLayer: string): { x: Act; pads: Pads; padLayer?: string } {
    if (!this.opts.keepPads || this.pytorch || this.opts.layout === 'nchw') {
      return { x: this.imageInput(channels, h, w, firstConv), pads, padLayer };
    }
    const n = this.opts.batch;
    const inputName = 'input_1';
    this.b.input(inputName, DataType.FLOAT, [n, h, w, channels]);
    const [t, l, bt, r] = pads;
    const p = this.int64s(`${this.prefix}/${padLayer}/Pad/paddings:0`, [0, t, l, 0, 0, bt, r, 0]);
    const padded = this.emit('Pad', [inputName, p], { mode: 'constant' }, `${padLayer}/Pad`);
    const x = this.toNchw(padded, [n, channels, h + t + bt, w + l + r], firstConv, constantMoments(channels, 0, 1));
    return { x, pads: [0, 0, 0, 0] };
  }

  private toNchw(nhwc: string, nchwDims: number[], firstConv: string, moments: Moments): Act {
    const t = this.emit('Transpose', [nhwc], { perm: [0, 3, 1, 2] }, this.gen(`${this.prefix}/${firstConv}/Conv2D`));
    return { name: t, dims: nchwDims, m: moments };
  }

  conv(x: Act, s: ConvSpec): Act {
    const [kh, kw] = pair(s.k);
    const [sh, sw] = pair(s.stride ?? 1);
    if (s.padLayer && this.opts.keepPads && !this.pytorch) {
      x = this.pad(x, s.pads ?? [0, 0, 0, 0], s.padLayer);
      s = { ...s, pads: [0, 0, 0, 0], padLayer: undefined };
    }
    const pads = s.pads ?? [0, 0, 0, 0];
    const g = s.groups ?? 1;
    const [n, cin, h, w] = x.dims;
    const cout = s.out;
    if (cin % g !== 0 || cout % g !== 0) throw new Error(`zoo: conv ${s.name}: ${cin} -> ${cout} channels not divisible by ${g} groups`);
    const cpg = cin / g;
    const opg = cout / g;
    const k = kh * kw;
    const rng = this.rng.fork(`conv:${s.torch}:${s.name}`);
    const std = Math.sqrt(1 / (cpg * k));
    const wt = new Float32Array(cout * cpg * k);
    rng.fillNormal(wt, std);
    // Zero-sum filters: the common-mode part of the input mean (which post-ReLU activations carry
    // and which the moment estimates get least right) then cancels instead of compounding.
    const fan = cpg * k;
    for (let o = 0; o < cout; o++) {
      let mu = 0;
      for (let i = 0; i < fan; i++) mu += wt[o * fan + i];
      mu /= fan;
      for (let i = 0; i < fan; i++) wt[o * fan + i] = Math.fround(wt[o * fan + i] - mu);
    }
    const bias = new Float32Array(cout);
    if (s.bias) for (let o = 0; o < cout; o++) bias[o] = Math.fround(rng.uniform(-0.1, 0.1));
    // Moments of the conv output per channel (before any BN).
    const mean = new Float64Array(cout);
    const variance = new Float64Array(cout);
    for (let o = 0; o < cout; o++) {
      const c0 = Math.floor(o / opg) * cpg;
      let m = 0;
      let v = 0;
      for (let c = 0; c < cpg; c++) {
        let s1 = 0;
        let s2 = 0;
        const base = (o * cpg + c) * k;
        for (let i = 0; i < k; i++) {
          s1 += wt[base + i];
          s2 += wt[base + i] * wt[base + i];
        }
        m += s1 * x.m.mean[c0 + c];
        v += s2 * x.m.var[c0 + c];
      }
      mean[o] = m;
      variance[o] = v;
    }
    let out: Moments;
    if (s.bn) {
      const eps = s.bn.eps ?? 1e-5;
      const gs = s.bn.gamma ?? 1;
      out = { mean: new Float64Array(cout), var: new Float64Array(cout) };
      for (let o = 0; o < cout; o++) {
        const gamma = gs * rng.uniform(0.8, 1.2);
        const beta = rng.uniform(-0.2, 0.2) * gs;
        const runVar = Math.max(variance[o], 1e-6);
        const factor = gamma / Math.sqrt(runVar + eps);
        for (let i = 0; i < cpg * k; i++) wt[o * cpg * k + i] = Math.fround(wt[o * cpg * k + i] * factor);
        bias[o] = Math.fround(beta - mean[o] * factor);
        out.mean[o] = beta;
        out.var[o] = (gamma * gamma * runVar) / (runVar + eps);
      }
    } else {
      // No BN to normalize this conv (SE convs, ResNet v2 block ends, a v2 stem): scale each filter
      // for unit output variance, as data-dependent (LSUV) initialization would, so the layer
      // neither vanishes nor explodes.
      out = { mean: new Float64Array(cout), var: new Float64Array(cout) };
      for (let o = 0; o < cout; o++) {
        const factor = 1 / Math.sqrt(Math.max(variance[o], 1e-6));
        for (let i = 0; i < cpg * k; i++) wt[o * cpg * k + i] = Math.fround(wt[o * cpg * k + i] * factor);
        out.mean[o] = mean[o] * factor + bias[o];
        out.var[o] = variance[o] * factor * factor;
      }
    }
    const hasBias = s.bias || !!s.bn;
    const wName = this.pytorch ? `${s.torch}.weight` : `${this.prefix}/${s.name}/Conv2D${s.bn ? '_weights_fused_bn' : '/ReadVariableOp:0'}`;
    const bName = this.pytorch ? `${s.torch}.bias` : `${this.prefix}/${s.name}/${s.bn ? 'Conv2D_bias_fused_bn' : 'BiasAdd/ReadVariableOp:0'}`;
    const inputs = [x.name, this.param(wName, makeTensor(DataType.FLOAT, [cout, cpg, kh, kw], wt))];
    if (hasBias) inputs.push(this.param(bName, makeTensor(DataType.FLOAT, [cout], bias)));
    const attrs = { dilations: [1, 1], group: g, kernel_shape: [kh, kw], pads: [...pads], strides: [sh, sw] };
    const depthwise = g > 1 && g === cin && !this.pytorch;
    const node = s.padLayer ? this.gen('Conv') : `${s.name}/${depthwise ? 'depthwise' : 'Conv2D'}`;
    const outName = s.bn ? `${this.prefix}/${s.bn.name}/FusedBatchNormV3:0` : s.bias ? `${this.prefix}/${s.name}/BiasAdd:0` : undefined;
    const y = this.emit('Conv', inputs, attrs, node, outName);
    const oh = Math.floor((h + pads[0] + pads[2] - kh) / sh) + 1;
    const ow = Math.floor((w + pads[1] + pads[3] - kw) / sw) + 1;
    if (oh < 1 || ow < 1) throw new Error(`zoo: conv ${s.name} gets a ${h}x${w} input, too small; use a larger --size`);
    const res: Act = { name: y, dims: [n, cout, oh, ow], m: out };
    return s.act ? this.act(res, s.act.kind, s.act.name) : res;
  }

  act(x: Act, kind: ActKind, name: string): Act {
    const m = pointwise(x.m, ACTIVATIONS[kind]);
    switch (kind) {
      case 'relu': return { ...x, name: this.emit('Relu', [x.name], {}, `${name}/Relu`), m };
      case 'relu6': return { ...x, name: this.emit('Clip', [x.name, this.scalar(0), this.scalar(6)], {}, `${name}/Relu6`), m };
      case 'sigmoid': return { ...x, name: this.emit('Sigmoid', [x.name], {}, `${name}/Sigmoid`), m };
      case 'swish': {
        const s = this.emit('Sigmoid', [x.name], {}, `${name}/Sigmoid`);
        return { ...x, name: this.emit('Mul', [x.name, s], {}, `${name}/mul`), m };
      }
    }
  }

  /** A BatchNormalization that no conv precedes (ResNet v2 pre-activation): kept as a node. */
  batchNorm(x: Act, name: string, torch: string, eps = 1e-5): Act {
    const c = x.dims[1];
    const rng = this.rng.fork(`bn:${torch}:${name}`);
    const gamma = Float32Array.from({ length: c }, () => rng.uniform(0.8, 1.2));
    const beta = Float32Array.from({ length: c }, () => rng.uniform(-0.2, 0.2));
    const mean = Float32Array.from(x.m.mean);
    const variance = Float32Array.from(x.m.var, (v) => Math.max(v, 1e-6));
    const p = (suffix: string, tfSuffix: string, data: Float32Array): string =>
      this.param(this.pytorch ? `${torch}.${suffix}` : `${this.prefix}/${name}/${tfSuffix}`, makeTensor(DataType.FLOAT, [c], data));
    const y = this.emit('BatchNormalization', [x.name, p('weight', 'ReadVariableOp:0', gamma), p('bias', 'ReadVariableOp_1:0', beta),
      p('running_mean', 'FusedBatchNormV3/ReadVariableOp:0', mean), p('running_var', 'FusedBatchNormV3/ReadVariableOp_1:0', variance)],
    { epsilon: eps, momentum: 0.9 }, `${name}/FusedBatchNormV3`);
    const m = { mean: Float64Array.from(beta), var: Float64Array.from(gamma, (gv, i) => (gv * gv * variance[i]) / (variance[i] + eps)) };
    return { name: y, dims: x.dims, m };
  }

  private pool(op: 'MaxPool' | 'AveragePool', x: Act, k: number, s: number, pads: Pads, name: string, extra: Record<string, number>): Act {
    const [n, c, h, w] = x.dims;
    const attrs = { ...extra, kernel_shape: [k, k], pads: [...pads], strides: [s, s] };
    const y = this.emit(op, [x.name], attrs, `${name}/${op === 'MaxPool' ? 'MaxPool' : 'AvgPool'}`);
    const oh = Math.floor((h + pads[0] + pads[2] - k) / s) + 1;
    const ow = Math.floor((w + pads[1] + pads[3] - k) / s) + 1;
    if (oh < 1 || ow < 1) throw new Error(`zoo: pool ${name} gets a ${h}x${w} input, too small; use a larger --size`);
    return { name: y, dims: [n, c, oh, ow], m: poolMoments(x.m, k * k, op === 'MaxPool' ? 'max' : 'avg') };
  }

  maxPool(x: Act, k: number, s: number, pads: Pads, name: string): Act {
    return this.pool('MaxPool', x, k, s, pads, name, {});
  }

  avgPool(x: Act, k: number, s: number, pads: Pads, name: string, countIncludePad: boolean): Act {
    return this.pool('AveragePool', x, k, s, pads, name, countIncludePad ? { count_include_pad: 1 } : {});
  }

  /** Explicit zero padding (tf2onnx keeps the ZeroPadding2D before a MaxPool as a Pad node). */
  pad(x: Act, pads: Pads, name: string): Act {
    const [n, c, h, w] = x.dims;
    const p = this.int64s(this.pytorch ? `onnx::Pad_${this.b.nodeCount}` : `${this.prefix}/${name}/Pad/paddings:0`, [0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]]);
    const y = this.emit('Pad', [x.name, p], { mode: 'constant' }, `${name}/Pad`);
    return { name: y, dims: [n, c, h + pads[0] + pads[2], w + pads[1] + pads[3]], m: x.m };
  }

  /**
   * Global average pooling: GlobalAveragePool ([N,C,1,1]) in PyTorch exports; ReduceMean over H,W
   * in tf2onnx ones (keepdims as Keras asks: 0 for GlobalAveragePooling2D).
   */
  globalPool(x: Act, name: string, keepdims = false): Act {
    const [n, c, h, w] = x.dims;
    const m = poolMoments(x.m, h * w, 'avg');
    if (this.pytorch) return { name: this.b.op('GlobalAveragePool', [x.name]), dims: [n, c, 1, 1], m };
    const y = this.emit('ReduceMean', [x.name], { axes: [2, 3], keepdims: keepdims ? 1 : 0 }, `${name}/Mean`);
    return { name: y, dims: keepdims ? [n, c, 1, 1] : [n, c], m };
  }

  flatten(x: Act): Act {
    const y = this.emit('Flatten', [x.name], { axis: 1 }, 'flatten/Reshape');
    return { name: y, dims: [x.dims[0], x.dims.slice(1).reduce((a, b) => a * b, 1)], m: x.m };
  }

  reshape(x: Act, dims: number[], name: string): Act {
    const shape = this.int64s(this.pytorch ? `onnx::Reshape_${this.b.nodeCount}` : `${this.prefix}/${name}/Reshape/shape:0`, [-1, ...dims.slice(1)]);
    return { name: this.emit('Reshape', [x.name, shape], {}, `${name}/Reshape`), dims, m: x.m };
  }

  add(a: Act, b: Act, name: string): Act {
    return { name: this.emit('Add', [a.name, b.name], {}, `${name}/add`), dims: a.dims, m: addMoments(a.m, b.m) };
  }

  /** x * gate, gate broadcast from [N,C,1,1] (squeeze-excite). `gateFirst` keeps torchvision's operand order. */
  mul(x: Act, gate: Act, name: string, gateFirst = false): Act {
    const inputs = gateFirst ? [gate.name, x.name] : [x.name, gate.name];
    return { name: this.emit('Mul', inputs, {}, `${name}/mul`), dims: x.dims, m: mulMoments(x.m, gate.m) };
  }

  concat(xs: Act[], name: string): Act {
    const dims = [...xs[0].dims];
    dims[1] = xs.reduce((s, x) => s + x.dims[1], 0);
    return { name: this.emit('Concat', xs.map((x) => x.name), { axis: 1 }, `${name}/concat`), dims, m: concatMoments(xs.map((x) => x.m)) };
  }

  /**
   * The classifier: torch Linear -> Gemm(transB=1) with weight [out, in]. Keras Dense -> weight [in, out]
   * and bias read as `<layer>/MatMul/ReadVariableOp:0` and `<layer>/BiasAdd/ReadVariableOp:0`, output
   * `<layer>/BiasAdd:0`, then Softmax. tf2onnx fuses a float model's MatMul + BiasAdd into one Gemm named
   * `<layer>/MatMul` (the fp32/fp16 Keras ResNet50 engines); with `keepPads` (the TF-QAT export spelling)
   * they stay MatMul `<layer>/MatMul` + Add `<layer>/BiasAdd`, as in the TF-QAT engine.
   */
  dense(x: Act, out: number, name: string, torch: string, softmax: boolean): Act {
    const cin = x.dims[1];
    const rng = this.rng.fork(`dense:${torch}:${name}`);
    const std = Math.sqrt(1 / cin);
    const wt = new Float32Array(out * cin);
    rng.fillNormal(wt, std);
    const bias = Float32Array.from({ length: out }, () => rng.uniform(-0.1, 0.1));
    let y: string;
    if (this.pytorch) {
      const w = this.param(`${torch}.weight`, makeTensor(DataType.FLOAT, [out, cin], wt));
      const b = this.param(`${torch}.bias`, makeTensor(DataType.FLOAT, [out], bias));
      y = this.b.op('Gemm', [x.name, w, b], { alpha: 1, beta: 1, transB: 1 });
    } else {
      const w = this.param(`${this.prefix}/${name}/MatMul/ReadVariableOp:0`, makeTensor(DataType.FLOAT, [cin, out], wt));
      const b = this.param(`${this.prefix}/${name}/BiasAdd/ReadVariableOp:0`, makeTensor(DataType.FLOAT, [out], bias));
      const biasOut = `${this.prefix}/${name}/BiasAdd:0`;
      if (this.opts.keepPads) {
        const mm = this.emit('MatMul', [x.name, w], {}, `${name}/MatMul`);
        y = this.emit('Add', [mm, b], {}, `${name}/BiasAdd`, biasOut);
      } else {
        y = this.emit('Gemm', [x.name, w, b], { alpha: 1, beta: 1 }, `${name}/MatMul`, biasOut);
      }
    }
    const res: Act = { name: y, dims: [x.dims[0], out], m: constantMoments(out, 0, 1) };
    if (!softmax) return res;
    return { ...res, name: this.emit('Softmax', [y], { axis: -1 }, `${name}/Softmax`, this.pytorch ? undefined : name) };
  }

  /** Marks the graph output and finishes the model (opset 13), recording how it was made. */
  finish(out: Act, metadata: Record<string, string>): Model {
    this.b.output(out.name, DataType.FLOAT, out.dims);
    const model = this.b.model({
      opset: 13,
      producerName: this.pytorch ? 'pytorch' : 'tf2onnx',
      producerVersion: this.pytorch ? '1.13.1' : '1.9.3',
      metadata: { 'qdqsim.zoo.style': this.opts.style, 'qdqsim.zoo.seed': String(this.opts.seed), ...metadata },
    });
    if (this.pytorch) renameLegacyValues(model.graph);
    return model;
  }

  /** Applies the legacy exporter's value names to a model built directly on `b`. */
  finishLegacyNames(model: Model): Model {
    renameLegacyValues(model.graph);
    return model;
  }
}

/**
 * Legacy torch.onnx value names: the graph input is `input.1`, intermediate values `onnx::<Op>_<n>`
 * after the op that first reads them, the output a bare number; n counts up past the parameters.
 */
function renameLegacyValues(g: Graph): void {
  const firstConsumer = new Map<string, string>();
  for (const node of g.nodes) for (const i of node.inputs) if (i && !firstConsumer.has(i)) firstConsumer.set(i, node.opType);
  const outputs = new Set(g.outputs.map((o) => o.name));
  const rename = new Map<string, string>();
  let k = g.initializers.size + 1;
  for (const node of g.nodes) {
    for (const o of node.outputs) {
      k++;
      rename.set(o, outputs.has(o) ? String(k) : `onnx::${firstConsumer.get(o) ?? node.opType}_${k}`);
    }
  }
  const r = (v: string): string => rename.get(v) ?? v;
  for (const node of g.nodes) {
    node.inputs = node.inputs.map(r);
    node.outputs = node.outputs.map(r);
  }
  for (const o of g.outputs) o.name = r(o.name);
}
