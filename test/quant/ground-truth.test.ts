/**
 * The presets against the public TensorRT engines built from them (test/fixtures/ground-truth, TREx
 * examples): what each engine's fused layer names and tensor names say about where the Q/DQ were.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../src/sim/ir/graph.ts';
import { buildZooModel } from '../../src/sim/zoo/index.ts';
import { placementTable, quantizeModel } from '../../src/quant/index.ts';
import { GraphView } from '../../src/quant/graph-view.ts';

interface Layer { Name: string; Outputs: { Name: string }[] }
const gt = (path: string): Layer[] =>
  (JSON.parse(readFileSync(new URL(`../fixtures/ground-truth/${path}`, import.meta.url), 'utf8')) as { Layers: Layer[] }).Layers;

/** Adds of a Q/DQ graph with the producer op of their quantized and float inputs (through the Q/DQ). */
function addInputs(m: Model): { add: string; quantized: string[]; float: string[] }[] {
  const v = new GraphView(m.graph);
  const origin = (t: string): string => {
    let p = v.producers.get(t);
    while (p && (p.opType === 'DequantizeLinear' || p.opType === 'QuantizeLinear')) p = v.producers.get(p.inputs[0]);
    return p?.name ?? t;
  };
  return placementTable(m).filter((r) => r.opType === 'Add').map((r) => {
    const add = v.byName.get(r.node)!;
    return {
      add: r.node,
      quantized: r.inputs.map((i) => origin(add.inputs[i])),
      float: add.inputs.map((_, i) => i).filter((i) => !r.inputs.includes(i)).map((i) => origin(add.inputs[i])),
    };
  });
}

describe('pytorch-quantization preset vs the A100 ResNet-18 engines', () => {
  const r18 = buildZooModel('resnet18', { size: 32 });
  const weightQs = (layers: Layer[]) => layers.filter((l) => /^[\w.]+\.weight \+ QuantizeLinear_\d+ \+ (Conv|Gemm)_\d+/.test(l.Name)).length;
  const downsampleWritesInt8 = (layers: Layer[]) =>
    layers.filter((l) => l.Name.includes('downsample.0.weight') && l.Outputs[0].Name.startsWith('onnx::DequantizeLinear')).length;

  it('qat: one weight quantizer per Conv/Linear (21), no residual quantizers; downsample convs write float', () => {
    const layers = gt('pytorch/resnet/A100/qat/resnet-qat.onnx.engine.graph.json');
    const { model, report } = quantizeModel(r18, { preset: 'pytorch-quantization' });
    expect(report.summary.weightPairs).toBe(weightQs(layers));
    expect(report.summary.weightPairs).toBe(21);
    expect(addInputs(model)).toEqual([]);
    expect(downsampleWritesInt8(layers)).toBe(0);
  });

  it('qat-residual: every Add quantizes its identity input; the 3 downsample convs write INT8', () => {
    const layers = gt('pytorch/resnet/A100/qat-residual/resnet-qat-residual.onnx.engine.graph.json');
    const { model, report } = quantizeModel(r18, { preset: 'pytorch-quantization', quantizeResidual: true });
    expect(report.summary.weightPairs).toBe(weightQs(layers));
    const adds = addInputs(model);
    expect(adds.length).toBe(8);
    const fromConv = adds.filter((a) => a.quantized.every((p) => p.startsWith('Conv_'))).length;
    expect(fromConv).toBe(downsampleWritesInt8(layers));
    expect(fromConv).toBe(3);
  });

  it('qat-residual-qgap: GAP reads INT8 too', () => {
    const layers = gt('pytorch/resnet/A100/qat-residual-qgap/resnet-qat-residual-qgap.onnx.engine.graph.json');
    expect(layers.some((l) => /^GlobalAveragePool_\d+$/.test(l.Name))).toBe(true);
    const { model } = quantizeModel(r18, { preset: 'pytorch-quantization', quantizeResidual: true, quantizeGap: true });
    expect(placementTable(model).find((r) => r.opType === 'GlobalAveragePool')?.inputs).toEqual([0]);
  });
});

describe('TF-QAT ResNet-v1 case vs the RTX-3090 Keras ResNet-50 engine', () => {
  const layers = gt('tensorflow/resnet/RTX-3090/qat/resnet-qat.onnx.engine.graph.json');
  // keepPads: the TF-QAT export spelling the engine was built from (input Pad on NHWC, Dense as MatMul + Add)
  const r50 = buildZooModel('resnet50_v1', { style: 'tf2onnx', size: 32, keepPads: true });
  const fusedWithAdd = layers.filter((l) => /_add\/add/.test(l.Name)).map((l) => /quant_(conv\d_block\d+_\d)_conv/.exec(l.Name)![1]);

  it('the engine fused every Add into the block\'s _3_conv (never the _0_conv shortcut): toolkit 0.1.0', () => {
    expect(fusedWithAdd.length).toBe(16);
    expect(fusedWithAdd.every((c) => c.endsWith('_3'))).toBe(true);
    const { model, report } = quantizeModel(r50, { case: 'resnet_v1', toolkitVersion: '0.1.0' });
    const weighted = layers.filter((l) => /QuantLinearNode__\d+ \+/.test(l.Name)).length;
    expect(report.summary.weightPairs).toBe(weighted); // 53 convs + the Dense
    const adds = addInputs(model);
    expect(adds.length).toBe(16);
    for (const a of adds) {
      expect(a.float.length).toBe(1);
      expect(a.float[0]).toMatch(/_3_conv/);
    }
  });

  it('toolkit 0.2.0 would have left the projection shortcut (_0_conv) float instead', () => {
    const adds = addInputs(quantizeModel(r50, { case: 'resnet_v1' }).model);
    const projection = adds.filter((a) => /block1_add/.test(a.add));
    expect(projection.length).toBe(4);
    for (const a of projection) expect(a.float[0]).toMatch(/_0_conv/);
  });
});
