/**
 * ONNX DynamicQuantizeLinear-11 (uint8 only), as the ONNX reference and its test generator compute it:
 *   min = min(0, min(x)), max = max(0, max(x))            (float32)
 *   y_scale = fl32(fl32(max - min) / 255)                 (an all-zero x uses a range of 1: 1/255;
 *                                                          ONNX Runtime returns another scale there)
 *   y_zero_point = clamp(rne(fl32((0 - min) / y_scale)), 0, 255)
 *   y = QuantizeLinear(x, y_scale, y_zero_point)          (spec arithmetic)
 * NaN anywhere in x is rejected (the range would be NaN).
 */
import { DataType } from '../../data-type.ts';
import type { Tensor } from '../../tensor.ts';
import { intRange } from '../dtype.ts';
import { quantizeTensor } from '../quantize.ts';
import { fl32, roundHalfEven } from '../rounding.ts';
import { type OnnxOpOptions, opLabel, opVariant, requireType } from './common.ts';

export function dynamicQuantizeLinear(x: Tensor, opts: OnnxOpOptions = {}): [y: Tensor, yScale: Tensor, yZeroPoint: Tensor] {
  const what = opLabel('DynamicQuantizeLinear', opts);
  requireType(x, [DataType.FLOAT], `${what}: input 'x'`);
  const d = x.data as Float32Array;
  let lo = 0, hi = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v !== v) throw new Error(`${what}: input 'x' element ${i} is NaN; the quantization range is undefined`);
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const { min: qmin, max: qmax } = intRange(DataType.UINT8);
  const range = hi === lo ? 1 : fl32(hi - lo);
  const scale = fl32(range / (qmax - qmin));
  if (!Number.isFinite(scale) || !(scale > 0)) throw new Error(`${what}: input 'x' range gives scale ${scale}`);
  const zpF = fl32(fl32(qmin - lo) / scale);
  const zp = Math.min(qmax, Math.max(qmin, roundHalfEven(zpF)));
  const sT: Tensor = { dtype: DataType.FLOAT, dims: [], data: new Float32Array([scale]) };
  const zT: Tensor = { dtype: DataType.UINT8, dims: [], data: new Uint8Array([zp]) };
  const y = quantizeTensor(x, sT, zT, { outputDtype: DataType.UINT8, variant: opVariant(opts, { zeroPoint: 'after_round' }), names: { x: 'x' } });
  return [y, sT, zT];
}
