/**
 * Shared pieces of the ONNX-semantics operator functions: options, zero-point/scale helpers and the
 * convolution attribute resolution (auto_pad, kernel_shape, 1-D as 2-D).
 */
import { DataType, dataTypeName } from '../../data-type.ts';
import type { Tensor } from '../../tensor.ts';
import { decodeElement, roundToBFloat16, roundToFloat16 } from '../dtype.ts';
import { type QuantVariant, ONNX_REFERENCE, fl32, variantOf } from '../rounding.ts';
import type { Conv2dParams } from '../integer-ops.ts';

export interface OnnxOpOptions {
  /** Arithmetic variant knobs (default: the spec / ORT, `SPEC`). Ignored when `reference` is set. */
  variant?: Partial<QuantVariant>;
  /**
   * Emulate the ONNX reference evaluator (onnx.reference, the producer of the node-test data) op by
   * op: QuantizeLinear divides in numpy's promoted type (int32 x / float32 scale in float64) and sends
   * NaN/+Inf/|x/s| >= 2^31 to INT32_MIN before the zero point (so usually qmin), adding the zero point
   * after rounding; QLinearMatMul/QLinearConv compute the multiplier in the scale type, multiply in
   * float64 and add the zero point before rounding.
   */
  reference?: boolean;
  /** Node name, used in error messages. */
  node?: string;
}

/** Options that reproduce the ONNX reference evaluator. */
export const ONNX_REFERENCE_OPTIONS: OnnxOpOptions = Object.freeze({ reference: true });

/** The variant an op runs with: `ONNX_REFERENCE` (optionally adjusted for the op) or the given knobs. */
export function opVariant(opts: OnnxOpOptions | undefined, referenceAdjust?: Partial<QuantVariant>): QuantVariant {
  return opts?.reference ? { ...ONNX_REFERENCE, ...referenceAdjust } : variantOf(opts?.variant);
}

export function opLabel(op: string, opts?: OnnxOpOptions): string {
  return opts?.node ? `${op} '${opts.node}'` : op;
}

/** Values of a small parameter tensor (scale / zero point) as exact numbers. */
export function paramValues(t: Tensor | undefined, what: string): Float64Array {
  if (!t) return new Float64Array([0]);
  if (Array.isArray(t.data)) throw new Error(`${what}: STRING is not a numeric type`);
  const d = t.data as ArrayLike<number | bigint>;
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) { const v = d[i]; out[i] = decodeElement(t.dtype, typeof v === 'bigint' ? Number(v) : v); }
  return out;
}

/** The rounding a float type applies to a float32 result (used for multipliers in the scale type). */
export function rounderFor(dtype: DataType): (v: number) => number {
  if (dtype === DataType.FLOAT16) return roundToFloat16;
  if (dtype === DataType.BFLOAT16) return roundToBFloat16;
  if (dtype === DataType.DOUBLE) return (v) => v;
  return fl32;
}

export function requireType(t: Tensor, allowed: DataType[], what: string): void {
  if (!allowed.includes(t.dtype)) {
    throw new Error(`${what}: type ${dataTypeName(t.dtype)} is not allowed (expected ${allowed.map(dataTypeName).join(' or ')})`);
  }
}

export function requireScalarLike(t: Tensor | undefined, what: string): void {
  if (t && t.data.length !== 1) throw new Error(`${what}: must be a scalar (1 element), got dims [${t.dims.join(',')}]`);
}

export interface ConvAttrs {
  auto_pad?: string;
  dilations?: number[];
  group?: number;
  kernel_shape?: number[];
  pads?: number[];
  strides?: number[];
}

/**
 * Resolves ONNX Conv attributes for a 1-D or 2-D convolution into 2-D parameters and the 4-D views
 * of x and w (1-D convs become H = 1). SAME_UPPER puts the extra padding at the end, SAME_LOWER at
 * the beginning, as ONNX specifies.
 */
export function resolveConvAttrs(xDims: readonly number[], wDims: readonly number[], a: ConvAttrs, what: string):
  { params: Conv2dParams; x4: number[]; w4: number[]; spatial: number } {
  const spatial = xDims.length - 2;
  if (spatial !== 1 && spatial !== 2) throw new Error(`${what}: only 1-D and 2-D convolutions are supported, input dims [${xDims.join(',')}]`);
  if (wDims.length !== xDims.length) throw new Error(`${what}: weight rank ${wDims.length} differs from input rank ${xDims.length}`);
  const kernel = wDims.slice(2);
  if (a.kernel_shape && a.kernel_shape.some((k, i) => k !== kernel[i])) {
    throw new Error(`${what}: kernel_shape [${a.kernel_shape.join(',')}] does not match the weight's [${kernel.join(',')}]`);
  }
  const strides = a.strides ?? new Array(spatial).fill(1);
  const dil = a.dilations ?? new Array(spatial).fill(1);
  let pads = a.pads ?? new Array(2 * spatial).fill(0);
  const autoPad = a.auto_pad ?? 'NOTSET';
  if (autoPad === 'VALID') pads = new Array(2 * spatial).fill(0);
  else if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = new Array(2 * spatial).fill(0);
    for (let i = 0; i < spatial; i++) {
      const inp = xDims[2 + i];
      const out = Math.ceil(inp / strides[i]);
      const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dil[i] + 1 - inp);
      const small = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + spatial] = total - pads[i];
    }
  } else if (autoPad !== 'NOTSET') throw new Error(`${what}: unknown auto_pad '${autoPad}'`);
  if (strides.length !== spatial || dil.length !== spatial || pads.length !== 2 * spatial) {
    throw new Error(`${what}: strides/dilations/pads lengths do not match ${spatial} spatial dims`);
  }
  if (spatial === 1) {
    return {
      params: { strides: [1, strides[0]], dilations: [1, dil[0]], pads: [0, pads[0], 0, pads[1]], group: a.group ?? 1 },
      x4: [xDims[0], xDims[1], 1, xDims[2]], w4: [wDims[0], wDims[1], 1, wDims[2]], spatial,
    };
  }
  return {
    params: { strides, dilations: dil, pads: [pads[0], pads[1], pads[2], pads[3]], group: a.group ?? 1 },
    x4: [...xDims], w4: [...wDims], spatial,
  };
}
