import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { entropyAmax, klDivergence } from '../../src/quant/calib/entropy.ts';
import { Histogram, histc } from '../../src/quant/calib/histogram.ts';
import { fakeQuantF32, mseAmax } from '../../src/quant/calib/mse.ts';
import { npSum } from '../../src/quant/calib/numpy-sum.ts';
import { percentileAmax } from '../../src/quant/calib/percentile.ts';

/** Reference values computed independently with numpy/scipy by test/fixtures/quant/calib_reference.py. */
const ref = JSON.parse(readFileSync(new URL('../fixtures/quant/calib-reference.json', import.meta.url), 'utf8')) as Record<string, {
  hist: number[]; edges: number[]; entropy: number; divergences_head: (number | string)[]; mse: number; percentile: Record<string, number>;
}>;

describe('calibration methods against numpy/scipy reference values on fixed histograms', () => {
  for (const [name, r] of Object.entries(ref)) {
    it(`${name}: entropy (last minimum of KL from bin 128), same amax and divergences`, () => {
      const { amax, divergences } = entropyAmax(r.hist, r.edges);
      expect(amax).toBe(r.entropy);
      // amax exact; divergences to a few ulp (V8's Math.log and numpy's SIMD sums may differ in the last bit)
      for (let k = 0; k < r.divergences_head.length; k++) {
        const want = Number(String(r.divergences_head[k]).replace('inf', 'Infinity'));
        if (!Number.isFinite(want)) expect(divergences[k]).toBe(want);
        else expect(Math.abs(divergences[k] - want)).toBeLessThanOrEqual(4 * Number.EPSILON * Math.abs(want));
      }
    });
    it(`${name}: mse`, () => {
      expect(mseAmax(r.hist, r.edges).amax).toBe(r.mse);
    });
    it(`${name}: percentile 99.99 / 99.9 / 99 / 50`, () => {
      for (const [p, v] of Object.entries(r.percentile)) expect(percentileAmax(r.hist, r.edges, Number(p))).toBe(v);
    });
  }
});

describe('worked examples by hand', () => {
  it('KL of identical distributions is 0 and of disjoint support is Infinity', () => {
    expect(klDivergence([1, 2, 3], [2, 4, 6])).toBe(0);
    expect(klDivergence([1, 0], [0, 1])).toBe(Infinity);
    // p = [0.5, 0.5], q = [0.25, 0.75]: 0.5 ln 2 + 0.5 ln(2/3)
    expect(klDivergence([1, 1], [1, 3])).toBeCloseTo(0.5 * Math.log(2) + 0.5 * Math.log(2 / 3), 15);
  });

  it('entropy: a histogram that is flat up to bin 256 and empty after picks the last minimum', () => {
    // Every candidate i >= 256 sees the same P and Q (trailing zeros), so KL ties; the last i (2048) wins.
    const hist = new Array(2048).fill(0);
    for (let i = 0; i < 256; i++) hist[i] = 4;
    const edges = Array.from({ length: 2049 }, (_, i) => i / 256);
    const { amax, divergences } = entropyAmax(hist, edges);
    expect(divergences[128]).toBe(0); // i = 256: 256 source bins, 2 per level, all equal -> Q == P
    expect(amax).toBe(edges[2048]);
  });

  it('percentile takes the lower edge of the bin where the cdf reaches p', () => {
    // counts 1..4 (total 10): cdf 0.1, 0.3, 0.6, 1.0 -> p=30% hits bin 1 (edge 1), p=31% bin 2
    expect(percentileAmax([1, 2, 3, 4], [0, 1, 2, 3, 4], 30)).toBe(1);
    expect(percentileAmax([1, 2, 3, 4], [0, 1, 2, 3, 4], 31)).toBe(2);
    expect(percentileAmax([1, 2, 3, 4], [0, 1, 2, 3, 4], 100)).toBe(3);
  });

  it('fake quant is narrow range, half-even, float32', () => {
    expect(fakeQuantF32(1, 1)).toBe(1);
    expect(fakeQuantF32(-2, 1)).toBe(-1);
    // x = 1.5 steps of 1/127 rounds to 2 steps (half to even)
    expect(fakeQuantF32(Math.fround(1.5 / 127), 1)).toBe(Math.fround(2 / Math.fround(127)));
  });

  it('numpy pairwise sum: differs from a naive left-to-right sum where numpy does', () => {
    const a = Array.from({ length: 300 }, (_, i) => 1 / (i + 1) ** 1.5);
    let naive = 0;
    for (const x of a) naive += x;
    expect(Math.abs(npSum(a) - naive)).toBeLessThan(1e-14);
    expect(npSum([1, 2, 3])).toBe(6);
  });
});

describe('histogram collection (pytorch-quantization torch_hist)', () => {
  it('first batch: 2048 bins over [0, max|x|], top value in the last bin', () => {
    const h = new Histogram();
    h.collect(Float32Array.of(-4, 0, 1, 2, 4));
    expect(h.counts!.length).toBe(2048);
    expect(h.edges![2048]).toBe(4);
    expect(h.counts![0]).toBe(1);
    expect(h.counts![512]).toBe(1);
    expect(h.counts![1024]).toBe(1);
    expect(h.counts![2047]).toBe(2);
    expect(h.amax).toBe(4);
  });

  it('a later batch with a larger max keeps the bin width and extends the bins', () => {
    const h = new Histogram(4);
    h.collect(Float32Array.of(1, 2, 3, 4)); // width 1, counts [0,1,1,2]
    expect([...h.counts!]).toEqual([0, 1, 1, 2]);
    h.collect(Float32Array.of(5.5, 0.5)); // ceil(5.5/1) = 6 bins, edges arange(0, 6.5, 1) -> 7 edges
    expect(h.counts!.length).toBe(6);
    expect([...h.edges!]).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(h.counts![0]).toBe(1);
    expect(h.amax).toBe(5.5);
    expect(h.seen).toBe(6);
  });

  it('histc of an all-zero tensor puts everything in the middle bin (torch widens the range)', () => {
    const c = histc(Float32Array.of(0, 0, 0), 4, 0);
    expect([...c]).toEqual([0, 0, 3, 0]);
  });
});
