import type { Graph, Model } from './graph.ts';

/**
 * A copy of the graph structure that edits can change freely: new node objects, input/output lists,
 * attribute records and maps. Tensors (initializer data) are shared, never copied — edits replace
 * initializers, they do not write into them.
 */
export function cloneGraph(g: Graph): Graph {
  return {
    ...g,
    nodes: g.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } })),
    inputs: [...g.inputs],
    outputs: [...g.outputs],
    initializers: new Map(g.initializers),
    valueInfo: new Map(g.valueInfo),
  };
}

export function cloneModel(m: Model): Model {
  return { ...m, graph: cloneGraph(m.graph) };
}
