/**
 * The WebGPU backend of runEngineSim: the int32 accumulation of every fused INT8 layer runs in the
 * WGSL kernels (src/kernels conv-integer / matmul-integer, equal to the golden conv2dInt32 /
 * matmulInt32 by their own differential suites); everything else is the shared TypeScript path, so
 * both backends give identical bits.
 */
import { acquireGpu, releaseGpu } from '../../../kernels/device.ts';
import { convInteger } from '../../../kernels/conv-integer.ts';
import { matmulInteger } from '../../../kernels/matmul-integer.ts';
import { KernelRunner } from '../../../kernels/runner.ts';
import type { Accumulate } from './engine-sim.ts';

export async function withGpuAccumulate<T>(run: (acc: Accumulate) => Promise<T>): Promise<T> {
  const ctx = await acquireGpu();
  const runner = new KernelRunner(ctx);
  const accumulate: Accumulate = async (g) => {
    if (g.kind === 'conv') {
      const r = await convInteger(runner, Int8Array.from(g.x.data as Float32Array), g.x.dims, Int8Array.from(g.w.data as Float32Array), g.w.dims, g.params);
      return { data: r.data, dims: r.dims, channels: r.dims[1], stride: r.dims[2] * r.dims[3] };
    }
    const r = await matmulInteger(runner, Int8Array.from(g.x.data as Float32Array), [g.M, g.K], Int8Array.from(g.w), [g.K, g.N]);
    return { data: r.data, dims: g.outDims, channels: g.N, stride: 1 };
  };
  try {
    return await run(accumulate);
  } finally {
    releaseGpu(ctx);
  }
}
