/**
 * Applies passes of rules to a fixed point, deterministically, recording every firing.
 *
 * Order: passes in sequence; inside a pass, sweeps over the nodes in ONNX position order
 * (Net.sweepOrder); at each node the rules are tried in their listed order and the first that matches and
 * passes its guard fires. The first sweep of a pass visits every node; later sweeps visit the nodes near
 * the edits of the sweep before (Net.takeTouched). A sweep that fires nothing ends the pass. Firings are capped so a rule set that
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

export function runPasses(passes: readonly Pass[], ctx: RuleContext, opts: PassOptions = {}): TraceEntry[] {
  const trace: TraceEntry[] = [];
  for (const pass of passes) runPass(pass, ctx, trace, opts);
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

/**
 * How far downstream of an edit a rule's root can be: the deepest pattern (requantize: Q <- DQ <- conv)
 * spans two edges, guards look one more edge around; one edge of margin.
 */
const PATTERN_REACH = 4;

/** The work one pass did: node visits over all its sweeps, and rule patterns tried at those nodes. */
export interface PassWork {
  sweeps: number;
  visits: number;
  attempts: number;
}

export interface PassOptions {
  /** Revisit every node in every sweep instead of only the neighbourhood of edits (slower; for tests). */
  fullSweeps?: boolean;
  /** Filled with each pass's work, by pass id (for tests that check the work grows linearly with the network). */
  work?: Record<string, PassWork>;
}

export function runPass(pass: Pass, ctx: RuleContext, trace: TraceEntry[], opts: PassOptions = {}): void {
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
  net.forgetTouched(); // edits before this pass are covered by the first, full sweep
  let visit: SimNode[] = net.sweepOrder();
  const work = opts.work ? (opts.work[pass.id] = { sweeps: 0, visits: 0, attempts: 0 }) : undefined;
  for (;;) {
    let fired = false;
    let attempts = 0;
    for (const n of visit) {
      if (!net.alive(n)) continue;
      for (const rule of candidatesFor(n.op)) {
        if (!opMatches(rule.pattern.op, n)) continue;
        attempts++;
        const m = match(rule.pattern, n, net);
        if (!m || (rule.guard && !rule.guard(m, ctx))) continue;
        const matchedNodes = Object.values(m.nodes) as SimNode[];
        const matched = matchedNodes.map((x) => x.name);
        const watermark = net.idWatermark;
        const detail = rule.rewrite(m, ctx);
        // rules may change matched nodes in place (op, fused unit): they count as edited
        for (const x of matchedNodes) if (net.alive(x)) net.touch(x);
        const created = net.createdSince(watermark).map((x) => x.name);
        trace.push({ pass: pass.id, rule: rule.id, matched, created, ...(detail ? { detail } : {}) });
        fired = true;
        if (++firings > limit) throw new RewriteLimitError(pass.id, trace.slice(-6));
        break;
      }
    }
    if (work) {
      work.sweeps++;
      work.visits += visit.length;
      work.attempts += attempts;
    }
    if (!fired) return;
    // Later sweeps visit only the neighbourhood of what changed (patterns look upstream from their root,
    // so a change can enable a match at most PATTERN_REACH edges downstream of it).
    visit = opts.fullSweeps ? net.sweepOrder() : net.inSweepOrder(net.takeTouched(PATTERN_REACH));
  }
}
