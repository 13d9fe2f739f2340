// DequantizeLinear: 8-bit codes (4 per u32 word, low byte first) -> f32 bits, fl32((q - zp) * s).
#include "common/quant.wgsl"
#include "common/float8.wgsl"

override WG: u32 = 256u;
override FLOAT8: bool = false;  // float8 codes: fl32(decode(q) * s) (the zero point must be 0)
override SIGNED: bool = true;   // int8/int4 codes are sign-extended, uint8/uint4 zero-extended

@group(0) @binding(3) var<storage, read> x: array<u32>;          // packed codes
@group(0) @binding(4) var<storage, read_write> y: array<u32>;    // f32 bits

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let w = linear_id(gid, nwg, WG);
  let i0 = w * 4u;
  if (i0 >= P.n) { return; }
  let word = x[w];
  for (var k = 0u; k < 4u; k++) {
    let i = i0 + k;
    if (i < P.n) {
      let byte = bitcast<i32>(word << (24u - 8u * k));
      let q = select(byte >> 24u, bitcast<i32>(bitcast<u32>(byte) >> 24u), !SIGNED);
      if (FLOAT8) { y[i] = f32_mul(f8_decode(bitcast<u32>(q) & 0xffu), scale_bits(channel_of(i))); }
      else { y[i] = dequantize_code(q, channel_of(i)); }
    }
  }
}
