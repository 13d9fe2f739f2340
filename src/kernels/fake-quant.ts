// SPDX-License-Identifier: Apache-2.0
/**
 * Fake quantization forward on the GPU (wgsl/fake-quant.wgsl), the golden fakeQuantForward(...).y bit
 * for bit: y = fl32(fl32(q - zp) * s). Parameters are the golden `FakeQuantParams` (explicit qmin/qmax,
 * per tensor or per channel, variant knobs). The backward pass is in fake-quant-backward.ts.
 */
import type { FakeQuantParams } from '../sim/golden/fake-quant.ts';
import type { ExactMethod } from './kernel-spec.ts';
import { type ElementwiseShape, elementwiseShape, shapeOverrides, wordsPerWorkgroup } from './elementwise-shape.ts';
import { type PreparedQuant, channelWords, prepareQuant, quantDesc, runQuantElementwise } from './quant-params.ts';
import { checkLength } from './quantize-linear.ts';
import { grid1d, type KernelRunner, type PreparedDispatch } from './runner.ts';

export interface FakeQuantGpuParams extends FakeQuantParams { method?: ExactMethod }

/** The forward kernel for `q` in dispatch shape `shape` (elementwise-shape.ts: only speed depends on it). */
export function fakeQuantDesc(q: PreparedQuant, shape: ElementwiseShape) { return quantDesc('fake-quant', q, shapeOverrides(shape)); }

export function prepareFakeQuantParams(dims: readonly number[], p: FakeQuantGpuParams): PreparedQuant {
  // golden fake-quant.ts has no overflow knob (it always saturates)
  const q = prepareQuant(dims, { range: [p.qmin, p.qmax], scale: p.scale, zeroPoint: p.zeroPoint, axis: p.axis,
    variant: { ...p.variant, overflow: 'saturate' }, method: p.method }, 'fake-quant x');
  return q;
}

/**
 * The forward kernel with x on the device, for repeated dispatches (benchmarks); the output buffer holds
 * f32 bits. Tensors larger than one storage binding are not split here (fakeQuant() splits them).
 */
export async function prepareFakeQuant(runner: KernelRunner, x: Float32Array, dims: readonly number[], p: FakeQuantGpuParams,
  shape: ElementwiseShape = elementwiseShape(runner.ctx)): Promise<PreparedDispatch> {
  checkLength(x.length, dims, 'fake-quant x');
  const q = prepareFakeQuantParams(dims, p);
  const n = x.length;
  const pipeline = await runner.pipeline(fakeQuantDesc(q, shape));
  const padded = new Float32Array(Math.ceil(n / 4) * 4);
  padded.set(x);
  const bufs = [runner.uniform([n, q.inner, q.channels, q.levels, q.qmin, q.qmax, q.nanCode, 0]), runner.upload(channelWords(q), 'chan'),
    runner.upload(q.lut, 'lut'), runner.upload(padded, 'x'), runner.output(padded.byteLength, 'y')];
  return { pipeline, buffers: bufs, workgroups: grid1d(Math.ceil(n / 4 / wordsPerWorkgroup(shape))), output: 4, outBytes: n * 4, dims: [...dims],
    destroy: () => { for (const b of bufs) b.destroy(); } };
}

export async function fakeQuant(runner: KernelRunner, x: Float32Array, dims: readonly number[], p: FakeQuantGpuParams,
  shape: ElementwiseShape = elementwiseShape(runner.ctx)): Promise<Float32Array> {
  checkLength(x.length, dims, 'fake-quant x');
  const q = prepareFakeQuantParams(dims, p);
  const out = new Float32Array(x.length);
  await runQuantElementwise(runner, fakeQuantDesc(q, shape), q, x.length,
    new Uint8Array(x.buffer, x.byteOffset, x.byteLength), 4, new Uint8Array(out.buffer), 4, wordsPerWorkgroup(shape));
  return out;
}

