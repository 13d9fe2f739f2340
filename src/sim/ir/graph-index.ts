import type { Graph, Node } from './graph.ts';
import { GraphError } from './graph-error.ts';

/** One use of a value: the node and which of its input (or output) slots. */
export interface Port {
  node: Node;
  index: number;
}

/** Producer/consumer maps of a graph. Graph inputs and initializers have no producer node. */
export interface GraphIndex {
  /** value name -> the node output that produces it */
  producer: Map<string, Port>;
  /** value name -> every node input slot that reads it, in node order */
  consumers: Map<string, Port[]>;
  /** values that exist before any node runs: graph inputs and initializers */
  sources: Set<string>;
  /** names of graph outputs */
  outputs: Set<string>;
}

/**
 * Builds the producer/consumer maps. Throws a GraphError when two nodes (or a node and a graph
 * input/initializer) produce the same value name, naming both.
 */
export function indexGraph(g: Graph): GraphIndex {
  const producer = new Map<string, Port>();
  const consumers = new Map<string, Port[]>();
  const sources = new Set<string>();
  for (const v of g.inputs) sources.add(v.name);
  for (const name of g.initializers.keys()) sources.add(name);
  for (const node of g.nodes) {
    node.outputs.forEach((out, index) => {
      if (out === '') return;
      const prev = producer.get(out);
      if (prev) {
        throw new GraphError(`output '${out}' is also produced by node '${prev.node.name}' (${prev.node.opType})`, { node, tensor: out });
      }
      if (sources.has(out)) {
        throw new GraphError(`output '${out}' has the name of a graph input or initializer`, { node, tensor: out });
      }
      producer.set(out, { node, index });
    });
  }
  for (const node of g.nodes) {
    node.inputs.forEach((inp, index) => {
      if (inp === '') return;
      let list = consumers.get(inp);
      if (!list) consumers.set(inp, (list = []));
      list.push({ node, index });
    });
  }
  return { producer, consumers, sources, outputs: new Set(g.outputs.map((o) => o.name)) };
}

/** A node input (or graph output) that nothing produces. */
export interface DanglingEdge {
  /** the value name that has no producer */
  tensor: string;
  /** the node reading it, or undefined when it is a graph output */
  node?: Node;
  index: number;
}

/** Every value that is read (by a node or as a graph output) but produced by no node, input or initializer. */
export function findDanglingEdges(g: Graph, index: GraphIndex = indexGraph(g)): DanglingEdge[] {
  const out: DanglingEdge[] = [];
  const known = (name: string) => index.sources.has(name) || index.producer.has(name);
  for (const node of g.nodes) {
    node.inputs.forEach((inp, i) => {
      if (inp !== '' && !known(inp)) out.push({ tensor: inp, node, index: i });
    });
  }
  g.outputs.forEach((o, i) => {
    if (!known(o.name)) out.push({ tensor: o.name, index: i });
  });
  return out;
}

/** Throws a GraphError for the first dangling edge, naming the node and tensor. */
export function assertNoDanglingEdges(g: Graph, index: GraphIndex = indexGraph(g)): void {
  const d = findDanglingEdges(g, index);
  if (d.length === 0) return;
  const first = d[0];
  const more = d.length > 1 ? ` (and ${d.length - 1} more dangling edge${d.length > 2 ? 's' : ''})` : '';
  if (first.node) {
    throw new GraphError(`input ${first.index} '${first.tensor}' is not produced by any node, graph input or initializer${more}`,
      { node: first.node, tensor: first.tensor });
  }
  throw new GraphError(`graph output '${first.tensor}' is not produced by any node, graph input or initializer${more}`,
    { tensor: first.tensor });
}

/** Min-heap of node positions, so Kahn's algorithm picks ready nodes in their original order. */
class IndexHeap {
  private a: number[] = [];
  get size(): number { return this.a.length; }
  push(v: number): void {
    const a = this.a;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= v) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && a[r] < a[l] ? r : l;
        if (a[c] >= last) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}

/**
 * Topological order of the graph's nodes (Kahn's algorithm). Stable: among nodes that are ready at
 * the same time the one earlier in `g.nodes` comes first, so an already sorted graph keeps its order.
 * Edges to values that nothing produces are ignored here (see findDanglingEdges). On a cycle, throws a
 * GraphError that names the nodes of one cycle in order.
 */
export function topoOrder(g: Graph, index: GraphIndex = indexGraph(g)): Node[] {
  const pos = new Map<Node, number>();
  g.nodes.forEach((n, i) => pos.set(n, i));
  const indeg = new Int32Array(g.nodes.length);
  const succ: number[][] = g.nodes.map(() => []);
  g.nodes.forEach((node, i) => {
    const seen = new Set<number>();
    for (const inp of node.inputs) {
      if (inp === '') continue;
      const p = index.producer.get(inp);
      if (!p) continue;
      const j = pos.get(p.node)!;
      if (seen.has(j)) continue;
      seen.add(j);
      succ[j].push(i);
      indeg[i]++;
    }
  });
  const heap = new IndexHeap();
  indeg.forEach((d, i) => { if (d === 0) heap.push(i); });
  const order: Node[] = [];
  while (heap.size > 0) {
    const i = heap.pop();
    order.push(g.nodes[i]);
    for (const j of succ[i]) if (--indeg[j] === 0) heap.push(j);
  }
  if (order.length !== g.nodes.length) {
    const cycle = findCycle(g, succ, indeg);
    const names = cycle.map((i) => `'${g.nodes[i].name}' (${g.nodes[i].opType})`);
    throw new GraphError(`the graph has a cycle: ${names.join(' -> ')} -> '${g.nodes[cycle[0]].name}'`,
      { node: g.nodes[cycle[0]] });
  }
  return order;
}

/** One cycle among the nodes Kahn's algorithm could not order (indeg > 0), as node positions in order. */
function findCycle(g: Graph, succ: number[][], indeg: Int32Array): number[] {
  const state = new Uint8Array(g.nodes.length); // 0 new, 1 on stack, 2 done
  for (let start = 0; start < g.nodes.length; start++) {
    if (indeg[start] === 0 || state[start] !== 0) continue;
    // iterative DFS restricted to the unordered nodes
    const stack: { v: number; next: number }[] = [{ v: start, next: 0 }];
    const path: number[] = [start];
    state[start] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const edges = succ[top.v];
      if (top.next < edges.length) {
        const w = edges[top.next++];
        if (indeg[w] === 0) continue;
        if (state[w] === 1) return path.slice(path.indexOf(w));
        if (state[w] === 0) {
          state[w] = 1;
          stack.push({ v: w, next: 0 });
          path.push(w);
        }
      } else {
        state[top.v] = 2;
        stack.pop();
        path.pop();
      }
    }
  }
  // Unreachable when indeg says some node is unordered: every such node lies on or behind a cycle.
  return [g.nodes.findIndex((_, i) => indeg[i] > 0)];
}

/** True when every node's inputs are produced by earlier nodes, inputs or initializers (dangling edges ignored). */
export function isTopologicallySorted(g: Graph, index: GraphIndex = indexGraph(g)): boolean {
  const done = new Set<Node>();
  for (const node of g.nodes) {
    for (const inp of node.inputs) {
      const p = inp === '' ? undefined : index.producer.get(inp);
      if (p && !done.has(p.node)) return false;
    }
    done.add(node);
  }
  return true;
}

/** Reorders `g.nodes` in place into topological order (stable). Returns the graph. */
export function sortGraph(g: Graph): Graph {
  g.nodes = topoOrder(g);
  return g;
}

/**
 * Stable node naming: every node without a name, or whose name repeats an earlier node's, is named
 * `<OpType>_<index>` with index its position in `g.nodes` (the legacy PyTorch exporter's style);
 * should that name be taken too, `_1`, `_2`, ... is appended. Named, unique nodes keep their names.
 * Returns the number of nodes renamed.
 */
export function assignStableNames(g: Graph): number {
  const taken = new Set<string>();
  for (const n of g.nodes) if (n.name) taken.add(n.name);
  const used = new Set<string>();
  let renamed = 0;
  g.nodes.forEach((n, i) => {
    if (n.name && !used.has(n.name)) {
      used.add(n.name);
      return;
    }
    let name = `${n.opType}_${i}`;
    for (let k = 1; used.has(name) || (taken.has(name) && name !== n.name); k++) name = `${n.opType}_${i}_${k}`;
    n.name = name;
    used.add(name);
    taken.add(name);
    renamed++;
  });
  return renamed;
}

/**
 * Structural validation run before shape inference or execution: unique producers, no dangling edges,
 * no cycle. Returns the nodes in topological order.
 */
export function validateGraph(g: Graph): { index: GraphIndex; order: Node[] } {
  const index = indexGraph(g);
  assertNoDanglingEdges(g, index);
  const order = topoOrder(g, index);
  return { index, order };
}
