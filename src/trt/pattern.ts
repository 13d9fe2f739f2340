/**
 * A small pattern language over the working network, matched from a root node backwards through the
 * producers of its inputs (the way TensorRT's fusions are keyed on the last layer of a chain).
 *
 *   node(['Relu', 'Clip'], { name: 'act', inputs: [node('trt.Conv', { name: 'conv', singleUse: true })] })
 *
 * - `inputs` is ordered; `commutative: true` also tries the reversed order of a two-input node.
 * - `alt(p1, p2, ...)` matches the first alternative that fits.
 * - `name` captures the node (or, for `any`/`konst`, the tensor) into the match.
 * - `where` is a guard on the node with the captures made so far.
 * - `singleUse` requires the node's output 0 to be read by exactly one node (and not be a graph output).
 */
import type { Net, SimNode } from './net.ts';

export type OpSpec = string | readonly string[] | ((n: SimNode) => boolean);

export interface NodePattern {
  readonly kind: 'node';
  readonly op: OpSpec;
  readonly name?: string;
  readonly inputs?: readonly InputPattern[];
  readonly commutative?: boolean;
  readonly singleUse?: boolean;
  readonly where?: (n: SimNode, m: Match, net: Net) => boolean;
}

export interface AnyPattern { readonly kind: 'any'; readonly name?: string }
export interface ConstPattern { readonly kind: 'const'; readonly name?: string }
export interface AltPattern { readonly kind: 'alt'; readonly options: readonly InputPattern[] }

export type InputPattern = NodePattern | AnyPattern | ConstPattern | AltPattern;

export interface Match {
  nodes: Record<string, SimNode>;
  tensors: Record<string, string>;
}

export function node(op: OpSpec, opts: Omit<NodePattern, 'kind' | 'op'> = {}): NodePattern {
  return { kind: 'node', op, ...opts };
}
export function any(name?: string): AnyPattern {
  return { kind: 'any', name };
}
export function konst(name?: string): ConstPattern {
  return { kind: 'const', name };
}
export function alt(...options: InputPattern[]): AltPattern {
  return { kind: 'alt', options };
}

export function opMatches(op: OpSpec, n: SimNode): boolean {
  if (typeof op === 'string') return n.op === op;
  if (typeof op === 'function') return op(n);
  return op.includes(n.op);
}

/** The ops a root pattern can match, when it names them (lets the driver skip rules cheaply). */
export function rootOps(p: NodePattern): readonly string[] | undefined {
  if (typeof p.op === 'string') return [p.op];
  if (Array.isArray(p.op)) return p.op as readonly string[];
  return undefined;
}

/** Matches `p` with `root` as its root node; returns the captures or null. */
export function match(p: NodePattern, root: SimNode, net: Net): Match | null {
  const m: Match = { nodes: {}, tensors: {} };
  return matchNode(p, root, net, m) ? m : null;
}

function snapshot(m: Match): Match {
  return { nodes: { ...m.nodes }, tensors: { ...m.tensors } };
}

function restore(m: Match, s: Match): void {
  m.nodes = s.nodes;
  m.tensors = s.tensors;
}

function matchNode(p: NodePattern, n: SimNode, net: Net, m: Match): boolean {
  if (!opMatches(p.op, n)) return false;
  if (p.singleUse && !net.singleUse(n.outputs[0])) return false;
  if (p.name !== undefined) {
    const prev = m.nodes[p.name];
    if (prev && prev !== n) return false;
    m.nodes[p.name] = n;
  }
  if (p.inputs) {
    const ins = p.inputs;
    if (p.commutative && ins.length === 2) {
      // the only place a failed attempt must be undone: the reversed order is tried next
      const s = snapshot(m);
      if (!(matchInput(ins[0], n.inputs[0], net, m) && matchInput(ins[1], n.inputs[1], net, m))) {
        restore(m, s);
        if (!(matchInput(ins[0], n.inputs[1], net, m) && matchInput(ins[1], n.inputs[0], net, m))) return false;
      }
    } else {
      for (let k = 0; k < ins.length; k++) if (!matchInput(ins[k], n.inputs[k], net, m)) return false;
    }
  }
  return p.where ? p.where(n, m, net) : true;
}

function matchInput(p: InputPattern, tensor: string | undefined, net: Net, m: Match): boolean {
  if (tensor === undefined || tensor === '') return false;
  switch (p.kind) {
    case 'any':
      if (p.name !== undefined) m.tensors[p.name] = tensor;
      return true;
    case 'const':
      if (!net.isConstant(tensor)) return false;
      if (p.name !== undefined) m.tensors[p.name] = tensor;
      return true;
    case 'alt': {
      for (const o of p.options) {
        const s = snapshot(m);
        if (matchInput(o, tensor, net, m)) return true;
        restore(m, s);
      }
      return false;
    }
    case 'node': {
      const prod = net.producer(tensor);
      return prod !== undefined && matchNode(p, prod, net, m);
    }
  }
}
