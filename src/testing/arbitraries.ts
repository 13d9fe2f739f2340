/**
 * fast-check arbitraries for quantization tests: float32 bit patterns (with the specials), positive
 * finite scales, zero points per type, near-tie values, tensors and whole quantization-parameter sets.
 */
import fc from 'fast-check';
import { DataType } from '../sim/data-type.ts';
import type { Tensor } from '../sim/tensor.ts';
import { INT_QUANT_TYPES, bitsToF32, f32ToBits, intRange } from '../sim/golden/dtype.ts';

/** Any float32 value from its bit pattern: NaN, ±Inf, ±0, subnormals included. */
export function float32Bits(): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 0xffffffff }).map(bitsToF32);
}

/** A finite float32 in [-maxAbs, maxAbs] (default 1e4), or with the specials mixed in. */
export function float32(opts: { maxAbs?: number; specials?: boolean } = {}): fc.Arbitrary<number> {
  const m = Math.fround(opts.maxAbs ?? 1e4);
  const base = fc.float({ min: -m, max: m, noNaN: true, noDefaultInfinity: true });
  if (!opts.specials) return base;
  return fc.oneof({ weight: 8, arbitrary: base }, { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0, 1e-45, -1e-45, 3.4028234663852886e38) });
}

/** A positive, finite float32 scale (default [2^-20, 2^10]; the golden reference accepts any finite > 0). */
export function scale(opts: { min?: number; max?: number } = {}): fc.Arbitrary<number> {
  return fc.float({ min: Math.fround(opts.min ?? 2 ** -20), max: Math.fround(opts.max ?? 2 ** 10), noNaN: true, noDefaultInfinity: true })
    .filter((s) => s > 0);
}

/** An integer quantization output type (int8, uint8, int16, uint16, int4, uint4, int2, uint2). */
export function intQuantType(types: readonly DataType[] = INT_QUANT_TYPES): fc.Arbitrary<DataType> {
  return fc.constantFrom(...types);
}

/** A zero point in the type's range. */
export function zeroPoint(dtype: DataType): fc.Arbitrary<number> {
  const r = intRange(dtype);
  return fc.integer({ min: r.min, max: r.max });
}

/** Values whose float32 quotient by `s` sits on or within `ulps` of a rounding tie (k + 0.5). */
export function nearTie(s: number, opts: { kMin?: number; kMax?: number; ulps?: number } = {}): fc.Arbitrary<number> {
  const u = opts.ulps ?? 2;
  return fc.tuple(fc.integer({ min: opts.kMin ?? -200, max: opts.kMax ?? 200 }), fc.integer({ min: -u, max: u }))
    .map(([k, d]) => {
      const t = Math.fround((k + 0.5) * s);
      return t === 0 ? t : bitsToF32(f32ToBits(t) + d);
    });
}

const STORAGE: Partial<Record<DataType, { from(a: ArrayLike<number>): ArrayLike<number> }>> = {
  [DataType.FLOAT]: Float32Array, [DataType.INT8]: Int8Array, [DataType.UINT8]: Uint8Array, [DataType.INT16]: Int16Array,
  [DataType.UINT16]: Uint16Array, [DataType.INT32]: Int32Array, [DataType.INT4]: Int8Array, [DataType.UINT4]: Uint8Array,
  [DataType.INT2]: Int8Array, [DataType.UINT2]: Uint8Array,
};

/** Builds a Tensor from plain numbers (FLOAT and the integer types). */
export function tensorOf(dtype: DataType, dims: number[], values: ArrayLike<number>): Tensor {
  const C = STORAGE[dtype];
  if (!C) throw new Error(`tensorOf: unsupported type ${DataType[dtype]}`);
  return { dtype, dims, data: C.from(values) as Tensor['data'] };
}

/** Dims of rank 1..maxRank with every dim in [1, maxDim]. */
export function dims(opts: { maxRank?: number; maxDim?: number } = {}): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 1, max: opts.maxDim ?? 5 }), { minLength: 1, maxLength: opts.maxRank ?? 4 });
}

/** A float32 tensor of the given dims (or random dims). */
export function floatTensor(d?: number[], values: fc.Arbitrary<number> = float32({ specials: true })): fc.Arbitrary<Tensor> {
  const dimsArb = d ? fc.constant(d) : dims();
  return dimsArb.chain((ds) => fc.array(values, { minLength: ds.reduce((a, b) => a * b, 1), maxLength: ds.reduce((a, b) => a * b, 1) })
    .map((v) => tensorOf(DataType.FLOAT, ds, v)));
}

/** An integer tensor of `dtype` covering its whole range. */
export function intTensor(dtype: DataType, d?: number[]): fc.Arbitrary<Tensor> {
  const r = intRange(dtype);
  const dimsArb = d ? fc.constant(d) : dims();
  return dimsArb.chain((ds) => fc.array(fc.integer({ min: r.min, max: r.max }), { minLength: ds.reduce((a, b) => a * b, 1), maxLength: ds.reduce((a, b) => a * b, 1) })
    .map((v) => tensorOf(dtype, ds, v)));
}

export interface QuantCase {
  x: Tensor;
  scale: Tensor;
  zeroPoint: Tensor;
  outputDtype: DataType;
  axis: number;
  blockSize: number;
  granularity: 'tensor' | 'axis' | 'block';
}

/**
 * A complete, valid QuantizeLinear parameter set: x (float32, specials included), scale and zero point
 * per tensor, per axis or blocked, for an integer output type.
 */
export function quantParams(opts: { types?: readonly DataType[]; granularity?: QuantCase['granularity'][] } = {}): fc.Arbitrary<QuantCase> {
  return fc.record({
    dtype: intQuantType(opts.types),
    ds: dims({ maxRank: 3, maxDim: 6 }),
    gran: fc.constantFrom(...(opts.granularity ?? ['tensor', 'axis', 'block'] as const)),
    axisSeed: fc.nat(),
    block: fc.integer({ min: 1, max: 4 }),
    seed: fc.nat(),
  }).chain(({ dtype, ds, gran, axisSeed, block }) => {
    const axis = axisSeed % ds.length;
    const sdims = gran === 'tensor' ? [] : gran === 'axis' ? [ds[axis]] : ds.map((d, i) => (i === axis ? Math.ceil(d / block) : d));
    const ns = sdims.reduce((a, b) => a * b, 1);
    const n = ds.reduce((a, b) => a * b, 1);
    return fc.record({
      s: fc.array(scale(), { minLength: ns, maxLength: ns }),
      z: fc.array(zeroPoint(dtype), { minLength: ns, maxLength: ns }),
      x: fc.array(float32({ specials: true }), { minLength: n, maxLength: n }),
    }).map(({ s, z, x }) => ({
      x: tensorOf(DataType.FLOAT, ds, x), scale: tensorOf(DataType.FLOAT, sdims, s), zeroPoint: tensorOf(dtype, sdims, z),
      outputDtype: dtype, axis, blockSize: gran === 'block' ? block : 0, granularity: gran,
    }));
  });
}
