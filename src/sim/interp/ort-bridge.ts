/**
 * Runs a Model in onnxruntime-node (CPU) and converts tensors both ways: the reference the
 * interpreter is checked against in tests and benches. Not used by runModel itself.
 */
import ort from 'onnxruntime-node';
import { DataType, dataTypeName } from '../data-type.ts';
import type { Model } from '../ir/graph.ts';
import { encodeModel } from '../onnx/model-io.ts';
import type { Tensor, TensorData } from '../tensor.ts';

const ORT_TYPE: Partial<Record<DataType, string>> = {
  [DataType.FLOAT]: 'float32', [DataType.DOUBLE]: 'float64', [DataType.FLOAT16]: 'float16', [DataType.INT8]: 'int8',
  [DataType.UINT8]: 'uint8', [DataType.INT16]: 'int16', [DataType.UINT16]: 'uint16', [DataType.INT32]: 'int32',
  [DataType.UINT32]: 'uint32', [DataType.INT64]: 'int64', [DataType.UINT64]: 'uint64', [DataType.BOOL]: 'bool',
};
const FROM_ORT: Record<string, DataType> = Object.fromEntries(Object.entries(ORT_TYPE).map(([k, v]) => [v, Number(k) as DataType]));

export function toOrtTensor(t: Tensor): ort.Tensor {
  const type = ORT_TYPE[t.dtype];
  if (!type) throw new Error(`onnxruntime-node has no tensor type for ${dataTypeName(t.dtype)}`);
  return new ort.Tensor(type as 'float32', t.data as Float32Array, t.dims);
}

export function fromOrtTensor(t: ort.Tensor): Tensor {
  const dtype = FROM_ORT[t.type];
  if (dtype === undefined) throw new Error(`unsupported onnxruntime tensor type ${t.type}`);
  let data = t.data as unknown as TensorData;
  if (dtype === DataType.BOOL && !(data instanceof Uint8Array)) data = Uint8Array.from(data as unknown as ArrayLike<number>, (v) => (v ? 1 : 0));
  return { dtype, dims: [...t.dims], data };
}

export interface OrtRunOptions {
  /** ORT graph optimisation level (default 'disabled': run the graph as written). */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  intraOpNumThreads?: number;
}

export async function ortSession(model: Model | Uint8Array, opts: OrtRunOptions = {}): Promise<ort.InferenceSession> {
  const bytes = model instanceof Uint8Array ? model : encodeModel(model);
  return ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: opts.optimization ?? 'disabled',
    executionProviders: ['cpu'],
    intraOpNumThreads: opts.intraOpNumThreads ?? 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3,
  });
}

/** Runs the model in onnxruntime-node and returns its outputs (or the named values) as Tensors. */
export async function runOrt(model: Model | Uint8Array, feeds: Record<string, Tensor>, opts: OrtRunOptions = {}, fetches?: string[]): Promise<Record<string, Tensor>> {
  const sess = await ortSession(model, opts);
  try {
    const f: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) f[k] = toOrtTensor(v);
    const out = fetches ? await sess.run(f, fetches) : await sess.run(f);
    const res: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(out)) res[k] = fromOrtTensor(v);
    return res;
  } finally {
    await sess.release();
  }
}
