/**
 * What each ONNX op is to the placement rules: weighted ops and their per-channel weight axis, pooling
 * ops with an input quantizer by default, and the Keras layer class a node stands for (the TF-QAT cases
 * reason about Keras classes; see docs/quantize.md).
 */
import type { Node } from '../sim/ir/graph.ts';
import type { GraphView } from './graph-view.ts';

export const WEIGHTED_OPS: ReadonlySet<string> = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

/** Index of the weight input of a weighted op. */
export function weightIndex(_node: Node): number {
  return 1;
}

/** Index of the activation input of a weighted op. */
export function activationIndex(_node: Node): number {
  return 0;
}

function intAttr(node: Node, name: string, dflt: number): number {
  const a = node.attrs[name];
  return a && a.type === 'int' ? a.value : dflt;
}

/**
 * The per-output-channel axis of the weight as it enters the node: Conv 0 ([K,C,R,S]), ConvTranspose 1
 * ([C,K/g,R,S]), Gemm 0 with transB=1 ([N,K]) else 1 ([K,N]), MatMul the last axis ([...,K,N]; 1 for 2-D).
 */
export function weightAxis(node: Node, weightRank: number): number {
  switch (node.opType) {
    case 'Conv': return 0;
    case 'ConvTranspose': return 1;
    case 'Gemm': return intAttr(node, 'transB', 0) ? 0 : 1;
    case 'MatMul': return Math.max(weightRank - 1, 0);
    default: throw new Error(`node ${node.name}: ${node.opType} has no weight`);
  }
}

/** ReduceMean over exactly the two spatial axes of a 4-D tensor: what tf2onnx emits for GlobalAveragePooling2D. */
export function isSpatialMean(node: Node): boolean {
  if (node.opType !== 'ReduceMean') return false;
  const a = node.attrs.axes;
  const axes = a && a.type === 'ints' ? [...a.value].sort() : undefined;
  if (!axes || axes.length !== 2) return false;
  return (axes[0] === 2 && axes[1] === 3) || (axes[0] === 1 && axes[1] === 2) || (axes[0] === -2 && axes[1] === -1);
}

/** Pooling ops that get an input Q/DQ by default (TensorRT needs INT8 in *and* out for them). */
export function isAveragePool(node: Node): boolean {
  return node.opType === 'AveragePool' || node.opType === 'GlobalAveragePool' || isSpatialMean(node);
}

export function isGlobalAveragePool(node: Node): boolean {
  return node.opType === 'GlobalAveragePool' || isSpatialMean(node);
}

const ACTIVATION_OPS: ReadonlySet<string> = new Set([
  'Relu', 'Clip', 'LeakyRelu', 'Sigmoid', 'HardSigmoid', 'Tanh', 'HardSwish', 'Elu', 'Selu', 'Softplus',
  'Softsign', 'Gelu', 'Softmax', 'PRelu', 'Celu', 'ThresholdedRelu', 'Mish',
]);

/** A swish/SiLU Mul: Mul(y, Sigmoid(y)) or Mul(y, HardSigmoid(y)) — one Keras Activation layer in ONNX. */
export function isSwishMul(view: GraphView, node: Node): boolean {
  if (node.opType !== 'Mul' || node.inputs.length !== 2) return false;
  for (let k = 0; k < 2; k++) {
    const gate = view.producers.get(node.inputs[k]);
    if (gate && (gate.opType === 'Sigmoid' || gate.opType === 'HardSigmoid') && gate.inputs[0] === node.inputs[1 - k]) return true;
  }
  return false;
}

/** A Keras merge layer (Add / Multiply / Concatenate): the op with at least two non-constant inputs. */
export function isMergeLayer(view: GraphView, node: Node, opType: 'Add' | 'Mul' | 'Concat'): boolean {
  if (node.opType !== opType) return false;
  if (opType === 'Mul' && isSwishMul(view, node)) return false;
  return view.activationInputs(node).length >= 2;
}

export type KerasClass = 'Conv' | 'BatchNorm' | 'Activation' | 'Dropout' | 'Add' | 'Multiply' | 'Concatenate'
  | 'MaxPool' | 'AveragePool' | 'Dense' | 'Other';

/**
 * The Keras class family a node stands for, as the TF-QAT cases test it (`"Conv" in class_name` etc.).
 * A Sigmoid that gates a swish Mul is not a layer of its own; the Mul is the Activation.
 */
export function kerasClass(view: GraphView, node: Node): KerasClass {
  switch (node.opType) {
    case 'Conv': case 'ConvTranspose': return 'Conv';
    case 'BatchNormalization': return 'BatchNorm';
    case 'Dropout': return 'Dropout';
    case 'MaxPool': case 'GlobalMaxPool': return 'MaxPool';
    case 'Gemm': case 'MatMul': return 'Dense';
    case 'Concat': return 'Concatenate';
    case 'Add': return 'Add';
    case 'Mul': return isSwishMul(view, node) ? 'Activation' : 'Multiply';
    default:
      if (ACTIVATION_OPS.has(node.opType)) return 'Activation';
      if (isAveragePool(node)) return 'AveragePool';
      return 'Other';
  }
}

/** Keras class names accepted in a spec's op_type, mapped to the ONNX op types they stand for. */
export const KERAS_ALIASES: Readonly<Record<string, readonly string[]>> = {
  Conv2D: ['Conv'],
  DepthwiseConv2D: ['Conv'],
  Conv2DTranspose: ['ConvTranspose'],
  Dense: ['Gemm', 'MatMul'],
  AveragePooling2D: ['AveragePool'],
  GlobalAveragePooling2D: ['GlobalAveragePool', 'ReduceMean'],
  MaxPooling2D: ['MaxPool'],
  BatchNormalization: ['BatchNormalization'],
  Add: ['Add'],
  Multiply: ['Mul'],
  Concatenate: ['Concat'],
};
