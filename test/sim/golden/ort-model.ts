/**
 * Test/bench helper: single-node ONNX models built with onnx-proto directly (independent of the
 * project's model I/O), and a thin onnxruntime-node runner.
 */
import ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { DataType } from '../../../src/sim/data-type.ts';
import { encodeTensorProto } from '../../../src/sim/onnx/tensor-proto.ts';
import type { Tensor } from '../../../src/sim/tensor.ts';

const { onnx } = onnxProto;

export type AttrValue = number | number[] | string;

export interface NodeSpec {
  op: string;
  opset: number;
  /** graph inputs fed at run time, in node input order unless listed in `initializers` */
  inputs: { name: string; dtype: DataType; dims: number[] }[];
  /** constant inputs (become initializers) */
  initializers?: Record<string, Tensor>;
  /** node input names in order ('' for an omitted optional input) */
  nodeInputs: string[];
  outputs: { name: string; dtype: DataType }[];
  attrs?: Record<string, AttrValue>;
}

function attr(name: string, v: AttrValue): onnxProto.onnx.IAttributeProto {
  if (typeof v === 'string') return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v };
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: v };
}

export function buildSingleNodeModel(spec: NodeSpec): Uint8Array {
  const vi = (name: string, dtype: DataType, dims?: number[]): onnxProto.onnx.IValueInfoProto => ({
    name, type: { tensorType: { elemType: dtype, shape: dims ? { dim: dims.map((d) => ({ dimValue: d })) } : undefined } },
  });
  const model: onnxProto.onnx.IModelProto = {
    irVersion: 9,
    opsetImport: [{ domain: '', version: spec.opset }],
    producerName: 'qdqsim-test',
    graph: {
      name: `${spec.op}_graph`,
      node: [{ opType: spec.op, name: `${spec.op}_0`, input: spec.nodeInputs, output: spec.outputs.map((o) => o.name),
        attribute: Object.entries(spec.attrs ?? {}).map(([k, v]) => attr(k, v)) }],
      input: spec.inputs.map((i) => vi(i.name, i.dtype, i.dims)),
      initializer: Object.entries(spec.initializers ?? {}).map(([n, t]) => encodeTensorProto(t, n)),
      output: spec.outputs.map((o) => vi(o.name, o.dtype)),
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

const ORT_TYPE: Partial<Record<DataType, string>> = {
  [DataType.FLOAT]: 'float32', [DataType.INT8]: 'int8', [DataType.UINT8]: 'uint8', [DataType.INT16]: 'int16',
  [DataType.UINT16]: 'uint16', [DataType.INT32]: 'int32', [DataType.FLOAT16]: 'float16',
};
const FROM_ORT: Record<string, DataType> = Object.fromEntries(Object.entries(ORT_TYPE).map(([k, v]) => [v, Number(k)]));

export function toOrt(t: Tensor): ort.Tensor {
  const type = ORT_TYPE[t.dtype];
  if (!type) throw new Error(`no onnxruntime-node tensor type for ${DataType[t.dtype]}`);
  return new ort.Tensor(type as 'float32', t.data as Float32Array, t.dims);
}

export function fromOrt(t: ort.Tensor): Tensor {
  const dtype = FROM_ORT[t.type];
  if (dtype === undefined) throw new Error(`unsupported onnxruntime output type ${t.type}`);
  return { dtype, dims: [...t.dims], data: t.data as Float32Array };
}

export async function createSession(model: Uint8Array, opts: ort.InferenceSession.SessionOptions = {}): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, ...opts });
}

export async function runOrt(model: Uint8Array, feeds: Record<string, Tensor>, opts: ort.InferenceSession.SessionOptions = {}): Promise<Record<string, Tensor>> {
  const s = await createSession(model, opts);
  try {
    const out = await s.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrt(v)])));
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, fromOrt(v)]));
  } finally {
    await s.release();
  }
}

export { ort };
