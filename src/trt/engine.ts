/**
 * The predicted engine: TensorRT-style layers in execution order. Each layer keeps the ONNX nodes it
 * absorbed (so it can be executed as that sub-graph), its tensors with precision, and for INT8
 * convolutions the scales involved.
 */
import type { Node } from '../sim/ir/graph.ts';
import type { Tensor } from '../sim/tensor.ts';
import type { BuildOptions } from './build-options.ts';
import type { TraceEntry } from './driver.ts';
import type { ParserNote } from './parser-checks.ts';

export type TensorPrecision = 'Int8' | 'FP32' | 'FP16';

export interface EngineTensor {
  /** Tensor name in the ONNX graph (for fused layers: the absorbed Q's output, as TensorRT keeps it). */
  name: string;
  dims?: number[];
  precision: TensorPrecision;
  /** TensorRT's "Format/Datatype" string. */
  format: string;
}

/** The scales an INT8 convolution layer applies (per docs/trt-qdq-rules.md §3.1). */
export interface ConvQuantization {
  inputScale?: number;
  /** Per output channel (length 1 when per-tensor), after any BN factor folded in. */
  weightScales: Float64Array;
  weightAxis?: number;
  /** The residual DQ's scale when the residual is read as INT8. */
  residualScale?: number;
  outputScale?: number;
  /** Requantize steps folded after the output Q: [DQ scale, Q scale] pairs. */
  requantScales: [number, number][];
}

export type LayerKind = 'convolution' | 'conv-act-pool' | 'pooling' | 'pointwise' | 'reformat' | 'shuffle' | 'noop' | 'opaque' | 'other';

export interface EngineLayer {
  name: string;
  kind: LayerKind;
  layerType: string;
  parameterType?: string;
  /** 'QDQ' for a leftover Q/DQ reformat. */
  origin?: 'QDQ' | 'REFORMAT';
  /** Every ONNX node the layer absorbed, in execution order (input DQ, weight Q/DQ, core, epilogue, output Q...). */
  nodes: Node[];
  inputs: EngineTensor[];
  outputs: EngineTensor[];
  /** Arithmetic the layer runs in: INT8 (tensor cores, INT32 accumulate) or float. */
  compute: 'Int8' | 'Float';
  quant?: ConvQuantization;
  /** BN-folded float weight/bias, when BatchNormalization was folded into a float convolution. */
  foldedWeight?: Tensor;
  foldedBias?: Tensor;
  /** Multiply-accumulates per inference (convolution/FC only; undefined when shapes are unknown). */
  macs?: number;
  /** Why the layer looks the way it does (float output because..., stand-alone because...). */
  notes: string[];
  /**
   * TensorRT lists no such layer (an eliminated Concat: its producers write straight into one buffer).
   * Kept so the engine can be executed layer by layer; left out of the trtexec JSON and the layer count.
   */
  eliminated?: boolean;
}

export interface EngineSummary {
  layers: number;
  /** Layers excluding reformats and no-ops. */
  computeLayers: number;
  standaloneQdq: number;
  int8Layers: number;
  totalMacs: number;
  int8Macs: number;
  /** int8Macs / totalMacs in percent (undefined when no MACs are known). */
  int8MacPercent?: number;
  opaqueLayers: string[];
}

export interface Engine {
  layers: EngineLayer[];
  bindings: { inputs: string[]; outputs: string[] };
  options: BuildOptions;
  trace: TraceEntry[];
  parserNotes: ParserNote[];
  summary: EngineSummary;
  /** ONNX node name -> op type, for every node of the model (lets `diff` read fused names). */
  nodeOpTypes: Record<string, string>;
}
