// The golden reference's tie-focused vectors (test/fixtures/golden-vectors/*.json) through every kernel
// and exact method: integers compared exactly, floats bitwise.
import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { releaseGpu } from '../../src/kernels/device.ts';
import { GOLDEN_VECTOR_DIR, goldenVectorChecks } from '../../src/kernels/self-check.ts';
import { gpuForFile } from './gpu-fixture.ts';

const { ctx, runner, skip } = await gpuForFile('test/kernels/golden-vectors.test.ts');
afterAll(() => { if (ctx) releaseGpu(ctx); });

describe.skipIf(skip)('golden vectors through the kernels', () => {
  it('the golden-vector directory exists', () => {
    expect(existsSync(GOLDEN_VECTOR_DIR), GOLDEN_VECTOR_DIR).toBe(true);
  });

  it('every supported case matches; every unsupported one is counted, not silently dropped', async () => {
    const results = await goldenVectorChecks(runner!);
    const kernels = new Set(results.map((r) => r.kernel));
    expect([...kernels].sort()).toEqual(['fake-quant', 'quantize-linear', 'requantize']);
    for (const r of results) {
      expect(r.error, `${r.kernel} ${r.variant}`).toBeUndefined();
      expect(r.mismatches, `${r.kernel} ${r.variant}: ${r.firstBad}`).toBe(0);
    }
    const f8 = results.filter((r) => r.variant.startsWith('float8/'));
    expect(f8.length).toBe(2);
    for (const r of f8) expect(r.elements).toBeGreaterThan(100);
    const wrap = results.find((r) => r.variant === 'lut/int32_wrap_to_qmin');
    expect(wrap?.elements).toBeGreaterThan(50);
    // the spec variant runs every 8-bit and 4-bit case under both methods
    const spec = results.filter((r) => r.kernel === 'quantize-linear' && r.variant.endsWith('/spec'));
    for (const r of spec) expect(r.elements).toBeGreaterThan(50);
    console.log(results.map((r) => `${r.kernel} ${r.variant}: ${r.elements} exact, ${r.unsupported} unsupported`).join('\n'));
  });
});
