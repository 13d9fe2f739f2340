/**
 * Property: on random Q/DQ graphs (chains with residual branches of Conv, Relu, MaxPool, Add, Sigmoid, Pad,
 * Concat, AveragePool and Q/DQ pairs) the simulator either returns an engine or throws TensorRT's refusal —
 * never another error — and the engine is a valid schedule: every layer input is a network input or written
 * by an earlier layer, every network output is written by a layer, and no layer name repeats.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TrtBuildError } from '../../src/trt/build-error.ts';
import { lintModel } from '../../src/trt/lint.ts';
import { simulateEngine } from '../../src/trt/simulate.ts';
import { RUNS, SEED, STEPS, randomQdqModel as model } from './fixtures/random-qdq-graph.ts';

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
