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
#include "common/quant.wgsl"

override WG: u32 = 256u;
override INPUT_MASK: bool = false;

@group(0) @binding(3) var<storage, read> x: array<u32>;
@group(0) @binding(4) var<storage, read> dy: array<u32>;
// per channel: (rounded lo key, rounded hi key, input-mask lo key, input-mask hi key)
@group(0) @binding(5) var<storage, read> bounds: array<vec4i>;
@group(0) @binding(6) var<storage, read_write> dx: array<u32>;
@group(0) @binding(7) var<storage, read_write> term: array<u32>;
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

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let w = linear_id(gid, nwg, WG);
  let i0 = w * 4u;
  if (i0 >= P.n) { return; }
  var sides = 0u;
  for (var t = 0u; t < 4u; t++) {
    let i = i0 + t;
    if (i >= P.n) { break; }
    let c = channel_of(i);
    let xb = x[i];
    let sd = side_of(xb, c);
    var mask = sd == 0;
    if (INPUT_MASK) {
      let k = f32_key(xb); let b = bounds[c];
      mask = !f32_is_nan(xb) && k >= b.z && k <= b.w;
    }
    dx[i] = select(0u, dy[i], mask);
    if (sd == 0) {
      let y = fake_quant_bits(xb, c);
      term[i] = f32_mul(f32_add(y, xb ^ F32_SIGN), inv_scale_bits(c));
    } else {
      term[i] = i32_to_f32(select(P.qmax, P.qmin, sd < 0) - zero_point(c));
    }
    sides = sides | ((bitcast<u32>(sd) & 0xffu) << (8u * t));
  }
  side[w] = sides;
}
