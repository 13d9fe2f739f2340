/**
 * A validation backend turns (model, inputs) into recorded outputs plus, where it can, the engine's
 * layer list and profile. `compare` holds these recordings against qdqsim's own executions.
 */
import type { Model } from '../../../sim/ir/graph.ts';
import type { Tensor } from '../../../sim/tensor.ts';
import type { EngineLayerList } from '../formats/trtexec-layers.ts';
import type { EngineProfile } from '../formats/trtexec-profile.ts';

export interface BackendRequest {
  /** The ONNX file (onnxruntime and trtexec read the file itself). */
  modelPath: string;
  model: Model;
  feeds: Map<string, Tensor>;
  /** Intermediate tensors to record besides the graph outputs, where the backend can. */
  markTensors?: string[];
}

export interface BackendResult {
  /** 'ort', 'trtexec', 'artifacts:DIR'. */
  backend: string;
  /** Recorded values by tensor name: graph outputs and any marked tensors it could record. */
  outputs: Map<string, Tensor>;
  layers?: EngineLayerList;
  profile?: EngineProfile;
  /** Files read or written (run folder contents, artifacts). */
  files: string[];
  /** What the backend did or could not do (e.g. marked tensors it could not record). */
  notes: string[];
}

export type { EngineLayerList, EngineProfile };

export interface Backend {
  name: string;
  run(req: BackendRequest): Promise<BackendResult>;
}
