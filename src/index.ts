/**
 * qdqsim's library entry point. The WebGPU kernels have their own entry (`qdqsim/kernels`) so that
 * importing the library does not load Dawn; the test-oracle API is `qdqsim/testing`.
 */

// tensors, data types, the IR
export { DataType, dataTypeName } from './sim/data-type.ts';
export { makeTensor, sizeOf, storageFor, type Tensor, type TensorData } from './sim/tensor.ts';
export type { Attribute, Dim, Graph, Model, Node, OpsetImport, ValueInfo } from './sim/ir/graph.ts';
export { GraphBuilder, attr } from './sim/ir/builder.ts';
export { renderGraph, renderNode, renderValue } from './sim/ir/render.ts';
export { indexGraph, topoOrder, sortGraph, validateGraph } from './sim/ir/graph-index.ts';
export { cloneModel, cloneGraph } from './sim/ir/clone.ts';

// ONNX and numpy files
export { decodeModel, encodeModel, loadModel, saveModel } from './sim/onnx/model-io.ts';
export { decodeTensorProto, encodeTensorProto, readTensorProtoFile } from './sim/onnx/tensor-proto.ts';
export { readNpy, writeNpy, readNpz, writeNpz, decodeNpy, encodeNpy, decodeNpz, encodeNpz } from './sim/io/index.ts';

// the golden arithmetic, shape inference, the reference interpreter, the model zoo
export * as golden from './sim/golden/index.ts';
export { inferShapes } from './sim/shape/index.ts';
export { runModel, randomFeeds, type RunOptions, type RunResult } from './sim/interp/index.ts';
export { mulberry32 } from './sim/random.ts';
export { buildZooModel, zooNames, zooDescription, type ZooOptions } from './sim/zoo/index.ts';

// Q/DQ insertion and calibration
export { quantizeModel, stripQdq, placementTable, formatPlacementTable, type QuantizeOptions, type QuantizeReport } from './quant/index.ts';
export { calibrateModel, collectStatistics, computeAmax, applyAmax, applyScales, type CalibMethod } from './quant/calib/calibrate.ts';
export { formatCalibrationCache, parseCalibrationCache } from './quant/calib/cache.ts';

// the TensorRT simulator and validation
export {
  simulateEngine, summarize, engineToLayerInfo, diffEngines, formatDiff, formatEngineTable, TrtBuildError,
  type Engine, type EngineLayer, type EngineTensor, type SimulateOptions, type DiffResult,
} from './trt/index.ts';
export { lintModel, formatFindings, type LintFinding } from './trt/lint.ts';
export { runEngineSim, type EngineSimOptions, type EngineSimResult } from './trt/validation/exec/engine-sim.ts';
export { compareModel, type CompareInput, type CompareReport } from './trt/validation/compare.ts';
