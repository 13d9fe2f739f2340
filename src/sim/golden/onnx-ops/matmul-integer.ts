/**
 * ONNX MatMulInteger-10: (A - a_zero_point) · (B - b_zero_point) with int32 wrap-around accumulation.
 * a_zero_point: scalar or per row of A (M elements, e.g. [M] or [..., M, 1]); b_zero_point: scalar or
 * per column of B (N elements, e.g. [N] or [..., 1, N]).
 */
import { DataType } from '../../data-type.ts';
import type { Tensor } from '../../tensor.ts';
import { matmulInt32 } from '../integer-ops.ts';
import { type OnnxOpOptions, opLabel, paramValues, requireType } from './common.ts';
import { planMatmul } from './matmul-shape.ts';

const INT8S = [DataType.INT8, DataType.UINT8];

export function zeroPointVector(zp: Tensor | undefined, count: number, base: Tensor, what: string): Float64Array {
  if (zp && zp.dtype !== base.dtype) throw new Error(`${what}: type differs from its input's`);
  const v = paramValues(zp, what);
  if (v.length !== 1 && v.length !== count) throw new Error(`${what}: has ${v.length} elements; expected 1 or ${count}`);
  return v;
}

export function matmulInteger(a: Tensor, b: Tensor, aZeroPoint?: Tensor, bZeroPoint?: Tensor, opts: OnnxOpOptions = {}): Tensor {
  const what = opLabel('MatMulInteger', opts);
  requireType(a, INT8S, `${what}: input 'A'`);
  requireType(b, INT8S, `${what}: input 'B'`);
  const plan = planMatmul(a.dims, b.dims, what);
  const az = zeroPointVector(aZeroPoint, plan.M, a, `${what}: 'a_zero_point'`);
  const bz = zeroPointVector(bZeroPoint, plan.N, b, `${what}: 'b_zero_point'`);
  const out = new Int32Array(plan.batches.length * plan.M * plan.N);
  for (const bt of plan.batches) {
    matmulInt32(a.data as Int8Array, az, b.data as Int8Array, bz, plan.M, plan.K, plan.N, out, bt.a, bt.b, bt.c);
  }
  return { dtype: DataType.INT32, dims: plan.outDims, data: out };
}
