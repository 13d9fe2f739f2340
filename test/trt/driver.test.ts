import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../src/trt/build-options.ts';
import { RewriteLimitError, runPasses } from '../../src/trt/driver.ts';
import { Net } from '../../src/trt/net.ts';
import { node } from '../../src/trt/pattern.ts';
import type { Pass } from '../../src/trt/rule.ts';
import { GraphKit } from './fixtures/graph-kit.ts';

function chain(ops: string[]): Net {
  const g = new GraphKit();
  let t = g.input('x', [1, 4]);
  ops.forEach((op, i) => { t = g.node(op, [t], { name: `${op}${i}` }); });
  g.output(t);
  return new Net(g.model().graph);
}

/** Relu(Relu(x)) -> Relu(x): removes the second of two adjacent Relus. */
const dedupe: Pass = {
  id: 'test', title: 'dedupe relu', rules: [{
    id: 'test.relu-relu', summary: 'Relu -> Relu  ->  Relu', source: 'test',
    pattern: node('Relu', { name: 'outer', inputs: [node('Relu', { name: 'inner', singleUse: true })] }),
    rewrite(m, { net }) {
      const { outer, inner } = m.nodes;
      const out = outer.outputs[0];
      net.remove(outer);
      net.setOutput(inner, 0, out);
    },
  }],
};

describe('rewrite driver', () => {
  it('runs to a fixed point and traces every firing in topological order', () => {
    const n = chain(['Relu', 'Relu', 'Relu', 'Relu']);
    const trace = runPasses([dedupe], { net: n, options: resolveOptions() });
    expect([...n.nodes.values()].map((x) => x.name)).toEqual(['Relu0']);
    expect(trace.map((t) => t.matched)).toEqual([['Relu1', 'Relu0'], ['Relu2', 'Relu0'], ['Relu3', 'Relu0']]);
    expect(trace.every((t) => t.rule === 'test.relu-relu' && t.pass === 'test')).toBe(true);
  });

  it('is deterministic: the same input gives the same trace', () => {
    const a = runPasses([dedupe], { net: chain(['Relu', 'Sigmoid', 'Relu', 'Relu']), options: resolveOptions() });
    const b = runPasses([dedupe], { net: chain(['Relu', 'Sigmoid', 'Relu', 'Relu']), options: resolveOptions() });
    expect(a).toEqual(b);
    expect(a).toHaveLength(1);
  });

  it('records created nodes', () => {
    const n = chain(['Relu']);
    const grow: Pass = {
      id: 'grow', title: 'wrap', rules: [{
        id: 'grow.wrap', summary: 'Relu -> Sigmoid(Relu)', source: 'test',
        pattern: node('Relu', { name: 'r', where: (r) => !r.name.endsWith('!') }),
        rewrite(m, { net }) {
          const r = m.nodes.r;
          r.name += '!';
          const out = r.outputs[0];
          const mid = net.freshTensor(out);
          net.setOutput(r, 0, mid);
          net.add({ op: 'Sigmoid', name: 'sig', inputs: [mid], outputs: [out], attrs: {}, order: r.order });
        },
      }],
    };
    const trace = runPasses([grow], { net: n, options: resolveOptions() });
    expect(trace).toEqual([{ pass: 'grow', rule: 'grow.wrap', matched: ['Relu0'], created: ['sig'] }]);
  });

  it('stops an oscillating rule set with an error naming the rule', () => {
    const flip: Pass = {
      id: 'flip', title: 'flip', rules: [
        { id: 'flip.a', summary: 'Relu -> Sigmoid', source: 'test', pattern: node('Relu', { name: 'n' }), rewrite: (m) => { m.nodes.n.op = 'Sigmoid'; } },
        { id: 'flip.b', summary: 'Sigmoid -> Relu', source: 'test', pattern: node('Sigmoid', { name: 'n' }), rewrite: (m) => { m.nodes.n.op = 'Relu'; } },
      ],
    };
    expect(() => runPasses([flip], { net: chain(['Relu']), options: resolveOptions() })).toThrow(RewriteLimitError);
    expect(() => runPasses([flip], { net: chain(['Relu']), options: resolveOptions() })).toThrow(/flip\.(a|b)@Relu0/);
  });
});
