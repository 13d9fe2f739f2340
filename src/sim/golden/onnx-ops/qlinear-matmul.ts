/**
 * ONNX QLinearMatMul-10/21 (8-bit integer inputs and outputs; float32/float16/bfloat16 scales).
 * acc = (a - a_zp) · (b - b_zp) in int32 (wrapping); then per output element (i, j) with
 * M_ij = a_scale_i * b_scale_j / y_scale:
 *   spec / ORT (default): M in float32 from the scale values, v = fl32(fl32(acc) * M),
 *                         y = clamp(rne(v) + y_zp)
 *   ONNX reference:       M in the scale type (float16 rounds after each step), v = acc * M in
 *                         float64, y = clamp(rne(v + y_zp))    (zero point before rounding)
 * a_scale/a_zero_point: scalar or per row (M); b_scale/b_zero_point: scalar or per column (N).
 */
import { DataType, dataTypeName } from '../../data-type.ts';
import type { Tensor } from '../../tensor.ts';
import { intRange } from '../dtype.ts';
import { matmulInt32 } from '../integer-ops.ts';
import { validateScales } from '../quant-params.ts';
import { fl32, roundWith } from '../rounding.ts';
import { type OnnxOpOptions, opLabel, opVariant, paramValues, requireScalarLike, requireType, rounderFor } from './common.ts';
import { zeroPointVector } from './matmul-integer.ts';
import { planMatmul } from './matmul-shape.ts';

const INT8S = [DataType.INT8, DataType.UINT8];
const SCALES = [DataType.FLOAT, DataType.FLOAT16, DataType.BFLOAT16];

export function qlinearMatMul(
  a: Tensor, aScale: Tensor, aZeroPoint: Tensor, b: Tensor, bScale: Tensor, bZeroPoint: Tensor,
  yScale: Tensor, yZeroPoint: Tensor, opts: OnnxOpOptions = {},
): Tensor {
  const what = opLabel('QLinearMatMul', opts);
  requireType(a, INT8S, `${what}: input 'a'`);
  requireType(b, INT8S, `${what}: input 'b'`);
  requireType(yZeroPoint, INT8S, `${what}: input 'y_zero_point'`);
  for (const [t, n] of [[aScale, 'a_scale'], [bScale, 'b_scale'], [yScale, 'y_scale']] as const) requireType(t, SCALES, `${what}: input '${n}'`);
  if (aScale.dtype !== bScale.dtype || aScale.dtype !== yScale.dtype) {
    throw new Error(`${what}: scales must share one type, got ${dataTypeName(aScale.dtype)}, ${dataTypeName(bScale.dtype)}, ${dataTypeName(yScale.dtype)}`);
  }
  requireScalarLike(yScale, `${what}: input 'y_scale'`);
  requireScalarLike(yZeroPoint, `${what}: input 'y_zero_point'`);
  const plan = planMatmul(a.dims, b.dims, what);
  const { M, K, N } = plan;
  const as = paramValues(aScale, `${what}: 'a_scale'`), bs = paramValues(bScale, `${what}: 'b_scale'`);
  const ys = paramValues(yScale, `${what}: 'y_scale'`)[0];
  validateScales(as, `${what}: input 'a_scale'`);
  validateScales(bs, `${what}: input 'b_scale'`);
  validateScales([ys], `${what}: input 'y_scale'`);
  if (as.length !== 1 && as.length !== M) throw new Error(`${what}: input 'a_scale' has ${as.length} elements; expected 1 or ${M} (per row)`);
  if (bs.length !== 1 && bs.length !== N) throw new Error(`${what}: input 'b_scale' has ${bs.length} elements; expected 1 or ${N} (per column)`);
  const az = zeroPointVector(aZeroPoint, M, a, `${what}: 'a_zero_point'`);
  const bz = zeroPointVector(bZeroPoint, N, b, `${what}: 'b_zero_point'`);
  const yzp = paramValues(yZeroPoint, `${what}: 'y_zero_point'`)[0];
  const { min: qmin, max: qmax } = intRange(yZeroPoint.dtype);
  const variant = opVariant(opts);
  const rd = variant.requant === 'f64' ? rounderFor(aScale.dtype) : fl32;
  const mult = new Float64Array(M * N);
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    mult[i * N + j] = rd(rd(as[as.length === 1 ? 0 : i] * bs[bs.length === 1 ? 0 : j]) / ys);
  }
  const acc = new Int32Array(M * N);
  const y = new (yZeroPoint.dtype === DataType.INT8 ? Int8Array : Uint8Array)(plan.batches.length * M * N);
  for (const bt of plan.batches) {
    matmulInt32(a.data as Int8Array, az, b.data as Int8Array, bz, M, K, N, acc, bt.a, bt.b, 0);
    for (let e = 0; e < M * N; e++) {
      const v = variant.requant === 'f64' ? acc[e] * mult[e] : fl32(fl32(acc[e]) * mult[e]);
      let q = variant.zeroPoint === 'before_round' ? roundWith(variant.rounding, v + yzp) : roundWith(variant.rounding, v) + yzp;
      if (q !== q) q = qmin;
      y[bt.c + e] = q < qmin ? qmin : q > qmax ? qmax : q;
    }
  }
  return { dtype: yZeroPoint.dtype, dims: plan.outDims, data: y };
}
