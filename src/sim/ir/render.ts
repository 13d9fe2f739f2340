import type { Graph, Node } from './graph.ts';

/** Short names used in renderings; anything else prints its op type. */
export const OP_ABBREVIATIONS: Readonly<Record<string, string>> = {
  QuantizeLinear: 'Q',
  DequantizeLinear: 'DQ',
};

/** Inputs that are quantization parameters (scale, zero point) and hidden by default. */
const QPARAM_INPUTS: Readonly<Record<string, readonly number[]>> = {
  QuantizeLinear: [1, 2],
  DequantizeLinear: [1, 2],
};

export interface RenderOptions {
  /** Show Q/DQ scale and zero-point inputs (default false: `Q(x)` instead of `Q(x,s,zp)`). */
  qparams?: boolean;
  /** Print op types in full (default false: QuantizeLinear -> Q, DequantizeLinear -> DQ). */
  fullOpNames?: boolean;
  /** Show node names: `Conv_3:Conv(...)` (default false). */
  nodeNames?: boolean;
  /** Values to print by name instead of expanding their producer. */
  stopAt?: ReadonlySet<string>;
}

interface Ctx {
  producer: Map<string, Node>;
  opts: RenderOptions;
  /** values currently being expanded (a repeat means a cycle) */
  active: Set<string>;
  /** values printed as `%name` references (renderGraph's shared values) */
  refs?: ReadonlySet<string>;
}

function producers(g: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) if (o) m.set(o, n);
  return m;
}

function label(n: Node, opts: RenderOptions): string {
  const op = opts.fullOpNames ? n.opType : OP_ABBREVIATIONS[n.opType] ?? n.opType;
  return opts.nodeNames ? `${n.name}:${op}` : op;
}

function expr(value: string, ctx: Ctx): string {
  const n = ctx.producer.get(value);
  if (!n || ctx.opts.stopAt?.has(value)) return ctx.refs?.has(value) ? `%${value}` : value;
  if (ctx.active.has(value)) return `<cycle:${value}>`;
  ctx.active.add(value);
  const hidden = ctx.opts.qparams ? [] : QPARAM_INPUTS[n.opType] ?? [];
  const args = n.inputs
    .map((v, i) => (hidden.includes(i) ? null : v === '' ? '_' : expr(v, ctx)))
    .filter((s): s is string => s !== null);
  // trailing omitted optional inputs say nothing
  while (args.length && args[args.length - 1] === '_') args.pop();
  ctx.active.delete(value);
  const k = n.outputs.length > 1 ? `[${n.outputs.indexOf(value)}]` : '';
  return `${label(n, ctx.opts)}(${args.join(',')})${k}`;
}

/**
 * The expression that computes `value`, every producer expanded: `Q(Conv(DQ(x),DQ(w),b))`.
 * Values shared by several consumers are expanded at each use; use renderGraph for a DAG view.
 */
export function renderValue(g: Graph, value: string, opts: RenderOptions = {}): string {
  return expr(value, { producer: producers(g), opts, active: new Set() });
}

/**
 * The whole graph as statements: one `%name = expr` line for every value read by more than one
 * node (so residual branches are not duplicated), then one `name = expr` line per graph output.
 */
export function renderGraph(g: Graph, opts: RenderOptions = {}): string {
  const producer = producers(g);
  const uses = new Map<string, number>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) uses.set(i, (uses.get(i) ?? 0) + 1);
  const shared = new Set<string>();
  for (const n of g.nodes) {
    for (const o of n.outputs) if (o && (uses.get(o) ?? 0) > 1) shared.add(o);
  }
  const stopAt = new Set([...shared, ...(opts.stopAt ?? [])]);
  const lines: string[] = [];
  const ctx = (self: string): Ctx => ({
    producer, opts: { ...opts, stopAt: new Set([...stopAt].filter((s) => s !== self)) }, active: new Set(), refs: shared,
  });
  for (const n of g.nodes) {
    for (const o of n.outputs) if (shared.has(o)) lines.push(`%${o} = ${expr(o, ctx(o))}`);
  }
  for (const out of g.outputs) lines.push(`${out.name} = ${expr(out.name, ctx(out.name))}`);
  return lines.join('\n');
}

/** One node on one line: `Conv_3: Conv(x, w, b) -> y {pads=[1,1,1,1]}` (for traces and errors). */
export function renderNode(n: Node): string {
  const attrs = Object.entries(n.attrs).map(([k, a]) => {
    switch (a.type) {
      case 'tensor': return `${k}=<tensor [${a.value.dims.join(',')}]>`;
      case 'graph': return `${k}=<graph ${a.value.name}>`;
      case 'ints': case 'floats': return `${k}=[${a.value.join(',')}]`;
      case 'strings': return `${k}=[${a.value.map((s) => JSON.stringify(s)).join(',')}]`;
      case 'string': return `${k}=${JSON.stringify(a.value)}`;
      default: return `${k}=${a.value}`;
    }
  });
  const dom = n.domain ? `${n.domain}.` : '';
  return `${n.name}: ${dom}${n.opType}(${n.inputs.join(', ')}) -> ${n.outputs.join(', ')}${attrs.length ? ` {${attrs.join(', ')}}` : ''}`;
}
