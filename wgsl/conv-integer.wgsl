// ConvInteger / int8 conv2d (NCHW) as an implicit GEMM: per image n and group g,
//   Y[m][p] = sum_k (X[k][p] - xz)(W[m][k] - wz[m]) + bias[m]     (i32, wrapping)
// with k = (c, kh, kw) over the group's input channels and the kernel window, p = (oh, ow). The X
// operand is never materialised: each k lane is gathered from the input on the fly (spatial padding
// reads xz, so it contributes 0 after the subtraction), four lanes are packed into one u32 and fed to
// the same 4-lane dot product as the matmul. Zero points are folded in as in matmul-integer.wgsl (the
// weight sums come from the host; the window sums of x only when some w zero point is not 0)
// (exact modulo 2^32 for the same reason); lanes past K are 0 in both operands.
// uint8 data is mapped to int8 on the host (bit 7 flipped, zero points lowered by 128).
// Each invocation computes 8 output channels x 4 output pixels (the gathered x lanes are reused 8 times).
#include <dot4>

struct Params {
  C: u32, H: u32, W: u32, M: u32,
  kH: u32, kW: u32, OH: u32, OW: u32,
  sH: u32, sW: u32, pT: u32, pL: u32,
  dH: u32, dW: u32, group: u32, K: u32,     // K = (C / group) * kH * kW
  K4: u32, x_zp: i32, need_x_sum: u32, pad1: u32,   // need_x_sum: some w zero point is not 0
}
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> X: array<u32>;      // int8 bytes, NCHW, 4 per word
@group(0) @binding(2) var<storage, read> Wt: array<u32>;     // [M][K4] packed int8
@group(0) @binding(3) var<storage, read> w_zp: array<i32>;   // per output channel
@group(0) @binding(4) var<storage, read> bias: array<i32>;   // per output channel
@group(0) @binding(5) var<storage, read_write> Y: array<i32>;
// per k of a group (k = (c, kh, kw)): x offset c*H*W + kh*dH*W + kw*dW from the window origin, and
// (kh*dH) << 16 | kw*dW for the bounds test. Precomputed on the host: no integer division in the loop
// (llvmpipe has no vector integer division).
@group(0) @binding(6) var<storage, read> kinfo: array<vec2i>;
@group(0) @binding(7) var<storage, read> w_sum: array<i32>;  // per output channel: sum_k w (host, exact)

const ONES: u32 = 0x01010101u;
const TM: u32 = 8u;   // output channels per invocation
const TP: u32 = 4u;   // output pixels per invocation

fn x_byte(i: u32) -> u32 { return (X[i >> 2u] >> ((i & 3u) * 8u)) & 0xffu; }

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let Pn = P.OH * P.OW;
  let Mg = P.M / P.group;
  let Cg = P.C / P.group;
  let p0 = gid.x * TP;
  let mg0 = gid.y * TM;
  if (p0 >= Pn || mg0 >= Mg) { return; }
  let n = gid.z / P.group;
  let g = gid.z % P.group;
  let xz = u32(P.x_zp) & 0xffu;
  let H = i32(P.H); let W = i32(P.W);
  var ih0: array<i32, 4>; var iw0: array<i32, 4>; var org: array<i32, 4>;
  for (var t = 0u; t < TP; t++) {
    let p = min(p0 + t, Pn - 1u);
    ih0[t] = i32((p / P.OW) * P.sH) - i32(P.pT);
    iw0[t] = i32((p % P.OW) * P.sW) - i32(P.pL);
    org[t] = i32((n * P.C + g * Cg) * P.H * P.W) + ih0[t] * W + iw0[t];
  }
  var wrow: array<u32, 8>;
  for (var i = 0u; i < TM; i++) { wrow[i] = (g * Mg + min(mg0 + i, Mg - 1u)) * P.K4; }
  var acc: array<vec4i, 8>;
  for (var i = 0u; i < TM; i++) { acc[i] = vec4i(0); }
  var sx = vec4i(0);
  for (var k4 = 0u; k4 < P.K4; k4++) {
    var xp = vec4u(0u);
    for (var l = 0u; l < 4u; l++) {
      let k = k4 * 4u + l;
      if (k >= P.K) { break; }
      let ki = kinfo[k];
      let dh = ki.y >> 16u; let dw = ki.y & 0xffff;
      for (var t = 0u; t < TP; t++) {
        let ih = ih0[t] + dh; let iw = iw0[t] + dw;
        var b = xz;
        if (ih >= 0 && ih < H && iw >= 0 && iw < W) { b = x_byte(u32(org[t] + ki.x)); }
        xp[t] = xp[t] | (b << (8u * l));
      }
    }
    if (P.need_x_sum != 0u) { sx += vec4i(dot4_i8(xp.x, ONES), dot4_i8(xp.y, ONES), dot4_i8(xp.z, ONES), dot4_i8(xp.w, ONES)); }
    for (var i = 0u; i < TM; i++) {
      let w = Wt[wrow[i] + k4];
      acc[i] += vec4i(dot4_i8(w, xp.x), dot4_i8(w, xp.y), dot4_i8(w, xp.z), dot4_i8(w, xp.w));
    }
  }
  let Ki = i32(P.K);
  let zx = P.x_zp;
  for (var i = 0u; i < TM; i++) {
    let mg = mg0 + i;
    if (mg >= Mg) { break; }
    let m = g * Mg + mg;
    let zw = w_zp[m];
    let ybase = (n * P.M + m) * Pn;
    for (var t = 0u; t < TP; t++) {
      let p = p0 + t;
      if (p >= Pn) { break; }
      Y[ybase + p] = acc[i][t] - zx * w_sum[m] - zw * sx[t] + Ki * zx * zw + bias[m];
    }
  }
}
