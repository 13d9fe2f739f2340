/**
 * The one rounding module. Every rounding step in the golden arithmetic goes through here, and every
 * place where real runtimes differ is a *named* variant (golden-semantics §8):
 *
 * | knob        | default (ONNX spec, ORT, TensorRT) | alternatives                                        |
 * |-------------|------------------------------------|-----------------------------------------------------|
 * | scaleOp     | 'div': fl32(x / s)                 | 'mul_inv': fl32(x * fl32(1 / s)) (PyTorch, fbgemm)    |
 * | zeroPoint   | 'after_round': rne(v) + zp         | 'before_round': rne(v + zp) (ONNX reference QLinear*) |
 * | requant     | 'f32': fl32(fl32(acc) * M)         | 'f64': acc * M in float64 (ONNX reference QLinear*)   |
 * | rounding    | 'half_even'                        | 'half_up': floor(fl32(v + 0.5)) (TF FakeQuant),       |
 * |             |                                    | 'half_away' (std::round, C round())                   |
 * | overflow    | 'saturate': +Inf/huge -> qmax      | 'int32_wrap_to_qmin': NaN, ±Inf, |v| >= 2^31 become   |
 * |             |                                    |  INT32_MIN before the zp add (ONNX reference on x86)  |
 *
 * `fl32` is `Math.fround`: a float64 operation on float32 inputs followed by `Math.fround` is
 * bit-identical to the float32 operation for + - * / (53 >= 2*24 + 2).
 */

export type ScaleOp = 'div' | 'mul_inv';
export type ZeroPointOrder = 'after_round' | 'before_round';
export type RequantPrecision = 'f32' | 'f64';
export type RoundMode = 'half_even' | 'half_up' | 'half_away';
export type OverflowMode = 'saturate' | 'int32_wrap_to_qmin';

export interface QuantVariant {
  readonly scaleOp: ScaleOp;
  readonly zeroPoint: ZeroPointOrder;
  readonly requant: RequantPrecision;
  readonly rounding: RoundMode;
  readonly overflow: OverflowMode;
}

/** ONNX spec text, ONNX Runtime's MLAS kernels and TensorRT: the default everywhere. */
export const SPEC: QuantVariant = Object.freeze({
  scaleOp: 'div', zeroPoint: 'after_round', requant: 'f32', rounding: 'half_even', overflow: 'saturate',
});
/** ONNX Runtime CPU (MLAS): identical to the spec for float32 (golden-semantics §4.1). */
export const ORT: QuantVariant = SPEC;
/**
 * The ONNX reference evaluator (onnx.reference, which generated the node-test data): float64
 * requantization, zero point added before rounding in QLinearMatMul/QLinearConv, and the x86
 * int32-cast overflow that sends NaN/+Inf/|x/s| >= 2^31 to qmin. QuantizeLinear itself adds the zero
 * point after rounding; only the QLinear* ops read `zeroPoint`.
 */
export const ONNX_REFERENCE: QuantVariant = Object.freeze({
  scaleOp: 'div', zeroPoint: 'before_round', requant: 'f64', rounding: 'half_even', overflow: 'int32_wrap_to_qmin',
});
/** The ONNX reference's QuantizeLinear: its overflow quirk, with the zero point added after rounding. */
export const ONNX_REFERENCE_QUANTIZE_LINEAR: QuantVariant = Object.freeze({ ...ONNX_REFERENCE, zeroPoint: 'after_round' as const });
/** PyTorch quantize_per_tensor / fake_quantize_* (fbgemm LEGACY=false): multiply by fl32(1/scale). */
export const PYTORCH: QuantVariant = Object.freeze({
  scaleOp: 'mul_inv', zeroPoint: 'after_round', requant: 'f32', rounding: 'half_even', overflow: 'saturate',
});
/** TensorFlow FakeQuantWithMinMaxVars: floor(v + 0.5) (its nudged-zero-point formula is not modelled). */
export const TF_FAKE_QUANT: QuantVariant = Object.freeze({
  scaleOp: 'div', zeroPoint: 'after_round', requant: 'f32', rounding: 'half_up', overflow: 'saturate',
});

export const NAMED_VARIANTS: Readonly<Record<string, QuantVariant>> = Object.freeze({
  spec: SPEC, ort: ORT, 'onnx-reference': ONNX_REFERENCE, 'onnx-reference-quantize-linear': ONNX_REFERENCE_QUANTIZE_LINEAR, pytorch: PYTORCH, 'tf-fake-quant': TF_FAKE_QUANT,
});

/** `SPEC` with the given knobs replaced. */
export function variantOf(v?: Partial<QuantVariant>): QuantVariant {
  return v ? { ...SPEC, ...v } : SPEC;
}

export const fl32 = Math.fround;

/**
 * Round half to even for any float64 `v` (JS `Math.round` rounds ties toward +Inf and is not used).
 * Exact: `v - floor(v)` is exact in float64. NaN and ±Inf are returned unchanged. The sign of a zero
 * result is not specified (every caller feeds the result into integer arithmetic).
 */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** floor(fl32(v + 0.5)): TF FakeQuant's float32 "round half up". */
export function roundHalfUp(v: number): number {
  return Math.floor(fl32(v + 0.5));
}

/** Round half away from zero (C `round`, `std::round`, TF's zero-point nudge). */
export function roundHalfAway(v: number): number {
  const a = Math.floor(Math.abs(v) + 0.5);
  // Math.abs(v) + 0.5 can round up for the largest value below 0.5 (0.49999999999999994)
  const r = Math.abs(v) - Math.floor(Math.abs(v)) < 0.5 ? Math.floor(Math.abs(v)) : a;
  return v < 0 ? -r : r;
}

export function roundWith(mode: RoundMode, v: number): number {
  return mode === 'half_even' ? roundHalfEven(v) : mode === 'half_up' ? roundHalfUp(v) : roundHalfAway(v);
}

/** x / s in float32 by the named scale operation (s is rounded to float32 first). */
export function scaleDivide(x: number, s: number, op: ScaleOp = 'div'): number {
  const sf = fl32(s);
  return op === 'div' ? fl32(x / sf) : fl32(x * fl32(1 / sf));
}

/** 1.5 * 2^52: adding and subtracting it rounds a float64 with |v| < 2^51 to an integer, half to even. */
export const RNE_MAGIC64 = 6755399441055744;
