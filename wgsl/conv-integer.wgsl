// ConvInteger / int8 conv2d (NCHW semantics) as an implicit GEMM: per image n and group g,
//   Y[m][p] = sum_k (X[k][p] - xz)(W[m][k] - wz[m]) + bias[m]     (i32, wrapping)
// with k = (kh, kw, c) over the kernel window and the group's input channels, p = (oh, ow). The im2col
// matrix is never materialised. The host only re-lays the input out as [n][g][h][w][c4] words, four
// channels of one pixel per u32 (a transform of the input, not of the K x P matrix), and the weights
// as [m][kh][kw][c4]; a k4 word of the GEMM is then one load per output pixel. Spatial padding reads a
// word of xz lanes (x - xz = 0 there); channel lanes past C/group are 0 in both operands and add
// nothing to any sum. Zero points are folded in as in matmul-integer.wgsl, exact modulo 2^32 for the
// same reason (the weight sums come from the host; the window sums of x are formed only when some
// weight zero point is not 0).
// uint8 data is mapped to int8 on the host (bit 7 flipped, zero points lowered by 128).
// Each invocation computes 8 output channels x 4 output pixels.
#include <dot4>

struct Params {
  C: u32, H: u32, W: u32, M: u32,
  kH: u32, kW: u32, OH: u32, OW: u32,
  sH: u32, sW: u32, pT: u32, pL: u32,
  dH: u32, dW: u32, group: u32, K: u32,     // K = (C / group) * kH * kW (the real K)
  C4g: u32, x_zp: i32, need_x_sum: u32,     // C4g = ceil((C / group) / 4) words per pixel
  pad_full: u32, pad_last: u32,             // spatial-padding words (the last one has 0 lanes past C/group)
  r0: u32, r1: u32, r2: u32,
}
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> X: array<u32>;      // [N][group][H][W][C4g] int8x4
@group(0) @binding(2) var<storage, read> Wt: array<u32>;     // [M][kH][kW][C4g] int8x4
@group(0) @binding(3) var<storage, read> w_zp: array<i32>;   // per output channel
@group(0) @binding(4) var<storage, read> bias: array<i32>;   // per output channel
@group(0) @binding(5) var<storage, read_write> Y: array<i32>;
@group(0) @binding(6) var<storage, read> w_sum: array<i32>;  // per output channel: sum_k w (host, exact)

const ONES: u32 = 0x01010101u;
const TM: u32 = 8u;   // output channels per invocation
const TP: u32 = 4u;   // output pixels per invocation

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let Pn = P.OH * P.OW;
  let Mg = P.M / P.group;
  let p0 = gid.x * TP;
  let mg0 = gid.y * TM;
  if (p0 >= Pn || mg0 >= Mg) { return; }
  let n = gid.z / P.group;
  let g = gid.z % P.group;
  let H = i32(P.H); let W = i32(P.W);
  let img = (n * P.group + g) * P.H;
  var ih0: array<i32, 4>; var iw0: array<i32, 4>;
  for (var t = 0u; t < TP; t++) {
    let p = min(p0 + t, Pn - 1u);
    ih0[t] = i32((p / P.OW) * P.sH) - i32(P.pT);
    iw0[t] = i32((p % P.OW) * P.sW) - i32(P.pL);
  }
  let KW4 = P.kW * P.C4g;
  let KK4 = P.kH * KW4;
  var wrow: array<u32, 8>;
  for (var i = 0u; i < TM; i++) { wrow[i] = (g * Mg + min(mg0 + i, Mg - 1u)) * KK4; }
  var acc: array<vec4i, 8>;
  for (var i = 0u; i < TM; i++) { acc[i] = vec4i(0); }
  var sx = vec4i(0);
  for (var kh = 0u; kh < P.kH; kh++) {
    for (var kw = 0u; kw < P.kW; kw++) {
      var base: array<u32, 4>; var inb: array<bool, 4>;
      for (var t = 0u; t < TP; t++) {
        let ih = ih0[t] + i32(kh * P.dH); let iw = iw0[t] + i32(kw * P.dW);
        inb[t] = ih >= 0 && ih < H && iw >= 0 && iw < W;
        base[t] = select(0u, ((img + u32(ih)) * P.W + u32(iw)) * P.C4g, inb[t]);
      }
      let wk = kh * KW4 + kw * P.C4g;
      for (var c4 = 0u; c4 < P.C4g; c4++) {
        let pad = select(P.pad_full, P.pad_last, c4 + 1u == P.C4g);
        var xw = vec4u(pad);
        if (inb[0]) { xw.x = X[base[0] + c4]; }
        if (inb[1]) { xw.y = X[base[1] + c4]; }
        if (inb[2]) { xw.z = X[base[2] + c4]; }
        if (inb[3]) { xw.w = X[base[3] + c4]; }
        if (P.need_x_sum != 0u) { sx += vec4i(dot4_i8(xw.x, ONES), dot4_i8(xw.y, ONES), dot4_i8(xw.z, ONES), dot4_i8(xw.w, ONES)); }
        let x0 = lanes(xw.x); let x1 = lanes(xw.y); let x2 = lanes(xw.z); let x3 = lanes(xw.w);
        for (var i = 0u; i < TM; i++) {
          let w = lanes(Wt[wrow[i] + wk + c4]);
          acc[i] += vec4i(dot_lanes(w, x0), dot_lanes(w, x1), dot_lanes(w, x2), dot_lanes(w, x3));
        }
      }
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
