/**
 * `ort`: onnxruntime-node on the CPU, what most users compare TensorRT against. ORT runs Q/DQ
 * graphs as float simulation (or as its own integer kernels after its QDQ fusions), never as
 * TensorRT's fused INT8 layers. Marked intermediate tensors are recorded by adding them as graph
 * outputs of an in-memory copy of the model.
 */
import * as ort from 'onnxruntime-node';
import { DataType, dataTypeName } from '../../../sim/data-type.ts';
import type { Model, ValueInfo } from '../../../sim/ir/graph.ts';
import { inferShapes } from '../../../sim/shape/infer-shapes.ts';
import { encodeModel } from '../../../sim/onnx/model-io.ts';
import { makeTensor, type Tensor } from '../../../sim/tensor.ts';
import type { Backend, BackendRequest, BackendResult } from './types.ts';

const TO_ORT: Partial<Record<DataType, ort.Tensor.Type>> = {
  [DataType.FLOAT]: 'float32', [DataType.DOUBLE]: 'float64', [DataType.FLOAT16]: 'float16',
  [DataType.INT8]: 'int8', [DataType.UINT8]: 'uint8', [DataType.INT16]: 'int16', [DataType.UINT16]: 'uint16',
  [DataType.INT32]: 'int32', [DataType.UINT32]: 'uint32', [DataType.INT64]: 'int64', [DataType.UINT64]: 'uint64',
  [DataType.BOOL]: 'bool',
};
const FROM_ORT = new Map(Object.entries(TO_ORT).map(([k, v]) => [v as string, Number(k) as DataType]));

export function toOrtTensor(name: string, t: Tensor): ort.Tensor {
  const type = TO_ORT[t.dtype];
  if (!type) throw new Error(`input '${name}': onnxruntime-node cannot take ${dataTypeName(t.dtype)}`);
  // ort's float16 takes the raw bits in a Uint16Array, bool a Uint8Array: both are our storage already.
  return new ort.Tensor(type, t.data as never, t.dims);
}

export function fromOrtTensor(name: string, t: ort.Tensor): Tensor {
  const dtype = FROM_ORT.get(t.type);
  if (dtype === undefined) throw new Error(`output '${name}': unsupported onnxruntime type ${t.type}`);
  const data = t.data as Tensor['data'];
  const copy = Array.isArray(data) ? [...data] : (data as Float32Array).slice();
  return makeTensor(dtype, t.dims.map(Number), copy as Tensor['data']);
}

/** A copy of the model whose graph outputs also include `extra` (for recording intermediates). */
export function withExtraOutputs(model: Model, extra: readonly string[]): Model {
  const have = new Set(model.graph.outputs.map((o) => o.name));
  let inferred: Map<string, ValueInfo> | undefined;
  try {
    inferred = inferShapes(model, { annotate: false });
  } catch {
    inferred = undefined; // fall back to the producer's op type below
  }
  const producer = new Map(model.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const add = extra.filter((n) => !have.has(n)).map((name) => {
    const known = model.graph.valueInfo.get(name)?.dtype ?? inferred?.get(name)?.dtype;
    const p = producer.get(name);
    const dtype = known ?? (p?.opType === 'QuantizeLinear' ? DataType.INT8 : DataType.FLOAT);
    return { name, dtype };
  });
  return { ...model, graph: { ...model.graph, outputs: [...model.graph.outputs, ...add] } };
}

export interface OrtOptions {
  /** onnxruntime's graph optimization level; 'all' (its default) lets it fuse Q/DQ into integer kernels. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

export async function runOrt(req: BackendRequest, opts: OrtOptions = {}): Promise<BackendResult> {
  const notes: string[] = [];
  const mark = req.markTensors ?? [];
  const sessOpts: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: opts.graphOptimizationLevel ?? 'all',
    intraOpNumThreads: 1,
  };
  let session: ort.InferenceSession;
  try {
    session = mark.length
      ? await ort.InferenceSession.create(encodeModel(withExtraOutputs(req.model, mark)), sessOpts)
      : await ort.InferenceSession.create(req.modelPath, sessOpts);
  } catch (e) {
    throw new Error(`onnxruntime could not load ${req.modelPath}: ${(e as Error).message}`);
  }
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of req.feeds) feeds[name] = toOrtTensor(name, t);
  let results: ort.InferenceSession.ReturnType;
  try {
    results = await session.run(feeds);
  } catch (e) {
    throw new Error(`onnxruntime failed to run ${req.modelPath}: ${(e as Error).message}`);
  } finally {
    void session.release();
  }
  const outputs = new Map<string, Tensor>();
  for (const [name, t] of Object.entries(results)) outputs.set(name, fromOrtTensor(name, t));
  if (mark.length) notes.push(`recorded ${mark.length} intermediate tensor(s) as extra graph outputs`);
  notes.push(`onnxruntime-node ${ort.env.versions?.common ?? ''} CPU, graph optimization '${sessOpts.graphOptimizationLevel}'`.replace('  ', ' '));
  return { backend: 'ort', outputs, files: [req.modelPath], notes };
}

export function ortBackend(opts: OrtOptions = {}): Backend {
  return { name: 'ort', run: (req) => runOrt(req, opts) };
}
