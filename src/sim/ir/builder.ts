import { DataType } from '../data-type.ts';
import { type Tensor, type TensorData, makeTensor } from '../tensor.ts';
import type { Attribute, Dim, Graph, Model, Node, OpsetImport, ValueInfo } from './graph.ts';

/**
 * What an attribute may be given as. Plain values are typed the way ONNX op schemas type them:
 * a number is an INT unless it is fractional or the attribute is a float one by name (alpha, beta,
 * epsilon, ... see FLOAT_ATTRIBUTES); number[] likewise; string(s); a Tensor; a Graph. An explicit
 * `{ type, value }` Attribute is taken as is (use `attr.float(1)` etc. to force a type).
 */
export type AttrValue = number | number[] | string | string[] | Tensor | Graph | Attribute;

/** Attribute names that are FLOAT/FLOATS in every default-domain op that has them. */
export const FLOAT_ATTRIBUTES: ReadonlySet<string> = new Set([
  'alpha', 'beta', 'gamma', 'epsilon', 'momentum', 'bias', 'lambd', 'min', 'max', 'ratio',
  'cubic_coeff_a', 'extrapolation_value', 'spatial_scale', 'value_float', 'value_floats', 'scale', 'scales',
]);

/** Explicitly typed attribute values, for when the inference above would pick the wrong type. */
export const attr = {
  int: (value: number): Attribute => ({ type: 'int', value }),
  float: (value: number): Attribute => ({ type: 'float', value: Math.fround(value) }),
  string: (value: string): Attribute => ({ type: 'string', value }),
  ints: (value: number[]): Attribute => ({ type: 'ints', value }),
  floats: (value: number[]): Attribute => ({ type: 'floats', value: value.map(Math.fround) }),
  strings: (value: string[]): Attribute => ({ type: 'strings', value }),
  tensor: (value: Tensor): Attribute => ({ type: 'tensor', value }),
  graph: (value: Graph): Attribute => ({ type: 'graph', value }),
};

const ATTR_TYPES = new Set(['int', 'float', 'string', 'ints', 'floats', 'strings', 'tensor', 'graph']);

function isAttribute(v: unknown): v is Attribute {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'type' in v && 'value' in v
    && ATTR_TYPES.has((v as { type: unknown }).type as string);
}
function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'dtype' in v && 'dims' in v && 'data' in v;
}
function isGraph(v: unknown): v is Graph {
  return typeof v === 'object' && v !== null && 'nodes' in v && 'initializers' in v;
}

export function toAttribute(name: string, v: AttrValue): Attribute {
  if (isAttribute(v)) return v;
  if (isTensor(v)) return { type: 'tensor', value: v };
  if (isGraph(v)) return { type: 'graph', value: v };
  const isFloat = FLOAT_ATTRIBUTES.has(name);
  if (typeof v === 'number') {
    if (!Number.isFinite(v) && !isFloat) throw new Error(`attribute '${name}' is ${v}; give attr.float(${v}) for a float`);
    // ONNX stores FLOAT attributes as float32: round here so a built model equals its reloaded self.
    return isFloat || !Number.isInteger(v) ? { type: 'float', value: Math.fround(v) } : { type: 'int', value: v };
  }
  if (typeof v === 'string') return { type: 'string', value: v };
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return { type: 'strings', value: v as string[] };
    if (v.every((x) => typeof x === 'number')) {
      const nums = v as number[];
      return isFloat || nums.some((x) => !Number.isInteger(x)) ? { type: 'floats', value: nums.map(Math.fround) } : { type: 'ints', value: nums };
    }
  }
  throw new Error(`attribute '${name}': cannot tell the ONNX type of ${JSON.stringify(v)}`);
}

export interface NodeOptions {
  /** Node name (default: the builder's namer, `<OpType>_<index>`). */
  name?: string;
  /** Number of outputs (default 1) or their names. */
  outputs?: number | string[];
  /** Operator domain ('' = ai.onnx). Non-default domains are added to the model's opset imports. */
  domain?: string;
  /** Output dtypes, when the builder's simple rules cannot tell (see outputDtype). */
  dtypes?: DataType[];
  docString?: string;
}

export interface BuilderOptions {
  /** Names a node from its op type and 0-based position (default `<OpType>_<index>`, legacy PyTorch style). */
  nodeName?: (opType: string, index: number) => string;
  /** Names a node output (default `<nodeName>_out<i>`). */
  valueName?: (nodeName: string, outputIndex: number, opType: string) => string;
  /** Refuse inputs that were never defined (default true; turn off for subgraphs that read outer scope). */
  strict?: boolean;
}

export interface ModelOptions {
  /** Default-domain opset (default 13). */
  opset?: number;
  /** Versions of other domains used by nodes (default 1 each). */
  domains?: Record<string, number>;
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  metadata?: Record<string, string>;
}

/** The IR version that goes with an opset, as onnx.helper's VERSION_TABLE pairs them. */
export function irVersionForOpset(opset: number): number {
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  return 11;
}

const BOOL_OUTPUT = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);
const INT64_OUTPUT = new Set(['Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero', 'NonMaxSuppression']);

/**
 * A fluent graph builder for tests and generators. Every method that adds values returns their
 * names, so graphs read like the code that computes them:
 *
 *   const b = new GraphBuilder('g');
 *   const x = b.input('x', DataType.FLOAT, [1, 3, 8, 8]);
 *   const w = b.initializer('w', weights);
 *   const y = b.op('Relu', [b.op('Conv', [x, w], { pads: [1, 1, 1, 1] })]);
 *   b.output(y);
 *   const model = b.model();   // opset 13
 */
export class GraphBuilder {
  private readonly nodes: Node[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers = new Map<string, Tensor>();
  private readonly valueInfos = new Map<string, ValueInfo>();
  /** every defined value -> its dtype (UNDEFINED when the builder cannot tell) */
  private readonly dtypes = new Map<string, DataType>();
  private readonly shapes = new Map<string, Dim[]>();
  private readonly nodeNames = new Set<string>();
  private readonly domains = new Set<string>();
  private constCount = 0;
  private readonly opts: Required<BuilderOptions>;

  constructor(readonly name = 'main', opts: BuilderOptions = {}) {
    this.opts = {
      nodeName: opts.nodeName ?? ((op, i) => `${op}_${i}`),
      valueName: opts.valueName ?? ((node, i) => `${node}_out${i}`),
      strict: opts.strict ?? true,
    };
  }

  /** Declares a graph input. */
  input(name: string, dtype: DataType, shape?: Dim[]): string {
    this.define(name, dtype, shape);
    const vi: ValueInfo = { name, dtype };
    if (shape) vi.shape = [...shape];
    this.inputs.push(vi);
    return name;
  }

  /** Adds an initializer (a constant tensor the graph reads by name). */
  initializer(name: string, t: Tensor): string {
    this.define(name, t.dtype, t.dims);
    this.initializers.set(name, t);
    return name;
  }

  /** Adds an initializer from values: `b.constant([0.5], DataType.FLOAT, [])` is a float scalar. */
  constant(values: number | number[] | bigint[] | TensorData, dtype = DataType.FLOAT, dims?: number[], name?: string): string {
    const list = typeof values === 'number' ? [values] : values;
    const shape = dims ?? (typeof values === 'number' ? [] : [list.length]);
    const t = makeTensor(dtype, shape);
    const data = t.data;
    for (let i = 0; i < list.length; i++) {
      const v = (list as ArrayLike<number | bigint | string>)[i];
      if (data instanceof BigInt64Array || data instanceof BigUint64Array) data[i] = BigInt(v as number | bigint);
      else if (Array.isArray(data)) data[i] = String(v);
      else (data as Float32Array)[i] = Number(v);
    }
    if (list.length !== t.data.length) throw new Error(`constant: ${list.length} values for dims [${shape.join(',')}]`);
    return this.initializer(name ?? this.freshName(`const_${this.constCount++}`), t);
  }

  /** Adds a node and returns its output names. */
  node(opType: string, inputs: ReadonlyArray<string | null | undefined>, attrs: Record<string, AttrValue> = {}, opts: NodeOptions = {}): string[] {
    const index = this.nodes.length;
    const name = opts.name ?? this.opts.nodeName(opType, index);
    if (this.nodeNames.has(name)) throw new Error(`GraphBuilder '${this.name}': node name '${name}' is used twice`);
    const ins = inputs.map((i) => i ?? '');
    if (this.opts.strict) {
      for (const i of ins) {
        if (i !== '' && !this.dtypes.has(i)) throw new Error(`GraphBuilder '${this.name}': input '${i}' of node '${name}' (${opType}) is not defined`);
      }
    }
    const outCount = typeof opts.outputs === 'number' ? opts.outputs : opts.outputs?.length ?? 1;
    const outs = Array.isArray(opts.outputs) ? [...opts.outputs] : Array.from({ length: outCount }, (_, i) => this.opts.valueName(name, i, opType));
    const attributes: Record<string, Attribute> = {};
    for (const [k, v] of Object.entries(attrs)) if (v !== undefined) attributes[k] = toAttribute(k, v);
    const node: Node = { name, opType, domain: opts.domain ?? '', inputs: ins, outputs: outs, attrs: attributes };
    if (opts.docString) node.docString = opts.docString;
    const dts = opts.dtypes ?? outputDtypes(node, (v) => this.dtypes.get(v) ?? DataType.UNDEFINED);
    outs.forEach((o, i) => { if (o !== '') this.define(o, dts[i] ?? DataType.UNDEFINED); });
    this.nodeNames.add(name);
    if (node.domain && node.domain !== 'ai.onnx') this.domains.add(node.domain);
    this.nodes.push(node);
    return outs;
  }

  /** Adds a single-output node and returns its output name. */
  op(opType: string, inputs: ReadonlyArray<string | null | undefined>, attrs: Record<string, AttrValue> = {}, opts: NodeOptions = {}): string {
    const outs = this.node(opType, inputs, attrs, { ...opts, outputs: opts.outputs ?? 1 });
    if (outs.length !== 1) throw new Error(`GraphBuilder.op: '${opType}' was given ${outs.length} outputs; use node()`);
    return outs[0];
  }

  /** QuantizeLinear with scale/zero-point initializers made from numbers (per-axis when arrays). */
  quantize(x: string, scale: number | number[], zeroPoint: number | number[] = 0, dtype = DataType.INT8, axis?: number, opts: NodeOptions = {}): string {
    const [s, z] = this.qparams(scale, zeroPoint, dtype);
    return this.op('QuantizeLinear', [x, s, z], axis === undefined ? {} : { axis }, opts);
  }

  /** DequantizeLinear with scale/zero-point initializers made from numbers (per-axis when arrays). */
  dequantize(q: string, scale: number | number[], zeroPoint: number | number[] = 0, axis?: number, opts: NodeOptions = {}): string {
    const dtype = this.dtypes.get(q) ?? DataType.INT8;
    const [s, z] = this.qparams(scale, zeroPoint, dtype);
    return this.op('DequantizeLinear', [q, s, z], axis === undefined ? {} : { axis }, opts);
  }

  /** Q -> DQ pair on `x` (fake quantization), returning the DQ output. */
  qdq(x: string, scale: number | number[], zeroPoint: number | number[] = 0, dtype = DataType.INT8, axis?: number): string {
    const [s, z] = this.qparams(scale, zeroPoint, dtype);
    const attrs: Record<string, AttrValue> = axis === undefined ? {} : { axis };
    return this.op('DequantizeLinear', [this.op('QuantizeLinear', [x, s, z], attrs), s, z], attrs);
  }

  private qparams(scale: number | number[], zeroPoint: number | number[], dtype: DataType): [string, string] {
    const perAxis = Array.isArray(scale);
    const s = this.constant(scale, DataType.FLOAT, perAxis ? [scale.length] : []);
    const zps = Array.isArray(zeroPoint) ? zeroPoint : perAxis ? scale.map(() => zeroPoint) : zeroPoint;
    const z = this.constant(zps, dtype, perAxis ? [scale.length] : []);
    return [s, z];
  }

  /** Marks a value as a graph output (dtype/shape default to what the builder knows). */
  output(name: string, dtype?: DataType, shape?: Dim[]): this {
    const dt = dtype ?? this.dtypes.get(name) ?? DataType.UNDEFINED;
    if (!this.dtypes.has(name) && this.opts.strict) throw new Error(`GraphBuilder '${this.name}': output '${name}' is not defined`);
    if (dt === DataType.UNDEFINED) throw new Error(`GraphBuilder '${this.name}': cannot tell the dtype of output '${name}'; pass it to output()`);
    const vi: ValueInfo = { name, dtype: dt };
    const sh = shape ?? this.shapes.get(name);
    if (sh) vi.shape = [...sh];
    this.outputs.push(vi);
    return this;
  }

  /** Records a type/shape for an intermediate value (written as value_info). */
  valueInfo(name: string, dtype: DataType, shape?: Dim[]): this {
    const vi: ValueInfo = { name, dtype };
    if (shape) vi.shape = [...shape];
    this.valueInfos.set(name, vi);
    this.shapes.set(name, [...(shape ?? [])]);
    return this;
  }

  /** The dtype the builder tracked for a value (UNDEFINED when unknown). */
  dtypeOf(name: string): DataType {
    return this.dtypes.get(name) ?? DataType.UNDEFINED;
  }

  /** True when a node, input, initializer or output already uses this value name. */
  has(name: string): boolean {
    return this.dtypes.has(name);
  }

  /** Number of nodes added so far (the index the next node gets). */
  get nodeCount(): number {
    return this.nodes.length;
  }

  build(): Graph {
    return {
      name: this.name,
      nodes: this.nodes.map((n) => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: { ...n.attrs } })),
      inputs: this.inputs.map((v) => ({ ...v })),
      outputs: this.outputs.map((v) => ({ ...v })),
      initializers: new Map(this.initializers),
      valueInfo: new Map(this.valueInfos),
    };
  }

  model(opts: ModelOptions = {}): Model {
    const opset = opts.opset ?? 13;
    const imports: OpsetImport[] = [{ domain: '', version: opset }];
    for (const d of [...this.domains].sort()) imports.push({ domain: d, version: opts.domains?.[d] ?? 1 });
    const model: Model = {
      irVersion: opts.irVersion ?? irVersionForOpset(opset),
      opsetImports: imports,
      producerName: opts.producerName ?? 'qdqsim',
      graph: this.build(),
    };
    if (opts.producerVersion !== undefined) model.producerVersion = opts.producerVersion;
    if (opts.docString !== undefined) model.docString = opts.docString;
    if (opts.metadata) model.metadata = { ...opts.metadata };
    return model;
  }

  private define(name: string, dtype: DataType, shape?: readonly Dim[]): void {
    if (!name) throw new Error(`GraphBuilder '${this.name}': empty value name`);
    if (this.dtypes.has(name)) throw new Error(`GraphBuilder '${this.name}': value '${name}' is defined twice`);
    this.dtypes.set(name, dtype);
    if (shape) this.shapes.set(name, [...shape]);
  }

  private freshName(base: string): string {
    let name = base;
    for (let k = 1; this.dtypes.has(name); k++) name = `${base}_${k}`;
    return name;
  }
}

/**
 * Output dtypes by simple op rules, enough for builder-made graphs to declare their outputs;
 * full dtype inference lives in src/sim/shape. UNDEFINED where the rule does not know.
 */
export function outputDtypes(node: Node, dtypeOf: (value: string) => DataType): DataType[] {
  const first = node.inputs.find((i) => i !== '');
  const inDt = (i: number): DataType => (node.inputs[i] ? dtypeOf(node.inputs[i]) : DataType.UNDEFINED);
  const n = node.outputs.length;
  const all = (d: DataType): DataType[] => Array.from({ length: n }, () => d);
  const a = node.attrs;
  if (node.domain !== '' && node.domain !== 'ai.onnx') return all(first ? dtypeOf(first) : DataType.UNDEFINED);
  switch (node.opType) {
    case 'QuantizeLinear':
      if (node.inputs[2]) return all(inDt(2));
      if (a.output_dtype?.type === 'int') return all(a.output_dtype.value as DataType);
      return all(DataType.UINT8);
    case 'DequantizeLinear': return all(inDt(1));
    case 'Cast': case 'CastLike':
      if (node.opType === 'CastLike') return all(inDt(1));
      return all(a.to?.type === 'int' ? (a.to.value as DataType) : DataType.UNDEFINED);
    case 'Constant': return all(a.value?.type === 'tensor' ? a.value.value.dtype : a.value_float || a.value_floats ? DataType.FLOAT : a.value_int || a.value_ints ? DataType.INT64 : DataType.UNDEFINED);
    case 'ConstantOfShape': return all(a.value?.type === 'tensor' ? a.value.value.dtype : DataType.FLOAT);
    case 'DynamicQuantizeLinear': return [DataType.UINT8, DataType.FLOAT, DataType.UINT8].slice(0, n);
    case 'ConvInteger': case 'MatMulInteger': return all(DataType.INT32);
    case 'QLinearConv': case 'QLinearMatMul': return all(inDt(7));
    case 'Where': return all(inDt(1));
    case 'TopK': case 'MaxPool': return [inDt(0), DataType.INT64].slice(0, n);
    default:
      if (BOOL_OUTPUT.has(node.opType)) return all(DataType.BOOL);
      if (INT64_OUTPUT.has(node.opType)) return all(DataType.INT64);
      return all(first ? dtypeOf(first) : DataType.UNDEFINED);
  }
}
