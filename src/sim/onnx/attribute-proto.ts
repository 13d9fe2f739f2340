import onnxProto from 'onnx-proto';
import type { onnx as pb } from 'onnx-proto';
import type { Attribute, Graph } from '../ir/graph.ts';
import type { Tensor } from '../tensor.ts';
import { int64ToNumber } from './proto-int.ts';

const { onnx } = onnxProto;
const AT = onnx.AttributeProto.AttributeType;
const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const utf8 = new TextDecoder('utf-8');
const utf8Enc = new TextEncoder();

/** How nested messages (tensor values, subgraphs) are converted; supplied by the graph codec. */
export interface AttributeCodec {
  decodeTensor(tp: pb.ITensorProto, what: string): Tensor;
  decodeGraph(gp: pb.IGraphProto): Graph;
  encodeTensor(t: Tensor, name: string): pb.ITensorProto;
  encodeGraph(g: Graph): pb.IGraphProto;
}

/**
 * Files older than IR 2 (and some hand-made ones) leave `type` unset; the populated field then says
 * what the attribute is, as in onnx's own helper.
 */
function inferType(a: pb.IAttributeProto): number {
  if (has(a, 'f')) return AT.FLOAT;
  if (has(a, 'i')) return AT.INT;
  if (has(a, 's')) return AT.STRING;
  if (has(a, 't')) return AT.TENSOR;
  if (has(a, 'g')) return AT.GRAPH;
  if (a.floats?.length) return AT.FLOATS;
  if (a.ints?.length) return AT.INTS;
  if (a.strings?.length) return AT.STRINGS;
  if (a.tensors?.length) return AT.TENSORS;
  if (a.graphs?.length) return AT.GRAPHS;
  return AT.UNDEFINED;
}

export function decodeAttribute(a: pb.IAttributeProto, codec: AttributeCodec): Attribute {
  const name = a.name ?? '';
  if (a.refAttrName) throw new Error(`attribute '${name}' refers to a function attribute ('${a.refAttrName}'); functions are not supported`);
  const type = a.type || inferType(a);
  switch (type) {
    case AT.FLOAT: return { type: 'float', value: a.f ?? 0 };
    case AT.INT: return { type: 'int', value: int64ToNumber(a.i) };
    case AT.STRING: return { type: 'string', value: utf8.decode(a.s ?? new Uint8Array(0)) };
    case AT.FLOATS: return { type: 'floats', value: [...(a.floats ?? [])] };
    case AT.INTS: return { type: 'ints', value: (a.ints ?? []).map(int64ToNumber) };
    case AT.STRINGS: return { type: 'strings', value: (a.strings ?? []).map((s) => utf8.decode(s)) };
    case AT.TENSOR:
      if (!a.t) throw new Error(`attribute '${name}' is of type TENSOR but holds no tensor`);
      return { type: 'tensor', value: codec.decodeTensor(a.t, `attribute '${name}'`) };
    case AT.GRAPH:
      if (!a.g) throw new Error(`attribute '${name}' is of type GRAPH but holds no graph`);
      return { type: 'graph', value: codec.decodeGraph(a.g) };
    default: {
      const typeName = AT[type] ?? String(type);
      throw new Error(`attribute '${name}' has type ${typeName}, which qdqsim does not support (supported: FLOAT, INT, STRING, TENSOR, GRAPH and their lists except TENSORS/GRAPHS)`);
    }
  }
}

export function encodeAttribute(name: string, a: Attribute, codec: AttributeCodec): pb.IAttributeProto {
  switch (a.type) {
    case 'float': return { name, type: AT.FLOAT, f: a.value };
    case 'int': return { name, type: AT.INT, i: a.value };
    case 'string': return { name, type: AT.STRING, s: utf8Enc.encode(a.value) };
    case 'floats': return { name, type: AT.FLOATS, floats: [...a.value] };
    case 'ints': return { name, type: AT.INTS, ints: [...a.value] };
    case 'strings': return { name, type: AT.STRINGS, strings: a.value.map((s) => utf8Enc.encode(s)) };
    case 'tensor': return { name, type: AT.TENSOR, t: codec.encodeTensor(a.value, '') };
    case 'graph': return { name, type: AT.GRAPH, g: codec.encodeGraph(a.value) };
    default: {
      const never: never = a;
      throw new Error(`attribute '${name}' has an unknown type ${(never as Attribute).type}`);
    }
  }
}
