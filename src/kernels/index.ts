// SPDX-License-Identifier: Apache-2.0
/**
 * The WebGPU kernels: the golden reference on the GPU, bit-exact on any conforming device.
 * See docs/kernels.md.
 */
export { acquireGpu, acquireGpuOrSkip, adapterName, BufferUsage, DeviceLostError, INSTALL_HINT, MapMode, NoAdapterError, PACKED_DOT4, releaseGpu } from './device.ts';
export type { AcquireOptions, AdapterSummary, GpuContext } from './device.ts';
export { grid1d, KernelRunner, pipelineKey, runPrepared } from './runner.ts';
export type { DispatchTiming, PreparedDispatch } from './runner.ts';
export type { BindingKind, Dot4Path, ExactMethod, KernelDesc } from './kernel-spec.ts';
export { KERNEL_QUANT_DTYPES, type QuantParams } from './quant-params.ts';
export { quantizeLinear } from './quantize-linear.ts';
export { dequantizeLinear } from './dequantize-linear.ts';
export { fakeQuant, prepareFakeQuant, type FakeQuantGpuParams } from './fake-quant.ts';
export { fakeQuantBackward, fakeQuantLsqGradients } from './fake-quant-backward.ts';
export { matmulInteger, prepareMatmul, type MatmulOptions } from './matmul-integer.ts';
export { convInteger, prepareConv, type ConvOptions } from './conv-integer.ts';
export { requantizeGpu, type RequantizeGpuOptions } from './requantize.ts';
export { differentialChecks, goldenVectorChecks, type CheckResult } from './self-check.ts';
