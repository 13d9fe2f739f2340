/** The TensorRT simulator's public API. */
export { simulateEngine, summarize } from './simulate.ts';
export type { Engine, EngineLayer, EngineTensor, EngineSummary, ConvQuantization, LayerKind, TensorPrecision } from './engine.ts';
export { resolveOptions, VERSIONS, type BuildOptions, type SimulateOptions, type Precision, type VersionBehaviour } from './build-options.ts';
export { TrtBuildError } from './build-error.ts';
export { engineToLayerInfo, layerJson, metadataString } from './export-layer-info.ts';
export { diffEngines, formatDiff, nameTokens, tokenOpType, type DiffResult, type LayerPair } from './diff.ts';
export { formatEngineTable } from './format-table.ts';
export type { TraceEntry } from './driver.ts';
export { allRules, passesFor } from './rules/index.ts';
export { foldBatchNorm, batchNormFactors } from './bn-fold.ts';
