/** MatMul and Gemm. Float accumulation: see dot.ts ("f64-acc, k ascending"), one float32 rounding per output. */
import { DataType, dataTypeName } from '../../data-type.ts';
import type { Tensor } from '../../tensor.ts';
import { attrFloat, attrInt, need, registerOp } from '../registry.ts';
import { alloc, broadcastOffsets, broadcastShapes, fromNumbers, isFloatType, numel, readNumbers, scratchF64 } from '../tensor-util.ts';
import { dotRows, dotRowsInt32 } from './dot.ts';

/** `src` (an [R][C] matrix at `off`) transposed into `dst` ([C][R]), in 32x32 tiles to stay in cache. */
function transpose2d(src: ArrayLike<number>, off: number, R: number, C: number, dst: Float32Array | Float64Array | Int32Array): void {
  const T = 32;
  for (let r0 = 0; r0 < R; r0 += T) {
    const r1 = Math.min(R, r0 + T);
    for (let c0 = 0; c0 < C; c0 += T) {
      const c1 = Math.min(C, c0 + T);
      for (let r = r0; r < r1; r++) {
        const base = off + r * C;
        for (let c = c0; c < c1; c++) dst[c * R + r] = src[base + c];
      }
    }
  }
}

export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== b.dtype) throw new Error(`inputs have different dtypes ${dataTypeName(a.dtype)} and ${dataTypeName(b.dtype)}`);
  if (a.dims.length === 0 || b.dims.length === 0) throw new Error('MatMul inputs must have rank >= 1');
  const aDims = a.dims.length === 1 ? [1, a.dims[0]] : a.dims;
  const bDims = b.dims.length === 1 ? [b.dims[0], 1] : b.dims;
  const M = aDims[aDims.length - 2];
  const K = aDims[aDims.length - 1];
  const K2 = bDims[bDims.length - 2];
  const N = bDims[bDims.length - 1];
  if (K !== K2) throw new Error(`MatMul inner dims disagree: [${a.dims.join(',')}] x [${b.dims.join(',')}] (${K} vs ${K2})`);
  const aBatch = aDims.slice(0, -2);
  const bBatch = bDims.slice(0, -2);
  const batch = broadcastShapes([aBatch, bBatch]);
  const nb = numel(batch);
  const aOffs = broadcastOffsets(aBatch, batch);
  const bOffs = broadcastOffsets(bBatch, batch);
  const av = readNumbers(a);
  const bv = readNumbers(b);
  const isInt32 = a.dtype === DataType.INT32;
  const float = isFloatType(a.dtype);
  const out = isInt32 ? (alloc(DataType.INT32, nb * M * N) as Int32Array) : scratchF64(nb * M * N);
  // transpose each distinct B matrix once
  const bt = isInt32 ? new Int32Array(K * N) : float ? new Float32Array(K * N) : new Float64Array(K * N);
  let lastB = -1;
  for (let i = 0; i < nb; i++) {
    const bo = bOffs[i] * K * N;
    if (bo !== lastB) {
      transpose2d(bv, bo, K, N, bt);
      lastB = bo;
    }
    if (isInt32) dotRowsInt32(M, N, K, av, aOffs[i] * M * K, bt, 0, out as Int32Array, i * M * N);
    else dotRows(M, N, K, av, aOffs[i] * M * K, bt, 0, out as Float64Array, i * M * N);
  }
  let dims = [...batch, M, N];
  if (a.dims.length === 1) dims = [...batch, N];
  if (b.dims.length === 1) dims = a.dims.length === 1 ? [...batch] : [...batch, M];
  if (isInt32) return { dtype: a.dtype, dims, data: out };
  return fromNumbers(a.dtype, dims, out);
}

registerOp('MatMul', (ctx) => [matmul(need(ctx, 0), need(ctx, 1))]);

registerOp('Gemm', (ctx) => {
  const a = need(ctx, 0);
  const b = need(ctx, 1);
  const c = ctx.inputs[2];
  const node = ctx.node;
  if (a.dims.length !== 2 || b.dims.length !== 2) throw new Error(`Gemm needs 2-D A and B, got [${a.dims.join(',')}] and [${b.dims.join(',')}]`);
  if (a.dtype !== b.dtype) throw new Error(`inputs have different dtypes ${dataTypeName(a.dtype)} and ${dataTypeName(b.dtype)}`);
  const alpha = attrFloat(node, 'alpha', 1);
  const beta = attrFloat(node, 'beta', 1);
  const transA = attrInt(node, 'transA', 0) !== 0;
  const transB = attrInt(node, 'transB', 0) !== 0;
  const [M, K] = transA ? [a.dims[1], a.dims[0]] : [a.dims[0], a.dims[1]];
  const [K2, N] = transB ? [b.dims[1], b.dims[0]] : [b.dims[0], b.dims[1]];
  if (K !== K2) throw new Error(`Gemm inner dims disagree: A is [${a.dims.join(',')}]${transA ? 'ᵀ' : ''}, B is [${b.dims.join(',')}]${transB ? 'ᵀ' : ''} (${K} vs ${K2})`);
  const av = readNumbers(a);
  const bv = readNumbers(b);
  // float32 inputs stay in Float32Arrays (exact) so the dot kernel sees one array type
  const Scratch = a.dtype === DataType.FLOAT ? Float32Array : Float64Array;
  let A: ArrayLike<number> = av;
  if (transA) {
    const t = new Scratch(M * K);
    transpose2d(av, 0, K, M, t);
    A = t;
  }
  let BT: ArrayLike<number> = bv;
  if (!transB) {
    const t = new Scratch(K * N);
    transpose2d(bv, 0, K, N, t);
    BT = t;
  }
  const acc = scratchF64(M * N);
  dotRows(M, N, K, A, 0, BT, 0, acc);
  if (c) {
    broadcastShapes([c.dims, [M, N]]); // unidirectional: throws when C cannot broadcast to [M,N]
    if (c.dims.length > 2 || c.dims.some((d, i) => d !== 1 && d !== [M, N][i + 2 - c.dims.length])) {
      throw new Error(`Gemm C of dims [${c.dims.join(',')}] does not broadcast to [${M},${N}]`);
    }
    const cv = readNumbers(c);
    const offs = broadcastOffsets(c.dims, [M, N]);
    for (let i = 0; i < M * N; i++) acc[i] = alpha * acc[i] + beta * cv[offs[i]];
  } else if (alpha !== 1) {
    for (let i = 0; i < M * N; i++) acc[i] *= alpha;
  }
  return [fromNumbers(a.dtype, [M, N], acc)];
});

