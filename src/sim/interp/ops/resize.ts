/**
 * Resize (mode 'nearest'), and Upsample (nearest) for older models. Coordinates are computed in float32
 * steps, as ORT does, so ties pick the same source pixel.
 */
import type { Tensor, TensorData } from '../../tensor.ts';
import { attrFloats, attrInts, attrString, need, registerOp, type OpContext } from '../registry.ts';
import { alloc, normAxis, numel, readNumbers, stridesOf, toIntList } from '../tensor-util.ts';

const f = Math.fround;

function sourceIndex(o: number, inLen: number, outLen: number, scale: number, ctm: string, nearest: string): number {
  let x: number;
  switch (ctm) {
    case 'half_pixel': x = f(f(f(o + 0.5) / scale) - 0.5); break;
    case 'pytorch_half_pixel': x = outLen > 1 ? f(f(f(o + 0.5) / scale) - 0.5) : 0; break;
    case 'align_corners': x = outLen === 1 ? 0 : f(f(o * (inLen - 1)) / (outLen - 1)); break;
    case 'asymmetric': x = f(o / scale); break;
    case 'tf_half_pixel_for_nn': x = f(f(o + 0.5) / scale); break;
    case 'half_pixel_symmetric': {
      const adj = f(outLen / f(scale * inLen));
      const center = f(inLen / 2);
      const off = f(center * f(1 - adj));
      x = f(f(off + f(f(o + 0.5) / scale)) - 0.5);
      break;
    }
    default: throw new Error(`coordinate_transformation_mode '${ctm}' is not supported`);
  }
  let i: number;
  switch (nearest) {
    case 'round_prefer_floor': i = x === Math.floor(x) + 0.5 ? Math.floor(x) : Math.round(x); break;
    case 'round_prefer_ceil': i = Math.round(x); break;
    case 'floor': i = Math.floor(x); break;
    case 'ceil': i = Math.ceil(x); break;
    default: throw new Error(`nearest_mode '${nearest}' is not supported`);
  }
  return Math.min(Math.max(i, 0), inLen - 1);
}

/** Output dims for Resize from scales or sizes (with optional axes). Shared with shape inference. */
export function resizeOutDims(inDims: readonly number[], scalesIn: number[] | undefined, sizesIn: number[] | undefined, axesIn?: number[]): { dims: number[]; scales: number[] } {
  const r = inDims.length;
  const axes = (axesIn ?? [...inDims.keys()]).map((a) => normAxis(a, r));
  const scales = inDims.map(() => 1);
  const dims = [...inDims];
  if (sizesIn && sizesIn.length) {
    if (sizesIn.length !== axes.length) throw new Error(`sizes has ${sizesIn.length} values for ${axes.length} axes`);
    axes.forEach((a, i) => {
      dims[a] = sizesIn[i];
      scales[a] = f(sizesIn[i] / inDims[a]);
    });
  } else if (scalesIn && scalesIn.length) {
    if (scalesIn.length !== axes.length) throw new Error(`scales has ${scalesIn.length} values for ${axes.length} axes`);
    axes.forEach((a, i) => {
      if (!(scalesIn[i] > 0)) throw new Error(`scale ${scalesIn[i]} is not positive`);
      scales[a] = f(scalesIn[i]);
      dims[a] = Math.floor(inDims[a] * scales[a]);
    });
  } else {
    throw new Error('Resize needs scales or sizes');
  }
  return { dims, scales };
}

function nearestResize(x: Tensor, dims: number[], scales: number[], ctm: string, nearest: string): Tensor {
  const r = dims.length;
  // an axis with scale 1 (and the same length) maps each index to itself, as onnxruntime does — the
  // coordinate formula alone would shift it under tf_half_pixel_for_nn or nearest_mode 'ceil'
  const maps = dims.map((d, a) => Int32Array.from({ length: d }, (_, o) =>
    (scales[a] === 1 && d === x.dims[a] ? o : sourceIndex(o, x.dims[a], d, scales[a], ctm, nearest))));
  const n = numel(dims);
  const out = alloc(x.dtype, n) as unknown as unknown[];
  const src = x.data as unknown as unknown[];
  const st = stridesOf(x.dims);
  const idx = new Array(r).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let a = 0; a < r; a++) off += maps[a][idx[a]] * st[a];
    out[i] = src[off];
    for (let a = r - 1; a >= 0; a--) {
      if (++idx[a] < dims[a]) break;
      idx[a] = 0;
    }
  }
  return { dtype: x.dtype, dims, data: out as unknown as TensorData };
}

export function resizeParams(ctx: OpContext): { dims: number[]; scales: number[]; ctm: string; nearest: string } {
  const x = need(ctx, 0);
  const node = ctx.node;
  const mode = attrString(node, 'mode', 'nearest');
  if (mode !== 'nearest') throw new Error(`Resize mode '${mode}' is not supported (only 'nearest')`);
  if (node.opType === 'Upsample' || ctx.opset < 11) {
    const sc = node.opType === 'Upsample' && ctx.opset < 9 ? attrFloats(node, 'scales') : ctx.inputs[1] ? Array.from(readNumbers(ctx.inputs[1])) : undefined;
    const { dims, scales } = resizeOutDims(x.dims, sc, undefined);
    return { dims, scales, ctm: 'asymmetric', nearest: 'floor' };
  }
  const scalesT = ctx.inputs[2];
  const sizesT = ctx.inputs[3];
  const { dims, scales } = resizeOutDims(x.dims, scalesT && scalesT.data.length ? Array.from(readNumbers(scalesT)) : undefined,
    sizesT && sizesT.data.length ? toIntList(sizesT) : undefined, attrInts(node, 'axes'));
  if ((attrString(node, 'keep_aspect_ratio_policy', 'stretch')) !== 'stretch') throw new Error('keep_aspect_ratio_policy other than stretch is not supported');
  return {
    dims, scales,
    ctm: attrString(node, 'coordinate_transformation_mode', 'half_pixel'),
    nearest: attrString(node, 'nearest_mode', 'round_prefer_floor'),
  };
}

registerOp('Resize', (ctx) => {
  const p = resizeParams(ctx);
  return [nearestResize(need(ctx, 0), p.dims, p.scales, p.ctm, p.nearest)];
});
registerOp('Upsample', (ctx) => {
  const p = resizeParams(ctx);
  return [nearestResize(need(ctx, 0), p.dims, p.scales, p.ctm, p.nearest)];
});
