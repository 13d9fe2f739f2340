// SPDX-License-Identifier: Apache-2.0
/**
 * The requantize epilogue on the GPU (wgsl/requantize.wgsl): int32 accumulators -> int8/uint8 (or
 * 4-/2-bit) codes, taking the golden `EpilogueOptions` unchanged so both sides name the same variant.
 * Method 'integer' emulates the f32 arithmetic in u32 (fused f32 and float modes, rounding half_even,
 * zero point after rounding); method 'lut' (default) supports every variant of the fused mode and the
 * float mode without a residual, from per-channel threshold tables built with the golden function.
 */
import { DataType, dataTypeName } from '../sim/data-type.ts';
import { f32ToBits } from '../sim/golden/dtype.ts';
import { type EpilogueOptions, requantize } from '../sim/golden/integer-ops.ts';
import { fl32, roundWith, variantOf } from '../sim/golden/rounding.ts';
import type { ExactMethod, KernelDesc } from './kernel-spec.ts';
import { buildThresholds } from './lut.ts';
import { isSignedQuant, quantRange } from './quant-params.ts';
import { grid1d, type KernelRunner } from './runner.ts';

export interface RequantizeGpuOptions extends EpilogueOptions {
  /** Output code type (its range must equal qmin..qmax). */
  outDtype: DataType;
  method?: ExactMethod;
}

export function requantizeDesc(method: ExactMethod, scaleOp: 'div' | 'mul_inv'): KernelDesc {
  return {
    stem: 'requantize', bindings: ['uniform', 'read', 'read', 'read', 'read', 'read', 'read', 'read_write'],
    overrides: { METHOD: method === 'integer' ? 0 : 1, VARIANT: scaleOp === 'div' ? 0 : 1, WG: 256 },
  };
}

function isF32(v: number): boolean { return Math.fround(v) === v || Number.isNaN(v); }

export async function requantizeGpu(runner: KernelRunner, acc: Int32Array, o: RequantizeGpuOptions): Promise<Int8Array | Uint8Array> {
  const [qmin, qmax] = quantRange(o.outDtype);
  if (o.qmin !== qmin || o.qmax !== qmax) throw new RangeError(`requantize: qmin/qmax ${o.qmin}/${o.qmax} differ from ${dataTypeName(o.outDtype)}'s range [${qmin}, ${qmax}]`);
  const variant = variantOf(o.variant);
  const mode = o.mode ?? 'fused';
  const method = o.method ?? 'lut';
  const C = o.channels;
  if (!(Number.isInteger(C) && C >= 1) || !(Number.isInteger(o.channelStride) && o.channelStride >= 1)) throw new RangeError('requantize: channels and channelStride must be positive integers');
  if (o.wScale.length !== 1 && o.wScale.length !== C) throw new RangeError(`requantize: ${o.wScale.length} weight scales for ${C} channels`);
  if (o.floatBias && o.floatBias.length !== 1 && o.floatBias.length !== C) throw new RangeError(`requantize: ${o.floatBias.length} float biases for ${C} channels`);
  for (const [k, v] of [['xScale', o.xScale], ['yScale', o.yScale]] as const) if (!(v > 0) || !isF32(v)) throw new RangeError(`requantize: ${k} = ${v} must be a float32 > 0`);
  const act = o.activation ?? { kind: 'none' };
  if (act.kind === 'clip' && (!isF32(act.min) || !isF32(act.max))) throw new RangeError('requantize: clip bounds must be float32 values');
  if (o.residual && o.residual.data.length !== acc.length) throw new RangeError(`requantize: residual has ${o.residual.data.length} elements, acc ${acc.length}`);
  if (mode === 'fused' && (o.residual || o.floatBias)) {
    // let the golden function produce its own error message
    requantize(new Int32Array(0), new Int8Array(0), o);
  }
  if (method === 'integer') {
    if (variant.rounding !== 'half_even' || (mode === 'fused' && (variant.requant !== 'f32' || variant.zeroPoint !== 'after_round'))) {
      throw new RangeError(`requantize: method 'integer' implements rounding half_even and, in fused mode, requant f32 with the zero point after rounding; use method 'lut'`);
    }
  } else if (o.residual) {
    throw new RangeError("requantize: a residual add makes the code depend on two inputs; method 'lut' cannot do it, use method 'integer'");
  }
  const ys = o.yScale, zp = o.yZeroPoint;
  // per-channel parameters, exactly as the golden function forms them
  const mult = new Uint32Array(C), fbias = new Uint32Array(C), guess = new Float32Array(2 * C);
  for (let c = 0; c < C; c++) {
    const ws = o.wScale.length === 1 ? o.wScale[0]! : o.wScale[c]!;
    const m = mode === 'fused' ? fl32(fl32(o.xScale * ws) / ys) : fl32(o.xScale * ws);
    mult[c] = f32ToBits(m);
    const fb = o.floatBias ? fl32(o.floatBias.length === 1 ? o.floatBias[0]! : o.floatBias[c]!) : 0;
    fbias[c] = f32ToBits(fb);
    guess[2 * c] = mode === 'fused' ? m : m / ys;
    guess[2 * c + 1] = mode === 'fused' ? 0 : fb / ys;
  }
  // lo / hi of the fused mode's integer-domain activation, from the golden function itself
  let lo = qmin, hi = qmax;
  if (mode === 'fused' && act.kind !== 'none') {
    // golden integer-ops.ts: clamp(q, Q(lo), Q(hi)) with Q the QuantizeLinear of the real bound
    const quantizeReal = (r: number) => {
      const v = variant.scaleOp === 'div' ? fl32(r / ys) : fl32(r * fl32(1 / ys));
      if (v !== v) return qmin;
      const q = roundWith(variant.rounding, v) + zp;
      return q < qmin ? qmin : q > qmax ? qmax : q;
    };
    if (act.kind === 'relu') lo = Math.max(qmin, quantizeReal(0));
    else if (act.kind === 'clip') { lo = quantizeReal(act.min); hi = quantizeReal(act.max); }
  }
  const levels = qmax - qmin + 1;
  const lut = new Int32Array(method === 'lut' ? C * levels : 1);
  if (method === 'lut') {
    const one = new Int32Array(1), out = new Int32Array(1);
    for (let c = 0; c < C; c++) {
      const oc: EpilogueOptions = { ...o, channels: 1, channelStride: 1,
        wScale: [o.wScale.length === 1 ? o.wScale[0]! : o.wScale[c]!],
        floatBias: o.floatBias ? [o.floatBias.length === 1 ? o.floatBias[0]! : o.floatBias[c]!] : undefined };
      const gm = guess[2 * c]!, gb = guess[2 * c + 1]!;
      buildThresholds(levels, (a) => { one[0] = a; requantize(one, out, oc); return out[0]! - qmin; }, -0x80000000, 0x7fffffff, lut, c * levels,
        (j) => (qmin + j - zp - 0.5 - gb) / gm);
    }
  }
  const act2 = act.kind === 'relu' ? 1 : act.kind === 'clip' ? 2 : 0;
  const res = o.residual;
  let resBytes: Uint8Array = new Uint8Array(4);
  let resSigned = 1, resZp = 0, resScale = 0;
  if (res) {
    if (!(res.data instanceof Int8Array || res.data instanceof Uint8Array)) throw new TypeError('requantize: residual data must be Int8Array or Uint8Array codes');
    resBytes = new Uint8Array(res.data.buffer, res.data.byteOffset, res.data.byteLength);
    resSigned = res.data instanceof Int8Array ? 1 : 0;
    resZp = res.zeroPoint; resScale = f32ToBits(res.scale);
    if (!isF32(res.scale) || !(res.scale > 0)) throw new RangeError('requantize: residual scale must be a float32 > 0');
  }
  const n = acc.length;
  const outBytes = new Uint8Array(n);
  if (n > 0) {
    runner.checkSize(acc.byteLength, 'requantize accumulators');
    const pipeline = await runner.pipeline(requantizeDesc(method, variant.scaleOp));
    const u = runner.uniform([n, o.channelStride, C, levels, qmin, qmax, lo, hi, zp, mode === 'fused' ? 0 : 1, act2, o.floatBias ? 1 : 0,
      act.kind === 'clip' ? f32ToBits(act.min) : 0, act.kind === 'clip' ? f32ToBits(act.max) : 0, f32ToBits(ys), f32ToBits(fl32(1 / ys)),
      res ? 1 : 0, resZp, resScale, resSigned]);
    const bufs = [u, runner.upload(acc, 'acc'), runner.upload(mult, 'mult'), runner.upload(fbias, 'fbias'), runner.upload(guess, 'guess'),
      runner.upload(lut, 'lut'), runner.upload(resBytes, 'residual'), runner.output(n, 'y')];
    try {
      await runner.submit(runner.encode(pipeline, bufs, grid1d(Math.ceil(n / 4 / 256))));
      await runner.readback(bufs[7]!, n, outBytes);
    } finally {
      for (const b of bufs) b.destroy();
    }
  }
  return isSignedQuant(o.outDtype) ? new Int8Array(outBytes.buffer) : outBytes;
}
