/**
 * Data-movement and shape ops: Identity, Constant, ConstantOfShape, Cast, Shape, Size, Reshape, Flatten,
 * Transpose, Squeeze, Unsqueeze, Concat, Split, Slice, Pad, Expand, Gather, Range, Tile. They copy
 * elements without arithmetic, so they work for every dtype (int64 as BigInt64Array included).
 */
import { DataType, dataTypeName } from '../../data-type.ts';
import type { Tensor, TensorData } from '../../tensor.ts';
import { attrFloat, attrInt, attrInts, attrString, attrTensor, need, registerOp, type OpContext } from '../registry.ts';
import {
  alloc, broadcastOffsets, broadcastShapes, fromNumbers, int64Tensor, normAxis, numel, readNumbers, scalarOf, scratchF64,
  stridesOf, toIntList,
} from '../tensor-util.ts';

type Elems = { [i: number]: unknown; length: number };
const el = (t: Tensor | TensorData): Elems => ('data' in t ? t.data : t) as unknown as Elems;

function view(x: Tensor, dims: number[]): Tensor {
  if (numel(dims) !== x.data.length) throw new Error(`cannot reshape ${x.data.length} elements to [${dims.join(',')}]`);
  return { dtype: x.dtype, dims, data: x.data };
}

// ---- trivial ---------------------------------------------------------------------------------------

registerOp('Identity', (ctx) => [need(ctx, 0)]);

registerOp('Constant', (ctx) => {
  const n = ctx.node;
  const t = attrTensor(n, 'value');
  if (t) return [t];
  const f = n.attrs.value_float;
  if (f) return [fromNumbers(DataType.FLOAT, [], [attrFloat(n, 'value_float')!])];
  const fs = n.attrs.value_floats;
  if (fs && fs.type === 'floats') return [fromNumbers(DataType.FLOAT, [fs.value.length], fs.value)];
  const i = attrInt(n, 'value_int');
  if (i !== undefined) return [int64Tensor([], [i])];
  const is = attrInts(n, 'value_ints');
  if (is) return [int64Tensor([is.length], is)];
  throw new Error('Constant has none of value, value_float(s), value_int(s) (string constants are not supported)');
});

registerOp('ConstantOfShape', (ctx) => {
  const dims = toIntList(need(ctx, 0));
  const v = attrTensor(ctx.node, 'value') ?? fromNumbers(DataType.FLOAT, [1], [0]);
  const out = alloc(v.dtype, numel(dims));
  const e = el(out);
  const val = el(v)[0];
  for (let i = 0; i < e.length; i++) e[i] = val;
  return [{ dtype: v.dtype, dims, data: out }];
});

registerOp('Cast', (ctx) => {
  const x = need(ctx, 0);
  const to = attrInt(ctx.node, 'to');
  if (to === undefined) throw new Error("Cast needs the 'to' attribute");
  if (to === x.dtype) return [x];
  switch (to) {
    case DataType.FLOAT: case DataType.DOUBLE: case DataType.FLOAT16: case DataType.BFLOAT16: case DataType.INT8:
    case DataType.UINT8: case DataType.INT16: case DataType.UINT16: case DataType.INT32: case DataType.UINT32:
    case DataType.INT64: case DataType.UINT64: case DataType.BOOL:
      break;
    default:
      throw new Error(`Cast to ${dataTypeName(to)} is not supported by the interpreter`);
  }
  if (x.dtype === DataType.INT64 && to === DataType.UINT64) {
    return [{ dtype: to, dims: [...x.dims], data: BigUint64Array.from(x.data as BigInt64Array, (v) => BigInt.asUintN(64, v)) }];
  }
  if (x.dtype === DataType.UINT64 && to === DataType.INT64) {
    return [{ dtype: to, dims: [...x.dims], data: BigInt64Array.from(x.data as BigUint64Array, (v) => BigInt.asIntN(64, v)) }];
  }
  return [fromNumbers(to, x.dims, readNumbers(x))];
});

registerOp('Shape', (ctx) => {
  const x = need(ctx, 0);
  const r = x.dims.length;
  const clamp = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
  const start = clamp(attrInt(ctx.node, 'start', 0));
  const end = clamp(attrInt(ctx.node, 'end', r));
  const dims = x.dims.slice(start, Math.max(start, end));
  return [int64Tensor([dims.length], dims)];
});

registerOp('Size', (ctx) => [int64Tensor([], [need(ctx, 0).data.length])]);

// ---- reshaping views -------------------------------------------------------------------------------

export function reshapeDims(inDims: readonly number[], shape: number[], allowZero: boolean): number[] {
  const total = numel(inDims);
  const out = shape.map((d, i) => (d === 0 && !allowZero ? inDims[i] : d));
  if (out.some((d) => d === undefined)) throw new Error(`shape [${shape.join(',')}] copies a dim (0) beyond the input rank ${inDims.length}`);
  const neg = out.filter((d) => d === -1).length;
  if (neg > 1) throw new Error(`shape [${shape.join(',')}] has more than one -1`);
  if (out.some((d) => d < -1)) throw new Error(`shape [${shape.join(',')}] has a negative dim`);
  if (neg === 1) {
    const known = out.reduce((p, d) => (d === -1 ? p : p * d), 1);
    if (known === 0 || total % known !== 0) throw new Error(`cannot reshape [${inDims.join(',')}] (${total} elements) to [${shape.join(',')}]`);
    out[out.indexOf(-1)] = total / known;
  }
  if (numel(out) !== total) throw new Error(`cannot reshape [${inDims.join(',')}] (${total} elements) to [${shape.join(',')}]`);
  return out;
}

registerOp('Reshape', (ctx) => {
  const x = need(ctx, 0);
  const shape = ctx.opset >= 5 ? toIntList(need(ctx, 1, 'shape')) : attrInts(ctx.node, 'shape', []);
  return [view(x, reshapeDims(x.dims, shape, attrInt(ctx.node, 'allowzero', 0) !== 0))];
});

registerOp('Flatten', (ctx) => {
  const x = need(ctx, 0);
  const r = x.dims.length;
  let axis = attrInt(ctx.node, 'axis', 1);
  if (axis < 0) axis += r;
  if (axis < 0 || axis > r) throw new Error(`axis ${attrInt(ctx.node, 'axis', 1)} is out of range for rank ${r}`);
  return [view(x, [numel(x.dims.slice(0, axis)), numel(x.dims.slice(axis))])];
});

function axesOf(ctx: OpContext, inputSince = 13): number[] | undefined {
  if (ctx.opset >= inputSince) return ctx.inputs[1] ? toIntList(ctx.inputs[1]) : undefined;
  return attrInts(ctx.node, 'axes');
}

registerOp('Squeeze', (ctx) => {
  const x = need(ctx, 0);
  const r = x.dims.length;
  const axes = axesOf(ctx);
  let dims: number[];
  if (!axes || axes.length === 0) dims = x.dims.filter((d) => d !== 1);
  else {
    const set = new Set(axes.map((a) => normAxis(a, r)));
    for (const a of set) if (x.dims[a] !== 1) throw new Error(`cannot squeeze axis ${a} of dims [${x.dims.join(',')}]: it is ${x.dims[a]}, not 1`);
    dims = x.dims.filter((_, i) => !set.has(i));
  }
  return [view(x, dims)];
});

registerOp('Unsqueeze', (ctx) => {
  const x = need(ctx, 0);
  const axes = axesOf(ctx);
  if (!axes) throw new Error('Unsqueeze needs axes');
  const r = x.dims.length + axes.length;
  const set = new Set(axes.map((a) => normAxis(a, r)));
  if (set.size !== axes.length) throw new Error(`Unsqueeze axes [${axes.join(',')}] repeat an axis`);
  const dims: number[] = [];
  let j = 0;
  for (let i = 0; i < r; i++) dims.push(set.has(i) ? 1 : x.dims[j++]);
  return [view(x, dims)];
});

// ---- copies -----------------------------------------------------------------------------------------

export function transpose(x: Tensor, perm: number[]): Tensor {
  const r = x.dims.length;
  if (perm.length !== r || new Set(perm).size !== r || perm.some((p) => p < 0 || p >= r)) {
    throw new Error(`perm [${perm.join(',')}] is not a permutation of ${r} axes`);
  }
  const dims = perm.map((p) => x.dims[p]);
  const n = x.data.length;
  const out = alloc(x.dtype, n);
  const o = el(out);
  const src = el(x);
  if (n === 0) return { dtype: x.dtype, dims, data: out };
  const inStrides = stridesOf(x.dims);
  const st = perm.map((p) => inStrides[p]);
  const idx = new Array(r).fill(0);
  const last = r - 1;
  if (r === 0) {
    o[0] = src[0];
    return { dtype: x.dtype, dims, data: out };
  }
  const innerLen = dims[last];
  const innerStride = st[last];
  let off = 0;
  for (let i = 0; i < n; i += innerLen) {
    for (let k = 0, s = off; k < innerLen; k++, s += innerStride) o[i + k] = src[s];
    for (let a = last - 1; a >= 0; a--) {
      idx[a]++;
      off += st[a];
      if (idx[a] < dims[a]) break;
      off -= st[a] * idx[a];
      idx[a] = 0;
    }
  }
  return { dtype: x.dtype, dims, data: out };
}

registerOp('Transpose', (ctx) => {
  const x = need(ctx, 0);
  const perm = attrInts(ctx.node, 'perm') ?? [...x.dims.keys()].reverse();
  return [transpose(x, perm)];
});

registerOp('Concat', (ctx) => {
  const xs = ctx.inputs.filter((t): t is Tensor => t !== undefined);
  if (xs.length === 0) throw new Error('Concat needs at least one input');
  const first = xs[0];
  const r = first.dims.length;
  const axisAttr = attrInt(ctx.node, 'axis');
  if (axisAttr === undefined) throw new Error("Concat needs the 'axis' attribute");
  const axis = normAxis(axisAttr, r);
  for (const [i, t] of xs.entries()) {
    if (t.dtype !== first.dtype) throw new Error(`input ${i} is ${dataTypeName(t.dtype)} but input 0 is ${dataTypeName(first.dtype)}`);
    if (t.dims.length !== r || t.dims.some((d, a) => a !== axis && d !== first.dims[a])) {
      throw new Error(`input ${i} has dims [${t.dims.join(',')}] which disagree with input 0 [${first.dims.join(',')}] off axis ${axis}`);
    }
  }
  const dims = [...first.dims];
  dims[axis] = xs.reduce((s, t) => s + t.dims[axis], 0);
  const outer = numel(dims.slice(0, axis));
  const inner = numel(dims.slice(axis + 1));
  const out = alloc(first.dtype, numel(dims));
  const o = el(out);
  const rowOut = dims[axis] * inner;
  let colOff = 0;
  for (const t of xs) {
    const block = t.dims[axis] * inner;
    const src = el(t);
    for (let b = 0; b < outer; b++) {
      const so = b * block;
      const dOff = b * rowOut + colOff;
      for (let k = 0; k < block; k++) o[dOff + k] = src[so + k];
    }
    colOff += block;
  }
  return [{ dtype: first.dtype, dims, data: out }];
});

registerOp('Split', (ctx) => {
  const x = need(ctx, 0);
  const r = x.dims.length;
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), r);
  const nOut = ctx.node.outputs.length;
  let split: number[] | undefined = ctx.opset >= 13 ? (ctx.inputs[1] ? toIntList(ctx.inputs[1]) : undefined) : attrInts(ctx.node, 'split');
  const len = x.dims[axis];
  if (!split) {
    const numOutputs = attrInt(ctx.node, 'num_outputs', nOut);
    const chunk = Math.ceil(len / numOutputs);
    if (ctx.opset < 18 && len % numOutputs !== 0) throw new Error(`dim ${len} on axis ${axis} does not split evenly into ${numOutputs} outputs`);
    split = Array.from({ length: numOutputs }, (_, i) => Math.max(0, Math.min(chunk, len - i * chunk)));
  }
  if (split.length !== nOut) throw new Error(`split has ${split.length} parts but the node has ${nOut} outputs`);
  if (split.reduce((a, b) => a + b, 0) !== len) throw new Error(`split [${split.join(',')}] does not sum to dim ${len} on axis ${axis}`);
  const outer = numel(x.dims.slice(0, axis));
  const inner = numel(x.dims.slice(axis + 1));
  const src = el(x);
  const outs: Tensor[] = [];
  let start = 0;
  for (const s of split) {
    const dims = [...x.dims];
    dims[axis] = s;
    const out = alloc(x.dtype, numel(dims));
    const o = el(out);
    const block = s * inner;
    for (let b = 0; b < outer; b++) {
      const so = b * len * inner + start * inner;
      for (let k = 0; k < block; k++) o[b * block + k] = src[so + k];
    }
    outs.push({ dtype: x.dtype, dims, data: out });
    start += s;
  }
  return outs;
});

export interface SliceSpec { starts: number[]; steps: number[]; dims: number[] }

/** Normalised per-axis start/step/length for Slice (ONNX clamping rules). */
export function sliceSpec(inDims: readonly number[], starts: number[], ends: number[], axes?: number[], steps?: number[]): SliceSpec {
  const r = inDims.length;
  const ax = axes ?? starts.map((_, i) => i);
  if (starts.length !== ends.length || ax.length !== starts.length || (steps && steps.length !== starts.length)) {
    throw new Error(`Slice starts/ends/axes/steps lengths disagree (${starts.length}/${ends.length}/${ax.length}/${steps?.length ?? '-'})`);
  }
  const st = inDims.map(() => 0);
  const sp = inDims.map(() => 1);
  const dims = [...inDims];
  const seen = new Set<number>();
  ax.forEach((a0, i) => {
    const a = normAxis(a0, r);
    if (seen.has(a)) throw new Error(`Slice axis ${a0} repeats`);
    seen.add(a);
    const d = inDims[a];
    const step = steps ? steps[i] : 1;
    if (step === 0) throw new Error('Slice step 0 is invalid');
    let s = starts[i];
    let e = ends[i];
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (step > 0) {
      s = Math.min(Math.max(s, 0), d);
      e = Math.min(Math.max(e, 0), d);
    } else {
      s = Math.min(Math.max(s, 0), d - 1);
      e = Math.min(Math.max(e, -1), d - 1);
    }
    st[a] = s;
    sp[a] = step;
    dims[a] = Math.max(0, Math.ceil((e - s) / step));
  });
  return { starts: st, steps: sp, dims };
}

registerOp('Slice', (ctx) => {
  const x = need(ctx, 0);
  let spec: SliceSpec;
  if (ctx.opset < 10) {
    spec = sliceSpec(x.dims, attrInts(ctx.node, 'starts', []), attrInts(ctx.node, 'ends', []), attrInts(ctx.node, 'axes'));
  } else {
    spec = sliceSpec(x.dims, toIntList(need(ctx, 1, 'starts')), toIntList(need(ctx, 2, 'ends')),
      ctx.inputs[3] ? toIntList(ctx.inputs[3]) : undefined, ctx.inputs[4] ? toIntList(ctx.inputs[4]) : undefined);
  }
  const { dims } = spec;
  const n = numel(dims);
  const out = alloc(x.dtype, n);
  const o = el(out);
  const src = el(x);
  const r = dims.length;
  if (n > 0) {
    const inStrides = stridesOf(x.dims);
    const idx = new Array(r).fill(0);
    let off = 0;
    for (let a = 0; a < r; a++) off += spec.starts[a] * inStrides[a];
    const st = inStrides.map((s, a) => s * spec.steps[a]);
    for (let i = 0; i < n; i++) {
      o[i] = src[off];
      for (let a = r - 1; a >= 0; a--) {
        idx[a]++;
        off += st[a];
        if (idx[a] < dims[a]) break;
        off -= st[a] * idx[a];
        idx[a] = 0;
      }
    }
  }
  return [{ dtype: x.dtype, dims, data: out }];
});

registerOp('Pad', (ctx) => {
  const x = need(ctx, 0);
  const r = x.dims.length;
  const mode = attrString(ctx.node, 'mode', 'constant');
  let pads: number[];
  let value: unknown;
  if (ctx.opset < 11) {
    pads = attrInts(ctx.node, 'pads', []);
    value = attrFloat(ctx.node, 'value', 0);
  } else {
    const p = toIntList(need(ctx, 1, 'pads'));
    const axesT = ctx.inputs[3];
    if (axesT) {
      const axes = toIntList(axesT).map((a) => normAxis(a, r));
      pads = new Array(2 * r).fill(0);
      axes.forEach((a, i) => {
        pads[a] = p[i];
        pads[a + r] = p[i + axes.length];
      });
    } else pads = p;
    value = ctx.inputs[2] && ctx.inputs[2].data.length ? el(ctx.inputs[2])[0] : 0;
  }
  if (pads.length !== 2 * r) throw new Error(`pads has ${pads.length} values for rank ${r} (needs ${2 * r})`);
  const dims = x.dims.map((d, a) => d + pads[a] + pads[a + r]);
  if (dims.some((d) => d < 0)) throw new Error(`pads [${pads.join(',')}] crop [${x.dims.join(',')}] below zero`);
  if (mode !== 'constant' && x.data.length === 0) throw new Error(`Pad mode '${mode}' on an empty tensor`);
  const fill = typeof el(x)[0] === 'bigint' ? BigInt(value as number | bigint) : Number(value);
  const n = numel(dims);
  const out = alloc(x.dtype, n);
  const o = el(out);
  const src = el(x);
  const inStrides = stridesOf(x.dims);
  const idx = new Array(r).fill(0);
  const mapCoord = (c: number, d: number): number => {
    if (c >= 0 && c < d) return c;
    switch (mode) {
      case 'edge': return c < 0 ? 0 : d - 1;
      case 'reflect': {
        if (d === 1) return 0;
        const period = 2 * (d - 1);
        let m = ((c % period) + period) % period;
        if (m >= d) m = period - m;
        return m;
      }
      case 'wrap': return ((c % d) + d) % d;
      case 'constant': return -1;
      default: throw new Error(`Pad mode '${mode}' is not supported`);
    }
  };
  for (let i = 0; i < n; i++) {
    let off = 0;
    let outside = false;
    for (let a = 0; a < r; a++) {
      const c = mapCoord(idx[a] - pads[a], x.dims[a]);
      if (c < 0) { outside = true; break; }
      off += c * inStrides[a];
    }
    o[i] = outside ? fill : src[off];
    for (let a = r - 1; a >= 0; a--) {
      if (++idx[a] < dims[a]) break;
      idx[a] = 0;
    }
  }
  return [{ dtype: x.dtype, dims, data: out }];
});

registerOp('Expand', (ctx) => {
  const x = need(ctx, 0);
  const shape = toIntList(need(ctx, 1, 'shape'));
  const dims = broadcastShapes([x.dims, shape]);
  const offs = broadcastOffsets(x.dims, dims);
  const out = alloc(x.dtype, offs.length);
  const o = el(out);
  const src = el(x);
  for (let i = 0; i < offs.length; i++) o[i] = src[offs[i]];
  return [{ dtype: x.dtype, dims, data: out }];
});

registerOp('Tile', (ctx) => {
  const x = need(ctx, 0);
  const reps = toIntList(need(ctx, 1, 'repeats'));
  if (reps.length !== x.dims.length) throw new Error(`repeats has ${reps.length} values for rank ${x.dims.length}`);
  const dims = x.dims.map((d, i) => d * reps[i]);
  const n = numel(dims);
  const out = alloc(x.dtype, n);
  const o = el(out);
  const src = el(x);
  const inStrides = stridesOf(x.dims);
  const idx = new Array(dims.length).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let a = 0; a < dims.length; a++) off += (idx[a] % x.dims[a]) * inStrides[a];
    o[i] = src[off];
    for (let a = dims.length - 1; a >= 0; a--) {
      if (++idx[a] < dims[a]) break;
      idx[a] = 0;
    }
  }
  return [{ dtype: x.dtype, dims, data: out }];
});

registerOp('Gather', (ctx) => {
  const x = need(ctx, 0, 'data');
  const ind = need(ctx, 1, 'indices');
  const r = x.dims.length;
  const axis = normAxis(attrInt(ctx.node, 'axis', 0), r);
  const idx = readNumbers(ind);
  const d = x.dims[axis];
  const outer = numel(x.dims.slice(0, axis));
  const inner = numel(x.dims.slice(axis + 1));
  const dims = [...x.dims.slice(0, axis), ...ind.dims, ...x.dims.slice(axis + 1)];
  const out = alloc(x.dtype, numel(dims));
  const o = el(out);
  const src = el(x);
  const m = idx.length;
  for (let j = 0; j < m; j++) {
    const k = idx[j] < 0 ? idx[j] + d : idx[j];
    if (!(k >= 0 && k < d)) throw new Error(`index ${idx[j]} is out of range for axis ${axis} of size ${d}`);
  }
  for (let b = 0; b < outer; b++) {
    for (let j = 0; j < m; j++) {
      const k = idx[j] < 0 ? idx[j] + d : idx[j];
      const so = (b * d + k) * inner;
      const dOff = (b * m + j) * inner;
      for (let q = 0; q < inner; q++) o[dOff + q] = src[so + q];
    }
  }
  return [{ dtype: x.dtype, dims, data: out }];
});

registerOp('Range', (ctx) => {
  const start = need(ctx, 0, 'start');
  const limit = scalarOf(need(ctx, 1, 'limit'));
  const delta = scalarOf(need(ctx, 2, 'delta'));
  const s = scalarOf(start);
  if (delta === 0) throw new Error('Range delta is 0');
  const n = Math.max(0, Math.ceil((limit - s) / delta));
  const vals = scratchF64(n);
  for (let i = 0; i < n; i++) vals[i] = s + i * delta;
  return [fromNumbers(start.dtype, [n], vals)];
});
