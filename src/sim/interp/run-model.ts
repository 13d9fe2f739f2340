import { dataTypeName } from '../data-type.ts';
import type { Graph, Model, Node } from '../ir/graph.ts';
import { GraphError } from '../ir/graph-error.ts';
import { validateGraph } from '../ir/graph-index.ts';
import type { OnnxOpOptions } from '../golden/onnx-ops/common.ts';
import type { Tensor } from '../tensor.ts';
import { lookupOp, type OpContext } from './registry.ts';
import { fmtDims, numel } from './tensor-util.ts';
import './ops/index.ts';

export interface RunOptions {
  /** Values to keep and return besides the graph outputs: a list of names, or 'all' for every value. */
  capture?: string[] | 'all';
  /** Called after each node with its outputs and the wall time it took (ms). */
  onNode?: (node: Node, outputs: (Tensor | undefined)[], ms: number) => void;
  /**
   * Arithmetic of the quantization and integer ops (passed to src/sim/golden/onnx-ops): default the
   * ONNX spec as onnxruntime computes it; ONNX_REFERENCE_OPTIONS emulates the ONNX reference evaluator.
   */
  onnxOps?: OnnxOpOptions;
}

export interface RunResult {
  outputs: Record<string, Tensor>;
  captured: Record<string, Tensor>;
}

/** The opset version a model imports for `domain` ('' and 'ai.onnx' are the same). */
export function opsetOf(model: Model, domain: string): number {
  const d = domain === 'ai.onnx' ? '' : domain;
  const imp = model.opsetImports.find((o) => (o.domain === 'ai.onnx' ? '' : o.domain) === d);
  if (imp) return imp.version;
  return d === '' ? 21 : 1;
}

/** Checks a feed against the graph input it feeds: dtype and every known dim. */
function checkFeed(g: Graph, name: string, t: Tensor): void {
  const vi = g.inputs.find((v) => v.name === name);
  if (!vi) return;
  if (vi.dtype && t.dtype !== vi.dtype) {
    throw new GraphError(`feed has dtype ${dataTypeName(t.dtype)} but the graph input is ${dataTypeName(vi.dtype)}`, { tensor: name });
  }
  if (numel(t.dims) !== t.data.length) {
    throw new GraphError(`feed has ${t.data.length} elements but dims ${fmtDims(t.dims)} need ${numel(t.dims)}`, { tensor: name });
  }
  if (vi.shape) {
    const ok = vi.shape.length === t.dims.length && vi.shape.every((d, i) => typeof d !== 'number' || d === t.dims[i]);
    if (!ok) throw new GraphError(`feed has dims ${fmtDims(t.dims)} but the graph input is declared ${fmtDims(vi.shape)}`, { tensor: name });
  }
}

/**
 * Executes a model with the reference interpreter. Every graph input that is not an initializer must be
 * fed; a feed may also override an initializer that is listed as a graph input. Nodes run in topological
 * order; an intermediate is dropped after its last use unless it is captured.
 */
export function runModel(model: Model, feeds: Record<string, Tensor>, opts: RunOptions = {}): RunResult {
  const g = model.graph;
  const { index, order } = validateGraph(g);
  const values = new Map<string, Tensor>();
  for (const [name, t] of g.initializers) values.set(name, t);
  const inputNames = new Set(g.inputs.map((v) => v.name));
  for (const [name, t] of Object.entries(feeds)) {
    if (!inputNames.has(name)) {
      throw new GraphError(`is fed but the graph has no input of that name (inputs: ${[...inputNames].join(', ') || 'none'})`, { tensor: name });
    }
    checkFeed(g, name, t);
    values.set(name, t);
  }
  for (const v of g.inputs) {
    if (!values.has(v.name)) throw new GraphError('graph input is not fed and has no initializer', { tensor: v.name });
  }

  const captureAll = opts.capture === 'all';
  const captureSet = new Set(Array.isArray(opts.capture) ? opts.capture : []);
  for (const name of captureSet) {
    if (!index.producer.has(name) && !index.sources.has(name)) throw new GraphError('is asked to be captured but no such value exists', { tensor: name });
  }
  const captured: Record<string, Tensor> = {};
  const keep = (name: string) => captureAll || captureSet.has(name) || index.outputs.has(name);
  if (captureAll || captureSet.size) {
    for (const [name, t] of values) if (captureAll || captureSet.has(name)) captured[name] = t;
  }

  // remaining uses of each produced value, to free intermediates early
  const uses = new Map<string, number>();
  for (const [name, list] of index.consumers) uses.set(name, list.length);

  const domainOpset = new Map<string, number>();
  for (const node of order) {
    const def = lookupOp(node.domain, node.opType);
    if (!def) {
      throw new GraphError(`unsupported op ${node.domain ? `${node.domain}::` : ''}${node.opType}: the interpreter has no kernel for it`, { node });
    }
    let opset = domainOpset.get(node.domain);
    if (opset === undefined) domainOpset.set(node.domain, (opset = opsetOf(model, node.domain)));
    const inputs = node.inputs.map((name, i) => {
      if (name === '') return undefined;
      const t = values.get(name);
      if (!t) throw new GraphError(`input ${i} '${name}' has no value (it was not produced)`, { node, tensor: name });
      return t;
    });
    const ctx: OpContext = { node, opset, inputs, onnxOps: opts.onnxOps };
    const t0 = opts.onNode ? performance.now() : 0;
    let outs: (Tensor | undefined)[];
    try {
      outs = def.kernel(ctx);
    } catch (e) {
      if (e instanceof GraphError) throw e;
      if (e instanceof RangeError) throw new GraphError(`out of memory or range: ${e.message}`, { node });
      throw new GraphError((e as Error).message ?? String(e), { node });
    }
    if (opts.onNode) opts.onNode(node, outs, performance.now() - t0);
    node.outputs.forEach((name, i) => {
      if (name === '') return;
      const t = outs[i];
      if (!t) throw new GraphError(`output ${i} '${name}' is not produced by the interpreter's kernel`, { node, tensor: name });
      values.set(name, t);
      if (captureAll || captureSet.has(name)) captured[name] = t;
    });
    for (const name of node.inputs) {
      if (name === '' || !index.producer.has(name)) continue;
      const left = (uses.get(name) ?? 1) - 1;
      uses.set(name, left);
      if (left <= 0 && !keep(name)) values.delete(name);
    }
  }

  const outputs: Record<string, Tensor> = {};
  for (const o of g.outputs) {
    const t = values.get(o.name);
    if (!t) throw new GraphError('graph output was not computed', { tensor: o.name });
    outputs[o.name] = t;
  }
  return { outputs, captured };
}
