/**
 * The one dtype module: integer ranges, sub-byte packing and bit-exact float conversions for every
 * quantization type ONNX knows. No range literal for these types appears anywhere else in the code.
 *
 * Float conversions take a float32 value (a JS number that is exactly representable as float32;
 * callers `Math.fround` first) and round it once, to nearest even, into the narrow format. That is
 * what ml_dtypes' `ConvertImpl<float, T>` does and hence what the ONNX reference does
 * (golden-semantics §2.4). Narrow floats are carried as their raw bit codes.
 */
import { DataType, dataTypeName } from '../data-type.ts';

// ---------------------------------------------------------------------------------------------
// float32 bit access

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The IEEE binary32 bits of `x` (rounded to float32 first). */
export function f32ToBits(x: number): number {
  f32[0] = x;
  return u32[0];
}

/** The float32 whose bits are `bits` (as a JS number; NaN payloads are not preserved by JS). */
export function bitsToF32(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0];
}

// ---------------------------------------------------------------------------------------------
// Integer types

export interface IntRange {
  readonly dtype: DataType;
  readonly bits: number;
  readonly signed: boolean;
  readonly min: number;
  readonly max: number;
}

function intRangeOf(dtype: DataType, bits: number, signed: boolean): IntRange {
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return Object.freeze({ dtype, bits, signed, min, max });
}

const INT_RANGES: ReadonlyMap<DataType, IntRange> = new Map([
  [DataType.INT2, intRangeOf(DataType.INT2, 2, true)],
  [DataType.UINT2, intRangeOf(DataType.UINT2, 2, false)],
  [DataType.INT4, intRangeOf(DataType.INT4, 4, true)],
  [DataType.UINT4, intRangeOf(DataType.UINT4, 4, false)],
  [DataType.INT8, intRangeOf(DataType.INT8, 8, true)],
  [DataType.UINT8, intRangeOf(DataType.UINT8, 8, false)],
  [DataType.INT16, intRangeOf(DataType.INT16, 16, true)],
  [DataType.UINT16, intRangeOf(DataType.UINT16, 16, false)],
  [DataType.INT32, intRangeOf(DataType.INT32, 32, true)],
  [DataType.UINT32, intRangeOf(DataType.UINT32, 32, false)],
]);

/** True for the integer types that have a saturation range here (int2 ... int32, uint2 ... uint32). */
export function isIntegerType(dtype: DataType): boolean {
  return INT_RANGES.has(dtype);
}

/** The saturation range of an integer type; throws for any other type. */
export function intRange(dtype: DataType): IntRange {
  const r = INT_RANGES.get(dtype);
  if (!r) throw new Error(`${dataTypeName(dtype)} is not an integer type with a saturation range`);
  return r;
}

/** The integer types QuantizeLinear may produce (opset 25). */
export const INT_QUANT_TYPES: readonly DataType[] = [
  DataType.INT8, DataType.UINT8, DataType.INT16, DataType.UINT16,
  DataType.INT4, DataType.UINT4, DataType.INT2, DataType.UINT2,
];

/** Bits per element in a packed file representation (raw_data). 0 for STRING. */
export function bitWidth(dtype: DataType): number {
  switch (dtype) {
    case DataType.INT2: case DataType.UINT2: return 2;
    case DataType.INT4: case DataType.UINT4: case DataType.FLOAT4E2M1: return 4;
    case DataType.INT8: case DataType.UINT8: case DataType.BOOL:
    case DataType.FLOAT8E4M3FN: case DataType.FLOAT8E4M3FNUZ: case DataType.FLOAT8E5M2:
    case DataType.FLOAT8E5M2FNUZ: case DataType.FLOAT8E8M0: return 8;
    case DataType.INT16: case DataType.UINT16: case DataType.FLOAT16: case DataType.BFLOAT16: return 16;
    case DataType.INT32: case DataType.UINT32: case DataType.FLOAT: return 32;
    case DataType.INT64: case DataType.UINT64: case DataType.DOUBLE: case DataType.COMPLEX64: return 64;
    case DataType.COMPLEX128: return 128;
    case DataType.STRING: return 0;
    default: throw new Error(`unknown data type ${dataTypeName(dtype)}`);
  }
}

/** Bytes needed to store `n` elements of `dtype` in raw_data (sub-byte types packed). */
export function packedByteLength(dtype: DataType, n: number): number {
  return Math.ceil((n * bitWidth(dtype)) / 8);
}

// ---------------------------------------------------------------------------------------------
// Sub-byte packing: 4-bit two per byte (first element in the low nibble), 2-bit four per byte
// (first element in the lowest two bits). Odd tails are padded with zero bits.

/** Packs 4-bit (`bits`=4) or 2-bit (`bits`=2) values; only the low `bits` of each value are kept. */
export function packSubByte(values: ArrayLike<number>, bits: 2 | 4): Uint8Array {
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const out = new Uint8Array(Math.ceil(values.length / perByte));
  for (let i = 0; i < values.length; i++) {
    out[(i / perByte) | 0] |= (values[i] & mask) << ((i % perByte) * bits);
  }
  return out;
}

/**
 * Unpacks `n` elements of `bits` (2 or 4) from `bytes`; `signed` sign-extends (int4/int2).
 * Writes into `out` when given (Int8Array for signed, Uint8Array for unsigned/float4 codes).
 */
export function unpackSubByte(bytes: ArrayLike<number>, n: number, bits: 2 | 4, signed: boolean, out?: Int8Array | Uint8Array): Int8Array | Uint8Array {
  const perByte = 8 / bits;
  const need = Math.ceil(n / perByte);
  if (bytes.length < need) throw new Error(`packed ${bits}-bit data has ${bytes.length} bytes, ${need} needed for ${n} elements`);
  const res = out ?? (signed ? new Int8Array(n) : new Uint8Array(n));
  const mask = (1 << bits) - 1;
  const signBit = 1 << (bits - 1);
  for (let i = 0; i < n; i++) {
    let v = (bytes[(i / perByte) | 0] >> ((i % perByte) * bits)) & mask;
    if (signed && v & signBit) v -= 1 << bits;
    res[i] = v;
  }
  return res;
}

/** Packs a tensor's in-memory elements for the file boundary: sub-byte types packed, others unchanged bytes. */
export function subByteBits(dtype: DataType): 2 | 4 | 0 {
  const b = bitWidth(dtype);
  return b === 4 ? 4 : b === 2 ? 2 : 0;
}

// ---------------------------------------------------------------------------------------------
// Narrow floats: one generic encoder/decoder over a format description.

export interface MiniFloatFormat {
  readonly dtype: DataType;
  /** exponent bits */
  readonly E: number;
  /** mantissa bits */
  readonly M: number;
  readonly bias: number;
  /** largest finite magnitude code (sign bit clear) */
  readonly maxCode: number;
  /** +Inf code, or null when the format has no infinity */
  readonly infCode: number | null;
  /** canonical +NaN code, or null when the format has no NaN */
  readonly nanCode: number | null;
  /** fnuz formats: no -0, the only NaN is the sign-bit-only code */
  readonly fnuz: boolean;
  /** largest finite value */
  readonly maxValue: number;
  /** total bits */
  readonly bits: number;
}

function fmt(dtype: DataType, E: number, M: number, bias: number, maxCode: number, infCode: number | null, nanCode: number | null, fnuz: boolean): MiniFloatFormat {
  const base: Omit<MiniFloatFormat, 'maxValue'> = { dtype, E, M, bias, maxCode, infCode, nanCode, fnuz, bits: 1 + E + M };
  return Object.freeze({ ...base, maxValue: decodeWith(base as MiniFloatFormat, maxCode) });
}

function decodeWith(f: Pick<MiniFloatFormat, 'E' | 'M' | 'bias' | 'infCode' | 'nanCode' | 'fnuz'>, code: number): number {
  const signShift = f.E + f.M;
  const sign = (code >> signShift) & 1;
  const mag = code & ((1 << signShift) - 1);
  if (f.fnuz) {
    if (code === 1 << signShift) return NaN;
  } else {
    if (f.infCode !== null && mag === f.infCode) return sign ? -Infinity : Infinity;
    if (f.nanCode !== null && isNanMag(f, mag)) return NaN;
  }
  const e = mag >> f.M;
  const m = mag & ((1 << f.M) - 1);
  const v = e === 0 ? m * 2 ** (1 - f.bias - f.M) : (m + 2 ** f.M) * 2 ** (e - f.bias - f.M);
  return sign ? -v : v;
}

function isNanMag(f: Pick<MiniFloatFormat, 'E' | 'M' | 'infCode' | 'nanCode'>, mag: number): boolean {
  // IEEE-like formats (with Inf): all-ones exponent and non-zero mantissa. e4m3fn: only S.1111.111.
  if (f.infCode !== null) return mag >> f.M === (1 << f.E) - 1 && (mag & ((1 << f.M) - 1)) !== 0;
  return mag === f.nanCode;
}

export const FLOAT8E4M3FN = fmt(DataType.FLOAT8E4M3FN, 4, 3, 7, 0x7e, null, 0x7f, false);
export const FLOAT8E4M3FNUZ = fmt(DataType.FLOAT8E4M3FNUZ, 4, 3, 8, 0x7f, null, 0x80, true);
export const FLOAT8E5M2 = fmt(DataType.FLOAT8E5M2, 5, 2, 15, 0x7b, 0x7c, 0x7e, false);
export const FLOAT8E5M2FNUZ = fmt(DataType.FLOAT8E5M2FNUZ, 5, 2, 16, 0x7f, null, 0x80, true);
export const FLOAT4E2M1 = fmt(DataType.FLOAT4E2M1, 2, 1, 1, 0x7, null, null, false);
export const FLOAT16 = fmt(DataType.FLOAT16, 5, 10, 15, 0x7bff, 0x7c00, 0x7e00, false);
export const BFLOAT16 = fmt(DataType.BFLOAT16, 8, 7, 127, 0x7f7f, 0x7f80, 0x7fc0, false);

const MINI_FLOATS: ReadonlyMap<DataType, MiniFloatFormat> = new Map([
  [DataType.FLOAT8E4M3FN, FLOAT8E4M3FN],
  [DataType.FLOAT8E4M3FNUZ, FLOAT8E4M3FNUZ],
  [DataType.FLOAT8E5M2, FLOAT8E5M2],
  [DataType.FLOAT8E5M2FNUZ, FLOAT8E5M2FNUZ],
  [DataType.FLOAT4E2M1, FLOAT4E2M1],
  [DataType.FLOAT16, FLOAT16],
  [DataType.BFLOAT16, BFLOAT16],
]);

/** The format of a narrow float type (float16, bfloat16, float8*, float4e2m1); throws otherwise. */
export function miniFloatFormat(dtype: DataType): MiniFloatFormat {
  const f = MINI_FLOATS.get(dtype);
  if (!f) throw new Error(`${dataTypeName(dtype)} is not a narrow float type`);
  return f;
}

export function isFloat8(dtype: DataType): boolean {
  return dtype === DataType.FLOAT8E4M3FN || dtype === DataType.FLOAT8E4M3FNUZ
    || dtype === DataType.FLOAT8E5M2 || dtype === DataType.FLOAT8E5M2FNUZ;
}

/** float8 (4 kinds) and float4e2m1: the narrow float types QuantizeLinear may produce. */
export function isQuantFloatType(dtype: DataType): boolean {
  return isFloat8(dtype) || dtype === DataType.FLOAT4E2M1;
}

/** Any floating type, including narrow ones and float8e8m0. */
export function isFloatType(dtype: DataType): boolean {
  return dtype === DataType.FLOAT || dtype === DataType.DOUBLE || MINI_FLOATS.has(dtype) || dtype === DataType.FLOAT8E8M0;
}

/**
 * Encodes a float32 value into `f`'s code: one round-to-nearest-even from float32.
 * `saturate` (float8 only): overflow and ±Inf go to ±max instead of Inf/NaN (ONNX Cast rules,
 * golden-semantics §1.3). float16/bfloat16 ignore `saturate` (IEEE overflow to Inf); float4e2m1
 * always saturates (it has neither Inf nor NaN), and a NaN input gives ml_dtypes' code (0x8 for +NaN).
 * NaN inputs give the format's canonical NaN with the input's sign (fnuz: 0x80).
 */
export function encodeMiniFloat(x: number, f: MiniFloatFormat, saturate = true): number {
  const bits = f32ToBits(x);
  const a = bits & 0x7fffffff;
  const sign = bits >>> 31;
  const signShift = f.E + f.M;
  const S = sign << signShift;
  const isIeee = f.infCode !== null && f.dtype !== DataType.FLOAT8E5M2;
  const sat = isIeee ? false : f.dtype === DataType.FLOAT4E2M1 ? true : saturate;
  const over = sat ? f.maxCode : (f.infCode ?? f.nanCode ?? f.maxCode);
  if (a > 0x7f800000) {
    if (f.fnuz) return 0x80;
    if (f.nanCode !== null) {
      if (f.dtype === DataType.FLOAT16) {
        // numpy keeps the top payload bits (npy_floatbits_to_halfbits); quiet NaN 0x7FC00000 -> 0x7E00.
        const payload = (a & 0x7fffff) >>> 13;
        return S | 0x7c00 | (payload === 0 ? 1 : payload);
      }
      return f.nanCode | S;
    }
    return sign ? 0x0 : 0x8; // float4e2m1: ml_dtypes quirk (golden-semantics §2.4)
  }
  if (a === 0x7f800000) {
    if (f.fnuz && !sat) return 0x80;
    return over | S;
  }
  const e = a >>> 23;
  const mant = e ? (a & 0x7fffff) | 0x800000 : a & 0x7fffff;
  const ex = e ? e - 127 : -126;
  const s = Math.min(25, 23 - f.M + Math.max(0, 1 - f.bias - ex));
  const r = (mant + ((mant >>> s) & 1) + (1 << (s - 1)) - 1) >>> s;
  const code = r + (e ? Math.max(0, ex + f.bias - 1) << f.M : 0);
  if (code > f.maxCode) {
    if (f.fnuz && !sat) return 0x80;
    return over | S;
  }
  if (f.fnuz && code === 0) return 0;
  return code | S;
}

/** Decodes a narrow-float code to its (exact) value. */
export function decodeMiniFloat(code: number, f: MiniFloatFormat): number {
  return decodeWith(f, code);
}

/** float32 value -> float16 bits (RNE, overflow to ±Inf). */
export function float32ToFloat16Bits(x: number): number {
  return encodeMiniFloat(x, FLOAT16);
}
export function float16BitsToFloat32(h: number): number {
  return decodeWith(FLOAT16, h);
}
/** float32 value -> bfloat16 bits (RNE, overflow to ±Inf, NaN -> ±0x7FC0). */
export function float32ToBFloat16Bits(x: number): number {
  return encodeMiniFloat(x, BFLOAT16);
}
export function bfloat16BitsToFloat32(h: number): number {
  return bitsToF32((h & 0xffff) << 16);
}
/** Rounds a float32 value to the nearest float16 value (RNE) and returns it as a number. */
export function roundToFloat16(x: number): number {
  return decodeWith(FLOAT16, encodeMiniFloat(x, FLOAT16));
}
/** Rounds a float32 value to the nearest bfloat16 value (RNE). */
export function roundToBFloat16(x: number): number {
  return bfloat16BitsToFloat32(encodeMiniFloat(x, BFLOAT16));
}

// ---------------------------------------------------------------------------------------------
// float8e8m0 (MX scale type): unsigned, exponent only, value 2^(code-127), 0xFF = NaN, no zero.

export type E8M0Rounding = 'up' | 'down' | 'nearest';

export function float8e8m0ToFloat32(code: number): number {
  const c = code & 0xff;
  return c === 0xff ? NaN : 2 ** (c - 127);
}

/**
 * float32 -> float8e8m0, transcribing onnx `numpy_helper.to_float8e8m0(x, saturate, round_mode)`
 * (defaults `saturate=true`, `round_mode='up'`): the code is the float32 biased exponent field
 * (the sign is dropped), NaN and ±Inf -> 0xFF; 'up' adds 1 when the mantissa is non-zero, 'nearest'
 * adds 1 when guard && (round || sticky || exponent > 0) (the helper's rule, kept verbatim), 'down'
 * truncates. With `saturate` an increment from 0xFE is suppressed; without it 0xFE + 1 = 0xFF (NaN).
 */
export function float32ToFloat8e8m0(x: number, saturate = true, rounding: E8M0Rounding = 'up'): number {
  const bits = f32ToBits(x);
  const e = (bits >>> 23) & 0xff;
  if (e === 0xff) return 0xff;
  let up = false;
  if (rounding === 'up') up = (bits & 0x7fffff) !== 0;
  else if (rounding === 'nearest') {
    const g = (bits & 0x400000) !== 0;
    const r = (bits & 0x200000) !== 0;
    const st = (bits & 0x1fffff) !== 0;
    up = g && (r || st || e > 0);
  }
  if (up && saturate && e === 0xfe) up = false;
  return up ? e + 1 : e;
}

// ---------------------------------------------------------------------------------------------
// Generic element <-> number access over in-memory storage (see src/sim/tensor.ts).

/** The numeric value of element storage code `v` of type `dtype` (narrow floats decoded). */
export function decodeElement(dtype: DataType, v: number): number {
  const f = MINI_FLOATS.get(dtype);
  if (f) return decodeWith(f, v);
  if (dtype === DataType.FLOAT8E8M0) return float8e8m0ToFloat32(v);
  return v;
}

/** Reads a whole tensor payload as float64 numbers (exact for every type up to 32 bits; int64 may round). */
export function toNumberArray(dtype: DataType, data: ArrayLike<number | bigint> | string[]): Float64Array {
  const out = new Float64Array(data.length);
  const f = MINI_FLOATS.get(dtype);
  for (let i = 0; i < data.length; i++) {
    const raw = data[i];
    if (typeof raw === 'string') throw new Error('string tensors have no numeric value');
    const v = typeof raw === 'bigint' ? Number(raw) : raw;
    out[i] = f ? decodeWith(f, v) : dtype === DataType.FLOAT8E8M0 ? float8e8m0ToFloat32(v) : v;
  }
  return out;
}
