/**
 * Scales are float32 values (JS numbers are rounded to float32 first).
 *
 * Fake quantization (quantize -> dequantize in float32) for QAT: forward, the straight-through
 * estimator (STE) backward, and the learnable-scale (LSQ-style) gradients PyTorch's
 * `_fake_quantize_learnable_per_{tensor,channel}_affine` computes. Per tensor or per channel.
 *
 * Forward, per element with the channel's scale s and zero point zp (variant knobs as ./rounding.ts):
 *   v = fl32(x / s)  (or fl32(x * fl32(1/s)) with scaleOp 'mul_inv', as PyTorch)
 *   r = round(v) + zp                     (the *unclamped* rounded code, kept for the mask)
 *   q = clamp(r, qmin, qmax)
 *   y = fl32(fl32(q - zp) * s)
 * STE mask (inclusive of the clip range):
 *   'rounded' (default, PyTorch native fake_quantize_*): qmin <= r <= qmax
 *   'input'   (pytorch-quantization, TF quantize_and_dequantize): (qmin-zp)*s <= x <= (qmax-zp)*s,
 *             on the unrounded input, evaluated exactly (float64)
 *   dx = dy * mask
 * LSQ gradients (PyTorch learnable fake quant; grad_factor multiplies scale and zp gradients):
 *   inside  (mask = 1): dScale_i = fl32(fl32(y - x) * fl32(1/s))   dZp_i = 0
 *   below   (r < qmin): dScale_i = qmin - zp                  dZp_i = -s
 *   above   (r > qmax): dScale_i = qmax - zp                  dZp_i = -s
 *   dScale = Σ dy_i * dScale_i * grad_factor, dZp likewise; sums are formed in float64 and rounded to
 *   float32 once (PyTorch's float32 reduction order is not reproduced, so sums agree to ~1 ulp).
 *   NaN x: q = qmin, mask 0, treated as below. PyTorch's learnable kernel rounds zp + x * fl32(1/s):
 *   pass variant { ...PYTORCH, zeroPoint: 'before_round' } to reproduce it.
 */
import { type QuantVariant, RNE_MAGIC64, fl32, roundWith, variantOf } from './rounding.ts';

export interface FakeQuantParams {
  /** one scale per channel (length 1 = per tensor) */
  scale: ArrayLike<number>;
  /** one zero point per channel (length 1 = per tensor); default 0 */
  zeroPoint?: ArrayLike<number>;
  qmin: number;
  qmax: number;
  /** channel axis for per-channel parameters (required when scale has more than one element) */
  axis?: number;
  variant?: Partial<QuantVariant>;
  mask?: 'rounded' | 'input';
}

export interface FakeQuantForward {
  y: Float32Array;
  /** 1 where the gradient passes (STE), 0 where clipped */
  mask: Uint8Array;
  /** -1 below the range, 0 inside, +1 above (for the LSQ gradient) */
  side: Int8Array;
}

function channelLayout(dims: readonly number[], p: FakeQuantParams): { channels: number; inner: number } {
  const n = p.scale.length;
  if (p.zeroPoint && p.zeroPoint.length !== n) throw new Error(`fake-quant: ${p.zeroPoint.length} zero points for ${n} scales`);
  for (let i = 0; i < n; i++) {
    const s = p.scale[i];
    if (!(s > 0) || !Number.isFinite(s)) throw new Error(`fake-quant: scale[${i}] is ${s}; every scale must be finite and > 0`);
  }
  if (!(p.qmin < p.qmax)) throw new Error(`fake-quant: qmin ${p.qmin} must be below qmax ${p.qmax}`);
  if (n === 1) return { channels: 1, inner: dims.reduce((a, b) => a * b, 1) };
  const rank = dims.length;
  const axis = p.axis ?? -1;
  const ax = axis < 0 ? axis + rank : axis;
  if (p.axis === undefined || ax < 0 || ax >= rank) throw new Error(`fake-quant: per-channel parameters need an axis in [${-rank}, ${rank - 1}], got ${p.axis}`);
  if (dims[ax] !== n) throw new Error(`fake-quant: ${n} scales but dims[${ax}] = ${dims[ax]} (dims [${dims.join(',')}])`);
  let inner = 1;
  for (let j = ax + 1; j < rank; j++) inner *= dims[j];
  return { channels: n, inner };
}

/** Forward pass; `dims` is x's shape (needed for per-channel parameters). */
export function fakeQuantForward(x: Float32Array, dims: readonly number[], p: FakeQuantParams): FakeQuantForward {
  const { channels, inner } = channelLayout(dims, p);
  const variant = variantOf(p.variant);
  const n = x.length;
  const y = new Float32Array(n);
  const mask = new Uint8Array(n);
  const side = new Int8Array(n);
  const { qmin, qmax } = p;
  const inputMask = p.mask === 'input';
  for (let i = 0; i < n; i++) {
    const c = channels === 1 ? 0 : Math.floor(i / inner) % channels;
    const s = fl32(p.scale[c]);
    const zp = p.zeroPoint ? p.zeroPoint[c] : 0;
    const xv = x[i];
    const v = variant.scaleOp === 'div' ? fl32(xv / s) : fl32(xv * fl32(1 / s));
    let r: number;
    if (v !== v) r = NaN;
    else if (variant.zeroPoint === 'before_round') r = roundWith(variant.rounding, v + zp);
    else r = (variant.rounding === 'half_even' && Math.abs(v) < 2 ** 51 ? v + RNE_MAGIC64 - RNE_MAGIC64 : roundWith(variant.rounding, v)) + zp;
    const sd = r >= qmin ? (r <= qmax ? 0 : 1) : -1; // NaN -> below
    const q = sd === 0 ? r : sd < 0 ? qmin : qmax;
    y[i] = fl32(fl32(q - zp) * s);
    side[i] = sd;
    if (inputMask) mask[i] = xv >= (qmin - zp) * s && xv <= (qmax - zp) * s ? 1 : 0;
    else mask[i] = sd === 0 ? 1 : 0;
  }
  return { y, mask, side };
}

/** STE backward: dx = dy * mask. */
export function fakeQuantBackward(dy: Float32Array, mask: Uint8Array): Float32Array {
  if (dy.length !== mask.length) throw new Error(`fake-quant backward: dy has ${dy.length} elements, mask ${mask.length}`);
  const dx = new Float32Array(dy.length);
  for (let i = 0; i < dy.length; i++) dx[i] = mask[i] ? dy[i] : 0;
  return dx;
}

export interface LsqGradients {
  dx: Float32Array;
  /** per channel (length 1 per tensor) */
  dScale: Float32Array;
  dZeroPoint: Float32Array;
}

/** Learnable-scale (LSQ-style) gradients of fake quantization; see the module comment. */
export function fakeQuantLsqGradients(
  x: Float32Array, dims: readonly number[], dy: Float32Array, p: FakeQuantParams, gradFactor = 1,
): LsqGradients {
  if (dy.length !== x.length) throw new Error(`fake-quant LSQ: dy has ${dy.length} elements, x ${x.length}`);
  const f = fakeQuantForward(x, dims, { ...p, mask: 'rounded' });
  const { channels, inner } = channelLayout(dims, p);
  const ds = new Float64Array(channels);
  const dz = new Float64Array(channels);
  const dx = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = channels === 1 ? 0 : Math.floor(i / inner) % channels;
    const s = fl32(p.scale[c]);
    const zp = p.zeroPoint ? p.zeroPoint[c] : 0;
    const g = dy[i];
    if (f.side[i] === 0) {
      dx[i] = g;
      ds[c] += g * fl32(fl32(f.y[i] - x[i]) * fl32(1 / s));
    } else {
      ds[c] += g * (f.side[i] < 0 ? p.qmin - zp : p.qmax - zp);
      dz[c] += g * -s;
    }
  }
  const dScale = new Float32Array(channels);
  const dZeroPoint = new Float32Array(channels);
  for (let c = 0; c < channels; c++) { dScale[c] = ds[c] * gradFactor; dZeroPoint[c] = dz[c] * gradFactor; }
  return { dx, dScale, dZeroPoint };
}
