/**
 * What TensorRT's ONNX parser does with Q/DQ before any optimization (docs/trt-qdq-rules.md §1.1):
 * rejections (non-zero or UINT8 zero points, per-channel activations, QLinear* ops, INT32 DQ) and the
 * per-channel axis default. Rejections throw TrtBuildError naming the node; the axis default becomes a note.
 */
import { DataType, dataTypeName } from '../sim/data-type.ts';
import type { BuildOptions } from './build-options.ts';
import { TrtBuildError } from './build-error.ts';
import type { Net, SimNode } from './net.ts';
import { isAllZero, qparams } from './qdq-params.ts';

/** Integer-operator forms of quantization the parser refuses (TRT 8.x dev guide §7.4.2; operators.md). */
const REFUSED_OPS = new Set(['QLinearConv', 'QLinearMatMul', 'ConvInteger', 'MatMulInteger', 'DynamicQuantizeLinear']);

/** Ops a weight may pass through on its way from the initializer to a Q/DQ. */
const WEIGHT_PATH_OPS = new Set(['Transpose', 'Reshape', 'Identity', 'Cast', 'QuantizeLinear', 'DequantizeLinear', 'Unsqueeze', 'Squeeze', 'Flatten']);

export function rootedAtConstant(net: Net, tensor: string): boolean {
  for (let depth = 0; depth < 16; depth++) {
    if (net.isConstant(tensor)) return true;
    const p = net.producer(tensor);
    if (!p || !WEIGHT_PATH_OPS.has(p.op)) return false;
    tensor = p.inputs[0];
  }
  return false;
}

/**
 * Scale and zero-point tensors already validated (a weight's Q and DQ share them; tensors are never
 * mutated, so a tensor that passed once passes again).
 */
const checked = new WeakSet<object>();

export interface ParserNote {
  node: string;
  note: string;
}

export function checkParser(net: Net, options: BuildOptions): ParserNote[] {
  const notes: ParserNote[] = [];
  let hasQdq = false;
  for (const n of net.nodes.values()) {
    if (REFUSED_OPS.has(n.op)) {
      throw new TrtBuildError(`unsupported operator ${n.op}: TensorRT imports quantized networks only as QuantizeLinear/DequantizeLinear (explicit quantization)`, n.name);
    }
    if (n.op !== 'QuantizeLinear' && n.op !== 'DequantizeLinear') continue;
    hasQdq = true;
    checkQdq(net, n, options, notes);
  }
  if (hasQdq && options.version.qdqNeedsInt8Flag && (options.precision === 'fp16' || options.precision === 'fp32')) {
    throw new TrtBuildError(`the network has Q/DQ nodes (explicit quantization) but the build allows no INT8: use --int8 or --best${options.version.stronglyTyped ? ' or --strongly-typed' : ''}`);
  }
  if (options.precision === 'strongly-typed' && !options.version.stronglyTyped) {
    throw new TrtBuildError(`strongly typed networks need TensorRT 10 (rule set ${options.version.id} has none); use --version 10.x`);
  }
  return notes;
}

function checkQdq(net: Net, n: SimNode, options: BuildOptions, notes: ParserNote[]): void {
  const scale = net.constant(n.inputs[1]);
  if (!scale) {
    if (options.version.constantScaleRequired) {
      throw new TrtBuildError(`${n.op} scale '${n.inputs[1]}' must be a build-time constant (initializer or Constant) in TensorRT ${options.version.id}`, n.name);
    }
  } else if (!checked.has(scale)) {
    if (scale.data.length === 0) throw new TrtBuildError(`${n.op} scale '${n.inputs[1]}' is empty`, n.name);
    const data = scale.data as ArrayLike<number>;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (!(v > 0 && v < Infinity)) throw new TrtBuildError(`${n.op} scale coefficients must be positive and finite; '${n.inputs[1]}'[${i}] = ${v}`, n.name);
    }
    checked.add(scale);
  }
  const zpName = n.inputs[2];
  if (zpName) {
    const zp = net.constant(zpName);
    if (!zp) throw new TrtBuildError(`${n.op} zero point '${zpName}' must be a constant`, n.name);
    if (zp.dtype === DataType.UINT8) {
      throw new TrtBuildError(`UINT8 quantization is not supported: ${n.op} zero point '${zpName}' is UINT8 (TensorRT supports INT8, FP8, INT4 only)`, n.name);
    }
    if (!checked.has(zp) && !isAllZero(zp)) {
      throw new TrtBuildError(`TensorRT only supports symmetric quantization: the zero point '${zpName}' of ${n.op} must be all zeros`, n.name);
    }
    checked.add(zp);
  }
  if (n.op === 'DequantizeLinear') {
    const c = net.constant(n.inputs[0]);
    if (c && c.dtype === DataType.INT32 && options.version.int32DequantizeRejected) {
      throw new TrtBuildError(`only activation types allowed as input to this layer: DequantizeLinear of INT32 '${n.inputs[0]}' (pre-quantized bias); keep the bias float`, n.name);
    }
    if (c && c.dtype === DataType.UINT8) {
      throw new TrtBuildError(`UINT8 quantization is not supported: DequantizeLinear input '${n.inputs[0]}' is UINT8`, n.name);
    }
    if (c && c.dtype !== DataType.FLOAT && !options.version.prequantizedWeights) {
      throw new TrtBuildError(`weights must be FP32 in TensorRT ${options.version.id}: DequantizeLinear reads ${dataTypeName(c.dtype)} initializer '${n.inputs[0]}' (give FP32 weights with a Q of scale 1 and the real scale on the DQ)`, n.name);
    }
  }
  const p = qparams(net, n, options.version.perChannelDefaultAxis);
  if (p.perChannel) {
    if (!rootedAtConstant(net, n.inputs[0])) {
      throw new TrtBuildError(`per-channel quantization is only supported for weights: ${n.op} has a ${scale!.dims[0]}-element scale on activation '${n.inputs[0]}'`, n.name);
    }
    if (n.attrs.axis === undefined) {
      notes.push({ node: n.name, note: `per-channel ${n.op} without 'axis': TensorRT's parser uses axis ${options.version.perChannelDefaultAxis} (ONNX default is 1)` });
    }
  }
}
