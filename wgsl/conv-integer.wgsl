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
// Each invocation computes 16 output channels x 4 output pixels; a workgroup is 64 invocations along the
// pixels of one block of 16 channels, so every weight load has a workgroup-uniform address (one load and a
// broadcast on a CPU backend such as lavapipe, which otherwise loads each lane's word separately; a
// broadcast on a GPU) and each input word feeds 16 channels. Measured against 8 x 8 (bench/kernels.ts,
// ResNet-50 shapes on lavapipe): about 1.3x.
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
const TM: u32 = 16u;  // output channels per invocation
const TP: u32 = 4u;   // output pixels per invocation
const WG: u32 = 64u;  // invocations per workgroup, all on the same 16 channels

// The c4 loop is written out for the 16 x 4 block (named values stay in registers on llvmpipe; dynamically
// indexed private arrays would spill). Out-of-bounds pixels read word 0 (always valid) and select the
// padding word, so the inner loop has no branches.
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let Pn = P.OH * P.OW;
  let Mg = P.M / P.group;
  let p0 = (wid.x * WG + lid) * TP;
  let mg0 = wid.y * TM;   // from the workgroup id alone: uniform
  if (p0 >= Pn || mg0 >= Mg) { return; }
  let n = wid.z / P.group;
  let g = wid.z % P.group;
  let H = i32(P.H); let W = i32(P.W);
  let img = (n * P.group + g) * P.H;
  let q0 = min(p0 + 0u, Pn - 1u); let ih0 = i32((q0 / P.OW) * P.sH) - i32(P.pT); let iw0 = i32((q0 % P.OW) * P.sW) - i32(P.pL);
  let q1 = min(p0 + 1u, Pn - 1u); let ih1 = i32((q1 / P.OW) * P.sH) - i32(P.pT); let iw1 = i32((q1 % P.OW) * P.sW) - i32(P.pL);
  let q2 = min(p0 + 2u, Pn - 1u); let ih2 = i32((q2 / P.OW) * P.sH) - i32(P.pT); let iw2 = i32((q2 % P.OW) * P.sW) - i32(P.pL);
  let q3 = min(p0 + 3u, Pn - 1u); let ih3 = i32((q3 / P.OW) * P.sH) - i32(P.pT); let iw3 = i32((q3 % P.OW) * P.sW) - i32(P.pL);
  let KW4 = P.kW * P.C4g;
  let KK4 = P.kH * KW4;
  let wr0 = (g * Mg + min(mg0 + 0u, Mg - 1u)) * KK4;
  let wr1 = (g * Mg + min(mg0 + 1u, Mg - 1u)) * KK4;
  let wr2 = (g * Mg + min(mg0 + 2u, Mg - 1u)) * KK4;
  let wr3 = (g * Mg + min(mg0 + 3u, Mg - 1u)) * KK4;
  let wr4 = (g * Mg + min(mg0 + 4u, Mg - 1u)) * KK4;
  let wr5 = (g * Mg + min(mg0 + 5u, Mg - 1u)) * KK4;
  let wr6 = (g * Mg + min(mg0 + 6u, Mg - 1u)) * KK4;
  let wr7 = (g * Mg + min(mg0 + 7u, Mg - 1u)) * KK4;
  let wr8 = (g * Mg + min(mg0 + 8u, Mg - 1u)) * KK4;
  let wr9 = (g * Mg + min(mg0 + 9u, Mg - 1u)) * KK4;
  let wr10 = (g * Mg + min(mg0 + 10u, Mg - 1u)) * KK4;
  let wr11 = (g * Mg + min(mg0 + 11u, Mg - 1u)) * KK4;
  let wr12 = (g * Mg + min(mg0 + 12u, Mg - 1u)) * KK4;
  let wr13 = (g * Mg + min(mg0 + 13u, Mg - 1u)) * KK4;
  let wr14 = (g * Mg + min(mg0 + 14u, Mg - 1u)) * KK4;
  let wr15 = (g * Mg + min(mg0 + 15u, Mg - 1u)) * KK4;
  var a0 = vec4i(0); var a1 = vec4i(0); var a2 = vec4i(0); var a3 = vec4i(0);
  var a4 = vec4i(0); var a5 = vec4i(0); var a6 = vec4i(0); var a7 = vec4i(0);
  var a8 = vec4i(0); var a9 = vec4i(0); var a10 = vec4i(0); var a11 = vec4i(0);
  var a12 = vec4i(0); var a13 = vec4i(0); var a14 = vec4i(0); var a15 = vec4i(0);
  var sx = vec4i(0);
  for (var kh = 0u; kh < P.kH; kh++) {
    for (var kw = 0u; kw < P.kW; kw++) {
      let dh = i32(kh * P.dH); let dw = i32(kw * P.dW);
      let y0 = ih0 + dh; let z0 = iw0 + dw; let in0 = y0 >= 0 && y0 < H && z0 >= 0 && z0 < W;
      let b0 = select(0u, ((img + u32(y0)) * P.W + u32(z0)) * P.C4g, in0);
      let y1 = ih1 + dh; let z1 = iw1 + dw; let in1 = y1 >= 0 && y1 < H && z1 >= 0 && z1 < W;
      let b1 = select(0u, ((img + u32(y1)) * P.W + u32(z1)) * P.C4g, in1);
      let y2 = ih2 + dh; let z2 = iw2 + dw; let in2 = y2 >= 0 && y2 < H && z2 >= 0 && z2 < W;
      let b2 = select(0u, ((img + u32(y2)) * P.W + u32(z2)) * P.C4g, in2);
      let y3 = ih3 + dh; let z3 = iw3 + dw; let in3 = y3 >= 0 && y3 < H && z3 >= 0 && z3 < W;
      let b3 = select(0u, ((img + u32(y3)) * P.W + u32(z3)) * P.C4g, in3);
      let wk = kh * KW4 + kw * P.C4g;
      for (var c4 = 0u; c4 < P.C4g; c4++) {
        let pad = select(P.pad_full, P.pad_last, c4 + 1u == P.C4g);
        let u0 = select(pad, X[b0 + c4], in0);
        let u1 = select(pad, X[b1 + c4], in1);
        let u2 = select(pad, X[b2 + c4], in2);
        let u3 = select(pad, X[b3 + c4], in3);
        if (P.need_x_sum != 0u) {
          sx += vec4i(dot4_i8(u0, ONES), dot4_i8(u1, ONES), dot4_i8(u2, ONES), dot4_i8(u3, ONES));
        }
        let x0 = lanes(u0); let x1 = lanes(u1); let x2 = lanes(u2); let x3 = lanes(u3);
        let w0 = lanes(Wt[wr0 + wk + c4]);
        a0 += vec4i(dot_lanes(w0, x0), dot_lanes(w0, x1), dot_lanes(w0, x2), dot_lanes(w0, x3));
        let w1 = lanes(Wt[wr1 + wk + c4]);
        a1 += vec4i(dot_lanes(w1, x0), dot_lanes(w1, x1), dot_lanes(w1, x2), dot_lanes(w1, x3));
        let w2 = lanes(Wt[wr2 + wk + c4]);
        a2 += vec4i(dot_lanes(w2, x0), dot_lanes(w2, x1), dot_lanes(w2, x2), dot_lanes(w2, x3));
        let w3 = lanes(Wt[wr3 + wk + c4]);
        a3 += vec4i(dot_lanes(w3, x0), dot_lanes(w3, x1), dot_lanes(w3, x2), dot_lanes(w3, x3));
        let w4 = lanes(Wt[wr4 + wk + c4]);
        a4 += vec4i(dot_lanes(w4, x0), dot_lanes(w4, x1), dot_lanes(w4, x2), dot_lanes(w4, x3));
        let w5 = lanes(Wt[wr5 + wk + c4]);
        a5 += vec4i(dot_lanes(w5, x0), dot_lanes(w5, x1), dot_lanes(w5, x2), dot_lanes(w5, x3));
        let w6 = lanes(Wt[wr6 + wk + c4]);
        a6 += vec4i(dot_lanes(w6, x0), dot_lanes(w6, x1), dot_lanes(w6, x2), dot_lanes(w6, x3));
        let w7 = lanes(Wt[wr7 + wk + c4]);
        a7 += vec4i(dot_lanes(w7, x0), dot_lanes(w7, x1), dot_lanes(w7, x2), dot_lanes(w7, x3));
        let w8 = lanes(Wt[wr8 + wk + c4]);
        a8 += vec4i(dot_lanes(w8, x0), dot_lanes(w8, x1), dot_lanes(w8, x2), dot_lanes(w8, x3));
        let w9 = lanes(Wt[wr9 + wk + c4]);
        a9 += vec4i(dot_lanes(w9, x0), dot_lanes(w9, x1), dot_lanes(w9, x2), dot_lanes(w9, x3));
        let w10 = lanes(Wt[wr10 + wk + c4]);
        a10 += vec4i(dot_lanes(w10, x0), dot_lanes(w10, x1), dot_lanes(w10, x2), dot_lanes(w10, x3));
        let w11 = lanes(Wt[wr11 + wk + c4]);
        a11 += vec4i(dot_lanes(w11, x0), dot_lanes(w11, x1), dot_lanes(w11, x2), dot_lanes(w11, x3));
        let w12 = lanes(Wt[wr12 + wk + c4]);
        a12 += vec4i(dot_lanes(w12, x0), dot_lanes(w12, x1), dot_lanes(w12, x2), dot_lanes(w12, x3));
        let w13 = lanes(Wt[wr13 + wk + c4]);
        a13 += vec4i(dot_lanes(w13, x0), dot_lanes(w13, x1), dot_lanes(w13, x2), dot_lanes(w13, x3));
        let w14 = lanes(Wt[wr14 + wk + c4]);
        a14 += vec4i(dot_lanes(w14, x0), dot_lanes(w14, x1), dot_lanes(w14, x2), dot_lanes(w14, x3));
        let w15 = lanes(Wt[wr15 + wk + c4]);
        a15 += vec4i(dot_lanes(w15, x0), dot_lanes(w15, x1), dot_lanes(w15, x2), dot_lanes(w15, x3));
      }
    }
  }
  var acc = array<vec4i, 16>(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15);
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
