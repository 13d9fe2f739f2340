/**
 * The simulator's working network: a mutable copy of the ONNX graph that rewrite rules edit in place.
 * It mirrors what TensorRT does after parsing — a network of layers that optimizer passes fuse — so a
 * node here is either an ONNX node not yet touched, or a fused unit (`trt.*` op) that remembers every
 * ONNX node it absorbed. The original Model is never modified.
 */
import type { Attribute, Graph, Node } from '../sim/ir/graph.ts';
import type { Tensor } from '../sim/tensor.ts';
import type { FusedUnit } from './fused-unit.ts';

export interface SimNode {
  /** Unique for the life of the network; never reused. */
  readonly id: number;
  /** ONNX op type, or a fused unit kind (`trt.Conv`, `trt.QWeight`, ...). */
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, Attribute>;
  /** Position of the earliest absorbed ONNX node in the model's node list: orders layers, breaks ties. */
  order: number;
  /** The ONNX node this SimNode was created from (undefined for fused units). */
  onnx?: Node;
  /** Set on fused units: what they absorbed and how. */
  unit?: FusedUnit;
  /** Short notes on why the node ended up the way it did (shown by `--trace`, used by lint). */
  notes: string[];
  /** Scratch slot for `topo()` (position in its working list). */
  seq: number;
  /** Set when the node leaves the network. */
  removed: boolean;
}

export class Net {
  readonly nodes = new Map<number, SimNode>();
  private readonly producers = new Map<string, SimNode>();
  private readonly consumerLists = new Map<string, SimNode[]>();
  readonly initializers: Map<string, Tensor>;
  readonly graphInputs: Set<string>;
  readonly graphOutputs: Set<string>;
  /** Position of every ONNX node of the source graph, by name. */
  readonly onnxOrder = new Map<string, number>();
  private nextId = 0;
  /** Nodes and tensors edited since the last `takeTouched()` (drives the rewrite worklist). */
  private touchedNodes = new Set<SimNode>();
  private touchedTensors = new Set<string>();
  /** Every node ever added, indexed by id (ids are sequential). */
  private readonly added: SimNode[] = [];
  private tensorSerial = 0;

  constructor(readonly source: Graph) {
    this.initializers = new Map(source.initializers);
    this.graphInputs = new Set(source.inputs.map((v) => v.name).filter((n) => !source.initializers.has(n)));
    this.graphOutputs = new Set(source.outputs.map((v) => v.name));
    source.nodes.forEach((n, i) => {
      this.onnxOrder.set(n.name, i);
      this.add({ op: n.opType, name: n.name, inputs: [...n.inputs], outputs: [...n.outputs], attrs: n.attrs, order: i, onnx: n });
    });
  }

  add(spec: Omit<SimNode, 'id' | 'notes' | 'seq' | 'removed'> & { notes?: string[] }): SimNode {
    // an explicit literal keeps every SimNode the same hidden class (spread would not)
    const node: SimNode = {
      id: this.nextId++, op: spec.op, name: spec.name, inputs: spec.inputs, outputs: spec.outputs, attrs: spec.attrs, order: spec.order,
      onnx: spec.onnx, unit: spec.unit, notes: spec.notes ?? [], seq: 0, removed: false,
    };
    this.nodes.set(node.id, node);
    this.added.push(node);
    this.touchedNodes.add(node);
    for (const o of node.outputs) if (o !== '') this.producers.set(o, node);
    for (const i of node.inputs) if (i !== '') this.link(i, node);
    return node;
  }

  remove(node: SimNode): void {
    if (!this.nodes.delete(node.id)) return;
    node.removed = true;
    for (const t of node.inputs) if (t !== '') this.touchedTensors.add(t);
    for (const t of node.outputs) if (t !== '') this.touchedTensors.add(t);
    for (const o of node.outputs) if (this.producers.get(o) === node) this.producers.delete(o);
    for (const i of node.inputs) if (i !== '') this.unlink(i, node);
  }

  /** Ids at or above this value belong to nodes created after this call. */
  get idWatermark(): number {
    return this.nextId;
  }

  /** Nodes created at or after `watermark` that are still in the network. */
  createdSince(watermark: number): SimNode[] {
    return this.added.slice(watermark).filter((n) => this.alive(n));
  }

  alive(node: SimNode): boolean {
    return !node.removed;
  }

  setInput(node: SimNode, index: number, tensor: string): void {
    const old = node.inputs[index];
    if (old === tensor) return;
    this.touch(node, old, tensor);
    node.inputs[index] = tensor;
    if (old !== '' && !node.inputs.includes(old)) this.unlink(old, node);
    if (tensor !== '') this.link(tensor, node);
  }

  setOutput(node: SimNode, index: number, tensor: string): void {
    const old = node.outputs[index];
    this.touch(node, old, tensor);
    if (this.producers.get(old) === node) this.producers.delete(old);
    node.outputs[index] = tensor;
    this.producers.set(tensor, node);
  }

  /** Marks a node (changed in place by a rule) and tensors as edited. */
  touch(node: SimNode, ...tensors: string[]): void {
    this.touchedNodes.add(node);
    for (const t of tensors) if (t !== '') this.touchedTensors.add(t);
  }

  /**
   * The live nodes near everything edited since the last call: edited nodes, the producers and readers of
   * edited tensors, the Q readers of their inputs (sibling Qs), and everything up to `hops` edges downstream
   * of those — the nodes at which a rule rooted downstream of an edit could now match.
   */
  takeTouched(hops: number): Set<SimNode> {
    const seeds = new Set<SimNode>();
    for (const n of this.touchedNodes) if (!n.removed) seeds.add(n);
    for (const t of this.touchedTensors) {
      const p = this.producers.get(t);
      // A tensor nobody produces (a network input) has no producer whose fusion depends on its readers;
      // skipping it keeps an edit next to a widely read input (an attention mask) from waking every reader.
      if (!p) continue;
      seeds.add(p);
      for (const c of this.consumers(t)) seeds.add(c);
    }
    this.touchedNodes = new Set();
    this.touchedTensors = new Set();
    const out = new Set<SimNode>(seeds);
    // siblings: other Qs of the same tensor (the sibling-Q merge looks across readers)
    const inputs = new Set<string>();
    for (const n of seeds) for (const t of n.inputs) if (t !== '') inputs.add(t);
    // each tensor once: a widely read input (an attention mask) is scanned once per sweep, not once per reader
    for (const t of inputs) for (const c of this.consumers(t)) if (c.op === 'QuantizeLinear') out.add(c);
    let frontier = [...out];
    for (let h = 0; h < hops && frontier.length > 0; h++) {
      const next: SimNode[] = [];
      for (const n of frontier) {
        for (const o of n.outputs) {
          if (o === '') continue;
          for (const c of this.consumers(o)) if (!out.has(c)) { out.add(c); next.push(c); }
        }
      }
      frontier = next;
    }
    return out;
  }

  /** Every reader of `from` reads `to` instead (graph outputs are renamed by the caller's choice of names). */
  redirect(from: string, to: string): void {
    for (const c of [...this.consumers(from)]) {
      c.inputs.forEach((t, i) => { if (t === from) this.setInput(c, i, to); });
    }
  }

  producer(tensor: string): SimNode | undefined {
    return this.producers.get(tensor);
  }

  /** Readers of a tensor, in layer order. A node reading it twice appears once. Not tracked for initializers. */
  consumers(tensor: string): readonly SimNode[] {
    return this.consumerLists.get(tensor) ?? [];
  }

  /** Read by exactly one node and not a graph output: the condition for fusing across this edge. */
  singleUse(tensor: string): boolean {
    return this.consumers(tensor).length === 1 && !this.graphOutputs.has(tensor);
  }

  isConstant(tensor: string): boolean {
    return this.constant(tensor) !== undefined;
  }

  /** The value of an initializer or of a Constant node's output; undefined for computed tensors. */
  constant(tensor: string): Tensor | undefined {
    const init = this.initializers.get(tensor);
    if (init) return init;
    const p = this.producers.get(tensor);
    if (p && p.op === 'Constant' && p.attrs.value?.type === 'tensor') return p.attrs.value.value;
    return undefined;
  }

  /** A fresh tensor name derived from `base` (never collides with a source name). */
  freshTensor(base: string): string {
    return `${base}::qdqsim${this.tensorSerial++}`;
  }

  /**
   * The order rule sweeps visit nodes in: by ONNX position of the earliest absorbed node, then creation.
   * It is topological for every node the rules have not moved (the ONNX node list is sorted), and cheap;
   * a moved Q visited "late" only changes which sweep a rule fires in, not the fixed point.
   */
  sweepOrder(): SimNode[] {
    return Array.from(this.nodes.values()).sort((a, b) => a.order - b.order || a.id - b.id);
  }

  /** Nodes in a topological order; ties go to the smaller `order` (ONNX position), then creation. */
  topo(): SimNode[] {
    const list = Array.from(this.nodes.values());
    for (let i = 0; i < list.length; i++) list[i].seq = i;
    const indeg = new Int32Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const ins = list[i].inputs;
      for (let k = 0; k < ins.length; k++) {
        const t = ins[k];
        if (t === '' || !this.producers.has(t)) continue;
        let dup = false;
        for (let j = 0; j < k; j++) if (ins[j] === t) { dup = true; break; }
        if (!dup) indeg[i]++;
      }
    }
    const heap = new MinHeap<SimNode>((a, b) => a.order - b.order || a.id - b.id);
    for (let i = 0; i < list.length; i++) if (indeg[i] === 0) heap.push(list[i]);
    const out: SimNode[] = [];
    while (heap.size > 0) {
      const n = heap.pop();
      out.push(n);
      for (const o of n.outputs) {
        if (o === '') continue;
        for (const c of this.consumers(o)) {
          if (--indeg[c.seq] === 0) heap.push(c);
        }
      }
    }
    if (out.length !== list.length) {
      const seen = new Set(out);
      const stuck = list.filter((n) => !seen.has(n)).map((n) => n.name);
      throw new Error(`the network has a cycle through: ${stuck.slice(0, 5).join(', ')}`);
    }
    return out;
  }

  private link(tensor: string, node: SimNode): void {
    // Initializers (weights, and the scale/zero point every Q/DQ of a model may share) are never asked
    // for their readers; tracking them would make every edit of a Q/DQ linear in the model size.
    if (this.initializers.has(tensor)) return;
    let list = this.consumerLists.get(tensor);
    if (!list) this.consumerLists.set(tensor, (list = []));
    if (!list.includes(node)) {
      // keep readers in layer order so "first consumer" choices are deterministic
      let i = list.length;
      while (i > 0 && (list[i - 1].order > node.order || (list[i - 1].order === node.order && list[i - 1].id > node.id))) i--;
      list.splice(i, 0, node);
    }
  }

  private unlink(tensor: string, node: SimNode): void {
    if (this.initializers.has(tensor)) return;
    const list = this.consumerLists.get(tensor);
    if (!list) return;
    const i = list.indexOf(node);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.consumerLists.delete(tensor);
  }
}

/** A small binary heap; the driver and the layer orderer pop thousands of nodes. */
export class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly less: (a: T, b: T) => number) {}
  get size(): number { return this.items.length; }
  push(x: T): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(a[i], a[p]) >= 0) break;
      [a[i], a[p]] = [a[p], a[i]];
      i = p;
    }
  }
  pop(): T {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l], a[m]) < 0) m = l;
        if (r < a.length && this.less(a[r], a[m]) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }
}
