// Fake quantization forward: y = dequantize(quantize(x)) in f32 bits, per tensor or per channel.
// Each invocation handles UNROLL vec4 words (vec4 loads and stores; lanes past n land in the padding).
#include "common/quant.wgsl"

override WG: u32 = 256u;
// vec4 words per invocation, WG apart (consecutive lanes touch consecutive words): fewer, longer-lived
// invocations amortise lavapipe's per-invocation and per-workgroup overhead (bench/kernels.ts).
override UNROLL: u32 = 4u;

@group(0) @binding(3) var<storage, read> x: array<vec4u>;        // f32 bits, padded to a multiple of 4
@group(0) @binding(4) var<storage, read_write> y: array<vec4u>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3u) {
  // per-tensor parameters, loaded once per invocation
  let s0 = scale_bits(0u);
  let i0s = inv_scale_bits(0u);
  let z0 = zero_point(0u);
  let w0 = (wid.x + wid.y * nwg.x) * WG * UNROLL + lid;
  for (var k = 0u; k < UNROLL; k++) {
    let w = w0 + k * WG;
    let i0 = w * 4u;
    if (i0 >= P.n) { return; }
    let v = x[w];
    var r: vec4u;
    if (METHOD == 1u && P.channels == 1u) {
      // per tensor: the fast paths (quant.wgsl, each with its proof) for the four lanes; any lane they
      // cannot prove sends the word to the exact element function
      let f0 = fast_fake_quant(v.x, s0, i0s, z0);
      let f1 = fast_fake_quant(v.y, s0, i0s, z0);
      let f2 = fast_fake_quant(v.z, s0, i0s, z0);
      let f3 = fast_fake_quant(v.w, s0, i0s, z0);
      r = vec4u(f0.y, f1.y, f2.y, f3.y);
      if (!(f0.ok && f1.ok && f2.ok && f3.ok)) {
        r = vec4u(fake_quant_bits_exact(v.x, 0u), fake_quant_bits_exact(v.y, 0u), fake_quant_bits_exact(v.z, 0u), fake_quant_bits_exact(v.w, 0u));
      }
    } else {
      r = vec4u(fake_quant_bits(v.x, channel_of(i0)), fake_quant_bits(v.y, channel_of(i0 + 1u)),
                fake_quant_bits(v.z, channel_of(i0 + 2u)), fake_quant_bits(v.w, channel_of(i0 + 3u)));
    }
    y[w] = r;   // lanes past n are written into the padding and never read back
  }
}
