import onnxProto from 'onnx-proto';
import type { onnx as pb } from 'onnx-proto';
import { DataType } from '../data-type.ts';
import type { Dim, ValueInfo } from '../ir/graph.ts';
import { int64ToNumber } from './proto-int.ts';

const { onnx } = onnxProto;
const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** ValueInfoProto -> ValueInfo. Only tensor types exist in qdqsim's IR; other types are refused by name. */
export function decodeValueInfo(vi: pb.IValueInfoProto): ValueInfo {
  const name = vi.name ?? '';
  const out: ValueInfo = { name, dtype: DataType.UNDEFINED };
  if (vi.docString) out.docString = vi.docString;
  const type = vi.type;
  if (!type) return out;
  if (!type.tensorType) {
    const kind = type.sequenceType ? 'sequence' : type.mapType ? 'map' : type.optionalType ? 'optional'
      : type.sparseTensorType ? 'sparse tensor' : 'unknown';
    throw new Error(`value '${name}' has a ${kind} type; qdqsim handles dense tensor values only`);
  }
  out.dtype = (type.tensorType.elemType ?? 0) as DataType;
  const shape = type.tensorType.shape;
  if (shape) {
    out.shape = (shape.dim ?? []).map((d, i): Dim => {
      if (d.dimValue !== null && d.dimValue !== undefined && has(d, 'dimValue')) {
        const n = int64ToNumber(d.dimValue);
        if (!Number.isSafeInteger(n) || n < 0) throw new Error(`value '${name}': dimension ${i} is ${n}, not a size`);
        return n;
      }
      if (d.dimParam && has(d, 'dimParam')) return d.dimParam;
      return null;
    });
  }
  return out;
}

/** ValueInfo -> ValueInfoProto: shape undefined writes no shape (rank unknown); null dims write an empty dim. */
export function encodeValueInfo(v: ValueInfo): pb.IValueInfoProto {
  if (v.dtype === DataType.UNDEFINED && !v.shape) {
    // read from a ValueInfoProto without a type: write none back rather than an invalid elem_type 0
    const bare: pb.IValueInfoProto = { name: v.name };
    if (v.docString) bare.docString = v.docString;
    return bare;
  }
  const tensorType: pb.TypeProto.ITensor = { elemType: v.dtype };
  if (v.shape) {
    tensorType.shape = {
      dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})),
    };
  }
  const out: pb.IValueInfoProto = { name: v.name, type: { tensorType } };
  if (v.docString) out.docString = v.docString;
  return out;
}
