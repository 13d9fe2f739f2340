// `qdqsim kernels check` end to end, and the no-adapter behaviour (simulated by pointing the Vulkan
// loader at a missing driver manifest, which makes Dawn's requestAdapter() return null).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { acquireGpuOrSkip, releaseGpu } from '../../src/kernels/device.ts';

const noDriver = { ...process.env, VK_ICD_FILENAMES: '/nonexistent-qdqsim-icd.json' };
const { ctx, skipReason } = await acquireGpuOrSkip();
if (ctx) releaseGpu(ctx); else console.warn(`SKIP kernels check run: ${skipReason}`);

describe('qdqsim kernels check', () => {
  // golden vectors run in golden-vectors.test.ts; here the differential part keeps the run short
  it.skipIf(!ctx)('runs every kernel and prints the pass/fail table', () => {
    const r = spawnSync(process.execPath, ['bin/qdqsim.mjs', 'kernels', 'check', '--elements', '65536', '--seed', '7', '--no-golden-vectors'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const k of ['quantize-linear', 'dequantize-linear', 'fake-quant', 'fake-quant-backward', 'requantize', 'matmul-integer', 'conv-integer']) {
      expect(r.stdout).toContain(k);
    }
    expect(r.stdout).toMatch(/kernels check: \d+ passed, 0 failed/);
  }, 120_000);

  it('without an adapter: exit 2 and how to install the driver', () => {
    const r = spawnSync(process.execPath, ['bin/qdqsim.mjs', 'kernels', 'check'], { encoding: 'utf8', env: noDriver });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no WebGPU adapter.*bookworm-backports.*install-system-deps\.sh/s);
  });

  it('tests skip with the reason without an adapter, and fail under QDQSIM_REQUIRE_GPU=1', () => {
    const script = "import {acquireGpuOrSkip} from './src/kernels/device.ts'; const r = await acquireGpuOrSkip(); console.log('SKIP:', r.skipReason)";
    const args = ['--import', 'tsx', '--input-type=module', '-e', script];
    const soft = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...noDriver, QDQSIM_REQUIRE_GPU: '0' } });
    expect(soft.status).toBe(0);
    expect(soft.stdout).toMatch(/SKIP: no WebGPU adapter.*QDQSIM_REQUIRE_GPU=1/s);
    const hard = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...noDriver, QDQSIM_REQUIRE_GPU: '1' } });
    expect(hard.status).not.toBe(0);
    expect(hard.stderr).toMatch(/NoAdapterError|no WebGPU adapter/);
  });

  it('rejects bad options', () => {
    const r = spawnSync(process.execPath, ['bin/qdqsim.mjs', 'kernels', 'check', '--elements', 'x'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--elements must be a positive integer/);
  });
});
