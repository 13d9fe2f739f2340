// Differential suite: quantize, dequantize and fake-quant kernels against the golden reference
// (src/sim/golden/quantize.ts), bit for bit, both exact methods, per tensor and per channel.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DataType, dataTypeName } from '../../src/sim/data-type.ts';
import { intRange } from '../../src/sim/golden/dtype.ts';
import { dequantizeTensor, quantizeTensor } from '../../src/sim/golden/quantize.ts';
import type { QuantVariant } from '../../src/sim/golden/rounding.ts';
import { releaseGpu } from '../../src/kernels/device.ts';
import { dequantizeLinear } from '../../src/kernels/dequantize-linear.ts';
import { fakeQuant } from '../../src/kernels/fake-quant.ts';
import { fakeQuantBackward, fakeQuantLsqGradients } from '../../src/kernels/fake-quant-backward.ts';
import { fakeQuantBackward as goldenBackward, fakeQuantForward, fakeQuantLsqGradients as goldenLsq } from '../../src/sim/golden/fake-quant.ts';
import { quantizeLinear } from '../../src/kernels/quantize-linear.ts';
import { fillCodes, fillQuantInputs, randInt, rng } from '../../src/kernels/test-data.ts';
import { firstMismatch, gpuForFile } from './gpu-fixture.ts';

const { ctx, runner, skip } = await gpuForFile('test/kernels/quantize.test.ts');
afterAll(() => { if (ctx) releaseGpu(ctx); });

const DTYPES = [DataType.INT8, DataType.UINT8, DataType.INT4, DataType.UINT4];
const ELEMS = 1 << 17;
// runs per property: the lut method (the default) gets 2^20 elements per kernel, the integer method
// (26-step division per element, the slow independent path) another 2^18
const RUNS_OF = { lut: 8, integer: 2 } as const;
const SEED = Number(process.env.QDQSIM_SEED ?? 0x5eed);

interface Case { dims: number[]; axis?: number; scale: Float32Array; zp: number[]; dtype: DataType; variant: Partial<QuantVariant> }

function makeCase(seed: number, dtype: DataType, perChannel: boolean, variant: Partial<QuantVariant>): Case {
  const r = rng(seed);
  const { min, max } = intRange(dtype);
  // odd sizes: channels and inner sizes that are not multiples of 4 or of the workgroup size
  const C = perChannel ? randInt(r, 2, 37) : 1;
  const inner = perChannel ? randInt(r, 1, 11) : 1;
  const outer = Math.max(1, Math.floor(ELEMS / (C * inner)) - randInt(r, 0, 3));
  const dims = perChannel ? [outer, C, inner] : [outer * C * inner + randInt(r, 0, 5)];
  const scale = Float32Array.from({ length: C }, () => Math.fround(2 ** randInt(r, -12, 4) * (1 + r())));
  if (r() < 0.3) scale[0] = Math.fround(0.1);
  const zp = Array.from({ length: C }, () => randInt(r, min, max));
  return { dims, axis: perChannel ? 1 : undefined, scale, zp, dtype, variant };
}

function inputsFor(c: Case, seed: number): Float32Array {
  const n = c.dims.reduce((a, b) => a * b, 1);
  const bits = new Uint32Array(n);
  const r = rng(seed ^ 0x9e3779b9);
  const { min, max } = intRange(c.dtype);
  const inner = c.dims.length === 3 ? c.dims[2]! : n;
  const C = c.scale.length;
  // fill channel by channel so ties use the right scale
  const tmp = new Uint32Array(inner);
  for (let o = 0; o < n / inner; o++) {
    const ch = o % C;
    fillQuantInputs(r, tmp, c.scale[ch]!, c.zp[ch]!, min, max);
    bits.set(tmp, o * inner);
  }
  return new Float32Array(bits.buffer);
}

function golden(c: Case, x: Float32Array) {
  const scale = { dtype: DataType.FLOAT, dims: c.scale.length > 1 ? [c.scale.length] : [], data: c.scale };
  const zpT = { dtype: c.dtype, dims: scale.dims, data: (intRange(c.dtype).signed ? Int8Array : Uint8Array).from(c.zp) };
  return quantizeTensor({ dtype: DataType.FLOAT, dims: c.dims, data: x }, scale, zpT, { outputDtype: c.dtype, axis: c.axis ?? 1, variant: c.variant });
}

function describeCase(c: Case, seed: number, i: number, x: Float32Array): string {
  const u = new Uint32Array(x.buffer);
  return `seed ${seed}, first bad index ${i}: x = ${x[i]} (0x${u[i]!.toString(16)}), dtype ${dataTypeName(c.dtype)}, ` +
    `dims [${c.dims}], scales ${c.scale.length}, variant ${JSON.stringify(c.variant)}`;
}

const variants: Partial<QuantVariant>[] = [{}, { scaleOp: 'mul_inv' }];
const lutOnlyVariants: Partial<QuantVariant>[] = [{ rounding: 'half_up' }, { rounding: 'half_away' }, { zeroPoint: 'before_round' },
  { overflow: 'int32_wrap_to_qmin' }, { overflow: 'int32_wrap_to_qmin', zeroPoint: 'before_round' }, { rounding: 'half_up', zeroPoint: 'before_round' }];

describe.skipIf(skip)('quantize / dequantize / fake-quant kernels vs golden', () => {
  for (const method of ['integer', 'lut'] as const) {
    it(`QuantizeLinear (${method}): ${RUNS_OF[method]} x ${ELEMS} elements, ties, +-ULP, specials`, async () => {
      await fc.assert(fc.asyncProperty(fc.integer(), fc.constantFrom(...DTYPES), fc.boolean(),
        fc.constantFrom(...(method === 'lut' ? [...variants, ...lutOnlyVariants] : variants)),
        async (seed, dtype, perChannel, variant) => {
          const c = makeCase(seed, dtype, perChannel, variant);
          const x = inputsFor(c, seed);
          const got = await quantizeLinear(runner!, x, c.dims, { dtype, scale: c.scale, zeroPoint: c.zp, axis: c.axis, variant, method });
          const want = golden(c, x).data as Int8Array;
          const m = firstMismatch(got, want);
          if (m.count) throw new Error(`${m.count} mismatches; ${describeCase(c, seed, m.first, x)}: kernel ${got[m.first]}, golden ${want[m.first]}`);
        }), { seed: SEED, numRuns: RUNS_OF[method] });
    });

    it(`fake-quant forward (${method}): ${RUNS_OF[method]} x ${ELEMS} elements, compared bitwise`, async () => {
      await fc.assert(fc.asyncProperty(fc.integer(), fc.constantFrom(...DTYPES), fc.boolean(), fc.constantFrom(...variants),
        async (seed, dtype, perChannel, variant) => {
          const c = makeCase(seed, dtype, perChannel, variant);
          const x = inputsFor(c, seed);
          const { min, max } = intRange(dtype);
          const fp = { scale: c.scale, zeroPoint: c.zp, qmin: min, qmax: max, axis: c.axis, variant };
          const got = await fakeQuant(runner!, x, c.dims, { ...fp, method });
          const want = fakeQuantForward(x, c.dims, fp).y;
          const m = firstMismatch(new Uint32Array(got.buffer), new Uint32Array(want.buffer));
          if (m.count) throw new Error(`${m.count} mismatches; ${describeCase(c, seed, m.first, x)}: kernel ${got[m.first]}, golden ${want[m.first]}`);
        }), { seed: SEED + 1, numRuns: RUNS_OF[method] });
    });

    it(`fake-quant STE backward and LSQ gradients (${method}): ${RUNS_OF[method]} x ${ELEMS} elements`, async () => {
      await fc.assert(fc.asyncProperty(fc.integer(), fc.constantFrom(...DTYPES), fc.boolean(), fc.constantFrom(...variants),
        fc.constantFrom('rounded' as const, 'input' as const), fc.boolean(),
        async (seed, dtype, perChannel, variant, mask, narrow) => {
          const c = makeCase(seed, dtype, perChannel, variant);
          const x = inputsFor(c, seed);
          const r = rng(seed + 17);
          const dy = Float32Array.from(x, () => Math.fround((r() - 0.5) * 4));
          const { min, max } = intRange(dtype);
          const qmin = narrow && min < 0 ? min + 1 : min; // narrow range [-127, 127] as TF-QAT / pytorch-quantization
          const zp = c.zp.map((z) => Math.max(z, qmin));
          const fp = { scale: c.scale, zeroPoint: zp, qmin, qmax: max, axis: c.axis, variant, mask };
          const dx = await fakeQuantBackward(runner!, x, c.dims, dy, { ...fp, method });
          const want = goldenBackward(dy, fakeQuantForward(x, c.dims, fp).mask);
          const m = firstMismatch(new Uint32Array(dx.buffer), new Uint32Array(want.buffer));
          if (m.count) throw new Error(`STE: ${m.count} mismatches; ${describeCase(c, seed, m.first, x)} mask ${mask}: kernel ${dx[m.first]}, golden ${want[m.first]}`);
          const gf = Math.fround(1 / Math.sqrt(x.length * max));
          const lsq = await fakeQuantLsqGradients(runner!, x, c.dims, dy, { ...fp, method }, gf);
          const wl = goldenLsq(x, c.dims, dy, fp, gf);
          const m2 = firstMismatch(new Uint32Array(lsq.dx.buffer), new Uint32Array(wl.dx.buffer));
          if (m2.count) throw new Error(`LSQ dx: ${m2.count} mismatches; ${describeCase(c, seed, m2.first, x)}`);
          expect(Array.from(new Uint32Array(lsq.dScale.buffer)), `seed ${seed} dScale`).toEqual(Array.from(new Uint32Array(wl.dScale.buffer)));
          expect(Array.from(new Uint32Array(lsq.dZeroPoint.buffer)), `seed ${seed} dZeroPoint`).toEqual(Array.from(new Uint32Array(wl.dZeroPoint.buffer)));
        }), { seed: SEED + 3, numRuns: RUNS_OF[method] });
    });

    it(`DequantizeLinear (${method}): every code, ${RUNS_OF[method]} x ${ELEMS} elements, compared bitwise`, async () => {
      await fc.assert(fc.asyncProperty(fc.integer(), fc.constantFrom(...DTYPES), fc.boolean(), async (seed, dtype, perChannel) => {
        const c = makeCase(seed, dtype, perChannel, {});
        const n = c.dims.reduce((a, b) => a * b, 1);
        const { min, max, signed } = intRange(dtype);
        const codes = signed ? new Int8Array(n) : new Uint8Array(n);
        fillCodes(rng(seed), codes, min, max);
        const got = await dequantizeLinear(runner!, codes, c.dims, { dtype, scale: c.scale, zeroPoint: c.zp, axis: c.axis, method });
        const scale = { dtype: DataType.FLOAT, dims: c.scale.length > 1 ? [c.scale.length] : [], data: c.scale };
        const zpT = { dtype, dims: scale.dims, data: (signed ? Int8Array : Uint8Array).from(c.zp) };
        const want = dequantizeTensor({ dtype, dims: c.dims, data: codes }, scale, zpT, { axis: c.axis ?? 1 }).data as Float32Array;
        const m = firstMismatch(new Uint32Array(got.buffer), new Uint32Array(want.buffer));
        if (m.count) throw new Error(`${m.count} mismatches; seed ${seed}, first bad index ${m.first}: code ${codes[m.first]}, kernel ${got[m.first]}, golden ${want[m.first]}`);
      }), { seed: SEED + 2, numRuns: RUNS_OF[method] });
    });
  }

  it('QuantizeLinear (lut), the ONNX reference int32-wrap overflow: NaN, +-Inf, |x/s| >= 2^31 -> one code', async () => {
    for (const zeroPoint of ['after_round', 'before_round'] as const) {
      await fc.assert(fc.asyncProperty(fc.integer(), fc.constantFrom(...DTYPES), fc.boolean(), async (seed, dtype, perChannel) => {
        const variant: Partial<QuantVariant> = { overflow: 'int32_wrap_to_qmin', zeroPoint };
        const c = makeCase(seed, dtype, perChannel, variant);
        const x = inputsFor(c, seed);
        // add quotients beyond +-2^31 and at the edge
        for (let i = 0; i < x.length; i += 97) x[i] = Math.fround((i % 2 ? -1 : 1) * 2 ** (30 + (i % 4)) * c.scale[0]!);
        const got = await quantizeLinear(runner!, x, c.dims, { dtype, scale: c.scale, zeroPoint: c.zp, axis: c.axis, variant });
        const want = golden(c, x).data as Int8Array;
        const m = firstMismatch(got, want);
        if (m.count) throw new Error(`${m.count} mismatches; ${describeCase(c, seed, m.first, x)}: kernel ${got[m.first]}, golden ${want[m.first]}`);
      }), { seed: SEED + 7, numRuns: 2 });
    }
  });

  it('QuantizeLinear at subnormal and tiny scales (fl32(1/s) is Inf or huge), both scale ops', async () => {
    for (const s of [1e-45, 1e-42, 2 ** -127, 2 ** -126, 3e-39].map(Math.fround)) for (const scaleOp of ['div', 'mul_inv'] as const) {
      const n = 1 << 14;
      const bits = new Uint32Array(n);
      fillQuantInputs(rng(3), bits, s, 0, -128, 127);
      for (let i = 0; i < n; i += 5) bits[i] = (0x00800000 + i * 37) >>> 0;   // tiny normal x
      const x = new Float32Array(bits.buffer);
      for (const method of ['lut', 'integer'] as const) {
        const got = await quantizeLinear(runner!, x, [n], { dtype: DataType.INT8, scale: [s], variant: { scaleOp }, method });
        const want = quantizeTensor({ dtype: DataType.FLOAT, dims: [n], data: x }, { dtype: DataType.FLOAT, dims: [], data: Float32Array.of(s) },
          undefined, { outputDtype: DataType.INT8, variant: { scaleOp } }).data as Int8Array;
        const m = firstMismatch(got, want);
        expect(m.count, `scale ${s} ${scaleOp} ${method}: first bad index ${m.first}`).toBe(0);
      }
    }
  });

  it("QuantizeLinear (lut), rounding 'half_up' with the zero point before rounding: the fast path's blind spot", async () => {
    // quotients 2^-21..2^-15 below a tie: floor(fl32(t + zp + 0.5)) rounds up at |zp| ~ 2^7 although t
    // is not a tie; the native fast path must not be used for this variant (it once was: 21066 mismatches)
    const s = Math.fround(0.01), zp = 120, n = 1 << 16;
    const x = Float32Array.from({ length: n }, (_, i) => Math.fround(((i % 7) - 3 + 0.5 - (1 + ((i >> 3) % 64)) * 2 ** -21) * s));
    const variant = { rounding: 'half_up' as const, zeroPoint: 'before_round' as const };
    const got = await quantizeLinear(runner!, x, [n], { dtype: DataType.UINT8, scale: [s], zeroPoint: [zp], variant });
    const want = quantizeTensor({ dtype: DataType.FLOAT, dims: [n], data: x }, { dtype: DataType.FLOAT, dims: [], data: Float32Array.of(s) },
      { dtype: DataType.UINT8, dims: [], data: Uint8Array.of(zp) }, { outputDtype: DataType.UINT8, variant }).data as Uint8Array;
    const m = firstMismatch(got, want);
    expect(m.count, `first bad index ${m.first}: x ${x[m.first]}`).toBe(0);
  });

  it('float8 QuantizeLinear / DequantizeLinear (stretch): 4 formats, saturate on/off, 4 x 2^16 elements', async () => {
    const F8 = [DataType.FLOAT8E4M3FN, DataType.FLOAT8E4M3FNUZ, DataType.FLOAT8E5M2, DataType.FLOAT8E5M2FNUZ];
    await fc.assert(fc.asyncProperty(fc.integer(), fc.constantFrom(...F8), fc.boolean(), fc.boolean(), async (seed, dtype, saturate, perChannel) => {
      const r = rng(seed);
      const n = (1 << 16) - randInt(r, 0, 9);
      const C = perChannel ? 7 : 1;
      const dims = perChannel ? [Math.floor(n / 7), 7] : [n];
      const len = dims.reduce((a, b) => a * b, 1);
      const scale = Float32Array.from({ length: C }, () => Math.fround(2 ** randInt(r, -8, 8) * (1 + r())));
      const bits = new Uint32Array(len);
      fillQuantInputs(r, bits, scale[0]!, 0, -600, 600);
      const x = new Float32Array(bits.buffer);
      const sT = { dtype: DataType.FLOAT, dims: C > 1 ? [C] : [], data: scale };
      const got = await quantizeLinear(runner!, x, dims, { dtype, scale, axis: perChannel ? 1 : undefined, saturate });
      const want = quantizeTensor({ dtype: DataType.FLOAT, dims, data: x }, sT, undefined, { outputDtype: dtype, axis: 1, saturate }).data as Uint8Array;
      const m = firstMismatch(got, want);
      if (m.count) throw new Error(`${m.count} mismatches; seed ${seed}, first bad index ${m.first}: x 0x${bits[m.first]!.toString(16)}, ${dataTypeName(dtype)} saturate ${saturate}: kernel ${got[m.first]}, golden ${want[m.first]}`);
      const dq = await dequantizeLinear(runner!, want, dims, { dtype, scale, axis: perChannel ? 1 : undefined });
      const dw = dequantizeTensor({ dtype, dims, data: want }, sT, undefined, { axis: 1 }).data as Float32Array;
      const m2 = firstMismatch(new Uint32Array(dq.buffer), new Uint32Array(dw.buffer));
      if (m2.count) throw new Error(`dequantize: ${m2.count} mismatches; seed ${seed}, first bad index ${m2.first}: code ${want[m2.first]}`);
    }), { seed: SEED + 5, numRuns: 4 });
  });

  it('dequantize and fake-quant at extreme scales (subnormal, near overflow), every int8 code', async () => {
    const scales = [1e-40, 1e-45, 2 ** -126, 2 ** -125 * 1.7, 2 ** 118 * 1.99, 2 ** 119, 2 ** 120 * 1.5, 2 ** 126, 0.1, 3.3e38].map(Math.fround);
    const codes = Int8Array.from({ length: 256 }, (_, i) => i - 128);
    for (const s of scales) for (const zp of [0, 127, -128, 5]) for (const method of ['lut', 'integer'] as const) {
      const got = await dequantizeLinear(runner!, codes, [256], { dtype: DataType.INT8, scale: [s], zeroPoint: [zp], method });
      const want = dequantizeTensor({ dtype: DataType.INT8, dims: [256], data: codes }, { dtype: DataType.FLOAT, dims: [], data: Float32Array.of(s) },
        { dtype: DataType.INT8, dims: [], data: Int8Array.of(zp) }).data as Float32Array;
      expect(Array.from(new Uint32Array(got.buffer)), `scale ${s} zp ${zp} ${method}`).toEqual(Array.from(new Uint32Array(want.buffer)));
      const x = Float32Array.from({ length: 1024 }, (_, i) => Math.fround((i - 512) * s * 0.37));
      const fq = await fakeQuant(runner!, x, [1024], { scale: [s], zeroPoint: [zp], qmin: -128, qmax: 127, method });
      const wf = fakeQuantForward(x, [1024], { scale: [s], zeroPoint: [zp], qmin: -128, qmax: 127 }).y;
      expect(Array.from(new Uint32Array(fq.buffer)), `fake-quant scale ${s} zp ${zp} ${method}`).toEqual(Array.from(new Uint32Array(wf.buffer)));
    }
  });

  it('rejects bad parameters with clear errors', async () => {
    const x = new Float32Array(8);
    await expect(quantizeLinear(runner!, x, [8], { dtype: DataType.INT16, scale: [1] })).rejects.toThrow(/unsupported quantized dtype INT16/);
    await expect(quantizeLinear(runner!, x, [2, 4], { dtype: DataType.INT8, scale: [1, 1, 1], axis: 1 })).rejects.toThrow(/per-axis scale length 3 does not match dims\[1\] = 4/);
    await expect(quantizeLinear(runner!, x, [8], { dtype: DataType.INT8, scale: [0] })).rejects.toThrow(/finite float32 > 0/);
    await expect(quantizeLinear(runner!, x, [8], { dtype: DataType.INT8, scale: [NaN] })).rejects.toThrow(/finite float32 > 0/);
    await expect(quantizeLinear(runner!, x, [8], { dtype: DataType.INT8, scale: [0.1] })).rejects.toThrow(/not a float32 value/);
    await expect(quantizeLinear(runner!, x, [9], { dtype: DataType.INT8, scale: [1] })).rejects.toThrow(/do not match dims/);
    await expect(quantizeLinear(runner!, x, [8], { dtype: DataType.UINT8, scale: [1], zeroPoint: [300] })).rejects.toThrow(/outside \[0, 255\]/);
    await expect(quantizeLinear(runner!, x, [8], { dtype: DataType.INT8, scale: [1], method: 'integer', variant: { rounding: 'half_up' } })).rejects.toThrow(/use method 'lut'/);
    await expect(quantizeLinear(runner!, x, [8], { dtype: DataType.INT8, scale: [1], method: 'integer', variant: { overflow: 'int32_wrap_to_qmin' } })).rejects.toThrow(/use method 'lut'/);
    await expect(dequantizeLinear(runner!, new Uint8Array(8), [8], { dtype: DataType.INT8, scale: [1] })).rejects.toThrow(/does not hold signed codes/);
    await expect(quantizeLinear(runner!, x, [8], { dtype: DataType.FLOAT8E4M3FN, scale: [1], zeroPoint: [1] })).rejects.toThrow(/float8 zero point must be 0/);
    await expect(quantizeLinear(runner!, x, [8], { dtype: DataType.FLOAT8E4M3FN, scale: [1], method: 'lut' })).rejects.toThrow(/float8 codes use method 'integer'/);
  });
});
