/**
 * Entropy (KL-divergence) calibration, pytorch-quantization `_compute_amax_entropy` (the TensorRT
 * EntropyCalibrator2 algorithm): bins[0] = bins[1]; for i = 128 .. len (stride 1): P = bins[:i] with the
 * outliers sum(bins[i:]) added to its last bin; Q = bins[:i] merged into 128 levels (`np.digitize` over
 * `linspace(0, i, 129)`), each level's count spread evenly over its non-empty source bins; KL(P||Q) as
 * scipy.stats.entropy (natural log, both normalised); the *last* minimum wins; amax = edges[i].
 */
import { npSum } from './numpy-sum.ts';

export interface EntropyOptions {
  numBits?: number;
  unsigned?: boolean;
  startBin?: number;
  stride?: number;
}

/** scipy.special.rel_entr summed as scipy.stats.entropy does (pk, qk normalised first). */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>, scratch?: Float64Array): number {
  const sp = npSum(p), sq = npSum(q);
  const vec = scratch && scratch.length >= p.length ? scratch.subarray(0, p.length) : new Float64Array(p.length);
  for (let k = 0; k < p.length; k++) {
    const x = (1.0 * p[k]) / sp, y = (1.0 * q[k]) / sq;
    if (Number.isNaN(x) || Number.isNaN(y)) vec[k] = NaN;
    else if (x > 0 && y > 0) vec[k] = x * Math.log(x / y);
    else if (x === 0 && y >= 0) vec[k] = 0;
    else vec[k] = Infinity;
  }
  return npSum(vec);
}

/** `np.digitize(range(i), linspace(0, i, nbins + 1)) - 1`. */
function digitize(i: number, nbins: number): Int32Array {
  const step = i / nbins;
  const space = new Float64Array(nbins + 1);
  for (let k = 0; k <= nbins; k++) space[k] = k * step;
  space[nbins] = i;
  const out = new Int32Array(i);
  let k = 0;
  for (let x = 0; x < i; x++) {
    while (k + 1 <= nbins && space[k + 1] <= x) k++;
    out[x] = k; // number of edges <= x, minus one
  }
  return out;
}

export function entropyAmax(hist: ArrayLike<number>, edges: ArrayLike<number>, opts: EntropyOptions = {}): { amax: number; divergences: number[] } {
  const numBits = opts.numBits ?? 8, startBin = opts.startBin ?? 128, stride = opts.stride ?? 1;
  const bins = Float64Array.from(hist);
  if (bins.length > 1) bins[0] = bins[1];
  const nbins = 1 << (numBits - 1 + (opts.unsigned ? 1 : 0));
  const stop = bins.length;
  const divergences: number[] = [];
  const counts = new Float64Array(nbins);
  const members = new Float64Array(nbins);
  const qBuf = new Float64Array(stop), pBuf = new Float64Array(stop), scratch = new Float64Array(stop);
  // suffix sums of the outliers, accumulated left to right as numpy's int sum of bins[i:] is exact
  const tail = new Float64Array(stop + 1);
  for (let x = stop - 1; x >= 0; x--) tail[x] = tail[x + 1] + bins[x];
  for (let i = startBin; i <= stop; i += stride) {
    counts.fill(0); members.fill(0);
    const dig = digitize(i, nbins);
    for (let x = 0; x < i; x++) {
      if (bins[x] === 0) continue;
      counts[dig[x]] += bins[x];
      members[dig[x]] += 1;
    }
    for (let k = 0; k < nbins; k++) if (members[k] > 0) counts[k] = counts[k] / members[k];
    const q = qBuf.subarray(0, i);
    for (let x = 0; x < i; x++) q[x] = bins[x] !== 0 ? counts[dig[x]] : 0;
    const p = pBuf.subarray(0, i);
    p.set(bins.subarray(0, i));
    p[i - 1] += tail[i];
    divergences.push(klDivergence(p, q, scratch));
  }
  if (!divergences.length) return { amax: edges[edges.length - 1], divergences };
  // last argmin: the largest k whose value equals the minimum (NaN never wins)
  let min = Infinity;
  for (const d of divergences) if (d < min) min = d;
  let last = -1;
  for (let k = divergences.length - 1; k >= 0; k--) if (divergences[k] === min) { last = k; break; }
  if (last < 0) last = divergences.length - 1;
  return { amax: edges[last * stride + startBin], divergences };
}
