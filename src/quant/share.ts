/**
 * Scale sharing where TensorRT needs equal scales: all pairs on one tensor; a MaxPool's input pair with the
 * pairs on its output; a Concat's output pairs with the pairs on its inputs (looking back through MaxPool and
 * layout ops, which TensorRT moves a DQ through). NVIDIA's YOLOv7 QAT guide and ModelOpt's concat
 * elimination do the same. Members of a group read one shared scale and zero-point initializer.
 */
import type { Model } from '../sim/ir/graph.ts';
import { GraphView } from './graph-view.ts';
import type { QuantizerRecord } from './insert.ts';

const DQ_COMMUTING = new Set(['MaxPool', 'GlobalMaxPool', 'Transpose', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Identity', 'Pad', 'Slice']);

class UnionFind {
  private parent: number[];
  constructor(n: number) { this.parent = Array.from({ length: n }, (_, i) => i); }
  find(i: number): number {
    while (this.parent[i] !== i) { this.parent[i] = this.parent[this.parent[i]]; i = this.parent[i]; }
    return i;
  }
  union(a: number, b: number): void {
    const ra = this.find(a), rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

export interface ShareGroup {
  scale: string;
  zeroPoint: string;
  members: QuantizerRecord[];
}

/** Groups activation/output quantizers that must share a scale and rewrites the model to share initializers. */
export function shareScales(model: Model, records: QuantizerRecord[]): { model: Model; groups: ShareGroup[] } {
  const acts = records.map((r, i) => ({ r, i })).filter(({ r }) => r.kind !== 'weight');
  const uf = new UnionFind(records.length);
  const byTensor = new Map<string, number[]>();
  for (const { r, i } of acts) { const l = byTensor.get(r.tensor) ?? []; l.push(i); byTensor.set(r.tensor, l); }
  for (const l of byTensor.values()) for (const i of l) uf.union(l[0], i);

  // The original (pre-insertion) structure decides groups; record tensors are original tensor names.
  const view = new GraphView(model.graph);
  const q = (t: string) => byTensor.get(t) ?? [];
  const dqOutToTensor = new Map<string, string>();
  for (const n of model.graph.nodes) if (n.opType === 'DequantizeLinear') {
    const qn = view.producers.get(n.inputs[0]);
    if (qn?.opType === 'QuantizeLinear') dqOutToTensor.set(n.outputs[0], qn.inputs[0]);
  }
  const original = (t: string) => dqOutToTensor.get(t) ?? t;
  /** Quantizers feeding tensor t, looking back through ops a DQ commutes with. */
  const feeding = (t: string, depth = 0): number[] => {
    const direct = q(original(t));
    if (direct.length || depth > 8) return direct;
    const p = view.producers.get(t);
    if (!p || !DQ_COMMUTING.has(p.opType) || p.opType === 'DequantizeLinear') return [];
    return feeding(p.inputs[0], depth + 1);
  };
  const consumersPairs = (t: string): number[] => q(t);
  for (const n of model.graph.nodes) {
    if (n.opType === 'MaxPool' || n.opType === 'GlobalMaxPool' || n.opType === 'Concat') {
      const members: number[] = [];
      const ins = n.opType === 'Concat' ? n.inputs : [n.inputs[0]];
      for (const t of ins) if (t) members.push(...feeding(t));
      for (const o of n.outputs) members.push(...consumersPairs(o));
      for (const m of members) uf.union(members[0], m);
    }
  }

  const groupsByRoot = new Map<number, number[]>();
  for (const { i } of acts) { const r = uf.find(i); const l = groupsByRoot.get(r) ?? []; l.push(i); groupsByRoot.set(r, l); }
  const groups: ShareGroup[] = [];
  const g = { ...model.graph, nodes: model.graph.nodes.map((n) => ({ ...n, inputs: [...n.inputs] })), initializers: new Map(model.graph.initializers) };
  let k = 0;
  for (const idxs of [...groupsByRoot.values()].sort((a, b) => a[0] - b[0])) {
    if (idxs.length < 2) continue;
    const members = idxs.map((i) => records[i]);
    const first = members[0];
    const scale = `qdq_shared_scale_${k}`, zp = `qdq_shared_zero_point_${k}`;
    k++;
    g.initializers.set(scale, g.initializers.get(first.scale)!);
    g.initializers.set(zp, g.initializers.get(first.zeroPoint)!);
    const oldScales = new Set(members.map((m) => m.scale)), oldZps = new Set(members.map((m) => m.zeroPoint));
    for (const n of g.nodes) {
      if (n.opType !== 'QuantizeLinear' && n.opType !== 'DequantizeLinear') continue;
      if (oldScales.has(n.inputs[1])) n.inputs[1] = scale;
      if (oldZps.has(n.inputs[2])) n.inputs[2] = zp;
    }
    for (const s of oldScales) g.initializers.delete(s);
    for (const z of oldZps) g.initializers.delete(z);
    for (const m of members) { m.scale = scale; m.zeroPoint = zp; }
    groups.push({ scale, zeroPoint: zp, members });
  }
  return { model: { ...model, graph: g }, groups };
}
