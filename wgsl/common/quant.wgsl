// Shared quantization parameters and the exact quantize / dequantize of one element.
//
// Semantics (golden-semantics.md §0.1, the ONNX spec, ORT, TensorRT):
//   q = clamp(round_half_even(fl32(x / s)) + zp, qmin, qmax)          VARIANT 0 ("div")
//   q = clamp(round_half_even(fl32(x * fl32(1 / s))) + zp, qmin, qmax) VARIANT 1 ("mul_inv", PyTorch)
//   NaN -> P.nan_code; +-Inf and |x/s| >= 2^30 saturate to qmax / qmin.
//   dequantize: fl32((q - zp) * s).
// METHOD 0 computes this with the integer-emulated f32 operations of f32-exact.wgsl. METHOD 1 takes a
// native-float fast path where an error bound proves it exact (see quantize_code) and otherwise looks the
// result up in the host-built threshold table (lut.wgsl, src/kernels/lut.ts), which encodes whatever
// variant it was built for. Dequantization is integer arithmetic in both methods.
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
// per channel: (s bits, fl32(1 / s) bits, zero point, 0)
@group(0) @binding(1) var<storage, read> chan: array<vec4u>;
// per channel: T[levels] thresholds (T[0] = reachable count)
@group(0) @binding(2) var<storage, read> lut: array<i32>;

fn scale_bits(c: u32) -> u32 { return chan[c].x; }
fn inv_scale_bits(c: u32) -> u32 { return chan[c].y; }
fn zero_point(c: u32) -> i32 { return bitcast<i32>(chan[c].z); }

fn channel_of(i: u32) -> u32 {
  if (P.channels == 1u) { return 0u; }
  return ((P.base + i) / P.inner) % P.channels;
}

// The native fast path of METHOD 1 (no table): q = clamp(round(v) + z) with native v = x * fl32(1/s),
// reported `ok` only where an error bound proves it equals the exact quantizer's code. `q` is meaningless
// when !ok (the caller then takes the exact table walk). Argument:
// 1. The bit tests put x, fl32(1/s) and the product in the normal range, |v| in [2^-100, 2^20): no
//    input or output is subnormal (so none may be flushed), none is Inf/NaN (so the finite-math
//    assumption holds) and round(v) fits i32.
// 2. WGSL `*` is correctly rounded in its sense (the exact result or either neighbour), so
//    |v - x * inv| <= 1 ulp(v); inv = fl32(1/s) has relative error <= 2^-24, so |x * inv - x / s| <= 1 ulp
//    (2 if x/s lies in the binade above v); fl32(x / s) is within 0.5 ulp of x / s. Hence the exact
//    quotient t (either variant: fl32(x / s), or fl32(x * inv) within 1.5 ulp) has |t - v| <= 5 ulp(v).
// 3. r = round(v) is an integer with |v - r| <= 0.5, and d = v - r is computed EXACTLY: for |v| >= 1 both
//    v and r are multiples of ulp(v) (ulp(v) <= 1 as |v| < 2^20) and |d| <= 0.5 needs at most 24 bits of
//    ulp(v); for |v| < 1, r is 0 (d = v) or +-1 (|v| >= 0.5, where v is a multiple of 2^-24 and so is d).
//    WGSL's "correctly rounded" returns a representable exact result as is, so abs(d) is exact too.
//    margin = max(8 ulp(v), 2^-20) = 2^(e - 20) (from v's exponent bits, exactly) or 2^-20 is a power of
//    two <= 0.5 (|v| < 2^20), so 0.5 - margin is a multiple of 2^-20 below 1: exact. The comparison is exact.
// 4. |d| < 0.5 - margin says the nearest half-integer to v is more than margin = 8 ulp(v) > 5 ulp(v) away:
//    t lies in the same open interval between two half-integers as v and is not a tie, so every rounding
//    mode gives round(v) (+ zp): half_even and half_away round t (or t + zp, exact in float64) directly;
//    half_up is floor(fl32(t + 0.5)), and fl32 moves t + 0.5 by at most 1 ulp(v) < the remaining margin.
//    (half_up with the zero point before rounding is floor(fl32(t + zp + 0.5)): FAST is off for it.)
// Everything else (about 2^-19 of typical inputs, plus specials) is left to the exact table walk.
struct FastQ { q: i32, ok: bool }

fn fast_quantize(xb: u32, ib: u32, z: i32) -> FastQ {
  let xe = i32((xb >> 23u) & 0xffu);
  let ie = i32((ib >> 23u) & 0xffu);                 // fl32(1/s) is Inf or subnormal for extreme s
  let pe = xe + ie - 254;                            // |x * inv| in [2^pe, 2^(pe + 2))
  let v = bitcast<f32>(xb) * bitcast<f32>(ib);
  let r = round(v);
  let margin = max(bitcast<f32>((bitcast<u32>(v) & 0x7f800000u) - (20u << 23u)), 0x1p-20f);
  let ok = FAST && xe != 0 && xe != 255 && ie != 0 && ie != 255 && pe >= -100 && pe <= 18 && abs(v - r) < 0.5 - margin;
  // r is clamped before the conversion so that even a discarded (!ok) lane converts a finite value
  return FastQ(clamp(i32(clamp(r, -1048576.0, 1048576.0)) + z, P.qmin, P.qmax), ok);
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
    let fq = fast_quantize(xb, inv_scale_bits(c), z);
    if (fq.ok) { return fq.q; }
  }
  // Exact path: the threshold walk (lut.wgsl); the guess only sets the walk's length.
  let g = clamp(round(bitcast<f32>(xb) * bitcast<f32>(inv_scale_bits(c))), -65536.0, 65536.0);
  let j = lut_find(c * P.levels, f32_key(xb), i32(g) + z - P.qmin);
  return P.qmin + i32(j);
}

// The branch-free common case of dequantize_code: s normal with biased exponent es in [1, 245] and
// |d| < 256 (else `ok` is false and `y` meaningless). p = |d| * sig(s) in [2^23, 2^32) (or 0); the result
// is normal, below 2^(es - 118) < Inf; round p to 24 bits (sh in [0, 8] dropped bits, ties to even).
struct FastDq { y: u32, ok: bool }

fn fast_dequantize(d: i32, sb: u32) -> FastDq {
  let es = (sb >> 23u) & 0xffu;
  let ad = u32(abs(d));
  let p = ad * ((sb & 0x7fffffu) | 0x800000u);
  // sh = bit length of p - 24, from the exponent of f32(p >> 8) (p >> 8 < 2^24 converts exactly); a
  // vector countLeadingZeros has no single instruction on common SIMD CPUs (lavapipe)
  let sh = u32(max(i32((bitcast<u32>(f32(i32(p >> 8u))) >> 23u) & 0xffu) - 142, 0));
  let m = p >> sh;
  let rem = p & ((1u << sh) - 1u);
  let half = (1u << sh) >> 1u;
  let up = rem > half || (rem == half && sh > 0u && (m & 1u) == 1u);
  let bits = ((es + sh - 1u) << 23u) + m + select(0u, 1u, up);
  let y = select((select(0u, F32_SIGN, d < 0) ^ (sb & F32_SIGN)) | bits, 0u, ad == 0u);
  return FastDq(y, ad < 256u && es >= 1u && es <= 245u);
}

// fl32((q - zp) * s) as f32 bits, exactly: for |q - zp| < 256 the product of |q - zp| and s's 24-bit
// significand fits a u32 and is rounded once (branch-free when s is normal and not huge, else by
// f32_round_scaled); wider ranges use the general f32_mul.
fn dequantize_code(q: i32, c: u32) -> u32 {
  let d = q - zero_point(c);
  let sb = scale_bits(c);
  let fd = fast_dequantize(d, sb);
  if (fd.ok) { return fd.y; }
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

// The fake quantization of one element by the two fast paths alone, given channel c's (s bits,
// fl32(1/s) bits, zero point): `ok` false where either path cannot prove its result (then fake_quant_bits).
fn fast_fake_quant(xb: u32, sb: u32, ib: u32, z: i32) -> FastDq {
  let fq = fast_quantize(xb, ib, z);
  let fd = fast_dequantize(fq.q - z, sb);
  return FastDq(fd.y, fq.ok && fd.ok);
}

// Linear element index from a (possibly 2-D) grid of 1-D workgroups.
fn linear_id(gid: vec3u, nwg: vec3u, wg: u32) -> u32 { return gid.x + gid.y * nwg.x * wg; }
