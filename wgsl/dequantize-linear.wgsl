// DequantizeLinear: 8-bit codes (4 per u32 word, low byte first) -> f32 bits, fl32((q - zp) * s).
// Each invocation turns one word into one vec4 of outputs (one vector store instead of four scalar ones);
// lanes past n land in the padding and are never read back.
#include "common/quant.wgsl"
#include "common/float8.wgsl"

override WG: u32 = 256u;
override FLOAT8: bool = false;  // float8 codes: fl32(decode(q) * s) (the zero point must be 0)
override SIGNED: bool = true;   // int8/int4 codes are sign-extended, uint8/uint4 zero-extended

@group(0) @binding(3) var<storage, read> x: array<u32>;          // packed codes
@group(0) @binding(4) var<storage, read_write> y: array<vec4u>;  // f32 bits, padded to a multiple of 4

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let w = linear_id(gid, nwg, WG);
  let i0 = w * 4u;
  if (i0 >= P.n) { return; }
  let word = x[w];
  let wi = bitcast<i32>(word);
  let bytes = select(vec4i(wi << 24u, wi << 16u, wi << 8u, wi) >> vec4u(24u),
                     bitcast<vec4i>(vec4u(word << 24u, word << 16u, word << 8u, word) >> vec4u(24u)), !SIGNED);
  if (!FLOAT8 && METHOD == 1u && P.channels == 1u) {
    // per tensor: the fast dequantizer (quant.wgsl, with its proof) on the four lanes with the parameters
    // loaded once; a word with any unproven lane takes the exact element function below
    let f0 = fast_params(0u);
    let d = vec4f(bytes - zero_point(0u));   // exact: |d| < 2^9
    let a0 = fast_dequantize(d.x, f0); let a1 = fast_dequantize(d.y, f0);
    let a2 = fast_dequantize(d.z, f0); let a3 = fast_dequantize(d.w, f0);
    if (a0.ok && a1.ok && a2.ok && a3.ok) { y[w] = vec4u(a0.y, a1.y, a2.y, a3.y); return; }
  }
  var out = vec4u(0u);
  for (var k = 0u; k < 4u; k++) {
    let i = i0 + k;
    let c = channel_of(i);
    let q = bytes[k];
    if (FLOAT8) { out[k] = f32_mul(f8_decode(bitcast<u32>(q) & 0xffu), scale_bits(c)); }
    else { out[k] = dequantize_code(q, c); }
  }
  y[w] = out;
}
