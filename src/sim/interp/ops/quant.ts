/**
 * Quantization and integer ops: thin adapters over the golden ONNX-semantics functions
 * (src/sim/golden/onnx-ops), which own the exact arithmetic (float32 division, round half to even,
 * saturation, per-axis and blocked parameters, int32 accumulation, requantization). The interpreter
 * only maps node attributes onto them; RunOptions.onnxOps selects the arithmetic variant (default:
 * the spec / ORT; `ONNX_REFERENCE_OPTIONS` emulates the ONNX reference evaluator).
 */
import type { Node } from '../../ir/graph.ts';
import * as ops from '../../golden/onnx-ops/index.ts';
import { attrInt, attrInts, attrString, need, registerOp, type OpContext } from '../registry.ts';

const o = (ctx: OpContext): ops.OnnxOpOptions => ({ ...(ctx.onnxOps ?? {}), node: ctx.node.name });

function convAttrs(node: Node): ops.ConvAttrs {
  return {
    auto_pad: attrString(node, 'auto_pad'), dilations: attrInts(node, 'dilations'), group: attrInt(node, 'group'),
    kernel_shape: attrInts(node, 'kernel_shape'), pads: attrInts(node, 'pads'), strides: attrInts(node, 'strides'),
  };
}

registerOp('QuantizeLinear', (ctx) => {
  const n = ctx.node;
  return [ops.quantizeLinear(need(ctx, 0, 'x'), need(ctx, 1, 'y_scale'), ctx.inputs[2], {
    axis: attrInt(n, 'axis'), saturate: attrInt(n, 'saturate'), blockSize: attrInt(n, 'block_size'),
    outputDtype: attrInt(n, 'output_dtype'), precision: attrInt(n, 'precision'),
  }, o(ctx))];
});

registerOp('DequantizeLinear', (ctx) => {
  const n = ctx.node;
  return [ops.dequantizeLinear(need(ctx, 0, 'x'), need(ctx, 1, 'x_scale'), ctx.inputs[2], {
    axis: attrInt(n, 'axis'), blockSize: attrInt(n, 'block_size'), outputDtype: attrInt(n, 'output_dtype'),
  }, o(ctx))];
});

registerOp('DynamicQuantizeLinear', (ctx) => ops.dynamicQuantizeLinear(need(ctx, 0, 'x'), o(ctx)));

registerOp('MatMulInteger', (ctx) => [ops.matmulInteger(need(ctx, 0, 'A'), need(ctx, 1, 'B'), ctx.inputs[2], ctx.inputs[3], o(ctx))]);

registerOp('ConvInteger', (ctx) => [ops.convInteger(need(ctx, 0, 'x'), need(ctx, 1, 'w'), ctx.inputs[2], ctx.inputs[3], convAttrs(ctx.node), o(ctx))]);

registerOp('QLinearMatMul', (ctx) => [ops.qlinearMatMul(
  need(ctx, 0, 'a'), need(ctx, 1, 'a_scale'), need(ctx, 2, 'a_zero_point'), need(ctx, 3, 'b'), need(ctx, 4, 'b_scale'),
  need(ctx, 5, 'b_zero_point'), need(ctx, 6, 'y_scale'), need(ctx, 7, 'y_zero_point'), o(ctx))]);

registerOp('QLinearConv', (ctx) => [ops.qlinearConv(
  need(ctx, 0, 'x'), need(ctx, 1, 'x_scale'), need(ctx, 2, 'x_zero_point'), need(ctx, 3, 'w'), need(ctx, 4, 'w_scale'),
  need(ctx, 5, 'w_zero_point'), need(ctx, 6, 'y_scale'), need(ctx, 7, 'y_zero_point'), ctx.inputs[8], convAttrs(ctx.node), o(ctx))]);
