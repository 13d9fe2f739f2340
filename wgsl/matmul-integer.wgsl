// MatMulInteger / int8 GEMM: C[b][M][N] (i32, wrapping) = (A - a_zp) . (B - b_zp).
//
// Operands arrive as signed bytes packed 4 per u32 along K (A row-major [M][K4], B transposed [N][K4];
// uint8 data was mapped to int8 by flipping bit 7 on the host, its zero point lowered by 128, which
// leaves every difference x - zp unchanged). K is padded to a multiple of 4 with zero bytes.
// Zero points are folded in after the dot products, with the row / column sums computed on the host:
//   sum_k (a_k - za)(b_k - zb) = sum a.b - zb * sum a - za * sum b + K * za * zb   (mod 2^32)
// Exact: the identity holds over the integers, i32 `+` and `*` wrap modulo 2^32 and reduction mod 2^32
// commutes with them, so the result is the exact sum reduced mod 2^32 whatever the evaluation order,
// which is the ONNX rule ("the accumulation may overflow if and only if in 32 bits"). Padded k lanes are 0
// in both operands and add nothing to any of the three sums; the K in the last term is the real K.
// Each invocation computes an 8x8 block of C.
#include <dot4>

struct Params { M: u32, N: u32, K: u32, K4: u32, a_batch_stride: u32, b_batch_stride: u32, b_sum_batch: u32, pad1: u32 }
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> A: array<u32>;
@group(0) @binding(2) var<storage, read> B: array<u32>;
@group(0) @binding(3) var<storage, read> a_zp: array<i32>;   // per row (length M)
@group(0) @binding(4) var<storage, read> b_zp: array<i32>;   // per column (length N)
@group(0) @binding(5) var<storage, read_write> C: array<i32>;
@group(0) @binding(6) var<storage, read> a_sum: array<i32>;  // per row: sum_k a (host-computed, exact)
@group(0) @binding(7) var<storage, read> b_sum: array<i32>;  // per column: sum_k b


const TM: u32 = 8u;   // rows of C per invocation
const TN: u32 = 8u;   // columns of C per invocation (64 accumulators in registers, perf-baseline.md §6)

// The k loop is written out for the 8x8 block (no private arrays indexed in the loop: llvmpipe keeps
// named values in registers but spills dynamically indexed arrays).
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r0 = gid.y * TM;
  let c0 = gid.x * TN;
  if (r0 >= P.M || c0 >= P.N) { return; }
  let batch = gid.z;
  let abase = batch * P.a_batch_stride;
  let bbase = batch * P.b_batch_stride;
  // rows / columns past the edge read the last valid one and are not stored
  let ra0 = abase + min(r0 + 0u, P.M - 1u) * P.K4;
  let ra1 = abase + min(r0 + 1u, P.M - 1u) * P.K4;
  let ra2 = abase + min(r0 + 2u, P.M - 1u) * P.K4;
  let ra3 = abase + min(r0 + 3u, P.M - 1u) * P.K4;
  let ra4 = abase + min(r0 + 4u, P.M - 1u) * P.K4;
  let ra5 = abase + min(r0 + 5u, P.M - 1u) * P.K4;
  let ra6 = abase + min(r0 + 6u, P.M - 1u) * P.K4;
  let ra7 = abase + min(r0 + 7u, P.M - 1u) * P.K4;
  let cb0 = bbase + min(c0 + 0u, P.N - 1u) * P.K4;
  let cb1 = bbase + min(c0 + 1u, P.N - 1u) * P.K4;
  let cb2 = bbase + min(c0 + 2u, P.N - 1u) * P.K4;
  let cb3 = bbase + min(c0 + 3u, P.N - 1u) * P.K4;
  let cb4 = bbase + min(c0 + 4u, P.N - 1u) * P.K4;
  let cb5 = bbase + min(c0 + 5u, P.N - 1u) * P.K4;
  let cb6 = bbase + min(c0 + 6u, P.N - 1u) * P.K4;
  let cb7 = bbase + min(c0 + 7u, P.N - 1u) * P.K4;
  var acc0l = vec4i(0); var acc0h = vec4i(0);
  var acc1l = vec4i(0); var acc1h = vec4i(0);
  var acc2l = vec4i(0); var acc2h = vec4i(0);
  var acc3l = vec4i(0); var acc3h = vec4i(0);
  var acc4l = vec4i(0); var acc4h = vec4i(0);
  var acc5l = vec4i(0); var acc5h = vec4i(0);
  var acc6l = vec4i(0); var acc6h = vec4i(0);
  var acc7l = vec4i(0); var acc7h = vec4i(0);
  for (var k = 0u; k < P.K4; k++) {
    let b0 = lanes(B[cb0 + k]);
    let b1 = lanes(B[cb1 + k]);
    let b2 = lanes(B[cb2 + k]);
    let b3 = lanes(B[cb3 + k]);
    let b4 = lanes(B[cb4 + k]);
    let b5 = lanes(B[cb5 + k]);
    let b6 = lanes(B[cb6 + k]);
    let b7 = lanes(B[cb7 + k]);
    let a0 = lanes(A[ra0 + k]);
    let a1 = lanes(A[ra1 + k]);
    let a2 = lanes(A[ra2 + k]);
    let a3 = lanes(A[ra3 + k]);
    let a4 = lanes(A[ra4 + k]);
    let a5 = lanes(A[ra5 + k]);
    let a6 = lanes(A[ra6 + k]);
    let a7 = lanes(A[ra7 + k]);
    acc0l += vec4i(dot_lanes(a0, b0), dot_lanes(a0, b1), dot_lanes(a0, b2), dot_lanes(a0, b3));
    acc0h += vec4i(dot_lanes(a0, b4), dot_lanes(a0, b5), dot_lanes(a0, b6), dot_lanes(a0, b7));
    acc1l += vec4i(dot_lanes(a1, b0), dot_lanes(a1, b1), dot_lanes(a1, b2), dot_lanes(a1, b3));
    acc1h += vec4i(dot_lanes(a1, b4), dot_lanes(a1, b5), dot_lanes(a1, b6), dot_lanes(a1, b7));
    acc2l += vec4i(dot_lanes(a2, b0), dot_lanes(a2, b1), dot_lanes(a2, b2), dot_lanes(a2, b3));
    acc2h += vec4i(dot_lanes(a2, b4), dot_lanes(a2, b5), dot_lanes(a2, b6), dot_lanes(a2, b7));
    acc3l += vec4i(dot_lanes(a3, b0), dot_lanes(a3, b1), dot_lanes(a3, b2), dot_lanes(a3, b3));
    acc3h += vec4i(dot_lanes(a3, b4), dot_lanes(a3, b5), dot_lanes(a3, b6), dot_lanes(a3, b7));
    acc4l += vec4i(dot_lanes(a4, b0), dot_lanes(a4, b1), dot_lanes(a4, b2), dot_lanes(a4, b3));
    acc4h += vec4i(dot_lanes(a4, b4), dot_lanes(a4, b5), dot_lanes(a4, b6), dot_lanes(a4, b7));
    acc5l += vec4i(dot_lanes(a5, b0), dot_lanes(a5, b1), dot_lanes(a5, b2), dot_lanes(a5, b3));
    acc5h += vec4i(dot_lanes(a5, b4), dot_lanes(a5, b5), dot_lanes(a5, b6), dot_lanes(a5, b7));
    acc6l += vec4i(dot_lanes(a6, b0), dot_lanes(a6, b1), dot_lanes(a6, b2), dot_lanes(a6, b3));
    acc6h += vec4i(dot_lanes(a6, b4), dot_lanes(a6, b5), dot_lanes(a6, b6), dot_lanes(a6, b7));
    acc7l += vec4i(dot_lanes(a7, b0), dot_lanes(a7, b1), dot_lanes(a7, b2), dot_lanes(a7, b3));
    acc7h += vec4i(dot_lanes(a7, b4), dot_lanes(a7, b5), dot_lanes(a7, b6), dot_lanes(a7, b7));
  }
  var acc = array<vec4i, 16>(acc0l, acc0h, acc1l, acc1h, acc2l, acc2h, acc3l, acc3h, acc4l, acc4h, acc5l, acc5h, acc6l, acc6h, acc7l, acc7h);
  let Ki = i32(P.K);
  let cbase = batch * P.M * P.N;
  for (var i = 0u; i < TM; i++) {
    let r = r0 + i;
    if (r >= P.M) { break; }
    let za = a_zp[r];
    let sai = a_sum[batch * P.M + r];
    for (var j = 0u; j < TN; j++) {
      let c = c0 + j;
      if (c >= P.N) { break; }
      let zb = b_zp[c];
      C[cbase + r * P.N + c] = acc[2u * i + j / 4u][j % 4u] - zb * sai - za * b_sum[batch * P.b_sum_batch + c] + Ki * za * zb;
    }
  }
}
