import type { Model } from '../ir/graph.ts';
import { type Act, type Pads, type Pair, ZooNet } from './net.ts';
import { type ZooOptions, resolveCommon, resolveSize } from './options.ts';

const BN_EPS = 1e-3;

/**
 * Inception-v3 (torchvision module structure, which Keras InceptionV3 shares): stem, Mixed_5b-d
 * (InceptionA), Mixed_6a (B), Mixed_6b-e (C, factorized 1x7/7x1), Mixed_7a (D), Mixed_7b-c (E,
 * with the split 1x3/3x1 concats); every conv is conv + BN (folded) + ReLU. The auxiliary
 * classifier is training-only and absent, as in an eval-mode export. pytorch style: torchvision
 * names and average pools counting padding; tf2onnx style: Keras auto-numbered layer names
 * (`conv2d_5`, `mixed0`, `mixed9_1`, `concatenate`) and 'same' average pools that exclude padding.
 */
export function inceptionV3(opts: ZooOptions): Model {
  const o = resolveCommon(opts);
  const size = resolveSize(opts, 299, 75, 'inception_v3');
  const prefix = 'inception_v3';
  const net = new ZooNet(prefix, o, o.style === 'pytorch' ? 'torch_jit' : prefix);
  const keras = !net.pytorch;
  // Keras names layers it was not given a name for by class and creation order.
  const counters = new Map<string, number>();
  const auto = (cls: string): string => {
    const n = counters.get(cls) ?? 0;
    counters.set(cls, n + 1);
    return n === 0 ? cls : `${cls}_${n}`;
  };
  const conv = (x: Act, torch: string, out: number, k: number | Pair, stride = 1, valid = false): Act => {
    const [kh, kw] = typeof k === 'number' ? [k, k] : k;
    const pads: Pads = valid ? [0, 0, 0, 0] : [(kh - 1) >> 1, (kw - 1) >> 1, (kh - 1) >> 1, (kw - 1) >> 1];
    const name = auto('conv2d');
    const bn = auto('batch_normalization');
    const act = auto('activation');
    return net.conv(x, { name, torch: `${torch}.conv`, out, k: [kh, kw], stride, pads, bn: { name: bn, eps: BN_EPS }, act: { kind: 'relu', name: act } });
  };
  const avgPool3 = (x: Act): Act => net.avgPool(x, 3, 1, [1, 1, 1, 1], auto('average_pooling2d'), !keras);
  const maxPool3 = (x: Act): Act => net.maxPool(x, 3, 2, [0, 0, 0, 0], auto('max_pooling2d'));
  let mixed = 0;
  const concat = (xs: Act[], name?: string): Act => net.concat(xs, name ?? `mixed${mixed++}`);

  let x = net.imageInput(3, size, size, 'conv2d');
  x = conv(x, 'Conv2d_1a_3x3', 32, 3, 2, true);
  x = conv(x, 'Conv2d_2a_3x3', 32, 3, 1, true);
  x = conv(x, 'Conv2d_2b_3x3', 64, 3);
  x = maxPool3(x);
  x = conv(x, 'Conv2d_3b_1x1', 80, 1, 1, true);
  x = conv(x, 'Conv2d_4a_3x3', 192, 3, 1, true);
  x = maxPool3(x);

  const inceptionA = (x: Act, m: string, poolFeatures: number): Act => {
    const b1 = conv(x, `${m}.branch1x1`, 64, 1);
    const b5 = conv(conv(x, `${m}.branch5x5_1`, 48, 1), `${m}.branch5x5_2`, 64, 5);
    const b3 = conv(conv(conv(x, `${m}.branch3x3dbl_1`, 64, 1), `${m}.branch3x3dbl_2`, 96, 3), `${m}.branch3x3dbl_3`, 96, 3);
    const bp = conv(avgPool3(x), `${m}.branch_pool`, poolFeatures, 1);
    return concat([b1, b5, b3, bp]);
  };
  const inceptionB = (x: Act, m: string): Act => {
    const b3 = conv(x, `${m}.branch3x3`, 384, 3, 2, true);
    const bd = conv(conv(conv(x, `${m}.branch3x3dbl_1`, 64, 1), `${m}.branch3x3dbl_2`, 96, 3), `${m}.branch3x3dbl_3`, 96, 3, 2, true);
    return concat([b3, bd, maxPool3(x)]);
  };
  const inceptionC = (x: Act, m: string, c7: number): Act => {
    const b1 = conv(x, `${m}.branch1x1`, 192, 1);
    let b7 = conv(x, `${m}.branch7x7_1`, c7, 1);
    b7 = conv(conv(b7, `${m}.branch7x7_2`, c7, [1, 7]), `${m}.branch7x7_3`, 192, [7, 1]);
    let bd = conv(x, `${m}.branch7x7dbl_1`, c7, 1);
    bd = conv(conv(bd, `${m}.branch7x7dbl_2`, c7, [7, 1]), `${m}.branch7x7dbl_3`, c7, [1, 7]);
    bd = conv(conv(bd, `${m}.branch7x7dbl_4`, c7, [7, 1]), `${m}.branch7x7dbl_5`, 192, [1, 7]);
    const bp = conv(avgPool3(x), `${m}.branch_pool`, 192, 1);
    return concat([b1, b7, bd, bp]);
  };
  const inceptionD = (x: Act, m: string): Act => {
    const b3 = conv(conv(x, `${m}.branch3x3_1`, 192, 1), `${m}.branch3x3_2`, 320, 3, 2, true);
    let b7 = conv(conv(x, `${m}.branch7x7x3_1`, 192, 1), `${m}.branch7x7x3_2`, 192, [1, 7]);
    b7 = conv(conv(b7, `${m}.branch7x7x3_3`, 192, [7, 1]), `${m}.branch7x7x3_4`, 192, 3, 2, true);
    return concat([b3, b7, maxPool3(x)]);
  };
  const inceptionE = (x: Act, m: string, index: number): Act => {
    const b1 = conv(x, `${m}.branch1x1`, 320, 1);
    const b3 = conv(x, `${m}.branch3x3_1`, 384, 1);
    const b3s = concat([conv(b3, `${m}.branch3x3_2a`, 384, [1, 3]), conv(b3, `${m}.branch3x3_2b`, 384, [3, 1])], `mixed9_${index}`);
    const bd = conv(conv(x, `${m}.branch3x3dbl_1`, 448, 1), `${m}.branch3x3dbl_2`, 384, 3);
    const bds = concat([conv(bd, `${m}.branch3x3dbl_3a`, 384, [1, 3]), conv(bd, `${m}.branch3x3dbl_3b`, 384, [3, 1])], auto('concatenate'));
    const bp = conv(avgPool3(x), `${m}.branch_pool`, 192, 1);
    return concat([b1, b3s, bds, bp]);
  };

  x = inceptionA(x, 'Mixed_5b', 32);
  x = inceptionA(x, 'Mixed_5c', 64);
  x = inceptionA(x, 'Mixed_5d', 64);
  x = inceptionB(x, 'Mixed_6a');
  x = inceptionC(x, 'Mixed_6b', 128);
  x = inceptionC(x, 'Mixed_6c', 160);
  x = inceptionC(x, 'Mixed_6d', 160);
  x = inceptionC(x, 'Mixed_6e', 192);
  x = inceptionD(x, 'Mixed_7a');
  x = inceptionE(x, 'Mixed_7b', 0);
  x = inceptionE(x, 'Mixed_7c', 1);
  x = net.globalPool(x, 'avg_pool');
  if (net.pytorch) x = net.flatten(x);
  x = net.dense(x, o.classes, 'predictions', 'fc', keras);
  return net.finish(x, { 'qdqsim.zoo.model': 'inception_v3', 'qdqsim.zoo.architecture': keras ? 'Keras InceptionV3' : 'torchvision inception_v3', 'qdqsim.zoo.input': 'normal(0,1)' });
}
