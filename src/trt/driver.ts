/**
 * Applies passes of rules to a fixed point, deterministically, recording every firing.
 *
 * Order: passes in sequence; inside a pass, sweeps over the nodes in ONNX position order
 * (Net.sweepOrder); at each node the rules are tried in their listed order and the first that matches and
 * passes its guard fires. A sweep that fires nothing ends the pass. Firings are capped so a rule set that
 * oscillates fails loudly (naming the rules involved) instead of hanging.
 */
import { match, opMatches, rootOps } from './pattern.ts';
import type { Pass, Rule, RuleContext } from './rule.ts';
import type { SimNode } from './net.ts';

export interface TraceEntry {
  pass: string;
  rule: string;
  /** Names of the nodes the pattern matched, root first (in the order the pattern captured them). */
  matched: string[];
  /** Names of the nodes the rewrite created (fused units, clones, moved Q/DQ). */
  created: string[];
  detail?: string;
}

export class RewriteLimitError extends Error {
  constructor(pass: string, recent: TraceEntry[]) {
    super(`rewrite pass '${pass}' did not reach a fixed point; last firings: ${recent.map((t) => `${t.rule}@${t.matched[0]}`).join(', ')}`);
    this.name = 'RewriteLimitError';
  }
}

/** Firings allowed per pass, per node of the network when the pass starts (plus a floor). */
const FIRINGS_PER_NODE = 8;
const FIRINGS_FLOOR = 64;

export function runPasses(passes: readonly Pass[], ctx: RuleContext): TraceEntry[] {
  const trace: TraceEntry[] = [];
  for (const pass of passes) runPass(pass, ctx, trace);
  return trace;
}

function indexRules(rules: readonly Rule[]): { byOp: Map<string, Rule[]>; generic: Rule[] } {
  const byOp = new Map<string, Rule[]>();
  const generic: Rule[] = [];
  for (const r of rules) {
    const ops = rootOps(r.pattern);
    if (!ops) { generic.push(r); continue; }
    for (const op of ops) {
      let list = byOp.get(op);
      if (!list) byOp.set(op, (list = []));
      list.push(r);
    }
  }
  return { byOp, generic };
}

export function runPass(pass: Pass, ctx: RuleContext, trace: TraceEntry[]): void {
  const { net } = ctx;
  const { byOp, generic } = indexRules(pass.rules);
  const order = new Map(pass.rules.map((r, i) => [r, i]));
  // rules that may match a node of this op, in listed order (generic rules test the op themselves)
  const forOp = new Map<string, Rule[]>();
  const candidatesFor = (op: string): Rule[] => {
    let list = forOp.get(op);
    if (!list) {
      list = [...(byOp.get(op) ?? []), ...generic].sort((a, b) => order.get(a)! - order.get(b)!);
      forOp.set(op, list);
    }
    return list;
  };
  const limit = FIRINGS_PER_NODE * net.nodes.size + FIRINGS_FLOOR;
  let firings = 0;
  for (;;) {
    let fired = false;
    for (const n of net.sweepOrder()) {
      if (!net.alive(n)) continue;
      for (const rule of candidatesFor(n.op)) {
        if (!opMatches(rule.pattern.op, n)) continue;
        const m = match(rule.pattern, n, net);
        if (!m || (rule.guard && !rule.guard(m, ctx))) continue;
        const matched = Object.values(m.nodes).map((x: SimNode) => x.name);
        const watermark = net.idWatermark;
        const detail = rule.rewrite(m, ctx);
        const created = net.createdSince(watermark).map((x) => x.name);
        trace.push({ pass: pass.id, rule: rule.id, matched, created, ...(detail ? { detail } : {}) });
        fired = true;
        if (++firings > limit) throw new RewriteLimitError(pass.id, trace.slice(-6));
        break;
      }
    }
    if (!fired) return;
  }
}
