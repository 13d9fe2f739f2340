// Requantize epilogue: int32 accumulators -> 8-bit codes, the golden `requantize` (src/sim/golden/
// integer-ops.ts) with its two modes.
//   fused (ORT QLinearConv/QLinearMatMul):  q = clamp(rne(fl32(fl32(acc) * M_c)) + zp, lo, hi)
//   float (DQ -> op -> Q as TensorRT describes it):
//     r = fl32(fl32(acc) * sc_c) [+ fl32 bias_c] -> ReLU / clip -> [+ fl32(fl32(res - rzp) * rs)]
//     q = clamp(rne(fl32(r / ys)) + zp, qmin, qmax)      (or r * fl32(1 / ys) for scaleOp 'mul_inv')
// METHOD 0 evaluates this with the integer-emulated f32 operations (f32-exact.wgsl): exact on any device.
// METHOD 1 looks the code up in per-channel thresholds over the accumulator (lut.wgsl): the code is a
// monotone step function of acc for every variant without a residual (f32 or f64 multiplier, zero point
// before or after rounding, any rounding mode), so the table built from the golden function is exact.
// ReLU in float mode: golden `r > 0 ? r : 0`, i.e. NaN, -0 and negatives become +0 (decided on the order
// key, never with a float compare). Clip: `r < min ? min : r > max ? max : r` on keys; NaN passes.
#include "common/f32-exact.wgsl"

override METHOD: u32 = 0u;
override VARIANT: u32 = 0u;   // float mode's output division: 0 fl32(r / ys), 1 fl32(r * fl32(1 / ys))
override WG: u32 = 256u;

struct Params {
  n: u32, stride: u32, channels: u32, levels: u32,
  qmin: i32, qmax: i32, lo: i32, hi: i32,
  zp: i32, mode: u32, act: u32, has_bias: u32,
  clip_min: u32, clip_max: u32, ys: u32, inv_ys: u32,
  has_res: u32, res_zp: i32, res_scale: u32, res_signed: u32,
}
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> acc: array<i32>;
@group(0) @binding(2) var<storage, read> mult: array<u32>;    // per channel: fused M_c, float sc_c (f32 bits)
@group(0) @binding(3) var<storage, read> fbias: array<u32>;   // per channel float bias (f32 bits)
@group(0) @binding(4) var<storage, read> guess: array<vec2f>; // per channel (multiplier, offset) for the lut guess
@group(0) @binding(5) var<storage, read> lut: array<i32>;     // per channel thresholds over acc
@group(0) @binding(6) var<storage, read> res: array<u32>;     // residual codes, 4 per word
@group(0) @binding(7) var<storage, read_write> y: array<u32>; // codes, 4 per word

#include "common/lut.wgsl"

fn res_code(i: u32) -> i32 {
  let b = bitcast<i32>(res[i >> 2u] << (24u - 8u * (i & 3u)));
  return select(bitcast<i32>(bitcast<u32>(b) >> 24u), b >> 24u, P.res_signed != 0u);
}

fn requant_one(i: u32) -> i32 {
  let a = acc[i];
  var c = 0u;
  if (P.channels > 1u) { c = (i / P.stride) % P.channels; }
  if (METHOD == 1u) {
    let gm = guess[c];
    let g = clamp(round(f32(a) * gm.x + gm.y), -65536.0, 65536.0);
    return P.qmin + i32(lut_find(c * P.levels, a, i32(g) + P.zp - P.qmin));
  }
  if (P.mode == 0u) {
    let v = f32_mul(i32_to_f32(a), mult[c]);
    if (f32_is_nan(v)) { return P.lo; }
    return clamp(f32_rne_int(v) + P.zp, P.lo, P.hi);
  }
  var r = f32_mul(i32_to_f32(a), mult[c]);
  if (P.has_bias != 0u) { r = f32_add(r, fbias[c]); }
  if (P.act == 1u) {
    if (f32_is_nan(r) || f32_key(r) <= 0) { r = 0u; }
  } else if (P.act == 2u && !f32_is_nan(r)) {
    if (f32_key(r) < f32_key(P.clip_min)) { r = P.clip_min; } else if (f32_key(r) > f32_key(P.clip_max)) { r = P.clip_max; }
  }
  if (P.has_res != 0u) { r = f32_add(r, f32_mul(i32_to_f32(res_code(i) - P.res_zp), P.res_scale)); }
  var v: u32;
  if (VARIANT == 0u) { v = f32_div(r, P.ys); } else { v = f32_mul(r, P.inv_ys); }
  if (f32_is_nan(v)) { return P.qmin; }
  return clamp(f32_rne_int(v) + P.zp, P.qmin, P.qmax);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let w = gid.x + gid.y * nwg.x * WG;
  let i0 = w * 4u;
  if (i0 >= P.n) { return; }
  var word = 0u;
  for (var k = 0u; k < 4u; k++) {
    let i = i0 + k;
    if (i < P.n) { word = word | ((bitcast<u32>(requant_one(i)) & 0xffu) << (8u * k)); }
  }
  y[w] = word;
}
