// SPDX-License-Identifier: Apache-2.0
/**
 * float8 support of the quantize / dequantize kernels (wgsl/common/float8.wgsl): the format's override
 * constants, from the golden dtype module's format table. QuantizeLinear to float8 divides with the
 * integer-emulated f32 division and encodes on bit patterns; DequantizeLinear decodes and multiplies
 * with the integer-emulated f32 multiply.
 */
import { DataType } from '../sim/data-type.ts';
import { isFloat8, miniFloatFormat } from '../sim/golden/dtype.ts';

export { isFloat8 };

export function float8Overrides(dtype: DataType, saturate: boolean): Record<string, number> {
  const f = miniFloatFormat(dtype);
  return {
    FLOAT8: 1, F8_E: f.E, F8_M: f.M, F8_BIAS: f.bias, F8_MAX_CODE: f.maxCode, F8_INF_CODE: f.infCode ?? 0xffff,
    F8_NAN_CODE: f.nanCode ?? 0, F8_FNUZ: f.fnuz ? 1 : 0, F8_IEEE: dtype === DataType.FLOAT8E5M2 ? 1 : 0, F8_SATURATE: saturate ? 1 : 0,
  };
}
