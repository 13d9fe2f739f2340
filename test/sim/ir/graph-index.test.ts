import { describe, expect, it } from 'vitest';
import { DataType } from '../../../src/sim/data-type.ts';
import type { Graph, Node } from '../../../src/sim/ir/graph.ts';
import { GraphError } from '../../../src/sim/ir/graph-error.ts';
import {
  assertNoDanglingEdges, assignStableNames, findDanglingEdges, indexGraph, isTopologicallySorted, sortGraph, topoOrder, validateGraph,
} from '../../../src/sim/ir/graph-index.ts';

const node = (name: string, opType: string, inputs: string[], outputs: string[]): Node => ({ name, opType, domain: '', inputs, outputs, attrs: {} });

function graph(nodes: Node[], outputs = ['y']): Graph {
  return {
    name: 'g', nodes,
    inputs: [{ name: 'x', dtype: DataType.FLOAT, shape: [1] }],
    outputs: outputs.map((name) => ({ name, dtype: DataType.FLOAT })),
    initializers: new Map([['w', { dtype: DataType.FLOAT, dims: [1], data: new Float32Array(1) }]]),
    valueInfo: new Map(),
  };
}

// x -> A -> a -> B(a, w) -> b -> C(a, b) -> y
const chain = () => [node('A', 'Relu', ['x'], ['a']), node('B', 'Mul', ['a', 'w'], ['b']), node('C', 'Add', ['a', 'b'], ['y'])];

describe('graph index', () => {
  it('maps producers and consumers', () => {
    const g = graph(chain());
    const ix = indexGraph(g);
    expect(ix.producer.get('b')?.node.name).toBe('B');
    expect(ix.producer.has('x')).toBe(false);
    expect(ix.consumers.get('a')?.map((p) => `${p.node.name}:${p.index}`)).toEqual(['B:0', 'C:0']);
    expect([...ix.sources].sort()).toEqual(['w', 'x']);
  });

  it('refuses a value produced twice, naming both nodes', () => {
    const g = graph([node('A', 'Relu', ['x'], ['a']), node('B', 'Relu', ['x'], ['a']), node('C', 'Relu', ['a'], ['y'])]);
    expect(() => indexGraph(g)).toThrow(/node 'B' \(Relu\): tensor 'a': output 'a' is also produced by node 'A' \(Relu\)/);
    const g2 = graph([node('A', 'Relu', ['x'], ['w'])], ['w']);
    expect(() => indexGraph(g2)).toThrow(/has the name of a graph input or initializer/);
  });

  it('orders topologically and stably', () => {
    const [a, b, c] = chain();
    expect(topoOrder(graph([c, b, a])).map((n) => n.name)).toEqual(['A', 'B', 'C']);
    const g = graph([a, b, c]);
    expect(isTopologicallySorted(g)).toBe(true);
    expect(topoOrder(g).map((n) => n.name)).toEqual(['A', 'B', 'C']);
    // independent nodes keep their relative order
    const p = node('P', 'Relu', ['x'], ['p']);
    const q = node('Q', 'Relu', ['x'], ['q']);
    const r = node('R', 'Add', ['p', 'q'], ['y']);
    expect(topoOrder(graph([r, q, p])).map((n) => n.name)).toEqual(['Q', 'P', 'R']);
    const h = graph([c, b, a]);
    expect(isTopologicallySorted(h)).toBe(false);
    sortGraph(h);
    expect(h.nodes.map((n) => n.name)).toEqual(['A', 'B', 'C']);
  });

  it('names the nodes of a cycle in order', () => {
    const g = graph([
      node('In', 'Relu', ['x'], ['i']),
      node('A', 'Add', ['i', 'c'], ['a']),
      node('B', 'Relu', ['a'], ['b']),
      node('C', 'Relu', ['b'], ['c']),
      node('Out', 'Relu', ['c'], ['y']),
    ]);
    let err: unknown;
    try { topoOrder(g); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(GraphError);
    expect((err as Error).message).toMatch(/the graph has a cycle: 'A' \(Add\) -> 'B' \(Relu\) -> 'C' \(Relu\) -> 'A'/);
    const self = graph([node('S', 'Add', ['x', 's'], ['s']), node('T', 'Relu', ['s'], ['y'])]);
    expect(() => topoOrder(self)).toThrow(/cycle: 'S' \(Add\) -> 'S'/);
  });

  it('finds dangling edges: node inputs and graph outputs nobody produces', () => {
    const g = graph([node('A', 'Add', ['x', 'ghost'], ['a']), node('B', 'Relu', ['a'], ['b'])], ['b', 'missing']);
    const d = findDanglingEdges(g);
    expect(d.map((e) => `${e.node?.name ?? '<output>'}:${e.tensor}`)).toEqual(['A:ghost', '<output>:missing']);
    expect(() => assertNoDanglingEdges(g)).toThrow(/node 'A' \(Add\): tensor 'ghost': input 1 'ghost' is not produced by any node, graph input or initializer \(and 1 more dangling edge\)/);
    expect(() => validateGraph(g)).toThrow(GraphError);
    // optional inputs ('') are not edges
    expect(findDanglingEdges(graph([node('A', 'Clip', ['x', '', ''], ['y'])]))).toEqual([]);
  });

  it('assigns stable <OpType>_<index> names to anonymous and duplicate nodes only', () => {
    const g = graph([
      node('', 'Conv', ['x'], ['a']),
      node('keep', 'Relu', ['a'], ['b']),
      node('keep', 'Relu', ['b'], ['c']),
      node('Conv_0', 'Relu', ['c'], ['y']),
    ]);
    expect(assignStableNames(g)).toBe(2);
    expect(g.nodes.map((n) => n.name)).toEqual(['Conv_0_1', 'keep', 'Relu_2', 'Conv_0']);
    expect(assignStableNames(g)).toBe(0); // idempotent
  });
});
