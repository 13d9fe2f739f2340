/**
 * The same proof with the project's own model zoo and Q/DQ insertion tool instead of the local fixture
 * generators: zoo ResNet-18 (legacy PyTorch naming) quantized with the pytorch-quantization preset, zoo
 * ResNet-50 v1 (tf2onnx style) unquantized for the fp32/fp16 engines, and the same model in the TF-QAT
 * export spelling (`keepPads`: conv1_pad a Pad on the NHWC input ahead of the Transpose, Dense as
 * MatMul + BiasAdd) quantized with the tf-qat preset (ResNet-v1 case, toolkit 0.1.0) for the TF-QAT engine.
 * Every layer of every dump must match.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quantizeModel } from '../../src/quant/index.ts';
import type { Model } from '../../src/sim/ir/graph.ts';
import { buildZooModel } from '../../src/sim/zoo/index.ts';
import type { Precision } from '../../src/trt/build-options.ts';
import { diffEngines, formatDiff } from '../../src/trt/diff.ts';
import { engineToLayerInfo } from '../../src/trt/export-layer-info.ts';
import { simulateEngine } from '../../src/trt/simulate.ts';
import { parseTrtexecLayers } from '../../src/trt/validation/formats/trtexec-layers.ts';

const GT = join(import.meta.dirname, '../fixtures/ground-truth');
const resnet18 = () => buildZooModel('resnet18', { batch: 32 });
const keras = () => buildZooModel('resnet50_v1', { batch: 32, style: 'tf2onnx' });
const tfQat = () => quantizeModel(buildZooModel('resnet50_v1', { batch: 32, style: 'tf2onnx', keepPads: true }), { preset: 'tf-qat', case: 'resnet_v1', toolkitVersion: '0.1.0' }).model;
const pq = (o: { quantizeResidual?: boolean; quantizeGap?: boolean }) => () => quantizeModel(resnet18(), { preset: 'pytorch-quantization', ...o }).model;

/** Dump, model, build precision, compared layers (reformats excluded, as diffEngines does). */
const CASES: [string, () => Model, Precision, number][] = [
  ['pytorch/resnet/A100/qat/resnet-qat.onnx.engine.graph.json', pq({}), 'best', 34],
  ['pytorch/resnet/A100/qat-residual/resnet-qat-residual.onnx.engine.graph.json', pq({ quantizeResidual: true }), 'best', 26],
  ['pytorch/resnet/A100/qat-residual-qgap/resnet-qat-residual-qgap.onnx.engine.graph.json', pq({ quantizeResidual: true, quantizeGap: true }), 'best', 24],
  ['pytorch/resnet/A100/fp32/resnet.onnx.engine.graph.json', resnet18, 'fp32', 24],
  ['tensorflow/resnet/RTX-3090/fp32/resnet.onnx.engine.graph.json', keras, 'fp32', 60],
  ['tensorflow/resnet/RTX-3090/fp16/resnet.onnx.engine.graph.json', keras, 'fp16', 60],
  ['tensorflow/resnet/RTX-3090/qat/resnet-qat.onnx.engine.graph.json', tfQat, 'best', 62],
];

function diffAgainst(dump: string, model: Model, precision: Precision): ReturnType<typeof diffEngines> {
  const engine = simulateEngine(model, { precision });
  const predicted = parseTrtexecLayers(JSON.stringify(engineToLayerInfo(engine, false)));
  const real = parseTrtexecLayers(readFileSync(join(GT, dump), 'utf8'), dump);
  return diffEngines(predicted, real, engine.nodeOpTypes);
}

describe('zoo + quantizer models simulate to the real engines', () => {
  for (const [dump, build, precision, layers] of CASES) {
    it(`${dump} (--${precision})`, () => {
      const d = diffAgainst(dump, build(), precision);
      if (d.matched !== d.total) throw new Error(formatDiff(d));
      expect(d.total).toBe(layers);
    });
  }
});

describe('the float and TF-QAT tf2onnx spellings are not interchangeable', () => {
  const failing = (d: ReturnType<typeof diffEngines>) => d.pairs.filter((p) => !p.match).map((p) => (p.real ?? p.predicted)!.layer.name);

  it('quantizing the float spelling misses the input Pad and spells the classifier as a Gemm', () => {
    const m = quantizeModel(keras(), { preset: 'tf-qat', case: 'resnet_v1', toolkitVersion: '0.1.0' }).model;
    const d = diffAgainst('tensorflow/resnet/RTX-3090/qat/resnet-qat.onnx.engine.graph.json', m, 'best');
    expect([d.matched, d.total]).toEqual([60, 62]);
    expect(failing(d).map((n) => n.split(' + ')[0])).toEqual([
      'resnet50/conv1_pad/Pad', 'resnet50/quant_predictions/LastValueQuant/QuantizeAndDequantizeV4/ReadVariableOp:0',
    ]);
  });

  it('the TF-QAT spelling unquantized keeps a conv1_pad the float engines do not have (tf2onnx merged it)', () => {
    const m = buildZooModel('resnet50_v1', { batch: 32, style: 'tf2onnx', keepPads: true });
    const d = diffAgainst('tensorflow/resnet/RTX-3090/fp32/resnet.onnx.engine.graph.json', m, 'fp32');
    expect([d.matched, d.total]).toEqual([60, 61]);
    expect(failing(d)).toEqual(['resnet50/conv1_pad/Pad']);
  });
});
