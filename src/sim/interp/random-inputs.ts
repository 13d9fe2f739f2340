/** Seeded random feeds for a model's graph inputs (the `qdqsim run` default, tests and benches). */
import { mulberry32 } from '../random.ts';

export { mulberry32 };
import { DataType, dataTypeName } from '../data-type.ts';
import type { Dim, Model } from '../ir/graph.ts';
import { GraphError } from '../ir/graph-error.ts';
import type { Tensor } from '../tensor.ts';
import { allocTensor, numberToF16Bits } from './tensor-util.ts';


export interface RandomInputOptions {
  seed?: number;
  /** value given to symbolic or unknown dims (default 1) */
  dynamicDim?: number | ((name: string, axis: number, dim: Dim) => number);
  /** float inputs are uniform in [lo, hi) (default [-1, 1)) */
  floatRange?: [number, number];
  /** integer inputs (int32/int64/...) are uniform integers in [lo, hi) (default [0, 2)); int8/uint8 use their full range */
  intRange?: [number, number];
}

/** A random tensor of the given dtype and dims from `rand`. */
export function randomTensor(dtype: DataType, dims: number[], rand: () => number, opts: RandomInputOptions = {}): Tensor {
  const t = allocTensor(dtype, dims);
  const n = t.data.length;
  const [flo, fhi] = opts.floatRange ?? [-1, 1];
  const [ilo, ihi] = opts.intRange ?? [0, 2];
  const f = () => flo + (fhi - flo) * rand();
  const int = (lo: number, hi: number) => lo + Math.floor((hi - lo) * rand());
  const d = t.data;
  switch (dtype) {
    case DataType.FLOAT: case DataType.DOUBLE:
      for (let i = 0; i < n; i++) (d as Float32Array)[i] = f();
      break;
    case DataType.FLOAT16:
      for (let i = 0; i < n; i++) (d as Uint16Array)[i] = numberToF16Bits(f());
      break;
    case DataType.INT8: for (let i = 0; i < n; i++) (d as Int8Array)[i] = int(-128, 128); break;
    case DataType.UINT8: for (let i = 0; i < n; i++) (d as Uint8Array)[i] = int(0, 256); break;
    case DataType.BOOL: for (let i = 0; i < n; i++) (d as Uint8Array)[i] = int(0, 2); break;
    case DataType.INT16: case DataType.UINT16: case DataType.INT32: case DataType.UINT32:
      for (let i = 0; i < n; i++) (d as Int32Array)[i] = int(ilo, ihi);
      break;
    case DataType.INT64:
      for (let i = 0; i < n; i++) (d as BigInt64Array)[i] = BigInt(int(ilo, ihi));
      break;
    case DataType.UINT64:
      for (let i = 0; i < n; i++) (d as BigUint64Array)[i] = BigInt(int(ilo, ihi));
      break;
    default:
      throw new Error(`cannot make random ${dataTypeName(dtype)} data`);
  }
  return t;
}

/** Seeded random feeds for every graph input that has no initializer. */
export function randomFeeds(model: Model, opts: RandomInputOptions = {}): Record<string, Tensor> {
  const rand = mulberry32(opts.seed ?? 0);
  const g = model.graph;
  const feeds: Record<string, Tensor> = {};
  for (const v of g.inputs) {
    if (g.initializers.has(v.name)) continue;
    if (!v.shape) throw new GraphError('graph input has no declared shape; give the input explicitly', { tensor: v.name });
    const dims = v.shape.map((d, axis) => {
      if (typeof d === 'number') return d;
      const dd = opts.dynamicDim ?? 1;
      return typeof dd === 'number' ? dd : dd(v.name, axis, d);
    });
    try {
      feeds[v.name] = randomTensor(v.dtype, dims, rand, opts);
    } catch (e) {
      throw new GraphError((e as Error).message, { tensor: v.name });
    }
  }
  return feeds;
}
