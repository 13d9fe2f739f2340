// SPDX-License-Identifier: Apache-2.0
/**
 * ConvInteger / int8 conv2d on the GPU (wgsl/conv-integer.wgsl), NCHW, as an implicit GEMM: strides,
 * pads, dilations, groups (depthwise included), x zero point per tensor, w zero point per tensor or per
 * output channel, optional int32 bias per output channel (added with wrap-around). Geometry and its
 * validation come from the golden `conv2dShape`; results equal the golden `conv2dInt32`.
 */
import { DataType } from '../sim/data-type.ts';
import { type Conv2dParams, conv2dShape } from '../sim/golden/integer-ops.ts';
import { dot4Include, type Dot4Path, type KernelDesc } from './kernel-spec.ts';
import { checkDispatch, chooseDot4, kernelZeroPoints, operandDtype, type Int8Data } from './int8-operands.ts';
import { type KernelRunner, type PreparedDispatch, runPrepared } from './runner.ts';

export interface ConvOptions extends Conv2dParams {
  xDtype?: DataType;
  wDtype?: DataType;
  xZeroPoint?: number;
  wZeroPoint?: number | ArrayLike<number>;
  bias?: Int32Array;
  dot4?: Dot4Path;
}

export function convDesc(path: Dot4Path): KernelDesc {
  return { stem: 'conv-integer', bindings: ['uniform', 'read', 'read', 'read', 'read', 'read_write', 'read'], includes: dot4Include(path) };
}

export async function convInteger(runner: KernelRunner, x: Int8Data, xDims: readonly number[], w: Int8Data, wDims: readonly number[],
  opts: ConvOptions = {}): Promise<{ data: Int32Array; dims: number[] }> {
  const d = await prepareConv(runner, x, xDims, w, wDims, opts);
  try {
    return { data: await runPrepared(runner, d), dims: d.dims };
  } finally {
    d.destroy();
  }
}

export async function prepareConv(runner: KernelRunner, x: Int8Data, xDims: readonly number[], w: Int8Data, wDims: readonly number[],
  opts: ConvOptions = {}): Promise<PreparedDispatch> {
  const s = conv2dShape(xDims, wDims, opts, 'ConvInteger');
  const { N, C, H, W, M, kH, kW, OH, OW, group } = s;
  if (x.length !== N * C * H * W) throw new RangeError(`ConvInteger: x has ${x.length} elements, dims [${xDims.join(',')}] need ${N * C * H * W}`);
  const K = (C / group) * kH * kW;
  if (w.length !== M * K) throw new RangeError(`ConvInteger: w has ${w.length} elements, dims [${wDims.join(',')}] need ${M * K}`);
  const xDt = operandDtype(x, opts.xDtype, 'ConvInteger x');
  const wDt = operandDtype(w, opts.wDtype, 'ConvInteger w');
  const xz = kernelZeroPoints(opts.xZeroPoint, 1, xDt, 'ConvInteger x_zero_point')[0]!;
  const wz = kernelZeroPoints(opts.wZeroPoint, M, wDt, 'ConvInteger w_zero_point');
  const bias = opts.bias ?? new Int32Array(M);
  if (!(bias instanceof Int32Array) || bias.length !== M) throw new RangeError(`ConvInteger: bias must be an Int32Array of ${M} (one per output channel)`);
  const path = chooseDot4(runner.ctx, opts.dot4);
  const flipX = xDt === DataType.UINT8 ? 0x80 : 0, flipW = wDt === DataType.UINT8 ? 0x80 : 0;
  const Cg = C / group, C4g = Math.ceil(Cg / 4);
  // x as [n][g][h][w][c4] words: four channels of one pixel per u32, lanes past Cg are 0
  const Xw = new Uint32Array(N * group * H * W * C4g);
  for (let nn = 0; nn < N; nn++) for (let g = 0; g < group; g++) for (let c = 0; c < Cg; c++) {
    const src = ((nn * C) + g * Cg + c) * H * W;
    const dst0 = (nn * group + g) * H * W * C4g + (c >> 2), sh = (c & 3) * 8;
    for (let i = 0; i < H * W; i++) Xw[dst0 + i * C4g]! |= (((x[src + i]! & 0xff) ^ flipX) << sh) >>> 0;
  }
  // weights as [m][kh][kw][c4] words
  const KK4 = kH * kW * C4g;
  const Ww = new Uint32Array(M * KK4);
  const wSum = new Int32Array(M);
  for (let m = 0; m < M; m++) {
    let t = 0;
    for (let c = 0; c < Cg; c++) for (let kh = 0; kh < kH; kh++) for (let kw = 0; kw < kW; kw++) {
      const v = (w[((m * Cg + c) * kH + kh) * kW + kw]! & 0xff) ^ flipW;
      Ww[m * KK4 + (kh * kW + kw) * C4g + (c >> 2)]! |= (v << ((c & 3) * 8)) >>> 0;
      t += (v << 24) >> 24;
    }
    wSum[m] = t;
  }
  const zb = xz & 0xff;
  const padFull = (zb * 0x01010101) >>> 0;
  const lastLanes = Cg - (C4g - 1) * 4;
  let padLast = 0;
  for (let l = 0; l < lastLanes; l++) padLast = (padLast | (zb << (8 * l))) >>> 0;
  const Pn = OH * OW;
  const out = new Int32Array(N * M * Pn);
  // workgroups: 64 invocations x 4 pixels along x, 16 output channels along y (wgsl/conv-integer.wgsl)
  const gx = Math.ceil(Pn / (64 * 4)), gy = Math.ceil(M / group / 16);
  checkDispatch(gx, gy, N * group, 'ConvInteger');
  runner.checkSize(out.byteLength, 'ConvInteger output');
  runner.checkSize(Xw.byteLength, 'ConvInteger input');
  runner.checkSize(Ww.byteLength, 'ConvInteger weights');
  const pipeline = await runner.pipeline(convDesc(path));
  const u = runner.uniform([C, H, W, M, kH, kW, OH, OW, s.sH, s.sW, s.pT, s.pL, s.dH, s.dW, group, K, C4g, xz,
    wz.some((z) => z !== 0) ? 1 : 0, padFull, padLast, 0, 0, 0]);
  const bufs = [u, runner.upload(Xw, 'x'), runner.upload(Ww, 'w'), runner.upload(wz, 'w_zp'), runner.upload(bias, 'bias'), runner.output(out.byteLength, 'y'), runner.upload(wSum, 'w_sum')];
  return { pipeline, buffers: bufs, workgroups: [gx, gy, N * group], output: 5, outBytes: out.byteLength, dims: [N, M, OH, OW],
    destroy: () => { for (const b of bufs) b.destroy(); } };
}
