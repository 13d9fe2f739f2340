/**
 * A minimal .npy codec for validation artifacts (Polygraphy embeds np.save bytes in its JSON).
 * Interim: replace with src/sim/io/npy.ts once that module lands (same semantics: little-endian,
 * C order, float32/float16/float64/int8/uint8/int16/int32/int64/bool).
 */
import { readFileSync } from 'node:fs';
import { DataType, dataTypeName } from '../../../sim/data-type.ts';
import { makeTensor, sizeOf, type Tensor } from '../../../sim/tensor.ts';

const DESCR: [string, DataType][] = [
  ['<f4', DataType.FLOAT], ['<f8', DataType.DOUBLE], ['<f2', DataType.FLOAT16], ['|i1', DataType.INT8], ['|u1', DataType.UINT8],
  ['<i2', DataType.INT16], ['<u2', DataType.UINT16], ['<i4', DataType.INT32], ['<u4', DataType.UINT32], ['<i8', DataType.INT64],
  ['<u8', DataType.UINT64], ['|b1', DataType.BOOL],
];

export function decodeNpy(bytes: Uint8Array): Tensor {
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') throw new Error('not a .npy file (bad magic)');
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + hlen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new Error(`.npy header not understood: ${header.trim()}`);
  if (fortran) throw new Error('.npy in Fortran order is not supported');
  const dims = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const dtype = DESCR.find(([d]) => d === descr || d.replace('<', '=') === descr)?.[1];
  if (dtype === undefined) throw new Error(`.npy dtype '${descr}' is not supported`);
  const n = sizeOf(dims);
  const body = bytes.slice(start + hlen);
  const T = ctor(dtype);
  if (body.length < n * T.BYTES_PER_ELEMENT) throw new Error(`.npy data truncated: ${body.length} bytes for ${n} x ${descr}`);
  return makeTensor(dtype, dims, new T(body.buffer, 0, n) as Tensor['data']);
}

export function encodeNpy(t: Tensor): Uint8Array {
  const descr = DESCR.find(([, d]) => d === t.dtype)?.[0];
  if (!descr || Array.isArray(t.data)) throw new Error(`no .npy dtype for ${dataTypeName(t.dtype)}`);
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += `${' '.repeat(pad % 64)}\n`;
  const data = t.data as Exclude<Tensor['data'], string[]>;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8], 0);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

export function readNpy(path: string): Tensor {
  try {
    return decodeNpy(new Uint8Array(readFileSync(path)));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
}

function ctor(d: DataType) {
  switch (d) {
    case DataType.FLOAT: return Float32Array;
    case DataType.DOUBLE: return Float64Array;
    case DataType.FLOAT16: case DataType.UINT16: return Uint16Array;
    case DataType.INT8: return Int8Array;
    case DataType.UINT8: case DataType.BOOL: return Uint8Array;
    case DataType.INT16: return Int16Array;
    case DataType.INT32: return Int32Array;
    case DataType.UINT32: return Uint32Array;
    case DataType.INT64: return BigInt64Array;
    case DataType.UINT64: return BigUint64Array;
    default: throw new Error(`no .npy storage for ${dataTypeName(d)}`);
  }
}
