import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import type { Model } from '../../../src/sim/ir/graph.ts';
import { buildZooModel, zooNames } from '../../../src/sim/zoo/index.ts';
import { activationStats, opCounts, unhealthy } from './zoo-health.ts';

const names = (m: Model): Set<string> => new Set(m.graph.nodes.map((n) => n.name));

async function expectHealthy(m: Model): Promise<void> {
  const bad = unhealthy(await activationStats(m));
  expect(bad, bad.join('\n')).toEqual([]);
}

describe('zoo catalogue', () => {
  it('lists every architecture the issue asks for', () => {
    expect(zooNames()).toEqual(['resnet18', 'resnet50_v1', 'resnet50_v2', 'resnet101_v1', 'resnet101_v2', 'mobilenet_v2',
      'efficientnet_b0', 'efficientnet_b3', 'inception_v3', 'bert']);
  });
});

describe('mobilenet_v2', () => {
  // 17 inverted residual blocks: block 0 has no expand conv (2 convs), the other 16 have 3;
  // plus stem and the final 1x1: 1 + 2 + 48 + 1 = 52 convs. ReLU6 (Clip) after stem, block 0's
  // depthwise, 2 per other block and the last conv: 35. Residual Adds: repeats - 1 per stage = 10.
  it('pytorch: torchvision structure with Clip for ReLU6, healthy', async () => {
    const m = buildZooModel('mobilenet_v2', { size: 64 });
    expect(opCounts(m)).toEqual({ Conv: 52, Clip: 35, Add: 10, GlobalAveragePool: 1, Flatten: 1, Gemm: 1 });
    const dw = m.graph.nodes.find((n) => n.name === 'Conv_2')!;
    expect(dw.attrs.group).toEqual({ type: 'int', value: 32 });
    expect(m.graph.initializers.has('features.2.conv.1.0.weight')).toBe(true);
    await expectHealthy(m);
  });

  it('tf2onnx: Keras names, stride-2 depthwise with merged ZeroPadding2D, healthy', async () => {
    const m = buildZooModel('mobilenet_v2', { style: 'tf2onnx', size: 64 });
    expect(opCounts(m)).toEqual({ Transpose: 1, Conv: 52, Clip: 35, Add: 10, ReduceMean: 1, Gemm: 1, Softmax: 1 });
    const p = 'mobilenetv2_1.00_224';
    for (const n of [`${p}/Conv1/Conv2D`, `${p}/Conv1_relu/Relu6`, `${p}/expanded_conv_depthwise/depthwise`, `${p}/block_2_depthwise/depthwise`,
      `${p}/block_2_add/add`, `${p}/block_16_project/Conv2D`, `${p}/out_relu/Relu6`, `${p}/global_average_pooling2d/Mean`]) {
      expect(names(m).has(n), n).toBe(true);
    }
    const dw1 = m.graph.nodes.find((n) => n.inputs.includes(`${p}/block_1_expand_relu/Relu6:0`))!;
    expect([/^Conv__\d+$/.test(dw1.name), dw1.attrs.pads, dw1.attrs.strides]).toEqual([true, { type: 'ints', value: [0, 0, 1, 1] }, { type: 'ints', value: [2, 2] }]);
    await expectHealthy(m);
    expect(buildZooModel('mobilenet_v2', { style: 'tf2onnx', size: 96 }).graph.nodes[1].name).toBe('mobilenetv2_1.00_96/Conv1/Conv2D');
  });
});

describe('efficientnet', () => {
  // B0: 16 blocks; convs: stem + top + 5 per block (expand, depthwise, SE reduce, SE expand,
  // project) less the one block without expansion = 81. Swish = Sigmoid+Mul: stem, top, and per
  // block depthwise + SE reduce (+ expand): 2 + 16 + 16 + 15 = 49, plus 16 SE gates (Sigmoid) and
  // 16 SE Muls. Adds: blocks after the first of each stage = 16 - 7 = 9.
  it('b0 pytorch: torchvision MBConv structure, healthy', async () => {
    const m = buildZooModel('efficientnet_b0', { size: 64 });
    expect(opCounts(m)).toEqual({ Conv: 81, Sigmoid: 65, Mul: 65, GlobalAveragePool: 17, Add: 9, Flatten: 1, Gemm: 1 });
    await expectHealthy(m);
  });

  it('b0 tf2onnx: Keras names, in-model rescaling/normalization, SE reshape, healthy on [0,255] input', async () => {
    const m = buildZooModel('efficientnet_b0', { style: 'tf2onnx', size: 64 });
    expect(opCounts(m)).toEqual({ Transpose: 1, Mul: 66, Sub: 1, Div: 1, Conv: 81, Sigmoid: 65, ReduceMean: 17, Reshape: 16, Add: 9, Gemm: 1, Softmax: 1 });
    for (const n of ['rescaling/mul', 'normalization/truediv', 'stem_activation/mul', 'block1a_se_excite/mul', 'block2b_add/add', 'block6d_project_conv/Conv2D', 'top_activation/Sigmoid']) {
      expect(names(m).has(`efficientnetb0/${n}`), n).toBe(true);
    }
    expect(m.metadata?.['qdqsim.zoo.input']).toBe('uniform(0,255)');
    await expectHealthy(m);
  });

  // B3 (width 1.2, depth 1.4): repeats ceil(1.4 * [1,2,2,3,3,4,1]) = [2,3,3,5,5,6,2] = 26 blocks,
  // 2 of them without expansion: convs 2 + 26*5 - 2 = 130; Adds 26 - 7 = 19; channels 40 -> 1536.
  it('b3 has the scaled depth and width', () => {
    const m = buildZooModel('efficientnet_b3', { style: 'tf2onnx', size: 64 });
    const c = opCounts(m);
    expect([c.Conv, c.Add, c.Reshape]).toEqual([130, 19, 26]);
    expect(m.graph.initializers.get('efficientnetb3/top_conv/Conv2D_weights_fused_bn')!.dims).toEqual([1536, 384, 1, 1]);
  });
});

describe('inception_v3', () => {
  // 94 BasicConv2d (conv + BN + ReLU): stem 5, 3 x InceptionA 7, B 4, 4 x C 10, D 6, 2 x E 9.
  // MaxPool: 2 in the stem, 1 in B and D. AveragePool: one per A, C, E (9). Concat: 11 mixed
  // blocks + 2 inner concats per E.
  it('pytorch: all mixed blocks, no aux head, healthy', async () => {
    const m = buildZooModel('inception_v3', { size: 75 });
    expect(opCounts(m)).toEqual({ Conv: 94, Relu: 94, MaxPool: 4, AveragePool: 9, Concat: 15, GlobalAveragePool: 1, Flatten: 1, Gemm: 1 });
    expect(m.graph.initializers.get('Mixed_6b.branch7x7_2.conv.weight')!.dims).toEqual([128, 128, 1, 7]);
    const ap = m.graph.nodes.find((n) => n.opType === 'AveragePool')!;
    expect(ap.attrs.count_include_pad).toEqual({ type: 'int', value: 1 });
    await expectHealthy(m);
  });

  it('tf2onnx: Keras auto-numbered names and mixed0..mixed10', () => {
    const m = buildZooModel('inception_v3', { style: 'tf2onnx', size: 75 });
    const n = names(m);
    for (const x of ['conv2d/Conv2D', 'activation_93/Relu', 'conv2d_93/Conv2D', 'mixed0/concat', 'mixed10/concat', 'mixed9_0/concat', 'mixed9_1/concat', 'concatenate_1/concat', 'average_pooling2d_8/AvgPool', 'max_pooling2d_3/MaxPool']) {
      expect(n.has(`inception_v3/${x}`), x).toBe(true);
    }
    expect(m.graph.nodes.find((x) => x.opType === 'AveragePool')!.attrs.count_include_pad).toBeUndefined();
    expect(() => buildZooModel('inception_v3', { size: 74 })).toThrow(/needs --size >= 75/);
  });
});

describe('bert', () => {
  // per layer: Q/K/V MatMul+Add (6), Reshape+Transpose x3 (6), MatMul, Div, Softmax, MatMul (4),
  // Transpose+Reshape (2), output MatMul+Add (2), residual Add, LayerNorm (9), FFN MatMul+Add (2),
  // GELU (5), MatMul+Add (2), residual Add, LayerNorm (9) = 49; embeddings 3 Gather + 2 Add + LN.
  // LayerNorm = ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add: 2 ReduceMeans each.
  it('pytorch with embeddings: legacy-exporter op structure, healthy', async () => {
    const m = buildZooModel('bert', { layers: 2, hidden: 64, heads: 4, seqLen: 16, batch: 2 });
    expect(m.graph.nodes.length).toBe(14 + 2 * 49);
    const c = opCounts(m);
    expect([c.MatMul, c.Softmax, c.Erf, c.Gather, c.ReduceMean]).toEqual([16, 2, 2, 3, 10]);
    expect(m.graph.inputs.map((i) => [i.name, i.dtype, i.shape])).toEqual([['input_ids', DataType.INT64, [2, 16]], ['token_type_ids', DataType.INT64, [2, 16]]]);
    expect(m.graph.outputs[0].shape).toEqual([2, 16, 64]);
    await expectHealthy(m);
  });

  it('tf2onnx without embeddings: starts from hidden states, TF scope names, healthy', async () => {
    const m = buildZooModel('bert', { style: 'tf2onnx', embeddings: false, layers: 3, hidden: 48, heads: 3, seqLen: 8 });
    expect(m.graph.nodes.length).toBe(3 * 49);
    expect(m.graph.inputs[0]).toEqual({ name: 'hidden_states', dtype: DataType.FLOAT, shape: [1, 8, 48] });
    expect(names(m).has('bert/encoder/layer_2/attention/self/Softmax')).toBe(true);
    expect(names(m).has('bert/encoder/layer_0/intermediate/Gelu/Erf')).toBe(true);
    await expectHealthy(m);
    expect(() => buildZooModel('bert', { hidden: 50, heads: 4 })).toThrow(/not divisible by 4 heads/);
  });
});
