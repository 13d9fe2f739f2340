/**
 * Percentile calibration, pytorch-quantization `_compute_amax_percentile`: cdf = cumsum(hist / total)
 * (float64, sequential), idx = searchsorted(cdf, p / 100) (side left), amax = edges[idx] — the lower edge
 * of the bin where the cdf reaches p.
 */
import { QuantError } from '../quant-error.ts';

export const DEFAULT_PERCENTILE = 99.99;

export function percentileAmax(hist: ArrayLike<number>, edges: ArrayLike<number>, percentile = DEFAULT_PERCENTILE): number {
  if (!(percentile >= 0 && percentile <= 100)) throw new QuantError(`percentile ${percentile} is not in [0, 100]`);
  let total = 0;
  for (let i = 0; i < hist.length; i++) total += hist[i];
  const target = percentile / 100;
  let cdf = 0;
  for (let i = 0; i < hist.length; i++) {
    cdf += hist[i] / total;
    if (cdf >= target) return edges[i];
  }
  return edges[hist.length];
}
