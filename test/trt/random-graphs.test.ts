/**
 * Property: on random Q/DQ graphs  (chains with residual branches of Conv, Relu, MaxPool, Add, Sigmoid, Pad,
 * Concat, AveragePool and Q/DQ pairs) the simulator either returns an engine or throws TensorRT's refusal — never another
 * error — and the engine is a valid schedule: every layer input is a network input or written by an
 * earlier layer, every network output is written by a layer, and no layer name repeats.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataType } from '../../src/sim/data-type.ts';
import { TrtBuildError } from '../../src/trt/build-error.ts';
import type { Model } from '../../src/sim/ir/graph.ts';
import { lintModel } from '../../src/trt/lint.ts';
import { simulateEngine } from '../../src/trt/simulate.ts';
import { attr } from './fixtures/graph-kit.ts';
import { QdqKit } from './fixtures/small-graphs.ts';

const SEED = Number(process.env.QDQSIM_SEED ?? 20261130);
const RUNS = Number(process.env.QDQSIM_RUNS ?? 300);
const STEPS = ['qdq', 'qdq2', 'conv', 'fconv', 'relu', 'maxpool', 'add', 'sigmoid', 'pad', 'concat', 'avgpool', 'qdq'] as const;
type Step = (typeof STEPS)[number];

function model(steps: Step[]): Model {
  const g = new QdqKit();
  let x = g.input('x', [1, 8, 6, 6]);
  const seen: string[] = [x];
  steps.forEach((s, i) => {
    switch (s) {
      case 'qdq': x = g.qdq(x, 0.1); break;
      case 'qdq2': x = g.qdq(x, 0.2); break;
      case 'conv': x = g.conv(x, 8, { name: `conv${i}`, k: 3 }); break;
      case 'fconv': x = g.conv(x, 8, { name: `fconv${i}`, k: 3, quantW: false }); break;
      case 'relu': x = g.node('Relu', [x]); break;
      case 'sigmoid': x = g.node('Sigmoid', [x]); break;
      case 'maxpool': x = g.node('MaxPool', [x], { attrs: { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) } }); break;
      case 'add': x = g.node('Add', [x, seen[(i * 7) % seen.length]]); break;
      case 'concat': {
        const cat = g.node('Concat', [x, seen[(i * 5) % seen.length]], { dims: [1, 16, 6, 6], attrs: { axis: attr.int(1) } });
        x = g.conv(g.qdq(cat, 0.1), 8, { name: `cat_conv${i}` });
        break;
      }
      case 'avgpool': x = g.node('AveragePool', [x], { attrs: { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) } }); break;
      case 'pad': {
        const pads = g.init(`pads${i}`, { dtype: DataType.INT64, dims: [8], data: BigInt64Array.from([0n, 0n, 1n, 1n, 0n, 0n, 1n, 1n]) });
        const p = g.node('Pad', [x, pads], { dims: [1, 8, 8, 8] });
        x = g.node('MaxPool', [p], { dims: [1, 8, 6, 6], attrs: { kernel_shape: attr.ints([3, 3]) } });
        break;
      }
    }
    seen.push(x);
  });
  g.output(x);
  return g.model();
}

describe('random Q/DQ graphs', () => {
  it('simulate to a valid schedule or a TensorRT refusal', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...STEPS), { minLength: 1, maxLength: 14 }), fc.constantFrom('best' as const, 'int8' as const), (steps, precision) => {
        let engine;
        try {
          engine = simulateEngine(model(steps), { precision });
        } catch (e) {
          if (e instanceof TrtBuildError) return;
          throw new Error(`steps ${steps.join(',')}: ${(e as Error).stack}`);
        }
        const written = new Set<string>(engine.bindings.inputs);
        const names = new Set<string>();
        for (const l of engine.layers) {
          for (const t of l.inputs) if (!written.has(t.name)) throw new Error(`steps ${steps.join(',')}: layer '${l.name}' reads '${t.name}' before it is written`);
          for (const t of l.outputs) written.add(t.name);
          expect(names.has(l.name), `duplicate layer name ${l.name}`).toBe(false);
          names.add(l.name);
        }
        for (const o of engine.bindings.outputs) expect(written.has(o), `output ${o} not written (steps ${steps.join(',')})`).toBe(true);
      }),
      { seed: SEED, numRuns: RUNS, verbose: true },
    );
  });

  it('lint never fails on them; its fixed model re-simulates to the engine it reports', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...STEPS), { minLength: 1, maxLength: 10 }), (steps) => {
        let r;
        try {
          r = lintModel(model(steps));
        } catch (e) {
          if (e instanceof TrtBuildError) return;
          throw new Error(`steps ${steps.join(',')}: ${(e as Error).stack}`);
        }
        for (const f of r.findings) expect(f.nodes.length > 0 && f.why.length > 0 && f.fix.length > 0).toBe(true);
        expect(simulateEngine(r.fixedModel).summary).toEqual(r.fixedEngine.summary);
      }),
      { seed: SEED, numRuns: Math.ceil(RUNS / 5), verbose: true },
    );
  });
});
