// Public API of the reference interpreter (see docs/interpreter.md).
export { runModel, opsetOf, type RunOptions, type RunResult } from './run-model.ts';
export { registerOp, lookupOp, registeredOps, type Kernel, type OpContext, type OpDef } from './registry.ts';
export { randomFeeds, randomTensor, mulberry32, type RandomInputOptions } from './random-inputs.ts';
export { diffTensors, ulpDistance, type Diff } from './compare.ts';
export { MAX_ELEMENTS } from './tensor-util.ts';
