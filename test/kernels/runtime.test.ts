// The kernel runtime: derived pipeline keys and the cache, chunking of tensors larger than a storage
// binding, clear errors at the device's limits, device loss.
import { afterAll, describe, expect, it } from 'vitest';
import { DataType } from '../../src/sim/data-type.ts';
import { quantizeTensor } from '../../src/sim/golden/quantize.ts';
import { fakeQuantForward } from '../../src/sim/golden/fake-quant.ts';
import { acquireGpu, DeviceLostError, releaseGpu } from '../../src/kernels/device.ts';
import { fakeQuant } from '../../src/kernels/fake-quant.ts';
import { matmulInteger } from '../../src/kernels/matmul-integer.ts';
import { quantizeLinear } from '../../src/kernels/quantize-linear.ts';
import { KernelRunner, grid1d, pipelineKey } from '../../src/kernels/runner.ts';
import { loadWgsl } from '../../src/kernels/wgsl-source.ts';
import { fillQuantInputs, rng } from '../../src/kernels/test-data.ts';
import { gpuForFile } from './gpu-fixture.ts';

const { ctx, runner, skip } = await gpuForFile('test/kernels/runtime.test.ts');
afterAll(() => { if (ctx) releaseGpu(ctx); });

describe('kernel runtime (no device needed)', () => {
  it('derives the pipeline key from every compile-time input', () => {
    const base = { stem: 'fake-quant', bindings: ['uniform', 'read'] as const, overrides: { METHOD: 1, WG: 256 } };
    expect(pipelineKey(base)).toBe(pipelineKey({ ...base, overrides: { WG: 256, METHOD: 1 } }));
    expect(pipelineKey(base)).not.toBe(pipelineKey({ ...base, overrides: { METHOD: 0, WG: 256 } }));
    expect(pipelineKey(base)).not.toBe(pipelineKey({ ...base, includes: { dot4: 'common/dot4-scalar.wgsl' } }));
    expect(pipelineKey(base)).not.toBe(pipelineKey({ ...base, stem: 'quantize-linear' }));
  });

  it('lays out large dispatches in 2-D and refuses impossible ones', () => {
    expect(grid1d(10)).toEqual([10, 1, 1]);
    const [x, y] = grid1d(200000);
    expect(x * y).toBeGreaterThanOrEqual(200000);
    expect(x).toBeLessThanOrEqual(65535);
    expect(() => grid1d(65535 * 65535 + 1)).toThrow(/split the work/);
  });

  it('resolves #include and the dot4 alias; a missing alias is an error', () => {
    const packed = loadWgsl('matmul-integer', { dot4: 'common/dot4-packed.wgsl' });
    const scalar = loadWgsl('matmul-integer', { dot4: 'common/dot4-scalar.wgsl' });
    expect(packed).toContain('dot4I8Packed(a, b)');
    expect(scalar).not.toMatch(/dot4I8Packed\(|requires packed_4x8_integer_dot_product/);
    expect(packed).toContain('requires packed_4x8_integer_dot_product');
    expect(() => loadWgsl('matmul-integer')).toThrow(/no file chosen for #include <dot4>/);
    expect(loadWgsl('fake-quant').match(/fn f32_div/g)?.length).toBe(1); // included once
  });
});

describe.skipIf(skip)('kernel runtime on the device', () => {
  it('caches pipelines by key', async () => {
    const r = new KernelRunner(ctx!);
    const x = new Float32Array(64);
    await fakeQuant(r, x, [64], { scale: [1], qmin: -128, qmax: 127 });
    const n1 = r.cachedPipelines;
    await fakeQuant(r, x, [64], { scale: [0.5], qmin: -8, qmax: 7 });
    expect(r.cachedPipelines).toBe(n1);                       // scale and range are runtime data
    await fakeQuant(r, x, [64], { scale: [1], qmin: -128, qmax: 127, method: 'integer' });
    expect(r.cachedPipelines).toBe(n1 + 1);                   // the method is compile-time
  });

  it('splits element-wise work that exceeds the storage-binding limit, exactly', async () => {
    const small = new KernelRunner(ctx!, { maxBindingBytes: 64 * 1024 });   // 16K f32 per chunk
    const n = 100_003, C = 3;
    const bits = new Uint32Array(n);
    fillQuantInputs(rng(5), bits, 0.1, 0, -128, 127);
    const x = new Float32Array(bits.buffer);
    const scale = Float32Array.of(0.1, 0.25, 0.0078125).map(Math.fround);
    const dims = [Math.floor(n / C / 7), C, 7];
    const len = dims.reduce((a, b) => a * b, 1);
    const xs = x.subarray(0, len);
    const got = await quantizeLinear(small, xs, dims, { dtype: DataType.INT8, scale, zeroPoint: [0, 1, -1], axis: 1 });
    const want = quantizeTensor({ dtype: DataType.FLOAT, dims, data: xs }, { dtype: DataType.FLOAT, dims: [C], data: scale },
      { dtype: DataType.INT8, dims: [C], data: Int8Array.of(0, 1, -1) }, { outputDtype: DataType.INT8, axis: 1 }).data as Int8Array;
    expect(Array.from(got)).toEqual(Array.from(want));
  });

  it('reuses pooled buffers across calls without carrying stale data into results', async () => {
    const r = new KernelRunner(ctx!);
    const a = r.scratch(1 << 21, 'a');
    r.recycle(a);
    expect(r.scratch(1 << 21, 'b')).toBe(a);   // same usage and size: the pooled buffer comes back
    r.recycle(a);
    // same padded size, different lengths and data: the second call's tail lanes see the first call's data
    const s = Math.fround(0.02);
    const golden = (x: Float32Array) => new Uint32Array(fakeQuantForward(x, [x.length], { scale: [s], qmin: -128, qmax: 127 }).y.buffer);
    for (const n of [1 << 20, (1 << 20) - 3, (1 << 20) - 1]) {
      const x = Float32Array.from({ length: n }, (_, i) => ((i * 7919 + n) % 5000 - 2500) * 0.001);
      const got = new Uint32Array((await fakeQuant(r, x, [n], { scale: [s], qmin: -128, qmax: 127 })).buffer);
      const want = golden(x);
      let bad = 0;
      for (let i = 0; i < n; i++) if (got[i] !== want[i]) bad++;
      expect(bad).toBe(0);
    }
    r.dispose();
  });

  it('says which limit a matmul exceeds instead of computing a wrong answer', async () => {
    const small = new KernelRunner(ctx!, { maxBindingBytes: 4096 });
    const a = new Int8Array(64 * 64), b = new Int8Array(64 * 64);
    await expect(matmulInteger(small, a, [64, 64], b, [64, 64])).rejects.toThrow(/exceeds this device's storage binding limit of 4096 bytes.*split/);
  });

  it('throws DeviceLostError after the device is gone', async () => {
    const own = await acquireGpu();
    const r = new KernelRunner(own);
    releaseGpu(own);
    await new Promise((res) => setTimeout(res, 50));
    await expect(fakeQuant(r, new Float32Array(4), [4], { scale: [1], qmin: 0, qmax: 255 })).rejects.toThrow(DeviceLostError);
    void runner;
  });
});
