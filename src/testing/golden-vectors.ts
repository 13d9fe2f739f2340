/**
 * Tie-focused golden vectors: inputs chosen so that every named arithmetic variant gives a different
 * answer somewhere (the ONNX node tests contain no such ties). Stored as JSON under
 * test/fixtures/golden-vectors/ so that other runners (the WGSL kernels) can replay them.
 *
 * Format (schema "qdqsim.golden-vectors/1"): every float is given twice, as its IEEE binary32 bits
 * (`*_bits`, "0x3DCCCCCD": the normative value) and as a decimal (`x`, for reading). Each case lists
 * `expected[variant]` for the variants named in the file's `variants` table.
 *
 * Regenerate with `npx tsx src/testing/golden-vectors.ts --write` (a test checks the committed files
 * equal the generator's output, and that each case separates the variants it claims to).
 */
import { mulberry32 } from '../sim/random.ts';

export { mulberry32 };
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataType, dataTypeName } from '../sim/data-type.ts';
import { FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ, bitsToF32, encodeMiniFloat, f32ToBits, intRange } from '../sim/golden/dtype.ts';
import { fakeQuantForward } from '../sim/golden/fake-quant.ts';
import { quantizeQuotient } from '../sim/golden/quantize.ts';
import { ONNX_REFERENCE, PYTORCH, type QuantVariant, SPEC, TF_FAKE_QUANT, fl32, roundHalfEven, variantOf } from '../sim/golden/rounding.ts';

export const GOLDEN_VECTOR_SCHEMA = 'qdqsim.golden-vectors/1';

const hex = (b: number) => `0x${(b >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
export const f32Hex = (x: number) => hex(f32ToBits(x));
export const hexToF32 = (h: string) => bitsToF32(Number.parseInt(h, 16));

export interface QuantizeCase {
  id: string; why: string;
  x_bits: string; x: number; scale_bits: string; scale: number; zero_point: number; dtype: string;
  expected: Record<string, number>;
}

export interface Int32QuantizeCase {
  id: string; why: string; x: number; scale_bits: string; scale: number; zero_point: number; dtype: string;
  expected: Record<string, number>;
}

export interface Float8Case {
  id: string; why: string; x_bits: string; x: number | string; dtype: string;
  expected: { saturate: number; no_saturate: number };
}

export interface RequantCase {
  id: string; why: string;
  acc: number; x_scale_bits: string; w_scale_bits: string; y_scale_bits: string;
  x_scale: number; w_scale: number; y_scale: number; y_zero_point: number; dtype: string;
  expected: Record<string, number>;
}

export interface FakeQuantCase {
  id: string; why: string; x_bits: string; x: number; scale_bits: string; scale: number; zero_point: number;
  qmin: number; qmax: number;
  expected: Record<string, { y_bits: string; mask: number }>;
}

export const QUANT_VARIANTS: Record<string, QuantVariant> = {
  spec: SPEC,
  'mul_inv': PYTORCH,
  'half_up': TF_FAKE_QUANT,
  'int32_wrap_to_qmin': { ...SPEC, overflow: 'int32_wrap_to_qmin' },
};

export const REQUANT_VARIANTS: Record<string, QuantVariant> = {
  'f32_after_round': SPEC,
  'f64_before_round': ONNX_REFERENCE,
  'f32_before_round': { ...SPEC, zeroPoint: 'before_round' },
  'f64_after_round': { ...SPEC, requant: 'f64' },
};

function quantizeWith(x: number, s: number, zp: number, dt: DataType, v: QuantVariant): number {
  const { min, max } = intRange(dt);
  const q = v.scaleOp === 'div' ? fl32(x / s) : fl32(x * fl32(1 / s));
  return quantizeQuotient(q, zp, min, max, v);
}

/** Requantization of one accumulator by a variant (the fused epilogue of integer-ops). */
export function requantWith(acc: number, xs: number, ws: number, ys: number, zp: number, dt: DataType, v: QuantVariant): number {
  const { min, max } = intRange(dt);
  const M = fl32(fl32(xs * ws) / ys);
  const val = v.requant === 'f64' ? acc * M : fl32(fl32(acc) * M);
  const r = v.zeroPoint === 'before_round' ? roundHalfEven(val + zp) : roundHalfEven(val) + zp;
  return r < min ? min : r > max ? max : r;
}


const SCALES = [0.1, 0.0066, 0.02, 1 / 127, 1 / 3, 0.05, 0.3, 0.00214854861, 0.0078125].map(fl32);

function quantCase(id: string, why: string, x: number, s: number, zp: number, dt: DataType): QuantizeCase {
  const expected: Record<string, number> = {};
  for (const [k, v] of Object.entries(QUANT_VARIANTS)) expected[k] = quantizeWith(x, s, zp, dt, v);
  return { id, why, x_bits: f32Hex(x), x: fl32(x), scale_bits: f32Hex(s), scale: s, zero_point: zp, dtype: dataTypeName(dt), expected };
}

const distinct = (e: Record<string, number>) => new Set(Object.values(e)).size > 1;

export function buildQuantizeCases(): QuantizeCase[] {
  const out: QuantizeCase[] = [];
  // documented anchors (golden-semantics §4.4), verified in numpy / torch
  out.push(quantCase('anchor-19.55', 'x/s = 195.49998 (div) vs 195.5 (mul_inv): 195 vs 196', bitsToF32(0x419c6666), fl32(0.1), 0, DataType.UINT8));
  out.push(quantCase('anchor--15.25', 'x/s = -152.5 (div) vs -152.50002 (mul_inv): -152 vs -153', bitsToF32(0xc1740001), fl32(0.1), 0, DataType.INT16));
  out.push(quantCase('anchor-fbgemm', 'fbgemm comment: 127.49999 (div) vs 127.5 (mul_inv)', fl32(0.273939937), fl32(0.00214854861), 0, DataType.INT16));
  out.push(quantCase('anchor-0.35', 'f32 quotient 3.5 is a tie (exact rational 3.4999999 is not): 4', fl32(0.35), fl32(0.1), 0, DataType.INT8));
  const rnd = mulberry32(20261130);
  const dts = [DataType.INT8, DataType.UINT8, DataType.INT4, DataType.INT16];
  // div vs mul_inv and exact ties, around (k + 0.5) * s
  let sepDiv = 0, ties = 0;
  for (let iter = 0; iter < 200000 && (sepDiv < 40 || ties < 40); iter++) {
    const s = SCALES[iter % SCALES.length];
    const dt = dts[iter % dts.length];
    const { min, max } = intRange(dt);
    const zp = dt === DataType.UINT8 ? 128 : dt === DataType.INT8 && iter % 3 === 0 ? -3 : 0;
    const k = Math.floor(rnd() * (max - min)) + min - zp;
    const ulps = Math.floor(rnd() * 7) - 3;
    const x = bitsToF32(f32ToBits(fl32((k + 0.5) * s)) + ulps);
    const c = quantCase('', '', x, s, zp, dt);
    const isTie = fl32(x / s) === k + 0.5;
    if (c.expected.spec !== c.expected.mul_inv && sepDiv < 40) {
      c.id = `div-vs-mulinv-${sepDiv++}`; c.why = 'fl32(x/s) and fl32(x*fl32(1/s)) round to different integers'; out.push(c);
    } else if (isTie && c.expected.spec !== c.expected.half_up && ties < 40) {
      c.id = `tie-${ties++}`; c.why = `fl32(x/s) = ${k + 0.5} exactly: half-even vs half-up`; out.push(c);
    }
  }
  // overflow and special values
  const specials: [string, number, number, number, DataType][] = [
    ['+inf-u8', Infinity, 1, 0, DataType.UINT8], ['-inf-i8', -Infinity, 1, 0, DataType.INT8], ['nan-i8', NaN, 1, 0, DataType.INT8],
    ['+inf-i8', Infinity, 1, 0, DataType.INT8], ['+inf-i8-zp-1', Infinity, 1, -1, DataType.INT8],
    ['1e10-u8', 1e10, 1, 0, DataType.UINT8], ['3e9-i8', 3e9, 1, 0, DataType.INT8], ['2^31-i16', 2147483648, 1, 0, DataType.INT16],
    ['-2^31-i16', -2147483648, 1, 0, DataType.INT16], ['big-quotient', 1, 1e-38, 0, DataType.INT8],
    ['-0', -0, 0.1, 0, DataType.INT8], ['subnormal-x', 1e-45, 0.1, 0, DataType.INT8], ['subnormal-scale', 1e-44, 1e-45, 0, DataType.INT8],
    ['subnormal-tie', 2.5e-45, 1e-45, 0, DataType.INT8],
  ];
  for (const [id, x, s, zp, dt] of specials) {
    const c = quantCase(`special-${id}`, 'special value / overflow: saturate vs the ONNX reference int32 cast', fl32(x), fl32(s), zp, dt);
    if (Number.isNaN(x)) c.x_bits = '0x7FC00000';
    out.push(c);
  }
  return out;
}

export function buildInt32QuantizeCases(): Int32QuantizeCase[] {
  const s = fl32(2 / 3);
  const out: Int32QuantizeCase[] = [];
  for (const x of [1, 3, 5, 16777217, -7]) {
    const f32 = quantizeQuotient(fl32(fl32(x) / s), 0, -128, 127, SPEC);
    const f64 = quantizeQuotient(x / s, 0, -128, 127, SPEC);
    out.push({ id: `int32-x-${x}`, why: 'int32 x: float32 division (spec: the scale type decides) vs float64 (ONNX reference numpy promotion)',
      x, scale_bits: f32Hex(s), scale: s, zero_point: 0, dtype: 'INT8', expected: { f32_division: f32, f64_division: f64 } });
  }
  return out;
}

export function buildFloat8Cases(): Float8Case[] {
  const out: Float8Case[] = [];
  const add = (fmt: typeof FLOAT8E4M3FN, x: number, why: string) => {
    const xb = Number.isNaN(x) ? '0x7FC00000' : f32Hex(x);
    out.push({ id: `${dataTypeName(fmt.dtype)}-${Number.isNaN(x) ? 'nan' : String(x)}`, why, x_bits: xb, x: Number.isFinite(x) ? fl32(x) : String(x), dtype: dataTypeName(fmt.dtype),
      expected: { saturate: encodeMiniFloat(x, fmt, true), no_saturate: encodeMiniFloat(x, fmt, false) } });
  };
  for (const fmt of [FLOAT8E4M3FN, FLOAT8E4M3FNUZ, FLOAT8E5M2, FLOAT8E5M2FNUZ]) {
    const m = fmt.maxValue;
    for (const x of [m, -m, m * 1.03125, m * 1.0625, m * 1.1, 1e5, -1e5, Infinity, -Infinity, NaN, -0, 1e-45, 2 ** -10, 2 ** -9 * 1.5]) {
      add(fmt, x, 'saturation edge / special value');
    }
    // midpoints between neighbouring codes (ties to even) and just above them
    for (const c of [1, 2, 7, 8, 0x38, 0x39, fmt.maxCode - 1]) {
      const a = decode(fmt, c), b = decode(fmt, c + 1);
      const mid = (a + b) / 2;
      add(fmt, mid, `midpoint of codes ${c} and ${c + 1}: round half to even`);
      add(fmt, bitsToF32(f32ToBits(mid) + 1), 'one float32 ulp above a midpoint');
    }
  }
  return out;
}

function decode(fmt: typeof FLOAT8E4M3FN, code: number): number {
  const e = code >> fmt.M, m = code & ((1 << fmt.M) - 1);
  return e === 0 ? m * 2 ** (1 - fmt.bias - fmt.M) : (m + 2 ** fmt.M) * 2 ** (e - fmt.bias - fmt.M);
}

function requantCase(id: string, why: string, acc: number, xs: number, ws: number, ys: number, zp: number, dt: DataType): RequantCase {
  const expected: Record<string, number> = {};
  for (const [k, v] of Object.entries(REQUANT_VARIANTS)) expected[k] = requantWith(acc, xs, ws, ys, zp, dt, v);
  return { id, why, acc, x_scale_bits: f32Hex(xs), w_scale_bits: f32Hex(ws), y_scale_bits: f32Hex(ys), x_scale: xs, w_scale: ws, y_scale: ys, y_zero_point: zp, dtype: dataTypeName(dt), expected };
}

export function buildRequantCases(): RequantCase[] {
  const out: RequantCase[] = [];
  // documented divergences (golden-semantics §2.3), verified against onnx.reference and ORT 1.30
  for (const [i, acc] of [25, 75, 125, 175].entries()) {
    out.push(requantCase(`anchor-precision-${i}`, 'QLinearMatMul a=25, b=[1,3,5,7], a_scale=0.1: reference [3,8,13,18], ORT [2,8,12,18]',
      acc, fl32(0.1), 1, 1, 0, DataType.UINT8));
  }
  for (const [i, acc] of [1, 3, 5, 7].entries()) {
    out.push(requantCase(`anchor-zp-${i}`, 'acc*M = 0.5,1.5,2.5,3.5 with y_zp=1: reference [2,2,4,4], ORT [1,3,3,5]', acc, 0.5, 1, 1, 1, DataType.UINT8));
  }
  const rnd = mulberry32(7);
  const found: Record<string, number> = {};
  const keys = ['f32-vs-f64', 'zp-order', 'int32-to-f32', 'saturate'];
  for (let iter = 0; iter < 400000 && keys.some((k) => (found[k] ?? 0) < 16); iter++) {
    const dt = iter % 2 ? DataType.INT8 : DataType.UINT8;
    const xs = SCALES[Math.floor(rnd() * SCALES.length)], ws = fl32(0.001 * (1 + Math.floor(rnd() * 64)) / 7), ys = SCALES[Math.floor(rnd() * SCALES.length)];
    const M = fl32(fl32(xs * ws) / ys);
    const zp = dt === DataType.UINT8 ? 127 + (iter % 3) : (iter % 5) - 2;
    let acc: number;
    const kind = keys[iter % keys.length];
    if (kind === 'int32-to-f32') acc = (1 << 24) + 1 + 2 * Math.floor(rnd() * 2 ** 20);
    else if (kind === 'saturate') acc = Math.round((rnd() < 0.5 ? -1 : 1) * (130 + rnd() * 2) / M);
    else { const k = Math.floor(rnd() * 200) - 100; acc = Math.round((k + 0.5) / M); }
    const c = requantCase('', '', acc, xs, ws, ys, zp, dt);
    const e = c.expected;
    const sep = kind === 'f32-vs-f64' ? e.f32_after_round !== e.f64_after_round
      : kind === 'zp-order' ? e.f32_after_round !== e.f32_before_round
      : kind === 'int32-to-f32' ? fl32(acc) !== acc && e.f32_after_round !== e.f64_after_round
      : distinct(e);
    if (sep && (found[kind] ?? 0) < 16) {
      c.id = `${kind}-${found[kind] = (found[kind] ?? 0) + 1}`;
      c.why = kind === 'f32-vs-f64' ? 'float32 product is a tie or rounds across a .5 boundary; float64 product does not'
        : kind === 'zp-order' ? 'adding an odd zero point before rounding moves the tie the other way'
        : kind === 'int32-to-f32' ? 'accumulator above 2^24: int32 -> float32 conversion rounds (ORT) vs exact float64 (reference)'
        : 'near the saturation edge';
      out.push(c);
    }
  }
  return out;
}

export function buildFakeQuantCases(): FakeQuantCase[] {
  const out: FakeQuantCase[] = [];
  const variants: Record<string, Partial<QuantVariant>> = { spec: SPEC, mul_inv: PYTORCH };
  const mk = (id: string, why: string, x: number, s: number, zp: number, qmin: number, qmax: number) => {
    const expected: FakeQuantCase['expected'] = {};
    for (const [k, v] of Object.entries(variants)) {
      const f = fakeQuantForward(new Float32Array([x]), [1], { scale: [s], zeroPoint: [zp], qmin, qmax, variant: variantOf(v) });
      expected[k] = { y_bits: f32Hex(f.y[0]), mask: f.mask[0] };
    }
    out.push({ id, why, x_bits: f32Hex(x), x: fl32(x), scale_bits: f32Hex(s), scale: s, zero_point: zp, qmin, qmax, expected });
  };
  mk('mask-tie-low', 'x=-12.85, s=0.1: q rounds (tie to even) to -128, inside: gradient 1 (PyTorch verified)', fl32(-12.85), fl32(0.1), 0, -128, 127);
  mk('mask-above', 'x=12.75, s=0.1: q = 128 > 127: clipped, gradient 0', fl32(12.75), fl32(0.1), 0, -128, 127);
  mk('div-vs-mulinv', '19.55 / 0.1: 195 vs 196', bitsToF32(0x419c6666), fl32(0.1), 0, -1000, 1000);
  mk('narrow-range', 'symmetric narrow range [-127, 127]: -12.75 / 0.1 -> -128 clipped to -127', fl32(-12.75), fl32(0.1), 0, -127, 127);
  mk('zp-uint8', 'uint8 zero point 128', fl32(-12.85), fl32(0.1), 128, 0, 255);
  mk('nan', 'NaN -> qmin, mask 0', NaN, fl32(0.1), 0, -128, 127);
  return out;
}

export function buildAllGoldenVectors(): Record<string, unknown> {
  const header = (op: string, variants: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    schema: GOLDEN_VECTOR_SCHEMA, op, generator: 'src/testing/golden-vectors.ts', variants, ...extra,
  });
  const describeVariants = (vs: Record<string, QuantVariant>) => Object.fromEntries(Object.entries(vs).map(([k, v]) => [k, v]));
  return {
    'quantize.json': { ...header('quantize', describeVariants(QUANT_VARIANTS), {
      formula: 'q = clamp(round(v) + zero_point, qmin(dtype), qmax(dtype)); v = fl32(x / scale) (div) or fl32(x * fl32(1/scale)) (mul_inv)',
    }), cases: buildQuantizeCases() },
    'quantize-int32.json': { ...header('quantize-int32-input', { f32_division: 'fl32(fl32(x) / scale)', f64_division: 'x / scale in float64' }), cases: buildInt32QuantizeCases() },
    'float8.json': { ...header('float8-encode', { saturate: 'ONNX saturate=1', no_saturate: 'ONNX saturate=0' }, {
      formula: 'one round-to-nearest-even from float32 (ml_dtypes); expected values are the 8-bit codes',
    }), cases: buildFloat8Cases() },
    'requantize.json': { ...header('requantize', describeVariants(REQUANT_VARIANTS), {
      formula: 'M = fl32(fl32(x_scale * w_scale) / y_scale); v = fl32(fl32(acc) * M) (f32) or acc * M in float64 (f64); after_round: clamp(rne(v) + zp); before_round: clamp(rne(v + zp))',
    }), cases: buildRequantCases() },
    'fake-quant.json': { ...header('fake-quant', { spec: SPEC, mul_inv: PYTORCH }, {
      formula: 'r = rne(v) + zp (unclamped); q = clamp(r, qmin, qmax); y = fl32(fl32(q - zp) * scale); mask = qmin <= r <= qmax',
    }), cases: buildFakeQuantCases() },
  };
}

export function goldenVectorsDir(): string {
  return join(import.meta.dirname, '../../test/fixtures/golden-vectors');
}

export function serializeGoldenVectors(v: unknown): string {
  return `${JSON.stringify(v, null, 1)}\n`;
}

if (process.argv[1]?.endsWith('golden-vectors.ts') && process.argv.includes('--write')) {
  const dir = goldenVectorsDir();
  mkdirSync(dir, { recursive: true });
  for (const [name, v] of Object.entries(buildAllGoldenVectors())) {
    writeFileSync(join(dir, name), serializeGoldenVectors(v));
    process.stdout.write(`wrote ${join(dir, name)} (${(v as { cases: unknown[] }).cases.length} cases)\n`);
  }
}

export { distinct as separatesVariants };
