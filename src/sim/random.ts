/**
 * The project's one seeded PRNG: mulberry32, uniform in [0, 1). Integer state (Math.imul), so a seed
 * gives the same sequence on every platform — what seeded tests, benches and generated data rely on.
 * (A float64 LCG is degenerate for this use: perf-baseline.md P3.)
 */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
