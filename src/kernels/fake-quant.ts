// SPDX-License-Identifier: Apache-2.0
/** Fake quantization forward on the GPU: dequantize(quantize(x)) in f32 (wgsl/fake-quant.wgsl). */
import { prepareQuant, quantDesc, runQuantElementwise, type QuantParams } from './quant-params.ts';
import { checkLength } from './quantize-linear.ts';
import type { KernelRunner } from './runner.ts';

export async function fakeQuant(runner: KernelRunner, x: Float32Array, dims: readonly number[], params: QuantParams): Promise<Float32Array> {
  checkLength(x.length, dims, 'x');
  const q = prepareQuant(dims, params);
  const out = new Float32Array(x.length);
  await runQuantElementwise(runner, quantDesc('fake-quant', q), q, x.length,
    new Uint8Array(x.buffer, x.byteOffset, x.byteLength), 4, new Uint8Array(out.buffer), 4);
  return out;
}
