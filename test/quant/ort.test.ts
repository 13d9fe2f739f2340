/** Quantized zoo models load and run in onnxruntime-node and in the interpreter, and agree. */
import { describe, expect, it } from 'vitest';
import { runOrt } from '../../src/sim/interp/ort-bridge.ts';
import { runModel } from '../../src/sim/interp/run-model.ts';
import { buildZooModel } from '../../src/sim/zoo/index.ts';
import { calibrateModel } from '../../src/quant/calib/calibrate.ts';
import { syntheticBatches } from '../../src/quant/calib/synthetic.ts';
import { quantizeModel, type QuantizeOptions } from '../../src/quant/index.ts';
import type { ZooStyle } from '../../src/sim/zoo/index.ts';

const CASES: [string, ZooStyle, QuantizeOptions][] = [
  ['resnet18', 'pytorch', { preset: 'pytorch-quantization', quantizeResidual: true, quantizeGap: true }],
  ['resnet18', 'tf2onnx', { case: 'resnet_v1', toolkitVersion: '0.1.0' }],
  ['efficientnet_b0', 'tf2onnx', { case: 'efficientnet', weights: 'int8' }],
  ['mobilenet_v2', 'pytorch', { preset: 'tfmot' }],
];

describe('quantized + calibrated zoo models run in onnxruntime-node and the interpreter', () => {
  for (const [name, style, opts] of CASES) {
    it(`${name} (${style}) ${JSON.stringify(opts)}`, async () => {
      const float = buildZooModel(name, { style, size: 32, classes: 10 });
      const { model } = quantizeModel(float, opts);
      const batches = syntheticBatches(model, 1, 5);
      const cal = calibrateModel(model, batches, { method: 'max' }).model;
      const ours = runModel(cal, batches[0]).outputs;
      const theirs = await runOrt(cal, batches[0]);
      const out = cal.graph.outputs[0].name;
      const a = ours[out].data as Float32Array, b = theirs[out].data as Float32Array;
      expect(a.length).toBe(b.length);
      let worst = 0, scale = 0;
      for (let i = 0; i < a.length; i++) { worst = Math.max(worst, Math.abs(a[i] - b[i])); scale = Math.max(scale, Math.abs(b[i])); }
      expect(a.every(Number.isFinite)).toBe(true);
      // float accumulation order differs, so an activation can land one quantization step apart
      expect(worst).toBeLessThanOrEqual(0.05 * Math.max(scale, 1e-3) + 1e-3);
    });
  }
});
