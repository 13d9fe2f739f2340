/** Shape rules of the element-wise ops: same shape, numpy broadcast, bool comparisons, Where. */
import { DataType, dataTypeName } from '../../data-type.ts';
import type { Dim } from '../../ir/graph.ts';
import { broadcastDims, inp, sameAs } from '../dims.ts';
import { registerShapeRule, type ShapeContext, type TypeShape } from '../rule.ts';

registerShapeRule([
  'Relu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'HardSigmoid', 'HardSwish', 'Erf', 'Gelu', 'Sqrt', 'Reciprocal', 'Exp', 'Log',
  'Abs', 'Neg', 'Floor', 'Ceil', 'Round', 'Sign', 'Clip', 'Identity', 'Softmax', 'LogSoftmax', 'BatchNormalization',
], (ctx) => [sameAs(ctx, 0)]);

function broadcastAll(ts: (TypeShape | undefined)[]): Dim[] | undefined {
  const present = ts.filter((t): t is TypeShape => t !== undefined);
  if (present.some((t) => !t.shape)) return undefined;
  return broadcastDims(present.map((t) => t.shape!));
}

function checkSameDtype(ctx: ShapeContext, idx: number[]): DataType {
  const ts = idx.map((i) => inp(ctx, i));
  for (const t of ts) {
    if (t.dtype !== ts[0].dtype && t.dtype !== DataType.UNDEFINED && ts[0].dtype !== DataType.UNDEFINED) {
      throw new Error(`inputs have different dtypes ${dataTypeName(ts[0].dtype)} and ${dataTypeName(t.dtype)}`);
    }
  }
  return ts[0].dtype;
}

registerShapeRule(['Add', 'Sub', 'Mul', 'Div'], (ctx) => {
  const dtype = checkSameDtype(ctx, [0, 1]);
  return [{ dtype, shape: broadcastAll([ctx.inputs[0], ctx.inputs[1]]) }];
});
registerShapeRule('Pow', (ctx) => [{ dtype: inp(ctx, 0).dtype, shape: broadcastAll([inp(ctx, 0), inp(ctx, 1)]) }]);
registerShapeRule(['Min', 'Max', 'Sum'], (ctx) => {
  const idx = ctx.inputs.map((_, i) => i).filter((i) => ctx.inputs[i]);
  if (idx.length === 0) throw new Error('needs at least one input');
  return [{ dtype: checkSameDtype(ctx, idx), shape: broadcastAll(ctx.inputs) }];
});
registerShapeRule(['Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual'], (ctx) => {
  checkSameDtype(ctx, [0, 1]);
  return [{ dtype: DataType.BOOL, shape: broadcastAll([ctx.inputs[0], ctx.inputs[1]]) }];
});
registerShapeRule('Not', (ctx) => [{ dtype: DataType.BOOL, shape: sameAs(ctx, 0).shape }]);
registerShapeRule('Where', (ctx) => {
  const c = inp(ctx, 0, 'condition');
  if (c.dtype !== DataType.BOOL && c.dtype !== DataType.UNDEFINED) throw new Error(`Where condition must be bool, got ${dataTypeName(c.dtype)}`);
  const dtype = checkSameDtype(ctx, [1, 2]);
  return [{ dtype, shape: broadcastAll([ctx.inputs[0], ctx.inputs[1], ctx.inputs[2]]) }];
});
