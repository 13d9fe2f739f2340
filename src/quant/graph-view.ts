/**
 * A read-only view of a Graph for placement decisions: producers, consumers, constants.
 * Built once per pass; insertion works on a copy of the graph and never consults a stale view.
 */
import type { Graph, Node } from '../sim/ir/graph.ts';
import type { Tensor } from '../sim/tensor.ts';
import { DataType } from '../sim/data-type.ts';

export interface Use {
  node: Node;
  index: number;
}

/** Ops that only move data around (layout / identity) and are looked through when finding a "parent layer". */
export const TRANSPARENT_OPS: ReadonlySet<string> = new Set(['Identity', 'Transpose']);

export class GraphView {
  readonly producers = new Map<string, Node>();
  readonly consumers = new Map<string, Use[]>();
  readonly constants = new Map<string, Tensor>();
  readonly graphOutputs: ReadonlySet<string>;
  readonly byName = new Map<string, Node>();

  constructor(readonly graph: Graph) {
    for (const [name, t] of graph.initializers) this.constants.set(name, t);
    for (const n of graph.nodes) {
      this.byName.set(n.name, n);
      n.outputs.forEach((o) => { if (o) this.producers.set(o, n); });
      n.inputs.forEach((i, index) => {
        if (!i) return;
        let list = this.consumers.get(i);
        if (!list) this.consumers.set(i, (list = []));
        list.push({ node: n, index });
      });
      if (n.opType === 'Constant' && n.domain === '' && n.attrs.value?.type === 'tensor') {
        this.constants.set(n.outputs[0], n.attrs.value.value);
      }
    }
    this.graphOutputs = new Set(graph.outputs.map((o) => o.name));
  }

  usesOf(tensor: string): Use[] {
    return this.consumers.get(tensor) ?? [];
  }

  isConstant(tensor: string): boolean {
    return this.constants.has(tensor);
  }

  /** Known element type of a value, or undefined when neither the graph nor value_info says. */
  dtypeOf(tensor: string): DataType | undefined {
    const c = this.constants.get(tensor);
    if (c) return c.dtype;
    const vi = this.graph.valueInfo.get(tensor) ?? this.graph.inputs.find((v) => v.name === tensor)
      ?? this.graph.outputs.find((v) => v.name === tensor);
    return vi?.dtype;
  }

  /** Non-constant, non-empty inputs of a node, by index. */
  activationInputs(node: Node): number[] {
    const out: number[] = [];
    node.inputs.forEach((t, i) => { if (t && !this.isConstant(t)) out.push(i); });
    return out;
  }

  /** The node producing `tensor`, looking through Identity/Transpose; undefined for graph inputs/constants. */
  parentLayer(tensor: string): Node | undefined {
    let p = this.producers.get(tensor);
    while (p && TRANSPARENT_OPS.has(p.opType) && p.inputs[0] && !this.isConstant(p.inputs[0])) {
      p = this.producers.get(p.inputs[0]);
    }
    return p;
  }

  /** Consumers of a tensor, expanding through Identity/Transpose nodes (Keras "outbound nodes"). */
  effectiveUses(tensor: string): Use[] {
    const out: Use[] = [];
    for (const u of this.usesOf(tensor)) {
      if (TRANSPARENT_OPS.has(u.node.opType)) out.push(...this.effectiveUses(u.node.outputs[0]));
      else out.push(u);
    }
    return out;
  }

  /** Number of consumers of a node's outputs (graph outputs count as one consumer each). */
  outboundCount(node: Node): number {
    let n = 0;
    for (const o of node.outputs) {
      if (!o) continue;
      n += this.effectiveUses(o).length + (this.graphOutputs.has(o) ? 1 : 0);
    }
    return n;
  }
}
