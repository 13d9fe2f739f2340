// SPDX-License-Identifier: Apache-2.0
/**
 * Validation and device layout of quantization parameters shared by the quantize, dequantize and
 * fake-quant kernels (wgsl/common/quant.wgsl), plus the chunked element-wise dispatch they all use.
 */
import { DataType, dataTypeName } from '../sim/data-type.ts';
import { bitsToF32, f32ToBits, intRange } from '../sim/golden/dtype.ts';
import { quantizeQuotient } from '../sim/golden/quantize.ts';
import { type QuantVariant, roundWith, scaleDivide, variantOf } from '../sim/golden/rounding.ts';
import type { ExactMethod, KernelDesc } from './kernel-spec.ts';
import { KEY_MAX, KEY_MIN, buildThresholds, f32Key, keyToF32 } from './lut.ts';
import { grid1d, type KernelRunner } from './runner.ts';

/** The quantized types the kernels store one code per byte: the integer types of at most 8 bits. */
export const KERNEL_QUANT_DTYPES: readonly DataType[] = [DataType.INT8, DataType.UINT8, DataType.INT4, DataType.UINT4, DataType.INT2, DataType.UINT2];

export function quantRange(dtype: DataType): readonly [number, number] {
  if (!KERNEL_QUANT_DTYPES.includes(dtype)) {
    throw new TypeError(`unsupported quantized dtype ${dataTypeName(dtype)} for the WebGPU kernels ` +
      `(supported: ${KERNEL_QUANT_DTYPES.map(dataTypeName).join(', ')})`);
  }
  const r = intRange(dtype);
  return [r.min, r.max];
}

export function isSignedQuant(dtype: DataType): boolean { return quantRange(dtype)[0] < 0; }

export interface QuantParams {
  /** Code type (quantize / dequantize); for fake quantization `range` may be given instead. */
  dtype?: DataType;
  /** Explicit [qmin, qmax] (fake quantization, e.g. narrow range [-127, 127]); at most 65536 levels. */
  range?: readonly [number, number];
  /** One scale (per tensor) or one per channel along `axis`; each a finite f32 > 0. */
  scale: ArrayLike<number>;
  /** Same length as `scale`; integers inside the dtype's range. Default 0. */
  zeroPoint?: ArrayLike<number>;
  /** Channel axis for per-channel parameters (negative counts from the end). */
  axis?: number;
  /** The golden reference's named variant knobs (src/sim/golden/rounding.ts); default: the ONNX spec. */
  variant?: Partial<QuantVariant>;
  /** 'lut' (default, fast, every variant) or 'integer' (f32 emulated in u32, spec and PyTorch variants). */
  method?: ExactMethod;
}

export interface PreparedQuant {
  dtype: DataType | undefined;
  qmin: number;
  qmax: number;
  levels: number;
  channels: number;
  inner: number;
  variant: QuantVariant;
  method: ExactMethod;
  nanCode: number;
  scaleBits: Uint32Array;
  invBits: Uint32Array;
  zeroPoint: Int32Array;
  /** Per channel: T[levels] thresholds (T[0] = reachable count). */
  lut: Int32Array;
}

/** Throws unless the integer method implements `v` (it emulates the default rounding and saturation only). */
export function checkIntegerVariant(v: QuantVariant, what: string): void {
  if (v.rounding !== 'half_even' || v.overflow !== 'saturate' || v.zeroPoint !== 'after_round') {
    throw new RangeError(`${what}: method 'integer' implements rounding 'half_even', overflow 'saturate', zeroPoint 'after_round' ` +
      `(got ${v.rounding}, ${v.overflow}, ${v.zeroPoint}); use method 'lut'`);
  }
}

/** The lut method: any variant (the int32-wrap overflow is handled by a per-channel key window). */
export function checkLutVariant(v: QuantVariant, what: string): void {
  void v; void what;
}

export function prepareQuant(dims: readonly number[], p: QuantParams, name = 'x'): PreparedQuant {
  let qmin: number, qmax: number;
  if (p.range) {
    [qmin, qmax] = p.range;
    if (!Number.isInteger(qmin) || !Number.isInteger(qmax) || !(qmin < qmax) || qmax - qmin >= 65536 || Math.abs(qmin) > 2 ** 24 || Math.abs(qmax) > 2 ** 24) {
      throw new RangeError(`${name}: range [${qmin}, ${qmax}] must be integers with qmin < qmax, at most 65536 levels, |q| <= 2^24`);
    }
    if (p.dtype !== undefined) { const [lo, hi] = quantRange(p.dtype); if (qmin < lo || qmax > hi) throw new RangeError(`${name}: range [${qmin}, ${qmax}] exceeds ${dataTypeName(p.dtype)}`); }
  } else {
    if (p.dtype === undefined) throw new TypeError(`${name}: give a dtype or a range`);
    [qmin, qmax] = quantRange(p.dtype);
  }
  const C = p.scale.length;
  if (C < 1) throw new RangeError(`${name}: scale is empty`);
  const zpIn = p.zeroPoint ?? new Array<number>(C).fill(0);
  if (zpIn.length !== C) throw new RangeError(`${name}: zero point has ${zpIn.length} entries, scale has ${C}`);
  let inner = 1;
  const n = dims.reduce((a, b) => a * b, 1);
  if (C > 1) {
    if (p.axis === undefined) throw new RangeError(`${name}: ${C} scales need an axis`);
    const r = dims.length;
    if (!Number.isInteger(p.axis) || p.axis < -r || p.axis >= r) throw new RangeError(`${name}: axis ${p.axis} out of range for rank ${r}`);
    const ax = p.axis < 0 ? p.axis + r : p.axis;
    if (dims[ax] !== C) throw new RangeError(`${name}: per-axis scale length ${C} does not match dims[${ax}] = ${dims[ax]} of [${dims.join(',')}]`);
    for (let i = ax + 1; i < r; i++) inner *= dims[i]!;
  } else inner = Math.max(1, n);
  const scaleBits = new Uint32Array(C), invBits = new Uint32Array(C), zeroPoint = new Int32Array(C);
  for (let c = 0; c < C; c++) {
    const s = p.scale[c]!;
    if (!(s > 0) || !Number.isFinite(s)) throw new RangeError(`${name}: scale[${c}] = ${p.scale[c]} must be a finite float32 > 0`);
    if (Math.fround(s) !== s) throw new RangeError(`${name}: scale[${c}] = ${s} is not a float32 value (Math.fround it first)`);
    const z = zpIn[c]!;
    if (!Number.isInteger(z) || z < qmin || z > qmax) throw new RangeError(`${name}: zero point[${c}] = ${z} outside [${qmin}, ${qmax}]`);
    scaleBits[c] = f32ToBits(s);
    invBits[c] = f32ToBits(Math.fround(1 / s));
    zeroPoint[c] = z;
  }
  const variant = variantOf(p.variant);
  const method = p.method ?? (qmax - qmin < 256 || variant.rounding !== 'half_even' || variant.zeroPoint !== 'after_round' ? 'lut' : 'integer');
  if (method === 'integer') checkIntegerVariant(variant, name); else checkLutVariant(variant, name);
  const nanCode = qmin; // golden quantize.ts: NaN -> qmin under 'saturate'
  const levels = qmax - qmin + 1;
  const wrap = variant.overflow === 'int32_wrap_to_qmin';
  const lut = new Int32Array(method === 'lut' ? C * levels + (wrap ? 8 * C : 0) : 1);
  if (method === 'lut') {
    for (let c = 0; c < C; c++) {
      const s = bitsToF32(scaleBits[c]!), z = zeroPoint[c]!;
      const base = c * levels;
      const step = (k: number) => quantizeQuotient(scaleDivide(keyToF32(k), s, variant.scaleOp), z, qmin, qmax, variant) - qmin;
      let lo = KEY_MIN, hi = KEY_MAX;
      if (wrap) {
        // the five key intervals of quant.wgsl's WRAP comment; r is monotone, so each bound is a search
        const before = variant.zeroPoint === 'before_round';
        const r = (k: number) => { const v = scaleDivide(keyToF32(k), s, variant.scaleOp); return roundWith(variant.rounding, before ? v + z : v); };
        const T31 = 2 ** 31;
        const a = firstKey((k) => r(k) >= -T31), d = firstKey((k) => r(k) >= T31);
        const b = before ? a : Math.max(a, firstKey((k) => r(k) + z >= -T31));
        const cc = before ? d - 1 : Math.min(d - 1, firstKey((k) => r(k) + z >= T31) - 1);
        const at = (k: number) => step(k) + qmin;
        const w = C * levels + 8 * c;
        lut.set([a, b, cc, d, quantizeQuotient(NaN, z, qmin, qmax, variant), b > a ? at(a) : 0, cc + 1 < d ? at(cc + 1) : 0, 0], w);
        lo = b; hi = cc;
      }
      buildThresholds(levels, step, lo, hi, lut, base, (j) => f32Key(Math.fround((qmin + j - z - 0.5) * s)));
    }
  }
  return { dtype: p.dtype, qmin, qmax, levels, channels: C, inner, variant, method, nanCode, scaleBits, invBits, zeroPoint, lut };
}

/** Smallest key in [lo, hi] where `pred` (false then true along the keys) holds; hi + 1 if none. */
export function firstKey(pred: (k: number) => boolean, lo = KEY_MIN, hi = KEY_MAX): number {
  let a = lo, b = hi + 1;
  while (a < b) { const m = a + Math.floor((b - a) / 2); if (pred(m)) b = m; else a = m + 1; }
  return a;
}

/** Invocations per workgroup of the element-wise quant kernels (override WG). */
export const QUANT_WG = 256;

export function quantDesc(stem: string, q: PreparedQuant, extra: Record<string, number> = {}): KernelDesc {
  return { stem, bindings: ['uniform', 'read', 'read', 'read', 'read_write'], overrides: {
    METHOD: q.method === 'integer' ? 0 : 1, VARIANT: q.variant.scaleOp === 'div' ? 0 : 1,
    WRAP: q.method === 'lut' && q.variant.overflow === 'int32_wrap_to_qmin' ? 1 : 0,
    FAST: q.variant.rounding === 'half_up' && q.variant.zeroPoint === 'before_round' ? 0 : 1,
    WIDE_CODES: q.levels > 256 ? 1 : 0, WG: QUANT_WG, ...extra } };
}

/**
 * quant.wgsl `fast_limit` for a scale: 0 (native fast paths off) outside [2^-100, 2^100], where their error
 * arguments need subnormal-free intermediates; else L << 23 such that |x| < 2^(L - 127) keeps
 * |x * fl32(1/s)| < 2^126 (fl32(1/s) < 2^(e + 1) for its unbiased exponent e). L <= 255 shuts out Inf/NaN.
 */
export function fastLimit(scaleBits: number, invBits: number): number {
  const es = ((scaleBits >>> 23) & 0xff) - 127;
  if (es < -100 || es >= 100) return 0;
  const ei = ((invBits >>> 23) & 0xff) - 127;
  return (Math.min(252 - ei, 255) << 23) >>> 0;
}

/** The per-channel vec4u words of quant.wgsl: (s bits, fl32(1/s) bits, zero point, fast_limit). */
export function channelWords(q: PreparedQuant): Uint32Array {
  const w = new Uint32Array(4 * q.channels);
  for (let c = 0; c < q.channels; c++) {
    w[4 * c] = q.scaleBits[c]!; w[4 * c + 1] = q.invBits[c]!; w[4 * c + 2] = q.zeroPoint[c]! >>> 0;
    w[4 * c + 3] = fastLimit(q.scaleBits[c]!, q.invBits[c]!);
  }
  return w;
}

/**
 * Run an element-wise quant kernel over `n` elements, in chunks that fit the device's storage binding
 * limit (chunks are multiples of 1024 elements so 4-per-word packing stays aligned). One workgroup covers
 * `wordsPerWorkgroup` groups of 4 elements (WG, or WG x UNROLL for the kernels with an UNROLL override).
 */
export async function runQuantElementwise(runner: KernelRunner, desc: KernelDesc, q: PreparedQuant, n: number,
  input: Uint8Array, inBytes: number, output: Uint8Array, outBytes: number, wordsPerWorkgroup = QUANT_WG): Promise<void> {
  if (n === 0) return;
  const maxElems = Math.floor(runner.maxBinding / Math.max(inBytes, outBytes) / 1024) * 1024;
  const pipeline = await runner.pipeline(desc);
  const params = [runner.upload(channelWords(q), 'chan'), runner.upload(q.lut, 'lut')];
  try {
    for (let base = 0; base < n; base += maxElems) {
      const len = Math.min(maxElems, n - base);
      const inLen = Math.ceil(len / 4) * 4 * inBytes, outLen = Math.ceil(len / 4) * 4 * outBytes;
      // pooled device buffers: repeated calls on large tensors touch no fresh memory (perf-baseline.md P1)
      const xb = runner.scratch(inLen, 'x');
      await runner.uploadInto(xb, input.subarray(base * inBytes, (base + len) * inBytes));
      const yb = runner.scratch(outLen, 'y');
      const u = runner.uniform([len, q.inner, q.channels, q.levels, q.qmin, q.qmax, q.nanCode, base]);
      await runner.submit(runner.encode(pipeline, [u, ...params, xb, yb], grid1d(Math.ceil(len / 4 / wordsPerWorkgroup))));
      // read back straight into the caller's output (no intermediate array)
      await runner.readback(yb, len * outBytes, output.subarray(base * outBytes, (base + len) * outBytes));
      runner.recycle(xb); runner.recycle(yb); u.destroy();
    }
  } finally {
    for (const b of params) b.destroy();
  }
}
