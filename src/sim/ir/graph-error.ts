import type { Node } from './graph.ts';

/** Where a graph problem sits: any of the file, the node and the tensor (value) it concerns. */
export interface GraphErrorWhere {
  file?: string;
  node?: Node | string;
  tensor?: string;
}

/** `node 'Conv_3' (Conv)`: how every message names a node. */
export function nodeLabel(node: Node | string): string {
  return typeof node === 'string' ? `node '${node}'` : `node '${node.name}' (${node.opType})`;
}

/**
 * A problem in a model graph or its data: an unknown op, a missing input, dims that disagree,
 * a cycle, a dangling edge, a tensor too large. The message names the file, node and tensor
 * it concerns so a user can find the spot without a stack trace.
 */
export class GraphError extends Error {
  readonly file?: string;
  readonly nodeName?: string;
  readonly tensor?: string;

  constructor(message: string, where: GraphErrorWhere = {}) {
    const parts: string[] = [];
    if (where.file) parts.push(where.file);
    if (where.node) parts.push(nodeLabel(where.node));
    if (where.tensor) parts.push(`tensor '${where.tensor}'`);
    super(parts.length ? `${parts.join(': ')}: ${message}` : message);
    this.name = 'GraphError';
    this.file = where.file;
    this.nodeName = where.node === undefined ? undefined : typeof where.node === 'string' ? where.node : where.node.name;
    this.tensor = where.tensor;
  }

  /** The same error with the file named in front (for callers that know which file the graph came from). */
  withFile(file: string): GraphError {
    if (this.file) return this;
    const e = new GraphError(this.message, { file });
    Object.assign(e, { nodeName: this.nodeName, tensor: this.tensor });
    return e;
  }
}
