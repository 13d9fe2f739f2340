import type { DataType } from '../data-type.ts';
import type { Dim, Node } from '../ir/graph.ts';
import type { Tensor } from '../tensor.ts';

/** What shape inference knows about one value: its dtype, its dims when the rank is known, its value when constant. */
export interface TypeShape {
  dtype: DataType;
  /** undefined = rank unknown; entries: number (known), string (symbolic), null (unknown) */
  shape?: Dim[];
}

export interface ShapeContext {
  node: Node;
  opset: number;
  /** type/shape per input ('' inputs are undefined) */
  inputs: (TypeShape | undefined)[];
  /** the constant value per input, when known (initializers, Constant nodes, folded shape arithmetic) */
  consts: (Tensor | undefined)[];
}

/** A rule returns one TypeShape per node output. Errors are plain Errors; the driver names the node. */
export type ShapeRule = (ctx: ShapeContext) => TypeShape[];

const rules = new Map<string, ShapeRule>();
const key = (domain: string, opType: string) => `${domain === 'ai.onnx' ? '' : domain}::${opType}`;

export function registerShapeRule(opTypes: string | string[], rule: ShapeRule, domain = ''): void {
  for (const op of Array.isArray(opTypes) ? opTypes : [opTypes]) rules.set(key(domain, op), rule);
}

export function lookupShapeRule(domain: string, opType: string): ShapeRule | undefined {
  return rules.get(key(domain, opType));
}

export function shapeRuleOps(): string[] {
  return [...rules.keys()].map((k) => (k.startsWith('::') ? k.slice(2) : k)).sort();
}
