// QuantizeLinear: f32 -> 8-bit codes (int8, uint8, int4, uint4, int2, uint2, float8 stored one per byte),
// per tensor or per channel. Each invocation reads one vec4 of inputs and writes one u32 word = 4 codes, the
// first element in the low byte (one vector access instead of four scalar ones: lavapipe loops over the
// lanes once per access). Lanes past n read the padding and land in bytes that are never read back.
#include "common/quant.wgsl"
#include "common/float8.wgsl"

override WG: u32 = 256u;
override FLOAT8: bool = false;   // float8 codes: the exact quotient (integer division) then f8_encode

@group(0) @binding(3) var<storage, read> x: array<vec4u>;        // f32 bits, padded to a multiple of 4
@group(0) @binding(4) var<storage, read_write> y: array<u32>;    // packed codes

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let w = linear_id(gid, nwg, WG);
  let i0 = w * 4u;
  if (i0 >= P.n) { return; }
  let xv = x[w];
  if (!FLOAT8 && !WRAP && METHOD == 1u && P.channels == 1u) {
    // per tensor: the fast quantizer (quant.wgsl, with its proof) on the four lanes with the parameters
    // loaded once; a word with any unproven lane takes the exact element function below
    let f0 = fast_params(0u);
    let z0 = zero_point(0u);
    let a0 = fast_quantize(xv.x, f0); let a1 = fast_quantize(xv.y, f0);
    let a2 = fast_quantize(xv.z, f0); let a3 = fast_quantize(xv.w, f0);
    if (a0.ok && a1.ok && a2.ok && a3.ok) {
      let codes = (vec4i(i32(a0.d), i32(a1.d), i32(a2.d), i32(a3.d)) + z0) & vec4i(0xff);
      y[w] = bitcast<u32>(codes.x | (codes.y << 8u) | (codes.z << 16u) | (codes.w << 24u));
      return;
    }
  }
  var word = 0u;
  for (var k = 0u; k < 4u; k++) {
    let i = i0 + k;
    let xb = xv[k];
    let c = channel_of(i);   // in range for a padding lane too (modulo channels); its byte is never read
    var code: u32;
    if (FLOAT8) {
      var v: u32;
      if (VARIANT == 0u) { v = f32_div(xb, scale_bits(c)); } else { v = f32_mul(xb, inv_scale_bits(c)); }
      if (f32_is_nan(xb)) { v = xb | 0x400000u; }   // x86 division keeps the NaN operand's sign
      code = f8_encode(v);
    } else {
      code = bitcast<u32>(quantize_code(xb, c));
    }
    word = word | ((code & 0xffu) << (8u * k));
  }
  y[w] = word;
}
