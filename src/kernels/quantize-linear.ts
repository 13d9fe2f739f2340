// SPDX-License-Identifier: Apache-2.0
/** QuantizeLinear on the GPU: f32 -> int8 / uint8 / int4 / uint4 codes (wgsl/quantize-linear.wgsl). */
import { isSignedQuant, prepareQuant, quantDesc, runQuantElementwise, type QuantParams } from './quant-params.ts';
import type { KernelRunner } from './runner.ts';

/** Codes of `x` (dims `dims`), one per byte: Int8Array for signed types, Uint8Array for unsigned. */
export async function quantizeLinear(runner: KernelRunner, x: Float32Array, dims: readonly number[], params: QuantParams): Promise<Int8Array | Uint8Array> {
  checkLength(x.length, dims, 'x');
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
