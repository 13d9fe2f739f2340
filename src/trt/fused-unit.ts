/**
 * What a fused unit absorbed. Rules fill these in; the engine lowering turns them into TensorRT layer
 * names, layer types and per-tensor precisions. Every field holds the original ONNX nodes so the
 * validation side can execute a layer as exactly the ONNX sub-graph it stands for.
 */
import type { Node } from '../sim/ir/graph.ts';
import type { Tensor } from '../sim/tensor.ts';

/** A constant weight with Q/DQ folded at build time (TRT: ConstWeightsQuantizeFusion). */
export interface QWeightUnit {
  kind: 'qweight';
  /** The initializer (or Constant output) holding the weight values. */
  init: string;
  /** Absent when the initializer is already integer (pre-quantized; only DQ). */
  q?: Node;
  dq: Node;
  /** Transpose/Reshape nodes between the DQ and the weighted op, folded into the constant. */
  shuffles: Node[];
  scale: Tensor;
  /** Per-channel axis after the parser's default (undefined = per-tensor). */
  axis?: number;
}

/** A convolution / deconvolution / fully-connected layer with everything TensorRT fused into it. */
export interface ConvUnit {
  kind: 'conv';
  core: Node;
  /** Gemm / MatMul imported as FullyConnected (a 1x1 convolution). */
  fc: boolean;
  pad?: Node;
  /** Flatten/Reshape/Squeeze in front of an FC: the importer's own reshape cancels it. */
  inputReshape: Node[];
  inputDQ?: Node;
  weight?: QWeightUnit;
  /** Float weight initializer (unquantized op). */
  weightInit?: string;
  /** FC bias: Gemm's C input (initializer) or a following Add of a constant. */
  biasInit?: string;
  biasAdd?: Node;
  bn: Node[];
  /** After BN folding of a float weight: the folded weight and bias (float32). */
  foldedWeight?: Tensor;
  foldedBias?: Tensor;
  /** After BN folding of an INT8 weight: per-channel factors multiplying the weight scale. */
  weightScaleFactors?: Float64Array;
  acts: Node[];
  add?: Node;
  /** The Add input that is not the conv: the residual. */
  residual?: string;
  residualDQ?: Node;
  postActs: Node[];
  outputQ?: Node;
  /** DQ -> Q requantize steps folded into the epilogue. */
  requant: Node[];
  pool?: Node;
}

/** AveragePool / GlobalAveragePool / ReduceMean run in INT8 between a fused input DQ and output Q. */
export interface QuantPoolUnit {
  kind: 'qpool';
  core: Node;
  inputDQ: Node;
  outputQ: Node;
}

/** A chain of pointwise ops fused into one PWN layer, optionally INT8 at its edges. */
export interface PointwiseUnit {
  kind: 'pwn';
  nodes: Node[];
  inputDQs: Node[];
  outputQ?: Node;
}

export type FusedUnit = QWeightUnit | ConvUnit | QuantPoolUnit | PointwiseUnit;

export function newConvUnit(core: Node, fc: boolean): ConvUnit {
  return { kind: 'conv', core, fc, inputReshape: [], bn: [], acts: [], postActs: [], requant: [] };
}
