/**
 * The quantization spec: which nodes to quantize and how, as in the TF-QAT toolkit's
 * `QuantizationSpec.add(name, is_keras_class, quantize_input, quantize_weight, quantization_index)`,
 * selecting ONNX nodes by name, op type (or Keras class alias) or a regular expression over node names.
 *
 * JSON form (a file for `qdqsim quantize --spec`), snake_case like the toolkit:
 *   {"layers": [{"name": "Add_12", "quantization_index": [1]},
 *               {"op_type": "MaxPool"},
 *               {"regex": "^layer4\\.", "quantize_weight": false},
 *               {"name": "Conv2D", "is_keras_class": true}]}
 * A bare array of entries is accepted too.
 */
import type { Node } from '../sim/ir/graph.ts';
import { KERAS_ALIASES } from './op-kinds.ts';
import { QuantError } from './quant-error.ts';

export type Selector =
  | { kind: 'name'; value: string }
  | { kind: 'op'; value: string }
  | { kind: 'regex'; value: string; re: RegExp };

export interface SpecEntry {
  select: Selector;
  /** Quantize the activation input(s). Default true. */
  quantizeInput: boolean;
  /** Quantize the weight of a weighted op. Default true. */
  quantizeWeight: boolean;
  /** Whether quantizeWeight was given explicitly (an explicit request on a non-constant weight is an error). */
  weightExplicit?: boolean;
  /** Which inputs of a multi-input op get Q/DQ (toolkit `quantization_index`). Default: all activation inputs. */
  inputIndices?: number[];
}

const KNOWN_KEYS = new Set(['name', 'op_type', 'regex', 'is_keras_class', 'quantize_input', 'quantize_weight', 'quantization_index']);

/** Parses the JSON spec form; `where` names the file in errors. */
export function parseSpec(json: unknown, where = 'spec'): SpecEntry[] {
  const list = Array.isArray(json) ? json : (json as { layers?: unknown })?.layers;
  if (!Array.isArray(list)) throw new QuantError(`${where}: expected an array of entries or {"layers": [...]}`);
  return list.map((raw, k) => {
    const at = `${where}: entry #${k}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new QuantError(`${at}: expected an object`);
    const e = raw as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!KNOWN_KEYS.has(key)) throw new QuantError(`${at}: unknown key "${key}" (known: ${[...KNOWN_KEYS].join(', ')})`);
    }
    const str = (key: string): string | undefined => {
      if (e[key] === undefined) return undefined;
      if (typeof e[key] !== 'string' || e[key] === '') throw new QuantError(`${at}: "${key}" must be a non-empty string`);
      return e[key] as string;
    };
    const bool = (key: string): boolean | undefined => {
      if (e[key] === undefined) return undefined;
      if (typeof e[key] !== 'boolean') throw new QuantError(`${at}: "${key}" must be true or false`);
      return e[key] as boolean;
    };
    const name = str('name'), op = str('op_type'), regex = str('regex');
    const isClass = bool('is_keras_class') ?? false;
    const given = [name, op, regex].filter((x) => x !== undefined).length;
    if (given !== 1) throw new QuantError(`${at}: give exactly one of "name", "op_type", "regex"`);
    let select: Selector;
    if (regex !== undefined) {
      let re: RegExp;
      try { re = new RegExp(regex); } catch (err) { throw new QuantError(`${at}: invalid regex ${JSON.stringify(regex)}: ${(err as Error).message}`); }
      select = { kind: 'regex', value: regex, re };
    } else if (op !== undefined || isClass) {
      select = { kind: 'op', value: (op ?? name) as string };
    } else {
      select = { kind: 'name', value: name as string };
    }
    let inputIndices: number[] | undefined;
    if (e.quantization_index !== undefined) {
      const qi = e.quantization_index;
      if (!Array.isArray(qi) || qi.some((i) => !Number.isInteger(i) || (i as number) < 0)) {
        throw new QuantError(`${at}: "quantization_index" must be an array of non-negative integers`);
      }
      inputIndices = [...new Set(qi as number[])].sort((a, b) => a - b);
    }
    const qw = bool('quantize_weight');
    return { select, quantizeInput: bool('quantize_input') ?? true, quantizeWeight: qw ?? true, weightExplicit: qw !== undefined, inputIndices };
  });
}

function opMatches(op: string, node: Node): boolean {
  if (node.opType === op) return true;
  return (KERAS_ALIASES[op] ?? []).includes(node.opType);
}

export function entryMatches(entry: SpecEntry, node: Node): boolean {
  switch (entry.select.kind) {
    case 'name': return node.name === entry.select.value;
    case 'op': return opMatches(entry.select.value, node);
    case 'regex': return entry.select.re.test(node.name);
  }
}

/** How specific a selector is: a name beats a regex beats an op type. */
export function specificity(entry: SpecEntry): number {
  return entry.select.kind === 'name' ? 3 : entry.select.kind === 'regex' ? 2 : 1;
}

export function describeSelector(s: Selector): string {
  return s.kind === 'name' ? `node "${s.value}"` : s.kind === 'op' ? `op type "${s.value}"` : `regex /${s.value}/`;
}

/** Every entry must select at least one node; errors name the entry and suggest close node names. */
export function validateSpec(entries: readonly SpecEntry[], nodes: readonly Node[], where = 'spec'): void {
  entries.forEach((e, k) => {
    if (nodes.some((n) => entryMatches(e, n))) return;
    let hint = '';
    if (e.select.kind === 'name') {
      const needle = e.select.value.toLowerCase();
      const close = nodes.map((n) => n.name).filter((n) => n.toLowerCase().includes(needle) || needle.includes(n.toLowerCase())).slice(0, 5);
      if (close.length) hint = ` (similar: ${close.join(', ')})`;
    } else if (e.select.kind === 'op') {
      const ops = [...new Set(nodes.map((n) => n.opType))].sort();
      hint = ` (the model has: ${ops.join(', ')})`;
    }
    throw new QuantError(`${where}: entry #${k} selects ${describeSelector(e.select)}, which matches no node in the model${hint}`);
  });
}
