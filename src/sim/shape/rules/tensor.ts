/** Shape rules of the data-movement ops (Reshape, Transpose, Concat, Slice, Gather, ...), Cast, Shape, Constant. */
import { DataType, dataTypeName } from '../../data-type.ts';
import type { Dim } from '../../ir/graph.ts';
import { attrInt, attrInts, attrTensor } from '../../interp/registry.ts';
import { sliceSpec } from '../../interp/ops/shape-ops.ts';
import { int64Tensor, toIntList } from '../../interp/tensor-util.ts';
import { allKnown, broadcastDims, dimProduct, dimProductSym, inp, isKnown, normAxisDim } from '../dims.ts';
import { registerShapeRule, type ShapeContext, type TypeShape } from '../rule.ts';

const int64 = (shape?: Dim[]): TypeShape => ({ dtype: DataType.INT64, shape });

registerShapeRule('Constant', (ctx) => {
  const n = ctx.node;
  const t = attrTensor(n, 'value');
  if (t) return [{ dtype: t.dtype, shape: [...t.dims] }];
  if (n.attrs.value_float) return [{ dtype: DataType.FLOAT, shape: [] }];
  const fs = n.attrs.value_floats;
  if (fs && fs.type === 'floats') return [{ dtype: DataType.FLOAT, shape: [fs.value.length] }];
  if (n.attrs.value_int) return [int64([])];
  const is = n.attrs.value_ints;
  if (is && is.type === 'ints') return [int64([is.value.length])];
  throw new Error('Constant has none of value, value_float(s), value_int(s)');
});

registerShapeRule('ConstantOfShape', (ctx) => {
  const v = attrTensor(ctx.node, 'value');
  const dtype = v ? v.dtype : DataType.FLOAT;
  const s = ctx.consts[0];
  if (s) return [{ dtype, shape: toIntList(s) }];
  const sh = inp(ctx, 0).shape;
  return [{ dtype, shape: sh && isKnown(sh[0]) ? new Array(sh[0]).fill(null) : undefined }];
});

registerShapeRule('Cast', (ctx) => {
  const to = attrInt(ctx.node, 'to');
  if (to === undefined) throw new Error("Cast needs the 'to' attribute");
  if (!(to in DataType)) throw new Error(`Cast to unknown dtype ${to}`);
  return [{ dtype: to, shape: inp(ctx, 0).shape }];
});

registerShapeRule('Shape', (ctx) => {
  const x = inp(ctx, 0);
  if (!x.shape) return [int64([null])];
  const r = x.shape.length;
  const clamp = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
  const start = clamp(attrInt(ctx.node, 'start', 0));
  const end = clamp(attrInt(ctx.node, 'end', r));
  return [int64([Math.max(0, end - start)])];
});
registerShapeRule('Size', () => [int64([])]);

/** The value of a Shape node when its input's dims are all known (the driver folds it into a constant). */
export function shapeConstant(ctx: ShapeContext): ReturnType<typeof int64Tensor> | undefined {
  const x = ctx.inputs[0];
  if (!x?.shape) return undefined;
  const r = x.shape.length;
  const clamp = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
  const sl = x.shape.slice(clamp(attrInt(ctx.node, 'start', 0)), Math.max(clamp(attrInt(ctx.node, 'start', 0)), clamp(attrInt(ctx.node, 'end', r))));
  if (ctx.node.opType === 'Size') {
    const p = dimProduct(x.shape);
    return p === null ? undefined : int64Tensor([], [p]);
  }
  return allKnown(sl) ? int64Tensor([sl.length], sl) : undefined;
}

registerShapeRule('Reshape', (ctx) => {
  const x = inp(ctx, 0);
  const allowZero = attrInt(ctx.node, 'allowzero', 0) !== 0;
  const shapeT = ctx.opset >= 5 ? ctx.consts[1] : undefined;
  const target = ctx.opset >= 5 ? (shapeT ? toIntList(shapeT) : undefined) : attrInts(ctx.node, 'shape', []);
  if (!target) {
    const s = inp(ctx, 1, 'shape').shape;
    return [{ dtype: x.dtype, shape: s && isKnown(s[0]) ? new Array(s[0]).fill(null) : undefined }];
  }
  const out: Dim[] = target.map((d, i) => {
    if (d === 0 && !allowZero) {
      if (!x.shape || i >= x.shape.length) {
        if (x.shape) throw new Error(`shape [${target.join(',')}] copies dim ${i} (0) beyond the input rank ${x.shape.length}`);
        return null;
      }
      return x.shape[i];
    }
    return d;
  });
  if (out.filter((d) => d === -1).length > 1) throw new Error(`shape [${target.join(',')}] has more than one -1`);
  if (out.some((d) => isKnown(d) && d < -1)) throw new Error(`shape [${target.join(',')}] has a negative dim`);
  const total = x.shape ? dimProduct(x.shape) : null;
  const neg = out.indexOf(-1);
  const rest = dimProduct(out.filter((_, i) => i !== neg));
  if (neg >= 0) {
    if (total !== null && rest !== null) {
      if (rest === 0 || total % rest !== 0) throw new Error(`cannot reshape [${x.shape!.join(',')}] (${total} elements) to [${target.join(',')}]`);
      out[neg] = total / rest;
    } else out[neg] = null;
  } else if (total !== null && rest !== null && total !== rest) {
    throw new Error(`cannot reshape [${x.shape!.join(',')}] (${total} elements) to [${target.join(',')}] (${rest} elements)`);
  }
  return [{ dtype: x.dtype, shape: out }];
});

registerShapeRule('Flatten', (ctx) => {
  const x = inp(ctx, 0);
  if (!x.shape) return [{ dtype: x.dtype, shape: [null, null] }];
  const r = x.shape.length;
  let axis = attrInt(ctx.node, 'axis', 1);
  if (axis < 0) axis += r;
  if (axis < 0 || axis > r) throw new Error(`axis ${attrInt(ctx.node, 'axis', 1)} is out of range for rank ${r}`);
  return [{ dtype: x.dtype, shape: [dimProductSym(x.shape.slice(0, axis)), dimProductSym(x.shape.slice(axis))] }];
});

registerShapeRule('Transpose', (ctx) => {
  const x = inp(ctx, 0);
  if (!x.shape) return [{ dtype: x.dtype }];
  const r = x.shape.length;
  const perm = attrInts(ctx.node, 'perm') ?? [...x.shape.keys()].reverse();
  if (perm.length !== r || new Set(perm).size !== r || perm.some((p) => p < 0 || p >= r)) {
    throw new Error(`perm [${perm.join(',')}] is not a permutation of ${r} axes`);
  }
  return [{ dtype: x.dtype, shape: perm.map((p) => x.shape![p]) }];
});

function axesOf(ctx: ShapeContext): number[] | undefined | 'dynamic' {
  if (ctx.opset >= 13) {
    if (!ctx.inputs[1]) return undefined;
    return ctx.consts[1] ? toIntList(ctx.consts[1]) : 'dynamic';
  }
  return attrInts(ctx.node, 'axes');
}

registerShapeRule('Squeeze', (ctx) => {
  const x = inp(ctx, 0);
  const axes = axesOf(ctx);
  if (!x.shape || axes === 'dynamic') return [{ dtype: x.dtype }];
  const r = x.shape.length;
  if (!axes || axes.length === 0) {
    if (x.shape.some((d) => !isKnown(d))) return [{ dtype: x.dtype }];
    return [{ dtype: x.dtype, shape: x.shape.filter((d) => d !== 1) }];
  }
  const set = new Set(axes.map((a) => normAxisDim(a, r)));
  for (const a of set) {
    const d = x.shape[a];
    if (isKnown(d) && d !== 1) throw new Error(`cannot squeeze axis ${a} of dims [${x.shape.join(',')}]: it is ${d}, not 1`);
  }
  return [{ dtype: x.dtype, shape: x.shape.filter((_, i) => !set.has(i)) }];
});

registerShapeRule('Unsqueeze', (ctx) => {
  const x = inp(ctx, 0);
  const axes = axesOf(ctx);
  if (axes === undefined) throw new Error('Unsqueeze needs axes');
  if (!x.shape || axes === 'dynamic') return [{ dtype: x.dtype }];
  const r = x.shape.length + axes.length;
  const set = new Set(axes.map((a) => normAxisDim(a, r)));
  if (set.size !== axes.length) throw new Error(`Unsqueeze axes [${axes.join(',')}] repeat an axis`);
  const out: Dim[] = [];
  let j = 0;
  for (let i = 0; i < r; i++) out.push(set.has(i) ? 1 : x.shape[j++]);
  return [{ dtype: x.dtype, shape: out }];
});

registerShapeRule('Concat', (ctx) => {
  const xs = ctx.inputs.filter((t): t is TypeShape => t !== undefined);
  if (xs.length === 0) throw new Error('Concat needs at least one input');
  const axisAttr = attrInt(ctx.node, 'axis');
  if (axisAttr === undefined) throw new Error("Concat needs the 'axis' attribute");
  const dtype = xs[0].dtype;
  for (const [i, t] of xs.entries()) {
    if (t.dtype !== dtype) throw new Error(`input ${i} is ${dataTypeName(t.dtype)} but input 0 is ${dataTypeName(dtype)}`);
  }
  const withShape = xs.filter((t) => t.shape);
  if (withShape.length === 0) return [{ dtype }];
  const r = withShape[0].shape!.length;
  const axis = normAxisDim(axisAttr, r);
  const out: Dim[] = [...withShape[0].shape!];
  for (const [i, t] of withShape.entries()) {
    if (t.shape!.length !== r) throw new Error(`input ${i} has rank ${t.shape!.length} but input 0 has rank ${r}`);
    t.shape!.forEach((d, a) => {
      if (a === axis) return;
      const o = out[a];
      if (isKnown(d) && isKnown(o) && d !== o) throw new Error(`input ${i} has dims [${t.shape!.join(',')}] which disagree with [${withShape[0].shape!.join(',')}] off axis ${axis}`);
      if (!isKnown(o) && isKnown(d)) out[a] = d;
    });
  }
  // the concatenated dim is known only when every input's dim on the axis is
  let total: number | null = withShape.length === xs.length ? 0 : null;
  for (const t of xs) {
    const d = t.shape?.[axis];
    if (total === null || d === undefined || !isKnown(d)) { total = null; break; }
    total += d;
  }
  out[axis] = total;
  return [{ dtype, shape: out }];
});

registerShapeRule('Split', (ctx) => {
  const x = inp(ctx, 0);
  const nOut = ctx.node.outputs.length;
  if (!x.shape) return Array.from({ length: nOut }, () => ({ dtype: x.dtype }));
  const r = x.shape.length;
  const axis = normAxisDim(attrInt(ctx.node, 'axis', 0), r);
  let split: number[] | undefined;
  if (ctx.opset >= 13) {
    if (ctx.inputs[1] && !ctx.consts[1]) {
      return Array.from({ length: nOut }, () => ({ dtype: x.dtype, shape: x.shape!.map((d, a) => (a === axis ? null : d)) }));
    }
    split = ctx.consts[1] ? toIntList(ctx.consts[1]) : undefined;
  } else split = attrInts(ctx.node, 'split');
  const len = x.shape[axis];
  if (!split) {
    const numOutputs = attrInt(ctx.node, 'num_outputs', nOut);
    if (!isKnown(len)) return Array.from({ length: nOut }, () => ({ dtype: x.dtype, shape: x.shape!.map((d, a) => (a === axis ? null : d)) }));
    const chunk = Math.ceil(len / numOutputs);
    if (ctx.opset < 18 && len % numOutputs !== 0) throw new Error(`dim ${len} on axis ${axis} does not split evenly into ${numOutputs} outputs`);
    split = Array.from({ length: numOutputs }, (_, i) => Math.max(0, Math.min(chunk, len - i * chunk)));
  }
  if (split.length !== nOut) throw new Error(`split has ${split.length} parts but the node has ${nOut} outputs`);
  if (isKnown(len) && split.reduce((a, b) => a + b, 0) !== len) throw new Error(`split [${split.join(',')}] does not sum to dim ${len} on axis ${axis}`);
  return split.map((s) => ({ dtype: x.dtype, shape: x.shape!.map((d, a) => (a === axis ? s : d)) }));
});

registerShapeRule('Slice', (ctx) => {
  const x = inp(ctx, 0);
  if (!x.shape) return [{ dtype: x.dtype }];
  let starts: number[] | undefined, ends: number[] | undefined, axes: number[] | undefined, steps: number[] | undefined;
  if (ctx.opset < 10) {
    starts = attrInts(ctx.node, 'starts', []);
    ends = attrInts(ctx.node, 'ends', []);
    axes = attrInts(ctx.node, 'axes');
  } else {
    const c = ctx.consts;
    const dynamic = [1, 2, 3, 4].some((i) => ctx.inputs[i] && !c[i]);
    if (dynamic) {
      const ax = c[3] ? toIntList(c[3]).map((a) => normAxisDim(a, x.shape!.length)) : undefined;
      return [{ dtype: x.dtype, shape: x.shape.map((d, a) => (ax && !ax.includes(a) ? d : null)) }];
    }
    inp(ctx, 1, 'starts');
    inp(ctx, 2, 'ends');
    starts = toIntList(c[1]!);
    ends = toIntList(c[2]!);
    axes = c[3] ? toIntList(c[3]) : undefined;
    steps = c[4] ? toIntList(c[4]) : undefined;
  }
  // slice known dims exactly; an unknown dim stays unknown unless it is not sliced
  const r = x.shape.length;
  const sliced = new Set((axes ?? starts.map((_, i) => i)).map((a) => normAxisDim(a, r)));
  const known = x.shape.map((d) => (isKnown(d) ? d : 2 ** 40));
  const spec = sliceSpec(known, starts, ends, axes, steps);
  return [{ dtype: x.dtype, shape: x.shape.map((d, a) => (!sliced.has(a) ? d : isKnown(d) ? spec.dims[a] : null)) }];
});

registerShapeRule('Pad', (ctx) => {
  const x = inp(ctx, 0);
  if (!x.shape) return [{ dtype: x.dtype }];
  const r = x.shape.length;
  let pads: number[] | undefined;
  if (ctx.opset < 11) pads = attrInts(ctx.node, 'pads', []);
  else {
    const p = ctx.consts[1];
    if (!p || (ctx.inputs[3] && !ctx.consts[3])) return [{ dtype: x.dtype, shape: x.shape.map(() => null) }];
    const vals = toIntList(p);
    if (ctx.consts[3]) {
      const axes = toIntList(ctx.consts[3]).map((a) => normAxisDim(a, r));
      pads = new Array(2 * r).fill(0);
      axes.forEach((a, i) => {
        pads![a] = vals[i];
        pads![a + r] = vals[i + axes.length];
      });
    } else pads = vals;
  }
  if (pads.length !== 2 * r) throw new Error(`pads has ${pads.length} values for rank ${r} (needs ${2 * r})`);
  const out = x.shape.map((d, a) => (isKnown(d) ? d + pads![a] + pads![a + r] : pads![a] + pads![a + r] === 0 ? d : null));
  if (out.some((d) => isKnown(d) && d < 0)) throw new Error(`pads [${pads.join(',')}] crop [${x.shape.join(',')}] below zero`);
  return [{ dtype: x.dtype, shape: out }];
});

registerShapeRule('Expand', (ctx) => {
  const x = inp(ctx, 0);
  const s = ctx.consts[1];
  if (!s) {
    const sh = inp(ctx, 1, 'shape').shape;
    return [{ dtype: x.dtype, shape: sh && isKnown(sh[0]) && x.shape ? new Array(Math.max(sh[0], x.shape.length)).fill(null) : undefined }];
  }
  const target = toIntList(s);
  if (!x.shape) return [{ dtype: x.dtype }];
  return [{ dtype: x.dtype, shape: broadcastDims([x.shape, target]) }];
});

registerShapeRule('Tile', (ctx) => {
  const x = inp(ctx, 0);
  const rep = ctx.consts[1];
  if (!x.shape) return [{ dtype: x.dtype }];
  if (!rep) return [{ dtype: x.dtype, shape: x.shape.map(() => null) }];
  const reps = toIntList(rep);
  if (reps.length !== x.shape.length) throw new Error(`repeats has ${reps.length} values for rank ${x.shape.length}`);
  return [{ dtype: x.dtype, shape: x.shape.map((d, i) => (isKnown(d) ? d * reps[i] : reps[i] === 1 ? d : null)) }];
});

registerShapeRule('Gather', (ctx) => {
  const x = inp(ctx, 0, 'data');
  const ind = inp(ctx, 1, 'indices');
  if (!x.shape || !ind.shape) return [{ dtype: x.dtype }];
  const axis = normAxisDim(attrInt(ctx.node, 'axis', 0), x.shape.length);
  const d = x.shape[axis];
  const c = ctx.consts[1];
  if (c && isKnown(d)) {
    for (const k of toIntList(c)) if (k < -d || k >= d) throw new Error(`index ${k} is out of range for axis ${axis} of size ${d}`);
  }
  return [{ dtype: x.dtype, shape: [...x.shape.slice(0, axis), ...ind.shape, ...x.shape.slice(axis + 1)] }];
});

registerShapeRule('Range', (ctx) => [{ dtype: inp(ctx, 0).dtype, shape: [null] }]);
