/**
 * pytorch-quantization's `HistogramCalibrator.collect` (torch_hist=True): a histogram of |x| over
 * [0, max], 2048 bins for the first batch; later batches keep the bin width and extend the range to
 * `ceil(x_max / width)` bins with edges `arange(0, x_max + width, width)`, adding the old counts to the
 * first bins. Bin positions follow torch.histc in float32: `floor(fround(fround(x * bins) / range))`,
 * the top edge falling into the last bin.
 */
import { QuantError } from '../quant-error.ts';

export const DEFAULT_NUM_BINS = 2048;

export class Histogram {
  counts: Float64Array | undefined;
  edges: Float64Array | undefined;
  /** Running max |x| (the max calibrator's statistic, collected alongside). */
  amax = 0;
  seen = 0;

  constructor(readonly numBins = DEFAULT_NUM_BINS, readonly name = 'tensor') {}

  collect(x: ArrayLike<number>): void {
    const n = x.length;
    if (n === 0) return;
    let xmax = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(x[i]);
      if (Number.isNaN(a)) throw new QuantError(`calibration: tensor "${this.name}" contains NaN`);
      if (a > xmax) xmax = a;
    }
    if (!Number.isFinite(xmax)) throw new QuantError(`calibration: tensor "${this.name}" contains Inf`);
    this.seen += n;
    if (xmax > this.amax) this.amax = xmax;
    if (!this.counts || !this.edges) {
      this.counts = histc(x, this.numBins, xmax);
      this.edges = linspaceF32(xmax, this.numBins);
      return;
    }
    let edges = this.edges;
    let bins = this.counts.length;
    if (xmax > edges[edges.length - 1]) {
      const width = Math.fround(edges[1] - edges[0]);
      bins = Math.ceil(Math.fround(xmax / width));
      edges = arangeF32(Math.fround(xmax + width), width);
    }
    const h = histc(x, bins, edges[edges.length - 1]);
    const old = this.counts;
    for (let i = 0; i < old.length && i < h.length; i++) h[i] += old[i];
    this.counts = h;
    this.edges = edges;
  }
}

/** torch.histc(|x|, bins, min=0, max) on float32 values. */
export function histc(x: ArrayLike<number>, bins: number, max: number): Float64Array {
  const h = new Float64Array(bins);
  if (max === 0) {
    // torch widens a zero range to [min-1, max+1]: every |x| = 0 lands in the middle bin
    const lo = -1, hi = 1;
    for (let i = 0; i < x.length; i++) {
      let pos = Math.floor(Math.fround(Math.fround((Math.abs(x[i]) - lo) * bins) / (hi - lo)));
      if (pos === bins) pos -= 1;
      h[pos] += 1;
    }
    return h;
  }
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > max) continue;
    let pos = Math.floor(Math.fround(Math.fround(a * bins) / max));
    if (pos >= bins) pos = bins - 1;
    h[pos] += 1;
  }
  return h;
}

/** torch.linspace(0, max, bins + 1) in float32: `start + i * step` for the first half, `end - (n-1-i) * step` after. */
export function linspaceF32(max: number, bins: number): Float64Array {
  const n = bins + 1;
  const step = Math.fround(max / bins);
  const half = Math.floor(n / 2);
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) e[i] = i < half ? Math.fround(i * step) : Math.fround(max - (n - 1 - i) * step);
  return e;
}

/** torch.arange(0, end, step) in float32: `ceil(end / step)` elements `i * step`. */
export function arangeF32(end: number, step: number): Float64Array {
  const n = Math.ceil(end / step);
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) e[i] = Math.fround(i * step);
  return e;
}
