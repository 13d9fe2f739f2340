/**
 * MSE calibration, pytorch-quantization `_compute_amax_mse`: candidates amax = centers[i] for
 * i = 128 .. len-1 (centers = (edges[1:] + edges[:-1]) / 2 in float32); error =
 * mean((fake_quant(centers, amax) - centers)^2 * counts), fake quant in float32 with the function default
 * narrow range (scale = 127 / amax, round half even, clamp to ±127, divide back); the first minimum wins.
 * torch's float32 reduction order is not reproduced: the mean is accumulated in float64 (docs/quantize.md).
 */
import { DEFAULT_NUM_BINS } from './histogram.ts';

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function fakeQuantF32(x: number, amax: number, numBits = 8, unsigned = false): number {
  const maxBound = 2 ** (numBits - 1 + (unsigned ? 1 : 0)) - 1;
  const minBound = unsigned ? 0 : -maxBound;
  if (amax <= 2 ** -24) return 0;
  const scale = Math.fround(maxBound / amax);
  const q = Math.min(maxBound, Math.max(minBound, roundHalfEven(Math.fround(x * scale))));
  return Math.fround(q / scale);
}

export function mseAmax(hist: ArrayLike<number>, edges: ArrayLike<number>, opts: { numBits?: number; startBin?: number; stride?: number } = {}): { amax: number; errors: number[] } {
  const startBin = opts.startBin ?? 128, stride = opts.stride ?? 1;
  const n = hist.length;
  const centers = new Float64Array(n);
  for (let i = 0; i < n; i++) centers[i] = Math.fround(Math.fround(edges[i + 1] + edges[i]) / 2);
  const errors: number[] = [];
  const args: number[] = [];
  for (let i = startBin; i < n; i += stride) {
    const amax = centers[i];
    let acc = 0;
    for (let k = 0; k < n; k++) {
      const d = Math.fround(fakeQuantF32(centers[k], amax, opts.numBits ?? 8) - centers[k]);
      acc += Math.fround(Math.fround(d * d) * Math.fround(hist[k]));
    }
    errors.push(Math.fround(acc / n));
    args.push(i);
  }
  if (!errors.length) return { amax: edges[edges.length - 1], errors };
  let best = 0;
  for (let k = 1; k < errors.length; k++) if (errors[k] < errors[best]) best = k;
  return { amax: centers[args[best]], errors };
}

export { DEFAULT_NUM_BINS };
