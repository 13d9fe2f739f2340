/**
 * ONNX ConvInteger-10: integer convolution (1-D or 2-D, NCHW) of (x - x_zero_point) and
 * (w - w_zero_point), int32 wrap-around accumulation. x_zero_point is a scalar; w_zero_point a scalar
 * or one per output channel (ONNX Runtime 1.30 rejects the per-channel form; the spec and the ONNX
 * reference accept it).
 */
import { DataType } from '../../data-type.ts';
import type { Tensor } from '../../tensor.ts';
import { conv2dInt32 } from '../integer-ops.ts';
import { type ConvAttrs, type OnnxOpOptions, opLabel, paramValues, requireScalarLike, requireType, resolveConvAttrs } from './common.ts';

const INT8S = [DataType.INT8, DataType.UINT8];

export function convInteger(x: Tensor, w: Tensor, xZeroPoint?: Tensor, wZeroPoint?: Tensor, attrs: ConvAttrs = {}, opts: OnnxOpOptions = {}): Tensor {
  const what = opLabel('ConvInteger', opts);
  requireType(x, INT8S, `${what}: input 'x'`);
  requireType(w, INT8S, `${what}: input 'w'`);
  if (xZeroPoint && xZeroPoint.dtype !== x.dtype) throw new Error(`${what}: input 'x_zero_point' type differs from 'x'`);
  if (wZeroPoint && wZeroPoint.dtype !== w.dtype) throw new Error(`${what}: input 'w_zero_point' type differs from 'w'`);
  requireScalarLike(xZeroPoint, `${what}: input 'x_zero_point'`);
  const M = w.dims[0];
  const wz = paramValues(wZeroPoint, `${what}: 'w_zero_point'`);
  if (wz.length !== 1 && wz.length !== M) throw new Error(`${what}: input 'w_zero_point' has ${wz.length} elements; expected 1 or ${M} (per output channel)`);
  const { params, x4, w4, spatial } = resolveConvAttrs(x.dims, w.dims, attrs, what);
  const xz = paramValues(xZeroPoint, `${what}: 'x_zero_point'`)[0];
  let r;
  try {
    r = conv2dInt32(x.data as Int8Array, x4, xz, w.data as Int8Array, w4, wz, params);
  } catch (e) { throw new Error(`${what}: ${(e as Error).message}`); }
  const dims = spatial === 1 ? [r.dims[0], r.dims[1], r.dims[3]] : r.dims;
  return { dtype: DataType.INT32, dims, data: r.data };
}
