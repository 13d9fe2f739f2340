/**
 * QuantizeLinear / DequantizeLinear: thin adapters over the golden arithmetic (src/sim/golden), which
 * owns the exact ONNX/ORT semantics (float32 division, round half to even, saturation, per-axis and
 * blocked parameters). The interpreter only maps node attributes and opset defaults onto it.
 */
import { DataType } from '../../data-type.ts';
import { dequantizeTensor, quantizeTensor } from '../../golden/quantize.ts';
import { attrInt, need, registerOp } from '../registry.ts';

registerOp('QuantizeLinear', (ctx) => {
  const node = ctx.node;
  const x = need(ctx, 0, 'x');
  const scale = need(ctx, 1, 'y_scale');
  const zp = ctx.inputs[2];
  const outputDtype = zp ? zp.dtype : attrInt(node, 'output_dtype', 0) || DataType.UINT8;
  return [quantizeTensor(x, scale, zp, {
    outputDtype,
    axis: attrInt(node, 'axis', 1),
    blockSize: attrInt(node, 'block_size', 0),
    saturate: attrInt(node, 'saturate', 1) !== 0,
    names: { x: node.inputs[0], scale: node.inputs[1], zeroPoint: node.inputs[2] || undefined },
  })];
});

registerOp('DequantizeLinear', (ctx) => {
  const node = ctx.node;
  const x = need(ctx, 0, 'x');
  const scale = need(ctx, 1, 'x_scale');
  const zp = ctx.inputs[2];
  const outputDtype = attrInt(node, 'output_dtype', 0) || undefined;
  return [dequantizeTensor(x, scale, zp, {
    axis: attrInt(node, 'axis', 1),
    blockSize: attrInt(node, 'block_size', 0),
    outputDtype,
    names: { x: node.inputs[0], scale: node.inputs[1], zeroPoint: node.inputs[2] || undefined },
  })];
});
