/**
 * Proof against real engines: rebuild a Q/DQ graph equivalent to each ground-truth engine, simulate it
 * with the dump's build flags, and require every (non-layout) layer to match structurally.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../src/sim/ir/graph.ts';
import type { Precision } from '../../src/trt/build-options.ts';
import { diffEngines, formatDiff, isLayoutLayer } from '../../src/trt/diff.ts';
import { engineToLayerInfo } from '../../src/trt/export-layer-info.ts';
import { simulateEngine } from '../../src/trt/simulate.ts';
import { parseTrtexecLayers } from '../../src/trt/validation/formats/trtexec-layers.ts';
import { resnet18Pytorch } from './fixtures/resnet18-pytorch.ts';
import { resnet50Tf } from './fixtures/resnet50-tf.ts';

const GT = join(import.meta.dirname, '../fixtures/ground-truth');

interface Case {
  dump: string;
  model: () => Model;
  precision: Precision;
  /** What the dump shows, checked on the prediction beyond the diff. */
  standaloneQdq: string[];
}

const CASES: Case[] = [
  { dump: 'pytorch/resnet/A100/qat/resnet-qat.onnx.engine.graph.json', model: () => resnet18Pytorch('qat'), precision: 'best',
    standaloneQdq: ['QuantizeLinear', ...Array(9).fill('QuantizeLinear')] },
  { dump: 'pytorch/resnet/A100/qat-residual/resnet-qat-residual.onnx.engine.graph.json', model: () => resnet18Pytorch('qat-residual'), precision: 'best',
    standaloneQdq: ['QuantizeLinear', 'DequantizeLinear', 'QuantizeLinear'] },
  { dump: 'pytorch/resnet/A100/qat-residual-qgap/resnet-qat-residual-qgap.onnx.engine.graph.json', model: () => resnet18Pytorch('qat-residual-qgap'), precision: 'best',
    standaloneQdq: ['QuantizeLinear'] },
  { dump: 'pytorch/resnet/A100/fp32/resnet.onnx.engine.graph.json', model: () => resnet18Pytorch('fp32'), precision: 'fp32', standaloneQdq: [] },
  { dump: 'pytorch/resnet/A100/fp16/resnet.onnx.engine.graph.json', model: () => resnet18Pytorch('fp32'), precision: 'fp16', standaloneQdq: [] },
  { dump: 'tensorflow/resnet/RTX-3090/qat/resnet-qat.onnx.engine.graph.json', model: () => resnet50Tf('qat'), precision: 'best', standaloneQdq: ['QuantizeLinear'] },
  { dump: 'tensorflow/resnet/RTX-3090/fp32/resnet.onnx.engine.graph.json', model: () => resnet50Tf('fp32'), precision: 'fp32', standaloneQdq: [] },
  { dump: 'tensorflow/resnet/RTX-3090/fp16/resnet.onnx.engine.graph.json', model: () => resnet50Tf('fp32'), precision: 'fp16', standaloneQdq: [] },
];

describe('predicted engines match the real TensorRT dumps layer by layer', () => {
  for (const c of CASES) {
    it(`${c.dump} (--${c.precision})`, () => {
      const real = parseTrtexecLayers(readFileSync(join(GT, c.dump), 'utf8'), c.dump);
      const engine = simulateEngine(c.model(), { precision: c.precision });
      const predicted = parseTrtexecLayers(JSON.stringify(engineToLayerInfo(engine, false)), 'prediction');
      const d = diffEngines(predicted, real, engine.nodeOpTypes);
      const realCompared = real.layers.filter((l) => !isLayoutLayer(l)).length;
      if (d.matched !== d.total) throw new Error(`structural mismatch:\n${formatDiff(d)}`);
      expect(d.total).toBe(realCompared);
      expect(engine.layers.filter((l) => l.origin === 'QDQ').map((l) => l.nodes[0].opType)).toEqual(c.standaloneQdq);
    });
  }

  it('the real Q/DQ reformats sit where the prediction puts them (same producer layer)', () => {
    const dump = 'pytorch/resnet/A100/qat-residual/resnet-qat-residual.onnx.engine.graph.json';
    const real = parseTrtexecLayers(readFileSync(join(GT, dump), 'utf8'), dump);
    const engine = simulateEngine(resnet18Pytorch('qat-residual'), { precision: 'best' });
    const prevOf = (names: string[], pred: (n: string) => boolean) => names.map((n, i) => (pred(n) ? names[i - 1] : undefined)).filter(Boolean);
    const realPrev = prevOf(real.layers.map((l) => l.name), (n) => /^(Quantize|Dequantize)Linear_\d+$/.test(n));
    const predPrev = prevOf(engine.layers.map((l) => l.name), (n) => /^(Quantize|Dequantize)Linear_\d+$/.test(n));
    // the layer before each stand-alone Q/DQ: (input) / layer4.0 conv2+Add / GAP
    expect(realPrev.map((n) => n!.replace(/_\d+/g, ''))).toEqual(['layer4.0.conv2.weight + QuantizeLinear + Conv + Add + Relu', 'GlobalAveragePool']);
    expect(predPrev.map((n) => n!.replace(/_\d+/g, ''))).toEqual(realPrev.map((n) => n!.replace(/_\d+/g, '')));
  });

  it('the shown INT8 features: ConvActPool, INT8 GAP, float output where the residual is float', () => {
    const res = simulateEngine(resnet18Pytorch('qat-residual'), { precision: 'best' });
    expect(res.layers[1].layerType).toBe('ConvActPool');
    expect(res.layers[1].outputs[0].precision).toBe('Int8');
    const qgap = simulateEngine(resnet18Pytorch('qat-residual-qgap'), { precision: 'best' });
    const gap = qgap.layers.find((l) => l.nodes.some((n) => n.opType === 'GlobalAveragePool'))!;
    expect([gap.layerType, gap.inputs[0].precision, gap.outputs[0].precision]).toEqual(['CudaPooling', 'Int8', 'Int8']);
    const qat = simulateEngine(resnet18Pytorch('qat'), { precision: 'best' });
    const fusedAdd = qat.layers.find((l) => l.nodes.some((n) => n.opType === 'Add'))!;
    expect(fusedAdd.outputs[0].precision).toBe('FP16');
    expect(fusedAdd.notes.join(' ')).toMatch(/residual input is float/);
  });
});
