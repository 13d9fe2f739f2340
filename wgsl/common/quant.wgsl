// Shared quantization parameters and the exact quantize / dequantize of one element.
//
// Semantics (golden-semantics.md §0.1, the ONNX spec, ORT, TensorRT):
//   q = clamp(round_half_even(fl32(x / s)) + zp, qmin, qmax)          VARIANT 0 ("div")
//   q = clamp(round_half_even(fl32(x * fl32(1 / s))) + zp, qmin, qmax) VARIANT 1 ("mul_inv", PyTorch)
//   NaN -> P.nan_code; +-Inf and |x/s| >= 2^30 saturate to qmax / qmin.
//   dequantize: fl32((q - zp) * s).
// METHOD 0 computes this with the integer-emulated f32 operations of f32-exact.wgsl, never a native float
// operation. METHOD 1 takes native-float fast paths where an error bound proves them exact (fast_quantize,
// fast_dequantize) and otherwise looks the code up in the host-built threshold table (lut.wgsl,
// src/kernels/lut.ts), which encodes whatever variant it was built for, and dequantizes with integers.
#include "common/f32-exact.wgsl"
#include "common/lut.wgsl"

override METHOD: u32 = 0u;
override VARIANT: u32 = 0u;
// The ONNX reference's x86 overflow (golden variant overflow 'int32_wrap_to_qmin'): NaN, +-Inf and
// rounded quotients r outside [-2^31, 2^31) become INT32_MIN, and r + zp wraps modulo 2^32. The rounded
// quotient is monotone in x, so along the order keys the code is: one constant below key a (r < -2^31),
// another on [a, b) (r + zp wraps up), the monotone quantizer on [b, c], another constant on (c, d)
// (r + zp wraps down), and the first constant again from d (r >= 2^31) and for NaN. The lut tail holds
// (a, b, c, d, code outside, code on [a, b), code on (c, d), 0) per channel, from the golden function.
override WRAP: bool = false;
// The native fast path below. Off for rounding 'half_up' with the zero point added before rounding:
// that variant rounds fl32(v + zp + 0.5), whose float32 rounding at |zp| up to 2^16 is coarser than the
// fast path's margin.
override FAST: bool = true;
// Codes can be 256 or more apart (more than 256 levels): only then can |q - zp| >= 256 and dequantization
// need the general emulated multiply. Off, that code is not compiled (lavapipe runs both sides of a
// branch, masked, so dead-but-compiled code costs time).
override WIDE_CODES: bool = true;

struct QParams {
  n: u32,          // elements
  inner: u32,      // product of the dims after the channel axis
  channels: u32,   // 1 = per-tensor
  levels: u32,     // qmax - qmin + 1 (the lut stride per channel)
  qmin: i32,
  qmax: i32,
  nan_code: i32,   // the code a NaN quantizes to
  base: u32,      // global index of this dispatch's first element (large tensors run in chunks)
}

@group(0) @binding(0) var<uniform> P: QParams;
// per channel: (s bits, fl32(1/s) bits, zero point, fast-path limit), see fast_limit
@group(0) @binding(1) var<storage, read> chan: array<vec4u>;
// per channel: T[levels] thresholds (T[0] = reachable count)
@group(0) @binding(2) var<storage, read> lut: array<i32>;

fn scale_bits(c: u32) -> u32 { return chan[c].x; }
fn inv_scale_bits(c: u32) -> u32 { return chan[c].y; }
fn zero_point(c: u32) -> i32 { return bitcast<i32>(chan[c].z); }
// The native fast paths' per-channel gate, from the host (src/kernels/quant-params.ts fastLimit): 0 when
// s lies outside [2^-100, 2^100] (both fast paths off), else L << 23 with |x| < 2^(L - 127) guaranteeing
// |x * fl32(1/s)| < 2^126 (L <= 255, so Inf and NaN never pass `(x bits & exponent mask) < limit`).
fn fast_limit(c: u32) -> u32 { return chan[c].w; }

fn channel_of(i: u32) -> u32 {
  if (P.channels == 1u) { return 0u; }
  return ((P.base + i) / P.inner) % P.channels;
}

// The per-channel constants of both fast paths, loaded once per channel (per invocation for per-tensor).
struct FastParams {
  inv: f32,     // fl32(1/s)
  lim: u32,     // fast_limit
  dlo: f32,     // qmin - zp, qmax - zp: the clamp range of d = q - zp
  dhi: f32,
  shi: f32,     // s with its low 8 significand bits cleared: 16 significant bits
  slo: f32,     // s - shi, exact: at most 8 significant bits
  half_margin: f32,   // 0.5 - 2^(k - 21), 2^k the power of two above levels (2^-12 for 256 levels)
}

fn fast_params(c: u32) -> FastParams {
  let w = chan[c];
  let z = bitcast<i32>(w.z);
  let shi = bitcast<f32>(w.x & 0xffffff00u);
  let k = firstLeadingBit(P.levels) + 1u;   // 2^k > levels, k <= 17
  return FastParams(bitcast<f32>(w.y), w.w, f32(P.qmin - z), f32(P.qmax - z), shi, bitcast<f32>(w.x) - shi,
                    0.5 - bitcast<f32>((k + 106u) << 23u));
}

// The native fast quantizer: d = clamp(round(v), qmin - zp, qmax - zp) with native v = x * fl32(1/s), as an
// integer-valued f32 (the code is d + zp), reported `ok` only where an error bound proves it equals the
// exact quantizer's d for the kernel's variant. `d` is meaningless when !ok (the caller then takes the exact
// table walk). Argument (s in [2^-100, 2^100], else fast_limit is 0 and nothing is ok):
// 1. `lim` keeps x finite with |x * inv| < 2^126: v is finite, so the finite-math assumption WGSL allows
//    holds, and every quantity below is finite.
// 2. |v| < 1/4: x * inv is below 1/4 + 1 ulp (or is flushed, when below 2^-126); with inv = fl32(1/s) within
//    2^-24 of 1/s, |x / s| < 0.26 (a subnormal x, possibly flushed to 0, has |x / s| < 2^-126 * 2^100).
//    Every variant's exact quotient t rounds to 0, and so does v (r = +-0, d = +-0, `ok`).
// 3. 1/4 <= |v| < 2^k (2^k the power of two above `levels`): then |x| >= 2^-103 and x, inv and the product are normal (none flushed). WGSL `*` is
//    correctly rounded in its sense (the exact result or either neighbour), so |v - x * inv| <= 1 ulp(v);
//    inv has relative error <= 2^-24, so |x * inv - x / s| <= 1 ulp (2 if x / s lies in the binade above
//    v); fl32(x / s) is within 0.5 ulp of x / s. So either variant's t (fl32(x / s), or fl32(x * inv)
//    within 1.5 ulp) has |t - v| <= 5 ulp(v) <= 5 * 2^(k - 24) < margin = 2^(k - 21).
//    e = |v - r| is computed exactly: for |v| >= 1 both v and r are multiples of ulp(v) <= 1 and |v - r| <=
//    0.5 needs at most 24 bits; for |v| < 1, r is 0 (e = |v|) or +-1 (|v| >= 0.5, a multiple of 2^-24).
//    WGSL's "correctly rounded" returns a representable exact result as is, and the comparison is exact.
//    e < 0.5 - margin puts v more than margin from the nearest half-integer: t lies in the same open
//    interval between two half-integers and is no tie, so every rounding mode gives round(v) (+ zp):
//    half_even and half_away round t (or t + zp, exact in float64) directly; half_up is floor(fl32(t +
//    0.5)), and fl32 moves t + 0.5 by at most 1 ulp(v) < the remaining margin. (half_up with the zero point
//    before rounding is floor(fl32(t + zp + 0.5)), coarser at large |zp|: FAST is off for it.)
// 4. |v| >= 2^k >= levels + 1 > |qmin - zp| + 1 and |qmax - zp| + 1: |t| >= |v| (1 - 2^-21) also lies beyond
//    the clamp range on v's side, so clamp(round(v)) = clamp(round(t)) whether or not `ok` (e is exact: v is
//    an integer from 2^23 on).
// WIDE_CODES (more than 256 levels) takes margin = max(8 ulp(v), 2^-20) = 2^(e_v - 20) instead (from v's
// exponent bits, exactly), which is above 0.5 - e for any |v| >= 2^20: then nothing is `ok`.
// What fails the test (about 2^(k - 20) of uniformly spread inputs, plus Inf/NaN) goes to the table walk.
struct FastQ { d: f32, ok: bool }

fn fast_quantize(xb: u32, f: FastParams) -> FastQ {
  let v = bitcast<f32>(xb) * f.inv;
  let r = round(v);
  var half_margin = f.half_margin;
  if (WIDE_CODES) { half_margin = 0.5 - max(bitcast<f32>((bitcast<u32>(v) & 0x7f800000u) - (20u << 23u)), 0x1p-20f); }
  let ok = FAST && (xb & 0x7f800000u) < f.lim && abs(v - r) < half_margin;
  return FastQ(clamp(r, f.dlo, f.dhi), ok);
}

// The native fast dequantizer: fl32(d * s) for an integer-valued f32 d, reported `ok` only where it is
// provably the round-to-nearest-even product. Argument (s in [2^-100, 2^100) by fast_limit, |d| <= 255):
// 1. a = d * shi (8 + 16 significant bits) and b = d * slo (8 + 8 bits) are exact (representable, normal:
//    s >= 2^-100 keeps every nonzero multiple of s's last significand bit u = ulp(s) >= 2^-123 normal),
//    and P = a + b = d * s exactly.
// 2. y = a + b is P or a neighbour of P (WGSL's correctly rounded), the only possible error.
// 3. a - y is exact (Sterbenz: |a - P| <= 2^-15 |P| and y within 1 ulp of P, so y / 2 <= a <= 2 y), and
//    t = (a - y) + b = P - y is exact: a, b and y are multiples of u, and |P - y| < ulp(y) <= 2^8 u, so the
//    result has at most 8 significant bits.
// 4. he = 2^(e_a - 24), half the f32 spacing in a's binade, from a's exponent bits (exactly). |a| <= |P|,
//    so he is at most half the spacing in P's binade, where y and its neighbour on P's side lie: y is the
//    nearest-even f32 to P if |t| < he, or if |t| = he and y's significand is even (a tie; or, with a a
//    binade below P, |t| is below the half spacing anyway). Both comparisons are exact. The other
//    neighbour (a device rounding the other way) has |t| >= the half spacing >= he and is odd at a tie.
// 5. d = +-0: a = +-0, the integer max floors he at 2^-126 (else he >= 2^-124), t = 0 is `ok`, and the result
//    is +0 (fl32((q - zp) * s) multiplies an integer zero).
// On lavapipe and every IEEE device `+` rounds to nearest even, so a lane fails only where a lies a binade
// below P and |t| falls between the two half spacings (products just above a power of two: rare).
struct FastDq { y: u32, ok: bool }

// fast_dequantize for a d the caller knows to be in range: |d| <= 255 and fast_limit != 0.
fn fast_dequantize_in_range(d: f32, f: FastParams) -> FastDq {
  let a = d * f.shi;
  let b = d * f.slo;
  let y = a + b;
  let t = abs((a - y) + b);
  let yb = bitcast<u32>(y);
  let he = bitcast<f32>(u32(max(bitcast<i32>(bitcast<u32>(a) & 0x7f800000u) - (24 << 23u), 1 << 23u)));
  return FastDq(select(yb, 0u, d == 0.0), t < he || (t == he && (yb & 1u) == 0u));
}

fn fast_dequantize(d: f32, f: FastParams) -> FastDq {
  let fd = fast_dequantize_in_range(d, f);
  return FastDq(fd.y, fd.ok && f.lim != 0u && abs(d) < 256.0);
}

// The code of one element (x given by its f32 bits) in channel c.
fn quantize_code(xb: u32, c: u32) -> i32 { return quantize_code_with(xb, c, true); }

// quantize_code, with the METHOD 1 fast path tried first or not (callers that already tried it pass false:
// the code is then not compiled in, which matters where lavapipe runs an untaken branch masked).
fn quantize_code_with(xb: u32, c: u32, try_fast: bool) -> i32 {
  if (WRAP) {
    let wi = P.channels * P.levels + 8u * c;
    let k = f32_key(xb);
    if (f32_is_nan(xb) || k < lut[wi] || k >= lut[wi + 3u]) { return lut[wi + 4u]; }
    if (k < lut[wi + 1u]) { return lut[wi + 5u]; }
    if (k > lut[wi + 2u]) { return lut[wi + 6u]; }
  }
  if (f32_is_nan(xb)) { return P.nan_code; }
  let z = zero_point(c);
  if (METHOD == 0u) {
    var v: u32;
    if (VARIANT == 0u) { v = f32_div(xb, scale_bits(c)); } else { v = f32_mul(xb, inv_scale_bits(c)); }
    if (f32_is_nan(v)) { return P.nan_code; }          // 0 * fl32(1/s) = 0 * Inf for a subnormal s
    return clamp(f32_rne_int(v) + z, P.qmin, P.qmax);   // rne saturates at +-2^30: no i32 overflow
  }
  if (try_fast) {
    let fq = fast_quantize(xb, fast_params(c));
    if (fq.ok) { return i32(fq.d) + z; }
  }
  // Exact path: the threshold walk (lut.wgsl); the guess only sets the walk's length.
  let g = clamp(round(bitcast<f32>(xb) * bitcast<f32>(inv_scale_bits(c))), -65536.0, 65536.0);
  let j = lut_find(c * P.levels, f32_key(xb), i32(g) + z - P.qmin);
  return P.qmin + i32(j);
}

// fl32((q - zp) * s) as f32 bits, exactly: for |q - zp| < 256 the product of |q - zp| and s's 24-bit
// significand fits a u32 and is rounded once (branch-free when s is normal and not huge, else by
// f32_round_scaled); wider ranges use the general f32_mul.
fn dequantize_code(q: i32, c: u32) -> u32 {
  let d = q - zero_point(c);
  let sb = scale_bits(c);
  if (METHOD == 1u) {
    let fd = fast_dequantize(f32(d), fast_params(c));   // f32(d) is exact: |d| < 2^17
    if (fd.ok) { return fd.y; }
  }
  let ad = u32(abs(d));
  if (!WIDE_CODES || ad < 256u) {
    return f32_round_scaled(select(0u, F32_SIGN, d < 0) ^ (sb & F32_SIGN), ad * f32_sig(sb), f32_exp2(sb));
  }
  return f32_mul(i32_to_f32(d), sb);
}

// Fake quantization of one element: dequantize(quantize(x)); NaN quantizes to qmin (golden fake-quant.ts).
fn fake_quant_bits(xb: u32, c: u32) -> u32 {
  return dequantize_code(quantize_code(xb, c), c);
}

// fake_quant_bits for an element whose fast paths were already tried and not proven.
fn fake_quant_bits_exact(xb: u32, c: u32) -> u32 {
  return dequantize_code(quantize_code_with(xb, c, false), c);
}

// The fake quantization of one element by the two fast paths alone, given its channel's FastParams:
// `ok` false where either path cannot prove its result (then fake_quant_bits_exact).
fn fast_fake_quant(xb: u32, f: FastParams) -> FastDq {
  let fq = fast_quantize(xb, f);
  // fq.ok implies fast_limit != 0; |d| <= levels - 1 <= 255 unless WIDE_CODES
  let fd = fast_dequantize_in_range(fq.d, f);
  return FastDq(fd.y, fq.ok && fd.ok && (!WIDE_CODES || abs(fq.d) < 256.0));
}

// Linear element index from a (possibly 2-D) grid of 1-D workgroups.
fn linear_id(gid: vec3u, nwg: vec3u, wg: u32) -> u32 { return gid.x + gid.y * nwg.x * wg; }
