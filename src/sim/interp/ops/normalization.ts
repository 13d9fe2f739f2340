/**
 * BatchNormalization (inference), LayerNormalization, Softmax. BatchNormalization follows ORT's float32
 * step sequence exactly (it is bit-identical to onnxruntime); LayerNormalization and Softmax keep sums
 * and statistics in double and round each output element to float32 once.
 */
import { DataType } from '../../data-type.ts';
import type { Tensor } from '../../tensor.ts';
import { attrFloat, attrInt, need, registerOp, type OpContext } from '../registry.ts';
import { fromNumbers, normAxis, numel, readNumbers } from '../tensor-util.ts';

registerOp('BatchNormalization', (ctx) => {
  const x = need(ctx, 0, 'X');
  const scale = need(ctx, 1, 'scale');
  const bias = need(ctx, 2, 'B');
  const mean = need(ctx, 3, 'input_mean');
  const variance = need(ctx, 4, 'input_var');
  if (attrInt(ctx.node, 'training_mode', 0) !== 0) throw new Error('training_mode=1 is not supported (inference only)');
  const eps = attrFloat(ctx.node, 'epsilon', 1e-5);
  if (x.dims.length < 2) throw new Error(`X must have rank >= 2, got [${x.dims.join(',')}]`);
  const C = x.dims[1];
  for (const [name, t] of [['scale', scale], ['B', bias], ['input_mean', mean], ['input_var', variance]] as const) {
    if (numel(t.dims) !== C) throw new Error(`${name} has dims [${t.dims.join(',')}] but X has C=${C} channels`);
  }
  const xv = readNumbers(x);
  const sv = readNumbers(scale), bv = readNumbers(bias), mv = readNumbers(mean), vv = readNumbers(variance);
  const N = x.dims[0];
  const S = numel(x.dims.slice(2));
  const out = new Float64Array(xv.length);
  const f = x.dtype === DataType.DOUBLE ? (v: number) => v : Math.fround;
  for (let c = 0; c < C; c++) {
    // ORT's float32 sequence (batch_norm.h): inv_std = 1 / sqrt(var + eps); scale' = inv_std * scale;
    // bias' = B - mean * scale'; y = x * scale' + bias' -- each step rounded to float32 (no FMA).
    const invStd = f(1 / f(Math.sqrt(f(vv[c] + eps))));
    const sc = f(invStd * sv[c]);
    const bb = f(bv[c] - f(mv[c] * sc));
    for (let n = 0; n < N; n++) {
      const off = (n * C + c) * S;
      for (let i = 0; i < S; i++) out[off + i] = f(f(xv[off + i] * sc) + bb);
    }
  }
  return [fromNumbers(x.dtype, x.dims, out)];
});

registerOp('LayerNormalization', (ctx) => {
  const x = need(ctx, 0, 'X');
  const scale = need(ctx, 1, 'Scale');
  const bias = ctx.inputs[2];
  const axis = normAxis(attrInt(ctx.node, 'axis', -1), x.dims.length);
  const eps = attrFloat(ctx.node, 'epsilon', 1e-5);
  const outer = numel(x.dims.slice(0, axis));
  const inner = numel(x.dims.slice(axis));
  const normDims = x.dims.slice(axis);
  const checkBroadcast = (t: Tensor, name: string) => {
    const ok = t.dims.length <= normDims.length && t.dims.every((d, i) => d === 1 || d === normDims[normDims.length - t.dims.length + i]);
    if (!ok) throw new Error(`${name} has dims [${t.dims.join(',')}] which do not broadcast to the normalized dims [${normDims.join(',')}]`);
  };
  checkBroadcast(scale, 'Scale');
  if (bias) checkBroadcast(bias, 'B');
  const expand = (t: Tensor): ArrayLike<number> => {
    const v = readNumbers(t);
    if (v.length === inner) return v;
    const out = new Float64Array(inner);
    // broadcast over the normalized dims (rare: scalar or partial scale)
    const dims = [...new Array(normDims.length - t.dims.length).fill(1), ...t.dims];
    const idx = new Array(normDims.length).fill(0);
    for (let i = 0; i < inner; i++) {
      let off = 0;
      let stride = 1;
      for (let a = normDims.length - 1; a >= 0; a--) {
        if (dims[a] !== 1) off += idx[a] * stride;
        stride *= dims[a];
      }
      out[i] = v[off];
      for (let a = normDims.length - 1; a >= 0; a--) {
        if (++idx[a] < normDims[a]) break;
        idx[a] = 0;
      }
    }
    return out;
  };
  const sv = expand(scale);
  const bv = bias ? expand(bias) : undefined;
  const xv = readNumbers(x);
  const out = new Float64Array(xv.length);
  const meanOut = new Float64Array(outer);
  const invOut = new Float64Array(outer);
  for (let o = 0; o < outer; o++) {
    const off = o * inner;
    let sum = 0;
    for (let i = 0; i < inner; i++) sum += xv[off + i];
    const mean = sum / inner;
    let sq = 0;
    for (let i = 0; i < inner; i++) {
      const d = xv[off + i] - mean;
      sq += d * d;
    }
    const inv = 1 / Math.sqrt(sq / inner + eps);
    meanOut[o] = mean;
    invOut[o] = inv;
    for (let i = 0; i < inner; i++) out[off + i] = (xv[off + i] - mean) * inv * sv[i] + (bv ? bv[i] : 0);
  }
  const statDims = x.dims.map((d, i) => (i < axis ? d : 1));
  const stashType = attrInt(ctx.node, 'stash_type', 1) === 1 ? DataType.FLOAT : x.dtype;
  return [
    fromNumbers(x.dtype, x.dims, out),
    fromNumbers(stashType, statDims, meanOut),
    fromNumbers(stashType, statDims, invOut),
  ];
});

/** exp(x - max) / Σ exp(x - max) over `inner`-long rows (stride 1) — or strided rows for opset >= 13 axes. */
function softmaxRows(xv: ArrayLike<number>, out: Float64Array, outer: number, len: number, innerStride: number, log: boolean): void {
  const tmp = new Float64Array(len);
  for (let o = 0; o < outer; o++) {
    for (let s = 0; s < innerStride; s++) {
      const base = o * len * innerStride + s;
      let max = -Infinity;
      for (let i = 0; i < len; i++) max = Math.max(max, xv[base + i * innerStride]);
      let sum = 0;
      for (let i = 0; i < len; i++) {
        const e = Math.exp(xv[base + i * innerStride] - max);
        tmp[i] = e;
        sum += e;
      }
      if (log) {
        const ls = Math.log(sum);
        for (let i = 0; i < len; i++) out[base + i * innerStride] = xv[base + i * innerStride] - max - ls;
      } else {
        for (let i = 0; i < len; i++) out[base + i * innerStride] = tmp[i] / sum;
      }
    }
  }
}

function softmaxKernel(log: boolean) {
  return (ctx: OpContext) => {
    const x = need(ctx, 0);
    const r = x.dims.length;
    const xv = readNumbers(x);
    const out = new Float64Array(xv.length);
    if (ctx.opset < 13) {
      // coerce to 2-D at `axis` (default 1) and normalise each row
      const axis = normAxis(attrInt(ctx.node, 'axis', 1), Math.max(r, 1));
      const len = numel(x.dims.slice(axis));
      softmaxRows(xv, out, len === 0 ? 0 : xv.length / len, len, 1, log);
    } else {
      const axis = normAxis(attrInt(ctx.node, 'axis', -1), r);
      const len = x.dims[axis];
      const innerStride = numel(x.dims.slice(axis + 1));
      softmaxRows(xv, out, numel(x.dims.slice(0, axis)), len, innerStride, log);
    }
    return [fromNumbers(x.dtype, x.dims, out)];
  };
}
registerOp('Softmax', softmaxKernel(false));
registerOp('LogSoftmax', softmaxKernel(true));
