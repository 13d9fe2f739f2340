// SPDX-License-Identifier: Apache-2.0
/** DequantizeLinear on the GPU: 8-bit codes -> f32, fl32((q - zp) * s) (wgsl/dequantize-linear.wgsl). */
import { isSignedQuant, prepareQuant, quantDesc, quantRange, runQuantElementwise, type QuantParams } from './quant-params.ts';
import { checkLength, prepareFloat8 } from './quantize-linear.ts';
import { float8Overrides, isFloat8 } from './float8.ts';
import type { KernelRunner } from './runner.ts';

export async function dequantizeLinear(runner: KernelRunner, codes: Int8Array | Uint8Array, dims: readonly number[], params: QuantParams): Promise<Float32Array> {
  checkLength(codes.length, dims, 'x');
  if (params.dtype !== undefined && isFloat8(params.dtype)) {
    if (!(codes instanceof Uint8Array)) throw new TypeError('x: float8 codes must be a Uint8Array');
    const q = prepareFloat8(dims, params);
    const out = new Float32Array(codes.length);
    await runQuantElementwise(runner, quantDesc('dequantize-linear', q, { SIGNED: 0, ...float8Overrides(params.dtype, true) }), q, codes.length,
      new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength), 1, new Uint8Array(out.buffer), 4);
    return out;
  }
  if (params.dtype === undefined || params.range) throw new TypeError('x: give the code dtype (and no range) for QuantizeLinear / DequantizeLinear');
  const q = prepareQuant(dims, params);
  const signed = isSignedQuant(params.dtype);
  if ((codes instanceof Int8Array) !== signed) {
    throw new TypeError(`x: ${codes.constructor.name} does not hold ${signed ? 'signed' : 'unsigned'} codes of the declared dtype`);
  }
  const [lo, hi] = quantRange(params.dtype);
  for (let i = 0; i < codes.length; i++) {
    const v = codes[i]!;
    if (v < lo || v > hi) throw new RangeError(`x[${i}] = ${v} outside [${lo}, ${hi}] of the declared dtype`);
  }
  const out = new Float32Array(codes.length);
  await runQuantElementwise(runner, quantDesc('dequantize-linear', q, { SIGNED: signed ? 1 : 0 }), q, codes.length,
    new Uint8Array(codes.buffer, codes.byteOffset, codes.byteLength), 1, new Uint8Array(out.buffer), 4);
  return out;
}
