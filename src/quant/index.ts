/** Q/DQ insertion (TF-QAT cases, pytorch-quantization / TFMOT presets) and PTQ calibration. */
export { quantizeModel, type QuantizeOptions, type QuantizeReport, type PresetName, type QuantizeMode } from './quantize-model.ts';
export { parseSpec, type SpecEntry } from './spec.ts';
export { stripQdq } from './strip.ts';
export { placementTable, formatPlacementTable, type PlacementRow } from './placement.ts';
export { CASES, CASE_NAMES, type CaseName } from './cases/index.ts';
export { QuantError } from './quant-error.ts';
export { scaleFromAmax } from './insert.ts';
