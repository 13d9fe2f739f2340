/**
 * `qdqsim/testing`: the golden quantization arithmetic as a test oracle for other projects, plus
 * fast-check arbitraries, the tie-focused golden vectors and the ONNX node-test runner.
 *
 *   import { oracle, arb, assertBitExact } from 'qdqsim/testing';
 *   const q = oracle.quantizeScalar(x, scale, zeroPoint, DataType.INT8);   // clamp(rne(fl32(x/s)) + zp)
 *
 * See docs/golden.md for the numeric contract and a complete example.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../sim/tensor.ts';
import { compareTensors } from './conformance.ts';
import { goldenVectorsDir } from './golden-vectors.ts';

export { DataType, dataTypeName } from '../sim/data-type.ts';
export type { Tensor } from '../sim/tensor.ts';
export * as oracle from '../sim/golden/index.ts';
export * as onnxOps from '../sim/golden/onnx-ops/index.ts';
export * as arb from './arbitraries.ts';
export { ONNX_REFERENCE_OPTIONS, type OnnxOpOptions } from '../sim/golden/onnx-ops/common.ts';
export { NAMED_VARIANTS, SPEC, ORT, ONNX_REFERENCE, ONNX_REFERENCE_QUANTIZE_LINEAR, PYTORCH, TF_FAKE_QUANT, type QuantVariant } from '../sim/golden/rounding.ts';
export { compareTensors, findNodeTestDirs, runNodeTest, runQuantNode, type ConformanceResult } from './conformance.ts';
export { GOLDEN_VECTOR_SCHEMA, buildAllGoldenVectors, hexToF32, f32Hex, mulberry32 } from './golden-vectors.ts';
export { decodeTensorProto, encodeTensorProto, readTensorProtoFile } from '../sim/onnx/tensor-proto.ts';

/** Throws when two tensors differ in dtype, dims or any element's bits (floats compared by bits, NaN = NaN). */
export function assertBitExact(got: Tensor, want: Tensor, label = 'tensor'): void {
  const d = compareTensors(got, want);
  if (d) throw new Error(`${label}: ${d}`);
}

/** The names of the committed golden-vector files (quantize.json, requantize.json, ...). */
export const GOLDEN_VECTOR_FILES = ['quantize.json', 'quantize-int32.json', 'float8.json', 'requantize.json', 'fake-quant.json'] as const;

/** Loads one committed golden-vector file (schema qdqsim.golden-vectors/1). */
export function loadGoldenVectors(name: (typeof GOLDEN_VECTOR_FILES)[number]): { schema: string; op: string; variants: Record<string, unknown>; cases: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(join(goldenVectorsDir(), name), 'utf8'));
}
