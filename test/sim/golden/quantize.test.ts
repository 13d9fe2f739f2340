import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import type { Tensor } from '../../../src/sim/tensor.ts';
import { bitsToF32, float16BitsToFloat32, roundToFloat16 } from '../../../src/sim/golden/dtype.ts';
import { dequantizeTensor, quantizeScalar, quantizeTensor } from '../../../src/sim/golden/quantize.ts';
import { ONNX_REFERENCE_QUANTIZE_LINEAR, PYTORCH, TF_FAKE_QUANT, roundHalfAway, roundHalfEven, roundHalfUp } from '../../../src/sim/golden/rounding.ts';

const f32 = (dims: number[], v: number[]): Tensor => ({ dtype: DataType.FLOAT, dims, data: Float32Array.from(v) });
const scalar = (v: number): Tensor => ({ dtype: DataType.FLOAT, dims: [], data: new Float32Array([v]) });
const u8 = (dims: number[], v: number[]): Tensor => ({ dtype: DataType.UINT8, dims, data: Uint8Array.from(v) });
const i8 = (dims: number[], v: number[]): Tensor => ({ dtype: DataType.INT8, dims, data: Int8Array.from(v) });

describe('rounding', () => {
  it('rounds half to even, and the named alternatives as documented', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999999].map((v) => roundHalfEven(v) + 0)).toEqual([0, 2, 2, 0, -2, -2, 2]);
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5].map(roundHalfUp)).toEqual([1, 2, 3, 0, -1, -2]);
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999999999999994].map(roundHalfAway)).toEqual([1, 2, 3, -1, -2, -3, 0]);
    expect(roundHalfEven(NaN)).toBeNaN();
    expect(roundHalfEven(Infinity)).toBe(Infinity);
  });
});

describe('quantizeScalar: documented cases (golden-semantics §4.4), verified in numpy/torch', () => {
  it('divides in float32 (0.35 / 0.1 = 3.5 in float32 -> 4)', () => {
    expect(quantizeScalar(Math.fround(0.35), Math.fround(0.1), 0, DataType.INT8)).toBe(4);
  });
  it('separates divide from multiply-by-reciprocal', () => {
    const x = bitsToF32(0x419c6666); // 19.55
    expect(quantizeScalar(x, Math.fround(0.1), 0, DataType.UINT8)).toBe(195);
    expect(quantizeScalar(x, Math.fround(0.1), 0, DataType.UINT8, { variant: PYTORCH })).toBe(196);
    const y = bitsToF32(0xc1740001);
    expect(quantizeScalar(y, Math.fround(0.1), 0, DataType.INT16)).toBe(-152);
    expect(quantizeScalar(y, Math.fround(0.1), 0, DataType.INT16, { variant: PYTORCH })).toBe(-153);
    expect(quantizeScalar(Math.fround(0.273939937), Math.fround(0.00214854861), 0, DataType.INT16)).toBe(127);
    expect(quantizeScalar(Math.fround(0.273939937), Math.fround(0.00214854861), 0, DataType.INT16, { variant: PYTORCH })).toBe(128);
  });
  it('TF half-up rounding differs on ties', () => {
    expect(quantizeScalar(2.5, 1, 0, DataType.INT8)).toBe(2);
    expect(quantizeScalar(2.5, 1, 0, DataType.INT8, { variant: TF_FAKE_QUANT })).toBe(3);
  });
  it('special values: NaN -> qmin, +Inf -> qmax (saturate), reference quirk -> qmin', () => {
    expect(quantizeScalar(NaN, 1, 0, DataType.INT8)).toBe(-128);
    expect(quantizeScalar(NaN, 1, 128, DataType.UINT8)).toBe(0);
    expect(quantizeScalar(Infinity, 1, 0, DataType.UINT8)).toBe(255);
    expect(quantizeScalar(-Infinity, 1, 0, DataType.INT8)).toBe(-128);
    expect(quantizeScalar(1e10, 1, 0, DataType.UINT8)).toBe(255);
    expect(quantizeScalar(Infinity, 1, 0, DataType.UINT8, { variant: ONNX_REFERENCE_QUANTIZE_LINEAR })).toBe(0);
    expect(quantizeScalar(3e9, 1, 0, DataType.INT8, { variant: ONNX_REFERENCE_QUANTIZE_LINEAR })).toBe(-128);
    expect(quantizeScalar(Infinity, 1, -1, DataType.INT8, { variant: ONNX_REFERENCE_QUANTIZE_LINEAR })).toBe(127); // numpy int32 wrap
    expect(quantizeScalar(-0, 1, 0, DataType.INT8)).toBe(0);
    expect(quantizeScalar(1e-45, 1e-45, 0, DataType.INT8)).toBe(1); // subnormals are not flushed
  });
  it('float8: saturate on / off', () => {
    expect(quantizeScalar(1e5, 2, 0, DataType.FLOAT8E4M3FN)).toBe(0x7e);
    expect(quantizeScalar(1e5, 2, 0, DataType.FLOAT8E4M3FN, { saturate: false })).toBe(0x7f);
    expect(quantizeScalar(1e5, 2, 0, DataType.FLOAT8E5M2)).toBe(0x7a); // 49152
    expect(quantizeScalar(Infinity, 1, 0, DataType.FLOAT8E5M2, { saturate: false })).toBe(0x7c);
  });
});

describe('quantizeTensor / dequantizeTensor', () => {
  it('per tensor with a zero point, saturating', () => {
    const y = quantizeTensor(f32([6], [0, 2, 3, 1000, -254, -1000]), scalar(2), u8([], [128]), { outputDtype: DataType.UINT8 });
    expect(Array.from(y.data as Uint8Array)).toEqual([128, 129, 130, 255, 1, 0]);
  });
  it('per axis and blocked', () => {
    const x = f32([2, 4], [1, 2, 3, 4, 5, 6, 7, 8]);
    const pa = quantizeTensor(x, f32([2], [1, 2]), i8([2], [0, 1]), { outputDtype: DataType.INT8, axis: 0 });
    expect(Array.from(pa.data as Int8Array)).toEqual([1, 2, 3, 4, 3, 4, 5, 5]);
    const bl = quantizeTensor(x, f32([2, 2], [1, 2, 4, 8]), undefined, { outputDtype: DataType.INT8, axis: 1, blockSize: 2 });
    expect(Array.from(bl.data as Int8Array)).toEqual([1, 2, 2, 2, 1, 2, 1, 1]);
  });
  it('the fast loop equals the scalar oracle on specials and ties', () => {
    const vals = [NaN, Infinity, -Infinity, -0, 0, 1e-45, 3e38, -3e38, 12.5, 13.5, -12.5, 127.5, -128.5, 128.5, 2 ** 31, 0.35];
    const x = f32([vals.length], vals);
    for (const [dt, zp] of [[DataType.INT8, -3], [DataType.UINT8, 128], [DataType.INT16, 7], [DataType.UINT16, 0]] as const) {
      const z: Tensor = { dtype: dt, dims: [], data: new (dt === DataType.INT8 ? Int8Array : dt === DataType.UINT8 ? Uint8Array : dt === DataType.INT16 ? Int16Array : Uint16Array)([zp]) };
      for (const s of [1, Math.fround(0.1), 0.5]) {
        const y = quantizeTensor(x, scalar(s), z, { outputDtype: dt });
        vals.forEach((v, i) => expect((y.data as Int8Array)[i], `${v}/${s}`).toBe(quantizeScalar(Math.fround(v), s, zp, dt)));
      }
    }
  });
  it('dequantizes with float16 output rounded once from float32', () => {
    const y = dequantizeTensor(i8([3], [-128, 1, 127]), { dtype: DataType.FLOAT16, dims: [], data: new Uint16Array([0x2e66]) }, undefined);
    expect(y.dtype).toBe(DataType.FLOAT16);
    const s = float16BitsToFloat32(0x2e66);
    expect(Array.from(y.data as Uint16Array).map(float16BitsToFloat32)).toEqual([-128 * s, s, 127 * s].map(roundToFloat16)); // 127 * s needs 18 bits: rounded to float16 once
  });
  it('dequantizes int32 through float32 (the reference astype(float32))', () => {
    const y = dequantizeTensor({ dtype: DataType.INT32, dims: [1], data: new Int32Array([16777217]) }, scalar(1), undefined);
    expect((y.data as Float32Array)[0]).toBe(16777216);
  });
});

describe('bad parameters: a clear error naming the tensor and the rule', () => {
  const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);
  const opts = { outputDtype: DataType.INT8, names: { x: 'act', scale: 'act_scale', zeroPoint: 'act_zp' } };
  it.each([
    ['zero scale', scalar(0), undefined, {}, /tensor 'act_scale': scale\[0\] is 0; every scale must be finite and > 0/],
    ['negative scale', scalar(-1), undefined, {}, /scale\[0\] is -1/],
    ['NaN scale', scalar(NaN), undefined, {}, /scale\[0\] is NaN/],
    ['Inf scale', scalar(Infinity), undefined, {}, /scale\[0\] is Infinity/],
    ['per-axis length', f32([2], [1, 1]), undefined, { axis: 1 }, /per-axis scale has 2 elements but x 'act' has 3 along axis 1/],
    ['axis range', f32([2], [1, 1]), undefined, { axis: 2 }, /axis 2 is out of range for rank 2 \(must be in \[-2, 1\]\)/],
    ['zp shape', f32([3], [1, 1, 1]), i8([2], [0, 0]), { axis: 1 }, /tensor 'act_zp': zero point dims \[2\] must equal the scale's dims \[3\]/],
    ['blocked dims', f32([2, 1], [1, 1]), undefined, { axis: 1, blockSize: 2 }, /block_size 2 on axis 1 needs dims\[1\] = 2/],
    ['zp type', scalar(1), u8([], [0]), {}, /zero point type UINT8 differs from the output type INT8/],
  ] as const)('%s', (_n, s, z, extra, re) => {
    expect(() => quantizeTensor(x, s, z, { ...opts, ...extra })).toThrow(re);
  });
  it('float8 dequantize needs a zero point of 0', () => {
    const q: Tensor = { dtype: DataType.FLOAT8E4M3FN, dims: [1], data: new Uint8Array([0x38]) };
    expect(() => dequantizeTensor(q, scalar(1), { dtype: DataType.FLOAT8E4M3FN, dims: [1], data: new Uint8Array([0x38]) })).toThrow(/float8 input needs a zero point of 0/);
  });
  it('rejects a non-quantized input type for dequantize', () => {
    expect(() => dequantizeTensor(x, scalar(1), undefined)).toThrow(/DequantizeLinear input type FLOAT is not a quantized type/);
  });
});

describe('WebAssembly SIMD quantize kernel', () => {
  it('is available on Node >= 20 and bit-exact with the scalar oracle (100k elements, specials, ties, both scale ops)', async () => {
    const { simdAvailable } = await import('../../../src/sim/golden/quantize-simd.ts');
    expect(simdAvailable()).toBe(true);
    let seed = 12345;
    const rnd = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32; };
    const n = 100003;
    const x = new Float32Array(n);
    const sp = [NaN, Infinity, -Infinity, -0, 1e-45, 3e38, -3e38, 1e10];
    for (let i = 0; i < n; i++) x[i] = i % 17 === 0 ? sp[i % 8] : i % 5 === 0 ? (Math.floor(rnd() * 600) - 300 + 0.5) * 0.125 : (rnd() - 0.5) * 80;
    const C = { [DataType.INT8]: Int8Array, [DataType.UINT8]: Uint8Array, [DataType.INT16]: Int16Array, [DataType.UINT16]: Uint16Array } as const;
    for (const [dt, zp] of [[DataType.INT8, -3], [DataType.UINT8, 128], [DataType.INT16, 5], [DataType.UINT16, 300]] as const) {
      for (const s of [0.125, Math.fround(0.1), Math.fround(1 / 3)]) {
        for (const variant of [undefined, PYTORCH]) {
          const y = quantizeTensor({ dtype: DataType.FLOAT, dims: [n], data: x }, scalar(s), { dtype: dt, dims: [], data: C[dt].of(zp) }, { outputDtype: dt, variant });
          const yd = y.data as Int8Array;
          for (let i = 0; i < n; i++) {
            const want = quantizeScalar(x[i], s, zp, dt, { variant });
            if (yd[i] !== want) throw new Error(`${DataType[dt]} s=${s} ${variant ? 'mul_inv' : 'div'} element ${i} x=${x[i]}: got ${yd[i]}, want ${want}`);
          }
        }
      }
    }
  });
});

describe('quantizeTensor into a preallocated output; op input types', () => {
  it('writes into opts.out and rejects a wrong one', () => {
    const out = new Int8Array(3);
    const y = quantizeTensor(f32([3], [1, 2, 3]), scalar(1), undefined, { outputDtype: DataType.INT8, out });
    expect(y.data).toBe(out);
    expect(Array.from(out)).toEqual([1, 2, 3]);
    expect(() => quantizeTensor(f32([3], [1, 2, 3]), scalar(1), undefined, { outputDtype: DataType.INT8, out: new Uint8Array(3) }))
      .toThrow(/preallocated output must be a Int8Array of 3 elements/);
  });
  it('the ONNX ops name the input whose type is wrong', async () => {
    const { qlinearConv, matmulInteger, quantizeLinear } = await import('../../../src/sim/golden/onnx-ops/index.ts');
    expect(() => matmulInteger(f32([1, 1], [1]), i8([1, 1], [1]), undefined, undefined, { node: 'mm' })).toThrow(/MatMulInteger 'mm': input 'A': type FLOAT is not allowed \(expected INT8 or UINT8\)/);
    expect(() => qlinearConv(f32([1, 1, 1, 1], [1]), scalar(1), u8([], [0]), i8([1, 1, 1, 1], [1]), scalar(1), i8([], [0]), scalar(1), u8([], [0])))
      .toThrow(/QLinearConv: input 'x': type FLOAT is not allowed/);
    expect(() => quantizeLinear(f32([2], [1, 2]), scalar(0), undefined, {}, { node: 'q1' })).toThrow(/QuantizeLinear 'q1': tensor 'y_scale': scale\[0\] is 0/);
    expect(() => quantizeLinear(f32([2], [1, 2]), scalar(1), i8([], [0]), { outputDtype: DataType.UINT8 })).toThrow(/output_dtype UINT8 differs from the zero point type INT8/);
  });
});
