// conv-integer's 16-channel x 4-pixel output blocks and 64-invocation workgroups (wgsl/conv-integer.wgsl):
// the last pixel block (1..3 pixels), the last channel block (1..15 channels) and the last workgroup of
// pixels (a partial 256) are cut lane by lane. Every tail size, with zero points and bias (the epilogue's
// constant terms), both dot4 paths, grouped and depthwise, bit for bit against the golden conv2dInt32.
import { afterAll, describe, expect, it } from 'vitest';
import { releaseGpu } from '../../src/kernels/device.ts';
import { convInteger } from '../../src/kernels/conv-integer.ts';
import type { Dot4Path } from '../../src/kernels/kernel-spec.ts';
import { randInt, rng } from '../../src/kernels/test-data.ts';
import { conv2dInt32 } from '../../src/sim/golden/integer-ops.ts';
import { firstMismatch, gpuForFile } from './gpu-fixture.ts';

const { ctx, runner, skip } = await gpuForFile('test/kernels/conv-blocks.test.ts');
afterAll(() => { if (ctx) releaseGpu(ctx); });

const SEED = Number(process.env.QDQSIM_SEED ?? 0xc0b1);

describe.skipIf(skip)('conv-integer output blocks vs golden', () => {
  const paths: Dot4Path[] = ctx?.hasDot4 ? ['packed', 'scalar'] : ['scalar'];
  for (const path of paths) {
    it(`(${path}) pixel tails 0..3 x channel tails 0..15, 3x3 pad 1 and 1x1, zero points and bias`, async () => {
      for (let pt = 0; pt < 4; pt++) {
        for (const M of [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]) {
          const k = (pt + M) % 2 === 0 ? 3 : 1, pad = k === 3 ? 1 : 0;
          const seed = SEED + 16 * pt + M;
          const r = rng(seed);
          const N = 1, C = 6, H = 1, W = 4 + pt;   // output 1 x (4 + pt) pixels: every tail mod 4
          const x = Int8Array.from({ length: N * C * H * W }, () => randInt(r, -128, 127));
          const w = Int8Array.from({ length: M * C * k * k }, () => randInt(r, -128, 127));
          const xz = randInt(r, -128, 127);
          const wz = Array.from({ length: M }, () => randInt(r, -128, 127));
          const bias = Int32Array.from({ length: M }, () => randInt(r, -(2 ** 31), 2 ** 31 - 1));
          const p = { pads: [pad, pad, pad, pad] };
          const got = await convInteger(runner!, x, [N, C, H, W], w, [M, C, k, k], { ...p, xZeroPoint: xz, wZeroPoint: wz, bias, dot4: path });
          const want = conv2dInt32(x, [N, C, H, W], xz, w, [M, C, k, k], wz, p, bias);
          const m = firstMismatch(got.data, want.data);
          if (m.count) throw new Error(`seed ${seed}, W ${W}, M ${M}, k ${k}: ${m.count} mismatches, first bad index ${m.first}: kernel ${got.data[m.first]}, golden ${want.data[m.first]}`);
          expect(got.dims).toEqual(want.dims);
        }
      }
    });

    it(`(${path}) pixel counts around one workgroup (256 pixels), groups and depthwise`, async () => {
      const cases = [
        { C: 8, H: 16, W: 16, M: 8, group: 1 }, { C: 8, H: 16, W: 17, M: 24, group: 1 }, { C: 8, H: 13, W: 20, M: 12, group: 2 },
        { C: 12, H: 23, W: 23, M: 12, group: 12 }, { C: 6, H: 1, W: 255, M: 33, group: 3 },
      ];
      for (const [i, c] of cases.entries()) {
        const seed = SEED + 1000 + i, r = rng(seed);
        const N = 2, k = 3;
        const x = Int8Array.from({ length: N * c.C * c.H * c.W }, () => randInt(r, -128, 127));
        const w = Int8Array.from({ length: c.M * (c.C / c.group) * k * k }, () => randInt(r, -128, 127));
        const xz = randInt(r, -128, 127), wz = Array.from({ length: c.M }, () => randInt(r, -128, 127));
        const p = { pads: [1, 1, 1, 1], group: c.group };
        const got = await convInteger(runner!, x, [N, c.C, c.H, c.W], w, [c.M, c.C / c.group, k, k], { ...p, xZeroPoint: xz, wZeroPoint: wz, dot4: path });
        const want = conv2dInt32(x, [N, c.C, c.H, c.W], xz, w, [c.M, c.C / c.group, k, k], wz, p);
        const m = firstMismatch(got.data, want.data);
        if (m.count) throw new Error(`seed ${seed}, case ${JSON.stringify(c)}: ${m.count} mismatches, first bad index ${m.first}: kernel ${got.data[m.first]}, golden ${want.data[m.first]}`);
      }
    });
  }
});
