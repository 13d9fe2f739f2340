// SPDX-License-Identifier: Apache-2.0
/** QuantizeLinear on the GPU: f32 -> int8 / uint8 / int4 / uint4 codes (wgsl/quantize-linear.wgsl). */
import { isSignedQuant, prepareQuant, quantDesc, runQuantElementwise, type PreparedQuant, type QuantParams } from './quant-params.ts';
import type { KernelRunner } from './runner.ts';
import { float8Overrides, isFloat8 } from './float8.ts';
import { DataType } from '../sim/data-type.ts';

/** Parameters of a float8 quantize/dequantize: the integer method, zero points 0, codes 0..255. */
export function prepareFloat8(dims: readonly number[], params: QuantParams): PreparedQuant {
  if (params.zeroPoint && Array.from(params.zeroPoint).some((z) => z !== 0)) throw new RangeError('x: a float8 zero point must be 0 (the ONNX reference requires it)');
  if (params.method === 'lut') throw new RangeError("x: float8 codes use method 'integer' (the exact quotient is needed, not its rounding)");
  const v = params.variant ?? {};
  const q = prepareQuant(dims, { ...params, dtype: DataType.UINT8, zeroPoint: undefined, method: 'integer', variant: { scaleOp: v.scaleOp ?? 'div' } });
  return q;
}

/**
 * Codes of `x` (dims `dims`), one per byte: Int8Array for signed integer types, Uint8Array for unsigned
 * ones and for float8 codes (`saturate` applies to float8 only, default true; float8 takes no zero point
 * other than 0 and always uses the integer method).
 */
export async function quantizeLinear(runner: KernelRunner, x: Float32Array, dims: readonly number[], params: QuantParams & { saturate?: boolean }): Promise<Int8Array | Uint8Array> {
  checkLength(x.length, dims, 'x');
  if (params.dtype !== undefined && isFloat8(params.dtype)) {
    const q = prepareFloat8(dims, params);
    const out = new Uint8Array(x.length);
    await runQuantElementwise(runner, quantDesc('quantize-linear', q, float8Overrides(params.dtype, params.saturate ?? true)), q, x.length,
      new Uint8Array(x.buffer, x.byteOffset, x.byteLength), 4, out, 1);
    return out;
  }
  if (params.dtype === undefined || params.range) throw new TypeError('x: give the code dtype (and no range) for QuantizeLinear / DequantizeLinear');
  const q = prepareQuant(dims, params);
  const out = new Uint8Array(x.length);
  await runQuantElementwise(runner, quantDesc('quantize-linear', q), q, x.length,
    new Uint8Array(x.buffer, x.byteOffset, x.byteLength), 4, out, 1);
  return isSignedQuant(params.dtype) ? new Int8Array(out.buffer) : out;
}

export function checkLength(len: number, dims: readonly number[], name: string): void {
  const n = dims.reduce((a, b) => a * b, 1);
  if (len !== n) throw new RangeError(`${name}: ${len} elements do not match dims [${dims.join(',')}] (${n} elements)`);
}
