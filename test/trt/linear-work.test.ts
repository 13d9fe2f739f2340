/**
 * The simulator's rewrite work must grow linearly with the network (issue 6: 10k-node encoders). Timing is
 * not asserted here; the work is counted instead. BERT encoder layers are identical, so every count is an
 * exact affine function of the depth L: count(L) = a·L + b. A pass that rescans the whole network per edit,
 * or every reader of a widely read tensor (the attention mask) per reader, adds an L² term and breaks
 * count(24) - count(12) = 2·(count(12) - count(6)).
 * Also: the linear-time sweep order (a counting sort) gives exactly the (ONNX position, creation) order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/trt/build-options.ts';
import { runPasses, type PassWork } from '../../src/trt/driver.ts';
import { Net, type SimNode } from '../../src/trt/net.ts';
import { checkParser } from '../../src/trt/parser-checks.ts';
import { passesFor } from '../../src/trt/rules/index.ts';
import { bertEncoder } from './fixtures/bert-encoder.ts';
import { SEED } from './fixtures/random-qdq-graph.ts';

/** Every counter of one simulation, by name: per pass (sweeps, node visits, rule attempts) and the worklist's. */
function workCounts(layers: number): Map<string, number> {
  const options = resolveOptions({});
  const net = new Net(bertEncoder({ layers }).graph);
  checkParser(net, options);
  const work: Record<string, PassWork> = {};
  runPasses(passesFor(options.version), { net, options }, { work });
  const counts = new Map<string, number>();
  for (const [pass, w] of Object.entries(work)) {
    counts.set(`${pass}.visits`, w.visits);
    counts.set(`${pass}.attempts`, w.attempts);
    counts.set(`${pass}.sweeps`, w.sweeps);
  }
  counts.set('worklist.collected', net.work.touchedCollected);
  counts.set('worklist.readersScanned', net.work.readersScanned);
  return counts;
}

describe('rewrite work on BERT encoders', () => {
  // Depths above the worklist's narrow-tensor threshold (net.ts NARROW_READERS = 4): the attention mask has
  // one reader per layer, and below the threshold it is rescanned per reader instead of once (still linear, but
  // a different affine function, so the three depths must sit on the same side of it).
  const [w6, w12, w24] = [6, 12, 24].map(workCounts);

  it('counts every pass', () => {
    expect([...w6.keys()].filter((k) => k.endsWith('.visits')).map((k) => k.split('.')[0])).toEqual(['const', 'import', 'epilogue', 'propagate', 'fuse', 'lower']);
    for (const [k, v] of w6) if (!k.endsWith('.sweeps')) expect(v, k).toBeGreaterThan(0);
  });

  it('grows linearly with depth: count(24) - count(12) = 2·(count(12) - count(6)), exactly', () => {
    for (const [k, c6] of w6) {
      const c12 = w12.get(k)!, c24 = w24.get(k)!;
      expect({ counter: k, step: c24 - c12 }).toEqual({ counter: k, step: 2 * (c12 - c6) });
    }
  });

  it('sweeps per pass do not grow with depth', () => {
    for (const [k, c6] of w6) if (k.endsWith('.sweeps')) expect({ counter: k, sweeps: w24.get(k) }).toEqual({ counter: k, sweeps: c6 });
  });

  it('visits per node stay within a few sweeps of the network', () => {
    // every node is visited once by the first sweep of each of the 6 passes; later sweeps visit only the
    // neighbourhood of edits. Measured: 8.2 per node at every depth; the bound guards against regressions
    const nodes = bertEncoder({ layers: 24 }).graph.nodes.length;
    let visits = 0;
    for (const [k, v] of w24) if (k.endsWith('.visits')) visits += v;
    expect(visits / nodes).toBeLessThan(12);
  });
});

describe('sweep order', () => {
  // after the passes: fused units and clones sit among the ONNX nodes, with orders borrowed from them
  const options = resolveOptions({});
  const net = new Net(bertEncoder({ layers: 3 }).graph);
  runPasses(passesFor(options.version), { net, options });
  // ties on the ONNX position (a clone keeps its original's) are rare in real graphs: make plenty
  const originals = [...net.nodes.values()];
  originals.forEach((n, k) => {
    if (k % 2 === 0) net.add({ op: 'Identity', name: `tie${k}`, inputs: [], outputs: [net.freshTensor('tie')], attrs: {}, order: n.order });
  });
  const live = [...net.nodes.values()];
  const byComparison = (nodes: SimNode[]) => [...nodes].sort((a, b) => a.order - b.order || a.id - b.id).map((n) => n.id);

  it('the counting sort lists every live node as (ONNX position, creation) order does', () => {
    expect(net.sweepOrder().map((n) => n.id)).toEqual(byComparison(live));
  });

  it('any subset in any order (both the counting and the comparison path) comes out in that order', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(live, { minLength: 0 }), fc.array(fc.nat(), { maxLength: live.length }), (subset, swaps) => {
        const input = [...subset];
        swaps.forEach((k, i) => { if (input.length > 1) { const j = k % input.length, t = input[i % input.length]; input[i % input.length] = input[j]; input[j] = t; } });
        expect(net.inSweepOrder([...input]).map((n) => n.id)).toEqual(byComparison(input));
      }),
      { seed: SEED, numRuns: 200, verbose: true },
    );
  });
});
