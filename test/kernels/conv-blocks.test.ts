// conv-integer's 8 x 8 output blocks (wgsl/conv-integer.wgsl): the written-out epilogue stores whole
// blocks directly and the last pixel block (1..7 pixels) and the last channel block (1..7 channels)
// lane by lane. Every tail size, with zero points and bias (the epilogue's constant terms), both dot4
// paths, bit for bit against the golden conv2dInt32.
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
    it(`(${path}) pixel tails 0..7 x channel tails 0..7, 3x3 pad 1 and 1x1, zero points and bias`, async () => {
      for (let pt = 0; pt < 8; pt++) {
        for (const M of [8, 9, 10, 11, 12, 13, 14, 15]) {
          const k = (pt + M) % 2 === 0 ? 3 : 1, pad = k === 3 ? 1 : 0;
          const seed = SEED + 16 * pt + M;
          const r = rng(seed);
          const N = 1, C = 6, H = 1, W = 8 + pt;   // output 1 x (8 + pt) pixels: every tail mod 8
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
  }
});
