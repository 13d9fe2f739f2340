// MatMulInteger / int8 GEMM: C[b][M][N] (i32, wrapping) = (A - a_zp) . (B - b_zp).
//
// Operands arrive as signed bytes packed 4 per u32 along K (A row-major [M][K4], B transposed [N][K4];
// uint8 data was mapped to int8 by flipping bit 7 on the host, its zero point lowered by 128, which
// leaves every difference x - zp unchanged). K is padded to a multiple of 4 with zero bytes.
// Zero points are folded in after the dot products:
//   sum_k (a_k - za)(b_k - zb) = sum a.b - zb * sum a - za * sum b + K * za * zb   (mod 2^32)
// Exact: the identity holds over the integers, i32 `+` and `*` wrap modulo 2^32 and reduction mod 2^32
// commutes with them, so the result is the exact sum reduced mod 2^32 whatever the evaluation order,
// which is the ONNX rule ("the accumulation may overflow if and only if in 32 bits"). Padded k lanes are 0
// in both operands and add nothing to any of the three sums; the K in the last term is the real K.
// Each invocation computes a 4x4 block of C.
#include <dot4>

struct Params { M: u32, N: u32, K: u32, K4: u32, a_batch_stride: u32, b_batch_stride: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> A: array<u32>;
@group(0) @binding(2) var<storage, read> B: array<u32>;
@group(0) @binding(3) var<storage, read> a_zp: array<i32>;   // per row (length M)
@group(0) @binding(4) var<storage, read> b_zp: array<i32>;   // per column (length N)
@group(0) @binding(5) var<storage, read_write> C: array<i32>;

const ONES: u32 = 0x01010101u;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r0 = gid.y * 4u;
  let c0 = gid.x * 4u;
  if (r0 >= P.M || c0 >= P.N) { return; }
  let batch = gid.z;
  let abase = batch * P.a_batch_stride;
  let bbase = batch * P.b_batch_stride;
  // rows / columns past the edge read the last valid one and are not stored
  var ra: array<u32, 4>; var cb: array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    ra[i] = abase + min(r0 + i, P.M - 1u) * P.K4;
    cb[i] = bbase + min(c0 + i, P.N - 1u) * P.K4;
  }
  var acc0 = vec4i(0); var acc1 = vec4i(0); var acc2 = vec4i(0); var acc3 = vec4i(0);
  var sa = vec4i(0); var sb = vec4i(0);
  for (var k = 0u; k < P.K4; k++) {
    let a0 = A[ra[0] + k]; let a1 = A[ra[1] + k]; let a2 = A[ra[2] + k]; let a3 = A[ra[3] + k];
    let b0 = B[cb[0] + k]; let b1 = B[cb[1] + k]; let b2 = B[cb[2] + k]; let b3 = B[cb[3] + k];
    acc0 += vec4i(dot4_i8(a0, b0), dot4_i8(a0, b1), dot4_i8(a0, b2), dot4_i8(a0, b3));
    acc1 += vec4i(dot4_i8(a1, b0), dot4_i8(a1, b1), dot4_i8(a1, b2), dot4_i8(a1, b3));
    acc2 += vec4i(dot4_i8(a2, b0), dot4_i8(a2, b1), dot4_i8(a2, b2), dot4_i8(a2, b3));
    acc3 += vec4i(dot4_i8(a3, b0), dot4_i8(a3, b1), dot4_i8(a3, b2), dot4_i8(a3, b3));
    sa += vec4i(dot4_i8(a0, ONES), dot4_i8(a1, ONES), dot4_i8(a2, ONES), dot4_i8(a3, ONES));
    sb += vec4i(dot4_i8(b0, ONES), dot4_i8(b1, ONES), dot4_i8(b2, ONES), dot4_i8(b3, ONES));
  }
  var accs = array<vec4i, 4>(acc0, acc1, acc2, acc3);
  let Ki = i32(P.K);
  let cbase = batch * P.M * P.N;
  for (var i = 0u; i < 4u; i++) {
    let r = r0 + i;
    if (r >= P.M) { break; }
    let za = a_zp[r];
    for (var j = 0u; j < 4u; j++) {
      let c = c0 + j;
      if (c >= P.N) { break; }
      let zb = b_zp[c];
      C[cbase + r * P.N + c] = accs[i][j] - zb * sa[i] - za * sb[j] + Ki * za * zb;
    }
  }
}
