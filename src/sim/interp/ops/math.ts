/** Scalar math the JS runtime lacks, accurate to double precision (so float32 results round correctly). */

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * erf(x) from the everywhere-convergent series erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)).
 * All terms are positive, so there is no cancellation; relative error stays near 1e-15 for |x| < 6,
 * and |erf(x)| rounds to 1 in double beyond that.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a >= 6) return Math.sign(x);
  if (a === 0) return x;
  const x2 = a * a;
  let term = a;
  let sum = a;
  for (let n = 1; n < 500; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  const r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  return x < 0 ? -r : r;
}
