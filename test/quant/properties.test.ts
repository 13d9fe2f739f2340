import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataType } from '../../src/sim/data-type.ts';
import type { Model } from '../../src/sim/ir/graph.ts';
import { runModel } from '../../src/sim/interp/run-model.ts';
import { makeTensor } from '../../src/sim/tensor.ts';
import { CASE_NAMES, quantizeModel, stripQdq, type QuantizeOptions } from '../../src/quant/index.ts';
import { G } from './graphs.ts';

type Block = 'conv' | 'relu' | 'maxpool' | 'residual' | 'concat' | 'se';

/** A random small CNN: a chain of blocks over a [1, C, 4, 4] tensor, head GAP -> Flatten -> Gemm. */
function randomModel(blocks: Block[], seed: number): Model {
  const g = new G(seed);
  const C = 4;
  let x = 'x';
  let k = 0;
  for (const b of blocks) {
    k++;
    switch (b) {
      case 'conv': x = g.conv(x, C, C, 3, `conv${k}`); break;
      case 'relu': x = g.node('Relu', [x], {}, `relu${k}`); break;
      case 'maxpool': x = g.node('MaxPool', [x], { kernel_shape: { type: 'ints', value: [3, 3] }, pads: { type: 'ints', value: [1, 1, 1, 1] } }, `pool${k}`); break;
      case 'residual': {
        const y = g.node('Relu', [g.conv(x, C, C, 3, `res${k}a`)], {}, `res${k}r`);
        x = g.node('Add', [g.conv(y, C, C, 3, `res${k}b`), x], {}, `add${k}`);
        break;
      }
      case 'concat': {
        const a = g.conv(x, C, C / 2, 1, `cat${k}a`);
        const p = g.node('MaxPool', [x], { kernel_shape: { type: 'ints', value: [1, 1] } }, `cat${k}p`);
        const c = g.conv(p, C, C / 2, 1, `cat${k}b`);
        x = g.node('Concat', [a, c], { axis: { type: 'int', value: 1 } }, `concat${k}`);
        break;
      }
      case 'se': {
        const s = g.node('Sigmoid', [g.conv(g.node('GlobalAveragePool', [x], {}, `se${k}g`), C, C, 1, `se${k}c`)], {}, `se${k}s`);
        x = g.node('Mul', [x, s], {}, `se${k}m`);
        break;
      }
    }
  }
  x = g.node('Flatten', [g.node('GlobalAveragePool', [x], {}, 'gap')], { axis: { type: 'int', value: 1 } }, 'flat');
  const out = g.node('Gemm', [x, g.weight('fc.w', [3, C]), g.weight('fc.b', [3])], { transB: { type: 'int', value: 1 } }, 'fc');
  return g.model([{ name: 'x', shape: [1, C, 4, 4] }], [out]);
}

const arbBlocks = fc.array(fc.constantFrom<Block>('conv', 'relu', 'maxpool', 'residual', 'concat', 'se'), { minLength: 1, maxLength: 6 });
const arbOptions: fc.Arbitrary<QuantizeOptions> = fc.oneof(
  fc.record({ case: fc.option(fc.constantFrom(...CASE_NAMES), { nil: undefined }), toolkitVersion: fc.constantFrom('0.1.0' as const, '0.2.0' as const), dedupe: fc.boolean(), shareScales: fc.boolean() }),
  fc.record({ preset: fc.constant('pytorch-quantization' as const), quantizeResidual: fc.boolean(), quantizeGap: fc.boolean(), naming: fc.constantFrom('qdqsim' as const, 'tf2onnx' as const) }),
  fc.record({ preset: fc.constant('tfmot' as const) }),
);

describe('Q/DQ insertion properties (random small CNNs x random options)', () => {
  it('insert then strip returns the original graph; scales positive and finite; per-channel lengths match; topological order kept; runs', () => {
    fc.assert(fc.property(arbBlocks, fc.integer({ min: 1, max: 1000 }), arbOptions, (blocks, seed, opts) => {
      const orig = randomModel(blocks, seed);
      const { model, report } = quantizeModel(orig, opts);
      const back = stripQdq(model);
      expect(back.graph.nodes).toEqual(orig.graph.nodes);
      expect([...back.graph.initializers.keys()].sort()).toEqual([...orig.graph.initializers.keys()].sort());
      const defined = new Set<string>(['x', ...model.graph.initializers.keys()]);
      for (const n of model.graph.nodes) {
        for (const i of n.inputs) if (i) expect(defined.has(i), `${n.name} reads ${i} before it is defined`).toBe(true);
        n.outputs.forEach((o) => defined.add(o));
        if (n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear') {
          const s = model.graph.initializers.get(n.inputs[1])!, z = model.graph.initializers.get(n.inputs[2])!;
          expect((s.data as Float32Array).every((v) => v > 0 && Number.isFinite(v))).toBe(true);
          expect(z.dtype).toBe(DataType.INT8);
          expect(z.dims).toEqual(s.dims);
        }
      }
      for (const q of report.quantizers) {
        if (q.axis === undefined) continue;
        expect(q.channels).toBe(orig.graph.initializers.get(q.tensor)!.dims[q.axis]);
      }
      const out = runModel(model, { x: makeTensor(DataType.FLOAT, [1, 4, 4, 4], Float32Array.from({ length: 64 }, (_, i) => Math.sin(i))) }).outputs;
      expect(Object.values(out)[0].data.length).toBe(3);
    }), { numRuns: 60, seed: 20261130 });
  });
});
