// Public API of shape and dtype inference (see docs/interpreter.md).
export { inferShapes, inferShapesDetailed, type InferOptions, type InferResult } from './infer-shapes.ts';
export { registerShapeRule, type ShapeContext, type ShapeRule, type TypeShape } from './rule.ts';
