import onnxProto from 'onnx-proto';
import type { onnx as pb } from 'onnx-proto';
import type { Attribute, Graph, Node, ValueInfo } from '../ir/graph.ts';
import type { Tensor } from '../tensor.ts';
import { type AttributeCodec, decodeAttribute, encodeAttribute } from './attribute-proto.ts';
import { parseExternalRef, readExternalBytes } from './external-data.ts';
import { within } from './model-error.ts';
import { decodeTensorProto, encodeTensorProto } from './tensor-proto.ts';
import { decodeValueInfo, encodeValueInfo } from './value-info-proto.ts';

const { onnx } = onnxProto;

export interface GraphDecodeOptions {
  /** Folder that external-data locations are relative to; without it external tensors are refused. */
  baseDir?: string;
}

/**
 * Gives every node a name that is unique in its graph: a node without one becomes `<OpType>_<index>`
 * (index = position in the graph, as the legacy PyTorch exporter numbers them); a name that is
 * taken already gets `_<k>` appended. Renaming is deterministic, so a second load yields the same names.
 */
export function assignNodeNames(nodes: Node[]): void {
  const explicit = new Set(nodes.filter((n) => n.name).map((n) => n.name));
  const used = new Set<string>();
  nodes.forEach((n, i) => {
    let name = n.name;
    if (!name || used.has(name)) {
      const base = name || `${n.opType}_${i}`;
      name = base;
      // A generated name must not take one that another node carries explicitly.
      for (let k = 1; used.has(name) || (name !== n.name && explicit.has(name)); k++) name = `${base}_${k}`;
    }
    used.add(name);
    n.name = name;
  });
}

function decodeTensor(tp: pb.ITensorProto, what: string, opts: GraphDecodeOptions): Tensor {
  const name = tp.name || what;
  return decodeTensorProto(tp, {
    name,
    baseDir: opts.baseDir,
    loadExternal: (ext) => within(`tensor '${name}'`, () => {
      if (!opts.baseDir) throw new Error('uses external data, but the model was read from memory without a base directory');
      return readExternalBytes(opts.baseDir, parseExternalRef(ext));
    }),
  });
}

export function decodeGraph(gp: pb.IGraphProto, opts: GraphDecodeOptions = {}): Graph {
  const name = gp.name ?? '';
  return within(`graph '${name}'`, () => {
    if (gp.sparseInitializer?.length) throw new Error(`has ${gp.sparseInitializer.length} sparse initializer(s); sparse tensors are not supported`);
    const codec: AttributeCodec = {
      decodeTensor: (tp, what) => decodeTensor(tp, what, opts),
      decodeGraph: (g) => decodeGraph(g, opts),
      encodeTensor: encodeTensorProto,
      encodeGraph,
    };
    const nodes: Node[] = (gp.node ?? []).map((np, i) => {
      const label = np.name ? `node '${np.name}' (${np.opType})` : `node #${i} (${np.opType})`;
      return within(label, () => {
        if (!np.opType) throw new Error('has no op_type');
        const attrs: Record<string, Attribute> = {};
        for (const a of np.attribute ?? []) {
          if (!a.name) throw new Error('has an attribute without a name');
          if (Object.prototype.hasOwnProperty.call(attrs, a.name)) throw new Error(`has attribute '${a.name}' twice`);
          attrs[a.name] = decodeAttribute(a, codec);
        }
        const node: Node = {
          name: np.name ?? '',
          opType: np.opType,
          domain: np.domain ?? '',
          inputs: [...(np.input ?? [])],
          outputs: [...(np.output ?? [])],
          attrs,
        };
        if (np.docString) node.docString = np.docString;
        return node;
      });
    });
    assignNodeNames(nodes);
    const initializers = new Map<string, Tensor>();
    (gp.initializer ?? []).forEach((tp, i) => {
      const tname = tp.name ?? '';
      if (!tname) throw new Error(`initializer #${i} has no name`);
      if (initializers.has(tname)) throw new Error(`initializer '${tname}' appears twice`);
      initializers.set(tname, decodeTensor(tp, `initializer #${i}`, opts));
    });
    const valueInfo = new Map<string, ValueInfo>();
    for (const vi of gp.valueInfo ?? []) {
      const v = decodeValueInfo(vi);
      valueInfo.set(v.name, v);
    }
    const graph: Graph = {
      name,
      nodes,
      inputs: (gp.input ?? []).map(decodeValueInfo),
      outputs: (gp.output ?? []).map(decodeValueInfo),
      initializers,
      valueInfo,
    };
    if (gp.docString) graph.docString = gp.docString;
    return graph;
  });
}

export function encodeGraph(g: Graph): pb.IGraphProto {
  return within(`graph '${g.name}'`, () => {
    const codec: AttributeCodec = {
      decodeTensor: () => { throw new Error('unreachable: decode during encode'); },
      decodeGraph: () => { throw new Error('unreachable: decode during encode'); },
      encodeTensor: encodeTensorProto,
      encodeGraph,
    };
    const out: pb.IGraphProto = {
      name: g.name,
      node: g.nodes.map((n) => within(`node '${n.name}' (${n.opType})`, () => {
        const np: pb.INodeProto = {
          input: [...n.inputs],
          output: [...n.outputs],
          name: n.name,
          opType: n.opType,
          attribute: Object.entries(n.attrs).map(([k, a]) => encodeAttribute(k, a, codec)),
        };
        if (n.domain) np.domain = n.domain;
        if (n.docString) np.docString = n.docString;
        return np;
      })),
      initializer: [...g.initializers].map(([k, t]) => within(`initializer '${k}'`, () => encodeTensorProto(t, k))),
      input: g.inputs.map(encodeValueInfo),
      output: g.outputs.map(encodeValueInfo),
      valueInfo: [...g.valueInfo.values()].map(encodeValueInfo),
    };
    if (g.docString) out.docString = g.docString;
    return out;
  });
}
