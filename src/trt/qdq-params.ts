/**
 * Reading a Q/DQ node's quantization parameters the way TensorRT's parser does, and the bit-exact
 * equality TensorRT requires before merging or cancelling Q/DQ nodes (docs/trt-qdq-rules.md §2.3.3).
 */
import { DataType } from '../sim/data-type.ts';
import type { Tensor } from '../sim/tensor.ts';
import type { Net, SimNode } from './net.ts';

export const QDQ_OPS = ['QuantizeLinear', 'DequantizeLinear'] as const;

export function isQ(n: SimNode | undefined): n is SimNode {
  return n !== undefined && n.op === 'QuantizeLinear';
}
export function isDQ(n: SimNode | undefined): n is SimNode {
  return n !== undefined && n.op === 'DequantizeLinear';
}

export interface QParams {
  scale?: Tensor;
  zeroPoint?: Tensor;
  /** Output type of a Q / input type of a DQ: the zero point's type, INT8 when absent (TRT ignores ONNX's UINT8 default). */
  qtype: DataType;
  axis?: number;
  perChannel: boolean;
}

export function qparams(net: Net, n: SimNode, defaultAxis: number): QParams {
  const scale = net.constant(n.inputs[1]);
  const zeroPoint = n.inputs[2] ? net.constant(n.inputs[2]) : undefined;
  const perChannel = scale !== undefined && scale.dims.length === 1 && scale.dims[0] > 1;
  const ax = n.attrs.axis;
  const axis = perChannel ? (ax?.type === 'int' ? ax.value : defaultAxis) : undefined;
  let qtype = zeroPoint?.dtype ?? DataType.INT8;
  if (n.op === 'DequantizeLinear' && !zeroPoint) {
    const c = net.constant(n.inputs[0]);
    if (c) qtype = c.dtype;
  }
  return { scale, zeroPoint, qtype, axis, perChannel };
}

function sameTensor(a: Tensor | undefined, b: Tensor | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.dtype !== b.dtype || a.data.length !== b.data.length) return false;
  if (a.dims.length !== b.dims.length && !(a.data.length === 1 && b.data.length === 1)) return false;
  // compare the stored values exactly (float32 bits for scales: NaN never occurs, parser rejects it)
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

/** Same scale, zero point, type and axis, compared bit for bit; unknown (non-constant) scales never compare equal. */
export function sameQuantization(net: Net, a: SimNode, b: SimNode): boolean {
  if (a.inputs[1] === b.inputs[1] && (a.inputs[2] ?? '') === (b.inputs[2] ?? '')) {
    return (a.attrs.axis?.value ?? null) === (b.attrs.axis?.value ?? null);
  }
  const pa = qparams(net, a, 0);
  const pb = qparams(net, b, 0);
  if (!pa.scale || !pb.scale) return false;
  return pa.qtype === pb.qtype && pa.axis === pb.axis && sameTensor(pa.scale, pb.scale) &&
    (pa.zeroPoint === undefined || pb.zeroPoint === undefined || sameTensor(pa.zeroPoint, pb.zeroPoint) ||
      (isAllZero(pa.zeroPoint) && isAllZero(pb.zeroPoint)));
}

export function isAllZero(t: Tensor): boolean {
  const d = t.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    for (let i = 0; i < d.length; i++) if (d[i] !== 0n) return false;
    return true;
  }
  if (Array.isArray(d)) return false;
  const n = d as Exclude<typeof d, BigInt64Array | BigUint64Array | string[]>;
  for (let i = 0; i < n.length; i++) if (n[i] !== 0) return false;
  return true;
}

/** The single per-tensor scale as a number, or undefined when per-channel or not constant. */
export function scalarScale(net: Net, n: SimNode): number | undefined {
  const s = net.constant(n.inputs[1]);
  if (!s || s.data.length !== 1 || s.dtype !== DataType.FLOAT) return undefined;
  return s.data[0] as number;
}
