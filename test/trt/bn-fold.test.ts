/**
 * BatchNorm folding changes the arithmetic's structure, so the folded convolution is executed with the
 * reference interpreter and compared with Conv -> BatchNormalization bit for bit. The values are chosen
 * so every step is exact in float32 (small integers, BN factors that are powers of two), which makes a
 * bitwise comparison meaningful instead of needing a tolerance.
 */
import { describe, expect, it } from 'vitest';
import { runModel } from '../../src/sim/interp/run-model.ts';
import type { Tensor } from '../../src/sim/tensor.ts';
import { simulateEngine } from '../../src/trt/simulate.ts';
import { attr, f32 } from './fixtures/graph-kit.ts';
import { QdqKit } from './fixtures/small-graphs.ts';

/** Deterministic small integers (seeded LCG) so the test prints the same values every run. */
function ints(seed: number, n: number, lo: number, hi: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return lo + (s % (hi - lo + 1)); });
}

function convBn(quantW: boolean) {
  const g = new QdqKit();
  const x = g.input('x', [1, 3, 5, 5]);
  const cout = 4;
  const w = g.init('w', f32([cout, 3, 3, 3], (i) => ints(7, 108, -2, 2)[i]));
  const b = g.init('b', f32([cout], (i) => [1, -2, 0, 3][i]));
  let wt = w;
  let input = x;
  if (quantW) {
    input = g.qdq(x, 0.5);
    const s = g.init('ws', f32([cout], (i) => 0.25 * (i + 1)));
    wt = g.node('DequantizeLinear', [g.node('QuantizeLinear', [w, s], { attrs: { axis: attr.int(0) }, dims: [cout, 3, 3, 3] }), s], { attrs: { axis: attr.int(0) }, dims: [cout, 3, 3, 3] });
  }
  const c = g.node('Conv', [input, wt, b], { name: 'conv', dims: [1, cout, 5, 5], attrs: { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) } });
  const p = (name: string, v: number[]) => g.init(name, f32([cout], (i) => v[i]));
  const y = g.node('BatchNormalization', [c, p('gamma', [1, 2, -1, 0.5]), p('beta', [0, 1, -3, 2]), p('mean', [2, -1, 0, 4]), p('var', [1, 4, 16, 0.25])],
    { name: 'bn', out: 'y', attrs: { epsilon: attr.float(0) } });
  g.output(y);
  return g.model();
}

describe('BatchNorm folding', () => {
  it('the folded float convolution equals Conv -> BatchNormalization bit for bit', () => {
    const model = convBn(false);
    const engine = simulateEngine(model, { precision: 'fp32' });
    expect(engine.layers).toHaveLength(1);
    const layer = engine.layers[0];
    expect(layer.name).toBe('conv');
    expect(layer.nodes.map((n) => n.opType)).toEqual(['Conv', 'BatchNormalization']);
    const x: Tensor = f32([1, 3, 5, 5], (i) => ints(11, 75, -3, 3)[i]);
    const ref = runModel(model, { x }).outputs.y.data as Float32Array;
    const folded = structuredClone(model);
    folded.graph.initializers.set('w', layer.foldedWeight!);
    folded.graph.initializers.set('b', layer.foldedBias!);
    folded.graph.nodes = folded.graph.nodes.filter((n) => n.opType !== 'BatchNormalization');
    folded.graph.nodes[0].outputs = ['y'];
    const got = runModel(folded, { x }).outputs.y.data as Float32Array;
    expect(got.length).toBe(ref.length);
    for (let i = 0; i < ref.length; i++) {
      if (Object.is(got[i], ref[i])) continue;
      throw new Error(`element ${i}: folded ${got[i]} vs Conv+BN ${ref[i]}`);
    }
  });

  it('with INT8 weights the BN factor multiplies the per-channel weight scale', () => {
    const engine = simulateEngine(convBn(true), { precision: 'best' });
    const conv = engine.layers.find((l) => l.kind === 'convolution')!;
    expect(conv.compute).toBe('Int8');
    // f = gamma / sqrt(var): 1, 1, -0.25, 1; weight scales 0.25, 0.5, 0.75, 1
    expect(Array.from(conv.quant!.weightScales)).toEqual([0.25, 0.5, -0.1875, 1]);
    expect(conv.name).toBe('w + QuantizeLinear_2 + conv');
  });
});
