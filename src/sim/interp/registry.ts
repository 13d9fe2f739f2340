import type { Attribute, Node } from '../ir/graph.ts';
import { GraphError } from '../ir/graph-error.ts';
import type { OnnxOpOptions } from '../golden/onnx-ops/common.ts';
import type { Tensor } from '../tensor.ts';

/** What a kernel sees: its node, the opset of the node's domain, and its inputs ('' inputs are undefined). */
export interface OpContext {
  node: Node;
  opset: number;
  inputs: (Tensor | undefined)[];
  /** arithmetic variant for the quantization/integer ops (RunOptions.onnxOps) */
  onnxOps?: OnnxOpOptions;
}

/** A kernel returns one tensor per node output (undefined for optional outputs it does not produce). */
export type Kernel = (ctx: OpContext) => (Tensor | undefined)[];

export interface OpDef {
  opType: string;
  /** '' = the default ONNX domain */
  domain: string;
  kernel: Kernel;
}

const registry = new Map<string, OpDef>();
const key = (domain: string, opType: string) => `${domain === 'ai.onnx' ? '' : domain}::${opType}`;

export function registerOp(opType: string, kernel: Kernel, domain = ''): void {
  registry.set(key(domain, opType), { opType, domain, kernel });
}

export function lookupOp(domain: string, opType: string): OpDef | undefined {
  return registry.get(key(domain, opType));
}

/** Every registered op as `opType` (default domain) or `domain::opType`. */
export function registeredOps(): string[] {
  return [...registry.values()].map((d) => (d.domain ? `${d.domain}::${d.opType}` : d.opType)).sort();
}

// ---- attribute access with node-named errors ------------------------------------------------------

function attrOf(node: Node, name: string, type: Attribute['type']): Attribute | undefined {
  const a = node.attrs[name];
  if (a === undefined) return undefined;
  if (a.type !== type) throw new GraphError(`attribute '${name}' must be ${type} but is ${a.type}`, { node });
  return a;
}

export function attrInt(node: Node, name: string, dflt: number): number;
export function attrInt(node: Node, name: string): number | undefined;
export function attrInt(node: Node, name: string, dflt?: number): number | undefined {
  const a = attrOf(node, name, 'int');
  return a ? (a.value as number) : dflt;
}

export function attrFloat(node: Node, name: string, dflt: number): number;
export function attrFloat(node: Node, name: string): number | undefined;
export function attrFloat(node: Node, name: string, dflt?: number): number | undefined {
  const a = node.attrs[name];
  if (a === undefined) return dflt;
  if (a.type === 'int') return a.value; // tolerate exporters writing an int for a float attribute
  if (a.type !== 'float') throw new GraphError(`attribute '${name}' must be float but is ${a.type}`, { node });
  return Math.fround(a.value);
}

export function attrInts(node: Node, name: string, dflt: number[]): number[];
export function attrInts(node: Node, name: string): number[] | undefined;
export function attrInts(node: Node, name: string, dflt?: number[]): number[] | undefined {
  const a = attrOf(node, name, 'ints');
  return a ? [...(a.value as number[])] : dflt;
}

export function attrFloats(node: Node, name: string): number[] | undefined {
  const a = attrOf(node, name, 'floats');
  return a ? (a.value as number[]).map(Math.fround) : undefined;
}

export function attrString(node: Node, name: string, dflt: string): string;
export function attrString(node: Node, name: string): string | undefined;
export function attrString(node: Node, name: string, dflt?: string): string | undefined {
  const a = attrOf(node, name, 'string');
  return a ? (a.value as string) : dflt;
}

export function attrTensor(node: Node, name: string): Tensor | undefined {
  const a = attrOf(node, name, 'tensor');
  return a ? (a.value as Tensor) : undefined;
}

/** Input `i`, which must be present: a GraphError naming the node otherwise. */
export function need(ctx: OpContext, i: number, what = `input ${i}`): Tensor {
  const t = ctx.inputs[i];
  if (!t) throw new GraphError(`${what} is required but missing`, { node: ctx.node });
  return t;
}
