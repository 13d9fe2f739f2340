/** ONNX-semantics functions for the quantization operators (Tensors + attributes in, Tensors out). */
export { ONNX_REFERENCE_OPTIONS, type ConvAttrs, type OnnxOpOptions } from './common.ts';
export { quantizeLinear, numpyDivisionPrecision, type QuantizeLinearAttrs } from './quantize-linear.ts';
export { dequantizeLinear, type DequantizeLinearAttrs } from './dequantize-linear.ts';
export { dynamicQuantizeLinear } from './dynamic-quantize-linear.ts';
export { matmulInteger } from './matmul-integer.ts';
export { qlinearMatMul } from './qlinear-matmul.ts';
export { convInteger } from './conv-integer.ts';
export { qlinearConv } from './qlinear-conv.ts';
