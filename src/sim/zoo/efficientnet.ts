import type { Model } from '../ir/graph.ts';
import { DataType } from '../data-type.ts';
import { makeTensor } from '../tensor.ts';
import { type Act, ZooNet, kerasCorrectPad, samePads, tfSamePads } from './net.ts';
import { type ZooOptions, resolveCommon, resolveSize } from './options.ts';

/** Base blocks (kernel, repeats, in, out, expand, stride); SE ratio 0.25 throughout. */
const BLOCKS: [number, number, number, number, number, number][] = [
  [3, 1, 32, 16, 1, 1], [3, 2, 16, 24, 6, 2], [5, 2, 24, 40, 6, 2], [3, 3, 40, 80, 6, 2],
  [5, 3, 80, 112, 6, 1], [5, 4, 112, 192, 6, 2], [3, 1, 192, 320, 6, 1],
];
const VARIANTS = { b0: { width: 1.0, depth: 1.0, size: 224 }, b3: { width: 1.2, depth: 1.4, size: 300 } } as const;
/** ImageNet mean/variance of Keras EfficientNet's Normalization layer (after rescaling to [0, 1]). */
const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_VAR = [0.229 ** 2, 0.224 ** 2, 0.225 ** 2];

/** Keras round_filters / torchvision _make_divisible with divisor 8. */
function roundFilters(f: number, width: number): number {
  const v = f * width;
  let n = Math.max(8, Math.floor((v + 4) / 8) * 8);
  if (n < 0.9 * v) n += 8;
  return n;
}

/**
 * EfficientNet-B0/B3: swish (exported as Sigmoid + Mul), MBConv blocks with squeeze-excite
 * (global pool, 1x1 reduce + swish, 1x1 expand + sigmoid, Mul) and residual Adds. pytorch style:
 * torchvision names, symmetric padding, normalized input. tf2onnx style: Keras `efficientnetb0`
 * names, the in-model rescaling/normalization (input in [0, 255]), ZeroPadding2D before stride-2
 * depthwise convs merged into the conv.
 */
function efficientnet(variant: keyof typeof VARIANTS, opts: ZooOptions): Model {
  const o = resolveCommon(opts);
  const v = VARIANTS[variant];
  const size = resolveSize(opts, v.size, 32, `efficientnet_${variant}`);
  const prefix = `efficientnet${variant}`;
  const net = new ZooNet(prefix, o, o.style === 'pytorch' ? 'torch_jit' : prefix);
  const keras = !net.pytorch;
  const eps = keras ? 1e-3 : 1e-5;
  const swish = (name: string) => ({ kind: 'swish' as const, name });
  let x: Act;
  if (keras) {
    // uniform(0,255) pixels: mean 127.5, variance 255^2/12
    x = net.imageInput(3, size, size, 'stem_conv', { mean: new Float64Array(3).fill(127.5), var: new Float64Array(3).fill(255 ** 2 / 12) });
    const c = (name: string, vals: number[]): string => net.param(`${prefix}/${name}:0`, makeTensor(DataType.FLOAT, vals.length === 1 ? [] : [1, 3, 1, 1], Float32Array.from(vals)));
    const scaled = net.emit('Mul', [x.name, c('rescaling/Cast/x', [1 / 255])], {}, 'rescaling/mul');
    const centered = net.emit('Sub', [scaled, c('normalization/sub/y', IMAGENET_MEAN)], {}, 'normalization/sub');
    const normed = net.emit('Div', [centered, c('normalization/Sqrt', IMAGENET_VAR.map(Math.sqrt))], {}, 'normalization/truediv');
    const m = { mean: Float64Array.from(IMAGENET_MEAN, (mu, i) => (0.5 - mu) / Math.sqrt(IMAGENET_VAR[i])), var: Float64Array.from(IMAGENET_VAR, (va) => 1 / 12 / va) };
    x = { name: normed, dims: x.dims, m };
  } else {
    x = net.imageInput(3, size, size, 'stem_conv');
  }
  const stemOut = roundFilters(32, v.width);
  x = net.conv(x, {
    name: 'stem_conv', torch: 'features.0.0', out: stemOut, k: 3, stride: 2, padLayer: keras ? 'stem_conv_pad' : undefined,
    pads: keras ? kerasCorrectPad(size, size, 3) : samePads(3), bn: { name: 'stem_bn', eps }, act: swish('stem_activation'),
  });
  BLOCKS.forEach(([k, repeats, fin, fout, expand, stride0], i) => {
    const n = Math.ceil(v.depth * repeats);
    for (let j = 0; j < n; j++) {
      const stride = j === 0 ? stride0 : 1;
      const inC = x.dims[1];
      const outC = roundFilters(fout, v.width);
      const p = `block${i + 1}${String.fromCharCode(97 + j)}_`;
      const t = `features.${i + 1}.${j}.block`;
      const filters = inC * expand;
      const input = x;
      let y = x;
      let m = 0;
      if (expand !== 1) y = net.conv(y, { name: `${p}expand_conv`, torch: `${t}.${m++}.0`, out: filters, k: 1, bn: { name: `${p}expand_bn`, eps }, act: swish(`${p}expand_activation`) });
      const dwPads = keras ? (stride === 2 ? kerasCorrectPad(y.dims[2], y.dims[3], k) : tfSamePads(y.dims[2], y.dims[3], k, 1)) : samePads(k);
      y = net.conv(y, {
        name: `${p}dwconv`, torch: `${t}.${m++}.0`, out: filters, k, stride, groups: filters, pads: dwPads,
        padLayer: keras && stride === 2 ? `${p}dwconv_pad` : undefined, bn: { name: `${p}bn`, eps }, act: swish(`${p}activation`),
      });
      // squeeze-excite
      const se = Math.max(1, Math.floor(inC * 0.25));
      let s = net.globalPool(y, `${p}se_squeeze`);
      if (keras) s = net.reshape(s, [s.dims[0], filters, 1, 1], `${p}se_reshape`);
      s = net.conv(s, { name: `${p}se_reduce`, torch: `${t}.${m}.fc1`, out: se, k: 1, bias: true, act: swish(`${p}se_reduce`) });
      s = net.conv(s, { name: `${p}se_expand`, torch: `${t}.${m++}.fc2`, out: filters, k: 1, bias: true });
      s = net.act(s, 'sigmoid', `${p}se_expand`);
      y = net.mul(y, s, `${p}se_excite`, !keras);
      const residual = stride === 1 && inC === outC;
      y = net.conv(y, { name: `${p}project_conv`, torch: `${t}.${m}.0`, out: outC, k: 1, bn: { name: `${p}project_bn`, eps, gamma: residual ? 0.5 : 1 } });
      x = residual ? net.add(y, input, `${p}add`) : y;
    }
  });
  x = net.conv(x, { name: 'top_conv', torch: `features.${BLOCKS.length + 1}.0`, out: roundFilters(1280, v.width), k: 1, bn: { name: 'top_bn', eps }, act: swish('top_activation') });
  x = net.globalPool(x, 'avg_pool');
  if (net.pytorch) x = net.flatten(x);
  x = net.dense(x, o.classes, 'predictions', 'classifier.1', keras);
  return net.finish(x, {
    'qdqsim.zoo.model': `efficientnet_${variant}`,
    'qdqsim.zoo.architecture': keras ? `Keras EfficientNet${variant.toUpperCase()}` : `torchvision efficientnet_${variant}`,
    'qdqsim.zoo.input': keras ? 'uniform(0,255)' : 'normal(0,1)',
  });
}

export const efficientnetB0 = (o: ZooOptions): Model => efficientnet('b0', o);
export const efficientnetB3 = (o: ZooOptions): Model => efficientnet('b3', o);
