/** ONNX DequantizeLinear (opsets 10-25) over Tensors. */
import type { DataType } from '../../data-type.ts';
import type { Tensor } from '../../tensor.ts';
import { dequantizeTensor } from '../quantize.ts';
import { type OnnxOpOptions, opLabel } from './common.ts';

export interface DequantizeLinearAttrs {
  /** per-axis / blocked axis, default 1 */
  axis?: number;
  /** blocked block size, default 0 */
  blockSize?: number;
  /** opset 23 output_dtype (0 = the scale's type) */
  outputDtype?: number;
}

export function dequantizeLinear(x: Tensor, scale: Tensor, zeroPoint: Tensor | undefined, attrs: DequantizeLinearAttrs = {}, opts: OnnxOpOptions = {}): Tensor {
  try {
    return dequantizeTensor(x, scale, zeroPoint, {
      axis: attrs.axis ?? 1, blockSize: attrs.blockSize ?? 0, outputDtype: (attrs.outputDtype || undefined) as DataType | undefined,
      names: { x: 'x', scale: 'x_scale', zeroPoint: 'x_zero_point' },
    });
  } catch (e) {
    throw new Error(`${opLabel('DequantizeLinear', opts)}: ${(e as Error).message}`);
  }
}
