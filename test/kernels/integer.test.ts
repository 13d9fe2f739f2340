// Differential suite: int8 matmul and conv2d kernels (dot4I8Packed path and scalar path) against the
// golden int32 wrap-around reference (src/sim/golden/integer-ops.ts), every element exact.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DataType } from '../../src/sim/data-type.ts';
import { conv2dInt32, matmulInt32 } from '../../src/sim/golden/integer-ops.ts';
import { releaseGpu } from '../../src/kernels/device.ts';
import { convInteger } from '../../src/kernels/conv-integer.ts';
import { matmulInteger } from '../../src/kernels/matmul-integer.ts';
import type { Dot4Path } from '../../src/kernels/kernel-spec.ts';
import { randInt, rng } from '../../src/kernels/test-data.ts';
import { firstMismatch, gpuForFile } from './gpu-fixture.ts';

const { ctx, runner, skip } = await gpuForFile('test/kernels/integer.test.ts');
afterAll(() => { if (ctx) releaseGpu(ctx); });

const RUNS = 8;
const SEED = Number(process.env.QDQSIM_SEED ?? 0x5eed);
const paths: Dot4Path[] = ['scalar', ...(ctx?.hasDot4 ? ['packed' as const] : [])];
if (ctx && !ctx.hasDot4) console.warn('SKIP dot4I8Packed path: this adapter lacks packed_4x8_integer_dot_product');

/** int8 or uint8 data that hits the extremes (every code, -128 * -128 products, long runs of 127). */
function bytes(r: () => number, n: number, unsigned: boolean): Int8Array | Uint8Array {
  const a = unsigned ? new Uint8Array(n) : new Int8Array(n);
  const lo = unsigned ? 0 : -128, hi = unsigned ? 255 : 127;
  const mode = randInt(r, 0, 3);
  for (let i = 0; i < n; i++) a[i] = mode === 0 ? (r() < 0.5 ? lo : hi) : i < 256 ? lo + (i % (hi - lo + 1)) : randInt(r, lo, hi);
  return a;
}

describe.skipIf(skip)('int8 matmul / conv kernels vs golden', () => {
  for (const path of paths) {
    it(`MatMulInteger (${path}): ${RUNS} cases, >= 2^20 outputs, odd shapes, per-row/per-column zero points`, async () => {
      let total = 0;
      await fc.assert(fc.asyncProperty(fc.integer(), fc.boolean(), fc.boolean(), async (seed, ua, ub) => {
        const r = rng(seed);
        const M = randInt(r, 200, 420), N = randInt(r, 300, 430), K = randInt(r, 1, 67);
        const batch = randInt(r, 1, 2);
        const a = bytes(r, batch * M * K, ua), b = bytes(r, K * N, ub);
        const azp = r() < 0.5 ? randInt(r, ua ? 0 : -128, ua ? 255 : 127) : Array.from({ length: M }, () => randInt(r, ua ? 0 : -128, ua ? 255 : 127));
        const bzp = Array.from({ length: N }, () => randInt(r, ub ? 0 : -128, ub ? 255 : 127));
        const got = await matmulInteger(runner!, a, [batch, M, K], b, [K, N], { aZeroPoint: azp, bZeroPoint: bzp, dot4: path });
        const want = new Int32Array(batch * M * N);
        for (let i = 0; i < batch; i++) matmulInt32(a, azp, b, bzp, M, K, N, want, i * M * K, 0, i * M * N);
        total += want.length;
        const m = firstMismatch(got.data, want);
        if (m.count) throw new Error(`${m.count} mismatches; seed ${seed}, first bad index ${m.first} (M ${M} K ${K} N ${N} batch ${batch}): kernel ${got.data[m.first]}, golden ${want[m.first]}`);
      }), { seed: SEED, numRuns: RUNS });
      expect(total).toBeGreaterThanOrEqual(1e6);
    });

    it(`MatMulInteger (${path}): int32 wrap-around at K = 2^17 with -128 x -128 products`, async () => {
      const K = 1 << 17;
      const a = new Int8Array(K).fill(-128), b = new Int8Array(K * 2).fill(-128);
      const got = await matmulInteger(runner!, a, [1, K], b, [K, 2], { bZeroPoint: [0, 127], dot4: path });
      expect(Array.from(got.data)).toEqual(Array.from(matmulInt32(a, 0, b, [0, 127], 1, K, 2)));
      expect(got.data[0]).toBe(-2147483648); // 2^31 wrapped
    });

    it(`ConvInteger (${path}): ${RUNS} cases, >= 2^20 outputs, strides, pads, dilations, groups, depthwise`, async () => {
      let total = 0;
      await fc.assert(fc.asyncProperty(fc.integer(), fc.boolean(), fc.boolean(), fc.constantFrom('dense', 'grouped', 'depthwise'),
        async (seed, ux, uw, kind) => {
          const r = rng(seed);
          const group = kind === 'dense' ? 1 : kind === 'grouped' ? randInt(r, 2, 4) : randInt(r, 3, 33);
          const C = kind === 'depthwise' ? group : group * randInt(r, 1, 9);
          const M = kind === 'depthwise' ? group * randInt(r, 1, 2) : group * randInt(r, 1, 9);
          const kH = randInt(r, 1, 5), kW = randInt(r, 1, 5);
          const p = { strides: [randInt(r, 1, 3), randInt(r, 1, 3)], dilations: [randInt(r, 1, 2), randInt(r, 1, 2)],
            pads: [randInt(r, 0, 2), randInt(r, 0, 2), randInt(r, 0, 2), randInt(r, 0, 2)], group };
          const N = randInt(r, 1, 2);
          // size the image so each case has about 2^17 outputs
          const side = Math.max(kH * 2, kW * 2, Math.round(Math.sqrt(131072 / (N * M)) * p.strides[0]!));
          const H = side + randInt(r, 0, 3), W = side + randInt(r, 0, 3);
          const x = bytes(r, N * C * H * W, ux), w = bytes(r, M * (C / group) * kH * kW, uw);
          const xz = randInt(r, ux ? 0 : -128, ux ? 255 : 127);
          const wz = Array.from({ length: M }, () => randInt(r, uw ? 0 : -128, uw ? 255 : 127));
          const bias = Int32Array.from({ length: M }, () => randInt(r, -(2 ** 31), 2 ** 31 - 1));
          const got = await convInteger(runner!, x, [N, C, H, W], w, [M, C / group, kH, kW], { ...p, xZeroPoint: xz, wZeroPoint: wz, bias, dot4: path });
          const want = conv2dInt32(x, [N, C, H, W], xz, w, [M, C / group, kH, kW], wz, p, bias);
          total += want.data.length;
          const m = firstMismatch(got.data, want.data);
          if (m.count) throw new Error(`${m.count} mismatches; seed ${seed}, first bad index ${m.first} (${JSON.stringify({ N, C, H, W, M, kH, kW, ...p })}): kernel ${got.data[m.first]}, golden ${want.data[m.first]}`);
        }), { seed: SEED + 1, numRuns: RUNS });
      expect(total).toBeGreaterThanOrEqual(1e6);
    });
  }

  it('rejects mismatched shapes and unsupported dtypes clearly', async () => {
    const a = new Int8Array(6), b = new Int8Array(6);
    await expect(matmulInteger(runner!, a, [2, 3], b, [2, 3])).rejects.toThrow(/disagree on K \(3 vs 2\)/);
    await expect(matmulInteger(runner!, a, [2, 3], b, [3, 2], { aDtype: DataType.INT16 })).rejects.toThrow(/INT16 is not supported/);
    await expect(matmulInteger(runner!, a, [2, 3], b, [3, 2], { aZeroPoint: 200 })).rejects.toThrow(/outside \[-128, 127\]/);
    await expect(convInteger(runner!, new Int8Array(16), [1, 1, 4, 4], new Int8Array(18), [2, 1, 3, 3], { group: 2 })).rejects.toThrow(/group 2 must divide/);
    await expect(convInteger(runner!, new Int8Array(16), [1, 1, 4, 4], new Int8Array(9), [1, 1, 3, 3], { dot4: 'packed' as const }).then(() => 'ok'))
      .resolves.toBe(ctx!.hasDot4 ? 'ok' : 'never');
  });
});
