// SPDX-License-Identifier: Apache-2.0
/**
 * MatMulInteger on the GPU (wgsl/matmul-integer.wgsl): C = (A - aZp) . (B - bZp) in int32 with
 * wrap-around, the golden `matmulInt32`. A is [..., M, K], B is [K, N] or [..., K, N] with the same
 * batch dims; aZp is per tensor or per row (length M), bZp per tensor or per column (length N).
 */
import { DataType } from '../sim/data-type.ts';
import { dot4Include, type Dot4Path, type KernelDesc } from './kernel-spec.ts';
import { checkDispatch, chooseDot4, kernelZeroPoints, operandDtype, packRows, type Int8Data } from './int8-operands.ts';
import { type KernelRunner, type PreparedDispatch, runPrepared } from './runner.ts';

export interface MatmulOptions {
  aDtype?: DataType;
  bDtype?: DataType;
  aZeroPoint?: number | ArrayLike<number>;
  bZeroPoint?: number | ArrayLike<number>;
  dot4?: Dot4Path;
}

export function matmulDesc(path: Dot4Path): KernelDesc {
  return { stem: 'matmul-integer', bindings: ['uniform', 'read', 'read', 'read', 'read', 'read_write', 'read', 'read'], includes: dot4Include(path) };
}

export async function matmulInteger(runner: KernelRunner, a: Int8Data, aDims: readonly number[], b: Int8Data, bDims: readonly number[],
  opts: MatmulOptions = {}): Promise<{ data: Int32Array; dims: number[] }> {
  const d = await prepareMatmul(runner, a, aDims, b, bDims, opts);
  try {
    return { data: await runPrepared(runner, d), dims: d.dims };
  } finally {
    d.destroy();
  }
}

export async function prepareMatmul(runner: KernelRunner, a: Int8Data, aDims: readonly number[], b: Int8Data, bDims: readonly number[],
  opts: MatmulOptions = {}): Promise<PreparedDispatch> {
  if (aDims.length < 2 || bDims.length < 2) throw new RangeError(`MatMulInteger: A [${aDims.join(',')}] and B [${bDims.join(',')}] need rank >= 2`);
  const M = aDims[aDims.length - 2]!, K = aDims[aDims.length - 1]!;
  const Kb = bDims[bDims.length - 2]!, N = bDims[bDims.length - 1]!;
  if (K !== Kb) throw new RangeError(`MatMulInteger: A [${aDims.join(',')}] and B [${bDims.join(',')}] disagree on K (${K} vs ${Kb})`);
  const batchDims = aDims.slice(0, -2);
  const batch = batchDims.reduce((x, y) => x * y, 1);
  const bBatched = bDims.length > 2;
  if (bBatched && (bDims.length !== aDims.length || bDims.slice(0, -2).some((d, i) => d !== batchDims[i]))) {
    throw new RangeError(`MatMulInteger: batch dims of A [${aDims.join(',')}] and B [${bDims.join(',')}] differ (broadcasting other than a 2-D B is not supported)`);
  }
  if (a.length !== batch * M * K) throw new RangeError(`MatMulInteger: A has ${a.length} elements, dims [${aDims.join(',')}] need ${batch * M * K}`);
  if (b.length !== (bBatched ? batch : 1) * K * N) throw new RangeError(`MatMulInteger: B has ${b.length} elements, dims [${bDims.join(',')}] need ${(bBatched ? batch : 1) * K * N}`);
  const aDt = operandDtype(a, opts.aDtype, 'MatMulInteger A');
  const bDt = operandDtype(b, opts.bDtype, 'MatMulInteger B');
  const az = kernelZeroPoints(opts.aZeroPoint, M, aDt, 'MatMulInteger a_zero_point');
  const bz = kernelZeroPoints(opts.bZeroPoint, N, bDt, 'MatMulInteger b_zero_point');
  const path = chooseDot4(runner.ctx, opts.dot4);
  const K4 = Math.ceil(K / 4);
  const flipA = aDt === DataType.UINT8 ? 0x80 : 0, flipB = bDt === DataType.UINT8 ? 0x80 : 0;
  const A = packRows(batch * M, K, (r, k) => (a[r * K + k]! & 0xff) ^ flipA);
  const bRows = (bBatched ? batch : 1) * N;
  const B = packRows(bRows, K, (r, k) => { const bb = Math.floor(r / N), n = r % N; return (b[(bb * K + k) * N + n]! & 0xff) ^ flipB; });
  const out = new Int32Array(batch * M * N);
  const gx = Math.ceil(N / 64), gy = Math.ceil(M / 64);
  checkDispatch(gx, gy, batch, 'MatMulInteger');
  runner.checkSize(out.byteLength, 'MatMulInteger output');
  const pipeline = await runner.pipeline(matmulDesc(path));
  // row sums of A and column sums of B (as the kernel sees them: uint8 already mapped to int8), exact in i32
  const aSum = new Int32Array(batch * M), bSum = new Int32Array(bRows);
  for (let r = 0; r < batch * M; r++) { let t = 0; for (let k = 0; k < K; k++) t += ((a[r * K + k]! & 0xff) ^ flipA) << 24 >> 24; aSum[r] = t; }
  for (let r = 0; r < bRows; r++) {
    const bb = Math.floor(r / N), nn = r % N;
    let t = 0;
    for (let k = 0; k < K; k++) t += ((b[(bb * K + k) * N + nn]! & 0xff) ^ flipB) << 24 >> 24;
    bSum[r] = t;
  }
  const bufs = [runner.uniform([M, N, K, K4, M * K4, bBatched ? N * K4 : 0, bBatched ? N : 0, 0]), runner.upload(A, 'A'), runner.upload(B, 'B'),
    runner.upload(az, 'a_zp'), runner.upload(bz, 'b_zp'), runner.output(out.byteLength, 'C'), runner.upload(aSum, 'a_sum'), runner.upload(bSum, 'b_sum')];
  return { pipeline, buffers: bufs, workgroups: [Math.max(1, gx), Math.max(1, gy), Math.max(1, batch)], output: 5, outBytes: out.byteLength,
    dims: [...batchDims, M, N], destroy: () => { for (const x of bufs) x.destroy(); } };
}
