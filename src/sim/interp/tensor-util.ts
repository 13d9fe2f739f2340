import { DataType, dataTypeName } from '../data-type.ts';
import { bfloat16BitsToFloat32, float16BitsToFloat32, float32ToBFloat16Bits } from '../golden/dtype.ts';
import { roundHalfEven } from '../golden/rounding.ts';
import { storageFor, type Tensor, type TensorData } from '../tensor.ts';

/** Largest element count the interpreter allocates for one tensor: 2^28 (1 GiB of float32; contractions also keep a float64 scratch of the output). */
export const MAX_ELEMENTS = 2 ** 28;

export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
}

export function numel(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) n *= d;
  return n;
}

/** Normalises a possibly negative axis against `rank`; throws (plain Error, callers add the node) when out of range. */
export function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

// ---- float16 / bfloat16 codecs -----------------------------------------------------------------------

export { roundHalfEven };
export const f16BitsToNumber = float16BitsToFloat32;
export const bf16BitsToNumber = bfloat16BitsToFloat32;
export const numberToBf16Bits = float32ToBFloat16Bits;

/**
 * IEEE binary16 code of `x`, rounded to nearest even directly from the double (the golden
 * float32ToFloat16Bits rounds from float32; a float64 tensor cast to float16 must not round twice).
 */
export function numberToF16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00; // 65520 = max + half an ULP: the tie rounds to even, i.e. to Inf
  if (a < 2 ** -14) return sign | roundHalfEven(a * 2 ** 24); // subnormal (1024 encodes the smallest normal)
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  const mant = roundHalfEven((a / 2 ** e - 1) * 1024);
  if (mant === 1024) return e + 16 >= 31 ? sign | 0x7c00 : sign | ((e + 16) << 10);
  return sign | ((e + 15) << 10) | mant;
}

// ---- numeric views -----------------------------------------------------------------------------------

/** Dtypes whose storage is a plain number typed array holding the element values directly. */
export function isDirectNumeric(dtype: DataType): boolean {
  switch (dtype) {
    case DataType.FLOAT: case DataType.DOUBLE: case DataType.INT8: case DataType.UINT8: case DataType.INT16:
    case DataType.UINT16: case DataType.INT32: case DataType.UINT32: case DataType.BOOL:
      return true;
    default:
      return false;
  }
}

export function isFloatType(dtype: DataType): boolean {
  return dtype === DataType.FLOAT || dtype === DataType.DOUBLE || dtype === DataType.FLOAT16 || dtype === DataType.BFLOAT16;
}

export function isIntegerType(dtype: DataType): boolean {
  switch (dtype) {
    case DataType.INT8: case DataType.UINT8: case DataType.INT16: case DataType.UINT16: case DataType.INT32:
    case DataType.UINT32: case DataType.INT64: case DataType.UINT64:
      return true;
    default:
      return false;
  }
}

/** The element values as numbers: the storage itself for direct dtypes, a converted copy otherwise. */
export function readNumbers(t: Tensor): ArrayLike<number> {
  if (isDirectNumeric(t.dtype)) return t.data as ArrayLike<number>;
  const n = t.data.length;
  const out = new Float64Array(n);
  switch (t.dtype) {
    case DataType.INT64: case DataType.UINT64: {
      const d = t.data as BigInt64Array | BigUint64Array;
      for (let i = 0; i < n; i++) out[i] = Number(d[i]);
      return out;
    }
    case DataType.FLOAT16: {
      const d = t.data as Uint16Array;
      for (let i = 0; i < n; i++) out[i] = f16BitsToNumber(d[i]);
      return out;
    }
    case DataType.BFLOAT16: {
      const d = t.data as Uint16Array;
      for (let i = 0; i < n; i++) out[i] = bf16BitsToNumber(d[i]);
      return out;
    }
    default:
      throw new Error(`cannot read ${dataTypeName(t.dtype)} elements as numbers`);
  }
}

/** Stores one number into storage of `dtype` the way the interpreter casts: floats round, ints truncate and wrap. */
function convertInto(dtype: DataType, values: ArrayLike<number>, out: TensorData): void {
  const n = values.length;
  switch (dtype) {
    case DataType.INT64: {
      const d = out as BigInt64Array;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        d[i] = Number.isFinite(v) ? BigInt.asIntN(64, BigInt(Math.trunc(v))) : 0n;
      }
      return;
    }
    case DataType.UINT64: {
      const d = out as BigUint64Array;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        d[i] = Number.isFinite(v) ? BigInt.asUintN(64, BigInt(Math.trunc(v))) : 0n;
      }
      return;
    }
    case DataType.FLOAT16: {
      const d = out as Uint16Array;
      for (let i = 0; i < n; i++) d[i] = numberToF16Bits(values[i]);
      return;
    }
    case DataType.BFLOAT16: {
      const d = out as Uint16Array;
      for (let i = 0; i < n; i++) d[i] = numberToBf16Bits(values[i]);
      return;
    }
    case DataType.BOOL: {
      const d = out as Uint8Array;
      for (let i = 0; i < n; i++) d[i] = values[i] !== 0 ? 1 : 0; // NaN !== 0 -> true, as in C
      return;
    }
    default: {
      if (!isDirectNumeric(dtype)) throw new Error(`cannot store numbers as ${dataTypeName(dtype)}`);
      const d = out as Float32Array; // any direct typed array: the store itself rounds (floats) or wraps (ints)
      for (let i = 0; i < n; i++) d[i] = values[i];
    }
  }
}

/** A tensor of `dtype` holding `values` (floats rounded to the type, integers truncated then wrapped). */
export function fromNumbers(dtype: DataType, dims: readonly number[], values: ArrayLike<number>): Tensor {
  if (isDirectNumeric(dtype) && dtype !== DataType.BOOL && values instanceof (storageFor(dtype, 0).constructor as new () => object)) {
    return { dtype, dims: [...dims], data: values as unknown as TensorData };
  }
  const out = alloc(dtype, values.length);
  convertInto(dtype, values, out);
  return { dtype, dims: [...dims], data: out };
}

/** New zeroed storage, refusing sizes beyond MAX_ELEMENTS with a plain Error (callers add the node). */
export function alloc(dtype: DataType, n: number): TensorData {
  checkCount(n);
  return storageFor(dtype, n);
}

/** A zeroed float64 scratch array of `n` elements, refused (plain Error) beyond MAX_ELEMENTS. */
export function scratchF64(n: number): Float64Array {
  checkCount(n);
  return new Float64Array(n);
}

/** A zeroed float32 scratch array of `n` elements, refused (plain Error) beyond MAX_ELEMENTS. */
export function scratchF32(n: number): Float32Array {
  checkCount(n);
  return new Float32Array(n);
}

function checkCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`invalid element count ${n}`);
  if (n > MAX_ELEMENTS) throw new Error(`a tensor of ${n} elements exceeds the interpreter's limit of ${MAX_ELEMENTS}`);
}

export function allocTensor(dtype: DataType, dims: readonly number[]): Tensor {
  return { dtype, dims: [...dims], data: alloc(dtype, numel(dims)) };
}

/** Integer values of a (small) tensor as numbers: for shape-like inputs (int64/int32 axes, pads, shapes). */
export function toIntList(t: Tensor): number[] {
  const v = readNumbers(t);
  const out = new Array<number>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = Number(v[i]);
  return out;
}

export function scalarOf(t: Tensor): number {
  if (t.data.length < 1) throw new Error('expected a scalar but the tensor is empty');
  return readNumbers(t)[0];
}

/** int64 tensor from plain numbers (shape outputs). */
export function int64Tensor(dims: readonly number[], values: readonly number[]): Tensor {
  return { dtype: DataType.INT64, dims: [...dims], data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

/**
 * Multidirectional (numpy) broadcast of shapes; throws a plain Error describing the clash.
 */
export function broadcastShapes(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      const d = s[i];
      if (out[j] === 1) out[j] = d;
      else if (d !== 1 && d !== out[j]) {
        throw new Error(`shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')} cannot be broadcast (dim ${d} vs ${out[j]})`);
      }
    }
  }
  return out;
}

/**
 * For each output position of a broadcast to `outDims`, the element offset into an input of `dims`.
 * Returns an Int32Array (length = numel(outDims)); cheap enough for the interpreter's shapes.
 */
export function broadcastOffsets(dims: readonly number[], outDims: readonly number[]): Int32Array {
  const n = numel(outDims);
  checkCount(n);
  const rank = outDims.length;
  const inStrides = stridesOf(dims);
  // effective stride per output axis (0 where broadcast)
  const eff = new Array<number>(rank).fill(0);
  for (let i = 0; i < dims.length; i++) {
    const j = rank - dims.length + i;
    eff[j] = dims[i] === 1 ? 0 : inStrides[i];
  }
  const res = new Int32Array(n);
  if (n === 0) return res;
  const idx = new Array<number>(rank).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    res[i] = off;
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]++;
      off += eff[a];
      if (idx[a] < outDims[a]) break;
      off -= eff[a] * idx[a];
      idx[a] = 0;
    }
  }
  return res;
}

export function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function fmtDims(d: readonly (number | string | null)[]): string {
  return `[${d.map((x) => (x === null ? '?' : String(x))).join(',')}]`;
}
