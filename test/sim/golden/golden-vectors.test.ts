import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAllGoldenVectors, goldenVectorsDir, serializeGoldenVectors } from '../../../src/testing/golden-vectors.ts';

const built = buildAllGoldenVectors();

describe('golden vectors (test/fixtures/golden-vectors)', () => {
  it.each(Object.keys(built))('%s is up to date with its generator', (name) => {
    const onDisk = readFileSync(join(goldenVectorsDir(), name), 'utf8');
    expect(onDisk).toBe(serializeGoldenVectors(built[name]));
  });

  it('every named quantize variant is separated by some case', () => {
    const q = built['quantize.json'] as { cases: { id: string; expected: Record<string, number> }[] };
    for (const v of ['mul_inv', 'half_up', 'int32_wrap_to_qmin']) {
      expect(q.cases.some((c) => c.expected[v] !== c.expected.spec), v).toBe(true);
    }
    // generated tie/div cases separate what their id claims
    for (const c of q.cases) {
      if (c.id.startsWith('div-vs-mulinv')) expect(c.expected.mul_inv).not.toBe(c.expected.spec);
      if (c.id.startsWith('tie-')) expect(c.expected.half_up).not.toBe(c.expected.spec);
    }
  });

  it('every requantize variant pair is separated by some case', () => {
    const r = built['requantize.json'] as { cases: { id: string; expected: Record<string, number> }[] };
    const names = Object.keys(r.cases[0].expected);
    for (const a of names) for (const b of names) {
      if (a < b) expect(r.cases.some((c) => c.expected[a] !== c.expected[b]), `${a} vs ${b}`).toBe(true);
    }
  });

  it('anchors keep their documented, externally verified values', () => {
    const q = built['quantize.json'] as { cases: { id: string; expected: Record<string, number> }[] };
    const byId = Object.fromEntries(q.cases.map((c) => [c.id, c.expected]));
    expect(byId['anchor-19.55']).toMatchObject({ spec: 195, mul_inv: 196 });
    expect(byId['anchor--15.25']).toMatchObject({ spec: -152, mul_inv: -153 });
    expect(byId['anchor-fbgemm']).toMatchObject({ spec: 127, mul_inv: 128 });
    expect(byId['anchor-0.35']).toMatchObject({ spec: 4 });
    expect(byId['special-+inf-u8']).toMatchObject({ spec: 255, int32_wrap_to_qmin: 0 });
    const r = built['requantize.json'] as { cases: { id: string; expected: Record<string, number> }[] };
    expect(r.cases.filter((c) => c.id.startsWith('anchor-precision')).map((c) => c.expected.f32_after_round)).toEqual([2, 8, 12, 18]);
    expect(r.cases.filter((c) => c.id.startsWith('anchor-precision')).map((c) => c.expected.f64_before_round)).toEqual([3, 8, 13, 18]);
    expect(r.cases.filter((c) => c.id.startsWith('anchor-zp')).map((c) => c.expected.f32_after_round)).toEqual([1, 3, 3, 5]);
    expect(r.cases.filter((c) => c.id.startsWith('anchor-zp')).map((c) => c.expected.f64_before_round)).toEqual([2, 2, 4, 4]);
    const i = built['quantize-int32.json'] as { cases: { x: number; expected: Record<string, number> }[] };
    expect(i.cases.slice(0, 3).map((c) => c.expected.f64_division)).toEqual([1, 4, 7]);
    expect(i.cases.slice(0, 3).map((c) => c.expected.f32_division)).toEqual([2, 4, 8]);
  });
});
