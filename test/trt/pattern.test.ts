import { describe, expect, it } from 'vitest';
import { Net } from '../../src/trt/net.ts';
import { alt, any, konst, match, node } from '../../src/trt/pattern.ts';
import { GraphKit, f32 } from './fixtures/graph-kit.ts';

/** x -> Relu -> Add(relu, c) with a constant c; plus a Sigmoid reading the Relu (fan-out 2). */
function net(fanOut: boolean): Net {
  const g = new GraphKit();
  const x = g.input('x', [1, 4]);
  const c = g.init('c', f32([1, 4]));
  const r = g.node('Relu', [x], { name: 'relu' });
  g.node('Add', [c, r], { name: 'add', out: 'y' });
  g.output('y');
  if (fanOut) { g.node('Sigmoid', [r], { name: 'sig', out: 's' }); g.output('s'); }
  return new Net(g.model().graph);
}

const byName = (n: Net, name: string) => [...n.nodes.values()].find((x) => x.name === name)!;

describe('pattern language', () => {
  it('matches ordered inputs and captures nodes and tensors', () => {
    const n = net(false);
    const p = node('Add', { name: 'a', inputs: [konst('k'), node('Relu', { name: 'r', inputs: [any('in')] })] });
    const m = match(p, byName(n, 'add'), n)!;
    expect(m.nodes.a.name).toBe('add');
    expect(m.nodes.r.name).toBe('relu');
    expect(m.tensors).toEqual({ k: 'c', in: 'x' });
  });

  it('ordered inputs fail in the wrong order; commutative inputs try both orders', () => {
    const n = net(false);
    const swapped = [node('Relu', { name: 'r' }), konst('k')] as const;
    expect(match(node('Add', { inputs: swapped }), byName(n, 'add'), n)).toBeNull();
    const m = match(node('Add', { inputs: swapped, commutative: true }), byName(n, 'add'), n)!;
    expect(m.nodes.r.name).toBe('relu');
    expect(m.tensors.k).toBe('c');
  });

  it('alternatives take the first that fits', () => {
    const n = net(false);
    const p = node('Add', { inputs: [konst('k'), alt(node('Sigmoid', { name: 's' }), node(['Relu', 'Clip'], { name: 'r' }))] });
    const m = match(p, byName(n, 'add'), n)!;
    expect(Object.keys(m.nodes)).toEqual(['r']);
  });

  it('singleUse rejects a producer whose output fans out', () => {
    const p = node('Add', { inputs: [konst(), node('Relu', { singleUse: true })] });
    expect(match(p, byName(net(false), 'add'), net(false))).not.toBeNull();
    const fan = net(true);
    expect(match(p, byName(fan, 'add'), fan)).toBeNull();
  });

  it('guards see the captures made so far', () => {
    const n = net(false);
    const seen: string[] = [];
    const p = node('Add', {
      name: 'a',
      inputs: [konst(), node('Relu', { where: (r, m) => { seen.push(`${r.name}<${m.nodes.a.name}`); return false; } })],
    });
    expect(match(p, byName(n, 'add'), n)).toBeNull();
    expect(seen).toEqual(['relu<add']);
  });

  it('a name used twice must bind the same node', () => {
    const g = new GraphKit();
    const x = g.input('x', [1, 4]);
    const a = g.node('Relu', [x], { name: 'a' });
    const b = g.node('Relu', [x], { name: 'b' });
    g.node('Mul', [a, b], { name: 'm', out: 'y' });
    g.node('Mul', [a, a], { name: 'sq', out: 'z' });
    const n = new Net(g.model().graph);
    const p = node('Mul', { inputs: [node('Relu', { name: 'r' }), node('Relu', { name: 'r' })] });
    expect(match(p, byName(n, 'm'), n)).toBeNull();
    expect(match(p, byName(n, 'sq'), n)).not.toBeNull();
  });
});
