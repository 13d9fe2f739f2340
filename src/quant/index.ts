/** Q/DQ insertion (TF-QAT cases, pytorch-quantization / TFMOT presets) and PTQ calibration. */
export { quantizeModel, type QuantizeOptions, type QuantizeReport, type PresetName, type QuantizeMode } from './quantize-model.ts';
export { parseSpec, type SpecEntry } from './spec.ts';
export { stripQdq } from './strip.ts';
export { placementTable, formatPlacementTable, type PlacementRow } from './placement.ts';
export { CASES, CASE_NAMES, type CaseName } from './cases/index.ts';
export { QuantError } from './quant-error.ts';
export { scaleFromAmax } from './insert.ts';
export { calibrateModel, collectStatistics, computeAmax, applyAmax, applyScales, calibrationTargets, CALIB_METHODS, type CalibMethod, type Feeds } from './calib/calibrate.ts';
export { loadCalibrationData } from './calib/data.ts';
export { syntheticBatches } from './calib/synthetic.ts';
export { formatCalibrationCache, parseCalibrationCache, formatAmaxTable, parseAmaxTable, DEFAULT_CACHE_HEADER } from './calib/cache.ts';
export { entropyAmax } from './calib/entropy.ts';
export { mseAmax } from './calib/mse.ts';
export { percentileAmax, DEFAULT_PERCENTILE } from './calib/percentile.ts';
export { Histogram } from './calib/histogram.ts';
