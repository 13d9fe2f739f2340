/**
 * Every zoo model x every case/preset: the Q/DQ placement must match the checked-in, readable per-node
 * tables in test/fixtures/quant/placement/<model>.<style>.txt (one `## <configuration>` section each).
 * Regenerate after an intended change with QDQSIM_UPDATE_FIXTURES=1 and review the diff.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildZooModel, zooNames } from '../../src/sim/zoo/index.ts';
import type { ZooStyle } from '../../src/sim/zoo/index.ts';
import { formatPlacementTable, placementTable, quantizeModel, stripQdq, type QuantizeOptions } from '../../src/quant/index.ts';
import { calibrationTargets } from '../../src/quant/calib/calibrate.ts';

const CONFIGS: Record<string, QuantizeOptions> = {
  'tf-qat (defaults)': {},
  'tf-qat --case resnet_v1': { case: 'resnet_v1' },
  'tf-qat --case resnet_v1 --toolkit-version 0.1.0': { case: 'resnet_v1', toolkitVersion: '0.1.0' },
  'tf-qat --case resnet_v2': { case: 'resnet_v2' },
  'tf-qat --case efficientnet': { case: 'efficientnet' },
  'tf-qat --case mobilenet': { case: 'mobilenet' },
  'tf-qat --case inception': { case: 'inception' },
  'tf-qat --case residual': { case: 'residual' },
  'pytorch-quantization': { preset: 'pytorch-quantization' },
  'pytorch-quantization --quantize-residual': { preset: 'pytorch-quantization', quantizeResidual: true },
  'pytorch-quantization --quantize-residual --quantize-gap': { preset: 'pytorch-quantization', quantizeResidual: true, quantizeGap: true },
  tfmot: { preset: 'tfmot' },
};

const FIXTURES = new URL('../fixtures/quant/placement/', import.meta.url);
const update = process.env.QDQSIM_UPDATE_FIXTURES === '1';

/** Small but real: 32 px (75 for Inception, its minimum), 10 classes, a 2-layer BERT of width 64. */
function build(name: string, style: ZooStyle) {
  try {
    return buildZooModel(name, { style, size: name.startsWith('inception') ? 75 : 32, classes: 10, layers: 2, hidden: 64, heads: 2, seqLen: 16 });
  } catch {
    return undefined; // the architecture has no such export style
  }
}

/** Registers the placement suites of one export style (one test file per style so they run in parallel). */
export function placementSuites(style: ZooStyle): void {
  for (const name of zooNames()) {
    const model = build(name, style);
    if (!model) continue;
    describe(`${name} (${style})`, () => {
      const sections: string[] = [];
      for (const [label, opts] of Object.entries(CONFIGS)) {
        it(label, () => {
          const { model: q, report } = quantizeModel(model, opts);
          sections.push(`## ${label}\n${formatPlacementTable(placementTable(q))}`);
          // properties that hold for every output (strip identity on two configurations per model; the
          // fast-check suite covers it broadly)
          if (label === 'tf-qat --case resnet_v1' || label === 'pytorch-quantization --quantize-residual') {
            expect(stripQdq(q).graph.nodes).toEqual(model.graph.nodes);
          }
          for (const r of report.quantizers) {
            const s = q.graph.initializers.get(r.scale)!.data as Float32Array;
            expect(s.every((v) => v > 0 && Number.isFinite(v))).toBe(true);
            if (r.axis !== undefined) {
              const w = model.graph.initializers.get(r.tensor) ?? q.graph.initializers.get(r.tensor)!;
              expect(s.length).toBe(w.dims[r.axis]);
            }
          }
          expect(calibrationTargets(q).size).toBeGreaterThan(0);
        });
      }
      it('matches the checked-in placement table', () => {
        const text = `# ${name} (${style} style, small size): per-node Q/DQ placement per configuration\n# in=[i]: activation input i reads a Q/DQ; w=1@axisA: weight input 1 per-channel on axis A of the quantized constant\n# (axis 3 = HWIO: Keras-layout weight transposed into the Conv, as tf2onnx exports TF-QAT models)\n\n${sections.join('\n')}`;
        const file = new URL(`${name}.${style}.txt`, FIXTURES);
        if (update || !existsSync(file)) {
          mkdirSync(FIXTURES, { recursive: true });
          writeFileSync(file, text);
        }
        expect(text).toBe(readFileSync(file, 'utf8'));
      });
    });
  }
}
