/**
 * The same proof with the project's own model zoo and Q/DQ insertion tool instead of the local fixture
 * generators: zoo ResNet-18 (legacy PyTorch naming) quantized with the pytorch-quantization preset, and
 * zoo ResNet-50 v1 (tf2onnx style) unquantized. The TF-QAT engine is proven with test/trt/fixtures only:
 * the zoo's tf2onnx graph puts the input Transpose before conv1_pad and exports Dense as Gemm, where the
 * real tf2onnx export has Pad on the NHWC input, then Q/DQ, then the Transpose, and MatMul + BiasAdd.
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
const pq = (o: { quantizeResidual?: boolean; quantizeGap?: boolean }) => () => quantizeModel(resnet18(), { preset: 'pytorch-quantization', ...o }).model;

const CASES: [string, () => Model, Precision][] = [
  ['pytorch/resnet/A100/qat/resnet-qat.onnx.engine.graph.json', pq({}), 'best'],
  ['pytorch/resnet/A100/qat-residual/resnet-qat-residual.onnx.engine.graph.json', pq({ quantizeResidual: true }), 'best'],
  ['pytorch/resnet/A100/qat-residual-qgap/resnet-qat-residual-qgap.onnx.engine.graph.json', pq({ quantizeResidual: true, quantizeGap: true }), 'best'],
  ['pytorch/resnet/A100/fp32/resnet.onnx.engine.graph.json', resnet18, 'fp32'],
  ['tensorflow/resnet/RTX-3090/fp16/resnet.onnx.engine.graph.json', () => buildZooModel('resnet50_v1', { batch: 32, style: 'tf2onnx' }), 'fp16'],
];

describe('zoo + quantizer models simulate to the real engines', () => {
  for (const [dump, build, precision] of CASES) {
    it(`${dump} (--${precision})`, () => {
      const engine = simulateEngine(build(), { precision });
      const predicted = parseTrtexecLayers(JSON.stringify(engineToLayerInfo(engine, false)));
      const real = parseTrtexecLayers(readFileSync(join(GT, dump), 'utf8'), dump);
      const d = diffEngines(predicted, real, engine.nodeOpTypes);
      if (d.matched !== d.total) throw new Error(formatDiff(d));
      expect(d.total).toBeGreaterThan(20);
    });
  }
});
