import { DataType, dataTypeName } from './data-type.ts';

/**
 * In-memory storage per data type: one array element per tensor element, never packed.
 * Packing (4-bit two per byte, 2-bit four per byte) happens only at the file boundary.
 * Float formats narrower than float32 are kept as their raw bit codes so no value is ever
 * silently widened or rounded.
 */
export type TensorData =
  | Float32Array // FLOAT
  | Float64Array // DOUBLE
  | Int8Array // INT8, INT4, INT2
  | Uint8Array // UINT8, UINT4, UINT2, BOOL (0/1), FLOAT8* codes, FLOAT4E2M1 codes, FLOAT8E8M0 codes
  | Int16Array // INT16
  | Uint16Array // UINT16, FLOAT16 bits, BFLOAT16 bits
  | Int32Array // INT32
  | Uint32Array // UINT32
  | BigInt64Array // INT64
  | BigUint64Array // UINT64
  | string[]; // STRING

export interface Tensor<D extends TensorData = TensorData> {
  dtype: DataType;
  dims: number[];
  data: D;
}

export function storageFor(dtype: DataType, n: number): TensorData {
  switch (dtype) {
    case DataType.FLOAT: return new Float32Array(n);
    case DataType.DOUBLE: return new Float64Array(n);
    case DataType.INT8: case DataType.INT4: case DataType.INT2: return new Int8Array(n);
    case DataType.UINT8: case DataType.UINT4: case DataType.UINT2: case DataType.BOOL:
    case DataType.FLOAT8E4M3FN: case DataType.FLOAT8E4M3FNUZ: case DataType.FLOAT8E5M2:
    case DataType.FLOAT8E5M2FNUZ: case DataType.FLOAT4E2M1: case DataType.FLOAT8E8M0:
      return new Uint8Array(n);
    case DataType.INT16: return new Int16Array(n);
    case DataType.UINT16: case DataType.FLOAT16: case DataType.BFLOAT16: return new Uint16Array(n);
    case DataType.INT32: return new Int32Array(n);
    case DataType.UINT32: return new Uint32Array(n);
    case DataType.INT64: return new BigInt64Array(n);
    case DataType.UINT64: return new BigUint64Array(n);
    case DataType.STRING: return new Array<string>(n).fill('');
    default: throw new Error(`unsupported tensor data type ${dataTypeName(dtype)}`);
  }
}

export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`invalid dimension ${d} in [${dims.join(',')}]`);
    n *= d;
  }
  return n;
}

export function makeTensor(dtype: DataType, dims: readonly number[], data?: TensorData): Tensor {
  const n = sizeOf(dims);
  const d = data ?? storageFor(dtype, n);
  if (d.length !== n) {
    throw new Error(`tensor data length ${d.length} does not match dims [${dims.join(',')}] (${n} elements)`);
  }
  return { dtype, dims: [...dims], data: d };
}
