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
  /** Scratch slot for `takeTouched()`: the serial of the last call that collected this node. */
  stamp: number;
  /** Set when the node leaves the network. */
  removed: boolean;
}

/** Readers of one tensor up to which re-scanning them is cheaper than remembering the tensor was scanned. */
const NARROW_READERS = 4;

export class Net {
  /** The nodes in the network, in creation order. */
  readonly nodes: LiveNodes;
  private readonly producers = new Map<string, SimNode>();
  private readonly consumerLists = new Map<string, SimNode[]>();
  /** The source graph's initializers (shared, never written: rules add nodes, not initializers). */
  readonly initializers: ReadonlyMap<string, Tensor>;
  readonly graphInputs: Set<string>;
  readonly graphOutputs: Set<string>;
  /** Position of every ONNX node of the source graph, by name. */
  readonly onnxOrder = new Map<string, number>();
  private nextId = 0;
  /**
   * Nodes and tensors edited since the last `takeTouched()` (drives the rewrite worklist). Nodes may repeat
   * (collection stamps them, so a repeat costs one push); tensors do not, as a widely read tensor is costly to scan.
   */
  private touchedNodes: SimNode[] = [];
  private touchedTensors = new Set<string>();
  private stampSerial = 0;
  /** Counts of the work the rewrite worklist does, for tests that check it grows linearly with the network. */
  readonly work = { touchedCollected: 0, readersScanned: 0 };
  /** Every node ever added, indexed by id (ids are sequential). */
  private readonly added: SimNode[] = [];
  private tensorSerial = 0;

  constructor(readonly source: Graph) {
    this.nodes = new LiveNodes(this.added);
    this.initializers = source.initializers;
    this.graphInputs = new Set(source.inputs.map((v) => v.name).filter((n) => !source.initializers.has(n)));
    this.graphOutputs = new Set(source.outputs.map((v) => v.name));
    source.nodes.forEach((n, i) => {
      this.onnxOrder.set(n.name, i);
      this.add({ op: n.opType, name: n.name, inputs: [...n.inputs], outputs: [...n.outputs], attrs: n.attrs, order: i, onnx: n });
    });
  }

  add(spec: Omit<SimNode, 'id' | 'notes' | 'seq' | 'stamp' | 'removed'> & { notes?: string[] }): SimNode {
    // an explicit literal keeps every SimNode the same hidden class (spread would not)
    const node: SimNode = {
      id: this.nextId++, op: spec.op, name: spec.name, inputs: spec.inputs, outputs: spec.outputs, attrs: spec.attrs, order: spec.order,
      onnx: spec.onnx, unit: spec.unit, notes: spec.notes ?? [], seq: 0, stamp: 0, removed: false,
    };
    this.nodes.size++;
    this.added.push(node);
    this.touchedNodes.push(node);
    for (const o of node.outputs) if (o !== '') this.producers.set(o, node);
    for (const i of node.inputs) if (i !== '') this.link(i, node);
    return node;
  }

  remove(node: SimNode): void {
    if (node.removed) return;
    node.removed = true;
    this.nodes.size--;
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
    this.touchedNodes.push(node);
    for (const t of tensors) if (t !== '') this.touchedTensors.add(t);
  }

  /**
   * The live nodes near everything edited since the last call: edited nodes, the producers and readers of
   * edited tensors, the Q readers of their inputs (sibling Qs), and everything up to `hops` edges downstream
   * of those — the nodes at which a rule rooted downstream of an edit could now match.
   */
  takeTouched(hops: number): SimNode[] {
    // Membership is a per-call stamp on the node, not a Set: this runs after every sweep over thousands of
    // nodes, and hashing them into Sets was the largest cost of a pass on big networks.
    const stamp = ++this.stampSerial;
    const out: SimNode[] = [];
    let scanned = 0;
    for (const n of this.touchedNodes) if (!n.removed && n.stamp !== stamp) { n.stamp = stamp; out.push(n); }
    for (const t of this.touchedTensors) {
      const p = this.producers.get(t);
      // A tensor nobody produces (a network input) has no producer whose fusion depends on its readers;
      // skipping it keeps an edit next to a widely read input (an attention mask) from waking every reader.
      if (!p) continue;
      if (p.stamp !== stamp) { p.stamp = stamp; out.push(p); }
      const readers = this.consumers(t);
      scanned += readers.length;
      for (const c of readers) if (c.stamp !== stamp) { c.stamp = stamp; out.push(c); }
    }
    this.touchedNodes = [];
    this.touchedTensors = new Set();
    const seeds = out.length;
    // siblings: other Qs of the same tensor (the sibling-Q merge looks across readers). A widely read
    // tensor (an attention mask) is scanned once per call, not once per reader; a narrow one is scanned
    // from each seed that reads it, which costs less than remembering it.
    const wide = new Set<string>();
    for (let i = 0; i < seeds; i++) {
      for (const t of out[i].inputs) {
        if (t === '') continue;
        const readers = this.consumers(t);
        if (readers.length > NARROW_READERS) {
          if (wide.has(t)) continue;
          wide.add(t);
        }
        scanned += readers.length;
        for (const c of readers) if (c.op === 'QuantizeLinear' && c.stamp !== stamp) { c.stamp = stamp; out.push(c); }
      }
    }
    // everything up to `hops` edges downstream: out[from, to) is the frontier of the current hop
    let from = 0;
    for (let h = 0; h < hops && from < out.length; h++) {
      const to = out.length;
      for (let i = from; i < to; i++) {
        for (const o of out[i].outputs) {
          if (o === '') continue;
          const readers = this.consumers(o);
          scanned += readers.length;
          for (const c of readers) if (c.stamp !== stamp) { c.stamp = stamp; out.push(c); }
        }
      }
      from = to;
    }
    this.work.touchedCollected += out.length;
    this.work.readersScanned += scanned;
    return out;
  }

  /** Drops the edit record without collecting it (a pass starts with a sweep over every node). */
  forgetTouched(): void {
    this.touchedNodes = [];
    this.touchedTensors = new Set();
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
    return this.inSweepOrder(this.nodes.list());
  }

  /**
   * `nodes` (distinct, live) sorted by (order, id), as `sweepOrder` lists them. A counting sort on `order`, which
   * is an ONNX position, after a counting sort on `id` when the input is not in creation order: linear in the
   * network, where a comparison sort is not. A short list (the edits of a late sweep) is sorted by comparison,
   * so that a sweep costs what it visits, not the size of the network.
   */
  inSweepOrder(nodes: SimNode[]): SimNode[] {
    const positions = this.source.nodes.length;
    if (nodes.length * 16 < positions || !nodes.every((n) => n.order >= 0 && n.order < positions && Number.isInteger(n.order))) {
      return nodes.sort(bySweepOrder);
    }
    let byId = nodes;
    for (let i = 1; i < nodes.length; i++) {
      if (nodes[i - 1].id > nodes[i].id) { byId = countingSort(nodes, this.nextId, (n) => n.id); break; }
    }
    return countingSort(byId, positions, (n) => n.order);
  }

  /** Nodes in a topological order; ties go to the smaller `order` (ONNX position), then creation. */
  topo(): SimNode[] {
    const list = this.nodes.list();
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
      // push/copyWithin, not splice: splice allocates the (empty) array of removed elements on every call
      list.push(node);
      if (i < list.length - 1) {
        list.copyWithin(i + 1, i, list.length - 1);
        list[i] = node;
      }
    }
  }

  private unlink(tensor: string, node: SimNode): void {
    if (this.initializers.has(tensor)) return;
    const list = this.consumerLists.get(tensor);
    if (!list) return;
    const i = list.indexOf(node);
    if (i >= 0) {
      list.copyWithin(i, i + 1);
      list.pop();
    }
    if (list.length === 0) this.consumerLists.delete(tensor);
  }
}

/**
 * The live nodes, read from the creation-ordered list of every node added (ids are sequential), skipping
 * removed ones: a network keeps no id-keyed map, which on big networks cost a hash insert and delete per edit.
 */
export class LiveNodes {
  /** How many are live (kept by Net as it adds and removes). */
  size = 0;
  constructor(private readonly added: readonly SimNode[]) {}

  *values(): IterableIterator<SimNode> {
    for (const n of this.added) if (!n.removed) yield n;
  }

  /** The live nodes as a fresh array, in creation order. */
  list(): SimNode[] {
    const out = new Array<SimNode>(this.size);
    let k = 0;
    for (const n of this.added) if (!n.removed) out[k++] = n;
    return out;
  }
}

function bySweepOrder(a: SimNode, b: SimNode): number {
  return a.order - b.order || a.id - b.id;
}

/** Stable counting sort of `items` by an integer key in [0, range). */
function countingSort(items: readonly SimNode[], range: number, key: (n: SimNode) => number): SimNode[] {
  const start = new Int32Array(range + 1);
  for (const n of items) start[key(n) + 1]++;
  for (let k = 1; k <= range; k++) start[k] += start[k - 1];
  const out = new Array<SimNode>(items.length);
  for (const n of items) out[start[key(n)]++] = n;
  return out;
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
