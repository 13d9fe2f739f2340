/**
 * The placement of a Q/DQ graph as a readable per-node table: which inputs of which nodes read a
 * DequantizeLinear (looking back through Transpose/Identity, as the TF-QAT validator does), and for weights
 * the per-channel axis. Used for the checked-in expectations in test/fixtures/quant/.
 */
import type { Model, Node } from '../sim/ir/graph.ts';
import { GraphView } from './graph-view.ts';

export interface PlacementRow {
  node: string;
  opType: string;
  /** Activation inputs read through a Q/DQ. */
  inputs: number[];
  /** Weight inputs read through a DQ of a constant: index and axis (undefined = per tensor). */
  weights: { index: number; axis?: number }[];
}

const LAYOUT = new Set(['Transpose', 'Identity']);
const QDQ = new Set(['QuantizeLinear', 'DequantizeLinear']);

function dqBehind(view: GraphView, t: string): Node | undefined {
  let p = view.producers.get(t);
  while (p && LAYOUT.has(p.opType)) p = view.producers.get(p.inputs[0]);
  return p && p.opType === 'DequantizeLinear' ? p : undefined;
}

function rootIsConstant(view: GraphView, dq: Node): boolean {
  let t = dq.inputs[0];
  const q = view.producers.get(t);
  if (q && q.opType === 'QuantizeLinear') t = q.inputs[0];
  return view.isConstant(t);
}

export function placementTable(model: Model): PlacementRow[] {
  const view = new GraphView(model.graph);
  const rows: PlacementRow[] = [];
  for (const n of model.graph.nodes) {
    if (QDQ.has(n.opType) || LAYOUT.has(n.opType)) continue;
    const row: PlacementRow = { node: n.name, opType: n.opType, inputs: [], weights: [] };
    n.inputs.forEach((t, i) => {
      if (!t) return;
      const dq = dqBehind(view, t);
      if (!dq) return;
      if (rootIsConstant(view, dq)) {
        const a = dq.attrs.axis;
        const scale = view.constants.get(dq.inputs[1]);
        const perChannel = scale !== undefined && scale.dims.length === 1;
        row.weights.push({ index: i, axis: perChannel ? (a?.type === 'int' ? a.value : 1) : undefined });
      } else row.inputs.push(i);
    });
    if (row.inputs.length || row.weights.length) rows.push(row);
  }
  return rows;
}

/** One line per node: `name  opType  in=[0,1]  w=1@axis0`. */
export function formatPlacementTable(rows: readonly PlacementRow[]): string {
  const w1 = Math.max(4, ...rows.map((r) => r.node.length)), w2 = Math.max(2, ...rows.map((r) => r.opType.length));
  return rows.map((r) => {
    const parts = [r.node.padEnd(w1), r.opType.padEnd(w2)];
    parts.push(r.inputs.length ? `in=[${r.inputs.join(',')}]` : 'in=[]');
    for (const w of r.weights) parts.push(`w=${w.index}@${w.axis === undefined ? 'tensor' : `axis${w.axis}`}`);
    return parts.join('  ').trimEnd();
  }).join('\n') + (rows.length ? '\n' : '');
}
