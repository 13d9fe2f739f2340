/**
 * Conv and ConvTranspose over 1-D and 2-D spatial inputs (NCHW / NCW), any group count.
 * Conv lowers each (image, group) to im2col + the dot kernel of dot.ts: out[m][p] = bias[m] +
 * Σ_k W[m][k]·cols[p][k] with k = (c, kh, kw) ascending, accumulated in double, rounded to float32 once.
 */
import { DataType, dataTypeName } from '../../data-type.ts';
import type { Node } from '../../ir/graph.ts';
import type { Tensor } from '../../tensor.ts';
import { convTransposeGeometry, windowAttrs, windowGeometry } from '../../shape/geometry.ts';
import { attrInt, need, registerOp } from '../registry.ts';
import { fromNumbers, isFloatType, readNumbers, scratchF32, scratchF64 } from '../tensor-util.ts';
import { dotRows } from './dot.ts';

interface Conv2dShape {
  N: number; C: number; H: number; W: number;
  M: number; KH: number; KW: number;
  OH: number; OW: number;
  sh: number; sw: number; dh: number; dw: number; ph: number; pw: number;
  group: number;
}

/** Views a 1-D or 2-D conv as 2-D (a 1-D axis becomes W with H = 1). */
function as2d(dims: readonly number[], what: string): number[] {
  if (dims.length === 3) return [dims[0], dims[1], 1, dims[2]];
  if (dims.length === 4) return [...dims];
  throw new Error(`${what} of rank ${dims.length} is not supported (the interpreter handles 1-D and 2-D convolutions)`);
}

export function convShape(node: Node, x: Tensor, w: Tensor): Conv2dShape & { outDims: number[] } {
  if (w.dims.length !== x.dims.length) throw new Error(`W has rank ${w.dims.length} but X has rank ${x.dims.length}`);
  const spatial = x.dims.length - 2;
  const wa = windowAttrs(node, spatial, w.dims.slice(2));
  const geo = windowGeometry(x.dims.slice(2), wa);
  const group = attrInt(node, 'group', 1);
  const [N, C, H, W] = as2d(x.dims, 'X');
  const [M, Cg, KH, KW] = as2d(w.dims, 'W');
  if (group < 1 || C % group !== 0 || M % group !== 0) throw new Error(`group ${group} does not divide C=${C} and M=${M}`);
  if (Cg !== C / group) throw new Error(`W has ${Cg} input channels per group but X has C=${C} over group=${group} (expected ${C / group})`);
  if (wa.kernel.some((k, i) => k !== w.dims[2 + i])) throw new Error(`kernel_shape [${wa.kernel.join(',')}] disagrees with W dims [${w.dims.join(',')}]`);
  const two = spatial === 2;
  return {
    N, C, H, W, M, KH, KW,
    OH: two ? geo.out[0] : 1, OW: geo.out[spatial - 1],
    sh: two ? wa.strides[0] : 1, sw: wa.strides[spatial - 1],
    dh: two ? wa.dilations[0] : 1, dw: wa.dilations[spatial - 1],
    ph: two ? geo.padBegin[0] : 0, pw: geo.padBegin[spatial - 1],
    group,
    outDims: [x.dims[0], M, ...geo.out],
  };
}

/**
 * im2col of one (image, group): cols[p][k] for p = (oh, ow), k = (c, kh, kw), zero where the window
 * reads padding.
 */
function im2col(xv: ArrayLike<number>, xOff: number, s: Conv2dShape, Cg: number, cols: Float32Array | Float64Array): void {
  const { H, W, KH, KW, OH, OW, sh, sw, dh, dw, ph, pw } = s;
  const K = Cg * KH * KW;
  const HW = H * W;
  for (let oh = 0; oh < OH; oh++) {
    for (let ow = 0; ow < OW; ow++) {
      const base = (oh * OW + ow) * K;
      let k = 0;
      for (let c = 0; c < Cg; c++) {
        const cOff = xOff + c * HW;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - ph + kh * dh;
          if (ih < 0 || ih >= H) {
            for (let kw = 0; kw < KW; kw++) cols[base + k++] = 0;
            continue;
          }
          const rowOff = cOff + ih * W;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - pw + kw * dw;
            cols[base + k++] = iw >= 0 && iw < W ? xv[rowOff + iw] : 0;
          }
        }
      }
    }
  }
}

export function conv(node: Node, x: Tensor, w: Tensor, b?: Tensor): Tensor {
  if (x.dtype !== w.dtype) throw new Error(`X is ${dataTypeName(x.dtype)} but W is ${dataTypeName(w.dtype)}`);
  if (!isFloatType(x.dtype)) throw new Error(`Conv needs float inputs, got ${dataTypeName(x.dtype)} (use ConvInteger/QLinearConv)`);
  const s = convShape(node, x, w);
  const { N, C, H, W, M, KH, KW, OH, OW, group } = s;
  if (b && (b.dims.length !== 1 || b.dims[0] !== M)) throw new Error(`B has dims [${b.dims.join(',')}] but the conv has M=${M} output channels`);
  const Cg = C / group;
  const Mg = M / group;
  const K = Cg * KH * KW;
  const P = OH * OW;
  const xv = readNumbers(x);
  const wv = readNumbers(w);
  const bv = b ? readNumbers(b) : undefined;
  const acc = scratchF64(N * M * P);
  const cols = x.dtype === DataType.DOUBLE ? scratchF64(P * K) : scratchF32(P * K);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < group; g++) {
      im2col(xv, (n * C + g * Cg) * H * W, s, Cg, cols);
      const outOff = (n * M + g * Mg) * P;
      if (bv) for (let m = 0; m < Mg; m++) acc.fill(bv[g * Mg + m], outOff + m * P, outOff + (m + 1) * P);
      dotRows(Mg, P, K, wv, g * Mg * K, cols, 0, acc, outOff);
    }
  }
  return fromNumbers(x.dtype, s.outDims, acc);
}

registerOp('Conv', (ctx) => [conv(ctx.node, need(ctx, 0, 'X'), need(ctx, 1, 'W'), ctx.inputs[2])]);

/**
 * ConvTranspose: y[n][m][oy][ox] = bias[m] + Σ x[n][c][iy][ix]·W[c][m'][ky][kx] over oy = iy·s − pad + ky·d,
 * scattered in order c, iy, ix, ky, kx into double accumulators, rounded to float32 once.
 */
registerOp('ConvTranspose', (ctx) => {
  const node = ctx.node;
  const x = need(ctx, 0, 'X');
  const w = need(ctx, 1, 'W');
  const b = ctx.inputs[2];
  if (x.dtype !== w.dtype) throw new Error(`X is ${dataTypeName(x.dtype)} but W is ${dataTypeName(w.dtype)}`);
  if (w.dims.length !== x.dims.length) throw new Error(`W has rank ${w.dims.length} but X has rank ${x.dims.length}`);
  const spatial = x.dims.length - 2;
  const wa = windowAttrs(node, spatial, w.dims.slice(2));
  const geo = convTransposeGeometry(node, x.dims.slice(2), wa);
  const group = attrInt(node, 'group', 1);
  const [N, C, H, W] = as2d(x.dims, 'X');
  const [Cw, Mg, KH, KW] = as2d(w.dims, 'W');
  if (Cw !== C) throw new Error(`W has ${Cw} input channels but X has ${C}`);
  if (group < 1 || C % group !== 0) throw new Error(`group ${group} does not divide C=${C}`);
  const M = Mg * group;
  const Cg = C / group;
  const two = spatial === 2;
  const OH = two ? geo.out[0] : 1;
  const OW = geo.out[spatial - 1];
  const sh = two ? wa.strides[0] : 1, sw = wa.strides[spatial - 1];
  const dh = two ? wa.dilations[0] : 1, dw = wa.dilations[spatial - 1];
  const ph = two ? geo.padBegin[0] : 0, pw = geo.padBegin[spatial - 1];
  if (b && (b.dims.length !== 1 || b.dims[0] !== M)) throw new Error(`B has dims [${b.dims.join(',')}] but the output has ${M} channels`);
  const xv = readNumbers(x);
  const wv = readNumbers(w);
  const P = OH * OW;
  const acc = scratchF64(N * M * P);
  if (b) {
    const bv = readNumbers(b);
    for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) acc.fill(bv[m], (n * M + m) * P, (n * M + m + 1) * P);
  }
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < group; g++) {
      for (let cl = 0; cl < Cg; cl++) {
        const c = g * Cg + cl;
        const xOff = (n * C + c) * H * W;
        for (let ml = 0; ml < Mg; ml++) {
          const m = g * Mg + ml;
          const wOff = (c * Mg + ml) * KH * KW;
          const yOff = (n * M + m) * P;
          for (let iy = 0; iy < H; iy++) {
            for (let ix = 0; ix < W; ix++) {
              const xval = xv[xOff + iy * W + ix];
              for (let ky = 0; ky < KH; ky++) {
                const oy = iy * sh - ph + ky * dh;
                if (oy < 0 || oy >= OH) continue;
                for (let kx = 0; kx < KW; kx++) {
                  const ox = ix * sw - pw + kx * dw;
                  if (ox < 0 || ox >= OW) continue;
                  acc[yOff + oy * OW + ox] += xval * wv[wOff + ky * KW + kx];
                }
              }
            }
          }
        }
      }
    }
  }
  return [fromNumbers(x.dtype, [x.dims[0], M, ...geo.out], acc)];
});

