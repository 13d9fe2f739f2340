/**
 * The golden quantization arithmetic: bit-exact, the test oracle for every other part of qdqsim.
 * See docs/golden.md for the numeric contract.
 */
export * from './dtype.ts';
export * from './rounding.ts';
export * from './quant-params.ts';
export * from './quantize.ts';
export * from './integer-ops.ts';
export * from './fake-quant.ts';
export * as onnxOps from './onnx-ops/index.ts';
