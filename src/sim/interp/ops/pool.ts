/** MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool over 1-D and 2-D spatial inputs. Sums in double. */
import type { Node } from '../../ir/graph.ts';
import type { Tensor } from '../../tensor.ts';
import { windowAttrs, windowGeometry } from '../../shape/geometry.ts';
import { attrInt, need, registerOp } from '../registry.ts';
import { fromNumbers, numel, readNumbers, scratchF64 } from '../tensor-util.ts';

function pool(node: Node, x: Tensor, kind: 'max' | 'avg'): Tensor {
  const spatial = x.dims.length - 2;
  if (spatial !== 1 && spatial !== 2) throw new Error(`${node.opType} on rank ${x.dims.length} is not supported (1-D and 2-D only)`);
  const wa = windowAttrs(node, spatial);
  const geo = windowGeometry(x.dims.slice(2), wa);
  const two = spatial === 2;
  const [N, C] = x.dims;
  const H = two ? x.dims[2] : 1;
  const W = x.dims[x.dims.length - 1];
  const OH = two ? geo.out[0] : 1, OW = geo.out[spatial - 1];
  const KH = two ? wa.kernel[0] : 1, KW = wa.kernel[spatial - 1];
  const sh = two ? wa.strides[0] : 1, sw = wa.strides[spatial - 1];
  const dh = two ? wa.dilations[0] : 1, dw = wa.dilations[spatial - 1];
  const ph = two ? geo.padBegin[0] : 0, pw = geo.padBegin[spatial - 1];
  const peh = two ? geo.padEnd[0] : 0, pew = geo.padEnd[spatial - 1];
  const countIncludePad = attrInt(node, 'count_include_pad', 0) !== 0;
  const xv = readNumbers(x);
  const out = scratchF64(N * C * OH * OW);
  for (let nc = 0; nc < N * C; nc++) {
    const xOff = nc * H * W;
    const yOff = nc * OH * OW;
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        let acc = kind === 'max' ? -Infinity : 0;
        let count = 0;
        let sawNaN = false;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - ph + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - pw + kw * dw;
            if (iw < 0 || iw >= W) continue;
            const v = xv[xOff + ih * W + iw];
            if (kind === 'max') {
              if (v > acc) acc = v;
              else if (v !== v) sawNaN = true;
            } else acc += v;
            count++;
          }
        }
        if (kind === 'avg') {
          if (countIncludePad) {
            // the window clipped to the padded input (ceil_mode windows may run past the end padding)
            const h0 = oh * sh - ph, w0 = ow * sw - pw;
            let hc = 0, wc = 0;
            for (let kh = 0; kh < KH; kh++) { const ih = h0 + kh * dh; if (ih >= -ph && ih < H + peh) hc++; }
            for (let kw = 0; kw < KW; kw++) { const iw = w0 + kw * dw; if (iw >= -pw && iw < W + pew) wc++; }
            count = hc * wc;
          }
          acc = count > 0 ? acc / count : NaN;
        } else if (sawNaN && acc === -Infinity) acc = NaN;
        out[yOff + oh * OW + ow] = acc;
      }
    }
  }
  return fromNumbers(x.dtype, [N, C, ...geo.out], out);
}

registerOp('MaxPool', (ctx) => {
  if (ctx.node.outputs.length > 1 && ctx.node.outputs[1] !== '') throw new Error('MaxPool Indices output is not supported');
  if (attrInt(ctx.node, 'storage_order', 0) !== 0) throw new Error('MaxPool storage_order=1 is not supported');
  return [pool(ctx.node, need(ctx, 0), 'max')];
});
registerOp('AveragePool', (ctx) => [pool(ctx.node, need(ctx, 0), 'avg')]);

function globalPool(x: Tensor, kind: 'max' | 'avg'): Tensor {
  if (x.dims.length < 3) throw new Error(`global pooling needs rank >= 3, got [${x.dims.join(',')}]`);
  const NC = x.dims[0] * x.dims[1];
  const S = numel(x.dims.slice(2));
  const xv = readNumbers(x);
  const out = new Float64Array(NC);
  for (let i = 0; i < NC; i++) {
    let acc = kind === 'max' ? -Infinity : 0;
    for (let j = 0; j < S; j++) {
      const v = xv[i * S + j];
      acc = kind === 'max' ? (v > acc || v !== v ? v : acc) : acc + v;
    }
    out[i] = kind === 'avg' ? acc / S : acc;
  }
  return fromNumbers(x.dtype, [x.dims[0], x.dims[1], ...x.dims.slice(2).map(() => 1)], out);
}
registerOp('GlobalAveragePool', (ctx) => [globalPool(need(ctx, 0), 'avg')]);
registerOp('GlobalMaxPool', (ctx) => [globalPool(need(ctx, 0), 'max')]);
