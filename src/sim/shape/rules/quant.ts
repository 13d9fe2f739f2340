/** Shape rules of QuantizeLinear, DequantizeLinear and the integer ops (ONNX semantics). */
import { DataType } from '../../data-type.ts';
import { attrInt } from '../../interp/registry.ts';
import { inp } from '../dims.ts';
import { registerShapeRule } from '../rule.ts';
import { convOutShape, matmulShape } from './nn.ts';

registerShapeRule('QuantizeLinear', (ctx) => {
  const x = inp(ctx, 0, 'x');
  const zp = ctx.inputs[2];
  const dtype = zp ? zp.dtype : attrInt(ctx.node, 'output_dtype', 0) || DataType.UINT8;
  return [{ dtype, shape: x.shape }];
});

registerShapeRule('DequantizeLinear', (ctx) => {
  const x = inp(ctx, 0, 'x');
  const s = inp(ctx, 1, 'x_scale');
  const dtype = attrInt(ctx.node, 'output_dtype', 0) || (s.dtype === DataType.FLOAT16 || s.dtype === DataType.BFLOAT16 ? s.dtype : DataType.FLOAT);
  return [{ dtype, shape: x.shape }];
});

registerShapeRule('DynamicQuantizeLinear', (ctx) => {
  const x = inp(ctx, 0, 'x');
  return [{ dtype: DataType.UINT8, shape: x.shape }, { dtype: DataType.FLOAT, shape: [] }, { dtype: DataType.UINT8, shape: [] }];
});

registerShapeRule('MatMulInteger', (ctx) => [{ dtype: DataType.INT32, shape: matmulShape(inp(ctx, 0, 'A').shape, inp(ctx, 1, 'B').shape) }]);

registerShapeRule('QLinearMatMul', (ctx) => {
  const yzp = inp(ctx, 7, 'y_zero_point');
  return [{ dtype: yzp.dtype, shape: matmulShape(inp(ctx, 0, 'a').shape, inp(ctx, 3, 'b').shape) }];
});

registerShapeRule('ConvInteger', (ctx) => [{ dtype: DataType.INT32, shape: convOutShape(ctx, inp(ctx, 0, 'x'), inp(ctx, 1, 'w')) }]);

registerShapeRule('QLinearConv', (ctx) => {
  const yzp = ctx.inputs[7];
  const dtype = yzp ? yzp.dtype : inp(ctx, 0, 'x').dtype;
  return [{ dtype, shape: convOutShape(ctx, inp(ctx, 0, 'x'), inp(ctx, 3, 'w')) }];
});
