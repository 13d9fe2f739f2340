/** Shape rules of Conv, ConvTranspose, pools, MatMul, Gemm, LayerNormalization, reductions, Resize. */
import { DataType } from '../../data-type.ts';
import type { Dim } from '../../ir/graph.ts';
import { attrInt, attrInts } from '../../interp/registry.ts';
import { readNumbers, toIntList } from '../../interp/tensor-util.ts';
import { resizeOutDims } from '../../interp/ops/resize.ts';
import { allKnown, broadcastDims, inp, isKnown, normAxisDim, sameAs } from '../dims.ts';
import { convTransposeGeometry, windowAttrs, windowGeometry } from '../geometry.ts';
import { registerShapeRule, type ShapeContext, type TypeShape } from '../rule.ts';

/** Spatial output dims of a window op; unknown input dims give null. */
function windowOut(ctx: ShapeContext, xShape: Dim[], kernelFromWeight?: Dim[]): Dim[] {
  const spatial = xShape.slice(2);
  const kw = kernelFromWeight && allKnown(kernelFromWeight) ? kernelFromWeight : undefined;
  if (!ctx.node.attrs.kernel_shape && !kw) return spatial.map(() => null);
  const wa = windowAttrs(ctx.node, spatial.length, kw);
  // per-axis geometry: compute with known dims only
  return spatial.map((d, i) => {
    if (!isKnown(d)) return null;
    const one = { ...wa, kernel: [wa.kernel[i]], strides: [wa.strides[i]], dilations: [wa.dilations[i]], pads: [wa.pads[i], wa.pads[i + spatial.length]] };
    return windowGeometry([d], one).out[0];
  });
}

export function convOutShape(ctx: ShapeContext, x: TypeShape, w: TypeShape): Dim[] | undefined {
  if (!x.shape) return undefined;
  if (x.shape.length < 3) throw new Error(`X must have rank >= 3, got rank ${x.shape.length}`);
  if (w.shape && w.shape.length !== x.shape.length) throw new Error(`W has rank ${w.shape.length} but X has rank ${x.shape.length}`);
  const group = attrInt(ctx.node, 'group', 1);
  const C = x.shape[1];
  if (w.shape && isKnown(C) && isKnown(w.shape[1]) && w.shape[1] * group !== C) {
    throw new Error(`W has ${w.shape[1]} input channels per group but X has C=${C} over group=${group}`);
  }
  const M: Dim = w.shape ? w.shape[0] : null;
  return [x.shape[0], M, ...windowOut(ctx, x.shape, w.shape?.slice(2))];
}

registerShapeRule('Conv', (ctx) => {
  const x = inp(ctx, 0, 'X');
  const w = inp(ctx, 1, 'W');
  const b = ctx.inputs[2];
  const shape = convOutShape(ctx, x, w);
  if (b?.shape && w.shape && (b.shape.length !== 1 || (isKnown(b.shape[0]) && isKnown(w.shape[0]) && b.shape[0] !== w.shape[0]))) {
    throw new Error(`B has dims [${b.shape.join(',')}] but W has ${w.shape[0]} output channels`);
  }
  return [{ dtype: x.dtype, shape }];
});

registerShapeRule('ConvTranspose', (ctx) => {
  const x = inp(ctx, 0, 'X');
  const w = inp(ctx, 1, 'W');
  if (!x.shape) return [{ dtype: x.dtype }];
  const group = attrInt(ctx.node, 'group', 1);
  const M: Dim = w.shape && isKnown(w.shape[1]) ? w.shape[1] * group : null;
  const spatial = x.shape.slice(2);
  let out: Dim[] = spatial.map(() => null);
  if (allKnown(spatial) && w.shape && allKnown(w.shape.slice(2))) {
    const wa = windowAttrs(ctx.node, spatial.length, w.shape.slice(2) as number[]);
    out = convTransposeGeometry(ctx.node, spatial, wa).out;
  }
  return [{ dtype: x.dtype, shape: [x.shape[0], M, ...out] }];
});

registerShapeRule(['MaxPool', 'AveragePool'], (ctx) => {
  const x = inp(ctx, 0, 'X');
  if (!x.shape) return [{ dtype: x.dtype }];
  return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...windowOut(ctx, x.shape)] }];
});

registerShapeRule(['GlobalAveragePool', 'GlobalMaxPool'], (ctx) => {
  const x = inp(ctx, 0, 'X');
  if (!x.shape) return [{ dtype: x.dtype }];
  if (x.shape.length < 3) throw new Error(`X must have rank >= 3, got rank ${x.shape.length}`);
  return [{ dtype: x.dtype, shape: [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)] }];
});

export function matmulShape(a: Dim[] | undefined, b: Dim[] | undefined): Dim[] | undefined {
  if (!a || !b) return undefined;
  if (a.length === 0 || b.length === 0) throw new Error('MatMul inputs must have rank >= 1');
  const aa = a.length === 1 ? [1, a[0]] : a;
  const bb = b.length === 1 ? [b[0], 1] : b;
  const K = aa[aa.length - 1];
  const K2 = bb[bb.length - 2];
  if (isKnown(K) && isKnown(K2) && K !== K2) throw new Error(`MatMul inner dims disagree: [${a.join(',')}] x [${b.join(',')}] (${K} vs ${K2})`);
  const batch = broadcastDims([aa.slice(0, -2), bb.slice(0, -2)]);
  const out: Dim[] = [...batch];
  if (a.length !== 1) out.push(aa[aa.length - 2]);
  if (b.length !== 1) out.push(bb[bb.length - 1]);
  return out;
}

registerShapeRule('MatMul', (ctx) => {
  const a = inp(ctx, 0, 'A');
  const b = inp(ctx, 1, 'B');
  return [{ dtype: a.dtype, shape: matmulShape(a.shape, b.shape) }];
});

registerShapeRule('Gemm', (ctx) => {
  const a = inp(ctx, 0, 'A');
  const b = inp(ctx, 1, 'B');
  if (!a.shape || !b.shape) return [{ dtype: a.dtype, shape: [null, null] }];
  if (a.shape.length !== 2 || b.shape.length !== 2) throw new Error(`Gemm needs 2-D A and B, got [${a.shape.join(',')}] and [${b.shape.join(',')}]`);
  const transA = attrInt(ctx.node, 'transA', 0) !== 0;
  const transB = attrInt(ctx.node, 'transB', 0) !== 0;
  const [M, K] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [K2, N] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (isKnown(K) && isKnown(K2) && K !== K2) throw new Error(`Gemm inner dims disagree (${K} vs ${K2})`);
  const c = ctx.inputs[2];
  if (c?.shape) broadcastDims([c.shape, [M, N]]);
  return [{ dtype: a.dtype, shape: [M, N] }];
});

registerShapeRule('LayerNormalization', (ctx) => {
  const x = inp(ctx, 0, 'X');
  const stash = attrInt(ctx.node, 'stash_type', 1) === 1 ? DataType.FLOAT : x.dtype;
  if (!x.shape) return [{ dtype: x.dtype }, { dtype: stash }, { dtype: stash }];
  const axis = normAxisDim(attrInt(ctx.node, 'axis', -1), x.shape.length);
  const stat = x.shape.map((d, i) => (i < axis ? d : 1));
  return [{ dtype: x.dtype, shape: [...x.shape] }, { dtype: stash, shape: stat }, { dtype: stash, shape: [...stat] }];
});

function reduceRule(axesInputSince: number) {
  return (ctx: ShapeContext): TypeShape[] => {
    const x = inp(ctx, 0);
    const keep = attrInt(ctx.node, 'keepdims', 1) !== 0;
    const noop = attrInt(ctx.node, 'noop_with_empty_axes', 0) !== 0;
    let axes: number[] | undefined;
    if (ctx.opset >= axesInputSince) {
      if (ctx.inputs[1] && !ctx.consts[1]) {
        // axes computed at run time: the rank is known only with keepdims
        return [{ dtype: x.dtype, shape: keep && x.shape ? x.shape.map(() => null) : undefined }];
      }
      axes = ctx.consts[1] ? toIntList(ctx.consts[1]) : undefined;
    } else axes = attrInts(ctx.node, 'axes');
    if (!x.shape) return [{ dtype: x.dtype }];
    const r = x.shape.length;
    if ((!axes || axes.length === 0) && noop) return [sameAs(ctx, 0)];
    const set = new Set((axes && axes.length ? axes : [...x.shape.keys()]).map((a) => normAxisDim(a, r)));
    const shape: Dim[] = [];
    x.shape.forEach((d, i) => {
      if (!set.has(i)) shape.push(d);
      else if (keep) shape.push(1);
    });
    return [{ dtype: x.dtype, shape }];
  };
}
registerShapeRule(['ReduceMean', 'ReduceMin', 'ReduceMax', 'ReduceProd'], reduceRule(18));
registerShapeRule('ReduceSum', reduceRule(13));

function resizeRule(ctx: ShapeContext): TypeShape[] {
  const x = inp(ctx, 0, 'X');
  if (!x.shape) return [{ dtype: x.dtype }];
  const legacy = ctx.node.opType === 'Upsample' || ctx.opset < 11;
  const scalesIdx = legacy ? 1 : 2;
  const scalesIn = ctx.inputs[scalesIdx];
  const sizesIn = legacy ? undefined : ctx.inputs[3];
  const scales = ctx.consts[scalesIdx];
  const sizes = legacy ? undefined : ctx.consts[3];
  const attrScales = ctx.node.attrs.scales;
  const unknown: TypeShape[] = [{ dtype: x.dtype, shape: x.shape.map(() => null) }];
  if (sizesIn && sizesIn.shape && !(sizesIn.shape[0] === 0)) {
    if (!sizes) return unknown;
  }
  const sizeList = sizes && sizes.data.length ? toIntList(sizes) : undefined;
  const scaleList = scales && scales.data.length ? Array.from(readNumbers(scales))
    : attrScales && attrScales.type === 'floats' ? attrScales.value : undefined;
  if (!sizeList && !scaleList) {
    if (scalesIn && !scales) return unknown;
    throw new Error('Resize needs scales or sizes');
  }
  if (sizeList) {
    const axesAttr = attrInts(ctx.node, 'axes');
    const covered = new Set((axesAttr ?? [...x.shape.keys()]).map((a) => normAxisDim(a, x.shape!.length)));
    const { dims } = resizeOutDims(x.shape.map((d) => (isKnown(d) ? d : 1)), undefined, sizeList, axesAttr);
    return [{ dtype: x.dtype, shape: dims.map((d, i) => (covered.has(i) ? d : x.shape![i])) }];
  }
  const known = x.shape.map((d) => (isKnown(d) ? d : 1));
  const { dims } = resizeOutDims(known, scaleList, undefined, attrInts(ctx.node, 'axes'));
  return [{ dtype: x.dtype, shape: dims.map((d, i) => (isKnown(x.shape![i]) ? d : null)) }];
}
registerShapeRule(['Resize', 'Upsample'], resizeRule);
