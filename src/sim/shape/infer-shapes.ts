/**
 * Shape and dtype inference for every op the interpreter supports. Walks the graph in topological
 * order, applies each op's rule (src/sim/shape/rules), and folds small constant subgraphs (shape
 * arithmetic such as Shape -> Gather -> Concat -> Reshape) by running the interpreter's own kernels,
 * so dynamic-looking reshapes resolve to concrete dims. Errors are GraphErrors naming the node.
 */
import { DataType, dataTypeName } from '../data-type.ts';
import type { Dim, Model, Node, ValueInfo } from '../ir/graph.ts';
import { GraphError } from '../ir/graph-error.ts';
import { validateGraph } from '../ir/graph-index.ts';
import { lookupOp } from '../interp/registry.ts';
import { opsetOf } from '../interp/run-model.ts';
import { fmtDims } from '../interp/tensor-util.ts';
import type { Tensor } from '../tensor.ts';
import { isKnown } from './dims.ts';
import { lookupShapeRule, type ShapeContext, type TypeShape } from './rule.ts';
import { shapeConstant } from './rules/tensor.ts';
import './rules/index.ts';

export interface InferOptions {
  /** Write inferred intermediates into graph.valueInfo (default true). */
  annotate?: boolean;
  /** Mark outputs of ops without a rule as unknown instead of throwing (default false). */
  allowUnknownOps?: boolean;
  /** Fold nodes whose inputs are all constant when their inputs total at most this many elements (default 4096). */
  foldLimit?: number;
  /** Named in errors. */
  file?: string;
}

export interface InferResult {
  /** every value's inferred type/shape (inputs, initializers, intermediates, outputs) */
  values: Map<string, ValueInfo>;
  /** values known to be constant (initializers and folded shape arithmetic) */
  constants: Map<string, Tensor>;
}

const NEVER_FOLD = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial']);

/** Checks an inferred shape against a declared one; known dims must agree. */
function checkDeclared(name: string, inferred: TypeShape, declared: ValueInfo | undefined, node: Node | undefined, file?: string): void {
  if (!declared) return;
  if (declared.dtype && inferred.dtype && declared.dtype !== inferred.dtype) {
    throw new GraphError(`is declared ${dataTypeName(declared.dtype)} but inferred ${dataTypeName(inferred.dtype)}`, { file, node, tensor: name });
  }
  if (!declared.shape || !inferred.shape) return;
  const bad = declared.shape.length !== inferred.shape.length
    || declared.shape.some((d, i) => isKnown(d) && isKnown(inferred.shape![i]) && d !== inferred.shape![i]);
  if (bad) throw new GraphError(`is declared with dims ${fmtDims(declared.shape)} but inferred ${fmtDims(inferred.shape)}`, { file, node, tensor: name });
}

/** Merges a declared shape into an inferred one: declared known/symbolic dims fill inferred unknowns. */
function merge(inferred: TypeShape, declared: ValueInfo | undefined): TypeShape {
  if (!declared?.shape) return inferred;
  if (!inferred.shape) return { dtype: inferred.dtype, shape: [...declared.shape] };
  return { dtype: inferred.dtype, shape: inferred.shape.map((d, i) => (d === null ? declared.shape![i] ?? null : d)) };
}

export function inferShapesDetailed(model: Model, opts: InferOptions = {}): InferResult {
  const g = model.graph;
  const file = opts.file;
  const foldLimit = opts.foldLimit ?? 4096;
  let order: Node[];
  try {
    order = validateGraph(g).order;
  } catch (e) {
    if (e instanceof GraphError && file) throw e.withFile(file);
    throw e;
  }
  const types = new Map<string, TypeShape>();
  const consts = new Map<string, Tensor>();
  for (const [name, t] of g.initializers) {
    types.set(name, { dtype: t.dtype, shape: [...t.dims] });
    consts.set(name, t);
  }
  for (const v of g.inputs) {
    const init = g.initializers.get(v.name);
    if (init) {
      checkDeclared(v.name, { dtype: init.dtype, shape: [...init.dims] }, v, undefined, file);
      consts.delete(v.name); // an input with an initializer default may be overridden by a feed
      continue;
    }
    types.set(v.name, { dtype: v.dtype, shape: v.shape ? [...v.shape] : undefined });
  }
  const declaredOut = new Map(g.outputs.map((o) => [o.name, o]));

  for (const node of order) {
    const inputs = node.inputs.map((n) => (n === '' ? undefined : types.get(n)));
    const inConsts = node.inputs.map((n) => (n === '' ? undefined : consts.get(n)));
    const opset = opsetOf(model, node.domain);
    const ctx: ShapeContext = { node, opset, inputs, consts: inConsts };
    const rule = lookupShapeRule(node.domain, node.opType);
    let outs: TypeShape[];
    if (!rule) {
      if (!opts.allowUnknownOps) {
        throw new GraphError(`unsupported op ${node.domain ? `${node.domain}::` : ''}${node.opType}: no shape rule (and no interpreter kernel)`, { file, node });
      }
      outs = node.outputs.map(() => ({ dtype: DataType.UNDEFINED }));
    } else {
      try {
        outs = rule(ctx);
      } catch (e) {
        if (e instanceof GraphError) throw file ? e.withFile(file) : e;
        throw new GraphError((e as Error).message, { file, node });
      }
    }
    // constant folding
    let folded: (Tensor | undefined)[] | undefined;
    if (node.opType === 'Shape' || node.opType === 'Size') {
      const c = shapeConstant(ctx);
      if (c) folded = [c];
    } else if (!NEVER_FOLD.has(node.opType) && node.inputs.every((n, i) => n === '' || inConsts[i])) {
      const total = inConsts.reduce((s, t) => s + (t ? t.data.length : 0), 0);
      const def = lookupOp(node.domain, node.opType);
      if (def && total <= foldLimit) {
        try {
          folded = def.kernel({ node, opset, inputs: inConsts });
        } catch (e) {
          throw new GraphError((e as Error).message, { file, node });
        }
      }
    }
    node.outputs.forEach((name, i) => {
      if (name === '') return;
      let ts = outs[i] ?? { dtype: DataType.UNDEFINED };
      const f = folded?.[i];
      if (f) {
        consts.set(name, f);
        ts = { dtype: f.dtype, shape: [...f.dims] };
      }
      const declared = g.valueInfo.get(name) ?? declaredOut.get(name);
      checkDeclared(name, ts, declared, node, file);
      types.set(name, merge(ts, declared));
    });
  }

  const values = new Map<string, ValueInfo>();
  for (const [name, t] of types) {
    const vi: ValueInfo = { name, dtype: t.dtype };
    if (t.shape) vi.shape = [...t.shape];
    values.set(name, vi);
  }
  if (opts.annotate ?? true) {
    const skip = new Set([...g.inputs.map((v) => v.name), ...g.initializers.keys(), ...declaredOut.keys()]);
    for (const [name, vi] of values) if (!skip.has(name)) g.valueInfo.set(name, vi);
  }
  return { values, constants: consts };
}

/**
 * Infers the dtype and shape of every value of the model and records the intermediates in
 * `model.graph.valueInfo`. Returns the map of all values. Throws a GraphError naming the node (and the
 * file when given) on an unsupported op, a missing input, dims that disagree, a cycle or a dangling edge.
 */
export function inferShapes(model: Model, opts: InferOptions = {}): Map<string, ValueInfo> {
  return inferShapesDetailed(model, opts).values;
}

export type { Dim };
