/**
 * Integer matmul / gemm / conv2d with int32 wrap-around accumulation, and the requantize epilogue.
 *
 * Accumulation: Σ (x - x_zp)(w - w_zp) over exact integers, reduced modulo 2^32 into int32
 * ("the accumulation may overflow if and only if in 32 bits", MatMulInteger/ConvInteger). Sums are
 * formed in float64, which is exact while K · max|x - x_zp| · max|w - w_zp| < 2^53 (for 8-bit
 * operands K < 2^37); the final store into an Int32Array is ToInt32, i.e. exactly the mod-2^32
 * wrap. Wider operands fall back to a per-step `| 0` loop. Large products whose operands (minus zero
 * points) fit int16 run on a WebAssembly SIMD GEMM with int32 wrap-around adds (./gemm-simd.ts);
 * integer addition modulo 2^32 does not depend on the order, so both paths give identical bits.
 */
import type { TensorData } from '../tensor.ts';
import { packedAIndex, packedBIndex, prepareGemm } from './gemm-simd.ts';
import { type QuantVariant, RNE_MAGIC64, fl32, roundWith, variantOf } from './rounding.ts';

/** Products at least this large (M·N·K) go through the WebAssembly SIMD GEMM (./gemm-simd.ts). */
const SIMD_MIN_WORK = 4096;
const I16 = 32767;

export type IntArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array;
type NumArray = Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>;

function zpAt(zp: ArrayLike<number> | number, i: number): number {
  return typeof zp === 'number' ? zp : zp.length === 1 ? zp[0] : zp[i];
}

function maxAbsMinus(a: ArrayLike<number>, zp: ArrayLike<number> | number): number {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < a.length; i++) { const v = a[i]; if (v < lo) lo = v; if (v > hi) hi = v; }
  if (a.length === 0) return 0;
  let zlo = Infinity, zhi = -Infinity;
  const zn = typeof zp === 'number' ? 1 : zp.length;
  for (let i = 0; i < zn; i++) { const z = zpAt(zp, i); if (z < zlo) zlo = z; if (z > zhi) zhi = z; }
  return Math.max(Math.abs(lo - zhi), Math.abs(hi - zlo), Math.abs(lo - zlo), Math.abs(hi - zhi));
}

/**
 * C[M,N] (int32, wrapping) = (A[M,K] - aZp) · (B[K,N] - bZp). aZp: scalar or per row (length M);
 * bZp: scalar or per column (length N). Row-major, offsets let callers address batches.
 */
export function matmulInt32(
  a: ArrayLike<number>, aZp: ArrayLike<number> | number, b: ArrayLike<number>, bZp: ArrayLike<number> | number,
  M: number, K: number, N: number,
  out: Int32Array = new Int32Array(M * N), aOff = 0, bOff = 0, cOff = 0,
): Int32Array {
  const ma = maxAbsMinus(a, aZp), mb = maxAbsMinus(b, bZp);
  if (M * N * K >= SIMD_MIN_WORK && ma <= I16 && mb <= I16) {
    const g = prepareGemm(M, N, K);
    if (g) {
      const K8 = g.Kpad / 8;
      for (let i = 0; i < M; i++) {
        const az = zpAt(aZp, i);
        for (let k = 0; k < K; k++) g.a[packedAIndex(i, k, K8)] = a[aOff + i * K + k] - az;
      }
      for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) g.b[packedBIndex(j, k, K8)] = b[bOff + k * N + j] - zpAt(bZp, j);
      g.run();
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) out[cOff + i * N + j] = g.c[i * g.Npad + j];
      return out;
    }
  }
  const exact = K * ma * mb < 2 ** 53;
  const acc = new Float64Array(N);
  const bc = new Float64Array(K * N);
  for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) bc[k * N + j] = b[bOff + k * N + j] - zpAt(bZp, j);
  for (let i = 0; i < M; i++) {
    acc.fill(0);
    const az = zpAt(aZp, i);
    for (let k = 0; k < K; k++) {
      const av = a[aOff + i * K + k] - az;
      if (av === 0) continue;
      const row = k * N;
      if (exact) for (let j = 0; j < N; j++) acc[j] += av * bc[row + j];
      else for (let j = 0; j < N; j++) acc[j] = (acc[j] + av * bc[row + j]) | 0;
    }
    for (let j = 0; j < N; j++) out[cOff + i * N + j] = acc[j];
  }
  return out;
}

export interface Conv2dParams {
  /** [strideH, strideW], default [1, 1] */
  strides?: readonly number[];
  /** [top, left, bottom, right], default zeros */
  pads?: readonly number[];
  /** [dilationH, dilationW], default [1, 1] */
  dilations?: readonly number[];
  /** groups; C and M must be divisible by it (depthwise: group = C = M) */
  group?: number;
  /**
   * Implementation (all give identical bits): 'auto' (default) picks 'direct' for tiny kernels, 'simd'
   * for large products, else 'js' (im2col + float64 accumulation). Forcing one is for tests/benchmarks.
   */
  path?: 'auto' | 'direct' | 'simd' | 'js';
}

export interface Conv2dShape {
  N: number; C: number; H: number; W: number; M: number; kH: number; kW: number;
  OH: number; OW: number; group: number;
  sH: number; sW: number; pT: number; pL: number; dH: number; dW: number;
}

/** Validates and computes the conv geometry; errors name the rule. */
export function conv2dShape(xDims: readonly number[], wDims: readonly number[], p: Conv2dParams = {}, what = 'Conv'): Conv2dShape {
  if (xDims.length !== 4) throw new Error(`${what}: input must be NCHW (rank 4), got dims [${xDims.join(',')}]`);
  if (wDims.length !== 4) throw new Error(`${what}: weight must be [M, C/group, kH, kW], got dims [${wDims.join(',')}]`);
  const [N, C, H, W] = xDims;
  const [M, Cg, kH, kW] = wDims;
  const group = p.group ?? 1;
  const [sH, sW] = p.strides ?? [1, 1];
  const [pT, pL, pB, pR] = p.pads ?? [0, 0, 0, 0];
  const [dH, dW] = p.dilations ?? [1, 1];
  if (!(group >= 1) || C % group !== 0 || M % group !== 0) throw new Error(`${what}: group ${group} must divide the ${C} input and ${M} output channels`);
  if (Cg !== C / group) throw new Error(`${what}: weight has ${Cg} input channels per group, input has ${C} / group ${group} = ${C / group}`);
  if (!(sH >= 1 && sW >= 1 && dH >= 1 && dW >= 1)) throw new Error(`${what}: strides and dilations must be >= 1`);
  if ([pT, pL, pB, pR].some((v) => !(v >= 0))) throw new Error(`${what}: pads must be >= 0`);
  const OH = Math.floor((H + pT + pB - dH * (kH - 1) - 1) / sH) + 1;
  const OW = Math.floor((W + pL + pR - dW * (kW - 1) - 1) / sW) + 1;
  if (OH < 1 || OW < 1) throw new Error(`${what}: output would be empty (${OH}x${OW})`);
  return { N, C, H, W, M, kH, kW, OH, OW, group, sH, sW, pT, pL, dH, dW };
}

/**
 * Integer conv2d (NCHW): y[n,m,oh,ow] = Σ (x - xZp)(w - wZp[m]) over the group's channels and the
 * kernel window; padding contributes x = xZp (i.e. 0 after the subtraction). Optional int32 bias
 * per output channel is added with wrap-around. Output int32 [N, M, OH, OW].
 */
export function conv2dInt32(
  x: ArrayLike<number>, xDims: readonly number[], xZp: number,
  w: ArrayLike<number>, wDims: readonly number[], wZp: ArrayLike<number> | number,
  p: Conv2dParams = {}, bias?: ArrayLike<number>,
): { data: Int32Array; dims: number[] } {
  const s = conv2dShape(xDims, wDims, p);
  const { N, C, H, W, M, kH, kW, OH, OW, group, sH, sW, pT, pL, dH, dW } = s;
  const Cg = C / group, Mg = M / group, K = Cg * kH * kW, P = OH * OW;
  const mx = maxAbsMinus(x, xZp), mw = maxAbsMinus(w, wZp);
  const out = new Int32Array(N * M * P);
  const path = p.path ?? 'auto';
  if (path === 'direct' || (path === 'auto' && K < DIRECT_MAX_K && K * mx * mw < 2 ** 31)) {
    if (K * mx * mw >= 2 ** 31) throw new Error('conv2dInt32: the direct path needs K * max|x - xZp| * max|w - wZp| < 2^31');
    conv2dDirect(x, xZp, w, wZp, s, out, bias); // depthwise and other tiny kernels: no packing
    return { data: out, dims: [N, M, OH, OW] };
  }
  if ((path === 'simd' || (path === 'auto' && Mg * P * K >= SIMD_MIN_WORK)) && mx <= I16 && mw <= I16 && conv2dSimd(x, xZp, w, wZp, s, out, bias)) {
    return { data: out, dims: [N, M, OH, OW] };
  }
  if (path === 'simd') throw new Error('conv2dInt32: the SIMD path needs WebAssembly SIMD and operands that fit int16');
  const exact = K * mx * mw + (bias ? 2 ** 31 : 0) < 2 ** 53;
  const col = new Float64Array(K * P); // im2col of one group, x - xZp (0 in the padding)
  const wc = new Float64Array(Mg * K);
  const acc = new Float64Array(P);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < group; g++) {
      // im2col
      for (let c = 0; c < Cg; c++) {
        const xBase = ((n * C) + g * Cg + c) * H * W;
        for (let kh = 0; kh < kH; kh++) {
          for (let kw = 0; kw < kW; kw++) {
            const row = ((c * kH + kh) * kW + kw) * P;
            for (let oh = 0; oh < OH; oh++) {
              const ih = oh * sH - pT + kh * dH;
              const rowO = row + oh * OW;
              if (ih < 0 || ih >= H) { for (let ow = 0; ow < OW; ow++) col[rowO + ow] = 0; continue; }
              const xRow = xBase + ih * W;
              for (let ow = 0; ow < OW; ow++) {
                const iw = ow * sW - pL + kw * dW;
                col[rowO + ow] = iw < 0 || iw >= W ? 0 : x[xRow + iw] - xZp;
              }
            }
          }
        }
      }
      for (let mg = 0; mg < Mg; mg++) {
        const m = g * Mg + mg;
        const z = zpAt(wZp, m);
        for (let k = 0; k < K; k++) wc[mg * K + k] = w[m * K + k] - z;
      }
      for (let mg = 0; mg < Mg; mg++) {
        const m = g * Mg + mg;
        acc.fill(0);
        for (let k = 0; k < K; k++) {
          const wv = wc[mg * K + k];
          if (wv === 0) continue;
          const row = k * P;
          if (exact) for (let q = 0; q < P; q++) acc[q] += wv * col[row + q];
          else for (let q = 0; q < P; q++) acc[q] = (acc[q] + wv * col[row + q]) | 0;
        }
        const o = (n * M + m) * P;
        const b = bias ? bias[m] : 0;
        for (let q = 0; q < P; q++) out[o + q] = (acc[q] | 0) + b; // ToInt32 on store wraps
      }
    }
  }
  return { data: out, dims: [N, M, OH, OW] };
}

/** Kernels with fewer taps than this per output (e.g. depthwise 3x3: 9) use the direct loop. */
const DIRECT_MAX_K = 32;

/**
 * What both int32 conv paths precompute: x - xZp as int16 once (monomorphic typed reads in the
 * inner loops), and per kernel tap k its window offsets (channel base, kh * dH - pT, kw * dW - pL).
 */
function convTaps(x: ArrayLike<number>, xZp: number, s: Conv2dShape): { xs: Int16Array; kc: Int32Array; khd: Int32Array; kwd: Int32Array } {
  const { C, H, W, kH, kW, group, pT, pL, dH, dW } = s;
  const Cg = C / group, K = Cg * kH * kW;
  const xs = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) xs[i] = x[i] - xZp;
  const kc = new Int32Array(K), khd = new Int32Array(K), kwd = new Int32Array(K);
  for (let c = 0; c < Cg; c++) for (let kh = 0; kh < kH; kh++) for (let kw = 0; kw < kW; kw++) {
    const k = (c * kH + kh) * kW + kw;
    kc[k] = c * H * W; khd[k] = kh * dH - pT; kwd[k] = kw * dW - pL;
  }
  return { xs, kc, khd, kwd };
}

/**
 * Direct conv for tiny K (depthwise): per output pixel a sum over K taps with precomputed offsets.
 * Requires K · max|x - xZp| · max|w - wZp| < 2^31, so the plain sum never leaves int32 before the
 * bias add (which wraps on store).
 */
function conv2dDirect(
  x: ArrayLike<number>, xZp: number, w: ArrayLike<number>, wZp: ArrayLike<number> | number,
  s: Conv2dShape, out: Int32Array, bias?: ArrayLike<number>,
): void {
  const { N, C, H, W, M, kH, kW, OH, OW, group, sH, sW } = s;
  const Cg = C / group, Mg = M / group, K = Cg * kH * kW, P = OH * OW;
  const { xs, kc, khd, kwd } = convTaps(x, xZp, s);
  const wv = new Int32Array(K);
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const g = Math.floor(m / Mg);
      const z = zpAt(wZp, m);
      for (let k = 0; k < K; k++) wv[k] = w[m * K + k] - z;
      const xBase = (n * C + g * Cg) * H * W;
      const o = (n * M + m) * P;
      const b = bias ? bias[m] : 0;
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const ih0 = oh * sH, iw0 = ow * sW;
          let acc = 0;
          for (let k = 0; k < K; k++) {
            const ih = ih0 + khd[k], iw = iw0 + kwd[k];
            if (ih >= 0 && ih < H && iw >= 0 && iw < W) acc += xs[xBase + kc[k] + ih * W + iw] * wv[k];
          }
          out[o + oh * OW + ow] = acc + b; // ToInt32 on store wraps
        }
      }
    }
  }
}

/**
 * Packed (w - wZp) of one group in the GEMM's A layout, cached per typed weight array (weights are
 * usually constant across calls, and re-packing a 512x4608 layer costs more than its GEMM). A hit is
 * used only after a byte-for-byte comparison (memcmp speed) with a copy taken at packing time, so a
 * weight array mutated in place is re-packed, never served stale.
 */
const packCache = new WeakMap<object, Map<string, { bytes: Buffer; packed: Int16Array }>>();
function packedWeights(w: ArrayLike<number>, wZp: ArrayLike<number> | number, g: number, Mg: number, K: number, K8: number, len: number): Int16Array {
  const view = ArrayBuffer.isView(w) ? Buffer.from(w.buffer, w.byteOffset, w.byteLength) : null;
  const zKey = typeof wZp === 'number' ? String(wZp) : Array.prototype.join.call(wZp, ',');
  const key = `${g}/${Mg}/${K}/${K8}/${zKey}`;
  let per = view ? packCache.get(w as object) : undefined;
  const hit = per?.get(key);
  if (hit && view && hit.bytes.equals(view)) return hit.packed;
  const A = new Int16Array(len);
  for (let mg = 0; mg < Mg; mg++) {
    const m = g * Mg + mg;
    const z = zpAt(wZp, m);
    const rowBase = (mg >> 2) * K8 * 32 + (mg & 3) * 8; // packedAIndex(mg, k) = rowBase + (k >> 3) * 32 + (k & 7)
    const wBase = m * K;
    for (let k = 0; k < K; k++) A[rowBase + (k >> 3) * 32 + (k & 7)] = w[wBase + k] - z;
  }
  if (view) {
    if (!per) { per = new Map(); packCache.set(w as object, per); }
    per.set(key, { bytes: Buffer.from(view), packed: A });
  }
  return A;
}

/** conv2dInt32 on the SIMD GEMM: A = weights of one group (Mg x K), B = the group's im2col (P x K). */
function conv2dSimd(
  x: ArrayLike<number>, xZp: number, w: ArrayLike<number>, wZp: ArrayLike<number> | number,
  s: Conv2dShape, out: Int32Array, bias?: ArrayLike<number>,
): boolean {
  const { N, C, H, W, M, kH, kW, OH, OW, group, sH, sW } = s;
  const Cg = C / group, Mg = M / group, K = Cg * kH * kW, P = OH * OW;
  const { xs, kc, khd, kwd } = convTaps(x, xZp, s);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < group; g++) {
      const gm = prepareGemm(Mg, P, K);
      if (!gm) return false;
      const K8 = gm.Kpad / 8;
      const A = gm.a, B = gm.b, Cc = gm.c;
      A.set(packedWeights(w, wZp, g, Mg, K, K8, A.length));
      const xBase = (n * C + g * Cg) * H * W;
      // im2col into B's packed order; per kernel tap k and output row, a contiguous run of input pixels
      const S = K8 * 16;
      for (let k = 0; k < K; k++) {
        const kOff = (k >> 3) * 16 + (k & 7);
        const kwo = kwd[k];
        const owLo = Math.max(0, Math.ceil(-kwo / sW)), owHi = Math.min(OW, Math.floor((W - 1 - kwo) / sW) + 1);
        for (let oh = 0; oh < OH; oh++) {
          const ih = oh * sH + khd[k];
          if (ih < 0 || ih >= H) continue; // B is zero-filled: padding contributes 0
          const rowX = xBase + kc[k] + ih * W + kwo;
          const q0 = oh * OW;
          for (let ow = owLo; ow < owHi; ow++) {
            const q = q0 + ow;
            B[(q >> 1) * S + (q & 1) * 8 + kOff] = xs[rowX + ow * sW];
          }
        }
      }
      gm.run();
      for (let mg = 0; mg < Mg; mg++) {
        const m = g * Mg + mg;
        const o = (n * M + m) * P;
        const b = bias ? bias[m] : 0;
        const row = mg * gm.Npad;
        for (let q = 0; q < P; q++) out[o + q] = Cc[row + q] + b; // ToInt32 on store wraps
      }
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Requantize epilogue

export type Activation = { kind: 'none' } | { kind: 'relu' } | { kind: 'clip'; min: number; max: number };

export interface EpilogueOptions {
  /** Output quantization range (from intRange of the output type). */
  qmin: number; qmax: number;
  /** Input (activation) scale. */
  xScale: number;
  /** Weight scale: one value, or one per output channel. */
  wScale: ArrayLike<number>;
  yScale: number;
  yZeroPoint: number;
  /** Number of output channels and elements per channel (NCHW: M and OH*OW; matmul: N columns with 1). */
  channels: number;
  /** Layout: element index i belongs to channel floor(i / channelStride) % channels. */
  channelStride: number;
  /**
   * 'fused' (default; ONNX Runtime QLinearConv/QLinearMatMul): M_c = fl32(fl32(xs * ws_c) / ys),
   *   v = fl32(fl32(acc) * M_c) (f32 variant) or acc * M_c in float64 ('f64' variant, M_c in the
   *   scale type), then q = clamp(rne(v) + zp) ('after_round') or clamp(rne(v + zp)) ('before_round').
   * 'float' (an explicit DQ -> op -> Q graph as TensorRT describes it): r = fl32(fl32(acc) *
   *   fl32(xs * ws_c)) [+ fl32 float bias] -> activation (exact) -> [+ fl32 residual] ->
   *   q = clamp(rne(fl32(r / ys)) + zp) (QuantizeLinear with the variant's scale op).
   */
  mode?: 'fused' | 'float';
  /** Float bias per channel, added in float32 ('float' mode only; integer bias goes into the accumulator). */
  floatBias?: ArrayLike<number>;
  /**
   * Activation. 'fused' mode applies it in the integer domain as clamp(q, Q(lo), Q(hi)) with
   * Q(v) = clamp(rne(fl32(v / ys)) + zp) (ReLU: lo = 0), which equals quantizing the activated real
   * value because quantization is monotone; 'float' mode applies it to r in float32.
   */
  activation?: Activation;
  /** Residual (skip) input, dequantized fl32(fl32(q - zp) * s) and added in float32 ('float' mode only). */
  residual?: { data: ArrayLike<number>; scale: number; zeroPoint: number };
  variant?: Partial<QuantVariant>;
  /** Scale-type rounding for the 'f64' variant's multiplier (the ONNX reference computes it in the scale dtype). */
  multiplierRound?: (v: number) => number;
}

/** Applies the requantize epilogue to int32 accumulators; writes codes into `out`. */
export function requantize(acc: Int32Array, out: NumArray, o: EpilogueOptions): NumArray {
  const variant = variantOf(o.variant);
  const mode = o.mode ?? 'fused';
  const { qmin, qmax, yZeroPoint: zp } = o;
  const ys = fl32(o.yScale), xs = fl32(o.xScale); // scales are float32 values
  const act = o.activation ?? { kind: 'none' };
  const quantizeReal = (r: number) => {
    const v = variant.scaleOp === 'div' ? fl32(r / ys) : fl32(r * fl32(1 / ys));
    if (v !== v) return qmin;
    const q = roundWith(variant.rounding, v) + zp;
    return q < qmin ? qmin : q > qmax ? qmax : q;
  };
  let lo = qmin, hi = qmax;
  if (mode === 'fused') {
    if (o.residual) throw new Error('requantize: a residual add needs mode "float"');
    if (o.floatBias) throw new Error('requantize: a float bias needs mode "float" (fused mode takes an int32 bias in the accumulator)');
    if (act.kind === 'relu') lo = Math.max(qmin, quantizeReal(0));
    else if (act.kind === 'clip') { lo = quantizeReal(act.min); hi = quantizeReal(act.max); }
  }
  const n = acc.length;
  const C = o.channels, stride = o.channelStride;
  if (!(Number.isInteger(stride) && stride >= 1 && Number.isInteger(C) && C >= 1)) {
    throw new Error(`requantize: channels (${C}) and channelStride (${stride}) must be positive integers`);
  }
  if (out.length < n) throw new Error(`requantize: output has ${out.length} elements for ${n} accumulators`);
  if (o.wScale.length !== 1 && o.wScale.length !== C) throw new Error(`requantize: ${o.wScale.length} weight scales for ${C} channels`);
  const mr = o.multiplierRound ?? fl32;
  for (let c0 = 0; c0 < n; c0 += stride) {
    const c = Math.floor(c0 / stride) % C;
    const ws = fl32(o.wScale.length === 1 ? o.wScale[0] : o.wScale[c]);
    const end = Math.min(n, c0 + stride);
    if (mode === 'fused') {
      if (variant.requant === 'f32') {
        const Mc = fl32(fl32(xs * ws) / ys);
        // int32 -> float32 (RNE, inexact above 2^24, as _mm_cvtepi32_ps), then a float32 multiply
        for (let i = c0; i < end; i++) out[i] = finishFused(fl32(fl32(acc[i]) * Mc), zp, lo, hi, variant);
      } else {
        const Mc = mr(mr(xs * ws) / ys);
        for (let i = c0; i < end; i++) out[i] = finishFused(acc[i] * Mc, zp, lo, hi, variant);
      }
    } else {
      const sc = fl32(xs * ws);
      const fb = o.floatBias ? fl32(o.floatBias.length === 1 ? o.floatBias[0] : o.floatBias[c]) : 0;
      for (let i = c0; i < end; i++) {
        let r = fl32(fl32(acc[i]) * sc);
        if (o.floatBias) r = fl32(r + fb);
        if (act.kind === 'relu') r = r > 0 ? r : 0;
        else if (act.kind === 'clip') r = r < act.min ? act.min : r > act.max ? act.max : r;
        if (o.residual) r = fl32(r + fl32(fl32(o.residual.data[i] - o.residual.zeroPoint) * o.residual.scale));
        out[i] = quantizeReal(r);
      }
    }
  }
  return out;
}

function finishFused(v: number, zp: number, lo: number, hi: number, variant: QuantVariant): number {
  if (v !== v) return lo;
  let q: number;
  if (variant.zeroPoint === 'before_round') q = roundWith(variant.rounding, v + zp);
  else if (variant.rounding === 'half_even' && Math.abs(v) < 2 ** 51) q = v + RNE_MAGIC64 - RNE_MAGIC64 + zp;
  else q = roundWith(variant.rounding, v) + zp;
  return q < lo ? lo : q > hi ? hi : q;
}
