/**
 * The driver's later sweeps visit only the neighbourhood of the previous sweep's edits. That must give the
 * same engine as revisiting every node: checked on the ground-truth models and on seeded random graphs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../src/sim/ir/graph.ts';
import { resolveOptions } from '../../src/trt/build-options.ts';
import { TrtBuildError } from '../../src/trt/build-error.ts';
import { runPasses } from '../../src/trt/driver.ts';
import { lowerNet } from '../../src/trt/lower.ts';
import { Net } from '../../src/trt/net.ts';
import { checkParser } from '../../src/trt/parser-checks.ts';
import { passesFor } from '../../src/trt/rules/index.ts';
import { resnet18Pytorch } from './fixtures/resnet18-pytorch.ts';
import { resnet50Tf } from './fixtures/resnet50-tf.ts';
import { RUNS, SEED, STEPS, randomQdqModel } from './fixtures/random-qdq-graph.ts';

function engine(model: Model, fullSweeps: boolean): string[] {
  const options = resolveOptions({ precision: 'best' });
  const net = new Net(model.graph);
  checkParser(net, options);
  runPasses(passesFor(options.version), { net, options }, { fullSweeps });
  return lowerNet(net, options).map((l) => `${l.name} | ${l.layerType} | ${l.inputs.map((t) => `${t.name}:${t.precision}`).join(',')} -> ${l.outputs.map((t) => `${t.name}:${t.precision}`).join(',')}`);
}

describe('worklist sweeps give the same engine as full sweeps', () => {
  it('on the ground-truth models', () => {
    for (const m of [resnet18Pytorch('qat'), resnet18Pytorch('qat-residual'), resnet18Pytorch('qat-residual-qgap'), resnet50Tf('qat'), resnet50Tf('fp32')]) {
      expect(engine(m, false)).toEqual(engine(m, true));
    }
  });

  it('on random Q/DQ graphs', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...STEPS), { minLength: 1, maxLength: 14 }), (steps) => {
        let full: string[];
        try {
          full = engine(randomQdqModel(steps), true);
        } catch (e) {
          if (e instanceof TrtBuildError) return;
          throw e;
        }
        expect(engine(randomQdqModel(steps), false), `steps ${steps.join(',')}`).toEqual(full);
      }),
      { seed: SEED, numRuns: RUNS, verbose: true },
    );
  });
});
