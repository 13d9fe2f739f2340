// QuantizeLinear: f32 -> 8-bit codes (int8, uint8, int4, uint4, int2, uint2, float8 stored one per byte),
// per tensor or per channel. Each invocation writes one u32 word = 4 codes, the first element in the low byte.
#include "common/quant.wgsl"
#include "common/float8.wgsl"

override WG: u32 = 256u;
override FLOAT8: bool = false;   // float8 codes: the exact quotient (integer division) then f8_encode

@group(0) @binding(3) var<storage, read> x: array<u32>;          // f32 bits
@group(0) @binding(4) var<storage, read_write> y: array<u32>;    // packed codes

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let w = linear_id(gid, nwg, WG);
  let i0 = w * 4u;
  if (i0 >= P.n) { return; }
  var word = 0u;
  for (var k = 0u; k < 4u; k++) {
    let i = i0 + k;
    if (i >= P.n) { break; }
    var code: u32;
    if (FLOAT8) {
      let c = channel_of(i);
      var v: u32;
      if (VARIANT == 0u) { v = f32_div(x[i], scale_bits(c)); } else { v = f32_mul(x[i], inv_scale_bits(c)); }
      if (f32_is_nan(x[i])) { v = x[i] | 0x400000u; }   // x86 division keeps the NaN operand's sign
      code = f8_encode(v);
    } else {
      code = bitcast<u32>(quantize_code(x[i], channel_of(i)));
    }
    word = word | ((code & 0xffu) << (8u * k));
  }
  y[w] = word;
}
