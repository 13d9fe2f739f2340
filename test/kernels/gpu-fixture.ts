// One device per test file; skip (with the reason printed) when no adapter exists, unless
// QDQSIM_REQUIRE_GPU=1, where a missing adapter fails the file.
import { acquireGpuOrSkip, type GpuContext } from '../../src/kernels/device.ts';
import { KernelRunner } from '../../src/kernels/runner.ts';

export async function gpuForFile(file: string): Promise<{ ctx?: GpuContext; runner?: KernelRunner; skip: boolean }> {
  const { ctx, skipReason } = await acquireGpuOrSkip();
  if (!ctx) {
    console.warn(`SKIP ${file}: ${skipReason}`);
    return { skip: true };
  }
  return { ctx, runner: new KernelRunner(ctx), skip: false };
}

/** The first index where two equal-length arrays differ (compared as raw bits), or -1. */
export function firstMismatch(a: ArrayLike<number>, b: ArrayLike<number>): { count: number; first: number } {
  let count = 0, first = -1;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) { count++; if (first < 0) first = i; }
  return { count, first };
}
