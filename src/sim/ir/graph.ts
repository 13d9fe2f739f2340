import type { DataType } from '../data-type.ts';
import type { Tensor } from '../tensor.ts';

/** A node attribute, tagged with its ONNX AttributeType so a save writes back exactly what was read. */
export type Attribute =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'string'; value: string }
  | { type: 'ints'; value: number[] }
  | { type: 'floats'; value: number[] }
  | { type: 'strings'; value: string[] }
  | { type: 'tensor'; value: Tensor }
  | { type: 'graph'; value: Graph };

/** A dimension: a number when known, a symbolic name (dim_param), or null when unknown. */
export type Dim = number | string | null;

export interface ValueInfo {
  name: string;
  dtype: DataType;
  /** undefined = rank unknown */
  shape?: Dim[];
  docString?: string;
}

export interface Node {
  /** Unique within the graph once loaded (loaders name anonymous nodes `<OpType>_<index>`). */
  name: string;
  opType: string;
  /** '' is the default ONNX domain ('ai.onnx'). */
  domain: string;
  /** Value names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, Attribute>;
  docString?: string;
}

export interface Graph {
  name: string;
  /** Kept in a valid topological order by every transformation. */
  nodes: Node[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  initializers: Map<string, Tensor>;
  /** Intermediate value types/shapes (from the file, or filled by shape inference). */
  valueInfo: Map<string, ValueInfo>;
  docString?: string;
}

export interface OpsetImport {
  domain: string;
  version: number;
}

export interface Model {
  irVersion: number;
  opsetImports: OpsetImport[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  metadata?: Record<string, string>;
  graph: Graph;
}
