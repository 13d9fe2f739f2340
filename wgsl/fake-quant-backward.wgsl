// Fake quantization backward (golden fake-quant.ts), per element:
//   side  = -1 below the clip range, 0 inside, +1 above (on the unclamped rounded code r; NaN -> -1)
//   dx    = mask ? dy : +0     (STE; the bits of dy are copied, no float operation touches them)
//   term  = inside: fl32(fl32(y - x) * fl32(1/s)), below: f32(qmin - zp), above: f32(qmax - zp)
// The LSQ scale / zero-point gradients are the float64 sums over elements of dy * term and dy * -s in
// element order; they are formed on the host from `term` and `side` (src/kernels/fake-quant.ts) because
// WGSL has no f64 and the golden sum's rounding depends on its order.
// side: METHOD 0 computes r = rne(v) + zp with integer arithmetic; METHOD 1 compares the order key of x
// with per-channel bounds (r is monotone in x, so {x : qmin <= r <= qmax} is an interval of keys).
// mask: 'rounded' is side == 0; 'input' compares the key with the bounds of the exact float64 interval
// [(qmin - zp) * s, (qmax - zp) * s], computed on the host. Both are integer comparisons.
// Each invocation handles one word of four elements with vector loads and stores (all arrays padded to a
// multiple of 4; lanes past n land in the padding); per tensor, the channel is the constant 0, so every
// parameter load has a uniform address (lavapipe loops over the lanes for any other).
#include "common/quant.wgsl"

override WG: u32 = 256u;
override INPUT_MASK: bool = false;

@group(0) @binding(3) var<storage, read> x: array<vec4u>;
@group(0) @binding(4) var<storage, read> dy: array<vec4u>;
// per channel: (rounded lo key, rounded hi key, input-mask lo key, input-mask hi key)
@group(0) @binding(5) var<storage, read> bounds: array<vec4i>;
@group(0) @binding(6) var<storage, read_write> dx: array<vec4u>;
@group(0) @binding(7) var<storage, read_write> term: array<vec4u>;
@group(0) @binding(8) var<storage, read_write> side: array<u32>;   // i8 codes, 4 per word

fn side_of(xb: u32, c: u32) -> i32 {
  if (f32_is_nan(xb)) { return -1; }
  if (METHOD == 0u) {
    var v: u32;
    if (VARIANT == 0u) { v = f32_div(xb, scale_bits(c)); } else { v = f32_mul(xb, inv_scale_bits(c)); }
    if (f32_is_nan(v)) { return -1; }
    let r = f32_rne_int(v) + zero_point(c);
    return select(select(0, 1, r > P.qmax), -1, r < P.qmin);
  }
  let k = f32_key(xb);
  let b = bounds[c];
  return select(select(0, 1, k > b.y), -1, k < b.x);
}

// One element: (dx bits, term bits, side as i32 bits).
fn backward_element(xb: u32, dyb: u32, c: u32) -> vec3u {
  let sd = side_of(xb, c);
  var mask = sd == 0;
  if (INPUT_MASK) {
    let k = f32_key(xb); let b = bounds[c];
    mask = !f32_is_nan(xb) && k >= b.z && k <= b.w;
  }
  var t: u32;
  if (sd == 0) {
    let y = fake_quant_bits(xb, c);
    t = f32_mul(f32_add(y, xb ^ F32_SIGN), inv_scale_bits(c));
  } else {
    t = i32_to_f32(select(P.qmax, P.qmin, sd < 0) - zero_point(c));
  }
  return vec3u(select(0u, dyb, mask), t, bitcast<u32>(sd));
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let w = linear_id(gid, nwg, WG);
  let i0 = w * 4u;
  if (i0 >= P.n) { return; }
  let xv = x[w];
  let dv = dy[w];
  var e0: vec3u; var e1: vec3u; var e2: vec3u; var e3: vec3u;
  if (P.channels == 1u) {
    e0 = backward_element(xv.x, dv.x, 0u); e1 = backward_element(xv.y, dv.y, 0u);
    e2 = backward_element(xv.z, dv.z, 0u); e3 = backward_element(xv.w, dv.w, 0u);
  } else {
    e0 = backward_element(xv.x, dv.x, channel_of(i0)); e1 = backward_element(xv.y, dv.y, channel_of(i0 + 1u));
    e2 = backward_element(xv.z, dv.z, channel_of(i0 + 2u)); e3 = backward_element(xv.w, dv.w, channel_of(i0 + 3u));
  }
  dx[w] = vec4u(e0.x, e1.x, e2.x, e3.x);
  term[w] = vec4u(e0.y, e1.y, e2.y, e3.y);
  side[w] = (e0.z & 0xffu) | ((e1.z & 0xffu) << 8u) | ((e2.z & 0xffu) << 16u) | ((e3.z & 0xffu) << 24u);
}
