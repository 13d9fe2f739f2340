/**
 * Quantize and dequantize: per tensor, per axis, blocked; every integer output type, float8 with
 * saturate on/off, float4e2m1. The default arithmetic is the ONNX spec / ORT / TensorRT formula
 *
 *     q = clamp(round_half_even(fl32(x / s)) + zp, qmin, qmax)
 *
 * with the named variants of ./rounding.ts. Special values (default `saturate` overflow mode):
 *
 * | x / s                       | integer output               | float8 saturate=1  | float8 saturate=0        |
 * |-----------------------------|------------------------------|--------------------|--------------------------|
 * | NaN                         | qmin (ORT and the reference) | NaN code           | NaN code                 |
 * | +Inf, >= 2^31, > qmax - zp  | qmax                         | +max               | e5m2: +Inf, others: NaN  |
 * | -Inf, <= -2^31, < qmin - zp | qmin                         | -max               | e5m2: -Inf, others: NaN  |
 * | ±0, subnormal quotient      | zp (rounds to 0)             | ±0 (fnuz: 0)       | same                     |
 *
 * Subnormal x and subnormal scales are used as they are (no flush to zero). Long float32 runs go
 * through a WebAssembly SIMD kernel with the same arithmetic (./quantize-simd.ts; QDQSIM_NO_SIMD=1
 * forces the JS loop). With overflow mode
 * 'int32_wrap_to_qmin' (the ONNX reference on x86), NaN, ±Inf and any rounded quotient outside
 * [-2^31, 2^31) become INT32_MIN, the zero point is added with int32 wrap-around, then the result is
 * clamped: +Inf therefore gives qmin (or qmax when zp < 0, as numpy's wrapping add does).
 *
 * Division precision: the scale's type decides (opset 23 text): float32 scales divide in float32,
 * float16 / bfloat16 scales give fl16(fl32(x/s)) / bf16(fl32(x/s)) (double rounding through float32 is
 * innocuous for a quotient of two float16 or bfloat16 values), float8e8m0 and int32 scales divide in
 * float32. `precision` overrides it; DataType.DOUBLE divides in float64 (what the ONNX reference
 * does for int32 x with a float32 scale).
 */
import { DataType, dataTypeName } from '../data-type.ts';
import { type Tensor, type TensorData, sizeOf, storageFor } from '../tensor.ts';
import {
  decodeElement, encodeMiniFloat, intRange, isFloat8, isIntegerType, miniFloatFormat, roundToBFloat16,
  roundToFloat16, FLOAT4E2M1, float32ToBFloat16Bits, float32ToFloat16Bits,
} from './dtype.ts';
import { type ParamNames, type ResolvedParams, forEachParamRun, resolveParams } from './quant-params.ts';
import { type QuantVariant, RNE_MAGIC64, fl32, roundWith, variantOf } from './rounding.ts';
import { quantizeRunSimd } from './quantize-simd.ts';

/** Runs at least this long go through the WebAssembly SIMD kernel (./quantize-simd.ts). */
const SIMD_MIN_RUN = 64;

const INT32_MIN = -2147483648;
const TWO31 = 2147483648;

/** The types QuantizeLinear can produce. */
export function isQuantOutputType(dt: DataType): boolean {
  return (isIntegerType(dt) && dt !== DataType.INT32 && dt !== DataType.UINT32) || isFloat8(dt) || dt === DataType.FLOAT4E2M1;
}

/** x / s in the given precision, by the variant's scale operation. */
export function divideInPrecision(x: number, s: number, precision: DataType, scaleOp: QuantVariant['scaleOp']): number {
  if (precision === DataType.DOUBLE) return scaleOp === 'div' ? x / s : x * (1 / s);
  const sf = fl32(s); // a float32 scale: a JS number given here is rounded to float32 first
  const q = scaleOp === 'div' ? fl32(x / sf) : fl32(x * fl32(1 / sf));
  if (precision === DataType.FLOAT16) return roundToFloat16(q);
  if (precision === DataType.BFLOAT16) return roundToBFloat16(q);
  return q;
}

/**
 * Integer code for an already divided quotient `v` (see the table above): rounding, zero point and
 * clamp per the variant.
 */
export function quantizeQuotient(v: number, zp: number, qmin: number, qmax: number, variant: QuantVariant): number {
  if (variant.overflow === 'int32_wrap_to_qmin') {
    let r = roundWith(variant.rounding, variant.zeroPoint === 'before_round' ? v + zp : v);
    if (!(r >= -TWO31 && r < TWO31)) r = INT32_MIN;
    const q = variant.zeroPoint === 'before_round' ? r : (r + zp) | 0;
    return q < qmin ? qmin : q > qmax ? qmax : q;
  }
  if (v !== v) return qmin;
  const r = variant.zeroPoint === 'before_round' ? roundWith(variant.rounding, v + zp) : roundWith(variant.rounding, v) + zp;
  return r < qmin ? qmin : r > qmax ? qmax : r;
}

/** The division precision the spec assigns to a scale type (see the module comment). */
export function defaultPrecision(scaleDtype: DataType): DataType {
  return scaleDtype === DataType.FLOAT16 || scaleDtype === DataType.BFLOAT16 || scaleDtype === DataType.DOUBLE ? scaleDtype : DataType.FLOAT;
}

/**
 * Quantizes one value: the scalar oracle. `dtype` is the output type; the result is the integer
 * (or float8/float4 code) that QuantizeLinear stores. Scale/zero point are numbers (a float8 or float4
 * zero point is its decoded value); division in float32 unless `precision` says otherwise. In float32
 * precision the scale is a float32: a JS number such as 0.05 is rounded to float32 first.
 */
export function quantizeScalar(
  x: number, scale: number, zeroPoint: number, dtype: DataType,
  opts: { variant?: Partial<QuantVariant>; saturate?: boolean; precision?: DataType } = {},
): number {
  const variant = variantOf(opts.variant);
  const v = divideInPrecision(x, scale, opts.precision ?? DataType.FLOAT, variant.scaleOp);
  if (isFloat8(dtype)) return encodeMiniFloat(v, miniFloatFormat(dtype), opts.saturate ?? true);
  if (dtype === DataType.FLOAT4E2M1) return encodeMiniFloat(fl32(v + zeroPoint), FLOAT4E2M1, true);
  const r = intRange(dtype);
  return quantizeQuotient(v, zeroPoint, r.min, r.max, variant);
}

/** Dequantizes one value in float32: fl32(fl32(q - zp) * fl32(s)). */
export function dequantizeScalar(q: number, scale: number, zeroPoint = 0): number {
  return fl32(fl32(q - zeroPoint) * fl32(scale));
}

export interface QuantizeOptions {
  /** Output element type: an integer type up to 16 bits, a float8 type or FLOAT4E2M1. */
  outputDtype: DataType;
  /** Per-axis / blocked axis (default 1, as ONNX). */
  axis?: number;
  /** Blocked quantization block size (0 = not blocked). */
  blockSize?: number;
  /** float8 outputs only: saturate out-of-range values to ±max (default true). */
  saturate?: boolean;
  /** Division precision override (FLOAT, FLOAT16, BFLOAT16, DOUBLE). */
  precision?: DataType;
  variant?: Partial<QuantVariant>;
  names?: ParamNames;
  /** Preallocated output storage (the type's storage, x's element count); avoids a fresh allocation. */
  out?: TensorData;
}

type NumArray = Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>;

/** x's elements as exact numbers (float16/bfloat16 decoded, int32 as is). */
function xValues(x: Tensor, what: string): ArrayLike<number> {
  switch (x.dtype) {
    case DataType.FLOAT: case DataType.DOUBLE: case DataType.INT32: return x.data as Float32Array;
    case DataType.FLOAT16: case DataType.BFLOAT16: {
      const d = x.data as Uint16Array;
      const out = new Float64Array(d.length);
      for (let i = 0; i < d.length; i++) out[i] = decodeElement(x.dtype, d[i]);
      return out;
    }
    default: throw new Error(`${what}: QuantizeLinear input type ${dataTypeName(x.dtype)} is not supported (FLOAT, FLOAT16, BFLOAT16, INT32)`);
  }
}

/** Quantizes a tensor; see the module comment for the arithmetic. */
export function quantizeTensor(x: Tensor, scale: Tensor, zeroPoint: Tensor | undefined, opts: QuantizeOptions): Tensor {
  const what = `tensor '${opts.names?.x ?? 'x'}'`;
  const out = opts.outputDtype;
  if (!isQuantOutputType(out)) throw new Error(`${what}: cannot quantize to ${dataTypeName(out)}`);
  if (zeroPoint && zeroPoint.dtype !== out) {
    throw new Error(`tensor '${opts.names?.zeroPoint ?? 'zero point'}': zero point type ${dataTypeName(zeroPoint.dtype)} differs from the output type ${dataTypeName(out)}`);
  }
  const p = resolveParams(x.dims, scale, zeroPoint, { axis: opts.axis, blockSize: opts.blockSize, names: opts.names });
  const variant = variantOf(opts.variant);
  const precision = opts.precision ?? defaultPrecision(p.scaleDtype);
  let xs = xValues(x, what);
  if (x.dtype === DataType.INT32 && precision !== DataType.DOUBLE) xs = Float64Array.from(xs, Math.fround); // int32 -> float32 first
  const n = sizeOf(x.dims);
  const y = (opts.out ?? storageFor(out, n)) as NumArray;
  if (opts.out && (opts.out.length !== n || opts.out.constructor !== storageFor(out, 0).constructor)) {
    throw new Error(`${what}: the preallocated output must be a ${storageFor(out, 0).constructor.name} of ${n} elements`);
  }
  if (isFloat8(out)) {
    const f = miniFloatFormat(out);
    const sat = opts.saturate ?? true;
    forEachParamRun(p, n, (a, b, k) => {
      const s = p.scales[k];
      for (let i = a; i < b; i++) y[i] = encodeMiniFloat(divideInPrecision(xs[i], s, precision, variant.scaleOp), f, sat);
    });
  } else if (out === DataType.FLOAT4E2M1) {
    forEachParamRun(p, n, (a, b, k) => {
      const s = p.scales[k];
      const zp = p.zeroPoints[k];
      for (let i = a; i < b; i++) y[i] = encodeMiniFloat(fl32(divideInPrecision(xs[i], s, precision, variant.scaleOp) + zp), FLOAT4E2M1, true);
    });
  } else {
    const { min, max } = intRange(out);
    const fast = x.dtype === DataType.FLOAT && precision === DataType.FLOAT && variant.overflow === 'saturate'
      && variant.rounding === 'half_even' && variant.zeroPoint === 'after_round';
    const kind = out === DataType.INT8 ? 'i8' : out === DataType.UINT8 ? 'u8' : out === DataType.INT16 ? 'i16' : out === DataType.UINT16 ? 'u16' : null;
    forEachParamRun(p, n, (a, b, k) => {
      const s = p.scales[k];
      const zp = p.zeroPoints[k];
      if (fast) {
        let from = a;
        if (kind && b - a >= SIMD_MIN_RUN) {
          const r = quantizeRunSimd(xs as Float32Array, a, b, s, zp, min, max, variant.scaleOp === 'mul_inv', kind, y as Int8Array);
          if (r >= 0) from = r;
        }
        quantizeRunF32(xs as Float32Array, from, b, s, zp, min, max, variant.scaleOp, y);
      }
      else for (let i = a; i < b; i++) y[i] = quantizeQuotient(divideInPrecision(xs[i], s, precision, variant.scaleOp), zp, min, max, variant);
    });
  }
  return { dtype: out, dims: [...x.dims], data: y };
}

/**
 * The hot loop: float32 x, float32 division, round half to even, saturate. Clamping the quotient to
 * [qmin - zp, qmax - zp] before rounding equals clamping after (the bounds are integers); NaN fails
 * both comparisons and lands on the lower bound, i.e. qmin. After the clamp |v| < 2^17, so adding
 * and subtracting 1.5 * 2^52 rounds half to even in one float64 step.
 */
export function quantizeRunF32(
  x: Float32Array, start: number, end: number, s: number, zp: number, qmin: number, qmax: number,
  scaleOp: QuantVariant['scaleOp'], y: NumArray,
): void {
  const lo = qmin - zp;
  const hi = qmax - zp;
  const M = RNE_MAGIC64;
  s = Math.fround(s); // float32 scale (a JS number given here is rounded first, as everywhere)
  if (scaleOp === 'div') {
    for (let i = start; i < end; i++) {
      let v = Math.fround(x[i] / s);
      v = v >= lo ? (v <= hi ? v : hi) : lo;
      y[i] = v + M - M + zp;
    }
  } else {
    const inv = Math.fround(1 / s);
    for (let i = start; i < end; i++) {
      let v = Math.fround(x[i] * inv);
      v = v >= lo ? (v <= hi ? v : hi) : lo;
      y[i] = v + M - M + zp;
    }
  }
}

export interface DequantizeOptions {
  axis?: number;
  blockSize?: number;
  /** FLOAT (default: the scale's type when that is FLOAT16/BFLOAT16, else FLOAT), FLOAT16 or BFLOAT16. */
  outputDtype?: DataType;
  names?: ParamNames;
}

/**
 * y = (x - zp) * s: formed in float32 as fl32(fl32(x - zp) * s), then rounded once to a float16 /
 * bfloat16 output (what the ONNX reference does). x - zp is exact for every type up to 16 bits; an
 * int32 x is first rounded to float32 (as the reference's astype(float32)). Float8 inputs require a
 * zero point of 0 (as the reference); float4e2m1 zero points are subtracted as values.
 */
export function dequantizeTensor(x: Tensor, scale: Tensor, zeroPoint: Tensor | undefined, opts: DequantizeOptions = {}): Tensor {
  const what = `tensor '${opts.names?.x ?? 'x'}'`;
  const int = isIntegerType(x.dtype);
  if (!int && !isFloat8(x.dtype) && x.dtype !== DataType.FLOAT4E2M1) {
    throw new Error(`${what}: DequantizeLinear input type ${dataTypeName(x.dtype)} is not a quantized type`);
  }
  if (zeroPoint && zeroPoint.dtype !== x.dtype) {
    throw new Error(`tensor '${opts.names?.zeroPoint ?? 'zero point'}': zero point type ${dataTypeName(zeroPoint.dtype)} differs from the input type ${dataTypeName(x.dtype)}`);
  }
  if (zeroPoint && x.dtype === DataType.INT32) {
    const zd = zeroPoint.data as Int32Array;
    if (zd.some((z) => z !== 0)) throw new Error(`tensor '${opts.names?.zeroPoint ?? 'zero point'}': an int32 input has no zero point (must be 0)`);
  }
  const p = resolveParams(x.dims, scale, zeroPoint, { axis: opts.axis, blockSize: opts.blockSize, names: opts.names });
  if (isFloat8(x.dtype) && p.zeroPoints.some((z) => z !== 0)) {
    throw new Error(`tensor '${opts.names?.zeroPoint ?? 'zero point'}': a float8 input needs a zero point of 0`);
  }
  const outDtype = opts.outputDtype ?? (p.scaleDtype === DataType.FLOAT16 || p.scaleDtype === DataType.BFLOAT16 ? p.scaleDtype : DataType.FLOAT);
  if (outDtype !== DataType.FLOAT && outDtype !== DataType.FLOAT16 && outDtype !== DataType.BFLOAT16) {
    throw new Error(`${what}: DequantizeLinear output type ${dataTypeName(outDtype)} is not FLOAT, FLOAT16 or BFLOAT16`);
  }
  const n = sizeOf(x.dims);
  const xd = x.data as NumArray;
  const decode = !int;
  const y = storageFor(outDtype, n) as Float32Array | Uint16Array;
  forEachParamRun(p, n, (a, b, k) => {
    const s = p.scales[k];
    const zp = p.zeroPoints[k];
    if (outDtype === DataType.FLOAT && !decode) {
      const yf = y as Float32Array;
      for (let i = a; i < b; i++) yf[i] = Math.fround(Math.fround(xd[i] - zp) * s);
    } else {
      for (let i = a; i < b; i++) {
        const xv = decode ? decodeElement(x.dtype, xd[i]) : xd[i];
        const v = fl32(fl32(xv - zp) * s);
        y[i] = outDtype === DataType.FLOAT ? v : outDtype === DataType.FLOAT16 ? float32ToFloat16Bits(v) : float32ToBFloat16Bits(v);
      }
    }
  });
  return { dtype: outDtype, dims: [...x.dims], data: y };
}

export type { ResolvedParams };
