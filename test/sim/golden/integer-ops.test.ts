import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import type { Tensor } from '../../../src/sim/tensor.ts';
import { conv2dInt32, matmulInt32, requantize } from '../../../src/sim/golden/integer-ops.ts';
import { qlinearMatMul } from '../../../src/sim/golden/onnx-ops/qlinear-matmul.ts';
import { ONNX_REFERENCE_OPTIONS } from '../../../src/sim/golden/onnx-ops/common.ts';
import { quantizeScalar } from '../../../src/sim/golden/quantize.ts';

/** Direct 7-loop conv with a wrapping int32 add at every step: the independent reference. */
function naiveConv(x: ArrayLike<number>, [N, C, H, W]: number[], xz: number, w: ArrayLike<number>, [M, Cg, kH, kW]: number[], wz: ArrayLike<number>,
  s: number[], p: number[], d: number[], g: number) {
  const OH = Math.floor((H + p[0] + p[2] - d[0] * (kH - 1) - 1) / s[0]) + 1;
  const OW = Math.floor((W + p[1] + p[3] - d[1] * (kW - 1) - 1) / s[1]) + 1;
  const out = new Int32Array(N * M * OH * OW);
  const Mg = M / g;
  for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    let acc = 0;
    const grp = Math.floor(m / Mg);
    for (let c = 0; c < Cg; c++) for (let i = 0; i < kH; i++) for (let j = 0; j < kW; j++) {
      const ih = oh * s[0] - p[0] + i * d[0], iw = ow * s[1] - p[1] + j * d[1];
      if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
      const xv = x[((n * C + grp * Cg + c) * H + ih) * W + iw] - xz;
      const wv = w[((m * Cg + c) * kH + i) * kW + j] - (wz.length === 1 ? wz[0] : wz[m]);
      acc = (acc + xv * wv) | 0;
    }
    out[((n * M + m) * OH + oh) * OW + ow] = acc;
  }
  return out;
}

const SEED = Number(process.env.QDQSIM_SEED ?? 424242);

describe('integer conv2d', () => {
  it('matches a direct wrapping conv on random geometry (strides, pads, dilations, groups, depthwise)', () => {
    fc.assert(fc.property(
      fc.record({
        N: fc.integer({ min: 1, max: 2 }), g: fc.constantFrom(1, 2, 4), cpg: fc.integer({ min: 1, max: 3 }), mpg: fc.integer({ min: 1, max: 3 }),
        H: fc.integer({ min: 1, max: 7 }), W: fc.integer({ min: 1, max: 7 }), kH: fc.integer({ min: 1, max: 3 }), kW: fc.integer({ min: 1, max: 3 }),
        sH: fc.integer({ min: 1, max: 3 }), sW: fc.integer({ min: 1, max: 3 }), dH: fc.integer({ min: 1, max: 2 }), dW: fc.integer({ min: 1, max: 2 }),
        pads: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }), unsigned: fc.boolean(), perChannel: fc.boolean(), seed: fc.integer(),
      }),
      (r) => {
        const C = r.g * r.cpg, M = r.g * r.mpg;
        const OH = Math.floor((r.H + r.pads[0] + r.pads[2] - r.dH * (r.kH - 1) - 1) / r.sH) + 1;
        const OW = Math.floor((r.W + r.pads[1] + r.pads[3] - r.dW * (r.kW - 1) - 1) / r.sW) + 1;
        fc.pre(OH >= 1 && OW >= 1);
        let st = r.seed >>> 0;
        const rnd = () => { st = (Math.imul(st, 1664525) + 1013904223) >>> 0; return st >>> 24; };
        const lo = r.unsigned ? 0 : -128;
        const x = Array.from({ length: r.N * C * r.H * r.W }, () => rnd() + lo);
        const w = Array.from({ length: M * r.cpg * r.kH * r.kW }, () => rnd() + lo);
        const xz = rnd() + lo;
        const wz = r.perChannel ? Array.from({ length: M }, () => rnd() + lo) : [rnd() + lo];
        const want = naiveConv(x, [r.N, C, r.H, r.W], xz, w, [M, r.cpg, r.kH, r.kW], wz, [r.sH, r.sW], r.pads, [r.dH, r.dW], r.g);
        for (const path of ['auto', 'direct', 'simd', 'js'] as const) {
          const got = conv2dInt32(x, [r.N, C, r.H, r.W], xz, w, [M, r.cpg, r.kH, r.kW], wz,
            { strides: [r.sH, r.sW], pads: r.pads, dilations: [r.dH, r.dW], group: r.g, path });
          expect(got.dims).toEqual([r.N, M, OH, OW]);
          expect(Array.from(got.data), path).toEqual(Array.from(want));
        }
      },
    ), { seed: SEED, numRuns: 150 });
  });

  it('the WebAssembly SIMD GEMM path equals the direct conv on larger shapes (odd M, padding, groups, per-channel zp)', async () => {
    const { gemmSimdAvailable } = await import('../../../src/sim/golden/gemm-simd.ts');
    expect(gemmSimdAvailable()).toBe(true);
    let st = 99;
    const rnd = () => { st = (Math.imul(st, 1664525) + 1013904223) >>> 0; return st >>> 24; };
    for (const [N, C, H, W, M, k, sH, p, d, g, unsigned] of [
      [1, 16, 12, 11, 10, 3, 2, 1, 2, 2, true], [2, 8, 9, 9, 6, 3, 1, 1, 1, 1, false], [1, 32, 7, 7, 32, 3, 1, 1, 1, 32, false],
      [1, 64, 6, 6, 5, 1, 1, 0, 1, 1, true], [1, 3, 17, 17, 7, 5, 2, 2, 1, 1, false],
    ] as const) {
      const lo = unsigned ? 0 : -128;
      const Cg = C / g;
      const x = Array.from({ length: N * C * H * W }, () => rnd() + lo);
      const w = Array.from({ length: M * Cg * k * k }, () => rnd() + lo);
      const xz = rnd() + lo;
      const wz = Array.from({ length: M }, () => rnd() + lo);
      const bias = Array.from({ length: M }, () => (rnd() - 128) * 1000);
      const got = conv2dInt32(x, [N, C, H, W], xz, w, [M, Cg, k, k], wz, { strides: [sH, sH], pads: [p, p, p, p], dilations: [d, d], group: g }, bias);
      const want = naiveConv(x, [N, C, H, W], xz, w, [M, Cg, k, k], wz, [sH, sH], [p, p, p, p], [d, d], g);
      const P = got.dims[2] * got.dims[3];
      expect(Array.from(got.data)).toEqual(Array.from(want, (v, i) => (v + bias[Math.floor(i / P) % M]) | 0));
    }
  });

  it('re-packs weights mutated in place between calls (the packed-weight cache never serves stale data)', () => {
    const x = Int8Array.from({ length: 8 * 6 * 6 }, (_, i) => (i * 37) % 256 - 128);
    const w = Int8Array.from({ length: 16 * 8 * 9 }, (_, i) => (i * 11) % 255 - 127);
    const dims = [1, 8, 6, 6], wd = [16, 8, 3, 3];
    const first = conv2dInt32(x, dims, 0, w, wd, 0, { pads: [1, 1, 1, 1] }).data;
    w[5] += 1;
    const second = conv2dInt32(x, dims, 0, w, wd, 0, { pads: [1, 1, 1, 1] }).data;
    expect(Array.from(second)).toEqual(Array.from(naiveConv(x, dims, 0, w, wd, [0], [1, 1], [1, 1, 1, 1], [1, 1], 1)));
    expect(Array.from(second)).not.toEqual(Array.from(first));
  });

  it('wraps the int32 accumulator modulo 2^32 (and adds the bias with wrap-around)', () => {
    // 1 x 1 conv over 70000 channels of 255 * 255 = 4,551,750,000 > 2^31
    const C = 70000;
    const x = new Uint8Array(C).fill(255), w = new Uint8Array(C).fill(255);
    const exact = BigInt(C) * 255n * 255n + BigInt(2 ** 31 - 1);
    for (const path of ['auto', 'simd', 'js'] as const) {
      const r = conv2dInt32(x, [1, C, 1, 1], 0, w, [1, C, 1, 1], 0, { path }, [2 ** 31 - 1]);
      expect(r.data[0], path).toBe(Number(BigInt.asIntN(32, exact)));
    }
    expect(() => conv2dInt32(x, [1, C, 1, 1], 0, w, [1, C, 1, 1], 0, { path: 'direct' })).toThrow(/direct path needs/);
  });

  it('rejects bad geometry with the rule', () => {
    expect(() => conv2dInt32([1], [1, 3, 1, 1], 0, [1], [2, 2, 1, 1], 0, { group: 2 })).toThrow(/group 2 must divide the 3 input/);
    expect(() => conv2dInt32([1], [1, 1, 2, 2], 0, [1], [1, 1, 3, 3], 0)).toThrow(/output would be empty/);
  });
});

describe('integer matmul', () => {
  it('matches BigInt arithmetic reduced mod 2^32, per-row/per-column zero points', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 6 }), fc.integer(), (M, K, N, seed) => {
      let st = seed >>> 0;
      const rnd = () => { st = (Math.imul(st, 1664525) + 1013904223) >>> 0; return st >>> 24; };
      const a = Array.from({ length: M * K }, rnd), b = Array.from({ length: K * N }, () => rnd() - 128);
      const az = Array.from({ length: M }, rnd), bz = Array.from({ length: N }, () => rnd() - 128);
      const c = matmulInt32(a, az, b, bz, M, K, N);
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
        let s = 0n;
        for (let k = 0; k < K; k++) s += BigInt(a[i * K + k] - az[i]) * BigInt(b[k * N + j] - bz[j]);
        expect(c[i * N + j]).toBe(Number(BigInt.asIntN(32, s)));
      }
    }), { seed: SEED, numRuns: 100 });
  });

  it('the SIMD GEMM path matches BigInt arithmetic on larger products, incl. int16-range operands that wrap', () => {
    let st = 5;
    const rnd = () => { st = (Math.imul(st, 1664525) + 1013904223) >>> 0; return st / 2 ** 32; };
    for (const [M, K, N, range] of [[13, 77, 7, 255], [5, 300, 9, 255], [4, 64, 32, 32767]] as const) {
      const a = Array.from({ length: M * K }, () => Math.floor(rnd() * range * 2) - range), b = Array.from({ length: K * N }, () => Math.floor(rnd() * range * 2) - range);
      const c = matmulInt32(a, 0, b, 0, M, K, N);
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
        let s = 0n;
        for (let k = 0; k < K; k++) s += BigInt(a[i * K + k]) * BigInt(b[k * N + j]);
        expect(c[i * N + j]).toBe(Number(BigInt.asIntN(32, s)));
      }
    }
  });
});

describe('requantize epilogue', () => {
  const t = (dtype: DataType, dims: number[], v: number[]): Tensor => ({
    dtype, dims, data: dtype === DataType.FLOAT ? Float32Array.from(v) : dtype === DataType.INT8 ? Int8Array.from(v) : Uint8Array.from(v),
  });
  it('reproduces both documented ORT / ONNX-reference divergences (golden-semantics §2.3)', () => {
    const args = (yzp: number) => [t(DataType.UINT8, [1, 1], [25]), t(DataType.FLOAT, [], [0.1]), t(DataType.UINT8, [], [0]),
      t(DataType.UINT8, [1, 4], [1, 3, 5, 7]), t(DataType.FLOAT, [], [1]), t(DataType.UINT8, [], [0]),
      t(DataType.FLOAT, [], [1]), t(DataType.UINT8, [], [yzp])] as const;
    expect(Array.from(qlinearMatMul(...args(0)).data as Uint8Array)).toEqual([2, 8, 12, 18]);
    expect(Array.from(qlinearMatMul(...args(0), ONNX_REFERENCE_OPTIONS).data as Uint8Array)).toEqual([3, 8, 13, 18]);
    const zpArgs = [t(DataType.UINT8, [1, 1], [1]), t(DataType.FLOAT, [], [0.5]), t(DataType.UINT8, [], [0]),
      t(DataType.UINT8, [1, 4], [1, 3, 5, 7]), t(DataType.FLOAT, [], [1]), t(DataType.UINT8, [], [0]),
      t(DataType.FLOAT, [], [1]), t(DataType.UINT8, [], [1])] as const;
    expect(Array.from(qlinearMatMul(...zpArgs).data as Uint8Array)).toEqual([1, 3, 3, 5]);
    expect(Array.from(qlinearMatMul(...zpArgs, ONNX_REFERENCE_OPTIONS).data as Uint8Array)).toEqual([2, 2, 4, 4]);
  });

  it('fused ReLU / clipped ReLU equal quantizing the activated value', () => {
    const acc = Int32Array.from([-1000, -3, 0, 5, 77, 1000, 250]);
    const base = { qmin: -128, qmax: 127, xScale: 0.5, wScale: [0.25], yScale: 0.125, yZeroPoint: -5, channels: 1, channelStride: 7 };
    const relu = requantize(acc, new Int8Array(7), { ...base, activation: { kind: 'relu' } });
    const clip = requantize(acc, new Int8Array(7), { ...base, activation: { kind: 'clip', min: 0, max: 6 } });
    acc.forEach((a, i) => {
      const real = a * 0.5 * 0.25; // exact here
      expect(relu[i]).toBe(quantizeScalar(Math.max(real, 0), 0.125, -5, DataType.INT8));
      expect(clip[i]).toBe(quantizeScalar(Math.min(Math.max(real, 0), 6), 0.125, -5, DataType.INT8));
    });
  });

  it('float mode: bias, ReLU and residual in float32 then QuantizeLinear', () => {
    const acc = Int32Array.from([10, -10, 3]);
    const out = requantize(acc, new Int8Array(3), {
      qmin: -128, qmax: 127, xScale: 0.5, wScale: [0.5], yScale: 0.25, yZeroPoint: 0, channels: 1, channelStride: 3, mode: 'float',
      floatBias: [0.125], activation: { kind: 'relu' }, residual: { data: [4, 4, 4], scale: 0.5, zeroPoint: 2 },
    });
    // r = acc*0.25 + 0.125 -> relu -> + (4-2)*0.5 -> / 0.25
    expect(Array.from(out)).toEqual([14, 4, 8]); // 14.5 rounds half to even
    expect(() => requantize(acc, new Int8Array(3), { qmin: -128, qmax: 127, xScale: 1, wScale: [1], yScale: 1, yZeroPoint: 0, channels: 1, channelStride: 3, residual: { data: [0, 0, 0], scale: 1, zeroPoint: 0 } }))
      .toThrow(/residual add needs mode "float"/);
  });
});
