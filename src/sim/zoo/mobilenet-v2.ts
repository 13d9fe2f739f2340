import type { Model } from '../ir/graph.ts';
import { type Act, ZooNet, kerasCorrectPad, samePads, tfSamePads } from './net.ts';
import { type ZooOptions, resolveCommon, resolveSize } from './options.ts';

/** (expansion t, output channels c, repeats n, first stride s), as in both torchvision and Keras. */
const SETTINGS: [number, number, number, number][] = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];
const KERAS_BN_EPS = 1e-3;

/**
 * MobileNetV2 (width 1.0): stem conv + ReLU6, 17 inverted residual blocks (1x1 expand, 3x3
 * depthwise, 1x1 linear projection, residual Add when shape allows), 1x1 conv to 1280, pool,
 * classifier. ReLU6 is exported as Clip(0, 6) by both exporters. pytorch style follows
 * torchvision's module names and symmetric padding; tf2onnx style follows Keras
 * `mobilenetv2_1.00_224` names, 'same' padding and the ZeroPadding2D before stride-2 depthwise
 * convs (merged into the conv by tf2onnx).
 */
export function mobilenetV2(opts: ZooOptions): Model {
  const o = resolveCommon(opts);
  const size = resolveSize(opts, 224, 32, 'mobilenet_v2');
  // Keras names the model after the input rows when they are one of its pretrained sizes.
  const prefix = `mobilenetv2_1.00_${[96, 128, 160, 192, 224].includes(size) ? size : 224}`;
  const net = new ZooNet(prefix, o, o.style === 'pytorch' ? 'torch_jit' : prefix);
  const keras = !net.pytorch;
  const eps = keras ? KERAS_BN_EPS : 1e-5;
  const relu6 = (name: string) => ({ kind: 'relu6' as const, name });
  let x = net.imageInput(3, size, size, 'Conv1');
  x = net.conv(x, {
    name: 'Conv1', torch: 'features.0.0', out: 32, k: 3, stride: 2,
    pads: keras ? tfSamePads(size, size, 3, 2) : samePads(3), bn: { name: 'bn_Conv1', eps }, act: relu6('Conv1_relu'),
  });
  let blockId = 0;
  let feature = 1;
  for (const [t, c, n, s] of SETTINGS) {
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      const inC = x.dims[1];
      const hidden = inC * t;
      const p = blockId === 0 ? 'expanded_conv_' : `block_${blockId}_`;
      const f = `features.${feature}.conv`;
      const input: Act = x;
      let y = x;
      let j = 0;
      if (t !== 1) {
        y = net.conv(y, { name: `${p}expand`, torch: `${f}.${j++}.0`, out: hidden, k: 1, bn: { name: `${p}expand_BN`, eps }, act: relu6(`${p}expand_relu`) });
      }
      const dwPads = keras
        ? stride === 2 ? kerasCorrectPad(y.dims[2], y.dims[3], 3) : tfSamePads(y.dims[2], y.dims[3], 3, 1)
        : samePads(3);
      y = net.conv(y, {
        name: `${p}depthwise`, torch: `${f}.${j++}.0`, out: hidden, k: 3, stride, groups: hidden, pads: dwPads,
        padLayer: keras && stride === 2 ? `${p}pad` : undefined, bn: { name: `${p}depthwise_BN`, eps }, act: relu6(`${p}depthwise_relu`),
      });
      y = net.conv(y, { name: `${p}project`, torch: `${f}.${j}`, out: c, k: 1, bn: { name: `${p}project_BN`, eps, gamma: stride === 1 && inC === c ? 0.5 : 1 } });
      x = stride === 1 && inC === c ? net.add(input, y, `${p}add`) : y;
      blockId++;
      feature++;
    }
  }
  x = net.conv(x, { name: 'Conv_1', torch: `features.${feature}.0`, out: 1280, k: 1, bn: { name: 'Conv_1_bn', eps }, act: relu6('out_relu') });
  x = net.globalPool(x, 'global_average_pooling2d');
  if (net.pytorch) x = net.flatten(x);
  x = net.dense(x, o.classes, 'predictions', 'classifier.1', keras);
  return net.finish(x, { 'qdqsim.zoo.model': 'mobilenet_v2', 'qdqsim.zoo.architecture': keras ? 'Keras MobileNetV2' : 'torchvision mobilenet_v2', 'qdqsim.zoo.input': 'normal(0,1)' });
}
