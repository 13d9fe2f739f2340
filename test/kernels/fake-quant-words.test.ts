// fake-quant's word layout (wgsl/fake-quant.wgsl): each invocation handles UNROLL vec4 words in one of two
// walks (src/kernels/elementwise-shape.ts: the GPU shape, WG apart, and the CPU shape, groups of LANES
// sweeping a contiguous run), takes the proven fast paths per lane and sends a word with any unproven lane to
// the exact element function. For BOTH shapes, whatever this device is: sizes around every boundary of the
// layout (4 lanes, one invocation, one lane group, one workgroup), chunked dispatches (a base offset per
// chunk), per tensor (the fast branch) and per channel, all bit for bit against the golden fakeQuantForward.
import { afterAll, describe, expect, it } from 'vitest';
import { releaseGpu } from '../../src/kernels/device.ts';
import { CPU_SHAPE, type ElementwiseShape, GPU_SHAPE, wordsPerWorkgroup } from '../../src/kernels/elementwise-shape.ts';
import { fakeQuant } from '../../src/kernels/fake-quant.ts';
import { KernelRunner } from '../../src/kernels/runner.ts';
import { fillQuantInputs, rng } from '../../src/kernels/test-data.ts';
import { fakeQuantForward, type FakeQuantParams } from '../../src/sim/golden/fake-quant.ts';
import { firstMismatch, gpuForFile } from './gpu-fixture.ts';

const { ctx, runner, skip } = await gpuForFile('test/kernels/fake-quant-words.test.ts');
afterAll(() => { if (ctx) releaseGpu(ctx); });

const SEED = Number(process.env.QDQSIM_SEED ?? 0xfa4e);

/** Ties, +-ULP around ties, specials and saturation edges for scale s, zero point zp (test-data.ts). */
function inputs(n: number, seed: number, s: number, zp: number): Float32Array {
  const bits = new Uint32Array(n);
  fillQuantInputs(rng(seed), bits, s, zp, -128, 127);
  return new Float32Array(bits.buffer);
}

async function expectGolden(r: KernelRunner, x: Float32Array, dims: number[], p: FakeQuantParams, what: string, shape: ElementwiseShape): Promise<void> {
  for (const method of ['lut', 'integer'] as const) {
    const got = new Uint32Array((await fakeQuant(r, x, dims, { ...p, method }, shape)).buffer);
    const want = new Uint32Array(fakeQuantForward(x, dims, p).y.buffer);
    const m = firstMismatch(got, want);
    if (m.count) {
      throw new Error(`${what} (${method}, seed ${SEED}): ${m.count} mismatches, first bad index ${m.first}: x = 0x${new Uint32Array(x.buffer)[m.first]!.toString(16)}, ` +
        `kernel 0x${got[m.first]!.toString(16)}, golden 0x${want[m.first]!.toString(16)}`);
    }
  }
}

describe.skipIf(skip).each([['GPU', GPU_SHAPE], ['CPU', CPU_SHAPE]] as const)('fake-quant word layout vs golden, %s shape', (_name, shape) => {
  const PER_WG = wordsPerWorkgroup(shape) * 4;   // elements one workgroup covers
  const PER_INV = shape.unroll * 4, PER_GROUP = Math.max(shape.lanes, 1) * PER_INV;
  const expectShape = (r: KernelRunner, x: Float32Array, dims: number[], p: FakeQuantParams, what: string) => expectGolden(r, x, dims, p, what, shape);

  it(`sizes around 4 lanes, one invocation (${PER_INV}), one lane group (${PER_GROUP}) and one workgroup (${PER_WG}) elements`, async () => {
    const sizes = [1, 2, 3, 4, 5, 7, 15, 16, 17, PER_INV - 1, PER_INV + 3, PER_GROUP - 1, PER_GROUP + 5, 4 * shape.wg - 1, 4 * shape.wg + 3,
      PER_WG - 3, PER_WG, PER_WG + 1, 2 * PER_WG + 6, 3 * PER_WG - 1];
    for (const [k, n] of sizes.entries()) {
      const s = Math.fround(0.0375), zp = (k % 5) - 2;
      await expectShape(runner!, inputs(n, SEED + k, s, zp), [n], { scale: [s], zeroPoint: [zp], qmin: -128, qmax: 127 }, `per tensor, n = ${n}`);
    }
  });

  it('per channel with channel boundaries inside a word, narrow range', async () => {
    for (const inner of [1, 3, 5]) {
      const C = 7, outer = Math.ceil(PER_WG / (C * inner)) + 1;
      const n = outer * C * inner;
      const scale = Array.from({ length: C }, (_, c) => Math.fround(0.01 * (c + 1)));
      const zp = Array.from({ length: C }, (_, c) => c - 3);
      const x = inputs(n, SEED + 100 + inner, scale[0]!, 0);
      await expectShape(runner!, x, [outer, C, inner], { scale, zeroPoint: zp, axis: 1, qmin: -127, qmax: 127 }, `per channel, inner ${inner}`);
    }
  });

  it('more than 256 levels (|q - zp| >= 256: the wide dequantization, override WIDE_CODES), per tensor and per channel', async () => {
    const n = PER_WG + 11, r = rng(SEED + 400);
    for (const [qmin, qmax, zp] of [[-1000, 1000, 7], [-32768, 32767, -300], [0, 4095, 2048]] as const) {
      const s = Math.fround(0.003);
      const x = Float32Array.from({ length: n }, () => (r() - 0.5) * 2.2 * (qmax - qmin) * s);
      const t = inputs(n, SEED + 401, s, 0);
      for (let i = 0; i < n; i += 29) x[i] = t[i]!;
      await expectShape(runner!, x, [n], { scale: [s], zeroPoint: [zp], qmin, qmax }, `range [${qmin}, ${qmax}] per tensor`);
      const dims = [Math.floor(n / 6), 3, 2];
      await expectShape(runner!, x.subarray(0, dims[0]! * 6), dims,
        { scale: [s, Math.fround(0.5), Math.fround(1e-3)], zeroPoint: [zp, qmin, qmax], axis: 1, qmin, qmax }, `range [${qmin}, ${qmax}] per channel`);
    }
  });

  it('chunked dispatches (storage-binding limit lowered): every chunk starts at its own base', async () => {
    const small = new KernelRunner(ctx!, { maxBindingBytes: 64 * 1024 });   // 16K elements per chunk
    const n = 3 * 16384 + 4099;
    const s = Math.fround(0.05);
    await expectShape(small, inputs(n, SEED + 200, s, 0), [n], { scale: [s], qmin: -128, qmax: 127 }, 'chunked per tensor');
    const C = 3, dims = [Math.floor(n / (C * 5)), C, 5];
    const len = dims[0]! * C * 5;
    await expectShape(small, inputs(len, SEED + 201, s, 1), dims,
      { scale: [s, Math.fround(0.25), Math.fround(0.0078125)], zeroPoint: [1, 0, -1], axis: 1, qmin: -128, qmax: 127 }, 'chunked per channel');
  });

  it('uniform data with ties mixed in: all-fast words next to words with an unproven lane', async () => {
    // uniform data: most words are all-fast; ties from fillQuantInputs force mixed words
    const n = 4 * PER_WG + 13, s = Math.fround(0.05), r = rng(SEED + 300);
    const x = Float32Array.from({ length: n }, () => (r() - 0.5) * 2 * 130 * s);
    const t = inputs(n, SEED + 301, s, 0);
    for (let i = 0; i < n; i += 37) x[i] = t[i]!;
    await expectShape(runner!, x, [n], { scale: [s], qmin: -128, qmax: 127 }, 'mixed fast / exact words');
  });
});
