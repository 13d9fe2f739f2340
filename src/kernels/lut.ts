// SPDX-License-Identifier: Apache-2.0
/**
 * Threshold tables for the 'lut' method (wgsl/common/lut.wgsl).
 *
 * A quantizer q(x) = clamp(round(f(x)) + zp, qmin, qmax) with f monotone non-decreasing (x / s, x * (1/s),
 * acc * multiplier in f32 or f64, bias then ReLU...) is a step function of x. For each step j the host
 * stores the smallest order key that reaches it, found by binary search with the exact scalar
 * function evaluated in TypeScript (Math.fround makes every f32 operation exact, and float64 operations
 * are JS's own). The kernel then needs only integer comparisons. Correctness rests on one property,
 * monotonicity, which holds for every supported variant because each step (division or multiplication
 * by a positive number, rounding to f32 or f64, round-half-even, adding an integer, clamping) is monotone
 * non-decreasing.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The f32 order key of wgsl `f32_key`: monotone in the value, -0 and +0 both 0. */
export function f32Key(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const m = b & 0x7fffffff;
  return b >>> 31 ? -m : m;
}

/** The f32 value of an order key. */
export function keyToF32(k: number): number {
  u32[0] = k >= 0 ? k : (0x80000000 | -k) >>> 0;
  return f32[0]!;
}


export const KEY_MIN = -0x7f800000; // -Inf
export const KEY_MAX = 0x7f800000;  // +Inf

/**
 * Per step j in [1, levels): the smallest key in [lo, hi] with step(key) >= j. Steps no key reaches are
 * a suffix; `out[at]` (T[0], never compared) holds R, the number of reachable steps.
 * `step` must be monotone non-decreasing in the key (steps below step(lo) get T[j] = lo: always reached).
 * `guess(j)`, optional, is where step j probably starts; it only shortens the search.
 */
export function buildThresholds(levels: number, step: (key: number) => number, lo: number, hi: number, out: Int32Array, at: number,
  guess?: (j: number) => number): void {
  let from = lo;
  let reachable = levels;
  for (let j = 1; j < levels; j++) {
    // bracket [a, b]: step(a - 1) < j (or a == from), step(b) >= j (or b == hi + 1)
    let a = from, b = hi + 1;
    const g = guess ? Math.round(guess(j)) : NaN;
    if (Number.isFinite(g) && g > a && g <= hi) {
      // gallop from the guess (the answer is usually within a few keys); any guess gives the same result
      let d = 1;
      if (step(g) >= j) {
        b = g;
        for (;;) { const t = b - d; if (t <= a) break; if (step(t) >= j) { b = t; d *= 2; } else { a = t + 1; break; } }
      } else {
        a = g + 1;
        for (;;) { const t = a + d; if (t > hi) break; if (step(t) < j) { a = t + 1; d *= 2; } else { b = t; break; } }
      }
    }
    while (a < b) {
      const mid = a + Math.floor((b - a) / 2);
      if (step(mid) >= j) b = mid; else a = mid + 1;
    }
    if (a > hi) { reachable = Math.min(reachable, j); out[at + j] = 0x7fffffff; continue; }
    out[at + j] = a;
    from = a;
  }
  out[at] = reachable;
}
