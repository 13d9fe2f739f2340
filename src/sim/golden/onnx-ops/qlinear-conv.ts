/**
 * ONNX QLinearConv-10 (1-D or 2-D, NCHW, 8-bit). acc = conv(x - x_zp, w - w_zp[m]) + B[m] in int32
 * (wrapping), then the fused requantize epilogue (integer-ops `requantize`, mode 'fused'):
 *   spec / ORT (default): M_m = fl32(fl32(x_scale * w_scale_m) / y_scale), y = clamp(rne(fl32(fl32(acc) * M_m)) + y_zp)
 *   ONNX reference:       acc * M_m in float64, y = clamp(rne(acc * M_m + y_zp))
 * x_scale, x_zp, y_scale, y_zp: scalars; w_scale, w_zp: scalar or per output channel; B: int32 [M].
 */
import { DataType } from '../../data-type.ts';
import type { Tensor } from '../../tensor.ts';
import { intRange } from '../dtype.ts';
import { conv2dInt32, requantize } from '../integer-ops.ts';
import { validateScales } from '../quant-params.ts';
import { type ConvAttrs, type OnnxOpOptions, opLabel, opVariant, paramValues, requireScalarLike, requireType, resolveConvAttrs, rounderFor } from './common.ts';

const INT8S = [DataType.INT8, DataType.UINT8];

export function qlinearConv(
  x: Tensor, xScale: Tensor, xZeroPoint: Tensor, w: Tensor, wScale: Tensor, wZeroPoint: Tensor,
  yScale: Tensor, yZeroPoint: Tensor, bias?: Tensor, attrs: ConvAttrs = {}, opts: OnnxOpOptions = {},
): Tensor {
  const what = opLabel('QLinearConv', opts);
  requireType(x, INT8S, `${what}: input 'x'`);
  requireType(w, INT8S, `${what}: input 'w'`);
  requireType(yZeroPoint, INT8S, `${what}: input 'y_zero_point'`);
  if (xZeroPoint.dtype !== x.dtype) throw new Error(`${what}: input 'x_zero_point' type differs from 'x'`);
  if (wZeroPoint.dtype !== w.dtype) throw new Error(`${what}: input 'w_zero_point' type differs from 'w'`);
  for (const [t, n] of [[xScale, 'x_scale'], [wScale, 'w_scale'], [yScale, 'y_scale']] as const) requireType(t, [DataType.FLOAT], `${what}: input '${n}'`);
  requireScalarLike(xScale, `${what}: input 'x_scale'`);
  requireScalarLike(xZeroPoint, `${what}: input 'x_zero_point'`);
  requireScalarLike(yScale, `${what}: input 'y_scale'`);
  requireScalarLike(yZeroPoint, `${what}: input 'y_zero_point'`);
  const M = w.dims[0];
  const ws = paramValues(wScale, `${what}: 'w_scale'`);
  const wz = paramValues(wZeroPoint, `${what}: 'w_zero_point'`);
  validateScales(ws, `${what}: input 'w_scale'`);
  const xs = paramValues(xScale, 'x_scale')[0], ys = paramValues(yScale, 'y_scale')[0];
  validateScales([xs], `${what}: input 'x_scale'`);
  validateScales([ys], `${what}: input 'y_scale'`);
  if (ws.length !== 1 && ws.length !== M) throw new Error(`${what}: input 'w_scale' has ${ws.length} elements; expected 1 or ${M} (per output channel)`);
  if (wz.length !== 1 && wz.length !== M) throw new Error(`${what}: input 'w_zero_point' has ${wz.length} elements; expected 1 or ${M}`);
  let b: Int32Array | undefined;
  if (bias) {
    requireType(bias, [DataType.INT32], `${what}: input 'B'`);
    if (bias.data.length !== M) throw new Error(`${what}: input 'B' has ${bias.data.length} elements; expected ${M} (one per output channel)`);
    b = bias.data as Int32Array;
  }
  const { params, x4, w4, spatial } = resolveConvAttrs(x.dims, w.dims, attrs, what);
  const xz = paramValues(xZeroPoint, 'x_zero_point')[0];
  let r;
  try {
    r = conv2dInt32(x.data as Int8Array, x4, xz, w.data as Int8Array, w4, wz, params, b);
  } catch (e) { throw new Error(`${what}: ${(e as Error).message}`); }
  const { min: qmin, max: qmax } = intRange(yZeroPoint.dtype);
  const out = new (yZeroPoint.dtype === DataType.INT8 ? Int8Array : Uint8Array)(r.data.length);
  requantize(r.data, out, {
    qmin, qmax, xScale: xs, wScale: ws, yScale: ys, yZeroPoint: paramValues(yZeroPoint, 'y_zero_point')[0],
    channels: M, channelStride: r.dims[2] * r.dims[3], mode: 'fused', variant: opVariant(opts),
    multiplierRound: rounderFor(xScale.dtype),
  });
  const dims = spatial === 1 ? [r.dims[0], r.dims[1], r.dims[3]] : r.dims;
  return { dtype: yZeroPoint.dtype, dims, data: out };
}
