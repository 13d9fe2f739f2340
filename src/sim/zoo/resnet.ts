import type { Model } from '../ir/graph.ts';
import { type Act, type Pads, ZooNet, samePads, tfSamePads } from './net.ts';
import { type ZooOptions, resolveCommon, resolveSize } from './options.ts';

const BLOCKS: Record<number, number[]> = { 18: [2, 2, 2, 2], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3] };
const KERAS_BN_EPS = 1.001e-5;
/** Residual branches end in a BN whose gammas trained networks keep small; so do we, to bound growth. */
const RESIDUAL_GAMMA = 0.5;

/**
 * torchvision ResNet (v1.5: the stride sits on the 3x3 conv of a bottleneck). Node order is the
 * forward order of torchvision's BasicBlock/Bottleneck: conv1, relu, conv2, [relu, conv3],
 * [downsample], Add(out, identity), relu, which the legacy exporter numbers Conv_0, Relu_1, ...
 * In tf2onnx style the same structure is spelled with Keras-like layer names.
 */
function torchvisionResNet(depth: number, opts: ZooOptions): Model {
  const o = resolveCommon(opts);
  const size = resolveSize(opts, 224, 32, `resnet${depth}`);
  const prefix = `resnet${depth}`;
  const net = new ZooNet(prefix, o, `torch_jit`);
  const bottleneck = depth >= 50;
  let x = net.imageInput(3, size, size, 'conv1_conv');
  x = net.conv(x, {
    name: 'conv1_conv', torch: 'conv1', out: 64, k: 7, stride: 2, pads: [3, 3, 3, 3],
    bn: { name: 'conv1_bn' }, act: { kind: 'relu', name: 'conv1_relu' },
  });
  x = net.maxPool(x, 3, 2, [1, 1, 1, 1], 'pool1_pool');
  const widths = [64, 128, 256, 512];
  BLOCKS[depth].forEach((blocks, stage) => {
    for (let i = 0; i < blocks; i++) {
      const stride = stage > 0 && i === 0 ? 2 : 1;
      const planes = widths[stage];
      const outC = bottleneck ? planes * 4 : planes;
      const t = `layer${stage + 1}.${i}`;
      const k = `conv${stage + 2}_block${i + 1}`;
      const identity = x;
      let y: Act;
      if (bottleneck) {
        y = net.conv(x, { name: `${k}_1_conv`, torch: `${t}.conv1`, out: planes, k: 1, bn: { name: `${k}_1_bn` }, act: { kind: 'relu', name: `${k}_1_relu` } });
        y = net.conv(y, { name: `${k}_2_conv`, torch: `${t}.conv2`, out: planes, k: 3, stride, pads: samePads(3), bn: { name: `${k}_2_bn` }, act: { kind: 'relu', name: `${k}_2_relu` } });
        y = net.conv(y, { name: `${k}_3_conv`, torch: `${t}.conv3`, out: outC, k: 1, bn: { name: `${k}_3_bn`, gamma: RESIDUAL_GAMMA } });
      } else {
        y = net.conv(x, { name: `${k}_1_conv`, torch: `${t}.conv1`, out: planes, k: 3, stride, pads: samePads(3), bn: { name: `${k}_1_bn` }, act: { kind: 'relu', name: `${k}_1_relu` } });
        y = net.conv(y, { name: `${k}_2_conv`, torch: `${t}.conv2`, out: planes, k: 3, pads: samePads(3), bn: { name: `${k}_2_bn`, gamma: RESIDUAL_GAMMA } });
      }
      let shortcut = identity;
      if (stride !== 1 || identity.dims[1] !== outC) {
        shortcut = net.conv(identity, { name: `${k}_0_conv`, torch: `${t}.downsample.0`, out: outC, k: 1, stride, bn: { name: `${k}_0_bn` } });
      }
      x = net.act(net.add(y, shortcut, `${k}_add`), 'relu', `${k}_out`);
    }
  });
  x = net.globalPool(x, 'avg_pool');
  if (net.pytorch) x = net.flatten(x);
  x = net.dense(x, o.classes, 'predictions', 'fc', !net.pytorch);
  return net.finish(x, { 'qdqsim.zoo.model': `resnet${depth}`, 'qdqsim.zoo.architecture': 'torchvision ResNet', 'qdqsim.zoo.input': 'normal(0,1)' });
}

/**
 * Keras ResNet50/101 (v1: the stride sits on the first 1x1 conv of block 1; conv2d biases folded
 * with BN), as tf2onnx converts it: NHWC input + Transpose, the conv1_pad ZeroPadding2D merged
 * into the stem conv (a generated `Conv__N` node), pool1_pad kept as a Pad, ReduceMean for the
 * average pool, Gemm + Softmax for `predictions`. With `keepPads` (the TF-QAT export spelling)
 * conv1_pad is a Pad on the NHWC input ahead of the Transpose and `predictions` is MatMul + Add.
 * (pytorch style uses torchvision's ResNet.)
 */
function kerasResNetV1(depth: number, opts: ZooOptions): Model {
  const o = resolveCommon(opts);
  const size = resolveSize(opts, 224, 32, `resnet${depth}_v1`);
  const prefix = `resnet${depth}`;
  const net = new ZooNet(prefix, o, prefix);
  const stem = net.paddedImageInput(3, size, size, 'conv1_conv', [3, 3, 3, 3], 'conv1_pad');
  let x = net.conv(stem.x, {
    name: 'conv1_conv', torch: 'conv1_conv', out: 64, k: 7, stride: 2, pads: stem.pads, bias: true, padLayer: stem.padLayer,
    bn: { name: 'conv1_bn', eps: KERAS_BN_EPS }, act: { kind: 'relu', name: 'conv1_relu' },
  });
  x = net.pad(x, [1, 1, 1, 1], 'pool1_pad');
  x = net.maxPool(x, 3, 2, [0, 0, 0, 0], 'pool1_pool');
  const widths = [64, 128, 256, 512];
  BLOCKS[depth].forEach((blocks, stage) => {
    for (let i = 0; i < blocks; i++) {
      const filters = widths[stage];
      const stride = stage > 0 && i === 0 ? 2 : 1;
      const k = `conv${stage + 2}_block${i + 1}`;
      const bn = (n: string, gamma?: number) => ({ name: `${k}_${n}_bn`, eps: KERAS_BN_EPS, gamma });
      let shortcut = x;
      if (i === 0) shortcut = net.conv(x, { name: `${k}_0_conv`, torch: `${k}_0_conv`, out: 4 * filters, k: 1, stride, bias: true, bn: bn('0') });
      let y = net.conv(x, { name: `${k}_1_conv`, torch: `${k}_1_conv`, out: filters, k: 1, stride, bias: true, bn: bn('1'), act: { kind: 'relu', name: `${k}_1_relu` } });
      y = net.conv(y, { name: `${k}_2_conv`, torch: `${k}_2_conv`, out: filters, k: 3, pads: tfSamePads(y.dims[2], y.dims[3], 3, 1), bias: true, bn: bn('2'), act: { kind: 'relu', name: `${k}_2_relu` } });
      y = net.conv(y, { name: `${k}_3_conv`, torch: `${k}_3_conv`, out: 4 * filters, k: 1, bias: true, bn: bn('3', RESIDUAL_GAMMA) });
      x = net.act(net.add(shortcut, y, `${k}_add`), 'relu', `${k}_out`);
    }
  });
  x = net.globalPool(x, 'avg_pool');
  x = net.dense(x, o.classes, 'predictions', 'predictions', true);
  return net.finish(x, { 'qdqsim.zoo.model': `resnet${depth}_v1`, 'qdqsim.zoo.architecture': 'Keras ResNet v1', 'qdqsim.zoo.input': 'normal(0,1)' });
}

/**
 * Keras ResNet50V2/101V2 (pre-activation): BN+ReLU before each block's convs, no BN after the
 * stem conv, the stride on the last block of each stack with a 1x1 MaxPool shortcut, post_bn at
 * the end. Pre-activation BNs follow an Add, not a conv, so they stay BatchNormalization nodes.
 */
function kerasResNetV2(depth: number, opts: ZooOptions): Model {
  const o = resolveCommon(opts);
  const size = resolveSize(opts, 224, 32, `resnet${depth}_v2`);
  const prefix = `resnet${depth}v2`;
  const net = new ZooNet(prefix, o, o.style === 'pytorch' ? 'torch_jit' : prefix);
  const stem = net.paddedImageInput(3, size, size, 'conv1_conv', [3, 3, 3, 3], 'conv1_pad');
  let x = net.conv(stem.x, { name: 'conv1_conv', torch: 'conv1_conv', out: 64, k: 7, stride: 2, pads: stem.pads, bias: true, padLayer: stem.padLayer });
  if (net.pytorch) {
    x = net.maxPool(x, 3, 2, [1, 1, 1, 1], 'pool1_pool');
  } else {
    x = net.pad(x, [1, 1, 1, 1], 'pool1_pad');
    x = net.maxPool(x, 3, 2, [0, 0, 0, 0], 'pool1_pool');
  }
  const widths = [64, 128, 256, 512];
  let maxPools = 0;
  BLOCKS[depth].forEach((blocks, stage) => {
    for (let i = 0; i < blocks; i++) {
      const filters = widths[stage];
      const stride = i === blocks - 1 && stage < 3 ? 2 : 1;
      const k = `conv${stage + 2}_block${i + 1}`;
      const preact = net.act(net.batchNorm(x, `${k}_preact_bn`, `${k}_preact_bn`, KERAS_BN_EPS), 'relu', `${k}_preact_relu`);
      let shortcut: Act;
      if (i === 0) shortcut = net.conv(preact, { name: `${k}_0_conv`, torch: `${k}_0_conv`, out: 4 * filters, k: 1, stride, bias: true });
      else if (stride > 1) shortcut = net.maxPool(x, 1, stride, [0, 0, 0, 0], maxPools++ ? `max_pooling2d_${maxPools - 1}` : 'max_pooling2d');
      else shortcut = x;
      let y = net.conv(preact, { name: `${k}_1_conv`, torch: `${k}_1_conv`, out: filters, k: 1, bn: { name: `${k}_1_bn`, eps: KERAS_BN_EPS }, act: { kind: 'relu', name: `${k}_1_relu` } });
      const pads: Pads = [1, 1, 1, 1];
      y = net.conv(y, { name: `${k}_2_conv`, torch: `${k}_2_conv`, out: filters, k: 3, stride, pads, padLayer: `${k}_2_pad`, bn: { name: `${k}_2_bn`, eps: KERAS_BN_EPS }, act: { kind: 'relu', name: `${k}_2_relu` } });
      y = net.conv(y, { name: `${k}_3_conv`, torch: `${k}_3_conv`, out: 4 * filters, k: 1, bias: true });
      x = net.add(shortcut, y, `${k}_out`);
    }
  });
  x = net.act(net.batchNorm(x, 'post_bn', 'post_bn', KERAS_BN_EPS), 'relu', 'post_relu');
  x = net.globalPool(x, 'avg_pool');
  if (net.pytorch) x = net.flatten(x);
  x = net.dense(x, o.classes, 'predictions', 'predictions', true);
  return net.finish(x, { 'qdqsim.zoo.model': `resnet${depth}_v2`, 'qdqsim.zoo.architecture': 'Keras ResNet v2', 'qdqsim.zoo.input': 'normal(0,1)' });
}

export const resnet18 = (o: ZooOptions): Model => torchvisionResNet(18, o);
/** pytorch style: torchvision resnet50 (v1.5); tf2onnx style: Keras ResNet50 (v1). */
export const resnet50V1 = (o: ZooOptions): Model => ((o.style ?? 'pytorch') === 'pytorch' ? torchvisionResNet(50, o) : kerasResNetV1(50, o));
export const resnet101V1 = (o: ZooOptions): Model => ((o.style ?? 'pytorch') === 'pytorch' ? torchvisionResNet(101, o) : kerasResNetV1(101, o));
export const resnet50V2 = (o: ZooOptions): Model => kerasResNetV2(50, o);
export const resnet101V2 = (o: ZooOptions): Model => kerasResNetV2(101, o);
