// Differential suite: the requantize epilogue kernel against the golden `requantize`
// (src/sim/golden/integer-ops.ts), fused and float modes, every named variant the method supports.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DataType } from '../../src/sim/data-type.ts';
import { intRange } from '../../src/sim/golden/dtype.ts';
import { type EpilogueOptions, requantize } from '../../src/sim/golden/integer-ops.ts';
import { releaseGpu } from '../../src/kernels/device.ts';
import { requantizeGpu } from '../../src/kernels/requantize.ts';
import { randInt, rng } from '../../src/kernels/test-data.ts';
import { firstMismatch, gpuForFile } from './gpu-fixture.ts';

const { ctx, runner, skip } = await gpuForFile('test/kernels/requantize.test.ts');
afterAll(() => { if (ctx) releaseGpu(ctx); });

const RUNS = 8;
const ELEMS = 1 << 17;
const SEED = Number(process.env.QDQSIM_SEED ?? 0x5eed);

/** Accumulators near the rounding ties of acc * M (k + 0.5) / M +- 1, plus extremes and random values. */
function accumulators(r: () => number, n: number, mult: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const kind = randInt(r, 0, 5);
    if (kind <= 2) a[i] = Math.round((randInt(r, -300, 300) + 0.5) / mult) + randInt(r, -1, 1);
    else if (kind === 3) a[i] = [-(2 ** 31), 2 ** 31 - 1, 0, -1, 1, 2 ** 24 + 1, -(2 ** 24) - 1][randInt(r, 0, 6)]!;
    else if (kind === 4) a[i] = randInt(r, -(2 ** 31), 2 ** 31 - 1);
    else a[i] = randInt(r, -20000, 20000);
  }
  return a;
}

function makeOptions(seed: number, dtype: DataType, mode: 'fused' | 'float', residual: boolean): { o: EpilogueOptions; acc: Int32Array } {
  const r = rng(seed);
  const { min, max, signed } = intRange(dtype);
  const C = randInt(r, 1, 19), stride = randInt(r, 1, 67);
  const n = ELEMS - randInt(r, 0, 7);
  const wScale = Array.from({ length: C }, () => Math.fround(2 ** randInt(r, -10, -5) * (1 + r())));
  const xScale = Math.fround(0.05 * (1 + r())), yScale = Math.fround(0.1 * (1 + r()));
  const act = [{ kind: 'none' as const }, { kind: 'relu' as const }, { kind: 'clip' as const, min: Math.fround(-r() * 2), max: Math.fround(r() * 6) }][randInt(r, 0, 2)]!;
  const o: EpilogueOptions = { qmin: min, qmax: max, xScale, wScale, yScale, yZeroPoint: randInt(r, min, max), channels: C, channelStride: stride, mode, activation: act };
  if (mode === 'float' && r() < 0.5) o.floatBias = wScale.map(() => Math.fround((r() - 0.5) * 10));
  if (residual) o.residual = { data: signed ? Int8Array.from({ length: n }, () => randInt(r, min, max)) : Uint8Array.from({ length: n }, () => randInt(r, min, max)), scale: Math.fround(0.02 * (1 + r())), zeroPoint: randInt(r, min, max) };
  return { o, acc: accumulators(r, n, (xScale * wScale[0]!) / yScale) };
}

const fusedVariants = [{}, { zeroPoint: 'before_round' as const }, { requant: 'f64' as const }, { requant: 'f64' as const, zeroPoint: 'before_round' as const }, { rounding: 'half_up' as const }];

describe.skipIf(skip)('requantize kernel vs golden', () => {
  it(`lut method, fused mode, every variant: ${RUNS} x ${ELEMS} accumulators`, async () => {
    await fc.assert(fc.asyncProperty(fc.integer(), fc.constantFrom(DataType.INT8, DataType.UINT8, DataType.INT4), fc.constantFrom(...fusedVariants),
      async (seed, dtype, variant) => {
        const { o, acc } = makeOptions(seed, dtype, 'fused', false);
        o.variant = variant;
        const got = await requantizeGpu(runner!, acc, { ...o, outDtype: dtype, method: 'lut' });
        const want = requantize(acc, new Int32Array(acc.length), o);
        const m = firstMismatch(got, want);
        if (m.count) throw new Error(`${m.count} mismatches; seed ${seed}, first bad index ${m.first}: acc ${acc[m.first]}, kernel ${got[m.first]}, golden ${want[m.first]}, variant ${JSON.stringify(variant)}`);
      }), { seed: SEED, numRuns: RUNS });
  });

  it(`integer method, fused f32 and float modes (bias, ReLU, clip, residual): ${RUNS} x ${ELEMS} accumulators`, async () => {
    await fc.assert(fc.asyncProperty(fc.integer(), fc.constantFrom(DataType.INT8, DataType.UINT8), fc.constantFrom('fused' as const, 'float' as const), fc.boolean(),
      fc.constantFrom('div' as const, 'mul_inv' as const),
      async (seed, dtype, mode, residual, scaleOp) => {
        const { o, acc } = makeOptions(seed, dtype, mode, mode === 'float' && residual);
        o.variant = { scaleOp };
        const got = await requantizeGpu(runner!, acc, { ...o, outDtype: dtype, method: 'integer' });
        const want = requantize(acc, new Int32Array(acc.length), o);
        const m = firstMismatch(got, want);
        if (m.count) throw new Error(`${m.count} mismatches; seed ${seed}, first bad index ${m.first}: acc ${acc[m.first]}, kernel ${got[m.first]}, golden ${want[m.first]}, mode ${mode}`);
      }), { seed: SEED + 1, numRuns: RUNS });
  });

  it('says clearly what a method cannot do', async () => {
    const base: EpilogueOptions = { qmin: -128, qmax: 127, xScale: 1, wScale: [1], yScale: 1, yZeroPoint: 0, channels: 1, channelStride: 1 };
    const acc = new Int32Array(4);
    await expect(requantizeGpu(runner!, acc, { ...base, outDtype: DataType.INT8, method: 'integer', variant: { requant: 'f64' } })).rejects.toThrow(/use method 'lut'/);
    await expect(requantizeGpu(runner!, acc, { ...base, mode: 'float', residual: { data: new Int8Array(4), scale: 1, zeroPoint: 0 }, outDtype: DataType.INT8, method: 'lut' })).rejects.toThrow(/use method 'integer'/);
    await expect(requantizeGpu(runner!, acc, { ...base, outDtype: DataType.UINT8 })).rejects.toThrow(/differ from UINT8's range/);
    await expect(requantizeGpu(runner!, acc, { ...base, xScale: 0.1, outDtype: DataType.INT8 })).rejects.toThrow(/float32 > 0/);
  });
});
