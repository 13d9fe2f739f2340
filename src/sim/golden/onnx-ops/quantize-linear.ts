/** ONNX QuantizeLinear (opsets 10-25) over Tensors. */
import { DataType, dataTypeName } from '../../data-type.ts';
import type { Tensor } from '../../tensor.ts';
import { quantizeTensor } from '../quantize.ts';
import { type OnnxOpOptions, opLabel, opVariant } from './common.ts';

export interface QuantizeLinearAttrs {
  /** per-axis / blocked axis, default 1 */
  axis?: number;
  /** float8 outputs: 1 (default) saturates, 0 gives Inf/NaN on overflow */
  saturate?: number;
  /** blocked quantization block size, default 0 */
  blockSize?: number;
  /** output type when there is no zero point (0 = UINT8) */
  outputDtype?: number;
  /** opset 23 `precision`: the division precision type (0 = the scale's type) */
  precision?: number;
}

/**
 * The division precision numpy's type promotion gives (what the ONNX reference computes in):
 * int32 x with any float scale -> float64; equal types -> that type; mixed float types -> float32.
 */
export function numpyDivisionPrecision(xDtype: DataType, scaleDtype: DataType): DataType {
  if (xDtype === DataType.INT32) return DataType.DOUBLE;
  if (xDtype === scaleDtype) return xDtype;
  if (xDtype === DataType.DOUBLE || scaleDtype === DataType.DOUBLE) return DataType.DOUBLE;
  return DataType.FLOAT;
}

export function quantizeLinear(x: Tensor, scale: Tensor, zeroPoint: Tensor | undefined, attrs: QuantizeLinearAttrs = {}, opts: OnnxOpOptions = {}): Tensor {
  const what = opLabel('QuantizeLinear', opts);
  const od = attrs.outputDtype ?? 0;
  if (zeroPoint && od && zeroPoint.dtype !== od) {
    throw new Error(`${what}: output_dtype ${dataTypeName(od)} differs from the zero point type ${dataTypeName(zeroPoint.dtype)}`);
  }
  const outputDtype: DataType = zeroPoint ? zeroPoint.dtype : od || DataType.UINT8;
  let precision: DataType | undefined = attrs.precision || undefined;
  if (precision === undefined && opts.reference) precision = numpyDivisionPrecision(x.dtype, scale.dtype);
  try {
    return quantizeTensor(x, scale, zeroPoint, {
      outputDtype, axis: attrs.axis ?? 1, blockSize: attrs.blockSize ?? 0, saturate: (attrs.saturate ?? 1) !== 0,
      precision, variant: opVariant(opts, { zeroPoint: 'after_round' }), names: { x: 'x', scale: 'y_scale', zeroPoint: 'y_zero_point' },
    });
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
}
