/**
 * The float dot-product kernel behind Conv, ConvTranspose-free paths, Gemm and MatMul.
 *
 * Accumulation order ("f64-acc, k ascending"): out[m][n] starts at its initial value (the bias, or 0),
 * then adds A[m][k]·B[k][n] for k = 0, 1, ..., K-1 in double precision; the caller rounds the double
 * sum to float32 once. Each product of two float32 values is exact in double (24+24 < 53 bits), so the
 * only rounding before the final one is the double additions: |error| ≤ (K·2⁻⁵³)·Σ|a·b|, far below a
 * float32 half-ULP of the result unless the sum cancels heavily. The result is therefore (nearly) the
 * correctly rounded float32 of the exact dot product, independent of any blocking order — a reference
 * that every float32 implementation (ORT's MLAS, cuDNN, TensorRT) approximates, rather than one more
 * particular float32 summation order.
 */

/**
 * out[m·N + n] += Σ_k A[aOff + m·K + k] · BT[bOff + n·K + k] (double accumulation, k ascending).
 * `out` holds the initial values on entry. BT is B transposed: row n of BT is column n of B.
 */
export function dotRows(
  M: number, N: number, K: number,
  A: ArrayLike<number>, aOff: number,
  BT: ArrayLike<number>, bOff: number,
  out: Float64Array, outOff = 0,
): void {
  // Register blocking: 2 rows of A x 4 rows of BT per pass (8 accumulators, 6 loads per k).
  // Blocking changes which outputs are computed together, never the order of one output's sum.
  const N4 = N - (N % 4);
  const M2 = M - (M % 2);
  let m = 0;
  for (; m < M2; m += 2) {
    const a0 = aOff + m * K;
    const a1 = a0 + K;
    const o0 = outOff + m * N;
    const o1 = o0 + N;
    let n = 0;
    for (; n < N4; n += 4) {
      const b0 = bOff + n * K;
      const b1 = b0 + K;
      const b2 = b1 + K;
      const b3 = b2 + K;
      let s00 = out[o0 + n], s01 = out[o0 + n + 1], s02 = out[o0 + n + 2], s03 = out[o0 + n + 3];
      let s10 = out[o1 + n], s11 = out[o1 + n + 1], s12 = out[o1 + n + 2], s13 = out[o1 + n + 3];
      for (let k = 0; k < K; k++) {
        const x0 = A[a0 + k];
        const x1 = A[a1 + k];
        const y0 = BT[b0 + k];
        const y1 = BT[b1 + k];
        const y2 = BT[b2 + k];
        const y3 = BT[b3 + k];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      out[o0 + n] = s00; out[o0 + n + 1] = s01; out[o0 + n + 2] = s02; out[o0 + n + 3] = s03;
      out[o1 + n] = s10; out[o1 + n + 1] = s11; out[o1 + n + 2] = s12; out[o1 + n + 3] = s13;
    }
    for (; n < N; n++) {
      const b0 = bOff + n * K;
      let s0 = out[o0 + n];
      let s1 = out[o1 + n];
      for (let k = 0; k < K; k++) {
        const y = BT[b0 + k];
        s0 += A[a0 + k] * y;
        s1 += A[a1 + k] * y;
      }
      out[o0 + n] = s0;
      out[o1 + n] = s1;
    }
  }
  for (; m < M; m++) {
    // the last odd row (and depthwise convolutions, where M = 1): 1 x 4 blocking
    const a0 = aOff + m * K;
    const o = outOff + m * N;
    let n = 0;
    for (; n < N4; n += 4) {
      const b0 = bOff + n * K;
      const b1 = b0 + K;
      const b2 = b1 + K;
      const b3 = b2 + K;
      let s0 = out[o + n], s1 = out[o + n + 1], s2 = out[o + n + 2], s3 = out[o + n + 3];
      for (let k = 0; k < K; k++) {
        const x = A[a0 + k];
        s0 += x * BT[b0 + k]; s1 += x * BT[b1 + k]; s2 += x * BT[b2 + k]; s3 += x * BT[b3 + k];
      }
      out[o + n] = s0; out[o + n + 1] = s1; out[o + n + 2] = s2; out[o + n + 3] = s3;
    }
    for (; n < N; n++) {
      const b0 = bOff + n * K;
      let s = out[o + n];
      for (let k = 0; k < K; k++) s += A[a0 + k] * BT[b0 + k];
      out[o + n] = s;
    }
  }
}

/** The same contraction for int32 tensors with C++ int32 wraparound (ONNX integer MatMul on int32). */
export function dotRowsInt32(
  M: number, N: number, K: number,
  A: ArrayLike<number>, aOff: number,
  BT: ArrayLike<number>, bOff: number,
  out: Int32Array, outOff = 0,
): void {
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = out[outOff + m * N + n] | 0;
      const a0 = aOff + m * K;
      const b0 = bOff + n * K;
      for (let k = 0; k < K; k++) s = (s + Math.imul(A[a0 + k], BT[b0 + k])) | 0;
      out[outOff + m * N + n] = s;
    }
  }
}
