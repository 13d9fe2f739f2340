/**
 * Per-channel first and second moments of activations, propagated through the network as it is
 * generated. They stand in for the BatchNorm running statistics a trained network would carry: each
 * BN is given the mean and variance its input is estimated to have, so after folding every layer
 * sees roughly unit-scale inputs, as in a real network in eval mode. The estimates assume channels
 * and positions are independent Gaussians; the zoo tests check the result by running the models.
 */
export interface Moments {
  mean: Float64Array;
  var: Float64Array;
}

export function constantMoments(channels: number, mean: number, variance: number): Moments {
  return { mean: new Float64Array(channels).fill(mean), var: new Float64Array(channels).fill(variance) };
}

// Expectations under N(0, 1): a trapezoid rule on [-8, 8] with 321 points, normalized so the weights
// sum to 1. Accurate far beyond what these estimates need, for smooth and piecewise-linear f alike.
const GH = ((): { x: Float64Array; w: Float64Array } => {
  const n = 321;
  const x = new Float64Array(n);
  const w = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    x[i] = -8 + (16 * i) / (n - 1);
    w[i] = Math.exp(-0.5 * x[i] * x[i]);
    sum += w[i];
  }
  for (let i = 0; i < n; i++) w[i] /= sum;
  return { x, w };
})();

/** Moments of f(X) for X ~ N(mean, var), per channel. */
export function pointwise(m: Moments, f: (x: number) => number): Moments {
  const c = m.mean.length;
  const out = { mean: new Float64Array(c), var: new Float64Array(c) };
  for (let k = 0; k < c; k++) {
    const s = Math.sqrt(Math.max(m.var[k], 0));
    let e1 = 0;
    let e2 = 0;
    for (let i = 0; i < GH.x.length; i++) {
      const y = f(m.mean[k] + s * GH.x[i]);
      e1 += GH.w[i] * y;
      e2 += GH.w[i] * y * y;
    }
    out.mean[k] = e1;
    out.var[k] = Math.max(e2 - e1 * e1, 0);
  }
  return out;
}

export const ACTIVATIONS = {
  relu: (x: number): number => (x > 0 ? x : 0),
  relu6: (x: number): number => Math.min(Math.max(x, 0), 6),
  sigmoid: (x: number): number => 1 / (1 + Math.exp(-x)),
  swish: (x: number): number => x / (1 + Math.exp(-x)),
  tanh: Math.tanh,
};

/** Sum of two independent activations. */
export function addMoments(a: Moments, b: Moments): Moments {
  return { mean: a.mean.map((v, i) => v + b.mean[i]), var: a.var.map((v, i) => v + b.var[i]) };
}

/** Product of independent activations (b may be per-channel gates broadcast over space). */
export function mulMoments(a: Moments, b: Moments): Moments {
  const mean = a.mean.map((v, i) => v * b.mean[i]);
  const variance = a.var.map((v, i) => (v + a.mean[i] ** 2) * (b.var[i] + b.mean[i] ** 2) - mean[i] ** 2);
  return { mean, var: variance };
}

export function concatMoments(parts: Moments[]): Moments {
  const n = parts.reduce((s, p) => s + p.mean.length, 0);
  const out = { mean: new Float64Array(n), var: new Float64Array(n) };
  let o = 0;
  for (const p of parts) {
    out.mean.set(p.mean, o);
    out.var.set(p.var, o);
    o += p.mean.length;
  }
  return out;
}

/** Mean and variance of the maximum of n independent standard normals, by integration on the grid. */
function maxOfNormals(n: number): { mean: number; var: number } {
  let cdf = 0;
  let e1 = 0;
  let e2 = 0;
  for (let i = 0; i < GH.x.length; i++) {
    // density of the max: n * phi(x) * Phi(x)^(n-1); Phi accumulated on the grid (midpoint).
    const phiMass = GH.w[i];
    const p = n * phiMass * Math.pow(cdf + phiMass / 2, n - 1);
    e1 += p * GH.x[i];
    e2 += p * GH.x[i] * GH.x[i];
    cdf += phiMass;
  }
  return { mean: e1, var: e2 - e1 * e1 };
}

/**
 * Neighbouring activations are positively correlated, so a max over a window behaves like a max
 * over fewer independent values; this factor shrinks the independent-case gain accordingly.
 */
const POOL_CORRELATION_SHRINK = 0.75;

/**
 * Pooling `window` values: averaging keeps the mean and, for positively correlated neighbours,
 * shrinks the variance by about sqrt(window); a max moves the mean up and the variance down as a
 * max of Gaussians does (shrunk for correlation). A 1x1 window (strided subsampling) changes nothing.
 */
export function poolMoments(m: Moments, window: number, kind: 'avg' | 'max'): Moments {
  if (window <= 1) return { mean: m.mean.slice(), var: m.var.slice() };
  if (kind === 'avg') return { mean: m.mean.slice(), var: m.var.map((v) => v / Math.sqrt(window)) };
  const g = maxOfNormals(window);
  const gain = g.mean * POOL_CORRELATION_SHRINK;
  const shrink = 1 - (1 - g.var) * POOL_CORRELATION_SHRINK;
  return { mean: m.mean.map((v, i) => v + gain * Math.sqrt(m.var[i])), var: m.var.map((v) => v * shrink) };
}
