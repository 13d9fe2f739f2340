/**
 * TensorProto <-> Tensor, for every ONNX data type by enum number (onnx-proto only knows IR 8, so
 * float8 / int4 / float4 / int2 are handled by their numbers here).
 *
 * Decoding reads `raw_data` (little-endian; 4-bit types two per byte, low nibble first; 2-bit types
 * four per byte, low bits first) or the typed field ONNX assigns to the type:
 *   float_data: FLOAT · double_data: DOUBLE · int64_data: INT64 · uint64_data: UINT32, UINT64 ·
 *   string_data: STRING · int32_data: every other type — one element per entry for INT8, UINT8,
 *   INT16, UINT16, INT32, BOOL, FLOAT16/BFLOAT16 (the 16 bits), FLOAT8* and FLOAT8E8M0 (the 8-bit
 *   code); one *packed byte* per entry for INT4, UINT4, FLOAT4E2M1 and INT2, UINT2.
 * Every size mismatch (declared dims vs data length) is an error that names the tensor.
 *
 * External data (data_location = EXTERNAL) is not read here: the model loader passes
 * `ctx.loadExternal`, which returns the tensor's raw bytes; they are then decoded as raw_data.
 */
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { dirname } from 'node:path';
import Long from 'long';
import onnxProto from 'onnx-proto';
import { DataType, dataTypeName } from '../data-type.ts';
import { type Tensor, type TensorData, sizeOf, storageFor } from '../tensor.ts';
import { packSubByte, packedByteLength, subByteBits, unpackSubByte } from '../golden/dtype.ts';

const { onnx } = onnxProto;
type ITensorProto = onnxProto.onnx.ITensorProto;

/** data_location value for external data (TensorProto.DataLocation.EXTERNAL). */
export const DATA_LOCATION_EXTERNAL = 1;

export interface TensorProtoContext {
  /** Used in error messages when the proto has no name (e.g. a node-test `.pb` file path). */
  name?: string;
  /** Folder of the model file; passed on to `loadExternal`. */
  baseDir?: string;
  /**
   * Resolves external data: returns the tensor's raw bytes (already sliced by offset/length).
   * Supplied by the model loader (src/sim/onnx/model-io.ts), which owns the path-safety rules.
   */
  loadExternal?: (tp: ITensorProto, ctx: TensorProtoContext) => Uint8Array;
}

export interface EncodeOptions {
  /** Write the typed field (float_data, int32_data, ...) instead of raw_data. Default false. */
  typedFields?: boolean;
}

if (endianness() !== 'LE') {
  throw new Error('qdqsim reads TensorProto raw_data with host-endian typed arrays and needs a little-endian host');
}

function toNum(v: number | Long | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const n = Long.fromValue(v).toNumber();
  return n;
}

function toBig(v: number | Long, unsigned: boolean): bigint {
  if (typeof v === 'number') return unsigned ? BigInt.asUintN(64, BigInt(v)) : BigInt(v);
  const l = Long.fromValue(v);
  const big = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
  return unsigned ? big : BigInt.asIntN(64, big);
}

function label(tp: ITensorProto, ctx?: TensorProtoContext): string {
  return `tensor '${tp.name || ctx?.name || '<unnamed>'}'`;
}

/** Decodes a TensorProto into an in-memory Tensor (see src/sim/tensor.ts for the storage per type). */
export function decodeTensorProto(tp: ITensorProto, ctx?: TensorProtoContext): Tensor {
  const what = label(tp, ctx);
  const dtype = (tp.dataType ?? 0) as DataType;
  if (dtype === DataType.UNDEFINED) throw new Error(`${what}: data_type is UNDEFINED (0)`);
  if (DataType[dtype] === undefined) throw new Error(`${what}: unknown data_type ${dtype}`);
  if (dtype === DataType.COMPLEX64 || dtype === DataType.COMPLEX128) {
    throw new Error(`${what}: ${dataTypeName(dtype)} tensors are not supported`);
  }
  if (tp.segment) throw new Error(`${what}: segmented tensors are not supported`);
  const dims = (tp.dims ?? []).map((d) => {
    const n = toNum(d);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${what}: invalid dimension ${String(d)}`);
    return n;
  });
  const n = sizeOf(dims);
  const shape = `dims [${dims.join(',')}] (${n} elements of ${dataTypeName(dtype)})`;

  let raw: Uint8Array | undefined;
  if ((tp.dataLocation ?? 0) === DATA_LOCATION_EXTERNAL) {
    if (!ctx?.loadExternal) {
      const loc = tp.externalData?.find((e) => e.key === 'location')?.value ?? '?';
      throw new Error(`${what}: data is stored externally (location '${loc}') and no external-data loader was given`);
    }
    raw = ctx.loadExternal(tp, ctx);
  } else if (tp.rawData && tp.rawData.length > 0) {
    raw = tp.rawData;
  }

  if (dtype === DataType.STRING) {
    if (raw) throw new Error(`${what}: STRING tensors cannot use raw_data`);
    const sd = tp.stringData ?? [];
    if (sd.length !== n) throw new Error(`${what}: string_data has ${sd.length} entries, ${shape} need ${n}`);
    const dec = new TextDecoder();
    return { dtype, dims, data: sd.map((b) => dec.decode(b)) };
  }

  if (raw) return { dtype, dims, data: fromRaw(raw, dtype, n, what, shape) };
  return { dtype, dims, data: fromTyped(tp, dtype, n, what, shape) };
}

function fromRaw(raw: Uint8Array, dtype: DataType, n: number, what: string, shape: string): TensorData {
  const need = packedByteLength(dtype, n);
  if (raw.length !== need) throw new Error(`${what}: raw_data has ${raw.length} bytes, ${shape} need ${need}`);
  const sub = subByteBits(dtype);
  if (sub) return unpackSubByte(raw, n, sub, dtype === DataType.INT4 || dtype === DataType.INT2);
  const out = storageFor(dtype, n) as Exclude<TensorData, string[]>;
  // copy into the (aligned) destination byte by byte view
  new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(raw);
  if (dtype === DataType.BOOL) {
    const b = out as Uint8Array;
    for (let i = 0; i < n; i++) if (b[i] > 1) throw new Error(`${what}: BOOL element ${i} is ${b[i]}, not 0 or 1`);
  }
  return out;
}

function fromTyped(tp: ITensorProto, dtype: DataType, n: number, what: string, shape: string): TensorData {
  const check = (field: string, len: number, need: number) => {
    if (len !== need) {
      throw new Error(len === 0 && need > 0
        ? `${what}: no data (neither raw_data nor ${field}), ${shape} need ${need} entries`
        : `${what}: ${field} has ${len} entries, ${shape} need ${need}`);
    }
  };
  switch (dtype) {
    case DataType.FLOAT: {
      const src = tp.floatData ?? [];
      check('float_data', src.length, n);
      return Float32Array.from(src);
    }
    case DataType.DOUBLE: {
      const src = tp.doubleData ?? [];
      check('double_data', src.length, n);
      return Float64Array.from(src);
    }
    case DataType.INT64: {
      const src = tp.int64Data ?? [];
      check('int64_data', src.length, n);
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = toBig(src[i], false);
      return out;
    }
    case DataType.UINT64: case DataType.UINT32: {
      const src = tp.uint64Data ?? [];
      check('uint64_data', src.length, n);
      if (dtype === DataType.UINT64) {
        const out = new BigUint64Array(n);
        for (let i = 0; i < n; i++) out[i] = toBig(src[i], true);
        return out;
      }
      const out = new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const v = toBig(src[i], true);
        if (v > 0xffffffffn) throw new Error(`${what}: UINT32 element ${i} is ${v}, out of range`);
        out[i] = Number(v);
      }
      return out;
    }
    default: {
      const src = tp.int32Data ?? [];
      const sub = subByteBits(dtype);
      if (sub) {
        const need = packedByteLength(dtype, n);
        check('int32_data (packed bytes)', src.length, need);
        const bytes = new Uint8Array(need);
        for (let i = 0; i < need; i++) {
          const v = src[i];
          if (v < 0 || v > 255) throw new Error(`${what}: int32_data entry ${i} is ${v}, not a packed byte`);
          bytes[i] = v;
        }
        return unpackSubByte(bytes, n, sub, dtype === DataType.INT4 || dtype === DataType.INT2);
      }
      check('int32_data', src.length, n);
      const out = storageFor(dtype, n) as Exclude<TensorData, string[] | BigInt64Array | BigUint64Array>;
      for (let i = 0; i < n; i++) out[i] = src[i];
      if (dtype === DataType.BOOL) {
        for (let i = 0; i < n; i++) if (src[i] !== 0 && src[i] !== 1) throw new Error(`${what}: BOOL element ${i} is ${src[i]}, not 0 or 1`);
      }
      return out;
    }
  }
}

/** Encodes a Tensor as a TensorProto (raw_data by default; strings always in string_data). */
export function encodeTensorProto(t: Tensor, name: string, opts: EncodeOptions = {}): ITensorProto {
  const n = sizeOf(t.dims);
  const what = `tensor '${name}'`;
  if (t.data.length !== n) throw new Error(`${what}: data length ${t.data.length} does not match dims [${t.dims.join(',')}] (${n} elements)`);
  const tp: ITensorProto = { name, dataType: t.dtype, dims: t.dims.map((d) => d) };
  if (t.dtype === DataType.STRING) {
    const enc = new TextEncoder();
    tp.stringData = (t.data as string[]).map((s) => enc.encode(s));
    return tp;
  }
  const data = t.data as Exclude<TensorData, string[]>;
  const sub = subByteBits(t.dtype);
  if (!opts.typedFields) {
    if (sub) tp.rawData = packSubByte(data as ArrayLike<number>, sub);
    else tp.rawData = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
    return tp;
  }
  switch (t.dtype) {
    case DataType.FLOAT: tp.floatData = Array.from(data as Float32Array); break;
    case DataType.DOUBLE: tp.doubleData = Array.from(data as Float64Array); break;
    case DataType.INT64: tp.int64Data = Array.from(data as BigInt64Array, (v) => Long.fromString(v.toString(), false)); break;
    case DataType.UINT64: tp.uint64Data = Array.from(data as BigUint64Array, (v) => Long.fromString(v.toString(), true)); break;
    case DataType.UINT32: tp.uint64Data = Array.from(data as Uint32Array, (v) => Long.fromNumber(v, true)); break;
    default:
      if (sub) tp.int32Data = Array.from(packSubByte(data as ArrayLike<number>, sub));
      else tp.int32Data = Array.from(data as ArrayLike<number>);
  }
  return tp;
}

/** Serialises a TensorProto to bytes. */
export function tensorProtoToBytes(tp: ITensorProto): Uint8Array {
  return onnx.TensorProto.encode(onnx.TensorProto.create(tp)).finish();
}

/** Parses TensorProto bytes (e.g. a node-test `input_0.pb`). */
export function tensorProtoFromBytes(bytes: Uint8Array, ctx?: TensorProtoContext): Tensor {
  let tp: onnxProto.onnx.TensorProto;
  try {
    tp = onnx.TensorProto.decode(bytes);
  } catch (e) {
    throw new Error(`${ctx?.name ?? 'tensor'}: not a TensorProto (${(e as Error).message})`);
  }
  return decodeTensorProto(tp, ctx);
}

/** Reads a serialized TensorProto file such as a node-test `test_data_set_0/output_0.pb`. */
export function readTensorProtoFile(path: string, ctx?: Omit<TensorProtoContext, 'name'>): Tensor {
  const bytes = readFileSync(path);
  return tensorProtoFromBytes(bytes, { baseDir: dirname(path), ...ctx, name: path });
}

/** The name stored in a TensorProto file (node-test outputs carry the graph output name). */
export function readTensorProtoName(path: string): string {
  return onnx.TensorProto.decode(readFileSync(path)).name ?? '';
}
