/**
 * Every interpreter kernel against onnxruntime-node (CPU, graph optimisation disabled) on small seeded
 * cases. Exact ops (data movement, + − × ÷, comparisons, Q/DQ, integer ops) must be bit-identical;
 * transcendental ops within a few float32 ULP (ORT uses vectorised approximations, we use the double-
 * precision function rounded once); float contractions within a bound relative to the output's scale.
 */
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import { GraphBuilder } from '../../../src/sim/ir/builder.ts';
import { diffTensors } from '../../../src/sim/interp/compare.ts';
import { runOrt } from '../../../src/sim/interp/ort-bridge.ts';
import { mulberry32, randomTensor } from '../../../src/sim/interp/random-inputs.ts';
import { runModel } from '../../../src/sim/interp/run-model.ts';
import { inferShapes } from '../../../src/sim/shape/infer-shapes.ts';
import type { Tensor } from '../../../src/sim/tensor.ts';

interface Ctx {
  b: GraphBuilder;
  /** a random graph input (fed) */
  x(dims: number[], dtype?: DataType, range?: [number, number]): string;
  /** a constant initializer from values */
  c(values: number[], dtype?: DataType, dims?: number[]): string;
}

interface Case {
  name: string;
  opset?: number;
  build(ctx: Ctx): string | string[];
  /** 'exact' (default), or max float32 ULP, or max |diff| / max|ref| */
  tol?: { ulp?: number; scale?: number };
}

const F = DataType.FLOAT;
const I64 = DataType.INT64;

const cases: Case[] = [
  // ---- element-wise, exact
  { name: 'Relu', build: ({ b, x }) => b.op('Relu', [x([2, 3, 4])]) },
  { name: 'LeakyRelu', build: ({ b, x }) => b.op('LeakyRelu', [x([2, 3, 4])], { alpha: 0.1 }) },
  { name: 'Abs/Neg', build: ({ b, x }) => b.op('Neg', [b.op('Abs', [x([5, 7])])]) },
  { name: 'Floor/Ceil', build: ({ b, x }) => [b.op('Floor', [x([40], F, [-4, 4])]), b.op('Ceil', [x([40], F, [-4, 4])])] },
  { name: 'Round (ties)', build: ({ b, c }) => b.op('Round', [c([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 3.7, -3.2], F)]) },
  { name: 'Clip (inputs)', build: ({ b, x, c }) => b.op('Clip', [x([3, 10], F, [-3, 3]), c([-1], F, []), c([2], F, [])]) },
  { name: 'Clip (opset 6 attrs)', opset: 6, build: ({ b, x }) => b.op('Clip', [x([3, 10], F, [-3, 3])], { min: -0.5, max: 0.25 }) },
  { name: 'Clip (min only)', build: ({ b, x, c }) => b.op('Clip', [x([3, 10], F, [-3, 3]), c([0], F, [])]) },
  { name: 'Sqrt', build: ({ b, x }) => b.op('Sqrt', [x([50], F, [0, 10])]) },
  { name: 'Reciprocal', build: ({ b, x }) => b.op('Reciprocal', [x([50], F, [0.5, 10])]) },
  { name: 'Add/Sub/Mul/Div broadcast', build: ({ b, x }) => {
    const a = x([2, 3, 4]);
    const v = x([3, 1]);
    const s = x([1]);
    return b.op('Div', [b.op('Mul', [b.op('Sub', [b.op('Add', [a, v]), s]), x([4])]), x([2, 1, 4], F, [0.5, 2])]);
  } },
  { name: 'Mul/Sub per-channel broadcast', build: ({ b, x }) => [b.op('Mul', [x([1, 3, 4, 5]), x([1, 3, 1, 1])]), b.op('Sub', [x([2, 3, 4, 5]), x([2, 3, 1, 1])]), b.op('Add', [x([2, 3, 4]), x([2, 1, 1])])] },
  { name: 'Add int32 / Mul int32 / Div int32', build: ({ b, x }) => {
    const a = x([6], DataType.INT32, [-1000, 1000]);
    const d = x([6], DataType.INT32, [1, 50]);
    return [b.op('Add', [a, d]), b.op('Mul', [a, d]), b.op('Div', [a, d])];
  } },
  { name: 'int64 Add/Mul/Div/Equal', build: ({ b, c }) => {
    const a = c([7, -7, 9, 100, 0], I64);
    const d = c([2, 2, -4, 3, 5], I64);
    return [b.op('Add', [a, d]), b.op('Mul', [a, d]), b.op('Div', [a, d]), b.op('Equal', [a, d])];
  } },
  { name: 'Min/Max variadic', build: ({ b, x }) => [b.op('Min', [x([2, 3]), x([3]), x([2, 1])]), b.op('Max', [x([2, 3]), x([1, 3])])] },
  { name: 'Equal/Greater/Less/Where', build: ({ b, x }) => {
    const a = x([3, 4], F, [-2, 2]);
    const z = x([4], F, [-2, 2]);
    return [b.op('Where', [b.op('Greater', [a, z]), a, z]), b.op('Less', [a, z]), b.op('Equal', [a, a])];
  } },
  { name: 'Pow', tol: { ulp: 4 }, build: ({ b, x, c }) => [b.op('Pow', [x([20], F, [0.1, 3]), c([2], F, [])]), b.op('Pow', [x([20], F, [0.1, 3]), x([20], F, [-2, 2])])] },
  { name: 'Identity', build: ({ b, x }) => b.op('Identity', [x([2, 2])]) },
  // ---- element-wise, transcendental
  { name: 'Sigmoid', tol: { scale: 1e-6 }, build: ({ b, x }) => b.op('Sigmoid', [x([200], F, [-8, 8])]) },
  { name: 'Tanh', tol: { ulp: 4 }, build: ({ b, x }) => b.op('Tanh', [x([200], F, [-4, 4])]) },
  { name: 'HardSigmoid', tol: { ulp: 1 }, build: ({ b, x }) => b.op('HardSigmoid', [x([200], F, [-4, 4])], { alpha: 0.25, beta: 0.4 }) },
  { name: 'HardSwish', opset: 14, tol: { ulp: 1 }, build: ({ b, x }) => b.op('HardSwish', [x([200], F, [-5, 5])]) },
  { name: 'Erf', tol: { ulp: 4 }, build: ({ b, x }) => b.op('Erf', [x([300], F, [-4, 4])]) },
  { name: 'Gelu', opset: 20, tol: { scale: 1e-6 }, build: ({ b, x }) => [b.op('Gelu', [x([200], F, [-4, 4])]), b.op('Gelu', [x([200], F, [-4, 4])], { approximate: 'tanh' })] },
  { name: 'Exp/Log', tol: { ulp: 4 }, build: ({ b, x }) => [b.op('Exp', [x([100], F, [-10, 10])]), b.op('Log', [x([100], F, [0.01, 100])])] },
  // ---- contractions
  { name: 'Conv 3x3 pad 1 bias', tol: { scale: 1e-6 }, build: ({ b, x }) => b.op('Conv', [x([1, 3, 9, 9]), x([8, 3, 3, 3]), x([8])], { pads: [1, 1, 1, 1] }) },
  { name: 'Conv stride 2 dilation 2 group 2', tol: { scale: 1e-6 }, build: ({ b, x }) => b.op('Conv', [x([2, 4, 11, 10]), x([6, 2, 3, 2])], { strides: [2, 2], dilations: [2, 1], group: 2, pads: [1, 0, 2, 1] }) },
  { name: 'Conv depthwise SAME_UPPER', tol: { scale: 1e-6 }, build: ({ b, x }) => b.op('Conv', [x([1, 5, 8, 7]), x([5, 1, 3, 3])], { group: 5, strides: [2, 2], auto_pad: 'SAME_UPPER' }) },
  { name: 'Conv 1x1', tol: { scale: 1e-6 }, build: ({ b, x }) => b.op('Conv', [x([1, 16, 5, 5]), x([7, 16, 1, 1]), x([7])]) },
  { name: 'Conv 1-D', tol: { scale: 1e-6 }, build: ({ b, x }) => b.op('Conv', [x([2, 3, 17]), x([4, 3, 5])], { pads: [2, 2], strides: [3] }) },
  { name: 'ConvTranspose stride 2', tol: { scale: 1e-6 }, build: ({ b, x }) => b.op('ConvTranspose', [x([1, 4, 5, 5]), x([4, 3, 3, 3]), x([3])], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }) },
  { name: 'ConvTranspose group output_shape', tol: { scale: 1e-6 }, build: ({ b, x }) => b.op('ConvTranspose', [x([1, 4, 4, 4]), x([4, 2, 2, 2])], { strides: [2, 2], group: 2, output_shape: [9, 9] }) },
  { name: 'MatMul 2-D', tol: { scale: 1e-6 }, build: ({ b, x }) => b.op('MatMul', [x([7, 33]), x([33, 9])]) },
  { name: 'MatMul batched broadcast', tol: { scale: 1e-6 }, build: ({ b, x }) => b.op('MatMul', [x([2, 3, 5, 6]), x([3, 6, 4])]) },
  { name: 'MatMul 1-D', tol: { scale: 1e-6 }, build: ({ b, x }) => [b.op('MatMul', [x([6]), x([2, 6, 3])]), b.op('MatMul', [x([4, 6]), x([6])])] },
  { name: 'Gemm transB bias', tol: { scale: 1e-6 }, build: ({ b, x }) => b.op('Gemm', [x([4, 10]), x([6, 10]), x([6])], { transB: 1 }) },
  { name: 'Gemm transA alpha beta', tol: { scale: 1e-6 }, build: ({ b, x }) => b.op('Gemm', [x([10, 4]), x([10, 6]), x([4, 1])], { transA: 1, alpha: 0.5, beta: 2 }) },
  // ---- normalisation
  { name: 'BatchNormalization', build: ({ b, x }) => b.op('BatchNormalization', [x([2, 3, 4, 4]), x([3]), x([3]), x([3]), x([3], F, [0.5, 2])], { epsilon: 1e-3 }) },
  { name: 'LayerNormalization', opset: 17, tol: { scale: 1e-6 }, build: ({ b, x }) => b.op('LayerNormalization', [x([2, 5, 16]), x([16]), x([16])], { epsilon: 1e-5 }) },
  { name: 'Softmax opset 13', tol: { ulp: 8 }, build: ({ b, x }) => [b.op('Softmax', [x([2, 3, 10], F, [-5, 5])]), b.op('Softmax', [x([2, 3, 10], F, [-5, 5])], { axis: 1 })] },
  { name: 'Softmax opset 11 (2-D coercion)', opset: 11, tol: { ulp: 8 }, build: ({ b, x }) => b.op('Softmax', [x([2, 3, 10], F, [-5, 5])], { axis: 1 }) },
  // ---- pooling and reductions
  { name: 'MaxPool ceil_mode pads', build: ({ b, x }) => b.op('MaxPool', [x([1, 2, 9, 9])], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }) },
  { name: 'MaxPool dilations', build: ({ b, x }) => b.op('MaxPool', [x([1, 2, 9, 9])], { kernel_shape: [2, 2], dilations: [2, 2] }) },
  { name: 'AveragePool exclude pad', tol: { scale: 1e-6 }, build: ({ b, x }) => b.op('AveragePool', [x([1, 2, 8, 8])], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }) },
  { name: 'AveragePool include pad', tol: { scale: 1e-6 }, build: ({ b, x }) => b.op('AveragePool', [x([1, 2, 8, 8])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 }) },
  { name: 'GlobalAveragePool', tol: { ulp: 2 }, build: ({ b, x }) => b.op('GlobalAveragePool', [x([2, 3, 7, 7])]) },
  { name: 'ReduceMean opset 13', tol: { scale: 1e-6 }, build: ({ b, x }) => [b.op('ReduceMean', [x([2, 3, 4])], { axes: [1], keepdims: 0 }), b.op('ReduceMean', [x([2, 3, 4])], { axes: [-1, 0] })] },
  { name: 'ReduceMean/Min/Max opset 18', opset: 18, tol: { scale: 1e-6 }, build: ({ b, x, c }) => [b.op('ReduceMean', [x([2, 3, 4]), c([-1], I64)]), b.op('ReduceMin', [x([2, 3, 4])], { keepdims: 0 }), b.op('ReduceMax', [x([2, 3, 4]), c([0, 2], I64)])] },
  // ---- data movement
  { name: 'Concat', build: ({ b, x }) => b.op('Concat', [x([2, 1, 3]), x([2, 4, 3]), x([2, 2, 3])], { axis: 1 }) },
  { name: 'Split opset 13 input', build: ({ b, x, c }) => b.node('Split', [x([2, 7]), c([3, 4], I64)], { axis: 1 }, { outputs: 2 }) },
  { name: 'Split opset 18 num_outputs', opset: 18, build: ({ b, x }) => b.node('Split', [x([7, 2])], { num_outputs: 3 }, { outputs: 3 }) },
  { name: 'Split opset 11 attr', opset: 11, build: ({ b, x }) => b.node('Split', [x([6, 2])], { split: [1, 5] }, { outputs: 2 }) },
  { name: 'Slice steps/negatives', build: ({ b, x, c }) => [
    b.op('Slice', [x([5, 6, 7]), c([4, -1], I64), c([0, -100], I64), c([0, 2], I64), c([-2, -3], I64)]),
    b.op('Slice', [x([5, 6]), c([1], I64), c([1000], I64), c([1], I64)]),
  ] },
  { name: 'Pad constant/reflect/edge', build: ({ b, x, c }) => {
    const p = c([1, 2, 2, 0], I64);
    return [b.op('Pad', [x([3, 4]), p, c([1.5], F, [])]), b.op('Pad', [x([3, 4]), p], { mode: 'reflect' }), b.op('Pad', [x([3, 4]), p], { mode: 'edge' })];
  } },
  { name: 'Pad negative (crop)', build: ({ b, x, c }) => b.op('Pad', [x([4, 5]), c([-1, 1, 0, -2], I64)]) },
  { name: 'Reshape 0 / -1 + Flatten', build: ({ b, x, c }) => [b.op('Reshape', [x([2, 3, 4]), c([0, -1], I64)]), b.op('Flatten', [x([2, 3, 4])], { axis: 2 })] },
  { name: 'Transpose', build: ({ b, x }) => [b.op('Transpose', [x([2, 3, 4, 5])], { perm: [0, 2, 3, 1] }), b.op('Transpose', [x([3, 4])])] },
  { name: 'Squeeze/Unsqueeze opset 13', build: ({ b, x, c }) => [b.op('Squeeze', [x([1, 3, 1, 2]), c([0, -2], I64)]), b.op('Unsqueeze', [x([3, 2]), c([0, 3], I64)])] },
  { name: 'Squeeze/Unsqueeze opset 11', opset: 11, build: ({ b, x }) => [b.op('Squeeze', [x([1, 3, 1, 2])], { axes: [0] }), b.op('Unsqueeze', [x([3, 2])], { axes: [1] })] },
  { name: 'Expand', build: ({ b, x, c }) => b.op('Expand', [x([3, 1]), c([2, 1, 4], I64)]) },
  { name: 'Gather axis 1 negative indices', build: ({ b, x, c }) => [b.op('Gather', [x([3, 5, 2]), c([0, -1, 2, 4, 1, 1], I64, [2, 3])], { axis: 1 }), b.op('Gather', [x([4, 3]), c([2], I64, [])])] },
  { name: 'Shape start/end + Size', opset: 15, build: ({ b, x }) => { const a = x([2, 3, 4, 5]); return [b.op('Shape', [a], { start: 1, end: -1 }), b.op('Shape', [a]), b.op('Size', [a])]; } },
  { name: 'Cast', build: ({ b, x, c }) => {
    const a = x([40], F, [-300, 300]);
    return [b.op('Cast', [a], { to: DataType.INT32 }), b.op('Cast', [a], { to: DataType.FLOAT16 }), b.op('Cast', [c([3, -4, 5], I64)], { to: F }), b.op('Cast', [a], { to: DataType.BOOL }), b.op('Cast', [a], { to: I64 })];
  } },
  { name: 'Constant / ConstantOfShape / Range / Tile', build: ({ b, c }) => [
    b.op('Constant', [], { value_floats: [1.5, -2, 3.25] }),
    b.op('ConstantOfShape', [c([2, 3], I64)]),
    b.op('Range', [c([1], I64, []), c([10], I64, []), c([3], I64, [])]),
    b.op('Tile', [c([1, 2, 3, 4], F, [2, 2]), c([2, 3], I64)]),
  ] },
  // ---- Resize nearest
  { name: 'Resize nearest scales (half_pixel, round_prefer_floor)', build: ({ b, x, c }) => b.op('Resize', [x([1, 2, 4, 5]), '', c([1, 1, 2, 1.5], F)], { mode: 'nearest' }) },
  { name: 'Resize nearest sizes asymmetric floor', build: ({ b, x, c }) => b.op('Resize', [x([1, 2, 4, 5]), '', '', c([1, 2, 7, 3], I64)], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }) },
  { name: 'Resize nearest align_corners ceil', build: ({ b, x, c }) => b.op('Resize', [x([1, 1, 5, 5]), '', c([1, 1, 1.6, 0.6], F)], { mode: 'nearest', coordinate_transformation_mode: 'align_corners', nearest_mode: 'round_prefer_ceil' }) },
  // ---- more attribute / opset variants
  { name: 'Resize nearest pytorch_half_pixel / tf_half_pixel_for_nn', build: ({ b, x, c }) => [
    b.op('Resize', [x([1, 2, 5, 4]), '', c([1, 1, 1.7, 2.5], F)], { mode: 'nearest', coordinate_transformation_mode: 'pytorch_half_pixel' }),
    b.op('Resize', [x([1, 2, 5, 4]), '', c([1, 1, 0.5, 3], F)], { mode: 'nearest', coordinate_transformation_mode: 'tf_half_pixel_for_nn', nearest_mode: 'ceil' }),
  ] },
  { name: 'Resize opset 10 / Upsample opset 9', opset: 10, build: ({ b, x, c }) => b.op('Resize', [x([1, 2, 3, 3]), c([1, 1, 2, 3], F)], { mode: 'nearest' }) },
  { name: 'Upsample opset 9', opset: 9, build: ({ b, x, c }) => b.op('Upsample', [x([1, 2, 3, 3]), c([1, 1, 2, 2], F)], { mode: 'nearest' }) },
  { name: 'Conv SAME_LOWER stride 2', tol: { scale: 1e-6 }, build: ({ b, x }) => b.op('Conv', [x([1, 3, 8, 9]), x([4, 3, 4, 4])], { auto_pad: 'SAME_LOWER', strides: [2, 2] }) },
  { name: 'ConvTranspose 1-D', tol: { scale: 1e-6 }, build: ({ b, x }) => b.op('ConvTranspose', [x([1, 3, 6]), x([3, 2, 3])], { strides: [3], pads: [1, 0] }) },
  { name: 'MaxPool 1-D / AveragePool ceil_mode', tol: { scale: 1e-6 }, build: ({ b, x }) => [b.op('MaxPool', [x([1, 2, 11])], { kernel_shape: [3], strides: [2] }), b.op('AveragePool', [x([1, 2, 7, 7])], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 })] },
  { name: 'LayerNormalization axis 1 / Softmax axis 0', opset: 17, tol: { scale: 1e-6 }, build: ({ b, x }) => [b.op('LayerNormalization', [x([2, 3, 4]), x([3, 4])], { axis: 1 }), b.op('Softmax', [x([3, 4])], { axis: 0 })] },
  { name: 'Gemm scalar C, no C', tol: { scale: 1e-6 }, build: ({ b, x, c }) => [b.op('Gemm', [x([3, 5]), x([5, 2]), c([0.5], F, [])]), b.op('Gemm', [x([3, 5]), x([2, 5])], { transB: 1, alpha: 2 })] },
  { name: 'Pad wrap (opset 19) / Split uneven (opset 18)', opset: 19, build: ({ b, x, c }) => [b.op('Pad', [x([3, 4]), c([1, 2, 2, 1], I64)], { mode: 'wrap' }), ...b.node('Split', [x([7])], { num_outputs: 2 }, { outputs: 2 })] },
  { name: 'Slice negative axes / Expand rank up / Unsqueeze negative', build: ({ b, x, c }) => [
    b.op('Slice', [x([4, 5, 6]), c([1], I64), c([-1], I64), c([-2], I64)]),
    b.op('Expand', [x([4]), c([2, 3, 1], I64)]),
    b.op('Unsqueeze', [x([2, 3]), c([-1], I64)]),
  ] },
  { name: 'Clip / Relu / Max on int8, Neg int32', opset: 14, build: ({ b, x, c }) => [
    b.op('Clip', [x([20], DataType.INT8), c([-5], DataType.INT8, []), c([7], DataType.INT8, [])]),
    b.op('Relu', [x([20], DataType.INT8)], {}, { dtypes: [DataType.INT8] }),
    b.op('Max', [x([20], DataType.INT8), x([20], DataType.INT8)]),
    b.op('Neg', [x([10], DataType.INT32, [-100, 100])]),
  ] },
  // ---- quantization
  { name: 'QuantizeLinear/DequantizeLinear per-tensor int8', build: ({ b, x }) => b.qdq(x([4, 30], F, [-8, 8]), 0.05, 3) },
  { name: 'QuantizeLinear uint8 + DequantizeLinear per-axis', build: ({ b, x }) => [b.quantize(x([3, 20], F, [-3, 3]), 0.03, 128, DataType.UINT8), b.qdq(x([3, 20], F, [-3, 3]), [0.01, 0.02, 0.04], 0, DataType.INT8, 0)] },
];

function buildCase(cs: Case, seed: number): { model: ReturnType<GraphBuilder['model']>; feeds: Record<string, Tensor>; outs: string[] } {
  const b = new GraphBuilder('t');
  const rand = mulberry32(seed);
  const feeds: Record<string, Tensor> = {};
  let k = 0;
  const ctx: Ctx = {
    b,
    x: (dims, dtype = F, range) => {
      const name = `in${k++}`;
      const isInt = dtype !== F && dtype !== DataType.DOUBLE;
      feeds[name] = randomTensor(dtype, dims, rand, isInt ? { intRange: range as [number, number] } : { floatRange: range });
      return b.input(name, dtype, dims);
    },
    c: (values, dtype = F, dims) => b.constant(dtype === I64 ? values.map(BigInt) : values, dtype, dims),
  };
  const res = cs.build(ctx);
  const outs = Array.isArray(res) ? res : [res];
  for (const o of outs) b.output(o, b.dtypeOf(o) || undefined);
  return { model: b.model({ opset: cs.opset ?? 13 }), feeds, outs };
}

describe('interpreter kernels vs onnxruntime-node', () => {
  for (const cs of cases) {
    it(cs.name, async () => {
      const { model, feeds, outs } = buildCase(cs, 7);
      const shapes = inferShapes(model);
      const ours = runModel(model, feeds).outputs;
      const ref = await runOrt(model, feeds);
      for (const o of outs) {
        const d = diffTensors(ours[o], ref[o]);
        // inferred dims equal the computed ones
        expect(shapes.get(o)?.shape, `${o} inferred shape`).toEqual(ours[o].dims);
        const msg = `${cs.name} ${o}: ${JSON.stringify(d)}`;
        if (!cs.tol) expect(d.mismatches, msg).toBe(0);
        else if (cs.tol.ulp !== undefined) expect(d.maxUlp, msg).toBeLessThanOrEqual(cs.tol.ulp);
        else expect(d.maxAbsOverScale, msg).toBeLessThanOrEqual(cs.tol.scale!);
      }
    });
  }
});
