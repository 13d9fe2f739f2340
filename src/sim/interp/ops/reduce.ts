/** ReduceMean/Min/Max/Sum/Prod: axes from the attribute (older opsets) or the second input (opset 18+; ReduceSum 13+). */
import type { Tensor } from '../../tensor.ts';
import { attrInt, attrInts, need, registerOp, type OpContext } from '../registry.ts';
import { fromNumbers, isFloatType, normAxis, numel, readNumbers, stridesOf, toIntList } from '../tensor-util.ts';

type Kind = 'mean' | 'min' | 'max' | 'sum' | 'prod';

export function reduce(x: Tensor, axesIn: number[] | undefined, keepdims: boolean, noopWithEmptyAxes: boolean, kind: Kind): Tensor {
  const r = x.dims.length;
  if (axesIn && axesIn.length === 0 && noopWithEmptyAxes) return { dtype: x.dtype, dims: [...x.dims], data: x.data };
  const axes = new Set((axesIn && axesIn.length ? axesIn : [...x.dims.keys()]).map((a) => normAxis(a, r)));
  const outDims: number[] = [];
  x.dims.forEach((d, i) => {
    if (!axes.has(i)) outDims.push(d);
    else if (keepdims) outDims.push(1);
  });
  const redDims = x.dims.map((d, i) => (axes.has(i) ? 1 : d)); // keepdims shape for indexing
  const outStrides = stridesOf(redDims);
  const n = numel(redDims);
  const init = kind === 'min' ? Infinity : kind === 'max' ? -Infinity : kind === 'prod' ? 1 : 0;
  const acc = new Float64Array(n).fill(init);
  const xv = readNumbers(x);
  const idx = new Array(r).fill(0);
  let outOff = 0;
  const eff = x.dims.map((_, i) => (axes.has(i) ? 0 : outStrides[i]));
  for (let i = 0; i < xv.length; i++) {
    const v = xv[i];
    switch (kind) {
      case 'min': acc[outOff] = v < acc[outOff] || v !== v ? v : acc[outOff]; break;
      case 'max': acc[outOff] = v > acc[outOff] || v !== v ? v : acc[outOff]; break;
      case 'prod': acc[outOff] *= v; break;
      default: acc[outOff] += v;
    }
    for (let a = r - 1; a >= 0; a--) {
      idx[a]++;
      outOff += eff[a];
      if (idx[a] < x.dims[a]) break;
      outOff -= eff[a] * idx[a];
      idx[a] = 0;
    }
  }
  if (kind === 'mean') {
    const cnt = xv.length / Math.max(n, 1);
    for (let i = 0; i < n; i++) acc[i] = isFloatType(x.dtype) ? acc[i] / cnt : Math.trunc(acc[i] / cnt);
  }
  return fromNumbers(x.dtype, outDims, acc);
}

function reduceOp(opType: string, kind: Kind, axesInputSince: number): void {
  registerOp(opType, (ctx: OpContext) => {
    const x = need(ctx, 0);
    const keepdims = attrInt(ctx.node, 'keepdims', 1) !== 0;
    const noop = attrInt(ctx.node, 'noop_with_empty_axes', 0) !== 0;
    let axes: number[] | undefined;
    if (ctx.opset >= axesInputSince) axes = ctx.inputs[1] ? toIntList(ctx.inputs[1]) : undefined;
    else axes = attrInts(ctx.node, 'axes');
    if (axes === undefined && ctx.opset >= axesInputSince && noop) return [{ dtype: x.dtype, dims: [...x.dims], data: x.data }];
    return [reduce(x, axes, keepdims, noop, kind)];
  });
}
reduceOp('ReduceMean', 'mean', 18);
reduceOp('ReduceMin', 'min', 18);
reduceOp('ReduceMax', 'max', 18);
reduceOp('ReduceProd', 'prod', 18);
reduceOp('ReduceSum', 'sum', 13);
