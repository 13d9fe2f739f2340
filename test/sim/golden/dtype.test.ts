import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import {
  BFLOAT16, FLOAT16, FLOAT4E2M1, FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, type MiniFloatFormat,
  bfloat16BitsToFloat32, bitsToF32, decodeMiniFloat, encodeMiniFloat, f32ToBits, float16BitsToFloat32,
  float32ToFloat16Bits, float32ToFloat8e8m0, float8e8m0ToFloat32, intRange, packSubByte, unpackSubByte,
} from '../../../src/sim/golden/dtype.ts';

describe('integer ranges', () => {
  it.each([
    [DataType.INT8, -128, 127], [DataType.UINT8, 0, 255], [DataType.INT4, -8, 7], [DataType.UINT4, 0, 15],
    [DataType.INT2, -2, 1], [DataType.UINT2, 0, 3], [DataType.INT16, -32768, 32767], [DataType.UINT16, 0, 65535],
    [DataType.INT32, -2147483648, 2147483647],
  ])('type %i is [%i, %i]', (dt, lo, hi) => {
    expect(intRange(dt)).toMatchObject({ min: lo, max: hi });
  });
  it('rejects non-integer types by name', () => {
    expect(() => intRange(DataType.FLOAT)).toThrow(/FLOAT is not an integer type/);
  });
});

describe('sub-byte packing', () => {
  it('packs int4 low nibble first (ONNX int4.md example)', () => {
    expect(Array.from(packSubByte([0, 1, 7, -4, -8], 4))).toEqual([16, 199, 8]);
    expect(Array.from(unpackSubByte([16, 199, 8], 5, 4, true))).toEqual([0, 1, 7, -4, -8]);
  });
  it('packs 2-bit four per byte, low bits first', () => {
    expect(Array.from(packSubByte([0, 1, 2, 3], 2))).toEqual([228]);
    expect(Array.from(unpackSubByte([228], 4, 2, false))).toEqual([0, 1, 2, 3]);
    expect(Array.from(unpackSubByte([228], 4, 2, true))).toEqual([0, 1, -2, -1]);
    expect(Array.from(packSubByte([1, -1, 1, 0, -2], 2))).toEqual([0b00011101, 0b10]);
  });
  it('rejects short packed data', () => {
    expect(() => unpackSubByte([1], 3, 4, false)).toThrow(/1 bytes, 2 needed for 3 elements/);
  });
});

const FORMATS: MiniFloatFormat[] = [FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, FLOAT4E2M1, FLOAT16, BFLOAT16];

function nextUp32(x: number): number { return bitsToF32(f32ToBits(x) + (x >= 0 ? 1 : -1)); }
function nextDown32(x: number): number { return bitsToF32(f32ToBits(x) - (x >= 0 ? 1 : -1)); }

describe('narrow float conversions', () => {
  it.each(FORMATS.map((f) => [DataType[f.dtype], f] as const))('%s: every finite code round-trips and midpoints round to even', (_n, f) => {
    const signBit = 1 << (f.E + f.M);
    const finite: number[] = [];
    for (let c = 0; c <= f.maxCode; c++) finite.push(c);
    for (const c of finite) {
      for (const s of [0, signBit]) {
        const code = c | s;
        if (f.fnuz && code === 0x80) continue;
        const v = decodeMiniFloat(code, f);
        const want = f.fnuz && c === 0 ? 0 : code;
        expect(encodeMiniFloat(v, f, true), `code ${code.toString(16)}`).toBe(want);
      }
    }
    // midpoints between neighbouring positive codes (exact in float32 for all these formats)
    for (let c = 0; c < f.maxCode; c++) {
      const a = decodeMiniFloat(c, f);
      const b = decodeMiniFloat(c + 1, f);
      const mid = (a + b) / 2;
      expect(Math.fround(mid)).toBe(mid);
      const even = c % 2 === 0 ? c : c + 1;
      expect(encodeMiniFloat(mid, f, true), `mid ${mid}`).toBe(f.fnuz && even === 0 ? 0 : even);
      if (mid > 0) {
        expect(encodeMiniFloat(nextDown32(mid), f, true)).toBe(c);
        expect(encodeMiniFloat(nextUp32(mid), f, true)).toBe(c + 1);
      }
    }
  });

  it('float8 saturation and special values (golden-semantics §1.3, §2.4)', () => {
    expect(encodeMiniFloat(464, FLOAT8E4M3FN, true)).toBe(0x7e);
    expect(encodeMiniFloat(464, FLOAT8E4M3FN, false)).toBe(0x7e); // tie goes to the even 0x7E
    expect(encodeMiniFloat(480, FLOAT8E4M3FN, false)).toBe(0x7f); // NaN
    expect(encodeMiniFloat(1e5, FLOAT8E4M3FN, true)).toBe(0x7e);
    expect(encodeMiniFloat(-1e5, FLOAT8E4M3FN, true)).toBe(0xfe);
    expect(encodeMiniFloat(Infinity, FLOAT8E4M3FN, true)).toBe(0x7e);
    expect(encodeMiniFloat(Infinity, FLOAT8E4M3FN, false)).toBe(0x7f);
    expect(encodeMiniFloat(-Infinity, FLOAT8E4M3FN, false)).toBe(0xff);
    expect(encodeMiniFloat(NaN, FLOAT8E4M3FN)).toBe(0x7f);
    expect(encodeMiniFloat(-0, FLOAT8E4M3FN)).toBe(0x80);
    expect(encodeMiniFloat(61440, FLOAT8E5M2, false)).toBe(0x7c); // Inf
    expect(encodeMiniFloat(61440, FLOAT8E5M2, true)).toBe(0x7b);
    expect(encodeMiniFloat(-Infinity, FLOAT8E5M2, false)).toBe(0xfc);
    expect(encodeMiniFloat(Infinity, FLOAT8E5M2FNUZ, false)).toBe(0x80);
    expect(encodeMiniFloat(Infinity, FLOAT8E5M2FNUZ, true)).toBe(0x7f);
    expect(encodeMiniFloat(-0, FLOAT8E4M3FNUZ)).toBe(0);
    expect(encodeMiniFloat(NaN, FLOAT8E4M3FNUZ)).toBe(0x80);
    expect(decodeMiniFloat(0x80, FLOAT8E4M3FNUZ)).toBeNaN();
    expect(decodeMiniFloat(0x7c, FLOAT8E5M2)).toBe(Infinity);
    expect(decodeMiniFloat(0x7e, FLOAT8E4M3FN)).toBe(448);
    expect(FLOAT8E4M3FNUZ.maxValue).toBe(240);
    expect(FLOAT8E5M2.maxValue).toBe(57344);
    expect(FLOAT8E5M2FNUZ.maxValue).toBe(57344);
    // float4: saturates, ±Inf -> ±6, NaN -> 0x8 (ml_dtypes)
    expect(encodeMiniFloat(-10, FLOAT4E2M1)).toBe(0xf);
    expect(encodeMiniFloat(4.3, FLOAT4E2M1)).toBe(0x6);
    expect(encodeMiniFloat(Infinity, FLOAT4E2M1, false)).toBe(0x7);
    expect(encodeMiniFloat(NaN, FLOAT4E2M1)).toBe(0x8);
    expect(FLOAT4E2M1.maxValue).toBe(6);
  });

  it('float16 / bfloat16 overflow, subnormals and NaN', () => {
    expect(float32ToFloat16Bits(65520)).toBe(0x7c00); // halfway to 2^16 rounds to Inf
    expect(float32ToFloat16Bits(65519.99609375)).toBe(0x7bff);
    expect(float32ToFloat16Bits(2 ** -24)).toBe(1);
    expect(float32ToFloat16Bits(2 ** -25)).toBe(0);
    expect(float32ToFloat16Bits(Math.fround(2 ** -25 * 1.0000001))).toBe(1);
    expect(float32ToFloat16Bits(NaN)).toBe(0x7e00);
    expect(float16BitsToFloat32(0x3c00)).toBe(1);
    expect(bfloat16BitsToFloat32(0x3f80)).toBe(1);
    expect(encodeMiniFloat(bitsToF32(0x3f808000), BFLOAT16)).toBe(0x3f80); // tie to even
    expect(encodeMiniFloat(bitsToF32(0x3f818000), BFLOAT16)).toBe(0x3f82);
    expect(encodeMiniFloat(3.4028234663852886e38, BFLOAT16)).toBe(0x7f80);
  });

  it('float8e8m0 follows onnx to_float8e8m0', () => {
    expect(float32ToFloat8e8m0(1)).toBe(127);
    expect(float32ToFloat8e8m0(1.5)).toBe(128); // 'up'
    expect(float32ToFloat8e8m0(1.5, true, 'down')).toBe(127);
    expect(float32ToFloat8e8m0(1.5, true, 'nearest')).toBe(128);
    expect(float32ToFloat8e8m0(NaN)).toBe(0xff);
    expect(float32ToFloat8e8m0(Infinity)).toBe(0xff);
    expect(float32ToFloat8e8m0(3e38)).toBe(0xfe);
    expect(float32ToFloat8e8m0(3e38, false)).toBe(0xff);
    expect(float8e8m0ToFloat32(127)).toBe(1);
    expect(float8e8m0ToFloat32(0)).toBe(2 ** -127);
    expect(float8e8m0ToFloat32(0xff)).toBeNaN();
  });
});
