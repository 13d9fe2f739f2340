/**
 * `trtexec --exportLayerInfo=FILE` (IEngineInspector JSON, docs/trt-qdq-rules.md §5.2):
 * `{"Layers": [...], "Bindings": [...]}`. With `--profilingVerbosity=detailed` each layer is an
 * object (Name, LayerType, Inputs/Outputs with "Format/Datatype", ParameterType, Origin, tactic,
 * per-type parameters, and from TRT 8.6 `Metadata` naming the ONNX nodes); with the default
 * `layer_names_only` verbosity each layer is just its name.
 */
import { parseRelaxedJson } from './relaxed-json.ts';

export type Precision = 'Int8' | 'FP32' | 'FP16' | 'BF16' | 'FP8' | 'Int4' | 'FP4' | 'Int32' | 'Int64' | 'Bool' | 'UInt8' | 'unknown';

export interface LayerTensorInfo {
  name: string;
  dims?: number[];
  /** The raw "Format/Datatype" string, e.g. "Thirty-two wide channel vectorized row major Int8 format". */
  format?: string;
  precision: Precision;
  location?: string;
}

export interface EngineLayerInfo {
  name: string;
  /** Kernel family (CaskConvolution, Reformat, ...); undefined for names-only exports. */
  layerType?: string;
  parameterType?: string;
  /** "QDQ" for a leftover Q/DQ, "REFORMAT" for an inserted conversion. */
  origin?: string;
  inputs: LayerTensorInfo[];
  outputs: LayerTensorInfo[];
  tacticName?: string;
  /** ONNX node names from `Metadata` (TRT >= 8.6), in order. */
  onnxNodes: string[];
  /** The whole layer object as read (every per-type parameter), for reports. */
  raw: Record<string, unknown>;
}

export interface EngineLayerList {
  /** 'detailed' when layers are objects, 'names-only' when they are strings. */
  verbosity: 'detailed' | 'names-only';
  layers: EngineLayerInfo[];
  bindings: string[];
}

/**
 * Maps a "Format/Datatype" string (or TRT 10's bare "Int8"/"Half"/"Float") to a precision.
 * Order matters: "FP32" must not be read as "FP3"... so match whole tokens.
 */
export function precisionOfFormat(format: string | undefined): Precision {
  if (!format) return 'unknown';
  const f = format.toLowerCase();
  const has = (w: string) => new RegExp(`(^|[^a-z0-9])${w}([^a-z0-9]|$)`).test(f);
  if (has('int8')) return 'Int8';
  if (has('fp32') || has('float') || has('tf32')) return 'FP32';
  if (has('fp16') || has('half')) return 'FP16';
  if (has('bf16') || has('bfloat16')) return 'BF16';
  if (has('fp8') || has('e4m3')) return 'FP8';
  if (has('int4')) return 'Int4';
  if (has('fp4') || has('e2m1')) return 'FP4';
  if (has('int32')) return 'Int32';
  if (has('int64')) return 'Int64';
  if (has('bool')) return 'Bool';
  if (has('uint8')) return 'UInt8';
  return 'unknown';
}

export function isFloatPrecision(p: Precision): boolean {
  return p === 'FP32' || p === 'FP16' || p === 'BF16';
}

/** ONNX node names from a TRT >= 8.6 `Metadata` string: `[ONNX Layer: name]` records separated by \x1e / \x1f. */
export function onnxNodesFromMetadata(meta: unknown): string[] {
  if (typeof meta !== 'string') return [];
  const out: string[] = [];
  for (const m of meta.matchAll(/\[ONNX Layer: ([^\]\x1e\x1f]*)\]/g)) out.push(m[1]);
  return out;
}

export function parseTrtexecLayers(text: string, source = 'trtexec layer JSON'): EngineLayerList {
  const doc = parseRelaxedJson(text, source) as Record<string, unknown> | null;
  if (doc === null || typeof doc !== 'object' || !Array.isArray(doc.Layers)) {
    throw new Error(`${source}: expected {"Layers": [...], "Bindings": [...]} (trtexec --exportLayerInfo)`);
  }
  const bindings = Array.isArray(doc.Bindings) ? doc.Bindings.filter((b): b is string => typeof b === 'string') : [];
  const raw = doc.Layers as unknown[];
  const namesOnly = raw.every((l) => typeof l === 'string');
  const layers = raw.map((l, k) => {
    if (typeof l === 'string') {
      return { name: l, inputs: [], outputs: [], onnxNodes: [], raw: { Name: l } } satisfies EngineLayerInfo;
    }
    if (l === null || typeof l !== 'object' || typeof (l as Record<string, unknown>).Name !== 'string') {
      throw new Error(`${source}: layer ${k} has no "Name"`);
    }
    const o = l as Record<string, unknown>;
    return {
      name: o.Name as string,
      layerType: str(o.LayerType),
      parameterType: str(o.ParameterType),
      origin: str(o.Origin),
      inputs: tensors(o.Inputs),
      outputs: tensors(o.Outputs),
      tacticName: str(o.TacticName),
      onnxNodes: onnxNodesFromMetadata(o.Metadata),
      raw: o,
    } satisfies EngineLayerInfo;
  });
  return { verbosity: namesOnly ? 'names-only' : 'detailed', layers, bindings };
}

/** Writes the detailed JSON the way the inspector lays it out (keys in the order they were given). */
export function writeTrtexecLayers(list: EngineLayerList): string {
  const layers = list.verbosity === 'names-only' ? list.layers.map((l) => l.name) : list.layers.map((l) => l.raw);
  return `${JSON.stringify({ Layers: layers, Bindings: list.bindings }, null, 2)}\n`;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function tensors(v: unknown): LayerTensorInfo[] {
  if (!Array.isArray(v)) return [];
  return v.map((t) => {
    const o = (t ?? {}) as Record<string, unknown>;
    const format = str(o['Format/Datatype']);
    const dims = Array.isArray(o.Dimensions) ? (o.Dimensions as number[]) : undefined;
    return { name: String(o.Name ?? ''), dims, format, precision: precisionOfFormat(format), location: str(o.Location) };
  });
}
