/**
 * Raw tensor files as trtexec reads them with `--loadInputs` and writes them with
 * `--saveDebugTensors`: the elements in row-major order and the binding's own type, no header
 * (what `np.ndarray.tofile` writes). Little-endian, as on every GPU host TensorRT supports.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DataType, dataTypeName } from '../../../sim/data-type.ts';
import type { ValueInfo } from '../../../sim/ir/graph.ts';
import { makeTensor, sizeOf, type Tensor } from '../../../sim/tensor.ts';

/** Bytes per element of the types a TensorRT binding can have. */
export function rawElementSize(dtype: DataType): number {
  switch (dtype) {
    case DataType.FLOAT: case DataType.INT32: case DataType.UINT32: return 4;
    case DataType.FLOAT16: case DataType.BFLOAT16: return 2;
    case DataType.INT8: case DataType.UINT8: case DataType.BOOL: case DataType.FLOAT8E4M3FN: return 1;
    case DataType.INT64: case DataType.DOUBLE: return 8;
    default: throw new Error(`no raw binding format for ${dataTypeName(dtype)}`);
  }
}

export function encodeRawTensor(t: Tensor): Uint8Array {
  if (Array.isArray(t.data)) throw new Error('string tensors have no raw binding format');
  rawElementSize(t.dtype);
  const d = t.data as Exclude<Tensor['data'], string[]>;
  return new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
}

export function decodeRawTensor(bytes: Uint8Array, dtype: DataType, dims: readonly number[], where: string): Tensor {
  const size = rawElementSize(dtype);
  const n = sizeOf(dims);
  if (bytes.length !== n * size) {
    throw new Error(`${where}: ${bytes.length} bytes, but ${dataTypeName(dtype)} [${dims.join('x')}] needs ${n * size}`);
  }
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  switch (dtype) {
    case DataType.FLOAT: return makeTensor(dtype, dims, new Float32Array(buf));
    case DataType.DOUBLE: return makeTensor(dtype, dims, new Float64Array(buf));
    case DataType.INT32: return makeTensor(dtype, dims, new Int32Array(buf));
    case DataType.UINT32: return makeTensor(dtype, dims, new Uint32Array(buf));
    case DataType.FLOAT16: case DataType.BFLOAT16: return makeTensor(dtype, dims, new Uint16Array(buf));
    case DataType.INT8: return makeTensor(dtype, dims, new Int8Array(buf));
    case DataType.UINT8: case DataType.BOOL: case DataType.FLOAT8E4M3FN: return makeTensor(dtype, dims, new Uint8Array(buf));
    case DataType.INT64: return makeTensor(dtype, dims, new BigInt64Array(buf));
    default: throw new Error(`${where}: no raw binding format for ${dataTypeName(dtype)}`);
  }
}

export function writeRawTensor(path: string, t: Tensor): void {
  writeFileSync(path, encodeRawTensor(t));
}

/** Reads a raw input file for a graph input whose dtype and shape are fully known. */
export function readRawTensor(path: string, vi: ValueInfo): Tensor {
  if (!vi.shape || vi.shape.some((d) => typeof d !== 'number')) {
    throw new Error(`${path}: raw .bin files carry no shape and input '${vi.name}' has a dynamic shape; use .npy instead`);
  }
  return decodeRawTensor(new Uint8Array(readFileSync(path)), vi.dtype, vi.shape as number[], path);
}

export { fileSafeName } from '../../../sim/io/file-safe-name.ts';
