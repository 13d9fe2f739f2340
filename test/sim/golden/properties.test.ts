/**
 * fast-check property suites. Seeded: QDQSIM_SEED overrides the default; on a failure fast-check
 * prints the seed, the replay path and the first (shrunk) counterexample.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import type { Tensor } from '../../../src/sim/tensor.ts';
import {
  FLOAT4E2M1, FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, bitsToF32, decodeMiniFloat, encodeMiniFloat, intRange,
} from '../../../src/sim/golden/dtype.ts';
import { dequantizeScalar, quantizeScalar, quantizeTensor } from '../../../src/sim/golden/quantize.ts';
import { PYTORCH } from '../../../src/sim/golden/rounding.ts';
import { quantParams } from '../../../src/testing/arbitraries.ts';

const SEED = Number(process.env.QDQSIM_SEED ?? 20261130);
const RUNS = { seed: SEED, numRuns: 2000 };
const anyF32 = fc.integer({ min: 0, max: 0xffffffff }).map(bitsToF32);
const scaleArb = fc.float({ min: Math.fround(1e-30), max: Math.fround(1e30), noNaN: true, noDefaultInfinity: true }).filter((s) => s > 0);
const intTypes = [DataType.INT8, DataType.UINT8, DataType.INT4, DataType.UINT4, DataType.INT2, DataType.UINT2, DataType.INT16, DataType.UINT16];
const typedZp = fc.constantFrom(...intTypes).chain((dt) => {
  const r = intRange(dt);
  return fc.tuple(fc.constant(dt), fc.integer({ min: r.min, max: r.max }));
});
const storage = (dt: DataType, v: number[]) => ({
  [DataType.INT8]: Int8Array, [DataType.UINT8]: Uint8Array, [DataType.INT4]: Int8Array, [DataType.UINT4]: Uint8Array,
  [DataType.INT2]: Int8Array, [DataType.UINT2]: Uint8Array, [DataType.INT16]: Int16Array, [DataType.UINT16]: Uint16Array,
} as unknown as Record<number, { from(v: number[]): Int8Array }>)[dt].from(v);

describe('quantize properties', () => {
  it('the tensor fast path equals the scalar oracle on arbitrary float32 bit patterns', () => {
    fc.assert(fc.property(fc.array(anyF32, { minLength: 1, maxLength: 64 }), scaleArb, typedZp, (xs, s, [dt, zp]) => {
      const x: Tensor = { dtype: DataType.FLOAT, dims: [xs.length], data: Float32Array.from(xs) };
      const y = quantizeTensor(x, { dtype: DataType.FLOAT, dims: [], data: new Float32Array([s]) }, { dtype: dt, dims: [], data: storage(dt, [zp]) }, { outputDtype: dt });
      (x.data as Float32Array).forEach((v, i) => {
        const want = quantizeScalar(v, s, zp, dt);
        if ((y.data as Int8Array)[i] !== want) throw new Error(`element ${i}: x=${v} (bits ${new Uint32Array(Float32Array.of(v).buffer)[0].toString(16)}) s=${s} zp=${zp}: got ${(y.data as Int8Array)[i]}, want ${want}`);
      });
    }), RUNS);
  });

  it('is monotone non-decreasing in x (NaN aside)', () => {
    fc.assert(fc.property(anyF32.filter((v) => !Number.isNaN(v)), anyF32.filter((v) => !Number.isNaN(v)), scaleArb, typedZp, (a, b, s, [dt, zp]) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      expect(quantizeScalar(lo, s, zp, dt)).toBeLessThanOrEqual(quantizeScalar(hi, s, zp, dt));
    }), RUNS);
  });

  it('dequantize then quantize returns every code', () => {
    fc.assert(fc.property(typedZp, scaleArb, fc.nat(), ([dt, zp], s, k) => {
      const r = intRange(dt);
      const q = r.min + (k % (r.max - r.min + 1));
      expect(quantizeScalar(dequantizeScalar(q, s, zp), s, zp, dt)).toBe(q);
    }), RUNS);
  });

  it('in range, the error is at most half a step (plus float32 rounding of the quotient)', () => {
    fc.assert(fc.property(fc.float({ min: -100, max: 100, noNaN: true }), fc.float({ min: Math.fround(0.01), max: 10, noNaN: true }), (x, s) => {
      const q = quantizeScalar(x, s, 0, DataType.INT16);
      fc.pre(q > -32768 && q < 32767);
      expect(Math.abs(q - x / s)).toBeLessThanOrEqual(0.5 + 2 ** -10);
    }), RUNS);
  });

  it('divide and multiply-by-reciprocal never differ by more than one step', () => {
    fc.assert(fc.property(fc.float({ min: -1000, max: 1000, noNaN: true }), fc.float({ min: Math.fround(1e-3), max: 10, noNaN: true }), (x, s) => {
      const a = quantizeScalar(x, s, 0, DataType.INT16), b = quantizeScalar(x, s, 0, DataType.INT16, { variant: PYTORCH });
      expect(Math.abs(a - b)).toBeLessThanOrEqual(1);
    }), RUNS);
  });
});

describe('granularity', () => {
  it('per tensor / per axis / blocked: every element uses the scale and zero point its index selects', () => {
    fc.assert(fc.property(quantParams(), (c) => {
      const y = quantizeTensor(c.x, c.scale, c.zeroPoint, { outputDtype: c.outputDtype, axis: c.axis, blockSize: c.blockSize });
      const dims = c.x.dims, sd = c.scale.dims;
      const xd = c.x.data as Float32Array, s = c.scale.data as Float32Array, z = c.zeroPoint.data as Int8Array;
      for (let i = 0; i < xd.length; i++) {
        // multi-index of element i, then the parameter index, computed independently of quant-params.ts
        const idx: number[] = [];
        let r = i;
        for (let j = dims.length - 1; j >= 0; j--) { idx[j] = r % dims[j]; r = Math.floor(r / dims[j]); }
        let k = 0;
        if (c.granularity === 'axis') k = idx[c.axis];
        else if (c.granularity === 'block') {
          for (let j = 0; j < dims.length; j++) k = k * sd[j] + (j === c.axis ? Math.floor(idx[j] / c.blockSize) : idx[j]);
        }
        const want = quantizeScalar(xd[i], s[k], z[k], c.outputDtype);
        if ((y.data as Int8Array)[i] !== want) throw new Error(`${c.granularity} element ${i} (index [${idx}]) -> param ${k}: got ${(y.data as Int8Array)[i]}, want ${want}`);
      }
    }), { seed: SEED, numRuns: 500 });
  });
});

describe('narrow-float properties', () => {
  const formats = [FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT4E2M1];
  it('encode picks the nearest representable value, ties to the even code (brute force over all codes)', () => {
    fc.assert(fc.property(fc.constantFrom(...formats), anyF32.filter((v) => Number.isFinite(v)), (f, x) => {
      fc.pre(Math.abs(x) <= f.maxValue);
      const code = encodeMiniFloat(x, f, true);
      const got = decodeMiniFloat(code, f);
      let best = Infinity;
      for (let c = 0; c <= f.maxCode; c++) best = Math.min(best, Math.abs(decodeMiniFloat(c, f) - Math.abs(x)));
      expect(Math.abs(Math.abs(got) - Math.abs(x))).toBe(best);
      if (best > 0 && got !== 0) expect(Math.sign(got)).toBe(Math.sign(x));
      // a tie must land on an even code
      const mag = code & ((1 << (f.E + f.M)) - 1);
      const other = decodeMiniFloat(mag ^ 1, f);
      if (Math.abs(Math.abs(other) - Math.abs(x)) === best && (mag ^ 1) <= f.maxCode) expect(mag & 1).toBe(0);
    }), { seed: SEED, numRuns: 3000 });
  });
  it('saturating encode clamps to ±max beyond the range; non-saturating gives Inf/NaN', () => {
    fc.assert(fc.property(fc.constantFrom(FLOAT8E4M3FN, FLOAT8E5M2), fc.float({ min: Math.fround(1e5), max: Math.fround(3e38), noNaN: true }), fc.boolean(), (f, x, neg) => {
      const v = neg ? -x : x;
      expect(Math.abs(decodeMiniFloat(encodeMiniFloat(v, f, true), f))).toBe(f.maxValue);
      const ns = decodeMiniFloat(encodeMiniFloat(v, f, false), f);
      expect(Number.isFinite(ns)).toBe(false);
    }), { seed: SEED, numRuns: 500 });
  });
});
