// QuantizeLinear: f32 -> 8-bit codes (int8, uint8, int4, uint4 stored one per byte), per tensor or per
// channel. Each invocation writes one u32 word = 4 codes, the first element in the low byte.
#include "common/quant.wgsl"

override WG: u32 = 256u;

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
    if (i < P.n) { word = word | ((bitcast<u32>(quantize_code(x[i], channel_of(i))) & 0xffu) << (8u * k)); }
  }
  y[w] = word;
}
