/**
 * Quantization parameters: scale and zero point with their granularity (per tensor, per axis,
 * blocked), validated once with errors that name the tensor and the rule broken.
 *
 * Granularity follows the ONNX QuantizeLinear/DequantizeLinear text, not numpy broadcasting:
 * - per tensor: scale is a scalar or has exactly one element;
 * - per axis: scale is 1-D of length x.dims[axis];
 * - blocked (block_size B > 0): scale has x's rank, x.dims[j] on every other axis and
 *   ceil(x.dims[axis] / B) on `axis`; element i on that axis uses scale index floor(i / B).
 * The zero point, when given, must have the scale's shape.
 */
import { DataType, dataTypeName } from '../data-type.ts';
import type { Tensor } from '../tensor.ts';
import { decodeElement, isFloatType } from './dtype.ts';

export type Granularity =
  | { kind: 'tensor' }
  | { kind: 'axis'; axis: number }
  | { kind: 'block'; axis: number; blockSize: number };

export interface ResolvedParams {
  granularity: Granularity;
  /** Scale values as exact numbers (float16/bfloat16/float8e8m0 decoded). */
  scales: Float64Array;
  /** Zero points as numbers (narrow float zero points decoded to their value); zeros when absent. */
  zeroPoints: Float64Array;
  scaleDtype: DataType;
  zeroPointDtype: DataType | undefined;
  /** For an element with flat index i: scale index = paramIndex(i). Precomputed strides. */
  outer: number; axisLen: number; inner: number; block: number;
}

export interface ParamNames {
  /** Name of the tensor being (de)quantized, for errors. */
  x?: string;
  scale?: string;
  zeroPoint?: string;
}

/** Normalises an axis in [-rank, rank-1]; throws naming the tensor and the rule otherwise. */
export function normalizeAxis(axis: number, rank: number, what: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(`${what}: axis ${axis} is out of range for rank ${rank} (must be in [${-rank}, ${rank - 1}])`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Checks every scale is finite and > 0 (NaN, ±Inf, 0, negative are rejected). */
export function validateScales(scales: ArrayLike<number>, what: string): void {
  for (let i = 0; i < scales.length; i++) {
    const s = scales[i];
    if (!(s > 0) || !Number.isFinite(s)) {
      throw new Error(`${what}: scale[${i}] is ${s}; every scale must be finite and > 0`);
    }
  }
}

function numbersOf(t: Tensor, what: string): Float64Array {
  if (Array.isArray(t.data)) throw new Error(`${what}: must be numeric, got STRING`);
  const out = new Float64Array(t.data.length);
  const d = t.data as ArrayLike<number | bigint>;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    out[i] = decodeElement(t.dtype, typeof v === 'bigint' ? Number(v) : v);
  }
  return out;
}

/**
 * Resolves and validates scale/zero point against x's shape.
 * `axis` defaults to 1 (the ONNX default); `blockSize` 0 means not blocked.
 */
export function resolveParams(
  xDims: readonly number[], scale: Tensor, zeroPoint: Tensor | undefined,
  opts: { axis?: number; blockSize?: number; names?: ParamNames } = {},
): ResolvedParams {
  const xName = opts.names?.x ?? 'x';
  const sName = `tensor '${opts.names?.scale ?? `${xName} scale`}'`;
  const zName = `tensor '${opts.names?.zeroPoint ?? `${xName} zero point`}'`;
  if (!isFloatType(scale.dtype) && scale.dtype !== DataType.INT32) {
    throw new Error(`${sName}: scale type ${dataTypeName(scale.dtype)} is not a float type`);
  }
  const rank = xDims.length;
  const blockSize = opts.blockSize ?? 0;
  if (!Number.isInteger(blockSize) || blockSize < 0) throw new Error(`${sName}: block_size ${blockSize} must be a non-negative integer`);
  const scales = numbersOf(scale, sName);
  validateScales(scales, sName);
  let granularity: Granularity;
  const n = scales.length;
  if (blockSize > 0) {
    const axis = normalizeAxis(opts.axis ?? 1, rank, `${sName} (blocked quantization of '${xName}')`);
    if (scale.dims.length !== rank) {
      throw new Error(`${sName}: blocked quantization needs a scale of rank ${rank} (x's rank), got dims [${scale.dims.join(',')}]`);
    }
    for (let j = 0; j < rank; j++) {
      const want = j === axis ? Math.ceil(xDims[j] / blockSize) : xDims[j];
      if (scale.dims[j] !== want) {
        throw new Error(`${sName}: blocked quantization with block_size ${blockSize} on axis ${axis} needs dims[${j}] = ${want} `
          + `(x dims [${xDims.join(',')}]), got [${scale.dims.join(',')}]`);
      }
    }
    granularity = { kind: 'block', axis, blockSize };
  } else if (scale.dims.length === 0 || (n === 1 && scale.dims.length <= 1)) {
    granularity = { kind: 'tensor' };
  } else if (scale.dims.length === 1) {
    const axis = normalizeAxis(opts.axis ?? 1, rank, `${sName} (per-axis quantization of '${xName}')`);
    if (n !== xDims[axis]) {
      throw new Error(`${sName}: per-axis scale has ${n} elements but x '${xName}' has ${xDims[axis]} along axis ${axis} (dims [${xDims.join(',')}])`);
    }
    granularity = { kind: 'axis', axis };
  } else {
    throw new Error(`${sName}: scale of dims [${scale.dims.join(',')}] is neither a scalar, a 1-D per-axis vector, nor blocked (block_size is 0)`);
  }
  let zeroPoints: Float64Array = new Float64Array(n);
  if (zeroPoint) {
    const zdims = zeroPoint.dims;
    const sameShape = zdims.length === scale.dims.length && zdims.every((d, j) => d === scale.dims[j]);
    const bothSingle = granularity.kind === 'tensor' && zeroPoint.data.length === 1 && zdims.length <= 1;
    if (!sameShape && !bothSingle) {
      throw new Error(`${zName}: zero point dims [${zdims.join(',')}] must equal the scale's dims [${scale.dims.join(',')}]`);
    }
    zeroPoints = numbersOf(zeroPoint, zName);
  }
  let outer = 1, axisLen = 1, inner = 1, block = 1;
  if (granularity.kind !== 'tensor') {
    const axis = granularity.axis;
    for (let j = 0; j < axis; j++) outer *= xDims[j];
    axisLen = xDims[axis];
    for (let j = axis + 1; j < rank; j++) inner *= xDims[j];
    if (granularity.kind === 'block') block = granularity.blockSize;
  }
  return { granularity, scales, zeroPoints, scaleDtype: scale.dtype, zeroPointDtype: zeroPoint?.dtype, outer, axisLen, inner, block };
}

/**
 * Calls `fn(start, end, paramIndex)` for each contiguous run of elements sharing one scale/zero point,
 * in order; runs cover the flat index range [0, total).
 */
export function forEachParamRun(p: ResolvedParams, total: number, fn: (start: number, end: number, k: number) => void): void {
  if (p.granularity.kind === 'tensor') {
    if (total > 0) fn(0, total, 0);
    return;
  }
  const { outer, axisLen, inner, block } = p;
  const nBlocks = Math.ceil(axisLen / block);
  for (let o = 0; o < outer; o++) {
    for (let a = 0; a < axisLen; a++) {
      const base = (o * axisLen + a) * inner;
      if (p.granularity.kind === 'axis') {
        fn(base, base + inner, a);
      } else {
        // blocked: scale index (o, floor(a / B), i) in a tensor of dims [..., nBlocks, ...inner]
        const b = Math.floor(a / block);
        for (let i = 0; i < inner; i++) fn(base + i, base + i + 1, (o * nBlocks + b) * inner + i);
      }
    }
  }
}
