import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx as pb } from 'onnx-proto';
import type { Model } from '../ir/graph.ts';
import { ExternalDataWriter } from './external-data.ts';
import { decodeGraph, encodeGraph } from './graph-proto.ts';
import { ModelFormatError } from './model-error.ts';
import { int64ToNumber } from './proto-int.ts';

const { onnx } = onnxProto;
const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** protobuf messages cannot exceed 2 GiB; we stay a margin below it for the message framing. */
export const PROTOBUF_LIMIT_BYTES = 2 ** 31 - 1;
const PROTO_MARGIN_BYTES = 64 * 1024 * 1024;
/** When a model must go external, tensors at least this big are moved (small ones stay inline). */
const AUTO_EXTERNAL_MIN_BYTES = 1024;

export interface DecodeOptions {
  /** The file the bytes came from: named in every error, and its folder is the external-data base. */
  path?: string;
  /** Folder that external-data locations are relative to (default: the folder of `path`). */
  baseDir?: string;
}

export interface EncodeOptions {
  /** Refuse to encode beyond this many bytes (default: protobuf's 2 GiB limit). */
  maxProtoBytes?: number;
}

export interface SaveOptions {
  /** Initializers whose raw data has at least this many bytes are written to the external data file. */
  externalDataThreshold?: number;
  /** The external data file, relative to the model's folder (default `<model file name>.data`). */
  externalDataFile?: string;
  /**
   * Above this encoded size the model is saved with external data even without a threshold
   * (default: protobuf's 2 GiB limit less a margin). Lowering it lets tests exercise the path.
   */
  maxProtoBytes?: number;
}

function decodeProtoBytes(bytes: Uint8Array, where: string): pb.ModelProto {
  let mp: pb.ModelProto;
  try {
    mp = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ModelFormatError(`not a valid ONNX model: protobuf decoding failed (${(e as Error).message}); the file is truncated or corrupt`, where);
  }
  return mp;
}

/** ModelProto bytes -> Model. Errors name `opts.path` (or `<bytes>`) and the graph element concerned. */
export function decodeModel(bytes: Uint8Array, opts: DecodeOptions = {}): Model {
  const where = opts.path ?? '<bytes>';
  const mp = decodeProtoBytes(bytes, where);
  const baseDir = opts.baseDir ?? (opts.path ? dirname(resolve(opts.path)) : undefined);
  try {
    if (!mp.graph) throw new Error('has no graph (empty, truncated, or not an ONNX model)');
    if (mp.functions?.length) throw new Error(`defines ${mp.functions.length} model-local function(s); functions are not supported`);
    if (mp.trainingInfo?.length) throw new Error('has training info; training graphs are not supported');
    const graph = decodeGraph(mp.graph, { baseDir });
    const model: Model = {
      irVersion: int64ToNumber(mp.irVersion),
      opsetImports: (mp.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: int64ToNumber(o.version) })),
      graph,
    };
    if (has(mp, 'producerName')) model.producerName = mp.producerName;
    if (has(mp, 'producerVersion')) model.producerVersion = mp.producerVersion;
    if (has(mp, 'domain')) model.domain = mp.domain;
    if (has(mp, 'modelVersion')) model.modelVersion = int64ToNumber(mp.modelVersion);
    if (has(mp, 'docString')) model.docString = mp.docString;
    if (mp.metadataProps?.length) {
      model.metadata = {};
      for (const e of mp.metadataProps) model.metadata[e.key ?? ''] = e.value ?? '';
    }
    return model;
  } catch (e) {
    if (e instanceof ModelFormatError) throw e;
    throw new ModelFormatError((e as Error).message, where);
  }
}

function toModelProto(model: Model, graph: pb.IGraphProto): pb.IModelProto {
  const mp: pb.IModelProto = {
    irVersion: model.irVersion,
    opsetImport: model.opsetImports.map((o) => ({ domain: o.domain, version: o.version })),
    graph,
  };
  if (model.producerName !== undefined) mp.producerName = model.producerName;
  if (model.producerVersion !== undefined) mp.producerVersion = model.producerVersion;
  if (model.domain !== undefined) mp.domain = model.domain;
  if (model.modelVersion !== undefined) mp.modelVersion = model.modelVersion;
  if (model.docString !== undefined) mp.docString = model.docString;
  if (model.metadata) mp.metadataProps = Object.entries(model.metadata).map(([key, value]) => ({ key, value }));
  return mp;
}

/** An upper estimate of a tensor proto's encoded size, from its payload fields. */
function tensorProtoBytes(tp: pb.ITensorProto): number {
  let n = 64 + (tp.name?.length ?? 0) + 11 * (tp.dims?.length ?? 0);
  n += tp.rawData?.length ?? 0;
  n += 4 * (tp.floatData?.length ?? 0) + 8 * (tp.doubleData?.length ?? 0);
  n += 5 * (tp.int32Data?.length ?? 0) + 10 * (tp.int64Data?.length ?? 0) + 10 * (tp.uint64Data?.length ?? 0);
  for (const s of tp.stringData ?? []) n += s.length + 5;
  return n;
}

function graphTensorProtos(g: pb.IGraphProto): pb.ITensorProto[] {
  const out = [...(g.initializer ?? [])];
  for (const n of g.node ?? []) {
    for (const a of n.attribute ?? []) {
      if (a.t) out.push(a.t);
      if (a.g) out.push(...graphTensorProtos(a.g));
    }
  }
  return out;
}

function finish(mp: pb.IModelProto, where: string, limit: number): Uint8Array {
  const estimate = graphTensorProtos(mp.graph ?? {}).reduce((s, tp) => s + tensorProtoBytes(tp), 0);
  if (estimate > limit) {
    throw new ModelFormatError(
      `model needs about ${estimate} bytes, over the ${limit}-byte protobuf limit; save it with external data (saveModel(model, path, { externalDataThreshold }))`,
      where,
    );
  }
  return onnx.ModelProto.encode(mp).finish();
}

/** Model -> ModelProto bytes (all tensor data inline). */
export function encodeModel(model: Model, opts: EncodeOptions = {}): Uint8Array {
  let graph: pb.IGraphProto;
  try {
    graph = encodeGraph(model.graph);
  } catch (e) {
    throw new ModelFormatError((e as Error).message, '<model>');
  }
  return finish(toModelProto(model, graph), '<model>', opts.maxProtoBytes ?? PROTOBUF_LIMIT_BYTES);
}

/** Reads an .onnx file; external data is read from the file's folder (never from outside it). */
export function loadModel(path: string): Model {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new ModelFormatError(`cannot read model file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, path);
  }
  return decodeModel(bytes, { path });
}

/**
 * Writes an .onnx file. Initializers reach the external data file when they are at least
 * `externalDataThreshold` bytes, or (threshold unset) when the model would not fit protobuf's
 * 2 GiB limit inline: then every initializer of 1 KiB or more is moved.
 */
export function saveModel(model: Model, path: string, opts: SaveOptions = {}): void {
  let graph: pb.IGraphProto;
  try {
    graph = encodeGraph(model.graph);
  } catch (e) {
    throw new ModelFormatError((e as Error).message, path);
  }
  const limit = opts.maxProtoBytes ?? PROTOBUF_LIMIT_BYTES - PROTO_MARGIN_BYTES;
  let threshold = opts.externalDataThreshold;
  if (threshold === undefined) {
    const total = graphTensorProtos(graph).reduce((s, tp) => s + tensorProtoBytes(tp), 0);
    if (total > limit) threshold = AUTO_EXTERNAL_MIN_BYTES;
  }
  if (threshold !== undefined) moveToExternal(graph, path, threshold, opts.externalDataFile);
  const bytes = finish(toModelProto(model, graph), path, PROTOBUF_LIMIT_BYTES);
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    throw new ModelFormatError(`cannot write model file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, path);
  }
}

function moveToExternal(graph: pb.IGraphProto, path: string, threshold: number, file?: string): void {
  const location = file ?? `${basename(path)}.data`;
  const big = (graph.initializer ?? []).filter((tp) => (tp.rawData?.length ?? 0) >= threshold && (tp.rawData?.length ?? 0) > 0);
  if (big.length === 0) return;
  let writer: ExternalDataWriter;
  try {
    writer = new ExternalDataWriter(dirname(resolve(path)), location);
  } catch (e) {
    throw new ModelFormatError((e as Error).message, path);
  }
  try {
    for (const tp of big) writer.move(tp);
  } finally {
    writer.close();
  }
}
