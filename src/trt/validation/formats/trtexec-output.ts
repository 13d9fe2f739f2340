/**
 * `trtexec --exportOutput=FILE` (samples/common/sampleReporting.cpp `exportJSONOutput`): a list of
 * `{ "name", "dimensions", "values" }`, one per output binding, in binding order. `dimensions` is a
 * string of the binding's dims joined by `x` ("1x1000"); `values` are printed with
 * `std::ostream <<` (6 significant digits; int8 bindings as integers; NaN/inf as bare words).
 */
import { DataType } from '../../../sim/data-type.ts';
import { makeTensor, sizeOf, type Tensor } from '../../../sim/tensor.ts';
import { formatCppFloat } from './cpp-float.ts';
import { parseRelaxedJson, relaxedNumber } from './relaxed-json.ts';

export interface NamedTensor {
  name: string;
  tensor: Tensor;
}

/** Parses `--exportOutput` JSON. Values become float32 (what the binding held, to 6 digits). */
export function parseTrtexecOutputs(text: string, source = 'trtexec output JSON'): NamedTensor[] {
  const doc = parseRelaxedJson(text, source);
  if (!Array.isArray(doc)) {
    throw new Error(`${source}: expected a list of {name, dimensions, values} (trtexec --exportOutput), found ${typeName(doc)}`);
  }
  return doc.map((entry, k) => {
    const where = `${source}: entry ${k}`;
    if (entry === null || typeof entry !== 'object') throw new Error(`${where}: expected an object`);
    const e = entry as Record<string, unknown>;
    if (typeof e.name !== 'string') throw new Error(`${where}: missing "name"`);
    const dims = parseDimensions(e.dimensions, `${where} ("${e.name}")`);
    if (!Array.isArray(e.values)) throw new Error(`${where} ("${e.name}"): missing "values" list`);
    const n = sizeOf(dims);
    if (e.values.length !== n) {
      throw new Error(`${where} ("${e.name}"): ${e.values.length} values but dimensions ${dims.join('x')} hold ${n}`);
    }
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = relaxedNumber(e.values[i], `${where} ("${e.name}") value ${i}`);
    return { name: e.name, tensor: makeTensor(DataType.FLOAT, dims, data) };
  });
}

/** "1x1000" -> [1, 1000]; also accepts a number list (what some wrappers write). "" is a scalar. */
export function parseDimensions(v: unknown, where: string): number[] {
  if (Array.isArray(v) && v.every((d) => Number.isInteger(d) && d >= 0)) return v as number[];
  if (typeof v !== 'string') throw new Error(`${where}: "dimensions" must be a string like "1x1000"`);
  if (v.trim() === '') return [];
  const parts = v.split('x').map((s) => Number(s.trim()));
  if (parts.some((d) => !Number.isInteger(d) || d < 0)) throw new Error(`${where}: bad "dimensions" "${v}"`);
  return parts;
}

/** Writes the exact text trtexec writes, byte for byte (same spacing, separators and number format). */
export function writeTrtexecOutputs(outputs: readonly NamedTensor[]): string {
  let s = '[\n';
  let sep = '  ';
  for (const { name, tensor } of outputs) {
    s += `${sep}{ "name" : "${name}"\n`;
    sep = ', ';
    s += `  ${sep}"dimensions" : "${tensor.dims.join('x')}"\n`;
    s += `  ${sep}"values" : [ `;
    const vals: string[] = [];
    for (let i = 0; i < tensor.data.length; i++) vals.push(formatValue(tensor.data[i] as number | bigint, tensor.dtype));
    s += vals.join(sep);
    s += ' ]\n  }\n';
  }
  return `${s}]\n`;
}

function formatValue(v: number | bigint, dtype: DataType): string {
  if (typeof v === 'bigint') return v.toString();
  switch (dtype) {
    case DataType.INT8: case DataType.UINT8: case DataType.INT32: case DataType.INT64: case DataType.BOOL:
      return String(v);
    default:
      return formatCppFloat(v);
  }
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v;
}
