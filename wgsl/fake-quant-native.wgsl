// NOT EXACT — benchmark reference only (bench/kernels.ts): the plain native fake-quant
// y = clamp(round(x * fl32(1/s)), qmin, qmax) * s per tensor with zero point 0, in WGSL's loosely specified
// f32 arithmetic, or (COPY) a plain copy of x. Same bindings and dispatch as fake-quant.wgsl, so its time
// is the ceiling an exact kernel of that shape can approach on the same device. Never used for results.
struct QParams { n: u32, inner: u32, channels: u32, levels: u32, qmin: i32, qmax: i32, nan_code: i32, base: u32 }

#include "common/word-walk.wgsl"

override COPY: bool = false;

@group(0) @binding(0) var<uniform> P: QParams;
@group(0) @binding(1) var<storage, read> chan: array<vec4u>;
@group(0) @binding(3) var<storage, read> x: array<vec4u>;
@group(0) @binding(4) var<storage, read_write> y: array<vec4u>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3u) {
  let s = bitcast<f32>(chan[0].x);
  let inv = bitcast<f32>(chan[0].y);
  let lo = vec4f(f32(P.qmin));
  let hi = vec4f(f32(P.qmax));
  let walk = word_walk(wid, lid, nwg);
  for (var k = 0u; k < UNROLL; k++) {
    let w = walk.first + k * walk.stride;
    if (w * 4u >= P.n) { return; }
    if (COPY) { y[w] = x[w]; } else { y[w] = bitcast<vec4u>(clamp(round(bitcast<vec4f>(x[w]) * inv), lo, hi) * s); }
  }
}
