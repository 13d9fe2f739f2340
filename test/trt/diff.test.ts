import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffEngines, nameTokens, tokenOpType } from '../../src/trt/diff.ts';
import { engineToLayerInfo, metadataString } from '../../src/trt/export-layer-info.ts';
import { simulateEngine } from '../../src/trt/simulate.ts';
import { onnxNodesFromMetadata, parseTrtexecLayers } from '../../src/trt/validation/formats/trtexec-layers.ts';
import { resnet18Pytorch } from './fixtures/resnet18-pytorch.ts';

const GT = join(import.meta.dirname, '../fixtures/ground-truth');
const read = (p: string) => parseTrtexecLayers(readFileSync(join(GT, p), 'utf8'), p);

describe('reading fused layer names', () => {
  it('splits on " + " outside brackets and unwraps PWN groups', () => {
    expect(nameTokens('Pad_6 + w + Q_1 + Conv_13 + PWN(Clip_14)')).toEqual(['Pad_6', 'w', 'Q_1', 'Conv_13', 'Clip_14']);
    expect(nameTokens('c + PWN(PWN(sig), mul)')).toEqual(['c', 'sig', 'mul']);
    expect(nameTokens('fc.bias + (Unnamed Layer* 306) [Shuffle] + x')).toEqual(['fc.bias', '(Unnamed Layer* 306) [Shuffle]', 'x']);
  });

  it('maps legacy, tf2onnx and path names to ONNX op types; initializers and parser layers to nothing', () => {
    expect(['Conv_34', 'QuantizeLinear_432_clone_0', 'QuantLinearNode__838', '/layer1/Conv', 'resnet50/conv2_block1_add/add', 'fc.weight', '(Unnamed Layer* 307) [ElementWise]', 'unsqueeze_node_after_fc.bias']
      .map((t) => tokenOpType(t))).toEqual(['Conv', 'QuantizeLinear', 'QuantizeLinear', 'Conv', 'Add', undefined, undefined, undefined]);
    expect(tokenOpType('resnet50/quant_conv1_conv/BiasAdd', { 'resnet50/quant_conv1_conv/BiasAdd': 'Conv' })).toBe('Conv');
  });
});

describe('diff', () => {
  const predicted = () => parseTrtexecLayers(JSON.stringify(engineToLayerInfo(simulateEngine(resnet18Pytorch('qat')), false)));

  it('reports the layers that differ and the match count', () => {
    const d = diffEngines(predicted(), read('pytorch/resnet/A100/qat-residual/resnet-qat-residual.onnx.engine.graph.json'));
    expect(d.total).toBe(34);
    expect(d.matched).toBe(14);
    const conv1 = d.pairs.find((p) => p.real?.layer.name === 'conv1.weight + QuantizeLinear_7 + Conv_9 + MaxPool_12')!;
    expect(conv1.match).toBe(false);
  });

  it('compares names-only exports by fused op types alone', () => {
    const real = read('pytorch/resnet/A100/qat/resnet-qat.onnx.engine.graph.json');
    const namesOnly = parseTrtexecLayers(JSON.stringify({ Layers: real.layers.map((l) => l.name), Bindings: real.bindings }));
    expect(namesOnly.verbosity).toBe('names-only');
    const d = diffEngines(predicted(), namesOnly);
    expect(d.matched).toBe(d.total);
    expect(d.layoutSkipped.real).toBe(3);
  });

  it('flags a precision difference as io', () => {
    const real = read('pytorch/resnet/A100/qat/resnet-qat.onnx.engine.graph.json');
    const p = predicted();
    const conv = p.layers.find((l) => l.name.startsWith('layer1.0.conv1'))!;
    conv.outputs[0].precision = 'FP16';
    const d = diffEngines(p, real);
    const bad = d.pairs.filter((x) => !x.match);
    expect(bad.map((x) => [x.real!.layer.name, x.differences])).toEqual([['layer1.0.conv1.weight + QuantizeLinear_20 + Conv_22', ['io']]]);
  });
});

describe('trtexec layer JSON export', () => {
  it('is read back by the trtexec parser with formats, origins and ONNX metadata', () => {
    const e = simulateEngine(resnet18Pytorch('qat-residual'));
    const json = engineToLayerInfo(e) as { Layers: Record<string, unknown>[]; Bindings: string[]; qdqsim: { trace: unknown[] } };
    expect(json.Bindings).toEqual(['input.1', 'output']);
    expect(json.qdqsim.trace.length).toBe(e.trace.length);
    const list = parseTrtexecLayers(JSON.stringify(json));
    expect(list.verbosity).toBe('detailed');
    const q = list.layers[0];
    expect([q.name, q.layerType, q.origin, q.inputs[0].precision, q.outputs[0].precision]).toEqual(['QuantizeLinear_2', 'Reformat', 'QDQ', 'FP32', 'Int8']);
    const cap = list.layers[1];
    expect(cap.layerType).toBe('ConvActPool');
    expect(cap.onnxNodes).toEqual(e.layers[1].nodes.map((n) => n.name));
    expect(cap.raw.Weights).toEqual({ Type: 'Int8' });
    expect(onnxNodesFromMetadata(metadataString([{ name: 'a' }, { name: 'b' }]))).toEqual(['a', 'b']);
  });
});
