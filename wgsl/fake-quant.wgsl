// Fake quantization forward: y = dequantize(quantize(x)) in f32 bits, per tensor or per channel.
// Each invocation handles UNROLL vec4 words (vec4 loads and stores; lanes past n land in the padding),
// walked as common/word-walk.wgsl says: fewer, longer-lived invocations amortise per-invocation and
// per-workgroup overhead.
#include "common/quant.wgsl"
#include "common/word-walk.wgsl"

@group(0) @binding(3) var<storage, read> x: array<vec4u>;        // f32 bits, padded to a multiple of 4
@group(0) @binding(4) var<storage, read_write> y: array<vec4u>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3u) {
  let f0 = fast_params(0u);   // per-tensor parameters, loaded once per invocation
  let walk = word_walk(wid, lid, nwg);
  for (var k = 0u; k < UNROLL; k++) {
    let w = walk.first + k * walk.stride;
    let i0 = w * 4u;
    if (i0 >= P.n) { return; }
    let v = x[w];
    var r: vec4u;
    if (METHOD == 1u && P.channels == 1u) {
      // per tensor: the fast paths (quant.wgsl, each with its proof) for the four lanes; any lane they
      // cannot prove sends the word to the exact element function
      let a0 = fast_fake_quant(v.x, f0);
      let a1 = fast_fake_quant(v.y, f0);
      let a2 = fast_fake_quant(v.z, f0);
      let a3 = fast_fake_quant(v.w, f0);
      r = vec4u(a0.y, a1.y, a2.y, a3.y);
      if (!(a0.ok && a1.ok && a2.ok && a3.ok)) {
        r = vec4u(fake_quant_bits_exact(v.x, 0u), fake_quant_bits_exact(v.y, 0u), fake_quant_bits_exact(v.z, 0u), fake_quant_bits_exact(v.w, 0u));
      }
    } else {
      r = vec4u(fake_quant_bits(v.x, channel_of(i0)), fake_quant_bits(v.y, channel_of(i0 + 1u)),
                fake_quant_bits(v.z, channel_of(i0 + 2u)), fake_quant_bits(v.w, channel_of(i0 + 3u)));
    }
    y[w] = r;   // lanes past n are written into the padding and never read back
  }
}
