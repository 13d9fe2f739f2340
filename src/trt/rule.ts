/**
 * A rewrite rule as data: what it matches, when it may fire, what it does, and the evidence for it.
 * The rule table in docs/simulator.md is generated from these fields.
 */
import type { BuildOptions } from './build-options.ts';
import type { Net } from './net.ts';
import type { Match, NodePattern } from './pattern.ts';

/**
 * Where a rule comes from: a section of docs/trt-qdq-rules.md ("doc §2.3.2"), a real engine dump
 * ("GT pytorch qat-residual"), or `inferred` when neither states it (the text says what it was inferred from).
 */
export type RuleSource = string;

export interface RuleContext {
  readonly net: Net;
  readonly options: BuildOptions;
}

export interface Rule {
  /** Stable id, `<pass>.<what>`, shown in traces. */
  readonly id: string;
  /** One line: `before -> after`. */
  readonly summary: string;
  readonly source: RuleSource;
  /** The root node is the last node of the matched chain. */
  readonly pattern: NodePattern;
  /** Extra conditions on the whole match (fan-out, scale equality, precision...). */
  readonly guard?: (m: Match, ctx: RuleContext) => boolean;
  /** Edits the network. Returns a short description for the trace (optional). */
  readonly rewrite: (m: Match, ctx: RuleContext) => string | void;
}

/** Rules run as ordered passes, like TensorRT's optimizer; each pass runs to a fixed point. */
export interface Pass {
  readonly id: string;
  readonly title: string;
  readonly rules: readonly Rule[];
}
