/**
 * The data tables the rules consult: which ops Q/DQ commute through (docs/trt-qdq-rules.md §2.2),
 * which activations a convolution absorbs, which ops are pointwise, and TensorRT's layer type per op.
 */
import type { Net, SimNode } from './net.ts';

export interface PropagationEntry {
  readonly op: string;
  /** A per-tensor DQ on the data input may move after the op (the op then runs on INT8 data). */
  readonly dqForward: boolean;
  /** A Q reading the op's output may move in front of it. */
  readonly qBackward: boolean;
  /** Extra condition, checked by `propagationAllowed`. */
  readonly condition?: string;
  readonly source: string;
}

export const PROPAGATION_TABLE: readonly PropagationEntry[] = [
  { op: 'MaxPool', dqForward: true, qBackward: true, source: 'doc §2.2 (MaxPool is the documented commuting op)' },
  { op: 'GlobalMaxPool', dqForward: true, qBackward: true, source: 'inferred (same max property as MaxPool)' },
  { op: 'Transpose', dqForward: true, qBackward: true, source: 'GT tensorflow qat (Shuffle runs Int8->Int8 after the input Q)' },
  { op: 'Reshape', dqForward: true, qBackward: true, source: 'doc §2.2 (IShuffle)' },
  { op: 'Flatten', dqForward: true, qBackward: true, source: 'GT pytorch qat (Q_250 reads the GAP output; Flatten gone)' },
  { op: 'Squeeze', dqForward: true, qBackward: true, source: 'GT tensorflow qat (Mean_Squeeze before the FC input Q)' },
  { op: 'Unsqueeze', dqForward: true, qBackward: true, source: 'doc §2.2 (IShuffle)' },
  { op: 'Pad', dqForward: true, qBackward: true, condition: 'constant mode, pad value 0, non-negative pads', source: 'GT tensorflow qat (pool1_pad runs Int8->Int8)' },
  { op: 'Slice', dqForward: true, qBackward: true, source: 'doc §2.2 [log] VanillaSwapWithFollowingQ on Slice' },
  { op: 'Identity', dqForward: true, qBackward: true, source: 'inferred (no arithmetic)' },
];

const BY_OP = new Map(PROPAGATION_TABLE.map((e) => [e.op, e]));

export const DQ_FORWARD_OPS = PROPAGATION_TABLE.filter((e) => e.dqForward).map((e) => e.op);
export const Q_BACKWARD_OPS = PROPAGATION_TABLE.filter((e) => e.qBackward).map((e) => e.op);

/** Ops whose output has the precision of their data input (INT8 in, INT8 out). */
export function isCommuting(op: string): boolean {
  return BY_OP.has(op) || op === 'Concat' || op === 'Split';
}

/** The op-specific conditions of the table (Pad must pad with zeros). */
export function propagationAllowed(net: Net, n: SimNode): boolean {
  if (n.op !== 'Pad') return true;
  const mode = n.attrs.mode;
  if (mode && mode.type === 'string' && mode.value !== 'constant') return false;
  const value = n.inputs[2] ? net.constant(n.inputs[2]) : undefined;
  if (n.inputs[2] && (!value || Number(value.data[0] ?? 0) !== 0)) return false;
  const pads = n.inputs[1] ? net.constant(n.inputs[1]) : undefined;
  const list = pads ? Array.from(pads.data as ArrayLike<number | bigint>, Number) : n.attrs.pads?.type === 'ints' ? n.attrs.pads.value : undefined;
  return list !== undefined && list.every((p) => p >= 0);
}

/** Activations a convolution/FC absorbs as its epilogue (docs §3.2 F2). */
export const CONV_ACTIVATIONS = ['Relu', 'Clip', 'LeakyRelu'];

/** Pooling ops that are quantizable (need DQ in and Q out to run INT8; docs §3.2 F6). */
export const QUANTIZABLE_POOLS = ['AveragePool', 'GlobalAveragePool', 'ReduceMean'];

/** Elementwise/activation ops TensorRT fuses into PWN layers (docs §3.2 F11). */
export const POINTWISE_OPS = [
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Relu', 'LeakyRelu', 'Clip', 'Sigmoid', 'Tanh', 'Elu', 'Selu',
  'HardSigmoid', 'HardSwish', 'Softplus', 'Abs', 'Neg', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Erf', 'Gelu', 'Floor', 'Ceil',
];

/** TensorRT LayerType / ParameterType for ops that stay stand-alone layers (float unless noted). */
export const STANDALONE_LAYER_TYPES: Record<string, { layerType: string; parameterType?: string }> = {
  Transpose: { layerType: 'Shuffle', parameterType: 'Shuffle' },
  Reshape: { layerType: 'Shuffle', parameterType: 'Shuffle' },
  Flatten: { layerType: 'Shuffle', parameterType: 'Shuffle' },
  Squeeze: { layerType: 'Shuffle', parameterType: 'Shuffle' },
  Unsqueeze: { layerType: 'Shuffle', parameterType: 'Shuffle' },
  Pad: { layerType: 'Padding', parameterType: 'Slice' },
  Slice: { layerType: 'Slice', parameterType: 'Slice' },
  Split: { layerType: 'Slice', parameterType: 'Slice' },
  Softmax: { layerType: 'CudaSoftMax', parameterType: 'SoftMax' },
  Concat: { layerType: 'Concatenation', parameterType: 'Concatenation' },
  BatchNormalization: { layerType: 'Scale', parameterType: 'Scale' },
  MatMul: { layerType: 'MatrixMultiply', parameterType: 'MatrixMultiply' },
  Resize: { layerType: 'Resize', parameterType: 'Resize' },
  Gather: { layerType: 'Gather', parameterType: 'Gather' },
  LayerNormalization: { layerType: 'Normalization', parameterType: 'Normalization' },
  ReduceSum: { layerType: 'Reduce', parameterType: 'Reduce' },
  ReduceMax: { layerType: 'Reduce', parameterType: 'Reduce' },
};
