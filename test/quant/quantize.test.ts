import { describe, expect, it } from 'vitest';
import { DataType } from '../../src/sim/data-type.ts';
import type { Model, Node } from '../../src/sim/ir/graph.ts';
import { formatPlacementTable, placementTable, quantizeModel, stripQdq } from '../../src/quant/index.ts';
import { G, tinyResnet } from './graphs.ts';

const table = (m: Model) => formatPlacementTable(placementTable(m));
const byName = (m: Model, name: string): Node => m.graph.nodes.find((n) => n.name === name)!;
const dqFeeding = (m: Model, node: string, i: number): Node | undefined => {
  const t = byName(m, node).inputs[i];
  return m.graph.nodes.find((n) => n.outputs.includes(t) && n.opType === 'DequantizeLinear');
};

describe('pytorch-quantization preset (TREx ResNet examples)', () => {
  it('qat: only Conv/Gemm inputs and weights, per-channel axis 0', () => {
    expect(table(quantizeModel(tinyResnet(), { preset: 'pytorch-quantization' }).model)).toBe([
      'Conv_0   Conv  in=[0]  w=1@axis0',
      'Conv_3   Conv  in=[0]  w=1@axis0',
      'Conv_5   Conv  in=[0]  w=1@axis0',
      'Conv_8   Conv  in=[0]  w=1@axis0',
      'Conv_10  Conv  in=[0]  w=1@axis0',
      'Conv_11  Conv  in=[0]  w=1@axis0',
      'Gemm_16  Gemm  in=[0]  w=1@axis0',
      '',
    ].join('\n'));
  });

  it('qat-residual-qgap: the identity input of each Add (downsample conv output for block 2) and the GAP input', () => {
    const rows = placementTable(quantizeModel(tinyResnet(), { preset: 'pytorch-quantization', quantizeResidual: true, quantizeGap: true }).model);
    const of = (n: string) => rows.find((r) => r.node === n)?.inputs;
    expect(of('Add_6')).toEqual([1]); // x from MaxPool
    expect(of('Add_12')).toEqual([1]); // downsample Conv_11 (shorter path to the block input)
    expect(of('GlobalAveragePool_14')).toEqual([0]);
    expect(of('Relu_13')).toBeUndefined();
  });

  it('writes an int8 zero point and an explicit axis on every pair; one pair per consumer', () => {
    const { model, report } = quantizeModel(tinyResnet(), { preset: 'pytorch-quantization', quantizeResidual: true });
    for (const n of model.graph.nodes.filter((x) => x.opType === 'QuantizeLinear' || x.opType === 'DequantizeLinear')) {
      expect(n.inputs.length).toBe(3);
      expect(model.graph.initializers.get(n.inputs[2])!.dtype).toBe(DataType.INT8);
      const scale = model.graph.initializers.get(n.inputs[1])!;
      if (scale.dims.length === 1) expect(n.attrs.axis).toBeDefined();
    }
    // MaxPool_2's output feeds Conv_3 and Add_6: two separate pairs
    const qs = model.graph.nodes.filter((n) => n.opType === 'QuantizeLinear' && n.inputs[0] === 'MaxPool_2_out');
    expect(qs.map((n) => n.name)).toEqual(['Conv_3_input0_QuantizeLinear', 'Add_6_input1_QuantizeLinear']);
    expect(report.summary).toEqual({ activationPairs: 9, weightPairs: 7, outputPairs: 0, nodesQuantized: 9 });
  });
});

describe('TF-QAT toolkit defaults and cases', () => {
  it('full mode defaults: weighted ops and average pooling, nothing on Add/MaxPool', () => {
    const t = table(quantizeModel(tinyResnet()).model);
    expect(t).toContain('GlobalAveragePool_14  GlobalAveragePool  in=[0]');
    expect(t).not.toContain('Add_');
    expect(t).not.toContain('MaxPool');
  });

  it('residual case: 0.2.0 leaves the first single-consumer conv branch float, 0.1.0 the last conv branch', () => {
    const v2 = placementTable(quantizeModel(tinyResnet(), { case: 'residual' }).model);
    const v1 = placementTable(quantizeModel(tinyResnet(), { case: 'residual', toolkitVersion: '0.1.0' }).model);
    const of = (rows: typeof v1, n: string) => rows.find((r) => r.node === n)?.inputs;
    expect(of(v2, 'Add_6')).toEqual([1]);
    expect(of(v1, 'Add_6')).toEqual([1]);
    expect(of(v2, 'Add_12')).toEqual([1]); // Add(conv2 branch, downsample): first = conv branch stays float
    expect(of(v1, 'Add_12')).toEqual([0]); // old toolkit: last conv pattern (downsample) stays float
  });

  it('tf-qat dedupes pairs per tensor and names them like tf2onnx', () => {
    const { model } = quantizeModel(tinyResnet(), { case: 'resnet_v1' });
    const q = model.graph.nodes.filter((n) => n.opType === 'QuantizeLinear');
    expect(q.every((n) => /^QuantLinearNode__\d+$/.test(n.name))).toBe(true);
    expect(q.filter((n) => n.inputs[0] === 'MaxPool_2_out').length).toBe(1);
    expect(dqFeeding(model, 'Conv_3', 0)).toBe(dqFeeding(model, 'Add_6', 1));
  });

  it('is deterministic', () => {
    const a = quantizeModel(tinyResnet(), { case: 'resnet_v2' }).model;
    const b = quantizeModel(tinyResnet(), { case: 'resnet_v2' }).model;
    expect(a.graph.nodes.map((n) => `${n.name}:${n.inputs}`)).toEqual(b.graph.nodes.map((n) => `${n.name}:${n.inputs}`));
  });

  it('resnet_v2: BN not fed by a Conv and every MaxPool input', () => {
    const g = new G(3);
    const c = g.conv('x', 4, 4, 3, 'conv0');
    const mp = g.node('MaxPool', [c], { kernel_shape: { type: 'ints', value: [1, 1] } }, 'pool');
    const bnp = ['s', 'b', 'm', 'v'].map((k) => g.weight(`bn.${k}`, [4]));
    g.inits.get('bn.v')!.data.forEach((_, i, a) => { (a as Float32Array)[i] = 1; });
    const bn = g.node('BatchNormalization', [mp, ...bnp], {}, 'preact_bn');
    const bn2p = ['s', 'b', 'm', 'v'].map((k) => g.weight(`bn2.${k}`, [4]));
    const c2 = g.conv(bn, 4, 4, 3, 'conv1');
    const bn2 = g.node('BatchNormalization', [c2, ...bn2p], {}, 'conv1_bn');
    const m = g.model([{ name: 'x', shape: [1, 4, 8, 8] }], [bn2]);
    const rows = placementTable(quantizeModel(m, { case: 'resnet_v2' }).model);
    expect(rows.map((r) => `${r.node}:${r.inputs}`)).toEqual(['conv0:0', 'pool:0', 'preact_bn:0', 'conv1:0']);
  });

  it('efficientnet: both inputs of an SE Multiply, never a swish Mul(x, Sigmoid(x))', () => {
    const g = new G(5);
    const c = g.conv('x', 4, 4, 3, 'expand');
    const sg = g.node('Sigmoid', [c], {}, 'act_sig');
    const sw = g.node('Mul', [c, sg], {}, 'act_swish');
    const gap = g.node('GlobalAveragePool', [sw], {}, 'se_squeeze');
    const r = g.conv(gap, 4, 4, 1, 'se_reduce');
    const e = g.node('Sigmoid', [r], {}, 'se_sig');
    const se = g.node('Mul', [sw, e], {}, 'se_excite');
    const m = g.model([{ name: 'x', shape: [1, 4, 8, 8] }], [se]);
    const rows = placementTable(quantizeModel(m, { case: 'efficientnet' }).model);
    expect(rows.find((r) => r.node === 'se_excite')?.inputs).toEqual([0, 1]);
    expect(rows.find((r) => r.node === 'act_swish')).toBeUndefined();
  });

  it('inception: MaxPool inputs, and one shared scale across Concat inputs/output and MaxPool in/out', () => {
    const g = new G(9);
    const x = g.node('Relu', ['x'], {}, 'stem');
    const a = g.conv(x, 4, 4, 1, 'branch_a');
    const p = g.node('MaxPool', [x], { kernel_shape: { type: 'ints', value: [1, 1] } }, 'branch_pool');
    const cat = g.node('Concat', [a, p], { axis: { type: 'int', value: 1 } }, 'mixed');
    const y = g.conv(cat, 8, 4, 1, 'next_a');
    const z = g.conv(cat, 8, 4, 1, 'next_b');
    const out = g.node('Add', [y, z], {}, 'sum');
    const m = g.model([{ name: 'x', shape: [1, 4, 8, 8] }], [out]);
    const { model, report } = quantizeModel(m, { case: 'inception', naming: 'qdqsim', dedupe: false });
    expect(report.shareGroups.length).toBe(1);
    // branch_a's pair reads the stem like branch_pool's, so all four pairs share: stem->branch_a, stem->pool, cat->next_a, cat->next_b
    expect(report.shareGroups[0].members.length).toBe(4);
    const scales = new Set(model.graph.nodes.filter((n) => n.opType === 'QuantizeLinear' && !model.graph.initializers.has(n.inputs[0])).map((n) => n.inputs[1]));
    expect(scales.size).toBe(1);
  });
});

describe('spec', () => {
  it('entries win over cases and defaults; name beats regex beats op type', () => {
    const spec = { layers: [
      { op_type: 'Add', quantization_index: [0, 1] },
      { name: 'Add_12', quantize_input: false },
      { regex: '^Conv_1[01]$', quantize_weight: false },
    ] };
    const rows = placementTable(quantizeModel(tinyResnet(), { case: 'resnet_v1', spec }).model);
    const of = (n: string) => rows.find((r) => r.node === n);
    expect(of('Add_6')?.inputs).toEqual([0, 1]);
    expect(of('Add_12')).toBeUndefined();
    expect(of('Conv_10')?.weights).toEqual([]);
    expect(of('Conv_11')?.inputs).toEqual([0]);
    expect(of('Conv_8')?.weights).toEqual([{ index: 1, axis: 0 }]);
  });

  it('partial mode quantizes only what the spec names (Keras class aliases accepted)', () => {
    const rows = placementTable(quantizeModel(tinyResnet(), { mode: 'partial', spec: [{ name: 'Conv2D', is_keras_class: true }, { op_type: 'MaxPooling2D' }] }).model);
    expect([...new Set(rows.map((r) => r.opType))].sort()).toEqual(['Conv', 'MaxPool']);
  });
});

describe('weights', () => {
  it('int8: a pre-quantized initializer + DQ, values round(w / scale) half even', () => {
    const { model } = quantizeModel(tinyResnet(), { preset: 'pytorch-quantization', weights: 'int8' });
    const conv = byName(model, 'Conv_0');
    const dq = model.graph.nodes.find((n) => n.outputs[0] === conv.inputs[1])!;
    expect(dq.opType).toBe('DequantizeLinear');
    const wq = model.graph.initializers.get(dq.inputs[0])!;
    const s = model.graph.initializers.get(dq.inputs[1])!.data as Float32Array;
    expect(wq.dtype).toBe(DataType.INT8);
    const w = tinyResnet().graph.initializers.get('Conv_0.weight')!.data as Float32Array;
    const per = w.length / s.length;
    for (let i = 0; i < w.length; i += 7) {
      const x = Math.fround(w[i] / s[Math.floor(i / per)]);
      expect(Math.abs((wq.data as Int8Array)[i] - x)).toBeLessThanOrEqual(0.5);
    }
    expect(Math.max(...(wq.data as Int8Array))).toBeLessThanOrEqual(127);
    expect(model.graph.initializers.has('Conv_0.weight')).toBe(false);
  });

  it('axis per op: ConvTranspose 1, Gemm transB 0 -> 1, MatMul last axis', () => {
    const g = new G(11);
    const ct = g.node('ConvTranspose', ['x', g.weight('ct.w', [4, 6, 3, 3])], {}, 'deconv');
    const f = g.node('Flatten', [ct], {}, 'flat');
    const gm = g.node('Gemm', [f, g.weight('gm.w', [6, 5])], {}, 'gemm');
    const mm = g.node('MatMul', [gm, g.weight('mm.w', [5, 3])], {}, 'matmul');
    const m = g.model([{ name: 'x', shape: [1, 4, 1, 1] }], [mm]);
    const rows = placementTable(quantizeModel(m).model);
    expect(rows.map((r) => `${r.node}:${r.weights.map((w) => w.axis)}`)).toEqual(['deconv:1', 'gemm:1', 'matmul:1']);
    const { report } = quantizeModel(m);
    expect(report.quantizers.filter((q) => q.kind === 'weight').map((q) => q.channels)).toEqual([6, 5, 3]);
  });

  it('a tf2onnx weight behind a Transpose is quantized on the constant with the axis mapped through perm', () => {
    const g = new G(13);
    const hwio = g.weight('k', [3, 3, 4, 8]);
    const t = g.node('Transpose', [hwio], { perm: { type: 'ints', value: [3, 2, 0, 1] } }, 'k_t');
    const c = g.node('Conv', ['x', t], { kernel_shape: { type: 'ints', value: [3, 3] } }, 'conv');
    const m = g.model([{ name: 'x', shape: [1, 4, 8, 8] }], [c]);
    const { model } = quantizeModel(m);
    const q = model.graph.nodes.find((n) => n.opType === 'QuantizeLinear' && n.inputs[0] === 'k')!;
    expect(q.attrs.axis).toEqual({ type: 'int', value: 3 });
    expect(placementTable(model)[0].weights).toEqual([{ index: 1, axis: 3 }]);
  });
});

describe('Keras-layout weights (tf2onnx export of TF-QAT)', () => {
  it('HWIO constant -> Q(axis 3) -> DQ -> Transpose -> Conv; depthwise HWC1 axis 2; strip folds it back', () => {
    const g = new G(17);
    const c = g.conv('x', 4, 6, 3, 'conv');
    const dwW = g.weight('dw.w', [6, 1, 3, 3]);
    const dw = g.node('Conv', [c, dwW], { group: { type: 'int', value: 6 }, kernel_shape: { type: 'ints', value: [3, 3] } }, 'dw');
    const m = g.model([{ name: 'x', shape: [1, 4, 8, 8] }], [dw]);
    m.producerName = 'tf2onnx';
    const { model } = quantizeModel(m, { case: 'resnet_v1' });
    const rows = placementTable(model);
    expect(rows.map((r) => `${r.node}:${r.weights.map((w) => w.axis)}`)).toEqual(['conv:3', 'dw:2']);
    const t = model.graph.nodes.find((n) => n.name === 'conv/kernel_transpose')!;
    expect(t.attrs.perm).toEqual({ type: 'ints', value: [3, 2, 0, 1] });
    expect(model.graph.initializers.get('conv.weight__keras')!.dims).toEqual([3, 3, 4, 6]);
    expect(model.graph.initializers.has('conv.weight')).toBe(false);
    const back = stripQdq(model);
    expect(back.graph.nodes).toEqual(m.graph.nodes);
    expect(back.graph.initializers.get('conv.weight')).toEqual(m.graph.initializers.get('conv.weight'));
    expect(back.graph.initializers.get('dw.w')).toEqual(m.graph.initializers.get('dw.w'));
    expect([...back.graph.initializers.keys()].sort()).toEqual([...m.graph.initializers.keys()].sort());
  });
});

describe('tfmot preset', () => {
  it('quantizes layer outputs (after Conv+Relu, Add+Relu, GAP) and the graph input, never layer inputs', () => {
    const { model, report } = quantizeModel(tinyResnet(), { preset: 'tfmot' });
    const qIn = model.graph.nodes.filter((n) => n.opType === 'QuantizeLinear' && !model.graph.initializers.has(n.inputs[0])).map((n) => n.inputs[0]);
    expect(qIn).toEqual(['input', 'Relu_1_out', 'Relu_4_out', 'Conv_5_out', 'Relu_7_out', 'Relu_9_out', 'Conv_10_out', 'Conv_11_out', 'Relu_13_out', 'GlobalAveragePool_14_out']);
    expect(report.quantizers.find((q) => q.node === 'Gemm_16' && q.kind === 'weight')?.axis).toBeUndefined();
  });
});

describe('strip', () => {
  it('insert then strip returns the original graph', () => {
    for (const o of [{ preset: 'pytorch-quantization' as const, quantizeResidual: true, quantizeGap: true }, { case: 'resnet_v2' as const }, { preset: 'tfmot' as const }]) {
      const orig = tinyResnet();
      const back = stripQdq(quantizeModel(orig, o).model);
      expect(back.graph.nodes).toEqual(orig.graph.nodes);
      expect([...back.graph.initializers.keys()].sort()).toEqual([...orig.graph.initializers.keys()].sort());
    }
  });
});
