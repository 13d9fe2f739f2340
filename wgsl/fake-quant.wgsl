// Fake quantization forward: y = dequantize(quantize(x)) in f32 bits, per tensor or per channel.
// One invocation per 4 elements (vec4 loads and stores; the tail is handled element by element).
#include "common/quant.wgsl"

override WG: u32 = 256u;

@group(0) @binding(3) var<storage, read> x: array<vec4u>;        // f32 bits, padded to a multiple of 4
@group(0) @binding(4) var<storage, read_write> y: array<vec4u>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let w = linear_id(gid, nwg, WG);
  let i0 = w * 4u;
  if (i0 >= P.n) { return; }
  let v = x[w];
  var r: vec4u;
  if (P.channels == 1u) {
    r = vec4u(fake_quant_bits(v.x, 0u), fake_quant_bits(v.y, 0u), fake_quant_bits(v.z, 0u), fake_quant_bits(v.w, 0u));
  } else {
    r = vec4u(fake_quant_bits(v.x, channel_of(i0)), fake_quant_bits(v.y, channel_of(i0 + 1u)),
              fake_quant_bits(v.z, channel_of(i0 + 2u)), fake_quant_bits(v.w, channel_of(i0 + 3u)));
  }
  y[w] = r;   // lanes past n are written into the padding and never read back
}
