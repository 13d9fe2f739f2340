// Shared quantization parameters and the exact quantize / dequantize of one element.
//
// Semantics (golden-semantics.md §0.1, the ONNX spec, ORT, TensorRT):
//   q = clamp(round_half_even(fl32(x / s)) + zp, qmin, qmax)          VARIANT 0 ("div")
//   q = clamp(round_half_even(fl32(x * fl32(1 / s))) + zp, qmin, qmax) VARIANT 1 ("mul_inv", PyTorch)
//   NaN -> P.nan_code; +-Inf and |x/s| >= 2^30 saturate to qmax / qmin.
//   dequantize: fl32((q - zp) * s).
// METHOD 0 computes this with the integer-emulated f32 operations of f32-exact.wgsl. METHOD 1 looks the
// result up in the host-built threshold table (lut.wgsl, src/kernels/lut.ts); the variant is then
// whatever the table was built for.
#include "common/f32-exact.wgsl"
#include "common/lut.wgsl"

override METHOD: u32 = 0u;
override VARIANT: u32 = 0u;

struct QParams {
  n: u32,          // elements
  inner: u32,      // product of the dims after the channel axis
  channels: u32,   // 1 = per-tensor
  levels: u32,     // qmax - qmin + 1 (lut stride is 2 * levels per channel)
  qmin: i32,
  qmax: i32,
  nan_code: i32,   // the code a NaN quantizes to
  base: u32,      // global index of this dispatch's first element (large tensors run in chunks)
}

@group(0) @binding(0) var<uniform> P: QParams;
// per channel: (s bits, fl32(1 / s) bits, zero point, 0)
@group(0) @binding(1) var<storage, read> chan: array<vec4u>;
// per channel: T[levels] thresholds (T[0] = reachable count), V[levels] = fl32((qmin + j - zp) * s) bits
@group(0) @binding(2) var<storage, read> lut: array<i32>;

fn scale_bits(c: u32) -> u32 { return chan[c].x; }
fn inv_scale_bits(c: u32) -> u32 { return chan[c].y; }
fn zero_point(c: u32) -> i32 { return bitcast<i32>(chan[c].z); }

fn channel_of(i: u32) -> u32 {
  if (P.channels == 1u) { return 0u; }
  return ((P.base + i) / P.inner) % P.channels;
}

// The code of one element (x given by its f32 bits) in channel c.
fn quantize_code(xb: u32, c: u32) -> i32 {
  if (f32_is_nan(xb)) { return P.nan_code; }
  let z = zero_point(c);
  if (METHOD == 0u) {
    var v: u32;
    if (VARIANT == 0u) { v = f32_div(xb, scale_bits(c)); } else { v = f32_mul(xb, inv_scale_bits(c)); }
    return clamp(f32_rne_int(v) + z, P.qmin, P.qmax);   // rne saturates at +-2^30: no i32 overflow
  }
  // Guess with native float math (inexact by spec, and indeterminate for Inf): only the walk's length
  // depends on it, see lut.wgsl.
  let g = clamp(round(bitcast<f32>(xb) * bitcast<f32>(inv_scale_bits(c))), -65536.0, 65536.0);
  let j = lut_find(c * 2u * P.levels, f32_key(xb), i32(g) + z - P.qmin);
  return P.qmin + i32(j);
}

// fl32((q - zp) * s) as f32 bits.
fn dequantize_code(q: i32, c: u32) -> u32 {
  if (METHOD == 0u) { return f32_mul(i32_to_f32(q - zero_point(c)), scale_bits(c)); }
  return bitcast<u32>(lut[c * 2u * P.levels + P.levels + u32(q - P.qmin)]);
}

// Fake quantization of one element: dequantize(quantize(x)); NaN quantizes to qmin (golden fake-quant.ts).
fn fake_quant_bits(xb: u32, c: u32) -> u32 {
  return dequantize_code(quantize_code(xb, c), c);
}

// Linear element index from a (possibly 2-D) grid of 1-D workgroups.
fn linear_id(gid: vec3u, nwg: vec3u, wg: u32) -> u32 { return gid.x + gid.y * nwg.x * wg; }
