/**
 * BatchNormalization folded into the preceding convolution (TRT: ScaleActivationFusion then
 * QConvScaleFusion; docs §3.2 F1). Per output channel k:
 *   f_k = gamma_k / sqrt(var_k + eps),  W'_k = W_k * f_k,  b'_k = (b_k - mean_k) * f_k + beta_k
 * Precision: computed in float64 from the float32 inputs and rounded once to float32 per element — the
 * same order TensorRT's builder uses is not published, so only this one rounding is promised.
 * For an INT8 weight the integer codes stay and f_k multiplies the per-channel weight scale instead.
 */
import { DataType } from '../sim/data-type.ts';
import type { Tensor } from '../sim/tensor.ts';

export interface BatchNormParams {
  gamma: Tensor;
  beta: Tensor;
  mean: Tensor;
  variance: Tensor;
  epsilon: number;
}

function f32(t: Tensor, what: string): Float32Array {
  if (t.dtype !== DataType.FLOAT) throw new Error(`BatchNormalization folding needs FLOAT ${what}, got dtype ${t.dtype}`);
  return t.data as Float32Array;
}

/** f_k = gamma_k / sqrt(var_k + eps), in float64. */
export function batchNormFactors(bn: BatchNormParams): Float64Array {
  const g = f32(bn.gamma, 'scale'), v = f32(bn.variance, 'variance');
  const out = new Float64Array(g.length);
  for (let k = 0; k < g.length; k++) out[k] = g[k] / Math.sqrt(v[k] + bn.epsilon);
  return out;
}

/** Folds BN into a weight whose output channels are on axis `axis` (0 for Conv KCRS, 1 for ConvTranspose). */
export function foldBatchNorm(weight: Tensor, bias: Tensor | undefined, bn: BatchNormParams, axis = 0): { weight: Tensor; bias: Tensor } {
  const w = f32(weight, 'weight');
  const f = batchNormFactors(bn);
  const channels = weight.dims[axis];
  if (channels !== f.length) throw new Error(`BatchNormalization has ${f.length} channels but the weight has ${channels} on axis ${axis}`);
  const inner = weight.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outW = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) outW[i] = w[i] * f[Math.floor(i / inner) % channels];
  const beta = f32(bn.beta, 'B'), mean = f32(bn.mean, 'mean');
  const b = bias ? f32(bias, 'bias') : undefined;
  const outB = new Float32Array(channels);
  for (let k = 0; k < channels; k++) outB[k] = ((b ? b[k] : 0) - mean[k]) * f[k] + beta[k];
  return { weight: { dtype: DataType.FLOAT, dims: [...weight.dims], data: outW }, bias: { dtype: DataType.FLOAT, dims: [channels], data: outB } };
}
